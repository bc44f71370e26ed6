// End-to-end: the trace list's filter bar (service, operation, durations, errors, tags, text,
// sort, limit), kept in the address bar and combined with the services view's filter.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { TracaggPage, useSite } from './tracagg_page.mjs';

const ALL_FIXTURES = ['jaeger', 'otlp', 'zipkin'].flatMap((dir) =>
  fs.readdirSync(path.join('tests/fixtures', dir)).map((f) => path.join('tests/fixtures', dir, f)));
const HOTROD_ID = '2ea75461946a7dd10f2c15ab36a076cb';
const site = useSite({ before, after });

async function loaded(hash = '') {
  const page = await site.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const app = new TracaggPage(page);
  await app.open(`${site.url}${hash}`);
  await app.chooseFiles(ALL_FIXTURES);
  await app.page.waitForFunction(() => !document.querySelector('[data-testid="pending"]'));
  return app;
}

const totals = (app) => app.byTestId('trace-totals').innerText();
const durations = (app) => app.byTestId('duration').allInnerTexts();
async function setField(app, id, value) {
  const field = app.byTestId(id);
  if ((await field.evaluate((e) => e.tagName)) === 'SELECT') await field.selectOption(value);
  else { await field.fill(value); await field.press('Enter'); await field.blur(); }
}

test('the filter bar narrows, sorts and limits the list, and lives in the address bar', async () => {
  const app = await loaded();
  await app.waitForRows(19);
  await setField(app, 'filter-service', 'frontend');
  await app.waitForRows(1);
  assert.match(await totals(app), /^1 of 19 traces, 40 spans$/);
  assert.match(app.page.url(), /f\.service=frontend/);
  await setField(app, 'filter-service', '');
  await setField(app, 'filter-errors', 'with');
  const failing = await app.rows().count();
  assert.ok(failing > 0 && failing < 19);
  for (const n of await app.byTestId('error-count').allInnerTexts()) assert.ok(Number(n) > 0);
  await setField(app, 'filter-errors', '');
  await setField(app, 'filter-sort', 'longest');
  await setField(app, 'filter-limit', '3');
  await app.waitForRows(3);
  assert.match(await totals(app), /^3 of 19 traces/);
  await setField(app, 'filter-min', '10ms');
  await setField(app, 'filter-limit', '');
  const rows = await app.rows().count();
  assert.ok(rows > 0 && rows < 19);
  await setField(app, 'filter-tags', 'no.such.key=1');
  await app.waitForRows(0);
  await setField(app, 'filter-tags', '');
  await setField(app, 'filter-min', '');
  await setField(app, 'filter-text', HOTROD_ID.slice(0, 10).toUpperCase());
  await app.waitForRows(1);
  // A bad field says what is wrong and leaves the list whole.
  await setField(app, 'filter-text', '');
  await setField(app, 'filter-max', 'soon');
  await app.byTestId('filter-error').waitFor();
  assert.match(await app.byTestId('filter-error').innerText(), /max duration: “soon” is not a duration/);
  await app.waitForRows(19);
  await app.byTestId('filter-clear').click();
  assert.doesNotMatch(app.page.url(), /f\./);
  await app.screenshot('filter-bar', { fullPage: false });
  assert.deepEqual(app.problems, []);
  await app.page.close();
});

test('a link with a filter filters the files once dropped; the services view filter combines', async () => {
  const app = await loaded('#f.sort=shortest&f.limit=5');
  await app.waitForRows(5);
  assert.equal(await app.byTestId('filter-sort').inputValue(), 'shortest');
  const shown = await durations(app);
  assert.equal(shown.length, 5);
  // Opening a trace and going back keeps the filter.
  await app.rows().first().click();
  await app.spanRows().first().waitFor();
  await app.byTestId('back').click();
  await app.waitForRows(5);
  assert.match(app.page.url(), /f\.sort=shortest/);
  // The services view's service filter and the bar's apply together.
  await app.page.goto(`${site.url}#service=redis-manual&f.errors=with`);
  await app.waitForRows(1);
  assert.match(await totals(app), /^1 of 19 traces, 40 spans with service redis-manual$/);
  await app.page.goto(`${site.url}#service=redis-manual&f.errors=without`);
  await app.waitForRows(0);
  assert.deepEqual(app.problems, []);
  await app.page.close();
});
