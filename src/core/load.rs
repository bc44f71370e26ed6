//! Loading files into a [`TraceSet`]: parse, then add or merge every trace. Shared by the web
//! app and the CLI so both report the same things.
use crate::core::format::{parse_file, Format, LoadError};
use crate::core::model::{MergeOutcome, TraceSet};

/// What loading one file did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadReport {
    /// The file name.
    pub file: String,
    /// Its detected format.
    pub format: Format,
    /// Spans read from it.
    pub span_count: usize,
    /// Traces that were new.
    pub traces_added: usize,
    /// Traces whose spans were merged into already loaded traces with the same ID.
    pub traces_merged: usize,
}

impl LoadReport {
    /// A one-line account for people: `a.json: Jaeger JSON, 11 spans in 1 new trace`.
    pub fn describe(&self) -> String {
        let plural = |n: usize, word: &str| {
            if n == 1 {
                format!("1 {word}")
            } else {
                format!("{n} {word}s")
            }
        };
        let mut text = format!(
            "{}: {}, {}",
            self.file,
            self.format.name(),
            plural(self.span_count, "span")
        );
        if self.traces_added > 0 {
            text.push_str(&format!(", {}", plural(self.traces_added, "new trace")));
        }
        if self.traces_merged > 0 {
            text.push_str(&format!(
                ", merged into {} already loaded",
                plural(self.traces_merged, "trace")
            ));
        }
        if self.span_count == 0 {
            text.push_str(" (no spans found)");
        }
        text
    }
}

/// Parses `bytes` (named `file`) and adds its traces to `set`. On error `set` is unchanged.
pub fn load_into(set: &mut TraceSet, file: &str, bytes: &[u8]) -> Result<LoadReport, LoadError> {
    let parsed = parse_file(file, bytes)?;
    let mut report = LoadReport {
        file: file.to_string(),
        format: parsed.format,
        span_count: parsed.span_count(),
        traces_added: 0,
        traces_merged: 0,
    };
    for builder in parsed.traces {
        match set.add(builder) {
            MergeOutcome::Added => report.traces_added += 1,
            MergeOutcome::Merged => report.traces_merged += 1,
        }
    }
    Ok(report)
}
