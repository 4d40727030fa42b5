//! Diagnostics as data, rendered in one place.
//!
//! Every check produces [`Diagnostic`] values; nothing prints on its own.
//! [`Report`] sorts them and writes them as rustc-like text (with the source
//! line, drawn by annotate-snippets), JSON lines, GitHub workflow commands or
//! a JUnit XML report.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, Write};

pub mod codes;

pub use codes::{Code, Family, Level};

/// Where a diagnostic points: a file relative to the site root, 1-based line
/// and column (columns count characters), and how many characters to underline.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Span {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub len: u32,
}

impl Span {
    pub fn new(file: impl Into<String>, line: u32, column: u32) -> Span {
        Span {
            file: file.into(),
            line,
            column,
            len: 1,
        }
    }

    pub fn with_len(mut self, len: usize) -> Span {
        self.len = len.max(1) as u32;
        self
    }
}

/// One finding. `code` is stable and kebab-case: CI configurations,
/// suppressions and baselines depend on it. `level` starts as the code's
/// default; the pipeline's judging step sets it from the config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub level: Level,
    pub code: Code,
    pub message: String,
    pub span: Span,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            level: code.default_level(),
            code,
            message: message.into(),
            span,
            help: None,
        }
    }

    /// The same finding under another code (and that code's level).
    pub fn recode(mut self, code: Code) -> Diagnostic {
        self.code = code;
        self.level = code.default_level();
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }
}

/// The output formats of `check` (and of `build`'s diagnostics).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// rustc-like text with the offending source line
    Text,
    /// one JSON object per diagnostic, one per line
    Json,
    /// GitHub Actions workflow commands
    Github,
    /// a JUnit XML report, as GitLab and Jenkins display
    Junit,
}

/// Counts for the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub pages: usize,
    pub alarms: usize,
    pub errors: usize,
    pub warnings: usize,
    /// Findings in the baseline: not reported, failing nothing.
    pub baselined: usize,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "{} {}, {} {}: {} {}, {} {}",
            self.pages,
            plural(self.pages, "page", "pages"),
            self.alarms,
            plural(self.alarms, "alarm", "alarms"),
            self.errors,
            plural(self.errors, "error", "errors"),
            self.warnings,
            plural(self.warnings, "warning", "warnings")
        )?;
        if self.baselined > 0 {
            write!(f, ", {} in the baseline", self.baselined)?;
        }
        Ok(())
    }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// Sort diagnostics into a stable order: by file, line, column, code.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (&a.span.file, a.span.line, a.span.column, a.code, &a.message).cmp(&(
            &b.span.file,
            b.span.line,
            b.span.column,
            b.code,
            &b.message,
        ))
    });
}

pub fn count(diags: &[Diagnostic], level: Level) -> usize {
    diags.iter().filter(|d| d.level == level).count()
}

/// The texts of the files diagnostics point into, to show the offending line.
///
/// Each file's line starts are indexed the first time a diagnostic needs a
/// line of it: looking the line up from the start of the file each time made
/// printing quadratic (275 s for the 100,000 diagnostics of a 50,000-alarm
/// file whose alarms all share a name and a broken link; 1 s as JSON).
#[derive(Default)]
pub struct Sources<'a> {
    texts: HashMap<&'a str, &'a str>,
    line_starts: std::sync::Mutex<HashMap<&'a str, std::sync::Arc<Vec<usize>>>>,
}

impl<'a> Sources<'a> {
    pub fn new() -> Sources<'a> {
        Sources::default()
    }

    pub fn insert(&mut self, file: &'a str, text: &'a str) {
        self.texts.insert(file, text);
        if let Ok(mut cache) = self.line_starts.lock() {
            cache.remove(file);
        }
    }

    pub fn get(&self, file: &str) -> Option<&'a str> {
        self.texts.get(file).copied()
    }

    /// Line `line` (1-based) of `file`, without its line break.
    pub fn line(&self, file: &str, line: u32) -> Option<&'a str> {
        let (&key, &text) = self.texts.get_key_value(file)?;
        let starts = {
            let mut cache = self.line_starts.lock().ok()?;
            cache
                .entry(key)
                .or_insert_with(|| {
                    std::sync::Arc::new(
                        std::iter::once(0)
                            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                            .collect(),
                    )
                })
                .clone()
        };
        let start = *starts.get(line.checked_sub(1)? as usize)?;
        let rest = text.get(start..)?;
        // `str::lines` gives no empty last line after a final line break.
        if rest.is_empty() {
            return None;
        }
        let line = rest.split('\n').next().unwrap_or("");
        Some(line.strip_suffix('\r').unwrap_or(line))
    }
}

impl<'a> FromIterator<(&'a str, &'a str)> for Sources<'a> {
    fn from_iter<I: IntoIterator<Item = (&'a str, &'a str)>>(iter: I) -> Sources<'a> {
        Sources {
            texts: iter.into_iter().collect(),
            line_starts: Default::default(),
        }
    }
}

/// Write `diags` in `format`. `color` applies to text only.
pub fn emit(
    out: &mut dyn Write,
    diags: &[Diagnostic],
    format: Format,
    sources: &Sources,
    color: bool,
) -> io::Result<()> {
    match format {
        Format::Text => {
            for d in diags {
                writeln!(out, "{}\n", render_text(d, sources, color))?;
            }
        }
        Format::Json => {
            for d in diags {
                writeln!(out, "{}", to_json(d))?;
            }
        }
        Format::Github => {
            for d in diags {
                writeln!(out, "{}", to_github(d))?;
            }
        }
        Format::Junit => write!(out, "{}", to_junit(diags))?,
    }
    Ok(())
}

/// rustc-like text, drawn by annotate-snippets.
pub fn render_text(d: &Diagnostic, sources: &Sources, color: bool) -> String {
    use annotate_snippets::{AnnotationKind, Group, Level as AsLevel, Renderer, Snippet};

    let level = match d.level {
        Level::Error => AsLevel::ERROR,
        Level::Warning | Level::Off => AsLevel::WARNING,
    };
    let location = format!("{}:{}:{}", d.span.file, d.span.line, d.span.column);
    let line_text = sources.line(&d.span.file, d.span.line.max(1));
    let title = level.clone().primary_title(&d.message).id(d.code.name());
    let mut groups = Vec::new();
    match line_text {
        Some(line) if d.span.line > 0 => {
            let start = char_to_byte(line, d.span.column.saturating_sub(1) as usize);
            let end = char_to_byte(
                line,
                (d.span.column.saturating_sub(1) + d.span.len) as usize,
            );
            let snippet = Snippet::source(line)
                .line_start(d.span.line as usize)
                .path(&d.span.file)
                .annotation(AnnotationKind::Primary.span(start..end.max(start)));
            groups.push(title.element(snippet));
        }
        _ => {
            groups.push(title.element(annotate_snippets::Origin::path(&location)));
        }
    }
    if let Some(help) = &d.help {
        groups.push(Group::with_title(AsLevel::HELP.secondary_title(help)));
    }
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    renderer.render(&groups).to_string()
}

fn char_to_byte(line: &str, chars: usize) -> usize {
    line.char_indices()
        .nth(chars)
        .map(|(i, _)| i)
        .unwrap_or(line.len())
}

pub fn to_json(d: &Diagnostic) -> String {
    let mut obj = serde_json::json!({
        "level": d.level,
        "code": d.code,
        "message": d.message,
        "file": d.span.file,
        "line": d.span.line,
        "column": d.span.column,
    });
    if let Some(help) = &d.help {
        obj["help"] = help.clone().into();
    }
    obj.to_string()
}

/// A GitHub Actions workflow command. Property and message values are escaped
/// as the runner expects, so a message with a newline or `::` stays one command.
pub fn to_github(d: &Diagnostic) -> String {
    let command = match d.level {
        Level::Error => "error",
        Level::Warning | Level::Off => "warning",
    };
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!(
        "::{command} file={},line={},col={},title={}::{}",
        escape_github_property(&d.span.file),
        d.span.line,
        d.span.column,
        escape_github_property(d.code.name()),
        escape_github_data(&message)
    )
}

fn escape_github_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_github_property(s: &str) -> String {
    escape_github_data(s)
        .replace(':', "%3A")
        .replace(',', "%2C")
}

/// A JUnit XML report: one test case per file checked with findings, each
/// error a failure. Warnings are reported as system-out so CI shows them
/// without failing.
pub fn to_junit(diags: &[Diagnostic]) -> String {
    let errors = count(diags, Level::Error);
    let mut by_file: Vec<(&str, Vec<&Diagnostic>)> = Vec::new();
    for d in diags {
        match by_file.last_mut() {
            Some((file, list)) if *file == d.span.file => list.push(d),
            _ => by_file.push((&d.span.file, vec![d])),
        }
    }
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    xml.push_str(&format!(
        "<testsuites name=\"opswiki\" tests=\"{}\" failures=\"{}\">\n<testsuite name=\"opswiki check\" tests=\"{}\" failures=\"{}\">\n",
        by_file.len().max(1),
        errors,
        by_file.len().max(1),
        errors
    ));
    if by_file.is_empty() {
        xml.push_str("<testcase classname=\"opswiki\" name=\"site\"/>\n");
    }
    for (file, list) in by_file {
        xml.push_str(&format!(
            "<testcase classname=\"opswiki\" name=\"{}\" file=\"{}\">\n",
            xml_escape(file),
            xml_escape(file)
        ));
        let mut out = String::new();
        for d in list {
            let text = format!(
                "{}:{}:{}: {}[{}]: {}",
                d.span.file, d.span.line, d.span.column, d.level, d.code, d.message
            );
            if d.level == Level::Error {
                xml.push_str(&format!(
                    "<failure type=\"{}\" message=\"{}\">{}</failure>\n",
                    xml_escape(d.code.name()),
                    xml_escape(&d.message),
                    xml_escape(&text)
                ));
            } else {
                out.push_str(&text);
                out.push('\n');
            }
        }
        if !out.is_empty() {
            xml.push_str(&format!("<system-out>{}</system-out>\n", xml_escape(&out)));
        }
        xml.push_str("</testcase>\n");
    }
    xml.push_str("</testsuite>\n</testsuites>\n");
    xml
}

fn xml_escape(s: &str) -> String {
    // HTML's escaping is XML's too; XML 1.0 also forbids most control
    // characters, which become spaces.
    let allowed = |c: char| (c as u32) >= 0x20 || c == '\n' || c == '\t';
    if s.chars().all(allowed) {
        crate::highlight::escape_html(s)
    } else {
        let cleaned: String = s
            .chars()
            .map(|c| if allowed(c) { c } else { ' ' })
            .collect();
        crate::highlight::escape_html(&cleaned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Diagnostic {
        Diagnostic::new(
            Code::LinkBroken,
            Span::new("content/a.md", 2, 5).with_len(3),
            "no page `x`",
        )
        .with_help("check the id")
    }

    #[test]
    fn source_lines_as_str_lines_gives_them() {
        let mut sources = Sources::new();
        let text = "a\r\nb\n\nd\n";
        sources.insert("f", text);
        for n in 1..=5u32 {
            assert_eq!(
                sources.line("f", n),
                text.lines().nth(n as usize - 1),
                "{n}"
            );
        }
        assert_eq!(sources.line("g", 1), None);
    }

    #[test]
    fn text_shows_location_code_and_source_line() {
        let mut sources = Sources::new();
        sources.insert("content/a.md", "first\nsee [x](x) here\n");
        let text = render_text(&sample(), &sources, false);
        assert!(text.contains("error[link-broken]: no page `x`"), "{text}");
        assert!(text.contains("content/a.md:2:5"), "{text}");
        assert!(text.contains("see [x](x) here"), "{text}");
        assert!(text.contains("help: check the id"), "{text}");
    }

    #[test]
    fn json_has_contract_keys() {
        let v: serde_json::Value = serde_json::from_str(&to_json(&sample())).unwrap();
        assert_eq!(v["level"], "error");
        assert_eq!(v["code"], "link-broken");
        assert_eq!(v["file"], "content/a.md");
        assert_eq!(v["line"], 2);
        assert_eq!(v["column"], 5);
    }

    #[test]
    fn github_escapes() {
        let mut d = sample();
        d.message = "a\nb: 100%".into();
        let line = to_github(&d);
        assert_eq!(
            line,
            "::error file=content/a.md,line=2,col=5,title=link-broken::a%0Ab: 100%25%0Ahelp: check the id"
        );
    }

    #[test]
    fn junit_counts_failures() {
        let xml = to_junit(&[sample()]);
        assert!(xml.contains("failures=\"1\""));
        assert!(xml.contains("<failure type=\"link-broken\""));
    }
}
