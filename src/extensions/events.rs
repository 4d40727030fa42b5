//! The renderer's view of a prepared page: pulldown-cmark's events with each
//! rewritten piece (found by its offset) replaced by the HTML it stands for,
//! GitHub alerts as call-outs, attribute lists applied, bare URLs as links.

use std::collections::VecDeque;
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, LinkType, OffsetIter, Parser, Tag, TagEnd};

use super::callout::{self, Fold, Style};
use super::{Mark, MarkKind, Prepared, attr_list, autolink, escape, toc};
use crate::flavor::Flavor;
use crate::markdown::Heading;

/// Tables of contents written per page, at most.
const MAX_TOCS: usize = 4;

/// Rewrites a link or image destination as the renderer does (`true`: an image).
pub type Rewrite<'r> = dyn Fn(&str, bool) -> String + 'r;

/// How a link or image that was opened must be closed.
enum Opened {
    /// As pulldown-cmark opened it.
    Plain,
    /// We wrote `<a …>` ourselves (an attribute list): close with `</a>`.
    Anchor,
    /// An image written by us: its alt text is being collected.
    Image { head: String, alt: String },
    /// A Hugo figure: the image's own alt text is dropped for the figure's.
    Figure { close: String },
}

pub struct Events<'a, 'r> {
    text: &'a str,
    marks: &'a [Mark],
    flavor: Flavor,
    headings: &'a [Heading],
    rewrite: &'r Rewrite<'r>,
    inner: OffsetIter<'a>,
    out: VecDeque<Event<'a>>,
    /// A paragraph being held because a block-level piece falls in it: its
    /// events, each with whether it is block-level.
    paragraph: Option<Vec<(Event<'a>, bool)>>,
    /// The close of each list open (`Some`: an admonition's).
    lists: Vec<Option<String>>,
    /// Whether each list item open is an admonition's (not written).
    items: Vec<bool>,
    admonition_item_next: bool,
    rule_to_skip: bool,
    opened: Vec<Opened>,
    /// Inside a code block, a heading or raw `<a>`: no bare URL is a link.
    code_depth: usize,
    heading_depth: usize,
    raw_anchor: bool,
    /// The text of an attribute list already applied.
    skip: Range<usize>,
    /// A soft break held until we know the next line is not an attribute list.
    held_break: bool,
    /// Inside a paragraph that is only an attribute list.
    skipping_paragraph: bool,
    /// Tables of contents written so far (the first few are; the HTML is
    /// made once).
    tocs: usize,
    toc_html: Option<String>,
    /// Blocks open (for the paragraphs of admonitions, below).
    block_depth: usize,
    /// Each admonition open: the block depth of its body, and whether a
    /// paragraph we opened is open. Its list item may be tight, with no
    /// paragraphs: the body's loose text is put in paragraphs, as MkDocs
    /// writes it.
    bodies: Vec<(usize, bool)>,
}

impl<'a, 'r> Events<'a, 'r> {
    pub fn new(
        prepared: &'a Prepared<'a>,
        headings: &'a [Heading],
        rewrite: &'r Rewrite<'r>,
    ) -> Events<'a, 'r> {
        let text: &'a str = prepared.text.as_ref();
        Events {
            text,
            marks: &prepared.marks,
            flavor: prepared.flavor,
            headings,
            rewrite,
            inner: Parser::new_ext(text, crate::markdown::options()).into_offset_iter(),
            out: VecDeque::new(),
            paragraph: None,
            lists: Vec::new(),
            items: Vec::new(),
            admonition_item_next: false,
            rule_to_skip: false,
            opened: Vec::new(),
            code_depth: 0,
            heading_depth: 0,
            raw_anchor: false,
            skip: 0..0,
            held_break: false,
            skipping_paragraph: false,
            tocs: 0,
            toc_html: None,
            block_depth: 0,
            bodies: Vec::new(),
        }
    }

    /// The marks whose offset lies in `range`.
    fn marks_in(&self, range: &Range<usize>) -> &'a [Mark] {
        let from = self.marks.partition_point(|m| m.at < range.start);
        let to = self.marks.partition_point(|m| m.at < range.end);
        &self.marks[from..to]
    }

    /// The mark at the start of `range` (after white space), if any.
    fn mark_at_start(&self, range: &Range<usize>) -> Option<&'a Mark> {
        self.marks_in(range)
            .first()
            .filter(|m| self.text[range.start..m.at].trim().is_empty())
    }

    fn emit(&mut self, event: Event<'a>, block: bool) {
        match self.paragraph.as_mut() {
            Some(held) => held.push((event, block)),
            None => self.out.push_back(event),
        }
    }

    fn emit_html(&mut self, html: String, block: bool) {
        if html.is_empty() {
            return;
        }
        let event = if block {
            Event::Html(CowStr::from(html))
        } else {
            Event::InlineHtml(CowStr::from(html))
        };
        self.emit(event, block);
    }

    /// A held paragraph, split where block-level pieces fall in it: the
    /// inline runs around them become paragraphs of their own (a run of
    /// white space only is dropped).
    fn flush_paragraph(&mut self, held: Vec<(Event<'a>, bool)>) {
        let mut run: Vec<Event<'a>> = Vec::new();
        let flush_run = |run: &mut Vec<Event<'a>>, out: &mut VecDeque<Event<'a>>| {
            let blank = run.iter().all(|e| match e {
                Event::Text(t) => t.trim().is_empty(),
                Event::SoftBreak | Event::HardBreak => true,
                _ => false,
            });
            if !blank {
                out.push_back(Event::Start(Tag::Paragraph));
                out.extend(run.drain(..));
                out.push_back(Event::End(TagEnd::Paragraph));
            }
            run.clear();
        };
        for (event, block) in held {
            if block {
                flush_run(&mut run, &mut self.out);
                self.out.push_back(event);
            } else {
                run.push(event);
            }
        }
        flush_run(&mut run, &mut self.out);
    }

    /// The HTML a shortcode or table-of-contents marker stands for.
    fn mark_html(&mut self, mark: &Mark) -> Option<(String, bool)> {
        match &mark.kind {
            MarkKind::Html { html, block } => Some((html.clone(), *block)),
            // A page asks for one; a page of thousands would be all tables.
            MarkKind::Toc if self.tocs >= MAX_TOCS => Some((String::new(), true)),
            MarkKind::Toc => {
                self.tocs += 1;
                let headings = self.headings;
                Some((
                    self.toc_html
                        .get_or_insert_with(|| toc::html(headings))
                        .clone(),
                    true,
                ))
            }
            _ => None,
        }
    }

    fn handle(&mut self, event: Event<'a>, range: Range<usize>) {
        if self.skipping_paragraph {
            if matches!(event, Event::End(TagEnd::Paragraph)) {
                self.skipping_paragraph = false;
            }
            return;
        }
        if matches!(
            self.opened.last(),
            Some(Opened::Image { .. } | Opened::Figure { .. })
        ) && !matches!(event, Event::End(TagEnd::Image))
        {
            if let (Some(Opened::Image { alt, .. }), Event::Text(t) | Event::Code(t)) =
                (self.opened.last_mut(), &event)
            {
                alt.push_str(t);
            }
            return;
        }
        // A soft break is held one event: it goes with an attribute list
        // on the next line.
        if self.held_break {
            self.held_break = false;
            let is_attr_line = matches!(&event, Event::Text(_))
                && self.flavor == Flavor::Mkdocs
                && attr_list::is_block_line(line_of(self.text, range.start));
            if is_attr_line {
                return;
            }
            self.emit(Event::SoftBreak, false);
        }
        if self.rule_to_skip {
            self.rule_to_skip = false;
            if matches!(event, Event::Rule) {
                return;
            }
        }
        if let Some((depth, open)) = self.bodies.last().copied()
            && depth == self.block_depth
        {
            let inline = is_inline(&event);
            if inline && !open {
                self.emit(Event::Start(Tag::Paragraph), false);
            } else if !inline && open {
                self.emit(Event::End(TagEnd::Paragraph), false);
            }
            if let Some(body) = self.bodies.last_mut() {
                body.1 = inline;
            }
        }
        match &event {
            Event::Start(tag) if !is_inline_tag(tag) => self.block_depth += 1,
            Event::End(tag) if !is_inline_tag_end(tag) => {
                self.block_depth = self.block_depth.saturating_sub(1)
            }
            _ => {}
        }
        let html_block = matches!(event, Event::Html(_));
        match event {
            Event::SoftBreak if self.flavor == Flavor::Mkdocs => self.held_break = true,
            Event::Start(Tag::Paragraph) => {
                if self.flavor == Flavor::Mkdocs
                    && attr_list::is_block_line(&self.text[range.clone()])
                {
                    self.skipping_paragraph = true;
                    return;
                }
                let has_block = self.marks_in(&range).iter().any(|m| match &m.kind {
                    MarkKind::Html { block, .. } => *block,
                    MarkKind::Toc | MarkKind::Figure { .. } => true,
                    MarkKind::Admonition { .. } => false,
                });
                if has_block && self.paragraph.is_none() {
                    self.paragraph = Some(Vec::new());
                } else {
                    self.emit(event, false);
                }
            }
            Event::End(TagEnd::Paragraph) => match self.paragraph.take() {
                Some(held) => self.flush_paragraph(held),
                None => self.emit(event, false),
            },
            Event::Html(html) | Event::InlineHtml(html) => {
                let block = html_block;
                let marks = self.marks_in(&range);
                if marks.is_empty() {
                    if !block {
                        let lower = html.trim_start().to_ascii_lowercase();
                        if lower.starts_with("<a ") || lower.starts_with("<a>") {
                            self.raw_anchor = true;
                        } else if lower.starts_with("</a") {
                            self.raw_anchor = false;
                        }
                        self.emit(Event::InlineHtml(html), false);
                    } else {
                        self.emit(Event::Html(html), false);
                    }
                    return;
                }
                // The markers in this HTML, each replaced by what it stands for.
                let mut written = html.to_string();
                let mut any_block = false;
                for mark in marks {
                    if let Some((with, is_block)) = self.mark_html(mark) {
                        let marker = marker_at(self.text, mark.at);
                        written = written.replacen(marker, &with, 1);
                        any_block |= is_block;
                    }
                }
                if written.trim().is_empty() {
                    return;
                }
                self.emit_html(written, block || any_block);
            }
            Event::Start(Tag::List(_)) => {
                if let Some(Mark {
                    kind: MarkKind::Admonition { open, close },
                    ..
                }) = self.mark_at_start(&range)
                {
                    self.lists.push(Some(close.clone()));
                    self.admonition_item_next = true;
                    self.emit_html(open.clone(), true);
                } else {
                    self.lists.push(None);
                    self.emit(event, true);
                }
            }
            Event::End(TagEnd::List(_)) => match self.lists.pop().flatten() {
                Some(close) => self.emit_html(close, true),
                None => self.emit(event, true),
            },
            Event::Start(Tag::Item) => {
                let ours = std::mem::take(&mut self.admonition_item_next);
                self.items.push(ours);
                if ours {
                    self.rule_to_skip = true;
                    self.bodies.push((self.block_depth, false));
                } else {
                    self.emit(event, true);
                }
            }
            Event::End(TagEnd::Item) => {
                if self.items.pop().unwrap_or(false) {
                    self.bodies.pop();
                } else {
                    self.emit(event, true);
                }
            }
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                let style = Style::from_alert(kind);
                let (open, _) =
                    callout::html(style, "", &callout::label(style.class()), Fold::Open);
                self.emit_html(open, true);
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => self.emit_html("</div>\n".to_string(), true),
            Event::Start(Tag::CodeBlock(_)) => {
                self.code_depth += 1;
                self.emit(event, true);
            }
            Event::End(TagEnd::CodeBlock) => {
                self.code_depth = self.code_depth.saturating_sub(1);
                self.emit(event, true);
            }
            Event::Start(Tag::Heading { .. }) => {
                self.heading_depth += 1;
                self.emit(event, true);
            }
            Event::End(TagEnd::Heading(_)) => {
                self.heading_depth = self.heading_depth.saturating_sub(1);
                self.emit(event, true);
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                if let Some(Mark {
                    kind: MarkKind::Figure { open, alt, close },
                    ..
                }) = self.mark_at_start(&range)
                {
                    self.emit_html(open.clone(), true);
                    self.emit(
                        Event::Start(Tag::Image {
                            link_type,
                            dest_url,
                            title: CowStr::Borrowed(""),
                            id,
                        }),
                        true,
                    );
                    self.emit(Event::Text(CowStr::from(alt.clone())), true);
                    self.opened.push(Opened::Figure {
                        close: close.clone(),
                    });
                    return;
                }
                match self.attr_list_after(&range) {
                    Some(attrs) => {
                        let src = (self.rewrite)(&dest_url, true);
                        let title = if title.is_empty() {
                            String::new()
                        } else {
                            format!(" title=\"{}\"", escape(&title))
                        };
                        self.opened.push(Opened::Image {
                            head: format!(
                                "<img src=\"{}\"{title}{}",
                                escape(&src),
                                attr_list::html_attributes(&attrs, true)
                            ),
                            alt: String::new(),
                        });
                    }
                    None => {
                        self.opened.push(Opened::Plain);
                        self.emit(
                            Event::Start(Tag::Image {
                                link_type,
                                dest_url,
                                title,
                                id,
                            }),
                            false,
                        );
                    }
                }
            }
            Event::End(TagEnd::Image) => match self.opened.pop() {
                Some(Opened::Image { head, alt }) => {
                    self.emit_html(format!("{head} alt=\"{}\">", escape(&alt)), false);
                }
                Some(Opened::Figure { close }) => {
                    self.emit(event, true);
                    self.emit_html(close, true);
                }
                _ => self.emit(event, false),
            },
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => match self.attr_list_after(&range) {
                Some(attrs) => {
                    let href = (self.rewrite)(&dest_url, false);
                    let title = if title.is_empty() {
                        String::new()
                    } else {
                        format!(" title=\"{}\"", escape(&title))
                    };
                    self.opened.push(Opened::Anchor);
                    self.emit_html(
                        format!(
                            "<a href=\"{}\"{title}{}>",
                            escape(&href),
                            attr_list::html_attributes(&attrs, false)
                        ),
                        false,
                    );
                }
                None => {
                    self.opened.push(Opened::Plain);
                    self.emit(
                        Event::Start(Tag::Link {
                            link_type,
                            dest_url,
                            title,
                            id,
                        }),
                        false,
                    );
                }
            },
            Event::End(TagEnd::Link) => match self.opened.pop() {
                Some(Opened::Anchor) => self.emit_html("</a>".to_string(), false),
                _ => self.emit(event, false),
            },
            Event::Text(t) => self.text_event(t, range),
            Event::Code(t) if self.flavor == Flavor::Hugo && t.contains("/*") => {
                self.emit(Event::Code(unescape_shortcodes(&t)), false);
            }
            other => {
                let block = !matches!(
                    other,
                    Event::Code(_)
                        | Event::SoftBreak
                        | Event::HardBreak
                        | Event::FootnoteReference(_)
                        | Event::TaskListMarker(_)
                        | Event::InlineMath(_)
                        | Event::Start(
                            Tag::Emphasis
                                | Tag::Strong
                                | Tag::Strikethrough
                                | Tag::Superscript
                                | Tag::Subscript
                        )
                        | Event::End(
                            TagEnd::Emphasis
                                | TagEnd::Strong
                                | TagEnd::Strikethrough
                                | TagEnd::Superscript
                                | TagEnd::Subscript
                        )
                );
                self.emit(other, block && self.paragraph.is_none());
            }
        }
    }

    /// An MkDocs attribute list right after the link or image at `range`:
    /// its text is skipped from there.
    fn attr_list_after(&mut self, range: &Range<usize>) -> Option<attr_list::AttrList> {
        if self.flavor != Flavor::Mkdocs {
            return None;
        }
        let after = self.text.get(range.end..)?;
        if !after.starts_with('{') {
            return None;
        }
        let (list, len) = attr_list::parse(after)?;
        self.skip = range.end..range.end + len;
        Some(list)
    }

    fn text_event(&mut self, t: CowStr<'a>, range: Range<usize>) {
        // What is left of an attribute list that was applied.
        let t = if range.start >= self.skip.start && range.start < self.skip.end {
            if range.end <= self.skip.end {
                return;
            }
            match self.text.get(self.skip.end..range.end) {
                Some(rest) => CowStr::Borrowed(rest),
                None => t,
            }
        } else {
            t
        };
        let t = if self.flavor == Flavor::Hugo && t.contains("/*") {
            unescape_shortcodes(&t)
        } else {
            t
        };
        if self.code_depth > 0
            || self.heading_depth > 0
            || self.raw_anchor
            || !self.opened.is_empty()
        {
            self.emit(Event::Text(t), false);
            return;
        }
        let found = autolink::find(&t);
        if found.is_empty() {
            self.emit(Event::Text(t), false);
            return;
        }
        let mut at = 0;
        for link in found {
            if link.range.start > at {
                self.emit(
                    Event::Text(CowStr::from(t[at..link.range.start].to_string())),
                    false,
                );
            }
            self.emit(
                Event::Start(Tag::Link {
                    link_type: LinkType::Autolink,
                    dest_url: CowStr::from(link.dest),
                    title: CowStr::Borrowed(""),
                    id: CowStr::Borrowed(""),
                }),
                false,
            );
            self.emit(
                Event::Text(CowStr::from(t[link.range.clone()].to_string())),
                false,
            );
            self.emit(Event::End(TagEnd::Link), false);
            at = link.range.end;
        }
        if at < t.len() {
            self.emit(Event::Text(CowStr::from(t[at..].to_string())), false);
        }
    }
}

impl<'a> Iterator for Events<'a, '_> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            if let Some(event) = self.out.pop_front() {
                return Some(event);
            }
            match self.inner.next() {
                Some((event, range)) => self.handle(event, range),
                None => {
                    if self.held_break {
                        self.held_break = false;
                        self.out.push_back(Event::SoftBreak);
                    }
                    if let Some(held) = self.paragraph.take() {
                        self.flush_paragraph(held);
                    }
                    return self.out.pop_front();
                }
            }
        }
    }
}

fn is_inline_tag(tag: &Tag) -> bool {
    matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. }
    )
}

fn is_inline_tag_end(tag: &TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
}

/// Events that sit inside a paragraph.
fn is_inline(event: &Event) -> bool {
    match event {
        Event::Start(tag) => is_inline_tag(tag),
        Event::End(tag) => is_inline_tag_end(tag),
        Event::Text(_)
        | Event::Code(_)
        | Event::InlineHtml(_)
        | Event::InlineMath(_)
        | Event::SoftBreak
        | Event::HardBreak
        | Event::FootnoteReference(_)
        | Event::TaskListMarker(_) => true,
        _ => false,
    }
}

/// The line of `text` that `at` falls on.
fn line_of(text: &str, at: usize) -> &str {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    &text[start..end]
}

/// The marker written at `at` (`<!-- … -->` or `<x … >`), as it stands in
/// the prepared text.
fn marker_at(text: &str, at: usize) -> &str {
    let rest = &text[at..];
    let end = if rest.starts_with("<!--") {
        if rest.starts_with("<!-->") {
            5
        } else if rest.starts_with("<!--->") {
            6
        } else {
            rest.find("-->").map_or(rest.len(), |i| i + 3)
        }
    } else {
        rest.find('>').map_or(rest.len(), |i| i + 1)
    };
    &rest[..end]
}

/// `{{</* x */>}}` (a shortcode written as text) → `{{< x >}}`.
fn unescape_shortcodes<'a>(t: &str) -> CowStr<'a> {
    CowStr::from(
        t.replace("{{</*", "{{<")
            .replace("*/>}}", ">}}")
            .replace("{{%/*", "{{%")
            .replace("*/%}}", "%}}"),
    )
}
