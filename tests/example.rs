//! The example wiki shipped in the repository (`content/`, `opswiki.yaml`)
//! checks without errors and builds into a site with working links.
//!
//! The build goes to a temporary folder: nothing is written into the
//! repository.

mod common;

use std::path::PathBuf;

use common::*;

/// The date the example content was written against.
const EXAMPLE_TODAY: &str = "2026-11-26";

fn build_example() -> (Site, PathBuf) {
    let holder = Site::bare();
    let out = holder.path("site");
    let run = build_into(&repo_root(), &out, EXAMPLE_TODAY, &[]);
    assert_eq!(run.code, 0, "{run}");
    (holder, out)
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn example_wiki_checks_without_errors() {
    let diags = check_json_at(&repo_root(), EXAMPLE_TODAY);
    let errors: Vec<_> = diags
        .iter()
        .filter(|d| d["level"] == "error")
        .cloned()
        .collect();
    assert!(
        errors.is_empty(),
        "errors in the example wiki:\n{}",
        show(&errors)
    );
}

/// Its only warnings are the two action items the orders-api post-mortem
/// left overdue on purpose, so that `check`, the status page and the
/// action list show what an overdue item looks like. Any other warning is
/// a mistake in the example.
#[test]
fn example_wiki_warns_only_of_its_deliberately_overdue_actions() {
    let diags = check_json_at(&repo_root(), EXAMPLE_TODAY);
    let others: Vec<_> = diags
        .iter()
        .filter(|d| d["code"] != "action-overdue")
        .cloned()
        .collect();
    assert!(others.is_empty(), "in the example wiki:\n{}", show(&others));
    assert_eq!(diags.len(), 2, "{}", show(&diags));
    assert!(
        diags
            .iter()
            .all(|d| d["file"] == "content/postmortems/2026-10-21-orders-api-5xx-spike.md"),
        "{}",
        show(&diags)
    );
}

#[test]
fn example_wiki_builds_every_runbook() {
    let (_holder, out) = build_example();
    for page in ["index.html", "404.html", "runbooks/index.html"] {
        assert!(out.join(page).is_file(), "no {page}");
    }
    let index = read(out.join("runbooks/index.html"));
    let runbooks: Vec<String> = std::fs::read_dir(repo_root().join("content/runbooks"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md") && !n.starts_with('.'))
        .map(|n| n.trim_end_matches(".md").to_lowercase())
        .collect();
    assert!(runbooks.len() >= 10, "{runbooks:?}");
    for id in &runbooks {
        let page = format!("runbooks/{id}/index.html");
        assert!(out.join(&page).is_file(), "no {page}");
        assert!(
            index.contains(&format!("href=\"../{page}\"")),
            "the runbook index does not link {page}"
        );
    }
}

#[test]
fn example_api_error_rate_spike_shows_its_fields() {
    let (_holder, out) = build_example();
    let html = read(out.join("runbooks/api-error-rate-spike/index.html"));
    assert!(
        html.contains("<title>API Error Rate Spike · Acme Ops Wiki</title>"),
        "{html}"
    );
    assert!(html.contains(">P1<"), "severity P1:\n{html}");
    assert!(html.contains("team-api"), "owner:\n{html}");
    assert!(html.contains("2026-10-28"), "last updated:\n{html}");
    assert!(html.contains("<h2 id=\"diagnosis-steps\">"), "{html}");
    assert!(
        html.contains("<button class=\"copy\""),
        "shell blocks copy:\n{html}"
    );
}

#[test]
fn example_plain_template_runbook_takes_fields_from_headings() {
    let (_holder, out) = build_example();
    let html = read(out.join("runbooks/data-inconsistency/index.html"));
    assert!(
        html.contains("<title>Data Inconsistency · Acme Ops Wiki</title>"),
        "the title is the heading without `Runbook:`:\n{html}"
    );
    assert!(
        html.contains(">P2<"),
        "severity P2 from its heading:\n{html}"
    );
    assert!(
        html.contains("team-data"),
        "owner from its heading:\n{html}"
    );
    assert!(
        html.contains("2026-10-30"),
        "date from its heading:\n{html}"
    );
    let index = read(out.join("runbooks/index.html"));
    let row = index
        .split("<tr>")
        .find(|r| r.contains("runbooks/data-inconsistency/index.html"))
        .expect("a row for the data-inconsistency runbook");
    assert!(row.contains(">P2<") && row.contains("team-data"), "{row}");
}

#[test]
fn example_wiki_links_all_resolve() {
    let (_holder, out) = build_example();
    let checked = assert_site_links_resolve(&out, Some("https://wiki.example.com/"));
    assert!(checked > 200, "only {checked} links checked");
}
