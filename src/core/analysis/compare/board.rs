//! What the page keeps of baselines and scores: a [`SavedBaseline`] (a baseline with the traces
//! it was made of), and a [`Scorer`] that takes the loaded traces one at a time (so the page
//! can work in slices) and ends in a [`ScoreBoard`]: every other trace scored, most anomalous
//! first, and what changed per operation between the baseline and those traces.
use std::collections::{BTreeSet, HashMap};

use crate::core::analysis::compare::baseline::{
    score_trace, what_changed, Baseline, BaselineBuilder, OperationChange, ScoreConfig, TraceScore,
};
use crate::core::analysis::TraceAnalysis;
use crate::core::model::Trace;

/// A baseline the person made, with where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedBaseline {
    /// The summary scoring uses.
    pub baseline: Baseline,
    /// IDs of the traces it was made of: they are normal by definition, so not scored.
    pub members: BTreeSet<String>,
    /// Where the traces came from ("3 selected traces", a file name).
    pub source: String,
}

impl SavedBaseline {
    /// Learns a baseline called `name` from `traces`.
    pub fn build(name: &str, source: &str, traces: &[(&Trace, &TraceAnalysis)]) -> Self {
        let mut builder = BaselineBuilder::new(name);
        let mut members = BTreeSet::new();
        for (trace, analysis) in traces {
            builder.add(trace, analysis);
            members.insert(trace.trace_id.clone());
        }
        Self {
            baseline: builder.finish(),
            members,
            source: source.to_string(),
        }
    }

    /// One line on what it holds: "40 traces, 520 spans, 12 operations, from checkout.json".
    pub fn describe(&self) -> String {
        let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        if self.baseline.from_metrics {
            return format!(
                "p50/p95/p99 of {} (about {}), from {}",
                plural(self.baseline.operations.len(), "operation"),
                plural(self.baseline.spans, "span"),
                self.source
            );
        }
        format!(
            "{}, {}, {}, from {}",
            plural(self.baseline.traces, "trace"),
            plural(self.baseline.spans, "span"),
            plural(self.baseline.operations.len(), "operation"),
            self.source
        )
    }
}

/// Scores traces against a saved baseline one at a time, and learns them as "now" for the
/// what-changed table.
#[derive(Debug)]
pub struct Scorer<'a> {
    saved: &'a SavedBaseline,
    config: ScoreConfig,
    current: BaselineBuilder,
    scores: Vec<TraceScore>,
}

impl<'a> Scorer<'a> {
    /// A scorer against `saved` with the rules `config`.
    pub fn new(saved: &'a SavedBaseline, config: ScoreConfig) -> Self {
        Self {
            saved,
            config,
            current: BaselineBuilder::new("now"),
            scores: Vec::new(),
        }
    }

    /// Scores `trace` unless it is one of the baseline's own.
    pub fn add(&mut self, trace: &Trace, analysis: &TraceAnalysis) {
        if self.saved.members.contains(&trace.trace_id) {
            return;
        }
        self.scores.push(score_trace(
            &self.saved.baseline,
            trace,
            analysis,
            &self.config,
        ));
        self.current.add(trace, analysis);
    }

    /// Traces scored so far.
    pub fn scored(&self) -> usize {
        self.scores.len()
    }

    /// Every score, most anomalous first, and what changed.
    pub fn finish(self) -> ScoreBoard {
        let saved = self.saved;
        let (mut board, current) = self.into_parts();
        board.set_changes(saved, current.finish());
        board
    }

    /// The scores (most anomalous first, no changes yet) and the scored traces learnt as a
    /// baseline still to be finished: the page does the three steps in tasks of their own.
    pub fn into_parts(self) -> (ScoreBoard, BaselineBuilder) {
        let mut scores = self.scores;
        scores.sort_by(|a, b| {
            b.anomalous
                .cmp(&a.anomalous)
                .then(b.score.total_cmp(&a.score))
                .then_with(|| a.trace_id.cmp(&b.trace_id))
        });
        let by_trace = scores
            .iter()
            .enumerate()
            .map(|(i, s)| (s.trace_id.clone(), i))
            .collect();
        let board = ScoreBoard {
            baseline: self.saved.baseline.name.clone(),
            scores,
            by_trace,
            changes: Vec::new(),
        };
        (board, self.current)
    }
}

/// The loaded traces scored against the active baseline.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScoreBoard {
    /// The baseline's name.
    pub baseline: String,
    /// Every scored trace, most anomalous first.
    pub scores: Vec<TraceScore>,
    by_trace: HashMap<String, usize>,
    /// Per operation, baseline against the scored traces, largest impact first.
    pub changes: Vec<OperationChange>,
}

impl ScoreBoard {
    /// Fills in what changed between `saved` and the scored traces (`current`).
    pub fn set_changes(&mut self, saved: &SavedBaseline, current: Baseline) {
        self.changes = if current.traces == 0 {
            Vec::new()
        } else {
            what_changed(&saved.baseline, &current)
        };
    }

    /// The score of one trace (none for the baseline's own traces).
    pub fn of(&self, trace_id: &str) -> Option<&TraceScore> {
        self.by_trace
            .get(trace_id)
            .and_then(|&i| self.scores.get(i))
    }

    /// How many scored traces are anomalous.
    pub fn anomalous(&self) -> usize {
        self.scores.iter().filter(|s| s.anomalous).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::analysis::analyze_trace;
    use crate::core::generate::{shop_traces, Fault};

    #[test]
    fn members_are_not_scored_and_the_faulty_traces_come_first() {
        let normal: Vec<(Trace, TraceAnalysis)> = shop_traces(100, 1, None)
            .into_iter()
            .map(|t| {
                let a = analyze_trace(&t);
                (t, a)
            })
            .collect();
        let refs: Vec<(&Trace, &TraceAnalysis)> = normal.iter().map(|(t, a)| (t, a)).collect();
        let saved = SavedBaseline::build("normal", "test", &refs);
        assert_eq!(saved.members.len(), 100);
        assert!(saved.describe().starts_with("100 traces"));
        let faulty: Vec<(Trace, TraceAnalysis)> = shop_traces(5, 9, Some(Fault::NewError))
            .into_iter()
            .map(|t| {
                let a = analyze_trace(&t);
                (t, a)
            })
            .collect();
        let mut scorer = Scorer::new(&saved, ScoreConfig::default());
        for (t, a) in normal.iter().chain(faulty.iter()) {
            scorer.add(t, a);
        }
        assert_eq!(scorer.scored(), 5);
        let board = scorer.finish();
        assert_eq!(board.anomalous(), 5);
        assert!(board.of(&faulty[0].0.trace_id).is_some());
        assert!(board.of(&normal[0].0.trace_id).is_none());
        assert!(!board.changes.is_empty());
    }
}
