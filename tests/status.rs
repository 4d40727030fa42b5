//! `opswiki status` and the status page: each rule of docs/status.md on a
//! fixture whose answer is worked out by hand, every format, the exit codes.

mod common;
mod opsdata;

use common::*;
use opsdata::{Week, plain_postmortem, runbook};
use serde_json::Value;

/// `status --format json`, which must exit 0.
fn status_json(site: &Site, today: &str) -> Value {
    let out = status(site, today, "json");
    assert_eq!(out.code, 0, "{out}");
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{out}"))
}

fn status(site: &Site, today: &str, format: &str) -> Output {
    let root = site.root();
    run(&[
        "status",
        "--root",
        root.to_str().unwrap(),
        "--today",
        today,
        "--format",
        format,
    ])
}

/// The items a rule produced.
fn items<'a>(status: &'a Value, rule: &str) -> Vec<&'a Value> {
    status["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["rule"] == rule)
        .collect()
}

/// The single item of a rule.
#[track_caller]
fn item<'a>(status: &'a Value, rule: &str) -> &'a Value {
    let found = items(status, rule);
    assert_eq!(found.len(), 1, "{rule}: {status:#}");
    found[0]
}

#[track_caller]
fn assert_text(value: &Value, needle: &str) {
    let text = value.as_str().unwrap_or_default();
    assert!(text.contains(needle), "no {needle:?} in {text:?}");
}

/// A site with these weeks (and a fresh runbook).
fn site_of(weeks: &[Week]) -> Site {
    let site = Site::new();
    site.file("content/runbooks/fresh.md", &runbook("Fresh"));
    for w in weeks {
        site.file(&w.path(), &w.render());
    }
    site
}

/// Four steady weeks that meet every target.
fn steady() -> Vec<Week> {
    ["2026-10-26", "2026-11-02", "2026-11-09", "2026-11-16"]
        .iter()
        .map(|w| Week::new(w))
        .collect()
}

#[test]
fn a_site_meeting_every_rule_is_healthy() {
    let site = site_of(&steady());
    let s = status_json(&site, "2026-11-20");
    assert_eq!(s["overall"], "HEALTHY", "{s:#}");
    assert_eq!(s["today"], "2026-11-20");
    assert_eq!(s["latest_report"]["week_of"], "2026-11-16");
    assert_eq!(
        s["window"],
        serde_json::json!(["2026-10-26", "2026-11-02", "2026-11-09", "2026-11-16"])
    );
    let rules: Vec<&str> = s["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "report-fresh",
            "availability",
            "latency-target",
            "latency-trend",
            "errors-trend",
            "spend",
            "spend-pace",
            "incidents",
            "runbooks-stale"
        ]
    );
    assert!(
        s["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["health"] == "HEALTHY")
    );
    // 99.9% of 10,080 min = 10.08 allowed; 5 used; 5.08 left = 50.4%.
    assert_text(
        &item(&s, "availability")["evidence"],
        "error budget 10.08 min, 5 min of downtime, 5.08 min left (50% of the budget)",
    );
}

#[test]
fn trends_compare_the_last_four_reports() {
    // The first week is outside the window: its p95 of 100 must not count.
    let weeks = vec![
        Week::new("2026-10-26")
            .latency(20.0, 100.0, 100.0)
            .errors(10.0),
        Week::new("2026-11-02")
            .latency(40.0, 200.0, 400.0)
            .errors(100.0),
        Week::new("2026-11-09")
            .latency(45.0, 210.0, 420.0)
            .errors(110.0),
        Week::new("2026-11-16")
            .latency(50.0, 230.0, 450.0)
            .errors(115.0),
        Week::new("2026-11-23")
            .latency(60.0, 250.0, 499.0)
            .errors(125.0),
    ];
    let s = status_json(&site_of(&weeks), "2026-11-25");
    assert_eq!(s["overall"], "DEGRADED");
    let trends = items(&s, "latency-trend");
    // p50 40 → 60 is +50%, p95 200 → 250 is +25% (the threshold counts),
    // p99 400 → 499 is +24.75%: not a trend.
    let degraded: Vec<&str> = trends
        .iter()
        .filter(|i| i["health"] == "DEGRADED")
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        degraded,
        [
            "p50 latency up 50% over the last 4 reports",
            "p95 latency up 25% over the last 4 reports"
        ]
    );
    let p95 = trends
        .iter()
        .find(|i| i["title"].as_str().unwrap().starts_with("p95"))
        .unwrap();
    assert_text(
        &p95["evidence"],
        "200 ms (week of 2026-11-02) → 250 ms (week of 2026-11-23); now 50% of its 500 ms target",
    );
    assert_eq!(p95["link"]["path"], "reports/index.html#latency");
    let fine = trends.iter().find(|i| i["health"] == "HEALTHY").unwrap();
    assert_text(&fine["evidence"], "p99 +24.8%");
    // 5xx 100 → 125 is +25%.
    let errors = item(&s, "errors-trend");
    assert_eq!(errors["health"], "DEGRADED");
    assert_text(
        &errors["evidence"],
        "100 (week of 2026-11-02) → 125 (week of 2026-11-23)",
    );
    // Every latency target is still met.
    assert_eq!(item(&s, "latency-target")["health"], "HEALTHY");
}

#[test]
fn availability_below_target_is_unhealthy_and_a_low_budget_degraded() {
    let mut weeks = steady();
    // 15 minutes down: 10.08 − 15 = −4.92 minutes left.
    weeks[3] = Week::new("2026-11-16").uptime(99.85, Some(15.0));
    let s = status_json(&site_of(&weeks), "2026-11-20");
    assert_eq!(s["overall"], "UNHEALTHY");
    let a = item(&s, "availability");
    assert_eq!(a["health"], "UNHEALTHY");
    assert_eq!(
        a["title"],
        "Availability target missed: 99.85% against 99.9%"
    );
    assert_text(&a["evidence"], "-4.92 min left");
    assert_eq!(a["link"]["path"], "reports/2026-11-16/index.html");
    // Unhealthy items come first.
    assert_eq!(s["items"][0]["rule"], "availability");

    // 8 minutes down: 2.08 of 10.08 left = 20.6%, under 25%.
    weeks[3] = Week::new("2026-11-16").uptime(99.92, Some(8.0));
    let s = status_json(&site_of(&weeks), "2026-11-20");
    let a = item(&s, "availability");
    assert_eq!(
        (a["health"].as_str(), s["overall"].as_str()),
        (Some("DEGRADED"), Some("DEGRADED"))
    );
    assert_eq!(a["title"], "Error budget low: 21% left");

    // Uptime meets the target but the downtime overspends the budget.
    weeks[3] = Week::new("2026-11-16").uptime(99.95, Some(12.0));
    let s = status_json(&site_of(&weeks), "2026-11-20");
    assert_eq!(item(&s, "availability")["title"], "Error budget overspent");
    assert_eq!(s["overall"], "UNHEALTHY");
}

#[test]
fn a_latency_target_missed_is_degraded() {
    let mut weeks = steady();
    weeks[3] = Week::new("2026-11-16").latency(50.0, 600.0, 480.0);
    let s = status_json(&site_of(&weeks), "2026-11-20");
    let missed = items(&s, "latency-target");
    assert_eq!(missed.len(), 1);
    assert_eq!(missed[0]["health"], "DEGRADED");
    // 600 against 500 is 20% over.
    assert_text(
        &missed[0]["evidence"],
        "p95 600 ms against a target of 500 ms in the week of 2026-11-16 (+20% over the target)",
    );
}

#[test]
fn spend_over_budget_and_spend_pace() {
    let mut weeks = steady();
    for (w, spend) in weeks.iter_mut().zip([400.0, 400.0, 390.0, 440.0]) {
        *w = w.clone().spend(spend, 400.0);
    }
    let s = status_json(&site_of(&weeks), "2026-11-20");
    // The latest week: 440 of 400 = 110%.
    let spend = item(&s, "spend");
    assert_eq!(spend["health"], "DEGRADED");
    assert_text(
        &spend["evidence"],
        "$440 of a $400 budget (110%) in the week of 2026-11-16",
    );
    // Four weeks: 1,630 of 1,600 = 101.875%.
    let pace = item(&s, "spend-pace");
    assert_eq!(pace["health"], "DEGRADED");
    assert_text(
        &pace["evidence"],
        "$1,630 spent of $1,600 budgeted (101.9%)",
    );

    // A spike inside the window is named, even when the pace is on budget:
    // 300 → 420 is +40%; 1,320 of 1,600 = 82.5%.
    let mut weeks = steady();
    for (w, spend) in weeks.iter_mut().zip([300.0, 300.0, 420.0, 300.0]) {
        *w = w.clone().spend(spend, 400.0);
    }
    let s = status_json(&site_of(&weeks), "2026-11-20");
    let pace = item(&s, "spend-pace");
    assert_eq!(pace["health"], "HEALTHY");
    assert_text(&pace["evidence"], "(82.5%)");
    assert_text(
        &pace["evidence"],
        "spend jumped +40% in the week of 2026-11-09 to $420",
    );
}

#[test]
fn p1_and_p2_incidents() {
    let mut weeks = steady();
    weeks[3] = Week::new("2026-11-16").incidents([0, 1, 0, 0]);
    let s = status_json(&site_of(&weeks), "2026-11-20");
    let i = item(&s, "incidents");
    assert_eq!(i["health"], "DEGRADED");
    assert_eq!(
        i["title"],
        "0 P1 and 1 P2 incidents since the week of 2026-11-16"
    );

    weeks[3] = Week::new("2026-11-16").incidents([1, 0, 0, 0]);
    let s = status_json(&site_of(&weeks), "2026-11-20");
    assert_eq!(item(&s, "incidents")["health"], "UNHEALTHY");
    assert_eq!(s["overall"], "UNHEALTHY");

    // A P1 after the latest report's week, known only from its post-mortem.
    let site = site_of(&steady());
    site.file(
        "content/postmortems/outage.md",
        &plain_postmortem(
            "Outage",
            "2026-11-24",
            "P1",
            &["| Fix | @a | 2026-12-20 | Open |"],
        ),
    );
    let s = status_json(&site, "2026-11-26");
    let i = item(&s, "incidents");
    assert_eq!(i["health"], "UNHEALTHY");
    assert_eq!(i["details"][0]["text"], "P1 2026-11-24: Outage");
    assert_eq!(
        i["details"][0]["link"]["path"],
        "postmortems/outage/index.html"
    );
}

#[test]
fn overdue_action_items_are_degraded_with_each_item() {
    let site = site_of(&steady());
    site.file(
        "content/postmortems/pm.md",
        &plain_postmortem(
            "Checkout errors",
            "2026-10-01",
            "P3",
            &[
                "| Add the alarm | @zoe | 2026-11-01 | In progress |",
                "| Later | @zoe | 2026-12-01 | Open |",
                "| Finished | @ana | 2026-10-05 | Done |",
            ],
        ),
    );
    let s = status_json(&site, "2026-11-20");
    let a = item(&s, "actions-overdue");
    assert_eq!(a["health"], "DEGRADED");
    assert_eq!(a["title"], "1 post-mortem action item overdue");
    assert_text(&a["evidence"], "1 of 2 open action items in 1 post-mortems");
    assert_eq!(
        a["details"][0]["text"],
        "Add the alarm: @zoe, due 2026-11-01, 19 days overdue, status In progress"
    );
    assert_eq!(a["details"][0]["link"]["path"], "postmortems/pm/index.html");
    assert_eq!(a["link"]["path"], "actions/index.html?status=overdue");
    // Before the deadline, nothing is overdue.
    let s = status_json(&site, "2026-10-20");
    assert_eq!(item(&s, "actions-overdue")["health"], "HEALTHY");
}

#[test]
fn stale_runbooks_and_alarms_without_a_runbook() {
    let site = site_of(&steady());
    site.file(
        "content/runbooks/old.md",
        &runbook("Old").replace("last_updated: 2026-11-02", "last_updated: 2026-01-01"),
    );
    site.file(
        "content/alarms/a.yaml",
        "- name: api-5xx\n  description: API errors\n  severity: P1\n  runbook: runbooks/fresh\n- name: queue-age\n  description: Queue age\n  severity: P2\n  runbook: runbooks/missing\n",
    );
    let out = status(&site, "2026-11-26", "json");
    // The broken alarm link is a check error: status still runs, and says so.
    assert_eq!(out.code, 0, "{out}");
    assert!(out.stderr.contains("note: the site has 1 error"), "{out}");
    let s: Value = serde_json::from_str(&out.stdout).unwrap();
    // 2026-01-01 to 2026-11-26 is 329 days, more than 90.
    let stale = item(&s, "runbooks-stale");
    assert_eq!(stale["health"], "DEGRADED");
    assert_eq!(
        stale["details"][0]["text"],
        "Old (last updated 329 days ago)"
    );
    assert_eq!(
        stale["details"][0]["link"]["path"],
        "runbooks/old/index.html"
    );
    let alarms = item(&s, "alarms-runbook");
    assert_eq!(alarms["health"], "DEGRADED");
    assert_eq!(alarms["title"], "1 alarm without a working runbook");
    assert_eq!(alarms["details"][0]["text"], "P2 queue-age");
    assert_eq!(
        alarms["details"][0]["link"]["path"],
        "alarms/index.html#queue-age"
    );
}

#[test]
fn an_old_or_missing_report_is_degraded() {
    // Latest week_of 2026-11-09, 17 days before 2026-11-26.
    let site = site_of(&steady()[..3]);
    let s = status_json(&site, "2026-11-26");
    let r = item(&s, "report-fresh");
    assert_eq!(r["health"], "DEGRADED");
    assert_eq!(r["title"], "The latest weekly report is 17 days old");
    // 14 days is still fresh.
    let s = status_json(&site, "2026-11-23");
    assert_eq!(item(&s, "report-fresh")["health"], "HEALTHY");
    // No report at all.
    let site = site_of(&[]);
    let s = status_json(&site, "2026-11-26");
    assert_eq!(item(&s, "report-fresh")["title"], "No weekly ops report");
    // No reports index to link to: the item has no link.
    assert!(item(&s, "report-fresh")["link"].is_null(), "{s:#}");
    assert_eq!(s["overall"], "DEGRADED");
    assert!(s["latest_report"].is_null());
}

#[test]
fn a_service_whose_p95_rises_a_quarter_is_degraded() {
    let weeks: Vec<Week> = steady()
        .into_iter()
        .zip([200.0, 210.0, 230.0, 250.0])
        .map(|(w, p95)| {
            w.service("API Gateway", 99.95, p95)
                .service("Auth", 99.99, 100.0)
        })
        .collect();
    let s = status_json(&site_of(&weeks), "2026-11-20");
    let t = item(&s, "service-trend");
    assert_eq!(t["title"], "API Gateway p95 up 25% over the last 4 reports");
    assert_text(
        &t["evidence"],
        "200 ms (week of 2026-10-26) → 250 ms (week of 2026-11-16)",
    );
    assert_eq!(s["services"][0]["health"], "DEGRADED");
    assert_eq!(s["services"][1]["health"], "HEALTHY");
    assert_eq!(
        s["services"][1]["summary"],
        "99.99% success rate, p95 100 ms, ±0% since the week of 2026-10-26"
    );
}

#[test]
fn text_and_markdown_formats() {
    // p95 steady at 600 ms, over its 500 ms target: one item, no trend.
    let weeks: Vec<Week> = steady()
        .into_iter()
        .map(|w| w.latency(50.0, 600.0, 480.0))
        .collect();
    let site = site_of(&weeks);
    site.file(
        "opswiki.yaml",
        "title: Test\nbase_url: https://wiki.example.com/\n",
    );

    let text = status(&site, "2026-11-20", "text");
    assert_eq!(text.code, 0, "{text}");
    assert!(
        text.stdout.starts_with("Production status, 2026-11-20\n"),
        "{text}"
    );
    assert!(
        text.stdout
            .contains("Overall: DEGRADED (1 item needs attention)"),
        "{text}"
    );
    assert!(
        text.stdout
            .contains("  [DEGRADED] p95 latency above its target\n"),
        "{text}"
    );
    assert!(
        text.stdout
            .contains("read: https://wiki.example.com/reports/2026-11-16/"),
        "{text}"
    );
    assert!(text.stdout.contains("\nFine:\n"), "{text}");

    let md = status(&site, "2026-11-20", "markdown");
    assert_eq!(md.code, 0, "{md}");
    let out = &md.stdout;
    assert!(out.starts_with("## Production status, 2026-11-20\n\n**Overall: DEGRADED**, 1 item needs attention (latest report: [week of 2026-11-16](https://wiki.example.com/reports/2026-11-16/))\n"), "{out}");
    assert!(out.contains("### Attention required\n\n1. **DEGRADED: p95 latency above its target.** p95 600 ms against a target of 500 ms"), "{out}");
    assert!(
        out.contains("[week of 2026-11-16](https://wiki.example.com/reports/2026-11-16/)"),
        "{out}"
    );
    assert!(out.contains("\n### Fine\n\n- "), "{out}");
    // Without base_url, links are paths in the built site.
    site.file("opswiki.yaml", "title: Test\n");
    let s = status_json(&site, "2026-11-20");
    let link = &item(&s, "latency-target")["link"];
    assert_eq!(link["url"], "reports/2026-11-16/index.html");
}

#[test]
fn exit_codes() {
    // Unhealthy is still exit 0.
    let mut weeks = steady();
    weeks[3] = Week::new("2026-11-16").incidents([2, 0, 0, 0]);
    let site = site_of(&weeks);
    for format in ["text", "json", "markdown"] {
        let out = status(&site, "2026-11-20", format);
        assert_eq!(out.code, 0, "{format}: {out}");
        assert!(out.stdout.contains("UNHEALTHY"), "{format}: {out}");
    }
    // A root that is not a site: 2.
    let out = run(&[
        "status",
        "--root",
        "/no/such/folder",
        "--today",
        "2026-11-20",
    ]);
    assert_eq!(out.code, 2, "{out}");
    // A bad format or date: 2 (a usage error).
    let root = site.root();
    let out = run(&[
        "status",
        "--root",
        root.to_str().unwrap(),
        "--format",
        "yaml",
    ]);
    assert_eq!(out.code, 2, "{out}");
    let out = run(&[
        "status",
        "--root",
        root.to_str().unwrap(),
        "--today",
        "tomorrow",
    ]);
    assert_eq!(out.code, 2, "{out}");
}

#[test]
fn the_status_page_in_the_wiki() {
    let mut weeks = steady();
    weeks[3] = Week::new("2026-11-16").uptime(99.85, Some(15.0));
    let site = site_of(&weeks);
    site.build_ok();
    let html = site.output("status/index.html");
    assert!(
        html.contains("<span class=\"health unhealthy\">UNHEALTHY</span>"),
        "{html}"
    );
    assert!(
        html.contains("<li class=\"status-item unhealthy\" data-rule=\"availability\">"),
        "{html}"
    );
    assert!(
        html.contains("<strong>Availability target missed: 99.85% against 99.9%</strong>"),
        "{html}"
    );
    assert!(
        html.contains("href=\"../reports/2026-11-16/index.html\""),
        "{html}"
    );
    assert!(
        html.contains("href=\"../reports/index.html#latency\""),
        "{html}"
    );
    assert!(html.contains("data-rule=\"spend\""), "{html}");
    // Every page links to it.
    let home = site.output("index.html");
    assert!(
        home.contains("href=\"status/index.html\">Status</a>"),
        "{home}"
    );
    let report = site.output("reports/2026-11-16/index.html");
    assert!(
        report.contains("href=\"../../status/index.html\">Status</a>"),
        "{report}"
    );
}

#[test]
fn the_example_wiki_needs_attention_for_its_trends_cost_and_overdue_items() {
    let root = repo_root();
    let out = run(&[
        "status",
        "--root",
        root.to_str().unwrap(),
        "--today",
        "2026-11-26",
        "--format",
        "json",
    ]);
    assert_eq!(out.code, 0, "{out}");
    let s: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(s["overall"], "DEGRADED");
    let attention: Vec<(&str, &str)> = s["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["health"] != "HEALTHY")
        .map(|i| (i["rule"].as_str().unwrap(), i["title"].as_str().unwrap()))
        .collect();
    // p95 243 → 308 (+26.7%), p99 680 → 930 (+36.8%) from 2026-10-26;
    // spend 364 + 371 + 520 + 384 = 1,639 of 1,600 (102.4%).
    assert_eq!(
        attention,
        [
            (
                "latency-trend",
                "p95 latency up 26.7% over the last 4 reports"
            ),
            (
                "latency-trend",
                "p99 latency up 36.8% over the last 4 reports"
            ),
            (
                "spend-pace",
                "Spend pace over budget: 102.4% over the last 4 reports"
            ),
            ("actions-overdue", "2 post-mortem action items overdue"),
            (
                "service-trend",
                "API Gateway p95 up 28% over the last 4 reports"
            ),
        ]
    );
}
