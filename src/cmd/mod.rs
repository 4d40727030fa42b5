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

use crate::check::CheckOptions;
use crate::cli::{ColorChoice, CommonArgs};
use crate::diag::{self, Diagnostic, Format, Level, Summary};
use crate::site::Site;

/// Exit codes, as the contract specifies.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_CANNOT_RUN: u8 = 2;

/// Load, parse and check a site: the part `check` and `build` share.
pub fn load_and_check(common: &CommonArgs) -> Result<(Site, Vec<Diagnostic>)> {
    load_check_and_compile(common).map(|(site, diags, _)| (site, diags))
}

/// [`load_and_check`], also handing back the compiled templates (`None`
/// when they do not compile: a diagnostic says why), so a build compiles
/// them once. They compile beside the checks: parsing twenty templates is
/// 30 to 50 ms that need not wait for anything.
pub fn load_check_and_compile(
    common: &CommonArgs,
) -> Result<(Site, Vec<Diagnostic>, Option<tera::Tera>)> {
    let timer = StageTimer::from_env();
    let today = today(common);
    // The history is read on its own thread while the site loads and parses.
    let history = crate::git::start(&common.root, today);
    let loaded = crate::load::load(&common.root)?;
    timer.mark("load");
    let (mut site, mut diags) = crate::site::parse(loaded);
    timer.mark("parse");
    let (history, warning) = history.finish();
    diags.extend(warning);
    crate::site::attach_repository(&mut site, history, today, &mut diags);
    timer.mark("git");
    let options = CheckOptions {
        today,
        deny_external: common.deny_external,
    };
    let (findings, templates) = rayon::join(
        || crate::check::run(&site, &options),
        || crate::render::templates::compile(&site),
    );
    diags.extend(findings);
    let templates = match templates {
        Ok(tera) => Some(tera),
        Err(d) => {
            diags.push(d);
            None
        }
    };
    diag::sort(&mut diags);
    timer.mark("check");
    Ok((site, diags, templates))
}

/// Prints how long each stage took when `OPSWIKI_TIMINGS` is set: the first
/// thing to look at when a build is slow.
pub struct StageTimer {
    last: Option<std::cell::Cell<std::time::Instant>>,
}

impl StageTimer {
    pub fn from_env() -> StageTimer {
        StageTimer {
            last: std::env::var_os("OPSWIKI_TIMINGS")
                .map(|_| std::cell::Cell::new(std::time::Instant::now())),
        }
    }

    pub fn mark(&self, stage: &str) {
        if let Some(last) = &self.last {
            let now = std::time::Instant::now();
            eprintln!("timing: {stage:<8} {:>8.1?}", now - last.get());
            last.set(now);
        }
    }
}

/// With `OPSWIKI_TIMINGS` set, print the process's peak resident memory
/// (Linux's `VmHWM`), however the command ended. The parent's view of it
/// (`wait4`'s `ru_maxrss`) cannot be used: it starts from the parent's own
/// peak when it spawned the process, which for a test harness is far larger
/// than a small build.
pub fn print_peak_memory() {
    if std::env::var_os("OPSWIKI_TIMINGS").is_none() {
        return;
    }
    let peak_kb = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        });
    if let Some(kb) = peak_kb {
        eprintln!("timing: peak memory {kb} kB");
    }
}

pub fn today(common: &CommonArgs) -> NaiveDate {
    common
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive())
}

/// Print diagnostics and the summary line; machine formats go to stdout, the
/// human text and the summary to stderr.
pub fn report(site: &Site, diags: &[Diagnostic], common: &CommonArgs) -> Summary {
    let summary = Summary {
        pages: site.pages.len(),
        alarms: site.alarms.len(),
        errors: diag::count(diags, Level::Error),
        warnings: diag::count(diags, Level::Warning),
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

/// Exit code for a set of findings.
pub fn findings_exit(summary: &Summary, deny_warnings: bool) -> ExitCode {
    if summary.errors > 0 || (deny_warnings && summary.warnings > 0) {
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
