//! Check: the model in, diagnostics out. One file per family of checks.
//! `opswiki check` and `opswiki build` run exactly these.

mod alarms;
pub(crate) mod links;
mod pages;
mod postmortems;
mod reports;
mod trees;

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::diag::Diagnostic;
use crate::site::Site;

#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// The date staleness and overdue checks count from (`--today`).
    pub today: NaiveDate,
    /// Runbook URLs outside `base_url` are errors (`--deny-external`).
    pub deny_external: bool,
}

/// Run every check over the site.
pub fn run(site: &Site, options: &CheckOptions) -> Vec<Diagnostic> {
    let mut diags: Vec<Diagnostic> = site
        .pages
        .par_iter()
        .flat_map_iter(|page| {
            let mut out = Vec::new();
            pages::check_page(site, page, options, &mut out);
            links::check_page_links(site, page, &mut out);
            out
        })
        .collect();
    alarms::check_alarms(site, options, &mut diags);
    trees::check_trees(site, &mut diags);
    postmortems::check_postmortems(site, options, &mut diags);
    reports::check_reports(site, &mut diags);
    diags
}

pub use pages::stale_days;
