//! The index-based trace model every format is parsed into.
//!
//! A [`Trace`] owns its spans in one `Vec`, stored in pre-order (parents before children, siblings
//! by start time) with their depth and the end of their subtree, so a subtree is a contiguous index
//! range and no span owns a heap allocation of its own. Names, IDs and string attribute values are
//! interned per trace ([`Sym`]); times are integer nanoseconds since the Unix epoch.
//!
//! Spans are collected in a [`TraceBuilder`] (by parsers, or when merging files) and become a
//! [`Trace`] through [`TraceBuilder::build`], which resolves parents, drops exact duplicates,
//! breaks cycles and records a [`Warning`] for every structural problem instead of failing.
mod builder;
mod ids;
mod rewrite;
mod span;
mod strings;
mod trace;
mod trace_set;
mod warning;

pub use builder::TraceBuilder;
pub use ids::{normalize_id, same_trace_id, trace_key};
pub use rewrite::{rewrite_texts, TextUse};
pub use span::{
    AttrValue, Attribute, Event, IdxRange, RefKind, Reference, Resource, Span, SpanFlags, SpanIdx,
    SpanKind, SpanStatus,
};
pub use strings::{Interner, Sym};
pub use trace::Trace;
pub use trace_set::{MergeOutcome, TraceSet};
pub use warning::{Warning, WarningKind};
