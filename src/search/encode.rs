//! Compact text encodings of the index, decoded by `static/search.js`.
//!
//! Numbers are varints in a 64-character alphabet that needs no escaping in
//! a JavaScript string: each character holds 5 bits of the number (least
//! significant first) and a continuation bit (32).

/// The digit alphabet, shared with `static/search.js`.
pub const ALPHABET: &[u8; 64] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";

/// Append `value` as a varint.
pub fn varint(out: &mut String, mut value: u32) {
    loop {
        let digit = value & 31;
        value >>= 5;
        if value == 0 {
            out.push(ALPHABET[digit as usize] as char);
            return;
        }
        out.push(ALPHABET[(digit | 32) as usize] as char);
    }
}

fn digit_value(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

/// Decode a string of varints (for tests and debugging).
pub fn decode_varints(text: &str) -> Option<Vec<u32>> {
    let mut out = Vec::new();
    let mut value = 0u32;
    let mut shift = 0;
    for c in text.bytes() {
        let d = digit_value(c)?;
        value |= (d & 31) << shift;
        if d & 32 == 0 {
            out.push(value);
            value = 0;
            shift = 0;
        } else {
            shift += 5;
        }
    }
    (shift == 0).then_some(out)
}

/// One posting: a section of a page, and how the term appears there.
///
/// Packed to 9 bytes (from 12): a 10,000-page site holds millions of these
/// while the index is built, the largest part of a build's peak memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(C, packed)]
pub struct Posting {
    pub page: u32,
    pub section: u32,
    /// A [`super::index`] field class, 0..=7.
    pub class: u8,
}

/// Postings sorted by (page, section): page delta, then `section * 8 + class`.
pub fn postings(list: &[Posting]) -> String {
    let mut out = String::with_capacity(list.len() * 3);
    let mut prev = 0;
    for p in list {
        varint(&mut out, p.page - prev);
        varint(&mut out, p.section * 8 + u32::from(p.class));
        prev = p.page;
    }
    out
}

/// Decode [`postings`] (for tests).
pub fn decode_postings(text: &str) -> Option<Vec<Posting>> {
    let numbers = decode_varints(text)?;
    let mut page = 0;
    numbers
        .chunks(2)
        .map(|pair| {
            let [delta, packed] = pair else { return None };
            page += delta;
            Some(Posting {
                page,
                section: packed / 8,
                class: (packed % 8) as u8,
            })
        })
        .collect()
}

/// A set of page numbers: `b` and a bitmap (6 pages a character) or `l` and
/// a varint delta list, whichever is shorter.
pub fn page_set(pages: &[u32], page_count: u32) -> String {
    let mut list = String::from("l");
    let mut prev = 0;
    for (i, &p) in pages.iter().enumerate() {
        varint(&mut list, if i == 0 { p } else { p - prev });
        prev = p;
    }
    let bitmap_len = 1 + page_count.div_ceil(6) as usize;
    if list.len() <= bitmap_len {
        return list;
    }
    let mut bits = vec![0u8; page_count.div_ceil(6) as usize];
    for &p in pages {
        bits[(p / 6) as usize] |= 1 << (p % 6);
    }
    let mut out = String::with_capacity(bitmap_len);
    out.push('b');
    out.extend(bits.into_iter().map(|b| ALPHABET[b as usize] as char));
    out
}

/// A shard key as a file name: `a`-`z` and `0`-`9` as they are, anything
/// else as `_` and two hex digits per UTF-8 byte; the empty key is `_`.
pub fn key_file(key: &str) -> String {
    if key.is_empty() {
        return "_".to_string();
    }
    let mut out = String::with_capacity(key.len());
    for c in key.chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("_{b:02x}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip() {
        let mut s = String::new();
        for v in [0, 1, 31, 32, 1000, 1 << 20, u32::MAX] {
            varint(&mut s, v);
        }
        assert_eq!(
            decode_varints(&s).unwrap(),
            vec![0, 1, 31, 32, 1000, 1 << 20, u32::MAX]
        );
        let mut one = String::new();
        varint(&mut one, 31);
        assert_eq!(one, "V", "small numbers take one character");
    }

    #[test]
    fn postings_round_trip_and_stay_small() {
        let list = vec![
            Posting {
                page: 3,
                section: 0,
                class: 7,
            },
            Posting {
                page: 3,
                section: 2,
                class: 0,
            },
            Posting {
                page: 40,
                section: 11,
                class: 3,
            },
        ];
        let text = postings(&list);
        assert_eq!(decode_postings(&text).unwrap(), list);
        assert!(text.len() <= 8, "{text}");
    }

    #[test]
    fn page_sets_pick_the_shorter_form() {
        let sparse = page_set(&[5, 900], 1000);
        assert!(sparse.starts_with('l'), "{sparse}");
        let dense: Vec<u32> = (0..1000).step_by(2).collect();
        let set = page_set(&dense, 1000);
        assert!(set.starts_with('b'), "{set}");
        assert_eq!(set.len(), 1 + 167);
        // Pages 0, 2, 4 of the first six: bits 0b010101.
        assert_eq!(set.as_bytes()[1], ALPHABET[0b010101]);
    }

    #[test]
    fn key_files_are_safe_names() {
        assert_eq!(key_file("co"), "co");
        assert_eq!(key_file(""), "_");
        assert_eq!(key_file("/a"), "_2fa");
        assert_eq!(key_file("ü"), "_c3_bc");
        assert_eq!(key_file("a-"), "a_2d");
    }
}
