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
