//! `opswiki.yaml`: the site configuration. Every key is optional.

use std::collections::BTreeMap;

use crate::diag::{Code, Diagnostic, Level, Span};
use crate::model::PageKind;
use crate::source::SourceFile;
use crate::yaml::{self, Node};

pub const CONFIG_FILE: &str = "opswiki.yaml";

/// Required front-matter fields and sections of one kind of page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KindRules {
    pub required_fields: Vec<String>,
    pub required_sections: Vec<String>,
    /// `paths:` globs under the content folder that make a page this kind;
    /// empty: the kind's own first folder (`runbooks/`, `postmortems/`, ...).
    pub paths: Vec<String>,
    /// `exclude:` globs of pages that are plain pages though `paths` holds them.
    pub exclude: Vec<String>,
    /// `section_aliases:`: other headings that satisfy a required section.
    pub section_aliases: BTreeMap<String, Vec<String>>,
}

/// Which kind a page's path gives it, from `kinds.<kind>.paths`/`exclude`,
/// compiled once when the config is read.
#[derive(Debug, Clone, Default)]
pub struct KindPaths {
    kinds: Vec<(PageKind, globset::GlobSet, globset::GlobSet)>,
}

/// Built from the config's own patterns: equal configs have equal matchers.
impl PartialEq for KindPaths {
    fn eq(&self, _: &KindPaths) -> bool {
        true
    }
}

impl KindPaths {
    fn new(kinds: &BTreeMap<PageKind, KindRules>) -> KindPaths {
        let mut out = Vec::new();
        for kind in [PageKind::Runbook, PageKind::Postmortem, PageKind::Report] {
            let rules = kinds.get(&kind);
            let default = vec![format!("{}/**", kind.folder())];
            let paths = match rules {
                Some(r) if !r.paths.is_empty() => &r.paths,
                _ => &default,
            };
            let exclude = rules.map(|r| r.exclude.clone()).unwrap_or_default();
            out.push((
                kind,
                crate::glob::set_ignoring_case(paths),
                crate::glob::set_ignoring_case(&exclude),
            ));
        }
        KindPaths { kinds: out }
    }

    /// The kind of the page at `content_path` (under the content folder).
    pub fn kind_of(&self, content_path: &str) -> PageKind {
        self.kinds
            .iter()
            .find(|(_, paths, exclude)| {
                paths.is_match(content_path) && !exclude.is_match(content_path)
            })
            .map_or(PageKind::Page, |(kind, _, _)| *kind)
    }
}

/// What becomes of raw HTML written in Markdown (`raw_html:`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RawHtml {
    /// Kept as written: the authors' own (real runbooks use `<details>`).
    #[default]
    Allow,
    /// Cleaned with ammonia down to an allow-list of tags and attributes
    /// (see `markdown::sanitize`), for wikis fed by many teams.
    Sanitize,
}

pub use crate::flavor::Flavor;

/// `urls:` entry: URLs under `prefix` mean pages under `path` (a folder under
/// `content/`, `""` for all of it), as `base_url` means `content/`.
#[derive(Debug, Clone, PartialEq)]
pub struct UrlPrefix {
    pub prefix: String,
    pub path: String,
}

/// `alarms:`: where alarm definitions live and how their fields are read.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmsConfig {
    /// `sources:` globs relative to the site root (inside or outside
    /// `content/`, e.g. `../monitoring/rules/**/*.yml`), each with where it
    /// is written in `opswiki.yaml`. `None`: the default, YAML files under
    /// `content/alarms/`.
    pub sources: Option<Vec<(String, Span)>>,
    /// Annotation keys read as the runbook link, the first present wins.
    pub runbook_annotations: Vec<String>,
    /// Annotation keys read as the description, the first present wins.
    pub description_annotations: Vec<String>,
    /// Severities whose alarms must have a runbook; `None`: every severity
    /// of `severities` (a `none` alarm is never required unless listed).
    pub require_runbook: Option<Vec<String>>,
}

impl Default for AlarmsConfig {
    fn default() -> AlarmsConfig {
        let list = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        AlarmsConfig {
            sources: None,
            runbook_annotations: list(&["runbook_url", "runbook", "playbook"]),
            description_annotations: list(&["description", "summary", "message", "title"]),
            require_runbook: None,
        }
    }
}

/// The severity that marks a non-paging alarm (`Watchdog`): shown, never
/// required to have a runbook unless `require_runbook` names it.
pub const SEVERITY_NONE: &str = "none";

/// The baseline file's name unless `baseline:` says otherwise.
pub const DEFAULT_BASELINE: &str = ".opswiki-baseline.json";

/// `overrides:`: levels for the files some globs match.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// Globs relative to the site root (gitignore-style: `*` stays in a
    /// folder, `**` crosses folders); each checked when the config is read.
    pub paths: Vec<String>,
    pub diagnostics: Vec<(Code, Level)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub title: String,
    /// Always ends with `/` when set.
    pub base_url: Option<String>,
    pub stale_after_days: i64,
    pub flavor: Flavor,
    /// `urls:`: other URLs that mean this site, longest prefix first.
    pub urls: Vec<UrlPrefix>,
    pub severities: Vec<String>,
    /// Prometheus severity label → opswiki severity (or [`SEVERITY_NONE`]).
    pub severity_map: BTreeMap<String, String>,
    /// `alarms:`: alarm sources, annotation keys and the runbook policy.
    pub alarms: AlarmsConfig,
    pub kinds: BTreeMap<PageKind, KindRules>,
    /// `kinds.*.paths`/`exclude`, compiled.
    pub kind_paths: KindPaths,
    /// `content:`: the folder of pages, relative to the root (`content` by
    /// default; `.` for a repository whose pages sit at its top). Kept
    /// without a trailing `/`; empty means the root itself.
    pub content_dir: String,
    pub raw_html: RawHtml,
    /// `diagnostics:`: a level per code, over the registry's defaults.
    pub diagnostics: Vec<(Code, Level)>,
    /// `overrides:`, in order: later entries win.
    pub overrides: Vec<Override>,
    /// `baseline:`: the baseline file, relative to the site root.
    pub baseline: String,
    /// Read each page's last change from git (`git: on`, the default;
    /// `git: off` builds as if the site were not in a work tree).
    pub git: bool,
    /// The repository's web page, e.g. `https://github.com/acme/runbooks`
    /// (no trailing `/`): pages link to their source and history there.
    pub repo_url: Option<String>,
    /// The branch the links name (`repo_branch:`, default `main`).
    pub repo_branch: String,
    /// `edit_url:` / `history_url:` / `commit_url:` templates, for forges
    /// whose URLs `repo_url` does not guess: `{repo}`, `{branch}`, `{path}`
    /// (from the repository's top), `{commit}`.
    pub edit_url: Option<String>,
    pub history_url: Option<String>,
    pub commit_url: Option<String>,
    /// `status:`: where the live status comes from (`opswiki status --live`).
    pub status: Option<StatusConfig>,
}

/// How a measured value is held against its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Comparison {
    #[serde(rename = ">=")]
    AtLeast,
    #[serde(rename = ">")]
    Above,
    #[serde(rename = "<=")]
    AtMost,
    #[serde(rename = "<")]
    Below,
}

impl Comparison {
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::AtLeast => ">=",
            Comparison::Above => ">",
            Comparison::AtMost => "<=",
            Comparison::Below => "<",
        }
    }

    /// Whether higher values are the better ones.
    pub fn higher_is_better(self) -> bool {
        matches!(self, Comparison::AtLeast | Comparison::Above)
    }
}

/// An indicator's target: `>= 99.9`, `< 500`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Target {
    pub comparison: Comparison,
    pub value: f64,
}

impl Target {
    /// Read `>= 99.9`, `> 0`, `<= 1`, `< 500` (spaces optional).
    pub fn parse(text: &str) -> Option<Target> {
        let t = text.trim();
        let (comparison, rest) = [
            (">=", Comparison::AtLeast),
            ("<=", Comparison::AtMost),
            (">", Comparison::Above),
            ("<", Comparison::Below),
        ]
        .iter()
        .find_map(|(sym, c)| t.strip_prefix(sym).map(|r| (*c, r)))?;
        let value: f64 = rest.trim().parse().ok()?;
        value.is_finite().then_some(Target { comparison, value })
    }

    pub fn met_by(&self, v: f64) -> bool {
        match self.comparison {
            Comparison::AtLeast => v >= self.value,
            Comparison::Above => v > self.value,
            Comparison::AtMost => v <= self.value,
            Comparison::Below => v < self.value,
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}",
            self.comparison.symbol(),
            crate::number::number(self.value, 3)
        )
    }
}

/// One service indicator: a PromQL query with its unit and target.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub name: String,
    pub query: String,
    pub unit: String,
    pub target: Option<Target>,
    /// Where the indicator's `query:` is in `opswiki.yaml` (line, column),
    /// so a PromQL error can point at it.
    pub line: u32,
    pub column: u32,
}

/// A service and the indicators that say how it is doing.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceIndicators {
    pub name: String,
    pub indicators: Vec<Indicator>,
}

/// `status:`: the monitoring systems the live status reads.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusConfig {
    /// Without a trailing `/`.
    pub prometheus_url: Option<String>,
    pub alertmanager_url: Option<String>,
    /// The NAME of the environment variable holding a bearer token; the
    /// token itself never sits in the file.
    pub token_env: Option<String>,
    /// The trend window, in seconds (default 24 h), and as written.
    pub window_secs: u64,
    pub window: String,
    /// Each request's time limit, in milliseconds (default 3 s).
    pub timeout_ms: u64,
    pub services: Vec<ServiceIndicators>,
    /// `deployments:`: where recent deployments are read from.
    pub deployments: Option<DeploymentsConfig>,
}

/// A value of `opswiki.yaml` with where it is written, so that a report can
/// point at the line to fix.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    pub text: String,
    pub line: u32,
    pub column: u32,
}

impl Placed {
    /// `opswiki.yaml:LINE:COLUMN`.
    pub fn at(&self) -> String {
        format!("{CONFIG_FILE}:{}:{}", self.line, self.column)
    }
}

/// `status.deployments`: the recent deployments, from git tags and/or a
/// Prometheus metric, and how soon after one an alert counts as following it.
#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentsConfig {
    /// `tags:`: a glob over the tag names of the site's git repository
    /// (`v*`). Kept when it is not a glob (a `config-invalid` error), so the
    /// live report can say why it read no tags.
    pub tags: Option<Placed>,
    /// `query:`: PromQL whose value is the Unix time of a series' latest
    /// deployment.
    pub query: Option<Placed>,
    /// `label:`: the series label that names a deployment (default `version`).
    pub label: String,
    /// `soon_after:` in seconds (default 30 min), and as written.
    pub soon_after_secs: u64,
    pub soon_after: String,
}

impl Default for DeploymentsConfig {
    fn default() -> DeploymentsConfig {
        DeploymentsConfig {
            tags: None,
            query: None,
            label: "version".into(),
            soon_after_secs: DEFAULT_SOON_AFTER_SECS,
            soon_after: "30m".into(),
        }
    }
}

/// An alert that starts within this long after a deployment is said to
/// follow it, when `soon_after:` is not given: 30 minutes.
pub const DEFAULT_SOON_AFTER_SECS: u64 = 30 * 60;

impl Default for StatusConfig {
    fn default() -> StatusConfig {
        StatusConfig {
            prometheus_url: None,
            alertmanager_url: None,
            token_env: None,
            window_secs: DEFAULT_WINDOW_SECS,
            window: "24h".into(),
            timeout_ms: DEFAULT_TIMEOUT_MS,
            services: Vec::new(),
            deployments: None,
        }
    }
}

/// The trend window when `window:` is not given: 24 hours.
pub const DEFAULT_WINDOW_SECS: u64 = 24 * 3600;
/// A request to the monitoring systems gives up after this long by default.
pub const DEFAULT_TIMEOUT_MS: u64 = 3000;

/// A duration as Prometheus writes one, of one unit: `500ms`, `30s`, `15m`,
/// `24h`, `7d`, `1w`. In milliseconds.
pub fn parse_duration_ms(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = t.split_at(split);
    let n: u64 = n.parse().ok()?;
    let ms = match unit {
        "ms" => 1,
        "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        "w" => 604_800_000,
        _ => return None,
    };
    n.checked_mul(ms).filter(|&v| v > 0)
}

impl Default for Config {
    fn default() -> Config {
        let list = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let mut kinds = BTreeMap::new();
        kinds.insert(
            PageKind::Runbook,
            KindRules {
                required_fields: list(&["title", "severity", "owner", "last_updated"]),
                required_sections: list(&[
                    "Symptom",
                    "Impact",
                    "Diagnosis Steps",
                    "Resolution Steps",
                    "Rollback",
                    "Prevention",
                ]),
                ..KindRules::default()
            },
        );
        kinds.insert(
            PageKind::Postmortem,
            KindRules {
                required_fields: list(&["title", "date", "severity"]),
                required_sections: list(&[
                    "Summary",
                    "Timeline",
                    "Root Cause",
                    "Contributing Factors",
                    "What Went Well",
                    "What Could Be Improved",
                    "Action Items",
                ]),
                ..KindRules::default()
            },
        );
        Config {
            title: "Ops Wiki".into(),
            base_url: None,
            stale_after_days: 90,
            flavor: Flavor::Opswiki,
            urls: Vec::new(),
            severities: list(&["P1", "P2", "P3", "P4"]),
            severity_map: [
                ("critical", "P1"),
                ("warning", "P3"),
                ("info", "P4"),
                (SEVERITY_NONE, SEVERITY_NONE),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
            alarms: AlarmsConfig::default(),
            kind_paths: KindPaths::new(&kinds),
            kinds,
            content_dir: "content".into(),
            raw_html: RawHtml::Allow,
            diagnostics: Vec::new(),
            overrides: Vec::new(),
            baseline: DEFAULT_BASELINE.to_string(),
            git: true,
            repo_url: None,
            repo_branch: "main".into(),
            edit_url: None,
            history_url: None,
            commit_url: None,
            status: None,
        }
    }
}

impl Config {
    /// The forge's URLs for a file (`path` from the repository's top):
    /// (edit, history). GitHub's and Gitea's shapes unless the host says
    /// GitLab; `edit_url`/`history_url` templates replace either.
    pub fn source_links(&self, path: &str) -> (Option<String>, Option<String>) {
        let repo = self.repo_url.as_deref().unwrap_or("");
        let gitlab = repo.contains("gitlab");
        let fill = |template: &str| {
            template
                .replace("{repo}", repo)
                .replace("{branch}", &self.repo_branch)
                .replace("{path}", path)
        };
        let guess = |github: &str, gitlab_shape: &str| {
            self.repo_url
                .as_ref()
                .map(|_| fill(if gitlab { gitlab_shape } else { github }))
        };
        let edit = match &self.edit_url {
            Some(t) => Some(fill(t)),
            None => guess(
                "{repo}/edit/{branch}/{path}",
                "{repo}/-/edit/{branch}/{path}",
            ),
        };
        let history = match &self.history_url {
            Some(t) => Some(fill(t)),
            None => guess(
                "{repo}/commits/{branch}/{path}",
                "{repo}/-/commits/{branch}/{path}",
            ),
        };
        (edit, history)
    }

    /// The forge's page of a file or folder of the repository (`path` from
    /// its top), when `repo_url` says where the repository is: the wiki's
    /// link to a script or a folder the site does not hold.
    pub fn repo_file_url(&self, path: &str, dir: bool) -> Option<String> {
        let repo = self.repo_url.as_deref()?;
        let forge_views = if repo.contains("gitlab") { "/-/" } else { "/" };
        let view = if dir { "tree" } else { "blob" };
        Some(format!(
            "{repo}{forge_views}{view}/{}/{path}",
            self.repo_branch
        ))
    }

    /// The forge's page of a commit, when `repo_url` or `commit_url` says.
    pub fn commit_link(&self, hash: &str) -> Option<String> {
        let repo = self.repo_url.as_deref().unwrap_or("");
        match (&self.commit_url, &self.repo_url) {
            (Some(t), _) => Some(t.replace("{repo}", repo).replace("{commit}", hash)),
            (None, Some(_)) if repo.contains("gitlab") => Some(format!("{repo}/-/commit/{hash}")),
            (None, Some(_)) => Some(format!("{repo}/commit/{hash}")),
            (None, None) => None,
        }
    }

    /// How a file under the content folder is named in diagnostics: its
    /// path from the site root.
    pub fn display_path(&self, content_path: &str) -> String {
        if self.content_dir.is_empty() {
            content_path.to_string()
        } else {
            format!("{}/{content_path}", self.content_dir)
        }
    }

    /// The content folder as diagnostics name it (`content/`, or `./`).
    pub fn content_label(&self) -> String {
        if self.content_dir.is_empty() {
            "./".to_string()
        } else {
            format!("{}/", self.content_dir)
        }
    }

    pub fn rules(&self, kind: PageKind) -> Option<&KindRules> {
        self.kinds.get(&kind)
    }

    /// The config of the site at `root`, read without its diagnostics (the
    /// build reports those): for what must be known before the load, such
    /// as whether to read git and which folder to watch.
    pub fn peek(root: &std::path::Path) -> Config {
        match std::fs::read_to_string(root.join(CONFIG_FILE)) {
            Ok(text) => {
                Config::parse(&SourceFile::new(
                    CONFIG_FILE.into(),
                    CONFIG_FILE.into(),
                    text,
                ))
                .0
            }
            Err(_) => Config::default(),
        }
    }

    /// Read the config from its text; problems become diagnostics and the
    /// defaults stand in for any key that could not be read.
    pub fn parse(file: &SourceFile) -> (Config, Vec<Diagnostic>) {
        let mut config = Config::default();
        let mut diags = Vec::new();
        let root = match yaml::parse(&file.text) {
            Ok(node) => node,
            Err(err) => {
                diags.push(Diagnostic::new(
                    Code::ConfigInvalid,
                    file.span_at(err.pos.line, err.pos.column),
                    format!("invalid YAML: {}", err.message),
                ));
                return (config, diags);
            }
        };
        if root.is_null() {
            return (config, diags);
        }
        if !root.is_map() {
            diags.push(invalid(file, &root, "the config must be a mapping of keys"));
            return (config, diags);
        }
        for (key, value) in root.entries() {
            match key.name.as_str() {
                "title" => match value.as_text() {
                    Some(t) => config.title = t,
                    None => diags.push(invalid(file, value, "`title` must be text")),
                },
                "base_url" => match value.as_str() {
                    Some(u) if u.starts_with("http://") || u.starts_with("https://") => {
                        let mut u = u.to_string();
                        if !u.ends_with('/') {
                            u.push('/');
                        }
                        config.base_url = Some(u);
                    }
                    _ => diags.push(invalid(
                        file,
                        value,
                        "`base_url` must be an http(s) URL such as https://wiki.example.com/",
                    )),
                },
                "stale_after_days" => match value.as_f64() {
                    Some(n) if n >= 0.0 && n.fract() == 0.0 => config.stale_after_days = n as i64,
                    _ => diags.push(invalid(
                        file,
                        value,
                        "`stale_after_days` must be a whole number of days",
                    )),
                },
                "severities" => match value.as_string_list() {
                    Some(list) if !list.is_empty() => config.severities = list,
                    _ => diags.push(invalid(
                        file,
                        value,
                        "`severities` must be a list such as [P1, P2, P3, P4]",
                    )),
                },
                // Extends the default map key by key (the contract's "fine
                // points"): a team adds `page: P1` without restating the rest.
                "severity_map" if value.is_map() => {
                    for (k, v) in value.entries() {
                        match v.as_text() {
                            Some(sev) => {
                                config.severity_map.insert(k.name.to_lowercase(), sev);
                            }
                            None => diags.push(invalid(file, v, "a severity must be text")),
                        }
                    }
                }
                "severity_map" => diags.push(invalid(
                    file,
                    value,
                    "`severity_map` must map Prometheus severities to opswiki ones",
                )),
                "flavor" => match value.as_str().and_then(Flavor::from_name) {
                    Some(f) => config.flavor = f,
                    None => diags.push(invalid(
                        file,
                        value,
                        "`flavor` must be one of opswiki, hugo, mkdocs, github, gitlab",
                    )),
                },
                "urls" => config.urls = parse_urls(file, value, &mut diags),
                "content" => match value.as_text() {
                    Some(dir) if !dir.contains("..") && !dir.starts_with('/') => {
                        let dir = dir.trim().trim_start_matches("./").trim_end_matches('/');
                        config.content_dir = if dir == "." { String::new() } else { dir.to_string() };
                    }
                    _ => diags.push(invalid(
                        file,
                        value,
                        "`content` must be a folder inside the site root, such as `content` or `.`",
                    )),
                },
                "alarms" => config.alarms = parse_alarms(file, value, &mut diags),
                "kinds" => parse_kinds(file, value, &mut config, &mut diags),
                "raw_html" => match value.as_str() {
                    Some("allow") => config.raw_html = RawHtml::Allow,
                    Some("sanitize") => config.raw_html = RawHtml::Sanitize,
                    _ => diags.push(invalid(
                        file,
                        value,
                        "`raw_html` must be `allow` (keep the HTML written in Markdown) or \
                         `sanitize` (clean it down to safe tags and attributes)",
                    )),
                },
                "diagnostics" => {
                    config.diagnostics = parse_levels(file, value, "diagnostics", &mut diags)
                }
                "overrides" => config.overrides = parse_overrides(file, value, &mut diags),
                "baseline" => match value.as_str() {
                    Some(path) if !path.trim().is_empty() => config.baseline = path.to_string(),
                    _ => diags.push(invalid(
                        file,
                        value,
                        "`baseline` must be a file path relative to the site root",
                    )),
                },
                // YAML reads a bare `on`/`off` as true/false.
                "git" => match value.as_text().as_deref() {
                    Some("on" | "true" | "yes") => config.git = true,
                    Some("off" | "false" | "no") => config.git = false,
                    _ => diags.push(invalid(
                        file,
                        value,
                        "`git` must be `on` (read pages' last changes from git) or `off`",
                    )),
                },
                "repo_url" => match value.as_str() {
                    Some(u) if u.starts_with("http://") || u.starts_with("https://") => {
                        config.repo_url = Some(u.trim_end_matches('/').to_string())
                    }
                    _ => diags.push(invalid(
                        file,
                        value,
                        "`repo_url` must be an http(s) URL such as https://github.com/acme/runbooks",
                    )),
                },
                "repo_branch" => match value.as_text() {
                    Some(b) if !b.trim().is_empty() => config.repo_branch = b.trim().to_string(),
                    _ => diags.push(invalid(file, value, "`repo_branch` must be a branch name")),
                },
                "edit_url" | "history_url" | "commit_url" => match value.as_str() {
                    Some(u) if u.starts_with("http://") || u.starts_with("https://") => {
                        let slot = match key.name.as_str() {
                            "edit_url" => &mut config.edit_url,
                            "history_url" => &mut config.history_url,
                            _ => &mut config.commit_url,
                        };
                        *slot = Some(u.to_string());
                    }
                    _ => diags.push(invalid(
                        file,
                        value,
                        "expected an http(s) URL template with `{path}` (and `{branch}`, `{repo}`, `{commit}`)",
                    )),
                },
                "status" => config.status = Some(parse_status(file, value, &mut diags)),
                other => diags.push(
                    Diagnostic::new(
                        Code::ConfigUnknownKey,
                        here_key(file, key),
                        format!("unknown key `{other}` in {CONFIG_FILE}"),
                    )
                    .with_help(
                        "known keys: title, base_url, flavor, urls, content, alarms, stale_after_days, severities, severity_map, kinds, raw_html, \
                         diagnostics, overrides, baseline, git, repo_url, repo_branch, edit_url, history_url, commit_url, status",
                    ),
                ),
            }
        }
        config.kind_paths = KindPaths::new(&config.kinds);
        (config, diags)
    }
}

/// `alarms:`: `sources`, `runbook_annotations`, `description_annotations`,
/// `require_runbook`. A bad entry is a diagnostic; the default stands in.
fn parse_alarms(file: &SourceFile, value: &Node, diags: &mut Vec<Diagnostic>) -> AlarmsConfig {
    let mut alarms = AlarmsConfig::default();
    if value.is_null() {
        return alarms;
    }
    if !value.is_map() {
        diags.push(invalid(
            file,
            value,
            "`alarms` must be a mapping (sources, runbook_annotations, description_annotations, require_runbook)",
        ));
        return alarms;
    }
    // A single text stands for a list of one.
    fn texts(v: &Node) -> Vec<&Node> {
        match v.as_seq() {
            Some(items) => items.iter().collect(),
            None => vec![v],
        }
    }
    for (key, v) in value.entries() {
        match key.name.as_str() {
            "sources" => {
                let mut sources = Vec::new();
                for node in texts(v) {
                    match node.as_text() {
                        Some(glob) => match crate::glob::compile(glob.trim()) {
                            Ok(_) => sources.push((
                                glob.trim().to_string(),
                                file.span_at(node.pos.line, node.pos.column)
                                    .with_len(glob.chars().count()),
                            )),
                            Err(err) => {
                                diags.push(invalid(file, node, &format!("bad glob: {err}")))
                            }
                        },
                        None => diags.push(invalid(
                            file,
                            node,
                            "an alarm source is a glob relative to the site root, e.g. ../monitoring/rules/**/*.yml",
                        )),
                    }
                }
                alarms.sources = Some(sources);
            }
            "runbook_annotations" | "description_annotations" | "require_runbook" => {
                let mut list = Vec::new();
                for node in texts(v) {
                    match node.as_text() {
                        Some(t) if !t.trim().is_empty() => list.push(t.trim().to_string()),
                        _ => diags.push(invalid(file, node, "expected a list of names")),
                    }
                }
                match key.name.as_str() {
                    "runbook_annotations" => alarms.runbook_annotations = list,
                    "description_annotations" => alarms.description_annotations = list,
                    _ => alarms.require_runbook = Some(list),
                }
            }
            _ => diags.push(unknown(
                file,
                key,
                "alarms",
                "sources, runbook_annotations, description_annotations, require_runbook",
            )),
        }
    }
    alarms
}

/// `urls:` is a list of `{prefix, path}`; kept longest prefix first so the
/// most specific mapping wins.
fn parse_urls(file: &SourceFile, value: &Node, diags: &mut Vec<Diagnostic>) -> Vec<UrlPrefix> {
    let mut urls = Vec::new();
    let Some(items) = value.as_seq() else {
        diags.push(invalid(
            file,
            value,
            "`urls` must be a list of `{prefix: https://..., path: folder/}` entries",
        ));
        return urls;
    };
    for item in items {
        if !item.is_map() {
            diags.push(invalid(
                file,
                item,
                "a `urls` entry must map `prefix` and `path`",
            ));
            continue;
        }
        let mut prefix = None;
        let mut prefix_invalid = false;
        let mut path = String::new();
        for (k, v) in item.entries() {
            match k.name.as_str() {
                "prefix" => match v.as_str() {
                    Some(u)
                        if u.starts_with("http://")
                            || u.starts_with("https://")
                            || u.starts_with('/') =>
                    {
                        prefix = Some(u.to_string())
                    }
                    _ => {
                        prefix_invalid = true;
                        diags.push(invalid(
                            file,
                            v,
                            "`prefix` must be an http(s) URL (or a root-relative path such as /docs/)",
                        ))
                    }
                },
                "path" => match v.as_text() {
                    Some(p) => path = p.trim_matches('/').to_string(),
                    None => diags.push(invalid(file, v, "`path` must be a folder under content/")),
                },
                other => diags.push(Diagnostic::new(
                    Code::ConfigUnknownKey,
                    here_key(file, k),
                    format!("unknown key `{other}` in a `urls` entry (known: prefix, path)"),
                )),
            }
        }
        match prefix {
            Some(prefix) => urls.push(UrlPrefix { prefix, path }),
            None if prefix_invalid => {}
            None => diags.push(invalid(file, item, "a `urls` entry needs a `prefix`")),
        }
    }
    urls.sort_by_key(|u| std::cmp::Reverse(u.prefix.len()));
    urls
}

fn here_key(file: &SourceFile, key: &yaml::Key) -> Span {
    file.span_at(key.pos.line, key.pos.column)
        .with_len(key.name.chars().count())
}

fn invalid(file: &SourceFile, node: &Node, message: &str) -> Diagnostic {
    Diagnostic::new(
        Code::ConfigInvalid,
        file.span_at(node.pos.line, node.pos.column),
        message.to_string(),
    )
}

fn unknown(file: &SourceFile, key: &yaml::Key, under: &str, known: &str) -> Diagnostic {
    Diagnostic::new(
        Code::ConfigUnknownKey,
        here_key(file, key),
        format!("unknown key `{}` under {under}", key.name),
    )
    .with_help(format!("known keys: {known}"))
}

/// An http(s) URL without its trailing `/`.
fn http_url(value: &Node) -> Option<String> {
    let u = value.as_str()?.trim();
    (u.starts_with("http://") || u.starts_with("https://"))
        .then(|| u.trim_end_matches('/').to_string())
}

/// `status:`. What cannot be read is a diagnostic and left at its default;
/// an indicator without a query is dropped.
fn parse_status(file: &SourceFile, value: &Node, diags: &mut Vec<Diagnostic>) -> StatusConfig {
    let mut status = StatusConfig::default();
    if value.is_null() {
        return status;
    }
    if !value.is_map() {
        diags.push(invalid(
            file,
            value,
            "`status` must be a mapping (prometheus_url, alertmanager_url, services, ...)",
        ));
        return status;
    }
    for (key, v) in value.entries() {
        match key.name.as_str() {
            "prometheus_url" => match http_url(v) {
                Some(u) => status.prometheus_url = Some(u),
                None => diags.push(invalid(file, v, "`status.prometheus_url` must be an http(s) URL such as http://127.0.0.1:9090")),
            },
            "alertmanager_url" => match http_url(v) {
                Some(u) => status.alertmanager_url = Some(u),
                None => diags.push(invalid(file, v, "`status.alertmanager_url` must be an http(s) URL such as http://127.0.0.1:9093")),
            },
            "token_env" => match v.as_str() {
                Some(name)
                    if !name.is_empty()
                        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
                {
                    status.token_env = Some(name.to_string())
                }
                _ => diags.push(
                    invalid(file, v, "`status.token_env` must be the name of an environment variable (letters, digits, `_`)")
                        .with_help("the token itself never goes in opswiki.yaml: export it, e.g. MONITORING_TOKEN=..., and write `token_env: MONITORING_TOKEN`"),
                ),
            },
            "window" => match v.as_text().as_deref().and_then(parse_duration_ms) {
                Some(ms) if ms >= 60_000 => {
                    status.window_secs = ms / 1000;
                    status.window = v.as_text().unwrap_or_default().trim().to_string();
                }
                _ => diags.push(invalid(file, v, "`status.window` must be a duration of a minute or more such as 24h, 90m or 7d")),
            },
            "timeout" => match v.as_text().as_deref().and_then(parse_duration_ms) {
                Some(ms) if ms <= 60_000 => status.timeout_ms = ms,
                _ => diags.push(invalid(file, v, "`status.timeout` must be a duration of at most a minute such as 3s or 500ms")),
            },
            "services" => match v.as_seq() {
                Some(items) => {
                    for item in items {
                        if let Some(s) = parse_service(file, item, diags) {
                            status.services.push(s);
                        }
                    }
                }
                None => diags.push(invalid(file, v, "`status.services` must be a list of services, each with `name` and `indicators`")),
            },
            "deployments" => status.deployments = parse_deployments(file, v, diags),
            _ => diags.push(unknown(file, key, "status", "prometheus_url, alertmanager_url, token_env, window, timeout, services, deployments")),
        }
    }
    status
}

/// `status.deployments`. A `tags:` that is not a glob is an error and is
/// kept (the live report says it too); a block with neither `tags` nor
/// `query` reads nothing and is dropped.
fn parse_deployments(
    file: &SourceFile,
    value: &Node,
    diags: &mut Vec<Diagnostic>,
) -> Option<DeploymentsConfig> {
    if !value.is_map() {
        diags.push(invalid(
            file,
            value,
            "`status.deployments` must be a mapping (tags, query, label, soon_after)",
        ));
        return None;
    }
    let mut deployments = DeploymentsConfig::default();
    let placed = |v: &Node, text: String| Placed {
        text,
        line: v.pos.line,
        column: v.pos.column,
    };
    for (key, v) in value.entries() {
        match key.name.as_str() {
            "tags" => match v.as_text().map(|t| t.trim().to_string()) {
                Some(t) if !t.is_empty() => {
                    if let Err(e) = crate::glob::compile(&t) {
                        diags.push(invalid(
                            file,
                            v,
                            &format!("`status.deployments.tags` is not a glob: {}", e.kind()),
                        )
                        .with_help("a glob over tag names such as `v*` or `release-*`"));
                    }
                    deployments.tags = Some(placed(v, t));
                }
                _ => diags.push(invalid(file, v, "`status.deployments.tags` must be a glob over tag names such as `v*`")),
            },
            "query" => match v.as_text().map(|q| q.trim().to_string()) {
                Some(q) if !q.is_empty() => deployments.query = Some(placed(v, q)),
                _ => diags.push(invalid(file, v, "`status.deployments.query` must be a PromQL expression whose value is a deployment's Unix time")),
            },
            "label" => match v.as_str().map(str::trim) {
                Some(l) if !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
                    deployments.label = l.to_string()
                }
                _ => diags.push(invalid(file, v, "`status.deployments.label` must be a Prometheus label name such as `version`")),
            },
            "soon_after" => match v.as_text().as_deref().and_then(parse_duration_ms) {
                Some(ms) if ms >= 1000 => {
                    deployments.soon_after_secs = ms / 1000;
                    deployments.soon_after = v.as_text().unwrap_or_default().trim().to_string();
                }
                _ => diags.push(invalid(file, v, "`status.deployments.soon_after` must be a duration of a second or more such as 30m or 1h")),
            },
            _ => diags.push(unknown(file, key, "status.deployments", "tags, query, label, soon_after")),
        }
    }
    if deployments.tags.is_none() && deployments.query.is_none() {
        diags.push(invalid(
            file,
            value,
            "`status.deployments` needs `tags` (a glob over git tags) or `query` (PromQL), or both",
        ));
        return None;
    }
    Some(deployments)
}

fn parse_service(
    file: &SourceFile,
    item: &Node,
    diags: &mut Vec<Diagnostic>,
) -> Option<ServiceIndicators> {
    if !item.is_map() {
        diags.push(invalid(
            file,
            item,
            "a service must be a mapping with `name` and `indicators`",
        ));
        return None;
    }
    let mut service = ServiceIndicators {
        name: String::new(),
        indicators: Vec::new(),
    };
    for (key, v) in item.entries() {
        match key.name.as_str() {
            "name" => match v.as_text() {
                Some(n) if !n.trim().is_empty() => service.name = n.trim().to_string(),
                _ => diags.push(invalid(file, v, "a service's `name` must be text")),
            },
            "indicators" => match v.as_seq() {
                Some(list) => service
                    .indicators
                    .extend(list.iter().filter_map(|i| parse_indicator(file, i, diags))),
                None => diags.push(invalid(
                    file,
                    v,
                    "`indicators` must be a list, each with `name`, `query`, `unit` and `target`",
                )),
            },
            _ => diags.push(unknown(file, key, "status.services", "name, indicators")),
        }
    }
    if service.name.is_empty() {
        diags.push(invalid(file, item, "a service needs a `name`"));
        return None;
    }
    Some(service)
}

fn parse_indicator(
    file: &SourceFile,
    item: &Node,
    diags: &mut Vec<Diagnostic>,
) -> Option<Indicator> {
    if !item.is_map() {
        diags.push(invalid(
            file,
            item,
            "an indicator must be a mapping with `name`, `query`, `unit` and `target`",
        ));
        return None;
    }
    let mut name = None;
    let mut query = None;
    let mut unit = String::new();
    let mut target = None;
    for (key, v) in item.entries() {
        match key.name.as_str() {
            "name" => match v.as_text() {
                Some(n) if !n.trim().is_empty() => name = Some(n.trim().to_string()),
                _ => diags.push(invalid(file, v, "an indicator's `name` must be text")),
            },
            "query" => match v.as_text() {
                Some(q) if !q.trim().is_empty() => query = Some((q.trim().to_string(), v.pos)),
                _ => diags.push(invalid(file, v, "an indicator's `query` must be a PromQL expression")),
            },
            "unit" => match v.as_text() {
                Some(u) => unit = u.trim().to_string(),
                None => diags.push(invalid(file, v, "an indicator's `unit` must be text such as %, ms or req/s")),
            },
            "target" => match v.as_text().as_deref().and_then(Target::parse) {
                Some(t) => target = Some(t),
                None => diags.push(invalid(file, v, "an indicator's `target` must be a comparison and a number such as \">= 99.9\" or \"< 500\"")),
            },
            _ => diags.push(unknown(file, key, "an indicator", "name, query, unit, target")),
        }
    }
    let Some((query, pos)) = query else {
        diags.push(invalid(file, item, "an indicator needs a `query` (PromQL)"));
        return None;
    };
    Some(Indicator {
        name: name.unwrap_or_else(|| query.clone()),
        query,
        unit,
        target,
        line: pos.line,
        column: pos.column,
    })
}

/// `code: level` pairs. An unknown code is a warning naming the nearest
/// known one, and is left out; a level that is not error, warning or off is
/// invalid.
fn parse_levels(
    file: &SourceFile,
    value: &Node,
    key: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(Code, Level)> {
    if !value.is_map() {
        diags.push(invalid(
            file,
            value,
            &format!("`{key}` must map diagnostic codes to error, warning or off"),
        ));
        return Vec::new();
    }
    let mut levels = Vec::new();
    for (k, v) in value.entries() {
        let Some(code) = Code::from_name(&k.name) else {
            let mut d = Diagnostic::new(
                Code::ConfigUnknownKey,
                here_key(file, k),
                format!("unknown diagnostic code `{}` under {key}", k.name),
            );
            d = match Code::nearest(&k.name) {
                Some(near) => d.with_help(format!("did you mean `{near}`?")),
                None => d.with_help("`opswiki check --explain CODE` documents a code; docs/diagnostics.md lists them all"),
            };
            diags.push(d);
            continue;
        };
        // YAML 1.1 reads a bare `off` as false.
        let level = match &v.value {
            yaml::Value::Bool(false) => Some(Level::Off),
            _ => v.as_str().and_then(Level::from_name),
        };
        match level {
            Some(level) => levels.push((code, level)),
            None => diags.push(invalid(
                file,
                v,
                &format!("the level of `{code}` must be error, warning or off"),
            )),
        }
    }
    levels
}

fn parse_overrides(file: &SourceFile, value: &Node, diags: &mut Vec<Diagnostic>) -> Vec<Override> {
    let Some(items) = value.as_seq() else {
        diags.push(invalid(
            file,
            value,
            "`overrides` must be a list of entries with `paths` and `diagnostics`",
        ));
        return Vec::new();
    };
    let mut overrides = Vec::new();
    for item in items {
        if !item.is_map() {
            diags.push(invalid(
                file,
                item,
                "an override has `paths: [globs]` and `diagnostics: {code: level}`",
            ));
            continue;
        }
        let mut entry = Override {
            paths: Vec::new(),
            diagnostics: Vec::new(),
        };
        for (k, v) in item.entries() {
            match k.name.as_str() {
                "paths" => {
                    let nodes: Vec<&Node> = match v.as_seq() {
                        Some(items) => items.iter().collect(),
                        None => vec![v],
                    };
                    for node in nodes {
                        match node.as_text() {
                            Some(glob) => match crate::glob::compile(&glob) {
                                Ok(_) => entry.paths.push(glob),
                                Err(err) => {
                                    diags.push(invalid(file, node, &format!("bad glob: {err}")))
                                }
                            },
                            None => diags.push(invalid(file, node, "a glob must be text")),
                        }
                    }
                }
                "diagnostics" => {
                    entry.diagnostics = parse_levels(file, v, "overrides.diagnostics", diags)
                }
                other => diags.push(Diagnostic::new(
                    Code::ConfigUnknownKey,
                    here_key(file, k),
                    format!("unknown key `{other}` in an override (keys: paths, diagnostics)"),
                )),
            }
        }
        overrides.push(entry);
    }
    overrides
}

fn parse_kinds(file: &SourceFile, value: &Node, config: &mut Config, diags: &mut Vec<Diagnostic>) {
    if !value.is_map() {
        diags.push(invalid(file, value, "`kinds` must map a kind to its rules"));
        return;
    }
    for (kind_key, rules) in value.entries() {
        let Some(kind) = PageKind::from_name(&kind_key.name) else {
            diags.push(Diagnostic::new(
                Code::ConfigUnknownKey,
                here_key(file, kind_key),
                format!(
                    "unknown kind `{}` (kinds: runbook, postmortem, report, page)",
                    kind_key.name
                ),
            ));
            continue;
        };
        // Each key given replaces that key's default; keys not given keep it.
        let mut replaced = config.kinds.get(&kind).cloned().unwrap_or_default();
        for (k, v) in rules.entries() {
            if k.name == "section_aliases" {
                replaced.section_aliases = parse_section_aliases(file, v, diags);
                continue;
            }
            let list = match v.as_string_list() {
                Some(list) => list,
                None => {
                    diags.push(invalid(file, v, "expected a list of names"));
                    continue;
                }
            };
            match k.name.as_str() {
                "required_fields" => replaced.required_fields = list,
                "required_sections" => replaced.required_sections = list,
                "paths" | "exclude" => {
                    let items = v.as_seq().unwrap_or_default();
                    for (pattern, node) in list.iter().zip(items) {
                        if let Err(err) = crate::glob::compile(pattern) {
                            diags.push(invalid(
                                file,
                                node,
                                &format!("bad glob `{pattern}`: {}", err.kind()),
                            ));
                        }
                    }
                    if k.name == "paths" {
                        replaced.paths = list;
                    } else {
                        replaced.exclude = list;
                    }
                }
                other => diags.push(Diagnostic::new(
                    Code::ConfigUnknownKey,
                    here_key(file, k),
                    format!("unknown key `{other}` under kinds.{}", kind_key.name),
                )),
            }
        }
        config.kinds.insert(kind, replaced);
    }
}

/// `section_aliases: {Diagnosis: [Investigation, Troubleshooting]}`.
fn parse_section_aliases(
    file: &SourceFile,
    value: &Node,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, Vec<String>> {
    let mut aliases = BTreeMap::new();
    if !value.is_map() {
        diags.push(invalid(
            file,
            value,
            "`section_aliases` must map a section to the other headings that satisfy it",
        ));
        return aliases;
    }
    for (section, names) in value.entries() {
        match names
            .as_string_list()
            .or_else(|| names.as_text().map(|t| vec![t]))
        {
            Some(list) => {
                aliases.insert(section.name.clone(), list);
            }
            None => diags.push(invalid(file, names, "expected a list of headings")),
        }
    }
    aliases
}

const SEVERITY_PLACEHOLDER_HELP: &str =
    "the template lists every severity: keep the one that applies";

/// A page's severity is one of the site's, and not the template's list.
pub(crate) fn check_severity(
    sev: &crate::model::Field<String>,
    config: &Config,
    diags: &mut Vec<Diagnostic>,
) {
    if sev.value.contains('|') {
        diags.push(
            Diagnostic::new(
                Code::SeverityPlaceholder,
                sev.span.clone(),
                format!(
                    "severity `{}` is the template's placeholder: pick one",
                    sev.value
                ),
            )
            .with_help(SEVERITY_PLACEHOLDER_HELP),
        );
    } else if !config.severities.iter().any(|s| s == &sev.value) {
        diags.push(
            Diagnostic::new(
                Code::SeverityUnknown,
                sev.span.clone(),
                format!("unknown severity `{}`", sev.value),
            )
            .with_help(format!(
                "severities of this site: {}",
                config.severities.join(", ")
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Config, Vec<Diagnostic>) {
        Config::parse(&SourceFile::new(
            CONFIG_FILE.into(),
            CONFIG_FILE.into(),
            text.into(),
        ))
    }

    #[test]
    fn defaults_and_overrides() {
        let (c, d) = parse("title: X\nbase_url: https://w.example.com\nstale_after_days: 30\n");
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(c.title, "X");
        assert_eq!(c.base_url.as_deref(), Some("https://w.example.com/"));
        assert_eq!(c.stale_after_days, 30);
        assert_eq!(c.severities.len(), 4);
    }

    #[test]
    fn unknown_key_is_a_located_warning() {
        let (_, d) = parse("title: X\ncolour: red\n");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, "config-unknown-key");
        assert_eq!((d[0].span.line, d[0].span.column), (2, 1));
    }

    #[test]
    fn raw_html_is_allow_or_sanitize() {
        assert_eq!(parse("").0.raw_html, RawHtml::Allow);
        let (c, d) = parse("raw_html: sanitize\n");
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(c.raw_html, RawHtml::Sanitize);
        assert_eq!(parse("raw_html: allow\n").0.raw_html, RawHtml::Allow);
        let (c, d) = parse("raw_html: yes\n");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, "config-invalid");
        assert_eq!(c.raw_html, RawHtml::Allow, "the default stands in");
    }

    #[test]
    fn kinds_replace_defaults() {
        let (c, d) = parse("kinds:\n  runbook:\n    required_sections: [Symptom]\n");
        assert!(d.is_empty(), "{d:?}");
        let rules = c.rules(PageKind::Runbook).unwrap();
        assert_eq!(rules.required_sections, vec!["Symptom"]);
        assert_eq!(rules.required_fields.len(), 4, "fields keep their default");
    }

    #[test]
    fn status_block() {
        let text = "status:\n  prometheus_url: http://127.0.0.1:9090/\n  token_env: MON_TOKEN\n  timeout: 500ms\n  services:\n    - name: API\n      indicators:\n        - name: Availability\n          query: up\n          unit: \"%\"\n          target: \">= 99.9\"\n          colour: red\n";
        let (c, d) = parse(text);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].code, "config-unknown-key");
        assert_eq!(d[0].span.line, 12);
        let s = c.status.unwrap();
        assert_eq!(s.prometheus_url.as_deref(), Some("http://127.0.0.1:9090"));
        assert_eq!(s.token_env.as_deref(), Some("MON_TOKEN"));
        assert_eq!((s.window_secs, s.timeout_ms), (86_400, 500));
        let i = &s.services[0].indicators[0];
        assert_eq!(
            (i.name.as_str(), i.query.as_str(), i.line),
            ("Availability", "up", 9)
        );
        let t = i.target.unwrap();
        assert!(t.met_by(99.95) && !t.met_by(99.0));
        assert_eq!(t.to_string(), ">= 99.9");
    }

    #[test]
    fn status_deployments() {
        let (c, d) = parse(
            "status:\n  deployments:\n    tags: \"v[\"\n    query: deploy_timestamp_seconds\n    label: release\n    soon_after: 10m\n    colour: red\n",
        );
        let codes: Vec<_> = d
            .iter()
            .map(|d| (d.code.name(), d.span.line, d.span.column))
            .collect();
        assert_eq!(
            codes,
            vec![("config-invalid", 3, 11), ("config-unknown-key", 7, 5)]
        );
        let deployments = c.status.unwrap().deployments.unwrap();
        // Kept, so the live report can say why it read no tags.
        assert_eq!(deployments.tags.unwrap().text, "v[");
        assert_eq!(deployments.query.unwrap().at(), "opswiki.yaml:4:12");
        assert_eq!(deployments.label, "release");
        assert_eq!(
            (deployments.soon_after_secs, deployments.soon_after.as_str()),
            (600, "10m")
        );
        let (c, d) = parse("status:\n  deployments:\n    soon_after: 5m\n");
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.contains("needs `tags`"), "{d:?}");
        assert!(c.status.unwrap().deployments.is_none());
    }

    #[test]
    fn status_values_are_checked() {
        let (c, d) = parse(
            "status:\n  token_env: \"Bearer abc\"\n  window: soon\n  services:\n    - name: X\n      indicators:\n        - name: Y\n          target: \"about 5\"\n",
        );
        let codes: Vec<_> = d.iter().map(|d| (d.code.name(), d.span.line)).collect();
        assert_eq!(
            codes,
            vec![
                ("config-invalid", 2),
                ("config-invalid", 3),
                ("config-invalid", 8),
                ("config-invalid", 7)
            ]
        );
        assert!(c.status.unwrap().services[0].indicators.is_empty());
        assert_eq!(Target::parse("<500").unwrap().value, 500.0);
        assert_eq!(parse_duration_ms("24h"), Some(86_400_000));
        assert_eq!(parse_duration_ms("1.5h"), None);
    }
}
