//! The AI work of every shown trace, in the services view: per model, tool, agent and decision
//! type, sortable with CSV. Computed in browser tasks of their own (see `deferred`).
use leptos::prelude::*;
use std::sync::Arc;

use crate::core::analysis::genai::{genai_summary_with, GenAiTables, GenAiTablesBuilder};
use crate::core::model::Trace;
use crate::core::view_model::{agents_table, decision_types_table, models_table, tools_table};
use crate::ui::state::AppState;
use crate::ui::widgets::deferred::Deferred;
use crate::ui::widgets::shared::Shared;
use crate::ui::widgets::stats_table::StatsTable;

/// The tables over `traces`.
fn tables_of(traces: &[Arc<Trace>], state: AppState) -> GenAiTables {
    let mut builder = GenAiTablesBuilder::default();
    for trace in traces {
        if let Some(summary) = genai_summary_with(trace, || state.analysis_of(trace)) {
            builder.add(trace, &summary);
        }
    }
    builder.finish(&state.prices.get_untracked())
}

/// The "AI agents and models" section; nothing when no shown trace has AI work.
#[component]
pub fn AiTables(
    /// The traces the services view shows.
    #[prop(into)]
    traces: Signal<Shared<Vec<Arc<Trace>>>>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let tables = Deferred::new(
        move || {
            let _ = state.prices.get();
            traces.get()
        },
        move |traces| tables_of(&traces, state),
    );
    let has = move || tables.get().is_some_and(|t| t.traces > 0);
    let table = move |make: fn(&GenAiTables) -> crate::core::view_model::Table| {
        Signal::derive(move || Shared::new(tables.get().map(|t| make(&t)).unwrap_or_default()))
    };
    view! {
        <Show when=has>
            <section class="ai-tables" data-testid="ai-tables">
                <h2 class="section-title">{move || format!("AI agents and models — {} trace(s) with GenAI spans", tables.get().map_or(0, |t| t.traces))}</h2>
                <StatsTable title="Models" testid="table-ai-models" table=table(models_table)
                    hint="Model calls across the shown traces: tokens, latency, failures (error status or an abnormal finish reason) and the cost by your prices (set on a trace's Agent tab)."/>
                <StatsTable title="Tools" testid="table-ai-tools" table=table(tools_table)
                    hint="Tool calls across the shown traces."/>
                <StatsTable title="Agents" testid="table-ai-agents" table=table(agents_table)
                    hint="Agent runs, the GenAI and decision spans below them, and their model tokens."/>
                <StatsTable title="Decision types" testid="table-ai-decisions" table=table(decision_types_table)
                    hint="decision.type across the shown traces: confidence median and minimum, and how results were spread."/>
            </section>
        </Show>
    }
}
