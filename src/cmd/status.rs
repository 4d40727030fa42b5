//! `opswiki status`: the health summary of the site, printed in one of three
//! formats. It exits 0 whenever it could run (whatever the health), and 2
//! when it could not (no site to read); the health is in the output.

use std::io::Write;
use std::process::ExitCode;

use crate::check::CheckOptions;
use crate::cli::{StatusArgs, StatusFormat};
use crate::diag::{self, Level};
use crate::status;

pub fn run(args: &StatusArgs) -> ExitCode {
    if args.live {
        return run_live(args);
    }
    let loaded = match crate::load::load(&args.root) {
        Ok(loaded) => loaded,
        Err(err) => return super::cannot_run(err),
    };
    let (site, mut diags) = crate::site::parse(loaded);
    let today = args
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    diags.extend(crate::check::run(
        &site,
        &CheckOptions {
            today,
            deny_external: false,
        },
    ));
    let summary = status::compute(&site, today);
    let base = site.config.base_url.as_deref();
    let text = match args.format {
        StatusFormat::Text => status::to_text(&summary, base),
        StatusFormat::Json => status::to_json(&summary, base),
        StatusFormat::Markdown => status::to_markdown(&summary, base),
    };
    // A closed pipe (`| head`) is not worth a panic.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    let errors = diag::count(&diags, Level::Error);
    if errors > 0 {
        eprintln!(
            "note: the site has {errors} {}; values that could not be read are left out (run `opswiki check`)",
            if errors == 1 { "error" } else { "errors" }
        );
    }
    ExitCode::from(super::EXIT_OK)
}

/// `status --live`: the monitoring systems asked now, joined to the wiki.
/// Exits 0 whenever it could run, whatever it could reach: what could not
/// be read is in the report (and `complete` is false in JSON).
fn run_live(args: &StatusArgs) -> ExitCode {
    let loaded = match crate::load::load(&args.root) {
        Ok(loaded) => loaded,
        Err(err) => return super::cannot_run(err),
    };
    let (site, diags) = crate::site::parse(loaded);
    // Problems in the config's `status:` block explain a missing indicator.
    let sources = site.source_texts();
    for d in diags
        .iter()
        .filter(|d| d.span.file == crate::config::CONFIG_FILE)
    {
        eprintln!("{}", diag::render_text(d, &sources, false));
    }
    if site.config.status.is_none() {
        return super::cannot_run(anyhow::anyhow!(
            "{} has no `status:` block: give prometheus_url and alertmanager_url (see docs/status.md)",
            crate::config::CONFIG_FILE
        ));
    }
    let catalogue = crate::live::Catalogue::of(&site);
    let live = crate::live::gather(&catalogue);
    let base = site.config.base_url.as_deref();
    let text = match args.format {
        StatusFormat::Text => crate::live::to_text(&live, base),
        StatusFormat::Json => crate::live::to_json(&live, base),
        StatusFormat::Markdown => crate::live::to_markdown(&live, base),
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    ExitCode::from(super::EXIT_OK)
}
