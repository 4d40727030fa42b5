//! Required fields and sections per kind, and stale runbooks.

use chrono::NaiveDate;

use crate::check::CheckOptions;
use crate::diag::{Code, Diagnostic, Span};
use crate::model::{Page, PageKind};
use crate::site::{Site, heading_field};

pub fn check_page(site: &Site, page: &Page, options: &CheckOptions, out: &mut Vec<Diagnostic>) {
    let Some(rules) = site.config.rules(page.kind) else {
        return;
    };
    // One mistake, one diagnostic: with front matter that cannot be read,
    // every field would be "missing" (and, when it never closes, every
    // section), burying the one error that matters.
    if page.front_matter_broken {
        return;
    }
    let file = site.source(page);
    let top = Span::new(file.display_path.clone(), 1, 1);
    let kind = page.kind.name();
    let index = site.index_of(page);

    for field in &rules.required_fields {
        // A field written but invalid (a bad date, a list for a name) is
        // reported where it is wrong, not again as missing.
        let present = written(page, field)
            || match field.as_str() {
                // The title falls back to the first `#` heading.
                "title" => {
                    page.meta.title.is_some() || page.scan.headings.iter().any(|h| h.level == 1)
                }
                "severity" => page.meta.severity.is_some(),
                // Both may come from the repository (CODEOWNERS, git).
                "owner" => index.and_then(|i| site.owner(i)).is_some(),
                "last_updated" => index.and_then(|i| site.updated(i)).is_some(),
                "date" => page.meta.date.is_some(),
                _ => false,
            };
        if !present {
            let help = match (page.kind, field.as_str()) {
                (PageKind::Runbook, "severity" | "owner" | "last_updated") => format!(
                    "add `{field}:` to the front matter, or a heading such as `## {}: ...`",
                    match field.as_str() {
                        "severity" => "Severity",
                        "owner" => "Owner",
                        _ => "Last Updated",
                    }
                ),
                _ => format!("add `{field}:` to the front matter"),
            };
            out.push(
                Diagnostic::new(
                    page.kind.code_field_missing(),
                    top.clone(),
                    format!("{kind} has no `{field}`"),
                )
                .with_help(help),
            );
        }
    }

    for section in &rules.required_sections {
        let aliases = rules
            .section_aliases
            .get(section)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let found = page
            .scan
            .find_section(section, aliases, |h| heading_field(&h.text).is_some())
            .map(|i| &page.scan.headings[i]);
        match found {
            None => out.push(
                Diagnostic::new(
                    page.kind.code_section_missing(),
                    top.clone(),
                    format!("{kind} has no `{section}` section"),
                )
                .with_help(match heading_line_in_code(&file.text[page.body_offset..], section) {
                    // The heading is there but reads as code: a fence left
                    // open above it swallowed the rest of the page.
                    Some(offset) => {
                        let (line, _) = file.line_col(page.body_offset + offset);
                        format!(
                            "line {line} holds a `{section}` heading inside a code block: is a ``` fence above it left open?"
                        )
                    }
                    None => format!("add a heading `## {section}` with its content"),
                }),
            ),
            Some(h) if !h.has_content => out.push(
                Diagnostic::new(
                    page.kind.code_section_empty(),
                    file.span(h.range.clone()),
                    format!("section `{section}` is empty"),
                )
                .with_help("write what the on-call engineer needs here, or `None` if it truly does not apply"),
            ),
            Some(_) => {}
        }
    }

    // Stale counts from the later of `last_updated` and the last commit.
    if page.kind == PageKind::Runbook
        && let Some(updated) = index.and_then(|i| site.updated(i))
        && let Some(days) = stale_days(updated.date, options.today, site.config.stale_after_days)
    {
        let (span, since) = match (&page.meta.last_updated, updated.from) {
            (Some(written), "page") => (written.span.clone(), "last updated".to_string()),
            _ => {
                let change = index.and_then(|i| site.change(i));
                let by = change
                    .map(|c| format!(" ({} by {})", c.short_hash(), c.author))
                    .unwrap_or_default();
                (top.clone(), format!("last changed in git{by}"))
            }
        };
        out.push(
            Diagnostic::new(
                Code::RunbookStale,
                span,
                format!(
                    "runbook {since} {} days ago (stale after {} days)",
                    days, site.config.stale_after_days
                ),
            )
            .with_help("review the runbook, then update `last_updated`"),
        );
    }
}

/// Whether a field is written, in front matter or (for runbooks) as a
/// template heading, with a non-blank value.
fn written(page: &Page, key: &str) -> bool {
    let in_front = page
        .front
        .as_ref()
        .and_then(|f| f.get(key))
        .is_some_and(|n| match n.as_text() {
            Some(text) => !text.trim().is_empty(),
            None => !n.is_null(),
        });
    let in_heading = page.kind == PageKind::Runbook
        && page
            .scan
            .headings
            .iter()
            .any(|h| heading_field(&h.text).is_some_and(|(k, v)| k == key && !v.is_empty()));
    in_front || in_heading
}

/// The runbook's age in days if it is stale.
pub fn stale_days(updated: NaiveDate, today: NaiveDate, stale_after: i64) -> Option<i64> {
    let age = (today - updated).num_days();
    (age > stale_after).then_some(age)
}

/// The offset of a line that would be the heading of `section` were it not
/// inside a code block (the scan found no such heading, so any such line is
/// code).
fn heading_line_in_code(body: &str, section: &str) -> Option<usize> {
    let wanted = crate::markdown::normalize_section(section);
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        let text = line.trim_start();
        let hashes = text.chars().take_while(|&c| c == '#').count();
        if (1..=6).contains(&hashes)
            && crate::markdown::normalize_section(
                text[hashes..].trim_end_matches(['\n', '\r', ' ', '#']),
            ) == wanted
        {
            return Some(offset);
        }
        offset += line.len();
    }
    None
}
