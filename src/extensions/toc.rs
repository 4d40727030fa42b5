//! A table of contents where the page asks for one: GitLab's `[[_TOC_]]` and
//! `[TOC]` (`flavor: gitlab`), Python-Markdown's `[TOC]` (`flavor: mkdocs`),
//! a `{{< toc >}}` shortcode (`flavor: hugo`). Each must stand alone on its
//! line, outside code; it lists every heading of the page, nested by level.

use super::lines::lines;
use super::{Editor, MarkKind, escape};
use crate::markdown::Heading;

pub(crate) fn prepare(edit: &mut Editor, markers: &[&str]) {
    if !markers.iter().any(|m| edit.body().contains(m)) {
        return;
    }
    for line in lines(edit.original, edit.body_offset) {
        let t = line.text.trim();
        if line.in_fence || !markers.contains(&t) {
            continue;
        }
        let start = line.start + line.text.find(t).unwrap_or(0);
        edit.write_marker(start..start + t.len());
        edit.mark(start, MarkKind::Toc);
    }
}

/// The table of contents of `headings` (all levels), as nested lists.
pub fn html(headings: &[Heading]) -> String {
    // The page's one `#` heading is its title, shown above: not listed.
    let headings = match headings {
        [first, rest @ ..] if first.level == 1 && rest.iter().all(|h| h.level > 1) => rest,
        all => all,
    };
    if headings.is_empty() {
        return String::new();
    }
    let top = headings.iter().map(|h| h.level).min().unwrap_or(1);
    let mut out =
        String::from("<nav class=\"toc-inline\" aria-label=\"Table of contents\">\n<ul>\n");
    // The levels of the lists open; an item is open after each heading.
    let mut lists = vec![top];
    let mut item_open = false;
    for h in headings {
        let level = h.level.max(top);
        let deepest = lists.last().copied().unwrap_or(top);
        if item_open && level > deepest {
            out.push_str("\n<ul>\n");
            lists.push(level);
        } else {
            while lists.len() > 1 && level < lists.last().copied().unwrap_or(top) {
                out.push_str("</li>\n</ul>\n");
                lists.pop();
            }
            if item_open {
                out.push_str("</li>\n");
            }
        }
        out.push_str(&format!(
            "<li><a href=\"#{}\">{}</a>",
            escape(&h.anchor),
            escape(&h.text)
        ));
        item_open = true;
    }
    out.push_str("</li>\n");
    for _ in 1..lists.len() {
        out.push_str("</ul>\n</li>\n");
    }
    out.push_str("</ul>\n</nav>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(level: u8, text: &str) -> Heading {
        Heading {
            level,
            text: text.to_string(),
            anchor: text.to_lowercase(),
            range: 0..0,
            has_content: true,
        }
    }

    #[test]
    fn nests_by_level() {
        let html = html(&[h(2, "A"), h(3, "B"), h(4, "C"), h(2, "D")]);
        assert_eq!(
            html,
            "<nav class=\"toc-inline\" aria-label=\"Table of contents\">\n<ul>\n\
             <li><a href=\"#a\">A</a>\n<ul>\n<li><a href=\"#b\">B</a>\n<ul>\n<li><a href=\"#c\">C</a></li>\n\
             </ul>\n</li>\n</ul>\n</li>\n<li><a href=\"#d\">D</a></li>\n</ul>\n</nav>\n"
        );
    }
}
