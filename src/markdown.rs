//! Markdown: two passes over each page with pulldown-cmark.
//!
//! [`scan`] runs once per page while loading: it collects headings (with their
//! anchors and whether their section has content), links with their location,
//! task-list counts and fenced `triage` blocks. It allocates little and
//! renders nothing, so checks can run without rendering.
//!
//! [`render`] runs when writing the site: HTML with heading anchors, links
//! rewritten to relative URLs, and highlighted code. Raw HTML in the
//! Markdown is kept, or, with `raw_html: sanitize`, cleaned by [`sanitize`].

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::LazyLock;

use pulldown_cmark::{
    CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd,
};

use crate::flavor::Flavor;
use crate::highlight;

pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        // `## Title {#custom-id}`: Hugo, MkDocs and GitLab all write these.
        | Options::ENABLE_HEADING_ATTRIBUTES
        // GitHub's alerts, `> [!NOTE]`, in every flavor (`extensions::callout`).
        | Options::ENABLE_GFM
}

/// A heading of a page.
#[derive(Debug, Clone, PartialEq)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    pub anchor: String,
    /// Byte range of the heading line in the file.
    pub range: Range<usize>,
    /// Whether anything but blank space follows before the next heading of
    /// the same or a higher level.
    pub has_content: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    Link,
    Image,
}

/// A link as written, with the byte range of its destination in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkRef {
    pub dest: String,
    pub range: Range<usize>,
    pub kind: LinkKind,
    /// Written as a Hugo `{{< ref >}}` / `{{< relref >}}` (`flavor: hugo`):
    /// set by `extensions::Prepared::mark_refs` after the scan.
    pub from_ref: Option<crate::extensions::RefKind>,
}

/// A fenced code block with a given info string (e.g. `triage`).
#[derive(Debug, Clone, PartialEq)]
pub struct FencedBlock {
    pub info: String,
    pub text: String,
    /// Byte offset in the file of the block's first content line.
    pub content_offset: usize,
}

/// A table: its header cells and rows, each row with its byte offset.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
    /// Index in `headings` of the heading this table sits under.
    pub under_heading: Option<usize>,
}

/// What a page's Markdown holds, for checks and indexes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scan {
    pub headings: Vec<Heading>,
    pub links: Vec<LinkRef>,
    pub tasks_done: usize,
    pub tasks_total: usize,
    pub fenced: Vec<FencedBlock>,
    pub tables: Vec<Table>,
    /// Ids written in the page's HTML (`<a id="x">`, `<a name="x">`,
    /// `<span id="x">`): anchors too.
    pub html_anchors: Vec<String>,
    /// The headings' anchors as a set, built on first use by
    /// [`Scan::has_anchor`] (a scan is never changed once made).
    anchor_set: AnchorSet,
}

/// A cache derived from `headings`: it never makes two scans differ.
#[derive(Debug, Clone, Default)]
struct AnchorSet(std::sync::OnceLock<HashMap<String, String>>);

impl PartialEq for AnchorSet {
    fn eq(&self, _: &AnchorSet) -> bool {
        true
    }
}

impl Scan {
    /// Whether a heading has this anchor (already lower-cased). A set, not a
    /// search per link: a page of 80,000 headings and as many links to them
    /// took 15 s to check.
    pub fn has_anchor(&self, anchor: &str) -> bool {
        self.real_anchor(anchor).is_some()
    }

    /// The id as the page writes it for an anchor that matches it when case
    /// is ignored (`anchor` lower-cased): `{#MyId}` keeps its case, and a
    /// link must name it so for a browser to scroll there.
    pub fn real_anchor(&self, anchor: &str) -> Option<&str> {
        let mut ids = self
            .headings
            .iter()
            .map(|h| h.anchor.as_str())
            .chain(self.html_anchors.iter().map(String::as_str));
        if self.headings.len() + self.html_anchors.len() <= 32 {
            return ids.find(|a| a.to_lowercase() == anchor);
        }
        self.anchor_set
            .0
            .get_or_init(|| {
                let mut map = HashMap::new();
                for id in ids {
                    map.entry(id.to_lowercase())
                        .or_insert_with(|| id.to_string());
                }
                map
            })
            .get(anchor)
            .map(String::as_str)
    }
}

/// A section name or heading as compared: trimmed, lower-cased, no
/// trailing `:`.
pub fn normalize_section(text: &str) -> String {
    text.trim().trim_end_matches(':').trim().to_lowercase()
}

/// Whether a heading names a section: it is the name, or starts with it and
/// goes on after a character that is not a letter (`Timeline (all times
/// PST)` is the Timeline, `Impacted services` is not the Impact).
fn heading_is_section(heading: &str, wanted: &str, exact: bool) -> bool {
    let heading = normalize_section(heading);
    if exact {
        return heading == wanted;
    }
    heading
        .strip_prefix(wanted)
        .and_then(|rest| rest.chars().next())
        .is_some_and(|c| !c.is_alphabetic())
}

impl Scan {
    /// The heading of the section `name` (or of one of its `aliases`),
    /// skipping headings `skip` rejects: an exact match first, then a
    /// heading that starts with the name.
    pub fn find_section(
        &self,
        name: &str,
        aliases: &[String],
        skip: impl Fn(&Heading) -> bool,
    ) -> Option<usize> {
        let names: Vec<String> = std::iter::once(name)
            .chain(aliases.iter().map(String::as_str))
            .map(normalize_section)
            .collect();
        [true, false].into_iter().find_map(|exact| {
            self.headings.iter().position(|h| {
                !skip(h) && names.iter().any(|n| heading_is_section(&h.text, n, exact))
            })
        })
    }
}

/// Heading ids as each tool makes them, so a link written for that tool's
/// pages lands where it does there.
pub fn flavor_anchor(text: &str, flavor: Flavor) -> String {
    match flavor {
        Flavor::Opswiki | Flavor::Github | Flavor::Hugo => anchor_base(text),
        // GitLab: GitHub's rule, then runs of `-` folded into one.
        Flavor::Gitlab => {
            let mut out = String::new();
            for c in anchor_base(text).chars() {
                if !(c == '-' && out.ends_with('-')) {
                    out.push(c);
                }
            }
            out
        }
        // Python-Markdown's `toc` slugify: ASCII word characters, runs of
        // space and `-` become one `-`, ends trimmed.
        Flavor::Mkdocs => {
            let mut out = String::new();
            for c in text.trim().to_lowercase().chars() {
                if c.is_ascii_alphanumeric() || c == '_' {
                    out.push(c);
                } else if (c == '-' || c.is_whitespace()) && !out.ends_with('-') {
                    out.push('-');
                }
            }
            out.trim_matches('-').to_string()
        }
    }
}

/// Ids written in an HTML fragment: `id="..."` on any tag, `name="..."` on
/// `<a>`, read by html5ever's tokenizer (the HTML parser ammonia already
/// brings), so quoting, case, entities and odd spacing are read as a browser
/// reads them.
fn html_ids(html: &str, out: &mut Vec<String>) {
    use html5ever::tokenizer::{
        BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer,
    };
    use std::cell::RefCell;

    /// Collects the `id` of any start tag and the `name` of `<a>`: the
    /// targets a browser scrolls to for `#fragment`.
    struct Targets(RefCell<Vec<String>>);
    impl TokenSink for Targets {
        type Handle = ();
        fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
            if let Token::TagToken(tag) = token
                && tag.kind == TagKind::StartTag
            {
                let is_anchor = &*tag.name == "a";
                for attr in &tag.attrs {
                    let name = &*attr.name.local;
                    if (name == "id" || (is_anchor && name == "name")) && !attr.value.is_empty() {
                        self.0.borrow_mut().push(attr.value.to_string());
                    }
                }
            }
            TokenSinkResult::Continue
        }
    }

    let input = BufferQueue::default();
    input.push_back(html.into());
    let tokenizer = Tokenizer::new(Targets(RefCell::new(Vec::new())), Default::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    out.append(&mut tokenizer.sink.0.borrow_mut());
}

/// GitHub's heading-id rule: lower-case, spaces to `-`, punctuation other than
/// `-` and `_` dropped.
pub fn anchor_base(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .collect()
}

/// Gives repeated headings `-1`, `-2`, ...
#[derive(Default)]
pub struct AnchorDeduper {
    seen: HashMap<String, usize>,
}

impl AnchorDeduper {
    pub fn next(&mut self, text: &str) -> String {
        self.next_in(text, Flavor::Opswiki)
    }

    /// The next anchor under a flavor's rule (MkDocs numbers repeats `_1`).
    pub fn next_in(&mut self, text: &str, flavor: Flavor) -> String {
        self.unique(flavor_anchor(text, flavor), flavor)
    }

    /// `base` made unique on the page.
    pub fn unique(&mut self, base: String, flavor: Flavor) -> String {
        let count = self.seen.entry(base.to_lowercase()).or_insert(0);
        let anchor = if *count == 0 {
            base
        } else if flavor == Flavor::Mkdocs {
            format!("{base}_{count}")
        } else {
            format!("{base}-{count}")
        };
        *count += 1;
        anchor
    }
}

/// Scan the body of a page. `body_offset` is where the body starts in the file:
/// every range returned is a range of the whole file.
pub fn scan(text: &str, body_offset: usize) -> Scan {
    scan_in(text, body_offset, Flavor::Opswiki)
}

/// [`scan`] under a flavor's rules (its heading ids).
pub fn scan_in(text: &str, body_offset: usize, flavor: Flavor) -> Scan {
    let body = &text[body_offset..];
    let mut scan = Scan::default();
    let mut anchors = AnchorDeduper::default();
    // Headings whose section is still open (for `has_content`).
    let mut open: Vec<usize> = Vec::new();
    let mut in_heading: Option<(u8, usize, String, Option<String>)> = None;
    let mut in_code: Option<(String, usize, String)> = None;
    let mut table: Option<(Table, Vec<String>, usize, bool)> = None;
    let mut cell: Option<String> = None;
    // Inside an HTML comment that spans several events.
    let mut in_comment = false;

    let mark_content = |scan: &mut Scan, open: &[usize]| {
        for &i in open {
            scan.headings[i].has_content = true;
        }
    };

    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        let range = range.start + body_offset..range.end + body_offset;
        match event {
            Event::Start(Tag::Heading { level, ref id, .. }) => {
                let custom = id.as_ref().map(|i| i.to_string()).filter(|i| !i.is_empty());
                in_heading = Some((level as u8, range.start, String::new(), custom));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, start, text, custom)) = in_heading.take() {
                    while let Some(&last) = open.last() {
                        if scan.headings[last].level >= level {
                            open.pop();
                        } else {
                            break;
                        }
                    }
                    let anchor = match custom {
                        Some(id) => anchors.unique(id, flavor),
                        None => anchors.next_in(&text, flavor),
                    };
                    scan.headings.push(Heading {
                        level,
                        text: text.trim().to_string(),
                        anchor,
                        range: start..range.end,
                        has_content: false,
                    });
                    // A sub-heading alone is not content: its text is, and it
                    // marks every open parent section when it comes.
                    open.push(scan.headings.len() - 1);
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, text, _)) = in_heading.as_mut() {
                    text.push_str(&t);
                } else if let Some((_, _, code)) = in_code.as_mut() {
                    code.push_str(&t);
                } else {
                    if let Some(c) = cell.as_mut() {
                        c.push_str(&t);
                    }
                    if !t.trim().is_empty() {
                        mark_content(&mut scan, &open);
                    }
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                // Content starts on the line after the fence.
                let content_offset = text[range.clone()]
                    .find('\n')
                    .map_or(range.start, |i| range.start + i + 1);
                in_code = Some((info, content_offset, String::new()));
                mark_content(&mut scan, &open);
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((info, content_offset, code)) = in_code.take() {
                    let lang = info.split_whitespace().next().unwrap_or("");
                    if lang == "triage" {
                        scan.fenced.push(FencedBlock {
                            info,
                            text: code,
                            content_offset,
                        });
                    }
                }
            }
            // `<ops@example.com>` is an email address, not a page.
            Event::Start(Tag::Link {
                link_type: LinkType::Email,
                ref dest_url,
                ..
            }) => scan.links.push(LinkRef {
                dest: format!("mailto:{dest_url}"),
                range: range.clone(),
                kind: LinkKind::Link,
                from_ref: None,
            }),
            Event::Start(Tag::Link { ref dest_url, .. })
            | Event::Start(Tag::Image { ref dest_url, .. }) => {
                let kind = if matches!(event, Event::Start(Tag::Image { .. })) {
                    LinkKind::Image
                } else {
                    LinkKind::Link
                };
                // Point at the destination itself when it is written inline.
                let span_text = &text[range.clone()];
                let dest_range = span_text
                    .rfind(dest_url.as_ref())
                    .filter(|_| !dest_url.is_empty())
                    .map_or(range.clone(), |i| {
                        range.start + i..range.start + i + dest_url.len()
                    });
                scan.links.push(LinkRef {
                    dest: dest_url.to_string(),
                    range: dest_range,
                    kind,
                    from_ref: None,
                });
                if in_heading.is_none() {
                    mark_content(&mut scan, &open);
                }
            }
            Event::TaskListMarker(done) => {
                scan.tasks_total += 1;
                if done {
                    scan.tasks_done += 1;
                }
                mark_content(&mut scan, &open);
            }
            Event::Html(h) | Event::InlineHtml(h) if in_heading.is_none() => {
                // An HTML comment (a template's placeholder) is not content.
                let visible = html_outside_comments(&h, &mut in_comment);
                if visible.contains('<') {
                    html_ids(&visible, &mut scan.html_anchors);
                }
                if !visible.trim().is_empty() {
                    mark_content(&mut scan, &open);
                }
            }
            // `## <a id="old-name"></a>Title`: an id kept for old links.
            Event::Html(h) | Event::InlineHtml(h) => html_ids(&h, &mut scan.html_anchors),
            Event::Rule | Event::FootnoteReference(_) => mark_content(&mut scan, &open),
            Event::Start(Tag::Table(_)) => {
                table = Some((
                    Table {
                        under_heading: scan.headings.len().checked_sub(1),
                        ..Table::default()
                    },
                    Vec::new(),
                    range.start,
                    false,
                ));
                mark_content(&mut scan, &open);
            }
            Event::Start(Tag::TableHead) => {
                if let Some(t) = table.as_mut() {
                    t.3 = true;
                }
            }
            Event::End(TagEnd::TableHead) => {
                if let Some((t, cells, _, in_head)) = table.as_mut() {
                    t.header = std::mem::take(cells);
                    *in_head = false;
                }
            }
            Event::Start(Tag::TableRow) => {
                if let Some(t) = table.as_mut() {
                    t.2 = range.start;
                }
            }
            Event::End(TagEnd::TableRow) => {
                if let Some((t, cells, start, _)) = table.as_mut() {
                    t.rows.push((*start, std::mem::take(cells)));
                }
            }
            Event::Start(Tag::TableCell) => cell = Some(String::new()),
            Event::End(TagEnd::TableCell) => {
                if let (Some(c), Some((_, cells, _, _))) = (cell.take(), table.as_mut()) {
                    cells.push(c.trim().to_string());
                }
            }
            Event::End(TagEnd::Table) => {
                if let Some((t, _, _, _)) = table.take() {
                    scan.tables.push(t);
                }
            }
            _ => {}
        }
    }
    scan
}

/// The parts of an HTML fragment outside `<!-- ... -->` comments; `in_comment`
/// carries a comment left open across fragments (HTML blocks come line by line).
fn html_outside_comments(html: &str, in_comment: &mut bool) -> String {
    let mut out = String::new();
    let mut rest = html;
    loop {
        if *in_comment {
            match rest.find("-->") {
                Some(end) => {
                    rest = &rest[end + 3..];
                    *in_comment = false;
                }
                None => return out,
            }
        } else {
            match rest.find("<!--") {
                Some(start) => {
                    out.push_str(&rest[..start]);
                    rest = &rest[start + 4..];
                    *in_comment = true;
                }
                None => {
                    out.push_str(rest);
                    return out;
                }
            }
        }
    }
}

/// What the renderer needs from the site.
pub struct RenderContext<'a> {
    /// Anchors of this page's headings, in order (from [`scan`]).
    pub headings: &'a [Heading],
    /// Rewrites a link destination; `None` leaves it as written.
    pub rewrite_link: &'a dyn Fn(&str) -> Option<String>,
    /// Renders a fenced block with a special info string (`triage`), if known.
    pub render_fenced: &'a dyn Fn(&str, &str) -> Option<String>,
    /// Clean the HTML the author wrote (`raw_html: sanitize`).
    pub sanitize: bool,
    /// (heading id, another spelling of it that links use): each gets an
    /// empty element with that id in the heading, so the browser lands there.
    pub anchor_aliases: &'a [(String, String)],
    /// The tool the page was written for: the Markdown extensions read.
    pub flavor: crate::flavor::Flavor,
}

/// Render a page body to HTML.
pub fn render(body: &str, ctx: &RenderContext) -> String {
    render_with_text(body, ctx, None)
}

/// A page body's plain text by section, for the search index: `[0]` is the
/// text before the first heading, `[i + 1]` the text under heading `i`.
pub type SectionText = Vec<String>;

/// Render a page body to HTML and, into `text`, its plain text by section
/// (from the same parse).
pub fn render_with_text(
    body: &str,
    ctx: &RenderContext,
    mut text: Option<&mut SectionText>,
) -> String {
    let mut out = String::with_capacity(body.len() * 2);
    let mut heading_index: usize = 0;
    let mut events: Vec<Event> = Vec::new();
    let mut heading_buf: Option<(HeadingLevel, Vec<Event>)> = None;
    let mut code_buf: Option<(String, String)> = None;
    // When sanitizing, the HTML generated here (highlighted code with its copy
    // button, triage trees with their SVG) is not the author's and is not
    // cleaned: it stands in the Markdown's HTML as a placeholder, put back
    // after the cleaning. An author who types a placeholder only repeats
    // some of this generated HTML.
    let mut generated: Vec<String> = Vec::new();
    // Task-list items: the checkbox gets a `<label>` around the item's own
    // text (up to its first block: a nested list, the paragraph's end), so
    // a screen reader says what the box is for and a tap on the text ticks it.
    let mut tasks = 0usize;
    let mut label_open = false;

    // The tools' extensions (call-outs, shortcodes, ...) read the same
    // prepared text the scan read, so headings and links line up.
    let prepared = crate::extensions::prepare(body, 0, ctx.flavor);
    let rewrite_dest =
        |dest: &str, image: bool| rewrite(ctx, CowStr::Borrowed(dest), image).to_string();
    for event in crate::extensions::Events::new(&prepared, ctx.headings, &rewrite_dest) {
        let event = match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Link {
                link_type,
                dest_url: rewrite(ctx, dest_url, false),
                title,
                id,
            }),
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Image {
                link_type,
                dest_url: rewrite(ctx, dest_url, true),
                title,
                id,
            }),
            other => other,
        };
        if let Some(sink) = text.as_deref_mut() {
            collect_text(sink, &event, heading_buf.is_some());
        }
        if let Some((_, code)) = code_buf.as_mut() {
            match event {
                Event::Text(t) => code.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let (info, code) = code_buf.take().unwrap_or_default();
                    let lang = info.split_whitespace().next().unwrap_or("");
                    let html = (ctx.render_fenced)(lang, &code)
                        .unwrap_or_else(|| highlight::code_block(lang, &code));
                    if ctx.sanitize {
                        let mark = placeholder(generated.len());
                        generated.push(html);
                        events.push(Event::Html(CowStr::from(mark)));
                    } else {
                        events.push(Event::Html(CowStr::from(html)));
                    }
                }
                _ => {}
            }
            continue;
        }
        if label_open && ends_task_label(&event) {
            events.push(Event::Html(CowStr::from("</label>")));
            label_open = false;
        }
        match event {
            Event::TaskListMarker(done) => {
                tasks += 1;
                let checked = if done { " checked" } else { "" };
                events.push(Event::Html(CowStr::from(format!(
                    "<input type=\"checkbox\" class=\"task\" id=\"task-item-{tasks}\"{checked}><label for=\"task-item-{tasks}\">"
                ))));
                label_open = true;
            }
            // A table scrolls sideways inside its own box on a narrow screen;
            // the box takes the keyboard focus (and says what it holds) so the
            // hidden columns can be reached without a mouse.
            Event::Start(Tag::Table(_)) => {
                let under = heading_index
                    .checked_sub(1)
                    .and_then(|i| ctx.headings.get(i))
                    .map(|h| format!("Table: {}", h.text))
                    .unwrap_or_else(|| "Table".to_string());
                let open = format!(
                    "<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" aria-label=\"{}\">",
                    highlight::escape_html(&under)
                );
                push_generated(&mut events, &mut generated, ctx.sanitize, open);
                events.push(event);
            }
            Event::End(TagEnd::Table) => {
                events.push(event);
                push_generated(
                    &mut events,
                    &mut generated,
                    ctx.sanitize,
                    "</div>".to_string(),
                );
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                code_buf = Some((info, String::new()));
            }
            Event::Start(Tag::Heading { level, .. }) => heading_buf = Some((level, Vec::new())),
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, inner)) = heading_buf.take() {
                    let anchor = ctx
                        .headings
                        .get(heading_index)
                        .map(|h| h.anchor.clone())
                        .unwrap_or_default();
                    heading_index += 1;
                    let mut inner_html = String::new();
                    pulldown_cmark::html::push_html(&mut inner_html, inner.into_iter());
                    let n = level as u8;
                    let aliases: String = ctx
                        .anchor_aliases
                        .iter()
                        .filter(|(real, _)| *real == anchor)
                        .map(|(_, alias)| {
                            format!("<span id=\"{}\"></span>", highlight::escape_html(alias))
                        })
                        .collect();
                    let anchor = highlight::escape_html(&anchor);
                    events.push(Event::Html(CowStr::from(format!(
                        "<h{n} id=\"{anchor}\">{aliases}{inner_html}<a class=\"anchor\" href=\"#{anchor}\" aria-label=\"Link to this section\">#</a></h{n}>\n"
                    ))));
                }
            }
            other => match heading_buf.as_mut() {
                Some((_, inner)) => inner.push(other),
                None => events.push(other),
            },
        }
    }
    if label_open {
        events.push(Event::Html(CowStr::from("</label>")));
    }
    pulldown_cmark::html::push_html(&mut out, events.into_iter());
    if !ctx.sanitize {
        return out;
    }
    let mut clean = sanitize(&out);
    for (i, html) in generated.iter().enumerate() {
        clean = clean.replacen(&placeholder(i), html, 1);
    }
    clean
}

/// Where a task item's label ends: at the first block inside or after its text.
fn ends_task_label(event: &Event) -> bool {
    matches!(
        event,
        Event::End(TagEnd::Paragraph | TagEnd::Item)
            | Event::Start(
                Tag::List(_)
                    | Tag::Paragraph
                    | Tag::BlockQuote(_)
                    | Tag::CodeBlock(_)
                    | Tag::Table(_)
                    | Tag::HtmlBlock
            )
            | Event::Rule
    )
}

/// Add HTML of our own to the page: as is, or (when the author's HTML is
/// cleaned) as a placeholder put back after the cleaning.
fn push_generated(
    events: &mut Vec<Event>,
    generated: &mut Vec<String>,
    sanitize: bool,
    html: String,
) {
    if sanitize {
        let mark = placeholder(generated.len());
        generated.push(html);
        events.push(Event::Html(CowStr::from(mark)));
    } else {
        events.push(Event::Html(CowStr::from(html)));
    }
}

/// Stands for generated block `i` while the author's HTML is cleaned:
/// private-use characters, which ammonia keeps as text.
fn placeholder(i: usize) -> String {
    format!("\u{E000}opswiki-generated-{i}\u{E001}")
}

/// Clean rendered Markdown with ammonia (`raw_html: sanitize`): what
/// runbooks need stays — ammonia's default tags (`<details>`, `<summary>`,
/// `<kbd>`, tables, lists, images, ...), heading ids and their anchor links,
/// footnotes, task-list checkboxes with their labels, table alignment, `class` —
/// and everything else goes: `<script>`, `<style>`, `<iframe>`, forms, event
/// handlers (`onerror=`), `style` beyond `text-align`, and URLs whose scheme
/// is not http, https, mailto, tel or relative (so no `javascript:`,
/// `vbscript:` or `data:`, images included).
pub fn sanitize(html: &str) -> String {
    static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
        let mut b = ammonia::Builder::default();
        b.add_generic_attributes(["class", "id"])
            .add_tags(["input", "label"])
            .add_tag_attributes("label", ["for"])
            .add_tag_attributes("a", ["aria-label"])
            .add_tag_attributes("details", ["open"])
            // Call-outs (`extensions::callout`), the inline table of contents.
            .add_tag_attributes("div", ["role", "hidden"])
            .add_tag_attributes("nav", ["aria-label"])
            // `type` only as `checkbox` (an allowed value, not an allowed
            // attribute, which would take any value).
            .add_tag_attributes("input", ["checked"])
            .add_tag_attribute_values("input", "type", ["checkbox"])
            .add_tag_attributes("th", ["style"])
            .add_tag_attributes("td", ["style"])
            .filter_style_properties(HashSet::from(["text-align"]))
            .url_schemes(HashSet::from(["http", "https", "mailto", "tel"]))
            // Links are not given `rel="noopener noreferrer"`: no `target`
            // attribute survives, so no link opens a window it could reach.
            .link_rel(None);
        b
    });
    CLEANER.clean(html).to_string()
}

/// Add an event's text to the current section of `sink`; a heading's end
/// starts the next section.
fn collect_text(sink: &mut SectionText, event: &Event, in_heading: bool) {
    if sink.is_empty() {
        sink.push(String::new());
    }
    match event {
        Event::End(TagEnd::Heading(_)) => sink.push(String::new()),
        // The end of a link or emphasis is no word break: "a [post-mortem](x). The"
        // reads "post-mortem. The", not "post-mortem . The".
        Event::End(
            TagEnd::Link
            | TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Image
            | TagEnd::Superscript
            | TagEnd::Subscript,
        ) => {}
        _ if in_heading => {}
        Event::Text(t) | Event::Code(t) => {
            if let Some(section) = sink.last_mut() {
                section.push_str(t);
            }
        }
        Event::SoftBreak | Event::HardBreak | Event::End(_) => {
            if let Some(section) = sink.last_mut()
                && !section.ends_with(char::is_whitespace)
                && !section.is_empty()
            {
                section.push(' ');
            }
        }
        _ => {}
    }
}

fn rewrite<'a>(ctx: &RenderContext, dest: CowStr<'a>, image: bool) -> CowStr<'a> {
    let refused = if image {
        !is_safe_image_url(&dest)
    } else {
        is_script_url(&dest)
    };
    if refused {
        // Never emit a link that runs code.
        return CowStr::from("#");
    }
    match (ctx.rewrite_link)(&dest) {
        Some(new) => CowStr::from(new),
        None => dest,
    }
}

/// URLs never emitted as a link: `javascript:`, `vbscript:` and `data:`
/// (ignoring case and the whitespace and control characters browsers skip).
/// A `data:` link is refused whatever its type: `data:text/html` runs code,
/// and no type is worth the doubt in a link.
pub fn is_script_url(dest: &str) -> bool {
    let cleaned = scheme_prefix(dest);
    cleaned.starts_with("javascript:")
        || cleaned.starts_with("vbscript:")
        || cleaned.starts_with("data:")
}

/// An image source that may be emitted: not a script URL, except `data:`
/// images of the raster types (`png`, `jpeg`, `gif`, `webp`, `avif`), which
/// cannot run code; `data:image/svg+xml` stays refused.
pub fn is_safe_image_url(dest: &str) -> bool {
    let cleaned = scheme_prefix(dest);
    if cleaned.starts_with("data:") {
        return ["png", "jpeg", "jpg", "gif", "webp", "avif"]
            .iter()
            .any(|t| {
                cleaned
                    .strip_prefix("data:image/")
                    .and_then(|rest| rest.strip_prefix(t))
                    .is_some_and(|rest| rest.starts_with(';') || rest.starts_with(','))
            });
    }
    !is_script_url(dest)
}

/// The start of a URL as a browser reads its scheme: lower case, without
/// whitespace and control characters.
fn scheme_prefix(dest: &str) -> String {
    dest.chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .take(24)
        .collect::<String>()
        .to_ascii_lowercase()
}

/// `url` if it may be emitted as a link (`href`), `None` for a script URL:
/// for URLs that do not come from Markdown (an alarm's or a post-mortem's
/// external runbook, a tree's external target).
pub fn safe_href(url: &str) -> Option<String> {
    (!is_script_url(url)).then(|| url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_ids_as_a_browser_reads_them() {
        let mut ids = Vec::new();
        for fragment in [
            r#"<a name="old-name"></a>"#,
            "<DIV class=x ID='Mixed_Case'>",
            "<span id=bare/>",
            r#"<p name="not-a-target" data-id="nor-this" id="">"#,
            r#"<a href="x" id = "spaced" name="both">"#,
            r#"<h2 id="a&amp;b">"#,
            "text id=\"outside-a-tag\"",
            "</a id=\"end-tag\">",
        ] {
            html_ids(fragment, &mut ids);
        }
        assert_eq!(
            ids,
            ["old-name", "Mixed_Case", "bare/", "spaced", "both", "a&b"]
        );
    }

    #[test]
    fn anchors_follow_github() {
        assert_eq!(anchor_base("Diagnosis Steps:"), "diagnosis-steps");
        assert_eq!(anchor_base("Check p99 (API) — now!"), "check-p99-api--now");
        assert_eq!(anchor_base("snake_case-and-dash"), "snake_case-and-dash");
        let mut d = AnchorDeduper::default();
        assert_eq!(d.next("Verify"), "verify");
        assert_eq!(d.next("Verify"), "verify-1");
        assert_eq!(d.next("Verify"), "verify-2");
    }

    #[test]
    fn scan_sections_links_tasks() {
        let text = "---\nx: 1\n---\n# T\n\n## Empty\n\n## Full\n\ntext [a](runbooks/x#y)\n\n### Sub\n\n- [x] one\n- [ ] two\n";
        let s = scan(text, 12);
        let names: Vec<_> = s
            .headings
            .iter()
            .map(|h| (h.anchor.as_str(), h.has_content))
            .collect();
        assert_eq!(
            names,
            vec![("t", true), ("empty", false), ("full", true), ("sub", true)]
        );
        assert_eq!(s.links.len(), 1);
        assert_eq!(&text[s.links[0].range.clone()], "runbooks/x#y");
        assert_eq!((s.tasks_done, s.tasks_total), (1, 2));
    }

    #[test]
    fn comments_and_bare_sub_headings_are_not_content() {
        let text = "## A\n\n<!--\nfill me\n-->\n\n## B\n\n### Sub\n\n## C\n\n<!-- x --> real\n";
        let s = scan(text, 0);
        let names: Vec<_> = s
            .headings
            .iter()
            .map(|h| (h.anchor.as_str(), h.has_content))
            .collect();
        assert_eq!(
            names,
            vec![("a", false), ("b", false), ("sub", false), ("c", true)]
        );
    }

    #[test]
    fn scan_reads_tables_and_triage_blocks() {
        let text = "## Action Items\n\n| Action | Owner |\n|---|---|\n| Fix | @me |\n\n```triage\nSymptom: x\n```\n";
        let s = scan(text, 0);
        assert_eq!(s.tables[0].header, vec!["Action", "Owner"]);
        assert_eq!(s.tables[0].rows[0].1, vec!["Fix", "@me"]);
        assert_eq!(s.tables[0].under_heading, Some(0));
        assert_eq!(s.fenced[0].text, "Symptom: x\n");
        assert_eq!(&text[s.fenced[0].content_offset..][..8], "Symptom:");
    }

    #[test]
    fn render_rewrites_links_and_anchors_headings() {
        let body = "## Steps\n\n[a](x.md) [b](javascript:alert(1))\n";
        let s = scan(body, 0);
        let rewrite = |d: &str| (d == "x.md").then(|| "../x/index.html".to_string());
        let none = |_: &str, _: &str| None;
        let html = render(
            body,
            &RenderContext {
                headings: &s.headings,
                rewrite_link: &rewrite,
                render_fenced: &none,
                sanitize: false,
                anchor_aliases: &[],
                flavor: crate::flavor::Flavor::Opswiki,
            },
        );
        assert!(
            html.contains("<h2 id=\"steps\">Steps<a class=\"anchor\" href=\"#steps\""),
            "{html}"
        );
        assert!(html.contains("href=\"../x/index.html\""));
        assert!(html.contains("href=\"#\""));
        assert!(!html.contains("javascript:"));
    }

    fn render_sanitized(body: &str, fenced: &dyn Fn(&str, &str) -> Option<String>) -> String {
        let s = scan(body, 0);
        let keep = |_: &str| None;
        render(
            body,
            &RenderContext {
                headings: &s.headings,
                rewrite_link: &keep,
                render_fenced: fenced,
                sanitize: true,
                anchor_aliases: &[],
                flavor: crate::flavor::Flavor::Opswiki,
            },
        )
    }

    #[test]
    fn search_text_has_no_space_before_punctuation_after_a_link() {
        let body = "Write a [post-mortem](x.md). The *owner*, then **you**.\n";
        let s = scan(body, 0);
        let keep = |_: &str| None;
        let none = |_: &str, _: &str| None;
        let mut text = SectionText::new();
        render_with_text(
            body,
            &RenderContext {
                headings: &s.headings,
                rewrite_link: &keep,
                render_fenced: &none,
                sanitize: false,
                anchor_aliases: &[],
                flavor: crate::flavor::Flavor::Opswiki,
            },
            Some(&mut text),
        );
        assert_eq!(text[0].trim(), "Write a post-mortem. The owner, then you.");
    }

    #[test]
    fn sanitizing_keeps_what_runbooks_need() {
        let none = |_: &str, _: &str| None;
        let body = "## Steps\n\n\
            <details open><summary>More</summary>\n\n<kbd>Ctrl</kbd> text\n\n</details>\n\n\
            - [x] done\n- [ ] todo\n\n\
            | a | b |\n|:-:|--:|\n| 1 | 2 |\n\n\
            Note[^1].\n\n[^1]: The note.\n\n\
            ```sh\necho hi\n```\n\n\
            [rel](../x/) [abs](https://example.com/a?b=c) [mail](mailto:a@example.com)\n\n\
            ![i](img.png)\n";
        let html = render_sanitized(body, &none);
        for kept in [
            "<h2 id=\"steps\">Steps<a class=\"anchor\" href=\"#steps\" aria-label=\"Link to this section\">#</a></h2>",
            "<details open=\"\"><summary>More</summary>",
            "<kbd>Ctrl</kbd>",
            "type=\"checkbox\"",
            "checked=\"\"",
            "style=\"text-align:center\"",
            "class=\"footnote-reference\"",
            "class=\"footnote-definition\"",
            "<button class=\"copy\" type=\"button\" aria-label=\"Copy all commands\">Copy all</button>",
            "<pre class=\"code\" data-lang=\"sh\" tabindex=\"0\" role=\"region\" aria-label=\"Code, sh\">",
            "<input type=\"checkbox\" class=\"task\" id=\"task-item-1\" checked=\"\"><label for=\"task-item-1\">done</label>",
            "<label for=\"task-item-2\">todo</label>",
            "<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" aria-label=\"Table: Steps\"><table>",
            "href=\"../x/\"",
            "href=\"https://example.com/a?b=c\"",
            "href=\"mailto:a@example.com\"",
            "<img src=\"img.png\" alt=\"i\">",
        ] {
            assert!(html.contains(kept), "`{kept}` lost:\n{html}");
        }
        assert!(!html.contains('\u{E000}'), "a placeholder left:\n{html}");
        assert!(!html.contains("rel=\"noopener"), "{html}");
    }

    #[test]
    fn sanitizing_removes_what_could_run() {
        let none = |_: &str, _: &str| None;
        let body = "<script>alert(1)</script>\n\n\
            <p onclick=\"alert(2)\">p</p> <img src=x onerror=alert(3)>\n\n\
            <a href=\"javascript:alert(4)\">a</a> <a href=\"JaVa&#x09;Script:alert(5)\">b</a>\n\n\
            <iframe src=\"https://evil.example\"></iframe><style>body{}</style>\n\n\
            <form action=\"/x\"><input type=\"text\" name=\"q\"></form>\n\n\
            <a href=\"data:text/html,x\">d</a> <img src=\"data:image/svg+xml,<svg onload=alert(6)>\">\n\n\
            <div style=\"position:fixed\">s</div> <object data=\"x.swf\"></object>\n\n\
            ## Title <img src=x onerror=alert(7)>\n";
        let html = render_sanitized(body, &none);
        let lower = html.to_ascii_lowercase();
        for gone in [
            "<script",
            "onclick",
            "onerror",
            "javascript",
            "<iframe",
            "<style",
            "<form",
            "type=\"text\"",
            "data:",
            "position",
            "<object",
            "alert(1)",
        ] {
            assert!(!lower.contains(gone), "`{gone}` kept:\n{html}");
        }
        // The text stays, as text.
        assert!(html.contains(">a</a>") && html.contains(">p</p>"), "{html}");
    }

    #[test]
    fn generated_blocks_are_not_sanitized() {
        let tree = |lang: &str, _: &str| {
            (lang == "triage")
                .then(|| "<svg class=\"tree\"><g><text>t</text></g></svg>".to_string())
        };
        let html = render_sanitized(
            "```triage\nx\n```\n\n<svg><script>x</script></svg>\n",
            &tree,
        );
        assert!(
            html.contains("<svg class=\"tree\"><g><text>t</text></g></svg>"),
            "{html}"
        );
        assert_eq!(
            html.matches("<svg").count(),
            1,
            "the author's SVG goes:\n{html}"
        );
    }

    #[test]
    fn script_urls_in_every_spelling() {
        for bad in [
            "javascript:alert(1)",
            " JaVaScRiPt:alert(1)",
            "java\tscript:x",
            "java\u{0}script:x",
            "vbscript:x",
            "data:text/html,x",
            "DATA:image/svg+xml,x",
            "data:application/x",
        ] {
            assert!(is_script_url(bad), "{bad:?}");
            assert!(safe_href(bad).is_none(), "{bad:?}");
        }
        for ok in [
            "https://x",
            "../a.md",
            "#x",
            "mailto:a@b",
            "javascript.md",
            "/data:x",
        ] {
            assert!(!is_script_url(ok), "{ok:?}");
        }
        assert!(is_safe_image_url("data:image/png;base64,AAAA"));
        assert!(is_safe_image_url("img.png"));
        assert!(!is_safe_image_url("data:image/svg+xml;base64,AAAA"));
        assert!(!is_safe_image_url("data:image/pngx,AAAA"));
        assert!(!is_safe_image_url("javascript:x"));
    }
}
