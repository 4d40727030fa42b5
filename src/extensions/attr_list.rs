//! Python-Markdown attribute lists (`flavor: mkdocs`): `{: .class #id key="value" }`
//! (the colon optional) right after a link or an image, or alone on a line
//! after a block.
//!
//! After a link or image the safe ones are applied: classes, an id, `target`
//! (with `rel="noopener"` added), `rel`, `title`, and an image's numeric
//! `width`/`height`. Everything else (`style`, event handlers, ...) is
//! dropped. Block attribute lists are dropped: the block renders as it would
//! without them. None is ever shown as text. (Heading attribute lists,
//! `## Title {: #id }`, are heading ids: pulldown-cmark reads them.)

/// An attribute list as written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AttrList {
    pub id: Option<String>,
    pub classes: Vec<String>,
    pub pairs: Vec<(String, String)>,
}

/// The attribute list starting at `text`'s first byte (`{`), on one line,
/// and its length in bytes.
pub fn parse(text: &str) -> Option<(AttrList, usize)> {
    let rest = text.strip_prefix('{')?;
    let line_end = rest.find('\n').unwrap_or(rest.len());
    let bytes = rest.as_bytes();
    let mut list = AttrList::default();
    let mut i = 0;
    if bytes.first() == Some(&b':') {
        i += 1;
    }
    loop {
        while i < line_end && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= line_end {
            return None;
        }
        if bytes[i] == b'}' {
            let empty = list == AttrList::default();
            return (!empty).then_some((list, i + 2));
        }
        let start = i;
        while i < line_end && !bytes[i].is_ascii_whitespace() && !matches!(bytes[i], b'}' | b'=') {
            i += 1;
        }
        let word = &rest[start..i];
        if let Some(class) = word.strip_prefix('.') {
            list.classes.push(class.to_string());
        } else if let Some(id) = word.strip_prefix('#') {
            list.id = Some(id.to_string());
        } else if bytes.get(i) == Some(&b'=') && !word.is_empty() {
            i += 1;
            let value = match bytes.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    let end = rest[i + 1..line_end].find(q as char)? + i + 1;
                    let v = &rest[i + 1..end];
                    i = end + 1;
                    v
                }
                _ => {
                    let s = i;
                    while i < line_end && !bytes[i].is_ascii_whitespace() && bytes[i] != b'}' {
                        i += 1;
                    }
                    &rest[s..i]
                }
            };
            list.pairs
                .push((word.to_ascii_lowercase(), value.to_string()));
        } else if word.is_empty() {
            return None;
        }
    }
}

/// Whether a whole line is only an attribute list.
pub fn is_block_line(line: &str) -> bool {
    let t = line.trim();
    t.starts_with('{') && parse(t).is_some_and(|(_, len)| len == t.len())
}

fn safe_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The attributes to write on a link (`image: false`) or an image: each
/// ` name="value"`, escaped.
pub fn html_attributes(list: &AttrList, image: bool) -> String {
    let mut out = String::new();
    if let Some(id) = list.id.as_deref().filter(|id| safe_name(id)) {
        out.push_str(&format!(" id=\"{id}\""));
    }
    let classes: Vec<&str> = list
        .classes
        .iter()
        .map(String::as_str)
        .filter(|c| safe_name(c))
        .collect();
    if !classes.is_empty() {
        out.push_str(&format!(" class=\"{}\"", classes.join(" ")));
    }
    let mut rel: Option<String> = None;
    for (key, value) in &list.pairs {
        match key.as_str() {
            "target" if !image && safe_name(value) => {
                out.push_str(&format!(" target=\"{value}\""));
                rel.get_or_insert_with(|| "noopener".to_string());
            }
            "rel" if !image => rel = Some(value.clone()),
            "title" => out.push_str(&format!(" title=\"{}\"", super::escape(value))),
            "width" | "height"
                if image && value.bytes().all(|b| b.is_ascii_digit()) && !value.is_empty() =>
            {
                out.push_str(&format!(" {key}=\"{value}\""));
            }
            _ => {}
        }
    }
    if let Some(rel) = rel {
        out.push_str(&format!(" rel=\"{}\"", super::escape(&rel)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_mkdocs_authors_write() {
        let (l, len) = parse("{:target=\"_blank\"} more").unwrap();
        assert_eq!(len, 18);
        assert_eq!(l.pairs, vec![("target".to_string(), "_blank".to_string())]);
        let (l, _) = parse("{ .big #top width=300 }").unwrap();
        assert_eq!((l.id.as_deref(), l.classes.len()), (Some("top"), 1));
        assert_eq!(
            html_attributes(&l, true),
            " id=\"top\" class=\"big\" width=\"300\""
        );
        assert!(parse("{ not closed").is_none());
        assert!(parse("{}").is_none());
        assert!(is_block_line("  {: .note }  "));
        assert!(!is_block_line("{: .note } text"));
    }

    #[test]
    fn only_safe_attributes_are_written() {
        let (l, _) = parse("{: onclick=\"alert(1)\" style=\"x\" target=_blank .a\"b }").unwrap();
        assert_eq!(
            html_attributes(&l, false),
            " target=\"_blank\" rel=\"noopener\""
        );
    }
}
