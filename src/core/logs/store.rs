//! The page's log records: every log file read, and an index from trace key to its records,
//! so that opening a trace finds its lines without scanning all records. Records of traces not
//! loaded stay in the store and join as soon as their trace is.
use std::collections::HashMap;
use std::sync::Arc;

use super::{fields, LogFile, LogKind};
use crate::core::model::{trace_key, SpanIdx, Trace};

/// Every log file loaded, indexed by the traces their records name.
#[derive(Debug, Default)]
pub struct LogStore {
    files: Vec<Arc<LogFile>>,
    /// Trace key → (file, record) positions, in load order.
    by_trace: HashMap<String, Vec<(u32, u32)>>,
    records: usize,
}

/// One record as the trace page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    /// The span it belongs to, when that span is in the trace.
    pub span: Option<SpanIdx>,
    /// Its time after the trace's start (ns), when it has a time.
    pub offset_ns: Option<i64>,
    /// Level as written (`info`, `ERROR`).
    pub level: String,
    /// The message.
    pub message: String,
    /// Which file, and where in it.
    pub source: String,
}

impl LogStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// A store with `file` added (stores are immutable once shared; adding makes a new one
    /// that shares the files).
    pub fn with(&self, file: LogFile) -> Self {
        let mut files = self.files.clone();
        files.push(Arc::new(file));
        Self::of(files)
    }

    /// The store of `files`.
    pub fn of(files: Vec<Arc<LogFile>>) -> Self {
        let mut by_trace: HashMap<String, Vec<(u32, u32)>> = HashMap::new();
        let mut records = 0;
        for (f, file) in files.iter().enumerate() {
            for (r, record) in file.records.iter().enumerate() {
                records += 1;
                let at = (f as u32, r as u32);
                match (&record.trace_id, file.kind) {
                    (Some(id), _) => by_trace.entry(trace_key(id)).or_default().push(at),
                    (None, LogKind::Text) => {
                        for token in fields::id_tokens(&record.message) {
                            by_trace
                                .entry(trace_key(&token.to_ascii_lowercase()))
                                .or_default()
                                .push(at);
                        }
                    }
                    (None, _) => {}
                }
            }
        }
        Self {
            files,
            by_trace,
            records,
        }
    }

    /// The log files, in load order.
    pub fn files(&self) -> &[Arc<LogFile>] {
        &self.files
    }

    /// Records in all files.
    pub fn record_count(&self) -> usize {
        self.records
    }

    /// Records whose trace is not among `traces` (or that name none).
    pub fn unmatched(&self, traces: &[Arc<Trace>]) -> usize {
        let mut matched = vec![Vec::<bool>::new(); self.files.len()];
        for (flags, file) in matched.iter_mut().zip(&self.files) {
            *flags = vec![false; file.records.len()];
        }
        for trace in traces {
            for &(f, r) in self
                .by_trace
                .get(&trace_key(&trace.trace_id))
                .into_iter()
                .flatten()
            {
                if let Some(flag) = matched
                    .get_mut(f as usize)
                    .and_then(|v| v.get_mut(r as usize))
                {
                    *flag = true;
                }
            }
        }
        matched.iter().flatten().filter(|m| !**m).count()
    }

    /// The records of `trace`, by time (those without a time last), each with its span when
    /// the span is in the trace.
    pub fn lines_of(&self, trace: &Trace) -> Vec<LogLine> {
        let Some(positions) = self.by_trace.get(&trace_key(&trace.trace_id)) else {
            return Vec::new();
        };
        let spans: HashMap<&str, SpanIdx> = trace
            .spans
            .iter()
            .enumerate()
            .map(|(i, s)| (trace.str(s.span_id), SpanIdx(i as u32)))
            .collect();
        let mut lines: Vec<LogLine> = positions
            .iter()
            .filter_map(|&(f, r)| {
                let file = self.files.get(f as usize)?;
                let record = file.records.get(r as usize)?;
                Some(LogLine {
                    span: record
                        .span_id
                        .as_deref()
                        .and_then(|id| spans.get(id).copied()),
                    offset_ns: record.time_ns.map(|t| t.saturating_sub(trace.start_ns)),
                    level: record.level.clone().unwrap_or_default(),
                    message: record.message.clone(),
                    source: format!("{}:{}", file.name, record.line),
                })
            })
            .collect();
        lines.sort_by_key(|l| (l.offset_ns.is_none(), l.offset_ns));
        lines
    }
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

    fn log_file(name: &str) -> LogFile {
        let bytes = read(name);
        parse_logs(name, &bytes, sniff(&bytes).expect("log file")).expect("reads")
    }

    #[test]
    fn lines_join_when_their_trace_arrives() {
        // Logs first: nothing to join yet.
        let store = LogStore::new().with(log_file("checkout-structlog.jsonl"));
        assert_eq!(store.unmatched(&[]), 13);
        let mut set = TraceSet::new();
        load_into(&mut set, "t.json", &read("checkout-traces.otlp.json")).expect("traces");
        assert_eq!(store.unmatched(set.traces()), 1);
        let store = store.with(log_file("checkout-logs.otlp.json"));
        assert_eq!(store.record_count(), 25);
        let trace = &set.traces()[0];
        let lines = store.lines_of(trace);
        assert_eq!(lines.len(), 8);
        assert!(lines.iter().all(|l| l.span.is_some()));
        assert!(lines.windows(2).all(|w| w[0].offset_ns <= w[1].offset_ns));
        assert!(lines
            .iter()
            .any(|l| l.message == "checkout started" && l.level == "info"));
        assert!(lines[0].source.contains(':'));
    }
}
