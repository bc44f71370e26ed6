//! Output for a terminal: span names and attributes come from files anyone can write, and a raw
//! escape sequence in one (clear screen, window title, hyperlinks) would be run by the terminal.
//! Table output goes through [`Escaping`], which writes every control character but the line
//! break as a visible escape (`\x1b`, `\u{9b}`).
use std::io::Write;

use tracagg::core::model::TraceSet;

/// `text` with its control characters (C0 but `\n`, DEL and C1) written as escapes.
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    let is_raw = |c: char| c != '\n' && c.is_control();
    if !text.chars().any(is_raw) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if is_raw(c) && (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if is_raw(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `text` on one line: its line breaks (`\n`, `\r`, U+0085, U+2028, U+2029) written as
/// visible escapes; `None` when it has none.
pub fn one_line(text: &str) -> Option<String> {
    let is_break = |c: char| matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}');
    if !text.contains(is_break) {
        return None;
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if is_break(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Some(out)
}

/// The traces with every name and value on one line (see [`one_line`]), for table output: a
/// line break in a span name would otherwise forge a line of the table. (JSON escapes them.)
pub fn one_line_names(set: TraceSet) -> TraceSet {
    set.map_traces(|trace| {
        match tracagg::core::model::rewrite_texts(trace, |text, _| one_line(text)) {
            Some(copy) => std::sync::Arc::new(copy),
            None => std::sync::Arc::clone(trace),
        }
    })
}

/// A writer that escapes control characters (see [`escape_controls`]) in what passes through.
/// Formatting hands it whole `str` pieces, so a character is never split across two writes;
/// bytes that are not UTF-8 are written as `\xNN`.
pub struct Escaping<W: Write>(pub W);

impl<W: Write> Write for Escaping<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match std::str::from_utf8(buf) {
            Ok(text) => self.0.write_all(escape_controls(text).as_bytes())?,
            Err(_) => {
                for chunk in buf.utf8_chunks() {
                    self.0
                        .write_all(escape_controls(chunk.valid()).as_bytes())?;
                    for byte in chunk.invalid() {
                        write!(self.0, "\\x{byte:02x}")?;
                    }
                }
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// A writer for JSON text that writes DEL, C1 controls, U+2028 and U+2029 as `\uXXXX`
/// escapes. In JSON text they can only stand inside strings, where the escape means the same.
pub struct JsonEscaping<W: Write>(pub W);

impl<W: Write> Write for JsonEscaping<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let needs = |c: char| matches!(c, '\u{7f}'..='\u{9f}' | '\u{2028}' | '\u{2029}');
        match std::str::from_utf8(buf) {
            Ok(text) if text.contains(needs) => {
                for c in text.chars() {
                    if needs(c) {
                        write!(self.0, "\\u{:04x}", c as u32)?;
                    } else {
                        let mut bytes = [0; 4];
                        self.0.write_all(c.encode_utf8(&mut bytes).as_bytes())?;
                    }
                }
            }
            _ => self.0.write_all(buf)?,
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_never_carries_del_or_c1_raw() {
        let mut out = JsonEscaping(Vec::new());
        serde_json::to_writer(&mut out, &"a\u{9b}2J\u{7f}\u{2028}é").unwrap();
        let text = String::from_utf8(out.0).unwrap();
        assert_eq!(text, "\"a\\u009b2J\\u007f\\u2028é\"");
        let back: String = serde_json::from_str(&text).unwrap();
        assert_eq!(back, "a\u{9b}2J\u{7f}\u{2028}é");
    }

    #[test]
    fn names_are_put_on_one_line() {
        assert_eq!(
            one_line("a\nb\r\u{2028}c").as_deref(),
            Some("a\\nb\\r\\u{2028}c")
        );
        assert_eq!(one_line("plain"), None);
    }

    #[test]
    fn escapes_what_a_terminal_would_run() {
        assert_eq!(escape_controls("plain\nline"), "plain\nline");
        assert_eq!(escape_controls("\u{1b}[2J\u{7}x"), "\\x1b[2J\\x07x");
        assert_eq!(escape_controls("a\u{9b}31m\tb\r"), "a\\u{9b}31m\\tb\\r");
        let mut out = Escaping(Vec::new());
        let title = "\u{1b}]0;title\u{7}";
        write!(out, "{title}|").unwrap_or_default();
        out.write_all(b"\xff\x1b").unwrap_or_default();
        assert_eq!(
            String::from_utf8_lossy(&out.0),
            "\\x1b]0;title\\x07|\\xff\\x1b"
        );
    }
}
