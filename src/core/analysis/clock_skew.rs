//! Clock-skew adjustment, as Jaeger's backend adjuster does it (and Zipkin Lens for RPCs).
//!
//! Spans recorded on different hosts carry the hosts' clocks, so a server span can appear to
//! start before the client that called it. Walking the tree top-down: a span on the same host as
//! its parent inherits the parent's shift; a span on another host whose (raw) interval does not
//! fit in its (already shifted) parent is shifted:
//!
//! ```text
//! parent      |==============|           child longer than parent → align starts
//! child    |-----------|                 otherwise → centre it: shift = parent.start
//!  after      ·|-----------|·              + (parent.duration − child.duration) / 2 − child.start
//! ```
//!
//! The host is the resource's `host.name`, `hostname`, `ip` or `ipv4` attribute, or else the
//! service name. Adjusting returns a new trace (the raw one stays, so the UI can toggle); every
//! shifted span gets a `ClockSkewAdjusted` warning with the shift.
use crate::core::model::{AttrValue, Sym, Trace, TraceBuilder, Warning, WarningKind};
use crate::core::view_model::format_duration_ns;

/// Keys that identify a host in resource attributes, in order of preference.
const HOST_KEYS: [&str; 4] = ["host.name", "hostname", "ip", "ipv4"];

/// A host identity: an attribute value, or the service name when no host attribute exists.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Host {
    Attribute(Sym),
    Service(Sym),
}

fn host_of(trace: &Trace, host_keys: &[Sym], resource: u32, service: Sym) -> Host {
    trace
        .resources
        .get(resource as usize)
        .and_then(|r| {
            let attrs = trace.attrs(r.attrs);
            host_keys.iter().find_map(|key| {
                attrs
                    .iter()
                    .find(|a| a.key == *key)
                    .and_then(|a| match a.value {
                        AttrValue::Str(s) if !trace.str(s).is_empty() => Some(Host::Attribute(s)),
                        _ => None,
                    })
            })
        })
        .unwrap_or(Host::Service(service))
}

/// The shift (ns) that moves a child spanning `[start, start + duration)` into its parent.
fn skew_ns(parent_start: i64, parent_duration: i64, child_start: i64, child_duration: i64) -> i64 {
    if child_duration > parent_duration {
        return parent_start - child_start;
    }
    let child_end = child_start.saturating_add(child_duration);
    if child_start >= parent_start && child_end <= parent_start.saturating_add(parent_duration) {
        return 0;
    }
    parent_start + (parent_duration - child_duration) / 2 - child_start
}

/// Returns `trace` with clock skew adjusted (see the module docs), or `None` when no span needed
/// a shift.
pub fn adjust_clock_skew(trace: &Trace) -> Option<Trace> {
    let host_keys: Vec<Sym> = HOST_KEYS
        .iter()
        .filter_map(|k| trace.strings.get(k))
        .collect();
    let n = trace.spans.len();
    let mut shift = vec![0i64; n];
    let mut hosts = Vec::with_capacity(n);
    // Pre-order: parents are settled before their children.
    for (index, span) in trace.spans.iter().enumerate() {
        let host = host_of(trace, &host_keys, span.resource, span.service);
        hosts.push(host);
        let Some(parent) = span.parent else { continue };
        let (Some(parent_span), Some(&parent_host)) = (trace.span(parent), hosts.get(parent.get()))
        else {
            continue;
        };
        let parent_shift = shift.get(parent.get()).copied().unwrap_or(0);
        let own = if parent_host == host {
            parent_shift
        } else {
            skew_ns(
                parent_span.start_ns + parent_shift,
                parent_span.duration_ns,
                span.start_ns,
                span.duration_ns,
            )
        };
        if let Some(slot) = shift.get_mut(index) {
            *slot = own;
        }
    }
    if shift.iter().all(|&s| s == 0) {
        return None;
    }

    let mut adjusted = trace.clone();
    let mut warnings = Vec::new();
    for (span, &delta) in adjusted.spans.iter_mut().zip(&shift) {
        if delta == 0 {
            continue;
        }
        span.start_ns = span.start_ns.saturating_add(delta);
        let id = trace.str(span.span_id);
        let direction = if delta > 0 { "later" } else { "earlier" };
        warnings.push(Warning::for_span(
            WarningKind::ClockSkewAdjusted,
            id,
            format!(
                "span {id}: clock skew adjusted, moved {} {direction}",
                format_duration_ns(delta.abs())
            ),
        ));
        if let Some(events) = adjusted.events.get_mut(span.events.as_range()) {
            for event in events {
                event.time_ns = event.time_ns.saturating_add(delta);
            }
        }
    }
    let mut builder = TraceBuilder::from_trace(&adjusted);
    for warning in warnings {
        builder.warn(warning);
    }
    Some(builder.build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::analysis::test_trace::{build, idx};
    use crate::core::load::load_into;
    use crate::core::model::SpanKind::*;
    use crate::core::model::TraceSet;

    #[test]
    fn the_skew_formula_matches_jaeger() {
        // Fits: no shift.
        assert_eq!(skew_ns(100, 50, 110, 10), 0);
        // Starts early: centred.
        assert_eq!(skew_ns(100, 50, 40, 10), 100 + 20 - 40);
        // Longer than the parent: starts aligned.
        assert_eq!(skew_ns(100, 50, 300, 80), -200);
    }

    #[test]
    fn zipkin_skew_fixture_server_moves_into_its_client() {
        let mut set = TraceSet::new();
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/zipkin/skew.json"
        ))
        .unwrap();
        load_into(&mut set, "skew.json", &bytes).unwrap();
        let raw = &set.traces()[0];
        let adjusted = adjust_clock_skew(raw).unwrap();
        let find = |t: &Trace, service: &str, kind| {
            t.spans
                .iter()
                .find(|s| t.str(s.service) == service && s.kind == kind)
                .copied()
                .unwrap()
        };
        let client = find(&adjusted, "servicea", Client);
        let server = find(&adjusted, "serviceb", Server);
        // Client 94539 µs, server 93577 µs: centred, 481 µs after the client's start.
        assert_eq!(server.start_ns - client.start_ns, 481_000);
        assert!(server.end_ns() <= client.end_ns());
        // The async child on the server's host moved by the same amount.
        let raw_async = find(raw, "serviceb", Unspecified);
        let async_span = find(&adjusted, "serviceb", Unspecified);
        let raw_server = find(raw, "serviceb", Server);
        assert_eq!(
            async_span.start_ns.saturating_sub(raw_async.start_ns),
            server.start_ns.saturating_sub(raw_server.start_ns)
        );
        let skew_warnings = adjusted
            .warnings
            .iter()
            .filter(|w| w.kind == WarningKind::ClockSkewAdjusted)
            .count();
        assert_eq!(skew_warnings, 2);
        // The raw trace is untouched.
        assert!(raw.warnings.is_empty());
    }

    #[test]
    fn same_host_children_are_left_alone_and_clean_traces_need_nothing() {
        let trace = build(&[
            ("a", None, "api", 100, 200, Server, false),
            ("b", Some("a"), "api", 50, 90, Internal, false),
        ]);
        assert!(adjust_clock_skew(&trace).is_none());
        let trace = build(&[
            ("a", None, "api", 100, 200, Server, false),
            ("b", Some("a"), "db", 50, 90, Server, false),
        ]);
        let adjusted = adjust_clock_skew(&trace).unwrap();
        let b = adjusted.spans[idx(&adjusted, "b")];
        assert_eq!(b.start_ns, 100 + (100 - 40) / 2);
    }
}
