//! Browser I/O: getting bytes from the user's files (and, later, from tracing backends), and
//! parsing them in a Web Worker.
mod files;
mod worker;

pub use files::{read_file_bytes, read_file_bytes_in_worker};
pub use worker::{cancel_worker_load, parse_in_worker, prepare_worker, WorkerFailure};
