//! The comparison of two traces (`#view=compare&a=…&b=…`): the core's diff
//! (`analysis::compare::diff_traces`) as one merged tree — per node its count, total, self and
//! critical-path time in A and in B with the deltas; nodes only in A or only in B marked;
//! "Changed only"; where the critical path changed; the diff as JSON.
use std::sync::Arc;

use leptos::prelude::*;

use crate::core::analysis::compare::{diff_traces, DiffConfig, DiffNode, DiffStatus, TraceDiff};
use crate::core::model::Trace;
use crate::core::view_model::{format_duration_ns, ViewState};
use crate::ui::compare::shared_axis_view::SharedAxisTimelines;
use crate::ui::shell::routing::navigate;
use crate::ui::state::AppState;
use crate::ui::widgets::deferred::Deferred;
use crate::ui::widgets::download::{download_text, file_stem};
use crate::ui::widgets::name::Name;

/// Rows of the merged tree shown before "Show more".
const FIRST_ROWS: usize = 200;
/// Rows each "Show more" adds (a tree of 50,000 nodes is never drawn at once).
const MORE_ROWS: usize = 1_000;

/// "+12.3 ms" / "−4 µs" / "0".
fn signed(ns: i64) -> String {
    match ns.signum() {
        1 => format!("+{}", format_duration_ns(ns)),
        -1 => format!("−{}", format_duration_ns(ns.saturating_neg())),
        _ => "0".to_string(),
    }
}

/// "+40 %" of `b` against `a`, empty when `a` is 0.
fn percent(a: i64, b: i64) -> String {
    if a == 0 {
        return String::new();
    }
    format!("{:+.0} %", (b.saturating_sub(a)) as f64 * 100.0 / a as f64)
}

/// The root of `trace` as `service: operation`.
fn root_label(trace: &Trace) -> String {
    trace
        .root_span()
        .and_then(|i| trace.span(i))
        .map(|s| format!("{}: {}", trace.str(s.service), trace.str(s.operation)))
        .unwrap_or_default()
}

/// Opens the comparison of `a` and `b`.
pub fn open_compare(state: AppState, a: String, b: String) {
    navigate(
        state.route,
        ViewState {
            compare: Some((a, b)),
            ..ViewState::default()
        },
        true,
    );
}

/// The whole view.
#[component]
pub fn CompareView(
    /// Trace A's ID.
    a: String,
    /// Trace B's ID.
    b: String,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let (id_a, id_b) = (a.clone(), b.clone());
    let pair = Memo::new(move |_| {
        state.traces.with(|set| {
            let a = set.get(&id_a).cloned();
            let b = set.get(&id_b).cloned();
            a.zip(b)
                .map(|(a, b)| crate::ui::widgets::shared::Shared::new((a, b)))
        })
    });
    let diff = Deferred::maybe(
        move || pair.get(),
        move |pair| {
            let (a, b) = &*pair?;
            let (analysis_a, analysis_b) = (state.analysis_of(a), state.analysis_of(b));
            Some(diff_traces(
                (a, &analysis_a),
                (b, &analysis_b),
                &DiffConfig::default(),
            ))
        },
    );
    let changed_only = RwSignal::new(false);
    let shown = RwSignal::new(FIRST_ROWS);
    let show_axis = RwSignal::new(false);
    let back = move |_| navigate(state.route, ViewState::default(), true);
    let swap = {
        let (a, b) = (a.clone(), b.clone());
        move |_| open_compare(state, b.clone(), a.clone())
    };
    let export = move |_| {
        if let Some(diff) = diff.get() {
            let text = serde_json::to_string_pretty(&diff.to_json()).unwrap_or_default();
            let name = format!("diff-{}-{}.json", file_stem(&diff.a), file_stem(&diff.b));
            if let Err(error) = download_text(&name, "application/json", &text) {
                leptos::logging::warn!("{error}");
            }
        }
    };
    let missing = Memo::new({
        let (a, b) = (a.clone(), b.clone());
        move |_| {
            state.traces.with(|set| {
                [&a, &b]
                    .into_iter()
                    .filter(|id| set.get(id).is_none())
                    .cloned()
                    .collect::<Vec<_>>()
            })
        }
    });
    let side = move |which: bool| {
        pair.get().map(|p| {
            let (a, b) = &*p;
            let trace: &Arc<Trace> = if which { b } else { a };
            let id = trace.trace_id.clone();
            let href = ViewState {
                trace: Some(id.clone()),
                ..ViewState::default()
            }
            .to_fragment();
            view! {
                <span class="compare-side">
                    <b>{if which { "B " } else { "A " }}</b>
                    <Name text=root_label(trace)/>" · "
                    <a href=href data-testid=if which { "compare-open-b" } else { "compare-open-a" }><Name text=id max=32/></a>
                    " · " {format_duration_ns(trace.duration_ns())}
                </span>
            }
        })
    };
    view! {
        <section class="compare-view" data-testid="compare-view">
            <div class="compare-head panel">
                <button class="button small" data-testid="compare-back" on:click=back>"← All traces"</button>
                <h2>"Comparing two traces"</h2>
                <div class="compare-sides">{move || side(false)}" vs "{move || side(true)}</div>
                {move || {
                    let gone = missing.get();
                    (!gone.is_empty()).then(|| view! {
                        <p class="error-text" data-testid="compare-missing">
                            {format!("Not loaded: {} — load the file that holds it.", gone.join(", "))}
                        </p>
                    })
                }}
                {move || diff.get().map(|d| view! { <p class="compare-summary" data-testid="compare-summary">{d.summary()}</p> })}
                <div class="compare-bar">
                    <label class="check"><input type="checkbox" data-testid="compare-changed-only" prop:checked=changed_only
                        on:change=move |ev| changed_only.set(event_target_checked(&ev))/>" Changed only (moved more than 10 % and 100 µs, or only in one)"</label>
                    <button class="button small" data-testid="compare-swap" on:click=swap>"Swap A and B"</button>
                    <button class="button small" data-testid="compare-export" on:click=export>"Export JSON"</button>
                </div>
            </div>
            <Show when=move || diff.busy() && missing.with(Vec::is_empty)>
                <p class="hint" data-testid="compare-computing">"Comparing…"</p>
            </Show>
            {move || diff.get().map(|d| view! { <CriticalChanges diff=d.clone()/> <DiffTable diff=d changed_only shown/> })}
            <Show when=move || pair.with(Option::is_some)>
                <button class="button small" class:active-toggle=move || show_axis.get() data-testid="compare-timelines"
                    on:click=move |_| show_axis.update(|s| *s = !*s)>"Both timelines on one axis"</button>
            </Show>
            {move || show_axis.get().then(|| pair.get().map(|p| {
                let (a, b) = (*p).clone();
                view! { <SharedAxisTimelines a b/> }
            }))}
        </section>
    }
}

/// Where the critical path changed most, by operation.
#[component]
fn CriticalChanges(diff: crate::ui::widgets::shared::Shared<TraceDiff>) -> impl IntoView {
    let rows = diff
        .critical_delta_by_operation
        .iter()
        .take(10)
        .map(|d| {
            let slower = d.delta_ns > 0;
            view! {
                <li data-testid="compare-critical-delta">
                    <b class:error-text=slower>{signed(d.delta_ns)}</b>" "
                    <Name text=format!("{}: {}", d.service, d.operation)/>
                </li>
            }
        })
        .collect_view();
    (!diff.critical_delta_by_operation.is_empty()).then(|| {
        view! {
            <section class="panel compare-critical">
                <h3>"Where the critical path changed (B − A)"</h3>
                <ul>{rows}</ul>
            </section>
        }
    })
}

/// The merged tree as a table.
#[component]
fn DiffTable(
    diff: crate::ui::widgets::shared::Shared<TraceDiff>,
    changed_only: RwSignal<bool>,
    shown: RwSignal<usize>,
) -> impl IntoView {
    let total = diff.nodes.len();
    let diff_rows = diff.clone();
    let rows = move || {
        let only = changed_only.get();
        let limit = shown.get();
        diff_rows
            .nodes
            .iter()
            .filter(|n| !only || n.status != DiffStatus::Same)
            .take(limit)
            .cloned()
            .map(|node| view! { <DiffRow node/> })
            .collect_view()
    };
    let cut = move || shown.get() < total;
    view! {
        <section class="panel compare-table">
            <div class="table-scroll">
                <table data-testid="compare-table">
                    <thead><tr>
                        <th>"Operation path"</th><th>"Status"</th>
                        <th class="num">"Count A → B"</th>
                        <th class="num">"Total A"</th><th class="num">"Total B"</th><th class="num">"Δ total"</th>
                        <th class="num">"Self A"</th><th class="num">"Self B"</th>
                        <th class="num">"Critical A"</th><th class="num">"Critical B"</th><th class="num">"Δ critical"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <Show when=cut>
                <button class="button small" data-testid="compare-show-all"
                    on:click=move |_| shown.update(|n| *n = n.saturating_add(MORE_ROWS))>
                    {move || format!("Show {} more of {total} nodes", MORE_ROWS.min(total.saturating_sub(shown.get())))}
                </button>
            </Show>
        </section>
    }
}

/// One node of the merged tree.
#[component]
fn DiffRow(node: DiffNode) -> impl IntoView {
    let status = match node.status {
        DiffStatus::Same => "same",
        DiffStatus::Changed => "changed",
        DiffStatus::Added => "added",
        DiffStatus::Removed => "removed",
    };
    let label = match node.status {
        DiffStatus::Same => "",
        DiffStatus::Changed => "changed",
        DiffStatus::Added => "only in B",
        DiffStatus::Removed => "only in A",
    };
    let total_delta = node.b.total_ns.saturating_sub(node.a.total_ns);
    let critical_delta = node.b.critical_ns.saturating_sub(node.a.critical_ns);
    let indent = format!("padding-left: {:.1}rem", (node.depth.min(30) as f64) * 1.1);
    let side = |count: usize, ns: i64| {
        if count == 0 {
            "—".to_string()
        } else {
            format_duration_ns(ns)
        }
    };
    let numbers = [
        (format!("{} → {}", node.a.count, node.b.count), false),
        (side(node.a.count, node.a.total_ns), false),
        (side(node.b.count, node.b.total_ns), false),
        (
            format!(
                "{} {}",
                signed(total_delta),
                percent(node.a.total_ns, node.b.total_ns)
            ),
            total_delta > 0,
        ),
        (side(node.a.count, node.a.self_ns), false),
        (side(node.b.count, node.b.self_ns), false),
        (side(node.a.count, node.a.critical_ns), false),
        (side(node.b.count, node.b.critical_ns), false),
        (signed(critical_delta), critical_delta > 0),
    ]
    .into_iter()
    .map(|(text, worse)| view! { <td class="num" class:error-text=worse>{text}</td> })
    .collect_view();
    view! {
        <tr class=format!("diff-row diff-{status}") data-testid="compare-row" data-status=status>
            <td style=indent><Name text=format!("{}: {}", node.service, node.operation)/></td>
            <td><span class=format!("diff-badge {status}")>{label}</span></td>
            {numbers}
        </tr>
    }
}
