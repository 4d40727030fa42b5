//! Post-mortem pages (summary card, runbooks used, timeline), "Incidents
//! that used this runbook" on runbook pages, and the action items of every
//! post-mortem on one page.

use std::collections::BTreeSet;

use anyhow::{Context, Result};
use serde::Serialize;

use super::Renderer;
use super::split::{self, PartLink, PartNav};
use crate::model::{output_path, root_prefix};
use crate::postmortem::{ActionItem, Deadline, Postmortem, RunbookTarget};
use crate::status::ACTIONS_PATH;

/// The markup of one row of the action items around its fields.
const ACTION_ROW_MARKUP: usize = 400;

#[derive(Serialize)]
struct RunbookUseView {
    written: String,
    title: Option<String>,
    href: Option<String>,
    severity: Option<String>,
    /// ok, unknown, not-runbook, external
    state: &'static str,
}

#[derive(Serialize)]
struct TimelineView<'a> {
    time: &'a str,
    event: &'a str,
    /// `+1:08` from the first row.
    offset: Option<String>,
}

#[derive(Serialize)]
struct ActionCounts {
    total: usize,
    done: usize,
    open: usize,
    overdue: usize,
}

#[derive(Serialize)]
pub(super) struct PostmortemView<'a> {
    date: Option<String>,
    severity: Option<&'a str>,
    duration: Option<&'a str>,
    impact: Option<&'a str>,
    detection: Option<&'a str>,
    resolution: Option<&'a str>,
    runbooks: Vec<RunbookUseView>,
    timeline: Vec<TimelineView<'a>>,
    /// Time from the first to the last timeline row, e.g. `2 h 44 min`.
    timeline_span: Option<String>,
    actions: ActionCounts,
    actions_href: String,
}

/// One incident on a runbook page.
#[derive(Serialize)]
pub(super) struct IncidentView {
    title: String,
    href: String,
    date: Option<String>,
    severity: Option<String>,
}

/// One row of the action items page.
#[derive(Serialize)]
struct ActionView<'a> {
    text: &'a str,
    owner: Option<&'a str>,
    deadline: Option<String>,
    deadline_invalid: Option<&'a str>,
    status: &'a str,
    /// done, open or overdue
    state: &'static str,
    overdue_days: Option<i64>,
    postmortem_title: &'a str,
    /// The post-mortem's file name, for the `?postmortem=` filter.
    postmortem_key: &'a str,
    postmortem_href: String,
    postmortem_date: Option<String>,
    severity: Option<&'a str>,
    line: u32,
}

fn duration_label(minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

impl<'a> Renderer<'a> {
    fn postmortem_of(&self, page: usize) -> Option<&'a Postmortem> {
        self.site.postmortems.iter().find(|pm| pm.page == page)
    }

    fn counts(&self, actions: &[ActionItem]) -> ActionCounts {
        let done = actions.iter().filter(|a| a.is_done()).count();
        ActionCounts {
            total: actions.len(),
            done,
            open: actions.len() - done,
            overdue: actions
                .iter()
                .filter(|a| a.overdue_days(self.today).is_some())
                .count(),
        }
    }

    /// The summary card, runbooks and timeline of a post-mortem page.
    pub(super) fn postmortem_view(&self, page: usize, root: &str) -> Option<PostmortemView<'a>> {
        let pm = self.postmortem_of(page)?;
        let site = self.site;
        let runbooks = pm
            .runbooks
            .iter()
            .map(|u| {
                let (state, target) = match &u.target {
                    RunbookTarget::Runbook { page, anchor } => (
                        "ok",
                        Some((
                            *page,
                            anchor
                                .as_ref()
                                .map(|a| format!("#{}", a.to_lowercase()))
                                .unwrap_or_default(),
                        )),
                    ),
                    RunbookTarget::NotRunbook { page } => {
                        ("not-runbook", Some((*page, String::new())))
                    }
                    RunbookTarget::External => ("external", None),
                    RunbookTarget::Unknown => ("unknown", None),
                };
                let target_page = target.as_ref().map(|(p, _)| &site.pages[*p]);
                RunbookUseView {
                    written: u.written.clone(),
                    title: target_page.map(|p| p.title.clone()),
                    href: match (&target, &u.target) {
                        (Some((p, anchor)), _) => {
                            Some(format!("{root}{}{anchor}", output_path(&site.pages[*p].id)))
                        }
                        (None, RunbookTarget::External) => crate::markdown::safe_href(&u.written),
                        _ => None,
                    },
                    severity: target_page
                        .and_then(|p| p.meta.severity.as_ref())
                        .map(|s| s.value.clone()),
                    state,
                }
            })
            .collect();
        let timeline: Vec<TimelineView> = pm
            .timeline
            .iter()
            .map(|t| TimelineView {
                time: &t.time,
                event: &t.event,
                offset: t
                    .offset_minutes
                    .map(|m| format!("+{}:{:02}", m / 60, m % 60)),
            })
            .collect();
        let timeline_span = pm
            .timeline
            .iter()
            .filter_map(|t| t.offset_minutes)
            .max()
            .filter(|m| *m > 0)
            .map(duration_label);
        Some(PostmortemView {
            date: pm.date.map(|d| d.to_string()),
            severity: pm.severity.as_deref(),
            duration: pm.duration.as_deref(),
            impact: pm.impact.as_deref(),
            detection: pm.detection.as_deref(),
            resolution: pm.resolution.as_deref(),
            runbooks,
            timeline,
            timeline_span,
            actions: self.counts(&pm.actions),
            actions_href: format!(
                "{root}{ACTIONS_PATH}?postmortem={}",
                site.pages[page].id.rsplit('/').next().unwrap_or("")
            ),
        })
    }

    /// Post-mortems that name a runbook page among the runbooks used,
    /// newest first.
    pub(super) fn incidents_using(&self, runbook: usize, root: &str) -> Vec<IncidentView> {
        let mut list: Vec<&Postmortem> = self
            .incidents
            .get(&runbook)
            .map(|list| list.iter().map(|&i| &self.site.postmortems[i]).collect())
            .unwrap_or_default();
        list.sort_by_key(|pm| std::cmp::Reverse(pm.date));
        list.into_iter()
            .map(|pm| {
                let page = &self.site.pages[pm.page];
                IncidentView {
                    title: page.title.clone(),
                    href: format!("{root}{}", output_path(&page.id)),
                    date: pm.date.map(|d| d.to_string()),
                    severity: pm.severity.clone(),
                }
            })
            .collect()
    }

    /// Every action item of every post-mortem, filterable by owner and
    /// status: one page, or (when the rows are too many for one) parts in
    /// the same order, the most urgent on `actions/index.html`.
    pub(super) fn render_actions(&self) -> Result<Vec<(String, String)>> {
        let root = root_prefix(ACTIONS_PATH);
        let mut rows: Vec<ActionView> = Vec::new();
        let mut owners = BTreeSet::new();
        let mut postmortems: Vec<(&str, &str)> = Vec::new();
        for pm in &self.site.postmortems {
            let page = &self.site.pages[pm.page];
            let key = page.id.rsplit('/').next().unwrap_or("");
            postmortems.push((key, page.title.as_str()));
            for item in &pm.actions {
                if let Some(o) = &item.owner {
                    owners.insert(o.as_str());
                }
                let overdue_days = item.overdue_days(self.today);
                rows.push(ActionView {
                    text: &item.text,
                    owner: item.owner.as_deref(),
                    deadline: match item.deadline {
                        Deadline::Date(d) => Some(d.to_string()),
                        _ => None,
                    },
                    deadline_invalid: match &item.deadline {
                        Deadline::Invalid(t) => Some(t.as_str()),
                        _ => None,
                    },
                    status: &item.status,
                    state: if item.is_done() {
                        "done"
                    } else if overdue_days.is_some() {
                        "overdue"
                    } else {
                        "open"
                    },
                    overdue_days,
                    postmortem_title: &page.title,
                    postmortem_key: key,
                    postmortem_href: format!("{root}{}", output_path(&page.id)),
                    postmortem_date: pm.date.map(|d| d.to_string()),
                    severity: pm.severity.as_deref(),
                    line: item.row.line,
                });
            }
        }
        // Overdue first (most overdue on top), then open by deadline, then done.
        rows.sort_by(|a, b| {
            let rank = |r: &ActionView| match r.state {
                "overdue" => 0,
                "open" => 1,
                _ => 2,
            };
            (rank(a), std::cmp::Reverse(a.overdue_days), &a.deadline).cmp(&(
                rank(b),
                std::cmp::Reverse(b.overdue_days),
                &b.deadline,
            ))
        });
        let count = |state: &str| rows.iter().filter(|r| r.state == state).count();
        let counts = [count("overdue"), count("open"), count("done")];
        let parts = split::cut(
            rows.iter()
                .map(|r| split::escaped_len(r) + ACTION_ROW_MARKUP),
            split::PART_BUDGET,
        );
        let file = |p: usize| match p {
            0 => "index.html".to_string(),
            _ => format!("part-{}.html", p + 1),
        };
        let links: Vec<PartLink> = parts
            .iter()
            .enumerate()
            .map(|(p, range)| {
                let mut states: Vec<&str> = rows[range.clone()].iter().map(|r| r.state).collect();
                states.dedup();
                PartLink {
                    href: file(p),
                    number: p + 1,
                    label: states.join(", "),
                    current: false,
                }
            })
            .collect();
        let mut files = Vec::new();
        for (p, range) in parts.iter().enumerate() {
            let path = format!("actions/{}", file(p));
            let nav = (parts.len() > 1).then(|| PartNav::of(&links, p, "index.html".into()));
            let title = match &nav {
                Some(nav) if nav.number > 1 => {
                    format!("Action items, part {} of {}", nav.number, nav.count)
                }
                _ => "Action items".to_string(),
            };
            let mut ctx = self.base_context(&path, "actions", &title);
            if let Some(nav) = nav.as_ref().filter(|nav| nav.number > 1) {
                let root = root_prefix(&path);
                super::set_crumbs(
                    &mut ctx,
                    &root,
                    &[("Action items", Some(ACTIONS_PATH))],
                    &format!("Part {}", nav.number),
                );
            }
            ctx.insert("overdue_count", &counts[0]);
            ctx.insert("open_count", &counts[1]);
            ctx.insert("done_count", &counts[2]);
            let here = &rows[range.clone()];
            // The post-mortem menu lists those of this part (at 100,000
            // runbooks all of them would weigh 300 kB on every part).
            let keys: BTreeSet<&str> = here.iter().map(|r| r.postmortem_key).collect();
            let menu: Vec<&(&str, &str)> = postmortems
                .iter()
                .filter(|(key, _)| nav.is_none() || keys.contains(key))
                .collect();
            ctx.insert("rows", here);
            ctx.insert("owners", &owners);
            ctx.insert("postmortems", &menu);
            ctx.insert("today", &self.today.to_string());
            ctx.insert("part", &nav);
            ctx.insert("parts", &links);
            let html = self
                .tera
                .render("actions.html", &ctx)
                .with_context(|| format!("rendering the action items ({path})"))?;
            files.push((path, html));
        }
        if files.is_empty() {
            // No rows: the page still says so.
            let mut ctx = self.base_context(ACTIONS_PATH, "actions", "Action items");
            ctx.insert("overdue_count", &0);
            ctx.insert("open_count", &0);
            ctx.insert("done_count", &0);
            ctx.insert("rows", &rows);
            ctx.insert("owners", &owners);
            ctx.insert("postmortems", &postmortems);
            ctx.insert("today", &self.today.to_string());
            ctx.insert("part", &None::<PartNav>);
            let html = self
                .tera
                .render("actions.html", &ctx)
                .context("rendering the action items page")?;
            files.push((ACTIONS_PATH.to_string(), html));
        }
        Ok(files)
    }
}
