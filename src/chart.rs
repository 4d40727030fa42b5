//! Charts as inline SVG, drawn at build time: no script, no network.
//!
//! One chart has a category axis (the report weeks), a value axis with
//! round ticks, stacked bars and lines (a dashed line for a target), a
//! legend, a title and a description for screen readers, and a tooltip per
//! point. Text and axes are drawn in `currentColor`; each series carries a
//! class (`c1`…`c3`, `p1`…`p4`, `over`, `muted`) that the stylesheet maps to
//! a colour variable, so the chart follows the page into dark mode and
//! print. The `color` attribute beside each class is the fallback when the
//! stylesheet is missing. Series differ by marker shape and dash pattern as
//! well as colour, so they stay apart in grey print.

use std::fmt::Write;

use crate::highlight::escape_html;

/// The shape drawn at each point of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    None,
    Circle,
    Square,
    Triangle,
}

/// One series: a line (or a target line), or a layer of stacked bars.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: String,
    pub values: Vec<Option<f64>>,
    /// Colour class: `c1`, `c2`, `c3`, `p1`…`p4`, `over`, `muted`.
    pub class: &'static str,
    pub dashed: bool,
    pub marker: Marker,
}

impl Series {
    pub fn line(
        label: impl Into<String>,
        values: Vec<Option<f64>>,
        class: &'static str,
        marker: Marker,
    ) -> Series {
        Series {
            label: label.into(),
            values,
            class,
            dashed: false,
            marker,
        }
    }

    /// A dashed line without markers: a target or budget.
    pub fn target(
        label: impl Into<String>,
        values: Vec<Option<f64>>,
        class: &'static str,
    ) -> Series {
        Series {
            label: label.into(),
            values,
            class,
            dashed: true,
            marker: Marker::None,
        }
    }

    pub fn bars(label: impl Into<String>, values: Vec<Option<f64>>, class: &'static str) -> Series {
        Series {
            label: label.into(),
            values,
            class,
            dashed: false,
            marker: Marker::None,
        }
    }
}

/// What a chart shows and how its values read.
pub struct Chart<'a> {
    /// Unique on the page: the ids of the title and description derive from it.
    pub id: &'a str,
    pub title: &'a str,
    pub description: String,
    /// One label per category (week), oldest first.
    pub x_labels: Vec<String>,
    /// Long labels for tooltips (e.g. `week of 2026-11-16`).
    pub x_titles: Vec<String>,
    /// The value axis' name, e.g. `ms` or `USD`.
    pub y_label: &'a str,
    /// Formats a value for ticks and tooltips.
    pub format: &'a dyn Fn(f64) -> String,
    /// Start the value axis at zero.
    pub zero_based: bool,
    /// Never draw the axis above this (100 for percentages).
    pub ceiling: Option<f64>,
    /// Values are counts: ticks at whole numbers only.
    pub whole: bool,
    /// Stacked bars, bottom layer first.
    pub bars: Vec<Series>,
    /// Classes of single bars to replace: `(index, class)`, e.g. a week over budget.
    pub bar_classes: Vec<(usize, &'static str)>,
    /// Lines drawn over the bars.
    pub lines: Vec<Series>,
}

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 280.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 44.0;
const BOTTOM: f64 = 40.0;

/// The fallback colour of a class, when the stylesheet does not set one.
fn fallback(class: &str) -> &'static str {
    match class {
        "c1" => "#0b5cad",
        "c2" => "#b45309",
        "c3" => "#7c3aed",
        "p1" | "over" => "#b42318",
        "p2" => "#c2410c",
        "p3" => "#a16207",
        "p4" => "#3f6212",
        _ => "#5b6470",
    }
}

/// A round step for about `target` intervals over `range`: 1, 2, 2.5 or 5 × 10ⁿ.
pub fn nice_step(range: f64, target: f64) -> f64 {
    if range <= 0.0 || !range.is_finite() {
        return 1.0;
    }
    let raw = range / target;
    let exp = raw.log10().floor();
    let base = 10f64.powf(exp);
    let f = raw / base;
    let nice = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 2.5 {
        2.5
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * base
}

/// The value axis: (low, high, step).
pub fn axis(
    values: &[f64],
    zero_based: bool,
    ceiling: Option<f64>,
    whole: bool,
) -> (f64, f64, f64) {
    let (mut min, mut max) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(*v), hi.max(*v))
        });
    if !min.is_finite() {
        (min, max) = (0.0, 1.0);
    }
    if zero_based {
        min = min.min(0.0);
    }
    if max <= min {
        max = min + if min == 0.0 { 1.0 } else { min.abs() * 0.1 };
    }
    let mut step = nice_step(max - min, 5.0);
    if whole {
        step = step.max(1.0).round();
    }
    let lo = (min / step + 1e-9).floor() * step;
    let mut hi = (max / step - 1e-9).ceil() * step;
    if hi <= max && !zero_based {
        hi += step;
    }
    if let Some(c) = ceiling
        && hi > c
        && max <= c
    {
        hi = c;
    }
    (lo, hi, step)
}

/// Decimals needed to print ticks `step` apart.
fn step_decimals(step: f64) -> usize {
    let mut d = 0;
    while d < 6
        && ((step * 10f64.powi(d as i32)).round() - step * 10f64.powi(d as i32)).abs() > 1e-6
    {
        d += 1;
    }
    d
}

fn fmt(n: f64) -> String {
    let s = format!("{n:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// Draw a chart as an `<svg>` element.
pub fn render(chart: &Chart) -> String {
    let n = chart.x_labels.len().max(1);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let slot = plot_w / n as f64;

    // Everything the axis must hold: stacked bar totals and line values.
    let mut all: Vec<f64> = Vec::new();
    for i in 0..n {
        let total: f64 = chart
            .bars
            .iter()
            .filter_map(|s| s.values.get(i).copied().flatten())
            .sum();
        if chart
            .bars
            .iter()
            .any(|s| s.values.get(i).copied().flatten().is_some())
        {
            all.push(total);
        }
    }
    for s in &chart.lines {
        all.extend(s.values.iter().flatten());
    }
    let (lo, hi, step) = axis(
        &all,
        chart.zero_based || !chart.bars.is_empty(),
        chart.ceiling,
        chart.whole,
    );
    let y = |v: f64| TOP + plot_h - (v - lo) / (hi - lo) * plot_h;
    let x = |i: usize| LEFT + slot * (i as f64 + 0.5);
    let decimals = step_decimals(step);

    let id = escape_html(chart.id);
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"chart\" id=\"{id}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" width=\"{WIDTH}\" height=\"{HEIGHT}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" font-family=\"system-ui, sans-serif\" font-size=\"12\" fill=\"currentColor\">\n<title id=\"{id}-title\">{}</title>\n<desc id=\"{id}-desc\">{}</desc>\n",
        escape_html(chart.title),
        escape_html(&chart.description)
    );

    // Grid and value axis.
    svg.push_str("<g class=\"axis y-axis\">\n");
    let mut v = lo;
    let mut guard = 0;
    while v <= hi + step * 1e-6 && guard < 40 {
        let yy = y(v);
        let _ = writeln!(
            svg,
            "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"currentColor\" stroke-opacity=\"0.15\"/><text x=\"{}\" y=\"{}\" text-anchor=\"end\" dominant-baseline=\"middle\">{}</text>",
            fmt(WIDTH - RIGHT),
            fmt(yy),
            fmt(yy),
            fmt(LEFT - 8.0),
            fmt(yy),
            escape_html(&format!("{:.*}", decimals, v))
        );
        v += step;
        guard += 1;
    }
    let _ = writeln!(
        svg,
        "<text class=\"axis-label\" transform=\"translate(14 {}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
        fmt(TOP + plot_h / 2.0),
        escape_html(chart.y_label)
    );
    let _ = writeln!(
        svg,
        "<line x1=\"{LEFT}\" x2=\"{LEFT}\" y1=\"{TOP}\" y2=\"{}\" stroke=\"currentColor\" stroke-opacity=\"0.6\"/>",
        fmt(TOP + plot_h)
    );
    svg.push_str("</g>\n");

    // Category axis: at most about ten labels.
    let every = n.div_ceil(10).max(1);
    svg.push_str("<g class=\"axis x-axis\">\n");
    let _ = writeln!(
        svg,
        "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"currentColor\" stroke-opacity=\"0.6\"/>",
        fmt(WIDTH - RIGHT),
        fmt(TOP + plot_h),
        fmt(TOP + plot_h)
    );
    for (i, label) in chart.x_labels.iter().enumerate() {
        if i % every != 0 && i != n - 1 {
            continue;
        }
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            fmt(x(i)),
            fmt(TOP + plot_h + 18.0),
            escape_html(label)
        );
    }
    svg.push_str("</g>\n");

    let tooltip = |i: usize, label: &str, v: f64| {
        let when = chart
            .x_titles
            .get(i)
            .or_else(|| chart.x_labels.get(i))
            .map(String::as_str)
            .unwrap_or("");
        escape_html(&format!("{when}: {label} {}", (chart.format)(v)))
    };

    // Stacked bars; their totals are written after the lines, on top.
    let mut totals = String::new();
    if !chart.bars.is_empty() {
        let bar_w = (slot * 0.6).min(48.0);
        svg.push_str("<g class=\"bars\">\n");
        for i in 0..n {
            let mut base = 0.0f64.max(lo);
            let mut total = 0.0;
            let mut any = false;
            for s in &chart.bars {
                let Some(v) = s.values.get(i).copied().flatten() else {
                    continue;
                };
                any = true;
                total += v;
                if v <= 0.0 {
                    continue;
                }
                let class = chart
                    .bar_classes
                    .iter()
                    .find(|(j, _)| *j == i)
                    .map_or(s.class, |(_, c)| *c);
                let top = y(base + v);
                let _ = writeln!(
                    svg,
                    "<rect class=\"bar {class}\" color=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"currentColor\" stroke=\"var(--bg, #fff)\" stroke-width=\"1\"><title>{}</title></rect>",
                    fallback(class),
                    fmt(x(i) - bar_w / 2.0),
                    fmt(top),
                    fmt(bar_w),
                    fmt((y(base) - top).max(0.0)),
                    tooltip(i, &s.label, v)
                );
                base += v;
            }
            if any && n <= 16 {
                let _ = writeln!(
                    totals,
                    "<text class=\"value\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\" stroke=\"var(--bg, #fff)\" stroke-width=\"3\" paint-order=\"stroke\">{}</text>",
                    fmt(x(i)),
                    fmt(y(total) - 5.0),
                    escape_html(&(chart.format)(total))
                );
            }
        }
        svg.push_str("</g>\n");
    }

    // Lines, each split where a value is missing.
    for s in &chart.lines {
        let _ = writeln!(
            svg,
            "<g class=\"line {}{}\" color=\"{}\">",
            s.class,
            if s.dashed { " target" } else { "" },
            fallback(s.class)
        );
        let dash = if s.dashed {
            " stroke-dasharray=\"7 5\""
        } else {
            ""
        };
        let width = if s.dashed { "1.8" } else { "2.5" };
        let mut run: Vec<(f64, f64)> = Vec::new();
        let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
        for i in 0..n {
            match s.values.get(i).copied().flatten() {
                Some(v) => run.push((x(i), y(v))),
                None if !run.is_empty() => runs.push(std::mem::take(&mut run)),
                None => {}
            }
        }
        if !run.is_empty() {
            runs.push(run);
        }
        for run in &runs {
            let points: Vec<String> = if s.dashed && run.len() == 1 {
                // A lone target value still spans its slot.
                vec![
                    format!("{},{}", fmt(run[0].0 - slot / 2.0), fmt(run[0].1)),
                    format!("{},{}", fmt(run[0].0 + slot / 2.0), fmt(run[0].1)),
                ]
            } else {
                run.iter()
                    .map(|(a, b)| format!("{},{}", fmt(*a), fmt(*b)))
                    .collect()
            };
            let _ = writeln!(
                svg,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"{width}\" stroke-linejoin=\"round\"{dash}/>",
                points.join(" ")
            );
        }
        for i in 0..n {
            let Some(v) = s.values.get(i).copied().flatten() else {
                continue;
            };
            let (cx, cy) = (x(i), y(v));
            let title = tooltip(i, &s.label, v);
            let _ = match s.marker {
                Marker::None if s.dashed => Ok(()),
                Marker::None => writeln!(
                    svg,
                    "<circle cx=\"{}\" cy=\"{}\" r=\"6\" fill=\"transparent\"><title>{title}</title></circle>",
                    fmt(cx),
                    fmt(cy)
                ),
                Marker::Circle => writeln!(
                    svg,
                    "<circle class=\"marker\" cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"currentColor\"><title>{title}</title></circle>",
                    fmt(cx),
                    fmt(cy)
                ),
                Marker::Square => writeln!(
                    svg,
                    "<rect class=\"marker\" x=\"{}\" y=\"{}\" width=\"8\" height=\"8\" fill=\"currentColor\"><title>{title}</title></rect>",
                    fmt(cx - 4.0),
                    fmt(cy - 4.0)
                ),
                Marker::Triangle => writeln!(
                    svg,
                    "<path class=\"marker\" d=\"M{} {}L{} {}L{} {}Z\" fill=\"currentColor\"><title>{title}</title></path>",
                    fmt(cx),
                    fmt(cy - 5.0),
                    fmt(cx + 5.0),
                    fmt(cy + 4.0),
                    fmt(cx - 5.0),
                    fmt(cy + 4.0)
                ),
            };
        }
        svg.push_str("</g>\n");
    }

    if !totals.is_empty() {
        svg.push_str("<g class=\"totals\">\n");
        svg.push_str(&totals);
        svg.push_str("</g>\n");
    }

    // Legend across the top.
    svg.push_str("<g class=\"legend\">\n");
    let mut lx = LEFT;
    let entries = chart
        .bars
        .iter()
        .map(|s| (s, true))
        .chain(chart.lines.iter().map(|s| (s, false)));
    for (s, is_bar) in entries {
        let _ = write!(
            svg,
            "<g class=\"{}\" color=\"{}\">",
            s.class,
            fallback(s.class)
        );
        if is_bar {
            let _ = write!(
                svg,
                "<rect x=\"{}\" y=\"12\" width=\"12\" height=\"12\" fill=\"currentColor\"/>",
                fmt(lx)
            );
        } else {
            let dash = if s.dashed {
                " stroke-dasharray=\"7 5\""
            } else {
                ""
            };
            let _ = write!(
                svg,
                "<line x1=\"{}\" x2=\"{}\" y1=\"18\" y2=\"18\" stroke=\"currentColor\" stroke-width=\"2.5\"{dash}/>",
                fmt(lx),
                fmt(lx + 22.0)
            );
            let (cx, cy) = (lx + 11.0, 18.0);
            let _ = match s.marker {
                Marker::Circle => write!(
                    svg,
                    "<circle cx=\"{}\" cy=\"{cy}\" r=\"4\" fill=\"currentColor\"/>",
                    fmt(cx)
                ),
                Marker::Square => write!(
                    svg,
                    "<rect x=\"{}\" y=\"14\" width=\"8\" height=\"8\" fill=\"currentColor\"/>",
                    fmt(cx - 4.0)
                ),
                Marker::Triangle => write!(
                    svg,
                    "<path d=\"M{} 13L{} 22L{} 22Z\" fill=\"currentColor\"/>",
                    fmt(cx),
                    fmt(cx + 5.0),
                    fmt(cx - 5.0)
                ),
                Marker::None => Ok(()),
            };
        }
        let text_x = lx + if is_bar { 17.0 } else { 27.0 };
        let _ = writeln!(
            svg,
            "</g><text x=\"{}\" y=\"22\">{}</text>",
            fmt(text_x),
            escape_html(&s.label)
        );
        // Advance by an estimate of the label's width.
        lx = text_x + s.label.chars().count() as f64 * 6.6 + 18.0;
    }
    svg.push_str("</g>\n</svg>\n");
    svg
}

/// The chart's numbers as an HTML table, for readers who cannot see it.
pub fn data_table(chart: &Chart) -> String {
    let mut html = String::from(
        "<table class=\"index-table chart-data\">\n<thead><tr><th scope=\"col\">Week</th>",
    );
    // A series with no values (a legend-only entry) gets no column.
    let series: Vec<&Series> = chart
        .bars
        .iter()
        .chain(chart.lines.iter())
        .filter(|s| s.values.iter().any(Option::is_some))
        .collect();
    for s in &series {
        let _ = write!(html, "<th scope=\"col\">{}</th>", escape_html(&s.label));
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    for (i, label) in chart.x_titles.iter().enumerate() {
        let _ = write!(html, "<tr><th scope=\"row\">{}</th>", escape_html(label));
        for s in &series {
            let cell = s
                .values
                .get(i)
                .copied()
                .flatten()
                .map(|v| (chart.format)(v))
                .unwrap_or_else(|| "—".into());
            let _ = write!(html, "<td>{}</td>", escape_html(&cell));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody></table>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_axes() {
        assert_eq!(nice_step(1000.0, 5.0), 200.0);
        assert_eq!(nice_step(0.18, 5.0), 0.05);
        let (lo, hi, step) = axis(&[99.82, 99.98, 99.9], false, Some(100.0), false);
        assert!(
            (lo - 99.8).abs() < 1e-9 && (hi - 100.0).abs() < 1e-9,
            "{lo} {hi}"
        );
        assert!((step - 0.05).abs() < 1e-12);
        assert_eq!(
            axis(&[44.0, 930.0, 1000.0], true, None, false),
            (0.0, 1000.0, 200.0)
        );
        // Counts never get half ticks.
        assert_eq!(axis(&[0.0, 2.0], true, None, true), (0.0, 2.0, 1.0));
        assert_eq!(step_decimals(0.05), 2);
        assert_eq!(step_decimals(200.0), 0);
    }

    #[test]
    fn svg_has_title_axes_and_escaped_text() {
        let format = |v: f64| format!("{v} ms");
        let chart = Chart {
            id: "lat",
            title: "Latency <p95>",
            description: "desc".into(),
            x_labels: vec!["Nov 9".into(), "Nov 16".into()],
            x_titles: vec!["week of 2026-11-09".into(), "week of 2026-11-16".into()],
            y_label: "ms",
            format: &format,
            zero_based: true,
            ceiling: None,
            whole: false,
            bars: vec![],
            bar_classes: vec![],
            lines: vec![
                Series::line("p95", vec![Some(285.0), Some(308.0)], "c2", Marker::Square),
                Series::target("p95 target", vec![Some(500.0), Some(500.0)], "c2"),
            ],
        };
        let svg = render(&chart);
        assert!(svg.starts_with("<svg class=\"chart\""));
        assert!(svg.contains("<title id=\"lat-title\">Latency &lt;p95&gt;</title>"));
        assert!(svg.contains("stroke-dasharray"));
        assert!(svg.contains("week of 2026-11-16: p95 308 ms"));
        assert_eq!(svg.matches("<polyline").count(), 2);
        let table = data_table(&chart);
        assert!(table.contains("<td>308 ms</td>"));
    }
}
