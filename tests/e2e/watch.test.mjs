// End-to-end: comparing against normal with a live backend (the replay server's `shop`: Jaeger
// v1 over generated checkouts, the card charge 5× slower from a chosen moment). "Related to an
// alert" loads the traces around the alert and the hour before it as the baseline, and opens the
// comparison; "Watch services…" polls, scores new traces as they arrive, never overlaps its
// polls, stops on a failure with Retry.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TracaggPage, useSite } from './tracagg_page.mjs';
import { startBackends, shop } from './backend_server.mjs';

const site = useSite({ before, after });
let backends;
before(async () => { backends = await startBackends(); });
after(() => backends?.close());
const shopUrl = () => `http://127.0.0.1:${backends.address().port}/ok/shop`;

async function connectToShop() {
  const page = await site.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const app = new TracaggPage(page);
  await app.open(site.url);
  await app.byTestId('toggle-backend').click();
  await app.byTestId('backend-kind').selectOption('jaeger');
  await app.byTestId('backend-url').fill(shopUrl());
  await app.byTestId('backend-connect').click();
  await page.waitForFunction(() => /^Connected/.test(document.querySelector('[data-testid=backend-status]')?.textContent ?? ''));
  return app;
}

/** `ms` since the epoch as the alert form's UTC `datetime-local` value (to the minute). */
const utcField = (ms) => new Date(ms).toISOString().slice(0, 16);

/** The alert flow: the traces ±15 min around `at`, against the hour before. */
async function alertCompare(app, at) {
  await app.byTestId('backend-limit').fill('200');
  await app.byTestId('alert-service').selectOption('frontend');
  await app.byTestId('alert-time').fill(utcField(at));
  await app.byTestId('alert-window').selectOption('15');
  await app.byTestId('alert-baseline').selectOption('hour-before');
  await app.byTestId('alert-search').click();
  await app.page.waitForFunction(() => /#view=baselines/.test(location.hash));
  await app.byTestId('score-summary').waitFor({ timeout: 30000 });
}

test('related to an alert: the window around it against the hour before, anomalies and what changed', async () => {
  shop.stepMs = 30_000;
  const at = Date.UTC(2026, 10, 30, 12, 0, 0);
  shop.slowFrom = at - 5 * 60_000;
  const app = await connectToShop();
  await alertCompare(app, at);
  // 61 traces from 11:45 to 12:15 (the one at 11:45 is also the baseline's last, so not
  // scored); the 41 from 11:55 on have the slow charge.
  const summary = await app.byTestId('score-summary').innerText();
  const [, anomalous, scored] = /^(\d+) of (\d+) traces scored against “frontend: the hour before the alert” are anomalous\.$/.exec(summary) ?? [];
  assert.equal(Number(scored), 60, summary);
  assert.ok(Number(anomalous) >= 41 && Number(anomalous) <= 42, summary);
  assert.match(await app.byTestId('baseline-describe').innerText(), /^121 traces, 726 spans, 4 operations, from Jaeger/);
  assert.match(await app.byTestId('table-changes').locator('tbody tr').first().innerText(), /^payment\s+charge/);
  assert.match(await app.byTestId('table-anomalous-traces').locator('tbody tr').first().innerText(), /slower than p95 for frontend: POST \/checkout.*payment: charge/);
  // The searches asked for exactly the two windows.
  const windows = backends.requests.filter((r) => r.backend === 'shop' && r.api === '/api/traces').map((r) => {
    const q = new URLSearchParams(r.query);
    return [Number(q.get('start')) / 1000, Number(q.get('end')) / 1000];
  });
  assert.deepEqual(windows, [[at - 75 * 60_000, at - 15 * 60_000], [at - 15 * 60_000, at + 15 * 60_000]]);
  await app.screenshot('alert-compare', { fullPage: true });
  assert.deepEqual(app.problems.filter((p) => !/api\/v3\/services|status of 404/.test(p)), []);
  await app.page.close();
});

test('related to an alert against the backend\'s own metrics (Jaeger SPM): quantiles only, the slow charge found', async () => {
  shop.stepMs = 30_000;
  const at = Date.UTC(2026, 10, 30, 12, 0, 0);
  shop.slowFrom = at - 5 * 60_000;
  const app = await connectToShop();
  const firstRequest = backends.requests.length;
  await app.byTestId('backend-limit').fill('200');
  await app.byTestId('alert-service').selectOption('frontend');
  await app.byTestId('alert-time').fill(utcField(at));
  await app.byTestId('alert-window').selectOption('15');
  await app.byTestId('alert-baseline').selectOption('metrics-hour');
  await app.byTestId('alert-search').click();
  await app.page.waitForFunction(() => /#view=baselines/.test(location.hash));
  await app.byTestId('score-summary').waitFor({ timeout: 30000 });
  // No trace of the hour before was loaded: only the 61 of the alert's window, all scored.
  const summary = await app.byTestId('score-summary').innerText();
  const [, anomalous, scored] = /^(\d+) of (\d+) traces scored against “frontend: the backend's metrics, the hour before the alert” are anomalous\.$/.exec(summary) ?? [];
  assert.equal(Number(scored), 61, summary);
  assert.ok(Number(anomalous) >= 41 && Number(anomalous) <= 42, summary);
  assert.match(await app.byTestId('baseline-describe').innerText(), /^p50\/p95\/p99 of 4 operations \(about 726 spans\), from Jaeger SPM/);
  assert.match(await app.byTestId('table-anomalous-traces').locator('tbody tr').first().innerText(), /slower than p95 for frontend: POST \/checkout.*payment: charge/);
  assert.match(await app.byTestId('table-changes').locator('tbody tr').first().innerText(), /^payment\s+charge/);
  // Five SPM requests per service, each over the hour before the window.
  const spm = backends.requests.slice(firstRequest).filter((r) => r.api.startsWith('/api/metrics/'));
  assert.equal(spm.length, 15);
  for (const r of spm) {
    const q = new URLSearchParams(r.query);
    assert.equal(Number(q.get('endTs')), at - 15 * 60_000);
    assert.equal(Number(q.get('lookback')), 3_600_000);
  }
  assert.equal(backends.requests.slice(firstRequest).filter((r) => r.api === '/api/traces').length, 1, 'only the window is searched');
  await app.screenshot('alert-metrics', { fullPage: true });
  assert.deepEqual(app.problems.filter((p) => !/api\/v3\/services|status of 404/.test(p)), []);
  await app.page.close();
});

test('watching a service scores new traces as they arrive; polls never overlap; a failure stops it with Retry', async () => {
  shop.stepMs = 1000;
  shop.slowFrom = Infinity;
  const app = await connectToShop();
  // A baseline of normal traffic: the hour before an alert 20 minutes ago.
  await alertCompare(app, Math.floor((Date.now() - 20 * 60_000) / 60_000) * 60_000);
  assert.match(await app.byTestId('score-summary').innerText(), /^0 of/);
  // From two seconds on, every new checkout has the slow charge.
  shop.slowFrom = Date.now() + 2000;
  const firstRequest = backends.requests.length;
  await app.byTestId('watch-open').click();
  await app.byTestId('watch-service').and(app.page.locator('[value="frontend"]')).check();
  await app.byTestId('watch-interval').fill('2');
  await app.byTestId('watch-limit').fill('50');
  await app.byTestId('watch-start').click();
  await app.byTestId('watch-status').waitFor();
  await app.page.waitForFunction(() => {
    const m = /^(\d+) anomalous of (\d+) new traces$/.exec(document.querySelector('[data-testid="watch-count"]')?.innerText ?? '');
    return m && Number(m[1]) >= 3;
  }, null, { timeout: 30000 });
  assert.match(await app.byTestId('watch-anomaly').first().innerText(), /POST \/checkout.*slower than p95 for frontend: POST \/checkout/);
  assert.match(await app.byTestId('tab-baselines').innerText(), /Baselines \(\d+ anomalous\)/);
  await app.byTestId('watch-stop').click();
  // Each poll asked for the time since the previous one: no overlap, no gap, one at a time.
  const polls = backends.requests.slice(firstRequest).filter((r) => r.api === '/api/traces').map((r) => {
    const q = new URLSearchParams(r.query);
    return [Number(q.get('start')), Number(q.get('end')), Number(q.get('limit'))];
  });
  assert.ok(polls.length >= 2, `${polls.length} polls`);
  for (let i = 1; i < polls.length; i += 1) assert.equal(polls[i][0], polls[i - 1][1] + 1, JSON.stringify(polls));
  assert.ok(polls.every((p) => p[2] === 50));
  const afterStop = backends.requests.length;
  await app.page.waitForTimeout(3000);
  assert.equal(backends.requests.length, afterStop, 'no poll after Stop');
  await app.screenshot('watch', { fullPage: false });
  // A failing backend stops the watch with the reason; Retry starts it again.
  shop.fail = true;
  await app.byTestId('watch-start').click();
  await app.byTestId('watch-error').waitFor();
  assert.match(await app.byTestId('watch-error').innerText(), /Watching stopped: polling frontend failed: .*HTTP 500/);
  assert.equal(await app.byTestId('watch-stop').count(), 0);
  shop.fail = false;
  await app.byTestId('watch-retry').click();
  await app.byTestId('watch-status').waitFor();
  await app.page.waitForFunction(() => /^Last poll/.test(document.querySelector('[data-testid="watch-status"]')?.innerText ?? ''));
  await app.byTestId('watch-stop').click();
  // The only problems: the failed poll, and the API detection's probe of /api/v3 (404).
  assert.ok(app.problems.every((p) => /500|404/.test(p)), app.problems.join('\n'));
  await app.page.close();
});
