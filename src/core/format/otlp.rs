//! OpenTelemetry OTLP/JSON: `{resourceSpans:[{resource, scopeSpans:[{scope, spans}]}]}`, Tempo's
//! `batches` / `instrumentationLibrarySpans` spelling, and snake_case field names.
//!
//! Mapping: `service.name` resource attribute → service; the scope becomes the span attributes
//! `otel.scope.name` / `otel.scope.version` (as Jaeger shows them); status code 2 /
//! `STATUS_CODE_ERROR` → error; events → events; links → references of kind `Link`. IDs may be
//! hex or base64; times may be strings or numbers (nanoseconds); kind a number or a name.
use std::borrow::Cow;

use serde::Deserialize;

use super::collector::{SpanStart, TraceCollector, UNKNOWN_SERVICE};
use super::wire::{self, Number, Scalar, Text, Time};
use crate::core::model::{
    normalize_id, AttrValue, Event, IdxRange, RefKind, Reference, SpanFlags, SpanKind, SpanStatus,
    TraceBuilder, Warning, WarningKind,
};

#[derive(Deserialize)]
struct WireDocument<'a> {
    #[serde(
        rename = "resourceSpans",
        alias = "resource_spans",
        alias = "batches",
        borrow,
        default
    )]
    resource_spans: Option<Vec<WireResourceSpans<'a>>>,
}

#[derive(Deserialize)]
struct WireResourceSpans<'a> {
    #[serde(borrow, default)]
    resource: Option<WireResource<'a>>,
    #[serde(
        rename = "scopeSpans",
        alias = "scope_spans",
        alias = "instrumentationLibrarySpans",
        alias = "instrumentation_library_spans",
        borrow,
        default
    )]
    scope_spans: Option<Vec<WireScopeSpans<'a>>>,
}

#[derive(Deserialize)]
struct WireResource<'a> {
    #[serde(borrow, default)]
    attributes: Option<Vec<WireKeyValue<'a>>>,
}

#[derive(Deserialize)]
struct WireScopeSpans<'a> {
    #[serde(
        alias = "instrumentationLibrary",
        alias = "instrumentation_library",
        borrow,
        default
    )]
    scope: Option<WireScope<'a>>,
    #[serde(borrow, default)]
    spans: Option<Vec<WireSpan<'a>>>,
}

#[derive(Deserialize)]
struct WireScope<'a> {
    #[serde(borrow, default)]
    name: Text<'a>,
    #[serde(borrow, default)]
    version: Text<'a>,
}

#[derive(Deserialize)]
struct WireSpan<'a> {
    #[serde(rename = "traceId", alias = "trace_id", borrow, default)]
    trace_id: Text<'a>,
    #[serde(rename = "spanId", alias = "span_id", borrow, default)]
    span_id: Text<'a>,
    #[serde(rename = "parentSpanId", alias = "parent_span_id", borrow, default)]
    parent_span_id: Text<'a>,
    #[serde(borrow, default)]
    name: Text<'a>,
    #[serde(borrow, default)]
    kind: Option<Scalar<'a>>,
    #[serde(rename = "startTimeUnixNano", alias = "start_time_unix_nano", default)]
    start_time: Number,
    #[serde(rename = "endTimeUnixNano", alias = "end_time_unix_nano", default)]
    end_time: Number,
    #[serde(borrow, default)]
    attributes: Option<Vec<WireKeyValue<'a>>>,
    #[serde(borrow, default)]
    events: Option<Vec<WireEvent<'a>>>,
    #[serde(borrow, default)]
    links: Option<Vec<WireLink<'a>>>,
    #[serde(borrow, default)]
    status: Option<WireStatus<'a>>,
}

#[derive(Deserialize)]
struct WireStatus<'a> {
    #[serde(borrow, default)]
    code: Option<Scalar<'a>>,
    #[serde(borrow, default)]
    message: Text<'a>,
}

#[derive(Deserialize)]
struct WireEvent<'a> {
    #[serde(rename = "timeUnixNano", alias = "time_unix_nano", default)]
    time: Number,
    #[serde(borrow, default)]
    name: Text<'a>,
    #[serde(borrow, default)]
    attributes: Option<Vec<WireKeyValue<'a>>>,
}

#[derive(Deserialize)]
struct WireLink<'a> {
    #[serde(rename = "traceId", alias = "trace_id", borrow, default)]
    trace_id: Text<'a>,
    #[serde(rename = "spanId", alias = "span_id", borrow, default)]
    span_id: Text<'a>,
    #[serde(borrow, default)]
    attributes: Option<Vec<WireKeyValue<'a>>>,
}

#[derive(Deserialize)]
struct WireKeyValue<'a> {
    #[serde(borrow, default)]
    key: Text<'a>,
    #[serde(borrow, default)]
    value: Option<WireAnyValue<'a>>,
}

#[derive(Deserialize, Default)]
struct WireAnyValue<'a> {
    #[serde(rename = "stringValue", alias = "string_value", borrow, default)]
    string_value: Option<Cow<'a, str>>,
    #[serde(rename = "boolValue", alias = "bool_value", default)]
    bool_value: Option<bool>,
    #[serde(rename = "intValue", alias = "int_value", default)]
    int_value: Number,
    #[serde(rename = "doubleValue", alias = "double_value", borrow, default)]
    double_value: Option<Scalar<'a>>,
    // Arrays and maps are kept as their raw text and read when the attribute is made: an
    // attribute nested past the JSON reader's depth limit (128) rejected the whole file; now
    // it alone is kept as text (see `MAX_VALUE_DEPTH`).
    #[serde(rename = "arrayValue", alias = "array_value", borrow, default)]
    array_value: Option<&'a serde_json::value::RawValue>,
    #[serde(rename = "kvlistValue", alias = "kvlist_value", borrow, default)]
    kvlist_value: Option<&'a serde_json::value::RawValue>,
    #[serde(rename = "bytesValue", alias = "bytes_value", borrow, default)]
    bytes_value: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct WireArray<'a> {
    #[serde(borrow, default)]
    values: Option<Vec<WireAnyValue<'a>>>,
}

#[derive(Deserialize)]
struct WireKvList<'a> {
    #[serde(borrow, default)]
    values: Option<Vec<WireKeyValue<'a>>>,
}

/// Arrays and maps nested deeper than this are kept as their OTLP JSON text.
const MAX_VALUE_DEPTH: usize = 64;

impl WireAnyValue<'_> {
    /// The value as plain JSON (for arrays and maps, which we keep as JSON text).
    fn to_json(&self) -> serde_json::Value {
        self.to_json_at(0)
    }

    /// [`Self::to_json`] at nesting `depth`: past [`MAX_VALUE_DEPTH`], or where the raw text
    /// does not read, an array or map is its text.
    fn to_json_at(&self, depth: usize) -> serde_json::Value {
        use serde_json::Value;
        let raw_text = |raw: &serde_json::value::RawValue| Value::String(raw.get().to_string());
        if let Some(s) = &self.string_value {
            return Value::String(s.to_string());
        }
        if let Some(b) = self.bool_value {
            return Value::Bool(b);
        }
        if let Some(i) = self.int_value.value() {
            return Value::from(i);
        }
        if let Some(d) = self.double_value.as_ref().and_then(scalar_f64) {
            return Value::from(d);
        }
        if let Some(raw) = self.array_value {
            return match serde_json::from_str::<WireArray>(raw.get()) {
                Ok(array) if depth < MAX_VALUE_DEPTH => Value::Array(
                    array
                        .values
                        .iter()
                        .flatten()
                        .map(|v| v.to_json_at(depth + 1))
                        .collect(),
                ),
                _ => raw_text(raw),
            };
        }
        if let Some(raw) = self.kvlist_value {
            return match serde_json::from_str::<WireKvList>(raw.get()) {
                Ok(list) if depth < MAX_VALUE_DEPTH => Value::Object(
                    list.values
                        .iter()
                        .flatten()
                        .filter_map(|kv| {
                            let key = kv.key.get()?.to_string();
                            let value = kv
                                .value
                                .as_ref()
                                .map_or(Value::Null, |v| v.to_json_at(depth + 1));
                            Some((key, value))
                        })
                        .collect(),
                ),
                _ => raw_text(raw),
            };
        }
        if let Some(bytes) = &self.bytes_value {
            return Value::String(bytes.to_string());
        }
        Value::Null
    }

    fn to_attr(&self, builder: &mut TraceBuilder) -> AttrValue {
        if let Some(s) = &self.string_value {
            return AttrValue::Str(builder.intern(s));
        }
        if let Some(b) = self.bool_value {
            return AttrValue::Bool(b);
        }
        if let Some(i) = self.int_value.value() {
            return AttrValue::Int(i);
        }
        if let Some(d) = self.double_value.as_ref().and_then(scalar_f64) {
            return AttrValue::Float(d);
        }
        if let Some(bytes) = &self.bytes_value {
            return AttrValue::Str(builder.intern(bytes));
        }
        AttrValue::Json(builder.intern(&self.to_json().to_string()))
    }

    fn as_text(&self) -> Option<&str> {
        self.string_value.as_deref()
    }
}

fn scalar_f64(scalar: &Scalar) -> Option<f64> {
    match scalar {
        Scalar::Float(f) => Some(*f),
        Scalar::Int(i) => Some(*i as f64),
        Scalar::Str(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn push_attributes(builder: &mut TraceBuilder, attributes: &[WireKeyValue]) -> IdxRange {
    let mark = builder.attrs_mark();
    for kv in attributes {
        let Some(key) = kv.key.get() else { continue };
        let key = builder.intern(key);
        let value = kv
            .value
            .as_ref()
            .map_or(AttrValue::Json(builder.intern("null")), |v| {
                v.to_attr(builder)
            });
        builder.push_attr(key, value);
    }
    builder.attrs_since(mark)
}

/// Reads one OTLP document (`{resourceSpans}` or `{batches}`).
pub(crate) fn read_document(
    raw: &str,
    collector: &mut TraceCollector,
) -> Result<(), serde_json::Error> {
    let document: WireDocument = serde_json::from_str(raw)?;
    for resource_spans in document.resource_spans.unwrap_or_default() {
        let resource_attrs = resource_spans
            .resource
            .and_then(|r| r.attributes)
            .unwrap_or_default();
        let service_text = resource_attrs
            .iter()
            .find(|kv| kv.key.get() == Some("service.name"))
            .and_then(|kv| kv.value.as_ref().and_then(WireAnyValue::as_text))
            .unwrap_or(UNKNOWN_SERVICE)
            .to_string();
        // Resource index per trace builder (a resource's spans may belong to several traces).
        let mut resource_per_trace: Vec<(String, u32)> = Vec::new();
        for scope_spans in resource_spans.scope_spans.unwrap_or_default() {
            let scope = scope_spans.scope;
            for span in scope_spans.spans.unwrap_or_default() {
                let trace_id = span.trace_id.get().map(str::to_string);
                let key = trace_id.clone().unwrap_or_default();
                let resource = match resource_per_trace.iter().find(|(k, _)| *k == key) {
                    Some((_, index)) => *index,
                    None => {
                        let builder = collector.builder(trace_id.as_deref());
                        let service = builder.intern(&service_text);
                        let attrs = push_attributes(builder, &resource_attrs);
                        let index = builder.add_resource(service, attrs);
                        resource_per_trace.push((key, index));
                        index
                    }
                };
                add_span(
                    collector,
                    trace_id.as_deref(),
                    span,
                    scope.as_ref(),
                    resource,
                );
            }
        }
    }
    Ok(())
}

fn add_span(
    collector: &mut TraceCollector,
    trace_id: Option<&str>,
    span: WireSpan,
    scope: Option<&WireScope>,
    resource: u32,
) {
    let operation_text = span.name.get().unwrap_or("");
    let SpanStart {
        builder,
        span: mut out,
        span_id: span_id_text,
        file,
    } = collector.begin_span(
        trace_id,
        span.span_id.get(),
        span.parent_span_id.get(),
        operation_text,
        resource,
    );

    let (start, clamped_start) = wire::start_ns(span.start_time, 1);
    let (end, clamped_end) = wire::start_ns(span.end_time, 1);
    for (field, clamped) in [
        ("startTimeUnixNano", clamped_start),
        ("endTimeUnixNano", clamped_end),
    ] {
        wire::warn_out_of_range(builder, &file, &span_id_text, field, "ns", clamped);
    }
    match (start, end) {
        (Time::Ns(start), Time::Ns(end)) => {
            out.start_ns = start;
            out.duration_ns = end.checked_sub(start).unwrap_or_else(|| {
                let (clamped, shown) = if end > start {
                    (i64::MAX, "clamped to 292 years")
                } else {
                    (0, "shown as 0")
                };
                let original = (i128::from(end) - i128::from(start)).to_string();
                let clamp = Some((original, shown));
                wire::warn_out_of_range(
                    builder,
                    &file,
                    &span_id_text,
                    "a duration of",
                    "ns",
                    clamp,
                );
                clamped
            });
        }
        (Time::Ns(start), _) => {
            out.start_ns = start;
            out.flags.set(SpanFlags::NO_DURATION);
            builder.warn(Warning::for_span(
                WarningKind::InvalidValue,
                &span_id_text,
                format!("{file}: span {span_id_text} has no readable endTimeUnixNano; duration shown as 0"),
            ));
        }
        _ => {
            out.flags.set(SpanFlags::NO_TIMESTAMP);
            out.flags.set(SpanFlags::NO_DURATION);
            builder.warn(Warning::for_span(
                WarningKind::MissingTimestamp,
                &span_id_text,
                format!("{file}: span {span_id_text} has no readable startTimeUnixNano"),
            ));
        }
    }

    out.kind = match &span.kind {
        Some(Scalar::Int(n)) => SpanKind::from_otlp_number(*n),
        Some(Scalar::Str(name)) => SpanKind::from_name(name),
        _ => SpanKind::Unspecified,
    };
    if let Some(status) = &span.status {
        out.status = match &status.code {
            Some(Scalar::Int(2)) => SpanStatus::Error,
            Some(Scalar::Int(1)) => SpanStatus::Ok,
            Some(Scalar::Str(name)) => {
                match name.to_ascii_uppercase().trim_start_matches("STATUS_CODE_") {
                    "ERROR" => SpanStatus::Error,
                    "OK" => SpanStatus::Ok,
                    _ => SpanStatus::Unset,
                }
            }
            _ => SpanStatus::Unset,
        };
        if let Some(message) = status.message.get() {
            out.status_message = Some(builder.intern(message));
        }
    }

    let mark = builder.attrs_mark();
    push_attributes(builder, span.attributes.as_deref().unwrap_or(&[]));
    if let Some(scope) = scope {
        for (key, value) in [
            ("otel.scope.name", &scope.name),
            ("otel.scope.version", &scope.version),
        ] {
            if let Some(value) = value.get() {
                builder.push_str_attr(key, value);
            }
        }
    }
    out.attrs = builder.attrs_since(mark);

    let events_mark = builder.events_mark();
    for event in span.events.unwrap_or_default() {
        let name = builder.intern(event.name.get().unwrap_or("event"));
        let attrs = push_attributes(builder, event.attributes.as_deref().unwrap_or(&[]));
        builder.push_event(Event {
            time_ns: event.time.value().unwrap_or(out.start_ns),
            name,
            attrs,
        });
    }
    out.events = builder.events_since(events_mark);

    let refs_mark = builder.refs_mark();
    for link in span.links.unwrap_or_default() {
        let Some(target) = link.span_id.get() else {
            continue;
        };
        let span_sym = builder.intern(&normalize_id(target));
        let target_trace = link
            .trace_id
            .get()
            .map(normalize_id)
            .or_else(|| trace_id.map(normalize_id))
            .unwrap_or_default();
        let trace_sym = builder.intern(&target_trace);
        let attrs = push_attributes(builder, link.attributes.as_deref().unwrap_or(&[]));
        builder.push_ref(Reference {
            kind: RefKind::Link,
            trace_id: trace_sym,
            span_id: span_sym,
            attrs,
        });
    }
    out.refs = builder.refs_since(refs_mark);
    builder.push_span(out);
}
