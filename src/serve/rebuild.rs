//! Rebuild: keep the parsed site in memory and bring the output up to date
//! after each batch of changes, re-doing only what the change can affect.
//!
//! | change | model | checks | pages re-rendered at once |
//! |---|---|---|---|
//! | a page's prose only (same title, fields, headings, links; no triage block; a runbook or plain page) | that page re-read and re-parsed | that page's | that page |
//! | a page's fields, title, headings, links or triage blocks; any post-mortem or report | the page, then the cross-file model ([`site::derive`]: link index, trees, post-mortems, reports) | that page's; the pages linking to it if its headings changed; the site-wide ones | that page; a written home page; pages whose triage trees or "alarms that lead here" changed |
//! | an alarm file | that file's alarms | site-wide | runbooks whose "alarms that lead here" changed |
//! | a tree file | the cross-file model | site-wide | pages whose triage trees changed |
//! | a file or folder added, removed or renamed; `opswiki.yaml`; `content/` itself | everything read again | all | pages whose text, links, trees or alarms changed (all of them if the config, templates or navigation changed); removed pages deleted |
//! | a template | templates compiled | — | all |
//! | a static file or a content image | — | — | none: the file is copied |
//!
//! Pages linking to an edited page are re-rendered only when the link's
//! target appears, disappears or moves (their HTML holds its path, nothing
//! else of it); they are re-checked when its headings change (anchors).
//! After every successful rebuild the generated files (the runbook and
//! other indexes, the alarm catalogue and coverage, tree and status pages,
//! the search index) are handed to [`super::generate`], which renders them
//! off the edit path. A file is written only if its bytes changed, through a
//! temporary file renamed over it, so a reader never sees half a file.
//!
//! While the site has errors nothing is rendered: the last good output stays
//! served, and the work owed is kept until the errors are fixed.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use rayon::prelude::*;
use tera::Tera;

use super::status::{Changed, ErrorView, RebuildReport};
use super::watch::{ChangeKind, STATIC_DIR, TEMPLATES_DIR};
use crate::check::{self, CheckOptions};
use crate::coverage::Coverage;
use crate::diag::{self, Code, Diagnostic, Level, Span};
use crate::links::Target;
use crate::load::{self, CONTENT_DIR, FileKind};
use crate::model::{Page, PageKind, output_path};
use crate::pipeline::{self, Checked, Findings, Policy};
use crate::render::{self, RenderOptions, Renderer};
use crate::site::{self, Site};
use crate::trees::Origin;

/// The result of one rebuild, for the hub and the log.
#[derive(Debug, Default)]
pub struct Outcome {
    pub changed: Changed,
    pub errors: Vec<ErrorView>,
    pub warnings: usize,
    pub report: RebuildReport,
    /// The diagnostics, rendered for the terminal, when they changed.
    pub log: Vec<String>,
    /// The generated files (indexes, search index) may be out of date: the
    /// caller hands them to [`super::generate`].
    pub generated: bool,
}

impl Outcome {
    /// Nothing rendered, written or removed (the errors may still differ
    /// from those last published).
    pub fn is_nothing(&self) -> bool {
        self.changed.is_empty()
            && self.log.is_empty()
            && self.report.rendered == 0
            && self.report.written == 0
            && self.report.removed == 0
    }
}

/// Output work: what must be rendered, written or removed.
#[derive(Debug, Default, Clone)]
struct Dirty {
    /// Everything (templates, config, navigation changed).
    all: bool,
    /// Pages to render, by id.
    pages: BTreeSet<String>,
    /// Output files of pages that no longer exist.
    removed: BTreeSet<String>,
    /// Copy every asset and static file again (after a full reload).
    sync_copies: bool,
}

impl Dirty {
    fn merge(&mut self, other: Dirty) {
        self.all |= other.all;
        self.pages.extend(other.pages);
        self.removed.extend(other.removed);
        self.sync_copies |= other.sync_copies;
    }
}

/// Diagnostics by where they come from, so an edit replaces only its own.
#[derive(Debug, Default)]
struct Diags {
    /// Reading the site (walk, config): redone by a full reload only.
    load: Vec<Diagnostic>,
    /// Each file's own parse diagnostics, by display path.
    files: HashMap<String, Vec<Diagnostic>>,
    /// Cross-file parse diagnostics ([`site::derive`]).
    derived: Vec<Diagnostic>,
    /// Each page's own checks, by display path.
    pages: HashMap<String, Vec<Diagnostic>>,
    /// Checks across the site ([`check::site_wide`]).
    site_wide: Vec<Diagnostic>,
    template: Option<Diagnostic>,
}

impl Diags {
    /// Every raw diagnostic, before the policy's levels, suppressions and
    /// baseline: [`Model::findings`] applies those.
    fn all(&self) -> Vec<Diagnostic> {
        let mut all: Vec<Diagnostic> = self
            .load
            .iter()
            .chain(self.files.values().flatten())
            .chain(&self.derived)
            .chain(self.pages.values().flatten())
            .chain(&self.site_wide)
            .chain(&self.template)
            .cloned()
            .collect();
        diag::sort(&mut all);
        all.dedup();
        all
    }
}

/// The site in memory, with what rebuilds need to know about it.
struct Model {
    site: Site,
    diags: Diags,
    /// Pages linking to each page (by index), for re-checking anchors.
    backlinks: HashMap<usize, BTreeSet<usize>>,
    coverage: Coverage,
    /// Compiled templates; `None` while they do not compile.
    tera: Option<Tera>,
    /// The site's levels, suppressions and baseline (read again on a reload,
    /// which any change to the config is).
    policy: Policy,
}

impl Model {
    /// The diagnostics as reported: the pipeline's judging step over every
    /// stage's, as a build would report them.
    fn findings(&self) -> Findings {
        self.policy.judge(&self.site, self.diags.all())
    }
}

/// Where a change lands, decided against the model.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Page(usize),
    Alarms(usize),
    Tree(usize),
    Asset(String),
    Templates,
    Static(String),
    /// `HEAD` may have moved: the pages' last changes.
    History,
    /// Files added, removed or renamed, the config, anything unclear.
    Reload,
}

/// The rebuild state of one `serve` run.
pub struct Workspace {
    root: PathBuf,
    output: PathBuf,
    check: CheckOptions,
    model: Option<Model>,
    /// Work held back while the site has errors.
    pending: Dirty,
    /// The generated files are out of date (kept while the site has errors).
    generated_owed: bool,
    /// A panic interrupted an update: the model may be half-changed.
    poisoned: bool,
    /// Why the site could not be read at all (no `content/`).
    load_error: Option<Diagnostic>,
    last_log: Vec<String>,
}

impl Workspace {
    /// Load, check and build the site. `Err` only if it cannot be read at all.
    pub fn open(root: &Path, output: &Path, today: NaiveDate) -> Result<(Workspace, Outcome)> {
        let started = Instant::now();
        let mut ws = Workspace {
            root: root.to_path_buf(),
            output: output.to_path_buf(),
            check: CheckOptions { today },
            model: None,
            pending: Dirty::default(),
            generated_owed: false,
            poisoned: false,
            load_error: None,
            last_log: Vec::new(),
        };
        let model = ws.load_model()?;
        let errors = model.findings().errors();
        let has_output = output.join("index.html").is_file();
        ws.model = Some(model);
        let mut report = RebuildReport {
            trigger: "startup".into(),
            phase: "build",
            ..RebuildReport::default()
        };
        if errors == 0 || !has_output {
            // The first build is a whole one, swapped in atomically. With
            // errors and no earlier output, build anyway: an author needs
            // something to look at beside the list of errors.
            let model = ws.model.as_ref().expect("just set");
            let built = render::build(
                &model.site,
                &RenderOptions {
                    output: output.to_path_buf(),
                    today,
                    live_body: None,
                },
            );
            match built {
                Ok(stats) => {
                    report.rendered = stats.files;
                    report.pages = stats.pages;
                    report.written = stats.files;
                }
                Err(err) => {
                    // Broken templates, say: serve the errors, build on the fix.
                    ws.load_error = Some(Diagnostic::new(
                        Code::ServeRebuildFailed,
                        Span::new(CONTENT_DIR, 1, 1),
                        format!("the first build failed: {err:#}"),
                    ));
                    ws.poisoned = true;
                    fs::create_dir_all(output)
                        .with_context(|| format!("cannot create `{}`", output.display()))?;
                }
            }
            if errors > 0 {
                ws.pending.all = true;
            }
        } else {
            ws.pending.all = true;
        }
        let mut outcome = ws.outcome(Changed::default(), report, started);
        outcome.changed.all = true;
        Ok((ws, outcome))
    }

    /// What the served `status/live/` needs from the site as it is now;
    /// `None` without a `status:` block (nothing to serve live).
    pub fn live_catalogue(&self) -> Option<crate::live::Catalogue> {
        self.model
            .as_ref()
            .filter(|m| m.site.config.status.is_some())
            .map(|m| crate::live::Catalogue::of(&m.site))
    }

    /// The folders outside `content/` that `alarms.sources` reads, as
    /// paths from the root, for the watcher.
    pub fn alarm_folders(&self) -> Vec<String> {
        self.model.as_ref().map_or(Vec::new(), |m| {
            crate::alarms::sources::AlarmSources::new(
                &m.site.config.alarms,
                &m.site.config.content_dir,
            )
            .outside_folders()
        })
    }

    pub fn pages_total(&self) -> usize {
        self.model.as_ref().map_or(0, |m| m.site.pages.len())
    }

    fn errors_now(&self) -> usize {
        match (&self.load_error, &self.model) {
            (Some(_), _) | (_, None) => 1,
            (None, Some(m)) => m.findings().errors(),
        }
    }

    /// Bring the output up to date after `changes` (`rescan`: the watcher
    /// lost events, read everything again).
    pub fn apply(&mut self, changes: &[ChangeKind], rescan: bool) -> Outcome {
        let started = Instant::now();
        let trigger = describe(changes, rescan);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.apply_inner(changes, rescan)
        }));
        let (changed, mut report) = match result {
            Ok(Ok(x)) => x,
            Ok(Err(err)) => {
                self.load_error = Some(Diagnostic::new(
                    Code::ServeRebuildFailed,
                    Span::new(CONTENT_DIR, 1, 1),
                    format!("the rebuild failed: {err:#}"),
                ));
                (Changed::default(), RebuildReport::default())
            }
            Err(panic) => {
                // A bug, not the author's doing: say so, and read everything
                // again next time rather than trust a half-updated model.
                self.poisoned = true;
                self.load_error = Some(Diagnostic::new(
                    Code::ServeInternalError,
                    Span::new(CONTENT_DIR, 1, 1),
                    format!(
                        "opswiki hit an internal error while rebuilding ({}); the next change reads the whole site again",
                        panic_message(&panic)
                    ),
                ));
                (Changed::default(), RebuildReport::default())
            }
        };
        report.trigger = trigger;
        if report.phase.is_empty() {
            report.phase = "pages";
        }
        let mut outcome = self.outcome(changed, report, started);
        if outcome.errors.is_empty() {
            outcome.generated = std::mem::take(&mut self.generated_owed);
        }
        outcome
    }

    fn outcome(
        &mut self,
        changed: Changed,
        mut report: RebuildReport,
        started: Instant,
    ) -> Outcome {
        report.millis = started.elapsed().as_millis() as u64;
        report.pages_total = self.pages_total();
        let mut diags = self
            .model
            .as_ref()
            .map(|m| m.findings().reported)
            .unwrap_or_default();
        diags.extend(self.load_error.clone());
        let (errors, warnings, log) = match &self.model {
            Some(model) => {
                let sources = model.site.source_texts();
                let errors = ErrorView::errors(&diags, &sources);
                let log: Vec<String> = diags
                    .iter()
                    .filter(|d| d.level == Level::Error)
                    .map(|d| diag::render_text(d, &sources, false))
                    .collect();
                (errors, diag::count(&diags, Level::Warning), log)
            }
            None => {
                let sources = diag::Sources::new();
                (ErrorView::errors(&diags, &sources), 0, Vec::new())
            }
        };
        let log = if log == self.last_log {
            Vec::new()
        } else {
            self.last_log = log.clone();
            log
        };
        Outcome {
            changed,
            errors,
            warnings,
            report,
            log,
            generated: false,
        }
    }

    fn apply_inner(
        &mut self,
        changes: &[ChangeKind],
        rescan: bool,
    ) -> Result<(Changed, RebuildReport)> {
        let trusted = match &self.model {
            Some(model) if !rescan && !self.poisoned && self.load_error.is_none() => Some(model),
            _ => None,
        };
        let steps = if let Some(model) = trusted {
            let mut steps: Vec<Step> = Vec::new();
            for change in changes {
                let step = plan(&self.root, &model.site, change);
                if let Some(step) = step
                    && !steps.contains(&step)
                {
                    steps.push(step);
                }
            }
            if steps.contains(&Step::Reload) {
                vec![Step::Reload]
            } else {
                steps
            }
        } else {
            vec![Step::Reload]
        };
        let mut dirty = Dirty::default();
        let mut changed = Changed::default();
        let mut report = RebuildReport::default();
        let mut queue: std::collections::VecDeque<Step> = steps.into();
        while let Some(step) = queue.pop_front() {
            // An edit that cannot be applied in place becomes a full reload.
            let edited = match &step {
                Step::Page(source) => Some(self.edit_page(*source)),
                Step::Alarms(source) => Some(self.edit_alarms(*source)),
                Step::Tree(source) => Some(self.edit_tree(*source)),
                _ => None,
            };
            match edited {
                Some(Some(d)) => {
                    dirty.merge(d);
                    continue;
                }
                Some(None) => {
                    queue.clear();
                    queue.push_back(Step::Reload);
                    continue;
                }
                None => {}
            }
            match step {
                Step::Reload => {
                    let model = match self.load_model() {
                        Ok(model) => model,
                        Err(err) => {
                            // `content/` deleted, the root unreadable: keep
                            // serving what was built, say why.
                            self.load_error = Some(Diagnostic::new(
                                Code::SiteUnreadable,
                                Span::new(CONTENT_DIR, 1, 1),
                                format!("{err:#}"),
                            ));
                            return Ok((changed, report));
                        }
                    };
                    self.load_error = None;
                    self.poisoned = false;
                    let old = self.model.replace(model);
                    let new = self.model.as_ref().expect("just set");
                    dirty.merge(diff(old.as_ref(), new));
                    // Indexes list what was added or removed: render them
                    // with the pages.
                    self.generated_owed = true;
                }
                Step::Page(_) | Step::Alarms(_) | Step::Tree(_) => {}
                Step::Templates => dirty.merge(self.edit_templates()?),
                Step::History => dirty.merge(self.refresh_history()),
                Step::Asset(rel) => {
                    let from = self.root.join(CONTENT_DIR).join(&rel);
                    if copy_if_changed(&from, &self.output, &rel)? {
                        changed.all = true;
                        report.written += 1;
                    }
                }
                Step::Static(rel) => {
                    let (c, written) = self.sync_static(&rel)?;
                    changed.merge(c);
                    report.written += written;
                }
            }
        }
        if self.errors_now() > 0 {
            self.pending.merge(dirty);
            return Ok((changed, report));
        }
        let mut owed = std::mem::take(&mut self.pending);
        owed.merge(dirty);
        let (c, rendered, written, removed) = self.write_pages(&owed)?;
        changed.merge(c);
        report.pages += if owed.all {
            self.pages_total()
        } else {
            rendered
        };
        report.rendered += rendered;
        report.written += written;
        report.removed += removed;
        if owed.all {
            // render_each wrote the generated files too.
            self.generated_owed = false;
        }
        Ok((changed, report))
    }

    /// Read, parse and check the whole site, through the pipeline every
    /// command runs; its stages are kept apart so an edit replaces its own.
    fn load_model(&self) -> Result<Model> {
        let options = pipeline::Options {
            today: self.check.today,
            shorthands: Default::default(),
            compile_templates: true,
        };
        let Checked {
            site,
            stages,
            tera,
            policy,
            findings: _,
        } = pipeline::run(&self.root, &options)?;
        let mut files: HashMap<String, Vec<Diagnostic>> = HashMap::new();
        for d in stages.files {
            files.entry(d.span.file.clone()).or_default().push(d);
        }
        let pages: HashMap<String, Vec<Diagnostic>> = site
            .pages
            .iter()
            .zip(stages.pages)
            .map(|(p, diags)| (site.source(p).display_path.clone(), diags))
            .collect();
        let backlinks = backlinks(&site);
        let coverage = Coverage::of(&site);
        Ok(Model {
            diags: Diags {
                load: stages.load,
                files,
                derived: stages.derived,
                pages,
                site_wide: stages.site_wide,
                template: stages.templates,
            },
            site,
            backlinks,
            coverage,
            tera,
            policy,
        })
    }

    /// A Markdown page was saved.
    fn edit_page(&mut self, source: usize) -> Option<Dirty> {
        let check_options = self.check.clone();
        let model = self.model.as_mut().expect("a model");
        let site = &mut model.site;
        let index = site.pages.iter().position(|p| p.source == source)?;
        let old_page = site.pages[index].clone();
        let Some(old_nav) = take_saved(&self.root, site, source)? else {
            return Some(Dirty::default());
        };
        let mut dirty = Dirty::default();
        let display = site.sources[source].display_path.clone();
        let (page, parse_diags) = site::parse_page(source, &site.sources[source], &site.config);
        site.pages[index] = page;
        // A page saved while serving differs from what was committed.
        if let Some(change) = site.repo.changes.get_mut(index).filter(|_| site.repo.git) {
            *change = Some(crate::git::uncommitted(check_options.today));
        }
        model.diags.files.insert(display.clone(), parse_diags);
        let page = &site.pages[index];
        dirty.pages.insert(page.id.clone());

        let only_text = only_text_changed(&old_page, page);
        if !only_text {
            let trees_before = fenced_trees(site);
            model.diags.derived = site::derive(site);
            dirty
                .pages
                .extend(changed_trees(&trees_before, &fenced_trees(site)));
        }
        let site = &model.site;
        let page = &site.pages[index];
        if old_page.scan.links != page.scan.links {
            for targets in model.backlinks.values_mut() {
                targets.remove(&index);
            }
            for target in link_targets(site, page) {
                model.backlinks.entry(target).or_default().insert(index);
            }
        }
        // This page's checks; those of pages linking to it if its anchors moved.
        model
            .diags
            .pages
            .insert(display, check::check_page(site, page, &check_options));
        if anchors(&old_page) != anchors(page) || old_page.kind != page.kind {
            for &from in model.backlinks.get(&index).into_iter().flatten() {
                let other = &site.pages[from];
                model.diags.pages.insert(
                    site.source(other).display_path.clone(),
                    check::check_page(site, other, &check_options),
                );
            }
        }
        if !only_text {
            model.diags.site_wide = check::site_wide(site, &check_options);
            let coverage = Coverage::of(site);
            dirty.pages.extend(alarms_here_changed(
                site,
                &model.coverage,
                site,
                &coverage,
                None,
            ));
            model.coverage = coverage;
            if nav_signature(site) != old_nav {
                dirty.all = true;
            }
            // A written home page shows counts and recent runbooks.
            if site.pages.iter().any(|p| p.id == "index") {
                dirty.pages.insert("index".into());
            }
        }
        self.generated_owed = true;
        Some(dirty)
    }

    /// A commit, checkout or reset may have moved `HEAD`: when it did, read
    /// the history again (the pass's cache in the git folder has it walk
    /// only the commits since) and re-date and re-check the pages whose
    /// last change moved. The views by date are in the generated pages.
    fn refresh_history(&mut self) -> Dirty {
        let check_options = self.check.clone();
        let Some(model) = self.model.as_mut() else {
            return Dirty::default();
        };
        let site = &mut model.site;
        if !site.repo.git || crate::git::head_of(&self.root) == site.repo.head {
            return Dirty::default();
        }
        let (history, warning) = crate::git::start(&self.root, check_options.today).finish();
        let mut findings: Vec<Diagnostic> = warning.into_iter().collect();
        let before = std::mem::take(&mut site.repo.changes);
        site::attach_history(site, history, check_options.today, &mut findings);
        model
            .diags
            .load
            .retain(|d| !matches!(d.code, Code::LastUpdatedNotBumped | Code::GitUnreadable));
        model.diags.load.extend(findings);
        let site = &model.site;
        let mut dirty = Dirty::default();
        for (i, page) in site.pages.iter().enumerate() {
            if before.get(i) == site.repo.changes.get(i) {
                continue;
            }
            dirty.pages.insert(page.id.clone());
            model.diags.pages.insert(
                site.source(page).display_path.clone(),
                check::check_page(site, page, &check_options),
            );
        }
        if !dirty.pages.is_empty() {
            self.generated_owed = true;
        }
        dirty
    }

    /// An alarm file was saved.
    fn edit_alarms(&mut self, source: usize) -> Option<Dirty> {
        let check_options = self.check.clone();
        let model = self.model.as_mut().expect("a model");
        let site = &mut model.site;
        let Some(old_nav) = take_saved(&self.root, site, source)? else {
            return Some(Dirty::default());
        };
        let mut dirty = Dirty::default();
        let old_alarms = site.alarms.clone();
        let display = site.sources[source].display_path.clone();
        let (alarms, parse_diags) =
            crate::alarms::parse_file(&site.sources[source], source, &site.config);
        model.diags.files.insert(display, parse_diags);
        // A file's alarms sit together, in file order.
        let start = site
            .alarms
            .iter()
            .position(|a| a.source >= source)
            .unwrap_or(site.alarms.len());
        let end = site.alarms[start..]
            .iter()
            .position(|a| a.source != source)
            .map_or(site.alarms.len(), |n| start + n);
        site.alarms.splice(start..end, alarms);
        let site = &model.site;
        model.diags.site_wide = check::site_wide(site, &check_options);
        let coverage = Coverage::of(site);
        dirty.pages.extend(alarms_here_changed(
            site,
            &model.coverage,
            site,
            &coverage,
            Some(&old_alarms),
        ));
        model.coverage = coverage;
        dirty.all |= nav_signature(site) != old_nav;
        self.generated_owed = true;
        Some(dirty)
    }

    /// A tree file was saved.
    fn edit_tree(&mut self, source: usize) -> Option<Dirty> {
        let check_options = self.check.clone();
        let model = self.model.as_mut().expect("a model");
        let site = &mut model.site;
        let Some(old_nav) = take_saved(&self.root, site, source)? else {
            return Some(Dirty::default());
        };
        let mut dirty = Dirty::default();
        let trees_before = fenced_trees(site);
        model.diags.derived = site::derive(site);
        let site = &model.site;
        dirty
            .pages
            .extend(changed_trees(&trees_before, &fenced_trees(site)));
        model.diags.site_wide = check::site_wide(site, &check_options);
        model.coverage = Coverage::of(site);
        dirty.all |= nav_signature(site) != old_nav;
        self.generated_owed = true;
        Some(dirty)
    }

    /// A template was saved, added or removed: compile, then render all.
    fn edit_templates(&mut self) -> Result<Dirty> {
        let templates = load::read_overrides(&self.root.join(TEMPLATES_DIR))?;
        let model = self.model.as_mut().expect("a model");
        if templates == model.site.templates {
            return Ok(Dirty::default());
        }
        model.site.templates = templates;
        match render::templates::compile(&model.site) {
            Ok(tera) => {
                model.tera = Some(tera);
                model.diags.template = None;
            }
            Err(d) => {
                model.tera = None;
                model.diags.template = Some(d);
            }
        }
        Ok(Dirty {
            all: true,
            ..Dirty::default()
        })
    }

    /// A file under `static/` changed: copy it, or put back ours, or remove it.
    fn sync_static(&mut self, rel: &str) -> Result<(Changed, usize)> {
        let dir = self.root.join(STATIC_DIR);
        let mut changed = Changed::default();
        let mut written = 0;
        let model = self.model.as_mut().expect("a model");
        let before: HashSet<String> = model
            .site
            .static_files
            .iter()
            .map(|(r, _)| r.clone())
            .collect();
        model.site.static_files = load::walk(&self.root, &dir).0;
        let now: HashSet<String> = model
            .site
            .static_files
            .iter()
            .map(|(r, _)| r.clone())
            .collect();
        let touched: Vec<String> = if rel.is_empty() {
            before.union(&now).cloned().collect()
        } else {
            // A folder renamed or removed: everything below it.
            let prefix = format!("{rel}/");
            before
                .union(&now)
                .filter(|r| *r == rel || r.starts_with(&prefix))
                .cloned()
                .collect()
        };
        for rel in touched {
            let out = format!("{STATIC_DIR}/{rel}");
            let wrote = if now.contains(&rel) {
                copy_if_changed(&dir.join(&rel), &self.output, &out)?
            } else {
                // Ours comes back with the generated files; anything else goes.
                self.generated_owed = true;
                remove_output(&self.output, &out)?
            };
            if wrote {
                written += 1;
                if rel.ends_with(".css") {
                    changed.css = true;
                } else {
                    changed.all = true;
                }
            }
        }
        Ok((changed, written))
    }

    /// Render and write the pages owed; returns what changed and counts
    /// (rendered, written, removed).
    fn write_pages(&mut self, dirty: &Dirty) -> Result<(Changed, usize, usize, usize)> {
        let model = self.model.as_ref().expect("a model");
        let site = &model.site;
        let output = &self.output;
        let changed = Mutex::new(Changed::default());
        let written = AtomicUsize::new(0);
        let mut removed = 0;
        if !output.is_dir() {
            fs::create_dir_all(output)
                .with_context(|| format!("cannot create `{}`", output.display()))?;
        }
        for path in &dirty.removed {
            if remove_output(output, path)? {
                removed += 1;
                lock(&changed).pages.insert(path.clone());
            }
        }
        let renderer = self.renderer()?;
        let overridden = overridden_outputs(site);
        let emit = live_writer(output, &overridden, &changed, &written);
        let rendered = if dirty.all {
            let files = renderer.render_each(&emit)?;
            files + sync_copies(site, output, &changed, &written)?
        } else {
            let indices: Vec<usize> = site
                .pages
                .iter()
                .enumerate()
                .filter(|(_, p)| dirty.pages.contains(&p.id))
                .map(|(i, _)| i)
                .collect();
            indices.par_iter().try_for_each(|&i| {
                let (path, html) = renderer.render_page_at(i)?;
                emit(&path, html.as_bytes())
            })?;
            if dirty.sync_copies {
                sync_copies(site, output, &changed, &written)?;
            }
            indices.len()
        };
        drop(emit);
        let changed = changed.into_inner().unwrap_or_else(|e| e.into_inner());
        Ok((changed, rendered, written.into_inner(), removed))
    }

    fn renderer(&self) -> Result<Renderer<'_>> {
        let model = self.model.as_ref().expect("a model");
        let tera = match &model.tera {
            Some(tera) => tera.clone(),
            None => anyhow::bail!("the templates do not compile"),
        };
        Ok(Renderer::with_parts(
            &model.site,
            self.check.today,
            tera,
            model.coverage.clone(),
        ))
    }
}

/// The sink for files rendered into the live output: skips paths a site
/// file overrides, writes only what changed, counts and notes what it wrote.
pub(super) fn live_writer<'a>(
    output: &'a Path,
    overridden: &'a HashSet<String>,
    changed: &'a Mutex<Changed>,
    written: &'a AtomicUsize,
) -> impl Fn(&str, &[u8]) -> Result<()> + Sync + 'a {
    move |path, bytes| {
        if overridden.contains(path) {
            return Ok(());
        }
        if write_if_changed(output, path, bytes)? {
            written.fetch_add(1, Ordering::Relaxed);
            note_written(&mut lock(changed), path);
        }
        Ok(())
    }
}

pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

pub(super) fn note_written(changed: &mut Changed, path: &str) {
    if path.ends_with(".html") {
        changed.pages.insert(path.to_string());
    } else if path.ends_with(".css") {
        changed.css = true;
    } else if path.ends_with(".js") && path.starts_with("search/") {
        // The search index: the next search reads it; nothing to reload.
    } else {
        changed.all = true;
    }
}

/// What a change is, against what the model knows.
fn plan(root: &Path, site: &Site, change: &ChangeKind) -> Option<Step> {
    match change {
        ChangeKind::Config => Some(Step::Reload),
        ChangeKind::Repository => Some(Step::History),
        ChangeKind::Template => Some(Step::Templates),
        ChangeKind::Static(rel) => Some(Step::Static(rel.clone())),
        ChangeKind::Content(rel) if rel.is_empty() => Some(Step::Reload),
        ChangeKind::AlarmSource(display) => {
            let abs = root.join(display);
            let is_file = fs::symlink_metadata(&abs).is_ok_and(|m| m.file_type().is_file());
            let source = site.sources.iter().position(|s| s.display_path == *display);
            let sources = crate::alarms::sources::AlarmSources::new(
                &site.config.alarms,
                &site.config.content_dir,
            );
            match (source, is_file) {
                (Some(i), true) => Some(Step::Alarms(i)),
                // A file of the sources added or removed: read all again.
                (None, true) if sources.holds_outside_file(display) => Some(Step::Reload),
                (Some(_), false) => Some(Step::Reload),
                _ => None,
            }
        }
        ChangeKind::Content(rel) => {
            let abs = root.join(CONTENT_DIR).join(rel);
            let meta = fs::symlink_metadata(&abs).ok();
            let is_file = meta.as_ref().is_some_and(|m| m.file_type().is_file());
            let exists = meta.is_some();
            let source = site
                .sources
                .iter()
                .position(|s| s.display_path.starts_with(CONTENT_DIR) && s.content_path == *rel);
            let is_asset = site.assets.iter().any(|(p, _)| p == rel);
            let prefix = format!("{rel}/");
            let holds_known = site
                .sources
                .iter()
                .any(|s| s.content_path.starts_with(&prefix))
                || site.assets.iter().any(|(p, _)| p.starts_with(&prefix));
            match (source, is_asset, is_file) {
                (Some(i), _, true) => Some(
                    match load::classify_in(
                        &crate::alarms::sources::AlarmSources::new(
                            &site.config.alarms,
                            &site.config.content_dir,
                        ),
                        rel,
                    ) {
                        FileKind::Markdown => Step::Page(i),
                        FileKind::Alarms => Step::Alarms(i),
                        FileKind::Tree => Step::Tree(i),
                        FileKind::Asset => Step::Reload,
                    },
                ),
                (None, true, true) => Some(Step::Asset(rel.clone())),
                // A temporary file that came and went.
                (None, false, false) if !exists && !holds_known => None,
                _ => Some(Step::Reload),
            }
        }
    }
}

/// A saved file's new text into the site, for the edit handlers. `None`:
/// it cannot be read now (a full reload then reports why); `Some(None)`:
/// its text is unchanged, nothing to do; `Some(Some(nav))`: replaced, with
/// the navigation's signature from before the edit.
fn take_saved(root: &Path, site: &mut Site, source: usize) -> Option<Option<NavSignature>> {
    let file = reread(root, &site.sources[source])?;
    if file.text == site.sources[source].text {
        return Some(None);
    }
    let old_nav = nav_signature(site);
    site.sources[source] = file;
    Some(Some(old_nav))
}

/// Read a source file again; `None` if it cannot be read (a full reload
/// then reports why).
fn reread(root: &Path, old: &crate::source::SourceFile) -> Option<crate::source::SourceFile> {
    let abs = root.join(&old.display_path);
    load::read_source(&abs, old.display_path.clone(), old.content_path.clone()).ok()
}

/// Only prose changed: nothing another page, index or check reads.
fn only_text_changed(old: &Page, new: &Page) -> bool {
    matches!(new.kind, PageKind::Runbook | PageKind::Page)
        && old.kind == new.kind
        && old.id == new.id
        && old.title == new.title
        && old.meta == new.meta
        && old.front == new.front
        && anchors(old) == anchors(new)
        && old
            .scan
            .links
            .iter()
            .map(|l| &l.dest)
            .eq(new.scan.links.iter().map(|l| &l.dest))
        && old.scan.tasks_done == new.scan.tasks_done
        && old.scan.tasks_total == new.scan.tasks_total
        && !has_triage(old)
        && !has_triage(new)
}

fn has_triage(page: &Page) -> bool {
    page.scan
        .fenced
        .iter()
        .any(|b| b.info.split_whitespace().next() == Some("triage"))
}

fn anchors(page: &Page) -> Vec<(u8, &str, &str)> {
    page.scan
        .headings
        .iter()
        .map(|h| (h.level, h.text.as_str(), h.anchor.as_str()))
        .collect()
}

/// What decides the navigation bar every page carries.
/// What the navigation bar is made of (see [`nav_signature`]).
type NavSignature = (bool, bool, bool, [bool; 4], String);

fn nav_signature(site: &Site) -> NavSignature {
    let mut kinds = [false; 4];
    for (slot, kind) in kinds.iter_mut().zip(PageKind::ALL) {
        *slot = site.pages_of(kind).next().is_some();
    }
    (
        site.alarms.is_empty(),
        site.trees.is_empty(),
        site.postmortems.is_empty(),
        kinds,
        site.config.title.clone(),
    )
}

/// Triage trees written in pages, by page id, as text to compare.
fn fenced_trees(site: &Site) -> HashMap<String, String> {
    let mut out: HashMap<String, String> = HashMap::new();
    for tree in &site.trees {
        if let Origin::Fenced { page, .. } = tree.origin
            && let Some(p) = site.pages.get(page)
        {
            out.entry(p.id.clone())
                .or_default()
                .push_str(&format!("{tree:?}"));
        }
    }
    out
}

fn changed_trees(before: &HashMap<String, String>, after: &HashMap<String, String>) -> Vec<String> {
    before
        .keys()
        .chain(after.keys())
        .filter(|id| before.get(*id) != after.get(*id))
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Runbooks whose "alarms that lead here" differ between two states.
fn alarms_here_changed(
    old_site: &Site,
    old: &Coverage,
    new_site: &Site,
    new: &Coverage,
    old_alarms: Option<&[crate::alarms::Alarm]>,
) -> Vec<String> {
    let old_alarms = old_alarms.unwrap_or(&old_site.alarms);
    let listed = |site: &Site, alarms: &[crate::alarms::Alarm], cov: &Coverage| {
        let mut by_id: HashMap<String, Vec<crate::alarms::Alarm>> = HashMap::new();
        for (&page, list) in &cov.alarms_by_runbook {
            if let Some(p) = site.pages.get(page) {
                by_id.insert(
                    p.id.clone(),
                    list.iter()
                        .filter_map(|&i| alarms.get(i).cloned())
                        .collect(),
                );
            }
        }
        by_id
    };
    let before = listed(old_site, old_alarms, old);
    let after = listed(new_site, &new_site.alarms, new);
    before
        .keys()
        .chain(after.keys())
        .filter(|id| before.get(*id) != after.get(*id))
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// The pages (by index) a page links to.
fn link_targets(site: &Site, page: &Page) -> Vec<usize> {
    let from = &site.source(page).content_path;
    page.scan
        .links
        .iter()
        .filter_map(|l| match site.links.resolve(from, &l.dest) {
            Ok(Target::Page { page, .. }) => Some(page),
            _ => None,
        })
        .collect()
}

fn backlinks(site: &Site) -> HashMap<usize, BTreeSet<usize>> {
    let mut out: HashMap<usize, BTreeSet<usize>> = HashMap::new();
    for (i, page) in site.pages.iter().enumerate() {
        for target in link_targets(site, page) {
            out.entry(target).or_default().insert(i);
        }
    }
    out
}

/// Where each link of a page lands, as the rendered HTML shows it.
fn link_signature(site: &Site, page: &Page) -> Vec<Option<String>> {
    let from = &site.source(page).content_path;
    page.scan
        .links
        .iter()
        .map(|l| match site.links.resolve(from, &l.dest) {
            Ok(Target::Page { page, .. }) => Some(site.pages[page].id.clone()),
            Ok(Target::Asset { path }) => Some(path),
            _ => None,
        })
        .collect()
}

/// The pages to render after a full reload: what differs from before.
fn diff(old: Option<&Model>, new: &Model) -> Dirty {
    let mut dirty = Dirty {
        sync_copies: true,
        ..Dirty::default()
    };
    let site = &new.site;
    let Some(old) = old else {
        dirty.all = true;
        return dirty;
    };
    let before = &old.site;
    let new_paths: HashSet<String> = site.pages.iter().map(|p| output_path(&p.id)).collect();
    for page in &before.pages {
        let path = output_path(&page.id);
        if !new_paths.contains(&path) {
            dirty.removed.insert(path);
        }
    }
    if before.config != site.config
        || before.templates != site.templates
        || nav_signature(before) != nav_signature(site)
    {
        dirty.all = true;
        return dirty;
    }
    let old_by_id: HashMap<&str, &Page> = before.pages.iter().map(|p| (p.id.as_str(), p)).collect();
    let changed: Vec<String> = site
        .pages
        .par_iter()
        .filter(|page| match old_by_id.get(page.id.as_str()) {
            None => true,
            Some(old_page) => {
                before.source(old_page).text != site.source(page).text
                    || old_page.kind != page.kind
                    || link_signature(before, old_page) != link_signature(site, page)
            }
        })
        .map(|p| p.id.clone())
        .collect();
    dirty.pages.extend(changed);
    dirty
        .pages
        .extend(changed_trees(&fenced_trees(before), &fenced_trees(site)));
    dirty.pages.extend(alarms_here_changed(
        before,
        &old.coverage,
        site,
        &new.coverage,
        None,
    ));
    // A written home page shows counts and recent runbooks.
    if !dirty.pages.is_empty() || !dirty.removed.is_empty() {
        let home = site.pages.iter().filter(|p| p.id == "index");
        dirty.pages.extend(home.map(|p| p.id.clone()));
    }
    dirty
}

/// Output paths the site's own files take over from generated ones.
pub(super) fn overridden_outputs(site: &Site) -> HashSet<String> {
    site.static_files
        .iter()
        .map(|(rel, _)| format!("{STATIC_DIR}/{rel}"))
        .chain(site.assets.iter().map(|(rel, _)| rel.clone()))
        .collect()
}

/// Copy every content asset and static file whose bytes differ.
fn sync_copies(
    site: &Site,
    output: &Path,
    changed: &Mutex<Changed>,
    written: &AtomicUsize,
) -> Result<usize> {
    let copies: Vec<(String, &PathBuf)> = site
        .assets
        .iter()
        .map(|(rel, abs)| (rel.clone(), abs))
        .chain(
            site.static_files
                .iter()
                .map(|(rel, abs)| (format!("{STATIC_DIR}/{rel}"), abs)),
        )
        .collect();
    copies.par_iter().try_for_each(|(rel, abs)| -> Result<()> {
        if copy_if_changed(abs, output, rel)? {
            written.fetch_add(1, Ordering::Relaxed);
            note_written(&mut lock(changed), rel);
        }
        Ok(())
    })?;
    Ok(copies.len())
}

static TEMP_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Write `bytes` to `output/rel` unless it already holds them, through a
/// temporary file renamed over it. Returns whether it wrote.
pub fn write_if_changed(output: &Path, rel: &str, bytes: &[u8]) -> Result<bool> {
    let path = output.join(rel);
    if let Ok(existing) = fs::read(&path)
        && existing == bytes
    {
        return Ok(false);
    }
    let parent = path.parent().unwrap_or(output);
    fs::create_dir_all(parent).with_context(|| format!("cannot create `{}`", parent.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = parent.join(format!(
        ".{name}.{}-{}.opswiki-tmp",
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    fs::write(&temp, bytes).with_context(|| format!("cannot write `{}`", temp.display()))?;
    if let Err(err) = fs::rename(&temp, &path) {
        let _ = fs::remove_file(&temp);
        return Err(err).with_context(|| format!("cannot write `{}`", path.display()));
    }
    Ok(true)
}

fn copy_if_changed(from: &Path, output: &Path, rel: &str) -> Result<bool> {
    let bytes = fs::read(from).with_context(|| format!("cannot read `{}`", from.display()))?;
    write_if_changed(output, rel, &bytes)
}

/// Delete an output file, and the folders it leaves empty.
fn remove_output(output: &Path, rel: &str) -> Result<bool> {
    let path = output.join(rel);
    if !path.is_file() {
        return Ok(false);
    }
    fs::remove_file(&path).with_context(|| format!("cannot remove `{}`", path.display()))?;
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d == output || fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
    Ok(true)
}

/// `all` minus each of `remove` once (diagnostics are compared whole).
fn describe(changes: &[ChangeKind], rescan: bool) -> String {
    if rescan {
        return "everything (the watcher lost events)".into();
    }
    let mut names: Vec<String> = changes
        .iter()
        .map(|c| match c {
            ChangeKind::Content(rel) if rel.is_empty() => format!("{CONTENT_DIR}/"),
            ChangeKind::Content(rel) => format!("{CONTENT_DIR}/{rel}"),
            ChangeKind::Template => format!("{TEMPLATES_DIR}/"),
            ChangeKind::Static(rel) => format!("{STATIC_DIR}/{rel}"),
            ChangeKind::Config => crate::config::CONFIG_FILE.to_string(),
            ChangeKind::Repository => "git HEAD".to_string(),
            ChangeKind::AlarmSource(display) => display.clone(),
        })
        .collect();
    names.sort();
    names.dedup();
    match names.len() {
        0 => "nothing".into(),
        1..=3 => names.join(", "),
        n => format!("{}, {} and {} more", names[0], names[1], n - 2),
    }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_only_changed_bytes_and_removes_empty_folders() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        assert!(write_if_changed(out, "a/b/index.html", b"x").unwrap());
        assert!(!write_if_changed(out, "a/b/index.html", b"x").unwrap());
        assert!(write_if_changed(out, "a/b/index.html", b"y").unwrap());
        let leftovers: Vec<_> = fs::read_dir(out.join("a/b")).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file left behind");
        assert!(remove_output(out, "a/b/index.html").unwrap());
        assert!(!out.join("a").exists());
        assert!(out.exists());
    }
}
