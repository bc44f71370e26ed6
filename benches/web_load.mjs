// Load benchmark in headless Chromium (a script, not a test): `./run bench-web [SIZES...]`.
//
// For generated traces (Jaeger; BENCH_FORMAT=otlp or zipkin for the others) of 1,000 …
// 1,000,000 spans, handed to the page through the file
// input, prints per size:
//   load      time from the file input's change event to the frame showing the first
//             timeline rows (the page is opened on `#trace=<id>`, so it opens the trace as
//             soon as it is loaded: read + parse + build in the worker, hand-over, analysis,
//             first render);
//   JSON.parse  the same page's JSON.parse of the same bytes (the floor any JSON viewer pays),
//             and load ÷ JSON.parse;
//   longest   the longest main-thread task during the load (Long Tasks API);
//   peak RSS  the renderer process's peak resident memory (VmHWM) after the load;
//   p95 frame frame time while scrolling the timeline (p95 over ~2 s of scrolling);
//   services  the longest main-thread task from switching to the services view until its
//             statistics of every span are all shown.
// Each size runs in a fresh browser so memory peaks do not carry over.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { serve } from '../tests/e2e/server.mjs';
import { launch } from '../tests/e2e/tracagg_page.mjs';

const DIST = process.env.BENCH_DIST ?? 'target/bench-dist';
const CLI = process.env.BENCH_CLI ?? 'target/release/tracagg';
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const SIZES = sizes.length ? sizes : [1000, 10000, 100000, 1000000];
// Runs per size (BENCH_RUNS, default 3): single runs on a noisy 2-core machine vary by ±25 %.
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
// The generated file's format (BENCH_FORMAT: jaeger, the default, otlp or zipkin).
const FORMAT = process.env.BENCH_FORMAT ?? 'jaeger';

const INSTRUMENT = `
  window.__bench = { longTasks: [], t0: null, t1: null, file: null };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__bench.longTasks.push([e.startTime, e.duration]);
  }).observe({ type: 'longtask', buffered: true });
  document.addEventListener('change', (e) => {
    if (e.target.type === 'file' && e.target.files.length) {
      window.__bench.t0 = performance.now();
      window.__bench.file = e.target.files[0];
    }
  }, true);
  new MutationObserver((_, observer) => {
    if (window.__bench.t0 !== null && document.querySelector('[data-testid=span-row]')) {
      observer.disconnect();
      requestAnimationFrame(() => { window.__bench.t1 = performance.now(); });
    }
  }).observe(document, { childList: true, subtree: true });
`;

function rendererPeakKiB(browserPid) {
  // The tab's renderer is a descendant of the browser process started for this size.
  let peak = 0;
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('--type=renderer')) continue;
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const ppid = Number(/PPid:\s+(\d+)/.exec(status)?.[1]);
      const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      if (isDescendant(ppid, browserPid) && hwm > peak) peak = hwm;
    } catch { /* the process ended */ }
  }
  return peak;
}

function isDescendant(pid, ancestor) {
  for (let i = 0; i < 10 && pid > 1; i++) {
    if (pid === ancestor) return true;
    try {
      pid = Number(/PPid:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    } catch { return false; }
  }
  return false;
}

function browserPidOf(before) {
  const now = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
  return now.filter((p) => !before.has(p)).find((p) => {
    try {
      const cmd = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8');
      return cmd.includes('chromium') && !cmd.includes('--type=');
    } catch { return false; }
  });
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracagg-bench-'));
const server = await serve(DIST, '/');
const base = `http://127.0.0.1:${server.address().port}/`;
const results = [];
try {
  for (const spans of SIZES) {
    const file = path.join(dir, `trace-${spans}.json`);
    fs.writeFileSync(file, execFileSync(CLI, ['gen', '--spans', String(spans), '--format', FORMAT], { maxBuffer: 2 ** 31 - 1 }));
    const head = fs.readFileSync(file, { encoding: 'utf8', flag: 'r' }).slice(0, 4096);
    const traceId = /"trace(?:ID|Id)":"([0-9a-f]+)"/.exec(head)?.[1];
    const mb = fs.statSync(file).size / 1e6;
    const runs = [];
    for (let run = 0; run < RUNS; run++) {
      const before = new Set(fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number));
      const browser = await launch();
      const browserPid = browserPidOf(before);
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      page.setDefaultTimeout(300_000);
      await page.addInitScript(INSTRUMENT);
      const workerLines = [];
      page.on('console', (m) => { if (m.text().startsWith('tracagg worker:')) workerLines.push(m.text()); });
      await page.goto(`${base}#trace=${traceId}`);
      await page.getByTestId('trace-not-loaded').waitFor();
      // Let the page settle (its two parsing workers start and warm up one after the other at
      // page load), as it has by the time a person has picked a file.
      await page.waitForTimeout(3000);
      await page.getByTestId('file-input').setInputFiles(file);
      await page.waitForFunction(() => window.__bench.t1 !== null, null, { timeout: 600_000, polling: 50 });
      const timing = await page.evaluate(() => {
        const { t0, t1, longTasks } = window.__bench;
        const during = longTasks.filter(([start, d]) => start + d >= t0 && start <= t1);
        const measures = performance.getEntriesByType('measure')
          .filter((m) => m.name.startsWith('tracagg'))
          .map((m) => `${m.name.replace('tracagg: ', '')} ${m.duration.toFixed(0)} ms at +${(m.startTime - t0).toFixed(0)}`);
        for (const m of performance.getEntriesByType('mark')) {
          if (m.name.startsWith('tracagg') && !/ (start|end)$/.test(m.name) && m.startTime >= t0) {
            measures.push(`${m.name.replace('tracagg: ', '')} at +${(m.startTime - t0).toFixed(0)}`);
          }
        }
        measures.push(`long tasks ${during.map(([s, d]) => `${d.toFixed(0)} ms at +${(s - t0).toFixed(0)}`).join(', ')}`);
        return { load: t1 - t0, longest: Math.max(0, ...during.map(([, d]) => d)), measures };
      });
      const peakKiB = browserPid ? rendererPeakKiB(browserPid) : 0;

      // p95 frame time while scrolling the timeline ~10 rows per frame for 2 s.
      const p95Frame = await page.evaluate(async () => {
        const scroller = document.querySelector('[data-testid=timeline-scroller]');
        const deltas = [];
        let last = performance.now();
        const end = last + 2000;
        await new Promise((done) => {
          const step = (now) => {
            deltas.push(now - last);
            last = now;
            scroller.scrollTop += 240;
            if (now < end && scroller.scrollTop + scroller.clientHeight < scroller.scrollHeight) requestAnimationFrame(step);
            else done();
          };
          requestAnimationFrame(step);
        });
        deltas.sort((a, b) => a - b);
        return deltas[Math.floor(deltas.length * 0.95)] ?? 0;
      });

      // The services view after the load: the longest main-thread task from switching to it
      // until it has computed everything (its statistics go over every span).
      const servicesTask = await page.evaluate(async () => {
        const since = performance.now();
        location.hash = 'view=services';
        await new Promise((done) => {
          const check = () => {
            const view = document.querySelector('[data-testid=services-view]');
            if (view?.getAttribute('aria-busy') === 'false') done();
            else setTimeout(check, 20);
          };
          check();
        });
        // Long-task entries arrive after their task: give the observer a moment.
        await new Promise((done) => setTimeout(done, 200));
        const during = window.__bench.longTasks.filter(([start]) => start >= since);
        return Math.max(0, ...during.map(([, d]) => d));
      });

      // The floor: JSON.parse of the same bytes, in the same page (best of up to 3 runs).
      const parse = await page.evaluate(async (runs) => {
        const text = await window.__bench.file.text();
        let best = Infinity;
        for (let i = 0; i < runs; i++) {
          const start = performance.now();
          JSON.parse(text);
          best = Math.min(best, performance.now() - start);
        }
        return best;
      }, spans >= 1000000 ? 1 : 3);
      await browser.close();
      const row = {
        spans, mb, load: timing.load, parse, ratio: timing.load / parse,
        longest: timing.longest, peakMiB: peakKiB / 1024, p95Frame, servicesTask,
        breakdown: [...workerLines, ...timing.measures].join('; '),
      };
      runs.push(row);
      console.log(JSON.stringify(row));
    }
    fs.rmSync(file);
    // The run with the median ratio stands for this size (each ratio is of one run's load and
    // the same run's JSON.parse); the longest task is the worst of all runs.
    runs.sort((a, b) => a.ratio - b.ratio);
    const median = runs[Math.floor(runs.length / 2)];
    results.push({
      ...median,
      longest: Math.max(...runs.map((r) => r.longest)),
      servicesTask: Math.max(...runs.map((r) => r.servicesTask)),
      runs: runs.length,
    });
  }
} finally {
  server.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

const pad = (s, n) => String(s).padStart(n);
console.log(`\nMedian of ${RUNS} run(s) by ratio; longest tasks: the worst run.`);
console.log('\n     spans     MB    load ms  JSON.parse ms  ratio  longest task ms  peak RSS MiB  p95 frame ms  services task ms');
for (const r of results) {
  console.log(
    pad(r.spans.toLocaleString('en'), 10), pad(r.mb.toFixed(1), 6), pad(r.load.toFixed(0), 10),
    pad(r.parse.toFixed(0), 14), pad(r.ratio.toFixed(2), 6), pad(r.longest.toFixed(0), 16),
    pad(r.peakMiB.toFixed(0), 13), pad(r.p95Frame.toFixed(1), 13), pad(r.servicesTask.toFixed(0), 17),
  );
}
console.log('\nWhere the load time goes:');
for (const r of results) console.log(`${pad(r.spans.toLocaleString('en'), 10)}  ${r.breakdown}`);
