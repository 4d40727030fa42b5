//! Render triage trees, each three ways: an interactive walk-through
//! (`static/triage.js`, one check at a time, its state in the URL fragment),
//! the whole tree as inline SVG laid out here (see [`super::tree_svg`]), and
//! a nested list that works without JavaScript. YAML trees get a page of
//! their own (`trees/<slug>/index.html`); fenced trees render in place on
//! their page. `trees/index.html` lists them all, and each runbook page lists
//! the triage paths that lead to it.
//!
//! The walk-through's fragment is `#t=<slug>&p=<i>.<j>...`: the tree's slug
//! and the index (from 0) of each answer chosen so far, from the start.

use std::collections::HashMap;

use anyhow::{Context, Result};
use serde::Serialize;

use super::Renderer;
use super::tree_svg::{self, Diagram, Leaf, LeafKind};
use crate::model::{Page, output_path, root_prefix};
use crate::trees::{DestKind, Origin, Resolved, Tree};

/// Most paths listed per runbook page (per tree, a tree with many converging
/// branches would otherwise list them all).
const PATHS_PER_TREE: usize = 200;

/// A way through tree `.0` as (node, option) steps.
type TreePath = (usize, Vec<(usize, usize)>);

/// Paths through the trees to each runbook page, computed once per build:
/// page index → the paths that end there.
#[derive(Debug, Default)]
pub struct TriageIndex {
    by_runbook: HashMap<usize, Vec<TreePath>>,
}

impl TriageIndex {
    pub fn new(trees: &[Tree]) -> TriageIndex {
        let mut by_runbook: HashMap<usize, Vec<TreePath>> = HashMap::new();
        for (t, tree) in trees.iter().enumerate() {
            for steps in tree.paths(PATHS_PER_TREE) {
                let Some(&(node, option)) = steps.last() else {
                    continue;
                };
                if let Some(DestKind::Runbook {
                    resolved: Resolved::Runbook { page, .. },
                    ..
                }) = tree.nodes[node].options[option].target().map(|d| &d.kind)
                {
                    by_runbook.entry(*page).or_default().push((t, steps));
                }
            }
        }
        TriageIndex { by_runbook }
    }
}

/// A tree as the `triage.html` partial sees it.
#[derive(Serialize)]
struct TreeView {
    slug: String,
    dom_id: String,
    title: String,
    /// Whether the tree sits in a page (and so shows its own title).
    fenced: bool,
    /// The walk-through's data, JSON safe to put in a `<script>`.
    data_json: String,
    svg: String,
    checks: Vec<CheckView>,
    /// Whether this partial loads `static/triage.js` (once per page).
    script: bool,
    source_path: String,
}

#[derive(Serialize)]
struct CheckView {
    anchor: String,
    number: usize,
    text: String,
    options: Vec<OptionView>,
}

#[derive(Serialize)]
struct OptionView {
    answer: String,
    /// `runbook`, `next`, `escalate` or `none`.
    kind: &'static str,
    label: String,
    href: Option<String>,
    number: Option<usize>,
}

/// A tree in the trees index.
#[derive(Serialize)]
struct TreeSummary {
    title: String,
    href: String,
    checks: usize,
    first_check: String,
    /// `file` or `page`.
    origin: &'static str,
    source_path: String,
    page_title: Option<String>,
    page_href: Option<String>,
    runbooks: Vec<LinkView>,
    escalates: bool,
}

#[derive(Serialize, PartialEq)]
struct LinkView {
    title: String,
    href: String,
}

/// One way through a tree to a runbook, for the runbook's page.
#[derive(Serialize)]
pub struct PathView {
    tree: String,
    /// The page a fenced tree is on (a YAML tree has a page of its own).
    place: Option<String>,
    /// Where the tree is shown, with the walk-through at the runbook.
    href: String,
    steps: Vec<StepView>,
}

#[derive(Serialize)]
struct StepView {
    check: String,
    answer: String,
}

/// JSON for a `<script type="application/json">`: nothing in it can close
/// the element or start markup.
fn script_json(value: &serde_json::Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

impl<'a> Renderer<'a> {
    /// Where a tree is shown, relative to `root`, without a fragment.
    fn tree_page(&self, tree: &Tree, root: &str) -> String {
        match tree.origin {
            Origin::File => format!("{root}trees/{}/index.html", tree.slug),
            Origin::Fenced { page, .. } => {
                format!("{root}{}", output_path(&self.site.pages[page].id))
            }
        }
    }

    /// Where a tree is shown, with a fragment to scroll to it on its page.
    fn tree_href(&self, tree: &Tree, root: &str) -> String {
        match tree.origin {
            Origin::File => self.tree_page(tree, root),
            Origin::Fenced { .. } => {
                format!("{}#triage-{}", self.tree_page(tree, root), tree.slug)
            }
        }
    }

    /// Where a runbook target leads, relative to `root`, and its label.
    fn runbook_link(
        &self,
        name: &str,
        resolved: &Resolved,
        root: &str,
    ) -> (String, Option<String>) {
        match resolved {
            Resolved::Runbook { page, anchor } => {
                let page = &self.site.pages[*page];
                let href = format!(
                    "{root}{}{}",
                    output_path(&page.id),
                    anchor
                        .as_ref()
                        .map(|a| format!("#{}", a.to_lowercase()))
                        .unwrap_or_default()
                );
                (page.title.clone(), Some(href))
            }
            // Never a link that runs code (the tree check reports it too).
            Resolved::External { url } => (name.to_string(), crate::markdown::safe_href(url)),
            _ => (name.to_string(), None),
        }
    }

    fn tree_view(&self, t: usize, root: &str, script: bool) -> TreeView {
        let tree = &self.site.trees[t];
        let dom_id = format!("triage-{}", tree.slug.replace('/', "-"));
        let order = tree.walk_order();
        // Position of each node in walk order, 1-based, for "check N".
        let mut number = vec![0; tree.nodes.len()];
        for (k, &n) in order.iter().enumerate() {
            number[n] = k + 1;
        }
        let anchor = |n: usize| format!("{dom_id}-c{}", number[n]);

        let mut nodes_json = Vec::with_capacity(tree.nodes.len());
        for (n, node) in tree.nodes.iter().enumerate() {
            let options: Vec<serde_json::Value> = node
                .options
                .iter()
                .map(|choice| {
                    let mut o = serde_json::json!({ "answer": choice.answer.text });
                    match choice.target().map(|d| &d.kind) {
                        Some(DestKind::Next {
                            node: Some(next), ..
                        }) => o["next"] = (*next).into(),
                        Some(DestKind::Runbook { name, resolved }) => {
                            let (title, href) = self.runbook_link(name, resolved, root);
                            o["runbook"] = serde_json::json!({ "title": title, "href": href });
                        }
                        Some(DestKind::Escalate { text }) => {
                            o["escalate"] = escalation(text).into()
                        }
                        _ => {}
                    }
                    o
                })
                .collect();
            nodes_json.push(serde_json::json!({
                "id": node.id,
                "number": number[n],
                "check": node.check.text,
                "options": options,
            }));
        }
        let data = serde_json::json!({
            "id": tree.slug,
            "title": tree.title,
            "start": tree.start_index(),
            "nodes": nodes_json,
        });

        let mut checks = Vec::with_capacity(order.len());
        let mut diagram = Diagram {
            dom_id: &dom_id,
            title: &tree.title,
            checks: Vec::with_capacity(order.len()),
        };
        for (k, &n) in order.iter().enumerate() {
            let node = &tree.nodes[n];
            let below = order.get(k + 1).copied();
            let mut options = Vec::with_capacity(node.options.len());
            let mut down = Vec::new();
            let mut leaves = Vec::new();
            for choice in &node.options {
                let answer = choice.answer.text.clone();
                let (kind, label, href, to) = match choice.target().map(|d| &d.kind) {
                    Some(DestKind::Next {
                        node: Some(next), ..
                    }) => (
                        "next",
                        tree.nodes[*next].check.text.clone(),
                        Some(format!("#{}", anchor(*next))),
                        Some(*next),
                    ),
                    Some(DestKind::Runbook { name, resolved }) => {
                        let (label, href) = self.runbook_link(name, resolved, root);
                        ("runbook", label, href, None)
                    }
                    Some(DestKind::Escalate { text }) => ("escalate", escalation(text), None, None),
                    _ => ("none", String::new(), None, None),
                };
                options.push(OptionView {
                    answer: answer.clone(),
                    kind,
                    label: label.clone(),
                    href: href.clone(),
                    number: to.map(|n| number[n]),
                });
                match (kind, to) {
                    ("next", Some(next)) if Some(next) == below => down.push(answer),
                    ("next", Some(next)) => leaves.push(Leaf {
                        answer,
                        kind: LeafKind::Goto,
                        text: format!("Check {}: {label}", number[next]),
                        href: Some(format!("#{dom_id}-d{}", number[next])),
                    }),
                    ("runbook", _) => leaves.push(Leaf {
                        answer,
                        kind: LeafKind::Runbook,
                        text: label,
                        href,
                    }),
                    ("escalate", _) => leaves.push(Leaf {
                        answer,
                        kind: LeafKind::Escalate,
                        text: label,
                        href: None,
                    }),
                    _ => leaves.push(Leaf {
                        answer,
                        kind: LeafKind::Missing,
                        text: "?".into(),
                        href: None,
                    }),
                }
            }
            diagram.checks.push(tree_svg::Check {
                number: k + 1,
                text: node.check.text.clone(),
                down,
                leaves,
            });
            checks.push(CheckView {
                anchor: anchor(n),
                number: k + 1,
                text: node.check.text.clone(),
                options,
            });
        }
        let svg = tree_svg::draw(&diagram);
        TreeView {
            slug: tree.slug.clone(),
            dom_id: dom_id.clone(),
            title: tree.title.clone(),
            fenced: matches!(tree.origin, Origin::Fenced { .. }),
            data_json: script_json(&data),
            svg,
            checks,
            script,
            source_path: self.site.sources[tree.source].display_path.clone(),
        }
    }

    /// The HTML of the `block`-th triage block of `page`, rendered in place;
    /// `None` if that block holds no tree (it failed to parse).
    pub(super) fn fenced_tree_html(&self, page: &Page, block: usize) -> Option<String> {
        let on_page = |tree: &&Tree| {
            tree.source == page.source && matches!(tree.origin, Origin::Fenced { .. })
        };
        let t = self.site.trees.iter().position(|tree| {
            on_page(&tree) && matches!(tree.origin, Origin::Fenced { block: b, .. } if b == block)
        })?;
        // The page's first tree loads the script.
        let first = !self.site.trees[..t].iter().any(|tree| on_page(&tree));
        let root = root_prefix(&output_path(&page.id));
        let mut ctx = tera::Context::new();
        ctx.insert("root", &root);
        ctx.insert("tree", &self.tree_view(t, &root, first));
        self.tera.render("triage.html", &ctx).ok()
    }

    /// The pages of YAML trees, and the trees index.
    pub(super) fn render_trees(&self) -> Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        if self.site.trees.is_empty() {
            return Ok(out);
        }
        for (t, tree) in self.site.trees.iter().enumerate() {
            if tree.origin != Origin::File {
                continue;
            }
            let out_path = format!("trees/{}/index.html", tree.slug);
            let root = root_prefix(&out_path);
            let mut ctx = self.base_context(&out_path, "trees", &tree.title);
            ctx.insert("tree", &self.tree_view(t, &root, true));
            let html = self
                .tera
                .render("tree.html", &ctx)
                .with_context(|| format!("rendering the tree `{}`", tree.slug))?;
            out.push((out_path, html));
        }

        let out_path = "trees/index.html".to_string();
        let root = root_prefix(&out_path);
        let mut summaries: Vec<TreeSummary> = self
            .site
            .trees
            .iter()
            .map(|tree| self.summary(tree, &root))
            .collect();
        summaries.sort_by_key(|s| s.title.to_lowercase());
        let mut ctx = self.base_context(&out_path, "trees", "Triage trees");
        ctx.insert("trees", &summaries);
        let html = self
            .tera
            .render("trees.html", &ctx)
            .context("rendering the trees index")?;
        out.push((out_path, html));
        Ok(out)
    }

    fn summary(&self, tree: &Tree, root: &str) -> TreeSummary {
        let mut runbooks: Vec<LinkView> = Vec::new();
        let mut escalates = false;
        for steps in tree.paths(PATHS_PER_TREE) {
            let Some(&(node, option)) = steps.last() else {
                continue;
            };
            match tree.nodes[node].options[option].target().map(|d| &d.kind) {
                Some(DestKind::Runbook { name, resolved }) => {
                    if let (title, Some(href)) = self.runbook_link(name, resolved, root) {
                        let link = LinkView { title, href };
                        if !runbooks.contains(&link) {
                            runbooks.push(link);
                        }
                    }
                }
                Some(DestKind::Escalate { .. }) => escalates = true,
                _ => {}
            }
        }
        let (page_title, page_href) = match tree.origin {
            Origin::Fenced { page, .. } => {
                let page = &self.site.pages[page];
                (
                    Some(page.title.clone()),
                    Some(format!("{root}{}", output_path(&page.id))),
                )
            }
            Origin::File => (None, None),
        };
        TreeSummary {
            title: tree.title.clone(),
            href: self.tree_href(tree, root),
            checks: tree.nodes.len(),
            first_check: tree
                .start_index()
                .map(|n| tree.nodes[n].check.text.clone())
                .unwrap_or_default(),
            origin: match tree.origin {
                Origin::File => "file",
                Origin::Fenced { .. } => "page",
            },
            source_path: self.site.sources[tree.source].display_path.clone(),
            page_title,
            page_href,
            runbooks,
            escalates,
        }
    }

    /// "Triage paths that lead here", for a runbook page.
    pub(super) fn triage_paths(&self, page: &Page, root: &str) -> Vec<PathView> {
        let Some(index) = self.site.links.page(&page.id) else {
            return Vec::new();
        };
        let Some(paths) = self.triage.by_runbook.get(&index) else {
            return Vec::new();
        };
        paths
            .iter()
            .map(|(t, steps)| {
                let tree = &self.site.trees[*t];
                let p: Vec<String> = steps.iter().map(|(_, o)| o.to_string()).collect();
                PathView {
                    tree: tree.title.clone(),
                    place: match tree.origin {
                        Origin::Fenced { page, .. } => Some(self.site.pages[page].title.clone()),
                        Origin::File => None,
                    },
                    href: format!(
                        "{}#t={}&p={}",
                        self.tree_page(tree, root),
                        tree.slug,
                        p.join(".")
                    ),
                    steps: steps
                        .iter()
                        .map(|&(n, o)| StepView {
                            check: tree.nodes[n].check.text.clone(),
                            answer: tree.nodes[n].options[o].answer.text.clone(),
                        })
                        .collect(),
                }
            })
            .collect()
    }
}

/// An escalation as shown: the text written, or a plain "Escalate".
fn escalation(text: &str) -> String {
    if text.trim().is_empty() {
        "Escalate".to_string()
    } else {
        text.trim().to_string()
    }
}
