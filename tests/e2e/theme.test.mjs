// End-to-end: the dark theme. It follows the system (prefers-color-scheme) until the person
// picks one with the toggle, which is kept; every view, chart, graph and the minimap are drawn
// in it (screenshots of each, light and dark, in tests/e2e/out/theme-*.png).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TracaggPage, useSite } from './tracagg_page.mjs';

const site = useSite({ before, after });
const GENAI = 'tests/fixtures/genai/agent-runs.otlp.json';

/** The page's background and text colours, as [r, g, b] luminance-ish sums. */
async function colours(app) {
  return app.page.evaluate(() => {
    const sum = (css) => (css.match(/\d+/g) ?? []).slice(0, 3).map(Number).reduce((a, b) => a + b, 0);
    const style = getComputedStyle(document.documentElement);
    return { background: sum(style.backgroundColor), text: sum(style.color), theme: document.documentElement.dataset.theme };
  });
}

/** The top-left pixel of a canvas, summed (dark < 200 < light). */
async function canvasCorner(app, testid) {
  return app.page.evaluate((id) => {
    const canvas = document.querySelector(`[data-testid="${id}"]`);
    const [r, g, b] = canvas.getContext('2d').getImageData(2, 2, 1, 1).data;
    return r + g + b;
  }, testid);
}

for (const scheme of ['light', 'dark']) {
  test(`every view is drawn in the ${scheme} theme when the system is ${scheme}`, async () => {
    const context = await site.browser.newContext({ viewport: { width: 1400, height: 900 }, colorScheme: scheme });
    const app = new TracaggPage(await context.newPage());
    await app.open(site.url);
    const page = await colours(app);
    assert.equal(page.theme, scheme);
    assert.ok(scheme === 'dark' ? page.background < 150 && page.text > 500 : page.background > 600 && page.text < 200, JSON.stringify(page));
    await app.byTestId('load-demo').click();
    await app.waitForRows(12);
    await app.chooseFiles([GENAI]);
    await app.page.waitForFunction(() => document.querySelectorAll('[data-testid="trace-row"]').length > 12);
    await app.screenshot(`theme-${scheme}-list`, { fullPage: false });
    // A trace: timeline with the minimap, a selected span, then each tab.
    const row = app.page.locator('[data-testid="trace-row"]', { hasText: 'POST /checkout' }).first();
    await app.openTrace(await row.getAttribute('data-trace-id'));
    await app.spanRows().nth(2).click();
    await app.byTestId('span-detail').waitFor();
    await app.screenshot(`theme-${scheme}-timeline`, { fullPage: false });
    for (const tab of ['graph', 'statistics', 'flamegraph']) {
      await app.byTestId(`tab-${tab}`).click();
      await app.page.waitForTimeout(300);
      await app.screenshot(`theme-${scheme}-${tab}`, { fullPage: false });
    }
    await app.byTestId('back').click();
    // An agent trace's Agent tab.
    const agent = app.page.locator('[data-testid="trace-row"]', { hasText: 'POST /plan' }).first();
    await agent.click();
    await app.byTestId('tab-agent').click();
    await app.byTestId('agent-tab').waitFor();
    await app.screenshot(`theme-${scheme}-agent`, { fullPage: false });
    await app.byTestId('back').click();
    // The services view: graph and charts (the charts' background follows the theme).
    await app.byTestId('tab-services').click();
    await app.waitForServices();
    await app.byTestId('scatter-canvas').waitFor();
    await app.page.waitForTimeout(300);
    const corner = await canvasCorner(app, 'scatter-canvas');
    assert.ok(scheme === 'dark' ? corner < 200 : corner > 600, `scatter corner ${corner}`);
    await app.screenshot(`theme-${scheme}-services`);
    await app.byTestId('tab-quality').click();
    await app.page.waitForTimeout(300);
    await app.screenshot(`theme-${scheme}-quality`, { fullPage: false });
    await app.byTestId('tab-baselines').click();
    await app.page.waitForTimeout(300);
    await app.screenshot(`theme-${scheme}-baselines`, { fullPage: false });
    assert.deepEqual(app.problems, []);
    await context.close();
  });
}

test('the toggle picks light or dark over the system, is kept, and goes back to the system', async () => {
  const context = await site.browser.newContext({ viewport: { width: 1400, height: 900 }, colorScheme: 'dark' });
  const app = new TracaggPage(await context.newPage());
  await app.open(site.url);
  const toggle = app.byTestId('theme-toggle');
  assert.equal(await toggle.innerText(), 'Theme: system');
  assert.equal((await colours(app)).theme, 'dark');
  await toggle.click();
  assert.equal(await toggle.innerText(), 'Theme: light');
  assert.equal((await colours(app)).theme, 'light');
  // Kept: a reload opens light at once (set before the first paint, not by the app).
  await app.page.reload();
  assert.equal(await app.page.evaluate(() => document.documentElement.dataset.theme), 'light');
  await toggle.waitFor();
  assert.equal(await toggle.innerText(), 'Theme: light');
  await toggle.click();
  assert.equal((await colours(app)).theme, 'dark');
  await toggle.click();
  assert.equal(await toggle.innerText(), 'Theme: system');
  assert.equal(await app.page.evaluate(() => localStorage.getItem('tracagg.theme')), null);
  // Following the system again: its change shows at once.
  await app.page.emulateMedia({ colorScheme: 'light' });
  await app.page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
  assert.deepEqual(app.problems, []);
  await context.close();
});
