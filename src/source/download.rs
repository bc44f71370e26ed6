//! Trace files opened by address (`#url=…`, `?url=…`, "Open URL…"): fetched without
//! credentials, then handed to the normal file loading (the worker) as a `File`. A download
//! is bounded: the announced size is checked before the body is read, the bytes are counted as
//! they arrive (a compressed answer can announce far fewer) and it stops at the file limit; a
//! server that sends nothing for [`STALL_MS`] ends it with a sentence; Cancel and Clear abort
//! the request itself ([`cancel_downloads`]).
use std::cell::{Cell, RefCell};

use gloo_net::http::Request;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::files::MAX_FILE_BYTES;

/// A download that receives nothing for this long is given up.
pub const STALL_MS: i32 = 30_000;

thread_local! {
    /// The download under way, so that Cancel and Clear can abort it.
    static CURRENT: RefCell<Option<web_sys::AbortController>> = const { RefCell::new(None) };
    /// Bumped by every cancel: a list of downloads stops when it changes.
    static CANCELS: Cell<u64> = const { Cell::new(0) };
}

/// How many times downloads were cancelled so far (a list of addresses compares it before
/// each one, so that Clear stops the rest too).
pub fn download_cancels() -> u64 {
    CANCELS.with(Cell::get)
}

/// Aborts the download under way, if any (Cancel, Clear).
pub fn cancel_downloads() {
    CANCELS.with(|c| c.set(c.get().wrapping_add(1)));
    if let Some(controller) = CURRENT.with(|current| current.borrow_mut().take()) {
        controller.abort();
    }
}

/// Why a download ended without a file.
#[derive(Debug, Clone, PartialEq)]
pub enum DownloadFailure {
    /// The person cancelled it (Cancel or Clear).
    Cancelled,
    /// Anything else, as a sentence for the person.
    Failed(String),
}

impl From<String> for DownloadFailure {
    fn from(message: String) -> Self {
        Self::Failed(message)
    }
}

/// The stall limit: [`STALL_MS`], or `window.tracaggStallMs` when a test sets it.
fn stall_ms() -> i32 {
    web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &JsValue::from_str("tracaggStallMs")).ok())
        .and_then(|v| v.as_f64())
        .map_or(STALL_MS, |ms| ms.clamp(10.0, f64::from(STALL_MS)) as i32)
}

/// A promise that resolves to `"stalled"` after `ms`.
fn stall_timer(ms: i32) -> js_sys::Promise {
    js_sys::Promise::new(&mut |resolve, _| {
        let done = Closure::once_into_js(move || {
            let _ = resolve.call1(&JsValue::NULL, &JsValue::from_str("stalled"));
        });
        if let Some(window) = web_sys::window() {
            let _ = window
                .set_timeout_with_callback_and_timeout_and_arguments_0(done.unchecked_ref(), ms);
        }
    })
}

/// `promise`, or `Err(stalled)` when it has not settled within the stall limit.
async fn within_stall_limit(promise: js_sys::Promise) -> Result<JsValue, JsValue> {
    let ms = stall_ms();
    let race = js_sys::Promise::race(&js_sys::Array::of2(&promise, &stall_timer(ms)));
    let value = JsFuture::from(race).await?;
    if value.as_string().as_deref() == Some("stalled") {
        return Err(JsValue::from_str(&format!(
            "no data arrived for {} s",
            ms / 1000
        )));
    }
    Ok(value)
}

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
) -> Result<web_sys::File, DownloadFailure> {
    let controller = web_sys::AbortController::new()
        .map_err(|_| format!("Could not start the download of {url}."))?;
    CURRENT.with(|current| current.replace(Some(controller.clone())));
    let cancels = download_cancels();
    let result = download_with(url, &controller, on_progress).await;
    CURRENT.with(|current| current.borrow_mut().take());
    match result {
        Err(_) if download_cancels() != cancels => Err(DownloadFailure::Cancelled),
        Err(message) => {
            controller.abort();
            Err(DownloadFailure::Failed(message))
        }
        Ok(file) => Ok(file),
    }
}

/// [`download_file`] with its abort controller.
async fn download_with(
    url: &str,
    controller: &web_sys::AbortController,
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
    let request = Request::get(&parsed.href())
        .credentials(web_sys::RequestCredentials::Omit)
        .abort_signal(Some(&controller.signal()))
        .build()
        .map_err(|_| format!("Could not start the download of {url}."))?;
    let window = web_sys::window().ok_or("no window")?;
    let request: web_sys::Request = request.into();
    let answer = within_stall_limit(window.fetch_with_request(&request))
        .await
        .map_err(|e| match e.as_string() {
            Some(stalled) => format!("Could not download {url}: the server did not answer ({stalled})."),
            None => refused(url, "the browser refused the answer (a CORS refusal) or the server could not be reached"),
        })?;
    let response = gloo_net::http::Response::from(
        answer
            .dyn_into::<web_sys::Response>()
            .map_err(|_| format!("Could not download {url}: no answer."))?,
    );
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
    if total.is_some_and(|t| t > MAX_FILE_BYTES) {
        return Err(too_large(url, total.unwrap_or_default()));
    }
    let raw = web_sys::Response::from(response);
    let parts = read_body(&raw, total, &on_progress)
        .await
        .map_err(|e| match e {
            BodyError::TooLarge(received) => too_large(url, received),
            BodyError::Broken(e) => {
                format!("Could not download {url}: the answer broke off ({e}).")
            }
        })?;
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

/// The sentence for a download over the limit.
fn too_large(url: &str, bytes: f64) -> String {
    format!(
        "Could not download {url}: it is over {:.1} GiB; the browser app reads files up to 1 GiB (split it, or use the `tracagg` CLI). Nothing more was read.",
        bytes / MAX_FILE_BYTES
    )
}

/// Why reading a body stopped.
enum BodyError {
    /// More bytes arrived than a file may have (this many so far).
    TooLarge(f64),
    /// The stream failed, stalled or was aborted.
    Broken(String),
}

impl From<String> for BodyError {
    fn from(message: String) -> Self {
        Self::Broken(message)
    }
}

/// The answer's body as its pieces (`Uint8Array`s, kept on the JavaScript side: the file is
/// made of them without a copy into wasm memory), read as they arrive.
async fn read_body(
    response: &web_sys::Response,
    total: Option<f64>,
    on_progress: &impl Fn(f64, Option<f64>),
) -> Result<js_sys::Array, BodyError> {
    let describe = |e: JsValue| e.as_string().unwrap_or_else(|| format!("{e:?}"));
    let get = |target: &JsValue, key: &str| js_sys::Reflect::get(target, &JsValue::from_str(key));
    let parts = js_sys::Array::new();
    let body = get(response, "body").map_err(describe)?;
    if body.is_null() || body.is_undefined() {
        // No stream (an empty answer, or an old browser): the whole answer at once.
        let buffer = within_stall_limit(response.array_buffer().map_err(describe)?)
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
    // Stops the stream (a stalled or oversized answer would keep it open).
    let cancel_stream = || {
        if let Ok(cancel) = get(&reader, "cancel").and_then(|f| f.dyn_into::<js_sys::Function>()) {
            // On an aborted stream the promise rejects: handled here, not left uncaught.
            if let Ok(promise) = cancel.call0(&reader) {
                let catch = get(&promise, "catch").and_then(|f| f.dyn_into::<js_sys::Function>());
                if let Ok(catch) = catch {
                    let ignore = Closure::once_into_js(|_: JsValue| {});
                    let _ = catch.call1(&promise, &ignore);
                }
            }
        }
    };
    let mut received = 0.0;
    loop {
        let next = read
            .call0(&reader)
            .map_err(describe)?
            .dyn_into::<js_sys::Promise>()
            .map_err(|_| "the stream reader gave no promise".to_string())?;
        let chunk = match within_stall_limit(next).await {
            Ok(chunk) => chunk,
            Err(e) => {
                cancel_stream();
                return Err(BodyError::Broken(describe(e)));
            }
        };
        if get(&chunk, "done").ok().and_then(|d| d.as_bool()) == Some(true) {
            return Ok(parts);
        }
        let value = get(&chunk, "value").map_err(describe)?;
        if let Ok(bytes) = value.dyn_into::<js_sys::Uint8Array>() {
            received += f64::from(bytes.length());
            if received > MAX_FILE_BYTES {
                cancel_stream();
                return Err(BodyError::TooLarge(received));
            }
            parts.push(&bytes);
            // A compressed answer announces its compressed size: past it, no total is shown.
            on_progress(received, total.filter(|t| received <= *t));
        }
    }
}
