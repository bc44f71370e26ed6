// End-to-end: hostile and unlucky input. Crafted files (hostile_files.mjs) and links must never
// panic the page, leave it blocked, or lose what was loaded.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TracaggPage, useSite } from './tracagg_page.mjs';
import { jsonFile, zipkinSpan } from './hostile_files.mjs';

const site = useSite({ before, after });

async function openPage(hash = '') {
  const page = await site.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const app = new TracaggPage(page);
  await app.open(`${site.url}${hash}`);
  return app;
}

test('the services view filtered to a service that is not loaded: no panic, the filter clears', async () => {
  const app = await openPage('#view=services&service=redis');
  await app.chooseFiles(['tests/fixtures/zipkin/skew.json']);
  await app.byTestId('services-view').waitFor();
  await app.waitForServices();
  assert.match(await app.byTestId('service-filter').innerText(), /redis/);
  await app.byTestId('clear-service-filter').click();
  await app.waitForServices();
  assert.equal(await app.byTestId('service-filter').count(), 0);
  // The same without a crafted link: filter by a service, clear everything, load another file.
  await app.chooseFiles([jsonFile('other.json', [zipkinSpan({ localEndpoint: { serviceName: 'only-here' } })])]);
  await app.waitForServices();
  assert.deepEqual(app.problems, []);
  await app.page.close();
});
