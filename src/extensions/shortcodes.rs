//! Hugo shortcodes (`flavor: hugo`): `{{< name args >}}` and
//! `{{% name args %}}`, paired with `{{< /name >}}` or standing alone.
//!
//! There is no parser of Hugo's shortcode syntax outside Hugo; this one reads
//! what Hugo's lexer reads (`hugolib/shortcodeparser.go`): a name, then
//! positional or `key=value` arguments, each bare, `"quoted"` (with `\"`) or
//! `` `raw` ``, and `{{</* … */>}}` as the way to write a shortcode as text.
//! What each known shortcode renders is in [`render_of`]; an unknown one is a
//! `shortcode-unknown` warning and renders as nothing (its inner text stays).
//! Shortcodes inside fenced code blocks are examples and stay as written.

use std::ops::Range;

use super::callout::{self, Fold, Style};
use super::lines::lines;
use super::{Editor, MarkKind, RefKind, RefLink, escape};
use crate::diag::Code;

/// How far a shortcode may run before its `>}}` (a bound, so text full of
/// stray `{{<` stays linear).
const MAX_LEN: usize = 4096;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Arg {
    pub key: Option<String>,
    pub value: String,
    /// Byte range of the value in the file, without its quotes.
    pub range: Range<usize>,
    pub quoted: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Shortcode {
    /// From `{{` to `}}`, in the file.
    pub range: Range<usize>,
    pub closing: bool,
    pub self_closing: bool,
    pub name: String,
    pub name_range: Range<usize>,
    pub args: Vec<Arg>,
}

impl Shortcode {
    fn named(&self, keys: &[&str]) -> Option<&Arg> {
        self.args
            .iter()
            .find(|a| a.key.as_deref().is_some_and(|k| keys.contains(&k)))
    }

    fn positional(&self, i: usize) -> Option<&Arg> {
        self.args.iter().filter(|a| a.key.is_none()).nth(i)
    }

    /// A named argument, or else the positional one at `i`.
    fn arg(&self, keys: &[&str], i: usize) -> Option<&str> {
        self.named(keys)
            .or_else(|| self.positional(i))
            .map(|a| a.value.as_str())
    }

    fn flag(&self, key: &str) -> Option<bool> {
        if let Some(a) = self.named(&[key]) {
            return Some(a.value != "false");
        }
        self.args
            .iter()
            .any(|a| a.key.is_none() && a.value == key)
            .then_some(true)
    }
}

/// Read every shortcode of `text[from..]` outside fenced code.
pub(crate) fn parse_all(text: &str, from: usize) -> Vec<Shortcode> {
    let mut out = Vec::new();
    let lines = lines(text, from);
    let mut fenced: Vec<Range<usize>> = Vec::new();
    for l in lines.iter().filter(|l| l.in_fence) {
        match fenced.last_mut() {
            Some(r) if r.end + 1 >= l.start => r.end = l.end(),
            _ => fenced.push(l.start..l.end()),
        }
    }
    let in_fence = |at: usize| {
        let i = fenced.partition_point(|r| r.end <= at);
        fenced.get(i).is_some_and(|r| r.contains(&at))
    };
    let mut at = from;
    while let Some(i) = text[at..].find("{{") {
        let start = at + i;
        at = start + 2;
        if in_fence(start) {
            continue;
        }
        if let Some(sc) = parse_one(text, start) {
            at = sc.range.end;
            out.push(sc);
        }
    }
    out
}

fn parse_one(text: &str, start: usize) -> Option<Shortcode> {
    let bytes = text.as_bytes();
    let delim = *bytes.get(start + 2)?;
    let end_delim = match delim {
        b'<' => ">}}",
        b'%' => "%}}",
        _ => return None,
    };
    // A shortcode holds no `{{`: each one is read up to the next at most,
    // so a text full of stray openings is read once.
    let next = text[start + 2..]
        .find("{{")
        .map_or(text.len(), |i| start + 2 + i);
    let mut limit = (start + MAX_LEN).min(next);
    while !text.is_char_boundary(limit) {
        limit -= 1;
    }
    let mut i = start + 3;
    let skip_ws = |i: &mut usize| {
        while *i < limit && bytes[*i].is_ascii_whitespace() {
            *i += 1;
        }
    };
    skip_ws(&mut i);
    // `{{</* x */>}}`: a shortcode written as text; rendered by the events.
    if text[i..limit].starts_with("/*") {
        return None;
    }
    let closing = bytes.get(i) == Some(&b'/');
    if closing {
        i += 1;
        skip_ws(&mut i);
    }
    let name_start = i;
    while i < limit
        && (bytes[i].is_ascii_alphanumeric()
            || matches!(bytes[i], b'-' | b'_' | b'/' | b'.')
            || bytes[i] >= 0x80)
        && !bytes[i].is_ascii_whitespace()
        && !text[i..].starts_with(end_delim)
        && !text[i..].starts_with("/>")
        && !text[i..].starts_with("/%")
    {
        i += 1;
    }
    let name = &text[name_start..i];
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '/' | '.'))
    {
        return None;
    }
    let mut args = Vec::new();
    let mut self_closing = false;
    loop {
        skip_ws(&mut i);
        if i >= limit {
            return None;
        }
        if text[i..].starts_with(end_delim) {
            i += 3;
            break;
        }
        if bytes[i] == b'/' && text[i + 1..].starts_with(end_delim) {
            self_closing = true;
            i += 4;
            break;
        }
        let (first, first_range, quoted) = token(text, &mut i, limit, end_delim)?;
        if bytes.get(i) == Some(&b'=') && !quoted {
            i += 1;
            let (value, range, quoted) = token(text, &mut i, limit, end_delim)?;
            args.push(Arg {
                key: Some(first),
                value,
                range,
                quoted,
            });
        } else {
            args.push(Arg {
                key: None,
                value: first,
                range: first_range,
                quoted,
            });
        }
    }
    Some(Shortcode {
        range: start..i,
        closing,
        self_closing,
        name: name.to_string(),
        name_range: name_start..name_start + name.len(),
        args,
    })
}

/// One argument token: `"quoted \" text"`, `` `raw` `` or bare (up to white
/// space, `=` or the end). Its value, the value's range and whether quoted.
fn token(
    text: &str,
    i: &mut usize,
    limit: usize,
    end_delim: &str,
) -> Option<(String, Range<usize>, bool)> {
    let bytes = text.as_bytes();
    match bytes[*i] {
        q @ (b'"' | b'`') => {
            let start = *i + 1;
            let mut j = start;
            let mut value = String::new();
            while j < limit && bytes[j] != q {
                if q == b'"' && bytes[j] == b'\\' && j + 1 < limit {
                    j += 1;
                }
                let c = text[j..].chars().next()?;
                value.push(c);
                j += c.len_utf8();
            }
            if j >= limit {
                return None;
            }
            *i = j + 1;
            Some((value, start..j, true))
        }
        _ => {
            let start = *i;
            while *i < limit
                && !bytes[*i].is_ascii_whitespace()
                && bytes[*i] != b'='
                && !text[*i..].starts_with(end_delim)
                && !(bytes[*i] == b'/' && text[*i + 1..].starts_with(end_delim))
            {
                *i += 1;
            }
            if *i == start {
                return None;
            }
            Some((text[start..*i].to_string(), start..*i, false))
        }
    }
}

/// What a known shortcode renders as.
#[derive(Debug, Clone, PartialEq)]
enum Render {
    /// Paired: the HTML of its start and of its end.
    Pair(String, String),
    /// Paired, its inner text code in this language (a fenced block).
    Code(String),
    /// Alone: this HTML (empty: nothing).
    Alone(String),
    Figure,
    Ref(RefKind),
    Toc,
}

/// The shortcodes opswiki knows: Hugo's own, hugo-book's, the Learn and
/// Relearn themes', Docsy's and LoveIt's most used. `None`: unknown.
fn render_of(sc: &Shortcode) -> Option<Render> {
    let name = sc.name.as_str();
    let title_or = |keys: &[&str], i: usize, default: &str| -> String {
        sc.arg(keys, i)
            .map(str::to_string)
            .unwrap_or_else(|| default.to_string())
    };
    Some(match name {
        // hugo-book `{{< hint info >}}`; Learn/Relearn `{{% notice tip "Title" %}}`.
        "hint" | "notice" => {
            let kind = sc.arg(&["type", "style"], 0).unwrap_or("note");
            let title = title_or(&["title"], 1, &callout::label(kind));
            let (open, close) = callout::html(Style::from_name(kind), kind, &title, Fold::Open);
            Render::Pair(open, close)
        }
        // LoveIt/DoIt `{{< admonition type="tip" title="x" open=false >}}`.
        "admonition" => {
            let kind = sc.arg(&["type"], 0).unwrap_or("note");
            let title = title_or(&["title"], 1, &callout::label(kind));
            let fold = match sc.arg(&["open"], 2) {
                Some("false") => Fold::Folded,
                _ => Fold::Unfolded,
            };
            let (open, close) = callout::html(Style::from_name(kind), kind, &title, fold);
            Render::Pair(open, close)
        }
        // Docsy `{{% alert title="Warning" color="warning" %}}`.
        "alert" | "callout" => {
            let color = sc.arg(&["color", "type"], 1).unwrap_or("note");
            let style = Style::from_name(color);
            let title = title_or(&["title"], 0, &callout::label(style.class()));
            let (open, close) = callout::html(style, color, &title, Fold::Open);
            Render::Pair(open, close)
        }
        // Kubernetes-style `{{< note >}}`, `{{< warning >}}`.
        "note" | "tip" | "info" | "important" | "warning" | "caution" | "danger" => {
            let title = title_or(&["title"], 0, &callout::label(name));
            let (open, close) = callout::html(Style::from_name(name), name, &title, Fold::Open);
            Render::Pair(open, close)
        }
        // Hugo's and hugo-book's `{{< details "Title" open >}}`; `{{% expand "Label" %}}`.
        "details" | "expand" => {
            let title = title_or(
                &["title", "summary"],
                0,
                if name == "expand" {
                    "Expand"
                } else {
                    "Details"
                },
            );
            let fold = if sc.flag("open") == Some(true) {
                Fold::Unfolded
            } else {
                Fold::Folded
            };
            let (open, close) = callout::html(Style::Note, "details", &title, fold);
            Render::Pair(open, close)
        }
        // Tabs show one after the other, each under its label: readable
        // without JavaScript, and printed whole.
        "tabs" | "tabpane" | "tabset" => {
            Render::Pair("<div class=\"tabs\">\n".to_string(), "</div>\n".to_string())
        }
        "tab" => {
            let title = title_or(&["title", "name", "header"], 0, "Tab");
            Render::Pair(
                format!(
                    "<section class=\"tab\">\n<p class=\"tab-title\">{}</p>\n",
                    escape(&title)
                ),
                "</section>\n".to_string(),
            )
        }
        "columns" => Render::Pair(
            "<div class=\"columns\">\n".to_string(),
            "</div>\n".to_string(),
        ),
        // A button's text stays; where it leads is lost (often a `relref`).
        "button" | "center" | "badge" => Render::Pair(String::new(), String::new()),
        "comment" => Render::Pair("<div hidden>\n".to_string(), "</div>\n".to_string()),
        "highlight" => Render::Code(sc.positional(0).map_or(String::new(), |a| a.value.clone())),
        "mermaid" => Render::Code("mermaid".to_string()),
        "katex" | "math" => Render::Code("math".to_string()),
        "figure" => Render::Figure,
        "ref" => Render::Ref(RefKind::Ref),
        "relref" => Render::Ref(RefKind::Relref),
        "toc" => Render::Toc,
        "kbd" => Render::Alone(format!(
            "<kbd>{}</kbd>",
            escape(sc.positional(0).map_or("", |a| &a.value))
        )),
        // Embeds: a link to what would play there (the wiki works offline).
        "youtube" | "vimeo" | "gist" | "tweet" | "x" | "instagram" => {
            let id = sc.arg(&["id"], 0).unwrap_or("");
            let (href, what) = match name {
                "youtube" => (
                    format!("https://www.youtube.com/watch?v={id}"),
                    "YouTube video",
                ),
                "vimeo" => (format!("https://vimeo.com/{id}"), "Vimeo video"),
                "gist" => (
                    format!(
                        "https://gist.github.com/{id}/{}",
                        sc.arg(&[], 1).unwrap_or("")
                    ),
                    "Gist",
                ),
                "instagram" => (
                    format!("https://www.instagram.com/p/{id}/"),
                    "Instagram post",
                ),
                _ => (
                    format!(
                        "https://x.com/{}/status/{}",
                        sc.arg(&["user"], 0).unwrap_or(""),
                        sc.arg(&["id"], 1).unwrap_or("")
                    ),
                    "Post",
                ),
            };
            Render::Alone(format!(
                "<p class=\"embed\"><a href=\"{}\">{what}</a></p>\n",
                escape(&href)
            ))
        }
        // Site parameters and generated lists: nothing to show here.
        "param" | "site-param" | "siteparam" | "section" | "children" | "toc-tree"
        | "attachments" | "sitemap" => Render::Alone(String::new()),
        _ => return None,
    })
}

/// Rewrite every shortcode of the body (see the module docs).
pub(crate) fn prepare(edit: &mut Editor) {
    let text = edit.original;
    if !text[edit.body_offset..].contains("{{") {
        return;
    }
    let all = parse_all(text, edit.body_offset);
    // Pair each closing shortcode with the nearest open one of its name.
    let mut partner: Vec<Option<usize>> = vec![None; all.len()];
    let mut open: Vec<usize> = Vec::new();
    for (i, sc) in all.iter().enumerate() {
        if sc.closing {
            // Looked for among the innermost few: no real page nests deeper,
            // and a page of unclosed shortcodes stays linear.
            let from = open.len().saturating_sub(64);
            if let Some(pos) = open[from..]
                .iter()
                .rposition(|&j| all[j].name == sc.name)
                .map(|p| from + p)
            {
                let j = open[pos];
                open.truncate(pos);
                partner[i] = Some(j);
                partner[j] = Some(i);
            }
        } else if !sc.self_closing {
            open.push(i);
        }
    }
    // Inside a code shortcode, everything is code.
    let mut code_until = 0;
    for (i, sc) in all.iter().enumerate() {
        if sc.range.start < code_until {
            continue;
        }
        if sc.closing {
            match partner[i].and_then(|j| render_of(&all[j])) {
                Some(Render::Pair(_, close)) => {
                    let block = is_block(&close);
                    edit.replace_with_marker(sc.range.clone(), close, block);
                }
                Some(Render::Code(_)) => {}
                // A closing tag without its opening, or of an unknown
                // shortcode (reported at its opening): nothing.
                _ => edit.replace_with_marker(sc.range.clone(), String::new(), false),
            }
            continue;
        }
        let Some(render) = render_of(sc) else {
            edit.finding(
                Code::ShortcodeUnknown,
                sc.name_range.clone(),
                format!(
                    "unknown shortcode `{}`: it renders as nothing (its inner text stays)",
                    sc.name
                ),
            );
            edit.replace_with_marker(sc.range.clone(), String::new(), false);
            continue;
        };
        match render {
            Render::Pair(open_html, _) => {
                if partner[i].is_none() && !sc.self_closing {
                    edit.finding(
                        Code::ShortcodeUnclosed,
                        sc.name_range.clone(),
                        format!(
                            "shortcode `{}` is never closed with `{{{{< /{} >}}}}`: Hugo stops the build here",
                            sc.name, sc.name
                        ),
                    );
                }
                let block = is_block(&open_html);
                edit.replace_with_marker(sc.range.clone(), open_html, block);
            }
            Render::Code(lang) => match partner[i] {
                Some(j) if fence(edit, sc, &all[j], &lang) => code_until = all[j].range.end,
                Some(_) => edit.replace_with_marker(sc.range.clone(), String::new(), false),
                None => {
                    edit.finding(
                        Code::ShortcodeUnclosed,
                        sc.name_range.clone(),
                        format!(
                            "shortcode `{}` is never closed with `{{{{< /{} >}}}}`: Hugo stops the build here",
                            sc.name, sc.name
                        ),
                    );
                    edit.replace_with_marker(sc.range.clone(), String::new(), false);
                }
            },
            Render::Alone(html) => {
                let block = is_block(&html);
                edit.replace_with_marker(sc.range.clone(), html, block);
            }
            Render::Toc => {
                edit.write_marker(sc.range.clone());
                edit.mark(sc.range.start, MarkKind::Toc);
            }
            Render::Ref(kind) => match sc.named(&["path"]).or_else(|| sc.positional(0)).cloned() {
                Some(arg) => write_ref(edit, sc, &arg, kind),
                None => edit.replace_with_marker(sc.range.clone(), String::new(), false),
            },
            Render::Figure => match sc.named(&["src"]).cloned() {
                Some(src) => write_figure(edit, sc, &src),
                None => edit.replace_with_marker(sc.range.clone(), String::new(), false),
            },
        }
    }
}

fn is_block(html: &str) -> bool {
    html.ends_with('\n')
}

/// Characters a Markdown link destination cannot hold unless in `<…>`.
fn needs_angle(dest: &str) -> bool {
    dest.chars()
        .any(|c| c.is_whitespace() || matches!(c, '(' | ')' | '<' | '>'))
}

/// `{{< ref "x.md" >}}` → `x.md` where the path was written, the rest blank.
fn write_ref(edit: &mut Editor, sc: &Shortcode, path: &Arg, kind: RefKind) {
    let range = sc.range.clone();
    edit.replace(range.start..path.range.start, "");
    edit.replace(path.range.end..range.end, "");
    if needs_angle(&path.value) && path.quoted {
        edit.put(path.range.start - 1, "<");
        edit.put(path.range.end, ">");
    }
    edit.refs.push(RefLink {
        range: path.range.clone(),
        kind,
    });
}

/// `{{< figure src="x.png" caption="c" >}}` → `![   ](x.png "  ")`, the
/// source where `src=` wrote it (so the scan's image link points there).
fn write_figure(edit: &mut Editor, sc: &Shortcode, src: &Arg) {
    let range = sc.range.clone();
    let (vs, ve) = (src.range.start, src.range.end);
    let angle = needs_angle(&src.value);
    edit.replace(range.start..vs, "");
    edit.replace(ve..range.end, "");
    edit.put(range.start, "![");
    if angle {
        edit.put(vs - 3, "](<");
        edit.put(ve, ">");
        edit.put(range.end - 1, ")");
    } else {
        edit.put(vs - 2, "](");
        if range.end - ve >= 4 {
            edit.put(ve, " \"");
            edit.put(range.end - 2, "\")");
        } else {
            edit.put(ve, ")");
        }
    }
    let title = sc.arg(&["title"], usize::MAX).unwrap_or("");
    let caption = sc.arg(&["caption"], usize::MAX).unwrap_or("");
    let alt = sc
        .arg(&["alt"], usize::MAX)
        .or_else(|| (!caption.is_empty()).then_some(caption))
        .unwrap_or(title);
    let mut close = String::new();
    if !title.is_empty() || !caption.is_empty() {
        close.push_str("<figcaption>");
        if !title.is_empty() {
            close.push_str(&format!("<strong>{}</strong>", escape(title)));
            if !caption.is_empty() {
                close.push(' ');
            }
        }
        close.push_str(&escape(caption));
        close.push_str("</figcaption>");
    }
    close.push_str("</figure>\n");
    let class = sc
        .arg(&["class"], usize::MAX)
        .map(|c| {
            c.split_whitespace()
                .map(callout::css_name)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    let open = if class.is_empty() {
        "<figure class=\"figure\">".to_string()
    } else {
        format!("<figure class=\"figure {class}\">")
    };
    edit.mark(
        range.start,
        MarkKind::Figure {
            open,
            alt: alt.to_string(),
            close,
        },
    );
}

/// `{{< highlight go >}}` … `{{< /highlight >}}` → a fenced block, when both
/// stand alone on their lines and are long enough to hold the fences.
fn fence(edit: &mut Editor, open: &Shortcode, close: &Shortcode, lang: &str) -> bool {
    let text = edit.original;
    let alone = |r: &Range<usize>| {
        let line_start = text[..r.start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[r.end..].find('\n').map_or(text.len(), |i| r.end + i);
        text[line_start..r.start].trim().is_empty()
            && text[r.end..line_end].trim().is_empty()
            && !text[r.clone()].contains('\n')
    };
    let inner = &text[open.range.end..close.range.start];
    let fence = if inner.contains("```") { "~~~" } else { "```" };
    let lang = callout::css_name(lang);
    let head = format!("{fence}{lang}");
    if !alone(&open.range)
        || !alone(&close.range)
        || open.range.len() < head.len()
        || inner.contains(fence)
    {
        return false;
    }
    edit.replace(open.range.clone(), &head);
    edit.replace(close.range.clone(), fence);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_arguments_as_hugo_does() {
        let text = r#"x {{< admonition type=tip title="A \"b\"" open=false >}} {{% notice warning `raw x` %}} {{< /hint >}} {{<figure src="a b.png"/>}}"#;
        let all = parse_all(text, 0);
        assert_eq!(all.len(), 4, "{all:#?}");
        assert_eq!(all[0].name, "admonition");
        assert_eq!(all[0].arg(&["title"], 9), Some("A \"b\""));
        assert_eq!(all[0].arg(&["open"], 9), Some("false"));
        assert_eq!(all[1].arg(&[], 1), Some("raw x"));
        assert!(all[2].closing);
        assert!(all[3].self_closing);
        assert_eq!(
            &text[all[3].named(&["src"]).unwrap().range.clone()],
            "a b.png"
        );
    }

    #[test]
    fn comments_fences_and_strays_are_not_shortcodes() {
        let text = "{{</* hint */>}}\n```\n{{< hint >}}\n```\n{{ .Title }} {{< never closed";
        assert!(parse_all(text, 0).is_empty());
    }
}
