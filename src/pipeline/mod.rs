//! The pipeline driver: load → parse → check, then the judging step where
//! the site's levels, suppressions and baseline apply. Every command and the
//! server run the site through here (the server keeps the stages apart so an
//! edit replaces only its own diagnostics), so what a finding is reported
//! as is decided in exactly one place: [`policy::Policy::judge`].

pub mod baseline;
pub mod policy;
pub mod suppress;

use std::path::Path;

use anyhow::Result;
use chrono::NaiveDate;
use rayon::prelude::*;

use crate::check::{self, CheckOptions};
use crate::diag::{self, Diagnostic};
use crate::load::{self, Loaded};
use crate::site::{self, Site};

pub use crate::timing::StageTimer;
pub use policy::{Findings, Policy, Shorthands};

/// What a run needs besides the files.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// The date staleness and overdue checks count from (`--today`).
    pub today: NaiveDate,
    /// `--deny-warnings` and `--deny-external`.
    pub shorthands: Shorthands,
    /// Compile the templates beside the checks (a build renders with them).
    pub compile_templates: bool,
}

impl Options {
    pub fn check_options(&self) -> CheckOptions {
        CheckOptions { today: self.today }
    }
}

/// The raw diagnostics of each stage, before the policy has its say.
#[derive(Debug, Default, Clone)]
pub struct Stages {
    /// Reading the site: the walk and the config.
    pub load: Vec<Diagnostic>,
    /// Each file's own parse.
    pub files: Vec<Diagnostic>,
    /// The parse across files ([`site::derive`]: ids, links, trees, reports).
    pub derived: Vec<Diagnostic>,
    /// Each page's own checks, in the order of `site.pages`.
    pub pages: Vec<Vec<Diagnostic>>,
    /// The checks across the site.
    pub site_wide: Vec<Diagnostic>,
    /// Why the templates do not compile.
    pub templates: Option<Diagnostic>,
}

impl Stages {
    /// Every raw diagnostic, sorted.
    pub fn all(&self) -> Vec<Diagnostic> {
        let mut all: Vec<Diagnostic> = self
            .load
            .iter()
            .chain(&self.files)
            .chain(&self.derived)
            .chain(self.pages.iter().flatten())
            .chain(&self.site_wide)
            .chain(&self.templates)
            .cloned()
            .collect();
        diag::sort(&mut all);
        all.dedup();
        all
    }
}

/// A site read and checked.
pub struct Checked {
    pub site: Site,
    pub stages: Stages,
    /// The compiled templates, when asked for and they compile.
    pub tera: Option<tera::Tera>,
    pub policy: Policy,
    /// The diagnostics as reported, after levels, suppressions and baseline.
    pub findings: Findings,
}

/// Read the site at `root` and run it through every stage.
pub fn run(root: &Path, options: &Options) -> Result<Checked> {
    let timer = StageTimer::from_env();
    // The history is read on its own thread while the site loads and parses.
    let history = crate::git::start(root, options.today);
    let loaded = load::load(root)?;
    timer.mark("load");
    Ok(run_loaded(loaded, Some(history), options, &timer))
}

/// [`run`] on a site already read (the fuzzers build one in memory, with no
/// history).
pub fn run_loaded(
    loaded: Loaded,
    history: Option<crate::git::Pending>,
    options: &Options,
    timer: &StageTimer,
) -> Checked {
    let (mut site, mut parsed) = site::parse(loaded);
    timer.mark("parse");
    if let Some(history) = history {
        // Counted with the load: redone when the server reads everything again.
        let (history, warning) = history.finish();
        parsed.load.extend(warning);
        site::attach_repository(&mut site, history, options.today, &mut parsed.load);
        timer.mark("git");
    }
    let check_options = options.check_options();
    // Templates compile beside the checks: parsing twenty templates is 30 to
    // 50 ms that need not wait for anything.
    let ((pages, site_wide), templates) = rayon::join(
        || {
            rayon::join(
                || {
                    site.pages
                        .par_iter()
                        .map(|page| check::check_page(&site, page, &check_options))
                        .collect::<Vec<_>>()
                },
                || check::site_wide(&site, &check_options),
            )
        },
        || {
            options
                .compile_templates
                .then(|| crate::render::templates::compile(&site))
        },
    );
    let (tera, template_error) = match templates {
        Some(Ok(tera)) => (Some(tera), None),
        Some(Err(d)) => (None, Some(d)),
        None => (None, None),
    };
    let stages = Stages {
        load: parsed.load,
        files: parsed.files,
        derived: parsed.derived,
        pages,
        site_wide,
        templates: template_error,
    };
    let policy = Policy::new(&site, options.shorthands);
    let findings = policy.judge(&site, stages.all());
    timer.mark("check");
    Checked {
        site,
        stages,
        tera,
        policy,
        findings,
    }
}
