//! Link resolution: every way the contract lets an author name a page.
//!
//! A link may be a page id (`runbooks/db`), a path (`runbooks/db.md`, or
//! relative to the linking file: `../runbooks/db.md`), or an absolute URL
//! under `base_url`. Matching ignores case and a trailing `/`, `.md`,
//! `.html` or `/index.html`; any form may end in `#anchor`.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::config::UrlPrefix;
use crate::flavor::Flavor;

/// What a link points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A page (index into the site's pages) and maybe an anchor on it.
    Page { page: usize, anchor: Option<String> },
    /// An anchor on the linking page itself (`#x`).
    SamePage { anchor: String },
    /// A file copied from `content/` (an image, an attachment).
    Asset { path: String },
    /// A file or folder of the repository that is not part of the site (a
    /// script, `.github/workflows/ci.yml`, a folder of Go code): the forge
    /// shows it, so under `flavor: github` or `gitlab` the link works where
    /// the team reads its pages. `path` is from the repository's top.
    RepoFile { path: String, dir: bool },
    /// A URL outside the site: reported, not verified.
    External,
}

/// Why a link does not resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Broken {
    NoPage { path: String },
}

/// Page keys and asset paths, for resolving links.
#[derive(Debug, Default)]
pub struct LinkIndex {
    pages: HashMap<String, usize>,
    /// Lower-cased asset path → the path as it is on disk.
    assets: HashMap<String, String>,
    base_url: Option<String>,
    /// The path part of `base_url` (`/wiki/` for https://host/wiki/), which a
    /// root-relative link names before the page's own path.
    base_path: String,
    /// `urls:` prefixes (lower-cased, every URL form of one repository
    /// spelled out) → folder under the content folder, longest first.
    prefixes: Vec<(String, String)>,
    flavor: Flavor,
    /// Last segment of a page id → the first page with it, for "did you
    /// mean" suggestions (a search of every page per broken link took 13 s
    /// for 100,000 broken links among 5,000 pages).
    stems: HashMap<String, usize>,
    /// Where the repository's own files are, for [`Target::RepoFile`]; set
    /// only for the forge flavors.
    repo_tree: Option<RepoTree>,
}

/// The repository around the content folder, as a forge shows it.
#[derive(Debug, Clone)]
pub struct RepoTree {
    /// The work tree's top folder (the site root outside a repository).
    pub top: PathBuf,
    /// The content folder's path from `top` (`` or `docs/runbooks`).
    pub content_from_top: String,
}

impl RepoTree {
    /// The repository around a site root: the nearest folder at or above it
    /// holding `.git` (a folder, or a file in a linked work tree), else the
    /// site root itself.
    pub fn around(root: &std::path::Path, content_dir: &str) -> RepoTree {
        let top = root
            .ancestors()
            .find(|dir| dir.join(".git").exists())
            .unwrap_or(root);
        let root_from_top = root
            .strip_prefix(top)
            .unwrap_or(std::path::Path::new(""))
            .to_string_lossy()
            .replace('\\', "/");
        let content_from_top = [root_from_top.as_str(), content_dir.trim_matches('/')]
            .iter()
            .filter(|part| !part.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join("/");
        RepoTree {
            top: top.to_path_buf(),
            content_from_top,
        }
    }
}

impl LinkIndex {
    pub fn new<'a>(
        page_ids: impl Iterator<Item = (usize, &'a str)>,
        assets: impl Iterator<Item = &'a str>,
        base_url: Option<&str>,
    ) -> LinkIndex {
        let mut pages = HashMap::new();
        let mut stems: HashMap<String, usize> = HashMap::new();
        for (i, id) in page_ids {
            let stem = id.rsplit('/').next().unwrap_or(id).to_string();
            let first = stems.entry(stem).or_insert(i);
            *first = (*first).min(i);
            pages.insert(normalize(id), i);
        }
        let base_url = base_url.map(|u| u.to_lowercase());
        let base_path = base_url
            .as_deref()
            .and_then(|u| u.split_once("://"))
            .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_string()))
            .unwrap_or_else(|| "/".to_string());
        LinkIndex {
            pages,
            assets: assets.map(|a| (a.to_lowercase(), a.to_string())).collect(),
            base_url,
            base_path,
            prefixes: Vec::new(),
            flavor: Flavor::Opswiki,
            stems,
            repo_tree: None,
        }
    }

    /// Resolve links as pages written for `flavor` mean them, with the
    /// `urls:` prefixes as other names of this site.
    pub fn with_site_rules(mut self, flavor: Flavor, urls: &[UrlPrefix]) -> LinkIndex {
        self.flavor = flavor;
        for url in urls {
            let folder = url.path.trim_matches('/').to_string();
            for form in url_forms(&url.prefix.to_lowercase()) {
                self.prefixes.push((form, folder.clone()));
            }
        }
        self.prefixes
            .sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        self.prefixes.dedup();
        self
    }

    /// Relative links to the repository's other files resolve on a forge
    /// (GitHub and GitLab show any file or folder): only for those flavors.
    pub fn with_repo_tree(mut self, tree: RepoTree) -> LinkIndex {
        if matches!(self.flavor, Flavor::Github | Flavor::Gitlab) {
            self.repo_tree = Some(tree);
        }
        self
    }

    /// Another path that names a page (Hugo's `aliases`): it wins over no
    /// page, never over a page of its own.
    pub fn add_alias(&mut self, alias: &str, page: usize) {
        self.pages.entry(normalize(alias)).or_insert(page);
    }

    /// Every page one of whose names (its id, its own file's path, an alias)
    /// `accept` takes, in the site's order: what a runbook template with an
    /// open label can reach (`docs/*/README.md` names a GitLab folder's
    /// index page by its file).
    pub fn pages_where(&self, accept: impl Fn(&str) -> bool) -> Vec<usize> {
        let mut found: Vec<usize> = self
            .pages
            .iter()
            .filter(|(key, _)| accept(key))
            .map(|(_, &page)| page)
            .collect();
        found.sort_unstable();
        found.dedup();
        found
    }

    /// The first page whose id ends in the segment `stem`.
    pub fn page_with_stem(&self, stem: &str) -> Option<usize> {
        self.stems.get(stem).copied()
    }

    pub fn page(&self, id: &str) -> Option<usize> {
        self.pages.get(&normalize(id)).copied()
    }

    /// Resolve `dest` as written in the file at `from` (a path under
    /// `content/`; empty for files outside it, such as the config).
    pub fn resolve(&self, from: &str, dest: &str) -> Result<Target, Broken> {
        let dest = dest.trim();
        let (path, anchor) = match dest.split_once('#') {
            Some((p, a)) => (p, Some(percent_decode(a))),
            None => (dest, None),
        };
        if path.is_empty() {
            return Ok(match anchor {
                Some(anchor) if !anchor.is_empty() => Target::SamePage { anchor },
                _ => Target::External,
            });
        }
        let from_url = self
            .strip_base_url(path)
            .map(str::to_string)
            .or_else(|| self.strip_prefix(path));
        // On a forge, `/scripts/x.sh` in a file of the repository is the
        // repository's own `scripts/x.sh`.
        let written_from_top =
            (from_url.is_none() && path.starts_with('/') && !path.starts_with("//"))
                .then(|| percent_decode(path.split('?').next().unwrap_or("")));
        let path = match from_url {
            Some(rest) => format!("/{rest}"),
            None if has_scheme(path) || path.starts_with("//") => return Ok(Target::External),
            // A root-relative link is the URL on `base_url`'s host.
            None if path.starts_with('/') => {
                match path.to_lowercase().strip_prefix(&self.base_path) {
                    Some(_) => format!("/{}", &path[self.base_path.len()..]),
                    None => path.to_string(),
                }
            }
            None => path.to_string(),
        };
        let path = percent_decode(&path);
        let path = path.split('?').next().unwrap_or("").to_string();

        let mut candidates = Vec::with_capacity(3);
        if let Some(rooted) = path.strip_prefix('/') {
            candidates.push(rooted.to_string());
        } else {
            let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
            let relative = |dir: &str| {
                if dir.is_empty() {
                    path.clone()
                } else {
                    format!("{dir}/{path}")
                }
            };
            // Relative to the file: what GitHub, GitLab, MkDocs and an
            // editor's preview do, and what Hugo's `ref` tries first.
            candidates.push(relative(dir));
            match self.flavor {
                // Hugo serves `x.md` at `x/`: a link is relative to that URL.
                Flavor::Hugo if !from.is_empty() => {
                    let id = crate::model::page_id_in(from, self.flavor);
                    let url_dir = id
                        .strip_suffix("index")
                        .unwrap_or(&id)
                        .trim_end_matches('/');
                    candidates.push(relative(url_dir));
                    candidates.push(path.clone());
                }
                // opswiki's own lenient form: a page id from the root.
                Flavor::Opswiki | Flavor::Hugo => candidates.push(path.clone()),
                // Where the pages are read today a link resolves from its
                // own file only; from the root it would be broken there.
                Flavor::Github | Flavor::Gitlab | Flavor::Mkdocs => {}
            }
        }
        for candidate in &candidates {
            let Some(clean) = collapse_dots(candidate) else {
                continue;
            };
            if let Some(&page) = self.pages.get(&normalize(&clean)) {
                return Ok(Target::Page {
                    page,
                    anchor: anchor.clone().filter(|a| !a.is_empty()),
                });
            }
            // Matching ignores case, but the output keeps the file's own
            // name: a case-sensitive server must find it.
            if let Some(real) = self.assets.get(&clean.to_lowercase()) {
                return Ok(Target::Asset { path: real.clone() });
            }
        }
        let in_repo = match &written_from_top {
            Some(top_path) => self.repo_file("", top_path.trim_start_matches('/'), true),
            None if !path.starts_with('/') => self.repo_file(from, &path, false),
            None => None,
        };
        if let Some(found) = in_repo {
            return Ok(found);
        }
        Err(Broken::NoPage { path })
    }

    /// `path`, written relative to the file at `from` (or, `from_top`, to
    /// the repository's top, as a forge reads `/x`), as a file or folder of
    /// the repository that exists on disk (case-sensitive, as the forges
    /// are). Never inside `.git`, never above the repository's top.
    fn repo_file(&self, from: &str, path: &str, from_top: bool) -> Option<Target> {
        let tree = self.repo_tree.as_ref()?;
        let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
        let (content, dir) = if from_top {
            ("", "")
        } else {
            (tree.content_from_top.as_str(), dir)
        };
        let joined = [content, dir, path]
            .iter()
            .filter(|part| !part.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join("/");
        let clean = collapse_dots(&joined)?;
        if clean.is_empty() || clean.split('/').any(|part| part == ".git") {
            return None;
        }
        let meta = std::fs::metadata(tree.top.join(&clean)).ok()?;
        Some(Target::RepoFile {
            path: clean,
            dir: meta.is_dir(),
        })
    }

    fn strip_base_url<'a>(&self, url: &'a str) -> Option<&'a str> {
        let base = self.base_url.as_deref()?;
        // Match `url` against the (lower-cased) base one character of `url`
        // at a time, so the rest is cut at an offset of `url` itself.
        // Lower-casing can change a text's length in bytes (`İ` is 2 bytes,
        // its lower case `i̇` 3; the Kelvin sign `K` 3, `k` 1), so an offset
        // into `url.to_lowercase()` is not one into `url`: cutting there
        // (as this once did) panicked mid-character or dropped characters.
        // Found while writing the `links` fuzz target; the inputs that
        // panicked are in tests/fuzz_regressions/{links,site}/.
        let mut rest_of_base = base;
        for (i, c) in url.char_indices() {
            if rest_of_base.is_empty() {
                return Some(&url[i..]);
            }
            for lower in c.to_lowercase() {
                // The base ending inside a character's lower case is no match.
                rest_of_base = rest_of_base.strip_prefix(lower)?;
            }
        }
        // All of `url` matched: it is the base, or the base without its
        // trailing `/` (`https://wiki.example.com` is the root too).
        rest_of_base.chars().all(|c| c == '/').then_some("")
    }

    /// The rest of `url` after one of the `urls:` prefixes, as a path from
    /// the content folder's top.
    fn strip_prefix(&self, url: &str) -> Option<String> {
        if self.prefixes.is_empty() {
            return None;
        }
        let lower = url.to_lowercase();
        // Lower-casing may change lengths (see `strip_base_url`): only an
        // ASCII URL is cut at the lower-cased offset.
        if lower.len() != url.len() {
            return None;
        }
        self.prefixes.iter().find_map(|(prefix, folder)| {
            let rest = if lower.starts_with(prefix.as_str()) {
                &url[prefix.len()..]
            } else if lower == prefix.trim_end_matches('/') {
                ""
            } else {
                return None;
            };
            Some(if folder.is_empty() {
                rest.to_string()
            } else {
                format!("{folder}/{rest}")
            })
        })
    }

    /// Whether a URL is under `base_url` or a `urls:` prefix (and so an
    /// internal link).
    pub fn is_internal_url(&self, url: &str) -> bool {
        self.strip_base_url(url).is_some() || self.strip_prefix(url).is_some()
    }
}

/// Every URL form a forge gives one file: GitHub's `/blob/` and `/tree/`,
/// GitLab's `/-/blob/` and `/-/tree/`, and the raw views, so a prefix
/// written in one form matches links written in another.
fn url_forms(prefix: &str) -> Vec<String> {
    const VIEWS: [&str; 6] = [
        "/-/blob/", "/-/tree/", "/-/raw/", "/blob/", "/tree/", "/raw/",
    ];
    let mut forms = vec![prefix.to_string()];
    if let Some(view) = VIEWS.iter().find(|v| prefix.contains(*v)) {
        for other in VIEWS {
            forms.push(prefix.replacen(view, other, 1));
        }
    }
    forms.sort();
    forms.dedup();
    forms
}

/// The lookup key of a page path: lower-case, no leading `/` or `./`, no
/// trailing `/`, `.md`, `.html` or `/index.html`.
pub fn normalize(path: &str) -> String {
    let mut key = path.trim().to_lowercase();
    while let Some(rest) = key.strip_prefix("./") {
        key = rest.to_string();
    }
    let mut key = key.trim_start_matches('/').to_string();
    loop {
        let before = key.len();
        for suffix in ["/index.html", ".html", ".markdown", ".md", "/"] {
            if let Some(rest) = key.strip_suffix(suffix) {
                key = rest.to_string();
            }
        }
        if key.len() == before {
            break;
        }
    }
    if key.is_empty() || key == "index" {
        return "index".to_string();
    }
    key.strip_suffix("/index")
        .map(str::to_string)
        .unwrap_or(key)
}

/// Resolve `.` and `..` segments; `None` if the path climbs above the root.
fn collapse_dots(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

fn has_scheme(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() => {}
        _ => return false,
    }
    for c in chars {
        match c {
            ':' => return true,
            c if c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.') => {}
            _ => return false,
        }
    }
    false
}

/// Decode `%XX` escapes (as in `My%20Page.md`); invalid escapes stay as written.
pub fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> LinkIndex {
        let ids = [
            "index",
            "runbooks/db-connections",
            "runbooks/k8s/kubepodcrashlooping",
            "incident-response",
        ];
        LinkIndex::new(
            ids.iter().enumerate().map(|(i, id)| (i, *id)),
            ["img/diagram.png"].into_iter(),
            Some("https://wiki.example.com/"),
        )
    }

    fn page(i: usize, anchor: Option<&str>) -> Result<Target, Broken> {
        Ok(Target::Page {
            page: i,
            anchor: anchor.map(str::to_string),
        })
    }

    #[test]
    fn every_form_of_a_page_link() {
        let ix = index();
        let from = "runbooks/api.md";
        for dest in [
            "runbooks/db-connections",
            "runbooks/db-connections.md",
            "db-connections.md",
            "./db-connections.md",
            "../runbooks/db-connections.md",
            "/runbooks/db-connections/",
            "Runbooks/DB-Connections.html",
            "runbooks/db-connections/index.html",
            "https://wiki.example.com/runbooks/db-connections/",
            "HTTPS://WIKI.EXAMPLE.COM/runbooks/db-connections",
        ] {
            assert_eq!(ix.resolve(from, dest), page(1, None), "{dest}");
        }
        assert_eq!(
            ix.resolve(from, "runbooks/db-connections#diagnosis-steps"),
            page(1, Some("diagnosis-steps"))
        );
        assert_eq!(
            ix.resolve(
                "",
                "https://wiki.example.com/runbooks/k8s/KubePodCrashLooping/"
            ),
            page(2, None)
        );
        assert_eq!(ix.resolve(from, "/"), page(0, None));
    }

    #[test]
    fn external_same_page_assets_and_broken() {
        let ix = index();
        assert_eq!(
            ix.resolve("a.md", "https://example.org/x"),
            Ok(Target::External)
        );
        assert_eq!(
            ix.resolve("a.md", "mailto:ops@example.com"),
            Ok(Target::External)
        );
        assert_eq!(
            ix.resolve("a.md", "#impact"),
            Ok(Target::SamePage {
                anchor: "impact".into()
            })
        );
        assert_eq!(
            ix.resolve("a.md", "img/diagram.png"),
            Ok(Target::Asset {
                path: "img/diagram.png".into()
            })
        );
        assert!(ix.resolve("a.md", "runbooks/nope").is_err());
        assert!(ix.resolve("a.md", "../../../etc/passwd").is_err());
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("My%20Page.md"), "My Page.md");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }

    #[test]
    fn base_url_matches_whatever_lower_casing_does_to_lengths() {
        // `İ` lower-cases to 3 bytes from 2: cutting the URL at the
        // lower-cased base's length once panicked inside `é`.
        let idn = LinkIndex::new(
            [(0, "runbooks/é")].into_iter(),
            std::iter::empty(),
            Some("https://İstanbul.example/"),
        );
        assert_eq!(
            idn.resolve("", "https://İstanbul.example/runbooks/é"),
            page(0, None)
        );
        assert_eq!(
            idn.resolve("", "https://İSTANBUL.example/é"),
            Err(Broken::NoPage { path: "/é".into() })
        );
        assert!(idn.is_internal_url("https://İstanbul.example"));
        // The Kelvin sign lower-cases to 1 byte from 3: the rest was cut
        // two bytes short, leading to the wrong page.
        let index = index();
        assert_eq!(
            index.resolve(
                "",
                "https://wi\u{212A}i.example.com/runbooks/db-connections"
            ),
            page(1, None)
        );
        assert!(index.is_internal_url("https://WIKI.example.com"));
        assert!(!index.is_internal_url("https://wiki.example.community/"));
        assert!(!index.is_internal_url("https://wiki.example.co"));
    }
}
