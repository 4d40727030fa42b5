use std::process::ExitCode;

use clap::Parser;
use opswiki::cli::{Cli, Command};
use opswiki::cmd;

fn main() -> ExitCode {
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

/// mimalloc rather than the system allocator: a build allocates and frees
/// millions of small strings and values on every thread, and with glibc's
/// malloc that was a fifth of the CPU time (`malloc_consolidate`, arena
/// locks, heap growth by `mprotect`). mimalloc's thread-local free lists cut
/// the 10k-page build's CPU time by about a fifth and its peak memory by 5 to
/// 10% (bench/README.md), with byte-identical output.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
