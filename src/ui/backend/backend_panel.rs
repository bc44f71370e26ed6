//! The "Connect" panel: a live Jaeger, Tempo or Zipkin server as a source of traces. Connect
//! (the API is detected), search (service, operation, tags or TraceQL with autocompletion, time
//! range, durations, limit), find traces around an alert, open a trace by ID, and load the
//! backend's own dependency links. Found traces join the trace list like dropped files; every
//! failure is a specific message with Retry, and nothing loaded is lost. The address bar keeps
//! backend, search and trace, so a link reconnects and reloads them.
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::core::backend::{
    link_connect, origin_of, parse_duration_us, same_origin, Auth, BackendKind, LinkConnect,
    MetricsWindow, SearchQuery,
};
use crate::core::view_model::{parse_utc_datetime_us, BackendLink, ViewState, VALUE_CHARS};
use crate::source::backend::{
    backend_dependencies, connect, metrics_quantiles, operations, search, tempo_tag_values,
    tempo_tags, trace_by_id, Connection,
};
use crate::ui::backend::backend_results::BackendResults;
use crate::ui::backend::watch_panel::WatchPanel;
use crate::ui::compare::scoring::{add_metrics_baseline, make_baseline};
use crate::ui::shell::routing::navigate;
use crate::ui::state::AppState;
use crate::ui::state::NoticeLevel;
use crate::ui::widgets::name::Name;

/// Storage keys (localStorage, or sessionStorage for a token not to be remembered).
const KEY_KIND: &str = "tracagg.backend.kind";
const KEY_URL: &str = "tracagg.backend.url";
const KEY_TOKEN: &str = "tracagg.backend.token";
const KEY_USER: &str = "tracagg.backend.user";
/// The origin the saved token (and user) were entered for; they are sent nowhere else.
const KEY_CREDENTIALS_FOR: &str = "tracagg.backend.credentials_for";

/// Time ranges offered for searches, as (label, minutes).
const LOOKBACKS: [(&str, i64); 7] = [
    ("Last 15 minutes", 15),
    ("Last hour", 60),
    ("Last 6 hours", 360),
    ("Last 24 hours", 1440),
    ("Last 2 days", 2880),
    ("Last 7 days", 10080),
    ("Custom range", 0),
];

/// Browser storage: local (kept) or session (gone with the tab).
fn storage(keep: bool) -> Option<web_sys::Storage> {
    if keep {
        window().local_storage().ok().flatten()
    } else {
        window().session_storage().ok().flatten()
    }
}

fn stored(key: &str) -> Option<String> {
    storage(true)
        .and_then(|s| s.get_item(key).ok().flatten())
        .or_else(|| storage(false).and_then(|s| s.get_item(key).ok().flatten()))
}

fn store(key: &str, value: &str, keep: bool) {
    if let Some(s) = storage(keep) {
        let _ = s.set_item(key, value);
    }
    // A value kept for the session only must not linger in local storage.
    if !keep {
        if let Some(s) = storage(true) {
            let _ = s.remove_item(key);
        }
    }
}

/// Credentials saved in this browser and the origin they were entered for.
struct SavedCredentials {
    token: Option<String>,
    user: Option<String>,
    origin: Option<String>,
}

impl SavedCredentials {
    /// Whether these credentials may be sent to `address` (same origin as saved).
    fn belongs_to(&self, address: &str) -> bool {
        self.origin
            .as_deref()
            .is_some_and(|origin| same_origin(address, origin))
    }

    /// The auth mode, token and user the form shows for `address`: the saved ones for their
    /// own origin, none elsewhere.
    fn fill_for(&self, address: &str) -> (&'static str, String, String) {
        match &self.token {
            Some(token) if self.belongs_to(address) => {
                let mode = if self.user.is_some() {
                    "basic"
                } else {
                    "bearer"
                };
                let user = self.user.clone().unwrap_or_default();
                (mode, token.clone(), user)
            }
            _ => ("none", String::new(), String::new()),
        }
    }
}

/// What the panel did last, so Retry can do it again.
#[derive(Debug, Clone, PartialEq)]
enum Action {
    Connect,
    Search(SearchQuery, String),
    /// The traces around an alert (query, label) against a baseline window before it (query,
    /// label): both loaded, the second made the active baseline, the Baselines view opened.
    AlertCompare(SearchQuery, String, SearchQuery, String),
    /// The traces around an alert (query, label) against the backend's own metrics of the
    /// service over a window before it (service, window, label).
    AlertMetrics(SearchQuery, String, String, MetricsWindow, String),
    Open(String),
    Dependencies,
}

/// The alert flow's last step, once its baseline is active: loads the traces around the alert,
/// lists them, and opens the Baselines view (the comparison), keeping the backend in the link.
async fn load_alert_window(
    state: AppState,
    backend: Backend,
    connection: &Connection,
    query: &SearchQuery,
    label: &str,
    baseline_label: &str,
    link: BackendLink,
) -> Result<(), String> {
    backend.busy.set(Some(format!("Searching {label}…")));
    let (ids, failure) = search_and_load(state, connection, query).await?;
    let against = format!(" (compared with {baseline_label})");
    backend.show_found(label, &against, ids);
    navigate(
        state.route,
        ViewState {
            baselines: true,
            backend: Some(link),
            ..ViewState::default()
        },
        true,
    );
    failure.map_or(Ok(()), Err)
}

/// Connection state and results, shared by the panel's parts.
#[derive(Clone, Copy)]
struct Backend {
    connection: RwSignal<Option<Connection>>,
    services: RwSignal<Vec<String>>,
    operations: RwSignal<Vec<String>>,
    tags: RwSignal<Vec<String>>,
    tag_values: RwSignal<Vec<String>>,
    busy: RwSignal<Option<String>>,
    error: RwSignal<Option<String>>,
    last: StoredValue<Option<Action>>,
    found: RwSignal<Vec<String>>,
    found_label: RwSignal<String>,
}

/// The panel.
impl Backend {
    /// Lists the traces a search for `label` found (`note` follows the label), or says none.
    fn show_found(self, label: &str, note: &str, ids: Vec<String>) {
        self.found_label.set(if ids.is_empty() {
            format!("No traces found for {label}.")
        } else {
            format!("Found for {label}{note}:")
        });
        self.found.set(ids);
    }
}

/// Runs `query` on the backend and loads what it finds: the IDs of the traces loaded, and the
/// error of a response that could not be read (the others still load).
pub async fn search_and_load(
    state: AppState,
    connection: &Connection,
    query: &SearchQuery,
) -> Result<(Vec<String>, Option<String>), String> {
    let bodies = search(connection, query).await?;
    let mut ids = Vec::new();
    let mut failure = None;
    for (name, body) in bodies {
        match state.load_bytes_with_ids(&name, body.as_bytes()) {
            Ok(found) => ids.extend(found),
            Err(error) => failure = Some(error),
        }
    }
    Ok((ids, failure))
}

/// The baseline windows the alert flow offers: (value, label).
const ALERT_BASELINES: [(&str, &str); 5] = [
    ("", "no baseline"),
    ("hour-before", "vs the hour before"),
    ("yesterday", "vs the same time yesterday"),
    ("metrics-hour", "vs the backend's metrics, the hour before"),
    ("metrics-day", "vs the backend's metrics, the 24 h before"),
];

#[component]
pub fn BackendPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let link = state.route.with_untracked(|r| r.backend.clone());
    let kind = RwSignal::new(
        link.as_ref()
            .and_then(|l| BackendKind::from_name(&l.kind))
            .or_else(|| stored(KEY_KIND).and_then(|k| BackendKind::from_name(&k)))
            .unwrap_or(BackendKind::Jaeger),
    );
    let remembered_url = stored(KEY_URL);
    let url = RwSignal::new(
        link.as_ref()
            .map(|l| l.url.clone())
            .or_else(|| remembered_url.clone())
            .unwrap_or_else(|| kind.get_untracked().default_url().to_string()),
    );
    let remembered_token = window()
        .local_storage()
        .ok()
        .flatten()
        .and_then(|s| s.get_item(KEY_TOKEN).ok().flatten());
    let remember = RwSignal::new(remembered_token.is_some());
    // Saved credentials and the origin they belong to (older saves: the remembered address's).
    let saved = StoredValue::new(SavedCredentials {
        token: stored(KEY_TOKEN),
        user: stored(KEY_USER),
        origin: stored(KEY_CREDENTIALS_FOR)
            .or_else(|| remembered_url.as_deref().and_then(origin_of)),
    });
    let (mode, filled_token, filled_user) = saved.with_value(|s| s.fill_for(&url.get_untracked()));
    let auth_mode = RwSignal::new(mode.to_string());
    let token = RwSignal::new(filled_token);
    let user = RwSignal::new(filled_user);
    // Whether the person typed credentials in this panel (then they are for the address being
    // connected); otherwise the saved ones fill the form only for their own origin.
    let typed = RwSignal::new(false);
    Effect::new(move |_| {
        let address = url.get();
        if typed.get_untracked() {
            return;
        }
        let (mode, filled_token, filled_user) = saved.with_value(|s| s.fill_for(&address));
        auth_mode.set(mode.to_string());
        token.set(filled_token);
        user.set(filled_user);
    });
    let timeout_s = RwSignal::new("15".to_string());

    // A search field from the address bar's link, else `default`.
    let field = |name: &str, default: &str| {
        link.as_ref()
            .and_then(|l| l.field(name))
            .unwrap_or(default)
            .to_string()
    };
    let service = RwSignal::new(field("service", ""));
    let operation = RwSignal::new(field("operation", ""));
    let tags_text = RwSignal::new(field("tags", ""));
    let traceql = RwSignal::new(field("traceql", ""));
    let lookback = RwSignal::new(field("lookback", "60"));
    let custom_start = RwSignal::new(field("start", ""));
    let custom_end = RwSignal::new(field("end", ""));
    let min_duration = RwSignal::new(field("min", ""));
    let max_duration = RwSignal::new(field("max", ""));
    let limit = RwSignal::new(field("limit", "20"));
    let alert_service = RwSignal::new(String::new());
    let alert_time = RwSignal::new(String::new());
    let alert_window = RwSignal::new("15".to_string());
    let alert_baseline = RwSignal::new("hour-before".to_string());
    let trace_id = RwSignal::new(String::new());

    let backend = Backend {
        connection: RwSignal::new(None),
        services: RwSignal::new(Vec::new()),
        operations: RwSignal::new(Vec::new()),
        tags: RwSignal::new(Vec::new()),
        tag_values: RwSignal::new(Vec::new()),
        busy: RwSignal::new(None),
        error: RwSignal::new(None),
        last: StoredValue::new(None),
        found: RwSignal::new(Vec::new()),
        found_label: RwSignal::new(String::new()),
    };

    let auth = move || -> Option<Auth> {
        // Saved credentials never go to another origin than their own, whatever the form says.
        if !typed.get_untracked() && !saved.with_value(|s| s.belongs_to(&url.get_untracked())) {
            return None;
        }
        match auth_mode.get_untracked().as_str() {
            "bearer" if !token.get_untracked().trim().is_empty() => {
                Some(Auth::Bearer(token.get_untracked()))
            }
            "basic" => Some(Auth::Basic {
                user: user.get_untracked(),
                password: token.get_untracked(),
            }),
            _ => None,
        }
    };
    // The search form's fields, for the address bar.
    let search_fields = move || -> Vec<(String, String)> {
        [
            ("service", service.get_untracked()),
            ("operation", operation.get_untracked()),
            ("tags", tags_text.get_untracked()),
            ("traceql", traceql.get_untracked()),
            ("lookback", lookback.get_untracked()),
            ("start", custom_start.get_untracked()),
            ("end", custom_end.get_untracked()),
            ("min", min_duration.get_untracked()),
            ("max", max_duration.get_untracked()),
            ("limit", limit.get_untracked()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    };
    let current_link = move |with_search: bool| BackendLink {
        kind: kind.get_untracked().as_str().to_string(),
        url: url.get_untracked(),
        search: if with_search {
            search_fields()
        } else {
            Vec::new()
        },
    };

    // Runs one action; failures become the panel's error (with Retry) and a notice.
    let run = move |action: Action| {
        let connection = backend.connection.get_untracked();
        if action != Action::Connect && connection.is_none() {
            backend.error.set(Some("Connect first.".to_string()));
            return;
        }
        backend.last.set_value(Some(action.clone()));
        backend.error.set(None);
        spawn_local(async move {
            let outcome: Result<(), String> = match action {
                Action::Connect => {
                    backend
                        .busy
                        .set(Some(format!("Connecting to {}…", url.get_untracked())));
                    let timeout = timeout_s.get_untracked().parse().unwrap_or(15);
                    match connect(kind.get_untracked(), &url.get_untracked(), auth(), timeout).await
                    {
                        Ok((connection, services)) => {
                            let keep = remember.get_untracked();
                            store(KEY_KIND, kind.get_untracked().as_str(), true);
                            store(KEY_URL, &url.get_untracked(), true);
                            match auth_mode.get_untracked().as_str() {
                                // No auth for the saved credentials' own origin: forget
                                // them; for another origin they stay for their own.
                                "none"
                                    if saved.with_value(|s| {
                                        s.origin.is_none() || s.belongs_to(&url.get_untracked())
                                    }) =>
                                {
                                    for key in [KEY_TOKEN, KEY_USER, KEY_CREDENTIALS_FOR] {
                                        for keep in [true, false] {
                                            if let Some(s) = storage(keep) {
                                                let _ = s.remove_item(key);
                                            }
                                        }
                                    }
                                }
                                "none" => {}
                                mode => {
                                    store(KEY_TOKEN, &token.get_untracked(), keep);
                                    if let Some(origin) = origin_of(&url.get_untracked()) {
                                        store(KEY_CREDENTIALS_FOR, &origin, keep);
                                    }
                                    if mode == "basic" {
                                        store(KEY_USER, &user.get_untracked(), keep);
                                    }
                                    saved.set_value(SavedCredentials {
                                        token: Some(token.get_untracked()),
                                        user: (mode == "basic").then(|| user.get_untracked()),
                                        origin: origin_of(&url.get_untracked()),
                                    });
                                }
                            }
                            let is_tempo = connection.api == crate::core::backend::Api::Tempo;
                            backend.services.set(services);
                            backend.connection.set(Some(connection.clone()));
                            if is_tempo {
                                if let Ok(tags) = tempo_tags(&connection).await {
                                    backend.tags.set(tags);
                                }
                            }
                            Ok(())
                        }
                        Err(error) => {
                            backend.connection.set(None);
                            Err(error)
                        }
                    }
                }
                Action::Search(query, label) => {
                    let Some(connection) = connection else { return };
                    backend.busy.set(Some(format!("Searching {label}…")));
                    match search_and_load(state, &connection, &query).await {
                        Ok((ids, failure)) => {
                            backend.show_found(&label, "", ids);
                            failure.map_or(Ok(()), Err)
                        }
                        Err(error) => Err(error),
                    }
                }
                Action::AlertCompare(query, label, baseline_query, baseline_label) => {
                    let Some(connection) = connection else { return };
                    backend
                        .busy
                        .set(Some(format!("Searching {baseline_label}…")));
                    match search_and_load(state, &connection, &baseline_query).await {
                        Ok((ids, _)) if ids.is_empty() => Err(format!(
                            "No traces found for {baseline_label}: there is nothing to compare the alert with."
                        )),
                        Ok((baseline_ids, _)) => {
                            let traces = state.traces.with_untracked(|set| {
                                baseline_ids
                                    .iter()
                                    .filter_map(|id| set.get(id).cloned())
                                    .collect::<Vec<_>>()
                            });
                            make_baseline(
                                state,
                                baseline_label.clone(),
                                format!("{} search", connection.api.label()),
                                traces,
                            )
                            .await;
                            load_alert_window(
                                state,
                                backend,
                                &connection,
                                &query,
                                &label,
                                &baseline_label,
                                current_link(false),
                            )
                            .await
                        }
                        Err(error) => Err(error),
                    }
                }
                Action::AlertMetrics(query, label, service, window, baseline_label) => {
                    let Some(connection) = connection else { return };
                    backend.busy.set(Some(format!(
                        "Reading the backend's metrics (for {service} and the services it calls)…"
                    )));
                    let services = backend.services.get_untracked();
                    match metrics_quantiles(&connection, &services, window).await {
                        Ok(ops) => {
                            let source = match connection.api {
                                crate::core::backend::Api::Tempo => "Tempo TraceQL metrics",
                                _ => "Jaeger SPM",
                            };
                            add_metrics_baseline(
                                state,
                                &baseline_label,
                                source.to_string(),
                                &ops,
                                (window.end_s - window.start_s) as f64,
                            );
                            load_alert_window(
                                state,
                                backend,
                                &connection,
                                &query,
                                &label,
                                &baseline_label,
                                current_link(false),
                            )
                            .await
                        }
                        Err(error) => Err(error),
                    }
                }
                Action::Open(id) => {
                    let Some(connection) = connection else { return };
                    backend.busy.set(Some(format!("Loading trace {id}…")));
                    let name = format!("{} trace {id}", connection.api.label());
                    let loaded = trace_by_id(&connection, &id)
                        .await
                        .and_then(|body| state.load_bytes_with_ids(&name, body.as_bytes()));
                    loaded.map(|ids| {
                        if let Some(found) = ids.first() {
                            navigate(
                                state.route,
                                ViewState {
                                    trace: Some(found.clone()),
                                    backend: Some(current_link(false)),
                                    ..ViewState::default()
                                },
                                true,
                            );
                        }
                    })
                }
                Action::Dependencies => {
                    let Some(connection) = connection else { return };
                    backend
                        .busy
                        .set(Some("Loading the backend's dependencies…".to_string()));
                    match backend_dependencies(&connection, 24 * 3600 * 1000).await {
                        Ok(links) => {
                            let source = format!("{} (last 24 hours)", connection.api.label());
                            state.backend_links.set(Some((source, links)));
                            // They are drawn in the services view: show it.
                            let current = state.route.get_untracked();
                            navigate(
                                state.route,
                                ViewState {
                                    services: true,
                                    trace: None,
                                    span: None,
                                    ..current
                                },
                                true,
                            );
                            Ok(())
                        }
                        Err(error) => Err(error),
                    }
                }
            };
            backend.busy.set(None);
            if let Err(error) = outcome {
                state.notify(NoticeLevel::Error, error.clone());
                backend.error.set(Some(error));
            }
        });
    };

    // The form → a query (or the reason it cannot be one).
    let build_query = move |start_us: Option<i64>,
                            end_us: Option<i64>,
                            svc: String|
          -> Result<SearchQuery, String> {
        let now_us = (js_sys::Date::now() * 1000.0) as i64;
        let (start_us, end_us) = match (start_us, end_us) {
            (Some(s), Some(e)) => (s, e),
            _ => {
                let minutes: i64 = lookback.get_untracked().parse().unwrap_or(60);
                if minutes == 0 {
                    let start = parse_utc_datetime_us(&custom_start.get_untracked())
                        .ok_or("Give the custom range's start.")?;
                    let end = parse_utc_datetime_us(&custom_end.get_untracked()).unwrap_or(now_us);
                    (start, end)
                } else {
                    (now_us - minutes * 60_000_000, now_us)
                }
            }
        };
        let duration = |text: String| -> Result<Option<i64>, String> {
            if text.trim().is_empty() {
                Ok(None)
            } else {
                parse_duration_us(&text).map(Some)
            }
        };
        let query = SearchQuery {
            service: Some(svc).filter(|s| !s.is_empty()),
            operation: Some(operation.get_untracked()).filter(|s| !s.is_empty()),
            tags: SearchQuery::parse_tags(&tags_text.get_untracked())?,
            traceql: Some(traceql.get_untracked()).filter(|s| !s.trim().is_empty()),
            start_us,
            end_us,
            min_duration_us: duration(min_duration.get_untracked())?,
            max_duration_us: duration(max_duration.get_untracked())?,
            limit: limit
                .get_untracked()
                .trim()
                .parse()
                .map_err(|_| "The limit must be a number.")?,
        };
        let needs_service = matches!(
            backend.connection.get_untracked().map(|c| c.api),
            Some(crate::core::backend::Api::JaegerV1 | crate::core::backend::Api::JaegerV3)
        );
        if needs_service && query.service.is_none() {
            return Err("Jaeger needs a service to search: pick one.".to_string());
        }
        Ok(query)
    };
    let do_search = move || match build_query(None, None, service.get_untracked()) {
        Ok(query) => {
            let label = query
                .service
                .clone()
                .unwrap_or_else(|| "all services".into());
            let current = state.route.get_untracked();
            navigate(
                state.route,
                ViewState {
                    backend: Some(current_link(true)),
                    ..current
                },
                false,
            );
            run(Action::Search(query, label));
        }
        Err(error) => backend.error.set(Some(error)),
    };
    let do_alert = move || {
        let Some(at) = parse_utc_datetime_us(&alert_time.get_untracked()) else {
            backend
                .error
                .set(Some("Give the alert's time.".to_string()));
            return;
        };
        let minutes = alert_window.get_untracked().parse::<i64>().unwrap_or(15);
        let window_us = minutes * 60_000_000;
        let window = |start: i64, end: i64| {
            build_query(Some(start), Some(end), alert_service.get_untracked()).map(|mut query| {
                query.operation = None;
                query.tags.clear();
                query.traceql = None;
                query
            })
        };
        let service_name = alert_service.get_untracked();
        let label = format!("{service_name} ±{minutes} min around the alert");
        let current = match window(at - window_us, at + window_us) {
            Ok(query) => query,
            Err(error) => return backend.error.set(Some(error)),
        };
        const HOUR_US: i64 = 3_600_000_000;
        const DAY_US: i64 = 24 * HOUR_US;
        let baseline = match alert_baseline.get_untracked().as_str() {
            "hour-before" => Some((
                window(at - window_us - HOUR_US, at - window_us),
                format!("{service_name}: the hour before the alert"),
            )),
            "yesterday" => Some((
                window(at - DAY_US - window_us, at - DAY_US + window_us),
                format!("{service_name}: the same time yesterday"),
            )),
            _ => None,
        };
        let metrics_hours = match alert_baseline.get_untracked().as_str() {
            "metrics-hour" => Some(1),
            "metrics-day" => Some(24),
            _ => None,
        };
        if let Some(hours) = metrics_hours {
            let end_s = (at - window_us) / 1_000_000;
            let window = MetricsWindow {
                start_s: end_s - hours * 3600,
                end_s,
            };
            let baseline_label = if hours == 1 {
                format!("{service_name}: the backend's metrics, the hour before the alert")
            } else {
                format!("{service_name}: the backend's metrics, the 24 h before the alert")
            };
            return run(Action::AlertMetrics(
                current,
                label,
                service_name,
                window,
                baseline_label,
            ));
        }
        match baseline {
            None => run(Action::Search(current, label)),
            Some((Ok(query), baseline_label)) => {
                run(Action::AlertCompare(current, label, query, baseline_label));
            }
            Some((Err(error), _)) => backend.error.set(Some(error)),
        }
    };

    // Loading a service's operations when it is picked.
    Effect::new(move |_| {
        let svc = service.get();
        let Some(connection) = backend.connection.get() else {
            return;
        };
        if svc.is_empty() {
            backend.operations.set(Vec::new());
            return;
        }
        spawn_local(async move {
            match operations(&connection, &svc).await {
                Ok(list) => backend.operations.set(list),
                Err(error) => backend.error.set(Some(error)),
            }
        });
    });

    // A link with a backend reconnects, then reruns its search or reopens its trace; a link to
    // another origin than the remembered one asks first (and never gets the saved credentials).
    let confirm_link = RwSignal::new(None::<String>);
    if let Some(link) = link.as_ref() {
        let wanted_trace = state.route.with_untracked(|r| r.trace.clone());
        let has_search = !link.search.is_empty();
        match link_connect(&link.url, remembered_url.as_deref()) {
            LinkConnect::Now => run(Action::Connect),
            LinkConnect::Ask { address } => confirm_link.set(Some(address)),
        }
        Effect::new(move |done: Option<bool>| {
            if done == Some(true) || backend.connection.get().is_none() {
                return done.unwrap_or(false);
            }
            if let Some(id) = wanted_trace.clone() {
                if state.traces.with_untracked(|set| set.get(&id).is_none()) {
                    run(Action::Open(id));
                }
            } else if has_search {
                do_search();
            }
            true
        });
    }

    let status = move || {
        if let Some(busy) = backend.busy.get() {
            return busy;
        }
        match backend.connection.get() {
            Some(c) => format!(
                "Connected to {} — {} ({} services)",
                c.base,
                c.api.label(),
                backend.services.with(Vec::len)
            ),
            None => "Not connected.".to_string(),
        }
    };
    let is_connected = move || backend.connection.with(Option::is_some);
    let api = move || backend.connection.with(|c| c.as_ref().map(|c| c.api));
    let is_tempo = move || api() == Some(crate::core::backend::Api::Tempo);
    let has_dependencies = move || api().is_some_and(|a| a.has_dependencies());
    // Tempo: values of the tag just typed in TraceQL (`resource.service.name = "` → values).
    Effect::new(move |_| {
        let text = traceql.get();
        let Some(connection) = backend.connection.get() else {
            return;
        };
        if connection.api != crate::core::backend::Api::Tempo {
            return;
        }
        let tag = text
            .rsplit(['{', '&', '|', '('])
            .next()
            .and_then(|clause| clause.split_once('='))
            .map(|(tag, _)| tag.trim().trim_start_matches('.').to_string());
        let Some(tag) = tag.filter(|t| !t.is_empty()) else {
            return;
        };
        spawn_local(async move {
            if let Ok(values) = tempo_tag_values(&connection, &tag).await {
                backend.tag_values.set(values);
            }
        });
    });

    view! {
        <section class="backend-panel panel" data-testid="backend-panel">
            {move || confirm_link.get().map(|address| view! {
                <div class="notice warning" data-testid="backend-link-confirm" role="alertdialog">
                    <span class="notice-text">
                        "This link connects to " <b class="long-text">{address}</b>
                        " — your saved credentials will not be sent. Connect?"
                    </span>
                    <button class="button small primary" data-testid="backend-link-connect" on:click=move |_| {
                        confirm_link.set(None);
                        run(Action::Connect);
                    }>"Connect"</button>
                    <button class="button small" data-testid="backend-link-cancel" on:click=move |_| confirm_link.set(None)>"Don't connect"</button>
                </div>
            })}
            <form class="connect-form" on:submit=move |ev| { ev.prevent_default(); run(Action::Connect); }>
                <label>"Backend "
                    <select data-testid="backend-kind" on:change=move |ev| {
                        if let Some(k) = BackendKind::from_name(&event_target_value(&ev)) {
                            // A default address of another kind follows the kind.
                            let current = url.get_untracked();
                            if current.is_empty() || BackendKind::ALL.iter().any(|other| other.default_url() == current) {
                                url.set(k.default_url().to_string());
                            }
                            kind.set(k);
                        }
                    }>
                        {BackendKind::ALL.into_iter().map(|k| view! {
                            <option value=k.as_str() selected=move || kind.get() == k>{k.label()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="grow">"URL "
                    <input type="url" data-testid="backend-url" placeholder="http://localhost:16686" prop:value=url
                        on:input=move |ev| url.set(event_target_value(&ev))/>
                </label>
                <label>"Auth "
                    <select data-testid="backend-auth" on:change=move |ev| { typed.set(true); auth_mode.set(event_target_value(&ev)); }>
                        <option value="none" selected=move || auth_mode.get() == "none">"none"</option>
                        <option value="bearer" selected=move || auth_mode.get() == "bearer">"bearer token"</option>
                        <option value="basic" selected=move || auth_mode.get() == "basic">"basic"</option>
                    </select>
                </label>
                <Show when=move || auth_mode.get() == "basic">
                    <input type="text" placeholder="user" autocomplete="username" prop:value=user on:input=move |ev| { typed.set(true); user.set(event_target_value(&ev)); }/>
                </Show>
                <Show when=move || auth_mode.get() != "none">
                    <input type="password" data-testid="backend-token" autocomplete="current-password"
                        placeholder=move || if auth_mode.get() == "basic" { "password" } else { "token" }
                        prop:value=token on:input=move |ev| { typed.set(true); token.set(event_target_value(&ev)); }/>
                    <label class="check" title="Keep the token in this browser's storage (otherwise only for this tab)">
                        <input type="checkbox" data-testid="backend-remember" prop:checked=remember on:change=move |ev| remember.set(event_target_checked(&ev))/>"remember"
                    </label>
                </Show>
                <label>"Timeout "
                    <input type="number" min="1" max="300" class="narrow" data-testid="backend-timeout" prop:value=timeout_s
                        on:input=move |ev| timeout_s.set(event_target_value(&ev))/>" s"
                </label>
                <button class="button primary" type="submit" data-testid="backend-connect">"Connect"</button>
            </form>
            <p class="backend-status" class:connected=is_connected data-testid="backend-status">{status}</p>
            {move || backend.error.get().map(|error| view! {
                <div class="notice error" data-testid="backend-error">
                    <span class="notice-text"><Name text=error max=VALUE_CHARS/></span>
                    <Show when=move || backend.last.with_value(Option::is_some)>
                        <button class="button small" data-testid="backend-retry" on:click=move |_| {
                            if let Some(action) = backend.last.get_value() { run(action); }
                        }>"Retry"</button>
                    </Show>
                </div>
            })}
            <Show when=is_connected>
                <form class="search-form" data-testid="backend-search" on:submit=move |ev| { ev.prevent_default(); do_search(); }>
                    <label>"Service "
                        <select data-testid="backend-service" on:change=move |ev| { service.set(event_target_value(&ev)); operation.set(String::new()); }>
                            <option value="">"(any)"</option>
                            {move || backend.services.get().into_iter().map(|s| {
                                let value = s.clone();
                                view! { <option value=value.clone() selected=move || service.get() == value>{s}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <label>"Operation "
                        <select data-testid="backend-operation" on:change=move |ev| operation.set(event_target_value(&ev))>
                            <option value="">"(any)"</option>
                            {move || backend.operations.get().into_iter().map(|o| {
                                let value = o.clone();
                                view! { <option value=value.clone() selected=move || operation.get() == value>{o}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <Show when=move || !is_tempo() fallback=move || view! {
                        <label class="grow">"TraceQL "
                            <input type="text" list="traceql-tags" data-testid="backend-traceql" placeholder="{ resource.service.name = \"frontend\" && status = error }"
                                prop:value=traceql on:input=move |ev| traceql.set(event_target_value(&ev))/>
                            <datalist id="traceql-tags">
                                {move || {
                                    let text = traceql.get();
                                    let tags = backend.tags.get().into_iter().map(|t| format!("{{ {t} = ")).collect::<Vec<_>>();
                                    let values = backend.tag_values.get().into_iter().map(|v| {
                                        let head = text.rsplit_once('=').map_or(text.clone(), |(h, _)| h.to_string());
                                        format!("{head}= \"{v}\" }}")
                                    });
                                    tags.into_iter().chain(values).map(|o| view! { <option value=o></option> }).collect_view()
                                }}
                            </datalist>
                        </label>
                    }>
                        <label class="grow">"Tags "
                            <input type="text" data-testid="backend-tags" placeholder="error=true http.status_code=500" prop:value=tags_text
                                on:input=move |ev| tags_text.set(event_target_value(&ev))/>
                        </label>
                    </Show>
                    <label>"Time "
                        <select data-testid="backend-lookback" on:change=move |ev| lookback.set(event_target_value(&ev))>
                            {LOOKBACKS.into_iter().map(|(label, minutes)| {
                                let value = minutes.to_string();
                                let same = value.clone();
                                view! { <option value=value selected=move || lookback.get() == same>{label}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <Show when=move || lookback.get() == "0">
                        <input type="datetime-local" step="1" title="Start (UTC)" prop:value=custom_start on:input=move |ev| custom_start.set(event_target_value(&ev))/>
                        <input type="datetime-local" step="1" title="End (UTC)" prop:value=custom_end on:input=move |ev| custom_end.set(event_target_value(&ev))/>
                    </Show>
                    <label>"Min "
                        <input type="text" class="narrow" placeholder="100ms" data-testid="backend-min" prop:value=min_duration on:input=move |ev| min_duration.set(event_target_value(&ev))/>
                    </label>
                    <label>"Max "
                        <input type="text" class="narrow" placeholder="5s" prop:value=max_duration on:input=move |ev| max_duration.set(event_target_value(&ev))/>
                    </label>
                    <label>"Limit "
                        <input type="number" min="1" max="1500" class="narrow" data-testid="backend-limit" prop:value=limit on:input=move |ev| limit.set(event_target_value(&ev))/>
                    </label>
                    <button class="button primary" type="submit" data-testid="backend-search-button">"Search"</button>
                </form>
                <form class="search-form" data-testid="backend-alert" on:submit=move |ev| { ev.prevent_default(); do_alert(); }>
                    <b>"Related to an alert:"</b>
                    <select data-testid="alert-service" on:change=move |ev| alert_service.set(event_target_value(&ev))>
                        <option value="">"(service)"</option>
                        {move || backend.services.get().into_iter().map(|s| { let value = s.clone(); view! { <option value=value>{s}</option> } }).collect_view()}
                    </select>
                    <input type="datetime-local" step="1" title="When the alert fired (UTC)" data-testid="alert-time" prop:value=alert_time on:input=move |ev| alert_time.set(event_target_value(&ev))/>
                    <label>"±"
                        <select data-testid="alert-window" on:change=move |ev| alert_window.set(event_target_value(&ev))>
                            {["5", "15", "30", "60"].into_iter().map(|m| view! { <option value=m selected=m == "15">{format!("{m} min")}</option> }).collect_view()}
                        </select>
                    </label>
                    <select data-testid="alert-baseline" title="Also load a window before the alert as the baseline, and open the comparison"
                        on:change=move |ev| alert_baseline.set(event_target_value(&ev))>
                        {ALERT_BASELINES.into_iter().map(|(value, label)| view! { <option value=value selected=value == "hour-before">{label}</option> }).collect_view()}
                    </select>
                    <button class="button" type="submit" data-testid="alert-search">"Find traces"</button>
                    <span class="spacer"></span>
                    <input type="text" placeholder="trace ID" data-testid="backend-trace-id" prop:value=trace_id on:input=move |ev| trace_id.set(event_target_value(&ev))/>
                    <button class="button" type="button" data-testid="backend-open" on:click=move |_| {
                        let id = trace_id.get_untracked().trim().to_string();
                        if id.is_empty() { backend.error.set(Some("Give a trace ID.".into())); } else { run(Action::Open(id)); }
                    }>"Open trace"</button>
                    <Show when=has_dependencies>
                        <button class="button" type="button" data-testid="backend-dependencies" on:click=move |_| run(Action::Dependencies)>"Backend dependencies"</button>
                    </Show>
                </form>
            </Show>
            <Show when=is_connected>
                <WatchPanel connection=backend.connection services=backend.services/>
            </Show>
            <BackendResults
                label=backend.found_label
                found=backend.found
                link=Callback::new(move |()| current_link(true))
            />
        </section>
    }
}
