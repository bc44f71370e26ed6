//! Lenient building blocks shared by the format parsers' wire structs.
//!
//! Producers disagree on types (IDs as numbers, times as strings, OTLP int64 as strings), so
//! these accept every reasonable spelling and turn junk into `None` (which the parser reports
//! as a per-span warning) instead of failing the whole file.
use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::core::model::{AttrValue, TraceBuilder};

/// A JSON scalar (or, for arrays and objects, its compact JSON text).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Cow<'a, str>),
    Json(String),
}

impl<'a> Scalar<'a> {
    /// The value as text (numbers and booleans formatted), `None` for null.
    pub(crate) fn text(&self) -> Option<Cow<'_, str>> {
        match self {
            Scalar::Null => None,
            Scalar::Bool(b) => Some(Cow::Owned(b.to_string())),
            Scalar::Int(i) => Some(Cow::Owned(i.to_string())),
            Scalar::Float(f) => Some(Cow::Owned(f.to_string())),
            Scalar::Str(s) => Some(Cow::Borrowed(s.as_ref())),
            Scalar::Json(s) => Some(Cow::Borrowed(s.as_str())),
        }
    }

    /// True for `true` and the string `"true"` (Jaeger writes both for the `error` tag).
    pub(crate) fn is_true(&self) -> bool {
        match self {
            Scalar::Bool(b) => *b,
            Scalar::Str(s) => s.eq_ignore_ascii_case("true"),
            _ => false,
        }
    }

    /// Interns the value into `builder` as an attribute value.
    pub(crate) fn to_attr(&self, builder: &mut TraceBuilder) -> AttrValue {
        match self {
            Scalar::Null => AttrValue::Json(builder.intern("null")),
            Scalar::Bool(b) => AttrValue::Bool(*b),
            Scalar::Int(i) => AttrValue::Int(*i),
            Scalar::Float(f) => AttrValue::Float(*f),
            Scalar::Str(s) => AttrValue::Str(builder.intern(s)),
            Scalar::Json(s) => AttrValue::Json(builder.intern(s)),
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Scalar<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Scalar::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(match i64::try_from(v) {
            Ok(i) => Scalar::Int(i),
            Err(_) => Scalar::Float(v as f64),
        })
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Scalar::Float(v))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        let value = serde_json::Value::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
        Ok(Scalar::Json(value.to_string()))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let value = serde_json::Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(Scalar::Json(value.to_string()))
    }
}

/// A string field that also accepts numbers and booleans (written as text); other types
/// become `None` without failing the file.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Text<'a>(pub(crate) Option<Cow<'a, str>>);

impl<'a> Text<'a> {
    /// The text, if present and not empty.
    pub(crate) fn get(&self) -> Option<&str> {
        self.0.as_deref().filter(|s| !s.is_empty())
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TextVisitor)
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Text(None))
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Text(None))
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Borrowed(v))))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v))))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Text(None))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Text(None))
    }
}

/// Outcome of reading a number field: absent, a number, a number beyond `i64`, or present but
/// unreadable.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) enum Number {
    #[default]
    Absent,
    Value(i64),
    /// A number too large for `i64` either way (`1e30`, `u64::MAX`, `"99999999999999999999"`).
    Huge(f64),
    Invalid,
}

impl Number {
    /// The number, when it was present and readable.
    pub(crate) fn value(self) -> Option<i64> {
        match self {
            Number::Value(v) => Some(v),
            _ => None,
        }
    }

    /// The number as nanoseconds, read in units of `unit_ns` (1 for ns, 1,000 for µs); a value
    /// whose nanoseconds do not fit `i64` is clamped to its end of the range and says so.
    pub(crate) fn to_ns(self, unit_ns: i64) -> Time {
        let clamped = |negative: bool| if negative { i64::MIN } else { i64::MAX };
        match self {
            Number::Absent => Time::Absent,
            Number::Invalid => Time::Invalid,
            Number::Value(v) => match v.checked_mul(unit_ns) {
                Some(ns) => Time::Ns(ns),
                None => Time::OutOfRange {
                    clamped: clamped(v < 0),
                    original: v.to_string(),
                },
            },
            Number::Huge(f) => Time::OutOfRange {
                clamped: clamped(f < 0.0),
                original: format!("{f}"),
            },
        }
    }
}

/// A time field read as nanoseconds (see [`Number::to_ns`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Time {
    Ns(i64),
    Absent,
    Invalid,
    /// Beyond what `i64` nanoseconds hold: `clamped` is `i64::MIN` or `i64::MAX`, `original`
    /// the number as written, for the warning.
    OutOfRange {
        clamped: i64,
        original: String,
    },
}

/// Warns of a time field out of range, when `clamp` holds the number as written and what is
/// shown instead: names the span, the field and the value (in `unit`).
pub(crate) fn warn_out_of_range(
    builder: &mut TraceBuilder,
    file: &str,
    span_id: &str,
    field: &str,
    unit: &str,
    clamp: Option<(String, impl AsRef<str>)>,
) {
    if let Some((original, shown)) = clamp {
        builder.warn(crate::core::model::Warning::for_span(
            crate::core::model::WarningKind::InvalidValue,
            span_id,
            format!(
                "{file}: span {span_id} has {field} {original} {unit}, out of range; {}",
                shown.as_ref()
            ),
        ));
    }
}

/// Reads a duration in `unit_ns` units; one out of range is clamped — too long becomes the
/// longest duration (~292 years), negative beyond range 0 — and comes with the number as
/// written and what is shown instead, for [`out_of_range`].
pub(crate) fn duration_ns(
    number: Number,
    unit_ns: i64,
) -> (Option<i64>, Option<(String, &'static str)>) {
    match number.to_ns(unit_ns) {
        Time::Ns(ns) => (Some(ns), None),
        Time::OutOfRange { clamped, original } if clamped > 0 => {
            (Some(i64::MAX), Some((original, "clamped to 292 years")))
        }
        Time::OutOfRange { original, .. } => (Some(0), Some((original, "shown as 0"))),
        Time::Absent | Time::Invalid => (None, None),
    }
}

/// Reads a start time in `unit_ns` units; one out of range is clamped to the first or last
/// instant `i64` nanoseconds hold (1677-09-21 or 2262-04-11) and comes with the number as
/// written and what is shown instead.
pub(crate) fn start_ns(number: Number, unit_ns: i64) -> (Time, Option<(String, String)>) {
    match number.to_ns(unit_ns) {
        Time::OutOfRange { clamped, original } => {
            let shown = format!(
                "clamped to {}",
                crate::core::view_model::format_start_ns(clamped)
            );
            (Time::Ns(clamped), Some((original, shown)))
        }
        other => (other, None),
    }
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let scalar = Scalar::deserialize(deserializer)?;
        // 2^63 as f64: the first float past `i64::MAX`.
        const LIMIT: f64 = 9_223_372_036_854_775_808.0;
        let of_float = |f: f64| {
            if !f.is_finite() {
                Number::Invalid
            } else if (-LIMIT..LIMIT).contains(&f) {
                Number::Value(f as i64)
            } else {
                Number::Huge(f)
            }
        };
        Ok(match scalar {
            Scalar::Null => Number::Absent,
            Scalar::Int(i) => Number::Value(i),
            Scalar::Float(f) => of_float(f),
            Scalar::Str(s) => match s.trim().parse::<i64>() {
                Ok(i) => Number::Value(i),
                Err(_) => s.trim().parse::<f64>().map_or(Number::Invalid, of_float),
            },
            _ => Number::Invalid,
        })
    }
}

/// Parses `raw` as an array of `T`, or as a single `T` when it is an object.
pub(crate) fn one_or_many<'a, T: Deserialize<'a>>(
    raw: &'a str,
) -> Result<Vec<T>, serde_json::Error> {
    if raw.trim_start().starts_with('{') {
        Ok(vec![serde_json::from_str(raw)?])
    } else {
        serde_json::from_str(raw)
    }
}

/// Byte offset of `inner` inside `outer`, when `inner` is a sub-slice of it.
pub(crate) fn offset_in(outer: &[u8], inner: &str) -> Option<usize> {
    let outer_start = outer.as_ptr() as usize;
    let inner_start = inner.as_ptr() as usize;
    (inner_start >= outer_start && inner_start <= outer_start + outer.len())
        .then(|| inner_start - outer_start)
}

/// 1-based line and column of byte `offset` in `bytes`.
pub(crate) fn line_column(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = bytes.get(..offset).unwrap_or(bytes);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    (line, offset - line_start + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_accept_strings_floats_and_junk() {
        let parse = |json: &str| serde_json::from_str::<Number>(json).unwrap();
        assert_eq!(parse("12"), Number::Value(12));
        assert_eq!(
            parse("\"1782036644636668325\""),
            Number::Value(1_782_036_644_636_668_325)
        );
        assert_eq!(parse("1.5e3"), Number::Value(1500));
        assert_eq!(parse("null"), Number::Absent);
        assert_eq!(parse("\"soon\""), Number::Invalid);
        assert_eq!(parse("{\"a\":1}"), Number::Invalid);
    }

    #[test]
    fn text_accepts_numbers_and_drops_objects() {
        fn parse(json: &str) -> Option<String> {
            serde_json::from_str::<Text>(json)
                .unwrap()
                .get()
                .map(str::to_string)
        }
        assert_eq!(parse("\"a\"").as_deref(), Some("a"));
        assert_eq!(parse("42").as_deref(), Some("42"));
        assert_eq!(parse("[1,2]"), None);
    }

    #[test]
    fn line_and_column_are_one_based() {
        let text = b"ab\ncd";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 4), (2, 2));
    }
}
