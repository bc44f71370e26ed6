//! OTLP logs JSON: `{"resourceLogs":[{"resource":…,"scopeLogs":[{"logRecords":[…]}]}]}` as the
//! OTLP/HTTP JSON encoding and the Collector's file exporter write it (one document, or one per
//! line), with camelCase or snake_case keys and hex or base64 IDs.
use serde_json::Value;

use super::{LogFile, LogRecord};
use crate::core::model::normalize_id;

/// Reads every record of the document(s) in `text` into `file`.
pub fn read(text: &str, file: &mut LogFile) {
    let documents = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    let mut position = 0;
    for document in documents {
        let Ok(document) = document else {
            file.skipped += 1;
            break;
        };
        for resource in array(&document, &["resourceLogs", "resource_logs"]) {
            for scope in array(resource, &["scopeLogs", "scope_logs"]) {
                for record in array(scope, &["logRecords", "log_records"]) {
                    position += 1;
                    file.records.push(record_of(record, position));
                }
            }
        }
    }
}

/// The array at the first of `keys` (empty when missing).
fn array<'a>(value: &'a Value, keys: &[&str]) -> &'a [Value] {
    keys.iter()
        .find_map(|k| value.get(*k).and_then(Value::as_array))
        .map_or(&[], Vec::as_slice)
}

/// The text of the first of `keys` (strings, or numbers written out).
fn text(value: &Value, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| match value.get(*k)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// An OTLP `AnyValue` as text (`{"stringValue":"…"}`, numbers, booleans, or JSON).
fn any_value(value: &Value) -> String {
    for key in ["stringValue", "string_value"] {
        if let Some(s) = value.get(key).and_then(Value::as_str) {
            return s.to_string();
        }
    }
    for key in [
        "intValue",
        "int_value",
        "doubleValue",
        "double_value",
        "boolValue",
        "bool_value",
    ] {
        if let Some(v) = value.get(key) {
            return v.as_str().map_or_else(|| v.to_string(), str::to_string);
        }
    }
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// One `logRecord`.
fn record_of(record: &Value, position: usize) -> LogRecord {
    let id = |keys: &[&str]| {
        text(record, keys)
            .map(|s| normalize_id(&s).into_owned())
            .filter(|s| !s.is_empty() && s.bytes().any(|b| b != b'0'))
    };
    let time_ns = [
        "timeUnixNano",
        "time_unix_nano",
        "observedTimeUnixNano",
        "observed_time_unix_nano",
    ]
    .iter()
    .filter_map(|k| text(record, &[k]))
    .filter_map(|t| t.parse::<i64>().ok())
    .find(|&t| t > 0);
    LogRecord {
        time_ns,
        level: text(record, &["severityText", "severity_text"]).filter(|s| !s.is_empty()),
        message: record.get("body").map(any_value).unwrap_or_default(),
        trace_id: id(&["traceId", "trace_id"]),
        span_id: id(&["spanId", "span_id"]),
        line: position,
    }
}
