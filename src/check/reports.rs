//! Weekly ops reports: each has a `week_of`, and no two share one. (Values
//! out of range and malformed blocks are reported while reading them, in
//! `report.rs`.)

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::diag::{Code, Diagnostic, Span};
use crate::site::Site;

pub fn check_reports(site: &Site, out: &mut Vec<Diagnostic>) {
    let mut by_week: BTreeMap<NaiveDate, Vec<(&str, Span)>> = BTreeMap::new();
    for report in &site.reports {
        let page = &site.pages[report.page];
        let file = site.source(page);
        match &report.week_of {
            Some(week) => by_week
                .entry(week.value)
                .or_default()
                .push((file.display_path.as_str(), week.span.clone())),
            None => {
                // An unreadable `week_of` is already a `date-invalid` error.
                let written = page.front.as_ref().and_then(|f| f.get("week_of"));
                if written.is_none_or(|n| n.is_null()) {
                    out.push(
                        Diagnostic::new(
                            Code::ReportWeekMissing,
                            Span::new(file.display_path.clone(), 1, 1),
                            "weekly report has no `week_of`",
                        )
                        .with_help(
                            "add `week_of: YYYY-MM-DD` (the week's first day) to the front matter",
                        ),
                    );
                }
            }
        }
    }
    for (week, mut files) in by_week {
        if files.len() < 2 {
            continue;
        }
        files.sort_by(|a, b| a.0.cmp(b.0));
        let (first, _) = files[0];
        for (file, span) in &files[1..] {
            out.push(
                Diagnostic::new(
                    Code::ReportWeekDuplicate,
                    span.clone(),
                    format!("`{file}` and `{first}` are both the report for the week of {week}"),
                )
                .with_help("one report per week: merge them, or fix the `week_of` of one"),
            );
        }
    }
}
