//! Analyses over the model, pure and native-tested: per-trace self time, critical path,
//! statistics, bottlenecks and error paths; across traces service and operation statistics and
//! dependencies. Each stage is O(n log n) or better and iterative
//! (no recursion over the span tree), so million-span traces and deep chains are safe.
mod aggregate;
mod bottlenecks;
mod cache;
mod clock_skew;
pub mod compare;
mod critical_path;
mod error_paths;
mod flame;
pub mod genai;
pub mod quality;
mod query;
mod self_time;
mod summary;
mod trace_stats;

pub use aggregate::{
    calls_between, dependencies, operation_stats, percentile, service_stats, Dependency,
    OperationStats, ServiceStats,
};
pub use bottlenecks::{bottlenecks, Bottleneck, BottleneckConfig};
pub use cache::AnalysisCache;
pub use clock_skew::adjust_clock_skew;
pub use critical_path::{critical_path, CriticalPath, CriticalSection};
pub use error_paths::{error_paths, ErrorPath};
pub use flame::{flame_graph, frame_at, FlameFrame, FlameGraph, FlameWeight};
pub use quality::{lint, Finding, FindingKind, LintConfig, Linter, QualityReport, Severity};
pub use query::{names_in, SortBy, TraceQuery};
pub use self_time::self_times;
pub use summary::{
    bottleneck_summary, critical_contributors, operation_durations, slowest_operations,
    BottleneckSummary, CriticalContributor, SlowOperation, SpanRef,
};
pub use trace_stats::{attribute_keys, trace_statistics, GroupBy, StatsRow};

use crate::core::model::Trace;

/// Everything computed for one trace, in one pass over the stages.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TraceAnalysis {
    /// Self time of every span (ns), indexed like `trace.spans`.
    pub self_ns: Vec<i64>,
    /// The critical path and each span's / service's share of it.
    pub critical_path: CriticalPath,
    /// The spans that cost the most (critical path first).
    pub bottlenecks: Vec<Bottleneck>,
    /// Root-to-error chains.
    pub error_paths: Vec<ErrorPath>,
}

/// Runs every per-trace stage with default settings.
pub fn analyze_trace(trace: &Trace) -> TraceAnalysis {
    let self_ns = self_times(trace);
    let critical_path = critical_path(trace);
    let bottlenecks = bottlenecks(
        trace,
        &self_ns,
        &critical_path,
        &BottleneckConfig::default(),
    );
    let error_paths = error_paths(trace);
    TraceAnalysis {
        self_ns,
        critical_path,
        bottlenecks,
        error_paths,
    }
}

#[cfg(test)]
pub(crate) mod test_trace {
    //! A compact way to write small trees for the analysis tests.
    use crate::core::model::{IdxRange, Span, SpanKind, SpanStatus, Trace, TraceBuilder};

    /// One row: (id, parent, service, start, end, kind, is_error).
    pub(crate) type Row<'a> = (&'a str, Option<&'a str>, &'a str, i64, i64, SpanKind, bool);

    pub(crate) fn build(rows: &[Row]) -> Trace {
        let mut builder = TraceBuilder::new("t");
        for (id, parent, service, start, end, kind, is_error) in rows {
            let service_sym = builder.intern(service);
            let resource = builder.add_resource(service_sym, IdxRange::default());
            let span_id = builder.intern(id);
            let operation = builder.intern(&format!("op-{id}"));
            let mut span = Span::draft(span_id, resource, service_sym, operation);
            span.parent_span_id = parent.map(|p| builder.intern(p));
            span.start_ns = *start;
            span.duration_ns = end - start;
            span.kind = *kind;
            if *is_error {
                span.status = SpanStatus::Error;
            }
            builder.push_span(span);
        }
        builder.build()
    }

    /// Rows with kind Unspecified, service "svc" and no error.
    pub(crate) fn simple(rows: &[(&str, Option<&str>, i64, i64)]) -> Trace {
        let full: Vec<Row> = rows
            .iter()
            .map(|(id, parent, start, end)| {
                (
                    *id,
                    *parent,
                    "svc",
                    *start,
                    *end,
                    SpanKind::Unspecified,
                    false,
                )
            })
            .collect();
        build(&full)
    }

    /// The arena index of the span with this ID.
    pub(crate) fn idx(trace: &Trace, id: &str) -> usize {
        trace
            .spans
            .iter()
            .position(|s| trace.str(s.span_id) == id)
            .unwrap_or_else(|| panic!("no span {id}"))
    }
}
