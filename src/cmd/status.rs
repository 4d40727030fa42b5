//! `opswiki status`: the health summary of the site, printed in one of three
//! formats. It exits 0 whenever it could run (whatever the health), and 2
//! when it could not (no site to read); the health is in the output.

use std::io::Write;
use std::process::ExitCode;

use crate::cli::{StatusArgs, StatusFormat};
use crate::status;

pub fn run(args: &StatusArgs) -> ExitCode {
    let today = args
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let options = crate::pipeline::Options {
        today,
        shorthands: Default::default(),
        compile_templates: false,
    };
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
