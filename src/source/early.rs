//! A file dropped or picked on `index.html`'s start screen, before the page's own wasm has
//! started: the start screen's script hands it to the worker it started at once, and keeps
//! what the worker says in `window.tracaggEarlyJob` (`{file, worker, messages}`). When the page
//! then loads that file, it takes the job over ([`adopt`]) instead of parsing it again, so the
//! file is parsed while the page itself starts.
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ErrorEvent, File, MessageEvent, Worker};

use super::worker::{epoch_now, mark, progress_of, unpack_reply, Job, WorkerFailure, CURRENT};

/// The global the start screen leaves the job in.
const EARLY_JOB: &str = "tracaggEarlyJob";

/// A job the start screen began: its worker and what the worker has said so far.
pub struct EarlyJob {
    worker: Worker,
    messages: js_sys::Array,
    /// When the file was posted to the worker (`timeOrigin + now()`), for the timings.
    posted: f64,
    /// The worker failed before the page took the job over (its script did not load).
    failed: bool,
}

/// The start screen began a job the page has not taken over yet (no other worker should
/// warm up meanwhile: the job has the CPU).
pub fn early_job_running() -> bool {
    web_sys::window()
        .and_then(|window| js_sys::Reflect::get(&window, &JsValue::from_str(EARLY_JOB)).ok())
        .is_some_and(|job| !job.is_undefined() && !job.is_null())
}

/// The start screen's job for `file`, if it began one for this very file (it is then no
/// longer offered).
pub fn take_early_job(file: &File) -> Option<EarlyJob> {
    let window = web_sys::window()?;
    let key = JsValue::from_str(EARLY_JOB);
    let job = js_sys::Reflect::get(&window, &key).ok()?;
    if job.is_undefined() || job.is_null() {
        return None;
    }
    let same = js_sys::Reflect::get(&job, &"file".into())
        .ok()
        .is_some_and(|f| js_sys::Object::is(&f, file));
    if !same {
        return None;
    }
    let _ = js_sys::Reflect::delete_property(&window, &key);
    let worker = js_sys::Reflect::get(&job, &"worker".into())
        .ok()?
        .dyn_into::<Worker>()
        .ok()?;
    let messages = js_sys::Reflect::get(&job, &"messages".into())
        .ok()?
        .dyn_into::<js_sys::Array>()
        .ok()?;
    let posted = js_sys::Reflect::get(&job, &"posted".into())
        .ok()
        .and_then(|p| p.as_f64())
        .unwrap_or_else(epoch_now);
    let failed = js_sys::Reflect::get(&job, &"failed".into())
        .ok()
        .and_then(|f| f.as_bool())
        .unwrap_or(false);
    Some(EarlyJob {
        worker,
        messages,
        posted,
        failed,
    })
}

/// The job's message and error handlers, kept until it is over.
type Handlers = (
    Closure<dyn FnMut(MessageEvent)>,
    Closure<dyn FnMut(ErrorEvent)>,
);

/// Waits for the start screen's job as `parse_in_worker` waits for its own: the progress said
/// so far and from now on goes to `on_progress`, the reply is unpacked the same way, and Cancel
/// stops it.
pub async fn adopt(
    job: EarlyJob,
    on_progress: impl Fn(&str, Option<f64>) + 'static,
) -> Result<js_sys::Uint8Array, WorkerFailure> {
    let EarlyJob {
        worker,
        messages,
        posted,
        failed,
    } = job;
    mark("tracagg: early job taken");
    if failed {
        // The page then parses the file itself.
        worker.terminate();
        return Err(WorkerFailure::Unavailable(
            "the worker started with the page failed".to_string(),
        ));
    }
    let on_progress = Rc::new(on_progress);
    let mut handlers: Option<Handlers> = None;
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        // A progress message goes to `on_progress`, the reply (an array) ends the wait.
        let show = Rc::clone(&on_progress);
        let done = resolve.clone();
        let take = move |message: &JsValue| {
            if let Some((stage, fraction)) = progress_of(message) {
                show(&stage, fraction);
            } else if js_sys::Array::is_array(message) {
                let _ = done.call1(&JsValue::NULL, message);
            }
        };
        // What it said before the page was there (the last progress, maybe the reply).
        for message in messages.iter() {
            take(&message);
        }
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            take(&event.data());
        });
        let fail = reject.clone();
        let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
            event.prevent_default();
            let _ = fail.call1(&JsValue::NULL, &JsValue::from_str(&event.message()));
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        handlers = Some((on_message, on_error));
        CURRENT.with(|current| {
            *current.borrow_mut() = Some(Job {
                worker: worker.clone(),
                peer: None,
                reject,
            });
        });
    });
    let outcome = JsFuture::from(promise).await;
    mark("tracagg: worker replied");
    worker.terminate();
    worker.set_onmessage(None);
    worker.set_onerror(None);
    drop(handlers);
    let was_current = CURRENT.with(|current| current.borrow_mut().take().is_some());
    match outcome {
        Ok(reply) => unpack_reply(&reply, posted),
        Err(reason) if reason.is_undefined() && !was_current => Err(WorkerFailure::Cancelled),
        Err(reason) => Err(WorkerFailure::Unavailable(
            reason.as_string().unwrap_or_else(|| format!("{reason:?}")),
        )),
    }
}
