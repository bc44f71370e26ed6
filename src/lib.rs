//! tracagg: a distributed-trace visualizer that runs entirely in the browser.
//!
//! `core` is pure Rust (model, formats, analysis, view models) and runs natively; `source`
//! (browser I/O) and `ui` (Leptos components) exist only on wasm32 and call the core.
pub mod core;
#[cfg(target_arch = "wasm32")]
pub mod source;
#[cfg(target_arch = "wasm32")]
pub mod ui;
