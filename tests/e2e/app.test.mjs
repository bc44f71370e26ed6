// End-to-end: the built site, served under a sub-path, driven in headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { TracaggPage, useSite } from './tracagg_page.mjs';

const FIXTURES = 'tests/fixtures';
const site = useSite({ before, after });

async function freshPage() {
  const page = await site.browser.newPage({ viewport: { width: 1400, height: 900 } });
  const app = new TracaggPage(page);
  await app.open(site.url);
  return app;
}

// trace ID → [span-count label, error count, root service] for every fixture, as the CLI and
// the native tests count them.
const EXPECTED = {
  'jaeger/TraceGraph-testTrace.json': { 'trace-123': ['11 spans', '1', 'service1'] },
  'jaeger/model-json-fixture.json': { abc0: ['3 spans', '1', 'service_1'] },
  'jaeger/oltp2jaeger-multi-out.json': { c620759e5d60fafb8ee0922b30e06bc6: ['4 spans', '0', 'example-trace'] },
  'jaeger/root-2992f2a5b5d037a8aabffd08ef384237.json': { '2992f2a5b5d037a8aabffd08ef384237': ['2 spans', '0', 'issue115'] },
  'jaeger/upload-test-file-a.json': { 'upload-test-file-a': ['2 spans', '0', 'upload-demo-a'] },
  'jaeger/upload-test-file-b.json': { 'upload-test-file-b': ['1 span', '0', 'upload-demo-b'] },
  'jaeger/uimodel-ui_01.json': { '0000000000000001': ['5 spans', '1', 'service-x'] },
  'otlp/api-v3-getTrace-response.json': { '2ea75461946a7dd10f2c15ab36a076cb': ['40 spans', '3', 'frontend'] },
  'otlp/genai-agent-trace.json': { a1b2c3d4e5f60718a1b2c3d4e5f60718: ['8 spans', '0', 'incident-response-agent'] },
  // The same trace as oltp2jaeger-multi-out.json, in OTLP: it merges into that trace, and the
  // identical spans are not doubled.
  'otlp/otlp2jaeger-multi-in.json.txt': { c620759e5d60fafb8ee0922b30e06bc6: ['4 spans', '0', 'example-trace'] },
  'otlp/example_trace.json': { '00000000000000000000000000000011': ['5 spans', '0', 'example-service-2'] },
  'otlp/memory-otel_traces_01.json': {
    '00000000000000010000000000000000': ['2 spans', '2', 'service-x'],
    '00000000000000020000000000000000': ['2 spans', '2', 'service-x'],
  },
  'otlp/examples-trace.json': { '5b8efff798038103d269b633813fc60c': ['1 span', '0', 'my.service'] },
  'zipkin/malformed.json': { '6cf5624e3452d1bc202a57dad35921c0': ['7 spans', '0', 'unknown_service'] },
  'zipkin/messaging-kafka.json': { '0562809467078eab': ['28 spans', '3', 'servicea'] },
  'zipkin/messaging2.json': { '0d1a94ebc9256244': ['11 spans', '0', 'mobile-gateway'] },
  'zipkin/skew.json': { '1e223ff1f80f1c69': ['4 spans', '0', 'servicea'] },
  // 175 records in the file; five are fragments of one span, merged as Zipkin does.
  'zipkin/smartthings-oauth-authorization.json': { '8ce82b2e9ed820ba': ['171 spans', '2', 'datamgmt'] },
  'zipkin/yelp.json': { a03ee8fff1dcd9b9: ['16 spans', '0', 'routing'] },
};

test('the first screen offers a drop zone, Open files and Load demo', async () => {
  const app = await freshPage();
  await app.byTestId('drop-zone').waitFor();
  assert.match(await app.byTestId('drop-zone').innerText(), /Drop trace JSON here/);
  assert.equal(await app.byTestId('load-demo').innerText(), 'Load demo');
  assert.equal(await app.byTestId('file-input').getAttribute('multiple'), '');
  await app.screenshot('01-first-screen');
  assert.deepEqual(app.problems, []);
  await app.page.close();
});

test('every fixture loads through the file input with the right counts', async () => {
  const app = await freshPage();
  const files = Object.keys(EXPECTED).map((f) => path.join(FIXTURES, f));
  await app.chooseFiles(files);
  // 19 files, 20 traces, of which two are the same trace in Jaeger and OTLP form.
  await app.waitForRows(19);
  for (const [file, traces] of Object.entries(EXPECTED)) {
    for (const [traceId, facts] of Object.entries(traces)) {
      const got = await app.rowFacts(traceId);
      assert.deepEqual([got.spans, got.errors, got.service], facts, `${file} ${traceId}`);
    }
  }
  assert.deepEqual((await app.rowFacts('2ea75461946a7dd10f2c15ab36a076cb')).services,
    ['customer', 'driver', 'frontend', 'mysql', 'redis-manual', 'route']);
  const info = await app.infoNotices();
  assert.equal(info.length, 19);
  assert.ok(info.includes('smartthings-oauth-authorization.json: Zipkin v2 JSON, 171 spans, 1 new trace'), info.join('\n'));
  assert.ok(info.includes('otlp2jaeger-multi-in.json.txt: OTLP JSON, 4 spans, merged into 1 trace already loaded'), info.join('\n'));
  assert.match(await app.byTestId('trace-totals').innerText(), /^19 traces, \d+ spans$/);
  await app.screenshot('02-all-fixtures');
  assert.deepEqual(app.problems, []);
  await app.page.close();
});

test('spans of one trace spread across two files become one trace', async () => {
  const app = await freshPage();
  const whole = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'jaeger/TraceGraph-testTrace.json'), 'utf8'));
  const part = (spans) => Buffer.from(JSON.stringify({ ...whole, spans }));
  await app.chooseFiles([
    { name: 'part-1.json', mimeType: 'application/json', buffer: part(whole.spans.slice(0, 6)) },
    { name: 'part-2.json', mimeType: 'application/json', buffer: part(whole.spans.slice(6)) },
  ]);
  await app.waitForRows(1);
  await app.page.waitForFunction(() => document.querySelectorAll('[data-testid="notice-info"]').length === 2);
  const facts = await app.rowFacts('trace-123');
  assert.equal(facts.spans, '11 spans');
  assert.deepEqual(facts.services, ['service1', 'service2']);
  assert.equal(await app.row('trace-123').getByTestId('warnings').innerText(), '');
  assert.equal((await app.infoNotices())[1], 'part-2.json: Jaeger JSON, 5 spans, merged into 1 trace already loaded');
  await app.page.close();
});

test('bad files are explained and what was loaded stays', async () => {
  const app = await freshPage();
  await app.chooseFiles([path.join(FIXTURES, 'zipkin/skew.json')]);
  await app.waitForRows(1);
  await app.chooseFiles([
    { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{\n  "data": [\n    {"traceID": }\n]}') },
    { name: 'package.json', mimeType: 'application/json', buffer: Buffer.from('{"name":"x","version":"1.0.0"}') },
    { name: 'empty.json', mimeType: 'application/json', buffer: Buffer.from('') },
    {
      name: 'odd.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({
        traceID: 'odd', processes: { p1: { serviceName: 'svc' } }, spans: [
          { spanID: 'a', operationName: 'root', startTime: 100, duration: 50, processID: 'p1' },
          { spanID: 'b', operationName: '<img src=x onerror=alert(1)>', startTime: 110, duration: -5, processID: 'p1', references: [{ refType: 'CHILD_OF', spanID: 'missing' }] },
          { spanID: 'c', operationName: 'loop-1', startTime: 120, duration: 1, processID: 'p1', references: [{ refType: 'CHILD_OF', spanID: 'd' }] },
          { spanID: 'd', operationName: 'loop-2', startTime: 121, duration: 1, processID: 'p1', references: [{ refType: 'CHILD_OF', spanID: 'c' }] },
          { spanID: 'a', operationName: 'twin', startTime: 130, duration: 1, processID: 'p1' },
          { operationName: 'no id', startTime: 140, duration: 1, processID: 'p1' },
        ],
      })),
    },
  ]);
  await app.waitForRows(2);
  await app.page.waitForFunction(() => document.querySelectorAll('[data-testid="notice-error"]').length === 3);
  const errors = await app.errorNotices();
  assert.match(errors[0], /^broken\.json: not valid JSON at line 3, column 17/);
  assert.match(errors[1], /^package\.json: not a known trace format \(an object with keys "name", "version"\)\. Accepted: Jaeger JSON/);
  assert.match(errors[2], /^empty\.json: the file is empty/);
  // The earlier trace is still there.
  assert.equal((await app.rowFacts('1e223ff1f80f1c69')).spans, '4 spans');
  // Per-span problems are listed as warnings of the trace.
  const oddRow = app.row('odd');
  await oddRow.getByTestId('warning-count').click();
  const warnings = (await oddRow.getByTestId('warning').allInnerTexts()).join('\n');
  for (const expected of [/negative duration/, /names parent missing, which is not loaded/, /cycle/, /used by more than one span/, /has no span ID/]) {
    assert.match(warnings, expected);
  }
  // Untrusted names are text, never HTML.
  assert.equal(await app.page.locator('img').count(), 0);
  await app.screenshot('03-errors-and-warnings');
  assert.deepEqual(app.problems, []);
  await app.page.close();
});

test('files dropped anywhere on the page load', async () => {
  const app = await freshPage();
  const text = fs.readFileSync(path.join(FIXTURES, 'zipkin/yelp.json'), 'utf8');
  await app.dropFiles([{ name: 'yelp.json', text }]);
  await app.waitForRows(1);
  assert.equal((await app.rows().first().getByTestId('span-count').innerText()), '16 spans');
  await app.page.close();
});

test('Load demo shows a realistic trace set without any file', async () => {
  const app = await freshPage();
  await app.byTestId('load-demo').click();
  await app.waitForRows(12);
  const spanLabels = await app.page.getByTestId('span-count').allInnerTexts();
  const total = spanLabels.reduce((sum, t) => sum + Number(t.split(' ')[0]), 0);
  assert.ok(total >= 300 && total <= 600, `demo has ${total} spans`);
  const errors = (await app.page.getByTestId('error-count').allInnerTexts()).map(Number);
  assert.ok(errors.filter((e) => e > 0).length >= 3);
  await app.screenshot('04-demo');
  await app.byTestId('clear').click();
  await app.byTestId('drop-zone').waitFor();
  assert.deepEqual(app.problems, []);
  await app.page.close();
});
