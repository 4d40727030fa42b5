//! The Markdown of the tools pages were written for: Hugo shortcodes, MkDocs
//! admonitions and attribute lists, GitLab's table of contents, GitHub's
//! alerts, bare URLs.
//!
//! Two steps, both run the same way by the scan and by the renderer:
//!
//! 1. [`prepare`] rewrites the page's text **in place, byte for byte the same
//!    length**, into CommonMark that pulldown-cmark reads with the block
//!    structure the tool would give it: a Hugo shortcode becomes an HTML
//!    comment (a block of its own, which may interrupt a paragraph) or an
//!    inline tag, `{{< ref "x.md" >}}` becomes the path `x.md` where it
//!    stood, a `{{< figure >}}` an image whose source stands where `src=`
//!    wrote it, an MkDocs admonition a list item whose content column is its
//!    body's indentation. Because nothing moves, every byte offset the scan
//!    records (and so every diagnostic's line and column) is an offset of
//!    the original file, with no offset map to keep.
//! 2. [`Events`] walks pulldown-cmark's events over the prepared text and
//!    puts the HTML each rewritten piece stands for in its place (the
//!    rewrites are found again by their offset), and renders GitHub alerts
//!    as call-outs, attribute lists, tables of contents and bare URLs.
//!
//! Flavor `opswiki` (and `github`) pages are not rewritten at all: step 1
//! costs nothing there, and step 2 only looks at alerts and bare URLs.

pub mod admonitions;
pub mod attr_list;
pub mod autolink;
pub mod callout;
mod events;
mod lines;
pub mod shortcodes;
pub mod toc;

use std::borrow::Cow;
use std::ops::Range;

use crate::diag::{Code, Diagnostic};
use crate::flavor::Flavor;
use crate::source::SourceFile;

pub use events::Events;

/// Which of Hugo's two link shortcodes a link was written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    /// `{{< ref "path" >}}`: the path is from the content root, or the page's
    /// own folder (Hugo tries both).
    Ref,
    /// `{{< relref "path" >}}`: the path is relative to the page.
    Relref,
}

/// A link destination that a `ref`/`relref` shortcode wrote. `range` is the
/// byte range, in the file, of the path the shortcode named: the prepared
/// text holds the bare path there, so the scan's link destination range is
/// this range.
#[derive(Debug, Clone, PartialEq)]
pub struct RefLink {
    pub range: Range<usize>,
    pub kind: RefKind,
}

/// A finding of the preparation: an unknown or unclosed shortcode.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub code: Code,
    /// Byte range in the file (the shortcode's name).
    pub range: Range<usize>,
    pub message: String,
}

/// What a rewritten piece of text stands for, found again at render time by
/// the offset `at` (in the text given to [`prepare`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Mark {
    pub at: usize,
    pub kind: MarkKind,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum MarkKind {
    /// HTML in place of a shortcode (empty: the shortcode renders nothing).
    /// A `block` one closes the paragraph it falls in.
    Html { html: String, block: bool },
    /// A table of contents of the page's headings.
    Toc,
    /// An MkDocs admonition: the list that stands for it opens with `open`
    /// and closes with `close`.
    Admonition { open: String, close: String },
    /// A Hugo figure: the image that stands for it, with its own alt text,
    /// between `open` and `close`.
    Figure {
        open: String,
        alt: String,
        close: String,
    },
}

/// A page's text as pulldown-cmark should read it, and what was rewritten.
#[derive(Debug, Clone)]
pub struct Prepared<'a> {
    /// The whole file's text (front matter untouched), the same length as
    /// the original.
    pub text: Cow<'a, str>,
    pub flavor: Flavor,
    /// Links written with `ref`/`relref`, in file order.
    pub refs: Vec<RefLink>,
    pub findings: Vec<Finding>,
    /// Sorted by `at`.
    pub(crate) marks: Vec<Mark>,
}

impl Prepared<'_> {
    /// The `ref`/`relref` shortcode a link destination came from, if any:
    /// `range` is the scan's `LinkRef::range`.
    pub fn ref_at(&self, range: &Range<usize>) -> Option<RefKind> {
        self.refs
            .binary_search_by_key(&range.start, |r| r.range.start)
            .ok()
            .map(|i| self.refs[i].kind)
    }

    /// Mark the scan's links that a `ref`/`relref` shortcode wrote
    /// (`LinkRef::from_ref`).
    pub fn mark_refs(&self, scan: &mut crate::markdown::Scan) {
        if self.refs.is_empty() {
            return;
        }
        for link in &mut scan.links {
            link.from_ref = self.ref_at(&link.range);
        }
    }

    /// The findings as diagnostics of `file`.
    pub fn diagnostics(&self, file: &SourceFile) -> Vec<Diagnostic> {
        self.findings
            .iter()
            .map(|f| Diagnostic::new(f.code, file.span(f.range.clone()), f.message.clone()))
            .collect()
    }
}

/// Rewrite the body of `text` (from `body_offset`) for `flavor`; see the
/// module's documentation. Offsets in the result are offsets of `text`.
pub fn prepare(text: &str, body_offset: usize, flavor: Flavor) -> Prepared<'_> {
    let mut edit = Editor::new(text, body_offset);
    match flavor {
        Flavor::Hugo => shortcodes::prepare(&mut edit),
        Flavor::Mkdocs => {
            admonitions::prepare(&mut edit);
            toc::prepare(&mut edit, &["[TOC]"]);
        }
        Flavor::Gitlab => toc::prepare(&mut edit, &["[[_TOC_]]", "[TOC]"]),
        Flavor::Opswiki | Flavor::Github => {}
    }
    edit.marks.sort_by_key(|m| m.at);
    edit.refs.sort_by_key(|r| r.range.start);
    Prepared {
        text: match edit.out {
            Some(bytes) => {
                Cow::Owned(String::from_utf8(bytes).unwrap_or_else(|_| text.to_string()))
            }
            None => Cow::Borrowed(text),
        },
        flavor,
        refs: edit.refs,
        findings: edit.findings,
        marks: edit.marks,
    }
}

/// Rewrites a text in place, never changing its length, and collects what
/// the rewrites stand for.
pub(crate) struct Editor<'a> {
    pub original: &'a str,
    pub body_offset: usize,
    /// The rewritten bytes, made on the first rewrite.
    out: Option<Vec<u8>>,
    pub marks: Vec<Mark>,
    pub refs: Vec<RefLink>,
    pub findings: Vec<Finding>,
}

impl<'a> Editor<'a> {
    fn new(original: &'a str, body_offset: usize) -> Editor<'a> {
        Editor {
            original,
            body_offset,
            out: None,
            marks: Vec::new(),
            refs: Vec::new(),
            findings: Vec::new(),
        }
    }

    pub fn body(&self) -> &'a str {
        &self.original[self.body_offset..]
    }

    /// The current text of a range (rewritten where it was).
    pub fn current(&self, range: Range<usize>) -> &str {
        match &self.out {
            // Rewrites replace whole UTF-8 sequences with ASCII, so any range
            // on character boundaries of the original is one of the copy too.
            Some(bytes) => std::str::from_utf8(&bytes[range]).unwrap_or(""),
            None => &self.original[range],
        }
    }

    /// Write `with` over `range`, padded with spaces to its length. `with`
    /// must be ASCII and no longer than the range's first line; the range's
    /// newlines are kept, so the rewritten text has the lines of the original.
    pub fn replace(&mut self, range: Range<usize>, with: &str) {
        debug_assert!(with.is_ascii() && with.len() <= range.len());
        let out = self
            .out
            .get_or_insert_with(|| self.original.as_bytes().to_vec());
        let mut with = with.bytes();
        for b in &mut out[range] {
            if *b != b'\n' {
                *b = with.next().unwrap_or(b' ');
            }
        }
    }

    /// Write `with` at `at` (ASCII, over ASCII or whole characters).
    pub fn put(&mut self, at: usize, with: &str) {
        self.replace(at..at + with.len(), with);
    }

    pub fn mark(&mut self, at: usize, kind: MarkKind) {
        self.marks.push(Mark { at, kind });
    }

    /// Replace `range` with an HTML comment of its length (a block of its own
    /// when alone on its line, which may interrupt a paragraph; inline
    /// otherwise), or, when text follows it on a line it starts, with an
    /// inline tag `<x >` (a comment there would make the rest of the line
    /// raw HTML). Either is found again by its offset and rendered as `html`.
    /// The range's first line holds at least 4 bytes and its last line 3
    /// (a shortcode's `{{< ` and `>}}`), or it is at least 5 bytes long.
    pub fn replace_with_marker(&mut self, range: Range<usize>, html: String, block: bool) {
        self.write_marker(range.clone());
        self.mark(range.start, MarkKind::Html { html, block });
    }

    /// The rewrite of [`Editor::replace_with_marker`], without its mark.
    pub fn write_marker(&mut self, range: Range<usize>) {
        let text = self.original;
        let line_start = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[range.end..]
            .find('\n')
            .map_or(text.len(), |i| range.end + i);
        let alone_before = self.current(line_start..range.start).trim().is_empty();
        let text_after = !self.current(range.end..line_end).trim().is_empty();
        let first_line = text[range.clone()].find('\n').unwrap_or(range.len());
        // A comment over several lines would be an HTML event per line; an
        // inline tag may span lines and is one event.
        let multiline = first_line < range.len();
        let (open, close) = if (alone_before && text_after) || first_line < 4 || multiline {
            ("<x", ">")
        } else {
            ("<!--", "-->")
        };
        self.replace(range.clone(), "");
        match (open, range.len()) {
            ("<!--", 5) => self.put(range.start, "<!-->"),
            ("<!--", 6) => self.put(range.start, "<!--->"),
            _ => {
                self.put(range.start, open);
                self.put(range.end - close.len(), close);
            }
        }
    }

    pub fn finding(&mut self, code: Code, range: Range<usize>, message: String) {
        self.findings.push(Finding {
            code,
            range,
            message,
        });
    }
}

/// Escape text for HTML (element content and quoted attributes).
pub(crate) fn escape(text: &str) -> String {
    crate::highlight::escape_html(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preparing_keeps_the_length_and_the_front_matter() {
        let text = "---\ntitle: x\n---\n{{< hint info >}}\nbody é\n{{< /hint >}}\n";
        let p = prepare(text, 17, Flavor::Hugo);
        assert_eq!(p.text.len(), text.len());
        assert_eq!(&p.text[..17], &text[..17]);
        assert_eq!(p.text.lines().count(), text.lines().count());
        assert!(p.text.contains("body é"));
        assert!(!p.text.contains("{{<"), "{}", p.text);
        assert!(matches!(
            prepare(text, 17, Flavor::Opswiki).text,
            Cow::Borrowed(_)
        ));
    }
}
