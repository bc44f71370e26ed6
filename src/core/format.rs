//! Reading trace files: format detection and the Jaeger, OTLP and Zipkin parsers.
//!
//! [`parse_file`] takes a file's bytes, finds out which of the known shapes it has (see
//! [`detect`]) and fills one [`TraceBuilder`] per trace ID. A file that is not JSON, or not a
//! known shape, is an error ([`LoadError`]) naming the file and the position; problems inside a
//! span (missing IDs, odd values) become warnings on the trace instead.
mod collector;
mod detect;
mod export;
mod jaeger;
mod otlp;
pub mod split;
mod wire;
mod zipkin;

use thiserror::Error;

use crate::core::model::TraceBuilder;
pub use collector::MISSING_TRACE_ID;
use collector::{ProgressHook, TraceCollector};
pub use detect::ACCEPTED_FORMATS;
pub use export::{export_traces, ExportFormat, ExportPlan, ATTRIBUTES_PER_PIECE};

/// The trace formats tracagg reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Format {
    /// Jaeger's JSON (query API responses, UI downloads, span arrays).
    Jaeger,
    /// OpenTelemetry OTLP/JSON (including Jaeger api_v3, Tempo and collector file exports).
    Otlp,
    /// Zipkin v2 JSON.
    Zipkin,
    /// Not traces but log records (see `core::logs`): a file of logs read beside the traces.
    Logs,
}

impl Format {
    /// Name shown to users.
    pub fn name(self) -> &'static str {
        match self {
            Format::Jaeger => "Jaeger JSON",
            Format::Otlp => "OTLP JSON",
            Format::Zipkin => "Zipkin v2 JSON",
            Format::Logs => "log records",
        }
    }
}

/// Why a file could not be read at all. Each message names the file.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LoadError {
    /// The bytes are not JSON (or not UTF-8).
    #[error("{file}: not valid JSON at line {line}, column {column}: {message}")]
    InvalidJson {
        /// File name.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the JSON reader said.
        message: String,
    },
    /// Valid JSON, but not a shape tracagg knows.
    #[error("{file}: not a known trace format ({found}). {ACCEPTED_FORMATS}")]
    UnknownFormat {
        /// File name.
        file: String,
        /// A short description of what was found instead.
        found: String,
    },
    /// The file holds nothing but white space.
    #[error("{file}: the file is empty")]
    Empty {
        /// File name.
        file: String,
    },
    /// A known format whose structure is broken (e.g. `spans` is not an array), or an error
    /// response from a backend saved to a file.
    #[error("{file}: {message}")]
    Invalid {
        /// File name.
        file: String,
        /// What is wrong, with the position when known.
        message: String,
    },
}

/// What one file contained.
#[derive(Debug)]
pub struct ParsedFile {
    /// The detected format.
    pub format: Format,
    /// One builder per trace ID found in the file, in order of first appearance.
    pub traces: Vec<TraceBuilder>,
    /// Lines of a JSON-lines file that could not be read and were left out, each a sentence
    /// (`line 3: not valid JSON …`); the rest of the file loads.
    pub skipped: Vec<String>,
}

impl ParsedFile {
    /// Number of spans read (before duplicates are dropped).
    pub fn span_count(&self) -> usize {
        self.traces.iter().map(TraceBuilder::span_count).sum()
    }
}

/// Reads one file: detects the format and parses every trace in it. `file` is the name used in
/// messages and recorded as the source of the spans.
pub fn parse_file(file: &str, bytes: &[u8]) -> Result<ParsedFile, LoadError> {
    parse_file_with_progress(file, bytes, &mut |_| {})
}

/// [`parse_file`], calling `report` with the fraction of the file read so far (0..1) as it
/// goes, about a hundred times for a large file: for a progress bar.
pub fn parse_file_with_progress(
    file: &str,
    bytes: &[u8],
    report: &mut dyn FnMut(f64),
) -> Result<ParsedFile, LoadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(LoadError::Empty {
            file: file.to_string(),
        });
    }
    let text = utf8(file, bytes)?;
    let mut collector = TraceCollector::new(file);
    collector.progress = Some(ProgressHook::new(text, report));
    collector.expect_input(text.len());
    let collector = match fast_path(text, collector) {
        Ok(parsed) => return Ok(parsed),
        Err(fresh) => *fresh,
    };
    parse_general(file, bytes, text, collector)
}

/// Detects the format of every document of `text`, then reads each (see [`parse_file`]).
fn parse_general(
    file: &str,
    bytes: &[u8],
    text: &str,
    collector: TraceCollector,
) -> Result<ParsedFile, LoadError> {
    let (documents, skipped) = read_documents(file, text)?;
    let (format, units) = detect::classify(&documents).map_err(|found| match found {
        detect::Rejection::Unknown(found) => LoadError::UnknownFormat {
            file: file.to_string(),
            found,
        },
        detect::Rejection::Invalid(message) => LoadError::Invalid {
            file: file.to_string(),
            message,
        },
    })?;
    let mut collector = collector;
    let mut skipped = skipped;
    let several = units.len() > 1;
    for unit in units {
        let result = match unit {
            detect::Unit::JaegerTrace(raw) => jaeger::read_trace(raw, &mut collector),
            detect::Unit::JaegerTraces(raw) => jaeger::read_traces(raw, &mut collector),
            detect::Unit::JaegerSpans(raw) => jaeger::read_span_array(raw, &mut collector),
            detect::Unit::Otlp(raw) => otlp::read_document(raw, &mut collector),
            detect::Unit::ZipkinSpans(raw) => zipkin::read_spans(raw, &mut collector),
        };
        match result.map_err(|error| structure_error(file, bytes, unit.raw(), &error)) {
            // One document of several (JSON lines) with a wrong structure: the others load.
            Err(LoadError::Invalid { message, .. }) if several => {
                skipped.push(format!("{message}; what was read before it is kept"));
            }
            Err(error) => return Err(error),
            Ok(()) => {}
        }
    }
    Ok(ParsedFile {
        format,
        traces: collector.finish(),
        skipped,
    })
}

/// The file as text, or where it stops being UTF-8.
fn utf8<'a>(file: &str, bytes: &'a [u8]) -> Result<&'a str, LoadError> {
    std::str::from_utf8(bytes).map_err(|error| {
        let (line, column) = wire::line_column(bytes, error.valid_up_to());
        LoadError::InvalidJson {
            file: file.to_string(),
            line,
            column,
            message: not_utf8_reason(bytes).to_string(),
        }
    })
}

/// Why bytes that are not UTF-8 cannot be read: UTF-16 (a byte-order mark, or the zero bytes
/// ASCII text has in UTF-16) is named, so that the person knows to convert it.
fn not_utf8_reason(bytes: &[u8]) -> &'static str {
    let head = bytes.get(..bytes.len().min(512)).unwrap_or(bytes);
    let zeros_at = |parity: usize| {
        head.iter()
            .skip(parity)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    let half = head.len() / 2;
    if head.starts_with(&[0xFF, 0xFE])
        || head.starts_with(&[0xFE, 0xFF])
        || (half > 2 && (zeros_at(0) * 2 > half || zeros_at(1) * 2 > half))
    {
        "the file is UTF-16 text; save it as UTF-8 (e.g. `iconv -f UTF-16 -t UTF-8`)"
    } else {
        "the file is not UTF-8 text"
    }
}

/// The most common large files — a Jaeger query API response `{"data":[…]}`, an OTLP
/// document `{"resourceSpans":[…]}` and a Zipkin span array `[{"traceId"…` — read in a single
/// typed pass, without the detection pass
/// that first reads every document's top level (a quarter of the parse time). Recognised by the
/// first key; anything unexpected (other keys first, errors, JSON lines, bad structure) gives
/// back a fresh collector (with the progress hook) for the general path, which reads the file
/// and explains what is wrong.
fn fast_path<'p>(
    text: &str,
    mut collector: TraceCollector<'p>,
) -> Result<ParsedFile, Box<TraceCollector<'p>>> {
    match read_fast(text, &mut collector) {
        Some(format) => Ok(ParsedFile {
            format,
            traces: collector.finish(),
            skipped: Vec::new(),
        }),
        None => Err(Box::new(collector.start_over())),
    }
}

/// The fast path's reading (see [`fast_path`]): the format, or `None` to take the general path.
fn read_fast(text: &str, collector: &mut TraceCollector) -> Option<Format> {
    let trimmed = text.trim_start();
    if let Some(array) = trimmed.strip_prefix('[') {
        // Zipkin's span arrays start with `traceId` (Jaeger spells it `traceID`).
        let first = array.trim_start().strip_prefix('{')?.trim_start();
        if !first.starts_with("\"traceId\"") {
            return None;
        }
        zipkin::read_spans(text, collector).ok()?;
        return Some(Format::Zipkin);
    }
    let rest = trimmed.strip_prefix('{')?.trim_start();
    if rest.starts_with("\"data\"") {
        jaeger::read_api_response(text, collector)
            .ok()
            .filter(|read| *read)?;
        Some(Format::Jaeger)
    } else if rest.starts_with("\"resourceSpans\"") {
        otlp::read_document(text, collector).ok()?;
        Some(Format::Otlp)
    } else {
        None
    }
}

/// Splits the text into top-level JSON documents (one for a normal file, one per line for
/// JSON-lines files such as the OpenTelemetry Collector's file exporter writes), reading each
/// document's top level in the same pass.
///
/// In a JSON-lines file (documents one per line), a line that is not valid JSON — cut short,
/// or nested past the parser's depth limit — is left out with a sentence in the second list,
/// and the lines after it are read; a file whose every document is bad, or whose bad document
/// spans several lines, is refused as before, saying where.
fn read_documents<'a>(
    file: &str,
    text: &'a str,
) -> Result<(Vec<detect::Document<'a>>, Vec<String>), LoadError> {
    /// Past this many bad lines the file is refused: it is not JSON lines gone slightly wrong.
    const MAX_SKIPPED: usize = 1_000;
    let mut documents = Vec::new();
    let mut skipped = Vec::new();
    let mut first_error: Option<LoadError> = None;
    // Where the current reader starts, and which line of the file that is (1-based).
    let (mut base, mut base_line) = (0usize, 1usize);
    'readers: loop {
        let rest = text.get(base..).unwrap_or("");
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<detect::Shape>();
        let mut start = 0;
        while let Some(next) = stream.next() {
            match next {
                Ok(shape) => {
                    let end = stream.byte_offset();
                    let document = rest.get(start..end).unwrap_or("").trim_start();
                    documents.push(detect::Document {
                        text: document,
                        shape,
                    });
                    start = end;
                }
                Err(error) => {
                    let line = base_line + error.line().saturating_sub(1);
                    let refusal = LoadError::InvalidJson {
                        file: file.to_string(),
                        line,
                        column: error.column(),
                        message: clean_serde_message(&error),
                    };
                    // The bad document's own line: where it starts (after the last good one)
                    // must be the line of the error, and a next line must follow.
                    let from = rest.len() - rest.get(start..).unwrap_or("").trim_start().len();
                    let doc_line = base_line + rest.get(..from).unwrap_or("").matches('\n').count();
                    let line_end = rest
                        .get(from..)
                        .and_then(|r| r.find('\n'))
                        .map(|i| from + i + 1);
                    match line_end {
                        Some(end) if doc_line == line && skipped.len() < MAX_SKIPPED => {
                            skipped.push(format!(
                                "line {line}: not valid JSON ({}), left out",
                                clean_serde_message(&error)
                            ));
                            first_error.get_or_insert(refusal);
                            base_line = doc_line + 1;
                            base += end;
                            continue 'readers;
                        }
                        _ => return Err(refusal),
                    }
                }
            }
        }
        break;
    }
    // Only bad lines: the file is refused, at its first.
    match (documents.is_empty(), first_error) {
        (true, Some(error)) => Err(error),
        _ => Ok((documents, skipped)),
    }
}

/// Turns a typed-parse error inside `raw` into a message with the file's line and column.
fn structure_error(file: &str, bytes: &[u8], raw: &str, error: &serde_json::Error) -> LoadError {
    let (base_line, base_column) =
        wire::offset_in(bytes, raw).map_or((1, 1), |offset| wire::line_column(bytes, offset));
    let (line, column) = if error.line() <= 1 {
        (base_line, base_column + error.column().saturating_sub(1))
    } else {
        (base_line + error.line() - 1, error.column())
    };
    LoadError::Invalid {
        file: file.to_string(),
        message: format!(
            "unexpected structure at line {line}, column {column}: {}",
            clean_serde_message(error)
        ),
    }
}

/// serde_json appends " at line L column C" to messages; we report positions ourselves.
fn clean_serde_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(cut) => text.get(..cut).unwrap_or(&text).to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::generate::{write_trace, GenFormat};

    #[test]
    fn an_attribute_nested_past_the_depth_limit_keeps_the_file() {
        // Issue 25 §16: one attribute nested over 128 levels rejected the whole file.
        for depth in [200, 100_000] {
            let nested = format!(
                "{}1{}",
                "{\"arrayValue\":{\"values\":[".repeat(depth),
                "]}}".repeat(depth)
            );
            let doc = format!(
                "{{\"resourceSpans\":[{{\"resource\":{{\"attributes\":[{{\"key\":\"service.name\",\"value\":{{\"stringValue\":\"svc\"}}}}]}},\"scopeSpans\":[{{\"spans\":[{{\"traceId\":\"0af7651916cd43dd8448eb211c80319c\",\"spanId\":\"b7ad6b7169203331\",\"name\":\"deep\",\"startTimeUnixNano\":\"1\",\"endTimeUnixNano\":\"2\",\"attributes\":[{{\"key\":\"k\",\"value\":{nested}}},{{\"key\":\"ok\",\"value\":{{\"arrayValue\":{{\"values\":[{{\"intValue\":\"7\"}}]}}}}}}]}}]}}]}}]}}"
            );
            let parsed = parse_file("deep.json", doc.as_bytes()).expect("the file loads");
            let trace = parsed.traces.into_iter().next().expect("a trace").build();
            let values: Vec<String> = trace
                .attrs(trace.spans[0].attrs)
                .iter()
                .map(|a| match a.value {
                    crate::core::model::AttrValue::Json(v) => trace.str(v).to_string(),
                    other => format!("{other:?}"),
                })
                .collect();
            assert_eq!(values.len(), 2);
            assert_eq!(values[1], "[7]");
            assert!(
                values[0].starts_with('[') && values[0].len() > depth,
                "{depth}"
            );
        }
    }

    #[test]
    fn a_bad_line_of_json_lines_is_left_out_and_the_rest_loads() {
        let text = crate::core::demo::demo_otlp_json_lines();
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        assert!(lines.len() >= 3);
        let whole = parse_file("all.jsonl", text.as_bytes()).expect("parses");
        // A line cut short, and a line of valid JSON in the wrong shape, among good lines.
        let cut = &lines[1][..lines[1].len() / 2];
        let deep = "{\"resourceSpans\":7}".to_string();
        let mut bad: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        bad[1] = cut.to_string();
        bad.insert(2, deep);
        let parsed = parse_file("bad.jsonl", bad.join("\n").as_bytes()).expect("the rest loads");
        assert_eq!(parsed.skipped.len(), 2, "{:?}", parsed.skipped);
        assert!(
            parsed.skipped[0].starts_with("line 2: not valid JSON"),
            "{:?}",
            parsed.skipped
        );
        assert!(parsed.skipped[1].contains("line 3"), "{:?}", parsed.skipped);
        assert!(parsed.span_count() > 0 && parsed.span_count() < whole.span_count());
        // The load's sentence says so.
        let mut set = crate::core::model::TraceSet::new();
        let report = crate::core::load::load_into(&mut set, "bad.jsonl", bad.join("\n").as_bytes())
            .expect("loads");
        assert!(
            report
                .describe()
                .contains("2 unreadable lines left out: line 2"),
            "{}",
            report.describe()
        );
        // One document alone, cut short, is still refused, saying where.
        let one = parse_file("one.json", cut.as_bytes()).expect_err("refused");
        assert!(
            matches!(one, LoadError::InvalidJson { line: 1, .. }),
            "{one:?}"
        );
        // Only bad lines: refused at the first.
        let only = format!("{cut}\n{cut}\n");
        assert!(parse_file("only.jsonl", only.as_bytes()).is_err());
    }

    /// The fast path reads exactly what the general path reads.
    #[test]
    fn fast_path_matches_the_general_path() {
        let mut inputs: Vec<(String, Vec<u8>)> = Vec::new();
        for format in [GenFormat::Jaeger, GenFormat::Otlp, GenFormat::Zipkin] {
            let mut bytes = Vec::new();
            write_trace(&mut bytes, 2_000, format, 3).expect("generates");
            inputs.push((format!("{format:?}"), bytes));
        }
        for dir in ["jaeger", "otlp", "zipkin", "jaeger-api"] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures")
                .join(dir);
            for entry in std::fs::read_dir(path).expect("fixtures").flatten() {
                let bytes = std::fs::read(entry.path()).expect("readable");
                inputs.push((entry.path().display().to_string(), bytes));
            }
        }
        let mut fast_taken = 0;
        for (name, bytes) in &inputs {
            let text = std::str::from_utf8(bytes).expect("utf-8");
            let Ok(fast) = fast_path(text, TraceCollector::new(name)) else {
                continue;
            };
            fast_taken += 1;
            let general = parse_general(name, bytes, text, TraceCollector::new(name))
                .expect("general path reads it");
            assert_eq!(fast.format, general.format, "{name}");
            let (a, b): (Vec<_>, Vec<_>) = (
                fast.traces.into_iter().map(TraceBuilder::build).collect(),
                general
                    .traces
                    .into_iter()
                    .map(TraceBuilder::build)
                    .collect(),
            );
            assert_eq!(a.len(), b.len(), "{name}");
            for (x, y) in a.iter().zip(&b) {
                assert_eq!(x.trace_id, y.trace_id, "{name}");
                assert_eq!(x.spans, y.spans, "{name}");
                assert_eq!(x.attributes, y.attributes, "{name}");
                assert_eq!(x.warnings, y.warnings, "{name}");
            }
        }
        assert!(fast_taken >= 5, "fast path taken {fast_taken} times");
    }
}

/// Entry points for the fuzz targets (`fuzz/`): each runs exactly one parser on one JSON
/// document and assembles the traces, returning the span count. Not a stable API.
#[doc(hidden)]
pub mod fuzzing {
    use serde_json::value::RawValue;

    use super::collector::TraceCollector;
    use super::{jaeger, otlp, zipkin};

    type Reader = fn(&str, &mut TraceCollector) -> Result<(), serde_json::Error>;

    fn run(bytes: &[u8], reader: Reader) -> usize {
        let Ok(raw) = serde_json::from_slice::<&RawValue>(bytes) else {
            return 0;
        };
        let mut collector = TraceCollector::new("fuzz.json");
        if reader(raw.get(), &mut collector).is_err() {
            return 0;
        }
        collector
            .finish()
            .into_iter()
            .map(|b| b.build().spans.len())
            .sum()
    }

    /// Jaeger: a trace object, or (input starting with `[`) an array of spans.
    pub fn jaeger(bytes: &[u8]) -> usize {
        if bytes.trim_ascii_start().starts_with(b"[") {
            run(bytes, jaeger::read_span_array)
        } else {
            run(bytes, jaeger::read_trace)
        }
    }

    /// OTLP: one `{resourceSpans}` document.
    pub fn otlp(bytes: &[u8]) -> usize {
        run(bytes, otlp::read_document)
    }

    /// Zipkin: an array of spans or one span.
    pub fn zipkin(bytes: &[u8]) -> usize {
        run(bytes, zipkin::read_spans)
    }
}
