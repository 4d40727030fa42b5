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

pub fn is_stop_word(word: &str) -> bool {
    // The same words as STOP_WORDS (a test checks), as a match: a length
    // switch and a few compares, on every token.
    matches!(
        word,
        "an" | "and"
            | "are"
            | "as"
            | "at"
            | "be"
            | "been"
            | "but"
            | "by"
            | "can"
            | "do"
            | "does"
            | "for"
            | "from"
            | "had"
            | "has"
            | "have"
            | "if"
            | "in"
            | "into"
            | "is"
            | "it"
            | "its"
            | "of"
            | "on"
            | "or"
            | "our"
            | "so"
            | "than"
            | "that"
            | "the"
            | "their"
            | "then"
            | "there"
            | "these"
            | "they"
            | "this"
            | "those"
            | "to"
            | "was"
            | "we"
            | "were"
            | "what"
            | "when"
            | "which"
            | "while"
            | "will"
            | "with"
            | "you"
            | "your"
    )
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
    let mut start = 0;
    let mut chars = segment.char_indices().peekable();
    let mut prev: Option<char> = None;
    while let Some((i, cur)) = chars.next() {
        if let Some(prev) = prev {
            let next = chars.peek().map(|&(_, c)| c);
            let boundary = cur.is_ascii_uppercase()
                && ((prev.is_ascii_lowercase() || prev.is_ascii_digit())
                    || (prev.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase())));
            if boundary {
                out.push((offset + start, offset + i));
                start = i;
            }
        }
        prev = Some(cur);
    }
    out.push((offset + start, offset + segment.len()));
}

/// Light stemming of a lower-case word: `replicas` → `replica`,
/// `queries` → `query`; words ending in `ss`, `us`, `is` keep their `s`.
pub fn stem(word: &str) -> std::borrow::Cow<'_, str> {
    let mut owned = word.to_string();
    if stem_in_place(&mut owned) {
        owned.into()
    } else {
        word.into()
    }
}

/// [`stem`] on a buffer; true if it changed.
fn stem_in_place(word: &mut String) -> bool {
    let n = word.len();
    if n < 4 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return false;
    }
    if n > 4 && word.ends_with("ies") {
        word.truncate(n - 3);
        word.push('y');
        return true;
    }
    if word.ends_with('s')
        && !(word.ends_with("ss") || word.ends_with("us") || word.ends_with("is"))
    {
        word.pop();
        return true;
    }
    false
}

/// Lower-case `raw` into `buf`; returns its length in characters.
fn lower_into(raw: &str, buf: &mut String) -> usize {
    buf.clear();
    if raw.is_ascii() {
        buf.extend(raw.bytes().map(|b| b.to_ascii_lowercase() as char));
        buf.len()
    } else {
        buf.push_str(&raw.to_lowercase());
        buf.chars().count()
    }
}

/// A word or part as indexed, into `buf`: lower-cased and stemmed; false
/// when it is too short, too long or a stop word.
fn normalize_into(raw: &str, buf: &mut String) -> bool {
    let len = lower_into(raw, buf);
    if !(MIN_LEN..=MAX_WORD).contains(&len) || is_stop_word(buf) {
        return false;
    }
    stem_in_place(buf);
    true
}

/// A word or part as indexed: lower-cased and stemmed, or `None` when it is
/// too short, too long or a stop word.
pub fn normalize_word(raw: &str) -> Option<String> {
    let mut buf = String::new();
    normalize_into(raw, &mut buf).then_some(buf)
}

/// How an ASCII byte takes part in a run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ascii {
    Separator,
    Lower,
    Upper,
    Digit,
    Joiner,
}

const fn ascii_class(b: u8) -> Ascii {
    match b {
        b'a'..=b'z' => Ascii::Lower,
        b'A'..=b'Z' => Ascii::Upper,
        b'0'..=b'9' => Ascii::Digit,
        b'-' | b'_' | b'.' | b'/' => Ascii::Joiner,
        _ => Ascii::Separator,
    }
}

const ASCII: [Ascii; 128] = {
    let mut table = [Ascii::Separator; 128];
    let mut i = 0;
    while i < 128 {
        table[i] = ascii_class(i as u8);
        i += 1;
    }
    table
};

/// The character at byte `i` of `text` (a char boundary).
fn char_at(text: &str, i: usize) -> char {
    text[i..].chars().next().unwrap_or(' ')
}

/// Call `emit` for every token of `text`, in order.
pub fn tokenize(text: &str, mut emit: impl FnMut(&str, Piece)) {
    let bytes = text.as_bytes();
    let mut parts: Vec<(usize, usize)> = Vec::new();
    let mut buf = String::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 128 {
            if ASCII[b as usize] == Ascii::Separator {
                i += 1;
                continue;
            }
        } else {
            let c = char_at(text, i);
            if !c.is_alphanumeric() {
                i += c.len_utf8();
                continue;
            }
        }
        // A run: what it holds decides how much work it needs.
        let start = i;
        let (mut ascii, mut upper, mut joiner) = (true, false, false);
        while i < bytes.len() {
            let b = bytes[i];
            if b < 128 {
                match ASCII[b as usize] {
                    Ascii::Separator => break,
                    Ascii::Upper => upper = true,
                    Ascii::Joiner => joiner = true,
                    _ => {}
                }
                i += 1;
            } else {
                let c = char_at(text, i);
                if !c.is_alphanumeric() {
                    break;
                }
                ascii = false;
                i += c.len_utf8();
            }
        }
        let raw = &text[start..i];
        if ascii && !upper && !joiner {
            // A plain lower-case word: the common case.
            if (MIN_LEN..=MAX_WORD).contains(&raw.len()) && !is_stop_word(raw) {
                buf.clear();
                buf.push_str(raw);
                stem_in_place(&mut buf);
                emit(&buf, Piece::Word);
            }
            continue;
        }
        let run = if joiner { trim_run(raw) } else { raw };
        if run.is_empty() {
            continue;
        }
        parts.clear();
        let mut seg_start = None;
        for (j, c) in run.char_indices() {
            if is_joiner(c) {
                if let Some(s) = seg_start.take() {
                    camel_parts(&run[s..j], &mut parts, s);
                }
            } else if seg_start.is_none() {
                seg_start = Some(j);
            }
        }
        if let Some(s) = seg_start {
            camel_parts(&run[s..], &mut parts, s);
        }
        if parts.len() == 1 {
            let (s, e) = parts[0];
            if normalize_into(&run[s..e], &mut buf) {
                emit(&buf, Piece::Word);
            }
            continue;
        }
        if (MIN_LEN..=MAX_COMPOUND).contains(&lower_into(run, &mut buf)) {
            emit(&buf, Piece::Compound);
            // A path inside a longer run (`localhost:8080/health/ready` gives
            // the run `8080/health/ready`) is found by its own path too:
            // every tail from a `/` that still holds another `/`.
            if run.contains('/') {
                let whole = buf.clone();
                for (j, c) in whole.char_indices() {
                    if j > 0 && c == '/' && whole[j + 1..].contains('/') {
                        emit(&whole[j..], Piece::Compound);
                    }
                }
            }
        }
        for &(s, e) in &parts {
            if normalize_into(&run[s..e], &mut buf) {
                emit(&buf, Piece::Part);
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
    fn stop_words_list_and_match_agree() {
        let mut sorted = STOP_WORDS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, STOP_WORDS, "sorted, no duplicates");
        for w in STOP_WORDS {
            assert!(is_stop_word(w), "{w}");
        }
        // Every word of two or three letters the match accepts is listed.
        let letters: Vec<char> = ('a'..='z').collect();
        for a in &letters {
            for b in &letters {
                let w = format!("{a}{b}");
                assert_eq!(is_stop_word(&w), STOP_WORDS.contains(&w.as_str()), "{w}");
                for c in &letters {
                    let w = format!("{a}{b}{c}");
                    assert_eq!(is_stop_word(&w), STOP_WORDS.contains(&w.as_str()), "{w}");
                }
            }
        }
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
        assert_eq!(
            terms("TimeoutError"),
            vec!["timeouterror", "timeout", "error"]
        );
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
            terms("curl localhost:8080/health/ready"),
            vec![
                "curl",
                "localhost",
                "8080/health/ready",
                "/health/ready",
                "8080",
                "health",
                "ready"
            ]
        );
        assert_eq!(
            terms("https://api.example.com/health"),
            vec![
                "http",
                "api.example.com/health",
                "api",
                "example",
                "com",
                "health"
            ]
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
        assert_eq!(
            terms("Störung über Nacht"),
            vec!["störung", "über", "nacht"]
        );
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
