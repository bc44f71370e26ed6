//! The `genai` parts of the `analyze --json` document: per trace the counts, tokens, models,
//! tools and decisions of its AI work (`null` without any GenAI or decision span), and at the
//! top level the per-model, per-tool, per-agent and per-decision-type tables over the traces.
use serde::Serialize;
use std::sync::Arc;
use tracagg::core::analysis::genai::{
    genai_summary, GenAiSummary, GenAiTables, GenAiTablesBuilder, PriceTable,
};
use tracagg::core::model::Trace;

/// A trace's `genai` object.
#[derive(Serialize)]
pub(crate) struct TraceGenAi {
    pub(crate) agents: usize,
    pub(crate) llm_calls: usize,
    pub(crate) tool_calls: usize,
    pub(crate) retrievals: usize,
    pub(crate) embeddings: usize,
    pub(crate) decisions: usize,
    pub(crate) input_tokens: u64,
    pub(crate) output_tokens: u64,
    pub(crate) cache_read_tokens: u64,
    pub(crate) cache_creation_tokens: u64,
    pub(crate) reasoning_tokens: u64,
    pub(crate) failures: usize,
    pub(crate) models: Vec<TraceModel>,
    pub(crate) tools: Vec<TraceTool>,
    pub(crate) decision_list: Vec<TraceDecision>,
    /// Where the time went (self time by the nearest model call or tool), µs.
    pub(crate) model_us: f64,
    pub(crate) tool_us: f64,
    pub(crate) other_us: f64,
    /// The same split of the critical path, µs.
    pub(crate) critical_model_us: f64,
    pub(crate) critical_tool_us: f64,
    pub(crate) critical_other_us: f64,
}

#[derive(Serialize)]
pub(crate) struct TraceModel {
    pub(crate) provider: String,
    pub(crate) model: String,
    pub(crate) calls: usize,
    pub(crate) input_tokens: u64,
    pub(crate) output_tokens: u64,
}

#[derive(Serialize)]
pub(crate) struct TraceTool {
    pub(crate) name: String,
    pub(crate) calls: usize,
    pub(crate) errors: usize,
}

#[derive(Serialize)]
pub(crate) struct TraceDecision {
    pub(crate) span_id: String,
    #[serde(rename = "type")]
    pub(crate) kind: String,
    pub(crate) confidence: Option<f64>,
    pub(crate) result: Option<String>,
    pub(crate) alternatives: Option<String>,
}

fn us(ns: i64) -> f64 {
    ns as f64 / 1000.0
}

impl TraceGenAi {
    /// The object for one trace's summary.
    pub(crate) fn of(trace: &Trace, s: &GenAiSummary) -> TraceGenAi {
        TraceGenAi {
            agents: s.agents,
            llm_calls: s.llm_calls,
            tool_calls: s.tool_calls,
            retrievals: s.retrievals,
            embeddings: s.embeddings,
            decisions: s.decisions,
            input_tokens: s.tokens.input,
            output_tokens: s.tokens.output,
            cache_read_tokens: s.tokens.cache_read,
            cache_creation_tokens: s.tokens.cache_creation,
            reasoning_tokens: s.tokens.reasoning,
            failures: s.failures.len(),
            models: s
                .models
                .iter()
                .map(|m| TraceModel {
                    provider: m.provider.clone(),
                    model: m.model.clone(),
                    calls: m.calls,
                    input_tokens: m.tokens.input,
                    output_tokens: m.tokens.output,
                })
                .collect(),
            tools: s
                .tools
                .iter()
                .map(|t| TraceTool {
                    name: t.name.clone(),
                    calls: t.calls,
                    errors: t.errors,
                })
                .collect(),
            decision_list: s
                .decision_list
                .iter()
                .map(|d| TraceDecision {
                    span_id: trace
                        .span(d.span)
                        .map(|sp| trace.str(sp.span_id).to_string())
                        .unwrap_or_default(),
                    kind: d.decision.kind.clone(),
                    confidence: d.decision.confidence,
                    result: d.decision.result.clone(),
                    alternatives: d.decision.alternatives.clone(),
                })
                .collect(),
            model_us: us(s.time.model_ns),
            tool_us: us(s.time.tool_ns),
            other_us: us(s.time.other_ns),
            critical_model_us: us(s.critical.model_ns),
            critical_tool_us: us(s.critical.tool_ns),
            critical_other_us: us(s.critical.other_ns),
        }
    }
}

/// The top-level `genai` object: tables over the reported traces.
#[derive(Serialize, Default)]
pub(crate) struct GenAiReport {
    /// Traces with any GenAI or decision span.
    pub(crate) traces: usize,
    pub(crate) models: Vec<ModelJson>,
    pub(crate) tools: Vec<ToolJson>,
    pub(crate) agents: Vec<AgentJson>,
    pub(crate) decision_types: Vec<DecisionTypeJson>,
}

#[derive(Serialize)]
pub(crate) struct ModelJson {
    pub(crate) provider: String,
    pub(crate) model: String,
    pub(crate) calls: usize,
    pub(crate) input_tokens: u64,
    pub(crate) output_tokens: u64,
    pub(crate) cache_read_tokens: u64,
    pub(crate) cache_creation_tokens: u64,
    pub(crate) reasoning_tokens: u64,
    pub(crate) p50_us: f64,
    pub(crate) p95_us: f64,
    pub(crate) errors: usize,
    pub(crate) error_rate: f64,
}

#[derive(Serialize)]
pub(crate) struct ToolJson {
    pub(crate) name: String,
    pub(crate) calls: usize,
    pub(crate) p50_us: f64,
    pub(crate) p95_us: f64,
    pub(crate) errors: usize,
}

#[derive(Serialize)]
pub(crate) struct AgentJson {
    pub(crate) name: String,
    pub(crate) runs: usize,
    pub(crate) steps: usize,
    pub(crate) input_tokens: u64,
    pub(crate) output_tokens: u64,
}

#[derive(Serialize)]
pub(crate) struct DecisionTypeJson {
    #[serde(rename = "type")]
    pub(crate) kind: String,
    pub(crate) count: usize,
    pub(crate) confidence_p50: Option<f64>,
    pub(crate) confidence_min: Option<f64>,
    pub(crate) results: Vec<ResultCount>,
}

#[derive(Serialize)]
pub(crate) struct ResultCount {
    pub(crate) result: String,
    pub(crate) count: usize,
}

impl GenAiReport {
    fn of_tables(t: GenAiTables) -> GenAiReport {
        GenAiReport {
            traces: t.traces,
            models: t
                .models
                .into_iter()
                .map(|m| ModelJson {
                    provider: m.provider,
                    model: m.model,
                    calls: m.calls,
                    input_tokens: m.tokens.input,
                    output_tokens: m.tokens.output,
                    cache_read_tokens: m.tokens.cache_read,
                    cache_creation_tokens: m.tokens.cache_creation,
                    reasoning_tokens: m.tokens.reasoning,
                    p50_us: m.p50_ns / 1000.0,
                    p95_us: m.p95_ns / 1000.0,
                    errors: m.errors,
                    error_rate: m.error_rate,
                })
                .collect(),
            tools: t
                .tools
                .into_iter()
                .map(|r| ToolJson {
                    name: r.name,
                    calls: r.calls,
                    p50_us: r.p50_ns / 1000.0,
                    p95_us: r.p95_ns / 1000.0,
                    errors: r.errors,
                })
                .collect(),
            agents: t
                .agents
                .into_iter()
                .map(|a| AgentJson {
                    name: a.name,
                    runs: a.runs,
                    steps: a.steps,
                    input_tokens: a.tokens.input,
                    output_tokens: a.tokens.output,
                })
                .collect(),
            decision_types: t
                .decision_types
                .into_iter()
                .map(|d| DecisionTypeJson {
                    kind: d.kind,
                    count: d.count,
                    confidence_p50: d.confidence_p50,
                    confidence_min: d.confidence_min,
                    results: d
                        .results
                        .into_iter()
                        .map(|(result, count)| ResultCount { result, count })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// Per trace its `genai` object (or `None`), and the top-level tables over them.
pub(crate) fn genai_parts(traces: &[Arc<Trace>]) -> (Vec<Option<TraceGenAi>>, GenAiReport) {
    let mut builder = GenAiTablesBuilder::default();
    let per_trace = traces
        .iter()
        .map(|trace| {
            let summary = genai_summary(trace)?;
            builder.add(trace, &summary);
            Some(TraceGenAi::of(trace, &summary))
        })
        .collect();
    (
        per_trace,
        GenAiReport::of_tables(builder.finish(&PriceTable::default())),
    )
}
