//! The services view: dependency graph, charts and tables over every loaded trace.
pub mod charts;
pub mod services_view;
