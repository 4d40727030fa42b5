//! Alarm sources and dialects: alarm files outside `content/`, the
//! `alarms:` keys, `severity: none`, unmapped severities, templated runbook
//! links, and each dialect read from a fixture in the shape its tool writes
//! (`tests/fixtures/alarm-dialects/`), with every alarm read and every
//! diagnostic located.

mod common;

use common::*;
use opswiki::alarms::{Alarm, parse_file};
use opswiki::config::Config;
use opswiki::source::SourceFile;

const FIXTURE: &str = "alarm-dialects";

/// The fixture's text of a monitoring file.
fn fixture_text(rel: &str) -> String {
    std::fs::read_to_string(fixture(FIXTURE).join(rel)).unwrap()
}

/// A copy of the fixture with a wiki beside `monitoring/`: its config and
/// the runbooks the alarms link to.
fn wiki(config: &str) -> Site {
    let site = Site::copy_of(FIXTURE, |_, b| b);
    site.file("wiki/opswiki.yaml", config);
    site.file(
        "wiki/content/runbooks/api-errors.md",
        &Runbook::new("API errors").to_string(),
    );
    site.file(
        "wiki/content/runbooks/checkout.md",
        &Runbook::new("Checkout").to_string(),
    );
    site.file(
        "wiki/content/runbooks/payments.md",
        &Runbook::new("Payments").to_string(),
    );
    site
}

/// The alarms and file diagnostics `parse_file` reads from a fixture file.
fn read(rel: &str, config: &Config) -> (Vec<Alarm>, Vec<opswiki::diag::Diagnostic>) {
    let display = format!("../monitoring/{}", rel.trim_start_matches("monitoring/"));
    let file = SourceFile::new(display.clone(), display, fixture_text(rel));
    parse_file(&file, 0, config)
}

/// (name, severity, description, runbook) of an alarm.
type Read = (String, Option<String>, Option<String>, Option<String>);

fn summary(alarms: &[Alarm]) -> Vec<Read> {
    alarms
        .iter()
        .map(|a| {
            (
                a.name.clone(),
                a.severity.as_ref().map(|s| s.value.clone()),
                a.description.clone(),
                a.runbook.as_ref().map(|r| r.value.clone()),
            )
        })
        .collect()
}

fn s(x: &str) -> Option<String> {
    Some(x.to_string())
}

const KUBE: &str = "monitoring/kube/platform-prometheusRule.yaml";
const KUBE_SHOWN: &str = "../monitoring/kube/platform-prometheusRule.yaml";

#[test]
fn a_prometheus_rule_outside_content_reads_every_annotation_key_and_severity_none() {
    let (alarms, diags) = read(KUBE, &Config::default());
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(
        summary(&alarms),
        vec![
            (
                "ScrapeTargetMissing".into(),
                s("P3"),
                s("‹…›% of the ‹job›/‹service› targets in ‹namespace› namespace are down."),
                s("https://runbooks.example.dev/runbooks/general/scrapetargetmissing"),
            ),
            (
                "DeadMansSwitch".into(),
                s("none"),
                s(
                    "Always firing, so that the alerting pipeline is seen to work end to end.\nA receiver that hears nothing from it knows the pipeline is broken."
                ),
                None,
            ),
            (
                "QuietInfo".into(),
                s("none"),
                s("Fires while an info alert is firing, to inhibit it."),
                None,
            ),
            (
                "ApiErrorBudgetBurn".into(),
                s("P1"),
                s("The API burns its error budget ‹value› times too fast."),
                s("runbooks/api-errors#diagnosis-steps"),
            ),
            (
                "ApiLatencyHigh".into(),
                s("P3"),
                s("API latency is high"),
                None,
            ),
            (
                "ApiPaged".into(),
                s("page"),
                s("Paged by the old severity scale."),
                s("runbooks/api-errors"),
            ),
        ]
    );
    assert_eq!(alarms[0].name_span.file, KUBE_SHOWN);
    assert_eq!(
        (alarms[0].name_span.line, alarms[0].name_span.column),
        (17, 7)
    );
}

#[test]
fn sources_outside_content_are_checked_and_named_from_the_root() {
    let site = wiki(
        "title: T\nalarms:\n  sources:\n    - \"../monitoring/kube/*-prometheusRule.yaml\"\n    - \"../monitoring/none/**/*.yml\"\n",
    );
    let diags = check_json_at(&site.path("wiki"), TODAY);
    let text = fixture_text(KUBE);
    let (ll, lc) = pos(&text, "alert: ApiLatencyHigh");
    let (pl, pc) = pos(&text, "page");
    assert_exactly(
        &diags,
        &[
            // No runbook under any of the annotation keys; the `none`
            // alarms need none.
            ("error", "alarm-runbook-missing", KUBE_SHOWN, ll, lc),
            ("warning", "alarm-severity-unmapped", KUBE_SHOWN, pl, pc),
            ("warning", "alarm-source-unmatched", "opswiki.yaml", 5, 7),
        ],
    );
    let unmapped = with_code(&diags, "alarm-severity-unmapped")[0];
    assert!(
        unmapped["message"].as_str().unwrap().contains("`page`"),
        "{unmapped}"
    );
    let out = site_check_text(&site);
    assert!(
        out.contains("add `page: P?` under `severity_map:`"),
        "{out}"
    );
}

fn site_check_text(site: &Site) -> String {
    let root = site.path("wiki");
    let out = run(&check_args(&root, TODAY, &[]));
    format!("{}{}", out.stdout, out.stderr)
}

#[test]
fn severity_map_extends_the_default_and_require_runbook_sets_the_policy() {
    // `page` mapped, the defaults kept; only P1 alarms need a runbook.
    let site = wiki(
        "title: T\nseverity_map: {page: P1}\nalarms:\n  sources: [\"../monitoring/kube/*.yaml\"]\n  require_runbook: [P1]\n",
    );
    assert_clean(&check_json_at(&site.path("wiki"), TODAY));
    // Requiring `none` makes the watchdogs need one too.
    site.file(
        "wiki/opswiki.yaml",
        "title: T\nseverity_map: {page: P1}\nalarms:\n  sources: [\"../monitoring/kube/*.yaml\"]\n  require_runbook: [P1, none]\n",
    );
    let text = fixture_text(KUBE);
    let (d1, c1) = pos(&text, "alert: DeadMansSwitch");
    let (d2, c2) = pos(&text, "alert: QuietInfo");
    assert_exactly(
        &check_json_at(&site.path("wiki"), TODAY),
        &[
            ("error", "alarm-runbook-missing", KUBE_SHOWN, d1, c1),
            ("error", "alarm-runbook-missing", KUBE_SHOWN, d2, c2),
        ],
    );
    // Annotation keys are the config's: without `message` and `title`, two
    // descriptions go missing; without `runbook`, one runbook.
    site.file(
        "wiki/opswiki.yaml",
        "title: T\nseverity_map: {page: P1}\nalarms:\n  sources: [\"../monitoring/kube/*.yaml\"]\n  runbook_annotations: [runbook_url]\n  description_annotations: [description, summary]\n  require_runbook: [P1]\n",
    );
    let (a1, b1) = pos(&text, "alert: ApiErrorBudgetBurn");
    let (a2, b2) = pos(&text, "alert: ApiLatencyHigh");
    assert_exactly(
        &check_json_at(&site.path("wiki"), TODAY),
        &[
            ("error", "alarm-description-missing", KUBE_SHOWN, a1, b1),
            ("error", "alarm-runbook-missing", KUBE_SHOWN, a1, b1),
            ("error", "alarm-description-missing", KUBE_SHOWN, a2, b2),
        ],
    );
}

#[test]
fn bad_alarms_keys_are_config_diagnostics() {
    let site = wiki("title: T\nalarms:\n  sources: [\"a/[b\"]\n  runbook_keys: [x]\n");
    assert_exactly(
        &check_json_at(&site.path("wiki"), TODAY),
        &[
            ("error", "config-invalid", "opswiki.yaml", 3, 13),
            ("warning", "config-unknown-key", "opswiki.yaml", 4, 3),
        ],
    );
}

#[test]
fn serve_watches_alarm_files_outside_content() {
    use common::serve::{Serve, edit};
    let site = wiki(
        "title: T\nseverity_map: {page: P1}\nalarms:\n  sources: [\"../monitoring/kube/*.yaml\"]\n  require_runbook: [P1]\n",
    );
    let serve = Serve::start(&site.path("wiki"));
    assert_eq!(serve.status()["ok"], true, "{}", serve.log());
    // The runbook of a P1 alarm goes: an error in the file outside content/.
    edit(
        &site,
        KUBE,
        "runbook: runbooks/api-errors#diagnosis-steps",
        "owner: api",
    );
    let status = serve.wait_status("the error", |s| s["ok"] == false);
    let errors = status["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{status:#}");
    assert_eq!(errors[0]["code"], "alarm-runbook-missing");
    assert_eq!(errors[0]["file"], KUBE_SHOWN);
    edit(
        &site,
        KUBE,
        "owner: api",
        "runbook: runbooks/api-errors#diagnosis-steps",
    );
    serve.wait_status("the fix", |s| s["ok"] == true);
}

const TEMPLATED: &str = "monitoring/rules/templated.yml";
const TEMPLATED_SHOWN: &str = "../monitoring/rules/templated.yml";

#[test]
fn templated_links_are_filled_pattern_checked_or_left_open() {
    let site = wiki(
        "title: T\nbase_url: https://wiki.example.com/\nalarms:\n  sources: [\"../monitoring/rules/*.yml\"]\n",
    );
    let text = fixture_text(TEMPLATED);
    let (bl, bc) = pos(
        &text,
        "\"runbooks/{{ $labels.service }}\"\n      - alert: ServiceErrors",
    );
    let (tl, tc) = pos(&text, "\"runbooks/svc-");
    let diags = check_json_at(&site.path("wiki"), TODAY);
    // A quoted value is located at its opening quote.
    assert_exactly(
        &diags,
        &[
            ("error", "alarm-runbook-broken", TEMPLATED_SHOWN, bl, bc),
            (
                "error",
                "alarm-runbook-template-unmatched",
                TEMPLATED_SHOWN,
                tl,
                tc,
            ),
        ],
    );
    let broken = with_code(&diags, "alarm-runbook-broken")[0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(broken.contains("filled in: `runbooks/billing`"), "{broken}");
    let open = with_code(&diags, "alarm-runbook-template-unmatched")[0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        open.contains("`runbooks/svc-*#diagnosis-steps`") && open.contains("`job` left open"),
        "{open}"
    );

    // The catalogue shows the template and the pages it can reach.
    let out = run(&build_args(
        &site.path("wiki"),
        &site.out_dir(),
        TODAY,
        &["--format", "json"],
    ));
    assert_eq!(out.code, 1, "errors stop the build: {out}");
    site.file(
        "monitoring/rules/templated.yml",
        &text
            .replace("service: billing", "service: payments")
            .replace("svc-{{ $labels.job }}", "{{ $labels.job }}-missing"),
    );
    let diags = check_json_at(&site.path("wiki"), TODAY);
    let (ol, oc) = pos(&text, "\"runbooks/svc-");
    assert_exactly(
        &diags,
        &[(
            "error",
            "alarm-runbook-template-unmatched",
            TEMPLATED_SHOWN,
            ol,
            oc,
        )],
    );
    site.file(
        "monitoring/rules/templated.yml",
        &text
            .replace("service: billing", "service: payments")
            .replace("svc-{{ $labels.job }}", "{{ $labels.job }}"),
    );
    assert_clean(&check_json_at(&site.path("wiki"), TODAY));
    let out = run(&build_args(
        &site.path("wiki"),
        &site.out_dir(),
        TODAY,
        &["--format", "json"],
    ));
    assert_eq!(out.code, 0, "{out}");
    let html = site.output("alarms/index.html");
    let row = html
        .split("<tbody")
        .find(|r| r.contains("id=\"ServiceErrors\""))
        .expect("a row for ServiceErrors");
    assert!(
        row.contains("<code>runbooks/{{ $labels.service }}</code> reaches"),
        "{row}"
    );
    for title in ["API errors", "Checkout", "Payments"] {
        assert!(row.contains(&format!(">{title}</a>")), "{title}: {row}");
    }
    assert!(
        row.contains("../monitoring/rules/templated.yml:30 · Prometheus"),
        "{row}"
    );
}

fn site_config() -> Config {
    let file = SourceFile::new(
        "opswiki.yaml".into(),
        "opswiki.yaml".into(),
        "base_url: https://wiki.example.com/\n".into(),
    );
    Config::parse(&file).0
}

/// (name, dialect, line, severity, description, runbook, filled runbook)
fn dialect_summary(rel: &str) -> Vec<String> {
    let (alarms, diags) = read(rel, &site_config());
    assert!(diags.is_empty(), "{rel}: {diags:?}");
    alarms
        .iter()
        .map(|a| {
            format!(
                "{} | {} | {}:{} | {} | {} | {} | {}",
                a.name,
                a.shape.name(),
                a.name_span.line,
                a.name_span.column,
                a.severity.as_ref().map_or("-", |s| s.value.as_str()),
                a.description.as_deref().unwrap_or("-"),
                a.runbook.as_ref().map_or("-".to_string(), |r| format!(
                    "{} @{}:{}",
                    r.value, r.span.line, r.span.column
                )),
                a.runbook_template
                    .as_ref()
                    .map_or("-".to_string(), |t| t.shown()),
            )
        })
        .collect()
}

#[test]
fn each_dialect_is_read_with_its_names_severities_descriptions_and_runbooks() {
    let expect = |rel: &str, want: &[&str]| {
        assert_eq!(dialect_summary(rel), want, "{rel}");
    };
    expect(
        "monitoring/grafana/provisioning/alerting/api-alerts.yaml",
        &[
            "API 5xx ratio | Grafana | 10:9 | P1 | Checkout returns server errors | https://wiki.example.com/runbooks/{{ $labels.service }}#diagnosis-steps @38:24 | https://wiki.example.com/runbooks/checkout#diagnosis-steps",
            "API latency | Grafana | 43:9 | P3 | p99 latency over one second | https://wiki.example.com/runbooks/api-errors#no-such-heading @53:24 | -",
        ],
    );
    expect(
        "monitoring/grafana/api-alerts.json",
        &[
            "Payments errors | Grafana | 12:11 | P1 | Payments fail | https://wiki.example.com/runbooks/{{ $labels.job }}/ @26:28 | https://wiki.example.com/runbooks/payments/",
        ],
    );
    expect(
        "monitoring/grafana/operator-rule-group.yaml",
        &[
            "Checkout stalled | GrafanaAlertRuleGroup | 13:7 | P1 | No orders for ten minutes | runbooks/checkout @28:22 | -",
        ],
    );
    expect(
        "monitoring/rules/thanos.yml",
        &[
            "ThanosQueryDown | Thanos | 6:9 | P1 | Thanos Query has disappeared. | https://wiki.example.com/runbooks/api-errors @13:24 | -",
        ],
    );
    expect(
        "monitoring/rules/mimir.yml",
        &[
            "CheckoutErrorBudget | Mimir | 9:9 | P3 | Checkout burns its error budget | runbooks/{{ $labels.service }} @16:24 | runbooks/checkout",
        ],
    );
    // LogQL is no PromQL: nothing fixes `app`, the link stays a pattern.
    expect(
        "monitoring/rules/loki.yml",
        &[
            "CheckoutPanics | Prometheus | 4:9 | P1 | Checkout pods panic | runbooks/{{ $labels.app }} @11:24 | runbooks/*",
        ],
    );
    expect(
        "monitoring/rules/vmalert.yml",
        &[
            "PaymentsQueueGrowing | vmalert | 10:9 | P3 | The payments queue grows | runbooks/payments @17:24 | -",
        ],
    );
    // The ConfigMap before it in the bundle is no alarm and no mistake.
    expect(
        "monitoring/kube/vmrule.yaml",
        &[
            "PaymentsDown | VMRule | 16:11 | P1 | Payments are down | runbooks/payments#rollback @22:26 | -",
        ],
    );
    expect(
        "monitoring/cloudformation/api-alarms.yaml",
        &[
            "api-5xx-rate | CloudFormation | 13:7 | P1 | The order API returns server errors. Runbook: https://wiki.example.com/runbooks/api-errors#diagnosis-steps | https://wiki.example.com/runbooks/api-errors#diagnosis-steps @16:18 | -",
            "${AWS::StackName}-queue-age | CloudFormation | 35:7 | - | Messages wait in ${Stage}. See the runbook at runbooks/payments#resolution-steps | runbooks/payments#resolution-steps @36:77 | -",
            "DiskAlarm | CloudFormation | 45:3 | - | Disk filling up, no runbook yet | - | -",
        ],
    );
    expect(
        "monitoring/cloudformation/checkout-alarms.json",
        &[
            "checkout-latency | CloudFormation | 7:9 | P3 | Checkout p99 latency over 2 s. Runbook: https://wiki.example.com/runbooks/checkout#diagnosis-steps | https://wiki.example.com/runbooks/checkout#diagnosis-steps @8:70 | -",
        ],
    );
    expect(
        "monitoring/terraform/alarms.tf",
        &[
            "checkout-5xx | Terraform | 9:3 | P1 | Checkout returns 5xx. Runbook: https://wiki.example.com/runbooks/checkout#diagnosis-steps | https://wiki.example.com/runbooks/checkout#diagnosis-steps @10:57 | -",
            "Payments error rate | Terraform | 26:3 | P2 | Payments fail for ‹host›. | https://wiki.example.com/runbooks/payments#diagnosis-steps @31:15 | -",
            "Checkout stalled (terraform) | Terraform | 44:5 | P3 | No orders | runbooks/{{ $labels.service }}#rollback @66:21 | runbooks/checkout#rollback",
            "Checkout uptime | Terraform | 72:3 | P1 | Checkout is down for users. Runbook: runbooks/${var.service}#diagnosis-steps | runbooks/${var.service}#diagnosis-steps @85:55 | runbooks/*#diagnosis-steps",
        ],
    );
    // Azure's own severity number is read as `sevN` for severity_map.
    expect(
        "monitoring/azure/prometheus-rule-groups.json",
        &[
            "CheckoutPodsRestarting | Azure | 23:13 | P3 | Checkout pods restart often | runbooks/{{ $labels.namespace }}#diagnosis-steps @29:30 | runbooks/checkout#diagnosis-steps",
            "CheckoutQuotaNear | Azure | 35:13 | sev4 | Checkout is near its quota | - | -",
        ],
    );
    // Azure's own severity number is read as `sevN` for severity_map.
    expect(
        "monitoring/azure/prometheus-rule-groups.json",
        &[
            "CheckoutPodsRestarting | Azure | 23:13 | P3 | Checkout pods restart often | runbooks/{{ $labels.namespace }}#diagnosis-steps @29:30 | runbooks/checkout#diagnosis-steps",
            "CheckoutQuotaNear | Azure | 35:13 | sev4 | Checkout is near its quota | - | -",
        ],
    );
    expect(
        "monitoring/datadog/monitors.json",
        &[
            "Checkout queue backlog | Datadog | 4:5 | P3 | Checkout queue is backing up. | https://wiki.example.com/runbooks/checkout#resolution-steps @7:59 | -",
            "Payments latency | Datadog | 14:5 | P1 | Payments are slow. Dashboard: https://app.datadoghq.example/dash/1 @pagerduty-payments | - | -",
        ],
    );
}

#[test]
fn every_dialect_checked_together_fails_on_exactly_the_broken_alarms() {
    let site = wiki(
        "title: T\nbase_url: https://wiki.example.com/\nseverity_map: {page: P1}\nalarms:\n  sources: [\"../monitoring/**\"]\n  require_runbook: [P1, P2]\n",
    );
    let diags = check_json_at(&site.path("wiki"), TODAY);
    let cfn = fixture_text("monitoring/cloudformation/api-alarms.yaml");
    let grafana = fixture_text("monitoring/grafana/provisioning/alerting/api-alerts.yaml");
    let templated = fixture_text(TEMPLATED);
    let (al, ac) = pos(
        &grafana,
        "https://wiki.example.com/runbooks/api-errors#no-such-heading",
    );
    let (bl, bc) = pos(
        &templated,
        "\"runbooks/{{ $labels.service }}\"\n      - alert: ServiceErrors",
    );
    let (tl, tc) = pos(&templated, "\"runbooks/svc-");
    let (dl, dc) = pos(&cfn, "DiskAlarm:");
    assert_exactly(
        &diags,
        &[
            // No severity tag: it may page, so it needs a runbook.
            (
                "error",
                "alarm-runbook-missing",
                "../monitoring/cloudformation/api-alarms.yaml",
                dl,
                dc,
            ),
            // Priority 1: a P1 monitor whose message links a dashboard only.
            (
                "error",
                "alarm-runbook-missing",
                "../monitoring/datadog/monitors.json",
                14,
                5,
            ),
            (
                "error",
                "alarm-runbook-anchor-missing",
                "../monitoring/grafana/provisioning/alerting/api-alerts.yaml",
                al,
                ac,
            ),
            ("error", "alarm-runbook-broken", TEMPLATED_SHOWN, bl, bc),
            (
                "error",
                "alarm-runbook-template-unmatched",
                TEMPLATED_SHOWN,
                tl,
                tc,
            ),
            // Unmapped, so required (the policy's P1, P2 aside): no runbook.
            ("error", "alarm-runbook-missing", AZURE_SHOWN, 35, 13),
            ("warning", "alarm-severity-unmapped", AZURE_SHOWN, 38, 25),
        ],
    );
}

const AZURE_SHOWN: &str = "../monitoring/azure/prometheus-rule-groups.json";

#[test]
fn a_suppression_comment_works_in_a_file_outside_content() {
    let site = wiki(
        "title: T\nbase_url: https://wiki.example.com/\nalarms:\n  sources: [\"../monitoring/cloudformation/*\"]\n",
    );
    let rel = "monitoring/cloudformation/api-alarms.yaml";
    let text = fixture_text(rel);
    let (l, c) = pos(&text, "DiskAlarm:");
    let shown = "../monitoring/cloudformation/api-alarms.yaml";
    assert_exactly(
        &check_json_at(&site.path("wiki"), TODAY),
        &[("error", "alarm-runbook-missing", shown, l, c)],
    );
    site.file(
        rel,
        &text.replace(
            "  DiskAlarm:",
            "  DiskAlarm: # opswiki-ignore alarm-runbook-missing",
        ),
    );
    assert_clean(&check_json_at(&site.path("wiki"), TODAY));
}

#[test]
fn bad_json_and_hcl_are_located_by_their_own_parsers() {
    let site = wiki("title: T\nalarms:\n  sources: [\"../monitoring/bad/*\"]\n");
    site.file(
        "monitoring/bad/monitor.json",
        "{\n  \"name\": \"x\",\n  \"query\": \"q\"\n  \"message\": \"m\"\n}\n",
    );
    site.file(
        "monitoring/bad/alarms.tf",
        "resource \"datadog_monitor\" \"x\" {\n  name = \"x\"\n  message = \"unclosed\n}\n",
    );
    let diags = check_json_at(&site.path("wiki"), TODAY);
    assert_exactly(
        &diags,
        &[
            (
                "error",
                "alarm-file-invalid",
                "../monitoring/bad/monitor.json",
                4,
                3,
            ),
            (
                "error",
                "alarm-file-invalid",
                "../monitoring/bad/alarms.tf",
                3,
                3,
            ),
        ],
    );
}

#[test]
fn the_coverage_page_counts_each_source_and_the_alarms_that_need_no_runbook() {
    let site = wiki(
        "title: T\nseverity_map: {page: P1}\nalarms:\n  sources: [\"../monitoring/kube/*.yaml\"]\n  require_runbook: [P1]\n",
    );
    let out = run(&build_args(
        &site.path("wiki"),
        &site.out_dir(),
        TODAY,
        &["--format", "json"],
    ));
    assert_eq!(out.code, 0, "{out}");
    let html = site.output("coverage/index.html");
    let row = |path: &str| {
        html.split("<tr>")
            .find(|r| r.contains(&format!("<code>{path}</code>")))
            .unwrap_or_else(|| panic!("no row for {path}: {html}"))
            .split("</tr>")
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        row(KUBE_SHOWN),
        format!(
            "<td><code>{KUBE_SHOWN}</code></td><td>PrometheusRule</td><td>6</td><td>2</td><td>0</td><td>1</td><td>3</td>"
        )
    );
    assert_eq!(
        row("../monitoring/kube/vmrule.yaml"),
        "<td><code>../monitoring/kube/vmrule.yaml</code></td><td>VMRule</td><td>1</td><td>1</td><td>0</td><td>0</td><td>0</td>"
    );
    assert!(
        html.contains("<strong>3</strong> need no runbook"),
        "{html}"
    );
}
