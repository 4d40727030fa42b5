use std::process::ExitCode;

use crate::cli::CheckArgs;

pub fn run(args: &CheckArgs) -> ExitCode {
    match super::load_and_check(&args.common) {
        Ok((site, mut diags)) => {
            if let Some(rev) = &args.changed_since {
                let files: Vec<&str> = site
                    .sources
                    .iter()
                    .map(|s| s.display_path.as_str())
                    .collect();
                match crate::git::changed_since(&site.root, rev, &files) {
                    Ok(changed) => diags.retain(|d| changed.contains(&d.span.file)),
                    Err(message) => {
                        return super::cannot_run(anyhow::anyhow!(
                            "--changed-since {rev}: {message}"
                        ));
                    }
                }
            }
            let summary = super::report(&site, &diags, &args.common);
            super::findings_exit(&summary, args.common.deny_warnings)
        }
        Err(err) => super::cannot_run(err),
    }
}
