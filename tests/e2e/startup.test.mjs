// End-to-end: the first second. The page shows a start screen while its wasm loads; a file
// picked or dropped on it is parsed at once by the worker index.html started, and the page
// takes that job over when it starts (one parse, not two).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { TracaggPage, useSite } from './tracagg_page.mjs';

const site = useSite({ before, after });
const HOTROD = 'tests/fixtures/otlp/api-v3-getTrace-response.json';

const PAGE_WASM = /page-[0-9a-f]+\/tracagg-web_bg\.wasm$/;
const WORKER_WASM = /tracagg-worker_bg\.wasm$/;

/**
 * A page whose files matching `late` (pattern → ms) arrive that late, and the worker timing
 * lines it logs; opened up to its `load` event.
 */
async function slowStart(late) {
  const page = await site.browser.newPage({ viewport: { width: 1400, height: 900 } });
  for (const [pattern, ms] of late) {
    await page.route(pattern, async (route) => {
      await new Promise((done) => setTimeout(done, ms));
      await route.continue();
    });
  }
  const lines = [];
  page.on('console', (m) => { if (m.text().startsWith('tracagg worker:')) lines.push(m.text()); });
  const app = new TracaggPage(page);
  await page.goto(site.url, { waitUntil: 'load' });
  return { app, lines };
}

/** The ms a worker's timing line says the request waited before the worker took it. */
function waited(line) {
  return Number(/the request reached it after (\d+) ms/.exec(line)?.[1] ?? NaN);
}

/** HOTROD, picked, shows; one worker parsed it, after waiting in it at least `ms`. */
async function assertParsedOnce(app, lines, ms) {
  await app.waitForRows(1);
  await app.byTestId('notices').waitFor();
  assert.match((await app.infoNotices()).join('\n'), /api-v3-getTrace-response\.json: OTLP JSON, 40 spans, 1 new trace/);
  assert.equal(lines.length, 1, lines.join('\n'));
  console.log(lines[0]);
  assert.ok(waited(lines[0]) >= ms, lines[0]);
  assert.deepEqual(app.problems, []);
}

test('a file picked on the start screen is parsed while the page starts, once', async () => {
  const { app, lines } = await slowStart([[PAGE_WASM, 1500]]);
  // The start screen is up (the app is not): its own file input takes the file.
  assert.equal(await app.byTestId('open-files').count(), 0);
  await app.page.locator('#boot').screenshot({ path: 'tests/e2e/out/start-screen.png' });
  await app.chooseFiles([HOTROD]);
  await assertParsedOnce(app, lines, 0);
  assert.equal(await app.page.locator('#boot').count(), 0, 'the start screen is gone');
  // Kept for the next visit like any file.
  await app.byTestId('kept-size').waitFor();
  assert.deepEqual(app.problems, []);
  await app.page.close();
});

test('a file dropped on the start screen is kept for the page, not opened by the browser', async () => {
  const { app } = await slowStart([[PAGE_WASM, 1500]]);
  const text = fs.readFileSync(HOTROD, 'utf8');
  await app.page.evaluate((body) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([body], 'dropped.json', { type: 'application/json' }));
    for (const type of ['dragenter', 'dragover', 'drop']) {
      document.body.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }
  }, text);
  await app.waitForRows(1);
  assert.match((await app.infoNotices()).join('\n'), /dropped\.json: OTLP JSON, 40 spans/);
  assert.equal(app.page.url().startsWith(site.url), true);
  assert.deepEqual(app.problems, []);
  await app.page.close();
});

test('a file picked on the start screen while its worker is still starting is posted at once and parsed once', async () => {
  // Both wasm files arrive late: the worker's first.
  const { app, lines } = await slowStart([[WORKER_WASM, 1200], [PAGE_WASM, 2000]]);
  assert.equal(await app.page.evaluate(() => window.tracaggEarlyWorker?.tracaggState), 'starting');
  await app.chooseFiles([HOTROD]);
  // Posted when picked: it waited in the starting worker for its wasm (~1.2 s).
  await assertParsedOnce(app, lines, 500);
  await app.page.close();
});

test('a file opened in the app while the parsing worker is still starting is posted to it at once', async () => {
  const { app, lines } = await slowStart([[WORKER_WASM, 2500]]);
  await app.byTestId('open-files').waitFor();
  await app.chooseFiles([HOTROD]);
  await assertParsedOnce(app, lines, 500);
  await app.page.close();
});

test('when the worker cannot start, a file picked on the start screen is read by the page itself', async () => {
  const page = await site.browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.route(/tracagg-worker\.js$/, (route) => route.fulfill({ status: 404, body: 'gone' }));
  await page.route(PAGE_WASM, async (route) => {
    await new Promise((done) => setTimeout(done, 1500));
    await route.continue();
  });
  const app = new TracaggPage(page);
  await page.goto(site.url, { waitUntil: 'load' });
  await app.chooseFiles([HOTROD]);
  await app.waitForRows(1);
  assert.match((await app.infoNotices()).join('\n'), /api-v3-getTrace-response\.json: OTLP JSON, 40 spans, 1 new trace/);
  // Only the refused worker script is a problem.
  assert.deepEqual(app.problems.filter((p) => !/tracagg-worker\.js|importScripts|NetworkError|Failed to execute/.test(p)), []);
  await page.close();
});

test('the first trace shows with the page\'s first part alone; a part that cannot be downloaded says so, and Retry gets it', async () => {
  const page = await site.browser.newPage({ viewport: { width: 1400, height: 900 } });
  // Every part loaded on first use (scripts/build_page.mjs) is refused until `open` is set.
  let open = false;
  const refused = [];
  await page.route(/page-[0-9a-f]+\/(split|chunk)_[^/]+\.wasm$/, async (route) => {
    if (open) return route.continue();
    refused.push(new URL(route.request().url()).pathname.split('/').pop());
    return route.abort('internetdisconnected');
  });
  const app = new TracaggPage(page);
  await app.open(site.url);
  await app.chooseFiles([HOTROD]);
  await app.waitForRows(1);
  assert.match((await app.infoNotices()).join('\n'), /api-v3-getTrace-response\.json: OTLP JSON, 40 spans, 1 new trace/);
  // The trace page is a later part: refused, it says so instead of breaking the page.
  await app.rows().first().click();
  await app.byTestId('part-missing').waitFor();
  assert.match(await app.byTestId('part-missing').innerText(), /could not be downloaded/);
  await app.screenshot('part-missing');
  assert.ok(refused.some((name) => name === 'split_trace.wasm'), refused.join(' '));
  // The network is back: Retry shows the trace.
  open = true;
  await app.byTestId('part-missing').getByRole('button', { name: 'Retry' }).click();
  await app.spanRows().first().waitFor();
  assert.equal(await app.byTestId('part-missing').count(), 0);
  // The refusals were logged by the chunk loader; nothing else went wrong.
  const refusedRequest = /request failed: .*\/page-[0-9a-f]+\/(split|chunk)_[^/]+\.wasm$/;
  assert.deepEqual(app.problems.filter((p) => !refusedRequest.test(p) && !/Failed to fetch|ERR_INTERNET_DISCONNECTED/.test(p)), []);
  await page.close();
});
