//! The trace page's "Graph" tab: the trace's operations as a DAG with call counts, total and
//! self time and error marks (as Jaeger UI's trace graph). Clicking an operation shows its
//! spans in the timeline.
use leptos::prelude::*;

use crate::core::view_model::{GraphDrawing, GraphTarget, OperationGraph};
use crate::ui::trace::trace_view::TraceView;
use crate::ui::widgets::download::file_stem;
use crate::ui::widgets::graph_view::GraphView;
use crate::ui::widgets::shared::Shared;

/// Which tab of the trace page is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceTab {
    /// The waterfall.
    Timeline,
    /// The operation graph.
    Graph,
    /// The statistics table.
    Statistics,
    /// The trace's log records.
    Logs,
    /// The flamegraph.
    Flamegraph,
    /// The trace against the active baseline, path by path.
    VsBaseline,
    /// The agent's work: summary, steps, conversation, decisions.
    Agent,
}

/// The operation graph of the open trace.
#[component]
pub fn TraceGraph(
    /// Set to switch tabs (a click on an operation goes to the timeline).
    tab: RwSignal<TraceTab>,
) -> impl IntoView {
    let view = expect_context::<TraceView>();
    let graph = Memo::new(move |_| {
        let (Some(trace), Some(analysis)) = (view.trace.get(), view.analysis.get()) else {
            return Shared::new(OperationGraph::default());
        };
        Shared::new(OperationGraph::build(&trace, &analysis.self_ns))
    });
    let drawing = Memo::new(move |_| Shared::new(GraphDrawing::of_operations(&graph.get())));
    let on_click = Callback::new(move |target: GraphTarget| {
        let GraphTarget::Node(i) = target else { return };
        let Some(node) = graph.with_untracked(|g| g.nodes.get(i).cloned()) else {
            return;
        };
        view.search.set(format!(
            "service=\"{}\" operation=\"{}\"",
            node.service, node.operation
        ));
        view.matches_only.set(true);
        tab.set(TraceTab::Timeline);
    });
    let export_name = Signal::derive(move || {
        let id = view
            .trace
            .with(|t| t.as_ref().map(|t| t.trace_id.clone()).unwrap_or_default());
        format!("trace-{}-operations", file_stem(&id))
    });
    view! {
        <section class="panel trace-graph" data-testid="trace-graph">
            <p class="hint">{move || {
                let g = graph.get();
                let edges = if g.hidden_edges > 0 {
                    format!("the {} busiest of {} call edges", g.edges.len(), g.edges.len() + g.hidden_edges)
                } else {
                    format!("{} call edges", g.edges.len())
                };
                let operations = if g.hidden_nodes > 0 {
                    format!("Showing the {} busiest of {} operations", g.nodes.len(), g.nodes.len() + g.hidden_nodes)
                } else {
                    format!("{} operations", g.nodes.len())
                };
                format!(
                    "{operations}, {edges}. Each box: operation, service, spans × total time · self time. Click one to list its spans in the timeline."
                )
            }}</p>
            <GraphView
                drawing=drawing
                highlighted=Signal::derive(|| None::<String>)
                on_click=on_click
                export_name=export_name
                testid="operation-graph"
            />
        </section>
    }
}
