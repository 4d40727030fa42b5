//! Triage trees: every option leads somewhere, every runbook exists, every
//! node can be reached, and no walk goes round in circles.
//!
//! Codes (each at the line and column of what is wrong):
//! `tree-start-unknown`, `tree-check-empty`,
//! `tree-node-no-options`, `tree-answer-empty`, `tree-option-target`,
//! `tree-next-unknown`, `tree-runbook-unknown`, `tree-runbook-ambiguous`,
//! `tree-runbook-not-runbook`, `tree-cycle`, `tree-node-unreachable`,
//! `tree-duplicate`; a runbook link's missing anchor is `link-anchor-missing`.
//! `tree-invalid` (a tree that cannot be read, a node name given twice)
//! comes from the reader.

use std::collections::HashMap;

use crate::diag::{Code, Diagnostic, Span};
use crate::model::PageKind;
use crate::site::Site;
use crate::trees::{DestKind, Origin, Resolved, Tree};

pub fn check_trees(site: &Site, out: &mut Vec<Diagnostic>) {
    let mut by_slug: HashMap<String, &Tree> = HashMap::new();
    for tree in &site.trees {
        check_tree(site, tree, out);
        if tree.origin == Origin::File {
            let key = tree.slug.to_lowercase();
            match by_slug.get(&key) {
                Some(first) => out.push(
                    Diagnostic::new(
                        Code::TreeDuplicate,
                        tree.span.clone(),
                        format!(
                            "`{}` and `{}` are both the tree `trees/{}`",
                            site.sources[tree.source].display_path,
                            site.sources[first.source].display_path,
                            tree.slug
                        ),
                    )
                    .with_help("tree names ignore case and extension: rename one of the files"),
                ),
                None => {
                    by_slug.insert(key, tree);
                }
            }
        }
    }
}

fn check_tree(site: &Site, tree: &Tree, out: &mut Vec<Diagnostic>) {
    let known = || node_list(tree);
    if let Some(start) = &tree.start
        && tree.start_node.is_none()
    {
        let message = if start.text.is_empty() {
            "`start` is empty".to_string()
        } else {
            format!("`start: {}` names no node of this tree", start.text)
        };
        out.push(
            Diagnostic::new(Code::TreeStartUnknown, start.span.clone(), message)
                .with_help(format!("nodes of this tree: {}", known())),
        );
    }

    for (n, node) in tree.nodes.iter().enumerate() {
        if node.check.text.is_empty() {
            out.push(
                Diagnostic::new(
                    Code::TreeCheckEmpty,
                    node.check.span.clone(),
                    format!("{} has no check: say what to look at", node_label(tree, n)),
                )
                .with_help("a check is something to look at in under a minute: a dashboard panel, a health endpoint, a status page"),
            );
        }
        if node.options.is_empty() {
            out.push(
                Diagnostic::new(
                    Code::TreeNodeNoOptions,
                    node.span.clone(),
                    format!(
                        "{} has no answers: the walk would stop here",
                        node_label(tree, n)
                    ),
                )
                .with_help(match tree.origin {
                    Origin::File => "add `options:`, each `- answer: ...` with one of `runbook`, `next`, `escalate`",
                    Origin::Fenced { .. } => "add answers under the check: `├── ANSWER? → Runbook: NAME`",
                }),
            );
        }
        for choice in &node.options {
            if choice.answer.text.is_empty() {
                out.push(Diagnostic::new(
                    Code::TreeAnswerEmpty,
                    choice.answer.span.clone(),
                    format!("an answer of {} is empty", node_label(tree, n)),
                ));
            }
            let invalid: Vec<&str> = choice
                .targets
                .iter()
                .filter_map(|d| match &d.kind {
                    DestKind::Invalid { text } => Some(text.as_str()),
                    _ => None,
                })
                .collect();
            if let Some(text) = invalid.first() {
                let at = choice
                    .targets
                    .iter()
                    .find(|d| matches!(d.kind, DestKind::Invalid { .. }))
                    .map_or(choice.answer.span.clone(), |d| d.span.clone());
                let message = if text.is_empty() {
                    "nothing follows the arrow".to_string()
                } else {
                    format!("`{text}` is not a target")
                };
                out.push(
                    Diagnostic::new(Code::TreeOptionTarget, at, message).with_help(
                        "a target is `Runbook: NAME`, `Continue ...`, `Check: TEXT` or `Escalate ...`",
                    ),
                );
                continue;
            }
            match choice.targets.len() {
                0 => {
                    let mut help = match tree.origin {
                        Origin::File => {
                            "give the option one of `runbook`, `next`, `escalate`".to_string()
                        }
                        Origin::Fenced { .. } => {
                            "end the answer with `→ Runbook: NAME`, `→ Continue diagnosis` or `→ Escalate ...`".to_string()
                        }
                    };
                    if !choice.unknown_keys.is_empty() {
                        help = format!(
                            "{help} (found {})",
                            choice
                                .unknown_keys
                                .iter()
                                .map(|k| format!("`{k}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        );
                    }
                    out.push(
                        Diagnostic::new(
                            Code::TreeOptionTarget,
                            choice.answer.span.clone(),
                            format!("answer `{}` leads nowhere", choice.answer.text),
                        )
                        .with_help(help),
                    );
                }
                1 => {}
                _ => {
                    let keys: Vec<String> = choice
                        .targets
                        .iter()
                        .map(|d| format!("`{}`", d.kind.key()))
                        .collect();
                    out.push(
                        Diagnostic::new(
                            Code::TreeOptionTarget,
                            choice.targets[1].span.clone(),
                            format!(
                                "answer `{}` has {} targets ({}): an answer leads to exactly one",
                                choice.answer.text,
                                choice.targets.len(),
                                keys.join(", ")
                            ),
                        )
                        .with_help("split it into several answers, or keep one target"),
                    );
                }
            }
            for dest in &choice.targets {
                match &dest.kind {
                    DestKind::Next { name, node: None } => {
                        out.push(next_unknown(tree, n, name, dest.span.clone()))
                    }
                    DestKind::Runbook { name, resolved } => {
                        check_runbook(site, name, resolved, dest.span.clone(), out)
                    }
                    _ => {}
                }
            }
        }
    }

    check_cycles(tree, out);
    check_reachable(tree, out);
}

fn next_unknown(tree: &Tree, node: usize, name: &str, span: Span) -> Diagnostic {
    if name.is_empty() {
        return Diagnostic::new(
            Code::TreeNextUnknown,
            span,
            format!(
                "{} is the last check: there is nothing to continue to",
                node_label(tree, node)
            ),
        )
        .with_help("end the last check's answers with a runbook or `→ Escalate ...`");
    }
    let key = match tree.origin {
        Origin::File => format!("`next: {name}` names no node of this tree"),
        Origin::Fenced { .. } => format!("no check of this tree is `{name}`"),
    };
    Diagnostic::new(Code::TreeNextUnknown, span, key)
        .with_help(format!("nodes of this tree: {}", node_list(tree)))
}

fn check_runbook(
    site: &Site,
    name: &str,
    resolved: &Resolved,
    span: Span,
    out: &mut Vec<Diagnostic>,
) {
    match resolved {
        Resolved::Runbook {
            page,
            anchor: Some(anchor),
        } => {
            let target = &site.pages[*page];
            if !target.has_anchor(anchor) {
                out.push(super::links::anchor_missing(target, anchor, span));
            }
        }
        Resolved::External { url } if crate::markdown::is_script_url(url) => {
            // Never linked (see README, HTML safety): the walk-through would
            // end at a runbook it cannot open.
            out.push(
                Diagnostic::new(
                    Code::TreeRunbookScriptUrl,
                    span,
                    "the runbook target is a script URL, which the wiki never links",
                )
                .with_help("name a runbook by its title or link its page"),
            );
        }
        Resolved::Runbook { .. } | Resolved::External { .. } | Resolved::Pending => {}
        Resolved::Unknown => {
            let message = if name.is_empty() {
                "the runbook target names no runbook".to_string()
            } else {
                format!("no runbook is titled or linked as `{name}`")
            };
            out.push(
                Diagnostic::new(Code::TreeRunbookUnknown, span, message)
                    .with_help(match closest_runbook(site, name) {
                        Some(title) => format!("did you mean `{title}`?"),
                        None => "name a runbook by its title (ignoring case) or by a link such as `runbooks/x`".to_string(),
                    }),
            );
        }
        Resolved::Ambiguous { pages } => {
            let ids: Vec<String> = pages
                .iter()
                .map(|&p| format!("`{}`", site.pages[p].id))
                .collect();
            out.push(
                Diagnostic::new(
                    Code::TreeRunbookAmbiguous,
                    span,
                    format!("{} runbooks are titled `{name}`", pages.len()),
                )
                .with_help(format!("name one by its link instead: {}", ids.join(", "))),
            );
        }
        Resolved::NotRunbook { page } => {
            let target = &site.pages[*page];
            out.push(
                Diagnostic::new(
                    Code::TreeRunbookNotRunbook,
                    span,
                    format!(
                        "`{name}` is the {} `{}`, not a runbook",
                        target.kind.name(),
                        target.id
                    ),
                )
                .with_help(
                    "a triage answer ends in a runbook (under `content/runbooks/`, or `kind: runbook`)",
                ),
            );
        }
    }
}

/// The runbook whose title shares the most words with `name` (a word
/// shared when one starts with the other: `slow`, `slowness`), if any.
fn closest_runbook<'a>(site: &'a Site, name: &str) -> Option<&'a str> {
    let words = |text: &str| -> Vec<String> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.len() > 1)
            .map(str::to_lowercase)
            .collect()
    };
    let wanted = words(name);
    site.pages_of(PageKind::Runbook)
        .map(|(_, p)| {
            let shared = words(&p.title)
                .iter()
                .filter(|t| {
                    wanted
                        .iter()
                        .any(|w| w.starts_with(t.as_str()) || t.starts_with(w.as_str()))
                })
                .count();
            (shared, p.title.as_str())
        })
        .filter(|(shared, _)| *shared > 0)
        .max_by_key(|(shared, _)| *shared)
        .map(|(_, title)| title)
}

/// The node's `next` edges: (target node, span of the target).
fn edges(tree: &Tree, node: usize) -> impl Iterator<Item = (usize, &Span)> {
    tree.nodes[node].options.iter().flat_map(|choice| {
        choice.targets.iter().filter_map(|d| match d.kind {
            DestKind::Next {
                node: Some(next), ..
            } => Some((next, &d.span)),
            _ => None,
        })
    })
}

/// Every cycle, once each, at the `next` that closes it.
fn check_cycles(tree: &Tree, out: &mut Vec<Diagnostic>) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let count = tree.nodes.len();
    let mut mark = vec![Mark::New; count];
    let mut stack: Vec<usize> = Vec::new();
    // Iterative depth-first search: (node, edges already followed).
    for root in tree.start_index().into_iter().chain(0..count) {
        if mark[root] != Mark::New {
            continue;
        }
        let mut frames: Vec<(usize, usize)> = vec![(root, 0)];
        mark[root] = Mark::Open;
        stack.push(root);
        while let Some(frame) = frames.last_mut() {
            let node = frame.0;
            let edge = edges(tree, node).nth(frame.1);
            frame.1 += 1;
            match edge {
                Some((to, span)) => match mark[to] {
                    Mark::New => {
                        mark[to] = Mark::Open;
                        stack.push(to);
                        frames.push((to, 0));
                    }
                    Mark::Open => {
                        let from = stack.iter().rposition(|&n| n == to).unwrap_or(0);
                        let mut names: Vec<String> =
                            stack[from..].iter().map(|&n| tree.node_name(n)).collect();
                        names.push(tree.node_name(to));
                        out.push(
                            Diagnostic::new(
                                Code::TreeCycle,
                                span.clone(),
                                format!("this answer closes a cycle: {}", names.join(" → ")),
                            )
                            .with_help("a walk must end: point this answer at a later check, a runbook or an escalation"),
                        );
                    }
                    Mark::Done => {}
                },
                None => {
                    mark[node] = Mark::Done;
                    stack.pop();
                    frames.pop();
                }
            }
        }
    }
}

/// Every node the walk from the start can never reach.
fn check_reachable(tree: &Tree, out: &mut Vec<Diagnostic>) {
    let Some(start) = tree.start_index() else {
        return;
    };
    let mut seen = vec![false; tree.nodes.len()];
    let mut todo = vec![start];
    seen[start] = true;
    while let Some(node) = todo.pop() {
        for (to, _) in edges(tree, node) {
            if !seen[to] {
                seen[to] = true;
                todo.push(to);
            }
        }
    }
    for (n, node) in tree.nodes.iter().enumerate() {
        if seen[n] {
            continue;
        }
        let (message, help) = match tree.origin {
            Origin::File => (
                format!(
                    "node `{}` cannot be reached from `start` ({})",
                    node.id,
                    tree.node_name(start)
                ),
                "point a `next:` at it, or remove it",
            ),
            Origin::Fenced { .. } => (
                format!(
                    "check `{}` cannot be reached: no answer before it continues to it",
                    node.check.text
                ),
                "end an answer of the check above with `→ Continue diagnosis`",
            ),
        };
        out.push(
            Diagnostic::new(Code::TreeNodeUnreachable, node.span.clone(), message).with_help(help),
        );
    }
}

fn node_label(tree: &Tree, node: usize) -> String {
    match tree.origin {
        Origin::File => format!("node `{}`", tree.nodes[node].id),
        Origin::Fenced { .. } if tree.nodes[node].check.text.is_empty() => {
            format!("check {}", node + 1)
        }
        Origin::Fenced { .. } => format!("check `{}`", tree.nodes[node].check.text),
    }
}

fn node_list(tree: &Tree) -> String {
    let names: Vec<String> = (0..tree.nodes.len())
        .take(12)
        .map(|n| tree.node_name(n))
        .collect();
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}
