//! HTTP/1.1 connections: accept, read each request head within limits and
//! deadlines, hand the request to the site, keep the connection alive.
//!
//! This replaced tiny_http (0.12, its latest release), which the hardening
//! tests showed unfit for a server anyone on the machine can reach:
//!
//! - it reads a header line until CRLF with no limit (its issue #56; the fix,
//!   PR #232, is unmerged), so one client streaming an endless header grows
//!   the server's memory without bound, and a 1 MB header is answered 200;
//! - it sets no read or write timeout, so a client that sends its request
//!   one byte a second, or never reads its response, holds a thread forever;
//! - its connection pool can queue a new connection behind a busy thread
//!   while other threads are about to wait (a race in `TaskPool::spawn`), so
//!   one slow client can stall another.
//!
//! The server only needs GET and HEAD without bodies, so what it takes is
//! small: one thread per connection (up to [`MAX_CONNECTIONS`]; past that a
//! new connection is answered 503 at once), a deadline for the whole request
//! head (a per-read timeout would let a client sending a byte a second stay
//! forever), limits on its size, a write timeout, keep-alive with an idle
//! timeout. Every limit is in `docs/serve.md`.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The request line (`GET /path HTTP/1.1`): longer is answered 414.
pub const MAX_REQUEST_LINE: usize = 8 * 1024;
/// The whole head, request line and headers: larger is answered 431.
pub const MAX_HEAD: usize = 64 * 1024;
/// Header fields in one request: more is answered 431.
pub const MAX_HEADERS: usize = 100;
/// Time to receive a whole request head, from the connection (or, on a
/// kept-alive connection, from the request's first byte): past it, 408.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// A kept-alive connection with no new request for this long is closed.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(5);
/// A client that accepts no byte of its response for this long is dropped.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// Connections open at once (parked live-reload polls included).
pub const MAX_CONNECTIONS: usize = 256;
/// Stack of a connection's thread: handling a request needs little.
const STACK: usize = 256 * 1024;

/// One request, and the connection to answer it on.
pub struct Request {
    method: String,
    url: String,
    keep_alive: bool,
    stream: TcpStream,
    /// Set once the response is written: see [`Sent`].
    sent: Arc<AtomicU8>,
    _slot: Arc<Slot>,
}

/// What became of a request once the handler returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Sent {
    /// Not answered yet: parked (a long poll) by another thread, which owns
    /// the connection from now on.
    Pending = 0,
    /// Answered; the connection stays open for the next request.
    KeepAlive = 1,
    /// Answered with `Connection: close`.
    Close = 2,
}

impl Request {
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The request target as sent (origin form: `/path?query`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Answer with `Connection: close`: for a request parked on another
    /// thread (a long poll), whose connection thread has already moved on
    /// and reads no further request from it.
    pub fn close_after(&mut self) {
        self.keep_alive = false;
    }

    /// Write a whole response: `head` (without the `Connection` header and
    /// the blank line, added here), then `small_body`, then `len` bytes of
    /// `body`. A body that ends early closes the connection (the client
    /// would otherwise wait for the rest). A client that went away is
    /// nothing to report.
    pub fn respond(self, head: &[u8], small_body: &[u8], body: Option<(&mut dyn Read, u64)>) {
        let connection: &[u8] = if self.keep_alive {
            b"Connection: keep-alive\r\n\r\n"
        } else {
            b"Connection: close\r\n\r\n"
        };
        let mut stream = &self.stream;
        let mut out = Vec::with_capacity(head.len() + connection.len() + small_body.len());
        out.extend_from_slice(head);
        out.extend_from_slice(connection);
        out.extend_from_slice(small_body);
        let mut ok = stream.write_all(&out).is_ok();
        if ok && let Some((body, len)) = body {
            ok = io::copy(&mut body.take(len), &mut stream).is_ok_and(|n| n == len);
        }
        let state = if ok && self.keep_alive {
            Sent::KeepAlive
        } else {
            Sent::Close
        };
        self.sent.store(state as u8, Ordering::Release);
    }
}

/// One open connection, counted against [`MAX_CONNECTIONS`] until the last
/// handle on it (its thread, or a parked request) is gone.
struct Slot {
    open: Arc<AtomicUsize>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.open.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Accepting connections, until [`Listener::stop`].
pub struct Listener {
    stop: Arc<AtomicBool>,
    open: Arc<AtomicUsize>,
}

impl Listener {
    /// Accept on `listener` on a thread of its own; each request goes to
    /// `handle` on its connection's thread.
    pub fn start<H>(listener: TcpListener, handle: H) -> io::Result<Listener>
    where
        H: Fn(Request) + Send + Sync + 'static,
    {
        let handle = Arc::new(handle);
        let stop = Arc::new(AtomicBool::new(false));
        let open = Arc::new(AtomicUsize::new(0));
        let (stop2, open2) = (stop.clone(), open.clone());
        std::thread::Builder::new()
            .name("opswiki-accept".into())
            .spawn(move || accept_loop(&listener, &stop2, &open2, handle))?;
        Ok(Listener { stop, open })
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.open.load(Ordering::Acquire)
    }

    /// Stop accepting after the next connection (the process exits anyway).
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Release);
    }
}

fn accept_loop<H>(
    listener: &TcpListener,
    stop: &AtomicBool,
    open: &Arc<AtomicUsize>,
    handle: Arc<H>,
) where
    H: Fn(Request) + Send + Sync + 'static,
{
    while !stop.load(Ordering::Acquire) {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of file descriptors, or a connection reset before it
                // was accepted: transient. Never let the listener die.
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
        };
        if open.fetch_add(1, Ordering::AcqRel) >= MAX_CONNECTIONS {
            open.fetch_sub(1, Ordering::AcqRel);
            refuse(stream);
            continue;
        }
        let slot = Arc::new(Slot { open: open.clone() });
        let handle = handle.clone();
        // If the thread cannot start, the closure (stream and slot) is
        // dropped: the connection closes and its slot is freed.
        let _ = std::thread::Builder::new()
            .name("opswiki-conn".into())
            .stack_size(STACK)
            .spawn(move || serve_connection(stream, slot, &*handle));
    }
}

/// Too many connections: say so without waiting on the client.
fn refuse(stream: TcpStream) {
    let _ = stream.set_nonblocking(true);
    let _ = (&stream).write_all(
        b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n\
          Content-Length: 26\r\nRetry-After: 1\r\nConnection: close\r\n\r\ntoo many connections, retry\n",
    );
}

/// A request head that could not be read, and what to answer.
#[derive(Debug, PartialEq, Eq)]
enum HeadError {
    /// The client closed, or stayed idle between requests: close quietly.
    Gone,
    /// Answer this status, then close.
    Reply(u16, &'static str),
}

/// A request head, parsed.
#[derive(Debug, PartialEq, Eq)]
struct Head {
    method: String,
    url: String,
    keep_alive: bool,
}

/// Requests on one connection, one after another, until it closes.
fn serve_connection(stream: TcpStream, slot: Arc<Slot>, handle: &dyn Fn(Request)) {
    let _ = stream.set_nodelay(true);
    // Socket options: they hold for the clone a parked request writes with.
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let mut reader = HeadReader {
        stream: &stream,
        buf: Vec::new(),
    };
    let mut first = true;
    loop {
        let head = match reader.read_head(first) {
            Ok(head) => head,
            Err(HeadError::Gone) => return,
            Err(HeadError::Reply(status, why)) => {
                let body = format!("{why}\n");
                let _ = (&stream).write_all(
                    format!(
                        "HTTP/1.1 {status} {}\r\nContent-Type: text/plain; charset=utf-8\r\n\
                         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        reason(status),
                        body.len()
                    )
                    .as_bytes(),
                );
                linger_close(&stream);
                return;
            }
        };
        first = false;
        let Ok(clone) = stream.try_clone() else {
            return;
        };
        let sent = Arc::new(AtomicU8::new(Sent::Pending as u8));
        let request = Request {
            method: head.method,
            url: head.url,
            keep_alive: head.keep_alive,
            stream: clone,
            sent: sent.clone(),
            _slot: slot.clone(),
        };
        // A bug in one request must not take the connection's owner down
        // with a poisoned state: the request (and its socket) is dropped.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handle(request)));
        match sent.load(Ordering::Acquire) {
            x if x == Sent::KeepAlive as u8 => continue,
            x if x == Sent::Pending as u8 => return, // parked: its owner answers
            _ => {
                linger_close(&stream);
                return;
            }
        }
    }
}

/// Close after a response without losing it: a close with unread request
/// bytes in the socket makes the kernel send a reset, which can destroy the
/// response before the client reads it. Stop writing, then read (and drop)
/// what the client still sends, for a moment.
fn linger_close(stream: &TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let deadline = Instant::now() + Duration::from_secs(1);
    let mut sink = [0u8; 8192];
    let mut drained = 0usize;
    let mut reader = stream;
    while Instant::now() < deadline && drained < 1 << 20 {
        match reader.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
}

/// Reads request heads off a connection; bytes past a head (a pipelined
/// request) stay in `buf` for the next one.
struct HeadReader<'a> {
    stream: &'a TcpStream,
    buf: Vec<u8>,
}

impl HeadReader<'_> {
    fn read_head(&mut self, first: bool) -> Result<Head, HeadError> {
        let start = Instant::now();
        // A new connection has HEAD_TIMEOUT for its first request; a kept
        // one IDLE_TIMEOUT for the first byte of the next, then HEAD_TIMEOUT.
        let mut deadline = start + if first { HEAD_TIMEOUT } else { IDLE_TIMEOUT };
        let mut begun = first;
        let mut scanned = 0;
        loop {
            if !begun && !self.buf.is_empty() {
                begun = true;
                deadline = Instant::now() + HEAD_TIMEOUT;
            }
            if let Some(end) = head_end(&self.buf, scanned) {
                let head: Vec<u8> = self.buf.drain(..end).collect();
                return parse_head(&head);
            }
            scanned = self.buf.len().saturating_sub(3);
            // The request line alone, then the whole head, within limits.
            let line_end = self.buf.iter().position(|&b| b == b'\n');
            if line_end.unwrap_or(self.buf.len()) > MAX_REQUEST_LINE {
                return Err(HeadError::Reply(414, "the request line is too long"));
            }
            if self.buf.len() > MAX_HEAD {
                return Err(HeadError::Reply(431, "the request headers are too large"));
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(if begun {
                    HeadError::Reply(408, "the request took too long to arrive")
                } else {
                    HeadError::Gone
                });
            }
            let _ = self.stream.set_read_timeout(Some(deadline - now));
            let mut chunk = [0u8; 8192];
            let mut stream = self.stream;
            match stream.read(&mut chunk) {
                Ok(0) => return Err(HeadError::Gone),
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) => {} // the deadline check above answers
                Err(_) => return Err(HeadError::Gone),
            }
        }
    }
}

/// Where the head ends (after its blank line), searching from `from`.
/// Bare LF line ends are accepted, as RFC 9112 allows.
fn head_end(buf: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i < buf.len() {
        if buf[i] == b'\n' {
            if buf.get(i + 1) == Some(&b'\n') {
                return Some(i + 2);
            }
            if buf.get(i + 1) == Some(&b'\r') && buf.get(i + 2) == Some(&b'\n') {
                return Some(i + 3);
            }
        }
        i += 1;
    }
    None
}

/// Parse a head (request line and headers, up to its blank line).
fn parse_head(head: &[u8]) -> Result<Head, HeadError> {
    const BAD: HeadError = HeadError::Reply(400, "a malformed request");
    let text = std::str::from_utf8(head).map_err(|_| BAD)?;
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let mut request_line = lines.next().ok_or(BAD)?;
    // RFC 9112 2.2: ignore at least one empty line before the request line.
    if request_line.is_empty() {
        request_line = lines.next().ok_or(BAD)?;
    }
    let mut parts = request_line.split(' ');
    let (Some(method), Some(url), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(BAD);
    };
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    };
    if !token(method) || url.is_empty() || !url.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(BAD);
    }
    let mut keep_alive = match version {
        "HTTP/1.1" => true,
        "HTTP/1.0" => false,
        _ => return Err(HeadError::Reply(505, "only HTTP/1.0 and HTTP/1.1")),
    };
    let mut count = 0;
    let mut has_body = false;
    for line in lines {
        if line.is_empty() {
            break;
        }
        count += 1;
        if count > MAX_HEADERS {
            return Err(HeadError::Reply(431, "too many request headers"));
        }
        // No obsolete line folding, no space before the colon (RFC 9112 5).
        let Some((name, value)) = line.split_once(':') else {
            return Err(BAD);
        };
        if !token(name) {
            return Err(BAD);
        }
        let value = value.trim();
        if name.eq_ignore_ascii_case("connection") {
            for option in value.split(',').map(str::trim) {
                if option.eq_ignore_ascii_case("close") {
                    keep_alive = false;
                } else if option.eq_ignore_ascii_case("keep-alive") && version == "HTTP/1.0" {
                    keep_alive = true;
                }
            }
        } else if name.eq_ignore_ascii_case("transfer-encoding")
            || (name.eq_ignore_ascii_case("content-length") && value != "0")
        {
            has_body = true;
        }
    }
    // No request this server takes has a body; rather than read one to find
    // where the next request starts, answer and close.
    if has_body {
        keep_alive = false;
    }
    Ok(Head {
        method: method.to_string(),
        url: url.to_string(),
        keep_alive,
    })
}

/// The reason phrase of a status.
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Head, HeadError> {
        parse_head(s.as_bytes())
    }

    #[test]
    fn heads_are_parsed_with_keep_alive_per_version() {
        let h = parse("GET /a?b HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        assert_eq!(
            (h.method.as_str(), h.url.as_str(), h.keep_alive),
            ("GET", "/a?b", true)
        );
        assert!(
            !parse("GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
                .unwrap()
                .keep_alive
        );
        assert!(!parse("GET / HTTP/1.0\r\n\r\n").unwrap().keep_alive);
        assert!(
            parse("GET / HTTP/1.0\nConnection: Keep-Alive\n\n")
                .unwrap()
                .keep_alive
        );
        assert!(
            !parse("GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\n")
                .unwrap()
                .keep_alive
        );
        assert!(parse("\r\nGET / HTTP/1.1\r\n\r\n").is_ok());
    }

    #[test]
    fn malformed_heads_are_refused() {
        for bad in [
            "GET /\r\n\r\n",
            "GET  / HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1 x\r\n\r\n",
            "G(T / HTTP/1.1\r\n\r\n",
            "GET /\x01 HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1\r\nno colon\r\n\r\n",
            "GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n",
            "GET / HTTP/1.1\r\nName : b\r\n\r\n",
        ] {
            assert_eq!(
                parse(bad),
                Err(HeadError::Reply(400, "a malformed request")),
                "{bad:?}"
            );
        }
        assert!(matches!(
            parse("GET / HTTP/2.0\r\n\r\n"),
            Err(HeadError::Reply(505, _))
        ));
        let many = format!(
            "GET / HTTP/1.1\r\n{}\r\n",
            "A: b\r\n".repeat(MAX_HEADERS + 1)
        );
        assert!(matches!(parse(&many), Err(HeadError::Reply(431, _))));
    }

    #[test]
    fn the_end_of_a_head_is_found_with_crlf_or_lf() {
        assert_eq!(head_end(b"GET / HTTP/1.1\r\n\r\nrest", 0), Some(18));
        assert_eq!(head_end(b"GET / HTTP/1.1\n\nrest", 0), Some(16));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nA: b\r\n", 0), None);
    }
}
