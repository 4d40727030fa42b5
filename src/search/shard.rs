//! Splitting the index into shards by term prefix, so a query loads only the
//! few small files its words need.
//!
//! Shard keys form a trie: the root key `""` holds every term, and while a
//! shard is over its byte budget its largest one-character-longer group of
//! terms is split out into a shard of its own (recursively). A term lives in
//! the shard with the *longest key that is a prefix of it*, which the browser
//! finds from the list of keys alone; the words a prefix can complete are in
//! that shard and in the shards whose keys start with the prefix.
//!
//! A term found in very many sections keeps only its best postings in the
//! shard (highest class first); the full list goes to an overflow file that
//! the browser loads only when a query needs it (filters, "more results").

use std::fmt::Write as _;

use super::encode::{self, Posting};

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Soft budget of a shard file, in bytes.
    pub shard_bytes: usize,
    /// Postings of a term kept in its shard; the rest go to an overflow file.
    pub postings_per_term: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            shard_bytes: 12_000,
            postings_per_term: 400,
        }
    }
}

/// Group sorted terms (with their encoded sizes) into shards: `(key, term
/// indices)`, keys in the order they were made.
pub fn plan(terms: &[(&str, usize)], budget: usize) -> Vec<(String, Vec<usize>)> {
    let mut out = Vec::new();
    if !terms.is_empty() {
        split(terms, 0, String::new(), 0, budget, &mut out);
    }
    out
}

/// `terms[..]` all start with `key` (of `depth` characters); their indices
/// in the whole list start at `base`.
fn split(
    terms: &[(&str, usize)],
    base: usize,
    key: String,
    depth: usize,
    budget: usize,
    out: &mut Vec<(String, Vec<usize>)>,
) {
    let total: usize = terms.iter().map(|t| t.1).sum();
    // Children: runs of terms sharing the next character (sorted terms make
    // them contiguous). Terms equal to `key` have no next character.
    let mut children: Vec<(String, usize, usize, usize)> = Vec::new(); // key, start, end, size
    let mut i = 0;
    while i < terms.len() {
        let Some(next) = terms[i].0.chars().nth(depth) else {
            i += 1;
            continue;
        };
        let mut child_key = key.clone();
        child_key.push(next);
        let start = i;
        let mut size = 0;
        while i < terms.len() && terms[i].0.starts_with(child_key.as_str()) {
            size += terms[i].1;
            i += 1;
        }
        children.push((child_key, start, i, size));
    }
    let mut remaining = total;
    let mut order: Vec<usize> = (0..children.len()).collect();
    order.sort_by(|&a, &b| children[b].3.cmp(&children[a].3).then(a.cmp(&b)));
    let mut split_out = vec![false; children.len()];
    for &c in &order {
        if remaining <= budget {
            break;
        }
        split_out[c] = true;
        remaining -= children[c].3;
    }
    let mut keep = vec![true; terms.len()];
    for (c, child) in children.iter().enumerate() {
        if split_out[c] {
            keep[child.1..child.2].fill(false);
        }
    }
    let own: Vec<usize> = (0..terms.len())
        .filter(|&i| keep[i])
        .map(|i| base + i)
        .collect();
    if !own.is_empty() {
        out.push((key, own));
    }
    for (c, (child_key, start, end, _)) in children.into_iter().enumerate() {
        if split_out[c] {
            split(
                &terms[start..end],
                base + start,
                child_key,
                depth + 1,
                budget,
                out,
            );
        }
    }
}

/// A term's postings as written in its shard: all of them, or the best
/// `limit` and the full list for the overflow file.
///
/// A term in more than `common` sections gets no overflow file: it says as
/// little as a stop word, and its full list would be large.
pub fn encode_term(postings: &[Posting], limit: usize, common: usize) -> (String, Option<String>) {
    if postings.len() <= limit {
        return (encode::postings(postings), None);
    }
    // The best `limit` by class, earliest first among equals, in one pass
    // (there are eight classes): every posting above the cut-off class, and
    // the first ones at it.
    let mut per_class = [0usize; 8];
    for p in postings {
        per_class[usize::from(p.class.min(7))] += 1;
    }
    let (mut cut, mut above) = (7, 0);
    while cut > 0 && above + per_class[cut] < limit {
        above += per_class[cut];
        cut -= 1;
    }
    let mut at_cut = limit - above;
    let best: Vec<Posting> = postings
        .iter()
        .filter(|p| {
            let c = usize::from(p.class.min(7));
            if c > cut {
                true
            } else if c == cut && at_cut > 0 {
                at_cut -= 1;
                true
            } else {
                false
            }
        })
        .copied()
        .collect();
    let full = (postings.len() <= common).then(|| encode::postings(postings));
    (encode::postings(&best), full)
}

/// A JSON string literal, with `<` and `>` as `\u003c` and `\u003e`: the
/// shards are scripts, and no page text (a title `</script>`) can end one
/// even if a shard is ever inlined in a page. The search page shows every
/// string as text (`textContent`), never as HTML.
pub fn json_str(s: &str) -> String {
    let json = serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string());
    if json.contains(['<', '>']) {
        json.replace('<', "\\u003c").replace('>', "\\u003e")
    } else {
        json
    }
}

/// One encoded term, ready to be placed in a shard.
pub struct EncodedTerm<'a> {
    pub term: &'a str,
    pub shown: String,
    pub overflow: Option<String>,
    pub total: usize,
}

impl EncodedTerm<'_> {
    /// Bytes it takes in a shard file.
    pub fn size(&self) -> usize {
        self.term.len() + self.shown.len() + if self.overflow.is_some() { 20 } else { 6 }
    }
}

/// The files of the term index: shards under `search/s/`, overflow lists
/// under `search/x/`; returns the shard keys too (for the manifest).
pub fn files(terms: &[EncodedTerm], limits: &Limits) -> (Vec<String>, Vec<(String, Vec<u8>)>) {
    let sizes: Vec<(&str, usize)> = terms.iter().map(|t| (t.term, t.size())).collect();
    let shards = plan(&sizes, limits.shard_bytes);
    let mut files = Vec::with_capacity(shards.len());
    let mut keys = Vec::with_capacity(shards.len());
    for (key, members) in shards {
        let file = encode::key_file(&key);
        let mut js = String::with_capacity(limits.shard_bytes + 256);
        let _ = write!(js, "OpswikiSearch.s({},{{", json_str(&key));
        for (n, &i) in members.iter().enumerate() {
            let t = &terms[i];
            if n > 0 {
                js.push(',');
            }
            js.push_str(&json_str(t.term));
            js.push(':');
            match &t.overflow {
                None if t.total > limits.postings_per_term => {
                    let _ = write!(js, "[\"{}\",null,{}]", t.shown, t.total);
                }
                None => {
                    let _ = write!(js, "\"{}\"", t.shown);
                }
                Some(full) => {
                    let id = format!("{file}-{n}");
                    let _ = write!(js, "[\"{}\",\"{id}\",{}]", t.shown, t.total);
                    files.push((
                        format!("search/x/{id}.js"),
                        format!("OpswikiSearch.x(\"{id}\",\"{full}\");\n").into_bytes(),
                    ));
                }
            }
        }
        js.push_str("});\n");
        files.push((format!("search/s/{file}.js"), js.into_bytes()));
        keys.push(key);
    }
    (keys, files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner_of<'a>(keys: &'a [(String, Vec<usize>)], term: &str) -> &'a str {
        keys.iter()
            .filter(|(k, _)| term.starts_with(k.as_str()))
            .max_by_key(|(k, _)| k.chars().count())
            .map(|(k, _)| k.as_str())
            .unwrap()
    }

    #[test]
    fn small_indexes_are_one_shard() {
        let terms = [("alpha", 10), ("beta", 10)];
        assert_eq!(plan(&terms, 100), vec![(String::new(), vec![0, 1])]);
    }

    #[test]
    fn big_groups_split_out_and_longest_prefix_finds_every_term() {
        let mut terms: Vec<(String, usize)> = Vec::new();
        for w in [
            "apple", "apply", "banana", "band", "bandit", "bar", "c", "co", "cob",
        ] {
            terms.push((w.to_string(), 10));
        }
        for i in 0..50 {
            terms.push((format!("con{i:03}"), 10));
        }
        terms.sort();
        let refs: Vec<(&str, usize)> = terms.iter().map(|(t, s)| (t.as_str(), *s)).collect();
        let shards = plan(&refs, 60);
        // Every term is in exactly one shard: the one with the longest key
        // that prefixes it.
        let mut seen = vec![0; terms.len()];
        for (key, members) in &shards {
            for &i in members {
                seen[i] += 1;
                assert_eq!(owner_of(&shards, &terms[i].0), key, "{}", terms[i].0);
            }
        }
        assert!(seen.iter().all(|&n| n == 1), "{seen:?}");
        // No shard is over budget unless a single term needs more.
        for (key, members) in &shards {
            let size: usize = members.iter().map(|&i| terms[i].1).sum();
            assert!(size <= 60, "{key}: {size}");
        }
        assert!(shards.iter().any(|(k, _)| k.starts_with("con")));
    }

    #[test]
    fn long_lists_keep_their_best_postings() {
        let mut list: Vec<Posting> = (0..10)
            .map(|p| Posting {
                page: p,
                section: 1,
                class: 0,
            })
            .collect();
        list[7].class = 6;
        list[8].class = 6;
        list[9].class = 7;
        let (shown, full) = encode_term(&list, 4, 100);
        let shown = encode::decode_postings(&shown).unwrap();
        assert_eq!(
            shown.iter().map(|p| p.page).collect::<Vec<_>>(),
            vec![0, 7, 8, 9]
        );
        assert_eq!(encode::decode_postings(&full.unwrap()).unwrap(), list);
        assert!(encode_term(&list, 10, 100).1.is_none());
        assert!(
            encode_term(&list, 4, 9).1.is_none(),
            "too common for an overflow file"
        );
    }
}
