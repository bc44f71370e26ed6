//! Normalisation of trace and span IDs, so that the same ID written by different producers
//! (upper-case hex, base64, 64-bit vs 128-bit trace IDs) matches.
use std::borrow::Cow;

use base64::Engine;

/// Returns the canonical form of a span or trace ID: lower-case hex when the ID is hex (or base64
/// of 8 or 16 bytes, as Tempo's v1 API writes them), and the text unchanged otherwise (Jaeger
/// accepts any string, e.g. `span-1` in hand-made files). Borrows when the ID is already
/// canonical — the common case, and this runs for every span, parent and reference.
pub fn normalize_id(raw: &str) -> Cow<'_, str> {
    let raw = raw.trim();
    // One pass: is it hex, and does it have upper-case digits?
    let mut has_upper = false;
    let mut is_hex_id = !raw.is_empty();
    for byte in raw.bytes() {
        match byte {
            b'0'..=b'9' | b'a'..=b'f' => {}
            b'A'..=b'F' => has_upper = true,
            _ => {
                is_hex_id = false;
                break;
            }
        }
    }
    if is_hex_id {
        return if has_upper {
            Cow::Owned(raw.to_ascii_lowercase())
        } else {
            Cow::Borrowed(raw)
        };
    }
    match base64_id_to_hex(raw) {
        Some(hex) => Cow::Owned(hex),
        None => Cow::Borrowed(raw),
    }
}

/// True when two normalised trace IDs name the same trace (what comparing their
/// [`trace_key`]s says), without allocating: hex IDs are equal up to leading zeros.
pub fn same_trace_id(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let short_hex = |id: &str| is_hex(id) && id.len() <= 32;
    short_hex(a) && short_hex(b) && a.trim_start_matches('0') == b.trim_start_matches('0')
}

/// Returns the key under which traces are merged: the normalised ID, with hex IDs left-padded to
/// 32 digits so a 64-bit Zipkin ID equals the same ID written as 128 bits.
pub fn trace_key(normalized: &str) -> String {
    if is_hex(normalized) && normalized.len() < 32 {
        format!("{normalized:0>32}")
    } else {
        normalized.to_string()
    }
}

fn is_hex(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_hexdigit())
}

fn base64_id_to_hex(text: &str) -> Option<String> {
    // 8 bytes encode to 12 characters, 16 bytes to 24 (with padding).
    if text.len() != 12 && text.len() != 24 {
        return None;
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .ok()?;
    if bytes.len() != 8 && bytes.len() != 16 {
        return None;
    }
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_ids_are_lower_cased() {
        assert_eq!(normalize_id("EEE19B7EC3C1B174"), "eee19b7ec3c1b174");
    }

    #[test]
    fn base64_ids_become_hex() {
        // 0x0000000000000001 as 8 bytes.
        assert_eq!(normalize_id("AAAAAAAAAAE="), "0000000000000001");
        assert_eq!(
            normalize_id("AAAAAAAAAAEAAAAAAAAAAA=="),
            "00000000000000010000000000000000"
        );
    }

    #[test]
    fn other_ids_are_kept() {
        assert_eq!(normalize_id("span-1"), "span-1");
    }

    #[test]
    fn same_trace_id_agrees_with_trace_key() {
        let cases = [
            ("1e223ff1f80f1c69", "00000000000000001e223ff1f80f1c69"),
            ("abc", "abd"),
            ("trace-1", "trace-1"),
            ("0", "00"),
            ("x0", "0x0"),
        ];
        for (a, b) in cases {
            assert_eq!(same_trace_id(a, b), trace_key(a) == trace_key(b), "{a} {b}");
        }
    }

    #[test]
    fn short_trace_ids_match_padded_ones() {
        assert_eq!(
            trace_key("1e223ff1f80f1c69"),
            trace_key("00000000000000001e223ff1f80f1c69")
        );
        assert_eq!(trace_key("trace-123"), "trace-123");
    }
}
