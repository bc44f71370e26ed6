//! Reading a `File` the user picked or dropped.

/// The largest file read in the browser. A wasm32 module has at most 4 GiB of memory, and the
/// bytes, the parsed spans and the model all live there at once.
pub const MAX_FILE_BYTES: f64 = 1024.0 * 1024.0 * 1024.0;

/// Reads the whole file as bytes (no text decoding: the parsers take UTF-8 bytes directly).
/// The error says what went wrong, for the notice shown to the user.
pub async fn read_file_bytes(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let size = file.size();
    if size > MAX_FILE_BYTES {
        return Err(format!(
            "the file is {:.1} GiB; the browser app reads files up to 1 GiB (split it, or use the `tracagg` CLI)",
            size / MAX_FILE_BYTES
        ));
    }
    let blob = gloo_file::Blob::from(file.clone());
    gloo_file::futures::read_as_bytes(&blob)
        .await
        .map_err(|error| format!("cannot read the file: {error}"))
}

/// Reads the whole file in the Web Worker, in slices of [`WORKER_READ_SLICE`] bytes: the browser
/// reads the next slice while this one is copied into wasm memory, the file is never held
/// twice in full (a 400 MB file once took 800 MB here), and `on_progress` hears the fraction
/// read after each slice.
pub async fn read_file_bytes_in_worker(
    file: &web_sys::File,
    on_progress: impl FnMut(f64),
) -> Result<Vec<u8>, String> {
    read_file_bytes_in_slices(file, WORKER_READ_SLICE, on_progress).await
}

/// [`read_file_bytes_in_worker`] with slices of `slice_bytes`.
pub async fn read_file_bytes_in_slices(
    file: &web_sys::File,
    slice_bytes: f64,
    on_progress: impl FnMut(f64),
) -> Result<Vec<u8>, String> {
    read_file_range(file, 0.0, file.size(), slice_bytes, on_progress).await
}

/// Reads bytes `start..end` of the file (clamped to its size) in slices of `slice_bytes` (see
/// [`read_file_bytes_in_worker`]): also the halves of a file that two workers read at once
/// (`core::format::split`). A range that fits one slice is copied once, straight into a new
/// vector (no zeroing first).
pub async fn read_file_range(
    file: &web_sys::File,
    start: f64,
    end: f64,
    slice_bytes: f64,
    mut on_progress: impl FnMut(f64),
) -> Result<Vec<u8>, String> {
    let size = file.size();
    if size > MAX_FILE_BYTES {
        return Err(format!(
            "the file is {:.1} GiB; the browser app reads files up to 1 GiB (split it, or use the `tracagg` CLI)",
            size / MAX_FILE_BYTES
        ));
    }
    let end = end.min(size);
    let start = start.clamp(0.0, end);
    let read = |from: f64| -> Result<js_sys::Promise, String> {
        file.slice_with_f64_and_f64(from, (from + slice_bytes).min(end))
            .map(|slice| slice.array_buffer())
            .map_err(|error| format!("cannot read the file: {error:?}"))
    };
    let total = (end - start).max(1.0);
    let mut bytes = Vec::new();
    let mut next = (start < end).then(|| read(start)).transpose()?;
    let mut at = start;
    while let Some(pending) = next.take() {
        let buffer = wasm_bindgen_futures::JsFuture::from(pending)
            .await
            .map_err(|error| format!("cannot read the file: {error:?}"))?;
        at += slice_bytes;
        if at < end {
            next = Some(read(at)?);
        }
        let slice = js_sys::Uint8Array::new(&buffer);
        if bytes.is_empty() && next.is_none() {
            bytes = slice.to_vec();
        } else {
            if bytes.is_empty() {
                bytes.reserve_exact(total as usize);
            }
            let filled = bytes.len();
            bytes.resize(filled + slice.length() as usize, 0);
            slice.copy_to(&mut bytes[filled..]);
        }
        on_progress(bytes.len() as f64 / total);
    }
    Ok(bytes)
}

/// The slice of a file read at a time in the worker (64 MiB): files up to that size arrive
/// in one read, which the browser serves about twice as fast as 8 MiB slices one after the
/// other (40 vs 55–90 ms for 41 MB, measured in this project's Chromium); larger ones cost at
/// most one slice beyond the file itself.
pub const WORKER_READ_SLICE: f64 = 64.0 * 1024.0 * 1024.0;
