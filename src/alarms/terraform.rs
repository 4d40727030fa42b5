//! Terraform alarm resources, read with hcl-edit (which keeps each item's
//! byte span, so every alarm is located to its line):
//! `aws_cloudwatch_metric_alarm` (`alarm_name`, `alarm_description`, `tags`),
//! `datadog_monitor` (`name`, `message`, `query`, `priority`, `tags`),
//! `grafana_rule_group` (`rule` blocks with `annotations` and `labels`) and
//! `google_monitoring_alert_policy` (`display_name`, `documentation`,
//! `severity`, `user_labels`). Values are read as written: an interpolation
//! (`${var.service}`) stays in the text, for the runbook template to fill.

use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Block, BlockLabel, Body};

use super::{Alarm, Shape, freetext, set_severity};
use crate::config::Config;
use crate::diag::{Code, Diagnostic, Span};
use crate::model::Field;
use crate::source::SourceFile;

pub(super) fn read(
    file: &SourceFile,
    source: usize,
    config: &Config,
    alarms: &mut Vec<Alarm>,
    diags: &mut Vec<Diagnostic>,
) {
    let body = match hcl_edit::parser::parse_body(&file.text) {
        Ok(body) => body,
        Err(err) => {
            let loc = err.location();
            diags.push(Diagnostic::new(
                Code::AlarmFileInvalid,
                file.span_at(loc.line().max(1) as u32, loc.column().max(1) as u32),
                format!("invalid HCL: {}", err.message()),
            ));
            return;
        }
    };
    let reader = Reader {
        file,
        source,
        config,
    };
    for block in body.blocks() {
        if block.ident.as_str() != "resource" {
            continue;
        }
        let labels: Vec<&str> = block.labels.iter().map(label).collect();
        let (Some(&kind), Some(&local)) = (labels.first(), labels.get(1)) else {
            continue;
        };
        match kind {
            "aws_cloudwatch_metric_alarm" => reader.cloudwatch(block, local, alarms),
            "datadog_monitor" => reader.datadog(block, local, alarms),
            "grafana_rule_group" => reader.grafana(block, alarms),
            "google_monitoring_alert_policy" => reader.google(block, local, alarms),
            _ => {}
        }
    }
}

fn label(l: &BlockLabel) -> &str {
    match l {
        BlockLabel::Ident(i) => i.as_str(),
        BlockLabel::String(s) => s.as_str(),
    }
}

struct Reader<'a> {
    file: &'a SourceFile,
    source: usize,
    config: &'a Config,
}

impl Reader<'_> {
    fn span_of(&self, range: Option<std::ops::Range<usize>>) -> Span {
        match range {
            Some(r) => self.file.span(r),
            None => Span::new(self.file.display_path.clone(), 1, 1),
        }
    }

    /// A text value as written: a plain string, a quoted template (its
    /// interpolations kept) or a heredoc's lines.
    fn text_of(&self, expr: &Expression) -> Option<String> {
        let raw = |e: &Expression| {
            e.span()
                .and_then(|r| self.file.text.get(r))
                .map(str::to_string)
        };
        let t = match expr {
            Expression::String(s) => Some(s.as_str().to_string()),
            Expression::StringTemplate(_) => {
                raw(expr).map(|r| r.trim().trim_matches('"').to_string())
            }
            Expression::HeredocTemplate(h) => {
                let src = h.template.span().and_then(|r| self.file.text.get(r))?;
                Some(dedent(src))
            }
            _ => None,
        }?;
        let t = t.trim().to_string();
        (!t.is_empty()).then_some(t)
    }

    fn attr_text(&self, body: &Body, key: &str) -> Option<(String, Span)> {
        let attr = body.get_attribute(key)?;
        let value = self.text_of(&attr.value)?;
        Some((value, self.span_of(attr.value.span())))
    }

    /// The alarm named by `key` (else the resource's local name), located
    /// at that attribute's key.
    fn alarm(&self, body: &Body, key: &str, local: &str, block: &Block) -> Alarm {
        let (name, span) = match body.get_attribute(key) {
            Some(attr) => (
                self.text_of(&attr.value)
                    .unwrap_or_else(|| local.to_string()),
                self.span_of(attr.key.span()),
            ),
            None => (local.to_string(), self.span_of(block.ident.span())),
        };
        Alarm::new(name, span, Shape::Terraform, self.source)
    }

    /// A free-text field's runbook link, located at the link.
    fn runbook_in(&self, body: &Body, key: &str) -> (Option<String>, Option<Field<String>>) {
        let Some(attr) = body.get_attribute(key) else {
            return (None, None);
        };
        let Some(text) = self.text_of(&attr.value) else {
            return (None, None);
        };
        let start = self.span_of(attr.value.span());
        let runbook =
            freetext::runbook_field(self.file, (start.line, start.column), &text, self.config);
        (Some(text), runbook)
    }

    /// `{ k = "v" }` (or `tags = ["k:v"]`) as pairs, with each value's span.
    fn pairs(&self, body: &Body, key: &str) -> Vec<(String, String, Span)> {
        let Some(attr) = body.get_attribute(key) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if let Some(object) = attr.value.as_object() {
            for (k, v) in object.iter() {
                let name = match k {
                    ObjectKey::Ident(i) => i.as_str().to_string(),
                    ObjectKey::Expression(e) => match self.text_of(e) {
                        Some(t) => t,
                        None => continue,
                    },
                };
                if let Some(value) = self.text_of(v.expr()) {
                    out.push((name, value, self.span_of(v.expr().span())));
                }
            }
        } else if let Some(array) = attr.value.as_array() {
            for item in array.iter() {
                if let Some(t) = self.text_of(item)
                    && let Some((k, v)) = t.split_once(':')
                {
                    out.push((k.to_string(), v.to_string(), self.span_of(item.span())));
                }
            }
        }
        out
    }

    fn labels_and_severity(&self, alarm: &mut Alarm, pairs: Vec<(String, String, Span)>) {
        for (k, v, span) in pairs {
            if k.eq_ignore_ascii_case("severity") {
                let sev = Field {
                    value: v.clone(),
                    span,
                };
                set_severity(alarm, self.config, sev);
            }
            if k.eq_ignore_ascii_case("service") {
                alarm.service = Some(v.clone());
            }
            alarm.labels.push((k, v));
        }
    }

    fn cloudwatch(&self, block: &Block, local: &str, alarms: &mut Vec<Alarm>) {
        let body = &block.body;
        let mut alarm = self.alarm(body, "alarm_name", local, block);
        let (description, runbook) = self.runbook_in(body, "alarm_description");
        alarm.description = description;
        alarm.runbook = runbook;
        let get = |k: &str| self.attr_text(body, k).map(|(t, _)| t);
        alarm.metric = match (get("namespace"), get("metric_name")) {
            (Some(ns), Some(m)) => Some(format!("{ns}/{m}")),
            (_, m) => m,
        };
        alarm.threshold = get("comparison_operator").map(|op| {
            let t = body
                .get_attribute("threshold")
                .and_then(|a| a.value.span())
                .and_then(|r| self.file.text.get(r))
                .unwrap_or("")
                .trim()
                .to_string();
            format!("{op} {t}")
        });
        self.labels_and_severity(&mut alarm, self.pairs(body, "tags"));
        alarms.push(alarm);
    }

    fn datadog(&self, block: &Block, local: &str, alarms: &mut Vec<Alarm>) {
        let body = &block.body;
        let mut alarm = self.alarm(body, "name", local, block);
        let (message, runbook) = self.runbook_in(body, "message");
        alarm.description = message.as_deref().and_then(super::datadog::first_line);
        alarm.runbook = runbook;
        alarm.expr = self.attr_text(body, "query").map(|(t, _)| t);
        alarm.threshold = alarm.expr.clone();
        let mut pairs = self.pairs(body, "tags");
        if !pairs.iter().any(|(k, _, _)| k == "severity")
            && let Some(attr) = body.get_attribute("priority")
            && let Some(raw) = attr.value.span().and_then(|r| self.file.text.get(r))
        {
            let n = raw.trim().trim_matches('"');
            pairs.push((
                "severity".into(),
                format!("P{n}"),
                self.span_of(attr.value.span()),
            ));
        }
        self.labels_and_severity(&mut alarm, pairs);
        alarms.push(alarm);
    }

    fn grafana(&self, block: &Block, alarms: &mut Vec<Alarm>) {
        let group = self.attr_text(&block.body, "name").map(|(t, _)| t);
        for rule in block.body.blocks().filter(|b| b.ident.as_str() == "rule") {
            let body = &rule.body;
            let mut alarm = self.alarm(body, "name", "rule", rule);
            alarm.group = group.clone();
            let annotations = self.pairs(body, "annotations");
            alarm.description = self
                .config
                .alarms
                .description_annotations
                .iter()
                .find_map(|k| annotations.iter().find(|(a, _, _)| a == k))
                .map(|(_, v, _)| super::readable_template(v));
            alarm.runbook = self
                .config
                .alarms
                .runbook_annotations
                .iter()
                .find_map(|k| annotations.iter().find(|(a, _, _)| a == k))
                .map(|(_, v, span)| Field {
                    value: v.clone(),
                    span: span.clone(),
                });
            alarm.annotations = annotations
                .iter()
                .map(|(k, v, _)| (k.clone(), v.clone()))
                .collect();
            // The query sits in `data { model = jsonencode({ expr = "..." }) }`.
            alarm.expr = rule_expr(body, self.file);
            alarm.for_ = self.attr_text(body, "for").map(|(t, _)| t);
            alarm.threshold = alarm.expr.clone();
            self.labels_and_severity(&mut alarm, self.pairs(body, "labels"));
            alarms.push(alarm);
        }
    }

    fn google(&self, block: &Block, local: &str, alarms: &mut Vec<Alarm>) {
        let body = &block.body;
        let mut alarm = self.alarm(body, "display_name", local, block);
        if let Some(doc) = body.blocks().find(|b| b.ident.as_str() == "documentation") {
            let (content, runbook) = self.runbook_in(&doc.body, "content");
            alarm.description = content.as_deref().and_then(|c| {
                c.lines()
                    .map(str::trim)
                    .find(|l| !l.is_empty())
                    .map(str::to_string)
            });
            alarm.runbook = runbook;
        }
        let mut pairs = self.pairs(body, "user_labels");
        if let Some((sev, span)) = self.attr_text(body, "severity")
            && !pairs.iter().any(|(k, _, _)| k == "severity")
        {
            // The policy's own field is upper case (`CRITICAL`, `WARNING`).
            pairs.push(("severity".into(), sev.to_lowercase(), span));
        }
        self.labels_and_severity(&mut alarm, pairs);
        alarms.push(alarm);
    }
}

/// The PromQL of a Terraform Grafana rule: the first `expr` in its `data`
/// blocks' `model` (a `jsonencode({...})` object written in HCL).
fn rule_expr(body: &Body, file: &SourceFile) -> Option<String> {
    for data in body.blocks().filter(|b| b.ident.as_str() == "data") {
        let model = data.body.get_attribute("model")?;
        let src = model.value.span().and_then(|r| file.text.get(r))?;
        // `expr = "..."` inside the object: read the string with HCL's parser.
        let at = src.find("expr")?;
        let rest = &src[at + 4..];
        let rest = rest.trim_start().strip_prefix(['=', ':'])?.trim_start();
        if let Ok(Expression::String(s)) =
            hcl_edit::parser::parse_expr(rest.lines().next()?.trim_end_matches(','))
        {
            return Some(s.as_str().to_string());
        }
    }
    None
}

/// A heredoc's text: `<<-EOT` strips the common indentation.
fn dedent(src: &str) -> String {
    let lines: Vec<&str> = src.lines().collect();
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(|l| l.get(indent..).unwrap_or(l.trim_start()))
        .collect::<Vec<_>>()
        .join("\n")
}
