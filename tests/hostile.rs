//! Hostile and unlucky input, end to end through the CLI and the core: escape sequences in
//! names, closed pipes, out-of-range numbers, huge spans. Each file is made here, so the crafted
//! inputs live with their tests.
#![allow(clippy::unwrap_used)]

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn tracagg(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tracagg"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

/// A file in this test's own temporary folder.
fn crafted(name: &str, content: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tracagg-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

/// A Zipkin v2 span array with the given (service, name, timestamp µs, duration µs) spans of
/// one trace, each a child of the first.
fn zipkin(spans: &[(&str, &str, &str, &str)]) -> String {
    let items: Vec<String> = spans
        .iter()
        .enumerate()
        .map(|(i, (service, name, ts, dur))| {
            let parent = if i == 0 {
                String::new()
            } else {
                r#","parentId":"0000000000000001""#.to_string()
            };
            format!(
                r#"{{"traceId":"00000000000000000000000000000abc","id":"{:016x}"{parent},"name":{},"timestamp":{ts},"duration":{dur},"localEndpoint":{{"serviceName":{}}}}}"#,
                i + 1,
                serde_json::to_string(name).unwrap(),
                serde_json::to_string(service).unwrap(),
            )
        })
        .collect();
    format!("[{}]", items.join(","))
}

#[test]
fn table_output_never_prints_raw_control_characters() {
    let file = crafted(
        "escapes.json",
        &zipkin(&[
            (
                "svc\u{1b}]0;pwned\u{7}",
                "GET \u{1b}[2J\u{1b}[31mred",
                "1600000000000000",
                "10",
            ),
            (
                "ok",
                "\u{1b}]8;;http://evil\u{1b}\\link\u{9b}",
                "1600000000000001",
                "5",
            ),
        ]),
    );
    let out = tracagg(&["analyze", file.to_str().unwrap()]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("\\x1b[2J"), "{text}");
    let raw = |c: char| c != '\n' && c.is_control();
    assert!(!text.chars().any(raw), "raw control character in {text:?}");
    let log = String::from_utf8(out.stderr).unwrap();
    assert!(!log.chars().any(raw), "{log:?}");
}

#[test]
fn a_closed_pipe_ends_quietly_with_success() {
    // 5,000 one-span traces: the table is far larger than a pipe's buffer.
    let many: Vec<String> = (0..5_000)
        .map(|i| {
            format!(
                r#"{{"traceId":"{i:032x}","id":"{i:016x}","name":"op","timestamp":1600000000000000,"duration":5,"localEndpoint":{{"serviceName":"s"}}}}"#
            )
        })
        .collect();
    let many = crafted("many-traces.json", &format!("[{}]", many.join(",")));
    for args in [
        vec!["gen", "--spans", "200000"],
        vec!["analyze", many.to_str().unwrap()],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tracagg"))
            .args(&args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Read one byte, then close the pipe as `head -c1` would.
        {
            let mut stdout = child.stdout.take().unwrap();
            let mut first = [0u8; 1];
            stdout.read_exact(&mut first).unwrap();
        } // the read end closes here
        let mut log = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut log)
            .unwrap();
        let status = child.wait().unwrap();
        assert!(status.success(), "{args:?}: {status} {log}");
        assert!(!log.contains("Broken pipe"), "{args:?}: {log}");
    }
}

#[test]
fn out_of_range_numbers_are_clamped_with_a_warning_and_totals_never_wrap() {
    let file = crafted(
        "huge-numbers.json",
        &zipkin(&[
            ("root", "root", "1600000000000000", "1e30"),
            ("a", "max", "1600000000000001", "9223372036854775807"),
            ("a", "umax", "1600000000000002", "18446744073709551615"),
            ("b", "year-9999", "253370764800000000", "5"),
            ("b", "negative", "1600000000000003", "-9223372036854775808"),
        ]),
    );
    let out = tracagg(&["analyze", "--json", file.to_str().unwrap()]);
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let trace = &doc["traces"][0];
    let warnings: Vec<&str> = trace["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    let has = |needle: &str| warnings.iter().any(|w| w.contains(needle));
    assert!(has("span 0000000000000001 has duration 1000000000000000000000000000000 µs, out of range; clamped to 292 years"), "{warnings:#?}");
    assert!(
        has("span 0000000000000002 has duration 9223372036854775807 µs, out of range"),
        "{warnings:#?}"
    );
    assert!(
        has("span 0000000000000003 has duration 18446744073709552000 µs, out of range"),
        "{warnings:#?}"
    );
    assert!(has("span 0000000000000004 has timestamp 253370764800000000 µs, out of range; clamped to 2262-04-11"), "{warnings:#?}");
    assert!(
        has("span 0000000000000005 has duration -9223372036854775808 µs, out of range; shown as 0"),
        "{warnings:#?}"
    );
    // Totals saturate instead of wrapping: never negative, never below a part.
    for row in trace["statistics"]["by_service"].as_array().unwrap() {
        assert!(row["total_us"].as_f64().unwrap() >= 0.0, "{row}");
        assert!(row["self_percent"].as_f64().unwrap() >= 0.0, "{row}");
        assert!(
            row["total_us"].as_f64().unwrap() >= row["max_us"].as_f64().unwrap(),
            "{row}"
        );
    }
    for service in doc["services"].as_array().unwrap() {
        assert!(
            service["total_duration_us"].as_f64().unwrap() >= 0.0,
            "{service}"
        );
    }
    let a = doc["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service"] == "a")
        .unwrap();
    assert!(
        a["total_duration_us"].as_f64().unwrap() > 9.0e18 / 1000.0,
        "{a}"
    );

    // OTLP nanoseconds past u64: clamped to the last instant, with the original named.
    let otlp = crafted(
        "otlp-past-u64.json",
        r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"s"}}]},"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"x","startTimeUnixNano":"1600000000000000000","endTimeUnixNano":"99999999999999999999"}]}]}]}"#,
    );
    let out = tracagg(&["analyze", "--json", otlp.to_str().unwrap()]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let trace = &doc["traces"][0];
    assert!(trace["duration_us"].as_f64().unwrap() > 1e15, "{trace}");
    assert!(
        trace["warnings"][0]
            .as_str()
            .unwrap()
            .contains("span b7ad6b7169203331 has endTimeUnixNano 100000000000000000000 ns, out of range; clamped to 2262-04-11"),
        "{}",
        trace["warnings"]
    );
}

#[test]
fn a_long_cycle_warning_names_a_few_spans_and_counts_the_rest() {
    let spans: Vec<String> = (0..10_000)
        .map(|i| {
            format!(
                r#"{{"traceId":"0000000000000c1c","id":"{:016x}","parentId":"{:016x}","name":"c","timestamp":{},"duration":1,"localEndpoint":{{"serviceName":"s"}}}}"#,
                i + 1,
                (i + 1) % 10_000 + 1,
                1_600_000_000_000_000u64 + i
            )
        })
        .collect();
    let file = crafted("cycle.json", &format!("[{}]", spans.join(",")));
    let out = tracagg(&["analyze", "--json", file.to_str().unwrap()]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let warnings = doc["traces"][0]["warnings"].as_array().unwrap();
    let cycle = warnings
        .iter()
        .filter_map(|w| w.as_str())
        .find(|w| w.contains("cycle"))
        .unwrap();
    assert!(cycle.contains("a cycle of 10000 spans"), "{cycle}");
    assert!(cycle.contains("… 9995 more spans"), "{cycle}");
    assert!(cycle.len() < 400, "{} characters", cycle.len());
}

#[test]
fn a_utf16_file_is_named_as_utf16() {
    let text = r#"[{"traceId":"abc","id":"1","name":"x"}]"#;
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let dir = std::env::temp_dir().join(format!("tracagg-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("utf16.json");
    std::fs::write(&path, bytes).unwrap();
    let out = tracagg(&["analyze", path.to_str().unwrap()]);
    let log = String::from_utf8(out.stderr).unwrap();
    assert!(
        log.contains("the file is UTF-16 text; save it as UTF-8"),
        "{log}"
    );
}

/// A Jaeger file of one trace `depth` spans deep (each span the only child of the one before),
/// each span `slow` times the usual duration; the deepest span is named `last`.
fn deep_jaeger(trace_id: &str, depth: usize, slow: i64, last: &str) -> String {
    let mut spans = Vec::with_capacity(depth);
    for i in 0..depth {
        let refs = if i == 0 {
            String::new()
        } else {
            format!(r#"{{"refType":"CHILD_OF","traceID":"{trace_id}","spanID":"{i:016x}"}}"#)
        };
        let duration = (depth as i64 - i as i64) * 2 * slow + 1;
        let name = if i + 1 == depth {
            last.to_string()
        } else {
            format!("op{}", i % 7)
        };
        spans.push(format!(
            r#"{{"traceID":"{trace_id}","spanID":"{:016x}","operationName":"{name}","references":[{refs}],"startTime":{},"duration":{duration},"processID":"p1"}}"#,
            i + 1,
            1_700_000_000_000_000u64 + i as u64,
        ));
    }
    format!(
        r#"{{"data":[{{"traceID":"{trace_id}","spans":[{}],"processes":{{"p1":{{"serviceName":"svc"}}}}}}]}}"#,
        spans.join(",")
    )
}

/// Issue 25 §2: paths were copied whole per node, so memory grew with the square of the depth
/// (a 10,000-deep trace took 6.4 GB in `baseline`, and `compare --json` aborted). Now a path is
/// stored by reference and written shortened: this runs at depth 100,000 in moments.
#[test]
fn a_trace_100000_spans_deep_is_scored_and_compared_with_short_paths() {
    const DEPTH: usize = 100_000;
    let a = crafted(
        "deep-a.json",
        &deep_jaeger("000000000000000000000000000000a1", DEPTH, 1, "op-last"),
    );
    let b = crafted(
        "deep-b.json",
        &deep_jaeger("000000000000000000000000000000b2", DEPTH, 3, "op-new"),
    );
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let out = tracagg(&[
        "baseline",
        "--baseline",
        a,
        "--score",
        b,
        "--min-samples",
        "1",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let anomalies: Vec<&serde_json::Value> = json
        .pointer("/traces/0/anomalies")
        .and_then(|v| v.as_array())
        .map(|list| list.iter().collect())
        .unwrap_or_default();
    assert!(!anomalies.is_empty(), "{json}");
    // The new span at the bottom: a path 100,000 steps long, written in 16.
    let deepest = anomalies
        .iter()
        .find(|a| a["kind"] == "new_path")
        .and_then(|a| a["path"].as_array())
        .unwrap();
    assert!(deepest.len() <= 16, "{deepest:?}");
    assert!(
        deepest
            .iter()
            .any(|s| s.as_str().unwrap().contains(" steps …")),
        "{deepest:?}"
    );
    let out = tracagg(&["compare", a, b, "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let nodes = json["nodes"].as_array().unwrap();
    // The last steps differ (op-last in A, op-new in B): one node more than the depth.
    assert_eq!(nodes.len(), DEPTH + 1);
    let last = &nodes[DEPTH - 1];
    assert_eq!(last["depth"], DEPTH - 1);
    let path = last["path"].as_array().unwrap();
    assert_eq!(path.len(), 16);
    assert_eq!(path[0], "svc:op0");
    assert_eq!(path[4], format!("… {} steps …", DEPTH - 15).as_str());
    assert!(
        path[15].as_str().unwrap().starts_with("svc:op-"),
        "{path:?}"
    );
}

/// Issue 25 §16: a line break in a span name forged a line of the table; DEL and C1 characters
/// went raw into `--json`; `--slow-percentile NaN` was accepted.
#[test]
fn names_stay_on_their_line_json_escapes_c1_and_percentiles_are_checked() {
    let file = crafted(
        "forged.json",
        &zipkin(&[
            (
                "svc",
                "GET /a\nFORGED LINE 1 trace",
                "1600000000000000",
                "10",
            ),
            ("svc", "csi\u{9b}2J del\u{7f}", "1600000000000001", "5"),
        ]),
    );
    let file = file.to_str().unwrap();
    for args in [vec!["analyze", file], vec!["lint", file]] {
        let out = tracagg(&args);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            !text.lines().any(|l| l.starts_with("FORGED")),
            "{args:?}: {text}"
        );
    }
    let out = tracagg(&["analyze", "--json", file]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains(['\u{9b}', '\u{7f}']), "{text}");
    assert!(
        text.contains("\\u009b") && text.contains("\\u007f"),
        "{text}"
    );
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(json.to_string().contains("csi\\u009b") || json.to_string().contains("csi\u{9b}"));
    for bad in ["NaN", "inf", "-1", "101"] {
        let flag = format!("--slow-percentile={bad}");
        let out = tracagg(&["baseline", "--baseline", file, "--score", file, &flag]);
        assert_eq!(out.status.code(), Some(2), "{bad} accepted");
        assert!(String::from_utf8_lossy(&out.stderr).contains("percentile"));
    }
}

/// Issue 25 §14: a JSON-lines log whose first record is over 64 KB was "not a known trace
/// format"; the same records in another order loaded.
#[test]
fn a_log_file_with_a_long_first_record_loads() {
    let long = "y".repeat(100_000);
    let file = crafted(
        "long-first.jsonl",
        &format!(
            "{{\"stack\":\"{long}\",\"message\":\"boom\",\"trace_id\":\"00000000000000000000000000000abc\"}}\n{{\"message\":\"ok\",\"trace_id\":\"00000000000000000000000000000abc\"}}\n"
        ),
    );
    let out = tracagg(&["analyze", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("JSON log lines, 2 records"));
}

/// Issue 25 §1: `export --mask` and `report --mask` write no secret placed in a span name, an
/// attribute value or a secret-named key; without `--mask` they are there (so this can fail).
#[test]
fn export_and_report_with_mask_hold_no_secret() {
    let secret = "AKIAIOSFODNN7EXAMPLE";
    let file = crafted(
        "secrets.json",
        &format!(
            r#"[{{"traceId":"00000000000000000000000000000abc","id":"0000000000000001","name":"GET /x?key={secret}","timestamp":1600000000000000,"duration":10,"localEndpoint":{{"serviceName":"svc"}},"tags":{{"password":"hunter2","note":"uses {secret}"}}}}]"#
        ),
    );
    let file = file.to_str().unwrap();
    for args in [
        vec!["export", "--format", "otlp", file],
        vec!["export", "--format", "jaeger", file],
        vec!["report", file],
    ] {
        let plain = String::from_utf8(tracagg(&args).stdout).unwrap();
        // (The report shows names, not attributes.)
        assert!(plain.contains(secret), "{args:?}");
        assert!(args[0] == "report" || plain.contains("hunter2"), "{args:?}");
        let mut masked_args = args.clone();
        masked_args.insert(1, "--mask");
        let out = tracagg(&masked_args);
        assert!(out.status.success(), "{masked_args:?}");
        let masked = String::from_utf8(out.stdout).unwrap();
        assert!(
            !masked.contains(secret) && !masked.contains("hunter2"),
            "{masked_args:?}: {masked}"
        );
        assert!(masked.contains("AKIA••••••"), "{masked_args:?}");
    }
}
