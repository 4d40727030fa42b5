//! Pages that stay light: a generated wiki of a few thousand alarms and
//! runbooks, built, and every page held to a size bound; the alarm
//! catalogue, the runbook index and the action items are split into parts,
//! and the links into them (a pager's `alarms/index.html#NAME`, the runbook
//! index's `#service-SLUG`, the catalogue links of runbook pages) land on a
//! page that holds their target.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use common::*;

/// No generated page may be over this (the bound at 10,000 and
/// 100,000 runbooks; the split aims at about 400 kB).
const PAGE_LIMIT: u64 = 1024 * 1024;

fn gen_corpus(out: &Path, runbooks: usize) {
    let script = repo_root().join("bench").join("gen_corpus.py");
    let result = std::process::Command::new("python3")
        .arg(&script)
        .arg("--out")
        .arg(out)
        .arg("--runbooks")
        .arg(runbooks.to_string())
        .output()
        .expect("python3 runs the corpus generator");
    assert!(result.status.success(), "{result:?}");
}

/// A post-mortem with `n` action items, so the action items page has more
/// rows than one part holds.
fn many_actions(n: usize) -> String {
    let mut text = String::from(
        "---\ntitle: \"Many actions\"\ndate: 2026-10-01\nseverity: P2\nduration: 1 hour\nimpact: \"Slow.\"\ndetection: \"An alert.\"\nresolution: \"A restart.\"\n---\n# Post-Mortem: Many actions\n\n## Summary\n\nSlow.\n\n## Timeline\n\n| Time (UTC) | Event |\n|---|---|\n| 10:00 | Alert. |\n\n## Root Cause\n\nA bad deploy.\n\n## Contributing Factors\n\n- A missing test.\n\n## What Went Well\n\n- The alert.\n\n## What Could Be Improved\n\n- The dashboard.\n\n## Action Items\n\n| Action | Owner | Deadline | Status |\n|---|---|---|---|\n",
    );
    for i in 0..n {
        let status = if i % 3 == 0 { "Open" } else { "Done" };
        text.push_str(&format!(
            "| Add a dashboard panel for queue depth number {i} and alert on it before the queue fills | @team-sre | 2027-{:02}-{:02} | {status} |\n",
            1 + i % 12,
            1 + i % 28
        ));
    }
    text
}

/// The generated wiki, built once for every test of this file.
fn built() -> &'static (tempfile::TempDir, PathBuf) {
    static SITE: std::sync::OnceLock<(tempfile::TempDir, PathBuf)> = std::sync::OnceLock::new();
    SITE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("wiki");
        gen_corpus(&root, 2000);
        fs::write(
            root.join("content/postmortems/many-actions.md"),
            many_actions(2500),
        )
        .unwrap();
        let out = dir.path().join("site");
        let result = build_into(&root, &out, "2026-11-23", &[]);
        assert_eq!(result.code, 0, "{}{}", result.stdout, result.stderr);
        (dir, out)
    })
}

fn html_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            html_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "html") {
            out.push(path);
        }
    }
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every `id="…"` of a page.
fn ids(html: &str) -> Vec<&str> {
    html.split(" id=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect()
}

#[test]
fn no_page_of_a_large_wiki_is_over_the_bound() {
    let (_, out) = built();
    let mut files = Vec::new();
    html_files(out, &mut files);
    let mut heavy: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let size = fs::metadata(f).unwrap().len();
            (size > PAGE_LIMIT).then(|| format!("{} ({size} bytes)", f.display()))
        })
        .collect();
    heavy.sort();
    assert!(heavy.is_empty(), "pages over 1 MB: {heavy:?}");
    // Each long page is split, not merely short at this size: the catalogue
    // of 4,000 alarms and the 2,500 action items would each be over 1 MB on
    // one page, and the runbook index would be 550 kB.
    let parts = |dir: &str, prefix: &str| {
        fs::read_dir(out.join(dir))
            .unwrap()
            .filter(|e| {
                let name = e.as_ref().unwrap().file_name();
                let name = name.to_string_lossy();
                name.starts_with(prefix) && name.ends_with(".html")
            })
            .count()
    };
    assert!(parts("alarms", "part-") >= 5, "catalogue parts");
    assert!(parts("actions", "part-") >= 1, "action item parts");
    assert!(parts("runbooks/by-service", "") >= 10, "service pages");
    let index = fs::metadata(out.join("runbooks/index.html")).unwrap().len();
    assert!(
        index < 100_000,
        "the runbook index lists services: {index} bytes"
    );
    let catalogue = fs::metadata(out.join("alarms/index.html")).unwrap().len();
    assert!(
        catalogue < 100_000,
        "the catalogue's index lists parts: {catalogue} bytes"
    );
}

/// The order the catalogue's parts are in (and the index's script uses).
fn name_order(name: &str) -> (String, String) {
    (name.to_lowercase(), name.to_string())
}

#[test]
fn a_deep_link_to_the_catalogue_maps_to_the_part_holding_the_row() {
    let (_, out) = built();
    let index = read(&out.join("alarms/index.html"));
    // The map the index's script reads: the first name of every part.
    let starts_json = index
        .split("var starts = ")
        .nth(1)
        .and_then(|rest| rest.split(";\n").next())
        .expect("the deep-link map on the catalogue's index");
    let starts: Vec<String> = serde_json::from_str(starts_json).unwrap();
    assert!(starts.len() >= 5);
    let mut sorted = starts.clone();
    sorted.sort_by_key(|s| name_order(s));
    assert_eq!(sorted, starts, "the parts are in name order");
    // Every alarm row of every part is found through the map, and through
    // the index's list of parts (the way without JavaScript).
    let mut found = 0;
    for (p, _) in starts.iter().enumerate() {
        let part = format!("part-{}.html", p + 1);
        let html = read(&out.join("alarms").join(&part));
        assert!(
            index.contains(&format!("<a href=\"{part}\">Part {}</a>", p + 1)),
            "{part} is listed on the index"
        );
        for id in ids(&html)
            .into_iter()
            .filter(|id| html.contains(&format!("<tbody id=\"{id}\" class=\"alarm\"")))
        {
            let at = starts.partition_point(|s| name_order(s) <= name_order(id)) - 1;
            assert_eq!(
                at,
                p,
                "{id} maps to part {} but is on part {}",
                at + 1,
                p + 1
            );
            found += 1;
        }
    }
    // gen_corpus: about 2.1 alarms per runbook, a few names at several severities.
    assert!(found > 4000, "{found} alarm rows");

    // Links from runbook pages go straight to the part.
    let runbook = read(
        &out.join("runbooks/analytics")
            .join(
                fs::read_dir(out.join("runbooks/analytics"))
                    .unwrap()
                    .map(|e| e.unwrap().file_name())
                    .find(|n| n != "index.html")
                    .unwrap(),
            )
            .join("index.html"),
    );
    let links: Vec<&str> = runbook
        .split("alarms/part-")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert!(!links.is_empty(), "a runbook links its alarms' rows");
    for link in links {
        let (file, anchor) = link.split_once(".html#").unwrap();
        let part = read(&out.join(format!("alarms/part-{file}.html")));
        assert!(ids(&part).contains(&anchor), "part-{link}");
    }
}

#[test]
fn a_link_to_a_service_of_the_runbook_index_maps_to_its_page() {
    let (_, out) = built();
    let index = read(&out.join("runbooks/index.html"));
    let map_json = index
        .split("var pages = ")
        .nth(1)
        .and_then(|rest| rest.split(";\n").next())
        .expect("the service map on the runbook index");
    let map: BTreeMap<String, String> = serde_json::from_str(map_json).unwrap();
    assert!(map.len() >= 10);
    for (slug, href) in &map {
        // Without JavaScript the link lands on the service's entry.
        assert!(
            index.contains(&format!("<li id=\"service-{slug}\"><a href=\"{href}\">")),
            "{slug}"
        );
        let page = read(&out.join("runbooks").join(href));
        assert!(page.contains("<table class=\"index-table\">"), "{href}");
    }
    assert!(map.contains_key("analytics"));
}

#[test]
fn every_action_item_is_on_one_part() {
    let (_, out) = built();
    let mut rows = 0;
    let mut page = "index.html".to_string();
    let mut seen = 0;
    loop {
        let html = read(&out.join("actions").join(&page));
        rows += html.matches("<tr class=\"action ").count();
        seen += 1;
        let next = html
            .split_once("\" rel=\"next\"")
            .and_then(|(before, _)| before.rsplit_once("href=\""))
            .map(|(_, href)| href.to_string());
        match next {
            Some(next) if seen < 50 => page = next,
            _ => break,
        }
    }
    assert!(seen >= 2, "the action items are in parts");
    // 2500 of the added post-mortem and those of the generated ones.
    // The counts over every part: open (overdue included), then done.
    let counts: Vec<usize> = read(&out.join("actions/index.html"))
        .split("<strong>")
        .skip(1)
        .take(3)
        .map(|s| s.split('<').next().unwrap().parse().unwrap())
        .collect();
    let total = counts[1] + counts[2];
    assert!(rows > 2500, "{rows} rows");
    assert_eq!(rows, total, "every action item shown once across the parts");
}
