//! Joining log records to the loaded traces: a record joins its trace by its trace ID (a text
//! line by the first trace-ID-like token naming a loaded trace), and its span when that span
//! is in the trace; a record whose span is not there still counts for its trace. Records of
//! traces not loaded are counted as unmatched (the page keeps them for a later file).
use std::collections::HashMap;
use std::sync::Arc;

use super::{fields, LogFile, LogKind, LogRecord};
use crate::core::model::{trace_key, Trace};

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

/// The trace a record names, by key (see [`trace_key`]), if that trace is loaded.
fn trace_of<'a>(
    record: &LogRecord,
    kind: LogKind,
    loaded: &'a HashMap<String, usize>,
) -> Option<&'a usize> {
    match (&record.trace_id, kind) {
        (Some(id), _) => loaded.get(&trace_key(id)),
        (None, LogKind::Text) => fields::id_tokens(&record.message)
            .into_iter()
            .find_map(|token| loaded.get(&trace_key(&token.to_ascii_lowercase()))),
        (None, _) => None,
    }
}

/// Joins the records of `files` to `traces`: totals, and per trace (by index in `traces`) its
/// records.
pub fn join_logs(files: &[LogFile], traces: &[Arc<Trace>]) -> (LogTotals, Vec<TraceLogs>) {
    let loaded: HashMap<String, usize> = traces
        .iter()
        .enumerate()
        .map(|(i, t)| (trace_key(&t.trace_id), i))
        .collect();
    let mut per_trace = vec![TraceLogs::default(); traces.len()];
    let mut span_counts: Vec<HashMap<&str, usize>> = vec![HashMap::new(); traces.len()];
    let mut totals = LogTotals {
        files: files.len(),
        ..LogTotals::default()
    };
    for file in files {
        for record in &file.records {
            totals.records += 1;
            let Some(&index) = trace_of(record, file.kind, &loaded) else {
                totals.unmatched += 1;
                continue;
            };
            totals.matched += 1;
            if let Some(logs) = per_trace.get_mut(index) {
                logs.count += 1;
            }
            if let (Some(span), Some(counts)) = (&record.span_id, span_counts.get_mut(index)) {
                *counts.entry(span.as_str()).or_insert(0) += 1;
            }
        }
    }
    for ((trace, logs), counts) in traces.iter().zip(&mut per_trace).zip(&span_counts) {
        if counts.is_empty() {
            continue;
        }
        logs.by_span = trace
            .spans
            .iter()
            .filter_map(|span| {
                let id = trace.str(span.span_id);
                counts.get(id).map(|&n| (id.to_string(), n))
            })
            .collect();
    }
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
        let files: Vec<LogFile> = [
            "checkout-structlog.jsonl",
            "checkout-logs.otlp.json",
            "checkout-structlog.logfmt",
        ]
        .iter()
        .map(|name| {
            let bytes = read(name);
            parse_logs(name, &bytes, sniff(&bytes).expect("a log file")).expect("reads")
        })
        .collect();
        let (totals, per_trace) = join_logs(&files, set.traces());
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
        let (totals, per_trace) = join_logs(&[file], set.traces());
        assert_eq!((totals.matched, totals.unmatched), (1, 1));
        assert_eq!(per_trace[0].count, 1);
        assert!(per_trace[0].by_span.is_empty());
    }
}
