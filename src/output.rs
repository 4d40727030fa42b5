//! The output folder, replaced atomically.
//!
//! A build writes into a staging folder beside the output (`.site.tmp`) and
//! then exchanges it with the output in one atomic step, so the output is
//! always either the previous site or the new one, whole, even if the build
//! is killed. The previous site is kept as `.site.old` and recycled as the
//! next build's staging folder: files are overwritten in place and only
//! stale ones are deleted, because deleting ten thousand files can take a
//! minute on disks that discard freed blocks, while overwriting takes a
//! second. A lock on the output's folder keeps two builds into one output
//! from sharing the staging folder. `tests/kill.rs` kills builds at random
//! moments and checks the output is always one whole site.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, Result, anyhow};

/// A build's staging folder. Dropping it without [`Staging::commit`] leaves
/// the output untouched (the partial staging folder is recycled next time).
pub struct Staging {
    output: PathBuf,
    dir: PathBuf,
    written: Mutex<HashSet<PathBuf>>,
    /// Held until the staging folder is committed or dropped; see [`lock`].
    _lock: fs::File,
}

/// `site` → `.site.<tag>` beside it (same file system, so renames are atomic).
pub fn sibling(output: &Path, tag: &str) -> Result<PathBuf> {
    let name = output
        .file_name()
        .with_context(|| format!("output `{}` has no folder name", output.display()))?;
    Ok(output.with_file_name(format!(".{}.{tag}", name.to_string_lossy())))
}

impl Staging {
    /// Prepare a staging folder for `output`, first repairing what a killed
    /// build may have left.
    pub fn begin(output: &Path) -> Result<Staging> {
        let staging = sibling(output, "tmp")?;
        let old = sibling(output, "old")?;
        if let Some(parent) = output.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create `{}`", parent.display()))?;
        }
        let lock = lock(output)?;
        // Killed between renames on a system without an atomic exchange:
        // the previous site is whole in `.old`.
        if !output.exists() && old.is_dir() {
            fs::rename(&old, output)
                .with_context(|| format!("cannot restore `{}`", output.display()))?;
        }
        // Both a staging folder and a kept previous site: no sequence of
        // kills leaves this (each step moves one folder), but a hand-made
        // copy or an older opswiki might. `commit` needs `.old` free.
        if staging.is_dir() && old.is_dir() {
            fs::remove_dir_all(&old)
                .with_context(|| format!("cannot remove `{}`", old.display()))?;
        }
        if !staging.is_dir() {
            if old.is_dir() {
                fs::rename(&old, &staging)
                    .with_context(|| format!("cannot reuse `{}`", old.display()))?;
            } else {
                fs::create_dir_all(&staging)
                    .with_context(|| format!("cannot create `{}`", staging.display()))?;
            }
        }
        Ok(Staging {
            output: output.to_path_buf(),
            dir: staging,
            written: Mutex::new(HashSet::new()),
            _lock: lock,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn record(&self, path: PathBuf) -> Result<()> {
        self.written
            .lock()
            .map_err(|_| anyhow!("a writer thread panicked"))?
            .insert(path);
        Ok(())
    }

    /// Write one file (a path relative to the output, `/`-separated).
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        let path = self.dir.join(rel);
        // In a recycled staging folder the write nearly always succeeds at
        // once, so try it before any check: two `stat`s per file were 6% of
        // a 10,000-page build.
        if overwrite(&path, bytes).is_err() {
            create_parent(&path)?;
            // A folder where a file goes (a page became a section) is replaced.
            if path.is_dir() {
                fs::remove_dir_all(&path)
                    .with_context(|| format!("cannot replace `{}`", path.display()))?;
            }
            overwrite(&path, bytes)
                .with_context(|| format!("cannot write `{}`", path.display()))?;
        }
        self.record(path)
    }

    /// Copy a file unchanged into the output.
    pub fn copy(&self, rel: &str, from: &Path) -> Result<()> {
        let path = self.dir.join(rel);
        create_parent(&path)?;
        copy_regular(from, &path).with_context(|| format!("cannot copy `{}`", from.display()))?;
        self.record(path)
    }

    /// Delete what this build did not write, then swap the staging folder in.
    pub fn commit(self) -> Result<()> {
        let written = self
            .written
            .into_inner()
            .map_err(|_| anyhow!("a writer thread panicked"))?;
        prune(&self.dir, &written)?;
        let old = sibling(&self.output, "old")?;
        if self.output.exists() {
            exchange(&self.dir, &self.output)?;
            // The staging path now holds the previous site: keep it for reuse.
            fs::rename(&self.dir, &old)
                .with_context(|| format!("cannot keep `{}`", old.display()))?;
        } else {
            fs::rename(&self.dir, &self.output)
                .with_context(|| format!("cannot create `{}`", self.output.display()))?;
        }
        Ok(())
    }
}

/// Lock the folder that holds the output for the whole build, waiting for
/// any other build into it to finish first. Two builds sharing one staging
/// folder pruned each other's files (one failed; a mix of both sites could
/// be swapped in). The lock is on the folder itself (`flock` on a directory),
/// so nothing is left beside the output, and the kernel releases it when the
/// process ends, however it ends: a killed build never leaves a stale lock.
/// (Builds into different outputs in one folder take turns too; rare, and
/// harmless.)
fn lock(output: &Path) -> Result<fs::File> {
    let parent = output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let dir =
        fs::File::open(parent).with_context(|| format!("cannot open `{}`", parent.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::io::AsRawFd;
        // SAFETY: flock on a file descriptor we own.
        let try_lock = unsafe { libc::flock(dir.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if try_lock != 0 {
            eprintln!(
                "waiting for another build writing into `{}` to finish...",
                parent.display()
            );
            // SAFETY: as above; this one blocks until the lock is free.
            if unsafe { libc::flock(dir.as_raw_fd(), libc::LOCK_EX) } != 0 {
                return Err(std::io::Error::last_os_error())
                    .with_context(|| format!("cannot lock `{}`", parent.display()));
            }
        }
    }
    Ok(dir)
}

/// `fs::copy`, but only from a regular file. The walk saw one, but by the
/// time it is copied it may have been replaced (a FIFO there would make
/// `fs::copy` wait forever for a writer): it is opened without blocking and
/// checked first.
fn copy_regular(from: &Path, to: &Path) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let mut src = options.open(from)?;
    let meta = src.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::other("no longer a regular file"));
    }
    let mut dst = open_for_overwrite(to)?;
    let len = std::io::copy(&mut src, &mut dst)?;
    dst.set_len(len)?;
    dst.set_permissions(meta.permissions())
}

/// Write `bytes` to `path` over what a recycled staging folder holds there,
/// without truncating first. Truncating frees the file's blocks and the next
/// write allocates new ones; on a file system mounted with `discard` each
/// freed extent is a discard request the truncating call waits for, and a
/// 10,000-page build spent a quarter of its time blocked in them. Written
/// over in place, a file keeps its blocks; `set_len` then frees only the
/// tail of a file that got shorter.
fn overwrite(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = open_for_overwrite(path)?;
    file.write_all(bytes)?;
    file.set_len(bytes.len() as u64)
}

fn open_for_overwrite(path: &Path) -> std::io::Result<fs::File> {
    fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
}

fn create_parent(path: &Path) -> Result<()> {
    if let Some(parent) = path.parent()
        && !parent.is_dir()
    {
        // A file where a folder goes (a page became a section) is replaced.
        let mut ancestor = Some(parent);
        while let Some(a) = ancestor {
            if a.is_file() {
                fs::remove_file(a).with_context(|| format!("cannot replace `{}`", a.display()))?;
                break;
            }
            ancestor = a.parent();
        }
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create `{}`", parent.display()))?;
    }
    Ok(())
}

/// Remove files under `dir` that are not in `keep`, and folders left empty.
fn prune(dir: &Path, keep: &HashSet<PathBuf>) -> Result<()> {
    prune_folder(dir, keep).map(|_| ())
}

/// [`prune`] for one folder; whether it keeps anything. Sub-folders are
/// pruned in parallel: walking a 10,000-page site on one thread was 80 ms at
/// the end of every build. A folder is removed exactly when nothing in it
/// was kept, so no `rmdir` fails on a folder that still holds pages.
fn prune_folder(dir: &Path, keep: &HashSet<PathBuf>) -> Result<bool> {
    use rayon::prelude::*;
    let mut folders = Vec::new();
    let mut kept = false;
    for entry in fs::read_dir(dir).with_context(|| format!("cannot list `{}`", dir.display()))? {
        let entry = entry.with_context(|| format!("cannot list `{}`", dir.display()))?;
        let path = entry.path();
        // The entry's own type: a symlink is removed or kept, never followed.
        let file_type = entry
            .file_type()
            .with_context(|| format!("cannot read `{}`", path.display()))?;
        if file_type.is_dir() {
            folders.push(path);
        } else if keep.contains(&path) {
            kept = true;
        } else {
            fs::remove_file(&path)
                .with_context(|| format!("cannot remove `{}`", path.display()))?;
        }
    }
    let kept_in_folders = folders
        .par_iter()
        .map(|folder| {
            // Fails harmlessly if something appeared in it meanwhile.
            Ok(prune_folder(folder, keep)? || fs::remove_dir(folder).is_err())
        })
        .collect::<Result<Vec<bool>>>()?;
    Ok(kept || kept_in_folders.contains(&true))
}

/// Swap two folders in one atomic step where the OS can.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes())?;
    let cb = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both are valid NUL-terminated paths; renameat2 only reads them.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        return Ok(());
    }
    let err = std::io::Error::last_os_error();
    // File systems without RENAME_EXCHANGE: two renames (a crash between
    // them is repaired by `Staging::begin`).
    if err.raw_os_error() == Some(libc::EINVAL) || err.raw_os_error() == Some(libc::ENOSYS) {
        return exchange_by_renames(a, b);
    }
    Err(err).with_context(|| format!("cannot swap `{}` into `{}`", a.display(), b.display()))
}

#[cfg(not(target_os = "linux"))]
fn exchange(a: &Path, b: &Path) -> Result<()> {
    exchange_by_renames(a, b)
}

fn exchange_by_renames(staging: &Path, output: &Path) -> Result<()> {
    let old = sibling(output, "old")?;
    fs::rename(output, &old)
        .with_context(|| format!("cannot move the previous `{}` aside", output.display()))?;
    fs::rename(staging, output)
        .with_context(|| format!("cannot move the new site into `{}`", output.display()))?;
    // Leave the previous site where `commit` expects it.
    fs::rename(&old, staging).with_context(|| format!("cannot keep `{}`", old.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(dir: &Path) -> Vec<String> {
        let mut out: Vec<String> = walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e
                    .path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .to_string();
                format!("{rel}={}", fs::read_to_string(e.path()).unwrap())
            })
            .collect();
        out.sort();
        out
    }

    #[test]
    fn builds_swap_whole_and_recycle_the_previous_site() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        let s = Staging::begin(&out).unwrap();
        s.write("a/index.html", b"one").unwrap();
        s.write("b/index.html", b"b").unwrap();
        s.commit().unwrap();
        assert_eq!(files(&out), vec!["a/index.html=one", "b/index.html=b"]);

        let s = Staging::begin(&out).unwrap();
        s.write("a/index.html", b"two").unwrap();
        // Not committed: the output is untouched.
        drop(s);
        assert_eq!(files(&out), vec!["a/index.html=one", "b/index.html=b"]);

        let s = Staging::begin(&out).unwrap();
        s.write("a/index.html", b"three").unwrap();
        s.write("c", b"c").unwrap();
        s.commit().unwrap();
        // `b` was not written this time: gone, and no empty folder left.
        assert_eq!(files(&out), vec!["a/index.html=three", "c=c"]);
        assert!(!out.join("b").exists());
        assert!(sibling(&out, "old").unwrap().is_dir());
        assert!(!sibling(&out, "tmp").unwrap().exists());
    }

    #[test]
    fn a_recycled_file_written_shorter_or_longer_holds_just_the_new_bytes() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        // Three builds: the third recycles the first's folder, whose file is
        // longer than the new text, then shorter.
        for text in [
            "a long first version",
            "mid",
            "short",
            "a much longer fourth one",
        ] {
            let s = Staging::begin(&out).unwrap();
            s.write("p/index.html", text.as_bytes()).unwrap();
            let asset = tmp.path().join("asset.txt");
            fs::write(&asset, text).unwrap();
            s.copy("asset.txt", &asset).unwrap();
            s.commit().unwrap();
            assert_eq!(
                files(&out),
                vec![format!("asset.txt={text}"), format!("p/index.html={text}")]
            );
        }
    }

    #[test]
    fn prune_removes_what_was_not_written_and_folders_left_empty() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        for rel in [
            "a/keep.html",
            "a/b/gone.html",
            "a/b/c/gone.html",
            "d/gone.html",
            "e/f/keep.html",
            "top.html",
        ] {
            let path = dir.join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, "x").unwrap();
        }
        fs::create_dir_all(dir.join("empty/inner")).unwrap();
        let keep: HashSet<PathBuf> = ["a/keep.html", "e/f/keep.html"]
            .iter()
            .map(|rel| dir.join(rel))
            .collect();
        prune(dir, &keep).unwrap();
        let mut left: Vec<String> = walkdir::WalkDir::new(dir)
            .min_depth(1)
            .into_iter()
            .map(|e| {
                e.unwrap()
                    .path()
                    .strip_prefix(dir)
                    .unwrap()
                    .display()
                    .to_string()
            })
            .collect();
        left.sort();
        assert_eq!(left, ["a", "a/keep.html", "e", "e/f", "e/f/keep.html"]);
    }

    #[test]
    fn killed_between_the_exchange_and_keeping_the_old_site() {
        // The new site is in place and the previous one is still in the
        // staging folder: the next build reuses that folder as it is.
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("x"), "new").unwrap();
        let staging = sibling(&out, "tmp").unwrap();
        fs::create_dir_all(&staging).unwrap();
        fs::write(staging.join("x"), "previous").unwrap();
        fs::write(staging.join("stale"), "previous").unwrap();
        let s = Staging::begin(&out).unwrap();
        s.write("x", b"newer").unwrap();
        s.commit().unwrap();
        assert_eq!(files(&out), vec!["x=newer"]);
        assert_eq!(files(&sibling(&out, "old").unwrap()), vec!["x=new"]);
        assert!(!staging.exists());
    }

    #[test]
    fn a_staging_folder_and_a_kept_site_both_left_over() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        for (tag, text) in [("tmp", "partial"), ("old", "older")] {
            let dir = sibling(&out, tag).unwrap();
            fs::create_dir_all(&dir).unwrap();
            fs::write(dir.join("x"), text).unwrap();
        }
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("x"), "current").unwrap();
        let s = Staging::begin(&out).unwrap();
        s.write("x", b"new").unwrap();
        s.commit().unwrap();
        assert_eq!(files(&out), vec!["x=new"]);
        assert_eq!(files(&sibling(&out, "old").unwrap()), vec!["x=current"]);
    }

    #[test]
    fn a_second_build_waits_for_the_first() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        let first = Staging::begin(&out).unwrap();
        let out2 = out.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        let second = std::thread::spawn(move || {
            let s = Staging::begin(&out2).unwrap();
            tx.send(()).unwrap();
            s.write("x", b"second").unwrap();
            s.commit().unwrap();
        });
        // The second cannot begin while the first holds the lock.
        assert!(
            rx.recv_timeout(std::time::Duration::from_millis(200))
                .is_err()
        );
        first.write("x", b"first").unwrap();
        first.commit().unwrap();
        rx.recv_timeout(std::time::Duration::from_secs(10)).unwrap();
        second.join().unwrap();
        assert_eq!(files(&out), vec!["x=second"]);
    }

    #[test]
    fn a_killed_swap_is_repaired() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        let old = sibling(&out, "old").unwrap();
        fs::create_dir_all(&old).unwrap();
        fs::write(old.join("x"), "previous").unwrap();
        // `site` missing, `.site.old` whole: begin restores it.
        let s = Staging::begin(&out).unwrap();
        assert_eq!(fs::read_to_string(out.join("x")).unwrap(), "previous");
        drop(s);
    }
}
