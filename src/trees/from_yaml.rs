//! A triage tree written as a YAML file under `content/trees/`:
//!
//! ```yaml
//! title: Users report errors
//! start: api-errors
//! nodes:
//!   api-errors:
//!     check: API error rate dashboard
//!     options:
//!       - answer: Error rate elevated
//!         runbook: runbooks/api-error-rate-spike
//!       - answer: Normal
//!         next: health
//! ```
//!
//! Every value keeps the line and column the YAML parser saw it at.

use crate::diag::{Code, Diagnostic, Span};
use crate::model::page_id;
use crate::source::SourceFile;
use crate::yaml::{self, Node as Yaml, Pos};

use super::{Choice, Dest, DestKind, Node, Origin, Resolved, Tree, Written};

const SHAPE_HELP: &str = "a tree is a mapping with `title`, `start` and `nodes` (node name → `check` and `options`); see content/trees/ in `opswiki init`";

/// Read one tree file. `source` is the file's index in `Site::sources`.
pub fn read(file: &SourceFile, source: usize) -> (Option<Tree>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let invalid = |pos: Pos, message: String| {
        Diagnostic::new(Code::TreeInvalid, span(file, pos, 1), message).with_help(SHAPE_HELP)
    };
    let root = match yaml::parse(&file.text) {
        Ok(root) => root,
        Err(err) => {
            diags.push(invalid(
                err.pos,
                // The parser's hint about its own options means nothing to an author.
                format!(
                    "the tree is not valid YAML: {}",
                    err.message.split(", set ").next().unwrap_or(&err.message)
                ),
            ));
            return (None, diags);
        }
    };
    if !root.is_map() {
        let pos = if root.is_null() {
            Pos { line: 1, column: 1 }
        } else {
            root.pos
        };
        diags.push(invalid(
            pos,
            format!("a tree must be a mapping, found {}", root.type_name()),
        ));
        return (None, diags);
    }

    let slug = page_id(&file.content_path);
    let slug = slug.strip_prefix("trees/").unwrap_or(&slug).to_string();
    let title = field(file, &root, "title").and_then(|f| text_of(f, &mut diags, "title"));
    let title_span = title.as_ref().map_or_else(
        || span(file, Pos { line: 1, column: 1 }, 1),
        |t| t.span.clone(),
    );
    let title = title
        .map(|t| t.text)
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| title_from_slug(&slug));
    let start = field(file, &root, "start").and_then(|f| text_of(f, &mut diags, "start"));

    let mut nodes = Vec::new();
    match root.get("nodes") {
        None => diags.push(invalid(
            Pos { line: 1, column: 1 },
            "the tree has no `nodes:`".into(),
        )),
        Some(map) if !map.is_map() => diags.push(invalid(
            map.pos,
            format!(
                "`nodes` must map node names to nodes, found {}",
                map.type_name()
            ),
        )),
        Some(map) => {
            for (key, value) in map.entries() {
                let key_span = span(file, key.pos, key.name.chars().count());
                if let Some(node) = read_node(file, key.name.clone(), key_span, value, &mut diags) {
                    nodes.push(node);
                }
            }
        }
    }

    let mut tree = Tree {
        slug,
        title,
        origin: Origin::File,
        source,
        span: title_span,
        start,
        start_node: None,
        nodes,
    };
    tree.start_node = tree
        .start
        .as_ref()
        .and_then(|s| tree.nodes.iter().position(|n| n.id == s.text));
    // A map, not a search per `next`: a tree of 10,000 nodes took a second
    // looking each one up in a list. The first node of a name wins, as before.
    let mut names: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, n) in tree.nodes.iter().enumerate() {
        names.entry(n.id.clone()).or_insert(i);
    }
    for node in &mut tree.nodes {
        for choice in &mut node.options {
            for dest in &mut choice.targets {
                if let DestKind::Next { name, node } = &mut dest.kind {
                    *node = names.get(name.trim()).copied();
                }
            }
        }
    }
    (Some(tree), diags)
}

fn read_node(
    file: &SourceFile,
    id: String,
    key_span: Span,
    value: &Yaml,
    diags: &mut Vec<Diagnostic>,
) -> Option<Node> {
    if !value.is_map() && !value.is_null() {
        diags.push(
            Diagnostic::new(
                Code::TreeInvalid,
                node_span(file, value),
                format!(
                    "node `{id}` must be a mapping with `check` and `options`, found {}",
                    value.type_name()
                ),
            )
            .with_help(SHAPE_HELP),
        );
        return None;
    }
    let check = match field(file, value, "check") {
        Some(f) => {
            let at = f.0.clone();
            text_of(f, diags, "check").unwrap_or(Written {
                text: String::new(),
                span: at,
            })
        }
        None => Written {
            text: String::new(),
            span: key_span.clone(),
        },
    };
    let mut options = Vec::new();
    match value.get("options") {
        None => {}
        Some(list) if list.is_null() => {}
        Some(list) => match list.as_seq() {
            Some(items) => {
                for item in items {
                    options.extend(read_option(file, item, diags));
                }
            }
            None => diags.push(
                Diagnostic::new(
                    Code::TreeInvalid,
                    node_span(file, list),
                    format!("`options` must be a list, found {}", list.type_name()),
                )
                .with_help("write each option as `- answer: ...` with one of `runbook`, `next`, `escalate`"),
            ),
        },
    }
    Some(Node {
        id,
        span: key_span,
        check,
        options,
    })
}

fn read_option(file: &SourceFile, item: &Yaml, diags: &mut Vec<Diagnostic>) -> Option<Choice> {
    if !item.is_map() {
        diags.push(
            Diagnostic::new(
                Code::TreeInvalid,
                node_span(file, item),
                format!(
                    "an option must be a mapping with `answer` and a target, found {}",
                    item.type_name()
                ),
            )
            .with_help(
                "write each option as `- answer: ...` with one of `runbook`, `next`, `escalate`",
            ),
        );
        return None;
    }
    let item_span = span(file, item.pos, 1);
    let answer = match field(file, item, "answer") {
        Some(f) => {
            let at = f.0.clone();
            text_of(f, diags, "answer").unwrap_or(Written {
                text: String::new(),
                span: at,
            })
        }
        None => Written {
            text: String::new(),
            span: item_span.clone(),
        },
    };
    let mut targets = Vec::new();
    let mut unknown_keys = Vec::new();
    for (key, value) in item.entries() {
        let text = || value.as_text().unwrap_or_default().trim().to_string();
        let kind = match key.name.as_str() {
            "answer" => continue,
            "runbook" => DestKind::Runbook {
                name: text(),
                resolved: Resolved::Pending,
            },
            "next" => DestKind::Next {
                name: text(),
                node: None,
            },
            "escalate" => DestKind::Escalate { text: text() },
            other => {
                unknown_keys.push(other.to_string());
                continue;
            }
        };
        // Point at the value, or at the key when the value is empty.
        let at = if value.is_null() {
            span(file, key.pos, key.name.chars().count())
        } else {
            node_span(file, value)
        };
        targets.push(Dest { kind, span: at });
    }
    Some(Choice {
        answer,
        targets,
        unknown_keys,
    })
}

/// The value of `key` in a mapping, with where it was written: the value's
/// place, or the key's when the value is empty.
fn field(file: &SourceFile, map: &Yaml, key: &str) -> Option<(Span, Yaml)> {
    let (k, value) = map.entries().iter().find(|(k, _)| k.name == key)?;
    let at = if value.is_null() {
        span(file, k.pos, k.name.chars().count())
    } else {
        node_span(file, value)
    };
    Some((at, value.clone()))
}

/// A scalar as text; anything else is `tree-invalid`.
fn text_of((at, node): (Span, Yaml), diags: &mut Vec<Diagnostic>, key: &str) -> Option<Written> {
    if node.is_null() {
        return Some(Written {
            text: String::new(),
            span: at,
        });
    }
    match node.as_text() {
        Some(text) => Some(Written {
            text: text.trim().to_string(),
            span: at,
        }),
        None => {
            diags.push(Diagnostic::new(
                Code::TreeInvalid,
                at,
                format!("`{key}` must be text, found {}", node.type_name()),
            ));
            None
        }
    }
}

/// `users-report-errors` → `Users report errors`, for a tree with no title.
fn title_from_slug(slug: &str) -> String {
    let base = slug
        .rsplit('/')
        .next()
        .unwrap_or(slug)
        .replace(['-', '_'], " ");
    let mut chars = base.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "Triage".to_string(),
    }
}

fn span(file: &SourceFile, pos: Pos, len: usize) -> Span {
    file.span_at(pos.line.max(1), pos.column.max(1))
        .with_len(len)
}

fn node_span(file: &SourceFile, node: &Yaml) -> Span {
    let len = node.as_text().map_or(1, |t| t.chars().count());
    span(file, node.pos, len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::new(
            "content/trees/t.yaml".into(),
            "trees/t.yaml".into(),
            text.into(),
        )
    }

    #[test]
    fn reads_the_contract_example() {
        let text = "title: Users report errors\nstart: api-errors\nnodes:\n  api-errors:\n    check: API error rate dashboard\n    options:\n      - answer: Error rate elevated\n        runbook: runbooks/api-error-rate-spike\n      - answer: Normal\n        next: health\n  health:\n    check: Health check endpoints\n    options:\n      - answer: Endpoint down\n        runbook: runbooks/service-outage\n      - answer: All healthy\n        escalate: Escalate to engineering for investigation\n";
        let (tree, diags) = read(&file(text), 3);
        assert!(diags.is_empty(), "{diags:?}");
        let tree = tree.unwrap();
        assert_eq!(tree.slug, "t");
        assert_eq!(tree.title, "Users report errors");
        assert_eq!(tree.source, 3);
        assert_eq!(tree.start_node, Some(0));
        assert_eq!(tree.nodes.len(), 2);
        let api = &tree.nodes[0];
        assert_eq!(api.id, "api-errors");
        assert_eq!((api.span.line, api.span.column), (4, 3));
        assert_eq!(api.check.text, "API error rate dashboard");
        assert_eq!((api.check.span.line, api.check.span.column), (5, 12));
        let normal = &api.options[1];
        assert_eq!(normal.answer.text, "Normal");
        assert_eq!(
            (normal.answer.span.line, normal.answer.span.column),
            (9, 17)
        );
        let target = normal.target().unwrap();
        assert_eq!(
            target.kind,
            DestKind::Next {
                name: "health".into(),
                node: Some(1)
            }
        );
        assert_eq!((target.span.line, target.span.column), (10, 15));
        assert_eq!(
            tree.nodes[1].options[1].target().unwrap().kind,
            DestKind::Escalate {
                text: "Escalate to engineering for investigation".into()
            }
        );
    }

    #[test]
    fn syntax_error_is_located() {
        let (tree, diags) = read(&file("title: x\nnodes:\n  a: [1, 2\n"), 0);
        assert!(tree.is_none());
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, "tree-invalid");
        assert!(diags[0].span.line >= 3, "{:?}", diags[0]);
    }

    #[test]
    fn several_and_no_targets_are_kept_for_the_check() {
        let text = "nodes:\n  a:\n    check: x\n    options:\n      - answer: both\n        runbook: r\n        next: a\n      - answer: none\n        runbok: r\n";
        let (tree, diags) = read(&file(text), 0);
        assert!(diags.is_empty(), "{diags:?}");
        let tree = tree.unwrap();
        assert_eq!(tree.title, "T");
        assert_eq!(tree.start_index(), Some(0));
        assert_eq!(tree.nodes[0].options[0].targets.len(), 2);
        assert!(tree.nodes[0].options[1].targets.is_empty());
        assert_eq!(tree.nodes[0].options[1].unknown_keys, vec!["runbok"]);
    }
}
