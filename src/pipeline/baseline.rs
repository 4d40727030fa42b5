//! The baseline: the findings a team has accepted for now, so CI fails only
//! on new ones. `opswiki check --write-baseline` records every current
//! finding; afterwards a finding that matches an entry is counted apart and
//! fails nothing. An entry is the code, the file and a fingerprint of what
//! the finding is about (the code, the file, the text of the line it points
//! at and its message, with white space folded and numbers blanked), not
//! its line number: lines added above a finding leave it matched, and a
//! message that counts days (`runbook-stale`) stays the same finding as the
//! days pass. Identical fingerprints are matched by count.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diag::{Code, Diagnostic, Sources, Span};

/// The format's version, written into the file.
const VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
struct File {
    opswiki_baseline: u32,
    findings: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
struct Entry {
    file: String,
    code: String,
    fingerprint: String,
    /// For the reader of a diff; not matched.
    message: String,
}

/// The baseline as read: how many findings of each fingerprint it accepts.
#[derive(Debug, Default, Clone)]
pub struct Baseline {
    accepted: HashMap<String, usize>,
}

/// Read the baseline at `path` (relative to `root`). A missing file is an
/// empty baseline; one that is not a baseline is `baseline-invalid`.
pub fn read(root: &Path, path: &str) -> Result<Baseline, Box<Diagnostic>> {
    let text = match std::fs::read_to_string(root.join(path)) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Baseline::default()),
        Err(e) => {
            return Err(Box::new(Diagnostic::new(
                Code::BaselineInvalid,
                Span::new(path, 1, 1),
                format!("cannot read the baseline `{path}`: {e}"),
            )));
        }
    };
    let file: File = serde_json::from_str(&text).map_err(|e| {
        Box::new(
            Diagnostic::new(
                Code::BaselineInvalid,
                Span::new(path, e.line().max(1) as u32, e.column().max(1) as u32),
                format!("`{path}` is not an opswiki baseline: {e}"),
            )
            .with_help("write it again with `opswiki check --write-baseline`"),
        )
    })?;
    if file.opswiki_baseline != VERSION {
        return Err(Box::new(Diagnostic::new(
            Code::BaselineInvalid,
            Span::new(path, 1, 1),
            format!(
                "`{path}` is baseline version {}, this opswiki reads version {VERSION}",
                file.opswiki_baseline
            ),
        )));
    }
    let mut accepted = HashMap::new();
    for entry in file.findings {
        *accepted.entry(entry.fingerprint).or_insert(0) += 1;
    }
    Ok(Baseline { accepted })
}

impl Baseline {
    /// Split sorted findings into those reported and those in the baseline.
    pub fn partition(
        &self,
        diags: Vec<Diagnostic>,
        sources: &Sources,
    ) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
        if self.accepted.is_empty() {
            return (diags, Vec::new());
        }
        let mut left = self.accepted.clone();
        let (mut reported, mut baselined) = (Vec::new(), Vec::new());
        for d in diags {
            match left.get_mut(&fingerprint(&d, sources)) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    baselined.push(d);
                }
                _ => reported.push(d),
            }
        }
        (reported, baselined)
    }

    pub fn len(&self) -> usize {
        self.accepted.values().sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The baseline file's text for `diags`: sorted, one entry per finding.
pub fn render(diags: &[Diagnostic], sources: &Sources) -> String {
    let mut findings: Vec<Entry> = diags
        .iter()
        .map(|d| Entry {
            file: d.span.file.clone(),
            code: d.code.name().to_string(),
            fingerprint: fingerprint(d, sources),
            message: d.message.clone(),
        })
        .collect();
    findings.sort();
    let file = File {
        opswiki_baseline: VERSION,
        findings,
    };
    let mut text = serde_json::to_string_pretty(&file).expect("a baseline serializes");
    text.push('\n');
    text
}

/// What identifies a finding across edits elsewhere in its file.
pub fn fingerprint(d: &Diagnostic, sources: &Sources) -> String {
    let line = if d.span.line > 0 {
        sources.line(&d.span.file, d.span.line).unwrap_or("")
    } else {
        ""
    };
    let mut hash = Fnv::default();
    for part in [d.code.name(), &d.span.file, &fold(line), &fold(&d.message)] {
        hash.write(part.as_bytes());
        hash.write(&[0]);
    }
    format!("{:016x}", hash.0)
}

/// White space folded to single spaces, each run of digits to `0`.
fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = ' ';
    for c in text.trim().chars() {
        let c = if c.is_ascii_digit() {
            '0'
        } else if c.is_whitespace() {
            ' '
        } else {
            c
        };
        if (c == '0' || c == ' ') && last == c {
            continue;
        }
        out.push(c);
        last = c;
    }
    out
}

/// FNV-1a, 64 bits: stable across builds and platforms, unlike std's
/// hasher, which a baseline written by one build and read by another needs.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_survive_lines_above_and_changing_counts() {
        let d = |line, message: &str| {
            Diagnostic::new(Code::LinkBroken, Span::new("a.md", line, 5), message)
        };
        let mut before = Sources::new();
        before.insert("a.md", "x\nsee [b](b)\n");
        let mut after = Sources::new();
        after.insert("a.md", "a new line\nx\nsee  [b](b)\n");
        let was = fingerprint(&d(2, "no page `b` (12 days)"), &before);
        assert_eq!(was, fingerprint(&d(3, "no page `b` (13 days)"), &after));
        assert_ne!(was, fingerprint(&d(2, "no page `b` (12 days)"), &after));
        assert_ne!(was, fingerprint(&d(2, "no page `c`"), &before));
    }

    #[test]
    fn identical_findings_match_by_count() {
        let sources = Sources::new();
        let d = Diagnostic::new(Code::LinkBroken, Span::new("a.md", 0, 0), "m");
        let text = render(std::slice::from_ref(&d), &sources);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("b.json"), text).unwrap();
        let baseline = read(dir.path(), "b.json").unwrap();
        let (reported, baselined) = baseline.partition(vec![d.clone(), d], &sources);
        assert_eq!((reported.len(), baselined.len()), (1, 1));
    }
}
