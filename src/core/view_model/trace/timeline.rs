//! Which spans are rows of the waterfall: one linear pass over the pre-order span array that
//! skips collapsed subtrees (jaeger-ui's `generateRowStates`, without recursion).
//!
//! Collapse state is "a default rule plus exceptions": every span at depth ≥ `depth_limit` is
//! collapsed unless toggled, every other one is expanded unless toggled. "Collapse all",
//! "expand all" and "expand to depth N" are therefore O(1), whatever the trace size.
use rustc_hash::FxHashSet;

use crate::core::model::{SpanIdx, Trace};

/// Which spans hide their descendants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CollapseState {
    /// Spans at this depth or deeper are collapsed by default; `None`: all expanded.
    depth_limit: Option<u32>,
    /// Spans whose state is the opposite of the default rule.
    toggled: FxHashSet<u32>,
}

impl CollapseState {
    /// Everything expanded.
    pub fn expanded() -> Self {
        Self::default()
    }

    /// Expands every span.
    pub fn expand_all(&mut self) {
        self.depth_limit = None;
        self.toggled.clear();
    }

    /// Collapses every span with children: only the roots remain as rows.
    pub fn collapse_all(&mut self) {
        self.expand_to_depth(0);
    }

    /// Shows spans down to `depth` (roots are depth 0) and collapses the rest.
    pub fn expand_to_depth(&mut self, depth: u32) {
        self.depth_limit = Some(depth);
        self.toggled.clear();
    }

    /// The depth everything is expanded to, when that is the whole rule (no row toggled since):
    /// what a "depth" control should show.
    pub fn uniform_depth(&self) -> Option<u32> {
        self.depth_limit.filter(|_| self.toggled.is_empty())
    }

    /// True when `idx` has children and hides them.
    pub fn is_collapsed(&self, trace: &Trace, idx: SpanIdx) -> bool {
        let Some(span) = trace.span(idx) else {
            return false;
        };
        if span.subtree_end <= idx.0 + 1 {
            return false;
        }
        let by_default = self.depth_limit.is_some_and(|limit| span.depth >= limit);
        by_default != self.toggled.contains(&idx.0)
    }

    /// Flips `idx` between collapsed and expanded.
    pub fn toggle(&mut self, idx: SpanIdx) {
        if !self.toggled.remove(&idx.0) {
            self.toggled.insert(idx.0);
        }
    }

    /// Expands every ancestor of `idx` so that its row is visible. Returns true when anything
    /// changed.
    pub fn reveal(&mut self, trace: &Trace, idx: SpanIdx) -> bool {
        let mut changed = false;
        let mut current = trace.span(idx).and_then(|span| span.parent);
        while let Some(parent) = current {
            if self.is_collapsed(trace, parent) {
                self.toggle(parent);
                changed = true;
            }
            current = trace.span(parent).and_then(|span| span.parent);
        }
        changed
    }
}

/// The rows of the waterfall in display order, given what is collapsed. O(rows + collapsed).
pub fn visible_rows(trace: &Trace, collapse: &CollapseState) -> Vec<SpanIdx> {
    let mut rows = Vec::new();
    let n = trace.spans.len() as u32;
    let mut index = 0u32;
    while index < n {
        let idx = SpanIdx(index);
        rows.push(idx);
        index = match trace.span(idx) {
            Some(span) if collapse.is_collapsed(trace, idx) => span.subtree_end.max(index + 1),
            _ => index + 1,
        };
    }
    rows
}

/// Number of spans hidden under `idx` (its descendants), for a collapsed row's badge.
pub fn descendant_count(trace: &Trace, idx: SpanIdx) -> usize {
    trace.span(idx).map_or(0, |span| {
        span.subtree_end.saturating_sub(idx.0 + 1) as usize
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::analysis::test_trace::{idx, simple};

    fn tree() -> Trace {
        // a ─┬─ b ── c
        //    └─ d
        // e (second root)
        simple(&[
            ("a", None, 0, 100),
            ("b", Some("a"), 10, 50),
            ("c", Some("b"), 20, 30),
            ("d", Some("a"), 60, 90),
            ("e", None, 200, 210),
        ])
    }

    fn names(trace: &Trace, rows: &[SpanIdx]) -> String {
        rows.iter()
            .filter_map(|i| trace.span(*i))
            .map(|s| trace.str(s.span_id))
            .collect::<Vec<_>>()
            .join(",")
    }

    #[test]
    fn collapse_rules_and_exceptions() {
        let trace = tree();
        let mut state = CollapseState::expanded();
        assert_eq!(names(&trace, &visible_rows(&trace, &state)), "a,b,c,d,e");

        state.toggle(SpanIdx(idx(&trace, "b") as u32));
        assert_eq!(names(&trace, &visible_rows(&trace, &state)), "a,b,d,e");

        state.collapse_all();
        assert_eq!(names(&trace, &visible_rows(&trace, &state)), "a,e");

        state.expand_to_depth(1);
        assert_eq!(names(&trace, &visible_rows(&trace, &state)), "a,b,d,e");
        assert_eq!(state.uniform_depth(), Some(1));

        // Leaves are never collapsed, whatever the rule says.
        assert!(!state.is_collapsed(&trace, SpanIdx(idx(&trace, "d") as u32)));

        state.collapse_all();
        let c = SpanIdx(idx(&trace, "c") as u32);
        assert!(state.reveal(&trace, c));
        assert_eq!(names(&trace, &visible_rows(&trace, &state)), "a,b,c,d,e");
        assert!(!state.reveal(&trace, c));

        state.expand_all();
        assert_eq!(visible_rows(&trace, &state).len(), 5);
        assert_eq!(
            descendant_count(&trace, SpanIdx(idx(&trace, "a") as u32)),
            3
        );
    }

    #[test]
    fn a_million_rows_in_one_pass() {
        let mut rows = vec![("r".to_string(), None, 0, 1_000_000)];
        for i in 0..100_000 {
            rows.push((format!("s{i}"), Some("r".to_string()), i, i + 10));
        }
        let borrowed: Vec<(&str, Option<&str>, i64, i64)> = rows
            .iter()
            .map(|(id, p, s, e)| (id.as_str(), p.as_deref(), *s, *e))
            .collect();
        let trace = simple(&borrowed);
        let mut state = CollapseState::expanded();
        assert_eq!(visible_rows(&trace, &state).len(), 100_001);
        state.collapse_all();
        assert_eq!(visible_rows(&trace, &state).len(), 1);
    }
}
