//! Fuzzing harnesses: one function per fuzz target, each taking the raw
//! bytes libFuzzer generates and running them through the library the way
//! `opswiki check`, `build`, `serve` and `status` do.
//!
//! The fuzz targets in `fuzz/fuzz_targets/` are one-line calls into this
//! module, and `tests/fuzz_regressions.rs` runs the checked-in seeds and every
//! input that once crashed through the very same functions, so a regression
//! test cannot drift from what was fuzzed. A harness returns normally for any
//! input; a panic (or a hang, or runaway memory, which libFuzzer watches) is
//! a bug in opswiki.
//!
//! Files never touch the disk: a harness builds a [`Loaded`] in memory, as
//! `load` would from a folder, and hands it to [`crate::site::parse`].

use std::path::PathBuf;

use chrono::NaiveDate;

use crate::config::{CONFIG_FILE, Config};
use crate::diag::{self, Diagnostic, Format};
use crate::links::LinkIndex;
use crate::load::{CONTENT_DIR, FileKind, Loaded, classify};
use crate::site::Site;
use crate::source::{SourceFile, decode};

/// A harness: any bytes in, nothing out, never a panic.
pub type Harness = fn(&[u8]);

/// Every harness by target name, for the regression test (the names are the
/// fuzz targets' and the folders' under `fuzz/corpus/` and
/// `tests/fuzz_regressions/`).
pub const TARGETS: &[(&str, Harness)] = &[
    ("front_matter", front_matter),
    ("pages", pages),
    ("alarms", alarms),
    ("alarms_json", alarms_json),
    ("alarms_terraform", alarms_terraform),
    ("runbook_templates", runbook_templates),
    ("trees", trees),
    ("links", links),
    ("site", site),
];

/// The date the checks count from, fixed so a run is reproducible.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).expect("a valid date")
}

/// A file as `load` would read it (`None`: not UTF-8, a diagnostic there).
fn source(content_path: &str, bytes: &[u8]) -> Option<SourceFile> {
    let text = decode(bytes.to_vec()).ok()?;
    Some(SourceFile::new(
        format!("{CONTENT_DIR}/{content_path}"),
        content_path.to_string(),
        text,
    ))
}

/// Print diagnostics in every format into memory: the text format quotes the
/// source line under each span, so a span outside its file shows up here.
fn emit_all(site: &Site, diags: &[Diagnostic]) {
    let sources = site.source_texts();
    for format in [Format::Text, Format::Json, Format::Github, Format::Junit] {
        let mut out = Vec::new();
        diag::emit(&mut out, diags, format, &sources, false).expect("writing to memory");
    }
}

/// Parse and check a site through the pipeline, as every command does
/// (with `--deny-external`); the diagnostics printed.
fn parse_and_check(loaded: Loaded) -> (Site, Vec<Diagnostic>) {
    // The commands also compile the templates here; a fuzzed site has none
    // of its own, so that is the same work every time (and most of the time
    // an input takes): [`site`] renders with templates compiled once.
    let options = crate::pipeline::Options {
        today: today(),
        shorthands: crate::pipeline::Shorthands {
            deny_warnings: false,
            deny_external: true,
        },
        compile_templates: false,
    };
    let checked = crate::pipeline::run_loaded(
        loaded,
        None,
        &options,
        &crate::timing::StageTimer::from_env(),
    );
    let diags = checked.findings.reported;
    emit_all(&checked.site, &diags);
    let _ = crate::coverage::Coverage::of(&checked.site).summary_line();
    (checked.site, diags)
}

/// A site with the default config and nothing in it yet.
fn empty_site() -> Loaded {
    Loaded {
        root: PathBuf::from("/nonexistent/fuzz-site"),
        ..Loaded::default()
    }
}

/// A runbook that alarms and trees can point at, with a few anchors.
const RUNBOOK: &str = "---\ntitle: DB\nowner: team-db\nseverity: P2\nlast_updated: 2026-11-01\nalarms: [DbDown, HighLatency]\n---\n# DB\n\n## Symptoms\n\nSlow.\n\n## Diagnosis Steps\n\nLook.\n\n## Resolution\n\nFix.\n\n## Escalation\n\nCall.\n";

fn with_runbook(loaded: &mut Loaded) {
    let file = source("runbooks/db.md", RUNBOOK.as_bytes()).expect("UTF-8");
    loaded.markdown.push(file);
}

/// Front matter and YAML: the input as a Markdown file split into front
/// matter and body, as a YAML stream, and as `opswiki.yaml`.
pub fn front_matter(data: &[u8]) {
    let Some(file) = source("runbooks/fuzz.md", data) else {
        return;
    };
    let (split, _) = crate::frontmatter::split(&file);
    // The body starts inside the file, on a character boundary: the
    // Markdown scan slices the text there.
    assert!(split.body_offset <= file.text.len());
    assert!(file.text.is_char_boundary(split.body_offset));
    if let Some(front) = &split.front {
        let _ = front.to_json();
    }
    crate::yaml::assert_fast_path_agrees(&file.text);
    if let Some(front) = file
        .text
        .strip_prefix("---\n")
        .and_then(|t| t.split_once("\n---"))
    {
        crate::yaml::assert_fast_path_agrees(front.0);
    }
    if let Ok(docs) = crate::yaml::parse_multi(&file.text) {
        for doc in &docs {
            let _ = doc.to_json();
            let _ = doc.as_string_list();
        }
    }
    let config = SourceFile::new(CONFIG_FILE.into(), CONFIG_FILE.into(), file.text.clone());
    let _ = Config::parse(&config);
}

/// Markdown pages: the input as a runbook, a post-mortem and a weekly
/// report at once (front matter, sections, tables, fenced trees, links),
/// parsed and checked with a runbook beside them to link to.
pub fn pages(data: &[u8]) {
    let mut loaded = empty_site();
    with_runbook(&mut loaded);
    for path in ["runbooks/fuzz.md", "postmortems/fuzz.md", "reports/fuzz.md"] {
        match source(path, data) {
            Some(file) => loaded.markdown.push(file),
            None => return,
        }
    }
    let (site, _) = parse_and_check(loaded);
    let _ = crate::status::compute(&site, today());
}

/// Alarm files, all three shapes: the input as a file under
/// `content/alarms/`, parsed and checked against a runbook and a `base_url`.
pub fn alarms(data: &[u8]) {
    let mut loaded = empty_site();
    loaded.config.base_url = Some("https://wiki.example.com/".into());
    with_runbook(&mut loaded);
    let Some(file) = source("alarms/fuzz.yaml", data) else {
        return;
    };
    loaded.alarm_files.push(file);
    let (site, _) = parse_and_check(loaded);
    for alarm in &site.alarms {
        let _ = alarm.anchor();
        let _ = crate::alarms::readable_template(&alarm.name);
    }
}

/// An alarm file read from outside `content/`, through `alarms.sources`,
/// as every command reads it; checked against a runbook and a `base_url`.
fn alarm_file_outside(path: &str, data: &[u8]) {
    let mut loaded = empty_site();
    loaded.config.base_url = Some("https://wiki.example.com/".into());
    with_runbook(&mut loaded);
    let Ok(text) = decode(data.to_vec()) else {
        return;
    };
    loaded
        .alarm_files
        .push(SourceFile::new(path.into(), path.into(), text));
    let (site, _) = parse_and_check(loaded);
    for alarm in &site.alarms {
        let _ = alarm.anchor();
        let _ = site.resolve_runbook(alarm);
    }
}

/// JSON alarm files: Grafana provisioning exports, Datadog monitors,
/// CloudFormation templates (the JSON parser's check, then the YAML tree).
pub fn alarms_json(data: &[u8]) {
    alarm_file_outside("../monitoring/fuzz.json", data);
}

/// Terraform alarm files, read with the HCL parser.
pub fn alarms_terraform(data: &[u8]) {
    alarm_file_outside("../monitoring/fuzz.tf", data);
}

/// Runbook links as templates and in free text: the first line of the
/// input is a link (maybe a template), the second a PromQL expression whose
/// matchers fill it, the rest free text to find a runbook link in. The
/// filled link is resolved against a few pages as a pattern.
pub fn runbook_templates(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut lines = text.splitn(3, '\n');
    let link = lines.next().unwrap_or("");
    let expr = lines.next().unwrap_or("");
    let rest = lines.next().unwrap_or("");
    let labels = vec![("service".to_string(), "db".to_string())];
    let _ = crate::alarms::template::fixed_by_expr(expr);
    if let Some(t) = crate::alarms::template::fill(link, &labels, Some(expr)) {
        let _ = t.shown();
        for id in ["runbooks/db", "index", "a/b/c", ""] {
            let _ = crate::alarms::template::matches(&t.filled, id);
        }
    }
    let config = Config {
        base_url: Some("https://wiki.example.com/".into()),
        ..Config::default()
    };
    let _ = crate::alarms::freetext::runbook_in_text(rest, &config);
    let file = SourceFile::new("a.yaml".into(), "a.yaml".into(), rest.to_string());
    let _ = crate::alarms::freetext::runbook_field(&file, (1, 1), rest, &config);
    // The same through a whole alarm, so resolution sees the template.
    let mut alarm_text = String::from("groups:\n- name: g\n  rules:\n  - alert: A\n    expr: ");
    alarm_text.push_str(&serde_json::to_string(expr).unwrap_or_default());
    alarm_text.push_str("\n    labels: {severity: critical}\n    annotations:\n      summary: s\n      runbook_url: ");
    alarm_text.push_str(&serde_json::to_string(link).unwrap_or_default());
    alarm_text.push('\n');
    alarm_file_outside("../monitoring/fuzz.yml", alarm_text.as_bytes());
}

/// Both tree notations: the input as a YAML tree file and as the body of a
/// fenced `triage` block in a page, parsed and checked.
pub fn trees(data: &[u8]) {
    let mut loaded = empty_site();
    with_runbook(&mut loaded);
    let Some(tree) = source("trees/fuzz.yaml", data) else {
        return;
    };
    let page = format!("# Triage\n\n```triage\n{}\n```\n", tree.text);
    loaded.tree_files.push(tree);
    loaded
        .markdown
        .push(source("triage.md", page.as_bytes()).expect("UTF-8"));
    let (site, _) = parse_and_check(loaded);
    for tree in &site.trees {
        let _ = tree.walk_order();
        let _ = tree.paths(50);
    }
}

/// Link resolution. The input's lines: a `base_url`, the linking file's
/// path, page ids and asset paths up to a blank line, then link
/// destinations, each resolved against the others.
pub fn links(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut lines = text.split('\n');
    let base_url = lines.next().filter(|b| !b.is_empty());
    let from = lines.next().unwrap_or("");
    let mut pages = Vec::new();
    let mut assets = Vec::new();
    for line in lines.by_ref() {
        if line.is_empty() {
            break;
        }
        // A path with an extension other than Markdown's is an asset.
        match classify(line) {
            FileKind::Asset if line.contains('.') => assets.push(line),
            _ => pages.push(crate::model::page_id(line)),
        }
    }
    let index = LinkIndex::new(
        pages.iter().enumerate().map(|(i, p)| (i, p.as_str())),
        assets.iter().copied(),
        base_url,
    );
    for dest in lines {
        let _ = index.resolve(from, dest);
        let _ = index.is_internal_url(dest);
        let _ = crate::links::normalize(dest);
        let _ = crate::links::percent_decode(dest);
        let _ = crate::markdown::is_script_url(dest);
    }
}

/// One-time work, before fuzzing starts: compile the built-in templates
/// and load the syntax highlighter, by rendering a tiny site. Instrumented
/// for fuzzing, that takes seconds, which libFuzzer would otherwise count
/// against the first input's time limit and report as a hang.
pub fn init() {
    site(b"=== runbooks/a.md\n# A\n\n```sh\necho a\n```\n");
}

/// The most files [`site`] makes of one input.
const MAX_FILES: usize = 12;

/// Split an input into the files of a site: a line `=== PATH` starts a file
/// at PATH (under `content/`, or `opswiki.yaml`); what comes before the first
/// such line (if anything) is `runbooks/fuzz.md`. Paths are cleaned up to what walking a
/// folder can produce (no empty, `.` or `..` parts, no backslashes); a path
/// seen twice keeps its first file.
pub fn split_site(data: &[u8]) -> Vec<(String, &[u8])> {
    let mut files: Vec<(String, &[u8])> = Vec::new();
    let mut path = String::from("runbooks/fuzz.md");
    let mut start = 0;
    let mut at = 0;
    fn push<'a>(path: &str, bytes: &'a [u8], files: &mut Vec<(String, &'a [u8])>) {
        if files.len() < MAX_FILES && !files.iter().any(|(p, _)| p == path) {
            files.push((path.to_string(), bytes));
        }
    }
    while at <= data.len() {
        let end = data[at..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(data.len(), |i| at + i);
        let line = &data[at..end];
        if let Some(header) = line.strip_prefix(b"=== ") {
            // Nothing before the first header is no file at all.
            if at > 0 {
                push(&path, &data[start..at], &mut files);
            }
            path = clean_path(&String::from_utf8_lossy(header));
            start = (end + 1).min(data.len());
        }
        at = end + 1;
    }
    push(&path, &data[start.min(data.len())..], &mut files);
    files
}

fn clean_path(path: &str) -> String {
    let parts: Vec<&str> = path
        .split(['/', '\\'])
        .map(str::trim)
        .filter(|p| !p.is_empty() && *p != "." && *p != "..")
        .filter(|p| !crate::load::is_ignored_name(p))
        .collect();
    if parts.is_empty() {
        "page.md".into()
    } else {
        parts.join("/")
    }
}

/// A whole site, end to end: the input split into files ([`split_site`]),
/// loaded, parsed, checked, rendered in memory (every page, the catalogue,
/// trees, reports, the search index), and the `status` summary in every
/// format. `serve` renders a site even with errors when it has nothing
/// better to show, so rendering runs whatever the checks found.
pub fn site(data: &[u8]) {
    let (site, _) = parse_and_check(load_site(data));
    // The built-in templates, compiled once, as `serve` keeps them between
    // rebuilds (a fuzzed site has no templates of its own).
    static TEMPLATES: std::sync::OnceLock<tera::Tera> = std::sync::OnceLock::new();
    let tera = TEMPLATES.get_or_init(|| {
        crate::render::templates::compile(&site).expect("the built-in templates compile")
    });
    let coverage = crate::coverage::Coverage::of(&site);
    let renderer = crate::render::Renderer::with_parts(&site, today(), tera.clone(), coverage);
    let _ = renderer.render_all();
    let status = crate::status::compute(&site, today());
    let base_url = site.config.base_url.as_deref();
    let _ = crate::status::to_text(&status, base_url);
    let _ = crate::status::to_markdown(&status, base_url);
    let _ = crate::status::to_json(&status, base_url);
}

/// The files of [`split_site`] classified as `load` does.
fn load_site(data: &[u8]) -> Loaded {
    let mut loaded = empty_site();
    for (path, bytes) in split_site(data) {
        if path == CONFIG_FILE {
            if let Ok(text) = decode(bytes.to_vec()) {
                let file = SourceFile::new(CONFIG_FILE.into(), CONFIG_FILE.into(), text);
                let (config, diags) = Config::parse(&file);
                loaded.config = config;
                loaded.diagnostics.extend(diags);
                loaded.config_source = Some(file);
            }
            continue;
        }
        let kind = classify(&path);
        if kind == FileKind::Asset {
            let abs = PathBuf::from("/nonexistent/fuzz-site/content").join(&path);
            loaded.assets.push((path, abs));
            continue;
        }
        let Some(file) = source(&path, bytes) else {
            continue;
        };
        match kind {
            FileKind::Alarms => loaded.alarm_files.push(file),
            FileKind::Tree => loaded.tree_files.push(file),
            _ => loaded.markdown.push(file),
        }
    }
    loaded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_site_cleans_paths_and_keeps_first() {
        assert_eq!(split_site(b"=== a.md\nA")[0].0, "a.md");
        let files = split_site(b"# A\n=== runbooks/../x.md\nX\n=== x.md\nY\n=== alarms/a.yaml\n");
        let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            ["runbooks/fuzz.md", "runbooks/x.md", "x.md", "alarms/a.yaml"]
        );
        assert_eq!(files[0].1, b"# A\n");
        assert_eq!(files[1].1, b"X\n");
        assert_eq!(files[3].1, b"");
    }

    /// The in-memory site reads a seed as `opswiki check` reads the folder
    /// it came from: the valid fixture site checks clean, the invalid one
    /// does not.
    #[test]
    fn fixture_seeds_check_as_the_folders_do() {
        let seed = |name: &str| {
            let path = format!("{}/fuzz/corpus/site/{name}", env!("CARGO_MANIFEST_DIR"));
            std::fs::read(path).unwrap()
        };
        let errors = |data: &[u8]| {
            let (site, diags) = parse_and_check(load_site(data));
            let errors: Vec<String> = diags
                .iter()
                .filter(|d| d.level == crate::diag::Level::Error)
                .map(|d| format!("{}: {}", d.code, d.message))
                .collect();
            (site.pages.len(), errors)
        };
        let (pages, valid) = errors(&seed("fixture-valid.txt"));
        assert!(pages >= 7, "{pages} pages");
        assert_eq!(valid, Vec::<String>::new());
        assert!(!errors(&seed("fixture-invalid.txt")).1.is_empty());
    }
}
