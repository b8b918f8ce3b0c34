//! Units: what a number with a suffix means in the place it is written.
//! `5m` is five minutes as a duration and half a core as CPU; `16Gi` is never
//! a duration. One function per kind of value, each reporting E0401/E0402.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::{Bytes, Duration, MetricUnit, Millicores};
use crate::syntax::Quantity;

/// What kind of thing a unit suffix denotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Duration,
    Percent,
    Size,
}

fn unit_kind(unit: &str) -> Option<Kind> {
    match unit {
        "ms" | "s" | "m" | "h" | "d" | "w" => Some(Kind::Duration),
        "%" => Some(Kind::Percent),
        "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "K" | "KB" | "k" | "M" | "MB" | "G" | "GB" | "T"
        | "TB" | "P" | "PB" => Some(Kind::Size),
        _ => None,
    }
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Duration => "a duration",
        Kind::Percent => "a percentage",
        Kind::Size => "a size",
    }
}

fn wrong_unit(d: &mut Diagnostics, q: &Quantity, expected: &str, help: &str) {
    let found = match q.unit.as_deref() {
        None => "a plain number".to_string(),
        Some(u) => match unit_kind(u) {
            Some(k) => kind_name(k).to_string(),
            None => {
                d.push(
                    Diagnostic::new(
                        Code::UnknownUnit,
                        q.span,
                        format!("unknown unit `{u}` in `{}`", q.text),
                        "unknown unit",
                    )
                    .help(format!("{expected} is expected here; {help}")),
                );
                return;
            }
        },
    };
    d.push(
        Diagnostic::new(
            Code::UnitMismatch,
            q.span,
            format!("expected {expected}, found {found} `{}`", q.text),
            format!("expected {expected}"),
        )
        .help(help.to_string()),
    );
}

fn millis_per(unit: &str) -> Option<u64> {
    Some(match unit {
        "ms" => 1,
        "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        "w" => 604_800_000,
        _ => return None,
    })
}

fn whole(value: Decimal) -> Option<u64> {
    if value.fract().is_zero() {
        value.to_u64()
    } else {
        None
    }
}

pub fn duration(d: &mut Diagnostics, q: &Quantity) -> Option<Duration> {
    const HELP: &str = "write a duration with its unit: 500ms, 30s, 15m, 6h, 1d, 1w";
    if q.number.is_zero() && q.unit.is_none() {
        return Some(Duration::ZERO);
    }
    let Some(per) = q.unit.as_deref().and_then(millis_per) else {
        wrong_unit(d, q, "a duration", HELP);
        return None;
    };
    match q.number.checked_mul(Decimal::from(per)).and_then(whole) {
        Some(ms) => Some(Duration::from_millis(ms)),
        None => {
            d.push(Diagnostic::new(
                Code::InvalidValue,
                q.span,
                format!(
                    "duration `{}` is not a whole number of milliseconds",
                    q.text
                ),
                "not representable",
            ));
            None
        }
    }
}

pub fn size(d: &mut Diagnostics, q: &Quantity) -> Option<Bytes> {
    const HELP: &str = "write a size with its unit: 512Mi, 16Gi, 1Ti (binary) or 10G (decimal)";
    let factor: u64 = match q.unit.as_deref() {
        Some("Ki") => 1 << 10,
        Some("Mi") => 1 << 20,
        Some("Gi") => 1 << 30,
        Some("Ti") => 1 << 40,
        Some("Pi") => 1 << 50,
        Some("K" | "KB" | "k") => 1_000,
        Some("M" | "MB") => 1_000_000,
        Some("G" | "GB") => 1_000_000_000,
        Some("T" | "TB") => 1_000_000_000_000,
        Some("P" | "PB") => 1_000_000_000_000_000,
        _ => {
            wrong_unit(d, q, "a size", HELP);
            return None;
        }
    };
    match q.number.checked_mul(Decimal::from(factor)).and_then(whole) {
        Some(b) => Some(Bytes(b)),
        None => {
            d.push(Diagnostic::new(
                Code::InvalidValue,
                q.span,
                format!("size `{}` is not a whole number of bytes", q.text),
                "not representable",
            ));
            None
        }
    }
}

pub fn cpu(d: &mut Diagnostics, q: &Quantity) -> Option<Millicores> {
    const HELP: &str = "write CPU in cores (2, 0.5) or millicores (500m)";
    let millis = match q.unit.as_deref() {
        None => q
            .number
            .checked_mul(Decimal::from(1000))
            .unwrap_or(Decimal::MAX),
        Some("m") => q.number,
        _ => {
            wrong_unit(d, q, "CPU cores", HELP);
            return None;
        }
    };
    match whole(millis) {
        Some(m) if m > 0 => Some(Millicores(m)),
        _ => {
            d.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    q.span,
                    format!(
                        "CPU `{}` must be a positive whole number of millicores",
                        q.text
                    ),
                    "invalid CPU",
                )
                .help(HELP),
            );
            None
        }
    }
}

/// A percentage, `70%`, as its number (70).
pub fn percent(d: &mut Diagnostics, q: &Quantity) -> Option<Decimal> {
    if q.unit.as_deref() == Some("%") {
        Some(q.number)
    } else {
        wrong_unit(d, q, "a percentage", "write a percentage with `%`: 70%");
        None
    }
}

/// A plain whole number (replicas, ports, counts), at most `max`.
pub fn count(d: &mut Diagnostics, q: &Quantity, max: u64) -> Option<u64> {
    if q.unit.is_some() {
        wrong_unit(
            d,
            q,
            "a plain number",
            "write a whole number without a unit",
        );
        return None;
    }
    match whole(q.number).filter(|n| *n <= max) {
        Some(n) => Some(n),
        None => {
            d.push(Diagnostic::new(
                Code::InvalidValue,
                q.span,
                format!("`{}` is not a whole number from 0 to {max}", q.text),
                "out of range",
            ));
            None
        }
    }
}

/// A threshold written by a person, in the metric's query unit: `1%` is 0.01
/// for a ratio, `500ms` is 0.5 for seconds. Reports E0403 when the written
/// unit cannot describe the metric at all.
pub fn threshold(
    d: &mut Diagnostics,
    q: &Quantity,
    metric: &str,
    unit: MetricUnit,
) -> Option<Decimal> {
    let written = q.unit.as_deref().map(|u| (u, unit_kind(u)));
    let hundred = Decimal::from(100);
    let value = match (unit, written) {
        // A bare number against a latency or a size is a trap: `< 500` on a
        // seconds metric is 500 seconds, not 500 ms. Ask for the unit.
        (MetricUnit::Seconds | MetricUnit::Milliseconds | MetricUnit::Bytes, None)
            if !q.number.is_zero() =>
        {
            let example = if unit == MetricUnit::Bytes {
                "512Mi"
            } else {
                "500ms or 2s"
            };
            d.push(
                Diagnostic::new(
                    Code::ThresholdUnit,
                    q.span,
                    format!(
                        "`{metric}` is measured in {}, but `{}` has no unit",
                        unit.as_str(),
                        q.text
                    ),
                    "unit missing",
                )
                .help(format!(
                    "write the unit, e.g. {example}, so the threshold cannot be misread"
                )),
            );
            None
        }
        (_, None) => Some(q.number),
        (MetricUnit::Ratio, Some((_, Some(Kind::Percent)))) => Some(q.number / hundred),
        (MetricUnit::Percent, Some((_, Some(Kind::Percent)))) => Some(q.number),
        (MetricUnit::Seconds | MetricUnit::Milliseconds, Some((u, Some(Kind::Duration)))) => {
            let Some(ms) = q
                .number
                .checked_mul(Decimal::from(millis_per(u).unwrap_or(1)))
            else {
                // Dropping the threshold silently would drop the band or
                // gate it belongs to.
                d.push(Diagnostic::new(
                    Code::InvalidValue,
                    q.span,
                    format!("duration `{}` is too large to compare", q.text),
                    "out of range",
                ));
                return None;
            };
            Some(if unit == MetricUnit::Seconds {
                ms / Decimal::from(1000)
            } else {
                ms
            })
        }
        (MetricUnit::Bytes, Some((_, Some(Kind::Size)))) => size(d, q).map(|b| Decimal::from(b.0)),
        (MetricUnit::Cores, Some(("m", _))) => Some(q.number / Decimal::from(1000)),
        (_, Some((u, None))) => {
            d.push(Diagnostic::new(
                Code::UnknownUnit,
                q.span,
                format!("unknown unit `{u}` in `{}`", q.text),
                "unknown unit",
            ));
            None
        }
        (_, Some((_, Some(kind)))) => {
            let fits = match unit {
                MetricUnit::Ratio | MetricUnit::Percent => "a percentage (1%) or a plain number",
                MetricUnit::Seconds | MetricUnit::Milliseconds => {
                    "a duration (500ms, 2s) or a plain number"
                }
                MetricUnit::Bytes => "a size (512Mi) or a plain number",
                MetricUnit::Count => "a plain number",
                MetricUnit::Cores => "cores (0.5) or millicores (500m)",
            };
            d.push(
                Diagnostic::new(
                    Code::ThresholdUnit,
                    q.span,
                    format!(
                        "`{metric}` is measured in {}, but `{}` is {}",
                        unit.as_str(),
                        q.text,
                        kind_name(kind)
                    ),
                    format!(
                        "{} cannot be compared with {}",
                        kind_name(kind),
                        unit.as_str()
                    ),
                )
                .help(format!("compare `{metric}` with {fits}")),
            );
            None
        }
    };
    value.map(|v| v.normalize())
}
