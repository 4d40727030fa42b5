//! The search results page, `search.html?q=...`: a shareable search with
//! filters, filled in and run by `static/search.js`.

use anyhow::{Context, Result};

use super::Renderer;

/// Where the results page is written, from the site root.
pub const SEARCH_PAGE: &str = "search.html";

impl Renderer<'_> {
    pub(super) fn render_search_page(&self) -> Result<(String, String)> {
        let ctx = self.base_context(SEARCH_PAGE, "search", "Search");
        let html = self
            .tera
            .render("search.html", &ctx)
            .context("rendering search.html")?;
        Ok((SEARCH_PAGE.into(), html))
    }
}
