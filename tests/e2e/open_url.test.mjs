// End-to-end: trace files opened by address — `#url=` and `?url=` links (repeatable) and
// "Open URL…" — kept in the link; a CORS refusal and an HTTP error say what happened.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TracaggPage, useSite } from './tracagg_page.mjs';
import { startBackends } from './backend_server.mjs';

const site = useSite({ before, after });
let backends;
before(async () => { backends = await startBackends(); });
after(() => backends?.close());
const fileUrl = (mode, path) => `http://127.0.0.1:${backends.address().port}/${mode}/files/${path}`;

async function openPage(suffix = '') {
  const page = await site.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const app = new TracaggPage(page);
  await app.open(site.url + suffix);
  return app;
}

test('#url= and ?url= links load their files and the link keeps them', async () => {
  const a = fileUrl('ok', 'zipkin/skew.json');
  const b = fileUrl('ok', 'otlp/genai-agent-trace.json');
  const app = await openPage(`?url=${encodeURIComponent(a)}#url=${encodeURIComponent(b)}`);
  await app.waitForRows(2);
  assert.ok(backends.requests.some((r) => r.backend === 'files' && r.api === '/zipkin/skew.json'));
  // Both addresses are in the fragment, and stay there when a trace is opened and left.
  const hash = decodeURIComponent(await app.page.evaluate(() => location.hash));
  assert.ok(hash.includes(`url=${a}`) && hash.includes(`url=${b}`), hash);
  await app.rows().first().click();
  await app.byTestId('trace-tabs').waitFor();
  assert.ok(decodeURIComponent(await app.page.evaluate(() => location.hash)).includes(`url=${b}`));
  await app.byTestId('back').click();
  // Someone else opening the link gets the same traces.
  const link = await app.page.evaluate(() => location.href);
  const other = await openPage(link.slice(link.indexOf('#')));
  await other.waitForRows(2);
  assert.deepEqual([...app.problems, ...other.problems], []);
  await other.page.close();
  await app.page.close();
});

test('Open URL… loads a file; refusals and HTTP errors say what happened and what the server must send', async () => {
  const app = await openPage();
  await app.byTestId('open-url').click();
  await app.byTestId('open-url-input').fill(fileUrl('ok', 'jaeger/root-2992f2a5b5d037a8aabffd08ef384237.json'));
  await app.byTestId('open-url-go').click();
  await app.waitForRows(1);
  assert.match(await app.page.evaluate(() => decodeURIComponent(location.hash)), /url=http:\/\/127\.0\.0\.1:\d+\/ok\/files\/jaeger\/root-2992/);
  // A server that sends no Access-Control-Allow-Origin.
  await app.byTestId('open-url').click();
  await app.byTestId('open-url-input').fill(fileUrl('nocors', 'zipkin/skew.json'));
  await app.byTestId('open-url-go').click();
  await app.page.waitForFunction(() => /Could not download .*nocors.*Access-Control-Allow-Origin/.test(document.querySelector('[data-testid="notice-error"]')?.innerText ?? ''));
  // A missing file.
  await app.byTestId('open-url').click();
  await app.byTestId('open-url-input').fill(fileUrl('ok', 'zipkin/missing.json'));
  await app.byTestId('open-url-go').click();
  await app.page.waitForFunction(() => /HTTP 404/.test([...document.querySelectorAll('[data-testid="notice-error"]')].map((n) => n.innerText).join('\n')));
  // What was loaded stays.
  assert.equal(await app.rows().count(), 1);
  await app.screenshot('open-url-errors', { fullPage: false });
  // The browser itself reports the refused and missing downloads on the console; nothing else.
  assert.deepEqual(app.problems.filter((p) => !/nocors|missing\.json|status of 404|CORS|Failed to fetch|ERR_FAILED/.test(p)), []);
  await app.page.close();
});

test('a download shows how much has arrived, of how much', async () => {
  const app = await openPage(`#url=${encodeURIComponent(fileUrl('trickle', 'zipkin/smartthings-oauth-authorization.json'))}`);
  await app.page.waitForFunction(() => /\(downloading: \d+ KB of 109 KB\)/.test(document.querySelector('[data-testid="pending"]')?.innerText ?? ''));
  const percent = Number(await app.byTestId('pending').locator('[role="progressbar"]').getAttribute('aria-valuenow'));
  assert.ok(percent > 0 && percent < 100, `${percent} %`);
  await app.screenshot('download-progress', { fullPage: false });
  await app.waitForRows(1);
  assert.deepEqual(app.problems, []);
  await app.page.close();
});
