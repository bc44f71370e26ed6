// End-to-end: log files beside the traces. The fixtures are made by real producers (the
// OpenTelemetry Python SDK and structlog: tests/fixtures/logs/generate.py).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TracaggPage, useSite } from './tracagg_page.mjs';

const LOGS = 'tests/fixtures/logs';
const site = useSite({ before, after });

async function openPage() {
  const page = await site.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const app = new TracaggPage(page);
  await app.open(site.url);
  return app;
}

const idle = (app) => app.page.waitForFunction(() => !document.querySelector('[data-testid="pending"]'));

test('log records join their spans: a Logs tab, the span detail, click a line to select its span', async () => {
  const app = await openPage();
  await app.chooseFiles([`${LOGS}/checkout-traces.otlp.json`, `${LOGS}/checkout-structlog.jsonl`, `${LOGS}/checkout-logs.otlp.json`]);
  await app.waitForRows(3);
  await idle(app);
  const log = (await app.infoNotices()).join('\n');
  assert.match(log, /checkout-structlog\.jsonl: JSON log lines, 13 records — 1 log record in all for traces not loaded/);
  assert.match(log, /checkout-logs\.otlp\.json: OTLP logs JSON, 12 records/);
  await app.rows().first().click();
  await app.spanRows().first().waitFor();
  assert.equal(await app.byTestId('tab-logs').innerText(), 'Logs (8)');
  // Each record is a tick on its span's bar, and the trace's search finds spans by their logs.
  await app.page.waitForFunction(() => document.querySelectorAll('[data-testid="log-tick"]').length === 8);
  await app.search('stock reserved');
  await app.expectMatchCount('1 match');
  await app.search('');
  await app.byTestId('tab-logs').click();
  await app.byTestId('trace-logs').waitFor();
  assert.equal(await app.byTestId('log-row').count(), 8);
  assert.match(await app.byTestId('logs-count').innerText(), /^8 log lines$/);
  await app.byTestId('logs-search').fill('stock reserved');
  await app.page.waitForFunction(() => document.querySelectorAll('[data-testid="log-row"]').length === 2);
  await app.screenshot('logs-tab', { fullPage: false });
  await app.byTestId('log-row').first().click();
  await app.byTestId('span-detail').waitFor();
  assert.equal(await app.byTestId('detail-operation').innerText(), 'reserve stock');
  assert.match(await app.byTestId('detail-logs').locator('h4').innerText(), /^Logs \(2\)$/);
  assert.match(await app.byTestId('detail-log').first().innerText(), /^\+\d.* debug stock reserved/);
  await app.screenshot('logs-span-detail', { fullPage: false });
  assert.deepEqual(app.problems, []);
  await app.page.close();
});

test('logs dropped before their traces are kept and join when the traces arrive; neither is taken for the other', async () => {
  const app = await openPage();
  await app.chooseFiles([`${LOGS}/checkout-structlog.logfmt`]);
  await idle(app);
  assert.match((await app.infoNotices()).join('\n'), /logfmt lines, 13 records — 13 log records in all for traces not loaded/);
  assert.equal(await app.rows().count(), 0, 'a log file is no trace');
  await app.chooseFiles([`${LOGS}/checkout-traces.otlp.json`]);
  await app.waitForRows(3);
  await app.rows().first().click();
  await app.spanRows().first().waitFor();
  assert.equal(await app.byTestId('tab-logs').innerText(), 'Logs (4)');
  assert.deepEqual(app.problems, []);
  await app.page.close();
});
