//! Cross-trace summaries for the services view: which operations are slowest (with their
//! slowest span, to open it), which are bottlenecks most often, and which contribute most to
//! critical paths. Each row names one example span so a person can jump to it.
use std::collections::HashMap;
use std::sync::Arc;

use super::aggregate::percentile;
use super::TraceAnalysis;
use crate::core::model::{SpanIdx, Trace};

/// A span of a loaded trace, by the IDs a person (and the address bar) uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpanRef {
    /// The trace's ID.
    pub trace_id: String,
    /// The span's ID.
    pub span_id: String,
}

impl SpanRef {
    fn of(trace: &Trace, idx: SpanIdx) -> Self {
        Self {
            trace_id: trace.trace_id.clone(),
            span_id: trace
                .span(idx)
                .map(|s| trace.str(s.span_id).to_string())
                .unwrap_or_default(),
        }
    }
}

/// An operation and its slowest span.
#[derive(Debug, Clone, PartialEq)]
pub struct SlowOperation {
    /// Service name.
    pub service: String,
    /// Operation name.
    pub operation: String,
    /// Spans of the operation.
    pub count: usize,
    /// 95th percentile duration (ns).
    pub p95_ns: f64,
    /// Longest duration (ns).
    pub max_ns: i64,
    /// The span that took `max_ns`.
    pub slowest: SpanRef,
}

/// How often an operation is among its traces' bottlenecks.
#[derive(Debug, Clone, PartialEq)]
pub struct BottleneckSummary {
    /// Service name.
    pub service: String,
    /// Operation name.
    pub operation: String,
    /// Bottleneck spans of this operation.
    pub occurrences: usize,
    /// Traces in which it is a bottleneck.
    pub traces: usize,
    /// Sum of those spans' self time (ns).
    pub total_self_ns: i64,
    /// Sum of those spans' time on the critical path (ns).
    pub total_critical_ns: i64,
    /// The bottleneck span with the most self time.
    pub worst: SpanRef,
    /// Its self time (ns).
    pub worst_self_ns: i64,
}

/// An operation's share of all critical paths.
#[derive(Debug, Clone, PartialEq)]
pub struct CriticalContributor {
    /// Service name.
    pub service: String,
    /// Operation name.
    pub operation: String,
    /// Time on critical paths, summed over traces (ns).
    pub critical_ns: i64,
    /// `critical_ns` ÷ the sum of all critical paths × 100.
    pub percent: f64,
    /// Traces whose critical path it is on.
    pub traces: usize,
    /// The span with the most time on its trace's critical path.
    pub top: SpanRef,
}

/// Groups by (service, operation) text across traces.
type OpKey = (String, String);

fn op_key(trace: &Trace, idx: SpanIdx) -> Option<OpKey> {
    let span = trace.span(idx)?;
    Some((
        trace.str(span.service).to_string(),
        trace.str(span.operation).to_string(),
    ))
}

/// Per-trace symbol pair → the operation's row index, so spans are grouped without allocating.
fn row_index<T>(
    cache: &mut HashMap<(u32, u32), usize>,
    rows: &mut Vec<T>,
    index: &mut HashMap<OpKey, usize>,
    trace: &Trace,
    idx: SpanIdx,
    new_row: impl FnOnce(OpKey) -> T,
) -> Option<usize> {
    let span = trace.span(idx)?;
    let sym_key = (
        lasso::Key::into_usize(span.service) as u32,
        lasso::Key::into_usize(span.operation) as u32,
    );
    if let Some(&row) = cache.get(&sym_key) {
        return Some(row);
    }
    let key = op_key(trace, idx)?;
    let row = *index.entry(key.clone()).or_insert_with(|| {
        rows.push(new_row(key));
        rows.len() - 1
    });
    cache.insert(sym_key, row);
    Some(row)
}

/// Operations by their 95th percentile, slowest first, each with its slowest span; at most
/// `limit` rows.
pub fn slowest_operations(traces: &[Arc<Trace>], limit: usize) -> Vec<SlowOperation> {
    struct Acc {
        key: OpKey,
        durations: Vec<i64>,
        max: (i64, SpanRef),
    }
    let mut rows: Vec<Acc> = Vec::new();
    let mut index = HashMap::new();
    for trace in traces {
        let mut cache = HashMap::new();
        for (i, span) in trace.spans.iter().enumerate() {
            let idx = SpanIdx(i as u32);
            let new_row = |key| Acc {
                key,
                durations: Vec::new(),
                max: (i64::MIN, SpanRef::of(trace, idx)),
            };
            let Some(row) = row_index(&mut cache, &mut rows, &mut index, trace, idx, new_row)
            else {
                continue;
            };
            let Some(acc) = rows.get_mut(row) else {
                continue;
            };
            acc.durations.push(span.duration_ns);
            if span.duration_ns > acc.max.0 {
                acc.max = (span.duration_ns, SpanRef::of(trace, idx));
            }
        }
    }
    let mut out: Vec<SlowOperation> = rows
        .into_iter()
        .map(|mut acc| {
            acc.durations.sort_unstable();
            SlowOperation {
                service: acc.key.0,
                operation: acc.key.1,
                count: acc.durations.len(),
                p95_ns: percentile(&acc.durations, 95.0),
                max_ns: acc.max.0,
                slowest: acc.max.1,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.p95_ns
            .total_cmp(&a.p95_ns)
            .then(b.max_ns.cmp(&a.max_ns))
            .then_with(|| (&a.service, &a.operation).cmp(&(&b.service, &b.operation)))
    });
    out.truncate(limit);
    out
}

/// The operations that are most often bottlenecks (see [`super::bottlenecks`]), most total self
/// time first.
pub fn bottleneck_summary(analysed: &[(Arc<Trace>, Arc<TraceAnalysis>)]) -> Vec<BottleneckSummary> {
    let mut rows: Vec<BottleneckSummary> = Vec::new();
    let mut index = HashMap::new();
    for (trace, analysis) in analysed {
        let mut cache = HashMap::new();
        let mut seen_rows = std::collections::HashSet::new();
        for b in &analysis.bottlenecks {
            let new_row = |(service, operation)| BottleneckSummary {
                service,
                operation,
                occurrences: 0,
                traces: 0,
                total_self_ns: 0,
                total_critical_ns: 0,
                worst: SpanRef::of(trace, b.span),
                worst_self_ns: i64::MIN,
            };
            let Some(row) = row_index(&mut cache, &mut rows, &mut index, trace, b.span, new_row)
            else {
                continue;
            };
            let Some(acc) = rows.get_mut(row) else {
                continue;
            };
            acc.occurrences += 1;
            acc.total_self_ns = acc.total_self_ns.saturating_add(b.self_ns);
            acc.total_critical_ns = acc.total_critical_ns.saturating_add(b.critical_ns);
            if seen_rows.insert(row) {
                acc.traces += 1;
            }
            if b.self_ns > acc.worst_self_ns {
                acc.worst_self_ns = b.self_ns;
                acc.worst = SpanRef::of(trace, b.span);
            }
        }
    }
    rows.sort_by(|a, b| {
        b.total_self_ns
            .cmp(&a.total_self_ns)
            .then_with(|| (&a.service, &a.operation).cmp(&(&b.service, &b.operation)))
    });
    rows
}

/// Time on critical paths per operation over all traces, largest first.
pub fn critical_contributors(
    analysed: &[(Arc<Trace>, Arc<TraceAnalysis>)],
) -> Vec<CriticalContributor> {
    let mut rows: Vec<CriticalContributor> = Vec::new();
    let mut best: Vec<i64> = Vec::new();
    let mut index = HashMap::new();
    let mut grand_total: i64 = 0;
    for (trace, analysis) in analysed {
        let mut cache = HashMap::new();
        let mut seen_rows = std::collections::HashSet::new();
        for (i, &critical_ns) in analysis.critical_path.span_ns.iter().enumerate() {
            if critical_ns <= 0 {
                continue;
            }
            let idx = SpanIdx(i as u32);
            grand_total = grand_total.saturating_add(critical_ns);
            let new_row = |(service, operation)| CriticalContributor {
                service,
                operation,
                critical_ns: 0,
                percent: 0.0,
                traces: 0,
                top: SpanRef::of(trace, idx),
            };
            let Some(row) = row_index(&mut cache, &mut rows, &mut index, trace, idx, new_row)
            else {
                continue;
            };
            if best.len() <= row {
                best.resize(row + 1, i64::MIN);
            }
            let (Some(acc), Some(top)) = (rows.get_mut(row), best.get_mut(row)) else {
                continue;
            };
            acc.critical_ns = acc.critical_ns.saturating_add(critical_ns);
            if seen_rows.insert(row) {
                acc.traces += 1;
            }
            if critical_ns > *top {
                *top = critical_ns;
                acc.top = SpanRef::of(trace, idx);
            }
        }
    }
    for row in &mut rows {
        row.percent = row.critical_ns as f64 / grand_total.max(1) as f64 * 100.0;
    }
    rows.sort_by(|a, b| {
        b.critical_ns
            .cmp(&a.critical_ns)
            .then_with(|| (&a.service, &a.operation).cmp(&(&b.service, &b.operation)))
    });
    rows
}

/// The durations (ns) of every span of one operation over `traces`, ascending.
pub fn operation_durations(traces: &[Arc<Trace>], service: &str, operation: &str) -> Vec<i64> {
    let mut out = Vec::new();
    for trace in traces {
        let (Some(service), Some(operation)) =
            (trace.strings.get(service), trace.strings.get(operation))
        else {
            continue;
        };
        out.extend(
            trace
                .spans
                .iter()
                .filter(|s| s.service == service && s.operation == operation)
                .map(|s| s.duration_ns),
        );
    }
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::analysis::analyze_trace;
    use crate::core::analysis::test_trace::build;
    use crate::core::model::SpanKind::*;

    fn analysed() -> Vec<(Arc<Trace>, Arc<TraceAnalysis>)> {
        let a = build(&[
            ("a1", None, "frontend", 0, 100, Server, false),
            ("a2", Some("a1"), "backend", 10, 90, Server, false),
        ]);
        let b = build(&[
            ("b1", None, "frontend", 0, 50, Server, false),
            ("b2", Some("b1"), "backend", 0, 10, Server, true),
        ]);
        [a, b]
            .into_iter()
            .map(|t| {
                let analysis = analyze_trace(&t);
                (Arc::new(t), Arc::new(analysis))
            })
            .collect()
    }

    #[test]
    fn slowest_operations_name_their_slowest_span() {
        let traces: Vec<Arc<Trace>> = analysed().into_iter().map(|(t, _)| t).collect();
        let rows = slowest_operations(&traces, 10);
        // op-a1 (100) is slower than op-a2 (80); every operation name is distinct here.
        assert_eq!(rows[0].operation, "op-a1");
        assert_eq!(rows[0].max_ns, 100);
        assert_eq!(rows[0].slowest.span_id, "a1");
        assert_eq!(slowest_operations(&traces, 1).len(), 1);
    }

    #[test]
    fn critical_contributors_share_the_total() {
        let rows = critical_contributors(&analysed());
        let total: i64 = rows
            .iter()
            .fold(0i64, |sum, r| sum.saturating_add(r.critical_ns));
        // Both traces' critical paths cover their whole duration: 100 + 50.
        assert_eq!(total, 150);
        let percent: f64 = rows.iter().map(|r| r.percent).sum();
        assert!((percent - 100.0).abs() < 1e-9);
        // a2 is on trace a's critical path for 80 of its 100.
        let a2 = rows.iter().find(|r| r.operation == "op-a2").unwrap();
        assert_eq!((a2.critical_ns, a2.traces), (80, 1));
        assert_eq!(rows[0].operation, "op-a2");
    }

    #[test]
    fn bottlenecks_are_summed_per_operation() {
        let rows = bottleneck_summary(&analysed());
        assert!(!rows.is_empty());
        let a2 = rows.iter().find(|r| r.operation == "op-a2").unwrap();
        assert_eq!((a2.occurrences, a2.traces, a2.total_self_ns), (1, 1, 80));
        assert_eq!(a2.worst.span_id, "a2");
        assert_eq!(rows[0].operation, "op-a2");
    }

    #[test]
    fn operation_durations_are_sorted() {
        let traces: Vec<Arc<Trace>> = analysed().into_iter().map(|(t, _)| t).collect();
        assert_eq!(operation_durations(&traces, "backend", "op-a2"), vec![80]);
        assert!(operation_durations(&traces, "nobody", "op-a2").is_empty());
    }
}
