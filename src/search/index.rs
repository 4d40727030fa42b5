//! The search model: each page as the index sees it (one entry per heading
//! section), the terms of each section with the field they were found in,
//! and the inverted index over all pages.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use rayon::prelude::*;

use super::encode::Posting;
use super::tokenize::{Piece, tokenize};

/// Where a term was found. The browser turns each into a weight (`WEIGHTS`
/// in `static/search.js`): alarm name 100, short title 50, title 48,
/// heading 30, meta 28, body 10, 12, 14.
pub mod class {
    /// Body text, once. `BODY + 1`: twice; `BODY + 2`: three times or more.
    pub const BODY: u8 = 0;
    /// The section's heading.
    pub const HEADING: u8 = 3;
    /// Owner, services, tags; a part of the name of an alarm that leads to
    /// the section, its description, metric and filter.
    pub const META: u8 = 4;
    /// The page title, when it has four words or more.
    pub const TITLE: u8 = 5;
    /// The page title, when it has three words or fewer: a query that
    /// matches it says more of it, so it ranks a little higher.
    pub const SHORT_TITLE: u8 = 6;
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

/// A small, fast hasher for the index's own maps (terms and term ids are
/// not attacker-chosen in a way that matters for a build).
#[derive(Default, Clone, Copy)]
pub struct Fx(u64);

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let word = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(n)).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

fn fx_hash(term: &str) -> u64 {
    let mut h = Fx::default();
    term.hash(&mut h);
    h.finish()
}

/// Every term seen, with a number, shared by the threads that index pages
/// (split into locked parts so they rarely wait on each other).
pub struct Dictionary {
    parts: Vec<Mutex<FxMap<String, u32>>>,
    next: AtomicU32,
    /// Tells this dictionary from any other in the process, for the
    /// threads' caches of term ids ([`with_worker`]).
    serial: u64,
}

impl Default for Dictionary {
    fn default() -> Dictionary {
        Dictionary::new()
    }
}

impl Dictionary {
    const PARTS: usize = 64;

    fn new() -> Dictionary {
        static SERIAL: AtomicU64 = AtomicU64::new(0);
        Dictionary {
            parts: (0..Self::PARTS).map(|_| Mutex::default()).collect(),
            next: AtomicU32::new(0),
            serial: SERIAL.fetch_add(1, Ordering::Relaxed),
        }
    }

    fn id(&self, term: &str) -> u32 {
        let part = &self.parts[(fx_hash(term) as usize) % Self::PARTS];
        let mut map = part.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(&id) = map.get(term) {
            return id;
        }
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        map.insert(term.to_string(), id);
        id
    }

    /// How many terms it holds.
    pub fn term_count(&self) -> usize {
        self.next.load(Ordering::Relaxed) as usize
    }

    /// Terms by id.
    fn into_terms(self) -> Vec<String> {
        let mut terms = vec![String::new(); self.next.into_inner() as usize];
        for part in self.parts {
            for (term, id) in part.into_inner().unwrap_or_else(|e| e.into_inner()) {
                terms[id as usize] = term;
            }
        }
        terms
    }
}

#[derive(Clone, Copy)]
struct Seen {
    /// The best class other than body text (0: none; those are 3 and up).
    class: u8,
    body_count: u16,
}

impl Seen {
    const EMPTY: Seen = Seen {
        class: 0,
        body_count: 0,
    };

    fn is_empty(&self) -> bool {
        self.class == 0 && self.body_count == 0
    }
}

/// Collects one section's terms (as ids) with the best class of each.
struct SectionTerms<'a> {
    dictionary: &'a Dictionary,
    worker: &'a mut Worker,
}

/// What one indexing thread keeps between pages.
#[derive(Default)]
struct Worker {
    /// Ids of the terms this worker has seen, so most tokens need no lock.
    cache: FxMap<String, u32>,
    /// The current section's terms, by id (dense), and which ids are set.
    seen: Vec<Seen>,
    touched: Vec<u32>,
}

impl SectionTerms<'_> {
    fn add(&mut self, term: &str, class: u8) {
        let w = &mut *self.worker;
        let id = match w.cache.get(term) {
            Some(&id) => id,
            None => {
                let id = self.dictionary.id(term);
                w.cache.insert(term.to_string(), id);
                id
            }
        };
        let i = id as usize;
        if i >= w.seen.len() {
            w.seen.resize(i + 1024, Seen::EMPTY);
        }
        let seen = &mut w.seen[i];
        if seen.is_empty() {
            w.touched.push(id);
        }
        if class == class::BODY {
            seen.body_count = seen.body_count.saturating_add(1);
        } else {
            seen.class = seen.class.max(class);
        }
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

    /// Index the alarms that lead to the section: whole names as such,
    /// their parts and what is said about them as meta.
    fn add_alarms(&mut self, alarms: &[IndexAlarm]) {
        for alarm in alarms {
            self.add_text(&alarm.name, class::ALARM, class::META);
            self.add_text(&alarm.about, class::META, class::META);
        }
    }

    fn flush(&mut self, section: u32, out: &mut Vec<TermHit>) {
        let w = &mut *self.worker;
        for id in w.touched.drain(..) {
            let seen = std::mem::replace(&mut w.seen[id as usize], Seen::EMPTY);
            let body = match seen.body_count {
                0 => 0,
                n => class::BODY + (n.min(3) as u8 - 1),
            };
            out.push(TermHit {
                term: id,
                section,
                class: seen.class.max(body),
            });
        }
    }
}

thread_local! {
    /// The worker of each thread that indexes pages as they render, with
    /// the serial of the dictionary its cache of term ids belongs to.
    static WORKER: std::cell::RefCell<(u64, Worker)> =
        std::cell::RefCell::new((u64::MAX, Worker::default()));
}

/// Run `f` with this thread's worker for `dictionary` (a fresh one when the
/// thread last worked for another dictionary).
fn with_worker<R>(dictionary: &Dictionary, f: impl FnOnce(&mut Worker) -> R) -> R {
    WORKER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.0 != dictionary.serial {
            *slot = (dictionary.serial, Worker::default());
        }
        f(&mut slot.1)
    })
}

/// A page indexed: as the index sees it, with its terms. Its section
/// texts are cut down once indexed: what is written after the index needs
/// only the snippets.
pub struct IndexedPage {
    pub page: IndexPage,
    hits: Vec<TermHit>,
}

impl IndexedPage {
    /// How many (term, section) pairs the page holds until the merge.
    pub fn hit_count(&self) -> usize {
        self.hits.len()
    }

    /// Index everything `page` holds, then replace each section's text by
    /// `shorten(text)`.
    pub fn new(mut page: IndexPage, dictionary: &Dictionary, shorten: fn(&str) -> String) -> Self {
        let mut hits = with_worker(dictionary, |worker| page_terms(&page, dictionary, worker));
        // Grown by doubling, the lists held a quarter more than their hits
        // until the merge, at the build's peak memory.
        hits.shrink_to_fit();
        for section in &mut page.sections {
            section.text = shorten(&section.text);
        }
        IndexedPage { page, hits }
    }

    /// Index the alarms attached to the page's sections since it was
    /// indexed. A term a section has already keeps the better class, as
    /// when the section is indexed whole ([`page_terms`]).
    pub fn add_alarm_terms(&mut self, dictionary: &Dictionary) {
        if self.page.sections.iter().all(|s| s.alarms.is_empty()) {
            return;
        }
        let found = with_worker(dictionary, |worker| {
            let mut out = Vec::new();
            let mut terms = SectionTerms { dictionary, worker };
            for (s, section) in self.page.sections.iter().enumerate() {
                if section.alarms.is_empty() {
                    continue;
                }
                terms.add_alarms(&section.alarms);
                terms.flush(s as u32, &mut out);
            }
            out
        });
        let mut at: FxMap<(u32, u32), usize> = self
            .hits
            .iter()
            .enumerate()
            .map(|(i, hit)| ((hit.term, hit.section), i))
            .collect();
        for hit in found {
            match at.get(&(hit.term, hit.section)) {
                Some(&i) => {
                    let class = self.hits[i].class.max(hit.class);
                    self.hits[i].class = class;
                }
                None => {
                    at.insert((hit.term, hit.section), self.hits.len());
                    self.hits.push(hit);
                }
            }
        }
    }
}

/// The size of a [`TermHit`].
pub const HIT_BYTES: usize = std::mem::size_of::<TermHit>();

/// A term (by id) found in a section of a page, with its class. Packed
/// like [`Posting`]: every page's hits are held until the index is merged.
#[derive(Clone, Copy)]
#[repr(C, packed)]
struct TermHit {
    term: u32,
    section: u32,
    class: u8,
}

/// Every term of a page, one per term and section, in section order.
fn page_terms(page: &IndexPage, dictionary: &Dictionary, worker: &mut Worker) -> Vec<TermHit> {
    let mut out = Vec::new();
    let mut terms = SectionTerms { dictionary, worker };
    for (s, section) in page.sections.iter().enumerate() {
        if s == 0 {
            let mut words = 0;
            tokenize(&page.title, |_, piece| {
                words += usize::from(piece != Piece::Compound)
            });
            let title = if words <= 3 {
                class::SHORT_TITLE
            } else {
                class::TITLE
            };
            terms.add_text(&page.title, title, title);
            for meta in &page.meta {
                terms.add_text(meta, class::META, class::META);
            }
        }
        // The catalogue's row of an alarm that has a runbook is named by its
        // heading, weighted as text: the runbook's section ranks first.
        let heading = if page.kind == "alarm" && section.alarms.is_empty() {
            class::BODY
        } else {
            class::HEADING
        };
        terms.add_text(&section.heading, heading, heading);
        terms.add_text(&section.text, class::BODY, class::BODY);
        terms.add_alarms(&section.alarms);
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
        let dictionary = Dictionary::new();
        let per_page: Vec<Vec<TermHit>> = pages
            .par_iter()
            .map_init(Worker::default, |worker, page| {
                page_terms(page, &dictionary, worker)
            })
            .collect();
        Index::merge(per_page, dictionary)
    }

    /// The index of pages indexed one by one ([`IndexedPage::new`]), their
    /// terms in `dictionary`; it takes their hits.
    pub fn from_pages(pages: &mut [IndexedPage], dictionary: Dictionary) -> Index {
        let per_page = pages
            .iter_mut()
            .map(|p| std::mem::take(&mut p.hits))
            .collect();
        Index::merge(per_page, dictionary)
    }

    fn merge(per_page: Vec<Vec<TermHit>>, dictionary: Dictionary) -> Index {
        let terms = dictionary.into_terms();
        // Sized exactly: grown by doubling, the lists would hold up to twice
        // the memory they need at the build's peak.
        let mut counts = vec![0usize; terms.len()];
        for hit in per_page.iter().flatten() {
            counts[hit.term as usize] += 1;
        }
        let mut postings: Vec<Vec<Posting>> = counts.into_iter().map(Vec::with_capacity).collect();
        for (page, list) in per_page.into_iter().enumerate() {
            for hit in list {
                postings[hit.term as usize].push(Posting {
                    page: page as u32,
                    section: hit.section,
                    class: hit.class,
                });
            }
        }
        let mut terms: Vec<(String, Vec<Posting>)> = terms.into_iter().zip(postings).collect();
        terms.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
        // Pages come in order; sections within a page may not.
        terms
            .par_iter_mut()
            .for_each(|(_, list)| list.sort_unstable());
        Index { terms }
    }

    pub fn get(&self, term: &str) -> Option<&[Posting]> {
        self.terms
            .binary_search_by(|(t, _)| t.as_str().cmp(term))
            .ok()
            .map(|i| self.terms[i].1.as_slice())
    }
}

/// The terms of one page as `(term, section, class)`, for tests.
pub fn terms_of_page(page: &IndexPage) -> Vec<(String, u32, u8)> {
    let dictionary = Dictionary::new();
    let mut worker = Worker::default();
    let list = page_terms(page, &dictionary, &mut worker);
    let terms = dictionary.into_terms();
    list.into_iter()
        .map(|hit| (terms[hit.term as usize].clone(), hit.section, hit.class))
        .collect()
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
        let terms = terms_of_page(&p);
        let get = |term: &str, s: u32| {
            terms
                .iter()
                .find(|(t, sec, _)| t == term && *sec == s)
                .map(|x| x.2)
        };
        assert_eq!(get("disk", 0), Some(class::SHORT_TITLE));
        assert_eq!(get("latency", 0), Some(class::BODY + 2));
        assert_eq!(get("latency", 1), Some(class::HEADING));
        assert_eq!(get("timeout", 1), Some(class::BODY));
        assert_eq!(get("team-storage", 0), Some(class::META));
        assert_eq!(get("kubepodcrashlooping", 1), Some(class::ALARM));
        assert_eq!(get("crash", 1), Some(class::META));
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
