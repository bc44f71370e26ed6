//! View models: what the UI and the CLI show, computed from the model without any web type.
mod trace_list;

pub use trace_list::{format_duration_ns, format_start_ns, TraceSummary};
