//! The documentation keeps up with the code: every diagnostic code the
//! source can emit is listed in docs/diagnostics.md.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// String literals that follow `marker` (after optional whitespace).
fn literals_after(text: &str, marker: &str, out: &mut BTreeSet<String>) {
    for (i, _) in text.match_indices(marker) {
        let rest = text[i + marker.len()..].trim_start();
        if let Some(body) = rest.strip_prefix('"')
            && let Some(end) = body.find('"')
        {
            out.insert(body[..end].to_string());
        }
    }
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every code literal in the source: the first argument of
/// `Diagnostic::error(`/`warning(`, `code = "..."`, `CODE: &str = "..."`,
/// and the per-kind codes in model.rs.
fn codes_in_source() -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut codes = BTreeSet::new();
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        // Unit tests make up codes of their own.
        let text = text.split("#[cfg(test)]").next().unwrap();
        for marker in [
            "Diagnostic::error(",
            "Diagnostic::warning(",
            "code = ",
            "CODE: &str = ",
            "(\"symlink-loop\"",
        ] {
            literals_after(text, marker, &mut codes);
        }
        if file.ends_with("model.rs") {
            for line in text.lines() {
                if let Some((_, lit)) = line.split_once("=> \"")
                    && let Some(code) = lit.split('"').next()
                    && (code.contains("-field-") || code.contains("-section-"))
                {
                    codes.insert(code.to_string());
                }
            }
        }
    }
    codes.insert("symlink-loop".into());
    codes
}

#[test]
fn every_diagnostic_code_is_documented() {
    let docs =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/diagnostics.md"))
            .unwrap();
    let codes = codes_in_source();
    assert!(codes.len() > 60, "the scan found too few codes: {codes:?}");
    let missing: Vec<&String> = codes
        .iter()
        .filter(|code| !docs.contains(&format!("`{code}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "codes missing from docs/diagnostics.md: {missing:?}"
    );
}
