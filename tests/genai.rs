//! `tracagg analyze --json`'s `genai` fields on AI-agent traces: Jaeger UI's GenAI fixture and
//! the three runs made by the OpenTelemetry Python SDK (`tests/fixtures/genai/generate.py`,
//! which states each count by hand).
#![allow(clippy::unwrap_used)]

use serde_json::{json, Value};
use std::process::Command;

fn analyze(files: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_tracagg"))
        .arg("analyze")
        .arg("--json")
        .args(files)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The counting fields of a trace's `genai` object.
fn counts(genai: &Value) -> Value {
    let keys = [
        "agents",
        "llm_calls",
        "tool_calls",
        "retrievals",
        "embeddings",
        "decisions",
        "input_tokens",
        "output_tokens",
        "cache_read_tokens",
        "cache_creation_tokens",
        "reasoning_tokens",
        "failures",
    ];
    Value::Object(
        keys.iter()
            .map(|k| (k.to_string(), genai[k].clone()))
            .collect(),
    )
}

fn by_root<'a>(doc: &'a Value, root: &str) -> &'a Value {
    doc["traces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["root_operation"] == root)
        .unwrap_or_else(|| panic!("no trace with root {root}"))
}

#[test]
fn jaeger_ui_agent_fixture_counted_by_hand() {
    let doc = analyze(&["tests/fixtures/otlp/genai-agent-trace.json"]);
    let genai = &doc["traces"][0]["genai"];
    assert_eq!(
        counts(genai),
        json!({"agents": 0, "llm_calls": 3, "tool_calls": 2, "retrievals": 0, "embeddings": 0,
               "decisions": 0, "input_tokens": 1102, "output_tokens": 289, "cache_read_tokens": 0,
               "cache_creation_tokens": 0, "reasoning_tokens": 0, "failures": 0})
    );
    assert_eq!(
        genai["models"],
        json!([{"provider": "huggingface", "model": "meta-llama/Llama-3.1-8B-Instruct",
                "calls": 3, "input_tokens": 1102, "output_tokens": 289}])
    );
    assert_eq!(
        genai["tools"],
        json!([{"name": "get_pod_metrics", "calls": 1, "errors": 0},
               {"name": "scale_deployment", "calls": 1, "errors": 0}])
    );
    assert_eq!(genai["decision_list"], json!([]));
}

#[test]
fn sdk_made_runs_in_three_conventions_counted_by_hand() {
    let doc = analyze(&["tests/fixtures/genai/agent-runs.otlp.json"]);
    let travel = &by_root(&doc, "POST /plan")["genai"];
    assert_eq!(
        counts(travel),
        json!({"agents": 1, "llm_calls": 2, "tool_calls": 2, "retrievals": 1, "embeddings": 1,
               "decisions": 2, "input_tokens": 2850, "output_tokens": 325,
               "cache_read_tokens": 1024, "cache_creation_tokens": 0, "reasoning_tokens": 64,
               "failures": 1})
    );
    assert_eq!(travel["models"][0]["model"], "gpt-4o-2024-08-06");
    assert_eq!(travel["models"][0]["provider"], "openai");
    let route = &travel["decision_list"][0];
    assert_eq!(route["type"], "route");
    assert_eq!(route["confidence"], 0.42);
    assert_eq!(route["result"], "flights");
    assert_eq!(route["alternatives"], "[\"hotels\", \"trains\"]");
    assert_eq!(route["span_id"].as_str().unwrap().len(), 16);

    let bot = &by_root(&doc, "handle_ticket")["genai"];
    assert_eq!(
        counts(bot),
        json!({"agents": 1, "llm_calls": 2, "tool_calls": 2, "retrievals": 0, "embeddings": 0,
               "decisions": 1, "input_tokens": 710, "output_tokens": 632, "cache_read_tokens": 0,
               "cache_creation_tokens": 0, "reasoning_tokens": 0, "failures": 2})
    );
    assert_eq!(bot["models"][0]["provider"], "anthropic");
    assert_eq!(
        bot["tools"][1],
        json!({"name": "refund", "calls": 1, "errors": 1})
    );

    let rag = &by_root(&doc, "agent")["genai"];
    assert_eq!(
        counts(rag),
        json!({"agents": 1, "llm_calls": 1, "tool_calls": 1, "retrievals": 1, "embeddings": 0,
               "decisions": 0, "input_tokens": 900, "output_tokens": 150, "cache_read_tokens": 0,
               "cache_creation_tokens": 0, "reasoning_tokens": 0, "failures": 0})
    );
    assert_eq!(rag["models"][0]["model"], "gpt-4o-mini");

    // The cross-trace tables.
    let top = &doc["genai"];
    assert_eq!(top["traces"], 3);
    let models: Vec<(&str, u64)> = top["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["model"].as_str().unwrap(), m["calls"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        models,
        [
            ("claude-sonnet-4", 2),
            ("gpt-4o-2024-08-06", 2),
            ("gpt-4o-mini", 1)
        ]
    );
    let agents: Vec<(&str, u64, u64)> = top["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["name"].as_str().unwrap(),
                a["runs"].as_u64().unwrap(),
                a["steps"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(agents.contains(&("travel_planner", 1, 8)), "{agents:?}");
    assert!(agents.contains(&("support_bot", 1, 5)), "{agents:?}");
    let types: Vec<&str> = top["decision_types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["type"].as_str().unwrap())
        .collect();
    assert_eq!(types.len(), 3);
    let escalate = top["decision_types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["type"] == "escalate")
        .unwrap();
    assert_eq!(escalate["confidence_min"], 0.3);
    assert_eq!(escalate["results"], json!([{"result": "no", "count": 1}]));
}

#[test]
fn traces_without_ai_work_have_genai_null_and_the_tables_are_empty() {
    let doc = analyze(&["tests/fixtures/zipkin/skew.json"]);
    assert_eq!(doc["traces"][0]["genai"], Value::Null);
    assert_eq!(doc["genai"]["traces"], 0);
    assert_eq!(doc["genai"]["models"], json!([]));
}

#[test]
fn the_table_output_has_an_agent_section() {
    let out = Command::new(env!("CARGO_BIN_EXE_tracagg"))
        .args(["analyze", "tests/fixtures/genai/agent-runs.otlp.json"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("agent: 1 agents, 2 LLM calls, 2 tool calls, 1 retrievals, 1 embeddings, 2 decisions, 1 failures"), "{text}");
    assert!(text.contains("decision route"), "{text}");
}
