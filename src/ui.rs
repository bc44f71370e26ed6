//! Leptos components. They hold UI state and call the core; they never re-implement it.
//!
//! Grouped by the part of the page a person opens: `shell` (the frame, tabs, notices, trace
//! list), `trace` (one trace's page and its tabs), `services` (the services view), `backend`
//! (the Connect panel), `quality` (the instrumentation check), `compare` (two traces side by side); `widgets` holds parts several of them use, and `state` the app state
//! every component reads.
mod agent;
mod backend;
mod compare;
mod parts;
mod quality;
mod services;
mod shell;
pub mod state;
mod trace;
mod widgets;

pub use shell::app::App;
pub use state::mark;
