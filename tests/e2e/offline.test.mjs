// End-to-end: after one visit the page starts, and loads files, without a network (the
// service worker keeps the built files); the worker's version is a hash of the build, so a new
// build is a new worker and its files replace the old ones.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { TracaggPage, useSite } from './tracagg_page.mjs';

const site = useSite({ before, after });
const DIST = process.env.E2E_DIST ?? 'dist';
const HOTROD = 'tests/fixtures/jaeger/root-2992f2a5b5d037a8aabffd08ef384237.json';

test('the service worker lists every built file under a version that hashes them', () => {
  const source = fs.readFileSync(path.join(DIST, 'service-worker.js'), 'utf8');
  // Also the page's parts in its page-<hash>/ folder (scripts/build_page.mjs).
  const files = fs.readdirSync(DIST, { recursive: true }).map((n) => n.split(path.sep).join('/'))
    .filter((n) => /\.(html|css|js|wasm)$/.test(n) && n !== 'service-worker.js').sort();
  assert.ok(files.some((n) => /^page-[0-9a-f]+\/split_trace\.wasm$/.test(n)), files.join(' '));
  const hash = crypto.createHash('sha256');
  for (const name of files) hash.update(name).update(fs.readFileSync(path.join(DIST, name)));
  assert.equal(/const VERSION = "([0-9a-f]+)"/.exec(source)?.[1], hash.digest('hex').slice(0, 16));
  const assets = JSON.parse(/const ASSETS = (\[.*\]);/.exec(source)[1]);
  assert.deepEqual(assets.sort(), ['./', ...files.filter((n) => n !== 'index.html')].sort());
});

test('after one visit the page starts offline and still loads files', async () => {
  const context = await site.browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const app = new TracaggPage(page);
  await app.open(site.url);
  // Registered once the page is idle (3 s after load); controls the page once active.
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });
  const kept = await page.evaluate(async () => {
    const names = await caches.keys();
    const cache = await caches.open(names.find((n) => n.startsWith('tracagg-')));
    return (await cache.keys()).map((r) => new URL(r.url).pathname);
  });
  assert.ok(kept.some((p) => p.endsWith('_bg.wasm')), kept.join(' '));
  await context.setOffline(true);
  app.problems.length = 0;
  await page.reload();
  await app.byTestId('open-files').waitFor();
  await app.chooseFiles([HOTROD]);
  await app.waitForRows(1);
  await app.rows().first().click();
  await app.spanRows().first().waitFor();
  await app.screenshot('offline');
  assert.deepEqual(app.problems, []);
  await context.close();
});
