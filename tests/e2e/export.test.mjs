// End-to-end: the loaded traces saved as one OTLP JSON or Jaeger JSON file, read back by the
// app and by the CLI with the same traces and spans.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { TracaggPage, useSite } from './tracagg_page.mjs';

const site = useSite({ before, after });
const FILES = [
  'tests/fixtures/jaeger/root-2992f2a5b5d037a8aabffd08ef384237.json',
  'tests/fixtures/zipkin/messaging-kafka.json',
  'tests/fixtures/genai/agent-runs.otlp.json',
];

async function openPage() {
  const page = await site.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const app = new TracaggPage(page);
  await app.open(site.url);
  return app;
}

/** Trace ID → span count, as `tracagg analyze --json` reads `files`. */
function cliFacts(files) {
  const doc = JSON.parse(execFileSync('target/debug/tracagg', ['analyze', '--json', ...files], { maxBuffer: 1 << 28 }));
  return Object.fromEntries(doc.traces.map((t) => [t.trace_id.replace(/^0+/, ''), [t.span_count, t.root_operation, t.duration_us]]));
}

for (const [format, pattern] of [['otlp', /\.otlp\.json$/], ['jaeger', /\.jaeger\.json$/]]) {
  test(`every loaded trace exported as ${format} reads back the same, in the app and the CLI`, async () => {
    const app = await openPage();
    await app.chooseFiles(FILES);
    await app.waitForRows(5);
    const [download] = await Promise.all([app.page.waitForEvent('download'), app.byTestId('export-all').selectOption(format)]);
    assert.match(download.suggestedFilename(), pattern);
    const saved = `tests/e2e/out/export-all.${format}.json`;
    fs.copyFileSync(await download.path(), saved);
    const text = fs.readFileSync(saved, 'utf8');
    assert.ok(format === 'otlp' ? text.startsWith('{"resourceSpans":') : text.startsWith('{"data":'), text.slice(0, 40));
    assert.deepEqual(cliFacts([saved]), cliFacts(FILES));
    // Dropped again on a fresh page: the same rows.
    const again = await openPage();
    await again.chooseFiles([saved]);
    await again.waitForRows(5);
    // OTLP IDs have 32 digits: a 16-digit trace ID comes back padded with zeros.
    const rows = async (page) => (await page.rows().allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').replace(/\b0{16}([0-9a-f]{16})\b/g, '$1')).sort();
    assert.deepEqual(await rows(again), await rows(app));
    assert.deepEqual([...app.problems, ...again.problems], []);
    await again.page.close();
    await app.page.close();
  });
}

test('a selection and a single trace export only those traces', async () => {
  const app = await openPage();
  await app.chooseFiles(FILES);
  await app.waitForRows(5);
  await app.rows().nth(0).getByTestId('row-select').check();
  await app.rows().nth(1).getByTestId('row-select').check();
  const [selection] = await Promise.all([app.page.waitForEvent('download'), app.byTestId('export-selection').selectOption('otlp')]);
  const doc = JSON.parse(fs.readFileSync(await selection.path(), 'utf8'));
  assert.equal(new Set(doc.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((sp) => sp.traceId)))).size, 2);
  await app.rows().filter({ hasText: 'POST /plan' }).first().click();
  await app.byTestId('trace-tabs').waitFor();
  const [one] = await Promise.all([app.page.waitForEvent('download'), app.byTestId('export-trace').selectOption('jaeger')]);
  const jaeger = JSON.parse(fs.readFileSync(await one.path(), 'utf8'));
  assert.equal(jaeger.data.length, 1);
  assert.equal(jaeger.data[0].spans.length, 13);
  // The same trace as a self-contained HTML report: it opens on its own, offline, and runs nothing.
  const [report] = await Promise.all([app.page.waitForEvent('download'), app.byTestId('export-trace').selectOption('report')]);
  assert.equal(report.suggestedFilename(), `trace-${jaeger.data[0].traceID}.report.html`);
  const html = fs.readFileSync(await report.path(), 'utf8');
  assert.ok(!/<script|<link|src=|@import/i.test(html), 'nothing runs or loads');
  const viewer = await site.browser.newPage();
  const outside = [];
  viewer.on('request', (r) => { if (!r.url().startsWith('data:') && !r.url().startsWith('about:')) outside.push(r.url()); });
  await viewer.setContent(html);
  assert.equal(await viewer.locator('h1').innerText(), 'travel-api: POST /plan');
  assert.match(await viewer.locator('.facts').innerText(), /Spans\s+13/);
  assert.equal(await viewer.locator('h2').allInnerTexts().then((h) => h.join(' | ')), 'Critical path | Statistics | Waterfall');
  assert.equal(await viewer.locator('svg.waterfall text').filter({ hasText: 'POST /plan' }).count() > 0, true);
  await viewer.screenshot({ path: 'tests/e2e/out/html-report.png', fullPage: true });
  assert.deepEqual(outside, []);
  await viewer.close();
  assert.deepEqual(app.problems, []);
  await app.page.close();
});
