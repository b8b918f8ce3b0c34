//! metric, and the `metric < threshold` conditions that gates, triggers and
//! criteria are made of.

use super::{item_name, title_from_name};
use crate::check::bands::{self, BandSpec, Bound};
use crate::check::block::{self, Seen};
use crate::check::cursor::Cursor;
use crate::check::{promql, templated, units, Ctx};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::*;
use crate::syntax::{Statement, Value};

const METRIC: &[&str] = &[
    "title",
    "description",
    "query",
    "unit",
    "service",
    "group",
    "no_data",
    "normal",
    "warning",
    "critical",
];

pub fn metric(stmt: &Statement, ctx: &mut Ctx) -> Metric {
    let mut c = Cursor::new(stmt);
    let (name, name_span) = item_name(&mut c, ctx, "metric");
    // Where references find this metric's unit; None for a duplicate.
    let slot = ctx.names.metrics.declared_at(&name, name_span);
    c.end(&mut ctx.d);
    let mut m = Metric {
        title: title_from_name(&name),
        name,
        description: None,
        query: String::new(),
        unit: MetricUnit::Count,
        bands: None,
        group: "Metrics".into(),
        service: None,
        no_data: NoData::Inconclusive,
    };
    let mut band_stmts: Vec<&Statement> = Vec::new();
    let mut unit = None;
    let mut seen = Seen::default();
    for s in block::body(stmt, &mut ctx.d) {
        let kw = s.keyword.text.as_str();
        if !METRIC.contains(&kw) {
            block::unknown(s, "metric", METRIC, &mut ctx.d);
            continue;
        }
        if !seen.once(s, &mut ctx.d) {
            continue;
        }
        block::no_body(s, &mut ctx.d);
        if matches!(kw, "normal" | "warning" | "critical") {
            band_stmts.push(s);
            continue;
        }
        let mut a = Cursor::new(s);
        match kw {
            "title" => {
                m.title = a
                    .text(&mut ctx.d, "a title")
                    .map(|t| t.0)
                    .unwrap_or_default()
            }
            "description" => m.description = a.text(&mut ctx.d, "a description").map(|t| t.0),
            "query" => {
                if let Some((q, span)) = a.text(&mut ctx.d, "a PromQL query") {
                    promql::check(&q, &s.args[0], ctx.text, &mut ctx.d);
                    // Gates and aborting triggers put the query in an
                    // AnalysisTemplate; any metric may become one.
                    templated::argo_field(
                        &mut ctx.d,
                        ctx.text,
                        &q,
                        span,
                        "query",
                        templated::PROMQL,
                    );
                    m.query = q;
                }
            }
            "unit" => {
                if let Some(u) = a
                    .ident(&mut ctx.d, "a unit")
                    .and_then(|(u, sp)| metric_unit(&mut ctx.d, &u, sp))
                {
                    m.unit = u;
                    unit = Some(u);
                    if let Some(i) = slot {
                        ctx.metric_units[i] = Some(u);
                    }
                }
            }
            "service" => {
                m.service = a
                    .ident(&mut ctx.d, "a service")
                    .and_then(|(n, sp)| ctx.service(&n, sp))
            }
            "group" => {
                m.group = a
                    .text(&mut ctx.d, "a dashboard row title")
                    .map(|t| t.0)
                    .unwrap_or_default()
            }
            _ => {
                if let Some(p) = no_data(&mut a, &mut ctx.d) {
                    m.no_data = p;
                    if let Some(i) = slot {
                        ctx.metric_no_data[i] = Some(p);
                    }
                }
            }
        }
        a.end(&mut ctx.d);
    }
    block::require(
        seen.has("query"),
        stmt,
        "query",
        "query \"sum(rate(errors_total[5m]))\"",
        &mut ctx.d,
    );
    block::require(seen.has("unit"), stmt, "unit", "unit ratio", &mut ctx.d);
    if let (false, Some(i)) = (band_stmts.is_empty(), slot) {
        // Bands make alerts and dashboard lines: the metric is in use even
        // when the bands themselves have errors.
        ctx.used_metrics.insert(i);
    }
    if let Some(unit) = unit {
        if !band_stmts.is_empty() {
            let specs: Vec<BandSpec> = band_stmts
                .iter()
                .filter_map(|s| band(s, &m.name, unit, &mut ctx.d))
                .collect();
            if specs.len() == band_stmts.len() {
                m.bands = bands::check(stmt, &specs, unit, &mut ctx.d);
            }
        }
    }
    m
}

fn metric_unit(d: &mut Diagnostics, u: &str, span: crate::source::Span) -> Option<MetricUnit> {
    Some(match u {
        "ratio" => MetricUnit::Ratio,
        "percent" => MetricUnit::Percent,
        "seconds" => MetricUnit::Seconds,
        "milliseconds" => MetricUnit::Milliseconds,
        "count" => MetricUnit::Count,
        "bytes" => MetricUnit::Bytes,
        "cores" => MetricUnit::Cores,
        _ => {
            let all = [
                "ratio",
                "percent",
                "seconds",
                "milliseconds",
                "count",
                "bytes",
                "cores",
            ];
            let help = match crate::diagnostics::did_you_mean(u, all) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("a metric's unit is one of: {}", all.join(", ")),
            };
            d.push(
                Diagnostic::new(
                    Code::UnknownUnit,
                    span,
                    format!("`{u}` is not a metric unit"),
                    "unknown unit",
                )
                .help(help),
            );
            return None;
        }
    })
}

/// `no_data pass|fail|inconclusive`
pub fn no_data(a: &mut Cursor, d: &mut Diagnostics) -> Option<NoData> {
    let (p, span) = a.ident(d, "pass, fail or inconclusive")?;
    match p.as_str() {
        "pass" => Some(NoData::Pass),
        "fail" => Some(NoData::Fail),
        "inconclusive" => Some(NoData::Inconclusive),
        _ => {
            d.push(Diagnostic::new(
                Code::InvalidValue,
                span,
                format!("`{p}` is not a no-data policy"),
                "expected pass, fail or inconclusive",
            ));
            None
        }
    }
}

/// `normal < 1%`, `warning 1%..5% for 5m`, `critical > 5% for 5m`, `normal 0`.
fn band(s: &Statement, metric: &str, unit: MetricUnit, d: &mut Diagnostics) -> Option<BandSpec> {
    let mut a = Cursor::new(s);
    let level = s.keyword.text.clone();
    let first = a.peek().map(|x| &x.value);
    let (lo, hi, text) = match first {
        Some(Value::Compare(_)) => {
            let (op, _) = a.compare(d, "a comparison")?;
            let q = a.quantity(d, "a threshold")?;
            let v = units::threshold(d, q, metric, unit)?;
            let text = format!("{} {}", op.as_str(), q.text);
            match op {
                CompareOp::Lt => (
                    None,
                    Some(Bound {
                        value: v,
                        inclusive: false,
                    }),
                    text,
                ),
                CompareOp::Le => (
                    None,
                    Some(Bound {
                        value: v,
                        inclusive: true,
                    }),
                    text,
                ),
                CompareOp::Gt => (
                    Some(Bound {
                        value: v,
                        inclusive: false,
                    }),
                    None,
                    text,
                ),
                CompareOp::Ge => (
                    Some(Bound {
                        value: v,
                        inclusive: true,
                    }),
                    None,
                    text,
                ),
                CompareOp::Eq => (
                    Some(Bound {
                        value: v,
                        inclusive: true,
                    }),
                    Some(Bound {
                        value: v,
                        inclusive: true,
                    }),
                    text,
                ),
                CompareOp::Ne => {
                    d.push(Diagnostic::new(Code::InvalidValue, s.args[0].span, "a band cannot be `!=`", "not a band")
                        .help("write a band as `< x`, `<= x`, `> x`, `>= x`, `a..b` or a single value"));
                    return None;
                }
            }
        }
        _ => {
            let (lo, hi) = a.range_or_quantity(d, "a band: `< x`, `a..b`, `> x` or a value")?;
            let (l, h) = (
                units::threshold(d, lo, metric, unit)?,
                units::threshold(d, hi, metric, unit)?,
            );
            if l > h {
                d.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        lo.span.to(hi.span),
                        format!("the range `{}..{}` is empty", lo.text, hi.text),
                        "low end above high end",
                    )
                    .help("write ranges low..high"),
                );
                return None;
            }
            let text = if std::ptr::eq(lo, hi) {
                lo.text.clone()
            } else {
                format!("{}..{}", lo.text, hi.text)
            };
            (
                Some(Bound {
                    value: l,
                    inclusive: true,
                }),
                Some(Bound {
                    value: h,
                    inclusive: true,
                }),
                text,
            )
        }
    };
    let mut sustain = Duration::ZERO;
    if let Some(span) = a.eat("for") {
        if level == "normal" {
            d.push(Diagnostic::new(Code::ExtraArgument, span, "the normal band has no window", "`for` on the normal band")
                .help("`for` says how long a warning or critical value must last before its alert fires"));
        }
        sustain = a
            .quantity(d, "a duration after `for`")
            .and_then(|q| units::duration(d, q))
            .unwrap_or_default();
    }
    a.end(d);
    let span = s
        .args
        .first()
        .map_or(s.keyword.span, |f| f.span)
        .to(s.args.last().map_or(s.keyword.span, |l| l.span));
    Some(BandSpec {
        level,
        lo,
        hi,
        text,
        sustain,
        span,
    })
}

/// `metric op threshold`: resolves the metric, marks it used, converts the
/// threshold into the metric's unit.
pub fn condition(c: &mut Cursor, ctx: &mut Ctx) -> Option<Condition> {
    let (name, span) = c.ident(&mut ctx.d, "a metric")?;
    let index = ctx.names.metrics.resolve(&name, span, &mut ctx.d);
    let (op, _) = c.compare(&mut ctx.d, "a comparison (<, <=, >, >=, ==, !=)")?;
    let q = c.quantity(&mut ctx.d, "a threshold")?;
    let index = index?;
    ctx.used_metrics.insert(index);
    let unit = ctx.metric_units[index]?;
    let value = units::threshold(&mut ctx.d, q, &name, unit)?;
    Some(Condition {
        metric: MetricId(index),
        op,
        threshold: Threshold {
            value,
            text: q.text.clone(),
        },
    })
}
