//! `opswiki init` and `opswiki new`: a new site checks clean; each skeleton
//! is flagged for its placeholders and nothing else; nothing is overwritten.

mod common;

use std::fs;
use std::process::Command;

use common::{Site, TODAY, bin, check_json_at, show};
use serde_json::Value;

fn run(args: &[&str]) -> std::process::Output {
    Command::new(bin())
        .args(args)
        .output()
        .expect("run opswiki")
}

fn init(site: &Site) {
    let root = site.root();
    let out = run(&["init", "--today", TODAY, root.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "init failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn new(site: &Site, kind: &str, title: &str, today: &str) -> std::process::Output {
    let root = site.root();
    run(&[
        "new",
        kind,
        title,
        "--root",
        root.to_str().unwrap(),
        "--today",
        today,
    ])
}

fn in_file<'a>(diags: &'a [Value], file: &str) -> Vec<&'a Value> {
    diags.iter().filter(|d| d["file"] == file).collect()
}

#[test]
fn init_makes_a_site_that_checks_and_builds_clean() {
    let site = Site::bare();
    init(&site);
    for file in [
        "opswiki.yaml",
        "content/index.md",
        "content/runbooks/api-error-rate-spike.md",
        "content/runbooks/database-connection-exhaustion.md",
        "content/alarms/api.yaml",
        "content/trees/users-report-errors.yaml",
        "content/postmortems/2026-11-23-orders-api-errors.md",
        "content/reports/2026-11-23.md",
    ] {
        assert!(site.path(file).is_file(), "{file} missing");
    }
    let diags = check_json_at(&site.root(), TODAY);
    assert!(
        diags.is_empty(),
        "init's site is not clean:\n{}",
        show(&diags)
    );
    let out = site.build(&[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // Months later it is still clean but for staleness warnings.
    let later = check_json_at(&site.root(), "2027-06-01");
    assert!(
        later
            .iter()
            .all(|d| d["level"] == "warning" || d["code"] == "action-overdue"),
        "{}",
        show(&later)
    );
}

#[test]
fn init_refuses_a_site_that_has_content() {
    let site = Site::new();
    site.file("content/runbooks/mine.md", "# Mine\n");
    let root = site.root();
    let out = run(&["init", root.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));
    assert_eq!(
        fs::read_to_string(site.path("content/runbooks/mine.md")).unwrap(),
        "# Mine\n"
    );
    assert!(!site.path("opswiki.yaml").exists());

    // An empty content/ folder is fine; an existing config is kept.
    let empty = Site::new();
    empty.file("opswiki.yaml", "title: Mine\n");
    let root = empty.root();
    let out = run(&["init", "--today", TODAY, root.to_str().unwrap()]);
    assert!(out.status.success());
    assert_eq!(
        fs::read_to_string(empty.path("opswiki.yaml")).unwrap(),
        "title: Mine\n"
    );
}

#[test]
fn new_writes_skeletons_flagged_only_for_their_placeholders() {
    let site = Site::bare();
    init(&site);
    let before = check_json_at(&site.root(), TODAY);
    assert!(before.is_empty(), "{}", show(&before));

    // A report of another week than init's.
    let cases = [
        (
            "runbook",
            "Disk Full: /var",
            "content/runbooks/disk-full-var.md",
        ),
        (
            "postmortem",
            "Checkout outage",
            "content/postmortems/2026-12-09-checkout-outage.md",
        ),
        ("report", "Week 50", "content/reports/2026-12-07.md"),
        (
            "tree",
            "Checkout is slow",
            "content/trees/checkout-is-slow.yaml",
        ),
    ];
    for (kind, title, path) in cases {
        let out = new(&site, kind, title, "2026-12-09");
        assert!(
            out.status.success(),
            "new {kind}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(site.path(path).is_file(), "new {kind} wrote no {path}");
    }
    let text = fs::read_to_string(site.path("content/runbooks/disk-full-var.md")).unwrap();
    assert!(text.contains("title: \"Disk Full: /var\""), "{text}");
    assert!(text.contains("last_updated: 2026-12-09"), "{text}");
    for section in [
        "## Symptom",
        "## Impact",
        "## Diagnosis Steps",
        "## Resolution Steps",
        "## Rollback",
        "## Prevention",
    ] {
        assert!(text.contains(section), "{section} missing:\n{text}");
    }

    let diags = check_json_at(&site.root(), "2026-12-09");
    let others: Vec<&Value> = diags
        .iter()
        .filter(|d| d["code"] != "placeholder-text")
        .collect();
    assert!(
        others.is_empty(),
        "skeletons flagged for more than placeholders:\n{}",
        show(&others.into_iter().cloned().collect::<Vec<_>>())
    );
    assert!(diags.iter().all(|d| d["level"] == "warning"));
    // Each skeleton: the owner and each of the six sections of a runbook...
    let runbook = in_file(&diags, "content/runbooks/disk-full-var.md");
    assert_eq!(runbook.len(), 7, "{}", show(&diags));
    // ... every section of a post-mortem, its timeline and action rows ...
    assert!(in_file(&diags, "content/postmortems/2026-12-09-checkout-outage.md").len() >= 7);
    // ... the report's narrative, the tree's checks and answers.
    assert_eq!(in_file(&diags, "content/reports/2026-12-07.md").len(), 2);
    assert!(in_file(&diags, "content/trees/checkout-is-slow.yaml").len() >= 4);
    // The warning names the section and points at the placeholder's line.
    let symptom = runbook
        .iter()
        .find(|d| d["message"].as_str().unwrap().contains("`Symptom`"))
        .expect("a placeholder in Symptom");
    let line = text
        .lines()
        .position(|l| l.starts_with("TODO: what the on-call"))
        .unwrap()
        + 1;
    assert_eq!(symptom["line"], line as u64);

    // Filled in, the runbook is clean.
    let filled: String = text
        .lines()
        .map(|l| {
            if l.starts_with("owner:") {
                "owner: team-sre".to_string()
            } else if let Some(rest) = l.strip_prefix("1. TODO: ") {
                format!("1. {rest}")
            } else if let Some(rest) = l.strip_prefix("TODO: ") {
                rest.to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    site.file("content/runbooks/disk-full-var.md", &filled);
    let diags = check_json_at(&site.root(), "2026-12-09");
    assert!(
        in_file(&diags, "content/runbooks/disk-full-var.md").is_empty(),
        "{}",
        show(&diags)
    );
}

#[test]
fn new_never_overwrites() {
    let site = Site::bare();
    init(&site);
    let path = site.path("content/runbooks/api-error-rate-spike.md");
    let before = fs::read_to_string(&path).unwrap();
    let out = new(&site, "runbook", "API Error Rate Spike", TODAY);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    assert_eq!(fs::read_to_string(&path).unwrap(), before);
}

#[test]
fn new_needs_a_site_and_a_title_with_letters() {
    let site = Site::bare();
    let out = new(&site, "runbook", "Disk full", TODAY);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("opswiki init"));
    let site = Site::new();
    let out = new(&site, "runbook", "!!!", TODAY);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn new_follows_the_sites_own_required_sections() {
    let site = Site::new();
    site.file(
        "opswiki.yaml",
        "kinds:\n  runbook:\n    required_fields: [title, severity, owner, last_updated]\n    required_sections: [Symptom, Escalation]\n",
    );
    let out = new(&site, "runbook", "Custom", TODAY);
    assert!(out.status.success());
    let text = fs::read_to_string(site.path("content/runbooks/custom.md")).unwrap();
    assert!(text.contains("## Escalation"), "{text}");
    assert!(!text.contains("## Rollback"), "{text}");
    let diags = check_json_at(&site.root(), TODAY);
    assert!(
        diags.iter().all(|d| d["code"] == "placeholder-text"),
        "{}",
        show(&diags)
    );
}

/// `init --from` on a GitHub folder of runbooks with its alert rules in
/// another checkout: the config it writes names the flavor, the folder of
/// runbooks, the helper folder and the stub to leave out, the sections the
/// runbooks share and the URL prefix the alerts use; with it, `check`
/// reports the one real defect and nothing else.
#[test]
fn init_from_an_existing_github_folder() {
    let work = common::Site::bare();
    let runbook = |name: &str, mitigation: bool| {
        let mut page = format!(
            "# {name}\n\n## Meaning\n\nIt fires.\n\n## Impact\n\nUsers wait.\n\n## Diagnosis\n\nLook.\n"
        );
        if mitigation {
            page.push_str("\n## Mitigation\n\nFix it.\n");
        }
        page
    };
    work.file("repo/README.md", "# Runbooks\n\nOne folder per operator.\n")
        .file("repo/alerts/etcd/EtcdDown.md", &runbook("EtcdDown", true))
        .file("repo/alerts/etcd/EtcdSlow.md", &runbook("EtcdSlow", true))
        .file("repo/alerts/dns/DnsDown.md", &runbook("DnsDown", false))
        .file("repo/alerts/dns/DnsSlow.md", &runbook("DnsSlow", true))
        .file("repo/alerts/dns/helpers/dig.md", "# dig\n\nRun dig.\n")
        .file("repo/alerts/dns/DnsOld.md", "# DnsOld [Deprecated]\n\nSilence it.\n")
        .file(
            "rules/dns.yaml",
            "groups:\n  - name: dns\n    rules:\n      - alert: DnsDown\n        expr: up == 0\n\
             \x20       labels: {severity: critical}\n        annotations:\n          description: DNS down\n\
             \x20         runbook_url: https://github.com/acme/runbooks/blob/main/alerts/dns/DnsDown.md\n",
        );
    let repo = work.path("repo");
    let rules = work.path("rules");
    let out = common::run(&[
        "init",
        "--from",
        repo.to_str().unwrap(),
        "--alerts",
        rules.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{out}");
    let config = std::fs::read_to_string(repo.join("opswiki.yaml")).unwrap();
    for line in [
        "title: \"Runbooks\"",
        "flavor: github",
        "content: .",
        "  - prefix: \"https://github.com/acme/runbooks/blob/main/\"",
        "repo_url: \"https://github.com/acme/runbooks\"",
        "repo_branch: \"main\"",
        "  sources: [\"../rules/**\"]",
        "    paths: [\"alerts/**\"]",
        "      - \"alerts/*/helpers/**\"",
        "      - \"alerts/dns/DnsOld.md\"",
        "    required_sections: [\"Meaning\", \"Impact\", \"Diagnosis\", \"Mitigation\"]",
    ] {
        assert!(
            config.lines().any(|l| l.starts_with(line)),
            "no `{line}` in:\n{config}"
        );
    }
    let diags = common::check_json_at(&repo, common::TODAY);
    // The alert's runbook is found through the prefix: no alarm finding.
    assert_eq!(
        common::codes(&diags),
        ["runbook-section-missing"],
        "{}",
        common::show(&diags)
    );
    assert_eq!(diags[0]["file"], "alerts/dns/DnsDown.md");
    // A second run keeps the config the team may have edited.
    let again = common::run(&["init", "--from", repo.to_str().unwrap()]);
    assert_eq!(again.code, 0, "{again}");
    assert!(again.stderr.contains("kept the existing"), "{again}");
    assert_eq!(
        std::fs::read_to_string(repo.join("opswiki.yaml")).unwrap(),
        config
    );
}

/// A GitLab-style repository (written in the style of GitLab's own on-call
/// runbooks): rules put the runbook in a label as a path from the top
/// (`runbook: docs/kube/kubernetes.md#alerts`), or as a template over a
/// folder's README.md, and number their severities `s1`..`s4`. `init
/// --from` counts those paths as links, maps the numbers by rank, and the
/// check finds only the alert that truly has no runbook.
#[test]
fn init_from_a_gitlab_repository_with_runbook_labels() {
    let repo = Site::bare();
    let rule = |name: &str, severity: &str, labels: &str, annotations: &str| {
        format!(
            "  - alert: {name}\n    expr: up == 0\n    labels:\n      severity: {severity}\n{labels}\
             \x20   annotations:\n      title: {name} fired\n{annotations}"
        )
    };
    let rules = [
        "groups:\n- name: platform\n  rules:\n".to_string(),
        rule(
            "KubeContainersWaiting",
            "s2",
            "      runbook: docs/kube/kubernetes.md#alerts\n",
            "",
        ),
        // No rule fixes `type`: the template is a pattern over the
        // folders' README.md pages, which are their folders' index pages.
        rule(
            "ComponentSaturation",
            "s3",
            "",
            "      runbook: docs/{{ $labels.type }}/README.md\n",
        ),
        rule("AirflowDown", "s4", "", ""),
        rule(
            "PagerBroken",
            "s1",
            "",
            "      runbook: docs/redis/README.md#failover\n",
        ),
    ]
    .concat();
    repo.file(
        "README.md",
        "# On-call runbooks\n\nSee [Kubernetes](docs/kube/kubernetes.md).\n",
    )
    .file(
        "docs/kube/kubernetes.md",
        "# Kubernetes\n\n## Alerts\n\nLook at the pods.\n",
    )
    .file(
        "docs/redis/README.md",
        "# Redis\n\n## Failover\n\nPromote the replica.\n",
    )
    // Runbooks share no heading here, as in GitLab's: no required sections.
    .file(
        "docs/patroni/postgres.md",
        "# Postgres\n\n## Replication\n\nCheck the lag.\n",
    )
    .file("rules/platform.yml", &rules)
    .file(".gitlab-ci.yml", "test:\n  script: [make test]\n");
    let root = repo.root();
    let rules_dir = repo.path("rules");
    let out = run(&[
        "init",
        "--from",
        root.to_str().unwrap(),
        "--alerts",
        rules_dir.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let config = fs::read_to_string(root.join("opswiki.yaml")).unwrap();
    for line in [
        "flavor: gitlab",
        "  \"s1\": P1",
        "  \"s2\": P2",
        "  \"s3\": P3",
        "  \"s4\": P4",
    ] {
        assert!(
            config.lines().any(|l| l.starts_with(line)),
            "no `{line}` in:\n{config}"
        );
    }
    // Three of the four rules link a page (the template is no page itself).
    assert!(
        config
            .lines()
            .next()
            .unwrap()
            .ends_with("; 2 of 3 alert runbook links name a page here."),
        "{config}"
    );
    let diags = check_json_at(&root, TODAY);
    let found: Vec<(&str, &str)> = diags
        .iter()
        .map(|d| (d["code"].as_str().unwrap(), d["message"].as_str().unwrap()))
        .collect();
    assert_eq!(
        found,
        [(
            "alarm-runbook-missing",
            "alarm `AirflowDown` has no runbook"
        )],
        "{}",
        show(&diags)
    );
}
