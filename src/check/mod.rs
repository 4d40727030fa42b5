//! Check: the model in, diagnostics out. One file per family of checks.
//! `opswiki check` and `opswiki build` run exactly these.

mod alarms;
pub(crate) mod links;
mod pages;
mod placeholders;
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
    // The site-wide checks (21,000 alarms on the benchmark's site) run
    // beside the pages' rather than after them.
    let (mut diags, site_wide): (Vec<Diagnostic>, _) = rayon::join(
        || {
            site.pages
                .par_iter()
                .flat_map_iter(|page| check_page(site, page, options))
                .collect()
        },
        || site_wide(site, options),
    );
    diags.extend(site_wide);
    diags
}

/// The checks of one page that read nothing of other pages but the anchors
/// its links point at. `serve` re-runs these for an edited page.
pub fn check_page(
    site: &Site,
    page: &crate::model::Page,
    options: &CheckOptions,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    pages::check_page(site, page, options, &mut out);
    links::check_page_links(site, page, &mut out);
    placeholders::check_page(site, page, &mut out);
    out
}

/// The checks across the site. `serve` re-runs them after any edit that
/// changes more than a page's prose, so a new check reading several pages
/// belongs here, not in [`check_page`].
pub fn site_wide(site: &Site, options: &CheckOptions) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    alarms::check_alarms(site, options, &mut diags);
    trees::check_trees(site, &mut diags);
    placeholders::check_trees(site, &mut diags);
    postmortems::check_postmortems(site, options, &mut diags);
    reports::check_reports(site, &mut diags);
    diags
}

pub use pages::stale_days;
