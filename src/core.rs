//! The pure core of tracagg: the trace model, the format parsers and the view models.
//!
//! Invariant: nothing below this module names a browser type (leptos, web_sys, js_sys,
//! wasm_bindgen, gloo). Everything here is tested natively with plain `cargo test`, and the UI and
//! the CLI are thin callers of it.
pub mod format;
pub mod model;

pub mod analysis;
pub mod backend;
pub mod demo;
pub mod generate;
pub mod handover;
pub mod load;
pub mod logs;
mod rng;
pub mod view_model;
