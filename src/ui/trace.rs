//! The page of one trace: header, toolbar, minimap, waterfall, span detail, help overlay, and
//! its Graph and Statistics tabs; `trace_view` holds the signals its components share.
pub mod help_overlay;
pub mod minimap;
pub mod span_detail;
pub mod timeline;
pub mod trace_baseline;
pub mod trace_flamegraph;
pub mod trace_graph;
pub mod trace_header;
pub mod trace_logs;
pub mod trace_page;
pub mod trace_statistics;
pub mod trace_toolbar;
pub mod trace_view;
pub mod trace_vs_baseline;
