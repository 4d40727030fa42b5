//! Coverage: which alarms reach a working runbook, which runbooks nothing
//! reaches, which services have alarms but no runbook.

use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

use crate::alarms::RunbookLink;
use crate::model::PageKind;
use crate::site::Site;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Coverage {
    pub alarms: usize,
    /// Alarms whose link reaches a runbook page (and anchor).
    pub alarms_ok: usize,
    /// Alarms linking outside base_url (not verified).
    pub external: Vec<usize>,
    /// Alarms without a working runbook: missing, broken, wrong anchor, not a runbook.
    pub without_runbook: Vec<usize>,
    /// Runbooks no alarm and no triage tree leads to.
    pub unreached_runbooks: Vec<usize>,
    /// Services named by alarms that no runbook lists in `services`.
    pub services_without_runbooks: Vec<String>,
    /// Alarm counts by severity (in the config's order, then unknown ones).
    pub by_severity: Vec<(String, usize)>,
    /// For each runbook page, the alarms that lead to it.
    pub alarms_by_runbook: BTreeMap<usize, Vec<usize>>,
    /// Alarms without a runbook that the policy does not require one of
    /// (`severity: none`, or a severity `require_runbook` leaves out).
    pub not_required: Vec<usize>,
    /// The counts of each alarm file, in file order.
    pub by_source: Vec<SourceCoverage>,
    /// Each alarm's runbook link, resolved ([`Site::resolve_runbook`]), in
    /// the order of `site.alarms`: the renderer and the search index read
    /// them here rather than resolving every alarm again.
    pub links: Vec<RunbookLink>,
}

/// Coverage of one alarm file.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct SourceCoverage {
    /// Its path from the site root.
    pub path: String,
    /// The dialects its alarms are written in, comma-separated.
    pub dialects: String,
    pub alarms: usize,
    pub ok: usize,
    pub without_runbook: usize,
    pub external: usize,
    pub not_required: usize,
}

impl Coverage {
    pub fn of(site: &Site) -> Coverage {
        let mut cov = Coverage {
            alarms: site.alarms.len(),
            ..Coverage::default()
        };
        // Resolved in parallel: 21,000 alarms took 40 ms on one thread.
        let links: Vec<(RunbookLink, Option<usize>)> = site
            .alarms
            .par_iter()
            .map(|alarm| {
                let link = site.resolve_runbook(alarm);
                let page = site.reaches_runbook(&link);
                (link, page)
            })
            .collect();
        let mut by_source: BTreeMap<usize, SourceCoverage> = BTreeMap::new();
        cov.links.reserve_exact(links.len());
        for (i, (link, page)) in links.into_iter().enumerate() {
            let alarm = &site.alarms[i];
            let row = by_source
                .entry(alarm.source)
                .or_insert_with(|| SourceCoverage {
                    path: site.sources[alarm.source].display_path.clone(),
                    ..SourceCoverage::default()
                });
            row.alarms += 1;
            let dialect = alarm.shape.name();
            if !row.dialects.split(", ").any(|d| d == dialect) {
                if !row.dialects.is_empty() {
                    row.dialects.push_str(", ");
                }
                row.dialects.push_str(dialect);
            }
            match (&link, page) {
                (_, Some(page)) => {
                    cov.alarms_ok += 1;
                    row.ok += 1;
                    cov.alarms_by_runbook.entry(page).or_default().push(i);
                }
                (RunbookLink::External, _) => {
                    row.external += 1;
                    cov.external.push(i)
                }
                (RunbookLink::Missing, _)
                    if !crate::alarms::requires_runbook(&site.config, alarm) =>
                {
                    row.not_required += 1;
                    cov.not_required.push(i)
                }
                _ => {
                    row.without_runbook += 1;
                    cov.without_runbook.push(i)
                }
            }
            cov.links.push(link);
        }
        cov.by_source = by_source.into_values().collect();
        let reached: BTreeSet<usize> = cov
            .alarms_by_runbook
            .keys()
            .copied()
            .chain(crate::coverage::tree_targets(site))
            .collect();
        cov.unreached_runbooks = site
            .pages_of(PageKind::Runbook)
            .map(|(i, _)| i)
            .filter(|i| !reached.contains(i))
            .collect();
        let runbook_services: BTreeSet<String> = site
            .pages_of(PageKind::Runbook)
            .flat_map(|(_, p)| p.meta.services.iter().map(|s| s.to_lowercase()))
            .collect();
        let alarm_services: BTreeSet<&str> = site
            .alarms
            .iter()
            .filter_map(|a| a.service.as_deref())
            .collect();
        cov.services_without_runbooks = alarm_services
            .into_iter()
            .filter(|s| !runbook_services.contains(&s.to_lowercase()))
            .map(str::to_string)
            .collect();
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for alarm in &site.alarms {
            let sev = alarm
                .severity
                .as_ref()
                .map_or("none".to_string(), |s| s.value.clone());
            *counts.entry(sev).or_default() += 1;
        }
        for sev in &site.config.severities {
            cov.by_severity
                .push((sev.clone(), counts.remove(sev).unwrap_or(0)));
        }
        cov.by_severity.extend(counts);
        cov
    }

    /// The `check` summary line about alarms.
    pub fn summary_line(&self) -> String {
        format!(
            "coverage: {}/{} alarms reach a runbook, {} without a working runbook, {} external (not verified); {} runbooks reached by no alarm or triage tree",
            self.alarms_ok,
            self.alarms,
            self.without_runbook.len(),
            self.external.len(),
            self.unreached_runbooks.len()
        )
    }
}

/// Runbook pages that triage trees lead to.
pub fn tree_targets(site: &Site) -> Vec<usize> {
    crate::trees::runbook_pages(&site.trees)
}
