//! tracagg: a distributed-trace visualizer. `core` is pure Rust (model, formats, analysis) and
//! runs natively; `source` and `ui` are the browser side and exist only on wasm32.
pub mod core;
