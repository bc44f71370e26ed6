//! The AI view's tables across the loaded traces (per model, tool, agent and decision type)
//! and the Agent tab's own: tokens per model of one trace, and its decisions.
use crate::core::analysis::genai::{GenAiSummary, GenAiTables, PriceTable};
use crate::core::analysis::SpanRef;
use crate::core::model::Trace;
use crate::core::view_model::tables::table::{Cell, Column, Table, TableRow};

/// A cost cell: the amount, or a dash when the price table has no price for the model.
fn cost_cell(cost: Option<f64>) -> Cell {
    match cost {
        Some(cost) => Cell::number(cost, 4),
        None => Cell::text("—"),
    }
}

fn tokens(value: u64) -> Cell {
    Cell::count(usize::try_from(value).unwrap_or(usize::MAX))
}

/// Per model: calls, tokens, p50/p95 latency, errors, estimated cost.
pub fn models_table(tables: &GenAiTables) -> Table {
    Table {
        columns: vec![
            Column::text("Provider", "provider"),
            Column::text("Model", "model"),
            Column::num("Calls", "calls"),
            Column::num("Tokens in", "input_tokens"),
            Column::num("Tokens out", "output_tokens"),
            Column::num("Cache read", "cache_read_tokens"),
            Column::num("Reasoning", "reasoning_tokens"),
            Column::num("p50", "p50_ms"),
            Column::num("p95", "p95_ms"),
            Column::num("Error rate", "error_rate_percent"),
            Column::num("Cost", "cost"),
        ],
        rows: tables
            .models
            .iter()
            .map(|m| TableRow {
                cells: vec![
                    Cell::text(&m.provider),
                    Cell::text(&m.model),
                    Cell::count(m.calls),
                    tokens(m.tokens.input),
                    tokens(m.tokens.output),
                    tokens(m.tokens.cache_read),
                    tokens(m.tokens.reasoning),
                    Cell::duration_ns(m.p50_ns),
                    Cell::duration_ns(m.p95_ns),
                    Cell::percent(m.error_rate * 100.0),
                    cost_cell(m.cost),
                ],
                ..TableRow::default()
            })
            .collect(),
    }
}

/// Per tool: calls, p50/p95, errors.
pub fn tools_table(tables: &GenAiTables) -> Table {
    Table {
        columns: vec![
            Column::text("Tool", "tool"),
            Column::num("Calls", "calls"),
            Column::num("p50", "p50_ms"),
            Column::num("p95", "p95_ms"),
            Column::num("Errors", "errors"),
        ],
        rows: tables
            .tools
            .iter()
            .map(|t| TableRow {
                cells: vec![
                    Cell::text(&t.name),
                    Cell::count(t.calls),
                    Cell::duration_ns(t.p50_ns),
                    Cell::duration_ns(t.p95_ns),
                    Cell::count(t.errors),
                ],
                ..TableRow::default()
            })
            .collect(),
    }
}

/// Per agent: runs, steps, tokens.
pub fn agents_table(tables: &GenAiTables) -> Table {
    Table {
        columns: vec![
            Column::text("Agent", "agent"),
            Column::num("Runs", "runs"),
            Column::num("Steps", "steps"),
            Column::num("Tokens in", "input_tokens"),
            Column::num("Tokens out", "output_tokens"),
        ],
        rows: tables
            .agents
            .iter()
            .map(|a| TableRow {
                cells: vec![
                    Cell::text(&a.name),
                    Cell::count(a.runs),
                    Cell::count(a.steps),
                    tokens(a.tokens.input),
                    tokens(a.tokens.output),
                ],
                ..TableRow::default()
            })
            .collect(),
    }
}

/// Per decision type: count, confidence p50 and min, results.
pub fn decision_types_table(tables: &GenAiTables) -> Table {
    let confidence = |c: Option<f64>| c.map_or_else(|| Cell::text("—"), |c| Cell::number(c, 2));
    Table {
        columns: vec![
            Column::text("Decision type", "type"),
            Column::num("Count", "count"),
            Column::num("Confidence p50", "confidence_p50"),
            Column::num("Lowest confidence", "confidence_min"),
            Column::text("Results", "results"),
        ],
        rows: tables
            .decision_types
            .iter()
            .map(|d| TableRow {
                cells: vec![
                    Cell::text(&d.kind),
                    Cell::count(d.count),
                    confidence(d.confidence_p50),
                    confidence(d.confidence_min),
                    Cell::text(
                        &d.results
                            .iter()
                            .map(|(r, n)| {
                                let r = if r.is_empty() { "(none)" } else { r };
                                format!("{r} × {n}")
                            })
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                ],
                ..TableRow::default()
            })
            .collect(),
    }
}

/// One trace's tokens per model with the estimated cost.
pub fn trace_models_table(summary: &GenAiSummary, prices: &PriceTable) -> Table {
    Table {
        columns: vec![
            Column::text("Provider", "provider"),
            Column::text("Model", "model"),
            Column::num("Calls", "calls"),
            Column::num("Tokens in", "input_tokens"),
            Column::num("Tokens out", "output_tokens"),
            Column::num("Cache read", "cache_read_tokens"),
            Column::num("Cache creation", "cache_creation_tokens"),
            Column::num("Reasoning", "reasoning_tokens"),
            Column::num("Cost", "cost"),
        ],
        rows: summary
            .models
            .iter()
            .map(|m| TableRow {
                cells: vec![
                    Cell::text(&m.provider),
                    Cell::text(&m.model),
                    Cell::count(m.calls),
                    tokens(m.tokens.input),
                    tokens(m.tokens.output),
                    tokens(m.tokens.cache_read),
                    tokens(m.tokens.cache_creation),
                    tokens(m.tokens.reasoning),
                    cost_cell(prices.cost(&m.model, &m.tokens)),
                ],
                ..TableRow::default()
            })
            .collect(),
    }
}

/// The estimated cost of a trace's model calls, and how many of its models have no price.
pub fn trace_cost(summary: &GenAiSummary, prices: &PriceTable) -> (f64, usize) {
    summary.models.iter().fold((0.0, 0), |(sum, unpriced), m| {
        match prices.cost(&m.model, &m.tokens) {
            Some(cost) => (sum + cost, unpriced),
            None => (sum, unpriced + 1),
        }
    })
}

/// A trace's decisions, those under `threshold` confidence first; a row opens its span.
pub fn decisions_table(trace: &Trace, summary: &GenAiSummary, threshold: f64) -> Table {
    let mut list: Vec<_> = summary.decision_list.iter().collect();
    list.sort_by_key(|d| !d.decision.confidence.is_some_and(|c| c < threshold));
    Table {
        columns: vec![
            Column::text("Type", "type"),
            Column::num("Confidence", "confidence"),
            Column::text("Result", "result"),
            Column::text("Alternatives", "alternatives"),
            Column::text("Factors", "factors"),
        ],
        rows: list
            .into_iter()
            .map(|d| TableRow {
                cells: vec![
                    Cell::text(&d.decision.kind),
                    d.decision
                        .confidence
                        .map_or_else(|| Cell::text("—"), |c| Cell::number(c, 2)),
                    Cell::text(d.decision.result.as_deref().unwrap_or("")),
                    Cell::text(d.decision.alternatives.as_deref().unwrap_or("")),
                    Cell::text(d.decision.factors.as_deref().unwrap_or("")),
                ],
                span: trace.span(d.span).map(|s| SpanRef {
                    trace_id: trace.trace_id.clone(),
                    span_id: trace.str(s.span_id).to_string(),
                }),
                ..TableRow::default()
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::analysis::genai::{genai_summary, GenAiTablesBuilder};

    #[test]
    fn tables_from_the_sdk_made_runs() {
        let text = include_str!("../../../../tests/fixtures/genai/agent-runs.otlp.json");
        let mut set = crate::core::model::TraceSet::default();
        crate::core::load::load_into(&mut set, "runs.json", text.as_bytes()).expect("loads");
        let mut builder = GenAiTablesBuilder::default();
        for trace in set.traces() {
            let summary = genai_summary(trace).expect("AI work");
            builder.add(trace, &summary);
        }
        let tables = builder.finish(&PriceTable::default());
        assert_eq!(models_table(&tables).rows.len(), 3);
        assert_eq!(tools_table(&tables).rows.len(), 5);
        assert_eq!(decision_types_table(&tables).rows.len(), 3);
        let travel = set
            .traces()
            .iter()
            .find(|t| t.spans.len() > 10)
            .expect("the travel run");
        let summary = genai_summary(travel).expect("AI work");
        let decisions = decisions_table(travel, &summary, 0.5);
        // The low-confidence decision first.
        assert_eq!(decisions.rows[0].cells[0].text, "route");
        assert!(decisions.rows[0].span.is_some());
        let mut prices = PriceTable::default();
        prices.set("gpt-4o-2024-08-06", 2.5, 10.0);
        let (cost, unpriced) = trace_cost(&summary, &prices);
        assert_eq!(unpriced, 0);
        assert!((cost - (2850.0 * 2.5 + 325.0 * 10.0) / 1e6).abs() < 1e-12);
    }
}
