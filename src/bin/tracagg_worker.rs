//! The Web Worker that loads files off the main thread (see `src/source/worker.rs` for the
//! protocol). Trunk builds it to `tracagg-worker.js` + `tracagg-worker_bg.wasm`.
#[cfg(target_arch = "wasm32")]
fn main() {
    use tracagg::core::load::{parse_and_encode_with_progress, LoadStage, ProgressThrottle};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{DedicatedWorkerGlobalScope, File, MessageEvent};

    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let replier = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let scope = replier.clone();
        let Ok(file) = event.data().dyn_into::<File>() else {
            return;
        };
        wasm_bindgen_futures::spawn_local(async move {
            let name = file.name();
            let clock = scope.performance();
            let now = move || clock.as_ref().map_or(0.0, |p| p.now());
            let started = now();
            let mut timings = String::new();
            let progress = scope.clone();
            // When building began, for the timings.
            let building = std::rc::Rc::new(std::cell::Cell::new(0.0));
            let building_at = building.clone();
            let clock_at = scope.performance();
            // ["progress", stage, fraction or null]: the page's progress line, ten times a
            // second at most.
            let mut throttle = ProgressThrottle::new(PROGRESS_GAP_MS);
            let mut report = move |stage: LoadStage| {
                let at = clock_at.as_ref().map_or(0.0, |p| p.now());
                if stage == LoadStage::Building {
                    building_at.set(at);
                }
                if !throttle.should_send(stage, at) {
                    return;
                }
                let (label, done) = stage.describe();
                let message = js_sys::Array::of3(
                    &JsValue::from_str("progress"),
                    &JsValue::from_str(label),
                    &done.map_or(JsValue::NULL, JsValue::from_f64),
                );
                let _ = progress.post_message(&message);
            };
            report(LoadStage::Reading(0.0));
            let reading = tracagg::source::read_file_bytes_in_worker(&file, |done| {
                report(LoadStage::Reading(done))
            })
            .await;
            let result = match reading {
                Ok(bytes) => {
                    let read = now();
                    let encoded = parse_and_encode_with_progress(&name, &bytes, &mut report);
                    let built = building.get().max(read);
                    timings = format!(
                        "read {:.0} ms, parse {:.0} ms, build+analyse+encode {:.0} ms",
                        read - started,
                        built - read,
                        now() - built
                    );
                    encoded
                }
                Err(error) => Err(format!("{name}: {error}")),
            };
            let reply = js_sys::Array::new();
            let posted = match result {
                Ok(encoded) => {
                    let buffer = js_sys::Uint8Array::from(encoded.as_slice());
                    reply.push(&JsValue::TRUE);
                    reply.push(&buffer);
                    reply.push(&JsValue::from_str(&timings));
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
            // Tear down here, on the worker's own thread, rather than in the page's terminate().
            scope.close();
        });
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    warm_up();
    if let Err(error) = scope.post_message(&JsValue::from_str("ready")) {
        web_sys::console::error_1(&error);
    }
}

/// The least time between two progress messages of one stage (ms).
#[cfg(target_arch = "wasm32")]
const PROGRESS_GAP_MS: f64 = 100.0;

/// Runs the parsers on generated traces before saying "ready". The browser compiles wasm
/// functions lazily, first with a quick baseline compiler, and only optimises those that have
/// run a while: without this the first 100,000-span file parsed at about half speed (a parse
/// in Node's V8 took 300 ms cold, 150 ms after this). Runs at page load, before the user's
/// file arrives (~0.3 s of one core), with the format seen most (Jaeger) run longest.
#[cfg(target_arch = "wasm32")]
fn warm_up() {
    use tracagg::core::generate::{write_trace, GenFormat};
    for (format, spans, runs) in [
        (GenFormat::Jaeger, 5_000, 3),
        (GenFormat::Otlp, 3_000, 2),
        (GenFormat::Zipkin, 3_000, 2),
    ] {
        let mut sample = Vec::new();
        if write_trace(&mut sample, spans, format, 7).is_ok() {
            for _ in 0..runs {
                let _ = tracagg::core::load::parse_and_encode("warm-up.json", &sample);
            }
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("tracagg-worker is the browser app's Web Worker; it only runs in a browser.");
}
