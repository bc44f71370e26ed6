//! Reading one large file as two halves at once (two Web Workers use both cores of a 2-core
//! machine; parsing is most of a load's time). Three shapes are cut: a Jaeger query API
//! response, an OTLP/JSON document (or JSON lines of them) and a Zipkin v2 span array.
//!
//! ```text
//!  {"data":[{"traceID":"t","spans":[{…},{…},{"traceID":"t","spanID":…},{…}],"processes":{…}}]}
//!                                          ^ cut: `,` before a span that starts with traceID
//!  first half:  {"data":[{"traceID":"t","spans":[{…},{…}            + ]}]}
//!  second half: {"data":[{"traceID":"t","spans":[ + {"traceID":"t","spanID":…},{…}],"processes":…
//! ```
//!
//! [`find_cut`] looks near the middle for a `,` `{` `"traceID"` (inside JSON strings quotes are
//! escaped, so this only matches structure) and tells from the next key whether it stands
//! between spans (`spanID` follows) or between traces (`spans` follows). Each half is then a
//! whole API response, read by the ordinary Jaeger reader — when the cut was not where it
//! looked to be, a half is not valid JSON and the caller reads the file in one piece instead,
//! so a cut never changes what is loaded. [`merge_halves`] joins the halves: spans of the same
//! trace go into one builder, and a trace object's `processes`, which Jaeger writes after the
//! spans, describe the first half's spans too.
//!
//! ```text
//!  {"resourceSpans":[{"resource":{…},"scopeSpans":[…]},{"resource":{…},"scopeSpans":[…]}]}
//!                                                     ^ cut: `,` before a `{"resource":`
//!  first half:  {"resourceSpans":[{"resource":{…},"scopeSpans":[…]}  + ]}
//!  second half: {"resourceSpans":[ + {"resource":{…},"scopeSpans":[…]}]}
//! ```
//!
//! OTLP is cut only between two `resourceSpans` elements (only those objects have a
//! `resource` key), so each half holds whole resources with their scopes and spans and needs
//! nothing from the other; a file of one resource has no place to cut and is read whole.
//!
//! A Zipkin span array is cut at a `,` before `{"traceId":` (only spans have that key); each
//! half is a span array. Zipkin readers merge the fragments of one span (same ID, service and
//! `shared` flag) — when fragments lie on both sides of the cut, the file is read whole.
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::collector::{ObjectRecord, ProgressHook, TraceCollector};
use super::{jaeger, otlp, zipkin, Format, ParsedFile, MISSING_TRACE_ID};
use crate::core::model::{trace_key, TraceBuilder};

/// Files smaller than this are read in one piece: a second worker would not pay for itself.
pub const MIN_SPLIT_BYTES: usize = 4 * 1024 * 1024;

/// How far past the middle [`find_cut`] looks for a place to cut (1 MiB).
pub const CUT_WINDOW: usize = 1024 * 1024;

/// How far past a candidate's `"traceID"` [`find_cut`] reads to check it: whoever calls it
/// must hold the file up to `from + CUT_WINDOW + CUT_LOOKAHEAD` (or its end), so that both
/// workers see the same bytes and find the same cut.
pub const CUT_LOOKAHEAD: usize = 4096;

/// The longest trace ID a cut accepts (longer ones are not IDs Jaeger writes).
const MAX_TRACE_ID: usize = 128;

/// How far before the cut search's start the second worker reads, so that
/// [`place_second_half`] can write the half's opening over bytes it does not need.
pub const SECOND_HALF_HEADROOM: usize = 32 + MAX_TRACE_ID;

/// The shapes of file that are cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A Jaeger query API response, `{"data":[…]}`.
    JaegerApi,
    /// An OTLP/JSON document, `{"resourceSpans":[…]}` (or Tempo's `batches`), or JSON lines
    /// of them.
    Otlp,
    /// A Zipkin v2 span array, `[{"traceId":…},…]`.
    Zipkin,
}

impl Shape {
    /// The format a file of this shape is read as.
    pub fn format(self) -> Format {
        match self {
            Shape::JaegerApi => Format::Jaeger,
            Shape::Otlp => Format::Otlp,
            Shape::Zipkin => Format::Zipkin,
        }
    }
}

/// Where a file is cut: the byte offset of the `,` between two spans, traces or resources,
/// and what the second half needs to open with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cut {
    /// Offset of the `,` in the file (the first half ends before it).
    pub at: usize,
    /// What is on either side of it.
    between: Between,
}

/// What a cut stands between.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Between {
    /// Two spans of one Jaeger trace object's `spans`: the trace ID the span after it gives.
    JaegerSpans(String),
    /// Two trace objects of a Jaeger response's `data`.
    JaegerTraces,
    /// Two elements of an OTLP document's `resourceSpans`.
    OtlpResources,
    /// Two OTLP documents of JSON lines (the cut at the white space between them).
    OtlpDocuments,
    /// Two spans of a Zipkin span array.
    ZipkinSpans,
}

impl Cut {
    /// What closes the first half: the `spans` array, its trace object, `data` and the
    /// document (or only `data`, or `resourceSpans`, and the document).
    pub fn first_half_end(&self) -> &'static [u8] {
        match self.between {
            Between::JaegerSpans(_) => b"]}]}",
            Between::JaegerTraces | Between::OtlpResources => b"]}",
            Between::OtlpDocuments => b"",
            Between::ZipkinSpans => b"]",
        }
    }

    /// What opens the second half, in place of the cut's `,` (or white space).
    pub fn second_half_start(&self) -> String {
        match &self.between {
            Between::JaegerSpans(trace_id) => {
                format!("{{\"data\":[{{\"traceID\":\"{trace_id}\",\"spans\":[")
            }
            Between::JaegerTraces => "{\"data\":[".to_string(),
            Between::OtlpResources => "{\"resourceSpans\":[".to_string(),
            Between::OtlpDocuments => String::new(),
            Between::ZipkinSpans => "[".to_string(),
        }
    }

    /// The shape of the file this cut is in.
    pub fn shape(&self) -> Shape {
        match self.between {
            Between::JaegerSpans(_) | Between::JaegerTraces => Shape::JaegerApi,
            Between::OtlpResources | Between::OtlpDocuments => Shape::Otlp,
            Between::ZipkinSpans => Shape::Zipkin,
        }
    }
}

/// The shape of a file that starts with `bytes`, if it is one that is cut: `{"data":[` (a
/// Jaeger query API response), `{"resourceSpans":[` (OTLP; also `resource_spans` and
/// Tempo's `batches`) or `[{"traceId"` (a Zipkin span array). Anything else is read in one
/// piece.
pub fn shape_of(bytes: &[u8]) -> Option<Shape> {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Some(array) = skip_ws(text).strip_prefix(b"[") {
        let first = skip_ws(skip_ws(array).strip_prefix(b"{")?);
        return first.starts_with(b"\"traceId\"").then_some(Shape::Zipkin);
    }
    let rest = skip_ws(text).strip_prefix(b"{")?;
    let rest = skip_ws(rest);
    let (shape, rest) = [
        (Shape::JaegerApi, &b"\"data\""[..]),
        (Shape::Otlp, b"\"resourceSpans\""),
        (Shape::Otlp, b"\"resource_spans\""),
        (Shape::Otlp, b"\"batches\""),
    ]
    .into_iter()
    .find_map(|(shape, key)| Some((shape, rest.strip_prefix(key)?)))?;
    let rest = skip_ws(rest).strip_prefix(b":")?;
    skip_ws(rest).starts_with(b"[").then_some(shape)
}

/// The first place at or after `from` in `bytes` (at most [`CUT_WINDOW`] on) where the file
/// can be cut, if any. `bytes` may be only part of the file, starting at file offset
/// `bytes_offset`; offsets in the result are file offsets. Two readers given the same bytes
/// find the same cut.
pub fn find_cut(bytes: &[u8], bytes_offset: usize, from: usize, shape: Shape) -> Option<Cut> {
    // OTLP: `"resource"` (a resource object) or `"resourceSpans"` (a document of JSON lines).
    let key: &[u8] = match shape {
        Shape::JaegerApi => b"\"traceID\"",
        Shape::Otlp => b"\"resource",
        Shape::Zipkin => b"\"traceId\"",
    };
    let start = from.checked_sub(bytes_offset)?;
    let limit = start
        .saturating_add(CUT_WINDOW + CUT_LOOKAHEAD)
        .min(bytes.len());
    let bytes = bytes.get(..limit)?;
    let end = start.saturating_add(CUT_WINDOW).min(bytes.len());
    let mut search = start;
    while search < end {
        let window = bytes.get(search..end)?;
        let found = window.windows(key.len()).position(|w| w == key)? + search;
        search = found + 1;
        // Backwards: `{`, then `,` (white space allowed between).
        let before = bytes.get(..found)?;
        let Some(brace) = last_non_ws(before) else {
            continue;
        };
        if before.get(brace) != Some(&b'{') {
            continue;
        }
        let Some(comma) = last_non_ws(before.get(..brace)?) else {
            continue;
        };
        if shape == Shape::Otlp {
            if let Some(cut) = otlp_cut(bytes, found + key.len(), comma, start) {
                return Some(Cut {
                    at: cut.0 + bytes_offset,
                    between: cut.1,
                });
            }
            continue;
        }
        if before.get(comma) != Some(&b',') || comma < start {
            continue;
        }
        let Some(after) = skip_ws(bytes.get(found + key.len()..)?).strip_prefix(b":") else {
            continue;
        };
        if shape == Shape::Zipkin {
            // `"traceId": "`: only spans have a trace ID (annotations and endpoints do not).
            if !skip_ws(after).starts_with(b"\"") {
                continue;
            }
            return Some(Cut {
                at: comma + bytes_offset,
                between: Between::ZipkinSpans,
            });
        }
        // Forwards: `"id"`, then `,` and the next key.
        let Some(after) = skip_ws(after).strip_prefix(b"\"") else {
            continue;
        };
        let Some(id_len) = after.iter().take(MAX_TRACE_ID + 1).position(|&b| b == b'"') else {
            continue;
        };
        let (id, after) = after.split_at(id_len);
        if id.is_empty() || !id.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-') {
            continue;
        }
        let Some(after) = after
            .strip_prefix(b"\"")
            .and_then(|a| skip_ws(a).strip_prefix(b","))
        else {
            continue;
        };
        let next_key = skip_ws(after);
        let between = if next_key.starts_with(b"\"spanID\"") {
            Between::JaegerSpans(String::from_utf8(id.to_vec()).ok()?)
        } else if next_key.starts_with(b"\"spans\"") {
            Between::JaegerTraces
        } else {
            continue;
        };
        return Some(Cut {
            at: comma + bytes_offset,
            between,
        });
    }
    None
}

/// An OTLP cut where `"resource` ends at `after_key` and the last character before its
/// object's `{` is at `before_brace`, if there is one at or after `start`: `,{"resource":{`
/// (between two resources; the cut at the `,`), or `}` white space `{"resourceSpans":[`
/// (between two documents of JSON lines; the cut at the first white space).
fn otlp_cut(
    bytes: &[u8],
    after_key: usize,
    before_brace: usize,
    start: usize,
) -> Option<(usize, Between)> {
    let rest = bytes.get(after_key..)?;
    let (at, rest, between) = if let Some(rest) = rest.strip_prefix(b"\"") {
        // Only `resourceSpans` elements have a `resource` key.
        (before_brace, rest, Between::OtlpResources)
    } else if let Some(rest) = rest.strip_prefix(b"Spans\"") {
        // The previous document ended before white space.
        if !bytes.get(before_brace + 1)?.is_ascii_whitespace() {
            return None;
        }
        (before_brace + 1, rest, Between::OtlpDocuments)
    } else {
        return None;
    };
    let expected = match between {
        Between::OtlpDocuments => (b'}', b'['),
        _ => (b',', b'{'),
    };
    let value = skip_ws(skip_ws(rest).strip_prefix(b":")?);
    (at >= start
        && bytes.get(before_brace) == Some(&expected.0)
        && value.first() == Some(&expected.1))
    .then_some((at, between))
}

/// Writes the second half's opening in place of the cut's `,` in `buffer`, where the cut's
/// `,` is at `cut_in_buffer`; returns where the second half now starts in `buffer` (`None`
/// when there is not enough room before it: hold [`SECOND_HALF_HEADROOM`] bytes before the
/// search's start).
pub fn place_second_half(buffer: &mut [u8], cut_in_buffer: usize, cut: &Cut) -> Option<usize> {
    let opening = cut.second_half_start();
    let start = (cut_in_buffer + 1).checked_sub(opening.len())?;
    buffer
        .get_mut(start..cut_in_buffer + 1)?
        .copy_from_slice(opening.as_bytes());
    Some(start)
}

/// One half of a split file, read but not yet built: what a worker hands to the other.
#[derive(Debug, Serialize, Deserialize)]
pub struct Half {
    traces: Vec<TraceBuilder>,
    objects: Vec<ObjectRecord>,
    missing_span_ids: usize,
}

impl Half {
    /// Spans read in this half.
    pub fn span_count(&self) -> usize {
        self.traces.iter().map(TraceBuilder::span_count).sum()
    }
}

/// Reads one half of the file `file` cut at `cut`. `None` when the half is not a plain API
/// response, OTLP document (or JSON lines of them) or Zipkin span array: the cut was not
/// where it looked to be,
/// the file has errors, or is not JSON — read the file in one piece then, which also explains
/// any error.
pub fn parse_half(
    file: &str,
    bytes: &[u8],
    cut: &Cut,
    report: &mut dyn FnMut(f64),
) -> Option<Half> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut collector = TraceCollector::new(file);
    collector.progress = Some(ProgressHook::new(text, report));
    collector.expect_input(text.len());
    match cut.shape() {
        Shape::JaegerApi => {
            collector.objects = Some(Vec::new());
            if !jaeger::read_api_response(text, &mut collector).ok()? {
                return None;
            }
        }
        Shape::Otlp => read_otlp_documents(text, &mut collector)?,
        Shape::Zipkin => zipkin::read_spans(text, &mut collector).ok()?,
    }
    let missing_span_ids = collector.missing_span_ids();
    let objects = collector.objects.take().unwrap_or_default();
    Some(Half {
        traces: collector.finish(),
        objects,
        missing_span_ids,
    })
}

/// Reads `text` as one OTLP document or as JSON lines of them, as the general reader does.
fn read_otlp_documents(text: &str, collector: &mut TraceCollector) -> Option<()> {
    if otlp::read_document(text, collector).is_ok() {
        return Some(());
    }
    // JSON lines (the Collector's file exporter): read again from a fresh collector, one
    // document at a time, each of them OTLP.
    *collector = collector.start_over();
    let documents = serde_json::Deserializer::from_str(text).into_iter::<&RawValue>();
    for document in documents {
        let raw = document.ok()?.get();
        if shape_of(raw.as_bytes()) != Some(Shape::Otlp) {
            return None;
        }
        otlp::read_document(raw, collector).ok()?;
    }
    Some(())
}

/// Joins the two halves of a file cut at `cut` into what reading it in one piece gives.
/// `None` when they cannot be joined faithfully (spans without IDs or trace IDs: their
/// placeholders are numbered per reader; Zipkin fragments of one span in both halves) —
/// read the file in one piece then.
pub fn merge_halves(mut first: Half, mut second: Half, cut: &Cut) -> Option<ParsedFile> {
    let placeholder_trace = |half: &Half| {
        half.traces
            .iter()
            .any(|builder| builder.trace_id() == MISSING_TRACE_ID)
    };
    if first.missing_span_ids + second.missing_span_ids > 0
        || placeholder_trace(&first)
        || placeholder_trace(&second)
    {
        return None;
    }
    // A trace object cut between its spans: the first half's last, the second half's first.
    // Each half describes the other's spans when it alone holds the object's `processes`.
    let cut_object = (first.objects.last(), second.objects.first());
    let between_spans = matches!(cut.between, Between::JaegerSpans(_));
    if let (true, Some(before), Some(after)) = (between_spans, cut_object.0, cut_object.1) {
        if let Some(processes) = &after.processes_raw {
            if !jaeger::describe_placeholders(&mut first.traces, processes, &before.unresolved) {
                return None;
            }
        }
        if let Some(processes) = &before.processes_raw {
            if !jaeger::describe_placeholders(&mut second.traces, processes, &after.unresolved) {
                return None;
            }
        }
    }
    let mut traces = first.traces;
    for builder in second.traces {
        let key = trace_key(builder.trace_id());
        match traces
            .iter_mut()
            .find(|known| trace_key(known.trace_id()) == key)
        {
            Some(known) => known.absorb(builder),
            None => traces.push(builder),
        }
    }
    let format = cut.shape().format();
    // Zipkin merges the fragments of a span (same ID, service and `shared` flag) in one reader:
    // fragments on both sides of the cut are two spans here, so read such a file whole.
    if format == Format::Zipkin && traces.iter().any(TraceBuilder::has_unmerged_fragments) {
        return None;
    }
    Some(ParsedFile {
        format,
        traces,
        skipped: Vec::new(),
    })
}

/// The half as bytes, for the worker that joins them.
pub fn encode_half(half: &Half) -> Result<Vec<u8>, String> {
    postcard::to_allocvec(half).map_err(|e| e.to_string())
}

/// A half from [`encode_half`]'s bytes.
pub fn decode_half(bytes: &[u8]) -> Result<Half, String> {
    postcard::from_bytes(bytes).map_err(|e| e.to_string())
}

fn skip_ws(bytes: &[u8]) -> &[u8] {
    let skip = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    bytes.get(skip..).unwrap_or_default()
}

fn last_non_ws(bytes: &[u8]) -> Option<usize> {
    bytes.iter().rposition(|b| !b.is_ascii_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::format::parse_file;
    use crate::core::generate::{write_trace, GenFormat};
    use crate::core::model::{AttrValue, Trace};

    /// Reads `bytes` in two halves cut at or after `from`, as the two workers do.
    fn parse_in_halves(bytes: &[u8], from: usize) -> Option<ParsedFile> {
        let cut = find_cut(bytes, 0, from, shape_of(bytes)?)?;
        let mut first = bytes.get(..cut.at)?.to_vec();
        first.extend_from_slice(cut.first_half_end());
        // The second worker reads from `from`, with room before it.
        let mut buffer = vec![0u8; SECOND_HALF_HEADROOM];
        buffer.extend_from_slice(bytes.get(from..)?);
        let start = place_second_half(&mut buffer, SECOND_HALF_HEADROOM + cut.at - from, &cut)?;
        let first = parse_half("f.json", &first, &cut, &mut |_| {})?;
        let second = parse_half("f.json", buffer.get(start..)?, &cut, &mut |_| {})?;
        // Through bytes, as between workers.
        let second = decode_half(&encode_half(&second).ok()?).ok()?;
        merge_halves(first, second, &cut)
    }

    /// Everything a person sees of each span, as text, in the built order.
    fn described(parsed: ParsedFile) -> Vec<Vec<String>> {
        let traces: Vec<Trace> = parsed.traces.into_iter().map(|b| b.build()).collect();
        traces
            .iter()
            .map(|trace| {
                let text = |attrs| {
                    trace
                        .attrs(attrs)
                        .iter()
                        .map(|a| match a.value {
                            AttrValue::Str(s) => format!("{}={}", trace.str(a.key), trace.str(s)),
                            other => format!("{}={other:?}", trace.str(a.key)),
                        })
                        .collect::<Vec<_>>()
                        .join(",")
                };
                let mut rows = vec![format!(
                    "trace {} warnings {:?}",
                    trace.trace_id,
                    trace
                        .warnings
                        .iter()
                        .map(|w| &w.message)
                        .collect::<Vec<_>>()
                )];
                rows.extend(trace.spans.iter().map(|span| {
                    let resource = trace.resources[span.resource as usize];
                    format!(
                        "{} parent {:?} depth {} {} {} {} {} {:?} {:?} [{}] [{}] events {} refs {}",
                        trace.str(span.span_id),
                        span.parent.map(|p| trace.str(trace.spans[p.get()].span_id)),
                        span.depth,
                        trace.str(span.service),
                        trace.str(span.operation),
                        span.start_ns,
                        span.duration_ns,
                        span.kind,
                        span.status,
                        text(span.attrs),
                        text(resource.attrs),
                        span.events.end - span.events.start,
                        span.refs.end - span.refs.start,
                    )
                }));
                rows
            })
            .collect()
    }

    fn whole(bytes: &[u8]) -> Vec<Vec<String>> {
        described(parse_file("f.json", bytes).expect("parses"))
    }

    /// One cut of a real fixture: the file, what the cut stands between, and whether its
    /// halves joined.
    struct FixtureCut {
        file: String,
        between: Between,
        joined: bool,
    }

    /// Cuts every fixture in `tests/fixtures/<dir>` of `shape` that loads, at every
    /// `1/pieces` of it; the halves of each cut that join must read as the whole file does.
    fn cut_fixtures(dir: &str, shape: Shape, pieces: usize) -> Vec<FixtureCut> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(dir);
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).expect("fixtures") {
            let path = entry.expect("entry").path();
            let bytes = std::fs::read(&path).expect("read");
            if shape_of(&bytes) != Some(shape) || parse_file("f.json", &bytes).is_err() {
                continue;
            }
            let expected = whole(&bytes);
            for piece in 1..pieces {
                let from = bytes.len() * piece / pieces;
                let Some(cut) = find_cut(&bytes, 0, from, shape) else {
                    continue;
                };
                let halves = parse_in_halves(&bytes, from);
                let joined = halves.is_some();
                if let Some(halves) = halves {
                    assert_eq!(described(halves), expected, "{path:?} cut after {from}");
                }
                out.push(FixtureCut {
                    file: path
                        .file_name()
                        .map_or(String::new(), |n| n.to_string_lossy().to_string()),
                    between: cut.between,
                    joined,
                });
            }
        }
        out
    }

    /// Cuts a generated trace of `format` at several points: each cut stands between
    /// `between` and reads as the whole file does. Returns the file and the cuts.
    fn generated_cuts(format: GenFormat, shape: Shape, between: Between) -> (Vec<u8>, Vec<Cut>) {
        let mut bytes = Vec::new();
        write_trace(&mut bytes, 3_000, format, 5).expect("generate");
        assert_eq!(shape_of(&bytes), Some(shape));
        let expected = whole(&bytes);
        let mut cuts = Vec::new();
        for from in [bytes.len() / 2, bytes.len() / 7, bytes.len() * 9 / 10, 40] {
            let cut = find_cut(&bytes, 0, from, shape).expect("a cut");
            assert_eq!(cut.between, between);
            let halves = parse_in_halves(&bytes, from).expect("cut and read");
            assert_eq!(halves.format, shape.format());
            assert_eq!(described(halves), expected, "cut at {from}");
            cuts.push(cut);
        }
        (bytes, cuts)
    }

    #[test]
    fn a_generated_trace_read_in_halves_equals_the_whole() {
        let mut bytes = Vec::new();
        write_trace(&mut bytes, 3_000, GenFormat::Jaeger, 5).expect("generate");
        let expected = whole(&bytes);
        for from in [bytes.len() / 2, bytes.len() / 7, bytes.len() * 9 / 10, 40] {
            let halves = parse_in_halves(&bytes, from).expect("cut and read");
            assert_eq!(described(halves), expected, "cut at {from}");
        }
    }

    #[test]
    fn real_jaeger_files_read_in_halves_equal_the_whole() {
        let cuts = cut_fixtures("jaeger", Shape::JaegerApi, 8);
        assert!(cuts.iter().all(|c| c.joined), "a cut that reads");
        let cut_files: std::collections::HashSet<&str> =
            cuts.iter().map(|c| c.file.as_str()).collect();
        // oltp2jaeger-multi-out.json (pretty-printed, several traces); the other API response
        // writes its keys in alphabetical order, so it has no place to cut.
        assert!(!cut_files.is_empty(), "{cut_files:?} fixtures cut");
    }

    #[test]
    fn processes_before_the_spans_describe_the_second_half_too() {
        let span = |id: u32, process: &str| {
            format!(
                r#"{{"traceID":"ab","spanID":"{id:x}","operationName":"op{id}","references":[{{"refType":"CHILD_OF","traceID":"ab","spanID":"1"}}],"startTime":{},"duration":5,"processID":"{process}"}}"#,
                100 + id
            )
        };
        let spans: Vec<String> = (2..40)
            .map(|i| span(i, if i % 2 == 0 { "p1" } else { "p2" }))
            .collect();
        let root = r#"{"traceID":"ab","spanID":"1","operationName":"root","startTime":100,"duration":500,"processID":"p1"}"#;
        let processes = r#""processes":{"p1":{"serviceName":"front","tags":[{"key":"ip","type":"string","value":"10.0.0.1"}]},"p2":{"serviceName":"back"}}"#;
        let before = format!(
            r#"{{"data":[{{"traceID":"ab",{processes},"spans":[{root},{}]}}],"total":0}}"#,
            spans.join(",")
        );
        let after = format!(
            r#"{{"data":[{{"traceID":"ab","spans":[{root},{}],{processes},"warnings":null}}]}}"#,
            spans.join(",")
        );
        for text in [before, after] {
            let expected = whole(text.as_bytes());
            assert!(expected[0].iter().any(|row| row.contains(" back ")));
            let halves = parse_in_halves(text.as_bytes(), text.len() / 2).expect("cut");
            assert_eq!(described(halves), expected);
        }
    }

    #[test]
    fn several_traces_are_cut_between_spans_or_between_traces() {
        let mut traces = Vec::new();
        for seed in 1..=4 {
            let mut one = Vec::new();
            write_trace(&mut one, 200, GenFormat::Jaeger, seed).expect("generate");
            let text = String::from_utf8(one).expect("utf-8");
            let inner = text
                .strip_prefix("{\"data\":[")
                .and_then(|t| t.trim_end().strip_suffix("]}"))
                .expect("an API response")
                .to_string();
            traces.push(inner);
        }
        let text = format!("{{\"data\":[{}]}}", traces.join(","));
        let expected = whole(text.as_bytes());
        assert_eq!(expected.len(), 4);
        let boundary = text.find(&traces[2]).expect("third trace") - 1;
        let cut = find_cut(text.as_bytes(), 0, boundary, Shape::JaegerApi).expect("between traces");
        assert_eq!((cut.at, cut.between), (boundary, Between::JaegerTraces));
        for from in [boundary, text.len() / 3, text.len() / 2 + 17] {
            let halves = parse_in_halves(text.as_bytes(), from).expect("cut");
            assert_eq!(described(halves), expected, "from {from}");
        }
    }

    #[test]
    fn a_generated_otlp_trace_read_in_halves_equals_the_whole() {
        let (bytes, cuts) = generated_cuts(GenFormat::Otlp, Shape::Otlp, Between::OtlpResources);
        for cut in cuts {
            assert!(bytes[cut.at + 1..].starts_with(b"{\"resource\":{"));
        }
    }

    #[test]
    fn real_otlp_files_read_in_halves_equal_the_whole() {
        let cuts = cut_fixtures("otlp", Shape::Otlp, 16);
        assert!(cuts.iter().all(|c| c.joined), "a cut that reads");
        let cut_files: std::collections::HashSet<&str> =
            cuts.iter().map(|c| c.file.as_str()).collect();
        // A pretty-printed document of several resources, and the JSON-lines file (the
        // others hold one resource each: no place to cut).
        assert!(cut_files.len() >= 2, "{cut_files:?}");
        assert!(
            cut_files.contains("otlp2jaeger-multi-in.json.txt"),
            "{cut_files:?}"
        );
        // Its lines hold one resource each: cut between the lines.
        let between: Vec<&Between> = cuts.iter().map(|c| &c.between).collect();
        assert!(between.contains(&&Between::OtlpDocuments), "{between:?}");
        assert!(between.contains(&&Between::OtlpResources), "{between:?}");
    }

    #[test]
    fn otlp_json_lines_are_cut_between_documents_or_resources() {
        let text = crate::core::demo::demo_otlp_json_lines();
        let bytes = text.as_bytes();
        let expected = whole(bytes);
        let mut kinds = Vec::new();
        for tenth in 1..10 {
            let from = bytes.len() * tenth / 10;
            let Some(cut) = find_cut(bytes, 0, from, Shape::Otlp) else {
                continue;
            };
            kinds.push(cut.between.clone());
            let halves = parse_in_halves(bytes, from).expect("cut");
            assert_eq!(described(halves), expected, "from {from}");
        }
        // Several resources a line: cut between resources, inside a line.
        assert_eq!(kinds.len(), 9, "{kinds:?}");
    }

    #[test]
    fn otlp_traces_spread_over_resources_join_across_the_cut() {
        // Three traces whose resources alternate: each trace has spans on both sides.
        let mut resources: Vec<Vec<String>> = Vec::new();
        for seed in 1..=3 {
            let mut one = Vec::new();
            write_trace(&mut one, 150, GenFormat::Otlp, seed).expect("generate");
            let value: serde_json::Value = serde_json::from_slice(&one).expect("json");
            let list = value["resourceSpans"]
                .as_array()
                .expect("resources")
                .clone();
            resources.push(list.iter().map(|r| r.to_string()).collect());
        }
        let longest = resources.iter().map(Vec::len).max().unwrap_or(0);
        let mut mixed = Vec::new();
        for i in 0..longest {
            for list in &resources {
                mixed.extend(list.get(i).cloned());
            }
        }
        let text = format!("{{\"resourceSpans\":[{}]}}", mixed.join(","));
        let expected = whole(text.as_bytes());
        assert_eq!(expected.len(), 3);
        for from in [text.len() / 3, text.len() / 2, text.len() * 3 / 4] {
            let halves = parse_in_halves(text.as_bytes(), from).expect("cut");
            assert_eq!(described(halves), expected, "from {from}");
        }
    }

    #[test]
    fn otlp_without_a_place_to_cut_is_read_whole() {
        // One resource: nothing between two resources to cut at.
        let one = r#"{"resourceSpans":[{"resource":{"attributes":[]},"scopeSpans":[{"scope":{},"spans":[{"traceId":"ab","spanId":"01","name":"a"},{"traceId":"ab","spanId":"02","name":"b"}]}]}]}"#;
        assert_eq!(find_cut(one.as_bytes(), 0, 10, Shape::Otlp), None);
        // The resource written after the scopes: no `{"resource"` to cut before.
        let late = r#"{"resourceSpans":[{"scopeSpans":[],"resource":{"attributes":[]}},{"scopeSpans":[],"resource":{}}]}"#;
        assert_eq!(find_cut(late.as_bytes(), 0, 10, Shape::Otlp), None);
        // `resource` only as an attribute's key or value: not a cut.
        let attr = r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"resource","value":{"stringValue":",{\"resource\":{"}}]}}]}"#;
        assert_eq!(find_cut(attr.as_bytes(), 0, 20, Shape::Otlp), None);
    }

    #[test]
    fn a_generated_zipkin_trace_read_in_halves_equals_the_whole() {
        generated_cuts(GenFormat::Zipkin, Shape::Zipkin, Between::ZipkinSpans);
    }

    #[test]
    fn real_zipkin_files_read_in_halves_equal_the_whole() {
        // Fragments of one span on both sides of a cut: not joined (read whole).
        let cuts = cut_fixtures("zipkin", Shape::Zipkin, 16);
        let joined = cuts.iter().filter(|c| c.joined).count();
        assert!(joined >= 40, "{joined} of {} cuts joined", cuts.len());
    }

    #[test]
    fn zipkin_fragments_of_a_span_on_both_sides_are_read_whole() {
        let span = |id: &str, extra: &str| {
            format!(
                r#"{{"traceId":"ab","id":"{id}","parentId":"01","name":"op","timestamp":10,"localEndpoint":{{"serviceName":"api"}}{extra}}}"#
            )
        };
        let root = r#"{"traceId":"ab","id":"01","name":"root","timestamp":1,"duration":100,"localEndpoint":{"serviceName":"api"}}"#;
        let first = span("02", r#","duration":5"#);
        let fragment = span("02", r#","tags":{"late":"yes"}"#);
        let other = span("03", r#","duration":7"#);
        // The fragment after the cut: joined apart it would be a second span 02.
        let apart = format!("[{root},{first},{other},{fragment}]");
        let from = apart.find(&other).expect("other") - 1;
        assert!(find_cut(apart.as_bytes(), 0, from, Shape::Zipkin).is_some());
        assert!(parse_in_halves(apart.as_bytes(), from).is_none());
        // Both fragments before the cut: merged as in one piece.
        let together = format!("[{root},{first},{fragment},{other}]");
        let from = together.find(&other).expect("other") - 1;
        let expected = whole(together.as_bytes());
        assert_eq!(expected[0].len(), 1 + 3);
        let halves = parse_in_halves(together.as_bytes(), from).expect("joined");
        assert_eq!(described(halves), expected);
    }

    #[test]
    fn places_that_only_look_like_cuts_are_refused_or_fail_safely() {
        // In a string, quotes are escaped: no cut.
        let text = r#"{"data":[{"traceID":"ab","spans":[{"traceID":"ab","spanID":"1","operationName":"x,{\"traceID\":\"ab\",\"spanID\":1"}]}]}"#;
        assert_eq!(find_cut(text.as_bytes(), 0, 40, Shape::JaegerApi), None);
        // References written traceID-first look like a cut between spans; the first half is
        // then not valid JSON, so the file must be read whole.
        let refs = r#"{"data":[{"traceID":"ab","spans":[{"traceID":"ab","spanID":"2","operationName":"x","references":[{"traceID":"ab","spanID":"0","refType":"FOLLOWS_FROM"},{"traceID":"ab","spanID":"1","refType":"CHILD_OF"}],"startTime":1,"duration":1}]}]}"#;
        assert!(find_cut(refs.as_bytes(), 0, 90, Shape::JaegerApi).is_some());
        assert!(parse_in_halves(refs.as_bytes(), 90).is_none());
        // Spans without IDs are numbered per reader: not joined.
        let no_ids = r#"{"data":[{"traceID":"ab","spans":[{"traceID":"ab","operationName":"a","spanID":"1"},{"traceID":"ab","spanID":"2","operationName":"b"},{"traceID":"ab","spanID":"3"},{"traceID":"ab","spanID":"4"}]}]}"#;
        assert!(parse_in_halves(no_ids.as_bytes(), 60).is_some());
        let unnamed = no_ids.replace(r#""spanID":"1""#, r#""x":1"#);
        assert!(find_cut(unnamed.as_bytes(), 0, 60, Shape::JaegerApi).is_some());
        assert!(parse_in_halves(unnamed.as_bytes(), 60).is_none());
        // Not an API response, or broken JSON: refused or not joined.
        assert_eq!(shape_of(br#"[{"traceID":"ab"}]"#), None);
        assert_eq!(
            shape_of(b" [ {\n \"traceId\": \"ab\"}]"),
            Some(Shape::Zipkin)
        );
        assert_eq!(shape_of(br#"[[{"traceId":"ab"}]]"#), None);
        assert_eq!(shape_of(br#"{"trace":{"resourceSpans":[]}}"#), None);
        assert_eq!(shape_of(b" \n{ \"data\" : ["), Some(Shape::JaegerApi));
        assert_eq!(shape_of(b"\xEF\xBB\xBF{\"batches\": ["), Some(Shape::Otlp));
        let broken = no_ids.replace(r#""spanID":"4"}"#, r#""spanID":"4"#);
        assert!(parse_in_halves(broken.as_bytes(), 60).is_none());
        // No room for the opening.
        let cut = find_cut(no_ids.as_bytes(), 0, 60, Shape::JaegerApi).expect("cut");
        assert_eq!(place_second_half(&mut [0u8; 4], 2, &cut), None);
    }
}
