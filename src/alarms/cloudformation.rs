//! CloudFormation templates' `AWS::CloudWatch::Alarm` resources, in YAML
//! (with the short-form tags `!Ref`, `!Sub`, `!GetAtt`, `!Join`, which the
//! YAML layer reads as the value they tag) or JSON.
//!
//! Name: `AlarmName` when written out, else the resource's logical id (a
//! `!Sub` name stays as written); description and runbook link:
//! `AlarmDescription`, free text; severity: a `severity` tag (`Tags`).

use super::{Alarm, Shape, freetext, set_severity, span, text};
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::model::Field;
use crate::source::SourceFile;
use crate::yaml::Node;

const ALARM_TYPES: [&str; 2] = ["AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"];

pub(super) fn read(
    file: &SourceFile,
    source: usize,
    config: &Config,
    doc: &Node,
    alarms: &mut Vec<Alarm>,
    _diags: &mut [Diagnostic],
) {
    let Some(resources) = doc.get("Resources") else {
        return;
    };
    for (logical, resource) in resources.entries() {
        let kind = resource.get("Type").and_then(Node::as_str);
        if !kind.is_some_and(|k| ALARM_TYPES.contains(&k)) {
            continue;
        }
        let props = resource.get("Properties");
        let name_entry =
            props.and_then(|p| p.entries().iter().find(|(k, _)| k.name == "AlarmName"));
        let (name, name_span) = match name_entry.and_then(|(k, v)| Some((k, text(Some(v))?))) {
            Some((k, n)) => (n, span(file, k.pos, "AlarmName".len())),
            None => (
                logical.name.clone(),
                span(file, logical.pos, logical.name.chars().count()),
            ),
        };
        let mut alarm = Alarm::new(name, name_span, Shape::CloudFormation, source);
        if let Some(d) = props.and_then(|p| p.get("AlarmDescription"))
            && let Some(t) = d.as_text()
        {
            alarm.runbook = freetext::runbook_field(file, (d.pos.line, d.pos.column), &t, config);
            alarm.description = Some(t.trim().to_string()).filter(|t| !t.is_empty());
        }
        let get = |k: &str| text(props.and_then(|p| p.get(k)));
        alarm.metric = match (get("Namespace"), get("MetricName")) {
            (Some(ns), Some(m)) => Some(format!("{ns}/{m}")),
            (None, Some(m)) => Some(m),
            _ => None,
        };
        alarm.threshold = match (get("ComparisonOperator"), get("Threshold")) {
            (Some(op), Some(t)) => Some(format!(
                "{op} {t}{}",
                get("EvaluationPeriods")
                    .map(|e| format!(" for {e} periods"))
                    .unwrap_or_default()
            )),
            _ => get("AlarmRule"),
        };
        let tags = props
            .and_then(|p| p.get("Tags"))
            .and_then(Node::as_seq)
            .unwrap_or_default();
        for tag in tags {
            if let (Some(k), Some(v)) = (text(tag.get("Key")), tag.get("Value"))
                && let Some(value) = v.as_text()
            {
                alarm.labels.push((k.clone(), value.clone()));
                if k.eq_ignore_ascii_case("severity") {
                    let sev = Field {
                        span: span(file, v.pos, value.chars().count()),
                        value,
                    };
                    set_severity(&mut alarm, config, sev);
                }
            }
        }
        alarm.service = alarm
            .labels
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("service"))
            .map(|(_, v)| v.clone());
        alarms.push(alarm);
    }
}
