//! All loaded traces, merged by trace ID across files.
use std::collections::HashMap;
use std::sync::Arc;

use super::builder::TraceBuilder;
use super::ids::trace_key;
use super::trace::Trace;

/// Whether adding a trace created a new entry or grew an existing one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeOutcome {
    /// A trace ID not seen before.
    Added,
    /// Spans were merged into an already loaded trace with the same ID.
    Merged,
}

/// The loaded traces in load order. Each trace is immutable and shared (`Arc`), so views can
/// hold one while more files load.
#[derive(Debug, Clone, Default)]
pub struct TraceSet {
    traces: Vec<Arc<Trace>>,
    by_key: HashMap<String, usize>,
}

impl TraceSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// The traces in load order.
    pub fn traces(&self) -> &[Arc<Trace>] {
        &self.traces
    }

    /// Number of traces.
    pub fn len(&self) -> usize {
        self.traces.len()
    }

    /// True when nothing is loaded.
    pub fn is_empty(&self) -> bool {
        self.traces.is_empty()
    }

    /// Total spans over all traces.
    pub fn span_count(&self) -> usize {
        self.traces.iter().map(|t| t.spans.len()).sum()
    }

    /// The trace with this ID (any spelling that normalises to it), if loaded.
    pub fn get(&self, trace_id: &str) -> Option<&Arc<Trace>> {
        let key = trace_key(&super::normalize_id(trace_id));
        self.by_key.get(&key).and_then(|&i| self.traces.get(i))
    }

    /// Adds the spans collected in `builder`: a new trace, or merged into the loaded trace with
    /// the same ID (spans of one trace spread over several files become one trace).
    pub fn add(&mut self, builder: TraceBuilder) -> MergeOutcome {
        let key = trace_key(builder.trace_id());
        if let Some(&index) = self.by_key.get(&key) {
            if let Some(slot) = self.traces.get_mut(index) {
                let mut merged = TraceBuilder::from_trace(slot);
                merged.absorb(builder);
                *slot = Arc::new(merged.build());
                return MergeOutcome::Merged;
            }
        }
        self.by_key.insert(key, self.traces.len());
        self.traces.push(Arc::new(builder.build()));
        MergeOutcome::Added
    }

    /// Adds an already built trace: new, or merged into the loaded trace with the same ID.
    /// (Traces built off the main thread arrive this way.)
    pub fn add_trace(&mut self, trace: Trace) -> MergeOutcome {
        let key = trace_key(&trace.trace_id);
        if self.by_key.contains_key(&key) {
            return self.add(TraceBuilder::from_trace(&trace));
        }
        self.by_key.insert(key, self.traces.len());
        self.traces.push(Arc::new(trace));
        MergeOutcome::Added
    }

    /// The same set with each trace replaced by `f(trace)`, which must keep its trace ID (the
    /// mask switch's copies: same order, same keys).
    pub fn map_traces(&self, f: impl FnMut(&Arc<Trace>) -> Arc<Trace>) -> TraceSet {
        TraceSet {
            traces: self.traces.iter().map(f).collect(),
            by_key: self.by_key.clone(),
        }
    }

    /// Removes every trace.
    pub fn clear(&mut self) {
        self.traces.clear();
        self.by_key.clear();
    }
}
