//! The search index a build writes: a fixture site built end to end, its
//! shards read back the way `static/search.js` reads them.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use common::*;
use opswiki::search::encode::{Posting, decode_postings, key_file};
use serde_json::Value;

const RUNBOOK: &str = "---
title: Pods Crash Looping
severity: P1
owner: team-platform
last_updated: 2026-11-02
services: [orders]
tags: [k8s]
alarms: [KubePodCrashLooping, api-order-endpoint-5xx-rate]
---
# Runbook: Pods Crash Looping

Pods of the orders service restart again and again.

## Symptom

The pager shows the alert and p99 latency climbs.

## Impact

Checkout fails while pods restart.

## Diagnosis Steps

Look for `TimeoutError` in the logs of `/api/orders`:

```bash
kubectl -n orders logs deploy/orders-api | grep TimeoutError
```

## Resolution Steps

Roll back the last release.

## Rollback

Redeploy the previous image.

## Prevention

Add a readiness probe.
";

const ALARMS: &str = "- name: api-order-endpoint-5xx-rate
  description: Order API returning server errors
  severity: P1
  runbook: runbooks/kube-crash#resolution-steps
  metric: aws/apigateway/5xx
  filter: resource=/api/orders
- name: vendor-status-page-red
  description: The vendor says it is down
  severity: P3
  runbook: https://status.vendor.example.org/
---
groups:
  - name: k8s
    rules:
      - alert: KubePodCrashLooping
        expr: rate(kube_pod_container_status_restarts_total[5m]) > 0
        labels: {severity: critical}
        annotations:
          summary: Pod is crash looping
          runbook_url: https://wiki.example.com/runbooks/kube-crash/#diagnosis-steps
";

fn fixture_site() -> Site {
    let site = Site::new();
    site.file(
        "opswiki.yaml",
        "title: Search Wiki\nbase_url: https://wiki.example.com/\n",
    );
    site.file("content/runbooks/kube-crash.md", RUNBOOK);
    site.file("content/alarms/alarms.yaml", ALARMS);
    site.file(
        "content/guides/on-call.md",
        "# On-call\n\nHow to hand over.\n\n## Handover\n\nWrite down open incidents.\n",
    );
    site
}

/// The JSON argument of a registration call: `OpswikiSearch.m({...});`.
fn call_args(text: &str) -> Value {
    let open = text.find('(').expect("a call");
    let close = text.rfind(')').expect("a call");
    serde_json::from_str(&format!("[{}]", &text[open + 1..close]))
        .unwrap_or_else(|e| panic!("not JSON arguments ({e}): {text}"))
}

/// The built index, read back.
struct Built {
    out: std::path::PathBuf,
    manifest: Value,
}

impl Built {
    fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// The shard key a term lives under: the longest key that prefixes it.
    fn key_of(&self, term: &str) -> String {
        self.manifest["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k.as_str().unwrap())
            .filter(|k| term.starts_with(k))
            .max_by_key(|k| k.chars().count())
            .unwrap_or_else(|| panic!("no shard for {term}"))
            .to_string()
    }

    fn postings(&self, term: &str) -> Vec<Posting> {
        let key = self.key_of(term);
        let shard = call_args(&self.read(&format!("search/s/{}.js", key_file(&key))));
        assert_eq!(shard[0], key.as_str(), "the shard names its key");
        let value = &shard[1][term];
        let list = match value {
            Value::String(s) => s.clone(),
            Value::Array(a) => a[0].as_str().unwrap().to_string(),
            _ => panic!(
                "{term} is not in shard `{key}`; it has {:?}",
                shard[1].as_object().unwrap().keys().collect::<Vec<_>>()
            ),
        };
        decode_postings(&list).unwrap_or_else(|| panic!("bad postings for {term}: {list}"))
    }

    /// (url, anchor) of a posting, from the page's document file.
    fn target(&self, p: &Posting) -> (String, String) {
        let per = self.manifest["per"].as_u64().unwrap() as u32;
        let group = self.manifest["group"].as_u64().unwrap() as u32;
        // Copies: `Posting` is packed, so its fields cannot be borrowed.
        let (page_no, section_no) = (p.page, p.section);
        let chunk = section_no / per;
        let id = if chunk == 0 {
            (page_no / group).to_string()
        } else {
            format!("{page_no}-{chunk}")
        };
        let doc = call_args(&self.read(&format!("search/d/{id}.js")));
        assert_eq!(doc[0], id.as_str());
        let page = &doc[1][page_no.to_string()];
        let section = &page["x"][(section_no % per) as usize];
        (
            page["u"].as_str().unwrap().to_string(),
            section[1].as_str().unwrap().to_string(),
        )
    }

    /// Where a term's best posting lands, and its class.
    fn best(&self, term: &str) -> (String, String, u8) {
        let list = self.postings(term);
        let best = list.iter().max_by_key(|p| p.class).unwrap();
        let (url, anchor) = self.target(best);
        (url, anchor, best.class)
    }
}

fn build(site: &Site) -> Built {
    let out = site.build_ok();
    let manifest = call_args(&fs::read_to_string(out.join("search/index.js")).unwrap());
    Built {
        out,
        manifest: manifest[0].clone(),
    }
}

#[test]
fn a_build_writes_the_manifest_shards_documents_and_script() {
    let site = fixture_site();
    let built = build(&site);
    for file in [
        "search/index.js",
        "search/d/0.js",
        "static/search.js",
        "static/search.css",
        "search.html",
    ] {
        assert!(built.out.join(file).is_file(), "missing {file}");
    }
    let keys = built.manifest["keys"].as_array().unwrap();
    assert!(!keys.is_empty());
    for key in keys {
        let file = format!("search/s/{}.js", key_file(key.as_str().unwrap()));
        assert!(built.out.join(&file).is_file(), "missing shard {file}");
    }
    let filters: Vec<String> = built.manifest["filters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{}:{}", f[0].as_str().unwrap(), f[1].as_str().unwrap()))
        .collect();
    for f in ["kind:runbook", "kind:page", "sev:P1", "service:orders"] {
        assert!(filters.contains(&f.to_string()), "{f} in {filters:?}");
    }
}

#[test]
fn technical_tokens_are_indexed_whole_and_in_parts() {
    let site = fixture_site();
    let built = build(&site);
    for term in [
        "kubepodcrashlooping",
        "kube",
        "crash",
        "looping",
        "api-order-endpoint-5xx-rate",
        "endpoint",
        "5xx",
        "p99",
        "/api/orders",
        "timeouterror",
        "timeout",
        "aws/apigateway/5xx",
        "team-platform",
    ] {
        assert!(!built.postings(term).is_empty(), "{term}");
    }
}

#[test]
fn a_path_inside_a_url_is_indexed_as_its_own_path() {
    let site = fixture_site();
    site.file(
        "content/guides/probe.md",
        "# Probe\n\n## Readiness\n\nRun `curl -fsS http://localhost:8080/health/ready`.\n",
    );
    let built = build(&site);
    // The run is `8080/health/ready`; a reader types `/health/ready`
    // (search.js also tries `health/ready` as `/health/ready`).
    for term in ["8080/health/ready", "/health/ready", "health", "ready"] {
        assert!(!built.postings(term).is_empty(), "{term}");
    }
}

#[test]
fn an_alarm_lands_on_the_section_its_runbook_link_names() {
    let site = fixture_site();
    let built = build(&site);
    assert_eq!(
        built.best("kubepodcrashlooping"),
        (
            "runbooks/kube-crash/index.html".to_string(),
            "diagnosis-steps".to_string(),
            7
        )
    );
    assert_eq!(
        built.best("api-order-endpoint-5xx-rate"),
        (
            "runbooks/kube-crash/index.html".to_string(),
            "resolution-steps".to_string(),
            7
        )
    );
    // Words of the title rank as the title, on the top of the page.
    assert_eq!(
        built.best("looping").0,
        "runbooks/kube-crash/index.html".to_string()
    );
    let (_, anchor, class) = built.best("pod");
    assert_eq!((anchor.as_str(), class), ("", 6));
    // A heading.
    let (_, anchor, class) = built.best("handover");
    assert_eq!((anchor.as_str(), class), ("handover", 3));
    // An alarm whose link leaves the site is found on the catalogue.
    let (url, anchor, class) = built.best("vendor-status-page-red");
    assert_eq!(
        (url.as_str(), anchor.as_str(), class),
        ("alarms/index.html", "vendor-status-page-red", 7)
    );
    let catalogue = built.read("alarms/index.html");
    assert!(
        catalogue.contains("id=\"vendor-status-page-red\""),
        "the catalogue has the alarm's anchor"
    );
}

#[test]
fn every_page_has_the_search_box_with_relative_urls() {
    let site = fixture_site();
    let built = build(&site);
    let runbook = built.read("runbooks/kube-crash/index.html");
    assert!(runbook.contains("<input id=\"search-input\" class=\"search-input\" type=\"search\""));
    assert!(runbook.contains("role=\"combobox\""));
    assert!(runbook.contains("role=\"listbox\""));
    assert!(
        runbook.contains("<label class=\"search-label visually-hidden\" for=\"search-input\">")
    );
    assert!(runbook.contains("src=\"../../static/search.js\""));
    assert!(runbook.contains("action=\"../../search.html\""));
    let home = built.read("index.html");
    assert!(home.contains("src=\"static/search.js\""));
    let page = built.read("search.html");
    assert!(page.contains("data-search-page"));
    assert!(page.contains("src=\"static/search.js\""));
    assert_eq!(
        count(&page, "type=\"search\""),
        1,
        "the results page has one search field"
    );
}

fn search_files(out: &Path) -> BTreeMap<String, Vec<u8>> {
    snapshot(out)
        .into_iter()
        .filter(|(p, _)| p.starts_with("search/"))
        .collect()
}

#[test]
fn the_index_is_the_same_on_every_build() {
    let site = fixture_site();
    let first = search_files(&site.build_ok());
    assert!(first.len() > 5);
    let second = search_files(&site.build_ok());
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    assert!(first == second, "search files differ between two builds");
}

#[test]
fn the_example_wiki_finds_its_alarms() {
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("site");
    let run = run(&[
        "build",
        "--root",
        repo_root().to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        "--today",
        TODAY,
    ]);
    assert_eq!(run.code, 0, "{run}");
    let built = Built {
        manifest: call_args(&fs::read_to_string(out.join("search/index.js")).unwrap())[0].clone(),
        out,
    };
    assert_eq!(
        built.best("api-order-endpoint-5xx-rate"),
        (
            "runbooks/api-error-rate-spike/index.html".to_string(),
            "diagnosis-steps".to_string(),
            7
        )
    );
    assert_eq!(built.best("ordersapihigherrorrate").1, "diagnosis-steps");
    assert!(!built.postings("timeouterror").is_empty());
}
