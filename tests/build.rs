//! `opswiki build`: the HTML it writes, the links in it, and how the output
//! folder is replaced.

mod common;

use std::fs;
use std::path::PathBuf;

use common::*;

const RB: &str = "content/runbooks/x.md";
const RB_HTML: &str = "runbooks/x/index.html";

/// Build a checked-in fixture into a temporary folder.
fn build_fixture(name: &str) -> (Site, PathBuf) {
    let holder = Site::bare();
    let out = holder.path("out");
    let run = build_into(&fixture(name), &out, TODAY, &[]);
    assert_eq!(run.code, 0, "{run}");
    (holder, out)
}

/// A site with one runbook and the given text; built.
fn built_runbook(text: &str) -> Site {
    let site = Site::new();
    site.file(RB, text);
    site.build_ok();
    site
}

fn read(path: PathBuf) -> String {
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

// ---------------------------------------------------------------------------
// What a build writes
// ---------------------------------------------------------------------------

#[test]
fn build_writes_pages_indexes_and_static_files() {
    let (_holder, out) = build_fixture("valid");
    let files = list_files(&out);
    for expected in [
        "index.html",
        "404.html",
        "runbooks/index.html",
        "runbooks/api-errors/index.html",
        "runbooks/db-connections/index.html",
        "runbooks/k8s/podcrash/index.html",
        "guides/on-call/index.html",
        "static/style.css",
        "static/highlight.css",
        "static/opswiki.js",
        "img/diagram.png",
        "postmortems/index.html",
        "postmortems/2026-10-01-api-errors/index.html",
        "reports/index.html",
        "reports/2026-11-16/index.html",
    ] {
        assert!(
            files.contains(&expected.to_string()),
            "no {expected} in {files:#?}"
        );
    }
    assert_eq!(
        fs::read(out.join("img/diagram.png")).unwrap(),
        fs::read(fixture("valid").join("content/img/diagram.png")).unwrap(),
        "assets are copied unchanged"
    );
    assert!(read(out.join("static/style.css")).len() > 100);
    // The home page is the site's index.md.
    let home = read(out.join("index.html"));
    assert!(home.contains("Start with the"), "{home}");
    assert!(home.contains("Fixture Wiki"));
}

#[test]
fn a_site_without_index_md_gets_a_generated_home_page() {
    let site = built_runbook(&Runbook::new("Disk Full").render());
    let home = site.output("index.html");
    assert!(home.contains("href=\"runbooks/x/index.html\""), "{home}");
    assert!(home.contains("Disk Full"), "{home}");
    assert!(site.out_dir().join("404.html").is_file());
    assert!(site.out_dir().join("runbooks/index.html").is_file());
}

#[test]
fn every_internal_link_is_relative_and_resolves() {
    let (_holder, out) = build_fixture("valid");
    let checked = assert_site_links_resolve(&out, Some("https://wiki.example.com/"));
    assert!(checked > 50, "only {checked} links checked");
    // Nothing in the HTML names the site's base URL or the file system.
    for (rel, bytes) in snapshot(&out) {
        if rel.ends_with(".html") {
            let html = String::from_utf8_lossy(&bytes);
            assert!(!html.contains("href=\"/"), "{rel}");
            assert!(!html.contains("src=\"/"), "{rel}");
            assert!(!html.contains("https://wiki.example.com"), "{rel}");
            assert!(!html.contains(out.to_str().unwrap()), "{rel}");
        }
    }
}

#[test]
fn the_link_checker_catches_broken_links() {
    // The resolver above is only as good as its failures.
    let (_holder, out) = build_fixture("valid");
    let page = out.join("runbooks/api-errors/index.html");
    let html = read(page.clone());
    fs::write(
        &page,
        html.replacen(
            "href=\"../../runbooks/db-connections/index.html\"",
            "href=\"../db-connection/index.html\"",
            1,
        )
        .replacen("#diagnosis-steps\"", "#no-such-anchor\"", 1)
        .replacen(
            "href=\"../../static/style.css\"",
            "href=\"/static/style.css\"",
            1,
        ),
    )
    .unwrap();
    let (problems, _) = check_links_from(&out, None, "runbooks/api-errors/");
    assert_eq!(problems.len(), 3, "{problems:#?}");
}

#[test]
fn a_site_of_runbooks_only_has_no_dangling_links() {
    let site = Site::new();
    site.file(RB, &Runbook::new("X").render());
    site.build_ok();
    assert_site_links_resolve(&site.out_dir(), None);
}

#[test]
fn every_link_form_is_rewritten_to_the_relative_page_path() {
    let (_holder, out) = build_fixture("valid");
    let page = read(out.join("runbooks/api-errors/index.html"));
    // The body's links, not the previous/next links at the page's foot.
    let api = match page.split_once("<nav class=\"pager\"") {
        Some((body, _)) => body.to_string(),
        None => page,
    };
    assert_eq!(
        count(&api, "href=\"../../runbooks/db-connections/index.html\""),
        8,
        "the eight forms without an anchor:\n{api}"
    );
    assert_eq!(
        count(
            &api,
            "href=\"../../runbooks/db-connections/index.html#diagnosis-steps\""
        ),
        1
    );
    assert!(
        api.contains("href=\"#rollback\">the rollback below</a>"),
        "{api}"
    );
    assert!(api.contains("href=\"../../runbooks/k8s/podcrash/index.html\""));
    assert!(api.contains("src=\"../../img/diagram.png\""), "{api}");
    assert!(api.contains("href=\"https://status.example.org/\""));

    let pod = read(out.join("runbooks/k8s/podcrash/index.html"));
    assert!(
        pod.contains("href=\"../../../runbooks/api-errors/index.html#impact\""),
        "{pod}"
    );
    assert!(pod.contains("href=\"../../../guides/on-call/index.html\""));

    let guide = read(out.join("guides/on-call/index.html"));
    assert!(guide.contains("href=\"../../runbooks/api-errors/index.html\""));
    assert!(guide.contains("href=\"../../runbooks/db-connections/index.html#rollback\""));
    assert!(guide.contains("src=\"../../img/diagram.png\""), "{guide}");

    let home = read(out.join("index.html"));
    assert!(home.contains("href=\"runbooks/api-errors/index.html\""));
    assert!(home.contains("href=\"guides/on-call/index.html\""));
}

// ---------------------------------------------------------------------------
// Markdown rendering
// ---------------------------------------------------------------------------

#[test]
fn headings_get_github_ids_and_anchor_links() {
    let text = Runbook::new("X")
        .rename_section("Diagnosis Steps", "Diagnosis Steps:")
        .tail("## Verify\n\na\n\n## Verify\n\nb\n\n### Verify\n\nc\n\n## Check p99 (API) — now!\n\nd\n")
        .render();
    let site = built_runbook(&text);
    let html = site.output(RB_HTML);
    for (level, id) in [
        (2, "diagnosis-steps"),
        (2, "verify"),
        (2, "verify-1"),
        (3, "verify-2"),
        (2, "check-p99-api--now"),
        (2, "symptom"),
        (1, "runbook-x"),
    ] {
        assert!(
            html.contains(&format!("<h{level} id=\"{id}\">")),
            "no <h{level} id=\"{id}\">:\n{html}"
        );
        assert!(
            html.contains(&format!("<a class=\"anchor\" href=\"#{id}\"")),
            "no anchor link to #{id}:\n{html}"
        );
    }
    // Every heading of the page body has its anchor link (the title, shown
    // before the runbook's facts, included).
    let body = html.split("<article class=\"doc\">").nth(1).unwrap();
    let headings = (1..=6)
        .map(|n| count(body, &format!("<h{n} id=")))
        .sum::<usize>();
    assert_eq!(headings, 11);
    assert_eq!(count(body, "<a class=\"anchor\""), headings);
    assert!(!body.contains("id=\"diagnosis-steps-\""));
}

#[test]
fn a_link_with_an_anchor_is_rewritten_to_the_page_and_anchor() {
    let site = Site::new();
    site.file("content/runbooks/db.md", &Runbook::new("DB").render());
    site.file(
        RB,
        &Runbook::new("X")
            .section(
                "Impact",
                "[a](runbooks/db#diagnosis-steps) [b](db.md#Rollback) [c](#prevention)",
            )
            .render(),
    );
    site.build_ok();
    let html = site.output(RB_HTML);
    assert!(
        html.contains("href=\"../../runbooks/db/index.html#diagnosis-steps\""),
        "{html}"
    );
    assert!(
        html.contains("href=\"../../runbooks/db/index.html#rollback\""),
        "anchors are written lower-case, as the ids are:\n{html}"
    );
    assert!(html.contains("href=\"#prevention\""), "{html}");
    assert_links_from_resolve(&site.out_dir(), None, "runbooks/");
}

#[test]
fn code_blocks_are_highlighted_and_shell_blocks_get_a_copy_button() {
    let text = Runbook::new("X")
        .section(
            "Diagnosis Steps",
            "```bash\nkubectl get pods -n orders | grep -v Running\n```\n\n\
             ```yaml\nreplicas: 3\nimage: \"api:1.2\"\n```\n\n\
             ```sh\necho done\n```",
        )
        .render();
    let site = built_runbook(&text);
    let html = site.output(RB_HTML);
    assert!(
        html.contains("class=\"hl-"),
        "highlighted with hl- classes:\n{html}"
    );
    assert_eq!(
        count(&html, "<button class=\"copy\""),
        2,
        "one copy button per shell block:\n{html}"
    );
    // The yaml block: highlighted, no button.
    let yaml_at = html.find("data-lang=\"yaml\"").expect("a yaml block");
    let block_start = html[..yaml_at].rfind("<div class=\"code-block").unwrap();
    let yaml_block = &html[block_start..];
    let yaml_block = &yaml_block[..yaml_block.find("</div>").unwrap()];
    assert!(!yaml_block.contains("<button"), "{yaml_block}");
    assert!(yaml_block.contains("class=\"hl-"), "{yaml_block}");
    // Highlighting keeps the code's text.
    assert!(html.contains("replicas"));
    assert!(html.contains("kubectl"));
    // The highlighting stylesheet defines the classes.
    let css = site.output("static/highlight.css");
    assert!(css.contains(".hl-"), "{css}");
}

#[test]
fn code_in_an_unknown_language_is_escaped() {
    let text = Runbook::new("X")
        .section("Diagnosis Steps", "```promql\nrate(x[5m]) > 0 && <b>\n```")
        .render();
    let site = built_runbook(&text);
    let html = site.output(RB_HTML);
    assert!(html.contains("&gt; 0 &amp;&amp; &lt;b&gt;"), "{html}");
}

#[test]
fn task_lists_show_the_done_count() {
    let text = Runbook::new("X")
        .section(
            "Resolution Steps",
            "- [x] Page the owner\n- [ ] Roll back\n- [x] Verify",
        )
        .render();
    let site = built_runbook(&text);
    let html = site.output(RB_HTML);
    assert!(html.contains("2/3"), "{html}");
    assert_eq!(count(&html, "type=\"checkbox\""), 3, "{html}");

    let site = built_runbook(&Runbook::new("X").render());
    let html = site.output(RB_HTML);
    assert!(
        !html.contains("/0</strong>"),
        "no count without tasks:\n{html}"
    );
}

#[test]
fn titles_and_owners_are_escaped() {
    let site = Site::new();
    site.file(
        RB,
        &Runbook::new("X")
            .field("title", "\"<script>alert(1)</script>\"")
            .field("owner", "\"<b>x</b>\"")
            .field("services", "[\"<i>svc</i>\"]")
            .h1(Some("Runbook: Escaping"))
            .render(),
    );
    site.build_ok();
    let page = site.output(RB_HTML);
    assert!(page.contains("&lt;script&gt;alert(1)&lt;"), "{page}");
    assert!(page.contains("&lt;b&gt;x&lt;"), "{page}");
    let index = site.output("runbooks/index.html");
    assert!(index.contains("&lt;script&gt;alert(1)&lt;"), "{index}");
    assert!(index.contains("&lt;b&gt;x&lt;"), "{index}");
    for (rel, bytes) in snapshot(&site.out_dir()) {
        if !rel.ends_with(".html") {
            continue;
        }
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("<script>alert"), "raw script in {rel}");
        assert!(!text.contains("<b>x</b>"), "raw owner HTML in {rel}");
        assert!(!text.contains("<i>svc</i>"), "raw service HTML in {rel}");
    }
}

#[test]
fn javascript_links_are_never_emitted() {
    let text = Runbook::new("X")
        .section(
            "Impact",
            "[a](javascript:alert(1)) [b](JaVaScRiPt:alert(2)) [c](<javascript:alert(3)>) \
             [d][js] <javascript:alert(4)> [e]( javascript:alert(5)) \
             [f](vbscript:msgbox(6)) ![g](javascript:alert(7))\n\n[js]: javascript:alert(8)",
        )
        .render();
    let site = Site::new();
    site.file(RB, &text);
    assert_eq!(site.check(&[]).code, 0);
    site.build_ok();
    assert_no_script_urls(&site.out_dir());
    let html = site.output(RB_HTML);
    assert!(
        !html.to_ascii_lowercase().contains("\"javascript:"),
        "{html}"
    );
    assert!(html.contains(">a</a>"), "the link text stays:\n{html}");

    // A scheme hidden by an escaped tab is no URL at all: a broken link, so
    // the build stops before emitting it.
    let text = Runbook::new("X")
        .section("Impact", "[e](java&#x09;script:alert(5))")
        .render();
    site.file(RB, &text);
    let diags = check_json(&site, TODAY);
    // Its destination is not written as-is, so the link itself is pointed at.
    let (line, col) = pos(&text, "[e](java");
    assert_diag(&diags, "link-broken", RB, line, col);
}

#[test]
fn data_html_links_are_never_emitted() {
    let text = Runbook::new("X")
        .section(
            "Impact",
            "[h](data:text/html;base64,PHNjcmlwdD4=) [i](DATA:text/html,<b>x</b>)",
        )
        .render();
    let site = Site::new();
    site.file(RB, &text);
    site.build_ok();
    assert_no_script_urls(&site.out_dir());
}

#[test]
fn stale_runbooks_show_a_badge_with_their_age() {
    let site = Site::new();
    site.file(
        "content/runbooks/old.md",
        &Runbook::new("Old")
            .field("last_updated", "2026-01-02")
            .render(),
    );
    site.file(RB, &Runbook::new("Fresh").render());
    site.build_ok();
    let old = site.output("runbooks/old/index.html");
    assert!(old.contains("328 days"), "{old}");
    assert!(old.contains("class=\"stale\""), "{old}");
    let fresh = site.output(RB_HTML);
    assert!(!fresh.contains("class=\"stale\""), "{fresh}");
    let index = site.output("runbooks/index.html");
    assert_eq!(count(&index, "class=\"stale\""), 1, "{index}");

    // The age counts from --today.
    let out = run(&[
        "build",
        "--root",
        site.root().to_str().unwrap(),
        "--output",
        site.out_dir().to_str().unwrap(),
        "--today",
        "2026-02-01",
    ]);
    assert_eq!(out.code, 0, "{out}");
    assert!(
        !site
            .output("runbooks/old/index.html")
            .contains("class=\"stale\"")
    );
}

#[test]
fn the_runbook_index_groups_by_service_with_severity_and_owner() {
    let site = Site::new();
    site.file(
        "content/runbooks/a.md",
        &Runbook::new("Alpha Runbook")
            .field("severity", "P1")
            .field("owner", "team-db")
            .field("services", "[database]")
            .render(),
    );
    site.file(
        "content/runbooks/b.md",
        &Runbook::new("Beta Runbook")
            .field("severity", "P3")
            .field("owner", "team-api")
            .field("services", "[api, database]")
            .render(),
    );
    site.file(
        "content/runbooks/c.md",
        &Runbook::new("Gamma Runbook")
            .field("owner", "team-ops")
            .render(),
    );
    site.build_ok();
    let index = site.output("runbooks/index.html");
    let sections: Vec<&str> = index.split("<section").skip(1).collect();
    let section = |name: &str| -> &str {
        sections
            .iter()
            .find(|s| s.contains(&format!(">{name}</h2>")))
            .unwrap_or_else(|| panic!("no group {name}:\n{index}"))
    };
    let db = section("database");
    assert!(
        db.contains("Alpha Runbook") && db.contains("Beta Runbook"),
        "{db}"
    );
    assert!(!db.contains("Gamma Runbook"));
    let api = section("api");
    assert!(
        api.contains("Beta Runbook") && !api.contains("Alpha Runbook"),
        "{api}"
    );
    let other = section("Other");
    assert!(other.contains("Gamma Runbook"), "{other}");
    // Severity and owner on each row.
    assert!(db.contains(">P1<") && db.contains("team-db"), "{db}");
    assert!(db.contains(">P3<") && db.contains("team-api"), "{db}");
    assert!(
        other.contains(">P2<") && other.contains("team-ops"),
        "{other}"
    );
    // Within a group, by severity: P1 before P3.
    assert!(db.find("Alpha Runbook").unwrap() < db.find("Beta Runbook").unwrap());
    // Rows link to the pages.
    assert!(db.contains("href=\"../runbooks/a/index.html\""), "{db}");
    assert_links_from_resolve(&site.out_dir(), None, "runbooks/index.html");
}

#[test]
fn a_runbook_page_shows_its_fields() {
    let site = built_runbook(
        &Runbook::new("Disk Full")
            .field("severity", "P1")
            .field("owner", "team-storage")
            .field("services", "[nfs]")
            .field("tags", "[disk]")
            .render(),
    );
    let html = site.output(RB_HTML);
    for text in [
        "P1",
        "team-storage",
        "2026-11-02",
        "nfs",
        "disk",
        "Disk Full",
    ] {
        assert!(html.contains(text), "no {text}:\n{html}");
    }
    assert!(html.contains("content/runbooks/x.md"), "shows its source");
}

// ---------------------------------------------------------------------------
// The output folder
// ---------------------------------------------------------------------------

/// A staging folder left beside the output (`.out.tmp`). The previous
/// output kept for reuse (`.out.old`) is allowed.
fn leftovers(site: &Site) -> Vec<String> {
    fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".out") && n != ".out.old")
        .collect()
}

#[test]
fn a_failed_build_leaves_the_previous_output_byte_identical() {
    let site = Site::copy_of("valid", |_, b| b);
    let first = site.build(&[]);
    assert_eq!(first.code, 0, "{first}");
    let before = snapshot(&site.out_dir());
    assert!(before.len() > 5);

    // Break a page and change another: nothing of it may reach the output.
    site.file(
        "content/runbooks/db-connections.md",
        &Runbook::new("DB")
            .section("Impact", "[x](runbooks/nope)")
            .render(),
    );
    site.file("content/guides/on-call.md", "# Changed\n");
    let second = site.build(&[]);
    assert_eq!(second.code, 1, "{second}");
    let after = snapshot(&site.out_dir());
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &before {
        assert!(after[path] == *bytes, "{path} changed");
    }
    assert!(leftovers(&site).is_empty(), "{:?}", leftovers(&site));
}

#[test]
fn a_successful_build_leaves_no_temporary_folder() {
    let site = Site::copy_of("valid", |_, b| b);
    site.build_ok();
    site.build_ok();
    assert!(leftovers(&site).is_empty(), "{:?}", leftovers(&site));
}

#[test]
fn a_rebuild_replaces_the_output() {
    let site = Site::new();
    site.file(RB, &Runbook::new("X").render());
    site.file("content/runbooks/gone.md", &Runbook::new("Gone").render());
    site.bytes("content/img/old.png", b"old");
    site.build_ok();
    assert!(site.out_dir().join("runbooks/gone/index.html").is_file());
    // A stray file in the output is not kept either.
    fs::write(site.out_dir().join("stray.txt"), "x").unwrap();
    // Build twice more so a recycled previous output is rebuilt too.
    for round in 0..3 {
        site.build_ok();
        if round == 0 {
            site.remove("content/runbooks/gone.md");
            site.remove("content/img/old.png");
            site.file(RB, &Runbook::new("Renamed").render());
        }
    }
    let out = site.out_dir();
    assert!(
        !out.join("runbooks/gone").exists(),
        "{:#?}",
        list_files(&out)
    );
    assert!(!out.join("img/old.png").exists(), "{:#?}", list_files(&out));
    assert!(!out.join("stray.txt").exists(), "{:#?}", list_files(&out));
    assert!(site.output(RB_HTML).contains("Renamed"));
    assert!(!site.output("runbooks/index.html").contains("Gone"));
    assert!(leftovers(&site).is_empty(), "{:?}", leftovers(&site));
}

#[test]
fn a_rebuilt_output_equals_a_fresh_build() {
    let site = Site::copy_of("valid", |_, b| b);
    site.build_ok();
    site.file("content/runbooks/extra.md", &Runbook::new("Extra").render());
    site.build_ok();
    site.remove("content/runbooks/extra.md");
    site.remove("content/reports/2026-11-16.md");
    site.file(
        "content/index.md",
        "# Fixture Wiki\n\nStart with the [API errors runbook](runbooks/api-errors).\n",
    );
    site.build_ok();
    site.build_ok();
    let rebuilt = snapshot(&site.out_dir());

    let fresh = Site::copy_of("valid", |_, b| b);
    fresh.remove("content/reports/2026-11-16.md");
    fresh.file(
        "content/index.md",
        "# Fixture Wiki\n\nStart with the [API errors runbook](runbooks/api-errors).\n",
    );
    fresh.build_ok();
    let fresh = snapshot(&fresh.out_dir());
    assert_eq!(
        rebuilt.keys().collect::<Vec<_>>(),
        fresh.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &fresh {
        assert!(rebuilt[path] == *bytes, "{path} differs");
    }
}

#[test]
fn the_build_is_reproducible() {
    let site = Site::copy_of("valid", |_, b| b);
    site.build_ok();
    let first = snapshot(&site.out_dir());
    site.build_ok();
    let second = snapshot(&site.out_dir());
    assert!(first == second, "two builds of one site differ");
}

// ---------------------------------------------------------------------------
// Templates, static files and assets
// ---------------------------------------------------------------------------

#[test]
fn a_template_override_is_used() {
    let site = Site::new();
    site.file(RB, &Runbook::new("X").render());
    site.file(
        "templates/runbook.html",
        "{% extends \"page.html\" %}\n{% block header %}<p class=\"marker\">OVERRIDE-MARKER {{ page.owner }}</p>{% endblock header %}\n",
    );
    site.build_ok();
    let html = site.output(RB_HTML);
    assert!(html.contains("OVERRIDE-MARKER team-sre"), "{html}");
    // Other pages keep the built-in templates.
    assert!(
        !site
            .output("runbooks/index.html")
            .contains("OVERRIDE-MARKER")
    );
    assert!(site.output("runbooks/index.html").contains("<table"));
}

#[test]
fn a_template_may_escape_repeat_or_measure_the_body() {
    // The built-in layouts show the body once, as it is; the renderer splices
    // it in after the layout. A site's own layout gets the real body instead.
    let site = Site::new();
    site.file(
        RB,
        &Runbook::new("X")
            .section("Triage", "Run <kbd>uptime</kbd>.")
            .render(),
    );
    site.file(
        "templates/runbook.html",
        "<main>ESCAPED[{{ content }}] TWICE[{{ content | safe }}][{{ content | safe }}] LEN[{{ content | length }}]</main>\n",
    );
    site.build_ok();
    let html = site.output(RB_HTML);
    assert!(html.contains("ESCAPED[&lt;"), "{html}");
    assert!(html.contains("&lt;kbd&gt;uptime"), "{html}");
    assert_eq!(html.matches("<kbd>uptime</kbd>").count(), 2, "{html}");
    assert!(!html.contains("opswiki-body"), "{html}");
    let len: usize = html
        .split("LEN[")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .and_then(|n| n.parse().ok())
        .expect("LEN[n]");
    assert!(len > 100, "{len}");
}

#[test]
fn a_broken_template_override_is_an_error() {
    let site = Site::new();
    site.file(RB, &Runbook::new("X").render());
    site.build_ok();
    let before = snapshot(&site.out_dir());
    site.file(
        "templates/runbook.html",
        "{% extends \"page.html\" %}\n{% block header %}\n{% if %}\n{% endblock header %}\n",
    );
    for out in [
        site.check(&["--format", "json"]),
        site.build(&["--format", "json"]),
    ] {
        assert_eq!(out.code, 1, "{out}");
        let diags = parse_json_lines(&out.stdout);
        assert_count(&diags, "template-invalid", 1);
        let d = with_code(&diags, "template-invalid")[0];
        assert_eq!(d["level"], "error");
        assert_eq!(d["file"], "templates/runbook.html", "{d}");
        assert_eq!(d["line"], 3, "{d}");
    }
    assert!(
        snapshot(&site.out_dir()) == before,
        "the output is untouched"
    );
}

#[test]
fn static_files_are_copied() {
    let site = Site::new();
    site.file(RB, &Runbook::new("X").render());
    site.file("static/extra.css", "body { color: red }\n");
    site.bytes("static/img/logo.png", b"\x89PNG\r\n\x1a\n\x00\xff");
    site.file("static/style.css", "/* the site's own style */\n");
    site.file("static/.extra.css.swp", "junk");
    site.build_ok();
    assert_eq!(site.output("static/extra.css"), "body { color: red }\n");
    assert_eq!(
        fs::read(site.out_dir().join("static/img/logo.png")).unwrap(),
        b"\x89PNG\r\n\x1a\n\x00\xff"
    );
    assert_eq!(
        site.output("static/style.css"),
        "/* the site's own style */\n",
        "a site's static file overrides the built-in one"
    );
    assert!(!site.out_dir().join("static/.extra.css.swp").exists());
}

#[test]
fn content_assets_are_copied_and_image_links_resolve() {
    let site = Site::new();
    let png = b"\x89PNG\r\n\x1a\nnot-really-an-image\xff";
    site.bytes("content/img/a.png", png);
    site.bytes("content/runbooks/files/dump.txt", b"log\n");
    site.file(
        RB,
        &Runbook::new("X")
            .section(
                "Symptom",
                "![graph](../img/a.png) ![again](/img/a.png) [the dump](files/dump.txt)",
            )
            .render(),
    );
    assert_eq!(site.check(&[]).code, 0);
    site.build_ok();
    assert_eq!(fs::read(site.out_dir().join("img/a.png")).unwrap(), png);
    let html = site.output(RB_HTML);
    assert_eq!(count(&html, "src=\"../../img/a.png\""), 2, "{html}");
    assert!(
        html.contains("href=\"../../runbooks/files/dump.txt\""),
        "{html}"
    );
    assert_links_from_resolve(&site.out_dir(), None, "runbooks/");
}

#[test]
fn an_asset_link_in_another_case_points_at_the_real_file() {
    let site = Site::new();
    site.bytes("content/img/Diagram.png", b"\x89PNG");
    site.file(
        "content/docs/a.md",
        "# A\n\n![x](../img/diagram.png) [y](../IMG/DIAGRAM.PNG)\n",
    );
    // Case-insensitive matching accepts both links...
    assert_clean(&check_json(&site, TODAY));
    site.build_ok();
    assert!(site.out_dir().join("img/Diagram.png").is_file());
    // ...so both must lead to the file as it is named in the output.
    assert_site_links_resolve(&site.out_dir(), None);
}

#[test]
fn a_missing_image_is_a_broken_link() {
    let site = Site::new();
    let text = Runbook::new("X")
        .section("Symptom", "![graph](../img/missing.png)")
        .render();
    site.file(RB, &text);
    let diags = check_json(&site, TODAY);
    let (line, col) = pos(&text, "../img/missing.png");
    assert_diag(&diags, "link-broken", RB, line, col);
}

#[test]
fn editor_leftovers_are_not_copied() {
    let site = Site::new();
    site.file(RB, &Runbook::new("X").render());
    for name in [
        "content/runbooks/.#x.md",
        "content/runbooks/x.md~",
        "content/runbooks/.x.md.swp",
        "content/runbooks/4913",
        "content/img/.DS_Store",
        "content/.drafts/y.md",
    ] {
        site.file(name, "junk\n");
    }
    site.build_ok();
    let files = list_files(&site.out_dir());
    for f in &files {
        assert!(
            !f.contains('~') && !f.contains("4913") && !f.contains("/.") && !f.starts_with('.'),
            "leftover {f} in the output: {files:#?}"
        );
    }
}
