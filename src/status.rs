//! The health summary (the handbook's `/prodstatus`): the latest weekly
//! report against its targets, trends over the last four reports, spend,
//! incidents, overdue action items, stale runbooks and alarms without a
//! working runbook, each turned into an item with its evidence and the page
//! to read. `opswiki status` prints it; the wiki shows it on `status/`.
//!
//! The rules are written out for readers in `docs/status.md`; the constants
//! below are the thresholds it names.

use std::fmt::Write;

use chrono::NaiveDate;
use serde::Serialize;

use crate::check::stale_days;
use crate::coverage::Coverage;
use crate::model::{PageKind, output_path};
use crate::postmortem::Postmortem;
use crate::report::{self, Report, Unit, number, pct_change};
use crate::site::Site;

/// Reports the trend rules look at: the latest and the three before it.
pub const TREND_WINDOW: usize = 4;
/// A metric up by this much (percent) over the window is a trend to act on.
pub const TREND_PCT: f64 = 25.0;
/// Error budget left (percent of the week's budget) below which it is low.
pub const BUDGET_LOW_PCT: f64 = 25.0;
/// The latest report is out of date this many days after its `week_of`.
pub const REPORT_STALE_DAYS: i64 = 14;
/// Where the status page is written.
pub const STATUS_PATH: &str = "status/index.html";
/// Where the action items page is written.
pub const ACTIONS_PATH: &str = "actions/index.html";
/// Where the reports index (with the trend charts) is written.
pub const REPORTS_PATH: &str = "reports/index.html";

/// The overall state and each item's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Health {
    Healthy,
    Degraded,
    Unhealthy,
}

impl Health {
    pub fn name(self) -> &'static str {
        match self {
            Health::Healthy => "HEALTHY",
            Health::Degraded => "DEGRADED",
            Health::Unhealthy => "UNHEALTHY",
        }
    }

    pub fn class(self) -> &'static str {
        match self {
            Health::Healthy => "healthy",
            Health::Degraded => "degraded",
            Health::Unhealthy => "unhealthy",
        }
    }
}

/// A page to read, as a path from the site root (`reports/x/index.html`,
/// maybe with `#anchor` or `?query`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Link {
    pub label: String,
    pub path: String,
}

impl Link {
    fn new(label: impl Into<String>, path: impl Into<String>) -> Link {
        Link {
            label: label.into(),
            path: path.into(),
        }
    }

    fn page(site: &Site, page: usize) -> Link {
        let p = &site.pages[page];
        Link::new(p.title.clone(), output_path(&p.id))
    }

    /// The link as a URL: under `base_url` when there is one (with
    /// `index.html` dropped, the form servers answer), else the path.
    pub fn url(&self, base_url: Option<&str>) -> String {
        match base_url {
            Some(base) => {
                let path = self
                    .path
                    .replacen("/index.html", "/", 1)
                    .replacen("index.html", "", 1);
                format!("{base}{path}")
            }
            None => self.path.clone(),
        }
    }
}

/// One line of detail under an item (an overdue action, a stale runbook).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Detail {
    pub text: String,
    pub link: Option<Link>,
}

/// One finding of the summary: what, how bad, why (numbers and weeks), and
/// where to read more.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    /// The rule that made it (stable, for scripts): see `docs/status.md`.
    pub rule: &'static str,
    pub health: Health,
    pub title: String,
    pub evidence: String,
    /// The page to read; none when the site has no such page (no reports).
    pub link: Option<Link>,
    pub details: Vec<Detail>,
}

/// A service of the latest report, with its trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceStatus {
    pub name: String,
    pub health: Health,
    pub summary: String,
}

/// The latest report, for the header.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LatestReport {
    #[serde(serialize_with = "ser_date")]
    pub week_of: NaiveDate,
    pub link: Link,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Status {
    pub overall: Health,
    #[serde(serialize_with = "ser_date")]
    pub today: NaiveDate,
    pub latest_report: Option<LatestReport>,
    /// Weeks of the reports the trend rules compare, oldest first.
    #[serde(serialize_with = "ser_dates")]
    pub window: Vec<NaiveDate>,
    /// Unhealthy items first, then degraded, then healthy; rule order within.
    pub items: Vec<Item>,
    pub services: Vec<ServiceStatus>,
}

impl Status {
    /// Items that need attention (not healthy).
    pub fn attention(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(|i| i.health != Health::Healthy)
    }

    pub fn healthy(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(|i| i.health == Health::Healthy)
    }
}

fn ser_date<S: serde::Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(d)
}

fn ser_dates<S: serde::Serializer>(d: &[NaiveDate], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(d.iter().map(|d| d.to_string()))
}

fn week_label(w: NaiveDate) -> String {
    format!("week of {w}")
}

fn report_link(site: &Site, r: &Report) -> Link {
    let page = &site.pages[r.page];
    let label = r.week().map_or(page.title.clone(), week_label);
    Link::new(label, output_path(&page.id))
}

/// A metric's first and last value in the window (the first report of the
/// window that has it, and the latest): `(first week, first, latest)`.
fn window_change(
    window: &[&Report],
    get: impl Fn(&Report) -> Option<f64>,
) -> Option<(NaiveDate, f64, f64)> {
    let latest = window.last()?;
    let last = get(latest)?;
    let first = window[..window.len() - 1]
        .iter()
        .find_map(|r| Some((r.week()?, get(r)?)))?;
    Some((first.0, first.1, last))
}

fn pct(from: f64, to: f64) -> Option<f64> {
    (from != 0.0).then(|| (to - from) / from * 100.0)
}

/// Compute the summary of a site as of `today`.
pub fn compute(site: &Site, today: NaiveDate) -> Status {
    let reports = report::chronological(&site.reports);
    let window: Vec<&Report> = reports
        .iter()
        .rev()
        .take(TREND_WINDOW)
        .rev()
        .copied()
        .collect();
    let latest = reports.last().copied();
    let mut items = Vec::new();

    report_freshness(site, latest, today, &mut items);
    if let Some(latest) = latest {
        availability(site, latest, &mut items);
        latency_targets(site, latest, &mut items);
        latency_trends(&window, &mut items);
        errors_trend(&window, &mut items);
        spend(site, latest, &window, &mut items);
    }
    incidents(site, latest, today, &mut items);
    overdue_actions(site, today, &mut items);
    stale_runbooks(site, today, &mut items);
    alarms_without_runbook(site, &mut items);
    let services = latest
        .map(|l| services(l, &window, &mut items))
        .unwrap_or_default();

    // Stable sort: worst first, rule order kept within a level.
    items.sort_by_key(|i| std::cmp::Reverse(i.health));
    let overall = items
        .iter()
        .map(|i| i.health)
        .max()
        .unwrap_or(Health::Healthy);
    Status {
        overall,
        today,
        latest_report: latest.and_then(|l| {
            Some(LatestReport {
                week_of: l.week()?,
                link: report_link(site, l),
            })
        }),
        window: window.iter().filter_map(|r| r.week()).collect(),
        items,
        services,
    }
}

fn reports_link(anchor: &str) -> Link {
    Link::new(
        "Weekly reports",
        if anchor.is_empty() {
            REPORTS_PATH.to_string()
        } else {
            format!("{REPORTS_PATH}#{anchor}")
        },
    )
}

/// Rule `report-fresh`: a report exists and is at most 14 days old.
fn report_freshness(site: &Site, latest: Option<&Report>, today: NaiveDate, items: &mut Vec<Item>) {
    let Some(latest) = latest else {
        items.push(Item {
            rule: "report-fresh",
            health: Health::Degraded,
            title: "No weekly ops report".into(),
            evidence: "No report under content/reports/ has a week_of, so nothing is measured against targets".into(),
            link: None,
            details: Vec::new(),
        });
        return;
    };
    let Some(week) = latest.week() else { return };
    let age = (today - week).num_days();
    let stale = age > REPORT_STALE_DAYS;
    items.push(Item {
        rule: "report-fresh",
        health: if stale { Health::Degraded } else { Health::Healthy },
        title: if stale {
            format!("The latest weekly report is {age} days old")
        } else {
            format!("The latest weekly report is the {}", week_label(week))
        },
        evidence: format!(
            "Latest week_of {week}, {age} days before {today} (out of date after {REPORT_STALE_DAYS} days)"
        ),
        link: Some(report_link(site, latest)),
        details: Vec::new(),
    });
}

/// Rule `availability`: uptime below target or the error budget overspent
/// is unhealthy; less than 25% of the budget left is degraded.
fn availability(site: &Site, latest: &Report, items: &mut Vec<Item>) {
    let Some(a) = &latest.availability else {
        return;
    };
    let (Some(uptime), Some(target)) = (a.uptime_pct, a.target_pct) else {
        return;
    };
    let week = latest.week().map(week_label).unwrap_or_default();
    let budget = latest.error_budget();
    let left_pct = budget.and_then(|b| b.left_pct);
    let health = if uptime < target || budget.is_some_and(|b| b.left_minutes < 0.0) {
        Health::Unhealthy
    } else if left_pct.is_some_and(|p| p < BUDGET_LOW_PCT) {
        Health::Degraded
    } else {
        Health::Healthy
    };
    let mut evidence = format!(
        "Uptime {} against a target of {} in the {week}",
        Unit::Percent.format(uptime),
        Unit::Percent.format(target)
    );
    if let Some(b) = budget {
        let _ = write!(
            evidence,
            "; error budget {} min, {} min of downtime, {} min left{}",
            number(b.allowed_minutes, 2),
            number(b.used_minutes, 2),
            number(b.left_minutes, 2),
            b.left_pct
                .map(|p| format!(" ({}% of the budget)", number(p, 0)))
                .unwrap_or_default()
        );
    }
    let title = match health {
        Health::Unhealthy if uptime < target => format!(
            "Availability target missed: {} against {}",
            Unit::Percent.format(uptime),
            Unit::Percent.format(target)
        ),
        Health::Unhealthy => "Error budget overspent".to_string(),
        Health::Degraded => format!(
            "Error budget low: {}% left",
            number(left_pct.unwrap_or(0.0), 0)
        ),
        Health::Healthy => format!(
            "Availability {} meets its {} target",
            Unit::Percent.format(uptime),
            Unit::Percent.format(target)
        ),
    };
    items.push(Item {
        rule: "availability",
        health,
        title,
        evidence,
        link: Some(report_link(site, latest)),
        details: Vec::new(),
    });
}

/// Rule `latency-target`: a percentile above its target is degraded.
fn latency_targets(site: &Site, latest: &Report, items: &mut Vec<Item>) {
    let week = latest.week().map(week_label).unwrap_or_default();
    let measured: Vec<_> = latest
        .latency
        .iter()
        .filter_map(|l| Some((l.name.as_str(), l.value?, l.target?)))
        .collect();
    if measured.is_empty() {
        return;
    }
    let missed: Vec<_> = measured.iter().filter(|(_, v, t)| v > t).collect();
    for (name, v, t) in &missed {
        items.push(Item {
            rule: "latency-target",
            health: Health::Degraded,
            title: format!("{name} latency above its target"),
            evidence: format!(
                "{name} {} against a target of {} in the {week} ({} over the target)",
                Unit::Ms.format(*v),
                Unit::Ms.format(*t),
                pct_change(pct(*t, *v).unwrap_or(0.0))
            ),
            link: Some(report_link(site, latest)),
            details: Vec::new(),
        });
    }
    if missed.is_empty() {
        let list: Vec<String> = measured
            .iter()
            .map(|(n, v, t)| {
                format!(
                    "{n} {} (target {})",
                    Unit::Ms.format(*v),
                    Unit::Ms.format(*t)
                )
            })
            .collect();
        items.push(Item {
            rule: "latency-target",
            health: Health::Healthy,
            title: "Latency within its targets".into(),
            evidence: format!("{} in the {week}", list.join(", ")),
            link: Some(report_link(site, latest)),
            details: Vec::new(),
        });
    }
}

/// Rule `latency-trend`: a percentile up 25% or more from the first to the
/// latest of the last four reports is degraded.
fn latency_trends(window: &[&Report], items: &mut Vec<Item>) {
    let Some(latest) = window.last() else { return };
    let mut steady = Vec::new();
    for l in &latest.latency {
        let name = l.name.clone();
        let Some((from_week, from, to)) =
            window_change(window, |r| r.latency(&name).and_then(|x| x.value))
        else {
            continue;
        };
        let Some(change) = pct(from, to) else {
            continue;
        };
        let to_week = latest.week().unwrap_or(from_week);
        let mut evidence = format!(
            "{} ({}) → {} ({})",
            Unit::Ms.format(from),
            week_label(from_week),
            Unit::Ms.format(to),
            week_label(to_week),
        );
        if let Some(t) = l.target {
            let _ = write!(
                evidence,
                "; now {}% of its {} target",
                number(to / t * 100.0, 0),
                Unit::Ms.format(t)
            );
        }
        if change >= TREND_PCT {
            items.push(Item {
                rule: "latency-trend",
                health: Health::Degraded,
                title: format!(
                    "{name} latency up {} over the last {} reports",
                    pct_change(change).trim_start_matches('+'),
                    window.len()
                ),
                evidence,
                link: Some(reports_link("latency")),
                details: Vec::new(),
            });
        } else {
            steady.push(format!("{name} {}", pct_change(change)));
        }
    }
    if !steady.is_empty() {
        let all_steady = steady.len() == latest.latency.len();
        items.push(Item {
            rule: "latency-trend",
            health: Health::Healthy,
            title: if all_steady {
                "No latency percentile up 25% or more".into()
            } else {
                "Other latency percentiles up less than 25%".into()
            },
            evidence: format!(
                "Over the last {} reports: {}",
                window.len(),
                steady.join(", ")
            ),
            link: Some(reports_link("latency")),
            details: Vec::new(),
        });
    }
}

/// Rule `errors-trend`: 5xx errors up 25% or more over the window.
fn errors_trend(window: &[&Report], items: &mut Vec<Item>) {
    let Some((from_week, from, to)) = window_change(window, Report::total_5xx) else {
        return;
    };
    let Some(change) = pct(from, to) else { return };
    let to_week = window.last().and_then(|r| r.week()).unwrap_or(from_week);
    let up = change >= TREND_PCT;
    items.push(Item {
        rule: "errors-trend",
        health: if up {
            Health::Degraded
        } else {
            Health::Healthy
        },
        title: if up {
            format!(
                "5xx errors up {} over the last {} reports",
                pct_change(change).trim_start_matches('+'),
                window.len()
            )
        } else {
            format!(
                "5xx errors {} over the last {} reports, under the {}% threshold",
                pct_change(change),
                window.len(),
                TREND_PCT
            )
        },
        evidence: format!(
            "{} ({}) → {} ({})",
            number(from, 0),
            week_label(from_week),
            number(to, 0),
            week_label(to_week)
        ),
        link: Some(reports_link("errors")),
        details: Vec::new(),
    });
}

/// Rules `spend` (the latest week over budget) and `spend-pace` (the spend
/// of the last four reports over their summed budgets).
fn spend(site: &Site, latest: &Report, window: &[&Report], items: &mut Vec<Item>) {
    let currency = latest
        .cost
        .as_ref()
        .and_then(|c| c.currency.clone())
        .unwrap_or_default();
    let money = |n: f64| report::money(n, &currency);
    let week = latest.week().map(week_label).unwrap_or_default();
    if let (Some(s), Some(b)) = (latest.spend(), latest.budget()) {
        let over = s > b;
        let share = if b > 0.0 { s / b * 100.0 } else { 0.0 };
        let mut evidence = format!(
            "{} of a {} budget ({}%) in the {week}",
            money(s),
            money(b),
            number(share, 0)
        );
        if let Some(largest) = latest.cost.as_ref().and_then(|c| {
            Some(format!(
                "; largest item: {} ({})",
                c.largest_item.clone()?,
                money(c.largest_amount?)
            ))
        }) {
            evidence.push_str(&largest);
        }
        items.push(Item {
            rule: "spend",
            health: if over {
                Health::Degraded
            } else {
                Health::Healthy
            },
            title: if over {
                format!("Spend over budget: {} of {}", money(s), money(b))
            } else {
                format!("Spend within budget: {} of {}", money(s), money(b))
            },
            evidence,
            link: Some(report_link(site, latest)),
            details: Vec::new(),
        });
    }
    let with_both: Vec<&&Report> = window
        .iter()
        .filter(|r| r.spend().is_some() && r.budget().is_some())
        .collect();
    if with_both.len() < 2 {
        return;
    }
    let total: f64 = with_both.iter().filter_map(|r| r.spend()).sum();
    let budget: f64 = with_both.iter().filter_map(|r| r.budget()).sum();
    if budget <= 0.0 {
        return;
    }
    let pace = total / budget * 100.0;
    let over = pace > 100.0;
    let first = with_both.first().and_then(|r| r.week());
    let last = with_both.last().and_then(|r| r.week());
    let mut evidence = format!(
        "{} spent of {} budgeted ({}%) in the {} reports from the {} to the {}",
        money(total),
        money(budget),
        number(pace, 1),
        with_both.len(),
        first.map(week_label).unwrap_or_default(),
        last.map(week_label).unwrap_or_default()
    );
    // The biggest week-over-week jump in the window, as the likely cause.
    let spike = with_both
        .windows(2)
        .filter_map(|w| {
            let p = pct(w[0].spend()?, w[1].spend()?)?;
            Some((p, w[1]))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((p, r)) = spike
        && p >= TREND_PCT
    {
        let _ = write!(
            evidence,
            "; spend jumped {} in the {} to {}",
            pct_change(p),
            r.week().map(week_label).unwrap_or_default(),
            money(r.spend().unwrap_or(0.0))
        );
        if let Some(item) = r.cost.as_ref().and_then(|c| c.largest_item.clone()) {
            let _ = write!(evidence, " (largest item: {item})");
        }
    }
    items.push(Item {
        rule: "spend-pace",
        health: if over {
            Health::Degraded
        } else {
            Health::Healthy
        },
        title: if over {
            format!(
                "Spend pace over budget: {}% over the last {} reports",
                number(pace, 1),
                with_both.len()
            )
        } else {
            format!(
                "Spend pace on budget: {}% over the last {} reports",
                number(pace, 1),
                with_both.len()
            )
        },
        evidence,
        link: Some(reports_link("cost")),
        details: Vec::new(),
    });
}

/// Rule `incidents`: a P1 in the latest report's week (or a P1 post-mortem
/// dated after that week) is unhealthy; a P2 is degraded.
fn incidents(site: &Site, latest: Option<&Report>, today: NaiveDate, items: &mut Vec<Item>) {
    let since = latest
        .and_then(|l| l.week())
        .unwrap_or(today - chrono::Duration::days(7));
    let covered_until = latest
        .and_then(|l| l.week())
        .map(|w| w + chrono::Duration::days(6));
    let sev_of = |pm: &Postmortem| pm.severity.clone().unwrap_or_default().to_uppercase();
    let recent: Vec<&Postmortem> = site
        .postmortems
        .iter()
        .filter(|pm| {
            pm.date.is_some_and(|d| d >= since && d <= today)
                && matches!(sev_of(pm).as_str(), "P1" | "P2")
        })
        .collect();
    let mut p1 = latest.and_then(|l| l.incidents_of("P1")).unwrap_or(0);
    let mut p2 = latest.and_then(|l| l.incidents_of("P2")).unwrap_or(0);
    for pm in &recent {
        // A post-mortem after the report's week is an incident it could not count.
        if covered_until.is_none_or(|end| pm.date.is_some_and(|d| d > end)) {
            match sev_of(pm).as_str() {
                "P1" => p1 += 1,
                _ => p2 += 1,
            }
        }
    }
    let health = if p1 > 0 {
        Health::Unhealthy
    } else if p2 > 0 {
        Health::Degraded
    } else {
        Health::Healthy
    };
    let period = match latest.and_then(|l| l.week()) {
        Some(w) => format!("since the {}", week_label(w)),
        None => format!("in the 7 days to {today}"),
    };
    let mut evidence = format!("{p1} P1 and {p2} P2 {period}");
    if let Some(l) = latest
        && let Some(list) = &l.incidents
    {
        let counts: Vec<String> = list.iter().map(|(s, n)| format!("{n} {s}")).collect();
        let _ = write!(evidence, " (the report counts {})", counts.join(", "));
    }
    let details = recent
        .iter()
        .map(|pm| Detail {
            text: format!(
                "{} {}: {}",
                sev_of(pm),
                pm.date.map(|d| d.to_string()).unwrap_or_default(),
                site.pages[pm.page].title
            ),
            link: Some(Link::page(site, pm.page)),
        })
        .collect();
    items.push(Item {
        rule: "incidents",
        health,
        title: match health {
            Health::Healthy => format!("No P1 or P2 incident {period}"),
            _ => format!("{p1} P1 and {p2} P2 incidents {period}"),
        },
        evidence,
        link: match latest {
            Some(l) => Some(report_link(site, l)),
            None if !site.postmortems.is_empty() => {
                Some(Link::new("Post-mortems", "postmortems/index.html"))
            }
            None => None,
        },
        details,
    });
}

/// One overdue action item with where it comes from.
pub struct Overdue<'a> {
    pub postmortem: &'a Postmortem,
    pub item: &'a crate::postmortem::ActionItem,
    pub days: i64,
}

/// Every overdue action item, most overdue first.
pub fn overdue<'a>(site: &'a Site, today: NaiveDate) -> Vec<Overdue<'a>> {
    let mut list: Vec<Overdue> = site
        .postmortems
        .iter()
        .flat_map(|pm| {
            pm.actions.iter().filter_map(move |item| {
                Some(Overdue {
                    postmortem: pm,
                    item,
                    days: item.overdue_days(today)?,
                })
            })
        })
        .collect();
    list.sort_by_key(|o| std::cmp::Reverse(o.days));
    list
}

/// Rule `actions-overdue`: any overdue post-mortem action item is degraded.
fn overdue_actions(site: &Site, today: NaiveDate, items: &mut Vec<Item>) {
    if site.postmortems.is_empty() {
        return;
    }
    let open = site
        .postmortems
        .iter()
        .flat_map(|pm| &pm.actions)
        .filter(|a| !a.is_done())
        .count();
    let list = overdue(site, today);
    let details: Vec<Detail> = list
        .iter()
        .map(|o| {
            let due = match o.item.deadline {
                crate::postmortem::Deadline::Date(d) => d.to_string(),
                _ => String::new(),
            };
            Detail {
                text: format!(
                    "{}: {}, due {due}, {} days overdue, status {}",
                    o.item.text.replace('`', ""),
                    o.item.owner.as_deref().unwrap_or("no owner"),
                    o.days,
                    if o.item.status.is_empty() {
                        "not given"
                    } else {
                        &o.item.status
                    }
                ),
                link: Some(Link::page(site, o.postmortem.page)),
            }
        })
        .collect();
    let n = list.len();
    items.push(Item {
        rule: "actions-overdue",
        health: degraded_if(n > 0),
        title: if n > 0 {
            format!(
                "{n} post-mortem action {} overdue",
                plural(n, "item", "items")
            )
        } else {
            "No post-mortem action item is overdue".into()
        },
        evidence: format!(
            "{n} of {open} open action items in {} post-mortems are past their deadline on {today}",
            site.postmortems.len()
        ),
        link: Some(Link::new(
            "Action items",
            if n > 0 {
                format!("{ACTIONS_PATH}?status=overdue")
            } else {
                ACTIONS_PATH.to_string()
            },
        )),
        details,
    });
}

/// Degraded when `bad`, else healthy: most rules read so.
fn degraded_if(bad: bool) -> Health {
    if bad {
        Health::Degraded
    } else {
        Health::Healthy
    }
}

/// `one` or `many`, as `n` asks.
fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

/// Rule `runbooks-stale`: any runbook older than `stale_after_days` is degraded.
fn stale_runbooks(site: &Site, today: NaiveDate, items: &mut Vec<Item>) {
    let runbooks: Vec<_> = site.pages_of(PageKind::Runbook).collect();
    if runbooks.is_empty() {
        return;
    }
    let after = site.config.stale_after_days;
    let mut stale: Vec<(i64, usize)> = runbooks
        .iter()
        .filter_map(|(i, p)| {
            let _ = p;
            let updated = site.updated(*i)?.date;
            Some((stale_days(updated, today, after)?, *i))
        })
        .collect();
    stale.sort_by_key(|(days, _)| std::cmp::Reverse(*days));
    let n = stale.len();
    items.push(Item {
        rule: "runbooks-stale",
        health: degraded_if(n > 0),
        title: if n > 0 {
            format!("{n} stale {}", plural(n, "runbook", "runbooks"))
        } else {
            "No stale runbook".into()
        },
        evidence: format!(
            "{n} of {} runbooks were last updated more than {after} days before {today}",
            runbooks.len()
        ),
        link: Some(Link::new("Runbooks", "runbooks/index.html")),
        details: stale
            .iter()
            .map(|(days, i)| Detail {
                text: format!("{} (last updated {days} days ago)", site.pages[*i].title),
                link: Some(Link::page(site, *i)),
            })
            .collect(),
    });
}

/// Rule `alarms-runbook`: any alarm without a working runbook is degraded.
fn alarms_without_runbook(site: &Site, items: &mut Vec<Item>) {
    if site.alarms.is_empty() {
        return;
    }
    let cov = Coverage::of(site);
    let n = cov.without_runbook.len();
    items.push(Item {
        rule: "alarms-runbook",
        health: degraded_if(n > 0),
        title: if n > 0 {
            format!(
                "{n} {} without a working runbook",
                plural(n, "alarm", "alarms")
            )
        } else {
            "Every alarm leads to a runbook".into()
        },
        evidence: format!(
            "{} of {} alarms reach a runbook page; {} link outside the wiki (not verified)",
            cov.alarms_ok,
            cov.alarms,
            cov.external.len()
        ),
        link: Some(Link::new(
            "Alarm coverage",
            "coverage/index.html#without-runbook",
        )),
        details: cov
            .without_runbook
            .iter()
            .map(|&i| {
                let a = &site.alarms[i];
                Detail {
                    text: format!(
                        "{}{}",
                        a.severity
                            .as_ref()
                            .map(|s| format!("{} ", s.value))
                            .unwrap_or_default(),
                        a.name
                    ),
                    link: Some(Link::new(
                        a.name.clone(),
                        format!("alarms/index.html#{}", a.anchor()),
                    )),
                }
            })
            .collect(),
    });
}

/// Rule `service-trend`: a service whose p95 rose 25% or more over the
/// window is degraded. Every service of the latest report is listed.
fn services(latest: &Report, window: &[&Report], items: &mut Vec<Item>) -> Vec<ServiceStatus> {
    let mut out = Vec::new();
    for s in &latest.services {
        let name = s.name.clone();
        let p95 = |r: &Report| {
            r.services
                .iter()
                .find(|x| x.name.eq_ignore_ascii_case(&name))
                .and_then(|x| x.p95_ms)
        };
        let change = window_change(window, p95);
        let mut parts = Vec::new();
        if let Some(rate) = s.success_rate_pct {
            parts.push(format!("{} success rate", Unit::Percent.format(rate)));
        }
        if let Some(v) = s.p95_ms {
            parts.push(format!("p95 {}", Unit::Ms.format(v)));
        }
        let mut health = Health::Healthy;
        if let Some((from_week, from, to)) = change
            && let Some(p) = pct(from, to)
        {
            parts.push(format!(
                "{} since the {}",
                pct_change(p),
                week_label(from_week)
            ));
            if p >= TREND_PCT {
                health = Health::Degraded;
                items.push(Item {
                    rule: "service-trend",
                    health,
                    title: format!(
                        "{} p95 up {} over the last {} reports",
                        s.name,
                        pct_change(p).trim_start_matches('+'),
                        window.len()
                    ),
                    evidence: format!(
                        "{} ({}) → {} ({})",
                        Unit::Ms.format(from),
                        week_label(from_week),
                        Unit::Ms.format(to),
                        latest.week().map(week_label).unwrap_or_default()
                    ),
                    link: Some(reports_link("services")),
                    details: Vec::new(),
                });
            }
        }
        out.push(ServiceStatus {
            name: s.name.clone(),
            health,
            summary: parts.join(", "),
        });
    }
    out
}

// ---------------------------------------------------------------------------
// Output formats
// ---------------------------------------------------------------------------

fn headline(status: &Status) -> String {
    let n = status.attention().count();
    match n {
        0 => "nothing needs attention".to_string(),
        1 => "1 item needs attention".to_string(),
        n => format!("{n} items need attention"),
    }
}

/// Plain text for a terminal.
pub fn to_text(status: &Status, base_url: Option<&str>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Production status, {}", status.today);
    if let Some(l) = &status.latest_report {
        let _ = writeln!(
            out,
            "Latest report: week of {} ({})",
            l.week_of,
            l.link.url(base_url)
        );
    }
    let _ = writeln!(
        out,
        "\nOverall: {} ({})",
        status.overall.name(),
        headline(status)
    );
    write_items_text(
        &mut out,
        "Needs attention:",
        status.attention().collect(),
        base_url,
    );
    if !status.services.is_empty() {
        let _ = writeln!(out, "\nServices:");
        let width = status
            .services
            .iter()
            .map(|s| s.name.chars().count())
            .max()
            .unwrap_or(0);
        for s in &status.services {
            let _ = writeln!(
                out,
                "  {:<width$}  {:<9}  {}",
                s.name,
                s.health.name(),
                s.summary
            );
        }
    }
    write_items_text(&mut out, "Fine:", status.healthy().collect(), base_url);
    out
}

/// Markdown to paste into a weekly ops channel.
pub fn to_markdown(status: &Status, base_url: Option<&str>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## Production status, {}\n", status.today);
    let _ = write!(
        out,
        "**Overall: {}**, {}",
        status.overall.name(),
        headline(status)
    );
    if let Some(l) = &status.latest_report {
        let _ = write!(
            out,
            " (latest report: [week of {}]({}))",
            l.week_of,
            l.link.url(base_url)
        );
    }
    out.push('\n');
    let attention: Vec<&Item> = status.attention().collect();
    if !attention.is_empty() {
        out.push_str("\n### Attention required\n\n");
        for (n, item) in attention.iter().enumerate() {
            let _ = writeln!(
                out,
                "{}. **{}: {}.** {}.{}",
                n + 1,
                item.health.name(),
                md_escape(&item.title),
                md_escape(&item.evidence),
                md_link(item.link.as_ref(), base_url)
            );
            for d in &item.details {
                match &d.link {
                    Some(l) => {
                        let _ = writeln!(out, "   - [{}]({})", md_escape(&d.text), l.url(base_url));
                    }
                    None => {
                        let _ = writeln!(out, "   - {}", md_escape(&d.text));
                    }
                }
            }
        }
    }
    if !status.services.is_empty() {
        out.push_str("\n### Services\n\n");
        for s in &status.services {
            let _ = writeln!(
                out,
                "- {}: {} ({})",
                md_escape(&s.name),
                s.health.name(),
                md_escape(&s.summary)
            );
        }
    }
    let fine: Vec<&Item> = status.healthy().collect();
    if !fine.is_empty() {
        out.push_str("\n### Fine\n\n");
        for item in fine {
            let _ = writeln!(
                out,
                "- {}. {}.{}",
                md_escape(&item.title),
                md_escape(&item.evidence),
                md_link(item.link.as_ref(), base_url)
            );
        }
    }
    out
}

/// ` [label](url)` for an item's link, or nothing.
fn md_link(link: Option<&Link>, base_url: Option<&str>) -> String {
    link.map(|l| format!(" [{}]({})", md_escape(&l.label), l.url(base_url)))
        .unwrap_or_default()
}

/// Escape what chat Markdown would read as markup in free text.
pub fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '_' | '[' | ']' | '<' | '>' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// JSON for scripts: the whole summary.
pub fn to_json(status: &Status, base_url: Option<&str>) -> String {
    let mut v = serde_json::to_value(status).unwrap_or_default();
    add_urls(&mut v, base_url);
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}

/// Give every link in a JSON value (an object with `label` and `path`) its
/// `url` as well.
pub fn add_urls(v: &mut serde_json::Value, base_url: Option<&str>) {
    match v {
        serde_json::Value::Object(map) => {
            if let (Some(serde_json::Value::String(path)), true) =
                (map.get("path").cloned(), map.contains_key("label"))
            {
                let link = Link::new("", path);
                map.insert("url".into(), link.url(base_url).into());
            }
            for (_, child) in map.iter_mut() {
                add_urls(child, base_url);
            }
        }
        serde_json::Value::Array(items) => {
            for child in items {
                add_urls(child, base_url);
            }
        }
        _ => {}
    }
}

/// One titled list of items as `to_text` writes it; the live status writes
/// its items the same way.
pub(crate) fn write_items_text(
    out: &mut String,
    title: &str,
    items: Vec<&Item>,
    base_url: Option<&str>,
) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{title}");
    for item in items {
        let _ = writeln!(out, "  [{}] {}", item.health.name(), item.title);
        let _ = writeln!(out, "      {}", item.evidence);
        for d in &item.details {
            match &d.link {
                Some(l) => {
                    let _ = writeln!(out, "      - {} ({})", d.text, l.url(base_url));
                }
                None => {
                    let _ = writeln!(out, "      - {}", d.text);
                }
            }
        }
        if let Some(link) = &item.link {
            let _ = writeln!(out, "      read: {}", link.url(base_url));
        }
    }
}
