//! The live status: what is firing now and how each service is doing, read
//! from Prometheus and Alertmanager (`status:` in `opswiki.yaml`) and joined
//! to the wiki: each alert to its alarm definition and runbook section.
//!
//! Every failure is part of the answer, never a crash: a monitoring system
//! that cannot be reached, a timeout, a PromQL error (shown with the
//! indicator's line in `opswiki.yaml`), an Alertmanager answering 5xx. What
//! could be read is still reported. The rules that give the overall health
//! are in `docs/status.md`.
//!
//! This module reads the model (the site's alarms, pages and config) and
//! knows nothing of commands or the server; `opswiki status --live`, the
//! build's snapshot page and the served `status/live/` all call [`gather`].

use std::collections::BTreeMap;
use std::fmt::Write;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::alarms::RunbookLink;
use crate::config::{CONFIG_FILE, Indicator, StatusConfig};
use crate::deployments::{
    AfterDeployment, Deployment, DeploymentProblem, DeploymentSource, RecentDeployments,
};
use crate::model::output_path;
use crate::site::Site;
use crate::status::{Detail, Health, Item, Link, TREND_PCT};

/// Where the live status page is written and served.
pub const LIVE_PATH: &str = "status/live/index.html";
/// Points of a range query over the window: enough for a trend and a
/// sparkline, few enough to stay quick.
const RANGE_POINTS: u64 = 60;
/// Points of the deployments metric's range query over the window (one a
/// minute over 24 h): two deployments of one series within a step of each
/// other show as the later one.
const DEPLOY_POINTS: u64 = 1440;
/// The largest answer read from a monitoring system.
const BODY_LIMIT: u64 = 8 * 1024 * 1024;

/// What the live status needs from the site, taken once (the server keeps
/// one per build and answers each request from it).
#[derive(Debug, Clone)]
pub struct Catalogue {
    pub status: Option<StatusConfig>,
    /// The site root: its git repository holds the deployment tags.
    pub root: std::path::PathBuf,
    pub base_url: Option<String>,
    /// The site's severities, most severe first.
    severities: Vec<String>,
    severity_map: BTreeMap<String, String>,
    alarms: Vec<KnownAlarm>,
    /// The weekly summary's `spend` and `spend-pace` items (the spend
    /// against budget from the latest weekly reports), carried as they are.
    weekly: Vec<Item>,
}

#[derive(Debug, Clone)]
struct KnownAlarm {
    name: String,
    raw_severity: Option<String>,
    severity: Option<String>,
    service: Option<String>,
    /// The alarm's entry in the catalogue.
    catalogue: Link,
    runbook: Runbook,
}

#[derive(Debug, Clone)]
enum Runbook {
    /// A runbook page of the wiki (with its anchor).
    Page(Link),
    /// A URL outside the wiki, not verified.
    External(String),
    /// No working runbook: why.
    Gap(String),
}

impl Catalogue {
    pub fn of(site: &Site) -> Catalogue {
        let alarms = site
            .alarms
            .iter()
            .map(|alarm| {
                let link = site.resolve_runbook(alarm);
                let written = alarm
                    .runbook
                    .as_ref()
                    .map(|r| r.value.clone())
                    .unwrap_or_default();
                let runbook = match (&link, site.reaches_runbook(&link)) {
                    (RunbookLink::Page { page, anchor }, Some(_)) => {
                        let p = &site.pages[*page];
                        let path = match anchor {
                            Some(a) => format!("{}#{}", output_path(&p.id), a.to_lowercase()),
                            None => output_path(&p.id),
                        };
                        Runbook::Page(Link {
                            label: match anchor {
                                Some(a) => format!("{} #{}", p.title, a.to_lowercase()),
                                None => p.title.clone(),
                            },
                            path,
                        })
                    }
                    (RunbookLink::External, _) => Runbook::External(written),
                    (RunbookLink::Missing, _) => {
                        Runbook::Gap("its alarm gives no runbook".to_string())
                    }
                    (RunbookLink::Pattern { .. }, Some(page)) => {
                        let p = &site.pages[page];
                        Runbook::Page(Link {
                            label: p.title.clone(),
                            path: output_path(&p.id),
                        })
                    }
                    (RunbookLink::Pattern { open, .. }, None) => Runbook::Gap(format!(
                        "its runbook template `{written}` reaches no runbook ({} left open)",
                        open.join(", ")
                    )),
                    (RunbookLink::Broken, _) => {
                        Runbook::Gap(format!("its runbook link `{written}` leads to no page"))
                    }
                    (RunbookLink::Page { page, anchor }, None) => {
                        let p = &site.pages[*page];
                        Runbook::Gap(match anchor {
                            Some(a) if !p.has_anchor(a) => {
                                format!(
                                    "its runbook link `{written}`: `{a}` is no heading of that page"
                                )
                            }
                            _ => format!(
                                "its runbook link `{written}` leads to a page that is not a runbook"
                            ),
                        })
                    }
                };
                KnownAlarm {
                    name: alarm.name.clone(),
                    raw_severity: alarm.raw_severity.clone(),
                    severity: alarm.severity.as_ref().map(|s| s.value.clone()),
                    service: alarm.service.clone(),
                    catalogue: Link {
                        label: alarm.name.clone(),
                        path: format!("alarms/index.html#{}", alarm.anchor()),
                    },
                    runbook,
                }
            })
            .collect();
        let today = chrono::Local::now().date_naive();
        let weekly = crate::status::compute(site, today)
            .items
            .into_iter()
            .filter(|i| matches!(i.rule, "spend" | "spend-pace"))
            .collect();
        Catalogue {
            weekly,
            status: site.config.status.clone(),
            root: site.root.clone(),
            base_url: site.config.base_url.clone(),
            severities: site.config.severities.clone(),
            severity_map: site.config.severity_map.clone(),
            alarms,
        }
    }

    /// The site's alarm an alert is about: by name, and among alarms of the
    /// same name (a warning and a critical rule) the one of its severity.
    fn alarm_for(&self, name: &str, severity: Option<&str>) -> Option<&KnownAlarm> {
        let mut same = self.alarms.iter().filter(|a| a.name == name);
        let first = same.next()?;
        let matches = |a: &&KnownAlarm| {
            severity.is_some_and(|s| {
                a.raw_severity
                    .as_deref()
                    .or(a.severity.as_deref())
                    .is_some_and(|x| x.eq_ignore_ascii_case(s))
            })
        };
        if matches(&first) {
            return Some(first);
        }
        Some(same.find(matches).unwrap_or(first))
    }
}

// ---------------------------------------------------------------------------
// The model of a live report
// ---------------------------------------------------------------------------

/// Where an alert stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertState {
    Firing,
    Pending,
    Silenced,
    Inhibited,
}

impl AlertState {
    pub fn name(self) -> &'static str {
        match self {
            AlertState::Firing => "firing",
            AlertState::Pending => "pending",
            AlertState::Silenced => "silenced",
            AlertState::Inhibited => "inhibited",
        }
    }
}

/// One alert, joined to the wiki.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LiveAlert {
    pub name: String,
    pub state: AlertState,
    /// The wiki's severity: the alarm's, else the `severity` label mapped
    /// by `severity_map`, else the label as it is.
    pub severity: Option<String>,
    pub summary: Option<String>,
    /// When it started (Alertmanager's `startsAt`, Prometheus' `activeAt`).
    pub since: Option<String>,
    /// The same for a person at 3 a.m.: `07:01:20 UTC, 12 min ago`.
    pub since_text: Option<String>,
    /// `alertmanager` or `prometheus`.
    pub source: &'static str,
    pub labels: BTreeMap<String, String>,
    pub silenced_by: Vec<String>,
    pub inhibited_by: Vec<String>,
    pub service: Option<String>,
    /// The alarm in the wiki's catalogue; none when the wiki has no alarm
    /// of this name.
    pub alarm: Option<Link>,
    /// The runbook section to open.
    pub runbook: Option<Link>,
    /// A runbook outside the wiki (the alarm's, or the alert's
    /// `runbook_url` when the wiki has no alarm), not verified.
    pub runbook_url: Option<String>,
    /// Why the wiki cannot lead from this alert to a runbook.
    pub gap: Option<String>,
    /// The deployment it started soon after (`status.deployments`).
    pub after_deployment: Option<AfterDeployment>,
}

/// An indicator's values over the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    pub first: f64,
    pub last: f64,
    pub min: f64,
    pub max: f64,
    /// `(last − first) / |first| × 100`; none when `first` is 0.
    pub change_pct: Option<f64>,
    /// The values, oldest first (for the sparkline).
    pub values: Vec<f64>,
}

/// One indicator, measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorStatus {
    pub name: String,
    pub query: String,
    pub unit: String,
    pub target: Option<String>,
    /// `opswiki.yaml:LINE:COLUMN` of its query.
    pub config: String,
    pub now: Option<f64>,
    pub trend: Option<Trend>,
    pub health: Health,
    /// What was found, in words.
    pub verdict: String,
    /// Why it could not be measured (or only in part).
    pub problem: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceLive {
    pub name: String,
    pub health: Health,
    pub indicators: Vec<IndicatorStatus>,
}

/// One monitoring system asked, and how that went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceStatus {
    /// `alertmanager` or `prometheus`.
    pub name: &'static str,
    pub url: String,
    pub ok: bool,
    /// What went wrong, as the first failing request saw it.
    pub problem: Option<String>,
    /// The slowest request to it, in milliseconds.
    pub millis: u64,
}

/// The live report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LiveStatus {
    pub overall: Health,
    /// When it was taken, UTC, RFC 3339.
    pub taken_at: String,
    /// How long gathering took, in milliseconds.
    pub took_ms: u64,
    /// Whether every monitoring system answered every request.
    pub complete: bool,
    pub window: String,
    pub sources: Vec<SourceStatus>,
    /// Firing, then pending: most severe first.
    pub alerts: Vec<LiveAlert>,
    /// Silenced or inhibited: known, and someone has said not to page.
    pub suppressed: Vec<LiveAlert>,
    pub services: Vec<ServiceLive>,
    /// The deployments inside the window; none without `status.deployments`.
    pub deployments: Option<RecentDeployments>,
    /// Worst first, as in `opswiki status`; the rules are in docs/status.md.
    pub items: Vec<Item>,
}

impl LiveStatus {
    pub fn attention(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(|i| i.health != Health::Healthy)
    }

    pub fn healthy(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(|i| i.health == Health::Healthy)
    }
}

// ---------------------------------------------------------------------------
// The client and the monitoring systems' answers
// ---------------------------------------------------------------------------

struct Client {
    agent: ureq::Agent,
    token: Option<String>,
    timeout: Duration,
}

/// What a request came back with: the answer, or why there was none.
struct Answer<T> {
    result: Result<T, String>,
    millis: u64,
}

impl Client {
    fn new(status: &StatusConfig) -> (Client, Option<String>) {
        let timeout = Duration::from_millis(status.timeout_ms);
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            // 4xx and 5xx carry the error text (PromQL errors come as 400).
            .http_status_as_error(false)
            .user_agent(concat!("opswiki/", env!("CARGO_PKG_VERSION")))
            .build();
        let mut note = None;
        let token = status.token_env.as_ref().and_then(|name| {
            match std::env::var(name) {
                Ok(t) if !t.trim().is_empty() => Some(t.trim().to_string()),
                _ => {
                    note = Some(format!(
                        "the environment variable {name} (status.token_env) is not set: requests went without a token"
                    ));
                    None
                }
            }
        });
        (
            Client {
                agent: config.into(),
                token,
                timeout,
            },
            note,
        )
    }

    /// GET a URL; the status and body, or why there is none.
    fn get(&self, url: &str, query: &[(&str, String)]) -> Answer<(u16, String)> {
        let started = Instant::now();
        let mut request = self.agent.get(url);
        for (k, v) in query {
            request = request.query(*k, v);
        }
        if let Some(token) = &self.token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        let result = request
            .call()
            .and_then(|mut response| {
                let status = response.status().as_u16();
                let body = response
                    .body_mut()
                    .with_config()
                    .limit(BODY_LIMIT)
                    .read_to_string()?;
                Ok((status, body))
            })
            .map_err(|e| self.describe(e));
        Answer {
            result,
            millis: started.elapsed().as_millis() as u64,
        }
    }

    fn describe(&self, err: ureq::Error) -> String {
        match err {
            ureq::Error::Timeout(_) => format!(
                "no answer within {} (status.timeout)",
                millis_text(self.timeout.as_millis() as u64)
            ),
            ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                "could not connect: connection refused (is it running?)".to_string()
            }
            ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::TimedOut => format!(
                "no answer within {} (status.timeout)",
                millis_text(self.timeout.as_millis() as u64)
            ),
            ureq::Error::HostNotFound => "could not connect: host not found".to_string(),
            ureq::Error::ConnectionFailed => "could not connect".to_string(),
            other => format!("request failed: {other}"),
        }
    }
}

fn millis_text(ms: u64) -> String {
    if ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else {
        format!("{ms} ms")
    }
}

/// Prometheus' envelope around every API answer.
#[derive(serde::Deserialize)]
struct PromEnvelope<T> {
    status: String,
    data: Option<T>,
    #[serde(rename = "errorType")]
    error_type: Option<String>,
    error: Option<String>,
}

#[derive(serde::Deserialize)]
struct PromAlerts {
    alerts: Vec<PromAlert>,
}

#[derive(serde::Deserialize)]
struct PromAlert {
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
    state: String,
    #[serde(rename = "activeAt")]
    active_at: Option<String>,
}

/// Alertmanager's `gettableAlert` (API v2), the fields used.
#[derive(serde::Deserialize)]
struct AmAlert {
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
    #[serde(rename = "startsAt")]
    starts_at: Option<String>,
    status: AmAlertStatus,
}

#[derive(serde::Deserialize)]
struct AmAlertStatus {
    state: String,
    #[serde(rename = "silencedBy", default)]
    silenced_by: Vec<String>,
    #[serde(rename = "inhibitedBy", default)]
    inhibited_by: Vec<String>,
}

/// A query's result, by `resultType`.
#[derive(serde::Deserialize)]
#[serde(tag = "resultType", content = "result", rename_all = "lowercase")]
enum QueryData {
    Vector(Vec<Sample>),
    Matrix(Vec<Series>),
    Scalar((f64, String)),
    String(serde::de::IgnoredAny),
}

#[derive(serde::Deserialize)]
struct Sample {
    value: (f64, String),
}

#[derive(serde::Deserialize)]
struct Series {
    #[serde(default)]
    metric: BTreeMap<String, String>,
    values: Vec<(f64, String)>,
}

/// A sample value as Prometheus writes it (`"99.95"`, `"NaN"`, `"+Inf"`).
fn sample_value(text: &str) -> Option<f64> {
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// The first line of a body, short, for a message; of an HTML page (a
/// proxy's error page), its title.
fn body_excerpt(body: &str) -> String {
    let title = body
        .find("<title>")
        .and_then(|at| body[at + 7..].split_once("</title>"))
        .map(|(t, _)| t);
    let line = title
        .unwrap_or_else(|| body.lines().next().unwrap_or(""))
        .trim();
    let mut out: String = line.chars().take(200).collect();
    if line.chars().count() > 200 {
        out.push('…');
    }
    out
}

/// A Prometheus API call: its data, or the error it gave (its PromQL error
/// text for a bad query).
fn prom_api<T: DeserializeOwned>(
    client: &Client,
    base: &str,
    path: &str,
    query: &[(&str, String)],
) -> Answer<T> {
    let answer = client.get(&format!("{base}{path}"), query);
    let result = answer.result.and_then(|(status, body)| {
        match serde_json::from_str::<PromEnvelope<T>>(&body) {
            Ok(env) if env.status == "success" => env
                .data
                .ok_or_else(|| "the answer has no `data`".to_string()),
            Ok(env) => Err(format!(
                "{}{}",
                env.error_type.map(|t| format!("{t}: ")).unwrap_or_default(),
                env.error.unwrap_or_else(|| format!("HTTP {status}"))
            )),
            Err(_) if status >= 300 => Err(format!("HTTP {status}: {}", body_excerpt(&body))),
            Err(e) => Err(format!("an answer that is not Prometheus' API: {e}")),
        }
    });
    Answer {
        result,
        millis: answer.millis,
    }
}

fn alertmanager_alerts(client: &Client, base: &str) -> Answer<Vec<AmAlert>> {
    let answer = client.get(&format!("{base}/api/v2/alerts"), &[]);
    let result = answer.result.and_then(|(status, body)| {
        if status >= 300 {
            return Err(format!("HTTP {status}: {}", body_excerpt(&body)));
        }
        serde_json::from_str(&body)
            .map_err(|e| format!("an answer that is not Alertmanager's API v2: {e}"))
    });
    Answer {
        result,
        millis: answer.millis,
    }
}

// ---------------------------------------------------------------------------
// Gathering
// ---------------------------------------------------------------------------

/// Everything a report is made from, as the requests came back.
struct Fetched {
    am: Option<Answer<Vec<AmAlert>>>,
    prom_alerts: Option<Answer<PromAlerts>>,
    /// Per service, per indicator: (instant, range).
    indicators: Vec<Vec<(Answer<QueryData>, Answer<QueryData>)>>,
    /// The deployments metric over the window.
    deploy_query: Option<Answer<QueryData>>,
    /// The deployments tagged in git inside the window.
    deploy_tags: Option<Result<Vec<Deployment>, String>>,
}

fn fetch(client: &Client, status: &StatusConfig, root: &std::path::Path, now: f64) -> Fetched {
    let prom = status.prometheus_url.as_deref();
    let step = (status.window_secs / RANGE_POINTS).max(1);
    let start = now - status.window_secs as f64;
    let deployments = status.deployments.as_ref();
    // Every request at once: the slowest, not the sum, is what it takes.
    std::thread::scope(|scope| {
        let am = status
            .alertmanager_url
            .as_deref()
            .map(|base| scope.spawn(move || alertmanager_alerts(client, base)));
        let alerts =
            prom.map(|base| scope.spawn(move || prom_api(client, base, "/api/v1/alerts", &[])));
        let deploy_tags = deployments.and_then(|d| d.tags.as_ref()).map(|pattern| {
            scope.spawn(move || {
                crate::deployments::from_tags(root, pattern, start as i64, now as i64)
            })
        });
        let deploy_query = deployments.and_then(|d| d.query.as_ref()).map(|query| {
            let deploy_step = (status.window_secs / DEPLOY_POINTS).max(1);
            prom.map(|base| {
                scope.spawn(move || {
                    prom_api(
                        client,
                        base,
                        "/api/v1/query_range",
                        &[
                            ("query", query.text.clone()),
                            ("start", format!("{start:.3}")),
                            ("end", format!("{now:.3}")),
                            ("step", format!("{deploy_step}s")),
                        ],
                    )
                })
            })
        });
        let indicators: Vec<Vec<_>> = status
            .services
            .iter()
            .map(|s| {
                s.indicators
                    .iter()
                    .map(|i| {
                        prom.map(|base| {
                            let instant = scope.spawn(move || {
                                prom_api(
                                    client,
                                    base,
                                    "/api/v1/query",
                                    &[("query", i.query.clone()), ("time", format!("{now:.3}"))],
                                )
                            });
                            let range = scope.spawn(move || {
                                prom_api(
                                    client,
                                    base,
                                    "/api/v1/query_range",
                                    &[
                                        ("query", i.query.clone()),
                                        ("start", format!("{start:.3}")),
                                        ("end", format!("{now:.3}")),
                                        ("step", format!("{step}s")),
                                    ],
                                )
                            });
                            (instant, range)
                        })
                    })
                    .collect()
            })
            .collect();
        let no_prometheus = || Answer {
            result: Err("no `status.prometheus_url` in opswiki.yaml".to_string()),
            millis: 0,
        };
        Fetched {
            am: am.map(join),
            prom_alerts: alerts.map(join),
            deploy_tags: deploy_tags.map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("reading the tags failed".to_string()))
            }),
            deploy_query: deploy_query.map(|h| match h {
                Some(h) => join(h),
                None => no_prometheus(),
            }),
            indicators: indicators
                .into_iter()
                .map(|s| {
                    s.into_iter()
                        .map(|pair| match pair {
                            Some((a, b)) => (join(a), join(b)),
                            None => (no_prometheus(), no_prometheus()),
                        })
                        .collect()
                })
                .collect(),
        }
    })
}

fn join<T>(h: std::thread::ScopedJoinHandle<'_, Answer<T>>) -> Answer<T> {
    h.join().unwrap_or_else(|_| Answer {
        result: Err("the request thread failed".to_string()),
        millis: 0,
    })
}

/// Ask the monitoring systems and build the report. Never fails: what
/// could not be read is said in the report.
pub fn gather(catalogue: &Catalogue) -> LiveStatus {
    let started = Instant::now();
    let status = catalogue.status.clone().unwrap_or_default();
    let (client, token_note) = Client::new(&status);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    let fetched = fetch(&client, &status, &catalogue.root, now);
    let mut live = assemble(catalogue, &status, fetched, token_note, now);
    live.taken_at =
        chrono::DateTime::<chrono::Utc>::from(UNIX_EPOCH + Duration::from_secs_f64(now))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    live.took_ms = started.elapsed().as_millis() as u64;
    live
}

/// An RFC 3339 start time as a person reads it beside the report's own
/// time: the time of day in UTC to the second (the monitoring systems give
/// nanoseconds), and how long ago, in the largest whole unit.
fn since_text(since: &str, now: f64) -> Option<String> {
    let at = chrono::DateTime::parse_from_rfc3339(since)
        .ok()?
        .with_timezone(&chrono::Utc);
    let ago = (now - at.timestamp() as f64).max(0.0) as u64;
    let ago = match ago {
        0..60 => "just now".to_string(),
        60..3600 => format!("{} min ago", ago / 60),
        3600..86400 => format!("{} h {} min ago", ago / 3600, ago % 3600 / 60),
        _ => format!("{} days ago", ago / 86400),
    };
    let day = if now - (at.timestamp() as f64) < 86400.0 {
        String::new()
    } else {
        at.format("%Y-%m-%d ").to_string()
    };
    Some(format!("{day}{} UTC, {ago}", at.format("%H:%M:%S")))
}

/// A source's record, kept up to date as its answers are looked at.
fn note_source(
    sources: &mut Vec<SourceStatus>,
    name: &'static str,
    url: &str,
    millis: u64,
    problem: Option<&str>,
) {
    let at = match sources.iter().position(|s| s.name == name) {
        Some(at) => at,
        None => {
            sources.push(SourceStatus {
                name,
                url: url.to_string(),
                ok: true,
                problem: None,
                millis: 0,
            });
            sources.len() - 1
        }
    };
    let s = &mut sources[at];
    s.millis = s.millis.max(millis);
    if let Some(p) = problem
        && s.ok
    {
        s.ok = false;
        s.problem = Some(p.to_string());
    }
}

/// Problems that say the system itself could not be asked (as opposed to
/// a query it refused).
fn unreachable(problem: &str) -> bool {
    problem.starts_with("could not connect")
        || problem.starts_with("no answer within")
        || problem.starts_with("request failed")
        || problem.starts_with("HTTP 5")
}

fn assemble(
    catalogue: &Catalogue,
    status: &StatusConfig,
    fetched: Fetched,
    token_note: Option<String>,
    now: f64,
) -> LiveStatus {
    let mut sources = Vec::new();
    let mut alerts = Vec::new();
    let mut alerts_read = false;
    let am_url = status.alertmanager_url.clone().unwrap_or_default();
    let prom_url = status.prometheus_url.clone().unwrap_or_default();

    // Firing alerts, with silences and inhibitions, from Alertmanager.
    let mut from_am = false;
    if let Some(answer) = fetched.am {
        match answer.result {
            Ok(list) => {
                note_source(&mut sources, "alertmanager", &am_url, answer.millis, None);
                from_am = true;
                alerts_read = true;
                for a in list {
                    let state = match a.status.state.as_str() {
                        "suppressed" if !a.status.silenced_by.is_empty() => AlertState::Silenced,
                        "suppressed" => AlertState::Inhibited,
                        _ => AlertState::Firing,
                    };
                    let mut alert =
                        join_alarm(catalogue, a.labels, a.annotations, state, "alertmanager");
                    alert.since = a.starts_at;
                    alert.silenced_by = a.status.silenced_by;
                    alert.inhibited_by = a.status.inhibited_by;
                    alerts.push(alert);
                }
            }
            Err(p) => {
                note_source(
                    &mut sources,
                    "alertmanager",
                    &am_url,
                    answer.millis,
                    Some(&p),
                );
            }
        }
    }
    // Pending alerts (Alertmanager never sees them), and firing ones when
    // Alertmanager could not say.
    if let Some(answer) = fetched.prom_alerts {
        match answer.result {
            Ok(data) => {
                note_source(&mut sources, "prometheus", &prom_url, answer.millis, None);
                alerts_read = true;
                for a in data.alerts {
                    let state = match a.state.as_str() {
                        "pending" => AlertState::Pending,
                        "firing" if !from_am => AlertState::Firing,
                        _ => continue,
                    };
                    let mut alert =
                        join_alarm(catalogue, a.labels, a.annotations, state, "prometheus");
                    alert.since = a.active_at;
                    alerts.push(alert);
                }
            }
            Err(p) => note_source(
                &mut sources,
                "prometheus",
                &prom_url,
                answer.millis,
                Some(&p),
            ),
        }
    }
    // Recent deployments, and the alerts that started soon after one.
    let deployments = status.deployments.as_ref().map(|config| {
        let mut list = Vec::new();
        let mut problems = Vec::new();
        if let (Some(pattern), Some(tags)) = (&config.tags, fetched.deploy_tags) {
            match tags {
                Ok(found) => list.extend(found),
                Err(problem) => problems.push(DeploymentProblem {
                    source: DeploymentSource::Git,
                    problem,
                    config: pattern.at(),
                    written: pattern.text.clone(),
                }),
            }
        }
        if let (Some(query), Some(answer)) = (&config.query, fetched.deploy_query) {
            if !prom_url.is_empty() {
                let problem = answer.result.as_ref().err().map(String::as_str);
                note_source(
                    &mut sources,
                    "prometheus",
                    &prom_url,
                    answer.millis,
                    problem.filter(|p| unreachable(p)),
                );
            }
            let from = (now - status.window_secs as f64) as i64;
            match answer.result.and_then(labelled_series) {
                Ok(series) => list.extend(crate::deployments::from_series(
                    series,
                    &config.label,
                    from,
                    now as i64,
                )),
                Err(problem) => problems.push(DeploymentProblem {
                    source: DeploymentSource::Prometheus,
                    problem,
                    config: query.at(),
                    written: query.text.clone(),
                }),
            }
        }
        crate::deployments::sort(&mut list);
        for alert in &mut alerts {
            alert.after_deployment = alert.since.as_deref().and_then(|since| {
                crate::deployments::followed(&list, since, config.soon_after_secs)
            });
        }
        RecentDeployments {
            soon_after: config.soon_after.clone(),
            list,
            problems,
        }
    });
    let rank = |a: &LiveAlert| {
        a.severity
            .as_ref()
            .and_then(|s| catalogue.severities.iter().position(|x| x == s))
            .unwrap_or(usize::MAX)
    };
    alerts.sort_by(|a, b| {
        (a.state, rank(a), &a.name, &a.labels).cmp(&(b.state, rank(b), &b.name, &b.labels))
    });
    for alert in &mut alerts {
        alert.since_text = alert
            .since
            .as_deref()
            .and_then(|since| since_text(since, now));
    }
    let (active, suppressed): (Vec<LiveAlert>, Vec<LiveAlert>) = alerts
        .into_iter()
        .partition(|a| matches!(a.state, AlertState::Firing | AlertState::Pending));

    // Indicators.
    let mut services = Vec::new();
    for (service, answers) in status.services.iter().zip(fetched.indicators) {
        let mut indicators = Vec::new();
        for (indicator, (instant, range)) in service.indicators.iter().zip(answers) {
            for answer in [&instant, &range] {
                if !prom_url.is_empty() {
                    let problem = answer.result.as_ref().err().map(String::as_str);
                    // A refused query says nothing against Prometheus itself.
                    let problem = problem.filter(|p| unreachable(p));
                    note_source(
                        &mut sources,
                        "prometheus",
                        &prom_url,
                        answer.millis,
                        problem,
                    );
                }
            }
            indicators.push(measure(indicator, instant.result, range.result));
        }
        services.push(ServiceLive {
            name: service.name.clone(),
            health: indicators
                .iter()
                .map(|i| i.health)
                .max()
                .unwrap_or(Health::Healthy),
            indicators,
        });
    }

    let mut items = Vec::new();
    sources_item(&sources, token_note, &mut items);
    if alerts_read {
        firing_item(catalogue, &active, &suppressed, from_am, &mut items);
        gaps_item(&active, &suppressed, &mut items);
    }
    indicator_items(&services, &status.window, &mut items);
    if let Some(d) = &deployments {
        deployment_items(d, &active, &status.window, &mut items);
    }
    items.extend(catalogue.weekly.iter().cloned());
    items.sort_by_key(|i| std::cmp::Reverse(i.health));
    LiveStatus {
        overall: items
            .iter()
            .map(|i| i.health)
            .max()
            .unwrap_or(Health::Healthy),
        taken_at: String::new(),
        took_ms: 0,
        complete: sources.iter().all(|s| s.ok),
        window: status.window.clone(),
        sources,
        alerts: active,
        suppressed,
        services,
        deployments,
        items,
    }
}

/// An alert joined to its alarm and runbook.
fn join_alarm(
    catalogue: &Catalogue,
    labels: BTreeMap<String, String>,
    annotations: BTreeMap<String, String>,
    state: AlertState,
    source: &'static str,
) -> LiveAlert {
    let name = labels.get("alertname").cloned().unwrap_or_default();
    let label_severity = labels.get("severity").cloned();
    let alarm = catalogue.alarm_for(&name, label_severity.as_deref());
    let severity = alarm.and_then(|a| a.severity.clone()).or_else(|| {
        label_severity.as_ref().map(|s| {
            catalogue
                .severity_map
                .get(&s.to_lowercase())
                .cloned()
                .unwrap_or_else(|| s.clone())
        })
    });
    let annotation_runbook = annotations
        .get("runbook_url")
        .or_else(|| annotations.get("runbook"))
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .cloned();
    let (runbook, runbook_url, gap) = match alarm.map(|a| &a.runbook) {
        Some(Runbook::Page(link)) => (Some(link.clone()), None, None),
        Some(Runbook::External(url)) => (None, Some(url.clone()), None),
        Some(Runbook::Gap(why)) => (None, None, Some(why.clone())),
        None => (
            None,
            annotation_runbook,
            Some(format!("the wiki has no alarm named `{name}`")),
        ),
    };
    LiveAlert {
        summary: annotations
            .get("summary")
            .or_else(|| annotations.get("description"))
            .cloned(),
        name,
        state,
        severity,
        since: None,
        since_text: None,
        source,
        silenced_by: Vec::new(),
        inhibited_by: Vec::new(),
        service: alarm
            .and_then(|a| a.service.clone())
            .or_else(|| labels.get("service").cloned()),
        labels,
        alarm: alarm.map(|a| a.catalogue.clone()),
        runbook,
        runbook_url,
        gap,
        after_deployment: None,
    }
}

/// A value with its unit: `99.95%`, `412 ms`, `3.2 req/s`.
pub fn with_unit(v: f64, unit: &str) -> String {
    let decimals = if v.abs() >= 100.0 {
        1
    } else if v.abs() >= 1.0 {
        2
    } else {
        4
    };
    let n = crate::report::number(v, decimals);
    match unit {
        "" => n,
        "%" => format!("{n}%"),
        u => format!("{n} {u}"),
    }
}

fn single_value(data: QueryData) -> Result<(f64, usize), String> {
    match data {
        QueryData::Scalar((_, v)) => sample_value(&v)
            .map(|v| (v, 1))
            .ok_or_else(|| format!("the value is {v}")),
        QueryData::Vector(samples) => {
            let n = samples.len();
            let first = samples
                .first()
                .ok_or("no data: the query matches no series")?;
            sample_value(&first.value.1)
                .map(|v| (v, n))
                .ok_or_else(|| format!("the value is {}", first.value.1))
        }
        QueryData::Matrix(_) | QueryData::String(_) => {
            Err("the query must give one number (an instant vector or a scalar)".to_string())
        }
    }
}

fn series_values(data: QueryData) -> Result<Vec<f64>, String> {
    match data {
        QueryData::Matrix(series) => {
            let first = series.into_iter().next().ok_or("no data over the window")?;
            Ok(first
                .values
                .iter()
                .filter_map(|(_, v)| sample_value(v))
                .collect())
        }
        _ => Err("the range query gave no series".to_string()),
    }
}

/// Every series of a range query, with its labels.
fn labelled_series(data: QueryData) -> Result<Vec<crate::deployments::LabelledSeries>, String> {
    match data {
        QueryData::Matrix(series) => Ok(series
            .into_iter()
            .map(|s| {
                let values = s
                    .values
                    .iter()
                    .filter_map(|(_, v)| sample_value(v))
                    .collect();
                (s.metric, values)
            })
            .collect()),
        _ => Err("the range query gave no series".to_string()),
    }
}

fn trend_of(values: Vec<f64>) -> Option<Trend> {
    let first = *values.first()?;
    let last = *values.last()?;
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Some(Trend {
        first,
        last,
        min,
        max,
        change_pct: (first != 0.0).then(|| (last - first) / first.abs() * 100.0),
        values,
    })
}

/// One indicator's health: its value now against its target, and its trend.
fn measure(
    indicator: &Indicator,
    instant: Result<QueryData, String>,
    range: Result<QueryData, String>,
) -> IndicatorStatus {
    let config = format!("{CONFIG_FILE}:{}:{}", indicator.line, indicator.column);
    let mut problem = None;
    let now = match instant.and_then(single_value) {
        Ok((v, series)) => {
            if series > 1 {
                problem = Some(format!(
                    "the query gives {series} series; the first is shown (aggregate it to one, e.g. with sum or max)"
                ));
            }
            Some(v)
        }
        Err(p) => {
            problem = Some(p);
            None
        }
    };
    let trend = match range.and_then(series_values) {
        Ok(values) => trend_of(values),
        Err(p) => {
            if problem.is_none() && now.is_some() {
                problem = Some(format!("trend: {p}"));
            }
            None
        }
    };
    let target = indicator.target;
    let (health, verdict) = match (now, target) {
        (None, _) => (
            Health::Degraded,
            format!("could not be measured ({config})"),
        ),
        (Some(v), Some(t)) if !t.met_by(v) => (
            Health::Degraded,
            format!(
                "{} misses its target {}",
                with_unit(v, &indicator.unit),
                target_text(&t, &indicator.unit)
            ),
        ),
        (Some(v), Some(t)) => {
            let toward = trend.as_ref().and_then(|tr| tr.change_pct).filter(|c| {
                if t.comparison.higher_is_better() {
                    *c <= -TREND_PCT
                } else {
                    *c >= TREND_PCT
                }
            });
            match toward {
                Some(c) => (
                    Health::Degraded,
                    format!(
                        "{} meets its target {}, but moved {} toward it over the window",
                        with_unit(v, &indicator.unit),
                        target_text(&t, &indicator.unit),
                        crate::report::pct_change(c)
                    ),
                ),
                None => (
                    Health::Healthy,
                    format!(
                        "{} meets its target {}",
                        with_unit(v, &indicator.unit),
                        target_text(&t, &indicator.unit)
                    ),
                ),
            }
        }
        (Some(v), None) => (
            Health::Healthy,
            format!("{} (no target)", with_unit(v, &indicator.unit)),
        ),
    };
    IndicatorStatus {
        name: indicator.name.clone(),
        query: indicator.query.clone(),
        unit: indicator.unit.clone(),
        target: target.map(|t| target_text(&t, &indicator.unit)),
        config,
        now,
        trend,
        health,
        verdict,
        problem,
    }
}

fn target_text(t: &crate::config::Target, unit: &str) -> String {
    format!("{} {}", t.comparison.symbol(), with_unit(t.value, unit))
}

/// Rule `monitoring-reachable`.
fn sources_item(sources: &[SourceStatus], token_note: Option<String>, items: &mut Vec<Item>) {
    let failed: Vec<&SourceStatus> = sources.iter().filter(|s| !s.ok).collect();
    let mut details: Vec<Detail> = sources
        .iter()
        .map(|s| Detail {
            text: match &s.problem {
                Some(p) => format!("{} at {}: {p}", s.name, s.url),
                None => format!("{} at {}: answered in {} ms", s.name, s.url, s.millis),
            },
            link: None,
        })
        .collect();
    if let Some(note) = token_note {
        details.push(Detail {
            text: note,
            link: None,
        });
    }
    if sources.is_empty() {
        items.push(Item {
            rule: "monitoring-reachable",
            health: Health::Degraded,
            title: "No monitoring system configured".into(),
            evidence: "status: in opswiki.yaml gives neither prometheus_url nor alertmanager_url"
                .into(),
            link: None,
            details,
        });
        return;
    }
    let evidence = if failed.is_empty() {
        sources
            .iter()
            .map(|s| format!("{} at {} in {} ms", s.name, s.url, s.millis))
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        failed
            .iter()
            .map(|s| {
                format!(
                    "{} at {}: {}",
                    s.name,
                    s.url,
                    s.problem.as_deref().unwrap_or("")
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    items.push(Item {
        rule: "monitoring-reachable",
        health: if failed.is_empty() {
            Health::Healthy
        } else {
            Health::Degraded
        },
        title: if failed.is_empty() {
            "Every monitoring system answered".to_string()
        } else {
            format!(
                "Could not read {}: the picture is incomplete",
                failed
                    .iter()
                    .map(|s| s.name)
                    .collect::<Vec<_>>()
                    .join(" and ")
            )
        },
        evidence,
        link: None,
        details,
    });
}

fn alert_text(a: &LiveAlert) -> String {
    let mut text = String::new();
    if let Some(s) = &a.severity {
        let _ = write!(text, "{s} ");
    }
    text.push_str(&a.name);
    if let Some(s) = &a.summary {
        let _ = write!(text, ": {s}");
    }
    if let Some(since) = a.since_text.as_ref().or(a.since.as_ref()) {
        let _ = write!(text, " (since {since})");
    }
    text
}

/// Rule `alerts-firing`: a firing alert of the most severe severity
/// (P1) is unhealthy, any other firing alert degraded.
fn firing_item(
    catalogue: &Catalogue,
    active: &[LiveAlert],
    suppressed: &[LiveAlert],
    from_am: bool,
    items: &mut Vec<Item>,
) {
    let firing: Vec<&LiveAlert> = active
        .iter()
        .filter(|a| a.state == AlertState::Firing)
        .collect();
    let pending = active.len() - firing.len();
    let top = catalogue.severities.first();
    let critical = firing
        .iter()
        .filter(|a| a.severity.is_some() && a.severity.as_ref() == top)
        .count();
    let health = if critical > 0 {
        Health::Unhealthy
    } else if !firing.is_empty() {
        Health::Degraded
    } else {
        Health::Healthy
    };
    let n = firing.len();
    items.push(Item {
        rule: "alerts-firing",
        health,
        title: match n {
            0 => "No alert is firing".to_string(),
            1 => "1 alert is firing".to_string(),
            n => format!("{n} alerts are firing"),
        },
        evidence: format!(
            "{n} firing{}, {pending} pending, {} silenced or inhibited{}",
            if critical > 0 {
                format!(" ({critical} {})", top.map(String::as_str).unwrap_or(""))
            } else {
                String::new()
            },
            suppressed.len(),
            if from_am {
                ""
            } else {
                " (from Prometheus: silences are not known without Alertmanager)"
            }
        ),
        link: None,
        details: firing
            .iter()
            .map(|a| Detail {
                text: alert_text(a),
                link: a.runbook.clone().or_else(|| a.alarm.clone()),
            })
            .collect(),
    });
}

/// Rule `alerts-runbook`: an alert the wiki cannot lead to a runbook from
/// (no alarm of its name, or an alarm without a working runbook) is a gap.
fn gaps_item(active: &[LiveAlert], suppressed: &[LiveAlert], items: &mut Vec<Item>) {
    let gaps: Vec<&LiveAlert> = active
        .iter()
        .chain(suppressed)
        .filter(|a| a.gap.is_some())
        .collect();
    let all = active.len() + suppressed.len();
    if all == 0 {
        return;
    }
    let n = gaps.len();
    items.push(Item {
        rule: "alerts-runbook",
        health: if n > 0 {
            Health::Degraded
        } else {
            Health::Healthy
        },
        title: match n {
            0 => "Every alert leads to a runbook in the wiki".to_string(),
            1 => "1 alert has no runbook in the wiki".to_string(),
            n => format!("{n} alerts have no runbook in the wiki"),
        },
        evidence: format!("{} of {all} alerts reach a runbook section", all - n),
        link: Some(Link {
            label: "Alarm coverage".into(),
            path: "coverage/index.html".into(),
        }),
        details: gaps
            .iter()
            .map(|a| Detail {
                text: format!(
                    "{} ({}): {}",
                    a.name,
                    a.state.name(),
                    a.gap.as_deref().unwrap_or("")
                ),
                link: a.alarm.clone(),
            })
            .collect(),
    });
}

/// Rules `indicator-target`, `indicator-trend`, `indicator-unmeasured`.
fn indicator_items(services: &[ServiceLive], window: &str, items: &mut Vec<Item>) {
    let mut fine = Vec::new();
    for s in services {
        for i in &s.indicators {
            let trend = i
                .trend
                .as_ref()
                .map(|t| trend_text(t, &i.unit, window))
                .unwrap_or_default();
            if i.now.is_none() {
                items.push(Item {
                    rule: "indicator-unmeasured",
                    health: Health::Degraded,
                    title: format!("{} {}: could not be measured", s.name, i.name),
                    evidence: format!(
                        "{} ({}: `{}`)",
                        i.problem.as_deref().unwrap_or("no value"),
                        i.config,
                        i.query
                    ),
                    link: None,
                    details: Vec::new(),
                });
            } else if i.health != Health::Healthy {
                let missed = i.verdict.contains("misses");
                items.push(Item {
                    rule: if missed {
                        "indicator-target"
                    } else {
                        "indicator-trend"
                    },
                    health: i.health,
                    title: format!(
                        "{} {} {}",
                        s.name,
                        i.name,
                        if missed {
                            "misses its target"
                        } else {
                            "is heading for its target"
                        }
                    ),
                    evidence: format!("{}{trend}", i.verdict),
                    link: None,
                    details: Vec::new(),
                });
            } else if i.target.is_some() {
                fine.push(format!("{} {}: {}", s.name, i.name, i.verdict));
            }
        }
    }
    if !fine.is_empty() {
        items.push(Item {
            rule: "indicator-target",
            health: Health::Healthy,
            title: format!(
                "{} {} within {}",
                fine.len(),
                if fine.len() == 1 {
                    "indicator is"
                } else {
                    "indicators are"
                },
                if fine.len() == 1 {
                    "its target"
                } else {
                    "their targets"
                }
            ),
            evidence: fine.join("; "),
            link: None,
            details: Vec::new(),
        });
    }
}

/// `within 30m after v1.4.2 (git tag, 2026-12-06T05:56:00Z): OrdersApiHighErrorRate
/// after 4 min, DiskAlmostFull after 6 min`, one part per deployment, newest first.
fn followed_text(following: &[(&LiveAlert, &AfterDeployment)], soon_after: &str) -> String {
    let mut by_deployment: Vec<(&AfterDeployment, Vec<String>)> = Vec::new();
    for (a, after) in following {
        let said = format!(
            "{} after {}",
            a.name,
            crate::deployments::duration_text(after.after_secs)
        );
        match by_deployment.iter_mut().find(|(d, _)| {
            (&d.deployment, &d.deployed_at) == (&after.deployment, &after.deployed_at)
        }) {
            Some((_, alerts)) => alerts.push(said),
            None => by_deployment.push((after, vec![said])),
        }
    }
    by_deployment.sort_by(|a, b| b.0.deployed_at.cmp(&a.0.deployed_at));
    let parts: Vec<String> = by_deployment
        .iter()
        .map(|(d, alerts)| {
            format!(
                "after {} ({}, {}): {}",
                d.deployment,
                d.source.name(),
                d.deployed_at,
                alerts.join(", ")
            )
        })
        .collect();
    format!("within {soon_after} {}", parts.join("; "))
}

/// `3 deployments in the last 24h, the latest v1.4.2 at 2026-12-06T05:56:00Z`.
fn deployments_text(d: &RecentDeployments, window: &str) -> String {
    let n = d.list.len();
    match d.list.first() {
        None => format!("no deployment in the last {window}"),
        Some(latest) => format!(
            "{n} {} in the last {window}, the latest {} at {}",
            if n == 1 { "deployment" } else { "deployments" },
            latest.name,
            latest.at
        ),
    }
}

/// Rules `deploy-alerts` (a firing alert started within `soon_after` after
/// a deployment) and `deployments-unread`.
fn deployment_items(
    d: &RecentDeployments,
    active: &[LiveAlert],
    window: &str,
    items: &mut Vec<Item>,
) {
    if !d.problems.is_empty() {
        items.push(Item {
            rule: "deployments-unread",
            health: Health::Degraded,
            title: "Recent deployments could not be read".into(),
            evidence: d
                .problems
                .iter()
                .map(|p| format!("{}: {} ({})", p.source.name(), p.problem, p.config))
                .collect::<Vec<_>>()
                .join("; "),
            link: None,
            details: Vec::new(),
        });
    }
    let following: Vec<(&LiveAlert, &AfterDeployment)> = active
        .iter()
        .filter(|a| a.state == AlertState::Firing)
        .filter_map(|a| a.after_deployment.as_ref().map(|after| (a, after)))
        .collect();
    let listed = deployments_text(d, window);
    if !following.is_empty() {
        let n = following.len();
        items.push(Item {
            rule: "deploy-alerts",
            health: Health::Degraded,
            title: if n == 1 {
                "1 firing alert started soon after a deployment".to_string()
            } else {
                format!("{n} firing alerts started soon after a deployment")
            },
            evidence: format!("{}; {listed}", followed_text(&following, &d.soon_after)),
            link: None,
            details: following
                .iter()
                .map(|(a, after)| Detail {
                    text: format!(
                        "{} {} (deployed at {}, {})",
                        a.name,
                        after.text,
                        after.deployed_at,
                        after.source.name()
                    ),
                    link: a.runbook.clone().or_else(|| a.alarm.clone()),
                })
                .collect(),
        });
    } else if d.problems.is_empty() || !d.list.is_empty() {
        items.push(Item {
            rule: "deploy-alerts",
            health: Health::Healthy,
            title: "No firing alert started soon after a deployment".into(),
            evidence: format!("{listed}; none followed within {}", d.soon_after),
            link: None,
            details: Vec::new(),
        });
    }
}

/// `; over 24h: 99.9% → 99.95% (+0.1%), min 99.8%, max 100%`.
fn trend_text(t: &Trend, unit: &str, window: &str) -> String {
    format!(
        "; over {window}: {} → {}{}, min {}, max {}",
        with_unit(t.first, unit),
        with_unit(t.last, unit),
        t.change_pct
            .map(|c| format!(" ({})", crate::report::pct_change(c)))
            .unwrap_or_default(),
        with_unit(t.min, unit),
        with_unit(t.max, unit)
    )
}

// ---------------------------------------------------------------------------
// Output formats
// ---------------------------------------------------------------------------

fn headline(live: &LiveStatus) -> String {
    match live.attention().count() {
        0 => "nothing needs attention".to_string(),
        1 => "1 item needs attention".to_string(),
        n => format!("{n} items need attention"),
    }
}

fn alert_line(a: &LiveAlert, base: Option<&str>) -> (String, Vec<String>) {
    let mut head = format!("[{}] {}", a.severity.as_deref().unwrap_or("-"), a.name);
    if let Some(s) = &a.service {
        let _ = write!(head, " ({s})");
    }
    if let Some(since) = a.since_text.as_ref().or(a.since.as_ref()) {
        let _ = write!(head, " since {since}");
    }
    let mut lines = Vec::new();
    if let Some(s) = &a.summary {
        lines.push(s.clone());
    }
    if !a.silenced_by.is_empty() {
        lines.push(format!("silenced by {}", a.silenced_by.join(", ")));
    }
    if !a.inhibited_by.is_empty() {
        lines.push(format!("inhibited by {}", a.inhibited_by.join(", ")));
    }
    match (&a.runbook, &a.runbook_url) {
        (Some(l), _) => lines.push(format!("runbook: {}", l.url(base))),
        (None, Some(u)) => lines.push(format!("runbook (outside the wiki): {u}")),
        _ => {}
    }
    if let Some(after) = &a.after_deployment {
        lines.push(after.text.clone());
    }
    if let Some(gap) = &a.gap {
        lines.push(format!("GAP: {gap}"));
    }
    (head, lines)
}

/// Plain text for a terminal.
pub fn to_text(live: &LiveStatus, base: Option<&str>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Live status, {} (gathered in {} ms)",
        live.taken_at, live.took_ms
    );
    let _ = writeln!(
        out,
        "\nOverall: {} ({})",
        live.overall.name(),
        headline(live)
    );
    let _ = writeln!(out, "\nSources:");
    for s in &live.sources {
        let _ = writeln!(
            out,
            "  {:<12}  {}  {}",
            s.name,
            s.url,
            match &s.problem {
                Some(p) => format!("NOT READ: {p}"),
                None => format!("ok, {} ms", s.millis),
            }
        );
    }
    let groups: [(&str, Vec<&LiveAlert>); 3] = [
        (
            "Firing",
            live.alerts
                .iter()
                .filter(|a| a.state == AlertState::Firing)
                .collect(),
        ),
        (
            "Pending",
            live.alerts
                .iter()
                .filter(|a| a.state == AlertState::Pending)
                .collect(),
        ),
        ("Silenced or inhibited", live.suppressed.iter().collect()),
    ];
    for (title, list) in groups {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title} ({}):", list.len());
        for a in list {
            let (head, lines) = alert_line(a, base);
            let _ = writeln!(out, "  {head}");
            for l in lines {
                let _ = writeln!(out, "      {l}");
            }
        }
    }
    if !live.services.is_empty() {
        let _ = writeln!(out, "\nServices (trend over {}):", live.window);
        for s in &live.services {
            let _ = writeln!(out, "  {}  {}", s.name, s.health.name());
            for i in &s.indicators {
                let _ = writeln!(out, "    [{}] {}: {}", i.health.name(), i.name, i.verdict);
                if let Some(t) = &i.trend {
                    let _ = writeln!(
                        out,
                        "        {}",
                        trend_text(t, &i.unit, &live.window).trim_start_matches("; ")
                    );
                }
                if let Some(p) = &i.problem {
                    let _ = writeln!(out, "        problem: {p}");
                    let _ = writeln!(out, "        query ({}): {}", i.config, i.query);
                }
            }
        }
    }
    if let Some(d) = &live.deployments {
        let _ = writeln!(
            out,
            "\nDeployments (last {}, newest first; alerts within {} after one are linked to it):",
            live.window, d.soon_after
        );
        if d.list.is_empty() {
            let _ = writeln!(out, "  none");
        }
        for dep in &d.list {
            let _ = writeln!(
                out,
                "  {}  {}  ({}{})",
                dep.at,
                dep.name,
                dep.source.name(),
                if dep.detail.is_empty() {
                    String::new()
                } else {
                    format!(", {}", dep.detail)
                }
            );
        }
        for p in &d.problems {
            let _ = writeln!(out, "  NOT READ ({}): {}", p.source.name(), p.problem);
            let _ = writeln!(
                out,
                "      {} ({}): {}",
                p.source.key(),
                p.config,
                p.written
            );
        }
    }
    crate::status::write_items_text(
        &mut out,
        "Needs attention:",
        live.attention().collect(),
        base,
    );
    crate::status::write_items_text(&mut out, "Fine:", live.healthy().collect(), base);
    out
}

/// Markdown for an incident channel.
pub fn to_markdown(live: &LiveStatus, base: Option<&str>) -> String {
    let md = crate::status::md_escape;
    let mut out = String::new();
    let _ = writeln!(out, "## Live status, {}\n", live.taken_at);
    let _ = writeln!(
        out,
        "**Overall: {}**, {}",
        live.overall.name(),
        headline(live)
    );
    for s in live.sources.iter().filter(|s| !s.ok) {
        let _ = writeln!(
            out,
            "\n> **Could not read {}** at {}: {}",
            s.name,
            s.url,
            md(s.problem.as_deref().unwrap_or(""))
        );
    }
    let alert_md = |out: &mut String, a: &LiveAlert| {
        let (head, lines) = alert_line(a, None);
        let runbook = match (&a.runbook, &a.runbook_url) {
            (Some(l), _) => format!(" [runbook]({})", l.url(base)),
            (None, Some(u)) => format!(" [runbook]({u})"),
            _ => String::new(),
        };
        let _ = writeln!(out, "- **{}**{runbook}", md(&head));
        for l in lines.iter().filter(|l| !l.starts_with("runbook")) {
            let _ = writeln!(out, "  - {}", md(l));
        }
    };
    for (title, state) in [
        ("Firing", AlertState::Firing),
        ("Pending", AlertState::Pending),
    ] {
        let list: Vec<&LiveAlert> = live.alerts.iter().filter(|a| a.state == state).collect();
        if !list.is_empty() {
            let _ = writeln!(out, "\n### {title}\n");
            for a in list {
                alert_md(&mut out, a);
            }
        }
    }
    if !live.suppressed.is_empty() {
        out.push_str("\n### Silenced or inhibited\n\n");
        for a in &live.suppressed {
            alert_md(&mut out, a);
        }
    }
    if !live.services.is_empty() {
        let _ = writeln!(out, "\n### Services (trend over {})\n", live.window);
        for s in &live.services {
            let _ = writeln!(out, "- **{}**: {}", md(&s.name), s.health.name());
            for i in &s.indicators {
                let trend = i
                    .trend
                    .as_ref()
                    .map(|t| trend_text(t, &i.unit, &live.window))
                    .unwrap_or_default();
                let _ = writeln!(out, "  - {}: {}{}", md(&i.name), md(&i.verdict), md(&trend));
                if let Some(p) = &i.problem {
                    let _ = writeln!(out, "    - {} ({})", md(p), i.config);
                }
            }
        }
    }
    if let Some(d) = &live.deployments {
        let _ = writeln!(
            out,
            "\n### Deployments (last {}, newest first)\n",
            live.window
        );
        if d.list.is_empty() && d.problems.is_empty() {
            out.push_str("- none\n");
        }
        for dep in &d.list {
            let _ = writeln!(
                out,
                "- {} **{}** ({})",
                dep.at,
                md(&dep.name),
                dep.source.name()
            );
        }
        for p in &d.problems {
            let _ = writeln!(
                out,
                "- **Could not read** ({}): {} ({}: `{}`)",
                p.source.name(),
                md(&p.problem),
                p.config,
                p.written
            );
        }
    }
    let attention: Vec<&Item> = live.attention().collect();
    if !attention.is_empty() {
        out.push_str("\n### Attention required\n\n");
        for (n, item) in attention.iter().enumerate() {
            let _ = writeln!(
                out,
                "{}. **{}: {}.** {}.",
                n + 1,
                item.health.name(),
                md(&item.title),
                md(&item.evidence)
            );
        }
    }
    out
}

/// JSON for scripts: the whole report, every link with its `url`.
pub fn to_json(live: &LiveStatus, base: Option<&str>) -> String {
    let mut v = serde_json::to_value(live).unwrap_or_default();
    crate::status::add_urls(&mut v, base);
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_times_read_as_a_time_of_day_and_an_age() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-06T07:13:40Z")
            .unwrap()
            .timestamp() as f64;
        let text = |since: &str| since_text(since, now);
        assert_eq!(
            text("2026-12-06T07:01:20.568674523Z").as_deref(),
            Some("07:01:20 UTC, 12 min ago")
        );
        assert_eq!(
            text("2026-12-06T07:13:30Z").as_deref(),
            Some("07:13:30 UTC, just now")
        );
        assert_eq!(
            text("2026-12-06T04:10:00+01:00").as_deref(),
            Some("03:10:00 UTC, 4 h 3 min ago")
        );
        assert_eq!(
            text("2026-12-03T07:00:00Z").as_deref(),
            Some("2026-12-03 07:00:00 UTC, 3 days ago")
        );
        assert_eq!(text("yesterday"), None);
    }

    #[test]
    fn prometheus_answers_parse() {
        let v: PromEnvelope<QueryData> = serde_json::from_str(
            r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1.5,"99.5"]}]}}"#,
        )
        .unwrap();
        assert_eq!(single_value(v.data.unwrap()).unwrap(), (99.5, 1));
        let m: PromEnvelope<QueryData> = serde_json::from_str(
            r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"],[2,"NaN"],[3,"2"]]}]}}"#,
        )
        .unwrap();
        let t = trend_of(series_values(m.data.unwrap()).unwrap()).unwrap();
        assert_eq!((t.first, t.last, t.change_pct), (1.0, 2.0, Some(100.0)));
        assert_eq!(sample_value("+Inf"), None);
    }

    #[test]
    fn values_carry_their_unit() {
        assert_eq!(with_unit(99.95, "%"), "99.95%");
        assert_eq!(with_unit(412.0, "ms"), "412 ms");
        assert_eq!(with_unit(0.01234, ""), "0.0123");
    }
}
