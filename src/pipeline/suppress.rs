//! Suppression comments, as the contract writes them.
//!
//! In Markdown, on a line of its own: `<!-- opswiki-ignore CODE[, CODE] -->`
//! covers the next non-blank line; `<!-- opswiki-ignore-file CODE -->`
//! anywhere covers the whole page. In YAML (alarm, tree and config files):
//! `# opswiki-ignore CODE` at the end of a line, or alone on the line before
//! it, covers the item that line opens: the line and every line after it
//! indented deeper (so an alarm's `- alert:` line covers the whole alarm);
//! `# opswiki-ignore-file CODE` covers the file. Comments inside fenced code
//! blocks are examples, not suppressions. A code a suppression names that
//! covers nothing is a `suppression-unused` warning, so they do not pile up.

use crate::diag::{Code, Diagnostic, Span};
use crate::site::Site;
use crate::source::SourceFile;

const MARK: &str = "opswiki-ignore";

/// One code named by one suppression comment.
#[derive(Debug)]
struct Entry {
    file: String,
    /// Lines covered, 1-based and inclusive; `None` for the whole file.
    lines: Option<(u32, u32)>,
    code: Result<Code, String>,
    /// Where the code is written, for `suppression-unused`.
    at: Span,
    used: bool,
}

/// Every suppression comment of a site.
#[derive(Debug, Default)]
pub struct Suppressions {
    entries: Vec<Entry>,
}

impl Suppressions {
    pub fn scan(site: &Site) -> Suppressions {
        use rayon::prelude::*;
        let entries = site
            .sources
            .par_iter()
            .filter(|s| s.text.contains(MARK))
            .flat_map_iter(scan_file)
            .collect();
        Suppressions { entries }
    }

    /// Whether a suppression covers `d`; marks it used.
    pub fn covers(&mut self, d: &Diagnostic) -> bool {
        let mut covered = false;
        for e in &mut self.entries {
            if e.file == d.span.file
                && e.code == Ok(d.code)
                && e.lines
                    .is_none_or(|(from, to)| (from..=to).contains(&d.span.line))
            {
                e.used = true;
                covered = true;
            }
        }
        covered
    }

    /// `suppression-unused` for each code that covered nothing.
    pub fn unused(&self) -> Vec<Diagnostic> {
        self.entries
            .iter()
            .filter(|e| !e.used)
            .map(|e| match &e.code {
                Ok(code) => Diagnostic::new(
                    Code::SuppressionUnused,
                    e.at.clone(),
                    format!("this suppression of `{code}` suppresses nothing"),
                )
                .with_help("the finding is gone: remove the code from the comment"),
                Err(name) => {
                    let d = Diagnostic::new(
                        Code::SuppressionUnused,
                        e.at.clone(),
                        format!("`{name}` is not a diagnostic code, so this suppresses nothing"),
                    );
                    match Code::nearest(name) {
                        Some(near) => d.with_help(format!("did you mean `{near}`?")),
                        None => d.with_help("docs/diagnostics.md lists every code"),
                    }
                }
            })
            .collect()
    }
}

fn is_markdown(file: &SourceFile) -> bool {
    let p = file.content_path.to_ascii_lowercase();
    p.ends_with(".md") || p.ends_with(".markdown")
}

fn scan_file(file: &SourceFile) -> Vec<Entry> {
    let lines: Vec<&str> = file
        .text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let markdown = is_markdown(file);
    let mut out = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    for (i, line) in lines.iter().enumerate() {
        if markdown {
            if let Some(f) = fence_of(line) {
                match fence {
                    None => fence = Some(f),
                    Some((c, n))
                        if f.0 == c
                            && f.1 >= n
                            && line.trim_start().trim_start_matches(c).trim().is_empty() =>
                    {
                        fence = None
                    }
                    Some(_) => {}
                }
                continue;
            }
            if fence.is_some() {
                continue;
            }
        }
        let Some(found) = (if markdown {
            markdown_comment(line)
        } else {
            yaml_comment(line)
        }) else {
            continue;
        };
        let lineno = i as u32 + 1;
        let lines_covered = if found.whole_file {
            None
        } else if found.alone {
            let Some(next) = next_content_line(&lines, i + 1, markdown) else {
                continue;
            };
            Some(if markdown {
                (next as u32 + 1, next as u32 + 1)
            } else {
                yaml_item(&lines, next)
            })
        } else {
            Some(yaml_item(&lines, i))
        };
        for (name, column) in found.codes {
            out.push(Entry {
                file: file.display_path.clone(),
                lines: lines_covered,
                code: Code::from_name(name).ok_or_else(|| name.to_string()),
                at: Span::new(file.display_path.clone(), lineno, column)
                    .with_len(name.chars().count()),
                used: false,
            });
        }
    }
    out
}

/// A Markdown code fence's character and length, if the line opens or
/// closes one.
fn fence_of(line: &str) -> Option<(char, usize)> {
    let t = line.trim_start_matches(' ');
    if line.len() - t.len() > 3 {
        return None;
    }
    let c = t.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = t.chars().take_while(|x| *x == c).count();
    (n >= 3).then_some((c, n))
}

struct Found<'a> {
    whole_file: bool,
    /// Alone on its line: it covers the next one.
    alone: bool,
    /// Each code with its 1-based column.
    codes: Vec<(&'a str, u32)>,
}

fn markdown_comment(line: &str) -> Option<Found<'_>> {
    let t = line.trim();
    let inner = t.strip_prefix("<!--")?.strip_suffix("-->")?;
    let body = inner.trim_start();
    let (whole_file, rest) = directive(body)?;
    let offset = line.len() - line.trim_start().len() + 4 + (inner.len() - body.len());
    Some(Found {
        whole_file,
        alone: true,
        codes: codes(line, offset + (body.len() - rest.len()), rest),
    })
}

fn yaml_comment(line: &str) -> Option<Found<'_>> {
    // The comment starts at a `#` that begins the line or follows a space,
    // as YAML's own comments do.
    let mut start = None;
    for (i, _) in line.match_indices('#') {
        if (i == 0 || line[..i].ends_with([' ', '\t']))
            && line[i + 1..].trim_start().starts_with(MARK)
        {
            start = Some(i);
            break;
        }
    }
    let i = start?;
    let after_hash = &line[i + 1..];
    let body = after_hash.trim_start();
    let (whole_file, rest) = directive(body)?;
    let offset = i + 1 + (after_hash.len() - body.len()) + (body.len() - rest.len());
    Some(Found {
        whole_file,
        alone: line[..i].trim().is_empty(),
        codes: codes(line, offset, rest),
    })
}

/// `opswiki-ignore-file …` or `opswiki-ignore …`: whether it is the file
/// form, and what follows the word.
fn directive(body: &str) -> Option<(bool, &str)> {
    if let Some(rest) = body.strip_prefix("opswiki-ignore-file") {
        return rest.starts_with([' ', '\t']).then_some((true, rest));
    }
    let rest = body.strip_prefix(MARK)?;
    rest.starts_with([' ', '\t']).then_some((false, rest))
}

/// The codes in `rest` (which starts at byte `offset` of `line`), split on
/// commas and white space, with their columns.
fn codes<'a>(line: &str, offset: usize, rest: &'a str) -> Vec<(&'a str, u32)> {
    let mut out = Vec::new();
    let mut i = 0;
    for part in rest.split(|c: char| c == ',' || c.is_whitespace()) {
        let at = i;
        i += part.len() + 1;
        if part.is_empty() {
            continue;
        }
        let byte = offset + at;
        let column = line.get(..byte).map_or(1, |p| p.chars().count() as u32 + 1);
        out.push((part, column));
    }
    out
}

/// The next line after `from` with content (in YAML, not a comment).
fn next_content_line(lines: &[&str], from: usize, markdown: bool) -> Option<usize> {
    (from..lines.len()).find(|&j| {
        let t = lines[j].trim();
        !t.is_empty() && (markdown || !t.starts_with('#'))
    })
}

/// The lines (1-based, inclusive) of the YAML item line `start` (0-based)
/// opens: it and every following line indented deeper, blank lines and
/// comments included until the last such line.
fn yaml_item(lines: &[&str], start: usize) -> (u32, u32) {
    let indent = |l: &str| l.len() - l.trim_start_matches([' ', '\t']).len();
    let own = indent(lines[start]);
    let mut end = start;
    for (j, l) in lines.iter().enumerate().skip(start + 1) {
        let t = l.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if indent(l) > own {
            end = j;
        } else {
            break;
        }
    }
    (start as u32 + 1, end as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(path: &str, text: &str) -> Vec<Entry> {
        scan_file(&SourceFile::new(
            format!("content/{path}"),
            path.into(),
            text.into(),
        ))
    }

    #[test]
    fn markdown_line_and_file_forms() {
        let e = scan(
            "a.md",
            "# A\n\n<!-- opswiki-ignore link-broken, link-anchor-missing -->\n\nSee [x](x).\n<!-- opswiki-ignore-file runbook-stale -->\n```\n<!-- opswiki-ignore placeholder-text -->\n```\n",
        );
        assert_eq!(e.len(), 3, "{e:?}");
        assert_eq!(e[0].code, Ok(Code::LinkBroken));
        assert_eq!(e[0].lines, Some((5, 5)));
        assert_eq!((e[0].at.line, e[0].at.column), (3, 21));
        assert_eq!(e[1].code, Ok(Code::LinkAnchorMissing));
        assert_eq!(e[2].lines, None);
    }

    #[test]
    fn yaml_item_forms() {
        let text = "groups:\n  - name: g\n    rules:\n      - alert: A  # opswiki-ignore alarm-runbook-missing\n        expr: up == 0\n\n        labels: {severity: critical}\n      # opswiki-ignore alarm-description-missing\n      - alert: B\n        expr: up == 1\n      - alert: C\n";
        let e = scan("alarms/x.yaml", text);
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!(e[0].lines, Some((4, 7)));
        assert_eq!((e[0].at.line, e[0].at.column), (4, 36));
        assert_eq!(e[1].lines, Some((9, 10)));
    }

    #[test]
    fn an_unknown_code_is_kept_to_be_reported() {
        let e = scan("a.md", "<!-- opswiki-ignore link-brokn -->\ntext\n");
        assert_eq!(e[0].code, Err("link-brokn".to_string()));
    }
}
