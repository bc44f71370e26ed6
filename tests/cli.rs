//! The `tracagg` binary: table and JSON output, exit status on unreadable input.
#![allow(clippy::unwrap_used)]

use std::process::Command;

fn tracagg(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tracagg"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

#[test]
fn analyze_json_prints_the_documented_fields() {
    let out = tracagg(&[
        "analyze",
        "--json",
        "tests/fixtures/zipkin/skew.json",
        "tests/fixtures/zipkin/messaging2.json",
    ]);
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let traces = doc["traces"].as_array().unwrap();
    assert_eq!(traces.len(), 2);
    let skew = &traces[0];
    assert_eq!(skew["trace_id"], "1e223ff1f80f1c69");
    assert_eq!(skew["span_count"], 4);
    assert_eq!(skew["service_count"], 2);
    assert_eq!(skew["error_count"], 0);
    assert_eq!(skew["start_us"], 1_470_150_004_008_761.0);
    assert_eq!(skew["duration_us"], 161_718.0);
    assert_eq!(skew["warnings"], serde_json::json!([]));
    assert_eq!(traces[1]["warnings"].as_array().unwrap().len(), 6);
}

#[test]
fn analyze_json_includes_the_analyses() {
    let out = tracagg(&[
        "analyze",
        "--json",
        "tests/fixtures/otlp/api-v3-getTrace-response.json",
    ]);
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let trace = &doc["traces"][0];
    // Sections are newest first, inside the trace, and add up to its duration (one root).
    let sections = trace["critical_path"].as_array().unwrap();
    assert!(!sections.is_empty());
    let start = trace["start_us"].as_f64().unwrap();
    let end = start + trace["duration_us"].as_f64().unwrap();
    let mut covered = 0.0;
    let mut previous_start = f64::MAX;
    for section in sections {
        let (s, e) = (
            section["start_us"].as_f64().unwrap(),
            section["end_us"].as_f64().unwrap(),
        );
        assert!(start <= s && s < e && e <= end, "{section}");
        assert!(e <= previous_start + 1e-6, "sections must be newest first");
        previous_start = s;
        covered += e - s;
        assert!(section["span_id"].as_str().unwrap().len() == 16);
    }
    assert!((covered - trace["duration_us"].as_f64().unwrap()).abs() < 1.0);
    let by_service = trace["statistics"]["by_service"].as_array().unwrap();
    assert_eq!(by_service.len(), 6);
    assert!(by_service.iter().all(|r| r["operation"].is_null()));
    // Parallel spans (ten concurrent `route` calls here) make the sum exceed 100%, as in Jaeger UI.
    assert!(by_service
        .iter()
        .all(|r| r["self_percent"].as_f64().unwrap() >= 0.0));
    for key in [
        "count",
        "total_us",
        "avg_us",
        "min_us",
        "max_us",
        "self_total_us",
        "self_avg_us",
        "self_min_us",
        "self_max_us",
    ] {
        assert!(by_service[0][key].is_number(), "{key}");
    }
    assert!(trace["statistics"]["by_operation"][0]["operation"].is_string());
    assert!(!trace["bottlenecks"].as_array().unwrap().is_empty());
    let paths = trace["error_paths"].as_array().unwrap();
    assert_eq!(paths.len(), 3);
    assert_eq!(paths[0]["origin_operation"], "GetDriver");
    assert_eq!(doc["services"].as_array().unwrap().len(), 6);
    assert!(doc["operations"][0]["p95_us"].is_number());
    let deps = doc["dependencies"].as_array().unwrap();
    assert!(deps.iter().any(|d| d["parent"] == "driver"
        && d["child"] == "redis-manual"
        && d["call_count"] == 14
        && d["error_count"] == 3));
}

#[test]
fn analyze_prints_a_table_with_warnings() {
    let out = tracagg(&["analyze", "tests/fixtures/zipkin/messaging2.json"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("TRACE ID"));
    assert!(text.contains("0d1a94ebc9256244"));
    assert_eq!(text.matches("    warning: ").count(), 6);
    let log = String::from_utf8(out.stderr).unwrap();
    assert!(log.contains("messaging2.json: Zipkin v2 JSON, 11 spans, 1 new trace"));
}

#[test]
fn unreadable_input_fails_with_a_clear_message_but_prints_the_rest() {
    let dir = std::env::temp_dir().join(format!("tracagg-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let broken = dir.join("broken.json");
    std::fs::write(&broken, "{\"data\": [").unwrap();
    let out = tracagg(&[
        "analyze",
        "--json",
        "tests/fixtures/zipkin/skew.json",
        broken.to_str().unwrap(),
        "does-not-exist.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("broken.json: not valid JSON at line 1, column 10: EOF while parsing a list"),
        "{err}"
    );
    assert!(
        err.contains("tracagg: cannot read does-not-exist.json"),
        "{err}"
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["traces"].as_array().unwrap().len(), 1);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn clock_skew_adjustment_is_opt_in_and_warned() {
    let raw = tracagg(&["analyze", "--json", "tests/fixtures/zipkin/skew.json"]);
    let adjusted = tracagg(&[
        "analyze",
        "--json",
        "--adjust-clock-skew",
        "tests/fixtures/zipkin/skew.json",
    ]);
    let raw: serde_json::Value = serde_json::from_slice(&raw.stdout).unwrap();
    let adjusted: serde_json::Value = serde_json::from_slice(&adjusted.stdout).unwrap();
    assert_eq!(raw["traces"][0]["warnings"].as_array().unwrap().len(), 0);
    let warnings = adjusted["traces"][0]["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 2);
    assert!(
        warnings[0]
            .as_str()
            .unwrap()
            .contains("clock skew adjusted, moved 65.9 ms later"),
        "{warnings:?}"
    );
    // The skewed server started before its client; adjusted, the trace is shorter.
    assert!(
        adjusted["traces"][0]["duration_us"].as_f64() < raw["traces"][0]["duration_us"].as_f64()
    );
}

#[test]
fn analyze_filters_sorts_and_limits_the_traces() {
    let files = [
        "tests/fixtures/otlp/api-v3-getTrace-response.json",
        "tests/fixtures/zipkin/skew.json",
        "tests/fixtures/zipkin/messaging2.json",
        "tests/fixtures/zipkin/yelp.json",
    ];
    let run = |flags: &[&str]| {
        let mut args = vec!["analyze", "--json"];
        args.extend_from_slice(flags);
        args.extend_from_slice(&files);
        let out = tracagg(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let all = run(&[]);
    let total = all["traces"].as_array().unwrap().len();
    assert!(total >= 4);
    // Longest first, limited.
    let longest = run(&["--sort", "longest", "--limit", "2"]);
    let durations: Vec<f64> = longest["traces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["duration_us"].as_f64().unwrap())
        .collect();
    assert_eq!(durations.len(), 2);
    assert!(durations[0] >= durations[1]);
    let max = all["traces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["duration_us"].as_f64().unwrap())
        .fold(0.0, f64::max);
    assert_eq!(durations[0], max);
    // A service: only its traces, and the cross-trace tables over them only.
    let frontend = run(&["--service", "frontend"]);
    let traces = frontend["traces"].as_array().unwrap();
    assert_eq!(traces.len(), 1);
    assert_eq!(traces[0]["trace_id"], "2ea75461946a7dd10f2c15ab36a076cb");
    assert_eq!(frontend["services"].as_array().unwrap().len(), 6);
    // Errors, durations, tags and text combine.
    let failing = run(&["--errors", "--min-duration", "100ms"]);
    assert!(failing["traces"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["error_count"].as_u64().unwrap() > 0
            && t["duration_us"].as_f64().unwrap() >= 100_000.0));
    let clean = run(&["--no-errors"]);
    assert!(clean["traces"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["error_count"] == 0));
    assert_eq!(
        failing["traces"].as_array().unwrap().len() + clean["traces"].as_array().unwrap().len(),
        total
            - run(&["--errors", "--max-duration", "99999us"])["traces"]
                .as_array()
                .unwrap()
                .len()
    );
    let none = run(&["--tag", "no.such.key=1"]);
    assert!(none["traces"].as_array().unwrap().is_empty());
    assert!(none["services"].as_array().unwrap().is_empty());
    let text = run(&["--text", "2EA75461"]);
    assert_eq!(text["traces"].as_array().unwrap().len(), 1);
    // A bad flag value says what is wrong and exits 2.
    let bad = tracagg(&[
        "analyze",
        "--max-duration",
        "soon",
        "tests/fixtures/zipkin/skew.json",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("max duration: “soon” is not a duration"));
}

#[test]
fn analyze_reads_log_files_among_the_traces_and_joins_them() {
    let out = tracagg(&[
        "analyze",
        "--json",
        "tests/fixtures/logs/checkout-structlog.jsonl",
        "tests/fixtures/logs/checkout-traces.otlp.json",
        "tests/fixtures/logs/checkout-logs.otlp.json",
        "tests/fixtures/logs/checkout-structlog.logfmt",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc["logs"],
        serde_json::json!({"files": 3, "records": 38, "matched": 36, "unmatched": 2})
    );
    let traces = doc["traces"].as_array().unwrap();
    assert_eq!(traces.len(), 3);
    for trace in traces {
        assert_eq!(trace["log_count"], 12);
        let spans = trace["spans_with_logs"].as_array().unwrap();
        assert_eq!(spans.len(), 3);
        assert_eq!(
            spans[0]["count"], 6,
            "the root span logs twice per producer"
        );
        assert_eq!(spans[0]["span_id"].as_str().unwrap().len(), 16);
    }
    // Trace files alone: no log file is made up.
    let out = tracagg(&["analyze", "--json", "tests/fixtures/zipkin/skew.json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["logs"]["files"], 0);
    assert_eq!(doc["traces"][0]["log_count"], 0);
    // The table says it too, and the load log names the log file's kind.
    let out = tracagg(&[
        "analyze",
        "tests/fixtures/logs/checkout-traces.otlp.json",
        "tests/fixtures/logs/checkout-structlog.jsonl",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text.matches("logs: 4 records, 3 spans with records")
            .count(),
        3,
        "{text}"
    );
    let log = String::from_utf8(out.stderr).unwrap();
    assert!(
        log.contains("checkout-structlog.jsonl: JSON log lines, 13 records"),
        "{log}"
    );
}

#[test]
fn flamegraph_prints_folded_stacks_and_json_frames() {
    let hotrod = "tests/fixtures/otlp/api-v3-getTrace-response.json";
    let out = tracagg(&["flamegraph", hotrod]);
    assert!(out.status.success());
    let folded = String::from_utf8(out.stdout).unwrap();
    assert!(folded.lines().any(|l| l.starts_with(
        "frontend: GET /dispatch;frontend: HTTP GET;customer: GET /customer;mysql: SQL SELECT "
    )));
    // Critical-path weights add up to the trace's critical path (its whole duration here).
    let out = tracagg(&["flamegraph", "--critical-path", hotrod]);
    let sum: i64 = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.rsplit_once(' ')?.1.parse::<i64>().ok())
        .sum();
    assert_eq!(sum, 702_608_277);
    let out = tracagg(&[
        "flamegraph",
        "--json",
        "--root-operation",
        "GET /dispatch",
        hotrod,
        "tests/fixtures/zipkin/skew.json",
    ]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["traces"], 1);
    let frames = doc["frames"].as_array().unwrap();
    assert_eq!(frames[0]["operation"], "GET /dispatch");
    assert_eq!(frames[0]["width"], 1.0);
    assert!(frames
        .iter()
        .all(|f| f["x"].as_f64().unwrap() >= 0.0 && f["width"].as_f64().unwrap() <= 1.0));
}

/// The kinds `tracagg lint --json` reports for the fixture the OpenTelemetry Python SDK wrote
/// with each problem made on purpose (`tests/fixtures/quality/generate.py`).
#[test]
fn lint_json_finds_each_problem_of_the_badly_instrumented_fixture() {
    let fixture = "tests/fixtures/quality/shop-badly-instrumented.otlp.json";
    let out = tracagg(&["lint", "--json", fixture]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    for secret in ["Sup3rS3cret", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"] {
        assert!(!text.contains(secret), "{secret} printed unmasked");
    }
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let findings = doc["findings"].as_array().unwrap();
    let find = |kind: &str, subject: &str| {
        findings
            .iter()
            .find(|f| f["kind"] == kind && f["subject"] == subject)
            .unwrap_or_else(|| panic!("no {kind} about {subject}: {text}"))
    };
    let lost = find("lost_context", "frontend → inventory");
    assert_eq!(lost["severity"], "error");
    assert_eq!(lost["count"], 3);
    let example = &lost["examples"][0];
    for field in ["trace_id", "span_id", "detail"] {
        assert!(
            example[field].as_str().is_some_and(|s| !s.is_empty()),
            "{field}"
        );
    }
    assert_eq!(
        find("high_cardinality_name", "frontend: GET /users/{id}")["suggestion"],
        "GET /users/{id}"
    );
    assert_eq!(find("exception_without_error", "frontend")["count"], 3);
    assert_eq!(find("error_without_message", "frontend")["count"], 3);
    assert_eq!(find("bad_duration", "zero")["count"], 3);
    assert_eq!(find("generic_name", "query")["severity"], "warning");
    assert_eq!(find("orphan_span", "unknown_service:python")["count"], 1);
    assert_eq!(
        find("missing_service_name", "unknown_service:python")["severity"],
        "error"
    );
    assert_eq!(
        find("missing_resource_attribute", "service.version")["count"],
        1
    );
    assert_eq!(find("clock_skew", "frontend")["count"], 1);
    assert_eq!(
        find("deprecated_attribute", "http.method → http.request.method")["suggestion"],
        "http.request.method"
    );
    let auth = find(
        "sensitive_data",
        "the secret-named attribute `http.request.header.authorization`",
    );
    assert_eq!(auth["severity"], "error");
    let detail = auth["examples"][0]["detail"].as_str().unwrap();
    assert!(detail.ends_with("[\"Bear••••••\"]"), "{detail}");
    find(
        "sensitive_data",
        "a secret-named field in `db.connection_string`",
    );
    assert_eq!(doc["traces"], 8);
    assert_eq!(doc["spans"], 24);
}

#[test]
fn lint_text_and_fail_on() {
    let fixture = "tests/fixtures/quality/shop-badly-instrumented.otlp.json";
    let out = tracagg(&["lint", fixture]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("8 traces, 24 spans: 4 errors"), "{text}");
    assert!(text.contains("error   lost_context (3): 3 client spans of frontend call inventory"));
    let failing = tracagg(&["lint", "--fail-on", "error", fixture]);
    assert_eq!(failing.status.code(), Some(3));
    let clean = tracagg(&[
        "lint",
        "--fail-on",
        "error",
        "tests/fixtures/zipkin/skew.json",
    ]);
    assert_eq!(
        clean.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&clean.stdout)
    );
    let missing = tracagg(&["lint", "no-such-file.json"]);
    assert_eq!(missing.status.code(), Some(1));
}

/// `tracagg compare` on the two checkouts the OpenTelemetry Python SDK recorded
/// (`tests/fixtures/compare/generate.py`): B's charge is slower, it calls a new fraud service and
/// lost its cache lookup.
#[test]
fn compare_json_merges_by_path_and_names_what_changed() {
    let out = tracagg(&[
        "compare",
        "--json",
        "tests/fixtures/compare/checkout-a.otlp.json",
        "tests/fixtures/compare/checkout-b.otlp.json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        doc["duration_us_b"].as_f64().unwrap() > doc["duration_us_a"].as_f64().unwrap() + 90_000.0
    );
    let nodes = doc["nodes"].as_array().unwrap();
    let node = |op: &str, service: &str| {
        nodes
            .iter()
            .find(|n| n["operation"] == op && n["service"] == service)
            .unwrap_or_else(|| panic!("no {service}: {op}"))
    };
    let root = &nodes[0];
    assert_eq!(root["path"], serde_json::json!(["frontend:POST /checkout"]));
    assert_eq!(root["status"], "changed");
    assert_eq!(node("cache get", "cart")["status"], "removed");
    assert_eq!(node("cache get", "cart")["count_b"], 0);
    let fraud = node("POST /score", "fraud");
    assert_eq!(fraud["status"], "added");
    assert_eq!(
        fraud["path"],
        serde_json::json!([
            "frontend:POST /checkout",
            "frontend:POST /score",
            "fraud:POST /score"
        ])
    );
    let charge = node("charge", "payment");
    assert_eq!(charge["status"], "changed");
    assert!(charge["critical_us_b"].as_f64().unwrap() > charge["critical_us_a"].as_f64().unwrap());
    for field in [
        "count_a",
        "total_us_a",
        "total_us_b",
        "self_us_a",
        "self_us_b",
        "critical_us_a",
    ] {
        assert!(charge[field].is_number(), "{field}");
    }
    let deltas = doc["critical_delta_by_operation"].as_array().unwrap();
    assert_eq!(deltas[0]["service"], "payment");
    assert!(deltas[0]["delta_us"].as_f64().unwrap() > 90_000.0);
    let sizes: Vec<f64> = deltas
        .iter()
        .map(|d| d["delta_us"].as_f64().unwrap().abs())
        .collect();
    assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "{sizes:?}");

    let table = tracagg(&[
        "compare",
        "tests/fixtures/compare/checkout-a.otlp.json",
        "tests/fixtures/compare/checkout-b.otlp.json",
    ]);
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.contains("slower than A"), "{text}");
    assert!(text.contains("added") && text.contains("removed"), "{text}");
}

#[test]
fn compare_asks_which_trace_when_a_file_has_several() {
    let several = "tests/fixtures/quality/shop-badly-instrumented.otlp.json";
    let out = tracagg(&[
        "compare",
        several,
        "tests/fixtures/compare/checkout-a.otlp.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pick one with --a ID"));
    let missing = tracagg(&["compare", "--a", "0000", several, several, "--b", "0000"]);
    assert_eq!(missing.status.code(), Some(2));
}

/// `tracagg baseline` on checkouts the OpenTelemetry Python SDK recorded: 40 normal ones, and
/// 4 whose charge is slower, that call a new fraud service and skip the cart's cache.
#[test]
fn baseline_json_scores_explains_and_says_what_changed() {
    let out = tracagg(&[
        "baseline",
        "--json",
        "--baseline",
        "tests/fixtures/compare/normal-checkouts.otlp.json",
        "--score",
        "tests/fixtures/compare/regressed-checkouts.otlp.json",
        "tests/fixtures/compare/checkout-a.otlp.json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["baseline"]["traces"], 40);
    assert_eq!(doc["baseline"]["spans"], 40 * 7);
    let ops = doc["baseline"]["operations"].as_array().unwrap();
    let charge = ops.iter().find(|o| o["operation"] == "charge").unwrap();
    for field in [
        "count",
        "p50_us",
        "p95_us",
        "p99_us",
        "mad_us",
        "error_rate",
    ] {
        assert!(charge[field].is_number(), "{field}");
    }
    assert_eq!(charge["count"], 40);
    let traces = doc["traces"].as_array().unwrap();
    assert_eq!(traces.len(), 5);
    for t in &traces[..4] {
        assert_eq!(t["anomalous"], true, "{t}");
        let explanation = t["explanation"].as_str().unwrap();
        assert!(
            explanation.contains("slower than p95 for frontend: POST /checkout"),
            "{explanation}"
        );
        assert_eq!(t["attribution"][0]["service"], "payment", "{t}");
        assert_eq!(t["attribution"][0]["operation"], "charge");
        let kinds: Vec<&str> = t["anomalies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["kind"].as_str().unwrap())
            .collect();
        assert!(
            kinds.contains(&"new_path")
                && kinds.contains(&"missing_path")
                && kinds.contains(&"slow"),
            "{kinds:?}"
        );
        let new = t["anomalies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["kind"] == "new_path")
            .unwrap();
        assert_eq!(
            new["path"],
            serde_json::json!(["frontend:POST /checkout", "frontend:POST /score"])
        );
        assert!(new["span_id"].is_string());
        assert!(t["score"].as_f64().unwrap() > 1.0 && t["excess_us"].as_f64().unwrap() > 50_000.0);
    }
    // The normal checkout is last and not anomalous.
    assert_eq!(traces[4]["anomalous"], false, "{}", traces[4]);
    let changes = doc["changes"].as_array().unwrap();
    let top = &changes[0];
    assert_eq!(
        (top["service"].as_str(), top["operation"].as_str()),
        (Some("payment"), Some("charge"))
    );
    for field in [
        "count_baseline",
        "count_current",
        "p50_us_baseline",
        "p50_us_current",
        "p95_us_baseline",
        "p95_us_current",
        "error_rate_baseline",
        "error_rate_current",
        "p_value",
        "impact",
    ] {
        assert!(top[field].is_number(), "{field}");
    }
    assert!(top["p_value"].as_f64().unwrap() < 0.01);

    let text = tracagg(&[
        "baseline",
        "--baseline",
        "tests/fixtures/compare/normal-checkouts.otlp.json",
        "--score",
        "tests/fixtures/compare/regressed-checkouts.otlp.json",
    ]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.starts_with("baseline: 40 traces, 280 spans"), "{text}");
    assert!(text.contains("what changed"), "{text}");
}

#[test]
fn export_writes_otlp_and_jaeger_that_read_back_the_same() {
    let dir = std::env::temp_dir().join(format!("tracagg-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sources = [
        "tests/fixtures/zipkin/skew.json",
        "tests/fixtures/jaeger/root-2992f2a5b5d037a8aabffd08ef384237.json",
    ];
    let facts = |files: &[&str]| {
        let mut args = vec!["analyze", "--json"];
        args.extend_from_slice(files);
        let doc: serde_json::Value = serde_json::from_slice(&tracagg(&args).stdout).unwrap();
        let mut rows: Vec<(String, u64, String)> = doc["traces"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["trace_id"]
                        .as_str()
                        .unwrap()
                        .trim_start_matches('0')
                        .to_string(),
                    t["span_count"].as_u64().unwrap(),
                    t["root_operation"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        rows.sort();
        rows
    };
    for format in ["otlp", "jaeger"] {
        let mut args = vec!["export", "--format", format];
        args.extend_from_slice(&sources);
        let out = tracagg(&args);
        assert!(out.status.success());
        let path = dir.join(format!("all.{format}.json"));
        std::fs::write(&path, &out.stdout).unwrap();
        assert_eq!(
            facts(&[path.to_str().unwrap()]),
            facts(&sources),
            "{format}"
        );
    }
    let one = tracagg(&[
        "export",
        "--format",
        "jaeger",
        "--trace",
        "1e223ff1f80f1c69",
        sources[0],
        sources[1],
    ]);
    let doc: serde_json::Value = serde_json::from_slice(&one.stdout).unwrap();
    assert_eq!(doc["data"].as_array().unwrap().len(), 1);
    let missing = tracagg(&["export", "--format", "otlp", "--trace", "nope", sources[0]]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no such trace: nope"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn report_writes_one_self_contained_html_page_of_the_trace() {
    let out = tracagg(&[
        "report",
        "--trace",
        "1e223ff1f80f1c69",
        "tests/fixtures/zipkin/skew.json",
        "tests/fixtures/jaeger/root-2992f2a5b5d037a8aabffd08ef384237.json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<h1>servicea: get</h1>"));
    assert!(html.contains("<dt>Spans</dt><dd>4</dd>"));
    assert!(html.contains("<h2>Critical path</h2>") && html.contains("<svg class=\"waterfall\""));
    assert!(!html.contains("<script"));
    // Two traces and no --trace: which one?
    let out = tracagg(&[
        "report",
        "tests/fixtures/zipkin/skew.json",
        "tests/fixtures/jaeger/root-2992f2a5b5d037a8aabffd08ef384237.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("name one with --trace ID"));
    let out = tracagg(&[
        "report",
        "--trace",
        "nope",
        "tests/fixtures/zipkin/skew.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
}
