//! AI agent and LLM traces understood: what the agent did (agents, model calls, tools,
//! retrievals, decisions), what it cost (tokens per model, a person's price table) and why it
//! decided (decision spans). Pure: the Agent tab, the AI view and `tracagg analyze` all call it.
//!
//! `conventions` reads one span in any of the conventions in use; `summary` adds up one trace;
//! `steps` shows it as the agent's steps with infrastructure folded in; `conversation` reads
//! the messages; `across` builds the cross-trace tables; `prices` is the person's price table.
mod across;
mod conventions;
mod conversation;
mod prices;
mod steps;
mod summary;
mod usage;

pub use across::{AgentRow, DecisionTypeRow, GenAiTables, GenAiTablesBuilder, ModelRow, ToolRow};
pub use conventions::{decision_confidence, AiKind, Decision, SpanAi, Tokens};
pub use conversation::{conversation, messages_of, Message, Role};
pub use prices::{Price, PriceTable};
pub use steps::{agent_steps, Step, StepKind};
pub use summary::{
    genai_summary, genai_summary_with, AiSpan, DecisionAt, FailureAt, GenAiSummary, ModelUse,
    TimeSplit, ToolUse,
};
pub use usage::{token_usage, TokenUsage};

/// True when most of the trace's spans are GenAI or decision spans: the page then opens the
/// Agent tab first.
pub fn mostly_ai(trace: &crate::core::model::Trace, summary: &GenAiSummary) -> bool {
    summary.spans.len() * 2 > trace.spans.len()
}

#[cfg(test)]
pub(crate) mod test_otlp {
    //! Small OTLP traces for the tests, read through the real parser.
    use crate::core::load::load_into;
    use crate::core::model::{Trace, TraceSet};
    use std::sync::Arc;

    /// An attribute value in a test span.
    pub(crate) enum Val<'a> {
        S(&'a str),
        I(i64),
        F(f64),
    }

    fn value_json(v: &Val) -> serde_json::Value {
        match v {
            Val::S(s) => serde_json::json!({ "stringValue": s }),
            Val::I(i) => serde_json::json!({ "intValue": i.to_string() }),
            Val::F(f) => serde_json::json!({ "doubleValue": f }),
        }
    }

    /// Loads an OTLP document and returns its first trace.
    pub(crate) fn load(text: &str) -> Arc<Trace> {
        let mut set = TraceSet::default();
        load_into(&mut set, "test.json", text.as_bytes()).expect("loads");
        set.traces().first().cloned().expect("a trace")
    }

    /// One span with these attributes (and error status when `error`).
    pub(crate) fn attrs_trace(attrs: &[(&str, Val)], error: bool) -> Arc<Trace> {
        let attributes: Vec<serde_json::Value> = attrs
            .iter()
            .map(|(k, v)| serde_json::json!({ "key": k, "value": value_json(v) }))
            .collect();
        let doc = serde_json::json!({ "resourceSpans": [{
            "resource": { "attributes": [{ "key": "service.name", "value": { "stringValue": "agent" } }] },
            "scopeSpans": [{ "spans": [{
                "traceId": "0af7651916cd43dd8448eb211c80319c", "spanId": "b7ad6b7169203331",
                "name": "op", "kind": 1,
                "startTimeUnixNano": "1000000000", "endTimeUnixNano": "2000000000",
                "attributes": attributes,
                "status": { "code": if error { 2 } else { 0 } }
            }]}]
        }]});
        load(&doc.to_string())
    }

    /// Jaeger UI's GenAI agent fixture (8 spans).
    pub(crate) fn agent_fixture() -> Arc<Trace> {
        load(include_str!(
            "../../../tests/fixtures/otlp/genai-agent-trace.json"
        ))
    }
}
