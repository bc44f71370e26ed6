//! A generator of large, realistic traces for benchmarks and tests (`tracagg gen`), written in
//! any of the three input formats so the real parsers are exercised.
//!
//! Shape: one request trace over 40 services. Each span calls 0–6 children (sometimes a batch
//! of 20–200), sequentially or in parallel inside its own interval; 1% of spans fail; 3% of
//! calls are a PRODUCER span whose CONSUMER child outlives the caller (async messaging); depth
//! is capped at 14. Deterministic for a given seed. Names are plain ASCII, so no JSON escaping is
//! needed when writing.
mod shop;

pub use shop::{shop_traces, Fault};
use std::io::{self, Write};

use crate::core::rng::Rng;

/// Output format of [`write_trace`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GenFormat {
    /// Jaeger query API response `{"data":[trace]}`.
    Jaeger,
    /// OTLP/JSON `{"resourceSpans":[…]}`.
    Otlp,
    /// Zipkin v2 span array.
    Zipkin,
}

/// One generated span.
#[derive(Debug, Clone, Copy)]
struct GenSpan {
    id: u64,
    parent: Option<u64>,
    service: u16,
    operation: u16,
    start_ns: i64,
    duration_ns: i64,
    kind: u8,
    error: bool,
}

const SERVICES: usize = 40;
const OPERATIONS_PER_SERVICE: usize = 12;

fn service_name(index: u16) -> String {
    const STEMS: [&str; 10] = [
        "gateway",
        "auth",
        "catalog",
        "cart",
        "checkout",
        "payment",
        "inventory",
        "shipping",
        "search",
        "profile",
    ];
    let stem = STEMS
        .get(index as usize % STEMS.len())
        .copied()
        .unwrap_or("svc");
    format!("{stem}-{}", index as usize / STEMS.len())
}

fn operation_name(service: u16, operation: u16) -> String {
    const VERBS: [&str; 4] = ["GET", "POST", "PUT", "DELETE"];
    let verb = VERBS
        .get(operation as usize % VERBS.len())
        .copied()
        .unwrap_or("GET");
    format!("{verb} /api/s{service}/r{operation}")
}

/// Generates one trace of exactly `span_count` spans (at least 1).
fn generate(span_count: usize, seed: u64) -> Vec<GenSpan> {
    let mut rng = Rng::new(seed);
    let mut spans = Vec::with_capacity(span_count);
    let root_duration = 2_000_000_000 + (rng.below(1000) as i64) * 1_000_000;
    spans.push(GenSpan {
        id: rng.next() | 1,
        parent: None,
        service: 0,
        operation: 0,
        start_ns: 1_763_700_000_000_000_000,
        duration_ns: root_duration,
        kind: 2,
        error: false,
    });
    // Breadth-first: (span index, depth) whose children are still to be made.
    let mut queue = std::collections::VecDeque::from([(0usize, 0u32)]);
    while spans.len() < span_count {
        let Some((parent_index, depth)) = queue.pop_front() else {
            // Every branch ended early: keep growing from the root.
            queue.push_back((0, 0));
            continue;
        };
        let Some(parent) = spans.get(parent_index).copied() else {
            continue;
        };
        let fan_out = if depth >= 14 {
            0
        } else if rng.below(100) < 2 {
            20 + rng.below(180) as usize
        } else {
            rng.below(7) as usize
        };
        let fan_out = fan_out.min(span_count - spans.len());
        if fan_out == 0 {
            continue;
        }
        let parallel = rng.below(3) == 0;
        let slot = parent.duration_ns / (fan_out as i64 + 1);
        for n in 0..fan_out {
            if spans.len() >= span_count {
                break;
            }
            let asynchronous = rng.below(100) < 3;
            let (start, duration) = if parallel {
                let start = parent.start_ns + (rng.below(10) as i64) * slot / 40;
                (
                    start,
                    (slot * (fan_out as i64)).max(1) * (50 + rng.below(45) as i64) / 100,
                )
            } else {
                let start = parent.start_ns + slot * n as i64 + slot / 10;
                (start, (slot * (60 + rng.below(35) as i64) / 100).max(1))
            };
            let crosses = rng.below(3) != 0;
            let service = if crosses {
                rng.below(SERVICES as u64) as u16
            } else {
                parent.service
            };
            let operation = rng.below(OPERATIONS_PER_SERVICE as u64) as u16;
            let error = rng.below(100) == 0;
            if asynchronous && spans.len() + 2 <= span_count {
                // A short PRODUCER span, and its CONSUMER that outlives the caller.
                let producer = GenSpan {
                    id: rng.next() | 1,
                    parent: Some(parent.id),
                    service: parent.service,
                    operation,
                    start_ns: start,
                    duration_ns: (duration / 20).max(1),
                    kind: 4,
                    error: false,
                };
                spans.push(producer);
                spans.push(GenSpan {
                    id: rng.next() | 1,
                    parent: Some(producer.id),
                    service,
                    operation,
                    start_ns: start + duration / 10,
                    duration_ns: duration.saturating_mul(3),
                    kind: 5,
                    error,
                });
            } else {
                let kind = if crosses { 2 } else { 1 };
                spans.push(GenSpan {
                    id: rng.next() | 1,
                    parent: Some(parent.id),
                    service,
                    operation,
                    start_ns: start,
                    duration_ns: duration,
                    kind,
                    error,
                });
            }
            queue.push_back((spans.len() - 1, depth + 1));
        }
    }
    spans
}

fn kind_name(kind: u8) -> &'static str {
    match kind {
        1 => "INTERNAL",
        2 => "SERVER",
        3 => "CLIENT",
        4 => "PRODUCER",
        5 => "CONSUMER",
        _ => "",
    }
}

/// Writes a generated trace of `span_count` spans in `format` to `out`.
pub fn write_trace(
    out: &mut impl Write,
    span_count: usize,
    format: GenFormat,
    seed: u64,
) -> io::Result<()> {
    let spans = generate(span_count.max(1), seed);
    let trace_id = format!(
        "{:016x}{:016x}",
        seed ^ 0x5eed,
        spans.first().map_or(1, |s| s.id)
    );
    match format {
        GenFormat::Jaeger => write_jaeger(out, &trace_id, &spans),
        GenFormat::Otlp => write_otlp(out, &trace_id, &spans),
        GenFormat::Zipkin => write_zipkin(out, &trace_id, &spans),
    }
}

fn write_jaeger(out: &mut impl Write, trace_id: &str, spans: &[GenSpan]) -> io::Result<()> {
    write!(out, "{{\"data\":[{{\"traceID\":\"{trace_id}\",\"spans\":[")?;
    for (i, s) in spans.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        write!(
            out,
            "{{\"traceID\":\"{trace_id}\",\"spanID\":\"{:016x}\",\"operationName\":\"{}\",\"references\":[",
            s.id,
            operation_name(s.service, s.operation)
        )?;
        if let Some(parent) = s.parent {
            write!(
                out,
                "{{\"refType\":\"{}\",\"traceID\":\"{trace_id}\",\"spanID\":\"{parent:016x}\"}}",
                if s.kind == 5 {
                    "FOLLOWS_FROM"
                } else {
                    "CHILD_OF"
                }
            )?;
        }
        write!(
            out,
            "],\"startTime\":{},\"duration\":{},\"tags\":[{{\"key\":\"span.kind\",\"type\":\"string\",\"value\":\"{}\"}},{{\"key\":\"http.status_code\",\"type\":\"int64\",\"value\":{}}}{}],\"logs\":[],\"processID\":\"p{}\"}}",
            s.start_ns / 1000,
            s.duration_ns / 1000,
            kind_name(s.kind).to_ascii_lowercase(),
            if s.error { 500 } else { 200 },
            if s.error { ",{\"key\":\"error\",\"type\":\"bool\",\"value\":true}" } else { "" },
            s.service
        )?;
    }
    out.write_all(b"],\"processes\":{")?;
    for service in 0..SERVICES as u16 {
        if service > 0 {
            out.write_all(b",")?;
        }
        write!(
            out,
            "\"p{service}\":{{\"serviceName\":\"{}\",\"tags\":[{{\"key\":\"hostname\",\"type\":\"string\",\"value\":\"host-{service}\"}}]}}",
            service_name(service)
        )?;
    }
    out.write_all(b"}}]}")
}

fn write_otlp(out: &mut impl Write, trace_id: &str, spans: &[GenSpan]) -> io::Result<()> {
    out.write_all(b"{\"resourceSpans\":[")?;
    let mut first_resource = true;
    for service in 0..SERVICES as u16 {
        let mut own = spans.iter().filter(|s| s.service == service).peekable();
        if own.peek().is_none() {
            continue;
        }
        if !first_resource {
            out.write_all(b",")?;
        }
        first_resource = false;
        write!(
            out,
            "{{\"resource\":{{\"attributes\":[{{\"key\":\"service.name\",\"value\":{{\"stringValue\":\"{}\"}}}},{{\"key\":\"host.name\",\"value\":{{\"stringValue\":\"host-{service}\"}}}}]}},\"scopeSpans\":[{{\"scope\":{{\"name\":\"tracagg-gen\"}},\"spans\":[",
            service_name(service)
        )?;
        for (i, s) in own.enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            write!(
                out,
                "{{\"traceId\":\"{trace_id}\",\"spanId\":\"{:016x}\",{}\"name\":\"{}\",\"kind\":{},\"startTimeUnixNano\":\"{}\",\"endTimeUnixNano\":\"{}\",\"attributes\":[{{\"key\":\"http.status_code\",\"value\":{{\"intValue\":\"{}\"}}}}],\"status\":{}}}",
                s.id,
                s.parent.map_or(String::new(), |p| format!("\"parentSpanId\":\"{p:016x}\",")),
                operation_name(s.service, s.operation),
                s.kind,
                s.start_ns,
                s.start_ns + s.duration_ns,
                if s.error { 500 } else { 200 },
                if s.error { "{\"code\":2,\"message\":\"internal error\"}" } else { "{}" }
            )?;
        }
        out.write_all(b"]}]}")?;
    }
    out.write_all(b"]}")
}

fn write_zipkin(out: &mut impl Write, trace_id: &str, spans: &[GenSpan]) -> io::Result<()> {
    out.write_all(b"[")?;
    for (i, s) in spans.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        write!(
            out,
            "{{\"traceId\":\"{trace_id}\",\"id\":\"{:016x}\",{}\"name\":\"{}\",{}\"timestamp\":{},\"duration\":{},\"localEndpoint\":{{\"serviceName\":\"{}\",\"ipv4\":\"10.0.{}.{}\"}},\"tags\":{{\"http.status_code\":\"{}\"{}}}}}",
            s.id,
            s.parent.map_or(String::new(), |p| format!("\"parentId\":\"{p:016x}\",")),
            operation_name(s.service, s.operation),
            match kind_name(s.kind) {
                "" | "INTERNAL" => String::new(),
                kind => format!("\"kind\":\"{kind}\","),
            },
            s.start_ns / 1000,
            (s.duration_ns / 1000).max(1),
            service_name(s.service),
            s.service / 250,
            s.service % 250,
            if s.error { 500 } else { 200 },
            if s.error { ",\"error\":\"internal error\"" } else { "" }
        )?;
    }
    out.write_all(b"]")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::load::load_into;
    use crate::core::model::TraceSet;

    #[test]
    fn every_format_loads_as_one_clean_trace_of_the_requested_size() {
        for format in [GenFormat::Jaeger, GenFormat::Otlp, GenFormat::Zipkin] {
            let mut bytes = Vec::new();
            write_trace(&mut bytes, 5_000, format, 7).unwrap();
            let mut set = TraceSet::new();
            load_into(&mut set, "gen.json", &bytes).unwrap();
            assert_eq!(set.len(), 1, "{format:?}");
            let trace = &set.traces()[0];
            assert_eq!(trace.spans.len(), 5_000, "{format:?}");
            assert_eq!(trace.roots.len(), 1, "{format:?}");
            assert!(
                trace.warnings.is_empty(),
                "{format:?}: {:?}",
                trace.warnings.first()
            );
            assert!(trace.error_count() > 10, "{format:?}");
            assert!(trace.service_names().len() > 30, "{format:?}");
            assert!(trace.max_depth() >= 4, "{format:?}");
            let consumers = trace
                .spans
                .iter()
                .filter(|s| s.kind == crate::core::model::SpanKind::Consumer)
                .count();
            assert!(consumers > 10, "{format:?}: {consumers} consumers");
        }
    }
}
