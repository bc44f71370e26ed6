//! Markdown from untrusted text (LLM messages) as HTML that is safe to insert: pulldown-cmark
//! parses it, raw HTML in the text becomes literal text, links keep only http(s) and mailto
//! targets, and images become their alt text (no request leaves the page).
use pulldown_cmark::{html, CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};

/// Link targets that may stay links.
fn safe_target(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:")
}

/// `text` (markdown) rendered as HTML with no raw HTML, no scripts, no images and no unsafe
/// links. Everything the text contains reaches the page as text.
pub fn markdown_to_safe_html(text: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let events = Parser::new_ext(text, options).filter_map(|event| match event {
        // Raw HTML (blocks and inline) is shown as the text it is.
        Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
        // An image would load from anywhere: its alt text (the events inside) stays.
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let dest_url = if safe_target(&dest_url) {
                dest_url
            } else {
                CowStr::Borrowed("")
            };
            Some(Event::Start(Tag::Link {
                link_type: if dest_url.is_empty() {
                    LinkType::Inline
                } else {
                    link_type
                },
                dest_url,
                title,
                id,
            }))
        }
        other => Some(other),
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
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
    fn unsafe_links_lose_their_target_and_images_keep_their_alt_text() {
        let out = markdown_to_safe_html("[x](javascript:alert(1)) [y](https://example.org) ![alt text](https://t.example/p.png)");
        assert!(!out.contains("javascript:"), "{out}");
        assert!(out.contains("href=\"https://example.org\""), "{out}");
        assert!(out.contains("alt text"), "{out}");
        assert!(!out.contains("<img"), "{out}");
    }
}
