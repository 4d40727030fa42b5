//! The Markdown each tool's authors write, rendered as they meant: fixture
//! sites in the style of a hugo-book site, an MkDocs Material site, a GitLab
//! folder and a GitHub folder (`tests/fixtures/flavor-*`), checked and built
//! with the real binary. Call-out HTML shapes are insta snapshots
//! (`tests/snapshots/flavor_render__*.snap`).

mod common;

use common::{Site, TODAY, assert_count, assert_diag_level, check_json, show};

/// The rendered Markdown of a page: its `.markdown` element.
fn body(site: &Site, page: &str) -> String {
    let html = site.output(&format!("{page}/index.html"));
    let start = html
        .find("<div class=\"markdown\">")
        .unwrap_or_else(|| panic!("no .markdown in {page}:\n{html}"));
    let end = html[start..]
        .find("</article>")
        .map_or(html.len(), |i| start + i);
    html[start..end].trim_end().to_string()
}

fn built(fixture: &str) -> Site {
    let site = Site::copy_of(fixture, |_, bytes| bytes);
    site.build_ok();
    site
}

#[test]
fn hugo_shortcodes_render_and_an_unknown_one_is_a_located_warning() {
    let site = Site::copy_of("flavor-hugo", |_, bytes| bytes);
    let diags = check_json(&site, TODAY);
    // The one unknown shortcode, at its name; nothing else (the `ref` and
    // `relref` links resolve, the figure's image exists).
    let d = assert_diag_level(
        &diags,
        "warning",
        "shortcode-unknown",
        "content/docs/alerts/kube-pod-crash-looping.md",
        55,
        5,
    );
    assert!(
        d["message"].as_str().unwrap().contains("`grafana-panel`"),
        "{}",
        show(&diags)
    );
    assert_eq!(diags.len(), 1, "{}", show(&diags));

    site.build_ok();
    let html = body(&site, "docs/alerts/kube-pod-crash-looping");
    // Only the one written as text (`{{</* hint */>}}`) shows.
    assert_eq!(
        html.matches("{{").count(),
        1,
        "a shortcode shown as text:\n{html}"
    );
    assert!(
        html.contains("<a href=\"../../../docs/guide/index.html\">operator guide</a>"),
        "ref link:\n{html}"
    );
    assert!(
        html.contains("<a href=\"../../../docs/guide/index.html#steps\">steps</a>"),
        "relref link:\n{html}"
    );
    assert!(
        html.contains("<code>{{&lt; hint &gt;}}</code>"),
        "an escaped shortcode shows as the shortcode:\n{html}"
    );
    insta::assert_snapshot!("hugo", html);
}

#[test]
fn an_unclosed_hugo_hint_is_a_warning_and_renders_to_the_end() {
    let site = Site::new();
    site.file("opswiki.yaml", "flavor: hugo\n").file(
        "content/notes/open.md",
        "# Open\n\nText.\n\n  {{% hint warning %}}\nStill inside.\n",
    );
    let diags = check_json(&site, TODAY);
    assert_diag_level(
        &diags,
        "warning",
        "shortcode-unclosed",
        "content/notes/open.md",
        5,
        7,
    );
    assert_eq!(diags.len(), 1, "{}", show(&diags));
    site.build_ok();
    let html = body(&site, "notes/open");
    assert!(
        html.contains("<div class=\"callout callout-warning\" role=\"note\">"),
        "{html}"
    );
    assert!(html.contains("<p>Still inside.</p>"), "{html}");
}

#[test]
fn shortcodes_are_text_in_other_flavors() {
    let site = Site::new();
    site.file(
        "content/notes/x.md",
        "# X\n\n{{< hint info >}}\nText.\n{{< /hint >}}\n",
    );
    let diags = check_json(&site, TODAY);
    assert_count(&diags, "shortcode-unknown", 0);
    site.build_ok();
    assert!(body(&site, "notes/x").contains("{{&lt; hint info &gt;}}"));
}

#[test]
fn mkdocs_admonitions_attribute_lists_and_toc() {
    let site = Site::copy_of("flavor-mkdocs", |_, bytes| bytes);
    let diags = check_json(&site, TODAY);
    assert!(diags.is_empty(), "{}", show(&diags));
    site.build_ok();
    let html = body(&site, "docs/disk-pressure");
    for shown in [
        "!!! warning",
        "??? note",
        "???+",
        "!!! info",
        "{:",
        "[TOC]",
        "onclick",
    ] {
        assert!(!html.contains(shown), "`{shown}` shown:\n{html}");
    }
    assert!(
        html.contains("<a href=\"https://grafana.example.com/d/disk\" target=\"_blank\" rel=\"noopener\">disk dashboard</a>"),
        "{html}"
    );
    // The examples in code stay code.
    assert!(
        html.contains("!!! note\n    An indented code block"),
        "{html}"
    );
    insta::assert_snapshot!("mkdocs", html);
}

#[test]
fn a_line_of_an_admonition_keeps_its_column_in_diagnostics() {
    let site = Site::new();
    site.file("opswiki.yaml", "flavor: mkdocs\n").file(
        "content/notes/a.md",
        "# A\n\n!!! note \"Links\"\n    See [missing](nowhere.md).\n",
    );
    let diags = check_json(&site, TODAY);
    assert_diag_level(&diags, "error", "link-broken", "content/notes/a.md", 4, 19);
}

#[test]
fn gitlab_toc_alerts_and_bare_urls() {
    let site = built("flavor-gitlab");
    let html = body(&site, "docs/redis-failover");
    assert!(!html.contains("[[_TOC_]]</p>"), "{html}");
    assert!(
        html.contains("<code>[[_TOC_]]\n</code>"),
        "the marker in code stays:\n{html}"
    );
    insta::assert_snapshot!("gitlab", html);
}

#[test]
fn github_alerts_in_five_styles_and_links_from_bare_urls_and_emails() {
    let site = built("flavor-github");
    let html = body(&site, "docs/payments-latency");
    for kind in ["note", "tip", "important", "warning", "caution"] {
        assert!(
            html.contains(&format!(
                "<div class=\"callout callout-{kind}\" role=\"note\">"
            )),
            "{kind}:\n{html}"
        );
    }
    assert!(
        html.contains("<blockquote>"),
        "a plain quote stays:\n{html}"
    );
    assert!(
        html.contains(
            "<a href=\"mailto:payments-oncall@example.com\">payments-oncall@example.com</a>"
        ),
        "{html}"
    );
    assert!(
        html.contains("<code>https://example.com/in-code</code>"),
        "{html}"
    );
    assert_eq!(
        html.matches("href=\"https://status.example.com\"").count(),
        1,
        "{html}"
    );
    insta::assert_snapshot!("github", html);
}

#[test]
fn alerts_and_bare_urls_in_the_default_flavor() {
    let site = Site::new();
    site.file(
        "content/notes/x.md",
        "# X\n\n> [!WARNING]\n> See https://status.example.com/x.\n",
    );
    site.build_ok();
    let html = body(&site, "notes/x");
    assert!(
        html.contains("<p class=\"callout-title\">Warning</p>"),
        "{html}"
    );
    assert!(
        html.contains("<a href=\"https://status.example.com/x\">https://status.example.com/x</a>."),
        "{html}"
    );
}

#[test]
fn a_runbook_without_front_matter_has_no_empty_header_card() {
    let site = Site::new();
    site.file(
        "opswiki.yaml",
        "diagnostics: {runbook-field-missing: off, runbook-section-missing: off}\ngit: off\n",
    )
    .file("content/runbooks/disk.md", "# Disk full\n\nFree space.\n")
    .file(
        "content/runbooks/full.md",
        "---\nseverity: P2\nowner: team-a\nlast_updated: 2026-11-20\n---\n# Full\n\nText.\n",
    );
    site.build_ok();
    assert!(
        !site.output("runbooks/disk/index.html").contains("doc-meta"),
        "an empty header card"
    );
    assert!(
        site.output("runbooks/full/index.html")
            .contains("class=\"doc-meta\"")
    );
}

#[test]
fn email_autolinks_render_as_mailto_links() {
    let site = Site::new();
    // Whether `<x@y>` is a link to check is the resolver's business; here
    // only what it renders as.
    site.file("opswiki.yaml", "diagnostics: {link-broken: off}\n")
        .file(
            "content/notes/x.md",
            "# X\n\nWrite to <leads@example.com> or oncall@example.com.\n",
        );
    site.build_ok();
    let html = body(&site, "notes/x");
    for address in ["leads@example.com", "oncall@example.com"] {
        assert!(
            html.contains(&format!("<a href=\"mailto:{address}\">{address}</a>")),
            "{html}"
        );
    }
}

#[test]
fn stray_shortcodes_and_admonition_headers_stay_linear() {
    // Each was quadratic in a first version: every stray `{{<` read to the
    // end of the page, every indented `!!!` looked back to its start.
    let hugo = Site::new();
    hugo.file("opswiki.yaml", "flavor: hugo\n").file(
        "content/notes/a.md",
        &format!(
            "# A\n\n{}\n{}{}",
            "{{< a \"é".repeat(200_000),
            "{{< hint >}}\n".repeat(50_000),
            "{{< toc >}}\n## h\n".repeat(20_000)
        ),
    );
    let mkdocs = Site::new();
    mkdocs.file("opswiki.yaml", "flavor: mkdocs\n").file(
        "content/notes/a.md",
        &format!(
            "# A\n\n{}{}",
            "    !!! note\n".repeat(300_000),
            "!!! tip\n    body\n".repeat(100_000)
        ),
    );
    for site in [hugo, mkdocs] {
        let root = site.root();
        let out = site.out_dir();
        let args = common::build_args(&root, &out, TODAY, &[]);
        let run = common::run_with_timeout(&args, 60);
        assert_eq!(run.code, 0, "{run}");
    }
}

#[test]
fn call_outs_survive_sanitizing() {
    let site = Site::new();
    site.file("opswiki.yaml", "flavor: hugo\nraw_html: sanitize\n").file(
        "content/notes/x.md",
        "# X\n\n{{< hint danger >}}\nStop.\n{{< /hint >}}\n\n> [!TIP]\n> Tip.\n\n<script>alert(1)</script>\n",
    );
    site.build_ok();
    let html = body(&site, "notes/x");
    assert!(
        html.contains("<div class=\"callout callout-caution callout-type-danger\" role=\"note\">"),
        "{html}"
    );
    assert!(
        html.contains("<p class=\"callout-title\">Tip</p>"),
        "{html}"
    );
    assert!(!html.contains("<script"), "{html}");
}
