//! The trace list: one row per loaded trace with its root, start, duration, spans, services,
//! errors and warnings.
use std::sync::Arc;

use leptos::prelude::*;

use leptos_use::{use_element_size, UseElementSizeReturn};

use crate::core::analysis::{names_in, SortBy};
use crate::core::model::Trace;
use crate::core::view_model::{
    format_duration_ns, format_start_ns, is_long, shorten, window_rows, ListFilter, TraceSummary,
    ViewState, NAME_CHARS, SORT_BY_SCORE, TITLE_CHARS, VALUE_CHARS, VIRTUAL_LIST_FROM,
};
use crate::ui::compare::baselines_view::baseline_from_selection;
use crate::ui::compare::compare_view::open_compare;
use crate::ui::services::services_view::traces_with_service;
use crate::ui::shell::routing::navigate;
use crate::ui::state::AppState;
use crate::ui::widgets::export_menu::ExportMenu;
use crate::ui::widgets::flame_view::{FlameScope, FlameView};
use crate::ui::widgets::name::Name;
use crate::ui::widgets::shared::Shared;

/// The table of loaded traces: in load order, or as the filter bar asks.
#[component]
pub fn TraceList() -> impl IntoView {
    let state = expect_context::<AppState>();
    let service = Memo::new(move |_| state.route.with(|r| r.service.clone()));
    let filter = Memo::new(move |_| state.route.with(|r| r.filter.clone()));
    // The filter bar's query (with the services view's service), or what is wrong with it.
    let query = Memo::new(move |_| {
        let service = service.get();
        filter.with(|f| f.to_query(service.as_deref()))
    });
    // Each loaded trace's row summary, made once per change of the loaded traces (a new
    // order or filter then only picks and sorts them: 10,000 summaries made anew for each
    // click held the page for over 100 ms). Keyed by the trace's identity.
    let made = Memo::new(move |_| {
        state.traces.with(|set| {
            let map: rustc_hash::FxHashMap<usize, Arc<TraceSummary>> = set
                .traces()
                .iter()
                .map(|t| (Arc::as_ptr(t) as usize, Arc::new(TraceSummary::of(t))))
                .collect();
            Shared::new(map)
        })
    });
    let summaries = Memo::new(move |_| {
        let made = made.get();
        let list = state.traces.with(|set| {
            let traces = match (filter.with(ListFilter::is_empty), query.get()) {
                (false, Ok(query)) => query.run(set.traces()),
                _ => traces_with_service(set.traces(), service.get().as_deref()),
            };
            let mut list: Vec<Arc<TraceSummary>> = traces
                .iter()
                .map(|t| {
                    made.get(&(Arc::as_ptr(t) as usize))
                        .cloned()
                        .unwrap_or_else(|| Arc::new(TraceSummary::of(t)))
                })
                .collect();
            // Most anomalous first under the active baseline (its own traces and unscored
            // ones last), then the limit. Each row's rank is looked up once.
            if filter.with(ListFilter::by_score) {
                state.scores.with(|board| {
                    if let Some(board) = board {
                        let mut ranked: Vec<_> = list
                            .drain(..)
                            .map(|s| (board.of(&s.trace_id).map(|r| (r.anomalous, r.score)), s))
                            .collect();
                        ranked.sort_by(|(a, _), (b, _)| match (a, b) {
                            (Some(a), Some(b)) => b.0.cmp(&a.0).then(b.1.total_cmp(&a.1)),
                            (Some(_), None) => std::cmp::Ordering::Less,
                            (None, Some(_)) => std::cmp::Ordering::Greater,
                            (None, None) => std::cmp::Ordering::Equal,
                        });
                        list = ranked.into_iter().map(|(_, s)| s).collect();
                    }
                });
                if let Some(limit) = filter.with(ListFilter::limit_number) {
                    list.truncate(limit);
                }
            }
            list
        });
        Shared::new(list)
    });
    let has_scores = move || state.active_baseline.with(Option::is_some);
    let sort_by_score = move |_| {
        let mut view = state.route.get_untracked();
        view.filter.sort = SORT_BY_SCORE.to_string();
        navigate(state.route, view, false);
    };
    let totals = move || {
        let list = summaries.get();
        let spans: usize = list.iter().map(|s| s.span_count).sum();
        let all = state.traces.with(|set| set.len());
        let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        let filtered = !filter.with(ListFilter::is_empty) && query.with(Result::is_ok);
        if filtered {
            let with_service = service.get().map_or(String::new(), |s| {
                format!(" with service {}", shorten(&s, NAME_CHARS))
            });
            return format!(
                "{} of {}, {}{with_service}",
                list.len(),
                plural(all, "trace"),
                plural(spans, "span")
            );
        }
        let of_all = if list.len() == all {
            String::new()
        } else {
            format!(
                " (of {all}, with service {})",
                shorten(&service.get().unwrap_or_default(), NAME_CHARS)
            )
        };
        format!(
            "{}, {}{of_all}",
            plural(list.len(), "trace"),
            plural(spans, "span")
        )
    };
    // Long lists are virtualized: fixed-height rows, only those in the scroller's view (plus a
    // buffer) in the page; the rest are two spacer rows.
    let scroller = NodeRef::<leptos::html::Div>::new();
    let UseElementSizeReturn { height, .. } = use_element_size(scroller);
    let scroll_top = RwSignal::new(0.0_f64);
    let is_virtual = move || summaries.with(|list| list.len() > VIRTUAL_LIST_FROM);
    let window = Memo::new(move |_| {
        let total = summaries.with(|list| list.len());
        if total <= VIRTUAL_LIST_FROM {
            return (0, total);
        }
        window_rows(total, scroll_top.get(), height.get(), ROW_PX, BUFFER_ROWS)
    });
    let shown = move || {
        let (start, end) = window.get();
        summaries.with(|list| {
            list.get(start..end)
                .map(|rows| rows.iter().map(|s| (**s).clone()).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    };
    let spacer = move |before: bool| {
        let (start, end) = window.get();
        let total = summaries.with(|list| list.len());
        let rows = if before {
            start
        } else {
            total.saturating_sub(end)
        };
        format!("height: {}px", rows as f64 * ROW_PX)
    };
    // "Select all shown" ticks every trace the filter shows (not only the rows in the page).
    let all_shown_selected = move || {
        state.selected.with(|selected| {
            summaries.with(|list| {
                !list.is_empty() && list.iter().all(|s| selected.contains(&s.trace_id))
            })
        })
    };
    let select_shown = move |on: bool| {
        let ids: Vec<String> =
            summaries.with(|list| list.iter().map(|s| s.trace_id.clone()).collect());
        state.selected.update(|selected| {
            for id in ids {
                if on {
                    selected.insert(id);
                } else {
                    selected.remove(&id);
                }
            }
        });
    };
    view! {
        <section class="trace-list">
            <FilterBar query_error=Signal::derive(move || query.with(|q| q.as_ref().err().cloned()))/>
            <div class="list-heading">
                <h2 data-testid="trace-totals">{totals}</h2>
                <Show when=move || state.traces.with(|set| !set.traces().is_empty())>
                    <ExportMenu testid="export-all" name=Signal::derive(|| "tracagg-traces".to_string())
                        traces=Callback::new(move |()| state.traces.with_untracked(|set| set.traces().to_vec()))/>
                </Show>
            </div>
            <SelectionBar/>
            <div class="trace-scroll" class:virtual=is_virtual node_ref=scroller data-testid="trace-scroll"
                on:scroll=move |ev| scroll_top.set(f64::from(event_target::<leptos::web_sys::Element>(&ev).scroll_top()))>
            <table data-testid="trace-table">
                <thead>
                    <tr>
                        <th class="col-select" title="Select all traces shown">
                            <input type="checkbox" data-testid="select-shown" prop:checked=all_shown_selected
                                on:change=move |ev| select_shown(event_target_checked(&ev))/>
                        </th>
                        <th class="col-root">"Root"</th>
                        <th class="col-start">"Start"</th>
                        <th class="num col-num">"Duration"</th>
                        <th class="num col-num">"Spans"</th>
                        <th class="col-services">"Services"</th>
                        <th class="num col-num">"Errors"</th>
                        <th class="col-warnings">"Warnings"</th>
                        <Show when=has_scores>
                            <th class="num col-num col-score" data-testid="score-heading" title="Score against the active baseline: click to put the most anomalous first"
                                on:click=sort_by_score>"Score"</th>
                        </Show>
                    </tr>
                </thead>
                <tbody>
                    <Show when=is_virtual>
                        <tr class="spacer" aria-hidden="true" style=move || spacer(true)></tr>
                    </Show>
                    <For
                        each=shown
                        key=|s| (s.trace_id.clone(), s.span_count, s.warnings.len(), s.sources.len())
                        children=move |summary| view! { <TraceRow summary/> }
                    />
                    <Show when=is_virtual>
                        <tr class="spacer" aria-hidden="true" style=move || spacer(false)></tr>
                    </Show>
                </tbody>
            </table>
            </div>
        </section>
    }
}

/// What the ticked traces can do: how many are ticked (of them, how many are loaded), their
/// summed flamegraph (with its critical-path variant), and clearing the selection.
#[component]
fn SelectionBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    let show_flame = RwSignal::new(false);
    let chosen = Memo::new(move |_| {
        let ids = state.selected.get();
        Shared::new(state.traces.with(|set| {
            ids.iter()
                .filter_map(|id| set.get(id).cloned())
                .collect::<Vec<_>>()
        }))
    });
    let count = move || chosen.with(|list| list.len());
    let scope = Signal::derive(move || -> FlameScope {
        chosen.with(|list| list.iter().map(|t| (Arc::clone(t), None)).collect())
    });
    let search = RwSignal::new(String::new());
    let name = Signal::derive(move || format!("selection-of-{}", count()));
    view! {
        <Show when=move || count() != 0>
            <div class="selection-bar panel" data-testid="selection-bar">
                <b data-testid="selection-count">{move || format!("{} selected", plural_traces(count()))}</b>
                <button class="button small" class:active-toggle=move || show_flame.get() data-testid="selection-flamegraph"
                    on:click=move |_| show_flame.update(|s| *s = !*s)>"Flamegraph of the selection"</button>
                <button class="button small" data-testid="selection-compare" prop:disabled=move || count() != 2
                    title="Select exactly two traces to compare them (the earlier one is A)"
                    on:click=move |_| {
                        let mut two: Vec<Arc<Trace>> = chosen.with(|list| list.iter().cloned().collect());
                        two.sort_by_key(|t| t.start_ns);
                        if let [a, b] = two.as_slice() {
                            open_compare(state, a.trace_id.clone(), b.trace_id.clone());
                        }
                    }>"Compare the two"</button>
                <button class="button small" data-testid="selection-baseline"
                    title="Take the selected traces as normal: every other trace is scored against them"
                    on:click=move |_| baseline_from_selection(state)>"Make baseline"</button>
                <ExportMenu testid="export-selection" name=Signal::derive(move || format!("{} traces", count()))
                    traces=Callback::new(move |()| chosen.with_untracked(|list| list.iter().cloned().collect()))/>
                <button class="button small subtle" data-testid="selection-clear"
                    on:click=move |_| state.selected.update(std::collections::BTreeSet::clear)>"Clear selection"</button>
            </div>
            <Show when=move || show_flame.get()>
                <FlameView scope search name/>
            </Show>
        </Show>
    }
}

/// "1 trace" / "12 traces".
fn plural_traces(count: usize) -> String {
    format!("{count} trace{}", if count == 1 { "" } else { "s" })
}

/// Names offered in the filter bar's service and operation lists.
const LISTED_NAMES: usize = 500;

/// The filter bar above the trace list: service, operation, duration range, errors,
/// `key=value` tags, free text, order and limit. Every field lives in the address bar
/// (`f.…`), so a filtered list can be shared; the query itself is the core's.
#[component]
fn FilterBar(
    /// What is wrong with the fields, if anything.
    #[prop(into)]
    query_error: Signal<Option<String>>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let field =
        move |get: fn(&ListFilter) -> &String| move || state.route.with(|r| get(&r.filter).clone());
    // Sets one field (in the address bar, replacing the entry: typing is not history).
    let set = move |apply: fn(&mut ListFilter, String)| {
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            let mut view = state.route.get_untracked();
            apply(&mut view.filter, value);
            navigate(state.route, view, false);
        }
    };
    let names = Memo::new(move |_| {
        let service = state
            .route
            .with(|r| Some(r.filter.service.clone()).filter(|s| !s.is_empty()));
        state
            .traces
            .with(|set| names_in(set.traces(), service.as_deref(), LISTED_NAMES))
    });
    let clear = move |_| {
        let view = state.route.get_untracked();
        navigate(
            state.route,
            ViewState {
                filter: ListFilter::default(),
                ..view
            },
            false,
        );
    };
    let is_set = move || state.route.with(|r| !r.filter.is_empty());
    view! {
        <form class="filter-bar" data-testid="filter-bar" on:submit=|ev| ev.prevent_default()>
            <label>"Service "
                <input type="text" list="filter-services" data-testid="filter-service" placeholder="any"
                    prop:value=field(|f| &f.service) on:change=set(|f, v| f.service = v)/>
            </label>
            <datalist id="filter-services">
                {move || names.with(|(services, _)| services.iter().filter(|s| !is_long(s, TITLE_CHARS)).map(|s| view! { <option value=s.clone()></option> }).collect_view())}
            </datalist>
            <label>"Operation "
                <input type="text" list="filter-operations" data-testid="filter-operation" placeholder="any"
                    prop:value=field(|f| &f.operation) on:change=set(|f, v| f.operation = v)/>
            </label>
            <datalist id="filter-operations">
                {move || names.with(|(_, operations)| operations.iter().filter(|s| !is_long(s, TITLE_CHARS)).map(|s| view! { <option value=s.clone()></option> }).collect_view())}
            </datalist>
            <label>"Duration "
                <input type="text" class="narrow" data-testid="filter-min" placeholder="800us"
                    prop:value=field(|f| &f.min) on:change=set(|f, v| f.min = v)/>
                " – "
                <input type="text" class="narrow" data-testid="filter-max" placeholder="1.5s"
                    prop:value=field(|f| &f.max) on:change=set(|f, v| f.max = v)/>
            </label>
            <label>"Errors "
                <select data-testid="filter-errors" on:change=set(|f, v| f.errors = v)>
                    {[("", "any"), ("with", "with errors"), ("without", "without errors")].into_iter().map(|(value, label)| view! {
                        <option value=value selected=move || state.route.with(|r| r.filter.errors == value)>{label}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="grow">"Tags "
                <input type="text" data-testid="filter-tags" placeholder="http.status_code=500 error=true"
                    prop:value=field(|f| &f.tags) on:change=set(|f, v| f.tags = v)/>
            </label>
            <label class="grow">"Text "
                <input type="search" data-testid="filter-text" placeholder="trace ID, name, value"
                    prop:value=field(|f| &f.text) on:change=set(|f, v| f.text = v)/>
            </label>
            <label>"Sort "
                <select data-testid="filter-sort" on:change=set(|f, v| f.sort = v)>
                    {SortBy::ALL.into_iter().map(|sort| {
                        let value = if sort == SortBy::default() { "" } else { sort.as_str() };
                        view! { <option value=value selected=move || state.route.with(|r| r.filter.sort == value)>{sort.label()}</option> }
                    }).collect_view()}
                    <Show when=move || state.active_baseline.with(Option::is_some)>
                        <option value=SORT_BY_SCORE selected=move || state.route.with(|r| r.filter.by_score())>"Most anomalous"</option>
                    </Show>
                </select>
            </label>
            <label>"Limit "
                <input type="number" min="1" class="narrow" data-testid="filter-limit" placeholder="all"
                    prop:value=field(|f| &f.limit) on:change=set(|f, v| f.limit = v)/>
            </label>
            <Show when=is_set>
                <button type="button" class="button small subtle" data-testid="filter-clear" on:click=clear>"Clear filter"</button>
            </Show>
            {move || query_error.get().map(|e| view! { <p class="error-text" data-testid="filter-error"><Name text=e max=VALUE_CHARS/></p> })}
        </form>
    }
}

/// Height of a row of a virtualized list (CSS `.trace-scroll.virtual .trace-row` matches it).
const ROW_PX: f64 = 44.0;

/// Rows rendered above and below the visible ones.
const BUFFER_ROWS: usize = 10;

/// Service chips a row shows before "+N more".
const SHOWN_SERVICES: usize = 12;

/// Warnings a row's list shows before "and N more".
const SHOWN_WARNINGS: usize = 20;

/// One row of the trace list.
#[component]
fn TraceRow(
    /// The trace to show.
    summary: TraceSummary,
) -> impl IntoView {
    let warning_count = summary.warnings.len();
    let has_errors = summary.error_count > 0;
    let sources = summary.sources.join(", ");
    let state = expect_context::<AppState>();
    let target = ViewState {
        trace: Some(summary.trace_id.clone()),
        service: state.route.with_untracked(|r| r.service.clone()),
        filter: state.route.with_untracked(|r| r.filter.clone()),
        ..ViewState::default()
    };
    let href = target.to_fragment();
    let id = summary.trace_id.clone();
    let is_selected = Memo::new({
        let id = id.clone();
        move |_| state.selected.with(|s| s.contains(&id))
    });
    let toggle = move |on: bool| {
        state.selected.update(|s| {
            if on {
                s.insert(id.clone());
            } else {
                s.remove(&id);
            }
        });
    };
    let score_id = summary.trace_id.clone();
    let open = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        navigate(state.route, target.clone(), true);
    };
    view! {
        <tr class="trace-row" class:has-errors=has_errors class:selected=is_selected data-testid="trace-row" data-trace-id=summary.trace_id.clone() on:click=open>
            // Ticking a row must not open the trace.
            <td class="col-select" on:click=|ev| ev.stop_propagation()>
                <input type="checkbox" data-testid="row-select" title="Select this trace" prop:checked=is_selected
                    on:change=move |ev| toggle(event_target_checked(&ev))/>
            </td>
            <td>
                <div class="root">
                    <span class="root-service" data-testid="root-service"><Name text=summary.root_service.clone()/></span>
                    <span class="root-operation" data-testid="root-operation"><Name text=summary.root_operation.clone()/></span>
                    <a class="trace-id" data-testid="open-trace" href=href title=format!("Open this trace (from {})", shorten(&sources, TITLE_CHARS))><Name text=summary.trace_id.clone() max=64/></a>
                </div>
            </td>
            <td class="start" data-testid="start">{format_start_ns(summary.start_ns)}</td>
            <td class="num" data-testid="duration">{format_duration_ns(summary.duration_ns)}</td>
            <td class="num" data-testid="span-count">{summary.span_count_label()}</td>
            <td class="services" data-testid="services">
                {summary
                    .services
                    .iter()
                    .take(SHOWN_SERVICES)
                    .map(|service| view! { <span class="chip"><Name text=service.clone() max=40/></span> })
                    .collect_view()}
                {(summary.services.len() > SHOWN_SERVICES).then(|| view! {
                    <span class="chip more">{format!("+{} more", summary.services.len() - SHOWN_SERVICES)}</span>
                })}
            </td>
            <td class="num" data-testid="error-count">
                <span class:error-badge=has_errors>{summary.error_count}</span>
            </td>
            // Unfolding the warnings must not open the trace.
            <td class="warnings" data-testid="warnings" on:click=|ev| ev.stop_propagation()>
                {(warning_count > 0)
                    .then(|| {
                        view! {
                            <details>
                                <summary data-testid="warning-count">
                                    {format!("{warning_count} warning{}", if warning_count == 1 { "" } else { "s" })}
                                </summary>
                                <ul>
                                    {summary
                                        .warnings
                                        .iter()
                                        .take(SHOWN_WARNINGS)
                                        .map(|w| view! { <li data-testid="warning"><Name text=w.clone() max=VALUE_CHARS/></li> })
                                        .collect_view()}
                                    {(warning_count > SHOWN_WARNINGS).then(|| view! {
                                        <li>{format!("… and {} more (open the trace to see them all)", warning_count - SHOWN_WARNINGS)}</li>
                                    })}
                                </ul>
                            </details>
                        }
                    })}
            </td>
            <Show when=move || state.active_baseline.with(Option::is_some)>
                <ScoreCell trace_id=score_id.clone()/>
            </Show>
        </tr>
    }
}

/// A trace's score against the active baseline: the number, marked when anomalous, with the
/// sentence as its tooltip; "baseline" for the baseline's own traces.
#[component]
fn ScoreCell(
    /// The trace.
    trace_id: String,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let score = Memo::new(move |_| {
        state.scores.with(|board| {
            board.as_ref().map(|b| {
                b.of(&trace_id)
                    .map(|s| (s.score, s.anomalous, s.explanation.clone()))
            })
        })
    });
    view! {
        <td class="num col-score" data-testid="score">
            {move || match score.get() {
                None => view! { <span class="muted">"…"</span> }.into_any(),
                Some(None) => view! { <span class="muted" title="One of the baseline's own traces">"baseline"</span> }.into_any(),
                Some(Some((score, anomalous, explanation))) => view! {
                    <span class:anomaly-badge=anomalous data-testid=if anomalous { "anomalous" } else { "normal" }
                        title=shorten(&explanation, TITLE_CHARS)>
                        {if anomalous { format!("⚠ {score:.2}") } else { format!("{score:.2}") }}
                    </span>
                }.into_any(),
            }}
        </td>
    }
}
