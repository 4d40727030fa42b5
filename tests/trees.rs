//! Triage decision trees: both notations read into one model (the handbook's
//! exact text included), every check located at file:line:col by the real
//! binary, and the three renderings (walk-through data, SVG diagram, list),
//! the trees index and the runbook pages' "Triage paths that lead here".

mod common;

use common::*;
use opswiki::trees::{DestKind, Origin, Resolved, Tree};

const CONFIG: &str = "title: T\nbase_url: https://wiki.example.com/\n";

/// A site with runbooks `api` ("API Errors"), `db` ("DB Slow") and
/// `outage` ("Service Outage"), and a plain page `notes`.
fn site() -> Site {
    let site = Site::new();
    site.file("opswiki.yaml", CONFIG);
    site.file(
        "content/runbooks/api.md",
        &Runbook::new("API Errors").to_string(),
    );
    site.file(
        "content/runbooks/db.md",
        &Runbook::new("DB Slow").to_string(),
    );
    site.file(
        "content/runbooks/outage.md",
        &Runbook::new("Service Outage").to_string(),
    );
    site.file("content/notes.md", "# Notes\n\n## Anything\n\ntext\n");
    site
}

/// A valid YAML tree over the runbooks of [`site`].
const TREE: &str = "\
title: Users report errors
start: api
nodes:
  api:
    check: API error rate dashboard
    options:
      - answer: Error rate elevated
        runbook: runbooks/api
      - answer: Normal
        next: db
  db:
    check: Database latency panel
    options:
      - answer: High latency
        runbook: runbooks/db#diagnosis-steps
      - answer: Normal
        next: health
  health:
    check: Health check endpoints
    options:
      - answer: Endpoint down
        runbook: Service Outage
      - answer: All healthy
        escalate: Escalate to engineering for investigation
";

/// The operations handbook's tree, exactly as written there.
const HANDBOOK: &str = "\
Symptom: Users report errors
  │
  ├── Check: API error rate dashboard
  │   ├── Error rate elevated? → Runbook: API Error Rate Spike
  │   └── Normal? → Continue diagnosis
  │
  ├── Check: Health check endpoints
  │   ├── Endpoint down? → Runbook: Service Outage
  │   └── All healthy? → Continue diagnosis
  │
  ├── Check: Database metrics
  │   ├── Connections exhausted? → Runbook: DB Connection Exhaustion
  │   ├── High latency? → Runbook: DB Performance Degradation
  │   └── Normal? → Continue diagnosis
  │
  └── Check: External dependency status
      ├── Dependency down? → Runbook: External Dependency Failure
      └── All healthy? → Escalate to engineering for investigation
";

/// The same tree in ASCII.
fn ascii(text: &str) -> String {
    text.replace("├──", "|--")
        .replace("└──", "`--")
        .replace('│', "|")
        .replace('→', "->")
}

fn fenced_page(tree: &str) -> String {
    format!("# Incident response\n\nIntro.\n\n## Triage\n\n```triage\n{tree}```\n\nAfter.\n")
}

/// Load and parse a site through the library.
fn model(root: &std::path::Path) -> opswiki::site::Site {
    let loaded = opswiki::load::load(root).expect("load the site");
    opswiki::site::parse(loaded).0
}

/// A tree as comparable data: (title, [(check, [(answer, target)])]), with
/// runbooks named by the page id they resolve to.
type Shape = (String, Vec<(String, Vec<(String, String)>)>);

fn shape(site: &opswiki::site::Site, tree: &Tree) -> Shape {
    let nodes = tree
        .nodes
        .iter()
        .map(|n| {
            let options = n
                .options
                .iter()
                .map(|c| {
                    let target = match &c.target().expect("one target").kind {
                        DestKind::Runbook {
                            resolved: Resolved::Runbook { page, .. },
                            ..
                        } => format!("runbook {}", site.pages[*page].id),
                        DestKind::Runbook { name, resolved } => {
                            format!("unresolved {name} {resolved:?}")
                        }
                        DestKind::Next { node: Some(i), .. } => {
                            format!("next {}", tree.nodes[*i].check.text)
                        }
                        DestKind::Escalate { text } => format!("escalate {text}"),
                        other => format!("{other:?}"),
                    };
                    (c.answer.text.clone(), target)
                })
                .collect();
            (n.check.text.clone(), options)
        })
        .collect();
    (tree.title.clone(), nodes)
}

// ---------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------

#[test]
fn the_handbook_text_reads_as_the_yaml_tree_in_both_spellings() {
    for text in [HANDBOOK.to_string(), ascii(HANDBOOK)] {
        let site = Site::new();
        site.file("opswiki.yaml", CONFIG);
        // The example runbooks of the repository, so every title resolves.
        for name in [
            "api-error-rate-spike",
            "service-outage",
            "db-connection-exhaustion",
            "db-performance-degradation",
            "external-dependency-failure",
        ] {
            let rel = format!("content/runbooks/{name}.md");
            let text = std::fs::read_to_string(repo_root().join(&rel)).unwrap();
            site.file(&rel, &text);
        }
        site.file("content/handbook.md", &fenced_page(&text));
        site.file(
            "content/trees/users-report-errors.yaml",
            &std::fs::read_to_string(repo_root().join("content/trees/users-report-errors.yaml"))
                .unwrap(),
        );
        let m = model(&site.root());
        let yaml = m
            .trees
            .iter()
            .find(|t| t.origin == Origin::File)
            .expect("the YAML tree");
        let fenced = m
            .trees
            .iter()
            .find(|t| matches!(t.origin, Origin::Fenced { .. }))
            .expect("the fenced tree");
        assert_eq!(shape(&m, fenced), shape(&m, yaml));
        assert_eq!(fenced.slug, "users-report-errors");
        assert_eq!(fenced.nodes.len(), 4);
        assert_eq!(
            fenced
                .nodes
                .iter()
                .map(|n| n.options.len())
                .collect::<Vec<_>>(),
            vec![2, 2, 3, 2]
        );
        // Lines are the file's: the block starts on line 8 of the page.
        let page = fenced_page(&text);
        let db = &fenced.nodes[2];
        assert_eq!(
            (db.check.span.line, db.check.span.column),
            pos(&page, "Database metrics")
        );
        let latency = &db.options[1];
        assert_eq!(latency.answer.text, "High latency");
        assert_eq!(
            (latency.answer.span.line, latency.answer.span.column),
            pos(&page, "High latency")
        );
        let target = latency.target().unwrap();
        assert_eq!(
            (target.span.line, target.span.column),
            pos(&page, "DB Performance Degradation")
        );
        assert_eq!(fenced.span.line, pos(&page, "Users report errors").0);
    }
}

#[test]
fn the_example_wiki_holds_the_tree_as_yaml_and_on_the_incident_page() {
    let m = model(&repo_root());
    let yaml = m
        .trees
        .iter()
        .find(|t| t.origin == Origin::File && t.slug == "users-report-errors")
        .expect("content/trees/users-report-errors.yaml");
    let incident = m
        .trees
        .iter()
        .find(|t| m.sources[t.source].display_path == "content/incident-response.md")
        .expect("the triage block on the incident response page");
    assert_eq!(shape(&m, incident), shape(&m, yaml));
    // The triage page's two trees, one of them naming a runbook by link.
    let on_triage: Vec<&Tree> = m
        .trees
        .iter()
        .filter(|t| m.sources[t.source].display_path == "content/triage.md")
        .collect();
    assert_eq!(on_triage.len(), 2);
    assert_eq!(on_triage[0].title, "Orders are not being fulfilled");
    assert_eq!(on_triage[1].slug, "users-cannot-log-in");
}

#[test]
fn a_valid_tree_in_both_notations_checks_clean() {
    let site = site();
    site.file("content/trees/errors.yaml", TREE);
    site.file(
        "content/page.md",
        &fenced_page(
            "Symptom: S\n  ├── Check: A\n  │   ├── Up? → Runbook: API Errors\n  │   └── Normal? → Continue diagnosis\n  └── Check: B\n      ├── Slow? → Runbook: runbooks/db.md\n      ├── Odd? → Escalate to the DBA\n      └── Fine? → Escalate to ops\n",
        ),
    );
    site.file(
        "content/ascii.md",
        &fenced_page("Symptom: T\n|-- Check: A\n|   `-- Up? -> Runbook: Service Outage\n"),
    );
    assert_clean(&check_json(&site, TODAY));
}

// ---------------------------------------------------------------------------
// Checks: one test per code, each at its file, line and column
// ---------------------------------------------------------------------------

const FILE: &str = "content/trees/t.yaml";

fn check_tree(yaml: &str) -> (Vec<serde_json::Value>, String) {
    let site = site();
    site.file(FILE, yaml);
    (check_json(&site, TODAY), yaml.to_string())
}

fn check_fenced(tree: &str) -> (Vec<serde_json::Value>, String) {
    let site = site();
    let page = fenced_page(tree);
    site.file("content/page.md", &page);
    (check_json(&site, TODAY), page)
}

#[test]
fn tree_invalid_yaml_is_located() {
    let text = "title: x\nnodes:\n  a:\n    check: [unclosed\n";
    let (diags, _) = check_tree(text);
    // At the bracket that is never closed.
    let (line, col) = pos(text, "[unclosed");
    let d = assert_diag(&diags, "tree-invalid", FILE, line, col);
    assert!(
        d["message"].as_str().unwrap().contains("not valid YAML"),
        "{d}"
    );
    assert_eq!(diags.len(), 1, "{}", show(&diags));
}

#[test]
fn tree_invalid_shape_is_located() {
    let text = "title: x\nnodes:\n  - a\n  - b\n";
    let (diags, _) = check_tree(text);
    assert_diag(&diags, "tree-invalid", FILE, 3, 3);
}

#[test]
fn tree_invalid_fenced_line_is_located() {
    let (diags, page) =
        check_fenced("Symptom: S\n├── Check: A\n│   └── Up? → Runbook: API Errors\nwhat is this\n");
    let (line, col) = pos(&page, "what is this");
    assert_diag(&diags, "tree-invalid", "content/page.md", line, col);
}

#[test]
fn tree_start_unknown() {
    let text = TREE.replace("start: api", "start: apu");
    let (diags, _) = check_tree(&text);
    let (line, col) = pos(&text, "apu");
    let d = assert_diag(&diags, "tree-start-unknown", FILE, line, col);
    assert_eq!(d["level"], "error");
    assert_eq!(diags.len(), 1, "{}", show(&diags));
}

#[test]
fn tree_next_unknown_yaml() {
    let text = TREE.replace("next: health", "next: helth");
    let (diags, _) = check_tree(&text);
    let (line, col) = pos(&text, "helth");
    let d = assert_diag(&diags, "tree-next-unknown", FILE, line, col);
    assert!(d["message"].as_str().unwrap().contains("helth"));
    // `health` is now unreachable too.
    let (line, col) = pos(&text, "health:");
    assert_diag(&diags, "tree-node-unreachable", FILE, line, col);
}

#[test]
fn tree_next_unknown_fenced_continue_after_the_last_check() {
    let (diags, page) = check_fenced(
        "Symptom: S\n├── Check: A\n│   └── Normal? → Continue diagnosis\n└── Check: B\n    ├── Up? → Runbook: DB Slow\n    └── Fine? → Continue diagnosis\n",
    );
    let (line, col) = pos_nth(&page, "Continue diagnosis", 1);
    assert_diag(&diags, "tree-next-unknown", "content/page.md", line, col);
    assert_eq!(diags.len(), 1, "{}", show(&diags));
}

#[test]
fn tree_cycle_names_the_nodes_on_it() {
    let text = TREE.replace(
        "        escalate: Escalate to engineering for investigation",
        "        next: db",
    );
    let (diags, _) = check_tree(&text);
    let (line, col) = pos_nth(&text, "next: db", 1);
    let d = assert_diag(&diags, "tree-cycle", FILE, line, col + 6);
    assert_eq!(
        d["message"],
        "this answer closes a cycle: `db` → `health` → `db`"
    );
    assert_count(&diags, "tree-cycle", 1);
}

#[test]
fn tree_cycle_in_the_handbook_notation() {
    let (diags, page) = check_fenced(
        "Symptom: S\n├── Check: A\n│   └── Normal? → Continue diagnosis\n└── Check: B\n    ├── Up? → Runbook: DB Slow\n    └── Again? → Check: A\n",
    );
    let (line, col) = pos(&page, "A\n```");
    let d = assert_diag(&diags, "tree-cycle", "content/page.md", line, col);
    assert!(d["message"].as_str().unwrap().contains("`A` → `B` → `A`"));
}

#[test]
fn tree_node_unreachable() {
    let text = format!(
        "{TREE}  orphan:\n    check: Nobody comes here\n    options:\n      - answer: x\n        escalate: y\n"
    );
    let (diags, _) = check_tree(&text);
    let (line, col) = pos(&text, "orphan:");
    let d = assert_diag(&diags, "tree-node-unreachable", FILE, line, col);
    assert!(d["message"].as_str().unwrap().contains("`orphan`"));
    assert_eq!(diags.len(), 1, "{}", show(&diags));
}

#[test]
fn tree_node_unreachable_in_the_handbook_notation() {
    let (diags, page) = check_fenced(
        "Symptom: S\n├── Check: A\n│   └── Up? → Runbook: API Errors\n└── Check: B\n    └── Up? → Runbook: DB Slow\n",
    );
    let (line, col) = pos(&page, "Check: B");
    assert_diag(
        &diags,
        "tree-node-unreachable",
        "content/page.md",
        line,
        col,
    );
}

#[test]
fn tree_option_target_missing() {
    let text = TREE.replace("        runbook: runbooks/api\n", "");
    let (diags, _) = check_tree(&text);
    let (line, col) = pos(&text, "Error rate elevated");
    assert_diag(&diags, "tree-option-target", FILE, line, col);
}

#[test]
fn tree_option_target_typo_is_named() {
    let text = TREE.replace("runbook: runbooks/api", "runbok: runbooks/api");
    let (diags, _) = check_tree(&text);
    let (line, col) = pos(&text, "Error rate elevated");
    let d = assert_diag(&diags, "tree-option-target", FILE, line, col);
    assert!(d["help"].as_str().unwrap().contains("`runbok`"), "{d}");
}

#[test]
fn tree_option_target_several() {
    let text = TREE.replace(
        "        runbook: runbooks/api\n",
        "        runbook: runbooks/api\n        escalate: also escalate\n",
    );
    let (diags, _) = check_tree(&text);
    let (line, col) = pos(&text, "also escalate");
    let d = assert_diag(&diags, "tree-option-target", FILE, line, col);
    assert!(d["message"].as_str().unwrap().contains("2 targets"));
}

#[test]
fn tree_option_target_in_the_handbook_notation() {
    let (diags, page) = check_fenced(
        "Symptom: S\n└── Check: A\n    ├── Up? → Runbook: API Errors → Escalate now\n    ├── Down?\n    └── Odd? → Call Bob\n",
    );
    let file = "content/page.md";
    let (line, col) = pos(&page, "Escalate now");
    assert_diag(&diags, "tree-option-target", file, line, col);
    let (line, col) = pos(&page, "Down");
    assert_diag(&diags, "tree-option-target", file, line, col);
    let (line, col) = pos(&page, "Call Bob");
    assert_diag(&diags, "tree-option-target", file, line, col);
    assert_count(&diags, "tree-option-target", 3);
}

#[test]
fn tree_runbook_unknown_by_link_and_by_title() {
    let text = TREE.replace("runbooks/api\n", "runbooks/gone\n");
    let (diags, _) = check_tree(&text);
    let (line, col) = pos(&text, "runbooks/gone");
    assert_diag(&diags, "tree-runbook-unknown", FILE, line, col);

    let (diags, page) =
        check_fenced("Symptom: S\n└── Check: A\n    └── Up? → Runbook: DB Slowness\n");
    let (line, col) = pos(&page, "DB Slowness");
    let d = assert_diag(&diags, "tree-runbook-unknown", "content/page.md", line, col);
    assert_eq!(d["help"], "did you mean `DB Slow`?");
}

#[test]
fn tree_runbook_ambiguous() {
    let site = site();
    site.file(
        "content/runbooks/db2.md",
        &Runbook::new("db slow").to_string(),
    );
    let page = fenced_page("Symptom: S\n└── Check: A\n    └── Up? → Runbook: DB SLOW\n");
    site.file("content/page.md", &page);
    let diags = check_json(&site, TODAY);
    let (line, col) = pos(&page, "DB SLOW");
    let d = assert_diag(
        &diags,
        "tree-runbook-ambiguous",
        "content/page.md",
        line,
        col,
    );
    let help = d["help"].as_str().unwrap();
    assert!(
        help.contains("`runbooks/db`") && help.contains("`runbooks/db2`"),
        "{help}"
    );
}

#[test]
fn tree_runbook_not_a_runbook() {
    let text = TREE.replace("runbooks/api\n", "notes\n");
    let (diags, _) = check_tree(&text);
    let (line, col) = pos(&text, "notes");
    assert_diag(&diags, "tree-runbook-not-runbook", FILE, line, col);
    // By title too.
    let (diags, page) = check_fenced("Symptom: S\n└── Check: A\n    └── Up? → Runbook: Notes\n");
    let (line, col) = pos(&page, "Notes\n");
    assert_diag(
        &diags,
        "tree-runbook-not-runbook",
        "content/page.md",
        line,
        col,
    );
}

#[test]
fn tree_runbook_anchor_missing() {
    let text = TREE.replace("#diagnosis-steps", "#no-such-step");
    let (diags, _) = check_tree(&text);
    let (line, col) = pos(&text, "runbooks/db#no-such-step");
    assert_diag(&diags, "link-anchor-missing", FILE, line, col);
}

#[test]
fn tree_node_no_options() {
    let text = TREE.replace(
        "    options:\n      - answer: Endpoint down\n        runbook: Service Outage\n      - answer: All healthy\n        escalate: Escalate to engineering for investigation\n",
        "",
    );
    let (diags, _) = check_tree(&text);
    let (line, col) = pos(&text, "health:");
    assert_diag(&diags, "tree-node-no-options", FILE, line, col);
    assert_eq!(diags.len(), 1, "{}", show(&diags));

    let (diags, page) =
        check_fenced("Symptom: S\n├── Check: A\n│   └── Normal? → Continue\n└── Check: B\n");
    let (line, col) = pos(&page, "Check: B");
    assert_diag(&diags, "tree-node-no-options", "content/page.md", line, col);
}

#[test]
fn tree_check_empty() {
    let text = TREE.replace("check: Database latency panel", "check: \"\"");
    let (diags, _) = check_tree(&text);
    let (line, col) = pos(&text, "\"\"");
    assert_diag(&diags, "tree-check-empty", FILE, line, col);

    let (diags, page) = check_fenced("Symptom: S\n└── Check:\n    └── Up? → Runbook: DB Slow\n");
    let (line, col) = pos(&page, "Check:\n");
    assert_diag(&diags, "tree-check-empty", "content/page.md", line, col);
}

#[test]
fn tree_answer_empty() {
    let text = TREE.replace("answer: High latency", "answer:");
    let (diags, _) = check_tree(&text);
    let (line, col) = pos(&text, "answer:\n");
    assert_diag(&diags, "tree-answer-empty", FILE, line, col);
}

#[test]
fn tree_node_given_twice_is_invalid() {
    let text = format!(
        "{TREE}  api:\n    check: Again\n    options:\n      - answer: x\n        escalate: y\n"
    );
    let (diags, _) = check_tree(&text);
    let (line, col) = pos_nth(&text, "api:", 1);
    let d = assert_diag(&diags, "tree-invalid", FILE, line, col);
    assert!(d["message"].as_str().unwrap().contains("duplicate"), "{d}");
}

#[test]
fn tree_duplicate_files() {
    let site = site();
    site.file("content/trees/a.yaml", TREE);
    site.file("content/trees/A.yml", TREE);
    let diags = check_json(&site, TODAY);
    assert_count(&diags, "tree-duplicate", 1);
}

// ---------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------

fn built() -> Site {
    let site = site();
    site.file("content/trees/errors.yaml", TREE);
    site.file(
        "content/page.md",
        &fenced_page(
            "Symptom: Logins fail\n├── Check: Login panel\n│   ├── Above 10%? → Runbook: API Errors\n│   └── Normal? → Continue diagnosis\n└── Check: Recent deploys\n    └── None? → Escalate to team-identity\n",
        ),
    );
    site.build_ok();
    site
}

#[test]
fn a_yaml_tree_gets_a_page_with_all_three_renderings() {
    let site = built();
    let html = site.output("trees/errors/index.html");
    assert!(html.contains("<h1>Users report errors</h1>"), "{html}");
    // (a) the walk-through: its container, its data and its script.
    assert!(html.contains("<section class=\"triage\" id=\"triage-errors\" data-tree=\"errors\""));
    assert!(html.contains("<div class=\"triage-walk\" hidden></div>"));
    assert!(html.contains("<script defer src=\"../../static/triage.js\"></script>"));
    let data = html
        .split("<script type=\"application/json\" class=\"triage-data\">")
        .nth(1)
        .and_then(|rest| rest.split("</script>").next())
        .expect("the walk-through's data");
    let data: serde_json::Value = serde_json::from_str(data).expect("JSON data");
    assert_eq!(data["id"], "errors");
    assert_eq!(data["start"], 0);
    assert_eq!(data["nodes"][0]["check"], "API error rate dashboard");
    assert_eq!(
        data["nodes"][0]["options"][0]["runbook"]["href"],
        "../../runbooks/api/index.html"
    );
    assert_eq!(data["nodes"][0]["options"][1]["next"], 1);
    assert_eq!(
        data["nodes"][1]["options"][0]["runbook"]["href"],
        "../../runbooks/db/index.html#diagnosis-steps"
    );
    assert_eq!(
        data["nodes"][2]["options"][1]["escalate"],
        "Escalate to engineering for investigation"
    );
    // (b) the diagram: inline SVG, a box per check, every runbook leaf a link.
    let svg = html
        .split("<svg class=\"tree-svg\"")
        .nth(1)
        .and_then(|rest| rest.split("</svg>").next())
        .expect("an inline SVG");
    assert_eq!(count(svg, "<g class=\"tn-check\""), 3);
    for href in [
        "../../runbooks/api/index.html",
        "../../runbooks/db/index.html#diagnosis-steps",
        "../../runbooks/outage/index.html",
    ] {
        assert!(
            svg.contains(&format!("<a class=\"tn-link\" href=\"{href}\">")),
            "no SVG link to {href}"
        );
    }
    assert!(svg.contains("Escalate to engineering for"));
    assert!(!svg.contains("<script"));
    // (c) the list: every check and answer, links without JavaScript.
    let list = html
        .split("<ol class=\"triage-list\">")
        .nth(1)
        .and_then(|rest| rest.split("</ol>").next())
        .expect("the nested list");
    assert_eq!(count(list, "class=\"triage-list-check\""), 3);
    assert!(list.contains("<a class=\"triage-list-runbook\" href=\"../../runbooks/outage/index.html\">Service Outage</a>"));
    assert!(list.contains("<a href=\"#triage-errors-c2\">check 2: Database latency panel</a>"));
    assert!(list.contains("id=\"triage-errors-c2\""));
    // The nav has the Triage item, active here.
    assert!(html.contains("<a href=\"../../trees/index.html\" aria-current=\"page\">Triage</a>"));
    assert!(site.out_dir().join("static/triage.js").is_file());
}

#[test]
fn a_fenced_tree_renders_in_place() {
    let site = built();
    let html = site.output("page/index.html");
    assert!(
        !html.contains("triage-source"),
        "the block is not left as text"
    );
    assert!(html.contains("id=\"triage-logins-fail\" data-tree=\"logins-fail\""));
    assert!(html.contains("Symptom:</span> <strong>Logins fail</strong>"));
    assert!(html.contains("<a class=\"tn-link\" href=\"../runbooks/api/index.html\">"));
    assert_eq!(count(&html, "static/triage.js"), 1);
    // The text around the block stays where it was.
    let before = html.find("Intro.").unwrap();
    let tree = html.find("triage-logins-fail").unwrap();
    let after = html.find("After.").unwrap();
    assert!(before < tree && tree < after);
}

#[test]
fn the_trees_index_lists_every_tree() {
    let site = built();
    let html = site.output("trees/index.html");
    assert!(html.contains(
        "<a class=\"tree-card-title\" href=\"../trees/errors/index.html\">Users report errors</a>"
    ));
    assert!(html.contains("<a class=\"tree-card-title\" href=\"../page/index.html#triage-logins-fail\">Logins fail</a>"));
    assert!(
        html.contains(
            "<a class=\"chip\" href=\"../runbooks/outage/index.html\">Service Outage</a>"
        )
    );
    // Every page's nav links to it.
    assert!(
        site.output("runbooks/db/index.html")
            .contains("href=\"../../trees/index.html\">Triage</a>")
    );
}

#[test]
fn a_runbook_page_lists_the_triage_paths_that_lead_to_it() {
    let site = built();
    let html = site.output("runbooks/outage/index.html");
    assert!(html.contains("Triage paths that lead here"), "{html}");
    assert!(html.contains(
        "<a href=\"../../trees/errors/index.html#t=errors&amp;p=1.1.0\">Users report errors</a>"
    ));
    for step in [
        "API error rate dashboard</span> → <strong>Normal</strong>",
        "Database latency panel</span> → <strong>Normal</strong>",
        "Health check endpoints</span> → <strong>Endpoint down</strong>",
    ] {
        assert!(html.contains(step), "no step {step}");
    }
    // Two trees lead to `api`: the YAML one and the one on the page.
    let api = site.output("runbooks/api/index.html");
    assert!(api.contains("../../page/index.html#t=logins-fail&amp;p=0"));
    assert!(api.contains("../../trees/errors/index.html#t=errors&amp;p=0"));
    // A runbook no tree reaches has no such section.
    let site2 = site_without_trees();
    assert!(
        !site2
            .output("runbooks/api/index.html")
            .contains("Triage paths that lead here")
    );
}

fn site_without_trees() -> Site {
    let site = site();
    site.build_ok();
    let html = site.output("runbooks/api/index.html");
    assert!(
        !html.contains(">Triage</a>"),
        "no Triage nav item without trees"
    );
    assert!(!site.out_dir().join("trees/index.html").exists());
    site
}

#[test]
fn a_broken_tree_fails_the_build_and_writes_nothing() {
    let site = site();
    site.file(
        "content/trees/t.yaml",
        &TREE.replace("next: db", "next: nope"),
    );
    let out = site.build(&["--format", "json"]);
    assert_eq!(out.code, 1, "{out}");
    assert!(!site.out_dir().exists());
}
