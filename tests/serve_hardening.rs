//! `opswiki serve` against hostile and heavy clients: path traversal in
//! every encoding, huge request heads, slow clients, 64 connections for a
//! minute, and the content folder deleted and created again while serving.
//!
//! Each test starts the real binary on a free port of 127.0.0.1 and talks
//! raw TCP, so the server sees exactly the bytes written here. Every loop is
//! bounded in count and in time. The server's limits are in docs/serve.md
//! and src/serve/conn.rs.
//!
//! `OPSWIKI_LOAD_SECS` shortens the load test while working on it; it runs
//! for the 60 s the hardening issue asks for otherwise.

mod common;

use std::fs;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::serve::{RUNBOOK, RUNBOOK_URL, Serve, edit, init_site};

/// Secrets placed just outside the output folder (`ROOT/site`).
const SECRETS: [&str; 2] = ["TOP-SECRET-ROOT", "TOP-SECRET-CONTENT"];

/// Send `bytes` on a new connection, read until the server closes (or
/// `timeout`); the status (0 if none) and everything received.
fn exchange(addr: SocketAddr, bytes: &[u8], timeout: Duration) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(timeout)).unwrap();
    stream.set_write_timeout(Some(timeout)).unwrap();
    // The server may answer and close before reading everything: a failed
    // write is not the test's concern, what comes back is.
    let _ = stream.write_all(bytes);
    let mut received = Vec::new();
    let _ = stream.read_to_end(&mut received);
    let text = String::from_utf8_lossy(&received).into_owned();
    (status_of(&text), text)
}

fn status_of(response: &str) -> u16 {
    response
        .strip_prefix("HTTP/1.")
        .and_then(|r| r.get(2..5))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// A plain GET on a new connection; its status, and how long it took.
fn get(addr: SocketAddr, path: &str) -> (u16, Duration) {
    let start = Instant::now();
    let (status, _) = exchange(
        addr,
        format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes(),
        Duration::from_secs(10),
    );
    (status, start.elapsed())
}

fn rss_kib(pid: u32) -> u64 {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[test]
fn traversal_in_every_encoding_never_leaks_a_byte() {
    let site = init_site();
    // The output is ROOT/site: these sit just outside it.
    site.file("secret.txt", SECRETS[0]);
    site.file("content/secret.md", SECRETS[1]);
    let serve = Serve::start(&site.root());
    let out = site.path("site");
    // Symlinks inside the output that lead out of it.
    std::os::unix::fs::symlink(site.path("secret.txt"), out.join("leak.txt")).unwrap();
    std::os::unix::fs::symlink(site.root(), out.join("leakdir")).unwrap();
    std::os::unix::fs::symlink("/etc", out.join("etc")).unwrap();
    std::os::unix::fs::symlink("../secret.txt", out.join("static/rel-leak.txt")).unwrap();

    let targets: &[&[u8]] = &[
        // raw `..`
        b"/../secret.txt",
        b"/../../../../../../etc/passwd",
        b"/runbooks/../../secret.txt",
        b"/./../secret.txt",
        b"/static/../../secret.txt",
        // percent-encoded, either case, mixed, and encoded slashes
        b"/%2e%2e/secret.txt",
        b"/%2E%2e/secret.txt",
        b"/%2E%2E%2Fsecret.txt",
        b"/.%2e/secret.txt",
        b"/..%2fsecret.txt",
        b"/static%2f..%2f..%2fsecret.txt",
        b"/static/%2f../secret.txt",
        b"/%2f../secret.txt",
        // double-encoded: decoded once, it is a name, not a step up
        b"/%252e%252e/secret.txt",
        b"/%252e%252e%252fsecret.txt",
        // backslashes, raw and encoded
        b"/..\\secret.txt",
        b"/static/..\\..\\secret.txt",
        b"/..%5csecret.txt",
        b"/%5c..%5csecret.txt",
        // overlong UTF-8 for `.` and `/`, encoded and raw
        b"/%c0%ae%c0%ae/secret.txt",
        b"/%c0%ae%c0%ae%c0%afsecret.txt",
        b"/%e0%80%ae%e0%80%ae/secret.txt",
        b"/\xc0\xae\xc0\xae/secret.txt",
        // NUL and other control characters
        b"/secret.txt%00.html",
        b"/%00/../secret.txt",
        b"/%0a/../secret.txt",
        // absolute paths
        b"//etc/passwd",
        b"///etc/passwd",
        b"/etc/passwd",
        b"/etc/hostname",
        b"%2fetc%2fpasswd",
        b"etc/passwd",
        b"../secret.txt",
        // absolute form and other request-target forms
        b"http://localhost/../secret.txt",
        b"http://localhost/%2e%2e/secret.txt",
        b"http://localhost//etc/passwd",
        b"*",
        // symlinks out of the output folder
        b"/leak.txt",
        b"/leakdir/secret.txt",
        b"/leakdir/content/secret.md",
        b"/static/rel-leak.txt",
        // the endpoints' prefix is no way out either
        b"/__opswiki/../secret.txt",
        b"/__opswiki/%2e%2e/secret.txt",
    ];
    for target in targets {
        for method in ["GET", "HEAD"] {
            let mut request = format!("{method} ").into_bytes();
            request.extend_from_slice(target);
            request.extend_from_slice(b" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            let (status, text) = exchange(serve.addr, &request, Duration::from_secs(10));
            let shown = String::from_utf8_lossy(target);
            assert!(
                (400..500).contains(&status),
                "{method} {shown}: status {status} (expected 4xx)\n{text}"
            );
            for secret in SECRETS {
                assert!(!text.contains(secret), "{method} {shown} leaked:\n{text}");
            }
            assert!(
                !text.contains("root:x:"),
                "{method} {shown} leaked /etc/passwd"
            );
        }
    }

    // A folder asked for with more than one leading slash is redirected to
    // a path on this server, never to another host (`//host/x/`).
    let (status, text) = exchange(
        serve.addr,
        b"GET //runbooks HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        Duration::from_secs(10),
    );
    assert_eq!(status, 301, "{text}");
    assert!(text.contains("\r\nLocation: /runbooks/\r\n"), "{text}");

    // Still serving, and the files under legitimate names are served.
    assert_eq!(get(serve.addr, "/").0, 200);
    assert_eq!(get(serve.addr, RUNBOOK_URL).0, 200);
}

#[test]
fn huge_request_heads_are_refused_and_the_next_client_is_served() {
    let site = init_site();
    let serve = Serve::start(&site.root());
    let refused = |what: &str, status: u16, text: &str| {
        // Refused with a status, or the connection closed: never served.
        assert!(
            matches!(status, 0 | 400 | 414 | 431),
            "{what}: status {status}\n{}",
            &text[..text.len().min(300)]
        );
        assert_eq!(get(serve.addr, "/").0, 200, "not served after {what}");
    };

    let mut big_header = b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: ".to_vec();
    big_header.extend(std::iter::repeat_n(b'a', 1 << 20));
    big_header.extend_from_slice(b"\r\n\r\n");
    let (status, text) = exchange(serve.addr, &big_header, Duration::from_secs(10));
    assert_eq!(status, 431, "a 1 MB header line");
    refused("a 1 MB header line", status, &text);

    let mut big_line = b"GET /".to_vec();
    big_line.extend(std::iter::repeat_n(b'a', 1 << 20));
    big_line.extend_from_slice(b" HTTP/1.1\r\nHost: localhost\r\n\r\n");
    let (status, text) = exchange(serve.addr, &big_line, Duration::from_secs(10));
    assert_eq!(status, 414, "a 1 MB request line");
    refused("a 1 MB request line", status, &text);

    let mut many = b"GET / HTTP/1.1\r\nHost: localhost\r\n".to_vec();
    for i in 0..10_000 {
        many.extend_from_slice(format!("X-H{i}: v\r\n").as_bytes());
    }
    many.extend_from_slice(b"\r\n");
    let (status, text) = exchange(serve.addr, &many, Duration::from_secs(10));
    assert_eq!(status, 431, "10,000 headers");
    refused("10,000 headers", status, &text);

    // 101 small headers: over the count, under the size.
    let mut over = b"GET / HTTP/1.1\r\nHost: localhost\r\n".to_vec();
    for i in 0..100 {
        over.extend_from_slice(format!("X-H{i}: v\r\n").as_bytes());
    }
    over.extend_from_slice(b"\r\n");
    let (status, text) = exchange(serve.addr, &over, Duration::from_secs(10));
    assert_eq!(status, 431, "101 headers");
    refused("101 headers", status, &text);

    // A header that never ends: the server stops reading it long before the
    // client stops sending (at most 3 s or 64 MB here), and its memory does
    // not follow.
    let rss_before = rss_kib(serve.child.id());
    let mut stream = TcpStream::connect(serve.addr).unwrap();
    stream
        .set_write_timeout(Some(Duration::from_secs(3)))
        .unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Endless: ")
        .unwrap();
    let chunk = vec![b'a'; 64 * 1024];
    let start = Instant::now();
    let mut sent = 0usize;
    let cut = loop {
        if start.elapsed() > Duration::from_secs(3) || sent >= 64 << 20 {
            break false;
        }
        match stream.write(&chunk) {
            Ok(n) => sent += n,
            Err(_) => break true,
        }
    };
    let rss_after = rss_kib(serve.child.id());
    assert!(
        cut,
        "the server read {sent} bytes of one header line in {:?}",
        start.elapsed()
    );
    assert!(
        rss_after < rss_before + 16 * 1024,
        "RSS grew from {rss_before} to {rss_after} KiB"
    );
    drop(stream);
    assert_eq!(get(serve.addr, "/").0, 200);
    let mut log_ok = serve.log();
    log_ok.truncate(2000);
    assert!(!log_ok.contains("panicked"), "{log_ok}");
}

#[test]
fn slow_clients_do_not_hold_up_the_others() {
    let site = init_site();
    // A file big enough that a client not reading it blocks the writer.
    fs::create_dir_all(site.path("static")).unwrap();
    fs::write(site.path("static/big.bin"), vec![7u8; 8 << 20]).unwrap();
    let serve = Serve::start(&site.root());
    let addr = serve.addr;
    let stop = Arc::new(AtomicBool::new(false));
    // 24 of each kind: more than any pool of threads this server ever had.
    const EACH: usize = 24;

    // Clients that connect and send nothing.
    let silent: Vec<TcpStream> = (0..EACH)
        .map(|_| TcpStream::connect(addr).unwrap())
        .collect();

    // Clients that send their request one byte a second. Each records when
    // the server cut it off (it must, once the head deadline passes).
    let cut_after = Arc::new(Mutex::new(Vec::new()));
    let tricklers: Vec<_> = (0..EACH)
        .map(|_| {
            let (stop, cut_after) = (stop.clone(), cut_after.clone());
            std::thread::spawn(move || {
                let mut stream = TcpStream::connect(addr).unwrap();
                stream
                    .set_read_timeout(Some(Duration::from_millis(10)))
                    .unwrap();
                let request = b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
                let start = Instant::now();
                for byte in request.iter().take(20) {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    if stream.write_all(&[*byte]).is_err() {
                        cut_after.lock().unwrap().push(start.elapsed());
                        return;
                    }
                    // Wait a second, watching for the server closing.
                    let until = Instant::now() + Duration::from_secs(1);
                    while Instant::now() < until {
                        let mut buf = [0u8; 512];
                        match stream.read(&mut buf) {
                            Ok(_) => {
                                cut_after.lock().unwrap().push(start.elapsed());
                                return;
                            }
                            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                            Err(_) => {
                                cut_after.lock().unwrap().push(start.elapsed());
                                return;
                            }
                        }
                    }
                }
            })
        })
        .collect();

    // Clients that ask for 8 MB and never read a byte of it.
    let readers_not: Vec<TcpStream> = (0..EACH)
        .map(|_| {
            let mut s = TcpStream::connect(addr).unwrap();
            s.write_all(b"GET /static/big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n")
                .unwrap();
            s
        })
        .collect();

    // Meanwhile everyone else is served at once, for several seconds.
    std::thread::sleep(Duration::from_millis(300));
    let start = Instant::now();
    let mut worst = Duration::ZERO;
    let mut served = 0;
    while start.elapsed() < Duration::from_secs(4) {
        for path in ["/", RUNBOOK_URL, "/static/style.css", "/__opswiki/status"] {
            let (status, took) = get(addr, path);
            assert_eq!(status, 200, "{path} while slow clients are connected");
            worst = worst.max(took);
            served += 1;
        }
    }
    assert!(
        worst < Duration::from_secs(2),
        "a request took {worst:?} while slow clients were connected ({served} served)"
    );

    // The byte-a-second clients are cut off after the head deadline (10 s
    // from their first byte), well before they would finish (20 s).
    let deadline = Instant::now() + Duration::from_secs(15);
    while cut_after.lock().unwrap().len() < EACH && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    stop.store(true, Ordering::Relaxed);
    for t in tricklers {
        t.join().unwrap();
    }
    let cut = cut_after.lock().unwrap().clone();
    assert_eq!(cut.len(), EACH, "slow clients never cut off: {cut:?}");
    assert!(
        cut.iter()
            .all(|d| *d >= Duration::from_secs(9) && *d < Duration::from_secs(14)),
        "cut off after {cut:?}"
    );
    drop(silent);
    drop(readers_not);
    assert_eq!(get(addr, "/").0, 200);
    println!("served {served} requests, worst {worst:?}, slow clients cut after {cut:?}");
}

/// One keep-alive client: GET `path` on `stream`, read exactly one
/// response. `Err` says what went wrong; `Ok(false)` if the server closed
/// the connection before answering (it may, between requests).
fn keep_alive_get(stream: &mut TcpStream, path: &str, buf: &mut Vec<u8>) -> Result<bool, String> {
    stream
        .write_all(format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes())
        .map_err(|e| format!("write: {e}"))?;
    buf.clear();
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        match stream.read(&mut chunk) {
            Ok(0) if buf.is_empty() => return Ok(false),
            Ok(0) => return Err("closed inside a head".into()),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if buf.is_empty() && e.kind() == ErrorKind::ConnectionReset => {
                return Ok(false);
            }
            Err(e) => return Err(format!("read: {e}")),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]);
    let status = status_of(&head);
    let head = head.to_ascii_lowercase();
    let expected = if path.contains("no-such") { 404 } else { 200 };
    if status != expected {
        return Err(format!("{path}: status {status}"));
    }
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or("no Content-Length")?;
    while buf.len() < head_end + len {
        match stream.read(&mut chunk) {
            Ok(0) => return Err(format!("{path}: body cut short")),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) => return Err(format!("{path}: body: {e}")),
        }
    }
    if buf.len() != head_end + len {
        return Err(format!("{path}: bytes past the body"));
    }
    if head.contains("connection: close") {
        return Err(format!("{path}: the server closed a kept-alive connection"));
    }
    Ok(true)
}

#[test]
fn sixty_four_connections_for_a_minute_zero_errors_bounded_memory() {
    let secs: u64 = std::env::var("OPSWIKI_LOAD_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let site = init_site();
    let serve = Serve::start(&site.root());
    let (addr, pid) = (serve.addr, serve.child.id());
    let paths = [
        "/",
        RUNBOOK_URL,
        "/runbooks/",
        "/alarms/",
        "/static/style.css",
        "/static/opswiki.js",
        "/__opswiki/status",
        "/runbooks/no-such-page/",
    ];
    for p in paths {
        let (status, _) = get(addr, p);
        assert!(status == 200 || p.contains("no-such"), "{p}: {status}");
    }
    let rss_start = rss_kib(pid);
    let requests = Arc::new(AtomicU64::new(0));
    let reconnects = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(Mutex::new(Vec::<String>::new()));
    let end = Instant::now() + Duration::from_secs(secs);
    let clients: Vec<_> = (0..64)
        .map(|i| {
            let (requests, reconnects, errors) =
                (requests.clone(), reconnects.clone(), errors.clone());
            std::thread::spawn(move || {
                let connect = || {
                    let s = TcpStream::connect(addr).map_err(|e| format!("connect: {e}"))?;
                    s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
                    s.set_write_timeout(Some(Duration::from_secs(15))).unwrap();
                    Ok::<_, String>(s)
                };
                let mut stream = match connect() {
                    Ok(s) => s,
                    Err(e) => return errors.lock().unwrap().push(e),
                };
                let mut buf = Vec::new();
                let mut n = i;
                // Bounded in time, and in count (no client can do 10M).
                while Instant::now() < end && n < i + 10_000_000 {
                    let path = paths[n % paths.len()];
                    n += 1;
                    match keep_alive_get(&mut stream, path, &mut buf) {
                        Ok(true) => {
                            requests.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok(false) => {
                            // Closed between requests (idle timeout): a
                            // client reconnects; counted, not an error.
                            reconnects.fetch_add(1, Ordering::Relaxed);
                            match connect() {
                                Ok(s) => stream = s,
                                Err(e) => return errors.lock().unwrap().push(e),
                            }
                        }
                        Err(e) => {
                            errors.lock().unwrap().push(e);
                            match connect() {
                                Ok(s) => stream = s,
                                Err(e) => return errors.lock().unwrap().push(e),
                            }
                        }
                    }
                }
                let _ = stream.shutdown(Shutdown::Both);
            })
        })
        .collect();
    // Sample the server's memory every second while the clients run.
    let mut rss_max = rss_start;
    let mut samples = Vec::new();
    while Instant::now() < end {
        std::thread::sleep(Duration::from_secs(1));
        let rss = rss_kib(pid);
        rss_max = rss_max.max(rss);
        samples.push(rss);
    }
    for c in clients {
        c.join().unwrap();
    }
    let total = requests.load(Ordering::Relaxed);
    let errors = errors.lock().unwrap().clone();
    let summary = format!(
        "{total} requests in {secs} s ({} /s), {} errors, {} reconnects; server RSS {} KiB at \
         the start, {} KiB at most; samples: {samples:?}",
        total / secs.max(1),
        errors.len(),
        reconnects.load(Ordering::Relaxed),
        rss_start,
        rss_max
    );
    println!("{summary}");
    assert!(
        errors.is_empty(),
        "{summary}\nfirst errors: {:?}",
        &errors[..errors.len().min(10)]
    );
    assert!(total > 64 * secs, "too few requests: {summary}");
    // Bounded: 64 connection threads and their buffers on top of the site.
    assert!(rss_max < 200 * 1024, "RSS over 200 MiB: {summary}");
    // 64 connection threads and their buffers: a few MiB. (With mimalloc,
    // which keeps a heap per thread, it was 85 MiB: `serve` uses the system
    // allocator, see main.rs.)
    assert!(
        rss_max < rss_start + 64 * 1024,
        "RSS grew by more than 64 MiB: {summary}"
    );
    // No leak: once every connection thread has its buffers, memory stays
    // level for the rest of the run.
    let warm_up = (samples.len() / 4).clamp(1, 10);
    let warm = samples[..warm_up]
        .iter()
        .copied()
        .max()
        .unwrap_or(rss_start);
    let later = samples[warm_up..].iter().copied().max().unwrap_or(warm);
    assert!(
        later <= warm + 16 * 1024,
        "RSS grew by more than 16 MiB after the first {warm_up} s: {summary}"
    );
    assert_eq!(get(addr, "/").0, 200);
}

/// Every file under `dir`, by path relative to it.
fn read_tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    common::snapshot(dir).into_iter().collect()
}

fn write_tree(dir: &Path, files: &[(String, Vec<u8>)]) {
    for (rel, bytes) in files {
        let path = dir.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }
}

#[test]
fn the_content_folder_deleted_and_created_again_while_serving() {
    let site = init_site();
    let serve = Serve::start(&site.root());
    let content = site.path("content");
    let files = read_tree(&content);
    assert!(files.len() > 3, "{files:?}");

    for round in 1..=2 {
        // Deleted outright (not moved away): the last good site is served,
        // and the error shows, in the status and in every page served.
        fs::remove_dir_all(&content).unwrap();
        let status = serve.wait_status("content/ deleted", |s| s["ok"] == false);
        assert!(
            status["errors"].to_string().contains("content"),
            "{status:#}"
        );
        let page = serve.get(RUNBOOK_URL);
        assert_eq!(page.status, 200, "round {round}");
        assert!(
            page.body.contains("\"ok\":false"),
            "no error shown in the page"
        );
        assert_eq!(serve.get("/").status, 200);

        // Created again, file by file, as a checkout or a copy does.
        fs::create_dir(&content).unwrap();
        write_tree(&content, &files);
        serve.wait_status("content/ back", |s| s["ok"] == true);
        // The new folder is watched: an edit in it is served.
        let mark = format!("(ROUND {round})");
        edit(&site, RUNBOOK, "Customers", &format!("Customers {mark}"));
        serve.wait_page(RUNBOOK_URL, &mark);
        edit(&site, RUNBOOK, &format!("Customers {mark}"), "Customers");
        serve.wait_status("the edit undone", |_| {
            !serve.get(RUNBOOK_URL).body.contains(&mark)
        });
    }
}
