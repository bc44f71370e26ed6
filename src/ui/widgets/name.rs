//! [`Name`]: a name from a trace file (service, operation, ID, warning) shown shortened, with
//! the full text (itself bounded) on hover. A megabyte-long service name laid out whole froze
//! the page; every view shows names through this, so the mask switch masks secrets in them.
use leptos::prelude::*;

use crate::core::view_model::{is_long, shorten, NAME_CHARS, TITLE_CHARS};
use crate::ui::state::AppState;

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
    let state = use_context::<AppState>();
    // With the mask switch on, secrets in names (a token in a URL) are masked here too.
    move || {
        let text = match state {
            Some(state) => state.shown(&text),
            None => std::borrow::Cow::Borrowed(text.as_str()),
        };
        let cut = is_long(&text, max);
        let title = cut.then(|| shorten(&text, TITLE_CHARS));
        view! { <span class="name" title=title>{shorten(&text, max)}</span> }
    }
}
