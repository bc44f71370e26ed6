//! The state of an open trace page, shared by its components through context: the trace (with
//! or without clock-skew adjustment), its analysis, and what the user has collapsed, zoomed,
//! selected and searched. Everything derived is a `Memo` over the core's view models.
use std::sync::Arc;

use leptos::prelude::*;

use crate::core::analysis::{adjust_clock_skew, analyze_trace, TraceAnalysis};
use crate::core::logs::IndexedLogs;
use crate::core::model::{SpanIdx, Trace};
use crate::core::view_model::{
    find_spans_with_logs, visible_rows, CollapseState, CriticalIndex, QuickFilters, SpanMatches,
    SpanQuery, TimeWindow,
};
use crate::ui::widgets::shared::Shared;

/// How a span is marked in error-path mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorMark {
    /// Not on any root-to-error chain.
    Off,
    /// On a chain.
    OnPath,
    /// The deepest error of a chain: where the failure likely started.
    Origin,
}

/// Signals and memos of one open trace (see the module docs).
#[derive(Clone, Copy)]
pub struct TraceView {
    /// The trace as shown: clock-skew adjusted when `skew_adjusted` is on.
    pub trace: Memo<Option<Shared<Trace>>>,
    /// The trace's log records, indexed by time and span (built in steps after the trace
    /// opens: empty until then).
    pub logs: RwSignal<Shared<IndexedLogs>>,
    /// How many warnings the adjustment added (spans moved), when on.
    pub skew_moves: Memo<usize>,
    /// Self time, critical path, bottlenecks and error paths of `trace`.
    pub analysis: Memo<Option<Shared<TraceAnalysis>>>,
    /// Critical-path sections by span, for drawing.
    pub critical: Memo<Shared<CriticalIndex>>,
    /// Collapsed subtrees.
    pub collapse: RwSignal<CollapseState>,
    /// The zoomed time window.
    pub window: RwSignal<TimeWindow>,
    /// The span whose detail is open.
    pub selected: RwSignal<Option<SpanIdx>>,
    /// The search box's text.
    pub search: RwSignal<String>,
    /// Quick filters (errors, critical path, slow).
    pub filters: RwSignal<QuickFilters>,
    /// Show only matching rows.
    pub matches_only: RwSignal<bool>,
    /// Highlight root-to-error chains.
    pub error_mode: RwSignal<bool>,
    /// Apply clock-skew adjustment.
    pub skew_adjusted: RwSignal<bool>,
    /// The keyboard-shortcut overlay is open.
    pub help_open: RwSignal<bool>,
    /// Colour bars by each span's percentile in the active baseline instead of by service.
    pub vs_baseline: RwSignal<bool>,
    /// A row the timeline should scroll into view.
    pub scroll_request: RwSignal<Option<SpanIdx>>,
    /// Share of the timeline's width given to the service/operation column (drag to resize).
    pub label_share: RwSignal<f64>,
    /// Rendered off-screen once at start-up (see `trace_page::warm_up_trace_page`): the
    /// timeline then assumes a size instead of waiting for a measurement.
    pub is_preview: bool,
    /// Spans matching the search and filters.
    pub matches: Memo<Shared<SpanMatches>>,
    /// Error-path marks per span (empty unless error mode is on).
    pub error_marks: Memo<Shared<Vec<ErrorMark>>>,
    /// The rows of the waterfall, in order.
    pub rows: Memo<Shared<Vec<SpanIdx>>>,
}

impl TraceView {
    /// Creates the state for `loaded` and provides it as context.
    pub fn provide(loaded: Signal<Option<Shared<Trace>>>, is_preview: bool) -> Self {
        let skew_adjusted = RwSignal::new(false);
        let trace = Memo::new(move |_| {
            let loaded = loaded.get()?;
            if skew_adjusted.get() {
                if let Some(adjusted) = adjust_clock_skew(&loaded) {
                    return Some(Shared(Arc::new(adjusted)));
                }
            }
            Some(loaded)
        });
        let skew_moves = Memo::new(move |_| {
            let (Some(shown), Some(original)) = (trace.get(), loaded.get()) else {
                return 0;
            };
            shown.warnings.len().saturating_sub(original.warnings.len())
        });
        let app = use_context::<crate::ui::state::AppState>();
        let analysis = Memo::new(move |_| {
            trace.get().map(|t| {
                // The worker analysed the trace as loaded; the skew-adjusted one is new.
                if let Some(done) = app.and_then(|app| app.cached_analysis(&t.0)) {
                    return Shared(done);
                }
                Shared::new(crate::ui::state::timed("tracagg: analyse trace", || {
                    analyze_trace(&t)
                }))
            })
        });
        // The trace's log records (from log files loaded before or after it), indexed in
        // steps between browser tasks: a million records on one span never block the page.
        let logs = RwSignal::new(Shared::new(IndexedLogs::default()));
        let logs_ticket = StoredValue::new(0u64);
        Effect::new(move |_| {
            let (Some(app), Some(trace)) = (app, trace.get()) else {
                logs.set(Shared::new(IndexedLogs::default()));
                return;
            };
            let masking = app.mask_secrets.get();
            let mut builder = app
                .logs
                .with(|store| IndexedLogs::builder(store, Arc::clone(&trace.0), masking));
            let ticket = logs_ticket.get_value().wrapping_add(1);
            logs_ticket.set_value(ticket);
            let current = move || logs_ticket.try_get_value() == Some(ticket);
            leptos::task::spawn_local(async move {
                /// Records indexed per browser task.
                const STEP: usize = 100_000;
                while !builder.step(STEP) {
                    crate::source::yield_to_browser().await;
                    if !current() {
                        return;
                    }
                }
                if current() {
                    let _ = logs.try_set(Shared::new(builder.finish()));
                }
            });
        });
        let critical = Memo::new(move |_| {
            Shared::new(
                analysis
                    .get()
                    .map(|a| CriticalIndex::new(&a.critical_path))
                    .unwrap_or_default(),
            )
        });
        let search = RwSignal::new(String::new());
        let filters = RwSignal::new(QuickFilters::default());
        let matches = Memo::new(move |_| {
            let (Some(trace), Some(analysis)) = (trace.get(), analysis.get()) else {
                return Shared::new(SpanMatches::default());
            };
            let query = search.with(|text| SpanQuery::parse(text));
            // Text terms also find spans by their log messages.
            let logs = logs.get();
            Shared::new(find_spans_with_logs(
                &trace,
                &query,
                &filters.get(),
                &analysis.critical_path.span_ns,
                Some(&logs),
            ))
        });
        let error_mode = RwSignal::new(false);
        let error_marks = Memo::new(move |_| {
            let mut marks = Vec::new();
            if error_mode.get() {
                if let (Some(trace), Some(analysis)) = (trace.get(), analysis.get()) {
                    marks = vec![ErrorMark::Off; trace.spans.len()];
                    for path in &analysis.error_paths {
                        for idx in &path.chain {
                            if let Some(mark) = marks.get_mut(idx.get()) {
                                if *mark == ErrorMark::Off {
                                    *mark = ErrorMark::OnPath;
                                }
                            }
                        }
                        if let Some(mark) = marks.get_mut(path.origin.get()) {
                            *mark = ErrorMark::Origin;
                        }
                    }
                }
            }
            Shared::new(marks)
        });
        let collapse = RwSignal::new(CollapseState::expanded());
        let matches_only = RwSignal::new(false);
        let rows = Memo::new(move |_| {
            let Some(trace) = trace.get() else {
                return Shared::new(Vec::new());
            };
            let filtering = !search.with(|s| s.trim().is_empty()) || !filters.get().is_empty();
            if matches_only.get() && filtering {
                return Shared::new(matches.get().list.clone());
            }
            collapse.with(|state| Shared::new(visible_rows(&trace, state)))
        });
        let view = Self {
            trace,
            logs,
            skew_moves,
            analysis,
            critical,
            collapse,
            window: RwSignal::new(TimeWindow::full(1)),
            selected: RwSignal::new(None),
            search,
            filters,
            matches_only,
            error_mode,
            skew_adjusted,
            help_open: RwSignal::new(false),
            vs_baseline: RwSignal::new(false),
            scroll_request: RwSignal::new(None),
            label_share: RwSignal::new(0.32),
            is_preview,
            matches,
            error_marks,
            rows,
        };
        provide_context(view);
        view
    }

    /// Duration of the shown trace, ns.
    pub fn duration_ns(&self) -> i64 {
        self.trace
            .with_untracked(|t| t.as_ref().map_or(1, |t| t.duration_ns()))
    }

    /// Selects `idx`, expanding its ancestors and scrolling it into view.
    pub fn focus(&self, idx: SpanIdx) {
        if let Some(trace) = self.trace.get_untracked() {
            let mut changed = false;
            self.collapse
                .update_untracked(|c| changed = c.reveal(&trace, idx));
            if changed {
                self.collapse.notify();
            }
        }
        self.selected.set(Some(idx));
        self.scroll_request.set(Some(idx));
    }

    /// Moves to the next (or previous) search match.
    pub fn step_match(&self, forward: bool) {
        let next = self
            .matches
            .with_untracked(|m| m.step(self.selected.get_untracked(), forward));
        if let Some(idx) = next {
            self.focus(idx);
        }
    }

    /// Moves the selection to the next (or previous) visible row.
    pub fn step_row(&self, forward: bool) {
        let next = self.rows.with_untracked(|rows| {
            let current = self.selected.get_untracked();
            let pos = current.map(|idx| rows.partition_point(|r| *r < idx));
            let next_pos = match (pos, forward) {
                (None, true) => Some(0),
                (None, false) => rows.len().checked_sub(1),
                (Some(p), true) => {
                    let on_row = rows.get(p) == current.as_ref();
                    Some(if on_row { p + 1 } else { p })
                }
                (Some(p), false) => p.checked_sub(1),
            };
            next_pos.and_then(|p| rows.get(p).copied())
        });
        if let Some(idx) = next {
            self.selected.set(Some(idx));
            self.scroll_request.set(Some(idx));
        }
    }

    /// Zooms the time window by `factor` around the middle.
    pub fn zoom(&self, factor: f64, anchor_frac: f64) {
        let duration = self.duration_ns();
        self.window
            .update(|w| *w = w.zoom(factor, anchor_frac, duration));
    }

    /// Pans the time window by a fraction of its width.
    pub fn pan(&self, frac: f64) {
        let duration = self.duration_ns();
        self.window.update(|w| *w = w.pan(frac, duration));
    }

    /// Shows the whole trace again.
    pub fn reset_zoom(&self) {
        self.window.set(TimeWindow::full(self.duration_ns()));
    }
}
