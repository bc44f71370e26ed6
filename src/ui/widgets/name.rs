//! [`Name`]: a name from a trace file (service, operation, ID, warning) shown shortened, with
//! the full text (itself bounded) on hover. A megabyte-long service name laid out whole froze
//! the page; every view shows names through this.
use leptos::prelude::*;

use crate::core::view_model::{is_long, shorten, NAME_CHARS, TITLE_CHARS};

/// `text` cut to `max` characters (default [`NAME_CHARS`]) with an ellipsis; the tooltip holds
/// the longer text when it was cut.
#[component]
pub fn Name(
    /// The untrusted text.
    #[prop(into)]
    text: String,
    /// At most this many characters shown.
    #[prop(optional)]
    max: Option<usize>,
) -> impl IntoView {
    let max = max.unwrap_or(NAME_CHARS);
    let cut = is_long(&text, max);
    let title = cut.then(|| shorten(&text, TITLE_CHARS));
    view! { <span class="name" title=title>{shorten(&text, max)}</span> }
}
