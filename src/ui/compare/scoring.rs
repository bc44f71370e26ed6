//! Baselines on the page: [`make_baseline`] learns one from traces, and [`keep_scored`] keeps
//! every loaded trace scored against the active baseline (`AppState::scores`) as traces,
//! baselines and rules change. Both work in slices of at most [`SLICE_MS`] between browser
//! tasks, so a baseline of thousands of traces never blocks the page.
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::core::analysis::compare::{BaselineBuilder, SavedBaseline, ScoreConfig, Scorer};
use crate::core::model::Trace;
use crate::source::yield_to_browser;
use crate::ui::state::{timed, AppState, NoticeLevel};
use crate::ui::widgets::shared::Shared;

/// The longest run of work before the browser gets a turn (ms).
const SLICE_MS: f64 = 30.0;

/// Milliseconds since the page started.
fn now_ms() -> f64 {
    window().performance().map_or(0.0, |p| p.now())
}

/// A name no baseline has yet: `wanted`, else `wanted (2)`, `wanted (3)`…
fn unique_name(state: AppState, wanted: &str) -> String {
    state.baselines.with_untracked(|list| {
        let taken = |name: &str| list.iter().any(|b| b.baseline.name == name);
        if !taken(wanted) {
            return wanted.to_string();
        }
        (2..)
            .map(|n| format!("{wanted} ({n})"))
            .find(|name| !taken(name))
            .unwrap_or_else(|| wanted.to_string())
    })
}

/// Learns a baseline called `name` (made unique) from `traces`, adds it and makes it active.
pub async fn make_baseline(state: AppState, name: String, source: String, traces: Vec<Arc<Trace>>) {
    if traces.is_empty() {
        state.notify(
            NoticeLevel::Error,
            "A baseline needs at least one trace.".to_string(),
        );
        return;
    }
    let name = unique_name(state, &name);
    let mut builder = BaselineBuilder::new(&name);
    let mut members = std::collections::BTreeSet::new();
    let mut slice_start = now_ms();
    for trace in &traces {
        if now_ms() - slice_start >= SLICE_MS {
            yield_to_browser().await;
            slice_start = now_ms();
        }
        let analysis = state.analysis_of(trace);
        builder.add(trace, &analysis);
        members.insert(trace.trace_id.clone());
    }
    yield_to_browser().await;
    let saved = SavedBaseline {
        baseline: timed("tracagg: finish the baseline", || builder.finish()),
        members,
        source,
    };
    let described = saved.describe();
    yield_to_browser().await;
    timed("tracagg: add the baseline", || {
        state.baselines.update(|list| list.push(Shared::new(saved)));
        state.active_baseline.set(Some(name.clone()));
    });
    state.notify(
        NoticeLevel::Note,
        format!("Baseline “{name}”: {described}. Traces are scored against it."),
    );
}

/// Adds a baseline made from the backend's metrics (no member traces) and makes it active.
pub fn add_metrics_baseline(
    state: AppState,
    name: &str,
    source: String,
    ops: &[crate::core::backend::OperationQuantiles],
    window_s: f64,
) {
    let name = unique_name(state, name);
    let saved = SavedBaseline {
        baseline: crate::core::analysis::compare::Baseline::from_quantiles(&name, ops, window_s),
        members: std::collections::BTreeSet::new(),
        source,
    };
    let described = saved.describe();
    state.baselines.update(|list| list.push(Shared::new(saved)));
    state.active_baseline.set(Some(name.clone()));
    state.notify(
        NoticeLevel::Note,
        format!("Baseline “{name}”: {described}. Traces are scored against it."),
    );
}

/// Scores every loaded trace against the active baseline whenever the traces, the baseline or
/// the rules change; a newer round makes an older one stop at its next slice.
pub fn keep_scored(state: AppState) {
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        let traces: Vec<Arc<Trace>> = state.traces.with(|set| set.traces().to_vec());
        let active = state.active();
        let config = state.score_config.get();
        let ticket = generation.get_value().wrapping_add(1);
        generation.set_value(ticket);
        let Some(saved) = active else {
            state.scores.set(None);
            state.scoring.set(None);
            return;
        };
        state.scoring.set(Some((0, traces.len())));
        // The scoring code is downloaded with the Baselines view (`ui::parts`): a page without
        // a baseline never needs it.
        spawn_local(async move {
            if let Ok(round) =
                crate::ui::parts::score_round(state, saved, config, traces, generation, ticket)
                    .await
            {
                round.await;
            }
        });
    });
}

/// One round of [`keep_scored`]: scores `traces` against `saved`, in slices, and stops at its
/// next slice when a newer round has taken `generation` past `ticket`.
pub async fn score_traces(
    state: AppState,
    saved: Shared<SavedBaseline>,
    config: ScoreConfig,
    traces: Vec<Arc<Trace>>,
    generation: StoredValue<u64>,
    ticket: u64,
) {
    let mut scorer = Scorer::new(&saved, config);
    let mut slice_start = now_ms();
    for (done, trace) in traces.iter().enumerate() {
        if now_ms() - slice_start >= SLICE_MS {
            let _ = state.scoring.try_set(Some((done, traces.len())));
            yield_to_browser().await;
            if generation.try_get_value() != Some(ticket) {
                return;
            }
            slice_start = now_ms();
        }
        let analysis = state.analysis_of(trace);
        scorer.add(trace, &analysis);
    }
    // Sorting, learning the scored traces and comparing them: a task each.
    let still = || generation.try_get_value() == Some(ticket);
    yield_to_browser().await;
    if !still() {
        return;
    }
    let (mut board, current) = timed("tracagg: sort scores", || scorer.into_parts());
    yield_to_browser().await;
    if !still() {
        return;
    }
    let current = timed("tracagg: learn the scored traces", || current.finish());
    yield_to_browser().await;
    if !still() {
        return;
    }
    timed("tracagg: what changed", || {
        board.set_changes(&saved, current)
    });
    yield_to_browser().await;
    if !still() {
        return;
    }
    timed("tracagg: show scores", || {
        let _ = state.scores.try_set(Some(Shared::new(board)));
    });
    let _ = state.scoring.try_set(None);
}
