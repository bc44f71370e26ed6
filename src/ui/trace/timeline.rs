//! The waterfall: a ruler and one row per visible span, virtualized — only the rows in the
//! viewport (plus a small buffer) exist in the DOM, so 100,000 rows scroll like 100.
//!
//! ```text
//! ┌ scroller (overflow: auto) ───────────────────────────┐
//! │ ┌ viewport (position: sticky; top: 0) ─────────────┐ │  rows [first, first + count)
//! │ │ rows, shifted up by (virtual_top mod row height) │ │  are rendered here
//! │ └──────────────────────────────────────────────────┘ │
//! │ spacer (gives the scrollbar its length)              │
//! └──────────────────────────────────────────────────────┘
//! ```
//! The scroll extent is capped at [`MAX_SCROLL_PX`] (browsers limit element heights); beyond
//! it, scroll positions are scaled to row positions.
use leptos::html::Div;
use leptos::prelude::*;
use leptos_use::{use_element_size, UseElementSizeReturn};

use crate::core::model::SpanIdx;
use crate::core::view_model::{
    bar_layout, baseline_colour, descendant_count, format_duration_ns, service_colour, shorten,
    ticks, BarLayout, BarOptions, Segment, TITLE_CHARS,
};
use crate::ui::state::AppState;
use crate::ui::trace::trace_view::{ErrorMark, TraceView};
use crate::ui::widgets::name::Name;

/// Height of one row, px (also in style/main.css as --row-height).
pub const ROW_PX: f64 = 24.0;
/// Rows rendered above and below the viewport.
const OVERSCAN_ROWS: usize = 8;
/// Longest scroll extent used; longer row lists are scaled into it.
const MAX_SCROLL_PX: f64 = 8_000_000.0;
/// Narrowest and widest the service/operation column may be dragged, as shares of the width.
const LABEL_SHARE_RANGE: (f64, f64) = (0.12, 0.7);
/// Pixels of indentation per depth level (capped so deep traces stay readable).
const INDENT_PX: f64 = 12.0;

/// What one rendered row shows.
#[derive(Clone)]
struct RowModel {
    key: (u32, u64),
    idx: SpanIdx,
    span_id: String,
    depth: u32,
    service: String,
    operation: String,
    colour: &'static str,
    /// The bar's colour: the service's, or the span's band in the active baseline.
    bar_colour: &'static str,
    has_children: bool,
    collapsed: bool,
    hidden: usize,
    is_error: bool,
    is_selected: bool,
    is_match: bool,
    error_mark: Option<ErrorMark>,
    layout: BarLayout,
    duration: String,
    /// Where the span's log records fall on the bar's row (fractions of the window).
    log_ticks: Vec<f64>,
}

/// Log ticks drawn on one row at most (more records still show in the detail and Logs tab).
const MAX_LOG_TICKS: usize = 200;

/// The waterfall of the open trace.
#[component]
pub fn Timeline() -> impl IntoView {
    let state = expect_context::<AppState>();
    let view = expect_context::<TraceView>();
    let scroller = NodeRef::<Div>::new();
    let UseElementSizeReturn {
        width: measured_width,
        height: measured_height,
    } = use_element_size(scroller);
    // Until the first measurement (a frame later; never off-screen, in the start-up warm-up)
    // assume the window's size: the first rows then come with the page itself instead of a
    // frame and a layout later (~20 ms), and are redrawn at once if the guess was off.
    let preview = view.is_preview;
    let window_size = move || {
        let window = leptos::prelude::window();
        let px = |v: Result<leptos::wasm_bindgen::JsValue, _>| v.ok().and_then(|v| v.as_f64());
        (
            px(window.inner_width()).unwrap_or(1200.0),
            px(window.inner_height()).unwrap_or(600.0),
        )
    };
    let width = Signal::derive(move || match measured_width.get() {
        w if w <= 0.0 && preview => 1200.0,
        w if w <= 0.0 => window_size().0,
        w => w,
    });
    let height = Signal::derive(move || match measured_height.get() {
        h if h <= 0.0 && preview => 600.0,
        h if h <= 0.0 => window_size().1,
        h => h,
    });
    let scroll_top = RwSignal::new(0.0_f64);

    let row_count = move || view.rows.with(|r| r.len());
    let total_px = move || row_count() as f64 * ROW_PX;
    let spacer_px = move || total_px().min(MAX_SCROLL_PX);
    // Maps the scrollbar position to a position in the full row list.
    let scale = move || {
        let vh = height.get();
        let (total, spacer) = (total_px(), spacer_px());
        if total <= spacer || spacer <= vh {
            1.0
        } else {
            (total - vh) / (spacer - vh)
        }
    };
    let virtual_top = move || scroll_top.get() * scale();
    let first_row =
        move || ((virtual_top() / ROW_PX).floor() as usize).saturating_sub(OVERSCAN_ROWS);
    let row_window = move || {
        let count = (height.get() / ROW_PX).ceil() as usize + 2 * OVERSCAN_ROWS;
        (first_row(), count)
    };
    let label_share = view.label_share;
    let bar_width_px = move || (width.get() * (1.0 - label_share.get())).max(1.0);

    // Re-render every row when anything other than scrolling changes.
    let version = Memo::new(move |previous: Option<&u64>| {
        view.window.track();
        view.collapse.track();
        view.selected.track();
        view.matches.track();
        view.error_marks.track();
        view.critical.track();
        view.trace.track();
        view.label_share.track();
        view.logs.track();
        view.vs_baseline.track();
        let _ = bar_width_px();
        previous.map_or(0, |v| v + 1)
    });

    let models = move || {
        let (first, count) = row_window();
        // Each row's log ticks come from the trace's indexed lines (per span, by time).
        let log_times = view.logs.get();
        let version = version.get();
        let Some(trace) = view.trace.get() else {
            return Vec::new();
        };
        let critical = view.critical.get();
        let matches = view.matches.get();
        let marks = view.error_marks.get();
        let selected = view.selected.get();
        let options_window = view.window.get();
        let resolution = 1.0 / bar_width_px();
        let filtering_marks = !marks.is_empty();
        // "vs baseline": each bar in its span's band among its operation in the baseline.
        let judge = if view.vs_baseline.get() {
            state.active().map(|saved| {
                let min = state.score_config.with(|c| c.min_samples);
                (saved, min)
            })
        } else {
            None
        };
        view.rows.with(|rows| {
            view.collapse.with(|collapse| {
                rows.iter()
                    .skip(first)
                    .take(count)
                    .filter_map(|idx| {
                        let span = trace.span(*idx)?;
                        let collapsed = collapse.is_collapsed(&trace, *idx);
                        let layout = bar_layout(
                            &trace,
                            *idx,
                            &critical,
                            &BarOptions {
                                window: options_window,
                                resolution,
                                collapsed,
                            },
                        );
                        let service = trace.str(span.service);
                        Some(RowModel {
                            key: (idx.0, version),
                            idx: *idx,
                            span_id: trace.str(span.span_id).to_string(),
                            depth: span.depth,
                            service: service.to_string(),
                            operation: trace.str(span.operation).to_string(),
                            colour: service_colour(service),
                            bar_colour: match &judge {
                                Some((saved, min)) => {
                                    baseline_colour(saved.baseline.percentile_of(
                                        service,
                                        trace.str(span.operation),
                                        span.duration_ns,
                                        *min,
                                    ))
                                }
                                None => service_colour(service),
                            },
                            has_children: span.subtree_end > idx.0 + 1,
                            collapsed,
                            hidden: if collapsed {
                                descendant_count(&trace, *idx)
                            } else {
                                0
                            },
                            is_error: span.is_error(),
                            is_selected: selected == Some(*idx),
                            is_match: matches.contains(*idx),
                            error_mark: filtering_marks
                                .then(|| marks.get(idx.get()).copied().unwrap_or(ErrorMark::Off)),
                            layout,
                            duration: format_duration_ns(span.duration_ns),
                            log_ticks: Some(&log_times)
                                .filter(|logs| logs.span_len(*idx) > 0)
                                .map(|logs| {
                                    // One tick per pixel-sized bucket, at most MAX_LOG_TICKS: a
                                    // million lines on one span are a handful of ticks.
                                    logs.span_ticks(
                                        *idx,
                                        options_window.start_ns,
                                        options_window.end_ns.saturating_add(1),
                                        10_000,
                                        MAX_LOG_TICKS,
                                    )
                                })
                                .unwrap_or_default(),
                        })
                    })
                    .collect::<Vec<_>>()
            })
        })
    };

    // Scroll a requested row into view (next match, keyboard selection, reference click).
    Effect::new(move |_| {
        let Some(idx) = view.scroll_request.get() else {
            return;
        };
        let Some(element) = scroller.get() else {
            return;
        };
        let Ok(position) = view.rows.with_untracked(|rows| rows.binary_search(&idx)) else {
            return;
        };
        let vh = height.get_untracked();
        let row_top = position as f64 * ROW_PX;
        let top = virtual_top_untracked(scroll_top.get_untracked(), scale);
        if row_top < top || row_top + ROW_PX > top + vh {
            let target = (row_top - vh / 2.0 + ROW_PX / 2.0).max(0.0) / scale();
            element.set_scroll_top(target as i32);
            scroll_top.set(target);
        }
        view.scroll_request.set(None);
    });

    let offset_px = move || first_row() as f64 * ROW_PX - virtual_top();
    let tick_marks = move || {
        ticks(
            &view.window.get(),
            ((bar_width_px() / 110.0) as usize).max(2),
        )
    };

    let on_wheel = move |event: leptos::web_sys::WheelEvent| {
        if !(event.ctrl_key() || event.shift_key()) {
            return;
        }
        event.prevent_default();
        let Some(element) = scroller.get_untracked() else {
            return;
        };
        let rect = element.get_bounding_client_rect();
        let label_px = rect.width() * label_share.get_untracked();
        let frac =
            (f64::from(event.client_x()) - rect.left() - label_px) / (rect.width() - label_px);
        let delta = if event.delta_y() != 0.0 {
            event.delta_y()
        } else {
            event.delta_x()
        };
        if event.ctrl_key() {
            view.zoom(if delta > 0.0 { 1.25 } else { 0.8 }, frac.clamp(0.0, 1.0));
        } else {
            view.pan(delta.signum() * 0.1);
        }
    };

    view! {
        <div class="timeline" data-testid="timeline">
            <div class="ruler" data-testid="ruler">
                <div class="ruler-label" style=move || format!("width: {}%", label_share.get() * 100.0)>
                    {move || format!("{} rows", row_count())}
                </div>
                <ColumnResizer/>
                <div class="ruler-ticks">
                    {move || tick_marks().into_iter().map(|tick| view! {
                        <span class="tick" style=format!("left: {:.4}%", tick.frac * 100.0)>{tick.label}</span>
                    }).collect_view()}
                </div>
            </div>
            <div
                class="timeline-scroller"
                data-testid="timeline-scroller"
                node_ref=scroller
                on:scroll=move |ev| scroll_top.set(f64::from(event_target::<leptos::web_sys::Element>(&ev).scroll_top()))
                on:wheel=on_wheel
            >
                <div class="timeline-viewport" style=move || format!("height: {}px", height.get())>
                    <div class="gridlines" style=move || format!("left: {}%", label_share.get() * 100.0)>
                        {move || tick_marks().into_iter().map(|tick| view! {
                            <span class="gridline" style=format!("left: {:.4}%", tick.frac * 100.0)></span>
                        }).collect_view()}
                    </div>
                    <div class="rows" style=move || format!("transform: translateY({}px)", offset_px())>
                        <For each=models key=|m| m.key children=move |model| view! { <Row model/> }/>
                    </div>
                </div>
                <div class="timeline-spacer" style=move || format!("height: {}px", (spacer_px() - height.get()).max(0.0))></div>
            </div>
        </div>
    }
}

/// The handle between the label column and the bars: drag it to resize the column.
#[component]
fn ColumnResizer() -> impl IntoView {
    let view = expect_context::<TraceView>();
    let dragging = RwSignal::new(false);
    let share_at = move |ev: &leptos::web_sys::PointerEvent| -> Option<f64> {
        let target = event_target::<leptos::web_sys::Element>(ev);
        let ruler = target.parent_element()?;
        let rect = ruler.get_bounding_client_rect();
        let share = (f64::from(ev.client_x()) - rect.left()) / rect.width().max(1.0);
        Some(share.clamp(LABEL_SHARE_RANGE.0, LABEL_SHARE_RANGE.1))
    };
    view! {
        <div
            class="column-resizer"
            class:dragging=move || dragging.get()
            data-testid="column-resizer"
            title="Drag to resize the column"
            style=move || format!("left: {}%", view.label_share.get() * 100.0)
            on:pointerdown=move |ev| {
                ev.prevent_default();
                dragging.set(true);
                let target = event_target::<leptos::web_sys::Element>(&ev);
                let _ = target.set_pointer_capture(ev.pointer_id());
            }
            on:pointermove=move |ev| {
                if dragging.get_untracked() {
                    if let Some(share) = share_at(&ev) {
                        view.label_share.set(share);
                    }
                }
            }
            on:pointerup=move |_| dragging.set(false)
        ></div>
    }
}

fn virtual_top_untracked(scroll_top: f64, scale: impl Fn() -> f64) -> f64 {
    scroll_top * untrack(scale)
}

/// CSS `left`/`width` for a segment.
fn segment_style(segment: &Segment) -> String {
    format!(
        "left: {:.4}%; width: {:.4}%",
        segment.start_frac * 100.0,
        ((segment.end_frac - segment.start_frac) * 100.0).max(0.0)
    )
}

/// One row: label (indent, toggle, service, operation) and bar area.
#[component]
fn Row(model: RowModel) -> impl IntoView {
    let view = expect_context::<TraceView>();
    let idx = model.idx;
    let indent = f64::from(model.depth.min(40)) * INDENT_PX;
    let toggle = move |ev: leptos::ev::MouseEvent| {
        ev.stop_propagation();
        view.collapse.update(|c| c.toggle(idx));
    };
    let select = move |_| {
        let next = if view.selected.get_untracked() == Some(idx) {
            None
        } else {
            Some(idx)
        };
        view.selected.set(next);
    };
    let dim = model.error_mark == Some(ErrorMark::Off);
    let on_error_path = matches!(
        model.error_mark,
        Some(ErrorMark::OnPath | ErrorMark::Origin)
    );
    let is_origin = model.error_mark == Some(ErrorMark::Origin);
    let bar = model.layout.bar;
    // The duration label goes right of the bar, or left of it near the right edge.
    // The duration label goes right of the bar; near the right edge, left of it; for a bar
    // spanning nearly everything, inside its right end.
    let label_style = bar.map(|b| {
        if b.end_frac <= 0.85 {
            format!("left: {:.4}%", b.end_frac * 100.0 + 0.3)
        } else if b.start_frac >= 0.15 {
            format!("right: {:.4}%", (1.0 - b.start_frac) * 100.0 + 0.3)
        } else {
            format!("right: {:.4}%", (1.0 - b.end_frac) * 100.0 + 0.3)
        }
    });
    view! {
        <div
            class="span-row"
            class:selected=model.is_selected
            class:match=model.is_match
            class:error=model.is_error
            class:dim=dim
            class:error-path=on_error_path
            data-testid="span-row"
            title=format!("{}: {} — {}", shorten(&model.service, TITLE_CHARS), shorten(&model.operation, TITLE_CHARS), model.duration)
            data-span-id=model.span_id.clone()
            data-depth=model.depth
            on:click=select
        >
            <div class="span-label" style=format!("width: {}%", view.label_share.get_untracked() * 100.0)>
                <span class="indent" style=format!("width: {indent}px")></span>
                {if model.has_children {
                    view! {
                        <button class="toggle" data-testid="toggle" aria-expanded=(!model.collapsed).to_string() on:click=toggle>
                            {if model.collapsed { "▸" } else { "▾" }}
                        </button>
                    }.into_any()
                } else {
                    view! { <span class="toggle-space"></span> }.into_any()
                }}
                <span class="swatch" style=format!("background: {}", model.colour)></span>
                <span class="span-service" data-testid="row-service"><Name text=model.service.clone()/></span>
                <span class="span-operation" data-testid="row-operation"><Name text=model.operation.clone()/></span>
                {model.is_error.then(|| view! { <span class="error-icon" data-testid="error-icon" title="This span failed">"!"</span> })}
                {is_origin.then(|| view! { <span class="origin-badge" data-testid="error-origin" title="Deepest error on its path: where the failure likely started">"origin"</span> })}
                {(model.hidden > 0).then(|| view! { <span class="hidden-count" data-testid="hidden-count" title="Hidden descendants">{format!("+{}", model.hidden)}</span> })}
            </div>
            <div class="span-bars">
                {bar.map(|b| view! {
                    <div class="bar" data-testid="bar" style=format!("{}; background: {}", segment_style(&b), model.bar_colour)></div>
                })}
                {model.layout.self_time.iter().map(|s| view! {
                    <div class="self-time" style=format!("{}; background: {}", segment_style(s), model.bar_colour)></div>
                }).collect_view()}
                {model.layout.critical.iter().map(|s| view! {
                    <div class="critical" data-testid="critical-mark" style=segment_style(s)></div>
                }).collect_view()}
                {label_style.map(|style| view! { <span class="duration" style=style>{model.duration.clone()}</span> })}
                {model.log_ticks.iter().map(|f| view! {
                    <div class="log-tick" data-testid="log-tick" title="A log record" style=format!("left: {:.3}%", f * 100.0)></div>
                }).collect_view()}
            </div>
        </div>
    }
}
