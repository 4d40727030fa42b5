//! Existing repositories as they are: the contract's "Existing
//! repositories" section on fixture sites written in the style of a GitHub
//! folder of runbooks, a Hugo docs site, GitLab and MkDocs pages. Every
//! test asserts the whole list of findings, so a false one fails it too.

mod common;

use common::*;

/// `(code, file, line, column)` of every finding, sorted.
fn places(diags: &[serde_json::Value]) -> Vec<(String, String, u64, u64)> {
    let mut out: Vec<_> = diags
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("").to_string(),
                d["file"].as_str().unwrap_or("").to_string(),
                d["line"].as_u64().unwrap_or(0),
                d["column"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    out.sort();
    out
}

fn place(code: &str, file: &str, line: u64, column: u64) -> (String, String, u64, u64) {
    (code.to_string(), file.to_string(), line, column)
}

const GITHUB_CONFIG: &str = "\
flavor: github
content: .
urls:
  - prefix: https://github.com/acme/runbooks/blob/main/
    path: \"\"
kinds:
  runbook:
    paths: [\"alerts/**\"]
    exclude: [\"alerts/*/helpers/**\"]
    required_fields: []
    required_sections: [Meaning, Impact, Diagnosis, Mitigation]
    section_aliases: {Mitigation: [\"Diagnosis and mitigation\", Remediation]}
";

/// A runbook in the openshift style: no front matter, `#` title, four sections.
fn alert_page(name: &str, extra: &str) -> String {
    format!(
        "# {name}\n\n## Meaning\n\nThe alert fires when {name} is unhappy.\n\n## Impact\n\nUsers wait.\n\n\
         ## Diagnosis\n\nLook at the dashboard.\n\n## Mitigation\n\nRestart it.\n{extra}"
    )
}

/// A GitHub folder of runbooks at the repository's top, alert rules linking
/// the repository's web view: pages are found by `kinds.runbook.paths`,
/// helpers excluded, README.md is a folder's index, every URL form of the
/// repository resolves, and only the real defects are reported.
#[test]
fn github_folder_at_the_repository_top() {
    let site = Site::bare();
    site.file("opswiki.yaml", GITHUB_CONFIG)
        .file(
            "README.md",
            "# Acme runbooks\n\nStart at [the etcd runbooks](alerts/etcd/) or \
             [their README](alerts/etcd/README.md). Questions: <oncall@acme.example>, \
             [mail us](mailto:oncall@acme.example).\n",
        )
        .file(
            "alerts/etcd/README.md",
            &alert_page(
                "etcd",
                "\nSee [members down](EtcdMembersDown.md#meaning) and \
                 [the helper](helpers/gather.md).\n",
            ),
        )
        .file(
            "alerts/etcd/EtcdMembersDown.md",
            // "Diagnosis and mitigation" satisfies both, by prefix and by alias.
            "# EtcdMembersDown\n\n## Meaning\n\nMembers are down.\n\n## Impact\n\nNo quorum.\n\n\
             ## Diagnosis and mitigation\n\nCheck [the NoLeader page](./EtcdNoLeader.md#meaning).\n",
        )
        .file(
            "alerts/etcd/EtcdNoLeader.md",
            // Missing Impact: a real finding. A link to a missing page and to
            // a missing anchor: real findings.
            "# EtcdNoLeader\n\n## Meaning\n\nNo leader.\n\n## Diagnosis\n\nSee [gone](EtcdGone.md) \
             and [members](EtcdMembersDown.md#no-such-section).\n\n## Remediation\n\nWait.\n",
        )
        // Helpers are plain pages: no required sections.
        .file(
            "alerts/etcd/helpers/gather.md",
            "# Gather logs\n\nRun `oc adm must-gather`.\n",
        )
        // The output folder of an earlier build is not content.
        .file("site/stale.md", "# Stale\n\n[broken](nowhere.md)\n")
        .file(
            "alarms/etcd.yaml",
            "groups:\n  - name: etcd\n    rules:\n\
             \x20     - alert: EtcdMembersDown\n        expr: up == 0\n        labels: {severity: critical}\n\
             \x20       annotations:\n          description: Members down\n\
             \x20         runbook_url: https://github.com/acme/runbooks/blob/main/alerts/etcd/EtcdMembersDown.md\n\
             \x20     - alert: EtcdNoLeader\n        expr: up == 0\n        labels: {severity: critical}\n\
             \x20       annotations:\n          description: No leader\n\
             \x20         runbook_url: https://github.com/acme/runbooks/tree/main/alerts/etcd/EtcdNoLeader.md#meaning\n\
             \x20     - alert: EtcdFolder\n        expr: up == 0\n        labels: {severity: critical}\n\
             \x20       annotations:\n          description: The folder's README is its runbook\n\
             \x20         runbook_url: https://github.com/acme/runbooks/blob/main/alerts/etcd\n\
             \x20     - alert: EtcdGone\n        expr: up == 0\n        labels: {severity: critical}\n\
             \x20       annotations:\n          description: Gone\n\
             \x20         runbook_url: https://github.com/acme/runbooks/blob/main/alerts/etcd/EtcdGone.md\n",
        );
    let diags = check_json(&site, TODAY);
    assert_eq!(
        places(&diags),
        vec![
            place("alarm-runbook-broken", "alarms/etcd.yaml", 27, 24),
            place("link-anchor-missing", "alerts/etcd/EtcdNoLeader.md", 9, 39),
            place("link-broken", "alerts/etcd/EtcdNoLeader.md", 9, 12),
            place(
                "runbook-section-missing",
                "alerts/etcd/EtcdNoLeader.md",
                1,
                1
            ),
        ],
        "{}",
        show(&diags)
    );
    let missing = assert_diag(
        &diags,
        "runbook-section-missing",
        "alerts/etcd/EtcdNoLeader.md",
        1,
        1,
    );
    assert!(missing["message"].as_str().unwrap().contains("`Impact`"));

    // The README at the top is the home page, the folder's README its
    // index; the earlier output is not a page of the new one.
    let out = site.build(&["--format", "json"]);
    assert_eq!(out.code, 1, "the broken links fail the build: {out}");
    site.file(
        "alerts/etcd/EtcdNoLeader.md",
        &alert_page("EtcdNoLeader", ""),
    )
    .file(
        "alarms/etcd.yaml",
        &std::fs::read_to_string(site.path("alarms/etcd.yaml"))
            .unwrap()
            .replace("EtcdGone.md", "EtcdNoLeader.md"),
    );
    let out = site.build_ok();
    assert!(out.join("alerts/etcd/index.html").is_file());
    assert!(out.join("alerts/etcd/etcdmembersdown/index.html").is_file());
    assert!(
        !out.join("site").exists(),
        "the old output was read as content"
    );
    let home = site.output("index.html");
    assert!(
        home.contains("href=\"alerts/etcd/index.html\""),
        "the folder link reaches its README"
    );
    assert!(home.contains("href=\"mailto:oncall@acme.example\""));
}

const HUGO_CONFIG: &str = "\
flavor: hugo
base_url: https://runbooks.acme.dev/
kinds:
  runbook:
    required_fields: []
    required_sections: [Meaning, Mitigation]
";

/// A Hugo (hugo-book) site: `_index.md` is a section page, never a
/// runbook; a blank one lists its folder; drafts are left out; `aliases`
/// are redirect pages and link targets; links relative to the page's URL
/// and root-relative links resolve.
#[test]
fn hugo_site() {
    let site = Site::new();
    site.file("opswiki.yaml", HUGO_CONFIG)
        .file(
            "content/_index.md",
            "---\ntitle: Introduction\n---\n\n# Welcome\n\nSee [the node runbooks](/runbooks/node/) \
             and [how to add one](/docs/add-runbook).\n",
        )
        .file("content/docs/add-runbook.md", "---\ntitle: Add Runbook\n---\n\n# Adding\n\nWrite it.\n")
        .file("content/runbooks/_index.md", "---\ntitle: Runbooks\nbookFlatSection: true\n---\n")
        .file("content/runbooks/node/_index.md", "---\ntitle: node\nbookCollapseSection: true\n---\n")
        .file(
            "content/runbooks/node/NodeDiskFull.md",
            "---\ntitle: Node disk full\nweight: 20\naliases:\n  - /nodediskfull/\n---\n\n# NodeDiskFull\n\n\
             ## Meaning\n\nThe disk fills.\n\n## Mitigation\n\nSee [the clock runbook](../nodeclockskew/) \
             and [the old URL](/nodediskfull/).\n",
        )
        .file(
            "content/runbooks/node/NodeClockSkew.md",
            "---\ntitle: Node clock skew\n---\n\n# NodeClockSkew\n\n## Meaning\n\nClocks drift.\n\n\
             ## Mitigation\n\nBack to [the disk](../NodeDiskFull/#mitigation); \
             [a draft](../nodewip/) is not published.\n",
        )
        .file(
            "content/runbooks/node/NodeWip.md",
            "---\ntitle: WIP\ndraft: true\n---\n\n# NodeWip\n\nNo sections yet: not checked.\n",
        );
    let diags = check_json(&site, TODAY);
    assert_eq!(
        places(&diags),
        vec![place(
            "link-broken",
            "content/runbooks/node/NodeClockSkew.md",
            13,
            60
        )],
        "{}",
        show(&diags)
    );
    site.file(
        "content/runbooks/node/NodeClockSkew.md",
        "---\ntitle: Node clock skew\n---\n\n# NodeClockSkew\n\n## Meaning\n\nClocks drift.\n\n\
         ## Mitigation\n\nBack to [the disk](../NodeDiskFull/#mitigation).\n",
    );
    let out = site.build_ok();
    // The alias is a page that sends the reader on.
    let redirect = site.output("nodediskfull/index.html");
    assert!(
        redirect.contains("url=../runbooks/node/nodediskfull/index.html"),
        "{redirect}"
    );
    // A blank `_index.md` lists its folder under its title.
    let node = site.output("runbooks/node/index.html");
    assert!(node.contains("<h1>node</h1>"), "{node}");
    assert!(
        node.contains("href=\"../../runbooks/node/nodediskfull/index.html\">Node disk full</a>")
    );
    // The runbook index is opswiki's own, not the blank `_index.md`.
    assert!(
        site.output("runbooks/index.html")
            .contains("Node clock skew")
    );
    assert!(
        !out.join("runbooks/node/nodewip").exists(),
        "a draft was published"
    );
    let clock = site.output("runbooks/node/nodeclockskew/index.html");
    assert!(clock.contains("href=\"../../../runbooks/node/nodediskfull/index.html#mitigation\""));
}

/// Anchors in every flavor: `{#custom-id}`, `<a id>` and `<a name>`; links
/// name the page's own spelling of an id; each flavor's heading-id rule.
#[test]
fn anchors_as_each_tool_makes_them() {
    let page = "# Ops\n\n## Disk -- full {#DiskFull}\n\nText.\n\n## <a id=\"old-name\"></a>Renamed\n\nText.\n\n\
                <a name=\"legacy\"></a>\n\n## Two -- dashes\n\nText.\n";
    let links = "# Links\n\n[custom](ops.md#diskfull) [html](ops.md#old-name) [name](ops.md#legacy) \
                 [collapsed](ops.md#two-dashes)\n";
    for (flavor, collapsed_ok) in [("github", false), ("gitlab", true), ("mkdocs", true)] {
        let site = Site::new();
        site.file("opswiki.yaml", &format!("flavor: {flavor}\n"))
            .file("content/ops.md", page)
            .file("content/links.md", links);
        let diags = check_json(&site, TODAY);
        let expected = if collapsed_ok {
            vec![]
        } else {
            vec![place("link-anchor-missing", "content/links.md", 3, 85)]
        };
        assert_eq!(places(&diags), expected, "{flavor}: {}", show(&diags));
        if flavor == "gitlab" {
            site.build_ok();
            let html = site.output("links/index.html");
            assert!(
                html.contains("href=\"../ops/index.html#DiskFull\""),
                "a link names the id as the page writes it: {html}"
            );
            assert!(site.output("ops/index.html").contains("id=\"DiskFull\""));
        }
    }
}

/// A required section is satisfied by a heading that starts with its name
/// and goes on after a non-letter, not by one that only starts with the
/// letters.
#[test]
fn headings_that_start_with_a_section_name() {
    let site = Site::new();
    site.file(
        "opswiki.yaml",
        "kinds:\n  runbook:\n    required_fields: []\n    required_sections: [Impact, Timeline]\n",
    )
    .file(
        "content/runbooks/a.md",
        "# A\n\n## Impacted services\n\nAll.\n\n## Timeline (all times PST) 01/16/2024\n\n- 10:00 start\n",
    );
    let diags = check_json(&site, TODAY);
    assert_eq!(
        places(&diags),
        vec![place(
            "runbook-section-missing",
            "content/runbooks/a.md",
            1,
            1
        )],
        "{}",
        show(&diags)
    );
    assert!(diags[0]["message"].as_str().unwrap().contains("`Impact`"));
}

/// The new keys' mistakes are config diagnostics at their place.
#[test]
fn bad_flavor_urls_and_globs_are_located() {
    let site = Site::new();
    site.file(
        "opswiki.yaml",
        "flavor: docusaurus\nurls:\n  - prefix: ftp://x\n    path: a\ncontent: ../elsewhere\n\
         kinds:\n  runbook:\n    paths: [\"runbooks/[x\"]\n",
    );
    let diags = check_json(&site, TODAY);
    assert_eq!(
        places(&diags),
        vec![
            place("config-invalid", "opswiki.yaml", 1, 9),
            place("config-invalid", "opswiki.yaml", 3, 13),
            place("config-invalid", "opswiki.yaml", 5, 10),
            place("config-invalid", "opswiki.yaml", 8, 13),
        ],
        "{}",
        show(&diags)
    );
}

/// A fence left open swallows the headings below it: the missing section's
/// help says where its heading is and why it does not count.
#[test]
fn a_section_swallowed_by_an_open_fence_says_so() {
    let site = Site::new();
    site.file(
        "opswiki.yaml",
        "kinds:\n  runbook:\n    required_fields: []\n    required_sections: [Diagnosis, Mitigation]\n",
    )
    .file(
        "content/runbooks/a.md",
        "# A\n\n## Diagnosis\n\n```shell\n$ kubectl get pods\n\n## Mitigation\n\nRestart.\n",
    );
    let diags = check_json(&site, TODAY);
    let d = assert_diag(
        &diags,
        "runbook-section-missing",
        "content/runbooks/a.md",
        1,
        1,
    );
    assert_eq!(diags.len(), 1, "{}", show(&diags));
    assert!(
        d["help"]
            .as_str()
            .unwrap()
            .contains("line 8 holds a `Mitigation` heading inside a code block"),
        "{d}"
    );
}

/// On GitHub and GitLab a relative link to any file or folder of the
/// repository works (the forge shows it), also above the site's own folder
/// and written from the repository's top (`/scripts/x.sh`):
/// a script, a workflow under `.github/`, a folder of manifests. Such links
/// are not broken; ones to files that do not exist, to another case, or into
/// `.git` are. The wiki links them to the forge's view by `repo_url`. A
/// `promtool test rules` file beside the rules is not an alarm file.
#[test]
fn forge_links_to_the_repositorys_other_files() {
    let repo = Site::bare();
    let git = std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(repo.root())
        .status()
        .expect("run git");
    assert!(git.success());
    let config = "flavor: github\ncontent: .\nrepo_url: https://github.com/acme/ops\n\
                  alarms:\n  sources: [\"alerts/**\"]\nkinds:\n  runbook:\n    paths: [\"runbooks/**\"]\n\
                  \x20   required_fields: []\n    required_sections: []\n";
    repo.file("scripts/drain.sh", "#!/bin/sh\n")
        .file(".github/workflows/alerts.yml", "on: push\n")
        .file("deploy/base/kustomization.yaml", "resources: []\n")
        .file("ops/opswiki.yaml", config)
        .file(
            "ops/runbooks/db.md",
            "# Database\n\n\
             Run [the drain script](../../scripts/drain.sh), see [the workflow](../../.github/workflows/alerts.yml#L1) \
             and [the manifests](../../deploy/base); from the top: [drain](/scripts/drain.sh).\n\n\
             Not there: [gone from the top](/scripts/gone.sh), [gone](../../scripts/gone.sh), [case](../../Scripts/drain.sh), [git](../../.git/config).\n",
        )
        .file(
            "ops/alerts/db.yaml",
            "groups:\n  - name: db\n    rules:\n      - alert: DbDown\n        expr: up == 0\n\
             \x20       labels: {severity: critical}\n        annotations:\n\
             \x20         description: The database is down\n          runbook_url: runbooks/db.md\n",
        )
        // A Hugo site beside the runbooks: its archetypes are templates.
        .file("ops/website/hugo.toml", "title = \"Ops\"\n")
        .file(
            "ops/website/archetypes/default.md",
            "---\ntitle: \"{{ replace .Name \"-\" \" \" | title }}\"\n---\n",
        )
        .file(
            "ops/alerts/db.test.yaml",
            "rule_files: [db.yaml]\ntests:\n  - interval: 1m\n    input_series: []\n\
             \x20   alert_rule_test:\n      - alertname: DbDown\n        eval_time: 5m\n",
        );
    let root = repo.path("ops");
    let check = |root: &std::path::Path| check_json_at(root, TODAY);
    let diags = check(&root);
    let page = "runbooks/db.md";
    let text = std::fs::read_to_string(root.join(page)).unwrap();
    let (gone, case, git, gone_top) = (
        pos(&text, "../../scripts/gone.sh"),
        pos(&text, "../../Scripts/drain.sh"),
        pos(&text, "../../.git/config"),
        pos(&text, "/scripts/gone.sh)"),
    );
    assert_eq!(
        places(&diags),
        vec![
            place("link-broken", page, gone_top.0 as u64, gone_top.1 as u64),
            place("link-broken", page, gone.0 as u64, gone.1 as u64),
            place("link-broken", page, case.0 as u64, case.1 as u64),
            place("link-broken", page, git.0 as u64, git.1 as u64),
        ],
        "{}",
        show(&diags)
    );

    // Where the pages are not read on a forge, the same links are broken.
    std::fs::write(
        root.join("opswiki.yaml"),
        config.replace("flavor: github", "flavor: mkdocs"),
    )
    .unwrap();
    assert_count(&check(&root), "link-broken", 8);

    // The wiki sends the reader to the forge's view of each file.
    std::fs::write(root.join("opswiki.yaml"), config).unwrap();
    std::fs::write(
        root.join(page),
        "# Database\n\nRun [the drain script](../../scripts/drain.sh), see \
         [the workflow](../../.github/workflows/alerts.yml#L1) and [the manifests](../../deploy/base); \
         [from the top](/deploy/base/kustomization.yaml).\n",
    )
    .unwrap();
    let out = repo.path("out");
    let built = build_into(&root, &out, TODAY, &["--format", "json"]);
    assert_eq!(built.code, 0, "{built}");
    let html = std::fs::read_to_string(out.join("runbooks/db/index.html")).unwrap();
    for href in [
        "https://github.com/acme/ops/blob/main/scripts/drain.sh",
        "https://github.com/acme/ops/blob/main/.github/workflows/alerts.yml#L1",
        "https://github.com/acme/ops/tree/main/deploy/base",
        "https://github.com/acme/ops/blob/main/deploy/base/kustomization.yaml",
    ] {
        assert!(
            html.contains(&format!("href=\"{href}\"")),
            "no link to {href} in the page"
        );
    }
}
