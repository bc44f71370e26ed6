//! The statistics tables of the services view and the trace page, as [`Table`]s: services,
//! operations, slowest operations, bottlenecks, critical-path contributors, and one trace's
//! Jaeger-style statistics.
use crate::core::analysis::{
    BottleneckSummary, CriticalContributor, GroupBy, OperationStats, ServiceStats, SlowOperation,
    StatsRow,
};
use crate::core::view_model::tables::table::{Cell, Column, Table, TableRow};

/// Services: spans, errors, error rate, average and total duration.
pub fn services_table(rows: &[ServiceStats]) -> Table {
    Table {
        columns: vec![
            Column::text("Service", "service"),
            Column::num("Spans", "spans"),
            Column::num("Errors", "errors"),
            Column::num("Error rate", "error_rate_percent"),
            Column::num("Avg duration", "avg_duration_ms"),
            Column::num("Total duration", "total_duration_ms"),
            Column::num("Operations", "operations"),
        ],
        rows: rows
            .iter()
            .map(|s| TableRow {
                cells: vec![
                    Cell::text(&s.service),
                    Cell::count(s.span_count),
                    Cell::count(s.error_count),
                    Cell::ratio(s.error_rate),
                    Cell::duration_ns(s.avg_duration_ns),
                    Cell::duration_ns(s.total_duration_ns as f64),
                    Cell::count(s.operations.len()),
                ],
                span: None,
                service: Some(s.service.clone()),
                trace: None,
            })
            .collect(),
    }
}

/// Operations: count, min, max, mean, median, p95, p99, standard deviation, error rate.
pub fn operations_table(rows: &[OperationStats]) -> Table {
    Table {
        columns: vec![
            Column::text("Service", "service"),
            Column::text("Operation", "operation"),
            Column::num("Count", "count"),
            Column::num("Min", "min_ms"),
            Column::num("Max", "max_ms"),
            Column::num("Mean", "mean_ms"),
            Column::num("Median", "median_ms"),
            Column::num("p95", "p95_ms"),
            Column::num("p99", "p99_ms"),
            Column::num("Std dev", "stddev_ms"),
            Column::num("Error rate", "error_rate_percent"),
        ],
        rows: rows
            .iter()
            .map(|o| TableRow {
                cells: vec![
                    Cell::text(&o.service),
                    Cell::text(&o.operation),
                    Cell::count(o.count),
                    Cell::duration_ns(o.min_ns as f64),
                    Cell::duration_ns(o.max_ns as f64),
                    Cell::duration_ns(o.mean_ns),
                    Cell::duration_ns(o.median_ns),
                    Cell::duration_ns(o.p95_ns),
                    Cell::duration_ns(o.p99_ns),
                    Cell::duration_ns(o.stddev_ns),
                    Cell::ratio(o.error_rate),
                ],
                span: None,
                service: Some(o.service.clone()),
                trace: None,
            })
            .collect(),
    }
}

/// Slowest operations, each with its slowest span (click opens it).
pub fn slowest_table(rows: &[SlowOperation]) -> Table {
    Table {
        columns: vec![
            Column::text("Service", "service"),
            Column::text("Operation", "operation"),
            Column::num("Count", "count"),
            Column::num("p95", "p95_ms"),
            Column::num("Slowest", "max_ms"),
            Column::text("Slowest in trace", "trace_id"),
        ],
        rows: rows
            .iter()
            .map(|o| TableRow {
                cells: vec![
                    Cell::text(&o.service),
                    Cell::text(&o.operation),
                    Cell::count(o.count),
                    Cell::duration_ns(o.p95_ns),
                    Cell::duration_ns(o.max_ns as f64),
                    Cell::text(&o.slowest.trace_id),
                ],
                span: Some(o.slowest.clone()),
                service: Some(o.service.clone()),
                trace: None,
            })
            .collect(),
    }
}

/// Operations that are bottlenecks of their traces, most self time first.
pub fn bottlenecks_table(rows: &[BottleneckSummary]) -> Table {
    Table {
        columns: vec![
            Column::text("Service", "service"),
            Column::text("Operation", "operation"),
            Column::num("Times", "occurrences"),
            Column::num("Traces", "traces"),
            Column::num("Self time", "total_self_ms"),
            Column::num("On critical path", "total_critical_ms"),
            Column::num("Worst self time", "worst_self_ms"),
        ],
        rows: rows
            .iter()
            .map(|b| TableRow {
                cells: vec![
                    Cell::text(&b.service),
                    Cell::text(&b.operation),
                    Cell::count(b.occurrences),
                    Cell::count(b.traces),
                    Cell::duration_ns(b.total_self_ns as f64),
                    Cell::duration_ns(b.total_critical_ns as f64),
                    Cell::duration_ns(b.worst_self_ns as f64),
                ],
                span: Some(b.worst.clone()),
                service: Some(b.service.clone()),
                trace: None,
            })
            .collect(),
    }
}

/// Operations by their time on critical paths.
pub fn critical_table(rows: &[CriticalContributor]) -> Table {
    Table {
        columns: vec![
            Column::text("Service", "service"),
            Column::text("Operation", "operation"),
            Column::num("On critical paths", "critical_ms"),
            Column::num("Share", "share_percent"),
            Column::num("Traces", "traces"),
        ],
        rows: rows
            .iter()
            .map(|c| TableRow {
                cells: vec![
                    Cell::text(&c.service),
                    Cell::text(&c.operation),
                    Cell::duration_ns(c.critical_ns as f64),
                    Cell::percent(c.percent),
                    Cell::count(c.traces),
                ],
                span: Some(c.top.clone()),
                service: Some(c.service.clone()),
                trace: None,
            })
            .collect(),
    }
}

/// One trace's statistics (Jaeger UI's "Trace Statistics"), grouped as `group_by` says.
pub fn trace_stats_table(rows: &[StatsRow], group_by: &GroupBy) -> Table {
    let mut columns = match group_by {
        GroupBy::Service => vec![Column::text("Service", "service")],
        GroupBy::Operation => vec![
            Column::text("Service", "service"),
            Column::text("Operation", "operation"),
        ],
        GroupBy::Attribute(_) => vec![Column::text("Value", "value")],
    };
    columns.extend([
        Column::num("Count", "count"),
        Column::num("Total", "total_ms"),
        Column::num("Avg", "avg_ms"),
        Column::num("Min", "min_ms"),
        Column::num("Max", "max_ms"),
        Column::num("Self total", "self_total_ms"),
        Column::num("Self avg", "self_avg_ms"),
        Column::num("Self min", "self_min_ms"),
        Column::num("Self max", "self_max_ms"),
        Column::num("Self % of trace", "self_percent"),
    ]);
    let rows = rows
        .iter()
        .map(|r| {
            let mut cells = match group_by {
                GroupBy::Service => vec![Cell::text(r.service.as_deref().unwrap_or(""))],
                GroupBy::Operation => vec![
                    Cell::text(r.service.as_deref().unwrap_or("")),
                    Cell::text(r.operation.as_deref().unwrap_or("")),
                ],
                GroupBy::Attribute(_) => {
                    vec![Cell::text(r.value.as_deref().unwrap_or("(without it)"))]
                }
            };
            cells.extend([
                Cell::count(r.count),
                Cell::duration_ns(r.total_ns as f64),
                Cell::duration_ns(r.avg_ns),
                Cell::duration_ns(r.min_ns as f64),
                Cell::duration_ns(r.max_ns as f64),
                Cell::duration_ns(r.self_total_ns as f64),
                Cell::duration_ns(r.self_avg_ns),
                Cell::duration_ns(r.self_min_ns as f64),
                Cell::duration_ns(r.self_max_ns as f64),
                Cell::percent(r.self_percent),
            ]);
            TableRow {
                cells,
                span: None,
                service: r.service.clone(),
                trace: None,
            }
        })
        .collect();
    Table { columns, rows }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::analysis::{operation_stats, self_times, service_stats, trace_statistics};
    use crate::core::model::TraceSet;

    fn hotrod() -> TraceSet {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/otlp/api-v3-getTrace-response.json");
        let bytes = std::fs::read(path).expect("fixture");
        let mut set = TraceSet::new();
        crate::core::load::load_into(&mut set, "hotrod", &bytes).expect("loads");
        set
    }

    #[test]
    fn every_row_has_a_cell_per_column() {
        let set = hotrod();
        let trace = set.traces().first().expect("trace");
        let self_ns = self_times(trace);
        let tables = [
            services_table(&service_stats(set.traces())),
            operations_table(&operation_stats(set.traces())),
            trace_stats_table(
                &trace_statistics(trace, &self_ns, &GroupBy::Operation),
                &GroupBy::Operation,
            ),
            trace_stats_table(
                &trace_statistics(trace, &self_ns, &GroupBy::Service),
                &GroupBy::Service,
            ),
        ];
        for table in &tables {
            assert!(!table.rows.is_empty());
            for row in &table.rows {
                assert_eq!(row.cells.len(), table.columns.len());
            }
        }
        let services = &tables[0];
        let redis = services
            .rows
            .iter()
            .find(|r| r.service.as_deref() == Some("redis-manual"))
            .expect("redis row");
        assert_eq!(redis.cells[1].text, "14");
        assert_eq!(redis.cells[2].text, "3");
        assert_eq!(redis.cells[3].text, "21.4%");
        let csv = services.to_csv(None);
        assert!(csv.starts_with("service,spans,errors,error_rate_percent,"));
        assert!(csv.contains("redis-manual,14,3,21.43,"));
    }
}
