//! `opswiki status --live`, the served `status/live/` page and the build's
//! snapshot, against a real Prometheus and Alertmanager (Debian's
//! `prometheus` and `prometheus-alertmanager`; `.ci/run` installs them),
//! started here on free loopback ports with their own config, rules and
//! storage, and stopped at the end (a `Drop` guard, so also on a panic).

mod common;
mod opsdata;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

const PROMETHEUS: &str = "/usr/bin/prometheus";
const ALERTMANAGER: &str = "/usr/bin/prometheus-alertmanager";

/// A port nothing listens on right now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Plain HTTP/1.1 on a TcpStream: the test needs GET and one POST.
fn http(port: u16, method: &str, path: &str, body: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    let status = out.split_whitespace().nth(1)?.parse().ok()?;
    let body = out.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    // Chunked answers: the JSON is inside; take from the first `[`/`{`.
    let start = body.find(['[', '{']).unwrap_or(0);
    let end = body.rfind([']', '}']).map_or(body.len(), |e| e + 1);
    Some((status, body[start..end.max(start)].to_string()))
}

fn wait_for(what: &str, secs: u64, mut ok: impl FnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < until {
        if ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("timed out waiting for {what}");
}

/// A Prometheus and an Alertmanager of our own, killed when dropped.
struct Monitoring {
    dir: tempfile::TempDir,
    prometheus: Option<Child>,
    alertmanager: Option<Child>,
    prom_port: u16,
    am_port: u16,
}

const RULES: &str = r#"groups:
  - name: live-test
    rules:
      - alert: OrdersApiHighErrorRate
        expr: vector(1) > 0
        for: 0s
        labels: {severity: critical, service: orders-api}
        annotations: {summary: "Orders API 5xx ratio above 1%"}
      - alert: DiskAlmostFull
        expr: vector(1) > 0
        for: 0s
        labels: {severity: warning}
        annotations: {summary: "Disk above 90%"}
      - alert: QueueStalled
        expr: vector(1) > 0
        for: 0s
        labels: {severity: warning}
      - alert: NotInTheWiki
        expr: vector(1) > 0
        for: 0s
        labels: {severity: warning}
        annotations: {runbook_url: "https://elsewhere.example.com/rb", summary: "<script>alert(1)</script>"}
      - alert: SlowBurn
        expr: vector(1) > 0
        for: 1h
        labels: {severity: warning}
"#;

impl Monitoring {
    fn start() -> Monitoring {
        for bin in [PROMETHEUS, ALERTMANAGER] {
            assert!(
                Path::new(bin).exists(),
                "{bin} is missing: apt-get install prometheus prometheus-alertmanager (or run .ci/run)"
            );
        }
        let dir = tempfile::tempdir().unwrap();
        let (prom_port, am_port) = (free_port(), free_port());
        std::fs::write(
            dir.path().join("am.yml"),
            "route:\n  receiver: nobody\n  group_wait: 0s\n  group_interval: 1s\nreceivers:\n  - name: nobody\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("rules.yml"), RULES).unwrap();
        std::fs::write(
            dir.path().join("prometheus.yml"),
            format!(
                "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files: [rules.yml]\n\
                 alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['127.0.0.1:{am_port}']\n\
                 scrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: ['127.0.0.1:{prom_port}']\n"
            ),
        )
        .unwrap();
        let home = dir.path().to_path_buf();
        let spawn = |cmd: &mut Command, log: &str| {
            cmd.current_dir(&home)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(home.join(log)).unwrap())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"))
        };
        // Alertmanager first, so Prometheus' first alerts reach it.
        let alertmanager = spawn(
            Command::new(ALERTMANAGER).args([
                "--config.file=am.yml",
                "--storage.path=am-data",
                &format!("--web.listen-address=127.0.0.1:{am_port}"),
                "--cluster.listen-address=",
            ]),
            "alertmanager.log",
        );
        let mut m = Monitoring {
            prometheus: None,
            alertmanager: Some(alertmanager),
            prom_port,
            am_port,
            dir,
        };
        wait_for("Alertmanager to be ready", 30, || {
            http(am_port, "GET", "/-/ready", "").is_some_and(|(s, _)| s == 200)
        });
        m.prometheus = Some(spawn(
            Command::new(PROMETHEUS).args([
                "--config.file=prometheus.yml",
                "--storage.tsdb.path=prom-data",
                &format!("--web.listen-address=127.0.0.1:{prom_port}"),
                // Alerts go to Alertmanager every second, not every minute.
                "--rules.alert.resend-delay=1s",
            ]),
            "prometheus.log",
        ));
        wait_for("Prometheus to be ready", 30, || {
            http(prom_port, "GET", "/-/ready", "").is_some_and(|(s, _)| s == 200)
        });
        m
    }

    fn stop_prometheus(&mut self) {
        if let Some(mut p) = self.prometheus.take() {
            let _ = p.kill();
            let _ = p.wait();
        }
    }

    fn stop_alertmanager(&mut self) {
        if let Some(mut a) = self.alertmanager.take() {
            let _ = a.kill();
            let _ = a.wait();
        }
    }

    fn logs(&self) -> String {
        ["prometheus.log", "alertmanager.log"]
            .iter()
            .map(|f| std::fs::read_to_string(self.dir.path().join(f)).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for Monitoring {
    fn drop(&mut self) {
        self.stop_prometheus();
        self.stop_alertmanager();
    }
}

/// A wiki with the two runbooks the test alerts lead to and its alarms
/// (`with_a_broken_link`: one more alarm, whose runbook page is missing).
fn wiki_with_runbooks(with_a_broken_link: bool) -> Site {
    let site = Site::new();
    site.file(
        "content/runbooks/api-errors.md",
        &Runbook::new("API errors").render(),
    );
    site.file(
        "content/runbooks/disk-full.md",
        &Runbook::new("Disk full").render(),
    );
    site.file(
        "content/alarms/rules.yaml",
        &wiki_alarms(with_a_broken_link),
    );
    site
}

fn site_for(m: &Monitoring, t0: u64) -> Site {
    let site = wiki_with_runbooks(true);
    // A weekly report over its budget: the live report carries its spend.
    let week = opsdata::Week::new("2026-11-23").spend(450.0, 400.0);
    site.file(&week.path(), &week.render());
    site.file(
        "opswiki.yaml",
        &format!(
            "title: Live test\nbase_url: https://wiki.example.com/\nstatus:\n  prometheus_url: http://127.0.0.1:{}\n  alertmanager_url: http://127.0.0.1:{}\n  window: 1m\n  timeout: 2s\n  services:\n    - name: Prometheus\n      indicators:\n        - name: Scrape up\n          query: up{{job=\"prometheus\"}} * 100\n          unit: \"%\"\n          target: \">= 99.9\"\n        - name: Samples scraped\n          query: scrape_samples_scraped{{job=\"prometheus\"}}\n          target: \"< 1\"\n        - name: Broken\n          query: sum(rate(up[1m])\n          target: \"< 5\"\n    - name: Clock\n      indicators:\n        - name: Seconds since the test began\n          query: time() - {t0}\n          unit: s\n          target: \"< 100000\"\n",
            m.prom_port, m.am_port
        ),
    );
    site
}

/// The wiki's alarms: every alert of the rules but `NotInTheWiki`, and
/// with `broken`, `QueueStalled` whose runbook is not there (an error for
/// `check`, so a build stops on it).
fn wiki_alarms(broken: bool) -> String {
    let mut rules = vec![
        (
            "OrdersApiHighErrorRate",
            "critical",
            "runbooks/api-errors#diagnosis-steps",
        ),
        ("DiskAlmostFull", "warning", "runbooks/disk-full"),
        ("SlowBurn", "warning", "runbooks/disk-full#rollback"),
    ];
    if broken {
        rules.push(("QueueStalled", "warning", "runbooks/queue-stalled"));
    }
    let mut text = "groups:\n  - name: wiki\n    rules:\n".to_string();
    for (name, severity, runbook) in rules {
        text.push_str(&format!(
            "      - alert: {name}\n        expr: x > 1\n        labels: {{severity: {severity}}}\n        annotations:\n          summary: {name} in the wiki\n          runbook_url: {runbook}\n"
        ));
    }
    text
}

/// The opswiki.yaml line a text is on.
fn config_line(site: &Site, needle: &str) -> usize {
    std::fs::read_to_string(site.path("opswiki.yaml"))
        .unwrap()
        .lines()
        .position(|l| l.contains(needle))
        .unwrap()
        + 1
}

fn live(site: &Site, format: &str) -> (Output, Duration) {
    let root = site.root();
    let started = Instant::now();
    let out = run(&[
        "status",
        "--live",
        "--format",
        format,
        "--root",
        root.to_str().unwrap(),
    ]);
    (out, started.elapsed())
}

fn live_json(site: &Site) -> (Value, Duration) {
    let (out, took) = live(site, "json");
    assert_eq!(out.code, 0, "{out}");
    (
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{out}")),
        took,
    )
}

fn alert<'a>(list: &'a Value, name: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == name)
        .unwrap_or_else(|| panic!("no alert {name} in {list:#}"))
}

fn indicator<'a>(v: &'a Value, service: &str, name: &str) -> &'a Value {
    let s = v["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == service)
        .unwrap();
    s["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == name)
        .unwrap()
}

fn rules(v: &Value) -> Vec<(String, String)> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["rule"].as_str().unwrap().to_string(),
                i["health"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The evidence of a rule's (first) item holds `needle`.
#[track_caller]
fn assert_text_in(v: &Value, rule: &str, needle: &str) {
    let item = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} in {v:#}"));
    let evidence = item["evidence"].as_str().unwrap();
    assert!(evidence.contains(needle), "{needle:?} not in {evidence:?}");
}

#[test]
fn live_status_against_real_prometheus_and_alertmanager() {
    let mut m = Monitoring::start();
    let t0 = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let site = site_for(&m, t0);

    // Every rule fired and reached Alertmanager; then one is silenced.
    let am = m.am_port;
    wait_for("four alerts in Alertmanager", 30, || {
        http(am, "GET", "/api/v2/alerts", "")
            .and_then(|(_, b)| serde_json::from_str::<Value>(&b).ok())
            .is_some_and(|v| v.as_array().is_some_and(|a| a.len() >= 4))
    });
    let now = chrono::Utc::now();
    let silence = serde_json::json!({
        "matchers": [{"name": "alertname", "value": "DiskAlmostFull", "isRegex": false, "isEqual": true}],
        "startsAt": now.to_rfc3339(),
        "endsAt": (now + chrono::Duration::hours(1)).to_rfc3339(),
        "createdBy": "live-status test",
        "comment": "known: cleanup running",
    });
    let (code, body) = http(am, "POST", "/api/v2/silences", &silence.to_string()).unwrap();
    assert_eq!(code, 200, "{body}");
    let silence_id = serde_json::from_str::<Value>(&body).unwrap()["silenceID"]
        .as_str()
        .unwrap()
        .to_string();
    // A few scrapes, so the trend has points.
    let prom = m.prom_port;
    wait_for("three scrapes of Prometheus itself", 30, || {
        http(
            prom,
            "GET",
            "/api/v1/query?query=count_over_time(up%5B1m%5D)",
            "",
        )
        .is_some_and(|(_, b)| {
            serde_json::from_str::<Value>(&b).ok().is_some_and(|v| {
                v["data"]["result"][0]["value"][1]
                    .as_str()
                    .and_then(|s| s.parse::<f64>().ok())
                    .is_some_and(|n| n >= 3.0)
            })
        })
    });

    let (v, took) = live_json(&site);
    let logs = || m.logs();
    assert_eq!(v["complete"], true, "{v:#}\n{}", logs());
    eprintln!(
        "status --live took {took:?} (its own count: {} ms)",
        v["took_ms"]
    );
    assert!(took < Duration::from_secs(3), "took {took:?}");

    // Firing, with the runbook section under base_url.
    let alerts = &v["alerts"];
    let firing = alert(alerts, "OrdersApiHighErrorRate");
    assert_eq!(firing["state"], "firing");
    assert_eq!(firing["severity"], "P1");
    assert_eq!(firing["source"], "alertmanager");
    assert_eq!(firing["summary"], "Orders API 5xx ratio above 1%");
    assert_eq!(
        firing["runbook"]["url"],
        "https://wiki.example.com/runbooks/api-errors/#diagnosis-steps"
    );
    assert_eq!(
        firing["alarm"]["url"],
        "https://wiki.example.com/alarms/#OrdersApiHighErrorRate"
    );
    assert!(firing["gap"].is_null());
    // Pending, from Prometheus (Alertmanager never sees it).
    let pending = alert(alerts, "SlowBurn");
    assert_eq!(
        (&pending["state"], &pending["source"]),
        (&"pending".into(), &"prometheus".into())
    );
    assert_eq!(
        pending["runbook"]["url"],
        "https://wiki.example.com/runbooks/disk-full/#rollback"
    );
    // Gaps: no alarm in the wiki; an alarm whose runbook is not there.
    let unknown = alert(alerts, "NotInTheWiki");
    assert_eq!(unknown["gap"], "the wiki has no alarm named `NotInTheWiki`");
    assert_eq!(unknown["runbook_url"], "https://elsewhere.example.com/rb");
    assert!(unknown["alarm"].is_null());
    let stalled = alert(alerts, "QueueStalled");
    assert_eq!(
        stalled["gap"],
        "its runbook link `runbooks/queue-stalled` leads to no page"
    );
    // The silenced one apart.
    assert!(
        !alerts
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["name"] == "DiskAlmostFull"),
        "{alerts:#}"
    );
    let silenced = alert(&v["suppressed"], "DiskAlmostFull");
    assert_eq!(silenced["state"], "silenced");
    assert_eq!(silenced["silenced_by"][0], silence_id.as_str());

    // Indicators: now and over the window, against their targets.
    let up = indicator(&v, "Prometheus", "Scrape up");
    assert_eq!(up["now"], 100.0);
    assert_eq!(up["health"], "HEALTHY");
    assert_eq!(up["target"], ">= 99.9%");
    let trend = &up["trend"];
    assert_eq!(
        (&trend["min"], &trend["max"]),
        (&100.0.into(), &100.0.into())
    );
    assert!(trend["values"].as_array().unwrap().len() >= 2, "{trend:#}");
    let samples = indicator(&v, "Prometheus", "Samples scraped");
    assert!(samples["now"].as_f64().unwrap() > 1.0);
    assert_eq!(samples["health"], "DEGRADED");
    assert!(
        samples["verdict"]
            .as_str()
            .unwrap()
            .contains("misses its target < 1")
    );
    // Rising toward a `<` target: the clock moved 60 s over a 1 m window.
    let clock = indicator(&v, "Clock", "Seconds since the test began");
    let ct = &clock["trend"];
    assert!(ct["first"].as_f64().unwrap() < 0.0, "{ct:#}");
    assert!(ct["last"].as_f64().unwrap() > ct["first"].as_f64().unwrap());
    assert!(ct["change_pct"].as_f64().unwrap() >= 25.0, "{ct:#}");
    assert_eq!(clock["health"], "DEGRADED");
    assert!(
        clock["verdict"].as_str().unwrap().contains("toward it"),
        "{clock:#}"
    );
    // A bad query: Prometheus' own error, with its line in opswiki.yaml.
    let broken = indicator(&v, "Prometheus", "Broken");
    let line = config_line(&site, "sum(rate(up[1m])");
    assert_eq!(broken["config"], format!("opswiki.yaml:{line}:18"));
    let problem = broken["problem"].as_str().unwrap();
    assert!(problem.starts_with("bad_data: "), "{problem}");
    assert!(problem.contains("parse error"), "{problem}");
    assert!(broken["now"].is_null());

    // Overall health, by the documented rules.
    assert_eq!(v["overall"], "UNHEALTHY");
    let r = rules(&v);
    for expected in [
        ("alerts-firing", "UNHEALTHY"),
        ("alerts-runbook", "DEGRADED"),
        ("indicator-target", "DEGRADED"),
        ("indicator-trend", "DEGRADED"),
        ("indicator-unmeasured", "DEGRADED"),
        ("indicator-target", "HEALTHY"),
        ("monitoring-reachable", "HEALTHY"),
    ] {
        assert!(
            r.contains(&(expected.0.to_string(), expected.1.to_string())),
            "{expected:?} not in {r:?}"
        );
    }

    // The spend against budget, from the latest weekly report.
    assert!(r.contains(&("spend".into(), "DEGRADED".into())), "{r:?}");
    assert_text_in(&v, "spend", "$450 of a $400 budget");

    // Text and Markdown say the same.
    let (text, _) = live(&site, "text");
    assert_eq!(text.code, 0, "{text}");
    let t = &text.stdout;
    // Start times read as a time of day and an age, not nanoseconds.
    let firing_line = t
        .lines()
        .find(|l| l.contains("[P1] OrdersApiHighErrorRate"))
        .unwrap_or_default();
    assert!(
        firing_line.contains(" UTC, ") && firing_line.ends_with(" ago")
            || firing_line.ends_with(" UTC, just now"),
        "{firing_line}"
    );
    for needle in [
        "Overall: UNHEALTHY",
        "Firing (3):",
        "[P1] OrdersApiHighErrorRate",
        "runbook: https://wiki.example.com/runbooks/api-errors/#diagnosis-steps",
        "GAP: the wiki has no alarm named `NotInTheWiki`",
        "Pending (1):",
        "Silenced or inhibited (1):",
        &format!("silenced by {silence_id}"),
        &format!("query (opswiki.yaml:{line}:18): sum(rate(up[1m])"),
    ] {
        assert!(t.contains(needle), "no {needle:?} in\n{t}");
    }
    let (md, _) = live(&site, "markdown");
    assert!(
        md.stdout
            .contains("- **\\[P1\\] OrdersApiHighErrorRate (orders-api) since")
            && md.stdout.contains(
                "[runbook](https://wiki.example.com/runbooks/api-errors/#diagnosis-steps)"
            ),
        "{md}"
    );

    // The served page, fetched on request.
    {
        let serve = common::serve::Serve::start(&site.root());
        let page = serve.get("/status/live/");
        assert_eq!(page.status, 200, "{}", page.body);
        let b = &page.body;
        assert!(b.contains("OrdersApiHighErrorRate"), "{b}");
        assert!(
            b.contains("href=\"../../runbooks/api-errors/index.html#diagnosis-steps\""),
            "{b}"
        );
        assert!(
            b.contains("the wiki has no alarm named <code>NotInTheWiki</code>")
                || b.contains("the wiki has no alarm named `NotInTheWiki`"),
            "{b}"
        );
        assert!(b.contains("live-suppressed"), "{b}");
        // What the monitoring systems say is escaped like every field.
        assert!(b.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{b}");
        assert!(!b.contains("<script>alert(1)"), "{b}");
        assert!(
            b.contains("data-alert=\"DiskAlmostFull\" data-state=\"silenced\""),
            "{b}"
        );
        assert!(b.contains("Fetched from the monitoring systems at"), "{b}");
    }
    // The build's snapshot (of a site without errors: the build stops on them).
    site.file("content/alarms/rules.yaml", &wiki_alarms(false));
    let out = site.build(&["--live-status"]);
    assert_eq!(out.code, 0, "{out}");
    let snapshot = site.output("status/live/index.html");
    assert!(snapshot.contains("Snapshot taken at"), "{snapshot}");
    assert!(snapshot.contains("OrdersApiHighErrorRate"), "{snapshot}");
    phone_check_of_the_live_page(&site.out_dir());

    // An "Alertmanager" that answers something else (here Prometheus, whose
    // /api/v2/alerts is a 404): said, and the firing alerts come from
    // Prometheus instead, without silences.
    let other = Site::new();
    other.file(
        "opswiki.yaml",
        &format!(
            "status:\n  prometheus_url: http://127.0.0.1:{0}\n  alertmanager_url: http://127.0.0.1:{0}\n",
            m.prom_port
        ),
    );
    let (v, _) = live_json(&other);
    let am_source = v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "alertmanager")
        .unwrap();
    assert_eq!(am_source["ok"], false);
    assert!(
        am_source["problem"]
            .as_str()
            .unwrap()
            .starts_with("HTTP 404"),
        "{am_source:#}"
    );
    let firing = alert(&v["alerts"], "DiskAlmostFull");
    assert_eq!(
        (&firing["state"], &firing["source"]),
        (&"firing".into(), &"prometheus".into())
    );
    assert_text_in(
        &v,
        "alerts-firing",
        "silences are not known without Alertmanager",
    );

    // Prometheus stops: said, and the rest still comes from Alertmanager.
    m.stop_prometheus();
    let (v, _) = live_json(&site);
    assert_eq!(v["complete"], false);
    let prom_source = v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "prometheus")
        .unwrap();
    assert_eq!(prom_source["ok"], false);
    assert!(
        prom_source["problem"]
            .as_str()
            .unwrap()
            .starts_with("could not connect: connection refused"),
        "{prom_source:#}"
    );
    assert_eq!(
        alert(&v["alerts"], "OrdersApiHighErrorRate")["state"],
        "firing"
    );
    assert_eq!(
        alert(&v["suppressed"], "DiskAlmostFull")["state"],
        "silenced"
    );
    assert!(indicator(&v, "Prometheus", "Scrape up")["now"].is_null());
    assert_eq!(v["overall"], "UNHEALTHY");
    assert!(rules(&v).contains(&("monitoring-reachable".into(), "DEGRADED".into())));
    let (text, _) = live(&site, "text");
    assert_eq!(text.code, 0);
    assert!(
        text.stdout.contains("NOT READ: could not connect"),
        "{text}"
    );
    assert!(text.stdout.contains("Could not read prometheus"), "{text}");
}

/// A monitoring system that accepts the connection and never answers: the
/// report says it gave up after `timeout`, and does not wait longer.
#[test]
fn a_silent_monitoring_system_times_out() {
    let hole = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = hole.local_addr().unwrap().port();
    let site = Site::new();
    site.file(
        "opswiki.yaml",
        &format!(
            "status:\n  alertmanager_url: http://127.0.0.1:{port}\n  prometheus_url: http://127.0.0.1:{port}/\n  timeout: 300ms\n  services:\n    - name: S\n      indicators:\n        - name: I\n          query: up\n"
        ),
    );
    let (v, took) = live_json(&site);
    assert!(took < Duration::from_secs(3), "took {took:?}");
    for s in v["sources"].as_array().unwrap() {
        assert_eq!(s["ok"], false, "{s:#}");
        assert_eq!(
            s["problem"], "no answer within 300 ms (status.timeout)",
            "{s:#}"
        );
    }
    assert_eq!(v["overall"], "DEGRADED");
    drop(hole);
}

/// Without `status:` there is nothing to ask: exit 2, saying why.
#[test]
fn live_status_needs_a_status_block() {
    let site = Site::new();
    let (out, _) = live(&site, "text");
    assert_eq!(out.code, 2, "{out}");
    assert!(out.stderr.contains("has no `status:` block"), "{out}");
}

const NGINX: &str = "/usr/sbin/nginx";

/// nginx (Debian's `nginx-light`) as a reverse proxy in front of a port, as
/// an ingress stands in front of Alertmanager: when nothing answers behind
/// it, it answers 502 itself. One process (`master_process off`), so
/// killing it leaves no worker behind and it never changes user; every
/// path it writes is in its own folder.
struct Proxy {
    dir: tempfile::TempDir,
    child: Child,
    port: u16,
}

impl Proxy {
    fn start(upstream: u16) -> Proxy {
        assert!(
            Path::new(NGINX).exists(),
            "{NGINX} is missing: apt-get install nginx-light (or run .ci/run)"
        );
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let d = dir.path().display().to_string();
        let conf = format!(
            "master_process off;\nevents {{ worker_connections 64; }}\nhttp {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n  server {{\n    listen 127.0.0.1:{port};\n    location / {{ proxy_pass http://127.0.0.1:{upstream}; }}\n  }}\n}}\n"
        );
        std::fs::write(dir.path().join("nginx.conf"), conf).unwrap();
        let child = Command::new(NGINX)
            .args([
                "-e",
                "stderr",
                "-p",
                &d,
                "-c",
                &format!("{d}/nginx.conf"),
                "-g",
                &format!("daemon off; pid {d}/nginx.pid; error_log stderr;"),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("nginx.log")).unwrap())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {NGINX}: {e}"));
        let proxy = Proxy { dir, child, port };
        wait_for("nginx to listen", 30, || {
            TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        proxy
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("nginx.log")).unwrap_or_default()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// `git ARGS` in `dir`, dated `at` (Unix seconds): the author's and the
/// committer's date, which is also an annotated tag's tagger date.
fn git(dir: &Path, at: i64, args: &[&str]) {
    git_at(dir, args, &format!("@{at} +0000"), "Release Bot");
}

fn source<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no source {name} in {v:#}"))
}

fn has_rule(v: &Value, rule: &str, health: &str) -> bool {
    rules(v).contains(&(rule.to_string(), health.to_string()))
}

fn since_unix(alert: &Value) -> i64 {
    chrono::DateTime::parse_from_rfc3339(alert["since"].as_str().unwrap())
        .unwrap()
        .timestamp()
}

/// Recent deployments from git tags and from a metric, the alerts that
/// started soon after one; then the Alertmanager behind a real nginx stops,
/// and the report says nginx answered 502, takes the alerts from Prometheus
/// and still shows the rest.
#[test]
fn deployments_and_an_alertmanager_behind_a_failing_proxy() {
    let mut m = Monitoring::start();
    let proxy = Proxy::start(m.am_port);
    let now = unix_now();

    // A site whose repository tags its releases: v1.3.0 three days ago
    // (outside the 24 h window), v1.4.1 two hours ago (lightweight: its
    // commit's date), v1.4.2 cut four minutes ago on a commit of 90 minutes
    // ago (annotated: its tagger's date), and `nightly`, which is no `v*`.
    let site = wiki_with_runbooks(false);
    site.file(
        "opswiki.yaml",
        &format!(
            "title: Deploy test\nbase_url: https://wiki.example.com/\nstatus:\n  prometheus_url: http://127.0.0.1:{}\n  alertmanager_url: http://127.0.0.1:{}\n  timeout: 2s\n  services:\n    - name: Prometheus\n      indicators:\n        - name: Scrape up\n          query: up{{job=\"prometheus\"}} * 100\n          unit: \"%\"\n          target: \">= 99.9\"\n  deployments:\n    tags: \"v*\"\n    soon_after: 30m\n",
            m.prom_port, proxy.port
        ),
    );
    let root = site.root();
    git(&root, now - 3 * 86_400, &["init", "-q"]);
    git(&root, now - 3 * 86_400, &["add", "-A"]);
    git(&root, now - 3 * 86_400, &["commit", "-q", "-m", "first"]);
    git(&root, now - 3 * 86_400, &["tag", "v1.3.0"]);
    site.file(
        "content/runbooks/disk-full.md",
        &Runbook::new("Disk full, again").render(),
    );
    git(&root, now - 7200, &["commit", "-q", "-am", "second"]);
    git(&root, now - 7200, &["tag", "v1.4.1"]);
    site.file(
        "content/runbooks/disk-full.md",
        &Runbook::new("Disk full, third").render(),
    );
    git(&root, now - 5400, &["commit", "-q", "-am", "third"]);
    git(
        &root,
        now - 240,
        &["tag", "-a", "v1.4.2", "-m", "release 1.4.2"],
    );
    git(&root, now - 5400, &["tag", "nightly"]);

    // The alerts reach Alertmanager, read through the proxy.
    let through_proxy = proxy.port;
    wait_for("four alerts in Alertmanager, through nginx", 30, || {
        http(through_proxy, "GET", "/api/v2/alerts", "")
            .and_then(|(_, b)| serde_json::from_str::<Value>(&b).ok())
            .is_some_and(|v| v.as_array().is_some_and(|a| a.len() >= 4))
    });

    let (v, took) = live_json(&site);
    eprintln!(
        "status --live with deployments took {took:?} (its own count: {} ms)",
        v["took_ms"]
    );
    assert_eq!(v["complete"], true, "{v:#}\n{}\n{}", m.logs(), proxy.log());
    let d = &v["deployments"];
    let names: Vec<&str> = d["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["v1.4.2", "v1.4.1"], "{d:#}");
    assert_eq!(d["list"][0]["timestamp"], now - 240, "the tagger's date");
    assert_eq!(d["list"][1]["timestamp"], now - 7200, "the commit's date");
    assert_eq!(d["list"][0]["source"], "git");
    assert!(
        d["list"][0]["detail"]
            .as_str()
            .unwrap()
            .starts_with("commit ")
    );
    assert_eq!(d["problems"].as_array().unwrap().len(), 0, "{d:#}");
    assert_eq!(d["soon_after"], "30m");

    // The firing alerts started after v1.4.2, within 30 minutes.
    let firing = alert(&v["alerts"], "OrdersApiHighErrorRate");
    let after = &firing["after_deployment"];
    let secs = since_unix(firing) - (now - 240);
    assert!((0..1800).contains(&secs), "{firing:#}");
    assert_eq!(after["deployment"], "v1.4.2", "{firing:#}");
    assert_eq!(after["after_secs"], secs);
    let said = format!("started {} min after deploy v1.4.2", secs / 60);
    assert_eq!(after["text"], said.as_str());
    assert!(has_rule(&v, "deploy-alerts", "DEGRADED"), "{:?}", rules(&v));
    assert_text_in(
        &v,
        "deploy-alerts",
        &format!(
            "within 30m after v1.4.2 (git tag, {}): OrdersApiHighErrorRate after {} min",
            d["list"][0]["at"].as_str().unwrap(),
            secs / 60
        ),
    );

    let (text, _) = live(&site, "text");
    assert_eq!(text.code, 0, "{text}");
    for needle in [
        "Deployments (last 24h, newest first",
        "v1.4.2  (git tag, commit ",
        "v1.4.1  (git tag, commit ",
        &said,
    ] {
        assert!(text.stdout.contains(needle), "no {needle:?} in\n{text}");
    }
    assert!(!text.stdout.contains("nightly"), "{text}");
    assert!(!text.stdout.contains("v1.3.0"), "{text}");
    let (md, _) = live(&site, "markdown");
    assert!(md.stdout.contains("### Deployments (last 24h"), "{md}");
    assert!(md.stdout.contains("**v1.4.2** (git tag)"), "{md}");

    {
        let serve = common::serve::Serve::start(&site.root());
        let page = serve.get("/status/live/");
        assert_eq!(page.status, 200, "{}", page.body);
        let b = &page.body;
        assert!(b.contains("data-deployment=\"v1.4.2\""), "{b}");
        assert!(b.contains("data-deployment=\"v1.4.1\""), "{b}");
        assert!(!b.contains("data-deployment=\"nightly\""), "{b}");
        assert!(
            b.contains(&format!(
                "<strong class=\"live-after-deploy\">{said}</strong>"
            )),
            "{b}"
        );
    }

    // The metric path: Prometheus' own last config load, a Unix time (its
    // start), named by the `job` label; the site is in no git repository,
    // so its `tags:` is said to read nothing, and the rest still comes.
    let loaded = {
        let (_, body) = http(
            m.prom_port,
            "GET",
            "/api/v1/query?query=prometheus_config_last_reload_success_timestamp_seconds%7Bjob%3D%22prometheus%22%7D",
            "",
        )
        .unwrap();
        let v: Value = serde_json::from_str(&body).unwrap();
        v["data"]["result"][0]["value"][1]
            .as_str()
            .unwrap_or_else(|| panic!("{v:#}"))
            .parse::<f64>()
            .unwrap()
            .floor() as i64
    };
    let metric = Site::new();
    metric.file("content/alarms/rules.yaml", &wiki_alarms(false));
    metric.file(
        "opswiki.yaml",
        &format!(
            "status:\n  prometheus_url: http://127.0.0.1:{}\n  window: 1h\n  deployments:\n    tags: \"v*\"\n    query: prometheus_config_last_reload_success_timestamp_seconds{{job=\"prometheus\"}}\n    label: job\n    soon_after: 10m\n",
            m.prom_port
        ),
    );
    let (v, _) = live_json(&metric);
    let d = &v["deployments"];
    assert_eq!(d["list"][0]["name"], "prometheus", "{d:#}");
    assert_eq!(d["list"][0]["timestamp"], loaded, "{d:#}");
    assert_eq!(d["list"][0]["source"], "prometheus");
    let problem = &d["problems"][0];
    assert_eq!(problem["source"], "git", "{d:#}");
    assert!(
        problem["problem"]
            .as_str()
            .unwrap()
            .ends_with("is not in a git repository"),
        "{problem:#}"
    );
    let line = config_line(&metric, "tags:");
    assert_eq!(problem["config"], format!("opswiki.yaml:{line}:11"));
    let firing = alert(&v["alerts"], "OrdersApiHighErrorRate");
    let secs = since_unix(firing) - loaded;
    assert_eq!(
        firing["after_deployment"]["text"],
        format!("started {secs} s after deploy prometheus"),
        "{firing:#}"
    );
    assert!(
        has_rule(&v, "deployments-unread", "DEGRADED"),
        "{:?}",
        rules(&v)
    );
    assert!(has_rule(&v, "deploy-alerts", "DEGRADED"), "{:?}", rules(&v));

    // A tag pattern that is no glob, a query Prometheus refuses: each said
    // with its line in opswiki.yaml; the command still answers, exit 0.
    let bad = Site::new();
    bad.file(
        "opswiki.yaml",
        &format!(
            "status:\n  prometheus_url: http://127.0.0.1:{}\n  deployments:\n    tags: \"v[\"\n    query: max(deploy_timestamp_seconds\n",
            m.prom_port
        ),
    );
    let (out, _) = live(&bad, "json");
    assert_eq!(out.code, 0, "{out}");
    assert!(out.stderr.contains("config-invalid"), "{out}");
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    let problems = &v["deployments"]["problems"];
    assert_eq!(problems.as_array().unwrap().len(), 2, "{problems:#}");
    assert!(
        problems[0]["problem"]
            .as_str()
            .unwrap()
            .starts_with("`v[` is not a glob"),
        "{problems:#}"
    );
    assert_eq!(
        problems[0]["config"],
        format!("opswiki.yaml:{}:11", config_line(&bad, "tags:"))
    );
    assert!(
        problems[1]["problem"]
            .as_str()
            .unwrap()
            .starts_with("bad_data: "),
        "{problems:#}"
    );
    assert_eq!(
        problems[1]["config"],
        format!("opswiki.yaml:{}:12", config_line(&bad, "query:"))
    );
    assert_eq!(
        source(&v, "prometheus")["ok"],
        true,
        "a refused query is no unreachable Prometheus"
    );
    assert_eq!(problems[1]["written"], "max(deploy_timestamp_seconds");
    assert!(
        has_rule(&v, "deployments-unread", "DEGRADED"),
        "{:?}",
        rules(&v)
    );

    // Alertmanager stops; nginx in front of it answers 502.
    m.stop_alertmanager();
    let (v, _) = live_json(&site);
    assert_eq!(v["complete"], false);
    let am = source(&v, "alertmanager");
    assert_eq!(am["ok"], false);
    assert_eq!(am["url"], format!("http://127.0.0.1:{}", proxy.port));
    assert_eq!(
        am["problem"],
        "HTTP 502: 502 Bad Gateway",
        "{am:#}\n{}",
        proxy.log()
    );
    assert_eq!(source(&v, "prometheus")["ok"], true);
    // The firing alerts now come from Prometheus, still joined to the wiki
    // and to the deployment before them.
    let firing = alert(&v["alerts"], "OrdersApiHighErrorRate");
    assert_eq!(
        (&firing["state"], &firing["source"]),
        (&"firing".into(), &"prometheus".into())
    );
    assert_eq!(
        firing["runbook"]["url"],
        "https://wiki.example.com/runbooks/api-errors/#diagnosis-steps"
    );
    assert_eq!(firing["after_deployment"]["deployment"], "v1.4.2");
    assert_text_in(
        &v,
        "alerts-firing",
        "silences are not known without Alertmanager",
    );
    assert_eq!(indicator(&v, "Prometheus", "Scrape up")["now"], 100.0);
    assert_eq!(v["deployments"]["list"].as_array().unwrap().len(), 2);
    assert!(
        has_rule(&v, "monitoring-reachable", "DEGRADED"),
        "{:?}",
        rules(&v)
    );
    assert_eq!(v["overall"], "UNHEALTHY");
    let (text, _) = live(&site, "text");
    assert_eq!(text.code, 0, "{text}");
    assert!(
        text.stdout.contains("NOT READ: HTTP 502: 502 Bad Gateway"),
        "{text}"
    );
    assert!(
        text.stdout.contains("Could not read alertmanager"),
        "{text}"
    );
}

/// The snapshot page in headless Chromium at phone widths
/// (tests/browser/live_page.mjs): no sideways scrolling, each firing alert's
/// runbook link on screen. Needs node and Debian's chromium, as the browser
/// tests do; the npm packages are installed here if `cargo test` has not
/// reached tests/browser.rs yet.
fn phone_check_of_the_live_page(site: &Path) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    if !dir.join("node_modules/playwright-core").exists() {
        let npm = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
            .output()
            .expect("run npm (apt-get install npm, or run .ci/run)");
        assert!(
            npm.status.success(),
            "npm ci: {}",
            String::from_utf8_lossy(&npm.stderr)
        );
    }
    let out = Command::new("node")
        .arg(dir.join("live_page.mjs"))
        .current_dir(&dir)
        .env("OPSWIKI_BIN", env!("CARGO_BIN_EXE_opswiki"))
        .env("OPSWIKI_LIVE_SITE", site)
        .output()
        .expect("run node (apt-get install nodejs, or run .ci/run)");
    assert!(
        out.status.success(),
        "the live page on a phone:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
