//! HTTP: the output folder, answered on each connection's thread (see
//! [`super::conn`] for connections and their limits), plus the live-reload
//! endpoints under `/__opswiki/`.
//!
//! Nothing outside the output folder is ever served. A request path is
//! percent-decoded exactly once, must be UTF-8 (which rules out overlong
//! encodings such as `%c0%ae`), and may hold no NUL, control character or
//! backslash and no `..` segment; what is left is joined to the output
//! folder, and the file found there must still be inside it once symlinks
//! are resolved.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use super::conn::Request;
pub use super::reply::Reply;
use super::status::Hub;

/// Endpoints of the live reload, outside the site's own paths.
pub const PREFIX: &str = "/__opswiki/";
/// The browser side of the live reload.
pub const LIVE_JS: &str = include_str!("live.js");

/// The output folder, served.
pub struct Site {
    /// Canonical path of the output folder.
    pub root: PathBuf,
    pub hub: Arc<Hub>,
    /// What `status/live/` is made from, as of the last rebuild (`None`
    /// until the site could be read, or without `status:` in the config).
    pub live: Arc<RwLock<Option<Arc<crate::live::Catalogue>>>>,
}

/// Where a request path leads.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup {
    /// A file inside the output folder.
    File(PathBuf),
    /// A folder asked for without its trailing `/`: redirect, so relative
    /// links in its `index.html` resolve.
    Redirect(String),
    NotFound,
    /// A path that could only be an attempt to leave the folder (or is not
    /// a path at all).
    BadRequest(&'static str),
}

/// Percent-decode a request path once and split it into safe segments.
pub fn segments(raw_path: &str) -> Result<Vec<String>, &'static str> {
    if !raw_path.starts_with('/') {
        return Err("the path must start with `/`");
    }
    let bytes = raw_path.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or("a truncated %-escape")?;
            let hex = std::str::from_utf8(hex).map_err(|_| "a bad %-escape")?;
            let byte = u8::from_str_radix(hex, 16).map_err(|_| "a bad %-escape")?;
            decoded.push(byte);
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    // Strict UTF-8: overlong forms (`%c0%ae` for `.`) are invalid here.
    let text = String::from_utf8(decoded).map_err(|_| "the path is not UTF-8")?;
    if text.chars().any(|c| c.is_control()) {
        return Err("control characters in the path");
    }
    if text.contains('\\') {
        return Err("a backslash in the path");
    }
    let mut out = Vec::new();
    for segment in text.split('/') {
        match segment {
            "" | "." => {}
            ".." => return Err("`..` in the path"),
            s => out.push(s.to_string()),
        }
    }
    Ok(out)
}

/// Resolve a request path (without its query) to a file of the output.
pub fn lookup(root: &Path, raw_path: &str) -> Lookup {
    let segments = match segments(raw_path) {
        Ok(s) => s,
        Err(why) => return Lookup::BadRequest(why),
    };
    let mut path = root.to_path_buf();
    for s in &segments {
        path.push(s);
    }
    // Symlinks are followed only while they stay inside the output.
    let Ok(real) = path.canonicalize() else {
        return Lookup::NotFound;
    };
    if !real.starts_with(root) {
        return Lookup::NotFound;
    }
    if real.is_dir() {
        if !raw_path.ends_with('/') {
            // One leading `/`: `//host/x/` would send the browser to `host`.
            return Lookup::Redirect(format!("/{}/", raw_path.trim_start_matches('/')));
        }
        let index = real.join("index.html");
        return match index.canonicalize() {
            Ok(file) if file.starts_with(root) && file.is_file() => Lookup::File(file),
            _ => Lookup::NotFound,
        };
    }
    if real.is_file() {
        Lookup::File(real)
    } else {
        Lookup::NotFound
    }
}

/// The output file a browser at `raw_path` is showing, as the rebuild names
/// changed files (`runbooks/x/index.html`); `None` if it is no path.
pub fn page_of(raw_path: &str) -> Option<String> {
    let segments = segments(raw_path).ok()?;
    let mut page = segments.join("/");
    let is_file = segments.last().is_some_and(|s| s.contains('.'));
    if !is_file {
        if !page.is_empty() {
            page.push('/');
        }
        page.push_str("index.html");
    }
    Some(page)
}

/// Percent-decode a query value (`+` is a space there).
fn decode_component(value: &str) -> Option<String> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// The Content-Type of a file, by extension.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "txt" | "md" | "log" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "xml" => "application/xml",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "yaml" | "yml" => "application/yaml",
        "wasm" => "application/wasm",
        "zip" => "application/zip",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        _ => "application/octet-stream",
    }
}

/// Insert the live-reload script (and the status it starts from) before
/// `</body>`. The JSON is made safe to sit inside `<script>`.
pub fn inject(html: &str, status_json: &str, base_root: bool) -> String {
    let safe = status_json
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029");
    let snippet = format!(
        "<script>window.__opswikiLive={safe};</script><script src=\"{PREFIX}live.js\"></script>\n"
    );
    let mut out = String::with_capacity(html.len() + snippet.len() + 32);
    let lower = html.to_ascii_lowercase();
    let mut body_html = html;
    if base_root {
        // The 404 page is served at any depth; its links are written for the
        // root, so tell the browser so.
        if let Some(at) = lower.find("<head>") {
            out.push_str(&html[..at + 6]);
            out.push_str("<base href=\"/\">");
            body_html = &html[at + 6..];
        }
    }
    let lower_rest = body_html.to_ascii_lowercase();
    match lower_rest.rfind("</body") {
        Some(at) => {
            out.push_str(&body_html[..at]);
            out.push_str(&snippet);
            out.push_str(&body_html[at..]);
        }
        None => {
            out.push_str(body_html);
            out.push_str(&snippet);
        }
    }
    out
}

/// A page for when the output has no 404.html (a first build that failed).
const FALLBACK_404: &str = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>Not found · opswiki</title></head><body><h1>Page not found</h1>\
<p>This page does not exist (yet). If the site has errors, they are listed here; fix them and \
the page reloads.</p></body></html>\n";

impl Site {
    /// Handle one request; never panics on what a client sends.
    pub fn handle(&self, request: Request) {
        if request.method() != "GET" && request.method() != "HEAD" {
            Reply::text(405, "only GET and HEAD\n")
                .header("Allow", "GET, HEAD".into())
                .send(request);
            return;
        }
        let url = request.url().to_string();
        let (path, query) = match url.split_once('?') {
            Some((p, q)) => (p, q),
            None => (url.as_str(), ""),
        };
        let path = path.split('#').next().unwrap_or("");
        if let Some(endpoint) = path.strip_prefix(PREFIX) {
            self.endpoint(request, endpoint, query);
            return;
        }
        match lookup(&self.root, path) {
            Lookup::File(file) => self.serve_file(request, &file, 200),
            Lookup::Redirect(to) => {
                let to = if query.is_empty() {
                    to
                } else {
                    format!("{to}?{query}")
                };
                Reply::text(301, "moved\n")
                    .header("Location", to)
                    .send(request);
            }
            Lookup::NotFound => self.not_found(request),
            Lookup::BadRequest(why) => {
                Reply::text(400, &format!("bad request: {why}\n")).send(request);
            }
        }
    }

    fn endpoint(&self, request: Request, endpoint: &str, query: &str) {
        match endpoint {
            "live.js" => {
                Reply::new(200, "text/javascript; charset=utf-8", LIVE_JS).send(request);
            }
            "status" => {
                let (_, json) = self.hub.snapshot();
                Reply::json(json.as_bytes()).send(request);
            }
            "poll" => {
                let mut since = None;
                let mut page = None;
                for pair in query.split('&') {
                    match pair.split_once('=') {
                        Some(("v", v)) => since = v.parse::<u64>().ok(),
                        // The browser's own (encoded) path, encoded once more as a
                        // query value: decode the value, then the path.
                        Some(("path", p)) => page = decode_component(p).and_then(|p| page_of(&p)),
                        _ => {}
                    }
                }
                match since {
                    Some(since) => self.hub.poll(request, since, page),
                    None => {
                        Reply::text(400, "poll needs ?v=VERSION (and &path=PAGE)\n").send(request);
                    }
                }
            }
            _ => self.not_found(request),
        }
    }

    fn serve_file(&self, request: Request, file: &Path, status: u16) {
        let kind = content_type(file);
        if kind.starts_with("text/html") {
            // Read the version before the file: the page is at least as new
            // as the version it reports, so no reload is ever missed.
            let (_, json) = self.hub.snapshot();
            let html = match fs::read(file) {
                Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                Err(_) => return self.not_found(request),
            };
            let html = self.live_page(file, html);
            let body = inject(&html, &json, status == 404);
            Reply::new(status, kind, body).send(request);
            return;
        }
        match File::open(file)
            .ok()
            .and_then(|f| Reply::file(status, kind, f))
        {
            Some(reply) => reply.send(request),
            None => self.not_found(request),
        }
    }

    /// `status/live/`: the built page with its live part fetched now, on
    /// this connection's thread (the monitoring systems' timeouts bound
    /// it). The browser never talks to them.
    fn live_page(&self, file: &Path, html: String) -> String {
        if file != self.root.join(crate::live::LIVE_PATH) {
            return html;
        }
        let catalogue = self.live.read().ok().and_then(|c| c.clone());
        let Some(catalogue) = catalogue.filter(|c| c.status.is_some()) else {
            return html;
        };
        let live = crate::live::gather(&catalogue);
        let root = crate::model::root_prefix(crate::live::LIVE_PATH);
        let body = crate::render::live::body_html(Some(&live), &root, false);
        crate::render::live::splice(&html, &body).unwrap_or(html)
    }

    fn not_found(&self, request: Request) {
        let page = self.root.join("404.html");
        if page.is_file() {
            return self.serve_file(request, &page, 404);
        }
        let (_, json) = self.hub.snapshot();
        let body = inject(FALLBACK_404, &json, false);
        Reply::new(404, "text/html; charset=utf-8", body).send(request);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_in_every_encoding_is_refused() {
        for bad in [
            "/../etc/passwd",
            "/a/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2Fetc%2Fpasswd",
            "/..%2fetc/passwd",
            "/%c0%ae%c0%ae/etc/passwd",
            "/%e0%80%ae%e0%80%ae/x",
            "/..\\etc\\passwd",
            "/%5c..%5cetc",
            "/a%00.html",
            "/%",
            "/%zz",
            "etc/passwd",
        ] {
            assert!(segments(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn double_encoding_is_decoded_once() {
        assert_eq!(segments("/%252e%252e/x").unwrap(), vec!["%2e%2e", "x"]);
        assert_eq!(
            segments("/runbooks//a/./b%20c/").unwrap(),
            vec!["runbooks", "a", "b c"]
        );
    }

    #[test]
    fn pages_are_named_as_the_rebuild_names_them() {
        assert_eq!(page_of("/").as_deref(), Some("index.html"));
        assert_eq!(
            page_of("/runbooks/x/").as_deref(),
            Some("runbooks/x/index.html")
        );
        assert_eq!(
            page_of("/runbooks/x").as_deref(),
            Some("runbooks/x/index.html")
        );
        assert_eq!(page_of("/404.html").as_deref(), Some("404.html"));
    }

    #[test]
    fn content_types() {
        for (name, kind) in [
            ("a.html", "text/html; charset=utf-8"),
            ("a.CSS", "text/css; charset=utf-8"),
            ("a.svg", "image/svg+xml"),
            ("a.woff2", "font/woff2"),
            ("a.yaml", "application/yaml"),
            ("a.pdf", "application/pdf"),
            ("a", "application/octet-stream"),
        ] {
            assert_eq!(content_type(Path::new(name)), kind, "{name}");
        }
    }

    #[test]
    fn the_script_goes_before_body_and_its_json_cannot_close_it() {
        let html = inject(
            "<html><head></head><body><p>x</p></body></html>",
            "{\"a\":\"</script><b>\"}",
            false,
        );
        assert!(html.contains("\\u003c/script\\u003e"), "{html}");
        assert!(html.ends_with("</script>\n</body></html>"), "{html}");
        let not_found = inject("<html><head><title>x</title></head></html>", "{}", true);
        assert!(not_found.starts_with("<html><head><base href=\"/\">"));
    }
}
