//! The search model: each page as the index sees it (one entry per heading
//! section), the terms of each section with the field they were found in,
//! and the inverted index over all pages.

use std::collections::HashMap;

use rayon::prelude::*;

use super::encode::Posting;
use super::tokenize::{Piece, tokenize};

/// Where a term was found; higher ranks first. The browser turns each into
/// a weight (`WEIGHTS` in `static/search.js`).
pub mod class {
    /// Body text, once. `BODY + 1`: twice; `BODY + 2`: three times or more.
    pub const BODY: u8 = 0;
    /// The section's heading.
    pub const HEADING: u8 = 3;
    /// Owner, services, tags; an alarm's description, metric and filter.
    pub const META: u8 = 4;
    /// A part of the name of an alarm that leads to the section.
    pub const ALARM_PART: u8 = 5;
    /// The page title.
    pub const TITLE: u8 = 6;
    /// The whole name of an alarm that leads to the section.
    pub const ALARM: u8 = 7;
}

/// A page (or the alarm catalogue) as the index sees it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndexPage {
    /// Path from the site root, e.g. `runbooks/x/index.html`.
    pub url: String,
    pub title: String,
    /// `runbook`, `postmortem`, `report`, `page` or `alarm`.
    pub kind: String,
    pub severity: Option<String>,
    pub services: Vec<String>,
    /// Text about the whole page (owner, services, tags), indexed on section 0.
    pub meta: Vec<String>,
    /// Section 0 is the top of the page (title, text before the first
    /// heading); then one per heading.
    pub sections: Vec<IndexSection>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndexSection {
    /// Empty for the top of the page.
    pub heading: String,
    /// Empty for the top of the page.
    pub anchor: String,
    pub text: String,
    /// Alarms whose runbook link lands on this section.
    pub alarms: Vec<IndexAlarm>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndexAlarm {
    pub name: String,
    /// Description, metric, filter, service: searchable, not shown.
    pub about: String,
}

#[derive(Clone, Copy)]
struct Seen {
    class: u8,
    body_count: u16,
}

/// Collects one section's terms with the best class of each.
#[derive(Default)]
struct SectionTerms {
    terms: HashMap<String, Seen>,
}

impl SectionTerms {
    fn add(&mut self, term: &str, class: u8) {
        if let Some(seen) = self.terms.get_mut(term) {
            if class == class::BODY {
                seen.body_count = seen.body_count.saturating_add(1);
            } else {
                seen.class = seen.class.max(class);
            }
            return;
        }
        let seen = if class == class::BODY {
            Seen {
                class: 0,
                body_count: 1,
            }
        } else {
            Seen {
                class,
                body_count: 0,
            }
        };
        self.terms.insert(term.to_string(), seen);
    }

    /// Index `text` with `class`; for alarm names, parts get `part_class`.
    fn add_text(&mut self, text: &str, class: u8, part_class: u8) {
        tokenize(text, |term, piece| {
            let c = if piece == Piece::Part {
                part_class
            } else {
                class
            };
            self.add(term, c);
        });
    }

    fn flush(&mut self, section: u32, out: &mut Vec<(String, u32, u8)>) {
        for (term, seen) in self.terms.drain() {
            let body = match seen.body_count {
                0 => 0,
                n => class::BODY + (n.min(3) as u8 - 1),
            };
            out.push((term, section, seen.class.max(body)));
        }
    }
}

/// Every term of a page: `(term, section, class)`, one per term and
/// section, in section order.
pub fn page_terms(page: &IndexPage) -> Vec<(String, u32, u8)> {
    let mut out = Vec::new();
    let mut terms = SectionTerms::default();
    for (s, section) in page.sections.iter().enumerate() {
        if s == 0 {
            terms.add_text(&page.title, class::TITLE, class::TITLE);
            for meta in &page.meta {
                terms.add_text(meta, class::META, class::META);
            }
        }
        terms.add_text(&section.heading, class::HEADING, class::HEADING);
        terms.add_text(&section.text, class::BODY, class::BODY);
        for alarm in &section.alarms {
            terms.add_text(&alarm.name, class::ALARM, class::ALARM_PART);
            terms.add_text(&alarm.about, class::META, class::META);
        }
        terms.flush(s as u32, &mut out);
    }
    out
}

/// The inverted index: every term, sorted, with its postings sorted by
/// (page, section).
#[derive(Debug, Default)]
pub struct Index {
    pub terms: Vec<(String, Vec<Posting>)>,
}

impl Index {
    pub fn build(pages: &[IndexPage]) -> Index {
        let per_page: Vec<Vec<(String, u32, u8)>> = pages.par_iter().map(page_terms).collect();
        // Merge in buckets by a hash of the term, in parallel; pages stay in
        // order within each bucket, so postings come out sorted.
        const BUCKETS: usize = 64;
        let bucket_of = |term: &str| -> usize {
            let mut h: u32 = 2166136261;
            for b in term.bytes() {
                h = (h ^ u32::from(b)).wrapping_mul(16777619);
            }
            h as usize % BUCKETS
        };
        let split: Vec<Vec<Vec<(String, u32, u8)>>> = per_page
            .into_par_iter()
            .map(|terms| {
                let mut buckets: Vec<Vec<(String, u32, u8)>> = vec![Vec::new(); BUCKETS];
                for t in terms {
                    buckets[bucket_of(&t.0)].push(t);
                }
                buckets
            })
            .collect();
        let mut by_bucket: Vec<Vec<(u32, Vec<(String, u32, u8)>)>> = vec![Vec::new(); BUCKETS];
        for (page, buckets) in split.into_iter().enumerate() {
            for (b, terms) in buckets.into_iter().enumerate() {
                if !terms.is_empty() {
                    by_bucket[b].push((page as u32, terms));
                }
            }
        }
        let mut terms: Vec<(String, Vec<Posting>)> = by_bucket
            .into_par_iter()
            .flat_map_iter(|pages| {
                let mut map: HashMap<String, Vec<Posting>> = HashMap::new();
                for (page, terms) in pages {
                    for (term, section, class) in terms {
                        map.entry(term).or_default().push(Posting {
                            page,
                            section,
                            class,
                        });
                    }
                }
                map.into_iter()
            })
            .collect();
        terms.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for (_, postings) in &mut terms {
            postings.sort_unstable();
        }
        Index { terms }
    }

    pub fn get(&self, term: &str) -> Option<&[Posting]> {
        self.terms
            .binary_search_by(|(t, _)| t.as_str().cmp(term))
            .ok()
            .map(|i| self.terms[i].1.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(title: &str, sections: &[(&str, &str)]) -> IndexPage {
        IndexPage {
            url: "x/index.html".into(),
            title: title.into(),
            kind: "runbook".into(),
            sections: sections
                .iter()
                .map(|(h, t)| IndexSection {
                    heading: h.to_string(),
                    anchor: crate::markdown::anchor_base(h),
                    text: t.to_string(),
                    alarms: Vec::new(),
                })
                .collect(),
            ..IndexPage::default()
        }
    }

    #[test]
    fn classes_rank_fields() {
        let mut p = page(
            "Disk Pressure",
            &[
                ("", "Intro mentions latency latency latency."),
                ("Check latency", "Look at timeout once."),
            ],
        );
        p.meta.push("team-storage".into());
        p.sections[1].alarms.push(IndexAlarm {
            name: "KubePodCrashLooping".into(),
            about: "Pods restart".into(),
        });
        let terms = page_terms(&p);
        let get = |term: &str, s: u32| {
            terms
                .iter()
                .find(|(t, sec, _)| t == term && *sec == s)
                .map(|x| x.2)
        };
        assert_eq!(get("disk", 0), Some(class::TITLE));
        assert_eq!(get("latency", 0), Some(class::BODY + 2));
        assert_eq!(get("latency", 1), Some(class::HEADING));
        assert_eq!(get("timeout", 1), Some(class::BODY));
        assert_eq!(get("team-storage", 0), Some(class::META));
        assert_eq!(get("kubepodcrashlooping", 1), Some(class::ALARM));
        assert_eq!(get("crash", 1), Some(class::ALARM_PART));
        assert_eq!(get("restart", 1), Some(class::META));
        assert_eq!(get("timeout", 0), None);
    }

    #[test]
    fn index_merges_pages_in_order() {
        let pages = vec![
            page("A", &[("", "shared alpha")]),
            page("B", &[("", "shared"), ("Beta", "shared")]),
        ];
        let index = Index::build(&pages);
        let shared = index.get("shared").unwrap();
        let at: Vec<(u32, u32)> = shared.iter().map(|p| (p.page, p.section)).collect();
        assert_eq!(at, vec![(0, 0), (1, 0), (1, 1)]);
        assert_eq!(index.get("alpha").unwrap().len(), 1);
        assert!(index.terms.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
