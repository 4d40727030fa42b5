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
    pub scan: Scan,
    pub meta: Meta,
    /// The front matter could not be read: that is its one diagnostic, and
    /// the field and section checks do not run on top of it.
    pub front_matter_broken: bool,
}

impl Page {
    pub fn has_anchor(&self, anchor: &str) -> bool {
        self.scan.has_anchor(&anchor.to_lowercase())
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
