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
