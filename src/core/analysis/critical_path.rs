//! The critical path, with Jaeger UI's semantics (its 2023+ algorithm), made iterative and
//! O(n log n).
//!
//! 1. Sanitise, top-down: a child starting at/after its (already clamped) parent's end, or ending
//!    at/before its start, is dropped with its subtree; a child sticking out is clamped. A
//!    CONSUMER child of a PRODUCER parent is not blocking and is dropped with its subtree.
//! 2. Walk back from each root's end. At span S with a "returning" time T (initially S's end):
//!    the last-finishing child C of S that ended strictly before T (any child on first entry) gets
//!    the section [C.end, T] credited to S, and the walk descends into C. With no such child, S
//!    gets [S.start, T] and the walk returns to S's parent with T = S.start.
//!
//! ```text
//! A |====================================|   sections, newest first:
//! B     |-----------------|                  A [80, 100]   A waits for nothing after C
//! C         |-------------------------|      C [20, 80]    C finished last
//!   0   10  20            60          80 100 A [0, 20]     B ended after C started: off the path
//! ```
//!
//! Fixed compared to Jaeger UI: no recursion (it overflows around 10,000 nested spans); a
//! returning time of 0 is a time (Jaeger treats it as "none" and loops); each span's children
//! are sorted once by end and scanned with a cursor, instead of rescanned at each step.
use std::collections::HashMap;

use crate::core::model::{SpanIdx, SpanKind, Sym, Trace};

/// One stretch of time during which `span` is what the trace waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CriticalSection {
    /// The span on the path.
    pub span: SpanIdx,
    /// Start, ns since the epoch.
    pub start_ns: i64,
    /// End, ns since the epoch.
    pub end_ns: i64,
}

/// The critical path of a trace and how it divides among spans and services.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct CriticalPath {
    /// Sections in Jaeger's order: per root, newest first.
    pub sections: Vec<CriticalSection>,
    /// Time on the critical path per span (ns), indexed like `trace.spans`.
    pub span_ns: Vec<i64>,
    /// Time on the critical path per service (ns), largest first.
    pub service_ns: Vec<(Sym, i64)>,
    /// Total length of all sections (ns).
    pub total_ns: i64,
}

impl CriticalPath {
    /// Share (0..=1) of the critical path spent in `span`.
    pub fn span_share(&self, span: SpanIdx) -> f64 {
        let on_path = self.span_ns.get(span.get()).copied().unwrap_or(0);
        if self.total_ns > 0 {
            on_path as f64 / self.total_ns as f64
        } else {
            0.0
        }
    }
}

/// Computes the critical path of every root of `trace` (see the module docs).
pub fn critical_path(trace: &Trace) -> CriticalPath {
    let n = trace.spans.len();
    let (start, end, kept) = sanitize(trace);

    // Each kept span's kept children, by end descending (ties: start order, as Jaeger's `>`).
    let mut offsets = vec![0u32; n + 1];
    let mut children: Vec<u32> = Vec::with_capacity(n);
    for index in 0..n {
        if let Some(slot) = offsets.get_mut(index) {
            *slot = children.len() as u32;
        }
        if !kept.get(index).copied().unwrap_or(false) {
            continue;
        }
        let from = children.len();
        children.extend(
            trace
                .children(SpanIdx(index as u32))
                .filter(|c| kept.get(c.get()).copied().unwrap_or(false))
                .map(|c| c.0),
        );
        if let Some(group) = children.get_mut(from..) {
            // Stable sort keeps start order among equal ends.
            group.sort_by_key(|&c| std::cmp::Reverse(end.get(c as usize).copied().unwrap_or(0)));
        }
    }
    if let Some(slot) = offsets.get_mut(n) {
        *slot = children.len() as u32;
    }
    let mut cursor: Vec<u32> = offsets.clone();

    let mut sections = Vec::new();
    for &root in &trace.roots {
        if !kept.get(root.get()).copied().unwrap_or(false) {
            continue;
        }
        walk(
            root.0,
            &start,
            &end,
            &offsets,
            &children,
            &mut cursor,
            trace,
            &mut sections,
        );
    }

    let mut span_ns = vec![0i64; n];
    let mut by_service: HashMap<Sym, i64> = HashMap::new();
    let mut total_ns = 0i64;
    for section in &sections {
        let length = section.end_ns.saturating_sub(section.start_ns);
        total_ns = total_ns.saturating_add(length);
        if let Some(slot) = span_ns.get_mut(section.span.get()) {
            *slot = slot.saturating_add(length);
        }
        if let Some(span) = trace.span(section.span) {
            let entry = by_service.entry(span.service).or_insert(0);
            *entry = entry.saturating_add(length);
        }
    }
    let mut service_ns: Vec<(Sym, i64)> = by_service.into_iter().collect();
    service_ns.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then_with(|| trace.str(a.0).cmp(trace.str(b.0)))
    });
    CriticalPath {
        sections,
        span_ns,
        service_ns,
        total_ns,
    }
}

/// Clamped start/end per span and whether it stays (step 1 of the module docs). Pre-order
/// means every parent is settled before its children.
fn sanitize(trace: &Trace) -> (Vec<i64>, Vec<i64>, Vec<bool>) {
    let n = trace.spans.len();
    let mut start = Vec::with_capacity(n);
    let mut end = Vec::with_capacity(n);
    let mut kept = Vec::with_capacity(n);
    for span in &trace.spans {
        let (mut s, mut e) = (span.start_ns, span.end_ns());
        let mut keep = true;
        if let Some(parent) = span.parent {
            let parent_index = parent.get();
            let parent_kept = kept.get(parent_index).copied().unwrap_or(false);
            let (ps, pe) = (
                start.get(parent_index).copied().unwrap_or(s),
                end.get(parent_index).copied().unwrap_or(e),
            );
            let parent_kind = trace.span(parent).map(|p| p.kind);
            let non_blocking =
                span.kind == SpanKind::Consumer && parent_kind == Some(SpanKind::Producer);
            if !parent_kept || non_blocking || s >= pe || e <= ps {
                keep = false;
            } else {
                s = s.max(ps);
                e = e.min(pe);
            }
        }
        start.push(s);
        end.push(e);
        kept.push(keep);
    }
    (start, end, kept)
}

#[allow(clippy::too_many_arguments)]
fn walk(
    root: u32,
    start: &[i64],
    end: &[i64],
    offsets: &[u32],
    children: &[u32],
    cursor: &mut [u32],
    trace: &Trace,
    sections: &mut Vec<CriticalSection>,
) {
    let mut current = root;
    let mut returning: Option<i64> = None;
    loop {
        let index = current as usize;
        let span_start = start.get(index).copied().unwrap_or(0);
        let span_end = end.get(index).copied().unwrap_or(span_start);
        let section_end = returning.unwrap_or(span_end);
        let last = offsets.get(index + 1).copied().unwrap_or(0);
        // Advance past children that ended at or after the returning time.
        let mut next_child = None;
        if let Some(position) = cursor.get_mut(index) {
            while *position < last {
                let child = children.get(*position as usize).copied().unwrap_or(0);
                let child_end = end.get(child as usize).copied().unwrap_or(0);
                if returning.is_none_or(|t| child_end < t) {
                    next_child = Some((child, child_end));
                    *position += 1;
                    break;
                }
                *position += 1;
            }
        }
        match next_child {
            Some((child, child_end)) => {
                if child_end != section_end {
                    sections.push(CriticalSection {
                        span: SpanIdx(current),
                        start_ns: child_end,
                        end_ns: section_end,
                    });
                }
                current = child;
                returning = None;
            }
            None => {
                if span_start != section_end {
                    sections.push(CriticalSection {
                        span: SpanIdx(current),
                        start_ns: span_start,
                        end_ns: section_end,
                    });
                }
                if current == root {
                    break;
                }
                let Some(parent) = trace.span(SpanIdx(current)).and_then(|s| s.parent) else {
                    break;
                };
                returning = Some(span_start);
                current = parent.0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::analysis::test_trace::{build, idx, simple};

    fn sections(trace: &Trace) -> Vec<(String, i64, i64)> {
        critical_path(trace)
            .sections
            .iter()
            .map(|s| {
                (
                    trace.str(trace.spans[s.span.get()].span_id).to_string(),
                    s.start_ns,
                    s.end_ns,
                )
            })
            .collect()
    }

    fn row(id: &str, start: i64, end: i64) -> (String, i64, i64) {
        (id.to_string(), start, end)
    }

    #[test]
    fn jaeger_doc_example_two_sequential_children() {
        // |-------------spanA--------------|
        //    |--spanB--|    |--spanC--|
        let trace = simple(&[
            ("A", None, 0, 100),
            ("B", Some("A"), 10, 30),
            ("C", Some("A"), 50, 70),
        ]);
        assert_eq!(
            sections(&trace),
            vec![
                row("A", 70, 100),
                row("C", 50, 70),
                row("A", 30, 50),
                row("B", 10, 30),
                row("A", 0, 10)
            ]
        );
    }

    #[test]
    fn overlapping_children_only_the_later_finishing_one_counts() {
        // B runs 10..60, C runs 20..80: C finishes last; B ended after C started, so it is off.
        let trace = simple(&[
            ("A", None, 0, 100),
            ("B", Some("A"), 10, 60),
            ("C", Some("A"), 20, 80),
        ]);
        assert_eq!(
            sections(&trace),
            vec![row("A", 80, 100), row("C", 20, 80), row("A", 0, 20)]
        );
    }

    #[test]
    fn children_are_clamped_and_dropped_as_jaeger_does() {
        // D overflows A's end (clamped to 100); E starts after A ends (dropped); F ends before
        // A starts (dropped); G starts before A (clamped to 0).
        let trace = simple(&[
            ("A", None, 0, 100),
            ("G", Some("A"), -20, 10),
            ("D", Some("A"), 90, 130),
            ("E", Some("A"), 100, 140),
            ("F", Some("A"), -30, 0),
        ]);
        assert_eq!(
            sections(&trace),
            vec![row("D", 90, 100), row("A", 10, 90), row("G", 0, 10)]
        );
    }

    #[test]
    fn consumer_under_producer_is_not_blocking() {
        use SpanKind::*;
        let trace = build(&[
            ("A", None, "api", 0, 100, Server, false),
            ("P", Some("A"), "api", 10, 20, Producer, false),
            ("C", Some("P"), "worker", 15, 95, Consumer, false),
            ("W", Some("C"), "worker", 20, 90, Internal, false),
        ]);
        assert_eq!(
            sections(&trace),
            vec![row("A", 20, 100), row("P", 10, 20), row("A", 0, 10)]
        );
        let path = critical_path(&trace);
        assert_eq!(path.span_ns[idx(&trace, "W")], 0);
    }

    #[test]
    fn a_start_time_of_zero_is_a_time() {
        // Jaeger's `returningChildStartTime || end` treats 0 as missing; here it is a time.
        let trace = simple(&[
            ("A", None, 0, 50),
            ("B", Some("A"), 0, 20),
            ("C", Some("A"), 30, 40),
        ]);
        assert_eq!(
            sections(&trace),
            vec![
                row("A", 40, 50),
                row("C", 30, 40),
                row("A", 20, 30),
                row("B", 0, 20)
            ]
        );
    }

    #[test]
    fn every_root_is_processed_and_shares_add_up() {
        let trace = build(&[
            ("R1", None, "a", 0, 10, SpanKind::Server, false),
            ("R2", Some("missing"), "b", 20, 35, SpanKind::Server, false),
        ]);
        let path = critical_path(&trace);
        assert_eq!(path.sections.len(), 2);
        assert_eq!(path.total_ns, 25);
        assert_eq!(path.service_ns.len(), 2);
        assert_eq!(trace.str(path.service_ns[0].0), "b");
        assert!((path.span_share(SpanIdx(idx(&trace, "R2") as u32)) - 0.6).abs() < 1e-9);
    }

    #[test]
    fn deep_and_wide_traces_are_fast_and_do_not_overflow() {
        // A 100,000-deep chain and a 100,000-wide fan-out.
        let ids: Vec<String> = (0..100_000).map(|i| format!("s{i}")).collect();
        let mut rows = vec![("root", None, 0i64, 10_000_000i64)];
        for (i, id) in ids.iter().enumerate() {
            let parent = if i == 0 { "root" } else { ids[i - 1].as_str() };
            rows.push((
                id.as_str(),
                Some(parent),
                i as i64 + 1,
                10_000_000 - i as i64 - 1,
            ));
        }
        let deep = simple(&rows);
        let path = critical_path(&deep);
        assert_eq!(path.total_ns, 10_000_000);

        let mut wide_rows = vec![("root", None, 0i64, 1_000_000i64)];
        for (i, id) in ids.iter().enumerate() {
            wide_rows.push((id.as_str(), Some("root"), i as i64, i as i64 + 2));
        }
        let wide = simple(&wide_rows);
        let path = critical_path(&wide);
        assert_eq!(path.total_ns, 1_000_000);
    }
}
