//! logfmt lines: `time=… level=info msg="a b" trace_id=…`, values bare or double- or
//! single-quoted (structlog's KeyValueRenderer quotes with `'`), `\"` escapes in quotes.

/// The `key=value` pairs of a line, in order; empty when the line has none.
pub fn pairs(line: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = line.trim().chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c.is_whitespace() {
                break;
            }
            key.push(c);
            chars.next();
        }
        if key.is_empty() && chars.peek().is_none() {
            break;
        }
        if chars.peek() != Some(&'=') {
            // A bare word: not a pair; skip it.
            if chars.peek().is_none() {
                break;
            }
            continue;
        }
        chars.next();
        let mut value = String::new();
        match chars.peek().copied() {
            Some(quote @ ('"' | '\'')) => {
                chars.next();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some(next) = chars.next() {
                                value.push(next);
                            }
                        }
                        c if c == quote => break,
                        c => value.push(c),
                    }
                }
            }
            _ => {
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() {
                        break;
                    }
                    value.push(c);
                    chars.next();
                }
            }
        }
        if !key.is_empty() {
            out.push((key, value));
        }
    }
    out
}

/// Whether a line carries a trace ID as a logfmt pair.
pub fn has_trace_id(line: &str) -> bool {
    super::fields::TRACE
        .iter()
        .any(|key| line.contains(&format!("{key}=")))
        && !pairs(line).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_bare_and_quoted_values() {
        let got = pairs(
            r#"ts=2026-01-02T03:04:05Z level=info msg="a \"b\" c" event='x y' trace_id=abc bare"#,
        );
        let want = [
            ("ts", "2026-01-02T03:04:05Z"),
            ("level", "info"),
            ("msg", "a \"b\" c"),
            ("event", "x y"),
            ("trace_id", "abc"),
        ];
        assert_eq!(
            got,
            want.map(|(k, v)| (k.to_string(), v.to_string())).to_vec()
        );
        assert!(pairs("no pairs here").is_empty());
        assert!(pairs("").is_empty());
        assert!(has_trace_id("a=1 trace_id=abc"));
        assert!(!has_trace_id("a=1 b=2"));
    }
}
