//! The application shell: page-wide drop zone, toolbar, notices and the trace list.
use leptos::html::Div;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_use::{use_drop_zone_with_options, UseDropZoneOptions, UseDropZoneReturn};

use crate::core::model::TraceSet;
use crate::core::view_model::ViewState;
use crate::source::storage::file_from_bytes;
use crate::source::{cancel_downloads, cancel_worker_load, prepare_worker, sleep_ms};
use crate::ui::compare::scoring::keep_scored;
use crate::ui::parts;
use crate::ui::shell::file_picker::FilePicker;
use crate::ui::shell::notices::Notices;
use crate::ui::shell::routing::{navigate, query_urls, write_location};
use crate::ui::shell::session::{restore_session, KeptSize, RestoredLine};
use crate::ui::shell::theme::ThemeToggle;
use crate::ui::shell::trace_list::TraceList;
use crate::ui::state::{AppState, NoticeLevel};
use crate::ui::widgets::lazy::Lazy;
use crate::ui::widgets::name::Name;

/// The load's stage and a bar: filled to the fraction done when the stage knows it, sliding
/// otherwise.
#[component]
fn LoadProgress(progress: RwSignal<Option<(String, Option<f64>)>>) -> impl IntoView {
    let done = move || progress.with(|p| p.as_ref().and_then(|(_, done)| *done));
    let percent = move || done().map(|d| (d * 100.0).clamp(0.0, 100.0).floor());
    view! {
        <span class="load-stage" data-testid="load-stage">{move || {
            progress.with(|p| match p {
                Some((stage, Some(done))) => format!("{stage} {:.0}%", (done * 100.0).floor()),
                Some((stage, None)) => stage.clone(),
                None => String::new(),
            })
        }}</span>
        <span class="progress" class:determinate=move || done().is_some() role="progressbar"
            aria-label="Loading" aria-valuemin="0" aria-valuemax="100"
            aria-valuenow=move || percent().map(|p| p.to_string())>
            <span style:width=move || percent().map(|p| format!("{p}%"))></span>
        </span>
    }
}

/// The app. Its first run only puts an empty frame up and builds the page in the next browser
/// task: instantiating the page's wasm and building the page were one task of ~90–200 ms at
/// start-up, and are two shorter ones this way (`index.html`'s start screen shows meanwhile).
#[component]
pub fn App() -> impl IntoView {
    let ready = true_in_next_task();
    move || ready.get().then(|| view! { <Page/> })
}

/// The whole page, built in two browser tasks: the toolbar (hidden), then the main part, when
/// it replaces the start screen. As one task it took 60–78 ms at start-up, most of that the
/// browser compiling wasm functions on their first call.
#[component]
fn Page() -> impl IntoView {
    crate::ui::mark("tracagg: page build");
    let state = AppState::new();
    provide_context(state);
    // Start the parsing worker now, so its wasm is compiled before the first file arrives, and
    // run the trace page once off-screen for the same reason.
    Effect::new(move |_| prepare_worker());
    keep_scored(state);
    // Files dropped while the page was starting, then the files kept from the last visit,
    // then those the link names.
    // The page is built in two tasks (see `shell_built`); the start screen stays until the
    // second, which takes the files dropped on it.
    let shell_built = RwSignal::new(false);
    set_timeout(
        move || {
            crate::ui::mark("tracagg: page main");
            let early = take_boot_screen();
            shell_built.set(true);
            if !early.is_empty() {
                state.load_files(early);
            }
            restore_session(state, move || open_linked_files(state));
        },
        std::time::Duration::ZERO,
    );
    // A linked trace's page starts in a third task, the one after the above (it was 40–85 ms
    // with the second).
    let linked_trace_started = true_in_next_task();
    set_timeout(
        move || spawn_local(preload_parts(state)),
        std::time::Duration::from_millis(300),
    );

    let page = NodeRef::<Div>::new();
    let UseDropZoneReturn {
        is_over_drop_zone, ..
    } = use_drop_zone_with_options(
        page,
        UseDropZoneOptions::default().on_drop(move |event| state.load_files(event.files)),
    );

    // The demo is made by code downloaded on this click, then read by the worker like a file.
    let load_demo = move |_| {
        spawn_local(async move {
            let made = parts::demo_traces()
                .await
                .map_err(|missing| missing.to_string());
            match made.and_then(|text| {
                file_from_bytes("demo-traces.jsonl", text.as_bytes()).map_err(|e| e.describe())
            }) {
                Ok(file) => state.load_file_list(vec![file], true).await,
                Err(why) => state.notify(NoticeLevel::Error, format!("The demo: {why}")),
            }
        })
    };
    let clear = move |_: ()| {
        // A download under way stops (and the addresses after it are not fetched); a load under
        // way (a restore of many files) stops, and what it was reading is not added.
        crate::ui::state::count_clear();
        cancel_downloads();
        cancel_worker_load();
        // The files opened by address go from the link too.
        state.route.update(|r| r.files.clear());
        write_location(&state.route.get_untracked(), false);
        state.update_traces(TraceSet::clear);
        state.notices.update(Vec::clear);
        state.backend_links.set(None);
        state.selected.update(std::collections::BTreeSet::clear);
        state.logs.set(crate::ui::widgets::shared::Shared::new(
            crate::core::logs::LogStore::new(),
        ));
        state.forget_kept();
    };
    let clear = Callback::new(clear);
    let is_empty = move || state.traces.with(TraceSet::is_empty);
    let open_trace = Memo::new(move |_| state.route.with(|r| r.trace.clone()));
    let backend_open = RwSignal::new(state.route.with_untracked(|r| r.backend.is_some()));
    let has_something = move || !is_empty() || state.backend_links.with(Option::is_some);
    let on_services = Memo::new(move |_| state.route.with(|r| r.services));
    let on_quality = Memo::new(move |_| state.route.with(|r| r.quality));
    let on_baselines = Memo::new(move |_| state.route.with(|r| r.baselines));
    let comparing = Memo::new(move |_| state.route.with(|r| r.compare.clone()));

    view! {
        <div class="page" node_ref=page data-testid="page" style:display=move || (!shell_built.get()).then_some("none")>
            <header class="topbar">
                <h1 class="brand">"tracagg"</h1>
                <span class="tagline">"Trace files stay in your browser: nothing is uploaded."</span>
                <div class="actions">
                    <FilePicker on_files=Callback::new(move |files| state.load_files(files))/>
                    <button class="button" class:active-toggle=move || backend_open.get() data-testid="toggle-backend"
                        title="Search a Jaeger, Tempo or Zipkin server"
                        on:click=move |_| backend_open.update(|open| *open = !*open)>"Connect…"</button>
                    <OpenUrl/>
                    <button class="button" data-testid="load-demo" on:click=load_demo>"Load demo"</button>
                    <Show when=has_something>
                        <button class="button subtle" data-testid="clear" on:click=move |_| clear.run(())
                            title="Remove the loaded traces, and the copies this browser keeps for your next visit">"Clear"</button>
                    </Show>
                    <Show when=move || state.restored.with(Option::is_none)>
                        <KeptSize/>
                    </Show>
                    <ThemeToggle/>
                </div>
            </header>
            <Show when=move || backend_open.get()>
                <Lazy load=parts::backend_panel/>
            </Show>
            <RestoredLine clear/>
            <Notices/>
            <Show when=move || { state.pending.get() > 0 }>
                <div class="pending" data-testid="pending">
                    <span>{move || {
                        let current = state.loading.get().unwrap_or_default();
                        match state.pending.get() {
                            1 => format!("Loading {current}…"),
                            n => format!("Loading {current}… ({} more queued)", n.saturating_sub(1)),
                        }
                    }}</span>
                    <LoadProgress progress=state.progress/>
                    <button class="button small" data-testid="cancel-load" on:click=move |_| { cancel_downloads(); cancel_worker_load(); }>"Cancel"</button>
                </div>
            </Show>
            <main>
                <Show when=move || shell_built.get()>
                {move || open_trace.get().filter(|_| linked_trace_started.get()).map(|trace_id| view! { <Lazy load=move || parts::trace_page(trace_id.clone())/> })}
                <Show when=move || open_trace.with(Option::is_none) && has_something()>
                    <ViewTabs/>
                </Show>
                <Show when=move || open_trace.with(Option::is_none)>
                <Show when=move || !has_something() fallback=move || view! {
                    {move || match comparing.get() {
                        Some((a, b)) => view! { <Lazy load=move || parts::compare_view(a.clone(), b.clone())/> }.into_any(),
                        None => view! {
                            <Show when=move || on_baselines.get() fallback=move || view! {
                                <Show when=move || on_quality.get() fallback=move || view! {
                                    <Show when=move || on_services.get() fallback=|| view! { <TraceList/> }>
                                        <Lazy load=parts::services_view/>
                                    </Show>
                                }>
                                    <Lazy load=parts::quality_view/>
                                </Show>
                            }>
                                <Lazy load=parts::baselines_view/>
                            </Show>
                        }.into_any(),
                    }}
                }>
                    <section class="welcome" data-testid="drop-zone">
                        <p class="drop-title">"Drop trace JSON here"</p>
                        <p class="drop-hint">"…anywhere on this page, or use “Open files”. Several files at once are fine: spans of one trace spread over files are merged."</p>
                        <ul class="formats">
                            <li><b>"Jaeger"</b>" — query API responses, Jaeger UI downloads, span arrays"</li>
                            <li><b>"OpenTelemetry / Tempo"</b>" — OTLP JSON, Jaeger api_v3, Tempo v1/v2, collector file-exporter JSON lines"</li>
                            <li><b>"Zipkin"</b>" — v2 span arrays and trace lists"</li>
                        </ul>
                        <p class="drop-hint">"No file at hand? “Load demo” opens a sample web shop's traces."</p>
                    </section>
                </Show>
                </Show>
                </Show>
            </main>
            // Uses the trace page's font faces once at start-up, so the first trace opened
            // does not wait for the system to load them (measurable on a cold machine).
            <div class="font-warm-up" aria-hidden="true"><b>"Ag"</b><code>"Ag"</code><kbd>"Ag"</kbd><small>"Ag"</small></div>
            <Show when=move || is_over_drop_zone.get()>
                <div class="drop-overlay" data-testid="drop-overlay">"Drop to load"</div>
            </Show>
        </div>
    }
}

/// A flag that turns true in the next browser task (each such flag in a task of its own, in
/// the order they were made): to build the page in several short tasks.
fn true_in_next_task() -> RwSignal<bool> {
    let flag = RwSignal::new(false);
    set_timeout(move || flag.set(true), std::time::Duration::ZERO);
    flag
}

/// Downloads the page's other parts (`ui::parts`) once nothing is loading, so that the views a
/// person opens next are there at once: first the trace page, which also renders itself once
/// off-screen when nothing is loaded yet, then the others. The person's first file never
/// waits for these: they start after it has loaded.
async fn preload_parts(state: AppState) {
    while state.pending.try_get_untracked().unwrap_or(0) > 0 {
        sleep_ms(250).await;
    }
    if let Ok(warm_up) = parts::warm_up_trace(state).await {
        warm_up.await;
    }
    // A failed download is retried when the part is opened; nothing to say here.
    let _ = parts::preload_services().await;
    let _ = parts::preload_backend().await;
}

/// Removes `index.html`'s start-up screen (the app now draws the page) and returns the files
/// dropped on it while the app was starting.
fn take_boot_screen() -> Vec<web_sys::File> {
    let window = window();
    let _ = js_sys::Reflect::set(&window, &"tracaggStarted".into(), &true.into());
    if let Some(boot) = document().get_element_by_id("boot") {
        boot.remove();
    }
    let key = wasm_bindgen::JsValue::from_str("tracaggEarlyFiles");
    let files = js_sys::Reflect::get(&window, &key).unwrap_or_default();
    let _ = js_sys::Reflect::delete_property(&window, &key);
    if !js_sys::Array::is_array(&files) {
        return Vec::new();
    }
    js_sys::Array::from(&files)
        .iter()
        .filter_map(|file| wasm_bindgen::JsCast::dyn_into::<web_sys::File>(file).ok())
        .collect()
}

/// Which view the tabs show.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Traces,
    Services,
    Quality,
    Baselines,
}

/// Tabs between the trace list, the services view and the Quality view, and the service filter
/// the first two share.
#[component]
fn ViewTabs() -> impl IntoView {
    let state = expect_context::<AppState>();
    let current = move || {
        state.route.with(|r| {
            if r.baselines {
                Tab::Baselines
            } else if r.quality {
                Tab::Quality
            } else if r.services {
                Tab::Services
            } else {
                Tab::Traces
            }
        })
    };
    let go = move |tab: Tab| {
        let (service, filter) = state
            .route
            .with_untracked(|r| (r.service.clone(), r.filter.clone()));
        navigate(
            state.route,
            ViewState {
                services: tab == Tab::Services,
                quality: tab == Tab::Quality,
                baselines: tab == Tab::Baselines,
                service,
                filter,
                ..ViewState::default()
            },
            true,
        );
    };
    let trace_count = move || state.traces.with(TraceSet::len);
    let filter = move || state.route.with(|r| r.service.clone());
    view! {
        <nav class="view-tabs" data-testid="view-tabs">
            <button class="tab" class:active=move || current() == Tab::Traces data-testid="tab-traces" on:click=move |_| go(Tab::Traces)>
                {move || format!("Traces ({})", trace_count())}
            </button>
            <button class="tab" class:active=move || current() == Tab::Services data-testid="tab-services" on:click=move |_| go(Tab::Services)>"Services"</button>
            <button class="tab" class:active=move || current() == Tab::Quality data-testid="tab-quality"
                title="Check the instrumentation: lost context, bad times, names, errors, secrets, conventions"
                on:click=move |_| go(Tab::Quality)>"Quality"</button>
            <button class="tab" class:active=move || current() == Tab::Baselines data-testid="tab-baselines"
                title="Baselines: what normal looks like, and the traces that differ from it"
                on:click=move |_| go(Tab::Baselines)>{move || match state.scores.with(|b| b.as_ref().map(|b| b.anomalous())) {
                    Some(n) if n > 0 => format!("Baselines ({n} anomalous)"),
                    _ => "Baselines".to_string(),
                }}</button>
            {move || filter().map(|service| view! {
                <span class="filter-chip" data-testid="service-filter">
                    "Service: " <b><Name text=service/></b>
                    <button class="dismiss" title="Show all services" data-testid="clear-service-filter"
                        on:click=move |_| {
                            let current = state.route.get_untracked();
                            navigate(state.route, ViewState { service: None, ..current }, true);
                        }>"×"</button>
                </span>
            })}
        </nav>
    }
}

/// Opens the trace files the link names (`#url=…`, and `?url=…` as Perfetto's links do), once
/// at start-up; `?url=` addresses move into the fragment so that the link keeps them.
fn open_linked_files(state: AppState) {
    let from_query = query_urls();
    let mut files = state.route.with_untracked(|r| r.files.clone());
    for url in from_query {
        if !files.contains(&url) {
            files.push(url);
        }
    }
    if files.is_empty() {
        return;
    }
    let current = state.route.get_untracked();
    if current.files != files {
        navigate(
            state.route,
            ViewState {
                files: files.clone(),
                ..current
            },
            false,
        );
    }
    state.open_urls(files);
}

/// "Open URL…": a trace file's address; it is downloaded (no credentials are sent), loaded like
/// a dropped file, and kept in the link so that it reopens the same view for someone else.
#[component]
fn OpenUrl() -> impl IntoView {
    let state = expect_context::<AppState>();
    let open = RwSignal::new(false);
    let address = RwSignal::new(String::new());
    let submit = move || {
        let url = address.get_untracked().trim().to_string();
        if url.is_empty() {
            return;
        }
        let current = state.route.get_untracked();
        let mut files = current.files.clone();
        if !files.contains(&url) {
            files.push(url.clone());
        }
        navigate(state.route, ViewState { files, ..current }, false);
        state.open_urls(vec![url]);
        address.set(String::new());
        open.set(false);
    };
    view! {
        <Show when=move || open.get() fallback=move || view! {
            <button class="button" data-testid="open-url" title="Load a trace file from a web address (the server must allow this page to read it)"
                on:click=move |_| open.set(true)>"Open URL…"</button>
        }>
            <form class="open-url" on:submit=move |ev| { ev.prevent_default(); submit(); }>
                <input type="url" placeholder="https://…/trace.json" data-testid="open-url-input" autofocus=true
                    prop:value=address on:input=move |ev| address.set(event_target_value(&ev))/>
                <button class="button primary" type="submit" data-testid="open-url-go">"Open"</button>
                <button class="button subtle" type="button" on:click=move |_| open.set(false)>"Cancel"</button>
            </form>
        </Show>
    }
}
