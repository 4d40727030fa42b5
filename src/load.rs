//! Load: walk `content/`, read every file, classify it.
//!
//! Nothing here interprets a file's contents beyond decoding it; the parse
//! stage does that. Problems a user can cause (bad encoding, a symlink out of
//! the root, a loop) are diagnostics; only a missing root is an I/O error.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use walkdir::WalkDir;

use crate::alarms::sources::AlarmSources;
use crate::config::{CONFIG_FILE, Config};
use crate::diag::{Code, Diagnostic, Span};
use crate::source::{SourceFile, decode, looks_like_utf16};

pub const CONTENT_DIR: &str = "content";

/// The largest text file (Markdown, alarm or tree YAML, config) opswiki
/// reads: 16 MiB. A runbook is a few kilobytes and a Prometheus rule file of
/// 50,000 alerts about 8 MiB; past this size a file is a mistake (a pasted
/// log, a generated dump), and reading it would cost time and memory out of
/// all proportion (a build holds about 25 times a page's size while
/// rendering and indexing it: a 100 MB page took 75 s and 2.8 GB). Such a
/// file is a `file-too-large` error, found from its size before a byte of it
/// is read. Assets are copied, never held in memory, and have no limit.
pub const MAX_TEXT_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// What a file under `content/` is, by its place and extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Markdown,
    Alarms,
    Tree,
    /// Anything else (images, attachments): copied to the output unchanged.
    Asset,
}

/// Everything read from disk, ready to parse.
#[derive(Debug, Default)]
pub struct Loaded {
    pub root: PathBuf,
    pub config: Config,
    pub config_source: Option<SourceFile>,
    pub markdown: Vec<SourceFile>,
    pub alarm_files: Vec<SourceFile>,
    pub tree_files: Vec<SourceFile>,
    /// (path relative to content/, absolute path)
    pub assets: Vec<(String, PathBuf)>,
    /// Site templates that override the built-in ones, by file name.
    pub templates: HashMap<String, String>,
    /// Site static files, relative path → absolute path.
    pub static_files: Vec<(String, PathBuf)>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Files editors and OSes leave behind, never content.
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name == "4913"
        || name == "Thumbs.db"
}

/// With the content folder at the root, what belongs to the site rather
/// than its pages: the output, templates, static files, the config and the
/// baseline.
fn is_site_file(rel: &str) -> bool {
    let top = rel.split('/').next().unwrap_or("");
    matches!(
        top,
        "site" | "templates" | "static" | "node_modules" | "target"
    ) && rel.contains('/')
        || rel == CONFIG_FILE
        || rel == crate::config::DEFAULT_BASELINE
}

/// A Hugo site inside the content folder (a repository's `website/` beside
/// its runbooks) keeps the templates of new pages in `archetypes/`: Markdown
/// with `{{ .Name }}` in its front matter, which Hugo never publishes. They
/// are no pages here either.
fn drop_hugo_templates(paths: &mut Vec<(String, PathBuf)>) {
    const HUGO_CONFIGS: [&str; 4] = ["hugo.toml", "hugo.yaml", "hugo.json", "config.toml"];
    let hugo_sites: Vec<String> = paths
        .iter()
        .filter_map(|(rel, _)| {
            let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
            HUGO_CONFIGS.contains(&name).then(|| {
                if dir.is_empty() {
                    "archetypes/".to_string()
                } else {
                    format!("{dir}/archetypes/")
                }
            })
        })
        .collect();
    if !hugo_sites.is_empty() {
        paths.retain(|(rel, _)| !hugo_sites.iter().any(|a| rel.starts_with(a.as_str())));
    }
}

/// What a file under `content/` is, with the default alarm sources.
pub fn classify(content_path: &str) -> FileKind {
    classify_in(&AlarmSources::default(), content_path)
}

/// What a file under `content/` is, with the site's `alarms.sources`.
pub fn classify_in(alarm_sources: &AlarmSources, content_path: &str) -> FileKind {
    let lower = content_path.to_ascii_lowercase();
    let top = lower.split('/').next().unwrap_or("");
    let is_yaml = lower.ends_with(".yaml") || lower.ends_with(".yml");
    if lower.ends_with(".md") || lower.ends_with(".markdown") {
        FileKind::Markdown
    } else if alarm_sources.holds_content_file(content_path) {
        FileKind::Alarms
    } else if is_yaml && top == "trees" && lower.contains('/') {
        FileKind::Tree
    } else {
        FileKind::Asset
    }
}

/// Read a site. `Err` only when the site cannot be read at all.
pub fn load(root: &Path) -> Result<Loaded> {
    if !root.is_dir() {
        bail!("site root `{}` is not a folder", root.display());
    }
    let root = root
        .canonicalize()
        .with_context(|| format!("cannot resolve site root `{}`", root.display()))?;
    let mut loaded = Loaded {
        root: root.clone(),
        ..Loaded::default()
    };

    let config_path = root.join(CONFIG_FILE);
    if config_path.is_file() {
        match read_source(&config_path, CONFIG_FILE.into(), CONFIG_FILE.into()) {
            Ok(file) => {
                let (config, diags) = Config::parse(&file);
                loaded.config = config;
                loaded.diagnostics.extend(diags);
                loaded.config_source = Some(file);
            }
            Err(d) => loaded.diagnostics.push(d),
        }
    }

    let content = root.join(&loaded.config.content_dir);
    if !content.is_dir() {
        bail!(
            "no `{}` folder in `{}` (run `opswiki init` to make a new site, or set `content:` in {CONFIG_FILE})",
            loaded.config.content_label(),
            root.display()
        );
    }
    let (mut paths, walk_diags) = walk(&root, &content);
    if loaded.config.content_dir.is_empty() {
        // Pages at the repository's top (`content: .`): the site's own
        // folders and files are not pages.
        paths.retain(|(rel, _)| !is_site_file(rel));
    }
    drop_hugo_templates(&mut paths);
    loaded.diagnostics.extend(walk_diags);
    let alarm_sources = AlarmSources::new(&loaded.config.alarms, &loaded.config.content_dir);
    let (outside, outside_diags) = alarm_sources.find_outside(&root);
    loaded.diagnostics.extend(outside_diags);
    pause_for_tests();

    // Reading and decoding is I/O-bound and embarrassingly parallel.
    // Assets are copied, never read as text.
    type Read = (
        FileKind,
        Option<Result<SourceFile, Diagnostic>>,
        String,
        PathBuf,
    );
    let config = &loaded.config;
    let read: Vec<Read> = paths
        .into_par_iter()
        .map(|(content_path, abs)| {
            let kind = classify_in(&alarm_sources, &content_path);
            let display = config.display_path(&content_path);
            let result =
                (kind != FileKind::Asset).then(|| read_source(&abs, display, content_path.clone()));
            (kind, result, content_path, abs)
        })
        .collect();
    for (kind, result, content_path, abs) in read {
        match (kind, result) {
            (_, None) => loaded.assets.push((content_path, abs)),
            (_, Some(Err(d))) => loaded.diagnostics.push(d),
            (FileKind::Alarms, Some(Ok(f))) => loaded.alarm_files.push(f),
            (FileKind::Tree, Some(Ok(f))) => loaded.tree_files.push(f),
            (_, Some(Ok(f))) => loaded.markdown.push(f),
        }
    }

    // Alarm files outside `content/` are named by their path from the root
    // (`../monitoring/rules/api.yml`), which also stands as their
    // `content_path`: links in them are read from the content root anyway.
    let outside: Vec<Result<SourceFile, Diagnostic>> = outside
        .into_par_iter()
        .map(|f| read_source(&f.path, f.display.clone(), f.display))
        .collect();
    for result in outside {
        match result {
            Ok(f) => loaded.alarm_files.push(f),
            Err(d) => loaded.diagnostics.push(d),
        }
    }
    if let Some(globs) = &loaded.config.alarms.sources {
        let paths: Vec<&str> = loaded
            .alarm_files
            .iter()
            .map(|f| f.display_path.as_str())
            .collect();
        for i in alarm_sources.unmatched(&paths) {
            let (glob, span) = &globs[i];
            loaded.diagnostics.push(
                Diagnostic::new(
                    Code::AlarmSourceUnmatched,
                    span.clone(),
                    format!("the alarm source `{glob}` matches no alarm file"),
                )
                .with_help("globs are relative to the site root (`../monitoring/rules/**/*.yml`); alarm files end in .yaml, .yml, .json, .tf or .hcl"),
            );
        }
    }

    loaded.templates = read_overrides(&root.join("templates"))?;
    let (statics, static_diags) = walk(&root, &root.join("static"));
    loaded.diagnostics.extend(static_diags);
    loaded.static_files = statics;
    Ok(loaded)
}

/// A test hook: files can vanish or change between the walk and the read (an
/// editor saving, a `git checkout` during a build). To test that
/// deterministically, `OPSWIKI_TEST_PAUSE_AFTER_WALK=FILE` makes the build
/// create FILE after the walk and wait (30 s at most) until the test has
/// made its change and removed FILE. Unset, it costs one lookup.
fn pause_for_tests() {
    let Some(marker) = std::env::var_os("OPSWIKI_TEST_PAUSE_AFTER_WALK") else {
        return;
    };
    let marker = PathBuf::from(marker);
    if fs::write(&marker, b"").is_err() {
        return;
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while marker.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// Walk `dir` (if it exists): files as (path relative to `dir`, absolute path),
/// sorted. Symlinks are followed only while they stay inside `root`.
pub(crate) fn walk(root: &Path, dir: &Path) -> (Vec<(String, PathBuf)>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut diags = Vec::new();
    if !dir.is_dir() {
        return (files, diags);
    }
    let display = |p: &Path| {
        p.strip_prefix(root)
            .unwrap_or(p)
            .to_string_lossy()
            .replace('\\', "/")
    };
    let mut walker = WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored_name(&e.file_name().to_string_lossy()));
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                let path = err.path().map(display).unwrap_or_default();
                // A symlink to itself (or a chain of them) is a loop too, though
                // walkdir sees only the OS's "too many levels of symbolic links".
                let eloop = err
                    .io_error()
                    .and_then(std::io::Error::raw_os_error)
                    .is_some_and(|e| e == libc::ELOOP);
                let (code, message) = if err.loop_ancestor().is_some() || eloop {
                    (
                        Code::SymlinkLoop,
                        format!("symlink loop at `{path}`: skipped"),
                    )
                } else {
                    (
                        Code::FileSkipped,
                        format!("cannot read `{path}`: {err}: skipped"),
                    )
                };
                diags.push(Diagnostic::new(code, Span::new(path, 1, 1), message));
                continue;
            }
        };
        if entry.path_is_symlink() {
            let inside = entry
                .path()
                .canonicalize()
                .map(|target| target.starts_with(root))
                .unwrap_or(false);
            if !inside {
                let path = display(entry.path());
                diags.push(
                    Diagnostic::new(
                        Code::SymlinkOutsideRoot,
                        Span::new(path.clone(), 1, 1),
                        format!("`{path}` is a symlink leading outside the site: skipped"),
                    )
                    .with_help("opswiki never reads files outside the site root"),
                );
                if entry.file_type().is_dir() {
                    // Do not descend into a folder outside the root.
                    walker.skip_current_dir();
                }
                continue;
            }
        }
        if entry.file_type().is_dir() {
            continue;
        }
        if !entry.file_type().is_file() {
            // A FIFO, socket or device: reading a FIFO would wait forever for
            // a writer, so it is never opened.
            let path = display(entry.path());
            diags.push(Diagnostic::new(
                Code::FileSkipped,
                Span::new(path.clone(), 1, 1),
                format!("`{path}` is not a regular file (a FIFO, socket or device): skipped"),
            ));
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        files.push((rel, entry.path().to_path_buf()));
    }
    // A symlinked folder inside the root may reach the same file twice.
    files.dedup_by(|a, b| a.0 == b.0);
    (files, diags)
}

/// Read one text file; bad bytes or I/O errors become a diagnostic.
pub fn read_source(
    path: &Path,
    display: String,
    content_path: String,
) -> Result<SourceFile, Diagnostic> {
    let bytes = read_bounded(path, MAX_TEXT_FILE_BYTES).map_err(|err| match err {
        ReadError::TooLarge(size) => Diagnostic::new(
            Code::FileTooLarge,
            Span::new(display.clone(), 1, 1),
            format!(
                "`{display}` is {:.1} MiB, over the limit of {} MiB for a text file",
                size as f64 / (1024.0 * 1024.0),
                MAX_TEXT_FILE_BYTES / (1024 * 1024)
            ),
        )
        .with_help("split it into several pages, or attach it as a file with another extension (copied unchanged)"),
        ReadError::NotRegular => Diagnostic::new(
            Code::FileUnreadable,
            Span::new(display.clone(), 1, 1),
            format!("cannot read `{display}`: no longer a regular file"),
        ),
        ReadError::Io(err) => Diagnostic::new(
            Code::FileUnreadable,
            Span::new(display.clone(), 1, 1),
            format!("cannot read `{display}`: {err}"),
        ),
    })?;
    if looks_like_utf16(&bytes) {
        return Err(Diagnostic::new(
            Code::FileNotUtf8,
            Span::new(display.clone(), 1, 1),
            format!("`{display}` is UTF-16, not UTF-8"),
        )
        .with_help(
            "save the file as UTF-8 (opswiki reads UTF-8 with or without a byte-order mark)",
        ));
    }
    match decode(bytes) {
        Ok(mut text) => {
            // CommonMark replaces U+0000 with U+FFFD "for security reasons";
            // pulldown-cmark leaves it, and a NUL in HTML is a parse error
            // browsers each recover from in their own way. Replaced here, so
            // the title, the search index and the page all agree (columns
            // do not move: one character for one). YAML files keep theirs,
            // and get YAML's own located error.
            if text.contains('\0') && classify(&content_path) == FileKind::Markdown {
                text = text.replace('\0', "\u{FFFD}");
            }
            Ok(SourceFile::new(display, content_path, text))
        }
        Err((line, column)) => Err(Diagnostic::new(
            Code::FileNotUtf8,
            Span::new(display.clone(), line, column),
            format!("`{display}` is not valid UTF-8"),
        )
        .with_help(
            "save the file as UTF-8 (opswiki reads UTF-8 with or without a byte-order mark)",
        )),
    }
}

enum ReadError {
    TooLarge(u64),
    NotRegular,
    Io(std::io::Error),
}

/// Read a whole regular file of at most `limit` bytes.
///
/// The walk saw a regular file, but it may have changed since (an editor
/// saving, a `git checkout`): it is opened without blocking (a FIFO put in
/// its place would otherwise block `open` until a writer comes), checked to
/// still be a regular file, and read no further than `limit + 1` bytes, so a
/// file that grows meanwhile cannot exhaust memory either.
fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(ReadError::Io)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular);
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

/// The site's templates (`templates/*`), by file name.
pub(crate) fn read_overrides(dir: &Path) -> Result<HashMap<String, String>> {
    let mut out = HashMap::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    for entry in fs::read_dir(dir).with_context(|| format!("cannot list `{}`", dir.display()))? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().to_string();
        if is_ignored_name(&name) || !entry.file_type()?.is_file() {
            continue;
        }
        let text = fs::read_to_string(entry.path())
            .with_context(|| format!("cannot read template `{}`", entry.path().display()))?;
        out.insert(name, text);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_by_folder_and_extension() {
        assert_eq!(classify("runbooks/a.md"), FileKind::Markdown);
        assert_eq!(classify("alarms/x.yaml"), FileKind::Alarms);
        assert_eq!(classify("alarms/deep/x.yml"), FileKind::Alarms);
        assert_eq!(classify("trees/t.yaml"), FileKind::Tree);
        assert_eq!(classify("other.yaml"), FileKind::Asset);
        assert_eq!(classify("img/a.png"), FileKind::Asset);
    }

    #[test]
    fn editor_leftovers_are_ignored() {
        for name in [".#a.md", "a.md~", ".a.md.swp", "4913", ".hidden.md"] {
            assert!(is_ignored_name(name), "{name}");
        }
        assert!(!is_ignored_name("a.md"));
    }
}
