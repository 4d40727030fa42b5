//! The runbook link in free text: CloudWatch's `AlarmDescription`, a
//! Datadog monitor's `message`, a Google alert policy's `documentation`.
//!
//! The contract: the first link in the text that resolves under `base_url`
//! or `urls`, or else the link that follows the word "runbook"
//! (`Runbook: runbooks/api-errors`, `[Runbook](https://...)`).

use crate::config::Config;
use crate::diag::Span;
use crate::model::Field;
use crate::source::SourceFile;

/// The runbook link in `text`: its byte offset in `text` and the link.
pub fn runbook_in_text(text: &str, config: &Config) -> Option<(usize, String)> {
    let prefixes: Vec<String> = config
        .base_url
        .iter()
        .cloned()
        .chain(config.urls.iter().map(|u| u.prefix.clone()))
        .map(|p| p.to_lowercase())
        .collect();
    for (offset, url) in urls(text) {
        let lower = url.to_lowercase();
        if prefixes
            .iter()
            .any(|p| lower.starts_with(p.as_str()) || lower.starts_with(p.trim_end_matches('/')))
        {
            return Some((offset, url.to_string()));
        }
    }
    after_word_runbook(text)
}

/// Every `http(s)://` URL in the text, with its offset.
fn urls(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut from = 0;
    std::iter::from_fn(move || {
        let rest = &text[from..];
        let i = ["http://", "https://"]
            .iter()
            .filter_map(|s| rest.find(s))
            .min()?;
        let start = from + i;
        let link = token(&text[start..]);
        from = start + link.len().max(1);
        Some((start, link))
    })
}

/// A link as written up to where prose or markup ends it, without the
/// punctuation that ends a sentence.
fn token(text: &str) -> &str {
    let end = text
        .find(|c: char| {
            c.is_whitespace() || matches!(c, ')' | ']' | '>' | '<' | '"' | '\'' | '`' | '|')
        })
        .unwrap_or(text.len());
    text[..end].trim_end_matches(['.', ',', ';', ':', '!', '?'])
}

/// The link after the word "runbook" (any case; `Runbook:`, `runbook -`,
/// `[Runbook](...)`, `runbook at ...`).
fn after_word_runbook(text: &str) -> Option<(usize, String)> {
    let lower = text.to_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find("runbook") {
        let at = from + i;
        from = at + "runbook".len();
        // A whole word: `runbooks/x` is a path, not the word.
        let before_ok = at == 0 || !lower[..at].ends_with(|c: char| c.is_alphanumeric());
        let mut rest = &text[from..];
        if rest.starts_with(['s', 'S']) && !rest[1..].starts_with('/') {
            rest = &rest[1..];
        }
        if !before_ok || rest.starts_with(|c: char| c.is_alphanumeric() || c == '/' || c == '_') {
            continue;
        }
        let trimmed = rest.trim_start_matches(|c: char| {
            c.is_whitespace() || matches!(c, ':' | '-' | ']' | '(' | '=' | '*')
        });
        let trimmed = trimmed.strip_prefix("at ").unwrap_or(trimmed).trim_start();
        let link = token(trimmed);
        if link.contains('/') || link.contains('#') || link.ends_with(".md") {
            let offset = text.len() - trimmed.len();
            return Some((offset, link.to_string()));
        }
    }
    None
}

/// The runbook of a free-text field as a located field: located at the
/// link itself where the file holds it as written (a plain or block
/// scalar), else at the field's value.
pub fn runbook_field(
    file: &SourceFile,
    value_at: (u32, u32),
    text: &str,
    config: &Config,
) -> Option<Field<String>> {
    let (_, link) = runbook_in_text(text, config)?;
    let start = file.offset_at(value_at.0, value_at.1);
    let span = match file.text[start..].find(link.as_str()) {
        Some(i) => file.span(start + i..start + i + link.len()),
        None => Span::new(file.display_path.clone(), value_at.0, value_at.1).with_len(1),
    };
    Some(Field { value: link, span })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config {
            base_url: Some("https://wiki.example.com/".into()),
            ..Config::default()
        }
    }

    #[test]
    fn the_first_link_under_base_url_then_after_runbook() {
        let c = config();
        let t = "Errors. Dashboard: https://grafana.example.com/d/x. Runbook: https://wiki.example.com/runbooks/api#diagnosis-steps.";
        assert_eq!(
            runbook_in_text(t, &c).unwrap().1,
            "https://wiki.example.com/runbooks/api#diagnosis-steps"
        );
        let t = "@pagerduty-api\n[Runbook](https://runbooks.example.dev/api) for {{host.name}}";
        assert_eq!(
            runbook_in_text(t, &c).unwrap().1,
            "https://runbooks.example.dev/api"
        );
        assert_eq!(
            runbook_in_text("runbook: runbooks/db#rollback", &c)
                .unwrap()
                .1,
            "runbooks/db#rollback"
        );
        assert_eq!(runbook_in_text("No runbook yet, ask #ops", &c), None);
        assert_eq!(runbook_in_text("see runbooks/x", &c), None);
    }
}
