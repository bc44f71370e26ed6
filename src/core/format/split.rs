//! Reading one large Jaeger query API response as two halves at once (two Web Workers use
//! both cores of a 2-core machine; parsing is most of a load's time).
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
use serde::{Deserialize, Serialize};

use super::collector::{ObjectRecord, ProgressHook, TraceCollector};
use super::{jaeger, Format, ParsedFile, MISSING_TRACE_ID};
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

/// Where a file is cut: the byte offset of the `,` between two spans (or two traces), and
/// what the second half needs to open with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cut {
    /// Offset of the `,` in the file (the first half ends before it).
    pub at: usize,
    /// The trace ID the span (or trace object) after the cut gives.
    trace_id: String,
    /// Between two spans of a trace's `spans` (else between two traces of `data`).
    between_spans: bool,
}

impl Cut {
    /// What closes the first half: the `spans` array, its trace object, `data` and the
    /// document (or only `data` and the document).
    pub fn first_half_end(&self) -> &'static [u8] {
        if self.between_spans {
            b"]}]}"
        } else {
            b"]}"
        }
    }

    /// What opens the second half, in place of the cut's `,`.
    pub fn second_half_start(&self) -> String {
        if self.between_spans {
            format!(
                "{{\"data\":[{{\"traceID\":\"{}\",\"spans\":[",
                self.trace_id
            )
        } else {
            "{\"data\":[".to_string()
        }
    }
}

/// Whether `bytes` starts as a Jaeger query API response, `{"data":[`: the only shape cut.
pub fn is_api_response(bytes: &[u8]) -> bool {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let rest = skip_ws(text);
    let Some(rest) = rest.strip_prefix(b"{") else {
        return false;
    };
    let Some(rest) = skip_ws(rest).strip_prefix(b"\"data\"") else {
        return false;
    };
    let Some(rest) = skip_ws(rest).strip_prefix(b":") else {
        return false;
    };
    skip_ws(rest).starts_with(b"[")
}

/// The first place at or after `from` in `bytes` (at most [`CUT_WINDOW`] on) where the file
/// can be cut, if any. `bytes` may be only part of the file, starting at file offset
/// `bytes_offset`; offsets in the result are file offsets. Two readers given the same bytes
/// find the same cut.
pub fn find_cut(bytes: &[u8], bytes_offset: usize, from: usize) -> Option<Cut> {
    const KEY: &[u8] = b"\"traceID\"";
    let start = from.checked_sub(bytes_offset)?;
    let limit = start
        .saturating_add(CUT_WINDOW + CUT_LOOKAHEAD)
        .min(bytes.len());
    let bytes = bytes.get(..limit)?;
    let end = start.saturating_add(CUT_WINDOW).min(bytes.len());
    let mut search = start;
    while search < end {
        let window = bytes.get(search..end)?;
        let found = window.windows(KEY.len()).position(|w| w == KEY)? + search;
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
        if before.get(comma) != Some(&b',') || comma < start {
            continue;
        }
        // Forwards: `: "id"`, then `,` and the next key.
        let after = bytes.get(found + KEY.len()..)?;
        let Some(after) = skip_ws(after).strip_prefix(b":") else {
            continue;
        };
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
        let between_spans = if next_key.starts_with(b"\"spanID\"") {
            true
        } else if next_key.starts_with(b"\"spans\"") {
            false
        } else {
            continue;
        };
        let trace_id = String::from_utf8(id.to_vec()).ok()?;
        return Some(Cut {
            at: comma + bytes_offset,
            trace_id,
            between_spans,
        });
    }
    None
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

/// Reads one half (see [`Cut`]) of the file `file`. `None` when the half is not a plain API
/// response: the cut was not between spans or traces, the file has errors, or is not JSON
/// — read the file in one piece then, which also explains any error.
pub fn parse_half(file: &str, bytes: &[u8], report: &mut dyn FnMut(f64)) -> Option<Half> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut collector = TraceCollector::new(file);
    collector.progress = Some(ProgressHook::new(text, report));
    collector.expect_input(text.len());
    collector.objects = Some(Vec::new());
    if !jaeger::read_api_response(text, &mut collector).ok()? {
        return None;
    }
    let missing_span_ids = collector.missing_span_ids();
    let objects = collector.objects.take().unwrap_or_default();
    Some(Half {
        traces: collector.finish(),
        objects,
        missing_span_ids,
    })
}

/// Joins the two halves of a file cut at `cut` into what reading it in one piece gives.
/// `None` when they cannot be joined faithfully (spans without IDs or trace IDs: their
/// placeholders are numbered per reader) — read the file in one piece then.
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
    if let (true, Some(before), Some(after)) = (cut.between_spans, cut_object.0, cut_object.1) {
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
    Some(ParsedFile {
        format: Format::Jaeger,
        traces,
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
        let cut = find_cut(bytes, 0, from)?;
        let mut first = bytes.get(..cut.at)?.to_vec();
        first.extend_from_slice(cut.first_half_end());
        // The second worker reads from `from`, with room before it.
        let mut buffer = vec![0u8; SECOND_HALF_HEADROOM];
        buffer.extend_from_slice(bytes.get(from..)?);
        let start = place_second_half(&mut buffer, SECOND_HALF_HEADROOM + cut.at - from, &cut)?;
        let first = parse_half("f.json", &first, &mut |_| {})?;
        let second = parse_half("f.json", buffer.get(start..)?, &mut |_| {})?;
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
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/jaeger");
        let mut cut_files = 0;
        for entry in std::fs::read_dir(dir).expect("fixtures") {
            let bytes = std::fs::read(entry.expect("entry").path()).expect("read");
            if !is_api_response(&bytes) {
                continue;
            }
            let expected = whole(&bytes);
            let mut cuts = 0;
            for eighth in 1..8 {
                let from = bytes.len() * eighth / 8;
                if find_cut(&bytes, 0, from).is_none() {
                    continue;
                }
                let halves = parse_in_halves(&bytes, from).expect("a cut that reads");
                assert_eq!(described(halves), expected, "cut after {from}");
                cuts += 1;
            }
            cut_files += usize::from(cuts > 0);
        }
        // oltp2jaeger-multi-out.json (pretty-printed, several traces); the other API response
        // writes its keys in alphabetical order, so it has no place to cut.
        assert!(cut_files >= 1, "{cut_files} fixtures cut");
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
        let cut = find_cut(text.as_bytes(), 0, boundary).expect("between traces");
        assert_eq!((cut.at, cut.between_spans), (boundary, false));
        for from in [boundary, text.len() / 3, text.len() / 2 + 17] {
            let halves = parse_in_halves(text.as_bytes(), from).expect("cut");
            assert_eq!(described(halves), expected, "from {from}");
        }
    }

    #[test]
    fn places_that_only_look_like_cuts_are_refused_or_fail_safely() {
        // In a string, quotes are escaped: no cut.
        let text = r#"{"data":[{"traceID":"ab","spans":[{"traceID":"ab","spanID":"1","operationName":"x,{\"traceID\":\"ab\",\"spanID\":1"}]}]}"#;
        assert_eq!(find_cut(text.as_bytes(), 0, 40), None);
        // References written traceID-first look like a cut between spans; the first half is
        // then not valid JSON, so the file must be read whole.
        let refs = r#"{"data":[{"traceID":"ab","spans":[{"traceID":"ab","spanID":"2","operationName":"x","references":[{"traceID":"ab","spanID":"0","refType":"FOLLOWS_FROM"},{"traceID":"ab","spanID":"1","refType":"CHILD_OF"}],"startTime":1,"duration":1}]}]}"#;
        assert!(find_cut(refs.as_bytes(), 0, 90).is_some());
        assert!(parse_in_halves(refs.as_bytes(), 90).is_none());
        // Spans without IDs are numbered per reader: not joined.
        let no_ids = r#"{"data":[{"traceID":"ab","spans":[{"traceID":"ab","operationName":"a","spanID":"1"},{"traceID":"ab","spanID":"2","operationName":"b"},{"traceID":"ab","spanID":"3"},{"traceID":"ab","spanID":"4"}]}]}"#;
        assert!(parse_in_halves(no_ids.as_bytes(), 60).is_some());
        let unnamed = no_ids.replace(r#""spanID":"1""#, r#""x":1"#);
        assert!(find_cut(unnamed.as_bytes(), 0, 60).is_some());
        assert!(parse_in_halves(unnamed.as_bytes(), 60).is_none());
        // Not an API response, or broken JSON: refused or not joined.
        assert!(!is_api_response(br#"[{"traceID":"ab"}]"#));
        assert!(is_api_response(b" \n{ \"data\" : ["));
        let broken = no_ids.replace(r#""spanID":"4"}"#, r#""spanID":"4"#);
        assert!(parse_in_halves(broken.as_bytes(), 60).is_none());
        // No room for the opening.
        let cut = find_cut(no_ids.as_bytes(), 0, 60).expect("cut");
        assert_eq!(place_second_half(&mut [0u8; 4], 2, &cut), None);
    }
}
