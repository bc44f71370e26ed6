//! What is drawn in one row's bar area: the span's bar, its self-time stretches and the
//! critical-path sections on it — or, for a collapsed row, those of its hidden descendants.
//!
//! Positions are fractions of the [`TimeWindow`]; stretches closer than `resolution` (one pixel,
//! as a fraction) are merged and stretches outside the window are culled, so a collapsed root of
//! a million spans still yields a handful of segments.
use crate::core::analysis::CriticalPath;
use crate::core::model::{SpanIdx, Trace};
use crate::core::view_model::trace::time_scale::TimeWindow;

/// A stretch of a row, as fractions of the window (clipped to 0..=1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segment {
    /// Left edge.
    pub start_frac: f64,
    /// Right edge (≥ `start_frac`).
    pub end_frac: f64,
}

/// Everything drawn in a row's bar area.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BarLayout {
    /// The span's bar, if any part of it is inside the window.
    pub bar: Option<Segment>,
    /// Where the span works itself (no child running), inside the bar.
    pub self_time: Vec<Segment>,
    /// Critical-path sections of the span (or of its subtree when collapsed).
    pub critical: Vec<Segment>,
}

/// The critical-path sections grouped by span index, so that a span's sections — or a whole
/// subtree's, which are contiguous in pre-order — are found by binary search.
#[derive(Debug, Clone, Default)]
pub struct CriticalIndex {
    /// (span index, start_ns, end_ns), sorted by span index then start.
    sections: Vec<(u32, i64, i64)>,
}

impl CriticalIndex {
    /// Indexes `path`.
    pub fn new(path: &CriticalPath) -> Self {
        let mut sections: Vec<(u32, i64, i64)> = path
            .sections
            .iter()
            .map(|s| (s.span.0, s.start_ns, s.end_ns))
            .collect();
        sections.sort_unstable();
        Self { sections }
    }

    /// Sections of spans with index in `from..to`.
    fn in_range(&self, from: u32, to: u32) -> &[(u32, i64, i64)] {
        let lo = self.sections.partition_point(|s| s.0 < from);
        let hi = self.sections.partition_point(|s| s.0 < to);
        self.sections.get(lo..hi).unwrap_or(&[])
    }

    /// True when the span has at least one section.
    pub fn contains(&self, idx: SpanIdx) -> bool {
        !self.in_range(idx.0, idx.0 + 1).is_empty()
    }
}

/// How a row is drawn.
#[derive(Debug, Clone, Copy)]
pub struct BarOptions {
    /// The visible time window.
    pub window: TimeWindow,
    /// Merge distance, as a fraction of the window (about one pixel).
    pub resolution: f64,
    /// The row hides its descendants: show their critical path on it.
    pub collapsed: bool,
}

/// Lays out the bar area of row `idx`.
pub fn bar_layout(
    trace: &Trace,
    idx: SpanIdx,
    critical: &CriticalIndex,
    options: &BarOptions,
) -> BarLayout {
    let Some(span) = trace.span(idx) else {
        return BarLayout::default();
    };
    let origin = trace.start_ns;
    let window = &options.window;
    let clip = |start_ns: i64, end_ns: i64| -> Option<Segment> {
        let a = window.frac_of(start_ns.saturating_sub(origin));
        let b = window.frac_of(end_ns.saturating_sub(origin));
        if b < 0.0 || a > 1.0 {
            return None;
        }
        Some(Segment {
            start_frac: a.max(0.0),
            end_frac: b.min(1.0),
        })
    };
    let bar = clip(span.start_ns, span.end_ns());

    // Self time: the span minus the union of its children's intervals.
    let mut self_time = Vec::new();
    if bar.is_some() {
        let mut cursor = span.start_ns;
        let mut children: Vec<(i64, i64)> = trace
            .children(idx)
            .filter_map(|c| trace.span(c))
            .map(|c| (c.start_ns.max(span.start_ns), c.end_ns().min(span.end_ns())))
            .filter(|(s, e)| e > s)
            .collect();
        children.sort_unstable();
        for (child_start, child_end) in children {
            if child_start > cursor {
                self_time.extend(clip(cursor, child_start));
            }
            cursor = cursor.max(child_end);
        }
        if span.end_ns() > cursor {
            self_time.extend(clip(cursor, span.end_ns()));
        }
    }

    let range_end = if options.collapsed {
        span.subtree_end.max(idx.0 + 1)
    } else {
        idx.0 + 1
    };
    let mut stretches: Vec<(i64, i64)> = critical
        .in_range(idx.0, range_end)
        .iter()
        .map(|(_, s, e)| (*s, *e))
        .collect();
    stretches.sort_unstable();
    let critical = merge(
        stretches.into_iter().filter_map(|(s, e)| clip(s, e)),
        options.resolution,
    );
    BarLayout {
        bar,
        self_time: merge(self_time.into_iter(), options.resolution),
        critical,
    }
}

/// Merges sorted segments that touch or lie closer than `resolution`.
fn merge(segments: impl Iterator<Item = Segment>, resolution: f64) -> Vec<Segment> {
    let mut merged: Vec<Segment> = Vec::new();
    for segment in segments {
        match merged.last_mut() {
            Some(last) if segment.start_frac <= last.end_frac + resolution => {
                last.end_frac = last.end_frac.max(segment.end_frac);
            }
            _ => merged.push(segment),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::analysis::critical_path;
    use crate::core::analysis::test_trace::{idx, simple};

    fn pairs(segments: &[Segment]) -> Vec<(f64, f64)> {
        segments
            .iter()
            .map(|s| {
                (
                    (s.start_frac * 100.0).round() / 100.0,
                    (s.end_frac * 100.0).round() / 100.0,
                )
            })
            .collect()
    }

    #[test]
    fn self_time_and_critical_sections() {
        // a [0,100]: b [10,40], c [30,60] → a works alone in [0,10] and [60,100].
        let trace = simple(&[
            ("a", None, 0, 100),
            ("b", Some("a"), 10, 40),
            ("c", Some("a"), 30, 60),
        ]);
        let index = CriticalIndex::new(&critical_path(&trace));
        let options = BarOptions {
            window: TimeWindow::full(100),
            resolution: 0.0,
            collapsed: false,
        };
        let a = SpanIdx(idx(&trace, "a") as u32);
        let layout = bar_layout(&trace, a, &index, &options);
        assert_eq!(pairs(&layout.self_time), [(0.0, 0.1), (0.6, 1.0)]);
        // Jaeger semantics: a [60,100], c [30,60], a [10,30]? b ends at 40 > c's start 30, so
        // b is off the path and a is credited [0,30].
        assert_eq!(pairs(&layout.critical), [(0.0, 0.3), (0.6, 1.0)]);
        let c = SpanIdx(idx(&trace, "c") as u32);
        assert_eq!(
            pairs(&bar_layout(&trace, c, &index, &options).critical),
            [(0.3, 0.6)]
        );
        // Collapsed, a shows its subtree's path: one merged stretch.
        let collapsed = BarOptions {
            collapsed: true,
            ..options
        };
        assert_eq!(
            pairs(&bar_layout(&trace, a, &index, &collapsed).critical),
            [(0.0, 1.0)]
        );
        assert!(index.contains(c));
        assert!(!index.contains(SpanIdx(idx(&trace, "b") as u32)));
    }

    #[test]
    fn zoomed_window_clips_and_culls() {
        let trace = simple(&[("a", None, 0, 100), ("b", Some("a"), 10, 20)]);
        let index = CriticalIndex::new(&critical_path(&trace));
        let options = BarOptions {
            window: TimeWindow {
                start_ns: 50,
                end_ns: 100,
            },
            resolution: 0.0,
            collapsed: false,
        };
        let b = SpanIdx(idx(&trace, "b") as u32);
        assert_eq!(
            bar_layout(&trace, b, &index, &options),
            BarLayout::default()
        );
        let a = SpanIdx(idx(&trace, "a") as u32);
        let layout = bar_layout(&trace, a, &index, &options);
        assert_eq!(
            layout.bar.map(|s| (s.start_frac, s.end_frac)),
            Some((0.0, 1.0))
        );
    }
}
