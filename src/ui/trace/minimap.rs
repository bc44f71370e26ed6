//! The minimap: the whole trace drawn on a canvas (one pixel line per bucket of spans, see
//! `core::view_model::overview_lines`), the zoomed window shown on it, and drag-to-zoom.
use leptos::html::{Canvas, Div};
use leptos::prelude::*;
use leptos_use::{use_element_size, UseElementSizeReturn};
use wasm_bindgen::JsCast;

use crate::core::view_model::{overview_lines, service_colour, TimeWindow};
use crate::ui::trace::trace_view::TraceView;

/// Height of the minimap, CSS px.
const HEIGHT_PX: f64 = 64.0;

/// The overview of the open trace.
#[component]
pub fn Minimap() -> impl IntoView {
    let view = expect_context::<TraceView>();
    let frame = NodeRef::<Div>::new();
    let canvas = NodeRef::<Canvas>::new();
    let UseElementSizeReturn { width, .. } = use_element_size(frame);
    // Drag state: where the pointer went down and where it is, as fractions of the trace.
    let drag = RwSignal::new(None::<(f64, f64)>);

    Effect::new(move |_| {
        let Some(canvas) = canvas.get() else {
            return;
        };
        let Some(trace) = view.trace.get() else {
            return;
        };
        let css_width = width.get().max(1.0);
        let ratio = window().device_pixel_ratio().max(1.0);
        let (w, h) = ((css_width * ratio).round(), (HEIGHT_PX * ratio).round());
        canvas.set_width(w as u32);
        canvas.set_height(h as u32);
        let Some(context) = canvas.get_context("2d").ok().flatten().and_then(|c| {
            c.dyn_into::<leptos::web_sys::CanvasRenderingContext2d>()
                .ok()
        }) else {
            return;
        };
        context.clear_rect(0.0, 0.0, w, h);
        let lines = overview_lines(&trace, h as usize);
        // Few spans get thick lines, but not so thick that a 2-span trace looks like blocks.
        let line_h = (h / lines.len().max(1) as f64).min(6.0 * ratio);
        for (row, line) in lines.iter().enumerate() {
            let colour = if line.has_error {
                "#d62728"
            } else {
                service_colour(trace.str(line.service))
            };
            context.set_fill_style_str(colour);
            let x = line.start_frac * w;
            let width = ((line.end_frac - line.start_frac) * w).max(1.0);
            context.fill_rect(x, row as f64 * line_h, width, line_h.max(1.0));
        }
    });

    let frac_at = move |client_x: i32| -> f64 {
        frame.get_untracked().map_or(0.0, |el| {
            let rect = el.get_bounding_client_rect();
            ((f64::from(client_x) - rect.left()) / rect.width().max(1.0)).clamp(0.0, 1.0)
        })
    };
    let on_down = move |ev: leptos::web_sys::PointerEvent| {
        let at = frac_at(ev.client_x());
        drag.set(Some((at, at)));
        if let Some(el) = frame.get_untracked() {
            let _ = el.set_pointer_capture(ev.pointer_id());
        }
    };
    let on_move = move |ev: leptos::web_sys::PointerEvent| {
        if drag.get_untracked().is_some() {
            let at = frac_at(ev.client_x());
            drag.update(|d| {
                if let Some((_, end)) = d {
                    *end = at;
                }
            });
        }
    };
    let on_up = move |_ev: leptos::web_sys::PointerEvent| {
        let Some((from, to)) = drag.get_untracked() else {
            return;
        };
        drag.set(None);
        let duration = view.duration_ns();
        let full = TimeWindow::full(duration);
        if (to - from).abs() < 0.005 {
            // A click: centre the current window there.
            let current = view.window.get_untracked();
            let half = current.width_ns() / 2;
            let centre = full.ns_at(from);
            view.window.set(
                TimeWindow {
                    start_ns: centre - half,
                    end_ns: centre + half,
                }
                .clamped(duration),
            );
        } else {
            view.window.set(full.select(from, to, duration));
        }
    };
    let window_style = move || {
        let duration = view
            .trace
            .with(|t| t.as_ref().map_or(1, |t| t.duration_ns()));
        let full = TimeWindow::full(duration);
        let w = view.window.get();
        let left = full.frac_of(w.start_ns) * 100.0;
        let right = full.frac_of(w.end_ns) * 100.0;
        format!("left: {left:.3}%; width: {:.3}%", (right - left).max(0.2))
    };
    let drag_style = move || {
        drag.get().map(|(a, b)| {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            format!("left: {:.3}%; width: {:.3}%", lo * 100.0, (hi - lo) * 100.0)
        })
    };
    view! {
        <div class="minimap" data-testid="minimap" node_ref=frame
            style=format!("height: {HEIGHT_PX}px")
            title="Drag to zoom into a time range; click to move the window"
            on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up>
            <canvas node_ref=canvas style=format!("width: 100%; height: {HEIGHT_PX}px")></canvas>
            <div class="minimap-window" data-testid="minimap-window" style=window_style></div>
            {move || drag_style().map(|style| view! { <div class="minimap-drag" style=style></div> })}
        </div>
    }
}
