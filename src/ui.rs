//! Leptos components. They hold UI state and call the core; they never re-implement it.
mod app;
mod file_picker;
mod notices;
mod trace_list;

pub use app::App;
