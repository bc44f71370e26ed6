//! Draws a [`GraphDrawing`] (service graph or operation graph) as SVG with pan (drag) and zoom
//! (wheel, buttons), hover tooltips, clicks on nodes and edges, and export as an SVG file.
//! Everything is laid out by the core; this only turns it into elements. Text reaches the
//! page as text nodes.
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::view_model::{GraphDrawing, GraphTarget, OpeningView, GRAPH_FONT_PX};
use crate::ui::widgets::download::download_text;
use crate::ui::widgets::shared::Shared;

/// The visible part of the drawing, in drawing coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
struct ViewBox {
    x: f64,
    y: f64,
    width: f64,
    height: f64,
}

impl ViewBox {
    fn full(drawing: &GraphDrawing) -> Self {
        Self {
            x: 0.0,
            y: 0.0,
            width: drawing.width.max(1.0),
            height: drawing.height.max(1.0),
        }
    }

    fn attr(self) -> String {
        format!("{} {} {} {}", self.x, self.y, self.width, self.height)
    }

    /// Drawing units per screen pixel, and the letterbox offsets, for an element of this size
    /// (the SVG keeps the aspect ratio and centres the view box).
    fn fit(self, width_px: f64, height_px: f64) -> (f64, f64, f64) {
        let scale = (width_px / self.width)
            .min(height_px / self.height)
            .max(1e-6);
        let dx = (width_px - self.width * scale) / 2.0;
        let dy = (height_px - self.height * scale) / 2.0;
        (scale, dx, dy)
    }

    /// Zoomed by `factor` (< 1 zooms in) around the drawing point (`gx`, `gy`).
    fn zoomed(self, factor: f64, gx: f64, gy: f64, full: ViewBox) -> Self {
        let width = (self.width * factor).clamp(full.width / 40.0, full.width * 4.0);
        let factor = width / self.width;
        Self {
            x: gx - (gx - self.x) * factor,
            y: gy - (gy - self.y) * factor,
            width,
            height: self.height * factor,
        }
    }
}

/// The tallest an element opened at a readable scale gets, px (the page scrolls past it).
const OPEN_MAX_HEIGHT_PX: f64 = 640.0;

/// An interactive graph.
#[component]
pub fn GraphView(
    /// What to draw.
    #[prop(into)]
    drawing: Signal<Shared<GraphDrawing>>,
    /// The key of a node to highlight (a selected service).
    #[prop(into)]
    highlighted: Signal<Option<String>>,
    /// Called with what was clicked.
    on_click: Callback<GraphTarget>,
    /// File name of the SVG export, without extension.
    #[prop(into)]
    export_name: Signal<String>,
    /// `data-testid` of the SVG element.
    testid: &'static str,
) -> impl IntoView {
    let svg_ref = NodeRef::<leptos::svg::Svg>::new();
    let width_px = RwSignal::new(1000.0);
    Effect::new(move |_| {
        if let Some(svg) = svg_ref.get() {
            let rect = svg.get_bounding_client_rect();
            if rect.width() > 0.0 {
                width_px.set(rect.width());
            }
        }
    });
    // How the drawing opens: fitted when its labels stay readable, else at scale 1 around the
    // root (`GraphDrawing::opening_view`); Fit shows the whole drawing in the same element.
    let opening =
        Memo::new(move |_| drawing.with(|d| d.opening_view(width_px.get(), OPEN_MAX_HEIGHT_PX)));
    let opened = |open: OpeningView| ViewBox {
        x: open.x,
        y: open.y,
        width: open.width,
        height: open.height,
    };
    let view_box = RwSignal::new(opened(opening.get_untracked()));
    // A new drawing (more files, another filter) or a new width opens again.
    Effect::new(move |_| view_box.set(opened(opening.get())));
    let height = move || opening.with(|open| open.element_height);
    let fitted = move || {
        let full = ViewBox::full(&drawing.get());
        view_box.get() == full
    };

    // Screen ↔ drawing coordinates.
    let to_drawing = move |client_x: f64, client_y: f64| -> Option<(f64, f64, f64)> {
        let svg = svg_ref.get_untracked()?;
        let rect = svg.get_bounding_client_rect();
        let vb = view_box.get_untracked();
        let (scale, dx, dy) = vb.fit(rect.width(), rect.height());
        Some((
            vb.x + (client_x - rect.left() - dx) / scale,
            vb.y + (client_y - rect.top() - dy) / scale,
            scale,
        ))
    };
    let zoom_at_centre = move |factor: f64| {
        let vb = view_box.get_untracked();
        let full = ViewBox::full(&drawing.get_untracked());
        view_box.set(vb.zoomed(factor, vb.x + vb.width / 2.0, vb.y + vb.height / 2.0, full));
    };
    // Ctrl + wheel zooms (a plain wheel scrolls the page, as on the timeline).
    let on_wheel = move |ev: leptos::ev::WheelEvent| {
        if !(ev.ctrl_key() || ev.meta_key()) {
            return;
        }
        ev.prevent_default();
        let Some((gx, gy, _)) = to_drawing(f64::from(ev.client_x()), f64::from(ev.client_y()))
        else {
            return;
        };
        let factor = if ev.delta_y() > 0.0 { 1.15 } else { 1.0 / 1.15 };
        let full = ViewBox::full(&drawing.get_untracked());
        view_box.update(|vb| *vb = vb.zoomed(factor, gx, gy, full));
    };
    // Dragging pans; a press that moved more than a few pixels is not a click.
    let drag = StoredValue::new(None::<(f64, f64, ViewBox, f64)>);
    let dragged = StoredValue::new(false);
    let on_down = move |ev: leptos::ev::PointerEvent| {
        if ev.button() != 0 {
            return;
        }
        let Some((_, _, scale)) = to_drawing(f64::from(ev.client_x()), f64::from(ev.client_y()))
        else {
            return;
        };
        drag.set_value(Some((
            f64::from(ev.client_x()),
            f64::from(ev.client_y()),
            view_box.get_untracked(),
            scale,
        )));
        dragged.set_value(false);
    };
    let on_move = move |ev: leptos::ev::PointerEvent| {
        let Some((x0, y0, start, scale)) = drag.get_value() else {
            return;
        };
        let (dx, dy) = (f64::from(ev.client_x()) - x0, f64::from(ev.client_y()) - y0);
        if dx.abs() + dy.abs() > 4.0 {
            dragged.set_value(true);
        }
        if dragged.get_value() {
            view_box.set(ViewBox {
                x: start.x - dx / scale,
                y: start.y - dy / scale,
                ..start
            });
        }
    };
    let on_up = move |_| drag.set_value(None);
    let click = move |target: GraphTarget| {
        if !dragged.get_value() {
            on_click.run(target);
        }
    };

    let export = move |_| {
        let Some(svg) = svg_ref.get_untracked() else {
            return;
        };
        let full = ViewBox::full(&drawing.get_untracked());
        let Ok(copy) = svg.clone_node_with_deep(true) else {
            return;
        };
        let Ok(copy) = copy.dyn_into::<web_sys::Element>() else {
            return;
        };
        let _ = copy.set_attribute("xmlns", "http://www.w3.org/2000/svg");
        let _ = copy.set_attribute("viewBox", &full.attr());
        let _ = copy.set_attribute("width", &format!("{:.0}", full.width));
        let _ = copy.set_attribute("height", &format!("{:.0}", full.height));
        let _ = copy.remove_attribute("style");
        let Ok(serializer) = web_sys::XmlSerializer::new() else {
            return;
        };
        let Ok(text) = serializer.serialize_to_string(&copy) else {
            return;
        };
        // The framework's empty placeholder comments are no part of the picture; characters
        // XML forbids (a U+0001 in a name) would stop the file from opening.
        let text = crate::core::view_model::xml_safe(&text.replace("<!---->", "")).into_owned();
        let name = format!("{}.svg", export_name.get_untracked());
        if let Err(error) = download_text(&name, "image/svg+xml", &text) {
            leptos::logging::warn!("SVG export failed: {error}");
        }
    };

    let font = format!("{GRAPH_FONT_PX}");
    view! {
        <div class="graph-view">
            <div class="graph-controls">
                <button class="button small" title="Zoom in" on:click=move |_| zoom_at_centre(1.0 / 1.4)>"+"</button>
                <button class="button small" title="Zoom out" on:click=move |_| zoom_at_centre(1.4)>"−"</button>
                <button class="button small" class:active-toggle=fitted data-testid=format!("{testid}-fit")
                    title="Show the whole graph (it opens at a scale where its labels can be read)"
                    on:click=move |_| view_box.set(ViewBox::full(&drawing.get_untracked()))>"Fit"</button>
                <button class="button small" data-testid=format!("{testid}-export") on:click=export>"Export SVG"</button>
                <span class="graph-hint">"Drag to pan, Ctrl + wheel to zoom, hover for details."</span>
            </div>
            <svg
                node_ref=svg_ref
                class="graph-svg"
                data-testid=testid
                viewBox=move || view_box.get().attr()
                preserveAspectRatio="xMidYMid meet"
                style=move || format!("height: {:.0}px", height())
                font-family="ui-monospace, SFMono-Regular, Menlo, Consolas, monospace"
                font-size=font
                on:wheel=on_wheel
                on:pointerdown=on_down
                on:pointermove=on_move
                on:pointerup=on_up
                on:pointerleave=on_up
            >
                <defs>
                    <marker id=format!("{testid}-arrow") viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto">
                        <path d="M0,0 L10,5 L0,10 z" fill="#7d8799"></path>
                    </marker>
                    <marker id=format!("{testid}-arrow-error") viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto">
                        <path d="M0,0 L10,5 L0,10 z" fill="#c62f2f"></path>
                    </marker>
                </defs>
                <rect class="graph-bg" x="-100000" y="-100000" width="200000" height="200000" fill="#ffffff"></rect>
                {move || {
                    let drawing = drawing.get();
                    let selected = highlighted.get();
                    let edges = drawing
                        .edges
                        .iter()
                        .enumerate()
                        .map(|(i, edge)| {
                            let marker = if edge.stroke == "#7d8799" {
                                format!("url(#{testid}-arrow)")
                            } else {
                                format!("url(#{testid}-arrow-error)")
                            };
                            let touches = selected.as_ref().is_none_or(|key| {
                                edge.key.starts_with(&format!("{key} → "))
                                    || edge.key.ends_with(&format!(" → {key}"))
                            });
                            let label = edge.label_rect;
                            view! {
                                <g class="graph-edge" data-testid="graph-edge" data-key=edge.key.clone()
                                    opacity=if touches { "1" } else { "0.3" }
                                    on:click=move |_| click(GraphTarget::Edge(i))>
                                    <title>{edge.tooltip.clone()}</title>
                                    <path d=edge.path.clone() fill="none" stroke="transparent" stroke-width="12"></path>
                                    <path d=edge.path.clone() fill="none" stroke=edge.stroke stroke-width=format!("{:.1}", edge.width) marker-end=marker></path>
                                    <rect class="edge-label-bg" x=label.x - label.width / 2.0 y=label.y - label.height / 2.0 width=label.width height=label.height rx="3" fill="#ffffff" fill-opacity="0.92"></rect>
                                    <text x=label.x y=label.y + 4.0 text-anchor="middle" font-size="11" fill=edge.stroke data-testid="edge-label">{edge.label.clone()}</text>
                                </g>
                            }
                        })
                        .collect_view();
                    let nodes = drawing
                        .nodes
                        .iter()
                        .enumerate()
                        .map(|(i, node)| {
                            let r = node.rect;
                            let is_selected = selected.as_deref() == Some(node.key.as_str());
                            let (left, top) = (r.x - r.width / 2.0, r.y - r.height / 2.0);
                            let lines = node
                                .lines
                                .iter()
                                .enumerate()
                                .map(|(n, line)| {
                                    let y = top + 17.0 + n as f64 * 16.0;
                                    let (weight, colour) = if n == 0 { ("600", "#1d2330") } else { ("400", "#5d6677") };
                                    view! { <text x=r.x y=y text-anchor="middle" font-weight=weight fill=colour>{line.clone()}</text> }
                                })
                                .collect_view();
                            let stripe = node.stripe.map(|colour| view! {
                                <rect x=left y=top width="5" height=r.height rx="2" fill=colour></rect>
                            });
                            view! {
                                <g class="graph-node" class:selected=is_selected data-testid="graph-node" data-key=node.key.clone()
                                    on:click=move |_| click(GraphTarget::Node(i))>
                                    <title>{node.tooltip.clone()}</title>
                                    <rect x=left y=top width=r.width height=r.height rx="6" fill=node.fill
                                        stroke=if is_selected { "#2f6fdd" } else { node.stroke }
                                        stroke-width=if is_selected { "3" } else { "1.5" }></rect>
                                    {stripe}
                                    {lines}
                                </g>
                            }
                        })
                        .collect_view();
                    view! { <g>{edges}{nodes}</g> }
                }}
            </svg>
        </div>
    }
}
