//! Front matter: split a Markdown file into its YAML header and body, and
//! parse the header with every error located in the *file*.

use crate::diag::{Code, Diagnostic};
use crate::source::SourceFile;
use crate::yaml::{self, Node, Pos};

/// A Markdown file split in two.
#[derive(Debug, Clone)]
pub struct Split {
    /// The parsed front matter (a mapping), with positions in the file.
    pub front: Option<Node>,
    /// Byte offset of the body in the file.
    pub body_offset: usize,
}

fn is_fence(line: &str) -> bool {
    line.trim_end() == "---"
}

/// Split and parse. A file without a first `---` line has no front matter.
pub fn split(file: &SourceFile) -> (Split, Vec<Diagnostic>) {
    let text = &file.text;
    let mut diags = Vec::new();
    let first_line_end = text.find('\n').unwrap_or(text.len());
    if !is_fence(&text[..first_line_end]) {
        return (
            Split {
                front: None,
                body_offset: 0,
            },
            diags,
        );
    }
    // Find the closing fence line.
    let yaml_start = (first_line_end + 1).min(text.len());
    let mut offset = yaml_start;
    let mut close = None;
    while offset < text.len() {
        let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        if is_fence(&text[offset..end]) || text[offset..end].trim_end() == "..." {
            close = Some((offset, (end + 1).min(text.len())));
            break;
        }
        offset = end + 1;
    }
    let Some((yaml_end, body_offset)) = close else {
        diags.push(
            Diagnostic::new(
                Code::FrontMatterUnclosed,
                file.span_at(1, 1).with_len(3),
                "front matter opened with `---` is never closed",
            )
            .with_help("end the front matter with a line `---`"),
        );
        return (
            Split {
                front: None,
                body_offset: text.len(),
            },
            diags,
        );
    };
    let yaml_text = &text[yaml_start..yaml_end];
    // YAML positions are relative to the fragment, which starts on line 2.
    let front = match yaml::parse(yaml_text) {
        Ok(mut node) => {
            shift(&mut node, 1);
            if node.is_null() {
                None
            } else if !node.is_map() {
                diags.push(Diagnostic::new(
                    Code::FrontMatterNotMapping,
                    file.span_at(node.pos.line, node.pos.column),
                    format!(
                        "front matter must be a mapping of `key: value`, found {}",
                        node.type_name()
                    ),
                ));
                None
            } else {
                Some(node)
            }
        }
        Err(err) => {
            diags.push(Diagnostic::new(
                Code::FrontMatterInvalid,
                file.span_at(err.pos.line + 1, err.pos.column),
                format!("invalid YAML in front matter: {}", err.message),
            ));
            None
        }
    };
    (Split { front, body_offset }, diags)
}

/// Move every position of a tree down by `lines`.
pub fn shift(node: &mut Node, lines: u32) {
    fn bump(pos: &mut Pos, lines: u32) {
        if pos.line > 0 {
            pos.line += lines;
        }
    }
    bump(&mut node.pos, lines);
    match &mut node.value {
        yaml::Value::Seq(items) => items.iter_mut().for_each(|n| shift(n, lines)),
        yaml::Value::Map(entries) => {
            for (k, v) in entries {
                bump(&mut k.pos, lines);
                shift(v, lines);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::new("content/a.md".into(), "a.md".into(), text.into())
    }

    #[test]
    fn splits_and_locates_fields_in_the_file() {
        let f = file("---\ntitle: A\nowner: me\n---\n# Body\n");
        let (s, d) = split(&f);
        assert!(d.is_empty());
        let front = s.front.unwrap();
        assert_eq!(front.get("owner").unwrap().pos.line, 3);
        assert_eq!(&f.text[s.body_offset..], "# Body\n");
    }

    #[test]
    fn yaml_error_is_located_in_the_file() {
        let f = file("---\ntitle: A\nowner: [x\nsev: P1\n---\nbody\n");
        let (_, d) = split(&f);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, "front-matter-invalid");
        assert!(d[0].span.line >= 3, "{:?}", d[0]);
    }

    #[test]
    fn no_front_matter_and_unclosed() {
        let (s, d) = split(&file("# Title\n"));
        assert!(s.front.is_none() && d.is_empty() && s.body_offset == 0);
        let (_, d) = split(&file("---\ntitle: A\n"));
        assert_eq!(d[0].code, "front-matter-unclosed");
    }
}
