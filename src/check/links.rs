//! Every internal link resolves, and its anchor exists on the target page.

use crate::diag::{Code, Diagnostic};
use crate::links::{Broken, Target};
use crate::model::Page;
use crate::site::Site;

pub fn check_page_links(site: &Site, page: &Page, out: &mut Vec<Diagnostic>) {
    let file = site.source(page);
    for link in &page.scan.links {
        let span = file.span(link.range.clone());
        match site.links.resolve(&file.content_path, &link.dest) {
            Ok(Target::Page {
                page: target,
                anchor: Some(anchor),
            }) => {
                let target = &site.pages[target];
                if !target.has_anchor(&anchor) {
                    out.push(anchor_missing(target, &anchor, span));
                }
            }
            Ok(Target::SamePage { anchor }) => {
                if !page.has_anchor(&anchor) {
                    out.push(anchor_missing(page, &anchor, span));
                }
            }
            Ok(_) => {}
            Err(Broken::NoPage { path }) => out.push(
                Diagnostic::new(
                    Code::LinkBroken,
                    span,
                    format!("link to `{}` matches no page", link.dest),
                )
                .with_help(match suggest(site, &path) {
                    Some(id) => format!("did you mean `{id}`?"),
                    None => "link by page id (`runbooks/x`), path (`x.md`) or a URL under base_url"
                        .to_string(),
                }),
            ),
        }
    }
}

/// A missing-anchor diagnostic that lists the anchors the page has.
pub fn anchor_missing(target: &Page, anchor: &str, span: crate::diag::Span) -> Diagnostic {
    let known: Vec<&str> = target
        .scan
        .headings
        .iter()
        .map(|h| h.anchor.as_str())
        .filter(|a| !a.is_empty())
        .take(12)
        .collect();
    Diagnostic::new(
        Code::LinkAnchorMissing,
        span,
        format!("`{}` has no heading with anchor `#{anchor}`", target.id),
    )
    .with_help(if known.is_empty() {
        "the page has no headings".to_string()
    } else {
        format!("anchors on that page: {}", known.join(", "))
    })
}

/// The page id closest to a broken path, if one is close (same file name).
fn suggest<'a>(site: &'a Site, path: &str) -> Option<&'a str> {
    let stem = crate::links::normalize(path);
    let stem = stem.rsplit('/').next()?;
    site.links
        .page_with_stem(stem)
        .map(|i| site.pages[i].id.as_str())
}
