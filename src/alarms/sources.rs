//! Where alarm files are: `alarms.sources` globs, relative to the site root,
//! inside `content/` or outside it (a monitoring repository checked out
//! beside the wiki: `../monitoring/rules/**/*.yml`).
//!
//! Files under `content/` are found by the content walk and classified here;
//! files outside it are found by walking each glob's literal folder. Either
//! way a file is named by its path from the site root, as written in the
//! glob (`../monitoring/rules/api.yml`), in diagnostics and on the pages.

use std::path::{Path, PathBuf};

use globset::{GlobMatcher, GlobSet};
use walkdir::WalkDir;

use crate::config::AlarmsConfig;
use crate::diag::{Code, Diagnostic};
use crate::load::{CONTENT_DIR, is_ignored_name};

/// Extensions an alarm file may have: YAML and JSON for the rule files,
/// provisioning files, CloudFormation templates and monitor exports; `.tf`
/// and `.hcl` for Terraform.
const ALARM_EXTENSIONS: [&str; 5] = ["yaml", "yml", "json", "tf", "hcl"];

/// The compiled `alarms.sources`.
#[derive(Debug, Clone)]
pub struct AlarmSources {
    /// `None`: the default, YAML files under `content/alarms/`.
    set: Option<GlobSet>,
    /// Each glob with its matcher, for counting what it matched.
    globs: Vec<(String, GlobMatcher)>,
    /// The config's content folder (`content`; empty for the root itself):
    /// files under it are found by the content walk.
    content_dir: String,
}

impl Default for AlarmSources {
    fn default() -> AlarmSources {
        AlarmSources {
            set: None,
            globs: Vec::new(),
            content_dir: CONTENT_DIR.to_string(),
        }
    }
}

/// An alarm file outside `content/`: its path from the root (as shown) and
/// on disk.
#[derive(Debug, Clone)]
pub struct OutsideFile {
    pub display: String,
    pub path: PathBuf,
}

impl AlarmSources {
    pub fn new(config: &AlarmsConfig, content_dir: &str) -> AlarmSources {
        let Some(sources) = &config.sources else {
            return AlarmSources {
                content_dir: content_dir.to_string(),
                ..AlarmSources::default()
            };
        };
        let patterns: Vec<String> = sources.iter().map(|(g, _)| normalize_glob(g)).collect();
        let globs = patterns
            .iter()
            .filter_map(|g| Some((g.clone(), crate::glob::compile(g).ok()?.compile_matcher())))
            .collect();
        AlarmSources {
            set: Some(crate::glob::set(&patterns)),
            globs,
            content_dir: content_dir.to_string(),
        }
    }

    /// Whether the configured sources (or the default) hold this file,
    /// given by its path under `content/`.
    pub fn holds_content_file(&self, content_path: &str) -> bool {
        let lower = content_path.to_ascii_lowercase();
        match &self.set {
            None => {
                (lower.ends_with(".yaml") || lower.ends_with(".yml"))
                    && lower.starts_with("alarms/")
            }
            Some(set) => has_alarm_extension(&lower) && set.is_match(self.display_of(content_path)),
        }
    }

    /// The folders outside `content/` to walk (and for `serve` to watch):
    /// each glob's literal leading folders, as written from the root.
    pub fn outside_folders(&self) -> Vec<String> {
        let mut folders: Vec<String> = self
            .globs
            .iter()
            .map(|(g, _)| literal_base(g))
            .filter(|base| !self.is_under_content(base))
            .collect();
        folders.sort();
        folders.dedup();
        // A folder inside another one is walked with it.
        let all = folders.clone();
        folders.retain(|f| {
            !all.iter()
                .any(|o| o != f && (o.is_empty() || f.starts_with(&format!("{o}/"))))
        });
        folders
    }

    /// Every alarm file outside `content/` the globs match, sorted.
    pub fn find_outside(&self, root: &Path) -> (Vec<OutsideFile>, Vec<Diagnostic>) {
        let mut files = Vec::new();
        let mut diags = Vec::new();
        let Some(set) = &self.set else {
            return (files, diags);
        };
        for base in self.outside_folders() {
            let dir = if base.is_empty() {
                root.to_path_buf()
            } else {
                root.join(&base)
            };
            if !dir.is_dir() {
                continue;
            }
            let walker = WalkDir::new(&dir)
                .follow_links(true)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| {
                    e.depth() == 0 || !is_ignored_name(&e.file_name().to_string_lossy())
                });
            for entry in walker {
                let entry = match entry {
                    Ok(e) => e,
                    Err(err) => {
                        let path = err
                            .path()
                            .map(|p| p.display().to_string())
                            .unwrap_or_default();
                        diags.push(Diagnostic::new(
                            Code::FileSkipped,
                            crate::diag::Span::new(path.clone(), 1, 1),
                            format!("cannot read `{path}`: {err}: skipped"),
                        ));
                        continue;
                    }
                };
                if !entry.file_type().is_file() {
                    continue;
                }
                let rel = entry
                    .path()
                    .strip_prefix(&dir)
                    .unwrap_or(entry.path())
                    .to_string_lossy()
                    .replace('\\', "/");
                let display = if base.is_empty() {
                    rel
                } else {
                    format!("{base}/{rel}")
                };
                // The content walk has these.
                if self.is_under_content(&display) {
                    continue;
                }
                if has_alarm_extension(&display.to_ascii_lowercase()) && set.is_match(&display) {
                    files.push(OutsideFile {
                        display,
                        path: entry.path().to_path_buf(),
                    });
                }
            }
        }
        files.sort_by(|a, b| a.display.cmp(&b.display));
        files.dedup_by(|a, b| a.display == b.display);
        (files, diags)
    }

    /// Whether a path from the root (an outside file) is one of the sources.
    pub fn holds_outside_file(&self, display: &str) -> bool {
        self.set.as_ref().is_some_and(|set| {
            has_alarm_extension(&display.to_ascii_lowercase()) && set.is_match(display)
        })
    }

    /// The configured globs that match none of `paths` (paths from the root).
    pub fn unmatched<'a>(&'a self, paths: &[&str]) -> impl Iterator<Item = usize> + 'a {
        let matched: Vec<bool> = self
            .globs
            .iter()
            .map(|(_, m)| paths.iter().any(|p| m.is_match(p)))
            .collect();
        (0..self.globs.len()).filter(move |&i| !matched[i])
    }
}

/// `./x/**` and `x/**` are one glob; the paths matched never start with `./`.
fn normalize_glob(glob: &str) -> String {
    let mut g = glob.trim();
    while let Some(rest) = g.strip_prefix("./") {
        g = rest;
    }
    g.trim_end_matches('/').to_string()
}

impl AlarmSources {
    /// A path from the root that the content walk covers. With the pages at
    /// the root (`content: .`) that is every path but those that climb out.
    fn is_under_content(&self, path: &str) -> bool {
        if self.content_dir.is_empty() {
            return !path.starts_with("..");
        }
        path == self.content_dir || path.starts_with(&format!("{}/", self.content_dir))
    }

    /// A content file's path from the root, as the globs are written.
    fn display_of(&self, content_path: &str) -> String {
        if self.content_dir.is_empty() {
            content_path.to_string()
        } else {
            format!("{}/{content_path}", self.content_dir)
        }
    }
}

fn has_alarm_extension(lower: &str) -> bool {
    lower
        .rsplit_once('.')
        .is_some_and(|(_, ext)| ALARM_EXTENSIONS.contains(&ext))
}

/// The folders of a glob before its first wildcard: `../mon/rules` for
/// `../mon/rules/**/*.yml`; empty when it starts with one.
fn literal_base(glob: &str) -> String {
    let parts: Vec<&str> = glob.split('/').collect();
    let mut base = Vec::new();
    // The last part names files, unless it is a folder the walk descends.
    for (i, part) in parts.iter().enumerate() {
        if part.contains(['*', '?', '[', '{']) || i + 1 == parts.len() {
            break;
        }
        base.push(*part);
    }
    base.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(globs: &[&str]) -> AlarmSources {
        let config = AlarmsConfig {
            sources: Some(
                globs
                    .iter()
                    .map(|g| {
                        (
                            g.to_string(),
                            crate::diag::Span::new(String::from("opswiki.yaml"), 1, 1),
                        )
                    })
                    .collect(),
            ),
            ..AlarmsConfig::default()
        };
        AlarmSources::new(&config, CONTENT_DIR)
    }

    #[test]
    fn bases_and_membership() {
        assert_eq!(literal_base("../mon/rules/**/*.yml"), "../mon/rules");
        assert_eq!(literal_base("**/*.yml"), "");
        assert_eq!(literal_base("rules/a.yml"), "rules");
        let s = sources(&[
            "content/alarms/**",
            "../mon/rules/**/*.yml",
            "../mon/x/*.json",
        ]);
        assert!(s.holds_content_file("alarms/a/b.json"));
        assert!(!s.holds_content_file("alarms/a/b.png"));
        assert!(!s.holds_content_file("trees/t.yaml"));
        assert_eq!(s.outside_folders(), vec!["../mon/rules", "../mon/x"]);
        assert!(s.holds_outside_file("../mon/rules/k8s/a.yml"));
        assert!(!s.holds_outside_file("../mon/rules/a.yaml"));
        let d = AlarmSources::default();
        assert!(d.holds_content_file("alarms/x.yml"));
        assert!(!d.holds_content_file("alarms/x.json"));
    }
}
