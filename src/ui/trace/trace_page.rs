//! The page of one trace: header, toolbar, minimap, waterfall and span detail, with keyboard
//! shortcuts and the selected span and search kept in the address bar.
use std::cell::Cell;

use leptos::prelude::*;
use leptos::web_sys::KeyboardEvent;
use wasm_bindgen::JsCast;

use crate::core::model::{SpanIdx, Trace};
use crate::core::view_model::{CollapseState, TimeWindow, ViewState};
use crate::source::yield_to_browser;
use crate::ui::agent::agent_tab::{use_genai, AgentTab};
use crate::ui::shell::routing::navigate;
use crate::ui::state::AppState;
use crate::ui::trace::help_overlay::HelpOverlay;
use crate::ui::trace::minimap::Minimap;
use crate::ui::trace::span_detail::SpanDetailPanel;
use crate::ui::trace::timeline::Timeline;
use crate::ui::trace::trace_baseline::TraceBaseline;
use crate::ui::trace::trace_flamegraph::TraceFlamegraph;
use crate::ui::trace::trace_graph::{TraceGraph, TraceTab};
use crate::ui::trace::trace_header::TraceHeader;
use crate::ui::trace::trace_logs::TraceLogs;
use crate::ui::trace::trace_statistics::TraceStatistics;
use crate::ui::trace::trace_toolbar::TraceToolbar;
use crate::ui::trace::trace_view::TraceView;
use crate::ui::trace::trace_vs_baseline::TraceVsBaseline;
use crate::ui::widgets::shared::Shared;

thread_local! {
    /// A trace page has been drawn whole once (or the start-up warm-up has drawn one): its
    /// code is compiled, so later pages draw in one go.
    static FIRST_SHOWN: Cell<bool> = const { Cell::new(false) };
}

/// The trace page for the trace `trace_id` (which may not be loaded yet).
#[component]
pub fn TracePage(
    /// The trace to show.
    trace_id: String,
    /// Show this trace instead, without touching the address bar or the keyboard: used to
    /// render the page once, off-screen, at start-up (see `warm_up_trace_page`).
    #[prop(optional)]
    preview: Option<Shared<Trace>>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let id = trace_id.clone();
    let is_preview = preview.is_some();
    let loaded = Signal::derive(move || match &preview {
        Some(trace) => Some(trace.clone()),
        None => state
            .traces
            .with(|set| set.get(&id).map(|t| Shared(t.clone()))),
    });
    let view = TraceView::provide(loaded, is_preview);
    let tab = RwSignal::new(TraceTab::Timeline);
    let genai = use_genai(view);
    // The first trace shown before the start-up warm-up has run (a file dropped at once) has
    // its waterfall drawn one browser task after the header: on code the browser has not
    // compiled yet, the whole page was one task of 60–70 ms.
    let body_ready = RwSignal::new(is_preview || FIRST_SHOWN.with(Cell::get));
    if !body_ready.get_untracked() {
        Effect::new(move |_| {
            if view.trace.with(Option::is_some) && !body_ready.get_untracked() {
                set_timeout(
                    move || {
                        FIRST_SHOWN.with(|shown| shown.set(true));
                        let _ = body_ready.try_set(true);
                    },
                    std::time::Duration::ZERO,
                );
            }
        });
    }
    // A trace that is mostly GenAI spans opens on its Agent tab (unless the person turned that
    // off); once per trace.
    if !is_preview {
        Effect::new(move |opened_for: Option<Option<String>>| {
            let current = view.trace.with(|t| t.as_ref().map(|t| t.trace_id.clone()));
            let already = opened_for.flatten();
            if current.is_some() && current != already {
                let agent_first = view.trace.with_untracked(|t| {
                    let summary = genai.get_untracked();
                    matches!((t, summary), (Some(t), Some(s)) if crate::core::analysis::genai::mostly_ai(t, &s))
                });
                if agent_first
                    && state.agent_first.get_untracked()
                    && view.selected.get_untracked().is_none()
                {
                    tab.set(TraceTab::Agent);
                }
            }
            current.or(already)
        });
    }
    if is_preview {
        // Run the paths a person uses first: a selection, a search, error paths.
        view.selected.set(Some(SpanIdx(1)));
        view.search.set("GET".to_string());
        view.error_mode.set(true);
    } else {
        sync_with_route(state, view, trace_id.clone());
        let keys = window_event_listener(leptos::ev::keydown, move |event| on_key(view, &event));
        on_cleanup(move || keys.remove());
    }

    // A new trace (or its adjusted version) starts with the whole time range; the selected
    // span is found again by its ID (adjustment may reorder siblings).
    Effect::new(move |previous: Option<Option<Shared<Trace>>>| {
        let current = view.trace.get();
        if let Some(trace) = &current {
            view.window.set(TimeWindow::full(trace.duration_ns()));
            if let (Some(Some(old)), Some(idx)) = (&previous, view.selected.get_untracked()) {
                let span_id = old.span(idx).map(|s| old.str(s.span_id).to_string());
                let again = span_id.and_then(|id| find_span(trace, &id));
                view.collapse.set(CollapseState::expanded());
                view.selected.set(again);
            }
        }
        current
    });

    // Back to the trace list, keeping its service filter.
    let back = move |_| {
        let (service, filter) = state
            .route
            .with_untracked(|r| (r.service.clone(), r.filter.clone()));
        navigate(
            state.route,
            ViewState {
                service,
                filter,
                ..ViewState::default()
            },
            true,
        );
    };
    let missing_id = trace_id.clone();
    view! {
        <section class="trace-page" data-testid="trace-page">
            <button class="button subtle back" data-testid="back" on:click=back>"← All traces"</button>
            <Show
                when=move || view.trace.with(Option::is_some)
                fallback=move || view! {
                    <p class="not-loaded" data-testid="trace-not-loaded">
                        {format!("Trace {missing_id} is not loaded. Drop the file that holds it on this page to open it.")}
                    </p>
                }
            >
                <TraceHeader/>
                <TraceBaseline/>
                <nav class="view-tabs trace-tabs" data-testid="trace-tabs">
                    <button class="tab" class:active=move || tab.get() == TraceTab::Timeline data-testid="tab-timeline" on:click=move |_| tab.set(TraceTab::Timeline)>"Timeline"</button>
                    <button class="tab" class:active=move || tab.get() == TraceTab::Graph data-testid="tab-graph" on:click=move |_| tab.set(TraceTab::Graph)>"Graph"</button>
                    <button class="tab" class:active=move || tab.get() == TraceTab::Statistics data-testid="tab-statistics" on:click=move |_| tab.set(TraceTab::Statistics)>"Statistics"</button>
                    <button class="tab" class:active=move || tab.get() == TraceTab::Flamegraph data-testid="tab-flamegraph" on:click=move |_| tab.set(TraceTab::Flamegraph)>"Flamegraph"</button>
                    <button class="tab" class:active=move || tab.get() == TraceTab::Logs data-testid="tab-logs" on:click=move |_| tab.set(TraceTab::Logs)>
                        {move || match view.logs.with(|l| l.len()) { 0 => "Logs".to_string(), n => format!("Logs ({n})") }}
                    </button>
                    <Show when=move || genai.with(Option::is_some)>
                        <button class="tab" class:active=move || tab.get() == TraceTab::Agent data-testid="tab-agent"
                            title="What the agent did, what it cost and why it decided"
                            on:click=move |_| tab.set(TraceTab::Agent)>"Agent"</button>
                    </Show>
                    <Show when=move || state.active_baseline.with(Option::is_some)>
                        <button class="tab" class:active=move || tab.get() == TraceTab::VsBaseline data-testid="tab-vs-baseline"
                            title="This trace against the active baseline, operation path by path"
                            on:click=move |_| tab.set(TraceTab::VsBaseline)>"Vs baseline"</button>
                    </Show>
                </nav>
                <Show when=move || tab.get() == TraceTab::Timeline && body_ready.get()>
                    <TraceToolbar/>
                    <Minimap/>
                    <div class="trace-body">
                        <Timeline/>
                        <Show when=move || view.selected.get().is_some()>
                            <SpanDetailPanel/>
                        </Show>
                    </div>
                </Show>
                <Show when=move || tab.get() == TraceTab::Graph>
                    <TraceGraph tab/>
                </Show>
                <Show when=move || tab.get() == TraceTab::Statistics>
                    <TraceStatistics/>
                </Show>
                <Show when=move || tab.get() == TraceTab::Flamegraph>
                    <TraceFlamegraph/>
                </Show>
                <Show when=move || tab.get() == TraceTab::Logs>
                    <TraceLogs tab/>
                </Show>
                <Show when=move || tab.get() == TraceTab::VsBaseline>
                    <TraceVsBaseline/>
                </Show>
                <Show when=move || tab.get() == TraceTab::Agent>
                    <AgentTab tab/>
                </Show>
            </Show>
            <Show when=move || view.help_open.get()>
                <HelpOverlay/>
            </Show>
        </section>
    }
}

/// Renders the trace page once for a small built-in trace into a detached element, then drops
/// it. Browsers compile WebAssembly functions lazily, on first call; this moves that one-time
/// cost of the trace page's code to start-up instead of the first time a person opens a trace.
/// Runs in steps with a browser turn between them (all at once blocked the page for ~170 ms
/// just after it appeared), and stops as soon as a file is being loaded or something is
/// loaded: the person's file goes first (its own first render does the same compiling).
pub async fn warm_up_trace_page(state: AppState) {
    /// Decodes of each pair of demo traces' hand-over at start-up, and how many per task.
    const HAND_OVER_WARM_UPS: usize = 20;
    const DECODES_PER_TASK: usize = 10;
    let busy = move || {
        state.pending.get_untracked() > 0 || state.traces.with_untracked(|set| !set.is_empty())
    };
    // Not in the task that made this part's code ready: the browser's finishing of its
    // download and the demo's making were one task of 50–70 ms together.
    yield_to_browser().await;
    if busy() {
        return;
    }
    // The demo's traces two at a time (~60 spans): the same code and variety as the whole
    // demo, in tasks well under 50 ms even before the code is optimised (the whole demo's 370
    // spans at once took 60–100 ms a task on a cold start).
    let demo = crate::core::demo::demo_otlp_json_lines();
    let lines: Vec<&str> = demo.lines().collect();
    let pairs: Vec<String> = lines.chunks(2).map(|pair| pair.join("\n")).collect();
    let Some(first) = pairs.get(1).or(pairs.first()) else {
        return;
    };
    yield_to_browser().await;
    if busy() {
        return;
    }
    let mut set = crate::core::model::TraceSet::new();
    let loaded = crate::ui::state::timed("tracagg: warm-up parse", || {
        crate::core::load::load_into(&mut set, "warm-up", first.as_bytes())
    });
    if loaded.is_err() {
        return;
    }
    // The worker's hand-over is decoded once per file on the page: run that code on the demo
    // too, until the browser has optimised it (a 100,000-span hand-over decoded in 41 ms cold).
    for pair in &pairs {
        yield_to_browser().await;
        if busy() {
            return;
        }
        let Ok(encoded) = crate::ui::state::timed("tracagg: warm-up encode", || {
            crate::core::load::parse_and_encode("warm-up", pair.as_bytes())
        }) else {
            continue;
        };
        for round in 0..HAND_OVER_WARM_UPS {
            if round % DECODES_PER_TASK == 0 {
                yield_to_browser().await;
                if busy() {
                    return;
                }
            }
            let _ = crate::core::load::decode_built("warm-up", &encoded);
        }
    }
    let Some(trace) = set.traces().first().cloned() else {
        return;
    };
    // The page's parts one task each (the whole page at once was one task of ~150 ms on a
    // cold start): each mount compiles only what the earlier ones did not.
    for part in [
        WarmPart::Header,
        WarmPart::Toolbar,
        WarmPart::Minimap,
        WarmPart::Timeline,
        WarmPart::Detail,
        WarmPart::Page,
    ] {
        yield_to_browser().await;
        if busy() {
            return;
        }
        let Ok(host) = document().create_element("div") else {
            return;
        };
        let host: leptos::web_sys::HtmlElement = host.unchecked_into();
        let trace = Shared(trace.clone());
        let handle = crate::ui::state::timed(&format!("tracagg: warm-up {part:?}"), || {
            leptos::mount::mount_to(host, move || {
                provide_context(state);
                view! { <WarmUpPart trace part/> }
            })
        });
        set_timeout(move || drop(handle), std::time::Duration::from_millis(100));
    }
    FIRST_SHOWN.with(|shown| shown.set(true));
}

/// A part of the trace page the start-up warm-up renders on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WarmPart {
    /// The header.
    Header,
    /// The toolbar above the waterfall.
    Toolbar,
    /// The minimap.
    Minimap,
    /// The waterfall.
    Timeline,
    /// The detail of a selected span.
    Detail,
    /// The whole page, with a search and the error paths on.
    Page,
}

/// One part of the trace page for `trace`, off-screen (see [`warm_up_trace_page`]).
#[component]
fn WarmUpPart(trace: Shared<Trace>, part: WarmPart) -> impl IntoView {
    if part == WarmPart::Page {
        return view! { <TracePage trace_id=String::new() preview=trace/> }.into_any();
    }
    let loaded = Signal::derive(move || Some(trace.clone()));
    let view = TraceView::provide(loaded, true);
    match part {
        WarmPart::Header => view! { <TraceHeader/> }.into_any(),
        WarmPart::Toolbar => view! { <TraceToolbar/> }.into_any(),
        WarmPart::Minimap => view! { <Minimap/> }.into_any(),
        WarmPart::Timeline => view! { <Timeline/> }.into_any(),
        _ => {
            view.selected.set(Some(SpanIdx(1)));
            view! { <SpanDetailPanel/> }.into_any()
        }
    }
}

/// Two-way sync between the page state and the route: the selected span and the search text
/// are written to the address bar, and back/forward or an edited address move the page.
fn sync_with_route(state: AppState, view: TraceView, trace_id: String) {
    // Route → page (on open, reload, back/forward).
    Effect::new(move |_| {
        let route = state.route.get();
        let Some(trace) = view.trace.get() else {
            return;
        };
        let search = route.search.clone().unwrap_or_default();
        if view.search.get_untracked() != search {
            view.search.set(search);
        }
        let wanted = route.span.as_deref().and_then(|id| find_span(&trace, id));
        if view.selected.get_untracked() != wanted {
            match wanted {
                Some(idx) => view.focus(idx),
                None => view.selected.set(None),
            }
        }
    });
    // Page → route (selection and search refine the current entry). Not on the first run,
    // and not while the trace is missing: the route is then the source of truth (a reload
    // keeps `span` and `q` until the file is dropped again).
    Effect::new(move |previous: Option<()>| {
        let search = view.search.get();
        let selected = view.selected.get();
        if previous.is_none() || view.trace.with_untracked(Option::is_none) {
            return;
        }
        let span = view.trace.with_untracked(|trace| {
            let trace = trace.as_ref()?;
            let span = trace.span(selected?)?;
            Some(trace.str(span.span_id).to_string())
        });
        let next = ViewState {
            trace: Some(trace_id.clone()),
            span,
            search: (!search.is_empty()).then_some(search),
            service: state.route.with_untracked(|r| r.service.clone()),
            filter: state.route.with_untracked(|r| r.filter.clone()),
            ..ViewState::default()
        };
        if state.route.get_untracked() != next {
            navigate(state.route, next, false);
        }
    });
}

/// The first span of `trace` with this span ID.
fn find_span(trace: &Trace, span_id: &str) -> Option<SpanIdx> {
    trace
        .spans
        .iter()
        .position(|s| trace.str(s.span_id) == span_id)
        .map(|i| SpanIdx(i as u32))
}

/// True when the key event comes from a text field (shortcuts must not steal typing).
fn from_text_field(event: &KeyboardEvent) -> bool {
    event
        .target()
        .and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok())
        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
}

/// The keyboard shortcuts (listed in the help overlay).
fn on_key(view: TraceView, event: &KeyboardEvent) {
    if event.ctrl_key() || event.meta_key() || event.alt_key() {
        return;
    }
    let key = event.key();
    if key == "Escape" {
        if view.help_open.get_untracked() {
            view.help_open.set(false);
        } else {
            view.selected.set(None);
        }
        return;
    }
    if from_text_field(event) {
        return;
    }
    let handled = match key.as_str() {
        "?" => {
            view.help_open.update(|open| *open = !*open);
            true
        }
        "/" => {
            if let Some(input) = document()
                .query_selector("[data-testid=span-search]")
                .ok()
                .flatten()
                .and_then(|el| el.dyn_into::<leptos::web_sys::HtmlElement>().ok())
            {
                let _ = input.focus();
            }
            true
        }
        "n" => {
            view.step_match(true);
            true
        }
        "N" | "p" => {
            view.step_match(false);
            true
        }
        "j" | "ArrowDown" => {
            view.step_row(true);
            true
        }
        "k" | "ArrowUp" => {
            view.step_row(false);
            true
        }
        "[" => {
            view.collapse.update(|c| c.collapse_all());
            true
        }
        "]" => {
            view.collapse.update(|c| c.expand_all());
            true
        }
        "Enter" | " " => {
            if let Some(idx) = view.selected.get_untracked() {
                view.collapse.update(|c| c.toggle(idx));
            }
            true
        }
        "w" | "+" | "=" => {
            view.zoom(0.5, 0.5);
            true
        }
        "s" | "-" => {
            view.zoom(2.0, 0.5);
            true
        }
        "a" | "ArrowLeft" => {
            view.pan(-0.2);
            true
        }
        "d" | "ArrowRight" => {
            view.pan(0.2);
            true
        }
        "0" => {
            view.reset_zoom();
            true
        }
        "e" => {
            view.error_mode.update(|on| *on = !*on);
            true
        }
        _ => false,
    };
    if handled {
        event.prevent_default();
    }
}
