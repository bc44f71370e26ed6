//! One span and the small value types it points to.
//!
//! A [`Span`] holds only fixed-size fields; its attributes, events and references live in the
//! trace's shared arrays and are addressed with [`IdxRange`]s, which keeps a million-span trace
//! at roughly a hundred bytes per span.
use super::strings::Sym;

/// Index of a span in [`super::Trace::spans`] (our arena index, never the span ID from the file).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct SpanIdx(pub u32);

impl SpanIdx {
    /// The index as a `usize`, for slice access.
    pub fn get(self) -> usize {
        self.0 as usize
    }
}

/// A half-open range `start..end` into one of the trace's shared arrays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct IdxRange {
    /// First index.
    pub start: u32,
    /// One past the last index.
    pub end: u32,
}

impl IdxRange {
    /// The range as `usize` bounds, for slicing.
    pub fn as_range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// Number of elements in the range.
    pub fn len(self) -> usize {
        self.end.saturating_sub(self.start) as usize
    }

    /// True when the range holds no element.
    pub fn is_empty(self) -> bool {
        self.end <= self.start
    }
}

/// The role of a span in a call, as OpenTelemetry defines it (Jaeger's `span.kind` tag and
/// Zipkin's `kind` map onto the same values).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum SpanKind {
    /// No kind was given.
    #[default]
    Unspecified,
    /// Work inside one service.
    Internal,
    /// The receiving side of a synchronous call.
    Server,
    /// The calling side of a synchronous call.
    Client,
    /// The sending side of an asynchronous message.
    Producer,
    /// The receiving side of an asynchronous message.
    Consumer,
}

impl SpanKind {
    /// Parses a kind name in any of the spellings the formats use (`server`, `SERVER`,
    /// `SPAN_KIND_SERVER`); unknown names give `Unspecified`.
    pub fn from_name(name: &str) -> Self {
        let upper = name.trim().to_ascii_uppercase();
        match upper.strip_prefix("SPAN_KIND_").unwrap_or(&upper) {
            "INTERNAL" => Self::Internal,
            "SERVER" => Self::Server,
            "CLIENT" => Self::Client,
            "PRODUCER" => Self::Producer,
            "CONSUMER" => Self::Consumer,
            _ => Self::Unspecified,
        }
    }

    /// Maps OTLP's numeric kind (0–5).
    pub fn from_otlp_number(number: i64) -> Self {
        match number {
            1 => Self::Internal,
            2 => Self::Server,
            3 => Self::Client,
            4 => Self::Producer,
            5 => Self::Consumer,
            _ => Self::Unspecified,
        }
    }

    /// Lower-case name as shown to a user (`server`), empty for `Unspecified`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unspecified => "",
            Self::Internal => "internal",
            Self::Server => "server",
            Self::Client => "client",
            Self::Producer => "producer",
            Self::Consumer => "consumer",
        }
    }
}

/// Whether a span failed: OTLP's status code, Jaeger's `error` tag, Zipkin's `error` tag.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum SpanStatus {
    /// Nothing was said.
    #[default]
    Unset,
    /// Explicitly successful.
    Ok,
    /// The span failed.
    Error,
}

/// Bit flags on a span describing how it was reconstructed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct SpanFlags(pub u8);

impl SpanFlags {
    /// The span names a parent that is not in the trace; it is shown as a root.
    pub const MISSING_PARENT: u8 = 1;
    /// The input gave no duration (Zipkin allows this); the duration is 0.
    pub const NO_DURATION: u8 = 2;
    /// The input gave no start time; the start was taken from the parent or the trace.
    pub const NO_TIMESTAMP: u8 = 4;
    /// The server half of a Zipkin shared span (same ID as its client half).
    pub const SHARED: u8 = 8;
    /// The span's parent link was cut to break a cycle.
    pub const CYCLE_BROKEN: u8 = 16;

    /// True when every bit of `flag` is set.
    pub fn has(self, flag: u8) -> bool {
        self.0 & flag == flag
    }

    /// Sets the bits of `flag`.
    pub fn set(&mut self, flag: u8) {
        self.0 |= flag;
    }
}

/// An attribute (tag) value. Strings are interned; arrays, maps and binary values are kept as
/// their JSON text.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum AttrValue {
    /// A string.
    Str(Sym),
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// An array, a key-value list or bytes, as JSON text.
    Json(Sym),
}

/// A key-value pair on a span, resource, event or link.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Attribute {
    /// The key.
    pub key: Sym,
    /// The value.
    pub value: AttrValue,
}

/// A timestamped event on a span (OTLP event, Jaeger log, Zipkin annotation).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Event {
    /// When it happened, in nanoseconds since the epoch.
    pub time_ns: i64,
    /// Its name (`event` field of a Jaeger log, annotation value for Zipkin).
    pub name: Sym,
    /// Its attributes, in [`super::Trace::attributes`].
    pub attrs: IdxRange,
}

/// The kind of a link between spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum RefKind {
    /// Jaeger's CHILD_OF.
    ChildOf,
    /// Jaeger's FOLLOWS_FROM.
    FollowsFrom,
    /// An OTLP link.
    Link,
}

impl RefKind {
    /// Name as Jaeger writes it (`CHILD_OF`), or `LINK`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ChildOf => "CHILD_OF",
            Self::FollowsFrom => "FOLLOWS_FROM",
            Self::Link => "LINK",
        }
    }
}

/// A reference from a span to another span, possibly in another trace.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Reference {
    /// CHILD_OF, FOLLOWS_FROM or an OTLP link.
    pub kind: RefKind,
    /// Normalised trace ID of the target.
    pub trace_id: Sym,
    /// Normalised span ID of the target.
    pub span_id: Sym,
    /// Link attributes, in [`super::Trace::attributes`].
    pub attrs: IdxRange,
}

/// The process (Jaeger) or resource (OTLP) or local endpoint (Zipkin) a span ran in.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Resource {
    /// The service name.
    pub service: Sym,
    /// Resource attributes, in [`super::Trace::attributes`].
    pub attrs: IdxRange,
}

/// One span. Fixed size; tree fields (`parent`, `depth`, `subtree_end`) are filled by
/// [`super::TraceBuilder::build`].
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Span {
    /// The span ID from the file, normalised (see [`super::normalize_id`]).
    pub span_id: Sym,
    /// The parent span ID the file declares, if any (even when no such span was loaded).
    pub parent_span_id: Option<Sym>,
    /// Index of the resource (service) in [`super::Trace::resources`].
    pub resource: u32,
    /// The service name (copied from the resource for fast access).
    pub service: Sym,
    /// The operation (span) name.
    pub operation: Sym,
    /// Start, in nanoseconds since the Unix epoch.
    pub start_ns: i64,
    /// Duration in nanoseconds, never negative.
    pub duration_ns: i64,
    /// Span kind.
    pub kind: SpanKind,
    /// Success or error.
    pub status: SpanStatus,
    /// Reconstruction flags.
    pub flags: SpanFlags,
    /// The status message or error description, if any.
    pub status_message: Option<Sym>,
    /// Attributes (tags), in [`super::Trace::attributes`].
    pub attrs: IdxRange,
    /// Events (logs, annotations), in [`super::Trace::events`].
    pub events: IdxRange,
    /// References and links, in [`super::Trace::references`].
    pub refs: IdxRange,
    /// The resolved parent in the tree; `None` for roots (including orphans).
    pub parent: Option<SpanIdx>,
    /// Depth in the tree; roots are 0.
    pub depth: u32,
    /// One past the last index of this span's subtree in pre-order.
    pub subtree_end: u32,
}

impl Span {
    /// End time in nanoseconds since the epoch.
    pub fn end_ns(&self) -> i64 {
        self.start_ns.saturating_add(self.duration_ns)
    }

    /// True when the span failed.
    pub fn is_error(&self) -> bool {
        self.status == SpanStatus::Error
    }
}
