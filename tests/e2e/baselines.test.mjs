// End-to-end: baselines on the page. 40 normal checkouts and 4 regressed ones (recorded by the
// OpenTelemetry Python SDK: a slower card charge, a new fraud call, no cache lookup). A baseline
// of the normal file → the four regressed traces scored anomalous with their sentences, the
// trace list's score column and its order, the trace page's attribution, anomalies and
// "vs baseline" colours, the what-changed tables, CSV export; then a baseline of a selection.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { TracaggPage, useSite } from './tracagg_page.mjs';

const NORMAL = 'tests/fixtures/compare/normal-checkouts.otlp.json';
const REGRESSED = 'tests/fixtures/compare/regressed-checkouts.otlp.json';
const site = useSite({ before, after });

async function download(page, click) {
  const [file] = await Promise.all([page.waitForEvent('download'), click()]);
  return fs.readFileSync(await file.path(), 'utf8');
}

/** The data rows of a statistics table. */
const tableRows = (app, testid) => app.byTestId(testid).locator('tbody tr');

test('a baseline of a file scores the other traces: anomalies, sentences, attribution, what changed', async () => {
  const page = await site.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const app = new TracaggPage(page);
  await app.open(site.url);
  await app.chooseFiles([NORMAL, REGRESSED]);
  await app.waitForRows(44);
  await app.byTestId('tab-baselines').click();
  assert.match(await app.byTestId('no-baselines').innerText(), /No baseline yet/);
  await app.byTestId('baseline-source').selectOption('normal-checkouts.otlp.json');
  await app.byTestId('baseline-from-source').click();
  await app.byTestId('score-summary').waitFor();
  assert.match(await app.byTestId('score-summary').innerText(), /^4 of 4 traces scored against “normal-checkouts\.otlp\.json” are anomalous\.$/);
  assert.match(await app.byTestId('baseline-describe').innerText(), /^40 traces, 280 spans, 7 operations, from normal-checkouts\.otlp\.json$/);
  assert.match(await app.byTestId('tab-baselines').innerText(), /Baselines \(4 anomalous\)/);
  assert.equal(await tableRows(app, 'table-anomalous-traces').count(), 4);
  assert.match(await tableRows(app, 'table-anomalous-traces').first().innerText(), /slower than p95 for frontend: POST \/checkout.*payment: charge/);
  // What changed: the charge first, by impact.
  assert.match(await tableRows(app, 'table-changes').first().innerText(), /^payment\s+charge/);
  const csv = await download(page, () => app.byTestId('table-anomalies').getByTestId('export-csv').click());
  const header = csv.split(/\r?\n/)[0];
  assert.equal(header, 'trace_id,kind,service,operation,value,baseline,message');
  assert.match(csv, /new call/);
  assert.match(csv, /missing call/);
  await app.screenshot('baselines-view', { fullPage: true });

  // The trace list: a score column, the anomalous marked, most anomalous first on a click.
  await app.byTestId('tab-traces').click();
  await app.waitForRows(44);
  await app.byTestId('score-heading').click();
  await page.waitForFunction(() => /f\.sort=score/.test(location.hash));
  const marks = await app.rows().evaluateAll((rows) => rows.map((r) => r.querySelector('[data-testid="score"] span')?.dataset.testid ?? r.querySelector('[data-testid="score"]').innerText));
  assert.deepEqual(marks.slice(0, 4), ['anomalous', 'anomalous', 'anomalous', 'anomalous']);
  assert.ok(marks.slice(4).every((m) => m === 'baseline'), marks.join());
  await app.screenshot('baselines-trace-list', { fullPage: false });

  // The trace page: sentence, attribution, anomalies, bars coloured by percentile.
  await app.rows().first().click();
  await app.byTestId('trace-explanation').waitFor();
  assert.match(await app.byTestId('trace-explanation').innerText(), /^Anomalous, score \d+\.\d\d: \d+(\.\d+)?× slower than p95 for frontend: POST \/checkout/);
  assert.match(await app.byTestId('attribution-row').first().innerText(), /^payment: charge \+\d+/);
  const anomalies = await app.byTestId('trace-anomaly').allInnerTexts();
  assert.ok(anomalies.some((a) => /^new call/.test(a)), anomalies.join('\n'));
  assert.ok(anomalies.some((a) => /^missing call/.test(a)), anomalies.join('\n'));
  assert.ok(anomalies.some((a) => /^slow/.test(a)), anomalies.join('\n'));
  await app.byTestId('vs-baseline').check();
  await app.byTestId('baseline-legend').waitFor();
  const charge = app.spanRows().filter({ hasText: 'charge' }).filter({ hasText: 'payment' }).first();
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="span-row"]')].some((r) => /payment/.test(r.innerText) && /charge/.test(r.innerText) && r.querySelector('[data-testid="bar"]')?.style.background.includes('225, 87, 89')));
  assert.match(await charge.getByTestId('bar').getAttribute('style'), /225, 87, 89|#e15759/);
  // The new fraud call has no baseline: grey.
  const fraud = app.spanRows().filter({ hasText: 'fraud' }).first();
  assert.match(await fraud.getByTestId('bar').getAttribute('style'), /186, 176, 172|#bab0ac/);
  await app.screenshot('baselines-trace-page', { fullPage: false });
  // The Vs baseline tab: the trace's paths against the baseline's p5–p95 bands.
  await app.byTestId('tab-vs-baseline').click();
  await app.byTestId('vs-baseline-summary').waitFor();
  const status = (text) => app.byTestId('vs-baseline-row').filter({ hasText: text }).first().getAttribute('data-status');
  assert.equal(await status('payment: charge'), 'above p95');
  assert.equal(await status('cart: cache get'), 'missing');
  assert.equal(await status('fraud: POST /score'), 'new');
  assert.match(await app.byTestId('vs-baseline-summary').innerText(), /^\d+ paths: \d+ within .* \d+ new, 1 missing \(against “normal-checkouts\.otlp\.json”\)\.$/);
  await app.byTestId('vs-baseline-outside').check();
  assert.equal(await app.byTestId('vs-baseline-row').filter({ hasText: 'cart: SELECT items' }).count(), 0);
  await app.screenshot('baselines-vs-baseline', { fullPage: false });
  await app.byTestId('tab-timeline').click();
  // A slow anomaly opens its span.
  await app.byTestId('trace-anomaly').filter({ hasText: /^slow/ }).first().locator('a').click();
  await app.byTestId('span-detail').waitFor();
  await page.goBack();

  // The services view has the what-changed table too.
  await app.byTestId('back').click();
  await app.byTestId('tab-services').click();
  await app.waitForServices();
  assert.match(await tableRows(app, 'table-services-changes').first().innerText(), /^payment\s+charge/);
  assert.deepEqual(app.problems, []);
  await page.close();
});

test('a selection becomes a baseline; deleting it removes the scores', async () => {
  const page = await site.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const app = new TracaggPage(page);
  await app.open(site.url);
  await app.chooseFiles([NORMAL, REGRESSED]);
  await app.waitForRows(44);
  // The normal checkouts are the ones under 60 ms.
  await app.byTestId('filter-max').fill('60ms');
  await app.byTestId('filter-max').press('Enter');
  await app.waitForRows(40);
  await app.byTestId('select-shown').check();
  assert.match(await app.byTestId('selection-count').innerText(), /^40 traces selected$/);
  await app.byTestId('filter-clear').click();
  await app.waitForRows(44);
  await app.byTestId('selection-baseline').click();
  await page.waitForFunction(() => /Baselines \(4 anomalous\)/.test(document.querySelector('[data-testid="tab-baselines"]')?.innerText ?? ''));
  assert.equal(await app.byTestId('anomalous').count(), 4);
  assert.equal(await app.byTestId('score').filter({ hasText: 'baseline' }).count(), 40);
  await app.byTestId('tab-baselines').click();
  assert.match(await app.byTestId('baseline').innerText(), /40 selected traces/);
  // Stricter rules (p99.9) still flag the four: their charge is 5× the baseline's.
  await app.byTestId('rule-percentile').fill('99.9');
  await app.byTestId('rule-percentile').press('Enter');
  await page.waitForFunction(() => /^4 of 4/.test(document.querySelector('[data-testid="score-summary"]')?.innerText ?? ''));
  await app.byTestId('baseline-delete').click();
  await app.byTestId('no-baselines').waitFor();
  await app.byTestId('tab-traces').click();
  await app.waitForRows(44);
  assert.equal(await app.byTestId('score-heading').count(), 0);
  assert.deepEqual(app.problems, []);
  await page.close();
});
