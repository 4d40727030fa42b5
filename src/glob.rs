//! Path globs as the config writes them: gitignore-style, `*` stays within
//! one folder and `**` crosses folders, matched against paths relative to
//! the site root with `/` separators. globset (ripgrep's) does the matching.

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

/// One glob, checked. `Err` says what is wrong with it.
pub fn compile(pattern: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
}

/// A set of globs that were each checked by [`compile`] already; a pattern
/// that does not compile is left out.
pub fn set<'a>(patterns: impl IntoIterator<Item = &'a String>) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        if let Ok(glob) = compile(pattern) {
            builder.add(glob);
        }
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}

/// As [`set`], but matching ignores case: page paths are matched the way
/// page ids are (`Runbooks/DB.md` is in `runbooks/**`).
pub fn set_ignoring_case<'a>(patterns: impl IntoIterator<Item = &'a String>) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        if let Ok(glob) = GlobBuilder::new(pattern)
            .literal_separator(true)
            .backslash_escape(true)
            .case_insensitive(true)
            .build()
        {
            builder.add(glob);
        }
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_stays_in_a_folder_and_double_star_crosses() {
        let one = set(&["content/runbooks/*".to_string()]);
        assert!(one.is_match("content/runbooks/a.md"));
        assert!(!one.is_match("content/runbooks/legacy/a.md"));
        let all = set(&["content/runbooks/legacy/**".to_string()]);
        assert!(all.is_match("content/runbooks/legacy/a.md"));
        assert!(all.is_match("content/runbooks/legacy/x/y.md"));
        assert!(!all.is_match("content/runbooks/a.md"));
        assert!(compile("a/[b").is_err());
    }
}
