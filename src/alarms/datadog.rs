//! Datadog monitors as the API and the monitor export write them (JSON):
//! `name`, `type`, `query`, `message` (free text holding the runbook link
//! and `@` notifications), `tags` (`severity:critical`), `priority` (1-5).

use super::{Alarm, Shape, freetext, set_severity, span, text};
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::model::Field;
use crate::source::SourceFile;
use crate::yaml::Node;

pub(super) fn is_monitor(doc: &Node) -> bool {
    doc.is_map()
        && doc.get("query").is_some()
        && (doc.get("message").is_some() || doc.get("type").is_some())
}

pub(super) fn is_monitor_list(items: &[Node]) -> bool {
    items.first().is_some_and(is_monitor)
}

pub(super) fn read_list(
    file: &SourceFile,
    source: usize,
    config: &Config,
    items: &[Node],
    alarms: &mut Vec<Alarm>,
    diags: &mut Vec<Diagnostic>,
) {
    for item in items {
        read_monitor(file, source, config, item, alarms, diags);
    }
}

pub(super) fn read_monitor(
    file: &SourceFile,
    source: usize,
    config: &Config,
    doc: &Node,
    alarms: &mut Vec<Alarm>,
    diags: &mut Vec<Diagnostic>,
) {
    let Some((name, name_span)) =
        super::alarm_name(file, doc, "name", "a Datadog monitor", true, diags)
    else {
        return;
    };
    let mut alarm = Alarm::new(name, name_span, Shape::Datadog, source);
    let message = doc.get("message");
    if let Some(m) = message
        && let Some(t) = m.as_text()
    {
        alarm.runbook = freetext::runbook_field(file, (m.pos.line, m.pos.column), &t, config);
        alarm.description = first_line(&t);
    }
    alarm.expr = text(doc.get("query"));
    alarm.threshold = alarm.expr.clone();
    alarm.metric = text(doc.get("type"));
    let tags: Vec<&Node> = doc
        .get("tags")
        .and_then(Node::as_seq)
        .map(|t| t.iter().collect())
        .unwrap_or_default();
    for tag in &tags {
        if let Some(t) = tag.as_str()
            && let Some((k, v)) = t.split_once(':')
        {
            alarm.labels.push((k.to_string(), v.to_string()));
        }
    }
    alarm.service = alarm
        .labels
        .iter()
        .find(|(k, _)| k == "service")
        .map(|(_, v)| v.clone());
    // A `severity:` tag, else the monitor's priority (1 is P1).
    let severity_tag = tags.iter().find_map(|t| {
        let v = t.as_str()?.strip_prefix("severity:")?;
        Some(Field {
            value: v.to_string(),
            span: span(file, t.pos, t.as_str()?.chars().count()),
        })
    });
    let priority = doc.get("priority").and_then(|p| {
        let n = p.as_f64()?;
        Some(Field {
            value: format!("P{n}"),
            span: span(file, p.pos, 1),
        })
    });
    if let Some(sev) = severity_tag.or(priority) {
        set_severity(&mut alarm, config, sev);
    }
    alarms.push(alarm);
}

/// A monitor's message starts with what is wrong; the rest is links and
/// notification handles. Templates (`{{host.name}}`) read as words.
pub(super) fn first_line(message: &str) -> Option<String> {
    message
        .lines()
        .map(str::trim)
        .find(|l| {
            !l.is_empty() && !l.starts_with('@') && !l.starts_with("{{#") && !l.starts_with("{{/")
        })
        .map(super::readable_template)
}
