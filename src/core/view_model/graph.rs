//! Graphs laid out for drawing: the layered layout, the service dependency graph, the
//! per-trace operation graph, and the drawing (colours, text, tooltips) of either.
pub(crate) mod graph_drawing;
pub(crate) mod graph_layout;
pub(crate) mod operation_graph;
pub(crate) mod service_graph;
