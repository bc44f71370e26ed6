//! [`FlameView`]: a flamegraph of some traces — an icicle (root on top) with siblings of one
//! service and operation merged, self time shaded, click a frame to zoom into it, the
//! critical-path variant (what the traces waited for, by call stack), search highlights, a
//! table of count / total / self, export as folded stacks or SVG. The trace page's Flamegraph
//! tab shows one trace (or all of its root operation) with it; the trace list shows the
//! selected traces. The graph itself is the core's (`analysis::flame`), computed in a browser
//! task of its own, and drawn on a canvas: a 100,000-span trace has tens of thousands of frames,
//! which as elements would cost the page far more than as pixels. Hovering shows a frame's
//! figures; the widest frames are also listed (off-screen) for keyboards and screen readers.
use std::sync::Arc;

use leptos::html::{Canvas, Div};
use leptos::prelude::*;
use leptos_use::{use_element_size, UseElementSizeReturn};
use wasm_bindgen::JsCast;

use crate::core::analysis::{flame_graph, frame_at, FlameWeight, TraceAnalysis};
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

/// The widest drawn frames also listed as elements (for keyboards and screen readers).
const LISTED_FRAMES: usize = 150;

/// Approximate width of one label character at the canvas font (px), to cut labels without
/// measuring each.
const CHAR_PX: f64 = 6.2;

/// Where the tooltip goes: right of the pointer, or left of it in the right half.
fn flip_style(px: f64, py: f64, view_width: f64) -> String {
    if px > view_width / 2.0 {
        format!(
            "right: {:.0}px; top: {:.0}px",
            (view_width - px + 12.0).max(0.0),
            py + 14.0
        )
    } else {
        format!("left: {:.0}px; top: {:.0}px", px + 12.0, py + 14.0)
    }
}

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
    let hovered = RwSignal::new(None::<(usize, f64, f64)>);
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
    // The frames of the current view, with their labels (the traces' names, already masked
    // when the mask switch is on: `AppState::traces`).
    let drawn = Memo::new(move |_| {
        let graph = graph.get();
        let list: Vec<(usize, f64, f64, String)> = graph
            .zoomed(zoom.get(), MIN_WIDTH)
            .into_iter()
            .filter_map(|(i, x, w)| Some((i, x, w, graph.frames.get(i)?.label())))
            .collect();
        crate::ui::widgets::shared::Shared::new(list)
    });
    let holder = NodeRef::<Div>::new();
    let canvas = NodeRef::<Canvas>::new();
    let UseElementSizeReturn { width, .. } = use_element_size(holder);
    let drawn_count = RwSignal::new(0usize);

    // Draws the view: a rectangle per frame in its service's colour, the self-time part
    // darker, the label where it fits; with a search, matches outlined and the rest faded.
    Effect::new(move |_| {
        let (Some(canvas), graph, drawn) = (canvas.get(), graph.get(), drawn.get()) else {
            return;
        };
        let needle = needle.get();
        let hover = hovered.get().map(|(i, _, _)| i);
        let css_width = width.get().max(1.0);
        let ratio = window().device_pixel_ratio().max(1.0);
        let css_height = f64::from(graph.depth.max(1)) * ROW_PX;
        let (w, h) = ((css_width * ratio).round(), (css_height * ratio).round());
        canvas.set_width(w as u32);
        canvas.set_height(h as u32);
        let Some(ctx) = canvas.get_context("2d").ok().flatten().and_then(|c| {
            c.dyn_into::<leptos::web_sys::CanvasRenderingContext2d>()
                .ok()
        }) else {
            return;
        };
        let _ = ctx.scale(ratio, ratio);
        ctx.clear_rect(0.0, 0.0, css_width, css_height);
        ctx.set_font("11px system-ui, sans-serif");
        ctx.set_text_baseline("middle");
        let mut count = 0;
        for (i, x, fw, label) in drawn.iter() {
            let Some(f) = graph.frames.get(*i) else {
                continue;
            };
            let (px, pw) = (x * css_width, (fw * css_width).max(1.0));
            if px > css_width || px + pw < 0.0 {
                continue;
            }
            count += 1;
            let y = f64::from(f.depth) * ROW_PX;
            let matched = !needle.is_empty() && label.to_lowercase().contains(&needle);
            let faded = !needle.is_empty() && !matched;
            ctx.set_global_alpha(if faded {
                0.25
            } else if hover == Some(*i) {
                1.0
            } else {
                0.8
            });
            ctx.set_fill_style_str(service_colour(&f.service));
            ctx.fill_rect(px, y, (pw - 1.0).max(0.5), ROW_PX - 1.0);
            if f.total_ns > 0 && f.self_ns > 0 {
                let self_w = pw * (f.self_ns as f64 / f.total_ns as f64);
                ctx.set_fill_style_str("rgba(0,0,0,0.22)");
                ctx.fill_rect(px + pw - self_w, y, (self_w - 1.0).max(0.5), ROW_PX - 1.0);
            }
            if matched {
                ctx.set_global_alpha(1.0);
                ctx.set_stroke_style_str("#e0a100");
                ctx.set_line_width(2.0);
                ctx.stroke_rect(px + 1.0, y + 1.0, (pw - 3.0).max(1.0), ROW_PX - 3.0);
            }
            let chars = ((pw - 6.0) / CHAR_PX).floor();
            if chars >= 3.0 {
                ctx.set_global_alpha(if faded { 0.4 } else { 1.0 });
                ctx.set_fill_style_str("#111");
                let _ = ctx.fill_text(&shorten(label, chars as usize), px + 3.0, y + ROW_PX / 2.0);
            }
        }
        ctx.set_global_alpha(1.0);
        drawn_count.set(count);
    });

    // The frame under the pointer.
    let at_pointer = move |ev: &leptos::web_sys::MouseEvent| -> Option<(usize, f64, f64)> {
        let el = canvas.get_untracked()?;
        let rect = el.get_bounding_client_rect();
        let (px, py) = (
            f64::from(ev.client_x()) - rect.left(),
            f64::from(ev.client_y()) - rect.top(),
        );
        let x = px / rect.width().max(1.0);
        let depth = (py / ROW_PX).floor();
        if !(0.0..f64::from(u32::MAX)).contains(&depth) {
            return None;
        }
        let graph = graph.get_untracked();
        let list: Vec<(usize, f64, f64)> =
            drawn.with_untracked(|d| d.iter().map(|(i, x, w, _)| (*i, *x, *w)).collect());
        frame_at(&graph, &list, x, depth as u32).map(|i| (i, px, py))
    };
    let tooltip = move || {
        let (i, px, py) = hovered.get()?;
        let graph = graph.get();
        let f = graph.frames.get(i)?;
        let label = f.label();
        Some(view! {
            <div class="flame-tooltip" data-testid="flame-tooltip" style=flip_style(px, py, width.get_untracked())>
                <strong>{shorten(&label, TITLE_CHARS)}</strong>
                <div>{format!("{}× · total {} · self {}", f.count, format_duration_ns(f.total_ns), format_duration_ns(f.self_ns))}</div>
                <div class="hint">"Click to zoom in"</div>
            </div>
        })
    };
    // The widest drawn frames as elements: keyboard and screen-reader access to what the
    // canvas shows (Enter zooms), hidden from sight.
    let listed = move || {
        let graph = graph.get();
        let needle = needle.get();
        let mut list: Vec<(usize, f64, f64, String)> = drawn.with(|d| d.to_vec());
        list.sort_by(|a, b| b.2.total_cmp(&a.2));
        list.truncate(LISTED_FRAMES);
        list.into_iter()
            .filter_map(|(i, x, w, label)| {
                let f = graph.frames.get(i)?;
                let matched = !needle.is_empty() && label.to_lowercase().contains(&needle);
                let title = format!(
                    "{}\n{}× · total {} · self {}",
                    shorten(&label, TITLE_CHARS),
                    f.count,
                    format_duration_ns(f.total_ns),
                    format_duration_ns(f.self_ns)
                );
                Some(view! {
                    <li><button class="flame-frame" class:match=matched data-testid="flame-frame"
                        data-key=shorten(&label, TITLE_CHARS) title=title.clone() aria-label=title
                        data-x=format!("{:.4}", x * 100.0) data-width=format!("{:.4}", w * 100.0)
                        data-depth=f.depth.to_string()
                        on:click=move |_| zoom.set(Some(i))>{shorten(&label, NAME_CHARS)}</button></li>
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
        // With the mask switch on, the names in it are masked already (the traces are): the
        // formatted text is never masked, so numbers and syntax stay as written.
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
                <div class="flame" data-testid="flamegraph" node_ref=holder
                    data-drawn=move || drawn_count.get().to_string()
                    style=move || format!("height: {}px", f64::from(graph.with(|g| g.depth.max(1))) * ROW_PX)>
                    <canvas node_ref=canvas data-testid="flame-canvas" class="flame-canvas"
                        role="img" aria-label="Flamegraph: the frames are listed below for keyboards"
                        on:mousemove=move |ev| hovered.set(at_pointer(&ev))
                        on:mouseleave=move |_| hovered.set(None)
                        on:click=move |ev| { if let Some((i, _, _)) = at_pointer(&ev) { zoom.set(Some(i)); } }></canvas>
                    {tooltip}
                    <ul class="visually-hidden" data-testid="flame-frames">{listed}</ul>
                </div>
                <table class="flame-table">
                    <thead><tr><th>"Frame (by self time)"</th><th class="num">"Count"</th><th class="num">"Total"</th><th class="num">"Self"</th></tr></thead>
                    <tbody>{table}</tbody>
                </table>
            </div>
        </section>
    }
}
