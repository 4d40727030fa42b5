//! Placeholders left in: `placeholder-text` warnings.
//!
//! `opswiki new` writes a skeleton whose every required section holds a line
//! starting `TODO:`; until the author replaces it, the section "has content"
//! but says nothing. A placeholder is a line of prose (outside code blocks)
//! that starts with `TODO:` — or is just `TODO` — once list, quote and
//! emphasis markers are set aside; a table cell that does; a front-matter
//! value that does; or a check, answer or escalation of a triage tree that
//! does. Warnings, not errors: a page being written stays visible in
//! `opswiki serve`; CI that wants them gone runs `check --deny-warnings`.

use crate::diag::{Code, Diagnostic, Span};
use crate::model::Page;
use crate::site::Site;
use crate::source::SourceFile;
use crate::trees::DestKind;
use crate::yaml::{Node, Value};

pub const CODE: Code = Code::PlaceholderText;
const HELP: &str = "replace the placeholder with the real content (`opswiki new` writes these)";

/// Does this text start with a placeholder marker?
pub fn is_placeholder(text: &str) -> bool {
    let rest = text
        .trim_start()
        .trim_start_matches(['*', '_', '`'])
        .trim_start();
    match rest.strip_prefix("TODO") {
        Some(after) => {
            let after = after.trim_start_matches(['*', '_', '`']);
            after.is_empty() || after.starts_with(':')
        }
        None => false,
    }
}

/// A Markdown line with its block markers (quote, list item, task box) removed.
fn line_text(line: &str) -> &str {
    let mut rest = line.trim_start();
    loop {
        let before = rest;
        if let Some(r) = rest.strip_prefix('>') {
            rest = r.trim_start();
        }
        for marker in ["- ", "* ", "+ "] {
            if let Some(r) = rest.strip_prefix(marker) {
                rest = r.trim_start();
            }
        }
        let digits = rest.chars().take_while(|c| c.is_ascii_digit()).count();
        if digits > 0
            && let Some(r) = rest[digits..]
                .strip_prefix(". ")
                .or_else(|| rest[digits..].strip_prefix(") "))
        {
            rest = r.trim_start();
        }
        for task in ["[ ] ", "[x] ", "[X] "] {
            if let Some(r) = rest.strip_prefix(task) {
                rest = r.trim_start();
            }
        }
        if rest == before {
            return rest;
        }
    }
}

pub fn check_page(site: &Site, page: &Page, out: &mut Vec<Diagnostic>) {
    let file = site.source(page);
    if let Some(front) = &page.front {
        check_front(file, front, out);
    }
    let code: Vec<std::ops::Range<usize>> = page
        .scan
        .fenced
        .iter()
        .map(|b| b.content_offset..b.content_offset + b.text.len())
        .collect();
    let mut offset = 0;
    for line in file.text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        if start < page.body_offset || code.iter().any(|r| r.contains(&start)) {
            continue;
        }
        let text = line.trim_end_matches(['\n', '\r']);
        let trimmed = text.trim_start();
        let hit = if trimmed.starts_with('|') {
            trimmed
                .trim_matches('|')
                .split('|')
                .find(|cell| is_placeholder(cell))
                .map(|cell| cell.trim())
        } else if trimmed.starts_with('#') {
            None
        } else {
            let body = line_text(text);
            is_placeholder(body).then_some(body)
        };
        let Some(hit) = hit else { continue };
        let column = text.find(hit).unwrap_or(0);
        let section = page
            .scan
            .headings
            .iter()
            .rev()
            .find(|h| h.range.start < start)
            .map(|h| h.text.trim().to_string());
        let message = match section {
            Some(section) => format!(
                "section `{section}` still holds a placeholder: `{}`",
                shorten(hit)
            ),
            None => format!("placeholder left in: `{}`", shorten(hit)),
        };
        out.push(
            Diagnostic::new(CODE, file.span(start + column..start + text.len()), message)
                .with_help(HELP),
        );
    }
}

fn check_front(file: &SourceFile, node: &Node, out: &mut Vec<Diagnostic>) {
    match &node.value {
        Value::Map(entries) => {
            for (key, value) in entries {
                if let Some(text) = value.as_str()
                    && is_placeholder(text)
                {
                    out.push(
                        Diagnostic::new(
                            CODE,
                            file.span_at(value.pos.line, value.pos.column)
                                .with_len(text.chars().count()),
                            format!("`{}` is still a placeholder: `{}`", key.name, shorten(text)),
                        )
                        .with_help(HELP),
                    );
                } else {
                    check_front(file, value, out);
                }
            }
        }
        Value::Seq(items) => {
            for item in items {
                if let Some(text) = item.as_str()
                    && is_placeholder(text)
                {
                    out.push(
                        Diagnostic::new(
                            CODE,
                            file.span_at(item.pos.line, item.pos.column)
                                .with_len(text.chars().count()),
                            format!("placeholder left in: `{}`", shorten(text)),
                        )
                        .with_help(HELP),
                    );
                } else {
                    check_front(file, item, out);
                }
            }
        }
        _ => {}
    }
}

/// Checks, answers and escalations of triage trees left as placeholders.
pub fn check_trees(site: &Site, out: &mut Vec<Diagnostic>) {
    let mut hit = |text: &str, span: &Span, what: &str| {
        if is_placeholder(text) {
            out.push(
                Diagnostic::new(
                    CODE,
                    span.clone(),
                    format!("the {what} is still a placeholder: `{}`", shorten(text)),
                )
                .with_help(HELP),
            );
        }
    };
    for tree in &site.trees {
        hit(&tree.title, &tree.span, "tree's title");
        for node in &tree.nodes {
            hit(&node.check.text, &node.check.span, "check");
            for choice in &node.options {
                hit(&choice.answer.text, &choice.answer.span, "answer");
                for dest in &choice.targets {
                    if let DestKind::Escalate { text } = &dest.kind {
                        hit(text, &dest.span, "escalation");
                    }
                }
            }
        }
    }
}

fn shorten(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() <= 60 {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(59).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_todo_lines() {
        for yes in ["TODO: what", "TODO", "**TODO:** x", "  TODO:x"] {
            assert!(is_placeholder(yes), "{yes}");
        }
        for no in ["TODOS", "todo: x", "See the TODO list", "TODOx"] {
            assert!(!is_placeholder(no), "{no}");
        }
        assert_eq!(line_text("> - [ ] TODO: x"), "TODO: x");
        assert_eq!(line_text("12. TODO: x"), "TODO: x");
    }
}
