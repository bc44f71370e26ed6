// Run after each build by scripts/build_page.mjs (a trunk post_build hook): writes
// service-worker.js into the build from public/service-worker.js, with the build's files and a
// version that is a hash of them.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) throw new Error('run by trunk as a post_build hook (TRUNK_STAGING_DIR is not set)');
// Every built file, also those in the page's folder (scripts/build_page.mjs), by its path.
const files = fs.readdirSync(dir, { recursive: true })
  .map((name) => name.split(path.sep).join('/'))
  .filter((name) => /\.(html|css|js|wasm)$/.test(name) && name !== 'service-worker.js')
  .sort();
const hash = crypto.createHash('sha256');
for (const name of files) hash.update(name).update(fs.readFileSync(path.join(dir, name)));
const version = hash.digest('hex').slice(0, 16);
// The page itself is kept as the scope's address ("./"), which is how it is opened.
const assets = ['./', ...files.filter((name) => name !== 'index.html')];
const template = fs.readFileSync(new URL('../public/service-worker.js', import.meta.url), 'utf8');
const source = template.replace("'__VERSION__'", JSON.stringify(version)).replace('__ASSETS__', JSON.stringify(assets));
fs.writeFileSync(path.join(dir, 'service-worker.js'), source);
console.log(`service-worker.js: version ${version}, ${assets.length} files`);
