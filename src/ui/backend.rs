//! The Connect panel: live Jaeger, Tempo and Zipkin servers and what their searches found.
pub mod backend_panel;
pub mod backend_results;
pub mod watch_panel;
