//! The app's shared state, [`AppState`], provided through context to every component: the loaded
//! traces, the notices, the address bar's view, loading and its progress, and the cache of
//! analyses; also [`timed`] and the User Timing helpers. Components read the state from here,
//! never from the shell, so the shell (`shell::app`) is not in a circle with them.
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::sync::Arc;

use crate::core::analysis::compare::{SavedBaseline, ScoreBoard, ScoreConfig};
use crate::core::analysis::genai::PriceTable;
use crate::core::analysis::quality::masking::MaskedTraces;
use crate::core::analysis::{AnalysisCache, TraceAnalysis};
use crate::core::backend::BackendDependency;
use crate::core::load::{add_built, load_into, load_into_with_ids};
use crate::core::logs::{FileIndex, LogFile, LogStore};
use crate::core::model::{Trace, TraceSet};
use crate::core::view_model::ViewState;
use crate::source::{assemble, parse_in_worker, read_file_bytes, yield_to_browser, WorkerFailure};
use crate::ui::shell::routing::use_route;
use crate::ui::widgets::shared::Shared;

/// How a notice is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeLevel {
    /// A file loaded.
    Info,
    /// A file could not be loaded.
    Error,
    /// The person cancelled a file's load (listed with the loaded ones, not counted as loaded).
    Cancelled,
    /// Something done that is not a file (a baseline made): listed with the loaded files, not
    /// counted as one.
    Note,
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

/// Runs `f` between two User Timing marks and records a measure named `name` (visible in the
/// browser's performance tools and read by `benches/web_load.mjs`).
pub fn timed<T>(name: &str, f: impl FnOnce() -> T) -> T {
    mark(&format!("{name} start"));
    let value = f();
    mark_end_and_measure(name);
    value
}

/// Sets a User Timing mark.
pub fn mark(name: &str) {
    if let Some(p) = window().performance() {
        let _ = p.mark(name);
    }
}

/// Marks `"{name} end"` and measures from `"{name} start"` to it (see [`timed`]).
pub fn mark_end_and_measure(name: &str) {
    let (start, end) = (format!("{name} start"), format!("{name} end"));
    mark(&end);
    if let Some(p) = window().performance() {
        let _ = p.measure_with_start_mark_and_end_mark(name, &start, &end);
    }
}

/// A file size for people: `412 KB`, `38.5 MB`.
pub fn format_bytes(bytes: f64) -> String {
    if bytes >= 1e9 {
        format!("{:.2} GB", bytes / 1e9)
    } else if bytes >= 1e6 {
        format!("{:.1} MB", bytes / 1e6)
    } else {
        format!("{:.0} KB", (bytes / 1e3).max(1.0))
    }
}

/// Shared app state, provided through context.
#[derive(Clone, Copy)]
pub struct AppState {
    /// Every loaded trace as shown: masked copies when the mask switch is on (so every view,
    /// search and export reads only masked text). Change it only through
    /// [`AppState::update_traces`], which keeps the raw traces too.
    pub traces: RwSignal<TraceSet>,
    /// The loaded traces as read, while the mask switch is on (`traces` holds them otherwise).
    raw_traces: StoredValue<Option<TraceSet>>,
    /// The masked copies already made, so that switching or loading masks each trace once.
    masked: StoredValue<MaskedTraces>,
    /// Messages about loads: what loaded, and what failed and why.
    pub notices: RwSignal<Vec<Notice>>,
    /// Files still being read.
    pub pending: RwSignal<usize>,
    /// What the address bar says is open (see `routing`).
    pub route: RwSignal<ViewState>,
    /// The file being loaded now, for the progress line.
    pub loading: RwSignal<Option<String>>,
    /// What the load is doing (`parsing`) and the fraction done when known.
    pub progress: RwSignal<Option<(String, Option<f64>)>>,
    /// Service dependency links a connected backend reported, with where they came from.
    pub backend_links: RwSignal<Option<(String, Vec<BackendDependency>)>>,
    /// Log records of the log files loaded, joined to their traces as the traces arrive.
    pub logs: RwSignal<Shared<LogStore>>,
    /// Analyses computed by the worker along with their traces, or on first use (a trace is
    /// recognised by identity).
    pub analyses: StoredValue<AnalysisCache>,
    /// Values that look like secrets are masked everywhere (names, span details, logs, tables
    /// and exports): the Quality view's switch, kept in this browser.
    pub mask_secrets: RwSignal<bool>,
    /// Trace IDs ticked in the trace list (for the flamegraph of a selection, and baselines).
    pub selected: RwSignal<std::collections::BTreeSet<String>>,
    /// Baselines made on this page (from a selection or a file), in the order made.
    pub baselines: RwSignal<Vec<Shared<SavedBaseline>>>,
    /// The name of the baseline traces are scored against.
    pub active_baseline: RwSignal<Option<String>>,
    /// The rules of scoring (the person can change the slow percentile and the minimum count).
    pub score_config: RwSignal<ScoreConfig>,
    /// The loaded traces scored against the active baseline, once scored.
    pub scores: RwSignal<Option<Shared<ScoreBoard>>>,
    /// While scoring: traces scored, of how many.
    pub scoring: RwSignal<Option<(usize, usize)>>,
    /// The person's model prices (per million tokens), kept in this browser; empty at first.
    pub prices: RwSignal<PriceTable>,
    /// Open the Agent tab first on traces that are mostly GenAI spans (kept in this browser).
    pub agent_first: RwSignal<bool>,
    /// The files kept in this browser for the next visit (see `source::storage`).
    pub kept: RwSignal<KeptFiles>,
    /// What came back from the last session, for the line that says so (see `shell::session`).
    pub restored: RwSignal<Option<String>>,
    /// The page is dark (see `shell::theme`): charts drawn on a canvas redraw when it changes.
    pub dark: RwSignal<bool>,
}

/// What is kept in this browser for the next visit.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeptFiles {
    /// Each file: its key in the store, its name and size.
    pub list: Vec<(String, String, f64)>,
    /// This window keeps nothing (private window, storage off): said once.
    pub unavailable: bool,
}

impl KeptFiles {
    /// How many files are kept.
    pub fn files(&self) -> usize {
        self.list.len()
    }

    /// Their bytes in all.
    pub fn bytes(&self) -> f64 {
        self.list.iter().map(|(_, _, size)| size).sum()
    }
}

thread_local! {
    /// A list of files is being loaded (see [`AppState::load_file_list`]).
    static LOADING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Bumped by every Clear: a load (a restore of 500 files) that began before it stops, and
    /// what it was reading is not added.
    static CLEARS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// How many times Clear was used so far (a load compares it before adding what it read).
pub fn clears() -> u64 {
    CLEARS.with(std::cell::Cell::get)
}

/// Counts a Clear: loads under way stop (see [`clears`]).
pub fn count_clear() {
    CLEARS.with(|c| c.set(c.get().wrapping_add(1)));
}

/// Where the price table is kept.
const KEY_PRICES: &str = "tracagg.prices";
/// Where the Agent-tab-first choice is kept.
const KEY_AGENT_FIRST: &str = "tracagg.agent-first";

/// A value kept in this browser's local storage, if any.
fn stored(key: &str) -> Option<String> {
    window()
        .local_storage()
        .ok()
        .flatten()
        .and_then(|s| s.get_item(key).ok().flatten())
}

/// Keeps a value in local storage; a full or unavailable storage only means it is not kept.
fn store(key: &str, value: &str) {
    if let Some(storage) = window().local_storage().ok().flatten() {
        let _ = storage.set_item(key, value);
    }
}

/// Where the mask switch is kept.
const KEY_MASK_SECRETS: &str = "tracagg.mask-secrets";

/// The mask switch as last set in this browser (off when never set or storage is unavailable).
fn stored_mask_secrets() -> bool {
    stored(KEY_MASK_SECRETS).is_some_and(|v| v == "1")
}

impl AppState {
    /// Fresh state: nothing loaded, the view the address bar names.
    pub(crate) fn new() -> Self {
        Self {
            traces: RwSignal::new(TraceSet::new()),
            raw_traces: StoredValue::new(stored_mask_secrets().then(TraceSet::new)),
            masked: StoredValue::new(MaskedTraces::new()),
            notices: RwSignal::new(Vec::new()),
            pending: RwSignal::new(0),
            route: use_route(),
            loading: RwSignal::new(None),
            progress: RwSignal::new(None),
            backend_links: RwSignal::new(None),
            logs: RwSignal::new(Shared::new(LogStore::new())),
            analyses: StoredValue::new(AnalysisCache::new()),
            mask_secrets: RwSignal::new(stored_mask_secrets()),
            selected: RwSignal::new(std::collections::BTreeSet::new()),
            baselines: RwSignal::new(Vec::new()),
            active_baseline: RwSignal::new(None),
            score_config: RwSignal::new(ScoreConfig::default()),
            scores: RwSignal::new(None),
            scoring: RwSignal::new(None),
            prices: RwSignal::new(
                stored(KEY_PRICES)
                    .map(|text| PriceTable::from_json(&text))
                    .unwrap_or_default(),
            ),
            agent_first: RwSignal::new(stored(KEY_AGENT_FIRST).is_none_or(|v| v != "0")),
            kept: RwSignal::new(KeptFiles::default()),
            restored: RwSignal::new(None),
            dark: RwSignal::new(
                document()
                    .document_element()
                    .and_then(|root| root.get_attribute("data-theme"))
                    .is_some_and(|theme| theme == "dark"),
            ),
        }
    }

    /// Replaces the price table and keeps it.
    pub fn set_prices(&self, prices: PriceTable) {
        store(KEY_PRICES, &prices.to_json());
        self.prices.set(prices);
    }

    /// Sets whether agent traces open on the Agent tab, and keeps the choice.
    pub fn set_agent_first(&self, on: bool) {
        self.agent_first.set(on);
        store(KEY_AGENT_FIRST, if on { "1" } else { "0" });
    }

    /// Turns masking on or off and keeps the choice (a full or unavailable storage only means
    /// the choice is not kept).
    pub fn set_mask_secrets(&self, on: bool) {
        store(KEY_MASK_SECRETS, if on { "1" } else { "0" });
        if on == self.mask_secrets.get_untracked() {
            return;
        }
        if on {
            let raw = self.traces.get_untracked();
            self.raw_traces.set_value(Some(raw));
            self.show_masked();
        } else {
            self.masked.set_value(MaskedTraces::new());
            if let Some(raw) = self.raw_traces.try_update_value(Option::take).flatten() {
                self.traces.set(raw);
            }
        }
        self.mask_secrets.set(on);
    }

    /// Changes the loaded traces: `change` runs on them as read (unmasked), then they are shown
    /// (masked when the switch is on). `None` when the page is gone. Every load, merge and
    /// clear goes through here, so that the raw and the shown traces never part.
    pub fn update_traces<R>(&self, change: impl FnOnce(&mut TraceSet) -> R) -> Option<R> {
        self.update_traces_then(change, || {})
    }

    /// [`Self::update_traces`], running `before_showing` after the change and before anything
    /// reads the new traces (the worker's analyses are cached there, so that masked copies and
    /// the views find them).
    fn update_traces_then<R>(
        &self,
        change: impl FnOnce(&mut TraceSet) -> R,
        before_showing: impl FnOnce(),
    ) -> Option<R> {
        let masking = self.is_masking();
        let result = if masking {
            self.raw_traces
                .try_update_value(|raw| raw.as_mut().map(change))
                .flatten()
        } else {
            self.traces.try_update_untracked(change)
        }?;
        before_showing();
        if masking {
            self.show_masked();
        } else {
            self.traces.notify();
        }
        Some(result)
    }

    /// The loaded traces as read, never masked (tracked: a load or clear changes them). For the
    /// instrumentation check, which must see the secrets to report them (always masked).
    pub fn raw_trace_list(&self) -> Vec<Arc<Trace>> {
        let shown = self.traces.with(|set| set.traces().to_vec());
        self.raw_traces
            .try_with_value(|raw| raw.as_ref().map(|set| set.traces().to_vec()))
            .flatten()
            .unwrap_or(shown)
    }

    /// Whether the raw traces are kept apart from the shown (masked) ones.
    fn is_masking(&self) -> bool {
        self.raw_traces
            .try_with_value(Option::is_some)
            .unwrap_or(false)
    }

    /// Shows the raw traces masked: each trace masked once (copies made before are reused);
    /// a copy takes over its raw trace's cached analysis (the structure is the same).
    fn show_masked(&self) {
        let Some(shown) = self.raw_traces.try_with_value(|raw| {
            let raw = raw.as_ref()?;
            let shown = self
                .masked
                .try_update_value(|masked| masked.mask_set(raw))?;
            self.analyses.update_value(|cache| {
                for (raw, copy) in raw.traces().iter().zip(shown.traces()) {
                    if !Arc::ptr_eq(raw, copy) && cache.get(copy).is_none() {
                        if let Some(analysis) = cache.get(raw) {
                            cache.insert(copy, analysis);
                        }
                    }
                }
            });
            Some(shown)
        }) else {
            return;
        };
        if let Some(shown) = shown {
            self.traces.set(shown);
        }
    }

    /// The worker's analysis of `trace`, if it is the trace the worker built.
    pub fn cached_analysis(&self, trace: &Arc<Trace>) -> Option<Arc<TraceAnalysis>> {
        self.analyses.with_value(|cache| cache.get(trace))
    }

    /// The active baseline, if any.
    pub fn active(&self) -> Option<Shared<SavedBaseline>> {
        let name = self.active_baseline.get()?;
        self.baselines
            .with(|list| list.iter().find(|b| b.baseline.name == name).cloned())
    }

    /// The analysis of `trace`: the worker's, or computed now (and kept for next time).
    pub fn analysis_of(&self, trace: &Arc<Trace>) -> Arc<TraceAnalysis> {
        if let Some(done) = self.cached_analysis(trace) {
            return done;
        }
        let analysis = Arc::new(crate::core::analysis::analyze_trace(trace));
        self.analyses
            .update_value(|cache| cache.insert(trace, Arc::clone(&analysis)));
        analysis
    }

    /// Parses `bytes` as the file `name` on the page and adds its traces (or log records); on
    /// error nothing loaded is lost. Whether anything was added. Only when no worker can parse
    /// (see `load_file_list`); called through `ui::parts::load_bytes`.
    pub fn load_bytes(&self, name: &str, bytes: &[u8]) -> bool {
        if let Some(kind) = crate::core::logs::sniff(bytes) {
            return match crate::core::logs::parse_logs(name, bytes, kind) {
                Ok(file) => {
                    let state = *self;
                    spawn_local(async move { state.add_logs(file).await });
                    true
                }
                Err(error) => {
                    self.notify(NoticeLevel::Error, error);
                    false
                }
            };
        }
        let result = self.update_traces(|set| load_into(set, name, bytes));
        match result {
            Some(Ok(report)) => {
                self.notify(NoticeLevel::Info, report.describe());
                true
            }
            Some(Err(error)) => {
                self.notify(NoticeLevel::Error, error.to_string());
                false
            }
            None => false,
        }
    }

    /// Parses a backend's answer `bytes` (named `name` in the load log) and adds its traces;
    /// returns the IDs of the traces it held, or why it could not be read. On error nothing
    /// loaded is lost. An answer that held traces is kept for the next visit.
    pub fn load_bytes_with_ids(&self, name: &str, bytes: &[u8]) -> Result<Vec<String>, String> {
        let result = self.update_traces(|set| load_into_with_ids(set, name, bytes));
        match result {
            Some(Ok((report, ids))) => {
                self.notify(NoticeLevel::Info, report.describe());
                if !ids.is_empty() {
                    self.keep_bytes(name, bytes);
                }
                Ok(ids)
            }
            Some(Err(error)) => Err(error.to_string()),
            None => Ok(Vec::new()),
        }
    }

    /// Adds traces a worker parsed and built (see `source::parse_in_worker`). Decoding runs
    /// in short slices and adding in a task of its own, so that neither blocks the page.
    async fn load_built(&self, name: &str, encoded: js_sys::Uint8Array) -> bool {
        let cleared = clears();
        mark("tracagg: hand-over waits");
        yield_to_browser().await;
        let measure = "tracagg: decode traces";
        mark(&format!("{measure} start"));
        let progress = self.progress;
        progress.set(Some(("opening".to_string(), Some(0.0))));
        let decoded = assemble(&encoded, move |done| {
            progress.set(Some(("opening".to_string(), Some(done))))
        })
        .await;
        mark_end_and_measure(measure);
        drop(encoded);
        yield_to_browser().await;
        if clears() != cleared {
            return false;
        }
        match decoded {
            Ok(mut built) => {
                if let Some(logs) = built.logs.take() {
                    mark("tracagg: add logs start");
                    self.add_logs(logs).await;
                    mark_end_and_measure("tracagg: add logs");
                    return true;
                }
                let added = timed("tracagg: add traces", || {
                    let kept = std::cell::Cell::new(Vec::new());
                    let analyses = self.analyses;
                    // The worker's analyses are cached before the traces are shown, so that
                    // masked copies take them over.
                    self.update_traces_then(
                        |set| {
                            let (report, made) = add_built(set, name, built);
                            kept.set(made);
                            report
                        },
                        || {
                            analyses.update_value(|cache| {
                                for (trace, analysis) in kept.take() {
                                    cache.insert(&trace, Arc::new(analysis));
                                }
                            })
                        },
                    )
                });
                match added {
                    Some(report) => {
                        self.notify(NoticeLevel::Info, report.describe());
                        true
                    }
                    None => false,
                }
            }
            Err(WorkerFailure::Cancelled) => {
                self.notify(NoticeLevel::Cancelled, format!("{name}: loading cancelled"));
                false
            }
            Err(WorkerFailure::Failed(error) | WorkerFailure::Unavailable(error)) => {
                self.notify(
                    NoticeLevel::Error,
                    format!("{name}: could not decode the parsed traces: {error}"),
                );
                false
            }
        }
    }

    /// Downloads trace files by address, one after the other, and loads each like a dropped
    /// file; a failed download says what happened and what the server must send.
    pub fn open_urls(&self, urls: Vec<String>) {
        if urls.is_empty() {
            return;
        }
        let state = *self;
        state.pending.update(|n| *n += urls.len());
        spawn_local(async move {
            let cancels = crate::source::download_cancels();
            let count = urls.len();
            for (i, url) in urls.into_iter().enumerate() {
                // Clear (or Cancel) during an earlier download stops the rest of the list.
                if crate::source::download_cancels() != cancels {
                    state
                        .pending
                        .update(|n| *n = n.saturating_sub(count.saturating_sub(i)));
                    break;
                }
                state.loading.set(Some(format!("{url} (downloading)")));
                state.progress.set(Some(("downloading".to_string(), None)));
                let shown = url.clone();
                let on_progress = move |received: f64, total: Option<f64>| {
                    let line = match total {
                        Some(total) => format!(
                            "{shown} (downloading: {} of {})",
                            format_bytes(received),
                            format_bytes(total)
                        ),
                        None => format!("{shown} (downloading: {})", format_bytes(received)),
                    };
                    state.loading.set(Some(line));
                    // A compressed answer announces fewer bytes than arrive: no share then.
                    let done = total.map(|t| received / t).filter(|share| *share <= 1.0);
                    state.progress.set(Some(("downloading".to_string(), done)));
                };
                let downloaded = crate::source::download_file(&url, on_progress).await;
                state.pending.update(|n| *n = n.saturating_sub(1));
                match downloaded {
                    // Not kept: the link reopens it.
                    Ok(file) => state.load_file_list(vec![file], false).await,
                    Err(crate::source::DownloadFailure::Cancelled) => {
                        state.notify(NoticeLevel::Cancelled, format!("{url}: download cancelled"))
                    }
                    Err(crate::source::DownloadFailure::Failed(error)) => {
                        state.notify(NoticeLevel::Error, error)
                    }
                }
            }
            if state.pending.get_untracked() == 0 {
                state.loading.set(None);
                state.progress.set(None);
            }
        });
    }

    /// Loads files one after the other, each parsed in a Web Worker so the page stays
    /// responsive (on the page itself when no worker can start), and keeps each that loaded
    /// for the next visit. Cancelling stops the file being loaded; files already loaded stay.
    pub fn load_files(&self, files: Vec<web_sys::File>) {
        if files.is_empty() {
            return;
        }
        let state = *self;
        spawn_local(async move { state.load_file_list(files, true).await });
    }

    /// [`Self::load_files`], waited for; `keep`: keep each file that loaded for the next visit.
    /// Loads run one at a time (a file dropped while the last visit's files are restored waits
    /// its turn, shown as queued).
    pub async fn load_file_list(&self, files: Vec<web_sys::File>, keep: bool) {
        let state = *self;
        let count = files.len();
        state.pending.update(|n| *n += count);
        let cleared = clears();
        while LOADING.with(std::cell::Cell::get) {
            crate::source::sleep_ms(20).await;
        }
        LOADING.with(|busy| busy.set(true));
        for (i, file) in files.into_iter().enumerate() {
            // Clear stops the rest of the list (and what was being read is not added).
            if clears() != cleared {
                state
                    .pending
                    .update(|n| *n = n.saturating_sub(count.saturating_sub(i)));
                break;
            }
            let name = file.name();
            state
                .loading
                .set(Some(format!("{name} ({})", format_bytes(file.size()))));
            let progress = state.progress;
            progress.set(None);
            let on_progress = move |stage: &str, done: Option<f64>| {
                progress.set(Some((stage.to_string(), done)));
            };
            let parsed = parse_in_worker(&file, on_progress).await;
            if clears() != cleared {
                state.loading.set(None);
                state.progress.set(None);
                state
                    .pending
                    .update(|n| *n = n.saturating_sub(count.saturating_sub(i)));
                break;
            }
            let loaded = match parsed {
                Ok(encoded) => state.load_built(&name, encoded).await,
                Err(WorkerFailure::Cancelled) => {
                    state.notify(NoticeLevel::Cancelled, format!("{name}: loading cancelled"));
                    false
                }
                Err(WorkerFailure::Failed(message)) => {
                    state.notify(NoticeLevel::Error, message);
                    false
                }
                Err(WorkerFailure::Unavailable(why)) => {
                    leptos::logging::warn!("no worker ({why}); parsing {name} on the page");
                    match read_file_bytes(&file).await {
                        Ok(bytes) => {
                            // The page's own parser is downloaded only for this (`ui::parts`).
                            match crate::ui::parts::load_bytes(state, name.clone(), bytes).await {
                                Ok(loaded) => loaded,
                                Err(missing) => {
                                    state.notify(NoticeLevel::Error, format!("{name}: {missing}"));
                                    false
                                }
                            }
                        }
                        Err(error) => {
                            state.notify(NoticeLevel::Error, format!("{name}: {error}"));
                            false
                        }
                    }
                }
            };
            if loaded && keep {
                state.keep_file(file);
            }
            state.loading.set(None);
            state.progress.set(None);
            state.pending.update(|n| *n = n.saturating_sub(1));
        }
        LOADING.with(|busy| busy.set(false));
    }

    /// Adds a log file's records (they join their traces, now or when those are loaded) and
    /// says so: "app.jsonl: JSON log lines, 2310 records (12 for traces not loaded)".
    pub async fn add_logs(&self, file: LogFile) {
        /// Records indexed between two browser turns (a million in one go blocked the page).
        const INDEX_STEP: usize = 50_000;
        let mut text = file.describe();
        let file = Arc::new(file);
        let mut index = FileIndex::new();
        let mut from = 0;
        while from < file.records.len() {
            let to = from.saturating_add(INDEX_STEP);
            index.add_range(&file, from..to);
            from = to;
            if from < file.records.len() {
                yield_to_browser().await;
            }
        }
        let store = self
            .logs
            .with_untracked(|store| store.with_indexed(file, index));
        let unmatched = self
            .traces
            .with_untracked(|set| store.unmatched(set.traces()));
        if unmatched > 0 {
            text.push_str(&format!(
                " — {unmatched} log record{} in all for traces not loaded (kept: they join when their trace is loaded)",
                if unmatched == 1 { "" } else { "s" }
            ));
        }
        self.logs.set(Shared::new(store));
        self.notify(NoticeLevel::Info, text);
    }

    /// Adds a notice.
    pub fn notify(&self, level: NoticeLevel, text: String) {
        self.notices.update(|list| {
            let id = list.last().map_or(0, |n| n.id + 1);
            list.push(Notice { id, level, text });
        });
    }
}
