//! The Web Worker that loads files off the main thread (see `src/source/worker.rs` for the
//! protocol). Trunk builds it to `tracagg-worker.js` + `tracagg-worker_bg.wasm`.
//!
//! A worker reads a whole file, or — for a large Jaeger API response — one half of it while
//! a peer worker reads the other (`core::format::split`): the second half's worker hands its
//! spans to the first's over a `MessagePort`, which joins, builds and replies to the page.
#[cfg(target_arch = "wasm32")]
mod job {
    use std::cell::{Cell, RefCell};

    use tracagg::core::format::split;
    use tracagg::core::load::{
        merge_and_encode, parse_and_encode_with_progress, LoadStage, ProgressThrottle,
    };
    use tracagg::source::{read_file_range, FIRST_WORKER_ALONE as ALONE, WORKER_READ_SLICE};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{DedicatedWorkerGlobalScope, File, MessageEvent, MessagePort};

    /// The least time between two progress messages of one stage (ms).
    const PROGRESS_GAP_MS: f64 = 100.0;

    thread_local! {
        /// Resolves the first half's wait for its peer (with `undefined` when the page says
        /// the peer failed).
        static PEER_WAIT: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
    }

    /// What the page asked for.
    pub enum Request {
        /// Read all of the file.
        Whole(File),
        /// Read the first half (cut after `from`) and join the peer's half.
        First(File, usize, MessagePort),
        /// Read the second half (cut after `from`) and send it to the peer.
        Second(File, usize, MessagePort),
    }

    impl Request {
        /// The request in a page message: a `File`, or `[role, File, from, port]`.
        pub fn from_message(data: &JsValue) -> Option<Self> {
            if let Some(file) = data.dyn_ref::<File>() {
                return Some(Self::Whole(file.clone()));
            }
            if !js_sys::Array::is_array(data) {
                return None;
            }
            let parts = js_sys::Array::from(data);
            let file = parts.get(1).dyn_into::<File>().ok()?;
            let from = parts.get(2).as_f64()? as usize;
            let port = parts.get(3).dyn_into::<MessagePort>().ok()?;
            match parts.get(0).as_string()?.as_str() {
                "first" => Some(Self::First(file, from, port)),
                "second" => Some(Self::Second(file, from, port)),
                _ => None,
            }
        }
    }

    /// The page says the peer failed: stop waiting for it.
    pub fn peer_failed() {
        if let Some(resolve) = PEER_WAIT.with(|wait| wait.borrow_mut().take()) {
            let _ = resolve.call1(&JsValue::NULL, &JsValue::UNDEFINED);
        }
    }

    /// Clock and progress messages of one job.
    struct Progress {
        scope: DedicatedWorkerGlobalScope,
        throttle: ProgressThrottle,
        /// When building began.
        building_ms: Cell<f64>,
    }

    impl Progress {
        fn now(&self) -> f64 {
            self.scope.performance().map_or(0.0, |p| p.now())
        }

        /// `["progress", stage, fraction or null]`: the page's progress line, ten times a
        /// second at most.
        fn report(&mut self, stage: LoadStage) {
            let at = self.now();
            if stage == LoadStage::Building {
                self.building_ms.set(at);
            }
            if !self.throttle.should_send(stage, at) {
                return;
            }
            let (label, done) = stage.describe();
            let message = js_sys::Array::of3(
                &JsValue::from_str("progress"),
                &JsValue::from_str(label),
                &done.map_or(JsValue::NULL, JsValue::from_f64),
            );
            let _ = self.scope.post_message(&message);
        }
    }

    /// Runs `request` and replies to the page (or, for a second half, to the peer), then
    /// closes the worker.
    pub async fn run(scope: DedicatedWorkerGlobalScope, request: Request) {
        // When the request arrived and the reply left, on the clock the page shares
        // (`timeOrigin + now()`), for the page's account of the hand-overs.
        let epoch = |scope: &DedicatedWorkerGlobalScope| {
            scope
                .performance()
                .map_or(0.0, |p| p.time_origin() + p.now())
        };
        let received = epoch(&scope);
        let mut progress = Progress {
            scope: scope.clone(),
            throttle: ProgressThrottle::new(PROGRESS_GAP_MS),
            building_ms: Cell::new(0.0),
        };
        match request {
            Request::Whole(file) => {
                let started = progress.now();
                let result = whole(&file, &mut progress).await;
                let timings = timings(&progress, started, result.1, "");
                let timings = format!("{timings}; epoch {received} {}", epoch(&scope));
                reply(&scope, result.0, &timings);
            }
            Request::First(file, from, port) => {
                let started = progress.now();
                let (result, read_ms, peer) = first_half(&file, from, port, &mut progress).await;
                let timings = timings(&progress, started, read_ms, &peer);
                let timings = format!("{timings}; epoch {received} {}", epoch(&scope));
                reply(&scope, result, &timings);
            }
            Request::Second(file, from, port) => {
                second_half(&file, from, &port, &mut progress).await
            }
        }
        // Tear down here, on the worker's own thread, rather than in the page's terminate().
        scope.close();
    }

    /// `read … ms, parse … ms, build+analyse+encode … ms` for the bench's breakdown.
    fn timings(progress: &Progress, started: f64, read_ms: f64, peer: &str) -> String {
        let read = started + read_ms;
        let built = progress.building_ms.get().max(read);
        format!(
            "read {read_ms:.0} ms, parse {:.0} ms{peer}, build+analyse+encode {:.0} ms",
            built - read,
            progress.now() - built
        )
    }

    /// Reads and loads the whole file: the encoded traces or the error, and the read time.
    async fn whole(file: &File, progress: &mut Progress) -> (Result<Vec<u8>, String>, f64) {
        let name = file.name();
        let started = progress.now();
        progress.report(LoadStage::Reading(0.0));
        let reading = read_file_range(file, 0.0, file.size(), WORKER_READ_SLICE, |done| {
            progress.report(LoadStage::Reading(done))
        })
        .await;
        let read_ms = progress.now() - started;
        let result = match reading {
            Ok(bytes) => {
                parse_and_encode_with_progress(&name, &bytes, &mut |stage| progress.report(stage))
            }
            Err(error) => Err(format!("{name}: {error}")),
        };
        (result, read_ms)
    }

    /// The first half: read up to the cut, parse, wait for the peer's half, join. Falls back
    /// to the whole file whenever the halves do not work out.
    async fn first_half(
        file: &File,
        from: usize,
        port: MessagePort,
        progress: &mut Progress,
    ) -> (Result<Vec<u8>, String>, f64, String) {
        let name = file.name();
        let started = progress.now();
        // Listen for the peer at once: its half may arrive while this one is parsed.
        let waiting = js_sys::Promise::new(&mut |resolve, _| {
            let on_peer = Closure::once_into_js({
                let resolve = resolve.clone();
                move |event: MessageEvent| {
                    let _ = resolve.call1(&JsValue::NULL, &event.data());
                }
            });
            port.set_onmessage(Some(on_peer.unchecked_ref()));
            PEER_WAIT.with(|wait| *wait.borrow_mut() = Some(resolve));
        });
        // Other formats are read whole at once (rather than after half of them).
        let head = read_file_range(file, 0.0, 64.0, 64.0, |_| {}).await;
        let Some(shape) = head.ok().and_then(|head| split::shape_of(&head)) else {
            let why = "not a Jaeger API response, OTLP document or Zipkin span array";
            return in_one_piece(file, &port, progress, why).await;
        };
        // Progress is told as a share of the whole file: the page adds up both workers'.
        let size = file.size().max(1.0);
        let end = from + split::CUT_WINDOW + split::CUT_LOOKAHEAD;
        let read_share = (end as f64).min(size) / size;
        progress.report(LoadStage::Reading(0.0));
        let read = read_file_range(file, 0.0, end as f64, WORKER_READ_SLICE, |done| {
            progress.report(LoadStage::Reading(done * read_share))
        })
        .await;
        let read_ms = progress.now() - started;
        let cut = read
            .ok()
            .and_then(|bytes| Some((split::find_cut(&bytes, 0, from, shape)?, bytes)));
        let Some((cut, mut bytes)) = cut else {
            return in_one_piece(file, &port, progress, "no place to cut").await;
        };
        bytes.truncate(cut.at);
        bytes.extend_from_slice(cut.first_half_end());
        let share = cut.at as f64 / size;
        progress.report(LoadStage::Parsing(0.0));
        let first = split::parse_half(&name, &bytes, &cut, &mut |done| {
            progress.report(LoadStage::Parsing(done * share))
        });
        drop(bytes);
        let parsed_ms = progress.now();
        let first_ms = parsed_ms - started - read_ms;
        let answer = wasm_bindgen_futures::JsFuture::from(waiting).await.ok();
        port.close();
        let waited_ms = progress.now() - parsed_ms;
        let decoding_ms = progress.now();
        let mut peer_timings = String::new();
        let second = answer.and_then(|answer| {
            let answer = js_sys::Array::from(&answer);
            peer_timings = answer.get(2).as_string().unwrap_or_default();
            if answer.get(0).as_bool() != Some(true) {
                return None;
            }
            let bytes = answer
                .get(1)
                .dyn_into::<js_sys::Uint8Array>()
                .ok()?
                .to_vec();
            split::decode_half(&bytes).ok()
        });
        let peer = format!(
            " (in two halves: the first {first_ms:.0} ms, then {waited_ms:.0} ms waiting for the \
             second ({peer_timings}) and {:.0} ms taking it over)",
            progress.now() - decoding_ms
        );
        if let (Some(first), Some(second)) = (first, second) {
            let joined = merge_and_encode(&name, first, second, &cut, &mut |stage| {
                progress.report(stage)
            });
            if let Some(result) = joined {
                return (result, read_ms, peer);
            }
        }
        in_one_piece(file, &port, progress, "the halves did not join").await
    }

    /// The first half's way out: stop listening to the peer and read the whole file, saying
    /// why in the timings.
    async fn in_one_piece(
        file: &File,
        port: &MessagePort,
        progress: &mut Progress,
        why: &str,
    ) -> (Result<Vec<u8>, String>, f64, String) {
        port.close();
        // The page stops the peer (its half is of no use now; it would take a core from this
        // read) and leaves its progress out of the line.
        let _ = progress.scope.post_message(&JsValue::from_str(ALONE));
        let (result, read_ms) = whole(file, progress).await;
        (result, read_ms, format!(" (in one piece: {why})"))
    }

    /// The second half: read from `from`, parse from the cut on, send it to the peer
    /// (`[true, bytes]`, or `[false, why]`).
    async fn second_half(file: &File, from: usize, port: &MessagePort, progress: &mut Progress) {
        let name = file.name();
        let started = progress.now();
        let head = read_file_range(file, 0.0, 64.0, 64.0, |_| {}).await;
        let mut read_ms = 0.0;
        let mut parsed_ms = 0.0;
        let answer = js_sys::Array::new();
        let shape = head.ok().and_then(|head| split::shape_of(&head));
        let half = if let Some(shape) = shape {
            // Progress as a share of the whole file (see `first_half`).
            let size = file.size().max(1.0);
            let read_share = 1.0 - from as f64 / size;
            // From a little before `from`: those bytes make room for the half's opening.
            let buffer_at = from.saturating_sub(split::SECOND_HALF_HEADROOM);
            let buffer = read_file_range(file, buffer_at as f64, size, WORKER_READ_SLICE, |done| {
                progress.report(LoadStage::Reading(done * read_share))
            })
            .await;
            read_ms = progress.now() - started;
            let half = buffer.ok().and_then(|mut buffer| {
                let cut = split::find_cut(&buffer, buffer_at, from, shape)?;
                let start = split::place_second_half(&mut buffer, cut.at - buffer_at, &cut)?;
                let share = 1.0 - cut.at as f64 / size;
                split::parse_half(&name, buffer.get(start..)?, &cut, &mut |done| {
                    progress.report(LoadStage::Parsing(done * share))
                })
            });
            parsed_ms = progress.now() - started - read_ms;
            half
        } else {
            None
        };
        let posted = match half.map(|half| split::encode_half(&half)) {
            Some(Ok(encoded)) => {
                let buffer = js_sys::Uint8Array::from(encoded.as_slice());
                answer.push(&JsValue::TRUE);
                answer.push(&buffer);
                answer.push(&JsValue::from_str(&format!(
                    "it read {read_ms:.0} ms, parsed {parsed_ms:.0} ms, encoded {:.0} ms",
                    progress.now() - started - read_ms - parsed_ms
                )));
                port.post_message_with_transferable(&answer, &js_sys::Array::of1(&buffer.buffer()))
            }
            _ => {
                answer.push(&JsValue::FALSE);
                port.post_message(&answer)
            }
        };
        if let Err(error) = posted {
            web_sys::console::error_1(&error);
        }
    }

    /// `[true, Uint8Array, timings]` or `[false, "error sentence"]` to the page.
    fn reply(scope: &DedicatedWorkerGlobalScope, result: Result<Vec<u8>, String>, timings: &str) {
        let reply = js_sys::Array::new();
        let posted = match result {
            Ok(encoded) => {
                let buffer = js_sys::Uint8Array::from(encoded.as_slice());
                reply.push(&JsValue::TRUE);
                reply.push(&buffer);
                reply.push(&JsValue::from_str(timings));
                drop(encoded);
                scope.post_message_with_transfer(&reply, &js_sys::Array::of1(&buffer.buffer()))
            }
            Err(message) => {
                reply.push(&JsValue::FALSE);
                reply.push(&JsValue::from_str(&message));
                scope.post_message(&reply)
            }
        };
        if let Err(error) = posted {
            web_sys::console::error_1(&error);
        }
    }
}

/// The name of the array in which the worker's loader script (`index.html`, and
/// `source::worker::spawn_worker`) keeps the messages that arrive before this wasm has started.
#[cfg(target_arch = "wasm32")]
const EARLY_MESSAGES: &str = "tracaggEarly";

#[cfg(target_arch = "wasm32")]
fn main() {
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let replier = scope.clone();
    let take = move |data: JsValue| {
        if data.as_string().as_deref() == Some("peer-failed") {
            job::peer_failed();
            return;
        }
        let Some(request) = job::Request::from_message(&data) else {
            return;
        };
        // The file goes first: the warm-up stops at its next step.
        warm::stop();
        wasm_bindgen_futures::spawn_local(job::run(replier.clone(), request));
    };
    // What the page posted while this wasm was loading: the worker's loader script kept it in
    // `tracaggEarly` (a file dropped at page load is posted at once, not when "ready" is seen).
    // Taken before the handler is set, in this same task: no message can come in between.
    let key = JsValue::from_str(EARLY_MESSAGES);
    if let Ok(early) =
        js_sys::Reflect::get(&scope, &key).and_then(|early| early.dyn_into::<js_sys::Array>())
    {
        early.iter().for_each(&take);
    }
    let _ = js_sys::Reflect::delete_property(&scope, &key);
    let on_message =
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| take(event.data()));
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    // Ready at once: a file sent now is parsed now, on code not yet optimised, rather than
    // queued behind the warm-up (a file dropped at page load waited ~0.8 s for it).
    if let Err(error) = scope.post_message(&JsValue::from_str("ready")) {
        web_sys::console::error_1(&error);
    }
    wasm_bindgen_futures::spawn_local(warm::run(scope));
}

/// Runs the parsers on generated traces once the worker is ready, in steps with a turn of the
/// worker's event loop between them, and says "warm" when done. The browser compiles wasm
/// functions lazily, first with a quick baseline compiler, and only optimises those that have
/// run a while: without this the first 100,000-span file parsed at about half speed (a parse
/// in Node's V8 took 300 ms cold, 150 ms after this). A request that arrives meanwhile stops
/// it (the page sends the next file to a worker that is still warming up only when none is
/// warm). ~0.3 s of one core, with the format seen most (Jaeger) run longest.
#[cfg(target_arch = "wasm32")]
mod warm {
    use std::cell::Cell;

    use tracagg::core::generate::{write_trace, GenFormat};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen_futures::JsFuture;
    use web_sys::DedicatedWorkerGlobalScope;

    thread_local! {
        /// A request arrived: warm no more.
        static STOPPED: Cell<bool> = const { Cell::new(false) };
    }

    /// Stops the warm-up before its next step.
    pub fn stop() {
        STOPPED.with(|stopped| stopped.set(true));
    }

    fn stopped() -> bool {
        STOPPED.with(Cell::get)
    }

    /// One turn of the worker's event loop, so that a waiting request is taken first.
    async fn turn(scope: &DedicatedWorkerGlobalScope) {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            let _ = scope.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        });
        let _ = JsFuture::from(promise).await;
    }

    /// The warm-up's steps, then "warm". Each step is one parse of 1,500–2,500 spans (up to
    /// ~40 ms cold): a file that arrives meanwhile waits for one step at most (steps of 5,000
    /// spans took up to 110 ms on a cold start).
    pub async fn run(scope: DedicatedWorkerGlobalScope) {
        for (format, spans, runs) in [
            (GenFormat::Jaeger, 2_500, 6),
            (GenFormat::Otlp, 1_500, 4),
            (GenFormat::Zipkin, 1_500, 4),
        ] {
            turn(&scope).await;
            if stopped() {
                return;
            }
            let mut sample = Vec::new();
            if write_trace(&mut sample, spans, format, 7).is_err() {
                continue;
            }
            for _ in 0..runs {
                turn(&scope).await;
                if stopped() {
                    return;
                }
                let _ = tracagg::core::load::parse_and_encode("warm-up.json", &sample);
            }
            for _ in 0..3 {
                turn(&scope).await;
                if stopped() {
                    return;
                }
                super::warm_up_halves(&sample);
            }
        }
        if !stopped() {
            let _ = scope.post_message(&JsValue::from_str("warm"));
        }
    }
}

/// Runs the two-halves path (see `core::format::split`) on `sample`: cut, read each half, hand
/// one over as bytes, join.
#[cfg(target_arch = "wasm32")]
fn warm_up_halves(sample: &[u8]) {
    use tracagg::core::format::split;
    let Some(cut) = split::shape_of(sample)
        .and_then(|shape| split::find_cut(sample, 0, sample.len() / 2, shape))
    else {
        return;
    };
    let (Some(before), Some(after)) = (sample.get(..cut.at), sample.get(cut.at + 1..)) else {
        return;
    };
    let mut first = before.to_vec();
    first.extend_from_slice(cut.first_half_end());
    let mut second = cut.second_half_start().into_bytes();
    second.extend_from_slice(after);
    {
        let halves = (
            split::parse_half("warm-up.json", &first, &cut, &mut |_| {}),
            split::parse_half("warm-up.json", &second, &cut, &mut |_| {})
                .and_then(|half| split::encode_half(&half).ok())
                .and_then(|bytes| split::decode_half(&bytes).ok()),
        );
        if let (Some(first), Some(second)) = halves {
            let _ = tracagg::core::load::merge_and_encode(
                "warm-up.json",
                first,
                second,
                &cut,
                &mut |_| {},
            );
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("tracagg-worker is the browser app's Web Worker; it only runs in a browser.");
}
