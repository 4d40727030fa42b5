use std::process::ExitCode;

use clap::Parser;
use opswiki::cli::{Cli, Command};
use opswiki::cmd;

fn main() -> ExitCode {
    tune_allocator();
    let cli = Cli::parse();
    let code = match &cli.command {
        Command::Build(args) => cmd::build::run(args),
        Command::Check(args) => cmd::check::run(args),
        Command::Status(args) => cmd::status::run(args),
        Command::Serve(args) => cmd::serve::run(args),
        Command::New(args) => cmd::new::run(args),
        Command::Init(args) => cmd::init::run(args),
    };
    cmd::print_peak_memory();
    code
}

/// glibc grows each thread's heap a page range at a time, with an `mprotect`
/// call each: a 10,000-page build made 48,000 of them. Asking for 64 MiB of
/// headroom per growth cut them to a handful and the build's CPU time by 10 to
/// 16% (bench/README.md). Memory is only touched when used, so the peak RSS
/// does not grow with it.
fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tunable; called before any other thread runs.
    unsafe {
        libc::mallopt(libc::M_TOP_PAD, 64 << 20);
    }
}
