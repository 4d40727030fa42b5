//! `opswiki check`: every diagnostic of the foundation, each asserted with its
//! code, file, line and column, on small sites run through the real binary.

mod common;

use chrono::{Days, NaiveDate};
use common::*;

const RB: &str = "content/runbooks/x.md";

/// A site holding one runbook at `content/runbooks/x.md`.
fn one_runbook(text: &str) -> Site {
    let site = Site::new();
    site.file(RB, text);
    site
}

fn today() -> NaiveDate {
    NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap()
}

fn days_before_today(days: u64) -> String {
    (today() - Days::new(days)).format("%Y-%m-%d").to_string()
}

// ---------------------------------------------------------------------------
// Whole fixture sites
// ---------------------------------------------------------------------------

/// Every problem of `tests/fixtures/invalid`, where it is written.
const INVALID_FIXTURE: &[(&str, &str, &str, u32, u32)] = &[
    ("warning", "config-unknown-key", "opswiki.yaml", 3, 1),
    ("error", "link-broken", "content/runbooks/links.md", 12, 24),
    (
        "error",
        "link-anchor-missing",
        "content/runbooks/links.md",
        16,
        31,
    ),
    (
        "error",
        "link-anchor-missing",
        "content/runbooks/links.md",
        17,
        26,
    ),
    (
        "error",
        "runbook-field-missing",
        "content/runbooks/fields.md",
        1,
        1,
    ),
    (
        "error",
        "runbook-section-missing",
        "content/runbooks/fields.md",
        1,
        1,
    ),
    (
        "error",
        "severity-unknown",
        "content/runbooks/fields.md",
        3,
        11,
    ),
    (
        "error",
        "runbook-section-empty",
        "content/runbooks/fields.md",
        21,
        1,
    ),
    (
        "error",
        "runbook-section-empty",
        "content/runbooks/fields.md",
        23,
        1,
    ),
    (
        "error",
        "severity-placeholder",
        "content/runbooks/template.md",
        3,
        14,
    ),
    (
        "warning",
        "runbook-stale",
        "content/runbooks/conflict.md",
        5,
        15,
    ),
    (
        "error",
        "field-conflict",
        "content/runbooks/conflict.md",
        10,
        11,
    ),
    (
        "error",
        "front-matter-invalid",
        "content/notes/bad-yaml.md",
        3,
        12,
    ),
    (
        "error",
        "front-matter-unclosed",
        "content/notes/unclosed.md",
        1,
        1,
    ),
    (
        "error",
        "front-matter-not-mapping",
        "content/notes/list.md",
        2,
        1,
    ),
    ("error", "file-not-utf8", "content/notes/latin1.md", 3, 4),
];

#[test]
fn invalid_fixture_reports_every_problem_at_its_line() {
    let diags = check_json_at(&fixture("invalid"), TODAY);
    assert_exactly(&diags, INVALID_FIXTURE);
    // The messages name what is wrong.
    let broken = assert_diag(&diags, "link-broken", "content/runbooks/links.md", 12, 24);
    assert!(
        broken["message"]
            .as_str()
            .unwrap()
            .contains("runbooks/nope")
    );
    let missing = assert_diag(
        &diags,
        "runbook-field-missing",
        "content/runbooks/fields.md",
        1,
        1,
    );
    assert!(missing["message"].as_str().unwrap().contains("owner"));
    let section = assert_diag(
        &diags,
        "runbook-section-missing",
        "content/runbooks/fields.md",
        1,
        1,
    );
    assert!(
        section["message"]
            .as_str()
            .unwrap()
            .contains("Resolution Steps")
    );
}

#[test]
fn valid_fixture_with_every_link_form_checks_clean() {
    let diags = check_json_at(&fixture("valid"), TODAY);
    assert_clean(&diags);
}

#[test]
fn valid_fixture_links_are_really_checked() {
    // The same site with the target page gone: every form of link to it breaks.
    let site = Site::copy_of("valid", |_, b| b);
    site.remove("content/runbooks/db-connections.md");
    let diags = check_json(&site, TODAY);
    let text =
        std::fs::read_to_string(fixture("valid").join("content/runbooks/api-errors.md")).unwrap();
    let api = "content/runbooks/api-errors.md";
    for dest in [
        "runbooks/db-connections)",
        "runbooks/db-connections.md)",
        "../runbooks/db-connections.md)",
        "./db-connections.md)",
        "https://wiki.example.com/runbooks/db-connections/)",
        "runbooks/db-connections.html)",
        "runbooks/db-connections/index.html)",
        "Runbooks/DB-Connections.md)",
        "runbooks/db-connections#diagnosis-steps)",
    ] {
        let (line, col) = pos(&text, &format!("]({dest}"));
        assert_diag(&diags, "link-broken", api, line, col + 2);
    }
    let guide = "content/guides/on-call.md";
    let guide_text = std::fs::read_to_string(fixture("valid").join(guide)).unwrap();
    let (line, col) = pos(
        &guide_text,
        "https://wiki.example.com/runbooks/db-connections/index.html#rollback",
    );
    assert_diag(&diags, "link-broken", guide, line, col);
    assert_count(&diags, "link-broken", 10);
}

// ---------------------------------------------------------------------------
// Links
// ---------------------------------------------------------------------------

#[test]
fn link_broken_points_at_the_destination() {
    let text = Runbook::new("X")
        .section(
            "Impact",
            "See [the db runbook](runbooks/db) and [this](../nope.md).",
        )
        .render();
    let site = one_runbook(&text);
    let diags = check_json(&site, TODAY);
    let (line, col) = pos(&text, "runbooks/db)");
    let d = assert_diag_level(&diags, "error", "link-broken", RB, line, col);
    assert!(
        d["message"].as_str().unwrap().contains("runbooks/db"),
        "{d}"
    );
    let (line, col) = pos(&text, "../nope.md");
    assert_diag(&diags, "link-broken", RB, line, col);
    assert_count(&diags, "link-broken", 2);
}

#[test]
fn link_broken_suggests_a_page_with_the_same_name() {
    let site = Site::new();
    site.file("content/runbooks/db.md", &Runbook::new("DB").render());
    let text = Runbook::new("X")
        .section("Impact", "See [db](runbooks/old/db).")
        .render();
    site.file(RB, &text);
    let diags = check_json(&site, TODAY);
    let (line, col) = pos(&text, "runbooks/old/db");
    let d = assert_diag(&diags, "link-broken", RB, line, col);
    assert!(
        d["help"].as_str().unwrap_or("").contains("runbooks/db"),
        "{d}"
    );
}

#[test]
fn links_under_base_url_are_checked_and_others_are_not() {
    let site = Site::new();
    site.file(
        "opswiki.yaml",
        "title: T\nbase_url: https://wiki.example.com/\n",
    );
    site.file("content/runbooks/db.md", &Runbook::new("DB").render());
    let text = Runbook::new("X")
        .section(
            "Impact",
            "[ok](https://wiki.example.com/runbooks/db/) \
             [ok](HTTPS://WIKI.EXAMPLE.COM/Runbooks/DB) \
             [bad](https://wiki.example.com/runbooks/gone/) \
             [ext](https://other.example.org/runbooks/gone/) \
             [mail](mailto:ops@example.com)",
        )
        .render();
    site.file(RB, &text);
    let diags = check_json(&site, TODAY);
    let (line, col) = pos(&text, "https://wiki.example.com/runbooks/gone/");
    assert_diag(&diags, "link-broken", RB, line, col);
    assert_eq!(diags.len(), 1, "{}", show(&diags));
}

#[test]
fn link_anchor_missing_on_another_page() {
    let site = Site::new();
    site.file(
        "content/runbooks/db.md",
        &Runbook::new("DB")
            .tail("## Verify\n\nOnce.\n\n## Verify\n\nTwice.\n")
            .render(),
    );
    let text = Runbook::new("X")
        .section(
            "Impact",
            "[a](runbooks/db#diagnosis-steps) [b](runbooks/db.md#Rollback) \
             [c](runbooks/db#verify-1) [d](runbooks/db#causes) [e](runbooks/db#verify-2)",
        )
        .render();
    site.file(RB, &text);
    let diags = check_json(&site, TODAY);
    let (line, col) = pos(&text, "runbooks/db#causes");
    let d = assert_diag(&diags, "link-anchor-missing", RB, line, col);
    assert!(d["message"].as_str().unwrap().contains("#causes"), "{d}");
    assert!(
        d["help"].as_str().unwrap_or("").contains("diagnosis-steps"),
        "the help lists the anchors the page has: {d}"
    );
    let (line, col) = pos(&text, "runbooks/db#verify-2");
    assert_diag(&diags, "link-anchor-missing", RB, line, col);
    assert_eq!(diags.len(), 2, "{}", show(&diags));
}

#[test]
fn link_anchor_missing_on_the_same_page() {
    let text = Runbook::new("X")
        .section(
            "Impact",
            "See [below](#rollback) and [nowhere](#rollback-plan).",
        )
        .render();
    let site = one_runbook(&text);
    let diags = check_json(&site, TODAY);
    let (line, col) = pos(&text, "#rollback-plan");
    let d = assert_diag(&diags, "link-anchor-missing", RB, line, col);
    assert!(
        d["message"].as_str().unwrap().contains("rollback-plan"),
        "{d}"
    );
    assert_eq!(diags.len(), 1, "{}", show(&diags));
}

#[test]
fn anchors_follow_githubs_rule() {
    let text = Runbook::new("X")
        .rename_section("Diagnosis Steps", "Diagnosis Steps:")
        .tail(
            "## Check p99 (API) — now!\n\nx\n\n## snake_case-and-dash\n\ny\n\n\
             See [a](#diagnosis-steps) [b](#check-p99-api--now) [c](#snake_case-and-dash) \
             [d](#diagnosis-steps-)\n",
        )
        .render();
    let site = one_runbook(&text);
    let diags = check_json(&site, TODAY);
    let (line, col) = pos(&text, "#diagnosis-steps-)");
    assert_diag(&diags, "link-anchor-missing", RB, line, col);
    assert_eq!(diags.len(), 1, "{}", show(&diags));
}

// ---------------------------------------------------------------------------
// Runbook fields
// ---------------------------------------------------------------------------

#[test]
fn the_default_runbook_checks_clean() {
    let site = one_runbook(&Runbook::new("X").render());
    assert_clean(&check_json(&site, TODAY));
}

#[test]
fn runbook_field_missing_for_each_required_field() {
    for field in ["severity", "owner", "last_updated"] {
        let site = one_runbook(&Runbook::new("X").without_field(field).render());
        let diags = check_json(&site, TODAY);
        let d = assert_diag_level(&diags, "error", "runbook-field-missing", RB, 1, 1);
        assert!(
            d["message"]
                .as_str()
                .unwrap()
                .contains(&format!("`{field}`")),
            "{field}: {d}"
        );
        assert_eq!(diags.len(), 1, "{field}:\n{}", show(&diags));
    }
}

#[test]
fn title_falls_back_to_the_first_heading() {
    // No `title:` but a `# ` heading: not missing.
    let site = one_runbook(&Runbook::new("Disk Full").without_field("title").render());
    assert_clean(&check_json(&site, TODAY));
    // The title is the heading without `Runbook:`.
    site.build_ok();
    let html = site.output("runbooks/x/index.html");
    assert!(html.contains("<title>Disk Full · "), "{html}");
    let index = site.output("runbooks/index.html");
    assert!(index.contains(">Disk Full</a>"), "{index}");
    assert!(!index.contains("Runbook: Disk Full</a>"), "{index}");
}

#[test]
fn title_missing_without_field_or_heading() {
    let text = Runbook::new("X").without_field("title").h1(None).render();
    let site = one_runbook(&text);
    let diags = check_json(&site, TODAY);
    let d = assert_diag(&diags, "runbook-field-missing", RB, 1, 1);
    assert!(d["message"].as_str().unwrap().contains("`title`"), "{d}");
    assert_eq!(diags.len(), 1, "{}", show(&diags));
}

#[test]
fn severity_unknown_in_front_matter_and_heading() {
    let text = Runbook::new("X").field("severity", "P5").render();
    let site = one_runbook(&text);
    let diags = check_json(&site, TODAY);
    let (line, col) = pos(&text, "P5");
    let d = assert_diag_level(&diags, "error", "severity-unknown", RB, line, col);
    assert!(d["message"].as_str().unwrap().contains("P5"), "{d}");
    assert_eq!((line, col), (3, 11));
    assert_eq!(diags.len(), 1, "{}", show(&diags));

    let text = plain_template_runbook("X", "Sev1", "2026-11-01", "team-a");
    let site = one_runbook(&text);
    let diags = check_json(&site, TODAY);
    assert_diag(&diags, "severity-unknown", RB, 3, 14);
    assert_eq!(diags.len(), 1, "{}", show(&diags));
}

#[test]
fn severities_come_from_the_config() {
    let site = one_runbook(&Runbook::new("X").field("severity", "SEV1").render());
    site.file("opswiki.yaml", "severities: [SEV1, SEV2]\n");
    assert_clean(&check_json(&site, TODAY));
    site.file(RB, &Runbook::new("X").field("severity", "P1").render());
    let diags = check_json(&site, TODAY);
    assert_diag(&diags, "severity-unknown", RB, 3, 11);
}

#[test]
fn severity_placeholder_from_the_blank_template() {
    let text = plain_template_runbook("X", "P1 | P2 | P3 | P4", "2026-11-01", "team-a");
    let site = one_runbook(&text);
    let diags = check_json(&site, TODAY);
    let (line, col) = pos(&text, "P1 | P2");
    assert_eq!((line, col), (3, 14));
    assert_diag_level(&diags, "error", "severity-placeholder", RB, line, col);
    assert_no_diag(&diags, "severity-unknown");
    assert_eq!(diags.len(), 1, "{}", show(&diags));
}

#[test]
fn severity_placeholder_in_front_matter() {
    let text = Runbook::new("X")
        .field("severity", "P1 | P2 | P3 | P4")
        .render();
    let site = one_runbook(&text);
    let diags = check_json(&site, TODAY);
    assert_diag(&diags, "severity-placeholder", RB, 3, 11);
    assert_eq!(diags.len(), 1, "{}", show(&diags));
}

#[test]
fn field_conflict_between_front_matter_and_heading() {
    let text = Runbook::new("X")
        .field("owner", "team-a")
        .preamble("## Owner: team-b")
        .render();
    let site = one_runbook(&text);
    let diags = check_json(&site, TODAY);
    let (line, col) = pos(&text, "team-b");
    let d = assert_diag_level(&diags, "error", "field-conflict", RB, line, col);
    let msg = d["message"].as_str().unwrap();
    assert!(msg.contains("team-a") && msg.contains("team-b"), "{d}");
    assert_eq!(diags.len(), 1, "{}", show(&diags));
}

#[test]
fn field_conflict_on_severity_and_last_updated() {
    let text = Runbook::new("X")
        .preamble("## Severity: P1")
        .preamble("## Last Updated: 2026-11-03")
        .render();
    let site = one_runbook(&text);
    let diags = check_json(&site, TODAY);
    let (line, col) = pos(&text, "P1\n");
    assert_diag(&diags, "field-conflict", RB, line, col);
    let (line, col) = pos(&text, "2026-11-03");
    assert_diag(&diags, "field-conflict", RB, line, col);
    assert_eq!(diags.len(), 2, "{}", show(&diags));
}

#[test]
fn a_field_given_both_ways_that_agrees_is_fine() {
    let text = Runbook::new("X")
        .preamble("## Severity: P2")
        .preamble("## Owner: team-sre")
        .preamble("## Last Updated: 2026-11-02")
        .render();
    let site = one_runbook(&text);
    assert_clean(&check_json(&site, TODAY));
}

#[test]
fn date_invalid_in_front_matter() {
    for bad in ["2026-13-01", "2026/11/02", "02.11.2026", "yesterday"] {
        let text = Runbook::new("X").field("last_updated", bad).render();
        let site = one_runbook(&text);
        let diags = check_json(&site, TODAY);
        let d = assert_diag_level(&diags, "error", "date-invalid", RB, 5, 15);
        assert!(d["message"].as_str().unwrap().contains(bad), "{d}");
    }
}

#[test]
fn date_invalid_in_a_heading() {
    let text = plain_template_runbook("X", "P2", "last week", "team-a");
    let site = one_runbook(&text);
    let diags = check_json(&site, TODAY);
    let (line, col) = pos(&text, "last week");
    assert_eq!((line, col), (4, 18));
    assert_diag(&diags, "date-invalid", RB, line, col);
}

#[test]
fn date_invalid_is_not_also_reported_missing() {
    let text = Runbook::new("X")
        .field("last_updated", "2026-02-30")
        .render();
    let site = one_runbook(&text);
    let diags = check_json(&site, TODAY);
    assert_diag(&diags, "date-invalid", RB, 5, 15);
    assert_eq!(
        diags.len(),
        1,
        "one problem, one diagnostic:\n{}",
        show(&diags)
    );
}

// ---------------------------------------------------------------------------
// Stale runbooks
// ---------------------------------------------------------------------------

#[test]
fn runbook_stale_is_a_warning_at_last_updated() {
    let updated = days_before_today(117);
    let text = Runbook::new("X").field("last_updated", &updated).render();
    let site = one_runbook(&text);
    let diags = check_json(&site, TODAY);
    let d = assert_diag_level(&diags, "warning", "runbook-stale", RB, 5, 15);
    let msg = d["message"].as_str().unwrap();
    assert!(msg.contains("117 days") && msg.contains("90"), "{d}");
    assert_eq!(diags.len(), 1, "{}", show(&diags));
    // A warning only: exit 0.
    assert_eq!(site.check(&[]).code, 0);
}

#[test]
fn runbook_stale_depends_on_today() {
    let text = Runbook::new("X")
        .field("last_updated", "2026-01-15")
        .render();
    let site = one_runbook(&text);
    assert_count(&check_json(&site, "2026-11-26"), "runbook-stale", 1);
    assert_clean(&check_json(&site, "2026-02-01"));
}

#[test]
fn a_recent_runbook_is_not_stale() {
    let text = Runbook::new("X")
        .field("last_updated", &days_before_today(3))
        .render();
    let site = one_runbook(&text);
    assert_clean(&check_json(&site, TODAY));
}

#[test]
fn stale_boundary_exactly_stale_after_days_is_not_stale() {
    let site = one_runbook(
        &Runbook::new("X")
            .field("last_updated", &days_before_today(90))
            .render(),
    );
    assert_clean(&check_json(&site, TODAY));
    site.file(
        RB,
        &Runbook::new("X")
            .field("last_updated", &days_before_today(91))
            .render(),
    );
    let diags = check_json(&site, TODAY);
    assert_diag(&diags, "runbook-stale", RB, 5, 15);
}

#[test]
fn stale_after_days_comes_from_the_config() {
    let site = one_runbook(
        &Runbook::new("X")
            .field("last_updated", &days_before_today(31))
            .render(),
    );
    assert_clean(&check_json(&site, TODAY));
    site.file("opswiki.yaml", "stale_after_days: 30\n");
    let diags = check_json(&site, TODAY);
    let d = assert_diag(&diags, "runbook-stale", RB, 5, 15);
    assert!(d["message"].as_str().unwrap().contains("31 days"), "{d}");
}

#[test]
fn runbook_stale_from_a_heading_date() {
    let text = plain_template_runbook("X", "P2", "2026-01-02", "team-a");
    let site = one_runbook(&text);
    let diags = check_json(&site, TODAY);
    assert_diag_level(&diags, "warning", "runbook-stale", RB, 4, 18);
}

// ---------------------------------------------------------------------------
// Sections
// ---------------------------------------------------------------------------

#[test]
fn runbook_section_missing_for_each_section() {
    for section in SECTIONS {
        let site = one_runbook(&Runbook::new("X").without_section(section).render());
        let diags = check_json(&site, TODAY);
        let d = assert_diag_level(&diags, "error", "runbook-section-missing", RB, 1, 1);
        assert!(
            d["message"].as_str().unwrap().contains(section),
            "{section}: {d}"
        );
        assert_eq!(diags.len(), 1, "{section}:\n{}", show(&diags));
    }
}

#[test]
fn sections_match_ignoring_case_level_and_a_trailing_colon() {
    let text = Runbook::new("X")
        .rename_section("Diagnosis Steps", "diagnosis steps:")
        .rename_section("Prevention", "Prevention :")
        .render()
        .replace("## Rollback", "#### ROLLBACK")
        .replace("## Symptom", "# symptom");
    let site = one_runbook(&text);
    assert_clean(&check_json(&site, TODAY));
}

#[test]
fn runbook_section_empty_with_only_whitespace() {
    let text = Runbook::new("X")
        .section("Rollback", "   \n\t\n  ")
        .render();
    let site = one_runbook(&text);
    let diags = check_json(&site, TODAY);
    let line = line_of(&text, "## Rollback");
    let d = assert_diag_level(&diags, "error", "runbook-section-empty", RB, line, 1);
    assert!(d["message"].as_str().unwrap().contains("Rollback"), "{d}");
    assert_eq!(diags.len(), 1, "{}", show(&diags));
}

#[test]
fn runbook_section_empty_at_the_end_of_the_file() {
    let text = Runbook::new("X").section("Prevention", "").render();
    let site = one_runbook(&text);
    let diags = check_json(&site, TODAY);
    let line = line_of(&text, "## Prevention");
    assert_diag(&diags, "runbook-section-empty", RB, line, 1);
    assert_eq!(diags.len(), 1, "{}", show(&diags));
}

#[test]
fn a_section_holding_only_a_sub_heading_with_text_is_not_empty() {
    let text = Runbook::new("X")
        .section(
            "Rollback",
            "### Redeploy the previous version\n\nRun the deploy job.",
        )
        .render();
    let site = one_runbook(&text);
    assert_clean(&check_json(&site, TODAY));
}

#[test]
fn a_section_with_only_a_code_block_list_or_table_is_not_empty() {
    for body in [
        "```bash\nkubectl rollout undo deploy/api\n```",
        "- [ ] undo",
        "| a | b |\n|---|---|\n| 1 | 2 |",
    ] {
        let site = one_runbook(&Runbook::new("X").section("Rollback", body).render());
        let diags = check_json(&site, TODAY);
        assert!(diags.is_empty(), "{body:?}:\n{}", show(&diags));
    }
}

#[test]
fn custom_kinds_config_changes_required_sections_and_fields() {
    let site = Site::new();
    site.file(
        "opswiki.yaml",
        "kinds:\n  runbook:\n    required_fields: [title, owner]\n    required_sections: [Symptom, Escalation]\n",
    );
    // No severity, no Rollback: neither is required any more; Escalation is.
    let text = Runbook::new("X")
        .without_field("severity")
        .without_section("Rollback")
        .render();
    site.file(RB, &text);
    let diags = check_json(&site, TODAY);
    let d = assert_diag(&diags, "runbook-section-missing", RB, 1, 1);
    assert!(d["message"].as_str().unwrap().contains("Escalation"), "{d}");
    assert_eq!(diags.len(), 1, "{}", show(&diags));

    site.file(
        RB,
        &Runbook::new("X")
            .without_field("owner")
            .section("Escalation", "Call the database team.")
            .render(),
    );
    let diags = check_json(&site, TODAY);
    let d = assert_diag(&diags, "runbook-field-missing", RB, 1, 1);
    assert!(d["message"].as_str().unwrap().contains("owner"), "{d}");
    assert_eq!(diags.len(), 1, "{}", show(&diags));
}

#[test]
fn kinds_given_only_sections_keeps_default_fields() {
    let site = Site::new();
    site.file(
        "opswiki.yaml",
        "kinds:\n  runbook:\n    required_sections: [Symptom]\n",
    );
    site.file(RB, &Runbook::new("X").without_field("owner").render());
    let diags = check_json(&site, TODAY);
    assert_diag(&diags, "runbook-field-missing", RB, 1, 1);
    assert_eq!(diags.len(), 1, "{}", show(&diags));
}

#[test]
fn kind_from_front_matter_overrides_the_folder() {
    let site = Site::new();
    // A runbook outside runbooks/ is still checked as a runbook.
    site.file(
        "content/guides/x.md",
        &Runbook::new("X")
            .field("kind", "runbook")
            .without_section("Rollback")
            .render(),
    );
    // A page in runbooks/ declared a plain page is not.
    site.file(
        "content/runbooks/notes.md",
        "---\nkind: page\n---\n# Notes\n",
    );
    let diags = check_json(&site, TODAY);
    assert_diag(
        &diags,
        "runbook-section-missing",
        "content/guides/x.md",
        1,
        1,
    );
    assert_eq!(diags.len(), 1, "{}", show(&diags));
}

// ---------------------------------------------------------------------------
// The plain template
// ---------------------------------------------------------------------------

#[test]
fn plain_template_runbook_checks_clean() {
    let site = one_runbook(&plain_template_runbook(
        "Data Inconsistency",
        "P2",
        "2026-11-02",
        "team-data",
    ));
    assert_clean(&check_json(&site, TODAY));
}

#[test]
fn plain_template_runbook_missing_a_field_heading() {
    let text = plain_template_runbook("X", "P2", "2026-11-02", "team-data")
        .replace("## Owner: team-data\n", "");
    let site = one_runbook(&text);
    let diags = check_json(&site, TODAY);
    let d = assert_diag(&diags, "runbook-field-missing", RB, 1, 1);
    assert!(d["message"].as_str().unwrap().contains("owner"), "{d}");
    assert_eq!(diags.len(), 1, "{}", show(&diags));
}

// ---------------------------------------------------------------------------
// Front matter
// ---------------------------------------------------------------------------

/// A page of kind `page` (no required fields or sections) with this text.
fn one_page(text: &str) -> (Site, &'static str) {
    let site = Site::new();
    site.file("content/notes/a.md", text);
    (site, "content/notes/a.md")
}

#[test]
fn front_matter_invalid_is_located_in_the_file() {
    // (front matter, line, column of the error in the file)
    for (yaml, line, column) in [
        ("title: A\nowner: team: x\n", 3, 12),
        ("title: \"unterminated\nowner: x\n", 2, 8),
        ("title: B\n  owner: x\n", 3, 8),
        ("a: 1\nb: 2\nc: 3\nd: e: f\n", 5, 5),
    ] {
        let (site, file) = one_page(&format!("---\n{yaml}---\n\n# Page\n"));
        let diags = check_json(&site, TODAY);
        assert_diag_level(&diags, "error", "front-matter-invalid", file, line, column);
        assert_eq!(diags.len(), 1, "{yaml:?}:\n{}", show(&diags));
    }
}

#[test]
fn front_matter_unclosed() {
    let (site, file) = one_page("---\ntitle: A\n\n# Page\n\nText.\n");
    let diags = check_json(&site, TODAY);
    assert_diag_level(&diags, "error", "front-matter-unclosed", file, 1, 1);
    assert_eq!(diags.len(), 1, "{}", show(&diags));
}

#[test]
fn front_matter_closed_by_dots_is_fine() {
    let (site, _) = one_page("---\ntitle: A\n...\n\n# Page\n");
    assert_clean(&check_json(&site, TODAY));
}

#[test]
fn front_matter_not_mapping() {
    for yaml in ["- a\n- b\n", "just text\n", "42\n"] {
        let (site, file) = one_page(&format!("---\n{yaml}---\n# Page\n"));
        let diags = check_json(&site, TODAY);
        assert_diag_level(&diags, "error", "front-matter-not-mapping", file, 2, 1);
        assert_eq!(diags.len(), 1, "{yaml:?}:\n{}", show(&diags));
    }
}

#[test]
fn empty_front_matter_is_allowed() {
    let (site, _) = one_page("---\n---\n# Page\n");
    assert_clean(&check_json(&site, TODAY));
}

// ---------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------

#[test]
fn duplicate_page_id_differing_only_in_case() {
    let site = Site::new();
    site.file("content/runbooks/Disk-Full.md", &Runbook::new("A").render());
    site.file("content/runbooks/disk-full.md", &Runbook::new("B").render());
    let diags = check_json(&site, TODAY);
    assert_count(&diags, "duplicate-page-id", 1);
    let d = with_code(&diags, "duplicate-page-id")[0];
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(1), Some(1))
    );
    let file = d["file"].as_str().unwrap();
    assert!(
        file == "content/runbooks/Disk-Full.md" || file == "content/runbooks/disk-full.md",
        "{d}"
    );
    let msg = d["message"].as_str().unwrap();
    assert!(
        msg.contains("content/runbooks/Disk-Full.md")
            && msg.contains("content/runbooks/disk-full.md"),
        "the message names both files: {d}"
    );
    assert!(msg.contains("runbooks/disk-full"), "and the id: {d}");
}

#[test]
fn duplicate_page_id_md_and_markdown() {
    let site = Site::new();
    site.file("content/guide.md", "# Guide\n");
    site.file("content/guide.markdown", "# Guide again\n");
    let diags = check_json(&site, TODAY);
    assert_count(&diags, "duplicate-page-id", 1);
    let d = with_code(&diags, "duplicate-page-id")[0];
    assert_eq!(d["level"], "error");
    let msg = d["message"].as_str().unwrap();
    assert!(
        msg.contains("content/guide.md") && msg.contains("content/guide.markdown"),
        "{d}"
    );
    assert_eq!(diags.len(), 1, "{}", show(&diags));
}

#[test]
fn file_not_utf8_points_at_the_first_bad_byte() {
    let site = Site::new();
    site.bytes("content/a.md", b"# Title\n\nCaf\xe9 au lait\n");
    // Columns count characters: `ç` and `é` are one column each.
    site.bytes(
        "content/b.md",
        &["# T\nçé".as_bytes(), b"\xff\xfe rest\n"].concat(),
    );
    // A BOM does not count as a column.
    site.bytes("content/c.md", b"\xEF\xBB\xBFab\x80\n");
    let diags = check_json(&site, TODAY);
    assert_diag_level(&diags, "error", "file-not-utf8", "content/a.md", 3, 4);
    assert_diag(&diags, "file-not-utf8", "content/b.md", 2, 3);
    assert_diag(&diags, "file-not-utf8", "content/c.md", 1, 3);
    assert_eq!(diags.len(), 3, "{}", show(&diags));
}

#[test]
fn non_utf8_assets_are_not_read() {
    let site = Site::new();
    site.bytes("content/img/a.png", b"\x89PNG\r\n\x1a\n\xff\xfe\x00");
    site.bytes("content/files/notes.txt", b"\xff\xfe");
    assert_clean(&check_json(&site, TODAY));
}

#[test]
fn crlf_and_bom_give_the_same_diagnostics_as_lf() {
    let lf = check_json_at(&fixture("invalid"), TODAY);
    let crlf = Site::copy_of("invalid", |_, bytes| {
        let mut out = b"\xEF\xBB\xBF".to_vec();
        for &b in &bytes {
            if b == b'\n' {
                out.push(b'\r');
            }
            out.push(b);
        }
        out
    });
    // The conversion really happened.
    let raw = std::fs::read(crlf.path("content/runbooks/links.md")).unwrap();
    assert!(raw.starts_with(b"\xEF\xBB\xBF---\r\n"));
    let diags = check_json(&crlf, TODAY);
    assert_eq!(
        located(&diags),
        located(&lf),
        "CRLF+BOM:\n{}\nLF:\n{}",
        show(&diags),
        show(&lf)
    );
}

#[test]
fn crlf_runbook_checks_clean_and_locates_links() {
    let text = Runbook::new("X")
        .section("Impact", "Text with [a link](runbooks/nope) in it.")
        .render();
    let site = one_runbook(&text.replace('\n', "\r\n"));
    let diags = check_json(&site, TODAY);
    let (line, col) = pos(&text, "runbooks/nope");
    assert_diag(&diags, "link-broken", RB, line, col);
    assert_eq!(diags.len(), 1, "{}", show(&diags));
    // The plain template with CRLF and a BOM reads its heading fields.
    let plain = plain_template_runbook("X", "P2", "2026-11-02", "team-a");
    site.file(RB, &format!("\u{feff}{}", plain.replace('\n', "\r\n")));
    assert_clean(&check_json(&site, TODAY));
}

#[test]
fn editor_leftovers_and_hidden_files_are_ignored() {
    let site = Site::new();
    let broken = "---\ntitle: [unclosed\n---\n# Broken [x](nowhere)\n";
    for name in [
        "content/runbooks/.#x.md",
        "content/runbooks/x.md~",
        "content/runbooks/.x.md.swp",
        "content/runbooks/4913",
        "content/runbooks/.hidden.md",
        "content/.drafts/y.md",
        "content/runbooks/.git/z.md",
    ] {
        site.file(name, broken);
    }
    site.bytes("content/runbooks/.latin1.md", b"\xff\xfe");
    let diags = check_json(&site, TODAY);
    assert_clean(&diags);
    // The same text under a normal name is read (so the test is real).
    site.file("content/runbooks/x.md", broken);
    let diags = check_json(&site, TODAY);
    assert_diag(&diags, "front-matter-invalid", RB, 2, 8);
}

#[cfg(unix)]
#[test]
fn symlink_to_a_file_outside_the_root_is_skipped_with_a_warning() {
    let outside = Site::bare();
    outside.file("secret.md", "# Secret [x](nowhere)\n");
    let site = Site::new();
    std::os::unix::fs::symlink(outside.path("secret.md"), site.path("content/secret.md")).unwrap();
    let diags = check_json(&site, TODAY);
    let d = assert_diag_level(
        &diags,
        "warning",
        "symlink-outside-root",
        "content/secret.md",
        1,
        1,
    );
    assert!(d["message"].as_str().unwrap().contains("content/secret.md"));
    assert_eq!(diags.len(), 1, "the file is not read:\n{}", show(&diags));
}

#[cfg(unix)]
#[test]
fn symlink_to_a_folder_outside_the_root_is_skipped_with_a_warning() {
    let outside = Site::bare();
    outside.file("docs/secret.md", "# Secret [x](nowhere)\n");
    let site = Site::new();
    std::os::unix::fs::symlink(outside.path("docs"), site.path("content/linked")).unwrap();
    let diags = check_json(&site, TODAY);
    assert_diag_level(
        &diags,
        "warning",
        "symlink-outside-root",
        "content/linked",
        1,
        1,
    );
    assert_eq!(
        diags.len(),
        1,
        "nothing under it is read:\n{}",
        show(&diags)
    );
}

#[cfg(unix)]
#[test]
fn symlink_inside_the_root_is_followed() {
    let site = Site::new();
    site.file(
        "shared/x.md",
        &Runbook::new("X").without_section("Rollback").render(),
    );
    std::fs::create_dir_all(site.path("content/runbooks")).unwrap();
    std::os::unix::fs::symlink(site.path("shared/x.md"), site.path(RB)).unwrap();
    let diags = check_json(&site, TODAY);
    assert_diag(&diags, "runbook-section-missing", RB, 1, 1);
    assert_eq!(diags.len(), 1, "{}", show(&diags));
}

#[cfg(unix)]
#[test]
fn symlink_loop_does_not_hang_or_crash() {
    let site = Site::new();
    site.file(RB, &Runbook::new("X").render());
    std::os::unix::fs::symlink("..", site.path("content/runbooks/loop")).unwrap();
    std::os::unix::fs::symlink("self", site.path("content/self")).unwrap();
    let root = site.root();
    let out = run_with_timeout(&check_args(&root, TODAY, &["--format", "json"]), 10);
    assert!(out.code == 0 || out.code == 1, "{out}");
    let diags = parse_json_lines(&out.stdout);
    // Only warnings about the links; the runbook itself is read once.
    assert!(
        diags.iter().all(|d| d["level"] == "warning"),
        "{}",
        show(&diags)
    );
    assert!(
        diags.iter().any(|d| d["file"]
            .as_str()
            .unwrap_or("")
            .starts_with("content/runbooks/loop")),
        "the loop is reported: {}",
        show(&diags)
    );
    assert_no_diag(&diags, "duplicate-page-id");
}

// ---------------------------------------------------------------------------
// Config
// ---------------------------------------------------------------------------

#[test]
fn config_unknown_key_is_a_warning_at_its_line() {
    let site = Site::new();
    site.file(
        "opswiki.yaml",
        "title: T\nstale_after_days: 90\ncolour: red\nkinds:\n  runbook:\n    required_section: [Symptom]\n  widget: {}\n",
    );
    let diags = check_json(&site, TODAY);
    let d = assert_diag_level(
        &diags,
        "warning",
        "config-unknown-key",
        "opswiki.yaml",
        3,
        1,
    );
    assert!(d["message"].as_str().unwrap().contains("colour"), "{d}");
    assert_diag_level(
        &diags,
        "warning",
        "config-unknown-key",
        "opswiki.yaml",
        6,
        5,
    );
    assert_diag_level(
        &diags,
        "warning",
        "config-unknown-key",
        "opswiki.yaml",
        7,
        3,
    );
    assert_eq!(diags.len(), 3, "{}", show(&diags));
    // Warnings only.
    assert_eq!(site.check(&[]).code, 0);
}

#[test]
fn config_invalid_yaml_is_located() {
    for (yaml, line, column) in [
        ("title: T\nstale_after_days: 9\n  nested: x\n", 3, 9),
        ("title: \"T\n", 1, 8),
    ] {
        let site = Site::new();
        site.file("opswiki.yaml", yaml);
        let diags = check_json(&site, TODAY);
        assert_diag_level(
            &diags,
            "error",
            "config-invalid",
            "opswiki.yaml",
            line,
            column,
        );
        assert_eq!(diags.len(), 1, "{yaml:?}\n{}", show(&diags));
    }
}

#[test]
fn config_invalid_values_are_located_at_the_value() {
    for (yaml, line, column) in [
        ("title: T\nstale_after_days: soon\n", 2, 19),
        ("title: T\nbase_url: ftp://wiki\n", 2, 11),
        ("severities: []\n", 1, 13),
        ("title: T\nseverity_map: [critical]\n", 2, 15),
        ("kinds:\n  runbook:\n    required_sections: {a: 1}\n", 3, 24),
        ("- a\n- b\n", 1, 1),
    ] {
        let site = Site::new();
        site.file("opswiki.yaml", yaml);
        let diags = check_json(&site, TODAY);
        assert_diag_level(
            &diags,
            "error",
            "config-invalid",
            "opswiki.yaml",
            line,
            column,
        );
        assert_eq!(diags.len(), 1, "{yaml:?}\n{}", show(&diags));
    }
}

#[test]
fn config_not_utf8_is_reported() {
    let site = Site::new();
    site.bytes("opswiki.yaml", b"title: Caf\xe9\n");
    let diags = check_json(&site, TODAY);
    assert_diag(&diags, "file-not-utf8", "opswiki.yaml", 1, 11);
}

// ---------------------------------------------------------------------------
// More of the contract
// ---------------------------------------------------------------------------

#[test]
fn field_invalid_is_located_at_the_value() {
    let (site, file) = one_page("---\nkind: widget\nowner: [a, b]\ntags: {a: 1}\n---\n# A\n");
    let diags = check_json(&site, TODAY);
    assert_diag_level(&diags, "error", "field-invalid", file, 2, 7);
    assert_diag(&diags, "field-invalid", file, 3, 8);
    assert_diag(&diags, "field-invalid", file, 4, 7);
    assert_eq!(diags.len(), 3, "{}", show(&diags));
}

#[test]
fn page_ids_ignore_case_and_extension_in_links() {
    let site = Site::new();
    site.file(
        "content/runbooks/K8s/PodCrash.md",
        &Runbook::new("Pod").render(),
    );
    site.file(
        "content/index.md",
        "# Home\n\n[a](runbooks/k8s/podcrash) [b](RUNBOOKS/K8S/PODCRASH.MD) [c](runbooks/K8s/PodCrash.md#rollback)\n",
    );
    assert_clean(&check_json(&site, TODAY));
}

#[test]
fn a_markdown_page_can_be_linked_by_its_path() {
    let site = Site::new();
    site.file(
        "content/docs/guide.markdown",
        "# Guide\n\n## Part\n\nText.\n",
    );
    site.file(
        "content/index.md",
        "# Home\n\n[a](docs/guide) [b](docs/guide.markdown) [c](docs/guide.markdown#part)\n",
    );
    assert_clean(&check_json(&site, TODAY));
}

#[test]
fn a_section_holding_only_an_empty_sub_heading_is_empty() {
    let text = Runbook::new("X").section("Rollback", "### Steps").render();
    let site = one_runbook(&text);
    let diags = check_json(&site, TODAY);
    let line = line_of(&text, "## Rollback");
    assert_diag(&diags, "runbook-section-empty", RB, line, 1);
}

#[test]
fn a_section_holding_only_an_html_comment_is_empty() {
    let text = Runbook::new("X")
        .section("Rollback", "<!-- How to undo the fix. -->")
        .section("Prevention", "<!--\nWhat stops this happening again.\n-->")
        .render();
    let site = one_runbook(&text);
    let diags = check_json(&site, TODAY);
    assert_diag(
        &diags,
        "runbook-section-empty",
        RB,
        line_of(&text, "## Rollback"),
        1,
    );
    assert_diag(
        &diags,
        "runbook-section-empty",
        RB,
        line_of(&text, "## Prevention"),
        1,
    );
}

#[test]
fn an_empty_required_field_is_missing() {
    for field in ["title", "owner"] {
        let text = Runbook::new("X")
            .field(field, "\"  \"")
            .h1(Some("Runbook: X"))
            .render();
        let site = one_runbook(&text);
        let diags = check_json(&site, TODAY);
        // With a `# ` heading the title falls back to it; the others are missing.
        if field == "title" {
            assert_clean(&diags);
            site.build_ok();
            assert!(site.output("runbooks/x/index.html").contains("<title>X · "));
        } else {
            let d = assert_diag(&diags, "runbook-field-missing", RB, 1, 1);
            assert!(d["message"].as_str().unwrap().contains(field), "{d}");
        }
    }
    let text = Runbook::new("X").field("title", "\"\"").h1(None).render();
    let diags = check_json(&one_runbook(&text), TODAY);
    assert_diag(&diags, "runbook-field-missing", RB, 1, 1);
}
