//! One trace's AI work in figures: how many agents, model calls, tool calls, retrievals,
//! embeddings and decisions; tokens per model; tool calls and their errors; failures; and where
//! the time went (model, tool, other), in all and on the critical path.
use super::conventions::{AiKind, Decision, SpanAi, Tokens};
use crate::core::analysis::{critical_path, self_times, TraceAnalysis};
use crate::core::model::{SpanIdx, Trace};

/// One span's reading, kept with its index.
#[derive(Debug, Clone, PartialEq)]
pub struct AiSpan {
    /// The span.
    pub span: SpanIdx,
    /// What it says about AI work.
    pub ai: SpanAi,
}

/// A model's use within a trace (or across traces).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ModelUse {
    /// Provider, or empty when none was named.
    pub provider: String,
    /// Model, or empty when none was named.
    pub model: String,
    /// Model calls.
    pub calls: usize,
    /// Tokens summed over those calls.
    pub tokens: Tokens,
    /// Calls that failed.
    pub errors: usize,
}

/// A tool's use within a trace.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ToolUse {
    /// The tool's name (the span name when the tool is not named).
    pub name: String,
    /// Calls.
    pub calls: usize,
    /// Calls that failed.
    pub errors: usize,
}

/// A decision span.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionAt {
    /// The span.
    pub span: SpanIdx,
    /// Its fields.
    pub decision: Decision,
}

/// A failed GenAI span and why.
#[derive(Debug, Clone, PartialEq)]
pub struct FailureAt {
    /// The span.
    pub span: SpanIdx,
    /// What failed ("error status", "tool.status error", "finished: length").
    pub reason: String,
}

/// Where time went, in nanoseconds: each span's self time counts for the nearest model call
/// or tool (retrievals count as tools, embeddings as model calls) that is it or above it, else
/// as other.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeSplit {
    /// Time in model calls and what they called.
    pub model_ns: i64,
    /// Time in tools and retrievals and what they called.
    pub tool_ns: i64,
    /// Everything else (agent overhead, infrastructure outside a step).
    pub other_ns: i64,
}

impl TimeSplit {
    fn add(&mut self, bucket: Bucket, ns: i64) {
        let slot = match bucket {
            Bucket::Model => &mut self.model_ns,
            Bucket::Tool => &mut self.tool_ns,
            Bucket::Other => &mut self.other_ns,
        };
        *slot = slot.saturating_add(ns.max(0));
    }

    /// The sum of the three parts.
    pub fn total_ns(&self) -> i64 {
        self.model_ns
            .saturating_add(self.tool_ns)
            .saturating_add(self.other_ns)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Bucket {
    Model,
    Tool,
    Other,
}

/// The AI work of one trace.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GenAiSummary {
    /// Every GenAI or decision span, in span order.
    pub spans: Vec<AiSpan>,
    /// Agent runs (an agent span under a span of the same agent, named only by the older
    /// `agent.name`, is a step of that run and not counted again).
    pub agents: usize,
    /// Model calls.
    pub llm_calls: usize,
    /// Tool calls.
    pub tool_calls: usize,
    /// Retrievals.
    pub retrievals: usize,
    /// Embeddings calls.
    pub embeddings: usize,
    /// Decision spans.
    pub decisions: usize,
    /// Tokens summed over the model calls.
    pub tokens: Tokens,
    /// Per provider and model, most calls first.
    pub models: Vec<ModelUse>,
    /// Per tool, most calls first.
    pub tools: Vec<ToolUse>,
    /// Agent names seen, in order of first appearance.
    pub agent_names: Vec<String>,
    /// Decisions in span order.
    pub decision_list: Vec<DecisionAt>,
    /// Failed GenAI spans, in span order.
    pub failures: Vec<FailureAt>,
    /// Where the trace's time went.
    pub time: TimeSplit,
    /// Where the critical path's time went.
    pub critical: TimeSplit,
}

/// Reads every span of `trace`; `None` when it has no GenAI or decision span.
pub fn genai_summary(trace: &Trace) -> Option<GenAiSummary> {
    let readings = readings(trace)?;
    Some(summarise(
        trace,
        readings,
        &self_times(trace),
        &critical_path(trace).span_ns,
    ))
}

/// [`genai_summary`] with the trace's analysis as the page already has it (self times and
/// the critical path are not computed again); `analysis` is asked for only when the trace has
/// AI work.
pub fn genai_summary_with(
    trace: &Trace,
    analysis: impl FnOnce() -> std::sync::Arc<TraceAnalysis>,
) -> Option<GenAiSummary> {
    let readings = readings(trace)?;
    let analysis = analysis();
    Some(summarise(
        trace,
        readings,
        &analysis.self_ns,
        &analysis.critical_path.span_ns,
    ))
}

/// Each span's reading, indexed like `trace.spans`; `None` without any AI span.
fn readings(trace: &Trace) -> Option<Vec<SpanAi>> {
    let readings: Vec<SpanAi> = trace.spans.iter().map(|s| SpanAi::of(trace, s)).collect();
    readings.iter().any(SpanAi::is_ai).then_some(readings)
}

/// The summary from each span's reading, self time and time on the critical path (all
/// indexed like `trace.spans`).
fn summarise(
    trace: &Trace,
    readings: Vec<SpanAi>,
    self_ns: &[i64],
    critical_ns: &[i64],
) -> GenAiSummary {
    let mut out = GenAiSummary::default();
    // Per span, the bucket of the nearest model call or tool at or above it, and the name of
    // the nearest agent at or above it (pre-order: a parent comes before its children).
    let mut bucket = vec![Bucket::Other; trace.spans.len()];
    let mut agent_above: Vec<Option<&str>> = vec![None; trace.spans.len()];
    for (i, (span, ai)) in trace.spans.iter().zip(&readings).enumerate() {
        let parent = span.parent.map(SpanIdx::get);
        let inherited = parent
            .and_then(|p| bucket.get(p).copied())
            .unwrap_or(Bucket::Other);
        let parent_agent = parent.and_then(|p| agent_above.get(p).copied().flatten());
        if let Some(slot) = bucket.get_mut(i) {
            *slot = match ai.kind {
                Some(AiKind::Llm | AiKind::Embeddings) if inherited == Bucket::Other => {
                    Bucket::Model
                }
                Some(AiKind::Tool | AiKind::Retrieval) if inherited == Bucket::Other => {
                    Bucket::Tool
                }
                _ => inherited,
            };
        }
        let here_agent = (ai.kind == Some(AiKind::Agent))
            .then(|| ai.agent.as_deref().unwrap_or(""))
            .or(parent_agent);
        if let Some(slot) = agent_above.get_mut(i) {
            *slot = here_agent;
        }
        let same_agent_above = ai.operation.is_none()
            && ai.agent.is_some()
            && parent_agent.is_some()
            && parent_agent == ai.agent.as_deref();
        match ai.kind {
            Some(AiKind::Agent) if !same_agent_above => out.agents += 1,
            Some(AiKind::Llm) => out.llm_calls += 1,
            Some(AiKind::Tool) => out.tool_calls += 1,
            Some(AiKind::Retrieval) => out.retrievals += 1,
            Some(AiKind::Embeddings) => out.embeddings += 1,
            _ => {}
        }
        if let Some(name) = ai.agent.as_deref().filter(|n| !n.is_empty()) {
            if !out.agent_names.iter().any(|n| n == name) {
                out.agent_names.push(name.to_string());
            }
        }
    }
    for (i, b) in bucket.iter().enumerate() {
        out.time.add(*b, self_ns.get(i).copied().unwrap_or(0));
        out.critical
            .add(*b, critical_ns.get(i).copied().unwrap_or(0));
    }
    for (i, ai) in readings.into_iter().enumerate() {
        if !ai.is_ai() {
            continue;
        }
        let idx = SpanIdx(i as u32);
        let operation = trace
            .span(idx)
            .map(|s| trace.str(s.operation).to_string())
            .unwrap_or_default();
        match ai.kind {
            Some(AiKind::Llm) => {
                out.tokens.add(&ai.tokens);
                let provider = ai.provider.clone().unwrap_or_default();
                let model = ai.model.clone().unwrap_or_default();
                let row = match out
                    .models
                    .iter()
                    .position(|m| m.provider == provider && m.model == model)
                {
                    Some(at) => &mut out.models[at],
                    None => {
                        out.models.push(ModelUse {
                            provider,
                            model,
                            ..ModelUse::default()
                        });
                        let last = out.models.len() - 1;
                        &mut out.models[last]
                    }
                };
                row.calls += 1;
                row.tokens.add(&ai.tokens);
                row.errors += usize::from(ai.failed);
            }
            Some(AiKind::Tool) => {
                let name = ai.tool.clone().unwrap_or(operation);
                let row = match out.tools.iter().position(|t| t.name == name) {
                    Some(at) => &mut out.tools[at],
                    None => {
                        out.tools.push(ToolUse {
                            name,
                            ..ToolUse::default()
                        });
                        let last = out.tools.len() - 1;
                        &mut out.tools[last]
                    }
                };
                row.calls += 1;
                row.errors += usize::from(ai.failed);
            }
            _ => {}
        }
        if let Some(decision) = ai.decision.clone() {
            out.decisions += 1;
            out.decision_list.push(DecisionAt {
                span: idx,
                decision,
            });
        }
        if let Some(reason) = ai.failure.clone() {
            out.failures.push(FailureAt { span: idx, reason });
        }
        out.spans.push(AiSpan { span: idx, ai });
    }
    out.models.sort_by_key(|r| std::cmp::Reverse(r.calls));
    out.tools.sort_by_key(|r| std::cmp::Reverse(r.calls));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::analysis::genai::test_otlp::agent_fixture;

    #[test]
    fn the_jaeger_ui_agent_fixture_counted_by_hand() {
        let trace = agent_fixture();
        let s = genai_summary(&trace).expect("GenAI spans");
        // diagnose (no GenAI key) → chat → rag_retrieve (no GenAI key); two execute_tool;
        // GET /healthz; two more chats.
        assert_eq!(s.llm_calls, 3);
        assert_eq!(s.tool_calls, 2);
        assert_eq!(
            (s.agents, s.retrievals, s.embeddings, s.decisions),
            (0, 0, 0, 0)
        );
        assert_eq!(s.tokens.input, 312 + 589 + 201);
        assert_eq!(s.tokens.output, 128 + 94 + 67);
        assert_eq!(s.models.len(), 1);
        assert_eq!(s.models[0].provider, "huggingface");
        assert_eq!(s.models[0].model, "meta-llama/Llama-3.1-8B-Instruct");
        assert_eq!(s.models[0].calls, 3);
        let tools: Vec<_> = s.tools.iter().map(|t| (t.name.as_str(), t.calls)).collect();
        assert_eq!(tools, [("get_pod_metrics", 1), ("scale_deployment", 1)]);
        assert!(s.failures.is_empty());
        assert_eq!(
            s.time.total_ns(),
            crate::core::analysis::self_times(&trace)
                .iter()
                .sum::<i64>()
        );
    }

    #[test]
    fn a_trace_without_ai_spans_has_no_summary() {
        let trace = crate::core::analysis::test_trace::simple(&[("a", None, 0, 10)]);
        assert!(genai_summary(&trace).is_none());
    }
}
