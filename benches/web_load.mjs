// Load benchmark in headless Chromium (a script, not a test): `./run bench-web [SIZES...]`.
//
// For generated traces (Jaeger; BENCH_FORMAT=otlp or zipkin for the others) of 1,000 …
// 1,000,000 spans, handed to the page through the file input, prints per size, in two modes
// (BENCH_MODE=warm or cold for one of them):
//   cold      a fresh browser opens the page and the file is handed over at once, at the
//             page's `load` event (what a new user does): load is then the time from `load`
//             to the frame showing the first timeline rows, start-up included;
//   warm      the file is handed over to a page that has been open for 5 s: load is the time
//             from the file input's change event to that frame (the page is opened on
//             `#trace=<id>`, so it opens the trace as soon as it is loaded: read + parse +
//             build in the worker, hand-over, analysis, first render);
//   cold÷warm the two loads' ratio, both measured in this run; also with the cold load counted
//             from the moment the file reached the page. The cold file is dropped by a script
//             in the page at `load` (fetched from a second local server while the page starts,
//             as a person's file is on their disk): Playwright's setInputFiles lands only
//             0.2–0.7 s later, when the start screen's input is swapped for the app's;
//   start-up  the longest main-thread task from navigation until the file is handed over
//             (warm mode: the page's first 5 s, its warm-up included);
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
import http from 'node:http';
import zlib from 'node:zlib';
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
// Which modes to run (BENCH_MODE: both, the default, warm or cold).
const MODES = (process.env.BENCH_MODE ?? 'both') === 'both' ? ['cold', 'warm'] : [process.env.BENCH_MODE];
// How long the warm mode's page is open before the file is handed over (ms).
const WARM_MS = 5000;

const INSTRUMENT = `
  window.__bench = { longTasks: [], t0: null, t1: null, file: null, loaded: null, changed: null };
  addEventListener('load', () => { window.__bench.loaded = performance.now(); });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__bench.longTasks.push([e.startTime, e.duration]);
  }).observe({ type: 'longtask', buffered: true });
  document.addEventListener('change', (e) => {
    if (e.target.type === 'file' && e.target.files.length) {
      window.__bench.changed = performance.now();
      window.__bench.t0 = window.__bench.cold ? window.__bench.loaded : window.__bench.changed;
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

// Cold mode's file, dropped on the page at its `load` event (see the header): the start screen
// takes it while the app starts, the app's drop zone after.
const COLD_DROP = (url, name) => `
  (() => {
    const got = fetch(${JSON.stringify(url)}).then((response) => response.blob());
    addEventListener('load', () => {
      got.then((blob) => {
        const file = new File([blob], ${JSON.stringify(name)}, { type: 'application/json' });
        const data = new DataTransfer();
        data.items.add(file);
        const bench = window.__bench;
        bench.changed = performance.now();
        bench.t0 = bench.loaded;
        bench.file = file;
        const target = document.querySelector('[data-testid=page]') ?? document.body;
        target.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
      });
    });
  })();
`;

// Serves the file being measured to the cold mode's page (another origin: CORS allowed).
let benchFile = null;
const fileServer = http.createServer((req, res) => {
  if (!benchFile) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'access-control-allow-origin': '*', 'content-type': 'application/json' });
  fs.createReadStream(benchFile).pipe(res);
});
await new Promise((done) => fileServer.listen(0, '127.0.0.1', done));
const fileUrl = `http://127.0.0.1:${fileServer.address().port}/trace.json`;

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
// The site's sub-path (BENCH_BASE, `/` by default: the build of `./run bench-web`).
const BASE = process.env.BENCH_BASE ?? '/';
const server = await serve(DIST, BASE);
const base = `http://127.0.0.1:${server.address().port}${BASE}`;
const results = [];

/** One load of `file` in a fresh browser, in `mode` (cold or warm); a row of figures. */
async function measure(mode, spans, file, traceId) {
  const before = new Set(fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number));
  const browser = await launch();
  const browserPid = browserPidOf(before);
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(300_000);
  await page.addInitScript(INSTRUMENT);
  if (mode === 'cold') await page.addInitScript('window.__bench.cold = true;');
  const workerLines = [];
  page.on('console', (m) => { if (m.text().startsWith('tracagg worker:')) workerLines.push(m.text()); });
  if (mode === 'cold') {
    // A new user: the page has just loaded and the file is dropped at once.
    benchFile = file;
    await page.addInitScript(COLD_DROP(fileUrl, path.basename(file)));
    await page.goto(`${base}#trace=${traceId}`, { waitUntil: 'load' });
  } else {
    await page.goto(`${base}#trace=${traceId}`);
    await page.getByTestId('trace-not-loaded').waitFor();
    // Let the page settle (its parsing workers start and warm up), as it has by the time a
    // person has picked a file.
    await page.waitForTimeout(WARM_MS);
    await page.getByTestId('file-input').setInputFiles(file);
  }
  await page.waitForFunction(() => window.__bench.t1 !== null, null, { timeout: 600_000, polling: 50 });
  const timing = await page.evaluate(() => {
    const { t0, t1, longTasks, changed, loaded } = window.__bench;
    const during = longTasks.filter(([start, d]) => start + d >= t0 && start <= t1);
    const startup = longTasks.filter(([start]) => start < changed);
    const measures = [`load event at ${loaded.toFixed(0)} ms, file handed over at ${changed.toFixed(0)} ms`];
    for (const m of performance.getEntriesByType('measure')) {
      if (m.name.startsWith('tracagg') && m.startTime >= t0) {
        measures.push(`${m.name.replace('tracagg: ', '')} ${m.duration.toFixed(0)} ms at +${(m.startTime - t0).toFixed(0)}`);
      }
    }
    for (const m of performance.getEntriesByType('mark')) {
      if (m.name.startsWith('tracagg') && !/ (start|end)$/.test(m.name) && m.startTime >= t0) {
        measures.push(`${m.name.replace('tracagg: ', '')} at +${(m.startTime - t0).toFixed(0)}`);
      }
    }
    measures.push(`long tasks ${during.map(([s, d]) => `${d.toFixed(0)} ms at +${(s - t0).toFixed(0)}`).join(', ')}`);
    if (startup.length) measures.push(`start-up long tasks ${startup.map(([s, d]) => `${d.toFixed(0)} ms at ${s.toFixed(0)}`).join(', ')}`);
    return {
      load: t1 - t0,
      afterHandOver: t1 - changed,
      longest: Math.max(0, ...during.map(([, d]) => d)),
      startup: Math.max(0, ...startup.map(([, d]) => d)),
      measures,
    };
  });
  const peakKiB = browserPid ? rendererPeakKiB(browserPid) : 0;
  let p95Frame = 0;
  let servicesTask = 0;
  if (mode === 'warm') {
    // p95 frame time while scrolling the timeline ~10 rows per frame for 2 s.
    p95Frame = await page.evaluate(async () => {
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
    servicesTask = await page.evaluate(async () => {
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
  }

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
  return {
    mode, spans, load: timing.load, afterHandOver: timing.afterHandOver, parse, ratio: timing.load / parse, longest: timing.longest,
    startup: timing.startup, peakMiB: peakKiB / 1024, p95Frame, servicesTask,
    breakdown: [...workerLines, ...timing.measures].join('; '),
  };
}

/** The run with the median ratio stands for a mode; the longest tasks are the worst runs'. */
function summary(runs) {
  if (!runs.length) return null;
  const sorted = [...runs].sort((a, b) => a.ratio - b.ratio);
  return {
    ...sorted[Math.floor(sorted.length / 2)],
    longest: Math.max(...runs.map((r) => r.longest)),
    startup: Math.max(...runs.map((r) => r.startup)),
    servicesTask: Math.max(...runs.map((r) => r.servicesTask)),
  };
}

try {
  for (const spans of SIZES) {
    const file = path.join(dir, `trace-${spans}.json`);
    fs.writeFileSync(file, execFileSync(CLI, ['gen', '--spans', String(spans), '--format', FORMAT], { maxBuffer: 2 ** 31 - 1 }));
    const head = fs.readFileSync(file, { encoding: 'utf8', flag: 'r' }).slice(0, 4096);
    const traceId = /"trace(?:ID|Id)":"([0-9a-f]+)"/.exec(head)?.[1];
    const mb = fs.statSync(file).size / 1e6;
    const runs = { cold: [], warm: [] };
    for (let run = 0; run < RUNS; run++) {
      // Cold and warm alternate, so that both see the machine in the same state.
      for (const mode of MODES) {
        const row = { ...(await measure(mode, spans, file, traceId)), mb };
        runs[mode].push(row);
        console.log(JSON.stringify(row));
      }
    }
    fs.rmSync(file);
    results.push({ spans, mb, cold: summary(runs.cold), warm: summary(runs.warm) });
  }
} finally {
  server.close();
  fileServer.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

const pad = (s, n) => String(s).padStart(n);
const fixed = (n, digits = 0) => (n === undefined || n === null ? '-' : n.toFixed(digits));
console.log(`\nMedian of ${RUNS} run(s) by ratio; longest tasks: the worst run.`);
console.log('\n     spans     MB  mode    load ms  after hand-over ms  JSON.parse ms  ratio  cold÷warm  (after hand-over)  longest task ms  start-up task ms  peak RSS MiB  p95 frame ms  services task ms');
for (const r of results) {
  const coldOverWarm = r.cold && r.warm ? r.cold.load / r.warm.load : null;
  const afterOverWarm = r.cold && r.warm ? r.cold.afterHandOver / r.warm.load : null;
  for (const mode of MODES) {
    const m = r[mode];
    console.log(
      pad(r.spans.toLocaleString('en'), 10), pad(r.mb.toFixed(1), 6), pad(mode, 5), pad(fixed(m.load), 10),
      pad(mode === 'cold' ? fixed(m.afterHandOver) : '', 19),
      pad(fixed(m.parse), 14), pad(fixed(m.ratio, 2), 6), pad(mode === 'cold' ? fixed(coldOverWarm, 2) : '', 10),
      pad(mode === 'cold' ? fixed(afterOverWarm, 2) : '', 18),
      pad(fixed(m.longest), 16), pad(fixed(m.startup), 17), pad(fixed(m.peakMiB), 13),
      pad(mode === 'warm' ? fixed(m.p95Frame, 1) : '', 13), pad(mode === 'warm' ? fixed(m.servicesTask) : '', 17),
    );
  }
}
console.log('\nWhere the load time goes:');
for (const r of results) {
  for (const mode of MODES) console.log(`${pad(r.spans.toLocaleString('en'), 10)} ${mode}  ${r[mode].breakdown}`);
}

// What a first visit downloads before the first trace shows: the page, its style and script,
// its wasm's first part (with the chunk loader), and the parsing worker's script and wasm
// (sizes as a server would send them); then the parts loaded later (scripts/build_page.mjs).
console.log('\nBundle (bytes)                                   raw       gzip     brotli');
const sizesOf = (full) => {
  const body = fs.readFileSync(full);
  return [body.length, zlib.gzipSync(body, { level: 9 }).length,
    zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length];
};
const add = (a, b) => a.map((t, i) => t + b[i]);
const row = (label, sizes) => console.log(label.padEnd(44), ...sizes.map((n) => pad(n.toLocaleString('en'), 10)));
let page = [0, 0, 0];
let worker = [0, 0, 0];
let later = [0, 0, 0];
let laterFiles = 0;
for (const name of fs.readdirSync(DIST, { recursive: true }).map(String).sort()) {
  const full = path.join(DIST, name);
  if (!fs.statSync(full).isFile() || !/\.(html|css|js|wasm)$/.test(name) || name === 'service-worker.js') continue;
  const sizes = sizesOf(full);
  if (/(^|\/)(split|chunk)_[^/]*\.wasm$/.test(name)) {
    later = add(later, sizes);
    laterFiles += 1;
    if (/split_/.test(name)) row(`  later: ${name}`, sizes);
  } else {
    row(name, sizes);
    if (/tracagg-worker/.test(name)) worker = add(worker, sizes);
    else page = add(page, sizes);
  }
}
row('first visit, the page (all above but the worker)', page);
row('first visit, with the worker', add(page, worker));
row(`loaded later (${laterFiles} chunks)`, later);
