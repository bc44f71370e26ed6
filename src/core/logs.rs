//! Log records beside their spans. Applications log with the trace and span ID in each line
//! (structlog's trace-context processor, OTel log bridges, the Collector's file exporter);
//! this module reads such files and joins their records to the loaded traces.
//!
//! Shapes read (detected by content by [`sniff`], never by file name):
//! - JSON lines with the common spellings of each field ([`fields`]);
//! - OTLP logs JSON, `{"resourceLogs":[{"scopeLogs":[{"logRecords":[…]}]}]}`, hex or base64 IDs,
//!   also one document per line ([`otlp`]);
//! - logfmt lines with `trace_id=` ([`logfmt`]);
//! - plain text lines that contain a trace ID (joined when that trace is loaded).
//!
//! Invariant: a trace file is never taken for a log file nor the reverse: JSON arrays and
//! documents with any trace-format key are traces; a JSON line is a log only when it has a
//! message field; text is a log only when it holds trace-ID-like tokens.
pub mod fields;
pub mod indexed;
pub mod join;
pub mod logfmt;
pub mod otlp;
pub mod store;

pub use indexed::{IndexedLogs, IndexedLogsBuilder};
pub use join::{join_logs, LogTotals, TraceLogs};
pub use store::{FileIndex, LogLine, LogStore};

/// One log record.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct LogRecord {
    /// When it was written, ns since the epoch (`None` when the line gives no readable time).
    pub time_ns: Option<i64>,
    /// `info`, `ERROR`, … as written.
    pub level: Option<String>,
    /// The message (for plain text: the whole line).
    pub message: String,
    /// The trace it names, normalised as span IDs are (lower-case hex).
    pub trace_id: Option<String>,
    /// The span it names, normalised.
    pub span_id: Option<String>,
    /// 1-based line in its file (for JSON documents: the record's position).
    pub line: usize,
}

/// What kind of log file a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LogKind {
    /// One JSON object per line.
    JsonLines,
    /// OTLP logs JSON (a document, or one per line).
    Otlp,
    /// `key=value` lines.
    Logfmt,
    /// Plain text lines; joined by the trace IDs they contain.
    Text,
}

impl LogKind {
    /// How the load log names it.
    pub fn label(self) -> &'static str {
        match self {
            LogKind::JsonLines => "JSON log lines",
            LogKind::Otlp => "OTLP logs JSON",
            LogKind::Logfmt => "logfmt lines",
            LogKind::Text => "text log lines",
        }
    }
}

/// A log file read.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LogFile {
    /// The file's name.
    pub name: String,
    /// Its shape.
    pub kind: LogKind,
    /// Its records, in file order.
    pub records: Vec<LogRecord>,
    /// Lines that could not be read as a record of its kind (skipped).
    pub skipped: usize,
}

impl LogFile {
    /// The load log's sentence: `app.log: JSON log lines, 2,310 records`.
    pub fn describe(&self) -> String {
        let skipped = if self.skipped > 0 {
            format!(" ({} unreadable lines skipped)", self.skipped)
        } else {
            String::new()
        };
        format!(
            "{}: {}, {} records{skipped}",
            self.name,
            self.kind.label(),
            self.records.len()
        )
    }
}

/// Top-level keys that only trace documents have: a JSON object with one is never a log line.
const TRACE_KEYS: [&str; 11] = [
    "resourceSpans",
    "resource_spans",
    "batches",
    "data",
    "spans",
    "traceID",
    "result",
    "trace",
    "operationName",
    "spanID",
    "startTimeUnixNano",
];

/// Records looked at to tell JSON log lines.
const SNIFFED_LINES: usize = 5;

/// The first `count` non-blank lines of `bytes`, each cut to its first megabyte (on a character
/// boundary) and to valid UTF-8. Finding a line's end costs a byte scan, never a parse.
fn first_lines(bytes: &[u8], count: usize) -> Vec<&str> {
    const LINE_PREFIX: usize = 1 << 20;
    let mut out = Vec::new();
    let mut rest = bytes;
    while out.len() < count && !rest.is_empty() {
        let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        let line = &rest[..end.min(LINE_PREFIX)];
        rest = rest.get(end + 1..).unwrap_or_default();
        let text = match std::str::from_utf8(line) {
            Ok(text) => text,
            Err(e) => std::str::from_utf8(&line[..e.valid_up_to()]).unwrap_or_default(),
        };
        let text = text.trim_start_matches('\u{feff}').trim();
        if !text.is_empty() {
            out.push(text);
        }
    }
    out
}

/// Whether `bytes` are a log file, and of which kind; `None` for trace files and anything else
/// (which the trace parsers then read or explain).
pub fn sniff(bytes: &[u8]) -> Option<LogKind> {
    let text = std::str::from_utf8(bytes.get(..bytes.len().min(1 << 20))?)
        .or_else(|e| std::str::from_utf8(&bytes[..e.valid_up_to()]))
        .ok()?;
    let text = text.trim_start_matches('\u{feff}');
    let start = text.trim_start();
    if start.starts_with('[') {
        return None;
    }
    if let Some(object) = start.strip_prefix('{') {
        let first_key = object.trim_start();
        if first_key.starts_with("\"resourceLogs\"") || first_key.starts_with("\"resource_logs\"") {
            return Some(LogKind::Otlp);
        }
        // The first few records, each read only as far as its first megabyte: however long
        // the first one is, its keys (or the next records' keys) tell.
        let mut any_message = false;
        for (i, record) in first_lines(bytes, SNIFFED_LINES).into_iter().enumerate() {
            let keys = fields::top_level_keys(record).unwrap_or_default();
            // A first line that is no record (`{` of a pretty-printed document) is no log.
            if i == 0 && keys.is_empty() {
                return None;
            }
            if keys.iter().any(|k| TRACE_KEYS.contains(&k.as_str())) {
                return None;
            }
            any_message |= keys.iter().any(|k| {
                fields::MESSAGE.contains(&k.as_str()) || fields::LEVEL.contains(&k.as_str())
            });
        }
        return any_message.then_some(LogKind::JsonLines);
    }
    let lines: Vec<&str> = start.lines().take(100).collect();
    if lines.iter().any(|l| logfmt::has_trace_id(l)) {
        return Some(LogKind::Logfmt);
    }
    lines
        .iter()
        .any(|l| !fields::id_tokens(l).is_empty())
        .then_some(LogKind::Text)
}

/// Reads a log file of `kind` (see [`sniff`]). Fails only when the file is not text.
pub fn parse_logs(name: &str, bytes: &[u8], kind: LogKind) -> Result<LogFile, String> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| format!("{name}: not UTF-8 text (at byte {})", e.valid_up_to()))?;
    let text = text.trim_start_matches('\u{feff}');
    let mut file = LogFile {
        name: name.to_string(),
        kind,
        records: Vec::new(),
        skipped: 0,
    };
    match kind {
        LogKind::Otlp => otlp::read(text, &mut file),
        LogKind::JsonLines => {
            for (i, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(line) {
                    Ok(object) => file.records.push(fields::record_of(&object, i + 1)),
                    Err(_) => file.skipped += 1,
                }
            }
        }
        LogKind::Logfmt => {
            for (i, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                let pairs = logfmt::pairs(line);
                if pairs.is_empty() {
                    file.skipped += 1;
                } else {
                    file.records.push(fields::record_of_pairs(&pairs, i + 1));
                }
            }
        }
        LogKind::Text => {
            for (i, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                file.records.push(LogRecord {
                    time_ns: fields::leading_time_ns(line),
                    level: fields::level_in_text(line),
                    message: line.to_string(),
                    line: i + 1,
                    ..LogRecord::default()
                });
            }
        }
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/tests/fixtures/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect(name)
    }

    #[test]
    fn log_files_are_told_from_trace_files() {
        for (name, kind) in [
            ("logs/checkout-structlog.jsonl", LogKind::JsonLines),
            ("logs/checkout-structlog.logfmt", LogKind::Logfmt),
            ("logs/checkout-logs.otlp.json", LogKind::Otlp),
        ] {
            assert_eq!(sniff(&fixture(name)), Some(kind), "{name}");
        }
        for dir in ["jaeger", "otlp", "zipkin"] {
            let path = format!("{}/tests/fixtures/{dir}", env!("CARGO_MANIFEST_DIR"));
            for entry in std::fs::read_dir(path).expect("fixtures") {
                let path = entry.expect("entry").path();
                let bytes = std::fs::read(&path).expect("read");
                assert_eq!(sniff(&bytes), None, "{}", path.display());
            }
        }
        assert_eq!(sniff(&fixture("logs/checkout-traces.otlp.json")), None);
        assert_eq!(sniff(b"hello world"), None);
        assert_eq!(sniff(b"{\"name\": \"x\", \"version\": \"1\"}"), None);
        assert_eq!(
            sniff(b"2026-01-02 03:04:05 ERROR request 4bf92f3577b34da6a3ce929d0e0e4736 failed\n"),
            Some(LogKind::Text)
        );
        assert_eq!(
            sniff(b"{\"resourceLogs\":[]}\n{\"resourceLogs\":[]}\n"),
            Some(LogKind::Otlp)
        );
        assert_eq!(
            sniff(b"{\n  \"data\": [\n  {\"message\": \"x\"}\n]}\n"),
            None
        );
    }

    #[test]
    fn a_long_first_record_does_not_hide_a_log_file() {
        // Issue 25 §14: a first record over 64 KB made the file "not a known trace format".
        for size in [70_000, 3 << 20] {
            let big = "x".repeat(size);
            let lines = format!(
                "{{\"stack\":\"{big}\",\"message\":\"boom\",\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\"}}\n{{\"message\":\"ok\"}}\n"
            );
            assert_eq!(sniff(lines.as_bytes()), Some(LogKind::JsonLines), "{size}");
            let file =
                parse_logs("big.jsonl", lines.as_bytes(), LogKind::JsonLines).expect("reads");
            assert_eq!(file.records.len(), 2);
        }
        // A trace document on one long line stays a trace document.
        let doc = format!("{{\"data\":[{{\"traceID\":\"{}\"}}]}}", "a".repeat(2 << 20));
        assert_eq!(sniff(doc.as_bytes()), None);
    }

    #[test]
    fn structlog_lines_and_otel_records_are_read() {
        let jsonl = parse_logs(
            "a.jsonl",
            &fixture("logs/checkout-structlog.jsonl"),
            LogKind::JsonLines,
        )
        .expect("reads");
        assert_eq!(jsonl.records.len(), 13);
        assert_eq!(jsonl.skipped, 0);
        let first = &jsonl.records[0];
        assert_eq!(first.message, "checkout started");
        assert_eq!(first.level.as_deref(), Some("info"));
        assert_eq!(first.trace_id.as_ref().map(String::len), Some(32));
        assert_eq!(first.span_id.as_ref().map(String::len), Some(16));
        assert!(first.time_ns.is_some_and(|t| t > 1_700_000_000_000_000_000));
        assert!(jsonl.records.last().is_some_and(|r| r.trace_id.is_none()));
        let logfmt = parse_logs(
            "a.log",
            &fixture("logs/checkout-structlog.logfmt"),
            LogKind::Logfmt,
        )
        .expect("reads");
        assert_eq!(logfmt.records.len(), 13);
        assert_eq!(logfmt.records[0].message, "checkout started");
        assert_eq!(logfmt.records[0].trace_id, jsonl.records[0].trace_id);
        let otlp = parse_logs(
            "o.json",
            &fixture("logs/checkout-logs.otlp.json"),
            LogKind::Otlp,
        )
        .expect("reads");
        assert_eq!(otlp.records.len(), 12);
        assert_eq!(otlp.records[0].level.as_deref(), Some("INFO"));
        assert!(otlp.records[0].message.starts_with("checkout started"));
        // base64 IDs from the SDK's encoder become hex.
        assert_eq!(otlp.records[0].trace_id.as_ref().map(String::len), Some(32));
        assert!(otlp.records[0].time_ns.is_some());
    }
}
