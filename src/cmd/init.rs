//! `opswiki init [DIR]`: a new site with a few examples that check clean.

use std::process::ExitCode;

use crate::cli::InitArgs;
use crate::config::CONFIG_FILE;
use crate::load::CONTENT_DIR;
use crate::scaffold;

pub fn run(args: &InitArgs) -> ExitCode {
    if let Some(from) = &args.from {
        return from_existing(from, &args.alerts);
    }
    let dir = &args.dir;
    let content = dir.join(CONTENT_DIR);
    if content.exists() {
        let empty = std::fs::read_dir(&content)
            .map(|mut entries| entries.next().is_none())
            .unwrap_or(false);
        if !empty {
            eprintln!(
                "error: `{}` already exists and is not empty: opswiki init makes new sites only",
                content.display()
            );
            return ExitCode::from(super::EXIT_CANNOT_RUN);
        }
    }
    let today = scaffold::today(args.today);
    let mut written = Vec::new();
    for file in scaffold::example_site(today) {
        if file.path == CONFIG_FILE && dir.join(CONFIG_FILE).exists() {
            eprintln!("kept the existing {CONFIG_FILE}");
            continue;
        }
        match scaffold::write_new(dir, &file) {
            Ok(_) => written.push(file.path),
            Err(err) => {
                eprintln!(
                    "error: cannot write `{}`: {err}",
                    dir.join(&file.path).display()
                );
                return ExitCode::from(super::EXIT_CANNOT_RUN);
            }
        }
    }
    for path in &written {
        println!("{}", dir.join(path).display());
    }
    let shown = if dir.as_os_str() == "." {
        String::new()
    } else {
        format!("cd {} && ", dir.display())
    };
    eprintln!(
        "made a new site in {} ({} files). Next: {shown}opswiki serve",
        dir.display(),
        written.len()
    );
    ExitCode::from(super::EXIT_OK)
}

/// `opswiki init --from DIR`: the config an existing folder needs, written
/// beside its pages (never over a config it has: then printed instead).
fn from_existing(dir: &std::path::Path, alerts: &[std::path::PathBuf]) -> ExitCode {
    if !dir.is_dir() {
        eprintln!("error: `{}` is not a folder", dir.display());
        return ExitCode::from(super::EXIT_CANNOT_RUN);
    }
    let suggestion = crate::adopt::suggest(dir, alerts);
    let yaml = suggestion.to_yaml();
    let path = dir.join(CONFIG_FILE);
    if path.exists() {
        print!("{yaml}");
        eprintln!(
            "kept the existing {}: the config above is what opswiki would suggest",
            path.display()
        );
        return ExitCode::from(super::EXIT_OK);
    }
    if let Err(err) = std::fs::write(&path, &yaml) {
        eprintln!("error: cannot write `{}`: {err}", path.display());
        return ExitCode::from(super::EXIT_CANNOT_RUN);
    }
    print!("{yaml}");
    eprintln!(
        "wrote {} ({} flavor, {} runbooks). Next: opswiki check --root {}",
        path.display(),
        suggestion.flavor.name(),
        suggestion.runbooks,
        dir.display()
    );
    ExitCode::from(super::EXIT_OK)
}
