//! The parts of the page downloaded on first use (see `widgets::lazy`): each function here is
//! the only way the shell reaches its view, so the splitter can move that view's code, and
//! the core analyses only it calls, out of the page's first download.
//!
//! Chunks: `trace` (a trace's page, its tabs and the start-up warm-up of them), `services`,
//! `quality`, `compare` (baselines, scoring and two traces side by side) and `backend` (the
//! Connect panel).
// The splitter's expansion declares wasm imports (`unsafe extern`) that it rewrites into calls
// of the downloaded chunk; nothing here is unsafe otherwise.
#![allow(unsafe_code)]
use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;

use crate::ui::backend::backend_panel::BackendPanel;
use crate::ui::compare::baselines_view::BaselinesView;
use crate::ui::compare::compare_view::CompareView;
use crate::ui::quality::quality_view::QualityView;
use crate::ui::services::services_view::ServicesView;
use crate::ui::state::AppState;
use crate::ui::trace::trace_page::{warm_up_trace_page, TracePage};
use crate::ui::widgets::lazy::split_fn;

/// A task the page runs without waiting for it.
pub type Task = Pin<Box<dyn Future<Output = ()>>>;

split_fn!(trace, preload_trace,
    /// The page of the trace `trace_id`.
    pub fn trace_page(trace_id: String) -> AnyView {
        untrack(|| view! { <TracePage trace_id/> }.into_any())
    }
);

split_fn!(trace, preload_trace_warm_up,
    /// Renders the trace page once off-screen at start-up (`trace_page::warm_up_trace_page`).
    pub fn warm_up_trace(state: AppState) -> Task {
        Box::pin(warm_up_trace_page(state))
    }
);

split_fn!(services, preload_services,
    /// The services view.
    pub fn services_view() -> AnyView {
        untrack(|| view! { <ServicesView/> }.into_any())
    }
);

split_fn!(quality, preload_quality,
    /// The Quality view.
    pub fn quality_view() -> AnyView {
        untrack(|| view! { <QualityView/> }.into_any())
    }
);

split_fn!(compare, preload_compare,
    /// The Baselines view.
    pub fn baselines_view() -> AnyView {
        untrack(|| view! { <BaselinesView/> }.into_any())
    }
);

split_fn!(compare, preload_compare_view,
    /// Traces `a` and `b` side by side.
    pub fn compare_view(a: String, b: String) -> AnyView {
        untrack(|| view! { <CompareView a b/> }.into_any())
    }
);

split_fn!(backend, preload_backend,
    /// The Connect panel.
    pub fn backend_panel() -> AnyView {
        untrack(|| view! { <BackendPanel/> }.into_any())
    }
);
