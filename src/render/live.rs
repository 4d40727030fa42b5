//! The live status as HTML: the body of `status/live/` (firing, pending and
//! silenced alerts with their runbooks, each service's indicators with a
//! sparkline, what could not be read), and the page around it.
//!
//! The body is its own template so that `opswiki serve` can render it on
//! each request without the site's templates: it replaces the part of the
//! built page between the `<!--opswiki-live-->` markers. Every value goes
//! through Tera's escaping; only the sparkline (our own numbers) is raw.

use std::sync::OnceLock;

use anyhow::{Context, Result};
use serde_json::Value;
use tera::Tera;

use super::Renderer;
use crate::live::{AlertState, LIVE_PATH, LiveStatus, with_unit};
use crate::model::root_prefix;

/// The markers around the live part of the page.
pub const START_MARKER: &str = "<!--opswiki-live-->";
pub const END_MARKER: &str = "<!--/opswiki-live-->";

const BODY_TEMPLATE: &str = include_str!("../../templates/status_live_body.html");

fn body_tera() -> &'static Tera {
    static TERA: OnceLock<Tera> = OnceLock::new();
    TERA.get_or_init(|| {
        let mut tera = Tera::default();
        tera.set_escape_fn(crate::highlight::escape_html);
        tera.register_filter("severity_badge", super::templates::severity_badge);
        tera.add_raw_template("status_live_body.html", BODY_TEMPLATE)
            .expect("the built-in live status template compiles");
        tera
    })
}

/// Give each link (`label` and `path`) its `href` from the page.
fn add_hrefs(v: &mut Value, root: &str) {
    match v {
        Value::Object(map) => {
            if let (Some(Value::String(path)), true) =
                (map.get("path").cloned(), map.contains_key("label"))
            {
                map.insert("href".into(), format!("{root}{path}").into());
            }
            for (_, child) in map.iter_mut() {
                add_hrefs(child, root);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|c| add_hrefs(c, root)),
        _ => {}
    }
}

/// A line through the values, 80 by 20, as inline SVG.
fn sparkline(values: &[f64]) -> String {
    if values.len() < 2 {
        return String::new();
    }
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let span = if max > min { max - min } else { 1.0 };
    let step = 80.0 / (values.len() - 1) as f64;
    let points: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            format!(
                "{:.1},{:.1}",
                i as f64 * step,
                18.0 - (v - min) / span * 16.0
            )
        })
        .collect();
    format!(
        "<svg class=\"sparkline\" width=\"80\" height=\"20\" viewBox=\"0 0 80 20\" aria-hidden=\"true\"><polyline fill=\"none\" stroke=\"currentColor\" stroke-width=\"1.5\" points=\"{}\"/></svg>",
        points.join(" ")
    )
}

/// The live part of the page, for a page at `root` (`../../`): `None` for
/// the placeholder a plain build writes; `snapshot` when a build took it.
pub fn body_html(live: Option<&LiveStatus>, root: &str, snapshot: bool) -> String {
    let mut ctx = tera::Context::new();
    ctx.insert("snapshot", &snapshot);
    match live {
        None => ctx.insert("live", &Value::Null),
        Some(live) => {
            let mut v = serde_json::to_value(live).unwrap_or_default();
            add_hrefs(&mut v, root);
            if let Some(services) = v["services"].as_array_mut() {
                for (s, service) in services.iter_mut().zip(&live.services) {
                    let Some(list) = s["indicators"].as_array_mut() else {
                        continue;
                    };
                    for (i, ind) in list.iter_mut().zip(&service.indicators) {
                        i["now_text"] = ind
                            .now
                            .map(|n| with_unit(n, &ind.unit))
                            .unwrap_or_else(|| "-".into())
                            .into();
                        if let Some(t) = &ind.trend {
                            i["spark"] = sparkline(&t.values).into();
                            i["trend_text"] = format!(
                                "{} → {}{}",
                                with_unit(t.first, &ind.unit),
                                with_unit(t.last, &ind.unit),
                                t.change_pct
                                    .map(|c| format!(" ({})", crate::report::pct_change(c)))
                                    .unwrap_or_default()
                            )
                            .into();
                        } else {
                            i["spark"] = "".into();
                            i["trend_text"] = "".into();
                        }
                    }
                }
            }
            let alerts = v["alerts"].as_array().cloned().unwrap_or_default();
            let of = |state: AlertState| -> Vec<Value> {
                alerts
                    .iter()
                    .filter(|a| a["state"] == state.name())
                    .cloned()
                    .collect()
            };
            let groups = serde_json::json!([
                {"id": "firing", "title": "Firing", "alerts": of(AlertState::Firing)},
                {"id": "pending", "title": "Pending", "alerts": of(AlertState::Pending)},
                {"id": "suppressed", "title": "Silenced or inhibited", "alerts": v["suppressed"].clone()},
            ]);
            let items = v["items"].as_array().cloned().unwrap_or_default();
            let (fine, attention): (Vec<Value>, Vec<Value>) =
                items.into_iter().partition(|i| i["health"] == "HEALTHY");
            let n = attention.len();
            ctx.insert(
                "headline",
                &match n {
                    0 => "nothing needs attention".to_string(),
                    1 => "1 item needs attention".to_string(),
                    n => format!("{n} items need attention"),
                },
            );
            ctx.insert("attention", &attention);
            ctx.insert("fine", &fine);
            ctx.insert("groups", &groups);
            ctx.insert("live", &v);
        }
    }
    body_tera()
        .render("status_live_body.html", &ctx)
        .unwrap_or_else(|e| {
            format!(
                "{START_MARKER}<p>the live status could not be shown: {}</p>{END_MARKER}",
                crate::highlight::escape_html(&e.to_string())
            )
        })
}

/// Replace the live part of a built page with `body`; `None` when the page
/// has no markers (a site's own template without them).
pub fn splice(page: &str, body: &str) -> Option<String> {
    let start = page.find(START_MARKER)?;
    let end = page[start..].find(END_MARKER)? + start + END_MARKER.len();
    Some(format!("{}{body}{}", &page[..start], &page[end..]))
}

impl Renderer<'_> {
    pub(super) fn render_live(&self) -> Result<(String, String)> {
        let body = match &self.live_body {
            Some(body) => body.clone(),
            None => body_html(None, &root_prefix(LIVE_PATH), false),
        };
        let mut ctx = self.base_context(LIVE_PATH, "status", "Live status");
        ctx.insert("live_body", &body);
        let html = self
            .tera
            .render("status_live.html", &ctx)
            .context("rendering the live status page")?;
        Ok((LIVE_PATH.to_string(), html))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_live_part_is_replaced_between_its_markers() {
        let page = format!("<main>a {START_MARKER}old{END_MARKER} b</main>");
        assert_eq!(splice(&page, "new").unwrap(), "<main>a new b</main>");
        assert_eq!(splice("<main></main>", "new"), None);
        let placeholder = body_html(None, "../../", false);
        assert!(placeholder.starts_with(START_MARKER));
        assert!(placeholder.trim_end().ends_with(END_MARKER));
    }
}
