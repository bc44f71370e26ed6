// End-to-end: the Quality view (the instrumentation check) over the fixture the OpenTelemetry
// Python SDK wrote with each problem on purpose, its example links, and the switch that masks
// sensitive values everywhere (span detail, statistics and their CSV), kept across reloads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { TracaggPage, useSite } from './tracagg_page.mjs';

const FIXTURE = 'tests/fixtures/quality/shop-badly-instrumented.otlp.json';
const JWT_START = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9';
const site = useSite({ before, after });

async function loaded() {
  const page = await site.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const app = new TracaggPage(page);
  await app.open(site.url);
  await app.chooseFiles([FIXTURE]);
  await app.waitForRows(8);
  return app;
}

const finding = (app, kind) => app.page.locator(`[data-testid="finding"][data-kind="${kind}"]`);

test('the Quality view lists each problem with its count, and an example opens its span', async () => {
  const app = await loaded();
  await app.byTestId('tab-quality').click();
  await app.byTestId('quality-summary').waitFor();
  assert.match(app.page.url(), /#view=quality$/);
  assert.equal(await app.byTestId('quality-summary').innerText(),
    '8 traces, 24 spans checked: 4 errors, 7 warnings, 5 notes');
  for (const kind of ['lost_context', 'sensitive_data', 'missing_service_name', 'orphan_span',
    'bad_duration', 'generic_name', 'high_cardinality_name', 'error_without_message',
    'exception_without_error', 'clock_skew', 'missing_resource_attribute', 'deprecated_attribute']) {
    assert.ok(await finding(app, kind).count() > 0, `no ${kind} finding`);
  }
  const lost = finding(app, 'lost_context');
  assert.equal(await lost.getByTestId('finding-count').innerText(), '3');
  assert.match(await lost.getByTestId('finding-message').innerText(),
    /^3 client spans of frontend call inventory, which is instrumented/);
  assert.match(await finding(app, 'high_cardinality_name').innerText(), /Suggested: GET \/users\/\{id\}/);
  // The report never shows the secrets it found.
  const text = await app.byTestId('quality-view').innerText();
  assert.ok(!text.includes('Sup3rS3cret') && !text.includes(JWT_START), text);
  assert.match(text, /Password=Sup••••••/);
  await app.screenshot('quality-view');
  // An example opens the trace with that span selected.
  await lost.getByTestId('finding-example').first().click();
  await app.spanRows().first().waitFor();
  const detail = await app.detail();
  assert.equal(detail.operation, 'GET /stock');
  assert.equal(detail.attributes['peer.service'], 'inventory');
  // Back returns to the report.
  await app.page.goBack();
  await app.byTestId('quality-summary').waitFor();
  assert.deepEqual(app.problems, []);
});

test('the mask switch hides secrets in the span detail and in statistics CSV, and is kept', async () => {
  const app = await loaded();
  const userRow = app.page.locator('[data-testid="trace-row"]', { hasText: 'GET /users/123' });
  const traceId = await userRow.getAttribute('data-trace-id');
  await app.openTrace(traceId);
  await app.spanRows().first().click();
  let detail = await app.detail();
  assert.ok(detail.attributes['http.request.header.authorization'].includes(`Bearer ${JWT_START}`),
    'unmasked by default');
  // Turn masking on in the Quality view.
  await app.page.goto(`${site.url}#view=quality`);
  await app.byTestId('mask-secrets').check();
  await app.page.reload();
  await app.byTestId('open-files').waitFor();
  // The file comes back by itself (kept in this browser).
  await app.byTestId('restored').waitFor();
  await app.byTestId('tab-traces').click();
  await app.waitForRows(8);
  await app.openTrace(traceId);
  await app.spanRows().first().click();
  detail = await app.detail();
  const auth = detail.attributes['http.request.header.authorization'];
  assert.ok(!auth.includes(JWT_START), auth);
  assert.match(auth, /••••••/);
  const all = await app.byTestId('span-detail').innerText();
  assert.ok(!all.includes(JWT_START), all);
  await app.screenshot('span-detail-masked', { fullPage: false });
  // Statistics grouped by the secret-named key: values masked on screen and in the CSV.
  await app.byTestId('tab-statistics').click();
  await app.page.getByTestId('group-by').selectOption('http.request.header.authorization');
  const table = app.byTestId('table-trace-stats');
  await app.page.waitForFunction(() => /••••••/.test(document.querySelector('[data-testid="table-trace-stats"]')?.innerText ?? ''));
  assert.ok(!(await table.innerText()).includes(JWT_START));
  const [download] = await Promise.all([app.page.waitForEvent('download'), table.getByTestId('export-csv').click()]);
  const csv = fs.readFileSync(await download.path(), 'utf8');
  assert.ok(!csv.includes(JWT_START) && csv.includes('••••••'), csv);
  // Off again: the value is back.
  await app.page.goto(`${site.url}#view=quality`);
  await app.byTestId('mask-secrets').uncheck();
  assert.equal(await app.page.evaluate(() => localStorage.getItem('tracagg.mask-secrets')), '0');
  assert.deepEqual(app.problems, []);
});
