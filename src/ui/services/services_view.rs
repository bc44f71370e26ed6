//! The services view: the service dependency graph of every loaded trace, charts, and the
//! statistics tables. A service filter (click a node or a service row; kept in the address
//! bar) narrows the charts, the tables and the trace list to traces with that service; a
//! click on an edge lists the traces that contain that call. Everything is recomputed from the
//! loaded traces, so it follows new files and filter changes.
use std::sync::Arc;

use leptos::prelude::*;

use crate::core::analysis::TraceQuery;
use crate::core::analysis::{
    bottleneck_summary, calls_between, critical_contributors, dependencies, operation_durations,
    operation_stats, service_stats, slowest_operations, TraceAnalysis,
};
use crate::core::model::Trace;
use crate::core::view_model::{
    bottlenecks_table, changes_table, critical_table, latency_histogram, operations_table,
    service_shifts, services_table, slowest_table, trace_scatter, GraphDrawing, GraphTarget,
    ServiceGraph, Table, TableRow, TraceSummary, ViewState,
};
use crate::ui::agent::ai_tables::AiTables;
use crate::ui::compare::baselines_view::open_row;
use crate::ui::services::charts::{LatencyHistogram, TraceScatter};
use crate::ui::shell::routing::navigate;
use crate::ui::state::AppState;
use crate::ui::widgets::deferred::Deferred;
use crate::ui::widgets::graph_view::GraphView;
use crate::ui::widgets::shared::Shared;
use crate::ui::widgets::stats_table::StatsTable;

/// Traces that contain `service` (all of them without a filter), in load order.
pub fn traces_with_service(traces: &[Arc<Trace>], service: Option<&str>) -> Vec<Arc<Trace>> {
    let query = TraceQuery {
        service: service.map(str::to_string),
        ..TraceQuery::default()
    };
    traces
        .iter()
        .filter(|t| query.matches(t))
        .cloned()
        .collect()
}

/// Whether a row of `service` passes the service filter (`None`: no filter).
fn keeps(filter: &Option<String>, service: &str) -> bool {
    filter.as_deref().is_none_or(|s| s == service)
}

/// Moves to the trace `trace_id`, with `span_id` selected.
pub fn open_span(state: AppState, trace_id: String, span_id: Option<String>) {
    let service = state.route.with_untracked(|r| r.service.clone());
    navigate(
        state.route,
        ViewState {
            trace: Some(trace_id),
            span: span_id,
            service,
            ..ViewState::default()
        },
        true,
    );
}

/// Sets (or, for the same service, clears) the service filter, staying on the current page.
pub fn toggle_service_filter(state: AppState, service: Option<String>) {
    let current = state.route.get_untracked();
    let service = if current.service == service {
        None
    } else {
        service
    };
    navigate(state.route, ViewState { service, ..current }, true);
}

/// The traces containing one service-to-service call.
#[derive(Debug, Clone, PartialEq)]
struct EdgeTraces {
    caller: String,
    callee: String,
    /// (trace ID, root, calls, failed calls)
    traces: Vec<(String, String, usize, usize)>,
}

/// The services page.
#[component]
pub fn ServicesView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let service = Memo::new(move |_| state.route.with(|r| r.service.clone()));
    let all = Memo::new(move |_| Shared::new(state.traces.with(|set| set.traces().to_vec())));
    let traces =
        Memo::new(move |_| Shared::new(traces_with_service(&all.get(), service.get().as_deref())));
    let analysed = Memo::new(move |_| {
        let list: Vec<(Arc<Trace>, Arc<TraceAnalysis>)> = traces
            .get()
            .iter()
            .map(|t| (Arc::clone(t), state.analysis_of(t)))
            .collect();
        Shared::new(list)
    });
    // The heavy statistics come as deferred values, each in a browser task of its own (see
    // `deferred`), so that opening the tab or changing the filter never freezes the page.
    // Counting services and calls goes over every span, the layout over the services, and
    // drawing it builds the SVG: a task each.
    let node_stats = Deferred::new(move || all.get(), |all| service_stats(&all));
    let calls = Deferred::new(move || all.get(), |all| dependencies(&all));
    // Both counts of the same traces: once neither is being recomputed.
    let counted = Deferred::maybe(
        move || (!node_stats.busy() && !calls.busy()).then(|| (node_stats.get(), calls.get())),
        |counts| match counts? {
            (Some(services), Some(calls)) => Some(ServiceGraph::from_counts(&services, &calls)),
            _ => None,
        },
    );
    let graph = counted.then(|counted| counted.clone().laid_out());
    let graph_now = graph.signal();
    let drawing = graph.then(GraphDrawing::of_services);
    let selected_edge = RwSignal::new(None::<EdgeTraces>);
    // A new graph (more files) closes the edge's trace list.
    Effect::new(move |_| {
        graph_now.track();
        selected_edge.set(None);
    });
    let on_graph_click = Callback::new(move |target: GraphTarget| {
        let graph = graph_now.get_untracked();
        match target {
            GraphTarget::Node(i) => {
                let name = graph.nodes.get(i).map(|n| n.name.clone());
                toggle_service_filter(state, name);
            }
            GraphTarget::Edge(i) => {
                let Some(edge) = graph.edges.get(i) else {
                    return;
                };
                let (Some(from), Some(to)) = (graph.nodes.get(edge.from), graph.nodes.get(edge.to))
                else {
                    return;
                };
                let list = all
                    .get_untracked()
                    .iter()
                    .filter_map(|t| {
                        let (calls, errors) = calls_between(t, &from.name, &to.name);
                        (calls > 0).then(|| {
                            let summary = TraceSummary::of(t);
                            (
                                summary.trace_id.clone(),
                                summary.root_label(),
                                calls,
                                errors,
                            )
                        })
                    })
                    .collect();
                selected_edge.set(Some(EdgeTraces {
                    caller: from.name.clone(),
                    callee: to.name.clone(),
                    traces: list,
                }));
            }
        }
    });

    let with_service = move || (traces.get(), service.get());
    let operations = Deferred::new(with_service, |(traces, service)| {
        let mut rows = operation_stats(&traces);
        if let Some(name) = service {
            rows.retain(|o| o.service == name);
        }
        rows
    });
    let services_tbl = Deferred::new(
        move || traces.get(),
        |traces| services_table(&service_stats(&traces)),
    );
    let operations_tbl = operations.then(|rows| operations_table(rows));
    let slowest_tbl = Deferred::new(with_service, |(traces, service)| {
        let mut rows = slowest_operations(&traces, usize::MAX);
        rows.retain(|r| keeps(&service, &r.service));
        rows.truncate(20);
        slowest_table(&rows)
    });
    let with_analyses = move || (analysed.get(), service.get());
    let bottlenecks_tbl = Deferred::new(with_analyses, |(analysed, service)| {
        let mut rows = bottleneck_summary(&analysed);
        rows.retain(|r| keeps(&service, &r.service));
        bottlenecks_table(&rows)
    });
    let critical_tbl = Deferred::new(with_analyses, |(analysed, service)| {
        let mut rows = critical_contributors(&analysed);
        rows.retain(|r| keeps(&service, &r.service));
        critical_table(&rows)
    });
    let points = Deferred::new(move || traces.get(), |traces| trace_scatter(&traces));
    let busy = move || {
        node_stats.busy()
            || calls.busy()
            || counted.busy()
            || graph.busy()
            || drawing.busy()
            || operations.busy()
            || operations_tbl.busy()
            || services_tbl.busy()
            || slowest_tbl.busy()
            || bottlenecks_tbl.busy()
            || critical_tbl.busy()
            || points.busy()
    };
    let choices = Signal::derive(move || {
        let Some(operations) = operations.get() else {
            return Vec::new();
        };
        let mut ops: Vec<(usize, String, String)> = operations
            .iter()
            .map(|o| (o.count, o.service.clone(), o.operation.clone()))
            .collect();
        // Busiest operations first: their histograms say the most.
        ops.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| (&a.1, &a.2).cmp(&(&b.1, &b.2))));
        ops.into_iter()
            .take(300)
            .map(|(_, s, o)| (s, o))
            .collect::<Vec<_>>()
    });
    let histogram_of = Callback::new(move |(service, operation): (String, String)| {
        latency_histogram(
            &operation_durations(&traces.get_untracked(), &service, &operation),
            30,
        )
    });
    let on_row = Callback::new(move |row: TableRow| match row.span {
        Some(span) => open_span(state, span.trace_id, Some(span.span_id)),
        None => toggle_service_filter(state, row.service),
    });

    let backend_graph = Memo::new(move |_| {
        state.backend_links.with(|links| {
            links.as_ref().map(|(_, links)| {
                Shared::new(GraphDrawing::of_services(&ServiceGraph::from_links(links)))
            })
        })
    });
    let backend_source = move || {
        state.backend_links.with(|l| {
            l.as_ref()
                .map(|(source, _)| source.clone())
                .unwrap_or_default()
        })
    };
    // What changed per operation against the active baseline (the Baselines view's table),
    // narrowed to the service filter.
    let changes_tbl = Signal::derive(move || {
        let service = service.get();
        Shared::new(state.scores.with(|board| {
            board.as_ref().map_or_else(Table::default, |b| {
                let rows: Vec<_> = b
                    .changes
                    .iter()
                    .filter(|c| keeps(&service, &c.service))
                    .cloned()
                    .collect();
                changes_table(&rows)
            })
        }))
    });
    let has_changes = move || {
        state
            .scores
            .with(|b| b.as_ref().is_some_and(|b| !b.changes.is_empty()))
    };
    let on_change_row = Callback::new(move |row: TableRow| open_row(state, row));
    // "Colour by shift": the graph's boxes by each service's latency shift against the baseline.
    let by_shift = RwSignal::new(false);
    let shown_drawing = Signal::derive(move || {
        let drawing = drawing.signal().get();
        if !by_shift.get() {
            return drawing;
        }
        state.scores.with(|board| match board {
            Some(board) => Shared::new(
                (*drawing)
                    .clone()
                    .with_shifts(&service_shifts(&board.changes)),
            ),
            None => drawing,
        })
    });
    view! {
        <section class="services-view" data-testid="services-view" aria-busy=move || busy().to_string()>
            {move || backend_graph.get().map(|drawing| view! {
                <div class="panel" data-testid="backend-dependencies-panel">
                    <h2>"Dependencies reported by the backend"</h2>
                    <p class="hint">{move || format!("From {}: the backend's own count of calls between services, over all its traces (not just the loaded ones).", backend_source())}</p>
                    <GraphView
                        drawing=Signal::derive(move || drawing.clone())
                        highlighted=service
                        on_click=Callback::new(move |_| {})
                        export_name=Signal::derive(|| "backend-dependencies".to_string())
                        testid="backend-graph"
                    />
                </div>
            })}
            <Show when=move || all.with(|t| !t.is_empty())>
            <div class="panel">
                <h2>"Service dependencies"</h2>
                <p class="hint">"Every loaded trace. Boxes are services (green: no errors, amber: under 5 % errors, red: more); arrows are calls with their count. Click a service to filter everything to it, an arrow to list the traces with that call."</p>
                <Show when=move || !drawing.ready()>
                    <p class="hint" data-testid="graph-computing">"Laying out the graph…"</p>
                </Show>
                <Show when=move || graph_now.with(|g| g.hidden_nodes > 0)>
                    <p class="hint" data-testid="hidden-nodes">{move || graph_now.with(|g| format!(
                        "Showing the {} busiest of {} services.", g.nodes.len(), g.nodes.len() + g.hidden_nodes))}</p>
                </Show>
                <Show when=move || graph_now.with(|g| g.hidden_edges > 0)>
                    <p class="hint" data-testid="hidden-edges">{move || graph_now.with(|g| format!(
                        "Showing the {} busiest of {} calls between services.", g.edges.len(), g.edges.len() + g.hidden_edges))}</p>
                </Show>
                <Show when=has_changes>
                    <label class="check" title="Red: the service's most changed operation is 50 % slower at the median or more; amber: 10–50 %; green: 10 % faster or more; purple: not in the baseline">
                        <input type="checkbox" data-testid="graph-by-shift" prop:checked=by_shift
                            on:change=move |ev| by_shift.set(event_target_checked(&ev))/>
                        " Colour by latency shift vs the baseline (red ≥ +50 %, amber +10–50 %, green ≤ −10 %, purple new)"
                    </label>
                </Show>
                <Show when=move || drawing.ready() && graph_now.with(|g| !g.nodes.is_empty())>
                    <GraphView
                        drawing=shown_drawing
                        highlighted=service
                        on_click=on_graph_click
                        export_name=Signal::derive(|| "service-dependencies".to_string())
                        testid="service-graph"
                    />
                </Show>
                {move || selected_edge.get().map(|edge| view! {
                    <div class="edge-traces" data-testid="edge-traces">
                        <header>
                            <h3>{format!("{} → {}: {} trace{}", edge.caller, edge.callee, edge.traces.len(), if edge.traces.len() == 1 { "" } else { "s" })}</h3>
                            <button class="button small subtle" on:click=move |_| selected_edge.set(None)>"Close"</button>
                        </header>
                        <ul>
                            {edge.traces.into_iter().map(|(trace_id, root, calls, errors)| {
                                let id = trace_id.clone();
                                view! {
                                    <li data-testid="edge-trace">
                                        <a href="#" on:click=move |ev| { ev.prevent_default(); open_span(state, id.clone(), None); }>{trace_id}</a>
                                        <span>{root}</span>
                                        <span class="muted">{format!("{calls} call{}", if calls == 1 { "" } else { "s" })}</span>
                                        {(errors > 0).then(|| view! { <span class="error-badge">{format!("{errors} failed")}</span> })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </div>
                })}
            </div>
            <div class="charts">
                <Show when=move || points.ready()>
                    <TraceScatter points=points.signal() on_open=Callback::new(move |id| open_span(state, id, None))/>
                </Show>
                <Show when=move || operations.ready()>
                    <LatencyHistogram choices=choices histogram_of=histogram_of/>
                </Show>
            </div>
            <Show when=has_changes>
                <StatsTable title="What changed against the baseline" testid="table-services-changes" table=changes_tbl on_row=on_change_row
                    hint="Per operation, the active baseline against the other loaded traces, largest impact first (spans now × the shift of the median self time, µs); p-value of a two-sided Mann–Whitney U test."/>
            </Show>
            <AiTables traces=traces/>
            <ReadyTable title="Services" testid="table-services" table=services_tbl on_row=on_row
                hint="Spans of each service in the shown traces. Click a row to filter to the service."/>
            <ReadyTable title="Operations" testid="table-operations" table=operations_tbl on_row=on_row
                hint="Latency per operation: percentiles interpolate between the closest ranks."/>
            <ReadyTable title="Slowest operations" testid="table-slowest" table=slowest_tbl on_row=on_row
                hint="By p95; click a row to open the operation's slowest span."/>
            <ReadyTable title="Bottlenecks" testid="table-bottlenecks" table=bottlenecks_tbl on_row=on_row
                hint="Operations among their traces' bottlenecks (most self time, critical path first); click to open the worst one."/>
            <ReadyTable title="Critical-path contributors" testid="table-critical" table=critical_tbl on_row=on_row
                hint="Time each operation spends on its traces' critical paths; click to open its longest stretch."/>
            </Show>
        </section>
    }
}

/// A statistics table shown once its deferred value has been computed.
#[component]
fn ReadyTable(
    /// Heading above the table.
    title: &'static str,
    /// One sentence on what the table shows.
    hint: &'static str,
    /// The table, computed in a task of its own.
    table: Deferred<Table>,
    /// `data-testid` of the section.
    testid: &'static str,
    /// Called with a clicked row.
    on_row: Callback<TableRow>,
) -> impl IntoView {
    view! {
        <Show when=move || table.ready()>
            <StatsTable title testid hint table=table.signal() on_row=on_row/>
        </Show>
    }
}
