//! `opswiki init --from DIR`: look at a folder of runbooks that exists
//! already and write the `opswiki.yaml` it needs, so a team's first
//! `opswiki check` reports its pages' real defects and not its conventions.
//!
//! What it looks at, and why each is a guess a person should read:
//! - the flavor, from the tool's own files (`hugo.toml`/`config.*` beside
//!   `content/` for Hugo, `mkdocs.yml` for MkDocs, `.gitlab-ci.yml` or a
//!   `[[_TOC_]]` for GitLab, a `README.md` per folder for GitHub);
//! - the content folder and `base_url`, from that tool's config;
//! - which folders hold runbooks: the folders of pages whose alert rules
//!   link them, or else the first folder with most pages; folders named
//!   like helpers (`helpers`, `includes`, `snippets`, `partials`) excluded;
//! - the required sections: the `##` headings at least 60% of those pages
//!   have, in their usual order;
//! - the `urls:` prefixes: for each `runbook_url` in the alert files, the
//!   part before the path of a page it names.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::flavor::Flavor;
use crate::load::is_ignored_name;

/// What `init --from` found; [`Suggestion::to_yaml`] writes it down.
#[derive(Debug, Default, PartialEq)]
pub struct Suggestion {
    /// The site's title: the tool's own (`title`, `site_name`), else the
    /// first heading of the top README.
    pub title: Option<String>,
    pub flavor: Flavor,
    /// Relative to the folder; `.` for its top.
    pub content_dir: String,
    pub base_url: Option<String>,
    pub urls: Vec<(String, String)>,
    pub runbook_paths: Vec<String>,
    pub exclude: Vec<String>,
    pub required_sections: Vec<String>,
    /// Front-matter keys most runbooks have, among opswiki's own.
    pub required_fields: Vec<String>,
    /// Figures for the person reading it: pages, runbooks, alert links.
    pub pages: usize,
    pub runbooks: usize,
    pub alert_links: usize,
    pub alert_links_matched: usize,
    /// `alarms.sources`: the `--alerts` folders, from the folder's root.
    pub alarm_sources: Vec<String>,
    /// `repo_url` and `repo_branch`, read off a forge URL the alerts link.
    pub repo: Option<(String, String)>,
    /// The alert rules' numbered severities the default map does not know,
    /// mapped by rank; and the ones left for the reader to map.
    pub severity_map: Vec<(String, String)>,
    pub unmapped_severities: Vec<String>,
}

/// Folder names that hold pieces of pages rather than runbooks.
const HELPER_FOLDERS: [&str; 6] = [
    "helpers",
    "includes",
    "snippets",
    "partials",
    "_includes",
    "common",
];

/// A page found: its path under the content folder and its `##` headings.
struct Found {
    path: String,
    sections: Vec<String>,
    front_keys: Vec<String>,
}

pub fn suggest(dir: &Path, alert_sources: &[PathBuf]) -> Suggestion {
    let mut s = Suggestion {
        flavor: detect_flavor(dir),
        ..Suggestion::default()
    };
    let (content_dir, base_url) = match s.flavor {
        Flavor::Hugo => ("content".to_string(), hugo_base_url(dir)),
        Flavor::Mkdocs => mkdocs_dirs(dir),
        _ if dir.join("content").is_dir() => ("content".to_string(), None),
        _ => (".".to_string(), None),
    };
    s.content_dir = content_dir;
    s.base_url = base_url;
    s.title = site_title(dir, s.flavor);
    let content = if s.content_dir == "." {
        dir.to_path_buf()
    } else {
        dir.join(&s.content_dir)
    };
    let pages = find_pages(&content, s.content_dir == ".");
    s.pages = pages.len();

    // Alert links: which pages they name, and under which URL prefix.
    s.alarm_sources = alert_sources
        .iter()
        .filter_map(|a| relative_to(dir, a))
        .map(|rel| format!("{}/**", rel.trim_end_matches('/')))
        .collect();
    let mut sources = vec![dir.to_path_buf()];
    sources.extend(alert_sources.iter().cloned());
    let rules = read_alert_rules(&sources);
    (s.severity_map, s.unmapped_severities) = guess_severity_map(&rules.severities);
    let links = rules.runbook_links;
    s.alert_links = links.len();
    let by_key: HashMap<String, &Found> = pages
        .iter()
        .map(|p| (page_key(&p.path, s.flavor), p))
        .collect();
    let mut prefixes: BTreeMap<String, usize> = BTreeMap::new();
    let mut linked: Vec<&Found> = Vec::new();
    for url in &links {
        // A path, not a URL (GitLab's `runbook: docs/x.md`): a page path
        // under the content folder, as the checker reads it; no prefix.
        if !url.contains("://") {
            let path = url.split('#').next().unwrap_or_default().trim();
            if let Some(page) = by_key.get(&page_key(path, s.flavor)) {
                s.alert_links_matched += 1;
                linked.push(page);
            }
            continue;
        }
        let Some((prefix, page)) = split_url(url, s.flavor, &by_key) else {
            continue;
        };
        s.alert_links_matched += 1;
        linked.push(page);
        let under_base = s.base_url.as_deref().is_some_and(|b| {
            prefix.eq_ignore_ascii_case(b.trim_end_matches('/')) || prefix.eq_ignore_ascii_case(b)
        });
        if !under_base {
            *prefixes.entry(prefix).or_default() += 1;
        }
    }
    s.urls = prefixes
        .into_keys()
        .map(|prefix| (format!("{}/", prefix.trim_end_matches('/')), String::new()))
        .collect();
    s.repo = s.urls.iter().find_map(|(prefix, _)| forge_repo(prefix));

    // Runbook folders: where the alert links go, else the busiest folder.
    let mut folders: BTreeMap<String, usize> = BTreeMap::new();
    let from: Vec<&Found> = if linked.is_empty() {
        pages.iter().collect()
    } else {
        linked
    };
    for page in &from {
        if let Some((top, _)) = page.path.split_once('/') {
            *folders.entry(top.to_string()).or_default() += 1;
        }
    }
    let top = folders
        .iter()
        .max_by_key(|(_, n)| **n)
        .map(|(f, _)| f.clone());
    let runbooks: Vec<&Found> = match &top {
        Some(top) => pages
            .iter()
            .filter(|p| p.path.starts_with(&format!("{top}/")))
            .filter(|p| !is_helper(&p.path) && !is_index(&p.path, s.flavor))
            .collect(),
        None => Vec::new(),
    };
    s.runbooks = runbooks.len();
    if let Some(top) = &top
        && !top.eq_ignore_ascii_case("runbooks")
    {
        s.runbook_paths.push(format!("{top}/**"));
    }
    let mut helpers: Vec<String> = pages
        .iter()
        .filter(|p| {
            top.as_ref()
                .is_some_and(|t| p.path.starts_with(&format!("{t}/")))
        })
        .filter_map(|p| helper_glob(&p.path))
        .collect();
    helpers.sort();
    helpers.dedup();
    s.exclude = helpers;

    // Sections most runbooks have, in the order they usually come.
    let mut counts: HashMap<String, (usize, usize, String)> = HashMap::new();
    for page in &runbooks {
        for (i, name) in page.sections.iter().enumerate() {
            let entry = counts
                .entry(name.to_lowercase())
                .or_insert((0, 0, name.clone()));
            entry.0 += 1;
            entry.1 += i;
        }
    }
    let enough = (runbooks.len() * 6).div_ceil(10).max(1);
    let mut common: Vec<(usize, String)> = counts
        .into_values()
        .filter(|(n, _, _)| *n >= enough)
        .map(|(n, order, name)| (order * 100 / n, name))
        .collect();
    common.sort();
    s.required_sections = common.into_iter().map(|(_, name)| name).collect();
    // A page in the runbook folder with none of those sections is a
    // document, a moved or a deprecated alert's stub: not a runbook.
    if !s.required_sections.is_empty() {
        let wanted: Vec<String> = s
            .required_sections
            .iter()
            .map(|n| n.to_lowercase())
            .collect();
        let in_folder = pages.iter().filter(|p| {
            top.as_ref()
                .is_some_and(|t| p.path.starts_with(&format!("{t}/")))
                && !is_helper(&p.path)
        });
        // A Hugo `_index.md` is never a runbook by its place.
        let in_folder =
            in_folder.filter(|p| !(s.flavor == Flavor::Hugo && is_index(&p.path, s.flavor)));
        for page in in_folder.collect::<Vec<_>>() {
            if !page
                .sections
                .iter()
                .any(|h| wanted.contains(&h.to_lowercase()))
            {
                s.exclude.push(page.path.clone());
                if !is_index(&page.path, s.flavor) {
                    s.runbooks -= 1;
                }
            }
        }
    }
    for field in ["title", "severity", "owner", "last_updated"] {
        let n = runbooks
            .iter()
            .filter(|p| p.front_keys.iter().any(|k| k == field))
            .count();
        if n >= enough && !runbooks.is_empty() {
            s.required_fields.push(field.to_string());
        }
    }
    s
}

impl Suggestion {
    /// The config, commented so its reader knows what was guessed from what.
    pub fn to_yaml(&self) -> String {
        let mut y = String::new();
        y.push_str(&format!(
            "# Written by `opswiki init --from`: {} pages, {} runbooks; {} of {} alert runbook links name a page here.\n\
             # Read it before you commit it: every line is a guess from the folder's contents.\n",
            self.pages, self.runbooks, self.alert_links_matched, self.alert_links
        ));
        if let Some(title) = &self.title {
            y.push_str(&format!("title: {}\n", quote(title)));
        }
        y.push_str(&format!("flavor: {}\n", self.flavor.name()));
        if self.content_dir != "content" {
            y.push_str(&format!("content: {}\n", self.content_dir));
        }
        if let Some(base) = &self.base_url {
            y.push_str(&format!("base_url: {}\n", quote(base)));
        }
        if let Some((repo, branch)) = &self.repo {
            y.push_str(&format!(
                "repo_url: {}      # Edit and History links; links to the repository's other files\nrepo_branch: {}\n",
                quote(repo),
                quote(branch)
            ));
        }
        if !self.urls.is_empty() {
            y.push_str(
                "urls:                 # the URLs the alert rules link, as this wiki's pages\n",
            );
            for (prefix, path) in &self.urls {
                y.push_str(&format!(
                    "  - prefix: {}\n    path: {}\n",
                    quote(prefix),
                    quote(path)
                ));
            }
        }
        if !self.severity_map.is_empty() {
            y.push_str("severity_map:         # the alert rules' severities by their number, lowest first (a guess)\n");
            for (label, severity) in &self.severity_map {
                y.push_str(&format!("  {}: {severity}\n", quote(label)));
            }
        }
        if !self.unmapped_severities.is_empty() {
            y.push_str(&format!(
                "# severities of the alert rules to map under severity_map (to P1-P4, or none for alerts that do not page): {}\n",
                self.unmapped_severities.join(", ")
            ));
        }
        if !self.alarm_sources.is_empty() {
            y.push_str("alarms:\n  sources: [");
            y.push_str(&list(&self.alarm_sources));
            y.push_str("]   # the alert rules, where they are\n");
        }
        y.push_str("kinds:\n  runbook:\n");
        if !self.runbook_paths.is_empty() {
            y.push_str(&format!("    paths: [{}]\n", list(&self.runbook_paths)));
        }
        if !self.exclude.is_empty() {
            y.push_str("    exclude:            # helper folders, and pages with none of the sections below\n");
            for item in &self.exclude {
                y.push_str(&format!("      - {}\n", quote(item)));
            }
        }
        y.push_str(&format!(
            "    required_fields: [{}]\n",
            list(&self.required_fields)
        ));
        y.push_str(&format!(
            "    required_sections: [{}]   # the headings most runbooks have\n",
            list(&self.required_sections)
        ));
        y
    }
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}

fn list(items: &[String]) -> String {
    items
        .iter()
        .map(|i| quote(i))
        .collect::<Vec<_>>()
        .join(", ")
}

fn detect_flavor(dir: &Path) -> Flavor {
    let has = |name: &str| dir.join(name).exists();
    let hugo_config = [
        "hugo.toml",
        "hugo.yaml",
        "hugo.yml",
        "config.toml",
        "config.yaml",
        "config.yml",
    ]
    .iter()
    .any(|f| has(f));
    if hugo_config
        && has("content")
        && (has("themes") || has("layouts") || has("archetypes") || has("hugo.toml"))
    {
        return Flavor::Hugo;
    }
    if has("mkdocs.yml") || has("mkdocs.yaml") {
        return Flavor::Mkdocs;
    }
    if has(".gitlab-ci.yml") || has(".gitlab") {
        return Flavor::Gitlab;
    }
    if has(".github") || has("README.md") || has("OWNERS") || has("CODEOWNERS") {
        return Flavor::Github;
    }
    Flavor::Opswiki
}

/// Hugo's `baseURL`, from whichever config file it has.
fn hugo_base_url(dir: &Path) -> Option<String> {
    for name in ["hugo.toml", "config.toml"] {
        if let Ok(text) = std::fs::read_to_string(dir.join(name))
            && let Ok(table) = text.parse::<toml::Table>()
            && let Some(url) = table.get("baseURL").and_then(|v| v.as_str())
        {
            return Some(with_slash(url));
        }
    }
    for name in ["hugo.yaml", "hugo.yml", "config.yaml", "config.yml"] {
        if let Ok(text) = std::fs::read_to_string(dir.join(name))
            && let Ok(node) = crate::yaml::parse(&text)
            && let Some(url) = node
                .get("baseURL")
                .or_else(|| node.get("baseurl"))
                .and_then(|v| v.as_text())
        {
            return Some(with_slash(&url));
        }
    }
    None
}

fn site_title(dir: &Path, flavor: Flavor) -> Option<String> {
    let from_yaml = |names: &[&str], key: &str| {
        names.iter().find_map(|name| {
            let text = std::fs::read_to_string(dir.join(name)).ok()?;
            crate::yaml::parse(&text).ok()?.get(key)?.as_text()
        })
    };
    let own = match flavor {
        Flavor::Hugo => ["hugo.toml", "config.toml"]
            .iter()
            .find_map(|name| {
                let table = std::fs::read_to_string(dir.join(name))
                    .ok()?
                    .parse::<toml::Table>()
                    .ok()?;
                table.get("title")?.as_str().map(str::to_string)
            })
            .or_else(|| {
                from_yaml(
                    &["hugo.yaml", "hugo.yml", "config.yaml", "config.yml"],
                    "title",
                )
            }),
        Flavor::Mkdocs => from_yaml(&["mkdocs.yml", "mkdocs.yaml"], "site_name"),
        _ => None,
    };
    own.or_else(|| {
        let text = std::fs::read_to_string(dir.join("README.md")).ok()?;
        let scan = crate::markdown::scan(&text, 0);
        scan.headings
            .iter()
            .find(|h| h.level == 1)
            .map(|h| h.text.clone())
    })
    .filter(|t| !t.trim().is_empty())
}

/// MkDocs' `docs_dir` (default `docs`) and `site_url`.
fn mkdocs_dirs(dir: &Path) -> (String, Option<String>) {
    let text = std::fs::read_to_string(dir.join("mkdocs.yml"))
        .or_else(|_| std::fs::read_to_string(dir.join("mkdocs.yaml")))
        .unwrap_or_default();
    // mkdocs.yml carries `!!python/name:` tags: read it as YAML all the same.
    let node = crate::yaml::parse(&text).ok();
    let get = |key: &str| {
        node.as_ref()
            .and_then(|n| n.get(key))
            .and_then(|v| v.as_text())
    };
    let docs = get("docs_dir").unwrap_or_else(|| "docs".to_string());
    (
        docs.trim_end_matches('/').to_string(),
        get("site_url").map(|u| with_slash(&u)),
    )
}

fn with_slash(url: &str) -> String {
    if url.ends_with('/') {
        url.to_string()
    } else {
        format!("{url}/")
    }
}

fn find_pages(content: &Path, at_top: bool) -> Vec<Found> {
    let mut pages = Vec::new();
    let walker = WalkDir::new(content)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0
                || !(is_ignored_name(&name)
                    || at_top
                        && e.depth() == 1
                        && matches!(
                            name.as_ref(),
                            "site" | "node_modules" | "templates" | "static"
                        ))
        });
    for entry in walker.flatten() {
        let path = entry.path();
        let is_md = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"));
        if !entry.file_type().is_file() || !is_md {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let rel = path
            .strip_prefix(content)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        let file = crate::source::SourceFile::new(rel.clone(), rel.clone(), text);
        let (split, _) = crate::frontmatter::split(&file);
        let scan = crate::markdown::scan(&file.text, split.body_offset);
        let front_keys = split
            .front
            .as_ref()
            .map(|f| f.entries().iter().map(|(k, _)| k.name.clone()).collect())
            .unwrap_or_default();
        pages.push(Found {
            path: rel,
            sections: scan
                .headings
                .iter()
                .filter(|h| h.level == 2)
                .map(|h| h.text.clone())
                .collect(),
            front_keys,
        });
    }
    pages
}

/// What the alert rules under `sources` say: their runbook links and
/// severities.
#[derive(Debug, Default)]
struct AlertRules {
    /// Values of the runbook keys (`runbook_url`, `runbook`, `playbook`:
    /// the default `runbook_annotations`), in annotations or labels.
    runbook_links: Vec<String>,
    /// `severity` label values, as written.
    severities: std::collections::BTreeSet<String>,
}

/// Read the YAML files under `sources` (each file once, though an alert
/// folder may lie inside the folder looked at), leaving out rule tests,
/// whose annotations repeat the rules'.
fn read_alert_rules(sources: &[PathBuf]) -> AlertRules {
    let keys = crate::config::Config::default().alarms.runbook_annotations;
    let mut rules = AlertRules::default();
    let mut seen = std::collections::HashSet::new();
    for source in sources {
        let walker = WalkDir::new(source)
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !is_ignored_name(&e.file_name().to_string_lossy()));
        for entry in walker.flatten() {
            let path = entry.path();
            let is_yaml = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
            if !entry.file_type().is_file() || !is_yaml {
                continue;
            }
            if !seen.insert(path.canonicalize().unwrap_or_else(|_| path.to_path_buf())) {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            if !keys.iter().any(|k| text.contains(k.as_str())) && !text.contains("severity") {
                continue;
            }
            for doc in crate::yaml::parse_multi(&text).unwrap_or_default() {
                if crate::alarms::is_rule_test(&doc) {
                    continue;
                }
                collect_alert_facts(&doc, &keys, &mut rules);
            }
        }
    }
    rules
}

fn collect_alert_facts(node: &crate::yaml::Node, keys: &[String], out: &mut AlertRules) {
    if node.is_map() {
        for (key, value) in node.entries() {
            if keys.contains(&key.name) {
                if let Some(url) = value.as_text() {
                    out.runbook_links.push(url);
                }
            } else if key.name == "labels"
                && let Some(severity) = value.get("severity").and_then(|v| v.as_text())
            {
                out.severities.insert(severity.trim().to_string());
                collect_alert_facts(value, keys, out);
            } else {
                collect_alert_facts(value, keys, out);
            }
        }
    } else if let Some(items) = node.as_seq() {
        for item in items {
            collect_alert_facts(item, keys, out);
        }
    }
}

/// A `severity_map` for the severities the default map does not know, when
/// they are numbered (`s1`, `sev2`, `P3`, `3`): by rank, the lowest number
/// is P1, down to P4. The rest are returned apart, for the reader to map.
fn guess_severity_map(
    severities: &std::collections::BTreeSet<String>,
) -> (Vec<(String, String)>, Vec<String>) {
    let config = crate::config::Config::default();
    let unknown: Vec<&String> = severities
        .iter()
        .filter(|s| !s.is_empty() && crate::alarms::map_severity(&config, s).is_none())
        .collect();
    let number = |s: &str| -> Option<u32> {
        let lower = s.to_ascii_lowercase();
        let digits =
            lower.trim_start_matches(|c: char| c.is_ascii_alphabetic() || c == '-' || c == '_');
        let prefix = &lower[..lower.len() - digits.len()];
        let known_prefix = matches!(
            prefix.trim_end_matches(['-', '_']),
            "" | "s" | "p" | "sev" | "severity"
        );
        (known_prefix && !digits.is_empty())
            .then(|| digits.parse().ok())
            .flatten()
    };
    let mut numbered: Vec<(u32, &String)> = unknown
        .iter()
        .filter_map(|s| number(s).map(|n| (n, *s)))
        .collect();
    numbered.sort();
    let mut ranks: Vec<u32> = numbered.iter().map(|(n, _)| *n).collect();
    ranks.dedup();
    let map = numbered
        .iter()
        .map(|(n, s)| {
            let rank = ranks.iter().position(|r| r == n).unwrap_or(0).min(3);
            (s.to_string(), format!("P{}", rank + 1))
        })
        .collect();
    let rest = unknown
        .into_iter()
        .filter(|s| number(s).is_none())
        .cloned()
        .collect();
    (map, rest)
}

/// A page path (or a URL's tail) as the link index keys it under the
/// flavor: its page id (a folder's index page is the folder), normalized.
fn page_key(path: &str, flavor: Flavor) -> String {
    crate::links::normalize(&crate::model::page_id_in(path, flavor))
}

/// Split a runbook URL into (prefix, the page it names): the longest tail
/// of its path that is a page here.
fn split_url<'a>(
    url: &str,
    flavor: Flavor,
    pages: &HashMap<String, &'a Found>,
) -> Option<(String, &'a Found)> {
    let url = url.split('#').next()?.trim();
    let (_, after_scheme) = url.split_once("://")?;
    let path_at = url.len() - after_scheme.len() + after_scheme.find('/')?;
    let path = &url[path_at..];
    let mut cut = 0;
    loop {
        let tail = &path[cut..];
        if let Some(page) = pages.get(&page_key(tail, flavor)) {
            return Some((url[..path_at + cut].to_string(), page));
        }
        cut += path[cut + 1..].find('/')? + 1;
    }
}

/// `target` as a path from `dir` (`../monitoring/rules`), both resolved.
fn relative_to(dir: &Path, target: &Path) -> Option<String> {
    let dir = dir.canonicalize().ok()?;
    let target = target.canonicalize().ok()?;
    let common = dir
        .components()
        .zip(target.components())
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts: Vec<String> =
        std::iter::repeat_n("..".to_string(), dir.components().count() - common).collect();
    parts.extend(
        target
            .components()
            .skip(common)
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    Some(if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    })
}

fn is_helper(path: &str) -> bool {
    path.split('/')
        .rev()
        .skip(1)
        .any(|part| HELPER_FOLDERS.iter().any(|h| part.eq_ignore_ascii_case(h)))
}

/// A glob that excludes the helper folder a page sits in.
fn helper_glob(path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split('/').collect();
    let at = parts[..parts.len() - 1]
        .iter()
        .position(|part| HELPER_FOLDERS.iter().any(|h| part.eq_ignore_ascii_case(h)))?;
    let mut glob: Vec<&str> = parts[..at].to_vec();
    if glob.len() > 1 {
        for part in glob.iter_mut().skip(1) {
            *part = "*";
        }
    }
    glob.push(parts[at]);
    Some(format!("{}/**", glob.join("/")))
}

fn is_index(path: &str, flavor: Flavor) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    match flavor {
        Flavor::Hugo => name == "_index.md",
        Flavor::Opswiki => name == "index.md",
        _ => name == "index.md" || name == "readme.md",
    }
}

/// The repository and branch of a forge URL (`https://github.com/acme/ops/blob/main/x/`
/// gives `https://github.com/acme/ops` and `main`; GitLab's `/-/blob/` too).
/// A branch with `/` in it cannot be told from a folder: the first segment
/// is taken, and the config says it is a guess.
fn forge_repo(url: &str) -> Option<(String, String)> {
    const VIEWS: [&str; 6] = [
        "/-/blob/", "/-/tree/", "/-/raw/", "/blob/", "/tree/", "/raw/",
    ];
    let (scheme, rest) = url.split_once("://")?;
    let (at, view) = VIEWS
        .iter()
        .filter_map(|v| rest.find(v).map(|i| (i, *v)))
        .min_by_key(|(i, _)| *i)?;
    let repo = &rest[..at];
    // host/owner/name at least (GitLab groups may nest deeper).
    if repo.split('/').filter(|p| !p.is_empty()).count() < 3 {
        return None;
    }
    let branch = rest[at + view.len()..].split('/').next()?;
    (!branch.is_empty()).then(|| (format!("{scheme}://{repo}"), branch.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_severities_are_mapped_by_rank() {
        let set = |items: &[&str]| items.iter().map(|s| s.to_string()).collect();
        let pairs = |items: &[(&str, &str)]| -> Vec<(String, String)> {
            items
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        assert_eq!(
            guess_severity_map(&set(&["s1", "s2", "s3", "s4", "critical", "page"])),
            (
                pairs(&[("s1", "P1"), ("s2", "P2"), ("s3", "P3"), ("s4", "P4")]),
                vec!["page".to_string()]
            )
        );
        // sev0 is the most severe where a scale starts at 0; a fifth level
        // stays at P4.
        assert_eq!(
            guess_severity_map(&set(&["sev0", "sev1", "SEV-2", "sev3", "sev4"])).0,
            pairs(&[
                ("sev0", "P1"),
                ("sev1", "P2"),
                ("SEV-2", "P3"),
                ("sev3", "P4"),
                ("sev4", "P4")
            ])
        );
    }

    #[test]
    fn forge_urls_name_their_repository_and_branch() {
        let pair = |r: &str, b: &str| Some((r.to_string(), b.to_string()));
        assert_eq!(
            forge_repo("https://github.com/thanos-io/thanos/tree/main/mixin/"),
            pair("https://github.com/thanos-io/thanos", "main")
        );
        assert_eq!(
            forge_repo("https://gitlab.com/acme/infra/runbooks/-/blob/master/"),
            pair("https://gitlab.com/acme/infra/runbooks", "master")
        );
        assert_eq!(forge_repo("https://runbooks.acme.dev/alerts/"), None);
        assert_eq!(forge_repo("https://host/blob/main/"), None);
    }

    #[test]
    fn helper_globs_name_the_folder() {
        assert_eq!(
            helper_glob("alerts/ocs/helpers/gather.md").as_deref(),
            Some("alerts/*/helpers/**")
        );
        assert_eq!(
            helper_glob("runbooks/includes/x.md").as_deref(),
            Some("runbooks/includes/**")
        );
        assert_eq!(helper_glob("runbooks/db.md"), None);
    }
}
