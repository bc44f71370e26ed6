//! A sortable statistics table (click a heading; again to reverse) with CSV export. Long tables
//! show their first rows until "Show all" is clicked. Rows that point at a span or a service
//! are clickable. With the mask switch on, secrets in cells are masked, in the CSV too.
use leptos::prelude::*;

use crate::core::view_model::{SortOrder, Table, TableRow};
use crate::ui::state::AppState;
use crate::ui::widgets::download::{download_text, file_stem};
use crate::ui::widgets::shared::Shared;

/// Rows shown before "Show all".
const FIRST_ROWS: usize = 50;

/// One table with its heading, sort state and export button.
#[component]
pub fn StatsTable(
    /// Heading above the table.
    title: &'static str,
    /// One sentence on what the table shows.
    #[prop(optional)]
    hint: &'static str,
    /// The table.
    #[prop(into)]
    table: Signal<Shared<Table>>,
    /// `data-testid` of the section.
    testid: &'static str,
    /// Called with a clicked row.
    #[prop(optional)]
    on_row: Option<Callback<TableRow>>,
) -> impl IntoView {
    // With the mask switch on, the table (and so its CSV) shows secrets masked.
    let state = use_context::<AppState>();
    let table = Memo::new(move |_| match state {
        Some(state) if state.mask_secrets.get() => Shared::new(table.with(|t| t.masked(&[]))),
        _ => table.get(),
    });
    let sort = RwSignal::new(None::<SortOrder>);
    let show_all = RwSignal::new(false);
    let order = Memo::new(move |_| table.with(|t| t.order(sort.get())));
    let export = move |_| {
        let csv = table.with_untracked(|t| t.to_csv(sort.get_untracked()));
        if let Err(error) = download_text(&format!("{}.csv", file_stem(title)), "text/csv", &csv) {
            leptos::logging::warn!("CSV export failed: {error}");
        }
    };
    let headings = move || {
        let columns = table.with(|t| t.columns.clone());
        columns
            .into_iter()
            .enumerate()
            .map(|(i, column)| {
                let arrow = move || match sort.get() {
                    Some(o) if o.column == i && o.descending => " ▼",
                    Some(o) if o.column == i => " ▲",
                    _ => "",
                };
                let numeric = column.numeric;
                view! {
                    <th class:num=numeric data-testid="sort-heading"
                        on:click=move |_| sort.update(|s| *s = Some(SortOrder::clicked(*s, i, numeric)))>
                        {column.title}{arrow}
                    </th>
                }
            })
            .collect_view()
    };
    let body = move || {
        let table = table.get();
        let order = order.get();
        let limit = if show_all.get() {
            usize::MAX
        } else {
            FIRST_ROWS
        };
        order
            .iter()
            .take(limit)
            .filter_map(|&i| table.rows.get(i).cloned())
            .map(|row| {
                let clickable = on_row.is_some() && (row.span.is_some() || row.service.is_some());
                let title = if row.span.is_some() {
                    "Open this span"
                } else if row.service.is_some() {
                    "Filter to this service"
                } else {
                    ""
                };
                let cells = row
                    .cells
                    .iter()
                    .zip(table.columns.iter())
                    .map(|(cell, column)| view! { <td class:num=column.numeric>{cell.text.clone()}</td> })
                    .collect_view();
                let clicked = row.clone();
                view! {
                    <tr class:clickable=clickable title=title data-testid="stats-row"
                        on:click=move |_| if let Some(callback) = on_row { callback.run(clicked.clone()) }>
                        {cells}
                    </tr>
                }
            })
            .collect_view()
    };
    let row_count = move || table.with(|t| t.rows.len());
    view! {
        <section class="stats-table" data-testid=testid>
            <header>
                <h3>{title}</h3>
                <span class="muted">{move || format!("{} rows", row_count())}</span>
                <button class="button small" data-testid="export-csv" on:click=export>"Export CSV"</button>
            </header>
            {(!hint.is_empty()).then(|| view! { <p class="hint">{hint}</p> })}
            <div class="table-scroll">
                <table>
                    <thead><tr>{headings}</tr></thead>
                    <tbody>{body}</tbody>
                </table>
            </div>
            <Show when=move || { row_count() > FIRST_ROWS && !show_all.get() }>
                <button class="button small" data-testid="show-all" on:click=move |_| show_all.set(true)>
                    {move || format!("Show all {} rows", row_count())}
                </button>
            </Show>
        </section>
    }
}
