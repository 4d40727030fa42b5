//! Fuzzing's regressions, inside CI: every checked-in seed
//! (`fuzz/corpus/TARGET/`) and every input that once crashed, hung or ran out
//! of memory under a fuzz target (`tests/fuzz_regressions/TARGET/`) goes
//! through the same harness the fuzz target calls
//! ([`opswiki::fuzzing`]), and must return normally and promptly.
//! The fuzzing itself runs outside CI: `fuzz/run.sh`, see fuzz/README.md.

use std::path::Path;
use std::time::{Duration, Instant};

/// Far above what any of these inputs takes, even on a loaded CI machine;
/// a hang that came back would blow through it.
const SLOW: Duration = Duration::from_secs(20);

fn inputs(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn run_all(folder: &str, require_some: bool) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut failures = Vec::new();
    for &(target, harness) in opswiki::fuzzing::TARGETS {
        let dir = root.join(folder).join(target);
        let files = inputs(&dir);
        if require_some {
            assert!(!files.is_empty(), "no inputs in {}", dir.display());
        }
        for file in files {
            let data = std::fs::read(&file).unwrap();
            let started = Instant::now();
            let result = std::panic::catch_unwind(|| harness(&data));
            let took = started.elapsed();
            let name = file
                .strip_prefix(root)
                .unwrap_or(&file)
                .display()
                .to_string();
            if result.is_err() {
                failures.push(format!("{name}: panicked (target `{target}`)"));
            } else if took > SLOW {
                failures.push(format!("{name}: took {took:.1?} (target `{target}`)"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_seed_runs_clean() {
    run_all("fuzz/corpus", true);
}

#[test]
fn every_input_fuzzing_found_stays_fixed() {
    run_all("tests/fuzz_regressions", false);
}

#[test]
fn every_fuzz_target_has_a_harness() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut targets: Vec<String> = inputs(&root.join("fuzz/fuzz_targets"))
        .iter()
        .filter_map(|p| Some(p.file_stem()?.to_str()?.to_string()))
        .collect();
    targets.sort();
    let mut harnesses: Vec<&str> = opswiki::fuzzing::TARGETS.iter().map(|(n, _)| *n).collect();
    harnesses.sort();
    assert_eq!(targets, harnesses);
}
