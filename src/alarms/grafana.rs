//! Grafana-managed alerts: the alerting provisioning file (`apiVersion`,
//! `groups[].rules[]` with `uid`, `title`, `data`), in YAML or JSON, and the
//! Grafana operator's `GrafanaAlertRuleGroup` object (`spec.rules`).

use super::{Alarm, Shape, field, set_severity, span, text};
use crate::config::Config;
use crate::diag::{Code, Diagnostic};
use crate::source::SourceFile;
use crate::yaml::Node;

/// A provisioning file: `apiVersion` beside `groups` whose rules carry
/// Grafana's `uid` / `title` (a Prometheus rule has `alert:`).
pub(super) fn is_provisioning(doc: &Node) -> bool {
    doc.get("apiVersion").is_some()
        && doc
            .get("groups")
            .and_then(Node::as_seq)
            .is_some_and(|groups| {
                groups.iter().any(|g| {
                    g.get("rules").and_then(Node::as_seq).is_some_and(|rules| {
                        rules
                            .iter()
                            .any(|r| r.get("title").is_some() || r.get("uid").is_some())
                    })
                })
            })
}

pub(super) fn read_provisioning(
    file: &SourceFile,
    source: usize,
    config: &Config,
    groups: &Node,
    alarms: &mut Vec<Alarm>,
    diags: &mut Vec<Diagnostic>,
) {
    for group in groups.as_seq().unwrap_or_default() {
        let name = text(group.get("name"));
        if let Some(rules) = group.get("rules").and_then(Node::as_seq) {
            read_rules(
                file,
                source,
                config,
                name,
                rules,
                Shape::Grafana,
                alarms,
                diags,
            );
        }
    }
}

pub(super) fn read_rule_group_object(
    file: &SourceFile,
    source: usize,
    config: &Config,
    doc: &Node,
    alarms: &mut Vec<Alarm>,
    diags: &mut Vec<Diagnostic>,
) {
    let spec = doc.get("spec");
    let name = spec
        .and_then(|s| text(s.get("name")))
        .or_else(|| doc.get("metadata").and_then(|m| text(m.get("name"))));
    match spec.and_then(|s| s.get("rules")).and_then(Node::as_seq) {
        Some(rules) => read_rules(
            file,
            source,
            config,
            name,
            rules,
            Shape::GrafanaAlertRuleGroup,
            alarms,
            diags,
        ),
        None => diags.push(Diagnostic::new(
            Code::AlarmFileInvalid,
            span(file, doc.pos, 1),
            "a GrafanaAlertRuleGroup has no `spec.rules` list",
        )),
    }
}

#[allow(clippy::too_many_arguments)]
fn read_rules(
    file: &SourceFile,
    source: usize,
    config: &Config,
    group: Option<String>,
    rules: &[Node],
    shape: Shape,
    alarms: &mut Vec<Alarm>,
    diags: &mut Vec<Diagnostic>,
) {
    for rule in rules {
        let Some((name, name_span)) =
            super::alarm_name(file, rule, "title", "a Grafana alert rule", true, diags)
        else {
            continue;
        };
        let mut alarm = Alarm::new(name, name_span, shape, source);
        alarm.group = group.clone();
        let labels = rule.get("labels");
        super::read_annotations(&mut alarm, file, config, labels, rule.get("annotations"));
        // The query is in the rule's `data`: the first model with an `expr`.
        alarm.expr = rule
            .get("data")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .find_map(|d| text(d.get("model").and_then(|m| m.get("expr"))));
        alarm.for_ = text(rule.get("for"));
        alarm.threshold = alarm.expr.clone().map(|e| match &alarm.for_ {
            Some(f) => format!("{e} for {f}"),
            None => e,
        });
        alarm.service = text(labels.and_then(|l| l.get("service")));
        if let Some(sev) = field(file, labels.and_then(|l| l.get("severity"))) {
            set_severity(&mut alarm, config, sev);
        }
        alarms.push(alarm);
    }
}
