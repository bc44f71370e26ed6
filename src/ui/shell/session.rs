//! Nothing lost on reload: the files a person loads are kept in this browser
//! (`source::storage`), and the next visit opens them again and says so ("Restored 3 files,
//! 12 traces from your last session — Clear"). Clear removes the kept copies too.
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::Cell;

use crate::core::model::TraceSet;
use crate::source::storage::{self, StorageError};
use crate::ui::state::{format_bytes, AppState, KeptFiles, NoticeLevel};
use crate::ui::widgets::name::Name;

thread_local! {
    /// Persistent storage was asked for (once per page).
    static ASKED_PERSISTENT: Cell<bool> = const { Cell::new(false) };
}

impl AppState {
    /// Keeps a file that loaded for the next visit (in the background; a full or missing
    /// storage is said once and changes nothing loaded).
    pub fn keep_file(&self, file: web_sys::File) {
        let state = *self;
        spawn_local(async move {
            if !ASKED_PERSISTENT.with(|asked| asked.replace(true)) {
                let _ = storage::ask_persistent().await;
            }
            match storage::keep(&file).await {
                Ok(()) => state.count_kept().await,
                Err(error) => state.not_kept(&file.name(), &error),
            }
        });
    }

    /// Keeps bytes that loaded (the demo, a backend's answer) as a file named `name`.
    pub fn keep_bytes(&self, name: &str, bytes: &[u8]) {
        match storage::file_from_bytes(name, bytes) {
            Ok(file) => self.keep_file(file),
            Err(error) => self.not_kept(name, &error),
        }
    }

    /// Says why `name` was not kept: once for a window that keeps nothing, each time for a
    /// full storage (with what is kept).
    fn not_kept(&self, name: &str, error: &StorageError) {
        match error {
            StorageError::Unavailable(_) => {
                if !self.kept.get_untracked().unavailable {
                    self.kept.update(|kept| kept.unavailable = true);
                    self.notify(NoticeLevel::Note, format!("Note: {}.", error.describe()));
                }
            }
            StorageError::Full => {
                let kept = self.kept.get_untracked();
                self.notify(
                    NoticeLevel::Error,
                    format!(
                        "{name} is loaded but not kept for your next visit: {} ({} file{}, {} kept). Clear frees it.",
                        error.describe(),
                        kept.files(),
                        if kept.files() == 1 { "" } else { "s" },
                        format_bytes(kept.bytes())
                    ),
                );
            }
            StorageError::Failed(_) => self.notify(
                NoticeLevel::Error,
                format!(
                    "{name} is loaded but not kept for your next visit: {}",
                    error.describe()
                ),
            ),
        }
    }

    /// Reads what is kept again (count and size, for the line beside Clear).
    async fn count_kept(&self) {
        if let Ok(files) = storage::kept().await {
            let unavailable = self.kept.with_untracked(|kept| kept.unavailable);
            self.kept.set(KeptFiles::of(&files, unavailable));
        }
    }

    /// Removes one kept copy (the file stays loaded until Clear or a reload).
    pub fn forget_one(&self, key: String) {
        let state = *self;
        spawn_local(async move {
            if let Err(error) = storage::forget(&key).await {
                state.notify(
                    NoticeLevel::Error,
                    format!("Could not remove the kept file: {}", error.describe()),
                );
            }
            state.count_kept().await;
        });
    }

    /// Removes the kept copies (Clear).
    pub fn forget_kept(&self) {
        let state = *self;
        state.restored.set(None);
        spawn_local(async move {
            if let Err(error) = storage::clear().await {
                if !matches!(error, StorageError::Unavailable(_)) {
                    state.notify(
                        NoticeLevel::Error,
                        format!("Could not remove the kept files: {}", error.describe()),
                    );
                }
            }
            state.count_kept().await;
        });
    }
}

/// Opens the files kept from the last visit, then runs `then` (the files the link names, so
/// that the two never load at once). Says what came back.
pub fn restore_session(state: AppState, then: impl FnOnce() + 'static) {
    spawn_local(async move {
        let cleared = crate::ui::state::clears();
        let kept = storage::kept().await.unwrap_or_default();
        if !kept.is_empty() && crate::ui::state::clears() == cleared {
            state.kept.set(KeptFiles::of(&kept, false));
            let files: Vec<web_sys::File> = kept.into_iter().map(|k| k.file).collect();
            let count = files.len();
            let before = state.traces.with_untracked(TraceSet::len);
            state.load_file_list(files, false).await;
            let traces = state
                .traces
                .with_untracked(TraceSet::len)
                .saturating_sub(before);
            // Cleared meanwhile: nothing came back to speak of.
            if crate::ui::state::clears() != cleared {
                then();
                return;
            }
            state.restored.set(Some(format!(
                "Restored {count} file{}, {traces} trace{} from your last session",
                if count == 1 { "" } else { "s" },
                if traces == 1 { "" } else { "s" },
            )));
        }
        then();
    });
}

/// The line that says what came back from the last session, with the kept size and Clear.
#[component]
pub fn RestoredLine(
    /// What Clear does (the toolbar's Clear: traces, notices and kept copies).
    clear: Callback<()>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        {move || state.restored.get().map(|text| view! {
            <div class="restored" data-testid="restored" role="status">
                <span>{text}</span>
                " — "
                <button class="link-button" data-testid="restored-clear" title="Remove the loaded traces and the copies this browser keeps"
                    on:click=move |_| clear.run(())>"Clear"</button>
                <KeptSize/>
                <button class="dismiss" title="Hide this line (the files stay kept)" data-testid="restored-dismiss"
                    on:click=move |_| state.restored.set(None)>"×"</button>
            </div>
        })}
    }
}

/// "4.1 MB kept": what this browser keeps for the next visit, beside Clear; opened, the kept
/// files with a Forget button each (the file stays loaded; it is only not reopened).
#[component]
pub fn KeptSize() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        {move || {
            let kept = state.kept.get();
            (kept.files() > 0).then(|| {
                let rows = kept
                    .list
                    .iter()
                    .map(|(key, name, size)| {
                        let key = key.clone();
                        view! {
                            <li data-testid="kept-file">
                                <Name text=name.clone()/>
                                <small>{format_bytes(*size)}</small>
                                <button class="link-button" data-testid="kept-forget"
                                    title="Do not reopen this file on the next visit (it stays loaded now)"
                                    on:click=move |_| state.forget_one(key.clone())>"Forget"</button>
                            </li>
                        }
                    })
                    .collect_view();
                view! {
                    <details class="kept-size">
                        <summary data-testid="kept-size"
                            title="Kept in this browser (IndexedDB) so that a reload opens them again: click for the list">
                            {format!("{} kept", format_bytes(kept.bytes()))}
                        </summary>
                        <ul class="kept-list" data-testid="kept-list">{rows}</ul>
                    </details>
                }
            })
        }}
    }
}

impl KeptFiles {
    /// What `files` amount to.
    fn of(files: &[storage::Kept], unavailable: bool) -> Self {
        Self {
            list: files
                .iter()
                .map(|kept| (kept.key.clone(), kept.file.name(), kept.file.size()))
                .collect(),
            unavailable,
        }
    }
}
