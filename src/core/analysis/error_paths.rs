//! Error paths: how failures run from a root down to where they started.
//!
//! For every error span with no failing descendant (the deepest error of its branch), the chain
//! of spans from its root to it. Every error span lies on at least one such chain, and the last
//! span of a chain, the deepest error on it, is marked as the likely origin. At most
//! [`MAX_ERROR_PATHS`] chains are returned (in trace order).
use crate::core::model::{SpanIdx, Trace};

/// Chains kept per trace; a trace with more failing leaves is summarised by these.
pub const MAX_ERROR_PATHS: usize = 1000;

/// One root-to-error chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ErrorPath {
    /// Spans from the root to the origin.
    pub chain: Vec<SpanIdx>,
    /// The error spans on the chain, root side first.
    pub errors: Vec<SpanIdx>,
    /// The deepest error on the chain: where the failure likely started.
    pub origin: SpanIdx,
}

/// Finds the error paths of `trace` (see the module docs). O(n + chain lengths).
pub fn error_paths(trace: &Trace) -> Vec<ErrorPath> {
    let n = trace.spans.len();
    let mut error_below = vec![false; n];
    for index in (0..n).rev() {
        let Some(span) = trace.spans.get(index) else {
            continue;
        };
        let failing = span.is_error() || error_below.get(index).copied().unwrap_or(false);
        if failing {
            if let Some(parent) = span.parent {
                if let Some(flag) = error_below.get_mut(parent.get()) {
                    *flag = true;
                }
            }
        }
    }
    trace
        .spans
        .iter()
        .enumerate()
        .filter(|(index, span)| {
            span.is_error() && !error_below.get(*index).copied().unwrap_or(false)
        })
        .take(MAX_ERROR_PATHS)
        .map(|(index, _)| {
            let origin = SpanIdx(index as u32);
            let mut chain = vec![origin];
            let mut current = trace.span(origin).and_then(|s| s.parent);
            while let Some(parent) = current {
                chain.push(parent);
                current = trace.span(parent).and_then(|s| s.parent);
            }
            chain.reverse();
            let errors = chain
                .iter()
                .copied()
                .filter(|&i| trace.span(i).is_some_and(|s| s.is_error()))
                .collect();
            ErrorPath {
                chain,
                errors,
                origin,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::analysis::test_trace::{build, idx};
    use crate::core::model::SpanKind::*;

    #[test]
    fn chains_end_at_the_deepest_error_of_each_branch() {
        let trace = build(&[
            ("root", None, "fe", 0, 100, Server, true),
            ("pay", Some("root"), "pay", 10, 50, Client, true),
            ("card", Some("pay"), "pay", 20, 40, Internal, true),
            ("ok", Some("root"), "cart", 60, 70, Client, false),
            ("stock", Some("ok"), "inv", 61, 69, Internal, true),
        ]);
        let paths = error_paths(&trace);
        assert_eq!(paths.len(), 2);
        let ids = |v: &[SpanIdx]| {
            v.iter()
                .map(|i| trace.str(trace.spans[i.get()].span_id).to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&paths[0].chain), vec!["root", "pay", "card"]);
        assert_eq!(ids(&paths[0].errors), vec!["root", "pay", "card"]);
        assert_eq!(paths[0].origin.get(), idx(&trace, "card"));
        assert_eq!(ids(&paths[1].chain), vec!["root", "ok", "stock"]);
        assert_eq!(ids(&paths[1].errors), vec!["root", "stock"]);
    }

    #[test]
    fn no_errors_no_paths() {
        let trace = build(&[("a", None, "s", 0, 1, Server, false)]);
        assert!(error_paths(&trace).is_empty());
    }
}
