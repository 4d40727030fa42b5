//! The documentation keeps up with the code: docs/diagnostics.md is
//! generated from the registry of codes (src/diag/codes.rs), and every code
//! declared there is one the source can emit.

use std::fs;
use std::path::Path;

use opswiki::diag::Code;

#[test]
fn the_diagnostics_page_is_generated_from_the_registry() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/diagnostics.md");
    let generated = opswiki::diag::codes::markdown();
    if std::env::var_os("OPSWIKI_WRITE_DOCS").is_some() {
        fs::write(&path, &generated).unwrap();
    }
    let committed = fs::read_to_string(&path).unwrap();
    assert!(
        committed == generated,
        "docs/diagnostics.md is stale: run `OPSWIKI_WRITE_DOCS=1 cargo test --release --test docs` and commit it"
    );
    for code in Code::ALL {
        assert!(committed.contains(&format!("| `{code}` |")), "{code}");
    }
}

fn rust_sources(dir: &Path, out: &mut String) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("diag/codes.rs") {
            let text = fs::read_to_string(&path).unwrap();
            // Unit tests may name codes they never see emitted.
            out.push_str(text.split("#[cfg(test)]").next().unwrap());
        }
    }
}

#[test]
fn every_declared_code_is_named_by_the_code_that_emits_it() {
    let mut source = String::new();
    rust_sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut source,
    );
    let unused: Vec<&Code> = Code::ALL
        .iter()
        .filter(|code| !source.contains(&format!("Code::{code:?}")))
        .collect();
    assert!(unused.is_empty(), "declared but never emitted: {unused:?}");
}

#[test]
fn names_are_kebab_case_and_unique() {
    let mut names: Vec<&str> = Code::ALL.iter().map(|c| c.name()).collect();
    for name in &names {
        assert!(
            name.chars()
                .all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit()),
            "{name}"
        );
        assert_eq!(Code::from_name(name).map(|c| c.name()), Some(*name));
    }
    names.sort();
    let before = names.len();
    names.dedup();
    assert_eq!(before, names.len(), "a code is declared twice");
}
