//! What a span says about AI work, read from every convention the agents we serve use:
//! OpenTelemetry GenAI (`gen_ai.*`, current and older names), OpenInference (Phoenix,
//! OpenLLMetry: `openinference.span.kind`, `llm.*`, `input.value`), the older ad-hoc style
//! (`tool.name`, `llm.model_provider`, `agent.name`) and decision spans (`decision.*`).
//!
//! [`SpanAi::of`] reads one span's attributes once and keeps only what the analyses need, so
//! the summary, the steps and the cross-trace tables agree on what a span is.
use crate::core::model::{AttrValue, Span, SpanStatus, Trace};

/// The role of a span in an agent's work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AiKind {
    /// An agent run or its creation (`invoke_agent`, `create_agent`, OpenInference `AGENT`).
    Agent,
    /// A model call (`chat`, `text_completion`, `generate_content`, OpenInference `LLM`).
    Llm,
    /// A tool execution (`execute_tool`, OpenInference `TOOL`, `tool.name`).
    Tool,
    /// A retrieval (`retrieval`, OpenInference `RETRIEVER`).
    Retrieval,
    /// An embeddings call (`embeddings`, OpenInference `EMBEDDING`).
    Embeddings,
    /// Some other GenAI span (a chain, a guardrail, an evaluator, an unknown operation).
    Other,
}

impl AiKind {
    /// The name a person reads ("LLM call", "tool").
    pub fn label(self) -> &'static str {
        match self {
            Self::Agent => "agent",
            Self::Llm => "LLM call",
            Self::Tool => "tool",
            Self::Retrieval => "retrieval",
            Self::Embeddings => "embeddings",
            Self::Other => "GenAI",
        }
    }
}

/// Token counts of one model call (or summed over several). Saturating sums: hostile numbers
/// never wrap.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Tokens {
    /// Input (prompt) tokens.
    pub input: u64,
    /// Output (completion) tokens.
    pub output: u64,
    /// Input tokens read from the provider's cache.
    pub cache_read: u64,
    /// Input tokens written to the provider's cache.
    pub cache_creation: u64,
    /// Output tokens spent on reasoning.
    pub reasoning: u64,
}

impl Tokens {
    /// Adds `other` to these counts, saturating.
    pub fn add(&mut self, other: &Tokens) {
        self.input = self.input.saturating_add(other.input);
        self.output = self.output.saturating_add(other.output);
        self.cache_read = self.cache_read.saturating_add(other.cache_read);
        self.cache_creation = self.cache_creation.saturating_add(other.cache_creation);
        self.reasoning = self.reasoning.saturating_add(other.reasoning);
    }

    /// Input plus output tokens.
    pub fn total(&self) -> u64 {
        self.input.saturating_add(self.output)
    }
}

/// A decision span's fields (`decision.*`).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Decision {
    /// `decision.type`.
    pub kind: String,
    /// `decision.confidence`, 0–1 when the producer follows the convention (kept as given).
    pub confidence: Option<f64>,
    /// `decision.result`.
    pub result: Option<String>,
    /// `decision.alternatives` as text (a JSON array stays JSON text).
    pub alternatives: Option<String>,
    /// `decision.factors`, usually JSON text.
    pub factors: Option<String>,
}

/// What one span says about AI work; `None` fields were not given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SpanAi {
    /// Its role, when it is a GenAI span at all.
    pub kind: Option<AiKind>,
    /// The provider (`gen_ai.provider.name`, `gen_ai.system`, `llm.model_provider`, …).
    pub provider: Option<String>,
    /// The model (`gen_ai.response.model`, else `gen_ai.request.model`, `llm.model_name`, …).
    pub model: Option<String>,
    /// Token counts (model calls only are summed by the analyses).
    pub tokens: Tokens,
    /// The tool's name (`gen_ai.tool.name`, `tool.name`).
    pub tool: Option<String>,
    /// The agent's name (`gen_ai.agent.name`, `agent.name`).
    pub agent: Option<String>,
    /// The operation name as given (`gen_ai.operation.name`), or the OpenInference kind.
    pub operation: Option<String>,
    /// Finish reasons (`gen_ai.response.finish_reasons`), lower-cased.
    pub finish_reasons: Vec<String>,
    /// True when the span failed: error status, `tool.status`/`llm.status` saying so, or a
    /// finish reason other than a normal stop.
    pub failed: bool,
    /// Why it failed, in a few words, when it did.
    pub failure: Option<String>,
    /// The decision, when the span has `decision.type`.
    pub decision: Option<Decision>,
}

impl SpanAi {
    /// True when the span is a GenAI span or a decision.
    pub fn is_ai(&self) -> bool {
        self.kind.is_some() || self.decision.is_some()
    }

    /// Reads one span.
    pub fn of(trace: &Trace, span: &Span) -> SpanAi {
        let mut raw = Raw::default();
        for attr in trace.attrs(span.attrs) {
            raw.take(trace, trace.str(attr.key), attr.value);
        }
        raw.finish(span)
    }
}

/// Whether a span is a decision (`decision.type`), and its confidence when one is given: the
/// cheap reading the timeline's quick filters need (no allocation).
pub fn decision_confidence(trace: &Trace, span: &Span) -> Option<Option<f64>> {
    let mut is_decision = false;
    let mut confidence = None;
    for attr in trace.attrs(span.attrs) {
        match trace.str(attr.key) {
            "decision.type" => is_decision = true,
            "decision.confidence" => confidence = number(trace, attr.value),
            _ => {}
        }
    }
    is_decision.then_some(confidence)
}

/// Finish reasons that mean the model ended normally (or handed over to a tool).
const NORMAL_FINISH: &[&str] = &[
    "stop",
    "end_turn",
    "tool_calls",
    "tool_call",
    "tool_use",
    "function_call",
    "stop_sequence",
    "finish_reason_unspecified",
    "",
];

/// Statuses of `tool.status` / `llm.status` that mean failure.
const FAILED_STATUS: &[&str] = &["error", "failed", "failure", "timeout", "exception"];

/// The attributes seen, before deciding what the span is.
#[derive(Default)]
struct Raw {
    operation: Option<String>,
    openinference_kind: Option<String>,
    has_gen_ai: bool,
    has_llm: bool,
    provider: Option<(u8, String)>,
    response_model: Option<String>,
    request_model: Option<String>,
    other_model: Option<String>,
    tokens: Tokens,
    tool: Option<String>,
    gen_ai_agent: Option<String>,
    adhoc_agent: Option<String>,
    finish_reasons: Vec<String>,
    status_failed: Option<String>,
    decision_type: Option<String>,
    decision: Decision,
}

use crate::core::analysis::trace_stats::attr_text as text;

/// A token count: integers, floats and numeric strings; negative or absurd values count 0.
fn count(trace: &Trace, value: AttrValue) -> u64 {
    match value {
        AttrValue::Int(i) => u64::try_from(i).unwrap_or(0),
        AttrValue::Float(f) if (0.0..1e18).contains(&f) => f as u64,
        AttrValue::Str(s) => trace.str(s).trim().parse::<u64>().unwrap_or(0),
        _ => 0,
    }
}

fn number(trace: &Trace, value: AttrValue) -> Option<f64> {
    let n = match value {
        AttrValue::Int(i) => i as f64,
        AttrValue::Float(f) => f,
        AttrValue::Str(s) => trace.str(s).trim().parse::<f64>().ok()?,
        _ => return None,
    };
    n.is_finite().then_some(n)
}

/// Finish reasons from a JSON array (`["stop"]`), a list in a string, or one value.
fn reasons(raw: &str) -> Vec<String> {
    if let Ok(list) = serde_json::from_str::<Vec<String>>(raw) {
        return list.into_iter().map(|r| r.to_ascii_lowercase()).collect();
    }
    raw.split(',')
        .map(|r| r.trim().trim_matches(['"', '[', ']']).to_ascii_lowercase())
        .filter(|r| !r.is_empty())
        .collect()
}

impl Raw {
    fn take(&mut self, trace: &Trace, key: &str, value: AttrValue) {
        let provider = |rank: u8, slot: &mut Option<(u8, String)>| {
            if slot.as_ref().is_none_or(|(r, _)| rank < *r) {
                *slot = Some((rank, text(trace, value)));
            }
        };
        if key.starts_with("gen_ai.") {
            self.has_gen_ai = true;
        }
        if key.starts_with("llm.") {
            self.has_llm = true;
        }
        match key {
            "gen_ai.operation.name" => self.operation = Some(text(trace, value)),
            "openinference.span.kind" => self.openinference_kind = Some(text(trace, value)),
            "gen_ai.provider.name" => provider(0, &mut self.provider),
            "gen_ai.system" => provider(1, &mut self.provider),
            "llm.provider" => provider(2, &mut self.provider),
            "llm.model_provider" => provider(3, &mut self.provider),
            "llm.system" => provider(4, &mut self.provider),
            "gen_ai.response.model" => self.response_model = Some(text(trace, value)),
            "gen_ai.request.model" => self.request_model = Some(text(trace, value)),
            "llm.model_name" | "llm.model" | "llm.request.model" | "llm.response.model" => {
                self.other_model.get_or_insert_with(|| text(trace, value));
            }
            "gen_ai.usage.input_tokens"
            | "gen_ai.usage.prompt_tokens"
            | "llm.token_count.prompt"
            | "llm.usage.prompt_tokens" => {
                self.tokens.input = self.tokens.input.max(count(trace, value));
            }
            "gen_ai.usage.output_tokens"
            | "gen_ai.usage.completion_tokens"
            | "llm.token_count.completion"
            | "llm.usage.completion_tokens" => {
                self.tokens.output = self.tokens.output.max(count(trace, value));
            }
            "gen_ai.usage.cache_read.input_tokens"
            | "gen_ai.usage.cache_read_input_tokens"
            | "gen_ai.usage.input_tokens.cached"
            | "llm.token_count.prompt_details.cache_read" => {
                self.tokens.cache_read = self.tokens.cache_read.max(count(trace, value));
            }
            "gen_ai.usage.cache_creation.input_tokens"
            | "gen_ai.usage.cache_creation_input_tokens"
            | "gen_ai.usage.cache_write.input_tokens"
            | "llm.token_count.prompt_details.cache_write" => {
                self.tokens.cache_creation = self.tokens.cache_creation.max(count(trace, value));
            }
            "gen_ai.usage.reasoning.output_tokens"
            | "gen_ai.usage.output_tokens.reasoning"
            | "gen_ai.usage.reasoning_tokens"
            | "llm.token_count.completion_details.reasoning" => {
                self.tokens.reasoning = self.tokens.reasoning.max(count(trace, value));
            }
            "gen_ai.tool.name" => self.tool = Some(text(trace, value)),
            "tool.name" => {
                self.tool.get_or_insert_with(|| text(trace, value));
            }
            "gen_ai.agent.name" => self.gen_ai_agent = Some(text(trace, value)),
            "agent.name" => self.adhoc_agent = Some(text(trace, value)),
            "gen_ai.response.finish_reasons" | "llm.finish_reason" => {
                self.finish_reasons.extend(reasons(&text(trace, value)));
            }
            "tool.status" | "llm.status" => {
                let status = text(trace, value);
                if FAILED_STATUS.contains(&status.trim().to_ascii_lowercase().as_str()) {
                    self.status_failed = Some(format!("{key} {status}"));
                }
            }
            "decision.type" => self.decision_type = Some(text(trace, value)),
            "decision.confidence" => self.decision.confidence = number(trace, value),
            "decision.result" => self.decision.result = Some(text(trace, value)),
            "decision.alternatives" => self.decision.alternatives = Some(text(trace, value)),
            "decision.factors" => self.decision.factors = Some(text(trace, value)),
            _ => {}
        }
    }

    /// The kind from the operation name, else from OpenInference's kind, else from the older
    /// conventions' keys.
    fn kind(&self) -> Option<AiKind> {
        if let Some(op) = &self.operation {
            return Some(match op.trim().to_ascii_lowercase().as_str() {
                "chat" | "text_completion" | "generate_content" | "completion" => AiKind::Llm,
                "execute_tool" => AiKind::Tool,
                "invoke_agent" | "create_agent" => AiKind::Agent,
                "retrieval" | "retrieve" => AiKind::Retrieval,
                "embeddings" | "embedding" => AiKind::Embeddings,
                _ => AiKind::Other,
            });
        }
        if let Some(kind) = &self.openinference_kind {
            return Some(match kind.trim().to_ascii_uppercase().as_str() {
                "LLM" => AiKind::Llm,
                "TOOL" => AiKind::Tool,
                "AGENT" => AiKind::Agent,
                "RETRIEVER" => AiKind::Retrieval,
                "EMBEDDING" => AiKind::Embeddings,
                _ => AiKind::Other,
            });
        }
        if self.tool.is_some() {
            return Some(AiKind::Tool);
        }
        let model_call = self.provider.is_some()
            || self.request_model.is_some()
            || self.response_model.is_some()
            || self.other_model.is_some()
            || self.has_llm;
        if model_call {
            return Some(AiKind::Llm);
        }
        // A decision span that only names its agent is a decision, not another agent.
        if self.gen_ai_agent.is_some()
            || (self.adhoc_agent.is_some() && self.decision_type.is_none())
        {
            return Some(AiKind::Agent);
        }
        self.has_gen_ai.then_some(AiKind::Other)
    }

    fn finish(self, span: &Span) -> SpanAi {
        let kind = self.kind();
        let abnormal = self
            .finish_reasons
            .iter()
            .find(|r| !NORMAL_FINISH.contains(&r.as_str()))
            .cloned();
        let failure = if span.status == SpanStatus::Error && kind.is_some() {
            Some("error status".to_string())
        } else if let Some(status) = self.status_failed.clone() {
            Some(status)
        } else {
            abnormal.map(|r| format!("finished: {r}"))
        };
        SpanAi {
            kind,
            provider: self.provider.map(|(_, p)| p),
            model: self
                .response_model
                .or(self.request_model)
                .or(self.other_model),
            tokens: self.tokens,
            tool: self.tool,
            agent: self.gen_ai_agent.or(self.adhoc_agent),
            operation: self.operation.or(self.openinference_kind),
            finish_reasons: self.finish_reasons,
            failed: failure.is_some(),
            failure,
            decision: self.decision_type.map(|kind| Decision {
                kind,
                ..self.decision
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::analysis::genai::test_otlp::{attrs_trace, Val};

    fn one(attrs: &[(&str, Val)], error: bool) -> SpanAi {
        let trace = attrs_trace(attrs, error);
        SpanAi::of(&trace, &trace.spans[0])
    }

    fn one_str(attrs: &[(&str, &str)]) -> SpanAi {
        let attrs: Vec<(&str, Val)> = attrs.iter().map(|(k, v)| (*k, Val::S(v))).collect();
        one(&attrs, false)
    }

    #[test]
    fn operation_names_map_to_kinds() {
        for (op, kind) in [
            ("chat", AiKind::Llm),
            ("text_completion", AiKind::Llm),
            ("generate_content", AiKind::Llm),
            ("execute_tool", AiKind::Tool),
            ("invoke_agent", AiKind::Agent),
            ("create_agent", AiKind::Agent),
            ("retrieval", AiKind::Retrieval),
            ("embeddings", AiKind::Embeddings),
            ("rerank", AiKind::Other),
        ] {
            assert_eq!(
                one_str(&[("gen_ai.operation.name", op)]).kind,
                Some(kind),
                "{op}"
            );
        }
    }

    #[test]
    fn older_conventions_map_to_the_same_kinds() {
        assert_eq!(
            one_str(&[("gen_ai.system", "openai")]).kind,
            Some(AiKind::Llm)
        );
        assert_eq!(
            one_str(&[("llm.model_provider", "anthropic")]).kind,
            Some(AiKind::Llm)
        );
        assert_eq!(one_str(&[("tool.name", "search")]).kind, Some(AiKind::Tool));
        assert_eq!(
            one_str(&[("openinference.span.kind", "RETRIEVER")]).kind,
            Some(AiKind::Retrieval)
        );
        assert_eq!(
            one_str(&[("openinference.span.kind", "LLM"), ("llm.model_name", "m")]).model,
            Some("m".to_string())
        );
        assert_eq!(
            one_str(&[("agent.name", "planner")]).kind,
            Some(AiKind::Agent)
        );
        assert_eq!(one_str(&[("http.method", "GET")]).kind, None);
        let decision = one_str(&[("decision.type", "route"), ("decision.confidence", "0.4")]);
        assert_eq!(decision.kind, None);
        assert!(decision.is_ai());
        assert_eq!(decision.decision.and_then(|d| d.confidence), Some(0.4));
    }

    #[test]
    fn provider_prefers_the_current_name() {
        let ai = one_str(&[("gen_ai.system", "old"), ("gen_ai.provider.name", "new")]);
        assert_eq!(ai.provider.as_deref(), Some("new"));
    }

    #[test]
    fn tokens_and_failures() {
        let ai = one(
            &[
                ("gen_ai.operation.name", Val::S("chat")),
                ("gen_ai.usage.input_tokens", Val::I(120)),
                ("gen_ai.usage.output_tokens", Val::F(30.0)),
                ("gen_ai.usage.reasoning.output_tokens", Val::I(-5)),
                ("gen_ai.usage.cache_read.input_tokens", Val::S("7")),
            ],
            true,
        );
        assert_eq!(ai.tokens.input, 120);
        assert_eq!(ai.tokens.output, 30);
        assert_eq!(ai.tokens.reasoning, 0);
        assert_eq!(ai.tokens.cache_read, 7);
        assert!(ai.failed);
        let ai = one_str(&[
            ("gen_ai.operation.name", "chat"),
            ("gen_ai.request.model", "small"),
            ("gen_ai.response.model", "small-2024"),
            ("gen_ai.response.finish_reasons", "[\"length\"]"),
        ]);
        assert_eq!(ai.model.as_deref(), Some("small-2024"));
        assert_eq!(ai.failure.as_deref(), Some("finished: length"));
        let ok = one_str(&[
            ("gen_ai.operation.name", "chat"),
            ("gen_ai.response.finish_reasons", "[\"tool_calls\"]"),
        ]);
        assert!(!ok.failed);
        assert!(one_str(&[("tool.name", "search"), ("tool.status", "error")]).failed);
    }
}
