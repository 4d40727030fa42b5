//! Every alarm reaches a runbook that exists, down to the anchor; runbooks'
//! own `alarms:` lists name real alarms that point back at them.

use rayon::prelude::*;
use std::collections::HashMap;

use crate::alarms::{Alarm, RunbookLink, Shape};
use crate::check::links::anchor_missing;
use crate::diag::{Code, Diagnostic};
use crate::model::PageKind;
use crate::site::Site;

pub fn check_alarms(site: &Site, out: &mut Vec<Diagnostic>) {
    let links: Vec<RunbookLink> = site
        .alarms
        .par_iter()
        .map(|a| site.resolve_runbook(a))
        .collect();
    check_duplicates(site, out);

    for (alarm, link) in site.alarms.iter().zip(&links) {
        if alarm.description.is_none() {
            let help = match alarm.shape {
                Shape::List => "add `description:` saying what is wrong for users",
                _ => "add `annotations.description` or `annotations.summary`",
            };
            out.push(
                Diagnostic::new(
                    Code::AlarmDescriptionMissing,
                    alarm.name_span.clone(),
                    format!("alarm `{}` has no description", alarm.name),
                )
                .with_help(help),
            );
        }
        check_severity(site, alarm, out);
        match link {
            RunbookLink::Missing if !crate::alarms::requires_runbook(&site.config, alarm) => {}
            RunbookLink::Missing => out.push(
                Diagnostic::new(
                    Code::AlarmRunbookMissing,
                    alarm.name_span.clone(),
                    format!("alarm `{}` has no runbook", alarm.name),
                )
                .with_help(match alarm.shape {
                    Shape::List => "add `runbook:` with the page that says what to do when it fires",
                    Shape::CloudFormation => "add `Runbook: <link>` to `AlarmDescription`, with the page that says what to do when it fires",
                    Shape::Datadog => "add `Runbook: <link>` to the monitor's `message`, with the page that says what to do when it fires",
                    Shape::Terraform => "add `Runbook: <link>` to the description (`alarm_description`, `message`, `documentation`) or `runbook_url` to a rule's annotations",
                    _ => "add `annotations.runbook_url` with the page that says what to do when it fires",
                }),
            ),
            RunbookLink::Pattern { pages, open } => {
                if pages.is_empty() {
                    let shown = alarm
                        .runbook_template
                        .as_ref()
                        .map(|t| t.shown())
                        .unwrap_or_default();
                    let open = open
                        .iter()
                        .map(|l| format!("`{l}`"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    out.push(
                        Diagnostic::new(
                            Code::AlarmRunbookTemplateUnmatched,
                            runbook_span(alarm),
                            format!(
                                "alarm `{}` links to the template `{shown}`, which matches no page ({open} left open: the rule fixes no value for it)",
                                alarm.name
                            ),
                        )
                        .with_help("give the rule the label (in `labels:` or as `label=\"value\"` in its expression), or write the runbook's path"),
                    );
                }
            }
            RunbookLink::Broken => {
                let written = alarm.runbook.as_ref().map(|r| r.value.as_str()).unwrap_or("");
                let filled = alarm.runbook_template.as_ref().map(|t| t.filled.clone());
                let runbook = match &filled {
                    Some(f) => format!("{written}` (filled in: `{f}`)"),
                    None => format!("{written}`"),
                };
                out.push(
                    Diagnostic::new(
                        Code::AlarmRunbookBroken,
                        runbook_span(alarm),
                        format!("alarm `{}` links to `{runbook}, which matches no page", alarm.name),
                    )
                    .with_help("link a runbook by id (runbooks/x), path (runbooks/x.md) or URL under base_url"),
                );
            }
            RunbookLink::External => {
                let runbook = alarm.runbook.as_ref().map(|r| r.value.as_str()).unwrap_or("");
                if crate::markdown::is_script_url(runbook) {
                    // The wiki never links it (see README, HTML safety), so a
                    // responder paged by this alarm would find no runbook.
                    out.push(
                        Diagnostic::new(
                            Code::AlarmRunbookScriptUrl,
                            runbook_span(alarm),
                            format!(
                                "alarm `{}` links to a script URL, which the wiki never links",
                                alarm.name
                            ),
                        )
                        .with_help("link the runbook's page, e.g. runbooks/disk-full#diagnosis"),
                    );
                } else {
                    // Off unless the config or `--deny-external` raises it.
                    out.push(
                        Diagnostic::new(
                            Code::AlarmRunbookExternal,
                            runbook_span(alarm),
                            format!("alarm `{}` links to `{runbook}`, outside base_url: it cannot be checked", alarm.name),
                        )
                        .with_help("move the runbook into this wiki, or set base_url in opswiki.yaml"),
                    );
                }
            }
            RunbookLink::Page { page, anchor } => {
                let target = &site.pages[*page];
                if target.kind != PageKind::Runbook {
                    out.push(Diagnostic::new(
                        Code::AlarmRunbookNotRunbook,
                        runbook_span(alarm),
                        format!(
                            "alarm `{}` links to `{}`, which is a {}, not a runbook",
                            alarm.name,
                            target.id,
                            target.kind.name()
                        ),
                    ));
                } else if let Some(anchor) = anchor
                    && !target.has_anchor(anchor)
                {
                    let mut d = anchor_missing(target, anchor, runbook_span(alarm))
                        .recode(Code::AlarmRunbookAnchorMissing);
                    d.message = format!("alarm `{}`: {}", alarm.name, d.message);
                    out.push(d);
                } else if alarm.shape == Shape::List
                    && let (Some(sev), Some(rb_sev)) = (&alarm.severity, &target.meta.severity)
                    && sev.value != rb_sev.value
                    && site.config.severities.contains(&sev.value)
                {
                    // Only the opswiki list states a severity on opswiki's own
                    // scale; Prometheus labels are a coarser scale mapped by
                    // `severity_map` (warning → P3 cannot say P2), so a mapped
                    // severity is not held to the runbook's.
                    let sev = &sev.value;
                    out.push(
                        Diagnostic::new(
                            Code::AlarmSeverityMismatch,
                            alarm.severity.as_ref().map_or(alarm.name_span.clone(), |s| s.span.clone()),
                            format!(
                                "alarm `{}` is {sev} but its runbook `{}` is {}",
                                alarm.name, target.id, rb_sev.value
                            ),
                        )
                        .with_help("an alarm and its runbook should agree on how urgent this is"),
                    );
                }
            }
        }
    }
    check_runbook_alarm_lists(site, &links, out);
}

fn runbook_span(alarm: &Alarm) -> crate::diag::Span {
    alarm
        .runbook
        .as_ref()
        .map_or(alarm.name_span.clone(), |r| r.span.clone())
}

/// Names must be unique among opswiki-list alarms. Prometheus rules repeat an
/// alert at several severities on purpose: not a duplicate.
fn check_duplicates(site: &Site, out: &mut Vec<Diagnostic>) {
    let mut first: HashMap<&str, &Alarm> = HashMap::new();
    for alarm in site.alarms.iter().filter(|a| a.shape == Shape::List) {
        match first.get(alarm.name.as_str()) {
            Some(earlier) => out.push(
                Diagnostic::new(
                    Code::AlarmDuplicate,
                    alarm.name_span.clone(),
                    format!(
                        "alarm `{}` is defined twice: here and at {}:{}",
                        alarm.name, earlier.name_span.file, earlier.name_span.line
                    ),
                )
                .with_help("alarm names are unique in the site: rename or remove one"),
            ),
            None => {
                first.insert(&alarm.name, alarm);
            }
        }
    }
}

fn check_severity(site: &Site, alarm: &Alarm, out: &mut Vec<Diagnostic>) {
    let severities = &site.config.severities;
    match (&alarm.severity, alarm.shape) {
        (None, Shape::List) => out.push(
            Diagnostic::new(
                Code::AlarmSeverityMissing,
                alarm.name_span.clone(),
                format!("alarm `{}` has no severity", alarm.name),
            )
            .with_help(format!("add `severity:`, one of {}", severities.join(", "))),
        ),
        (Some(sev), _) if sev.value == crate::config::SEVERITY_NONE => {}
        (Some(sev), _)
            if alarm.raw_severity.is_some()
                && crate::alarms::map_severity(&site.config, &sev.value).is_none() =>
        {
            // A rule file's label the map does not know: a warning that
            // says the line to add (the contract's "unknown severity").
            let label = sev.value.to_lowercase();
            out.push(
                Diagnostic::new(
                    Code::AlarmSeverityUnmapped,
                    sev.span.clone(),
                    format!(
                        "alarm `{}` has severity `{}`, which severity_map does not map",
                        alarm.name, sev.value
                    ),
                )
                .with_help(format!(
                    "add `{label}: P?` under `severity_map:` in opswiki.yaml (one of {}, or `none` for an alarm that does not page)",
                    severities.join(", ")
                )),
            );
        }
        (Some(sev), _) if !severities.contains(&sev.value) => {
            let help = match alarm.raw_severity {
                Some(_) => format!(
                    "map it in opswiki.yaml's severity_map (known: {})",
                    site.config
                        .severity_map
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                None => format!("severities of this site: {}", severities.join(", ")),
            };
            out.push(
                Diagnostic::new(
                    Code::AlarmSeverityUnknown,
                    sev.span.clone(),
                    format!(
                        "alarm `{}` has unknown severity `{}`",
                        alarm.name, sev.value
                    ),
                )
                .with_help(help),
            );
        }
        _ => {}
    }
}

/// A runbook's front matter `alarms:` must name alarms that exist and that
/// point at it.
fn check_runbook_alarm_lists(site: &Site, links: &[RunbookLink], out: &mut Vec<Diagnostic>) {
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, alarm) in site.alarms.iter().enumerate() {
        by_name.entry(alarm.name.as_str()).or_default().push(i);
    }
    for (page_index, page) in site.pages_of(PageKind::Runbook) {
        for name in &page.meta.alarms {
            let Some(indices) = by_name.get(name.value.as_str()) else {
                out.push(
                    Diagnostic::new(
                        Code::RunbookAlarmUnknown,
                        name.span.clone(),
                        format!("runbook lists alarm `{}`, which is not defined", name.value),
                    )
                    .with_help("alarms are defined in content/alarms/*.yaml; check the spelling"),
                );
                continue;
            };
            // Warn only when the alarm leads to another existing page; a broken
            // or missing link is already reported on the alarm itself.
            let elsewhere: Vec<usize> = indices
                .iter()
                .filter_map(|&i| match &links[i] {
                    RunbookLink::Page { page, .. } if *page != page_index => Some(*page),
                    _ => None,
                })
                .collect();
            let here = indices.iter().any(
                |&i| matches!(&links[i], RunbookLink::Page { page, .. } if *page == page_index),
            );
            if !here && let Some(&other) = elsewhere.first() {
                out.push(
                    Diagnostic::new(
                        Code::RunbookAlarmElsewhere,
                        name.span.clone(),
                        format!(
                            "runbook lists alarm `{}`, but that alarm links to `{}`",
                            name.value, site.pages[other].id
                        ),
                    )
                    .with_help("point the alarm at this runbook, or remove it from `alarms:`"),
                );
            }
        }
    }
}
