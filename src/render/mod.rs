//! Render: the checked model in, a complete site folder out.
//!
//! Pages are rendered in parallel into a fresh folder beside the output,
//! which is then swapped in, so a reader (or a server) never sees a half
//! written site and a failed build leaves the previous one untouched.

mod alarms;
pub mod templates;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

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
use crate::site::Site;

pub const STYLE_CSS: &str = include_str!("../../static/style.css");
pub const SCRIPT_JS: &str = include_str!("../../static/opswiki.js");

#[derive(Debug, Clone)]
pub struct RenderOptions {
    pub output: PathBuf,
    pub today: NaiveDate,
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
    last_updated: Option<String>,
    date: Option<String>,
    services: &'a [String],
    tags: &'a [String],
    stale_days: Option<i64>,
    tasks_done: usize,
    tasks_total: usize,
    source_path: &'a str,
}

pub struct Renderer<'a> {
    site: &'a Site,
    tera: Tera,
    coverage: Coverage,
    today: NaiveDate,
}

impl<'a> Renderer<'a> {
    pub fn new(site: &'a Site, today: NaiveDate) -> Result<Renderer<'a>> {
        let tera = templates::compile(site)
            .map_err(|d| anyhow::anyhow!("{}: {}", d.span.file, d.message))?;
        Ok(Renderer {
            site,
            tera,
            coverage: Coverage::of(site),
            today,
        })
    }

    fn view(&self, page: &'a Page, root: &str) -> PageView<'a> {
        let meta = &page.meta;
        PageView {
            id: &page.id,
            kind: page.kind.name(),
            title: &page.title,
            href: format!("{root}{}", output_path(&page.id)),
            severity: meta.severity.as_ref().map(|f| f.value.as_str()),
            owner: meta.owner.as_ref().map(|f| f.value.as_str()),
            last_updated: meta.last_updated.as_ref().map(|f| f.value.to_string()),
            date: meta.date.as_ref().map(|f| f.value.to_string()),
            services: &meta.services,
            tags: &meta.tags,
            stale_days: match (page.kind, &meta.last_updated) {
                (PageKind::Runbook, Some(updated)) => {
                    stale_days(updated.value, self.today, self.site.config.stale_after_days)
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
        let nav_item = |label, target: &str, key: &str| NavItem {
            label,
            href: format!("{root}{target}"),
            active: section == key,
        };
        let mut nav = vec![nav_item("Runbooks", "runbooks/index.html", "runbooks")];
        if !self.site.alarms.is_empty() {
            nav.push(nav_item("Alarms", alarms::CATALOGUE_PATH, "alarms"));
            nav.push(nav_item("Coverage", alarms::COVERAGE_PATH, "coverage"));
        }
        for (kind, label, target, key) in [
            (
                PageKind::Postmortem,
                "Post-mortems",
                "postmortems/index.html",
                "postmortems",
            ),
            (PageKind::Report, "Reports", "reports/index.html", "reports"),
        ] {
            if self.site.pages_of(kind).next().is_some() {
                nav.push(nav_item(label, target, key));
            }
        }
        ctx.insert("nav", &nav);
        ctx
    }

    /// Render a page's Markdown body with its links made relative.
    pub fn body_html(&self, page: &Page) -> String {
        let file = self.site.source(page);
        let root = root_prefix(&output_path(&page.id));
        let rewrite = |dest: &str| -> Option<String> {
            match self.site.links.resolve(&file.content_path, dest) {
                Ok(Target::Page { page, anchor }) => Some(format!(
                    "{root}{}{}",
                    output_path(&self.site.pages[page].id),
                    anchor
                        .map(|a| format!("#{}", a.to_lowercase()))
                        .unwrap_or_default()
                )),
                Ok(Target::Asset { path }) => Some(format!("{root}{path}")),
                Ok(Target::SamePage { anchor }) => Some(format!("#{}", anchor.to_lowercase())),
                Ok(Target::External) | Err(_) => None,
            }
        };
        let fenced = |lang: &str, code: &str| -> Option<String> {
            (lang == "triage").then(|| {
                format!(
                    "<pre class=\"triage-source\"><code>{}</code></pre>\n",
                    highlight::escape_html(code)
                )
            })
        };
        markdown::render(
            &file.text[page.body_offset..],
            &RenderContext {
                headings: &page.scan.headings,
                rewrite_link: &rewrite,
                render_fenced: &fenced,
            },
        )
    }

    fn render_page(&self, index: usize, page: &Page) -> Result<(String, String)> {
        let out_path = output_path(&page.id);
        let section = match page.kind {
            PageKind::Runbook => "runbooks",
            PageKind::Postmortem => "postmortems",
            PageKind::Report => "reports",
            PageKind::Page => "",
        };
        let mut ctx = self.base_context(&out_path, section, &page.title);
        let root = root_prefix(&out_path);
        ctx.insert("page", &self.view(page, &root));
        ctx.insert("content", &self.body_html(page));
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
        }
        let template = match (page.id.as_str(), page.kind) {
            ("index", _) => {
                ctx.insert("home", &self.home_stats(&root));
                "home.html"
            }
            (_, PageKind::Runbook) => "runbook.html",
            _ => "page.html",
        };
        let html = self
            .tera
            .render(template, &ctx)
            .with_context(|| format!("rendering `{}` with {template}", page.id))?;
        Ok((out_path, html))
    }

    fn home_stats(&self, root: &str) -> serde_json::Value {
        let runbooks: Vec<&Page> = self
            .site
            .pages_of(PageKind::Runbook)
            .map(|(_, p)| p)
            .collect();
        let mut recent: Vec<&Page> = runbooks.clone();
        recent.sort_by_key(|p| std::cmp::Reverse(p.meta.last_updated.as_ref().map(|f| f.value)));
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

    /// The runbook index, grouped by service (a runbook with several services
    /// appears under each; one with none under "Other").
    fn render_runbook_index(&self) -> Result<(String, String)> {
        let out_path = "runbooks/index.html".to_string();
        let root = root_prefix(&out_path);
        let mut groups: BTreeMap<String, Vec<PageView>> = BTreeMap::new();
        for (_, page) in self.site.pages_of(PageKind::Runbook) {
            let services = if page.meta.services.is_empty() {
                vec!["Other".to_string()]
            } else {
                page.meta.services.clone()
            };
            for service in services {
                groups
                    .entry(service)
                    .or_default()
                    .push(self.view(page, &root));
            }
        }
        for list in groups.values_mut() {
            list.sort_by(|a, b| (a.severity, a.title).cmp(&(b.severity, b.title)));
        }
        let groups: Vec<serde_json::Value> = groups
            .into_iter()
            .map(
                |(service, runbooks)| serde_json::json!({"service": service, "runbooks": runbooks}),
            )
            .collect();
        let mut ctx = self.base_context(&out_path, "runbooks", "Runbooks");
        ctx.insert("groups", &groups);
        ctx.insert("count", &self.site.pages_of(PageKind::Runbook).count());
        let html = self
            .tera
            .render("runbooks.html", &ctx)
            .context("rendering the runbook index")?;
        Ok((out_path, html))
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
        let ctx = self.base_context("404.html", "", "Page not found");
        let html = self
            .tera
            .render("404.html", &ctx)
            .context("rendering 404.html")?;
        Ok(("404.html".into(), html))
    }

    /// Every generated file of the site: (path in output, contents).
    pub fn render_all(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let mut files: Vec<(String, Vec<u8>)> = self
            .site
            .pages
            .par_iter()
            .enumerate()
            .map(|(i, page)| self.render_page(i, page).map(|(p, h)| (p, h.into_bytes())))
            .collect::<Result<_>>()?;
        let taken: std::collections::HashSet<String> =
            files.iter().map(|(p, _)| p.clone()).collect();
        let mut generated = vec![self.render_runbook_index()?, self.render_404()?];
        if !self.site.alarms.is_empty() {
            generated.push(self.render_catalogue()?);
            generated.push(self.render_coverage()?);
        }
        if self.site.pages_of(PageKind::Postmortem).next().is_some() {
            generated.push(self.render_list(
                PageKind::Postmortem,
                "postmortems",
                "Post-mortems",
            )?);
        }
        if self.site.pages_of(PageKind::Report).next().is_some() {
            generated.push(self.render_list(PageKind::Report, "reports", "Weekly ops reports")?);
        }
        if !taken.contains("index.html") {
            let mut ctx = self.base_context("index.html", "", &self.site.config.title);
            ctx.insert("home", &self.home_stats(""));
            ctx.insert("content", "");
            ctx.insert("toc", &Vec::<TocEntry>::new());
            generated.push(("index.html".into(), self.tera.render("home.html", &ctx)?));
        }
        // A page the author wrote wins over a generated page at the same path.
        files.extend(
            generated
                .into_iter()
                .filter(|(p, _)| !taken.contains(p))
                .map(|(p, h)| (p, h.into_bytes())),
        );
        files.push(("static/style.css".into(), STYLE_CSS.as_bytes().to_vec()));
        files.push(("static/opswiki.js".into(), SCRIPT_JS.as_bytes().to_vec()));
        files.push((
            "static/highlight.css".into(),
            highlight::stylesheet().into_bytes(),
        ));
        Ok(files)
    }
}

/// Render the site into `options.output`, atomically.
pub fn build(site: &Site, options: &RenderOptions) -> Result<BuildStats> {
    let renderer = Renderer::new(site, options.today)?;
    let files = renderer.render_all()?;
    let staging = sibling(&options.output, "tmp")?;
    if staging.exists() {
        fs::remove_dir_all(&staging)
            .with_context(|| format!("cannot clear `{}`", staging.display()))?;
    }
    fs::create_dir_all(&staging)
        .with_context(|| format!("cannot create `{}`", staging.display()))?;
    let result =
        write_all(site, &files, &staging).and_then(|()| swap_in(&staging, &options.output));
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    result?;
    Ok(BuildStats {
        pages: site.pages.len(),
        files: files.len() + site.assets.len() + site.static_files.len(),
    })
}

fn write_all(site: &Site, files: &[(String, Vec<u8>)], dir: &Path) -> Result<()> {
    files
        .par_iter()
        .try_for_each(|(path, bytes)| write_file(&dir.join(path), bytes))?;
    // Content assets, then the site's static files (which override ours).
    site.assets
        .par_iter()
        .try_for_each(|(rel, abs)| copy_file(abs, &dir.join(rel)))?;
    site.static_files
        .par_iter()
        .try_for_each(|(rel, abs)| copy_file(abs, &dir.join("static").join(rel)))?;
    Ok(())
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create `{}`", parent.display()))?;
    }
    fs::write(path, bytes).with_context(|| format!("cannot write `{}`", path.display()))
}

fn copy_file(from: &Path, to: &Path) -> Result<()> {
    if let Some(parent) = to.parent() {
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create `{}`", parent.display()))?;
    }
    fs::copy(from, to).with_context(|| format!("cannot copy `{}`", from.display()))?;
    Ok(())
}

/// `site` → `.site.tmp` beside it (same file system, so renames are atomic).
fn sibling(output: &Path, tag: &str) -> Result<PathBuf> {
    let name = output
        .file_name()
        .with_context(|| format!("output `{}` has no folder name", output.display()))?;
    Ok(output.with_file_name(format!(".{}.{tag}", name.to_string_lossy())))
}

/// Replace `output` by `staging`. The old output is renamed aside first, then
/// the new one renamed in; a crash between the two leaves both whole, and the
/// next build puts the old one back before anything else.
fn swap_in(staging: &Path, output: &Path) -> Result<()> {
    let old = sibling(output, "old")?;
    if old.exists() {
        if output.exists() {
            fs::remove_dir_all(&old)
                .with_context(|| format!("cannot remove `{}`", old.display()))?;
        } else {
            fs::rename(&old, output)
                .with_context(|| format!("cannot restore `{}`", output.display()))?;
        }
    }
    if output.exists() {
        fs::rename(output, &old)
            .with_context(|| format!("cannot move the previous `{}` aside", output.display()))?;
    }
    fs::rename(staging, output)
        .with_context(|| format!("cannot move the new site into `{}`", output.display()))?;
    if old.exists() {
        fs::remove_dir_all(&old).with_context(|| format!("cannot remove `{}`", old.display()))?;
    }
    Ok(())
}
