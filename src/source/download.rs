//! Trace files opened by address (`#url=…`, `?url=…`, "Open URL…"): fetched without
//! credentials, then handed to the normal file loading (the worker) as a `File`.
use gloo_net::http::Request;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// What the person reads when a download fails: what happened and what the server must do.
fn refused(url: &str, detail: &str) -> String {
    format!(
        "Could not download {url}: {detail}. If the address is right, the server must allow this page to read it: it has to answer with the header Access-Control-Allow-Origin: * (or this page's origin)."
    )
}

/// The file at `url` (http or https only), named after the address's last path segment.
/// `on_progress` hears the bytes received so far and the size the server announced (if it
/// did), after each piece of the answer.
pub async fn download_file(
    url: &str,
    on_progress: impl Fn(f64, Option<f64>),
) -> Result<web_sys::File, String> {
    // The browser's own URL parser (the `url` crate's copy of it would be part of the page's
    // first download).
    let parsed = web_sys::Url::new(url.trim()).map_err(|_| {
        format!("“{url}” is not a valid address (give an http:// or https:// URL).")
    })?;
    if !matches!(parsed.protocol().as_str(), "http:" | "https:") {
        return Err(format!(
            "“{url}” is not an http or https address; tracagg opens files by address only from web servers."
        ));
    }
    let response = Request::get(&parsed.href())
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
    let total = response
        .headers()
        .get("content-length")
        .and_then(|length| length.parse::<f64>().ok())
        .filter(|length| *length > 0.0);
    let raw = web_sys::Response::from(response);
    let parts = read_body(&raw, total, &on_progress)
        .await
        .map_err(|e| format!("Could not download {url}: the answer broke off ({e})."))?;
    let path = parsed.pathname();
    let name = match path.rsplit('/').next().filter(|last| !last.is_empty()) {
        Some(last) => last.to_string(),
        None => match parsed.hostname() {
            host if host.is_empty() => "download".to_string(),
            host => host,
        },
    };
    web_sys::File::new_with_u8_array_sequence(&parts, &name)
        .map_err(|_| format!("Could not keep the download of {url} as a file."))
}

/// The answer's body as its pieces (`Uint8Array`s, kept on the JavaScript side: the file is
/// made of them without a copy into wasm memory), read as they arrive.
async fn read_body(
    response: &web_sys::Response,
    total: Option<f64>,
    on_progress: &impl Fn(f64, Option<f64>),
) -> Result<js_sys::Array, String> {
    let describe = |e: JsValue| e.as_string().unwrap_or_else(|| format!("{e:?}"));
    let get = |target: &JsValue, key: &str| js_sys::Reflect::get(target, &JsValue::from_str(key));
    let parts = js_sys::Array::new();
    let body = get(response, "body").map_err(describe)?;
    if body.is_null() || body.is_undefined() {
        // No stream (an empty answer, or an old browser): the whole answer at once.
        let buffer = JsFuture::from(response.array_buffer().map_err(describe)?)
            .await
            .map_err(describe)?;
        let bytes = js_sys::Uint8Array::new(&buffer);
        on_progress(f64::from(bytes.length()), total);
        parts.push(&bytes);
        return Ok(parts);
    }
    let reader = get(&body, "getReader")
        .map_err(describe)?
        .dyn_into::<js_sys::Function>()
        .map_err(|_| "no stream reader".to_string())?
        .call0(&body)
        .map_err(describe)?;
    let read = get(&reader, "read")
        .map_err(describe)?
        .dyn_into::<js_sys::Function>()
        .map_err(|_| "no stream reader".to_string())?;
    let mut received = 0.0;
    loop {
        let next = read
            .call0(&reader)
            .map_err(describe)?
            .dyn_into::<js_sys::Promise>()
            .map_err(|_| "the stream reader gave no promise".to_string())?;
        let chunk = JsFuture::from(next).await.map_err(describe)?;
        if get(&chunk, "done").ok().and_then(|d| d.as_bool()) == Some(true) {
            return Ok(parts);
        }
        let value = get(&chunk, "value").map_err(describe)?;
        if let Ok(bytes) = value.dyn_into::<js_sys::Uint8Array>() {
            received += f64::from(bytes.length());
            parts.push(&bytes);
            on_progress(received, total);
        }
    }
}
