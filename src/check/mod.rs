//! Check: the model in, diagnostics out. One file per family of checks.
//! The pipeline (`crate::pipeline`) runs them for every command and the
//! server: [`check_page`] for each page, [`site_wide`] once.

mod alarms;
pub(crate) mod links;
mod pages;
mod placeholders;
mod postmortems;
mod reports;
mod trees;

use chrono::NaiveDate;

use crate::diag::Diagnostic;
use crate::site::Site;

#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// The date staleness and overdue checks count from (`--today`).
    pub today: NaiveDate,
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
    alarms::check_alarms(site, &mut diags);
    trees::check_trees(site, &mut diags);
    placeholders::check_trees(site, &mut diags);
    postmortems::check_postmortems(site, options, &mut diags);
    reports::check_reports(site, &mut diags);
    diags
}

pub use pages::stale_days;
