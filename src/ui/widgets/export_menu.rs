//! [`ExportMenu`]: saves traces as one OTLP JSON or Jaeger JSON file that tracagg, Jaeger UI's
//! upload and the OpenTelemetry Collector read back (the core's `format::export`).
use std::sync::Arc;

use leptos::prelude::*;

use crate::core::format::{export_traces, ExportFormat};
use crate::core::model::Trace;
use crate::ui::state::{AppState, NoticeLevel};
use crate::ui::widgets::download::{download_text, file_stem};

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
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let pick = move |ev: leptos::ev::Event| {
        let choice = event_target_value(&ev);
        let Some(format) = ExportFormat::from_name(&choice) else {
            return;
        };
        let list = traces.run(());
        if list.is_empty() {
            return;
        }
        let text = export_traces(&list, format);
        let file = format!(
            "{}.{}",
            file_stem(&name.get_untracked()),
            format.extension()
        );
        if let Err(error) = download_text(&file, "application/json", &text) {
            state.notify(NoticeLevel::Error, format!("Export failed: {error}"));
        }
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
        </select>
    }
}
