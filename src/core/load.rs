//! Loading files into a [`TraceSet`]: parse, then add or merge every trace. Shared by the web
//! app and the CLI so both report the same things.
use crate::core::format::{
    parse_file, parse_file_with_progress, split, Format, LoadError, ParsedFile,
};
use crate::core::handover;
pub use crate::core::handover::BuiltFile;
use std::sync::Arc;

use crate::core::analysis::{analyze_trace, TraceAnalysis};
use crate::core::model::{MergeOutcome, Trace, TraceSet};

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
    /// Lines left out because they could not be read (JSON lines), each a sentence.
    pub skipped: Vec<String>,
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
        if let Some(first) = self.skipped.first() {
            text.push_str(&format!(
                " — {} left out: {first}",
                plural(self.skipped.len(), "unreadable line")
            ));
            if self.skipped.len() > 1 {
                text.push_str(" (and more)");
            }
        }
        text
    }
}

/// Parses `bytes` (named `file`) and adds its traces to `set`. On error `set` is unchanged.
pub fn load_into(set: &mut TraceSet, file: &str, bytes: &[u8]) -> Result<LoadReport, LoadError> {
    load_into_with_ids(set, file, bytes).map(|(report, _)| report)
}

/// [`load_into`], also returning the IDs of the traces the file held (new or merged), in file
/// order — what a backend search found.
pub fn load_into_with_ids(
    set: &mut TraceSet,
    file: &str,
    bytes: &[u8],
) -> Result<(LoadReport, Vec<String>), LoadError> {
    let parsed = parse_file(file, bytes)?;
    let span_count = parsed.span_count();
    let mut ids = Vec::with_capacity(parsed.traces.len());
    let outcomes: Vec<MergeOutcome> = parsed
        .traces
        .into_iter()
        .map(|builder| {
            ids.push(builder.trace_id().to_string());
            set.add(builder)
        })
        .collect();
    let mut report = LoadReport::count(file, parsed.format, span_count, outcomes.into_iter());
    report.skipped = parsed.skipped;
    Ok((report, ids))
}

impl LoadReport {
    /// The report for `file`, counting how each of its traces was added.
    fn count(
        file: &str,
        format: Format,
        span_count: usize,
        outcomes: impl Iterator<Item = MergeOutcome>,
    ) -> Self {
        let mut report = Self {
            file: file.to_string(),
            format,
            span_count,
            traces_added: 0,
            traces_merged: 0,
            skipped: Vec::new(),
        };
        for outcome in outcomes {
            match outcome {
                MergeOutcome::Added => report.traces_added += 1,
                MergeOutcome::Merged => report.traces_merged += 1,
            }
        }
        report
    }
}

/// Where a load in the worker is, for the page's progress line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LoadStage {
    /// Reading the file's bytes: the fraction read (0..1).
    Reading(f64),
    /// Parsing: the fraction of the file read (0..1).
    Parsing(f64),
    /// Assembling the trees and analysing the traces.
    Building,
}

impl LoadStage {
    /// What a person reads: `parsing`, and the fraction done when known.
    pub fn describe(self) -> (&'static str, Option<f64>) {
        match self {
            Self::Reading(done) => ("reading", Some(done)),
            Self::Parsing(done) => ("parsing", Some(done)),
            Self::Building => ("building the traces", None),
        }
    }
}

/// Decides which of a load's progress reports reach the page: every change of stage at once,
/// and within a stage at most one every `min_gap_ms`. Each report makes the page render its
/// progress line again; a report at every 1 % of a 100,000-span file cost the parsing worker
/// ~40 ms (of ~180) on a 2-core machine, the page's rendering taking CPU from it.
#[derive(Debug, Clone)]
pub struct ProgressThrottle {
    min_gap_ms: f64,
    last: Option<(&'static str, f64)>,
}

impl ProgressThrottle {
    /// A throttle letting through at most one report per stage every `min_gap_ms`.
    pub fn new(min_gap_ms: f64) -> Self {
        Self {
            min_gap_ms,
            last: None,
        }
    }

    /// Whether `stage`, reported at `now_ms`, should be sent (and if so, remembers it).
    pub fn should_send(&mut self, stage: LoadStage, now_ms: f64) -> bool {
        let (label, _) = stage.describe();
        let send = match self.last {
            Some((last_label, at)) => last_label != label || now_ms - at >= self.min_gap_ms,
            None => true,
        };
        if send {
            self.last = Some((label, now_ms));
        }
        send
    }
}

/// One progress line for a file read by two workers, one half each (see [`split`]): both
/// report their stage and their share of the whole file done; while they are in the same
/// stage the line shows the sum, otherwise the first worker's stage.
#[derive(Debug, Clone, Default)]
pub struct CombinedProgress {
    stages: [Option<(String, Option<f64>)>; 2],
    /// Workers left out by [`CombinedProgress::forget`].
    forgotten: [bool; 2],
}

impl CombinedProgress {
    /// Leaves worker `worker` out from now on (the first one reads the whole file after all).
    pub fn forget(&mut self, worker: usize) {
        if let Some(slot) = self.stages.get_mut(worker) {
            *slot = None;
        }
        if let Some(flag) = self.forgotten.get_mut(worker) {
            *flag = true;
        }
    }

    /// Records what worker `worker` (0: first half, 1: second) said; returns the line to show.
    pub fn update(
        &mut self,
        worker: usize,
        stage: String,
        done: Option<f64>,
    ) -> Option<(String, Option<f64>)> {
        let forgotten = self.forgotten.get(worker).copied().unwrap_or(true);
        if let (Some(slot), false) = (self.stages.get_mut(worker), forgotten) {
            *slot = Some((stage, done));
        }
        match &self.stages {
            [Some((a, Some(x))), Some((b, Some(y)))] if a == b => {
                Some((a.clone(), Some((x + y).min(1.0))))
            }
            [Some(first), _] | [None, Some(first)] => Some(first.clone()),
            [None, None] => None,
        }
    }
}

/// Parses `bytes` and builds and analyses its traces, then encodes them for transfer as
/// frames (see [`crate::core::handover`]). On a parse error, returns the error's sentence.
pub fn parse_and_encode(file: &str, bytes: &[u8]) -> Result<Vec<u8>, String> {
    parse_and_encode_with_progress(file, bytes, &mut |_| {})
}

/// [`parse_and_encode`], telling `report` where it is as it goes.
pub fn parse_and_encode_with_progress(
    file: &str,
    bytes: &[u8],
    report: &mut dyn FnMut(LoadStage),
) -> Result<Vec<u8>, String> {
    report(LoadStage::Parsing(0.0));
    // A log file (by content) is read as records, handed over beside no traces.
    if let Some(kind) = crate::core::logs::sniff(bytes) {
        let logs = crate::core::logs::parse_logs(file, bytes, kind)?;
        return encode_logs(file, logs);
    }
    let parsed =
        parse_file_with_progress(file, bytes, &mut |done| report(LoadStage::Parsing(done)))
            .map_err(|e| e.to_string())?;
    report(LoadStage::Building);
    build_and_encode(file, parsed)
}

/// Encodes a log file for the page (a hand-over with no traces and its records).
fn encode_logs(file: &str, logs: crate::core::logs::LogFile) -> Result<Vec<u8>, String> {
    let built = BuiltFile {
        format: Format::Logs,
        span_count: 0,
        traces: Vec::new(),
        analyses: Vec::new(),
        logs: Some(logs),
        skipped: Vec::new(),
    };
    handover::encode(&built).map_err(|e| format!("{file}: could not encode the log records: {e}"))
}

/// Builds and analyses every trace of `parsed`, and encodes them for the page.
fn build_and_encode(file: &str, parsed: ParsedFile) -> Result<Vec<u8>, String> {
    let span_count = parsed.span_count();
    let traces: Vec<Trace> = parsed.traces.into_iter().map(|b| b.build()).collect();
    let built = BuiltFile {
        format: parsed.format,
        span_count,
        analyses: traces.iter().map(analyze_trace).collect(),
        traces,
        logs: None,
        skipped: parsed.skipped,
    };
    handover::encode(&built).map_err(|e| format!("{file}: could not encode the traces: {e}"))
}

/// Joins the halves of a file that two workers read (see [`split`]), then builds, analyses
/// and encodes its traces as [`parse_and_encode`] does. `None` when the halves cannot be
/// joined: read the file in one piece then.
pub fn merge_and_encode(
    file: &str,
    first: split::Half,
    second: split::Half,
    cut: &split::Cut,
    report: &mut dyn FnMut(LoadStage),
) -> Option<Result<Vec<u8>, String>> {
    let parsed = split::merge_halves(first, second, cut)?;
    report(LoadStage::Building);
    Some(build_and_encode(file, parsed))
}

/// Decodes what [`parse_and_encode`] produced, all at once (the page decodes it frame by frame
/// with a [`handover::Assembler`] instead, so as not to block).
pub fn decode_built(file: &str, encoded: &[u8]) -> Result<BuiltFile, String> {
    handover::decode(encoded)
        .map_err(|e| format!("{file}: could not decode the parsed traces: {e}"))
}

/// Adds decoded traces to `set`, reporting as [`load_into`] does. Returns also the analyses
/// that still hold, each with its trace as now in `set` (a trace merged into an already loaded
/// one changed, so its analysis is dropped).
pub fn add_built(
    set: &mut TraceSet,
    file: &str,
    built: BuiltFile,
) -> (LoadReport, Vec<(Arc<Trace>, TraceAnalysis)>) {
    let mut kept = Vec::new();
    let mut outcomes = Vec::with_capacity(built.traces.len());
    let mut analyses = built.analyses.into_iter();
    for trace in built.traces {
        let analysis = analyses.next();
        let trace_id = trace.trace_id.clone();
        let outcome = set.add_trace(trace);
        if let (MergeOutcome::Added, Some(analysis), Some(shared)) =
            (outcome, analysis, set.get(&trace_id))
        {
            kept.push((Arc::clone(shared), analysis));
        }
        outcomes.push(outcome);
    }
    let mut report = LoadReport::count(file, built.format, built.span_count, outcomes.into_iter());
    report.skipped = built.skipped;
    (report, kept)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::generate::{write_trace, GenFormat};

    #[test]
    fn encoded_traces_load_like_parsed_ones() {
        let text = crate::core::demo::demo_otlp_json_lines();
        let mut direct = TraceSet::new();
        let expected = load_into(&mut direct, "demo.jsonl", text.as_bytes()).expect("loads");
        let encoded = parse_and_encode("demo.jsonl", text.as_bytes()).expect("encodes");
        let mut via_worker = TraceSet::new();
        let built = decode_built("demo.jsonl", &encoded).expect("decodes");
        let (report, analyses) = add_built(&mut via_worker, "demo.jsonl", built);
        assert_eq!(analyses.len(), via_worker.len());
        for (trace, analysis) in &analyses {
            assert_eq!(*analysis, analyze_trace(trace));
        }
        assert_eq!(report, expected);
        assert_eq!(via_worker.len(), direct.len());
        for (a, b) in direct.traces().iter().zip(via_worker.traces()) {
            assert_eq!(a.trace_id, b.trace_id);
            assert_eq!(a.spans, b.spans);
            assert_eq!(a.attributes, b.attributes);
            assert_eq!(a.strings.len(), b.strings.len());
            assert_eq!(a.warnings, b.warnings);
        }
        // Loading the same file again merges instead of duplicating.
        let (again, kept) = add_built(
            &mut via_worker,
            "demo.jsonl",
            decode_built("demo.jsonl", &encoded).expect("decodes"),
        );
        assert!(
            kept.is_empty(),
            "merged traces changed: their analyses are dropped"
        );
        assert_eq!(again.traces_merged, expected.traces_added);
        assert_eq!(via_worker.span_count(), direct.span_count());
        assert!(parse_and_encode("bad.json", b"{").is_err());
    }

    #[test]
    fn halves_joined_in_the_worker_encode_what_the_whole_file_does() {
        let mut bytes = Vec::new();
        write_trace(&mut bytes, 5_000, GenFormat::Jaeger, 3).expect("generate");
        let from = bytes.len() / 2;
        let cut = split::find_cut(&bytes, 0, from, split::Shape::JaegerApi).expect("a cut");
        let mut first = bytes[..cut.at].to_vec();
        first.extend_from_slice(cut.first_half_end());
        let mut second = cut.second_half_start().into_bytes();
        second.extend_from_slice(&bytes[cut.at + 1..]);
        let first = split::parse_half("t.json", &first, &cut, &mut |_| {}).expect("first");
        let second = split::parse_half("t.json", &second, &cut, &mut |_| {}).expect("second");
        let mut stages = Vec::new();
        let joined = merge_and_encode("t.json", first, second, &cut, &mut |s| stages.push(s))
            .expect("joined")
            .expect("encoded");
        assert_eq!(stages, [LoadStage::Building]);
        let joined = decode_built("t.json", &joined).expect("decodes");
        let whole = decode_built(
            "t.json",
            &parse_and_encode("t.json", &bytes).expect("whole"),
        )
        .expect("decodes");
        assert_eq!(joined.span_count, whole.span_count);
        let (x, y) = (&joined.analyses[0], &whole.analyses[0]);
        assert_eq!(x.self_ns, y.self_ns);
        assert_eq!(x.critical_path.sections, y.critical_path.sections);
        assert_eq!(x.bottlenecks, y.bottlenecks);
        assert_eq!(x.error_paths, y.error_paths);
        let (a, b) = (&joined.traces[0], &whole.traces[0]);
        assert_eq!(a.spans.len(), b.spans.len());
        for (x, y) in a.spans.iter().zip(&b.spans) {
            assert_eq!(a.str(x.span_id), b.str(y.span_id));
            assert_eq!(a.str(x.service), b.str(y.service));
            assert_eq!(
                (x.start_ns, x.duration_ns, x.parent, x.depth),
                (y.start_ns, y.duration_ns, y.parent, y.depth)
            );
        }
    }

    #[test]
    fn two_workers_progress_adds_up_while_they_are_in_the_same_stage() {
        let mut line = CombinedProgress::default();
        let parsing = |x| ("parsing".to_string(), Some(x));
        assert_eq!(
            line.update(1, "reading".into(), Some(0.5)),
            Some(("reading".into(), Some(0.5)))
        );
        assert_eq!(
            line.update(0, "parsing".into(), Some(0.1)),
            Some(parsing(0.1))
        );
        assert_eq!(
            line.update(1, "parsing".into(), Some(0.2)),
            Some(parsing(0.1 + 0.2))
        );
        assert_eq!(
            line.update(0, "parsing".into(), Some(0.5)),
            Some(parsing(0.7))
        );
        assert_eq!(
            line.update(1, "parsing".into(), Some(0.6)),
            Some(parsing(1.0))
        );
        assert_eq!(
            line.update(0, "building the traces".into(), None),
            Some(("building the traces".into(), None))
        );

        // The first worker reads the whole file after all: the other one's share goes, and
        // stays out even if a late report of it arrives.
        let mut line = CombinedProgress::default();
        line.update(1, "reading".into(), Some(0.45));
        assert_eq!(
            line.update(0, "reading".into(), Some(0.3)),
            Some(("reading".into(), Some(0.75)))
        );
        line.forget(1);
        assert_eq!(
            line.update(0, "reading".into(), Some(0.4)),
            Some(("reading".into(), Some(0.4)))
        );
        line.update(1, "reading".into(), Some(0.5));
        assert_eq!(
            line.update(0, "reading".into(), Some(0.5)),
            Some(("reading".into(), Some(0.5)))
        );
    }

    #[test]
    fn progress_reports_are_thinned_within_a_stage_but_stage_changes_pass() {
        let mut throttle = ProgressThrottle::new(100.0);
        let sent: Vec<bool> = [
            (LoadStage::Reading(0.0), 0.0),
            (LoadStage::Reading(0.5), 40.0),
            (LoadStage::Parsing(0.0), 50.0),
            (LoadStage::Parsing(0.1), 120.0),
            (LoadStage::Parsing(0.2), 149.0),
            (LoadStage::Parsing(0.3), 150.0),
            (LoadStage::Parsing(0.4), 200.0),
            (LoadStage::Building, 210.0),
        ]
        .into_iter()
        .map(|(stage, at)| throttle.should_send(stage, at))
        .collect();
        assert_eq!(sent, [true, false, true, false, false, true, false, true]);
    }

    #[test]
    fn a_large_load_reports_its_progress_in_order() {
        for format in [GenFormat::Jaeger, GenFormat::Otlp, GenFormat::Zipkin] {
            let mut bytes = Vec::new();
            write_trace(&mut bytes, 20_000, format, 9).expect("generate");
            let mut stages = Vec::new();
            parse_and_encode_with_progress("big.json", &bytes, &mut |stage| stages.push(stage))
                .expect("loads");
            let fractions: Vec<f64> = stages
                .iter()
                .filter_map(|stage| match stage {
                    LoadStage::Parsing(done) => Some(*done),
                    _ => None,
                })
                .collect();
            assert!(
                fractions.len() > 20,
                "{format:?}: {} reports",
                fractions.len()
            );
            assert!(
                fractions.windows(2).all(|w| w[0] < w[1]),
                "{format:?}: rising"
            );
            assert!(fractions.iter().all(|f| (0.0..1.0).contains(f)));
            assert!(
                *fractions.last().expect("some") > 0.9,
                "{format:?}: reaches the end"
            );
            assert_eq!(stages.last(), Some(&LoadStage::Building));
        }
        assert!(decode_built("x", b"\xff").is_err());
    }
}
