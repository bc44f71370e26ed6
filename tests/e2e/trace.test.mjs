// End-to-end: the trace page (timeline, critical path, detail, search, collapse, minimap,
// keyboard, URL state) on real fixtures and on a generated 100,000-span trace.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { TracaggPage, useSite } from './tracagg_page.mjs';
import { distinctOperations, jsonFile } from './hostile_files.mjs';

// Jaeger's HotROD demo, as returned by Jaeger's /api/v3/traces/{id} (OTLP JSON).
const HOTROD = 'tests/fixtures/otlp/api-v3-getTrace-response.json';
const HOTROD_ID = '2ea75461946a7dd10f2c15ab36a076cb';
const MYSQL_SPAN = '9580b82434d5a1b8';
const site = useSite({ before, after });

async function hotrod() {
  const page = await site.browser.newPage({ viewport: { width: 1400, height: 900 } });
  const app = new TracaggPage(page);
  await app.open(site.url);
  await app.chooseFiles([HOTROD]);
  await app.waitForRows(1);
  await app.openTrace(HOTROD_ID);
  return app;
}

test('clicking a trace opens its waterfall with header, critical path and self time', async () => {
  const app = await hotrod();
  const header = app.byTestId('trace-header');
  assert.equal(await header.getByTestId('header-service').innerText(), 'frontend');
  assert.equal(await header.getByTestId('header-operation').innerText(), 'GET /dispatch');
  assert.equal(await header.getByTestId('header-spans').innerText(), '40');
  assert.equal(await header.getByTestId('header-services').innerText(), '6');
  assert.equal(await header.getByTestId('header-depth').innerText(), '4');
  assert.equal(await header.getByTestId('header-errors').innerText(), '3');
  assert.equal(await header.getByTestId('header-duration').innerText(), '703 ms');
  assert.equal(await app.rowCount(), 40);
  // The MySQL query is the whole of its parent's wait: fully on the critical path.
  const mysql = app.spanRow(MYSQL_SPAN);
  assert.equal(await mysql.getByTestId('row-service').innerText(), 'mysql');
  assert.equal(await mysql.getByTestId('critical-mark').count(), 1);
  // A redis GetDriver that ran while another was still in flight is not on the path...
  const rows = await app.spanRows().evaluateAll((els) => els.map((el) => ({
    id: el.dataset.spanId,
    op: el.querySelector('[data-testid=row-operation]').textContent,
    critical: el.querySelectorAll('[data-testid=critical-mark]').length,
    error: el.querySelectorAll('[data-testid=error-icon]').length,
    depth: Number(el.dataset.depth),
  })));
  assert.ok(rows.length >= 30, 'rows in view');
  assert.equal(rows[0].depth, 0);
  assert.ok(rows.filter((r) => r.critical > 0).length >= 10, 'critical marks on many rows');
  assert.ok(rows.some((r) => r.critical === 0), 'some rows off the path');
  assert.ok(rows.filter((r) => r.error > 0).length >= 3, 'error icons');
  await app.screenshot('trace-hotrod');
  assert.deepEqual(app.problems, []);
  await app.page.close();
});

test('span detail shows times, attributes, resource, events; Esc closes it', async () => {
  const app = await hotrod();
  await app.spanRow(MYSQL_SPAN).click();
  const detail = await app.detail();
  assert.equal(detail.operation, 'SQL SELECT');
  assert.equal(detail.service, 'mysql');
  assert.equal(detail.spanId, MYSQL_SPAN);
  assert.equal(detail.duration, '257 ms');
  assert.equal(detail.self, '257 ms');
  assert.match(detail.critical, /^257 ms \(36\.\d% of the path\)$/);
  assert.match(detail.start, /^9\.66 ms after trace start · 2026-06-21 10:10:44\.640 UTC$/);
  assert.equal(detail.attributes['sql.query'], 'SELECT * FROM customer WHERE customer_id=123');
  assert.equal(detail.resource['host.name'], '2fd43f7d79c6');
  assert.ok(detail.events.length >= 1);
  assert.match(detail.events[0], /^\+19\.5 µs Acquired lock/);
  assert.match(app.page.url(), new RegExp(`#trace=${HOTROD_ID}&span=${MYSQL_SPAN}$`));
  // The parent link selects the parent span.
  await app.byTestId('detail-parent').click();
  await app.page.waitForFunction(() => document.querySelector('[data-testid=detail-operation]')?.textContent === 'GET /customer');
  await app.spanRow(MYSQL_SPAN).click();
  await app.screenshot('trace-detail');
  await app.page.keyboard.press('Escape');
  await app.byTestId('span-detail').waitFor({ state: 'detached' });
  await app.page.close();
});

test('search counts matches, steps through them, filters rows; quick filters and error paths', async () => {
  const app = await hotrod();
  await app.search('redis');
  await app.expectMatchCount('15 matches');
  await app.byTestId('next-match').click();
  assert.equal(await app.matchCount(), '1 of 15');
  await app.byTestId('span-search').press('Enter');
  assert.equal(await app.matchCount(), '2 of 15');
  await app.byTestId('span-search').press('Shift+Enter');
  assert.equal(await app.matchCount(), '1 of 15');
  assert.match(app.page.url(), /&q=redis$/);
  assert.ok((await app.page.locator('.span-row.match').count()) >= 10, 'matches highlighted');
  await app.byTestId('matches-only').check();
  await app.waitForRowCount(15);
  // key=value and span ID.
  await app.byTestId('close-detail').click();
  await app.search('sql.query="SELECT * FROM customer WHERE customer_id=123"');
  await app.expectMatchCount('1 match');
  await app.search(MYSQL_SPAN);
  await app.expectMatchCount('1 match');
  await app.search('');
  await app.byTestId('matches-only').uncheck();
  await app.byTestId('filter-errors').check();
  await app.expectMatchCount('3 matches');
  await app.byTestId('filter-errors').uncheck();
  // GET /dispatch, the customer call (3 spans) and the driver call (2 spans) take ≥ 100 ms.
  await app.byTestId('filter-slow').fill('100');
  await app.expectMatchCount('6 matches');
  await app.byTestId('filter-slow').fill('');
  // 28 of the 40 spans have a section on the critical path (as the CLI reports).
  await app.byTestId('filter-critical').check();
  await app.expectMatchCount('28 matches');
  await app.byTestId('filter-critical').uncheck();
  // Error-path mode: three chains end at three GetDriver origins; other rows are dimmed.
  await app.byTestId('error-mode').click();
  assert.equal(await app.byTestId('error-mode').innerText(), 'Error paths (3)');
  assert.equal(await app.byTestId('error-origin').count(), 3);
  assert.ok((await app.page.locator('.span-row.dim').count()) > 10);
  await app.screenshot('trace-error-paths');
  assert.deepEqual(app.problems, []);
  await app.page.close();
});

test('collapse, expand, depth; keyboard shortcuts and the help overlay; zoom and minimap', async () => {
  const app = await hotrod();
  await app.byTestId('collapse-all').click();
  await app.waitForRowCount(1);
  assert.equal(await app.spanRows().first().getByTestId('hidden-count').innerText(), '+39');
  // A collapsed root shows the critical path of what it hides.
  assert.ok((await app.spanRows().first().getByTestId('critical-mark').count()) >= 1);
  await app.byTestId('expand-all').click();
  await app.waitForRowCount(40);
  await app.byTestId('expand-depth').selectOption('1');
  const depthOne = await app.rowCount();
  assert.ok(depthOne > 1 && depthOne < 40, `depth 1 rows: ${depthOne}`);
  await app.spanRows().first().getByTestId('toggle').click();
  await app.waitForRowCount(1);
  // Keyboard: [ ] collapse/expand all, j selects rows, ? opens the help, Esc closes it.
  await app.page.locator('body').press(']');
  await app.waitForRowCount(40);
  await app.page.locator('body').press('[');
  await app.waitForRowCount(1);
  await app.page.locator('body').press(']');
  await app.page.keyboard.press('j');
  await app.page.keyboard.press('j');
  assert.equal(await app.detail().then((d) => d.operation), 'HTTP GET');
  await app.page.keyboard.press('?');
  await app.byTestId('help-overlay').waitFor();
  assert.match(await app.byTestId('help-overlay').innerText(), /Next \/ previous match/);
  await app.screenshot('trace-help');
  await app.page.keyboard.press('Escape');
  await app.byTestId('help-overlay').waitFor({ state: 'detached' });
  // Zoom: w zooms in (the ruler's span shrinks), 0 resets; the minimap window follows.
  const fullWindow = await app.byTestId('minimap-window').getAttribute('style');
  await app.page.keyboard.press('w');
  await app.page.keyboard.press('w');
  const zoomed = await app.byTestId('minimap-window').getAttribute('style');
  assert.notEqual(zoomed, fullWindow);
  assert.match(zoomed, /width: 25\.0\d\d%/);
  await app.page.keyboard.press('0');
  assert.equal(await app.byTestId('minimap-window').getAttribute('style'), fullWindow);
  // Drag on the minimap from 50% to 75% of its width: the window becomes that range.
  const box = await app.byTestId('minimap').boundingBox();
  await app.page.mouse.move(box.x + box.width * 0.5, box.y + 20);
  await app.page.mouse.down();
  await app.page.mouse.move(box.x + box.width * 0.75, box.y + 20, { steps: 5 });
  await app.page.mouse.up();
  const dragged = await app.byTestId('minimap-window').getAttribute('style');
  assert.match(dragged, /left: 50\.\d+%; width: 2[45]\.\d+%/);
  // Drag the column border to half the width: the label column follows.
  const ruler = await app.byTestId('ruler').boundingBox();
  const handle = await app.byTestId('column-resizer').boundingBox();
  await app.page.mouse.move(handle.x + handle.width / 2, handle.y + 5);
  await app.page.mouse.down();
  await app.page.mouse.move(ruler.x + ruler.width * 0.5, handle.y + 5, { steps: 4 });
  await app.page.mouse.up();
  const label = await app.spanRows().first().locator('.span-label').boundingBox();
  assert.ok(Math.abs(label.width - ruler.width * 0.5) < 20, `label column ${label.width} of ${ruler.width}`);
  const ticks = await app.byTestId('ruler').locator('.tick').allInnerTexts();
  assert.ok(ticks.every((t) => /ms$/.test(t)), `ticks ${ticks}`);
  await app.screenshot('trace-zoomed');
  assert.deepEqual(app.problems, []);
  await app.page.close();
});

test('the address bar holds trace, span and search: back/forward and reload restore the view', async () => {
  const app = await hotrod();
  await app.spanRow(MYSQL_SPAN).click();
  await app.search('redis');
  await app.page.waitForFunction(() => location.hash.endsWith('&q=redis'));
  const link = app.page.url();
  await app.byTestId('back').click();
  await app.waitForRows(1);
  await app.page.goBack();
  await app.byTestId('span-detail').waitFor();
  assert.equal(await app.byTestId('span-search').inputValue(), 'redis');
  await app.page.goForward();
  await app.waitForRows(1);
  // A reload restores the file (kept in this browser) and the same view.
  await app.page.goto(link);
  await app.page.reload();
  await app.byTestId('restored').waitFor();
  assert.equal((await app.detail()).spanId, MYSQL_SPAN);
  assert.equal(await app.byTestId('span-search').inputValue(), 'redis');
  await app.page.close();
  // Someone else opening the link has no file (nothing leaves the browser): the page says
  // so, and opens the view as soon as the file is loaded.
  const other = new TracaggPage(await site.browser.newPage({ viewport: { width: 1400, height: 900 } }));
  await other.page.goto(link);
  await other.byTestId('trace-not-loaded').waitFor();
  assert.match(await other.byTestId('trace-not-loaded').innerText(), new RegExp(HOTROD_ID));
  await other.chooseFiles([HOTROD]);
  const detail = await other.detail();
  assert.equal(detail.spanId, MYSQL_SPAN);
  assert.equal(await other.byTestId('span-search').inputValue(), 'redis');
  await other.expectMatchCount('15 matches');
  assert.deepEqual(other.problems, []);
  await other.page.close();
});

test('every trace of every fixture opens with one row per span, without errors', async () => {
  const page = await site.browser.newPage({ viewport: { width: 1400, height: 900 } });
  const app = new TracaggPage(page);
  await app.open(site.url);
  const files = [];
  for (const dir of ['jaeger', 'otlp', 'zipkin']) {
    for (const name of fs.readdirSync(path.join('tests/fixtures', dir))) files.push(path.join('tests/fixtures', dir, name));
  }
  await app.chooseFiles(files);
  await page.waitForFunction(() => !document.querySelector('[data-testid=pending]'));
  const ids = await app.rows().evaluateAll((rows) => rows.map((r) => [r.dataset.traceId, r.querySelector('[data-testid=span-count]').textContent]));
  assert.ok(ids.length >= 19, `${ids.length} traces`);
  for (const [id, label] of ids) {
    const spans = Number(label.split(' ')[0]);
    await app.openTrace(id);
    await app.waitForRowCount(spans);
    assert.equal(await app.byTestId('header-spans').innerText(), String(spans), id);
    await app.spanRows().first().click();
    await app.byTestId('span-detail').waitFor();
    await app.byTestId('back').click();
    await app.waitForRows(ids.length);
  }
  assert.deepEqual(app.problems, []);
  await page.close();
});

test('clock-skew adjustment can be switched on for a skewed Zipkin trace', async () => {
  const page = await site.browser.newPage({ viewport: { width: 1400, height: 900 } });
  const app = new TracaggPage(page);
  await app.open(site.url);
  await app.chooseFiles(['tests/fixtures/zipkin/skew.json']);
  await app.waitForRows(1);
  const traceId = await app.rows().first().getAttribute('data-trace-id');
  await app.openTrace(traceId);
  await app.byTestId('skew-toggle').check();
  assert.match(await app.byTestId('skew-note').innerText(), /^\(\d+ spans? moved\)$/);
  assert.ok((await app.rowCount()) > 0);
  assert.deepEqual(app.problems, []);
  await page.close();
});

test('100,000 spans: only the rows on screen are in the DOM, and scrolling reaches the end', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracagg-e2e-'));
  const file = path.join(dir, 'big.json');
  fs.writeFileSync(file, execFileSync('target/debug/tracagg', ['gen', '--spans', '100000', '--format', 'jaeger'], { maxBuffer: 1 << 30 }));
  const page = await site.browser.newPage({ viewport: { width: 1400, height: 900 } });
  const app = new TracaggPage(page);
  await app.open(site.url);
  await app.chooseFiles([file]);
  await app.waitForRows(1);
  const traceId = await app.rows().first().getAttribute('data-trace-id');
  await app.openTrace(traceId);
  assert.equal(await app.rowCount(), 100000);
  const inDom = await app.spanRows().count();
  assert.ok(inDom > 10 && inDom < 100, `rows in the DOM: ${inDom}`);
  await app.byTestId('timeline-scroller').evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await page.waitForTimeout(300);
  const last = await app.spanRows().last().boundingBox();
  const scroller = await app.byTestId('timeline-scroller').boundingBox();
  assert.ok(last.y + last.height <= scroller.y + scroller.height + 1, 'last row inside the view');
  assert.ok(last.y + last.height >= scroller.y + scroller.height - 30, 'last row at the bottom');
  assert.ok((await app.spanRows().count()) < 100);
  await app.search('error=true');
  assert.match(await app.matchCount(), /^\d+ matches$/);
  await app.byTestId('next-match').click();
  await app.byTestId('span-detail').waitFor();
  // The match is scrolled into view and highlighted.
  await page.waitForFunction(() => {
    const row = document.querySelector('.span-row.selected.match')?.getBoundingClientRect();
    const view = document.querySelector('[data-testid=timeline-scroller]').getBoundingClientRect();
    return row && row.top >= view.top && row.bottom <= view.bottom;
  });
  await app.screenshot('trace-100k', { fullPage: false });
  assert.deepEqual(app.problems, []);
  await page.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A new page that loads `file` once its workers are ready; what the workers logged. */
async function loadAfterWarmUp(file) {
  const page = await site.browser.newPage({ viewport: { width: 1400, height: 900 } });
  const app = new TracaggPage(page);
  const workerLines = [];
  page.on('console', (m) => { if (m.text().startsWith('tracagg worker:')) workerLines.push(m.text()); });
  await app.open(site.url);
  // Both workers (warmed up one after the other) are ready by the time a person picks a file.
  await page.waitForTimeout(3000);
  await app.chooseFiles([file]);
  await app.waitForRows(1);
  return { page, app, workerLines };
}

test('large Jaeger, OTLP and Zipkin files read by two workers, one half each, show what one worker shows', async () => {
  // The same generated trace as Jaeger, OTLP and Zipkin span arrays (each cut in two halves),
  // and as a Zipkin list of traces (`[[…]]`, a shape read in one piece).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracagg-e2e-'));
  const seen = {};
  for (const format of ['jaeger', 'otlp', 'zipkin', 'whole']) {
    const file = path.join(dir, `halves.${format}.json`);
    const gen = (as) => execFileSync('target/debug/tracagg', ['gen', '--spans', '60000', '--format', as, '--seed', '11'], { maxBuffer: 1 << 30 });
    fs.writeFileSync(file, format === 'whole' ? `[${gen('zipkin')}]` : gen(format));
    const { page, app, workerLines } = await loadAfterWarmUp(file);
    const row = (await app.rows().first().innerText()).replace(/\s+/g, ' ');
    const traceId = await app.rows().first().getAttribute('data-trace-id');
    await app.openTrace(traceId);
    const header = (await app.byTestId('trace-header').innerText()).replace(/\s+/g, ' ');
    seen[format] = { row, header, rows: await app.rowCount(), workerLines };
    assert.deepEqual(app.problems, []);
    await page.close();
  }
  for (const halves of ['jaeger', 'otlp', 'zipkin']) {
    assert.ok(seen[halves].workerLines.some((l) => /in two halves/.test(l)), seen[halves].workerLines.join('\n'));
    assert.equal(seen[halves].rows, 60000);
    assert.equal(seen[halves].rows, seen.whole.rows);
    assert.equal(seen[halves].row, seen.whole.row);
    assert.equal(seen[halves].header, seen.whole.header);
  }
  assert.ok(seen.whole.workerLines.some((l) => /in one piece/.test(l)), seen.whole.workerLines.join('\n'));
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a large OTLP file of one resource has no place to cut: one worker reads it all', async () => {
  // All spans of a generated OTLP trace under one resource and scope.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracagg-e2e-'));
  const doc = JSON.parse(execFileSync('target/debug/tracagg', ['gen', '--spans', '20000', '--format', 'otlp', '--seed', '3'], { maxBuffer: 1 << 30 }));
  const spans = doc.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
  const one = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'monolith' } }] }, scopeSpans: [{ scope: { name: 'one' }, spans }] }] };
  const file = path.join(dir, 'one-resource.json');
  fs.writeFileSync(file, JSON.stringify(one));
  assert.ok(fs.statSync(file).size > 4 * 1024 * 1024);
  const { page, app, workerLines } = await loadAfterWarmUp(file);
  assert.match(await app.rows().first().innerText(), /monolith/);
  await app.openTrace(await app.rows().first().getAttribute('data-trace-id'));
  assert.equal(await app.rowCount(), 20000);
  assert.ok(workerLines.some((l) => /in one piece: no place to cut/.test(l)), workerLines.join('\n'));
  assert.deepEqual(app.problems, []);
  await page.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a large file shows the stage and how far it is; Cancel stops it and keeps what was loaded', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracagg-e2e-'));
  const file = path.join(dir, 'large.json');
  fs.writeFileSync(file, execFileSync('target/debug/tracagg', ['gen', '--spans', '300000', '--format', 'jaeger'], { maxBuffer: 1 << 30 }));
  const page = await site.browser.newPage({ viewport: { width: 1400, height: 900 } });
  const app = new TracaggPage(page);
  await app.open(site.url);
  await app.chooseFiles([HOTROD]);
  await app.waitForRows(1);
  // Every stage line the page shows during the load.
  await page.evaluate(() => {
    window.__stages = [];
    new MutationObserver(() => {
      const text = document.querySelector('[data-testid=load-stage]')?.textContent;
      if (text && window.__stages.at(-1) !== text) window.__stages.push(text);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await app.chooseFiles([file]);
  await app.waitForRows(2);
  const stages = await page.evaluate(() => window.__stages);
  const percents = stages.map((s) => /^parsing (\d+)%$/.exec(s)?.[1]).filter(Boolean).map(Number);
  assert.ok(percents.length >= 3, `parsing progress shown: ${stages.join(' | ')}`);
  assert.ok(percents.every((p, i) => i === 0 || p >= percents[i - 1]), `rising: ${percents}`);
  assert.ok(percents.at(-1) >= 50, `reaches far: ${percents}`);
  assert.ok(stages.some((s) => /^reading \d+%$/.test(s)), `reading progress shown: ${stages.join(' | ')}`);

  // Again, cancelled while it parses: the two loaded traces stay, the page says so.
  await app.chooseFiles([file]);
  await page.waitForFunction(() => /^parsing \d+%$/.test(document.querySelector('[data-testid=load-stage]')?.textContent ?? ''));
  const filled = await page.locator('.progress.determinate').getAttribute('aria-valuenow');
  assert.match(filled, /^\d+$/);
  await app.byTestId('cancel-load').click();
  await page.waitForFunction(() => !document.querySelector('[data-testid=pending]'));
  assert.ok((await app.infoNotices()).some((line) => /large\.json: loading cancelled/.test(line)));
  assert.equal(await app.rows().count(), 2);

  // And cancelled while the page opens what the worker built (Cancel as soon as it shows).
  await page.evaluate(() => {
    new MutationObserver((_, observer) => {
      const stage = document.querySelector('[data-testid=load-stage]')?.textContent ?? '';
      if (stage.startsWith('opening')) {
        observer.disconnect();
        document.querySelector('[data-testid=cancel-load]').click();
      }
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await app.chooseFiles([file]);
  await page.waitForFunction(() => !document.querySelector('[data-testid=pending]'));
  const cancelled = (await app.infoNotices()).filter((line) => /large\.json: loading cancelled/.test(line));
  assert.equal(cancelled.length, 2, 'both loads say they were cancelled');
  assert.equal(await app.rows().count(), 2);
  assert.deepEqual(app.problems, []);
  await page.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a trace graph of 87 operations opens at a readable scale around its root; Fit shows it all', async () => {
  const page = await site.browser.newPage({ viewport: { width: 1400, height: 900 } });
  const app = new TracaggPage(page);
  await app.open(site.url);
  await app.chooseFiles([jsonFile('wide.json', distinctOperations(86))]);
  await app.waitForRows(1);
  await app.rows().first().click();
  await app.byTestId('tab-graph').click();
  const svg = app.byTestId('operation-graph');
  await svg.locator('[data-testid="graph-node"]').first().waitFor();
  const shown = async () => svg.evaluate((el) => {
    const [x, y, width, height] = el.getAttribute('viewBox').split(' ').map(Number);
    const rect = el.getBoundingClientRect();
    return { x, y, width, height, scale: Math.min(rect.width / width, rect.height / height) };
  });
  const opened = await shown();
  // At scale 1: a label is as large as the graph's font, not a 10th of it.
  assert.ok(Math.abs(opened.scale - 1) < 0.02, JSON.stringify(opened));
  // The root is in view.
  const root = await svg.locator('[data-testid="graph-node"]', { hasText: 'root' }).first().boundingBox();
  const box = await svg.boundingBox();
  assert.ok(root.x >= box.x && root.x + root.width <= box.x + box.width, JSON.stringify({ root, box }));
  await app.screenshot('graph-readable', { fullPage: false });
  await app.byTestId('operation-graph-fit').click();
  const fitted = await shown();
  assert.ok(fitted.scale < 0.5 && fitted.x === 0 && fitted.y === 0, JSON.stringify(fitted));
  assert.deepEqual(app.problems, []);
  await page.close();
});
