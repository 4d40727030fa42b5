//! Parse: turn loaded files into the site model (pages with their metadata,
//! link index). Problems found while reading a page's own fields are
//! diagnostics here; checks across pages live in `check`.

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::alarms::{self, Alarm, RunbookLink};
use crate::config::{Config, Flavor};
use crate::diag::{Code, Diagnostic, Span};
use crate::frontmatter;
use crate::links::LinkIndex;
use crate::load::Loaded;
use crate::markdown;
use crate::model::{Field, Meta, Page, PageKind};
use crate::source::SourceFile;
use crate::yaml::Node;

/// A parsed site: everything the checks and the renderer read.
#[derive(Debug)]
pub struct Site {
    pub root: PathBuf,
    pub config: Config,
    /// Every text file read, by index; pages point into it.
    pub sources: Vec<SourceFile>,
    pub pages: Vec<Page>,
    /// Every alarm of every file under `content/alarms/`, in file order.
    pub alarms: Vec<Alarm>,
    /// Every triage tree: YAML files under `content/trees/`, then the
    /// fenced `triage` blocks of pages, in page order.
    pub trees: Vec<crate::trees::Tree>,
    /// Every post-mortem page's summary, timeline, action items and runbooks.
    pub postmortems: Vec<crate::postmortem::Postmortem>,
    /// Every weekly report's data, in page order.
    pub reports: Vec<crate::report::Report>,
    pub links: LinkIndex,
    pub assets: Vec<(String, PathBuf)>,
    pub templates: HashMap<String, String>,
    pub static_files: Vec<(String, PathBuf)>,
    /// What the repository says of each page (by page index), when the
    /// site is in a git work tree or has `CODEOWNERS`/`OWNERS` files;
    /// empty otherwise. Set by [`attach_repository`].
    pub repo: RepoFacts,
}

/// Each page's last change and repository owners.
#[derive(Debug, Default)]
pub struct RepoFacts {
    /// Whether the history was read (the site is in a work tree, `git: on`).
    pub git: bool,
    /// A shallow clone: the oldest commit's dates are approximate.
    pub shallow: bool,
    /// The commit `HEAD` pointed at when the history was read.
    pub head: Option<String>,
    /// The site root's path from the work tree's top (`` or `docs/wiki/`).
    pub root_in_repo: String,
    pub changes: Vec<Option<crate::git::Change>>,
    pub owners: Vec<Option<crate::owners::Owned>>,
}

/// A page's `last_updated` as shown and counted from: the later of the date
/// written on the page and its last change in git.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Updated {
    pub date: NaiveDate,
    /// `page` (front matter or the template heading), `git` (the last
    /// commit), `work tree` (changed and not committed yet).
    pub from: &'static str,
}

impl Site {
    pub fn source(&self, page: &Page) -> &SourceFile {
        &self.sources[page.source]
    }

    pub fn pages_of(&self, kind: PageKind) -> impl Iterator<Item = (usize, &Page)> {
        self.pages
            .iter()
            .enumerate()
            .filter(move |(_, p)| p.kind == kind)
    }

    /// A page's index in `pages`, from a reference into it.
    pub fn index_of(&self, page: &Page) -> Option<usize> {
        let size = std::mem::size_of::<Page>().max(1);
        let start = self.pages.as_ptr() as usize;
        let at = page as *const Page as usize;
        (at >= start && at < start + self.pages.len() * size).then(|| (at - start) / size)
    }

    /// The page's last change in git, when the history was read.
    pub fn change(&self, page_index: usize) -> Option<&crate::git::Change> {
        self.repo.changes.get(page_index)?.as_ref()
    }

    /// The later of the page's own `last_updated` and its last change.
    pub fn updated(&self, page_index: usize) -> Option<Updated> {
        let written = self.pages[page_index]
            .meta
            .last_updated
            .as_ref()
            .map(|f| Updated {
                date: f.value,
                from: "page",
            });
        let git = self.change(page_index).map(|c| Updated {
            date: c.date,
            from: if c.uncommitted { "work tree" } else { "git" },
        });
        match (written, git) {
            (Some(w), Some(g)) if g.date > w.date => Some(g),
            (Some(w), _) => Some(w),
            (None, g) => g,
        }
    }

    /// The page's owner: written on the page, else from `CODEOWNERS` or
    /// `OWNERS` (then with the file's kind as the second value).
    pub fn owner(&self, page_index: usize) -> Option<(&str, Option<&'static str>)> {
        let page = &self.pages[page_index];
        if let Some(f) = &page.meta.owner {
            return Some((f.value.as_str(), None));
        }
        let owned = self.repo.owners.get(page_index)?.as_ref()?;
        Some((owned.owners.as_str(), Some(owned.source)))
    }

    /// The page's path from the repository's top (for forge links).
    pub fn repo_path(&self, page: &Page) -> String {
        format!(
            "{}{}",
            self.repo.root_in_repo,
            self.source(page).display_path
        )
    }

    /// The texts of every file, for showing source lines in diagnostics.
    pub fn source_texts(&self) -> crate::diag::Sources<'_> {
        self.sources
            .iter()
            .map(|s| (s.display_path.as_str(), s.text.as_str()))
            .collect()
    }
}

/// The diagnostics of reading and parsing a site, by where they come from.
#[derive(Debug, Default)]
pub struct ParseDiagnostics {
    /// The walk and the config.
    pub load: Vec<Diagnostic>,
    /// Each file's own parse.
    pub files: Vec<Diagnostic>,
    /// Across files ([`derive`]).
    pub derived: Vec<Diagnostic>,
}

/// Alarms' runbook links, resolved against the site: one resolver for every
/// reader (checks, coverage, catalogue, live status).
impl Site {
    /// Resolve an alarm's runbook link.
    pub fn resolve_runbook(&self, alarm: &Alarm) -> RunbookLink {
        use crate::links::Target;
        let Some(link) = &alarm.runbook else {
            return RunbookLink::Missing;
        };
        // A template: filled from the rule; with labels left open, a
        // pattern that at least one page must match.
        let written = match &alarm.runbook_template {
            Some(t) if t.is_open() => return self.resolve_runbook_pattern(t),
            Some(t) => &t.filled,
            None => &link.value,
        };
        // Alarm files are not pages: links are read from the content root.
        match self.links.resolve("", written) {
            Ok(Target::Page { page, anchor }) => RunbookLink::Page { page, anchor },
            Ok(Target::External) => RunbookLink::External,
            Ok(Target::SamePage { .. })
            | Ok(Target::Asset { .. })
            | Ok(Target::RepoFile { .. })
            | Err(_) => RunbookLink::Broken,
        }
    }

    /// A folder's index page (`_index.md`, `README.md`, `index.md`) with
    /// nothing written below its front matter.
    pub fn is_blank_index(&self, page: &Page) -> bool {
        (page.id == "index" || page.id.ends_with("/index")) && page.body_blank
    }

    /// A blank index page where opswiki writes a page of its own (the home
    /// page, the runbook index, ...): the generated page stands for it.
    pub fn defers_to_generated(&self, page: &Page) -> bool {
        const GENERATED: [&str; 6] = [
            "index",
            "runbooks/index",
            "postmortems/index",
            "reports/index",
            "alarms/index",
            "trees/index",
        ];
        GENERATED.contains(&page.id.as_str()) && self.is_blank_index(page)
    }

    /// The pages a runbook template with open labels can reach. An open
    /// label in the anchor leaves the anchor unchecked.
    fn resolve_runbook_pattern(&self, t: &crate::alarms::template::Template) -> RunbookLink {
        use crate::alarms::template::{WILDCARD, matches};
        use crate::links::{Broken, Target};
        let open = t.open.clone();
        let path = match self.links.resolve("", &t.filled) {
            Ok(Target::Page { page, .. }) => {
                return RunbookLink::Pattern {
                    pages: vec![page],
                    open,
                };
            }
            Ok(Target::External) => return RunbookLink::External,
            Ok(_) => {
                return RunbookLink::Pattern {
                    pages: Vec::new(),
                    open,
                };
            }
            Err(Broken::NoPage { path }) => path,
        };
        let key = crate::links::normalize(&path);
        let key = key.trim_start_matches('/');
        let pages = if key.contains(WILDCARD) {
            self.links.pages_where(|name| matches(key, name))
        } else {
            Vec::new()
        };
        RunbookLink::Pattern { pages, open }
    }

    /// Whether an alarm's link reaches a runbook page and its anchor.
    pub fn reaches_runbook(&self, link: &RunbookLink) -> Option<usize> {
        match link {
            RunbookLink::Page { page, anchor } => {
                let target = &self.pages[*page];
                let anchor_ok = anchor.as_deref().is_none_or(|a| target.has_anchor(a));
                (target.kind == PageKind::Runbook && anchor_ok).then_some(*page)
            }
            RunbookLink::Pattern { pages, .. } => pages
                .iter()
                .copied()
                .find(|&p| self.pages[p].kind == PageKind::Runbook),
            _ => None,
        }
    }
}

/// Build the model from what `load` read. Never fails: problems are diagnostics.
pub fn parse(loaded: Loaded) -> (Site, ParseDiagnostics) {
    let Loaded {
        root,
        config,
        config_source,
        markdown: markdown_files,
        alarm_files,
        tree_files,
        assets,
        templates,
        static_files,
        diagnostics: load_diags,
    } = loaded;
    let mut diags = Vec::new();

    let parsed: Vec<(Page, Vec<Diagnostic>)> = markdown_files
        .par_iter()
        .enumerate()
        .map(|(i, file)| parse_page(i, file, &config))
        .collect();
    let mut pages = Vec::with_capacity(parsed.len());
    for (page, page_diags) in parsed {
        // A Hugo draft is not published: not a page, nothing to check.
        if page.draft {
            continue;
        }
        pages.push(page);
        diags.extend(page_diags);
    }

    // Alarm files follow the Markdown files in `sources`.
    let parsed_alarms: Vec<(Vec<Alarm>, Vec<Diagnostic>)> = alarm_files
        .par_iter()
        .enumerate()
        .map(|(i, file)| alarms::parse_file(file, markdown_files.len() + i, &config))
        .collect();
    let mut all_alarms = Vec::new();
    for (file_alarms, alarm_diags) in parsed_alarms {
        all_alarms.extend(file_alarms);
        diags.extend(alarm_diags);
    }

    let mut sources = markdown_files;
    sources.extend(alarm_files);
    sources.extend(tree_files);
    sources.extend(config_source);

    let mut site = Site {
        root,
        config,
        sources,
        pages,
        alarms: all_alarms,
        trees: Vec::new(),
        postmortems: Vec::new(),
        reports: Vec::new(),
        links: LinkIndex::default(),
        assets,
        templates,
        static_files,
        repo: RepoFacts::default(),
    };
    let derived = derive(&mut site);
    (
        site,
        ParseDiagnostics {
            load: load_diags,
            files: diags,
            derived,
        },
    )
}

/// Everything computed across files once each file is parsed: the
/// duplicate-id check, the link index, trees, post-mortems and reports.
/// `serve` calls it again after an edit that may change any of them, so
/// anything new built from more than one file belongs here.
pub(crate) fn derive(site: &mut Site) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let (sources, pages, config, assets) = (&site.sources, &site.pages, &site.config, &site.assets);
    // Two files with one id (`A.md` and `a.md`, or `x.md` and `x.markdown`).
    let mut first_by_id: HashMap<&str, usize> = HashMap::new();
    for (i, page) in pages.iter().enumerate() {
        if let Some(&first) = first_by_id.get(page.id.as_str()) {
            let first_path = &sources[pages[first].source].display_path;
            let path = &sources[page.source].display_path;
            diags.push(
                Diagnostic::new(
                    Code::DuplicatePageId,
                    Span::new(path.clone(), 1, 1),
                    format!(
                        "`{path}` and `{first_path}` both have the page id `{}`",
                        page.id
                    ),
                )
                .with_help("page ids ignore case and extension: rename one of the files"),
            );
        } else {
            first_by_id.insert(&page.id, i);
        }
    }

    // Two files written to one output path, once case is ignored: two assets
    // (`img/Logo.png` and `img/logo.png`), or an asset and a page's HTML
    // (`runbooks/db/index.html` beside `runbooks/db.md`). Links match
    // case-insensitively, and a case-insensitive disk (macOS, Windows) would
    // keep only one of them, so which one a reader gets would be an accident.
    let mut first_by_output: HashMap<String, String> = HashMap::new();
    for page in pages.iter() {
        first_by_output
            .entry(crate::model::output_path(&page.id))
            .or_insert_with(|| sources[page.source].display_path.clone());
    }
    for (rel, _) in assets.iter() {
        let path = config.display_path(rel);
        match first_by_output.get(rel.to_lowercase().as_str()) {
            Some(first) => diags.push(
                Diagnostic::new(
                    Code::OutputPathClash,
                    Span::new(path.clone(), 1, 1),
                    format!(
                        "`{path}` and `{first}` would be written to one output file (`{}`, ignoring case)",
                        rel.to_lowercase()
                    ),
                )
                .with_help("links and case-insensitive disks cannot tell them apart: rename one of the files"),
            ),
            None => {
                first_by_output.insert(rel.to_lowercase(), path);
            }
        }
    }

    let mut links = LinkIndex::new(
        pages.iter().enumerate().map(|(i, p)| (i, p.id.as_str())),
        assets.iter().map(|(p, _)| p.as_str()),
        config.base_url.as_deref(),
    )
    .with_site_rules(config.flavor, &config.urls)
    .with_repo_tree(crate::links::RepoTree::around(
        &site.root,
        &config.content_dir,
    ));
    for (i, page) in pages.iter().enumerate() {
        for alias in &page.aliases {
            links.add_alias(alias, i);
        }
        // A folder's index page is also named by its own file
        // (`alerts/etcd/README.md`), as the forge's links name it.
        let own = crate::model::page_id(&sources[page.source].content_path);
        if own != page.id {
            links.add_alias(&own, i);
        }
    }
    let (trees, tree_diags) = crate::trees::build(sources, pages, &links);
    diags.extend(tree_diags);
    let (postmortems, postmortem_diags) = crate::postmortem::build(sources, pages, &links);
    diags.extend(postmortem_diags);
    let (reports, report_diags) = crate::report::build(sources, pages, config);
    diags.extend(report_diags);
    site.links = links;
    site.trees = trees;
    site.postmortems = postmortems;
    site.reports = reports;
    diags
}

/// Attach what the repository says: each page's last change from
/// `history` (read by [`crate::git::start`]), owners from `CODEOWNERS` and
/// `OWNERS`, and the `last-updated-not-bumped` findings.
pub fn attach_repository(
    site: &mut Site,
    history: Option<crate::git::History>,
    today: NaiveDate,
    diags: &mut Vec<Diagnostic>,
) {
    let top = history
        .as_ref()
        .map_or_else(|| site.root.clone(), |h| h.workdir.clone());
    let root_in_repo = history
        .as_ref()
        .map_or_else(String::new, |h| h.root_in_repo.clone());
    let paths: Vec<String> = site
        .pages
        .iter()
        .map(|p| format!("{root_in_repo}{}", site.sources[p.source].display_path))
        .collect();
    site.repo.owners = crate::owners::assign(&top, &paths, diags);
    site.repo.root_in_repo = root_in_repo;
    if history.is_some() {
        attach_history(site, history, today, diags);
    }
}

/// Each page's last change from `history` (none: the site goes without
/// git), and the `last-updated-not-bumped` findings, into `diags`. Also
/// what `serve` runs when `HEAD` moves.
pub fn attach_history(
    site: &mut Site,
    history: Option<crate::git::History>,
    today: NaiveDate,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(history) = history else {
        site.repo.git = false;
        site.repo.head = None;
        site.repo.changes.clear();
        return;
    };
    site.repo.git = true;
    site.repo.shallow = history.shallow;
    site.repo.head = history.head.clone();
    site.repo.changes = site
        .pages
        .iter()
        .map(|p| Some(history.change_of(&site.sources[p.source].content_path, today)))
        .collect();
    // Reading old trees costs; skip it when the site has turned the check off.
    let wanted = !site
        .config
        .diagnostics
        .contains(&(Code::LastUpdatedNotBumped, crate::diag::Level::Off));
    if wanted && let Some(repo) = history.open() {
        for (i, page) in site.pages.iter().enumerate() {
            let (Some(written), Some(change)) = (&page.meta.last_updated, &site.repo.changes[i])
            else {
                continue;
            };
            if page.kind != PageKind::Runbook || change.approximate || written.value >= change.date
            {
                continue;
            }
            let text = &site.sources[page.source].text;
            if !history.body_changed(&repo, change, &text[page.body_offset..]) {
                continue;
            }
            let when = if change.uncommitted {
                "is edited and not committed yet".to_string()
            } else {
                format!(
                    "last changed on {} ({} by {})",
                    change.date,
                    change.short_hash(),
                    change.author
                )
            };
            let message = format!(
                "`last_updated` is {} but the runbook's text {when}",
                written.value
            );
            diags.push(
                Diagnostic::new(Code::LastUpdatedNotBumped, written.span.clone(), message)
                    .with_help("review the runbook and set `last_updated` to the day you did"),
            );
        }
    }
}

/// Parse one Markdown file (`index`: its place in `Site::sources`).
pub(crate) fn parse_page(
    index: usize,
    file: &SourceFile,
    config: &Config,
) -> (Page, Vec<Diagnostic>) {
    let (split, mut diags) = frontmatter::split(file);
    let front_matter_broken = !diags.is_empty();
    let flavor = config.flavor;
    // The scan reads the text as the flavor's tool does (same offsets).
    let prepared = crate::extensions::prepare(&file.text, split.body_offset, flavor);
    let mut scan = markdown::scan_in(&prepared.text, split.body_offset, flavor);
    prepared.mark_refs(&mut scan);
    diags.extend(prepared.diagnostics(file));
    let id = crate::model::page_id_in(&file.content_path, flavor);
    // A Hugo `_index.md` is its section's list page, never a runbook by
    // its place alone.
    let mut kind = if flavor == Flavor::Hugo && crate::model::is_hugo_section(&file.content_path) {
        PageKind::Page
    } else {
        config.kind_paths.kind_of(&file.content_path)
    };
    if let Some(k) = split.front.as_ref().and_then(|f| f.get("kind")) {
        match k.as_str().and_then(PageKind::from_name) {
            Some(explicit) => kind = explicit,
            None => diags.push(Diagnostic::new(
                Code::FieldInvalid,
                node_span(file, k),
                "`kind` must be one of runbook, postmortem, report, page",
            )),
        }
    }
    let mut meta = Meta::default();
    if let Some(front) = &split.front {
        read_front_matter(file, front, kind, config, &mut meta, &mut diags);
    }
    if kind == PageKind::Runbook {
        read_heading_fields(file, &scan, config, &mut meta, &mut diags);
    }
    if kind == PageKind::Postmortem {
        let front = split.front.as_ref();
        crate::postmortem::read_summary_fields(file, &scan, front, config, &mut meta, &mut diags);
    }
    let title = meta
        .title
        .as_ref()
        .map(|t| t.value.clone())
        .or_else(|| title_from_heading(&scan, kind))
        .unwrap_or_else(|| {
            file.content_path
                .rsplit('/')
                .next()
                .unwrap_or(&file.content_path)
                .trim_end_matches(".md")
                .to_string()
        });
    let front = split.front.as_ref();
    let draft = flavor == Flavor::Hugo
        && front
            .and_then(|f| f.get("draft"))
            .and_then(Node::as_text)
            .is_some_and(|d| d == "true");
    let aliases = match (flavor, front.and_then(|f| f.get("aliases"))) {
        (Flavor::Hugo, Some(node)) => node
            .as_string_list()
            .or_else(|| node.as_text().map(|t| vec![t]))
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let page = Page {
        id,
        draft,
        aliases,
        source: index,
        kind,
        title,
        front: split.front,
        body_offset: split.body_offset,
        body_blank: file.text[split.body_offset..].trim().is_empty(),
        scan,
        meta,
        front_matter_broken,
    };
    (page, diags)
}

fn node_span(file: &SourceFile, node: &Node) -> Span {
    let len = node.as_text().map_or(1, |t| t.chars().count());
    file.span_at(node.pos.line, node.pos.column).with_len(len)
}

fn text_field(
    file: &SourceFile,
    front: &Node,
    key: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Field<String>> {
    let node = front.get(key)?;
    if node.is_null() {
        return None;
    }
    match node.as_text() {
        // A blank value is no value: `owner: ""` does not name an owner.
        Some(value) if value.trim().is_empty() => None,
        Some(value) => Some(Field {
            value: value.trim().to_string(),
            span: node_span(file, node),
        }),
        None => {
            diags.push(Diagnostic::new(
                Code::FieldInvalid,
                node_span(file, node),
                format!("`{key}` must be text, found {}", node.type_name()),
            ));
            None
        }
    }
}

fn date_field(
    file: &SourceFile,
    front: &Node,
    key: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Field<NaiveDate>> {
    let text = text_field(file, front, key, diags)?;
    parse_date_field(text, key, diags)
}

fn parse_date_field(
    text: Field<String>,
    key: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Field<NaiveDate>> {
    match NaiveDate::parse_from_str(&text.value, "%Y-%m-%d") {
        Ok(value) => Some(Field {
            value,
            span: text.span,
        }),
        Err(_) => {
            diags.push(
                Diagnostic::new(
                    Code::DateInvalid,
                    text.span,
                    format!("`{key}` is not a date: `{}`", text.value),
                )
                .with_help("write dates as YYYY-MM-DD, e.g. 2026-11-02"),
            );
            None
        }
    }
}

fn read_front_matter(
    file: &SourceFile,
    front: &Node,
    kind: PageKind,
    config: &Config,
    meta: &mut Meta,
    diags: &mut Vec<Diagnostic>,
) {
    meta.title = text_field(file, front, "title", diags);
    meta.owner = text_field(file, front, "owner", diags);
    meta.severity = text_field(file, front, "severity", diags);
    if let Some(sev) = &meta.severity {
        crate::config::check_severity(sev, config, diags);
    }
    meta.last_updated = date_field(file, front, "last_updated", diags);
    meta.date = date_field(file, front, "date", diags);
    for (key, target) in [("services", &mut meta.services), ("tags", &mut meta.tags)] {
        // A report's `services` is its per-service health table, read elsewhere.
        if kind == PageKind::Report && key == "services" {
            continue;
        }
        if let Some(node) = front.get(key) {
            match node.as_string_list() {
                Some(list) => *target = list,
                None => diags.push(Diagnostic::new(
                    Code::FieldInvalid,
                    node_span(file, node),
                    format!("`{key}` must be a list of strings"),
                )),
            }
        }
    }
    if let Some(node) = front.get("alarms") {
        let items: Vec<&Node> = match node.as_seq() {
            Some(items) => items.iter().collect(),
            None if node.is_null() => Vec::new(),
            None => vec![node],
        };
        for item in items {
            match item.as_text() {
                Some(name) => meta.alarms.push(Field {
                    value: name,
                    span: node_span(file, item),
                }),
                None => diags.push(Diagnostic::new(
                    Code::FieldInvalid,
                    node_span(file, item),
                    "`alarms` must list alarm names",
                )),
            }
        }
    }
}

/// The plain runbook template's field headings: `## Severity: P1`,
/// `## Last Updated: 2026-11-02`, `## Owner: team-api`.
pub fn heading_field(text: &str) -> Option<(&'static str, &str)> {
    let (name, value) = text.split_once(':')?;
    let key = match name.trim().to_ascii_lowercase().as_str() {
        "severity" => "severity",
        "last updated" | "last_updated" => "last_updated",
        "owner" => "owner",
        _ => return None,
    };
    Some((key, value.trim()))
}

fn read_heading_fields(
    file: &SourceFile,
    scan: &markdown::Scan,
    config: &Config,
    meta: &mut Meta,
    diags: &mut Vec<Diagnostic>,
) {
    for heading in &scan.headings {
        let Some((key, value)) = heading_field(&heading.text) else {
            continue;
        };
        if value.is_empty() {
            continue;
        }
        // Point at the value within the heading line.
        let line_text = &file.text[heading.range.clone()];
        let value_offset = line_text
            .rfind(value)
            .map_or(heading.range.start, |i| heading.range.start + i);
        let span = file.span(value_offset..value_offset + value.len());
        let field = Field {
            value: value.to_string(),
            span,
        };
        let existing = match key {
            "severity" => &mut meta.severity,
            "owner" => &mut meta.owner,
            _ => {
                let Some(date) = parse_date_field(field, "Last Updated", diags) else {
                    continue;
                };
                match &meta.last_updated {
                    Some(front) if front.value != date.value => diags.push(conflict(
                        "last_updated",
                        &front.value.to_string(),
                        &date,
                        &date.value.to_string(),
                    )),
                    Some(_) => {}
                    None => meta.last_updated = Some(date),
                }
                continue;
            }
        };
        match existing {
            Some(front) if !front.value.eq_ignore_ascii_case(&field.value) => {
                diags.push(conflict(key, &front.value, &field, &field.value))
            }
            Some(_) => {}
            None => {
                if key == "severity" {
                    crate::config::check_severity(&field, config, diags);
                }
                *existing = Some(field);
            }
        }
    }
}

fn conflict<T>(key: &str, front: &str, heading: &Field<T>, heading_value: &str) -> Diagnostic {
    Diagnostic::new(
        Code::FieldConflict,
        heading.span.clone(),
        format!("`{key}` is `{front}` in the front matter but `{heading_value}` in this heading"),
    )
    .with_help("a field given both ways must agree: keep one")
}

fn title_from_heading(scan: &markdown::Scan, kind: PageKind) -> Option<String> {
    let h1 = scan.headings.iter().find(|h| h.level == 1)?;
    let text = h1.text.trim();
    let stripped = kind
        .title_prefix()
        .and_then(|prefix| {
            text.get(..prefix.len())
                .filter(|head| head.eq_ignore_ascii_case(prefix))
                .map(|_| text[prefix.len()..].trim())
        })
        .unwrap_or(text);
    Some(stripped.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heading_fields() {
        assert_eq!(heading_field("Severity: P1"), Some(("severity", "P1")));
        assert_eq!(
            heading_field("Last Updated: 2026-11-02"),
            Some(("last_updated", "2026-11-02"))
        );
        assert_eq!(heading_field("Symptom"), None);
    }

    #[test]
    fn plain_template_runbook() {
        let text = "# Runbook: Disk Full\n\n## Severity: P2\n## Last Updated: 2026-11-02\n## Owner: team-sre\n\n### Symptom\nx\n";
        let file = SourceFile::new(
            "content/runbooks/d.md".into(),
            "runbooks/d.md".into(),
            text.into(),
        );
        let (page, diags) = parse_page(0, &file, &Config::default());
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(page.title, "Disk Full");
        assert_eq!(page.meta.severity.unwrap().value, "P2");
        assert_eq!(page.meta.owner.unwrap().value, "team-sre");
        assert_eq!(
            page.meta.last_updated.unwrap().value.to_string(),
            "2026-11-02"
        );
    }

    #[test]
    fn placeholder_and_conflict() {
        let text =
            "---\nowner: a\n---\n# Runbook: X\n## Severity: P1 | P2 | P3 | P4\n## Owner: b\n";
        let file = SourceFile::new(
            "content/runbooks/x.md".into(),
            "runbooks/x.md".into(),
            text.into(),
        );
        let (_, diags) = parse_page(0, &file, &Config::default());
        let codes: Vec<_> = diags.iter().map(|d| (d.code.name(), d.span.line)).collect();
        assert_eq!(
            codes,
            vec![("severity-placeholder", 5), ("field-conflict", 6)]
        );
    }
}
