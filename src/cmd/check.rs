use std::process::ExitCode;

use crate::cli::CheckArgs;

pub fn run(args: &CheckArgs) -> ExitCode {
    match super::load_and_check(&args.common) {
        Ok((site, diags)) => {
            let summary = super::report(&site, &diags, &args.common);
            super::findings_exit(&summary, args.common.deny_warnings)
        }
        Err(err) => super::cannot_run(err),
    }
}
