//! Load messages. Errors stay visible one by one until dismissed; the lines about files that
//! loaded fold into one "Loaded N files" line once there are several.
use leptos::prelude::*;

use crate::ui::state::{AppState, NoticeLevel};

/// Errors, then the load log.
#[component]
pub fn Notices() -> impl IntoView {
    let state = expect_context::<AppState>();
    let of_level = move |level: NoticeLevel| {
        state.notices.with(|list| {
            list.iter()
                .filter(|n| n.level == level)
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let infos = Memo::new(move |_| of_level(NoticeLevel::Info));
    let dismiss_infos = move |_| {
        state
            .notices
            .update(|list| list.retain(|n| n.level != NoticeLevel::Info))
    };
    view! {
        <ul class="notices" data-testid="notices">
            <For each=move || of_level(NoticeLevel::Error) key=|notice| notice.id let:notice>
                {
                    let id = notice.id;
                    view! {
                        <li class="notice error" data-testid="notice-error" role="alert">
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
            <Show when=move || !infos.with(Vec::is_empty)>
                <li class="notice info" role="status" data-testid="load-log">
                    <details class="load-log" open=move || infos.with(|l| l.len() == 1)>
                        <summary data-testid="load-log-summary">
                            {move || {
                                let list = infos.get();
                                match list.as_slice() {
                                    [only] => only.text.clone(),
                                    _ => format!("Loaded {} files (latest: {})", list.len(), list.last().map_or("", |n| n.text.as_str())),
                                }
                            }}
                        </summary>
                        <Show when=move || { infos.with(|l| l.len() > 1) }>
                            <ul>
                                <For each=move || infos.get() key=|notice| notice.id let:notice>
                                    <li data-testid="notice-info">
                                        <span class="notice-text">{notice.text}</span>
                                    </li>
                                </For>
                            </ul>
                        </Show>
                    </details>
                    <button class="dismiss" title="Dismiss" on:click=dismiss_infos>"×"</button>
                </li>
            </Show>
        </ul>
    }
}
