//! The `analyze --json` document: one serde-serialisable tree built from the loaded traces and
//! the core's analyses. Times are microseconds (floats); span IDs are as loaded (normalised:
//! hex lower-cased, base64 decoded).
use serde::Serialize;
use std::sync::Arc;
use tracagg::core::analysis::{
    analyze_trace, dependencies, operation_stats, service_stats, trace_statistics, GroupBy,
    StatsRow, TraceAnalysis,
};

use crate::genai_report::{genai_parts, GenAiReport, TraceGenAi};
use tracagg::core::logs::{join_logs, LogStore, TraceLogs};
use tracagg::core::model::{SpanIdx, Trace};
use tracagg::core::view_model::TraceSummary;

/// The whole document.
#[derive(Serialize)]
pub(crate) struct Report {
    pub(crate) traces: Vec<TraceReport>,
    pub(crate) services: Vec<ServiceRow>,
    pub(crate) operations: Vec<OperationRow>,
    pub(crate) dependencies: Vec<DependencyRow>,
    /// Log records read from log files among the inputs, and how many joined a loaded trace.
    pub(crate) logs: LogsRow,
    /// The AI work of the reported traces: per model, tool, agent and decision type.
    pub(crate) genai: GenAiReport,
}

/// The `logs` object: log files read, their records, and how many named a loaded trace.
#[derive(Serialize, Default)]
pub(crate) struct LogsRow {
    pub(crate) files: usize,
    pub(crate) records: usize,
    pub(crate) matched: usize,
    pub(crate) unmatched: usize,
}

/// A span with log records, and how many.
#[derive(Serialize)]
pub(crate) struct SpanLogsRow {
    pub(crate) span_id: String,
    pub(crate) count: usize,
}

#[derive(Serialize)]
pub(crate) struct TraceReport {
    pub(crate) trace_id: String,
    pub(crate) span_count: usize,
    pub(crate) service_count: usize,
    pub(crate) error_count: usize,
    pub(crate) start_us: f64,
    pub(crate) duration_us: f64,
    pub(crate) warnings: Vec<String>,
    pub(crate) root_service: String,
    pub(crate) root_operation: String,
    pub(crate) services: Vec<String>,
    pub(crate) sources: Vec<String>,
    pub(crate) critical_path: Vec<SectionRow>,
    pub(crate) critical_path_by_service: Vec<ShareRow>,
    pub(crate) statistics: Statistics,
    pub(crate) bottlenecks: Vec<BottleneckRow>,
    pub(crate) error_paths: Vec<ErrorPathRow>,
    /// Log records of this trace (with or without one of its spans).
    pub(crate) log_count: usize,
    /// Its spans with log records, in span order.
    pub(crate) spans_with_logs: Vec<SpanLogsRow>,
    /// Its AI work (`null` without any GenAI or decision span).
    pub(crate) genai: Option<TraceGenAi>,
}

#[derive(Serialize)]
pub(crate) struct SectionRow {
    pub(crate) span_id: String,
    pub(crate) start_us: f64,
    pub(crate) end_us: f64,
}

#[derive(Serialize)]
pub(crate) struct ShareRow {
    pub(crate) service: String,
    pub(crate) critical_us: f64,
    pub(crate) percent: f64,
}

#[derive(Serialize)]
pub(crate) struct Statistics {
    pub(crate) by_service: Vec<StatsJson>,
    pub(crate) by_operation: Vec<StatsJson>,
}

#[derive(Serialize)]
pub(crate) struct StatsJson {
    pub(crate) service: Option<String>,
    pub(crate) operation: Option<String>,
    pub(crate) count: usize,
    pub(crate) total_us: f64,
    pub(crate) avg_us: f64,
    pub(crate) min_us: f64,
    pub(crate) max_us: f64,
    pub(crate) self_total_us: f64,
    pub(crate) self_avg_us: f64,
    pub(crate) self_min_us: f64,
    pub(crate) self_max_us: f64,
    pub(crate) self_percent: f64,
}

#[derive(Serialize)]
pub(crate) struct BottleneckRow {
    pub(crate) span_id: String,
    pub(crate) service: String,
    pub(crate) operation: String,
    pub(crate) duration_us: f64,
    pub(crate) self_us: f64,
    pub(crate) critical_us: f64,
    pub(crate) self_percent: f64,
}

#[derive(Serialize)]
pub(crate) struct ErrorPathRow {
    pub(crate) chain: Vec<String>,
    pub(crate) errors: Vec<String>,
    pub(crate) origin: String,
    pub(crate) origin_service: String,
    pub(crate) origin_operation: String,
}

#[derive(Serialize)]
pub(crate) struct ServiceRow {
    pub(crate) service: String,
    pub(crate) span_count: usize,
    pub(crate) error_count: usize,
    pub(crate) error_rate: f64,
    pub(crate) avg_duration_us: f64,
    pub(crate) total_duration_us: f64,
    pub(crate) operations: Vec<String>,
}

#[derive(Serialize)]
pub(crate) struct OperationRow {
    pub(crate) service: String,
    pub(crate) operation: String,
    pub(crate) count: usize,
    pub(crate) min_us: f64,
    pub(crate) max_us: f64,
    pub(crate) mean_us: f64,
    pub(crate) median_us: f64,
    pub(crate) p95_us: f64,
    pub(crate) p99_us: f64,
    pub(crate) stddev_us: f64,
    pub(crate) error_count: usize,
    pub(crate) error_rate: f64,
}

#[derive(Serialize)]
pub(crate) struct DependencyRow {
    pub(crate) parent: String,
    pub(crate) child: String,
    pub(crate) call_count: usize,
    pub(crate) error_count: usize,
    pub(crate) p50_us: f64,
    pub(crate) p95_us: f64,
}

fn us(ns: i64) -> f64 {
    ns as f64 / 1000.0
}

fn usf(ns: f64) -> f64 {
    ns / 1000.0
}

fn span_id(trace: &Trace, idx: SpanIdx) -> String {
    trace
        .span(idx)
        .map(|s| trace.str(s.span_id).to_string())
        .unwrap_or_default()
}

fn stats_json(row: StatsRow) -> StatsJson {
    StatsJson {
        service: row.service,
        operation: row.operation,
        count: row.count,
        total_us: us(row.total_ns),
        avg_us: usf(row.avg_ns),
        min_us: us(row.min_ns),
        max_us: us(row.max_ns),
        self_total_us: us(row.self_total_ns),
        self_avg_us: usf(row.self_avg_ns),
        self_min_us: us(row.self_min_ns),
        self_max_us: us(row.self_max_ns),
        self_percent: row.self_percent,
    }
}

impl TraceReport {
    /// Summarises and analyses one trace.
    pub(crate) fn of(trace: &Trace) -> Self {
        let summary = TraceSummary::of(trace);
        let TraceAnalysis {
            self_ns,
            critical_path,
            bottlenecks,
            error_paths,
        } = analyze_trace(trace);
        let by_service = trace_statistics(trace, &self_ns, &GroupBy::Service);
        let by_operation = trace_statistics(trace, &self_ns, &GroupBy::Operation);
        let total = critical_path.total_ns.max(1) as f64;
        TraceReport {
            trace_id: summary.trace_id,
            span_count: summary.span_count,
            service_count: summary.services.len(),
            error_count: summary.error_count,
            start_us: us(summary.start_ns),
            duration_us: us(summary.duration_ns),
            warnings: summary.warnings,
            root_service: summary.root_service,
            root_operation: summary.root_operation,
            services: summary.services,
            sources: summary.sources,
            critical_path: critical_path
                .sections
                .iter()
                .map(|s| SectionRow {
                    span_id: span_id(trace, s.span),
                    start_us: us(s.start_ns),
                    end_us: us(s.end_ns),
                })
                .collect(),
            critical_path_by_service: critical_path
                .service_ns
                .iter()
                .map(|(service, ns)| ShareRow {
                    service: trace.str(*service).to_string(),
                    critical_us: us(*ns),
                    percent: *ns as f64 / total * 100.0,
                })
                .collect(),
            statistics: Statistics {
                by_service: by_service.into_iter().map(stats_json).collect(),
                by_operation: by_operation.into_iter().map(stats_json).collect(),
            },
            bottlenecks: bottlenecks
                .iter()
                .filter_map(|b| {
                    let span = trace.span(b.span)?;
                    Some(BottleneckRow {
                        span_id: trace.str(span.span_id).to_string(),
                        service: trace.str(span.service).to_string(),
                        operation: trace.str(span.operation).to_string(),
                        duration_us: us(b.duration_ns),
                        self_us: us(b.self_ns),
                        critical_us: us(b.critical_ns),
                        self_percent: b.self_percent,
                    })
                })
                .collect(),
            error_paths: error_paths
                .iter()
                .map(|p| {
                    let origin = trace.span(p.origin);
                    ErrorPathRow {
                        chain: p.chain.iter().map(|&i| span_id(trace, i)).collect(),
                        errors: p.errors.iter().map(|&i| span_id(trace, i)).collect(),
                        origin: span_id(trace, p.origin),
                        origin_service: origin
                            .map(|s| trace.str(s.service).to_string())
                            .unwrap_or_default(),
                        origin_operation: origin
                            .map(|s| trace.str(s.operation).to_string())
                            .unwrap_or_default(),
                    }
                })
                .collect(),
            log_count: 0,
            spans_with_logs: Vec::new(),
            genai: None,
        }
    }
}

impl Report {
    /// Builds the report for `traces`.
    pub(crate) fn of(traces: &[Arc<Trace>]) -> Self {
        let (per_trace, genai) = genai_parts(traces);
        Report {
            traces: traces
                .iter()
                .zip(per_trace)
                .map(|(t, genai)| TraceReport {
                    genai,
                    ..TraceReport::of(t)
                })
                .collect(),
            services: service_stats(traces)
                .into_iter()
                .map(|s| ServiceRow {
                    service: s.service,
                    span_count: s.span_count,
                    error_count: s.error_count,
                    error_rate: s.error_rate,
                    avg_duration_us: usf(s.avg_duration_ns),
                    total_duration_us: us(s.total_duration_ns),
                    operations: s.operations,
                })
                .collect(),
            operations: operation_stats(traces)
                .into_iter()
                .map(|o| OperationRow {
                    service: o.service,
                    operation: o.operation,
                    count: o.count,
                    min_us: us(o.min_ns),
                    max_us: us(o.max_ns),
                    mean_us: usf(o.mean_ns),
                    median_us: usf(o.median_ns),
                    p95_us: usf(o.p95_ns),
                    p99_us: usf(o.p99_ns),
                    stddev_us: usf(o.stddev_ns),
                    error_count: o.error_count,
                    error_rate: o.error_rate,
                })
                .collect(),
            dependencies: dependencies(traces)
                .into_iter()
                .map(|d| DependencyRow {
                    parent: d.parent,
                    child: d.child,
                    call_count: d.call_count,
                    error_count: d.error_count,
                    p50_us: usf(d.p50_ns),
                    p95_us: usf(d.p95_ns),
                })
                .collect(),
            logs: LogsRow::default(),
            genai,
        }
    }

    /// Adds the log files' figures: totals over every loaded trace (`loaded`), and each
    /// reported trace's records.
    pub(crate) fn with_logs(mut self, logs: &LogStore, loaded: &[Arc<Trace>]) -> Self {
        let (totals, per_trace) = join_logs(logs, loaded);
        self.logs = LogsRow {
            files: totals.files,
            records: totals.records,
            matched: totals.matched,
            unmatched: totals.unmatched,
        };
        let by_id: std::collections::HashMap<&str, &TraceLogs> = loaded
            .iter()
            .map(|t| t.trace_id.as_str())
            .zip(&per_trace)
            .collect();
        for trace in &mut self.traces {
            if let Some(logs) = by_id.get(trace.trace_id.as_str()) {
                trace.log_count = logs.count;
                trace.spans_with_logs = logs
                    .by_span
                    .iter()
                    .map(|(span_id, count)| SpanLogsRow {
                        span_id: span_id.clone(),
                        count: *count,
                    })
                    .collect();
            }
        }
        self
    }
}
