//! Alarms: the three shapes, every alarm check located at file:line:col, the
//! generated corpus' broken links found exactly, and the catalogue and
//! coverage pages.

mod common;

use common::*;

const CONFIG: &str = "title: T\nbase_url: https://wiki.example.com/\n";

/// A site with two runbooks (P1 `api`, P2 `db`) and a plain page.
fn site_with_runbooks() -> Site {
    let site = Site::new();
    site.file("opswiki.yaml", CONFIG);
    site.file(
        "content/runbooks/api.md",
        &Runbook::new("API errors")
            .field("severity", "P1")
            .to_string(),
    );
    site.file("content/runbooks/db.md", &Runbook::new("DB").to_string());
    site.file("content/notes.md", "# Notes\n\n## Anything\n\ntext\n");
    site
}

#[test]
fn a_valid_list_checks_clean_in_both_list_forms() {
    let site = site_with_runbooks();
    site.file(
        "content/alarms/a.yaml",
        "- name: api-5xx\n  description: API errors\n  severity: P1\n  runbook: runbooks/api#diagnosis-steps\n",
    );
    site.file(
        "content/alarms/b.yml",
        "alarms:\n  - name: db-conn\n    description: DB connections\n    severity: P2\n    runbook: https://wiki.example.com/runbooks/db/\n",
    );
    assert_clean(&check_json(&site, TODAY));
}

#[test]
fn each_list_alarm_problem_is_located() {
    let site = site_with_runbooks();
    let yaml = "\
- name: no-runbook
  description: x
  severity: P1
- name: broken
  description: x
  severity: P1
  runbook: runbooks/gone
- name: bad-anchor
  description: x
  severity: P1
  runbook: runbooks/api#nope
- name: not-a-runbook
  description: x
  severity: P1
  runbook: notes
- name: no-description
  severity: P1
  runbook: runbooks/api
- name: no-severity
  description: x
  runbook: runbooks/api
- name: odd-severity
  description: x
  severity: SEV9
  runbook: runbooks/api
- name: mismatch
  description: x
  severity: P3
  runbook: runbooks/api
";
    site.file("content/alarms/a.yaml", yaml);
    let f = "content/alarms/a.yaml";
    let diags = check_json(&site, TODAY);
    assert_exactly(
        &diags,
        &[
            ("error", "alarm-runbook-missing", f, 1, 3),
            ("error", "alarm-runbook-broken", f, 7, 12),
            ("error", "alarm-runbook-anchor-missing", f, 11, 12),
            ("error", "alarm-runbook-not-runbook", f, 15, 12),
            ("error", "alarm-description-missing", f, 16, 3),
            ("error", "alarm-severity-missing", f, 19, 3),
            ("error", "alarm-severity-unknown", f, 24, 13),
            ("warning", "alarm-severity-mismatch", f, 28, 13),
        ],
    );
    let anchor = &with_code(&diags, "alarm-runbook-anchor-missing")[0];
    assert!(
        anchor["message"].as_str().unwrap().contains("#nope"),
        "{anchor}"
    );
}

#[test]
fn duplicate_list_names_name_both_places() {
    let site = site_with_runbooks();
    let one = "- name: dup\n  description: x\n  severity: P1\n  runbook: runbooks/api\n";
    site.file("content/alarms/a.yaml", one);
    site.file("content/alarms/b.yaml", &format!("# second\n{one}"));
    let diags = check_json(&site, TODAY);
    let d = assert_diag(&diags, "alarm-duplicate", "content/alarms/b.yaml", 2, 3);
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("content/alarms/a.yaml:1"),
        "{d}"
    );
    assert_count(&diags, "alarm-duplicate", 1);
}

#[test]
fn runbook_alarm_lists_must_name_real_alarms_pointing_here() {
    let site = site_with_runbooks();
    site.file(
        "content/alarms/a.yaml",
        "- name: api-5xx\n  description: x\n  severity: P1\n  runbook: runbooks/api\n",
    );
    let text = Runbook::new("DB")
        .field("alarms", "\n  - api-5xx\n  - ghost-alarm")
        .to_string();
    site.file("content/runbooks/db.md", &text);
    let diags = check_json(&site, TODAY);
    let (l1, c1) = pos(&text, "api-5xx");
    let (l2, c2) = pos(&text, "ghost-alarm");
    assert_exactly(
        &diags,
        &[
            (
                "warning",
                "runbook-alarm-elsewhere",
                "content/runbooks/db.md",
                l1,
                c1,
            ),
            (
                "error",
                "runbook-alarm-unknown",
                "content/runbooks/db.md",
                l2,
                c2,
            ),
        ],
    );
}

#[test]
fn external_runbooks_are_counted_and_denied_on_request() {
    let site = site_with_runbooks();
    site.file(
        "content/alarms/a.yaml",
        "- name: ext\n  description: x\n  severity: P1\n  runbook: https://other.example.org/rb\n",
    );
    let out = site.check(&["--format", "json"]);
    assert_eq!(out.code, 0, "{out}");
    assert!(out.stderr.contains("1 external"), "{out}");
    let out = site.check(&["--format", "json", "--deny-external"]);
    assert_eq!(out.code, 1, "{out}");
    let diags = parse_json_lines(&out.stdout);
    assert_diag(
        &diags,
        "alarm-runbook-external",
        "content/alarms/a.yaml",
        4,
        12,
    );
}

#[test]
fn bad_alarm_files_are_located() {
    let site = site_with_runbooks();
    site.file("content/alarms/a.yaml", "- name: x\n  runbook: [oops\n");
    site.file("content/alarms/b.yaml", "just: a mapping\n");
    let diags = check_json(&site, TODAY);
    assert_count(&diags, "alarm-file-invalid", 2);
    assert_diag(&diags, "alarm-file-invalid", "content/alarms/b.yaml", 1, 1);
    let a = with_code(&diags, "alarm-file-invalid")
        .into_iter()
        .find(|d| d["file"] == "content/alarms/a.yaml")
        .expect("a.yaml diagnostic");
    assert!(a["line"].as_u64().unwrap() >= 2, "{a}");
}

/// A rule file as monitoring mixins ship it: runbook URLs under base_url,
/// with and without a trailing slash and an anchor; a mixed-case runbook
/// file reached by a lower-case URL; one alert at two severities.
const PROMETHEUS: &str = r#"groups:
  - name: kubernetes-apps
    rules:
      - record: namespace:container_cpu:sum
        expr: sum by (namespace) (rate(container_cpu_usage_seconds_total[5m]))
      - alert: KubePodCrashLooping
        annotations:
          description: 'Pod {{ $labels.namespace }}/{{ $labels.pod }} is in waiting state (reason: "CrashLoopBackOff").'
          runbook_url: https://wiki.example.com/runbooks/kubepodcrashlooping
          summary: Pod is crash looping.
        expr: max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[5m]) >= 1
        for: 15m
        labels:
          severity: warning
      - alert: KubePodCrashLooping
        annotations:
          summary: Pod is crash looping a lot.
          runbook_url: https://wiki.example.com/runbooks/KubePodCrashLooping/#diagnosis-steps
        expr: max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[5m]) >= 5
        for: 5m
        labels:
          severity: critical
"#;

const PROMETHEUS_RULE: &str = r#"apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: node-rules
  namespace: monitoring
spec:
  groups:
    - name: node
      rules:
        - alert: NodeFilesystemAlmostFull
          expr: node_filesystem_avail_bytes / node_filesystem_size_bytes < 0.05
          for: 30m
          labels:
            severity: critical
          annotations:
            summary: Filesystem has less than 5% space left.
            runbook_url: https://wiki.example.com/runbooks/nodefilesystemalmostfull/
        - alert: NodeFilesystemBroken
          expr: up == 0
          labels:
            severity: critical
          annotations:
            summary: Broken link on purpose.
            runbook_url: https://wiki.example.com/runbooks/NodeFilesystemGone
---
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: second-document
spec:
  groups:
    - name: misc
      rules:
        - alert: Unmapped
          expr: vector(1)
          labels:
            severity: page
          annotations:
            summary: Severity label not in severity_map.
            runbook_url: https://wiki.example.com/runbooks/kubepodcrashlooping
"#;

#[test]
fn prometheus_shapes_as_mixins_ship_them() {
    let site = Site::new();
    site.file("opswiki.yaml", CONFIG);
    site.file(
        "content/runbooks/KubePodCrashLooping.md",
        &Runbook::new("KubePodCrashLooping").to_string(),
    );
    site.file(
        "content/runbooks/NodeFilesystemAlmostFull.md",
        &Runbook::new("NodeFilesystemAlmostFull").to_string(),
    );
    site.file("content/alarms/kubernetes.yaml", PROMETHEUS);
    site.file("content/alarms/node-rules.yaml", PROMETHEUS_RULE);
    let diags = check_json(&site, TODAY);
    let (l, c) = pos(
        PROMETHEUS_RULE,
        "https://wiki.example.com/runbooks/NodeFilesystemGone",
    );
    let (sl, sc) = pos(PROMETHEUS_RULE, "page");
    assert_exactly(
        &diags,
        &[
            (
                "error",
                "alarm-runbook-broken",
                "content/alarms/node-rules.yaml",
                l,
                c,
            ),
            (
                "warning",
                "alarm-severity-unmapped",
                "content/alarms/node-rules.yaml",
                sl,
                sc,
            ),
        ],
    );
    // The recording rule is not an alarm; the repeated alert is two alarms.
    let out = site.check(&[]);
    assert!(out.stderr.contains("5 alarms"), "{out}");
}

#[test]
fn prometheus_alarm_without_runbook_points_at_its_alert_line() {
    let site = site_with_runbooks();
    site.file(
        "content/alarms/p.yaml",
        "groups:\n- name: g\n  rules:\n  - alert: NoRunbook\n    expr: up == 0\n    labels: {severity: critical}\n    annotations: {summary: down}\n",
    );
    let diags = check_json(&site, TODAY);
    assert_exactly(
        &diags,
        &[(
            "error",
            "alarm-runbook-missing",
            "content/alarms/p.yaml",
            4,
            5,
        )],
    );
}

fn gen_corpus(out: &std::path::Path, runbooks: usize, broken: usize) -> Vec<String> {
    let script = repo_root().join("bench").join("gen_corpus.py");
    let mut cmd = std::process::Command::new("python3");
    cmd.arg(&script)
        .arg("--out")
        .arg(out)
        .arg("--runbooks")
        .arg(runbooks.to_string());
    if broken > 0 {
        cmd.arg("--break").arg(broken.to_string());
    }
    let result = cmd.output().expect("python3 runs the corpus generator");
    assert!(result.status.success(), "{result:?}");
    String::from_utf8(result.stderr)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn generated_corpus_checks_clean_and_broken_links_are_found_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let clean = dir.path().join("clean");
    assert!(gen_corpus(&clean, 300, 0).is_empty());
    assert_clean(&check_json_at(&clean, "2026-11-23"));

    let broken_dir = dir.path().join("broken");
    let mut names = gen_corpus(&broken_dir, 300, 7);
    assert_eq!(names.len(), 7);
    let diags = check_json_at(&broken_dir, "2026-11-23");
    assert!(
        diags
            .iter()
            .all(|d| d["code"] == "alarm-runbook-broken" && d["level"] == "error"),
        "only broken alarm links expected:\n{}",
        show(&diags)
    );
    let mut found: Vec<String> = diags
        .iter()
        .map(|d| {
            let message = d["message"].as_str().unwrap();
            message.split('`').nth(1).unwrap().to_string()
        })
        .collect();
    names.sort();
    found.sort();
    assert_eq!(found, names);
}

#[test]
fn junit_report_lists_broken_alarms_as_failures() {
    let site = site_with_runbooks();
    site.file(
        "content/alarms/a.yaml",
        "- name: broken\n  description: x\n  severity: P1\n  runbook: runbooks/gone\n",
    );
    let out = site.check(&["--format", "junit"]);
    assert_eq!(out.code, 1, "{out}");
    assert!(out.stdout.starts_with("<?xml"), "{out}");
    assert!(out.stdout.contains("failures=\"1\""), "{out}");
    assert!(
        out.stdout
            .contains("<failure type=\"alarm-runbook-broken\""),
        "{out}"
    );
    assert!(out.stdout.contains("content/alarms/a.yaml:4:12"), "{out}");
}

#[test]
fn catalogue_coverage_and_runbook_pages_show_alarms() {
    let site = site_with_runbooks();
    site.file(
        "content/runbooks/orphan.md",
        &Runbook::new("Orphan").to_string(),
    );
    site.file(
        "content/alarms/a.yaml",
        "- name: api-5xx\n  description: API <errors>\n  severity: P1\n  runbook: runbooks/api#diagnosis-steps\n  threshold: \"> 1% for 5 minutes\"\n  action: page on-call\n  service: orders\n- name: ext\n  description: elsewhere\n  severity: P2\n  runbook: https://other.example.org/x\n  service: billing\n",
    );
    site.file(
        "content/alarms/p.yaml",
        PROMETHEUS
            .replace("kubepodcrashlooping", "api")
            .replace("KubePodCrashLooping/", "api/")
            .as_str(),
    );
    site.build_ok();

    let catalogue = site.output("alarms/index.html");
    assert!(catalogue.contains("<tbody id=\"api-5xx\""), "alarm anchor");
    assert!(catalogue.contains("href=\"../runbooks/api/index.html#diagnosis-steps\""));
    assert!(
        catalogue.contains("API &lt;errors&gt;"),
        "descriptions are escaped"
    );
    assert!(catalogue.contains("&gt; 1% for 5 minutes"));
    assert!(catalogue.contains("page on-call"));
    assert!(catalogue.contains("content/alarms/a.yaml:1"));
    assert!(catalogue.contains("data-severity=\"P1\""));
    assert!(catalogue.contains("data-service=\"orders\""));
    // The alert repeated at two severities is one group with both.
    assert_eq!(
        catalogue
            .matches("<tbody id=\"KubePodCrashLooping\"")
            .count(),
        1
    );
    assert!(catalogue.contains("data-severity=\"P1 P3\""));
    assert!(catalogue.contains("not checked"), "external runbook marked");

    let coverage = site.output("coverage/index.html");
    assert!(
        coverage.contains("<strong>3/4</strong> alarms reach a runbook"),
        "{coverage}"
    );
    assert!(
        coverage.contains("href=\"../runbooks/orphan/index.html\""),
        "unreached runbook listed"
    );
    assert!(
        coverage.contains("<span class=\"chip\">billing</span>"),
        "service without runbook"
    );

    let runbook = site.output("runbooks/api/index.html");
    assert!(runbook.contains("Alarms that lead here"));
    assert!(runbook.contains("href=\"../../alarms/index.html#api-5xx\""));
    assert!(runbook.contains("href=\"../../alarms/index.html#KubePodCrashLooping\""));
    let db = site.output("runbooks/db/index.html");
    assert!(!db.contains("Alarms that lead here"));
}
