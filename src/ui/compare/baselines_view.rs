//! The Baselines view (`#view=baselines`): the baselines made on this page (one active), making
//! one from the ticked traces or from a loaded file, the rules of scoring, and what the active
//! baseline says of every other loaded trace — the anomalous traces with their sentences, each
//! anomaly, and what changed per operation — each table sortable and exported as CSV.
use std::collections::BTreeSet;
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::core::analysis::compare::ScoreBoard;
use crate::core::model::Trace;
use crate::core::view_model::{anomalies_table, changes_table, scores_table, Table, TableRow};
use crate::core::view_model::{group_digits, ViewState};
use crate::ui::compare::scoring::make_baseline;
use crate::ui::services::services_view::open_span;
use crate::ui::shell::routing::navigate;
use crate::ui::state::AppState;
use crate::ui::widgets::deferred::Deferred;
use crate::ui::widgets::name::Name;
use crate::ui::widgets::stats_table::StatsTable;

/// Opens what a row of the comparison tables points at: its span, its trace, or its service.
pub fn open_row(state: AppState, row: TableRow) {
    match (row.span, row.trace) {
        (Some(span), _) => open_span(state, span.trace_id, Some(span.span_id)),
        (None, Some(trace)) => open_span(state, trace, None),
        (None, None) => {
            if let Some(service) = row.service {
                navigate(
                    state.route,
                    ViewState {
                        services: true,
                        service: Some(service),
                        ..ViewState::default()
                    },
                    true,
                );
            }
        }
    }
}

/// Makes a baseline of the ticked traces (the trace list's selection bar uses it too).
pub fn baseline_from_selection(state: AppState) {
    let traces: Vec<Arc<Trace>> = state.selected.with_untracked(|ids| {
        state
            .traces
            .with_untracked(|set| ids.iter().filter_map(|id| set.get(id).cloned()).collect())
    });
    let count = traces.len();
    let name = format!(
        "{count} selected trace{}",
        if count == 1 { "" } else { "s" }
    );
    spawn_local(make_baseline(state, name.clone(), name, traces));
}

/// The files (and backend searches) the loaded traces came from.
fn loaded_sources(state: AppState) -> Vec<String> {
    state.traces.with(|set| {
        set.traces()
            .iter()
            .flat_map(|t| t.sources.iter().cloned())
            .collect::<BTreeSet<String>>()
            .into_iter()
            .collect()
    })
}

/// Makes a baseline of every trace that came from `source`.
fn baseline_from_source(state: AppState, source: String) {
    let traces: Vec<Arc<Trace>> = state.traces.with_untracked(|set| {
        set.traces()
            .iter()
            .filter(|t| t.sources.contains(&source))
            .cloned()
            .collect()
    });
    spawn_local(make_baseline(state, source.clone(), source, traces));
}

/// The whole view.
#[component]
pub fn BaselinesView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let sources = Memo::new(move |_| loaded_sources(state));
    let chosen_source = RwSignal::new(String::new());
    let selected = move || state.selected.with(BTreeSet::len);
    let has_baselines = move || state.baselines.with(|list| !list.is_empty());
    let make_from_source = move |_| {
        let source = chosen_source.get_untracked();
        let source = if source.is_empty() {
            sources.with_untracked(|s| s.first().cloned().unwrap_or_default())
        } else {
            source
        };
        if !source.is_empty() {
            baseline_from_source(state, source);
        }
    };
    view! {
        <section class="baselines-view" data-testid="baselines-view">
            <div class="panel">
                <h2>"Baselines"</h2>
                <p class="hint">"A baseline is a set of traces taken as normal. Every other loaded trace is scored against the active one: slower than its operations’ p99, calls it never had or always had, far more calls, new errors — each with a sentence saying where the extra time went."</p>
                <div class="baseline-make">
                    <button class="button" data-testid="baseline-from-selection" prop:disabled=move || selected() == 0
                        title="Tick traces in the trace list first"
                        on:click=move |_| baseline_from_selection(state)>
                        {move || format!("Make baseline of the {} selected", selected())}
                    </button>
                    <label>"or of every trace from "
                        <select data-testid="baseline-source" on:change=move |ev| chosen_source.set(event_target_value(&ev))>
                            {move || sources.get().into_iter().map(|s| view! { <option value=s.clone()>{crate::core::view_model::shorten(&s, 80)}</option> }).collect_view()}
                        </select>
                    </label>
                    <button class="button" data-testid="baseline-from-source" prop:disabled=move || sources.with(Vec::is_empty)
                        on:click=make_from_source>"Make baseline"</button>
                </div>
                <Show when=has_baselines fallback=|| view! { <p class="hint" data-testid="no-baselines">"No baseline yet."</p> }>
                    <BaselineList/>
                    <ScoreRules/>
                </Show>
            </div>
            <Show when=move || state.active_baseline.with(Option::is_some)>
                <ScoredTables/>
            </Show>
        </section>
    }
}

/// The baselines made, with the active one chosen by a radio button, and Delete.
#[component]
fn BaselineList() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <ul class="baseline-list" data-testid="baseline-list">
            {move || state.baselines.get().into_iter().map(|saved| {
                let name = saved.baseline.name.clone();
                let (for_radio, for_delete) = (name.clone(), name.clone());
                let is_active = move |name: String| {
                    move || state.active_baseline.with(|a| a.as_deref() == Some(name.as_str()))
                };
                let (active, checked) = (is_active(name.clone()), is_active(name.clone()));
                view! {
                    <li data-testid="baseline" class:active=active>
                        <label>
                            <input type="radio" name="active-baseline" data-testid="baseline-active" prop:checked=checked
                                on:change=move |_| state.active_baseline.set(Some(for_radio.clone()))/>
                            <b><Name text=name max=80/></b>
                        </label>
                        <span class="muted" data-testid="baseline-describe">{saved.describe()}</span>
                        <button class="button small subtle" data-testid="baseline-delete"
                            on:click=move |_| {
                                state.baselines.update(|list| list.retain(|b| b.baseline.name != for_delete));
                                if state.active_baseline.get_untracked().as_deref() == Some(for_delete.as_str()) {
                                    let next = state.baselines.with_untracked(|l| l.last().map(|b| b.baseline.name.clone()));
                                    state.active_baseline.set(next);
                                }
                            }>"Delete"</button>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// The two rules a person tunes: the slow percentile and the minimum sample count.
#[component]
fn ScoreRules() -> impl IntoView {
    let state = expect_context::<AppState>();
    let percentile = move || state.score_config.with(|c| c.slow_percentile.to_string());
    let minimum = move || state.score_config.with(|c| c.min_samples.to_string());
    view! {
        <form class="score-rules" on:submit=|ev| ev.prevent_default()>
            <label>"Slow above the baseline’s p"
                <input type="number" class="narrow" min="50" max="99.99" step="0.1" data-testid="rule-percentile" prop:value=percentile
                    on:change=move |ev| {
                        if let Ok(p) = event_target_value(&ev).trim().parse::<f64>() {
                            if p.is_finite() && (50.0..100.0).contains(&p) {
                                state.score_config.update(|c| c.slow_percentile = p);
                            }
                        }
                    }/>
            </label>
            <label>" for operations with at least "
                <input type="number" class="narrow" min="1" data-testid="rule-min-samples" prop:value=minimum
                    on:change=move |ev| {
                        if let Ok(n) = event_target_value(&ev).trim().parse::<usize>() {
                            state.score_config.update(|c| c.min_samples = n.max(1));
                        }
                    }/>
                " spans in the baseline (fewer say too little to judge)."
            </label>
        </form>
    }
}

/// What the active baseline says of the other loaded traces.
#[component]
fn ScoredTables() -> impl IntoView {
    let state = expect_context::<AppState>();
    let board = move || state.scores.get();
    // Each table is built in a task of its own: thousands of scored traces make long tables.
    let table_of = move |make: fn(&ScoreBoard) -> Table| {
        let table = Deferred::new(
            move || state.scores.get(),
            move |board| board.map(|b| make(&b)).unwrap_or_default(),
        );
        table.signal()
    };
    let scores = table_of(|b| scores_table(&b.scores));
    let anomalies = table_of(|b| anomalies_table(&b.scores));
    let changes = table_of(|b| changes_table(&b.changes));
    let on_row = Callback::new(move |row: TableRow| open_row(state, row));
    let summary = move || {
        board().map(|b| {
            let scored = b.scores.len();
            let anomalous = b.anomalous();
            format!(
                "{} of {} trace{} scored against “{}” are anomalous.",
                group_digits(anomalous as u64),
                group_digits(scored as u64),
                if scored == 1 { "" } else { "s" },
                b.baseline
            )
        })
    };
    view! {
        {move || state.scoring.get().map(|(done, of)| view! {
            <p class="hint" data-testid="scoring-progress">{format!("Scoring… {done} of {of} traces")}</p>
        })}
        <Show when=move || state.scores.with(Option::is_some)>
            // While traces are being scored again, the last summary would speak of other
            // traces (the alert flow scores its baseline alone first): progress shows instead.
            <Show when=move || state.scoring.with(Option::is_none)>
                <div class="panel">
                    <p data-testid="score-summary"><b>{summary}</b></p>
                </div>
            </Show>
            <StatsTable title="Anomalous traces" testid="table-anomalous-traces" table=scores on_row=on_row
                hint="Most anomalous first. Score: the trace's duration ÷ its root's p99, plus one per kind of structural anomaly. Click a row to open the trace."/>
            <StatsTable title="Anomalies" testid="table-anomalies" table=anomalies on_row=on_row
                hint="Each anomaly of those traces. Value and Baseline: µs for slow spans, counts for calls and errors, the share of baseline traces for a missing call. Click to open its span."/>
            <StatsTable title="What changed" testid="table-changes" table=changes on_row=on_row
                hint="Per operation, the baseline against the other loaded traces, largest impact first (spans now × the shift of the median self time, µs). p-value: two-sided Mann–Whitney U of the durations; small means a real shift."/>
        </Show>
    }
}
