//! MkDocs admonitions (`flavor: mkdocs`): `!!! type "Title"`, and the
//! collapsible `??? type` (folded) and `???+ type` (unfolded) of
//! pymdownx.details, each with a body indented four spaces more.
//!
//! The header line becomes, in place and at the same length, a list item
//! whose first block is a thematic break (`-   ***`): its content column is
//! the header's indentation plus four, the body's, so pulldown-cmark reads
//! the body as Markdown (paragraphs, lists, code, nested admonitions) and
//! blank lines inside it keep it together. The renderer finds the list again
//! by its offset and writes the call-out instead of the list and the break.
//! The bullet differs from any list item right before or after, so the
//! admonition never joins a neighbouring list.
//!
//! Known difference from Python-Markdown: a line of text right after the body,
//! not indented and with no blank line between, continues the body's last
//! paragraph (CommonMark's lazy continuation), where MkDocs ends the body.

use super::callout::{self, Fold, Style};
use super::lines::{Line, lines};
use super::{Editor, MarkKind};

/// A header line: its marker, types and title.
#[derive(Debug, PartialEq)]
struct Header<'a> {
    fold: Fold,
    kind: &'a str,
    /// `None`: no title written (the type's name shows); `Some("")`: none shown.
    title: Option<&'a str>,
}

/// `!!! note "Title"`, `??? tip`, `???+ warning ""`, after the indentation.
fn header(rest: &str) -> Option<Header<'_>> {
    let (fold, after) = if let Some(a) = rest.strip_prefix("!!!") {
        (Fold::Open, a)
    } else if let Some(a) = rest.strip_prefix("???+") {
        (Fold::Unfolded, a)
    } else if let Some(a) = rest.strip_prefix("???") {
        (Fold::Folded, a)
    } else {
        return None;
    };
    let after = after.strip_prefix(' ').unwrap_or(after).trim_end();
    let (types, title) = match after.find('"') {
        Some(q) => {
            let title = after[q..].strip_prefix('"')?.strip_suffix('"')?;
            (after[..q].trim_end(), Some(title))
        }
        None => (after, None),
    };
    if types.is_empty()
        || !types.split(' ').all(|t| {
            !t.is_empty()
                && t.chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        })
    {
        return None;
    }
    let kind = types.split(' ').next()?;
    Some(Header { fold, kind, title })
}

/// Indentation with tabs to the next multiple of four, as Python-Markdown
/// and CommonMark count it.
fn indent(line: &str) -> usize {
    let mut col = 0;
    for b in line.bytes() {
        match b {
            b' ' => col += 1,
            b'\t' => col += 4 - col % 4,
            _ => break,
        }
    }
    col
}

fn bullet_of(line: &Line) -> Option<u8> {
    let t = line.text.trim_start();
    let b = *t.as_bytes().first()?;
    (matches!(b, b'-' | b'+' | b'*') && t[1..].starts_with([' ', '\t'])).then_some(b)
}

fn is_list_item(line: &str) -> bool {
    let t = line.trim_start();
    if t.len() >= 2 && matches!(t.as_bytes()[0], b'-' | b'+' | b'*') && t[1..].starts_with(' ') {
        return true;
    }
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && (t[digits..].starts_with(". ") || t[digits..].starts_with(") "))
}

pub(crate) fn prepare(edit: &mut Editor) {
    let body = edit.body();
    if !body.contains("!!!") && !body.contains("???") {
        return;
    }
    let lines = lines(edit.original, edit.body_offset);
    // Body indentation of the admonitions still open, with their last line.
    let mut open: Vec<(usize, usize)> = Vec::new();
    // The non-blank lines before this one that each have less indentation
    // than the next (a stack, so finding a line's parent is not a search).
    let mut parents: Vec<(usize, usize)> = Vec::new();
    for i in 0..lines.len() {
        let line = lines[i];
        open.retain(|&(_, last)| last >= i);
        if line.is_blank() {
            continue;
        }
        let k = indent(line.text);
        while parents.last().is_some_and(|&(pk, _)| pk >= k) {
            parents.pop();
        }
        let parent = parents.last().map(|&(_, j)| j);
        parents.push((k, i));
        if line.in_fence {
            continue;
        }
        let rest = line.text.trim_start_matches([' ', '\t']);
        let Some(h) = header(rest) else { continue };
        // At the margin, in an admonition's body, or in a list item's
        // content; deeper indentation elsewhere is a code block.
        let nested = open.iter().any(|&(body, _)| body <= k && k < body + 4);
        let in_list = parent.is_some_and(|j| is_list_item(lines[j].text));
        if k >= 4 && !nested && !in_list {
            continue;
        }
        let mut last = i;
        for (j, l) in lines.iter().enumerate().skip(i + 1) {
            if l.is_blank() {
                continue;
            }
            if indent(l.text) >= k + 4 {
                last = j;
            } else {
                break;
            }
        }
        open.push((k + 4, last));
        // A bullet unlike the list items just before and after, at this depth.
        let neighbour = |l: Option<&Line>| {
            l.filter(|l| indent(l.text) == k).and_then(|l| {
                bullet_of(&Line {
                    text: edit.current(l.start..l.end()),
                    ..*l
                })
            })
        };
        let before = neighbour(
            lines[..i]
                .iter()
                .rev()
                .find(|l| !l.is_blank() && indent(l.text) <= k),
        );
        let after = neighbour(lines[last + 1..].iter().find(|l| !l.is_blank()));
        let Some(bullet) = [b'-', b'+', b'*']
            .into_iter()
            .find(|b| Some(*b) != before && Some(*b) != after)
        else {
            continue;
        };
        let bullet = bullet as char;
        let rule = if bullet == '*' { "---" } else { "***" };
        let start = line.start + (line.text.len() - rest.len());
        let len = line.end() - start;
        let rewrite = if len >= 7 {
            format!("{bullet}   {rule}")
        } else if len >= 5 && k.is_multiple_of(4) && !line.text.starts_with('\t') {
            format!("{bullet}\t{rule}")
        } else {
            continue;
        };
        edit.replace(start..line.end(), &rewrite);
        let title = match h.title {
            Some(t) => t.to_string(),
            None => callout::label(h.kind),
        };
        let (open_html, close_html) =
            callout::html(Style::from_name(h.kind), h.kind, &title, h.fold);
        edit.mark(
            start,
            MarkKind::Admonition {
                open: open_html,
                close: close_html,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers() {
        assert_eq!(
            header("!!! note \"A title\""),
            Some(Header {
                fold: Fold::Open,
                kind: "note",
                title: Some("A title")
            })
        );
        assert_eq!(
            header("???+ danger inline end"),
            Some(Header {
                fold: Fold::Unfolded,
                kind: "danger",
                title: None
            })
        );
        assert_eq!(header("??? tip \"\"").unwrap().title, Some(""));
        assert_eq!(header("!!!"), None);
        assert_eq!(header("!!! not a (type)"), None);
        assert_eq!(header("??? what?"), None);
    }
}
