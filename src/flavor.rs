//! The tool a site's pages were written for (`flavor:` in the config).
//! Kept apart from the config so the Markdown layer can name it without
//! depending on the config.

/// `flavor:`: the tool the pages were written for. It decides folder index
/// pages, link resolution and the Markdown extensions read, so pages written
/// for Hugo, MkDocs or a GitHub/GitLab folder check as their tool reads them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Flavor {
    #[default]
    Opswiki,
    Hugo,
    Mkdocs,
    Github,
    Gitlab,
}

impl Flavor {
    pub const ALL: [Flavor; 5] = [
        Flavor::Opswiki,
        Flavor::Hugo,
        Flavor::Mkdocs,
        Flavor::Github,
        Flavor::Gitlab,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Flavor::Opswiki => "opswiki",
            Flavor::Hugo => "hugo",
            Flavor::Mkdocs => "mkdocs",
            Flavor::Github => "github",
            Flavor::Gitlab => "gitlab",
        }
    }

    pub fn from_name(name: &str) -> Option<Flavor> {
        Flavor::ALL.into_iter().find(|f| f.name() == name)
    }
}
