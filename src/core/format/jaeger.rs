//! Jaeger JSON: the query API's traces (`{traceID, spans, processes}`) and span arrays whose
//! spans embed their `process`.
//!
//! Mapping: `processes` → resources; tags → attributes (`span.kind` → kind, `error=true` or
//! `otel.status_code=ERROR` → error status); logs → events (named by their `event` field);
//! references → references, the parent being the first CHILD_OF (else FOLLOWS_FROM) reference
//! within the same trace, as Jaeger UI does. Times are microseconds.
use std::borrow::Cow;
use std::collections::HashMap;

use rustc_hash::FxHashMap;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::collector::{add_unknown_resource, SpanStart, TraceCollector, UNKNOWN_SERVICE};
use super::wire::{one_or_many, Number, Scalar, Text};
use crate::core::model::{
    normalize_id, same_trace_id, Event, RefKind, Reference, SpanFlags, SpanKind, SpanStatus,
    TraceBuilder, Warning, WarningKind,
};

#[derive(Deserialize)]
struct WireTrace<'a> {
    #[serde(rename = "traceID", borrow, default)]
    trace_id: Text<'a>,
    #[serde(borrow, default)]
    spans: Option<Vec<WireSpan<'a>>>,
    #[serde(borrow, default)]
    processes: Option<HashMap<Cow<'a, str>, WireProcess<'a>>>,
    #[serde(borrow, default)]
    warnings: Option<Vec<Text<'a>>>,
}

#[derive(Deserialize)]
struct WireSpan<'a> {
    #[serde(rename = "traceID", borrow, default)]
    trace_id: Text<'a>,
    #[serde(rename = "spanID", borrow, default)]
    span_id: Text<'a>,
    #[serde(rename = "operationName", borrow, default)]
    operation_name: Text<'a>,
    #[serde(borrow, default)]
    references: Option<Vec<WireRef<'a>>>,
    #[serde(rename = "startTime", default)]
    start_time: Number,
    #[serde(default)]
    duration: Number,
    #[serde(borrow, default)]
    tags: Option<Vec<WireTag<'a>>>,
    #[serde(borrow, default)]
    logs: Option<Vec<WireLog<'a>>>,
    #[serde(rename = "processID", borrow, default)]
    process_id: Text<'a>,
    #[serde(borrow, default)]
    process: Option<&'a RawValue>,
    #[serde(borrow, default)]
    warnings: Option<Vec<Text<'a>>>,
}

#[derive(Deserialize)]
struct WireProcess<'a> {
    #[serde(rename = "serviceName", borrow, default)]
    service_name: Text<'a>,
    #[serde(borrow, default)]
    tags: Option<Vec<WireTag<'a>>>,
}

#[derive(Deserialize)]
struct WireTag<'a> {
    #[serde(borrow, default)]
    key: Text<'a>,
    #[serde(borrow, default)]
    value: Option<Scalar<'a>>,
}

#[derive(Deserialize)]
struct WireLog<'a> {
    #[serde(default)]
    timestamp: Number,
    #[serde(borrow, default)]
    fields: Option<Vec<WireTag<'a>>>,
}

#[derive(Deserialize)]
struct WireRef<'a> {
    #[serde(rename = "refType", borrow, default)]
    ref_type: Text<'a>,
    #[serde(rename = "traceID", borrow, default)]
    trace_id: Text<'a>,
    #[serde(rename = "spanID", borrow, default)]
    span_id: Text<'a>,
}

/// Reads one trace object `{traceID, spans, processes, warnings}`.
pub(crate) fn read_trace(
    raw: &str,
    collector: &mut TraceCollector,
) -> Result<(), serde_json::Error> {
    let trace: WireTrace = serde_json::from_str(raw)?;
    add_trace(trace, collector);
    Ok(())
}

/// A Jaeger query API response, for the single-pass fast path.
#[derive(Deserialize)]
struct WireResponse<'a> {
    #[serde(borrow, default)]
    data: Option<Vec<WireTrace<'a>>>,
    #[serde(borrow, default)]
    errors: Option<&'a RawValue>,
}

/// Reads a whole query API response `{"data":[…]}` in one pass (no separate detection pass).
/// Returns `Ok(false)`, having read nothing, when it is not a plain successful response (no
/// `data`, or `errors` given): the general path then explains it.
pub(crate) fn read_api_response(
    text: &str,
    collector: &mut TraceCollector,
) -> Result<bool, serde_json::Error> {
    let response: WireResponse = serde_json::from_str(text)?;
    let has_errors = response.errors.is_some_and(|e| e.get().trim() != "null");
    let Some(traces) = response.data.filter(|_| !has_errors) else {
        return Ok(false);
    };
    for trace in traces {
        add_trace(trace, collector);
    }
    Ok(true)
}

/// Reads the `data` array of a query API response: parsed in one pass, straight into traces.
pub(crate) fn read_traces(
    raw: &str,
    collector: &mut TraceCollector,
) -> Result<(), serde_json::Error> {
    let traces: Vec<WireTrace> = serde_json::from_str(raw)?;
    for trace in traces {
        add_trace(trace, collector);
    }
    Ok(())
}

fn add_trace(trace: WireTrace, collector: &mut TraceCollector) {
    let processes = trace.processes.unwrap_or_default();
    let default_trace_id = trace.trace_id.get().map(str::to_string);
    if let Some(warnings) = &trace.warnings {
        let file = collector.file().to_string();
        let builder = collector.builder(default_trace_id.as_deref());
        for warning in warnings.iter().filter_map(Text::get) {
            builder.warn(Warning::general(
                WarningKind::Input,
                format!("{file}: {warning}"),
            ));
        }
    }
    // Resource index per trace ID and process ID, created on first use. Looked up by borrowed
    // keys, so only a new (trace, process) pair allocates.
    let mut resources: FxHashMap<String, FxHashMap<String, u32>> = FxHashMap::default();
    for span in trace.spans.unwrap_or_default() {
        let trace_id = span.trace_id.get().or(default_trace_id.as_deref());
        let trace_key = trace_id.unwrap_or("");
        let process_id = span.process_id.get().unwrap_or("");
        let known = resources
            .get(trace_key)
            .and_then(|by_process| by_process.get(process_id))
            .copied();
        let resource = match known {
            Some(index) => index,
            None => {
                let builder = collector.builder(trace_id);
                let index = match processes.get(process_id) {
                    Some(process) => add_process(builder, process),
                    None => match span.process {
                        Some(raw_process) => add_raw_process(builder, raw_process),
                        None => add_unknown_resource(builder),
                    },
                };
                resources
                    .entry(trace_key.to_string())
                    .or_default()
                    .insert(process_id.to_string(), index);
                index
            }
        };
        add_span(collector, default_trace_id.as_deref(), span, resource);
    }
}

/// Reads a JSON array of spans with embedded processes (or a single such span).
pub(crate) fn read_span_array(
    raw: &str,
    collector: &mut TraceCollector,
) -> Result<(), serde_json::Error> {
    let spans: Vec<WireSpan> = one_or_many(raw)?;
    // The same process is usually repeated on every span: add it once per trace. The key
    // borrows from the input (cloning a borrowed Cow copies a pointer).
    let mut resources: HashMap<(Option<Cow<'_, str>>, &str), u32> = HashMap::new();
    for span in spans {
        let process_text = span.process.map_or("", |p| p.get());
        let cache_key = (span.trace_id.0.clone(), process_text);
        let resource = match resources.get(&cache_key) {
            Some(&index) => index,
            None => {
                let builder = collector.builder(span.trace_id.get());
                let index = match span.process {
                    Some(raw_process) => add_raw_process(builder, raw_process),
                    None => add_unknown_resource(builder),
                };
                resources.insert(cache_key, index);
                index
            }
        };
        add_span(collector, None, span, resource);
    }
    Ok(())
}

fn add_raw_process(builder: &mut TraceBuilder, raw: &RawValue) -> u32 {
    match serde_json::from_str::<WireProcess>(raw.get()) {
        Ok(process) => add_process(builder, &process),
        Err(_) => add_unknown_resource(builder),
    }
}

fn add_process(builder: &mut TraceBuilder, process: &WireProcess) -> u32 {
    let service = builder.intern(process.service_name.get().unwrap_or(UNKNOWN_SERVICE));
    let mark = builder.attrs_mark();
    push_tags(builder, process.tags.as_deref().unwrap_or(&[]));
    let attrs = builder.attrs_since(mark);
    builder.add_resource(service, attrs)
}

fn push_tags(builder: &mut TraceBuilder, tags: &[WireTag]) {
    for tag in tags {
        let Some(key) = tag.key.get() else { continue };
        let key = builder.intern(key);
        let value = tag.value.as_ref().unwrap_or(&Scalar::Null).to_attr(builder);
        builder.push_attr(key, value);
    }
}

/// Adds one span; its trace is its own `traceID`, else `default_trace_id` (the enclosing trace's).
fn add_span(
    collector: &mut TraceCollector,
    default_trace_id: Option<&str>,
    span: WireSpan,
    resource: u32,
) {
    let trace_id = span.trace_id.get().or(default_trace_id);
    let operation_text = span.operation_name.get().unwrap_or("");
    let SpanStart {
        builder,
        span: mut out,
        span_id: span_id_text,
        file,
    } = collector.begin_span(trace_id, span.span_id.get(), None, operation_text, resource);

    match span.start_time {
        Number::Value(us) => out.start_ns = us.saturating_mul(1000),
        other => {
            out.flags.set(SpanFlags::NO_TIMESTAMP);
            let what = if other == Number::Invalid {
                "an unreadable"
            } else {
                "no"
            };
            builder.warn(Warning::for_span(
                WarningKind::MissingTimestamp,
                &span_id_text,
                format!("{file}: span {span_id_text} has {what} startTime"),
            ));
        }
    }
    match span.duration {
        Number::Value(us) => out.duration_ns = us.saturating_mul(1000),
        Number::Absent => out.flags.set(SpanFlags::NO_DURATION),
        Number::Invalid => {
            out.flags.set(SpanFlags::NO_DURATION);
            builder.warn(Warning::for_span(
                WarningKind::InvalidValue,
                &span_id_text,
                format!("{file}: span {span_id_text} has an unreadable duration; shown as 0"),
            ));
        }
    }

    let tags = span.tags.unwrap_or_default();
    let mark = builder.attrs_mark();
    push_tags(builder, &tags);
    out.attrs = builder.attrs_since(mark);
    for tag in &tags {
        let value = tag.value.as_ref().unwrap_or(&Scalar::Null);
        match tag.key.get() {
            Some("span.kind") => {
                if let Some(text) = value.text() {
                    out.kind = SpanKind::from_name(&text);
                }
            }
            Some("error") if value.is_true() => out.status = SpanStatus::Error,
            Some("otel.status_code") => match value.text().as_deref() {
                Some("ERROR") => out.status = SpanStatus::Error,
                Some("OK") if out.status == SpanStatus::Unset => out.status = SpanStatus::Ok,
                _ => {}
            },
            Some("otel.status_description") => {
                if let Some(text) = value.text() {
                    out.status_message = Some(builder.intern(&text));
                }
            }
            _ => {}
        }
    }

    let events_mark = builder.events_mark();
    for log in span.logs.unwrap_or_default() {
        let fields = log.fields.unwrap_or_default();
        let name_text = fields
            .iter()
            .find(|f| f.key.get() == Some("event"))
            .and_then(|f| {
                f.value
                    .as_ref()
                    .and_then(|v| v.text().map(|t| t.into_owned()))
            })
            .unwrap_or_else(|| "log".to_string());
        let name = builder.intern(&name_text);
        let mark = builder.attrs_mark();
        push_tags(builder, &fields);
        let attrs = builder.attrs_since(mark);
        builder.push_event(Event {
            time_ns: log.timestamp.value().unwrap_or(0).saturating_mul(1000),
            name,
            attrs,
        });
    }
    out.events = builder.events_since(events_mark);

    let refs_mark = builder.refs_mark();
    let own_trace = trace_id.map(normalize_id);
    let mut child_of = None;
    let mut follows_from = None;
    for reference in span.references.unwrap_or_default() {
        let Some(target) = reference.span_id.get() else {
            continue;
        };
        let kind = match reference.ref_type.get() {
            Some("FOLLOWS_FROM") => RefKind::FollowsFrom,
            _ => RefKind::ChildOf,
        };
        let target_trace = match reference.trace_id.get() {
            Some(id) => normalize_id(id),
            None => own_trace.clone().unwrap_or_default(),
        };
        let target_sym = builder.intern(&normalize_id(target));
        let same_trace = own_trace
            .as_deref()
            .is_none_or(|own| same_trace_id(own, &target_trace));
        if same_trace {
            match kind {
                RefKind::ChildOf if child_of.is_none() => child_of = Some(target_sym),
                RefKind::FollowsFrom if follows_from.is_none() => follows_from = Some(target_sym),
                _ => {}
            }
        }
        let trace_sym = builder.intern(&target_trace);
        builder.push_ref(Reference {
            kind,
            trace_id: trace_sym,
            span_id: target_sym,
            attrs: Default::default(),
        });
    }
    out.refs = builder.refs_since(refs_mark);
    out.parent_span_id = child_of.or(follows_from);

    for warning in span
        .warnings
        .unwrap_or_default()
        .iter()
        .filter_map(Text::get)
    {
        builder.warn(Warning::for_span(
            WarningKind::Input,
            &span_id_text,
            format!("{file}: span {span_id_text}: {warning}"),
        ));
    }
    builder.push_span(out);
}
