//! Browser I/O: getting bytes from the user's files (and, later, from tracing backends).
mod files;

pub use files::read_file_bytes;
