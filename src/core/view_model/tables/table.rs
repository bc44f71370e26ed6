//! A sortable table as screens show it and CSV exports write it: columns, rows of cells that
//! each carry the text shown, the value exported and the key sorted by. Rows may point at a
//! span (to open it) and name a service (to filter by it).
use crate::core::analysis::SpanRef;

/// What a cell sorts by.
#[derive(Debug, Clone, PartialEq)]
pub enum SortKey {
    /// Numbers sort numerically.
    Num(f64),
    /// Text sorts case-insensitively.
    Text(String),
}

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// What the screen shows (`12.3 ms`).
    pub text: String,
    /// What the CSV holds (`12.300`): plain numbers in the column's unit.
    pub csv: String,
    /// What the column sorts by.
    pub key: SortKey,
}

impl Cell {
    /// The cell as written to a CSV file, safe to open in a spreadsheet: text that a
    /// spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage
    /// return) gets a leading `'`, as OWASP recommends; numbers stay numbers, negative ones too.
    pub fn csv_safe(&self) -> std::borrow::Cow<'_, str> {
        let numeric = matches!(self.key, SortKey::Num(_))
            && self.csv.parse::<f64>().is_ok_and(f64::is_finite);
        let risky = self.csv.starts_with(['=', '+', '-', '@', '\t', '\r']);
        if risky && !numeric {
            std::borrow::Cow::Owned(format!("'{}", self.csv))
        } else {
            std::borrow::Cow::Borrowed(&self.csv)
        }
    }

    /// A text cell.
    pub fn text(text: &str) -> Self {
        Self {
            // Names from files can be megabytes long: the screen shows the start, the CSV all.
            text: crate::core::view_model::shorten(text, crate::core::view_model::NAME_CHARS),
            csv: text.to_string(),
            key: SortKey::Text(text.to_lowercase()),
        }
    }

    /// A count.
    pub fn count(value: usize) -> Self {
        Self {
            text: value.to_string(),
            csv: value.to_string(),
            key: SortKey::Num(value as f64),
        }
    }

    /// A duration: shown for people, exported in milliseconds.
    pub fn duration_ns(value: f64) -> Self {
        Self {
            text: crate::core::view_model::format_duration_ns(value.round() as i64),
            csv: format!("{:.3}", value / 1e6),
            key: SortKey::Num(value),
        }
    }

    /// A plain number with `decimals` places, shown and exported alike.
    pub fn number(value: f64, decimals: usize) -> Self {
        let text = format!("{value:.decimals$}");
        Self {
            csv: text.clone(),
            text,
            key: SortKey::Num(value),
        }
    }

    /// A ratio (0–1): shown and exported as a percentage.
    pub fn ratio(value: f64) -> Self {
        Self::percent(value * 100.0)
    }

    /// A percentage (0–100).
    pub fn percent(value: f64) -> Self {
        let text = if value > 0.0 && value < 0.1 {
            "<0.1%".to_string()
        } else {
            format!("{value:.1}%")
        };
        Self {
            text,
            csv: format!("{value:.2}"),
            key: SortKey::Num(value),
        }
    }
}

/// A column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Heading on screen.
    pub title: &'static str,
    /// Heading in the CSV (with its unit: `p95_ms`).
    pub csv_title: &'static str,
    /// Right-aligned numbers (sorted largest first on the first click).
    pub numeric: bool,
}

impl Column {
    /// A text column.
    pub const fn text(title: &'static str, csv_title: &'static str) -> Self {
        Self {
            title,
            csv_title,
            numeric: false,
        }
    }

    /// A numeric column.
    pub const fn num(title: &'static str, csv_title: &'static str) -> Self {
        Self {
            title,
            csv_title,
            numeric: true,
        }
    }
}

/// One row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TableRow {
    /// Cells, one per column.
    pub cells: Vec<Cell>,
    /// A span this row is about (click opens it).
    pub span: Option<SpanRef>,
    /// The service this row is about (click filters to it).
    pub service: Option<String>,
    /// A whole trace this row is about, when no one span is (click opens the trace).
    pub trace: Option<String>,
}

/// A table.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// Columns.
    pub columns: Vec<Column>,
    /// Rows, in their natural order.
    pub rows: Vec<TableRow>,
}

/// How a table is sorted: a column and a direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortOrder {
    /// Column index.
    pub column: usize,
    /// Largest / last first.
    pub descending: bool,
}

impl SortOrder {
    /// The order after clicking `column`'s heading: the same column flips, a new one starts
    /// largest-first for numbers and A–Z for text.
    pub fn clicked(current: Option<SortOrder>, column: usize, numeric: bool) -> SortOrder {
        match current {
            Some(order) if order.column == column => SortOrder {
                column,
                descending: !order.descending,
            },
            _ => SortOrder {
                column,
                descending: numeric,
            },
        }
    }
}

impl Table {
    /// The table with secrets in its text masked, on screen and in the CSV (the mask switch);
    /// numeric cells are left as they are.
    /// The columns in `whole_columns` (the values of a group-by on a secret-named key such as
    /// `authorization`) have every value masked whole.
    pub fn masked(&self, whole_columns: &[usize]) -> Table {
        use crate::core::analysis::quality::secrets::{mask_secrets_in, mask_whole};
        let whole: Vec<bool> = (0..self.columns.len())
            .map(|i| whole_columns.contains(&i))
            .collect();
        let mask_text = |text: &str, whole: bool| {
            if whole && !text.is_empty() {
                mask_whole(text)
            } else {
                mask_secrets_in(text).into_owned()
            }
        };
        let rows = self
            .rows
            .iter()
            .map(|row| TableRow {
                cells: row
                    .cells
                    .iter()
                    .zip(whole.iter().copied().chain(std::iter::repeat(false)))
                    .map(|(cell, whole)| match &cell.key {
                        // A number is never a secret: a 13-digit duration that passes the
                        // card check stays a number.
                        SortKey::Num(_) => cell.clone(),
                        SortKey::Text(t) => Cell {
                            text: mask_text(&cell.text, whole),
                            csv: mask_text(&cell.csv, whole),
                            key: SortKey::Text(mask_text(t, whole)),
                        },
                    })
                    .collect(),
                ..row.clone()
            })
            .collect();
        Table {
            columns: self.columns.clone(),
            rows,
        }
    }

    /// Row indices in display order (natural order when `order` is None). Stable: equal keys
    /// keep their natural order.
    pub fn order(&self, order: Option<SortOrder>) -> Vec<usize> {
        let mut rows: Vec<usize> = (0..self.rows.len()).collect();
        let Some(order) = order else {
            return rows;
        };
        let key = |i: usize| {
            self.rows
                .get(i)
                .and_then(|r| r.cells.get(order.column))
                .map(|c| &c.key)
        };
        rows.sort_by(|&a, &b| {
            let ordering = match (key(a), key(b)) {
                (Some(SortKey::Num(x)), Some(SortKey::Num(y))) => x.total_cmp(y),
                (Some(SortKey::Text(x)), Some(SortKey::Text(y))) => x.cmp(y),
                (Some(SortKey::Num(_)), _) => std::cmp::Ordering::Less,
                (_, Some(SortKey::Num(_))) => std::cmp::Ordering::Greater,
                _ => std::cmp::Ordering::Equal,
            };
            if order.descending {
                ordering.reverse()
            } else {
                ordering
            }
        });
        rows
    }

    /// The table as CSV (RFC 4180: quoted where needed), rows in `order`, with the
    /// columns' CSV headings.
    pub fn to_csv(&self, order: Option<SortOrder>) -> String {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        let mut ok = writer
            .write_record(self.columns.iter().map(|c| c.csv_title))
            .is_ok();
        for i in self.order(order) {
            if let Some(row) = self.rows.get(i) {
                let cells: Vec<_> = row.cells.iter().map(Cell::csv_safe).collect();
                ok &= writer
                    .write_record(cells.iter().map(|c| c.as_bytes()))
                    .is_ok();
            }
        }
        // Writing to a Vec cannot fail; an empty string would say so if it ever did.
        match (ok, writer.into_inner()) {
            (true, Ok(bytes)) => String::from_utf8(bytes).unwrap_or_default(),
            _ => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        let row = |name: &str, n: usize, ns: f64| TableRow {
            cells: vec![Cell::text(name), Cell::count(n), Cell::duration_ns(ns)],
            ..TableRow::default()
        };
        Table {
            columns: vec![
                Column::text("Name", "name"),
                Column::num("Count", "count"),
                Column::num("p95", "p95_ms"),
            ],
            rows: vec![
                row("beta", 3, 1_500_000.0),
                row("Alpha, \"quoted\"", 10, 20_000.0),
                row("gamma", 3, 7_000_000_000.0),
            ],
        }
    }

    #[test]
    fn sorts_by_number_and_text_stably() {
        let t = table();
        assert_eq!(t.order(None), vec![0, 1, 2]);
        let by_count = SortOrder::clicked(None, 1, true);
        assert!(by_count.descending);
        assert_eq!(t.order(Some(by_count)), vec![1, 0, 2]);
        let flipped = SortOrder::clicked(Some(by_count), 1, true);
        assert_eq!(t.order(Some(flipped)), vec![0, 2, 1]);
        let by_name = SortOrder::clicked(Some(flipped), 0, false);
        assert!(!by_name.descending);
        assert_eq!(t.order(Some(by_name)), vec![1, 0, 2]);
    }

    #[test]
    fn csv_quotes_and_uses_plain_units() {
        let t = table();
        let csv = t.to_csv(Some(SortOrder {
            column: 2,
            descending: true,
        }));
        assert_eq!(
            csv,
            "name,count,p95_ms\r\ngamma,3,7000.000\r\nbeta,3,1.500\r\n\"Alpha, \"\"quoted\"\"\",10,0.020\r\n"
        );
        assert_eq!(t.rows[2].cells[2].text, "7 s");
    }

    #[test]
    fn csv_cells_never_run_as_formulas() {
        let mut t = table();
        let hostile = [
            "=HYPERLINK(\"http://x\",\"y\")",
            "+1+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "-inf",
        ];
        t.rows = hostile
            .iter()
            .map(|name| TableRow {
                cells: vec![
                    Cell::text(name),
                    Cell::count(1),
                    Cell::duration_ns(-2_500_000.0),
                ],
                ..TableRow::default()
            })
            .collect();
        let csv = t.to_csv(None);
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let cells: Vec<Vec<String>> = reader
            .records()
            .map(|r| {
                r.map(|r| r.iter().map(str::to_string).collect())
                    .unwrap_or_default()
            })
            .collect();
        assert_eq!(cells.len(), hostile.len());
        for (row, name) in cells.iter().zip(hostile) {
            assert_eq!(row[0], format!("'{name}"), "{csv}");
            // A real negative number stays a number.
            assert_eq!(row[2], "-2.500");
        }
        assert_eq!(Cell::text("plain").csv_safe(), "plain");
    }

    #[test]
    fn percentages_read_naturally() {
        assert_eq!(Cell::ratio(0.125).text, "12.5%");
        assert_eq!(Cell::percent(0.01).text, "<0.1%");
        assert_eq!(Cell::percent(0.0).text, "0.0%");
        assert_eq!(Cell::ratio(0.125).csv, "12.50");
    }

    #[test]
    fn masked_tables_hide_secrets_on_screen_and_in_csv() {
        let table = Table {
            columns: vec![Column::text("Value", "value"), Column::text("Name", "name")],
            rows: vec![TableRow {
                cells: vec![
                    Cell::text("hunter2hunter2"),
                    Cell::text("GET /cb?token=abcdef123456"),
                ],
                span: None,
                service: None,
                trace: None,
            }],
        };
        let masked = table.masked(&[0]);
        let csv = masked.to_csv(None);
        assert!(
            !csv.contains("hunter2") && !csv.contains("abcdef123456"),
            "{csv}"
        );
        assert_eq!(masked.rows[0].cells[0].text, "hunt••••••");
        assert_eq!(masked.rows[0].cells[1].text, "GET /cb?token=abcd••••••");
        // A number that passes the card check (4111111111111111) stays a number.
        let numbers = Table {
            columns: vec![Column::text("Count", "count")],
            rows: vec![TableRow {
                cells: vec![Cell::number(4_111_111_111_111_111.0, 0)],
                span: None,
                service: None,
                trace: None,
            }],
        };
        assert!(numbers
            .masked(&[])
            .to_csv(None)
            .contains("4111111111111111"));
    }
}
