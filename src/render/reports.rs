//! Weekly report pages (every metric against its target, week-over-week
//! changes, the error budget) and the reports index with its trend charts.

use anyhow::{Context, Result};
use serde::Serialize;

use super::Renderer;
use crate::chart::{self, Chart, Marker, Series};
use crate::model::{output_path, root_prefix};
use crate::report::{self, Better, Delta, MetricRow, Report, Unit, Verdict, number, pct_change};
use crate::status::REPORTS_PATH;

#[derive(Serialize)]
struct MetricView {
    key: String,
    label: String,
    value: Option<String>,
    target: Option<String>,
    /// met, missed or none
    verdict: &'static str,
    /// `+23 ms (+8.1%)` from the previous report.
    change: Option<String>,
    /// better, worse or same
    direction: &'static str,
}

#[derive(Serialize)]
struct BudgetView {
    allowed: String,
    used: String,
    left: String,
    left_pct: Option<String>,
    /// Share of the budget used, capped at 100, for the bar.
    used_share: f64,
    overspent: bool,
    source: &'static str,
}

#[derive(Serialize)]
struct ChartView {
    id: String,
    title: String,
    svg: String,
    table: String,
}

#[derive(Serialize)]
struct WeekLink {
    label: String,
    href: String,
}

#[derive(Serialize)]
struct ServiceView {
    name: String,
    success_rate: Option<String>,
    p95: Option<String>,
    change: Option<String>,
    direction: &'static str,
}

#[derive(Serialize)]
pub(super) struct ReportView {
    week_of: Option<String>,
    metrics: Vec<MetricView>,
    met: usize,
    missed: usize,
    budget: Option<BudgetView>,
    incidents: Vec<(String, u64)>,
    top_error: Option<String>,
    cost_note: Option<String>,
    services: Vec<ServiceView>,
    action_items: Vec<report::ReportAction>,
    previous: Option<WeekLink>,
    next: Option<WeekLink>,
    postmortems: Vec<WeekLink>,
}

fn direction(delta: Option<&Delta>, better: Better) -> &'static str {
    match delta {
        Some(d) if d.change > 0.0 => match better {
            Better::Higher => "better",
            Better::Lower => "worse",
        },
        Some(d) if d.change < 0.0 => match better {
            Better::Higher => "worse",
            Better::Lower => "better",
        },
        _ => "same",
    }
}

/// `+23 ms (+8.1%)`; `+0.02 pp` for percentages (a relative change of a
/// percentage says little).
fn change_label(unit: &Unit, d: &Delta) -> String {
    match (unit, d.pct) {
        (Unit::Percent, _) | (_, None) => unit.format_change(d.change),
        (_, Some(p)) => format!("{} ({})", unit.format_change(d.change), pct_change(p)),
    }
}

fn metric_view(row: &MetricRow) -> MetricView {
    MetricView {
        key: row.key.clone(),
        label: row.label.clone(),
        value: row.value.map(|v| row.unit.format(v)),
        target: row.target.map(|t| {
            let op = match row.better {
                Better::Higher => "≥",
                Better::Lower => "≤",
            };
            format!("{op} {}", row.unit.format(t))
        }),
        verdict: match row.verdict {
            Some(Verdict::Met) => "met",
            Some(Verdict::Missed) => "missed",
            None => "none",
        },
        change: row.delta.as_ref().map(|d| change_label(&row.unit, d)),
        direction: direction(row.delta.as_ref(), row.better),
    }
}

fn week_label(r: &Report) -> String {
    r.week()
        .map(|w| format!("Week of {w}"))
        .unwrap_or_else(|| "Undated report".into())
}

impl<'a> Renderer<'a> {
    fn report_link(&self, r: &Report, root: &str) -> WeekLink {
        WeekLink {
            label: week_label(r),
            href: format!("{root}{}", output_path(&self.site.pages[r.page].id)),
        }
    }

    /// What a report page shows above its narrative.
    pub(super) fn report_view(&self, page: usize, root: &str) -> Option<ReportView> {
        let reports = &self.site.reports;
        let r = reports.iter().find(|r| r.page == page)?;
        let prev = report::previous(reports, r);
        let rows = report::metric_rows(r, prev);
        let metrics: Vec<MetricView> = rows.iter().map(metric_view).collect();
        let budget = r.error_budget().map(|b| BudgetView {
            allowed: number(b.allowed_minutes, 2),
            used: number(b.used_minutes, 2),
            left: number(b.left_minutes, 2),
            left_pct: b.left_pct.map(|p| number(p, 1)),
            used_share: if b.allowed_minutes > 0.0 {
                (b.used_minutes / b.allowed_minutes * 100.0).clamp(0.0, 100.0)
            } else {
                100.0
            },
            overspent: b.left_minutes < 0.0,
            source: if b.from_downtime {
                "downtime_minutes"
            } else {
                "uptime_pct"
            },
        });
        let top_error = r.errors.as_ref().and_then(|e| {
            let name = e.top_name.clone()?;
            Some(match (e.top_count, e.total_5xx) {
                (Some(c), Some(t)) if t > 0.0 => format!(
                    "{name}: {} ({}% of all 5xx)",
                    number(c, 0),
                    number(c / t * 100.0, 0)
                ),
                (Some(c), _) => format!("{name}: {}", number(c, 0)),
                _ => name,
            })
        });
        let cost_note = r.cost.as_ref().and_then(|c| {
            let currency = c.currency.clone().unwrap_or_default();
            let mut parts = Vec::new();
            if let (Some(s), Some(b)) = (c.spend, c.budget)
                && b > 0.0
            {
                parts.push(format!(
                    "{}% of the weekly budget",
                    number(s / b * 100.0, 0)
                ));
            }
            if let (Some(item), Some(amount)) = (&c.largest_item, c.largest_amount) {
                parts.push(format!(
                    "largest item: {item} ({})",
                    report::money(amount, &currency)
                ));
            }
            (!parts.is_empty()).then(|| parts.join("; "))
        });
        let services = r
            .services
            .iter()
            .map(|s| {
                let before = prev.and_then(|p| {
                    p.services
                        .iter()
                        .find(|x| x.name.eq_ignore_ascii_case(&s.name))
                        .and_then(|x| x.p95_ms)
                });
                let d = report::delta(before, s.p95_ms);
                ServiceView {
                    name: s.name.clone(),
                    success_rate: s.success_rate_pct.map(|v| Unit::Percent.format(v)),
                    p95: s.p95_ms.map(|v| Unit::Ms.format(v)),
                    change: d.as_ref().map(|d| change_label(&Unit::Ms, d)),
                    direction: direction(d.as_ref(), Better::Lower),
                }
            })
            .collect();
        // Post-mortems of incidents in this report's week.
        let postmortems = r
            .week()
            .map(|w| {
                self.site
                    .postmortems
                    .iter()
                    .filter(|pm| {
                        pm.date
                            .is_some_and(|d| d >= w && d < w + chrono::Duration::days(7))
                    })
                    .map(|pm| {
                        let p = &self.site.pages[pm.page];
                        WeekLink {
                            label: format!(
                                "{}{}",
                                pm.severity
                                    .as_ref()
                                    .map(|s| format!("{s}: "))
                                    .unwrap_or_default(),
                                p.title
                            ),
                            href: format!("{root}{}", output_path(&p.id)),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(ReportView {
            week_of: r.week().map(|w| w.to_string()),
            met: metrics.iter().filter(|m| m.verdict == "met").count(),
            missed: metrics.iter().filter(|m| m.verdict == "missed").count(),
            metrics,
            budget,
            incidents: r.incidents.clone().unwrap_or_default(),
            top_error,
            cost_note,
            services,
            action_items: r.action_items.clone(),
            previous: prev.map(|p| self.report_link(p, root)),
            next: report::next(reports, r).map(|n| self.report_link(n, root)),
            postmortems,
        })
    }

    /// The reports index: a table of every week and the trend charts.
    pub(super) fn render_reports_index(&self) -> Result<(String, String)> {
        let root = root_prefix(REPORTS_PATH);
        let list = report::chronological(&self.site.reports);
        let labels: Vec<String> = list
            .iter()
            .filter_map(|r| r.week())
            .map(|w| w.format("%b %-d").to_string())
            .collect();
        let titles: Vec<String> = list
            .iter()
            .filter_map(|r| r.week())
            .map(|w| format!("Week of {w}"))
            .collect();
        let col = |f: &dyn Fn(&Report) -> Option<f64>| -> Vec<Option<f64>> {
            list.iter().map(|r| f(r)).collect()
        };
        let span = match (
            list.first().and_then(|r| r.week()),
            list.last().and_then(|r| r.week()),
        ) {
            (Some(a), Some(b)) => format!("from the week of {a} to the week of {b}"),
            _ => String::new(),
        };
        let pct_fmt = |v: f64| Unit::Percent.format(v);
        let ms_fmt = |v: f64| Unit::Ms.format(v);
        let count_fmt = |v: f64| number(v, 0);
        let currency = list
            .iter()
            .rev()
            .find_map(|r| r.cost.as_ref().and_then(|c| c.currency.clone()))
            .unwrap_or_default();
        let money_fmt = |v: f64| report::money(v, &currency);
        let mut charts: Vec<ChartView> = Vec::new();
        let mut add = |id: &str, chart: Chart| {
            charts.push(ChartView {
                id: id.to_string(),
                title: chart.title.to_string(),
                svg: chart::render(&chart),
                table: chart::data_table(&chart),
            });
        };

        let uptime = col(&|r| r.uptime());
        let target = col(&|r| r.availability.as_ref().and_then(|a| a.target_pct));
        add(
            "uptime",
            Chart {
                id: "chart-uptime",
                title: "Uptime against target",
                description: format!(
                    "Weekly uptime in percent against the availability target, {span}."
                ),
                x_labels: labels.clone(),
                x_titles: titles.clone(),
                y_label: "%",
                format: &pct_fmt,
                zero_based: false,
                ceiling: Some(100.0),
                whole: false,
                bars: vec![],
                bar_classes: vec![],
                lines: vec![
                    Series::line("Uptime", uptime, "c1", Marker::Circle),
                    Series::target("Target", target, "over"),
                ],
            },
        );

        let mut lat_lines = Vec::new();
        let mut lat_targets = Vec::new();
        let names: Vec<String> = {
            let mut names: Vec<String> = Vec::new();
            for r in &list {
                for l in &r.latency {
                    if !names.iter().any(|n| n.eq_ignore_ascii_case(&l.name)) {
                        names.push(l.name.clone());
                    }
                }
            }
            names
        };
        let styles = [
            ("c1", Marker::Circle),
            ("c2", Marker::Square),
            ("c3", Marker::Triangle),
        ];
        for (i, name) in names.iter().enumerate() {
            let (class, marker) = styles[i % styles.len()];
            lat_lines.push(Series::line(
                name.clone(),
                col(&|r| r.latency(name).and_then(|l| l.value)),
                class,
                marker,
            ));
            let t = col(&|r| r.latency(name).and_then(|l| l.target));
            if t.iter().any(Option::is_some) {
                lat_targets.push(Series::target(format!("{name} target"), t, class));
            }
        }
        lat_lines.extend(lat_targets);
        add(
            "latency",
            Chart {
                id: "chart-latency",
                title: "Latency percentiles against targets",
                description: format!(
                    "Weekly latency percentiles in milliseconds, each with its target as a dashed line, {span}."
                ),
                x_labels: labels.clone(),
                x_titles: titles.clone(),
                y_label: "ms",
                format: &ms_fmt,
                zero_based: true,
                ceiling: None,
                whole: false,
                bars: vec![],
                bar_classes: vec![],
                lines: lat_lines,
            },
        );

        add(
            "errors",
            Chart {
                id: "chart-errors",
                title: "5xx errors per week",
                description: format!("Total 5xx responses per week, {span}."),
                x_labels: labels.clone(),
                x_titles: titles.clone(),
                y_label: "errors",
                format: &count_fmt,
                zero_based: true,
                ceiling: None,
                whole: true,
                bars: vec![Series::bars("5xx errors", col(&Report::total_5xx), "c1")],
                bar_classes: vec![],
                lines: vec![],
            },
        );

        let spend = col(&Report::spend);
        let budget = col(&Report::budget);
        let over: Vec<(usize, &'static str)> = spend
            .iter()
            .zip(&budget)
            .enumerate()
            .filter(|(_, (s, b))| matches!((s, b), (Some(s), Some(b)) if s > b))
            .map(|(i, _)| (i, "over"))
            .collect();
        let mut cost_bars = vec![Series::bars("Spend", spend, "c1")];
        if !over.is_empty() {
            // A legend entry for the weeks drawn in the over-budget colour.
            cost_bars.push(Series::bars(
                "Over budget",
                vec![None; labels.len()],
                "over",
            ));
        }
        add(
            "cost",
            Chart {
                id: "chart-cost",
                title: "Spend against budget",
                description: format!(
                    "Weekly spend against the weekly budget (dashed), weeks over budget in red, {span}."
                ),
                x_labels: labels.clone(),
                x_titles: titles.clone(),
                y_label: if currency.is_empty() {
                    "USD"
                } else {
                    currency.as_str()
                },
                format: &money_fmt,
                zero_based: true,
                ceiling: None,
                whole: false,
                bars: cost_bars,
                bar_classes: over,
                lines: vec![Series::target("Budget", budget, "muted")],
            },
        );

        let severities = &self.site.config.severities;
        let sev_class = |i: usize| ["p1", "p2", "p3", "p4"].get(i).copied().unwrap_or("muted");
        add(
            "incidents",
            Chart {
                id: "chart-incidents",
                title: "Incidents by severity",
                description: format!("Incidents per week, stacked by severity, {span}."),
                x_labels: labels.clone(),
                x_titles: titles.clone(),
                y_label: "incidents",
                format: &count_fmt,
                zero_based: true,
                ceiling: None,
                whole: true,
                bars: severities
                    .iter()
                    .enumerate()
                    .map(|(i, s)| {
                        Series::bars(
                            s.clone(),
                            col(&|r| {
                                r.incidents
                                    .as_ref()
                                    .map(|_| r.incidents_of(s).unwrap_or(0) as f64)
                            }),
                            sev_class(i),
                        )
                    })
                    .collect(),
                bar_classes: vec![],
                lines: vec![],
            },
        );

        // Every week in a table, newest first.
        #[derive(Serialize)]
        struct WeekRow {
            label: String,
            href: String,
            uptime: Option<String>,
            uptime_verdict: &'static str,
            p95: Option<String>,
            p95_verdict: &'static str,
            errors: Option<String>,
            spend: Option<String>,
            spend_verdict: &'static str,
            incidents: Option<String>,
            met: usize,
            missed: usize,
        }
        let verdict_name = |v: Option<Verdict>| match v {
            Some(Verdict::Met) => "met",
            Some(Verdict::Missed) => "missed",
            None => "none",
        };
        let weeks: Vec<WeekRow> = list
            .iter()
            .rev()
            .map(|r| {
                let rows = report::metric_rows(r, None);
                let find = |k: &str| rows.iter().find(|m| m.key == k);
                let fmt_row = |k: &str| find(k).and_then(|m| m.value.map(|v| m.unit.format(v)));
                let incidents = r.incidents.as_ref().map(|list| {
                    let parts: Vec<String> = list
                        .iter()
                        .filter(|(_, n)| *n > 0)
                        .map(|(s, n)| format!("{n} {s}"))
                        .collect();
                    if parts.is_empty() {
                        "none".to_string()
                    } else {
                        parts.join(", ")
                    }
                });
                let link = self.report_link(r, &root);
                WeekRow {
                    label: link.label,
                    href: link.href,
                    uptime: fmt_row("uptime"),
                    uptime_verdict: verdict_name(find("uptime").and_then(|m| m.verdict)),
                    p95: fmt_row("p95"),
                    p95_verdict: verdict_name(find("p95").and_then(|m| m.verdict)),
                    errors: fmt_row("5xx"),
                    spend: fmt_row("spend"),
                    spend_verdict: verdict_name(find("spend").and_then(|m| m.verdict)),
                    incidents,
                    met: rows
                        .iter()
                        .filter(|m| m.verdict == Some(Verdict::Met))
                        .count(),
                    missed: rows
                        .iter()
                        .filter(|m| m.verdict == Some(Verdict::Missed))
                        .count(),
                }
            })
            .collect();

        // Per-service p95 over the weeks, newest report's services.
        #[derive(Serialize)]
        struct ServiceTrend {
            name: String,
            values: Vec<Option<String>>,
            change: Option<String>,
            direction: &'static str,
        }
        let services: Vec<ServiceTrend> = list
            .last()
            .map(|latest| {
                latest
                    .services
                    .iter()
                    .map(|s| {
                        let values: Vec<Option<f64>> = list
                            .iter()
                            .map(|r| {
                                r.services
                                    .iter()
                                    .find(|x| x.name.eq_ignore_ascii_case(&s.name))
                                    .and_then(|x| x.p95_ms)
                            })
                            .collect();
                        let first = values.iter().flatten().next().copied();
                        let d = report::delta(first, s.p95_ms);
                        ServiceTrend {
                            name: s.name.clone(),
                            values: values.iter().map(|v| v.map(|v| number(v, 0))).collect(),
                            change: d.and_then(|d| d.pct).map(pct_change),
                            direction: direction(d.as_ref(), Better::Lower),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();

        let mut ctx = self.base_context(REPORTS_PATH, "reports", "Weekly ops reports");
        ctx.insert("charts", &charts);
        ctx.insert("weeks", &weeks);
        ctx.insert("labels", &labels);
        ctx.insert("services", &services);
        ctx.insert("report_count", &list.len());
        ctx.insert("span", &span);
        let html = self
            .tera
            .render("reports.html", &ctx)
            .context("rendering the reports index")?;
        Ok((REPORTS_PATH.to_string(), html))
    }
}
