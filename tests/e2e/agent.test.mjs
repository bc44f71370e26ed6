// End-to-end: AI agent traces. The fixture holds three agent runs made by the OpenTelemetry
// Python SDK (tests/fixtures/genai/generate.py): current GenAI conventions, the older ad-hoc
// style and OpenInference.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TracaggPage, useSite } from './tracagg_page.mjs';

const RUNS = 'tests/fixtures/genai/agent-runs.otlp.json';
const site = useSite({ before, after });

async function openPage() {
  const page = await site.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const app = new TracaggPage(page);
  await app.open(site.url);
  return app;
}

/** Opens the run whose root operation is `root`. */
async function openRun(app, root) {
  await app.rows().filter({ hasText: root }).first().click();
  await app.byTestId('trace-tabs').waitFor();
}

test('an agent trace opens on its Agent tab: summary, folded steps, the conversation as text, low-confidence decisions first, prices', async () => {
  const app = await openPage();
  await app.chooseFiles([RUNS]);
  await app.waitForRows(3);
  await openRun(app, 'POST /plan');
  // Mostly GenAI spans: the Agent tab is the one open.
  await app.byTestId('agent-tab').waitFor();
  assert.match(await app.byTestId('tab-agent').getAttribute('class'), /active/);
  const counts = await app.byTestId('agent-counts').innerText();
  for (const part of ['1 agent', '2 LLM calls', '2 tool calls', '1 retrieval', '1 embeddings call', '2 decisions', '1 failure']) {
    assert.ok(counts.replace(/\s+/g, ' ').includes(part), `${part} in ${counts}`);
  }
  assert.equal(await app.byTestId('agent-tokens').innerText(), 'Tokens: 2850 in, 325 out, 1024 cache read, 0 cache creation, 64 reasoning.');
  assert.match(await app.byTestId('agent-cost').innerText(), /no prices set/);
  assert.match(await app.byTestId('agent-failure').first().innerText(), /execute_tool book_hotel — error status/);

  // Steps: the HTTP call and the database query under search_flights are folded into it.
  const search = app.byTestId('agent-step').filter({ hasText: 'execute_tool search_flights' });
  assert.equal(await search.getByTestId('step-expand').innerText(), '+ 2 span(s)');
  await search.getByTestId('step-expand').click();
  const folded = await search.getByTestId('step-folded').innerText();
  assert.match(folded, /travel-agent: GET \/flights/);
  assert.match(folded, /flights: SELECT flights/);
  const chat = app.byTestId('agent-step').filter({ hasText: 'chat gpt-4o' }).first();
  assert.match(await chat.innerText(), /1200 in \/ 85 out/);

  // The conversation: the <script> in the user's message is text, in every mode.
  const messages = app.byTestId('message');
  assert.equal(await messages.first().getAttribute('data-role'), 'system');
  const user = messages.filter({ hasText: 'Lisbon' }).first();
  assert.match(await user.innerText(), /<script>alert\('x'\)<\/script>/);
  assert.ok((await messages.allInnerTexts()).some((t) => t.includes("→ search_flights({\"day\":\"friday\",\"to\":\"LIS\"})")), 'a tool call');
  await app.byTestId('conversation-markdown').click();
  await app.page.locator('.message-markdown strong').first().waitFor();
  assert.match(await messages.filter({ hasText: 'Lisbon' }).first().innerText(), /<script>alert\('x'\)<\/script>/);
  assert.equal(await app.page.locator('[data-testid="agent-conversation"] script, [data-testid="agent-conversation"] img').count(), 0);
  assert.equal(await app.page.locator('.message-markdown h2').filter({ hasText: 'Your trip' }).count(), 1);
  await app.byTestId('conversation-json').click();
  await app.page.waitForFunction(() => [...document.querySelectorAll('[data-testid="message"]')].some((m) => m.innerText.includes('"to": "LIS"')));

  // Decisions: the one under 0.5 first, highlighted, with its bar.
  const first = app.byTestId('decision-card').first();
  assert.match(await first.getAttribute('class'), /low/);
  assert.match(await first.innerText(), /route[\s\S]*confidence 0\.42[\s\S]*Result: flights/);
  assert.match(await first.innerText(), /"intent": "travel"/);
  assert.equal(await app.byTestId('decision-card').nth(1).getAttribute('class').then((c) => /low/.test(c)), false);
  await app.byTestId('decision-threshold').fill('0.95');
  await app.byTestId('decision-threshold').dispatchEvent('change');
  await app.page.waitForFunction(() => document.querySelectorAll('[data-testid="decision-card"].low').length === 2);

  // A price makes a cost: 2,850 × 2.5 / 1M + 325 × 10 / 1M.
  await app.byTestId('price-model').fill('gpt-4o-2024-08-06');
  await app.byTestId('price-input').fill('2.5');
  await app.byTestId('price-output').fill('10');
  await app.byTestId('price-save').click();
  await app.page.waitForFunction(() => /0\.0104 \(per your prices\)/.test(document.querySelector('[data-testid="agent-cost"]')?.innerText ?? ''));
  assert.equal(await app.byTestId('price-row').count(), 1);
  await app.screenshot('agent-tab', { fullPage: true });

  // A step opens its span in the timeline.
  await chat.locator('.step-name').click();
  await app.byTestId('span-detail').waitFor();
  assert.match(await app.byTestId('detail-operation').innerText(), /^chat gpt-4o$/);
  // The timeline's quick filters know decisions.
  await app.byTestId('filter-decisions').check();
  await app.expectMatchCount('2 matches');
  await app.byTestId('filter-low-confidence').check();
  await app.expectMatchCount('1 match');
  await app.byTestId('filter-decisions').uncheck();
  await app.byTestId('filter-low-confidence').uncheck();

  // The choice to open agent traces on the Agent tab is kept.
  await app.byTestId('tab-agent').click();
  await app.byTestId('agent-first').uncheck();
  await app.page.goBack();
  await openRun(app, 'handle_ticket');
  await app.spanRows().first().waitFor();
  assert.doesNotMatch(await app.byTestId('tab-agent').getAttribute('class'), /active/);
  await app.byTestId('tab-agent').click();
  assert.match(await app.byTestId('agent-counts').innerText(), /2\s+failures/);
  assert.deepEqual(app.problems, []);
  await app.page.close();
});

test('the services view adds up every loaded agent run: models, tools, agents, decision types', async () => {
  const app = await openPage();
  await app.chooseFiles([RUNS, 'tests/fixtures/otlp/genai-agent-trace.json', 'tests/fixtures/zipkin/skew.json']);
  await app.waitForRows(5);
  await app.byTestId('tab-services').click();
  await app.waitForServices();
  await app.byTestId('ai-tables').waitFor();
  assert.match(await app.byTestId('ai-tables').locator('h2').first().innerText(), /4 trace\(s\) with GenAI spans/);
  const models = await app.byTestId('table-ai-models').locator('tbody tr').allInnerTexts();
  assert.equal(models.length, 4, models.join('\n'));
  assert.ok(models.some((r) => /huggingface\s+meta-llama\/Llama-3\.1-8B-Instruct\s+3\s+1,?102/.test(r)), models.join('\n'));
  const tools = await app.byTestId('table-ai-tools').locator('tbody tr').count();
  assert.equal(tools, 7);
  const decisions = await app.byTestId('table-ai-decisions').locator('tbody tr').allInnerTexts();
  assert.ok(decisions.some((r) => /escalate\s+1\s+0\.30\s+0\.30\s+no × 1/.test(r)), decisions.join('\n'));
  await app.byTestId('table-ai-models').scrollIntoViewIfNeeded();
  await app.screenshot('ai-tables', { fullPage: true });
  // A trace without GenAI spans has no Agent tab.
  await app.byTestId('tab-traces').click();
  await app.rows().filter({ hasText: 'servicea' }).first().click();
  await app.spanRows().first().waitFor();
  assert.equal(await app.byTestId('tab-agent').count(), 0);
  assert.deepEqual(app.problems, []);
  await app.page.close();
});
