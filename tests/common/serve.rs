//! `opswiki serve` for the integration tests: the real binary on a free
//! port of 127.0.0.1, raw HTTP over TcpStream (so no client tidies a request
//! up before the server sees it), files saved as editors save them.

use std::collections::HashMap;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{Site, TODAY, bin};

/// A running `opswiki serve`, stopped when dropped.
pub struct Serve {
    pub child: Child,
    pub addr: SocketAddr,
    log: Arc<Mutex<String>>,
}

pub struct Response {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map_or("", String::as_str)
    }
}

impl Serve {
    pub fn start(root: &Path) -> Serve {
        Serve::start_with(root, &[])
    }

    pub fn start_with(root: &Path, extra: &[&str]) -> Serve {
        let mut child = Command::new(bin())
            .args(["serve", "--port", "0", "--today", TODAY, "--root"])
            .arg(root)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cannot start opswiki serve");
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().unwrap();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        let url = loop {
            line.clear();
            if stdout.read_line(&mut line).unwrap_or(0) == 0 || Instant::now() > deadline {
                let _ = child.kill();
                panic!("serve printed no URL:\n{}", log.lock().unwrap());
            }
            if let Some(url) = line.trim().strip_prefix("opswiki: serving ") {
                break url.to_string();
            }
        };
        std::thread::spawn(move || for _ in stdout.lines() {});
        let addr = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .unwrap_or_else(|_| panic!("not a URL: {url}"));
        Serve { child, addr, log }
    }

    /// Send `request` as written, read the whole response.
    pub fn raw(&self, request: &str) -> Response {
        let mut stream = TcpStream::connect(self.addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(40)))
            .unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut bytes = Vec::new();
        let _ = stream.read_to_end(&mut bytes);
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        Response {
            status,
            headers,
            body: body.to_string(),
        }
    }

    pub fn request(&self, method: &str, path: &str) -> Response {
        self.raw(&format!(
            "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        ))
    }

    pub fn get(&self, path: &str) -> Response {
        self.request("GET", path)
    }

    pub fn status(&self) -> Value {
        serde_json::from_str(&self.get("/__opswiki/status").body).expect("status is JSON")
    }

    pub fn version(&self) -> u64 {
        self.status()["version"].as_u64().unwrap()
    }

    /// Wait (up to 20 s) for the status to satisfy `cond`.
    pub fn wait_status(&self, what: &str, cond: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let status = self.status();
            if cond(&status) {
                return status;
            }
            if Instant::now() > deadline {
                panic!(
                    "timed out waiting for {what}; status: {status:#}\nserver log:\n{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Wait for a page to contain `needle`.
    pub fn wait_page(&self, path: &str, needle: &str) -> Response {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let response = self.get(path);
            if response.body.contains(needle) {
                return response;
            }
            if Instant::now() > deadline {
                panic!(
                    "{path} never showed `{needle}` (status {}); server log:\n{}",
                    response.status,
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Whether the server's log comes to hold `needle` within 20 s. The
    /// server writes a rebuild's line before it publishes the rebuild, but a
    /// thread of ours reads its stderr: the line may reach us a moment after
    /// the browser's answer does.
    pub fn log_shows(&self, needle: &str) -> bool {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.log().contains(needle) {
            if Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        true
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A new site made by `opswiki init`.
pub fn init_site() -> Site {
    let site = Site::bare();
    let out = Command::new(bin())
        .args(["init", "--today", TODAY])
        .arg(site.root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    site
}

pub const RUNBOOK: &str = "content/runbooks/api-error-rate-spike.md";
pub const RUNBOOK_URL: &str = "/runbooks/api-error-rate-spike/";

/// Save as many editors do: write a temporary file beside, rename it over.
pub fn save(site: &Site, rel: &str, text: &str) {
    let path = site.path(rel);
    let temp = path.with_file_name(format!(
        ".{}.tmp",
        path.file_name().unwrap().to_string_lossy()
    ));
    fs::write(&temp, text).unwrap();
    fs::rename(&temp, &path).unwrap();
}

pub fn edit(site: &Site, rel: &str, from: &str, to: &str) {
    let text = fs::read_to_string(site.path(rel)).unwrap();
    assert!(text.contains(from), "`{from}` not in {rel}");
    save(site, rel, &text.replacen(from, to, 1));
}
