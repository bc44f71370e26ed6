//! The parts of the page downloaded on first use (see `widgets::lazy`): each function here is
//! the only way the shell reaches its view, so the splitter can move that view's code, and
//! the core analyses only it calls, out of the page's first download.
//!
//! Three chunks, by what a person opens: `trace` (a trace's page and its tabs, the start-up
//! warm-up of them, the export menu's writers and the demo), `views` (services, Quality,
//! Baselines with the scoring, two traces side by side) and `backend` (the Connect panel, and
//! the page's own parser for when no worker can run). Each chunk's code is one file, plus one
//! per set of chunks that share code: more, smaller chunks meant ~45 downloads and
//! instantiations for a trace's page, ~100 ms of the start-up's main thread.
// The splitter's expansion declares wasm imports (`unsafe extern`) that it rewrites into calls
// of the downloaded chunk; nothing here is unsafe otherwise.
#![allow(unsafe_code)]
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use leptos::prelude::*;

use crate::core::analysis::compare::{SavedBaseline, ScoreConfig};
use crate::core::model::Trace;
use crate::ui::backend::backend_panel::BackendPanel;
use crate::ui::compare::baselines_view::BaselinesView;
use crate::ui::compare::compare_view::CompareView;
use crate::ui::compare::scoring::score_traces;
use crate::ui::quality::quality_view::QualityView;
use crate::ui::services::services_view::ServicesView;
use crate::ui::state::AppState;
use crate::ui::trace::trace_page::{warm_up_trace_page, TracePage};
use crate::ui::widgets::export_menu::{save_export, save_traces};
use crate::ui::widgets::lazy::split_fn;
use crate::ui::widgets::shared::Shared;

/// A task the page runs without waiting for it.
pub type Task = Pin<Box<dyn Future<Output = ()>>>;

/// An export being written: done, or why not.
pub type ExportTask = Pin<Box<dyn Future<Output = Result<(), String>>>>;

split_fn!(
    trace,
    _preload_trace,
    /// The page of the trace `trace_id`.
    pub fn trace_page(trace_id: String) -> AnyView {
        untrack(|| view! { <TracePage trace_id/> }.into_any())
    }
);

split_fn!(
    trace,
    _preload_trace_warm_up,
    /// Renders the trace page once off-screen at start-up (`trace_page::warm_up_trace_page`).
    pub fn warm_up_trace(state: AppState) -> Task {
        Box::pin(warm_up_trace_page(state))
    }
);

split_fn!(
    backend,
    _preload_parse,
    /// Parses the file `name` on the page, when no worker could (`AppState::load_bytes`).
    pub fn load_bytes(state: AppState, name: String, bytes: Vec<u8>) -> bool {
        state.load_bytes(&name, &bytes)
    }
);

split_fn!(
    trace,
    _preload_demo,
    /// The demo's traces (a sample web shop's), as OTLP JSON lines.
    pub fn demo_traces() -> String {
        crate::core::demo::demo_otlp_json_lines()
    }
);

split_fn!(
    trace,
    _preload_export,
    /// Saves `list` as the export menu's `choice`: OTLP or Jaeger JSON written piece by piece
    /// (`widgets::export_menu::save_traces`), or the report (`save_export`).
    pub fn export(
        state: AppState,
        choice: String,
        list: Vec<Arc<Trace>>,
        stem: String,
    ) -> ExportTask {
        match crate::core::format::ExportFormat::from_name(&choice) {
            Some(format) => Box::pin(save_traces(format, list, stem)),
            None => {
                let saved = save_export(state, &choice, &list, &stem);
                Box::pin(async move { saved })
            }
        }
    }
);

split_fn!(
    views,
    preload_services,
    /// The services view.
    pub fn services_view() -> AnyView {
        untrack(|| view! { <ServicesView/> }.into_any())
    }
);

split_fn!(
    views,
    _preload_quality,
    /// The Quality view.
    pub fn quality_view() -> AnyView {
        untrack(|| view! { <QualityView/> }.into_any())
    }
);

split_fn!(
    views,
    _preload_compare,
    /// The Baselines view.
    pub fn baselines_view() -> AnyView {
        untrack(|| view! { <BaselinesView/> }.into_any())
    }
);

split_fn!(
    views,
    _preload_compare_view,
    /// Traces `a` and `b` side by side.
    pub fn compare_view(a: String, b: String) -> AnyView {
        untrack(|| view! { <CompareView a b/> }.into_any())
    }
);

split_fn!(
    views,
    _preload_scoring,
    /// One round of scoring the loaded traces against the active baseline
    /// (`compare::scoring::keep_scored`).
    pub fn score_round(
        state: AppState,
        saved: Shared<SavedBaseline>,
        config: ScoreConfig,
        traces: Vec<Arc<Trace>>,
        generation: StoredValue<u64>,
        ticket: u64,
    ) -> Task {
        Box::pin(score_traces(
            state, saved, config, traces, generation, ticket,
        ))
    }
);

split_fn!(
    backend,
    preload_backend,
    /// The Connect panel.
    pub fn backend_panel() -> AnyView {
        untrack(|| view! { <BackendPanel/> }.into_any())
    }
);
