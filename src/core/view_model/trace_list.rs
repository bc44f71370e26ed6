//! One row of the trace list: what a person needs to pick a trace.
use crate::core::model::Trace;

/// The summary of one trace shown in the trace list and printed by `tracagg analyze`.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceSummary {
    /// Trace ID as loaded.
    pub trace_id: String,
    /// Service of the root span (empty for an empty trace).
    pub root_service: String,
    /// Operation of the root span.
    pub root_operation: String,
    /// Earliest span start, ns since the epoch.
    pub start_ns: i64,
    /// Wall-clock duration of the trace, ns.
    pub duration_ns: i64,
    /// Number of spans.
    pub span_count: usize,
    /// Distinct services, sorted.
    pub services: Vec<String>,
    /// Spans with error status.
    pub error_count: usize,
    /// The trace's warnings, as sentences.
    pub warnings: Vec<String>,
    /// Files the spans came from.
    pub sources: Vec<String>,
}

impl TraceSummary {
    /// Summarises `trace`.
    pub fn of(trace: &Trace) -> Self {
        let root = trace.root_span().and_then(|idx| trace.span(idx));
        Self {
            trace_id: trace.trace_id.clone(),
            root_service: root
                .map(|s| trace.str(s.service).to_string())
                .unwrap_or_default(),
            root_operation: root
                .map(|s| trace.str(s.operation).to_string())
                .unwrap_or_default(),
            start_ns: trace.start_ns,
            duration_ns: trace.duration_ns(),
            span_count: trace.spans.len(),
            services: trace
                .service_names()
                .into_iter()
                .map(str::to_string)
                .collect(),
            error_count: trace.error_count(),
            warnings: trace.warnings.iter().map(|w| w.message.clone()).collect(),
            sources: trace.sources.clone(),
        }
    }

    /// `"frontend: GET /dispatch"`: the root's service and operation, as lists show a trace.
    pub fn root_label(&self) -> String {
        format!("{}: {}", self.root_service, self.root_operation)
    }

    /// "1041 spans" / "1 span".
    pub fn span_count_label(&self) -> String {
        if self.span_count == 1 {
            "1 span".to_string()
        } else {
            format!("{} spans", self.span_count)
        }
    }
}

/// A duration for people: `850 µs`, `12.3 ms`, `4.56 s`, `2m 05s`.
pub fn format_duration_ns(duration_ns: i64) -> String {
    let ns = duration_ns.max(0) as f64;
    if ns < 1_000.0 {
        format!("{} ns", duration_ns.max(0))
    } else if ns < 1_000_000.0 {
        format!("{} µs", trim_number(ns / 1_000.0))
    } else if ns < 1_000_000_000.0 {
        format!("{} ms", trim_number(ns / 1_000_000.0))
    } else if ns < 60_000_000_000.0 {
        format!("{} s", trim_number(ns / 1_000_000_000.0))
    } else {
        let total_s = (ns / 1_000_000_000.0).round() as i64;
        format!("{}m {:02}s", total_s / 60, total_s % 60)
    }
}

/// Three significant digits, without trailing zeros.
fn trim_number(value: f64) -> String {
    let text = if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    };
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// An absolute start time in UTC: `2018-11-19 22:27:32.979 UTC`.
pub fn format_start_ns(start_ns: i64) -> String {
    let total_ms = start_ns.div_euclid(1_000_000);
    let ms = total_ms.rem_euclid(1000);
    let total_s = total_ms.div_euclid(1000);
    let (days, second_of_day) = (total_s.div_euclid(86_400), total_s.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}.{ms:03} UTC",
        second_of_day / 3600,
        (second_of_day % 3600) / 60,
        second_of_day % 60
    )
}

/// Reads a date and time as a `datetime-local` input gives it (`2026-11-22T10:15` or
/// `2026-11-22T10:15:30.5`), taken as UTC, into µs since the epoch. None when it is not one.
pub fn parse_utc_datetime_us(text: &str) -> Option<i64> {
    let (date, time) = text.trim().split_once('T')?;
    let mut d = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (year, month, day) = (d.next()??, d.next()??, d.next()??);
    let mut t = time.splitn(3, ':').map(|p| p.parse::<f64>().ok());
    let (hour, minute) = (t.next()??, t.next()??);
    let second = t.next().flatten().unwrap_or(0.0);
    let valid = (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && (0.0..24.0).contains(&hour)
        && (0.0..60.0).contains(&minute)
        && (0.0..61.0).contains(&second);
    if !valid {
        return None;
    }
    let seconds = days_from_civil(year, month, day) * 86_400;
    Some(seconds * 1_000_000 + ((hour * 3600.0 + minute * 60.0 + second) * 1e6).round() as i64)
}

/// (year, month, day) to days since 1970-01-01 (H. Hinnant's algorithm; the inverse of
/// `civil_from_days`).
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Lists longer than this are virtualized: fixed-height rows, only those on screen in the page.
pub const VIRTUAL_LIST_FROM: usize = 200;

/// The rows `start..end` of a list of `total` fixed-height rows (`row_px` each) that a
/// viewport `viewport_px` tall scrolled to `scroll_px` shows, plus `buffer` rows either side.
/// Hostile numbers (negative, NaN, a zero row height) give an empty or clamped range, never a
/// panic. (10,000 traces as 10,001 table rows blocked the page for seconds.)
pub fn window_rows(
    total: usize,
    scroll_px: f64,
    viewport_px: f64,
    row_px: f64,
    buffer: usize,
) -> (usize, usize) {
    if total == 0 || row_px.is_nan() || row_px <= 0.0 {
        return (0, 0);
    }
    let scroll = if scroll_px.is_finite() {
        scroll_px.max(0.0)
    } else {
        0.0
    };
    let viewport = if viewport_px.is_finite() {
        viewport_px.max(0.0)
    } else {
        0.0
    };
    let first = ((scroll / row_px).floor() as usize).min(total);
    let shown = (viewport / row_px).ceil() as usize + 1;
    let start = first.saturating_sub(buffer);
    let end = first
        .saturating_add(shown)
        .saturating_add(buffer)
        .min(total);
    (start.min(end), end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_window_covers_the_screen_and_a_buffer() {
        assert_eq!(window_rows(10_000, 0.0, 440.0, 44.0, 5), (0, 16));
        assert_eq!(window_rows(10_000, 4_400.0, 440.0, 44.0, 5), (95, 116));
        assert_eq!(window_rows(10_000, 1e12, 440.0, 44.0, 5), (9_995, 10_000));
        assert_eq!(window_rows(3, 0.0, 10_000.0, 44.0, 5), (0, 3));
        assert_eq!(window_rows(0, 0.0, 440.0, 44.0, 5), (0, 0));
        assert_eq!(window_rows(10, f64::NAN, f64::INFINITY, 0.0, 5), (0, 0));
        assert_eq!(window_rows(10, -50.0, f64::NAN, 44.0, 5), (0, 6));
    }

    #[test]
    fn durations_read_naturally() {
        let cases = [
            (500, "500 ns"),
            (1_173_000, "1.17 ms"),
            (390_000_000, "390 ms"),
            (12_345_678, "12.3 ms"),
            (850_000, "850 µs"),
            (4_560_000_000, "4.56 s"),
            (125_000_000_000, "2m 05s"),
            (1_000_000, "1 ms"),
        ];
        for (ns, text) in cases {
            assert_eq!(format_duration_ns(ns), text, "{ns}");
        }
    }

    #[test]
    fn datetime_inputs_read_as_utc() {
        assert_eq!(
            parse_utc_datetime_us("2018-11-19T22:27:32.979"),
            Some(1_542_666_452_979_000)
        );
        assert_eq!(parse_utc_datetime_us("1970-01-01T00:00"), Some(0));
        assert_eq!(
            parse_utc_datetime_us("2024-02-29T12:00"),
            Some(1_709_208_000_000_000)
        );
        for bad in [
            "",
            "2024-02-29",
            "2024-13-01T00:00",
            "x-1-1T00:00",
            "2024-01-01T25:00",
        ] {
            assert_eq!(parse_utc_datetime_us(bad), None, "{bad}");
        }
        // The inverse of the formatter, for any day.
        for us in [0_i64, 951_782_400_000_000, 4_102_444_800_000_000] {
            let text = format_start_ns(us * 1000);
            let input = format!("{}T{}", &text[0..10], &text[11..23]);
            assert_eq!(parse_utc_datetime_us(&input), Some(us), "{input}");
        }
    }

    #[test]
    fn start_times_are_utc() {
        // 1542666452979000 µs is 2018-11-19T22:27:32.979Z.
        assert_eq!(
            format_start_ns(1_542_666_452_979_000_000),
            "2018-11-19 22:27:32.979 UTC"
        );
        assert_eq!(format_start_ns(0), "1970-01-01 00:00:00.000 UTC");
    }
}
