//! Call-outs: GitHub alerts, MkDocs admonitions and the Hugo themes' hints,
//! notices and admonitions all render as one element in five styles, so a
//! reader learns one look (`static/style.css`, `.callout`). The label is
//! always written out, so the kind reads without colour (in print, to a
//! screen reader).

use pulldown_cmark::BlockQuoteKind;

use super::escape;

/// The five styles, GitHub's alert kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Note,
    Tip,
    Important,
    Warning,
    Caution,
}

impl Style {
    pub fn class(self) -> &'static str {
        match self {
            Style::Note => "note",
            Style::Tip => "tip",
            Style::Important => "important",
            Style::Warning => "warning",
            Style::Caution => "caution",
        }
    }

    /// The style a tool's type name means: MkDocs' types, hugo-book's hint
    /// colours, the Learn/Relearn notices, Docsy's alert colours, LoveIt's
    /// admonitions. Unknown names are notes.
    pub fn from_name(name: &str) -> Style {
        match name.to_ascii_lowercase().as_str() {
            "tip" | "hint" | "success" | "check" | "done" | "green" | "ok" => Style::Tip,
            "important" | "question" | "help" | "faq" | "primary" | "purple" => Style::Important,
            "warning" | "warn" | "attention" | "orange" | "yellow" => Style::Warning,
            "caution" | "danger" | "error" | "failure" | "fail" | "missing" | "bug" | "red" => {
                Style::Caution
            }
            _ => Style::Note,
        }
    }

    pub fn from_alert(kind: BlockQuoteKind) -> Style {
        match kind {
            BlockQuoteKind::Note => Style::Note,
            BlockQuoteKind::Tip => Style::Tip,
            BlockQuoteKind::Important => Style::Important,
            BlockQuoteKind::Warning => Style::Warning,
            BlockQuoteKind::Caution => Style::Caution,
        }
    }
}

/// A type name as a title: `warning` → `Warning`.
pub fn label(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// How a call-out shows its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fold {
    /// Always shown.
    Open,
    /// A `<details>` element, shown until the reader folds it.
    Unfolded,
    /// A `<details>` element, folded until the reader opens it.
    Folded,
}

/// The opening HTML of a call-out, and its closing HTML. `title` is text
/// (escaped here); an empty title writes no title line (MkDocs' `""`) unless
/// the call-out folds, which needs one to click.
pub fn html(style: Style, kind_name: &str, title: &str, fold: Fold) -> (String, String) {
    let class = format!(
        "callout callout-{}{}",
        style.class(),
        if kind_name.is_empty() || kind_name.eq_ignore_ascii_case(style.class()) {
            String::new()
        } else {
            format!(" callout-type-{}", css_name(kind_name))
        }
    );
    let title = if title.is_empty() && fold != Fold::Open {
        label(if kind_name.is_empty() {
            style.class()
        } else {
            kind_name
        })
    } else {
        title.to_string()
    };
    let title = escape(&title);
    match fold {
        Fold::Open => {
            let head = if title.is_empty() {
                String::new()
            } else {
                format!("<p class=\"callout-title\">{title}</p>\n")
            };
            (
                format!("<div class=\"{class}\" role=\"note\">\n{head}"),
                "</div>\n".to_string(),
            )
        }
        Fold::Unfolded | Fold::Folded => (
            format!(
                "<details class=\"{class}\"{}>\n<summary class=\"callout-title\">{title}</summary>\n",
                if fold == Fold::Unfolded { " open" } else { "" }
            ),
            "</details>\n".to_string(),
        ),
    }
}

/// A name made safe for a class: letters, digits, `-` and `_`.
pub fn css_name(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect::<String>()
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn styles_from_the_tools_names() {
        assert_eq!(Style::from_name("danger"), Style::Caution);
        assert_eq!(Style::from_name("Info"), Style::Note);
        assert_eq!(Style::from_name("success"), Style::Tip);
        assert_eq!(Style::from_name("question"), Style::Important);
        assert_eq!(Style::from_name("warning"), Style::Warning);
    }

    #[test]
    fn titles_are_escaped_and_folding_has_a_summary() {
        let (open, close) = html(Style::Warning, "warning", "<b>x</b>", Fold::Open);
        assert!(open.contains("&lt;b&gt;x&lt;/b&gt;"), "{open}");
        assert_eq!(close, "</div>\n");
        let (open, _) = html(Style::Note, "abstract", "", Fold::Folded);
        assert!(
            open.contains("<summary class=\"callout-title\">Abstract</summary>"),
            "{open}"
        );
        assert!(open.contains("callout-type-abstract"));
    }
}
