// End-to-end: two traces ticked in the list → Compare shows their diff merged by operation path
// (the two checkouts the OpenTelemetry Python SDK recorded: B's charge is slower, it calls a new
// fraud service and lost its cache lookup), "Changed only", swap, the address bar, JSON export.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { TracaggPage, useSite } from './tracagg_page.mjs';

const A = 'tests/fixtures/compare/checkout-a.otlp.json';
const B = 'tests/fixtures/compare/checkout-b.otlp.json';
const site = useSite({ before, after });

const row = (app, service, operation) => app.page.locator('[data-testid="compare-row"]', { hasText: `${service}: ${operation}` });

test('Compare the two selected traces: merged tree, statuses, deltas, swap and export', async () => {
  const page = await site.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const app = new TracaggPage(page);
  await app.open(site.url);
  await app.chooseFiles([A, B]);
  await app.waitForRows(2);
  await app.rows().nth(0).getByTestId('row-select').check();
  assert.ok(await app.byTestId('selection-compare').isDisabled(), 'one trace is not a pair');
  await app.rows().nth(1).getByTestId('row-select').check();
  await app.byTestId('selection-compare').click();
  await app.byTestId('compare-summary').waitFor();
  assert.match(app.page.url(), /#view=compare&a=[0-9a-f]{32}&b=[0-9a-f]{32}$/);
  // A is the earlier trace (the fast one).
  const summary = await app.byTestId('compare-summary').innerText();
  assert.match(summary, /^B is \d+(\.\d+)? ms \(\+\d+ %\) slower than A; \d+ changed, 2 only in B, 1 only in A; the largest change on the critical path is payment: charge \(\+/, summary);
  assert.equal(await row(app, 'fraud', 'POST /score').getAttribute('data-status'), 'added');
  assert.equal(await row(app, 'cart', 'cache get').getAttribute('data-status'), 'removed');
  assert.equal(await row(app, 'payment', 'charge').getAttribute('data-status'), 'changed');
  assert.match(await row(app, 'cart', 'cache get').innerText(), /1 → 0/);
  await app.screenshot('compare-view', { fullPage: false });
  // Both timelines on one axis: B (the slow one) fills the axis, A about a fifth of it.
  await app.byTestId('compare-timelines').click();
  await app.byTestId('shared-axis').waitFor();
  const widths = async (side) => app.byTestId(`axis-${side}`).getByTestId('axis-bar').evaluateAll((bars) => bars.map((b) => parseFloat(b.style.width)));
  const [barsA, barsB] = [await widths('a'), await widths('b')];
  assert.ok(barsA.length >= 5 && barsB.length >= 5, `${barsA.length} and ${barsB.length} rows`);
  assert.ok(Math.abs(barsB[0] - 100) < 0.01, `B's root spans the axis: ${barsB[0]}`);
  assert.ok(barsA[0] < 60, `A's root is shorter: ${barsA[0]}`);
  assert.ok(await app.byTestId('axis-b').locator('.axis-bar.critical').count() >= 2);
  await app.screenshot('compare-shared-axis', { fullPage: true });
  await app.byTestId('compare-timelines').click();
  const all = await app.byTestId('compare-row').count();
  await app.byTestId('compare-changed-only').check();
  const changed = await app.byTestId('compare-row').count();
  assert.ok(changed < all && changed >= 4, `${changed} of ${all}`);
  assert.equal(await app.page.locator('[data-testid="compare-row"][data-status="same"]').count(), 0);
  const [download] = await Promise.all([app.page.waitForEvent('download'), app.byTestId('compare-export').click()]);
  const doc = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
  assert.equal(doc.nodes.length, all);
  assert.equal(doc.critical_delta_by_operation[0].service, 'payment');
  // Swap: the same tree the other way round.
  await app.byTestId('compare-swap').click();
  await app.page.waitForFunction(() => /faster than A/.test(document.querySelector('[data-testid="compare-summary"]')?.innerText ?? ''));
  assert.equal(await row(app, 'fraud', 'POST /score').getAttribute('data-status'), 'removed');
  // The address bar reopens it, and Back returns to the list.
  await app.byTestId('compare-back').click();
  await app.waitForRows(2);
  // "Compare with…" on a trace page: this trace is A, the one picked is B.
  await app.byTestId('selection-clear').click();
  const ids = await app.rows().evaluateAll((rows) => rows.map((r) => r.dataset.traceId));
  await app.rows().first().click();
  await app.spanRows().first().waitFor();
  await app.byTestId('compare-with').click();
  const other = ids.find((id) => !page.url().includes(id));
  await app.byTestId('compare-with-choice').selectOption(other);
  await app.byTestId('compare-summary').waitFor();
  assert.ok(page.url().endsWith(`&b=${other}`), page.url());
  await app.byTestId('compare-back').click();
  await app.waitForRows(2);
  assert.deepEqual(app.problems, []);
  await page.close();
});
