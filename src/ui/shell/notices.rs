//! Load messages. Errors stay visible one by one until dismissed; the lines about files that
//! loaded fold into one "Loaded N files" line once there are several.
use leptos::prelude::*;

use crate::core::view_model::{shorten, VALUE_CHARS};
use crate::ui::state::{AppState, Notice, NoticeLevel};
use crate::ui::widgets::name::Name;

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
    // The load log: files loaded and loads cancelled, in order.
    let infos = Memo::new(move |_| {
        state.notices.with(|list| {
            list.iter()
                .filter(|n| n.level != NoticeLevel::Error)
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let dismiss_infos = move |_| {
        state
            .notices
            .update(|list| list.retain(|n| n.level == NoticeLevel::Error))
    };
    view! {
        <ul class="notices" data-testid="notices">
            <For each=move || of_level(NoticeLevel::Error) key=|notice| notice.id let:notice>
                {
                    let id = notice.id;
                    view! {
                        <li class="notice error" data-testid="notice-error" role="alert">
                            <span class="notice-text"><Name text=notice.text max=VALUE_CHARS/></span>
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
                                    [only] => shorten(&only.text, VALUE_CHARS),
                                    _ => shorten(&load_summary(&list), VALUE_CHARS),
                                }
                            }}
                        </summary>
                        <Show when=move || { infos.with(|l| l.len() > 1) }>
                            <ul>
                                <For each=move || infos.get() key=|notice| notice.id let:notice>
                                    <li data-testid="notice-info">
                                        <span class="notice-text"><Name text=notice.text max=VALUE_CHARS/></span>
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

/// The folded load log's line: "Loaded 3 files (latest: …)", with cancelled loads counted
/// apart ("Loaded 1 file, 1 cancelled"), never as loaded, and notes (a baseline made) not counted.
fn load_summary(list: &[Notice]) -> String {
    let count = |level| list.iter().filter(|n| n.level == level).count();
    let (loaded, cancelled) = (count(NoticeLevel::Info), count(NoticeLevel::Cancelled));
    let latest = list.last().map_or("", |n| n.text.as_str());
    let files = |n: usize| {
        if n == 1 {
            "1 file".to_string()
        } else {
            format!("{n} files")
        }
    };
    match (loaded, cancelled) {
        (0, 0) => latest.to_string(),
        (_, 0) => format!("Loaded {} (latest: {latest})", files(loaded)),
        (0, _) => format!("{} cancelled (latest: {latest})", files(cancelled)),
        _ => format!(
            "Loaded {}, {cancelled} cancelled (latest: {latest})",
            files(loaded)
        ),
    }
}
