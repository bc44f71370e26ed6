//! Self time: the part of a span's duration not covered by any of its children.
//!
//! ```text
//! parent  |==============================|   self = 30 - |union of clipped children|
//! child a    |------|                         = 30 - (8 + 7) = 15
//! child b       |---|                         (b overlaps a: counted once)
//! child c                   |-------|-----    (c is clipped to the parent's end)
//! ```
use crate::core::model::{SpanIdx, Trace};

/// Self time of every span in ns (duration minus the union of its children's intervals clipped
/// to it), indexed like `trace.spans`. O(n): children are already sorted by start.
pub fn self_times(trace: &Trace) -> Vec<i64> {
    trace
        .spans
        .iter()
        .enumerate()
        .map(|(index, span)| {
            let (start, end) = (span.start_ns, span.end_ns());
            let mut covered = 0i64;
            let mut run: Option<(i64, i64)> = None;
            for child in trace.children(SpanIdx(index as u32)) {
                let Some(child) = trace.span(child) else {
                    continue;
                };
                let (child_start, child_end) = (child.start_ns.max(start), child.end_ns().min(end));
                if child_end <= child_start {
                    continue;
                }
                run = match run {
                    Some((run_start, run_end)) if child_start <= run_end => {
                        Some((run_start, run_end.max(child_end)))
                    }
                    Some((run_start, run_end)) => {
                        covered = covered.saturating_add(run_end.saturating_sub(run_start));
                        Some((child_start, child_end))
                    }
                    None => Some((child_start, child_end)),
                };
            }
            if let Some((run_start, run_end)) = run {
                covered = covered.saturating_add(run_end.saturating_sub(run_start));
            }
            span.duration_ns.saturating_sub(covered).max(0)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::analysis::test_trace::{idx, simple};

    #[test]
    fn overlapping_and_overflowing_children_count_once() {
        // The picture in the module docs.
        let trace = simple(&[
            ("p", None, 0, 30),
            ("a", Some("p"), 3, 11),
            ("b", Some("p"), 6, 9),
            ("c", Some("p"), 23, 40),
        ]);
        let self_ns = self_times(&trace);
        assert_eq!(self_ns[idx(&trace, "p")], 30 - 8 - 7);
        assert_eq!(self_ns[idx(&trace, "a")], 8);
        assert_eq!(self_ns[idx(&trace, "c")], 17);
    }

    #[test]
    fn a_child_entirely_outside_is_ignored() {
        let trace = simple(&[
            ("p", None, 0, 10),
            ("late", Some("p"), 20, 30),
            ("early", Some("p"), -5, 0),
        ]);
        assert_eq!(self_times(&trace)[idx(&trace, "p")], 10);
    }
}
