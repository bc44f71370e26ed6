//! Trace files opened by address (`#url=…`, `?url=…`, "Open URL…"): fetched without
//! credentials, then handed to the normal file loading (the worker) as a `File`.
use gloo_net::http::Request;
use wasm_bindgen::JsValue;

/// What the person reads when a download fails: what happened and what the server must do.
fn refused(url: &str, detail: &str) -> String {
    format!(
        "Could not download {url}: {detail}. If the address is right, the server must allow this page to read it: it has to answer with the header Access-Control-Allow-Origin: * (or this page's origin)."
    )
}

/// The file at `url` (http or https only), named after the address's last path segment.
pub async fn download_file(url: &str) -> Result<web_sys::File, String> {
    let parsed = url::Url::parse(url.trim()).map_err(|_| {
        format!("“{url}” is not a valid address (give an http:// or https:// URL).")
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!(
            "“{url}” is not an http or https address; tracagg opens files by address only from web servers."
        ));
    }
    let response = Request::get(parsed.as_str())
        .credentials(web_sys::RequestCredentials::Omit)
        .send()
        .await
        .map_err(|_| refused(url, "the browser refused the answer (a CORS refusal) or the server could not be reached"))?;
    let status = response.status();
    if !(200..300).contains(&status) {
        return Err(format!(
            "Could not download {url}: the server answered HTTP {status} {}.",
            response.status_text()
        ));
    }
    let bytes = response
        .binary()
        .await
        .map_err(|e| format!("Could not download {url}: the answer broke off ({e})."))?;
    let name = parsed
        .path_segments()
        .and_then(|mut segments| segments.next_back().map(str::to_string))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| parsed.host_str().unwrap_or("download").to_string());
    let array = js_sys::Uint8Array::from(bytes.as_slice());
    let parts = js_sys::Array::of1(&JsValue::from(array));
    web_sys::File::new_with_u8_array_sequence(&parts, &name)
        .map_err(|_| format!("Could not keep the download of {url} as a file."))
}
