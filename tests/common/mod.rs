//! Helpers shared by the integration tests: fixture sites in temporary
//! folders, running the real binary, reading its JSON diagnostics, and
//! assertions that print every diagnostic when they fail.
//!
//! Each test file includes this module with `mod common;` and uses only part
//! of it, hence the `dead_code` allowance.
#![allow(dead_code)]

pub mod serve;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use tempfile::TempDir;

/// The date every test passes as `--today`, so staleness is reproducible.
pub const TODAY: &str = "2026-11-26";

/// The binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_opswiki")
}

/// The crate's own folder (the example wiki's root).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A checked-in fixture site under `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    repo_root().join("tests").join("fixtures").join(name)
}

// ---------------------------------------------------------------------------
// Sites
// ---------------------------------------------------------------------------

/// A site in a temporary folder. The folder (and everything in it) is
/// removed when the `Site` is dropped.
pub struct Site {
    dir: TempDir,
}

impl Site {
    /// An empty site with a `content/` folder.
    pub fn new() -> Site {
        let site = Site::bare();
        fs::create_dir_all(site.root().join("content")).unwrap();
        site
    }

    /// A folder with nothing in it (not even `content/`).
    pub fn bare() -> Site {
        let dir = tempfile::Builder::new()
            .prefix("opswiki-test-")
            .tempdir()
            .expect("create a temporary folder");
        Site { dir }
    }

    /// A temporary copy of a checked-in fixture site, each file's bytes passed
    /// through `transform` (path relative to the site, bytes) on the way.
    pub fn copy_of(name: &str, transform: impl Fn(&str, Vec<u8>) -> Vec<u8>) -> Site {
        let site = Site::bare();
        for (rel, bytes) in snapshot(&fixture(name)) {
            let bytes = transform(&rel, bytes);
            site.bytes(&rel, &bytes);
        }
        site
    }

    /// The site root (a canonical path, so symlink checks compare well).
    pub fn root(&self) -> PathBuf {
        self.dir.path().canonicalize().unwrap()
    }

    /// The absolute path of `rel` inside the site.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    /// Write a text file (creating its folders).
    pub fn file(&self, rel: &str, text: &str) -> &Site {
        self.bytes(rel, text.as_bytes())
    }

    /// Write a file's raw bytes (creating its folders).
    pub fn bytes(&self, rel: &str, bytes: &[u8]) -> &Site {
        let path = self.path(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(&path, bytes).unwrap();
        self
    }

    /// Remove a file.
    pub fn remove(&self, rel: &str) -> &Site {
        fs::remove_file(self.path(rel)).unwrap();
        self
    }

    /// A fresh output folder path beside the site (not created).
    pub fn out_dir(&self) -> PathBuf {
        self.root().join("out")
    }

    /// `opswiki check --root SITE --today TODAY` plus `extra`.
    pub fn check(&self, extra: &[&str]) -> Output {
        let root = self.root();
        let mut args = vec!["check", "--root", root.to_str().unwrap(), "--today", TODAY];
        args.extend_from_slice(extra);
        run(&args)
    }

    /// `opswiki build --root SITE --output SITE/out --today TODAY` plus `extra`.
    pub fn build(&self, extra: &[&str]) -> Output {
        build_into(&self.root(), &self.out_dir(), TODAY, extra)
    }

    /// Build and insist that it succeeded; returns the output folder.
    pub fn build_ok(&self) -> PathBuf {
        let out = self.build(&["--format", "json"]);
        assert_eq!(out.code, 0, "build failed:\n{out}");
        self.out_dir()
    }

    /// Read a generated file as text.
    pub fn output(&self, rel: &str) -> String {
        let path = self.out_dir().join(rel);
        fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "cannot read {}: {e}\noutput files: {:#?}",
                path.display(),
                list_files(&self.out_dir())
            )
        })
    }
}

impl Default for Site {
    fn default() -> Site {
        Site::new()
    }
}

/// `git ARGS` in `dir` as `author` (`Ann Lee` <ann.lee@example.com>) at
/// `date` (any form git takes: ISO 8601, `@UNIX +0000`), both author's and
/// committer's (and so an annotated tag's tagger's), with no user or system
/// config, no signing, `main` as the first branch. Returns what it printed.
pub fn git_at(dir: &Path, args: &[&str], date: &str, author: &str) -> String {
    let email = format!("{}@example.com", author.to_lowercase().replace(' ', "."));
    let out = Command::new("git")
        .args(["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"])
        .args(["-c", "init.defaultBranch=main"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", author)
        .env("GIT_AUTHOR_EMAIL", &email)
        .env("GIT_COMMITTER_NAME", author)
        .env("GIT_COMMITTER_EMAIL", &email)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

// ---------------------------------------------------------------------------
// Running the binary
// ---------------------------------------------------------------------------

/// What a run of the binary produced.
#[derive(Debug, Clone)]
pub struct Output {
    /// The exit code (-1 if killed by a signal).
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl std::fmt::Display for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(
            f,
            "exit code: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// `opswiki build --root ROOT --output OUT --today TODAY` plus `extra`.
pub fn build_into(root: &Path, out: &Path, today: &str, extra: &[&str]) -> Output {
    run(&build_args(root, out, today, extra))
}

/// The arguments of [`build_into`], for tests that start the binary their
/// own way (timed, killed).
pub fn build_args<'a>(
    root: &'a Path,
    out: &'a Path,
    today: &'a str,
    extra: &[&'a str],
) -> Vec<&'a str> {
    let mut args = vec![
        "build",
        "--root",
        root.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        "--today",
        today,
    ];
    args.extend_from_slice(extra);
    args
}

/// `opswiki check --root ROOT --today TODAY` plus `extra`.
pub fn check_args<'a>(root: &'a Path, today: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["check", "--root", root.to_str().unwrap(), "--today", today];
    args.extend_from_slice(extra);
    args
}

/// Run the binary with `args`. `NO_COLOR` keeps the text format plain.
pub fn run(args: &[&str]) -> Output {
    run_in(&std::env::temp_dir(), args)
}

/// Run the binary with `args` in the working folder `dir`.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new(bin())
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("run the opswiki binary");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Run the binary, killing it (and failing the test) if it takes longer than
/// `secs` seconds: for inputs that could make it hang.
/// Read a spawned child's piped stdout and stderr on threads, so a chatty
/// child never blocks on a full pipe. Call the result with the exit code once
/// the child has ended.
pub fn drain(child: &mut std::process::Child) -> impl FnOnce(i32) -> Output + use<> {
    let read = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = pipe.read_to_end(&mut s);
            s
        })
    };
    let out_thread = read(Box::new(child.stdout.take().expect("piped stdout")));
    let err_thread = read(Box::new(child.stderr.take().expect("piped stderr")));
    move |code| Output {
        code,
        stdout: String::from_utf8_lossy(&out_thread.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&err_thread.join().unwrap()).into_owned(),
    }
}

pub fn run_with_timeout(args: &[&str], secs: u64) -> Output {
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    let mut child = Command::new(bin())
        .args(args)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the opswiki binary");
    let output = drain(&mut child);
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(secs) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("opswiki {args:?} did not finish within {secs}s");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    output(status.code().unwrap_or(-1))
}

/// Parse JSON-lines output; every non-empty line must be a JSON object.
pub fn parse_json_lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}\nwhole stdout:\n{stdout}"));
            assert!(v.is_object(), "not a JSON object: {l}");
            v
        })
        .collect()
}

/// `check --format json --today today` on a temporary site.
pub fn check_json(site: &Site, today: &str) -> Vec<Value> {
    check_json_at(&site.root(), today)
}

/// `check --format json --today today` on any root.
pub fn check_json_at(root: &Path, today: &str) -> Vec<Value> {
    let out = run(&check_args(root, today, &["--format", "json"]));
    assert!(
        out.code == 0 || out.code == 1,
        "check could not run:\n{out}"
    );
    let diags = parse_json_lines(&out.stdout);
    let errors = diags.iter().filter(|d| d["level"] == "error").count();
    assert_eq!(
        out.code,
        i32::from(errors > 0),
        "exit code disagrees with the diagnostics:\n{out}"
    );
    diags
}

// ---------------------------------------------------------------------------
// Assertions on diagnostics
// ---------------------------------------------------------------------------

/// One diagnostic per line, `level[code] file:line:col message`.
pub fn show(diags: &[Value]) -> String {
    if diags.is_empty() {
        return "  (no diagnostics)".to_string();
    }
    diags
        .iter()
        .map(|d| {
            format!(
                "  {}[{}] {}:{}:{} {}",
                d["level"].as_str().unwrap_or("?"),
                d["code"].as_str().unwrap_or("?"),
                d["file"].as_str().unwrap_or("?"),
                d["line"],
                d["column"],
                d["message"].as_str().unwrap_or("")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The diagnostics with a given code.
pub fn with_code<'a>(diags: &'a [Value], code: &str) -> Vec<&'a Value> {
    diags.iter().filter(|d| d["code"] == code).collect()
}

/// The codes, in output order.
pub fn codes(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

/// Assert a diagnostic with this code exists at exactly this place, and
/// return it (for checks on its message or level).
#[track_caller]
pub fn assert_diag<'a>(
    diags: &'a [Value],
    code: &str,
    file: &str,
    line: u32,
    column: u32,
) -> &'a Value {
    let found = diags.iter().find(|d| {
        d["code"] == code && d["file"] == file && d["line"] == line && d["column"] == column
    });
    match found {
        Some(d) => d,
        None => panic!(
            "expected {code} at {file}:{line}:{column}; diagnostics:\n{}",
            show(diags)
        ),
    }
}

/// Like [`assert_diag`], and the diagnostic has this level.
#[track_caller]
pub fn assert_diag_level<'a>(
    diags: &'a [Value],
    level: &str,
    code: &str,
    file: &str,
    line: u32,
    column: u32,
) -> &'a Value {
    let d = assert_diag(diags, code, file, line, column);
    assert_eq!(
        d["level"],
        level,
        "{code} at {file}:{line}:{column} has the wrong level; diagnostics:\n{}",
        show(diags)
    );
    d
}

/// Assert exactly `n` diagnostics with this code.
#[track_caller]
pub fn assert_count(diags: &[Value], code: &str, n: usize) {
    assert_eq!(
        with_code(diags, code).len(),
        n,
        "expected {n} × {code}; diagnostics:\n{}",
        show(diags)
    );
}

/// Assert no diagnostic with this code.
#[track_caller]
pub fn assert_no_diag(diags: &[Value], code: &str) {
    assert_count(diags, code, 0);
}

/// Assert there are no diagnostics at all.
#[track_caller]
pub fn assert_clean(diags: &[Value]) {
    assert!(
        diags.is_empty(),
        "expected no diagnostics, got:\n{}",
        show(diags)
    );
}

/// Assert the diagnostics are exactly these (level, code, file, line, column),
/// in any order.
#[track_caller]
pub fn assert_exactly(diags: &[Value], expected: &[(&str, &str, &str, u32, u32)]) {
    let mut got: Vec<(String, String, String, u64, u64)> = diags
        .iter()
        .map(|d| {
            (
                d["level"].as_str().unwrap_or("").to_string(),
                d["code"].as_str().unwrap_or("").to_string(),
                d["file"].as_str().unwrap_or("").to_string(),
                d["line"].as_u64().unwrap_or(0),
                d["column"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let mut want: Vec<(String, String, String, u64, u64)> = expected
        .iter()
        .map(|(l, c, f, line, col)| {
            (
                l.to_string(),
                c.to_string(),
                f.to_string(),
                u64::from(*line),
                u64::from(*col),
            )
        })
        .collect();
    got.sort();
    want.sort();
    if got != want {
        let missing: Vec<_> = want.iter().filter(|w| !got.contains(w)).collect();
        let extra: Vec<_> = got.iter().filter(|g| !want.contains(g)).collect();
        panic!(
            "diagnostics differ\nmissing: {missing:#?}\nunexpected: {extra:#?}\nall:\n{}",
            show(diags)
        );
    }
}

/// The (level, code, file, line, column, message) of each diagnostic, for
/// comparing two runs.
pub fn located(diags: &[Value]) -> Vec<(String, String, String, u64, u64, String)> {
    diags
        .iter()
        .map(|d| {
            (
                d["level"].as_str().unwrap_or("").to_string(),
                d["code"].as_str().unwrap_or("").to_string(),
                d["file"].as_str().unwrap_or("").to_string(),
                d["line"].as_u64().unwrap_or(0),
                d["column"].as_u64().unwrap_or(0),
                d["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Positions in a text
// ---------------------------------------------------------------------------

/// 1-based (line, column in characters) of the first occurrence of `needle`.
#[track_caller]
pub fn pos(text: &str, needle: &str) -> (u32, u32) {
    pos_nth(text, needle, 0)
}

/// 1-based (line, column) of the `n`-th (0-based) occurrence of `needle`.
#[track_caller]
pub fn pos_nth(text: &str, needle: &str, n: usize) -> (u32, u32) {
    let (offset, _) = text
        .match_indices(needle)
        .nth(n)
        .unwrap_or_else(|| panic!("`{needle}` (#{n}) not in:\n{text}"));
    let before = &text[..offset];
    let line = before.matches('\n').count() as u32 + 1;
    let column = before.rsplit('\n').next().unwrap().chars().count() as u32 + 1;
    (line, column)
}

/// The 1-based line of the first line equal to `line` (ignoring trailing space).
#[track_caller]
pub fn line_of(text: &str, line: &str) -> u32 {
    text.lines()
        .position(|l| l.trim_end() == line)
        .unwrap_or_else(|| panic!("no line `{line}` in:\n{text}")) as u32
        + 1
}

// ---------------------------------------------------------------------------
// A valid runbook, one change at a time
// ---------------------------------------------------------------------------

/// The six sections every runbook needs, in order.
pub const SECTIONS: [&str; 6] = [
    "Symptom",
    "Impact",
    "Diagnosis Steps",
    "Resolution Steps",
    "Rollback",
    "Prevention",
];

/// A runbook that checks clean by default; each method changes one thing.
///
/// Rendered layout (front matter fields in insertion order):
///
/// ```text
/// ---
/// title: Disk Full
/// severity: P2
/// owner: team-sre
/// last_updated: 2026-11-02
/// ---
///
/// # Runbook: Disk Full
///
/// ## Symptom
///
/// What the on-call engineer sees for symptom.
///
/// ...
/// ```
#[derive(Debug, Clone)]
pub struct Runbook {
    title: String,
    /// Front matter lines as (key, raw YAML value); `None` means no front matter.
    fields: Option<Vec<(String, String)>>,
    /// Lines between the `# ` heading and the first section.
    preamble: Vec<String>,
    sections: Vec<(String, String)>,
    /// Text appended after the last section.
    tail: String,
    h1: Option<String>,
}

impl Runbook {
    pub fn new(title: &str) -> Runbook {
        Runbook {
            title: title.to_string(),
            fields: Some(vec![
                ("title".into(), title.into()),
                ("severity".into(), "P2".into()),
                ("owner".into(), "team-sre".into()),
                ("last_updated".into(), "2026-11-02".into()),
            ]),
            preamble: Vec::new(),
            sections: SECTIONS
                .iter()
                .map(|s| {
                    (
                        s.to_string(),
                        format!("What the on-call engineer sees for {}.", s.to_lowercase()),
                    )
                })
                .collect(),
            tail: String::new(),
            h1: Some(format!("Runbook: {title}")),
        }
    }

    /// Set (or add) a front-matter field, its value written as raw YAML.
    pub fn field(mut self, key: &str, yaml: &str) -> Runbook {
        let fields = self.fields.get_or_insert_with(Vec::new);
        match fields.iter_mut().find(|(k, _)| k == key) {
            Some(entry) => entry.1 = yaml.to_string(),
            None => fields.push((key.to_string(), yaml.to_string())),
        }
        self
    }

    /// Remove a front-matter field.
    pub fn without_field(mut self, key: &str) -> Runbook {
        if let Some(fields) = self.fields.as_mut() {
            fields.retain(|(k, _)| k != key);
        }
        self
    }

    /// No front matter at all.
    pub fn without_front_matter(mut self) -> Runbook {
        self.fields = None;
        self
    }

    /// Replace the `# ` heading text (`None`: no level-1 heading).
    pub fn h1(mut self, text: Option<&str>) -> Runbook {
        self.h1 = text.map(str::to_string);
        self
    }

    /// A line between the `# ` heading and the first section.
    pub fn preamble(mut self, line: &str) -> Runbook {
        self.preamble.push(line.to_string());
        self
    }

    /// Replace a section's body (the text after its heading).
    pub fn section(mut self, name: &str, body: &str) -> Runbook {
        match self.sections.iter_mut().find(|(n, _)| n == name) {
            Some(entry) => entry.1 = body.to_string(),
            None => self.sections.push((name.to_string(), body.to_string())),
        }
        self
    }

    /// Remove a section.
    pub fn without_section(mut self, name: &str) -> Runbook {
        self.sections.retain(|(n, _)| n != name);
        self
    }

    /// Rename a section's heading (e.g. to `Diagnosis Steps:`).
    pub fn rename_section(mut self, name: &str, heading: &str) -> Runbook {
        if let Some(entry) = self.sections.iter_mut().find(|(n, _)| n == name) {
            entry.0 = heading.to_string();
        }
        self
    }

    /// Text appended at the end.
    pub fn tail(mut self, text: &str) -> Runbook {
        self.tail.push_str(text);
        self
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Some(fields) = &self.fields {
            out.push_str("---\n");
            for (k, v) in fields {
                out.push_str(&format!("{k}: {v}\n"));
            }
            out.push_str("---\n\n");
        }
        if let Some(h1) = &self.h1 {
            out.push_str(&format!("# {h1}\n\n"));
        }
        for line in &self.preamble {
            out.push_str(line);
            out.push('\n');
        }
        if !self.preamble.is_empty() {
            out.push('\n');
        }
        for (name, body) in &self.sections {
            out.push_str(&format!("## {name}\n\n"));
            if !body.is_empty() {
                out.push_str(body);
                out.push_str("\n\n");
            }
        }
        out.push_str(&self.tail);
        out
    }
}

impl std::fmt::Display for Runbook {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(&self.render())
    }
}

/// A runbook written to the plain template: no front matter, the fields as
/// `## Severity:` / `## Last Updated:` / `## Owner:` headings, sections as `###`.
pub fn plain_template_runbook(title: &str, severity: &str, updated: &str, owner: &str) -> String {
    let mut out = format!(
        "# Runbook: {title}\n\n## Severity: {severity}\n## Last Updated: {updated}\n## Owner: {owner}\n\n"
    );
    for s in SECTIONS {
        out.push_str(&format!(
            "### {s}\n\nWhat to do about {}.\n\n",
            s.to_lowercase()
        ));
    }
    out
}

// ---------------------------------------------------------------------------
// Output folders
// ---------------------------------------------------------------------------

/// Every file under `dir`, relative and `/`-separated, sorted.
pub fn list_files(dir: &Path) -> Vec<String> {
    snapshot(dir).into_keys().collect()
}

/// Every file under `dir` with its bytes.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    if !dir.exists() {
        return files;
    }
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            files.insert(rel, fs::read(entry.path()).unwrap());
        }
    }
    files
}

/// The values of every `attr="..."` in an HTML text, in order.
pub fn attr_values(html: &str, attr: &str) -> Vec<String> {
    let pattern = format!(" {attr}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&pattern) {
        let after = &rest[i + pattern.len()..];
        let end = after.find('"').expect("unterminated attribute");
        out.push(after[..end].to_string());
        rest = &after[end..];
    }
    out
}

/// Undo the HTML escapes that may appear in an attribute value.
pub fn unescape_attr(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&#x2F;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Count non-overlapping occurrences.
pub fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

// ---------------------------------------------------------------------------
// XML well-formedness (for the JUnit report), without an XML crate
// ---------------------------------------------------------------------------

/// Check that `xml` is a well-formed XML document: one root element, tags
/// balanced and properly nested, attributes quoted and unique, only the
/// predefined or numeric entities. Returns the root element's name.
pub fn check_xml(xml: &str) -> Result<String, String> {
    let mut rest = xml;
    if let Some(after) = rest.strip_prefix("<?xml") {
        let end = after.find("?>").ok_or("unterminated XML declaration")?;
        rest = &after[end + 2..];
    }
    let mut stack: Vec<String> = Vec::new();
    let mut root: Option<String> = None;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("<!--") {
            let end = after.find("-->").ok_or("unterminated comment")?;
            rest = &after[end + 3..];
        } else if let Some(after) = rest.strip_prefix("<![CDATA[") {
            if stack.is_empty() {
                return Err("CDATA outside the root element".into());
            }
            let end = after.find("]]>").ok_or("unterminated CDATA")?;
            rest = &after[end + 3..];
        } else if let Some(after) = rest.strip_prefix("</") {
            let end = after.find('>').ok_or("unterminated end tag")?;
            let name = after[..end].trim();
            match stack.pop() {
                Some(open) if open == name => {}
                other => return Err(format!("end tag </{name}> closes {other:?}")),
            }
            rest = &after[end + 1..];
        } else if let Some(after) = rest.strip_prefix('<') {
            let end = find_tag_end(after).ok_or("unterminated start tag")?;
            let inner = &after[..end];
            let (inner, empty) = match inner.strip_suffix('/') {
                Some(i) => (i, true),
                None => (inner, false),
            };
            let name_end = inner
                .find(|c: char| c.is_whitespace())
                .unwrap_or(inner.len());
            let name = &inner[..name_end];
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_alphanumeric() || "-_:.".contains(c))
            {
                return Err(format!("bad element name `{name}`"));
            }
            check_attributes(&inner[name_end..])?;
            if stack.is_empty() {
                if root.is_some() {
                    return Err(format!("second root element <{name}>"));
                }
                root = Some(name.to_string());
            }
            if !empty {
                stack.push(name.to_string());
            }
            rest = &after[end + 1..];
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            let text = &rest[..end];
            if stack.is_empty() && !text.trim().is_empty() {
                return Err(format!("text outside the root element: {text:?}"));
            }
            check_text(text)?;
            rest = &rest[end..];
        }
    }
    if !stack.is_empty() {
        return Err(format!("unclosed elements: {stack:?}"));
    }
    root.ok_or_else(|| "no root element".to_string())
}

fn find_tag_end(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i),
            (None, '<') => return None,
            _ => {}
        }
    }
    None
}

fn check_attributes(mut s: &str) -> Result<(), String> {
    let mut seen = Vec::new();
    loop {
        s = s.trim_start();
        if s.is_empty() {
            return Ok(());
        }
        let eq = s.find('=').ok_or(format!("attribute without value: {s}"))?;
        let name = s[..eq].trim();
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(format!("bad attribute name `{name}`"));
        }
        if seen.contains(&name.to_string()) {
            return Err(format!("duplicate attribute `{name}`"));
        }
        seen.push(name.to_string());
        let after = s[eq + 1..].trim_start();
        let quote = after
            .chars()
            .next()
            .filter(|c| *c == '"' || *c == '\'')
            .ok_or(format!("unquoted attribute `{name}`"))?;
        let body = &after[1..];
        let end = body
            .find(quote)
            .ok_or(format!("unterminated attribute `{name}`"))?;
        let value = &body[..end];
        if value.contains('<') {
            return Err(format!("`<` in attribute `{name}`"));
        }
        check_text(value)?;
        s = &body[end + 1..];
    }
}

fn check_text(s: &str) -> Result<(), String> {
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        let after = &rest[i + 1..];
        let end = after.find(';').ok_or("`&` without `;`")?;
        let entity = &after[..end];
        let ok = matches!(entity, "amp" | "lt" | "gt" | "quot" | "apos")
            || entity
                .strip_prefix("#x")
                .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
            || entity
                .strip_prefix('#')
                .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
        if !ok {
            return Err(format!("unknown entity &{entity};"));
        }
        rest = &after[end + 1..];
    }
    if let Some(c) = s
        .chars()
        .find(|c| (*c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r'))
    {
        return Err(format!("control character {:?} in text", c));
    }
    Ok(())
}

/// The value of `attr` on the first element named `element` in `xml`.
pub fn xml_attr(xml: &str, element: &str, attr: &str) -> Option<String> {
    let start = xml.find(&format!("<{element}"))?;
    let tag_end = start + xml[start..].find('>')?;
    let tag = &xml[start..tag_end];
    let key = format!(" {attr}=\"");
    let i = tag.find(&key)? + key.len();
    let len = tag[i..].find('"')?;
    Some(tag[i..i + len].to_string())
}

// ---------------------------------------------------------------------------
// Links in a generated site
// ---------------------------------------------------------------------------

/// Every `href` and `src` of every HTML file under `out` that is not an
/// external URL must be relative, lead to a file that exists, and, with a
/// `#fragment`, to an element with that id. Returns the problems found and
/// how many internal links were checked.
pub fn check_site_links(out: &Path, base_url: Option<&str>) -> (Vec<String>, usize) {
    check_links_from(out, base_url, "")
}

/// Like [`check_site_links`], for the links in the HTML files whose path in
/// the output starts with `prefix` (their targets may be anywhere).
pub fn check_links_from(out: &Path, base_url: Option<&str>, prefix: &str) -> (Vec<String>, usize) {
    let mut problems = Vec::new();
    let mut checked = 0;
    let files = snapshot(out);
    for (rel, bytes) in &files {
        if !rel.ends_with(".html") || !rel.starts_with(prefix) {
            continue;
        }
        let html = String::from_utf8_lossy(bytes);
        let dir = Path::new(rel).parent().unwrap_or(Path::new(""));
        let mut values = attr_values(&html, "href");
        values.extend(attr_values(&html, "src"));
        for raw in values {
            let value = unescape_attr(&raw);
            let lower = value.to_ascii_lowercase();
            if let Some(base) = base_url
                && lower.starts_with(&base.to_ascii_lowercase())
            {
                problems.push(format!("{rel}: absolute link to the site: {value}"));
                continue;
            }
            if lower.starts_with("http://")
                || lower.starts_with("https://")
                || lower.starts_with("mailto:")
            {
                continue;
            }
            checked += 1;
            if value.starts_with('/') {
                problems.push(format!("{rel}: root-relative link: {value}"));
                continue;
            }
            if lower.contains(':') && !lower.starts_with('#') {
                problems.push(format!("{rel}: link with a scheme: {value}"));
                continue;
            }
            let (path, fragment) = match value.split_once('#') {
                Some((p, f)) => (p, f),
                None => (value.as_str(), ""),
            };
            let path = path.split('?').next().unwrap_or("");
            let target = if path.is_empty() {
                Some(rel.clone())
            } else {
                join_relative(dir, path)
            };
            let Some(target) = target else {
                problems.push(format!("{rel}: link climbs out of the site: {value}"));
                continue;
            };
            let Some(target_bytes) = files.get(&target) else {
                problems.push(format!("{rel}: link to a missing file: {value} ({target})"));
                continue;
            };
            // A fragment holding `=` is state for the page's script
            // (`#t=tree&p=0`), not an element id.
            if !fragment.is_empty() && !fragment.contains('=') && target.ends_with(".html") {
                let target_html = String::from_utf8_lossy(target_bytes);
                // `#t=<tree>&p=...` is a triage walk-through's state, not an
                // id: the page must hold that tree.
                if let Some(state) = fragment.strip_prefix("t=") {
                    let tree = state.split('&').next().unwrap_or("");
                    if !target_html.contains(&format!("data-tree=\"{tree}\"")) {
                        problems.push(format!(
                            "{rel}: no triage tree `{tree}` in {target}: {value}"
                        ));
                    }
                } else if !target_html.contains(&format!("id=\"{fragment}\"")) {
                    problems.push(format!("{rel}: no id=\"{fragment}\" in {target}: {value}"));
                }
            }
        }
    }
    (problems, checked)
}

/// `dir/path` with `.` and `..` resolved, `/`-separated; `None` if it climbs
/// above the output root.
pub fn join_relative(dir: &Path, path: &str) -> Option<String> {
    let mut parts: Vec<String> = dir
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p.to_string()),
        }
    }
    Some(parts.join("/"))
}

/// Assert every internal link of a generated site resolves (see
/// [`check_site_links`]); returns how many were checked.
#[track_caller]
pub fn assert_site_links_resolve(out: &Path, base_url: Option<&str>) -> usize {
    let (problems, checked) = check_site_links(out, base_url);
    assert!(
        problems.is_empty(),
        "{} broken links in {}:\n{}",
        problems.len(),
        out.display(),
        problems.join("\n")
    );
    checked
}

/// Assert the links in the HTML files under `prefix` resolve; returns how
/// many were checked.
#[track_caller]
pub fn assert_links_from_resolve(out: &Path, base_url: Option<&str>, prefix: &str) -> usize {
    let (problems, checked) = check_links_from(out, base_url, prefix);
    assert!(
        problems.is_empty(),
        "{} broken links under {prefix} in {}:\n{}",
        problems.len(),
        out.display(),
        problems.join("\n")
    );
    checked
}

/// No `href`, `src` or `xlink:href` of any HTML file under `out_dir` starts
/// with a URL that runs code (ignoring case and the whitespace and control
/// characters browsers skip); of `data:` URLs only PNG images may appear.
#[track_caller]
pub fn assert_no_script_urls(out_dir: &Path) {
    for (rel, bytes) in snapshot(out_dir) {
        if !rel.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8_lossy(&bytes);
        for value in attr_values(&html, "href")
            .into_iter()
            .chain(attr_values(&html, "src"))
            .chain(attr_values(&html, "xlink:href"))
        {
            let cleaned: String = unescape_attr(&value)
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            let refused = cleaned.starts_with("javascript:")
                || cleaned.starts_with("vbscript:")
                || (cleaned.starts_with("data:") && !cleaned.starts_with("data:image/png"));
            assert!(!refused, "{rel}: a script URL emitted: {value}");
        }
    }
}
