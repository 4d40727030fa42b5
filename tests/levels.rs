//! Levels per code and per path, the command line's shorthands, suppression
//! comments, the baseline and `--explain`, end to end on fixture sites: the
//! contract's "Diagnostic levels, suppressions and the baseline".

mod common;

use common::*;

/// A runbook with a broken link and a stale date: two findings, one error
/// and one warning by default.
fn old_runbook(title: &str) -> String {
    Runbook::new(title)
        .field("last_updated", "2025-01-02")
        .section("Diagnosis Steps", "See [the dashboard](runbooks/nowhere).")
        .render()
}

/// The one diagnostic with `code` in `file` has `level`.
#[track_caller]
fn assert_level(diags: &[serde_json::Value], level: &str, code: &str, file: &str) {
    let found: Vec<_> = diags
        .iter()
        .filter(|d| d["code"] == code && d["file"] == file)
        .collect();
    assert_eq!(found.len(), 1, "one {code} in {file}:\n{}", show(diags));
    assert_eq!(found[0]["level"], level, "{}", show(diags));
}

fn summary_line(out: &Output) -> String {
    out.stderr
        .lines()
        .rev()
        .find(|l| l.contains(" pages,") || l.contains(" page,"))
        .unwrap_or_default()
        .to_string()
}

#[test]
fn defaults_then_levels_per_code() {
    let site = Site::new();
    site.file("content/runbooks/db.md", &old_runbook("DB"));
    let out = site.check(&["--format", "json"]);
    assert_eq!(out.code, 1, "{out}");
    let diags = parse_json_lines(&out.stdout);
    assert_level(&diags, "error", "link-broken", "content/runbooks/db.md");
    assert_level(&diags, "warning", "runbook-stale", "content/runbooks/db.md");

    site.file(
        "opswiki.yaml",
        "diagnostics:\n  link-broken: warning\n  runbook-stale: off\n",
    );
    let out = site.check(&["--format", "json"]);
    assert_eq!(out.code, 0, "{out}");
    let diags = parse_json_lines(&out.stdout);
    assert_level(&diags, "warning", "link-broken", "content/runbooks/db.md");
    assert_no_diag(&diags, "runbook-stale");
    assert!(summary_line(&out).ends_with("0 errors, 1 warning"), "{out}");

    // --deny-warnings is a shorthand: the warning is reported as an error.
    let out = site.check(&["--format", "json", "--deny-warnings"]);
    assert_eq!(out.code, 1, "{out}");
    assert_level(
        &parse_json_lines(&out.stdout),
        "error",
        "link-broken",
        "content/runbooks/db.md",
    );

    site.file("opswiki.yaml", "diagnostics:\n  runbook-stale: error\n");
    let out = site.check(&["--format", "json"]);
    assert_level(
        &parse_json_lines(&out.stdout),
        "error",
        "runbook-stale",
        "content/runbooks/db.md",
    );
}

#[test]
fn overrides_apply_to_the_paths_they_match_and_later_entries_win() {
    let site = Site::new();
    let no_rollback = Runbook::new("Old").without_section("Rollback").render();
    site.file("content/runbooks/legacy/old.md", &no_rollback);
    site.file("content/runbooks/legacy/deep/older.md", &no_rollback);
    site.file("content/runbooks/new.md", &no_rollback);
    site.file(
        "opswiki.yaml",
        "overrides:\n  - paths: [\"content/runbooks/legacy/**\"]\n    diagnostics: {runbook-section-missing: warning}\n  - paths: [\"content/runbooks/legacy/deep/*\"]\n    diagnostics: {runbook-section-missing: off}\n",
    );
    let out = site.check(&["--format", "json"]);
    let diags = parse_json_lines(&out.stdout);
    assert_eq!(out.code, 1, "{out}");
    assert_level(
        &diags,
        "error",
        "runbook-section-missing",
        "content/runbooks/new.md",
    );
    assert_level(
        &diags,
        "warning",
        "runbook-section-missing",
        "content/runbooks/legacy/old.md",
    );
    assert_count(&diags, "runbook-section-missing", 2);
}

#[test]
fn an_unknown_code_or_level_in_the_config_is_located_and_named() {
    let site = Site::new();
    site.file("content/runbooks/db.md", &Runbook::new("DB").render());
    site.file(
        "opswiki.yaml",
        "diagnostics:\n  link-brokn: off\n  runbook-stale: loud\noverrides:\n  - paths: [\"content/[x\"]\n    diagnostics: {}\n",
    );
    let out = site.check(&["--format", "json"]);
    let diags = parse_json_lines(&out.stdout);
    let d = assert_diag(&diags, "config-unknown-key", "opswiki.yaml", 2, 3);
    assert_eq!(d["help"], "did you mean `link-broken`?", "{d}");
    assert_diag(&diags, "config-invalid", "opswiki.yaml", 3, 18);
    assert_diag(&diags, "config-invalid", "opswiki.yaml", 5, 13);
}

#[test]
fn deny_external_raises_a_code_that_is_off_by_default() {
    let site = Site::new();
    site.file("content/runbooks/db.md", &Runbook::new("DB").render());
    site.file(
        "content/alarms/db.yaml",
        "- name: db-down\n  description: DB is down\n  severity: P2\n  runbook: https://elsewhere.example.com/db\n",
    );
    let out = site.check(&["--format", "json"]);
    assert_eq!(out.code, 0, "{out}");
    assert_no_diag(&parse_json_lines(&out.stdout), "alarm-runbook-external");
    let out = site.check(&["--format", "json", "--deny-external"]);
    assert_eq!(out.code, 1, "{out}");
    assert_diag(
        &parse_json_lines(&out.stdout),
        "alarm-runbook-external",
        "content/alarms/db.yaml",
        4,
        12,
    );
    site.file(
        "opswiki.yaml",
        "diagnostics: {alarm-runbook-external: warning}\n",
    );
    let out = site.check(&["--format", "json"]);
    assert_level(
        &parse_json_lines(&out.stdout),
        "warning",
        "alarm-runbook-external",
        "content/alarms/db.yaml",
    );
}

#[test]
fn markdown_suppressions_for_a_line_and_a_file() {
    let site = Site::new();
    let text = Runbook::new("DB")
        .field("last_updated", "2025-01-02")
        .section(
            "Diagnosis Steps",
            "<!-- opswiki-ignore link-broken -->\n\nSee [a](runbooks/nowhere).\nSee [b](runbooks/gone).\n",
        )
        .tail("\n<!-- opswiki-ignore-file runbook-stale -->\n")
        .render();
    site.file("content/runbooks/db.md", &text);
    let out = site.check(&["--format", "json"]);
    let diags = parse_json_lines(&out.stdout);
    assert_count(&diags, "link-broken", 1);
    let (line, _) = pos(&text, "runbooks/gone");
    assert_eq!(
        with_code(&diags, "link-broken")[0]["line"],
        line,
        "{}",
        show(&diags)
    );
    assert_no_diag(&diags, "runbook-stale");
    assert_no_diag(&diags, "suppression-unused");
}

#[test]
fn a_suppression_that_suppresses_nothing_is_a_warning_at_its_code() {
    let site = Site::new();
    let text = Runbook::new("DB")
        .section(
            "Diagnosis Steps",
            "<!-- opswiki-ignore link-broken, link-brokn -->\nAll links work here: [home](index).\n",
        )
        .render();
    site.file("content/index.md", "# Home\n");
    site.file("content/runbooks/db.md", &text);
    let out = site.check(&["--format", "json"]);
    assert_eq!(out.code, 0, "{out}");
    let diags = parse_json_lines(&out.stdout);
    let (line, column) = pos(&text, "link-broken,");
    assert_diag(
        &diags,
        "suppression-unused",
        "content/runbooks/db.md",
        line,
        column,
    );
    let (line, column) = pos(&text, "link-brokn ");
    let d = assert_diag(
        &diags,
        "suppression-unused",
        "content/runbooks/db.md",
        line,
        column,
    );
    assert!(d["help"].as_str().unwrap().contains("link-broken"), "{d}");
    assert_count(&diags, "suppression-unused", 2);
}

#[test]
fn yaml_suppressions_cover_the_item_their_line_opens() {
    let site = Site::new();
    site.file("content/runbooks/db.md", &Runbook::new("DB").render());
    let alarms = "groups:\n  - name: db\n    rules:\n      - alert: DbDown  # opswiki-ignore alarm-runbook-missing, alarm-description-missing\n        expr: up{job=\"db\"} == 0\n        labels:\n          severity: critical\n      # opswiki-ignore alarm-runbook-missing\n      - alert: DbSlow\n        expr: latency > 1\n        labels: {severity: warning}\n        annotations: {summary: slow}\n      - alert: DbFull\n        expr: disk > 0.9\n        labels: {severity: warning}\n        annotations: {summary: full}\n";
    site.file("content/alarms/db.yaml", alarms);
    let out = site.check(&["--format", "json"]);
    let diags = parse_json_lines(&out.stdout);
    let (line, column) = pos(alarms, "alert: DbFull");
    assert_exactly(
        &diags,
        &[(
            "error",
            "alarm-runbook-missing",
            "content/alarms/db.yaml",
            line,
            column,
        )],
    );
}

#[test]
fn the_baseline_accepts_todays_findings_and_fails_only_on_new_ones() {
    let site = Site::new();
    site.file("content/runbooks/a.md", &old_runbook("A"));
    site.file("content/runbooks/b.md", &old_runbook("B"));
    assert_eq!(site.check(&[]).code, 1);

    let out = site.check(&["--write-baseline"]);
    assert_eq!(out.code, 0, "{out}");
    assert!(
        out.stderr
            .contains("wrote 4 findings to .opswiki-baseline.json"),
        "{out}"
    );
    let baseline: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(site.path(".opswiki-baseline.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(baseline["findings"].as_array().unwrap().len(), 4);

    let out = site.check(&["--format", "json"]);
    assert_eq!(out.code, 0, "{out}");
    assert!(
        parse_json_lines(&out.stdout).is_empty(),
        "baselined findings are left out: {out}"
    );
    assert!(
        summary_line(&out).ends_with("0 errors, 0 warnings, 4 in the baseline"),
        "{out}"
    );
    assert_eq!(
        site.build(&[]).code,
        0,
        "a build with only baselined findings succeeds"
    );

    // Lines inserted above the findings leave them matched.
    let moved = old_runbook("A").replacen(
        "## Symptom",
        "Some words first.\n\nMore words.\n\n## Symptom",
        1,
    );
    site.file("content/runbooks/a.md", &moved);
    let out = site.check(&["--format", "json"]);
    assert_eq!(out.code, 0, "{out}");

    // A new finding fails; only it is reported.
    let new = moved.replace("Rollback", "Rolling");
    site.file("content/runbooks/a.md", &new);
    let out = site.check(&["--format", "json"]);
    assert_eq!(out.code, 1, "{out}");
    let diags = parse_json_lines(&out.stdout);
    assert_eq!(
        codes(&diags),
        vec!["runbook-section-missing"],
        "{}",
        show(&diags)
    );
    assert!(
        summary_line(&out).ends_with("1 error, 0 warnings, 4 in the baseline"),
        "{out}"
    );

    // Fixed findings leave the baseline when it is written again.
    site.file("content/runbooks/b.md", &Runbook::new("B").render());
    site.file("content/runbooks/a.md", &old_runbook("A"));
    let out = site.check(&["--write-baseline"]);
    assert!(out.stderr.contains("wrote 2 findings"), "{out}");
}

#[test]
fn the_baseline_marks_nothing_in_github_and_junit_output_either() {
    let site = Site::new();
    site.file("content/runbooks/a.md", &old_runbook("A"));
    site.check(&["--write-baseline"]);
    for format in ["github", "junit", "text"] {
        let out = site.check(&["--format", format]);
        assert_eq!(out.code, 0, "{format}: {out}");
        assert!(!out.stdout.contains("link-broken"), "{format}: {out}");
        assert!(!out.stderr.contains("link-broken"), "{format}: {out}");
    }
}

#[test]
fn a_baseline_that_is_not_one_is_an_error_and_baseline_names_the_file() {
    let site = Site::new();
    site.file("content/runbooks/a.md", &Runbook::new("A").render());
    site.file("opswiki.yaml", "baseline: ci/accepted.json\n");
    site.file("ci/accepted.json", "{\n  \"findings\": [\n");
    let out = site.check(&["--format", "json"]);
    assert_eq!(out.code, 1, "{out}");
    assert_diag(
        &parse_json_lines(&out.stdout),
        "baseline-invalid",
        "ci/accepted.json",
        3,
        1,
    );
    site.remove("ci/accepted.json");
    site.file("content/runbooks/b.md", &old_runbook("B"));
    assert_eq!(site.check(&["--write-baseline"]).code, 0);
    assert!(site.path("ci/accepted.json").is_file());
    assert_eq!(site.check(&[]).code, 0);
}

#[test]
fn explain_prints_the_registry_entry() {
    let out = run(&["check", "--explain", "runbook-stale"]);
    assert_eq!(out.code, 0, "{out}");
    assert!(out.stdout.starts_with("runbook-stale: "), "{out}");
    assert!(out.stdout.contains("level: warning by default"), "{out}");
    let out = run(&["check", "--explain", "runbok-stale"]);
    assert_eq!(out.code, 2, "{out}");
    assert!(
        out.stderr.contains("did you mean `runbook-stale`?"),
        "{out}"
    );
}

#[test]
fn front_matter_that_does_not_parse_is_one_error_at_the_opener() {
    let site = Site::new();
    let text = "---\ntitle: Disk full\ntags: [disk, storage\nowner: team-sre\nseverity: P2\nlast_updated: 2026-11-01\n---\n# Disk full\n\n## Symptom\n\nFull.\n";
    site.file("content/runbooks/disk.md", text);
    let out = site.check(&["--format", "json"]);
    let diags = parse_json_lines(&out.stdout);
    let (line, column) = pos(text, "[disk");
    assert_exactly(
        &diags,
        &[(
            "error",
            "front-matter-invalid",
            "content/runbooks/disk.md",
            line,
            column,
        )],
    );
    let message = diags[0]["message"].as_str().unwrap();
    assert!(
        message.contains("`[` opened here is never closed"),
        "{message}"
    );

    let unclosed = "---\ntitle: X\n# X\n\n## Symptom\n";
    site.file("content/runbooks/disk.md", unclosed);
    let diags = parse_json_lines(&site.check(&["--format", "json"]).stdout);
    assert_exactly(
        &diags,
        &[(
            "error",
            "front-matter-unclosed",
            "content/runbooks/disk.md",
            1,
            1,
        )],
    );
}

/// The text output of representative diagnostics, reviewed like code: a
/// change to how a finding reads shows up as a snapshot diff.
#[test]
fn text_output_snapshots() {
    let site = Site::new();
    site.file("content/index.md", "# Home\n");
    site.file(
        "content/runbooks/db.md",
        &Runbook::new("DB")
            .section(
                "Diagnosis Steps",
                "See [the dashboard](runbooks/dashbord#latency).\n\n<!-- opswiki-ignore placeholder-txt -->\nAll good.\n",
            )
            .render(),
    );
    site.file(
        "content/runbooks/disk.md",
        "---\ntitle: Disk full\ntags: [disk, storage\nowner: team-sre\n---\n# Disk full\n",
    );
    site.file(
        "content/alarms/db.yaml",
        "- name: db-down\n  description: DB is down\n  severity: P2\n",
    );
    site.file("opswiki.yaml", "diagnostics:\n  runbook-stale: eror\n");
    let out = site.check(&["--color", "never"]);
    assert_eq!(out.code, 1, "{out}");
    insta::assert_snapshot!(out.stderr);
}
