//! Collects spans of one trace and assembles them into a [`Trace`].
//!
//! ```text
//!  parsers ──push_span──▶ TraceBuilder ──build()──▶ Trace (pre-order, tree resolved)
//!                              ▲                          │
//!                              └──── from_trace + absorb ◀┘  (merging a second file)
//! ```
//!
//! `build` runs in O(n log n): it drops exact duplicates, pairs Zipkin-style client/server
//! halves that share an ID (the server half becomes the client's child, as Zipkin and Jaeger's
//! deduper do), resolves parents, cuts parent cycles, sorts siblings by start time and lays the
//! spans out in pre-order. Every oddity becomes a [`Warning`]; nothing fails.
use std::collections::HashMap;

use lasso::Key;

use super::span::{
    AttrValue, Attribute, Event, IdxRange, Reference, Resource, Span, SpanFlags, SpanIdx, SpanKind,
    SpanStatus,
};
use super::strings::{Interner, Sym};
use super::trace::Trace;
use super::warning::{Warning, WarningKind};

/// Structural warnings kept per kind before the rest are only counted.
const MAX_WARNINGS_PER_KIND: usize = 200;

/// Accumulates the spans of one trace; see the module docs.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct TraceBuilder {
    trace_id: String,
    strings: Interner,
    spans: Vec<Span>,
    resources: Vec<Resource>,
    attributes: Vec<Attribute>,
    events: Vec<Event>,
    references: Vec<Reference>,
    warnings: Vec<Warning>,
    sources: Vec<String>,
}

impl TraceBuilder {
    /// An empty builder for the trace with this (normalised) ID.
    pub fn new(trace_id: &str) -> Self {
        Self {
            trace_id: trace_id.to_string(),
            strings: Interner::with_hasher(Default::default()),
            spans: Vec::new(),
            resources: Vec::new(),
            attributes: Vec::new(),
            events: Vec::new(),
            references: Vec::new(),
            warnings: Vec::new(),
            sources: Vec::new(),
        }
    }

    /// An empty builder with room for about `spans` spans (their IDs, attributes and events
    /// too), so that a large file's trace is not copied and rehashed as it grows: a tenth of
    /// the parse time of a 1,000,000-span file went to growing the string table.
    pub fn with_capacity(trace_id: &str, spans: usize) -> Self {
        let mut builder = Self::new(trace_id);
        builder.strings = Interner::with_capacity_and_hasher(
            lasso::Capacity::new(
                spans,
                std::num::NonZeroUsize::new(spans.max(1) * 16)
                    .unwrap_or(std::num::NonZeroUsize::MIN),
            ),
            Default::default(),
        );
        builder.spans.reserve(spans);
        builder.attributes.reserve(spans * 2);
        builder
    }

    /// A builder holding everything of an assembled trace, so more spans can be added to it.
    /// Structural warnings are dropped: `build` finds them again.
    pub fn from_trace(trace: &Trace) -> Self {
        Self {
            trace_id: trace.trace_id.clone(),
            strings: trace.strings.clone(),
            spans: trace.spans.clone(),
            resources: trace.resources.clone(),
            attributes: trace.attributes.clone(),
            events: trace.events.clone(),
            references: trace.references.clone(),
            warnings: trace
                .warnings
                .get(..trace.input_warning_count)
                .unwrap_or(&[])
                .to_vec(),
            sources: trace.sources.clone(),
        }
    }

    /// The trace ID this builder collects.
    pub fn trace_id(&self) -> &str {
        &self.trace_id
    }

    /// Number of spans pushed so far.
    pub fn span_count(&self) -> usize {
        self.spans.len()
    }

    /// Whether two spans have the same ID, service and `shared` flag: what a Zipkin reader
    /// merges as fragments of one span, so after one it means fragments read apart.
    pub fn has_unmerged_fragments(&self) -> bool {
        let mut seen = std::collections::HashSet::with_capacity(self.spans.len());
        !self.spans.iter().all(|span| {
            let shared = span.flags.has(SpanFlags::SHARED);
            seen.insert((span.span_id, span.service, shared))
        })
    }

    /// Interns a string in this trace's table.
    pub fn intern(&mut self, text: &str) -> Sym {
        self.strings.get_or_intern(text)
    }

    /// Records that `source` (a file name) contributed spans.
    pub fn add_source(&mut self, source: &str) {
        if !self.sources.iter().any(|known| known == source) {
            self.sources.push(source.to_string());
        }
    }

    /// Adds a warning that came from reading the input.
    pub fn warn(&mut self, warning: Warning) {
        self.warnings.push(warning);
    }

    /// Adds a resource (process / service) and returns its index.
    pub fn add_resource(&mut self, service: Sym, attrs: IdxRange) -> u32 {
        self.resources.push(Resource { service, attrs });
        index_u32(self.resources.len() - 1)
    }

    /// Replaces resource `index` (added as a placeholder before its description was read).
    /// Spans keep the service they copied: call [`Self::sync_span_services`] afterwards.
    pub fn set_resource(&mut self, index: u32, service: Sym, attrs: IdxRange) {
        if let Some(resource) = self.resources.get_mut(index as usize) {
            *resource = Resource { service, attrs };
        }
    }

    /// Copies every span's service from its resource again (after [`Self::set_resource`]).
    pub fn sync_span_services(&mut self) {
        for span in &mut self.spans {
            if let Some(resource) = self.resources.get(span.resource as usize) {
                span.service = resource.service;
            }
        }
    }

    /// The service of resource `index`, if it exists.
    pub fn resource_service(&self, index: u32) -> Option<Sym> {
        self.resources.get(index as usize).map(|r| r.service)
    }

    /// Position to pass to [`Self::attrs_since`] after pushing attributes.
    pub fn attrs_mark(&self) -> u32 {
        index_u32(self.attributes.len())
    }

    /// Adds an attribute.
    pub fn push_attr(&mut self, key: Sym, value: AttrValue) {
        self.attributes.push(Attribute { key, value });
    }

    /// Adds a string attribute, interning key and value.
    pub fn push_str_attr(&mut self, key: &str, value: &str) {
        let key = self.intern(key);
        let value = AttrValue::Str(self.intern(value));
        self.push_attr(key, value);
    }

    /// The attributes pushed since `mark`.
    pub fn attrs_since(&self, mark: u32) -> IdxRange {
        IdxRange {
            start: mark,
            end: self.attrs_mark(),
        }
    }

    /// Position to pass to [`Self::events_since`].
    pub fn events_mark(&self) -> u32 {
        index_u32(self.events.len())
    }

    /// Adds an event.
    pub fn push_event(&mut self, event: Event) {
        self.events.push(event);
    }

    /// The events pushed since `mark`.
    pub fn events_since(&self, mark: u32) -> IdxRange {
        IdxRange {
            start: mark,
            end: self.events_mark(),
        }
    }

    /// Position to pass to [`Self::refs_since`].
    pub fn refs_mark(&self) -> u32 {
        index_u32(self.references.len())
    }

    /// Adds a reference or link.
    pub fn push_ref(&mut self, reference: Reference) {
        self.references.push(reference);
    }

    /// The references pushed since `mark`.
    pub fn refs_since(&self, mark: u32) -> IdxRange {
        IdxRange {
            start: mark,
            end: self.refs_mark(),
        }
    }

    /// Adds a span (tree fields are ignored; `build` computes them).
    pub fn push_span(&mut self, span: Span) {
        self.spans.push(span);
    }

    /// Moves every span, resource, warning and source of `other` (the same trace read from
    /// another file) into this builder, re-interning its strings.
    pub fn absorb(&mut self, other: TraceBuilder) {
        let mut map: Vec<Sym> = Vec::with_capacity(other.strings.len());
        for (sym, text) in other.strings.iter() {
            debug_assert_eq!(sym.into_usize(), map.len());
            map.push(self.strings.get_or_intern(text));
        }
        let remap = |sym: Sym| map.get(sym.into_usize()).copied().unwrap_or(sym);
        let remap_value = |value: AttrValue| match value {
            AttrValue::Str(s) => AttrValue::Str(remap(s)),
            AttrValue::Json(s) => AttrValue::Json(remap(s)),
            other => other,
        };
        let shift = |range: IdxRange, by: u32| IdxRange {
            start: range.start + by,
            end: range.end + by,
        };
        let attr_base = self.attrs_mark();
        let event_base = self.events_mark();
        let ref_base = self.refs_mark();
        let resource_base = index_u32(self.resources.len());

        self.attributes
            .extend(other.attributes.iter().map(|attr| Attribute {
                key: remap(attr.key),
                value: remap_value(attr.value),
            }));
        self.events.extend(other.events.iter().map(|event| Event {
            time_ns: event.time_ns,
            name: remap(event.name),
            attrs: shift(event.attrs, attr_base),
        }));
        self.references
            .extend(other.references.iter().map(|reference| Reference {
                kind: reference.kind,
                trace_id: remap(reference.trace_id),
                span_id: remap(reference.span_id),
                attrs: shift(reference.attrs, attr_base),
            }));
        self.resources
            .extend(other.resources.iter().map(|resource| Resource {
                service: remap(resource.service),
                attrs: shift(resource.attrs, attr_base),
            }));
        self.spans.extend(other.spans.iter().map(|span| Span {
            span_id: remap(span.span_id),
            parent_span_id: span.parent_span_id.map(remap),
            resource: span.resource + resource_base,
            service: remap(span.service),
            operation: remap(span.operation),
            status_message: span.status_message.map(remap),
            attrs: shift(span.attrs, attr_base),
            events: shift(span.events, event_base),
            refs: shift(span.refs, ref_base),
            ..*span
        }));
        self.warnings.extend(other.warnings);
        for source in &other.sources {
            self.add_source(source);
        }
    }

    /// Assembles the trace: see the module docs for what is resolved and reported.
    pub fn build(self) -> Trace {
        let TraceBuilder {
            trace_id,
            strings,
            spans: mut input,
            resources,
            attributes,
            events,
            references,
            warnings: input_warnings,
            sources,
        } = self;
        let input_warning_count = input_warnings.len();
        let mut report = WarningSink::default();

        fix_durations(&mut input, &strings, &mut report);
        let spans = drop_exact_duplicates(input, strings.len(), &mut report);
        let mut parents = resolve_parents(&spans, &strings, &mut report);
        let cut = break_cycles(&spans, &mut parents, &strings, &mut report);
        let mut spans = spans;
        for victim in cut {
            if let Some(span) = spans.get_mut(victim as usize) {
                span.flags.set(SpanFlags::CYCLE_BROKEN);
            }
        }
        for (span, parent) in spans.iter_mut().zip(&parents) {
            if parent.is_none() && span.parent_span_id.is_some() {
                // Missing parent or a cut cycle: a root either way.
                if !span.flags.has(SpanFlags::CYCLE_BROKEN) {
                    span.flags.set(SpanFlags::MISSING_PARENT);
                }
            }
        }
        fill_missing_timestamps(&mut spans, &parents);
        let (spans, roots) = lay_out_pre_order(spans, &parents);

        let start_ns = spans.iter().map(|s| s.start_ns).min().unwrap_or(0);
        let end_ns = spans.iter().map(Span::end_ns).max().unwrap_or(start_ns);
        let mut warnings = input_warnings;
        warnings.extend(report.finish());
        Trace {
            trace_id,
            strings,
            spans,
            roots,
            resources,
            attributes,
            events,
            references,
            warnings,
            input_warning_count,
            sources,
            start_ns,
            end_ns,
        }
    }
}

impl Span {
    /// A span with the given identity and defaults elsewhere, for parsers to fill in.
    pub fn draft(span_id: Sym, resource: u32, service: Sym, operation: Sym) -> Self {
        Span {
            span_id,
            parent_span_id: None,
            resource,
            service,
            operation,
            start_ns: 0,
            duration_ns: 0,
            kind: SpanKind::Unspecified,
            status: SpanStatus::Unset,
            flags: SpanFlags::default(),
            status_message: None,
            attrs: IdxRange::default(),
            events: IdxRange::default(),
            refs: IdxRange::default(),
            parent: None,
            depth: 0,
            subtree_end: 0,
        }
    }
}

fn index_u32(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}

/// Collects structural warnings, keeping at most [`MAX_WARNINGS_PER_KIND`] of each kind.
#[derive(Default)]
struct WarningSink {
    kept: Vec<Warning>,
    per_kind: HashMap<WarningKind, usize>,
}

impl WarningSink {
    fn push(&mut self, warning: Warning) {
        let count = self.per_kind.entry(warning.kind).or_insert(0);
        *count += 1;
        if *count <= MAX_WARNINGS_PER_KIND {
            self.kept.push(warning);
        }
    }

    fn finish(mut self) -> Vec<Warning> {
        let mut overflow: Vec<_> = self
            .per_kind
            .iter()
            .filter(|(_, count)| **count > MAX_WARNINGS_PER_KIND)
            .map(|(kind, count)| (*kind, *count))
            .collect();
        overflow.sort();
        for (kind, count) in overflow {
            self.kept.push(Warning::general(
                WarningKind::Truncated,
                format!(
                    "{} more warnings like \"{:?}\" are not listed",
                    count - MAX_WARNINGS_PER_KIND,
                    kind
                ),
            ));
        }
        self.kept
    }
}

fn fix_durations(spans: &mut [Span], strings: &Interner, report: &mut WarningSink) {
    for span in spans.iter_mut() {
        if span.duration_ns < 0 {
            let id = strings.resolve(&span.span_id);
            report.push(Warning::for_span(
                WarningKind::NegativeDuration,
                id,
                format!(
                    "span {id} has a negative duration ({} µs); it is shown as 0",
                    span.duration_ns as f64 / 1000.0
                ),
            ));
            span.duration_ns = 0;
        }
    }
}

/// True when `a` and `b` describe the same span: the same file loaded twice, or the same span
/// exported in two formats (Jaeger keeps microseconds where OTLP has nanoseconds, so times may
/// differ by less than a microsecond; a missing kind matches any kind).
fn same_span(a: &Span, b: &Span) -> bool {
    const PRECISION_NS: i64 = 1_000;
    let kinds_agree =
        a.kind == b.kind || a.kind == SpanKind::Unspecified || b.kind == SpanKind::Unspecified;
    a.span_id == b.span_id
        && a.parent_span_id == b.parent_span_id
        && a.start_ns.abs_diff(b.start_ns) < PRECISION_NS as u64
        && a.duration_ns.abs_diff(b.duration_ns) < PRECISION_NS as u64
        && a.operation == b.operation
        && a.service == b.service
        && kinds_agree
}

fn drop_exact_duplicates(input: Vec<Span>, symbols: usize, report: &mut WarningSink) -> Vec<Span> {
    // Interned IDs are dense indices: a Vec is a faster map than a HashMap. Chains of spans with
    // the same ID are linked through `next_same_id` (rare, so walking them is cheap).
    const NONE: u32 = u32::MAX;
    let mut first_with_id = vec![NONE; symbols + 1];
    let mut next_same_id: Vec<u32> = Vec::with_capacity(input.len());
    let mut kept: Vec<Span> = Vec::with_capacity(input.len());
    let mut dropped = 0usize;
    for span in input {
        let slot = span.span_id.into_usize();
        let mut cursor = first_with_id.get(slot).copied().unwrap_or(NONE);
        let mut duplicate = false;
        while cursor != NONE {
            if kept
                .get(cursor as usize)
                .is_some_and(|k| same_span(k, &span))
            {
                duplicate = true;
                break;
            }
            cursor = next_same_id.get(cursor as usize).copied().unwrap_or(NONE);
        }
        if duplicate {
            dropped += 1;
            continue;
        }
        let index = index_u32(kept.len());
        next_same_id.push(first_with_id.get(slot).copied().unwrap_or(NONE));
        if let Some(first) = first_with_id.get_mut(slot) {
            *first = index;
        }
        kept.push(span);
    }
    if dropped > 0 {
        report.push(Warning::general(
            WarningKind::DuplicateSpan,
            format!("{dropped} duplicate span(s) ignored (same ID, service, name and times as a span already loaded)"),
        ));
    }
    kept
}

/// A map from symbols to span indices backed by a Vec (symbols are dense indices).
struct DenseMap {
    slots: Vec<u32>,
}

impl DenseMap {
    const NONE: u32 = u32::MAX;

    fn new(symbols: usize) -> Self {
        Self {
            slots: vec![Self::NONE; symbols + 1],
        }
    }

    fn get(&self, sym: Sym) -> Option<u32> {
        self.slots
            .get(sym.into_usize())
            .copied()
            .filter(|&v| v != Self::NONE)
    }

    fn insert(&mut self, sym: Sym, value: u32) {
        if let Some(slot) = self.slots.get_mut(sym.into_usize()) {
            *slot = value;
        }
    }
}

fn is_server_half(span: &Span) -> bool {
    span.flags.has(SpanFlags::SHARED) || span.kind == SpanKind::Server
}

/// Resolves each span's parent index. Spans sharing an ID as a client/server pair are linked
/// (server under client); other same-ID spans are reported and children attach to the first.
fn resolve_parents(
    spans: &[Span],
    strings: &Interner,
    report: &mut WarningSink,
) -> Vec<Option<u32>> {
    // Span ID (a dense symbol index) → the span children attach to.
    let mut by_id = DenseMap::new(strings.len());
    let mut server_to_client: HashMap<u32, u32> = HashMap::new();
    let mut paired: std::collections::HashSet<u32> = std::collections::HashSet::new();
    for (index, span) in spans.iter().enumerate() {
        let index = index_u32(index);
        let Some(first) = by_id.get(span.span_id) else {
            by_id.insert(span.span_id, index);
            continue;
        };
        let Some(first_span) = spans.get(first as usize) else {
            continue;
        };
        if !paired.contains(&first) && is_server_half(span) != is_server_half(first_span) {
            paired.insert(first);
            paired.insert(index);
            let (server, client) = if is_server_half(span) {
                (index, first)
            } else {
                (first, index)
            };
            server_to_client.insert(server, client);
            // Children name the shared ID; the work below it happens in the server half.
            by_id.insert(span.span_id, server);
        } else {
            let id = strings.resolve(&span.span_id);
            report.push(Warning::for_span(
                WarningKind::DuplicateSpanId,
                id,
                format!(
                    "span ID {id} is used by more than one span (\"{}\" and \"{}\"); children attach to the first",
                    strings.resolve(&first_span.operation),
                    strings.resolve(&span.operation)
                ),
            ));
        }
    }

    spans
        .iter()
        .enumerate()
        .map(|(index, span)| {
            let index = index_u32(index);
            if let Some(&client) = server_to_client.get(&index) {
                return Some(client);
            }
            let parent_id = span.parent_span_id?;
            match by_id.get(parent_id) {
                // A client half must not hang under its own server half.
                Some(parent) if parent != index && server_to_client.get(&parent) != Some(&index) => {
                    Some(parent)
                }
                Some(_) => {
                    let id = strings.resolve(&span.span_id);
                    report.push(Warning::for_span(
                        WarningKind::ParentCycle,
                        id,
                        format!("span {id} names itself as its parent; shown as a root"),
                    ));
                    None
                }
                None => {
                    let id = strings.resolve(&span.span_id);
                    let parent_text = strings.resolve(&parent_id);
                    report.push(Warning::for_span(
                        WarningKind::MissingParent,
                        id,
                        format!(
                            "span {id} (\"{}\") names parent {parent_text}, which is not loaded; shown as a root",
                            strings.resolve(&span.operation)
                        ),
                    ));
                    None
                }
            }
        })
        .collect()
}

/// Finds loops in the parent links and cuts each at its earliest-starting span.
/// Spans a cycle's warning names before counting the rest.
const CYCLE_NAMED: usize = 5;

fn break_cycles(
    spans: &[Span],
    parents: &mut [Option<u32>],
    strings: &Interner,
    report: &mut WarningSink,
) -> Vec<u32> {
    const UNVISITED: u8 = 0;
    const ON_PATH: u8 = 1;
    const DONE: u8 = 2;
    let mut state = vec![UNVISITED; spans.len()];
    let mut path: Vec<u32> = Vec::new();
    let mut cut: Vec<u32> = Vec::new();
    for start in 0..spans.len() {
        path.clear();
        let mut current = index_u32(start);
        loop {
            match state.get(current as usize).copied() {
                Some(UNVISITED) => {}
                Some(ON_PATH) => {
                    let position = path.iter().position(|&p| p == current).unwrap_or(0);
                    let members = path.get(position..).unwrap_or(&[]);
                    let victim = members
                        .iter()
                        .copied()
                        .min_by_key(|&m| {
                            (spans.get(m as usize).map_or(i64::MAX, |s| s.start_ns), m)
                        })
                        .unwrap_or(current);
                    if let Some(slot) = parents.get_mut(victim as usize) {
                        *slot = None;
                    }
                    cut.push(victim);
                    let names: Vec<&str> = members
                        .iter()
                        .filter_map(|&m| spans.get(m as usize))
                        .map(|s| strings.resolve(&s.span_id))
                        .collect();
                    let id = spans
                        .get(victim as usize)
                        .map_or("?", |s| strings.resolve(&s.span_id));
                    // A cycle of 10,000 spans once made a 210,000-character warning: name the
                    // first few and count the rest.
                    let chain = if names.len() > CYCLE_NAMED {
                        let first = names.get(..CYCLE_NAMED).unwrap_or(&names).join(" → ");
                        format!("{first} → … {} more spans", names.len() - CYCLE_NAMED)
                    } else {
                        names.join(" → ")
                    };
                    report.push(Warning::for_span(
                        WarningKind::ParentCycle,
                        id,
                        format!(
                            "parent links form a cycle of {} spans ({chain} → {id}); span {id} is shown as a root",
                            names.len()
                        ),
                    ));
                    break;
                }
                _ => break,
            }
            if let Some(slot) = state.get_mut(current as usize) {
                *slot = ON_PATH;
            }
            path.push(current);
            match parents.get(current as usize).copied().flatten() {
                Some(parent) => current = parent,
                None => break,
            }
        }
        for &p in &path {
            if let Some(slot) = state.get_mut(p as usize) {
                *slot = DONE;
            }
        }
    }
    cut
}

/// Gives spans without a start time their nearest stamped ancestor's start (or the trace's).
fn fill_missing_timestamps(spans: &mut [Span], parents: &[Option<u32>]) {
    if !spans.iter().any(|s| s.flags.has(SpanFlags::NO_TIMESTAMP)) {
        return;
    }
    let trace_start = spans
        .iter()
        .filter(|s| !s.flags.has(SpanFlags::NO_TIMESTAMP))
        .map(|s| s.start_ns)
        .min()
        .unwrap_or(0);
    for index in 0..spans.len() {
        if !spans
            .get(index)
            .is_some_and(|s| s.flags.has(SpanFlags::NO_TIMESTAMP))
        {
            continue;
        }
        let mut ancestor = parents.get(index).copied().flatten();
        let mut start = trace_start;
        let mut steps = 0usize;
        while let Some(a) = ancestor {
            let Some(candidate) = spans.get(a as usize) else {
                break;
            };
            if !candidate.flags.has(SpanFlags::NO_TIMESTAMP) {
                start = candidate.start_ns;
                break;
            }
            steps += 1;
            if steps > spans.len() {
                break;
            }
            ancestor = parents.get(a as usize).copied().flatten();
        }
        if let Some(span) = spans.get_mut(index) {
            span.start_ns = start;
        }
    }
}

/// Sorts siblings by start time and returns the spans in pre-order with tree fields set, plus
/// the root indices.
fn lay_out_pre_order(spans: Vec<Span>, parents: &[Option<u32>]) -> (Vec<Span>, Vec<SpanIdx>) {
    let n = spans.len();
    let sort_key = |i: u32| (spans.get(i as usize).map_or(0, |s| s.start_ns), i);

    // Children lists in one flat array (compressed sparse rows).
    let mut child_count = vec![0u32; n + 1];
    let mut roots: Vec<u32> = Vec::new();
    for (index, parent) in parents.iter().enumerate() {
        match parent {
            Some(p) => {
                if let Some(c) = child_count.get_mut(*p as usize + 1) {
                    *c += 1;
                }
            }
            None => roots.push(index_u32(index)),
        }
    }
    for i in 1..=n {
        let before = child_count.get(i - 1).copied().unwrap_or(0);
        if let Some(c) = child_count.get_mut(i) {
            *c += before;
        }
    }
    let offsets = child_count;
    let mut fill = offsets.clone();
    let mut children = vec![0u32; n];
    for (index, parent) in parents.iter().enumerate() {
        if let Some(p) = parent {
            if let Some(slot) = fill.get_mut(*p as usize) {
                if let Some(c) = children.get_mut(*slot as usize) {
                    *c = index_u32(index);
                }
                *slot += 1;
            }
        }
    }
    for p in 0..n {
        let (Some(&from), Some(&to)) = (offsets.get(p), offsets.get(p + 1)) else {
            continue;
        };
        if let Some(group) = children.get_mut(from as usize..to as usize) {
            group.sort_unstable_by_key(|&c| sort_key(c));
        }
    }
    roots.sort_unstable_by_key(|&r| sort_key(r));

    // Iterative depth-first walk.
    let mut order: Vec<u32> = Vec::with_capacity(n);
    let mut depth_of = vec![0u32; n];
    let mut stack: Vec<u32> = roots.iter().rev().copied().collect();
    while let Some(current) = stack.pop() {
        order.push(current);
        let depth = depth_of.get(current as usize).copied().unwrap_or(0);
        let (Some(&from), Some(&to)) = (
            offsets.get(current as usize),
            offsets.get(current as usize + 1),
        ) else {
            continue;
        };
        for &child in children
            .get(from as usize..to as usize)
            .unwrap_or(&[])
            .iter()
            .rev()
        {
            if let Some(d) = depth_of.get_mut(child as usize) {
                *d = depth + 1;
            }
            stack.push(child);
        }
    }

    let mut new_index = vec![0u32; n];
    for (position, &old) in order.iter().enumerate() {
        if let Some(slot) = new_index.get_mut(old as usize) {
            *slot = index_u32(position);
        }
    }
    let mut laid_out: Vec<Span> = Vec::with_capacity(n);
    for &old in &order {
        let Some(span) = spans.get(old as usize) else {
            continue;
        };
        let mut span = *span;
        span.parent = parents
            .get(old as usize)
            .copied()
            .flatten()
            .and_then(|p| new_index.get(p as usize))
            .map(|&p| SpanIdx(p));
        span.depth = depth_of.get(old as usize).copied().unwrap_or(0);
        laid_out.push(span);
    }
    // Subtree ends: walk backwards, each span's end is the max of its own position + 1 and its
    // descendants' ends.
    let mut subtree_end: Vec<u32> = (1..=index_u32(n)).collect();
    for position in (0..laid_out.len()).rev() {
        let end = subtree_end.get(position).copied().unwrap_or(0);
        if let Some(parent) = laid_out.get(position).and_then(|s| s.parent) {
            if let Some(slot) = subtree_end.get_mut(parent.get()) {
                *slot = (*slot).max(end);
            }
        }
    }
    for (span, end) in laid_out.iter_mut().zip(subtree_end) {
        span.subtree_end = end;
    }
    let roots = roots
        .iter()
        .filter_map(|&r| new_index.get(r as usize))
        .map(|&r| SpanIdx(r))
        .collect();
    (laid_out, roots)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a trace from `(id, parent, start, duration)` rows.
    fn trace_of(rows: &[(&str, Option<&str>, i64, i64)]) -> Trace {
        let mut builder = TraceBuilder::new("t1");
        let service = builder.intern("svc");
        let resource = builder.add_resource(service, IdxRange::default());
        for (id, parent, start, duration) in rows {
            let span_id = builder.intern(id);
            let operation = builder.intern(&format!("op-{id}"));
            let mut span = Span::draft(span_id, resource, service, operation);
            span.parent_span_id = parent.map(|p| builder.intern(p));
            span.start_ns = *start;
            span.duration_ns = *duration;
            builder.push_span(span);
        }
        builder.build()
    }

    fn ids(trace: &Trace) -> Vec<(String, u32)> {
        trace
            .spans
            .iter()
            .map(|s| (trace.str(s.span_id).to_string(), s.depth))
            .collect()
    }

    #[test]
    fn spans_are_laid_out_in_pre_order_with_siblings_by_start() {
        let trace = trace_of(&[
            ("c", Some("a"), 30, 5),
            ("a", None, 0, 100),
            ("b", Some("a"), 10, 5),
            ("d", Some("b"), 11, 1),
        ]);
        assert_eq!(
            ids(&trace),
            vec![
                ("a".into(), 0),
                ("b".into(), 1),
                ("d".into(), 2),
                ("c".into(), 1)
            ]
        );
        let children: Vec<_> = trace.children(SpanIdx(0)).collect();
        assert_eq!(children, vec![SpanIdx(1), SpanIdx(3)]);
        assert_eq!(trace.spans[0].subtree_end, 4);
        assert_eq!(trace.spans[1].subtree_end, 3);
        assert_eq!(trace.spans[3].parent, Some(SpanIdx(0)));
        assert_eq!((trace.start_ns, trace.end_ns), (0, 100));
        assert!(trace.warnings.is_empty());
    }

    #[test]
    fn missing_parent_makes_a_flagged_root_and_a_warning() {
        let trace = trace_of(&[("a", None, 0, 10), ("x", Some("gone"), 5, 1)]);
        assert_eq!(trace.roots.len(), 2);
        let orphan = &trace.spans[1];
        assert!(orphan.flags.has(SpanFlags::MISSING_PARENT));
        assert_eq!(trace.root_span(), Some(SpanIdx(0)));
        assert_eq!(trace.warnings.len(), 1);
        assert_eq!(trace.warnings[0].kind, WarningKind::MissingParent);
        assert!(trace.warnings[0].message.contains("gone"));
    }

    #[test]
    fn cycles_are_cut_at_the_earliest_span() {
        let trace = trace_of(&[
            ("a", Some("c"), 5, 10),
            ("b", Some("a"), 6, 1),
            ("c", Some("b"), 7, 1),
        ]);
        assert_eq!(
            ids(&trace),
            vec![("a".into(), 0), ("b".into(), 1), ("c".into(), 2)]
        );
        assert_eq!(trace.warnings.len(), 1);
        assert_eq!(trace.warnings[0].kind, WarningKind::ParentCycle);
        assert!(trace.spans[0].flags.has(SpanFlags::CYCLE_BROKEN));
    }

    #[test]
    fn self_parent_is_reported() {
        let trace = trace_of(&[("a", Some("a"), 0, 1)]);
        assert_eq!(trace.roots.len(), 1);
        assert_eq!(trace.warnings[0].kind, WarningKind::ParentCycle);
    }

    #[test]
    fn exact_duplicates_are_dropped_and_different_ones_reported() {
        let trace = trace_of(&[
            ("a", None, 0, 10),
            ("a", None, 0, 10),
            ("b", Some("a"), 1, 1),
        ]);
        assert_eq!(trace.spans.len(), 2);
        assert_eq!(trace.warnings[0].kind, WarningKind::DuplicateSpan);

        let trace = trace_of(&[("a", None, 0, 10), ("a", None, 3_000, 10)]);
        assert_eq!(trace.spans.len(), 2);
        assert!(trace
            .warnings
            .iter()
            .any(|w| w.kind == WarningKind::DuplicateSpanId));
    }

    #[test]
    fn the_same_span_in_micro_and_nanosecond_precision_is_one_span() {
        let trace = trace_of(&[
            ("a", None, 1_000_000, 46_460_625),
            ("a", None, 1_000_000, 46_460_000),
        ]);
        assert_eq!(trace.spans.len(), 1);
        let trace = trace_of(&[
            ("a", None, 1_000_000, 46_460_625),
            ("a", None, 1_000_000, 46_470_000),
        ]);
        assert_eq!(trace.spans.len(), 2);
    }

    #[test]
    fn negative_durations_become_zero_with_a_warning() {
        let trace = trace_of(&[("a", None, 10, -5)]);
        assert_eq!(trace.spans[0].duration_ns, 0);
        assert_eq!(trace.warnings[0].kind, WarningKind::NegativeDuration);
    }

    #[test]
    fn a_deep_chain_does_not_overflow_the_stack() {
        let names: Vec<String> = (0..200_000).map(|i| format!("s{i}")).collect();
        let rows: Vec<_> = names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let parent = if i == 0 {
                    None
                } else {
                    names.get(i - 1).map(String::as_str)
                };
                (name.as_str(), parent, i as i64, 1_000_000 - i as i64)
            })
            .collect();
        let trace = trace_of(&rows);
        assert_eq!(trace.max_depth(), 199_999);
        assert_eq!(trace.spans[0].subtree_end, 200_000);
    }

    #[test]
    fn absorb_merges_two_halves_of_a_trace() {
        let mut left = TraceBuilder::new("t");
        let mut right = TraceBuilder::new("t");
        for (builder, id, parent) in [(&mut left, "a", None), (&mut right, "b", Some("a"))] {
            let service = builder.intern("svc");
            let resource = builder.add_resource(service, IdxRange::default());
            let span_id = builder.intern(id);
            let op = builder.intern("op");
            let mut span = Span::draft(span_id, resource, service, op);
            span.parent_span_id = parent.map(|p| builder.intern(p));
            span.duration_ns = 5;
            builder.push_span(span);
        }
        let first = left.build();
        let mut merged = TraceBuilder::from_trace(&first);
        merged.absorb(right);
        let trace = merged.build();
        assert_eq!(ids(&trace), vec![("a".into(), 0), ("b".into(), 1)]);
        assert_eq!(trace.resources.len(), 2);
    }
}
