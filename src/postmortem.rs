//! Post-mortems: the model built from a post-mortem page.
//!
//! The summary fields come from front matter or, for pages written to the
//! handbook's plain template, from the Summary bullets
//! (`- **Date:** 2026-10-01`); a field given both ways must agree. The
//! Timeline (`Time (UTC) | Event`) and Action Items
//! (`Action | Owner | Deadline | Status`) tables are read by their header
//! names, in any column order. The runbooks used are the front matter
//! `runbooks:` links, or else the runbook pages the body links to.
//!
//! Reading happens at parse time ([`read_summary_fields`] fills the page's
//! `Meta`, [`build`] makes the model); the checks on action items live in
//! `check/postmortems.rs`.

use std::ops::Range;

use chrono::{NaiveDate, NaiveTime};

use crate::config::Config;
use crate::diag::{Code, Diagnostic, Span};
use crate::links::{LinkIndex, Target};
use crate::markdown::{Scan, Table};
use crate::model::{Field, Meta, Page, PageKind};
use crate::source::SourceFile;
use crate::yaml::Node;

/// The Summary bullets of the plain template, in template order.
pub const SUMMARY_KEYS: [&str; 6] = [
    "date",
    "duration",
    "severity",
    "impact",
    "detection",
    "resolution",
];

/// Statuses that close an action item (compared ignoring case).
pub const DONE_STATUSES: [&str; 3] = ["done", "closed", "complete"];

/// A post-mortem as the checks, pages and the status summary read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Postmortem {
    /// Index of its page in `Site::pages`.
    pub page: usize,
    pub date: Option<NaiveDate>,
    pub severity: Option<String>,
    pub duration: Option<String>,
    pub impact: Option<String>,
    pub detection: Option<String>,
    pub resolution: Option<String>,
    pub runbooks: Vec<RunbookUse>,
    pub timeline: Vec<TimelineEntry>,
    pub actions: Vec<ActionItem>,
}

/// One runbook a post-mortem says was used.
#[derive(Debug, Clone, PartialEq)]
pub struct RunbookUse {
    /// The link as written.
    pub written: String,
    pub span: Span,
    /// From front matter `runbooks:` (checked) or a link in the body.
    pub from_front_matter: bool,
    pub target: RunbookTarget,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunbookTarget {
    /// A runbook page, with the anchor the link names (if any).
    Runbook { page: usize, anchor: Option<String> },
    /// A page that is not a runbook.
    NotRunbook { page: usize },
    /// A URL outside `base_url`: not verified.
    External,
    /// Matches no page.
    Unknown,
}

impl RunbookUse {
    /// The runbook page, when the link reaches one.
    pub fn runbook(&self) -> Option<usize> {
        match self.target {
            RunbookTarget::Runbook { page, .. } => Some(page),
            _ => None,
        }
    }
}

/// A row of the Timeline table.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineEntry {
    pub time: String,
    pub event: String,
    /// Minutes since the first row with a readable time (a time earlier
    /// than the one before it is taken to be on the next day).
    pub offset_minutes: Option<i64>,
}

/// A deadline cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deadline {
    Missing,
    Date(NaiveDate),
    /// Written, but not a `YYYY-MM-DD` date.
    Invalid(String),
}

/// A row of the Action Items table.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionItem {
    pub text: String,
    pub owner: Option<String>,
    pub deadline: Deadline,
    /// As written; empty when the table has no Status column.
    pub status: String,
    /// The start of the row.
    pub row: Span,
    /// The owner cell (the row start when the table has no Owner column).
    pub owner_span: Span,
    /// The deadline cell (the row start when the table has no Deadline column).
    pub deadline_span: Span,
}

impl ActionItem {
    /// Done, Closed or Complete, in any case.
    pub fn is_done(&self) -> bool {
        is_done_status(&self.status)
    }

    /// Days past the deadline when the item is overdue: its deadline has
    /// passed (is before `today`) and it is not done.
    pub fn overdue_days(&self, today: NaiveDate) -> Option<i64> {
        match self.deadline {
            Deadline::Date(due) if due < today && !self.is_done() => Some((today - due).num_days()),
            _ => None,
        }
    }
}

pub fn is_done_status(status: &str) -> bool {
    let s = status.trim().trim_matches(|c: char| c == '*' || c == '_');
    DONE_STATUSES.iter().any(|d| s.eq_ignore_ascii_case(d))
}

/// A cell that says nothing: empty, a dash, `TBD`, `?` or `n/a`.
fn is_blank_cell(text: &str) -> bool {
    let t = text.trim();
    t.is_empty()
        || matches!(t, "-" | "—" | "–" | "?")
        || t.eq_ignore_ascii_case("tbd")
        || t.eq_ignore_ascii_case("n/a")
}

// ---------------------------------------------------------------------------
// Summary bullets
// ---------------------------------------------------------------------------

/// A `- **Name:** value` bullet of the Summary section.
#[derive(Debug, Clone, PartialEq)]
pub struct Bullet {
    pub key: &'static str,
    pub value: String,
    /// The value's place in the file.
    pub span: Span,
}

/// The index of the heading of a section, and the byte range of its body
/// (up to the next heading of the same or a higher level).
pub fn section(scan: &Scan, text_len: usize, name: &str) -> Option<(usize, Range<usize>)> {
    let i = scan.find_section(name, &[], |_| false)?;
    let heading = &scan.headings[i];
    let end = scan.headings[i + 1..]
        .iter()
        .find(|h| h.level <= heading.level)
        .map_or(text_len, |h| h.range.start);
    Some((i, heading.range.end.min(end)..end))
}

/// The bullets of the Summary section that name a summary field.
pub fn summary_bullets(file: &SourceFile, scan: &Scan) -> Vec<Bullet> {
    let Some((_, range)) = section(scan, file.text.len(), "Summary") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut offset = range.start;
    for line in file.text[range].split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let Some((key, value_range)) = parse_bullet(line) else {
            continue;
        };
        let value = &line[value_range.clone()];
        out.push(Bullet {
            key,
            value: value.to_string(),
            span: file.span(start + value_range.start..start + value_range.end),
        });
    }
    out
}

/// `- **Date:** 2026-10-01`, `- **Date**: ...`, `* Date: ...`: the field and
/// the byte range of its value within the line.
fn parse_bullet(line: &str) -> Option<(&'static str, Range<usize>)> {
    let trimmed = line.trim_start();
    let indent = line.len() - trimmed.len();
    let rest = trimmed
        .strip_prefix("- ")
        .or_else(|| trimmed.strip_prefix("* "))
        .or_else(|| trimmed.strip_prefix("+ "))?;
    let mut pos = indent + 2 + (rest.len() - rest.trim_start().len());
    let rest = rest.trim_start();
    let (name, after) = if let Some(bold) = rest.strip_prefix("**") {
        let close = bold.find("**")?;
        let after = &bold[close + 2..];
        pos += 2 + close + 2;
        match after.strip_prefix(':') {
            Some(a) => {
                pos += 1;
                (&bold[..close], a)
            }
            None => (&bold[..close], after),
        }
    } else {
        let (name, after) = rest.split_once(':')?;
        pos += name.len() + 1;
        (name, after)
    };
    let name = name
        .trim()
        .trim_end_matches(':')
        .trim()
        .to_ascii_lowercase();
    let key = SUMMARY_KEYS.iter().find(|k| **k == name)?;
    let lead = after.len() - after.trim_start().len();
    let value = after.trim();
    if value.is_empty() {
        return None;
    }
    let start = pos + lead;
    Some((key, start..start + value.len()))
}

/// Free-text fields agree when they say the same thing, ignoring case,
/// spacing, Markdown emphasis and code marks, quotes and a final full stop.
fn same_text(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.chars()
            .filter(|c| !matches!(c, '`' | '*' | '"'))
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .trim_end_matches('.')
            .to_lowercase()
    };
    norm(a) == norm(b)
}

fn conflict(key: &str, front: &str, bullet: &Bullet) -> Diagnostic {
    Diagnostic::new(
        Code::FieldConflict,
        bullet.span.clone(),
        format!(
            "`{key}` is `{front}` in the front matter but `{}` in this Summary bullet",
            bullet.value
        ),
    )
    .with_help("a field given both ways must agree: keep one")
}

/// Fill `meta.date` and `meta.severity` from the Summary bullets when the
/// front matter does not give them, and report bullets that disagree with
/// the front matter. Called while parsing a post-mortem page.
pub fn read_summary_fields(
    file: &SourceFile,
    scan: &Scan,
    front: Option<&Node>,
    config: &Config,
    meta: &mut Meta,
    diags: &mut Vec<Diagnostic>,
) {
    for bullet in summary_bullets(file, scan) {
        match bullet.key {
            "date" => {
                let Ok(date) = NaiveDate::parse_from_str(&bullet.value, "%Y-%m-%d") else {
                    diags.push(
                        Diagnostic::new(
                            Code::DateInvalid,
                            bullet.span.clone(),
                            format!("`Date` is not a date: `{}`", bullet.value),
                        )
                        .with_help("write dates as YYYY-MM-DD, e.g. 2026-10-01"),
                    );
                    continue;
                };
                match &meta.date {
                    Some(f) if f.value != date => {
                        diags.push(conflict("date", &f.value.to_string(), &bullet))
                    }
                    Some(_) => {}
                    None => {
                        meta.date = Some(Field {
                            value: date,
                            span: bullet.span,
                        })
                    }
                }
            }
            "severity" => match &meta.severity {
                Some(f) if !f.value.eq_ignore_ascii_case(&bullet.value) => {
                    diags.push(conflict("severity", &f.value, &bullet))
                }
                Some(_) => {}
                None => {
                    let field = Field {
                        value: bullet.value.clone(),
                        span: bullet.span.clone(),
                    };
                    crate::config::check_severity(&field, config, diags);
                    meta.severity = Some(field);
                }
            },
            key => {
                if let Some(front_value) = front.and_then(|f| f.get(key)).and_then(Node::as_text)
                    && !same_text(&front_value, &bullet.value)
                {
                    diags.push(conflict(key, &front_value, &bullet));
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------

/// Build the model of every post-mortem page. Problems with the tables'
/// shape are diagnostics here; the checks on each action item and runbook
/// link are in `check/postmortems.rs`.
pub fn build(
    sources: &[SourceFile],
    pages: &[Page],
    links: &LinkIndex,
) -> (Vec<Postmortem>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut diags = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        if page.kind == PageKind::Postmortem {
            out.push(read(
                i,
                page,
                &sources[page.source],
                pages,
                links,
                &mut diags,
            ));
        }
    }
    (out, diags)
}

fn read(
    index: usize,
    page: &Page,
    file: &SourceFile,
    pages: &[Page],
    links: &LinkIndex,
    diags: &mut Vec<Diagnostic>,
) -> Postmortem {
    let bullets = summary_bullets(file, &page.scan);
    let text_of = |key: &str| -> Option<String> {
        page.front
            .as_ref()
            .and_then(|f| f.get(key))
            .and_then(Node::as_text)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .or_else(|| {
                bullets
                    .iter()
                    .find(|b| b.key == key)
                    .map(|b| b.value.clone())
            })
    };
    let mut pm = Postmortem {
        page: index,
        date: page.meta.date.as_ref().map(|f| f.value),
        severity: page.meta.severity.as_ref().map(|f| f.value.clone()),
        duration: text_of("duration"),
        impact: text_of("impact"),
        detection: text_of("detection"),
        resolution: text_of("resolution"),
        runbooks: runbooks_used(page, file, pages, links, diags),
        timeline: Vec::new(),
        actions: Vec::new(),
    };
    pm.timeline = read_timeline(page, file, diags);
    pm.actions = read_actions(page, file, diags);
    pm
}

fn runbooks_used(
    page: &Page,
    file: &SourceFile,
    pages: &[Page],
    links: &LinkIndex,
    diags: &mut Vec<Diagnostic>,
) -> Vec<RunbookUse> {
    let resolve = |dest: &str| match links.resolve(&file.content_path, dest) {
        Ok(Target::Page { page, anchor }) if pages[page].kind == PageKind::Runbook => {
            RunbookTarget::Runbook { page, anchor }
        }
        Ok(Target::Page { page, .. }) => RunbookTarget::NotRunbook { page },
        Ok(Target::External) => RunbookTarget::External,
        Ok(_) | Err(_) => RunbookTarget::Unknown,
    };
    if let Some(node) = page.front.as_ref().and_then(|f| f.get("runbooks")) {
        let items: Vec<&Node> = match node.as_seq() {
            Some(items) => items.iter().collect(),
            None if node.is_null() => Vec::new(),
            None => vec![node],
        };
        let mut out = Vec::new();
        for item in items {
            let span = file
                .span_at(item.pos.line, item.pos.column)
                .with_len(item.as_text().map_or(1, |t| t.chars().count()));
            match item.as_str() {
                Some(dest) => out.push(RunbookUse {
                    written: dest.to_string(),
                    span,
                    from_front_matter: true,
                    target: resolve(dest),
                }),
                None => diags.push(Diagnostic::new(
                    Code::FieldInvalid,
                    span,
                    format!(
                        "`runbooks` must list links to runbooks, found {}",
                        item.type_name()
                    ),
                )),
            }
        }
        return out;
    }
    // No front matter list: the runbooks the body links to, once each.
    let mut out: Vec<RunbookUse> = Vec::new();
    for link in &page.scan.links {
        let target = resolve(&link.dest);
        let RunbookTarget::Runbook {
            page: target_page, ..
        } = target
        else {
            continue;
        };
        if out.iter().any(|u| u.runbook() == Some(target_page)) {
            continue;
        }
        out.push(RunbookUse {
            written: link.dest.clone(),
            span: file.span(link.range.clone()),
            from_front_matter: false,
            target,
        });
    }
    out
}

/// The tables of a section (including its sub-sections).
fn section_tables<'a>(page: &'a Page, file: &SourceFile, name: &str) -> Option<Vec<&'a Table>> {
    let (heading, range) = section(&page.scan, file.text.len(), name)?;
    Some(
        page.scan
            .tables
            .iter()
            .filter(|t| {
                t.under_heading.is_some_and(|h| {
                    h >= heading
                        && page
                            .scan
                            .headings
                            .get(h)
                            .is_some_and(|hd| hd.range.start < range.end)
                })
            })
            .collect(),
    )
}

/// The column whose header names one of `names`: equal, or followed by a
/// space or a parenthesis (`Time (UTC)`), ignoring case.
fn column(header: &[String], names: &[&str]) -> Option<usize> {
    header.iter().position(|h| {
        let h = h.trim().trim_end_matches(':').to_lowercase();
        names.iter().any(|n| {
            h == *n
                || h.strip_prefix(n)
                    .is_some_and(|rest| rest.starts_with(' ') || rest.starts_with('('))
        })
    })
}

/// The place of a table's header line: two lines above its first row (the
/// delimiter row is between), or the first line with a `|` in its section.
fn header_span(page: &Page, file: &SourceFile, table: &Table) -> Span {
    let line = match (table.rows.first(), table.under_heading) {
        (Some((row, _)), _) => file.line_col(*row).0.saturating_sub(2).max(1),
        (None, Some(h)) => {
            let from = page.scan.headings[h].range.end;
            let at = file.text[from..].find('|').map_or(from, |i| from + i);
            file.line_col(at).0
        }
        (None, None) => 1,
    };
    file.span_at(line, 1)
}

fn table_invalid(span: Span, section: &str, missing: &str, expected: &str) -> Diagnostic {
    Diagnostic::new(
        Code::PostmortemTableInvalid,
        span,
        format!("the {section} table has no `{missing}` column"),
    )
    .with_help(format!(
        "the {section} table's header is `{expected}` (columns in any order)"
    ))
}

fn table_missing(
    page: &Page,
    file: &SourceFile,
    section_name: &str,
    expected: &str,
) -> Option<Diagnostic> {
    let (h, _) = section(&page.scan, file.text.len(), section_name)?;
    let heading = &page.scan.headings[h];
    heading.has_content.then(|| {
        Diagnostic::new(
            Code::PostmortemTableMissing,
            file.span(heading.range.clone()),
            format!("the {section_name} section has no table, so opswiki cannot read it"),
        )
        .with_help(format!("write it as a table `{expected}`"))
    })
}

const TIMELINE_HEADER: &str = "| Time (UTC) | Event |";
const ACTIONS_HEADER: &str = "| Action | Owner | Deadline | Status |";

fn read_timeline(
    page: &Page,
    file: &SourceFile,
    diags: &mut Vec<Diagnostic>,
) -> Vec<TimelineEntry> {
    let Some(tables) = section_tables(page, file, "Timeline") else {
        return Vec::new();
    };
    if tables.is_empty() {
        diags.extend(table_missing(page, file, "Timeline", TIMELINE_HEADER));
        return Vec::new();
    }
    let mut out = Vec::new();
    for table in tables {
        let time = column(&table.header, &["time", "when"]);
        let event = column(
            &table.header,
            &["event", "what happened", "description", "what"],
        );
        let (Some(time), Some(event)) = (time, event) else {
            let missing = if time.is_none() {
                "Time (UTC)"
            } else {
                "Event"
            };
            diags.push(table_invalid(
                header_span(page, file, table),
                "Timeline",
                missing,
                TIMELINE_HEADER,
            ));
            continue;
        };
        for (_, cells) in &table.rows {
            let cell = |i: usize| {
                cells
                    .get(i)
                    .map(|s| s.trim().to_string())
                    .unwrap_or_default()
            };
            out.push(TimelineEntry {
                time: cell(time),
                event: cell(event),
                offset_minutes: None,
            });
        }
    }
    // Minutes since the first readable time, rolling over midnight.
    let mut first: Option<i64> = None;
    let mut last = 0;
    let mut day = 0;
    for entry in &mut out {
        let Some(minutes) = clock_minutes(&entry.time) else {
            continue;
        };
        if first.is_some() && minutes < last {
            day += 1;
        }
        last = minutes;
        let absolute = minutes + day * 24 * 60;
        let base = *first.get_or_insert(absolute);
        entry.offset_minutes = Some(absolute - base);
    }
    out
}

/// Minutes since midnight of a time cell: `14:21`, `14:21:05`, `2026-10-21 14:21`.
pub fn clock_minutes(cell: &str) -> Option<i64> {
    let token = cell
        .split(|c: char| c.is_whitespace() || c == 'T')
        .rfind(|t| t.contains(':'))?;
    let token = token.trim_end_matches(|c: char| !c.is_ascii_digit());
    let time = NaiveTime::parse_from_str(token, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(token, "%H:%M:%S"))
        .ok()?;
    use chrono::Timelike;
    Some(i64::from(time.hour() * 60 + time.minute()))
}

fn read_actions(page: &Page, file: &SourceFile, diags: &mut Vec<Diagnostic>) -> Vec<ActionItem> {
    let Some(tables) = section_tables(page, file, "Action Items") else {
        return Vec::new();
    };
    if tables.is_empty() {
        diags.extend(table_missing(page, file, "Action Items", ACTIONS_HEADER));
        return Vec::new();
    }
    let mut out = Vec::new();
    for table in tables {
        let Some(action) = column(&table.header, &["action", "action item", "item", "task"]) else {
            diags.push(table_invalid(
                header_span(page, file, table),
                "Action Items",
                "Action",
                ACTIONS_HEADER,
            ));
            continue;
        };
        let owner = column(&table.header, &["owner", "assignee", "who"]);
        let deadline = column(&table.header, &["deadline", "due", "due date", "by"]);
        let status = column(&table.header, &["status", "state"]);
        for (offset, cells) in &table.rows {
            let cell = |i: Option<usize>| {
                i.and_then(|i| cells.get(i))
                    .map(|s| s.trim().to_string())
                    .unwrap_or_default()
            };
            let text = cell(Some(action));
            if is_blank_cell(&text) && cells.iter().all(|c| is_blank_cell(c)) {
                continue;
            }
            let row = file.span(*offset..*offset);
            let ranges = cell_ranges(file, *offset);
            let cell_span = |i: Option<usize>| {
                i.and_then(|i| ranges.get(i))
                    .map(|r| file.span(r.clone()))
                    .unwrap_or_else(|| row.clone())
            };
            let owner_text = cell(owner);
            let deadline_text = cell(deadline);
            out.push(ActionItem {
                text,
                owner: (!is_blank_cell(&owner_text)).then_some(owner_text),
                deadline: if is_blank_cell(&deadline_text) {
                    Deadline::Missing
                } else {
                    match NaiveDate::parse_from_str(&deadline_text, "%Y-%m-%d") {
                        Ok(d) => Deadline::Date(d),
                        Err(_) => Deadline::Invalid(deadline_text),
                    }
                },
                status: cell(status),
                owner_span: cell_span(owner),
                deadline_span: cell_span(deadline),
                row,
            });
        }
    }
    out
}

/// Byte ranges (in the file) of the trimmed cells of the table row starting
/// at `offset`. Cells split at `|` not escaped by `\`, as GFM does.
fn cell_ranges(file: &SourceFile, offset: usize) -> Vec<Range<usize>> {
    let end = file.text[offset..]
        .find('\n')
        .map_or(file.text.len(), |i| offset + i);
    let line = &file.text[offset..end];
    let mut bounds = Vec::new();
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            '\\' if !escaped => {
                escaped = true;
                continue;
            }
            '|' if !escaped => bounds.push(i),
            _ => {}
        }
        escaped = false;
    }
    let mut cells = Vec::new();
    let mut start = 0;
    for &b in &bounds {
        cells.push(start..b);
        start = b + 1;
    }
    cells.push(start..line.len());
    // A leading `|` leaves an empty first piece, a trailing one an empty last.
    if line.trim_start().starts_with('|') {
        cells.remove(0);
    }
    if line.trim_end().ends_with('|') && !cells.is_empty() {
        cells.pop();
    }
    cells
        .into_iter()
        .map(|r| {
            let s = &line[r.clone()];
            // An empty cell is its first character, just after the `|`.
            let lead = if s.trim().is_empty() {
                0
            } else {
                s.len() - s.trim_start().len()
            };
            let len = s.trim().len();
            offset + r.start + lead..offset + r.start + lead + len
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bullets_in_both_shapes() {
        let p = |l: &str| parse_bullet(l).map(|(k, r)| (k, l[r].to_string()));
        assert_eq!(
            p("- **Date:** 2026-10-01\n"),
            Some(("date", "2026-10-01".into()))
        );
        assert_eq!(p("- **Severity**: P2"), Some(("severity", "P2".into())));
        assert_eq!(
            p("* Duration: 1 hours 25 minutes"),
            Some(("duration", "1 hours 25 minutes".into()))
        );
        assert_eq!(p("- **Owner:** x"), None);
        assert_eq!(p("- **Date:**   "), None);
        assert_eq!(p("Date: 2026-10-01"), None);
    }

    #[test]
    fn done_statuses_and_blank_cells() {
        for s in ["Done", "CLOSED", "complete", " done "] {
            assert!(is_done_status(s), "{s}");
        }
        for s in ["Open", "In progress", "", "Completed soon"] {
            assert!(!is_done_status(s), "{s}");
        }
        assert!(is_blank_cell(" — ") && is_blank_cell("TBD") && !is_blank_cell("@a"));
    }

    #[test]
    fn columns_by_name() {
        let h = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let header = h(&["Status", "Deadline", "Time (UTC)", "Owner"]);
        assert_eq!(column(&header, &["time"]), Some(2));
        assert_eq!(column(&header, &["deadline", "due"]), Some(1));
        assert_eq!(column(&header, &["action"]), None);
        assert_eq!(column(&h(&["Timestamp"]), &["time"]), None);
    }

    #[test]
    fn clock_times() {
        assert_eq!(clock_minutes("14:21"), Some(14 * 60 + 21));
        assert_eq!(clock_minutes("2026-10-21 09:05:30"), Some(9 * 60 + 5));
        assert_eq!(clock_minutes("HH:MM"), None);
    }

    #[test]
    fn cells_of_a_row() {
        let text = "x\n| Fix \\| it | @me | 2026-10-01 |\n";
        let file = SourceFile::new("a".into(), "a".into(), text.into());
        let cells: Vec<&str> = cell_ranges(&file, 2)
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(cells, vec!["Fix \\| it", "@me", "2026-10-01"]);
    }
}
