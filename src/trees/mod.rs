//! Triage decision trees: the model, read from two notations.
//!
//! A tree is written either as a YAML file under `content/trees/`
//! ([`from_yaml`]) or as a fenced ```` ```triage ```` block in any page, in
//! the operations handbook's box-drawing notation ([`fenced`]). Both readers
//! build the same [`Tree`]; every check, answer and target remembers where it
//! was written, so `check` can point at the exact line and column.
//!
//! Reading is lenient: a reader records what is written (an option with no
//! target, a `next` naming nothing, an empty check) and leaves judging it to
//! `check::trees`. Only what cannot be read at all (a YAML syntax error, a
//! line of a fenced block that is none of the notation's forms) is reported
//! here, as `tree-invalid`.

pub mod fenced;
pub mod from_yaml;

use std::collections::HashMap;

use crate::diag::{Diagnostic, Span};
use crate::links::{LinkIndex, Target};
use crate::load::{FileKind, classify};
use crate::markdown::AnchorDeduper;
use crate::model::{Page, PageKind};
use crate::source::SourceFile;

/// Where a tree was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A YAML file under `content/trees/`: rendered on a page of its own.
    File,
    /// The `block`-th ```` ```triage ```` block of page `page` (counting
    /// triage blocks only): rendered in place on that page.
    Fenced { page: usize, block: usize },
}

/// One triage decision tree.
#[derive(Debug, Clone)]
pub struct Tree {
    /// Unique among the trees of its file: the file's path under `trees/`
    /// for a YAML tree, the title's anchor for a fenced one. Names the tree
    /// in URLs and in the walk-through's fragment (`#t=<slug>`).
    pub slug: String,
    /// The symptom the tree starts from.
    pub title: String,
    pub origin: Origin,
    /// Index of its file in `Site::sources`.
    pub source: usize,
    /// Where the tree starts in its file (its title, or the block's first line).
    pub span: Span,
    /// `start:` as written (YAML only; a fenced tree starts at its first check).
    pub start: Option<Written>,
    /// The node the walk starts at, if `start` names one.
    pub start_node: Option<usize>,
    /// Nodes in the order they are written.
    pub nodes: Vec<Node>,
}

/// A piece of text and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    pub text: String,
    pub span: Span,
}

/// A check: something to look at, and the answers it may give.
#[derive(Debug, Clone)]
pub struct Node {
    /// The YAML key, or (fenced) the check's anchor.
    pub id: String,
    /// The node's name as written (the YAML key, the `Check:` line).
    pub span: Span,
    pub check: Written,
    pub options: Vec<Choice>,
}

/// One answer to a check and where it leads.
#[derive(Debug, Clone)]
pub struct Choice {
    pub answer: Written,
    /// Every target written; a valid option has exactly one.
    pub targets: Vec<Dest>,
    /// Keys of a YAML option that are none of `answer`, `runbook`, `next`,
    /// `escalate` (a typo, usually): named in the diagnostic.
    pub unknown_keys: Vec<String>,
}

impl Choice {
    /// The one target of a valid option.
    pub fn target(&self) -> Option<&Dest> {
        match self.targets.as_slice() {
            [one] => Some(one),
            _ => None,
        }
    }
}

/// A target as written, with where.
#[derive(Debug, Clone)]
pub struct Dest {
    pub kind: DestKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DestKind {
    /// A runbook, by link or by title.
    Runbook { name: String, resolved: Resolved },
    /// Another node: by name (YAML `next:`, fenced `→ Check: ...`), or the
    /// next check in order (fenced `→ Continue ...`, `name` empty).
    Next { name: String, node: Option<usize> },
    /// The end of the tree: hand over to people.
    Escalate { text: String },
    /// Text after an arrow that is no target (fenced only).
    Invalid { text: String },
}

impl DestKind {
    /// The YAML key of this kind of target, for messages.
    pub fn key(&self) -> &'static str {
        match self {
            DestKind::Runbook { .. } => "runbook",
            DestKind::Next { .. } => "next",
            DestKind::Escalate { .. } => "escalate",
            DestKind::Invalid { .. } => "target",
        }
    }
}

/// What a runbook target names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// Not resolved yet (the readers leave this for [`resolve`]).
    Pending,
    /// A runbook page, maybe an anchor on it.
    Runbook { page: usize, anchor: Option<String> },
    /// A URL outside the site: linked, not verified.
    External { url: String },
    /// A page that is not a runbook.
    NotRunbook { page: usize },
    /// A title several runbooks share.
    Ambiguous { pages: Vec<usize> },
    /// Nothing.
    Unknown,
}

impl Tree {
    /// The node the walk starts at: `start`, or the first node.
    pub fn start_index(&self) -> Option<usize> {
        match &self.start {
            Some(_) => self.start_node,
            None => (!self.nodes.is_empty()).then_some(0),
        }
    }

    /// The node a `next` name refers to: a node id, or (fenced) a check's text.
    /// (To look up many names, [`NodeLookup`] does it without a search each.)
    pub fn find_node(&self, name: &str) -> Option<usize> {
        NodeLookup::new(self).find(name)
    }

    /// A node's name in messages: its id for YAML trees, its check for fenced ones.
    pub fn node_name(&self, node: usize) -> String {
        let n = &self.nodes[node];
        match self.origin {
            Origin::File => format!("`{}`", n.id),
            Origin::Fenced { .. } => format!("`{}`", n.check.text),
        }
    }

    /// Every way from the start to an option that ends the walk (a runbook
    /// or an escalation), as (node, option) steps. Cycles are cut, at most
    /// `limit` paths are returned, and none longer than [`MAX_PATH_STEPS`].
    pub fn paths(&self, limit: usize) -> Vec<Vec<(usize, usize)>> {
        let mut out = Vec::new();
        if let Some(start) = self.start_index() {
            let mut on_path = vec![false; self.nodes.len()];
            let mut steps = Vec::new();
            self.walk(start, &mut on_path, &mut steps, &mut out, limit);
        }
        out
    }

    fn walk(
        &self,
        node: usize,
        on_path: &mut [bool],
        steps: &mut Vec<(usize, usize)>,
        out: &mut Vec<Vec<(usize, usize)>>,
        limit: usize,
    ) {
        on_path[node] = true;
        for (i, choice) in self.nodes[node].options.iter().enumerate() {
            if out.len() >= limit {
                break;
            }
            steps.push((node, i));
            match choice.target().map(|d| &d.kind) {
                Some(DestKind::Next {
                    node: Some(next), ..
                }) if !on_path[*next] && steps.len() < MAX_PATH_STEPS => {
                    self.walk(*next, on_path, steps, out, limit)
                }
                Some(DestKind::Runbook { .. } | DestKind::Escalate { .. }) => {
                    out.push(steps.clone())
                }
                _ => {}
            }
            steps.pop();
        }
        on_path[node] = false;
    }

    /// Nodes in the order the walk meets them (depth first from the start,
    /// answers in order), then any the walk never reaches, as written.
    pub fn walk_order(&self) -> Vec<usize> {
        let mut seen = vec![false; self.nodes.len()];
        let mut order = Vec::with_capacity(self.nodes.len());
        let mut stack: Vec<usize> = self.start_index().into_iter().collect();
        while let Some(n) = stack.pop() {
            if seen[n] {
                continue;
            }
            seen[n] = true;
            order.push(n);
            for choice in self.nodes[n].options.iter().rev() {
                if let Some(DestKind::Next {
                    node: Some(next), ..
                }) = choice.target().map(|d| &d.kind)
                    && !seen[*next]
                {
                    stack.push(*next);
                }
            }
        }
        order.extend((0..self.nodes.len()).filter(|&n| !seen[n]));
        order
    }
}

/// The longest path [`Tree::paths`] follows. Each runbook page lists the
/// paths that lead to it, up to 200 per tree: a chain of 10,000 checks made
/// that 200 paths of thousands of steps each (a 170 MB page, 10 s to render).
/// No one clicks through 64 checks at 3 a.m.; this also bounds the walk's
/// recursion, whatever the depth of the tree.
pub const MAX_PATH_STEPS: usize = 64;

/// Nodes by id and by normalised check text, for resolving every `next` of a
/// tree in linear time (a search per name was quadratic: seconds for a tree
/// of 10,000 checks). The first node with a name wins, ids before texts.
pub struct NodeLookup {
    by_id: HashMap<String, usize>,
    by_text: HashMap<String, usize>,
}

impl NodeLookup {
    pub fn new(tree: &Tree) -> NodeLookup {
        let mut by_id = HashMap::new();
        let mut by_text = HashMap::new();
        for (i, n) in tree.nodes.iter().enumerate() {
            by_id.entry(n.id.clone()).or_insert(i);
            by_text.entry(normalize_text(&n.check.text)).or_insert(i);
        }
        NodeLookup { by_id, by_text }
    }

    pub fn find(&self, name: &str) -> Option<usize> {
        let name = name.trim();
        self.by_id
            .get(name)
            .or_else(|| self.by_text.get(&normalize_text(name)))
            .copied()
    }
}

/// Text compared ignoring case, surrounding space and a trailing `?` or `:`.
pub fn normalize_text(text: &str) -> String {
    text.trim()
        .trim_end_matches(['?', ':'])
        .trim()
        .to_lowercase()
}

/// Read every tree of the site: YAML files among `sources`, fenced blocks in
/// `pages`, then resolve runbook targets against the pages.
pub fn build(
    sources: &[SourceFile],
    pages: &[Page],
    links: &LinkIndex,
) -> (Vec<Tree>, Vec<Diagnostic>) {
    let mut trees = Vec::new();
    let mut diags = Vec::new();
    for (i, file) in sources.iter().enumerate() {
        let in_content = file.display_path != crate::config::CONFIG_FILE;
        if in_content && classify(&file.content_path) == FileKind::Tree {
            let (tree, file_diags) = from_yaml::read(file, i);
            trees.extend(tree);
            diags.extend(file_diags);
        }
    }
    for (p, page) in pages.iter().enumerate() {
        let file = &sources[page.source];
        let mut slugs = AnchorDeduper::default();
        let blocks = page
            .scan
            .fenced
            .iter()
            .filter(|block| block.info.split_whitespace().next() == Some("triage"));
        for (b, block) in blocks.enumerate() {
            let (tree, block_diags) = fenced::read(file, page.source, (p, b), block, &mut slugs);
            trees.extend(tree);
            diags.extend(block_diags);
        }
    }
    let titles = Titles::new(pages);
    for tree in &mut trees {
        let from = sources[tree.source].content_path.clone();
        for node in &mut tree.nodes {
            for choice in &mut node.options {
                for dest in &mut choice.targets {
                    if let DestKind::Runbook { name, resolved } = &mut dest.kind {
                        *resolved = resolve(pages, links, &titles, &from, name);
                    }
                }
            }
        }
    }
    (trees, diags)
}

/// Pages by title, lower-cased, for naming runbooks by title.
pub struct Titles {
    runbooks: HashMap<String, Vec<usize>>,
    pages: HashMap<String, usize>,
}

impl Titles {
    pub fn new(pages: &[Page]) -> Titles {
        let mut runbooks: HashMap<String, Vec<usize>> = HashMap::new();
        let mut others = HashMap::new();
        for (i, page) in pages.iter().enumerate() {
            let key = page.title.trim().to_lowercase();
            if page.kind == PageKind::Runbook {
                runbooks.entry(key).or_default().push(i);
            } else {
                others.entry(key).or_insert(i);
            }
        }
        Titles {
            runbooks,
            pages: others,
        }
    }
}

/// What `name` (a runbook's title, ignoring case, or a link written in the
/// file at `from`) names.
pub fn resolve(
    pages: &[Page],
    links: &LinkIndex,
    titles: &Titles,
    from: &str,
    name: &str,
) -> Resolved {
    let name = name.trim();
    if name.is_empty() {
        return Resolved::Unknown;
    }
    let wanted = name.to_lowercase();
    match titles.runbooks.get(&wanted).map(Vec::as_slice) {
        Some([one]) => {
            return Resolved::Runbook {
                page: *one,
                anchor: None,
            };
        }
        Some(several @ [_, _, ..]) => {
            return Resolved::Ambiguous {
                pages: several.to_vec(),
            };
        }
        _ => {}
    }
    match links.resolve(from, name) {
        Ok(Target::Page { page, anchor }) if pages[page].kind == PageKind::Runbook => {
            return Resolved::Runbook { page, anchor };
        }
        Ok(Target::Page { page, .. }) => return Resolved::NotRunbook { page },
        Ok(Target::External) if name.contains(':') => {
            return Resolved::External {
                url: name.to_string(),
            };
        }
        _ => {}
    }
    match titles.pages.get(&wanted) {
        Some(&page) => Resolved::NotRunbook { page },
        None => Resolved::Unknown,
    }
}

/// Runbook pages the trees lead to, each once, in page order.
pub fn runbook_pages(trees: &[Tree]) -> Vec<usize> {
    let mut pages: Vec<usize> = trees
        .iter()
        .flat_map(|t| &t.nodes)
        .flat_map(|n| &n.options)
        .flat_map(|c| &c.targets)
        .filter_map(|d| match d.kind {
            DestKind::Runbook {
                resolved: Resolved::Runbook { page, .. },
                ..
            } => Some(page),
            _ => None,
        })
        .collect();
    pages.sort_unstable();
    pages.dedup();
    pages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalized_text_ignores_case_and_question_mark() {
        assert_eq!(
            normalize_text(" Error rate elevated? "),
            "error rate elevated"
        );
        assert_eq!(normalize_text("Check:"), "check");
    }
}
