//! Skeletons for `opswiki new` and the example site of `opswiki init`.
//!
//! A skeleton has every required field and section of its kind (as the
//! site's config asks), today's date, and a `TODO:` line wherever the author
//! must write something: `check` reports each as a `placeholder-text`
//! warning until it is replaced, and nothing else. The example site is
//! filled in and checks clean.

use std::fmt::Write as _;
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use chrono::{Datelike, Duration, NaiveDate};

use crate::config::Config;
use crate::load::CONTENT_DIR;
use crate::model::PageKind;

/// What `opswiki new` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    Runbook,
    #[value(alias = "post-mortem")]
    Postmortem,
    Report,
    Tree,
}

/// A file to write: its path relative to the site root, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skeleton {
    pub path: String,
    pub text: String,
}

/// A file name from a title: lower-case letters and digits, `-` between words.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    // Keep names reasonable for every file system.
    let mut cut = String::new();
    for part in out.split('-') {
        if !cut.is_empty() && cut.len() + part.len() + 1 > 64 {
            break;
        }
        if !cut.is_empty() {
            cut.push('-');
        }
        cut.push_str(part);
    }
    cut
}

/// The Monday of the week holding `day`.
pub fn week_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// A YAML string, quoted when it must be.
fn yaml_str(text: &str) -> String {
    let plain = !text.is_empty()
        && !text.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@`".contains(c) || c.is_whitespace())
        && !text.ends_with(char::is_whitespace)
        && !text.contains(": ")
        && !text.contains(" #")
        && text.chars().all(|c| !c.is_control());
    if plain {
        text.to_string()
    } else {
        serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
    }
}

/// The placeholder under a required section, by its name.
fn section_hint(kind: PageKind, section: &str) -> &'static str {
    let name = section.trim().trim_end_matches(':').to_lowercase();
    match (kind, name.as_str()) {
        (_, "symptom" | "symptoms") => {
            "TODO: what the on-call engineer sees: the alert that fired, the dashboard, what users report."
        }
        (_, "impact") => {
            "TODO: who and what is affected, and how badly (customers, revenue, data)."
        }
        (_, "diagnosis steps" | "diagnosis") => {
            "1. TODO: the first thing to check, with the exact command or dashboard."
        }
        (_, "resolution steps" | "resolution") => {
            "1. TODO: the first step that fixes it, with the exact command."
        }
        (_, "rollback") => "TODO: how to undo the resolution if it makes things worse.",
        (_, "prevention") => "TODO: what would keep this from happening again.",
        (_, "summary") => "TODO: two or three sentences: what happened, for how long, to whom.",
        (_, "root cause") => "TODO: the cause, found by asking why until the answer is a fix.",
        (_, "contributing factors") => "- TODO: what made it worse or slower to fix.",
        (_, "what went well") => "- TODO: what worked and should be kept.",
        (_, "what could be improved") => "- TODO: what slowed the response down.",
        _ => "TODO: write this section.",
    }
}

/// The skeleton of a new page or tree titled `title`, written on `today`.
pub fn skeleton(
    kind: Kind,
    title: &str,
    today: NaiveDate,
    config: &Config,
) -> Result<Skeleton, String> {
    let title = title.trim();
    let slug = slug(title);
    if slug.is_empty() {
        return Err(format!(
            "`{title}` has no letters or digits to name a file after"
        ));
    }
    let sections = |kind: PageKind| -> Vec<String> {
        config
            .rules(kind)
            .map(|r| r.required_sections.clone())
            .unwrap_or_default()
    };
    let mut text = String::new();
    let path = match kind {
        Kind::Runbook => {
            let _ = writeln!(text, "---");
            let _ = writeln!(text, "title: {}", yaml_str(title));
            let severity = config
                .severities
                .last()
                .cloned()
                .unwrap_or_else(|| "P4".into());
            let _ = writeln!(
                text,
                "severity: {}  # one of {}: how urgent a page is",
                yaml_str(&severity),
                config.severities.join(", ")
            );
            let _ = writeln!(
                text,
                "owner: \"TODO: the team or person who keeps this runbook right\""
            );
            let _ = writeln!(text, "last_updated: {today}");
            let _ = writeln!(text, "# services: [orders-api]");
            let _ = writeln!(text, "# tags: [database]");
            let _ = writeln!(text, "# alarms: [the-alarm-name]   # alarms that lead here");
            let _ = writeln!(text, "---\n");
            let _ = writeln!(text, "# Runbook: {title}\n");
            for section in sections(PageKind::Runbook) {
                let _ = writeln!(
                    text,
                    "## {section}\n\n{}\n",
                    section_hint(PageKind::Runbook, &section)
                );
            }
            format!("{CONTENT_DIR}/runbooks/{slug}.md")
        }
        Kind::Postmortem => {
            let severity = config
                .severities
                .first()
                .cloned()
                .unwrap_or_else(|| "P1".into());
            let _ = writeln!(text, "---");
            let _ = writeln!(text, "title: {}", yaml_str(title));
            let _ = writeln!(text, "date: {today}");
            let _ = writeln!(
                text,
                "severity: {}  # one of {}",
                yaml_str(&severity),
                config.severities.join(", ")
            );
            let _ = writeln!(text, "# runbooks: [runbooks/the-runbook-used]");
            let _ = writeln!(text, "---\n");
            let _ = writeln!(text, "# Post-Mortem: {title}\n");
            let deadline = today + Duration::days(14);
            for section in sections(PageKind::Postmortem) {
                let _ = writeln!(text, "## {section}\n");
                match section.trim().trim_end_matches(':').to_lowercase().as_str() {
                    "timeline" => {
                        let _ = writeln!(text, "| Time (UTC) | Event |\n|---|---|");
                        let _ = writeln!(text, "| 00:00 | TODO: the first sign of trouble |");
                        let _ = writeln!(text, "| 00:00 | TODO: resolved |\n");
                    }
                    "action items" => {
                        let _ = writeln!(
                            text,
                            "| Action | Owner | Deadline | Status |\n|---|---|---|---|"
                        );
                        let _ = writeln!(
                            text,
                            "| TODO: what will be done | TODO: who | {deadline} | Open |\n"
                        );
                    }
                    _ => {
                        let _ =
                            writeln!(text, "{}\n", section_hint(PageKind::Postmortem, &section));
                    }
                }
            }
            format!("{CONTENT_DIR}/postmortems/{today}-{slug}.md")
        }
        Kind::Report => {
            let week = week_of(today);
            let _ = writeln!(text, "---");
            let _ = writeln!(text, "title: {}", yaml_str(title));
            let _ = writeln!(text, "week_of: {week}");
            let _ = writeln!(
                text,
                "# Fill in the blocks you track; every block is optional."
            );
            let _ = writeln!(
                text,
                "# availability: {{uptime_pct: 99.95, target_pct: 99.9, downtime_minutes: 20}}"
            );
            let _ = writeln!(text, "# incidents: {{P1: 0, P2: 0, P3: 0, P4: 0}}");
            let _ = writeln!(text, "# latency_ms:");
            let _ = writeln!(text, "#   p95: {{value: 180, target: 500}}");
            let _ = writeln!(text, "# errors: {{total_5xx: 0}}");
            let _ = writeln!(text, "# cost: {{spend: 0, budget: 0, currency: USD}}");
            let _ = writeln!(text, "# action_items:");
            let _ = writeln!(
                text,
                "#   - {{text: Something to do, owner: \"@someone\", done: false}}"
            );
            let _ = writeln!(text, "---\n");
            let _ = writeln!(text, "# Weekly ops report: week of {week}\n");
            let _ = writeln!(
                text,
                "## Highlights\n\nTODO: what mattered this week, in a few lines.\n"
            );
            let _ = writeln!(
                text,
                "## Incidents\n\nTODO: each incident in a line, linking its post-mortem.\n"
            );
            format!("{CONTENT_DIR}/reports/{week}.md")
        }
        Kind::Tree => {
            let _ = writeln!(
                text,
                "# A triage tree: start at `start`, answer each check, follow the option."
            );
            let _ = writeln!(
                text,
                "# Each option has exactly one of: runbook, next, escalate."
            );
            let _ = writeln!(text, "title: {}", yaml_str(title));
            let _ = writeln!(text, "start: first-check");
            let _ = writeln!(text, "nodes:");
            let _ = writeln!(text, "  first-check:");
            let _ = writeln!(
                text,
                "    check: \"TODO: the first thing to look at (a dashboard, a command)\""
            );
            let _ = writeln!(text, "    options:");
            let _ = writeln!(text, "      - answer: \"TODO: what you may see\"");
            let _ = writeln!(text, "        next: second-check");
            let _ = writeln!(text, "      - answer: \"TODO: what else you may see\"");
            let _ = writeln!(text, "        escalate: \"TODO: who to hand over to\"");
            let _ = writeln!(text, "  second-check:");
            let _ = writeln!(text, "    check: \"TODO: the next thing to look at\"");
            let _ = writeln!(text, "    options:");
            let _ = writeln!(text, "      - answer: \"TODO: what you may see\"");
            let _ = writeln!(text, "        escalate: \"TODO: who to hand over to\"");
            let _ = writeln!(text, "      # - answer: Something that a runbook answers");
            let _ = writeln!(text, "      #   runbook: runbooks/the-runbook");
            format!("{CONTENT_DIR}/trees/{slug}.yaml")
        }
    };
    Ok(Skeleton { path, text })
}

/// Write a file that must not exist yet (never overwrites).
pub fn write_new(root: &Path, file: &Skeleton) -> io::Result<PathBuf> {
    let path = root.join(&file.path);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    let mut out = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)?;
    out.write_all(file.text.as_bytes())?;
    Ok(path)
}

/// The example site of `opswiki init`, dated from `today`.
pub fn example_site(today: NaiveDate) -> Vec<Skeleton> {
    let file = |path: &str, text: String| Skeleton {
        path: path.to_string(),
        text,
    };
    let week = week_of(today);
    let incident = today - Duration::days(3);
    let deadline = today + Duration::days(30);
    vec![
        file("opswiki.yaml", OPSWIKI_YAML.to_string()),
        file("content/index.md", HOME.to_string()),
        file(
            "content/runbooks/api-error-rate-spike.md",
            RUNBOOK_API.replace("{today}", &today.to_string()),
        ),
        file(
            "content/runbooks/database-connection-exhaustion.md",
            RUNBOOK_DB.replace("{today}", &today.to_string()),
        ),
        file("content/alarms/api.yaml", ALARMS.to_string()),
        file("content/trees/users-report-errors.yaml", TREE.to_string()),
        file(
            &format!("content/postmortems/{incident}-orders-api-errors.md"),
            POSTMORTEM
                .replace("{date}", &incident.to_string())
                .replace("{deadline}", &deadline.to_string()),
        ),
        file(
            &format!("content/reports/{week}.md"),
            REPORT.replace("{week}", &week.to_string()),
        ),
    ]
}

const OPSWIKI_YAML: &str = "\
# opswiki site configuration: every key is optional.
title: Ops Wiki
# base_url: https://wiki.example.com/
stale_after_days: 90
severities: [P1, P2, P3, P4]
";

const HOME: &str = "\
---
title: Ops Wiki
---

# Ops Wiki

Runbooks, alarms, triage trees, post-mortems and weekly reports of the team.

- Paged? Find the alarm in the alarm catalogue (Alarms, above), or start from
  what users report with the triage tree (Triage, above).
- The runbooks: [API error rate spike](runbooks/api-error-rate-spike) and
  [database connection exhaustion](runbooks/database-connection-exhaustion).

Write a new runbook with `opswiki new runbook \"Disk full\"`, then see it with
`opswiki serve`.
";

const RUNBOOK_API: &str = "\
---
title: API Error Rate Spike
severity: P1
owner: team-api
last_updated: {today}
services: [orders-api]
tags: [api, 5xx]
alarms: [orders-api-5xx-rate]
---

# Runbook: API Error Rate Spike

## Symptom

The alarm `orders-api-5xx-rate` pages: more than 1% of requests to the orders
API return a 5xx for 5 minutes.

## Impact

Customers cannot place orders while the requests fail.

## Diagnosis Steps

1. Open the orders API dashboard and find when the errors started.
2. Compare with the deploy log: `kubectl rollout history deploy/orders-api`.
3. If the database is slow too, follow
   [database connection exhaustion](database-connection-exhaustion.md).

## Resolution Steps

1. If a deploy matches, roll it back:
   `kubectl rollout undo deploy/orders-api`.
2. Watch the error rate for 10 minutes.

## Rollback

Roll forward again with `kubectl rollout undo deploy/orders-api` once the
faulty change is fixed.

## Prevention

Canary every deploy and gate it on the 5xx rate.
";

const RUNBOOK_DB: &str = "\
---
title: Database Connection Exhaustion
severity: P2
owner: team-platform
last_updated: {today}
services: [orders-db]
tags: [database, postgres]
alarms: [orders-db-connections-high]
---

# Runbook: Database Connection Exhaustion

## Symptom

The alarm `orders-db-connections-high` fires: the database uses more than 90%
of its connection slots. Requests time out waiting for a connection.

## Impact

Every service using the orders database slows down, then fails.

## Diagnosis Steps

1. Count connections by client:
   `SELECT client_addr, count(*) FROM pg_stat_activity GROUP BY 1 ORDER BY 2 DESC;`
2. Look for long-running transactions holding connections.

## Resolution Steps

1. Restart the client that holds the most connections, one pod at a time.
2. If a query is stuck, cancel it with `SELECT pg_cancel_backend(PID);`.

## Rollback

Nothing to undo: restarted pods come back with fresh pools.

## Prevention

Cap each service's pool size so their sum stays below the database's limit.
";

const ALARMS: &str = "\
# Alarms of the orders domain. Shape: an opswiki list.
- name: orders-api-5xx-rate
  description: Orders API returning server errors
  severity: P1
  runbook: runbooks/api-error-rate-spike#diagnosis-steps
  metric: http_requests_total{code=~\"5..\"}
  threshold: \"> 1% for 5 minutes\"
  action: page on-call

- name: orders-db-connections-high
  description: Orders database close to its connection limit
  severity: P2
  runbook: runbooks/database-connection-exhaustion
  metric: pg_stat_activity_count
  threshold: \"> 90% of max_connections for 5 minutes\"
  action: page on-call
";

const TREE: &str = "\
title: Users report errors
start: api-errors
nodes:
  api-errors:
    check: Orders API error rate dashboard
    options:
      - answer: Error rate elevated
        runbook: runbooks/api-error-rate-spike
      - answer: Normal
        next: database
  database:
    check: Database connections panel
    options:
      - answer: Connections near the limit
        runbook: runbooks/database-connection-exhaustion
      - answer: All healthy
        escalate: Escalate to the engineering on-call
";

const POSTMORTEM: &str = "\
---
title: Orders API Errors After a Deploy
date: {date}
severity: P2
duration: 35 minutes
runbooks: [runbooks/api-error-rate-spike]
---

# Post-Mortem: Orders API Errors After a Deploy

## Summary

A deploy of the orders API shipped a bad database query; 3% of order requests
failed for 35 minutes until the deploy was rolled back.

## Timeline

| Time (UTC) | Event |
|---|---|
| 14:02 | Deploy of orders-api starts |
| 14:09 | `orders-api-5xx-rate` pages the on-call engineer |
| 14:25 | The deploy is identified as the cause |
| 14:37 | Rollback complete, error rate back to normal |

## Root Cause

A new query scanned the whole orders table and exhausted the connection pool.

## Contributing Factors

- The query was not tested against production-sized data.
- The canary stage was skipped for this deploy.

## What Went Well

- The alarm paged within 7 minutes and linked straight to the runbook.

## What Could Be Improved

- Finding the faulty deploy took 16 minutes.

## Action Items

| Action | Owner | Deadline | Status |
|---|---|---|---|
| Test queries against a production-sized copy | @team-api | {deadline} | Open |
| Make the canary stage mandatory | @team-platform | {deadline} | Done |
";

const REPORT: &str = "\
---
week_of: {week}
availability: {uptime_pct: 99.95, target_pct: 99.9, downtime_minutes: 35}
incidents: {P1: 0, P2: 1, P3: 0, P4: 0}
latency_ms:
  p50: {value: 45, target: 100}
  p95: {value: 180, target: 500}
errors: {total_5xx: 1200}
action_items:
  - {text: Test queries against a production-sized copy, owner: \"@team-api\", done: false}
---

# Weekly ops report

One P2 incident: a deploy of the orders API failed 3% of order requests for
35 minutes (see the post-mortem).
";

/// Today's date where `--today` was not given.
pub fn today(given: Option<NaiveDate>) -> NaiveDate {
    given.unwrap_or_else(|| chrono::Local::now().date_naive())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("Disk Full: /var"), "disk-full-var");
        assert_eq!(slug("  Pod CrashLoopBackOff!  "), "pod-crashloopbackoff");
        assert_eq!(slug("Ünïcode café"), "ünïcode-café");
        assert_eq!(slug("!!!"), "");
        assert!(slug(&"word ".repeat(40)).len() <= 64);
    }

    #[test]
    fn week_starts_on_monday() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(week_of(d("2026-11-26")), d("2026-11-23"));
        assert_eq!(week_of(d("2026-11-23")), d("2026-11-23"));
    }

    #[test]
    fn titles_are_quoted_when_yaml_needs_it() {
        assert_eq!(yaml_str("Disk full"), "Disk full");
        assert_eq!(yaml_str("Disk: full"), "\"Disk: full\"");
        assert_eq!(yaml_str("#1 cause"), "\"#1 cause\"");
    }
}
