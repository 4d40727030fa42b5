//! Recent deployments for the live status, and the alerts that started soon
//! after one (`status.deployments` in `opswiki.yaml`).
//!
//! Two sources, either or both:
//!
//! - **git tags** of the site's repository whose name matches a glob
//!   (`v*`). A tag's time is its tagger's date when it is annotated (when
//!   the release was cut), else its commit's committer date (a lightweight
//!   tag has no date of its own).
//! - **a Prometheus metric** whose value is the Unix time, in seconds, of a
//!   series' latest deployment (the `*_timestamp_seconds` gauge a deploy job
//!   sets). A range query over the window gives each series' values; every
//!   distinct value inside the window is one deployment. The value itself
//!   is the time, so it is exact whatever the query's step; reading
//!   `changes()` instead would date a deployment only to a step, and count
//!   an exporter's restart as one.
//!
//! What cannot be read (no repository, a pattern that is not a glob, a
//! query Prometheus refuses) is a [`DeploymentProblem`] in the report, with
//! the line of `opswiki.yaml` it comes from; never an error.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::config::Placed;

/// One series of a range query: its labels and its values, oldest first.
pub type LabelledSeries = (BTreeMap<String, String>, Vec<f64>);

/// Where a deployment was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeploymentSource {
    Git,
    Prometheus,
}

impl DeploymentSource {
    pub fn name(self) -> &'static str {
        match self {
            DeploymentSource::Git => "git tag",
            DeploymentSource::Prometheus => "prometheus",
        }
    }

    /// Its key under `status.deployments`.
    pub fn key(self) -> &'static str {
        match self {
            DeploymentSource::Git => "tags",
            DeploymentSource::Prometheus => "query",
        }
    }
}

/// One deployment inside the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Deployment {
    /// The tag's name, or the series' `label` (`v1.4.2`).
    pub name: String,
    /// When, UTC, RFC 3339.
    pub at: String,
    /// When, in Unix seconds.
    pub timestamp: i64,
    pub source: DeploymentSource,
    /// git: the tagged commit (short hash); prometheus: the series' labels.
    pub detail: String,
}

/// A source of deployments that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeploymentProblem {
    pub source: DeploymentSource,
    pub problem: String,
    /// `opswiki.yaml:LINE:COLUMN` of its `tags:` or `query:`.
    pub config: String,
    /// The pattern or query as written there.
    pub written: String,
}

/// The recent deployments of a live report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecentDeployments {
    /// How soon after a deployment an alert counts as following it, as written.
    pub soon_after: String,
    /// Inside the window, newest first.
    pub list: Vec<Deployment>,
    pub problems: Vec<DeploymentProblem>,
}

/// The deployment an alert started soon after.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AfterDeployment {
    pub deployment: String,
    pub source: DeploymentSource,
    pub deployed_at: String,
    /// Seconds from the deployment to the alert's start.
    pub after_secs: i64,
    /// `started 4 min after deploy v1.4.2`.
    pub text: String,
}

/// Unix seconds as RFC 3339, UTC.
pub fn utc_text(secs: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp(secs, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| secs.to_string())
}

/// `45 s`, `4 min`, `2 h 5 min`.
pub fn duration_text(secs: i64) -> String {
    match secs {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min", s / 60),
        s if (s % 3600) / 60 == 0 => format!("{} h", s / 3600),
        s => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

/// The tags of the repository `root` is in whose names match `pattern`,
/// dated from `from` to `to` (Unix seconds), newest first.
pub fn from_tags(
    root: &Path,
    pattern: &Placed,
    from: i64,
    to: i64,
) -> Result<Vec<Deployment>, String> {
    let glob = crate::glob::compile(&pattern.text)
        .map_err(|e| format!("`{}` is not a glob: {}", pattern.text, e.kind()))?
        .compile_matcher();
    let repo = gix::discover(root)
        .map_err(|_| format!("the site ({}) is not in a git repository", root.display()))?;
    let platform = repo
        .references()
        .map_err(|e| format!("cannot read the repository's tags: {e}"))?;
    let tags = platform
        .tags()
        .map_err(|e| format!("cannot read the repository's tags: {e}"))?;
    let mut list = Vec::new();
    // A tag that cannot be read (broken, pointing at nothing) is passed over:
    // it is not a deployment anyone can name.
    for reference in tags.flatten() {
        let name = reference.name().shorten().to_string();
        if !glob.is_match(&name) {
            continue;
        }
        let Some(id) = reference.target().try_id().map(|id| id.to_owned()) else {
            continue;
        };
        let Some((timestamp, commit)) = tag_time(&repo, id) else {
            continue;
        };
        if timestamp < from || timestamp > to {
            continue;
        }
        list.push(Deployment {
            name,
            at: utc_text(timestamp),
            timestamp,
            source: DeploymentSource::Git,
            detail: commit
                .map(|c| format!("commit {}", &c.to_string()[..7]))
                .unwrap_or_default(),
        });
    }
    Ok(list)
}

/// A tag's time (the tagger's date of an annotated tag, else its commit's
/// date) and the commit it names.
fn tag_time(repo: &gix::Repository, id: gix::ObjectId) -> Option<(i64, Option<gix::ObjectId>)> {
    let mut tagged = None;
    let mut object = repo.find_object(id).ok()?;
    // Tags of tags are followed a few levels, as far as anyone nests them.
    for _ in 0..8 {
        match object.kind {
            gix::object::Kind::Tag => {
                let tag = object.try_into_tag().ok()?;
                if tagged.is_none() {
                    tagged = tag
                        .tagger()
                        .ok()
                        .flatten()
                        .and_then(|s| s.time().ok())
                        .map(|t| t.seconds);
                }
                let target = tag.target_id().ok()?.detach();
                object = repo.find_object(target).ok()?;
            }
            gix::object::Kind::Commit => {
                let commit_id = object.id;
                let committed = object.try_into_commit().ok()?.time().ok()?.seconds;
                return Some((tagged.unwrap_or(committed), Some(commit_id)));
            }
            // A tag of a tree or a blob: only a tagger's date can date it.
            _ => return tagged.map(|t| (t, None)),
        }
    }
    None
}

/// The deployments a metric's series show from `from` to `to`: each
/// distinct value in that span, named by the series' `label`.
pub fn from_series(
    series: Vec<LabelledSeries>,
    label: &str,
    from: i64,
    to: i64,
) -> Vec<Deployment> {
    let mut list: Vec<Deployment> = Vec::new();
    for (labels, values) in series {
        let shown = labels_text(&labels);
        let name = labels.get(label).cloned().unwrap_or_else(|| {
            if shown.is_empty() {
                "deployment".into()
            } else {
                shown.clone()
            }
        });
        for v in values {
            let timestamp = v.floor() as i64;
            if !v.is_finite() || timestamp < from || timestamp > to {
                continue;
            }
            if list
                .iter()
                .any(|d| d.timestamp == timestamp && d.detail == shown)
            {
                continue;
            }
            list.push(Deployment {
                name: name.clone(),
                at: utc_text(timestamp),
                timestamp,
                source: DeploymentSource::Prometheus,
                detail: shown.clone(),
            });
        }
    }
    list
}

/// `{instance="a", job="b"}` without `__name__`; empty without labels.
fn labels_text(labels: &BTreeMap<String, String>) -> String {
    let parts: Vec<String> = labels
        .iter()
        .filter(|(k, _)| k.as_str() != "__name__")
        .map(|(k, v)| format!("{k}=\"{v}\""))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("{{{}}}", parts.join(", "))
    }
}

/// Newest first; the same time in name order.
pub fn sort(list: &mut [Deployment]) {
    list.sort_by(|a, b| {
        b.timestamp
            .cmp(&a.timestamp)
            .then_with(|| a.name.cmp(&b.name))
    });
}

/// The latest deployment an alert that started at `started` (RFC 3339)
/// followed within `soon_after_secs`.
pub fn followed(
    list: &[Deployment],
    started: &str,
    soon_after_secs: u64,
) -> Option<AfterDeployment> {
    let started = chrono::DateTime::parse_from_rfc3339(started)
        .ok()?
        .timestamp();
    let d = list
        .iter()
        .filter(|d| d.timestamp <= started && started - d.timestamp <= soon_after_secs as i64)
        .max_by_key(|d| d.timestamp)?;
    let after = started - d.timestamp;
    Some(AfterDeployment {
        deployment: d.name.clone(),
        source: d.source,
        deployed_at: d.at.clone(),
        after_secs: after,
        text: format!("started {} after deploy {}", duration_text(after), d.name),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment(name: &str, timestamp: i64) -> Deployment {
        Deployment {
            name: name.into(),
            at: utc_text(timestamp),
            timestamp,
            source: DeploymentSource::Git,
            detail: String::new(),
        }
    }

    #[test]
    fn an_alert_follows_the_latest_deployment_before_it() {
        let t = chrono::DateTime::parse_from_rfc3339("2026-12-06T06:00:00Z")
            .unwrap()
            .timestamp();
        let list = [deployment("v1", t - 3600), deployment("v2", t - 240)];
        let after = followed(&list, "2026-12-06T06:00:00.5Z", 1800).unwrap();
        assert_eq!(after.text, "started 4 min after deploy v2");
        assert_eq!(after.after_secs, 240);
        // Longer after than soon_after, or before every deployment: none.
        assert_eq!(followed(&list[..1], "2026-12-06T06:00:00Z", 1800), None);
        assert_eq!(followed(&list, "2026-12-06T04:00:00Z", 1800), None);
        assert_eq!(duration_text(59), "59 s");
        assert_eq!(duration_text(7500), "2 h 5 min");
        assert_eq!(duration_text(7200), "2 h");
    }

    #[test]
    fn each_distinct_value_of_a_series_is_one_deployment() {
        let labels: BTreeMap<String, String> =
            [("__name__", "deploy_timestamp_seconds"), ("version", "1.2")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        let list = from_series(
            vec![(labels, vec![50.0, 100.5, 100.5, 200.0, f64::NAN])],
            "version",
            90,
            1000,
        );
        let times: Vec<i64> = list.iter().map(|d| d.timestamp).collect();
        assert_eq!(times, vec![100, 200]);
        assert_eq!(list[0].name, "1.2");
        assert_eq!(list[0].detail, "{version=\"1.2\"}");
        let unnamed = from_series(vec![(BTreeMap::new(), vec![100.0])], "version", 0, 1000);
        assert_eq!(unnamed[0].name, "deployment");
    }
}
