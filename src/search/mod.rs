//! Search: the site model in, a sharded index out, read by
//! `static/search.js` in the browser.
//!
//! One entry per heading section of every page (so a result lands on its
//! section's anchor), carrying the page's title, kind, severity, services,
//! owner and tags; each alarm is indexed on the section its runbook link
//! lands on, so an alarm name pasted from a pager finds that section first.
//! Alarms whose link reaches no page are indexed on the alarm catalogue.
//!
//! Everything is written under `search/` as JavaScript files that call a
//! global registration function, so they load with `<script>` from
//! `file://` as well as from any server path:
//!
//! | file | holds |
//! |---|---|
//! | `search/index.js` | the manifest: shard keys, filter values, stop words |
//! | `search/s/KEY.js` | the terms whose longest shard-key prefix is KEY, with postings |
//! | `search/x/ID.js` | the full postings of a term too common to keep whole in its shard |
//! | `search/d/G.js`, `P-C.js` | title, URL, badges and section texts (the first 1000 characters) of pages 2G and 2G+1 (32 sections each), and of further chunks of a long page P |
//! | `search/f/N.js` | the pages of filter value N (a kind, severity or service) |
//!
//! The section texts come from the render pass itself ([`IndexSink`]), so
//! indexing parses no Markdown of its own.

pub mod encode;
pub mod index;
pub mod shard;
pub mod tokenize;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::hash::{Hash, Hasher};
use std::sync::Mutex;

use anyhow::Result;
use rayon::prelude::*;

use crate::alarms::RunbookLink;
use crate::markdown::{self, RenderContext, SectionText};
use crate::model::{Page, PageKind, output_path};
use crate::site::Site;
use index::{Dictionary, Index, IndexAlarm, IndexPage, IndexSection, IndexedPage};
use shard::{EncodedTerm, Limits, json_str};

/// The browser side of search, written to `static/search.js`.
pub const SCRIPT_JS: &str = include_str!("../../static/search.js");
/// Its styles, written to `static/search.css`.
pub const STYLE_CSS: &str = include_str!("../../static/search.css");

/// Sections per document file.
pub const DOCS_PER_FILE: usize = 32;
/// Pages whose first sections share a document file (fewer files to write,
/// a little more to load per result).
pub const PAGES_PER_DOC: usize = 2;
/// Characters of a section's text kept in the document files: search.js
/// shows 200 of them around the match, and looks for a phrase query in
/// them. 1000 is most sections whole; keeping every section whole would
/// more than double `search/d/`.
pub const SNIPPET_CHARS: usize = 1000;

/// The page of the alarm catalogue that holds an alarm's row, from the
/// alarm's name (the catalogue may be split into parts: `render::alarms`).
pub type CataloguePage<'a> = dyn Fn(&str) -> String + Sync + 'a;

/// Set this environment variable to build without the search index (to
/// measure what the index costs; the search box then finds nothing).
pub const DISABLE_ENV: &str = "OPSWIKI_NO_SEARCH_INDEX";

pub fn enabled() -> bool {
    std::env::var_os(DISABLE_ENV).is_none()
}

/// What the renderer leaves for the search index, from many threads: each
/// rendered page as the index sees it, indexed while it renders (its terms
/// into the shared dictionary), its section texts then cut to the snippets
/// the document files show. So a build never holds every page's full text
/// at once: at 100,000 runbooks those texts were over a gigabyte.
#[derive(Default)]
pub struct IndexSink {
    /// Shared by the rendering threads (read), replaced when taken (write).
    dictionary: std::sync::RwLock<Dictionary>,
    pages: Mutex<HashMap<String, IndexedPage>>,
}

impl IndexSink {
    /// Index a rendered page from the section texts its render left.
    pub fn put(&self, page: &Page, text: SectionText) {
        let indexed = {
            let dictionary = self.dictionary.read().unwrap_or_else(|e| e.into_inner());
            IndexedPage::new(index_page(page, text), &dictionary, section_snippet)
        };
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        pages.insert(page.id.clone(), indexed);
    }

    /// The pages indexed so far, by page id, with the dictionary of their
    /// terms; the sink is empty afterwards.
    fn take(&self) -> (HashMap<String, IndexedPage>, Dictionary) {
        let pages = std::mem::take(&mut *self.pages.lock().unwrap_or_else(|e| e.into_inner()));
        let mut dictionary = self.dictionary.write().unwrap_or_else(|e| e.into_inner());
        (pages, std::mem::take(&mut *dictionary))
    }
}

/// Whitespace collapsed to single spaces.
fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// A page's section texts straight from its Markdown, for a page the
/// renderer did not record (a blank index page that a generated page
/// stands for, or every page but the edited one when the server rebuilds).
fn text_of(site: &Site, page: &Page) -> SectionText {
    let file = site.source(page);
    let keep = |_: &str| None;
    let none = |_: &str, _: &str| None;
    let mut text = SectionText::new();
    markdown::render_with_text(
        file.text.get(page.body_offset..).unwrap_or_default(),
        &RenderContext {
            headings: &page.scan.headings,
            rewrite_link: &keep,
            render_fenced: &none,
            sanitize: false,
            anchor_aliases: &[],
            flavor: site.config.flavor,
        },
        Some(&mut text),
    );
    text
}

/// A page as the index sees it, from its section texts; the alarms that
/// lead to it are added later, when every page is in ([`pages`]).
fn index_page(page: &Page, text: SectionText) -> IndexPage {
    let meta = &page.meta;
    let mut about = Vec::new();
    about.extend(meta.owner.as_ref().map(|o| o.value.clone()));
    about.extend(meta.services.iter().cloned());
    about.extend(meta.tags.iter().cloned());
    IndexPage {
        url: output_path(&page.id),
        title: page.title.clone(),
        kind: page.kind.name().to_string(),
        severity: meta.severity.as_ref().map(|s| s.value.clone()),
        services: meta.services.clone(),
        meta: about,
        sections: sections_of(page, text),
    }
}

/// The sections of a page: the top (title and text before the first
/// heading, merged with a leading `#` heading), then one per heading.
fn sections_of(page: &Page, mut text: SectionText) -> Vec<IndexSection> {
    let mut part = |i: usize| text.get_mut(i).map(std::mem::take).unwrap_or_default();
    let mut sections = vec![IndexSection {
        text: part(0),
        ..IndexSection::default()
    }];
    for (j, h) in page.scan.headings.iter().enumerate() {
        if j == 0 && h.level == 1 && sections[0].text.trim().is_empty() {
            sections[0].heading = h.text.clone();
            sections[0].text = part(1);
            continue;
        }
        sections.push(IndexSection {
            heading: h.text.clone(),
            anchor: h.anchor.clone(),
            text: part(j + 1),
            alarms: Vec::new(),
        });
    }
    sections
}

/// The section an anchor lands on: the top when there is none or it is not
/// found (a leading `#` heading, merged into the top, has no anchor here).
fn section_of(sections: &[IndexSection], anchor: Option<&str>) -> usize {
    let Some(anchor) = anchor.map(str::to_lowercase) else {
        return 0;
    };
    sections
        .iter()
        .position(|s| !s.anchor.is_empty() && s.anchor == anchor)
        .unwrap_or(0)
}

fn alarm_about(alarm: &crate::alarms::Alarm) -> String {
    [
        alarm.description.as_deref(),
        alarm.metric.as_deref(),
        alarm.filter.as_deref(),
        alarm.service.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ")
}

/// Sections of one index page of the alarm catalogue: search.js reads a
/// section number as at most 4095 (`SEC`), so a big catalogue is indexed
/// as several pages with the same URL.
const CATALOGUE_SECTIONS: usize = 4000;

/// The index's view of the site: every page, then the alarm catalogue with
/// one section per alarm name (landing on its anchor). An alarm whose link
/// reaches a page is indexed there as an alarm (ranked first when its name
/// is pasted) and in the catalogue by its heading (ranked after the page);
/// one that reaches no page is indexed in the catalogue as an alarm.
/// `recorded`: the pages the renderer indexed, by page id (the others are
/// indexed here); `dictionary`: their terms'. `links`: each alarm's runbook
/// link, resolved, in the order of `site.alarms`.
pub fn pages(
    site: &Site,
    mut recorded: HashMap<String, IndexedPage>,
    dictionary: &Dictionary,
    links: &[RunbookLink],
    catalogue_page: &CataloguePage,
) -> Vec<IndexedPage> {
    let mut by_page: Vec<Option<IndexedPage>> =
        site.pages.iter().map(|p| recorded.remove(&p.id)).collect();
    let mut pages: Vec<IndexedPage> = site
        .pages
        .par_iter()
        .zip(by_page.par_iter_mut())
        .map(|(page, indexed)| {
            indexed.take().unwrap_or_else(|| {
                let text = text_of(site, page);
                IndexedPage::new(index_page(page, text), dictionary, section_snippet)
            })
        })
        .collect();
    drop(recorded);

    let mut catalogue = IndexPage {
        url: String::new(),
        title: "Alarm catalogue".to_string(),
        kind: "alarm".to_string(),
        ..IndexPage::default()
    };
    catalogue.sections.push(IndexSection::default());
    // Names already listed, by page and section (and in the catalogue): sets,
    // not a scan of each section's list per alarm, which was quadratic (30 s
    // for 100,000 alarms leading to one runbook).
    let mut listed: HashSet<(usize, usize, &str)> = HashSet::new();
    let mut in_catalogue: HashSet<&str> = HashSet::new();
    // The catalogue page of each section of `catalogue` after the first.
    let mut section_pages: Vec<String> = Vec::new();
    let mut on_page: HashSet<(usize, &str)> = HashSet::new();
    let mut services: HashSet<(usize, String)> = pages
        .iter()
        .enumerate()
        .flat_map(|(p, ip)| {
            ip.page
                .services
                .iter()
                .map(move |s| (p, s.to_ascii_lowercase()))
        })
        .collect();
    for (alarm, link) in site.alarms.iter().zip(links) {
        let entry = IndexAlarm {
            name: alarm.name.clone(),
            about: alarm_about(alarm),
        };
        let target = match link {
            RunbookLink::Page { page, anchor } => Some((*page, anchor.as_deref())),
            _ => None,
        };
        match target {
            Some((p, anchor)) => {
                if in_catalogue.insert(&alarm.name) {
                    section_pages.push(catalogue_page(&alarm.name));
                    catalogue.sections.push(IndexSection {
                        heading: alarm.name.clone(),
                        anchor: alarm.anchor(),
                        text: clean(&entry.about),
                        alarms: Vec::new(),
                    });
                }
                let s = section_of(&pages[p].page.sections, anchor);
                let ip = &mut pages[p].page;
                if let Some(service) = &alarm.service
                    && services.insert((p, service.to_ascii_lowercase()))
                {
                    ip.services.push(service.clone());
                }
                on_page.insert((p, &alarm.name));
                if listed.insert((p, s, &alarm.name)) {
                    ip.sections[s].alarms.push(entry);
                }
            }
            None => {
                if !in_catalogue.insert(&alarm.name) {
                    // Listed already (reached through another of its
                    // definitions, or unreached twice): at most its alarm entry.
                    if let Some(section) = catalogue
                        .sections
                        .iter_mut()
                        .rev()
                        .find(|s| s.heading == alarm.name)
                        && section.alarms.is_empty()
                    {
                        section.alarms.push(entry);
                    }
                    continue;
                }
                section_pages.push(catalogue_page(&alarm.name));
                catalogue.sections.push(IndexSection {
                    heading: alarm.name.clone(),
                    anchor: alarm.anchor(),
                    text: clean(&entry.about),
                    alarms: vec![entry],
                });
            }
        }
    }
    // A runbook's own `alarms:` list, for names no alarm file links here.
    for (p, page) in site.pages.iter().enumerate() {
        for name in &page.meta.alarms {
            let ip = &mut pages[p].page;
            if on_page.insert((p, &name.value)) {
                ip.sections[0].alarms.push(IndexAlarm {
                    name: name.value.clone(),
                    about: String::new(),
                });
            }
        }
    }
    // The alarms were not there when the pages were indexed.
    pages
        .par_iter_mut()
        .for_each(|p| p.add_alarm_terms(dictionary));
    // Runbooks first: equal scores rank in this order, and the postings a
    // long list keeps in its shard are the first ones.
    pages.sort_by_key(|p| kind_rank(&p.page.kind));
    // One index page per catalogue page (in the order first met), each cut
    // into index pages of at most CATALOGUE_SECTIONS sections.
    let all = std::mem::take(&mut catalogue.sections);
    let mut by_page: Vec<(String, Vec<IndexSection>)> = Vec::new();
    let mut page_at: HashMap<String, usize> = HashMap::new();
    for (section, url) in all.into_iter().skip(1).zip(section_pages) {
        let at = *page_at.entry(url.clone()).or_insert_with(|| {
            by_page.push((url, Vec::new()));
            by_page.len() - 1
        });
        by_page[at].1.push(section);
    }
    catalogue.sections.push(IndexSection::default());
    for (url, list) in by_page {
        let mut sections = list.into_iter().peekable();
        while sections.peek().is_some() {
            let mut part = catalogue.clone();
            part.url = url.clone();
            part.sections
                .extend(sections.by_ref().take(CATALOGUE_SECTIONS));
            pages.push(IndexedPage::new(part, dictionary, section_snippet));
        }
    }
    pages
}

fn kind_rank(kind: &str) -> u8 {
    match PageKind::from_name(kind) {
        Some(PageKind::Runbook) => 0,
        Some(PageKind::Page) => 1,
        Some(PageKind::Postmortem) => 2,
        Some(PageKind::Report) => 3,
        None => 4,
    }
}

/// About the first `max` characters of `text`, whitespace collapsed, cut
/// at a word boundary.
fn snippet(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(max + 8);
    let mut chars = 0;
    for word in text.split_whitespace() {
        let n = word.chars().count();
        if chars > 0 && chars + 1 + n > max {
            out.push_str(" …");
            return out;
        }
        if chars > 0 {
            out.push(' ');
            chars += 1;
        }
        if n > max {
            out.extend(word.chars().take(max));
            out.push('…');
            return out;
        }
        out.push_str(word);
        chars += n;
    }
    out
}

/// A section's snippet, as the document files show it. `snippet` of a
/// snippet is the snippet itself, so texts cut down by the index build give
/// the same document files.
fn section_snippet(text: &str) -> String {
    snippet(text, SNIPPET_CHARS)
}

/// The JSON of one page's sections `from..to` (at most [`DOCS_PER_FILE`]):
/// badges, and per section heading, anchor, snippet and the alarms there.
/// Each section's text is its snippet already ([`write_index`] cut it).
fn doc_json(page: &IndexPage, from: usize, to: usize) -> String {
    let mut js = format!(
        "{{\"u\":{},\"t\":{},\"k\":{},\"s\":{},\"x\":[",
        json_str(&page.url),
        json_str(&page.title),
        json_str(&page.kind),
        page.severity
            .as_deref()
            .map_or("null".to_string(), json_str),
    );
    for (i, s) in page.sections[from..to].iter().enumerate() {
        if i > 0 {
            js.push(',');
        }
        let heading = if s.anchor.is_empty() { "" } else { &s.heading };
        // The top of a page with nothing before its first section shows
        // the start of the first section that has text.
        let text = match (from + i, s.text.trim().is_empty()) {
            (0, true) => page
                .sections
                .iter()
                .map(|s| s.text.as_str())
                .find(|t| !t.trim().is_empty())
                .unwrap_or(""),
            _ => &s.text,
        };
        let _ = write!(
            js,
            "[{},{},{}",
            json_str(heading),
            json_str(&s.anchor),
            json_str(text)
        );
        if !s.alarms.is_empty() {
            let names: Vec<String> = s.alarms.iter().map(|a| json_str(&a.name)).collect();
            let _ = write!(js, ",[{}]", names.join(","));
        }
        js.push(']');
    }
    js.push_str("]}");
    js
}

/// The document files of pages `first..` (a group of [`PAGES_PER_DOC`]):
/// `search/d/G.js` holds the first sections of each page of group G;
/// `search/d/P-C.js` chunk C of a page with more sections.
fn doc_files(group: usize, pages: &[IndexPage]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut first = format!("OpswikiSearch.d(\"{group}\",{{");
    for (i, page) in pages.iter().enumerate() {
        let p = group * PAGES_PER_DOC + i;
        if i > 0 {
            first.push(',');
        }
        let end = page.sections.len().min(DOCS_PER_FILE);
        let _ = write!(first, "\"{p}\":{}", doc_json(page, 0, end));
        for c in 1..page.sections.len().div_ceil(DOCS_PER_FILE) {
            let from = c * DOCS_PER_FILE;
            let to = page.sections.len().min(from + DOCS_PER_FILE);
            out.push((
                format!("search/d/{p}-{c}.js"),
                format!(
                    "OpswikiSearch.d(\"{p}-{c}\",{{\"{p}\":{}}});\n",
                    doc_json(page, from, to)
                ),
            ));
        }
    }
    first.push_str("});\n");
    out.push((format!("search/d/{group}.js"), first));
    out
}

/// Filter values: (type, label, pages), kinds and severities in site
/// order, services sorted.
fn filters(site: &Site, pages: &[IndexPage]) -> Vec<(&'static str, String, Vec<u32>)> {
    let mut out = Vec::new();
    let mut kinds: Vec<String> = Vec::new();
    for p in pages {
        if !kinds.contains(&p.kind) {
            kinds.push(p.kind.clone());
        }
    }
    for kind in kinds {
        let set = (0..pages.len() as u32)
            .filter(|&i| pages[i as usize].kind == kind)
            .collect();
        out.push(("kind", kind, set));
    }
    let mut sevs: Vec<String> = site.config.severities.clone();
    for p in pages {
        if let Some(s) = &p.severity
            && !sevs.iter().any(|x| x.eq_ignore_ascii_case(s))
        {
            sevs.push(s.clone());
        }
    }
    for sev in sevs {
        let set: Vec<u32> = (0..pages.len() as u32)
            .filter(|&i| {
                pages[i as usize]
                    .severity
                    .as_ref()
                    .is_some_and(|s| s.eq_ignore_ascii_case(&sev))
            })
            .collect();
        if !set.is_empty() {
            out.push(("sev", sev, set));
        }
    }
    let mut services: BTreeMap<String, (String, Vec<u32>)> = BTreeMap::new();
    for (i, p) in pages.iter().enumerate() {
        for s in &p.services {
            let entry = services
                .entry(s.to_lowercase())
                .or_insert_with(|| (s.clone(), Vec::new()));
            if entry.1.last() != Some(&(i as u32)) {
                entry.1.push(i as u32);
            }
        }
    }
    for (_, (label, set)) in services {
        out.push(("service", label, set));
    }
    out
}

/// The script without comment lines and indentation (a fifth smaller; the
/// browser downloads it before a first query). Lines stay lines, so the
/// code means the same.
pub fn compact_js(js: &str) -> String {
    let mut out = String::with_capacity(js.len());
    for line in js.lines() {
        let line = line.trim();
        if !line.is_empty() && !line.starts_with("//") {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Where generated files go: `(path from the output root, bytes)`, called
/// from many threads.
pub type Emit<'a> = dyn Fn(&str, &[u8]) -> Result<()> + Sync + 'a;

/// Write the search script, its styles and the index (from the texts the
/// renderer left in `sink`); returns the number of files. `links`: as for
/// [`pages`].
pub fn write(
    site: &Site,
    sink: &IndexSink,
    links: &[RunbookLink],
    catalogue_page: &CataloguePage,
    emit: &Emit,
) -> Result<usize> {
    emit("static/search.js", compact_js(SCRIPT_JS).as_bytes())?;
    emit("static/search.css", STYLE_CSS.as_bytes())?;
    if !enabled() {
        return Ok(2);
    }
    let timer = crate::timing::StageTimer::from_env();

    let (recorded, dictionary) = sink.take();
    let pages = pages(site, recorded, &dictionary, links, catalogue_page);
    timer.mark("search: sections");
    if timer.enabled() {
        let (hits, sections, text) = pages.iter().fold((0, 0, 0), |(hits, n, text), p| {
            let t: usize = p.page.sections.iter().map(|s| s.text.len()).sum();
            (hits + p.hit_count(), n + p.page.sections.len(), text + t)
        });
        eprintln!(
            "timing: search holds {} pages of {sections} sections, {hits} term hits ({} MB), {} terms, {} MB of snippets",
            pages.len(),
            hits * index::HIT_BYTES / 1_000_000,
            dictionary.term_count(),
            text / 1_000_000
        );
    }

    let n = write_index(site, pages, dictionary, &Limits::default(), emit)?;
    Ok(n + 2)
}

/// Write the index files for `pages` (their terms in `dictionary`);
/// returns how many.
pub fn write_index(
    site: &Site,
    mut pages: Vec<IndexedPage>,
    dictionary: Dictionary,
    limits: &Limits,
    emit: &Emit,
) -> Result<usize> {
    let timer = crate::timing::StageTimer::from_env();
    let index = Index::from_pages(&mut pages, dictionary);
    let pages: Vec<IndexPage> = pages.into_iter().map(|p| p.page).collect();
    timer.mark("search: terms");
    let sections: usize = pages.iter().map(|p| p.sections.len()).sum();
    let common = (sections / 8).max(4 * limits.postings_per_term);

    let encoded: Vec<EncodedTerm> = index
        .terms
        .par_iter()
        .map(|(term, postings)| {
            let (shown, overflow) = shard::encode_term(postings, limits.postings_per_term, common);
            EncodedTerm {
                term,
                shown,
                overflow,
                total: postings.len(),
            }
        })
        .collect();
    let (keys, mut files) = shard::files(&encoded, limits);
    drop(encoded);
    drop(index);

    let page_count = pages.len() as u32;
    let filter_list = filters(site, &pages);
    let mut filter_entries = Vec::new();
    for (i, (kind, label, set)) in filter_list.iter().enumerate() {
        files.push((
            format!("search/f/{i}.js"),
            format!(
                "OpswikiSearch.f({i},\"{}\");\n",
                encode::page_set(set, page_count)
            )
            .into_bytes(),
        ));
        filter_entries.push(format!("[\"{kind}\",{}]", json_str(label)));
    }

    // The version: a hash of the shards, so a browser never mixes files of
    // two builds from its cache.
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for (path, bytes) in &files {
        path.hash(&mut hasher);
        bytes.hash(&mut hasher);
    }
    page_count.hash(&mut hasher);
    let version = format!("{:x}", hasher.finish() & 0xffff_ffff_ffff);

    let keys_json: Vec<String> = keys.iter().map(|k| json_str(k)).collect();
    let stop: Vec<String> = tokenize::STOP_WORDS.iter().map(|w| json_str(w)).collect();
    let manifest = format!(
        "OpswikiSearch.m({{\"v\":\"{version}\",\"pages\":{page_count},\"per\":{DOCS_PER_FILE},\"group\":{PAGES_PER_DOC},\"keys\":[{}],\"filters\":[{}],\"stop\":[{}]}});\n",
        keys_json.join(","),
        filter_entries.join(","),
        stop.join(","),
    );
    files.push(("search/index.js".to_string(), manifest.into_bytes()));
    files
        .par_iter()
        .try_for_each(|(path, bytes)| emit(path, bytes))?;
    timer.mark("search: shards");

    let docs: usize = pages
        .par_chunks(PAGES_PER_DOC)
        .enumerate()
        .map(|(group, pages)| {
            let docs = doc_files(group, pages);
            for (path, bytes) in &docs {
                emit(path, bytes.as_bytes())?;
            }
            Ok(docs.len())
        })
        .sum::<Result<usize>>()?;
    timer.mark("search: docs");
    // Freeing every page's sections one by one took 20 to 40 ms at 10,000
    // pages, on the build's critical path: let a pool thread do it.
    rayon::spawn(move || drop(pages));

    Ok(files.len() + docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_cut_at_words() {
        assert_eq!(snippet("short text", 20), "short text");
        assert_eq!(snippet("one two three four", 10), "one two …");
        assert_eq!(snippet("  spaced \n\n out  ", 20), "spaced out");
    }

    #[test]
    fn the_script_loses_only_comments_and_indentation() {
        let js = compact_js(SCRIPT_JS);
        assert!(
            js.len() < SCRIPT_JS.len() * 9 / 10,
            "{} of {}",
            js.len(),
            SCRIPT_JS.len()
        );
        assert!(js.contains("S.search = function (q, opts) {\n"));
        assert!(!js.contains("\n  "));
    }

    #[test]
    fn a_snippet_of_a_snippet_is_itself() {
        let long_word = "x".repeat(300);
        let words = "word ".repeat(100);
        for text in [
            "short text",
            "  spaced \n\n out  ",
            words.as_str(),
            long_word.as_str(),
            "",
            "   ",
            "ends with an ellipsis …",
        ] {
            let once = section_snippet(text);
            assert_eq!(section_snippet(&once), once, "{text:?}");
        }
        for max in 1..30 {
            let once = snippet("one two three four five six seven", max);
            assert_eq!(snippet(&once, max), once, "{max}");
        }
    }

    #[test]
    fn clean_collapses_space() {
        assert_eq!(clean("  a\n\n b\tc "), "a b c");
    }
}
