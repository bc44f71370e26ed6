// Crafted trace files for the hostile-input tests: made here, in memory, so each test says what
// it feeds the page. Zipkin v2 span arrays are the shortest form of a trace.

/** A Zipkin v2 span: `fields` override the defaults. */
export function zipkinSpan(fields) {
  return {
    traceId: '00000000000000000000000000000abc', id: '0000000000000001', name: 'op',
    timestamp: 1_600_000_000_000_000, duration: 1000, localEndpoint: { serviceName: 'svc' },
    ...fields,
  };
}

/** A file for `setInputFiles`. */
export function jsonFile(name, value) {
  return { name, mimeType: 'application/json', buffer: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)) };
}

/** A trace whose root calls `count` children, each with an operation name of its own. */
export function distinctOperations(count, { traceId = '0000000000000000000000000000d15c' } = {}) {
  const spans = [zipkinSpan({ traceId, id: hex16(1), name: 'root', duration: 10_000_000 })];
  for (let i = 0; i < count; i++) {
    spans.push(zipkinSpan({ traceId, id: hex16(i + 2), parentId: hex16(1), name: `op-${i}`, timestamp: 1_600_000_000_000_000 + i, duration: 10 }));
  }
  return spans;
}

/** `count` root spans in one trace (no parent at all), each named apart. */
export function manyRoots(count) {
  const traceId = '00000000000000000000000000000500';
  return Array.from({ length: count }, (_, i) => zipkinSpan({ traceId, id: hex16(i + 1), name: `root-${i}`, timestamp: 1_600_000_000_000_000 + i }));
}

/** A chain `depth` deep: each span the child of the one before. */
export function deepChain(depth) {
  const traceId = '000000000000000000000000000c4a1a';
  return Array.from({ length: depth }, (_, i) => zipkinSpan({
    traceId, id: hex16(i + 1), name: `level-${i % 50}`, timestamp: 1_600_000_000_000_000 + i, duration: depth - i,
    ...(i > 0 ? { parentId: hex16(i) } : {}),
  }));
}

/** A cycle of `length` spans: each names the next as its parent. */
export function cycle(length) {
  const traceId = '000000000000000000000000000c1c1e';
  return Array.from({ length }, (_, i) => zipkinSpan({
    traceId, id: hex16(i + 1), parentId: hex16(((i + 1) % length) + 1), name: `cyc-${i}`, timestamp: 1_600_000_000_000_000 + i,
  }));
}

/** `count` one-span traces. */
export function manyTraces(count) {
  return Array.from({ length: count }, (_, i) => zipkinSpan({
    traceId: i.toString(16).padStart(32, '0'), id: hex16(i + 1), name: `op-${i % 20}`,
    localEndpoint: { serviceName: `svc-${i % 7}` }, timestamp: 1_600_000_000_000_000 + i * 1000, duration: 100 + (i % 900),
  }));
}

export function hex16(n) {
  return n.toString(16).padStart(16, '0');
}

/**
 * `count` checkout traces of 12 spans each (frontend → cart with 8 queries, payment), trace IDs
 * from `offset`; `slowCharge` multiplies the payment's duration. Durations vary by a fixed
 * pattern, so two calls with other offsets give two samples of one system.
 */
export function checkoutTraces(count, { offset = 0, slowCharge = 1 } = {}) {
  const spans = [];
  for (let i = 0; i < count; i += 1) {
    const n = offset + i;
    const traceId = (0x5000000 + n).toString(16).padStart(32, '0');
    const start = 1_600_000_000_000_000 + n * 10_000;
    const jitter = (k) => 1 + (((n * 7919 + k * 104729) % 1000) / 1000) * 0.4;
    const id = (k) => hex16(n * 16 + k + 1);
    const charge = Math.round(20_000 * jitter(1) * slowCharge);
    const cart = Math.round(8 * 600 * jitter(2)) + 200;
    spans.push(zipkinSpan({ traceId, id: id(0), name: 'POST /checkout', kind: 'SERVER', timestamp: start, duration: cart + charge + 500, localEndpoint: { serviceName: 'frontend' } }));
    spans.push(zipkinSpan({ traceId, id: id(1), parentId: id(0), name: 'GET /cart', kind: 'SERVER', timestamp: start + 100, duration: cart, localEndpoint: { serviceName: 'cart' } }));
    for (let q = 0; q < 8; q += 1) {
      spans.push(zipkinSpan({ traceId, id: id(2 + q), parentId: id(1), name: 'SELECT items', kind: 'CLIENT', timestamp: start + 150 + q * 600, duration: Math.round(500 * jitter(3 + q)), localEndpoint: { serviceName: 'cart' } }));
    }
    spans.push(zipkinSpan({ traceId, id: id(10), parentId: id(0), name: 'charge', kind: 'SERVER', timestamp: start + cart + 300, duration: charge, localEndpoint: { serviceName: 'payment' } }));
    spans.push(zipkinSpan({ traceId, id: id(11), parentId: id(10), name: 'POST /authorize', kind: 'CLIENT', timestamp: start + cart + 400, duration: Math.round(charge * 0.8), localEndpoint: { serviceName: 'payment' } }));
  }
  return spans;
}
