//! The Quality view: the instrumentation check over every loaded trace, and the switch that
//! masks sensitive values everywhere.
pub mod quality_view;
