//! Load messages: one line per file loaded or refused, dismissable.
use leptos::prelude::*;

use super::app::AppState;

/// How a notice is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeLevel {
    /// A file loaded.
    Info,
    /// A file could not be loaded.
    Error,
}

/// One message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Stable key for the list.
    pub id: u64,
    /// Info or error.
    pub level: NoticeLevel,
    /// The message, shown as text.
    pub text: String,
}

/// The list of notices, newest last.
#[component]
pub fn Notices() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <ul class="notices" data-testid="notices">
            <For each=move || state.notices.get() key=|notice| notice.id let:notice>
                {
                    let id = notice.id;
                    let (class, testid, role) = match notice.level {
                        NoticeLevel::Error => ("notice error", "notice-error", "alert"),
                        NoticeLevel::Info => ("notice info", "notice-info", "status"),
                    };
                    view! {
                        <li class=class data-testid=testid role=role>
                            <span class="notice-text">{notice.text}</span>
                            <button
                                class="dismiss"
                                title="Dismiss"
                                on:click=move |_| state.notices.update(|list| list.retain(|n| n.id != id))
                            >
                                "×"
                            </button>
                        </li>
                    }
                }
            </For>
        </ul>
    }
}
