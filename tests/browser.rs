//! Browser tests: the rendered site in headless Chromium, driven from node by
//! playwright-core (tests/browser/). One `#[test]` per `tests/browser/*.test.mjs`
//! file, so cargo reports each on its own line.
//!
//! Needs node (20 or later) and Debian's chromium at /usr/bin/chromium; the
//! npm dependencies are installed with `npm ci` on first use. `.ci/run` sets
//! up all of it. Run with `cargo test --release --test browser`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

const CHROMIUM: &str = "/usr/bin/chromium";

/// The browser test files, each with its `#[test]` below.
const TEST_FILES: &[&str] = &[
    "a11y.test.mjs",
    "anchors.test.mjs",
    "flavors.test.mjs",
    "layout.test.mjs",
    "pages.test.mjs",
    "search.test.mjs",
    "serve.test.mjs",
    "split.test.mjs",
    "trees.test.mjs",
];

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// Check node and Chromium, and install the npm dependencies once per run.
fn setup() -> Result<(), String> {
    static SETUP: OnceLock<Result<(), String>> = OnceLock::new();
    SETUP
        .get_or_init(|| {
            let node = Command::new("node").arg("--version").output();
            match node {
                Ok(out) if out.status.success() => {}
                _ => {
                    return Err("node is missing: install Node.js 20 or later (apt-get install \
                                nodejs npm), and chromium (apt-get install chromium), or run .ci/run"
                        .into());
                }
            }
            if !Path::new(CHROMIUM).exists() {
                return Err(format!(
                    "{CHROMIUM} is missing: install chromium (apt-get install chromium) or run .ci/run"
                ));
            }
            let dir = browser_dir();
            let installed = ["playwright-core", "axe-core"]
                .iter()
                .all(|package| dir.join("node_modules").join(package).exists());
            if !installed {
                let out = Command::new("npm")
                    .args(["ci", "--no-audit", "--no-fund"])
                    .current_dir(&dir)
                    .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
                    .output()
                    .map_err(|e| {
                        format!("cannot run npm ({e}): install npm (apt-get install npm) or run .ci/run")
                    })?;
                if !out.status.success() {
                    return Err(format!(
                        "`npm ci` in {} failed:\n{}{}",
                        dir.display(),
                        String::from_utf8_lossy(&out.stdout),
                        String::from_utf8_lossy(&out.stderr)
                    ));
                }
            }
            Ok(())
        })
        .clone()
}

/// Run one browser test file through tests/browser/run.mjs.
fn run_browser_test(file: &str) {
    // One Chromium at a time: the machines have 2 cores.
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());

    if let Err(message) = setup() {
        panic!("browser tests cannot run: {message}");
    }
    let dir = browser_dir();
    let out = Command::new("node")
        .arg(dir.join("run.mjs"))
        .arg(file)
        .current_dir(&dir)
        .env("OPSWIKI_BIN", env!("CARGO_BIN_EXE_opswiki"))
        .output()
        .expect("cannot run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(
        out.status.success(),
        "browser test {file} failed ({}):\n{stdout}{stderr}",
        out.status
    );
}

#[test]
fn a11y() {
    run_browser_test("a11y.test.mjs");
}

#[test]
fn anchors() {
    run_browser_test("anchors.test.mjs");
}

#[test]
fn flavors() {
    run_browser_test("flavors.test.mjs");
}

#[test]
fn layout() {
    run_browser_test("layout.test.mjs");
}

#[test]
fn pages() {
    run_browser_test("pages.test.mjs");
}

#[test]
fn search() {
    run_browser_test("search.test.mjs");
}

#[test]
fn split() {
    run_browser_test("split.test.mjs");
}

#[test]
fn trees() {
    run_browser_test("trees.test.mjs");
}

#[test]
fn serve() {
    run_browser_test("serve.test.mjs");
}

/// A new tests/browser/*.test.mjs must get its `#[test]` here, or it would
/// never run.
#[test]
fn every_browser_test_file_has_a_test() {
    let mut on_disk: Vec<String> = fs::read_dir(browser_dir())
        .expect("tests/browser exists")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".test.mjs"))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = TEST_FILES.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(
        on_disk, listed,
        "tests/browser/*.test.mjs and TEST_FILES in tests/browser.rs differ: add a #[test] \
         calling run_browser_test(\"NAME.test.mjs\") and list the file in TEST_FILES"
    );
}
