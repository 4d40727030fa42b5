//! Runbook links written as templates: `docs/{{ $labels.service }}/README.md`
//! (Prometheus, Grafana), `{{ .Labels.service }}` (Alertmanager), `${var.x}`
//! (Terraform, CloudFormation), `{{service.name}}` (Datadog).
//!
//! A template is filled from what the rule itself fixes: its static labels
//! and the equality matchers of its expression (`job="api"`), read with a
//! real PromQL parser. A placeholder nothing fixes stays open; the link is
//! then a pattern that at least one page must match (see
//! [`crate::site::Site::resolve_runbook`]).

use promql_parser::label::MatchOp;
use promql_parser::parser::{self, Expr};

/// Stands in the filled link for each open placeholder: a character no link
/// or page id holds, so matching can split on it.
pub const WILDCARD: char = '\u{1}';

/// A runbook link that was written as a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// The link with each fixed placeholder filled in and each open one
    /// replaced by [`WILDCARD`].
    pub filled: String,
    /// The labels (or variables) left open, in order, without repeats.
    pub open: Vec<String>,
}

impl Template {
    pub fn is_open(&self) -> bool {
        !self.open.is_empty()
    }

    /// The filled link as shown, open placeholders as `*`.
    pub fn shown(&self) -> String {
        self.filled.replace(WILDCARD, "*")
    }
}

/// Whether a link holds a template placeholder.
pub fn is_template(link: &str) -> bool {
    (link.contains("{{") && link.contains("}}")) || link.contains("${")
}

/// The labels an expression fixes: each label every equality matcher of
/// the expression sets to one value (a label matched to two values, or
/// only by regex, is not fixed). `None` when the text is not PromQL (a
/// LogQL or MetricsQL expression, a CloudWatch metric): nothing is fixed.
pub fn fixed_by_expr(expr: &str) -> Vec<(String, String)> {
    let Ok(ast) = parser::parse(expr) else {
        return Vec::new();
    };
    let mut seen: Vec<(String, Option<String>)> = Vec::new();
    visit(&ast, &mut seen);
    seen.into_iter()
        .filter_map(|(name, value)| Some((name, value?)))
        .collect()
}

fn visit(expr: &Expr, seen: &mut Vec<(String, Option<String>)>) {
    match expr {
        Expr::VectorSelector(vs) => selector(vs, seen),
        Expr::MatrixSelector(ms) => selector(&ms.vs, seen),
        Expr::Aggregate(a) => {
            visit(&a.expr, seen);
            if let Some(p) = &a.param {
                visit(p, seen);
            }
        }
        Expr::Unary(u) => visit(&u.expr, seen),
        Expr::Binary(b) => {
            visit(&b.lhs, seen);
            visit(&b.rhs, seen);
        }
        Expr::Paren(p) => visit(&p.expr, seen),
        Expr::Subquery(s) => visit(&s.expr, seen),
        Expr::Call(c) => {
            for arg in &c.args.args {
                visit(arg, seen);
            }
        }
        Expr::NumberLiteral(_) | Expr::StringLiteral(_) | Expr::Extension(_) => {}
    }
}

fn selector(vs: &promql_parser::parser::VectorSelector, seen: &mut Vec<(String, Option<String>)>) {
    for m in &vs.matchers.matchers {
        if !matches!(m.op, MatchOp::Equal) || m.name == "__name__" {
            continue;
        }
        match seen.iter_mut().find(|(n, _)| *n == m.name) {
            // Two values for one label: it is not fixed.
            Some((_, value)) if value.as_deref() != Some(m.value.as_str()) => *value = None,
            Some(_) => {}
            None => seen.push((m.name.clone(), Some(m.value.clone()))),
        }
    }
}

/// Fill a templated link from the rule's static labels and its expression.
/// `None` when the link is no template.
pub fn fill(link: &str, labels: &[(String, String)], expr: Option<&str>) -> Option<Template> {
    if !is_template(link) {
        return None;
    }
    let mut by_expr: Option<Vec<(String, String)>> = None;
    let mut filled = String::with_capacity(link.len());
    let mut open: Vec<String> = Vec::new();
    let mut rest = link;
    while let Some((start, inner, end)) = next_placeholder(rest) {
        filled.push_str(&rest[..start]);
        let name = placeholder_name(inner);
        let value = labels
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
            .or_else(|| {
                let fixed =
                    by_expr.get_or_insert_with(|| expr.map(fixed_by_expr).unwrap_or_default());
                fixed
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.clone())
            });
        match value {
            Some(v) => filled.push_str(&v),
            None => {
                filled.push(WILDCARD);
                if !open.contains(&name) {
                    open.push(name);
                }
            }
        }
        rest = &rest[end..];
    }
    filled.push_str(rest);
    Some(Template { filled, open })
}

/// The next `{{ ... }}` or `${ ... }`: (start, inner text, end) in `text`.
fn next_placeholder(text: &str) -> Option<(usize, &str, usize)> {
    let go = text.find("{{").map(|i| (i, "{{", "}}"));
    let shell = text.find("${").map(|i| (i, "${", "}"));
    let (start, open, close) = match (go, shell) {
        (Some(g), Some(s)) => {
            if g.0 <= s.0 {
                g
            } else {
                s
            }
        }
        (Some(g), None) => g,
        (None, Some(s)) => s,
        (None, None) => return None,
    };
    let after = start + open.len();
    let len = text[after..].find(close)?;
    Some((start, &text[after..after + len], after + len + close.len()))
}

/// The label a placeholder stands for: `$labels.service`, `.Labels.service`,
/// `index $labels "service"`, Datadog's `service.name` all say `service`;
/// anything else (`var.x`, `$externalLabels.cluster`) is named as written.
fn placeholder_name(inner: &str) -> String {
    let inner = inner
        .trim()
        .trim_start_matches('-')
        .trim_end_matches('-')
        .trim();
    let head = inner.split('|').next().unwrap_or("").trim();
    if let Some(name) = head
        .strip_prefix("$labels.")
        .or_else(|| head.strip_prefix(".Labels."))
        .or_else(|| head.strip_prefix(".labels."))
    {
        return name.trim().to_string();
    }
    if let Some(rest) = head
        .strip_prefix("index $labels ")
        .or_else(|| head.strip_prefix("index .Labels "))
    {
        return rest.trim().trim_matches('"').to_string();
    }
    if let Some(tag) = head.strip_suffix(".name")
        && !tag.contains(['$', ' ', '.'])
    {
        return tag.to_string();
    }
    head.to_string()
}

/// Whether `key` (a page id) matches `pattern` (a normalized link path with
/// [`WILDCARD`]s): segment by segment, each wildcard standing for one or
/// more characters within a segment.
pub fn matches(pattern: &str, key: &str) -> bool {
    let pattern: Vec<&str> = pattern.split('/').collect();
    let key: Vec<&str> = key.split('/').collect();
    pattern.len() == key.len() && pattern.iter().zip(&key).all(|(p, k)| segment_matches(p, k))
}

fn segment_matches(pattern: &str, segment: &str) -> bool {
    let pieces: Vec<&str> = pattern.split(WILDCARD).collect();
    if pieces.len() == 1 {
        return pattern == segment;
    }
    let (first, last) = (pieces[0], pieces[pieces.len() - 1]);
    if !segment.starts_with(first) || segment.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &segment[first.len()..];
    for piece in &pieces[1..pieces.len() - 1] {
        // A wildcard takes at least one character.
        let Some(after_one) = rest.char_indices().nth(1).map(|(i, _)| i) else {
            return false;
        };
        match rest[after_one..].find(piece) {
            Some(i) => rest = &rest[after_one + i + piece.len()..],
            None => return false,
        }
    }
    rest.len() > last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn filled_from_labels_then_matchers() {
        let t = fill(
            "docs/{{ $labels.type }}/README.md#{{ .Labels.alertname }}",
            &labels(&[("alertname", "X")]),
            Some(r#"sum(rate(http_requests_total{type="api", code=~"5.."}[5m])) > 1"#),
        )
        .unwrap();
        assert_eq!(t.filled, "docs/api/README.md#X");
        assert!(!t.is_open());
        let t = fill("runbooks/${var.service}", &[], None).unwrap();
        assert_eq!(t.open, vec!["var.service"]);
        assert_eq!(t.shown(), "runbooks/*");
        assert!(fill("runbooks/x", &[], None).is_none());
    }

    #[test]
    fn a_label_matched_two_ways_is_open() {
        let fixed = fixed_by_expr(r#"up{job="a"} == 0 or up{job="b", env="prod"} == 0"#);
        assert_eq!(fixed, labels(&[("env", "prod")]));
        assert!(fixed_by_expr("{app=\"x\"} |= \"error\"").is_empty());
    }

    #[test]
    fn placeholders_name_their_label() {
        assert_eq!(placeholder_name(" $labels.service | toLower "), "service");
        assert_eq!(placeholder_name("index $labels \"team\""), "team");
        assert_eq!(placeholder_name("service.name"), "service");
        assert_eq!(
            placeholder_name("$externalLabels.cluster"),
            "$externalLabels.cluster"
        );
    }

    #[test]
    fn wildcards_match_within_a_segment() {
        let w = WILDCARD;
        assert!(matches(&format!("runbooks/{w}"), "runbooks/api"));
        assert!(!matches(&format!("runbooks/{w}"), "runbooks/a/b"));
        assert!(matches(
            &format!("docs/svc-{w}/readme"),
            "docs/svc-db/readme"
        ));
        assert!(!matches(
            &format!("docs/svc-{w}/readme"),
            "docs/svc-/readme"
        ));
        assert!(matches(&format!("{w}-{w}"), "a-b"));
        assert!(!matches(&format!("{w}-{w}"), "-b"));
    }
}
