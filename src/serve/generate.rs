//! Generated files, off the edit path: the runbook and other indexes, the
//! alarm catalogue and coverage, tree and status pages, the search index.
//!
//! They depend on every page, so on a large site they take far longer than
//! the page just saved (the search index alone takes seconds on 10,000
//! runbooks). The edit path ([`super::rebuild`]) writes the pages and
//! publishes at once; then it asks this thread, which reads the site from
//! disk on its own, renders the generated files with a share of the CPUs,
//! writes those whose bytes changed and publishes again. Requests made while
//! it works are folded into one more run, so it always ends on the latest
//! state. A snapshot with errors writes nothing: the last good files stay.

use std::path::PathBuf;
use std::sync::atomic::AtomicUsize;
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::{Context, Result};
use chrono::NaiveDate;

use super::rebuild::{live_writer, overridden_outputs};
use super::status::{Changed, Hub, RebuildReport};
use crate::check::{self, CheckOptions};
use crate::diag::{self, Level};
use crate::render::{self, Renderer};

/// The generated-files thread; dropping it ends the thread.
pub struct Generator {
    requests: Sender<()>,
}

impl Generator {
    pub fn start(
        root: PathBuf,
        output: PathBuf,
        today: NaiveDate,
        hub: Arc<Hub>,
    ) -> Result<Generator> {
        let (requests, rx) = mpsc::channel::<()>();
        // Half the CPUs: the other half stays with the edit path and HTTP.
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get() / 2)
            .max(1);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("opswiki-generate-{i}"))
            .build()
            .context("cannot start the generated-files threads")?;
        std::thread::Builder::new()
            .name("opswiki-generate".into())
            .spawn(move || {
                while rx.recv().is_ok() {
                    while rx.try_recv().is_ok() {}
                    let started = Instant::now();
                    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        pool.install(|| generate(&root, &output, today))
                    }));
                    match result {
                        Ok(Ok(Some((changed, rendered, written)))) => {
                            let report = RebuildReport {
                                trigger: "generated files".into(),
                                phase: "generated",
                                rendered,
                                written,
                                millis: started.elapsed().as_millis() as u64,
                                ..RebuildReport::default()
                            };
                            eprintln!(
                                "[{}] generated files (indexes, search): {rendered} rendered, {written} written in {} ms",
                                chrono::Local::now().format("%H:%M:%S"),
                                report.millis
                            );
                            if !changed.is_empty() {
                                hub.publish_files(changed, report);
                            }
                        }
                        // The site has errors now: the edit path shows them.
                        Ok(Ok(None)) => {}
                        Ok(Err(err)) => {
                            eprintln!("warning: the generated files were not updated: {err:#}")
                        }
                        Err(_) => eprintln!(
                            "warning: opswiki hit an internal error rendering the generated files; they are updated on the next change"
                        ),
                    }
                }
            })
            .context("cannot start the generated-files thread")?;
        Ok(Generator { requests })
    }

    /// Render the generated files again (soon; requests fold together).
    pub fn request(&self) {
        let _ = self.requests.send(());
    }
}

/// One run: read the site, render the generated files, write what changed.
/// `None` when the site has errors (nothing written).
fn generate(
    root: &std::path::Path,
    output: &std::path::Path,
    today: NaiveDate,
) -> Result<Option<(Changed, usize, usize)>> {
    let history = crate::git::start(root, today);
    let loaded = crate::load::load(root)?;
    let (mut site, mut diags) = crate::site::parse(loaded);
    let (history, warning) = history.finish();
    diags.extend(warning);
    crate::site::attach_repository(&mut site, history, today, &mut diags);
    let options = CheckOptions {
        today,
        deny_external: false,
    };
    diags.extend(check::run(&site, &options));
    if diag::count(&diags, Level::Error) > 0 {
        return Ok(None);
    }
    let Ok(tera) = render::templates::compile(&site) else {
        return Ok(None);
    };
    let renderer = Renderer::with_parts(&site, today, tera, crate::coverage::Coverage::of(&site));
    let overridden = overridden_outputs(&site);
    let changed = Mutex::new(Changed::default());
    let written = AtomicUsize::new(0);
    let emit = live_writer(output, &overridden, &changed, &written);
    let rendered = renderer.render_generated(&emit)?;
    drop(emit);
    let changed = changed.into_inner().unwrap_or_else(|e| e.into_inner());
    Ok(Some((changed, rendered, written.into_inner())))
}
