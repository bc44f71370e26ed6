//! Output for a terminal: span names and attributes come from files anyone can write, and a raw
//! escape sequence in one (clear screen, window title, hyperlinks) would be run by the terminal.
//! Table output goes through [`Escaping`], which writes every control character but the line
//! break as a visible escape (`\x1b`, `\u{9b}`).
use std::io::Write;

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

#[cfg(test)]
mod tests {
    use super::*;

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
