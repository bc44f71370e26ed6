//! The trace as the agent's steps: invoke_agent → chat → tool → chat …, with the
//! infrastructure spans under a step (HTTP, database, gRPC) folded into it.
//!
//! A span is a step when it is a GenAI or decision span, or when steps lie below it (it holds
//! the agent's work together, e.g. a root request). Every other span is folded into the nearest
//! step above it; spans with no step above them are counted, not shown.
use super::conventions::{AiKind, SpanAi, Tokens};
use super::summary::GenAiSummary;
use crate::core::model::{SpanIdx, Trace};

/// What kind of step a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    /// A GenAI span of this kind.
    Ai(AiKind),
    /// A decision span (no GenAI kind).
    Decision,
    /// A span that holds steps but is none itself.
    Context,
}

impl StepKind {
    /// A short label ("LLM call", "decision", "span").
    pub fn label(self) -> &'static str {
        match self {
            Self::Ai(kind) => kind.label(),
            Self::Decision => "decision",
            Self::Context => "span",
        }
    }
}

/// One step.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The span.
    pub span: SpanIdx,
    /// Its kind.
    pub kind: StepKind,
    /// Depth among the steps (steps above it).
    pub depth: u32,
    /// The spans folded into it, in span order.
    pub folded: Vec<SpanIdx>,
    /// Its duration, ns.
    pub duration_ns: i64,
    /// Tokens of the model call (zero for other steps).
    pub tokens: Tokens,
    /// What the step is about: the model, the tool, the agent, the decision type.
    pub subject: String,
    /// Its outcome, short: finish reasons, the decision's result, the failure.
    pub result: String,
    /// True when it failed.
    pub failed: bool,
}

/// The steps of `trace` in span order, and how many spans lie outside every step.
pub fn agent_steps(trace: &Trace, summary: &GenAiSummary) -> (Vec<Step>, usize) {
    let n = trace.spans.len();
    let mut reading: Vec<Option<&SpanAi>> = vec![None; n];
    for s in &summary.spans {
        if let Some(slot) = reading.get_mut(s.span.get()) {
            *slot = Some(&s.ai);
        }
    }
    // Steps below: children come after their parent in pre-order, so one backward pass.
    let mut holds = vec![false; n];
    for i in (0..n).rev() {
        let here = holds.get(i).copied().unwrap_or(false) || reading[i].is_some();
        if let Some(parent) = trace.spans.get(i).and_then(|s| s.parent) {
            if let Some(slot) = holds.get_mut(parent.get()) {
                *slot |= here;
            }
        }
    }
    // Per span: the step row it belongs to (itself when it is one).
    let mut owner: Vec<Option<usize>> = vec![None; n];
    let mut steps: Vec<Step> = Vec::new();
    let mut outside = 0;
    for (i, span) in trace.spans.iter().enumerate() {
        let parent_owner = span
            .parent
            .and_then(|p| owner.get(p.get()).copied().flatten());
        let is_step = reading[i].is_some() || holds[i];
        if !is_step {
            match parent_owner.and_then(|o| steps.get_mut(o)) {
                Some(step) => step.folded.push(SpanIdx(i as u32)),
                None => outside += 1,
            }
            owner[i] = parent_owner;
            continue;
        }
        let depth = parent_owner
            .and_then(|o| steps.get(o))
            .map_or(0, |s| s.depth.saturating_add(1));
        let (kind, subject, result, failed, tokens) = match reading[i] {
            Some(ai) => describe(trace, SpanIdx(i as u32), ai),
            None => (
                StepKind::Context,
                trace.str(span.service).to_string(),
                String::new(),
                span.is_error(),
                Tokens::default(),
            ),
        };
        owner[i] = Some(steps.len());
        steps.push(Step {
            span: SpanIdx(i as u32),
            kind,
            depth,
            folded: Vec::new(),
            duration_ns: span.duration_ns,
            tokens,
            subject,
            result,
            failed,
        });
    }
    (steps, outside)
}

fn describe(trace: &Trace, idx: SpanIdx, ai: &SpanAi) -> (StepKind, String, String, bool, Tokens) {
    let kind = match ai.kind {
        Some(kind) => StepKind::Ai(kind),
        None => StepKind::Decision,
    };
    let operation = trace
        .span(idx)
        .map(|s| trace.str(s.operation).to_string())
        .unwrap_or_default();
    let subject = match (kind, &ai.decision) {
        (StepKind::Decision, Some(d)) => d.kind.clone(),
        (StepKind::Ai(AiKind::Llm | AiKind::Embeddings), _) => {
            ai.model.clone().unwrap_or(operation)
        }
        (StepKind::Ai(AiKind::Tool), _) => ai.tool.clone().unwrap_or(operation),
        (StepKind::Ai(AiKind::Agent), _) => ai.agent.clone().unwrap_or(operation),
        _ => operation,
    };
    let result = if let Some(failure) = &ai.failure {
        failure.clone()
    } else if let Some(result) = ai.decision.as_ref().and_then(|d| d.result.clone()) {
        match ai.decision.as_ref().and_then(|d| d.confidence) {
            Some(c) => format!("{result} (confidence {c:.2})"),
            None => result,
        }
    } else {
        ai.finish_reasons.join(", ")
    };
    let tokens = if ai.kind == Some(AiKind::Llm) {
        ai.tokens
    } else {
        Tokens::default()
    };
    (kind, subject, result, ai.failed, tokens)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::analysis::genai::genai_summary;
    use crate::core::analysis::genai::test_otlp::agent_fixture;

    #[test]
    fn infrastructure_folds_into_its_step() {
        let trace = agent_fixture();
        let summary = genai_summary(&trace).expect("GenAI spans");
        let (steps, outside) = agent_steps(&trace, &summary);
        let rows: Vec<(String, &str, u32, usize)> = steps
            .iter()
            .map(|s| {
                let op = trace.str(trace.spans[s.span.get()].operation).to_string();
                (op, s.kind.label(), s.depth, s.folded.len())
            })
            .collect();
        let rows: Vec<(&str, &str, u32, usize)> = rows
            .iter()
            .map(|(o, k, d, f)| (o.as_str(), *k, *d, *f))
            .collect();
        assert_eq!(
            rows,
            [
                ("diagnose", "span", 0, 1), // GET /healthz folds into the root
                ("chat meta-llama/Llama-3.1-8B-Instruct", "LLM call", 1, 1), // rag_retrieve
                ("execute_tool get_pod_metrics", "tool", 1, 0),
                ("chat meta-llama/Llama-3.1-8B-Instruct", "LLM call", 1, 0),
                ("execute_tool scale_deployment", "tool", 1, 0),
                ("chat meta-llama/Llama-3.1-8B-Instruct", "LLM call", 1, 0),
            ]
        );
        assert_eq!(outside, 0);
        assert_eq!(steps[1].tokens.input, 312);
    }
}
