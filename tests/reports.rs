//! Weekly reports: the checks (each located at the offending value), the
//! numbers computed from them (worked out by hand below), and the report
//! pages and trend charts.

mod common;
mod opsdata;

use common::*;
use opsdata::Week;

fn site_with(files: &[(&str, &str)]) -> Site {
    let site = Site::new();
    for (path, text) in files {
        site.file(path, text);
    }
    site
}

// ---------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------

#[test]
fn a_clean_report_checks_clean() {
    let w = Week::new("2026-11-16");
    assert_clean(&check_json(&site_with(&[(&w.path(), &w.render())]), TODAY));
}

#[test]
fn report_week_missing() {
    const F: &str = "content/reports/undated.md";
    let text = Week::new("2026-11-16")
        .render()
        .replace("week_of: 2026-11-16\n", "");
    let diags = check_json(&site_with(&[(F, &text)]), TODAY);
    assert_exactly(&diags, &[("error", "report-week-missing", F, 1, 1)]);
    // A report with no front matter at all.
    let diags = check_json(&site_with(&[(F, "# Notes\n\nNothing yet.\n")]), TODAY);
    assert_exactly(&diags, &[("error", "report-week-missing", F, 1, 1)]);
}

#[test]
fn week_of_must_be_a_date() {
    const F: &str = "content/reports/x.md";
    let text = Week::new("2026-13-01").render();
    let diags = check_json(&site_with(&[(F, &text)]), TODAY);
    let (line, col) = pos(&text, "2026-13-01\n");
    assert_exactly(&diags, &[("error", "date-invalid", F, line, col)]);
}

#[test]
fn report_week_duplicate_names_both_files() {
    let w = Week::new("2026-11-16").render();
    let diags = check_json(
        &site_with(&[("content/reports/b.md", &w), ("content/reports/a.md", &w)]),
        TODAY,
    );
    let (line, col) = pos(&w, "2026-11-16\navailability");
    let d = assert_diag_level(
        &diags,
        "error",
        "report-week-duplicate",
        "content/reports/b.md",
        line,
        col,
    );
    let message = d["message"].as_str().unwrap();
    assert!(
        message.contains("content/reports/a.md") && message.contains("content/reports/b.md"),
        "{message}"
    );
    assert_count(&diags, "report-week-duplicate", 1);
}

#[test]
fn report_value_out_of_range() {
    const F: &str = "content/reports/2026-11-16.md";
    let text = Week::new("2026-11-16")
        .uptime(100.5, Some(20000.0))
        .spend(-5.0, 400.0)
        .service("API", 101.0, 180.0)
        .render();
    let diags = check_json(&site_with(&[(F, &text)]), TODAY);
    let at = |needle: &str| pos(&text, needle);
    let (l1, c1) = at("100.5");
    let (l2, c2) = at("20000");
    let (l3, c3) = at("-5");
    let (l4, c4) = at("101");
    assert_exactly(
        &diags,
        &[
            ("error", "report-value-out-of-range", F, l1, c1),
            ("error", "report-value-out-of-range", F, l2, c2),
            ("error", "report-value-out-of-range", F, l3, c3),
            ("error", "report-value-out-of-range", F, l4, c4),
        ],
    );
    let d = assert_diag(&diags, "report-value-out-of-range", F, l1, c1);
    assert!(d["message"].as_str().unwrap().contains("above 100"), "{d}");
    let d = assert_diag(&diags, "report-value-out-of-range", F, l3, c3);
    assert!(d["message"].as_str().unwrap().contains("negative"), "{d}");
}

#[test]
fn report_block_invalid() {
    const F: &str = "content/reports/2026-11-16.md";
    let text = "---\nweek_of: 2026-11-16\navailability: 99.9\nlatency_ms:\n  p95: {value: fast, target: 500}\n  p99: [1, 2]\nerrors: {total_5xx: 12.5}\nservices: {name: API}\naction_items:\n  - {text: Fix, done: maybe}\n---\n";
    let diags = check_json(&site_with(&[(F, text)]), TODAY);
    let at = |needle: &str| pos(text, needle);
    let expected: Vec<(u32, u32)> = vec![
        at("99.9"),
        at("fast"),
        at("[1, 2]"),
        at("12.5"),
        at("{name: API}"),
        at("maybe"),
    ];
    let want: Vec<(&str, &str, &str, u32, u32)> = expected
        .iter()
        .map(|(l, c)| ("error", "report-block-invalid", F, *l, *c))
        .collect();
    assert_exactly(&diags, &want);
}

#[test]
fn unknown_keys_and_severities() {
    const F: &str = "content/reports/2026-11-16.md";
    let text = "---\nweek_of: 2026-11-16\navailability: {uptime: 99.9, target_pct: 99.9}\nincidents: {P1: 0, P5: 1}\n---\n";
    let diags = check_json(&site_with(&[(F, text)]), TODAY);
    let (l1, c1) = pos(text, "uptime:");
    let (l2, c2) = pos(text, "P5");
    assert_exactly(
        &diags,
        &[
            ("warning", "report-key-unknown", F, l1, c1),
            ("error", "severity-unknown", F, l2, c2),
        ],
    );
}

// ---------------------------------------------------------------------------
// Computed numbers
// ---------------------------------------------------------------------------

/// Two weeks whose files sort the other way round from their weeks, so the
/// "previous report" must come from `week_of`, not the file order.
fn two_weeks() -> Site {
    let first = Week::new("2026-11-09")
        .uptime(99.94, Some(6.0))
        .latency(54.0, 285.0, 850.0)
        .errors(356.0)
        .spend(520.0, 400.0)
        .incidents([0, 0, 2, 0])
        .service("API Gateway", 99.95, 279.0);
    let second = Week::new("2026-11-16")
        .uptime(99.95, Some(5.0))
        .latency(56.0, 308.0, 930.0)
        .errors(372.0)
        .spend(384.0, 400.0)
        .incidents([0, 0, 1, 0])
        .service("API Gateway", 99.96, 302.0);
    site_with(&[
        ("content/reports/b-first.md", &first.render()),
        ("content/reports/a-second.md", &second.render()),
    ])
}

/// The `<tr data-metric="KEY">` row of a report page.
fn metric_row<'a>(html: &'a str, key: &str) -> &'a str {
    let start = html
        .find(&format!("<tr data-metric=\"{key}\">"))
        .unwrap_or_else(|| panic!("no row {key} in:\n{html}"));
    let end = start + html[start..].find("</tr>").unwrap();
    &html[start..end]
}

#[test]
fn week_over_week_changes_come_from_the_previous_week() {
    let site = two_weeks();
    site.build_ok();
    let html = site.output("reports/a-second/index.html");
    // p95 285 → 308: +23 ms, 23 / 285 = 8.07%.
    let row = metric_row(&html, "p95");
    assert!(row.contains("<td class=\"num\">308 ms</td>"), "{row}");
    assert!(row.contains("<td class=\"num\">≤ 500 ms</td>"), "{row}");
    assert!(row.contains("✓ met"), "{row}");
    assert!(row.contains("change worse\">+23 ms (+8.1%)"), "{row}");
    // p99 850 → 930: +80 ms, 80 / 850 = 9.41%.
    assert!(metric_row(&html, "p99").contains("+80 ms (+9.4%)"));
    // Uptime 99.94 → 99.95: +0.01 percentage points, better.
    let row = metric_row(&html, "uptime");
    assert!(row.contains("change better\">+0.01 pp"), "{row}");
    assert!(row.contains("≥ 99.9%"), "{row}");
    // Downtime 6 → 5: −1 min, 1 / 6 = 16.7% less.
    assert!(metric_row(&html, "downtime").contains("change better\">−1 min (−16.7%)"));
    // 5xx 356 → 372: +16, 16 / 356 = 4.49%.
    assert!(metric_row(&html, "5xx").contains("+16 (+4.5%)"));
    // Spend 520 → 384: −$136, 136 / 520 = 26.15%.
    let row = metric_row(&html, "spend");
    assert!(row.contains("change better\">−$136 (−26.2%)"), "{row}");
    // Incidents 2 → 1.
    assert!(metric_row(&html, "incidents").contains("−1 (−50%)"));
    // Service p95 279 → 302: +23 ms, 8.24%.
    assert!(html.contains("+23 ms (+8.2%)"), "{html}");
    // Links between the weeks.
    assert!(
        html.contains("rel=\"prev\" href=\"../../reports/b-first/index.html\""),
        "{html}"
    );

    // The first week has nothing to compare with, and missed its budget.
    let first = site.output("reports/b-first/index.html");
    assert!(first.contains("this is the first one"), "{first}");
    let row = metric_row(&first, "spend");
    assert!(
        row.contains("✗ missed") && row.contains("<td class=\"num change same\">—</td>"),
        "{row}"
    );
    assert!(first.contains("rel=\"next\" href=\"../../reports/a-second/index.html\""));
}

#[test]
fn the_error_budget_of_a_week() {
    let site = two_weeks();
    site.build_ok();
    // 99.9% of 10,080 minutes allows 10.08; 5 used leaves 5.08 = 50.4%.
    let html = site.output("reports/a-second/index.html");
    assert!(
        html.contains("<strong>5.08 min left</strong> (50.4% of the budget)"),
        "{html}"
    );
    assert!(html.contains("the target allows 10.08 min of downtime this week, 5 min were used (from <code>downtime_minutes</code>)"));

    // 20 minutes down: 10.08 − 20 = −9.92 min, −98.4% of the budget.
    let w = Week::new("2026-11-16").uptime(99.8, Some(20.0));
    let site = site_with(&[(&w.path(), &w.render())]);
    site.build_ok();
    let html = site.output("reports/2026-11-16/index.html");
    assert!(
        html.contains("<strong>-9.92 min left</strong> (-98.4% of the budget) <span class=\"verdict missed\">overspent</span>"),
        "{html}"
    );
    assert!(metric_row(&html, "uptime").contains("✗ missed"));

    // Without downtime_minutes, from the uptime: 0.05% of 10,080 = 5.04 used,
    // 5.04 left, exactly half the budget.
    let w = Week::new("2026-11-16").uptime(99.95, None);
    let site = site_with(&[(&w.path(), &w.render())]);
    site.build_ok();
    let html = site.output("reports/2026-11-16/index.html");
    assert!(
        html.contains("<strong>5.04 min left</strong> (50% of the budget)"),
        "{html}"
    );
    assert!(html.contains("(from <code>uptime_pct</code>)"));
}

// ---------------------------------------------------------------------------
// The index and its charts
// ---------------------------------------------------------------------------

/// The `<svg>` of one chart on the index.
fn svg<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("<svg class=\"chart\" id=\"chart-{id}\""))
        .unwrap_or_else(|| panic!("no chart {id}"));
    let end = start + html[start..].find("</svg>").unwrap() + 6;
    &html[start..end]
}

#[test]
fn the_index_draws_every_trend_chart() {
    let site = two_weeks();
    site.build_ok();
    let html = site.output("reports/index.html");
    assert_eq!(count(&html, "<svg class=\"chart\""), 5, "{html}");
    for (id, title) in [
        ("uptime", "Uptime against target"),
        ("latency", "Latency percentiles against targets"),
        ("errors", "5xx errors per week"),
        ("cost", "Spend against budget"),
        ("incidents", "Incidents by severity"),
    ] {
        let s = svg(&html, id);
        assert!(s.contains("role=\"img\""), "{id}");
        assert!(
            s.contains(&format!("<title id=\"chart-{id}-title\">{title}</title>")),
            "{id}: {s}"
        );
        assert!(s.contains(&format!(
            "aria-labelledby=\"chart-{id}-title chart-{id}-desc\""
        )));
        // Axes and week labels, in the page's text colour.
        assert!(s.contains("fill=\"currentColor\""), "{id}");
        assert!(
            s.contains(">Nov 9</text>") && s.contains(">Nov 16</text>"),
            "{id}: {s}"
        );
        assert_eq!(
            check_xml(s).as_deref(),
            Ok("svg"),
            "{id} is not well-formed"
        );
        // A heading to link to, as the status summary does.
        assert!(html.contains(&format!(
            "<h2 id=\"{id}\" class=\"chart-title\">{title}</h2>"
        )));
    }
    // Latency: three lines, each with its dashed target (in the plot and the legend).
    let s = svg(&html, "latency");
    assert_eq!(count(s, "<polyline"), 6, "{s}");
    assert_eq!(count(s, "stroke-dasharray"), 6, "{s}");
    assert!(
        s.contains("<title>Week of 2026-11-16: p95 308 ms</title>"),
        "{s}"
    );
    // Round ticks from 0 to the 1,000 ms target.
    assert!(s.contains(">0</text>") && s.contains(">1000</text>"), "{s}");
    // Uptime: ticks a hundredth apart around the values and the target.
    let s = svg(&html, "uptime");
    assert!(
        s.contains(">99.90</text>") && s.contains(">99.95</text>"),
        "{s}"
    );
    // Spend: the week over budget is drawn apart, the budget dashed.
    let s = svg(&html, "cost");
    assert_eq!(count(s, "class=\"bar over\""), 1, "{s}");
    assert!(s.contains("Week of 2026-11-09: Spend $520"), "{s}");
    assert!(s.contains(">Over budget</text>") && s.contains(">Budget</text>"));
    // Incidents stacked by severity, whole-number ticks only.
    let s = svg(&html, "incidents");
    assert_eq!(count(s, "class=\"bar p3\""), 2, "{s}");
    assert!(!s.contains(">0.5</text>"), "{s}");
    // The data behind each chart, as a table.
    assert!(html.contains("<td>308 ms</td>"), "{html}");
    // Every week, newest first, with its verdicts.
    let second = html.find("Week of 2026-11-16</a>").unwrap();
    let first = html.find("Week of 2026-11-09</a>").unwrap();
    assert!(second < first);
    assert!(
        html.contains("<td class=\"num verdict-cell missed\">$520</td>"),
        "{html}"
    );
}

#[test]
fn the_example_reports_show_their_trend() {
    let holder = Site::bare();
    let out = holder.root().join("out");
    let result = build_into(&repo_root(), &out, "2026-11-26", &[]);
    assert_eq!(result.code, 0, "{result}");
    let html = std::fs::read_to_string(out.join("reports/index.html")).unwrap();
    // Eight weeks on every chart; the NAT gateway week over budget.
    let s = svg(&html, "latency");
    assert!(s.contains(">Sep 28</text>") && s.contains(">Nov 16</text>"));
    assert!(s.contains("Week of 2026-11-16: p99 930 ms"));
    assert_eq!(count(svg(&html, "cost"), "class=\"bar over\""), 1);
}
