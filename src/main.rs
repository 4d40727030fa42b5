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
