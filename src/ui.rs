//! Leptos components. They hold UI state and call the core; they never re-implement it.
mod app;
mod backend_panel;
mod backend_results;
mod charts;
mod copy_button;
mod deferred;
mod download;
mod file_picker;
mod graph_view;
mod help_overlay;
mod minimap;
mod notices;
mod routing;
mod services_view;
mod shared;
mod span_detail;
mod stats_table;
mod timeline;
mod trace_graph;
mod trace_header;
mod trace_list;
mod trace_page;
mod trace_statistics;
mod trace_toolbar;
mod trace_view;

pub use app::App;
