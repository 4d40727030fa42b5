//! A response, apart from the router so that what the router calls (the
//! status hub) can answer requests without depending on the router.

use std::fs::File;
use std::io::Write;

use super::conn::{Request, reason};

/// A response, written by [`Reply::send`].
pub struct Reply {
    status: u16,
    content_type: &'static str,
    headers: Vec<(&'static str, String)>,
    body: Body,
}

enum Body {
    Bytes(Vec<u8>),
    File(File, u64),
}

impl Reply {
    pub fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            content_type,
            headers: Vec::new(),
            body: Body::Bytes(body.into()),
        }
    }

    pub fn json(body: impl Into<Vec<u8>>) -> Reply {
        Reply::new(200, "application/json", body)
    }

    pub fn text(status: u16, body: &str) -> Reply {
        Reply::new(status, "text/plain; charset=utf-8", body)
    }

    pub fn file(status: u16, content_type: &'static str, file: File) -> Option<Reply> {
        let len = file.metadata().ok()?.len();
        Some(Reply {
            status,
            content_type,
            headers: Vec::new(),
            body: Body::File(file, len),
        })
    }

    pub fn header(mut self, name: &'static str, value: String) -> Reply {
        self.headers.push((name, value));
        self
    }

    /// Write the response. The connection is kept for the client's next
    /// request unless it asked to close it; HEAD gets the headers only.
    pub fn send(self, request: Request) {
        let head_only = request.method() == "HEAD";
        let len = match &self.body {
            Body::Bytes(b) => b.len() as u64,
            Body::File(_, len) => *len,
        };
        let mut head = Vec::with_capacity(256);
        let _ = write!(
            head,
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {len}\r\n\
             Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n",
            self.status,
            reason(self.status),
            self.content_type
        );
        for (name, value) in &self.headers {
            // Values here are ours or come from the request line: no breaks.
            let value = value.replace(['\r', '\n'], "");
            let _ = write!(head, "{name}: {value}\r\n");
        }
        match self.body {
            Body::Bytes(bytes) => {
                request.respond(&head, if head_only { &[] } else { &bytes }, None);
            }
            Body::File(mut file, len) if !head_only => {
                request.respond(&head, &[], Some((&mut file, len)));
            }
            Body::File(..) => request.respond(&head, &[], None),
        }
    }
}
