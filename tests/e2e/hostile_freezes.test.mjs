// End-to-end: what froze the page in the third adversarial round (issue 25 §9, §10), measured
// as the longest main-thread task of each step a person takes (the Long Tasks API), against the
// budget. The crafted files are made here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TracaggPage, useSite, assertTasksWithinBudget } from './tracagg_page.mjs';
import { distinctOperations, hex16, zipkinSpan } from './hostile_files.mjs';

const site = useSite({ before, after });

async function openPage() {
  const page = await site.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.addInitScript(() => {
    window.longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  const app = new TracaggPage(page);
  await app.open(site.url);
  await page.waitForTimeout(1500);
  return app;
}

const now = (app) => app.page.evaluate(() => performance.now());

/** Opens the trace from the list on its Agent tab, and waits for the first message. */
async function openAgentTab(app, traceId) {
  await app.row(traceId).click();
  await app.byTestId('tab-agent').waitFor();
  if (!(await app.byTestId('agent-tab').count())) await app.byTestId('tab-agent').click();
  await app.byTestId('message').first().waitFor({ timeout: 30_000 });
}

/** A fresh page with `files` loaded (`rows` traces), settled. */
async function loadedPage(files, rows) {
  const app = await openPage();
  await app.chooseFiles(files);
  await app.waitForRows(rows);
  await app.page.waitForFunction(() => !document.querySelector('[data-testid="pending"]'), null, { timeout: 120_000 });
  await app.page.waitForTimeout(500);
  return app;
}

/** The longest task that started since `from` (ms), after the page has settled. */
async function longestSince(app, from, label) {
  await app.page.waitForTimeout(300);
  const tasks = await app.page.evaluate((t) => window.longTasks.filter((e) => e.start >= t).map((e) => e.duration), from);
  const longest = Math.max(0, ...tasks);
  console.log(`# ${label}: longest task ${longest.toFixed(0)} ms (${tasks.length} over 50 ms)`);
  return longest;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tracagg-freeze-'));

/** One trace of one span, and `count` JSON log lines on that span. */
function spanWithLogs(count) {
  const traceId = '00000000000000000000000000010915';
  const traceFile = path.join(tmp, 'one-span.json');
  fs.writeFileSync(traceFile, JSON.stringify([zipkinSpan({ traceId, id: hex16(1), name: 'busy', duration: 10_000_000 })]));
  const logFile = path.join(tmp, `logs-${count}.jsonl`);
  const out = fs.openSync(logFile, 'w');
  const base = Date.UTC(2020, 8, 13, 12, 26, 40);
  let chunk = '';
  for (let i = 0; i < count; i++) {
    const level = i % 97 === 0 ? 'error' : 'info';
    chunk += `{"time":"${new Date(base + (i % 10_000)).toISOString()}","level":"${level}","msg":"step ${i} done","trace_id":"${traceId}","span_id":"${hex16(1)}"}\n`;
    if (chunk.length > 1 << 20) { fs.writeSync(out, chunk); chunk = ''; }
  }
  fs.writeSync(out, chunk);
  fs.closeSync(out);
  return { traceId, files: [traceFile, logFile] };
}

test('1,000,000 log records on one span: open, select, the Logs tab and filtering never block', { timeout: 600_000 }, async () => {
  const { traceId, files } = spanWithLogs(1_000_000);
  await assertTasksWithinBudget(async () => {
    const app = await loadedPage(files, 1);
    const steps = {};
    let t = await now(app);
    await app.row(traceId).click();
    await app.spanRows().first().waitFor();
    await app.page.waitForFunction(() => /Logs \(1,?000,?000\)/.test(document.querySelector('[data-testid="tab-logs"]')?.innerText ?? ''), null, { timeout: 30_000 });
    steps['open the trace'] = await longestSince(app, t, 'open the trace');
    t = await now(app);
    await app.spanRows().first().click();
    await app.byTestId('detail-logs').waitFor({ timeout: 30_000 });
    steps['select the span'] = await longestSince(app, t, 'select the span');
    t = await now(app);
    await app.byTestId('tab-logs').click();
    await app.byTestId('log-row').first().waitFor({ timeout: 30_000 });
    steps['the Logs tab'] = await longestSince(app, t, 'the Logs tab');
    t = await now(app);
    await app.byTestId('logs-search').pressSequentially('step 99999', { delay: 50 });
    await app.page.waitForFunction(() => /^11 of 1,?000,?000 log lines/.test(document.querySelector('[data-testid="logs-count"]')?.innerText ?? ''), null, { timeout: 30_000 });
    steps['filter keystrokes'] = await longestSince(app, t, 'filter keystrokes');
    assert.deepEqual(app.problems, []);
    await app.page.close();
    return steps;
  });
});

test('two traces of 50,000 operations each: compare, swap and make a baseline never block', { timeout: 300_000 }, async () => {
  const a = path.join(tmp, 'ops-a.json');
  const b = path.join(tmp, 'ops-b.json');
  fs.writeFileSync(a, JSON.stringify(distinctOperations(50_000, { traceId: '00000000000000000000000000000a50' })));
  fs.writeFileSync(b, JSON.stringify(distinctOperations(50_000, { traceId: '00000000000000000000000000000b50' })));
  await assertTasksWithinBudget(async () => {
    const app = await loadedPage([a, b], 2);
    const steps = {};
    for (const row of await app.byTestId('row-select').all()) await row.check();
    let t = await now(app);
    await app.byTestId('selection-compare').click();
    await app.byTestId('compare-view').waitFor({ timeout: 30_000 });
    await app.byTestId('compare-row').first().waitFor({ timeout: 30_000 });
    steps.compare = await longestSince(app, t, 'compare');
    t = await now(app);
    await app.byTestId('compare-swap').click();
    await app.page.waitForTimeout(500);
    await app.byTestId('compare-row').first().waitFor({ timeout: 30_000 });
    steps.swap = await longestSince(app, t, 'swap');
    await app.byTestId('compare-back').click();
    await app.waitForRows(2);
    t = await now(app);
    await app.byTestId('selection-baseline').click();
    await app.page.waitForFunction(() => /baseline/i.test([...document.querySelectorAll('[data-testid="notice-note"]')].map((n) => n.innerText).join(' ')), null, { timeout: 30_000 }).catch(() => {});
    await app.page.waitForTimeout(1000);
    steps['make a baseline'] = await longestSince(app, t, 'make a baseline');
    assert.deepEqual(app.problems, []);
    await app.page.close();
    return steps;
  });
});

/** One trace of 200 model calls, each sending a message of nested lists, quotes and links. */
function nestedMarkdownTrace() {
  const traceId = '0000000000000000000000000000a6e7';
  const lists = Array.from({ length: 300 }, (_, i) => `${'   '.repeat(i)}1. item ${i}`).join('\n');
  const quotes = `${'>'.repeat(2000)} deep\n\n[reload](javascript:alert(1))`;
  const spans = [zipkinSpan({ traceId, id: hex16(1), name: 'invoke_agent planner', duration: 100_000_000, tags: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner' } })];
  for (let i = 0; i < 200; i++) {
    spans.push(zipkinSpan({
      traceId, id: hex16(i + 2), parentId: hex16(1), name: 'chat gpt-4o', timestamp: 1_600_000_000_000_000 + i * 100, duration: 90,
      tags: {
        'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o',
        'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `${i}\n\n${i % 2 ? lists : quotes}` }] }]),
      },
    }));
  }
  const file = path.join(tmp, 'nested-markdown.json');
  fs.writeFileSync(file, JSON.stringify(spans));
  return { traceId, file };
}

test('200 messages of nested Markdown: the Agent tab opens, and renders Markdown, without blocking', { timeout: 300_000 }, async () => {
  const { traceId, file } = nestedMarkdownTrace();
  await assertTasksWithinBudget(async () => {
    const app = await loadedPage([file], 1);
    const steps = {};
    let t = await now(app);
    await openAgentTab(app, traceId);
    await app.page.waitForFunction(() => document.querySelectorAll('[data-testid="message"]').length >= 200, null, { timeout: 30_000 });
    steps['open the Agent tab'] = await longestSince(app, t, 'open the Agent tab');
    t = await now(app);
    await app.byTestId('conversation-markdown').click();
    await app.page.waitForFunction(() => document.querySelectorAll('.message-markdown').length >= 200, null, { timeout: 30_000 });
    steps.Markdown = await longestSince(app, t, 'Markdown');
    // Bounded: no element nests deeper than the limit, and an unsafe link is text.
    const deepest = await app.page.evaluate(() => {
      let max = 0;
      for (const el of document.querySelectorAll('.message-markdown li, .message-markdown blockquote')) {
        let depth = 0;
        for (let p = el; p && !p.classList?.contains('message-markdown'); p = p.parentElement) if (/^(OL|UL|BLOCKQUOTE)$/.test(p.tagName)) depth++;
        max = Math.max(max, depth);
      }
      return max;
    });
    assert.ok(deepest <= 8, `nested ${deepest} deep`);
    assert.equal(await app.page.locator('.message-markdown a[href=""], .message-markdown a:not([href])').count(), 0);
    assert.ok((await app.page.locator('.message-markdown', { hasText: 'reload' }).count()) > 0);
    assert.deepEqual(app.problems, []);
    await app.page.close();
    return steps;
  });
});

test('exporting a span with 1,000,000 attributes never blocks the page (issue 25 §11)', { timeout: 300_000 }, async () => {
  const traceId = '000000000000000000000000000a771b';
  const file = path.join(tmp, 'million-attributes.json');
  const tags = {};
  for (let i = 0; i < 1_000_000; i++) tags[`k${i}`] = `v${i}`;
  fs.writeFileSync(file, JSON.stringify([zipkinSpan({ traceId, id: hex16(1), name: 'wide', tags })]));
  await assertTasksWithinBudget(async () => {
    const app = await loadedPage([file], 1);
    const t = await now(app);
    const [download] = await Promise.all([
      app.page.waitForEvent('download', { timeout: 120_000 }),
      app.byTestId('export-all').selectOption('otlp'),
    ]);
    const size = fs.statSync(await download.path()).size;
    const steps = { 'export OTLP': await longestSince(app, t, 'export OTLP') };
    assert.ok(size > 30_000_000, `${size} bytes`);
    assert.deepEqual(app.problems, []);
    await app.page.close();
    return steps;
  });
});

test('a 50 MB LLM message: the Agent tab opens and the trace search types without blocking (issue 25 §11)', { timeout: 300_000 }, async () => {
  const traceId = '0000000000000000000000000050a11b';
  const file = path.join(tmp, 'huge-message.json');
  const content = 'lorem ipsum dolor sit amet '.repeat(Math.ceil(50e6 / 27));
  fs.writeFileSync(file, JSON.stringify([
    zipkinSpan({ traceId, id: hex16(1), name: 'invoke_agent planner', duration: 5_000_000, tags: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner' } }),
    zipkinSpan({
      traceId, id: hex16(2), parentId: hex16(1), name: 'chat gpt-4o', timestamp: 1_600_000_000_000_100, duration: 4_000_000,
      tags: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.prompt': content },
    }),
  ]));
  await assertTasksWithinBudget(async () => {
    const app = await loadedPage([file], 1);
    const steps = {};
    let t = await now(app);
    await openAgentTab(app, traceId);
    steps['open the Agent tab'] = await longestSince(app, t, 'open the Agent tab');
    await app.byTestId('tab-timeline').click();
    await app.spanRows().first().waitFor();
    t = await now(app);
    await app.byTestId('span-search').pressSequentially('zzz', { delay: 50 });
    await app.expectMatchCount('0 matches');
    steps['search keystrokes'] = await longestSince(app, t, 'search keystrokes');
    assert.deepEqual(app.problems, []);
    await app.page.close();
    return steps;
  });
});
