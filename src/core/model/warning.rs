//! Problems found while reading or assembling a trace. They are reported, never fatal.

/// What kind of problem a [`Warning`] reports.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum WarningKind {
    /// A warning carried by the input itself (Jaeger's `warnings` arrays).
    Input,
    /// A span without a span ID; it got a placeholder ID.
    MissingSpanId,
    /// A span without a trace ID; it was grouped under a placeholder trace.
    MissingTraceId,
    /// A value that could not be read (e.g. a timestamp that is not a number).
    InvalidValue,
    /// A negative duration, set to 0.
    NegativeDuration,
    /// A span without a start time.
    MissingTimestamp,
    /// A span whose parent is not loaded; shown as a root.
    MissingParent,
    /// Two different spans with the same ID.
    DuplicateSpanId,
    /// Exact copies of a span (e.g. the same file loaded twice); dropped.
    DuplicateSpan,
    /// Parent links that form a loop; one link was cut.
    ParentCycle,
    /// The span's times were shifted by the clock-skew adjustment.
    ClockSkewAdjusted,
    /// More warnings of one kind than are kept; this one counts the rest.
    Truncated,
}

/// One problem, with the span it concerns when there is one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Warning {
    /// The kind of problem.
    pub kind: WarningKind,
    /// The span ID (as normalised) the warning is about, if any.
    pub span_id: Option<String>,
    /// A sentence for a person: what is wrong, where, and what was done about it.
    pub message: String,
}

impl Warning {
    /// A warning about one span.
    pub fn for_span(kind: WarningKind, span_id: &str, message: impl Into<String>) -> Self {
        Self {
            kind,
            span_id: Some(span_id.to_string()),
            message: message.into(),
        }
    }

    /// A warning about the trace or the input as a whole.
    pub fn general(kind: WarningKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            span_id: None,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}
