//! A triage tree written in a page as a fenced ```` ```triage ```` block, in
//! the operations handbook's notation:
//!
//! ```text
//! Symptom: Users report errors
//!   │
//!   ├── Check: API error rate dashboard
//!   │   ├── Error rate elevated? → Runbook: API Error Rate Spike
//!   │   └── Normal? → Continue diagnosis
//!   │
//!   └── Check: Health check endpoints
//!       ├── Endpoint down? → Runbook: Service Outage
//!       └── All healthy? → Escalate to engineering for investigation
//! ```
//!
//! Each line is read on its own, after its drawing (`│ ├── └──`, or ASCII
//! `| |-- `-- +--`) is set aside: `Symptom:` names the tree, `Check:` starts
//! a node (checks are taken in order), and `ANSWER → TARGET` is an option of
//! the check above it. A target is `Runbook: NAME` (a runbook's title or a
//! link), `Continue ...` (the next check), `Check: TEXT` or `Next: TEXT` (the
//! check of that text), or `Escalate ...` (the end). `->` is accepted for
//! `→`. Lines and columns are those of the page's file.

use crate::diag::{Code, Diagnostic, Span};
use crate::markdown::{AnchorDeduper, FencedBlock};
use crate::source::SourceFile;

use super::{Choice, Dest, DestKind, Node, Origin, Resolved, Tree, Written};

const NOTATION_HELP: &str = "each line is `Symptom: ...`, `Check: ...` or `ANSWER → TARGET`, where TARGET is `Runbook: NAME`, `Continue ...`, `Check: TEXT` or `Escalate ...`";

/// Arrows accepted between an answer and its target.
const ARROWS: [&str; 3] = ["→", "->", "⟶"];

/// Drawing characters that only continue a branch (`│`, ASCII `|`).
const RAILS: [char; 6] = [' ', '\t', '│', '┃', '║', '|'];
/// Characters that open a branch (`├──`, `└──`, ASCII `` `-- `` and `+--`).
const BRANCHES: [char; 9] = ['├', '└', '╰', '┣', '┗', '╠', '╚', '`', '+'];
const DASHES: [char; 4] = ['─', '━', '═', '-'];

/// One line of the block, its drawing set aside.
struct Line<'a> {
    /// 1-based line in the file.
    number: u32,
    /// The line as it is in the file (for columns).
    in_file: &'a str,
    /// The line as it is in the block.
    in_block: &'a str,
    /// What follows the drawing, without trailing space.
    content: &'a str,
    /// Byte offset of `content` in `in_block`.
    at: usize,
    /// Whether the drawing opens a branch (`├──`, `|--`, ...).
    branch: bool,
}

impl Line<'_> {
    /// The span of `part` (a slice of `content`) in the file.
    fn span(&self, file: &SourceFile, part: &str) -> Span {
        let offset_in_content = part.as_ptr() as usize - self.content.as_ptr() as usize;
        let in_block = self.at + offset_in_content;
        // A block indented in a list or quote loses that indentation in the
        // block's text: the file line ends with the block line.
        let byte = if self.in_file.ends_with(self.in_block) {
            self.in_file.len() - self.in_block.len() + in_block
        } else {
            in_block.min(self.in_file.len())
        };
        let column = self.in_file.get(..byte).map_or(byte, |s| s.chars().count()) as u32 + 1;
        file.span_at(self.number, column)
            .with_len(part.chars().count())
    }
}

/// Set the drawing at the start of a line aside: (byte offset of the
/// content, whether a branch opens there).
fn drawing(line: &str) -> (usize, bool) {
    let mut rest = line;
    let mut branch = false;
    loop {
        let t = rest.trim_start_matches(RAILS);
        let marker = t.chars().next().filter(|c| BRANCHES.contains(c));
        let after_marker = marker.map_or(t, |c| &t[c.len_utf8()..]);
        let after_dashes = after_marker.trim_start_matches(DASHES);
        let dashed = after_dashes.len() < after_marker.len();
        let box_marker = marker.is_some_and(|c| c != '`' && c != '+');
        let opens = (marker.is_some() && dashed) || box_marker;
        let ascii_dashes =
            marker.is_none() && (t.starts_with("--") || t.starts_with(['─', '━', '═']));
        if opens || ascii_dashes {
            branch = true;
            rest = after_dashes;
        } else {
            rest = t;
            break;
        }
    }
    (line.len() - rest.len(), branch)
}

/// `prefix` at the start of `text`, ignoring ASCII case: the rest.
fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    text.get(..prefix.len())
        .filter(|head| head.eq_ignore_ascii_case(prefix))
        .map(|_| &text[prefix.len()..])
}

/// The first arrow in `text`: (byte offset, length).
fn find_arrow(text: &str) -> Option<(usize, usize)> {
    ARROWS
        .iter()
        .filter_map(|a| text.find(a).map(|i| (i, a.len())))
        .min()
}

/// Read one block. `at` is (page index, block index among the page's triage
/// blocks); `slugs` keeps the slugs of one page's trees unique.
pub fn read(
    file: &SourceFile,
    source: usize,
    at: (usize, usize),
    block: &FencedBlock,
    slugs: &mut AnchorDeduper,
) -> (Option<Tree>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let (first_line, _) = file.line_col(block.content_offset);
    let first_span = file.span_at(first_line, 1);

    let mut title: Option<Written> = None;
    let mut nodes: Vec<Node> = Vec::new();
    let mut ids = AnchorDeduper::default();
    let mut offset = block.content_offset;
    for (i, in_block) in block.text.split('\n').enumerate() {
        let end = file.text[offset.min(file.text.len())..]
            .find('\n')
            .map_or(file.text.len(), |e| offset + e);
        let in_file = file.text.get(offset..end).unwrap_or("");
        offset = end + 1;
        let (at_content, branch) = drawing(in_block);
        let line = Line {
            number: first_line + i as u32,
            in_file,
            in_block,
            content: in_block[at_content..].trim_end(),
            at: at_content,
            branch,
        };
        if line.content.is_empty() {
            continue;
        }
        if let Some(rest) = strip_prefix_ci(line.content, "symptom:") {
            let text = rest.trim();
            if title.is_some() || !nodes.is_empty() {
                diags.push(invalid(
                    line.span(file, line.content),
                    "a second `Symptom:` in one triage block: write one tree per block",
                ));
            } else {
                title = Some(Written {
                    text: text.to_string(),
                    span: line.span(file, text),
                });
            }
        } else if let Some(rest) = strip_prefix_ci(line.content, "check:") {
            let text = rest.trim();
            let id = if text.is_empty() {
                format!("check-{}", nodes.len() + 1)
            } else {
                ids.next(text)
            };
            nodes.push(Node {
                id,
                span: line.span(file, line.content),
                check: Written {
                    text: text.to_string(),
                    span: if text.is_empty() {
                        line.span(file, line.content)
                    } else {
                        line.span(file, text)
                    },
                },
                options: Vec::new(),
            });
        } else if line.branch || find_arrow(line.content).is_some() {
            match nodes.last_mut() {
                Some(node) => node.options.push(read_option(file, &line)),
                None => diags.push(invalid(
                    line.span(file, line.content),
                    "an answer before the first `Check:` line",
                )),
            }
        } else if title.is_none() && nodes.is_empty() {
            // A first line without `Symptom:` still names the tree.
            title = Some(Written {
                text: line.content.to_string(),
                span: line.span(file, line.content),
            });
        } else {
            diags.push(invalid(
                line.span(file, line.content),
                format!("cannot read `{}` as part of a triage tree", line.content),
            ));
        }
    }

    if nodes.is_empty() {
        diags.push(invalid(
            title.as_ref().map_or(first_span, |t| t.span.clone()),
            "this triage block has no `Check:` line",
        ));
        return (None, diags);
    }

    // `Continue` goes on to the next check; `Check: TEXT` to the check of that text.
    let count = nodes.len();
    for (n, node) in nodes.iter_mut().enumerate() {
        for choice in &mut node.options {
            for dest in &mut choice.targets {
                if let DestKind::Next { name, node } = &mut dest.kind
                    && name.is_empty()
                {
                    *node = (n + 1 < count).then_some(n + 1);
                }
            }
        }
    }
    let (title_text, span) = match title {
        Some(t) if !t.text.is_empty() => (t.text, t.span),
        Some(t) => (nodes[0].check.text.clone(), t.span),
        None => (nodes[0].check.text.clone(), first_span),
    };
    let slug = if title_text.is_empty() {
        slugs.next("triage")
    } else {
        slugs.next(&title_text)
    };
    let mut tree = Tree {
        slug,
        title: title_text,
        origin: Origin::Fenced {
            page: at.0,
            block: at.1,
        },
        source,
        span,
        start: None,
        start_node: Some(0),
        nodes,
    };
    let lookup = super::NodeLookup::new(&tree);
    let named: Vec<(usize, usize, usize, Option<usize>)> = tree
        .nodes
        .iter()
        .enumerate()
        .flat_map(|(n, node)| {
            node.options.iter().enumerate().flat_map(move |(o, c)| {
                c.targets.iter().enumerate().map(move |(t, d)| (n, o, t, d))
            })
        })
        .filter_map(|(n, o, t, d)| match &d.kind {
            DestKind::Next { name, .. } if !name.is_empty() => Some((n, o, t, lookup.find(name))),
            _ => None,
        })
        .collect();
    for (n, o, t, found) in named {
        if let DestKind::Next { node, .. } = &mut tree.nodes[n].options[o].targets[t].kind {
            *node = found;
        }
    }
    (Some(tree), diags)
}

fn invalid(span: Span, message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(Code::TreeInvalid, span, message).with_help(NOTATION_HELP)
}

/// `ANSWER? → TARGET [→ TARGET ...]`
fn read_option(file: &SourceFile, line: &Line) -> Choice {
    let content = line.content;
    let (answer_part, mut rest) = match find_arrow(content) {
        Some((i, len)) => (&content[..i], Some(&content[i + len..])),
        None => (content, None),
    };
    let answer = answer_part.trim().trim_end_matches('?').trim_end();
    let answer = Written {
        text: answer.to_string(),
        span: if answer.is_empty() {
            line.span(file, content)
        } else {
            line.span(file, answer)
        },
    };
    let mut targets = Vec::new();
    while let Some(segment) = rest {
        let (part, next) = match find_arrow(segment) {
            Some((i, len)) => (&segment[..i], Some(&segment[i + len..])),
            None => (segment, None),
        };
        rest = next;
        let part = part.trim();
        targets.push(read_target(file, line, part));
    }
    Choice {
        answer,
        targets,
        unknown_keys: Vec::new(),
    }
}

fn read_target(file: &SourceFile, line: &Line, part: &str) -> Dest {
    let named = |rest: &str| -> (String, Span) {
        let name = rest.trim().trim_matches(['`', '"', '\'']);
        let span = if name.is_empty() {
            line.span(file, part)
        } else {
            line.span(file, name)
        };
        (name.to_string(), span)
    };
    if part.is_empty() {
        // An arrow with nothing after it: point just past the arrow.
        let span = line.span(file, part);
        return Dest {
            kind: DestKind::Invalid {
                text: String::new(),
            },
            span,
        };
    }
    if let Some(rest) = strip_prefix_ci(part, "runbook:") {
        let (name, span) = named(rest);
        return Dest {
            kind: DestKind::Runbook {
                name,
                resolved: Resolved::Pending,
            },
            span,
        };
    }
    for prefix in ["check:", "next:"] {
        if let Some(rest) = strip_prefix_ci(part, prefix) {
            let (name, span) = named(rest);
            let name = if name.is_empty() {
                // `→ Next:` with nothing after it names nothing, not the next check.
                "?".to_string()
            } else {
                name
            };
            return Dest {
                kind: DestKind::Next { name, node: None },
                span,
            };
        }
    }
    let span = line.span(file, part);
    let kind = if strip_prefix_ci(part, "continue").is_some() {
        DestKind::Next {
            name: String::new(),
            node: None,
        }
    } else if strip_prefix_ci(part, "escalate").is_some() {
        DestKind::Escalate {
            text: part.to_string(),
        }
    } else {
        DestKind::Invalid {
            text: part.to_string(),
        }
    };
    Dest { kind, span }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(body: &str) -> SourceFile {
        SourceFile::new("content/p.md".into(), "p.md".into(), body.into())
    }

    fn read_first(file: &SourceFile) -> (Option<Tree>, Vec<Diagnostic>) {
        let scan = crate::markdown::scan(&file.text, 0);
        let block = scan.fenced.first().expect("a triage block");
        read(file, 0, (0, 0), block, &mut AnchorDeduper::default())
    }

    /// What follows the drawing, and whether a branch opens.
    fn content(line: &str) -> (&str, bool) {
        let (at, branch) = drawing(line);
        (&line[at..], branch)
    }

    #[test]
    fn drawing_is_set_aside() {
        assert_eq!(content("  │   ├── Error? → X"), ("Error? → X", true));
        assert_eq!(content("  ├── Check: A"), ("Check: A", true));
        assert_eq!(content("  |   |-- A -> B"), ("A -> B", true));
        assert_eq!(content("  `-- Check: A"), ("Check: A", true));
        assert_eq!(content("      +-- A -> B"), ("A -> B", true));
        assert_eq!(content("  │"), ("", false));
        assert_eq!(content("Symptom: X"), ("Symptom: X", false));
        assert_eq!(content("-5% errors? -> X"), ("-5% errors? -> X", false));
        assert_eq!(content("+1 -> X"), ("+1 -> X", false));
    }

    #[test]
    fn unicode_and_ascii_read_alike() {
        let unicode = "```triage\nSymptom: S\n  │\n  ├── Check: A\n  │   ├── Up? → Runbook: R\n  │   └── Normal? → Continue diagnosis\n  │\n  └── Check: B\n      └── Fine? → Escalate to ops\n```\n";
        let ascii = "```triage\nSymptom: S\n  |\n  |-- Check: A\n  |   |-- Up? -> Runbook: R\n  |   `-- Normal? -> Continue diagnosis\n  |\n  `-- Check: B\n      `-- Fine? -> Escalate to ops\n```\n";
        let (a, da) = read_first(&page(unicode));
        let (b, db) = read_first(&page(ascii));
        assert!(da.is_empty() && db.is_empty(), "{da:?} {db:?}");
        let (a, b) = (a.unwrap(), b.unwrap());
        for tree in [&a, &b] {
            assert_eq!(tree.title, "S");
            assert_eq!(tree.slug, "s");
            assert_eq!(tree.nodes.len(), 2);
            assert_eq!(tree.nodes[0].id, "a");
            assert_eq!(tree.nodes[0].check.span.line, 4);
            assert_eq!(tree.nodes[0].check.span.column, 14);
            let up = &tree.nodes[0].options[0];
            assert_eq!(up.answer.text, "Up");
            assert_eq!((up.answer.span.line, up.answer.span.column), (5, 11));
            assert!(matches!(
                &up.target().unwrap().kind,
                DestKind::Runbook { name, .. } if name == "R"
            ));
            assert_eq!(
                tree.nodes[0].options[1].target().unwrap().kind,
                DestKind::Next {
                    name: String::new(),
                    node: Some(1)
                }
            );
            assert_eq!(
                tree.nodes[1].options[0].target().unwrap().kind,
                DestKind::Escalate {
                    text: "Escalate to ops".into()
                }
            );
        }
    }

    #[test]
    fn several_targets_and_bad_lines() {
        let text = "# T\n\n```triage\nSymptom: S\n├── Check: A\n│   ├── Up? → Runbook: R → Escalate now\n│   ├── Down?\n│   └── Odd? → Call Bob\nstray words\n```\n";
        let (tree, diags) = read_first(&page(text));
        let tree = tree.unwrap();
        let options = &tree.nodes[0].options;
        assert_eq!(options[0].targets.len(), 2);
        assert!(options[1].targets.is_empty());
        assert_eq!(options[1].answer.text, "Down");
        assert!(
            matches!(&options[2].targets[0].kind, DestKind::Invalid { text } if text == "Call Bob")
        );
        assert_eq!(options[2].targets[0].span.line, 8);
        assert_eq!(options[2].targets[0].span.column, 16);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, "tree-invalid");
        assert_eq!((diags[0].span.line, diags[0].span.column), (9, 1));
    }

    #[test]
    fn indented_block_keeps_file_columns() {
        let text = "- item\n\n  ```triage\n  Symptom: S\n  └── Check: A\n      └── Ok? → Escalate\n  ```\n";
        let (tree, diags) = read_first(&page(text));
        assert!(diags.is_empty(), "{diags:?}");
        let tree = tree.unwrap();
        assert_eq!(tree.span.line, 4);
        assert_eq!(tree.span.column, 12);
        assert_eq!(
            (
                tree.nodes[0].check.span.line,
                tree.nodes[0].check.span.column
            ),
            (5, 14)
        );
    }

    #[test]
    fn named_next_and_continue_after_last() {
        let text = "```triage\nSymptom: S\n├── Check: A\n│   └── x? → Check: b\n└── Check: B\n    └── y? → Continue\n```\n";
        let (tree, _) = read_first(&page(text));
        let tree = tree.unwrap();
        assert_eq!(
            tree.nodes[0].options[0].target().unwrap().kind,
            DestKind::Next {
                name: "b".into(),
                node: Some(1)
            }
        );
        assert_eq!(
            tree.nodes[1].options[0].target().unwrap().kind,
            DestKind::Next {
                name: String::new(),
                node: None
            }
        );
    }
}
