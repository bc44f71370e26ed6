//! View models: what the UI and the CLI show, computed from the model without any web type.
//!
//! `trace` holds what one trace's page shows (timeline rows, bars, search, span detail, time
//! scale, minimap), `graph` the laid-out graphs (service and operation graphs and their
//! drawing), `tables` the sortable tables and chart data; the trace list, the address bar's
//! view state and service colours sit at the top. Every public name is re-exported here.
mod colour;
mod graph;
mod list_filter;
mod markdown;
pub mod report;
mod tables;
mod text;
pub(crate) mod trace;
mod trace_list;
mod url_state;

pub use colour::{baseline_colour, service_colour, BASELINE_BANDS, UNJUDGED_COLOUR};
pub use graph::graph_drawing::{
    service_shifts, DrawnEdge, DrawnNode, GraphDrawing, GraphTarget, OpeningView,
    MIN_READABLE_SCALE,
};
pub use graph::graph_layout::{layout_graph, EdgeRoute, GraphLayout, Rect};
pub use graph::operation_graph::{
    OperationEdge, OperationGraph, OperationNode, OPERATION_NODE_HEIGHT,
};
pub use graph::service_graph::{
    ServiceEdge, ServiceGraph, ServiceNode, EDGE_LABEL_HEIGHT, GRAPH_CHAR_PX, GRAPH_FONT_PX,
    NODE_HEIGHT,
};
pub use list_filter::{ListFilter, SORT_BY_SCORE};
pub use markdown::markdown_to_safe_html;
pub use tables::charts::{
    latency_histogram, trace_scatter, Bin, Histogram, ScatterAxes, ScatterPoint,
};
pub use tables::compare_tables::{anomalies_table, anomaly_label, changes_table, scores_table};
pub use tables::genai_tables::{
    agents_table, decision_types_table, decisions_table, models_table, tools_table, trace_cost,
    trace_models_table,
};
pub use tables::stats_tables::{
    bottlenecks_table, critical_table, operations_table, services_table, slowest_table,
    trace_stats_table,
};
pub use tables::table::{Cell, Column, SortKey, SortOrder, Table, TableRow};
pub use text::{
    contains_ignore_case, escape_markup, group_digits, is_long, list_some, shorten, shorten_cow,
    xml_safe, NAME_CHARS, TITLE_CHARS, VALUE_CHARS,
};
pub use trace::bars::{bar_layout, BarLayout, BarOptions, CriticalIndex, Segment};
pub use trace::overview::{overview_lines, OverviewLine};
pub use trace::search::{find_spans, find_spans_with_logs, QuickFilters, SpanMatches, SpanQuery};
pub use trace::shared_axis::{shared_axis_rows, AxisRow};
pub use trace::span_detail::{
    mask_key_values, span_attributes, AttributeSet, EventDetail, KeyValue, ReferenceDetail,
    SpanDetail, DETAIL_ROWS,
};
pub use trace::time_scale::{ticks, Tick, TimeWindow, MIN_WINDOW_NS};
pub use trace::timeline::{descendant_count, visible_rows, CollapseState};
pub use trace_list::{
    days_from_civil, format_duration_ns, format_start_ns, parse_utc_datetime_us, window_rows,
    TraceSummary, VIRTUAL_LIST_FROM,
};
pub use url_state::{BackendLink, ViewState};
