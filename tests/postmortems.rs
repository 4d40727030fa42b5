//! Post-mortems: the Summary-bullet fallback, tables read by header name,
//! the action item checks (each located at its row), runbooks used, and the
//! pages built from them.

mod common;
mod opsdata;

use common::*;
use opsdata::{plain_postmortem, runbook};

const PM: &str = "content/postmortems/2026-10-01-checkout.md";
const PM_FILE: &str = "content/postmortems/2026-10-01-checkout.md";

/// A site with one runbook and one post-mortem.
fn site_with(pm: &str) -> Site {
    let site = Site::new();
    site.file(
        "content/runbooks/checkout-errors.md",
        &runbook("Checkout Errors"),
    );
    site.file(PM, pm);
    site
}

const DONE_ROW: &str = "| Add a canary check | @ana | 2026-10-10 | Done |";

#[test]
fn plain_template_without_front_matter_is_clean() {
    let text = plain_postmortem("Checkout errors", "2026-10-01", "P2", &[DONE_ROW]);
    let site = site_with(&text);
    assert_clean(&check_json(&site, TODAY));
}

#[test]
fn summary_bullets_give_date_and_severity() {
    // Without the bullets, date and severity are missing.
    let text = plain_postmortem("Checkout errors", "2026-10-01", "P2", &[DONE_ROW])
        .replace("- **Date:** 2026-10-01\n", "")
        .replace("- **Severity:** P2\n", "");
    let diags = check_json(&site_with(&text), TODAY);
    assert_count(&diags, "postmortem-field-missing", 2);
    // `**Name**:` is read as well as `**Name:**`.
    let text = plain_postmortem("Checkout errors", "2026-10-01", "P2", &[DONE_ROW])
        .replace("- **Date:** 2026-10-01", "- **Date**: 2026-10-01");
    assert_clean(&check_json(&site_with(&text), TODAY));
}

#[test]
fn a_field_given_both_ways_must_agree() {
    let body = plain_postmortem("Checkout errors", "2026-10-02", "p1", &[DONE_ROW]);
    let text = format!(
        "---\ndate: 2026-10-01\nseverity: P1\nimpact: \"Checkout failed for 3% of users.\"\ndetection: Canary\n---\n{body}"
    );
    let diags = check_json(&site_with(&text), TODAY);
    // The date differs; severity agrees ignoring case; impact agrees
    // ignoring the full stop; detection differs.
    let (line, col) = pos(&text, "2026-10-02");
    let d = assert_diag_level(&diags, "error", "field-conflict", PM_FILE, line, col);
    assert!(d["message"].as_str().unwrap().contains("2026-10-01"), "{d}");
    let (line, col) = pos(&text, "Alarm api-5xx");
    assert_diag(&diags, "field-conflict", PM_FILE, line, col);
    assert_count(&diags, "field-conflict", 2);
}

#[test]
fn template_placeholders_are_errors() {
    let text = plain_postmortem("Checkout errors", "YYYY-MM-DD", "P1 | P2 | P3", &[DONE_ROW]);
    let diags = check_json(&site_with(&text), TODAY);
    let (line, col) = pos(&text, "YYYY-MM-DD");
    assert_diag(&diags, "date-invalid", PM_FILE, line, col);
    let (line, col) = pos(&text, "P1 | P2 | P3");
    assert_diag(&diags, "severity-placeholder", PM_FILE, line, col);
}

#[test]
fn action_owner_missing_is_a_warning_at_the_owner_cell() {
    let row = "| Write the runbook |  | 2026-12-10 | Open |";
    let text = plain_postmortem("Checkout errors", "2026-10-01", "P2", &[DONE_ROW, row]);
    let diags = check_json(&site_with(&text), TODAY);
    let line = line_of(&text, row);
    // An empty cell has no text: the diagnostic points at the cell's place.
    let d = assert_diag_level(&diags, "warning", "action-owner-missing", PM_FILE, line, 22);
    assert!(d["message"].as_str().unwrap().contains("Write the runbook"));
    // `TBD` is no owner either.
    let row = "| Write the runbook | TBD | 2026-12-10 | Open |";
    let text = plain_postmortem("Checkout errors", "2026-10-01", "P2", &[row]);
    let diags = check_json(&site_with(&text), TODAY);
    let (line, col) = pos(&text, "TBD");
    assert_diag_level(
        &diags,
        "warning",
        "action-owner-missing",
        PM_FILE,
        line,
        col,
    );
    assert_count(&diags, "action-owner-missing", 1);
}

#[test]
fn action_deadline_missing_is_a_warning_at_the_deadline_cell() {
    let row = "| Write the runbook | @ana | — | Open |";
    let text = plain_postmortem("Checkout errors", "2026-10-01", "P2", &[row]);
    let diags = check_json(&site_with(&text), TODAY);
    let (line, col) = pos(&text, "—");
    assert_diag_level(
        &diags,
        "warning",
        "action-deadline-missing",
        PM_FILE,
        line,
        col,
    );
    assert_exactly(
        &diags,
        &[("warning", "action-deadline-missing", PM_FILE, line, col)],
    );
}

#[test]
fn action_date_invalid_is_an_error_at_the_deadline_cell() {
    let row = "| Write the runbook | @ana | next Friday | Open |";
    let text = plain_postmortem("Checkout errors", "2026-10-01", "P2", &[DONE_ROW, row]);
    let diags = check_json(&site_with(&text), TODAY);
    let (line, col) = pos(&text, "next Friday");
    assert_exactly(
        &diags,
        &[("error", "action-date-invalid", PM_FILE, line, col)],
    );
}

#[test]
fn action_overdue_counts_from_today_and_ignores_done_items() {
    let rows = [
        "| Overdue open | @a | 2026-11-01 | Open |",
        "| Overdue in progress | @b | 2026-11-20 | In progress |",
        "| Done in capitals | @c | 2026-10-01 | DONE |",
        "| Closed | @d | 2026-10-01 | closed |",
        "| Complete | @e | 2026-10-01 | Complete |",
        "| Due today | @f | 2026-11-26 | Open |",
        "| Due later | @g | 2026-12-01 | Open |",
    ];
    let text = plain_postmortem("Checkout errors", "2026-10-01", "P2", &rows);
    let diags = check_json(&site_with(&text), "2026-11-26");
    let (l1, c1) = pos(&text, "2026-11-01");
    let (l2, c2) = pos(&text, "2026-11-20");
    assert_exactly(
        &diags,
        &[
            ("warning", "action-overdue", PM_FILE, l1, c1),
            ("warning", "action-overdue", PM_FILE, l2, c2),
        ],
    );
    let d = assert_diag(&diags, "action-overdue", PM_FILE, l1, c1);
    let message = d["message"].as_str().unwrap();
    assert!(message.contains("25 days ago"), "{message}");
    assert!(message.contains("@a"), "{message}");
    // A day later, the item due today is overdue too.
    assert_count(
        &check_json(&site_with(&text), "2026-11-27"),
        "action-overdue",
        3,
    );
    // And before every deadline, nothing is.
    assert_clean(&check_json(&site_with(&text), "2026-10-01"));
}

#[test]
fn tables_are_read_by_header_name_in_any_order() {
    let text = plain_postmortem("Checkout errors", "2026-10-01", "P2", &[])
        .replace(
            "| Action | Owner | Deadline | Status |\n|--------|-------|----------|--------|\n",
            "| Status | Due | Owner | Action item |\n|---|---|---|---|\n| Open | 2026-11-02 | @zoe | Add the alarm |\n| Done | 2026-11-01 | | Fix it |\n",
        )
        .replace(
            "| Time (UTC) | Event |\n|------------|-------|\n",
            "| Event | Time (UTC) |\n|---|---|\n",
        )
        .replace("| 14:02 | Deploy |", "| Deploy | 14:02 |")
        .replace("| 14:10 | Alarm fires |", "| Alarm fires | 14:10 |")
        .replace("| 15:27 | Resolved |", "| Resolved | 15:27 |");
    let site = site_with(&text);
    let diags = check_json(&site, TODAY);
    let (line, col) = pos(&text, "2026-11-02");
    let owner_line = line_of(&text, "| Done | 2026-11-01 | | Fix it |");
    assert_exactly(
        &diags,
        &[
            ("warning", "action-overdue", PM_FILE, line, col),
            ("warning", "action-owner-missing", PM_FILE, owner_line, 22),
        ],
    );
    // The timeline was read from its columns: offsets from the first row.
    site.build_ok();
    let html = site.output("postmortems/2026-10-01-checkout/index.html");
    assert!(
        html.contains("14:10 <span class=\"muted small\">+0:08</span>"),
        "{html}"
    );
    assert!(html.contains("Timeline · 1 h 25 min"), "{html}");
}

#[test]
fn a_table_without_its_key_column_is_invalid() {
    let text = plain_postmortem("Checkout errors", "2026-10-01", "P2", &[DONE_ROW])
        .replace("| Time (UTC) | Event |", "| Time (UTC) | Notes |");
    let diags = check_json(&site_with(&text), TODAY);
    let line = line_of(&text, "| Time (UTC) | Notes |");
    let d = assert_diag_level(
        &diags,
        "error",
        "postmortem-table-invalid",
        PM_FILE,
        line,
        1,
    );
    assert!(d["message"].as_str().unwrap().contains("Event"), "{d}");
    // An Action Items table with no action column.
    let text = plain_postmortem("Checkout errors", "2026-10-01", "P2", &[DONE_ROW])
        .replace("| Action | Owner |", "| Thing | Owner |");
    let diags = check_json(&site_with(&text), TODAY);
    let line = line_of(&text, "| Thing | Owner | Deadline | Status |");
    assert_diag(&diags, "postmortem-table-invalid", PM_FILE, line, 1);
}

#[test]
fn action_items_written_as_a_list_are_a_warning() {
    let text = plain_postmortem("Checkout errors", "2026-10-01", "P2", &[]).replace(
        "| Action | Owner | Deadline | Status |\n|--------|-------|----------|--------|\n",
        "- [ ] Add the alarm (@zoe)\n",
    );
    let diags = check_json(&site_with(&text), TODAY);
    let (line, col) = pos(&text, "## Action Items");
    assert_exactly(
        &diags,
        &[("warning", "postmortem-table-missing", PM_FILE, line, col)],
    );
}

#[test]
fn runbooks_must_resolve_to_runbooks() {
    let body = plain_postmortem("Checkout errors", "2026-10-01", "P2", &[DONE_ROW]);
    let text = format!(
        "---\nrunbooks:\n  - runbooks/checkout-errors\n  - runbooks/no-such-runbook\n  - ../index.md\n  - runbooks/checkout-errors#no-such-step\n  - https://elsewhere.example.org/rb\n---\n{body}"
    );
    let site = site_with(&text);
    site.file("content/index.md", "# Home\n");
    let diags = check_json(&site, TODAY);
    let (l1, c1) = pos(&text, "runbooks/no-such-runbook");
    let (l2, c2) = pos(&text, "../index.md");
    let (l3, c3) = pos(&text, "runbooks/checkout-errors#no-such-step");
    assert_exactly(
        &diags,
        &[
            ("error", "postmortem-runbook-unknown", PM_FILE, l1, c1),
            ("error", "postmortem-runbook-unknown", PM_FILE, l2, c2),
            ("error", "link-anchor-missing", PM_FILE, l3, c3),
        ],
    );
    let d = assert_diag(&diags, "postmortem-runbook-unknown", PM_FILE, l2, c2);
    assert!(
        d["message"].as_str().unwrap().contains("not a runbook"),
        "{d}"
    );
}

#[test]
fn the_page_shows_the_card_runbooks_and_timeline() {
    let body = plain_postmortem(
        "Checkout errors",
        "2026-10-01",
        "P2",
        &[DONE_ROW, "| Add the alarm | @zoe | 2026-11-01 | Open |"],
    );
    let text = format!("---\nrunbooks: [runbooks/checkout-errors]\n---\n{body}");
    let site = site_with(&text);
    site.build_ok();
    let html = site.output("postmortems/2026-10-01-checkout/index.html");
    for needle in [
        "<dt>Date</dt><dd><time datetime=\"2026-10-01\">2026-10-01</time></dd>",
        "<dt>Duration</dt><dd>1 hours 25 minutes</dd>",
        "<dt>Severity</dt><dd>P2</dd>",
        "<dt>Impact</dt><dd>Checkout failed for 3% of users</dd>",
        "<dt>Detection</dt><dd>Alarm api-5xx</dd>",
        "<dt>Resolution</dt><dd>Rolled back</dd>",
        "Runbooks used",
        "href=\"../../runbooks/checkout-errors/index.html\">Checkout Errors</a>",
        "2 action items</a>:\n    1 done, 1 open, <span class=\"badge-bad\">1 overdue</span>",
        "<span class=\"pm-event\">Alarm fires</span>",
    ] {
        assert!(html.contains(needle), "no {needle:?} in:\n{html}");
    }
    // The title comes from the heading, without its prefix.
    assert!(html.contains("<title>Checkout errors ·"), "{html}");
}

#[test]
fn runbook_pages_list_the_incidents_that_used_them() {
    let site = Site::new();
    site.file(
        "content/runbooks/checkout-errors.md",
        &runbook("Checkout Errors"),
    );
    site.file("content/runbooks/other.md", &runbook("Other"));
    let older = format!(
        "---\nrunbooks: [runbooks/checkout-errors]\n---\n{}",
        plain_postmortem("Older incident", "2026-09-01", "P3", &[DONE_ROW])
    );
    // Without front matter `runbooks:`, the runbooks the body links to.
    let newer = plain_postmortem("Newer incident", "2026-10-05", "P1", &[DONE_ROW]).replace(
        "A bug.",
        "A bug; we followed [the runbook](../runbooks/checkout-errors.md).",
    );
    site.file("content/postmortems/older.md", &older);
    site.file("content/postmortems/newer.md", &newer);
    site.build_ok();
    let html = site.output("runbooks/checkout-errors/index.html");
    assert!(html.contains("Incidents that used this runbook"), "{html}");
    let newer_at = html.find("Newer incident").expect("newer listed");
    let older_at = html.find("Older incident").expect("older listed");
    assert!(newer_at < older_at, "newest first");
    assert!(
        html.contains("<time datetime=\"2026-10-05\">2026-10-05</time> <span class=\"sev sev-p1\""),
        "{html}"
    );
    assert!(
        html.contains("href=\"../../postmortems/older/index.html\""),
        "{html}"
    );
    let other = site.output("runbooks/other/index.html");
    assert!(!other.contains("Incidents that used this runbook"));
}

#[test]
fn the_action_items_page_marks_overdue_items_and_filters() {
    let site = Site::new();
    site.file(
        "content/postmortems/a.md",
        &plain_postmortem(
            "Incident A",
            "2026-10-01",
            "P2",
            &[
                "| Old open item | @ana | 2026-11-01 | Open |",
                "| Finished | @bo | 2026-10-10 | Closed |",
            ],
        ),
    );
    site.file(
        "content/postmortems/b.md",
        &plain_postmortem(
            "Incident B",
            "2026-10-20",
            "P1",
            &["| Later item | @cy | 2026-12-24 | Open |"],
        ),
    );
    site.build_ok();
    let html = site.output("actions/index.html");
    assert_eq!(count(&html, "<tr class=\"action "), 3);
    // Overdue first, then open, then done.
    let overdue = html.find("Old open item").unwrap();
    let open = html.find("Later item").unwrap();
    let done = html.find("Finished").unwrap();
    assert!(overdue < open && open < done);
    assert!(
        html.contains("data-owner=\"@ana\" data-state=\"overdue\" data-postmortem=\"a\""),
        "{html}"
    );
    assert!(html.contains("overdue 25 d"), "{html}");
    assert!(html.contains("data-state=\"done\""));
    for owner in ["@ana", "@bo", "@cy"] {
        assert!(
            html.contains(&format!("<option value=\"{owner}\">{owner}</option>")),
            "{owner}"
        );
    }
    assert!(html.contains("<strong>1</strong> overdue"));
    // The navigation leads there from every page.
    let home = site.output("index.html");
    assert!(home.contains("href=\"actions/index.html\""), "{home}");
}

#[test]
fn the_example_wiki_warns_only_about_its_overdue_items() {
    let diags = check_json_at(&repo_root(), "2026-11-26");
    let file = "content/postmortems/2026-10-21-orders-api-5xx-spike.md";
    let text = std::fs::read_to_string(repo_root().join(file)).unwrap();
    let (l1, c1) = pos(&text, "2026-10-31");
    let (l2, c2) = pos(&text, "2026-11-07");
    let ours: Vec<_> = diags
        .iter()
        .filter(|d| {
            d["file"]
                .as_str()
                .is_some_and(|f| f.starts_with("content/postmortems/"))
        })
        .cloned()
        .collect();
    assert_exactly(
        &ours,
        &[
            ("warning", "action-overdue", file, l1, c1),
            ("warning", "action-overdue", file, l2, c2),
        ],
    );
    assert_eq!(
        diags.iter().filter(|d| d["level"] == "error").count(),
        0,
        "{}",
        show(&diags)
    );
}
