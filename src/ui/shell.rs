//! The frame of the page: the shell and its tabs (`app`), notices, the file picker, the address
//! bar (`routing`) and the trace list.
pub mod app;
pub mod file_picker;
pub mod notices;
pub mod routing;
pub mod session;
pub mod theme;
pub mod trace_list;
