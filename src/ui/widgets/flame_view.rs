//! [`FlameView`]: a flamegraph of some traces — an icicle (root on top) with siblings of one
//! service and operation merged, self time shaded, click a frame to zoom into it, the
//! critical-path variant (what the traces waited for, by call stack), search highlights, a
//! table of count / total / self, export as folded stacks or SVG. The trace page's Flamegraph
//! tab shows one trace (or all of its root operation) with it; the trace list shows the
//! selected traces. The graph itself is the core's (`analysis::flame`), computed in a browser
//! task of its own.
use std::sync::Arc;

use leptos::prelude::*;

use crate::core::analysis::{flame_graph, FlameWeight, TraceAnalysis};
use crate::core::model::Trace;
use crate::core::view_model::{
    format_duration_ns, service_colour, shorten, NAME_CHARS, TITLE_CHARS,
};
use crate::ui::state::AppState;
use crate::ui::widgets::deferred::Deferred;
use crate::ui::widgets::download::{download_text, file_stem};
use crate::ui::widgets::name::Name;

/// Height of one row of frames (px).
const ROW_PX: f64 = 20.0;

/// Frames narrower than this share of the view are not drawn.
const MIN_WIDTH: f64 = 1.0 / 1500.0;

/// Rows of the frame table.
const TABLE_ROWS: usize = 30;

/// The traces a flamegraph sums, each with its analysis when the caller has it (else the app's
/// cached one is used, computed in the flamegraph's own task if need be).
pub type FlameScope = Vec<(Arc<Trace>, Option<Arc<TraceAnalysis>>)>;

/// A flamegraph of `scope`, with its controls. The children are extra controls shown first in the
/// bar; `name` names exported files (`trace-<name>-flamegraph.folded`).
#[component]
pub fn FlameView(
    /// The traces to sum.
    #[prop(into)]
    scope: Signal<FlameScope>,
    /// The highlight search text (shared with the trace page's search).
    search: RwSignal<String>,
    /// Names the exported files.
    #[prop(into)]
    name: Signal<String>,
    /// Extra controls at the start of the bar.
    #[prop(optional)]
    children: Option<ChildrenFn>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let critical = RwSignal::new(false);
    let zoom = RwSignal::new(None::<usize>);
    // Computed in a browser task of its own (a 100,000-span trace has ~80,000 frames), so
    // that neither the click nor the drawing waits for it.
    let flame = Deferred::new(
        move || (scope.get(), critical.get()),
        move |(scope, critical)| {
            let weight = if critical {
                FlameWeight::CriticalPath
            } else {
                FlameWeight::Duration
            };
            let traces: Vec<_> = scope
                .into_iter()
                .map(|(trace, analysis)| {
                    let analysis = analysis.unwrap_or_else(|| state.analysis_of(&trace));
                    (trace, analysis)
                })
                .collect();
            flame_graph(&traces, weight)
        },
    );
    let graph = flame.signal();
    // A new graph starts unzoomed.
    Effect::new(move |_| {
        graph.track();
        zoom.set(None);
    });
    let needle = Memo::new(move |_| search.get().trim().to_lowercase());
    let frames = move || {
        let graph = graph.get();
        let needle = needle.get();
        graph
            .zoomed(zoom.get(), MIN_WIDTH)
            .into_iter()
            .filter_map(|(i, x, w)| {
                let f = graph.frames.get(i)?;
                let label = state.shown(&f.label()).into_owned();
                let matched = !needle.is_empty() && label.to_lowercase().contains(&needle);
                let dimmed = !needle.is_empty() && !matched;
                let self_share = if f.total_ns > 0 { f.self_ns as f64 / f.total_ns as f64 } else { 0.0 };
                let title = format!(
                    "{}\n{}× · total {} · self {}\nClick to zoom in",
                    shorten(&label, TITLE_CHARS),
                    f.count,
                    format_duration_ns(f.total_ns),
                    format_duration_ns(f.self_ns)
                );
                let style = format!(
                    "left: {:.4}%; width: {:.4}%; top: {}px; background: {}",
                    x * 100.0,
                    w * 100.0,
                    f64::from(f.depth) * ROW_PX,
                    service_colour(&f.service)
                );
                Some(view! {
                    <div class="flame-frame" class:match=matched class:dimmed=dimmed data-testid="flame-frame"
                        data-key=shorten(&label, TITLE_CHARS) title=title style=style
                        on:click=move |_| zoom.set(Some(i))>
                        <div class="flame-self" style=format!("width: {:.2}%", self_share * 100.0)></div>
                        <span>{shorten(&label, NAME_CHARS)}</span>
                    </div>
                })
            })
            .collect_view()
    };
    let table = move || {
        let graph = graph.get();
        let mut order: Vec<usize> = (0..graph.frames.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(graph.frames[i].self_ns));
        order
            .into_iter()
            .take(TABLE_ROWS)
            .filter_map(|i| {
                let f = graph.frames.get(i)?;
                Some(view! {
                    <tr data-testid="flame-row" on:click=move |_| zoom.set(Some(i))>
                        <td><Name text=f.label()/></td>
                        <td class="num">{f.count}</td>
                        <td class="num">{format_duration_ns(f.total_ns)}</td>
                        <td class="num">{format_duration_ns(f.self_ns)}</td>
                    </tr>
                })
            })
            .collect_view()
    };
    // Saves the graph as `.folded` stacks or as an SVG picture of the view.
    let export = move |svg: bool| {
        let id = name.get_untracked();
        let kind = if critical.get_untracked() {
            "critical-path"
        } else {
            "flamegraph"
        };
        let graph = graph.get_untracked();
        let (extension, mime, text) = if svg {
            let picture = graph.svg(zoom.get_untracked(), 1200.0, service_colour);
            ("svg", "image/svg+xml", picture)
        } else {
            ("folded", "text/plain", graph.folded())
        };
        // With the mask switch on, exports are masked as the screen is.
        let text = if state.mask_secrets.get_untracked() {
            crate::core::analysis::quality::secrets::mask_secrets_in(&text).into_owned()
        } else {
            text
        };
        let name = format!("trace-{}-{kind}.{extension}", file_stem(&id));
        if let Err(error) = download_text(&name, mime, &text) {
            leptos::logging::warn!("{error}");
        }
    };
    view! {
        <section class="panel trace-flamegraph" data-testid="trace-flamegraph">
            <div class="flame-bar">
                <label class="check"><input type="checkbox" data-testid="flame-critical" prop:checked=critical
                    on:change=move |ev| critical.set(event_target_checked(&ev))/>" Critical path only"</label>
                {children.clone().map(|options| options())}
                <input type="search" placeholder="Highlight frames" data-testid="flame-search"
                    prop:value=search on:input=move |ev| search.set(event_target_value(&ev))/>
                <button class="button small" data-testid="flame-reset" on:click=move |_| zoom.set(None)>"Reset zoom"</button>
                <button class="button small" data-testid="flame-export" on:click=move |_| export(false)>"Export folded stacks"</button>
                <button class="button small" data-testid="flame-export-svg" on:click=move |_| export(true)>"Export SVG"</button>
                <span class="hint" data-testid="flame-summary">{move || graph.with(|g| format!(
                    "{} frames from {} trace{} · {} in all. The shaded part of a frame is its self time; the search box highlights frames.",
                    g.frames.len(), g.traces, if g.traces == 1 { "" } else { "s" }, format_duration_ns(g.total_ns)
                ))}</span>
            </div>
            <Show when=move || !flame.ready() || flame.busy()>
                <p class="hint" data-testid="flame-computing">"Computing the flamegraph…"</p>
            </Show>
            <div class="flame-body">
                <div class="flame" data-testid="flamegraph" style=move || format!("height: {}px", f64::from(graph.with(|g| g.depth)) * ROW_PX)>
                    {frames}
                </div>
                <table class="flame-table">
                    <thead><tr><th>"Frame (by self time)"</th><th class="num">"Count"</th><th class="num">"Total"</th><th class="num">"Self"</th></tr></thead>
                    <tbody>{table}</tbody>
                </table>
            </div>
        </section>
    }
}
