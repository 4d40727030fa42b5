//! Owners from the repository: `CODEOWNERS` (GitHub's and GitLab's syntax)
//! and Prow's `OWNERS` files, for pages whose front matter names no owner.
//!
//! Decisions (docs/formats.md, "Owners from the repository"):
//!
//! - The first `CODEOWNERS` of `.github/`, the top, `docs/` and `.gitlab/`
//!   counts, as on GitHub. Lines before any `[Section]` form one section;
//!   in each section the last matching rule wins, and the owners of every
//!   section are listed (GitLab's rule; a file without sections is
//!   GitHub's). A rule without owners matches and names nobody.
//! - Patterns are gitignore's: `/` at the start or in the middle anchors at
//!   the top, otherwise the pattern matches at any depth; `*` stays within a
//!   folder, `**` crosses them; a trailing `/`, or a last part without
//!   wildcards, also matches everything below (`/docs/*` matches
//!   `docs/a.md`, not `docs/x/a.md`). Matching is globset's.
//! - Failing `CODEOWNERS`, the nearest `OWNERS` from the page's folder up
//!   to the top whose `approvers` list is not empty.
//! - "The top" is the git work tree's, or the site root outside git.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobMatcher};

use crate::diag::{Code, Diagnostic, Span};

/// Where a page's owner came from when front matter does not name one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owned {
    /// The owners as written, joined with `, `.
    pub owners: String,
    /// `CODEOWNERS` or `OWNERS`: what the page names as the source.
    pub source: &'static str,
    /// The file, from the top (`.github/CODEOWNERS`, `runbooks/OWNERS`).
    pub file: String,
}

struct Rule {
    matchers: Vec<GlobMatcher>,
    owners: Vec<String>,
}

/// A parsed `CODEOWNERS`: its sections, each a list of rules.
#[derive(Default)]
pub struct CodeOwners {
    file: String,
    sections: Vec<Vec<Rule>>,
}

const CODEOWNERS_PLACES: [&str; 4] = [
    ".github/CODEOWNERS",
    "CODEOWNERS",
    "docs/CODEOWNERS",
    ".gitlab/CODEOWNERS",
];

impl CodeOwners {
    /// The first `CODEOWNERS` under `top`, if any.
    pub fn find(top: &Path, diags: &mut Vec<Diagnostic>) -> Option<CodeOwners> {
        CODEOWNERS_PLACES.iter().find_map(|rel| {
            let text = std::fs::read_to_string(top.join(rel)).ok()?;
            Some(CodeOwners::parse(rel, &text, diags))
        })
    }

    pub fn parse(file: &str, text: &str, diags: &mut Vec<Diagnostic>) -> CodeOwners {
        let mut parsed = CodeOwners {
            file: file.to_string(),
            sections: vec![Vec::new()],
        };
        let mut section_owners: Vec<String> = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            // `[Section]`, `^[Optional]`, `[Section][2] @default-owners`.
            if let Some(rest) = line.strip_prefix('^').unwrap_or(line).strip_prefix('[')
                && let Some(close) = rest.find(']')
            {
                let mut after = &rest[close + 1..];
                if after.starts_with('[')
                    && let Some(end) = after.find(']')
                {
                    after = &after[end + 1..];
                }
                section_owners = owners_of(after);
                parsed.sections.push(Vec::new());
                continue;
            }
            let mut words = line.split_whitespace();
            let Some(pattern) = words.next() else {
                continue;
            };
            let mut owners = owners_of(&line[pattern.len()..]);
            if owners.is_empty() {
                owners = section_owners.clone();
            }
            match matchers(pattern) {
                Ok(matchers) => parsed
                    .sections
                    .last_mut()
                    .expect("one section at least")
                    .push(Rule { matchers, owners }),
                Err(err) => diags.push(
                    Diagnostic::new(
                        Code::CodeownersInvalid,
                        Span::new(file, n as u32 + 1, 1).with_len(pattern.chars().count()),
                        format!("`{pattern}` is not a pattern: {err}"),
                    )
                    .with_help("this rule is ignored; patterns follow gitignore's syntax"),
                ),
            }
        }
        parsed
    }

    /// The owners of `path` (from the top), if a rule matches it.
    pub fn owners(&self, path: &str) -> Option<Vec<String>> {
        let mut found: Option<Vec<String>> = None;
        for section in &self.sections {
            let last = section
                .iter()
                .rev()
                .find(|rule| rule.matchers.iter().any(|m| m.is_match(path)));
            if let Some(rule) = last {
                let all = found.get_or_insert_with(Vec::new);
                for o in &rule.owners {
                    if !all.contains(o) {
                        all.push(o.clone());
                    }
                }
            }
        }
        found
    }
}

/// The owners after a pattern: `@user`, `@org/team`, `name@example.com`;
/// a `#` starts a comment.
fn owners_of(text: &str) -> Vec<String> {
    text.split_whitespace()
        .take_while(|w| !w.starts_with('#'))
        .filter(|w| w.contains('@'))
        .map(str::to_string)
        .collect()
}

/// A gitignore-style pattern as globs over paths from the top.
fn matchers(pattern: &str) -> Result<Vec<GlobMatcher>, globset::Error> {
    let dir_only = pattern.ends_with('/');
    let trimmed = pattern.trim_end_matches('/');
    let anchored = trimmed.starts_with('/') || trimmed.contains('/');
    let body = trimmed.trim_start_matches('/');
    if body.is_empty() {
        // `/` or `*`-less root: everything.
        return Ok(vec![glob("**")?]);
    }
    let base = if anchored {
        body.to_string()
    } else {
        format!("**/{body}")
    };
    let last = body.rsplit('/').next().unwrap_or(body);
    let plain_last = !last.contains(['*', '?', '[']);
    let mut out = Vec::new();
    if !dir_only {
        out.push(glob(&base)?);
    }
    if dir_only || plain_last || last == "**" {
        out.push(glob(&format!("{base}/**"))?);
    }
    Ok(out)
}

fn glob(pattern: &str) -> Result<GlobMatcher, globset::Error> {
    Ok(GlobBuilder::new(pattern)
        .literal_separator(true)
        .backslash_escape(true)
        .build()?
        .compile_matcher())
}

/// Prow's `OWNERS`: only `approvers` is read.
#[derive(serde::Deserialize, Default)]
struct OwnersFile {
    #[serde(default)]
    approvers: Vec<String>,
}

/// Every page's owners from the repository, by page (`None` when neither
/// file names any). `pages`: each page's path from the top.
pub fn assign(top: &Path, pages: &[String], diags: &mut Vec<Diagnostic>) -> Vec<Option<Owned>> {
    let codeowners = CodeOwners::find(top, diags);
    // Each folder's nearest OWNERS with approvers, found once per folder.
    let mut nearest: HashMap<String, Option<(String, Vec<String>)>> = HashMap::new();
    pages
        .iter()
        .map(|path| {
            if let Some(co) = &codeowners
                && let Some(owners) = co.owners(path)
            {
                return Some(Owned {
                    owners: owners.join(", "),
                    source: "CODEOWNERS",
                    file: co.file.clone(),
                })
                .filter(|o| !o.owners.is_empty());
            }
            let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
            nearest_owners(top, dir, &mut nearest, diags).map(|(file, approvers)| Owned {
                owners: approvers.join(", "),
                source: "OWNERS",
                file,
            })
        })
        .collect()
}

fn nearest_owners(
    top: &Path,
    dir: &str,
    cache: &mut HashMap<String, Option<(String, Vec<String>)>>,
    diags: &mut Vec<Diagnostic>,
) -> Option<(String, Vec<String>)> {
    if let Some(hit) = cache.get(dir) {
        return hit.clone();
    }
    let rel = if dir.is_empty() {
        "OWNERS".to_string()
    } else {
        format!("{dir}/OWNERS")
    };
    let path: PathBuf = top.join(&rel);
    let here = match std::fs::read_to_string(&path) {
        Ok(text) => match serde_saphyr::from_str::<OwnersFile>(&text) {
            Ok(file) if !file.approvers.is_empty() => Some((rel.clone(), file.approvers)),
            Ok(_) => None,
            Err(err) => {
                diags.push(Diagnostic::new(
                    Code::OwnersInvalid,
                    Span::new(rel.clone(), 1, 1),
                    format!("cannot read `approvers`: {err}"),
                ));
                None
            }
        },
        Err(_) => None,
    };
    let found = match here {
        Some(found) => Some(found),
        None if dir.is_empty() => None,
        None => {
            let parent = dir.rsplit_once('/').map_or("", |(d, _)| d);
            nearest_owners(top, parent, cache, diags)
        }
    };
    cache.insert(dir.to_string(), found.clone());
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owners(text: &str, path: &str) -> Option<Vec<String>> {
        let mut diags = Vec::new();
        let co = CodeOwners::parse("CODEOWNERS", text, &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        co.owners(path)
    }

    #[test]
    fn last_matching_rule_wins() {
        let text = "* @all\n/content/runbooks/ @sre\n*.md @docs\n/content/runbooks/db/ @dba\n";
        assert_eq!(owners(text, "content/runbooks/db/x.md").unwrap(), ["@dba"]);
        assert_eq!(owners(text, "content/runbooks/web.md").unwrap(), ["@docs"]);
        assert_eq!(owners(text, "content/runbooks/a.yaml").unwrap(), ["@sre"]);
        assert_eq!(owners(text, "README").unwrap(), ["@all"]);
    }

    #[test]
    fn gitignore_patterns() {
        assert!(owners("/docs/* @d\n", "docs/a.md").is_some());
        assert!(owners("/docs/* @d\n", "docs/x/a.md").is_none());
        assert!(
            owners("apps/ @a\n", "x/apps/y/z.md").is_some(),
            "a trailing slash does not anchor"
        );
        assert!(
            owners("a/apps/ @a\n", "x/a/apps/z.md").is_none(),
            "a middle slash anchors"
        );
        assert!(owners("runbooks @a\n", "content/runbooks/z.md").is_some());
        assert!(owners("/content/**/db.md @a\n", "content/x/y/db.md").is_some());
        assert!(owners("content/*.md @a\n", "content/x/y.md").is_none());
    }

    #[test]
    fn gitlab_sections_combine() {
        let text = "[Docs] @docs-team\n*.md\n[SRE]\n/content/ @sre\n/content/runbooks/ @oncall\n";
        assert_eq!(
            owners(text, "content/runbooks/a.md").unwrap(),
            ["@docs-team", "@oncall"]
        );
    }

    #[test]
    fn a_bad_pattern_is_a_located_warning() {
        let mut diags = Vec::new();
        CodeOwners::parse("CODEOWNERS", "# c\n/a/[b @x\n", &mut diags);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, "codeowners-invalid");
        assert_eq!(diags[0].span.line, 2);
    }
}
