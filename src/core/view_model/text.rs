//! Shortening untrusted text for display. Span names, IDs, attribute values and warnings come
//! from files anyone can write; laid out whole, a megabyte-long name froze the page for a
//! minute. Views show at most a bounded number of characters with an ellipsis, and keep the
//! full text for a tooltip or the detail panel.

/// Characters shown of a name in a chip, heading or table cell.
pub const NAME_CHARS: usize = 120;

/// Characters shown of an attribute value before "show more".
pub const VALUE_CHARS: usize = 2_000;

/// Characters of a tooltip (`title`): enough to read any real name, never megabytes.
pub const TITLE_CHARS: usize = 4_000;

/// `text` safe inside HTML or SVG text and quoted attributes (`&`, `<`, `>`, both quotes), with
/// control characters other than tab and newline, and U+FFFE/U+FFFF, which are not text (XML
/// 1.0 forbids them even escaped), as U+FFFD: for the markup tracagg writes itself (the HTML
/// report, the flamegraph's SVG).
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{fffd}'),
            '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Whether XML 1.0 allows `c` in a document at all (escaped or not): tab, newline, carriage
/// return and everything from U+0020 on except U+FFFE and U+FFFF.
fn allowed_in_xml(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{fffe}' && c != '\u{ffff}')
}

/// `markup` with every character XML 1.0 forbids replaced by U+FFFD, so that an SVG made from
/// the page's elements (names may hold U+0001 or U+FFFF) still opens; borrowed when clean.
pub fn xml_safe(markup: &str) -> std::borrow::Cow<'_, str> {
    if markup.chars().all(allowed_in_xml) {
        return std::borrow::Cow::Borrowed(markup);
    }
    std::borrow::Cow::Owned(
        markup
            .chars()
            .map(|c| if allowed_in_xml(c) { c } else { '\u{fffd}' })
            .collect(),
    )
}

/// `text` cut to at most `max_chars` characters (on a character boundary), with `…` in place of
/// what was cut; unchanged (borrowed) when it is short enough.
pub fn shorten(text: &str, max_chars: usize) -> String {
    shorten_cow(text, max_chars).into_owned()
}

/// Like [`shorten`], borrowing when nothing is cut.
pub fn shorten_cow(text: &str, max_chars: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max_chars) {
        None => std::borrow::Cow::Borrowed(text),
        Some(_) => {
            let keep = max_chars.saturating_sub(1);
            let end = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
            std::borrow::Cow::Owned(format!("{}…", &text[..end]))
        }
    }
}

/// Whether [`shorten`] would cut `text` at `max_chars`.
pub fn is_long(text: &str, max_chars: usize) -> bool {
    text.char_indices().nth(max_chars).is_some()
}

/// A count with thousands separated by commas, as the page writes counts: `12,345`.
pub fn group_digits(count: u64) -> String {
    let digits = count.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A list of items as "a, b, c and 9,997 more": at most `shown` of them written out.
pub fn list_some<S: AsRef<str>>(items: &[S], shown: usize) -> String {
    let mut out = items
        .iter()
        .take(shown)
        .map(|s| shorten(s.as_ref(), NAME_CHARS))
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > shown {
        out.push_str(&format!(" and {} more", items.len() - shown));
    }
    out
}

/// Whether `haystack` contains `needle_lower` (already lower-case), ignoring ASCII case,
/// without allocating (a non-ASCII needle lower-cases the haystack). A needle without letters
/// is a plain substring search; otherwise the haystack is scanned once for the needle's first
/// byte in either case, and only there compared: a 50 MB message is one tight pass.
pub fn contains_ignore_case(haystack: &str, needle_lower: &str) -> bool {
    if needle_lower.is_empty() {
        return true;
    }
    if !needle_lower.is_ascii() {
        return haystack.to_lowercase().contains(needle_lower);
    }
    if !needle_lower.bytes().any(|b| b.is_ascii_alphabetic()) {
        return haystack.contains(needle_lower);
    }
    let (hay, needle) = (haystack.as_bytes(), needle_lower.as_bytes());
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    let (lower, upper) = (first, first.to_ascii_uppercase());
    let Some(last_start) = hay.len().checked_sub(needle.len()) else {
        return false;
    };
    let mut i = 0;
    while i <= last_start {
        let Some(&b) = hay.get(i) else {
            return false;
        };
        if (b == lower || b == upper)
            && hay.get(i + 1..i + needle.len()).is_some_and(|window| {
                window
                    .iter()
                    .zip(rest)
                    .all(|(h, n)| h.to_ascii_lowercase() == *n)
            })
        {
            return true;
        }
        i += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_digits_by_thousands() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1_000), "1,000");
        assert_eq!(group_digits(1_234_567), "1,234,567");
        assert_eq!(group_digits(u64::MAX), "18,446,744,073,709,551,615");
    }

    #[test]
    fn shortens_on_character_boundaries() {
        assert_eq!(shorten("abc", 3), "abc");
        assert_eq!(shorten("abcd", 3), "ab…");
        assert_eq!(shorten("ééééé", 4), "ééé…");
        assert_eq!(shorten("", 0), "");
        assert_eq!(shorten("x", 0), "…");
        let huge = "n".repeat(1_000_000);
        assert_eq!(shorten(&huge, NAME_CHARS).chars().count(), NAME_CHARS);
        assert!(is_long(&huge, NAME_CHARS) && !is_long("short", NAME_CHARS));
    }

    #[test]
    fn lists_a_few_and_counts_the_rest() {
        let ids: Vec<String> = (0..10_000).map(|i| format!("{i:016x}")).collect();
        let text = list_some(&ids, 3);
        assert!(text.ends_with("and 9997 more"), "{text}");
        assert!(text.len() < 100);
        assert_eq!(list_some(&["a", "b"], 3), "a, b");
    }

    #[test]
    fn markup_never_holds_characters_xml_forbids() {
        let name = "a\u{1}b\u{ffff}c\u{fffe}d\u{7f}e\te";
        assert_eq!(
            escape_markup(name),
            "a\u{fffd}b\u{fffd}c\u{fffd}d\u{fffd}e\te"
        );
        assert_eq!(
            xml_safe("<t>a\u{1}\u{ffff}</t>"),
            "<t>a\u{fffd}\u{fffd}</t>"
        );
        assert!(matches!(
            xml_safe("<t>fine\r\n</t>"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn case_insensitive_search_without_copies() {
        for (hay, needle, found) in [
            ("Card DECLINED by issuer", "declined", true),
            ("Card DECLINED by issuer", "card d", true),
            ("abc", "abcd", false),
            ("", "a", false),
            ("x", "", true),
            ("id 12-34", "12-34", true),
            ("ÉCOLE école", "école", true),
            ("aaab", "aab", true),
            ("AAAB", "aab", true),
            ("ab", "b", true),
        ] {
            assert_eq!(
                contains_ignore_case(hay, needle),
                found,
                "{hay:?} {needle:?}"
            );
        }
    }
}
