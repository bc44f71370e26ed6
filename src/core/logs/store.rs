//! The page's log records: every log file read, and an index from trace key to its records,
//! so that opening a trace finds its lines without scanning all records. Records of traces not
//! loaded stay in the store and join as soon as their trace is.
use std::collections::HashMap;
use std::sync::Arc;

use super::{fields, LogFile, LogKind, LogRecord};
use crate::core::model::{trace_key, SpanIdx, Trace};

/// One log file's index: trace key → positions of its records. Built once per file, in
/// ranges, so that the page can index a million records in short steps.
#[derive(Debug, Default, Clone)]
pub struct FileIndex {
    by_trace: HashMap<String, Vec<u32>>,
}

impl FileIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// Indexes the records `range` of `file` (call with consecutive ranges).
    pub fn add_range(&mut self, file: &LogFile, range: std::ops::Range<usize>) {
        let end = range.end.min(file.records.len());
        for r in range.start.min(end)..end {
            let Some(record) = file.records.get(r) else {
                break;
            };
            let at = r as u32;
            match (&record.trace_id, file.kind) {
                (Some(id), _) => self.by_trace.entry(trace_key(id)).or_default().push(at),
                (None, LogKind::Text) => {
                    for token in fields::id_tokens(&record.message) {
                        let positions = self
                            .by_trace
                            .entry(trace_key(&token.to_ascii_lowercase()))
                            .or_default();
                        // A line naming one trace twice counts once.
                        if positions.last() != Some(&at) {
                            positions.push(at);
                        }
                    }
                }
                (None, _) => {}
            }
        }
    }

    /// The whole of `file` indexed.
    pub fn of(file: &LogFile) -> Self {
        let mut index = Self::new();
        index.add_range(file, 0..file.records.len());
        index
    }
}

/// Every log file loaded, each with its index by the traces its records name.
#[derive(Debug, Default, Clone)]
pub struct LogStore {
    files: Vec<(Arc<LogFile>, Arc<FileIndex>)>,
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

    /// A store with `file` added, indexing it whole (the page indexes in steps and calls
    /// [`LogStore::with_indexed`]).
    pub fn with(&self, file: LogFile) -> Self {
        let index = FileIndex::of(&file);
        self.with_indexed(Arc::new(file), index)
    }

    /// A store with `file` and its `index` added; the other files are shared, not copied.
    pub fn with_indexed(&self, file: Arc<LogFile>, index: FileIndex) -> Self {
        let mut store = self.clone();
        store.records += file.records.len();
        store.files.push((file, Arc::new(index)));
        store
    }

    /// The log files, in load order.
    pub fn files(&self) -> impl Iterator<Item = &Arc<LogFile>> {
        self.files.iter().map(|(file, _)| file)
    }

    /// Records in all files.
    pub fn record_count(&self) -> usize {
        self.records
    }

    /// Records whose trace is not among `traces` (or that name none).
    pub fn unmatched(&self, traces: &[Arc<Trace>]) -> usize {
        let keys: Vec<String> = traces.iter().map(|t| trace_key(&t.trace_id)).collect();
        let mut unmatched = 0;
        for (file, index) in &self.files {
            let matched = if file.kind == LogKind::Text {
                // A text line may name several loaded traces: count it once.
                let mut seen = vec![false; file.records.len()];
                for key in &keys {
                    for &r in index.by_trace.get(key).into_iter().flatten() {
                        if let Some(flag) = seen.get_mut(r as usize) {
                            *flag = true;
                        }
                    }
                }
                seen.iter().filter(|s| **s).count()
            } else {
                keys.iter()
                    .filter_map(|key| index.by_trace.get(key))
                    .map(Vec::len)
                    .sum()
            };
            unmatched += file.records.len().saturating_sub(matched);
        }
        unmatched
    }

    /// The files that hold records of the trace with key `key`, each with those records'
    /// positions (copies of the index's short lists: four bytes a record).
    pub fn positions_of(&self, key: &str) -> (Vec<Arc<LogFile>>, Vec<Vec<u32>>) {
        self.files
            .iter()
            .filter_map(|(file, index)| {
                let positions = index.by_trace.get(key)?;
                Some((Arc::clone(file), positions.clone()))
            })
            .unzip()
    }

    /// The records that name `trace`, with their files, in load order.
    pub fn records_of<'a>(
        &'a self,
        trace: &Trace,
    ) -> impl Iterator<Item = (&'a LogFile, &'a LogRecord)> + 'a {
        let key = trace_key(&trace.trace_id);
        self.files.iter().flat_map(move |(file, index)| {
            index
                .by_trace
                .get(&key)
                .into_iter()
                .flatten()
                .filter_map(move |&r| Some((file.as_ref(), file.records.get(r as usize)?)))
        })
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
        let trace = std::sync::Arc::clone(&set.traces()[0]);
        let logs = super::super::IndexedLogs::of(&store, trace, false);
        let lines: Vec<LogLine> = (0..logs.len()).filter_map(|i| logs.line(i)).collect();
        assert_eq!(lines.len(), 8);
        assert!(lines.iter().all(|l| l.span.is_some()));
        assert!(lines.windows(2).all(|w| w[0].offset_ns <= w[1].offset_ns));
        assert!(lines
            .iter()
            .any(|l| l.message == "checkout started" && l.level == "info"));
        assert!(lines[0].source.contains(':'));
    }
}
