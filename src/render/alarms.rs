//! The alarm catalogue, the coverage page, and "Alarms that lead here".

use std::collections::HashMap;

use anyhow::{Context, Result};
use rayon::prelude::*;
use serde::Serialize;

use super::Renderer;
use super::split::{self, PartLink, PartNav};
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

/// Where each alarm's row is. A catalogue whose rows fit in one part is one
/// page, `alarms/index.html`, in the order of the alarm files; a larger one
/// is cut into parts by name (`alarms/part-N.html`, names sorted ignoring
/// case), and `alarms/index.html` lists the parts with their first and
/// last names and sends a deep link (`#NAME`) on to the part that holds it.
pub(super) struct CataloguePlan {
    /// Alarm indices, one list per name (a Prometheus alert at several
    /// severities stays in one group, in one part), in catalogue order.
    groups: Vec<Vec<usize>>,
    /// Ranges of `groups`, one per part; empty for a one-page catalogue.
    parts: Vec<std::ops::Range<usize>>,
    /// Alarm name → part, when split.
    part_of: HashMap<String, usize>,
}

/// The order of names in a split catalogue: ignoring case, then by code
/// point. The index page's script compares a deep link's name the same way.
fn name_order(anchor: &str) -> (String, &str) {
    (anchor.to_lowercase(), anchor)
}

/// A catalogue part's file, from the site's root.
fn part_path(number: usize) -> String {
    format!("alarms/part-{number}.html")
}

/// Markup of the catalogue's row template around the fields (tags,
/// classes, the badge), per alarm: what the JSON of the view does not count.
const ROW_MARKUP: usize = 600;

impl CataloguePlan {
    /// The page (from the site's root) that holds the row of `name`.
    pub(super) fn page_of(&self, name: &str) -> String {
        match self.part_of.get(name) {
            Some(&part) => part_path(part + 1),
            None => CATALOGUE_PATH.to_string(),
        }
    }

    pub(super) fn is_split(&self) -> bool {
        !self.parts.is_empty()
    }
}

impl<'a> Renderer<'a> {
    /// The catalogue's parts, worked out on first use.
    pub(super) fn catalogue_plan(&self) -> &CataloguePlan {
        self.catalogue.get_or_init(|| self.plan_catalogue())
    }

    fn plan_catalogue(&self) -> CataloguePlan {
        let site = self.site;
        let mut groups: Vec<Vec<usize>> = Vec::new();
        let mut by_name: HashMap<&str, usize> = HashMap::new();
        for (i, alarm) in site.alarms.iter().enumerate() {
            match by_name.get(alarm.name.as_str()) {
                Some(&g) => groups[g].push(i),
                None => {
                    by_name.insert(&alarm.name, groups.len());
                    groups.push(vec![i]);
                }
            }
        }
        let root = root_prefix(CATALOGUE_PATH);
        let sizes: Vec<usize> = groups
            .par_iter()
            .map(|g| {
                g.iter()
                    .map(|&i| {
                        let view = self.alarm_view_on(&site.alarms[i], &root, CATALOGUE_PATH);
                        split::escaped_len(&view) + ROW_MARKUP
                    })
                    .sum()
            })
            .collect();
        if sizes.iter().sum::<usize>() <= split::PART_BUDGET {
            return CataloguePlan {
                groups,
                parts: Vec::new(),
                part_of: HashMap::new(),
            };
        }
        let mut order: Vec<usize> = (0..groups.len()).collect();
        let anchors: Vec<String> = groups.iter().map(|g| site.alarms[g[0]].anchor()).collect();
        order.sort_by(|&a, &b| name_order(&anchors[a]).cmp(&name_order(&anchors[b])));
        let parts = split::cut(order.iter().map(|&g| sizes[g]), split::PART_BUDGET);
        let mut groups: Vec<Option<Vec<usize>>> = groups.into_iter().map(Some).collect();
        let groups: Vec<Vec<usize>> = order
            .iter()
            .map(|&g| groups[g].take().unwrap_or_default())
            .collect();
        let mut part_of = HashMap::new();
        for (p, range) in parts.iter().enumerate() {
            for group in &groups[range.clone()] {
                part_of.insert(site.alarms[group[0]].name.clone(), p);
            }
        }
        CataloguePlan {
            groups,
            parts,
            part_of,
        }
    }

    pub(super) fn alarm_view(&self, alarm: &'a Alarm, root: &str) -> AlarmView<'a> {
        let page = self.catalogue_plan().page_of(&alarm.name);
        self.alarm_view_on(alarm, root, &page)
    }

    /// The view of `alarm`, whose row is on `page` of the catalogue.
    fn alarm_view_on(&self, alarm: &'a Alarm, root: &str, page: &str) -> AlarmView<'a> {
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
            href: format!("{root}{page}#{anchor}"),
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

    /// The catalogue: one page, or the index of the parts and every part,
    /// each handed to `emit_page` as soon as it is rendered.
    pub(super) fn render_catalogue(&self, emit_page: &super::PageEmit) -> Result<()> {
        let plan = self.catalogue_plan();
        if !plan.is_split() {
            let html = self.render_catalogue_page(CATALOGUE_PATH, &plan.groups, None)?;
            return emit_page(CATALOGUE_PATH.to_string(), html);
        }
        let name = |g: usize| self.site.alarms[plan.groups[g][0]].name.as_str();
        let links: Vec<PartLink> = plan
            .parts
            .iter()
            .enumerate()
            .map(|(p, range)| PartLink {
                href: format!("part-{}.html", p + 1),
                number: p + 1,
                label: format!("{} to {}", name(range.start), name(range.end - 1)),
                current: false,
            })
            .collect();
        plan.parts
            .par_iter()
            .enumerate()
            .try_for_each(|(p, range)| {
                let path = part_path(p + 1);
                let nav = PartNav::of(&links, p, "index.html".to_string());
                let html =
                    self.render_catalogue_page(&path, &plan.groups[range.clone()], Some(nav))?;
                emit_page(path, html)
            })?;
        emit_page(
            CATALOGUE_PATH.to_string(),
            self.render_catalogue_index(&links)?,
        )
    }

    /// The index of a split catalogue: the parts with their first and last
    /// names (which a reader without JavaScript follows like a dictionary's
    /// guide words), a search over every alarm, and a script that sends a
    /// deep link `#NAME` on to its part.
    fn render_catalogue_index(&self, links: &[PartLink]) -> Result<String> {
        let plan = self.catalogue_plan();
        #[derive(Serialize)]
        struct PartRow<'p> {
            href: &'p str,
            number: usize,
            first: &'p str,
            last: &'p str,
            names: usize,
            alarms: usize,
        }
        let rows: Vec<PartRow> = plan
            .parts
            .iter()
            .zip(links)
            .map(|(range, link)| {
                let groups = &plan.groups[range.clone()];
                PartRow {
                    href: &link.href,
                    number: link.number,
                    first: &self.site.alarms[groups[0][0]].name,
                    last: &self.site.alarms[groups[groups.len() - 1][0]].name,
                    names: groups.len(),
                    alarms: groups.iter().map(Vec::len).sum(),
                }
            })
            .collect();
        // The deep-link map: the first anchor of each part, in name order.
        let starts: Vec<String> = plan
            .parts
            .iter()
            .map(|range| self.site.alarms[plan.groups[range.start][0]].anchor())
            .collect();
        // The services an alarm can be filtered by: its own, or its runbook's.
        let mut services = std::collections::BTreeSet::new();
        for alarm in &self.site.alarms {
            services.extend(alarm.service.iter().map(String::as_str));
        }
        for (_, page) in self.site.pages_of(PageKind::Runbook) {
            services.extend(page.meta.services.iter().map(String::as_str));
        }
        let mut ctx = self.base_context(CATALOGUE_PATH, "alarms", "Alarm catalogue");
        ctx.insert("parts", &rows);
        ctx.insert(
            "part_starts",
            &serde_json::to_string(&starts)?.replace("</", "<\\/"),
        );
        ctx.insert("alarm_count", &self.site.alarms.len());
        ctx.insert("name_count", &plan.groups.len());
        ctx.insert("severities", &self.site.config.severities);
        ctx.insert("services", &services);
        self.tera
            .render("alarms_index.html", &ctx)
            .context("rendering the alarm catalogue's index")
    }

    /// One page of the catalogue (the whole of it, or one part) with the
    /// rows of `groups`.
    fn render_catalogue_page(
        &self,
        path: &str,
        groups: &[Vec<usize>],
        part: Option<PartNav>,
    ) -> Result<String> {
        let root = root_prefix(path);
        let mut services = std::collections::BTreeSet::new();
        let groups: Vec<AlarmGroup> = groups
            .iter()
            .map(|list| {
                let first = &self.site.alarms[list[0]];
                let variants: Vec<AlarmView> = list
                    .iter()
                    .map(|&i| self.alarm_view_on(&self.site.alarms[i], &root, path))
                    .collect();
                let mut sevs: Vec<&str> = variants.iter().filter_map(|v| v.severity).collect();
                sevs.sort();
                sevs.dedup();
                let mut svcs: Vec<String> =
                    variants.iter().flat_map(|v| v.services.clone()).collect();
                svcs.sort();
                svcs.dedup();
                services.extend(svcs.iter().cloned());
                AlarmGroup {
                    name: &first.name,
                    anchor: first.anchor(),
                    severities: sevs.join(" "),
                    services: svcs.join(" "),
                    variants,
                }
            })
            .collect();
        let title = match &part {
            Some(nav) => format!("Alarm catalogue, part {} of {}", nav.number, nav.count),
            None => "Alarm catalogue".to_string(),
        };
        let mut ctx = self.base_context(path, "alarms", &title);
        if let Some(nav) = &part {
            super::set_crumbs(
                &mut ctx,
                &root,
                &[("Alarms", Some(CATALOGUE_PATH))],
                &format!("Part {}", nav.number),
            );
        }
        ctx.insert(
            "alarm_count",
            &groups.iter().map(|g| g.variants.len()).sum::<usize>(),
        );
        ctx.insert("total_count", &self.site.alarms.len());
        ctx.insert("groups", &groups);
        ctx.insert("severities", &self.site.config.severities);
        ctx.insert("services", &services);
        ctx.insert("part", &part);
        self.tera
            .render("alarms.html", &ctx)
            .with_context(|| format!("rendering the alarm catalogue ({path})"))
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
        let runbook_count = self.site.pages_of(PageKind::Runbook).count();
        ctx.insert("runbook_count", &runbook_count);
        ctx.insert("count", &runbook_count);
        self.insert_date_views(&mut ctx, &root);
        let html = self
            .tera
            .render("coverage.html", &ctx)
            .context("rendering the coverage page")?;
        Ok((COVERAGE_PATH.to_string(), html))
    }
}
