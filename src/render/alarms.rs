//! The alarm catalogue, the coverage page, and "Alarms that lead here".

use anyhow::{Context, Result};
use serde::Serialize;

use super::Renderer;
use crate::alarms::{Alarm, RunbookLink};
use crate::model::{PageKind, output_path, root_prefix};

pub const CATALOGUE_PATH: &str = "alarms/index.html";
pub const COVERAGE_PATH: &str = "coverage/index.html";

/// One alarm as templates see it.
#[derive(Serialize)]
pub struct AlarmView<'a> {
    name: &'a str,
    anchor: String,
    href: String,
    severity: Option<&'a str>,
    raw_severity: Option<&'a str>,
    description: Option<&'a str>,
    threshold: Option<&'a str>,
    metric: Option<&'a str>,
    filter: Option<&'a str>,
    action: Option<&'a str>,
    group: Option<&'a str>,
    shape: crate::alarms::Shape,
    services: Vec<String>,
    runbook: Option<&'a str>,
    runbook_href: Option<String>,
    runbook_title: Option<&'a str>,
    /// ok, external, broken, missing, anchor-missing, not-runbook
    runbook_status: &'static str,
    source_path: &'a str,
    line: u32,
    labels: &'a [(String, String)],
    /// The dialect it was read from, as the catalogue names it.
    dialect: &'static str,
    /// For a template with open labels: every page it can reach.
    runbook_pages: Vec<PageRef<'a>>,
}

/// A page an alarm's runbook template reaches.
#[derive(Serialize)]
pub struct PageRef<'a> {
    href: String,
    title: &'a str,
}

/// Alarms sharing one name (a Prometheus alert at several severities).
#[derive(Serialize)]
struct AlarmGroup<'a> {
    name: &'a str,
    anchor: String,
    severities: String,
    services: String,
    variants: Vec<AlarmView<'a>>,
}

impl<'a> Renderer<'a> {
    pub(super) fn alarm_view(&self, alarm: &'a Alarm, root: &str) -> AlarmView<'a> {
        let site = self.site;
        let link = site.resolve_runbook(alarm);
        let (runbook_href, runbook_title, status, target_services) = match &link {
            RunbookLink::Page { page, anchor } => {
                let target = &site.pages[*page];
                let status = if target.kind != PageKind::Runbook {
                    "not-runbook"
                } else if anchor.as_deref().is_some_and(|a| !target.has_anchor(a)) {
                    "anchor-missing"
                } else {
                    "ok"
                };
                let href = format!(
                    "{root}{}{}",
                    output_path(&target.id),
                    anchor
                        .as_ref()
                        .map(|a| format!("#{}", a.to_lowercase()))
                        .unwrap_or_default()
                );
                (
                    Some(href),
                    Some(target.title.as_str()),
                    status,
                    target.meta.services.clone(),
                )
            }
            RunbookLink::External => {
                // Never a link that runs code: such a runbook shows unlinked,
                // marked as refused.
                let href = alarm
                    .runbook
                    .as_ref()
                    .and_then(|r| crate::markdown::safe_href(&r.value));
                let status = if href.is_some() {
                    "external"
                } else {
                    "unsafe-url"
                };
                (href, None, status, Vec::new())
            }
            RunbookLink::Pattern { pages, .. } => match pages.first() {
                Some(&page) => {
                    let target = &site.pages[page];
                    (
                        Some(format!("{root}{}", output_path(&target.id))),
                        Some(target.title.as_str()),
                        "pattern",
                        target.meta.services.clone(),
                    )
                }
                None => (None, None, "broken", Vec::new()),
            },
            RunbookLink::Broken => (None, None, "broken", Vec::new()),
            RunbookLink::Missing => (None, None, "missing", Vec::new()),
        };
        let runbook_pages = match &link {
            RunbookLink::Pattern { pages, .. } => pages
                .iter()
                .map(|&p| PageRef {
                    href: format!("{root}{}", output_path(&site.pages[p].id)),
                    title: &site.pages[p].title,
                })
                .collect(),
            _ => Vec::new(),
        };
        let services = match &alarm.service {
            Some(s) => vec![s.clone()],
            None => target_services,
        };
        let anchor = alarm.anchor();
        AlarmView {
            name: &alarm.name,
            href: format!("{root}{CATALOGUE_PATH}#{anchor}"),
            anchor,
            severity: alarm.severity.as_ref().map(|s| s.value.as_str()),
            raw_severity: alarm.raw_severity.as_deref(),
            description: alarm.description.as_deref(),
            threshold: alarm.threshold.as_deref(),
            metric: alarm.metric.as_deref(),
            filter: alarm.filter.as_deref(),
            action: alarm.action.as_deref(),
            group: alarm.group.as_deref(),
            shape: alarm.shape,
            services,
            runbook: alarm.runbook.as_ref().map(|r| r.value.as_str()),
            runbook_href,
            runbook_title,
            runbook_status: status,
            source_path: &site.sources[alarm.source].display_path,
            line: alarm.name_span.line,
            labels: &alarm.labels,
            dialect: alarm.shape.name(),
            runbook_pages,
        }
    }

    /// Alarms leading to one runbook page, for its "Alarms that lead here".
    pub(super) fn alarms_leading_to(&self, page: usize, root: &str) -> Vec<AlarmView<'a>> {
        self.coverage
            .alarms_by_runbook
            .get(&page)
            .map(|list| {
                list.iter()
                    .map(|&i| self.alarm_view(&self.site.alarms[i], root))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub(super) fn render_catalogue(&self) -> Result<(String, String)> {
        let root = root_prefix(CATALOGUE_PATH);
        let mut groups: Vec<AlarmGroup> = Vec::new();
        let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for alarm in &self.site.alarms {
            let view = self.alarm_view(alarm, &root);
            match index.get(alarm.name.as_str()) {
                Some(&g) => groups[g].variants.push(view),
                None => {
                    index.insert(&alarm.name, groups.len());
                    groups.push(AlarmGroup {
                        name: &alarm.name,
                        anchor: alarm.anchor(),
                        severities: String::new(),
                        services: String::new(),
                        variants: vec![view],
                    });
                }
            }
        }
        let mut services = std::collections::BTreeSet::new();
        for g in &mut groups {
            let mut sevs: Vec<&str> = g.variants.iter().filter_map(|v| v.severity).collect();
            sevs.sort();
            sevs.dedup();
            g.severities = sevs.join(" ");
            let mut svcs: Vec<String> =
                g.variants.iter().flat_map(|v| v.services.clone()).collect();
            svcs.sort();
            svcs.dedup();
            services.extend(svcs.iter().cloned());
            g.services = svcs.join(" ");
        }
        let mut ctx = self.base_context(CATALOGUE_PATH, "alarms", "Alarm catalogue");
        ctx.insert("groups", &groups);
        ctx.insert("alarm_count", &self.site.alarms.len());
        ctx.insert("severities", &self.site.config.severities);
        ctx.insert("services", &services);
        let html = self
            .tera
            .render("alarms.html", &ctx)
            .context("rendering the alarm catalogue")?;
        Ok((CATALOGUE_PATH.to_string(), html))
    }

    pub(super) fn render_coverage(&self) -> Result<(String, String)> {
        let root = root_prefix(COVERAGE_PATH);
        let cov = &self.coverage;
        let alarms = |list: &[usize]| -> Vec<AlarmView> {
            list.iter()
                .map(|&i| self.alarm_view(&self.site.alarms[i], &root))
                .collect()
        };
        let unreached: Vec<_> = cov
            .unreached_runbooks
            .iter()
            .map(|&i| self.view(&self.site.pages[i], &root))
            .collect();
        let mut ctx = self.base_context(COVERAGE_PATH, "coverage", "Alarm coverage");
        ctx.insert("alarm_count", &cov.alarms);
        ctx.insert("alarms_ok", &cov.alarms_ok);
        ctx.insert("without_runbook", &alarms(&cov.without_runbook));
        ctx.insert("external", &alarms(&cov.external));
        ctx.insert("not_required", &cov.not_required.len());
        ctx.insert("by_source", &cov.by_source);
        ctx.insert("unreached", &unreached);
        ctx.insert("services_without_runbooks", &cov.services_without_runbooks);
        ctx.insert("by_severity", &cov.by_severity);
        ctx.insert(
            "runbook_count",
            &self.site.pages_of(PageKind::Runbook).count(),
        );
        let html = self
            .tera
            .render("coverage.html", &ctx)
            .context("rendering the coverage page")?;
        Ok((COVERAGE_PATH.to_string(), html))
    }
}
