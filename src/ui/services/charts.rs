//! The services view's charts, drawn with plotters on a `<canvas>`: trace duration over start
//! time (a click on a point opens its trace) and one operation's latency histogram with its
//! p50/p95/p99 marks. The data comes from `core::view_model::charts`.
use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

use crate::core::view_model::{
    format_duration_ns, format_start_ns, shorten, Histogram, ScatterAxes, ScatterPoint, NAME_CHARS,
};
use crate::ui::widgets::shared::Shared;

/// Canvas size, CSS px.
const WIDTH: u32 = 560;
const HEIGHT: u32 = 300;

/// A chart's colours in the page's theme (read when drawn; see `style/main.css`'s dark theme).
#[derive(Clone, Copy)]
struct Palette {
    background: RGBColor,
    text: RGBColor,
    axis: RGBColor,
    grid: RGBColor,
}

impl Palette {
    /// The colours for the theme the page shows now (`<html data-theme="dark">` or not).
    fn current() -> Self {
        let dark = document()
            .document_element()
            .and_then(|root| root.get_attribute("data-theme"))
            .is_some_and(|theme| theme == "dark");
        if dark {
            Self {
                background: RGBColor(28, 32, 39),
                text: RGBColor(227, 231, 238),
                axis: RGBColor(154, 163, 178),
                grid: RGBColor(40, 45, 54),
            }
        } else {
            Self {
                background: WHITE,
                text: BLACK,
                axis: BLACK,
                grid: RGBColor(240, 242, 246),
            }
        }
    }

    /// Label text in this palette.
    fn label(&self) -> TextStyle<'static> {
        ("sans-serif", 12).into_font().color(&self.text)
    }
}

/// Milliseconds, for axes.
fn ms(ns: f64) -> f64 {
    ns / 1e6
}

/// Draws the scatter; returns each point's pixel position and trace index, for clicks.
fn draw_scatter(
    canvas: web_sys::HtmlCanvasElement,
    points: &[ScatterPoint],
) -> Result<Vec<(f64, f64, usize)>, String> {
    let backend = CanvasBackend::with_canvas_object(canvas).ok_or("no 2D canvas")?;
    let root = backend.into_drawing_area();
    let palette = Palette::current();
    root.fill(&palette.background).map_err(|e| e.to_string())?;
    // Nothing to draw (a filter that matches no trace): an empty canvas, no axes.
    let Some(axes) = ScatterAxes::of(points) else {
        root.present().map_err(|e| e.to_string())?;
        return Ok(Vec::new());
    };
    let (first, span) = (axes.first_ns, axes.span_ns);
    // Durations span orders of magnitude: a logarithmic axis keeps short traces apart.
    let (shortest, longest) = (axes.shortest_ms, axes.longest_ms);
    let x_range = -span * 0.03..span * 1.03;
    let mut chart = ChartBuilder::on(&root)
        .margin(12)
        .x_label_area_size(34)
        .y_label_area_size(64)
        .build_cartesian_2d(x_range, (shortest * 0.6..longest * 1.6).log_scale())
        .map_err(|e| e.to_string())?;
    // "2018-11-19 22:27:32.979 UTC": the date when the traces span days, else the time.
    let time_label = |x: &f64| {
        let text = format_start_ns(first.saturating_add(*x as i64));
        let part = if span > 2.0 * 86_400e9 {
            text.get(0..10)
        } else if span > 60e9 {
            text.get(11..19)
        } else {
            text.get(11..23)
        };
        part.unwrap_or(&text).to_string()
    };
    chart
        .configure_mesh()
        .x_labels(5)
        .y_labels(6)
        .x_label_formatter(&time_label)
        .y_label_formatter(&|y: &f64| format_duration_ns((*y * 1e6) as i64))
        .x_desc("start (UTC)")
        .y_desc("duration (log)")
        .light_line_style(palette.grid)
        .axis_style(palette.axis)
        .label_style(palette.label())
        .axis_desc_style(palette.label())
        .draw()
        .map_err(|e| e.to_string())?;
    let ok = RGBColor(47, 111, 221);
    let failed = RGBColor(198, 47, 47);
    chart
        .draw_series(points.iter().map(|p| {
            let colour = if p.errors > 0 { failed } else { ok };
            Circle::new(
                (
                    p.start_ns.saturating_sub(first) as f64,
                    ms(p.duration_ns as f64).max(shortest),
                ),
                5,
                colour.mix(0.75).filled(),
            )
        }))
        .map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())?;
    Ok(points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let (x, y) = chart.backend_coord(&(
                p.start_ns.saturating_sub(first) as f64,
                ms(p.duration_ns as f64),
            ));
            (f64::from(x), f64::from(y), i)
        })
        .collect())
}

/// Trace duration over start time. Clicking a point calls `on_open` with its trace ID.
#[component]
pub fn TraceScatter(
    /// One point per trace.
    #[prop(into)]
    points: Signal<Shared<Vec<ScatterPoint>>>,
    /// Opens a trace.
    on_open: Callback<String>,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let hits = RwSignal::new(Vec::<(f64, f64, usize)>::new());
    let failure = RwSignal::new(None::<String>);
    let state = expect_context::<crate::ui::state::AppState>();
    Effect::new(move |_| {
        let points = points.get();
        state.dark.track();
        let Some(element) = canvas.get() else { return };
        match draw_scatter(element, &points) {
            Ok(found) => {
                hits.set(found);
                failure.set(None);
            }
            Err(error) => failure.set(Some(format!("The chart could not be drawn: {error}"))),
        }
    });
    let hovered = RwSignal::new(None::<usize>);
    let nearest = move |ev: &leptos::ev::MouseEvent| {
        let (x, y) = (f64::from(ev.offset_x()), f64::from(ev.offset_y()));
        hits.with_untracked(|hits| {
            hits.iter()
                .map(|(px, py, i)| ((px - x).hypot(py - y), *i))
                .filter(|(distance, _)| *distance <= 8.0)
                .min_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, i)| i)
        })
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        if let Some(i) = nearest(&ev) {
            if let Some(point) = points.with_untracked(|p| p.get(i).cloned()) {
                on_open.run(point.trace_id);
            }
        }
    };
    let on_move = move |ev: leptos::ev::MouseEvent| hovered.set(nearest(&ev));
    let caption = move || {
        let Some(i) = hovered.get() else {
            return "Each dot is a trace (red: with errors). Click one to open it.".to_string();
        };
        points.with(|p| {
            p.get(i).map_or(String::new(), |p| {
                format!(
                    "{} · {} · {} spans{} · {}",
                    shorten(&p.root, NAME_CHARS),
                    format_duration_ns(p.duration_ns),
                    p.spans,
                    if p.errors > 0 {
                        format!(" · {} errors", p.errors)
                    } else {
                        String::new()
                    },
                    p.trace_id
                )
            })
        })
    };
    view! {
        <figure class="chart" data-testid="scatter">
            <figcaption>"Trace duration over time"</figcaption>
            <canvas node_ref=canvas width=WIDTH height=HEIGHT data-testid="scatter-canvas"
                data-points=move || points.with(|p| p.len())
                // Where the first points are drawn, for tests that click one.
                data-hits=move || hits.with(|h| {
                    h.iter().take(50).map(|(x, y, _)| format!("{x:.0},{y:.0}")).collect::<Vec<_>>().join(";")
                })
                class:pointer=move || hovered.get().is_some()
                on:click=on_click on:mousemove=on_move></canvas>
            <p class="chart-caption" data-testid="scatter-caption">{caption}</p>
            {move || failure.get().map(|f| view! { <p class="error-text">{f}</p> })}
        </figure>
    }
}

/// Draws the histogram with its percentile marks.
fn draw_histogram(canvas: web_sys::HtmlCanvasElement, histogram: &Histogram) -> Result<(), String> {
    let backend = CanvasBackend::with_canvas_object(canvas).ok_or("no 2D canvas")?;
    let root = backend.into_drawing_area();
    let palette = Palette::current();
    root.fill(&palette.background).map_err(|e| e.to_string())?;
    let (Some(first), Some(last)) = (histogram.bins.first(), histogram.bins.last()) else {
        root.present().map_err(|e| e.to_string())?;
        return Ok(());
    };
    let (low, high) = (
        ms(first.low_ns),
        ms(last.high_ns).max(ms(first.low_ns) + 0.001),
    );
    let tallest = histogram.bins.iter().map(|b| b.count).max().unwrap_or(1) as f64;
    let mut chart = ChartBuilder::on(&root)
        .margin(12)
        .x_label_area_size(34)
        .y_label_area_size(48)
        .build_cartesian_2d(low..high, 0.0..tallest * 1.2)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_labels(6)
        .y_labels(5)
        .x_label_formatter(&|x: &f64| format_duration_ns((*x * 1e6) as i64))
        // Counts are whole: no label for fractional ticks.
        .y_label_formatter(&|y: &f64| {
            if (y - y.round()).abs() < 1e-9 {
                format!("{y:.0}")
            } else {
                String::new()
            }
        })
        .x_desc("duration")
        .y_desc("spans")
        .light_line_style(palette.grid)
        .axis_style(palette.axis)
        .label_style(palette.label())
        .axis_desc_style(palette.label())
        .draw()
        .map_err(|e| e.to_string())?;
    let bar = RGBColor(78, 121, 167);
    chart
        .draw_series(histogram.bins.iter().map(|b| {
            Rectangle::new(
                [(ms(b.low_ns), 0.0), (ms(b.high_ns), b.count as f64)],
                bar.mix(0.8).filled(),
            )
        }))
        .map_err(|e| e.to_string())?;
    let marks = [
        ("p50", histogram.p50_ns, RGBColor(89, 161, 79)),
        ("p95", histogram.p95_ns, RGBColor(242, 142, 43)),
        ("p99", histogram.p99_ns, RGBColor(198, 47, 47)),
    ];
    for (n, (name, value, colour)) in marks.into_iter().enumerate() {
        let x = ms(value);
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x, 0.0), (x, tallest * 1.2)],
                colour.stroke_width(2),
            )))
            .map_err(|e| e.to_string())?;
        let label_y = tallest * (1.16 - 0.09 * n as f64);
        // Near the right edge the label goes left of its line, so it is not cut off.
        let label_x = if x > low + (high - low) * 0.7 {
            x - (high - low) * 0.2
        } else {
            x
        };
        chart
            .draw_series(std::iter::once(Text::new(
                format!("{name} {}", format_duration_ns(value as i64)),
                (label_x, label_y),
                ("sans-serif", 12).into_font().color(&colour),
            )))
            .map_err(|e| e.to_string())?;
    }
    root.present().map_err(|e| e.to_string())
}

/// One operation's latency histogram. `choices` are the operations to pick from
/// (`(service, operation)`), `histogram_of` computes the data for one.
#[component]
pub fn LatencyHistogram(
    /// Operations to choose from, first one shown by default.
    #[prop(into)]
    choices: Signal<Vec<(String, String)>>,
    /// The histogram of an operation.
    histogram_of: Callback<(String, String), Histogram>,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let picked = RwSignal::new(0usize);
    // A new set of operations starts at the first one.
    Effect::new(move |_| {
        choices.track();
        picked.set(0);
    });
    let histogram = Memo::new(move |_| {
        let choice = choices.with(|c| c.get(picked.get()).cloned());
        Shared::new(choice.map(|c| histogram_of.run(c)).unwrap_or_default())
    });
    let failure = RwSignal::new(None::<String>);
    let state = expect_context::<crate::ui::state::AppState>();
    Effect::new(move |_| {
        let histogram = histogram.get();
        state.dark.track();
        let Some(element) = canvas.get() else { return };
        failure.set(draw_histogram(element, &histogram).err());
    });
    let options = move || {
        choices
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, (service, operation))| {
                view! { <option value=i.to_string() selected=move || picked.get() == i>{shorten(&format!("{service}: {operation}"), NAME_CHARS)}</option> }
            })
            .collect_view()
    };
    let on_change = move |ev: leptos::ev::Event| {
        if let Ok(i) = event_target_value(&ev).parse::<usize>() {
            picked.set(i);
        }
    };
    let summary = move || {
        let h = histogram.get();
        format!(
            "{} spans · p50 {} · p95 {} · p99 {}",
            h.count,
            format_duration_ns(h.p50_ns as i64),
            format_duration_ns(h.p95_ns as i64),
            format_duration_ns(h.p99_ns as i64)
        )
    };
    view! {
        <figure class="chart" data-testid="histogram">
            <figcaption>
                "Latency of "
                <select data-testid="histogram-operation" on:change=on_change>{options}</select>
            </figcaption>
            <canvas node_ref=canvas width=WIDTH height=HEIGHT data-testid="histogram-canvas"></canvas>
            <p class="chart-caption" data-testid="histogram-summary">{summary}</p>
            {move || failure.get().map(|f| view! { <p class="error-text">{format!("The chart could not be drawn: {f}")}</p> })}
        </figure>
    }
}
