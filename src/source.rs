//! Browser I/O: getting bytes from the user's files and from tracing backends over HTTP, and
//! parsing them in a Web Worker.
pub mod backend;
mod download;
mod early;
mod files;
pub mod storage;
mod worker;

pub use download::{cancel_downloads, download_cancels, download_file, DownloadFailure};
pub use files::{
    read_file_bytes, read_file_bytes_in_slices, read_file_bytes_in_worker, read_file_range,
    WORKER_READ_SLICE,
};
pub use worker::{
    assemble, assemble_in_slices, cancel_worker_load, parse_in_worker, prepare_worker, sleep_ms,
    yield_to_browser, WorkerFailure, FIRST_WORKER_ALONE,
};
