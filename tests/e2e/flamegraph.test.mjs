// End-to-end: the trace page's flamegraph tab (merged frames, zoom, critical path, all traces of
// a root operation, search highlight, folded export) and its cost on a 100,000-span trace.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { TracaggPage, useSite, assertTasksWithinBudget } from './tracagg_page.mjs';

const HOTROD = 'tests/fixtures/otlp/api-v3-getTrace-response.json';
const HOTROD_ID = '2ea75461946a7dd10f2c15ab36a076cb';
const site = useSite({ before, after });

async function openTrace(files, traceId) {
  const page = await site.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.addInitScript(() => {
    window.longTasks = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.longTasks.push({ start: e.startTime, duration: e.duration }); })
      .observe({ type: 'longtask', buffered: true });
  });
  const app = new TracaggPage(page);
  await app.open(site.url);
  await app.chooseFiles(files);
  await app.waitForRows(1);
  await app.openTrace(traceId ?? await app.rows().first().getAttribute('data-trace-id'));
  return app;
}

/** A frame's width in % of the view (the canvas draws it; its listed element says where). */
const widthOf = (frame) => frame.evaluate((el) => Math.round(parseFloat(el.dataset.width) * 100) / 100);

/** Hovers a frame where the canvas draws it, checks the tooltip names it, and clicks it. */
async function clickOnCanvas(app, frame) {
  const [x, width, depth, key] = await frame.evaluate((el) => [parseFloat(el.dataset.x), parseFloat(el.dataset.width), Number(el.dataset.depth), el.dataset.key]);
  const box = await app.byTestId('flame-canvas').boundingBox();
  const at = { x: box.x + ((x + width / 2) / 100) * box.width, y: box.y + depth * 20 + 10 };
  await app.page.mouse.move(at.x, at.y);
  await app.byTestId('flame-tooltip').waitFor();
  assert.ok((await app.byTestId('flame-tooltip').innerText()).startsWith(key), await app.byTestId('flame-tooltip').innerText());
  await app.page.mouse.click(at.x, at.y);
}

test('the flamegraph merges frames, zooms, shows the critical path and exports folded stacks', async () => {
  const app = await openTrace([HOTROD], HOTROD_ID);
  await app.byTestId('tab-flamegraph').click();
  await app.byTestId('flamegraph').waitFor();
  const root = app.page.locator('[data-testid="flame-frame"][data-key="frontend: GET /dispatch"]');
  assert.equal(await widthOf(root), 100);
  // 14 redis calls of one operation are one frame.
  const redis = app.page.locator('[data-testid="flame-frame"][data-key="redis-manual: GetDriver"]');
  assert.equal(await redis.count(), 1);
  assert.match(await redis.getAttribute("title"), /^redis-manual: GetDriver\n1[0-9]× · total/);
  await clickOnCanvas(app, redis);
  await app.page.waitForFunction(() => document.querySelector('[data-testid="flame-frame"][data-key="redis-manual: GetDriver"]')?.dataset.width === '100.0000');
  assert.equal(await widthOf(redis), 100);
  await app.screenshot('flamegraph-zoomed', { fullPage: false });
  await app.byTestId('flame-reset').click();
  assert.notEqual(await widthOf(redis), 100);
  // Search highlights.
  await app.byTestId('flame-search').fill('mysql');
  await app.page.waitForFunction(() => document.querySelectorAll('.flame-frame.match').length === 1);
  await app.byTestId('flame-search').fill('');
  // The critical-path variant: only what the trace waited for. The ten parallel route calls
  // sum to 520 ms of duration, but the trace waited 205 ms for them.
  const route = app.page.locator('[data-testid="flame-frame"][data-key="route: GET /route"]');
  assert.match(await route.getAttribute('title'), /total 520 ms/);
  await app.byTestId('flame-critical').check();
  await app.page.waitForFunction(() => /total 205 ms/.test(document.querySelector('[data-testid="flame-frame"][data-key="route: GET /route"]')?.title ?? ''));
  assert.match(await app.byTestId('flame-summary').innerText(), /from 1 trace · 703 ms in all/);
  const [download] = await Promise.all([app.page.waitForEvent('download'), app.byTestId('flame-export').click()]);
  const folded = fs.readFileSync(await download.path(), 'utf8');
  assert.match(download.suggestedFilename(), /critical-path\.folded$/);
  assert.ok(folded.split('\n').some((l) => /^frontend: GET \/dispatch;.* \d+$/.test(l)), folded);
  const [svgFile] = await Promise.all([app.page.waitForEvent('download'), app.byTestId('flame-export-svg').click()]);
  const svg = fs.readFileSync(await svgFile.path(), 'utf8');
  assert.match(svgFile.suggestedFilename(), /critical-path\.svg$/);
  assert.ok(svg.startsWith('<svg') && svg.includes('frontend: GET /dispatch') && (svg.match(/<rect/g) ?? []).length >= 9, svg.slice(0, 300));
  await app.screenshot('flamegraph-critical', { fullPage: false });
  assert.deepEqual(app.problems, []);
  await app.page.close();
});

test('ticked traces in the list have one summed flamegraph, with its critical-path variant', async () => {
  const page = await site.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const app = new TracaggPage(page);
  await app.open(site.url);
  // Three traces: the HotROD dispatch and two Zipkin traces.
  await app.chooseFiles([HOTROD, 'tests/fixtures/zipkin/skew.json', 'tests/fixtures/zipkin/messaging2.json']);
  await app.waitForRows(3);
  await app.row(HOTROD_ID).getByTestId('row-select').check();
  // Ticking a row selects it and does not open the trace.
  assert.equal(await app.byTestId('trace-table').count(), 1);
  assert.equal(await app.byTestId('selection-count').innerText(), '1 trace selected');
  await app.rows().nth(1).getByTestId('row-select').check();
  assert.equal(await app.byTestId('selection-count').innerText(), '2 traces selected');
  await app.byTestId('selection-flamegraph').click();
  await app.page.waitForFunction(() => /from 2 traces/.test(document.querySelector('[data-testid="flame-summary"]')?.innerText ?? ''));
  // Both roots are frames of the summed graph.
  assert.equal(await app.page.locator('[data-testid="flame-frame"][data-key="frontend: GET /dispatch"]').count(), 1);
  await app.byTestId('flame-critical').check();
  await app.page.waitForFunction(() => /total 205 ms/.test(document.querySelector('[data-testid="flame-frame"][data-key="route: GET /route"]')?.title ?? ''));
  await app.screenshot('selection-flamegraph', { fullPage: false });
  // "Select all shown" ticks every row the filter shows; clearing empties the selection.
  await app.byTestId('select-shown').check();
  assert.equal(await app.byTestId('selection-count').innerText(), '3 traces selected');
  await app.page.waitForFunction(() => /from 3 traces/.test(document.querySelector('[data-testid="flame-summary"]')?.innerText ?? ''));
  await app.byTestId('selection-clear').click();
  await app.byTestId('selection-bar').waitFor({ state: 'detached' });
  assert.equal(await app.page.locator('[data-testid="row-select"]:checked').count(), 0);
  assert.deepEqual(app.problems, []);
  await page.close();
});

test('a 100,000-span trace\'s flamegraph opens without a main-thread task over 100 ms', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracagg-flame-'));
  const file = path.join(dir, 'big.json');
  fs.writeFileSync(file, execFileSync('target/debug/tracagg', ['gen', '--spans', '100000', '--format', 'jaeger'], { maxBuffer: 1 << 30 }));
  await assertTasksWithinBudget(async () => {
    const app = await openTrace([file]);
    await app.page.waitForTimeout(500);
    const before = await app.page.evaluate(() => performance.now());
    await app.byTestId('tab-flamegraph').click();
    await app.page.waitForFunction(() => Number(document.querySelector('[data-testid="flamegraph"]')?.dataset.drawn ?? 0) > 10);
    await app.page.waitForTimeout(300);
    const longest = await app.page.evaluate((t) => Math.max(0, ...window.longTasks.filter((e) => e.start >= t).map((e) => e.duration)), before);
    console.log(`longest task, 100,000-span flamegraph: ${longest.toFixed(0)} ms`);
    assert.deepEqual(app.problems, []);
    await app.page.close();
    return { 'open the flamegraph tab': longest };
  });
  fs.rmSync(dir, { recursive: true, force: true });
});
