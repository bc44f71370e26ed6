//! Everything the span detail panel shows, as text ready to display.
use crate::core::analysis::quality::secrets::{mask_secrets_in, masked_attribute};
use crate::core::analysis::TraceAnalysis;
use crate::core::model::{AttrValue, IdxRange, SpanFlags, SpanIdx, SpanStatus, Trace};
use crate::core::view_model::trace_list::{format_duration_ns, format_start_ns};

/// One attribute, its value as text. JSON values (arrays, maps, or strings holding a JSON
/// object or array) are pretty-printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    /// The key.
    pub key: String,
    /// The value as shown.
    pub value: String,
    /// True when `value` is pretty-printed JSON (shown in a pre-formatted block).
    pub is_json: bool,
}

/// An event (log, annotation) with its time relative to the span start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventDetail {
    /// Time after the span start, ns (negative when the event precedes the span).
    pub offset_ns: i64,
    /// `+12.3 ms`.
    pub offset_label: String,
    /// The event name.
    pub name: String,
    /// Its attributes.
    pub attributes: Vec<KeyValue>,
}

/// A reference or link to another span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceDetail {
    /// `CHILD_OF`, `FOLLOWS_FROM` or `LINK`.
    pub kind: String,
    /// The target trace ID.
    pub trace_id: String,
    /// The target span ID.
    pub span_id: String,
    /// The target when it is a span of this same trace.
    pub target: Option<SpanIdx>,
    /// True when the target is in another trace.
    pub other_trace: bool,
    /// Link attributes.
    pub attributes: Vec<KeyValue>,
}

/// Rows of a span's attributes (and of its resource's, and events) shown before "show more" or a
/// search: a span with a million attributes once blocked the page for a minute rendering them.
pub const DETAIL_ROWS: usize = 100;

/// JSON values up to this many bytes are pretty-printed; larger ones are shown as written.
const PRETTY_JSON_BYTES: usize = 256 * 1024;

/// The detail of one span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpanDetail {
    /// Arena index.
    pub idx: SpanIdx,
    /// Span ID.
    pub span_id: String,
    /// The parent span ID the file declares.
    pub parent_span_id: Option<String>,
    /// The parent span in this trace, when it is loaded.
    pub parent: Option<SpanIdx>,
    /// Operation name.
    pub operation: String,
    /// Service name.
    pub service: String,
    /// `server`, `client`… (empty when unspecified).
    pub kind: String,
    /// `error`, `ok` or `unset`.
    pub status: String,
    /// The status message or error description.
    pub status_message: Option<String>,
    /// Start after the trace start.
    pub start_relative: String,
    /// Absolute start (UTC).
    pub start_absolute: String,
    /// Duration.
    pub duration: String,
    /// Self time (no child running).
    pub self_time: String,
    /// Time on the critical path, if any.
    pub critical: Option<String>,
    /// The span's first [`DETAIL_ROWS`] attributes (all of them: [`span_attributes`]).
    pub attributes: Vec<KeyValue>,
    /// How many attributes the span has.
    pub attribute_count: usize,
    /// The first [`DETAIL_ROWS`] resource / process attributes.
    pub resource_attributes: Vec<KeyValue>,
    /// How many resource attributes there are.
    pub resource_attribute_count: usize,
    /// The first [`DETAIL_ROWS`] events, by time (each with at most [`DETAIL_ROWS`] attributes).
    pub events: Vec<EventDetail>,
    /// How many events the span has.
    pub event_count: usize,
    /// References and links.
    pub references: Vec<ReferenceDetail>,
    /// Reconstruction notes and warnings about this span.
    pub warnings: Vec<String>,
}

impl KeyValue {
    /// The pair with its value masked when it looks like a secret (the whole value for a
    /// secret-named key, the secret part otherwise): what the mask switch shows.
    pub fn masked(self) -> Self {
        match masked_attribute(&self.key, &self.value) {
            // A masked JSON value is written compactly: it is short now.
            Some(value) => Self {
                value,
                is_json: false,
                ..self
            },
            None => self,
        }
    }
}

/// Every pair of `items` [`KeyValue::masked`].
pub fn mask_key_values(items: Vec<KeyValue>) -> Vec<KeyValue> {
    items.into_iter().map(KeyValue::masked).collect()
}

impl SpanDetail {
    /// The detail with everything that looks like a secret masked: attribute values (span,
    /// resource, event and link attributes), the operation name, the status message and event
    /// names.
    pub fn masked(self) -> Self {
        let text = |t: String| mask_secrets_in(&t).into_owned();
        Self {
            operation: text(self.operation),
            status_message: self.status_message.map(text),
            attributes: mask_key_values(self.attributes),
            resource_attributes: mask_key_values(self.resource_attributes),
            events: self
                .events
                .into_iter()
                .map(|e| EventDetail {
                    name: text(e.name),
                    attributes: mask_key_values(e.attributes),
                    ..e
                })
                .collect(),
            references: self
                .references
                .into_iter()
                .map(|r| ReferenceDetail {
                    attributes: mask_key_values(r.attributes),
                    ..r
                })
                .collect(),
            ..self
        }
    }

    /// The detail of span `idx`, or `None` if there is no such span.
    pub fn of(trace: &Trace, idx: SpanIdx, analysis: &TraceAnalysis) -> Option<Self> {
        let span = trace.span(idx)?;
        let span_id = trace.str(span.span_id).to_string();
        let resource_attrs = trace
            .resources
            .get(span.resource as usize)
            .map(|r| r.attrs)
            .unwrap_or_default();
        let all_events = trace.events.get(span.events.as_range()).unwrap_or(&[]);
        let mut by_time: Vec<&crate::core::model::Event> = all_events.iter().collect();
        if by_time.len() > DETAIL_ROWS {
            by_time.select_nth_unstable_by_key(DETAIL_ROWS, |e| e.time_ns);
            by_time.truncate(DETAIL_ROWS);
        }
        let mut events: Vec<EventDetail> = by_time
            .into_iter()
            .map(|event| {
                let offset_ns = event.time_ns.saturating_sub(span.start_ns);
                EventDetail {
                    offset_ns,
                    offset_label: if offset_ns < 0 {
                        format!("−{}", format_duration_ns(-offset_ns))
                    } else {
                        format!("+{}", format_duration_ns(offset_ns))
                    },
                    name: trace.str(event.name).to_string(),
                    attributes: key_values(trace, event.attrs, DETAIL_ROWS),
                }
            })
            .collect();
        events.sort_by_key(|e| e.offset_ns);
        let references = trace
            .references
            .get(span.refs.as_range())
            .unwrap_or(&[])
            .iter()
            .map(|reference| {
                let trace_id = trace.str(reference.trace_id).to_string();
                let target_id = trace.str(reference.span_id);
                let other_trace = !crate::core::model::same_trace_id(&trace_id, &trace.trace_id);
                let target = if other_trace {
                    None
                } else {
                    trace
                        .spans
                        .iter()
                        .position(|s| trace.str(s.span_id) == target_id)
                        .map(|i| SpanIdx(i as u32))
                };
                ReferenceDetail {
                    kind: reference.kind.as_str().to_string(),
                    trace_id,
                    span_id: target_id.to_string(),
                    target,
                    other_trace,
                    attributes: key_values(trace, reference.attrs, DETAIL_ROWS),
                }
            })
            .collect();
        let mut warnings = flag_notes(span.flags);
        warnings.extend(
            trace
                .warnings
                .iter()
                .filter(|w| w.span_id.as_deref() == Some(span_id.as_str()))
                .map(|w| w.message.clone()),
        );
        let critical_ns = analysis
            .critical_path
            .span_ns
            .get(idx.get())
            .copied()
            .unwrap_or(0);
        Some(Self {
            idx,
            parent_span_id: span.parent_span_id.map(|p| trace.str(p).to_string()),
            parent: span.parent,
            operation: trace.str(span.operation).to_string(),
            service: trace.str(span.service).to_string(),
            kind: span.kind.as_str().to_string(),
            status: match span.status {
                SpanStatus::Error => "error",
                SpanStatus::Ok => "ok",
                SpanStatus::Unset => "unset",
            }
            .to_string(),
            status_message: span.status_message.map(|m| trace.str(m).to_string()),
            start_relative: format_duration_ns(span.start_ns.saturating_sub(trace.start_ns)),
            start_absolute: format_start_ns(span.start_ns),
            duration: format_duration_ns(span.duration_ns),
            self_time: format_duration_ns(analysis.self_ns.get(idx.get()).copied().unwrap_or(0)),
            critical: (critical_ns > 0).then(|| {
                format!(
                    "{} ({:.1}% of the path)",
                    format_duration_ns(critical_ns),
                    analysis.critical_path.span_share(idx) * 100.0
                )
            }),
            attributes: key_values(trace, span.attrs, DETAIL_ROWS),
            attribute_count: trace.attrs(span.attrs).len(),
            resource_attributes: key_values(trace, resource_attrs, DETAIL_ROWS),
            resource_attribute_count: trace.attrs(resource_attrs).len(),
            events,
            event_count: all_events.len(),
            references,
            warnings,
            span_id,
        })
    }
}

/// Notes for the reconstruction flags a person should know about.
fn flag_notes(flags: SpanFlags) -> Vec<String> {
    let notes = [
        (
            SpanFlags::MISSING_PARENT,
            "Its parent span is not loaded; shown as a root.",
        ),
        (
            SpanFlags::NO_DURATION,
            "The file gives no duration; shown as 0.",
        ),
        (
            SpanFlags::NO_TIMESTAMP,
            "The file gives no start time; placed at its parent's start.",
        ),
        (
            SpanFlags::SHARED,
            "Server half of a shared Zipkin span (same ID as its client).",
        ),
        (
            SpanFlags::CYCLE_BROKEN,
            "Its parent link was cut to break a cycle.",
        ),
    ];
    notes
        .iter()
        .filter(|(flag, _)| flags.has(*flag))
        .map(|(_, text)| (*text).to_string())
        .collect()
}

/// The first `limit` attributes in `range`, formatted.
fn key_values(trace: &Trace, range: IdxRange, limit: usize) -> Vec<KeyValue> {
    trace
        .attrs(range)
        .iter()
        .take(limit)
        .map(|attr| key_value(trace, attr))
        .collect()
}

/// One attribute, formatted.
fn key_value(trace: &Trace, attr: &crate::core::model::Attribute) -> KeyValue {
    let (value, is_json) = match attr.value {
        AttrValue::Str(sym) => pretty_if_json(trace.str(sym)),
        AttrValue::Json(sym) => pretty_if_json(trace.str(sym)),
        AttrValue::Bool(b) => (b.to_string(), false),
        AttrValue::Int(i) => (i.to_string(), false),
        AttrValue::Float(f) => (f.to_string(), false),
    };
    KeyValue {
        key: trace.str(attr.key).to_string(),
        value,
        is_json,
    }
}

/// Which attributes of a span [`span_attributes`] lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeSet {
    /// The span's own.
    Span,
    /// Its resource's (process, local endpoint).
    Resource,
}

/// The attributes of span `idx` whose key or value contains `filter` (ignoring case; all of
/// them for an empty filter): the first `limit` formatted, and how many match in all. The
/// detail shows [`DETAIL_ROWS`] at first; this finds the rest without formatting a million.
pub fn span_attributes(
    trace: &Trace,
    idx: SpanIdx,
    set: AttributeSet,
    filter: &str,
    limit: usize,
) -> (Vec<KeyValue>, usize) {
    let Some(span) = trace.span(idx) else {
        return (Vec::new(), 0);
    };
    let range = match set {
        AttributeSet::Span => span.attrs,
        AttributeSet::Resource => trace
            .resources
            .get(span.resource as usize)
            .map(|r| r.attrs)
            .unwrap_or_default(),
    };
    let needle = filter.trim().to_lowercase();
    let contains = |text: &str| {
        needle.is_empty()
            || text.contains(needle.as_str())
            || (text.bytes().any(|b| b.is_ascii_uppercase() || b >= 0x80)
                && text.to_lowercase().contains(needle.as_str()))
    };
    let matches = |attr: &&crate::core::model::Attribute| {
        contains(trace.str(attr.key))
            || match attr.value {
                AttrValue::Str(sym) | AttrValue::Json(sym) => contains(trace.str(sym)),
                AttrValue::Bool(b) => contains(&b.to_string()),
                AttrValue::Int(i) => contains(&i.to_string()),
                AttrValue::Float(f) => contains(&f.to_string()),
            }
    };
    let mut shown = Vec::new();
    let mut total = 0;
    for attr in trace.attrs(range).iter().filter(matches) {
        if shown.len() < limit {
            shown.push(key_value(trace, attr));
        }
        total += 1;
    }
    (shown, total)
}

/// Pretty-prints text that is a JSON object or array; other text is returned as is.
fn pretty_if_json(text: &str) -> (String, bool) {
    let trimmed = text.trim_start();
    if text.len() <= PRETTY_JSON_BYTES && (trimmed.starts_with('{') || trimmed.starts_with('[')) {
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
            if let Ok(pretty) = serde_json::to_string_pretty(&value) {
                return (pretty, true);
            }
        }
    }
    (text.to_string(), false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::analysis::analyze_trace;
    use crate::core::format::parse_file;
    use crate::core::model::TraceSet;

    #[test]
    fn a_span_with_a_million_attributes_shows_a_few_and_finds_any() {
        let tags: Vec<String> = (0..1_000_000)
            .map(|i| format!(r#""k{i}":"v{i}""#))
            .collect();
        let json = format!(
            r#"[{{"traceId":"0000000000000abc","id":"0000000000000001","name":"huge","timestamp":1600000000000000,"duration":5,"localEndpoint":{{"serviceName":"s"}},"tags":{{{}}}}}]"#,
            tags.join(",")
        );
        let parsed = parse_file("huge.json", json.as_bytes()).expect("parses");
        let trace = parsed.traces.into_iter().next().expect("trace").build();
        let analysis = analyze_trace(&trace);
        let detail = SpanDetail::of(&trace, SpanIdx(0), &analysis).expect("detail");
        assert_eq!(detail.attributes.len(), DETAIL_ROWS);
        assert_eq!(detail.attribute_count, 1_000_000);
        let (found, total) = span_attributes(&trace, SpanIdx(0), AttributeSet::Span, "V999999", 10);
        assert_eq!(total, 1);
        assert_eq!(found[0].key, "k999999");
        let (page, all) = span_attributes(&trace, SpanIdx(0), AttributeSet::Span, "", 600);
        assert_eq!((page.len(), all), (600, 1_000_000));
    }

    #[test]
    fn detail_of_a_jaeger_span() {
        let json = r#"{"data":[{"traceID":"t1","spans":[
          {"traceID":"t1","spanID":"a","operationName":"root","startTime":1000,"duration":100,
           "references":[],"processID":"p1","tags":[{"key":"payload","type":"string","value":"{\"x\":[1,2]}"}]},
          {"traceID":"t1","spanID":"b","operationName":"child","startTime":1010,"duration":20,
           "references":[{"refType":"CHILD_OF","traceID":"t1","spanID":"a"},{"refType":"FOLLOWS_FROM","traceID":"t9","spanID":"z"}],
           "processID":"p1","tags":[{"key":"error","type":"bool","value":true}],
           "logs":[{"timestamp":1015,"fields":[{"key":"event","type":"string","value":"retry"},{"key":"n","type":"int64","value":2}]}]}],
          "processes":{"p1":{"serviceName":"svc","tags":[{"key":"host","type":"string","value":"h1"}]}}}]}"#;
        let parsed = parse_file("t.json", json.as_bytes()).expect("parses");
        let mut set = TraceSet::new();
        for builder in parsed.traces {
            set.add(builder);
        }
        let trace = set.traces().first().expect("one trace").clone();
        let analysis = analyze_trace(&trace);
        let b = trace
            .spans
            .iter()
            .position(|s| trace.str(s.span_id) == "b")
            .expect("b");
        let detail = SpanDetail::of(&trace, SpanIdx(b as u32), &analysis).expect("detail");
        assert_eq!(detail.operation, "child");
        assert_eq!(detail.service, "svc");
        assert_eq!(detail.status, "error");
        assert_eq!(detail.start_relative, "10 µs");
        assert_eq!(detail.duration, "20 µs");
        assert_eq!(detail.parent_span_id.as_deref(), Some("a"));
        assert_eq!(detail.parent, Some(SpanIdx(0)));
        assert_eq!(detail.events.len(), 1);
        assert_eq!(detail.events[0].offset_label, "+5 µs");
        assert_eq!(detail.events[0].name, "retry");
        assert_eq!(detail.resource_attributes[0].value, "h1");
        let kinds: Vec<(&str, bool, bool)> = detail
            .references
            .iter()
            .map(|r| (r.kind.as_str(), r.target.is_some(), r.other_trace))
            .collect();
        assert_eq!(
            kinds,
            [("CHILD_OF", true, false), ("FOLLOWS_FROM", false, true)]
        );

        let a = SpanDetail::of(&trace, SpanIdx(0), &analysis).expect("root");
        assert!(a.attributes[0].is_json);
        assert_eq!(
            a.attributes[0].value,
            "{\n  \"x\": [\n    1,\n    2\n  ]\n}"
        );
        assert!(a.critical.is_some());
    }

    #[test]
    fn masked_detail_hides_secret_values_and_keeps_the_rest() {
        let kv = |key: &str, value: &str| KeyValue {
            key: key.to_string(),
            value: value.to_string(),
            is_json: false,
        };
        let masked = mask_key_values(vec![
            kv("db.password", "hunter2hunter2"),
            kv(
                "url.full",
                "https://a:b1234567@h/x?access_token=abcdefgh123",
            ),
            kv("http.route", "/users/{id}"),
        ]);
        assert_eq!(masked[0].value, "hunt••••••");
        assert_eq!(
            masked[1].value,
            "https://a:b1••••••@h/x?access_token=abc••••••"
        );
        assert_eq!(masked[2].value, "/users/{id}");
    }
}
