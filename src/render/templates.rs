//! The built-in Tera templates, embedded in the binary; a site's own
//! `templates/` folder overrides any of them by file name.

use tera::Tera;

use crate::diag::{Code, Diagnostic, Span};
use crate::site::Site;

/// (file name, text) of every built-in template.
pub const BUILTIN: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("macros.html", include_str!("../../templates/macros.html")),
    ("home.html", include_str!("../../templates/home.html")),
    ("page.html", include_str!("../../templates/page.html")),
    (
        "last_change.html",
        include_str!("../../templates/last_change.html"),
    ),
    (
        "source_links.html",
        include_str!("../../templates/source_links.html"),
    ),
    ("runbook.html", include_str!("../../templates/runbook.html")),
    (
        "runbooks.html",
        include_str!("../../templates/runbooks.html"),
    ),
    (
        "runbook_table.html",
        include_str!("../../templates/runbook_table.html"),
    ),
    (
        "runbooks_service.html",
        include_str!("../../templates/runbooks_service.html"),
    ),
    ("list.html", include_str!("../../templates/list.html")),
    ("404.html", include_str!("../../templates/404.html")),
    ("alarms.html", include_str!("../../templates/alarms.html")),
    (
        "alarms_index.html",
        include_str!("../../templates/alarms_index.html"),
    ),
    (
        "coverage.html",
        include_str!("../../templates/coverage.html"),
    ),
    ("triage.html", include_str!("../../templates/triage.html")),
    ("tree.html", include_str!("../../templates/tree.html")),
    ("trees.html", include_str!("../../templates/trees.html")),
    (
        "search_box.html",
        include_str!("../../templates/search_box.html"),
    ),
    ("search.html", include_str!("../../templates/search.html")),
    (
        "postmortem.html",
        include_str!("../../templates/postmortem.html"),
    ),
    ("report.html", include_str!("../../templates/report.html")),
    ("reports.html", include_str!("../../templates/reports.html")),
    ("actions.html", include_str!("../../templates/actions.html")),
    ("status.html", include_str!("../../templates/status.html")),
    ("by_date.html", include_str!("../../templates/by_date.html")),
    (
        "status_live.html",
        include_str!("../../templates/status_live.html"),
    ),
];

/// `{{ sev | severity_badge | safe }}`: a severity as its coloured badge,
/// nothing for none. `macros.html`'s `severity` macro is this filter; the
/// built-in templates call the filter directly because a Tera macro call
/// (a new frame and a copy of its arguments) cost 4% of a 10,000-page
/// build, the alarm catalogue making one per alarm.
pub(crate) fn severity_badge(
    value: &tera::Value,
    _: &std::collections::HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    let severity = match value {
        tera::Value::Null | tera::Value::Bool(false) => return Ok(tera::Value::from("")),
        tera::Value::String(s) if s.is_empty() => return Ok(tera::Value::from("")),
        tera::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let escape = crate::highlight::escape_html;
    Ok(tera::Value::from(format!(
        "<span class=\"sev sev-{}\" title=\"Severity {}\">{}</span>",
        escape(&severity.to_lowercase()),
        escape(&severity),
        escape(&severity)
    )))
}

/// Compile the templates, the site's overrides winning. A template that does
/// not compile is a diagnostic on its file.
pub fn compile(site: &Site) -> Result<Tera, Diagnostic> {
    let mut tera = Tera::default();
    // Tera's default escaper also turns `/` into `&#x2F;`, which is valid but
    // makes every URL unreadable in the HTML; `/` cannot end an attribute or
    // open a tag, so escaping the five HTML specials is enough.
    tera.set_escape_fn(crate::highlight::escape_html);
    tera.register_filter("severity_badge", severity_badge);
    let mut all: Vec<(String, String)> = BUILTIN
        .iter()
        .map(|(name, text)| {
            let text = site
                .templates
                .get(*name)
                .cloned()
                .unwrap_or_else(|| text.to_string());
            (name.to_string(), text)
        })
        .collect();
    // Extra site templates (partials the overrides include).
    for (name, text) in &site.templates {
        if !BUILTIN.iter().any(|(n, _)| n == name) {
            all.push((name.clone(), text.clone()));
        }
    }
    tera.add_raw_templates(all).map_err(|err| {
        let mut message = err.to_string();
        let mut source = std::error::Error::source(&err);
        while let Some(inner) = source {
            message.push_str(": ");
            message.push_str(&inner.to_string());
            source = inner.source();
        }
        let file = site
            .templates
            .keys()
            .find(|name| message.contains(name.as_str()))
            .map(|name| format!("templates/{name}"))
            .unwrap_or_else(|| "templates".to_string());
        let line = template_error_line(&message).unwrap_or(1);
        Diagnostic::new(
            Code::TemplateInvalid,
            Span::new(file, line, 1),
            format!("template does not compile: {}", message.replace('\n', " ")),
        )
    })?;
    Ok(tera)
}

/// Tera's parse errors say ` --> LINE:COL`.
fn template_error_line(message: &str) -> Option<u32> {
    let after = message.split("--> ").nth(1)?;
    after.split(':').next()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn badge(value: tera::Value) -> String {
        let html = severity_badge(&value, &Default::default()).unwrap();
        html.as_str().unwrap().to_string()
    }

    #[test]
    fn severity_badge_is_the_macros_markup_escaped() {
        assert_eq!(
            badge("P1".into()),
            r#"<span class="sev sev-p1" title="Severity P1">P1</span>"#
        );
        assert_eq!(badge(tera::Value::Null), "");
        assert_eq!(badge("".into()), "");
        assert_eq!(
            badge("<b>\"".into()),
            r#"<span class="sev sev-&lt;b&gt;&quot;" title="Severity &lt;b&gt;&quot;">&lt;b&gt;&quot;</span>"#
        );
    }
}
