//! Builders for weekly reports and post-mortems, shared by the tests of
//! reports, post-mortems and the status summary (`mod opsdata;`).
#![allow(dead_code)]

/// One weekly report's numbers; `render` writes the contract's front matter.
#[derive(Debug, Clone)]
pub struct Week {
    pub week_of: String,
    pub uptime: f64,
    pub target: f64,
    pub downtime: Option<f64>,
    pub incidents: [u32; 4],
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub targets: [f64; 3],
    pub total_5xx: f64,
    pub spend: f64,
    pub budget: f64,
    pub services: Vec<(String, f64, f64)>,
}

impl Week {
    /// A week that meets every target.
    pub fn new(week_of: &str) -> Week {
        Week {
            week_of: week_of.into(),
            uptime: 99.95,
            target: 99.9,
            downtime: Some(5.0),
            incidents: [0, 0, 1, 0],
            p50: 50.0,
            p95: 200.0,
            p99: 400.0,
            targets: [100.0, 500.0, 1000.0],
            total_5xx: 100.0,
            spend: 300.0,
            budget: 400.0,
            services: Vec::new(),
        }
    }

    pub fn uptime(mut self, uptime: f64, downtime: Option<f64>) -> Week {
        self.uptime = uptime;
        self.downtime = downtime;
        self
    }

    pub fn latency(mut self, p50: f64, p95: f64, p99: f64) -> Week {
        (self.p50, self.p95, self.p99) = (p50, p95, p99);
        self
    }

    pub fn errors(mut self, total: f64) -> Week {
        self.total_5xx = total;
        self
    }

    pub fn spend(mut self, spend: f64, budget: f64) -> Week {
        (self.spend, self.budget) = (spend, budget);
        self
    }

    pub fn incidents(mut self, counts: [u32; 4]) -> Week {
        self.incidents = counts;
        self
    }

    pub fn service(mut self, name: &str, success: f64, p95: f64) -> Week {
        self.services.push((name.into(), success, p95));
        self
    }

    pub fn render(&self) -> String {
        let mut s = format!(
            "---\ntitle: \"Week of {w}\"\nweek_of: {w}\navailability: {{uptime_pct: {u}, target_pct: {t}{d}}}\nincidents: {{P1: {i0}, P2: {i1}, P3: {i2}, P4: {i3}}}\nlatency_ms:\n  p50: {{value: {p50}, target: {t50}}}\n  p95: {{value: {p95}, target: {t95}}}\n  p99: {{value: {p99}, target: {t99}}}\nerrors:\n  total_5xx: {e}\n  top: {{name: \"TimeoutError\", count: 10}}\ncost: {{spend: {s}, budget: {b}, currency: USD, largest: {{item: \"RDS\", amount: 100}}}}\n",
            w = self.week_of,
            u = self.uptime,
            t = self.target,
            d = self
                .downtime
                .map(|d| format!(", downtime_minutes: {d}"))
                .unwrap_or_default(),
            i0 = self.incidents[0],
            i1 = self.incidents[1],
            i2 = self.incidents[2],
            i3 = self.incidents[3],
            p50 = self.p50,
            p95 = self.p95,
            p99 = self.p99,
            t50 = self.targets[0],
            t95 = self.targets[1],
            t99 = self.targets[2],
            e = self.total_5xx,
            s = self.spend,
            b = self.budget,
        );
        if !self.services.is_empty() {
            s.push_str("services:\n");
            for (name, success, p95) in &self.services {
                s.push_str(&format!(
                    "  - {{name: \"{name}\", success_rate_pct: {success}, p95_ms: {p95}}}\n"
                ));
            }
        }
        s.push_str("---\n\n# Weekly report\n\nNarrative.\n");
        s
    }

    /// Where the report goes in a site.
    pub fn path(&self) -> String {
        format!("content/reports/{}.md", self.week_of)
    }
}

/// A post-mortem written to the handbook's plain template (no front matter),
/// with its Action Items rows given as `| a | b | c | d |` lines.
pub fn plain_postmortem(title: &str, date: &str, severity: &str, actions: &[&str]) -> String {
    let mut s = format!(
        "# Post-Mortem: {title}\n\n## Summary\n- **Date:** {date}\n- **Duration:** 1 hours 25 minutes\n- **Severity:** {severity}\n- **Impact:** Checkout failed for 3% of users\n- **Detection:** Alarm api-5xx\n- **Resolution:** Rolled back\n\n## Timeline\n| Time (UTC) | Event |\n|------------|-------|\n| 14:02 | Deploy |\n| 14:10 | Alarm fires |\n| 15:27 | Resolved |\n\n## Root Cause\nA bug.\n\n## Contributing Factors\n- No test.\n\n## What Went Well\n- Fast rollback.\n\n## What Could Be Improved\n- Earlier alarm.\n\n## Action Items\n| Action | Owner | Deadline | Status |\n|--------|-------|----------|--------|\n"
    );
    for row in actions {
        s.push_str(row);
        s.push('\n');
    }
    s
}

/// A runbook that checks clean, for post-mortems to link to.
pub fn runbook(title: &str) -> String {
    let mut s = format!(
        "---\ntitle: {title}\nseverity: P2\nowner: team-sre\nlast_updated: 2026-11-02\n---\n\n# Runbook: {title}\n\n"
    );
    for section in super::common::SECTIONS {
        s.push_str(&format!("## {section}\n\nSteps for {section}.\n\n"));
    }
    s
}
