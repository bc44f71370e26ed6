// End-to-end: hostile and unlucky input. Crafted files (hostile_files.mjs) and links must never
// panic the page, leave it blocked, or lose what was loaded.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TracaggPage, useSite } from './tracagg_page.mjs';
import { cycle, deepChain, distinctOperations, jsonFile, manyRoots, zipkinSpan } from './hostile_files.mjs';

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

test('huge operation graphs draw their busiest operations, with no trap and no stuck state', async () => {
  for (const [name, spans, total] of [
    ['7000-operations.json', distinctOperations(7000), 7001],
    ['7000-roots.json', manyRoots(7000), 7000],
    ['cycle.json', cycle(10000), 10000],
    ['deep-chain.json', deepChain(20000), 50],
  ]) {
    const app = await openPage();
    await app.chooseFiles([jsonFile(name, spans)]);
    await app.waitForRows(1);
    await app.rows().first().click();
    await app.spanRows().first().waitFor();
    await app.byTestId('tab-graph').click();
    await app.byTestId('operation-graph').waitFor();
    await app.page.waitForFunction(() => document.querySelectorAll('[data-testid="operation-graph"] [data-testid="graph-node"]').length > 0, null, { timeout: 30000 });
    const hint = await app.byTestId('trace-graph').locator('.hint').first().innerText();
    if (total > 250) assert.match(hint, new RegExp(`Showing the 250 busiest of ${total} operations`), `${name}: ${hint}`);
    else assert.match(hint, new RegExp(`^${total} operations`), `${name}: ${hint}`);
    // The other tabs and views still work afterwards (nothing left borrowed).
    await app.byTestId('tab-statistics').click();
    await app.byTestId('table-trace-stats').waitFor();
    await app.byTestId('tab-timeline').click();
    await app.spanRows().first().waitFor();
    assert.deepEqual(app.problems, [], name);
    await app.page.close();
  }
});
