//! Leptos components. They hold UI state and call the core; they never re-implement it.
mod app;
mod copy_button;
mod file_picker;
mod help_overlay;
mod minimap;
mod notices;
mod routing;
mod shared;
mod span_detail;
mod timeline;
mod trace_header;
mod trace_list;
mod trace_page;
mod trace_toolbar;
mod trace_view;

pub use app::App;
