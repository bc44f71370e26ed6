//! The comparison tables the page shows and exports as CSV: the scored traces, their
//! anomalies, and what changed per operation between a baseline and the traces now.
use crate::core::analysis::compare::{AnomalyKind, OperationChange, TraceScore};
use crate::core::analysis::SpanRef;
use crate::core::view_model::tables::table::{Cell, Column, Table, TableRow};

/// What a person reads for an anomaly kind.
pub fn anomaly_label(kind: AnomalyKind) -> &'static str {
    match kind {
        AnomalyKind::Slow => "slow",
        AnomalyKind::NewPath => "new call",
        AnomalyKind::MissingPath => "missing call",
        AnomalyKind::CallCount => "too many calls",
        AnomalyKind::NewError => "new error",
        AnomalyKind::Tokens => "too many tokens",
    }
}

/// The anomalous traces, most anomalous first: score, duration, extra time and the sentence.
pub fn scores_table(scores: &[TraceScore]) -> Table {
    Table {
        columns: vec![
            Column::text("Trace", "trace_id"),
            Column::text("Root", "root"),
            Column::num("Score", "score"),
            Column::num("Duration", "duration_ms"),
            Column::num("Extra time", "excess_ms"),
            Column::num("Anomalies", "anomalies"),
            Column::text("What is different", "explanation"),
        ],
        rows: scores
            .iter()
            .filter(|s| s.anomalous)
            .map(|s| TableRow {
                cells: vec![
                    Cell::text(&s.trace_id),
                    Cell::text(&s.root),
                    Cell::number(s.score, 2),
                    Cell::duration_ns(s.duration_ns as f64),
                    Cell::duration_ns(s.excess_ns as f64),
                    Cell::count(s.anomalies.len()),
                    Cell::text(&s.explanation),
                ],
                span: None,
                service: None,
                trace: Some(s.trace_id.clone()),
            })
            .collect(),
    }
}

/// Every anomaly of the anomalous traces, one row each; a row opens its span (or the trace).
pub fn anomalies_table(scores: &[TraceScore]) -> Table {
    Table {
        columns: vec![
            Column::text("Trace", "trace_id"),
            Column::text("Kind", "kind"),
            Column::text("Service", "service"),
            Column::text("Operation", "operation"),
            Column::num("Value", "value"),
            Column::num("Baseline", "baseline"),
            Column::text("What", "message"),
        ],
        rows: scores
            .iter()
            .filter(|s| s.anomalous)
            .flat_map(|s| {
                s.anomalies.iter().map(move |a| TableRow {
                    cells: vec![
                        Cell::text(&s.trace_id),
                        Cell::text(anomaly_label(a.kind)),
                        Cell::text(&a.service),
                        Cell::text(&a.operation),
                        Cell::number(a.value, 2),
                        Cell::number(a.baseline, 2),
                        Cell::text(&a.message),
                    ],
                    span: a.span_id.as_ref().map(|span_id| SpanRef {
                        trace_id: s.trace_id.clone(),
                        span_id: span_id.clone(),
                    }),
                    service: Some(a.service.clone()),
                    trace: Some(s.trace_id.clone()),
                })
            })
            .collect(),
    }
}

/// What changed per operation, largest impact first (the order `what_changed` gives).
pub fn changes_table(changes: &[OperationChange]) -> Table {
    Table {
        columns: vec![
            Column::text("Service", "service"),
            Column::text("Operation", "operation"),
            Column::num("Impact", "impact_us"),
            Column::num("Spans before", "count_baseline"),
            Column::num("Spans now", "count_current"),
            Column::num("p50 before", "p50_ms_baseline"),
            Column::num("p50 now", "p50_ms_current"),
            Column::num("p95 before", "p95_ms_baseline"),
            Column::num("p95 now", "p95_ms_current"),
            Column::num("p99 before", "p99_ms_baseline"),
            Column::num("p99 now", "p99_ms_current"),
            Column::num("Errors before", "error_percent_baseline"),
            Column::num("Errors now", "error_percent_current"),
            Column::num("p-value", "p_value"),
        ],
        rows: changes
            .iter()
            .map(|c| TableRow {
                cells: vec![
                    Cell::text(&c.service),
                    Cell::text(&c.operation),
                    Cell::number(c.impact, 0),
                    Cell::count(c.count_baseline),
                    Cell::count(c.count_current),
                    Cell::duration_ns(c.p50_baseline),
                    Cell::duration_ns(c.p50_current),
                    Cell::duration_ns(c.p95_baseline),
                    Cell::duration_ns(c.p95_current),
                    Cell::duration_ns(c.p99_baseline),
                    Cell::duration_ns(c.p99_current),
                    Cell::ratio(c.error_rate_baseline),
                    Cell::ratio(c.error_rate_current),
                    Cell::number(c.p_value, 4),
                ],
                span: None,
                service: Some(c.service.clone()),
                trace: None,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::analysis::analyze_trace;
    use crate::core::analysis::compare::{build_baseline, score_all, what_changed, ScoreConfig};
    use crate::core::generate::{shop_traces, Fault};
    use std::sync::Arc;

    fn analysed(
        traces: Vec<crate::core::model::Trace>,
    ) -> Vec<(
        Arc<crate::core::model::Trace>,
        Arc<crate::core::analysis::TraceAnalysis>,
    )> {
        traces
            .into_iter()
            .map(|t| {
                let a = Arc::new(analyze_trace(&t));
                (Arc::new(t), a)
            })
            .collect()
    }

    #[test]
    fn tables_list_the_anomalous_traces_their_anomalies_and_the_changes() {
        let normal = analysed(shop_traces(200, 1, None));
        let slow = analysed(shop_traces(10, 2, Some(Fault::SlowPayment)));
        let baseline = build_baseline("normal", &normal);
        let scores = score_all(&baseline, &slow, &ScoreConfig::default());
        let table = scores_table(&scores);
        assert!(!table.rows.is_empty());
        assert_eq!(
            table.rows.len(),
            scores.iter().filter(|s| s.anomalous).count()
        );
        let anomalies = anomalies_table(&scores);
        assert!(anomalies
            .rows
            .iter()
            .any(|r| r.cells[1].text == "slow" && r.span.is_some()));
        assert!(anomalies.rows.iter().all(|r| r.trace.is_some()));
        let current = build_baseline("now", &slow);
        let changes = changes_table(&what_changed(&baseline, &current));
        assert_eq!(changes.rows[0].cells[0].text, "payment");
    }
}
