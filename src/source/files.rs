//! Reading a `File` the user picked or dropped.

/// Reads the whole file as bytes (no text decoding: the parsers take UTF-8 bytes directly).
/// The error says what went wrong, for the notice shown to the user.
pub async fn read_file_bytes(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let blob = gloo_file::Blob::from(file.clone());
    gloo_file::futures::read_as_bytes(&blob)
        .await
        .map_err(|error| format!("cannot read the file: {error}"))
}
