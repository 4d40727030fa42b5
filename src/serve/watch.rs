//! Watch: file events from `content/`, `templates/`, `static/` and
//! `opswiki.yaml`, debounced and classified.
//!
//! Editors save in many ways (write in place, write a temp file then rename
//! it over the original, keep swap files, save several files at once); the
//! debouncer folds a burst into one batch, and [`classify`] drops what is
//! never content (editor leftovers, the output folder). Whether a path was
//! edited, added or removed is decided later, against the loaded site.

use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

use anyhow::{Context, Result};
use notify::{Event, EventHandler, EventKind, RecommendedWatcher, RecursiveMode, WatcherKind};
use notify_debouncer_mini::{Config, DebounceEventResult, Debouncer, new_debouncer_opt};

use crate::config::CONFIG_FILE;
use crate::load::{CONTENT_DIR, is_ignored_name};

/// Quiet time that ends a burst of events.
pub const DEBOUNCE: Duration = Duration::from_millis(50);

pub const TEMPLATES_DIR: &str = "templates";
pub const STATIC_DIR: &str = "static";

/// What a file event is about, by where the file lives.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChangeKind {
    /// A file or folder under `content/`, by its path relative to it
    /// (`runbooks/db.md`); empty for the `content/` folder itself.
    Content(String),
    /// Anything under `templates/`, or the folder itself.
    Template,
    /// A file under `static/`, relative to it; empty for the folder itself.
    Static(String),
    /// `opswiki.yaml`.
    Config,
    /// `HEAD` or a branch of the repository the site is in (a commit, a
    /// checkout): the pages' last changes may have moved.
    Repository,
    /// A file in a folder of `alarms.sources` outside `content/`, by its
    /// path from the root as the glob writes it (`../monitoring/rules/a.yml`).
    AlarmSource(String),
}

/// A batch from the watcher thread.
#[derive(Debug)]
pub enum Batch {
    Paths(Vec<PathBuf>),
    /// The watcher lost events (its queue overflowed, a backend error):
    /// nothing short of reading everything again is safe.
    Rescan(String),
}

/// Classify one changed path; `None` for what never matters.
///
/// `content_dir` is the config's content folder. For the usual `content/`
/// a change names its file, for an incremental rebuild; for another folder
/// (`content: .`, a repository's own layout) any change in it reads the
/// site again, which is always right if slower.
pub fn classify(root: &Path, output: &Path, content_dir: &str, path: &Path) -> Option<ChangeKind> {
    classify_with(root, output, content_dir, &[], path)
}

/// [`classify`], with the alarm folders outside `content/` that are watched:
/// (the folder on disk, its path from the root as written).
pub fn classify_with(
    root: &Path,
    output: &Path,
    content_dir: &str,
    alarm_folders: &[(PathBuf, String)],
    path: &Path,
) -> Option<ChangeKind> {
    if path.starts_with(output) {
        return None;
    }
    for (folder, display) in alarm_folders {
        if let Ok(rel) = path.strip_prefix(folder) {
            let mut parts = Vec::new();
            for component in rel.components() {
                let Component::Normal(name) = component else {
                    return None;
                };
                let name = name.to_string_lossy();
                if is_ignored_name(&name) {
                    return None;
                }
                parts.push(name.into_owned());
            }
            let rel = parts.join("/");
            let shown = match (display.is_empty(), rel.is_empty()) {
                (true, _) => rel,
                (false, true) => display.clone(),
                (false, false) => format!("{display}/{rel}"),
            };
            // A folder inside the root (`monitoring/`) is also under it:
            // only what is not content, templates or static is an alarm
            // source.
            if !shown.starts_with("../")
                && !shown.starts_with('/')
                && let Some(kind) = classify_in_root(root, content_dir, path)
            {
                return Some(kind);
            }
            return Some(ChangeKind::AlarmSource(shown));
        }
    }
    classify_in_root(root, content_dir, path)
}

fn classify_in_root(root: &Path, content_dir: &str, path: &Path) -> Option<ChangeKind> {
    let rel = path.strip_prefix(root).ok()?;
    let mut parts = Vec::new();
    for component in rel.components() {
        match component {
            Component::Normal(name) => {
                let name = name.to_string_lossy();
                if is_ignored_name(&name) {
                    return None;
                }
                parts.push(name.into_owned());
            }
            _ => return None,
        }
    }
    let (top, rest) = parts.split_first()?;
    let rest = rest.join("/");
    match top.as_str() {
        CONFIG_FILE if rest.is_empty() => Some(ChangeKind::Config),
        CONTENT_DIR if content_dir == CONTENT_DIR => Some(ChangeKind::Content(rest)),
        TEMPLATES_DIR => Some(ChangeKind::Template),
        STATIC_DIR => Some(ChangeKind::Static(rest)),
        // Component by component: `docs` holds `docs/a.md`, not `docs2/`;
        // the empty folder (`content: .`) holds everything.
        _ if content_dir != CONTENT_DIR && rel.starts_with(content_dir) => {
            Some(ChangeKind::Content(String::new()))
        }
        _ => None,
    }
}

/// The platform's watcher without access events: on Linux, inotify also
/// reports every file opened, and the rebuild opens the files it reads. The
/// debouncer forgets what kind an event was, so they are dropped before it.
pub struct WriteWatcher(RecommendedWatcher);

impl notify::Watcher for WriteWatcher {
    fn new<F: EventHandler>(mut handler: F, config: notify::Config) -> notify::Result<Self> {
        let inner = RecommendedWatcher::new(
            move |event: notify::Result<Event>| {
                if !matches!(&event, Ok(e) if matches!(e.kind, EventKind::Access(_))) {
                    handler.handle_event(event);
                }
            },
            config,
        )?;
        Ok(WriteWatcher(inner))
    }

    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        self.0.watch(path, mode)
    }

    fn unwatch(&mut self, path: &Path) -> notify::Result<()> {
        self.0.unwatch(path)
    }

    fn kind() -> WatcherKind {
        RecommendedWatcher::kind()
    }
}

/// The file watcher. Dropping it stops watching.
pub struct Watcher {
    debouncer: Debouncer<WriteWatcher>,
    root: PathBuf,
    /// The folders watched recursively, and whether each is watched now.
    folders: Vec<(PathBuf, bool)>,
    /// The alarm folders outside `content/` (`alarms.sources`): on disk,
    /// and as written from the root.
    alarm_folders: Vec<(PathBuf, String)>,
    /// The repository's folders watched for `HEAD` moving.
    repository: Vec<PathBuf>,
}

impl Watcher {
    /// Watch the site at `root` (canonical), sending batches to `tx`.
    pub fn start(root: &Path, content_dir: &str, tx: Sender<Batch>) -> Result<Watcher> {
        let handler = move |result: DebounceEventResult| {
            let batch = match result {
                Ok(events) => Batch::Paths(events.into_iter().map(|e| e.path).collect()),
                Err(err) => Batch::Rescan(err.to_string()),
            };
            // The receiver is gone only when the server is stopping.
            let _ = tx.send(batch);
        };
        let config = Config::default().with_timeout(DEBOUNCE);
        let mut debouncer =
            new_debouncer_opt::<_, WriteWatcher>(config, handler).context("cannot watch files")?;
        // The root itself, not recursively: `opswiki.yaml` (editors replace
        // it by renaming, which a watch on the file would not survive) and
        // the site's folders appearing or disappearing.
        debouncer
            .watcher()
            .watch(root, RecursiveMode::NonRecursive)
            .with_context(|| format!("cannot watch `{}`", root.display()))?;
        let folders = [content_dir, TEMPLATES_DIR, STATIC_DIR]
            .iter()
            .map(|name| (root.join(name), false))
            .collect();
        // The git folder, for commits made while serving; a site outside
        // a work tree, or a watch that fails, goes without (a full reload
        // reads the history anyway).
        let mut repository = Vec::new();
        if crate::config::Config::peek(root).git {
            for (path, recursive) in crate::git::watched_paths(root) {
                let mode = if recursive {
                    RecursiveMode::Recursive
                } else {
                    RecursiveMode::NonRecursive
                };
                let path = path.canonicalize().unwrap_or(path);
                if debouncer.watcher().watch(&path, mode).is_ok() {
                    repository.push(path);
                }
            }
        }
        let mut watcher = Watcher {
            debouncer,
            root: root.to_path_buf(),
            folders,
            alarm_folders: Vec::new(),
            repository,
        };
        watcher.refresh(false);
        Ok(watcher)
    }

    /// Watch the site's folders that exist, stop watching those that are
    /// gone. With `again`, watch existing ones anew (a folder deleted and
    /// created again is a new folder to the OS).
    pub fn refresh(&mut self, again: bool) {
        for (folder, watched) in &mut self.folders {
            let exists = folder.is_dir();
            if *watched && (again || !exists) {
                let _ = self.debouncer.watcher().unwatch(folder);
                *watched = false;
            }
            if exists && !*watched {
                *watched = self
                    .debouncer
                    .watcher()
                    .watch(folder, RecursiveMode::Recursive)
                    .is_ok();
            }
        }
    }

    /// Watch the alarm folders outside `content/` that `alarms.sources`
    /// names (paths from the root), instead of those watched before.
    pub fn set_alarm_folders(&mut self, folders: &[String]) {
        let wanted: Vec<(PathBuf, String)> = folders
            .iter()
            .map(|f| (self.root.join(f), f.clone()))
            .collect();
        if wanted == self.alarm_folders {
            return;
        }
        for (folder, _) in &self.alarm_folders {
            self.folders.retain(|(f, _)| f != folder);
            let _ = self.debouncer.watcher().unwatch(folder);
        }
        for (folder, _) in &wanted {
            self.folders.push((folder.clone(), false));
        }
        self.alarm_folders = wanted;
        self.refresh(false);
    }

    /// The alarm folders outside `content/`, for [`classify_with`].
    pub fn alarm_folders(&self) -> &[(PathBuf, String)] {
        &self.alarm_folders
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A path of the watched git folder that can move `HEAD`.
    pub fn classify_repository(&self, path: &Path) -> Option<ChangeKind> {
        (self.repository.iter().any(|dir| path.starts_with(dir)) && crate::git::moves_head(path))
            .then_some(ChangeKind::Repository)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_by_folder_and_drops_leftovers() {
        let root = Path::new("/w");
        let out = Path::new("/w/site");
        let c = |p: &str| classify(root, out, CONTENT_DIR, Path::new(p));
        assert_eq!(
            c("/w/content/runbooks/a.md"),
            Some(ChangeKind::Content("runbooks/a.md".into()))
        );
        assert_eq!(c("/w/content"), Some(ChangeKind::Content(String::new())));
        assert_eq!(c("/w/templates/base.html"), Some(ChangeKind::Template));
        assert_eq!(
            c("/w/static/x.css"),
            Some(ChangeKind::Static("x.css".into()))
        );
        assert_eq!(c("/w/opswiki.yaml"), Some(ChangeKind::Config));
        for ignored in [
            "/w/content/runbooks/.a.md.swp",
            "/w/content/runbooks/a.md~",
            "/w/content/runbooks/4913",
            "/w/content/.git/index",
            "/w/site/index.html",
            "/w/.site.tmp/index.html",
            "/w/README.md",
            "/elsewhere/content/a.md",
        ] {
            assert_eq!(c(ignored), None, "{ignored}");
        }
        // Pages at the top of a repository: any change there reads the
        // site again; the output and dot folders still never count.
        let top = |p: &str| classify(root, out, "", Path::new(p));
        assert_eq!(
            top("/w/alerts/etcd/a.md"),
            Some(ChangeKind::Content(String::new()))
        );
        assert_eq!(
            top("/w/README.md"),
            Some(ChangeKind::Content(String::new()))
        );
        assert_eq!(top("/w/site/index.html"), None);
        assert_eq!(top("/w/.git/index"), None);
        assert_eq!(top("/w/templates/base.html"), Some(ChangeKind::Template));
        let docs = |p: &str| classify(root, out, "docs", Path::new(p));
        assert_eq!(
            docs("/w/docs/a.md"),
            Some(ChangeKind::Content(String::new()))
        );
        assert_eq!(docs("/w/src/main.rs"), None);
        assert_eq!(docs("/w/docs2/a.md"), None);
    }
}
