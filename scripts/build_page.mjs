// Trunk post_build hook (Trunk.toml): builds the page's own wasm (bin `tracagg-web`) and puts
// it into the build, then writes service-worker.js (scripts/service_worker.mjs).
//
// Trunk builds the worker; the page is built here because a release build of it is split
// into chunks, a step trunk does not have:
//   1. cargo builds the page with `--cfg tracagg_split` (src/ui/widgets/lazy.rs) and keeps
//      the linker's relocations (`--emit-relocs`), which the splitter needs;
//   2. wasm-split-cli (crate wasm_split_cli_support) moves each `split_fn!`'s code, and what
//      only it uses, into a chunk, and writes `__wasm_split.js`, which downloads a chunk on
//      first use;
//   3. wasm-bindgen makes the main part's JS glue; wasm-opt -Oz shrinks every part.
// A debug build (`trunk serve`, `trunk build`) skips 1's flags and 2: one wasm, as before.
// The files go into `page-<hash of them>/`, so a new build never meets an old cached chunk,
// and index.html's `<meta name="tracagg-page">` becomes the preloads and the start script.
import crypto from 'node:crypto';
import { spawn } from 'node:child_process';
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) throw new Error('run by trunk as a post_build hook (TRUNK_STAGING_DIR is not set)');
const release = process.env.TRUNK_PROFILE === 'release';
const publicUrl = process.env.TRUNK_PUBLIC_URL || '/';
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const target = process.env.CARGO_TARGET_DIR ? path.resolve(process.env.CARGO_TARGET_DIR) : path.join(root, 'target');
const work = path.join(target, 'page-build');
const name = 'tracagg-web';

/** Runs `command` in the project's folder, its output shown; resolves when it succeeded. */
function run(command, args, env = {}) {
  console.log(`build_page: ${command} ${args.join(' ')}`);
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`${command} ${args.join(' ')}: exit ${code}`))));
  });
}

// Trunk's build of the worker has hashed names; the page and index.html start it by fixed ones.
for (const file of fs.readdirSync(staging)) {
  const worker = /^tracagg-worker-[0-9a-f]+(_bg\.wasm|\.js)$/.exec(file);
  if (worker) fs.renameSync(path.join(staging, file), path.join(staging, `tracagg-worker${worker[1]}`));
}

fs.rmSync(work, { recursive: true, force: true });
const split = path.join(work, 'split');
const out = path.join(work, 'out');
fs.mkdirSync(split, { recursive: true });
fs.mkdirSync(out, { recursive: true });

if (release) {
  // RUSTFLAGS replaces .cargo/config.toml's flags for this target, so they are repeated here.
  await run('cargo', ['build', '--offline', '--locked', '--target', 'wasm32-unknown-unknown', '--bin', name, '--profile', 'web-page'], {
    RUSTFLAGS: '--cfg erase_components --cfg tracagg_split -C link-arg=--emit-relocs',
  });
  const built = path.join(target, 'wasm32-unknown-unknown', 'web-page', `${name}.wasm`);
  await run('wasm-split-cli', ['--target', 'web', '--out-name', name, built, split]);
  await run('wasm-bindgen', ['--target', 'web', '--no-typescript', '--keep-lld-exports', '--out-dir', out, '--out-name', name, path.join(split, `${name}.wasm`)]);
  for (const file of fs.readdirSync(split)) {
    if (file !== `${name}.wasm`) fs.copyFileSync(path.join(split, file), path.join(out, file));
  }
  // wasm-opt on every part, the largest first, as many at once as there are cores.
  const parts = fs.readdirSync(out).filter((f) => f.endsWith('.wasm'))
    .sort((a, b) => fs.statSync(path.join(out, b)).size - fs.statSync(path.join(out, a)).size);
  const optimise = async () => {
    for (let file = parts.shift(); file; file = parts.shift()) {
      const at = path.join(out, file);
      await run('wasm-opt', ['-Oz', '--output', at, at]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, os.availableParallelism()) }, optimise));
} else {
  await run('cargo', ['build', '--offline', '--locked', '--target', 'wasm32-unknown-unknown', '--bin', name]);
  const built = path.join(target, 'wasm32-unknown-unknown', 'debug', `${name}.wasm`);
  await run('wasm-bindgen', ['--target', 'web', '--no-typescript', '--debug', '--out-dir', out, '--out-name', name, built]);
}

const files = fs.readdirSync(out).sort();
const hash = crypto.createHash('sha256');
for (const file of files) hash.update(file).update(fs.readFileSync(path.join(out, file)));
const dir = `page-${hash.digest('hex').slice(0, 16)}`;
fs.mkdirSync(path.join(staging, dir));
for (const file of files) fs.copyFileSync(path.join(out, file), path.join(staging, dir, file));

const base = `${publicUrl.replace(/\/?$/, '/')}${dir}/`;
const start = [
  `<link rel="modulepreload" href="${base}${name}.js">`,
  `<link rel="preload" href="${base}${name}_bg.wasm" as="fetch" type="application/wasm" crossorigin>`,
  `<script type="module">import init from "${base}${name}.js"; init({ module_or_path: "${base}${name}_bg.wasm" });</script>`,
].join('\n    ');
const html = path.join(staging, 'index.html');
const page = fs.readFileSync(html, 'utf8');
const marker = /<meta name="tracagg-page"\s*\/?>/;
if (!marker.test(page)) throw new Error('index.html has no <meta name="tracagg-page">');
// Trunk leaves its (worker's) link in place when it injects no script.
fs.writeFileSync(html, page.replace(marker, start).replace(/<link data-trunk rel="rust"[^>]*>\s*/, ''));
console.log(`build_page: ${dir}: ${files.map((f) => `${f} ${fs.statSync(path.join(out, f)).size} B`).join(', ')}`);

await import('./service_worker.mjs');
