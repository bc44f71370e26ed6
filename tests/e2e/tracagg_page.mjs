// Page object for tracagg: what a person can do and see, by data-testid.
import fs from 'node:fs';
import { chromium } from 'playwright-core';
import { serve } from './server.mjs';

export const CHROMIUM_ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run', '--disable-quic',
];

export async function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/**
 * Serves the built site (E2E_DIST under E2E_BASE) and launches Chromium around a test file's
 * tests. Returns an object whose `url` and `browser` are set once `before` has run.
 */
export function useSite({ before, after }) {
  const site = { url: null, browser: null, server: null };
  before(async () => {
    fs.mkdirSync('tests/e2e/out', { recursive: true });
    const base = process.env.E2E_BASE ?? '/';
    site.server = await serve(process.env.E2E_DIST ?? 'dist', base);
    site.url = `http://127.0.0.1:${site.server.address().port}${base}`;
    site.browser = await launch();
  });
  after(async () => {
    await site.browser?.close();
    site.server?.close();
  });
  return site;
}

export class TracaggPage {
  constructor(page) {
    this.page = page;
    this.problems = [];
    page.on('pageerror', (e) => this.problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') this.problems.push(`console: ${m.text()}`);
    });
    page.on('requestfailed', (r) => this.problems.push(`request failed: ${r.url()}`));
    page.on('response', (r) => {
      if (r.status() >= 400) this.problems.push(`HTTP ${r.status()}: ${r.url()}`);
    });
  }

  async open(url) {
    await this.page.goto(url);
    await this.page.getByTestId('open-files').waitFor();
  }

  byTestId(id) {
    return this.page.getByTestId(id);
  }

  /** Loads files through the "Open files" input. `files` are paths or {name, mimeType, buffer}. */
  async chooseFiles(files) {
    await this.byTestId('file-input').setInputFiles(files);
  }

  /** Drops files on the page the way a drag from the desktop does. */
  async dropFiles(files) {
    const handle = await this.page.evaluateHandle((list) => {
      const transfer = new DataTransfer();
      for (const f of list) transfer.items.add(new File([f.text], f.name, { type: 'application/json' }));
      return transfer;
    }, files);
    const target = this.byTestId('page');
    await target.dispatchEvent('dragenter', { dataTransfer: handle });
    await target.dispatchEvent('dragover', { dataTransfer: handle });
    await target.dispatchEvent('drop', { dataTransfer: handle });
  }

  rows() {
    return this.byTestId('trace-row');
  }

  row(traceId) {
    return this.page.locator(`[data-testid="trace-row"][data-trace-id="${traceId}"]`);
  }

  /** Waits until the services view has computed everything it shows (it computes in steps). */
  async waitForServices() {
    await this.page.waitForFunction(
      () => document.querySelector('[data-testid="services-view"]')?.getAttribute('aria-busy') === 'false',
    );
  }

  async waitForRows(count) {
    await this.page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="trace-row"]').length === n,
      count,
    );
  }

  async rowFacts(traceId) {
    const row = this.row(traceId);
    return {
      spans: await row.getByTestId('span-count').innerText(),
      errors: await row.getByTestId('error-count').innerText(),
      service: await row.getByTestId('root-service').innerText(),
      operation: await row.getByTestId('root-operation').innerText(),
      services: await row.getByTestId('services').locator('.chip').allInnerTexts(),
      duration: await row.getByTestId('duration').innerText(),
      start: await row.getByTestId('start').innerText(),
    };
  }

  async errorNotices() {
    return this.byTestId('notice-error').locator('.notice-text').allInnerTexts();
  }

  /** The load log's lines (one per file that loaded), whether folded or not. */
  async infoNotices() {
    const lines = await this.byTestId('notice-info').locator('.notice-text').allTextContents();
    if (lines.length > 0) return lines;
    return [await this.byTestId('load-log-summary').innerText()];
  }

  // ---- the trace page ----

  /** Opens a trace from the list by clicking its row, and waits for its first timeline row
   * (an agent trace opens on its Agent tab: then the Timeline tab is chosen). */
  async openTrace(traceId) {
    await this.row(traceId).click();
    await this.page.waitForFunction(() => document.querySelector('[data-testid="span-row"], [data-testid="agent-tab"]'));
    if (await this.byTestId('agent-tab').count() > 0) await this.byTestId('tab-timeline').click();
    await this.spanRows().first().waitFor();
  }

  spanRows() {
    return this.byTestId('span-row');
  }

  spanRow(spanId) {
    return this.page.locator(`[data-testid="span-row"][data-span-id="${spanId}"]`);
  }

  /** The "N rows" label above the timeline (all rows, not just those in the DOM). */
  async rowCount() {
    const text = await this.byTestId('ruler').locator('.ruler-label').innerText();
    return Number(text.replace(/ rows?$/, ''));
  }

  async waitForRowCount(n) {
    await this.page.waitForFunction(
      (want) => document.querySelector('[data-testid="ruler"] .ruler-label')?.textContent === `${want} rows`,
      n,
    );
  }

  async search(text) {
    await this.byTestId('span-search').fill(text);
  }

  async matchCount() {
    return this.byTestId('match-count').innerText();
  }

  /** Waits until the match count reads `text` (it updates after the input event). */
  async expectMatchCount(text) {
    try {
      await this.page.waitForFunction(
        (want) => document.querySelector('[data-testid="match-count"]')?.textContent === want,
        text,
        { timeout: 5000 },
      );
    } catch {
      throw new Error(`match count is "${await this.matchCount()}", expected "${text}"`);
    }
  }

  async detail() {
    const panel = this.byTestId('span-detail');
    await panel.waitFor();
    const text = async (id) => panel.getByTestId(id).innerText();
    const table = async (id) => {
      const section = panel.getByTestId(id);
      if ((await section.count()) === 0) return {};
      const keys = await section.locator('th').allInnerTexts();
      const values = await section.locator('td').allInnerTexts();
      return Object.fromEntries(keys.map((k, i) => [k, values[i]]));
    };
    return {
      operation: await text('detail-operation'),
      service: await text('detail-service'),
      spanId: await text('detail-span-id'),
      status: await text('detail-status'),
      duration: await text('detail-duration'),
      self: await text('detail-self'),
      critical: await text('detail-critical'),
      start: await text('detail-start'),
      attributes: await table('detail-attributes'),
      resource: await table('detail-resource'),
      events: await panel.getByTestId('detail-events').locator('.event-head').allInnerTexts(),
    };
  }

  /** A screenshot of the whole page, or (`fullPage: false`) of the window as a person sees it:
   * a full-page capture draws a scrolled timeline from its top. */
  async screenshot(name, { fullPage = true } = {}) {
    await this.page.screenshot({ path: `tests/e2e/out/${name}.png`, fullPage });
  }
}

/** The budget for one main-thread task: 100 ms in the release build CI tests (E2E_TASK_BUDGET). */
export const TASK_BUDGET = Number(process.env.E2E_TASK_BUDGET ?? 100);

/**
 * Runs `attempt` (which does what a person does in a fresh page and returns the longest
 * main-thread task of each timed step, by name) and checks every step against the budget. A
 * step over budget is measured once more, in a fresh page: one stall of a noisy machine (a
 * garbage collection, another process) fails neither run alone, but a real regression is over
 * budget in both. Both runs are printed.
 */
export async function assertTasksWithinBudget(attempt, budget = TASK_BUDGET) {
  const first = await attempt();
  const over = Object.entries(first).filter(([, ms]) => ms > budget);
  if (over.length === 0) return first;
  console.log(`over ${budget} ms on the first run (${over.map(([k, v]) => `${k}: ${v.toFixed(0)} ms`).join(', ')}); measuring again`);
  const second = await attempt();
  for (const [step, ms] of Object.entries(second)) {
    if (ms > budget) throw new Error(`${step}: longest task ${ms.toFixed(0)} ms, then ${(first[step] ?? 0).toFixed(0)} ms, over ${budget} ms`);
  }
  return second;
}
