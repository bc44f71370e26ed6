//! The application shell: page-wide drop zone, toolbar, notices and the trace list.
use leptos::html::Div;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_use::{use_drop_zone_with_options, UseDropZoneOptions, UseDropZoneReturn};

use super::backend_panel::BackendPanel;
use super::file_picker::FilePicker;
use super::notices::{Notice, NoticeLevel, Notices};
use super::routing::{navigate, use_route};
use super::services_view::ServicesView;
use super::trace_list::TraceList;
use super::trace_page::{warm_up_trace_page, TracePage};
use crate::core::backend::BackendDependency;
use crate::core::demo::demo_otlp_json_lines;
use crate::core::load::add_built;
use crate::core::load::{load_into, load_into_with_ids};
use std::sync::{Arc, Weak};

use crate::core::analysis::TraceAnalysis;
use crate::core::model::{Trace, TraceSet};
use crate::core::view_model::ViewState;
use crate::source::{
    assemble, cancel_worker_load, parse_in_worker, prepare_worker, read_file_bytes,
    yield_to_browser, WorkerFailure,
};

/// Runs `f` between two User Timing marks and records a measure named `name` (visible in the
/// browser's performance tools and read by `benches/web_load.mjs`).
pub fn timed<T>(name: &str, f: impl FnOnce() -> T) -> T {
    mark(&format!("{name} start"));
    let value = f();
    mark_end_and_measure(name);
    value
}

/// Sets a User Timing mark.
fn mark(name: &str) {
    if let Some(p) = window().performance() {
        let _ = p.mark(name);
    }
}

/// Marks `"{name} end"` and measures from `"{name} start"` to it (see [`timed`]).
fn mark_end_and_measure(name: &str) {
    let (start, end) = (format!("{name} start"), format!("{name} end"));
    mark(&end);
    if let Some(p) = window().performance() {
        let _ = p.measure_with_start_mark_and_end_mark(name, &start, &end);
    }
}

/// A file size for people: `412 KB`, `38.5 MB`.
fn format_bytes(bytes: f64) -> String {
    if bytes >= 1e9 {
        format!("{:.2} GB", bytes / 1e9)
    } else if bytes >= 1e6 {
        format!("{:.1} MB", bytes / 1e6)
    } else {
        format!("{:.0} KB", (bytes / 1e3).max(1.0))
    }
}

/// Shared app state, provided through context.
#[derive(Clone, Copy)]
pub struct AppState {
    /// Every loaded trace.
    pub traces: RwSignal<TraceSet>,
    /// Messages about loads: what loaded, and what failed and why.
    pub notices: RwSignal<Vec<Notice>>,
    /// Files still being read.
    pub pending: RwSignal<usize>,
    /// What the address bar says is open (see `routing`).
    pub route: RwSignal<ViewState>,
    /// The file being loaded now, for the progress line.
    pub loading: RwSignal<Option<String>>,
    /// What the load is doing (`parsing`) and the fraction done when known.
    pub progress: RwSignal<Option<(String, Option<f64>)>>,
    /// Service dependency links a connected backend reported, with where they came from.
    pub backend_links: RwSignal<Option<(String, Vec<BackendDependency>)>>,
    /// Analyses computed by the worker along with their traces (a trace is recognised by
    /// identity; `Weak` keeps a dropped trace's address from being reused while listed).
    pub analyses: StoredValue<Vec<(Weak<Trace>, Arc<TraceAnalysis>)>>,
}

impl AppState {
    fn new() -> Self {
        Self {
            traces: RwSignal::new(TraceSet::new()),
            notices: RwSignal::new(Vec::new()),
            pending: RwSignal::new(0),
            route: use_route(),
            loading: RwSignal::new(None),
            progress: RwSignal::new(None),
            backend_links: RwSignal::new(None),
            analyses: StoredValue::new(Vec::new()),
        }
    }

    /// The worker's analysis of `trace`, if it is the trace the worker built.
    pub fn cached_analysis(&self, trace: &Arc<Trace>) -> Option<Arc<TraceAnalysis>> {
        self.analyses.with_value(|list| {
            list.iter()
                .find(|(weak, _)| std::ptr::eq(weak.as_ptr(), Arc::as_ptr(trace)))
                .map(|(_, analysis)| Arc::clone(analysis))
        })
    }

    /// The analysis of `trace`: the worker's, or computed now (and kept for next time).
    pub fn analysis_of(&self, trace: &Arc<Trace>) -> Arc<TraceAnalysis> {
        if let Some(done) = self.cached_analysis(trace) {
            return done;
        }
        let analysis = Arc::new(crate::core::analysis::analyze_trace(trace));
        self.analyses.update_value(|list| {
            list.retain(|(weak, _)| weak.strong_count() > 0);
            list.push((Arc::downgrade(trace), Arc::clone(&analysis)));
        });
        analysis
    }

    /// Parses `bytes` as the file `name` and adds its traces; on error nothing loaded is lost.
    pub fn load_bytes(&self, name: &str, bytes: &[u8]) {
        let result = self.traces.try_update(|set| load_into(set, name, bytes));
        match result {
            Some(Ok(report)) => self.notify(NoticeLevel::Info, report.describe()),
            Some(Err(error)) => self.notify(NoticeLevel::Error, error.to_string()),
            None => {}
        }
    }

    /// Parses a backend's answer `bytes` (named `name` in the load log) and adds its traces;
    /// returns the IDs of the traces it held, or why it could not be read. On error nothing
    /// loaded is lost.
    pub fn load_bytes_with_ids(&self, name: &str, bytes: &[u8]) -> Result<Vec<String>, String> {
        let result = self
            .traces
            .try_update(|set| load_into_with_ids(set, name, bytes));
        match result {
            Some(Ok((report, ids))) => {
                self.notify(NoticeLevel::Info, report.describe());
                Ok(ids)
            }
            Some(Err(error)) => Err(error.to_string()),
            None => Ok(Vec::new()),
        }
    }

    /// Adds traces a worker parsed and built (see `source::parse_in_worker`). Decoding runs
    /// in short slices and adding in a task of its own, so that neither blocks the page.
    async fn load_built(&self, name: &str, encoded: js_sys::Uint8Array) {
        mark("tracagg: hand-over waits");
        yield_to_browser().await;
        let measure = "tracagg: decode traces";
        mark(&format!("{measure} start"));
        let progress = self.progress;
        progress.set(Some(("opening".to_string(), Some(0.0))));
        let decoded = assemble(&encoded, move |done| {
            progress.set(Some(("opening".to_string(), Some(done))))
        })
        .await;
        mark_end_and_measure(measure);
        drop(encoded);
        yield_to_browser().await;
        match decoded {
            Ok(built) => {
                let added =
                    timed("tracagg: add traces", || {
                        let mut kept = Vec::new();
                        let report = self.traces.try_update_untracked(|set| {
                            let (report, analyses) = add_built(set, name, built);
                            kept = analyses;
                            report
                        });
                        self.analyses.update_value(|list| {
                            list.retain(|(weak, _)| weak.strong_count() > 0);
                            list.extend(kept.into_iter().map(|(trace, analysis)| {
                                (Arc::downgrade(&trace), Arc::new(analysis))
                            }));
                        });
                        self.traces.notify();
                        report
                    });
                if let Some(report) = added {
                    self.notify(NoticeLevel::Info, report.describe());
                }
            }
            Err(WorkerFailure::Cancelled) => {
                self.notify(NoticeLevel::Info, format!("{name}: loading cancelled"));
            }
            Err(WorkerFailure::Failed(error) | WorkerFailure::Unavailable(error)) => self.notify(
                NoticeLevel::Error,
                format!("{name}: could not decode the parsed traces: {error}"),
            ),
        }
    }

    /// Loads files one after the other, each parsed in a Web Worker so the page stays
    /// responsive (on the page itself when no worker can start). Cancelling stops the file
    /// being loaded; files already loaded stay.
    pub fn load_files(&self, files: Vec<web_sys::File>) {
        if files.is_empty() {
            return;
        }
        let state = *self;
        state.pending.update(|n| *n += files.len());
        spawn_local(async move {
            for file in files {
                let name = file.name();
                state
                    .loading
                    .set(Some(format!("{name} ({})", format_bytes(file.size()))));
                let progress = state.progress;
                progress.set(None);
                let on_progress = move |stage: &str, done: Option<f64>| {
                    progress.set(Some((stage.to_string(), done)));
                };
                match parse_in_worker(&file, on_progress).await {
                    Ok(encoded) => state.load_built(&name, encoded).await,
                    Err(WorkerFailure::Cancelled) => {
                        state.notify(NoticeLevel::Info, format!("{name}: loading cancelled"));
                    }
                    Err(WorkerFailure::Failed(message)) => {
                        state.notify(NoticeLevel::Error, message);
                    }
                    Err(WorkerFailure::Unavailable(why)) => {
                        leptos::logging::warn!("no worker ({why}); parsing {name} on the page");
                        match read_file_bytes(&file).await {
                            Ok(bytes) => state.load_bytes(&name, &bytes),
                            Err(error) => {
                                state.notify(NoticeLevel::Error, format!("{name}: {error}"))
                            }
                        }
                    }
                }
                state.loading.set(None);
                state.progress.set(None);
                state.pending.update(|n| *n = n.saturating_sub(1));
            }
        });
    }

    /// Adds a notice.
    pub fn notify(&self, level: NoticeLevel, text: String) {
        self.notices.update(|list| {
            let id = list.last().map_or(0, |n| n.id + 1);
            list.push(Notice { id, level, text });
        });
    }
}

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

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);
    // Start the parsing worker now, so its wasm is compiled before the first file arrives, and
    // run the trace page once off-screen for the same reason.
    Effect::new(move |_| prepare_worker());
    set_timeout(
        move || spawn_local(warm_up_trace_page(state)),
        std::time::Duration::from_millis(300),
    );

    let page = NodeRef::<Div>::new();
    let UseDropZoneReturn {
        is_over_drop_zone, ..
    } = use_drop_zone_with_options(
        page,
        UseDropZoneOptions::default().on_drop(move |event| state.load_files(event.files)),
    );

    let load_demo =
        move |_| state.load_bytes("demo-traces.jsonl", demo_otlp_json_lines().as_bytes());
    let clear = move |_| {
        state.traces.update(TraceSet::clear);
        state.notices.update(Vec::clear);
        state.backend_links.set(None);
    };
    let is_empty = move || state.traces.with(TraceSet::is_empty);
    let open_trace = Memo::new(move |_| state.route.with(|r| r.trace.clone()));
    let backend_open = RwSignal::new(state.route.with_untracked(|r| r.backend.is_some()));
    let has_something = move || !is_empty() || state.backend_links.with(Option::is_some);
    let on_services = Memo::new(move |_| state.route.with(|r| r.services));

    view! {
        <div class="page" node_ref=page data-testid="page">
            <header class="topbar">
                <h1 class="brand">"tracagg"</h1>
                <span class="tagline">"Trace files stay in your browser: nothing is uploaded."</span>
                <div class="actions">
                    <FilePicker on_files=Callback::new(move |files| state.load_files(files))/>
                    <button class="button" class:active-toggle=move || backend_open.get() data-testid="toggle-backend"
                        title="Search a Jaeger, Tempo or Zipkin server"
                        on:click=move |_| backend_open.update(|open| *open = !*open)>"Connect…"</button>
                    <button class="button" data-testid="load-demo" on:click=load_demo>"Load demo"</button>
                    <Show when=has_something>
                        <button class="button subtle" data-testid="clear" on:click=clear>"Clear"</button>
                    </Show>
                </div>
            </header>
            <Show when=move || backend_open.get()>
                <BackendPanel/>
            </Show>
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
                    <button class="button small" data-testid="cancel-load" on:click=move |_| cancel_worker_load()>"Cancel"</button>
                </div>
            </Show>
            <main>
                {move || open_trace.get().map(|trace_id| view! { <TracePage trace_id/> })}
                <Show when=move || open_trace.with(Option::is_none) && has_something()>
                    <ViewTabs/>
                </Show>
                <Show when=move || open_trace.with(Option::is_none)>
                <Show when=move || !has_something() fallback=move || view! {
                    <Show when=move || on_services.get() fallback=|| view! { <TraceList/> }>
                        <ServicesView/>
                    </Show>
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

/// Tabs between the trace list and the services view, and the service filter they share.
#[component]
fn ViewTabs() -> impl IntoView {
    let state = expect_context::<AppState>();
    let on_services = move || state.route.with(|r| r.services);
    let go = move |services: bool| {
        let service = state.route.with_untracked(|r| r.service.clone());
        navigate(
            state.route,
            ViewState {
                services,
                service,
                ..ViewState::default()
            },
            true,
        );
    };
    let trace_count = move || state.traces.with(TraceSet::len);
    let filter = move || state.route.with(|r| r.service.clone());
    view! {
        <nav class="view-tabs" data-testid="view-tabs">
            <button class="tab" class:active=move || !on_services() data-testid="tab-traces" on:click=move |_| go(false)>
                {move || format!("Traces ({})", trace_count())}
            </button>
            <button class="tab" class:active=on_services data-testid="tab-services" on:click=move |_| go(true)>"Services"</button>
            {move || filter().map(|service| view! {
                <span class="filter-chip" data-testid="service-filter">
                    "Service: " <b>{service}</b>
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
