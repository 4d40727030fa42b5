//! `opswiki serve`: build, serve, rebuild on change, reload the browser.

use std::process::ExitCode;

use crate::cli::ServeArgs;
use crate::serve::{self, ServeError, ServeOptions};

pub fn run(args: &ServeArgs) -> ExitCode {
    let options = ServeOptions {
        root: args.root.clone(),
        output: args.output.clone(),
        bind: args.bind,
        port: args.port,
        today: crate::scaffold::today(args.today),
    };
    match serve::run(&options) {
        Ok(()) => ExitCode::from(super::EXIT_OK),
        Err(ServeError::Other(err)) => super::cannot_run(err),
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(super::EXIT_CANNOT_RUN)
        }
    }
}
