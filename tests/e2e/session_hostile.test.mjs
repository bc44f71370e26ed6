// End-to-end: keeping files survives what an unlucky browser does to it (issue 25 §4, §5).
// Clear while many kept files are being restored stops the restore (nothing comes back after
// it, and no "Restored …" line); a database a newer build left at a higher version, with or
// without the files' store, is opened as it is and keeping works.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TracaggPage, useSite } from './tracagg_page.mjs';

const site = useSite({ before, after });
const ZIPKIN = 'tests/fixtures/zipkin/skew.json';

async function openPage(context) {
  const page = await context.newPage({ viewport: { width: 1400, height: 900 } });
  const app = new TracaggPage(page);
  await app.open(site.url);
  return app;
}

async function keptCount(app) {
  return app.page.evaluate(() => new Promise((done) => {
    const open = indexedDB.open('tracagg');
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains('files')) { db.close(); done(-1); return; }
      const request = db.transaction('files').objectStore('files').count();
      request.onsuccess = () => { done(request.result); db.close(); };
    };
  }));
}

/** `count` small Zipkin files, each one trace of its own. */
function manyFiles(count) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracagg-many-'));
  return Array.from({ length: count }, (_, i) => {
    const id = (i + 1).toString(16).padStart(32, '0');
    const file = path.join(dir, `trace-${i}.json`);
    fs.writeFileSync(file, JSON.stringify([
      { traceId: id, id: '00000000000000a1', name: 'GET /', timestamp: 1_600_000_000_000_000 + i, duration: 1000 + i, localEndpoint: { serviceName: 'web' } },
    ]));
    return file;
  });
}

test('Clear during a restore of many files stops it: nothing comes back afterwards', async () => {
  const COUNT = 120;
  const context = await site.browser.newContext();
  const app = await openPage(context);
  await app.chooseFiles(manyFiles(COUNT));
  await app.waitForRows(COUNT);
  await app.page.waitForFunction(() => !document.querySelector('[data-testid="pending"]'));
  for (let i = 0; i < 100 && (await keptCount(app)) < COUNT; i++) await app.page.waitForTimeout(100);
  assert.equal(await keptCount(app), COUNT);
  await app.page.reload();
  // Some files are back, the restore goes on: Clear now.
  await app.page.waitForFunction(() => document.querySelectorAll('[data-testid="trace-row"]').length >= 3);
  await app.byTestId('clear').click();
  await app.page.waitForTimeout(2000);
  assert.equal(await app.rows().count(), 0, 'traces came back after Clear');
  assert.equal(await app.byTestId('restored').count(), 0, '"Restored …" after Clear');
  assert.equal(await app.byTestId('pending').count(), 0);
  assert.equal(await keptCount(app), 0);
  // Clear stops the worker that was reading (a worker still fetching its script is stopped
  // too, which the browser reports as a failed request): the next file loads as usual.
  const problems = app.problems.filter((p) => !/^request failed: .*tracagg-worker\.js$/.test(p));
  await app.page.reload();
  await app.byTestId('drop-zone').waitFor();
  await app.page.waitForTimeout(500);
  assert.equal(await app.rows().count(), 0);
  await app.chooseFiles([ZIPKIN]);
  await app.waitForRows(1);
  assert.deepEqual(problems, []);
  await context.close();
});

for (const withStore of [false, true]) {
  test(`a database at a newer version (${withStore ? 'with' : 'without'} the files' store) still keeps files`, async () => {
    const context = await site.browser.newContext();
    const app = await openPage(context);
    // What a newer build (or another app on this origin) could leave: version 7.
    await app.page.evaluate((store) => new Promise((done, fail) => {
      const gone = indexedDB.deleteDatabase('tracagg');
      gone.onsuccess = () => {
        const open = indexedDB.open('tracagg', 7);
        open.onupgradeneeded = () => {
          open.result.createObjectStore('other');
          if (store) open.result.createObjectStore('files');
        };
        open.onsuccess = () => { open.result.close(); done(); };
        open.onerror = () => fail(open.error);
      };
      // (A connection the page has open for a moment delays the deletion: it waits.)
    }), withStore);
    await app.page.reload();
    await app.byTestId('drop-zone').waitFor();
    await app.chooseFiles([ZIPKIN]);
    await app.waitForRows(1);
    for (let i = 0; i < 50 && (await keptCount(app)) < 1; i++) await app.page.waitForTimeout(100);
    assert.equal(await keptCount(app), 1);
    assert.equal(await app.byTestId('notice-error').count(), 0, await app.page.evaluate(() => document.body.innerText));
    await app.page.reload();
    await app.byTestId('restored').waitFor();
    await app.waitForRows(1);
    // Clear works too.
    await app.byTestId('restored-clear').click();
    for (let i = 0; i < 50 && (await keptCount(app)) !== 0; i++) await app.page.waitForTimeout(100);
    assert.equal(await keptCount(app), 0);
    assert.deepEqual(app.problems, []);
    await context.close();
  });
}
