//! The runbook index: the runbooks by service, and two views by date.
//!
//! An index whose rows fit in one part is one page, as it always was. A
//! larger one (2.7 MB at 10,000 runbooks) becomes a page per service
//! (`runbooks/by-service/SLUG.html`, cut into parts if a service alone is
//! too large), and `runbooks/index.html` lists the services, each at the
//! anchor its table had (`#service-SLUG`), and sends such a link on to the
//! service's page.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use serde::Serialize;

use super::split::{self, PartLink, PartNav};
use super::{PageView, Renderer};
use crate::model::{PageKind, root_prefix};

pub(super) const RUNBOOK_INDEX_PATH: &str = "runbooks/index.html";

/// How many runbooks the index's "least recently changed" view lists.
const LEAST_RECENT_SHOWN: usize = 10;
/// How many the "changed this week" view lists at most (the most recent
/// first), so that a week of mass edits does not make the index heavy.
const CHANGED_WEEK_SHOWN: usize = 100;
/// The markup of one row of a runbook table around its fields.
const ROW_MARKUP: usize = 300;

/// One service's runbooks, for a table.
#[derive(Serialize)]
struct ServiceTable<'a> {
    service: String,
    /// The `service-…` anchor's tail: Tera's `slugify` of the name.
    slug: String,
    runbooks: Vec<PageView<'a>>,
}

/// A service on the index of a split runbook index.
#[derive(Serialize)]
struct ServiceEntry {
    service: String,
    slug: String,
    href: String,
    count: usize,
    parts: usize,
}

impl<'a> Renderer<'a> {
    /// The runbook index, grouped by service (a runbook with several services
    /// appears under each; one with none under "Other"): one page, or an
    /// index and a page per service.
    pub(super) fn render_runbook_index(&self) -> Result<Vec<(String, String)>> {
        let site = self.site;
        // Keyed by (no service?, service): runbooks without one come last.
        let mut groups: BTreeMap<(bool, String), Vec<usize>> = BTreeMap::new();
        for (i, page) in site.pages_of(PageKind::Runbook) {
            if page.meta.services.is_empty() {
                groups
                    .entry((true, "Other".to_string()))
                    .or_default()
                    .push(i);
            }
            for service in &page.meta.services {
                groups.entry((false, service.clone())).or_default().push(i);
            }
        }
        let root = root_prefix(RUNBOOK_INDEX_PATH);
        let groups: Vec<(String, Vec<usize>)> = groups
            .into_iter()
            .map(|((_, service), mut list)| {
                let key = |&i: &usize| {
                    let page = &site.pages[i];
                    let severity = page.meta.severity.as_ref().map(|f| f.value.as_str());
                    (severity, page.title.as_str())
                };
                list.sort_by(|a, b| key(a).cmp(&key(b)));
                (service, list)
            })
            .collect();
        let row_size = |i: usize| {
            let view = self.view(&site.pages[i], &root);
            split::escaped_len(&(
                view.severity,
                view.title,
                &view.href,
                view.owner,
                &view.last_updated,
            )) + ROW_MARKUP
        };
        let sizes: Vec<Vec<usize>> = groups
            .iter()
            .map(|(_, list)| list.iter().map(|&i| row_size(i)).collect())
            .collect();
        let total: usize = sizes.iter().flatten().sum();
        let mut ctx = self.base_context(RUNBOOK_INDEX_PATH, "runbooks", "Runbooks");
        self.insert_date_views(&mut ctx, &root);
        ctx.insert("count", &site.pages_of(PageKind::Runbook).count());
        if total <= split::PART_BUDGET {
            let tables: Vec<ServiceTable> = groups
                .iter()
                .map(|(service, list)| ServiceTable {
                    service: service.clone(),
                    slug: slug::slugify(service),
                    runbooks: list
                        .iter()
                        .map(|&i| self.view(&site.pages[i], &root))
                        .collect(),
                })
                .collect();
            ctx.insert("groups", &tables);
            let html = self
                .tera
                .render("runbooks.html", &ctx)
                .context("rendering the runbook index")?;
            return Ok(vec![(RUNBOOK_INDEX_PATH.to_string(), html)]);
        }
        let mut files = Vec::new();
        let mut entries = Vec::new();
        let mut taken = std::collections::HashSet::new();
        for ((service, list), sizes) in groups.iter().zip(&sizes) {
            let slug = slug::slugify(service);
            // A file name for each service, even where two names slugify alike.
            let mut file = if slug.is_empty() {
                "service".to_string()
            } else {
                slug.clone()
            };
            let mut n = 2;
            while !taken.insert(file.clone()) {
                file = format!("{slug}-{n}");
                n += 1;
            }
            let parts = split::cut(sizes.iter().copied(), split::PART_BUDGET);
            let file_of = |p: usize| {
                if p == 0 {
                    format!("{file}.html")
                } else {
                    format!("{file}-part-{}.html", p + 1)
                }
            };
            let links: Vec<PartLink> = parts
                .iter()
                .enumerate()
                .map(|(p, range)| PartLink {
                    href: file_of(p),
                    number: p + 1,
                    label: format!(
                        "{} to {}",
                        site.pages[list[range.start]].title,
                        site.pages[list[range.end - 1]].title
                    ),
                    current: false,
                })
                .collect();
            for (p, range) in parts.iter().enumerate() {
                let path = format!("runbooks/by-service/{}", file_of(p));
                let root = root_prefix(&path);
                let nav = (parts.len() > 1)
                    .then(|| PartNav::of(&links, p, format!("../index.html#service-{slug}")));
                let table = ServiceTable {
                    service: service.clone(),
                    slug: slug.clone(),
                    runbooks: list[range.clone()]
                        .iter()
                        .map(|&i| self.view(&site.pages[i], &root))
                        .collect(),
                };
                let title = format!("Runbooks: {service}");
                let mut page_ctx = self.base_context(&path, "runbooks", &title);
                let label = match &nav {
                    Some(nav) => format!("{service}, part {}", nav.number),
                    None => service.clone(),
                };
                super::set_crumbs(
                    &mut page_ctx,
                    &root,
                    &[("Runbooks", Some(RUNBOOK_INDEX_PATH))],
                    &label,
                );
                page_ctx.insert("table", &table);
                page_ctx.insert("count", &list.len());
                page_ctx.insert("part", &nav);
                page_ctx.insert("index_href", "../index.html");
                let html = self
                    .tera
                    .render("runbooks_service.html", &page_ctx)
                    .with_context(|| format!("rendering {path}"))?;
                files.push((path, html));
            }
            entries.push(ServiceEntry {
                service: service.clone(),
                slug,
                href: format!("by-service/{}", file_of(0)),
                count: list.len(),
                parts: parts.len(),
            });
        }
        // The deep-link map: `#service-SLUG` → the service's page.
        let map: BTreeMap<&str, &str> = entries
            .iter()
            .map(|e| (e.slug.as_str(), e.href.as_str()))
            .collect();
        ctx.insert("services", &entries);
        ctx.insert(
            "service_map",
            &serde_json::to_string(&map)?.replace("</", "<\\/"),
        );
        let html = self
            .tera
            .render("runbooks.html", &ctx)
            .context("rendering the runbook index")?;
        files.push((RUNBOOK_INDEX_PATH.to_string(), html));
        Ok(files)
    }

    /// The two views by date (the later of `last_updated` and git's): what
    /// changed in the week up to today, and what went longest unchanged.
    pub(super) fn insert_date_views(&self, ctx: &mut tera::Context, root: &str) {
        let site = self.site;
        let mut dated: Vec<(NaiveDate, usize)> = site
            .pages_of(PageKind::Runbook)
            .filter_map(|(i, _)| Some((site.updated(i)?.date, i)))
            .collect();
        dated.sort_by_key(|&(date, i)| (date, site.pages[i].title.clone()));
        let week_start = self.today - chrono::Duration::days(7);
        let in_week: Vec<usize> = dated
            .iter()
            .rev()
            .filter(|(date, _)| *date > week_start && *date <= self.today)
            .map(|&(_, i)| i)
            .collect();
        let changed_week: Vec<PageView> = in_week
            .iter()
            .take(CHANGED_WEEK_SHOWN)
            .map(|&i| self.view(&site.pages[i], root))
            .collect();
        let least_recent: Vec<PageView> = dated
            .iter()
            .take(LEAST_RECENT_SHOWN)
            .map(|&(_, i)| self.view(&site.pages[i], root))
            .collect();
        ctx.insert("changed_week", &changed_week);
        ctx.insert("changed_week_count", &in_week.len());
        ctx.insert("least_recent", &least_recent);
    }
}
