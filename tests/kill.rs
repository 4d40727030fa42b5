//! Crash safety: a build killed with SIGKILL at any moment leaves the output
//! folder either the previous site or the new one, whole: never a mix, never
//! nothing; and the next build succeeds and leaves no staging folder behind.
//!
//! Two versions of a mid-size site (A and B: every page's text differs, some
//! pages exist in one only) are built once each into reference folders. Then
//! builds alternating between them are started over one output folder and
//! killed at random moments spread over a build's duration; after each kill
//! the output must match one of the references exactly (every path and every
//! byte). The random delays come from a seed, printed; set
//! `OPSWIKI_KILL_SEED` to replay a failure.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::hash::{DefaultHasher, Hasher};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// Kills per run: enough to land in every stage of a build (load, parse,
/// check, render, prune, swap) many times, while the whole test stays
/// well under a minute on 2 cores.
const KILLS: usize = 40;
/// Runbooks per version: a build of about 0.3 to 1 s (builds got faster;
/// with fewer, too many kills came after a build had finished).
const RUNBOOKS: usize = 500;

/// A small random number generator (xorshift64*): enough for delays, and
/// reproducible from its seed without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A float in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Write version `v` (0 or 1) of the site into `root`.
fn write_site(root: &Path, v: usize) {
    let content = root.join("content");
    let put = |rel: &str, text: &str| {
        let path = content.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    fs::create_dir_all(root).unwrap();
    fs::write(
        root.join("opswiki.yaml"),
        format!("title: Kill test wiki, version {v}\n"),
    )
    .unwrap();
    let mut alarms = String::new();
    for i in 0..RUNBOOKS {
        // Every tenth runbook exists in one version only, so a build must
        // delete pages as well as write them.
        if i % 10 == 0 && i % 20 != v * 10 {
            continue;
        }
        let target = (i / 20) * 20 + 1; // odd: in both versions
        let mut body = format!(
            "---\ntitle: Runbook {i} v{v}\nseverity: P{}\nowner: team-{}\nlast_updated: 2026-11-0{}\n\
             services: [svc-{}]\n---\n\n# Runbook {i}\n\n",
            1 + i % 4,
            i % 7,
            1 + v,
            i % 13
        );
        for section in SECTIONS {
            body.push_str(&format!(
                "## {section}\n\nVersion {v} of {section} for runbook {i}: check the \
                 [related runbook](rb-{target}.md#symptom) and the dashboards of svc-{}. \
                 Error strings such as `ConnectionRefused{i}` and `timeout after {v}s` appear.\n\n\
                 ```sh\nkubectl -n svc-{} logs deploy/api-{i} --since={v}h | grep -c ERROR\n```\n\n\
                 - step one of {i}\n- step two, version {v}\n\n",
                i % 13,
                i % 13
            ));
        }
        put(&format!("runbooks/rb-{i}.md"), &body);
        alarms.push_str(&format!(
            "- name: alarm-{i}\n  description: Alarm {i} version {v}\n  severity: P{}\n  \
             runbook: runbooks/rb-{i}#diagnosis-steps\n",
            1 + i % 4
        ));
    }
    put("alarms/all.yaml", &alarms);
    put(
        "trees/triage.yaml",
        &format!(
            "title: Users report errors v{v}\nstart: a\nnodes:\n  a:\n    check: Error rate v{v}\n    options:\n\
             \x20     - answer: High\n        runbook: runbooks/rb-1\n      - answer: Normal\n        next: b\n\
             \x20 b:\n    check: Health checks\n    options:\n      - answer: Down\n        runbook: runbooks/rb-3\n\
             \x20     - answer: Up\n        escalate: Escalate\n"
        ),
    );
    put(
        "index.md",
        &format!("# Home, version {v}\n\nSee [runbook 1](runbooks/rb-1.md).\n"),
    );
}

/// Every file under `dir`: relative path → hash of its bytes.
fn manifest(dir: &Path) -> BTreeMap<String, u64> {
    snapshot(dir)
        .into_iter()
        .map(|(rel, bytes)| {
            let mut h = DefaultHasher::new();
            h.write(&bytes);
            (rel, h.finish())
        })
        .collect()
}

fn spawn_build(root: &Path, out: &Path) -> std::process::Child {
    Command::new(bin())
        .args(build_args(root, out, TODAY, &["--format", "json"]))
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("run the opswiki binary")
}

/// Build to the end and insist it succeeded; returns how long it took.
fn build_ok(root: &Path, out: &Path) -> Duration {
    let started = Instant::now();
    let o = run(&build_args(root, out, TODAY, &["--format", "json"]));
    assert_eq!(o.code, 0, "build failed:\n{o}");
    started.elapsed()
}

/// Which reference the output is, or a panic describing how it differs.
fn which(out: &Path, refs: &[BTreeMap<String, u64>; 2], context: &str) -> usize {
    let got = manifest(out);
    if let Some(v) = refs.iter().position(|r| *r == got) {
        return v;
    }
    let closest = &refs[usize::from(
        refs[1]
            .iter()
            .filter(|(k, v)| got.get(*k) == Some(v))
            .count()
            > refs[0]
                .iter()
                .filter(|(k, v)| got.get(*k) == Some(v))
                .count(),
    )];
    let missing: Vec<_> = closest
        .keys()
        .filter(|k| !got.contains_key(*k))
        .take(5)
        .collect();
    let extra: Vec<_> = got
        .keys()
        .filter(|k| !closest.contains_key(*k))
        .take(5)
        .collect();
    let changed: Vec<_> = got
        .iter()
        .filter(|(k, v)| closest.get(*k).is_some_and(|c| c != *v))
        .map(|(k, _)| k)
        .take(5)
        .collect();
    panic!(
        "{context}: the output is neither the previous site nor the new one \
         ({} files; closest reference has {}): missing {missing:?}, extra {extra:?}, changed {changed:?}",
        got.len(),
        closest.len()
    );
}

#[test]
fn a_build_killed_at_any_moment_leaves_a_whole_site() {
    let seed = std::env::var("OPSWIKI_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("kill test seed: {seed} (OPSWIKI_KILL_SEED={seed} replays it)");
    let mut rng = Rng(seed);

    let tmp = tempfile::tempdir().unwrap();
    let roots = [tmp.path().join("a"), tmp.path().join("b")];
    for (v, root) in roots.iter().enumerate() {
        write_site(root, v);
    }
    // References: each version built whole, on its own.
    let mut slowest = Duration::ZERO;
    let refs: [BTreeMap<String, u64>; 2] = [0, 1].map(|v| {
        let out = tmp.path().join(format!("ref-{v}")).join("site");
        slowest = slowest.max(build_ok(&roots[v], &out));
        manifest(&out)
    });
    assert_ne!(refs[0], refs[1]);
    eprintln!(
        "references: {} and {} files; a build takes {:.2} s",
        refs[0].len(),
        refs[1].len(),
        slowest.as_secs_f64()
    );

    let work = tmp.path().join("work");
    let out = work.join("site");
    build_ok(&roots[0], &out);
    let mut current = which(&out, &refs, "the first build");
    assert_eq!(current, 0);
    // A build over a previous site (recycling its folder) is what is
    // killed; time one, and one more to have the previous site back. The
    // shorter of the two: a build slowed by other work on the machine would
    // spread the kills past the end of the builds that follow.
    // Timed the way the killed builds run (spawned, output discarded).
    let timed = |root: &Path| {
        let started = Instant::now();
        let status = spawn_build(root, &out).wait().unwrap();
        assert!(status.success(), "build failed: {status}");
        started.elapsed()
    };
    let rebuild = timed(&roots[1]).min(timed(&roots[0]));
    eprintln!(
        "a build over the previous site takes {:.2} s",
        rebuild.as_secs_f64()
    );

    // Half the delays spread over a whole build, half around its end (the
    // prune and the swap), and a few past it.
    // On a busy machine one timing says little: a build that finishes
    // before its kill shortens the span, so later kills land inside builds.
    let mut span = rebuild.as_secs_f64();
    let (mut unchanged, mut swapped, mut finished) = (0, 0, 0);
    for kill in 0..KILLS {
        let target = 1 - current;
        let at = if kill % 2 == 0 {
            rng.unit() * 1.1
        } else {
            0.7 + rng.unit() * 0.5
        };
        let delay = Duration::from_secs_f64(span * at);
        let mut child = spawn_build(&roots[target], &out);
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL, unless it has finished already
        let status = child.wait().unwrap();
        let context = format!(
            "kill {kill} after {:.3} s (seed {seed})",
            delay.as_secs_f64()
        );
        let now = which(&out, &refs, &context);
        if status.code().is_some() {
            // It finished before the signal came.
            assert!(status.success(), "{context}: the build failed: {status}");
            assert_eq!(
                now, target,
                "{context}: finished, but the old site is there"
            );
            finished += 1;
            span = span.min(delay.as_secs_f64()).max(0.02);
        } else if now == target {
            swapped += 1;
        } else {
            unchanged += 1;
        }
        current = now;
    }
    eprintln!(
        "{KILLS} kills: {unchanged} left the previous site, {swapped} the new one \
         (killed after the swap), {finished} builds finished first"
    );
    assert!(
        unchanged >= KILLS / 4,
        "too few kills landed during a build ({unchanged}): the site is too small to test this"
    );

    // The next build after all that succeeds, and gives exactly the new site.
    let target = 1 - current;
    build_ok(&roots[target], &out);
    assert_eq!(which(&out, &refs, "the build after the kills"), target);
    // No staging folder is left behind; the previous site is kept as
    // `.site.old` on purpose (recycled as the next staging folder, because
    // deleting thousands of files is slow), and nothing else is there.
    let mut left: Vec<String> = fs::read_dir(&work)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, [".site.old", "site"], "left beside the output");
    // And a build from the recycled folder is as whole as the first.
    build_ok(&roots[1 - target], &out);
    assert_eq!(which(&out, &refs, "one more build"), 1 - target);
}

#[test]
fn two_builds_into_one_folder_at_once_leave_a_whole_site() {
    let tmp = tempfile::tempdir().unwrap();
    let roots = [tmp.path().join("a"), tmp.path().join("b")];
    for (v, root) in roots.iter().enumerate() {
        write_site(root, v);
    }
    let refs: [BTreeMap<String, u64>; 2] = [0, 1].map(|v| {
        let out = tmp.path().join(format!("ref-{v}")).join("site");
        build_ok(&roots[v], &out);
        manifest(&out)
    });
    let out = tmp.path().join("work").join("site");
    build_ok(&roots[0], &out);
    // Builds of both versions started together share one staging folder
    // unless the second waits for the first: without the lock, each pruned
    // the other's files.
    for round in 0..3 {
        let mut a = spawn_build(&roots[0], &out);
        let mut b = spawn_build(&roots[1], &out);
        assert!(a.wait().unwrap().success(), "round {round}: build A failed");
        assert!(b.wait().unwrap().success(), "round {round}: build B failed");
        which(&out, &refs, &format!("round {round}"));
    }
}
