//! Render: the checked model in, a complete site folder out.
//!
//! Pages are rendered in parallel into a fresh folder beside the output,
//! which is then swapped in, so a reader (or a server) never sees a half
//! written site and a failed build leaves the previous one untouched.

mod alarms;
pub mod live;
mod postmortems;
mod reports;
mod runbook_index;
mod search_page;
mod split;
mod status;
pub mod templates;
mod tree_svg;
mod trees;

use std::collections::{BTreeMap, HashMap};

use std::path::PathBuf;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use rayon::prelude::*;
use serde::Serialize;
use tera::Tera;

use crate::check::stale_days;
use crate::coverage::Coverage;
use crate::highlight;
use crate::links::Target;
use crate::markdown::{self, RenderContext};
use crate::model::{Page, PageKind, output_path, root_prefix};
use crate::output::Staging;
use crate::site::Site;

pub const STYLE_CSS: &str = include_str!("../../static/style.css");
pub const SCRIPT_JS: &str = include_str!("../../static/opswiki.js");
/// The triage walk-through, loaded only by pages that show a tree.
pub const TRIAGE_JS: &str = include_str!("../../static/triage.js");

#[derive(Debug, Clone)]
pub struct RenderOptions {
    pub output: PathBuf,
    pub today: NaiveDate,
    /// The body of `status/live/` when the build took a snapshot of the
    /// live status (`build --live-status`); else a placeholder is written.
    pub live_body: Option<String>,
}

/// What a build wrote.
#[derive(Debug, Clone, Default)]
pub struct BuildStats {
    pub pages: usize,
    pub files: usize,
}

/// A link in the navigation bar.
#[derive(Serialize)]
struct NavItem {
    label: &'static str,
    href: String,
    active: bool,
}

/// One step of the breadcrumbs (Home › Runbooks › folder › page); the
/// last, the page itself, has no link.
#[derive(Serialize)]
struct Crumb {
    label: String,
    href: Option<String>,
}

/// The previous and next page of a page's section, for the links at its foot.
#[derive(Serialize, Default)]
struct Pager {
    /// What the pages are, for the links' name ("runbooks in payments").
    section: String,
    prev: Option<PagerLink>,
    next: Option<PagerLink>,
}

#[derive(Serialize)]
struct PagerLink {
    href: String,
    title: String,
}

#[derive(Serialize)]
struct TocEntry<'a> {
    level: u8,
    text: &'a str,
    anchor: &'a str,
}

/// A page as templates see it.
#[derive(Serialize)]
struct PageView<'a> {
    id: &'a str,
    kind: &'static str,
    title: &'a str,
    href: String,
    severity: Option<&'a str>,
    owner: Option<&'a str>,
    /// `CODEOWNERS` or `OWNERS` when the owner is not written on the page.
    owner_source: Option<&'static str>,
    last_updated: Option<String>,
    /// `page`, `git` or `work tree`: where `last_updated` comes from.
    updated_from: Option<&'static str>,
    /// The date written on the page, when git's is later and shown instead.
    written_updated: Option<String>,
    /// The last change in git, for the footer.
    change: Option<ChangeView<'a>>,
    edit_url: Option<String>,
    history_url: Option<String>,
    date: Option<String>,
    services: &'a [String],
    tags: &'a [String],
    stale_days: Option<i64>,
    tasks_done: usize,
    tasks_total: usize,
    source_path: &'a str,
}

/// A page's last change as templates see it.
#[derive(Serialize)]
struct ChangeView<'a> {
    date: String,
    author: &'a str,
    subject: &'a str,
    short_hash: &'a str,
    hash: &'a str,
    commit_url: Option<String>,
    uncommitted: bool,
    /// From a shallow clone's oldest commit: on or before `date`.
    approximate: bool,
}

pub struct Renderer<'a> {
    site: &'a Site,
    tera: Tera,
    coverage: Coverage,
    triage: trees::TriageIndex,
    today: NaiveDate,
    /// Each page as the search index sees it, left by `body_html`.
    search_pages: crate::search::IndexSink,
    /// The navigation bar: (label, target from the root, section key). The
    /// same for every page, so worked out once rather than per page.
    nav: Vec<(&'static str, &'static str, &'static str)>,
    /// See [`RenderOptions::live_body`].
    live_body: Option<String>,
    /// Which page of the alarm catalogue holds each alarm's row.
    catalogue: std::sync::OnceLock<alarms::CataloguePlan>,
    /// Each page's previous and next page in its section (its kind, in its
    /// folder), by page index.
    siblings: Vec<(Option<usize>, Option<usize>)>,
    /// Page id → index, for the breadcrumbs' folder links.
    ids: std::collections::HashMap<&'a str, usize>,
    /// Per page, (its heading id, the spelling an alarm's runbook link
    /// uses) where the two differ in case: a pager deep link
    /// `#TempoCompactionsFailing` must scroll to `tempocompactionsfailing`,
    /// and a browser matches ids exactly.
    anchor_aliases: HashMap<usize, Vec<(String, String)>>,
    /// Runbook page → the post-mortems that name it among the runbooks
    /// used (indexes into `site.postmortems`, in their order). Worked out
    /// once: a scan of every post-mortem per runbook took a tenth of a
    /// 100,000-runbook build (5,000 post-mortems).
    incidents: HashMap<usize, Vec<usize>>,
    /// Folder (`runbooks/db/`, `` for the top) → the pages a blank index
    /// page of it lists: those in it, and its subfolders' index pages, in
    /// site order. Built on first use: a scan of every page per blank
    /// index page was quadratic on a Hugo site of many folders.
    folders: std::sync::OnceLock<HashMap<String, Vec<usize>>>,
    /// Each page's Markdown, by source index, when the build has moved it
    /// out of the site ([`build_streaming`]): `body_html` takes it, so it is
    /// dropped as soon as its page is rendered. `None`: read from the site.
    taken_texts: Option<Vec<std::sync::Mutex<Option<String>>>>,
}

/// See [`Renderer::folders`].
fn pages_by_folder(site: &Site) -> HashMap<String, Vec<usize>> {
    let mut by_folder: HashMap<String, Vec<usize>> = HashMap::new();
    let parent = |id: &'_ str| id.rfind('/').map_or(0, |at| at + 1);
    for (i, page) in site.pages.iter().enumerate() {
        let id = page.id.as_str();
        by_folder
            .entry(id[..parent(id)].to_string())
            .or_default()
            .push(i);
        // A subfolder's index page is listed in the folder above too.
        if let Some(folder) = id.strip_suffix("/index") {
            by_folder
                .entry(id[..parent(folder)].to_string())
                .or_default()
                .push(i);
        }
    }
    by_folder
}

/// See [`Renderer::incidents`].
fn incidents_by_runbook(site: &Site) -> HashMap<usize, Vec<usize>> {
    let mut by_runbook: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, pm) in site.postmortems.iter().enumerate() {
        for runbook in pm.runbooks.iter().filter_map(|u| u.runbook()) {
            let list = by_runbook.entry(runbook).or_default();
            // A post-mortem that names a runbook twice is listed once.
            if list.last() != Some(&i) {
                list.push(i);
            }
        }
    }
    by_runbook
}

/// See [`Renderer::anchor_aliases`]. Links between pages are written with
/// the target's own id; only alarm links come from outside the wiki as
/// they are.
/// The links are those coverage resolved, one per alarm.
fn anchor_aliases(
    site: &Site,
    links: &[crate::alarms::RunbookLink],
) -> HashMap<usize, Vec<(String, String)>> {
    let mut aliases: HashMap<usize, Vec<(String, String)>> = HashMap::new();
    for link in links {
        let crate::alarms::RunbookLink::Page {
            page,
            anchor: Some(anchor),
        } = link
        else {
            continue;
        };
        let Some(real) = site.pages[*page].scan.real_anchor(&anchor.to_lowercase()) else {
            continue;
        };
        if real != anchor {
            let list = aliases.entry(*page).or_default();
            let pair = (real.to_string(), anchor.clone());
            if !list.contains(&pair) {
                list.push(pair);
            }
        }
    }
    aliases
}

/// Where a generated page goes once rendered: (path in the output, HTML).
type PageEmit<'e> = dyn Fn(String, String) -> Result<()> + Sync + 'e;

/// Stands for the page body while the layout renders; the body is spliced
/// in afterwards, which spares copying every body into a `tera::Context`
/// and through Tera's output (see `render_page`). It holds `<`, so a
/// template that escapes the body does not show the marker as it is.
const BODY_MARKER: &str = "\u{1}<opswiki-body>\u{1}";

/// Stands for the body's leading `<h1>` in layouts that show the title
/// apart from the rest of the body (`{{ title_html | safe }}`, before the
/// page's facts, so a phone shows the title first). A layout without it
/// gets the whole body at [`BODY_MARKER`].
const TITLE_MARKER: &str = "\u{1}<opswiki-title>\u{1}";

/// The body's leading `<h1>…</h1>` and the rest, if it starts with one.
fn split_title(body: &str) -> Option<(&str, &str)> {
    let rest = body.strip_prefix("<h1")?;
    let end = rest.find("</h1>")? + "<h1".len() + "</h1>".len();
    Some(body.split_at(end))
}

/// The path of the site's root on its host: that of `base_url`
/// (`https://host/wiki/` gives `/wiki/`), or `/` without one.
fn site_base_path(base_url: Option<&str>) -> String {
    let path = base_url
        .and_then(|url| url.split_once("://"))
        .and_then(|(_, rest)| rest.find('/').map(|at| &rest[at..]))
        .unwrap_or("/");
    let path = path.split(['?', '#']).next().unwrap_or("/");
    if path.ends_with('/') {
        path.to_string()
    } else {
        format!("{path}/")
    }
}

/// The navigation bar's entries for `site`.
fn nav_entries(site: &Site) -> Vec<(&'static str, &'static str, &'static str)> {
    let mut nav = vec![("Runbooks", "runbooks/index.html", "runbooks")];
    if !site.trees.is_empty() {
        nav.push(("Triage", "trees/index.html", "trees"));
    }
    if !site.alarms.is_empty() {
        nav.push(("Alarms", alarms::CATALOGUE_PATH, "alarms"));
        nav.push(("Coverage", alarms::COVERAGE_PATH, "coverage"));
    }
    let has = |kind| site.pages.iter().any(|p| p.kind == kind);
    if has(PageKind::Postmortem) {
        nav.push(("Post-mortems", "postmortems/index.html", "postmortems"));
    }
    if has(PageKind::Report) {
        nav.push(("Reports", "reports/index.html", "reports"));
    }
    if !site.postmortems.is_empty() {
        nav.push(("Actions", crate::status::ACTIONS_PATH, "actions"));
    }
    nav.push(("Status", crate::status::STATUS_PATH, "status"));
    // The page an on-call engineer needs first when nothing else fits.
    if site.pages.iter().any(|p| p.id == INCIDENT_RESPONSE_ID) {
        nav.insert(
            1,
            (
                "Incident Response",
                INCIDENT_RESPONSE_PATH,
                INCIDENT_RESPONSE_ID,
            ),
        );
    }
    nav
}

/// Home › `trail` (label, target from the root) › `title`, as the
/// template's `crumbs`.
fn set_crumbs(ctx: &mut tera::Context, root: &str, trail: &[(&str, Option<&str>)], title: &str) {
    let mut crumbs = vec![Crumb {
        label: "Home".to_string(),
        href: Some(format!("{root}index.html")),
    }];
    crumbs.extend(trail.iter().map(|(label, target)| Crumb {
        label: label.to_string(),
        href: target.map(|t| format!("{root}{t}")),
    }));
    crumbs.push(Crumb {
        label: title.to_string(),
        href: None,
    });
    ctx.insert("crumbs", &crumbs);
}

/// Each page's previous and next in its section: pages of one kind in one
/// folder, post-mortems and reports in the order of their ids (dated, so
/// oldest first), the others by title. The home page has none.
fn siblings(site: &Site) -> Vec<(Option<usize>, Option<usize>)> {
    let mut out = vec![(None, None); site.pages.len()];
    let mut sections: BTreeMap<(u8, &str), Vec<usize>> = BTreeMap::new();
    for (i, page) in site.pages.iter().enumerate() {
        if page.id == "index" || page.id.ends_with("/index") {
            continue;
        }
        let folder = page.id.rsplit_once('/').map(|(f, _)| f).unwrap_or("");
        sections
            .entry((page.kind as u8, folder))
            .or_default()
            .push(i);
    }
    for list in sections.values_mut() {
        let by_id = matches!(
            site.pages[list[0]].kind,
            PageKind::Postmortem | PageKind::Report
        );
        if by_id {
            list.sort_by(|&a, &b| site.pages[a].id.cmp(&site.pages[b].id));
        } else {
            list.sort_by(|&a, &b| {
                (&site.pages[a].title, &site.pages[a].id)
                    .cmp(&(&site.pages[b].title, &site.pages[b].id))
            });
        }
        for (at, &i) in list.iter().enumerate() {
            out[i] = (
                at.checked_sub(1).map(|p| list[p]),
                list.get(at + 1).copied(),
            );
        }
    }
    out
}

/// A page with this id (content/incident-response.md) gets a place in the
/// navigation bar, right after the runbooks.
const INCIDENT_RESPONSE_ID: &str = "incident-response";
const INCIDENT_RESPONSE_PATH: &str = "incident-response/index.html";

impl<'a> Renderer<'a> {
    /// A renderer from templates and coverage computed earlier: `serve`
    /// keeps them between edits that cannot change them.
    pub(crate) fn with_parts(
        site: &'a Site,
        today: NaiveDate,
        tera: Tera,
        coverage: Coverage,
    ) -> Renderer<'a> {
        let anchor_aliases = anchor_aliases(site, &coverage.links);
        Renderer {
            site,
            tera,
            coverage,
            triage: trees::TriageIndex::new(&site.trees),
            today,
            search_pages: Default::default(),
            nav: nav_entries(site),
            live_body: None,
            anchor_aliases,
            incidents: incidents_by_runbook(site),
            folders: std::sync::OnceLock::new(),
            taken_texts: None,
            catalogue: std::sync::OnceLock::new(),
            siblings: siblings(site),
            ids: site
                .pages
                .iter()
                .enumerate()
                .map(|(i, p)| (p.id.as_str(), i))
                .collect(),
        }
    }

    /// One page (by index), for an incremental rebuild: (output path, HTML).
    pub(crate) fn render_page_at(&self, index: usize) -> Result<(String, String)> {
        self.render_page(index, &self.site.pages[index])
    }

    fn view(&self, page: &'a Page, root: &str) -> PageView<'a> {
        let meta = &page.meta;
        let site = self.site;
        let index = site.index_of(page);
        let updated = index.and_then(|i| site.updated(i));
        let owner = index.and_then(|i| site.owner(i));
        let change = index.and_then(|i| site.change(i)).map(|c| ChangeView {
            date: c.date.to_string(),
            author: &c.author,
            subject: &c.subject,
            short_hash: c.short_hash(),
            hash: &c.hash,
            commit_url: (!c.uncommitted)
                .then(|| site.config.commit_link(&c.hash))
                .flatten(),
            uncommitted: c.uncommitted,
            approximate: c.approximate,
        });
        let (edit_url, history_url) = site.config.source_links(&site.repo_path(page));
        PageView {
            id: &page.id,
            kind: page.kind.name(),
            title: &page.title,
            href: format!("{root}{}", output_path(&page.id)),
            severity: meta.severity.as_ref().map(|f| f.value.as_str()),
            owner: owner.map(|(o, _)| o),
            owner_source: owner.and_then(|(_, source)| source),
            last_updated: updated.map(|u| u.date.to_string()),
            updated_from: updated.map(|u| u.from),
            written_updated: meta
                .last_updated
                .as_ref()
                .filter(|_| updated.is_some_and(|u| u.from != "page"))
                .map(|f| f.value.to_string()),
            change,
            edit_url,
            history_url,
            date: meta.date.as_ref().map(|f| f.value.to_string()),
            services: &meta.services,
            tags: &meta.tags,
            stale_days: match (page.kind, updated) {
                (PageKind::Runbook, Some(updated)) => {
                    stale_days(updated.date, self.today, self.site.config.stale_after_days)
                }
                _ => None,
            },
            tasks_done: page.scan.tasks_done,
            tasks_total: page.scan.tasks_total,
            source_path: &self.site.source(page).display_path,
        }
    }

    fn base_context(&self, out_path: &str, section: &str, title: &str) -> tera::Context {
        let root = root_prefix(out_path);
        let mut ctx = tera::Context::new();
        ctx.insert("site_title", &self.site.config.title);
        ctx.insert("title", title);
        ctx.insert("root", &root);
        let nav: Vec<NavItem> = self
            .nav
            .iter()
            .map(|&(label, target, key)| NavItem {
                label,
                href: format!("{root}{target}"),
                active: section == key,
            })
            .collect();
        ctx.insert("nav", &nav);
        // The day of the build (the date staleness counts from), so a reader
        // can tell how old a printed or saved copy is.
        ctx.insert("build_date", &self.today.to_string());
        // Home › this page; pages further down say more (`set_crumbs`).
        if out_path != "index.html" {
            set_crumbs(&mut ctx, &root, &[], title);
        }
        ctx
    }

    /// The breadcrumbs of a content page: Home, its section, its folders
    /// (a link where the folder has a page of its own), itself.
    fn page_crumbs(&self, page: &Page) -> Vec<(String, Option<String>)> {
        let id = page.id.strip_suffix("/index").unwrap_or(&page.id);
        let segments: Vec<&str> = id.split('/').collect();
        let mut trail = Vec::new();
        for depth in 1..segments.len() {
            let folder = segments[..depth].join("/");
            let section = (depth == 1)
                .then(|| {
                    self.nav
                        .iter()
                        .find(|(_, target, _)| *target == output_path(&folder))
                })
                .flatten();
            let (label, target) = match section {
                Some(&(label, target, _)) => (label.to_string(), Some(target.to_string())),
                None => {
                    let has_page = self.ids.contains_key(folder.as_str())
                        || self.ids.contains_key(format!("{folder}/index").as_str());
                    (
                        segments[depth - 1].to_string(),
                        has_page.then(|| output_path(&folder)),
                    )
                }
            };
            trail.push((label, target));
        }
        trail
    }

    /// The previous and next page of `index` in its section.
    fn pager(&self, index: usize, root: &str) -> Pager {
        let page = &self.site.pages[index];
        let link = |i: usize| PagerLink {
            href: format!("{root}{}", output_path(&self.site.pages[i].id)),
            title: self.site.pages[i].title.clone(),
        };
        let (prev, next) = self.siblings.get(index).copied().unwrap_or_default();
        let folder = page.id.rsplit_once('/').map(|(f, _)| f).unwrap_or("");
        let kind = match page.kind {
            PageKind::Runbook => "runbooks",
            PageKind::Postmortem => "post-mortems",
            PageKind::Report => "reports",
            PageKind::Page => "pages",
        };
        let section = match folder.rsplit('/').next() {
            Some(name) if !name.is_empty() && folder.contains('/') => format!("{kind} in {name}"),
            _ => kind.to_string(),
        };
        Pager {
            section,
            prev: prev.map(link),
            next: next.map(link),
        }
    }

    /// The page's Markdown: taken from [`Renderer::taken_texts`] (once)
    /// when the build moved the texts out of the site, else the site's.
    fn page_text(&self, page: &Page) -> std::borrow::Cow<'a, str> {
        match &self.taken_texts {
            Some(texts) => std::borrow::Cow::Owned(
                texts
                    .get(page.source)
                    .and_then(|t| t.lock().unwrap_or_else(|e| e.into_inner()).take())
                    .unwrap_or_default(),
            ),
            None => std::borrow::Cow::Borrowed(self.site.source(page).text.as_str()),
        }
    }

    /// Render a page's Markdown body with its links made relative.
    pub fn body_html(&self, page: &Page) -> String {
        let file = self.site.source(page);
        let markdown = self.page_text(page);
        let root = root_prefix(&output_path(&page.id));
        let rewrite = |dest: &str| -> Option<String> {
            match self.site.links.resolve(&file.content_path, dest) {
                Ok(Target::Page {
                    page: target,
                    anchor,
                }) => {
                    let target = &self.site.pages[target];
                    Some(format!(
                        "{root}{}{}",
                        output_path(&target.id),
                        anchor
                            .map(|a| format!("#{}", target.id_of_anchor(&a)))
                            .unwrap_or_default()
                    ))
                }
                Ok(Target::Asset { path }) => Some(format!("{root}{path}")),
                // Not in the wiki: the forge's view of it, or the link as
                // written when `repo_url` does not say where that is.
                Ok(Target::RepoFile { path, dir }) => {
                    let fragment = dest.find('#').map_or("", |at| &dest[at..]);
                    let url = self.site.config.repo_file_url(&path, dir)?;
                    Some(format!("{url}{fragment}"))
                }
                Ok(Target::SamePage { anchor }) => Some(format!("#{}", page.id_of_anchor(&anchor))),
                Ok(Target::External) | Err(_) => None,
            }
        };
        // Triage blocks become trees in place, in the order the scan read them.
        let triage_blocks = std::cell::Cell::new(0);
        let fenced = |lang: &str, code: &str| -> Option<String> {
            (lang == "triage").then(|| {
                let n = triage_blocks.get();
                triage_blocks.set(n + 1);
                self.fenced_tree_html(page, n).unwrap_or_else(|| {
                    format!(
                        "<pre class=\"triage-source\"><code>{}</code></pre>\n",
                        highlight::escape_html(code)
                    )
                })
            })
        };
        // The same parse leaves the page's text by section for the search index.
        let mut text = crate::search::enabled().then(markdown::SectionText::new);
        let html = markdown::render_with_text(
            markdown.get(page.body_offset..).unwrap_or_default(),
            &RenderContext {
                headings: &page.scan.headings,
                rewrite_link: &rewrite,
                render_fenced: &fenced,
                sanitize: self.site.config.raw_html == crate::config::RawHtml::Sanitize,
                anchor_aliases: self
                    .site
                    .index_of(page)
                    .and_then(|i| self.anchor_aliases.get(&i))
                    .map(Vec::as_slice)
                    .unwrap_or_default(),
                flavor: self.site.config.flavor,
            },
            text.as_mut(),
        );
        if let Some(text) = text {
            self.search_pages.put(page, text);
        }
        html
    }

    /// A folder index page with nothing written in it (a Hugo `_index.md`
    /// of front matter only) lists the folder's pages, as Hugo's list
    /// pages do.
    fn section_listing(&self, page: &Page, root: &str) -> String {
        let folder = page.id.strip_suffix("index").unwrap_or("");
        let by_folder = self.folders.get_or_init(|| pages_by_folder(self.site));
        let mut children: Vec<&Page> = by_folder
            .get(folder)
            .into_iter()
            .flatten()
            .map(|&i| &self.site.pages[i])
            .filter(|p| p.id != page.id)
            .collect();
        children.sort_by_key(|p| p.title.to_lowercase());
        if children.is_empty() {
            return String::new();
        }
        let mut html = String::from("<ul class=\"section-list\">\n");
        for child in children {
            html.push_str(&format!(
                "<li><a href=\"{root}{}\">{}</a></li>\n",
                highlight::escape_html(&output_path(&child.id)),
                highlight::escape_html(&child.title)
            ));
        }
        html.push_str("</ul>\n");
        html
    }

    fn render_page(&self, index: usize, page: &Page) -> Result<(String, String)> {
        let out_path = output_path(&page.id);
        let section = match page.kind {
            PageKind::Runbook => "runbooks",
            PageKind::Postmortem => "postmortems",
            PageKind::Report => "reports",
            PageKind::Page if page.id == INCIDENT_RESPONSE_ID => INCIDENT_RESPONSE_ID,
            PageKind::Page => "",
        };
        let mut ctx = self.base_context(&out_path, section, &page.title);
        let root = root_prefix(&out_path);
        if page.id != "index" {
            let trail = self.page_crumbs(page);
            let trail: Vec<(&str, Option<&str>)> = trail
                .iter()
                .map(|(label, target)| (label.as_str(), target.as_deref()))
                .collect();
            set_crumbs(&mut ctx, &root, &trail, &page.title);
            ctx.insert("pager", &self.pager(index, &root));
        }
        ctx.insert("page", &self.view(page, &root));
        let mut body = self.body_html(page);
        if self.site.is_blank_index(page) {
            body = format!(
                "<h1>{}</h1>\n{}",
                highlight::escape_html(&page.title),
                self.section_listing(page, &root)
            );
        }
        ctx.insert("content", BODY_MARKER);
        ctx.insert("title_html", TITLE_MARKER);
        let toc: Vec<TocEntry> = page
            .scan
            .headings
            .iter()
            .filter(|h| (2..=3).contains(&h.level))
            .map(|h| TocEntry {
                level: h.level,
                text: &h.text,
                anchor: &h.anchor,
            })
            .collect();
        ctx.insert("toc", &toc);
        if page.kind == PageKind::Runbook {
            ctx.insert("alarms_here", &self.alarms_leading_to(index, &root));
            ctx.insert("triage_paths", &self.triage_paths(page, &root));
            ctx.insert("incidents_here", &self.incidents_using(index, &root));
        }
        let template = match (page.id.as_str(), page.kind) {
            ("index", _) => {
                ctx.insert("home", &self.home_stats(&root));
                "home.html"
            }
            (_, PageKind::Runbook) => "runbook.html",
            (_, PageKind::Postmortem) => {
                ctx.insert("pm", &self.postmortem_view(index, &root));
                "postmortem.html"
            }
            (_, PageKind::Report) => {
                ctx.insert("report", &self.report_view(index, &root));
                "report.html"
            }
            _ => "page.html",
        };
        let render = |ctx: &tera::Context| {
            self.tera
                .render(template, ctx)
                .with_context(|| format!("rendering `{}` with {template}", page.id))
        };
        let layout = render(&ctx)?;
        // The layout shows the body once and unchanged (`{{ content | safe }}`,
        // as the built-in templates do): splice it in. A site's own template
        // may filter or repeat it; then render again with the real body.
        let titled = match (layout.matches(TITLE_MARKER).count(), split_title(&body)) {
            (1, Some((title, rest))) => Some((title, rest)),
            _ => None,
        };
        let html = match layout.split_once(BODY_MARKER) {
            Some((head, tail)) if !tail.contains(BODY_MARKER) => {
                let mut html = String::with_capacity(head.len() + body.len() + tail.len());
                match titled {
                    Some((title, rest)) => {
                        html.push_str(&head.replacen(TITLE_MARKER, title, 1));
                        html.push_str(rest);
                        html.push_str(&tail.replacen(TITLE_MARKER, title, 1));
                    }
                    None => {
                        html.push_str(&head.replace(TITLE_MARKER, ""));
                        html.push_str(&body);
                        html.push_str(&tail.replace(TITLE_MARKER, ""));
                    }
                }
                html
            }
            _ => {
                ctx.insert("content", &body);
                ctx.insert("title_html", "");
                render(&ctx)?
            }
        };
        Ok((out_path, html))
    }

    fn home_stats(&self, root: &str) -> serde_json::Value {
        let runbooks: Vec<&Page> = self
            .site
            .pages_of(PageKind::Runbook)
            .map(|(_, p)| p)
            .collect();
        let mut recent: Vec<&Page> = runbooks.clone();
        recent.sort_by_key(|p| {
            std::cmp::Reverse(
                self.site
                    .index_of(p)
                    .and_then(|i| self.site.updated(i))
                    .map(|u| u.date),
            )
        });
        let stale = runbooks
            .iter()
            .filter(|p| self.view(p, root).stale_days.is_some())
            .count();
        serde_json::json!({
            "runbooks": runbooks.len(),
            "pages": self.site.pages.len(),
            "stale": stale,
            "recent": recent.iter().take(8).map(|p| self.view(p, root)).collect::<Vec<_>>(),
        })
    }

    fn render_list(&self, kind: PageKind, folder: &str, title: &str) -> Result<(String, String)> {
        let out_path = format!("{folder}/index.html");
        let root = root_prefix(&out_path);
        let mut items: Vec<PageView> = self
            .site
            .pages_of(kind)
            .map(|(_, p)| self.view(p, &root))
            .collect();
        items.sort_by(|a, b| b.id.cmp(a.id));
        let mut ctx = self.base_context(&out_path, folder, title);
        ctx.insert("items", &items);
        let html = self
            .tera
            .render("list.html", &ctx)
            .with_context(|| format!("rendering {out_path}"))?;
        Ok((out_path, html))
    }

    fn render_404(&self) -> Result<(String, String)> {
        // The 404 page is served for any depth: its links must be absolute
        // from the server root, which is unknown, so it links home relatively
        // and relies on the server to serve it at the root.
        let mut ctx = self.base_context("404.html", "", "Page not found");
        ctx.insert(
            "base_path",
            &site_base_path(self.site.config.base_url.as_deref()),
        );
        let html = self
            .tera
            .render("404.html", &ctx)
            .context("rendering 404.html")?;
        Ok(("404.html".into(), html))
    }

    /// Every generated file of the site: (path in output, contents).
    pub fn render_all(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let files = std::sync::Mutex::new(Vec::new());
        self.render_each(&|path, bytes| {
            files
                .lock()
                .map_err(|_| anyhow::anyhow!("a render thread panicked"))?
                .push((path.to_string(), bytes.to_vec()));
            Ok(())
        })?;
        files
            .into_inner()
            .map_err(|_| anyhow::anyhow!("a render thread panicked"))
    }

    /// Render every file of the site, handing each to `emit` as soon as it
    /// is ready (in parallel), so a build never holds the whole site in
    /// memory and writing overlaps rendering. Returns the number of files.
    pub fn render_each(&self, emit: &(dyn Fn(&str, &[u8]) -> Result<()> + Sync)) -> Result<usize> {
        // Generated pages render beside the pages, and the search index is
        // finished after both: it needs every page indexed (each is, as it
        // renders), and merging it while the large generated pages (the
        // alarm catalogue) were in memory made the build's peak memory
        // higher than either alone.
        let (pages, generated) = rayon::join(
            || {
                self.site
                    .pages
                    .par_iter()
                    .enumerate()
                    .try_for_each(|(i, page)| {
                        if self.site.defers_to_generated(page) {
                            return Ok(());
                        }
                        let (path, html) = self.render_page(i, page)?;
                        emit(&path, html.as_bytes())
                    })
            },
            || self.render_generated_pages(emit),
        );
        pages?;
        let generated = generated?;
        let search = crate::search::write(
            self.site,
            &self.search_pages,
            &self.coverage.links,
            &|name| self.catalogue_plan().page_of(name),
            emit,
        )?;
        Ok(self.site.pages.len() + generated + search)
    }

    /// Every file but the pages themselves: indexes, catalogue, coverage,
    /// trees, status, home, our static files, the search index. `serve`
    /// calls it alone after an edit, so every generated file belongs here.
    pub(crate) fn render_generated(
        &self,
        emit: &(dyn Fn(&str, &[u8]) -> Result<()> + Sync),
    ) -> Result<usize> {
        // The search index (from the pages `body_html` indexed) builds
        // beside the generated pages, which render mostly on one thread.
        let (search, pages) = rayon::join(
            || {
                crate::search::write(
                    self.site,
                    &self.search_pages,
                    &self.coverage.links,
                    &|name| self.catalogue_plan().page_of(name),
                    emit,
                )
            },
            || self.render_generated_pages(emit),
        );
        Ok(search? + pages?)
    }

    /// Hugo's `aliases`: each old URL gets a page that sends the reader on
    /// to the page (as Hugo writes them), so bookmarks and old pager links
    /// keep working. Relative, so it works from disk too.
    fn render_alias_redirects(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for page in &self.site.pages {
            for alias in &page.aliases {
                let key = crate::links::normalize(alias);
                if key == "index" || key.contains("..") {
                    continue;
                }
                let path = output_path(&key);
                let target = format!("{}{}", root_prefix(&path), output_path(&page.id));
                let target = highlight::escape_html(&target);
                let title = highlight::escape_html(&page.title);
                out.push((
                    path,
                    format!(
                        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
                         <link rel=\"canonical\" href=\"{target}\"><meta name=\"robots\" content=\"noindex\">\
                         <meta http-equiv=\"refresh\" content=\"0; url={target}\"></head>\
                         <body><p>This page has moved to <a href=\"{target}\">{title}</a>.</p></body></html>\n"
                    ),
                ));
            }
        }
        out
    }

    fn render_generated_pages(
        &self,
        emit: &(dyn Fn(&str, &[u8]) -> Result<()> + Sync),
    ) -> Result<usize> {
        let taken: std::collections::HashSet<String> = self
            .site
            .pages
            .iter()
            .filter(|p| !self.site.defers_to_generated(p))
            .map(|p| output_path(&p.id))
            .collect();
        let has_kind = |kind| self.site.pages.iter().any(|p| p.kind == kind);
        // Each job renders one or more generated pages and hands each to
        // `emit_page` as soon as it is ready. They are independent and some
        // (the alarm catalogue, the status page) are large, so they render
        // in parallel rather than one after another on one thread.
        type Job<'j> = Box<dyn Fn(&PageEmit) -> Result<()> + Send + Sync + 'j>;
        let one = |page: Result<(String, String)>, emit_page: &PageEmit| {
            let (path, html) = page?;
            emit_page(path, html)
        };
        let all = |pages: Result<Vec<(String, String)>>, emit_page: &PageEmit| {
            pages?
                .into_iter()
                .try_for_each(|(path, html)| emit_page(path, html))
        };
        let mut jobs: Vec<Job> = vec![
            Box::new(|e| all(self.render_runbook_index(), e)),
            Box::new(|e| one(self.render_404(), e)),
            Box::new(|e| all(self.render_trees(), e)),
            Box::new(|e| one(self.render_search_page(), e)),
            Box::new(|e| one(self.render_status(), e)),
        ];
        if self.site.config.status.is_some() {
            jobs.push(Box::new(|e| one(self.render_live(), e)));
        }
        if !self.site.alarms.is_empty() {
            // The largest: written part by part (184 MB at 100,000 runbooks).
            jobs.push(Box::new(|e| self.render_catalogue(e)));
            jobs.push(Box::new(|e| one(self.render_coverage(), e)));
        }
        if has_kind(PageKind::Postmortem) {
            jobs.push(Box::new(|e| {
                one(
                    self.render_list(PageKind::Postmortem, "postmortems", "Post-mortems"),
                    e,
                )
            }));
        }
        if has_kind(PageKind::Report) {
            jobs.push(Box::new(|e| one(self.render_reports_index(), e)));
        }
        if !self.site.postmortems.is_empty() {
            jobs.push(Box::new(|e| all(self.render_actions(), e)));
        }
        if self.site.pages.iter().any(|p| !p.aliases.is_empty()) {
            jobs.push(Box::new(|e| all(Ok(self.render_alias_redirects()), e)));
        }
        if !taken.contains("index.html") {
            jobs.push(Box::new(|e| {
                let mut ctx = self.base_context("index.html", "", &self.site.config.title);
                ctx.insert("home", &self.home_stats(""));
                ctx.insert("content", "");
                ctx.insert("toc", &Vec::<TocEntry>::new());
                e("index.html".into(), self.tera.render("home.html", &ctx)?)
            }));
        }
        let count = std::sync::atomic::AtomicUsize::new(0);
        let emit_page = |path: String, html: String| {
            // A page the author wrote wins over a generated page at the same path.
            if taken.contains(&path) {
                return Ok(());
            }
            count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            emit(&path, html.as_bytes())
        };
        jobs.par_iter().try_for_each(|job| job(&emit_page))?;
        let count = count.into_inner();
        let statics: [(&str, Vec<u8>); 4] = [
            ("static/style.css", STYLE_CSS.as_bytes().to_vec()),
            ("static/opswiki.js", SCRIPT_JS.as_bytes().to_vec()),
            ("static/triage.js", TRIAGE_JS.as_bytes().to_vec()),
            ("static/highlight.css", highlight::stylesheet().into_bytes()),
        ];
        for (path, bytes) in &statics {
            emit(path, bytes)?;
        }
        Ok(count + statics.len())
    }
}

/// Render the site into `options.output`, atomically.
pub fn build(site: &Site, options: &RenderOptions) -> Result<BuildStats> {
    let tera =
        templates::compile(site).map_err(|d| anyhow::anyhow!("{}: {}", d.span.file, d.message))?;
    build_with(site, options, tera)
}

/// [`build`] with templates compiled already (by the checks).
pub fn build_with(site: &Site, options: &RenderOptions, tera: Tera) -> Result<BuildStats> {
    build_rendering(site, options, tera, None)
}

/// [`build_with`] for a build done with the site once it is written: each
/// page's Markdown is moved out of `site` (its line index dropped) and
/// dropped as soon as the page is rendered, so the build never holds every
/// source until the end (at 100,000 runbooks the texts and line indexes are
/// about 1 GB). Afterwards the site's page texts are empty, and so are the
/// pages' front matter, links, tables and code blocks.
pub fn build_streaming(site: &mut Site, options: &RenderOptions, tera: Tera) -> Result<BuildStats> {
    let mut texts: Vec<std::sync::Mutex<Option<String>>> =
        site.sources.iter().map(|_| Default::default()).collect();
    for page in &site.pages {
        // A page that a generated page stands for is not rendered: the
        // search index reads its (blank) text from the site.
        if !site.defers_to_generated(page) {
            texts[page.source] = std::sync::Mutex::new(Some(site.sources[page.source].take_text()));
        }
    }
    // What only the checks and the parse across pages read (post-mortems
    // and reports are read from the front matter at parse time): freed
    // before the render, which reuses the memory.
    for page in &mut site.pages {
        page.front = None;
        page.scan.links = Vec::new();
        page.scan.tables = Vec::new();
        page.scan.fenced = Vec::new();
    }
    build_rendering(site, options, tera, Some(texts))
}

fn build_rendering(
    site: &Site,
    options: &RenderOptions,
    tera: Tera,
    taken_texts: Option<Vec<std::sync::Mutex<Option<String>>>>,
) -> Result<BuildStats> {
    let timer = crate::timing::StageTimer::from_env();
    let mut renderer = Renderer::with_parts(site, options.today, tera, Coverage::of(site));
    renderer.live_body = options.live_body.clone();
    renderer.taken_texts = taken_texts;
    let staging = Staging::begin(&options.output)?;
    let files = renderer.render_each(&|path, bytes| staging.write(path, bytes))?;
    timer.mark("render+write");
    copy_sources(site, &staging)?;
    staging.commit()?;
    timer.mark("swap");
    Ok(BuildStats {
        pages: site.pages.len(),
        files: files + site.assets.len() + site.static_files.len(),
    })
}

/// Copy what is copied unchanged: content assets, then the site's static
/// files (which override ours).
fn copy_sources(site: &Site, staging: &Staging) -> Result<()> {
    site.assets
        .par_iter()
        .try_for_each(|(rel, abs)| staging.copy(rel, abs))?;
    site.static_files
        .par_iter()
        .try_for_each(|(rel, abs)| staging.copy(&format!("static/{rel}"), abs))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_404_page_takes_its_root_from_base_url() {
        assert_eq!(site_base_path(None), "/");
        assert_eq!(site_base_path(Some("https://wiki.example.com/")), "/");
        assert_eq!(site_base_path(Some("https://wiki.example.com")), "/");
        assert_eq!(
            site_base_path(Some("https://h.example.com/ops/wiki/")),
            "/ops/wiki/"
        );
        assert_eq!(site_base_path(Some("https://h.example.com/ops")), "/ops/");
    }

    #[test]
    fn the_leading_title_is_split_from_the_body() {
        assert_eq!(
            split_title("<h1 id=\"t\">T</h1>\n<p>x</p>"),
            Some(("<h1 id=\"t\">T</h1>", "\n<p>x</p>"))
        );
        assert_eq!(split_title("<p>x</p><h1>T</h1>"), None);
    }
}
