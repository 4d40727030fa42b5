//! Azure Monitor managed Prometheus rule groups in an ARM template (JSON):
//! `resources[]` of `type: Microsoft.AlertsManagement/prometheusRuleGroups`,
//! whose `properties.rules[]` are Prometheus rules written with
//! `expression` for `expr` and a numeric `severity` (0 is the most severe)
//! beside the usual `labels` and `annotations`.

use super::{Alarm, Shape, field, set_severity, span, text};
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::model::Field;
use crate::source::SourceFile;
use crate::yaml::Node;

const RULE_GROUPS: &str = "microsoft.alertsmanagement/prometheusrulegroups";

/// An ARM template holding at least one Prometheus rule group.
pub(super) fn is_template(doc: &Node) -> bool {
    doc.get("resources")
        .and_then(Node::as_seq)
        .is_some_and(|r| r.iter().any(is_rule_group))
}

fn is_rule_group(resource: &Node) -> bool {
    resource
        .get("type")
        .and_then(Node::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case(RULE_GROUPS))
}

pub(super) fn read(
    file: &SourceFile,
    source: usize,
    config: &Config,
    doc: &Node,
    alarms: &mut Vec<Alarm>,
    diags: &mut Vec<Diagnostic>,
) {
    let resources = doc
        .get("resources")
        .and_then(Node::as_seq)
        .unwrap_or_default();
    for group in resources.iter().filter(|r| is_rule_group(r)) {
        let group_name = text(group.get("name"));
        let rules = group
            .get("properties")
            .and_then(|p| p.get("rules"))
            .and_then(Node::as_seq)
            .unwrap_or_default();
        for rule in rules {
            // Recording rules (`record`) are not alarms.
            let Some((name, name_span)) =
                super::alarm_name(file, rule, "alert", "alerting rule", false, diags)
            else {
                continue;
            };
            let mut alarm = Alarm::new(name, name_span, Shape::Azure, source);
            alarm.group = group_name.clone();
            let labels = rule.get("labels");
            super::read_annotations(&mut alarm, file, config, labels, rule.get("annotations"));
            alarm.expr = text(rule.get("expression"));
            alarm.for_ = text(rule.get("for"));
            alarm.threshold = alarm.expr.clone();
            alarm.service = text(labels.and_then(|l| l.get("service")));
            // The label, as in any Prometheus rule; else Azure's own
            // severity number, read as `sevN` for `severity_map`.
            let sev = field(file, labels.and_then(|l| l.get("severity"))).or_else(|| {
                let n = rule.get("severity")?;
                Some(Field {
                    value: format!("sev{}", n.as_f64()?),
                    span: span(file, n.pos, 1),
                })
            });
            if let Some(sev) = sev {
                set_severity(&mut alarm, config, sev);
            }
            alarms.push(alarm);
        }
    }
}
