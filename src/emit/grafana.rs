//! Emitter: one Grafana dashboard per service, `grafana/dashboard-<svc>.json`.
//!
//! A dashboard shows the metrics that measure its service plus the metrics
//! of the whole release, one row per metric group (first-appearance order),
//! each metric a timeseries panel whose thresholds are the metric's bands,
//! with the very numbers the alerts compare with.
//!
//! Field names follow `@grafana/schema` (`Dashboard`, `Panel`, `RowPanel`,
//! `FieldConfigSource`, ...): the output is checked against its JSON Schema.

use serde::Serialize;
use serde_json::Number;

use super::alerts::{alerts, Alert};
use super::{header_json_description, OutputFile};
use crate::model::names;
use crate::model::{Band, Bands, CompareOp, Gate, Metric, ServiceId, Spec, Step, Threshold, Worse};

/// `defaultDashboard.schemaVersion` of `@grafana/schema` (Grafana 12+).
pub const SCHEMA_VERSION: u32 = 42;
pub use crate::model::names::{
    dashboard_uid as uid, DASHBOARD_UID_MAX as UID_MAX, DASHBOARD_UID_MIN as UID_MIN,
};
/// Name of the datasource template variable every query goes through.
pub const DATASOURCE_VARIABLE: &str = "datasource";

const GRID_COLUMNS: u32 = 24;
const PANEL_WIDTH: u32 = 12;
const PANEL_HEIGHT: u32 = 8;
const ROW_HEIGHT: u32 = 1;

const GREEN: &str = "green";
const YELLOW: &str = "yellow";
const RED: &str = "red";

// ------------------------------------------------------------------ JSON shape

/// `description` is declared first so it is the first key of the file: JSON
/// has no comments, so the generated-file header lives there.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Dashboard {
    description: String,
    uid: String,
    title: String,
    tags: Vec<String>,
    /// False: the file is generated; edits belong in the spec.
    editable: bool,
    /// 1: shared crosshair across panels.
    graph_tooltip: u8,
    schema_version: u32,
    time: TimeRange,
    refresh: &'static str,
    timezone: &'static str,
    templating: Templating,
    panels: Vec<DashboardPanel>,
}

#[derive(Debug, Serialize)]
struct TimeRange {
    from: &'static str,
    to: &'static str,
}

#[derive(Debug, Serialize)]
struct Templating {
    list: Vec<Variable>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Variable {
    name: &'static str,
    label: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    /// For a datasource variable: the plugin id whose instances it lists.
    query: &'static str,
    regex: &'static str,
    /// 0: show label and value.
    hide: u8,
    include_all: bool,
    multi: bool,
    /// 1: on dashboard load.
    refresh: u8,
    options: Vec<()>,
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
enum DashboardPanel {
    Row(RowPanel),
    Timeseries(Box<Panel>),
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RowPanel {
    #[serde(rename = "type")]
    kind: &'static str,
    id: u32,
    title: String,
    collapsed: bool,
    grid_pos: GridPos,
    /// Only a collapsed row holds its panels; an open one has them after it.
    panels: Vec<Panel>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
struct GridPos {
    h: u32,
    w: u32,
    x: u32,
    y: u32,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Panel {
    #[serde(rename = "type")]
    kind: &'static str,
    id: u32,
    title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    datasource: DataSourceRef,
    grid_pos: GridPos,
    targets: Vec<Target>,
    field_config: FieldConfigSource,
    options: TimeseriesOptions,
}

#[derive(Debug, Clone, Serialize)]
struct DataSourceRef {
    #[serde(rename = "type")]
    kind: &'static str,
    uid: String,
}

impl DataSourceRef {
    fn prometheus() -> Self {
        DataSourceRef {
            kind: "prometheus",
            uid: format!("${{{DATASOURCE_VARIABLE}}}"),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Target {
    datasource: DataSourceRef,
    ref_id: &'static str,
    expr: String,
    legend_format: &'static str,
    range: bool,
}

#[derive(Debug, Serialize)]
struct FieldConfigSource {
    defaults: FieldConfig,
    overrides: Vec<()>,
}

#[derive(Debug, Serialize)]
struct FieldConfig {
    unit: &'static str,
    color: FieldColor,
    thresholds: ThresholdsConfig,
    custom: TimeseriesFieldConfig,
}

#[derive(Debug, Serialize)]
struct FieldColor {
    mode: &'static str,
}

#[derive(Debug, Serialize)]
struct ThresholdsConfig {
    mode: &'static str,
    steps: Vec<ThresholdStep>,
}

/// `value` is required by the schema: null for the base step.
#[derive(Debug, Clone, PartialEq, Serialize)]
struct ThresholdStep {
    color: &'static str,
    value: Option<Number>,
}

impl ThresholdStep {
    fn base(color: &'static str) -> Self {
        ThresholdStep { color, value: None }
    }
    /// The step where `band` starts (or, below the better side, ends):
    /// its threshold, or the next float above it when `after`.
    fn from(color: &'static str, band: &Band, after: bool) -> Self {
        let value = if after {
            let t: f64 = band.threshold.value_text().parse().unwrap_or(f64::NAN);
            Number::from_f64(next_up(t)).unwrap_or_else(|| threshold_number(&band.threshold))
        } else {
            threshold_number(&band.threshold)
        };
        ThresholdStep {
            color,
            value: Some(value),
        }
    }
}

/// The `custom` field config of the timeseries panel plugin.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct TimeseriesFieldConfig {
    draw_style: &'static str,
    line_width: u8,
    fill_opacity: u8,
    thresholds_style: ThresholdsStyle,
}

#[derive(Debug, Serialize)]
struct ThresholdsStyle {
    mode: &'static str,
}

#[derive(Debug, Serialize)]
struct TimeseriesOptions {
    legend: Legend,
    tooltip: Tooltip,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Legend {
    show_legend: bool,
    display_mode: &'static str,
    placement: &'static str,
    calcs: Vec<()>,
}

#[derive(Debug, Serialize)]
struct Tooltip {
    mode: &'static str,
    sort: &'static str,
}

// ------------------------------------------------------------------ emitting

pub fn emit(spec: &Spec) -> Vec<OutputFile> {
    // Derived once for every panel of every dashboard.
    let all = alerts(spec);
    spec.services
        .iter()
        .enumerate()
        .map(|(i, service)| {
            let dashboard = dashboard(spec, &all, ServiceId(i));
            let mut content = serde_json::to_string_pretty(&dashboard)
                .expect("dashboards are plain data, which cannot fail");
            content.push('\n');
            OutputFile::new(names::dashboard_file(&service.name), content)
        })
        .collect()
}

fn dashboard(spec: &Spec, all: &[Alert<'_>], service: ServiceId) -> Dashboard {
    let name = &spec.service(service).name;
    Dashboard {
        description: header_json_description(spec),
        uid: uid(&spec.release.name, name),
        title: format!("{}: {}", spec.release.title, name),
        tags: vec!["deployc".into(), spec.release.name.clone()],
        editable: false,
        graph_tooltip: 1,
        schema_version: SCHEMA_VERSION,
        time: TimeRange {
            from: "now-6h",
            to: "now",
        },
        refresh: "30s",
        timezone: "browser",
        templating: Templating {
            list: vec![Variable {
                name: DATASOURCE_VARIABLE,
                label: "Data source",
                kind: "datasource",
                query: "prometheus",
                regex: "",
                hide: 0,
                include_all: false,
                multi: false,
                refresh: 1,
                options: vec![],
            }],
        },
        panels: panels(spec, all, service),
    }
}

/// The metrics on `service`'s dashboard (its own and the release-wide ones),
/// grouped by `group` in order of first appearance.
fn groups(spec: &Spec, service: ServiceId) -> Vec<(&str, Vec<&Metric>)> {
    let mut groups: Vec<(&str, Vec<&Metric>)> = Vec::new();
    for metric in spec
        .metrics
        .iter()
        .filter(|m| m.service.is_none_or(|s| s == service))
    {
        match groups.iter_mut().find(|(g, _)| *g == metric.group) {
            Some((_, metrics)) => metrics.push(metric),
            None => groups.push((&metric.group, vec![metric])),
        }
    }
    groups
}

/// A full-width row per group, then its panels two to a line; a panel left
/// alone on the last line of its group takes the full width.
fn panels(spec: &Spec, all: &[Alert<'_>], service: ServiceId) -> Vec<DashboardPanel> {
    let mut out = Vec::new();
    let mut id = 0;
    let mut y = 0;
    for (group, metrics) in groups(spec, service) {
        id += 1;
        out.push(DashboardPanel::Row(RowPanel {
            kind: "row",
            id,
            title: group.to_string(),
            collapsed: false,
            grid_pos: GridPos {
                h: ROW_HEIGHT,
                w: GRID_COLUMNS,
                x: 0,
                y,
            },
            panels: vec![],
        }));
        y += ROW_HEIGHT;
        let per_line = (GRID_COLUMNS / PANEL_WIDTH) as usize;
        for (i, metric) in metrics.iter().enumerate() {
            let column = (i % per_line) as u32;
            let line = (i / per_line) as u32;
            let alone = column == 0 && i + 1 == metrics.len();
            let grid_pos = GridPos {
                h: PANEL_HEIGHT,
                w: if alone { GRID_COLUMNS } else { PANEL_WIDTH },
                x: column * PANEL_WIDTH,
                y: y + line * PANEL_HEIGHT,
            };
            id += 1;
            out.push(DashboardPanel::Timeseries(Box::new(panel(
                spec, all, metric, id, grid_pos,
            ))));
        }
        y += metrics.len().div_ceil(per_line) as u32 * PANEL_HEIGHT;
    }
    out
}

fn panel(spec: &Spec, all: &[Alert<'_>], metric: &Metric, id: u32, grid_pos: GridPos) -> Panel {
    let shown = metric.bands.is_some();
    Panel {
        kind: "timeseries",
        id,
        title: metric.title.clone(),
        description: panel_description(spec, all, metric),
        datasource: DataSourceRef::prometheus(),
        grid_pos,
        targets: vec![Target {
            datasource: DataSourceRef::prometheus(),
            ref_id: "A",
            expr: metric.query.clone(),
            legend_format: "__auto",
            range: true,
        }],
        field_config: FieldConfigSource {
            defaults: FieldConfig {
                unit: metric.unit.grafana(),
                color: FieldColor {
                    mode: "palette-classic",
                },
                thresholds: ThresholdsConfig {
                    mode: "absolute",
                    steps: threshold_steps(metric.bands.as_ref()),
                },
                custom: TimeseriesFieldConfig {
                    draw_style: "line",
                    line_width: 1,
                    fill_opacity: 10,
                    thresholds_style: ThresholdsStyle {
                        mode: if shown { "line+area" } else { "off" },
                    },
                },
            },
            overrides: vec![],
        },
        options: TimeseriesOptions {
            legend: Legend {
                show_legend: true,
                display_mode: "list",
                placement: "bottom",
                calcs: vec![],
            },
            tooltip: Tooltip {
                mode: "multi",
                sort: "none",
            },
        },
    }
}

/// The metric's own description, then what the rollout and the alerts do
/// with it: the gates it decides (by phase) and the alerts it fires.
fn panel_description(spec: &Spec, all: &[Alert<'_>], metric: &Metric) -> Option<String> {
    let mut parts: Vec<String> = metric.description.iter().cloned().collect();
    let gates: Vec<String> = spec
        .phases
        .iter()
        .flat_map(|p| p.steps.iter().map(move |s| (p, s)))
        .filter_map(|(p, s)| match s {
            Step::Gate(Gate::Metric(g))
                if std::ptr::eq(spec.metric(g.condition.metric), metric) =>
            {
                Some(format!(
                    "`{}`: {} {} for {}",
                    p.name,
                    g.condition.op.as_str(),
                    g.condition.threshold.text,
                    g.window.human()
                ))
            }
            _ => None,
        })
        .collect();
    if !gates.is_empty() {
        parts.push(format!("Gates: {}.", gates.join("; ")));
    }
    let fired: Vec<&str> = all
        .iter()
        .filter(|a| std::ptr::eq(a.metric, metric))
        .map(|a| a.name.as_str())
        .collect();
    if !fired.is_empty() {
        parts.push(format!("Alerts: {}.", fired.join(", ")));
    }
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

/// Grafana colours a value with the last step whose value it reaches
/// (steps ascend; a step's value is inclusive). Higher-is-worse: green,
/// yellow from the warning band, red from the critical one. Lower-is-worse
/// mirrors it: red, yellow from where the critical band ends, green from
/// where the warning band ends. A missing band drops its colour.
///
/// A step starts exactly where its band does: at the threshold when the
/// colour above it includes the threshold (`>= t` on the worse side, `< t`
/// below the better one), else at the next float above it, so that a value
/// of exactly 2 is not red for `critical > 2` (Grafana compares float64
/// values, so that step is exact).
fn threshold_steps(bands: Option<&Bands>) -> Vec<ThresholdStep> {
    let Some(bands) = bands else {
        return vec![ThresholdStep::base(GREEN)];
    };
    let warning = bands.warning.as_ref();
    let critical = bands.critical.as_ref();
    match bands.worse {
        Worse::Higher => {
            let at =
                |color, band: &Band| ThresholdStep::from(color, band, band.op == CompareOp::Gt);
            std::iter::once(ThresholdStep::base(GREEN))
                .chain(warning.map(|b| at(YELLOW, b)))
                .chain(critical.map(|b| at(RED, b)))
                .collect()
        }
        Worse::Lower => {
            let at =
                |color, band: &Band| ThresholdStep::from(color, band, band.op == CompareOp::Le);
            match (critical, warning) {
                (Some(c), Some(w)) => {
                    vec![ThresholdStep::base(RED), at(YELLOW, c), at(GREEN, w)]
                }
                (Some(c), None) => vec![ThresholdStep::base(RED), at(GREEN, c)],
                (None, Some(w)) => vec![ThresholdStep::base(YELLOW), at(GREEN, w)],
                (None, None) => vec![ThresholdStep::base(GREEN)],
            }
        }
    }
}

/// The smallest float64 above `x` (`f64::next_up`, stable only from Rust
/// 1.86; the crate supports 1.85).
fn next_up(x: f64) -> f64 {
    if x.is_nan() || x == f64::INFINITY {
        return x;
    }
    if x == 0.0 {
        return f64::from_bits(1);
    }
    let bits = x.to_bits();
    f64::from_bits(if x > 0.0 { bits + 1 } else { bits - 1 })
}

/// The threshold as a JSON number parsed from its canonical text, the text
/// the alert expressions use; no float arithmetic in between.
fn threshold_number(threshold: &Threshold) -> Number {
    let text = threshold.value_text();
    text.parse()
        .unwrap_or_else(|_| panic!("canonical decimal text `{text}` is a JSON number"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::sample;
    use crate::model::{Band, CompareOp, Decimal, Duration, MetricUnit, NoData};
    use serde_json::Value;

    fn parse(file: &OutputFile) -> Value {
        serde_json::from_str(&file.content).expect("dashboard is valid JSON")
    }

    fn file<'a>(files: &'a [OutputFile], path: &str) -> &'a OutputFile {
        files
            .iter()
            .find(|f| f.path == path)
            .unwrap_or_else(|| panic!("no {path}"))
    }

    fn threshold(value: &str, text: &str) -> Threshold {
        Threshold {
            value: value.parse().unwrap(),
            text: text.into(),
        }
    }

    fn band(op: CompareOp, value: &str, text: &str) -> Band {
        Band {
            op,
            threshold: threshold(value, text),
            sustain: Duration::from_mins(5),
            text: text.into(),
        }
    }

    /// A lower-is-worse metric (cache hit rate) on the first service.
    fn hit_rate(warning: bool, critical: bool) -> Metric {
        Metric {
            name: "cache_hit_rate".into(),
            title: "Cache hit rate".into(),
            description: None,
            query: "sum(rate(cache_hits_total[5m])) / sum(rate(cache_requests_total[5m]))".into(),
            unit: MetricUnit::Ratio,
            bands: Some(Bands {
                worse: Worse::Lower,
                normal_text: ">= 80%".into(),
                warning: warning.then(|| band(CompareOp::Lt, "0.8", "50%..80%")),
                critical: critical.then(|| band(CompareOp::Lt, "0.5", "< 50%")),
            }),
            group: "Cache".into(),
            service: Some(ServiceId(0)),
            no_data: NoData::Pass,
        }
    }

    fn steps(panel: &Value) -> Vec<(String, Option<String>)> {
        panel["fieldConfig"]["defaults"]["thresholds"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["color"].as_str().unwrap().to_string(),
                    s["value"].as_number().map(|n| n.to_string()),
                )
            })
            .collect()
    }

    fn panel_titled<'a>(dashboard: &'a Value, title: &str) -> &'a Value {
        dashboard["panels"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["title"] == title)
            .unwrap()
    }

    fn s(color: &str, value: Option<&str>) -> (String, Option<String>) {
        (color.to_string(), value.map(str::to_string))
    }

    #[test]
    fn one_dashboard_per_service_with_its_metrics_and_release_wide_ones() {
        let files = emit(&sample::spec());
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            ["grafana/dashboard-api.json", "grafana/dashboard-store.json"]
        );
        let titles = |f: &OutputFile| -> Vec<String> {
            parse(f)["panels"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["title"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(
            titles(&files[0]),
            ["Errors", "Error rate", "Latency", "P99 latency"]
        );
        assert_eq!(titles(&files[1]), ["Latency", "P99 latency"]);
        for f in &files {
            assert!(f.content.ends_with("}\n"));
        }
    }

    #[test]
    fn description_is_the_first_key_and_carries_the_header() {
        let spec = sample::spec();
        for f in emit(&spec) {
            let Value::Object(map) = parse(&f) else {
                panic!("not an object")
            };
            assert_eq!(map.keys().next().map(String::as_str), Some("description"));
            assert_eq!(map["description"], header_json_description(&spec));
            assert!(f.content.starts_with(
                "{\n  \"description\": \"Generated by deployc from specs/sample.deploy."
            ));
        }
    }

    #[test]
    fn uid_is_stable_short_and_valid() {
        let spec = sample::spec();
        let a = emit(&spec);
        let b = emit(&spec);
        assert_eq!(a, b);
        let uids: Vec<String> = a
            .iter()
            .map(|f| parse(f)["uid"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(uids, ["shop-api", "shop-store"]);

        let long = uid(
            "a-release-with-a-really-quite-long-name",
            "and-an-even-longer-service-name",
        );
        assert!(long.len() <= UID_MAX, "{long}");
        // Pinned (checked against an independent FNV-1a): same on every machine.
        assert_eq!(long, "a-release-with-a-really-quite-l-81c8956d");
        assert_eq!(
            long,
            uid(
                "a-release-with-a-really-quite-long-name",
                "and-an-even-longer-service-name"
            )
        );
        assert_ne!(
            long,
            uid(
                "a-release-with-a-really-quite-long-name",
                "and-an-even-longer-service-nam2"
            )
        );
        let short = uid("a", "b");
        assert!((UID_MIN..=UID_MAX).contains(&short.len()), "{short}");
        assert!(short.starts_with("a-b-"));
        for u in [long, short, uid("Shop_2.0", "API Gateway")] {
            assert!(
                u.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{u}"
            );
            assert!(u.len() <= UID_MAX);
        }
    }

    #[test]
    fn threshold_steps_are_the_alert_thresholds_verbatim() {
        let spec = sample::spec();
        let files = emit(&spec);
        let text = &file(&files, "grafana/dashboard-api.json").content;
        let dashboard = parse(file(&files, "grafana/dashboard-api.json"));
        let metric = &spec.metrics[0];
        let bands = metric.bands.as_ref().unwrap();
        let warning = bands.warning.as_ref().unwrap().threshold.value_text();
        let critical = bands.critical.as_ref().unwrap().threshold.value_text();
        // The alert expressions use the same text.
        let exprs: Vec<String> = alerts(&spec)
            .iter()
            .filter(|a| a.metric == metric)
            .map(|a| a.expr())
            .collect();
        assert!(
            exprs.iter().any(|e| e.ends_with(&format!(" {warning}"))),
            "{exprs:?}"
        );
        assert!(
            exprs.iter().any(|e| e.ends_with(&format!(" {critical}"))),
            "{exprs:?}"
        );

        let panel = panel_titled(&dashboard, "Error rate");
        // `warning >= 1%` starts at 0.01; `critical > 5%` just above 0.05.
        let above = next_up(critical.parse().unwrap()).to_string();
        assert_eq!(
            steps(panel),
            [
                s("green", None),
                s("yellow", Some(&warning)),
                s("red", Some(&above))
            ]
        );
        assert_eq!(
            panel["fieldConfig"]["defaults"]["thresholds"]["mode"],
            "absolute"
        );
        assert_eq!(
            panel["fieldConfig"]["defaults"]["custom"]["thresholdsStyle"]["mode"],
            "line+area"
        );
        assert_eq!(panel["fieldConfig"]["defaults"]["unit"], "percentunit");
        assert_eq!(panel["targets"][0]["expr"], metric.query);
        assert_eq!(panel["targets"][0]["refId"], "A");
        assert_eq!(panel["datasource"]["uid"], "${datasource}");
        // As written in the file: an inclusive edge as its canonical text;
        // an exclusive one (`> 5%`) as the next float64 above it.
        assert!(text.contains("\"value\": 0.01\n"), "{text}");
        assert!(text.contains("\"value\": 0.05000000000000001\n"), "{text}");

        // A metric without bands: one green step, lines off.
        let latency = panel_titled(&dashboard, "P99 latency");
        assert_eq!(steps(latency), [s("green", None)]);
        assert_eq!(
            latency["fieldConfig"]["defaults"]["custom"]["thresholdsStyle"]["mode"],
            "off"
        );
        assert_eq!(latency["fieldConfig"]["defaults"]["unit"], "s");
    }

    #[test]
    fn threshold_numbers_keep_their_canonical_text() {
        let sum: Decimal = "0.1".parse::<Decimal>().unwrap() + "0.2".parse::<Decimal>().unwrap();
        let from_percent = Decimal::from(1) / Decimal::from(100);
        for value in [
            sum,
            from_percent,
            "0.015".parse().unwrap(),
            "5.000".parse().unwrap(),
            "250".parse().unwrap(),
        ] {
            let t = Threshold {
                value,
                text: String::new(),
            };
            let json = serde_json::to_string(&threshold_number(&t)).unwrap();
            assert_eq!(json, t.value_text());
        }
    }

    #[test]
    fn lower_is_worse_inverts_the_colours() {
        let mut spec = sample::spec();
        spec.metrics.push(hit_rate(true, true));
        let dashboard = parse(file(&emit(&spec), "grafana/dashboard-api.json"));
        let panel = panel_titled(&dashboard, "Cache hit rate");
        // Below 0.5 is critical, 0.5..0.8 warning, from 0.8 normal.
        assert_eq!(
            steps(panel),
            [
                s("red", None),
                s("yellow", Some("0.5")),
                s("green", Some("0.8"))
            ]
        );

        let only = |warning, critical| threshold_steps(hit_rate(warning, critical).bands.as_ref());
        let colours = |v: Vec<ThresholdStep>| v.iter().map(|s| s.color).collect::<Vec<_>>();
        assert_eq!(colours(only(false, true)), [RED, GREEN]);
        assert_eq!(colours(only(true, false)), [YELLOW, GREEN]);
        // Steps ascend in both directions.
        for case in [
            only(true, true),
            threshold_steps(spec.metrics[0].bands.as_ref()),
        ] {
            let values: Vec<f64> = case
                .iter()
                .filter_map(|s| s.value.as_ref()?.as_f64())
                .collect();
            assert!(values.windows(2).all(|w| w[0] < w[1]), "{values:?}");
            assert!(case[0].value.is_none());
        }
    }

    /// The colour Grafana gives `v`: the last step whose value `v` reaches.
    fn grafana_colour(steps: &[ThresholdStep], v: f64) -> &'static str {
        steps
            .iter()
            .rev()
            .find(|s| s.value.as_ref().is_none_or(|n| n.as_f64().unwrap() <= v))
            .unwrap()
            .color
    }

    /// The colour the bands give `v`, from the alert conditions.
    fn band_colour(bands: &Bands, v: f64) -> &'static str {
        let fires = |b: &Option<Band>| {
            b.as_ref().is_some_and(|b| {
                let t: f64 = b.threshold.value_text().parse().unwrap();
                match b.op {
                    CompareOp::Gt => v > t,
                    CompareOp::Ge => v >= t,
                    CompareOp::Lt => v < t,
                    CompareOp::Le => v <= t,
                    CompareOp::Eq => v == t,
                    CompareOp::Ne => v != t,
                }
            })
        };
        if fires(&bands.critical) {
            RED
        } else if fires(&bands.warning) {
            YELLOW
        } else {
            GREEN
        }
    }

    /// Issue item: `pod_restarts` turned red at 2 where the spec says
    /// `> 2`. At every threshold, just below and just above it, the
    /// dashboard's colour is the band's, in every spec of specs/ and the
    /// sample.
    #[test]
    fn dashboard_colours_equal_the_bands_at_every_edge() {
        let mut specs = vec![sample::spec()];
        for entry in std::fs::read_dir("specs").unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let checked = crate::check_source(&crate::source::SourceFile::new("s.deploy", text));
            specs.push(checked.spec.expect("seed spec checks"));
        }
        let mut edges = 0;
        for spec in &specs {
            for m in &spec.metrics {
                let Some(bands) = &m.bands else { continue };
                let steps = threshold_steps(Some(bands));
                for b in [&bands.warning, &bands.critical].into_iter().flatten() {
                    let t: f64 = b.threshold.value_text().parse().unwrap();
                    let below = -next_up(-t);
                    for v in [below, t, next_up(t)] {
                        assert_eq!(
                            grafana_colour(&steps, v),
                            band_colour(bands, v),
                            "{}: {} at {v}",
                            spec.release.name,
                            m.name
                        );
                        edges += 1;
                    }
                }
            }
        }
        assert!(edges > 30, "{edges}");
    }

    #[test]
    fn rows_and_panels_do_not_overlap() {
        let mut spec = sample::spec();
        // Enough metrics for a group of three (two lines) and a second group.
        spec.metrics.push(hit_rate(true, true));
        for (name, group) in [("a", "Errors"), ("b", "Errors"), ("c", "Saturation")] {
            let mut m = hit_rate(true, false);
            m.name = name.into();
            m.title = name.into();
            m.group = group.into();
            spec.metrics.push(m);
        }
        let dashboard = parse(file(&emit(&spec), "grafana/dashboard-api.json"));
        let panels = dashboard["panels"].as_array().unwrap();
        let rows: Vec<&str> = panels
            .iter()
            .filter(|p| p["type"] == "row")
            .map(|p| p["title"].as_str().unwrap())
            .collect();
        assert_eq!(rows, ["Errors", "Latency", "Cache", "Saturation"]);

        let rects: Vec<(u64, u64, u64, u64)> = panels
            .iter()
            .map(|p| {
                let g = &p["gridPos"];
                let n = |k: &str| g[k].as_u64().unwrap();
                (n("x"), n("y"), n("w"), n("h"))
            })
            .collect();
        for (i, a) in rects.iter().enumerate() {
            assert!(
                a.0 + a.2 <= u64::from(GRID_COLUMNS) && a.2 > 0 && a.3 > 0,
                "{a:?}"
            );
            for b in &rects[i + 1..] {
                let apart =
                    a.0 + a.2 <= b.0 || b.0 + b.2 <= a.0 || a.1 + a.3 <= b.1 || b.1 + b.3 <= a.1;
                assert!(apart, "{a:?} overlaps {b:?}");
            }
        }
        // Each row sits directly above its panels, and before the next row.
        let mut row_y = None;
        for (p, r) in panels.iter().zip(&rects) {
            if p["type"] == "row" {
                assert_eq!((r.0, r.2), (0, u64::from(GRID_COLUMNS)));
                assert!(row_y.is_none_or(|y| r.1 > y));
                row_y = Some(r.1);
            } else {
                assert!(r.1 > row_y.unwrap());
            }
        }
        // Errors: error_rate, a (one line), b alone on the second line, full width.
        let b = panel_titled(&dashboard, "b");
        assert_eq!(b["gridPos"]["w"], 24);
        assert_eq!(panel_titled(&dashboard, "a")["gridPos"]["x"], 12);
        // Ids are unique.
        let mut ids: Vec<u64> = panels.iter().map(|p| p["id"].as_u64().unwrap()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), panels.len());
    }

    #[test]
    fn datasource_variable_and_dashboard_settings() {
        let dashboard = parse(&emit(&sample::spec())[0]);
        let var = &dashboard["templating"]["list"][0];
        assert_eq!(
            (var["type"].as_str(), var["query"].as_str()),
            (Some("datasource"), Some("prometheus"))
        );
        assert_eq!(var["name"], DATASOURCE_VARIABLE);
        assert_eq!(dashboard["schemaVersion"], SCHEMA_VERSION);
        assert_eq!(dashboard["tags"], serde_json::json!(["deployc", "shop"]));
        assert_eq!(
            dashboard["time"],
            serde_json::json!({"from": "now-6h", "to": "now"})
        );
        assert_eq!(dashboard["editable"], false);
        let described = panel_titled(&dashboard, "Error rate")["description"]
            .as_str()
            .unwrap();
        assert!(
            described.contains("`canary`: < 1% for 15 minutes"),
            "{described}"
        );
        assert!(
            described.contains("HighErrorRate, ErrorRateWarning, ErrorRateCritical"),
            "{described}"
        );
    }
}
