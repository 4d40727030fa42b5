//! Long generated pages (the alarm catalogue, the runbook index, the action
//! items) cut into parts, so that no page a phone opens on a poor network
//! is over about half a megabyte, however large the wiki.
//!
//! Where a part ends is decided before the rows are rendered, from an
//! estimate of each row's size: other pages link straight to the part that
//! holds an alarm's row, so the parts must be known before anything renders.
//! The estimate is the length of the row's view as JSON (every field it
//! shows), each character that HTML escaping lengthens counted as its
//! longest escape, plus the template's own markup: an upper bound of what
//! the fields take on the page, and a field added to a row counts without
//! a change here.

use std::ops::Range;

use serde::Serialize;

/// The estimated size of the rows of one part, in bytes. The estimate is
/// an upper bound of what the rows' fields take once escaped; what renders
/// is usually little more than half of it (about 400 kB a part at 10,000
/// runbooks), and a part with its page around it stays under 1 MB (the
/// bound the tests hold every page to) even where every character is escaped.
pub(super) const PART_BUDGET: usize = 720 * 1024;

/// The longest HTML escape of a character (Tera's `&#x2F;` for `/`).
const ESCAPE: usize = 6;

/// The length of `value` as JSON, each of `& < > " ' /` counted as
/// [`ESCAPE`] bytes, without building the string.
pub(super) fn escaped_len<T: Serialize>(value: &T) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let escaped = buf
                .iter()
                .filter(|b| matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'' | b'/'))
                .count();
            self.0 += buf.len() + escaped * (ESCAPE - 1);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Writing to a counter cannot fail; a view that cannot be written counts 0.
    let _ = serde_json::to_writer(&mut count, value);
    count.0
}

/// Consecutive ranges of rows, each as many as fit in `budget` (at least
/// one row, so a row larger than the budget is a part of its own).
pub(super) fn cut(sizes: impl IntoIterator<Item = usize>, budget: usize) -> Vec<Range<usize>> {
    let mut parts = Vec::new();
    let (mut start, mut used, mut n) = (0, 0, 0);
    for size in sizes {
        if n > start && used + size > budget {
            parts.push(start..n);
            start = n;
            used = 0;
        }
        used += size;
        n += 1;
    }
    if n > start {
        parts.push(start..n);
    }
    parts
}

/// A link to one part of a split page, for the part navigation.
#[derive(Serialize, Clone)]
pub(super) struct PartLink {
    /// From the page it is shown on.
    pub href: String,
    /// 1-based.
    pub number: usize,
    /// What the part holds, e.g. the first and last alarm name.
    pub label: String,
    pub current: bool,
}

/// The part navigation of one part: where it stands among the others.
#[derive(Serialize)]
pub(super) struct PartNav {
    pub number: usize,
    pub count: usize,
    pub label: String,
    pub prev: Option<PartLink>,
    pub next: Option<PartLink>,
    /// The page listing every part.
    pub index_href: String,
}

impl PartNav {
    /// The navigation of part `at` among `links` (whose hrefs are from the
    /// part's own folder).
    pub(super) fn of(links: &[PartLink], at: usize, index_href: String) -> PartNav {
        PartNav {
            number: at + 1,
            count: links.len(),
            label: links[at].label.clone(),
            prev: at.checked_sub(1).map(|p| links[p].clone()),
            next: links.get(at + 1).cloned(),
            index_href,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_cut_at_the_budget() {
        assert_eq!(cut([4, 4, 4, 4, 4], 10), vec![0..2, 2..4, 4..5]);
        assert_eq!(cut([20, 1, 1], 10), vec![0..1, 1..3]);
        assert_eq!(cut([1, 1], 10), vec![0..2]);
        assert!(cut([], 10).is_empty());
    }

    #[test]
    fn escaped_characters_count_as_their_escape() {
        let plain = serde_json::json!({"a": "bc"});
        assert_eq!(escaped_len(&plain), 4 * ESCAPE + 6);
        let same_length = serde_json::json!({"a": "xbx"});
        let value = serde_json::json!({"a": "<b/"});
        assert_eq!(
            escaped_len(&value),
            escaped_len(&same_length) + 2 * (ESCAPE - 1)
        );
    }
}
