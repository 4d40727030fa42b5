//! Tokenising for search. The browser runs the very same rules on the query
//! (`tokenize` in `static/search.js`); `tests/search_tokens.json` holds cases
//! both implementations are tested against.
//!
//! A *run* is a maximal stretch of letters, digits and the joiners `- _ . /`,
//! so technical names stay whole: `api-order-endpoint-5xx-rate`,
//! `/api/orders`, `aws/apigateway/5xx`. A run made of several parts (split at
//! the joiners and at ASCII camel-case boundaries: `KubePodCrashLooping` →
//! kube, pod, crash, looping) is emitted whole as a [`Piece::Compound`] and
//! part by part as [`Piece::Part`]; a run of one part is a [`Piece::Word`].
//! Letters and digits are never split apart: `p99`, `5xx`, `v2` stay whole.
//! Words and parts are lower-cased, lightly stemmed (plural `s`, `ies`) and
//! dropped when they are stop words or shorter than two characters.

/// Shortest term indexed, in characters.
pub const MIN_LEN: usize = 2;
/// Longest compound indexed whole, in characters.
pub const MAX_COMPOUND: usize = 64;
/// Longest word or part indexed, in characters (longer ones are hashes).
pub const MAX_WORD: usize = 40;

/// English words too common to help: never indexed, dropped from queries.
pub const STOP_WORDS: &[&str] = &[
    "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "do", "does", "for", "from",
    "had", "has", "have", "if", "in", "into", "is", "it", "its", "of", "on", "or", "our", "so",
    "than", "that", "the", "their", "then", "there", "these", "they", "this", "those", "to", "was",
    "we", "were", "what", "when", "which", "while", "will", "with", "you", "your",
];

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Piece {
    /// A run of one part: a plain word (`timeout`, `p99`).
    Word,
    /// A run of several parts, whole (`api-order-endpoint-5xx-rate`).
    Compound,
    /// One part of a compound (`endpoint`).
    Part,
}

fn is_joiner(c: char) -> bool {
    matches!(c, '-' | '_' | '.' | '/')
}

fn is_run_char(c: char) -> bool {
    c.is_alphanumeric() || is_joiner(c)
}

pub fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.binary_search(&word).is_ok()
}

/// Trim a raw run: leading `- _ .`; a leading `//` (the rest of a URL after
/// `https:`) with any joiners after it; trailing `- _ . /`.
fn trim_run(run: &str) -> &str {
    let mut s = run.trim_start_matches(['-', '_', '.']);
    if s.starts_with("//") {
        s = s.trim_start_matches(is_joiner);
    }
    s.trim_end_matches(is_joiner)
}

/// Split one joiner-free segment at ASCII camel-case boundaries:
/// `aB` → `a|B`, `9B` → `9|B`, `ABc` → `A|Bc`.
fn camel_parts(segment: &str, out: &mut Vec<(usize, usize)>, offset: usize) {
    let bytes: Vec<(usize, char)> = segment.char_indices().collect();
    let mut start = 0;
    for i in 1..bytes.len() {
        let prev = bytes[i - 1].1;
        let cur = bytes[i].1;
        let next = bytes.get(i + 1).map(|(_, c)| *c);
        let boundary = cur.is_ascii_uppercase()
            && ((prev.is_ascii_lowercase() || prev.is_ascii_digit())
                || (prev.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase())));
        if boundary {
            out.push((offset + start, offset + bytes[i].0));
            start = bytes[i].0;
        }
    }
    out.push((offset + start, offset + segment.len()));
}

/// Light stemming of a lower-case word: `replicas` → `replica`,
/// `queries` → `query`; words ending in `ss`, `us`, `is` keep their `s`.
pub fn stem(word: &str) -> std::borrow::Cow<'_, str> {
    let ascii_letters = word.bytes().all(|b| b.is_ascii_lowercase());
    if !ascii_letters || word.len() < 4 {
        return word.into();
    }
    if word.len() > 4 && word.ends_with("ies") {
        return format!("{}y", &word[..word.len() - 3]).into();
    }
    if word.ends_with('s') && !(word.ends_with("ss") || word.ends_with("us") || word.ends_with("is"))
    {
        return word[..word.len() - 1].into();
    }
    word.into()
}

/// A word or part as indexed: lower-cased and stemmed, or `None` when it is
/// too short, too long or a stop word.
pub fn normalize_word(raw: &str) -> Option<String> {
    let lower = raw.to_lowercase();
    let len = lower.chars().count();
    if !(MIN_LEN..=MAX_WORD).contains(&len) || is_stop_word(&lower) {
        return None;
    }
    Some(stem(&lower).into_owned())
}

/// Call `emit` for every token of `text`, in order.
pub fn tokenize(text: &str, mut emit: impl FnMut(&str, Piece)) {
    let mut parts: Vec<(usize, usize)> = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let Some(start) = rest.find(is_run_char) else {
            break;
        };
        let after = &rest[start..];
        let end = after.find(|c: char| !is_run_char(c)).unwrap_or(after.len());
        let run = trim_run(&after[..end]);
        rest = &after[end..];
        if run.is_empty() {
            continue;
        }
        parts.clear();
        let mut seg_start = None;
        for (i, c) in run.char_indices() {
            if is_joiner(c) {
                if let Some(s) = seg_start.take() {
                    camel_parts(&run[s..i], &mut parts, s);
                }
            } else if seg_start.is_none() {
                seg_start = Some(i);
            }
        }
        if let Some(s) = seg_start {
            camel_parts(&run[s..], &mut parts, s);
        }
        if parts.len() == 1 {
            let (s, e) = parts[0];
            if let Some(word) = normalize_word(&run[s..e]) {
                emit(&word, Piece::Word);
            }
            continue;
        }
        let whole = run.to_lowercase();
        if (MIN_LEN..=MAX_COMPOUND).contains(&whole.chars().count()) {
            emit(&whole, Piece::Compound);
        }
        for &(s, e) in &parts {
            if let Some(word) = normalize_word(&run[s..e]) {
                emit(&word, Piece::Part);
            }
        }
    }
}

/// Every token of `text` as `(token, piece)`: for tests and small texts.
pub fn tokens(text: &str) -> Vec<(String, Piece)> {
    let mut out = Vec::new();
    tokenize(text, |t, p| out.push((t.to_string(), p)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<String> {
        tokens(text).into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        let mut sorted = STOP_WORDS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, STOP_WORDS);
    }

    #[test]
    fn alarm_names_stay_whole_and_in_parts() {
        assert_eq!(
            tokens("api-order-endpoint-5xx-rate"),
            vec![
                ("api-order-endpoint-5xx-rate".to_string(), Piece::Compound),
                ("api".to_string(), Piece::Part),
                ("order".to_string(), Piece::Part),
                ("endpoint".to_string(), Piece::Part),
                ("5xx".to_string(), Piece::Part),
                ("rate".to_string(), Piece::Part),
            ]
        );
    }

    #[test]
    fn camel_case_splits_on_ascii_boundaries() {
        assert_eq!(
            terms("KubePodCrashLooping"),
            vec!["kubepodcrashlooping", "kube", "pod", "crash", "looping"]
        );
        assert_eq!(terms("TimeoutError"), vec!["timeouterror", "timeout", "error"]);
        assert_eq!(terms("HTTPServer"), vec!["httpserver", "http", "server"]);
        assert_eq!(terms("OOMKilled"), vec!["oomkilled", "oom", "killed"]);
        assert_eq!(terms("p99Latency"), vec!["p99latency", "p99", "latency"]);
    }

    #[test]
    fn letters_and_digits_stay_together() {
        assert_eq!(terms("p99 5xx v2 2xx"), vec!["p99", "5xx", "v2", "2xx"]);
    }

    #[test]
    fn paths_and_urls() {
        assert_eq!(terms("`/api/orders`"), vec!["/api/orders", "api", "order"]);
        assert_eq!(
            terms("resource=/api/orders."),
            vec!["resource", "/api/orders", "api", "order"]
        );
        assert_eq!(
            terms("https://api.example.com/health"),
            vec!["http", "api.example.com/health", "api", "example", "com", "health"]
        );
    }

    #[test]
    fn sentences_drop_stop_words_and_punctuation() {
        assert_eq!(
            terms("The pods are restarting, and the queue is full."),
            vec!["pod", "restarting", "queue", "full"]
        );
    }

    #[test]
    fn stemming_is_light() {
        assert_eq!(stem("replicas"), "replica");
        assert_eq!(stem("queries"), "query");
        assert_eq!(stem("status"), "status");
        assert_eq!(stem("redis"), "redis");
        assert_eq!(stem("class"), "class");
        assert_eq!(stem("pods"), "pod");
        assert_eq!(stem("ms"), "ms");
        assert_eq!(stem("5xxs"), "5xxs");
    }

    #[test]
    fn unicode_and_limits() {
        assert_eq!(terms("Störung über Nacht"), vec!["störung", "über", "nacht"]);
        assert!(terms(&"a".repeat(41)).is_empty());
        assert_eq!(terms("x y"), Vec::<String>::new());
    }

    #[test]
    fn shared_cases_with_the_browser() {
        let cases: Vec<(String, Vec<String>)> =
            serde_json::from_str(include_str!("../../tests/search_tokens.json")).unwrap();
        for (input, expected) in cases {
            assert_eq!(terms(&input), expected, "tokens of {input:?}");
        }
    }
}
