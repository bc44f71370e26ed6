#![allow(clippy::unwrap_used)]
//! Every real fixture file loads with the right span and trace counts, and bad input gives the
//! documented messages. Expected numbers were counted independently from the files (see
//! tests/fixtures/SOURCES.md); Zipkin counts are after Zipkin's merge of span fragments.
use tracagg::core::format::{parse_file, Format, LoadError};
use tracagg::core::load::load_into;
use tracagg::core::model::{SpanFlags, TraceSet, WarningKind};

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn load(paths: &[&str]) -> TraceSet {
    let mut set = TraceSet::new();
    for path in paths {
        load_into(&mut set, path, &fixture(path)).unwrap();
    }
    set
}

struct Expect {
    path: &'static str,
    format: Format,
    /// (spans, errors, roots) per trace in load order.
    traces: &'static [(usize, usize, usize)],
    services: usize,
}

const EXPECTED: &[Expect] = &[
    Expect {
        path: "jaeger/TraceGraph-testTrace.json",
        format: Format::Jaeger,
        traces: &[(11, 1, 1)],
        services: 2,
    },
    Expect {
        path: "jaeger/model-json-fixture.json",
        format: Format::Jaeger,
        traces: &[(3, 1, 1)],
        services: 2,
    },
    Expect {
        path: "jaeger/oltp2jaeger-multi-out.json",
        format: Format::Jaeger,
        traces: &[(4, 0, 1)],
        services: 1,
    },
    Expect {
        path: "jaeger/root-2992f2a5b5d037a8aabffd08ef384237.json",
        format: Format::Jaeger,
        traces: &[(2, 0, 1)],
        services: 1,
    },
    Expect {
        path: "jaeger/upload-test-file-a.json",
        format: Format::Jaeger,
        traces: &[(2, 0, 1)],
        services: 1,
    },
    Expect {
        path: "jaeger/upload-test-file-b.json",
        format: Format::Jaeger,
        traces: &[(1, 0, 1)],
        services: 1,
    },
    Expect {
        path: "jaeger/uimodel-ui_01.json",
        format: Format::Jaeger,
        traces: &[(5, 1, 2)],
        services: 2,
    },
    Expect {
        path: "otlp/api-v3-getTrace-response.json",
        format: Format::Otlp,
        traces: &[(40, 3, 1)],
        services: 6,
    },
    Expect {
        path: "otlp/genai-agent-trace.json",
        format: Format::Otlp,
        traces: &[(8, 0, 1)],
        services: 1,
    },
    Expect {
        path: "otlp/otlp2jaeger-multi-in.json.txt",
        format: Format::Otlp,
        traces: &[(4, 0, 1)],
        services: 1,
    },
    Expect {
        path: "otlp/example_trace.json",
        format: Format::Otlp,
        traces: &[(5, 0, 5)],
        services: 3,
    },
    Expect {
        path: "otlp/memory-otel_traces_01.json",
        format: Format::Otlp,
        traces: &[(2, 2, 2), (2, 2, 2)],
        services: 1,
    },
    Expect {
        path: "otlp/examples-trace.json",
        format: Format::Otlp,
        traces: &[(1, 0, 1)],
        services: 1,
    },
    Expect {
        path: "zipkin/malformed.json",
        format: Format::Zipkin,
        traces: &[(7, 0, 1)],
        services: 2,
    },
    Expect {
        path: "zipkin/messaging-kafka.json",
        format: Format::Zipkin,
        traces: &[(28, 3, 1)],
        services: 2,
    },
    Expect {
        path: "zipkin/messaging2.json",
        format: Format::Zipkin,
        traces: &[(11, 0, 7)],
        services: 4,
    },
    Expect {
        path: "zipkin/skew.json",
        format: Format::Zipkin,
        traces: &[(4, 0, 1)],
        services: 2,
    },
    Expect {
        path: "zipkin/smartthings-oauth-authorization.json",
        format: Format::Zipkin,
        traces: &[(171, 2, 1)],
        services: 8,
    },
    Expect {
        path: "zipkin/yelp.json",
        format: Format::Zipkin,
        traces: &[(16, 0, 1)],
        services: 6,
    },
];

#[test]
fn every_fixture_loads_with_the_right_counts() {
    for expect in EXPECTED {
        let parsed = parse_file(expect.path, &fixture(expect.path)).unwrap();
        assert_eq!(parsed.format, expect.format, "{}", expect.path);
        let set = load(&[expect.path]);
        let got: Vec<_> = set
            .traces()
            .iter()
            .map(|t| (t.spans.len(), t.error_count(), t.roots.len()))
            .collect();
        assert_eq!(got, expect.traces, "{}", expect.path);
        let services: usize = set
            .traces()
            .iter()
            .map(|t| t.service_names().len())
            .max()
            .unwrap();
        assert_eq!(services, expect.services, "{}", expect.path);
    }
}

#[test]
fn every_trace_is_a_consistent_pre_order_tree() {
    for expect in EXPECTED {
        for trace in load(&[expect.path]).traces() {
            for (index, span) in trace.spans.iter().enumerate() {
                assert!(span.subtree_end as usize > index, "{}", expect.path);
                if let Some(parent) = span.parent {
                    let parent_span = &trace.spans[parent.get()];
                    assert!(parent.get() < index);
                    assert_eq!(span.depth, parent_span.depth + 1);
                    assert!(parent_span.subtree_end >= span.subtree_end);
                } else {
                    assert_eq!(span.depth, 0);
                }
                assert!(span.duration_ns >= 0);
            }
        }
    }
}

#[test]
fn orphans_are_flagged_and_warned() {
    let set = load(&["zipkin/messaging2.json"]);
    let trace = &set.traces()[0];
    let orphans = trace
        .spans
        .iter()
        .filter(|s| s.flags.has(SpanFlags::MISSING_PARENT))
        .count();
    assert_eq!(orphans, 6);
    let missing = trace
        .warnings
        .iter()
        .filter(|w| w.kind == WarningKind::MissingParent)
        .count();
    assert_eq!(missing, 6);
}

#[test]
fn zipkin_shared_server_half_hangs_under_its_client_half() {
    let set = load(&["zipkin/skew.json"]);
    let trace = &set.traces()[0];
    let rows: Vec<_> = trace
        .spans
        .iter()
        .map(|s| (trace.str(s.service).to_string(), s.kind.as_str(), s.depth))
        .collect();
    assert_eq!(
        rows,
        vec![
            ("servicea".to_string(), "server", 0),
            ("servicea".to_string(), "client", 1),
            ("serviceb".to_string(), "server", 2),
            ("serviceb".to_string(), "", 3),
        ]
    );
    assert!(trace.warnings.is_empty());
}

#[test]
fn zipkin_fragments_of_one_span_are_merged() {
    let set = load(&["zipkin/smartthings-oauth-authorization.json"]);
    let trace = &set.traces()[0];
    let receive: Vec<_> = trace
        .spans
        .iter()
        .filter(|s| trace.str(s.span_id) == "9d2d35b746db84f3" && s.flags.has(SpanFlags::SHARED))
        .collect();
    assert_eq!(receive.len(), 1);
    // The earliest of the five fragments' timestamps.
    assert_eq!(receive[0].start_ns, 1_543_334_725_549_997_000);
}

#[test]
fn otlp_details_are_read() {
    let set = load(&["otlp/api-v3-getTrace-response.json"]);
    let trace = &set.traces()[0];
    assert_eq!(trace.trace_id, "2ea75461946a7dd10f2c15ab36a076cb");
    let root = trace.span(trace.root_span().unwrap()).unwrap();
    assert_eq!(trace.str(root.service), "frontend");
    let first = trace
        .spans
        .iter()
        .find(|s| trace.str(s.span_id) == "9082d67808fc8870")
        .unwrap();
    assert_eq!(first.start_ns, 1_782_036_644_636_668_325);
    assert_eq!(first.kind.as_str(), "client");
    assert!(trace
        .attrs(first.attrs)
        .iter()
        .any(|a| trace.str(a.key) == "otel.scope.name"));
}

#[test]
fn upper_case_hex_ids_are_normalised() {
    let set = load(&["otlp/examples-trace.json"]);
    assert_eq!(set.traces()[0].trace_id, "5b8efff798038103d269b633813fc60c");
}

#[test]
fn spans_of_one_trace_in_two_files_are_merged() {
    // Split a real trace into two files by span.
    let text = String::from_utf8(fixture("jaeger/TraceGraph-testTrace.json")).unwrap();
    let mut whole: serde_json::Value = serde_json::from_str(&text).unwrap();
    let spans = whole["spans"].as_array().unwrap().clone();
    let (left, right) = spans.split_at(5);
    whole["spans"] = serde_json::Value::Array(left.to_vec());
    let first = whole.to_string();
    whole["spans"] = serde_json::Value::Array(right.to_vec());
    let second = whole.to_string();

    let mut set = TraceSet::new();
    let a = load_into(&mut set, "part-1.json", first.as_bytes()).unwrap();
    let b = load_into(&mut set, "part-2.json", second.as_bytes()).unwrap();
    assert_eq!((a.traces_added, b.traces_merged), (1, 1));
    assert_eq!(set.len(), 1);
    let trace = &set.traces()[0];
    assert_eq!(trace.spans.len(), 11);
    assert_eq!(trace.roots.len(), 1);
    assert!(trace.warnings.is_empty(), "{:?}", trace.warnings);
    assert_eq!(trace.sources, vec!["part-1.json", "part-2.json"]);
}

#[test]
fn loading_the_same_file_twice_keeps_one_copy_of_each_span() {
    let set = load(&["zipkin/yelp.json", "zipkin/yelp.json"]);
    assert_eq!(set.len(), 1);
    let trace = &set.traces()[0];
    assert_eq!(trace.spans.len(), 16);
    assert!(trace
        .warnings
        .iter()
        .any(|w| w.kind == WarningKind::DuplicateSpan));
}

#[test]
fn the_same_trace_in_jaeger_and_otlp_form_merges_without_doubling() {
    let set = load(&[
        "jaeger/oltp2jaeger-multi-out.json",
        "otlp/otlp2jaeger-multi-in.json.txt",
    ]);
    assert_eq!(set.len(), 1);
    let trace = &set.traces()[0];
    assert_eq!(trace.spans.len(), 4);
    assert!(trace
        .warnings
        .iter()
        .all(|w| w.kind == WarningKind::DuplicateSpan));
}

#[test]
fn invalid_json_names_file_line_and_column() {
    let error =
        parse_file("broken.json", b"{\n  \"data\": [\n    {\"traceID\": }\n]}").unwrap_err();
    match &error {
        LoadError::InvalidJson {
            file, line, column, ..
        } => {
            assert_eq!((file.as_str(), *line, *column), ("broken.json", 3, 17));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(error
        .to_string()
        .starts_with("broken.json: not valid JSON at line 3, column 17"));
}

#[test]
fn unknown_shapes_say_what_is_accepted() {
    let error = parse_file("package.json", br#"{"name": "x", "version": "1"}"#).unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains("package.json: not a known trace format"),
        "{text}"
    );
    assert!(text.contains("\"name\", \"version\""), "{text}");
    assert!(text.contains("Jaeger") && text.contains("OTLP") && text.contains("Zipkin"));
    assert!(matches!(
        parse_file("n.json", b"42"),
        Err(LoadError::UnknownFormat { .. })
    ));
    assert!(matches!(
        parse_file("e.json", b"  \n"),
        Err(LoadError::Empty { .. })
    ));
}

#[test]
fn jaeger_api_errors_are_reported() {
    let body = br#"{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":404,"msg":"trace not found"}]}"#;
    let text = parse_file("api.json", body).unwrap_err().to_string();
    assert_eq!(
        text,
        "api.json: a Jaeger API error response: trace not found (code 404)"
    );
}

#[test]
fn broken_structure_inside_a_known_format_gives_the_position() {
    let body = b"{\"traceID\": \"abc\",\n \"processes\": {},\n \"spans\": 7}";
    let text = parse_file("t.json", body).unwrap_err().to_string();
    assert!(
        text.starts_with("t.json: unexpected structure at line 3, column"),
        "{text}"
    );
}

#[test]
fn per_span_problems_become_warnings() {
    let body = br#"{"traceID":"t1","processes":{"p1":{"serviceName":"svc"}},"spans":[
        {"spanID":"a","operationName":"root","startTime":100,"duration":50,"processID":"p1"},
        {"operationName":"no-id","startTime":110,"duration":5,"processID":"p1","references":[{"refType":"CHILD_OF","spanID":"a"}]},
        {"spanID":"b","operationName":"negative","startTime":120,"duration":-7,"processID":"p1","references":[{"refType":"CHILD_OF","spanID":"a"}]},
        {"spanID":"c","operationName":"loop-1","startTime":130,"duration":1,"processID":"p1","references":[{"refType":"CHILD_OF","spanID":"d"}]},
        {"spanID":"d","operationName":"loop-2","startTime":131,"duration":1,"processID":"p1","references":[{"refType":"CHILD_OF","spanID":"c"}]},
        {"spanID":"e","operationName":"orphan","startTime":140,"duration":1,"processID":"p1","references":[{"refType":"CHILD_OF","spanID":"zz"}]},
        {"spanID":"e","operationName":"twin","startTime":141,"duration":1,"processID":"p1"},
        {"spanID":"f","operationName":"bad-time","startTime":"soon","duration":1,"processID":"p1","references":[{"refType":"CHILD_OF","spanID":"a"}]}
    ]}"#;
    let mut set = TraceSet::new();
    load_into(&mut set, "odd.json", body).unwrap();
    let trace = &set.traces()[0];
    assert_eq!(trace.spans.len(), 8);
    let kinds: Vec<WarningKind> = trace.warnings.iter().map(|w| w.kind).collect();
    for kind in [
        WarningKind::MissingSpanId,
        WarningKind::NegativeDuration,
        WarningKind::ParentCycle,
        WarningKind::MissingParent,
        WarningKind::DuplicateSpanId,
        WarningKind::MissingTimestamp,
    ] {
        assert!(kinds.contains(&kind), "{kind:?} missing from {kinds:?}");
    }
    // The span with an unreadable start is placed at its parent's start.
    let bad = trace
        .spans
        .iter()
        .find(|s| trace.str(s.operation) == "bad-time")
        .unwrap();
    assert_eq!(bad.start_ns, 100_000);
}

#[test]
fn other_documented_shapes_are_detected() {
    let tempo_v1 = br#"{"batches":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},
        "instrumentationLibrarySpans":[{"spans":[{"traceId":"AAAAAAAAAAAAAAAAAAAAAQ==","spanId":"AAAAAAAAAAE=","name":"GET /","kind":"SPAN_KIND_SERVER",
        "startTimeUnixNano":"1000","endTimeUnixNano":"3000","status":{"code":"STATUS_CODE_ERROR"}}]}]}]}"#;
    let tempo_v2 = br#"{"trace":{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"x","startTimeUnixNano":5,"endTimeUnixNano":9}]}]}]}}"#;
    let zipkin_traces = br#"[[{"traceId":"a1","id":"b1","name":"x","timestamp":1,"duration":2}],[{"traceId":"a2","id":"b2","name":"y","timestamp":1,"duration":2}]]"#;
    let zipkin_single = br#"{"traceId":"a1","id":"b1","name":"x","timestamp":1,"duration":2,"localEndpoint":{"serviceName":"s"}}"#;
    let jaeger_spans = br#"[{"traceID":"t","spanID":"s1","operationName":"op","startTime":1,"duration":2,"process":{"serviceName":"svc","tags":[]}},
        {"traceID":"t","spanID":"s2","operationName":"op2","startTime":1,"duration":1,"process":{"serviceName":"svc","tags":[]},"references":[{"refType":"CHILD_OF","traceID":"t","spanID":"s1"}]}]"#;
    let cases: [(&[u8], Format, usize, usize); 5] = [
        (tempo_v1, Format::Otlp, 1, 1),
        (tempo_v2, Format::Otlp, 1, 1),
        (zipkin_traces, Format::Zipkin, 2, 2),
        (zipkin_single, Format::Zipkin, 1, 1),
        (jaeger_spans, Format::Jaeger, 1, 2),
    ];
    for (index, (body, format, traces, spans)) in cases.into_iter().enumerate() {
        let parsed = parse_file("case.json", body).unwrap_or_else(|e| panic!("case {index}: {e}"));
        assert_eq!(parsed.format, format, "case {index}");
        let mut set = TraceSet::new();
        load_into(&mut set, "case.json", body).unwrap();
        assert_eq!(
            (set.len(), set.span_count()),
            (traces, spans),
            "case {index}"
        );
    }
    // Tempo v1: base64 IDs become hex; string kind and status are read.
    let mut set = TraceSet::new();
    load_into(&mut set, "tempo.json", tempo_v1).unwrap();
    let trace = &set.traces()[0];
    assert_eq!(trace.trace_id, "00000000000000000000000000000001");
    assert_eq!(trace.str(trace.spans[0].span_id), "0000000000000001");
    assert_eq!(trace.spans[0].kind.as_str(), "server");
    assert!(trace.spans[0].is_error());
    assert_eq!(trace.spans[0].duration_ns, 2000);
}

#[test]
fn extreme_numbers_do_not_overflow() {
    let body = br#"[{"traceId":"a","id":"1","timestamp":9223372036854775807,"duration":9223372036854775807},
                   {"traceId":"a","id":"1","timestamp":-9223372036854775808,"duration":-5},
                   {"traceId":"a","id":"2","parentId":"1","timestamp":1e300,"duration":"NaN"}]"#;
    let mut set = TraceSet::new();
    load_into(&mut set, "extreme.json", body).unwrap();
    assert_eq!(set.span_count(), 2);
    let jaeger = br#"{"traceID":"t","spans":[{"spanID":"s","startTime":9223372036854775807,"duration":9223372036854775807}]}"#;
    load_into(&mut set, "extreme-jaeger.json", jaeger).unwrap();
    let otlp = br#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"ab","spanId":"cd","startTimeUnixNano":"18446744073709551615","endTimeUnixNano":"-1"}]}]}]}"#;
    load_into(&mut set, "extreme-otlp.json", otlp).unwrap();
    for trace in set.traces() {
        assert!(trace.start_ns <= trace.end_ns);
    }
}

#[test]
fn deeply_nested_json_is_an_error_not_a_crash() {
    let mut body = String::from("{\"resourceSpans\":");
    body.push_str(&"[".repeat(100_000));
    let error = parse_file("deep.json", body.as_bytes()).unwrap_err();
    assert!(
        error.to_string().starts_with("deep.json: not valid JSON"),
        "{error}"
    );
}

#[test]
fn non_utf8_files_are_refused_with_the_position() {
    let error = parse_file("latin1.json", b"{\n  \"name\": \"caf\xe9\"}").unwrap_err();
    assert_eq!(
        error.to_string(),
        "latin1.json: not valid JSON at line 2, column 15: the file is not UTF-8 text"
    );
}
