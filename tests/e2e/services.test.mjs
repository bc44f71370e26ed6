// End-to-end: the services view (dependency graph, filter, edge traces, charts, tables, CSV
// and SVG exports) and the trace page's graph and statistics tabs, on the real fixtures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { TracaggPage, useSite } from './tracagg_page.mjs';

const HOTROD = 'tests/fixtures/otlp/api-v3-getTrace-response.json';
const HOTROD_ID = '2ea75461946a7dd10f2c15ab36a076cb';
const ALL_FIXTURES = ['jaeger', 'otlp', 'zipkin'].flatMap((dir) =>
  fs.readdirSync(path.join('tests/fixtures', dir)).map((f) => path.join('tests/fixtures', dir, f)));
const site = useSite({ before, after });

async function servicesWith(files, traces) {
  const page = await site.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const app = new TracaggPage(page);
  await app.open(site.url);
  await app.chooseFiles(files);
  await app.waitForRows(traces);
  await app.page.waitForFunction(() => !document.querySelector('[data-testid="pending"]'));
  await app.byTestId('tab-services').click();
  await app.byTestId('service-graph').waitFor();
  await app.waitForServices();
  return app;
}

/** Boxes of the graph's nodes and edge labels as the browser lays them out, and overlaps. */
async function graphOverlaps(page, testid) {
  return page.evaluate((id) => {
    const svg = document.querySelector(`[data-testid="${id}"]`);
    const boxes = [];
    for (const g of svg.querySelectorAll('[data-testid="graph-node"]')) {
      boxes.push({ what: `node ${g.dataset.key}`, r: g.querySelector('rect').getBoundingClientRect() });
    }
    for (const g of svg.querySelectorAll('[data-testid="graph-edge"]')) {
      boxes.push({ what: `label ${g.dataset.key}`, r: g.querySelector('rect').getBoundingClientRect() });
    }
    // Text must fit its box: the rendered text's width against the node's.
    const overflow = [];
    for (const g of svg.querySelectorAll('[data-testid="graph-node"]')) {
      const box = g.querySelector('rect').getBoundingClientRect();
      for (const t of g.querySelectorAll('text')) {
        if (t.getBoundingClientRect().width > box.width + 0.5) overflow.push(`${g.dataset.key}: ${t.textContent}`);
      }
    }
    const overlaps = [];
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i].r; const b = boxes[j].r;
        const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (x > 0.5 && y > 0.5) overlaps.push(`${boxes[i].what} / ${boxes[j].what}`);
      }
    }
    return { count: boxes.length, overlaps, overflow };
  }, testid);
}

async function download(page, click) {
  const [file] = await Promise.all([page.waitForEvent('download'), click()]);
  return { name: file.suggestedFilename(), text: fs.readFileSync(await file.path(), 'utf8') };
}

test('the dependency graph of every fixture shows services, calls and counts, readably', async () => {
  const app = await servicesWith(ALL_FIXTURES, 19);
  const nodes = await app.byTestId('graph-node').evaluateAll((els) => els.map((e) => e.dataset.key));
  for (const service of ['frontend', 'driver', 'redis-manual', 'mysql', 'customer', 'route']) {
    assert.ok(nodes.includes(service), `node ${service}`);
  }
  const edge = app.page.locator('[data-testid="graph-edge"][data-key="driver → redis-manual"]');
  assert.equal(await edge.getByTestId('edge-label').textContent(), '14 calls · 3 err');
  const { count, overlaps, overflow } = await graphOverlaps(app.page, 'service-graph');
  assert.ok(count > 40, `${count} boxes`);
  assert.deepEqual(overlaps, []);
  assert.deepEqual(overflow, []);
  await app.screenshot('services-all-fixtures');
  assert.deepEqual(app.problems, []);
  await app.page.close();
});

test('clicking a service filters the graph highlight, charts, tables and trace list', async () => {
  const app = await servicesWith(ALL_FIXTURES, 19);
  const allPoints = Number(await app.byTestId('scatter-canvas').getAttribute('data-points'));
  assert.equal(allPoints, 19);
  await app.page.locator('[data-testid="graph-node"][data-key="redis-manual"]').click();
  await app.byTestId('service-filter').waitFor();
  await app.waitForServices();
  assert.match(app.page.url(), /view=services&service=redis-manual/);
  assert.equal(await app.byTestId('scatter-canvas').getAttribute('data-points'), '1');
  const operations = app.byTestId('table-operations');
  const services = await operations.getByTestId('stats-row').evaluateAll(
    (rows) => rows.map((r) => r.cells[0].textContent));
  assert.ok(services.length > 0);
  assert.deepEqual([...new Set(services)], ['redis-manual']);
  await app.screenshot('services-filtered');
  // The trace list keeps the filter.
  await app.byTestId('tab-traces').click();
  await app.waitForRows(1);
  assert.match(await app.byTestId('trace-totals').innerText(), /1 trace, 40 spans \(of 19, with service redis-manual\)/);
  await app.byTestId('clear-service-filter').click();
  await app.waitForRows(19);
  assert.deepEqual(app.problems, []);
  await app.page.close();
});

test('clicking an edge lists the traces with that call; a trace opens from there', async () => {
  const app = await servicesWith(ALL_FIXTURES, 19);
  await app.page.locator('[data-testid="graph-edge"][data-key="driver → redis-manual"] text').click();
  const list = app.byTestId('edge-traces');
  await list.waitFor();
  assert.equal(await list.locator('h3').innerText(), 'driver → redis-manual: 1 trace');
  const item = list.getByTestId('edge-trace');
  assert.match(await item.innerText(), /2ea75461946a7dd10f2c15ab36a076cb[\s\S]*14 calls[\s\S]*3 failed/);
  await item.locator('a').click();
  await app.spanRows().first().waitFor();
  assert.match(app.page.url(), new RegExp(`trace=${HOTROD_ID}`));
  assert.deepEqual(app.problems, []);
  await app.page.close();
});

test('tables sort by a heading and export CSV; the graph exports SVG', async () => {
  const app = await servicesWith([HOTROD], 1);
  const table = app.byTestId('table-services');
  await table.getByTestId('sort-heading').filter({ hasText: /^Spans/ }).click();
  const spans = await table.getByTestId('stats-row').evaluateAll((rows) => rows.map((r) => Number(r.cells[1].textContent)));
  assert.deepEqual(spans, [...spans].sort((a, b) => b - a));
  assert.equal(spans.length, 6);
  const csv = await download(app.page, () => table.getByTestId('export-csv').click());
  assert.equal(csv.name, 'Services.csv');
  const lines = csv.text.trim().split('\r\n');
  assert.equal(lines[0], 'service,spans,errors,error_rate_percent,avg_duration_ms,total_duration_ms,operations');
  assert.equal(lines.length, 7);
  assert.ok(lines.some((l) => l.startsWith('redis-manual,14,3,21.43,')), lines.join('\n'));
  // Sorted as on screen: most spans first.
  assert.equal(Number(lines[1].split(',')[1]), Math.max(...spans));

  const svg = await download(app.page, () => app.byTestId('service-graph-export').click());
  assert.equal(svg.name, 'service-dependencies.svg');
  assert.match(svg.text, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg.text, /viewBox="0 0 [\d.]+ [\d.]+"/);
  assert.ok(svg.text.includes('>redis-manual</text>'), svg.text.slice(0, 3000));
  assert.ok(!svg.text.includes('<!--'));
  assert.ok(svg.text.includes('14 calls · 3 err'));

  // Other tables: operations have percentiles; slowest names the HotROD root first.
  const slowest = app.byTestId('table-slowest').getByTestId('stats-row').first();
  assert.match(await slowest.innerText(), /frontend\s+GET \/dispatch/);
  // Clicking a slowest-operation row opens its slowest span.
  await slowest.click();
  await app.byTestId('span-detail').waitFor();
  assert.equal(await app.byTestId('detail-operation').innerText(), 'GET /dispatch');
  assert.deepEqual(app.problems, []);
  await app.page.close();
});

test('the scatter opens the clicked trace; the histogram shows the chosen operation', async () => {
  const app = await servicesWith(ALL_FIXTURES, 19);
  const histogram = app.byTestId('histogram');
  const options = await histogram.locator('option').allTextContents();
  const redis = options.findIndex((o) => o === 'redis-manual: GetDriver');
  assert.ok(redis >= 0, options.join(', '));
  await histogram.getByTestId('histogram-operation').selectOption(String(redis));
  assert.match(await app.byTestId('histogram-summary').innerText(), /^13 spans · p50 [\d.]+ ms · p95 [\d.]+ ms · p99 [\d.]+ ms$/);
  await app.screenshot('services-charts');

  const canvas = app.byTestId('scatter-canvas');
  const [x, y] = (await canvas.getAttribute('data-hits')).split(';')[0].split(',').map(Number);
  await canvas.click({ position: { x, y } });
  await app.byTestId('trace-page').waitFor();
  assert.match(app.page.url(), /#trace=/);
  assert.deepEqual(app.problems, []);
  await app.page.close();
});

test('the trace page shows the operation graph and Jaeger-style statistics', async () => {
  const page = await site.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const app = new TracaggPage(page);
  await app.open(site.url);
  await app.chooseFiles([HOTROD]);
  await app.waitForRows(1);
  await app.openTrace(HOTROD_ID);

  await app.byTestId('tab-graph').click();
  await app.byTestId('operation-graph').waitFor();
  const keys = await app.byTestId('graph-node').evaluateAll((els) => els.map((e) => e.dataset.key));
  assert.ok(keys.includes('frontend: GET /dispatch'));
  assert.ok(keys.includes('mysql: SQL SELECT'), keys.join(', '));
  const { overlaps, overflow } = await graphOverlaps(app.page, 'operation-graph');
  assert.deepEqual(overlaps, []);
  assert.deepEqual(overflow, []);
  await app.screenshot('trace-operation-graph');
  // Clicking an operation lists its spans in the timeline.
  await app.page.locator('[data-testid="graph-node"][data-key="mysql: SQL SELECT"]').click();
  await app.expectMatchCount('1 match');
  assert.equal(await app.rowCount(), 1);

  await app.byTestId('tab-statistics').click();
  const stats = app.byTestId('table-trace-stats');
  await stats.waitFor();
  await app.byTestId('group-by').selectOption('Service');
  await app.page.waitForFunction(() => document.querySelectorAll('[data-testid="table-trace-stats"] [data-testid="stats-row"]').length === 6);
  const first = await stats.getByTestId('stats-row').first().evaluate((r) => [...r.cells].map((c) => c.textContent));
  assert.equal(first.length, 11);
  const csv = await download(app.page, () => stats.getByTestId('export-csv').click());
  assert.match(csv.text, /^service,count,total_ms,avg_ms,/);
  // Grouping by an attribute's values.
  const groups = await app.byTestId('group-by').locator('option').allTextContents();
  assert.ok(groups.includes('attribute db.statement') || groups.some((g) => g.startsWith('attribute ')));
  await app.screenshot('trace-statistics');
  assert.deepEqual(app.problems, []);
  await app.page.close();
});
