//! Joining log records to the loaded traces for the command line, through the same
//! [`LogStore`] index the page uses: a record joins its trace by its trace ID (a text line by
//! the trace IDs it contains), and its span when that span is in the trace; a record whose span is not there still counts for its trace. Records of
//! traces not loaded are counted as unmatched (the page keeps them for a later file).
use std::collections::HashMap;
use std::sync::Arc;

use super::LogStore;
use crate::core::model::Trace;

/// How many records joined, over all log files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LogTotals {
    /// Log files read.
    pub files: usize,
    /// Records read.
    pub records: usize,
    /// Records whose trace is loaded.
    pub matched: usize,
    /// Records naming no loaded trace (or no trace at all).
    pub unmatched: usize,
}

/// The records of one trace.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TraceLogs {
    /// Records of the trace (with or without a span of it).
    pub count: usize,
    /// Per span of the trace with records: its ID and how many, in the trace's span order.
    pub by_span: Vec<(String, usize)>,
}

/// Joins the records in `store` to `traces` (as the page does, through the store's index):
/// totals, and per trace (by index in `traces`) its records.
pub fn join_logs(store: &LogStore, traces: &[Arc<Trace>]) -> (LogTotals, Vec<TraceLogs>) {
    let unmatched = store.unmatched(traces);
    let totals = LogTotals {
        files: store.files().count(),
        records: store.record_count(),
        matched: store.record_count().saturating_sub(unmatched),
        unmatched,
    };
    let per_trace = traces
        .iter()
        .map(|trace| {
            let mut logs = TraceLogs::default();
            let mut by_span: HashMap<&str, usize> = HashMap::new();
            for (_, record) in store.records_of(trace) {
                logs.count += 1;
                if let Some(span) = &record.span_id {
                    *by_span.entry(span.as_str()).or_insert(0) += 1;
                }
            }
            if !by_span.is_empty() {
                logs.by_span = trace
                    .spans
                    .iter()
                    .filter_map(|span| {
                        let id = trace.str(span.span_id);
                        by_span.get(id).map(|&n| (id.to_string(), n))
                    })
                    .collect();
            }
            logs
        })
        .collect();
    (totals, per_trace)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::load::load_into;
    use crate::core::logs::{parse_logs, sniff};
    use crate::core::model::TraceSet;

    fn read(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/tests/fixtures/logs/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect(name)
    }

    #[test]
    fn records_join_their_spans_and_traces() {
        let mut set = TraceSet::new();
        load_into(&mut set, "t.json", &read("checkout-traces.otlp.json")).expect("traces");
        assert_eq!(set.len(), 3);
        let store = [
            "checkout-structlog.jsonl",
            "checkout-logs.otlp.json",
            "checkout-structlog.logfmt",
        ]
        .iter()
        .fold(LogStore::new(), |store, name| {
            let bytes = read(name);
            store.with(parse_logs(name, &bytes, sniff(&bytes).expect("a log file")).expect("reads"))
        });
        let (totals, per_trace) = join_logs(&store, set.traces());
        assert_eq!(totals.files, 3);
        assert_eq!(totals.records, 13 + 12 + 13);
        // The idle worker line names no trace, in both structlog files.
        assert_eq!(totals.unmatched, 2);
        assert_eq!(totals.matched, totals.records - 2);
        for logs in &per_trace {
            // Four structlog lines per request, twice, and four OTel records.
            assert_eq!(logs.count, 12);
            // Logged in the root, reserve stock and charge card spans.
            assert_eq!(logs.by_span.len(), 3);
            assert_eq!(logs.by_span.iter().map(|(_, n)| n).sum::<usize>(), 12);
        }
        // Plain text lines join by the trace IDs they contain.
        let id = &set.traces()[0].trace_id;
        let text = format!("2026-01-02 03:04:05,100 ERROR request {id} failed\nunrelated 0123456789abcdef0123456789abcdef\n");
        let kind = sniff(text.as_bytes()).expect("text log");
        let file = parse_logs("app.log", text.as_bytes(), kind).expect("reads");
        let (totals, per_trace) = join_logs(&LogStore::new().with(file), set.traces());
        assert_eq!((totals.matched, totals.unmatched), (1, 1));
        assert_eq!(per_trace[0].count, 1);
        assert!(per_trace[0].by_span.is_empty());
    }
}
