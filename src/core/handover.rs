//! The binary form in which a Web Worker hands built traces to the page, cut into frames.
//!
//! A million-span trace is tens of megabytes in this form; decoding it in one go blocked the
//! page for half a second. So the encoding is a sequence of small frames (each a length and a
//! postcard value holding at most [`FRAME_ITEMS`] spans, strings, attributes, …), and the page
//! feeds them one by one to an [`Assembler`], giving the browser a turn between frames.
//!
//! Frame order: one `Head`; then per trace a `Trace` head, its strings (in interner order, so
//! every symbol keeps its number), spans, attributes, events, references, the two per-span time
//! arrays of its analysis, and last `Finish` with the rest of the analysis.
use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::core::analysis::{Bottleneck, CriticalPath, CriticalSection, ErrorPath, TraceAnalysis};
use crate::core::format::Format;
use crate::core::logs::{LogFile, LogKind, LogRecord};
use crate::core::model::{
    Attribute, Event, Interner, Reference, Resource, Span, SpanIdx, Sym, Trace, Warning,
};

/// A file parsed and its traces built elsewhere (in a Web Worker), ready to be handed over as
/// bytes: the expensive part of a load happens off the main thread, and the main thread only
/// decodes the compact binary form ([`decode`], or an [`Assembler`]) and adds the traces. `load` re-exports it.
#[derive(Debug)]
pub struct BuiltFile {
    /// The detected format.
    pub format: Format,
    /// Spans read.
    pub span_count: usize,
    /// The built traces.
    pub traces: Vec<Trace>,
    /// The analysis of each trace (same order), so the page need not compute it.
    pub analyses: Vec<TraceAnalysis>,
    /// For a log file (`format` is [`Format::Logs`]): its records, joined to traces on the page.
    pub logs: Option<LogFile>,
    /// Lines of a JSON-lines file that could not be read and were left out, each a sentence.
    pub skipped: Vec<String>,
}

/// At most this many items (spans, strings, …) go in one frame: decoding one frame then takes a
/// few milliseconds, even in the browser.
pub const FRAME_ITEMS: usize = 32_768;

/// What the whole hand-over holds, sent first.
#[derive(Serialize, Deserialize)]
struct Head {
    format: Format,
    span_count: usize,
    trace_count: usize,
    skipped: Vec<String>,
}

/// The small fields of one trace, and how many items of each array follow.
#[derive(Serialize, Deserialize)]
struct TraceHead<'a> {
    trace_id: Cow<'a, str>,
    roots: Cow<'a, [SpanIdx]>,
    resources: Cow<'a, [Resource]>,
    warnings: Cow<'a, [Warning]>,
    input_warning_count: usize,
    sources: Cow<'a, [String]>,
    start_ns: i64,
    end_ns: i64,
    strings: usize,
    spans: usize,
    attributes: usize,
    events: usize,
    references: usize,
}

/// The analysis without its per-span arrays (those come in frames of their own).
#[derive(Serialize, Deserialize)]
struct AnalysisRest<'a> {
    sections: Cow<'a, [CriticalSection]>,
    service_ns: Cow<'a, [(Sym, i64)]>,
    total_ns: i64,
    bottlenecks: Cow<'a, [Bottleneck]>,
    error_paths: Cow<'a, [ErrorPath]>,
}

/// One frame.
#[derive(Serialize, Deserialize)]
enum Frame<'a> {
    Head(Head),
    Trace(#[serde(borrow)] TraceHead<'a>),
    Strings(#[serde(borrow)] Vec<&'a str>),
    Spans(#[serde(borrow)] Cow<'a, [Span]>),
    Attributes(#[serde(borrow)] Cow<'a, [Attribute]>),
    Events(#[serde(borrow)] Cow<'a, [Event]>),
    References(#[serde(borrow)] Cow<'a, [Reference]>),
    SelfTimes(#[serde(borrow)] Cow<'a, [i64]>),
    PathTimes(#[serde(borrow)] Cow<'a, [i64]>),
    Finish(#[serde(borrow)] AnalysisRest<'a>),
    /// A log file's name, kind and skipped lines (its records follow).
    LogHead(#[serde(borrow)] LogHead<'a>),
    /// Records of the log file.
    LogRecords(#[serde(borrow)] Cow<'a, [LogRecord]>),
}

/// What a log file is, before its records.
#[derive(Serialize, Deserialize)]
struct LogHead<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    kind: LogKind,
    skipped: usize,
    records: usize,
}

/// Appends one length-prefixed frame to `out`.
fn put(out: &mut Vec<u8>, frame: &Frame) -> Result<(), String> {
    let at = out.len();
    out.extend_from_slice(&[0; 4]);
    let mut body = std::mem::take(out);
    body = postcard::to_extend(frame, body).map_err(|e| e.to_string())?;
    let len = u32::try_from(body.len() - at - 4).map_err(|_| "a frame over 4 GiB".to_string())?;
    body[at..at + 4].copy_from_slice(&len.to_le_bytes());
    *out = body;
    Ok(())
}

/// Appends `items` as frames of at most [`FRAME_ITEMS`] each, made by `frame`.
fn put_chunks<'a, T: Clone + 'a>(
    out: &mut Vec<u8>,
    items: &'a [T],
    frame: impl Fn(Cow<'a, [T]>) -> Frame<'a>,
) -> Result<(), String> {
    for chunk in items.chunks(FRAME_ITEMS) {
        put(out, &frame(Cow::Borrowed(chunk)))?;
    }
    Ok(())
}

/// Encodes `built` as a sequence of frames.
pub fn encode(built: &BuiltFile) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    put(
        &mut out,
        &Frame::Head(Head {
            format: built.format,
            span_count: built.span_count,
            trace_count: built.traces.len(),
            skipped: built.skipped.clone(),
        }),
    )?;
    for (trace, analysis) in built.traces.iter().zip(&built.analyses) {
        put(
            &mut out,
            &Frame::Trace(TraceHead {
                trace_id: Cow::Borrowed(&trace.trace_id),
                roots: Cow::Borrowed(&trace.roots),
                resources: Cow::Borrowed(&trace.resources),
                warnings: Cow::Borrowed(&trace.warnings),
                input_warning_count: trace.input_warning_count,
                sources: Cow::Borrowed(&trace.sources),
                start_ns: trace.start_ns,
                end_ns: trace.end_ns,
                strings: trace.strings.len(),
                spans: trace.spans.len(),
                attributes: trace.attributes.len(),
                events: trace.events.len(),
                references: trace.references.len(),
            }),
        )?;
        let mut strings = trace.strings.strings();
        loop {
            let chunk: Vec<&str> = strings.by_ref().take(FRAME_ITEMS).collect();
            if chunk.is_empty() {
                break;
            }
            put(&mut out, &Frame::Strings(chunk))?;
        }
        put_chunks(&mut out, &trace.spans, Frame::Spans)?;
        put_chunks(&mut out, &trace.attributes, Frame::Attributes)?;
        put_chunks(&mut out, &trace.events, Frame::Events)?;
        put_chunks(&mut out, &trace.references, Frame::References)?;
        put_chunks(&mut out, &analysis.self_ns, Frame::SelfTimes)?;
        put_chunks(&mut out, &analysis.critical_path.span_ns, Frame::PathTimes)?;
        let path = &analysis.critical_path;
        put(
            &mut out,
            &Frame::Finish(AnalysisRest {
                sections: Cow::Borrowed(&path.sections),
                service_ns: Cow::Borrowed(&path.service_ns),
                total_ns: path.total_ns,
                bottlenecks: Cow::Borrowed(&analysis.bottlenecks),
                error_paths: Cow::Borrowed(&analysis.error_paths),
            }),
        )?;
    }
    if let Some(logs) = &built.logs {
        put(
            &mut out,
            &Frame::LogHead(LogHead {
                name: Cow::Borrowed(&logs.name),
                kind: logs.kind,
                skipped: logs.skipped,
                records: logs.records.len(),
            }),
        )?;
        put_chunks(&mut out, &logs.records, Frame::LogRecords)?;
    }
    Ok(out)
}

/// The bounds of the frame at `offset` of an encoding `encoded_len` bytes long whose length
/// prefix (the 4 bytes at `offset`) is `prefix`; `None` when it would end past the end.
pub fn frame_at(encoded_len: usize, offset: usize, prefix: [u8; 4]) -> Option<(usize, usize)> {
    let start = offset.checked_add(4)?;
    let end = start.checked_add(u32::from_le_bytes(prefix) as usize)?;
    (end <= encoded_len).then_some((start, end))
}

/// A trace being put together from its frames.
struct Partial {
    trace: Trace,
    analysis: TraceAnalysis,
    expected_strings: usize,
}

/// Puts a [`BuiltFile`] back together from its frames, fed one at a time.
#[derive(Default)]
pub struct Assembler {
    head: Option<Head>,
    logs: Option<LogFile>,
    expected_logs: usize,
    done: Vec<(Trace, TraceAnalysis)>,
    current: Option<Partial>,
}

impl Assembler {
    /// An assembler waiting for the first frame.
    pub fn new() -> Self {
        Self::default()
    }

    /// Decodes one frame (without its length prefix) and adds what it holds.
    pub fn feed(&mut self, frame: &[u8]) -> Result<(), String> {
        let frame: Frame = postcard::from_bytes(frame).map_err(|e| e.to_string())?;
        if let Frame::Head(head) = frame {
            if self.head.is_some() {
                return Err("a second head frame".to_string());
            }
            self.head = Some(head);
            return Ok(());
        }
        if self.head.is_none() {
            return Err("no head frame first".to_string());
        }
        match frame {
            Frame::LogHead(head) => {
                if self.logs.is_some() {
                    return Err("a second log head".to_string());
                }
                self.expected_logs = head.records;
                self.logs = Some(LogFile {
                    name: head.name.into_owned(),
                    kind: head.kind,
                    records: Vec::with_capacity(head.records.min(1 << 20)),
                    skipped: head.skipped,
                });
                return Ok(());
            }
            Frame::LogRecords(records) => {
                let Some(logs) = self.logs.as_mut() else {
                    return Err("log records before their head".to_string());
                };
                logs.records.extend_from_slice(&records);
                return Ok(());
            }
            _ => {}
        }
        if let Frame::Trace(head) = frame {
            if self.current.is_some() {
                return Err("a trace began before the previous one ended".to_string());
            }
            self.current = Some(start_trace(head));
            return Ok(());
        }
        let Some(partial) = self.current.as_mut() else {
            return Err("trace data outside a trace".to_string());
        };
        let trace = &mut partial.trace;
        match frame {
            Frame::Head(_) | Frame::Trace(_) | Frame::LogHead(_) | Frame::LogRecords(_) => {}
            Frame::Strings(strings) => {
                for text in strings {
                    let expected = trace.strings.len();
                    let sym = trace.strings.get_or_intern(text);
                    if lasso::Key::into_usize(sym) != expected {
                        return Err(format!("the string {text:?} came twice"));
                    }
                }
            }
            Frame::Spans(spans) => trace.spans.extend_from_slice(&spans),
            Frame::Attributes(attrs) => trace.attributes.extend_from_slice(&attrs),
            Frame::Events(events) => trace.events.extend_from_slice(&events),
            Frame::References(refs) => trace.references.extend_from_slice(&refs),
            Frame::SelfTimes(times) => partial.analysis.self_ns.extend_from_slice(&times),
            Frame::PathTimes(times) => partial
                .analysis
                .critical_path
                .span_ns
                .extend_from_slice(&times),
            Frame::Finish(rest) => {
                let Some(mut partial) = self.current.take() else {
                    return Ok(());
                };
                if partial.trace.strings.len() != partial.expected_strings {
                    return Err(format!(
                        "{} of {} strings arrived",
                        partial.trace.strings.len(),
                        partial.expected_strings
                    ));
                }
                partial.analysis.critical_path = CriticalPath {
                    sections: rest.sections.into_owned(),
                    span_ns: std::mem::take(&mut partial.analysis.critical_path.span_ns),
                    service_ns: rest.service_ns.into_owned(),
                    total_ns: rest.total_ns,
                };
                partial.analysis.bottlenecks = rest.bottlenecks.into_owned();
                partial.analysis.error_paths = rest.error_paths.into_owned();
                self.done.push((partial.trace, partial.analysis));
            }
        }
        Ok(())
    }

    /// The file, once every frame was fed; an error if some are missing.
    pub fn finish(self) -> Result<BuiltFile, String> {
        let Some(head) = self.head else {
            return Err("no frames".to_string());
        };
        if self.current.is_some() || self.done.len() != head.trace_count {
            return Err(format!(
                "{} of {} traces arrived",
                self.done.len(),
                head.trace_count
            ));
        }
        for (trace, analysis) in &self.done {
            let n = trace.spans.len();
            if analysis.self_ns.len() != n || analysis.critical_path.span_ns.len() != n {
                return Err(format!(
                    "trace {}: the analysis does not match its spans",
                    trace.trace_id
                ));
            }
        }
        if let Some(logs) = &self.logs {
            if logs.records.len() != self.expected_logs {
                return Err(format!(
                    "{} of {} log records arrived",
                    logs.records.len(),
                    self.expected_logs
                ));
            }
        }
        let (traces, analyses) = self.done.into_iter().unzip();
        Ok(BuiltFile {
            format: head.format,
            span_count: head.span_count,
            traces,
            analyses,
            logs: self.logs,
            skipped: head.skipped,
        })
    }
}

/// An empty trace with room for what `head` announces.
fn start_trace(head: TraceHead) -> Partial {
    let strings = Interner::with_capacity_and_hasher(
        lasso::Capacity::for_strings(head.strings),
        Default::default(),
    );
    Partial {
        trace: Trace {
            trace_id: head.trace_id.into_owned(),
            strings,
            spans: Vec::with_capacity(head.spans),
            roots: head.roots.into_owned(),
            resources: head.resources.into_owned(),
            attributes: Vec::with_capacity(head.attributes),
            events: Vec::with_capacity(head.events),
            references: Vec::with_capacity(head.references),
            warnings: head.warnings.into_owned(),
            input_warning_count: head.input_warning_count,
            sources: head.sources.into_owned(),
            start_ns: head.start_ns,
            end_ns: head.end_ns,
        },
        analysis: TraceAnalysis {
            self_ns: Vec::with_capacity(head.spans),
            critical_path: CriticalPath::default(),
            bottlenecks: Vec::new(),
            error_paths: Vec::new(),
        },
        expected_strings: head.strings,
    }
}

/// Decodes a whole encoding at once (native callers and tests; the page feeds frame by frame).
pub fn decode(encoded: &[u8]) -> Result<BuiltFile, String> {
    let mut assembler = Assembler::new();
    let mut offset = 0;
    while offset < encoded.len() {
        let prefix = encoded
            .get(offset..offset + 4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .ok_or("a cut frame length")?;
        let (start, end) = frame_at(encoded.len(), offset, prefix).ok_or("a cut frame")?;
        assembler.feed(&encoded[start..end])?;
        offset = end;
    }
    assembler.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::analysis::analyze_trace;
    use crate::core::generate::{write_trace, GenFormat};
    use crate::core::load::parse_and_encode;

    #[test]
    fn a_log_file_is_handed_over_as_records_without_traces() {
        let path = format!(
            "{}/tests/fixtures/logs/checkout-structlog.jsonl",
            env!("CARGO_MANIFEST_DIR")
        );
        let bytes = std::fs::read(path).expect("fixture");
        let encoded = parse_and_encode("app.jsonl", &bytes).expect("encodes");
        let built = decode(&encoded).expect("decodes");
        assert_eq!(built.format, Format::Logs);
        assert!(built.traces.is_empty());
        let logs = built.logs.expect("log records");
        assert_eq!((logs.name.as_str(), logs.records.len()), ("app.jsonl", 13));
        assert_eq!(logs.records[0].message, "checkout started");
        // A trace file carries no log records.
        let trace = parse_and_encode(
            "t.json",
            br#"[{"traceId":"abc","id":"1","name":"x","timestamp":1,"duration":2}]"#,
        )
        .expect("encodes");
        assert!(decode(&trace).expect("decodes").logs.is_none());
    }

    /// The frames of `encoded`, without their length prefixes.
    fn frames(encoded: &[u8]) -> Vec<&[u8]> {
        let mut out = Vec::new();
        let mut offset = 0;
        while offset < encoded.len() {
            let prefix = <[u8; 4]>::try_from(&encoded[offset..offset + 4]).expect("4 bytes");
            let (start, end) = frame_at(encoded.len(), offset, prefix).expect("in bounds");
            out.push(&encoded[start..end]);
            offset = end;
        }
        out
    }

    #[test]
    fn a_large_trace_comes_back_whole_from_many_small_frames() {
        let mut bytes = Vec::new();
        write_trace(&mut bytes, 2 * FRAME_ITEMS + 100, GenFormat::Jaeger, 3).expect("generate");
        let encoded = parse_and_encode("big.json", &bytes).expect("encodes");
        let parsed = crate::core::format::parse_file("big.json", &bytes).expect("parses");
        let expected: Vec<Trace> = parsed.traces.into_iter().map(|b| b.build()).collect();

        let frames = frames(&encoded);
        assert!(
            frames.len() > 8,
            "spans, strings and times are cut into frames"
        );
        let mut assembler = Assembler::new();
        for frame in &frames {
            assert!(
                frame.len() < 4 << 20,
                "a frame stays small: {} bytes",
                frame.len()
            );
            assembler.feed(frame).expect("feeds");
        }
        let built = assembler.finish().expect("complete");
        assert_eq!(built.span_count, 2 * FRAME_ITEMS + 100);
        assert_eq!(built.traces.len(), expected.len());
        for ((got, analysis), want) in built.traces.iter().zip(&built.analyses).zip(&expected) {
            assert_eq!(got.trace_id, want.trace_id);
            assert_eq!(got.spans, want.spans);
            assert_eq!(got.roots, want.roots);
            assert_eq!(got.resources, want.resources);
            assert_eq!(got.attributes, want.attributes);
            assert_eq!(got.events, want.events);
            assert_eq!(got.references, want.references);
            assert_eq!(got.warnings, want.warnings);
            assert_eq!((got.start_ns, got.end_ns), (want.start_ns, want.end_ns));
            let got_strings: Vec<&str> = got.strings.strings().collect();
            let want_strings: Vec<&str> = want.strings.strings().collect();
            assert_eq!(got_strings, want_strings);
            // Symbols resolve to the same text, and new look-ups find them.
            let span = &got.spans[got.spans.len() - 1];
            assert_eq!(got.str(span.operation), want.str(span.operation));
            assert_eq!(got.strings.get(got.str(span.span_id)), Some(span.span_id));
            assert_eq!(*analysis, analyze_trace(want));
        }
    }

    #[test]
    fn missing_cut_or_foreign_frames_are_errors_not_panics() {
        let mut bytes = Vec::new();
        write_trace(&mut bytes, 500, GenFormat::Otlp, 5).expect("generate");
        let encoded = parse_and_encode("t.json", &bytes).expect("encodes");
        let frames = frames(&encoded);

        // A frame left out.
        let mut assembler = Assembler::new();
        for frame in frames.iter().take(frames.len() - 1) {
            assembler.feed(frame).expect("feeds");
        }
        assert!(assembler.finish().is_err());
        // Data before the head, garbage, a cut encoding.
        assert!(Assembler::new().feed(frames[2]).is_err());
        assert!(Assembler::new().feed(b"\xff\xff\xff").is_err());
        assert!(decode(&encoded[..encoded.len() - 3]).is_err());
        assert!(decode(b"").is_err());
        // A string sent twice would shift every symbol after it.
        let mut assembler = Assembler::new();
        assembler.feed(frames[0]).expect("head");
        assembler.feed(frames[1]).expect("trace head");
        assembler.feed(frames[2]).expect("strings");
        assert!(assembler.feed(frames[2]).is_err());
    }
}
