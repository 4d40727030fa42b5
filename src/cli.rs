//! The command line, as clap types. Nothing here does work.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};

use crate::diag::Format;

#[derive(Debug, Parser)]
#[command(
    name = "opswiki",
    version,
    about = "Check and render a wiki of runbooks, alarms, post-mortems and ops reports",
    long_about = "opswiki reads a folder of Markdown runbooks, post-mortems and weekly reports, \
alarm definitions and triage trees; checks them (required sections, fields, every alarm's and \
every page's links down to the anchor, stale runbooks); and renders a searchable HTML wiki \
that works offline, straight from disk.",
    after_help = "Exit status: 0 success, 1 errors found (or warnings with --deny-warnings), 2 could not run."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the site, then render it into the output folder
    Build(BuildArgs),
    /// Run every check and report; write nothing
    Check(CheckArgs),
    /// The health summary: HEALTHY, DEGRADED or UNHEALTHY, with the evidence
    /// (exit 0 whenever it could run, 2 when it could not)
    Status(StatusArgs),
    /// Build, serve on localhost, rebuild on every save and reload the browser
    Serve(ServeArgs),
    /// Write a new runbook, post-mortem, report or triage tree from its skeleton
    New(NewArgs),
    /// Make a new site with examples
    Init(InitArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The site's root folder (holding opswiki.yaml and content/)
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub root: PathBuf,
    /// Where to write the site (default: ROOT/site)
    #[arg(long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// The address to listen on (loopback: only this machine can connect)
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    pub bind: std::net::IpAddr,
    /// The port to listen on; 0 picks a free one
    #[arg(long, default_value_t = 8000, value_name = "N")]
    pub port: u16,
    /// The date staleness and overdue checks count from, YYYY-MM-DD (default: today)
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub today: Option<NaiveDate>,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// What to write
    #[arg(value_enum)]
    pub kind: crate::scaffold::Kind,
    /// Its title; the file name is made from it
    #[arg(required = true, num_args = 1.., value_name = "TITLE")]
    pub title: Vec<String>,
    /// The site's root folder (holding opswiki.yaml and content/)
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub root: PathBuf,
    /// The date to write, YYYY-MM-DD (default: today)
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub today: Option<NaiveDate>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to make the site (created if missing)
    #[arg(default_value = ".", value_name = "DIR")]
    pub dir: PathBuf,
    /// Look at an existing folder of runbooks (a Hugo or MkDocs site, a
    /// GitHub or GitLab folder) and write the opswiki.yaml it needs there,
    /// instead of making a new site
    #[arg(long, value_name = "DIR", conflicts_with = "dir")]
    pub from: Option<PathBuf>,
    /// With --from: folders of alert rules (another checkout) whose
    /// runbook_url links tell which URLs mean these pages
    #[arg(long = "alerts", value_name = "DIR", requires = "from")]
    pub alerts: Vec<PathBuf>,
    /// The date the examples are written on, YYYY-MM-DD (default: today)
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub today: Option<NaiveDate>,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The site's root folder (holding opswiki.yaml and content/)
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub root: PathBuf,
    /// The date overdue and staleness rules count from, YYYY-MM-DD (default: today)
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub today: Option<NaiveDate>,
    /// text for a terminal, json for scripts, markdown to paste into a channel
    #[arg(long, value_enum, default_value_t = StatusFormat::Text)]
    pub format: StatusFormat,
    /// What is firing now and each service's indicators, from the Prometheus
    /// and Alertmanager of `status:` in opswiki.yaml
    #[arg(long)]
    pub live: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatusFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, Args)]
pub struct CommonArgs {
    /// The site's root folder (holding opswiki.yaml and content/)
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub root: PathBuf,
    /// The date staleness and overdue checks count from, YYYY-MM-DD (default: today)
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub today: Option<NaiveDate>,
    /// How to print diagnostics
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Treat warnings as errors (exit 1 if there are any); a shorthand for levels
    #[arg(long)]
    pub deny_warnings: bool,
    /// Treat alarm runbook URLs outside base_url as errors (they cannot be
    /// checked); a shorthand for `alarm-runbook-external: error`
    #[arg(long)]
    pub deny_external: bool,
    /// Colour text output: auto, always or never
    #[arg(long, default_value = "auto", value_name = "WHEN")]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Where to write the site (default: ROOT/site)
    #[arg(long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Also write status/live/: a snapshot of the live status (firing alerts,
    /// indicators), fetched now from the monitoring systems of `status:`
    #[arg(long)]
    pub live_status: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Record every current finding in the baseline file (`baseline:` in
    /// opswiki.yaml, default .opswiki-baseline.json), so only new ones fail
    #[arg(long, conflicts_with = "explain")]
    pub write_baseline: bool,
    /// Print the documentation of a diagnostic code and exit
    #[arg(long, value_name = "CODE")]
    pub explain: Option<String>,
    /// Report only findings in files that differ from git revision REF
    /// (a branch, tag or commit), uncommitted edits included; links still
    /// resolve against the whole site
    #[arg(long, value_name = "REF")]
    pub changed_since: Option<String>,
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date (YYYY-MM-DD)"))
}
