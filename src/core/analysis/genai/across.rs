//! The AI work of all loaded traces in four tables: per model (calls, tokens, latency, errors,
//! cost), per tool (calls, p95, errors), per agent (runs, steps, tokens) and per decision type
//! (count, confidence p50 and min, how results are spread). Fed trace by trace.
use super::conventions::{AiKind, Tokens};
use super::prices::PriceTable;
use super::summary::GenAiSummary;
use crate::core::analysis::percentile;
use crate::core::model::Trace;
use std::collections::BTreeMap;

/// One model's row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelRow {
    /// Provider ("" when not named).
    pub provider: String,
    /// Model ("" when not named).
    pub model: String,
    /// Calls.
    pub calls: usize,
    /// Tokens summed over the calls.
    pub tokens: Tokens,
    /// Median call duration, ns.
    pub p50_ns: f64,
    /// 95th percentile call duration, ns.
    pub p95_ns: f64,
    /// Failed calls.
    pub errors: usize,
    /// `errors / calls`.
    pub error_rate: f64,
    /// Estimated cost from the person's price table, when it has this model.
    pub cost: Option<f64>,
}

/// One tool's row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ToolRow {
    /// The tool.
    pub name: String,
    /// Calls.
    pub calls: usize,
    /// Median call duration, ns.
    pub p50_ns: f64,
    /// 95th percentile call duration, ns.
    pub p95_ns: f64,
    /// Failed calls.
    pub errors: usize,
}

/// One agent's row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AgentRow {
    /// The agent's name ("(unnamed)" when none was given).
    pub name: String,
    /// Agent runs (agent spans counted as runs).
    pub runs: usize,
    /// GenAI and decision spans below its runs.
    pub steps: usize,
    /// Tokens of the model calls below its runs.
    pub tokens: Tokens,
}

/// One decision type's row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DecisionTypeRow {
    /// `decision.type`.
    pub kind: String,
    /// Decisions.
    pub count: usize,
    /// Median confidence, when any was given.
    pub confidence_p50: Option<f64>,
    /// Lowest confidence, when any was given.
    pub confidence_min: Option<f64>,
    /// Results and how often each came, most frequent first ("" for no result).
    pub results: Vec<(String, usize)>,
}

/// The four tables.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GenAiTables {
    /// Traces with AI work.
    pub traces: usize,
    /// Per model, most calls first.
    pub models: Vec<ModelRow>,
    /// Per tool, most calls first.
    pub tools: Vec<ToolRow>,
    /// Per agent, most runs first.
    pub agents: Vec<AgentRow>,
    /// Per decision type, most decisions first.
    pub decision_types: Vec<DecisionTypeRow>,
}

/// One decision type so far: count, confidences given, results and their counts.
type DecisionTally = (usize, Vec<f64>, BTreeMap<String, usize>);

/// Collects the tables one trace at a time.
#[derive(Debug, Default)]
pub struct GenAiTablesBuilder {
    traces: usize,
    models: BTreeMap<(String, String), (ModelRow, Vec<i64>)>,
    tools: BTreeMap<String, (ToolRow, Vec<i64>)>,
    agents: BTreeMap<String, AgentRow>,
    decisions: BTreeMap<String, DecisionTally>,
}

impl GenAiTablesBuilder {
    /// Adds one trace and its summary.
    pub fn add(&mut self, trace: &Trace, summary: &GenAiSummary) {
        self.traces += 1;
        let mut agent_ends: Vec<(u32, String)> = Vec::new();
        for s in &summary.spans {
            let Some(span) = trace.span(s.span) else {
                continue;
            };
            let ai = &s.ai;
            agent_ends.retain(|(end, _)| s.span.0 < *end);
            for (_, name) in &agent_ends {
                if let Some(row) = self.agents.get_mut(name) {
                    row.steps += 1;
                    if ai.kind == Some(AiKind::Llm) {
                        row.tokens.add(&ai.tokens);
                    }
                }
            }
            match ai.kind {
                Some(AiKind::Llm) => {
                    let key = (
                        ai.provider.clone().unwrap_or_default(),
                        ai.model.clone().unwrap_or_default(),
                    );
                    let (row, durations) = self.models.entry(key).or_default();
                    row.calls += 1;
                    row.tokens.add(&ai.tokens);
                    row.errors += usize::from(ai.failed);
                    durations.push(span.duration_ns);
                }
                Some(AiKind::Tool) => {
                    let name = ai
                        .tool
                        .clone()
                        .unwrap_or_else(|| trace.str(span.operation).to_string());
                    let (row, durations) = self.tools.entry(name).or_default();
                    row.calls += 1;
                    row.errors += usize::from(ai.failed);
                    durations.push(span.duration_ns);
                }
                Some(AiKind::Agent) => {
                    let name = ai
                        .agent
                        .clone()
                        .filter(|n| !n.is_empty())
                        .unwrap_or_else(|| "(unnamed)".to_string());
                    let nested_same = agent_ends.iter().any(|(_, n)| *n == name);
                    let row = self.agents.entry(name.clone()).or_default();
                    if !nested_same {
                        row.runs += 1;
                        agent_ends.push((span.subtree_end, name));
                    }
                }
                _ => {}
            }
            if let Some(d) = &ai.decision {
                let (count, confidences, results) =
                    self.decisions.entry(d.kind.clone()).or_default();
                *count += 1;
                confidences.extend(d.confidence);
                *results
                    .entry(d.result.clone().unwrap_or_default())
                    .or_default() += 1;
            }
        }
    }

    /// The tables, costed with `prices`.
    pub fn finish(self, prices: &PriceTable) -> GenAiTables {
        let mut models: Vec<ModelRow> = self
            .models
            .into_iter()
            .map(|((provider, model), (mut row, mut durations))| {
                durations.sort_unstable();
                row.provider = provider;
                row.model = model;
                row.p50_ns = percentile(&durations, 50.0);
                row.p95_ns = percentile(&durations, 95.0);
                row.error_rate = row.errors as f64 / row.calls.max(1) as f64;
                row.cost = prices.cost(&row.model, &row.tokens);
                row
            })
            .collect();
        models.sort_by_key(|r| std::cmp::Reverse(r.calls));
        let mut tools: Vec<ToolRow> = self
            .tools
            .into_iter()
            .map(|(name, (mut row, mut durations))| {
                durations.sort_unstable();
                row.name = name;
                row.p50_ns = percentile(&durations, 50.0);
                row.p95_ns = percentile(&durations, 95.0);
                row
            })
            .collect();
        tools.sort_by_key(|r| std::cmp::Reverse(r.calls));
        let mut agents: Vec<AgentRow> = self
            .agents
            .into_iter()
            .map(|(name, row)| AgentRow { name, ..row })
            .collect();
        agents.sort_by_key(|r| std::cmp::Reverse(r.runs));
        let mut decision_types: Vec<DecisionTypeRow> = self
            .decisions
            .into_iter()
            .map(|(kind, (count, mut confidences, results))| {
                confidences.sort_by(f64::total_cmp);
                let mut results: Vec<(String, usize)> = results.into_iter().collect();
                results.sort_by_key(|r| std::cmp::Reverse(r.1));
                DecisionTypeRow {
                    kind,
                    count,
                    confidence_p50: median(&confidences),
                    confidence_min: confidences.first().copied(),
                    results,
                }
            })
            .collect();
        decision_types.sort_by_key(|r| std::cmp::Reverse(r.count));
        GenAiTables {
            traces: self.traces,
            models,
            tools,
            agents,
            decision_types,
        }
    }
}

fn median(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => sorted.get(n / 2).copied(),
        _ => Some((sorted.get(n / 2 - 1)? + sorted.get(n / 2)?) / 2.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::analysis::genai::genai_summary;
    use crate::core::analysis::genai::test_otlp::agent_fixture;

    #[test]
    fn two_copies_of_the_fixture_add_up() {
        let trace = agent_fixture();
        let summary = genai_summary(&trace).expect("GenAI");
        let mut b = GenAiTablesBuilder::default();
        b.add(&trace, &summary);
        b.add(&trace, &summary);
        let mut prices = PriceTable::default();
        prices.set("meta-llama/Llama-3.1-8B-Instruct", 1.0, 2.0);
        let t = b.finish(&prices);
        assert_eq!(t.traces, 2);
        assert_eq!(t.models.len(), 1);
        assert_eq!(t.models[0].calls, 6);
        assert_eq!(t.models[0].tokens.input, 2 * 1102);
        // 2,204 input tokens at 1 per million, 578 output at 2 per million.
        let cost = t.models[0].cost.expect("priced");
        assert!(
            (cost - (2204.0 + 2.0 * 578.0) / 1e6).abs() < 1e-12,
            "{cost}"
        );
        assert_eq!(t.tools.iter().map(|r| r.calls).sum::<usize>(), 4);
        assert!(t.agents.is_empty());
    }
}
