//! The status page: the health summary of `opswiki status`, in the wiki.

use anyhow::{Context, Result};
use serde::Serialize;

use super::Renderer;
use crate::model::root_prefix;
use crate::status::{self, Health, Item, Link, STATUS_PATH};

#[derive(Serialize)]
struct LinkView {
    label: String,
    href: String,
}

#[derive(Serialize)]
struct DetailView {
    text: String,
    link: Option<LinkView>,
}

#[derive(Serialize)]
struct ItemView {
    rule: &'static str,
    health: &'static str,
    class: &'static str,
    title: String,
    evidence: String,
    link: Option<LinkView>,
    details: Vec<DetailView>,
}

fn link_view(link: &Link, root: &str) -> LinkView {
    LinkView {
        label: link.label.clone(),
        href: format!("{root}{}", link.path),
    }
}

fn item_view(item: &Item, root: &str) -> ItemView {
    ItemView {
        rule: item.rule,
        health: item.health.name(),
        class: item.health.class(),
        title: item.title.clone(),
        evidence: item.evidence.clone(),
        link: item.link.as_ref().map(|l| link_view(l, root)),
        details: item
            .details
            .iter()
            .map(|d| DetailView {
                text: d.text.clone(),
                link: d.link.as_ref().map(|l| link_view(l, root)),
            })
            .collect(),
    }
}

impl Renderer<'_> {
    pub(super) fn render_status(&self) -> Result<(String, String)> {
        let root = root_prefix(STATUS_PATH);
        let summary = status::compute(self.site, self.today);
        let attention: Vec<ItemView> = summary.attention().map(|i| item_view(i, &root)).collect();
        let healthy: Vec<ItemView> = summary.healthy().map(|i| item_view(i, &root)).collect();
        let services: Vec<serde_json::Value> = summary
            .services
            .iter()
            .map(|s| {
                serde_json::json!({
                    "name": s.name,
                    "health": s.health.name(),
                    "class": s.health.class(),
                    "summary": s.summary,
                })
            })
            .collect();
        let mut ctx = self.base_context(STATUS_PATH, "status", "Production status");
        ctx.insert("overall", summary.overall.name());
        ctx.insert("overall_class", summary.overall.class());
        ctx.insert("attention", &attention);
        ctx.insert("healthy", &healthy);
        ctx.insert("services", &services);
        ctx.insert("today", &summary.today.to_string());
        ctx.insert(
            "latest",
            &summary.latest_report.as_ref().map(|l| {
                serde_json::json!({
                    "week_of": l.week_of.to_string(),
                    "href": format!("{root}{}", l.link.path),
                })
            }),
        );
        ctx.insert(
            "window",
            &summary
                .window
                .iter()
                .map(|w| w.to_string())
                .collect::<Vec<_>>(),
        );
        ctx.insert("unhealthy", &(summary.overall == Health::Unhealthy));
        ctx.insert("has_live", &self.site.config.status.is_some());
        ctx.insert(
            "count",
            &self.site.pages_of(crate::model::PageKind::Runbook).count(),
        );
        self.insert_date_views(&mut ctx, &root);
        let html = self
            .tera
            .render("status.html", &ctx)
            .context("rendering the status page")?;
        Ok((STATUS_PATH.to_string(), html))
    }
}
