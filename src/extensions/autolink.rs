//! Bare URLs and email addresses as links, as GitHub's autolink extension
//! makes them (every flavor: GitHub, GitLab and Hugo's Goldmark do it, and
//! a pager's URL pasted into a runbook should be clickable): `http://`,
//! `https://` and `ftp://` URLs, `www.` names, and email addresses (as
//! `mailto:` links). Found by linkify, which knows where a URL ends
//! (trailing punctuation, balanced parentheses). Text in code, links and raw
//! HTML is left alone (the events decide that).

use std::ops::Range;
use std::sync::LazyLock;

use linkify::{LinkFinder, LinkKind};

/// A link found in a text: its range in the text and its destination.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub range: Range<usize>,
    pub dest: String,
}

/// Whether `text` may hold a link at all (most text does not: no search).
fn may_link(text: &str) -> bool {
    text.contains("://") || text.contains("www.") || text.contains('@')
}

/// The bare links of a text, in order.
pub fn find(text: &str) -> Vec<Found> {
    static FINDER: LazyLock<LinkFinder> = LazyLock::new(|| {
        let mut f = LinkFinder::new();
        f.url_must_have_scheme(false);
        f
    });
    if !may_link(text) {
        return Vec::new();
    }
    FINDER
        .links(text)
        .filter_map(|link| {
            let s = link.as_str();
            let dest = match link.kind() {
                LinkKind::Email => format!("mailto:{s}"),
                LinkKind::Url => {
                    let lower = s.to_ascii_lowercase();
                    if ["http://", "https://", "ftp://"]
                        .iter()
                        .any(|p| lower.starts_with(p))
                    {
                        s.to_string()
                    } else if lower.starts_with("www.") {
                        format!("http://{s}")
                    } else {
                        return None;
                    }
                }
                _ => return None,
            };
            Some(Found {
                range: link.start()..link.end(),
                dest,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_github_links() {
        let f = find(
            "see https://grafana.example.com/d/x?a=1. or www.example.org, mail oncall@example.com; not values.yaml",
        );
        let dests: Vec<&str> = f.iter().map(|f| f.dest.as_str()).collect();
        assert_eq!(
            dests,
            [
                "https://grafana.example.com/d/x?a=1",
                "http://www.example.org",
                "mailto:oncall@example.com"
            ]
        );
        assert!(find("plain text, config.yaml and a.b").is_empty());
    }
}
