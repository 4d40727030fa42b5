//! The commands: each loads, checks and reports through the library.

pub mod build;
pub mod check;
pub mod init;
pub mod new;
pub mod serve;
pub mod status;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Result;
use chrono::NaiveDate;

use crate::cli::{ColorChoice, CommonArgs};
use crate::diag::{self, Format, Summary};
use crate::pipeline::{self, Checked, Findings, Shorthands};
use crate::site::Site;

/// Exit codes, as the contract specifies.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_CANNOT_RUN: u8 = 2;

/// Run the site at `--root` through the pipeline, with the command line's
/// date and shorthands.
pub fn run_pipeline(common: &CommonArgs, compile_templates: bool) -> Result<Checked> {
    pipeline::run(
        &common.root,
        &pipeline::Options {
            today: today(common),
            shorthands: Shorthands {
                deny_warnings: common.deny_warnings,
                deny_external: common.deny_external,
            },
            compile_templates,
        },
    )
}

pub fn today(common: &CommonArgs) -> NaiveDate {
    common
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive())
}

/// Print diagnostics and the summary line; machine formats go to stdout, the
/// human text and the summary to stderr.
pub fn report(site: &Site, findings: &Findings, common: &CommonArgs) -> Summary {
    let diags = &findings.reported;
    let summary = Summary {
        pages: site.pages.len(),
        alarms: site.alarms.len(),
        errors: findings.errors(),
        warnings: findings.warnings(),
        baselined: findings.baselined.len(),
    };
    let sources = site.source_texts();
    let result = match common.format {
        Format::Text => {
            let stderr = std::io::stderr();
            let color = match common.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => stderr.is_terminal() && std::env::var_os("NO_COLOR").is_none(),
            };
            let mut out = stderr.lock();
            diag::emit(&mut out, diags, Format::Text, &sources, color)
        }
        format => {
            let mut out = std::io::stdout().lock();
            diag::emit(&mut out, diags, format, &sources, false).and_then(|()| out.flush())
        }
    };
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = result;
    eprintln!("{}", crate::coverage::Coverage::of(site).summary_line());
    eprintln!("{summary}");
    summary
}

/// Exit code for a set of findings (`--deny-warnings` has made warnings
/// errors already).
pub fn findings_exit(summary: &Summary) -> ExitCode {
    if summary.errors > 0 {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::from(EXIT_OK)
    }
}

/// Report an error that stopped the run.
pub fn cannot_run(err: anyhow::Error) -> ExitCode {
    eprintln!("error: {err:#}");
    ExitCode::from(EXIT_CANNOT_RUN)
}
