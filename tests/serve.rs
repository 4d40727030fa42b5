//! `opswiki serve`, end to end: the real binary on a free port, a site in a
//! temporary folder, raw HTTP over TcpStream (so no client tidies a path up
//! before the server sees it), files edited as editors do. Hostile and
//! heavy clients (path traversal, huge heads, slow clients, load) are in
//! serve_hardening.rs.

mod common;

use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

use common::serve::{RUNBOOK, RUNBOOK_URL, Serve, edit, init_site, save};
use common::{bin, git_at};
use serde_json::Value;

#[test]
fn serves_the_site_with_types_head_404_and_no_caching() {
    let site = init_site();
    fs::create_dir_all(site.path("static/fonts")).unwrap();
    for (name, bytes) in [
        ("a.svg", &b"<svg xmlns='http://www.w3.org/2000/svg'/>"[..]),
        ("a.png", b"\x89PNG"),
        ("a.jpg", b"\xff\xd8"),
        ("a.gif", b"GIF89a"),
        ("a.webp", b"RIFF"),
        ("a.json", b"{}"),
        ("a.txt", b"text"),
        ("a.xml", b"<a/>"),
        ("fonts/a.woff2", b"wOF2"),
        ("a.ico", b"\0\0"),
        ("a.pdf", b"%PDF"),
        ("a.yaml", b"a: 1"),
    ] {
        fs::write(site.path(&format!("static/{name}")), bytes).unwrap();
    }
    let serve = Serve::start(&site.root());

    let home = serve.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(home.header("content-type"), "text/html; charset=utf-8");
    assert_eq!(home.header("cache-control"), "no-store");
    assert!(home.body.contains("/__opswiki/live.js"), "{}", home.body);

    for (path, kind) in [
        ("/static/style.css", "text/css; charset=utf-8"),
        ("/static/opswiki.js", "text/javascript; charset=utf-8"),
        ("/static/a.svg", "image/svg+xml"),
        ("/static/a.png", "image/png"),
        ("/static/a.jpg", "image/jpeg"),
        ("/static/a.gif", "image/gif"),
        ("/static/a.webp", "image/webp"),
        ("/static/a.json", "application/json"),
        ("/static/a.txt", "text/plain; charset=utf-8"),
        ("/static/a.xml", "application/xml"),
        ("/static/fonts/a.woff2", "font/woff2"),
        ("/static/a.ico", "image/x-icon"),
        ("/static/a.pdf", "application/pdf"),
        ("/static/a.yaml", "application/yaml"),
    ] {
        let r = serve.get(path);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("content-type"), kind, "{path}");
        assert_eq!(r.header("cache-control"), "no-store", "{path}");
    }

    // HEAD: the same headers, no body.
    let head = serve.request("HEAD", RUNBOOK_URL);
    let get = serve.get(RUNBOOK_URL);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty(), "HEAD sent a body");
    assert_eq!(head.header("content-type"), get.header("content-type"));
    assert_eq!(head.header("content-length"), get.body.len().to_string());

    // A folder without its slash is redirected, so relative links work.
    let redirect = serve.get("/runbooks/api-error-rate-spike");
    assert_eq!(redirect.status, 301);
    assert_eq!(redirect.header("location"), RUNBOOK_URL);

    // The site's own 404 page, with status 404, its links from the root.
    let missing = serve.get("/runbooks/no-such-page/");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("Page not found"), "{}", missing.body);
    assert!(missing.body.contains("<base href=\"/\">"));
    assert_eq!(serve.get("/__opswiki/nothing").status, 404);

    // Only GET and HEAD.
    assert_eq!(serve.request("POST", "/").status, 405);

    // Pages from `build` carry no live-reload script: serve adds it.
    let built = site.path("site/index.html");
    assert!(!fs::read_to_string(built).unwrap().contains("__opswiki"));
}

#[test]
fn an_edit_is_served_and_reloads_the_page_that_shows_it() {
    let site = init_site();
    let serve = Serve::start(&site.root());
    let before = serve.get(RUNBOOK_URL);
    assert!(before.body.contains("Customers cannot place orders"));
    let version = serve.version();

    // A browser on that page waits for news; one on another page too.
    let addr = serve.addr;
    let poll = |path: &'static str, version: u64| {
        std::thread::spawn(move || {
            let mut stream = TcpStream::connect(addr).unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(40)))
                .unwrap();
            write!(
                stream,
                "GET /__opswiki/poll?v={version}&path={path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            )
            .unwrap();
            let mut text = String::new();
            let _ = stream.read_to_string(&mut text);
            let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string());
            serde_json::from_str::<Value>(&body.unwrap_or_default()).unwrap()
        })
    };
    let here = poll("%2Frunbooks%2Fapi-error-rate-spike%2F", version);
    std::thread::sleep(Duration::from_millis(200));

    edit(
        &site,
        RUNBOOK,
        "Customers cannot place orders while the requests fail.",
        "Customers cannot place orders while the requests fail (EDITED).",
    );
    let answer = here.join().unwrap();
    assert_eq!(answer["action"], "reload", "{answer:#}");
    let new_version = answer["status"]["version"].as_u64().unwrap();
    assert!(new_version > version);
    // The reload comes after the write: the page is already new.
    let after = serve.get(RUNBOOK_URL);
    assert!(after.body.contains("(EDITED)"), "{}", serve.log());

    // Only the edited page was re-rendered, not the site: the report of the
    // version that told the browser to reload.
    let last = &answer["status"]["last"];
    let total = last["pages_total"].as_u64().unwrap();
    let pages = last["pages"].as_u64().unwrap();
    assert_eq!(pages, 1, "re-rendered {pages} of {total} pages: {last:#}");
    assert!(total >= 5);
    assert!(
        serve.log_shows("1 of 5 pages re-rendered"),
        "{}",
        serve.log()
    );

    // A page the edit did not touch is not told to reload.
    let other = poll(
        "%2Frunbooks%2Fdatabase-connection-exhaustion%2F",
        serve.version(),
    );
    std::thread::sleep(Duration::from_millis(300));
    assert!(!other.is_finished(), "an unrelated page was told to reload");
    edit(
        &site,
        "content/index.md",
        "Runbooks, alarms",
        "Runbooks (EDITED), alarms",
    );
    serve.wait_page("/", "Runbooks (EDITED)");
    drop(other);
}

#[test]
fn a_broken_edit_keeps_the_last_good_page_and_shows_the_error() {
    let site = init_site();
    let serve = Serve::start(&site.root());
    assert_eq!(serve.status()["ok"], true);
    edit(&site, RUNBOOK, "severity: P1", "severity: P9");
    let status = serve.wait_status("the error", |s| s["ok"] == false);
    let errors = status["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{status:#}");
    let error = &errors[0];
    assert_eq!(error["file"], RUNBOOK);
    assert_eq!(error["line"], 3);
    assert_eq!(error["code"], "severity-unknown");
    let text = error["text"].as_str().unwrap();
    assert!(
        text.contains("content/runbooks/api-error-rate-spike.md:3:11"),
        "{text}"
    );
    assert!(text.contains("severity: P9"), "the source line: {text}");

    // Every page still shows the last good build, with the error for the overlay.
    let page = serve.get(RUNBOOK_URL);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("P1"));
    assert!(
        page.body.contains("\"code\":\"severity-unknown\""),
        "{}",
        page.body
    );
    let other = serve.get("/runbooks/database-connection-exhaustion/");
    assert!(other.body.contains("severity-unknown"));

    // An edit elsewhere while broken is held back, then written with the fix.
    edit(
        &site,
        "content/runbooks/database-connection-exhaustion.md",
        "Every service using",
        "(HELD) Every service using",
    );
    std::thread::sleep(Duration::from_millis(400));
    assert!(
        !serve
            .get("/runbooks/database-connection-exhaustion/")
            .body
            .contains("(HELD)")
    );

    edit(&site, RUNBOOK, "severity: P9", "severity: P1");
    let status = serve.wait_status("the fix", |s| s["ok"] == true);
    assert!(status["errors"].as_array().unwrap().is_empty());
    serve.wait_page("/runbooks/database-connection-exhaustion/", "(HELD)");
}

#[test]
fn pages_added_renamed_and_removed_and_folders_replaced() {
    let site = init_site();
    let serve = Serve::start(&site.root());
    let runbook = fs::read_to_string(site.path(RUNBOOK)).unwrap();

    // Added (in a new folder): served, and listed in the runbook index.
    let added = runbook
        .replace("title: API Error Rate Spike", "title: Brand New Runbook")
        .replace("alarms: [orders-api-5xx-rate]\n", "")
        .replace(
            "(database-connection-exhaustion.md)",
            "(runbooks/database-connection-exhaustion)",
        );
    fs::create_dir_all(site.path("content/runbooks/new")).unwrap();
    save(&site, "content/runbooks/new/brand-new.md", &added);
    serve.wait_page("/runbooks/new/brand-new/", "Brand New Runbook");
    serve.wait_page("/runbooks/", "Brand New Runbook");

    // Renamed: the old address goes, the new one comes.
    fs::rename(
        site.path("content/runbooks/new/brand-new.md"),
        site.path("content/runbooks/new/renamed.md"),
    )
    .unwrap();
    serve.wait_page("/runbooks/new/renamed/", "Brand New Runbook");
    serve.wait_status("the old page gone", |_| {
        serve.get("/runbooks/new/brand-new/").status == 404
    });

    // A folder removed with what is in it.
    fs::remove_dir_all(site.path("content/runbooks/new")).unwrap();
    serve.wait_status("the folder's pages gone", |_| {
        serve.get("/runbooks/new/renamed/").status == 404
    });

    // A file replaced by a folder: no crash, the page goes.
    fs::remove_file(site.path("content/index.md")).unwrap();
    fs::create_dir_all(site.path("content/index.md")).unwrap();
    serve.wait_status("home rebuilt", |s| {
        s["last"]["trigger"]
            .as_str()
            .unwrap_or("")
            .contains("index.md")
    });
    assert_eq!(serve.get("/").status, 200, "the generated home stands in");

    // The whole content folder deleted: an error, and the site still served.
    fs::rename(site.path("content"), site.path("content-away")).unwrap();
    let status = serve.wait_status("content/ missing", |s| s["ok"] == false);
    assert!(status.to_string().contains("content"), "{status:#}");
    assert_eq!(serve.get(RUNBOOK_URL).status, 200);
    // ... and put back: watched again, rebuilt.
    fs::rename(site.path("content-away"), site.path("content")).unwrap();
    serve.wait_status("content/ back", |s| s["ok"] == true);
    edit(
        &site,
        RUNBOOK,
        "Customers cannot",
        "Customers (BACK) cannot",
    );
    serve.wait_page(RUNBOOK_URL, "(BACK)");
}

#[test]
fn editor_leftovers_and_bursts_are_handled() {
    let site = init_site();
    let serve = Serve::start(&site.root());
    // Swap files and backups never become pages.
    site.file("content/runbooks/.api-error-rate-spike.md.swp", "junk");
    site.file("content/runbooks/api-error-rate-spike.md~", "junk");
    site.file("content/runbooks/4913", "junk");
    // A burst of saves: the last one wins.
    for i in 0..20 {
        edit(
            &site,
            RUNBOOK,
            &if i == 0 {
                "## Impact".to_string()
            } else {
                format!("## Impact {}", i - 1)
            },
            &format!("## Impact {i}"),
        );
    }
    edit(&site, RUNBOOK, "## Impact 19", "## Impact");
    edit(
        &site,
        RUNBOOK,
        "Customers cannot",
        "Customers (LAST) cannot",
    );
    serve.wait_page(RUNBOOK_URL, "(LAST)");
    let status = serve.wait_status("settled", |s| s["ok"] == true);
    assert_eq!(status["warnings"], 0, "{status:#}\n{}", serve.log());
    assert_eq!(serve.get("/runbooks/4913/").status, 404);
}

#[test]
fn a_stylesheet_change_swaps_css_without_reloading() {
    let site = init_site();
    site.file("static/extra.css", "body { color: black; }\n");
    let serve = Serve::start(&site.root());
    let version = serve.version();
    site.file("static/extra.css", "body { color: red; }\n");
    let addr = serve.addr;
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(40)))
        .unwrap();
    write!(
        stream,
        "GET /__opswiki/poll?v={version}&path=%2F HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    let _ = stream.read_to_string(&mut text);
    let answer: Value = serde_json::from_str(text.split_once("\r\n\r\n").unwrap().1).unwrap();
    assert_eq!(answer["action"], "css", "{answer:#}");
    assert!(serve.get("/static/extra.css").body.contains("red"));
}

#[test]
fn templates_trigger_a_full_rerender() {
    let site = init_site();
    let serve = Serve::start(&site.root());
    let base = fs::read_to_string(common::repo_root().join("templates/base.html")).unwrap();
    site.file(
        "templates/base.html",
        &base.replace("Built by opswiki", "Built by opswiki (CUSTOM)"),
    );
    serve.wait_page(RUNBOOK_URL, "(CUSTOM)");
    serve.wait_page("/runbooks/", "(CUSTOM)");
    // A template that does not compile is an error; the site stays up.
    site.file("templates/base.html", "{% block body %}");
    serve.wait_status("the template error", |s| s["ok"] == false);
    assert!(serve.get(RUNBOOK_URL).body.contains("(CUSTOM)"));
    fs::remove_file(site.path("templates/base.html")).unwrap();
    serve.wait_status("the template removed", |s| s["ok"] == true);
    serve.wait_status("the built-in template back", |_| {
        !serve.get(RUNBOOK_URL).body.contains("(CUSTOM)")
    });
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let site = init_site();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = Command::new(bin())
        .args(["serve", "--port", &port, "--root"])
        .arg(site.root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("port {port} is already in use")),
        "{stderr}"
    );
}

/// Pages at the top of a repository (`content: .`): an edit anywhere in it
/// is served, and the server's own output is never read as a page.
#[test]
fn a_site_whose_pages_are_at_the_repository_top_rebuilds_on_edit() {
    let site = common::Site::bare();
    site.file("opswiki.yaml", "flavor: github\ncontent: .\n")
        .file("README.md", "# Runbooks\n\nSee [etcd](alerts/etcd/).\n")
        .file("alerts/etcd/README.md", "# etcd\n\nFirst words.\n");
    let serve = Serve::start(&site.root());
    assert!(serve.get("/alerts/etcd/").body.contains("First words."));
    save(&site, "alerts/etcd/README.md", "# etcd\n\nSecond words.\n");
    serve.wait_page("/alerts/etcd/", "Second words.");
    assert!(serve.get("/").body.contains("alerts/etcd/index.html"));
    assert_eq!(serve.get("/site/").status, 404, "the output became a page");
}

#[test]
fn a_saved_page_is_uncommitted_and_a_commit_while_serving_redates_it() {
    let site = init_site();
    let root = site.root();
    site.file(".gitignore", "site/\n");
    git_at(
        &root,
        &["init", "-q", "-b", "main"],
        "2026-11-01T12:00:00Z",
        "x",
    );
    git_at(
        &root,
        &["add", "-A"],
        "2026-11-01T12:00:00Z",
        "First Author",
    );
    git_at(
        &root,
        &["commit", "-q", "-m", "Import"],
        "2026-11-01T12:00:00Z",
        "First Author",
    );
    let serve = Serve::start(&root);
    let page = serve.get(RUNBOOK_URL);
    assert!(page.body.contains("First Author"), "{}", page.body);
    assert!(!page.body.contains("not committed yet"), "{}", page.body);

    // Saved: the page differs from HEAD, at its incremental rebuild.
    edit(
        &site,
        RUNBOOK,
        "Customers cannot place orders",
        "Customers cannot pay",
    );
    serve.wait_page(RUNBOOK_URL, "not committed yet");

    // Committed while serving: HEAD moves, the page takes the commit.
    git_at(
        &root,
        &["add", "-A"],
        "2026-11-20T12:00:00Z",
        "Second Author",
    );
    git_at(
        &root,
        &["commit", "-q", "-m", "Say what fails"],
        "2026-11-20T12:00:00Z",
        "Second Author",
    );
    let page = serve.wait_page(RUNBOOK_URL, "Second Author");
    assert!(!page.body.contains("not committed yet"), "{}", page.body);
    assert!(page.body.contains("2026-11-20"), "{}", page.body);
}
