//! A triage tree drawn as inline SVG, laid out at build time.
//!
//! The layout follows the handbook's drawing: the symptom on top, the checks
//! down the left in walk order, each joined to the next by the answers that
//! continue, and each check's other answers branching right to their ends
//! (a runbook, an escalation, or a later check). No JavaScript; colours come
//! from the page's CSS variables through classes (with `currentColor`
//! fallbacks), so the drawing follows light, dark and print styles. Text
//! widths are estimated from character classes, which is close enough for
//! wrapping in a sans-serif font.

use std::fmt::Write;

use crate::highlight::escape_html;

/// What the drawing shows, already in walk order.
pub struct Diagram<'a> {
    /// Prefix of the ids of this drawing's elements (unique on the page).
    pub dom_id: &'a str,
    pub title: &'a str,
    pub checks: Vec<Check>,
}

pub struct Check {
    /// 1-based, as in the list and the walk-through.
    pub number: usize,
    pub text: String,
    /// Answers that go on to the check drawn below this one.
    pub down: Vec<String>,
    /// Every other answer, with where it ends.
    pub leaves: Vec<Leaf>,
}

pub struct Leaf {
    pub answer: String,
    pub kind: LeafKind,
    pub text: String,
    /// A link: the runbook, or (for `Goto`) the check it continues at.
    pub href: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum LeafKind {
    Runbook,
    Escalate,
    /// Continues at a check that is not drawn just below.
    Goto,
    /// No usable target (only in a tree that fails `check`).
    Missing,
}

impl LeafKind {
    fn kicker(self) -> &'static str {
        match self {
            LeafKind::Runbook => "RUNBOOK",
            LeafKind::Escalate => "ESCALATE",
            LeafKind::Goto => "CONTINUE AT",
            LeafKind::Missing => "NO TARGET",
        }
    }

    fn class(self) -> &'static str {
        match self {
            LeafKind::Runbook => "tn-runbook",
            LeafKind::Escalate => "tn-escalate",
            LeafKind::Goto => "tn-goto",
            LeafKind::Missing => "tn-missing",
        }
    }
}

const PAD: f32 = 8.0;
const CHECK_X: f32 = PAD;
const CHECK_W: f32 = 270.0;
const TRUNK_X: f32 = CHECK_X + CHECK_W + 22.0;
const LABEL_W: f32 = 190.0;
const LEAF_X: f32 = TRUNK_X + LABEL_W + 18.0;
const LEAF_W: f32 = 270.0;
const WIDTH: f32 = LEAF_X + LEAF_W + PAD;
const TEXT_PAD: f32 = 14.0;

/// Font sizes and line heights.
const CHECK_SIZE: f32 = 15.0;
const CHECK_LINE: f32 = 20.0;
const LEAF_SIZE: f32 = 14.0;
const LEAF_LINE: f32 = 19.0;
const LABEL_SIZE: f32 = 13.0;
const LABEL_LINE: f32 = 17.0;
const KICKER_SIZE: f32 = 11.0;

/// A box's height for `lines` lines of text under a kicker.
fn box_height(lines: usize, line: f32) -> f32 {
    22.0 + line + (lines.max(1) - 1) as f32 * line + 13.0
}

pub fn draw(d: &Diagram) -> String {
    let mut body = String::new();
    let arrow = format!("{}-arrow", d.dom_id);
    let mut y = PAD;

    // The symptom the walk starts from.
    let title_lines = wrap(d.title, CHECK_SIZE + 1.0, CHECK_W - 2.0 * TEXT_PAD, true);
    let title_h = box_height(title_lines.len(), CHECK_LINE);
    let _ = write!(
        body,
        "<g class=\"tn-symptom\"><rect x=\"{CHECK_X}\" y=\"{y}\" width=\"{CHECK_W}\" height=\"{title_h}\" rx=\"{r}\" fill=\"none\" stroke=\"currentColor\"/>",
        r = 10.0
    );
    kicker(&mut body, CHECK_X + TEXT_PAD, y + 22.0, "SYMPTOM");
    lines(
        &mut body,
        CHECK_X + TEXT_PAD,
        y + 22.0 + CHECK_LINE,
        CHECK_LINE,
        &title_lines,
        "tn-title",
        CHECK_SIZE + 1.0,
    );
    body.push_str("</g>");
    let spine_x = CHECK_X + CHECK_W / 2.0;
    y += title_h;
    if !d.checks.is_empty() {
        line_arrow(&mut body, spine_x, y, spine_x, y + 28.0, &arrow);
        y += 30.0;
    }

    for (k, check) in d.checks.iter().enumerate() {
        let top = y;
        let text_lines = wrap(&check.text, CHECK_SIZE, CHECK_W - 2.0 * TEXT_PAD, true);
        let check_h = box_height(text_lines.len(), CHECK_LINE);
        let _ = write!(
            body,
            "<g class=\"tn-check\" id=\"{id}-d{n}\"><rect x=\"{CHECK_X}\" y=\"{top}\" width=\"{CHECK_W}\" height=\"{check_h}\" rx=\"6\" fill=\"none\" stroke=\"currentColor\"/>",
            id = escape_html(d.dom_id),
            n = check.number
        );
        kicker(
            &mut body,
            CHECK_X + TEXT_PAD,
            top + 22.0,
            &format!("CHECK {}", check.number),
        );
        lines(
            &mut body,
            CHECK_X + TEXT_PAD,
            top + 22.0 + CHECK_LINE,
            CHECK_LINE,
            &text_lines,
            "tn-text tn-check-text",
            CHECK_SIZE,
        );
        body.push_str("</g>");

        // Leaves, stacked to the right, each on a branch of one trunk; the
        // first in line with the check when it fits.
        let stub_y = (top + check_h / 2.0).round();
        let mut slot_y = top;
        let mut branches = Vec::new();
        for (i, leaf) in check.leaves.iter().enumerate() {
            let label = wrap(&leaf.answer, LABEL_SIZE, LABEL_W - 14.0, true);
            let label_h = label.len() as f32 * LABEL_LINE;
            let leaf_lines = wrap(&leaf.text, LEAF_SIZE, LEAF_W - 2.0 * TEXT_PAD, false);
            let leaf_h = box_height(leaf_lines.len(), LEAF_LINE);
            let slot_h = leaf_h.max(2.0 * (label_h + 8.0));
            if i == 0 && slot_h < check_h {
                slot_y = top + (check_h - slot_h) / 2.0;
            }
            let leaf_top = slot_y + (slot_h - leaf_h) / 2.0;
            let branch_y = (slot_y + slot_h / 2.0).round();
            branches.push(branch_y);
            // The answer, above its branch.
            for (i, text) in label.iter().enumerate() {
                let baseline = branch_y - 7.0 - (label.len() - 1 - i) as f32 * LABEL_LINE;
                let _ = write!(
                    body,
                    "<text class=\"tn-answer\" x=\"{x}\" y=\"{baseline}\" font-size=\"{LABEL_SIZE}\" fill=\"currentColor\">{}</text>",
                    escape_html(text),
                    x = TRUNK_X + 10.0
                );
            }
            line_arrow(&mut body, TRUNK_X, branch_y, LEAF_X - 2.0, branch_y, &arrow);
            leaf_box(&mut body, leaf, leaf_top, leaf_h, &leaf_lines);
            slot_y += slot_h + 12.0;
        }
        let leaves_h = if branches.is_empty() {
            0.0
        } else {
            slot_y - 12.0 - top
        };
        if let (Some(&first), Some(&last)) = (branches.first(), branches.last()) {
            let _ = write!(
                body,
                "<path class=\"tn-edge\" d=\"M{x0} {stub_y}H{TRUNK_X}M{TRUNK_X} {a}V{b}\" fill=\"none\" stroke=\"currentColor\"/>",
                x0 = CHECK_X + CHECK_W,
                a = first.min(stub_y),
                b = last.max(stub_y)
            );
        }

        let row_h = check_h.max(leaves_h);
        let is_last = k + 1 == d.checks.len();
        if is_last {
            y = top + row_h;
            break;
        }
        if check.down.is_empty() {
            y = top + row_h + 30.0;
            continue;
        }
        let label = wrap(
            &check.down.join(" / "),
            LABEL_SIZE,
            CHECK_W / 2.0 - 16.0,
            true,
        );
        let label_h = label.len() as f32 * LABEL_LINE;
        let below = row_h - check_h;
        let gap = (label_h + 26.0 - below).max(34.0);
        let next_top = top + row_h + gap;
        line_arrow(
            &mut body,
            spine_x,
            top + check_h,
            spine_x,
            next_top - 2.0,
            &arrow,
        );
        for (i, text) in label.iter().enumerate() {
            let _ = write!(
                body,
                "<text class=\"tn-answer\" x=\"{x}\" y=\"{baseline}\" font-size=\"{LABEL_SIZE}\" fill=\"currentColor\">{}</text>",
                escape_html(text),
                x = spine_x + 10.0,
                baseline = top + check_h + 18.0 + i as f32 * LABEL_LINE
            );
        }
        y = next_top;
    }

    let height = (y + PAD).ceil();
    let mut svg = String::with_capacity(body.len() + 600);
    let _ = write!(
        svg,
        "<svg class=\"tree-svg\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\" role=\"group\" aria-label=\"Diagram of the triage tree: {title}\" font-family=\"system-ui, sans-serif\">\
<defs><marker id=\"{arrow}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path class=\"tn-arrowhead\" d=\"M0 0L10 5L0 10z\" fill=\"currentColor\"/></marker></defs>",
        title = escape_html(d.title),
        arrow = escape_html(&arrow),
    );
    svg.push_str(&body);
    svg.push_str("</svg>");
    svg
}

fn leaf_box(out: &mut String, leaf: &Leaf, top: f32, height: f32, text: &[String]) {
    let class = leaf.kind.class();
    let open_link = |out: &mut String| {
        if let Some(href) = &leaf.href {
            let _ = write!(
                out,
                "<a class=\"tn-link\" href=\"{}\"><title>{}: {}</title>",
                escape_html(href),
                match leaf.kind {
                    LeafKind::Runbook => "Open the runbook",
                    _ => "Go to",
                },
                escape_html(&leaf.text)
            );
        }
    };
    open_link(out);
    let dash = if leaf.kind == LeafKind::Runbook {
        ""
    } else {
        " stroke-dasharray=\"5 4\""
    };
    let _ = write!(
        out,
        "<g class=\"tn-leaf {class}\"><rect x=\"{LEAF_X}\" y=\"{top}\" width=\"{LEAF_W}\" height=\"{height}\" rx=\"6\" fill=\"none\" stroke=\"currentColor\"{dash}/>"
    );
    kicker(out, LEAF_X + TEXT_PAD, top + 22.0, leaf.kind.kicker());
    lines(
        out,
        LEAF_X + TEXT_PAD,
        top + 22.0 + LEAF_LINE,
        LEAF_LINE,
        text,
        "tn-text tn-leaf-text",
        LEAF_SIZE,
    );
    out.push_str("</g>");
    if leaf.href.is_some() {
        out.push_str("</a>");
    }
}

fn kicker(out: &mut String, x: f32, y: f32, text: &str) {
    let _ = write!(
        out,
        "<text class=\"tn-kicker\" x=\"{x}\" y=\"{y}\" font-size=\"{KICKER_SIZE}\" letter-spacing=\"0.6\" fill=\"currentColor\">{}</text>",
        escape_html(text)
    );
}

fn lines(
    out: &mut String,
    x: f32,
    first_baseline: f32,
    line_height: f32,
    text: &[String],
    class: &str,
    size: f32,
) {
    let _ = write!(
        out,
        "<text class=\"{class}\" x=\"{x}\" y=\"{first_baseline}\" font-size=\"{size}\" fill=\"currentColor\">"
    );
    for (i, line) in text.iter().enumerate() {
        let dy = if i == 0 { 0.0 } else { line_height };
        let _ = write!(
            out,
            "<tspan x=\"{x}\" dy=\"{dy}\">{}</tspan>",
            escape_html(line)
        );
    }
    out.push_str("</text>");
}

fn line_arrow(out: &mut String, x1: f32, y1: f32, x2: f32, y2: f32, marker: &str) {
    let _ = write!(
        out,
        "<path class=\"tn-edge\" d=\"M{x1} {y1}L{x2} {y2}\" fill=\"none\" stroke=\"currentColor\" marker-end=\"url(#{})\"/>",
        escape_html(marker)
    );
}

/// Estimated advance of a character, in ems. The figures are those of
/// DejaVu Sans (what `system-ui` often is on Linux), among the widest common
/// sans-serif fonts, so text wraps early rather than overflowing its box.
fn char_width(c: char) -> f32 {
    match c {
        'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | 'I' | '`' => 0.3,
        ' ' => 0.32,
        'f' | 't' | 'r' | '(' | ')' | '[' | ']' | '-' | '/' => 0.42,
        'm' | 'w' | 'M' | 'W' | '@' | '%' => 0.98,
        c if c.is_ascii_uppercase() => 0.76,
        c if c.is_ascii_digit() => 0.64,
        c if c.is_ascii() => 0.63,
        // Other scripts and symbols: err on the wide side.
        _ => 0.95,
    }
}

fn text_width(text: &str, size: f32, bold: bool) -> f32 {
    let ems: f32 = text.chars().map(char_width).sum();
    ems * size * if bold { 1.1 } else { 1.0 }
}

/// Greedy word wrap to `max` pixels; a word longer than a line is cut.
pub fn wrap(text: &str, size: f32, max: f32, bold: bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let candidate = if current.is_empty() {
            word.to_string()
        } else {
            format!("{current} {word}")
        };
        if text_width(&candidate, size, bold) <= max {
            current = candidate;
            continue;
        }
        if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        // The word alone: cut it if it does not fit either.
        let mut piece = String::new();
        for c in word.chars() {
            piece.push(c);
            if text_width(&piece, size, bold) > max && piece.chars().count() > 1 {
                piece.pop();
                out.push(std::mem::take(&mut piece));
                piece.push(c);
            }
        }
        current = piece;
    }
    if !current.is_empty() || out.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_words_and_cuts_long_ones() {
        assert_eq!(wrap("short", 14.0, 200.0, false), vec!["short"]);
        let lines = wrap(
            "Escalate to engineering for investigation of the problem",
            14.0,
            150.0,
            false,
        );
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| text_width(l, 14.0, false) <= 150.0));
        let cut = wrap(&"x".repeat(80), 14.0, 100.0, false);
        assert!(cut.len() > 2);
        assert_eq!(wrap("", 14.0, 100.0, false), vec![""]);
    }

    #[test]
    fn draws_boxes_links_and_arrows() {
        let d = Diagram {
            dom_id: "triage-x",
            title: "Users <report> errors",
            checks: vec![
                Check {
                    number: 1,
                    text: "API error rate dashboard".into(),
                    down: vec!["Normal".into()],
                    leaves: vec![Leaf {
                        answer: "Error rate elevated".into(),
                        kind: LeafKind::Runbook,
                        text: "API Error Rate Spike".into(),
                        href: Some("../../runbooks/api/index.html".into()),
                    }],
                },
                Check {
                    number: 2,
                    text: "Health".into(),
                    down: vec![],
                    leaves: vec![Leaf {
                        answer: "All healthy".into(),
                        kind: LeafKind::Escalate,
                        text: "Escalate to engineering".into(),
                        href: None,
                    }],
                },
            ],
        };
        let svg = draw(&d);
        assert!(svg.starts_with("<svg class=\"tree-svg\""));
        assert!(svg.contains("Users &lt;report&gt; errors"));
        assert!(svg.contains("<a class=\"tn-link\" href=\"../../runbooks/api/index.html\">"));
        assert!(svg.contains("id=\"triage-x-d2\""));
        assert!(svg.contains("marker-end=\"url(#triage-x-arrow)\""));
        assert_eq!(svg.matches("<g class=\"tn-leaf").count(), 2);
        assert!(svg.ends_with("</svg>"));
    }
}
