//! Saving text the page made (CSV tables, SVG graphs) as a file, without any server: a Blob, an
//! object URL and a click on a temporary download link.
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Offers `text` as a download named `file_name` of type `mime`.
pub fn download_text(file_name: &str, mime: &str, text: &str) -> Result<(), String> {
    download_parts(
        file_name,
        mime,
        &js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text)),
    )
}

/// Offers `parts` (JavaScript strings or UTF-8 byte arrays, made one by one) joined as a
/// download.
pub fn download_parts(file_name: &str, mime: &str, parts: &js_sys::Array) -> Result<(), String> {
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_blob_sequence_and_options(parts, &options)
        .map_err(|e| format!("could not make the file: {e:?}"))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|e| format!("could not make a download link: {e:?}"))?;
    let link: web_sys::HtmlAnchorElement = document()
        .create_element("a")
        .map_err(|e| format!("{e:?}"))?
        .unchecked_into();
    link.set_href(&url);
    link.set_download(file_name);
    link.click();
    // The browser has started the download once the click is handled.
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(10),
    );
    Ok(())
}

/// A file-name-safe version of `text` (letters, digits, `-`, `_`, `.`).
pub fn file_stem(text: &str) -> String {
    let stem: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    stem.trim_matches('-').chars().take(60).collect()
}
