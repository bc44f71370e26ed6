//! Jaeger JSON: the query API's traces (`{traceID, spans, processes}`) and span arrays whose
//! spans embed their `process`.
//!
//! Mapping: `processes` → resources; tags → attributes (`span.kind` → kind, `error=true` or
//! `otel.status_code=ERROR` → error status); logs → events (named by their `event` field);
//! references → references, the parent being the first CHILD_OF (else FOLLOWS_FROM) reference
//! within the same trace, as Jaeger UI does. Times are microseconds.
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use rustc_hash::FxHashMap;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::collector::{
    add_unknown_resource, ObjectRecord, SpanStart, TraceCollector, UNKNOWN_SERVICE,
};
use super::wire::{self, one_or_many, Number, Scalar, Text, Time};
use crate::core::model::{
    normalize_id, same_trace_id, Event, RefKind, Reference, SpanFlags, SpanKind, SpanStatus,
    TraceBuilder, Warning, WarningKind,
};

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
    let mut deserializer = serde_json::Deserializer::from_str(raw);
    TraceSeed { collector }.deserialize(&mut deserializer)?;
    deserializer.end()
}

/// Reads a whole query API response `{"data":[…]}` in one pass (no separate detection pass).
/// Returns `Ok(false)` when it is not a plain successful response (no `data`, or `errors`
/// given): the general path then explains it, with a new collector.
pub(crate) fn read_api_response(
    text: &str,
    collector: &mut TraceCollector,
) -> Result<bool, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let plain = ResponseSeed { collector }.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(plain)
}

/// Reads the `data` array of a query API response: parsed in one pass, straight into traces.
pub(crate) fn read_traces(
    raw: &str,
    collector: &mut TraceCollector,
) -> Result<(), serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_str(raw);
    TracesSeed { collector }.deserialize(&mut deserializer)?;
    deserializer.end()
}

/// The fields of a query API response.
#[derive(Deserialize)]
#[serde(field_identifier)]
enum ResponseField {
    #[serde(rename = "data")]
    Data,
    #[serde(rename = "errors")]
    Errors,
    #[serde(other)]
    Other,
}

/// Reads a query API response into the collector; its value says whether it was a plain
/// successful one (`data` present, no `errors`).
struct ResponseSeed<'c, 'p> {
    collector: &'c mut TraceCollector<'p>,
}

impl<'de> DeserializeSeed<'de> for ResponseSeed<'_, '_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ResponseSeed<'_, '_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Jaeger query API response")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let (mut has_data, mut has_errors) = (false, false);
        while let Some(field) = map.next_key::<ResponseField>()? {
            match field {
                ResponseField::Data => {
                    has_data |= map.next_value_seed(TracesSeed {
                        collector: &mut *self.collector,
                    })?;
                }
                ResponseField::Errors => {
                    let errors: &RawValue = map.next_value()?;
                    has_errors |= errors.get().trim() != "null";
                }
                ResponseField::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(has_data && !has_errors)
    }
}

/// Reads an array of trace objects (or `null`) into the collector, one trace at a time; its
/// value says whether there was an array.
struct TracesSeed<'c, 'p> {
    collector: &'c mut TraceCollector<'p>,
}

impl<'de> DeserializeSeed<'de> for TracesSeed<'_, '_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for TracesSeed<'_, '_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of Jaeger traces")
    }

    fn visit_none<E>(self) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_unit<E>(self) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_seq(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        while seq
            .next_element_seed(TraceSeed {
                collector: &mut *self.collector,
            })?
            .is_some()
        {}
        Ok(true)
    }
}

/// The fields of a trace object.
#[derive(Deserialize)]
#[serde(field_identifier)]
enum TraceField {
    #[serde(rename = "traceID")]
    TraceId,
    #[serde(rename = "spans")]
    Spans,
    #[serde(rename = "processes")]
    Processes,
    #[serde(rename = "warnings")]
    Warnings,
    #[serde(other)]
    Other,
}

/// Reads one trace object, handing every span to the collector as soon as it is read (a
/// million-span trace is never held as parsed JSON).
struct TraceSeed<'c, 'p> {
    collector: &'c mut TraceCollector<'p>,
}

impl<'de> DeserializeSeed<'de> for TraceSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TraceSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Jaeger trace object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut trace = TraceState::default();
        while let Some(field) = map.next_key::<TraceField>()? {
            match field {
                TraceField::TraceId => trace.trace_id = map.next_value::<Text<'de>>()?,
                TraceField::Spans => map.next_value_seed(SpansSeed {
                    collector: &mut *self.collector,
                    trace: &mut trace,
                })?,
                TraceField::Processes if self.collector.objects.is_some() => {
                    // Halves of a split file keep the text for the other half (see `split`).
                    let raw: &'de RawValue = map.next_value()?;
                    let processes: Option<HashMap<Cow<'de, str>, WireProcess<'de>>> =
                        serde_json::from_str(raw.get()).map_err(serde::de::Error::custom)?;
                    trace.processes = Some(processes.unwrap_or_default());
                    trace.processes_raw = Some(raw.get());
                }
                TraceField::Processes => {
                    let processes: Option<HashMap<Cow<'de, str>, WireProcess<'de>>> =
                        map.next_value()?;
                    trace.processes = Some(processes.unwrap_or_default());
                }
                TraceField::Warnings => {
                    trace.warnings = map.next_value::<Option<Vec<Text<'de>>>>()?
                }
                TraceField::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        trace.finish(self.collector);
        Ok(())
    }
}

/// Reads a trace's `spans` array (or `null`), adding each span as it comes.
struct SpansSeed<'c, 'p, 't, 'de> {
    collector: &'c mut TraceCollector<'p>,
    trace: &'t mut TraceState<'de>,
}

impl<'de> DeserializeSeed<'de> for SpansSeed<'_, '_, '_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for SpansSeed<'_, '_, '_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of Jaeger spans")
    }

    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(span) = seq.next_element::<WireSpan<'de>>()? {
            self.trace.take(self.collector, span);
        }
        Ok(())
    }
}

/// What is known of a trace object while its fields are read. Its `processes` may come after
/// its spans (Jaeger writes them last): spans then get a placeholder resource per process ID,
/// filled in by [`TraceState::finish`].
#[derive(Default)]
struct TraceState<'de> {
    trace_id: Text<'de>,
    processes: Option<HashMap<Cow<'de, str>, WireProcess<'de>>>,
    /// The JSON text of `processes`, kept only when the collector records trace objects.
    processes_raw: Option<&'de str>,
    warnings: Option<Vec<Text<'de>>>,
    /// Resource index per trace ID and process ID, created on first use. Looked up by
    /// borrowed keys, so only a new (trace, process) pair allocates.
    resources: FxHashMap<String, FxHashMap<String, u32>>,
    /// Placeholder resources waiting for `processes`: trace ID, process ID, index.
    placeholders: Vec<(Option<String>, String, u32)>,
    /// Spans without a trace ID of their own, read before the object's `traceID`.
    early: Vec<WireSpan<'de>>,
    /// The object's fields are all read: early spans go to the trace as it is now known.
    ended: bool,
}

impl<'de> TraceState<'de> {
    /// Adds one span (or keeps it for later when its trace is not known yet).
    fn take(&mut self, collector: &mut TraceCollector, span: WireSpan<'de>) {
        if span.trace_id.get().is_none() && self.trace_id.get().is_none() && !self.ended {
            self.early.push(span);
            return;
        }
        // A copy of the borrowed text (not a new string per span).
        let default_trace_id = self.trace_id.0.clone();
        let default_trace_id = default_trace_id.as_deref().filter(|id| !id.is_empty());
        let trace_id = span.trace_id.get().or(default_trace_id);
        let trace_key = trace_id.unwrap_or("");
        let process_id = span.process_id.get().unwrap_or("");
        let known = self
            .resources
            .get(trace_key)
            .and_then(|by_process| by_process.get(process_id))
            .copied();
        let resource = match known {
            Some(index) => index,
            None => {
                let builder = collector.builder(trace_id);
                let described = self.processes.as_ref().and_then(|p| p.get(process_id));
                let index = match (described, span.process) {
                    (Some(process), _) => add_process(builder, process),
                    (None, Some(raw_process)) => add_raw_process(builder, raw_process),
                    (None, None) => {
                        let index = add_unknown_resource(builder);
                        if self.processes.is_none() && !process_id.is_empty() {
                            self.placeholders.push((
                                trace_id.map(str::to_string),
                                process_id.to_string(),
                                index,
                            ));
                        }
                        index
                    }
                };
                self.resources
                    .entry(trace_key.to_string())
                    .or_default()
                    .insert(process_id.to_string(), index);
                index
            }
        };
        add_span(collector, default_trace_id, span, resource);
    }

    /// Adds what waited for the end of the object: the trace's warnings, early spans, and the
    /// processes of spans read before them.
    fn finish(mut self, collector: &mut TraceCollector) {
        self.ended = true;
        let default_trace_id = self.trace_id.get().map(str::to_string);
        if let Some(warnings) = &self.warnings {
            let file = collector.file().to_string();
            let builder = collector.builder(default_trace_id.as_deref());
            for warning in warnings.iter().filter_map(Text::get) {
                builder.warn(Warning::general(
                    WarningKind::Input,
                    format!("{file}: {warning}"),
                ));
            }
        }
        for span in std::mem::take(&mut self.early) {
            self.take(collector, span);
        }
        let described = self.processes.is_some();
        if let Some(objects) = collector.objects.as_mut() {
            objects.push(ObjectRecord {
                processes_raw: self.processes_raw.map(str::to_string),
                unresolved: Vec::new(),
            });
        }
        let processes = self.processes.unwrap_or_default();
        let mut touched: Vec<Option<String>> = Vec::new();
        for (trace_id, process_id, index) in self.placeholders {
            let Some(process) = processes.get(process_id.as_str()) else {
                if !described && collector.objects.is_some() {
                    // The other half of a split file may describe it.
                    let builder = collector.builder_index(trace_id.as_deref());
                    if let Some(record) = collector.objects.as_mut().and_then(|o| o.last_mut()) {
                        record.unresolved.push((builder, process_id, index));
                    }
                }
                continue;
            };
            let builder = collector.builder(trace_id.as_deref());
            fill_process(builder, index, process);
            if !touched.contains(&trace_id) {
                touched.push(trace_id);
            }
        }
        for trace_id in touched {
            collector.builder(trace_id.as_deref()).sync_span_services();
        }
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

/// Describes placeholder resources with a trace object's `processes` JSON text (from the other
/// half of a split file): `(builder, process ID, resource index)` each. Returns false when the
/// text does not read as processes.
pub(crate) fn describe_placeholders(
    builders: &mut [TraceBuilder],
    processes_json: &str,
    placeholders: &[(usize, String, u32)],
) -> bool {
    let Ok(processes) =
        serde_json::from_str::<Option<HashMap<Cow<'_, str>, WireProcess<'_>>>>(processes_json)
    else {
        return false;
    };
    let processes = processes.unwrap_or_default();
    let mut touched = Vec::new();
    for (builder_index, process_id, index) in placeholders {
        let (Some(process), Some(builder)) = (
            processes.get(process_id.as_str()),
            builders.get_mut(*builder_index),
        ) else {
            continue;
        };
        fill_process(builder, *index, process);
        if !touched.contains(builder_index) {
            touched.push(*builder_index);
        }
    }
    for builder_index in touched {
        if let Some(builder) = builders.get_mut(builder_index) {
            builder.sync_span_services();
        }
    }
    true
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

/// Describes placeholder resource `index` with `process` (read after its spans).
fn fill_process(builder: &mut TraceBuilder, index: u32, process: &WireProcess) {
    let service = builder.intern(process.service_name.get().unwrap_or(UNKNOWN_SERVICE));
    let mark = builder.attrs_mark();
    push_tags(builder, process.tags.as_deref().unwrap_or(&[]));
    let attrs = builder.attrs_since(mark);
    builder.set_resource(index, service, attrs);
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

    let (start, clamped_start) = wire::start_ns(span.start_time, 1000);
    wire::warn_out_of_range(
        builder,
        &file,
        &span_id_text,
        "startTime",
        "µs",
        clamped_start,
    );
    match start {
        Time::Ns(ns) => out.start_ns = ns,
        other => {
            out.flags.set(SpanFlags::NO_TIMESTAMP);
            let what = if other == Time::Invalid {
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
    let (duration, clamped) = wire::duration_ns(span.duration, 1000);
    wire::warn_out_of_range(builder, &file, &span_id_text, "duration", "µs", clamped);
    match (duration, span.duration) {
        (Some(ns), _) => out.duration_ns = ns,
        (None, Number::Absent) => out.flags.set(SpanFlags::NO_DURATION),
        (None, _) => {
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
        // Most references point into the span's own trace, written the same way: skip
        // normalising and comparing the long trace ID again.
        let (target_trace, same_trace) = match reference.trace_id.get() {
            Some(id) if Some(id) != trace_id => {
                let target_trace = normalize_id(id);
                let same = own_trace
                    .as_deref()
                    .is_none_or(|own| same_trace_id(own, &target_trace));
                (target_trace, same)
            }
            _ => (own_trace.clone().unwrap_or_default(), true),
        };
        let target_sym = builder.intern(&normalize_id(target));
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

#[cfg(test)]
mod tests {
    use crate::core::format::parse_file;
    use crate::core::model::AttrValue;

    /// Per span ID: its service, its resource's attributes and its parent, as text.
    fn spans_of(text: &str) -> Vec<(String, String, Vec<String>, Option<String>)> {
        let parsed = parse_file("t.json", text.as_bytes()).expect("parses");
        assert_eq!(parsed.traces.len(), 1, "one trace");
        let trace = parsed
            .traces
            .into_iter()
            .map(|b| b.build())
            .next()
            .expect("a trace");
        let mut rows: Vec<_> = trace
            .spans
            .iter()
            .map(|span| {
                let resource = trace.resources[span.resource as usize];
                let attrs = trace
                    .attrs(resource.attrs)
                    .iter()
                    .map(|a| match a.value {
                        AttrValue::Str(s) => format!("{}={}", trace.str(a.key), trace.str(s)),
                        other => format!("{}={other:?}", trace.str(a.key)),
                    })
                    .collect();
                (
                    trace.str(span.span_id).to_string(),
                    trace.str(span.service).to_string(),
                    attrs,
                    span.parent
                        .map(|p| trace.str(trace.spans[p.get()].span_id).to_string()),
                )
            })
            .collect();
        rows.sort();
        rows
    }

    #[test]
    fn processes_before_or_after_the_spans_give_the_same_services() {
        // Span 2 has no traceID of its own; in the second layout it comes before the trace's.
        let spans = r#"[
            {"traceID":"abc","spanID":"1","operationName":"a","startTime":1,"duration":5,"processID":"p1"},
            {"spanID":"2","operationName":"b","references":[{"refType":"CHILD_OF","spanID":"1"}],
             "startTime":2,"duration":1,"processID":"p2"},
            {"traceID":"abc","spanID":"3","operationName":"c","startTime":2,"duration":1,"processID":"p9"}]"#;
        let processes = r#"{"p1":{"serviceName":"front","tags":[{"key":"host","type":"string","value":"h1"}]},
            "p2":{"serviceName":"back"}}"#;
        let last =
            format!(r#"{{"data":[{{"traceID":"abc","spans":{spans},"processes":{processes}}}]}}"#);
        let first =
            format!(r#"{{"data":[{{"processes":{processes},"spans":{spans},"traceID":"abc"}}]}}"#);
        let expected = vec![
            ("1".into(), "front".into(), vec!["host=h1".into()], None),
            ("2".into(), "back".into(), vec![], Some("1".into())),
            ("3".into(), "unknown_service".into(), vec![], None),
        ];
        assert_eq!(spans_of(&last), expected);
        assert_eq!(spans_of(&first), expected);
        // The same trace object alone, and inside a bare array of traces.
        let object = format!(r#"{{"traceID":"abc","spans":{spans},"processes":{processes}}}"#);
        assert_eq!(spans_of(&object), expected);
        assert_eq!(spans_of(&format!("[{object}]")), expected);
    }
}
