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
    let today = args
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let history = crate::git::start(&args.root, today);
    let loaded = match crate::load::load(&args.root) {
        Ok(loaded) => loaded,
        Err(err) => return super::cannot_run(err),
    };
    let (mut site, mut diags) = crate::site::parse(loaded);
    let (history, warning) = history.finish();
    diags.extend(warning);
    crate::site::attach_repository(&mut site, history, today, &mut diags);
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
