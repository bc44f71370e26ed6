//! [`IndexedLogs`]: one trace's log records as the trace page uses them — by time, per span,
//! filtered by level and text — without a copy of any record. A million records on one span
//! made the page copy a million messages each time the trace opened, a span was selected or a
//! key was typed; here an entry is 24 bytes pointing into its file, a line is written out only
//! when shown ([`IndexedLogs::line`]), and the index is built in steps
//! ([`IndexedLogsBuilder::step`]) so that the page can yield between them.
use std::ops::Range;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::store::LogLine;
use super::{LogFile, LogStore};
use crate::core::analysis::quality::secrets::mask_secrets_in;
use crate::core::model::{trace_key, SpanIdx, Sym, Trace};
use crate::core::view_model::contains_ignore_case;

/// One record of the trace: where it is, its span and its time after the trace's start.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Entry {
    file: u32,
    record: u32,
    span: Option<SpanIdx>,
    offset_ns: Option<i64>,
}

/// A trace's log records, indexed (see the module doc).
#[derive(Debug, Clone, Default)]
pub struct IndexedLogs {
    files: Vec<Arc<LogFile>>,
    /// By time (records without a time last, in file order).
    entries: Vec<Entry>,
    /// Positions in `entries`, grouped by span (in time order within a span).
    by_span: Vec<u32>,
    /// Span → its range in `by_span`.
    span_ranges: FxHashMap<u32, Range<u32>>,
    /// The distinct levels, lower-cased, sorted.
    levels: Vec<String>,
    /// Lines are written with their secrets masked (the mask switch).
    masking: bool,
}

/// Builds [`IndexedLogs`] in steps (see [`IndexedLogs::builder`]).
#[derive(Debug)]
pub struct IndexedLogsBuilder {
    trace: Arc<Trace>,
    files: Vec<Arc<LogFile>>,
    /// Per file: the positions of the trace's records in it.
    positions: Vec<Vec<u32>>,
    /// The next (file, position) to read.
    cursor: (usize, usize),
    span_of_id: FxHashMap<Sym, SpanIdx>,
    entries: Vec<Entry>,
    levels: Vec<String>,
    masking: bool,
}

impl IndexedLogsBuilder {
    /// Reads up to `budget` more records; true when every record has been read (then call
    /// [`IndexedLogsBuilder::finish`]).
    pub fn step(&mut self, budget: usize) -> bool {
        let start = self.entries.len();
        let done = self.read(budget);
        // Each step's records sorted by time now: `finish` then merges sorted runs.
        if let Some(added) = self.entries.get_mut(start..) {
            added.sort_by_key(|e| (e.offset_ns.is_none(), e.offset_ns));
        }
        done
    }

    /// Reads up to `budget` more records (see [`IndexedLogsBuilder::step`]).
    fn read(&mut self, budget: usize) -> bool {
        let mut left = budget;
        while left > 0 {
            let (f, p) = self.cursor;
            let (Some(file), Some(positions)) = (self.files.get(f), self.positions.get(f)) else {
                return true;
            };
            let Some(&r) = positions.get(p) else {
                self.cursor = (f + 1, 0);
                continue;
            };
            self.cursor.1 += 1;
            left -= 1;
            let Some(record) = file.records.get(r as usize) else {
                continue;
            };
            let span = record
                .span_id
                .as_deref()
                .and_then(|id| self.trace.strings.get(id))
                .and_then(|sym| self.span_of_id.get(&sym).copied());
            if let Some(level) = record.level.as_deref().filter(|l| !l.is_empty()) {
                if !self.levels.iter().any(|l| l.eq_ignore_ascii_case(level)) {
                    self.levels.push(level.to_ascii_lowercase());
                }
            }
            self.entries.push(Entry {
                file: f as u32,
                record: r,
                span,
                offset_ns: record
                    .time_ns
                    .map(|t| t.saturating_sub(self.trace.start_ns)),
            });
        }
        self.files.get(self.cursor.0).is_none()
    }

    /// The index, sorted by time and grouped by span.
    pub fn finish(mut self) -> IndexedLogs {
        self.step(usize::MAX);
        let mut entries = self.entries;
        // Stable and adaptive: records already in time order (the usual log file) cost one pass.
        entries.sort_by_key(|e| (e.offset_ns.is_none(), e.offset_ns));
        // Grouped by span with a counting sort: one pass to count, one to place.
        let mut counts: FxHashMap<u32, u32> = FxHashMap::default();
        for entry in &entries {
            if let Some(span) = entry.span {
                *counts.entry(span.0).or_default() += 1;
            }
        }
        let mut spans: Vec<u32> = counts.keys().copied().collect();
        spans.sort_unstable();
        let mut span_ranges = FxHashMap::default();
        let mut next: FxHashMap<u32, u32> = FxHashMap::default();
        let mut at = 0u32;
        for span in spans {
            let n = counts.get(&span).copied().unwrap_or(0);
            span_ranges.insert(span, at..at + n);
            next.insert(span, at);
            at += n;
        }
        let mut by_span = vec![0u32; at as usize];
        for (i, entry) in entries.iter().enumerate() {
            if let Some(slot) = entry.span.and_then(|s| next.get_mut(&s.0)) {
                if let Some(place) = by_span.get_mut(*slot as usize) {
                    *place = i as u32;
                }
                *slot += 1;
            }
        }
        let mut levels = self.levels;
        levels.sort();
        IndexedLogs {
            files: self.files,
            entries,
            by_span,
            span_ranges,
            levels,
            masking: self.masking,
        }
    }
}

impl IndexedLogs {
    /// A builder over the records of `store` that name `trace` (lines masked when `masking`).
    pub fn builder(store: &LogStore, trace: Arc<Trace>, masking: bool) -> IndexedLogsBuilder {
        let key = trace_key(&trace.trace_id);
        let (files, positions) = store.positions_of(&key);
        let span_of_id = trace
            .spans
            .iter()
            .enumerate()
            .map(|(i, s)| (s.span_id, SpanIdx(i as u32)))
            .collect();
        IndexedLogsBuilder {
            trace,
            files,
            positions,
            cursor: (0, 0),
            span_of_id,
            entries: Vec::new(),
            levels: Vec::new(),
            masking,
        }
    }

    /// The index at once (tests; the page builds it in steps).
    pub fn of(store: &LogStore, trace: Arc<Trace>, masking: bool) -> Self {
        Self::builder(store, trace, masking).finish()
    }

    /// Records of the trace.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the trace has none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The distinct levels, lower-cased, sorted.
    pub fn levels(&self) -> &[String] {
        &self.levels
    }

    /// The raw record of entry `i`, with its file.
    fn record(&self, i: usize) -> Option<(&LogFile, &super::LogRecord)> {
        let entry = self.entries.get(i)?;
        let file = self.files.get(entry.file as usize)?;
        Some((file, file.records.get(entry.record as usize)?))
    }

    /// Line `i` (by time), written out for display: masked when the index masks.
    pub fn line(&self, i: usize) -> Option<LogLine> {
        let entry = self.entries.get(i)?;
        let (file, record) = self.record(i)?;
        let shown = |text: &str| {
            if self.masking {
                mask_secrets_in(text).into_owned()
            } else {
                text.to_string()
            }
        };
        Some(LogLine {
            span: entry.span,
            offset_ns: entry.offset_ns,
            level: shown(record.level.as_deref().unwrap_or_default()),
            message: shown(&record.message),
            source: format!("{}:{}", file.name, record.line),
        })
    }

    /// The span of line `i`.
    pub fn span_of(&self, i: usize) -> Option<SpanIdx> {
        self.entries.get(i)?.span
    }

    /// Positions (in time order) of the lines of `span`.
    fn span_positions(&self, span: SpanIdx) -> &[u32] {
        self.span_ranges
            .get(&span.0)
            .and_then(|r| self.by_span.get(r.start as usize..r.end as usize))
            .unwrap_or(&[])
    }

    /// How many lines `span` has.
    pub fn span_len(&self, span: SpanIdx) -> usize {
        self.span_positions(span).len()
    }

    /// The first `limit` lines of `span`, by time.
    pub fn span_lines(&self, span: SpanIdx, limit: usize) -> Vec<LogLine> {
        self.span_positions(span)
            .iter()
            .take(limit)
            .filter_map(|&i| self.line(i as usize))
            .collect()
    }

    /// The times (after the trace's start) of `span`'s lines, by time.
    pub fn span_offsets(&self, span: SpanIdx) -> impl Iterator<Item = i64> + '_ {
        self.span_positions(span)
            .iter()
            .filter_map(|&i| self.entries.get(i as usize)?.offset_ns)
    }

    /// Where `span`'s lines fall in the window `[start_ns, end_ns)` (times after the trace's
    /// start), as fractions of it: at most one tick per `1 / buckets` of the window and at most
    /// `max` ticks. Each tick is found by a binary search over the span's lines (sorted by
    /// time), so a million lines cost a few hundred steps, not a million.
    pub fn span_ticks(
        &self,
        span: SpanIdx,
        start_ns: i64,
        end_ns: i64,
        buckets: u32,
        max: usize,
    ) -> Vec<f64> {
        let positions = self.span_positions(span);
        let time = |p: &u32| {
            self.entries
                .get(*p as usize)
                .and_then(|e| e.offset_ns)
                .unwrap_or(i64::MAX)
        };
        let width = end_ns.saturating_sub(start_ns).max(1) as f64;
        let bucket_ns = (width / f64::from(buckets.max(1))).max(1.0);
        let mut ticks = Vec::new();
        let mut at = positions.partition_point(|p| time(p) < start_ns);
        while ticks.len() < max {
            let Some(t) = positions.get(at).map(time).filter(|&t| t < end_ns) else {
                break;
            };
            let frac = t.saturating_sub(start_ns) as f64 / width;
            ticks.push(frac);
            // The first line past this tick's bucket.
            let bucket_end =
                start_ns as f64 + ((frac * width / bucket_ns).floor() + 1.0) * bucket_ns;
            let next = bucket_end.min(i64::MAX as f64) as i64;
            at += positions
                .get(at..)
                .map_or(0, |rest| rest.partition_point(|p| time(p) < next))
                .max(1);
        }
        ticks
    }

    /// Whether line `i` has `level` (any case; empty: any) and contains `needle_lower` (as
    /// shown: with masking, a match in the raw text must survive the masking).
    pub fn matches(&self, i: usize, level: &str, needle_lower: &str) -> bool {
        let Some((_, record)) = self.record(i) else {
            return false;
        };
        if !level.is_empty()
            && !record
                .level
                .as_deref()
                .is_some_and(|l| l.eq_ignore_ascii_case(level))
        {
            return false;
        }
        if needle_lower.is_empty() {
            return true;
        }
        contains_ignore_case(&record.message, needle_lower)
            && (!self.masking
                || contains_ignore_case(&mask_secrets_in(&record.message), needle_lower))
    }

    /// The lines in `range` that [`IndexedLogs::matches`], appended to `out` (the page filters
    /// a million lines in slices of such ranges).
    pub fn filter_range(
        &self,
        range: Range<usize>,
        level: &str,
        needle_lower: &str,
        out: &mut Vec<u32>,
    ) {
        let end = range.end.min(self.entries.len());
        for i in range.start.min(end)..end {
            if self.matches(i, level, needle_lower) {
                out.push(i as u32);
            }
        }
    }

    /// Per span of a trace of `span_count` spans: whether one of its lines contains
    /// `needle_lower` (the trace's search finds spans by their logs).
    pub fn spans_containing(&self, span_count: usize, needle_lower: &str) -> Vec<bool> {
        let mut hit = vec![false; span_count];
        for i in 0..self.entries.len() {
            let Some(span) = self.span_of(i) else {
                continue;
            };
            if hit.get(span.get()).copied().unwrap_or(true) {
                continue;
            }
            if self.matches(i, "", needle_lower) {
                if let Some(flag) = hit.get_mut(span.get()) {
                    *flag = true;
                }
            }
        }
        hit
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::format::parse_file;
    use crate::core::logs::{parse_logs, sniff};

    fn trace() -> Arc<Trace> {
        let doc = r#"[{"traceId":"00000000000000000000000000000abc","id":"00000000000000a1","name":"root","timestamp":1600000000000000,"duration":1000,"localEndpoint":{"serviceName":"svc"}},
            {"traceId":"00000000000000000000000000000abc","id":"00000000000000a2","parentId":"00000000000000a1","name":"child","timestamp":1600000000000100,"duration":100,"localEndpoint":{"serviceName":"svc"}}]"#;
        Arc::new(
            parse_file("t.json", doc.as_bytes()).expect("parses").traces[0]
                .clone()
                .build(),
        )
    }

    fn store(lines: &[(&str, &str, &str, u64)]) -> LogStore {
        let text: String = lines
            .iter()
            .map(|(span, level, msg, us)| {
                format!(
                    "{{\"time\":{},\"level\":\"{level}\",\"msg\":\"{msg}\",\"trace_id\":\"00000000000000000000000000000abc\",\"span_id\":\"{span}\"}}\n",
                    1_600_000_000.0 + *us as f64 / 1e6
                )
            })
            .collect();
        let kind = sniff(text.as_bytes()).expect("log lines");
        LogStore::new().with(parse_logs("app.jsonl", text.as_bytes(), kind).expect("reads"))
    }

    #[test]
    fn lines_by_time_per_span_and_filtered_without_copies() {
        let store = store(&[
            ("00000000000000a2", "INFO", "second", 300),
            ("00000000000000a1", "info", "first", 50),
            (
                "00000000000000a2",
                "ERROR",
                "boom AKIAIOSFODNN7EXAMPLE",
                400,
            ),
            ("ffffffffffffffff", "debug", "elsewhere", 500),
        ]);
        let logs = IndexedLogs::of(&store, trace(), false);
        assert_eq!(logs.len(), 4);
        let messages: Vec<String> = (0..4)
            .filter_map(|i| logs.line(i))
            .map(|l| l.message)
            .collect();
        assert_eq!(messages[..2], ["first", "second"]);
        assert_eq!(logs.levels(), ["debug", "error", "info"]);
        assert_eq!(logs.span_len(SpanIdx(1)), 2);
        assert_eq!(logs.span_lines(SpanIdx(1), 1)[0].message, "second");
        assert_eq!(logs.span_offsets(SpanIdx(1)).count(), 2);
        let mut found = Vec::new();
        logs.filter_range(0..4, "", "BOOM", &mut found);
        assert!(found.is_empty(), "the needle is lower-cased by the caller");
        logs.filter_range(0..4, "", "boom", &mut found);
        assert_eq!(found.len(), 1);
        found.clear();
        logs.filter_range(0..4, "info", "", &mut found);
        assert_eq!(found.len(), 2);
        assert_eq!(logs.spans_containing(2, "second"), [false, true]);
        // Masked: the secret is neither shown nor found.
        let masked = IndexedLogs::of(&store, trace(), true);
        let shown: Vec<String> = (0..4)
            .filter_map(|i| masked.line(i))
            .map(|l| l.message)
            .collect();
        assert!(
            !shown.iter().any(|m| m.contains("AKIAIOSFODNN7EXAMPLE")),
            "{shown:?}"
        );
        assert_eq!(masked.spans_containing(2, "iosfodnn7"), [false, false]);
        assert_eq!(masked.spans_containing(2, "boom"), [false, true]);
    }

    #[test]
    fn built_in_steps_like_at_once() {
        let lines: Vec<(&str, &str, &str, u64)> = (0..1000)
            .map(|i| {
                (
                    if i % 2 == 0 {
                        "00000000000000a1"
                    } else {
                        "00000000000000a2"
                    },
                    "info",
                    "x",
                    (1000 - i) as u64,
                )
            })
            .collect();
        let store = store(&lines);
        let mut builder = IndexedLogs::builder(&store, trace(), false);
        let mut steps = 0;
        while !builder.step(64) {
            steps += 1;
        }
        assert!(steps >= 15);
        let stepped = builder.finish();
        let whole = IndexedLogs::of(&store, trace(), false);
        assert_eq!(stepped.entries, whole.entries);
        assert_eq!(stepped.span_len(SpanIdx(0)), 500);
        let offsets: Vec<i64> = stepped.span_offsets(SpanIdx(0)).collect();
        assert!(offsets.windows(2).all(|w| w[0] <= w[1]));
        // Ticks: one per bucket at most, inside the window, in order.
        let first = offsets[0];
        let last = offsets[offsets.len() - 1];
        let all = stepped.span_ticks(SpanIdx(0), first, last + 1, 1_000_000, 10_000);
        assert_eq!(all.len(), 500);
        let few = stepped.span_ticks(SpanIdx(0), first, last + 1, 10, 10_000);
        assert!(few.len() <= 10 && !few.is_empty(), "{few:?}");
        assert!(few.windows(2).all(|w| w[0] < w[1]) && few.iter().all(|f| (0.0..1.0).contains(f)));
        assert_eq!(
            stepped
                .span_ticks(SpanIdx(0), first, last + 1, 1_000_000, 7)
                .len(),
            7
        );
    }
}
