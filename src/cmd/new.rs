//! `opswiki new KIND TITLE`: write a skeleton, never over an existing file.

use std::process::ExitCode;

use crate::cli::NewArgs;
use crate::config::{CONFIG_FILE, Config};
use crate::load::CONTENT_DIR;
use crate::scaffold;

pub fn run(args: &NewArgs) -> ExitCode {
    let root = &args.root;
    if !root.join(CONTENT_DIR).is_dir() {
        eprintln!(
            "error: no `{CONTENT_DIR}/` folder in `{}`: run `opswiki init` to make a site, or pass --root",
            root.display()
        );
        return ExitCode::from(super::EXIT_CANNOT_RUN);
    }
    // The site's own required sections and severities, if it says.
    let config_path = root.join(CONFIG_FILE);
    let config = if config_path.is_file() {
        match crate::load::read_source(&config_path, CONFIG_FILE.into(), CONFIG_FILE.into()) {
            Ok(file) => Config::parse(&file).0,
            Err(_) => Config::default(),
        }
    } else {
        Config::default()
    };
    let title = args.title.join(" ");
    let today = scaffold::today(args.today);
    let skeleton = match scaffold::skeleton(args.kind, &title, today, &config) {
        Ok(s) => s,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(super::EXIT_CANNOT_RUN);
        }
    };
    match scaffold::write_new(root, &skeleton) {
        Ok(path) => {
            println!("{}", path.display());
            eprintln!(
                "wrote {}: replace each `TODO:` line (`opswiki check` lists those left)",
                skeleton.path
            );
            ExitCode::from(super::EXIT_OK)
        }
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
            eprintln!(
                "error: `{}` already exists: left as it is (pick another title, or edit that file)",
                root.join(&skeleton.path).display()
            );
            ExitCode::from(super::EXIT_CANNOT_RUN)
        }
        Err(err) => {
            eprintln!(
                "error: cannot write `{}`: {err}",
                root.join(&skeleton.path).display()
            );
            ExitCode::from(super::EXIT_CANNOT_RUN)
        }
    }
}
