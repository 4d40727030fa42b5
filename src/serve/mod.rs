//! Serve: build the site, serve it over HTTP, watch the sources, rebuild
//! what an edit touches, and tell open browsers to reload.
//!
//! The pieces, each in its own file, meet only through [`Server`]'s threads:
//!
//! - [`watch`]: file events, debounced, classified into [`watch::ChangeKind`];
//! - [`rebuild`]: the parsed site in memory, updated per change, the output
//!   rewritten file by file (see the table there for what re-renders when);
//! - [`generate`]: the files built from every page (indexes, search index),
//!   re-rendered on a thread of their own after the pages are served;
//! - [`status`]: the version browsers follow, published after each rebuild
//!   has finished writing, and the errors for the overlay;
//! - [`conn`]: connections, a thread each, with limits on request heads and
//!   timeouts, so no client can hold the others up;
//! - [`http`]: the output folder, the live-reload script injected into
//!   HTML, the `/__opswiki/` endpoints, and `status/live/` filled in from
//!   the monitoring systems on each request ([`crate::live`]).
//!
//! Endpoints: `GET /__opswiki/status` (the status as JSON, at once),
//! `GET /__opswiki/poll?v=N&path=P` (held until something changes for page
//! `P` after version `N`, or 25 s; answers `{action, status}` with action
//! `reload`, `css`, `errors` or `none`), `GET /__opswiki/live.js`.
//!
//! `OPSWIKI_DEBUG_WATCH=1` prints each batch of file events as it arrives,
//! to see what an editor's save looks like.

pub mod conn;
pub mod generate;
pub mod http;
pub mod rebuild;
mod reply;
pub mod status;
pub mod watch;

use std::io::Write;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver};

use anyhow::{Context, Result};
use chrono::NaiveDate;

use generate::Generator;
use rebuild::{Outcome, Workspace};
use status::Hub;
use watch::{Batch, ChangeKind, Watcher};

/// What `opswiki serve` was asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    /// Default: `ROOT/site`.
    pub output: Option<PathBuf>,
    pub bind: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    pub today: NaiveDate,
}

/// Why serving could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "port {port} is already in use on {bind}: stop what holds it, or pick another with `--port N` (`--port 0` picks a free one)"
    )]
    PortInUse { bind: IpAddr, port: u16 },
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Serve until the process is stopped.
pub fn run(options: &ServeOptions) -> Result<(), ServeError> {
    let server = Server::start(options)?;
    server.run();
    Ok(())
}

/// A started server: listening, built, watching.
pub struct Server {
    url: String,
    hub: Arc<Hub>,
    workspace: Workspace,
    generator: Generator,
    watcher: Option<Watcher>,
    events: Receiver<Batch>,
    root: PathBuf,
    /// The config's content folder when the server started.
    content_dir: String,
    output: PathBuf,
    http: conn::Listener,
    /// Shared with the HTTP side: what `status/live/` is made from.
    live: Arc<std::sync::RwLock<Option<Arc<crate::live::Catalogue>>>>,
}

impl Server {
    /// Bind, build, start accepting connections and the watcher; print the
    /// URL.
    pub fn start(options: &ServeOptions) -> Result<Server, ServeError> {
        let root = options
            .root
            .canonicalize()
            .with_context(|| format!("site root `{}` not found", options.root.display()))?;
        let output = resolve_output(&root, options.output.as_deref())?;

        // Bind first: a port in use is reported at once, not after a build.
        let addr = SocketAddr::new(options.bind, options.port);
        let listener = TcpListener::bind(addr).map_err(|source| {
            if source.kind() == std::io::ErrorKind::AddrInUse {
                ServeError::PortInUse {
                    bind: options.bind,
                    port: options.port,
                }
            } else {
                ServeError::Bind { addr, source }
            }
        })?;
        let local = listener.local_addr().context("no local address")?;

        // Watch before building, so nothing saved during the build is missed.
        let (tx, events) = mpsc::channel();
        let content_dir = crate::config::Config::peek(&root).content_dir;
        let watcher = match Watcher::start(&root, &content_dir, tx) {
            Ok(w) => Some(w),
            Err(err) => {
                eprintln!("warning: {err:#}: serving without rebuilding on change");
                None
            }
        };

        eprintln!("building {} ...", root.display());
        let (workspace, outcome) = Workspace::open(&root, &output, options.today)?;
        let mut watcher = watcher;
        if let Some(w) = &mut watcher {
            w.set_alarm_folders(&workspace.alarm_folders());
        }
        let hub = Arc::new(Hub::new());
        log_outcome(&outcome, &workspace);
        publish(&hub, outcome);

        let served = output
            .canonicalize()
            .with_context(|| format!("output `{}` not found", output.display()))?;
        let live = Arc::new(std::sync::RwLock::new(
            workspace.live_catalogue().map(Arc::new),
        ));
        let site = Arc::new(http::Site {
            root: served,
            hub: hub.clone(),
            live: live.clone(),
        });
        let http = conn::Listener::start(listener, move |request| site.handle(request))
            .with_context(|| format!("cannot serve on {local}"))?;
        let poller = hub.clone();
        std::thread::Builder::new()
            .name("opswiki-poll".into())
            .spawn(move || poller.run_poller())
            .context("cannot start the poll thread")?;

        let url = match local.ip() {
            IpAddr::V6(ip) => format!("http://[{ip}]:{}/", local.port()),
            IpAddr::V4(ip) => format!("http://{ip}:{}/", local.port()),
        };
        // Tests and scripts read this line: keep its form.
        println!("opswiki: serving {url}");
        let _ = std::io::stdout().flush();
        if !local.ip().is_loopback() {
            eprintln!(
                "note: listening on {} — anyone who can reach this machine can read the site",
                local.ip()
            );
        }
        eprintln!("watching for changes; Ctrl-C stops");
        let generator = Generator::start(root.clone(), output.clone(), options.today, hub.clone())?;
        Ok(Server {
            url,
            hub,
            workspace,
            generator,
            watcher,
            events,
            root,
            content_dir,
            output,
            http,
            live,
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// The rebuild loop: runs until the watcher goes away.
    pub fn run(mut self) {
        while let Ok(first) = self.events.recv() {
            // Fold in whatever else already arrived.
            let mut batches = vec![first];
            while let Ok(more) = self.events.try_recv() {
                batches.push(more);
            }
            let (changes, rescan, folders_changed) = self.classify(batches);
            if let Some(watcher) = &mut self.watcher {
                watcher.refresh(folders_changed);
            }
            if changes.is_empty() && !rescan {
                continue;
            }
            let outcome = self.workspace.apply(&changes, rescan);
            // The config may have changed `alarms.sources`.
            if let Some(watcher) = &mut self.watcher {
                watcher.set_alarm_folders(&self.workspace.alarm_folders());
            }
            if outcome.is_nothing() && self.hub.errors_are(&outcome.errors) {
                // Touched, saved unchanged, metadata only: nothing to say.
                continue;
            }
            log_outcome(&outcome, &self.workspace);
            let generated = outcome.generated;
            publish(&self.hub, outcome);
            if generated {
                self.generator.request();
            }
            // Last: the edited page and the generated files come first.
            let catalogue = self.workspace.live_catalogue().map(Arc::new);
            if let Ok(mut live) = self.live.write() {
                *live = catalogue;
            }
        }
        self.hub.stop();
        self.http.stop();
    }

    /// The changes in some batches, whether events were lost, and whether a
    /// watched folder itself appeared or went.
    fn classify(&self, batches: Vec<Batch>) -> (Vec<ChangeKind>, bool, bool) {
        let mut changes = Vec::new();
        let mut rescan = false;
        let mut folders = false;
        for batch in batches {
            match batch {
                Batch::Rescan(why) => {
                    eprintln!(
                        "warning: the file watcher lost events ({why}): reading everything again"
                    );
                    rescan = true;
                }
                Batch::Paths(paths) => {
                    if std::env::var_os("OPSWIKI_DEBUG_WATCH").is_some() {
                        eprintln!("watch: {paths:?}");
                    }
                    for path in paths {
                        let repository = self
                            .watcher
                            .as_ref()
                            .and_then(|w| w.classify_repository(&path));
                        if let Some(change) = repository {
                            if !changes.contains(&change) {
                                changes.push(change);
                            }
                            continue;
                        }
                        folders |= [
                            self.content_dir.as_str(),
                            watch::TEMPLATES_DIR,
                            watch::STATIC_DIR,
                        ]
                        .iter()
                        .any(|f| path == self.root.join(f));
                        let alarm_folders =
                            self.watcher.as_ref().map_or(&[][..], |w| w.alarm_folders());
                        if let Some(change) = watch::classify_with(
                            &self.root,
                            &self.output,
                            &self.content_dir,
                            alarm_folders,
                            &path,
                        ) && !changes.contains(&change)
                        {
                            changes.push(change);
                        }
                    }
                }
            }
        }
        changes.sort();
        (changes, rescan, folders)
    }
}

/// The output folder: absolute, and never the site itself or its sources
/// (a build replaces the whole folder).
fn resolve_output(root: &Path, output: Option<&Path>) -> Result<PathBuf> {
    let output = match output {
        Some(o) if o.is_absolute() => o.to_path_buf(),
        Some(o) => std::env::current_dir()
            .context("no current folder")?
            .join(o),
        None => root.join("site"),
    };
    // Compare what exists of it, resolved.
    let resolved = match output.canonicalize() {
        Ok(p) => p,
        Err(_) => match (
            output.parent().and_then(|p| p.canonicalize().ok()),
            output.file_name(),
        ) {
            (Some(parent), Some(name)) => parent.join(name),
            _ => output.clone(),
        },
    };
    let sources = [
        crate::load::CONTENT_DIR,
        watch::TEMPLATES_DIR,
        watch::STATIC_DIR,
    ];
    if root.starts_with(&resolved) || sources.iter().any(|s| resolved.starts_with(root.join(s))) {
        anyhow::bail!(
            "the output folder `{}` would overwrite the site's sources: pick another with --output",
            output.display()
        );
    }
    Ok(resolved)
}

fn publish(hub: &Hub, outcome: Outcome) {
    hub.publish(
        outcome.changed,
        outcome.errors,
        outcome.warnings,
        Some(outcome.report),
    );
}

fn log_outcome(outcome: &Outcome, workspace: &Workspace) {
    let r = &outcome.report;
    let time = chrono::Local::now().format("%H:%M:%S");
    for text in &outcome.log {
        eprintln!("{text}\n");
    }
    if !outcome.errors.is_empty() {
        eprintln!(
            "[{time}] {}: {} {} — still serving the last good build (the browser shows them too)",
            r.trigger,
            outcome.errors.len(),
            if outcome.errors.len() == 1 {
                "error"
            } else {
                "errors"
            }
        );
        return;
    }
    let pages = workspace.pages_total();
    eprintln!(
        "[{time}] {}: {} of {pages} pages re-rendered, {} generated files; {} files written{} in {} ms{}",
        r.trigger,
        r.pages,
        r.rendered - r.pages.min(r.rendered),
        r.written,
        if r.removed > 0 {
            format!(", {} removed", r.removed)
        } else {
            String::new()
        },
        r.millis,
        if outcome.warnings > 0 {
            format!(" ({} warnings)", outcome.warnings)
        } else {
            String::new()
        }
    );
}
