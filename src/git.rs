//! Git: each page's last change (date, author, subject, commit), read from
//! the history of the repository the site is in, in one pass for all pages.
//!
//! The pass walks the commits from `HEAD`, newest first by commit time, and
//! compares each commit's tree with its first parent's. The first commit
//! seen to change a page's path is its last change. Only subtrees that still
//! hold a page without a change are compared, and the walk stops when every
//! page has one, so a history where every page changed recently is read only
//! as far back as needed. A long history is cut into stretches read on all
//! cores (see [`Walk::run`]); the newest stretch with a change wins, so the
//! result is the one walk's. Decisions (see docs/formats.md, "Git"):
//!
//! - A merge is a page's last change only when the page differs from every
//!   parent (a conflict resolved in the merge); otherwise the change came
//!   from a side branch, and the walk reaches the commit that made it, as
//!   `git log -1 -- PATH` does.
//! - Exact renames are followed: a page's path that appears in a commit
//!   with the blob another path loses in that commit continues at that
//!   path, so a page only renamed keeps its last real change. A rename with
//!   edits in the same commit is the page's change (finding it needs a
//!   similarity search on every commit, which `git log --follow` does).
//! - A shallow clone's oldest commit has no parent to compare with, so every
//!   page it holds seems to change there: such changes are `approximate`.
//! - A page that differs from `HEAD` in the work tree or the index, or that
//!   `HEAD` does not have (untracked, new), changed today, `uncommitted`.
//! - The date is the author's date in the author's own time zone, as
//!   `git log` shows it.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};

use chrono::{DateTime, FixedOffset, NaiveDate};
use gix::ObjectId;
use gix::objs::{FindExt, TreeRefIter, tree::EntryKind};

/// One page's last change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub date: NaiveDate,
    pub author: String,
    pub subject: String,
    /// The commit's full hash; empty when `uncommitted`.
    pub hash: String,
    /// The page differs from `HEAD`: the date is the build's day.
    pub uncommitted: bool,
    /// Attributed to a shallow clone's oldest commit: the page changed
    /// there or earlier.
    pub approximate: bool,
    /// The page's blob after and before the change (before: `None` when
    /// the change added it), to tell a change of the body from one of the
    /// front matter alone.
    pub blob: Option<ObjectId>,
    pub parent_blob: Option<ObjectId>,
}

impl Change {
    pub fn short_hash(&self) -> &str {
        &self.hash[..self.hash.len().min(7)]
    }
}

/// What the history says about a site's pages.
#[derive(Debug, Default)]
pub struct History {
    /// By path relative to `content/`, for every Markdown file `HEAD` or
    /// the work tree has.
    pub changes: HashMap<String, Change>,
    /// The site root's path inside the work tree: `` or `docs/wiki/`.
    pub root_in_repo: String,
    /// The content folder's path inside the work tree (`docs/wiki/content/`;
    /// `` for pages at the top of the repository): what a history path
    /// loses to become a content path.
    pub content_prefix: String,
    /// The work tree's top folder.
    pub workdir: PathBuf,
    pub shallow: bool,
    /// The commit `HEAD` points at, when there is one.
    pub head: Option<String>,
    /// The repository's git folder, to read blobs again after the pass.
    git_dir: Option<PathBuf>,
}

impl History {
    /// A page's last change; a page the history does not know (created
    /// since, or untracked) is uncommitted: changed `today`.
    pub fn change_of(&self, content_path: &str, today: NaiveDate) -> Change {
        self.changes
            .get(content_path)
            .cloned()
            .unwrap_or_else(|| uncommitted(today))
    }

    /// The repository again, for [`History::body_changed`].
    pub fn open(&self) -> Option<gix::Repository> {
        gix::open(self.git_dir.as_ref()?).ok()
    }

    /// Whether `change` changed the page's body, not only its front
    /// matter. `body`: the page's text after its front matter on disk (for
    /// an uncommitted change). Unreadable blobs count as a change.
    pub fn body_changed(&self, repo: &gix::Repository, change: &Change, body: &str) -> bool {
        let text = |id: ObjectId| -> Option<String> {
            let blob = repo.find_object(id).ok()?;
            Some(String::from_utf8_lossy(&blob.data).replace("\r\n", "\n"))
        };
        let Some(before) = change.parent_blob.and_then(text) else {
            return true;
        };
        let before = body_of(&before);
        if change.uncommitted {
            return before.trim() != body.replace("\r\n", "\n").trim();
        }
        match change.blob.and_then(text) {
            Some(after) => before.trim() != body_of(&after).trim(),
            None => true,
        }
    }
}

/// The text after a `---` front-matter block, if the text opens with one.
fn body_of(text: &str) -> &str {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = text.strip_prefix("---\n") else {
        return text;
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        offset += line.len();
        if matches!(line.trim_end(), "---" | "...") {
            return &rest[offset..];
        }
    }
    text
}

/// A change not committed yet, dated `today`.
pub fn uncommitted(today: NaiveDate) -> Change {
    Change {
        date: today,
        author: String::new(),
        subject: "Not committed yet".into(),
        hash: String::new(),
        uncommitted: true,
        approximate: false,
        blob: None,
        parent_blob: None,
    }
}

fn is_page(name: &[u8]) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(b".md") || lower.ends_with(b".markdown")
}

/// Read the history of the repository `root` is in. `Ok(None)` when `root`
/// is not inside a git work tree; `Err` when it is but cannot be read (the
/// caller warns and builds without git).
pub fn read(root: &Path, content_dir: &str, today: NaiveDate) -> Result<Option<History>, String> {
    let mut repo = match gix::discover(root) {
        Ok(repo) => repo,
        Err(_) => return Ok(None),
    };
    let Some(workdir) = repo.workdir() else {
        return Ok(None); // a bare repository has no pages on disk
    };
    let workdir = workdir
        .canonicalize()
        .map_err(|e| format!("cannot resolve `{}`: {e}", workdir.display()))?;
    let root = root
        .canonicalize()
        .map_err(|e| format!("cannot resolve `{}`: {e}", root.display()))?;
    let Ok(rel) = root.strip_prefix(&workdir) else {
        return Ok(None);
    };
    let mut root_in_repo = String::new();
    for part in rel.components() {
        root_in_repo.push_str(&part.as_os_str().to_string_lossy());
        root_in_repo.push('/');
    }
    let content_prefix = if content_dir.is_empty() {
        root_in_repo.clone()
    } else {
        format!("{root_in_repo}{content_dir}/")
    };
    let mut history = History {
        root_in_repo,
        content_prefix: content_prefix.clone(),
        workdir: workdir.clone(),
        shallow: repo.is_shallow().unwrap_or(false),
        ..History::default()
    };
    let head = match repo.head_id() {
        Ok(id) => id.detach(),
        // A repository without a commit yet: every page is uncommitted.
        Err(_) => return Ok(Some(history)),
    };
    history.head = Some(head.to_string());
    tune(&mut repo);
    history.git_dir = Some(repo.git_dir().to_path_buf());
    let mut walk = Walk::new(&repo, head, &content_prefix)?;
    // A linked worktree's git folder lives in another checkout's: the
    // cache is kept only in a repository's own `.git`.
    let own_git_dir = repo.git_dir().starts_with(&workdir)
        || repo
            .workdir()
            .is_some_and(|w| repo.git_dir().starts_with(w));
    let cache_path = own_git_dir.then(|| repo.git_dir().join("opswiki").join("last-changes"));
    let cache = cache_path
        .as_deref()
        .and_then(|p| Cache::read(p, &history.content_prefix));
    let skip = history.content_prefix.len();
    let mut walked = true;
    match cache {
        // Nothing new since the last build: no walk at all.
        Some(cache) if cache.head == head && walk.take_cached(&cache, skip, &mut history) => {
            walked = false
        }
        // Walk what is new since, then take the rest from the cache; a
        // cache that does not fit (a rewritten history) is dropped.
        Some(cache) => {
            // A cached commit gone (a rewritten, collected history) is an
            // error for the walk: start again without the cache then.
            let walked_since = walk.run(&mut history, Some(cache.head));
            if walked_since.is_err() || !walk.take_cached(&cache, skip, &mut history) {
                history.changes.clear();
                let mut again = Walk::new(&repo, head, &content_prefix)?;
                again.run(&mut history, None)?;
                walk = again;
            }
        }
        None => walk.run(&mut history, None)?,
    }
    if walked && let Some(path) = &cache_path {
        Cache::write(path, &history.content_prefix, head, &history.changes);
    }
    let head_blobs = std::mem::take(&mut walk.head_blobs);
    mark_uncommitted(
        &repo,
        &workdir,
        &content_prefix,
        &head_blobs,
        &mut history,
        today,
    );
    Ok(Some(history))
}

/// The pass over the history: the pages of `HEAD`, and which of them still
/// lack a change.
struct Walk<'r> {
    repo: &'r gix::Repository,
    head: ObjectId,
    content_prefix: String,
    /// Every page in `HEAD` (path in the repository → blob).
    head_blobs: HashMap<String, ObjectId>,
    /// Pages still without a change: their path in `HEAD` → the path their
    /// history continues at (another after a rename).
    pending: HashMap<String, String>,
}

/// A commit of the walk, with its tree and its parents' trees.
struct Listed {
    id: ObjectId,
    tree: ObjectId,
    parent_trees: Vec<ObjectId>,
}

/// Commits per stretch: the walk is cut into stretches of this many, read
/// on all cores. Small enough for one stretch's trees to fit in the pack
/// cache (see [`Differ::stretch`]), large enough that a stretch's set up is
/// noise.
const STRETCH: usize = 512;

/// Above this many delta-chain steps per tree read, the pack's deltas run
/// from old to new (as `git fast-import` writes them) and a newest-first
/// walk unpacks each tree from the far end of its chain: read the stretch's
/// trees oldest first beforehand, so that each is one step from the last.
const LONG_CHAINS: u64 = 4;

impl<'r> Walk<'r> {
    fn new(
        repo: &'r gix::Repository,
        head: ObjectId,
        content_prefix: &str,
    ) -> Result<Walk<'r>, String> {
        let mut walk = Walk {
            repo,
            head,
            content_prefix: content_prefix.to_string(),
            head_blobs: HashMap::new(),
            pending: HashMap::new(),
        };
        let tree = tree_of(repo, head, &mut Vec::new())?;
        walk.head_blobs = pages_in(repo, tree, content_prefix)?;
        walk.pending = walk
            .head_blobs
            .keys()
            .map(|p| (p.clone(), p.clone()))
            .collect();
        Ok(walk)
    }

    /// Take each pending page's change from `cache`, if its blob there is
    /// the one in `HEAD`; false when some page is still without one.
    fn take_cached(&mut self, cache: &Cache, skip: usize, history: &mut History) -> bool {
        let pending: Vec<(String, String)> = self.pending.clone().into_iter().collect();
        for (path, at) in pending {
            let change = at
                .strip_prefix(self.content_prefix.as_str())
                .and_then(|content_path| cache.changes.get(content_path));
            let Some(change) = change else {
                return false;
            };
            if change.blob != self.head_blobs.get(&path).copied() {
                return false;
            }
            self.pending.remove(&path);
            history
                .changes
                .insert(path[skip..].to_string(), change.clone());
        }
        true
    }

    /// The commits from `HEAD`, newest first by commit time, not past
    /// `known` (a commit whose pages' changes are cached) when given.
    fn list(&self, known: Option<ObjectId>) -> Result<Vec<Listed>, String> {
        let walk = self
            .repo
            .rev_walk([self.head])
            .sorting(gix::revision::walk::Sorting::ByCommitTime(
                Default::default(),
            ))
            .with_hidden(known)
            .all()
            .map_err(|e| format!("cannot walk the history: {e}"))?;
        let mut walked = Vec::new();
        for info in walk {
            let info = info.map_err(|e| format!("cannot walk the history: {e}"))?;
            walked.push((info.id, info.parent_ids.to_vec()));
        }
        // The trees from the commit-graph when there is one (no commit to
        // unpack), else from each commit, once.
        let graph = self.repo.commit_graph_if_enabled().ok().flatten();
        let mut buf = Vec::new();
        let mut tree_of_commit =
            |id: ObjectId| match graph.as_ref().and_then(|g| g.commit_by_id(id)) {
                Some(c) => Ok(c.root_tree_id().to_owned()),
                None => tree_of(self.repo, id, &mut buf),
            };
        let mut trees = HashMap::with_capacity(walked.len());
        for (id, _) in &walked {
            trees.insert(*id, tree_of_commit(*id)?);
        }
        let mut commits = Vec::with_capacity(walked.len());
        for (id, parents) in walked {
            let mut parent_trees = Vec::with_capacity(parents.len());
            for p in parents {
                parent_trees.push(match trees.get(&p) {
                    Some(tree) => *tree,
                    None => tree_of_commit(p)?,
                });
            }
            commits.push(Listed {
                id,
                tree: trees[&id],
                parent_trees,
            });
        }
        Ok(commits)
    }

    /// Find each pending page's last change in the commits since `known`
    /// (all when `None`). The history is cut into stretches, read by one
    /// worker per core in order (each takes the next stretch); a stretch
    /// follows the paths still open after the stretches already done (a
    /// superset while newer ones are still being read), and a page's
    /// change is the one of the newest stretch that has one. A page whose
    /// path a stretch did not follow (renamed in a newer stretch read at
    /// the same time) has that stretch read again for it, here.
    fn run(&mut self, history: &mut History, known: Option<ObjectId>) -> Result<(), String> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let commits = self.list(known)?;
        let stretches: Vec<&[Listed]> = commits.chunks(STRETCH).collect();
        let shallow = history.shallow;
        let open: Vec<(String, String)> = self.pending.drain().collect();
        let workers = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 4)
            .min(stretches.len().max(1));
        let shared = std::sync::Mutex::new(Stretches {
            next: 0,
            done: stretches.iter().map(|_| None).collect(),
            prefix: 0,
            open: open.clone(),
            error: None,
        });
        let work = |mut repo: gix::Repository| {
            let misses = tune(&mut repo);
            let mut differ = Differ::new(&repo, misses);
            let mut warm = false;
            loop {
                let (i, tracked) = {
                    let mut s = lock(&shared);
                    s.advance();
                    if s.error.is_some() || s.next >= stretches.len() || s.open.is_empty() {
                        return;
                    }
                    s.next += 1;
                    let tracked: HashSet<String> =
                        s.open.iter().map(|(_, at)| at.clone()).collect();
                    (s.next - 1, tracked)
                };
                match differ.stretch(stretches[i], tracked, shallow, warm) {
                    Ok(stretch) => {
                        // Long chains with or without the oldest-first read:
                        // turn it on, or off where it did not help.
                        if differ.chain_steps_per_tree() > LONG_CHAINS {
                            warm = !warm;
                        }
                        lock(&shared).done[i] = Some(stretch);
                    }
                    Err(e) => {
                        lock(&shared).error = Some(e);
                        return;
                    }
                }
            }
        };
        if workers > 1 {
            let sync = self.repo.clone().into_sync();
            std::thread::scope(|scope| {
                for _ in 1..workers {
                    scope.spawn(|| work(sync.to_thread_local()));
                }
                work(sync.to_thread_local());
            });
        } else {
            work(self.repo.clone());
        }
        let Stretches { done, error, .. } = shared.into_inner().unwrap_or_else(|e| e.into_inner());
        if let Some(e) = error {
            return Err(e);
        }
        // Newest stretch first: each page's change, or where it went.
        let mut differ = Differ::new(self.repo, Arc::default());
        let mut open = open;
        for (i, stretch) in done.into_iter().enumerate() {
            if open.is_empty() {
                break;
            }
            let mut stretch = stretch.unwrap_or_default();
            let missing: HashSet<String> = open
                .iter()
                .filter(|(_, at)| !stretch.tracked.contains(at))
                .map(|(_, at)| at.clone())
                .collect();
            if !missing.is_empty() {
                stretch.absorb(differ.stretch(stretches[i], missing, shallow, false)?);
            }
            stretch.apply(&mut open, |path, change| {
                history
                    .changes
                    .insert(path[history.content_prefix.len()..].to_string(), change);
            });
        }
        // Pages the history never changed (only a broken history has them).
        self.pending = open.into_iter().collect();
        Ok(())
    }
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The workers' shared state.
struct Stretches {
    /// The next stretch to read.
    next: usize,
    done: Vec<Option<Stretch>>,
    /// How many stretches from the newest are done and applied to `open`.
    prefix: usize,
    /// Pages without a change after the first `prefix` stretches: path in
    /// `HEAD`, path there.
    open: Vec<(String, String)>,
    error: Option<String>,
}

impl Stretches {
    /// Apply the stretches done next to the prefix.
    fn advance(&mut self) {
        while let Some(Some(stretch)) = self.done.get(self.prefix) {
            if stretch.follows_all(&self.open) {
                stretch.apply(&mut self.open, |_, _| {});
                self.prefix += 1;
            } else {
                // Read again at the merge: stop advancing here.
                break;
            }
        }
    }
}

/// What one stretch of the history says about the paths it followed.
#[derive(Default)]
struct Stretch {
    /// The paths followed, as at the stretch's newest commit.
    tracked: HashSet<String>,
    /// Followed paths changed in the stretch: the newest change.
    found: HashMap<String, Change>,
    /// Followed paths only renamed in the stretch: the path their history
    /// continues at below it.
    moved: HashMap<String, String>,
}

impl Stretch {
    fn follows_all(&self, open: &[(String, String)]) -> bool {
        open.iter().all(|(_, at)| self.tracked.contains(at))
    }

    /// Settle the open pages this stretch changed (`settled(path in HEAD,
    /// change)`); move those it renamed to their older path.
    fn apply(&self, open: &mut Vec<(String, String)>, mut settled: impl FnMut(&str, Change)) {
        open.retain_mut(|(path, at)| {
            if let Some(change) = self.found.get(at.as_str()) {
                settled(path, change.clone());
                return false;
            }
            if let Some(older) = self.moved.get(at.as_str()) {
                *at = older.clone();
            }
            true
        });
    }

    fn absorb(&mut self, more: Stretch) {
        self.tracked.extend(more.tracked);
        self.found.extend(more.found);
        self.moved.extend(more.moved);
    }
}

/// Give a repository the caches the pass needs; the pack cache counts its
/// misses (delta-chain steps unpacked) into the returned counter.
fn tune(repo: &mut gix::Repository) -> Arc<AtomicU64> {
    // Each commit's trees are read again as the next commit's parent's.
    repo.object_cache_size_if_unset(16 * 1024 * 1024);
    // Trees are stored as chains of deltas: keep what was unpacked, as git
    // does (its `core.deltaBaseCacheLimit` is 96 MiB).
    let misses = Arc::new(AtomicU64::new(0));
    let counter = misses.clone();
    repo.objects.set_pack_cache(move || {
        Box::new(CountingCache {
            cache: gix::odb::pack::cache::lru::MemoryCappedHashmap::new(64 * 1024 * 1024),
            misses: counter.clone(),
        })
    });
    misses
}

/// The pack cache, counting the delta-chain steps it did not have.
struct CountingCache {
    cache: gix::odb::pack::cache::lru::MemoryCappedHashmap,
    misses: Arc<AtomicU64>,
}

impl gix::odb::pack::cache::DecodeEntry for CountingCache {
    fn put(&mut self, pack: u32, offset: u64, data: &[u8], kind: gix::object::Kind, size: usize) {
        self.cache.put(pack, offset, data, kind, size);
    }

    fn get(
        &mut self,
        pack: u32,
        offset: u64,
        out: &mut Vec<u8>,
    ) -> Option<(gix::object::Kind, usize)> {
        let found = self.cache.get(pack, offset, out);
        if found.is_none() {
            self.misses.fetch_add(1, AtomicOrdering::Relaxed);
        }
        found
    }
}

/// Reads one stretch of the history for a set of paths.
struct Differ<'r> {
    repo: &'r gix::Repository,
    /// Paths followed and not changed yet: path now → path at the
    /// stretch's newest commit.
    pending: HashMap<String, String>,
    /// How many pending paths each folder holds (`` is the top, folders
    /// end with `/`): a folder with none is not compared.
    pending_in: HashMap<String, usize>,
    /// Reused buffers, two per tree depth.
    buffers: Vec<Vec<u8>>,
    commit_buf: Vec<u8>,
    /// Pack-cache misses, and trees read, in the last stretch's walk.
    misses: Arc<AtomicU64>,
    trees_read: u64,
}

impl<'r> Differ<'r> {
    fn new(repo: &'r gix::Repository, misses: Arc<AtomicU64>) -> Differ<'r> {
        Differ {
            repo,
            pending: HashMap::new(),
            pending_in: HashMap::new(),
            buffers: Vec::new(),
            commit_buf: Vec::new(),
            misses,
            trees_read: 0,
        }
    }

    fn chain_steps_per_tree(&self) -> u64 {
        self.misses.load(AtomicOrdering::Relaxed) / self.trees_read.max(1)
    }

    /// Follow `path` (`top`: its path at the stretch's newest commit).
    fn track(&mut self, path: String, top: String) {
        *self.pending_in.entry(String::new()).or_default() += 1;
        for (i, _) in path.match_indices('/') {
            *self.pending_in.entry(path[..=i].to_string()).or_default() += 1;
        }
        self.pending.insert(path, top);
    }

    /// A path found its change: it and its folders are no longer pending.
    /// Its path at the stretch's newest commit.
    fn settle(&mut self, path: &str) -> String {
        for key in std::iter::once("").chain(path.match_indices('/').map(|(i, _)| &path[..=i])) {
            if let Some(n) = self.pending_in.get_mut(key) {
                *n -= 1;
            }
        }
        self.pending
            .remove(path)
            .unwrap_or_else(|| path.to_string())
    }

    /// The newest change of each of `tracked` (paths as at the newest of
    /// `commits`) in `commits` (newest first), following exact renames.
    /// `warm`: read the trees oldest first beforehand (see [`LONG_CHAINS`]).
    fn stretch(
        &mut self,
        commits: &[Listed],
        tracked: HashSet<String>,
        shallow: bool,
        warm: bool,
    ) -> Result<Stretch, String> {
        self.pending.clear();
        self.pending_in.clear();
        for path in &tracked {
            self.track(path.clone(), path.clone());
        }
        if warm {
            // Folders to look into for pending folders below them; the
            // others are only unpacked, not parsed.
            let mut parents: HashSet<String> = HashSet::new();
            for dir in self.pending_in.keys().filter(|d| !d.is_empty()) {
                parents.insert(String::new());
                for (i, _) in dir.match_indices('/').filter(|(i, _)| i + 1 < dir.len()) {
                    parents.insert(dir[..=i].to_string());
                }
            }
            let mut buf = Vec::new();
            for commit in commits.iter().rev() {
                let parent = commit.parent_trees.first().copied();
                self.unpack(parent, commit.tree, &mut String::new(), &parents, &mut buf)?;
            }
        }
        self.misses.store(0, AtomicOrdering::Relaxed);
        self.trees_read = 0;
        let mut found = HashMap::new();
        let mut changed = Vec::new();
        for commit in commits {
            if self.pending.is_empty() {
                break;
            }
            let tree = commit.tree;
            let parent_tree = commit.parent_trees.first().copied();
            changed.clear();
            self.diff(parent_tree, tree, &mut String::new(), 0, &mut changed)?;
            if changed.is_empty() {
                continue;
            }
            // A merge: keep only what differs from every other parent too.
            if commit.parent_trees.len() > 1 {
                let others = &commit.parent_trees[1..];
                let mut kept = Vec::new();
                for (path, blob, before) in changed.drain(..) {
                    let mut from_side = false;
                    for &other in others {
                        if self.blob_at(other, &path)? == Some(blob) {
                            from_side = true;
                            break;
                        }
                    }
                    if !from_side {
                        kept.push((path, blob, before));
                    }
                }
                changed = kept;
                if changed.is_empty() {
                    continue;
                }
            }
            // A path that appears with the blob another path loses is a
            // rename: the page's history goes on at the other path.
            let removed = match parent_tree {
                Some(parent) if changed.iter().any(|(_, _, before)| before.is_none()) => {
                    let mut removed = HashMap::new();
                    removed_blobs(
                        self.repo,
                        Some(parent),
                        Some(tree),
                        &mut String::new(),
                        &mut removed,
                    )?;
                    removed
                }
                _ => HashMap::new(),
            };
            let mut change = None;
            for (path, blob, before) in changed.drain(..) {
                if before.is_none()
                    && let Some(older) = removed.get(&blob)
                    && !self.pending.contains_key(older)
                {
                    let top = self.settle(&path);
                    self.track(older.clone(), top);
                    continue;
                }
                if change.is_none() {
                    change =
                        Some(self.change_of_commit(
                            commit.id,
                            shallow && commit.parent_trees.is_empty(),
                        )?);
                }
                let mut change = change.clone().expect("just set");
                change.blob = Some(blob);
                change.parent_blob = before;
                found.insert(self.settle(&path), change);
            }
        }
        let moved = self
            .pending
            .drain()
            .filter(|(now, top)| now != top)
            .map(|(now, top)| (top, now))
            .collect();
        Ok(Stretch {
            tracked,
            found,
            moved,
        })
    }

    /// Unpack the trees of `new` (the folder `dir`) that differ from
    /// `old`'s and hold pending paths, into the pack cache. `parents`: the
    /// folders with pending folders below them, the only ones parsed.
    fn unpack(
        &mut self,
        old: Option<ObjectId>,
        new: ObjectId,
        dir: &mut String,
        parents: &HashSet<String>,
        buf: &mut Vec<u8>,
    ) -> Result<(), String> {
        if old == Some(new) || self.pending_in.get(dir.as_str()).copied().unwrap_or(0) == 0 {
            return Ok(());
        }
        let iter = find_tree(self.repo, new, buf)?;
        if !parents.contains(dir.as_str()) {
            return Ok(());
        }
        let mut subtrees = Vec::new();
        for entry in iter {
            let entry = entry.map_err(|e| format!("cannot read tree {new}: {e}"))?;
            if entry.mode.is_tree() {
                let name = String::from_utf8_lossy(bytes(entry.filename));
                subtrees.push((format!("{dir}{name}/"), entry.oid.to_owned()));
            }
        }
        let old_entries = match old {
            Some(old) if !subtrees.is_empty() => {
                let mut entries = HashMap::new();
                for entry in find_tree(self.repo, old, buf)? {
                    let entry = entry.map_err(|e| format!("cannot read tree {old}: {e}"))?;
                    if entry.mode.is_tree() {
                        let name = String::from_utf8_lossy(bytes(entry.filename));
                        entries.insert(format!("{dir}{name}/"), entry.oid.to_owned());
                    }
                }
                entries
            }
            _ => HashMap::new(),
        };
        for (mut path, id) in subtrees {
            let old_id = old_entries.get(&path).copied();
            self.unpack(old_id, id, &mut path, parents, buf)?;
        }
        Ok(())
    }

    /// A commit as a change. `boundary`: a shallow clone's oldest commit.
    fn change_of_commit(&mut self, id: ObjectId, boundary: bool) -> Result<Change, String> {
        let commit = self
            .repo
            .objects
            .find_commit(&id, &mut self.commit_buf)
            .map_err(|e| format!("cannot read commit {id}: {e}"))?;
        let author = commit.author().map_err(|e| format!("commit {id}: {e}"))?;
        let time = author.time().map_err(|e| format!("commit {id}: {e}"))?;
        let date = DateTime::from_timestamp(time.seconds, 0)
            .zip(FixedOffset::east_opt(time.offset))
            .map(|(t, tz)| t.with_timezone(&tz).date_naive())
            .unwrap_or_default();
        let approximate = boundary && commit.parents().next().is_some();
        Ok(Change {
            date,
            author: String::from_utf8_lossy(author.name.as_ref())
                .trim()
                .to_string(),
            subject: String::from_utf8_lossy(commit.message().summary().as_ref()).into_owned(),
            hash: id.to_string(),
            uncommitted: false,
            approximate,
            blob: None,
            parent_blob: None,
        })
    }

    /// The blob at `path` in a tree, if it has one.
    fn blob_at(&mut self, tree: ObjectId, path: &str) -> Result<Option<ObjectId>, String> {
        let mut id = tree;
        let mut parts = path.split('/').peekable();
        while let Some(part) = parts.next() {
            match entry(self.repo, id, part.as_bytes())? {
                Some((next, EntryKind::Tree)) if parts.peek().is_some() => id = next,
                Some((blob, EntryKind::Blob | EntryKind::BlobExecutable))
                    if parts.peek().is_none() =>
                {
                    return Ok(Some(blob));
                }
                _ => return Ok(None),
            }
        }
        Ok(None)
    }

    /// Pending paths in `new` (the folder `dir`) whose blob differs from
    /// the one in `old` (or that `old` lacks), into `changed`.
    fn diff(
        &mut self,
        old: Option<ObjectId>,
        new: ObjectId,
        dir: &mut String,
        depth: usize,
        changed: &mut Vec<(String, ObjectId, Option<ObjectId>)>,
    ) -> Result<(), String> {
        if old == Some(new) || self.pending_in.get(dir.as_str()).copied().unwrap_or(0) == 0 {
            return Ok(());
        }
        while self.buffers.len() < 2 * depth + 2 {
            self.buffers.push(Vec::new());
        }
        let mut new_buf = std::mem::take(&mut self.buffers[2 * depth]);
        let mut old_buf = std::mem::take(&mut self.buffers[2 * depth + 1]);
        let mut subtrees: Vec<(String, Option<ObjectId>, ObjectId)> = Vec::new();
        {
            self.trees_read += 1 + u64::from(old.is_some());
            let new_iter = find_tree(self.repo, new, &mut new_buf)?;
            let mut old_iter = match old {
                Some(old) => Some(find_tree(self.repo, old, &mut old_buf)?.peekable()),
                None => None,
            };
            for entry in new_iter {
                let entry = entry.map_err(|e| format!("cannot read tree {new}: {e}"))?;
                let is_tree = entry.mode.is_tree();
                // The same name in the old tree, if any: both are sorted
                // in git's order, where a folder sorts as `name/`.
                let mut same: Option<(ObjectId, bool)> = None;
                if let Some(old_iter) = old_iter.as_mut() {
                    while let Some(Ok(o)) = old_iter.peek() {
                        match git_order(
                            bytes(o.filename),
                            o.mode.is_tree(),
                            bytes(entry.filename),
                            is_tree,
                        ) {
                            Ordering::Less => {
                                old_iter.next();
                            }
                            Ordering::Equal => {
                                same = Some((o.oid.to_owned(), o.mode.is_tree()));
                                old_iter.next();
                                break;
                            }
                            Ordering::Greater => break,
                        }
                    }
                }
                let old_id = same.map(|(id, _)| id);
                if old_id.as_deref() == Some(entry.oid) {
                    continue;
                }
                let name = String::from_utf8_lossy(bytes(entry.filename));
                if is_tree {
                    let path = format!("{dir}{name}/");
                    if self.pending_in.get(&path).copied().unwrap_or(0) > 0 {
                        let old_tree = same.filter(|(_, tree)| *tree).map(|(id, _)| id);
                        subtrees.push((path, old_tree, entry.oid.to_owned()));
                    }
                } else if entry.mode.is_blob() {
                    let path = format!("{dir}{name}");
                    if self.pending.contains_key(&path) {
                        let before = same.filter(|(_, tree)| !tree).map(|(id, _)| id);
                        changed.push((path, entry.oid.to_owned(), before));
                    }
                }
            }
        }
        self.buffers[2 * depth] = new_buf;
        self.buffers[2 * depth + 1] = old_buf;
        for (mut path, old_id, new_id) in subtrees {
            self.diff(old_id, new_id, &mut path, depth + 1, changed)?;
        }
        Ok(())
    }
}

/// Blobs at paths of `old` (the folder `dir`) that `new` lacks, by id.
fn removed_blobs(
    repo: &gix::Repository,
    old: Option<ObjectId>,
    new: Option<ObjectId>,
    dir: &mut String,
    removed: &mut HashMap<ObjectId, String>,
) -> Result<(), String> {
    let Some(old) = old else { return Ok(()) };
    if Some(old) == new {
        return Ok(());
    }
    let mut kept: HashMap<Vec<u8>, (ObjectId, bool)> = HashMap::new();
    if let Some(new) = new {
        let mut buf = Vec::new();
        for e in find_tree(repo, new, &mut buf)? {
            let e = e.map_err(|e| format!("cannot read tree {new}: {e}"))?;
            kept.insert(
                bytes(e.filename).to_vec(),
                (e.oid.to_owned(), e.mode.is_tree()),
            );
        }
    }
    let mut buf = Vec::new();
    let mut subtrees = Vec::new();
    for e in find_tree(repo, old, &mut buf)? {
        let e = e.map_err(|e| format!("cannot read tree {old}: {e}"))?;
        let name = bytes(e.filename);
        let now = kept.get(name).copied();
        let path = format!("{dir}{}", String::from_utf8_lossy(name));
        if e.mode.is_tree() {
            let now_tree = now.filter(|(_, tree)| *tree).map(|(id, _)| id);
            subtrees.push((format!("{path}/"), e.oid.to_owned(), now_tree));
        } else if e.mode.is_blob() && now.is_none_or(|(_, tree)| tree) {
            removed.entry(e.oid.to_owned()).or_insert(path);
        }
    }
    for (mut path, old_id, new_id) in subtrees {
        removed_blobs(repo, Some(old_id), new_id, &mut path, removed)?;
    }
    Ok(())
}

fn tree_of(
    repo: &gix::Repository,
    commit: ObjectId,
    buf: &mut Vec<u8>,
) -> Result<ObjectId, String> {
    let c = repo
        .objects
        .find_commit(&commit, buf)
        .map_err(|e| format!("cannot read commit {commit}: {e}"))?;
    Ok(c.tree())
}

fn find_tree<'b>(
    repo: &gix::Repository,
    tree: ObjectId,
    buf: &'b mut Vec<u8>,
) -> Result<TreeRefIter<'b>, String> {
    repo.objects
        .find_tree_iter(&tree, buf)
        .map_err(|e| format!("cannot read tree {tree}: {e}"))
}

/// The entry `name` of a tree.
fn entry(
    repo: &gix::Repository,
    tree: ObjectId,
    name: &[u8],
) -> Result<Option<(ObjectId, EntryKind)>, String> {
    let mut buf = Vec::new();
    for entry in find_tree(repo, tree, &mut buf)? {
        let entry = entry.map_err(|e| format!("cannot read tree {tree}: {e}"))?;
        if bytes(entry.filename) == name {
            return Ok(Some((entry.oid.to_owned(), entry.mode.kind())));
        }
    }
    Ok(None)
}

/// Every page under `content_prefix` in a commit's tree: path → blob.
fn pages_in(
    repo: &gix::Repository,
    tree: ObjectId,
    content_prefix: &str,
) -> Result<HashMap<String, ObjectId>, String> {
    let mut id = Some(tree);
    let mut dir = String::new();
    for part in content_prefix.trim_end_matches('/').split('/') {
        id = match id {
            Some(t) => entry(repo, t, part.as_bytes())?
                .filter(|(_, kind)| *kind == EntryKind::Tree)
                .map(|(id, _)| id),
            None => None,
        };
        dir.push_str(part);
        dir.push('/');
    }
    let mut pages = HashMap::new();
    if let Some(content) = id {
        collect_pages(repo, content, &mut dir, &mut pages)?;
    }
    Ok(pages)
}

fn collect_pages(
    repo: &gix::Repository,
    tree: ObjectId,
    dir: &mut String,
    pages: &mut HashMap<String, ObjectId>,
) -> Result<(), String> {
    let mut buf = Vec::new();
    let mut subtrees = Vec::new();
    for entry in find_tree(repo, tree, &mut buf)? {
        let entry = entry.map_err(|e| format!("cannot read tree {tree}: {e}"))?;
        let name = String::from_utf8_lossy(bytes(entry.filename));
        match entry.mode.kind() {
            EntryKind::Tree => subtrees.push((name.into_owned(), entry.oid.to_owned())),
            EntryKind::Blob | EntryKind::BlobExecutable if is_page(bytes(entry.filename)) => {
                pages.insert(format!("{dir}{name}"), entry.oid.to_owned());
            }
            _ => {}
        }
    }
    for (name, id) in subtrees {
        let len = dir.len();
        dir.push_str(&name);
        dir.push('/');
        collect_pages(repo, id, dir, pages)?;
        dir.truncate(len);
    }
    Ok(())
}

/// The changes found by the last build, for the commit it read from, kept
/// in the repository's git folder (`opswiki/last-changes`): a build after a
/// pull walks only the commits since. One line per page, tab-separated:
/// path, commit, date, author, subject, blob, blob before, approximate.
struct Cache {
    head: ObjectId,
    changes: HashMap<String, Change>,
}

const CACHE_VERSION: &str = "opswiki-last-changes 2";

impl Cache {
    fn read(path: &Path, root_in_repo: &str) -> Option<Cache> {
        let text = std::fs::read_to_string(path).ok()?;
        let mut lines = text.lines();
        let mut header = lines.next()?.split('\t');
        if header.next()? != CACHE_VERSION || header.next()? != root_in_repo {
            return None;
        }
        let head = ObjectId::from_hex(header.next()?.as_bytes()).ok()?;
        let mut changes = HashMap::new();
        for line in lines {
            let f: Vec<&str> = line.split('\t').collect();
            let [path, hash, date, author, subject, blob, before, approximate] = f[..] else {
                return None;
            };
            let id = |hex: &str| ObjectId::from_hex(hex.as_bytes()).ok();
            changes.insert(
                path.to_string(),
                Change {
                    date: NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?,
                    author: author.to_string(),
                    subject: subject.to_string(),
                    hash: hash.to_string(),
                    uncommitted: false,
                    approximate: approximate == "1",
                    blob: Some(id(blob)?),
                    parent_blob: id(before),
                },
            );
        }
        Some(Cache { head, changes })
    }

    /// Best effort: a read-only repository just goes without.
    fn write(path: &Path, root_in_repo: &str, head: ObjectId, changes: &HashMap<String, Change>) {
        if root_in_repo.contains(['\t', '\n']) {
            return;
        }
        let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
        let mut text = format!("{CACHE_VERSION}\t{root_in_repo}\t{head}\n");
        for (p, c) in changes {
            let Some(blob) = c
                .blob
                .filter(|_| !c.uncommitted && !p.contains(['\t', '\n', '\r']))
            else {
                continue;
            };
            let before = c
                .parent_blob
                .map(|b| b.to_string())
                .unwrap_or_else(|| "-".into());
            text.push_str(&format!(
                "{p}\t{}\t{}\t{}\t{}\t{blob}\t{before}\t{}\n",
                c.hash,
                c.date,
                clean(&c.author),
                clean(&c.subject),
                u8::from(c.approximate)
            ));
        }
        let Some(dir) = path.parent() else { return };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let tmp = dir.join(format!("last-changes.{}.tmp", std::process::id()));
        if std::fs::write(&tmp, text).is_ok() && std::fs::rename(&tmp, path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

/// Git's order of tree entries: by name, a folder's name followed by `/`.
fn git_order(a: &[u8], a_tree: bool, b: &[u8], b_tree: bool) -> Ordering {
    let common = a.len().min(b.len());
    match a[..common].cmp(&b[..common]) {
        Ordering::Equal => {}
        other => return other,
    }
    let end = |name: &[u8], tree: bool| name.get(common).copied().or(tree.then_some(b'/'));
    end(a, a_tree).cmp(&end(b, b_tree))
}

/// Pages whose file differs from `HEAD`: in the index (staged), or on disk
/// (edited). The index's file times say which files may have changed, as
/// for `git status`; only those are read and hashed.
fn mark_uncommitted(
    repo: &gix::Repository,
    workdir: &Path,
    content_prefix: &str,
    head_blobs: &HashMap<String, ObjectId>,
    history: &mut History,
    today: NaiveDate,
) {
    let index = repo.open_index().ok();
    let skip = history.content_prefix.len();
    for (path, head_blob) in head_blobs {
        debug_assert!(path.starts_with(content_prefix));
        let file = workdir.join(path);
        let entry = index
            .as_ref()
            .and_then(|i| i.entry_by_path(path.as_str().into()));
        let clean = match entry {
            None => false, // removed from the index
            Some(entry) if entry.id != *head_blob => false,
            Some(entry) => {
                let stat = gix::index::fs::Metadata::from_path_no_follow(&file)
                    .ok()
                    .and_then(|m| gix::index::entry::Stat::from_fs(&m).ok());
                match stat {
                    None => true, // deleted on disk: not a page any more
                    Some(stat) if entry.stat.matches(&stat, Default::default()) => true,
                    Some(_) => std::fs::read(&file).ok().is_some_and(|bytes| {
                        gix::objs::compute_hash(repo.object_hash(), gix::objs::Kind::Blob, &bytes)
                            .is_ok_and(|id| id == *head_blob)
                    }),
                }
            }
        };
        if !clean {
            let mut change = uncommitted(today);
            change.parent_blob = Some(*head_blob);
            history.changes.insert(path[skip..].to_string(), change);
        }
    }
}

fn bytes(name: &gix::bstr::BStr) -> &[u8] {
    name
}

/// The history, being read on its own thread while the site loads.
pub struct Pending(Option<std::thread::JoinHandle<Result<Option<History>, String>>>);

/// Start reading the history of the repository `root` is in, unless the
/// site's config says `git: off` (read here, ahead of the load, so the pass
/// can run beside it).
pub fn start(root: &Path, today: NaiveDate) -> Pending {
    let config = crate::config::Config::peek(root);
    if !config.git {
        return Pending(None);
    }
    let content_dir = config.content_dir;
    let root = root.to_path_buf();
    Pending(Some(std::thread::spawn(move || {
        read(&root, &content_dir, today)
    })))
}

impl Pending {
    /// The history, or a warning saying why the build goes without it.
    pub fn finish(self) -> (Option<History>, Option<crate::diag::Diagnostic>) {
        let Some(handle) = self.0 else {
            return (None, None);
        };
        match handle.join() {
            Ok(Ok(history)) => (history, None),
            Ok(Err(message)) => (
                None,
                Some(
                    crate::diag::Diagnostic::new(
                        crate::diag::Code::GitUnreadable,
                        crate::diag::Span::new(crate::config::CONFIG_FILE, 1, 1),
                        format!("cannot read the git history, building without it: {message}"),
                    )
                    .with_help("set `git: off` in opswiki.yaml to build without git quietly"),
                ),
            ),
            Err(_) => (None, None),
        }
    }
}

/// The commit `HEAD` of the repository `root` is in points at, if any:
/// cheap, for `serve` to tell whether the history moved.
pub fn head_of(root: &Path) -> Option<String> {
    let repo = gix::discover(root).ok()?;
    repo.head_id().ok().map(|id| id.to_string())
}

/// What to watch for `HEAD` moving (a commit, a checkout, a reset): the git
/// folder itself (`HEAD`, `packed-refs`), not recursively, and the branches
/// (`refs/heads/`), recursively. Empty outside a work tree.
pub fn watched_paths(root: &Path) -> Vec<(PathBuf, bool)> {
    let Ok(repo) = gix::discover(root) else {
        return Vec::new();
    };
    if repo.workdir().is_none() {
        return Vec::new();
    }
    vec![
        (repo.git_dir().to_path_buf(), false),
        (repo.common_dir().join("refs").join("heads"), true),
    ]
}

/// Whether a changed path in a folder of [`watched_paths`] can move `HEAD`
/// (the index, logs and lock files of other commands cannot).
pub fn moves_head(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy());
    let name = name.as_deref().unwrap_or("");
    let name = name.strip_suffix(".lock").unwrap_or(name);
    matches!(name, "HEAD" | "packed-refs")
        || path
            .components()
            .collect::<Vec<_>>()
            .windows(2)
            .any(|w| w[0].as_os_str() == "refs" && w[1].as_os_str() == "heads")
}

/// Which of `files` (paths from the site root) differ from revision `rev`:
/// on disk (committed or not) or absent there. For `check --changed-since`.
pub fn changed_since(
    root: &Path,
    rev: &str,
    files: &[&str],
) -> Result<std::collections::HashSet<String>, String> {
    let repo = gix::discover(root).map_err(|_| "the site is not in a git work tree".to_string())?;
    let workdir = repo
        .workdir()
        .ok_or("the repository has no work tree")?
        .canonicalize()
        .map_err(|e| e.to_string())?;
    let root = root.canonicalize().map_err(|e| e.to_string())?;
    let rel = root.strip_prefix(&workdir).map_err(|e| e.to_string())?;
    let mut prefix = String::new();
    for part in rel.components() {
        prefix.push_str(&part.as_os_str().to_string_lossy());
        prefix.push('/');
    }
    let commit = repo
        .rev_parse_single(rev)
        .map_err(|e| format!("not a revision: {e}"))?
        .object()
        .map_err(|e| e.to_string())?
        .peel_to_commit()
        .map_err(|e| e.to_string())?;
    let tree = commit.tree().map_err(|e| e.to_string())?;
    let mut changed = std::collections::HashSet::new();
    for file in files {
        // Peeling walks the tree down in place: each lookup on a copy.
        let then = tree
            .clone()
            .peel_to_entry_by_path(format!("{prefix}{file}"))
            .ok()
            .flatten()
            .map(|e| e.object_id());
        let now = std::fs::read(root.join(file)).ok().and_then(|bytes| {
            gix::objs::compute_hash(repo.object_hash(), gix::objs::Kind::Blob, &bytes).ok()
        });
        if then.is_none() || then != now {
            changed.insert(file.to_string());
        }
    }
    Ok(changed)
}
