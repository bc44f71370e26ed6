//! Parsing files in a Web Worker, so the page stays responsive while a large file loads.
//!
//! The worker (`src/bin/tracagg_worker.rs`, built by trunk as `tracagg-worker.js` + `.wasm`
//! next to the app) receives the `File` itself, reads, parses and builds the traces, and posts
//! back their compact binary form (`core::load::parse_and_encode`) in a transferred buffer.
//! One worker per file: it is terminated when done or when the user cancels.
//!
//! Protocol: worker → `"ready"` (its wasm runs), later `"warm"` (its warm-up is over, unless a
//! file came first); page → `File`, posted at once even to a worker still starting (its loader
//! script keeps what arrives before its wasm runs, and the worker takes that first); worker →
//! `["progress", stage, fraction or null]` any number of times, then
//! `[true, Uint8Array, timings]` or `[false, "error sentence"]`.
//!
//! The first worker is started by a script in `index.html` before the page's own wasm has
//! loaded, so that both compile at once; [`prepare_worker`] takes it over.
//!
//! A large file (at least `split::MIN_SPLIT_BYTES`) goes to two workers at once when two are
//! ready, one per half (`core::format::split`): page → `["first", File, from, port]` and
//! `["second", File, from, port]`, the ports being the two ends of one `MessageChannel`; both
//! send progress (as shares of the whole file, which the page adds up), the second sends its
//! half to the first through the port, and the first replies as above. If the second fails,
//! the page tells the first (`"peer-failed"`), which then reads the whole file itself.
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, ErrorEvent, File, MessageChannel, MessageEvent, Url, Worker};

use crate::core::format::split;

use crate::core::handover::{frame_at, Assembler};
use crate::core::load::{BuiltFile, CombinedProgress};

/// Why a worker load did not produce traces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkerFailure {
    /// No worker could be started (e.g. its script is not served): parse on the page instead.
    Unavailable(String),
    /// The user cancelled the load.
    Cancelled,
    /// The file could not be loaded; the sentence says why.
    Failed(String),
}

/// The running job, so that it can be cancelled.
pub(super) struct Job {
    pub(super) worker: Worker,
    /// The worker reading the second half, if the file was split.
    pub(super) peer: Option<Worker>,
    pub(super) reject: js_sys::Function,
}

/// A worker started ahead of time, so that its wasm is compiled before the user picks a file.
struct Warm {
    worker: Worker,
    /// It said "ready": it takes a file now.
    ready: Rc<Cell<bool>>,
    /// It said "warm": its warm-up is over, so its parsers run at full speed.
    warm: Rc<Cell<bool>>,
    /// It failed to start (no script, blocked): use the page instead.
    failed: Rc<Cell<bool>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

thread_local! {
    pub(super) static CURRENT: RefCell<Option<Job>> = const { RefCell::new(None) };
    /// Up to [`WARM_WORKERS`] workers started ahead of time.
    static WARM: RefCell<Vec<Warm>> = const { RefCell::new(Vec::new()) };
    /// How many times Cancel was pressed: an [`assemble`] that sees it change stops.
    static CANCELS: Cell<u64> = const { Cell::new(0) };
}

/// What the first worker of a split load tells the page when it reads the whole file after
/// all: the page then stops the other worker and leaves its progress out of the line.
pub const FIRST_WORKER_ALONE: &str = "alone";

/// Workers kept ready: two, so that a large file can be read in two halves at once.
const WARM_WORKERS: usize = 2;

/// Starts workers so the next load does not wait for them (call once the page is up, and
/// after each load), one at a time: each warms up for a few hundred milliseconds, and two at
/// once took both cores from the page (scrolling right after a load dropped frames). The next
/// starts when one says it is warm, unless a load is running. Does nothing if enough are
/// waiting or one is still warming up. The first is the one `index.html` started before the
/// page's own wasm loaded, if it did.
pub fn prepare_worker() {
    let (count, warming) = WARM.with(|warm| {
        let warm = warm.borrow();
        let warming = warm.iter().any(|w| !w.warm.get() && !w.failed.get());
        (warm.len(), warming)
    });
    let loading = CURRENT.with(|current| current.borrow().is_some());
    if count >= WARM_WORKERS || warming || loading || super::early::early_job_running() {
        return;
    }
    let (worker, early) = match take_early_worker() {
        Some(early) => early,
        None => match spawn_worker() {
            Ok(worker) => (worker, EarlyState::default()),
            Err(_) => return,
        },
    };
    let ready = Rc::new(Cell::new(early.ready));
    let warm = Rc::new(Cell::new(early.warm));
    let failed = Rc::new(Cell::new(early.failed));
    let (is_ready, is_warm) = (ready.clone(), warm.clone());
    let on_message =
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            match event.data().as_string().as_deref() {
                Some("ready") => is_ready.set(true),
                Some("warm") => {
                    is_ready.set(true);
                    is_warm.set(true);
                    prepare_worker();
                }
                _ => {}
            }
        });
    let flag = failed.clone();
    let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
        event.prevent_default();
        flag.set(true);
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    let already_warm = early.warm;
    WARM.with(|warm_workers| {
        warm_workers.borrow_mut().push(Warm {
            worker,
            ready,
            warm,
            failed,
            _on_message: on_message,
            _on_error: on_error,
        });
    });
    if already_warm {
        prepare_worker();
    }
}

/// What `index.html`'s early worker said before the page took it over.
#[derive(Debug, Default, Clone, Copy)]
struct EarlyState {
    ready: bool,
    warm: bool,
    failed: bool,
}

/// The global under which `index.html` leaves the worker it started (see there).
const EARLY_WORKER: &str = "tracaggEarlyWorker";

/// Takes the worker `index.html` started while the page's wasm was still loading, with what
/// it has said so far (its `tracaggState`: "ready", "warm" or "failed").
fn take_early_worker() -> Option<(Worker, EarlyState)> {
    let window = web_sys::window()?;
    let key = JsValue::from_str(EARLY_WORKER);
    let value = js_sys::Reflect::get(&window, &key).ok()?;
    let _ = js_sys::Reflect::delete_property(&window, &key);
    let worker = value.dyn_into::<Worker>().ok()?;
    let said = js_sys::Reflect::get(&worker, &JsValue::from_str("tracaggState"))
        .ok()
        .and_then(|state| state.as_string())
        .unwrap_or_default();
    let state = EarlyState {
        ready: said == "ready" || said == "warm",
        warm: said == "warm",
        failed: said == "failed",
    };
    Some((worker, state))
}

/// A prepared worker, or a new one (a request can be posted to it while it starts).
fn take_worker() -> Result<Worker, WorkerFailure> {
    let prepared = WARM.with(|warm| {
        let mut warm = warm.borrow_mut();
        // The readiest first: warm, then ready, then still starting.
        let at = warm
            .iter()
            .position(|w| w.warm.get() && !w.failed.get())
            .or_else(|| warm.iter().position(|w| w.ready.get() && !w.failed.get()))
            .unwrap_or(0);
        (!warm.is_empty()).then(|| warm.remove(at))
    });
    if let Some(warm) = prepared {
        if warm.failed.get() {
            warm.worker.terminate();
            return Err(WorkerFailure::Unavailable(
                "the worker script did not load".to_string(),
            ));
        }
        return Ok(warm.worker.clone());
    }
    spawn_worker().map_err(|e| WorkerFailure::Unavailable(format!("{e:?}")))
}

/// A second prepared worker that is ready now (a cold one would start too late to help).
fn take_ready_peer() -> Option<Worker> {
    WARM.with(|warm| {
        let mut warm = warm.borrow_mut();
        let at = warm.iter().position(|w| w.ready.get() && !w.failed.get())?;
        Some(warm.remove(at).worker)
    })
}

/// The worker script's address, next to the page (works under any sub-path).
fn script_url(name: &str) -> Result<String, JsValue> {
    let base = web_sys::window().ok_or("no window")?.location().href()?;
    Ok(Url::new_with_base(name, &base)?.href())
}

fn spawn_worker() -> Result<Worker, JsValue> {
    let js = script_url("tracagg-worker.js")?;
    let wasm = script_url("tracagg-worker_bg.wasm")?;
    // A classic worker from a blob: the wasm-bindgen "no-modules" loader needs importScripts.
    // Messages that come before its wasm has started wait in `tracaggEarly` (the worker takes
    // them first): a file can be posted to a worker that is still starting.
    let source = format!(
        "self.tracaggEarly = []; self.onmessage = function (event) {{ self.tracaggEarly.push(event.data); }}; \
         importScripts({js:?}); wasm_bindgen({{ module_or_path: {wasm:?} }});"
    );
    let parts = js_sys::Array::of1(&JsValue::from_str(&source));
    let options = BlobPropertyBag::new();
    options.set_type("text/javascript");
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = Url::create_object_url_with_blob(&blob)?;
    let worker = Worker::new(&url);
    let _ = Url::revoke_object_url(&url);
    worker
}

/// Reads, parses and builds `file` in a worker; returns the encoded traces (see
/// [`assemble`]), still in the buffer the worker transferred. `on_progress` hears the stage
/// the worker is in (`parsing`) and the fraction done when known.
pub async fn parse_in_worker(
    file: &File,
    on_progress: impl Fn(&str, Option<f64>) + 'static,
) -> Result<js_sys::Uint8Array, WorkerFailure> {
    if let Some(job) = super::early::take_early_job(file) {
        return super::early::adopt(job, on_progress).await;
    }
    let worker = take_worker()?;
    let peer = (file.size() >= split::MIN_SPLIT_BYTES as f64)
        .then(take_ready_peer)
        .flatten();
    let on_progress = Rc::new(on_progress);
    // A split load shows both workers' progress as one line.
    let combined = Rc::new(RefCell::new(CombinedProgress::default()));
    let show = {
        let on_progress = Rc::clone(&on_progress);
        let combined = Rc::clone(&combined);
        move |from_peer: bool, stage: String, done: Option<f64>| {
            let line = combined
                .borrow_mut()
                .update(usize::from(from_peer), stage, done);
            if let Some((stage, done)) = line {
                on_progress(&stage, done);
            }
        }
    };
    // What the first worker is sent: the file, or its half and its end of the channel.
    let (request, transfer) = match &peer {
        Some(peer) => match split_request(file, peer) {
            Ok(first) => first,
            Err(_) => (JsValue::from(file.clone()), js_sys::Array::new()),
        },
        None => (JsValue::from(file.clone()), js_sys::Array::new()),
    };
    let peer_handlers = peer.as_ref().map(|peer| {
        let show = show.clone();
        let message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if let Some((stage, done)) = progress_of(&event.data()) {
                show(true, stage, done);
            }
        });
        let first = worker.clone();
        let error = Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
            event.prevent_default();
            let _ = first.post_message(&JsValue::from_str("peer-failed"));
        });
        peer.set_onmessage(Some(message.as_ref().unchecked_ref()));
        peer.set_onerror(Some(error.as_ref().unchecked_ref()));
        (message, error)
    });
    let posting = worker.clone();
    // When the request was posted (`timeOrigin + now()`), for the timings.
    let posted_at = Rc::new(Cell::new(0.0));
    let mut on_message: Option<Closure<dyn FnMut(MessageEvent)>> = None;
    let mut on_error: Option<Closure<dyn FnMut(ErrorEvent)>> = None;
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let show = show.clone();
        let (split_peer, combined) = (peer.clone(), Rc::clone(&combined));
        let message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let data = event.data();
            if data.as_string().as_deref() == Some(FIRST_WORKER_ALONE) {
                if let Some(peer) = &split_peer {
                    peer.terminate();
                }
                combined.borrow_mut().forget(1);
            } else if matches!(data.as_string().as_deref(), Some("ready" | "warm")) {
                // Its start-up; the request was posted already (a starting worker keeps it).
            } else if let Some((stage, done)) = progress_of(&data) {
                show(false, stage, done);
            } else {
                let _ = resolve.call1(&JsValue::NULL, &data);
            }
        });
        let fail = reject.clone();
        let error = Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
            event.prevent_default();
            let _ = fail.call1(&JsValue::NULL, &JsValue::from_str(&event.message()));
        });
        posting.set_onmessage(Some(message.as_ref().unchecked_ref()));
        posting.set_onerror(Some(error.as_ref().unchecked_ref()));
        posted_at.set(epoch_now());
        if let Err(error) = posting.post_message_with_transfer(&request, &transfer) {
            let _ = reject.call1(&JsValue::NULL, &error);
        }
        on_message = Some(message);
        on_error = Some(error);
        CURRENT.with(|current| {
            *current.borrow_mut() = Some(Job {
                worker: posting.clone(),
                peer: peer.clone(),
                reject,
            });
        });
    });
    let outcome = JsFuture::from(promise).await;
    mark("tracagg: worker replied");
    worker.terminate();
    mark("tracagg: worker ended");
    worker.set_onmessage(None);
    worker.set_onerror(None);
    if let Some(peer) = &peer {
        peer.terminate();
        peer.set_onmessage(None);
        peer.set_onerror(None);
    }
    drop((on_message, on_error, peer_handlers));
    let was_current = CURRENT.with(|current| current.borrow_mut().take().is_some());
    let reply = match outcome {
        Ok(reply) => reply,
        // `cancel_worker_load` took the job and rejected with `undefined`.
        Err(reason) if reason.is_undefined() && !was_current => {
            return Err(WorkerFailure::Cancelled)
        }
        // An error before any reply: the worker script did not load or crashed.
        Err(reason) => {
            return Err(WorkerFailure::Unavailable(
                reason.as_string().unwrap_or_else(|| format!("{reason:?}")),
            ))
        }
    };
    unpack_reply(&reply, posted_at.get())
}

/// A worker's final reply (`[true, Uint8Array, timings]` or `[false, sentence]`) as the
/// encoded traces or the failure; `posted_at` is when the request was posted (for the
/// timings). Also starts the next worker a little later.
pub(super) fn unpack_reply(
    reply: &JsValue,
    posted_at: f64,
) -> Result<js_sys::Uint8Array, WorkerFailure> {
    // The next worker starts a little later, not while the page renders what was just loaded
    // (its start-up would compete for the CPU).
    if let Some(window) = web_sys::window() {
        let later = Closure::once_into_js(prepare_worker);
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(later.unchecked_ref(), 1500);
    }
    let reply = js_sys::Array::from(reply);
    let ok = reply.get(0).as_bool().unwrap_or(false);
    let payload = reply.get(1);
    if let Some(timings) = reply.get(2).as_string() {
        web_sys::console::debug_1(&JsValue::from_str(&format!(
            "tracagg worker: {}",
            describe_hand_overs(&timings, posted_at, epoch_now())
        )));
    }
    if ok {
        mark("tracagg: reply unpacked");
        // The worker sent a Uint8Array: take it as it is (`new Uint8Array(it)` would copy).
        Ok(payload.unchecked_into::<js_sys::Uint8Array>())
    } else {
        Err(WorkerFailure::Failed(
            payload
                .as_string()
                .unwrap_or_else(|| "the worker failed".to_string()),
        ))
    }
}

/// The page's clock as the workers read it too (`timeOrigin + now()`, ms).
pub(super) fn epoch_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.time_origin() + p.now())
}

/// The worker's timings with its `; epoch RECEIVED REPLIED` suffix turned into how long the
/// request took to reach it and the reply to come back.
fn describe_hand_overs(timings: &str, posted: f64, replied_seen: f64) -> String {
    let Some((text, epochs)) = timings.split_once("; epoch ") else {
        return timings.to_string();
    };
    let mut epochs = epochs.split(' ').filter_map(|t| t.parse::<f64>().ok());
    match (epochs.next(), epochs.next()) {
        (Some(received), Some(replied)) => format!(
            "{text}; the request reached it after {:.0} ms, the reply came back after {:.0} ms",
            received - posted,
            replied_seen - replied
        ),
        _ => text.to_string(),
    }
}

/// Where a split file is cut, as a share of its size. The first worker takes a little more:
/// the second's part must also be encoded, sent and taken over before the first can build
/// (at 0.5 the first waited up to ~20 ms for it, at 0.56 the second up to ~30 ms for the
/// first, of ~70 ms per half at 100,000 spans).
const FIRST_HALF_SHARE: f64 = 0.52;

/// Sends `peer` its half of `file` and returns the first half's request for the other worker
/// with what to transfer along (its end of the channel between the two).
fn split_request(file: &File, peer: &Worker) -> Result<(JsValue, js_sys::Array), JsValue> {
    let channel = MessageChannel::new()?;
    let from = JsValue::from_f64((file.size() * FIRST_HALF_SHARE).floor());
    let second = js_sys::Array::of4(&"second".into(), file, &from, &channel.port2());
    peer.post_message_with_transfer(&second, &js_sys::Array::of1(&channel.port2()))?;
    let first = js_sys::Array::of4(&"first".into(), file, &from, &channel.port1());
    Ok((first.into(), js_sys::Array::of1(&channel.port1())))
}

/// The stage and fraction of a `["progress", stage, fraction]` message.
pub(super) fn progress_of(data: &JsValue) -> Option<(String, Option<f64>)> {
    if !js_sys::Array::is_array(data) {
        return None;
    }
    let message = js_sys::Array::from(data);
    if message.get(0).as_string().as_deref() != Some("progress") {
        return None;
    }
    Some((message.get(1).as_string()?, message.get(2).as_f64()))
}

/// Cancels the load running in a worker, if any.
pub fn cancel_worker_load() {
    CANCELS.with(|count| count.set(count.get().wrapping_add(1)));
    if let Some(job) = CURRENT.with(|current| current.borrow_mut().take()) {
        job.worker.terminate();
        if let Some(peer) = &job.peer {
            peer.terminate();
        }
        let _ = job.reject.call1(&JsValue::NULL, &JsValue::UNDEFINED);
    }
}

/// Decodes what a worker sent, frame by frame (see `core::handover`), letting the browser run
/// between frames so that no task blocks the page for long, however large the file. Stops with
/// `Cancelled` when [`cancel_worker_load`] is called meanwhile.
pub async fn assemble(
    encoded: &js_sys::Uint8Array,
    on_progress: impl Fn(f64),
) -> Result<BuiltFile, WorkerFailure> {
    assemble_in_slices(encoded, SLICE_MS, on_progress).await
}

/// [`assemble`], giving the browser a turn whenever `slice_ms` have passed since the last one
/// (0: after every frame).
pub async fn assemble_in_slices(
    encoded: &js_sys::Uint8Array,
    slice_ms: f64,
    on_progress: impl Fn(f64),
) -> Result<BuiltFile, WorkerFailure> {
    let cancels = CANCELS.with(Cell::get);
    let failed = WorkerFailure::Failed;
    let clock = web_sys::window().and_then(|w| w.performance());
    let now = move || clock.as_ref().map_or(0.0, |p| p.now());
    let len = encoded.length() as usize;
    let mut assembler = Assembler::new();
    let mut offset = 0usize;
    let mut slice_started = now();
    let mut frame = Vec::new();
    while offset < len {
        let mut prefix = [0u8; 4];
        if offset + 4 > len {
            return Err(failed("a cut frame length".to_string()));
        }
        encoded
            .subarray(offset as u32, offset as u32 + 4)
            .copy_to(&mut prefix);
        let (start, end) =
            frame_at(len, offset, prefix).ok_or_else(|| failed("a cut frame".to_string()))?;
        frame.resize(end - start, 0);
        encoded
            .subarray(start as u32, end as u32)
            .copy_to(&mut frame);
        assembler.feed(&frame).map_err(failed)?;
        offset = end;
        if now() - slice_started >= slice_ms {
            on_progress(offset as f64 / len as f64);
            yield_to_browser().await;
            if CANCELS.with(Cell::get) != cancels {
                return Err(WorkerFailure::Cancelled);
            }
            slice_started = now();
        }
    }
    assembler.finish().map_err(failed)
}

/// The longest run of frame decoding before the browser gets a turn (ms). One frame takes a
/// few milliseconds, so tasks stay well under the 50 ms the browser counts as long.
const SLICE_MS: f64 = 30.0;

/// Lets the browser run other tasks (input, rendering) before continuing.
pub async fn yield_to_browser() {
    sleep_ms(0).await;
}

/// Waits `ms` milliseconds without blocking the page (a browser timer).
pub async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Sets a User Timing mark (read by `benches/web_load.mjs`).
pub(super) fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}
