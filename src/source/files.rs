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

/// Reads the whole file with `Blob.arrayBuffer()` (one copy into wasm memory): used in the Web
/// Worker, where it is the fastest of the readers.
pub async fn read_file_bytes_in_worker(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let size = file.size();
    if size > MAX_FILE_BYTES {
        return Err(format!(
            "the file is {:.1} GiB; the browser app reads files up to 1 GiB (split it, or use the `tracagg` CLI)",
            size / MAX_FILE_BYTES
        ));
    }
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .map_err(|error| format!("cannot read the file: {error:?}"))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}
