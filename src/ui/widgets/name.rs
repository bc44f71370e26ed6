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
    // With the mask switch on, secrets in names (a token in a URL) are masked here too; views
    // are drawn anew when the switch changes (it is on another page), so this reads it once.
    let masking = use_context::<AppState>().is_some_and(|s| s.mask_secrets.get_untracked());
    let text = if masking {
        crate::core::analysis::quality::secrets::mask_secrets_in(&text).into_owned()
    } else {
        text
    };
    let cut = is_long(&text, max);
    let title = cut.then(|| shorten(&text, TITLE_CHARS));
    view! { <span class="name" title=title>{shorten(&text, max)}</span> }
}
