//! The model of a site: pages of each kind and their metadata, as the parse
//! stage builds them from the loaded files.

use chrono::NaiveDate;

use crate::diag::{Code, Span};
use crate::markdown::Scan;
use crate::yaml::Node;

/// The kind of a page: from its first folder under `content/`, or front
/// matter `kind:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PageKind {
    Runbook,
    Postmortem,
    Report,
    Page,
}

impl PageKind {
    pub const ALL: [PageKind; 4] = [
        PageKind::Runbook,
        PageKind::Postmortem,
        PageKind::Report,
        PageKind::Page,
    ];

    pub fn from_folder(folder: &str) -> PageKind {
        match folder.to_ascii_lowercase().as_str() {
            "runbooks" => PageKind::Runbook,
            "postmortems" => PageKind::Postmortem,
            "reports" => PageKind::Report,
            _ => PageKind::Page,
        }
    }

    /// The first folder under the content folder that holds this kind by
    /// default.
    pub fn folder(self) -> &'static str {
        match self {
            PageKind::Runbook => "runbooks",
            PageKind::Postmortem => "postmortems",
            PageKind::Report => "reports",
            PageKind::Page => "",
        }
    }

    pub fn from_name(name: &str) -> Option<PageKind> {
        Some(match name.to_ascii_lowercase().as_str() {
            "runbook" => PageKind::Runbook,
            "postmortem" | "post-mortem" => PageKind::Postmortem,
            "report" => PageKind::Report,
            "page" => PageKind::Page,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            PageKind::Runbook => "runbook",
            PageKind::Postmortem => "postmortem",
            PageKind::Report => "report",
            PageKind::Page => "page",
        }
    }

    /// The prefix a title may carry in the plain templates (`# Runbook: X`).
    pub fn title_prefix(self) -> Option<&'static str> {
        match self {
            PageKind::Runbook => Some("runbook:"),
            PageKind::Postmortem => Some("post-mortem:"),
            _ => None,
        }
    }

    /// The diagnostic codes of each kind's field and section checks.
    pub fn code_field_missing(self) -> Code {
        match self {
            PageKind::Runbook => Code::RunbookFieldMissing,
            PageKind::Postmortem => Code::PostmortemFieldMissing,
            PageKind::Report => Code::ReportFieldMissing,
            PageKind::Page => Code::PageFieldMissing,
        }
    }

    pub fn code_section_missing(self) -> Code {
        match self {
            PageKind::Runbook => Code::RunbookSectionMissing,
            PageKind::Postmortem => Code::PostmortemSectionMissing,
            PageKind::Report => Code::ReportSectionMissing,
            PageKind::Page => Code::PageSectionMissing,
        }
    }

    pub fn code_section_empty(self) -> Code {
        match self {
            PageKind::Runbook => Code::RunbookSectionEmpty,
            PageKind::Postmortem => Code::PostmortemSectionEmpty,
            PageKind::Report => Code::ReportSectionEmpty,
            PageKind::Page => Code::PageSectionEmpty,
        }
    }
}

/// A value read from a page, with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Field<T> {
    pub value: T,
    pub span: Span,
}

/// Metadata common to runbooks and other pages; each is optional here and
/// required (or not) by the config's rules for the page's kind.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Meta {
    pub title: Option<Field<String>>,
    pub severity: Option<Field<String>>,
    pub owner: Option<Field<String>>,
    pub last_updated: Option<Field<NaiveDate>>,
    pub date: Option<Field<NaiveDate>>,
    pub services: Vec<String>,
    pub tags: Vec<String>,
    pub alarms: Vec<Field<String>>,
}

/// One Markdown page.
#[derive(Debug, Clone)]
pub struct Page {
    pub id: String,
    /// Index of its file in `Site::sources`.
    pub source: usize,
    pub kind: PageKind,
    pub title: String,
    pub front: Option<Node>,
    pub body_offset: usize,
    /// Nothing but white space below the front matter (read at parse time,
    /// so a build may drop the text once the page is rendered).
    pub body_blank: bool,
    pub scan: Scan,
    pub meta: Meta,
    /// The front matter could not be read: that is its one diagnostic, and
    /// the field and section checks do not run on top of it.
    pub front_matter_broken: bool,
    /// `draft: true` under `flavor: hugo`: left out of the site.
    pub draft: bool,
    /// Hugo's front-matter `aliases`: old URLs (site-root paths) that
    /// redirect here and that links may name.
    pub aliases: Vec<String>,
}

impl Page {
    pub fn has_anchor(&self, anchor: &str) -> bool {
        self.scan.has_anchor(&anchor.to_lowercase())
    }

    /// The id to link to for an anchor: the page's own spelling of it (a
    /// `{#MyId}` keeps its case), or the anchor lower-cased if the page
    /// has no such id.
    pub fn id_of_anchor(&self, anchor: &str) -> String {
        let lower = anchor.to_lowercase();
        match self.scan.real_anchor(&lower) {
            Some(real) => real.to_string(),
            None => lower,
        }
    }
}

/// Where a page is written in the output, relative to its root. Pages get a
/// folder of their own so `https://wiki/.../runbooks/x/` (the form alarm
/// files and pagers use) works on a server, and links name `index.html`
/// explicitly so they also work from `file://`.
pub fn output_path(id: &str) -> String {
    if id == "index" {
        "index.html".to_string()
    } else if let Some(dir) = id.strip_suffix("/index") {
        format!("{dir}/index.html")
    } else {
        format!("{id}/index.html")
    }
}

/// `../` repeated to climb from an output file's folder to the site root.
pub fn root_prefix(output_path: &str) -> String {
    "../".repeat(output_path.matches('/').count())
}

/// Whether a content path is a Hugo section's `_index.md`.
pub fn is_hugo_section(content_path: &str) -> bool {
    let name = content_path.rsplit('/').next().unwrap_or(content_path);
    name.eq_ignore_ascii_case("_index.md") || name.eq_ignore_ascii_case("_index.markdown")
}

/// A page id under a flavor: a folder's index page (`README.md` on GitHub,
/// GitLab and MkDocs, Hugo's `_index.md`) has the folder's id, as
/// `index.md` does everywhere.
pub fn page_id_in(content_path: &str, flavor: crate::flavor::Flavor) -> String {
    use crate::flavor::Flavor;
    let id = page_id(content_path);
    let (dir, name) = match id.rsplit_once('/') {
        Some((dir, name)) => (Some(dir), name),
        None => (None, id.as_str()),
    };
    let is_index = match flavor {
        Flavor::Github | Flavor::Gitlab | Flavor::Mkdocs => name == "readme",
        Flavor::Hugo => name == "_index",
        Flavor::Opswiki => false,
    };
    match (is_index, dir) {
        (true, Some(dir)) => format!("{dir}/index"),
        (true, None) => "index".to_string(),
        (false, _) => id,
    }
}

/// A page id from its path under `content/`: no extension, lower-case.
pub fn page_id(content_path: &str) -> String {
    let without_ext = match content_path.rfind('.') {
        Some(dot) if !content_path[dot..].contains('/') => &content_path[..dot],
        _ => content_path,
    };
    without_ext.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_output_paths() {
        assert_eq!(page_id("runbooks/K8s/PodCrash.md"), "runbooks/k8s/podcrash");
        assert_eq!(output_path("index"), "index.html");
        assert_eq!(output_path("runbooks/index"), "runbooks/index.html");
        assert_eq!(output_path("runbooks/x"), "runbooks/x/index.html");
        assert_eq!(root_prefix("runbooks/x/index.html"), "../../");
        assert_eq!(root_prefix("index.html"), "");
    }
}
