//! The judging step: what each raw diagnostic is reported as. Levels come
//! from the code's declaration, then `diagnostics:`, then `overrides:` (in
//! order, later entries win), then the command line's shorthands
//! (`--deny-external` raises `alarm-runbook-external` to an error,
//! `--deny-warnings` every warning). A finding at `off` is dropped; one a
//! suppression comment covers is dropped; one in the baseline is counted
//! apart and fails nothing.

use std::collections::HashMap;

use globset::GlobSet;

use super::baseline::{self, Baseline};
use super::suppress::Suppressions;
use crate::diag::{self, Code, Diagnostic, Level};
use crate::site::Site;

/// The command line's shorthands for levels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Shorthands {
    /// `--deny-warnings`: every warning is an error.
    pub deny_warnings: bool,
    /// `--deny-external`: a runbook URL outside the wiki is an error.
    pub deny_external: bool,
}

/// The diagnostics of a run as reported.
#[derive(Debug, Default, Clone)]
pub struct Findings {
    /// Reported, at their final level, sorted.
    pub reported: Vec<Diagnostic>,
    /// In the baseline: not reported, failing nothing, counted.
    pub baselined: Vec<Diagnostic>,
    /// Covered by a suppression comment.
    pub suppressed: usize,
}

impl Findings {
    pub fn errors(&self) -> usize {
        diag::count(&self.reported, Level::Error)
    }

    pub fn warnings(&self) -> usize {
        diag::count(&self.reported, Level::Warning)
    }
}

struct OverrideRule {
    paths: GlobSet,
    levels: HashMap<Code, Level>,
}

/// Levels, suppressions and the baseline of one site.
pub struct Policy {
    levels: HashMap<Code, Level>,
    overrides: Vec<OverrideRule>,
    shorthands: Shorthands,
    baseline: Baseline,
    /// `baseline-invalid`, when the baseline file could not be read.
    baseline_error: Option<Diagnostic>,
}

impl Policy {
    pub fn new(site: &Site, shorthands: Shorthands) -> Policy {
        let config = &site.config;
        let (baseline, baseline_error) = match baseline::read(&site.root, &config.baseline) {
            Ok(b) => (b, None),
            Err(d) => (Baseline::default(), Some(*d)),
        };
        Policy {
            levels: config.diagnostics.iter().copied().collect(),
            overrides: config
                .overrides
                .iter()
                .map(|o| OverrideRule {
                    paths: crate::glob::set(&o.paths),
                    levels: o.diagnostics.iter().copied().collect(),
                })
                .collect(),
            shorthands,
            baseline,
            baseline_error,
        }
    }

    /// The level `code` is reported at in `file` (a path from the site root).
    pub fn level(&self, code: Code, file: &str) -> Level {
        let mut level = self
            .levels
            .get(&code)
            .copied()
            .unwrap_or(code.default_level());
        for rule in &self.overrides {
            if let Some(&l) = rule.levels.get(&code)
                && rule.paths.is_match(file)
            {
                level = l;
            }
        }
        if self.shorthands.deny_external && code == Code::AlarmRunbookExternal {
            level = Level::Error;
        }
        if self.shorthands.deny_warnings && level == Level::Warning {
            level = Level::Error;
        }
        level
    }

    /// Every raw diagnostic of a run in, the findings as reported out.
    pub fn judge(&self, site: &Site, raw: Vec<Diagnostic>) -> Findings {
        let mut leveled = Vec::with_capacity(raw.len());
        for d in raw.into_iter().chain(self.baseline_error.clone()) {
            self.push_leveled(d, &mut leveled);
        }
        let mut suppressions = Suppressions::scan(site);
        let before = leveled.len();
        leveled.retain(|d| !suppressions.covers(d));
        let suppressed = before - leveled.len();
        for d in suppressions.unused() {
            self.push_leveled(d, &mut leveled);
        }
        diag::sort(&mut leveled);
        let sources = site.source_texts();
        let (reported, baselined) = self.baseline.partition(leveled, &sources);
        Findings {
            reported,
            baselined,
            suppressed,
        }
    }

    fn push_leveled(&self, mut d: Diagnostic, out: &mut Vec<Diagnostic>) {
        d.level = self.level(d.code, &d.span.file);
        if d.level != Level::Off {
            out.push(d);
        }
    }
}
