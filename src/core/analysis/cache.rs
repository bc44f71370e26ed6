//! [`AnalysisCache`]: each loaded trace's analysis, found by the trace's identity in constant
//! time. The page asks for the analyses of every loaded trace at once (the services view's
//! bottleneck and critical-path tables); a list searched per trace made that quadratic, a
//! tenth of a second at 10,000 traces.
use std::collections::HashMap;
use std::sync::{Arc, Weak};

use crate::core::analysis::TraceAnalysis;
use crate::core::model::Trace;

/// Analyses keyed by the address of their trace. Each entry holds a [`Weak`] to its trace, so
/// a dropped trace's address is not reused while its entry is listed, and an entry is only
/// returned for the very trace it was made for.
#[derive(Debug, Default)]
pub struct AnalysisCache {
    entries: HashMap<usize, (Weak<Trace>, Arc<TraceAnalysis>)>,
    /// Entries after the last sweep of dropped traces; the next sweep comes at twice that, so
    /// sweeping costs a constant per insertion.
    swept_at: usize,
}

impl AnalysisCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// The analysis made for `trace`, if any.
    pub fn get(&self, trace: &Arc<Trace>) -> Option<Arc<TraceAnalysis>> {
        let (weak, analysis) = self.entries.get(&key(trace))?;
        std::ptr::eq(weak.as_ptr(), Arc::as_ptr(trace)).then(|| Arc::clone(analysis))
    }

    /// Keeps `analysis` as the analysis of `trace` (replacing an earlier one).
    pub fn insert(&mut self, trace: &Arc<Trace>, analysis: Arc<TraceAnalysis>) {
        self.entries
            .insert(key(trace), (Arc::downgrade(trace), analysis));
        if self.entries.len() > (2 * self.swept_at).max(64) {
            self.entries.retain(|_, (weak, _)| weak.strong_count() > 0);
            self.swept_at = self.entries.len();
        }
    }

    /// How many analyses are kept (dropped traces' ones included until the next sweep).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The identity of a trace: where it lives.
fn key(trace: &Arc<Trace>) -> usize {
    Arc::as_ptr(trace) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::analysis::analyze_trace;
    use crate::core::analysis::test_trace::simple as trace_of;

    #[test]
    fn finds_the_analysis_of_the_same_trace_only() {
        let a = Arc::new(trace_of(&[("a", None, 0, 10)]));
        let b = Arc::new(trace_of(&[("a", None, 0, 10)]));
        let mut cache = AnalysisCache::new();
        cache.insert(&a, Arc::new(analyze_trace(&a)));
        assert!(cache.get(&a).is_some());
        assert!(
            cache.get(&b).is_none(),
            "an equal trace is not the same trace"
        );
    }

    #[test]
    fn dropped_traces_are_swept() {
        let mut cache = AnalysisCache::new();
        let kept = Arc::new(trace_of(&[("kept", None, 0, 10)]));
        cache.insert(&kept, Arc::new(analyze_trace(&kept)));
        for _ in 0..1000 {
            let t = Arc::new(trace_of(&[("gone", None, 0, 10)]));
            cache.insert(&t, Arc::new(analyze_trace(&t)));
        }
        assert!(cache.len() < 200, "{} entries", cache.len());
        assert!(cache.get(&kept).is_some());
    }
}
