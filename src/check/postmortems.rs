//! Post-mortems: every action item has an owner and a deadline, its
//! deadline is a date, items past their deadline and not done are overdue,
//! and every runbook the front matter names is a runbook page.

use crate::check::CheckOptions;
use crate::diag::{Code, Diagnostic};
use crate::postmortem::{Deadline, RunbookTarget};
use crate::site::Site;

pub fn check_postmortems(site: &Site, options: &CheckOptions, out: &mut Vec<Diagnostic>) {
    for pm in &site.postmortems {
        for item in &pm.actions {
            let name = short(&item.text);
            if item.owner.is_none() {
                out.push(
                    Diagnostic::new(
                        Code::ActionOwnerMissing,
                        item.owner_span.clone(),
                        format!("action item `{name}` has no owner"),
                    )
                    .with_help(
                        "an action item without an owner is not done: name a person or team",
                    ),
                );
            }
            match &item.deadline {
                Deadline::Missing => out.push(
                    Diagnostic::new(
                        Code::ActionDeadlineMissing,
                        item.deadline_span.clone(),
                        format!("action item `{name}` has no deadline"),
                    )
                    .with_help("give it a deadline as YYYY-MM-DD so it can become overdue"),
                ),
                Deadline::Invalid(text) => out.push(
                    Diagnostic::new(
                        Code::ActionDateInvalid,
                        item.deadline_span.clone(),
                        format!("the deadline of action item `{name}` is not a date: `{text}`"),
                    )
                    .with_help("write deadlines as YYYY-MM-DD, e.g. 2026-12-01"),
                ),
                Deadline::Date(due) => {
                    if let Some(days) = item.overdue_days(options.today) {
                        let status = if item.status.is_empty() {
                            "no status".to_string()
                        } else {
                            format!("status `{}`", item.status)
                        };
                        out.push(
                            Diagnostic::new(
                                Code::ActionOverdue,
                                item.deadline_span.clone(),
                                format!(
                                    "action item `{name}`{} was due {due}, {days} {} ago ({status})",
                                    item.owner
                                        .as_ref()
                                        .map(|o| format!(" ({o})"))
                                        .unwrap_or_default(),
                                    if days == 1 { "day" } else { "days" },
                                ),
                            )
                            .with_help(
                                "finish it and set its status to Done, or agree a new deadline",
                            ),
                        );
                    }
                }
            }
        }
        for used in pm.runbooks.iter().filter(|u| u.from_front_matter) {
            match &used.target {
                RunbookTarget::Unknown => out.push(
                    Diagnostic::new(
                        Code::PostmortemRunbookUnknown,
                        used.span.clone(),
                        format!("runbook `{}` matches no page", used.written),
                    )
                    .with_help(
                        "name runbooks by page id (`runbooks/x`) or path (`../runbooks/x.md`)",
                    ),
                ),
                RunbookTarget::NotRunbook { page } => out.push(
                    Diagnostic::new(
                        Code::PostmortemRunbookUnknown,
                        used.span.clone(),
                        format!(
                            "`{}` is a {}, not a runbook",
                            used.written,
                            site.pages[*page].kind.name()
                        ),
                    )
                    .with_help("`runbooks:` lists the runbooks used during the incident"),
                ),
                RunbookTarget::Runbook {
                    page,
                    anchor: Some(anchor),
                } if !site.pages[*page].has_anchor(anchor) => {
                    out.push(crate::check::links::anchor_missing(
                        &site.pages[*page],
                        anchor,
                        used.span.clone(),
                    ))
                }
                _ => {}
            }
        }
    }
}

/// An action's text, shortened for a message.
fn short(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() <= 60 {
        text.to_string()
    } else {
        let cut: String = text.chars().take(57).collect();
        format!("{}…", cut.trim_end())
    }
}
