//! Code highlighting with syntect, into CSS classes (one stylesheet serves
//! light and dark themes). The syntax set is loaded once per process.

use std::sync::OnceLock;

use syntect::highlighting::ThemeSet;
#[cfg(test)]
use syntect::html::ClassedHTMLGenerator;
use syntect::html::{ClassStyle, css_for_theme_with_class_style, line_tokens_to_classed_spans};
use syntect::parsing::{ParseState, ScopeStack, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// opswiki's own compact grammars for the languages runbooks are made of.
/// syntect still does the highlighting; these grammars have a handful of
/// patterns where the bundled Sublime ones have hundreds of contexts, which
/// made highlighting most of a build's time (see the README's benchmark).
fn ops_syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(|| {
        let mut builder = syntect::parsing::SyntaxSetBuilder::new();
        for (name, text) in [
            ("shell", include_str!("syntaxes/shell.sublime-syntax")),
            ("yaml", include_str!("syntaxes/yaml.sublime-syntax")),
        ] {
            match syntect::parsing::SyntaxDefinition::load_from_str(text, true, Some(name)) {
                Ok(def) => builder.add(def),
                // A grammar of ours that does not load is a bug, not a user
                // error: fall back to the bundled grammars rather than fail.
                Err(err) => eprintln!("warning: built-in {name} grammar: {err}"),
            }
        }
        builder.build()
    })
}

/// Languages whose blocks get a copy button: commands to paste in a terminal.
pub fn is_shell(lang: &str) -> bool {
    matches!(
        lang,
        "bash" | "sh" | "shell" | "zsh" | "console" | "shell-session" | "powershell" | "ps1"
    )
}

/// Plain-text blocks (an error message to grep for, a value to paste) get a
/// copy button too; other languages (YAML, JSON, ...) are read, not pasted.
pub fn is_copyable_text(lang: &str) -> bool {
    matches!(lang, "text" | "plain" | "txt" | "")
}

fn find_syntax(lang: &str) -> Option<(&'static SyntaxSet, &'static SyntaxReference)> {
    if lang.is_empty() || lang == "promql" || lang == "text" || lang == "plain" {
        return None;
    }
    let ops = ops_syntaxes();
    if let Some(syntax) = ops.find_syntax_by_token(lang) {
        return Some((ops, syntax));
    }
    let set = syntaxes();
    set.find_syntax_by_token(lang).map(|syntax| (set, syntax))
}

/// A code block as HTML. Unknown languages are escaped plain text.
pub fn code_block(lang: &str, code: &str) -> String {
    let lang = lang
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let body = match find_syntax(&lang) {
        Some((set, syntax)) => highlight(set, syntax, code),
        None => escape_html(code),
    };
    let lang_attr = escape_html(&lang);
    // A long line scrolls inside the block: the block takes the keyboard
    // focus (arrow keys scroll it) and is named for a screen reader.
    let label = if lang.is_empty() {
        "Code".to_string()
    } else {
        format!("Code, {lang_attr}")
    };
    let pre = format!(
        "<pre class=\"code\" data-lang=\"{lang_attr}\" tabindex=\"0\" role=\"region\" aria-label=\"{label}\"><code>{body}</code></pre>"
    );
    if is_shell(&lang) {
        format!(
            "<div class=\"code-block shell\"><button class=\"copy\" type=\"button\" aria-label=\"Copy all commands\">Copy all</button>{pre}</div>\n"
        )
    } else if is_copyable_text(&lang) {
        format!(
            "<div class=\"code-block text\"><button class=\"copy\" type=\"button\" aria-label=\"Copy text\">Copy</button>{pre}</div>\n"
        )
    } else {
        format!("<div class=\"code-block\">{pre}</div>\n")
    }
}

fn highlight(set: &SyntaxSet, syntax: &SyntaxReference, code: &str) -> String {
    LINE_MEMO.with(|memo| {
        let mut memo = memo.borrow_mut();
        // Keyed by the syntax's address: syntaxes live in process-wide sets.
        let key = syntax as *const SyntaxReference as usize;
        let memo = memo.entry(key).or_insert_with(|| SyntaxMemo::new(syntax));
        memo.highlight(set, code)
            .unwrap_or_else(|| escape_html(code))
    })
}

thread_local! {
    /// Per-thread memo of highlighted lines, per syntax. Runbooks repeat the
    /// same commands and config lines across pages (`kubectl get pods -n …`),
    /// and the regex engine behind syntect is most of a build's highlighting
    /// time, so each (state at the start of the line, line) is highlighted
    /// once per thread. The output is byte for byte what syntect's
    /// `ClassedHTMLGenerator` makes (a unit test compares them).
    static LINE_MEMO: std::cell::RefCell<std::collections::HashMap<usize, SyntaxMemo>> =
        std::cell::RefCell::default();
}

/// Most distinct parser states one syntax may record; past it a block goes on
/// without the memo. The compact grammars have a few dozen states at most.
const MAX_STATES: usize = 256;
/// Most memoised lines per syntax and thread (bounded memory on big sites);
/// the memo starts afresh past it.
const MAX_LINES: usize = 50_000;

struct LineResult {
    state: u32,
    html: Box<str>,
    span_delta: isize,
    next_state: Option<u32>,
}

struct SyntaxMemo {
    /// Parser and scope states seen at the start of a line; index 0 is the
    /// state at the start of a block.
    states: Vec<(ParseState, ScopeStack)>,
    lines: std::collections::HashMap<Box<str>, Vec<LineResult>>,
    line_count: usize,
    max_states: usize,
}

impl SyntaxMemo {
    fn new(syntax: &SyntaxReference) -> SyntaxMemo {
        SyntaxMemo {
            states: vec![(ParseState::new(syntax), ScopeStack::new())],
            lines: Default::default(),
            line_count: 0,
            max_states: MAX_STATES,
        }
    }

    fn intern(&mut self, state: (ParseState, ScopeStack)) -> Option<u32> {
        if let Some(i) = self.states.iter().position(|s| *s == state) {
            return Some(i as u32);
        }
        if self.states.len() >= self.max_states {
            return None;
        }
        self.states.push(state);
        Some(self.states.len() as u32 - 1)
    }

    /// The block's HTML, or None when the grammar fails on it.
    fn highlight(&mut self, set: &SyntaxSet, code: &str) -> Option<String> {
        if self.line_count > MAX_LINES {
            self.lines.clear();
            self.states.truncate(1);
            self.line_count = 0;
        }
        let mut html = String::with_capacity(code.len() * 3);
        let mut open_spans: isize = 0;
        // The state at the start of the current line: an index into
        // `states`, or, once the memo is full, the live state itself.
        let mut state: Option<u32> = Some(0);
        let mut live: Option<(ParseState, ScopeStack)> = None;
        for line in LinesWithEndings::from(code) {
            if let Some(index) = state
                && let Some(hit) = self
                    .lines
                    .get(line)
                    .and_then(|results| results.iter().find(|r| r.state == index))
            {
                html.push_str(&hit.html);
                open_spans += hit.span_delta;
                state = hit.next_state;
                if state.is_none() {
                    // The memo was full when this line was recorded: go
                    // on from the real state, parsed again.
                    live = Some(self.replay(set, index, line)?);
                }
                continue;
            }
            let (mut parse_state, mut scopes) = match (state, live.take()) {
                (Some(index), _) => self.states[index as usize].clone(),
                (None, Some(live)) => live,
                (None, None) => return None,
            };
            let ops = parse_state.parse_line(line, set).ok()?;
            let (line_html, span_delta) =
                line_tokens_to_classed_spans(line, &ops, CLASS_STYLE, &mut scopes).ok()?;
            html.push_str(&line_html);
            open_spans += span_delta;
            match state {
                Some(index) => {
                    let next_state = self.intern((parse_state.clone(), scopes.clone()));
                    self.lines.entry(line.into()).or_default().push(LineResult {
                        state: index,
                        html: line_html.into(),
                        span_delta,
                        next_state,
                    });
                    self.line_count += 1;
                    state = next_state;
                    if next_state.is_none() {
                        live = Some((parse_state, scopes));
                    }
                }
                None => live = Some((parse_state, scopes)),
            }
        }
        for _ in 0..open_spans.max(0) {
            html.push_str("</span>");
        }
        Some(html)
    }

    /// The state after `line` parsed from recorded state `index`.
    fn replay(&self, set: &SyntaxSet, index: u32, line: &str) -> Option<(ParseState, ScopeStack)> {
        let (mut parse_state, mut scopes) = self.states[index as usize].clone();
        let ops = parse_state.parse_line(line, set).ok()?;
        line_tokens_to_classed_spans(line, &ops, CLASS_STYLE, &mut scopes).ok()?;
        Some((parse_state, scopes))
    }
}

/// syntect's own generator: the reference the memo must match.
#[cfg(test)]
fn highlight_direct(set: &SyntaxSet, syntax: &SyntaxReference, code: &str) -> String {
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, set, CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        if generator
            .parse_html_for_line_which_includes_newline(line)
            .is_err()
        {
            return escape_html(code);
        }
    }
    generator.finalize()
}

/// The highlighting stylesheet: a light theme, and a dark one under
/// `prefers-color-scheme: dark`, each also forced by the theme button
/// (`data-theme` on `<html>`, see static/style.css). Print is light.
pub fn stylesheet() -> String {
    let themes = ThemeSet::load_defaults();
    let light = themes
        .themes
        .get("InspiredGitHub")
        .and_then(|t| css_for_theme_with_class_style(t, CLASS_STYLE).ok())
        .unwrap_or_default();
    let dark = themes
        .themes
        .get("base16-ocean.dark")
        .and_then(|t| css_for_theme_with_class_style(t, CLASS_STYLE).ok())
        .unwrap_or_default();
    // `:where` adds no weight: the rules keep the specificity style.css's
    // token colours are written against.
    let auto_light = scope_rules(&light, ":where(:root:not([data-theme=\"dark\"]))");
    let auto_dark = scope_rules(&dark, ":where(:root:not([data-theme=\"light\"]))");
    let forced_light = scope_rules(&light, ":where(:root[data-theme=\"light\"])");
    let forced_dark = scope_rules(&dark, ":where(:root[data-theme=\"dark\"])");
    let print = scope_rules(&light, ":where(:root)");
    format!(
        "/* generated by opswiki from syntect's themes: light on screens in light mode and in print, dark on screens in dark mode, either when chosen with the theme button */\n\
         @media screen and (prefers-color-scheme: light) {{\n{auto_light}\n}}\n\
         @media screen and (prefers-color-scheme: dark) {{\n{auto_dark}\n}}\n\
         @media screen {{\n{forced_light}\n{forced_dark}\n}}\n\
         @media print {{\n{print}\n}}\n"
    )
}

/// Every rule of a flat stylesheet (`a, b { ... }`, comments allowed, no
/// nesting) with each of its selectors put under `scope`.
fn scope_rules(css: &str, scope: &str) -> String {
    let mut out = String::with_capacity(css.len() * 2);
    let mut rest = css;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|at| open + at) else {
            break;
        };
        let mut head = &rest[..open];
        // Comments before a rule stay out of its selectors.
        while let Some(end) = head.find("*/") {
            head = &head[end + 2..];
        }
        let selectors: Vec<String> = head
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| format!("{scope} {s}"))
            .collect();
        if !selectors.is_empty() {
            out.push_str(&selectors.join(", "));
            out.push_str(&rest[open..=close]);
            out.push('\n');
        }
        rest = &rest[close + 1..];
    }
    out
}

pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_blocks_get_a_copy_button_and_classes() {
        let html = code_block("bash", "kubectl get pods\n");
        assert!(html.contains("class=\"copy\""));
        assert!(html.contains("hl-"), "{html}");
        let plain = code_block("yaml", "a: 1\n");
        assert!(!plain.contains("class=\"copy\""));
    }

    #[test]
    fn ops_grammars_load_and_classify() {
        let html = code_block(
            "bash",
            "# check\nkubectl get pods -n \"$NS\" | grep Error\n",
        );
        assert!(html.contains("hl-comment"), "{html}");
        assert!(html.contains("hl-entity hl-name hl-function"), "{html}");
        assert!(html.contains("hl-variable hl-parameter"), "{html}");
        assert!(html.contains("hl-string"), "{html}");
        let yaml = code_block("yaml", "spec:\n  replicas: 3 # note\n  name: \"x\"\n");
        assert!(yaml.contains("hl-entity hl-name hl-tag"), "{yaml}");
        assert!(yaml.contains("hl-constant hl-numeric"), "{yaml}");
        // Languages we have no grammar of our own for use the bundled ones.
        assert!(code_block("python", "def f():\n    return 1\n").contains("hl-"));
    }

    #[test]
    fn memoised_lines_match_syntect_byte_for_byte() {
        let blocks = [
            (
                "bash",
                "# restart\nkubectl rollout restart deploy/api -n \"$NS\"\nkubectl get pods -n \"$NS\" | grep -v Running\n",
            ),
            (
                "bash",
                "kubectl get pods -n \"$NS\" | grep -v Running\ncat <<EOF\nnot 'closed\nEOF\necho \"open string\n",
            ),
            (
                "yaml",
                "groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate # page\n        expr: rate(x[5m]) > 0.05\n",
            ),
            (
                "yaml",
                "      - alert: HighErrorRate # page\nkey: |\n  block\n  text\n",
            ),
            (
                "python",
                "def f():\n    '''doc\n    more'''\n    return 1\n",
            ),
            ("python", "    return 1\ndef f():\n    '''doc\n"),
            ("json", "{\"a\": [1, 2, {\"b\": null}]}\n"),
        ];
        // Twice: the second round is served from the memo.
        for _ in 0..2 {
            for (lang, code) in blocks {
                let (set, syntax) = find_syntax(lang).expect(lang);
                assert_eq!(
                    highlight(set, syntax, code),
                    highlight_direct(set, syntax, code),
                    "{lang}: {code}"
                );
            }
        }
    }

    #[test]
    fn a_full_memo_still_highlights_correctly() {
        let code = "def f():\n    '''doc\n    more'''\n    x = [1,\n      2]\n    return 1\n";
        let (set, syntax) = find_syntax("python").unwrap();
        let mut memo = SyntaxMemo::new(syntax);
        memo.max_states = 2;
        for _ in 0..3 {
            assert_eq!(
                memo.highlight(set, code).unwrap(),
                highlight_direct(set, syntax, code)
            );
        }
    }

    #[test]
    fn unknown_language_is_escaped() {
        let html = code_block("nope", "<script>\n");
        assert!(html.contains("&lt;script&gt;"));
    }
}
