// End-to-end: live backends. The page connects to a local replay server (backend_server.mjs)
// that answers with the real Jaeger v1, Jaeger v3, Tempo and Zipkin response shapes, and fails
// on request: CORS refused, HTTP 500, slow, malformed, empty, unauthorised.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TracaggPage, useSite } from './tracagg_page.mjs';
import { startBackends, HOTROD_ID } from './backend_server.mjs';

const site = useSite({ before, after });
let backends;
before(async () => { backends = await startBackends(); });
after(() => backends?.close());
const base = (mode, kind) => `http://127.0.0.1:${backends.address().port}/${mode}/${kind}`;

/** Opens the page and connects; returns the page object once the status line settles. */
async function connected(kind, url, { token, timeout, remember = false, expectError = false } = {}) {
  const page = await site.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const app = new TracaggPage(page);
  await app.open(site.url);
  await app.byTestId('toggle-backend').click();
  await app.byTestId('backend-kind').selectOption(kind);
  await app.byTestId('backend-url').fill(url);
  if (token) {
    await app.byTestId('backend-auth').selectOption('bearer');
    await app.byTestId('backend-token').fill(token);
    if (remember) await app.byTestId('backend-remember').check();
  }
  if (timeout) await app.byTestId('backend-timeout').fill(String(timeout));
  await app.byTestId('backend-connect').click();
  if (expectError) {
    await app.byTestId('backend-error').waitFor();
  } else {
    await app.page.waitForFunction(() => /^Connected/.test(document.querySelector('[data-testid=backend-status]')?.textContent ?? ''));
  }
  return app;
}

async function searchFor(app, service) {
  if (service) await app.byTestId('backend-service').selectOption(service);
  await app.byTestId('backend-search-button').click();
}

/** Expected console noise: the browser logs refused and failed requests itself. */
const realProblems = (app) => app.problems.filter((p) => !/Failed to load resource|CORS policy|net::ERR_FAILED|HTTP (4|5)\d\d: http:\/\/127\.0\.0\.1:\d+\/(ok|auth|old|nocors|fail500|search-)/.test(p) && !/request failed: http:\/\/127\.0\.0\.1:\d+\/nocors/.test(p));

test('Jaeger v1: detects the API, searches, lists found traces, loads dependencies', async () => {
  const app = await connected('jaeger', base('ok', 'jaeger1'));
  assert.match(await app.byTestId('backend-status').innerText(), /Jaeger API v1 \(\d+ services\)/);
  const services = await app.byTestId('backend-service').locator('option').allTextContents();
  assert.ok(services.includes('api-gateway') || services.length > 3, services.join(', '));
  const service = services.find((s) => s !== '(any)');
  await app.byTestId('backend-min').fill('1us');
  await searchFor(app, service);
  await app.byTestId('found-trace').first().waitFor();
  const search = backends.requests.filter((r) => r.backend === 'jaeger1' && r.api === '/api/traces').at(-1);
  const params = new URLSearchParams(search.query);
  assert.equal(params.get('service'), service);
  assert.equal(params.get('limit'), '20');
  assert.equal(params.get('minDuration'), '1us');
  assert.ok(Number(params.get('end')) - Number(params.get('start')) === 3600e6, 'last hour in µs');
  assert.ok((await app.rows().count()) >= 1, 'found traces join the trace list');
  assert.match(app.page.url(), /backend=jaeger&url=.*b\.service=/);

  await app.byTestId('backend-dependencies').click();
  await app.byTestId('backend-graph').waitFor();
  assert.equal(await app.byTestId('backend-graph').getByTestId('graph-edge').count(), 7);
  await app.screenshot('backend-jaeger-v1');
  assert.deepEqual(realProblems(app), []);
  await app.page.close();
});

test('Jaeger v3: search and open by ID; erroring traces come first; a link reopens the trace', async () => {
  const app = await connected('jaeger', base('ok', 'jaeger3'));
  assert.match(await app.byTestId('backend-status').innerText(), /Jaeger API v3 \(6 services\)/);
  await searchFor(app, 'frontend');
  const found = app.byTestId('found-trace');
  await found.first().waitFor();
  assert.match(await found.first().innerText(), /frontend: GET \/dispatch[\s\S]*40 spans[\s\S]*3 errors/);
  const query = new URLSearchParams(backends.requests.filter((r) => r.api === '/api/v3/traces').at(-1).query);
  assert.equal(query.get('query.service_name'), 'frontend');
  assert.match(query.get('query.start_time_min'), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  assert.equal(query.get('query.num_traces'), '20');

  await app.byTestId('backend-trace-id').fill(HOTROD_ID);
  await app.byTestId('backend-open').click();
  await app.spanRows().first().waitFor();
  const link = app.page.url();
  assert.match(link, new RegExp(`trace=${HOTROD_ID}.*backend=jaeger`));

  // The link alone, in a fresh page: it reconnects and loads the trace again.
  const again = new TracaggPage(await site.browser.newPage({ viewport: { width: 1400, height: 900 } }));
  await again.page.goto(link);
  await again.spanRows().first().waitFor({ timeout: 15000 });
  assert.equal(await again.rowCount(), 40);
  assert.deepEqual(realProblems(again), []);
  await again.page.close();
  assert.deepEqual(realProblems(app), []);
  await app.page.close();
});

test('Tempo: bearer token, TraceQL search with tag autocompletion, traces fetched by ID', async () => {
  const refused = await connected('tempo', base('auth', 'tempo'), { expectError: true });
  assert.match(await refused.byTestId('backend-error').innerText(), /HTTP 401 \(not authorised .*\): missing or wrong token/);
  await refused.page.close();

  const app = await connected('tempo', base('auth', 'tempo'), { token: 's3cret' });
  assert.match(await app.byTestId('backend-status').innerText(), /Tempo API \(6 services\)/);
  const tags = await app.page.locator('#traceql-tags option').evaluateAll((os) => os.map((o) => o.value));
  assert.ok(tags.includes('{ resource.service.name = '), tags.join(' | '));
  await app.byTestId('backend-traceql').fill('{ resource.service.name = "frontend" && status = error }');
  await app.byTestId('backend-search-button').click();
  await app.byTestId('found-trace').first().waitFor();
  const search = backends.requests.filter((r) => r.backend === 'tempo' && r.api === '/api/search').at(-1);
  assert.equal(new URLSearchParams(search.query).get('q'), '{ resource.service.name = "frontend" && status = error }');
  assert.equal(search.headers.authorization, 'Bearer s3cret');
  assert.ok(backends.requests.some((r) => r.api === `/api/v2/traces/${HOTROD_ID}`));
  await app.waitForRows(1);
  await app.screenshot('backend-tempo');
  assert.deepEqual(realProblems(app), []);
  await app.page.close();

  // An older Tempo without /api/v2/traces: the trace comes from /api/traces/{id}.
  const old = await connected('tempo', base('old', 'tempo'));
  await old.byTestId('backend-trace-id').fill(HOTROD_ID);
  await old.byTestId('backend-open').click();
  await old.spanRows().first().waitFor();
  assert.equal(await old.rowCount(), 40);
  assert.deepEqual(realProblems(old), []);
  await old.page.close();
});

test('the address follows the backend kind until the person types their own', async () => {
  const page = await site.browser.newPage();
  const app = new TracaggPage(page);
  await app.open(site.url);
  await app.byTestId('toggle-backend').click();
  await app.byTestId('backend-kind').selectOption('zipkin');
  assert.equal(await app.byTestId('backend-url').inputValue(), 'http://localhost:9411');
  await app.byTestId('backend-kind').selectOption('tempo');
  assert.equal(await app.byTestId('backend-url').inputValue(), 'http://localhost:3200');
  await app.byTestId('backend-url').fill('https://tempo.example.com');
  await app.byTestId('backend-kind').selectOption('jaeger');
  assert.equal(await app.byTestId('backend-url').inputValue(), 'https://tempo.example.com');
  await page.close();
});

test('Zipkin: services, search, dependencies, open by ID', async () => {
  const app = await connected('zipkin', base('ok', 'zipkin'));
  assert.match(await app.byTestId('backend-status').innerText(), /Zipkin API v2 \(\d+ services\)/);
  await searchFor(app, 'servicea');
  await app.byTestId('found-trace').first().waitFor();
  const query = new URLSearchParams(backends.requests.filter((r) => r.api === '/api/v2/traces').at(-1).query);
  assert.equal(query.get('serviceName'), 'servicea');
  assert.equal(query.get('lookback'), '3600000');
  await app.byTestId('backend-trace-id').fill('1e223ff1f80f1c69');
  await app.byTestId('backend-open').click();
  await app.spanRows().first().waitFor();
  assert.deepEqual(realProblems(app), []);
  await app.page.close();
});

test('failures are specific, offer Retry, and keep what was loaded', async () => {
  // CORS refused.
  const cors = await connected('jaeger', base('nocors', 'jaeger1'), { expectError: true });
  const corsText = await cors.byTestId('backend-error').innerText();
  assert.match(corsText, /Could not reach http:\/\/127\.0\.0\.1:\d+\/nocors\/jaeger1\/api\/v3\/services/);
  assert.match(corsText, /CORS/);
  assert.match(corsText, /Trunk\.toml/);
  await cors.page.close();

  // HTTP 500 with the server's words.
  const broken = await connected('zipkin', base('fail500', 'zipkin'), { expectError: true });
  assert.match(await broken.byTestId('backend-error').innerText(), /HTTP 500 \(server error\): upstream exploded: storage unavailable/);
  await broken.page.close();

  // A search that fails, then one that times out, then one that is not JSON, then one that
  // finds nothing: a trace loaded before stays each time.
  for (const [mode, expected] of [
    ['search-500', /HTTP 500 \(server error\): upstream exploded/],
    ['search-slow', /did not answer within 1 s/],
    ['search-malformed', /not valid JSON|not JSON/],
  ]) {
    const app = await connected('jaeger', base(mode, 'jaeger1'), { timeout: 1 });
    await app.chooseFiles(['tests/fixtures/zipkin/skew.json']);
    await app.waitForRows(1);
    const services = await app.byTestId('backend-service').locator('option').allTextContents();
    await searchFor(app, services.find((s) => s !== '(any)'));
    await app.byTestId('backend-error').waitFor({ timeout: 10000 });
    assert.match(await app.byTestId('backend-error').innerText(), expected, mode);
    await app.waitForRows(1);
    // Retry repeats the search (and fails the same way here).
    const before = backends.requests.length;
    await app.byTestId('backend-retry').click();
    await app.page.waitForFunction(() => document.querySelector('[data-testid=backend-error]'));
    await app.page.waitForTimeout(mode === 'search-slow' ? 1500 : 300);
    assert.ok(backends.requests.length > before, `${mode}: retry sent a request`);
    await app.page.close();
  }

  const empty = await connected('zipkin', base('empty', 'zipkin'));
  await searchFor(empty, 'servicea');
  await empty.page.waitForFunction(() => /No traces found/.test(document.querySelector('[data-testid=backend-found]')?.textContent ?? ''));
  await empty.screenshot('backend-empty');
  await empty.page.close();
});

test('a saved token goes only to the origin it was saved for; a link to another origin asks first', async () => {
  // A second server on another port is "other-host": it logs every Authorization header.
  const other = await startBackends();
  const otherUrl = `http://127.0.0.1:${other.address().port}/ok/tempo`;
  try {
    for (const remember of [true, false]) {
      const app = await connected('tempo', base('auth', 'tempo'), { token: 's3cret', remember });
      const savedUrl = base('auth', 'tempo');
      // A crafted link names the other server; the tab navigates to it and reloads.
      await app.page.goto(`${site.url}#backend=tempo&url=${encodeURIComponent(otherUrl)}&trace=${HOTROD_ID}`);
      await app.page.reload();
      await app.byTestId('backend-link-confirm').waitFor();
      assert.match(await app.byTestId('backend-link-confirm').innerText(),
        new RegExp(`This link connects to ${otherUrl.replace(/[/.]/g, '\\$&')} — your saved credentials will not be sent`));
      await app.page.waitForTimeout(500);
      assert.equal(other.requests.length, 0, 'nothing is sent before the person agrees');
      // The remembered address is still the one the person connected to.
      assert.equal(await app.page.evaluate(() => localStorage.getItem('tracagg.backend.url')), savedUrl);
      assert.equal(await app.byTestId('backend-auth').inputValue(), 'none', 'the form does not offer the saved token there');
      await app.byTestId('backend-link-connect').click();
      await app.page.waitForFunction(() => /^Connected/.test(document.querySelector('[data-testid=backend-status]')?.textContent ?? ''));
      await app.spanRows().first().waitFor({ timeout: 15000 });
      assert.ok(other.requests.length > 0);
      assert.deepEqual(other.requests.map((r) => r.headers.authorization).filter(Boolean), [], 'no credentials reached the other server');
      // Back to the first server by typing its address: the saved token is offered and sent again.
      await app.page.goto(site.url);
      await app.page.reload();
      await app.byTestId('toggle-backend').click();
      await app.byTestId('backend-kind').selectOption('tempo');
      await app.byTestId('backend-url').fill(savedUrl);
      assert.equal(await app.byTestId('backend-auth').inputValue(), 'bearer');
      const before = backends.requests.length;
      await app.byTestId('backend-connect').click();
      await app.page.waitForFunction(() => /^Connected/.test(document.querySelector('[data-testid=backend-status]')?.textContent ?? ''));
      assert.equal(backends.requests.slice(before).at(-1).headers.authorization, 'Bearer s3cret', `remember=${remember}`);
      await app.page.close();
      other.requests.length = 0;
    }
    // A link to the same origin as the saved one connects at once, with the token.
    const app = await connected('tempo', base('auth', 'tempo'), { token: 's3cret', remember: true });
    const before = backends.requests.length;
    await app.page.goto(`${site.url}#backend=tempo&url=${encodeURIComponent(base('auth', 'tempo'))}&trace=${HOTROD_ID}`);
    await app.page.reload();
    await app.spanRows().first().waitFor({ timeout: 15000 });
    assert.equal(await app.byTestId('backend-link-confirm').count(), 0);
    const gets = backends.requests.slice(before).filter((r) => r.method === 'GET');
    assert.ok(gets.length > 0 && gets.every((r) => r.headers.authorization === 'Bearer s3cret'), JSON.stringify(gets.map((r) => [r.api, r.headers.authorization])));
    await app.page.close();
  } finally {
    other.close();
  }
});

test('an address that is not http(s) is invalid, with no CORS hint', async () => {
  const app = await connected('jaeger', 'javascript:alert(1)', { expectError: true });
  const text = await app.byTestId('backend-error').innerText();
  assert.match(text, /not a valid backend address/);
  assert.doesNotMatch(text, /CORS/);
  await app.page.close();
});
