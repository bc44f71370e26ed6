//! Loaded traces written back as one file another tool reads: Jaeger JSON (the query API's
//! `{"data": [trace, …]}`, what Jaeger UI's upload takes) or OTLP JSON (`{"resourceSpans":
//! […]}`, what the OpenTelemetry Collector's file receiver and tracagg read).
//!
//! What survives: IDs, parents, names, services and their resource attributes, start and
//! duration (Jaeger in µs, so nanoseconds below a microsecond are lost), kind, status and its
//! message, attributes with their types (arrays and maps as JSON), events, and references
//! (Jaeger has no links: OTLP links become FOLLOWS_FROM there). OTLP needs hex IDs of 32 and 16
//! digits: shorter hex IDs are padded with zeros, and any other ID is replaced by a hash of it.
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crate::core::model::{AttrValue, Attribute, RefKind, Span, SpanKind, SpanStatus, Trace};

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// `{"data": [ … ]}`.
    Jaeger,
    /// `{"resourceSpans": [ … ]}`.
    Otlp,
}

impl ExportFormat {
    /// The file name ending (`.jaeger.json`, `.otlp.json`).
    pub fn extension(self) -> &'static str {
        match self {
            Self::Jaeger => "jaeger.json",
            Self::Otlp => "otlp.json",
        }
    }

    /// The format named `jaeger` or `otlp`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "jaeger" => Some(Self::Jaeger),
            "otlp" => Some(Self::Otlp),
            _ => None,
        }
    }
}

/// `traces` as one document of `format`.
pub fn export_traces(traces: &[Arc<Trace>], format: ExportFormat) -> String {
    let plan = ExportPlan::new(traces, format);
    let mut out = String::new();
    for piece in 0..plan.len() {
        out.push_str(&plan.render(piece));
    }
    out
}

/// Attributes written in one piece at most: a span with a million attributes is written in
/// pieces of this many, so that the page can yield between them.
pub const ATTRIBUTES_PER_PIECE: usize = 5_000;

/// One piece of an export document (see [`ExportPlan`]).
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    /// Fixed text.
    Text(String),
    /// A whole span: trace, span index; `first` says whether a comma goes before it.
    Span {
        trace: usize,
        span: usize,
        first: bool,
    },
    /// A span written in pieces: its head (up to its attributes), its attributes in
    /// `range`, its tail (the added tags and everything after the attributes).
    SpanHead {
        trace: usize,
        span: usize,
        first: bool,
    },
    SpanAttrs {
        trace: usize,
        span: usize,
        range: std::ops::Range<usize>,
    },
    SpanTail {
        trace: usize,
        span: usize,
    },
    /// Jaeger: a trace's processes and closing brace.
    JaegerTail {
        trace: usize,
    },
    /// OTLP: a resource's head, up to its spans.
    OtlpResourceHead {
        trace: usize,
        resource: u32,
        first: bool,
    },
}

/// An export document as a list of pieces, each written on its own by
/// [`ExportPlan::render`]: the page writes a file of any size in short steps between browser
/// tasks, and the CLI streams it. The pieces joined are exactly [`export_traces`]'s document.
#[derive(Debug)]
pub struct ExportPlan<'a> {
    traces: &'a [Arc<Trace>],
    format: ExportFormat,
    pieces: Vec<Piece>,
}

/// Where a span's attribute array goes in its head-and-tail rendering.
const ATTRIBUTES_MARK: &str = "\u{1}tracagg-attributes\u{1}";

impl<'a> ExportPlan<'a> {
    /// The pieces of `traces` as one document of `format` (one piece per span, more for a span
    /// with many attributes).
    pub fn new(traces: &'a [Arc<Trace>], format: ExportFormat) -> Self {
        let mut pieces = Vec::new();
        let span_pieces =
            |pieces: &mut Vec<Piece>, t: usize, trace: &Trace, span: usize, first: bool| {
                let attrs = trace.spans.get(span).map_or(0, |s| s.attrs.len());
                if attrs <= ATTRIBUTES_PER_PIECE {
                    pieces.push(Piece::Span {
                        trace: t,
                        span,
                        first,
                    });
                    return;
                }
                pieces.push(Piece::SpanHead {
                    trace: t,
                    span,
                    first,
                });
                let mut from = 0;
                while from < attrs {
                    let to = (from + ATTRIBUTES_PER_PIECE).min(attrs);
                    pieces.push(Piece::SpanAttrs {
                        trace: t,
                        span,
                        range: from..to,
                    });
                    from = to;
                }
                pieces.push(Piece::SpanTail { trace: t, span });
            };
        match format {
            ExportFormat::Jaeger => {
                pieces.push(Piece::Text("{\"data\":[".into()));
                for (t, trace) in traces.iter().enumerate() {
                    let comma = if t == 0 { "" } else { "," };
                    pieces.push(Piece::Text(format!(
                        "{comma}{{\"traceID\":{},\"spans\":[",
                        Value::from(trace.trace_id.as_str())
                    )));
                    for span in 0..trace.spans.len() {
                        span_pieces(&mut pieces, t, trace, span, span == 0);
                    }
                    pieces.push(Piece::JaegerTail { trace: t });
                }
                pieces.push(Piece::Text("]}".into()));
            }
            ExportFormat::Otlp => {
                pieces.push(Piece::Text("{\"resourceSpans\":[".into()));
                let mut first_resource = true;
                for (t, trace) in traces.iter().enumerate() {
                    let mut by_resource: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
                    for (i, span) in trace.spans.iter().enumerate() {
                        by_resource.entry(span.resource).or_default().push(i);
                    }
                    for (resource, spans) in by_resource {
                        pieces.push(Piece::OtlpResourceHead {
                            trace: t,
                            resource,
                            first: first_resource,
                        });
                        first_resource = false;
                        for (k, span) in spans.into_iter().enumerate() {
                            span_pieces(&mut pieces, t, trace, span, k == 0);
                        }
                        pieces.push(Piece::Text("]}]}".into()));
                    }
                }
                pieces.push(Piece::Text("]}".into()));
            }
        }
        Self {
            traces,
            format,
            pieces,
        }
    }

    /// How many pieces the document has.
    pub fn len(&self) -> usize {
        self.pieces.len()
    }

    /// True for a document of no pieces (never: even no traces make `{"data":[]}`).
    pub fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }

    /// How much work piece `i` is, in spans and attributes (to decide when to yield).
    pub fn weight(&self, i: usize) -> usize {
        match self.pieces.get(i) {
            Some(Piece::SpanAttrs { range, .. }) => range.len(),
            Some(Piece::Span { trace, span, .. }) => self
                .traces
                .get(*trace)
                .and_then(|t| t.spans.get(*span))
                .map_or(1, |s| 1 + s.attrs.len() + s.events.len()),
            _ => 1,
        }
    }

    /// The text of piece `i` (empty past the end).
    pub fn render(&self, i: usize) -> String {
        let Some(piece) = self.pieces.get(i) else {
            return String::new();
        };
        let trace_of = |t: &usize| self.traces.get(*t).map(Arc::as_ref);
        match piece {
            Piece::Text(text) => text.clone(),
            Piece::Span { trace, span, first } => {
                let Some((trace, span)) =
                    trace_of(trace).and_then(|t| Some((t, t.spans.get(*span)?)))
                else {
                    return String::new();
                };
                let comma = if *first { "" } else { "," };
                format!("{comma}{}", self.span_value(trace, span, None))
            }
            Piece::SpanHead { trace, span, first } => {
                let (head, _) = self.split_span(trace_of(trace), *span);
                let comma = if *first { "" } else { "," };
                format!("{comma}{head}[")
            }
            Piece::SpanAttrs { trace, span, range } => {
                let Some(trace) = trace_of(trace) else {
                    return String::new();
                };
                let Some(span) = trace.spans.get(*span) else {
                    return String::new();
                };
                let attrs = trace.attrs(span.attrs);
                let values: Vec<String> = attrs
                    .get(range.clone())
                    .unwrap_or(&[])
                    .iter()
                    .map(|a| self.attribute(trace, a).to_string())
                    .collect();
                let comma = if range.start == 0 { "" } else { "," };
                format!("{comma}{}", values.join(","))
            }
            Piece::SpanTail { trace, span } => {
                let trace = trace_of(trace);
                let extra = trace
                    .and_then(|t| Some((t, t.spans.get(*span)?)))
                    .map(|(t, s)| match self.format {
                        ExportFormat::Jaeger => jaeger_added_tags(t, s),
                        ExportFormat::Otlp => Vec::new(),
                    })
                    .unwrap_or_default();
                let (_, tail) = self.split_span(trace, *span);
                let extra: String = extra.iter().map(|v| format!(",{v}")).collect();
                format!("{extra}]{tail}")
            }
            Piece::JaegerTail { trace } => {
                let processes = trace_of(trace).map(jaeger_processes).unwrap_or_default();
                format!(
                    "],\"processes\":{},\"warnings\":null}}",
                    Value::Object(processes)
                )
            }
            Piece::OtlpResourceHead {
                trace,
                resource,
                first,
            } => {
                let comma = if *first { "" } else { "," };
                let attributes = trace_of(trace)
                    .map(|t| otlp_resource_attributes(t, *resource))
                    .unwrap_or_default();
                format!(
                    "{comma}{{\"resource\":{},\"scopeSpans\":[{{\"scope\":{{}},\"spans\":[",
                    json!({ "attributes": attributes })
                )
            }
        }
    }

    /// One attribute as the format writes it.
    fn attribute(&self, trace: &Trace, attr: &Attribute) -> Value {
        match self.format {
            ExportFormat::Jaeger => jaeger_tag(trace, attr),
            ExportFormat::Otlp => {
                json!({"key": trace.str(attr.key), "value": any_value(&json_of(trace, attr.value))})
            }
        }
    }

    /// A span as one JSON value; with `attributes_mark`, its attribute array is replaced by a
    /// mark to split the text at.
    fn span_value(&self, trace: &Trace, span: &Span, attributes_mark: Option<&str>) -> Value {
        match self.format {
            ExportFormat::Jaeger => jaeger_span(trace, span, attributes_mark),
            ExportFormat::Otlp => otlp_span(trace, span, attributes_mark),
        }
    }

    /// A span's text before and after its attribute array (for a span written in pieces).
    fn split_span(&self, trace: Option<&Trace>, span: usize) -> (String, String) {
        let Some((trace, span)) = trace.and_then(|t| Some((t, t.spans.get(span)?))) else {
            return (String::new(), String::new());
        };
        let text = self
            .span_value(trace, span, Some(ATTRIBUTES_MARK))
            .to_string();
        let mark = Value::from(ATTRIBUTES_MARK).to_string();
        match text.split_once(&mark) {
            Some((head, tail)) => (head.to_string(), tail.to_string()),
            None => (text, String::new()),
        }
    }
}

/// An attribute's value as JSON text parsed back (arrays and maps are kept as JSON text).
fn json_of(trace: &Trace, value: AttrValue) -> Value {
    match value {
        AttrValue::Str(s) => Value::String(trace.str(s).to_string()),
        AttrValue::Json(s) => serde_json::from_str(trace.str(s))
            .unwrap_or_else(|_| Value::String(trace.str(s).to_string())),
        AttrValue::Bool(b) => Value::Bool(b),
        AttrValue::Int(i) => Value::from(i),
        AttrValue::Float(f) => Value::from(f),
    }
}

// ---- Jaeger ----

fn jaeger_tag(trace: &Trace, attr: &Attribute) -> Value {
    let key = trace.str(attr.key);
    match attr.value {
        AttrValue::Str(s) => json!({"key": key, "type": "string", "value": trace.str(s)}),
        AttrValue::Json(s) => json!({"key": key, "type": "string", "value": trace.str(s)}),
        AttrValue::Bool(b) => json!({"key": key, "type": "bool", "value": b}),
        AttrValue::Int(i) => json!({"key": key, "type": "int64", "value": i}),
        AttrValue::Float(f) => json!({"key": key, "type": "float64", "value": f}),
    }
}

fn micros(ns: i64) -> i64 {
    ns.div_euclid(1000)
}

/// A trace's processes (`p1`, `p2`, …: one per resource), for its `processes` map.
fn jaeger_processes(trace: &Trace) -> Map<String, Value> {
    let mut processes = Map::new();
    for (i, resource) in trace.resources.iter().enumerate() {
        let tags: Vec<Value> = trace
            .attrs(resource.attrs)
            .iter()
            .filter(|a| trace.str(a.key) != "service.name")
            .map(|a| jaeger_tag(trace, a))
            .collect();
        processes.insert(
            format!("p{}", i + 1),
            json!({"serviceName": trace.str(resource.service), "tags": tags}),
        );
    }
    processes
}

/// The tags Jaeger needs beyond a span's attributes: its kind and status, when its attributes
/// do not say them already.
fn jaeger_added_tags(trace: &Trace, span: &Span) -> Vec<Value> {
    let attrs = trace.attrs(span.attrs);
    let has = |key: &str| attrs.iter().any(|a| trace.str(a.key) == key);
    let mut tags = Vec::new();
    if span.kind != SpanKind::Unspecified && !has("span.kind") {
        tags.push(json!({"key": "span.kind", "type": "string", "value": span.kind.as_str()}));
    }
    if span.status == SpanStatus::Error {
        // Jaeger UI marks `error=true`; a Zipkin `error` tag keeps its message, so the status
        // is also said the OpenTelemetry way.
        if !has("error") {
            tags.push(json!({"key": "error", "type": "bool", "value": true}));
        }
        if !has("otel.status_code") {
            tags.push(json!({"key": "otel.status_code", "type": "string", "value": "ERROR"}));
        }
    }
    if span.status == SpanStatus::Ok && !has("otel.status_code") {
        tags.push(json!({"key": "otel.status_code", "type": "string", "value": "OK"}));
    }
    if let Some(message) = span.status_message {
        if !has("otel.status_description") {
            tags.push(json!({"key": "otel.status_description", "type": "string", "value": trace.str(message)}));
        }
    }
    tags
}

/// A span as Jaeger writes it; with `attributes_mark`, its `tags` are that mark (see
/// [`ExportPlan`]).
fn jaeger_span(trace: &Trace, span: &Span, attributes_mark: Option<&str>) -> Value {
    let tags = match attributes_mark {
        Some(mark) => Value::from(mark),
        None => {
            let mut tags: Vec<Value> = trace
                .attrs(span.attrs)
                .iter()
                .map(|a| jaeger_tag(trace, a))
                .collect();
            tags.extend(jaeger_added_tags(trace, span));
            Value::Array(tags)
        }
    };
    let mut references = Vec::new();
    if let Some(parent) = span.parent_span_id {
        references.push(
            json!({"refType": "CHILD_OF", "traceID": trace.trace_id, "spanID": trace.str(parent)}),
        );
    }
    for r in trace.references.get(span.refs.as_range()).unwrap_or(&[]) {
        let target = trace.str(r.span_id);
        if Some(r.span_id) == span.parent_span_id && r.kind == RefKind::ChildOf {
            continue;
        }
        let kind = if r.kind == RefKind::ChildOf {
            "CHILD_OF"
        } else {
            "FOLLOWS_FROM"
        };
        references
            .push(json!({"refType": kind, "traceID": trace.str(r.trace_id), "spanID": target}));
    }
    let logs: Vec<Value> = trace
        .events
        .get(span.events.as_range())
        .unwrap_or(&[])
        .iter()
        .map(|e| {
            let mut fields =
                vec![json!({"key": "event", "type": "string", "value": trace.str(e.name)})];
            fields.extend(trace.attrs(e.attrs).iter().map(|a| jaeger_tag(trace, a)));
            json!({"timestamp": micros(e.time_ns), "fields": fields})
        })
        .collect();
    json!({
        "traceID": trace.trace_id,
        "spanID": trace.str(span.span_id),
        "operationName": trace.str(span.operation),
        "references": references,
        "startTime": micros(span.start_ns),
        "duration": micros(span.duration_ns),
        "tags": tags,
        "logs": logs,
        "processID": format!("p{}", span.resource + 1),
        "warnings": null,
        "flags": 1,
    })
}

// ---- OTLP ----

/// A hex ID of `digits` digits: hex padded with zeros, anything else hashed.
fn otlp_id(id: &str, digits: usize) -> String {
    let is_hex = !id.is_empty() && id.bytes().all(|b| b.is_ascii_hexdigit());
    if is_hex && id.len() <= digits {
        return format!("{id:0>digits$}").to_ascii_lowercase();
    }
    if is_hex {
        // Longer than OTLP allows: keep the low digits, as Jaeger does with 128-bit IDs.
        return id[id.len() - digits..].to_ascii_lowercase();
    }
    let mut out = String::new();
    let mut seed = 0u64;
    while out.len() < digits {
        let mut hasher = rustc_hash::FxHasher::default();
        (id, seed).hash(&mut hasher);
        out.push_str(&format!("{:016x}", hasher.finish()));
        seed += 1;
    }
    out.truncate(digits);
    out
}

fn any_value(value: &Value) -> Value {
    match value {
        Value::String(s) => json!({"stringValue": s}),
        Value::Bool(b) => json!({"boolValue": b}),
        Value::Number(n) if n.is_i64() || n.is_u64() => json!({"intValue": n.to_string()}),
        Value::Number(n) => json!({"doubleValue": n.as_f64().unwrap_or(0.0)}),
        Value::Array(items) => {
            json!({"arrayValue": {"values": items.iter().map(any_value).collect::<Vec<_>>()}})
        }
        Value::Object(map) => {
            json!({"kvlistValue": {"values": map.iter().map(|(k, v)| json!({"key": k, "value": any_value(v)})).collect::<Vec<_>>()}})
        }
        Value::Null => json!({}),
    }
}

fn otlp_attrs(trace: &Trace, attrs: &[Attribute]) -> Vec<Value> {
    attrs
        .iter()
        .map(|a| json!({"key": trace.str(a.key), "value": any_value(&json_of(trace, a.value))}))
        .collect()
}

fn otlp_kind(kind: SpanKind) -> u8 {
    match kind {
        SpanKind::Unspecified => 0,
        SpanKind::Internal => 1,
        SpanKind::Server => 2,
        SpanKind::Client => 3,
        SpanKind::Producer => 4,
        SpanKind::Consumer => 5,
    }
}

/// A span as OTLP writes it; with `attributes_mark`, its `attributes` are that mark (see
/// [`ExportPlan`]).
fn otlp_span(trace: &Trace, span: &Span, attributes_mark: Option<&str>) -> Value {
    let mut out = Map::new();
    out.insert("traceId".into(), json!(otlp_id(&trace.trace_id, 32)));
    out.insert("spanId".into(), json!(otlp_id(trace.str(span.span_id), 16)));
    if let Some(parent) = span.parent_span_id {
        out.insert("parentSpanId".into(), json!(otlp_id(trace.str(parent), 16)));
    }
    out.insert("name".into(), json!(trace.str(span.operation)));
    out.insert("kind".into(), json!(otlp_kind(span.kind)));
    out.insert(
        "startTimeUnixNano".into(),
        json!(span.start_ns.max(0).to_string()),
    );
    out.insert(
        "endTimeUnixNano".into(),
        json!(span.end_ns().max(0).to_string()),
    );
    out.insert(
        "attributes".into(),
        match attributes_mark {
            Some(mark) => Value::from(mark),
            None => Value::Array(otlp_attrs(trace, trace.attrs(span.attrs))),
        },
    );
    let events: Vec<Value> = trace
        .events
        .get(span.events.as_range())
        .unwrap_or(&[])
        .iter()
        .map(|e| json!({"timeUnixNano": e.time_ns.max(0).to_string(), "name": trace.str(e.name), "attributes": otlp_attrs(trace, trace.attrs(e.attrs))}))
        .collect();
    out.insert("events".into(), Value::Array(events));
    let links: Vec<Value> = trace
        .references
        .get(span.refs.as_range())
        .unwrap_or(&[])
        .iter()
        .filter(|r| !(r.kind == RefKind::ChildOf && Some(r.span_id) == span.parent_span_id))
        .map(|r| json!({"traceId": otlp_id(trace.str(r.trace_id), 32), "spanId": otlp_id(trace.str(r.span_id), 16), "attributes": otlp_attrs(trace, trace.attrs(r.attrs))}))
        .collect();
    out.insert("links".into(), Value::Array(links));
    let code = match span.status {
        SpanStatus::Unset => 0,
        SpanStatus::Ok => 1,
        SpanStatus::Error => 2,
    };
    let mut status = json!({"code": code});
    if let Some(message) = span.status_message {
        status["message"] = json!(trace.str(message));
    }
    out.insert("status".into(), status);
    Value::Object(out)
}

/// A resource's attributes as OTLP writes them, `service.name` first.
fn otlp_resource_attributes(trace: &Trace, resource: u32) -> Vec<Value> {
    let (service, attrs) = trace
        .resources
        .get(resource as usize)
        .map_or(("unknown_service", &[][..]), |r| {
            (trace.str(r.service), trace.attrs(r.attrs))
        });
    let mut attributes = vec![json!({"key": "service.name", "value": {"stringValue": service}})];
    attributes.extend(
        otlp_attrs(trace, attrs)
            .into_iter()
            .filter(|a| a["key"] != "service.name"),
    );
    attributes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::load::load_into;
    use crate::core::model::TraceSet;

    /// What must survive a round trip, per span: IDs, parent, service, name, µs times, kind,
    /// status, attribute count, event count.
    fn facts(trace: &Trace) -> Vec<String> {
        let mut rows: Vec<String> = trace
            .spans
            .iter()
            .map(|s| {
                format!(
                    "{} {:?} {} {} {} {} {:?} {:?} {} {}",
                    trace.str(s.span_id).trim_start_matches('0'),
                    s.parent_span_id
                        .map(|p| trace.str(p).trim_start_matches('0').to_string()),
                    trace.str(s.service),
                    trace.str(s.operation),
                    micros(s.start_ns),
                    micros(s.duration_ns),
                    s.kind,
                    s.status == SpanStatus::Error,
                    trace
                        .attrs(s.attrs)
                        .iter()
                        .filter(|a| !matches!(
                            trace.str(a.key),
                            "span.kind" | "error" | "otel.status_code" | "otel.status_description"
                        ))
                        .count(),
                    s.events.len(),
                )
            })
            .collect();
        rows.sort();
        rows
    }

    fn load(name: &str, bytes: &[u8]) -> TraceSet {
        let mut set = TraceSet::default();
        load_into(&mut set, name, bytes).expect("loads");
        set
    }

    #[test]
    fn fixtures_round_trip_through_both_formats() {
        for (name, bytes) in [
            (
                "hotrod.json",
                &include_bytes!(
                    "../../../tests/fixtures/jaeger/root-2992f2a5b5d037a8aabffd08ef384237.json"
                )[..],
            ),
            (
                "otlp.json",
                &include_bytes!("../../../tests/fixtures/otlp/memory-otel_traces_01.json")[..],
            ),
            (
                "zipkin.json",
                &include_bytes!("../../../tests/fixtures/zipkin/messaging-kafka.json")[..],
            ),
            (
                "agent.json",
                &include_bytes!("../../../tests/fixtures/genai/agent-runs.otlp.json")[..],
            ),
        ] {
            let original = load(name, bytes);
            for format in [ExportFormat::Jaeger, ExportFormat::Otlp] {
                let text = export_traces(original.traces(), format);
                let back = load(&format!("back.{}", format.extension()), text.as_bytes());
                assert_eq!(
                    back.traces().len(),
                    original.traces().len(),
                    "{name} {format:?}"
                );
                for (a, b) in original.traces().iter().zip(back.traces()) {
                    assert_eq!(facts(a), facts(b), "{name} {format:?}");
                }
            }
        }
    }

    #[test]
    fn a_span_with_many_attributes_is_written_in_pieces_that_join_into_the_document() {
        let tags: String = (0..(2 * ATTRIBUTES_PER_PIECE + 5))
            .map(|i| format!("\"k{i}\":\"v{i}\""))
            .collect::<Vec<_>>()
            .join(",");
        let doc = format!(
            r#"[{{"traceId":"00000000000000000000000000000abc","id":"00000000000000a1","name":"big","timestamp":1600000000000000,"duration":5,"kind":"SERVER","tags":{{"error":"boom",{tags}}},"localEndpoint":{{"serviceName":"svc"}}}}]"#
        );
        let set = load("many.json", doc.as_bytes());
        for format in [ExportFormat::Jaeger, ExportFormat::Otlp] {
            let plan = ExportPlan::new(set.traces(), format);
            // Head, three pieces of attributes, tail, and the document's frame.
            assert!(plan.len() >= 7, "{} pieces", plan.len());
            assert!((0..plan.len()).all(|i| plan.weight(i) <= ATTRIBUTES_PER_PIECE + 1));
            let text = export_traces(set.traces(), format);
            let back = load("back.json", text.as_bytes());
            assert_eq!(
                facts(&back.traces()[0]),
                facts(&set.traces()[0]),
                "{format:?}"
            );
        }
    }

    #[test]
    fn otlp_ids_are_padded_or_hashed() {
        assert_eq!(otlp_id("abc", 16), "0000000000000abc");
        assert_eq!(otlp_id("span-1", 16).len(), 16);
        assert_eq!(otlp_id("span-1", 16), otlp_id("span-1", 16));
        assert_ne!(otlp_id("span-1", 16), otlp_id("span-2", 16));
        assert_eq!(otlp_id(&"f".repeat(40), 32), "f".repeat(32));
    }
}
