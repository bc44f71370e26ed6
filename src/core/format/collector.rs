//! Groups the spans a parser reads by trace ID, one [`TraceBuilder`] per trace.
use std::collections::HashMap;

use crate::core::model::{normalize_id, trace_key, TraceBuilder, Warning, WarningKind};

/// The trace ID given to spans that have none.
pub const MISSING_TRACE_ID: &str = "(no trace ID)";

/// Collects builders by trace ID for one file.
pub(crate) struct TraceCollector {
    file: String,
    builders: Vec<TraceBuilder>,
    by_key: HashMap<String, usize>,
    missing_span_ids: usize,
}

impl TraceCollector {
    /// A collector for spans read from `file`.
    pub(crate) fn new(file: &str) -> Self {
        Self {
            file: file.to_string(),
            builders: Vec::new(),
            by_key: HashMap::new(),
            missing_span_ids: 0,
        }
    }

    /// The builder for `raw_trace_id` (normalised), created on first use. Spans without a
    /// trace ID go to one placeholder trace, with a warning.
    pub(crate) fn builder(&mut self, raw_trace_id: Option<&str>) -> &mut TraceBuilder {
        let normalized = raw_trace_id
            .map(normalize_id)
            .filter(|id| !id.is_empty())
            .unwrap_or_else(|| MISSING_TRACE_ID.to_string());
        let key = trace_key(&normalized);
        let index = match self.by_key.get(&key) {
            Some(&index) => index,
            None => {
                let mut builder = TraceBuilder::new(&normalized);
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
        // `by_key` only ever holds positions of pushed builders.
        #[allow(clippy::indexing_slicing)]
        &mut self.builders[index]
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

    /// The file name, for messages.
    pub(crate) fn file(&self) -> &str {
        &self.file
    }

    /// The builders, in order of first appearance.
    pub(crate) fn finish(self) -> Vec<TraceBuilder> {
        self.builders
    }
}
