//! Groups the spans a parser reads by trace ID, one [`TraceBuilder`] per trace.
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use crate::core::model::{normalize_id, trace_key, Span, TraceBuilder, Warning, WarningKind};

/// The service name used when the input names none (as OpenTelemetry SDKs do).
pub(crate) const UNKNOWN_SERVICE: &str = "unknown_service";

/// A span being read: its trace's builder, the draft span, its ID text (borrowed from the input
/// when it is already canonical) and the file name.
pub(crate) struct SpanStart<'c, 'i> {
    pub(crate) builder: &'c mut TraceBuilder,
    pub(crate) span: Span,
    pub(crate) span_id: Cow<'i, str>,
    pub(crate) file: Arc<str>,
}

/// Adds a resource for spans whose service is unknown.
pub(crate) fn add_unknown_resource(builder: &mut TraceBuilder) -> u32 {
    let service = builder.intern(UNKNOWN_SERVICE);
    builder.add_resource(service, Default::default())
}

/// Bytes of JSON per span assumed when sizing a file's first trace: about what real spans with
/// a few attributes take (the generated ones take 280–400). A file with smaller spans only
/// grows its trace later; one with several traces reserves a little too much for a moment.
const BYTES_PER_SPAN: usize = 600;

/// The trace ID given to spans that have none.
pub const MISSING_TRACE_ID: &str = "(no trace ID)";

/// Tells how far into the input the parser is. Every parser passes each span's ID through
/// [`TraceCollector::begin_span`], and the ID is borrowed from the input, so its address says
/// where the parser is, without the parsers knowing about progress.
pub(crate) struct ProgressHook<'p> {
    start: usize,
    len: usize,
    next: usize,
    step: usize,
    report: &'p mut dyn FnMut(f64),
}

impl<'p> ProgressHook<'p> {
    /// A hook for parsing `input`, calling `report` with the fraction read (0..1) about a
    /// hundred times at most.
    pub(crate) fn new(input: &str, report: &'p mut dyn FnMut(f64)) -> Self {
        Self {
            start: input.as_ptr() as usize,
            len: input.len(),
            next: 0,
            step: (input.len() / 100).max(1 << 16),
            report,
        }
    }

    /// The parser is reading the text at address `at`.
    fn at(&mut self, at: usize) {
        let offset = at.wrapping_sub(self.start);
        if offset < self.len && offset >= self.next {
            self.next = offset + self.step;
            (self.report)(offset as f64 / self.len as f64);
        }
    }
}

/// Collects builders by trace ID for one file.
pub(crate) struct TraceCollector<'p> {
    /// Where the parser is, reported as it goes (see [`ProgressHook`]).
    pub(crate) progress: Option<ProgressHook<'p>>,
    file: Arc<str>,
    builders: Vec<TraceBuilder>,
    by_key: HashMap<String, usize>,
    missing_span_ids: usize,
    /// The raw trace ID of the previous lookup and its builder (spans of one trace come in
    /// runs, so most lookups skip normalising and hashing).
    last: Option<(String, usize)>,
    /// What each Jaeger trace object left open, in file order — recorded only when reading a
    /// half of a split file (see `format::split`), `None` otherwise.
    pub(crate) objects: Option<Vec<ObjectRecord>>,
    /// About how many spans the input holds (see [`Self::expect_input`]).
    expected_spans: usize,
}

/// What a Jaeger trace object leaves for the other half of a split file: its `processes`
/// text, and the placeholder resources it could not describe for lack of one.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct ObjectRecord {
    /// The JSON text of the object's `processes`, if it had any.
    pub(crate) processes_raw: Option<String>,
    /// Placeholders: builder index, process ID, resource index.
    pub(crate) unresolved: Vec<(usize, String, u32)>,
}

impl TraceCollector<'_> {
    /// A collector for spans read from `file`.
    pub(crate) fn new(file: &str) -> Self {
        Self {
            progress: None,
            file: Arc::from(file),
            builders: Vec::new(),
            by_key: HashMap::new(),
            missing_span_ids: 0,
            last: None,
            objects: None,
            expected_spans: 0,
        }
    }

    /// The builder for `raw_trace_id` (normalised), created on first use. Spans without a
    /// trace ID go to one placeholder trace, with a warning.
    pub(crate) fn builder(&mut self, raw_trace_id: Option<&str>) -> &mut TraceBuilder {
        let index = self.builder_index(raw_trace_id);
        // `builder_index` only returns positions of pushed builders.
        #[allow(clippy::indexing_slicing)]
        &mut self.builders[index]
    }

    /// The position of [`Self::builder`]'s builder among [`Self::finish`]'s.
    pub(crate) fn builder_index(&mut self, raw_trace_id: Option<&str>) -> usize {
        if let (Some(raw), Some((last_raw, index))) = (raw_trace_id, &self.last) {
            if raw == last_raw {
                return *index;
            }
        }
        let normalized = raw_trace_id
            .map(|id| normalize_id(id).into_owned())
            .filter(|id| !id.is_empty())
            .unwrap_or_else(|| MISSING_TRACE_ID.to_string());
        let key = trace_key(&normalized);
        let index = match self.by_key.get(&key) {
            Some(&index) => index,
            None => {
                // The first trace of a file gets room for as many spans as the file could
                // hold, most files being one trace.
                let mut builder = match self.builders.is_empty() {
                    true => TraceBuilder::with_capacity(&normalized, self.expected_spans),
                    false => TraceBuilder::new(&normalized),
                };
                builder.add_source(&self.file);
                if normalized == MISSING_TRACE_ID {
                    builder.warn(Warning::general(
                        WarningKind::MissingTraceId,
                        format!("{}: spans without a trace ID are grouped here", self.file),
                    ));
                }
                self.builders.push(builder);
                self.by_key.insert(key, self.builders.len() - 1);
                self.builders.len() - 1
            }
        };
        if let Some(raw) = raw_trace_id {
            self.last = Some((raw.to_string(), index));
        }
        index
    }

    /// A new, empty collector for the same file and input that takes over this one's progress
    /// hook: to read the input again another way after a first attempt failed part-way.
    pub(crate) fn start_over(&mut self) -> Self {
        let mut fresh = TraceCollector::new(self.file());
        fresh.progress = self.progress.take();
        fresh.expected_spans = self.expected_spans;
        fresh
    }

    /// Sizes the first trace for an input of `bytes` bytes (see [`BYTES_PER_SPAN`]).
    pub(crate) fn expect_input(&mut self, bytes: usize) {
        self.expected_spans = bytes / BYTES_PER_SPAN;
    }

    /// A placeholder ID for a span that has none, with a warning on its trace.
    pub(crate) fn missing_span_id(
        &mut self,
        builder_trace_id: Option<&str>,
        operation: &str,
    ) -> String {
        self.missing_span_ids += 1;
        let placeholder = format!("(no span ID #{})", self.missing_span_ids);
        let file = self.file.clone();
        self.builder(builder_trace_id).warn(Warning::for_span(
            WarningKind::MissingSpanId,
            &placeholder,
            format!("{file}: span \"{operation}\" has no span ID; shown as {placeholder}"),
        ));
        placeholder
    }

    /// Starts a span of `trace_id`: normalises its ID (or gives it a placeholder, with a
    /// warning) and its parent's, interns its operation and takes the service from `resource`.
    pub(crate) fn begin_span<'i>(
        &mut self,
        trace_id: Option<&str>,
        raw_span_id: Option<&'i str>,
        raw_parent_id: Option<&str>,
        operation: &str,
        resource: u32,
    ) -> SpanStart<'_, 'i> {
        if let (Some(hook), Some(id)) = (self.progress.as_mut(), raw_span_id) {
            hook.at(id.as_ptr() as usize);
        }
        let span_id = match raw_span_id {
            Some(id) => normalize_id(id),
            None => Cow::Owned(self.missing_span_id(trace_id, operation)),
        };
        let file = self.file.clone();
        let builder = self.builder(trace_id);
        let id_sym = builder.intern(&span_id);
        let operation = builder.intern(operation);
        let service = builder
            .resource_service(resource)
            .unwrap_or_else(|| builder.intern(UNKNOWN_SERVICE));
        let mut span = Span::draft(id_sym, resource, service, operation);
        span.parent_span_id = raw_parent_id.map(|p| builder.intern(&normalize_id(p)));
        SpanStart {
            builder,
            span,
            span_id,
            file,
        }
    }

    /// The file name, for messages.
    pub(crate) fn file(&self) -> &str {
        &self.file
    }

    /// The builders, in order of first appearance.
    pub(crate) fn finish(self) -> Vec<TraceBuilder> {
        self.builders
    }

    /// How many spans without an ID got a placeholder ID.
    pub(crate) fn missing_span_ids(&self) -> usize {
        self.missing_span_ids
    }
}
