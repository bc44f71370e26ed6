// A replay server for the live-backend tests: it answers Jaeger (v1 and v3), Tempo and Zipkin
// API requests with the real response shapes, built from the real fixture files, and can be told
// to fail. Paths: /<mode>/<backend>/<the API path>, e.g. /ok/jaeger1/api/services.
//   backend: jaeger1 (v1 only: /api/v3 answers 404), jaeger3 (v3 only), tempo, zipkin, shop
//            (Jaeger v1 over generated checkouts at any time, slowed from `shop.slowFrom`)
//   mode:    ok; nocors (no CORS headers: the browser refuses the answers); fail500 (every
//            request: HTTP 500); search-500, search-slow (4 s), search-malformed (not JSON),
//            empty (searches find nothing); auth (Tempo: needs "Authorization: Bearer s3cret");
//            old (Tempo without /api/v2/traces: traces only at /api/traces/{id})
// Every request is recorded in `server.requests` (method, path with query, headers).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const FIXTURES = 'tests/fixtures';
const read = (file) => JSON.parse(fs.readFileSync(path.join(FIXTURES, file), 'utf8'));

/** Jaeger traces (Jaeger JSON) from every Jaeger fixture. */
function jaegerTraces() {
  const traces = [];
  for (const file of fs.readdirSync(path.join(FIXTURES, 'jaeger'))) {
    const doc = read(`jaeger/${file}`);
    for (const trace of doc.data ?? [doc]) traces.push(trace);
  }
  return traces;
}
const jaegerServices = (trace) => Object.values(trace.processes ?? {}).map((p) => p.serviceName);

/** The HotROD trace as Jaeger's /api/v3 returns it (OTLP in {result}). */
const HOTROD = read('otlp/api-v3-getTrace-response.json');
const hotrodSpans = HOTROD.result.resourceSpans.flatMap((rs) => {
  const service = rs.resource.attributes.find((a) => a.key === 'service.name').value.stringValue;
  return rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => ({ service, span: s })));
});
const HOTROD_ID = hotrodSpans[0].span.traceId;
const hotrodServices = [...new Set(hotrodSpans.map((s) => s.service))].sort();

/** Zipkin traces (arrays of spans) from every Zipkin fixture. */
function zipkinTraces() {
  const traces = [];
  for (const file of fs.readdirSync(path.join(FIXTURES, 'zipkin'))) {
    const doc = read(`zipkin/${file}`);
    const spans = Array.isArray(doc[0]) ? doc.flat() : doc;
    const byTrace = new Map();
    for (const s of spans) {
      if (!byTrace.has(s.traceId)) byTrace.set(s.traceId, []);
      byTrace.get(s.traceId).push(s);
    }
    traces.push(...byTrace.values());
  }
  return traces;
}
const zipkinService = (s) => s.localEndpoint?.serviceName;

function json(res, status, body, cors) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...cors });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

function jaeger1(api, url, res, cors, mode) {
  const traces = jaegerTraces();
  if (api.startsWith('/api/v3/')) return json(res, 404, '404 page not found', cors);
  if (api === '/api/services') {
    return json(res, 200, { data: [...new Set(traces.flatMap(jaegerServices))].sort(), total: 0, limit: 0, offset: 0, errors: null }, cors);
  }
  let m = /^\/api\/services\/([^/]+)\/operations$/.exec(api);
  if (m) {
    const service = decodeURIComponent(m[1]);
    const ops = new Set();
    for (const t of traces) for (const s of t.spans) if (t.processes[s.processID]?.serviceName === service) ops.add(s.operationName);
    return json(res, 200, { data: [...ops].sort(), errors: null }, cors);
  }
  if (api === '/api/traces') {
    const service = url.searchParams.get('service');
    if (!service) return json(res, 400, { data: null, errors: [{ code: 400, msg: "parameter 'service' is required" }] }, cors);
    const limit = Number(url.searchParams.get('limit') ?? 20);
    const found = mode === 'empty' ? [] : traces.filter((t) => jaegerServices(t).includes(service)).slice(0, limit);
    return json(res, 200, { data: found, total: found.length, limit: 0, offset: 0, errors: null }, cors);
  }
  m = /^\/api\/traces\/([^/]+)$/.exec(api);
  if (m) {
    const found = traces.filter((t) => t.traceID === m[1]);
    if (!found.length) return json(res, 404, { data: null, errors: [{ code: 404, msg: 'trace not found' }] }, cors);
    return json(res, 200, { data: found, errors: null }, cors);
  }
  if (api === '/api/dependencies') {
    return json(res, 200, { data: read('jaeger-api/DependencyGraph-sample_data-small.json'), errors: null }, cors);
  }
  return json(res, 404, '404 page not found', cors);
}

function jaeger3(api, url, res, cors, mode) {
  if (api === '/api/v3/services') return json(res, 200, { services: hotrodServices }, cors);
  if (api === '/api/v3/operations') {
    const service = url.searchParams.get('service');
    const ops = [...new Set(hotrodSpans.filter((s) => s.service === service).map((s) => s.span.name))].sort();
    return json(res, 200, { operations: ops.map((name) => ({ name, spanKind: 'server' })) }, cors);
  }
  if (api === '/api/v3/traces') {
    const service = url.searchParams.get('query.service_name');
    if (mode === 'empty' || !hotrodServices.includes(service)) {
      return json(res, 404, { error: { httpCode: 404, message: 'trace not found' } }, cors);
    }
    return json(res, 200, HOTROD, cors);
  }
  const m = /^\/api\/v3\/traces\/([^/]+)$/.exec(api);
  if (m && m[1] === HOTROD_ID) return json(res, 200, HOTROD, cors);
  if (m) return json(res, 404, { error: { httpCode: 404, message: 'trace not found' } }, cors);
  return json(res, 404, '404 page not found', cors);
}

function tempo(api, url, res, cors, mode) {
  if (api === '/api/v2/search/tag/resource.service.name/values') {
    return json(res, 200, { tagValues: hotrodServices.map((value) => ({ type: 'string', value })) }, cors);
  }
  if (api === '/api/v2/search/tag/name/values') {
    const names = [...new Set(hotrodSpans.map((s) => s.span.name))].sort();
    return json(res, 200, { tagValues: names.map((value) => ({ type: 'string', value })) }, cors);
  }
  if (api === '/api/v2/search/tags') {
    return json(res, 200, { scopes: [
      { name: 'resource', tags: ['service.name', 'host.name'] },
      { name: 'span', tags: ['http.method', 'http.status_code'] },
      { name: 'intrinsic', tags: ['duration', 'name', 'status'] },
    ] }, cors);
  }
  if (api === '/api/search') {
    const root = hotrodSpans.find((s) => !s.span.parentSpanId);
    const traces = mode === 'empty' ? [] : [{
      traceID: HOTROD_ID,
      rootServiceName: root.service,
      rootTraceName: root.span.name,
      startTimeUnixNano: root.span.startTimeUnixNano,
      durationMs: Math.round((Number(root.span.endTimeUnixNano) - Number(root.span.startTimeUnixNano)) / 1e6),
    }];
    return json(res, 200, { traces, metrics: { inspectedTraces: 1 } }, cors);
  }
  // Tempo before its v2 API ("old" mode): traces only at /api/traces/{id}, as OTLP `batches`.
  const v1 = /^\/api\/traces\/([^/]+)$/.exec(api);
  if (v1 && mode === 'old' && v1[1] === HOTROD_ID) return json(res, 200, { batches: HOTROD.result.resourceSpans }, cors);
  const m = /^\/api\/v2\/traces\/([^/]+)$/.exec(api);
  if (m && m[1] === HOTROD_ID && mode !== 'old') return json(res, 200, { trace: { resourceSpans: HOTROD.result.resourceSpans } }, cors);
  if (m) { res.writeHead(404, cors); return res.end('trace not found'); }
  res.writeHead(404, cors);
  return res.end('404 page not found');
}

function zipkin(api, url, res, cors, mode) {
  const traces = zipkinTraces();
  if (api === '/api/v2/services') return json(res, 200, [...new Set(traces.flat().map(zipkinService).filter(Boolean))].sort(), cors);
  if (api === '/api/v2/spans') {
    const service = url.searchParams.get('serviceName');
    return json(res, 200, [...new Set(traces.flat().filter((s) => zipkinService(s) === service).map((s) => s.name).filter(Boolean))].sort(), cors);
  }
  if (api === '/api/v2/traces') {
    const service = url.searchParams.get('serviceName');
    const limit = Number(url.searchParams.get('limit') ?? 10);
    const found = mode === 'empty' ? [] : traces.filter((t) => !service || t.some((s) => zipkinService(s) === service)).slice(0, limit);
    return json(res, 200, found, cors);
  }
  const m = /^\/api\/v2\/trace\/([^/]+)$/.exec(api);
  if (m) {
    const found = traces.find((t) => t[0].traceId === m[1]);
    if (!found) { res.writeHead(404, cors); return res.end(`Trace not found: ${m[1]}`); }
    return json(res, 200, found, cors);
  }
  if (api === '/api/v2/dependencies') {
    return json(res, 200, [
      { parent: 'frontend', child: 'backend', callCount: 12, errorCount: 2 },
      { parent: 'backend', child: 'mysql', callCount: 30 },
    ], cors);
  }
  res.writeHead(404, cors);
  return res.end('Not Found');
}

/**
 * `shop`: a Jaeger v1 API over generated checkouts (frontend → cart → 3 queries, frontend →
 * payment charge), one every `shop.stepMs` at any time asked for, so a search of any window
 * finds that window's traces; those starting at or after `shop.slowFrom` (ms since the epoch)
 * have a 5× slower charge — a regression at a known time, for the alert and watch tests. With
 * `shop.fail`, searches answer HTTP 500.
 */
export const shop = { stepMs: 30_000, slowFrom: Infinity, fail: false };
const SHOP_SERVICES = ['cart', 'frontend', 'payment'];

function shopTrace(tick) {
  const traceID = tick.toString(16).padStart(32, '0');
  const startUs = tick * shop.stepMs * 1000;
  const jitter = (k) => 1 + (((tick * 7919 + k * 104729) % 1000) / 1000) * 0.3;
  const slow = startUs / 1000 >= shop.slowFrom ? 5 : 1;
  const charge = Math.round(20_000 * jitter(1) * slow);
  const cart = Math.round(3 * 1_500 * jitter(2)) + 300;
  const id = (k) => (tick * 8 + k + 1).toString(16).padStart(16, '0');
  const span = (k, parent, processID, operationName, offset, duration) => ({
    traceID, spanID: id(k), operationName, startTime: startUs + offset, duration, processID, flags: 1,
    references: parent === null ? [] : [{ refType: 'CHILD_OF', traceID, spanID: id(parent) }],
    tags: [{ key: 'span.kind', type: 'string', value: k === 0 || k === 1 || k === 5 ? 'server' : 'client' }], logs: [], warnings: null,
  });
  const spans = [
    span(0, null, 'p1', 'POST /checkout', 0, cart + charge + 600),
    span(1, 0, 'p2', 'GET /cart', 100, cart),
    ...[0, 1, 2].map((q) => span(2 + q, 1, 'p2', 'SELECT items', 200 + q * 1_500, Math.round(1_200 * jitter(3 + q)))),
    span(5, 0, 'p3', 'charge', cart + 400, charge),
  ];
  return { traceID, spans, processes: { p1: { serviceName: 'frontend', tags: [] }, p2: { serviceName: 'cart', tags: [] }, p3: { serviceName: 'payment', tags: [] } }, warnings: null };
}

function shopBackend(api, url, res, cors) {
  if (api === '/api/services') return json(res, 200, { data: SHOP_SERVICES, total: 3, limit: 0, offset: 0, errors: null }, cors);
  const ops = /^\/api\/services\/([^/]+)\/operations$/.exec(api);
  if (ops) {
    const byService = { frontend: ['POST /checkout'], cart: ['GET /cart', 'SELECT items'], payment: ['charge'] };
    return json(res, 200, { data: byService[decodeURIComponent(ops[1])] ?? [], errors: null }, cors);
  }
  if (api === '/api/traces') {
    const service = url.searchParams.get('service');
    if (!service) return json(res, 400, { data: null, errors: [{ code: 400, msg: "parameter 'service' is required" }] }, cors);
    if (shop.fail) return json(res, 500, { data: null, errors: [{ code: 500, msg: 'storage unavailable' }] }, cors);
    const limit = Number(url.searchParams.get('limit') ?? 20);
    const stepUs = shop.stepMs * 1000;
    const first = Math.ceil(Number(url.searchParams.get('start')) / stepUs);
    const last = Math.floor(Number(url.searchParams.get('end')) / stepUs);
    const found = [];
    // Newest first, as Jaeger returns them.
    for (let tick = last; tick >= first && found.length < limit && SHOP_SERVICES.includes(service); tick -= 1) found.push(shopTrace(tick));
    return json(res, 200, { data: found, total: found.length, limit: 0, offset: 0, errors: null }, cors);
  }
  const one = /^\/api\/traces\/([0-9a-f]+)$/.exec(api);
  if (one) return json(res, 200, { data: [shopTrace(parseInt(one[1], 16))], errors: null }, cors);
  const metric = /^\/api\/metrics\/(latencies|calls|errors)$/.exec(api);
  if (metric) return json(res, 200, shopMetrics(metric[1], url.searchParams), cors);
  return json(res, 404, '404 page not found', cors);
}

/**
 * Jaeger SPM over the shop's checkouts (the shape of Jaeger's /api/metrics/*: one series per
 * operation with `labels` [{name, value}] and `metricPoints` [{gaugeValue: {doubleValue},
 * timestamp}]): latencies in ms at `quantile`, calls per second, errors as a ratio — computed
 * from the very traces a search of the window finds, one point for the whole lookback.
 */
function shopMetrics(kind, params) {
  const service = params.get('service');
  const endMs = Number(params.get('endTs'));
  const lookbackMs = Number(params.get('lookback'));
  const first = Math.ceil((endMs - lookbackMs) / shop.stepMs);
  const last = Math.floor(endMs / shop.stepMs);
  const processes = { p1: 'frontend', p2: 'cart', p3: 'payment' };
  const byOperation = new Map();
  for (let tick = first; tick <= last; tick += 1) {
    for (const s of shopTrace(tick).spans) {
      if (processes[s.processID] !== service) continue;
      if (!byOperation.has(s.operationName)) byOperation.set(s.operationName, []);
      byOperation.get(s.operationName).push(s.duration / 1000);
    }
  }
  const quantile = (sorted, q) => {
    const rank = q * (sorted.length - 1);
    const lo = Math.floor(rank), hi = Math.ceil(rank);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
  };
  const metrics = [...byOperation].map(([operation, durations]) => {
    durations.sort((a, b) => a - b);
    const value = kind === 'latencies' ? quantile(durations, Number(params.get('quantile')))
      : kind === 'calls' ? durations.length / (lookbackMs / 1000) : 0;
    return {
      labels: [{ name: 'service_name', value: service }, { name: 'operation', value: operation }],
      metricPoints: [{ gaugeValue: { doubleValue: value }, timestamp: new Date(endMs).toISOString() }],
    };
  });
  const names = { latencies: 'service_operation_latencies', calls: 'service_operation_call_rate', errors: 'service_operation_error_rate' };
  return { name: names[kind], type: 'GAUGE', help: `${kind} of ${service}, grouped by operation`, metrics };
}

/** `files`: serves `tests/fixtures/<path>` as a static file server would (for `#url=`); in
 * mode `trickle`, in 8 pieces 400 ms apart, with its Content-Length (to see the progress). */
function files(api, url, res, cors, mode) {
  const path = decodeURIComponent(api).replace(/^\/+/, '');
  if (path.includes('..')) return json(res, 400, 'bad path', cors);
  const file = `tests/fixtures/${path}`;
  if (!fs.existsSync(file)) {
    res.writeHead(404, { 'Content-Type': 'text/plain', ...cors });
    return res.end('Not Found');
  }
  const body = fs.readFileSync(file);
  if (mode === 'trickle') {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length, ...cors });
    const piece = Math.ceil(body.length / 8);
    let at = 0;
    const next = () => {
      res.write(body.subarray(at, at + piece));
      at += piece;
      if (at < body.length) setTimeout(next, 400);
      else res.end();
    };
    return next();
  }
  res.writeHead(200, { 'Content-Type': 'application/json', ...cors });
  return res.end(body);
}

const BACKENDS = { jaeger1, jaeger3, tempo, zipkin, shop: shopBackend, files };

export function startBackends() {
  const requests = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const [, mode, backend, ...rest] = url.pathname.split('/');
    const api = `/${rest.join('/')}`;
    requests.push({ method: req.method, mode, backend, api, query: url.search, headers: req.headers });
    const cors = mode === 'nocors' ? {} : {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Headers': 'Authorization, Accept, Content-Type',
      'Access-Control-Allow-Methods': 'GET, OPTIONS',
    };
    if (req.method === 'OPTIONS') { res.writeHead(204, cors); return res.end(); }
    const handler = BACKENDS[backend];
    if (!handler) { res.writeHead(404, cors); return res.end('no such backend'); }
    const isSearch = /\/(traces|search)$/.test(api);
    if (mode === 'fail500' || (mode === 'search-500' && isSearch)) {
      res.writeHead(500, { 'Content-Type': 'text/plain', ...cors });
      return res.end('upstream exploded: storage unavailable');
    }
    if (mode === 'search-malformed' && isSearch) {
      res.writeHead(200, { 'Content-Type': 'text/html', ...cors });
      return res.end('<html><body>Welcome to nginx!</body></html>');
    }
    if (mode === 'auth' && req.headers.authorization !== 'Bearer s3cret') {
      res.writeHead(401, { 'Content-Type': 'text/plain', ...cors });
      return res.end('missing or wrong token');
    }
    const answer = () => handler(api, url, res, cors, mode);
    if (mode === 'search-slow' && isSearch) return setTimeout(answer, 4000);
    return answer();
  });
  server.requests = requests;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

export { HOTROD_ID };
