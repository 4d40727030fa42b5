//! The command line: exit codes, output formats, the summary line, and
//! clap's own behaviour (--help, --version, usage errors).

mod common;

use common::*;

const RB: &str = "content/runbooks/x.md";

/// A site with one error (a broken link) and one warning (a stale runbook),
/// in two files; returns the site and the broken runbook's text.
fn site_with_error_and_warning() -> (Site, String) {
    let site = Site::new();
    let text = Runbook::new("X")
        .section("Impact", "See [the db runbook](runbooks/nope) now.")
        .render();
    site.file(RB, &text);
    site.file(
        "content/runbooks/old.md",
        &Runbook::new("Old")
            .field("last_updated", "2026-01-02")
            .render(),
    );
    (site, text)
}

/// A site whose only finding is a warning (a stale runbook).
fn site_with_warning_only() -> Site {
    let site = Site::new();
    site.file(
        "content/runbooks/old.md",
        &Runbook::new("Old")
            .field("last_updated", "2026-01-02")
            .render(),
    );
    site
}

fn clean_site() -> Site {
    let site = Site::new();
    site.file(RB, &Runbook::new("X").render());
    site
}

// ---------------------------------------------------------------------------
// Exit codes
// ---------------------------------------------------------------------------

#[test]
fn exit_0_on_a_clean_site() {
    let site = clean_site();
    let out = site.check(&[]);
    assert_eq!(out.code, 0, "{out}");
    let out = site.check(&["--deny-warnings"]);
    assert_eq!(out.code, 0, "{out}");
    let out = site.build(&[]);
    assert_eq!(out.code, 0, "{out}");
}

#[test]
fn exit_1_with_errors() {
    let (site, _) = site_with_error_and_warning();
    let out = site.check(&[]);
    assert_eq!(out.code, 1, "{out}");
    let out = site.build(&[]);
    assert_eq!(out.code, 1, "{out}");
    assert!(!site.out_dir().exists(), "a failed build writes nothing");
    assert!(
        out.stderr.contains("nothing was written"),
        "the build says why it stopped:\n{out}"
    );
}

#[test]
fn warnings_only_exit_0_unless_denied() {
    let site = site_with_warning_only();
    let out = site.check(&[]);
    assert_eq!(out.code, 0, "{out}");
    let out = site.check(&["--deny-warnings"]);
    assert_eq!(out.code, 1, "{out}");
    let out = site.build(&["--deny-warnings"]);
    assert_eq!(out.code, 1, "{out}");
    assert!(!site.out_dir().exists(), "a denied build writes nothing");
    let out = site.build(&[]);
    assert_eq!(out.code, 0, "{out}");
    assert!(site.out_dir().join("index.html").is_file());
}

#[test]
fn exit_2_for_a_missing_root() {
    let site = Site::bare();
    let missing = site.path("no-such-site");
    for cmd in ["check", "build"] {
        let out = run(&[cmd, "--root", missing.to_str().unwrap(), "--today", TODAY]);
        assert_eq!(out.code, 2, "{cmd}: {out}");
        assert!(out.stderr.contains("no-such-site"), "names the root: {out}");
        assert!(out.stdout.is_empty(), "{out}");
    }
}

#[test]
fn exit_2_for_a_root_without_content() {
    let site = Site::bare();
    site.file("opswiki.yaml", "title: T\n");
    let root = site.root();
    for cmd in ["check", "build"] {
        let out = run(&[cmd, "--root", root.to_str().unwrap(), "--today", TODAY]);
        assert_eq!(out.code, 2, "{cmd}: {out}");
        assert!(
            out.stderr.contains("content/"),
            "says what is missing: {out}"
        );
    }
}

#[test]
fn exit_2_for_a_root_that_is_a_file() {
    let site = Site::bare();
    site.file("file.txt", "x");
    let out = run(&check_args(&site.path("file.txt"), TODAY, &[]));
    assert_eq!(out.code, 2, "{out}");
}

#[test]
fn an_empty_content_folder_is_a_valid_site() {
    let site = Site::new();
    let out = site.check(&[]);
    assert_eq!(out.code, 0, "{out}");
    let out = site.build(&[]);
    assert_eq!(out.code, 0, "{out}");
    assert!(site.out_dir().join("index.html").is_file());
}

#[test]
fn root_defaults_to_the_working_folder() {
    let (site, _) = site_with_error_and_warning();
    let out = run_in(
        &site.root(),
        &["check", "--today", TODAY, "--format", "json"],
    );
    assert_eq!(out.code, 1, "{out}");
    assert_diag(
        &parse_json_lines(&out.stdout),
        "link-broken",
        RB,
        pos(&site_text(&site), "runbooks/nope").0,
        pos(&site_text(&site), "runbooks/nope").1,
    );

    let site = clean_site();
    let out = run_in(&site.root(), &["build", "--today", TODAY]);
    assert_eq!(out.code, 0, "{out}");
    assert!(
        site.path("site/runbooks/x/index.html").is_file(),
        "the default output is ROOT/site"
    );
}

fn site_text(site: &Site) -> String {
    std::fs::read_to_string(site.path(RB)).unwrap()
}

// ---------------------------------------------------------------------------
// Formats
// ---------------------------------------------------------------------------

#[test]
fn json_lines_have_the_contract_keys() {
    let (site, text) = site_with_error_and_warning();
    let out = site.check(&["--format", "json"]);
    assert_eq!(out.code, 1, "{out}");
    let diags = parse_json_lines(&out.stdout);
    assert_eq!(diags.len(), 2, "{}", show(&diags));
    for d in &diags {
        let obj = d.as_object().unwrap();
        for key in ["level", "code", "message", "file", "line", "column"] {
            assert!(obj.contains_key(key), "missing `{key}`: {d}");
        }
        for key in obj.keys() {
            assert!(
                ["level", "code", "message", "file", "line", "column", "help"]
                    .contains(&key.as_str()),
                "unexpected key `{key}`: {d}"
            );
        }
        assert!(d["level"] == "error" || d["level"] == "warning", "{d}");
        assert!(d["line"].is_u64() && d["column"].is_u64(), "{d}");
        assert!(d["message"].is_string() && d["file"].is_string(), "{d}");
        let code = d["code"].as_str().unwrap();
        assert!(
            !code.is_empty()
                && code
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "codes are kebab-case: {code}"
        );
    }
    let (line, col) = pos(&text, "runbooks/nope");
    let d = assert_diag_level(&diags, "error", "link-broken", RB, line, col);
    assert!(d["help"].is_string(), "{d}");
    assert_diag_level(
        &diags,
        "warning",
        "runbook-stale",
        "content/runbooks/old.md",
        5,
        15,
    );
    // Diagnostics go to stdout; the human summary goes to stderr.
    assert!(!out.stderr.contains("\"code\""), "{out}");
}

#[test]
fn json_on_a_clean_site_prints_nothing_on_stdout() {
    let out = clean_site().check(&["--format", "json"]);
    assert_eq!(out.code, 0, "{out}");
    assert_eq!(out.stdout.trim(), "", "{out}");
}

#[test]
fn github_format_prints_workflow_commands() {
    let (site, text) = site_with_error_and_warning();
    let out = site.check(&["--format", "github"]);
    assert_eq!(out.code, 1, "{out}");
    let lines: Vec<&str> = out.stdout.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 2, "{out}");
    let (line, col) = pos(&text, "runbooks/nope");
    let error = format!(
        "::error file=content/runbooks/x.md,line={line},col={col},title=link-broken::link to `runbooks/nope` matches no page"
    );
    assert!(
        lines.iter().any(|l| l.starts_with(&error)),
        "expected a line starting with\n{error}\n{out}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with(
            "::warning file=content/runbooks/old.md,line=5,col=15,title=runbook-stale::"
        )),
        "{out}"
    );
    for l in &lines {
        assert!(
            l.starts_with("::error ") || l.starts_with("::warning "),
            "{l}"
        );
    }
}

#[test]
fn github_format_keeps_each_diagnostic_on_one_line() {
    // A help text adds a second line; it must be escaped, not printed raw.
    let (site, _) = site_with_error_and_warning();
    let out = site.check(&["--format", "github"]);
    for l in out.stdout.lines().filter(|l| !l.is_empty()) {
        assert!(
            l.starts_with("::"),
            "a continuation line leaked: {l:?}\n{out}"
        );
    }
    assert!(out.stdout.contains("%0Ahelp: "), "{out}");
}

#[test]
fn junit_format_is_well_formed_xml_with_a_failure_count() {
    let (site, _) = site_with_error_and_warning();
    // Add a second error in another file and a message with XML specials.
    site.file(
        "content/runbooks/amp.md",
        &Runbook::new("Amp")
            .section("Impact", "[<&>](runbooks/a&b\"c)")
            .render(),
    );
    let out = site.check(&["--format", "junit"]);
    assert_eq!(out.code, 1, "{out}");
    let xml = &out.stdout;
    let root = check_xml(xml).unwrap_or_else(|e| panic!("not well-formed: {e}\n{xml}"));
    assert_eq!(root, "testsuites");
    assert_eq!(
        xml_attr(xml, "testsuites", "failures").as_deref(),
        Some("2")
    );
    assert_eq!(xml_attr(xml, "testsuite", "failures").as_deref(), Some("2"));
    assert_eq!(count(xml, "<failure "), 2, "{xml}");
    assert!(xml.contains("link-broken"), "{xml}");
    // The warning is shown but does not fail.
    assert!(xml.contains("runbook-stale"), "{xml}");
}

#[test]
fn junit_format_on_a_clean_site() {
    let out = clean_site().check(&["--format", "junit"]);
    assert_eq!(out.code, 0, "{out}");
    let root = check_xml(&out.stdout).unwrap_or_else(|e| panic!("{e}\n{out}"));
    assert_eq!(root, "testsuites");
    assert_eq!(
        xml_attr(&out.stdout, "testsuites", "failures").as_deref(),
        Some("0")
    );
}

#[test]
fn text_format_shows_code_location_and_source_line() {
    let (site, text) = site_with_error_and_warning();
    let out = site.check(&[]);
    assert_eq!(out.code, 1, "{out}");
    let (line, col) = pos(&text, "runbooks/nope");
    let source_line = text.lines().nth(line as usize - 1).unwrap();
    let err = &out.stderr;
    assert!(
        err.contains("error[link-broken]: link to `runbooks/nope` matches no page"),
        "{out}"
    );
    assert!(
        err.contains(&format!("--> content/runbooks/x.md:{line}:{col}")),
        "{out}"
    );
    assert!(err.contains(source_line), "shows the source line:\n{out}");
    // The caret sits under the destination.
    let caret_line = err
        .lines()
        .skip_while(|l| !l.ends_with(source_line))
        .nth(1)
        .unwrap_or_else(|| panic!("no line after the source line:\n{out}"));
    let source_at = err
        .lines()
        .find(|l| l.ends_with(source_line))
        .unwrap()
        .len()
        - source_line.len();
    let caret_at = caret_line.find('^').expect("a caret");
    assert_eq!(caret_at - source_at, col as usize - 1, "{out}");
    assert!(err.contains("warning[runbook-stale]"), "{out}");
    assert!(err.contains("help: "), "{out}");
    assert!(out.stdout.trim().is_empty(), "text goes to stderr:\n{out}");
    assert!(
        !err.contains("\u{1b}["),
        "no colour when not a terminal:\n{out}"
    );
}

#[test]
fn summary_line_on_stderr() {
    let (site, _) = site_with_error_and_warning();
    for format in ["text", "json", "github", "junit"] {
        let out = site.check(&["--format", format]);
        let summary = out
            .stderr
            .lines()
            .find(|l| l.contains(" pages, "))
            .unwrap_or_else(|| panic!("{format}: no summary line:\n{out}"));
        assert!(summary.starts_with("2 pages, "), "{summary}");
        assert!(summary.ends_with(": 1 error, 1 warning"), "{summary}");
        assert!(
            !out.stdout.contains(" pages, "),
            "{format}: the summary is not on stdout:\n{out}"
        );
    }
    let out = clean_site().check(&[]);
    assert!(
        out.stderr.contains("1 pages, ") || out.stderr.contains("1 page, "),
        "{out}"
    );
    assert!(out.stderr.contains(": 0 errors, 0 warnings"), "{out}");
}

#[test]
fn build_reports_diagnostics_in_the_chosen_format() {
    let (site, text) = site_with_error_and_warning();
    let out = site.build(&["--format", "json"]);
    assert_eq!(out.code, 1, "{out}");
    let (line, col) = pos(&text, "runbooks/nope");
    assert_diag(&parse_json_lines(&out.stdout), "link-broken", RB, line, col);
}

// ---------------------------------------------------------------------------
// clap
// ---------------------------------------------------------------------------

#[test]
fn version_prints_the_crate_version() {
    let out = run(&["--version"]);
    assert_eq!(out.code, 0, "{out}");
    assert_eq!(
        out.stdout.trim(),
        format!("opswiki {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn help_lists_the_commands_and_exit_codes() {
    let out = run(&["--help"]);
    assert_eq!(out.code, 0, "{out}");
    assert!(
        out.stdout.contains("build") && out.stdout.contains("check"),
        "{out}"
    );
    assert!(out.stdout.contains("Exit status"), "{out}");
    let out = run(&["check", "--help"]);
    assert_eq!(out.code, 0, "{out}");
    for flag in ["--root", "--today", "--format", "--deny-warnings"] {
        assert!(
            out.stdout.contains(flag),
            "check --help lacks {flag}:\n{out}"
        );
    }
    let out = run(&["build", "--help"]);
    assert_eq!(out.code, 0, "{out}");
    assert!(out.stdout.contains("--output"), "{out}");
}

#[test]
fn a_bad_today_is_a_usage_error() {
    let site = clean_site();
    let root = site.root();
    for bad in ["2026-13-01", "tomorrow", "26/11/2026", ""] {
        let out = run(&["check", "--root", root.to_str().unwrap(), "--today", bad]);
        assert_eq!(out.code, 2, "--today {bad:?}: {out}");
        assert!(out.stderr.contains("--today"), "{out}");
        assert!(out.stdout.is_empty(), "{out}");
    }
}

#[test]
fn other_usage_errors_exit_2() {
    let site = clean_site();
    let root = site.root();
    for args in [
        vec!["check", "--root", root.to_str().unwrap(), "--format", "xml"],
        vec!["check", "--root", root.to_str().unwrap(), "--no-such-flag"],
        vec!["frobnicate"],
        vec![],
    ] {
        let out = run(&args);
        assert_eq!(out.code, 2, "{args:?}: {out}");
    }
}

#[test]
fn the_xml_checker_rejects_malformed_xml() {
    // The JUnit test above is only as good as this checker.
    assert!(check_xml("<?xml version=\"1.0\"?>\n<a x=\"1\"><b/>t &amp; u</a>\n").is_ok());
    for bad in [
        "<a><b></a></b>",
        "<a>",
        "<a></a><b></b>",
        "<a x=1></a>",
        "<a x=\"1\" x=\"2\"></a>",
        "<a>1 & 2</a>",
        "<a>&nbsp;</a>",
        "<a x=\"<\"></a>",
        "text",
        "",
    ] {
        assert!(check_xml(bad).is_err(), "accepted {bad:?}");
    }
}

#[test]
fn exit_2_when_the_output_cannot_be_written() {
    let site = clean_site();
    site.file("blocker", "a file, not a folder");
    let out = build_into(&site.root(), &site.path("blocker/out"), TODAY, &[]);
    assert_eq!(out.code, 2, "{out}");
    assert!(out.stderr.contains("error:"), "{out}");
}

#[test]
fn diagnostics_are_sorted_and_the_same_on_every_run() {
    let root = fixture("invalid");
    let args = check_args(&root, TODAY, &["--format", "json"]);
    let first = run(&args);
    for _ in 0..3 {
        assert_eq!(run(&args).stdout, first.stdout);
    }
    let diags = parse_json_lines(&first.stdout);
    let keys: Vec<_> = diags
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "sorted by file, line, column");
}
