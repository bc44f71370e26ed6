//! The assembled, immutable [`Trace`] and its string interner.
use super::span::{Attribute, Event, IdxRange, Reference, Resource, Span, SpanFlags, SpanIdx};
use super::strings::{Interner, Sym};
use super::warning::Warning;

/// One trace, assembled: spans in pre-order with their tree, plus shared side tables.
///
/// Invariants (established by [`super::TraceBuilder::build`]): `spans` is in pre-order with
/// siblings sorted by start time; `spans[i].subtree_end` bounds `i`'s descendants; `roots` lists
/// the depth-0 spans in order; `start_ns <= end_ns`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Trace {
    /// The trace ID as first seen (normalised, see [`super::normalize_id`]).
    pub trace_id: String,
    /// The string table every [`Sym`] of this trace points into.
    pub strings: Interner,
    /// All spans, in pre-order.
    pub spans: Vec<Span>,
    /// Indices of the root spans (true roots and orphans whose parent is missing).
    pub roots: Vec<SpanIdx>,
    /// Processes / resources / local endpoints.
    pub resources: Vec<Resource>,
    /// Attributes of spans, resources, events and links.
    pub attributes: Vec<Attribute>,
    /// Events of all spans.
    pub events: Vec<Event>,
    /// References and links of all spans.
    pub references: Vec<Reference>,
    /// Warnings: first those read from the input, then the structural ones found when building.
    pub warnings: Vec<Warning>,
    /// How many of `warnings` came from the input (they are kept when traces are merged).
    pub input_warning_count: usize,
    /// Names of the files (or sources) that contributed spans, in load order.
    pub sources: Vec<String>,
    /// Earliest span start, ns since the epoch (0 for an empty trace).
    pub start_ns: i64,
    /// Latest span end, ns since the epoch.
    pub end_ns: i64,
}

impl Trace {
    /// The text of an interned string.
    pub fn str(&self, sym: Sym) -> &str {
        self.strings.resolve(&sym)
    }

    /// The span at `idx`, if it exists.
    pub fn span(&self, idx: SpanIdx) -> Option<&Span> {
        self.spans.get(idx.get())
    }

    /// Wall-clock duration of the whole trace in nanoseconds.
    pub fn duration_ns(&self) -> i64 {
        self.end_ns.saturating_sub(self.start_ns)
    }

    /// The direct children of `idx`, in start order. Walks the pre-order array by skipping
    /// subtrees, so it allocates nothing.
    pub fn children(&self, idx: SpanIdx) -> Children<'_> {
        let (next, end) = match self.spans.get(idx.get()) {
            Some(span) => (idx.0.saturating_add(1), span.subtree_end),
            None => (0, 0),
        };
        Children {
            spans: &self.spans,
            next,
            end,
        }
    }

    /// The span that represents the trace: the earliest root with no missing parent, or else
    /// the earliest root.
    pub fn root_span(&self) -> Option<SpanIdx> {
        self.roots
            .iter()
            .copied()
            .find(|idx| {
                self.span(*idx)
                    .is_some_and(|span| !span.flags.has(SpanFlags::MISSING_PARENT))
            })
            .or_else(|| self.roots.first().copied())
    }

    /// Number of spans with error status.
    pub fn error_count(&self) -> usize {
        self.spans.iter().filter(|span| span.is_error()).count()
    }

    /// The distinct service names, sorted alphabetically.
    pub fn service_names(&self) -> Vec<&str> {
        let mut seen = vec![false; self.strings.len() + 1];
        let mut names = Vec::new();
        for span in &self.spans {
            let slot = lasso::Key::into_usize(span.service);
            if let Some(flag) = seen.get_mut(slot) {
                if !*flag {
                    *flag = true;
                    names.push(self.str(span.service));
                }
            }
        }
        names.sort_unstable();
        names
    }

    /// The attributes in `range`.
    pub fn attrs(&self, range: IdxRange) -> &[Attribute] {
        self.attributes.get(range.as_range()).unwrap_or(&[])
    }

    /// The largest depth of any span (0 when all spans are roots).
    pub fn max_depth(&self) -> u32 {
        self.spans.iter().map(|span| span.depth).max().unwrap_or(0)
    }
}

/// Iterator over the direct children of a span (see [`Trace::children`]).
pub struct Children<'a> {
    spans: &'a [Span],
    next: u32,
    end: u32,
}

impl Iterator for Children<'_> {
    type Item = SpanIdx;

    fn next(&mut self) -> Option<SpanIdx> {
        if self.next >= self.end {
            return None;
        }
        let current = self.next;
        let span = self.spans.get(current as usize)?;
        self.next = span.subtree_end.max(current + 1);
        Some(SpanIdx(current))
    }
}
