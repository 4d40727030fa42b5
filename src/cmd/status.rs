//! `opswiki status`: the health summary of the site, printed in one of three
//! formats. It exits 0 whenever it could run (whatever the health), and 2
//! when it could not (no site to read); the health is in the output.

use std::io::Write;
use std::process::ExitCode;

use crate::cli::{StatusArgs, StatusFormat};
use crate::status;

pub fn run(args: &StatusArgs) -> ExitCode {
    if args.live {
        return run_live(args);
    }
    let options = options(args);
    let today = options.today;
    let checked = match crate::pipeline::run(&args.root, &options) {
        Ok(checked) => checked,
        Err(err) => return super::cannot_run(err),
    };
    let site = &checked.site;
    let summary = status::compute(site, today);
    let base = site.config.base_url.as_deref();
    let text = match args.format {
        StatusFormat::Text => status::to_text(&summary, base),
        StatusFormat::Json => status::to_json(&summary, base),
        StatusFormat::Markdown => status::to_markdown(&summary, base),
    };
    // A closed pipe (`| head`) is not worth a panic.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    let errors = checked.findings.errors();
    if errors > 0 {
        eprintln!(
            "note: the site has {errors} {}; values that could not be read are left out (run `opswiki check`)",
            if errors == 1 { "error" } else { "errors" }
        );
    }
    ExitCode::from(super::EXIT_OK)
}

/// The pipeline's options for a status run: no shorthands, no templates.
fn options(args: &StatusArgs) -> crate::pipeline::Options {
    crate::pipeline::Options {
        today: args
            .today
            .unwrap_or_else(|| chrono::Local::now().date_naive()),
        shorthands: Default::default(),
        compile_templates: false,
    }
}

/// `status --live`: the monitoring systems asked now, joined to the wiki.
/// Exits 0 whenever it could run, whatever it could reach: what could not
/// be read is in the report (and `complete` is false in JSON).
fn run_live(args: &StatusArgs) -> ExitCode {
    let checked = match crate::pipeline::run(&args.root, &options(args)) {
        Ok(checked) => checked,
        Err(err) => return super::cannot_run(err),
    };
    let site = &checked.site;
    // Problems in the config's `status:` block explain a missing indicator.
    let sources = site.source_texts();
    for d in checked
        .findings
        .reported
        .iter()
        .filter(|d| d.span.file == crate::config::CONFIG_FILE)
    {
        eprintln!("{}", crate::diag::render_text(d, &sources, false));
    }
    if site.config.status.is_none() {
        return super::cannot_run(anyhow::anyhow!(
            "{} has no `status:` block: give prometheus_url and alertmanager_url (see docs/status.md)",
            crate::config::CONFIG_FILE
        ));
    }
    let catalogue = crate::live::Catalogue::of(site);
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
