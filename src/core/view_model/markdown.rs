//! Markdown from untrusted text (LLM messages) as HTML that is safe to insert: pulldown-cmark
//! parses it, raw HTML in the text becomes literal text, links keep only http(s) and mailto
//! targets, and images become their alt text (no request leaves the page).
use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag, TagEnd};

/// Link targets that may stay links.
fn safe_target(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:")
}

/// Container blocks (lists, items, quotes) nested deeper than this are flattened: their
/// content stays, their boxes go. A hostile message of nested `1. ` lists made 533,200 elements.
pub const MAX_NESTING: usize = 8;

/// Elements one message may make; past them the rest of the message is cut, with a note.
pub const MAX_ELEMENTS: usize = 3_000;

/// Characters of text one message may show rendered; past them the rest is cut, with a note.
pub const MAX_TEXT_CHARS: usize = 200_000;

/// Whether `tag` is a container block that can nest without bound.
fn is_container(tag: &Tag) -> bool {
    matches!(tag, Tag::List(_) | Tag::Item | Tag::BlockQuote(_))
}

/// Whether `end` closes a container block.
fn ends_container(end: &TagEnd) -> bool {
    matches!(end, TagEnd::List(_) | TagEnd::Item | TagEnd::BlockQuote(_))
}

/// `text` (markdown) rendered as HTML with no raw HTML, no scripts, no images and no unsafe
/// links (a link to another scheme is its text alone: an empty `href` would reload the app).
/// Everything the text contains reaches the page as text. The rendering is bounded: containers
/// nested past [`MAX_NESTING`] are flattened, and past [`MAX_ELEMENTS`] elements or
/// [`MAX_TEXT_CHARS`] characters the rest is cut with a note saying how much.
pub fn markdown_to_safe_html(text: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    // Per open element: whether it was kept (a dropped link or flattened container is not).
    let mut open: Vec<(TagEnd, bool)> = Vec::new();
    let mut containers = 0usize;
    let (mut elements, mut chars) = (0usize, 0usize);
    let mut cut_at: Option<usize> = None;
    let mut events: Vec<Event> = Vec::new();
    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        let kept = match event {
            // Raw HTML (blocks and inline) is shown as the text it is.
            Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
            // An image would load from anywhere: its alt text (the events inside) stays.
            Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
            Event::Start(tag) => {
                let unsafe_link =
                    matches!(&tag, Tag::Link { dest_url, .. } if !safe_target(dest_url));
                let flattened = is_container(&tag) && containers >= MAX_NESTING;
                if is_container(&tag) {
                    containers += 1;
                }
                let keep = !unsafe_link && !flattened;
                open.push((tag.to_end(), keep));
                if keep {
                    elements += 1;
                    Some(Event::Start(tag))
                } else {
                    None
                }
            }
            Event::End(end) => {
                if ends_container(&end) {
                    containers = containers.saturating_sub(1);
                }
                match open.pop() {
                    Some((_, false)) => None,
                    _ => Some(Event::End(end)),
                }
            }
            Event::Text(t) | Event::Code(t) if chars.saturating_add(t.len()) > MAX_TEXT_CHARS => {
                // What still fits is shown, cut on a character boundary.
                let mut room = MAX_TEXT_CHARS.saturating_sub(chars).min(t.len());
                while !t.is_char_boundary(room) {
                    room -= 1;
                }
                if let Some(head) = t.get(..room).filter(|h| !h.is_empty()) {
                    events.push(Event::Text(CowStr::from(head.to_string())));
                }
                cut_at = Some(range.start.saturating_add(room).min(range.end));
                break;
            }
            Event::Text(t) => {
                chars += t.len();
                Some(Event::Text(t))
            }
            Event::Code(t) => {
                chars += t.len();
                elements += 1;
                Some(Event::Code(t))
            }
            other => {
                elements += 1;
                Some(other)
            }
        };
        events.extend(kept);
        if elements > MAX_ELEMENTS {
            cut_at = Some(range.end);
            break;
        }
    }
    if let Some(at) = cut_at {
        // Close what is open, then say what was left out.
        for (end, kept) in open.into_iter().rev() {
            if kept {
                events.push(Event::End(end));
            }
        }
        let rest = text.get(at..).map_or(0, |r| r.chars().count());
        events.push(Event::Start(Tag::Paragraph));
        events.push(Event::Text(CowStr::from(format!(
            "… the rest of this message ({rest} characters) is not rendered: see Plain or JSON."
        ))));
        events.push(Event::End(TagEnd::Paragraph));
    }
    let mut out = String::new();
    html::push_html(&mut out, events.into_iter());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_text_and_markdown_is_rendered() {
        let out = markdown_to_safe_html(
            "## Plan\n\n- **bold** <script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n",
        );
        assert!(out.contains("<h2>Plan</h2>"), "{out}");
        assert!(out.contains("<strong>bold</strong>"), "{out}");
        assert!(
            out.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{out}"
        );
        assert!(!out.contains("<script"), "{out}");
        assert!(!out.contains("<img"), "{out}");
    }

    #[test]
    fn unsafe_links_become_their_text_and_images_keep_their_alt_text() {
        let out = markdown_to_safe_html("[x](javascript:alert(1)) [y](https://example.org) ![alt text](https://t.example/p.png)");
        assert!(!out.contains("javascript:"), "{out}");
        // No `<a href="">`: clicking it reloaded the app and dropped the open trace.
        assert!(!out.contains("href=\"\""), "{out}");
        assert_eq!(out.matches("<a ").count(), 1, "{out}");
        assert!(out.contains("x"), "{out}");
        assert!(out.contains("href=\"https://example.org\""), "{out}");
        assert!(out.contains("alt text"), "{out}");
        assert!(!out.contains("<img"), "{out}");
    }

    #[test]
    fn nesting_and_size_are_bounded() {
        // 200 levels of `1. ` lists, and of `>` quotes: at most MAX_NESTING containers deep.
        let lists: String = (0..200)
            .map(|i| format!("{}1. x\n", "   ".repeat(i)))
            .collect();
        let quotes = format!("{} deep\n", ">".repeat(500));
        for text in [lists, quotes] {
            let out = markdown_to_safe_html(&text);
            let mut depth = 0i32;
            let mut deepest = 0;
            for piece in out.split('<').skip(1) {
                if piece.starts_with("ol")
                    || piece.starts_with("ul")
                    || piece.starts_with("blockquote")
                    || piece.starts_with("li")
                {
                    depth += 1;
                    deepest = deepest.max(depth);
                } else if piece.starts_with("/ol")
                    || piece.starts_with("/ul")
                    || piece.starts_with("/blockquote")
                    || piece.starts_with("/li")
                {
                    depth -= 1;
                }
            }
            assert!(deepest as usize <= MAX_NESTING, "{deepest}");
            assert_eq!(depth, 0, "balanced");
        }
        // A huge message is cut, with a note, and its tags stay balanced.
        let huge = "- **item** text\n".repeat(50_000);
        let out = markdown_to_safe_html(&huge);
        assert!(
            out.matches('<').count() <= 2 * MAX_ELEMENTS + 20,
            "{}",
            out.len()
        );
        assert!(out.contains("is not rendered: see Plain or JSON"));
        assert_eq!(out.matches("<ul>").count(), out.matches("</ul>").count());
        let long = "word ".repeat(100_000);
        let out = markdown_to_safe_html(&long);
        assert!(
            out.len() < MAX_TEXT_CHARS + 1_000 && out.contains("not rendered"),
            "{}",
            out.len()
        );
        assert!(
            out.len() > MAX_TEXT_CHARS - 10,
            "what fits is shown: {}",
            out.len()
        );
    }
}
