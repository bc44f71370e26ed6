//! [`ExportMenu`]: saves traces as one OTLP JSON or Jaeger JSON file that tracagg, Jaeger UI's
//! upload and the OpenTelemetry Collector read back (the core's `format::export`), and — on a
//! trace's page — that trace as a self-contained HTML report (`view_model::report`).
use std::sync::Arc;

use leptos::prelude::*;

use crate::core::format::{ExportFormat, ExportPlan};
use crate::core::model::Trace;
use crate::core::view_model::report::html_report;
use crate::ui::state::{AppState, NoticeLevel};
use crate::ui::widgets::download::{download_parts, download_text, file_stem};

/// A menu "Export…" with OTLP JSON and Jaeger JSON; `traces` are read when chosen.
#[component]
pub fn ExportMenu(
    /// The traces to save.
    traces: Callback<(), Vec<Arc<Trace>>>,
    /// Names the file (`<name>.otlp.json`).
    #[prop(into)]
    name: Signal<String>,
    /// `data-testid` of the menu.
    testid: &'static str,
    /// Offer an HTML report of the (first) trace too: on a trace's own page.
    #[prop(optional)]
    report: bool,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let pick = move |ev: leptos::ev::Event| {
        let choice = event_target_value(&ev);
        let list = traces.run(());
        let stem = file_stem(&name.get_untracked());
        // The writers are downloaded with the first export (`ui::parts`).
        leptos::task::spawn_local(async move {
            let saved = match crate::ui::parts::export(state, choice, list, stem).await {
                Ok(saving) => saving.await,
                Err(missing) => Err(missing.to_string()),
            };
            if let Err(error) = saved {
                state.notify(NoticeLevel::Error, format!("Export failed: {error}"));
            }
        });
        // Back to the menu's title, so the same format can be chosen again.
        if let Some(select) = ev.target().and_then(|t| {
            wasm_bindgen::JsCast::dyn_into::<leptos::web_sys::HtmlSelectElement>(t).ok()
        }) {
            select.set_value("");
        }
    };
    view! {
        <select class="export-menu" data-testid=testid on:change=pick title="Save as one file that tracagg, Jaeger UI's upload and the OpenTelemetry Collector read back">
            <option value="">"Export…"</option>
            <option value="otlp">"as OTLP JSON"</option>
            <option value="jaeger">"as Jaeger JSON"</option>
            {report.then(|| view! { <option value="report">"as an HTML report"</option> })}
        </select>
    }
}

/// Saves `list` as the menu's `choice` ("otlp", "jaeger" or "report": the first trace as an
/// HTML report) in a file named `<stem>.<extension>`; nothing for an unknown choice or no
/// traces.
pub fn save_export(
    state: AppState,
    choice: &str,
    list: &[Arc<Trace>],
    stem: &str,
) -> Result<(), String> {
    let saved = if choice == "report" {
        list.first().map(|trace| {
            let analysis = state.analysis_of(trace);
            let made_by = format!("tracagg {} (in the browser)", env!("CARGO_PKG_VERSION"));
            let html = html_report(trace, &analysis, &made_by);
            download_text(&format!("{stem}.report.html"), "text/html", &html)
        })
    } else {
        // OTLP and Jaeger files are written piece by piece in `save_traces`.
        None
    };
    saved.unwrap_or(Ok(())).map_err(|error| error.to_string())
}

/// Work a piece of an export may do before the page gets a turn (spans and attributes).
const EXPORT_SLICE: usize = 5_000;

/// Saves `list` as one OTLP or Jaeger JSON file named `<stem>.<extension>`, written piece by
/// piece (`core::format::ExportPlan`) with a browser turn between slices: a span with a million
/// attributes blocked the page for 2.8 s when written in one go. Each piece is kept as UTF-8
/// bytes on the JavaScript side, so the browser joins the file without encoding it in one go.
pub async fn save_traces(
    format: ExportFormat,
    list: Vec<Arc<Trace>>,
    stem: String,
) -> Result<(), String> {
    if list.is_empty() {
        return Ok(());
    }
    let plan = ExportPlan::new(&list, format);
    let parts = js_sys::Array::new();
    let mut done = 0usize;
    for piece in 0..plan.len() {
        parts.push(&js_sys::Uint8Array::from(plan.render(piece).as_bytes()));
        done = done.saturating_add(plan.weight(piece));
        if done >= EXPORT_SLICE {
            done = 0;
            crate::source::yield_to_browser().await;
        }
    }
    let file = format!("{stem}.{}", format.extension());
    download_parts(&file, "application/json", &parts)
}
