//! Statistics across all loaded traces: per service, per operation (with percentiles) and the
//! service dependency graph.
//!
//! Names are interned per trace; each trace's symbols are mapped once to global name IDs, so the
//! per-span work is integer keyed. O(n) plus one sort of durations per operation.
use std::collections::HashMap;
use std::sync::Arc;

use lasso::Key;

use crate::core::model::{AttrValue, SpanKind, Sym, Trace};

/// Per-service figures.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceStats {
    /// Service name.
    pub service: String,
    /// Spans of this service.
    pub span_count: usize,
    /// Of them, with error status.
    pub error_count: usize,
    /// error_count ÷ span_count.
    pub error_rate: f64,
    /// Mean span duration (ns).
    pub avg_duration_ns: f64,
    /// Sum of span durations (ns).
    pub total_duration_ns: i64,
    /// Its operations, sorted.
    pub operations: Vec<String>,
}

/// Per-(service, operation) latency figures. Percentiles interpolate linearly between the
/// closest ranks; the standard deviation is the population one.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationStats {
    /// Service name.
    pub service: String,
    /// Operation name.
    pub operation: String,
    /// Spans.
    pub count: usize,
    /// Shortest (ns).
    pub min_ns: i64,
    /// Longest (ns).
    pub max_ns: i64,
    /// Mean (ns).
    pub mean_ns: f64,
    /// 50th percentile (ns).
    pub median_ns: f64,
    /// 95th percentile (ns).
    pub p95_ns: f64,
    /// 99th percentile (ns).
    pub p99_ns: f64,
    /// Population standard deviation (ns).
    pub stddev_ns: f64,
    /// Spans with error status.
    pub error_count: usize,
    /// error_count ÷ count.
    pub error_rate: f64,
}

/// A directed call edge between two services.
#[derive(Debug, Clone, PartialEq)]
pub struct Dependency {
    /// The calling service.
    pub parent: String,
    /// The called service.
    pub child: String,
    /// Calls seen.
    pub call_count: usize,
    /// Calls that failed (the called span, or a leaf client span, has error status).
    pub error_count: usize,
    /// Median call latency (ns).
    pub p50_ns: f64,
    /// 95th percentile call latency (ns).
    pub p95_ns: f64,
}

/// The value at percentile `p` (0–100) of ascending `sorted`, interpolating linearly between
/// the closest ranks (NumPy's default, and what most dashboards use). 0 for an empty slice.
pub fn percentile(sorted: &[i64], p: f64) -> f64 {
    let Some(&first) = sorted.first() else {
        return 0.0;
    };
    if sorted.len() == 1 {
        return first as f64;
    }
    let rank = (p.clamp(0.0, 100.0) / 100.0) * (sorted.len() - 1) as f64;
    let low = rank.floor() as usize;
    let high = rank.ceil() as usize;
    let (Some(&a), Some(&b)) = (sorted.get(low), sorted.get(high)) else {
        return 0.0;
    };
    a as f64 + (b as f64 - a as f64) * (rank - low as f64)
}

/// Global name table for cross-trace keys.
#[derive(Default)]
struct Names {
    table: lasso::Rodeo,
}

/// One trace's symbol → global name ID map, filled on first use (a trace interns a million span
/// IDs, but only its few service and operation names need mapping).
struct NameMap<'t> {
    trace: &'t Trace,
    ids: Vec<u32>,
}

impl Names {
    /// A lazy map for `trace`.
    fn map<'t>(&self, trace: &'t Trace) -> NameMap<'t> {
        NameMap {
            trace,
            ids: vec![u32::MAX; trace.strings.len() + 1],
        }
    }

    /// The global ID of `sym` of the mapped trace.
    fn global(&mut self, map: &mut NameMap<'_>, sym: Sym) -> u32 {
        let slot = sym.into_usize();
        match map.ids.get(slot) {
            Some(&id) if id != u32::MAX => id,
            _ => {
                let id = self.table.get_or_intern(map.trace.str(sym)).into_usize() as u32;
                if let Some(cell) = map.ids.get_mut(slot) {
                    *cell = id;
                }
                id
            }
        }
    }

    fn text(&self, id: u32) -> &str {
        lasso::Spur::try_from_usize(id as usize).map_or("", |key| self.table.resolve(&key))
    }
}

/// Per-service statistics over `traces`, sorted by service name.
pub fn service_stats(traces: &[Arc<Trace>]) -> Vec<ServiceStats> {
    #[derive(Default)]
    struct Acc {
        spans: usize,
        errors: usize,
        total: i64,
        operations: std::collections::BTreeSet<u32>,
    }
    let mut names = Names::default();
    let mut by_service: HashMap<u32, Acc> = HashMap::new();
    for trace in traces {
        let mut map = names.map(trace);
        for span in &trace.spans {
            let acc = by_service
                .entry(names.global(&mut map, span.service))
                .or_default();
            acc.spans += 1;
            acc.errors += usize::from(span.is_error());
            acc.total = acc.total.saturating_add(span.duration_ns);
            acc.operations
                .insert(names.global(&mut map, span.operation));
        }
    }
    let mut rows: Vec<ServiceStats> = by_service
        .into_iter()
        .map(|(service, acc)| {
            let mut operations: Vec<String> = acc
                .operations
                .iter()
                .map(|&o| names.text(o).to_string())
                .collect();
            operations.sort();
            ServiceStats {
                service: names.text(service).to_string(),
                span_count: acc.spans,
                error_count: acc.errors,
                error_rate: acc.errors as f64 / acc.spans.max(1) as f64,
                avg_duration_ns: acc.total as f64 / acc.spans.max(1) as f64,
                total_duration_ns: acc.total,
                operations,
            }
        })
        .collect();
    rows.sort_by(|a, b| a.service.cmp(&b.service));
    rows
}

/// Per-operation statistics over `traces`, slowest (by p95, then mean) first.
pub fn operation_stats(traces: &[Arc<Trace>]) -> Vec<OperationStats> {
    let mut names = Names::default();
    let mut durations: HashMap<(u32, u32), (Vec<i64>, usize)> = HashMap::new();
    for trace in traces {
        let mut map = names.map(trace);
        for span in &trace.spans {
            let key = (
                names.global(&mut map, span.service),
                names.global(&mut map, span.operation),
            );
            let entry = durations.entry(key).or_default();
            entry.0.push(span.duration_ns);
            entry.1 += usize::from(span.is_error());
        }
    }
    let mut rows: Vec<OperationStats> = durations
        .into_iter()
        .map(|((service, operation), (mut values, errors))| {
            values.sort_unstable();
            let count = values.len();
            let mean = values.iter().map(|&v| v as f64).sum::<f64>() / count.max(1) as f64;
            let variance = values
                .iter()
                .map(|&v| (v as f64 - mean).powi(2))
                .sum::<f64>()
                / count.max(1) as f64;
            OperationStats {
                service: names.text(service).to_string(),
                operation: names.text(operation).to_string(),
                count,
                min_ns: values.first().copied().unwrap_or(0),
                max_ns: values.last().copied().unwrap_or(0),
                mean_ns: mean,
                median_ns: percentile(&values, 50.0),
                p95_ns: percentile(&values, 95.0),
                p99_ns: percentile(&values, 99.0),
                stddev_ns: variance.sqrt(),
                error_count: errors,
                error_rate: errors as f64 / count.max(1) as f64,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.p95_ns
            .total_cmp(&a.p95_ns)
            .then(b.mean_ns.total_cmp(&a.mean_ns))
            .then_with(|| (&a.service, &a.operation).cmp(&(&b.service, &b.operation)))
    });
    rows
}

/// The attribute keys that name the remote service of a CLIENT span, in order of preference.
const REMOTE_SERVICE_KEYS: [&str; 3] = ["peer.service", "server.address", "net.peer.name"];

/// One service-to-service call found in a trace (see [`dependencies`]).
#[derive(Debug, Clone, Copy)]
struct Call {
    caller: Sym,
    callee: Sym,
    latency_ns: i64,
    is_error: bool,
}

/// Every service-to-service call of `trace`: a parent span's service to a child span's service
/// when they differ, and a CLIENT span with no children to the remote service its attributes
/// name.
fn for_each_call(trace: &Trace, mut on_call: impl FnMut(Call)) {
    let remote_keys: Vec<Sym> = REMOTE_SERVICE_KEYS
        .iter()
        .filter_map(|k| trace.strings.get(k))
        .collect();
    let mut has_children = vec![false; trace.spans.len()];
    for span in &trace.spans {
        let Some(parent_idx) = span.parent else {
            continue;
        };
        if let Some(flag) = has_children.get_mut(parent_idx.get()) {
            *flag = true;
        }
        let Some(parent) = trace.span(parent_idx) else {
            continue;
        };
        if parent.service == span.service {
            continue;
        }
        let latency_ns = if matches!(parent.kind, SpanKind::Client | SpanKind::Producer) {
            parent.duration_ns
        } else {
            span.duration_ns
        };
        on_call(Call {
            caller: parent.service,
            callee: span.service,
            latency_ns,
            is_error: span.is_error(),
        });
    }
    for (index, span) in trace.spans.iter().enumerate() {
        if span.kind != SpanKind::Client || has_children.get(index).copied().unwrap_or(true) {
            continue;
        }
        let attrs = trace.attrs(span.attrs);
        let remote = remote_keys.iter().find_map(|key| {
            attrs
                .iter()
                .find(|a| a.key == *key)
                .and_then(|a| match a.value {
                    AttrValue::Str(s) if !trace.str(s).is_empty() => Some(s),
                    _ => None,
                })
        });
        let Some(remote) = remote else { continue };
        if remote == span.service {
            continue;
        }
        on_call(Call {
            caller: span.service,
            callee: remote,
            latency_ns: span.duration_ns,
            is_error: span.is_error(),
        });
    }
}

/// Service-to-service edges over `traces`: from a parent span's service to a child span's
/// service when they differ, and from a CLIENT span with no children to the remote service its
/// attributes name (`peer.service`, else `server.address`, else `net.peer.name`). The latency of
/// a call is the calling span's duration when it is a CLIENT or PRODUCER span, else the called
/// span's. Sorted by call count, largest first.
pub fn dependencies(traces: &[Arc<Trace>]) -> Vec<Dependency> {
    let mut names = Names::default();
    let mut edges: HashMap<(u32, u32), (Vec<i64>, usize)> = HashMap::new();
    for trace in traces {
        let mut map = names.map(trace);
        for_each_call(trace, |call| {
            let key = (
                names.global(&mut map, call.caller),
                names.global(&mut map, call.callee),
            );
            let edge = edges.entry(key).or_default();
            edge.0.push(call.latency_ns);
            edge.1 += usize::from(call.is_error);
        });
    }
    let mut rows: Vec<Dependency> = edges
        .into_iter()
        .map(|((parent, child), (mut latencies, errors))| {
            latencies.sort_unstable();
            Dependency {
                parent: names.text(parent).to_string(),
                child: names.text(child).to_string(),
                call_count: latencies.len(),
                error_count: errors,
                p50_ns: percentile(&latencies, 50.0),
                p95_ns: percentile(&latencies, 95.0),
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.call_count
            .cmp(&a.call_count)
            .then_with(|| (&a.parent, &a.child).cmp(&(&b.parent, &b.child)))
    });
    rows
}

/// How often `trace` calls `callee` from `caller`, and how many of those calls failed — the
/// same calls [`dependencies`] counts. (0, 0) when it never does.
pub fn calls_between(trace: &Trace, caller: &str, callee: &str) -> (usize, usize) {
    let (Some(caller), Some(callee)) = (trace.strings.get(caller), trace.strings.get(callee))
    else {
        return (0, 0);
    };
    let mut counts = (0, 0);
    for_each_call(trace, |call| {
        if call.caller == caller && call.callee == callee {
            counts.0 += 1;
            counts.1 += usize::from(call.is_error);
        }
    });
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::analysis::test_trace::build;
    use crate::core::model::SpanKind::*;

    #[test]
    fn percentiles_interpolate_linearly() {
        let values = [10, 20, 30, 40];
        assert_eq!(percentile(&values, 50.0), 25.0);
        assert_eq!(percentile(&values, 0.0), 10.0);
        assert_eq!(percentile(&values, 100.0), 40.0);
        // rank 0.95 * 3 = 2.85 → 30 + 0.85 * 10
        assert!((percentile(&values, 95.0) - 38.5).abs() < 1e-9);
        assert_eq!(percentile(&[], 50.0), 0.0);
        assert_eq!(percentile(&[7], 99.0), 7.0);
    }

    fn two_traces() -> Vec<Arc<Trace>> {
        let a = build(&[
            ("a1", None, "frontend", 0, 100, Server, false),
            ("a2", Some("a1"), "frontend", 10, 60, Client, false),
            ("a3", Some("a2"), "backend", 15, 55, Server, true),
            ("a4", Some("a1"), "frontend", 70, 90, Client, false),
        ]);
        let b = build(&[
            ("b1", None, "frontend", 0, 50, Server, false),
            ("b2", Some("b1"), "frontend", 5, 25, Client, false),
            ("b3", Some("b2"), "backend", 6, 24, Server, false),
        ]);
        vec![Arc::new(a), Arc::new(b)]
    }

    #[test]
    fn services_and_operations_are_aggregated_across_traces() {
        let traces = two_traces();
        let services = service_stats(&traces);
        assert_eq!(services.len(), 2);
        let backend = &services[0];
        assert_eq!(backend.service, "backend");
        assert_eq!(
            (
                backend.span_count,
                backend.error_count,
                backend.total_duration_ns
            ),
            (2, 1, 58)
        );
        assert!((backend.error_rate - 0.5).abs() < 1e-9);
        assert_eq!(services[1].span_count, 5);

        let operations = operation_stats(&traces);
        let backend_op: Vec<_> = operations
            .iter()
            .filter(|o| o.service == "backend")
            .collect();
        assert_eq!(backend_op.len(), 2); // op-a3 and op-b3 are different operations
        let root_ops = operations.iter().filter(|o| o.operation == "op-a1").count();
        assert_eq!(root_ops, 1);
        let one = &operations.iter().find(|o| o.operation == "op-a3").unwrap();
        assert_eq!(
            (one.count, one.min_ns, one.max_ns, one.error_count),
            (1, 40, 40, 1)
        );
        assert_eq!(one.stddev_ns, 0.0);
    }

    #[test]
    fn dependencies_count_calls_errors_and_latency() {
        let traces = two_traces();
        let deps = dependencies(&traces);
        assert_eq!(deps.len(), 1);
        let edge = &deps[0];
        assert_eq!(
            (edge.parent.as_str(), edge.child.as_str()),
            ("frontend", "backend")
        );
        assert_eq!((edge.call_count, edge.error_count), (2, 1));
        // Client durations 50 and 20: median 35.
        assert_eq!(edge.p50_ns, 35.0);
    }

    #[test]
    fn leaf_client_spans_with_a_peer_service_make_an_edge() {
        let set = {
            let mut set = crate::core::model::TraceSet::new();
            crate::core::load::load_into(
                &mut set,
                "x",
                br#"[{"traceId":"a","id":"1","name":"get","kind":"SERVER","timestamp":0,"duration":100,"localEndpoint":{"serviceName":"api"}},
                     {"traceId":"a","id":"2","parentId":"1","name":"query","kind":"CLIENT","timestamp":10,"duration":30,
                      "localEndpoint":{"serviceName":"api"},"remoteEndpoint":{"serviceName":"postgres"},"tags":{"error":"timeout"}}]"#,
            )
            .unwrap();
            set
        };
        let deps = dependencies(set.traces());
        assert_eq!(deps.len(), 1);
        assert_eq!(
            (deps[0].parent.as_str(), deps[0].child.as_str()),
            ("api", "postgres")
        );
        assert_eq!(deps[0].error_count, 1);
        assert_eq!(deps[0].p50_ns, 30_000.0);
    }

    #[test]
    fn calls_between_counts_the_calls_of_one_trace() {
        let traces = two_traces();
        assert_eq!(calls_between(&traces[0], "frontend", "backend"), (1, 1));
        assert_eq!(calls_between(&traces[1], "frontend", "backend"), (1, 0));
        assert_eq!(calls_between(&traces[1], "backend", "frontend"), (0, 0));
        assert_eq!(calls_between(&traces[1], "nobody", "backend"), (0, 0));
    }
}
