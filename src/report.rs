//! Weekly ops reports: the data blocks of a report's front matter, read into
//! numbers, and what opswiki computes from them (never typed by hand):
//! each metric against its target, week-over-week changes from the previous
//! report, and the error budget of the week.
//!
//! **Error budget.** The period is the report's week: 7 × 24 × 60 = 10,080
//! minutes. The budget is the downtime the availability target allows in
//! that week, `(100 − target_pct) / 100 × 10,080` minutes (10.08 minutes at
//! 99.9%). The downtime used is `downtime_minutes` when the report gives
//! it, otherwise `(100 − uptime_pct) / 100 × 10,080`. What is left is the
//! budget minus the downtime used, in minutes and as a share of the budget;
//! below zero the budget is overspent and the target was missed.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::config::Config;
use crate::diag::{Code, Diagnostic, Span};
use crate::model::{Field, Page, PageKind};
use crate::source::SourceFile;
use crate::yaml::{Node, Value};

/// Minutes in the period of a weekly report.
pub const WEEK_MINUTES: f64 = 7.0 * 24.0 * 60.0;

/// The data of one weekly report. Blocks the report leaves out are `None`
/// (or empty); values that could not be read are `None` and a diagnostic.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// Index of its page in `Site::pages`.
    pub page: usize,
    pub week_of: Option<Field<NaiveDate>>,
    pub availability: Option<Availability>,
    /// Incident counts by severity, in the config's order of severities.
    pub incidents: Option<Vec<(String, u64)>>,
    /// Latency percentiles in the order written (`p50`, `p95`, `p99`, ...).
    pub latency: Vec<Latency>,
    pub errors: Option<Errors>,
    pub cost: Option<Cost>,
    pub services: Vec<ServiceHealth>,
    pub action_items: Vec<ReportAction>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Availability {
    pub uptime_pct: Option<f64>,
    pub target_pct: Option<f64>,
    pub downtime_minutes: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Latency {
    pub name: String,
    pub value: Option<f64>,
    pub target: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Errors {
    pub total_5xx: Option<f64>,
    pub top_name: Option<String>,
    pub top_count: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cost {
    pub spend: Option<f64>,
    pub budget: Option<f64>,
    pub currency: Option<String>,
    pub largest_item: Option<String>,
    pub largest_amount: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ServiceHealth {
    pub name: String,
    pub success_rate_pct: Option<f64>,
    pub p95_ms: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReportAction {
    pub text: String,
    pub owner: Option<String>,
    pub done: bool,
}

impl Report {
    pub fn week(&self) -> Option<NaiveDate> {
        self.week_of.as_ref().map(|f| f.value)
    }

    pub fn latency(&self, name: &str) -> Option<&Latency> {
        self.latency
            .iter()
            .find(|l| l.name.eq_ignore_ascii_case(name))
    }

    pub fn incidents_of(&self, severity: &str) -> Option<u64> {
        self.incidents
            .as_ref()
            .and_then(|list| list.iter().find(|(s, _)| s == severity).map(|(_, n)| *n))
    }

    pub fn incidents_total(&self) -> Option<u64> {
        self.incidents
            .as_ref()
            .map(|l| l.iter().map(|(_, n)| n).sum())
    }

    pub fn uptime(&self) -> Option<f64> {
        self.availability.as_ref().and_then(|a| a.uptime_pct)
    }

    pub fn total_5xx(&self) -> Option<f64> {
        self.errors.as_ref().and_then(|e| e.total_5xx)
    }

    pub fn spend(&self) -> Option<f64> {
        self.cost.as_ref().and_then(|c| c.spend)
    }

    pub fn budget(&self) -> Option<f64> {
        self.cost.as_ref().and_then(|c| c.budget)
    }

    pub fn error_budget(&self) -> Option<ErrorBudget> {
        self.availability.as_ref().and_then(error_budget)
    }
}

// ---------------------------------------------------------------------------
// Computations
// ---------------------------------------------------------------------------

/// The error budget of one week (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ErrorBudget {
    /// Downtime the target allows in the week, minutes.
    pub allowed_minutes: f64,
    /// Downtime of the week, minutes.
    pub used_minutes: f64,
    /// `allowed − used`; negative when overspent.
    pub left_minutes: f64,
    /// `left / allowed × 100`; `None` for a 100% target (no budget at all).
    pub left_pct: Option<f64>,
    /// Whether `used_minutes` came from `downtime_minutes` (else from uptime).
    pub from_downtime: bool,
}

pub fn error_budget(a: &Availability) -> Option<ErrorBudget> {
    let target = a.target_pct?;
    let (used, from_downtime) = match (a.downtime_minutes, a.uptime_pct) {
        (Some(d), _) => (d, true),
        (None, Some(u)) => ((100.0 - u) / 100.0 * WEEK_MINUTES, false),
        (None, None) => return None,
    };
    let allowed = (100.0 - target) / 100.0 * WEEK_MINUTES;
    let left = allowed - used;
    Some(ErrorBudget {
        allowed_minutes: allowed,
        used_minutes: used,
        left_minutes: left,
        left_pct: (allowed > 0.0).then(|| left / allowed * 100.0),
        from_downtime,
    })
}

/// A change from one value to another.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Delta {
    pub from: f64,
    pub to: f64,
    /// `to − from`.
    pub change: f64,
    /// `(to − from) / from × 100`; `None` when `from` is 0.
    pub pct: Option<f64>,
}

pub fn delta(from: Option<f64>, to: Option<f64>) -> Option<Delta> {
    let (from, to) = (from?, to?);
    Some(Delta {
        from,
        to,
        change: to - from,
        pct: (from != 0.0).then(|| (to - from) / from * 100.0),
    })
}

/// Which way is good for a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Better {
    Higher,
    Lower,
}

/// A metric's value against its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Met,
    Missed,
}

pub fn verdict(value: Option<f64>, target: Option<f64>, better: Better) -> Option<Verdict> {
    let (v, t) = (value?, target?);
    let ok = match better {
        Better::Higher => v >= t,
        Better::Lower => v <= t,
    };
    Some(if ok { Verdict::Met } else { Verdict::Missed })
}

/// One row of a report's "against target" table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricRow {
    /// Stable key: `uptime`, `p50`, `p95`, `p99`, `spend`, `5xx`, `incidents`.
    pub key: String,
    pub label: String,
    pub unit: Unit,
    pub value: Option<f64>,
    pub target: Option<f64>,
    pub verdict: Option<Verdict>,
    pub better: Better,
    /// Change from the previous report.
    pub delta: Option<Delta>,
}

/// How to print a metric's numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    Percent,
    Ms,
    Count,
    Minutes,
    Money(String),
}

/// Every metric of `report` with its target, verdict and the change from
/// `previous`.
pub fn metric_rows(report: &Report, previous: Option<&Report>) -> Vec<MetricRow> {
    let mut rows = Vec::new();
    if let Some(a) = &report.availability {
        rows.push(MetricRow {
            key: "uptime".into(),
            label: "Uptime".into(),
            unit: Unit::Percent,
            value: a.uptime_pct,
            target: a.target_pct,
            verdict: verdict(a.uptime_pct, a.target_pct, Better::Higher),
            better: Better::Higher,
            delta: delta(previous.and_then(Report::uptime), a.uptime_pct),
        });
        if a.downtime_minutes.is_some() {
            rows.push(MetricRow {
                key: "downtime".into(),
                label: "Downtime".into(),
                unit: Unit::Minutes,
                value: a.downtime_minutes,
                target: None,
                verdict: None,
                better: Better::Lower,
                delta: delta(
                    previous
                        .and_then(|p| p.availability.as_ref())
                        .and_then(|p| p.downtime_minutes),
                    a.downtime_minutes,
                ),
            });
        }
    }
    for l in &report.latency {
        rows.push(MetricRow {
            key: l.name.to_lowercase(),
            label: format!("Latency {}", l.name),
            unit: Unit::Ms,
            value: l.value,
            target: l.target,
            verdict: verdict(l.value, l.target, Better::Lower),
            better: Better::Lower,
            delta: delta(
                previous
                    .and_then(|p| p.latency(&l.name))
                    .and_then(|p| p.value),
                l.value,
            ),
        });
    }
    if let Some(e) = &report.errors
        && e.total_5xx.is_some()
    {
        rows.push(MetricRow {
            key: "5xx".into(),
            label: "5xx errors".into(),
            unit: Unit::Count,
            value: e.total_5xx,
            target: None,
            verdict: None,
            better: Better::Lower,
            delta: delta(previous.and_then(Report::total_5xx), e.total_5xx),
        });
    }
    if report.incidents.is_some() {
        rows.push(MetricRow {
            key: "incidents".into(),
            label: "Incidents".into(),
            unit: Unit::Count,
            value: report.incidents_total().map(|n| n as f64),
            target: None,
            verdict: None,
            better: Better::Lower,
            delta: delta(
                previous.and_then(Report::incidents_total).map(|n| n as f64),
                report.incidents_total().map(|n| n as f64),
            ),
        });
    }
    if let Some(c) = &report.cost {
        rows.push(MetricRow {
            key: "spend".into(),
            label: "Spend".into(),
            unit: Unit::Money(c.currency.clone().unwrap_or_default()),
            value: c.spend,
            target: c.budget,
            verdict: verdict(c.spend, c.budget, Better::Lower),
            better: Better::Lower,
            delta: delta(previous.and_then(Report::spend), c.spend),
        });
    }
    rows
}

/// Reports with a `week_of`, oldest first (ties by file order).
pub fn chronological(reports: &[Report]) -> Vec<&Report> {
    let mut list: Vec<&Report> = reports.iter().filter(|r| r.week_of.is_some()).collect();
    list.sort_by_key(|r| (r.week(), r.page));
    list
}

/// The report before `report`: the latest one with an earlier `week_of`.
pub fn previous<'a>(reports: &'a [Report], report: &Report) -> Option<&'a Report> {
    let week = report.week()?;
    reports
        .iter()
        .filter(|r| r.week().is_some_and(|w| w < week))
        .max_by_key(|r| (r.week(), r.page))
}

/// The report after `report`: the earliest one with a later `week_of`.
pub fn next<'a>(reports: &'a [Report], report: &Report) -> Option<&'a Report> {
    let week = report.week()?;
    reports
        .iter()
        .filter(|r| r.week().is_some_and(|w| w > week))
        .min_by_key(|r| (r.week(), r.page))
}

// ---------------------------------------------------------------------------
// Formatting numbers for people
// ---------------------------------------------------------------------------

pub use crate::number::number;

/// A money amount: `$342`, `€1,200`, `342 CHF`.
pub fn money(n: f64, currency: &str) -> String {
    let amount = number(n, 2);
    match currency.to_ascii_uppercase().as_str() {
        "USD" | "" => format!("${amount}"),
        "EUR" => format!("€{amount}"),
        "GBP" => format!("£{amount}"),
        other => format!("{amount} {other}"),
    }
}

impl Unit {
    /// A value in this unit: `99.95%`, `308 ms`, `1,384`, `12 min`, `$384`.
    pub fn format(&self, n: f64) -> String {
        match self {
            Unit::Percent => format!("{}%", number(n, 3)),
            Unit::Ms => format!("{} ms", number(n, 1)),
            Unit::Count => number(n, 1),
            Unit::Minutes => format!("{} min", number(n, 1)),
            Unit::Money(c) => money(n, c),
        }
    }

    /// A change in this unit, signed: `+0.02 pp`, `+23 ms`, `−5`.
    pub fn format_change(&self, n: f64) -> String {
        let sign = if n > 0.0 {
            "+"
        } else if n < 0.0 {
            "−"
        } else {
            "±"
        };
        let abs = n.abs();
        let body = match self {
            Unit::Percent => format!("{} pp", number(abs, 3)),
            other => other.format(abs),
        };
        format!("{sign}{body}")
    }
}

/// A signed percentage: `+7.9%`, `−15%`.
pub fn pct_change(p: f64) -> String {
    let sign = if p > 0.0 {
        "+"
    } else if p < 0.0 {
        "−"
    } else {
        "±"
    };
    format!("{sign}{}%", number(p.abs(), 1))
}

// ---------------------------------------------------------------------------
// Reading the front matter
// ---------------------------------------------------------------------------

/// Read the data of every report page. Problems with a block or a value are
/// diagnostics at the offending value; checks across reports (missing or
/// duplicate `week_of`) are in `check/reports.rs`.
pub fn build(
    sources: &[SourceFile],
    pages: &[Page],
    config: &Config,
) -> (Vec<Report>, Vec<Diagnostic>) {
    let mut reports = Vec::new();
    let mut diags = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        if page.kind != PageKind::Report {
            continue;
        }
        let mut reader = Reader {
            file: &sources[page.source],
            diags: &mut diags,
        };
        reports.push(reader.report(i, page.front.as_ref(), config));
    }
    (reports, diags)
}

struct Reader<'a> {
    file: &'a SourceFile,
    diags: &'a mut Vec<Diagnostic>,
}

impl Reader<'_> {
    fn span(&self, node: &Node) -> Span {
        let len = node.as_text().map_or(1, |t| t.chars().count());
        self.file
            .span_at(node.pos.line, node.pos.column)
            .with_len(len)
    }

    fn invalid(&mut self, node: &Node, message: String, help: &str) {
        let d = Diagnostic::new(Code::ReportBlockInvalid, self.span(node), message);
        self.diags.push(if help.is_empty() {
            d
        } else {
            d.with_help(help)
        });
    }

    /// The entries of a block that must be a mapping.
    fn map<'n>(
        &mut self,
        node: &'n Node,
        path: &str,
        help: &str,
    ) -> Option<&'n [(crate::yaml::Key, Node)]> {
        if node.is_map() {
            Some(node.entries())
        } else {
            self.invalid(
                node,
                format!("`{path}` must be a mapping, found {}", node.type_name()),
                help,
            );
            None
        }
    }

    fn unknown_key(&mut self, key: &crate::yaml::Key, path: &str, known: &[&str]) {
        self.diags.push(
            Diagnostic::new(
                Code::ReportKeyUnknown,
                self.file
                    .span_at(key.pos.line, key.pos.column)
                    .with_len(key.name.chars().count()),
                format!("`{path}` has no key `{}`; opswiki ignores it", key.name),
            )
            .with_help(format!("keys of `{path}`: {}", known.join(", "))),
        );
    }

    /// A number in `[min, max]`; out of range or not a number is a diagnostic.
    fn number(&mut self, node: &Node, path: &str, min: f64, max: Option<f64>) -> Option<f64> {
        if node.is_null() {
            return None;
        }
        let Some(n) = node.as_f64().filter(|n| n.is_finite()) else {
            self.invalid(
                node,
                format!("`{path}` must be a number, found {}", node.type_name()),
                "write the number alone, without a unit: `uptime_pct: 99.95`",
            );
            return None;
        };
        let too_high = max.is_some_and(|m| n > m);
        if n < min || too_high {
            let bound = match max {
                Some(m) if n > m => format!("above {}", number(m, 3)),
                _ => "negative".to_string(),
            };
            self.diags.push(
                Diagnostic::new(
                    Code::ReportValueOutOfRange,
                    self.span(node),
                    format!("`{path}` is {}: {bound}", number(n, 3)),
                )
                .with_help(match max {
                    Some(m) => format!(
                        "`{path}` lies between {} and {}",
                        number(min, 3),
                        number(m, 3)
                    ),
                    None => format!("`{path}` cannot be negative"),
                }),
            );
            return None;
        }
        Some(n)
    }

    fn count(&mut self, node: &Node, path: &str) -> Option<f64> {
        let n = self.number(node, path, 0.0, None)?;
        if n.fract() != 0.0 {
            self.invalid(
                node,
                format!("`{path}` must be a whole number, found {}", number(n, 3)),
                "",
            );
            return None;
        }
        Some(n)
    }

    fn text(&mut self, node: &Node, path: &str) -> Option<String> {
        if node.is_null() {
            return None;
        }
        match node.as_text() {
            Some(t) => Some(t.trim().to_string()),
            None => {
                self.invalid(
                    node,
                    format!("`{path}` must be text, found {}", node.type_name()),
                    "",
                );
                None
            }
        }
    }

    fn report(&mut self, page: usize, front: Option<&Node>, config: &Config) -> Report {
        let mut report = Report {
            page,
            ..Report::default()
        };
        let Some(front) = front else {
            return report;
        };
        if let Some(node) = front.get("week_of")
            && let Some(text) = self.text(node, "week_of")
        {
            match NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
                Ok(value) => {
                    report.week_of = Some(Field {
                        value,
                        span: self.span(node),
                    })
                }
                Err(_) => self.diags.push(
                    Diagnostic::new(
                        Code::DateInvalid,
                        self.span(node),
                        format!("`week_of` is not a date: `{text}`"),
                    )
                    .with_help("write the week's first day as YYYY-MM-DD, e.g. 2026-11-16"),
                ),
            }
        }
        if let Some(node) = front.get("availability") {
            report.availability = self.availability(node);
        }
        if let Some(node) = front.get("incidents") {
            report.incidents = self.incidents(node, config);
        }
        if let Some(node) = front.get("latency_ms") {
            report.latency = self.latency(node);
        }
        if let Some(node) = front.get("errors") {
            report.errors = self.errors(node);
        }
        if let Some(node) = front.get("cost") {
            report.cost = self.cost(node);
        }
        if let Some(node) = front.get("services") {
            report.services = self.services(node);
        }
        if let Some(node) = front.get("action_items") {
            report.action_items = self.action_items(node);
        }
        report
    }

    fn availability(&mut self, node: &Node) -> Option<Availability> {
        const KEYS: [&str; 3] = ["uptime_pct", "target_pct", "downtime_minutes"];
        let entries = self.map(
            node,
            "availability",
            "e.g. `availability: {uptime_pct: 99.97, target_pct: 99.9, downtime_minutes: 12}`",
        )?;
        let mut a = Availability::default();
        for (key, value) in entries {
            let path = format!("availability.{}", key.name);
            match key.name.as_str() {
                "uptime_pct" => a.uptime_pct = self.number(value, &path, 0.0, Some(100.0)),
                "target_pct" => a.target_pct = self.number(value, &path, 0.0, Some(100.0)),
                "downtime_minutes" => {
                    a.downtime_minutes = self.number(value, &path, 0.0, Some(WEEK_MINUTES))
                }
                _ => self.unknown_key(key, "availability", &KEYS),
            }
        }
        Some(a)
    }

    fn incidents(&mut self, node: &Node, config: &Config) -> Option<Vec<(String, u64)>> {
        let entries = self.map(
            node,
            "incidents",
            "e.g. `incidents: {P1: 0, P2: 1, P3: 2, P4: 0}`",
        )?;
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        for (key, value) in entries {
            let path = format!("incidents.{}", key.name);
            let Some(sev) = config
                .severities
                .iter()
                .find(|s| s.eq_ignore_ascii_case(&key.name))
            else {
                self.diags.push(
                    Diagnostic::new(
                        Code::SeverityUnknown,
                        self.file
                            .span_at(key.pos.line, key.pos.column)
                            .with_len(key.name.chars().count()),
                        format!("unknown severity `{}` in `incidents`", key.name),
                    )
                    .with_help(format!(
                        "severities of this site: {}",
                        config.severities.join(", ")
                    )),
                );
                continue;
            };
            if let Some(n) = self.count(value, &path) {
                counts.insert(sev.clone(), n as u64);
            }
        }
        Some(
            config
                .severities
                .iter()
                .map(|s| (s.clone(), counts.get(s).copied().unwrap_or(0)))
                .collect(),
        )
    }

    fn latency(&mut self, node: &Node) -> Vec<Latency> {
        let help = "e.g. `latency_ms: {p95: {value: 180, target: 500}}`";
        let Some(entries) = self.map(node, "latency_ms", help) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (key, value) in entries {
            let path = format!("latency_ms.{}", key.name);
            let mut l = Latency {
                name: key.name.clone(),
                ..Latency::default()
            };
            match &value.value {
                Value::Int(_) | Value::Float(_) => {
                    l.value = self.number(value, &path, 0.0, None);
                }
                Value::Map(fields) => {
                    for (k, v) in fields {
                        let p = format!("{path}.{}", k.name);
                        match k.name.as_str() {
                            "value" => l.value = self.number(v, &p, 0.0, None),
                            "target" => l.target = self.number(v, &p, 0.0, None),
                            _ => self.unknown_key(k, &path, &["value", "target"]),
                        }
                    }
                }
                _ => {
                    self.invalid(
                        value,
                        format!(
                            "`{path}` must be `{{value: N, target: N}}`, found {}",
                            value.type_name()
                        ),
                        help,
                    );
                    continue;
                }
            }
            out.push(l);
        }
        out
    }

    fn errors(&mut self, node: &Node) -> Option<Errors> {
        let help = "e.g. `errors: {total_5xx: 127, top: {name: \"TimeoutError\", count: 68}}`";
        let entries = self.map(node, "errors", help)?;
        let mut e = Errors::default();
        for (key, value) in entries {
            match key.name.as_str() {
                "total_5xx" => e.total_5xx = self.count(value, "errors.total_5xx"),
                "top" => {
                    let Some(fields) = self.map(value, "errors.top", help) else {
                        continue;
                    };
                    for (k, v) in fields {
                        match k.name.as_str() {
                            "name" => e.top_name = self.text(v, "errors.top.name"),
                            "count" => e.top_count = self.count(v, "errors.top.count"),
                            _ => self.unknown_key(k, "errors.top", &["name", "count"]),
                        }
                    }
                }
                _ => self.unknown_key(key, "errors", &["total_5xx", "top"]),
            }
        }
        Some(e)
    }

    fn cost(&mut self, node: &Node) -> Option<Cost> {
        let help = "e.g. `cost: {spend: 342, budget: 400, currency: USD}`";
        let entries = self.map(node, "cost", help)?;
        let mut c = Cost::default();
        for (key, value) in entries {
            match key.name.as_str() {
                "spend" => c.spend = self.number(value, "cost.spend", 0.0, None),
                "budget" => c.budget = self.number(value, "cost.budget", 0.0, None),
                "currency" => c.currency = self.text(value, "cost.currency"),
                "largest" => {
                    let Some(fields) = self.map(value, "cost.largest", help) else {
                        continue;
                    };
                    for (k, v) in fields {
                        match k.name.as_str() {
                            "item" => c.largest_item = self.text(v, "cost.largest.item"),
                            "amount" => {
                                c.largest_amount = self.number(v, "cost.largest.amount", 0.0, None)
                            }
                            _ => self.unknown_key(k, "cost.largest", &["item", "amount"]),
                        }
                    }
                }
                _ => self.unknown_key(key, "cost", &["spend", "budget", "currency", "largest"]),
            }
        }
        Some(c)
    }

    /// A block that must be a list of mappings.
    fn list<'n>(&mut self, node: &'n Node, path: &str, help: &str) -> &'n [Node] {
        match node.as_seq() {
            Some(items) => items,
            None if node.is_null() => &[],
            None => {
                self.invalid(
                    node,
                    format!("`{path}` must be a list, found {}", node.type_name()),
                    help,
                );
                &[]
            }
        }
    }

    fn services(&mut self, node: &Node) -> Vec<ServiceHealth> {
        const KEYS: [&str; 3] = ["name", "success_rate_pct", "p95_ms"];
        let help = "e.g. `services: [{name: API Gateway, success_rate_pct: 99.98, p95_ms: 180}]`";
        let mut out = Vec::new();
        for item in self.list(node, "services", help) {
            let Some(fields) = self.map(item, "services[]", help) else {
                continue;
            };
            let mut s = ServiceHealth::default();
            for (k, v) in fields {
                let path = format!("services[].{}", k.name);
                match k.name.as_str() {
                    "name" => s.name = self.text(v, &path).unwrap_or_default(),
                    "success_rate_pct" => {
                        s.success_rate_pct = self.number(v, &path, 0.0, Some(100.0))
                    }
                    "p95_ms" => s.p95_ms = self.number(v, &path, 0.0, None),
                    _ => self.unknown_key(k, "services[]", &KEYS),
                }
            }
            if s.name.is_empty() {
                self.invalid(item, "a service has no `name`".into(), help);
                continue;
            }
            out.push(s);
        }
        out
    }

    fn action_items(&mut self, node: &Node) -> Vec<ReportAction> {
        let help =
            "e.g. `action_items: [{text: Optimize the query, owner: \"@engineer\", done: false}]`";
        let mut out = Vec::new();
        for item in self.list(node, "action_items", help) {
            if let Some(text) = item.as_str() {
                out.push(ReportAction {
                    text: text.to_string(),
                    ..ReportAction::default()
                });
                continue;
            }
            let Some(fields) = self.map(item, "action_items[]", help) else {
                continue;
            };
            let mut a = ReportAction::default();
            for (k, v) in fields {
                match k.name.as_str() {
                    "text" => a.text = self.text(v, "action_items[].text").unwrap_or_default(),
                    "owner" => a.owner = self.text(v, "action_items[].owner"),
                    "done" => match v.value {
                        Value::Bool(b) => a.done = b,
                        _ => self.invalid(
                            v,
                            format!(
                                "`action_items[].done` must be true or false, found {}",
                                v.type_name()
                            ),
                            "",
                        ),
                    },
                    _ => self.unknown_key(k, "action_items[]", &["text", "owner", "done"]),
                }
            }
            out.push(a);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_budget_of_a_week() {
        // 99.9% of 10,080 minutes allows 10.08 minutes; 12 used leaves −1.92.
        let b = error_budget(&Availability {
            uptime_pct: Some(99.97),
            target_pct: Some(99.9),
            downtime_minutes: Some(12.0),
        })
        .unwrap();
        assert!((b.allowed_minutes - 10.08).abs() < 1e-9);
        assert!((b.left_minutes + 1.92).abs() < 1e-9);
        assert!((b.left_pct.unwrap() + 1.92 / 10.08 * 100.0).abs() < 1e-9);
        // Without downtime, from uptime: 0.05% of 10,080 = 5.04 minutes.
        let b = error_budget(&Availability {
            uptime_pct: Some(99.95),
            target_pct: Some(99.9),
            downtime_minutes: None,
        })
        .unwrap();
        assert!((b.used_minutes - 5.04).abs() < 1e-9);
        assert!(!b.from_downtime);
        assert!((b.left_pct.unwrap() - 50.0).abs() < 1e-9);
    }

    #[test]
    fn numbers_for_people() {
        assert_eq!(number(1384.0, 0), "1,384");
        assert_eq!(number(99.950, 3), "99.95");
        assert_eq!(number(-0.0001, 2), "0");
        assert_eq!(money(342.0, "USD"), "$342");
        assert_eq!(money(1200.5, "CHF"), "1,200.5 CHF");
        assert_eq!(Unit::Percent.format_change(0.02), "+0.02 pp");
        assert_eq!(Unit::Ms.format_change(-23.0), "−23 ms");
        assert_eq!(pct_change(7.94), "+7.9%");
    }

    #[test]
    fn deltas() {
        let d = delta(Some(285.0), Some(308.0)).unwrap();
        assert_eq!(d.change, 23.0);
        assert!((d.pct.unwrap() - 23.0 / 285.0 * 100.0).abs() < 1e-9);
        assert_eq!(delta(Some(0.0), Some(3.0)).unwrap().pct, None);
        assert_eq!(delta(None, Some(3.0)), None);
    }
}
