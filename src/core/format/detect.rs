//! Recognises which trace format a JSON document is, by its top-level keys.
//!
//! | shape                                              | format |
//! |----------------------------------------------------|--------|
//! | `{"data":[trace…]}` (Jaeger query API)              | Jaeger |
//! | `{"traceID","spans","processes"}` (UI download)     | Jaeger |
//! | `[span…]` with `spanID`, `[trace…]` with `spans`    | Jaeger |
//! | `{"resourceSpans"}`, `{"batches"}` (Tempo v1)        | OTLP   |
//! | `{"result":{"resourceSpans"}}` (Jaeger api_v3)      | OTLP   |
//! | `{"trace":{"resourceSpans"}}` (Tempo v2)            | OTLP   |
//! | one such document per line (collector file export) | OTLP   |
//! | `[span…]` with `traceId` + `id`, `[[span…]…]`, span  | Zipkin |
//!
//! Only the top level (and the first array element) is looked at; nested values stay raw.
use std::borrow::Cow;
use std::collections::BTreeMap;

use serde_json::value::RawValue;

use super::Format;

/// The sentence that tells a user which inputs are accepted.
pub const ACCEPTED_FORMATS: &str = "Accepted: Jaeger JSON (a query API response {\"data\":[…]}, \
a single trace {\"traceID\",\"spans\",\"processes\"} as Jaeger UI downloads it, or an array of spans), \
OTLP JSON ({\"resourceSpans\":[…]}, Jaeger api_v3 {\"result\":…}, Tempo {\"batches\"} or {\"trace\"}, \
or one document per line) and Zipkin v2 JSON (an array of spans, or an array of traces).";

/// A part of the file to hand to one parser: a slice of the file's text.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Unit<'a> {
    /// A Jaeger trace object `{traceID, spans, processes}`.
    JaegerTrace(&'a str),
    /// The `data` array of a Jaeger query API response.
    JaegerTraces(&'a str),
    /// A JSON array of Jaeger spans, each with an embedded `process`.
    JaegerSpans(&'a str),
    /// An OTLP document `{resourceSpans}` or `{batches}`.
    Otlp(&'a str),
    /// A JSON array of Zipkin spans.
    ZipkinSpans(&'a str),
}

impl<'a> Unit<'a> {
    /// The JSON text of this unit.
    pub(crate) fn raw(&self) -> &'a str {
        match self {
            Unit::JaegerTrace(r)
            | Unit::JaegerTraces(r)
            | Unit::JaegerSpans(r)
            | Unit::Otlp(r)
            | Unit::ZipkinSpans(r) => r,
        }
    }
}

/// One top-level JSON document of a file: its text and its top level, read in one pass.
pub(crate) struct Document<'a> {
    /// The document's text (a slice of the file).
    pub(crate) text: &'a str,
    /// What the top level holds.
    pub(crate) shape: Shape<'a>,
}

/// The top level of a document; nested values stay raw (skipped, not parsed).
pub(crate) enum Shape<'a> {
    Object(Object<'a>),
    Array(Vec<&'a RawValue>),
    Scalar(&'static str),
}

impl<'de> serde::Deserialize<'de> for Shape<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ShapeVisitor)
    }
}

struct ShapeVisitor;

impl<'de> serde::de::Visitor<'de> for ShapeVisitor {
    type Value = Shape<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON document")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut object = Object::new();
        while let Some((key, value)) = map.next_entry::<Cow<'de, str>, &'de RawValue>()? {
            object.insert(key, value);
        }
        Ok(Shape::Object(object))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element::<&'de RawValue>()? {
            items.push(item);
        }
        Ok(Shape::Array(items))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Shape::Scalar("boolean"))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Shape::Scalar("number"))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Shape::Scalar("number"))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Shape::Scalar("number"))
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Shape::Scalar("string"))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Shape::Scalar("null"))
    }
}

/// Why a document was not accepted.
pub(crate) enum Rejection {
    /// Not a known shape; the text describes what was found.
    Unknown(String),
    /// A known shape that reports an error (e.g. a backend's error response).
    Invalid(String),
}

type Object<'a> = BTreeMap<Cow<'a, str>, &'a RawValue>;

/// Classifies every document of a file. All documents must be of one format.
pub(crate) fn classify<'a>(
    documents: &[Document<'a>],
) -> Result<(Format, Vec<Unit<'a>>), Rejection> {
    let mut format = None;
    let mut units = Vec::new();
    for (index, document) in documents.iter().enumerate() {
        let (doc_format, doc_units) = classify_one(document).map_err(|rejection| {
            if documents.len() > 1 {
                match rejection {
                    Rejection::Unknown(found) => Rejection::Unknown(format!(
                        "document {} of {}: {found}",
                        index + 1,
                        documents.len()
                    )),
                    other => other,
                }
            } else {
                rejection
            }
        })?;
        if let Some(previous) = format {
            if previous != doc_format {
                return Err(Rejection::Invalid(format!(
                    "document {} is {} but earlier ones are {}; load them as separate files",
                    index + 1,
                    doc_format.name(),
                    Format::name(previous)
                )));
            }
        }
        format = Some(doc_format);
        units.extend(doc_units);
    }
    format
        .map(|f| (f, units))
        .ok_or_else(|| Rejection::Unknown("no JSON document".to_string()))
}

fn classify_one<'a>(document: &Document<'a>) -> Result<(Format, Vec<Unit<'a>>), Rejection> {
    match &document.shape {
        Shape::Object(object) => classify_object(document.text, object),
        Shape::Array(items) => classify_array(document.text, items),
        Shape::Scalar(kind) => Err(Rejection::Unknown(format!(
            "a JSON {kind} instead of an object or array"
        ))),
    }
}

fn classify_object<'a>(
    document: &'a str,
    object: &Object<'a>,
) -> Result<(Format, Vec<Unit<'a>>), Rejection> {
    let has = |key: &str| object.contains_key(key);
    if has("resourceSpans") || has("resource_spans") || has("batches") {
        return Ok((Format::Otlp, vec![Unit::Otlp(document)]));
    }
    for wrapper in ["result", "trace"] {
        if let Some(inner) = object.get(wrapper) {
            if let Ok(inner_object) = serde_json::from_str::<Object<'a>>(inner.get()) {
                if inner_object.contains_key("resourceSpans")
                    || inner_object.contains_key("resource_spans")
                    || inner_object.contains_key("batches")
                {
                    return Ok((Format::Otlp, vec![Unit::Otlp(inner.get())]));
                }
            }
        }
    }
    if let Some(data) = object.get("data") {
        // Parsed later, in one typed pass.
        let is_array = data.get().trim_start().starts_with('[');
        return match is_array {
            true => Ok((Format::Jaeger, vec![Unit::JaegerTraces(data.get())])),
            false => Err(api_error(object).unwrap_or_else(|| {
                Rejection::Unknown("a \"data\" field that is not an array of traces".to_string())
            })),
        };
    }
    if let Some(error) = api_error(object) {
        return Err(error);
    }
    if has("spans") && (has("traceID") || has("processes")) {
        return Ok((Format::Jaeger, vec![Unit::JaegerTrace(document)]));
    }
    if has("traceId") && has("id") {
        return Ok((Format::Zipkin, vec![Unit::ZipkinSpans(document)]));
    }
    if has("spanID") && has("traceID") {
        return Ok((Format::Jaeger, vec![Unit::JaegerSpans(document)]));
    }
    Err(Rejection::Unknown(describe_keys(object)))
}

fn classify_array<'a>(
    document: &'a str,
    items: &[&'a RawValue],
) -> Result<(Format, Vec<Unit<'a>>), Rejection> {
    let Some(first) = items.first() else {
        // An empty array is a valid Zipkin answer with no spans.
        return Ok((Format::Zipkin, Vec::new()));
    };
    let first_text = first.get().trim_start();
    if first_text.starts_with('[') {
        // Zipkin's /api/v2/traces: an array of traces, each an array of spans.
        return Ok((
            Format::Zipkin,
            items
                .iter()
                .map(|item| Unit::ZipkinSpans(item.get()))
                .collect(),
        ));
    }
    let object: Object<'a> = match serde_json::from_str(first_text) {
        Ok(object) => object,
        Err(_) => {
            return Err(Rejection::Unknown(format!(
                "an array of {} values",
                describe_scalar(first_text)
            )))
        }
    };
    let has = |key: &str| object.contains_key(key);
    if has("resourceSpans") || has("resource_spans") || has("batches") {
        return Ok((
            Format::Otlp,
            items.iter().map(|item| Unit::Otlp(item.get())).collect(),
        ));
    }
    if has("spans") && (has("traceID") || has("processes")) {
        return Ok((
            Format::Jaeger,
            items
                .iter()
                .map(|item| Unit::JaegerTrace(item.get()))
                .collect(),
        ));
    }
    if has("spanID") || (has("traceID") && has("operationName")) {
        return Ok((Format::Jaeger, vec![Unit::JaegerSpans(document)]));
    }
    if has("traceId") && (has("id") || has("name") || has("parentId")) {
        return Ok((Format::Zipkin, vec![Unit::ZipkinSpans(document)]));
    }
    Err(Rejection::Unknown(format!(
        "an array whose first element is {}",
        describe_keys(&object)
    )))
}

/// Jaeger's API answers errors as `{"data":null,"errors":[{"code":…,"msg":…}]}`.
fn api_error(object: &Object<'_>) -> Option<Rejection> {
    let errors = object.get("errors")?;
    let value: serde_json::Value = serde_json::from_str(errors.get()).ok()?;
    let messages: Vec<String> = value
        .as_array()?
        .iter()
        .map(|e| {
            let message = e
                .get("msg")
                .and_then(|m| m.as_str())
                .unwrap_or("unknown error");
            match e.get("code").and_then(|c| c.as_i64()) {
                Some(code) => format!("{message} (code {code})"),
                None => message.to_string(),
            }
        })
        .collect();
    (!messages.is_empty()).then(|| {
        Rejection::Invalid(format!(
            "a Jaeger API error response: {}",
            messages.join("; ")
        ))
    })
}

fn describe_keys(object: &Object<'_>) -> String {
    if object.is_empty() {
        return "an empty object".to_string();
    }
    let keys: Vec<String> = object.keys().take(6).map(|k| format!("\"{k}\"")).collect();
    let more = if object.len() > 6 { ", …" } else { "" };
    format!("an object with keys {}{more}", keys.join(", "))
}

fn describe_scalar(text: &str) -> &'static str {
    match text.trim_start().as_bytes().first() {
        Some(b'"') => "string",
        Some(b't' | b'f') => "boolean",
        Some(b'n') => "null",
        Some(b'{') => "object",
        Some(b'[') => "array",
        _ => "number",
    }
}
