// End-to-end: nothing lost on reload. Loaded files are kept in the browser (IndexedDB) and
// come back on the next visit with a line that says so; Clear removes the kept copies too; a
// full quota says so and keeps what fits; a window without storage still works, with a note.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TracaggPage, useSite } from './tracagg_page.mjs';

const site = useSite({ before, after });
const HOTROD = 'tests/fixtures/jaeger/root-2992f2a5b5d037a8aabffd08ef384237.json';
const ZIPKIN = 'tests/fixtures/zipkin/skew.json';
const BIG = 'tests/fixtures/zipkin/smartthings-oauth-authorization.json'; // 109 KB

async function openPage(context) {
  const page = await (context ?? site.browser).newPage({ viewport: { width: 1400, height: 900 } });
  const app = new TracaggPage(page);
  await app.open(site.url);
  return app;
}

/** A page in `context` with HOTROD and ZIPKIN loaded, one after the other. */
async function openWithTwoFiles(context) {
  const app = await openPage(context);
  await app.chooseFiles([HOTROD]);
  await app.waitForRows(1);
  await app.chooseFiles([ZIPKIN]);
  await app.waitForRows(2);
  return app;
}

test('a reload restores the loaded files and says so; Clear removes the kept copies', async () => {
  const context = await site.browser.newContext({ viewport: { width: 1400, height: 900 } });
  const app = await openWithTwoFiles(context);
  await app.byTestId('load-demo').click();
  // The demo is read by the worker like a file: its rows come after a moment.
  await app.page.waitForFunction(() => document.querySelectorAll('[data-testid="trace-row"]').length > 2);
  await app.page.waitForFunction(() => !document.querySelector('[data-testid="pending"]'));
  const loaded = await app.rows().count();
  assert.ok(loaded > 2, `${loaded} rows`);
  // The size kept is shown beside Clear once the copies are written.
  await app.byTestId('kept-size').waitFor();
  assert.match(await app.byTestId('kept-size').innerText(), /^[\d.]+ (KB|MB) kept$/);

  await app.page.reload();
  await app.byTestId('restored').waitFor();
  assert.equal(
    await app.byTestId('restored').locator('span').first().innerText(),
    `Restored 3 files, ${loaded} traces from your last session`,
  );
  await app.waitForRows(loaded);
  assert.match(await app.byTestId('restored').innerText(), /(KB|MB) kept/);
  await app.screenshot('restored');
  // A file dropped again is kept once.
  await app.chooseFiles([HOTROD]);
  await app.page.waitForTimeout(300);
  assert.equal(await keptCount(app), 3);

  // Clear: the traces and the kept copies go; the next visit starts empty.
  await app.byTestId('restored-clear').click();
  await app.byTestId('drop-zone').waitFor();
  await app.page.waitForFunction(async () => {
    const count = await new Promise((done) => {
      const open = indexedDB.open('tracagg');
      open.onsuccess = () => {
        const request = open.result.transaction('files').objectStore('files').count();
        request.onsuccess = () => { done(request.result); open.result.close(); };
      };
    });
    return count === 0;
  });
  await app.page.reload();
  await app.byTestId('drop-zone').waitFor();
  await app.page.waitForTimeout(500);
  assert.equal(await app.byTestId('restored').count(), 0);
  assert.equal(await app.rows().count(), 0);
  assert.deepEqual(app.problems, []);
  await context.close();
});

test('one kept file can be forgotten: it stays loaded now and is not reopened', async () => {
  const context = await site.browser.newContext({ viewport: { width: 1400, height: 900 } });
  const app = await openWithTwoFiles(context);
  await app.page.waitForFunction(() => document.querySelectorAll('[data-testid="kept-file"]').length === 2);
  await app.byTestId('kept-size').click();
  const list = app.byTestId('kept-list');
  await list.waitFor();
  assert.deepEqual((await list.getByTestId('kept-file').allInnerTexts()).map((t) => t.split('\n')[0]),
    ['root-2992f2a5b5d037a8aabffd08ef384237.json', 'skew.json']);
  await app.screenshot('kept-list', { fullPage: false });
  await list.getByTestId('kept-file').filter({ hasText: 'skew.json' }).getByTestId('kept-forget').click();
  await app.page.waitForFunction(() => document.querySelectorAll('[data-testid="kept-file"]').length === 1);
  assert.equal(await keptCount(app), 1);
  assert.equal(await app.rows().count(), 2, 'still loaded');
  await app.page.reload();
  await app.byTestId('restored').waitFor();
  assert.match(await app.byTestId('restored').innerText(), /^Restored 1 file, 1 trace from your last session/);
  assert.deepEqual(app.problems, []);
  await context.close();
});

test('a full quota says what was not kept and keeps what fits; everything stays loaded', async () => {
  // A small quota: Chrome checks its quota when the database is written, but a kept File's
  // bytes are counted apart, so a quota just too small for one file does not fail there.
  // Simulated here as the browser reports it: a write of a file over 20 KB fails with
  // QuotaExceededError.
  const context = await site.browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.addInitScript(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (value, key) {
      if (value instanceof Blob && value.size > 20_000) {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      }
      return put.call(this, value, key);
    };
  });
  const app = await openPage(context);
  await app.chooseFiles([ZIPKIN]);
  await app.waitForRows(1);
  await app.byTestId('kept-size').waitFor();
  await app.chooseFiles([BIG]);
  await app.page.waitForFunction(() => document.querySelectorAll('[data-testid="trace-row"]').length > 1);
  await app.page.waitForFunction(() => /smartthings-oauth-authorization\.json is loaded but not kept for your next visit: the browser's storage for this page is full \(1 file, [\d.]+ KB kept\)/
    .test(document.querySelector('[data-testid="notice-error"]')?.innerText ?? ''));
  await app.screenshot('storage-full');
  await app.page.reload();
  await app.byTestId('restored').waitFor();
  assert.match(await app.byTestId('restored').innerText(), /^Restored 1 file, 1 trace from your last session/);
  await app.waitForRows(1);
  assert.deepEqual(app.problems, []);
  await context.close();

  // The browser's own quota error (Chrome's quota for this page set to 1 KB; 0 would remove the override).
  const tight = await site.browser.newContext({ viewport: { width: 1400, height: 900 } });
  const other = await openPage(tight);
  const cdp = await tight.newCDPSession(other.page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(site.url).origin, quotaSize: 1000 });
  await other.chooseFiles([ZIPKIN]);
  await other.waitForRows(1);
  await other.page.waitForFunction(() => /skew\.json is loaded but not kept for your next visit: the browser's storage for this page is full/
    .test(document.querySelector('[data-testid="notice-error"]')?.innerText ?? ''));
  await tight.close();
});

test('a window without storage still loads files, with a note', async () => {
  const page = await site.browser.newPage({ viewport: { width: 1400, height: 900 } });
  // As in a browser that refuses IndexedDB to this page.
  await page.addInitScript(() => {
    Object.defineProperty(window, 'indexedDB', { get() { throw new DOMException('The user denied permission to access the database.', 'SecurityError'); } });
  });
  const app = new TracaggPage(page);
  await app.open(site.url);
  await app.chooseFiles([HOTROD]);
  await app.waitForRows(1);
  await app.page.waitForFunction(() => /this window does not keep files for the next visit/
    .test(document.querySelector('[data-testid="load-log"]')?.innerText ?? ''));
  await app.rows().first().click();
  await app.spanRows().first().waitFor();
  assert.deepEqual(app.problems, []);
  await page.close();
});

async function keptCount(app) {
  return app.page.evaluate(() => new Promise((done) => {
    const open = indexedDB.open('tracagg');
    open.onsuccess = () => {
      const request = open.result.transaction('files').objectStore('files').count();
      request.onsuccess = () => { done(request.result); open.result.close(); };
    };
  }));
}
