// Page object for tracagg: what a person can do and see, by data-testid.
import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run', '--disable-quic',
];

export async function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
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

  async screenshot(name) {
    await this.page.screenshot({ path: `tests/e2e/out/${name}.png`, fullPage: true });
  }
}
