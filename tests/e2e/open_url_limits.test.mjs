// End-to-end: downloads by address are bounded (issue 25 §7, §8). A server that stops sending
// ends in a sentence after the stall limit; Cancel and Clear abort a download under way (the
// request itself); an announced size over the limit is refused before the body is read. The
// server here answers each way on purpose.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import zlib from 'node:zlib';
import { TracaggPage, useSite } from './tracagg_page.mjs';

const site = useSite({ before, after });
let server;
const open = new Set();
const aborted = [];
let bomb; // gzip of 1 GiB + 16 MiB of zeros: about a megabyte that decodes past the limit

/** Compresses `size` zero bytes as a gzip stream, in 16 MiB writes. */
async function gzipOfZeros(size) {
  const gzip = zlib.createGzip({ level: 1 });
  const out = [];
  gzip.on('data', (chunk) => out.push(chunk));
  const done = new Promise((resolve) => gzip.on('end', resolve));
  const block = Buffer.alloc(16 * 1024 * 1024);
  for (let left = size; left > 0; left -= block.length) {
    if (!gzip.write(left >= block.length ? block : block.subarray(0, left))) {
      await new Promise((resolve) => gzip.once('drain', resolve));
    }
  }
  gzip.end();
  await done;
  return Buffer.concat(out);
}

before(async () => {
  bomb = await gzipOfZeros(1024 ** 3 + 16 * 1024 * 1024);
  server = http.createServer((req, res) => {
    const cors = { 'Access-Control-Allow-Origin': '*', 'Content-Type': 'application/json' };
    req.on('close', () => { if (!res.writableFinished) aborted.push(req.url); });
    if (req.url === '/stall.json') {
      // A start, then nothing: the connection stays open.
      res.writeHead(200, cors);
      res.write('{"data": [');
      open.add(res);
    } else if (req.url === '/hang.json') {
      open.add(res); // never answers
    } else if (req.url === '/bomb.json') {
      // Announces a megabyte; decodes to more than the limit.
      res.writeHead(200, { ...cors, 'Content-Encoding': 'gzip', 'Content-Length': String(bomb.length) });
      res.end(bomb);
    } else if (req.url === '/huge.json') {
      res.writeHead(200, { ...cors, 'Content-Length': String(2 * 1024 ** 3) });
      res.write('{"data": [');
      open.add(res);
    } else {
      res.writeHead(404, cors);
      res.end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
});
after(() => {
  for (const res of open) res.destroy();
  server?.close();
});

const url = (path) => `http://127.0.0.1:${server.address().port}${path}`;

async function openPage(stallMs) {
  const page = await site.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  if (stallMs) await page.addInitScript((ms) => { window.tracaggStallMs = ms; }, stallMs);
  const app = new TracaggPage(page);
  await app.open(site.url);
  return app;
}

async function openUrl(app, address) {
  await app.byTestId('open-url').click();
  await app.byTestId('open-url-input').fill(address);
  await app.byTestId('open-url-go').click();
}

/** The page's problems, less the requests this test's server was meant to fail. */
const problems = (app) => app.problems.filter((p) => !p.startsWith(`request failed: ${url('/')}`));

const noticeText = (app, kind) => app.page.evaluate(
  (k) => [...document.querySelectorAll(`[data-testid="notice-${k}"]`)].map((n) => n.innerText).join('\n'), kind);

test('a server that stops sending, or never answers, ends in a sentence after the stall limit', async () => {
  const app = await openPage(1500);
  await app.chooseFiles(['tests/fixtures/zipkin/skew.json']);
  await app.waitForRows(1);
  await openUrl(app, url('/stall.json'));
  await app.page.waitForFunction(() => /no data arrived for 1 s/.test(document.body.innerText), null, { timeout: 10_000 });
  assert.match(await noticeText(app, 'error'), /Could not download http:\/\/127\.0\.0\.1:\d+\/stall\.json: the answer broke off \(no data arrived for 1 s\)/);
  await openUrl(app, url('/hang.json'));
  await app.page.waitForFunction(() => /did not answer \(no data arrived for 1 s\)/.test(document.body.innerText), null, { timeout: 10_000 });
  await app.page.waitForFunction(() => !document.querySelector('[data-testid="pending"]'));
  // What was loaded stays.
  await app.waitForRows(1);
  assert.deepEqual(problems(app), []);
  await app.page.close();
});

test('Cancel and Clear abort a download under way', async () => {
  const app = await openPage();
  await app.chooseFiles(['tests/fixtures/zipkin/skew.json']);
  await app.waitForRows(1);
  await openUrl(app, url('/stall.json'));
  await app.byTestId('pending').waitFor();
  await app.byTestId('cancel-load').click();
  await app.page.waitForFunction(() => !document.querySelector('[data-testid="pending"]'));
  assert.match(await app.page.evaluate(() => document.body.innerText), /stall\.json: download cancelled/);
  await app.waitForRows(1);
  // The request itself was aborted: the server saw its connection close.
  for (let i = 0; i < 50 && !aborted.includes('/stall.json'); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(aborted.includes('/stall.json'), JSON.stringify(aborted));
  // Clear during a download that never answers: the line goes, nothing comes back later.
  await openUrl(app, url('/hang.json'));
  await app.byTestId('pending').waitFor();
  await app.byTestId('clear').click();
  await app.page.waitForFunction(() => !document.querySelector('[data-testid="pending"]'));
  assert.deepEqual(problems(app), []);
  await app.page.close();
});

test('an announced size over the limit is refused before the body is read', async () => {
  const app = await openPage();
  await openUrl(app, url('/huge.json'));
  await app.page.waitForFunction(() => /over 2\.0 GiB; the browser app reads files up to 1 GiB/.test(document.body.innerText), null, { timeout: 10_000 });
  await app.page.waitForFunction(() => !document.querySelector('[data-testid="pending"]'));
  assert.deepEqual(problems(app), []);
  await app.page.close();
});

test('a compressed answer that decodes past the limit stops there, with a sentence', { timeout: 120_000 }, async () => {
  const app = await openPage();
  await app.chooseFiles(['tests/fixtures/zipkin/skew.json']);
  await app.waitForRows(1);
  await openUrl(app, url('/bomb.json'));
  // While it arrives, the line never says "N MB of" a size smaller than what arrived.
  let sawWrongTotal = false;
  const watch = setInterval(async () => {
    const line = await app.page.evaluate(() => document.querySelector('[data-testid="pending"]')?.innerText ?? '').catch(() => '');
    const m = /downloading: ([\d.]+) (KB|MB|GB) of ([\d.]+) (KB|MB|GB)/.exec(line);
    const bytes = (n, u) => Number(n) * { KB: 1e3, MB: 1e6, GB: 1e9 }[u];
    if (m && bytes(m[1], m[2]) > bytes(m[3], m[4])) sawWrongTotal = true;
  }, 100);
  await app.page.waitForFunction(() => /bomb\.json: it is over 1\.0 GiB; the browser app reads files up to 1 GiB/.test(document.body.innerText), null, { timeout: 100_000 });
  clearInterval(watch);
  assert.ok(!sawWrongTotal, 'the progress said more arrived than the whole');
  await app.page.waitForFunction(() => !document.querySelector('[data-testid="pending"]'));
  await app.waitForRows(1);
  assert.deepEqual(problems(app), []);
  await app.page.close();
});
