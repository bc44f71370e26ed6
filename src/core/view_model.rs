//! View models: what the UI and the CLI show, computed from the model without any web type.
mod bars;
mod charts;
mod colour;
mod graph_drawing;
mod graph_layout;
mod operation_graph;
mod overview;
pub(crate) mod search;
mod service_graph;
mod span_detail;
mod stats_tables;
mod table;
mod time_scale;
mod timeline;
mod trace_list;
mod url_state;

pub use bars::{bar_layout, BarLayout, BarOptions, CriticalIndex, Segment};
pub use charts::{latency_histogram, trace_scatter, Bin, Histogram, ScatterPoint};
pub use colour::service_colour;
pub use graph_drawing::{DrawnEdge, DrawnNode, GraphDrawing, GraphTarget};
pub use graph_layout::{layout_graph, EdgeRoute, GraphLayout, Rect};
pub use operation_graph::{OperationEdge, OperationGraph, OperationNode, OPERATION_NODE_HEIGHT};
pub use overview::{overview_lines, OverviewLine};
pub use search::{find_spans, QuickFilters, SpanMatches, SpanQuery};
pub use service_graph::{
    ServiceEdge, ServiceGraph, ServiceNode, EDGE_LABEL_HEIGHT, GRAPH_CHAR_PX, GRAPH_FONT_PX,
    NODE_HEIGHT,
};
pub use span_detail::{EventDetail, KeyValue, ReferenceDetail, SpanDetail};
pub use stats_tables::{
    bottlenecks_table, critical_table, operations_table, services_table, slowest_table,
    trace_stats_table,
};
pub use table::{Cell, Column, SortKey, SortOrder, Table, TableRow};
pub use time_scale::{ticks, Tick, TimeWindow, MIN_WINDOW_NS};
pub use timeline::{descendant_count, visible_rows, CollapseState};
pub use trace_list::{format_duration_ns, format_start_ns, parse_utc_datetime_us, TraceSummary};
pub use url_state::{BackendLink, ViewState};
