//! Zipkin v2 JSON: arrays of spans (`/api/v2/trace/{id}`), arrays of traces
//! (`/api/v2/traces`) and single spans.
//!
//! As Zipkin does, fragments of one span reported separately (same `id`, same `shared` flag,
//! same local service) are merged into one span first. The client and server halves of a shared
//! span (same `id`, server side `shared: true`) stay two spans; the model's builder puts the
//! server half under the client half, which is how Zipkin Lens shows them.
//!
//! Mapping: `localEndpoint` → resource (service, `ipv4`, `ipv6`, `port`); `remoteEndpoint` →
//! `peer.service`, `peer.ipv4`, `peer.ipv6`, `peer.port` attributes (as Jaeger's Zipkin
//! importer names them); an `error` tag → error status; annotations → events. Times are
//! microseconds; a missing duration is 0 and flagged.
use std::borrow::Cow;
use std::collections::HashMap;

use serde::Deserialize;

use super::collector::{SpanStart, TraceCollector, UNKNOWN_SERVICE};
use super::wire::{self, one_or_many, Number, Text, Time};
use crate::core::model::{
    normalize_id, AttrValue, Event, SpanFlags, SpanKind, SpanStatus, TraceBuilder, Warning,
    WarningKind,
};

#[derive(Deserialize, Clone)]
struct WireSpan<'a> {
    #[serde(rename = "traceId", borrow, default)]
    trace_id: Text<'a>,
    #[serde(borrow, default)]
    id: Text<'a>,
    #[serde(rename = "parentId", borrow, default)]
    parent_id: Text<'a>,
    #[serde(borrow, default)]
    name: Text<'a>,
    #[serde(borrow, default)]
    kind: Text<'a>,
    #[serde(default)]
    timestamp: Number,
    #[serde(default)]
    duration: Number,
    #[serde(rename = "localEndpoint", borrow, default)]
    local_endpoint: Option<WireEndpoint<'a>>,
    #[serde(rename = "remoteEndpoint", borrow, default)]
    remote_endpoint: Option<WireEndpoint<'a>>,
    #[serde(borrow, default)]
    annotations: Option<Vec<WireAnnotation<'a>>>,
    #[serde(borrow, default)]
    tags: Option<HashMap<Cow<'a, str>, Text<'a>>>,
    #[serde(default)]
    shared: Option<bool>,
}

#[derive(Deserialize, Clone, PartialEq)]
struct WireEndpoint<'a> {
    #[serde(rename = "serviceName", borrow, default)]
    service_name: Text<'a>,
    #[serde(borrow, default)]
    ipv4: Text<'a>,
    #[serde(borrow, default)]
    ipv6: Text<'a>,
    #[serde(borrow, default)]
    port: Text<'a>,
}

#[derive(Deserialize, Clone)]
struct WireAnnotation<'a> {
    #[serde(default)]
    timestamp: Number,
    #[serde(borrow, default)]
    value: Text<'a>,
}

impl WireSpan<'_> {
    fn local_service(&self) -> Option<&str> {
        self.local_endpoint
            .as_ref()
            .and_then(|e| e.service_name.get())
    }

    fn is_shared(&self) -> bool {
        self.shared == Some(true)
    }

    /// Folds another fragment of the same span into this one, as Zipkin's merge does.
    fn merge(&mut self, other: WireSpan<'_>) {
        let end = |s: &WireSpan| Some(s.timestamp.value()?.saturating_add(s.duration.value()?));
        let latest_end = end(self).max(end(&other));
        if let Some(ts) = other.timestamp.value() {
            if self.timestamp.value().is_none_or(|mine| ts < mine) {
                self.timestamp = Number::Value(ts);
            }
        }
        if let (Some(start), Some(end)) = (self.timestamp.value(), latest_end) {
            self.duration = Number::Value(end.saturating_sub(start));
        } else if self.duration.value().is_none() {
            self.duration = other.duration;
        }
        let is_placeholder = |n: &Text| n.get().is_none_or(|n| n == "unknown");
        if is_placeholder(&self.name) && !is_placeholder(&other.name) {
            self.name = Text(other.name.0.map(|n| Cow::Owned(n.into_owned())));
        }
        if self.kind.get().is_none() {
            self.kind = Text(other.kind.0.map(|n| Cow::Owned(n.into_owned())));
        }
        if self.parent_id.get().is_none() {
            self.parent_id = Text(other.parent_id.0.map(|n| Cow::Owned(n.into_owned())));
        }
        if self.remote_endpoint.is_none() {
            self.remote_endpoint = other.remote_endpoint.map(own_endpoint);
        }
        let annotations = self.annotations.get_or_insert_with(Vec::new);
        for annotation in other.annotations.unwrap_or_default() {
            annotations.push(WireAnnotation {
                timestamp: annotation.timestamp,
                value: Text(annotation.value.0.map(|v| Cow::Owned(v.into_owned()))),
            });
        }
        let tags = self.tags.get_or_insert_with(HashMap::new);
        for (key, value) in other.tags.unwrap_or_default() {
            tags.entry(Cow::Owned(key.into_owned()))
                .or_insert_with(|| Text(value.0.map(|v| Cow::Owned(v.into_owned()))));
        }
    }
}

fn own_endpoint(endpoint: WireEndpoint<'_>) -> WireEndpoint<'static> {
    let own = |t: Text<'_>| Text(t.0.map(|v| Cow::Owned(v.into_owned())));
    WireEndpoint {
        service_name: own(endpoint.service_name),
        ipv4: own(endpoint.ipv4),
        ipv6: own(endpoint.ipv6),
        port: own(endpoint.port),
    }
}

/// Reads an array of Zipkin spans (or a single span object).
pub(crate) fn read_spans(
    raw: &str,
    collector: &mut TraceCollector,
) -> Result<(), serde_json::Error> {
    let spans: Vec<WireSpan> = one_or_many(raw)?;

    // Merge fragments: key = (trace, id, shared, local service). The keys borrow from the
    // parsed spans (IDs are usually canonical already), so grouping allocates nothing per span.
    let group_of: Vec<usize> = {
        type Key<'k> = (Cow<'k, str>, Cow<'k, str>, bool, &'k str);
        let mut first: HashMap<Key<'_>, usize> = HashMap::with_capacity(spans.len());
        spans
            .iter()
            .enumerate()
            .map(|(index, span)| match span.id.get() {
                None => index,
                Some(id) => {
                    let key = (
                        span.trace_id.get().map(normalize_id).unwrap_or_default(),
                        normalize_id(id),
                        span.is_shared(),
                        span.local_service().unwrap_or(""),
                    );
                    *first.entry(key).or_insert(index)
                }
            })
            .collect()
    };
    let mut slots: Vec<Option<WireSpan>> = Vec::with_capacity(spans.len());
    for (index, span) in spans.into_iter().enumerate() {
        let group = group_of.get(index).copied().unwrap_or(index);
        if group == index {
            slots.push(Some(span));
        } else {
            slots.push(None);
            if let Some(Some(first)) = slots.get_mut(group) {
                first.merge(span);
            }
        }
    }
    let merged = slots.into_iter().flatten();

    let mut resources: HashMap<(String, String), u32> = HashMap::new();
    for span in merged {
        let trace_id = span.trace_id.get().map(str::to_string);
        let endpoint_key = span.local_endpoint.as_ref().map_or(String::new(), |e| {
            format!(
                "{}|{}|{}|{}",
                e.service_name.get().unwrap_or(""),
                e.ipv4.get().unwrap_or(""),
                e.ipv6.get().unwrap_or(""),
                e.port.get().unwrap_or("")
            )
        });
        let cache_key = (trace_id.clone().unwrap_or_default(), endpoint_key);
        let resource = match resources.get(&cache_key) {
            Some(&index) => index,
            None => {
                let builder = collector.builder(trace_id.as_deref());
                let index = add_endpoint(builder, span.local_endpoint.as_ref());
                resources.insert(cache_key, index);
                index
            }
        };
        add_span(collector, trace_id.as_deref(), span, resource);
    }
    Ok(())
}

fn add_endpoint(builder: &mut TraceBuilder, endpoint: Option<&WireEndpoint>) -> u32 {
    let service = builder.intern(
        endpoint
            .and_then(|e| e.service_name.get())
            .unwrap_or(UNKNOWN_SERVICE),
    );
    let mark = builder.attrs_mark();
    if let Some(endpoint) = endpoint {
        for (key, value) in [
            ("ipv4", &endpoint.ipv4),
            ("ipv6", &endpoint.ipv6),
            ("port", &endpoint.port),
        ] {
            if let Some(value) = value.get() {
                builder.push_str_attr(key, value);
            }
        }
    }
    let attrs = builder.attrs_since(mark);
    builder.add_resource(service, attrs)
}

fn add_span(collector: &mut TraceCollector, trace_id: Option<&str>, span: WireSpan, resource: u32) {
    let operation_text = span.name.get().unwrap_or("");
    let SpanStart {
        builder,
        span: mut out,
        span_id: span_id_text,
        file,
    } = collector.begin_span(
        trace_id,
        span.id.get(),
        span.parent_id.get(),
        operation_text,
        resource,
    );
    out.kind = span
        .kind
        .get()
        .map_or(SpanKind::Unspecified, SpanKind::from_name);
    if span.is_shared() {
        out.flags.set(SpanFlags::SHARED);
    }
    let (start, clamped_start) = wire::start_ns(span.timestamp, 1000);
    wire::warn_out_of_range(
        builder,
        &file,
        &span_id_text,
        "timestamp",
        "µs",
        clamped_start,
    );
    match start {
        Time::Ns(ns) => out.start_ns = ns,
        _ => {
            out.flags.set(SpanFlags::NO_TIMESTAMP);
            builder.warn(Warning::for_span(
                WarningKind::MissingTimestamp,
                &span_id_text,
                format!(
                    "{file}: span {span_id_text} has no timestamp; placed at its parent's start"
                ),
            ));
        }
    }
    let (duration, clamped) = wire::duration_ns(span.duration, 1000);
    wire::warn_out_of_range(builder, &file, &span_id_text, "duration", "µs", clamped);
    match duration {
        Some(ns) => out.duration_ns = ns,
        None => out.flags.set(SpanFlags::NO_DURATION),
    }

    let mut tags: Vec<(Cow<str>, Text)> = span.tags.unwrap_or_default().into_iter().collect();
    tags.sort_by(|a, b| a.0.cmp(&b.0));
    let mark = builder.attrs_mark();
    for (key, value) in &tags {
        let key_sym = builder.intern(key);
        let value_sym = builder.intern(value.0.as_deref().unwrap_or(""));
        builder.push_attr(key_sym, AttrValue::Str(value_sym));
        if key == "error" {
            out.status = SpanStatus::Error;
            if value.get().is_some() {
                out.status_message = Some(value_sym);
            }
        }
    }
    if let Some(remote) = &span.remote_endpoint {
        for (key, value) in [
            ("peer.service", &remote.service_name),
            ("peer.ipv4", &remote.ipv4),
            ("peer.ipv6", &remote.ipv6),
            ("peer.port", &remote.port),
        ] {
            if let Some(value) = value.get() {
                builder.push_str_attr(key, value);
            }
        }
    }
    out.attrs = builder.attrs_since(mark);

    let events_mark = builder.events_mark();
    let mut annotations = span.annotations.unwrap_or_default();
    annotations.sort_by_key(|a| a.timestamp.value().unwrap_or(0));
    for annotation in annotations {
        let name = builder.intern(annotation.value.get().unwrap_or(""));
        builder.push_event(Event {
            time_ns: annotation
                .timestamp
                .value()
                .unwrap_or(0)
                .saturating_mul(1000),
            name,
            attrs: Default::default(),
        });
    }
    out.events = builder.events_since(events_mark);
    builder.push_span(out);
}
