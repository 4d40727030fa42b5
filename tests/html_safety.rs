//! The HTML safety policy (README, "HTML safety"): fields from front matter
//! and alarm files are always escaped, wherever they appear; raw HTML in
//! Markdown is kept by default and cleaned with `raw_html: sanitize`;
//! links that run code are never emitted, whatever they come from.

mod common;

use std::fs;

use common::serve::init_site;
use common::{Site, TODAY, assert_no_script_urls, build_into, snapshot};

const RB: &str = "content/runbooks/api-error-rate-spike.md";
const RB_HTML: &str = "runbooks/api-error-rate-spike/index.html";

fn replace(site: &Site, rel: &str, from: &str, to: &str) {
    let text = fs::read_to_string(site.path(rel)).unwrap();
    assert!(text.contains(from), "`{from}` not in {rel}");
    fs::write(site.path(rel), text.replacen(from, to, 1)).unwrap();
}

fn build(site: &Site) {
    let out = build_into(&site.root(), &site.out_dir(), TODAY, &[]);
    assert_eq!(out.code, 0, "{out}");
}

#[test]
fn front_matter_and_alarm_fields_are_escaped_everywhere() {
    let site = init_site();
    let title = "<script>alert('T')</script>";
    replace(
        &site,
        RB,
        "title: API Error Rate Spike",
        &format!("title: \"{title}\""),
    );
    replace(&site, RB, "owner: team-api", "owner: \"<b>own</b>\"");
    replace(
        &site,
        "content/alarms/api.yaml",
        "description: Orders API returning server errors",
        "description: \"<img src=x onerror=alert('A')>\"",
    );
    replace(
        &site,
        "content/alarms/api.yaml",
        "action: page on-call",
        "action: \"</script><script>alert('C')</script>\"",
    );
    replace(
        &site,
        "content/trees/users-report-errors.yaml",
        "title: Users report errors",
        "title: \"</script><svg onload=alert('G')>\"",
    );
    replace(
        &site,
        "content/postmortems/2026-11-23-orders-api-errors.md",
        "title: Orders API Errors After a Deploy",
        "title: \"<iframe src=javascript:alert('P')>\"",
    );
    build(&site);

    let out = snapshot(&site.out_dir());
    // Where the title must appear, escaped.
    for page in [RB_HTML, "runbooks/index.html", "index.html"] {
        let html = String::from_utf8_lossy(&out[page]);
        assert!(
            html.contains("&lt;script&gt;alert(&#39;T&#39;)&lt;/script&gt;"),
            "{page} does not show the title escaped:\n{html}"
        );
    }
    let catalogue = String::from_utf8_lossy(&out["alarms/index.html"]);
    assert!(catalogue.contains("&lt;img src=x onerror"), "{catalogue}");
    // Nowhere as markup: not in any page, script, JSON or search shard.
    let mut searched = 0;
    for (rel, bytes) in &out {
        let text = String::from_utf8_lossy(bytes);
        for raw in [
            "<script>alert('T')",
            "<b>own</b>",
            "<img src=x onerror",
            "</script><script>alert('C')",
            "</script><svg onload",
            "<iframe src=javascript",
        ] {
            assert!(!text.contains(raw), "{rel} holds `{raw}` unescaped");
        }
        if rel.ends_with(".js") || rel.ends_with(".json") {
            searched += 1;
        }
    }
    assert!(searched > 0, "no search index written?");
    // The search index holds the title, escaped for a script (`\u003c`) or
    // as JSON text, which the search page inserts as text.
    let in_index = out
        .iter()
        .filter(|(rel, _)| rel.starts_with("search") || rel.contains("search"))
        .any(|(_, b)| String::from_utf8_lossy(b).contains("alert("));
    assert!(in_index, "the title is not in the search index");
    assert_no_script_urls(&site.out_dir());
}

#[test]
fn a_script_url_as_an_alarm_or_tree_runbook_is_an_error_at_the_link() {
    // A responder paged by the alarm, or walking the tree, would reach a
    // runbook the wiki never links: CI must fail on it.
    let site = init_site();
    let alarms = "content/alarms/api.yaml";
    let tree = "content/trees/users-report-errors.yaml";
    replace(
        &site,
        alarms,
        "runbook: runbooks/database-connection-exhaustion",
        "runbook: \"javascript:alert('alarm')\"",
    );
    replace(
        &site,
        tree,
        "runbook: runbooks/api-error-rate-spike",
        "runbook: \" JavaScript:alert('tree')\"",
    );
    let at = |rel: &str, needle: &str| -> (u32, u32) {
        let text = fs::read_to_string(site.path(rel)).unwrap();
        let offset = text.find(needle).expect(needle);
        let line = text[..offset].matches('\n').count() as u32 + 1;
        let column = (offset - text[..offset].rfind('\n').map_or(0, |n| n + 1)) as u32 + 1;
        (line, column)
    };
    let diags = common::check_json(&site, TODAY);
    let (line, column) = at(alarms, "\"javascript:");
    common::assert_diag(&diags, "alarm-runbook-script-url", alarms, line, column);
    let (line, column) = at(tree, "\" JavaScript:");
    common::assert_diag(&diags, "tree-runbook-script-url", tree, line, column);
    let out = build_into(&site.root(), &site.out_dir(), TODAY, &[]);
    assert_eq!(out.code, 1, "{out}");
}

#[test]
fn script_urls_from_post_mortems_and_markdown_are_never_emitted() {
    let site = init_site();
    replace(
        &site,
        "content/postmortems/2026-11-23-orders-api-errors.md",
        "runbooks: [runbooks/api-error-rate-spike]",
        "runbooks: [runbooks/api-error-rate-spike, \"JavaScript:alert('pm')\"]",
    );
    replace(
        &site,
        RB,
        "# Runbook: API Error Rate Spike",
        "# Runbook: API Error Rate Spike\n\n[a](javascript:alert('md')) [b](data:text/html,x) \
         ![c](data:image/svg+xml,x) ![d](data:image/png;base64,iVBORw0KGgo=) \
         <vbscript:msgbox> [e]( JAVA\tSCRIPT:alert('md2'))",
    );
    // Script URLs in Markdown and a post-mortem's `runbooks:` are no
    // errors (the text stays, unlinked): the build goes on, and must never
    // link to them. (Alarms' and trees' are errors: the test above.)
    build(&site);
    assert_no_script_urls(&site.out_dir());
    for (rel, bytes) in snapshot(&site.out_dir()) {
        let text = String::from_utf8_lossy(&bytes).to_ascii_lowercase();
        // As a link anywhere: attributes, the inline tree data, the search
        // shards. (As text, a label showing what was written, it may stay.)
        for value in [
            "href=\"javascript:",
            "href='javascript:",
            "href=javascript:",
            "\"href\":\"javascript:",
            "\"url\":\"javascript:",
            "href=\"data:text",
        ] {
            assert!(!text.contains(value), "{rel} holds {value}");
        }
    }
    let page = site.output(RB_HTML);
    assert!(
        page.contains("src=\"data:image/png;base64,"),
        "a PNG data image is kept"
    );
}

const HOSTILE: &str = "\n\n<details><summary>Check the pool</summary>\n\n\
Run `pgcheck` first.\n\n</details>\n\n\
<script>alert('raw')</script>\n\n\
<img src=x onerror=\"alert('img')\"> <a href=\"javascript:alert('a')\">link</a>\n\n\
<iframe src=\"https://evil.example/\"></iframe>\n\n\
<p style=\"position:fixed;top:0\" onmouseover=\"alert('p')\">covered</p>\n\n\
- [x] paged\n- [ ] rolled back\n\n\
| step | who |\n|:--|--:|\n| 1 | on-call |\n\n\
See the note[^n].\n\n[^n]: A footnote.\n\n\
```sh\nkubectl get pods\n```\n";

fn hostile_site(config: &str) -> Site {
    let site = init_site();
    replace(
        &site,
        RB,
        "# Runbook: API Error Rate Spike",
        &format!("# Runbook: API Error Rate Spike{HOSTILE}"),
    );
    let yaml = fs::read_to_string(site.path("opswiki.yaml")).unwrap_or_default();
    fs::write(site.path("opswiki.yaml"), format!("{yaml}\n{config}\n")).unwrap();
    build(&site);
    site
}

#[test]
fn sanitize_cleans_raw_html_and_keeps_what_runbooks_need() {
    let site = hostile_site("raw_html: sanitize");
    let html = site.output(RB_HTML);
    let body = &html[html.find("class=\"markdown\"").expect("the body")..];
    for gone in [
        "alert('raw')",
        "onerror",
        "javascript:",
        "<iframe",
        "onmouseover",
        "position:fixed",
    ] {
        assert!(!body.contains(gone), "`{gone}` kept:\n{body}");
    }
    for kept in [
        "<details><summary>Check the pool</summary>",
        "<code>pgcheck</code>",
        "type=\"checkbox\"",
        "class=\"footnote-reference\"",
        "style=\"text-align:right\"",
        "<button class=\"copy\"",
        "data-lang=\"sh\"",
        "<p>covered</p>",
        ">link</a>",
        "class=\"anchor\"",
    ] {
        assert!(body.contains(kept), "`{kept}` lost:\n{body}");
    }
    // The site's own scripts are untouched: the page still has them.
    assert!(html.contains("opswiki.js"), "{html}");
    assert_no_script_urls(&site.out_dir());
}

#[test]
fn allow_keeps_the_authors_html_but_never_a_markdown_script_link() {
    let site = hostile_site("raw_html: allow");
    let html = site.output(RB_HTML);
    // The authors' own HTML, as written (the default).
    assert!(html.contains("<details><summary>Check the pool</summary>"));
    assert!(html.contains("<script>alert('raw')</script>"), "{html}");
    assert!(html.contains("<button class=\"copy\""));
    // The default is `allow`.
    let default = hostile_site("");
    assert_eq!(default.output(RB_HTML), html);
}

#[test]
fn an_unknown_raw_html_value_is_an_error_naming_the_choices() {
    let site = init_site();
    let yaml = fs::read_to_string(site.path("opswiki.yaml")).unwrap_or_default();
    fs::write(
        site.path("opswiki.yaml"),
        format!("{yaml}\nraw_html: strip\n"),
    )
    .unwrap();
    let out = site.check(&[]);
    assert_eq!(out.code, 1, "{out}");
    assert!(out.stderr.contains("`raw_html` must be `allow`"), "{out}");
}
