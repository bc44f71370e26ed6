//! The field spellings log producers use, and reading one record from a JSON object or from
//! `key=value` pairs: trace `trace_id`/`traceId`/`trace.id`/`traceID`/`dd.trace_id`, span
//! `span_id`/`spanId`/`span.id`/`spanID`/`dd.span_id`, time `timestamp`/`time`/`@timestamp`/`ts`
//! (ISO 8601 or epoch seconds, ms, µs or ns), level `level`/`severity`/`severity_text`/
//! `levelname`, message `message`/`msg`/`event`/`body`. Datadog's `dd.*` IDs are decimal
//! 64-bit numbers and become 16 hex digits.
use serde_json::{Map, Value};

use super::LogRecord;
use crate::core::model::normalize_id;

/// Keys that hold the trace ID.
pub const TRACE: [&str; 6] = [
    "trace_id",
    "traceId",
    "trace.id",
    "traceID",
    "dd.trace_id",
    "trace_id_hex",
];
/// Keys that hold the span ID.
pub const SPAN: [&str; 5] = ["span_id", "spanId", "span.id", "spanID", "dd.span_id"];
/// Keys that hold the time.
pub const TIME: [&str; 5] = ["timestamp", "time", "@timestamp", "ts", "asctime"];
/// Keys that hold the level.
pub const LEVEL: [&str; 6] = [
    "level",
    "severity",
    "severity_text",
    "levelname",
    "log.level",
    "lvl",
];
/// Keys that hold the message.
pub const MESSAGE: [&str; 4] = ["message", "msg", "event", "body"];

/// The top-level keys of a JSON object that starts `text`, read as far as `text` goes: the
/// values are skipped, not kept, and a record cut short (the start of a megabyte-long line)
/// still gives the keys before the cut. `None` when `text` does not start a JSON object.
pub fn top_level_keys(text: &str) -> Option<Vec<String>> {
    use serde::de::{Deserializer as _, IgnoredAny, MapAccess, Visitor};
    /// Collects keys into `keys` as it goes, so that what was read survives an error.
    struct Keys<'a> {
        keys: &'a mut Vec<String>,
        object: &'a mut bool,
    }
    impl<'de> Visitor<'de> for Keys<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            *self.object = true;
            while let Some(key) = map.next_key::<String>()? {
                self.keys.push(key);
                map.next_value::<IgnoredAny>()?;
            }
            Ok(())
        }
    }
    let (mut keys, mut object) = (Vec::new(), false);
    let mut reader = serde_json::Deserializer::from_str(text);
    // An error (the text ends mid-record, or a later line follows) ends the list: the keys
    // read until then stand.
    let _ = reader.deserialize_map(Keys {
        keys: &mut keys,
        object: &mut object,
    });
    object.then_some(keys)
}

/// The value at `key` in `object`: the flat key (`"trace.id"`) or the nested path
/// (`{"trace":{"id":…}}`).
fn lookup<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    if let Some(value) = object.get(key) {
        return Some(value);
    }
    let (head, rest) = key.split_once('.')?;
    match object.get(head)? {
        Value::Object(inner) => lookup(inner, rest),
        _ => None,
    }
}

/// The first of `keys` present in `object`, as text (numbers written out).
fn first_text(object: &Map<String, Value>, keys: &[&str]) -> Option<(String, String)> {
    keys.iter().find_map(|key| {
        let text = match lookup(object, key)? {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Null => return None,
            other => other.to_string(),
        };
        Some((key.to_string(), text))
    })
}

/// An ID as written under `key`, normalised; Datadog's decimal IDs become hex.
fn id_of(key: &str, text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() || text == "0" {
        return None;
    }
    if key.starts_with("dd.") {
        if let Ok(n) = text.parse::<u64>() {
            return Some(format!("{n:016x}"));
        }
    }
    let id = normalize_id(text);
    (!id.is_empty()).then(|| id.into_owned())
}

/// A record from one JSON log line.
pub fn record_of(object: &Map<String, Value>, line: usize) -> LogRecord {
    let get = |keys: &[&str]| first_text(object, keys);
    let time_ns = TIME
        .iter()
        .find_map(|key| lookup(object, key).and_then(time_of_value));
    LogRecord {
        time_ns,
        level: get(&LEVEL).map(|(_, v)| v),
        message: get(&MESSAGE).map(|(_, v)| v).unwrap_or_default(),
        trace_id: get(&TRACE).and_then(|(k, v)| id_of(&k, &v)),
        span_id: get(&SPAN).and_then(|(k, v)| id_of(&k, &v)),
        line,
    }
}

/// A record from one line's `key=value` pairs.
pub fn record_of_pairs(pairs: &[(String, String)], line: usize) -> LogRecord {
    let get = |keys: &[&str]| {
        keys.iter().find_map(|key| {
            pairs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(k, v)| (k.clone(), v.clone()))
        })
    };
    LogRecord {
        time_ns: get(&TIME).and_then(|(_, v)| parse_time_ns(&v)),
        level: get(&LEVEL).map(|(_, v)| v),
        message: get(&MESSAGE).map(|(_, v)| v).unwrap_or_default(),
        trace_id: get(&TRACE).and_then(|(k, v)| id_of(&k, &v)),
        span_id: get(&SPAN).and_then(|(k, v)| id_of(&k, &v)),
        line,
    }
}

/// A time as JSON: a number (epoch, unit by magnitude) or text.
fn time_of_value(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_f64().and_then(epoch_ns),
        Value::String(s) => parse_time_ns(s),
        _ => None,
    }
}

/// Epoch seconds, ms, µs or ns (told apart by magnitude) as ns; fractions of seconds and ms
/// are kept to the microsecond (an `f64` holds no more at today's epoch).
pub fn epoch_ns(value: f64) -> Option<i64> {
    if !value.is_finite() || value <= 0.0 {
        return None;
    }
    let us = if value < 1e11 {
        (value * 1e6).round()
    } else if value < 1e14 {
        (value * 1e3).round()
    } else if value < 1e17 {
        value.round()
    } else {
        return (value < 9.2e18).then_some(value as i64);
    };
    (us < 9.2e15).then(|| us as i64 * 1000)
}

/// Epoch digits as text: exact for integers (told apart by magnitude like [`epoch_ns`]).
fn epoch_text_ns(text: &str) -> Option<i64> {
    if let Ok(n) = text.parse::<i64>() {
        let scale = match n {
            n if n <= 0 => return None,
            n if n < 100_000_000_000 => 1_000_000_000,
            n if n < 100_000_000_000_000 => 1_000_000,
            n if n < 100_000_000_000_000_000 => 1_000,
            _ => 1,
        };
        return n.checked_mul(scale);
    }
    text.parse::<f64>().ok().and_then(epoch_ns)
}

/// ISO 8601 / RFC 3339 (`2026-01-02T03:04:05.123456Z`, a space for `T`, a comma for the
/// decimal point, `+02:00` / `+0200` offsets; no offset means UTC) or epoch digits, as ns.
pub fn parse_time_ns(text: &str) -> Option<i64> {
    let text = text.trim();
    if text.bytes().all(|b| b.is_ascii_digit() || b == b'.') && !text.is_empty() {
        return epoch_text_ns(text);
    }
    let bytes = text.as_bytes();
    let digits = |from: usize, len: usize| -> Option<i64> {
        let part = text.get(from..from + len)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (year, month, day) = (digits(0, 4)?, digits(5, 2)?, digits(8, 2)?);
    if bytes.get(4) != Some(&b'-')
        || bytes.get(7) != Some(&b'-')
        || !matches!(bytes.get(10), Some(b'T' | b't' | b' '))
    {
        return None;
    }
    let (hour, minute, second) = (digits(11, 2)?, digits(14, 2)?, digits(17, 2)?);
    if bytes.get(13) != Some(&b':') || bytes.get(16) != Some(&b':') {
        return None;
    }
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = &text[19..];
    let mut fraction_ns = 0i64;
    if let Some(after) = rest.strip_prefix('.').or_else(|| rest.strip_prefix(',')) {
        let len = after.bytes().take_while(u8::is_ascii_digit).count();
        let frac = &after[..len];
        let padded: String = frac.chars().chain(std::iter::repeat('0')).take(9).collect();
        fraction_ns = padded.parse().ok()?;
        rest = &after[len..];
    }
    let offset_s = match rest.trim() {
        "" | "Z" | "z" => 0,
        zone => {
            let sign = match zone.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let zone = zone[1..].replace(':', "");
            if zone.len() != 4 || !zone.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let (h, m): (i64, i64) = (zone[..2].parse().ok()?, zone[2..].parse().ok()?);
            sign * (h * 3600 + m * 60)
        }
    };
    let days = crate::core::view_model::days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_s;
    seconds.checked_mul(1_000_000_000)?.checked_add(fraction_ns)
}

/// The time a text line starts with (`2026-01-02 03:04:05,123 ERROR …`), if any.
pub fn leading_time_ns(line: &str) -> Option<i64> {
    let head = line.trim_start().trim_start_matches('[');
    // The longest prefix that reads as a time: try the common lengths.
    [35, 32, 30, 29, 26, 24, 23, 20, 19]
        .iter()
        .filter_map(|&len| head.get(..len))
        .find_map(parse_time_ns)
}

/// A level word in a text line (`ERROR`, `warn`, …), as written.
pub fn level_in_text(line: &str) -> Option<String> {
    const LEVELS: [&str; 8] = [
        "TRACE", "DEBUG", "INFO", "WARN", "WARNING", "ERROR", "FATAL", "CRITICAL",
    ];
    line.split(|c: char| !c.is_ascii_alphabetic())
        .take(12)
        .find(|word| LEVELS.iter().any(|l| l.eq_ignore_ascii_case(word)))
        .map(str::to_string)
}

/// Tokens of `line` that look like trace IDs: 32 or 16 hex digits standing alone.
pub fn id_tokens(line: &str) -> Vec<&str> {
    line.split(|c: char| !c.is_ascii_hexdigit())
        .filter(|t| (t.len() == 32 || t.len() == 16) && t.bytes().any(|b| b.is_ascii_digit()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_every_common_form() {
        let base = parse_time_ns("2026-01-02T03:04:05Z").expect("iso");
        assert_eq!(base, 1_767_323_045_000_000_000);
        assert_eq!(
            parse_time_ns("2026-01-02T03:04:05.123456Z"),
            Some(base + 123_456_000)
        );
        assert_eq!(
            parse_time_ns("2026-01-02 03:04:05,5"),
            Some(base + 500_000_000)
        );
        assert_eq!(parse_time_ns("2026-01-02T05:04:05+02:00"), Some(base));
        assert_eq!(parse_time_ns("2026-01-02T02:04:05-0100"), Some(base));
        assert_eq!(parse_time_ns("1767323045"), Some(base));
        assert_eq!(parse_time_ns("1767323045000"), Some(base));
        assert_eq!(parse_time_ns("1767323045000000"), Some(base));
        assert_eq!(parse_time_ns("1767323045000000000"), Some(base));
        assert_eq!(parse_time_ns("1767323045.25"), Some(base + 250_000_000));
        for bad in [
            "",
            "yesterday",
            "2026-13-02T03:04:05Z",
            "2026-01-02",
            "2026-01-02T03:04:05+2",
        ] {
            assert_eq!(parse_time_ns(bad), None, "{bad}");
        }
        assert_eq!(
            leading_time_ns("2026-01-02 03:04:05,500 ERROR x"),
            Some(base + 500_000_000)
        );
    }

    #[test]
    fn fields_in_their_common_spellings() {
        let read = |json: &str| {
            let object: Map<String, Value> = serde_json::from_str(json).expect("json");
            record_of(&object, 1)
        };
        let a = read(
            r#"{"msg":"hi","levelname":"WARNING","traceId":"4BF92F3577B34DA6A3CE929D0E0E4736","spanId":"00F067AA0BA902B7","@timestamp":"2026-01-02T03:04:05Z"}"#,
        );
        assert_eq!(a.message, "hi");
        assert_eq!(a.level.as_deref(), Some("WARNING"));
        assert_eq!(
            a.trace_id.as_deref(),
            Some("4bf92f3577b34da6a3ce929d0e0e4736")
        );
        assert_eq!(a.span_id.as_deref(), Some("00f067aa0ba902b7"));
        let ecs =
            read(r#"{"message":"x","trace":{"id":"abc"},"span":{"id":"def"},"log.level":"info"}"#);
        assert_eq!(
            (ecs.trace_id.as_deref(), ecs.span_id.as_deref()),
            (Some("abc"), Some("def"))
        );
        let dd =
            read(r#"{"body":"x","dd":{"trace_id":"1234567890","span_id":"42"},"ts":1767323045.5}"#);
        assert_eq!(dd.trace_id.as_deref(), Some("00000000499602d2"));
        assert_eq!(dd.span_id.as_deref(), Some("000000000000002a"));
        assert!(dd.time_ns.is_some());
        assert_eq!(
            id_tokens("req 4bf92f3577b34da6a3ce929d0e0e4736 at deadbeef12345678 done"),
            vec!["4bf92f3577b34da6a3ce929d0e0e4736", "deadbeef12345678"]
        );
        assert!(id_tokens("ffffffffffffffff only letters? no: f is hex").is_empty());
    }
}
