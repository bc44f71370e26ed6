//! The time axis of the waterfall: the visible window of the trace, zoom and pan, and the
//! ruler's ticks.
//!
//! Times here are relative to the trace start, in ns. Positions are fractions of the bar area
//! (0 = left edge, 1 = right edge) so the UI can use CSS percentages or multiply by its width.
use crate::core::view_model::trace_list::format_duration_ns;

/// The narrowest window zoom may reach, in ns: below this the bars stop meaning anything.
pub const MIN_WINDOW_NS: i64 = 1_000;

/// The shown part of the trace, relative to its start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeWindow {
    /// Left edge, ns after the trace start.
    pub start_ns: i64,
    /// Right edge, ns after the trace start.
    pub end_ns: i64,
}

impl TimeWindow {
    /// The whole trace (at least 1 ns wide so fractions stay finite).
    pub fn full(duration_ns: i64) -> Self {
        Self {
            start_ns: 0,
            end_ns: duration_ns.max(1),
        }
    }

    /// Width in ns (≥ 1).
    pub fn width_ns(&self) -> i64 {
        self.end_ns.saturating_sub(self.start_ns).max(1)
    }

    /// Position of a relative time as a fraction of the window (may be outside 0..=1).
    pub fn frac_of(&self, relative_ns: i64) -> f64 {
        relative_ns.saturating_sub(self.start_ns) as f64 / self.width_ns() as f64
    }

    /// The relative time at a fraction of the window.
    pub fn ns_at(&self, frac: f64) -> i64 {
        self.start_ns + (frac * self.width_ns() as f64).round() as i64
    }

    /// True when this window shows the whole trace of `duration_ns`.
    pub fn is_full(&self, duration_ns: i64) -> bool {
        *self == Self::full(duration_ns)
    }

    /// The window between two fractions of this one (e.g. a range dragged on the minimap of
    /// the full window), kept inside the trace.
    pub fn select(&self, from_frac: f64, to_frac: f64, duration_ns: i64) -> Self {
        let (a, b) = if from_frac <= to_frac {
            (from_frac, to_frac)
        } else {
            (to_frac, from_frac)
        };
        Self {
            start_ns: self.ns_at(a),
            end_ns: self.ns_at(b),
        }
        .clamped(duration_ns)
    }

    /// Zooms by `factor` (< 1 zooms in) keeping the time under `anchor_frac` in place.
    pub fn zoom(&self, factor: f64, anchor_frac: f64, duration_ns: i64) -> Self {
        let anchor_ns = self.ns_at(anchor_frac.clamp(0.0, 1.0));
        let width = (self.width_ns() as f64 * factor).round() as i64;
        let start =
            anchor_ns.saturating_sub((anchor_frac.clamp(0.0, 1.0) * width as f64).round() as i64);
        Self {
            start_ns: start,
            end_ns: start + width,
        }
        .clamped(duration_ns)
    }

    /// Moves by `frac` of the window width (positive: later).
    pub fn pan(&self, frac: f64, duration_ns: i64) -> Self {
        let shift = (frac * self.width_ns() as f64).round() as i64;
        let width = self.width_ns();
        let max_start = (duration_ns.max(1) - width).max(0);
        let start = (self.start_ns + shift).clamp(0, max_start);
        Self {
            start_ns: start,
            end_ns: start + width,
        }
    }

    /// Keeps the window inside `0..=duration_ns` and at least [`MIN_WINDOW_NS`] wide (or the
    /// whole trace when it is shorter).
    pub fn clamped(&self, duration_ns: i64) -> Self {
        let total = duration_ns.max(1);
        let min_width = MIN_WINDOW_NS.min(total);
        let width = self
            .end_ns
            .saturating_sub(self.start_ns)
            .clamp(min_width, total);
        let start = self.start_ns.clamp(0, total - width);
        Self {
            start_ns: start,
            end_ns: start + width,
        }
    }
}

/// One ruler mark.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    /// Position in the window, 0..=1.
    pub frac: f64,
    /// Time since the trace start, for people (`250 ms`).
    pub label: String,
}

/// Ruler ticks at a round step (1, 2 or 5 × 10ⁿ ns) so that about `target_count` fit.
pub fn ticks(window: &TimeWindow, target_count: usize) -> Vec<Tick> {
    let step = nice_step(window.width_ns(), target_count.max(1));
    let first = (window.start_ns + step - 1).div_euclid(step) * step;
    let mut ticks = Vec::new();
    let mut at = first;
    while at <= window.end_ns && ticks.len() <= target_count * 3 {
        ticks.push(Tick {
            frac: window.frac_of(at),
            label: if at == 0 {
                "0".to_string()
            } else {
                format_duration_ns(at)
            },
        });
        at += step;
    }
    ticks
}

/// The smallest 1/2/5 × 10ⁿ step giving at most `target_count` intervals over `width_ns`.
fn nice_step(width_ns: i64, target_count: usize) -> i64 {
    let raw = (width_ns as f64 / target_count as f64).max(1.0);
    let mut magnitude: i64 = 1;
    while (magnitude as f64) * 10.0 <= raw && magnitude < i64::MAX / 100 {
        magnitude *= 10;
    }
    [1, 2, 5, 10]
        .iter()
        .map(|m| m * magnitude)
        .find(|step| *step as f64 >= raw)
        .unwrap_or(magnitude * 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoom_keeps_the_anchor_and_stays_inside() {
        let full = TimeWindow::full(1_000_000);
        let zoomed = full.zoom(0.5, 0.5, 1_000_000);
        assert_eq!(
            zoomed,
            TimeWindow {
                start_ns: 250_000,
                end_ns: 750_000
            }
        );
        // Zooming out past the trace gives the whole trace back.
        assert_eq!(zoomed.zoom(10.0, 0.2, 1_000_000), full);
        // Zoom stops at the minimum width.
        let tiny = full.zoom(1e-9, 0.0, 1_000_000);
        assert_eq!(tiny.width_ns(), MIN_WINDOW_NS);
        assert_eq!(tiny.start_ns, 0);
    }

    #[test]
    fn pan_and_select_stay_inside() {
        let window = TimeWindow {
            start_ns: 100,
            end_ns: 200,
        };
        assert_eq!(window.pan(-5.0, 1000).start_ns, 0);
        assert_eq!(window.pan(50.0, 1000).end_ns, 1000);
        assert_eq!(window.pan(0.5, 1000).start_ns, 150);
        let full = TimeWindow::full(10_000);
        let picked = full.select(0.8, 0.2, 10_000);
        assert_eq!((picked.start_ns, picked.end_ns), (2_000, 8_000));
        assert!((picked.frac_of(5_000) - 0.5).abs() < 1e-9);
    }

    #[test]
    fn ticks_are_round() {
        let labels: Vec<String> = ticks(&TimeWindow::full(1_000_000_000), 5)
            .into_iter()
            .map(|t| t.label)
            .collect();
        assert_eq!(labels, ["0", "200 ms", "400 ms", "600 ms", "800 ms", "1 s"]);
        let window = TimeWindow {
            start_ns: 1_230,
            end_ns: 1_770,
        };
        let marks = ticks(&window, 5);
        assert_eq!(marks.first().map(|t| t.label.as_str()), Some("1.4 µs"));
        assert!(marks.iter().all(|t| (0.0..=1.0).contains(&t.frac)));
    }
}
