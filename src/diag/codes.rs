//! Every diagnostic code, declared once: its name, default level, family, a
//! one-line summary and its documentation. A check names a [`Code`]; the
//! level it is reported at comes from here and from the site's config
//! (applied in one place, the pipeline's judging step), never from the call
//! site. `docs/diagnostics.md` and `opswiki check --explain` are generated
//! from this list, and a test fails when the committed page is stale.
//!
//! The first line of each entry's doc comment is its summary; the lines
//! after a blank `///` line are its longer documentation.

use std::fmt;

use serde::Serialize;

/// What a code is reported as, before and after the config has its say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    /// Not reported at all.
    Off,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Off => "off",
        }
    }

    pub fn from_name(name: &str) -> Option<Level> {
        match name {
            "error" => Some(Level::Error),
            "warning" => Some(Level::Warning),
            "off" => Some(Level::Off),
            _ => None,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The families codes are grouped in, in the order the docs list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    Files,
    Config,
    Pages,
    Links,
    Alarms,
    Trees,
    Postmortems,
    Reports,
    Suppressions,
    Serve,
}

impl Family {
    pub const ALL: &'static [Family] = &[
        Family::Files,
        Family::Config,
        Family::Pages,
        Family::Links,
        Family::Alarms,
        Family::Trees,
        Family::Postmortems,
        Family::Reports,
        Family::Suppressions,
        Family::Serve,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Family::Files => "Files",
            Family::Config => "Config and baseline",
            Family::Pages => "Front matter, fields and sections",
            Family::Links => "Links",
            Family::Alarms => "Alarms",
            Family::Trees => "Triage trees",
            Family::Postmortems => "Post-mortems and action items",
            Family::Reports => "Weekly reports",
            Family::Suppressions => "Suppressions",
            Family::Serve => "While serving",
        }
    }
}

macro_rules! declare_codes {
    ($( $(#[doc = $doc:literal])+ $variant:ident: $name:literal, $level:ident, $family:ident; )+) => {
        /// A diagnostic code. Stable: CI configurations, suppressions and
        /// baselines name it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $( $(#[doc = $doc])+ $variant, )+
        }

        impl Code {
            /// Every code, in the order of the docs.
            pub const ALL: &'static [Code] = &[$(Code::$variant),+];

            /// The kebab-case name users write.
            pub const fn name(self) -> &'static str {
                match self { $(Code::$variant => $name,)+ }
            }

            /// The level it is reported at unless the config says otherwise.
            pub const fn default_level(self) -> Level {
                match self { $(Code::$variant => Level::$level,)+ }
            }

            pub const fn family(self) -> Family {
                match self { $(Code::$variant => Family::$family,)+ }
            }

            /// The whole doc comment: the summary line, then the longer text.
            fn doc(self) -> &'static str {
                match self { $(Code::$variant => concat!($($doc, "\n"),+),)+ }
            }
        }
    };
}

impl Code {
    pub fn from_name(name: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.name() == name)
    }

    /// The one-line summary.
    pub fn summary(self) -> &'static str {
        self.doc().lines().next().unwrap_or("").trim()
    }

    /// The longer documentation after the summary (may be empty), with the
    /// doc comment's leading space taken off each line.
    pub fn documentation(self) -> String {
        let mut lines: Vec<&str> = self
            .doc()
            .lines()
            .skip(1)
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect();
        while lines.first().is_some_and(|l| l.trim().is_empty()) {
            lines.remove(0);
        }
        lines.join("\n").trim_end().to_string()
    }

    /// The known code nearest to `name` (a typo in a config or suppression).
    pub fn nearest(name: &str) -> Option<Code> {
        Code::ALL
            .iter()
            .copied()
            .map(|c| (edit_distance(name, c.name()), c))
            .filter(|(d, c)| *d <= (c.name().len() / 3).max(2))
            .min_by_key(|(d, _)| *d)
            .map(|(_, c)| c)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.name() == *other
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.name() == other
    }
}

impl PartialOrd for Code {
    fn partial_cmp(&self, other: &Code) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Codes sort by name, so diagnostics sort as their text reads.
impl Ord for Code {
    fn cmp(&self, other: &Code) -> std::cmp::Ordering {
        self.name().cmp(other.name())
    }
}

/// What `opswiki check --explain CODE` prints.
pub fn explain(code: Code) -> String {
    let mut out = format!(
        "{code}: {}\n\nlevel: {} by default; family: {}\n",
        code.summary(),
        code.default_level(),
        code.family().title()
    );
    let docs = code.documentation();
    if !docs.is_empty() {
        out.push('\n');
        out.push_str(&docs);
        out.push('\n');
    }
    out.push_str(&format!(
        "\nTo change its level, in opswiki.yaml:\n  diagnostics: {{{code}: warning}}   # error, warning or off\n\
         To ignore it once, in a page: <!-- opswiki-ignore {code} --> on the line before;\n\
         in a YAML file: # opswiki-ignore {code} at the end of the line.\n"
    ));
    out
}

/// `docs/diagnostics.md`, made from the registry; a test compares it with
/// the committed file.
pub fn markdown() -> String {
    let mut out = String::from(
        "# Diagnostics\n\n\
<!-- Generated from src/diag/codes.rs by `cargo test --test docs` with\n\
     OPSWIKI_WRITE_DOCS=1; edit the registry, not this file. -->\n\n\
Every diagnostic has a level (`error` or `warning`), a stable kebab-case\n\
code, a message, the file (relative to the site root), the 1-based line and\n\
column (columns count characters), and often a `help` line. Codes never\n\
change meaning; CI configurations, suppressions and baselines may depend on\n\
them. `check` exits 1 on any error (with `--deny-warnings`, every warning is\n\
one).\n\n\
The level below is each code's default. A site sets its own in\n\
`opswiki.yaml` (`diagnostics:` per code, `overrides:` per path), silences\n\
one finding with an `opswiki-ignore` comment, or accepts today's findings\n\
with a baseline: see [levels, suppressions and the baseline](levels.md).\n\
`opswiki check --explain CODE` prints a code's entry.\n",
    );
    for family in Family::ALL {
        let codes: Vec<Code> = Code::ALL
            .iter()
            .copied()
            .filter(|c| c.family() == *family)
            .collect();
        if codes.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "\n## {}\n\n| code | level | meaning |\n|---|---|---|\n",
            family.title()
        ));
        for code in &codes {
            out.push_str(&format!(
                "| `{code}` | {} | {} |\n",
                code.default_level(),
                code.summary().replace('|', "\\|")
            ));
        }
        for code in codes {
            let docs = code.documentation();
            if !docs.is_empty() {
                out.push_str(&format!("\n### `{code}`\n\n{docs}\n"));
            }
        }
    }
    out
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

declare_codes! {
    /// the file is not UTF-8; at the first bad byte
    FileNotUtf8: "file-not-utf8", Error, Files;
    /// a file could not be read, or stopped being a regular file between the walk and the read
    FileUnreadable: "file-unreadable", Error, Files;
    /// a file or folder the walk could not open, or that is not a regular file (a FIFO, socket or device): skipped, never opened
    FileSkipped: "file-skipped", Warning, Files;
    /// a text file (Markdown, alarm or tree YAML, config) over 16 MiB; found from its size, never read
    FileTooLarge: "file-too-large", Error, Files;
    /// a symlink leads outside the site root: not followed
    SymlinkOutsideRoot: "symlink-outside-root", Warning, Files;
    /// a symlink loop (or a symlink to itself): skipped
    SymlinkLoop: "symlink-loop", Warning, Files;
    /// `opswiki.yaml` is not valid YAML, or a key has the wrong type
    ConfigInvalid: "config-invalid", Error, Config;
    /// a key `opswiki.yaml` does not know (a typo?)
    ConfigUnknownKey: "config-unknown-key", Warning, Config;
    /// the baseline file is not a baseline opswiki wrote (invalid JSON or the wrong shape)
    BaselineInvalid: "baseline-invalid", Error, Config;
    /// the site is in a git work tree whose history cannot be read; the build goes on without git (`git: off` silences it)
    GitUnreadable: "git-unreadable", Warning, Config;
    /// a `CODEOWNERS` pattern is not a valid glob; at its line in the file (path from the repository's top); the rule is ignored
    CodeownersInvalid: "codeowners-invalid", Warning, Config;
    /// an `OWNERS` file is not YAML with an `approvers` list; it is skipped
    OwnersInvalid: "owners-invalid", Warning, Config;
    /// a template override in `templates/` does not compile
    TemplateInvalid: "template-invalid", Error, Files;
    /// two files have one page id (ids ignore case and extension)
    DuplicatePageId: "duplicate-page-id", Error, Files;
    /// an asset and another asset or a page would be written to one output file, ignoring case (`img/Logo.png` and `img/logo.png`)
    OutputPathClash: "output-path-clash", Error, Files;
    /// the front matter is not valid YAML; at the bad YAML's line in the file
    FrontMatterInvalid: "front-matter-invalid", Error, Pages;
    /// `---` opens front matter that never closes
    FrontMatterUnclosed: "front-matter-unclosed", Error, Pages;
    /// front matter that is not `key: value` pairs
    FrontMatterNotMapping: "front-matter-not-mapping", Error, Pages;
    /// a field of the wrong type (a list where text is expected, an unknown `kind`)
    FieldInvalid: "field-invalid", Error, Pages;
    /// a field given in front matter and in the template's heading (or Summary bullet) disagrees
    FieldConflict: "field-conflict", Error, Pages;
    /// a date that is not `YYYY-MM-DD`
    DateInvalid: "date-invalid", Error, Pages;
    /// a severity not in the config's `severities`
    SeverityUnknown: "severity-unknown", Error, Pages;
    /// `P1 |P2 |P3 |P4` left as the blank template has it
    SeverityPlaceholder: "severity-placeholder", Error, Pages;
    /// a field the config requires for that kind is missing
    RunbookFieldMissing: "runbook-field-missing", Error, Pages;
    /// a field the config requires for that kind is missing
    PostmortemFieldMissing: "postmortem-field-missing", Error, Pages;
    /// a field the config requires for that kind is missing
    ReportFieldMissing: "report-field-missing", Error, Pages;
    /// a field the config requires for that kind is missing
    PageFieldMissing: "page-field-missing", Error, Pages;
    /// a required section is missing
    RunbookSectionMissing: "runbook-section-missing", Error, Pages;
    /// a required section is missing
    PostmortemSectionMissing: "postmortem-section-missing", Error, Pages;
    /// a required section is missing
    ReportSectionMissing: "report-section-missing", Error, Pages;
    /// a required section is missing
    PageSectionMissing: "page-section-missing", Error, Pages;
    /// a required section has no content (blank space, an HTML comment or bare sub-headings only)
    RunbookSectionEmpty: "runbook-section-empty", Error, Pages;
    /// a required section has no content (blank space, an HTML comment or bare sub-headings only)
    PostmortemSectionEmpty: "postmortem-section-empty", Error, Pages;
    /// a required section has no content (blank space, an HTML comment or bare sub-headings only)
    ReportSectionEmpty: "report-section-empty", Error, Pages;
    /// a required section has no content (blank space, an HTML comment or bare sub-headings only)
    PageSectionEmpty: "page-section-empty", Error, Pages;
    /// the later of `last_updated` and the runbook's last change in git is more than `stale_after_days` before `--today` (at `last_updated`, or at 1:1 when git's date counts, with the commit and author in the message)
    RunbookStale: "runbook-stale", Warning, Pages;
    /// `last_updated` is older than the last commit (or uncommitted edit) that changed the runbook's body, not only its front matter: the date was not bumped; never for a shallow clone's approximate dates
    LastUpdatedNotBumped: "last-updated-not-bumped", Warning, Pages;
    /// a `TODO:` placeholder (as `opswiki new` writes) is still there
    PlaceholderText: "placeholder-text", Warning, Pages;
    /// a Hugo shortcode opswiki does not know (`flavor: hugo`); at its name. It renders as nothing, and the text between it and its closing tag stays
    ///
    /// opswiki renders Hugo's own shortcodes and the common themes' (hugo-book,
    /// Learn/Relearn, Docsy, LoveIt): call-outs (`hint`, `notice`, `alert`,
    /// `admonition`, `details`, `expand`), `tabs`/`tab`, `highlight`,
    /// `mermaid`, `figure`, `ref`/`relref` and a few more (see
    /// [formats](formats.md#markdown-of-other-tools-flavor)). Any other
    /// shortcode is this warning, so a page never shows `{{< x >}}` as text.
    ShortcodeUnknown: "shortcode-unknown", Warning, Pages;
    /// a paired Hugo shortcode (`{{< hint >}}`, `{{< details >}}`, ...) is never closed with its `{{< /name >}}`; at its name
    ShortcodeUnclosed: "shortcode-unclosed", Warning, Pages;
    /// an internal link matches no page or file; at the link's destination
    LinkBroken: "link-broken", Error, Links;
    /// the target page has no heading with that anchor
    LinkAnchorMissing: "link-anchor-missing", Error, Links;
    /// an alarm file that is not valid YAML or not one of the three shapes
    AlarmFileInvalid: "alarm-file-invalid", Error, Alarms;
    /// an alarm (or alerting rule) without a name
    AlarmNameMissing: "alarm-name-missing", Error, Alarms;
    /// an alarm with no runbook; at its `name:`/`alert:`
    AlarmRunbookMissing: "alarm-runbook-missing", Error, Alarms;
    /// the runbook link matches no page; at the link
    AlarmRunbookBroken: "alarm-runbook-broken", Error, Alarms;
    /// the runbook has no heading with the link's anchor
    AlarmRunbookAnchorMissing: "alarm-runbook-anchor-missing", Error, Alarms;
    /// the link leads to a page that is not a runbook
    AlarmRunbookNotRunbook: "alarm-runbook-not-runbook", Error, Alarms;
    /// a runbook URL outside `base_url`, which cannot be checked (`--deny-external` makes it an error)
    AlarmRunbookExternal: "alarm-runbook-external", Off, Alarms;
    /// the runbook link is a `javascript:`, `vbscript:` or `data:` URL, which the wiki never links; at the link
    AlarmRunbookScriptUrl: "alarm-runbook-script-url", Error, Alarms;
    /// two opswiki-list alarms with one name; names both places
    AlarmDuplicate: "alarm-duplicate", Error, Alarms;
    /// an alarm without a description (or `summary`)
    AlarmDescriptionMissing: "alarm-description-missing", Error, Alarms;
    /// an opswiki-list alarm without a severity
    AlarmSeverityMissing: "alarm-severity-missing", Error, Alarms;
    /// a severity (after `severity_map`) not in `severities`
    AlarmSeverityUnknown: "alarm-severity-unknown", Error, Alarms;
    /// a rule file's severity label that `severity_map` does not map; at the label, with the `severity_map` line to add
    ///
    /// A warning, not an error: the alarm is read and shown as written, and
    /// its runbook is still required (an unknown severity may well page).
    AlarmSeverityUnmapped: "alarm-severity-unmapped", Warning, Alarms;
    /// a templated runbook link (`{{ $labels.service }}`, `${var.x}`) whose open labels let it match no page; names the open labels
    ///
    /// A template is first filled from what the rule fixes (its static labels
    /// and the equality matchers of its expression); a label still open is a
    /// wildcard, and at least one page must match the pattern.
    AlarmRunbookTemplateUnmatched: "alarm-runbook-template-unmatched", Error, Alarms;
    /// an `alarms.sources` glob that matches no file; at the glob in `opswiki.yaml`
    AlarmSourceUnmatched: "alarm-source-unmatched", Warning, Alarms;
    /// an opswiki-list alarm's severity differs from its runbook's
    AlarmSeverityMismatch: "alarm-severity-mismatch", Warning, Alarms;
    /// a runbook's `alarms:` names an alarm that does not exist
    RunbookAlarmUnknown: "runbook-alarm-unknown", Error, Alarms;
    /// a runbook's `alarms:` names an alarm whose link leads to another page
    RunbookAlarmElsewhere: "runbook-alarm-elsewhere", Warning, Alarms;
    /// not valid YAML, not a tree, or a line of the fenced notation that is none of its forms
    TreeInvalid: "tree-invalid", Error, Trees;
    /// two tree files with one id
    TreeDuplicate: "tree-duplicate", Error, Trees;
    /// `start` names no node
    TreeStartUnknown: "tree-start-unknown", Error, Trees;
    /// a `next` (or `Continue` after the last check) names no node
    TreeNextUnknown: "tree-next-unknown", Error, Trees;
    /// the checks loop; names the nodes on the cycle
    TreeCycle: "tree-cycle", Error, Trees;
    /// a node no path from `start` reaches
    TreeNodeUnreachable: "tree-node-unreachable", Error, Trees;
    /// a check with no answers
    TreeNodeNoOptions: "tree-node-no-options", Error, Trees;
    /// a node without check text
    TreeCheckEmpty: "tree-check-empty", Error, Trees;
    /// an answer without text
    TreeAnswerEmpty: "tree-answer-empty", Error, Trees;
    /// an answer with no target or several (`runbook`, `next`, `escalate`)
    TreeOptionTarget: "tree-option-target", Error, Trees;
    /// a runbook, by title or link, that matches nothing
    TreeRunbookUnknown: "tree-runbook-unknown", Error, Trees;
    /// a runbook target that is a `javascript:`, `vbscript:` or `data:` URL, which the wiki never links
    TreeRunbookScriptUrl: "tree-runbook-script-url", Error, Trees;
    /// a runbook title that matches several runbooks
    TreeRunbookAmbiguous: "tree-runbook-ambiguous", Error, Trees;
    /// the target page is not a runbook
    TreeRunbookNotRunbook: "tree-runbook-not-runbook", Error, Trees;
    /// a `runbooks:` entry that is not a runbook of the wiki
    PostmortemRunbookUnknown: "postmortem-runbook-unknown", Error, Postmortems;
    /// the Timeline or Action Items section has no table to read
    PostmortemTableMissing: "postmortem-table-missing", Warning, Postmortems;
    /// a Timeline or Action Items table without its key column
    PostmortemTableInvalid: "postmortem-table-invalid", Error, Postmortems;
    /// an action item without an owner
    ActionOwnerMissing: "action-owner-missing", Warning, Postmortems;
    /// an action item without a deadline
    ActionDeadlineMissing: "action-deadline-missing", Warning, Postmortems;
    /// a deadline that is not a date
    ActionDateInvalid: "action-date-invalid", Error, Postmortems;
    /// the deadline has passed (by `--today`) and the status is not Done, Closed or Complete
    ActionOverdue: "action-overdue", Warning, Postmortems;
    /// a report without `week_of`
    ReportWeekMissing: "report-week-missing", Error, Reports;
    /// two reports for one week; names both files
    ReportWeekDuplicate: "report-week-duplicate", Error, Reports;
    /// a value that cannot be (uptime above 100, a negative count)
    ReportValueOutOfRange: "report-value-out-of-range", Error, Reports;
    /// a data block of the wrong shape
    ReportBlockInvalid: "report-block-invalid", Error, Reports;
    /// a key a report block does not know (a typo?)
    ReportKeyUnknown: "report-key-unknown", Warning, Reports;
    /// the site folder could not be read (deleted, unreadable)
    SiteUnreadable: "site-unreadable", Error, Serve;
    /// a rebuild failed for a reason outside the content (e.g. the output folder)
    ServeRebuildFailed: "serve-rebuild-failed", Error, Serve;
    /// a bug in opswiki; the last good site stays served
    ServeInternalError: "serve-internal-error", Error, Serve;
    /// an `opswiki-ignore` comment that suppresses nothing (the finding is fixed, or the code is not one opswiki has)
    SuppressionUnused: "suppression-unused", Warning, Suppressions;
}
