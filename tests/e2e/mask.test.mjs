// End-to-end: the mask switch masks the traces themselves, so no view, tooltip, suggestion list,
// search or export shows a secret placed in a span name, a service name, an attribute value, a
// log line or an LLM message (issue 25 §1). The crafted files are made here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TracaggPage, useSite } from './tracagg_page.mjs';

const site = useSite({ before, after });

// Each secret is a distinct token the masking recognises (AWS access key IDs: `AKIA` + 16).
const IN_NAME = 'AKIANAMEINSPAN000001';
const IN_SERVICE = 'AKIASERVICENAME00002';
const IN_VALUE = 'AKIAATTRIBUTEVALUE03';
const IN_LOG = 'AKIALOGLINESECRET004';
const IN_LLM = 'AKIALLMMESSAGESECR05';
const SECRETS = [IN_NAME, IN_SERVICE, IN_VALUE, IN_LOG, IN_LLM];
const TRACE = '5b8efff798038103d269b633813fc60c';

function files() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracagg-mask-'));
  const attr = (key, value) => ({ key, value: { stringValue: value } });
  const span = (spanId, parentSpanId, name, start, end, attributes = []) => ({
    traceId: TRACE, spanId, parentSpanId, name, kind: 2,
    startTimeUnixNano: String(start), endTimeUnixNano: String(end), attributes,
  });
  const t0 = 1_700_000_000_000_000_000n;
  const doc = {
    resourceSpans: [
      { resource: { attributes: [attr('service.name', 'checkout')] },
        scopeSpans: [{ spans: [
          span('a000000000000001', undefined, `GET /pay?key=${IN_NAME}`, t0, t0 + 90_000_000n,
            [attr('http.route', '/pay'), attr('cloud.key', IN_VALUE)]),
          span('a000000000000002', 'a000000000000001', 'chat gpt-4o', t0 + 10_000_000n, t0 + 60_000_000n, [
            attr('gen_ai.operation.name', 'chat'), attr('gen_ai.request.model', 'gpt-4o'),
            attr('gen_ai.input.messages', JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `use ${IN_LLM} please` }] }])),
            attr('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'done' }] }])),
          ]),
        ] }] },
      { resource: { attributes: [attr('service.name', `payments-${IN_SERVICE}`)] },
        scopeSpans: [{ spans: [
          span('a000000000000003', 'a000000000000001', 'charge', t0 + 62_000_000n, t0 + 85_000_000n),
        ] }] },
    ],
  };
  const traces = path.join(dir, 'secret-traces.otlp.json');
  fs.writeFileSync(traces, JSON.stringify(doc, (_, v) => (typeof v === 'bigint' ? String(v) : v)));
  const logs = path.join(dir, 'secret-logs.jsonl');
  fs.writeFileSync(logs, [
    { timestamp: '2023-11-14T22:13:20.020Z', level: 'info', message: `charging with ${IN_LOG}`, trace_id: TRACE, span_id: 'a000000000000001' },
    { timestamp: '2023-11-14T22:13:20.030Z', level: 'info', message: 'charged', trace_id: TRACE, span_id: 'a000000000000003' },
  ].map((r) => JSON.stringify(r)).join('\n') + '\n');
  return [traces, logs];
}

/** Fails when any secret is in the page's HTML (text, titles, datalists, SVG) or in `text`. */
async function assertNoSecret(app, where, text = null) {
  const html = text ?? await app.page.evaluate(() => document.documentElement.outerHTML);
  for (const secret of SECRETS) {
    assert.ok(!html.includes(secret), `${where} shows ${secret}`);
  }
}

async function download(app, click) {
  const [file] = await Promise.all([app.page.waitForEvent('download'), click()]);
  return fs.readFileSync(await file.path(), 'utf8');
}

test('with the mask switch on, no view, search or export shows a secret from a name, value, log line or LLM message', async () => {
  const page = await site.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const app = new TracaggPage(page);
  await app.open(site.url);
  await app.chooseFiles(files());
  await app.waitForRows(1);
  await page.waitForFunction(() => !document.querySelector('[data-testid="pending"]'));
  // Unmasked, the secrets are there (so the checks below can fail).
  await app.openTrace(TRACE);
  await app.search(IN_NAME);
  await app.expectMatchCount('1 match');
  // The switch, turned on in the Quality view; the check itself still finds the secrets.
  await app.page.goto(`${site.url}#view=quality`);
  await app.byTestId('quality-summary').waitFor();
  assert.ok(await page.locator('[data-testid="finding"][data-kind="sensitive_data"]').count() > 0);
  await app.byTestId('mask-secrets').check();
  await assertNoSecret(app, 'the Quality view');
  // The trace list, its filter bar's suggestions and its exports.
  await app.byTestId('tab-traces').click();
  await app.waitForRows(1);
  await assertNoSecret(app, 'the trace list');
  for (const format of ['otlp', 'jaeger']) {
    const text = await download(app, () => app.byTestId('export-all').selectOption(format));
    assert.ok(text.includes(TRACE) && text.includes('••••••'), text.slice(0, 200));
    await assertNoSecret(app, `the ${format} export`, text);
  }
  // The trace page: timeline and its tooltips, the span detail, search, each tab and export.
  await app.openTrace(TRACE);
  await app.spanRows().first().click();
  await app.detail();
  await assertNoSecret(app, 'the timeline and span detail');
  for (const secret of SECRETS) {
    await app.search(secret);
    await app.expectMatchCount('0 matches');
  }
  await app.search('');
  await assertNoSecret(app, 'the HTML report', await download(app, () => app.byTestId('export-trace').selectOption('report')));
  await app.byTestId('tab-graph').click();
  await app.byTestId('operation-graph').waitFor();
  await assertNoSecret(app, 'the Graph tab');
  await assertNoSecret(app, 'the graph SVG', await download(app, () => app.byTestId('operation-graph-export').click()));
  await app.byTestId('tab-statistics').click();
  await app.byTestId('table-trace-stats').waitFor();
  await assertNoSecret(app, 'the Statistics tab');
  await app.byTestId('tab-flamegraph').click();
  await app.byTestId('flame-export').waitFor();
  await assertNoSecret(app, 'the folded stacks', await download(app, () => app.byTestId('flame-export').click()));
  await assertNoSecret(app, 'the flamegraph SVG', await download(app, () => app.byTestId('flame-export-svg').click()));
  await app.byTestId('tab-logs').click();
  await app.byTestId('trace-logs').waitFor();
  assert.equal(await app.byTestId('log-row').count(), 2);
  await assertNoSecret(app, 'the Logs tab');
  await app.byTestId('logs-search').fill(IN_LOG);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="log-row"]').length === 0);
  await app.byTestId('tab-agent').click();
  await page.waitForTimeout(300);
  await assertNoSecret(app, 'the Agent tab');
  await app.screenshot('mask-trace-agent', { fullPage: false });
  // The services view: tables, graph, the "Latency of" list.
  await app.page.goto(`${site.url}#view=services`);
  await app.waitForServices();
  await page.waitForFunction(() => document.querySelector('[data-testid="services-view"]')?.getAttribute('aria-busy') === 'false');
  await assertNoSecret(app, 'the services view');
  await app.screenshot('mask-services', { fullPage: false });
  // Off again: the traces read as loaded.
  await app.page.goto(`${site.url}#view=quality`);
  await app.byTestId('mask-secrets').uncheck();
  await app.byTestId('tab-traces').click();
  await app.openTrace(TRACE);
  await app.search(IN_NAME);
  await app.expectMatchCount('1 match');
  assert.deepEqual(app.problems, []);
});
