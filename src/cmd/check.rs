use std::process::ExitCode;

use crate::cli::CheckArgs;
use crate::diag::Code;

pub fn run(args: &CheckArgs) -> ExitCode {
    if let Some(name) = &args.explain {
        return explain(name);
    }
    let checked = match super::run_pipeline(&args.common, true) {
        Ok(checked) => checked,
        Err(err) => return super::cannot_run(err),
    };
    if args.write_baseline {
        return write_baseline(&checked);
    }
    let mut findings = checked.findings;
    if let Some(rev) = &args.changed_since {
        // Links were resolved against the whole site; only what is reported
        // narrows to the files that changed.
        let files: Vec<&str> = checked
            .site
            .sources
            .iter()
            .map(|s| s.display_path.as_str())
            .collect();
        match crate::git::changed_since(&checked.site.root, rev, &files) {
            Ok(changed) => findings.reported.retain(|d| changed.contains(&d.span.file)),
            Err(message) => {
                return super::cannot_run(anyhow::anyhow!("--changed-since {rev}: {message}"));
            }
        }
    }
    let summary = super::report(&checked.site, &findings, &args.common);
    super::findings_exit(&summary)
}

/// Record every current finding, reported or already in the baseline;
/// entries no longer found are dropped.
fn write_baseline(checked: &crate::pipeline::Checked) -> ExitCode {
    let site = &checked.site;
    let mut all = checked.findings.reported.clone();
    all.extend(checked.findings.baselined.iter().cloned());
    crate::diag::sort(&mut all);
    let text = crate::pipeline::baseline::render(&all, &site.source_texts());
    let path = site.root.join(&site.config.baseline);
    if let Err(err) = std::fs::write(&path, text) {
        return super::cannot_run(
            anyhow::Error::new(err).context(format!("cannot write `{}`", path.display())),
        );
    }
    eprintln!(
        "wrote {} {} to {}: `opswiki check` now fails only on new ones",
        all.len(),
        if all.len() == 1 {
            "finding"
        } else {
            "findings"
        },
        site.config.baseline
    );
    ExitCode::from(super::EXIT_OK)
}

/// `--explain CODE`: the code's documentation from the registry.
fn explain(name: &str) -> ExitCode {
    let Some(code) = Code::from_name(name) else {
        let hint = Code::nearest(name).map_or(String::new(), |c| format!(" (did you mean `{c}`?)"));
        eprintln!("error: `{name}` is not a diagnostic code{hint}");
        return ExitCode::from(super::EXIT_CANNOT_RUN);
    };
    println!("{}", crate::diag::codes::explain(code));
    ExitCode::from(super::EXIT_OK)
}
