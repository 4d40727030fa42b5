//! The build status browsers follow: a version that moves after every
//! rebuild, which output files each version changed, and the current errors.
//!
//! The rebuild loop [`Hub::publish`]es after it has finished writing, so a
//! browser told to reload always finds the new file (never a half-written
//! one, never a 404 from a rebuild in progress). Long-poll requests are
//! parked here, not on a worker thread: one thread ([`Hub::run_poller`])
//! answers them all when something they care about changes, or after
//! [`POLL_TIMEOUT`].

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::diag::{self, Diagnostic, Level};

/// How long a long poll is held open before it is answered "nothing new".
pub const POLL_TIMEOUT: Duration = Duration::from_secs(25);
/// Versions remembered for clients that are behind; older ones just reload.
const HISTORY: usize = 256;

/// One error as the overlay shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ErrorView {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub code: &'static str,
    pub message: String,
    /// The diagnostic as `opswiki check` prints it (no colour): location,
    /// message, the source line underlined, help. Plain text: the browser
    /// inserts it as text, never as HTML.
    pub text: String,
}

impl ErrorView {
    pub fn of(d: &Diagnostic, sources: &diag::Sources) -> ErrorView {
        ErrorView {
            file: d.span.file.clone(),
            line: d.span.line,
            column: d.span.column,
            code: d.code.name(),
            message: d.message.clone(),
            text: diag::render_text(d, sources, false),
        }
    }

    /// The errors among `diags`, for the overlay.
    pub fn errors(diags: &[Diagnostic], sources: &diag::Sources) -> Vec<ErrorView> {
        diags
            .iter()
            .filter(|d| d.level == Level::Error)
            .map(|d| ErrorView::of(d, sources))
            .collect()
    }
}

/// What one rebuild did, for the log, the status endpoint and the tests.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct RebuildReport {
    /// What set it off (a file, "startup", "templates", ...).
    pub trigger: String,
    /// `pages` (the edited pages, served at once) or `generated` (indexes,
    /// catalogue, search index: afterwards, off the critical path).
    pub phase: &'static str,
    /// Files rendered in memory: pages, then generated files.
    pub rendered: usize,
    /// Of those, pages of the site re-rendered (the edited page and the
    /// pages depending on it).
    pub pages: usize,
    /// Files whose bytes changed and were written.
    pub written: usize,
    /// Output files deleted (pages removed or renamed).
    pub removed: usize,
    /// Every page of the site, to compare `rendered` with.
    pub pages_total: usize,
    pub millis: u64,
}

/// Output files one version changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changed {
    /// Every page may have changed (templates, config, a script or an
    /// image): every browser reloads.
    pub all: bool,
    /// A stylesheet changed: swapped in place, no reload.
    pub css: bool,
    /// HTML files changed, by path in the output (`runbooks/x/index.html`).
    pub pages: HashSet<String>,
}

impl Changed {
    pub fn is_empty(&self) -> bool {
        !self.all && !self.css && self.pages.is_empty()
    }

    pub fn merge(&mut self, other: Changed) {
        self.all |= other.all;
        self.css |= other.css;
        self.pages.extend(other.pages);
    }
}

/// What a browser should do, answered to its long poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Its page changed: reload (keeping the scroll position).
    Reload,
    /// Only stylesheets changed: swap them.
    Css,
    /// The errors changed: redraw the overlay.
    Errors,
    /// Nothing for this page (the poll timed out): poll again.
    None,
}

/// The status as JSON clients read it.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// Differs between two runs of `serve`: a browser that sees it change
    /// reloads (the server restarted).
    pub server: u64,
    pub version: u64,
    /// The last rebuild found no error and its output is being served.
    pub ok: bool,
    pub errors: Vec<ErrorView>,
    pub warnings: usize,
    pub last: Option<RebuildReport>,
}

/// A parked long poll.
struct Waiter {
    request: super::conn::Request,
    since: u64,
    page: Option<String>,
    deadline: Instant,
}

struct Inner {
    status: Status,
    /// `status` as JSON, made once per version.
    json: Arc<str>,
    /// The version at which `errors` last changed.
    errors_version: u64,
    history: VecDeque<(u64, Changed)>,
    waiters: Vec<Waiter>,
    stopped: bool,
}

/// Shared by the connection threads, the poll thread and the rebuild loop.
pub struct Hub {
    inner: Mutex<Inner>,
    wake: Condvar,
}

impl Default for Hub {
    fn default() -> Hub {
        Hub::new()
    }
}

impl Hub {
    pub fn new() -> Hub {
        let server = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64 ^ u64::from(std::process::id()))
            .unwrap_or(1);
        let status = Status {
            server,
            version: 0,
            ok: true,
            errors: Vec::new(),
            warnings: 0,
            last: None,
        };
        let json = to_json(&status);
        Hub {
            inner: Mutex::new(Inner {
                status,
                json,
                errors_version: 0,
                history: VecDeque::new(),
                waiters: Vec::new(),
                stopped: false,
            }),
            wake: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic elsewhere must not take the server down with it.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The current status as JSON, and its version.
    pub fn snapshot(&self) -> (u64, Arc<str>) {
        let inner = self.lock();
        (inner.status.version, inner.json.clone())
    }

    /// Are these the errors browsers were last told about?
    pub fn errors_are(&self, errors: &[ErrorView]) -> bool {
        self.lock().status.errors == errors
    }

    pub fn version(&self) -> u64 {
        self.lock().status.version
    }

    /// A new version: call after the rebuild's files are all written.
    pub fn publish(
        &self,
        changed: Changed,
        errors: Vec<ErrorView>,
        warnings: usize,
        last: Option<RebuildReport>,
    ) -> u64 {
        let mut inner = self.lock();
        if inner.status.errors != errors {
            inner.errors_version = inner.status.version + 1;
        }
        inner.status.ok = errors.is_empty();
        inner.status.errors = errors;
        inner.status.warnings = warnings;
        self.bump(inner, changed, last)
    }

    /// A new version for files written off the edit path (the generated
    /// files): the errors stay as the edit path last said.
    pub fn publish_files(&self, changed: Changed, last: RebuildReport) -> u64 {
        let inner = self.lock();
        self.bump(inner, changed, Some(last))
    }

    fn bump(
        &self,
        mut inner: MutexGuard<'_, Inner>,
        changed: Changed,
        last: Option<RebuildReport>,
    ) -> u64 {
        let version = inner.status.version + 1;
        inner.status.version = version;
        if last.is_some() {
            inner.status.last = last;
        }
        inner.json = to_json(&inner.status);
        inner.history.push_back((version, changed));
        while inner.history.len() > HISTORY {
            inner.history.pop_front();
        }
        drop(inner);
        self.wake.notify_all();
        version
    }

    /// What a client at version `since`, showing output file `page`, should
    /// do now; `None` while nothing concerns it.
    fn action_for(inner: &Inner, since: u64, page: Option<&str>) -> Option<Action> {
        let now = inner.status.version;
        if since == now {
            return None;
        }
        // A version from the future is from an earlier run of the server;
        // one older than the history cannot be judged.
        let oldest = inner.history.front().map_or(now + 1, |(v, _)| *v);
        if since > now || since + 1 < oldest {
            return Some(Action::Reload);
        }
        let mut css = false;
        for (_, changed) in inner.history.iter().filter(|(v, _)| *v > since) {
            let mine = match page {
                Some(page) => changed.pages.contains(page),
                None => !changed.pages.is_empty(),
            };
            if changed.all || mine {
                return Some(Action::Reload);
            }
            css |= changed.css;
        }
        if css {
            Some(Action::Css)
        } else if inner.errors_version > since {
            Some(Action::Errors)
        } else {
            None
        }
    }

    /// Answer a long poll now if something changed for it since `since`,
    /// or park it until something does (or it times out).
    pub fn poll(&self, mut request: super::conn::Request, since: u64, page: Option<String>) {
        let mut inner = self.lock();
        if inner.stopped {
            drop(inner);
            super::reply::Reply::text(503, "stopping\n").send(request);
            return;
        }
        if let Some(action) = Hub::action_for(&inner, since, page.as_deref()) {
            let json = inner.json.clone();
            drop(inner);
            respond_poll(request, action, &json);
            return;
        }
        // Parked: its connection is closed after the answer.
        request.close_after();
        inner.waiters.push(Waiter {
            request,
            since,
            page,
            deadline: Instant::now() + POLL_TIMEOUT,
        });
        drop(inner);
        self.wake.notify_all();
    }

    /// Number of parked polls (for tests and the log).
    pub fn waiting(&self) -> usize {
        self.lock().waiters.len()
    }

    /// Answer parked polls as versions move or deadlines pass. Runs on its
    /// own thread until [`Hub::stop`].
    pub fn run_poller(&self) {
        let mut inner = self.lock();
        loop {
            if inner.stopped {
                let waiters = std::mem::take(&mut inner.waiters);
                drop(inner);
                for w in waiters {
                    super::reply::Reply::text(503, "stopping\n").send(w.request);
                }
                return;
            }
            let now = Instant::now();
            let mut ready = Vec::new();
            let mut keep = Vec::new();
            for w in std::mem::take(&mut inner.waiters) {
                match Hub::action_for(&inner, w.since, w.page.as_deref()) {
                    Some(action) => ready.push((w, action)),
                    None if w.deadline <= now => ready.push((w, Action::None)),
                    None => keep.push(w),
                }
            }
            inner.waiters = keep;
            let next = inner.waiters.iter().map(|w| w.deadline).min();
            if !ready.is_empty() {
                let json = inner.json.clone();
                drop(inner);
                for (w, action) in ready {
                    respond_poll(w.request, action, &json);
                }
                inner = self.lock();
                continue;
            }
            let wait = next
                .map(|d| d.saturating_duration_since(now))
                .unwrap_or(Duration::from_secs(3600))
                .max(Duration::from_millis(5));
            inner = self
                .wake
                .wait_timeout(inner, wait)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Answer every parked poll and end [`Hub::run_poller`].
    pub fn stop(&self) {
        self.lock().stopped = true;
        self.wake.notify_all();
    }
}

fn to_json(status: &Status) -> Arc<str> {
    serde_json::to_string(status)
        .unwrap_or_else(|_| "{}".to_string())
        .into()
}

/// `{"action": ..., "status": {...}}`
pub fn poll_body(action: Action, status_json: &str) -> String {
    let action = serde_json::to_string(&action).unwrap_or_else(|_| "\"none\"".into());
    format!("{{\"action\":{action},\"status\":{status_json}}}")
}

fn respond_poll(request: super::conn::Request, action: Action, status_json: &str) {
    super::reply::Reply::json(poll_body(action, status_json)).send(request);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn changed(pages: &[&str], css: bool) -> Changed {
        Changed {
            all: false,
            css,
            pages: pages.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn a_client_reloads_only_for_its_own_page() {
        let hub = Hub::new();
        hub.publish(changed(&["a/index.html"], false), vec![], 0, None);
        let inner = hub.lock();
        assert_eq!(
            Hub::action_for(&inner, 0, Some("a/index.html")),
            Some(Action::Reload)
        );
        assert_eq!(Hub::action_for(&inner, 0, Some("b/index.html")), None);
        assert_eq!(Hub::action_for(&inner, 1, Some("a/index.html")), None);
    }

    #[test]
    fn css_swaps_and_errors_redraw() {
        let hub = Hub::new();
        hub.publish(changed(&[], true), vec![], 0, None);
        let error = ErrorView {
            file: "content/a.md".into(),
            line: 1,
            column: 1,
            code: "x",
            message: "m".into(),
            text: "t".into(),
        };
        hub.publish(Changed::default(), vec![error], 0, None);
        let inner = hub.lock();
        assert_eq!(
            Hub::action_for(&inner, 0, Some("a.html")),
            Some(Action::Css)
        );
        assert_eq!(
            Hub::action_for(&inner, 1, Some("a.html")),
            Some(Action::Errors)
        );
        assert!(!inner.status.ok);
    }

    #[test]
    fn a_client_from_an_earlier_run_reloads() {
        let hub = Hub::new();
        let inner = hub.lock();
        assert_eq!(Hub::action_for(&inner, 7, None), Some(Action::Reload));
    }
}
