//! Alarm definitions: the opswiki list, Prometheus rule files and Kubernetes
//! `PrometheusRule` objects, all read into one [`Alarm`] model that keeps
//! every field for display and the location of each for diagnostics.

mod azure;
mod cloudformation;
mod datadog;
pub mod freetext;
mod grafana;
pub mod sources;
pub mod template;
mod terraform;

use crate::config::Config;
use crate::diag::{Code, Diagnostic, Span};
use crate::model::Field;
use crate::source::SourceFile;
use crate::yaml::{self, Node};

/// The dialect an alarm was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shape {
    List,
    Prometheus,
    PrometheusRule,
    /// A Prometheus-shaped rule file with Thanos' group fields
    /// (`partial_response_strategy`).
    Thanos,
    /// With Mimir's or Cortex' group fields (`source_tenants`, `evaluation_delay`).
    Mimir,
    /// With vmalert's group fields (`type`, `concurrency`, `params`, ...).
    Vmalert,
    /// VictoriaMetrics' `kind: VMRule`.
    VmRule,
    /// Grafana alerting provisioning (`apiVersion`, `groups[].rules[]` with `uid`, `title`).
    Grafana,
    /// The Grafana operator's `kind: GrafanaAlertRuleGroup`.
    GrafanaAlertRuleGroup,
    /// Azure Monitor's `prometheusRuleGroups` in an ARM template.
    Azure,
    /// A CloudFormation template's `AWS::CloudWatch::Alarm` resources.
    CloudFormation,
    /// Terraform resources (`aws_cloudwatch_metric_alarm`, `datadog_monitor`,
    /// `grafana_rule_group`, `google_monitoring_alert_policy`).
    Terraform,
    /// A Datadog monitor as its API and export write it.
    Datadog,
}

impl Shape {
    /// The dialect's name on the catalogue and coverage pages.
    pub fn name(self) -> &'static str {
        match self {
            Shape::List => "opswiki",
            Shape::Prometheus => "Prometheus",
            Shape::PrometheusRule => "PrometheusRule",
            Shape::Thanos => "Thanos",
            Shape::Mimir => "Mimir",
            Shape::Vmalert => "vmalert",
            Shape::VmRule => "VMRule",
            Shape::Grafana => "Grafana",
            Shape::GrafanaAlertRuleGroup => "GrafanaAlertRuleGroup",
            Shape::Azure => "Azure",
            Shape::CloudFormation => "CloudFormation",
            Shape::Terraform => "Terraform",
            Shape::Datadog => "Datadog",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Alarm {
    pub name: String,
    /// The `name:` / `alert:` key: where diagnostics about the alarm point.
    pub name_span: Span,
    pub shape: Shape,
    /// Index of its file in `Site::sources`.
    pub source: usize,
    /// The Prometheus group, if any.
    pub group: Option<String>,
    pub description: Option<String>,
    /// The opswiki severity (Prometheus labels mapped by `severity_map`).
    pub severity: Option<Field<String>>,
    /// The severity as written, when it was mapped (e.g. `critical`).
    pub raw_severity: Option<String>,
    pub runbook: Option<Field<String>>,
    /// The runbook link filled in from the rule's labels and expression,
    /// when it was written as a template (`{{ $labels.service }}`).
    pub runbook_template: Option<template::Template>,
    pub service: Option<String>,
    pub metric: Option<String>,
    pub filter: Option<String>,
    pub threshold: Option<String>,
    pub expr: Option<String>,
    pub for_: Option<String>,
    pub action: Option<String>,
    pub labels: Vec<(String, String)>,
    pub annotations: Vec<(String, String)>,
}

impl Alarm {
    pub(crate) fn new(name: String, name_span: Span, shape: Shape, source: usize) -> Alarm {
        Alarm {
            name,
            name_span,
            shape,
            source,
            group: None,
            description: None,
            severity: None,
            raw_severity: None,
            runbook: None,
            runbook_template: None,
            service: None,
            metric: None,
            filter: None,
            threshold: None,
            expr: None,
            for_: None,
            action: None,
            labels: Vec::new(),
            annotations: Vec::new(),
        }
    }

    /// The anchor of the alarm on the catalogue page.
    pub fn anchor(&self) -> String {
        alarm_anchor(&self.name)
    }
}

/// Alarm names keep their case in the catalogue anchor (`KubePodCrashLooping`
/// stays readable in a pager link); characters that need escaping become `-`.
pub fn alarm_anchor(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// An alarm's name under `key` in `item` and the span of the key; `None`
/// after the one diagnostic when it is empty, or missing and `required`
/// (a Prometheus rule without `alert:` is a recording rule: no finding).
pub(super) fn alarm_name(
    file: &SourceFile,
    item: &Node,
    key: &str,
    what: &str,
    required: bool,
    diags: &mut Vec<Diagnostic>,
) -> Option<(String, Span)> {
    let Some((name_key, name_node)) = item.entries().iter().find(|(k, _)| k.name == key) else {
        if required {
            diags.push(Diagnostic::new(
                Code::AlarmNameMissing,
                span(file, item.pos, 1),
                format!("{what} has no `{key}`"),
            ));
        }
        return None;
    };
    let key_span = span(file, name_key.pos, key.chars().count());
    match text(Some(name_node)) {
        Some(name) => Some((name, key_span)),
        None => {
            diags.push(Diagnostic::new(
                Code::AlarmNameMissing,
                key_span,
                format!("{what} has an empty `{key}`"),
            ));
            None
        }
    }
}

/// A rule's labels and annotations, and what the config's annotation keys
/// read from them: the description and the runbook link. One reader for
/// every dialect that writes Prometheus-style `labels`/`annotations`.
pub(super) fn read_annotations(
    alarm: &mut Alarm,
    file: &SourceFile,
    config: &Config,
    labels: Option<&Node>,
    annotations: Option<&Node>,
) {
    alarm.labels = string_pairs(labels);
    alarm.annotations = string_pairs(annotations);
    alarm.description = config
        .alarms
        .description_annotations
        .iter()
        .find_map(|key| text(annotations.and_then(|a| a.get(key))))
        .map(|d| readable_template(&d));
    // Some teams put the runbook in a label (GitLab's rules write
    // `labels: {runbook: docs/x.md}`, so it travels with the alert through
    // routing): the annotations first, then the labels, by the same keys.
    alarm.runbook = first_annotation(file, annotations, &config.alarms.runbook_annotations)
        .or_else(|| first_annotation(file, labels, &config.alarms.runbook_annotations));
}

pub(crate) fn span(file: &SourceFile, node_pos: yaml::Pos, len: usize) -> Span {
    file.span_at(node_pos.line, node_pos.column).with_len(len)
}

pub(crate) fn text(node: Option<&Node>) -> Option<String> {
    node.and_then(Node::as_text)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

pub(crate) fn string_pairs(node: Option<&Node>) -> Vec<(String, String)> {
    node.map(|n| {
        n.entries()
            .iter()
            .filter_map(|(k, v)| v.as_text().map(|t| (k.name.clone(), t)))
            .collect()
    })
    .unwrap_or_default()
}

/// Read one alarm file, in whichever dialect it is written: Terraform by
/// its extension (`.tf`, `.hcl`), everything else by its content (YAML or
/// JSON, several YAML documents), each document told apart by its keys.
pub fn parse_file(
    file: &SourceFile,
    source: usize,
    config: &Config,
) -> (Vec<Alarm>, Vec<Diagnostic>) {
    let mut alarms = Vec::new();
    let mut diags = Vec::new();
    let lower = file.display_path.to_ascii_lowercase();
    if lower.ends_with(".tf") || lower.ends_with(".hcl") {
        terraform::read(file, source, config, &mut alarms, &mut diags);
        fill_templates(&mut alarms);
        return (alarms, diags);
    }
    if lower.ends_with(".json") {
        // JSON is checked by a JSON parser, so its errors are JSON's; the
        // tree with positions is then read by the YAML layer (JSON is YAML).
        if let Err(err) = serde_json::from_str::<serde::de::IgnoredAny>(&file.text) {
            diags.push(Diagnostic::new(
                Code::AlarmFileInvalid,
                file.span_at(err.line().max(1) as u32, err.column().max(1) as u32),
                format!("invalid JSON: {}", strip_json_location(&err.to_string())),
            ));
            return (alarms, diags);
        }
    }
    let docs = match yaml::parse_multi(&file.text) {
        Ok(docs) => docs,
        Err(err) => {
            diags.push(Diagnostic::new(
                Code::AlarmFileInvalid,
                file.span_at(err.pos.line, err.pos.column),
                format!("invalid YAML: {}", err.message),
            ));
            return (alarms, diags);
        }
    };
    for doc in &docs {
        read_document(file, source, config, doc, &mut alarms, &mut diags);
    }
    fill_templates(&mut alarms);
    (alarms, diags)
}

/// Fill every templated runbook link from its rule's labels and expression.
fn fill_templates(alarms: &mut [Alarm]) {
    for alarm in alarms {
        if let Some(link) = &alarm.runbook {
            alarm.runbook_template =
                template::fill(&link.value, &alarm.labels, alarm.expr.as_deref());
        }
    }
}

fn strip_json_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// A `promtool test rules` file (`rule_files` and `tests`): its alerts and
/// their annotations are expectations, not definitions.
pub fn is_rule_test(doc: &Node) -> bool {
    doc.get("rule_files").is_some() && doc.get("tests").is_some()
}

/// One YAML (or JSON) document, by its keys.
fn read_document(
    file: &SourceFile,
    source: usize,
    config: &Config,
    doc: &Node,
    alarms: &mut Vec<Alarm>,
    diags: &mut Vec<Diagnostic>,
) {
    if doc.is_null() {
        return;
    }
    let kind = doc.get("kind").and_then(Node::as_str);
    if let Some(items) = doc.as_seq() {
        if datadog::is_monitor_list(items) {
            datadog::read_list(file, source, config, items, alarms, diags);
        } else {
            read_list(file, source, items, alarms, diags);
        }
    } else if let Some(list) = doc.get("alarms") {
        match list.as_seq() {
            Some(items) => read_list(file, source, items, alarms, diags),
            None if list.is_null() => {}
            None => diags.push(Diagnostic::new(
                Code::AlarmFileInvalid,
                span(file, list.pos, 1),
                "`alarms:` must hold a list of alarms",
            )),
        }
    } else if matches!(kind, Some("PrometheusRule" | "VMRule")) {
        let shape = if kind == Some("VMRule") {
            Shape::VmRule
        } else {
            Shape::PrometheusRule
        };
        match doc.get("spec").and_then(|s| s.get("groups")) {
            Some(groups) => read_groups(file, source, groups, shape, config, alarms, diags),
            None => diags.push(Diagnostic::new(
                Code::AlarmFileInvalid,
                span(file, doc.pos, 1),
                format!("a {} has no `spec.groups`", kind.unwrap_or_default()),
            )),
        }
    } else if kind.is_some()
        && doc.get("apiVersion").is_some()
        && kind != Some("GrafanaAlertRuleGroup")
    {
        // Another Kubernetes object in a bundle (a ConfigMap beside the
        // rules): not an alarm, and not a mistake.
    } else if is_rule_test(doc) {
        // Beside the rules it tests, `rules/**` reaches it: not a mistake.
    } else if kind == Some("GrafanaAlertRuleGroup") {
        grafana::read_rule_group_object(file, source, config, doc, alarms, diags);
    } else if doc.get("Resources").is_some() || doc.get("AWSTemplateFormatVersion").is_some() {
        cloudformation::read(file, source, config, doc, alarms, diags);
    } else if azure::is_template(doc) {
        azure::read(file, source, config, doc, alarms, diags);
    } else if datadog::is_monitor(doc) {
        datadog::read_monitor(file, source, config, doc, alarms, diags);
    } else if let Some(groups) = doc.get("groups") {
        if grafana::is_provisioning(doc) {
            grafana::read_provisioning(file, source, config, groups, alarms, diags);
        } else {
            read_groups(
                file,
                source,
                groups,
                Shape::Prometheus,
                config,
                alarms,
                diags,
            );
        }
    } else {
        diags.push(
            Diagnostic::new(
                Code::AlarmFileInvalid,
                span(file, doc.pos, 1),
                "not an alarm file: expected a list of alarms, `alarms:`, rule `groups:`, a PrometheusRule, VMRule or GrafanaAlertRuleGroup, a CloudFormation template or a Datadog monitor",
            )
            .with_help("see the Alarms section of the formats documentation"),
        );
    }
}

/// The severity of a rule file's label, mapped, with the label kept as
/// written (see [`map_severity`]).
pub(crate) fn set_severity(alarm: &mut Alarm, config: &Config, sev: Field<String>) {
    let mapped = map_severity(config, &sev.value);
    alarm.raw_severity = Some(sev.value.clone());
    alarm.severity = Some(Field {
        value: mapped.unwrap_or_else(|| sev.value.clone()),
        span: sev.span,
    });
}

/// The first of the configured annotation keys present in `annotations`.
pub(crate) fn first_annotation(
    file: &SourceFile,
    annotations: Option<&Node>,
    keys: &[String],
) -> Option<Field<String>> {
    keys.iter()
        .find_map(|key| field(file, annotations.and_then(|a| a.get(key))))
}

fn read_list(
    file: &SourceFile,
    source: usize,
    items: &[Node],
    alarms: &mut Vec<Alarm>,
    diags: &mut Vec<Diagnostic>,
) {
    for item in items {
        if !item.is_map() {
            diags.push(Diagnostic::new(
                Code::AlarmFileInvalid,
                span(file, item.pos, 1),
                format!(
                    "an alarm must be a mapping with `name:`, found {}",
                    item.type_name()
                ),
            ));
            continue;
        }
        let Some((name, name_span)) = alarm_name(file, item, "name", "alarm", true, diags) else {
            continue;
        };
        let mut alarm = Alarm::new(name, name_span, Shape::List, source);
        alarm.description = text(item.get("description"));
        alarm.severity = item.get("severity").and_then(|n| {
            n.as_text().map(|value| Field {
                value: value.trim().to_string(),
                span: span(file, n.pos, value.chars().count()),
            })
        });
        alarm.runbook = field(file, item.get("runbook"));
        alarm.service = text(item.get("service"));
        alarm.metric = text(item.get("metric"));
        alarm.filter = text(item.get("filter"));
        alarm.threshold = text(item.get("threshold"));
        alarm.expr = text(item.get("expr"));
        alarm.for_ = text(item.get("for"));
        alarm.action = text(item.get("action"));
        alarm.labels = string_pairs(item.get("labels"));
        alarm.annotations = string_pairs(item.get("annotations"));
        alarms.push(alarm);
    }
}

pub(crate) fn field(file: &SourceFile, node: Option<&Node>) -> Option<Field<String>> {
    let node = node?;
    let value = node.as_text()?.trim().to_string();
    if value.is_empty() {
        return None;
    }
    Some(Field {
        span: span(file, node.pos, value.chars().count()),
        value,
    })
}

fn read_groups(
    file: &SourceFile,
    source: usize,
    groups: &Node,
    shape: Shape,
    config: &Config,
    alarms: &mut Vec<Alarm>,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(groups) = groups.as_seq() else {
        diags.push(Diagnostic::new(
            Code::AlarmFileInvalid,
            span(file, groups.pos, 1),
            "`groups` must be a list",
        ));
        return;
    };
    for group in groups {
        let shape = match shape {
            Shape::Prometheus => rule_file_dialect(group),
            other => other,
        };
        let group_name = text(group.get("name"));
        let Some(rules) = group.get("rules").and_then(Node::as_seq) else {
            continue;
        };
        for rule in rules {
            // Recording rules (`record:`) are not alarms.
            let Some((name, name_span)) =
                alarm_name(file, rule, "alert", "alerting rule", false, diags)
            else {
                continue;
            };
            let mut alarm = Alarm::new(name, name_span, shape, source);
            alarm.group = group_name.clone();
            let labels = rule.get("labels");
            read_annotations(&mut alarm, file, config, labels, rule.get("annotations"));
            alarm.expr = text(rule.get("expr"));
            alarm.for_ = text(rule.get("for"));
            alarm.service = text(labels.and_then(|l| l.get("service")));
            if let Some(sev) = field(file, labels.and_then(|l| l.get("severity"))) {
                // Map Prometheus severities; a label already in opswiki's own
                // list (P1..P4) stands as written.
                set_severity(&mut alarm, config, sev);
            }
            alarm.threshold = match (&alarm.expr, &alarm.for_) {
                (Some(expr), Some(f)) => Some(format!("{expr} for {f}")),
                (Some(expr), None) => Some(expr.clone()),
                _ => None,
            };
            alarms.push(alarm);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Vec<Alarm>, Vec<Diagnostic>) {
        let file = SourceFile::new(
            "content/alarms/a.yaml".into(),
            "alarms/a.yaml".into(),
            text.into(),
        );
        parse_file(&file, 0, &Config::default())
    }

    #[test]
    fn list_shapes() {
        let (a, d) = parse("- name: x\n  severity: P1\n  runbook: runbooks/y\n");
        assert!(d.is_empty());
        assert_eq!(a[0].name, "x");
        assert_eq!((a[0].name_span.line, a[0].name_span.column), (1, 3));
        assert_eq!(a[0].runbook.as_ref().unwrap().span.line, 3);
        let (a, _) = parse("alarms:\n  - name: x\n  - name: y\n");
        assert_eq!(a.len(), 2);
        assert_eq!(a[1].name_span.line, 3);
    }

    #[test]
    fn prometheus_and_prometheus_rule_multi_doc() {
        let text = "groups:\n- name: g\n  rules:\n  - record: r\n    expr: x\n  - alert: A\n    expr: up == 0\n    for: 5m\n    labels: {severity: critical}\n    annotations: {summary: s, runbook_url: 'https://w/x'}\n---\napiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nspec:\n  groups:\n  - name: k\n    rules:\n    - alert: B\n      labels:\n        severity: info\n";
        let (a, d) = parse(text);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].severity.as_ref().unwrap().value, "P1");
        assert_eq!(a[0].description.as_deref(), Some("s"));
        assert_eq!(a[0].threshold.as_deref(), Some("up == 0 for 5m"));
        assert_eq!(a[1].shape, Shape::PrometheusRule);
        assert_eq!(a[1].name_span.line, 18);
        assert_eq!(a[1].severity.as_ref().unwrap().value, "P4");
    }

    #[test]
    fn prometheus_templates_read_as_words() {
        assert_eq!(
            readable_template(
                "{{ $value | humanizePercentage }} of {{ $labels.job }} failed {{ printf \"%.2f\" 1 }}"
            ),
            "‹value› of ‹job› failed ‹…›"
        );
        assert_eq!(
            readable_template("no template {{ open"),
            "no template {{ open"
        );
    }

    #[test]
    fn unknown_shape_and_bad_yaml() {
        let (_, d) = parse("foo: 1\n");
        assert_eq!(d[0].code, "alarm-file-invalid");
        let (_, d) = parse("- name: [x\n");
        assert_eq!(d[0].code, "alarm-file-invalid");
    }
}

/// Thanos, Mimir (and Cortex) and vmalert add fields to a Prometheus rule
/// group; the group's fields tell which tool it is written for.
fn rule_file_dialect(group: &Node) -> Shape {
    let has = |k: &str| group.get(k).is_some();
    if has("partial_response_strategy") {
        Shape::Thanos
    } else if has("source_tenants")
        || has("evaluation_delay")
        || has("align_evaluation_time_on_interval")
    {
        Shape::Mimir
    } else if [
        "type",
        "concurrency",
        "params",
        "headers",
        "notifier_headers",
        "eval_offset",
        "eval_delay",
        "eval_alignment",
        "debug",
        "tenant",
    ]
    .iter()
    .any(|k| has(k))
    {
        Shape::Vmalert
    } else {
        Shape::Prometheus
    }
}

/// A rule's severity label on the site's scale: by `severity_map` (case
/// ignored), or as written when it is already one of `severities`; `None`
/// when neither knows it.
pub fn map_severity(config: &Config, label: &str) -> Option<String> {
    config
        .severity_map
        .get(&label.to_lowercase())
        .cloned()
        .or_else(|| config.severities.iter().find(|s| **s == label).cloned())
}

/// Whether the site's policy requires this alarm to have a runbook: every
/// alarm but a non-paging one (`none`) by default; with `require_runbook`,
/// those of the severities it lists, and any whose severity is missing or
/// unknown (it may well page: a finding is safer than silence).
pub fn requires_runbook(config: &Config, alarm: &Alarm) -> bool {
    let severity = alarm.severity.as_ref().map(|s| s.value.as_str());
    let known =
        |s: &str| s == crate::config::SEVERITY_NONE || config.severities.iter().any(|k| k == s);
    match (&config.alarms.require_runbook, severity) {
        (Some(list), Some(s)) if known(s) => list.iter().any(|l| l == s),
        (Some(_), _) => true,
        (None, Some(s)) => s != crate::config::SEVERITY_NONE,
        (None, None) => true,
    }
}

/// Prometheus annotations are Go templates (`{{ $labels.pod }} is down`);
/// shown as written they read as noise, so each `{{ ... }}` becomes the name
/// of what it stands for: `‹pod› is down`.
pub fn readable_template(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        out.push_str(&rest[..start]);
        let inner = rest[start + 2..start + len]
            .trim()
            .trim_start_matches('-')
            .trim_end_matches('-');
        let head = inner.split('|').next().unwrap_or("").trim();
        let name = head
            .strip_prefix("$labels.")
            .or_else(|| head.strip_prefix(".Labels."))
            .or_else(|| head.strip_prefix("$externalLabels."))
            .or_else(|| {
                // Datadog's tag variables: `{{host.name}}` stands for the host.
                head.strip_suffix(".name")
                    .filter(|t| !t.is_empty() && t.chars().all(|c| c.is_alphanumeric() || c == '_'))
            })
            .unwrap_or(match head {
                "$value" | ".Value" | "value" => "value",
                _ => "…",
            });
        out.push('‹');
        out.push_str(name);
        out.push('›');
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

/// Where an alarm's runbook link leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunbookLink {
    /// No `runbook` / `runbook_url`.
    Missing,
    /// A page of the site (maybe not a runbook), and an anchor that may or
    /// may not exist on it.
    Page { page: usize, anchor: Option<String> },
    /// A URL outside `base_url`: not verified.
    External,
    /// Resolves to no page.
    Broken,
    /// A template with open labels, read as a pattern: the pages it can
    /// reach (none: the link is broken), and the labels left open.
    Pattern {
        pages: Vec<usize>,
        open: Vec<String>,
    },
}
