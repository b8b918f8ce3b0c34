//! Threshold bands: normal, warning, critical must run from the good side to
//! the bad side, each starting exactly where the previous one ends, so every
//! value falls in exactly one band.

use rust_decimal::Decimal;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::{Band, Bands, CompareOp, Duration, MetricUnit, Threshold, Worse};
use crate::source::Span;
use crate::syntax::Statement;

#[derive(Debug, Clone, Copy)]
pub struct Bound {
    pub value: Decimal,
    pub inclusive: bool,
}

#[derive(Debug, Clone)]
pub struct BandSpec {
    pub level: String,
    pub lo: Option<Bound>,
    pub hi: Option<Bound>,
    pub text: String,
    pub sustain: Duration,
    pub span: Span,
}

fn fmt(v: Decimal) -> String {
    crate::model::decimal_text(v)
}

pub fn check(
    metric: &Statement,
    specs: &[BandSpec],
    unit: MetricUnit,
    d: &mut Diagnostics,
) -> Option<Bands> {
    let find = |l: &str| specs.iter().find(|b| b.level == l);
    let Some(normal) = find("normal") else {
        let first = &specs[0];
        d.push(
            Diagnostic::new(Code::MissingStatement, first.span, "bands without a `normal` band", "no normal band in this metric")
                .related(metric.keyword.span, "metric declared here")
                .help("add `normal < x` (or `normal > x` when lower is worse): where values belong when all is well"),
        );
        return None;
    };
    let (warning, critical) = (find("warning"), find("critical"));
    let bad: Vec<&BandSpec> = [warning, critical].into_iter().flatten().collect();
    if bad.is_empty() {
        return Some(Bands {
            worse: Worse::Higher,
            normal_text: normal.text.clone(),
            warning: None,
            critical: None,
        });
    }
    // Which side is worse: the side normal is open toward is the good one.
    let worse = match (normal.lo, normal.hi) {
        (None, _) => Worse::Higher,
        (_, None) => Worse::Lower,
        (Some(nlo), Some(_)) => {
            if bad[0].hi.is_none() || bad[0].lo.is_some_and(|l| l.value >= nlo.value) {
                Worse::Higher
            } else {
                Worse::Lower
            }
        }
    };
    let chain: Vec<&BandSpec> = std::iter::once(normal).chain(bad.iter().copied()).collect();
    // Order first: when a band is on the wrong side, gaps and overlaps
    // would only repeat the same mistake.
    let mut misordered = false;
    for pair in chain.windows(2) {
        let (prev, next) = (pair[0], pair[1]);
        let (p, n) = match worse {
            Worse::Higher => (prev.lo, next.lo),
            Worse::Lower => (prev.hi, next.hi),
        };
        let ordered = match (p, n) {
            (_, None) => p.is_none(), // both open toward the good side: an overlap, reported below
            (None, Some(_)) => true,
            (Some(p), Some(n)) => match worse {
                Worse::Higher => n.value > p.value,
                Worse::Lower => n.value < p.value,
            },
        };
        if !ordered {
            d.push(order_error(next, prev, "lies on the good side"));
            misordered = true;
        }
    }
    if misordered {
        return None;
    }
    let mut ok = true;
    for pair in chain.windows(2) {
        let (prev, next) = (pair[0], pair[1]);
        let (prev_end, next_start) = match worse {
            Worse::Higher => (prev.hi, next.lo),
            Worse::Lower => (prev.lo, next.hi),
        };
        let (Some(end), Some(start)) = (prev_end, next_start) else {
            // Unbounded toward each other: they overlap.
            d.push(overlap(prev, next));
            ok = false;
            continue;
        };
        ok &= meet(prev, next, end, start, worse, unit, d);
    }
    // The worst band must reach to the end: values beyond it fall nowhere.
    let last = chain[chain.len() - 1];
    let open_end = match worse {
        Worse::Higher => last.hi,
        Worse::Lower => last.lo,
    };
    if let Some(b) = open_end {
        d.push(
            Diagnostic::new(
                Code::BandGap,
                last.span,
                format!(
                    "values {} {} fall in no band",
                    if worse == Worse::Higher {
                        "above"
                    } else {
                        "below"
                    },
                    fmt(b.value)
                ),
                format!("the {} band stops here", last.level),
            )
            .help({
                // Start where the previous band ends: after it when it
                // includes its end, at it otherwise.
                let prev_end = match worse {
                    Worse::Higher => chain[chain.len() - 2].hi,
                    Worse::Lower => chain[chain.len() - 2].lo,
                };
                let inclusive = prev_end.is_none_or(|b| b.inclusive);
                let op = match (worse, inclusive) {
                    (Worse::Higher, true) => ">",
                    (Worse::Higher, false) => ">=",
                    (Worse::Lower, true) => "<",
                    (Worse::Lower, false) => "<=",
                };
                format!(
                    "make the {} band open-ended: `{} {op} {}`",
                    last.level,
                    last.level,
                    threshold_text(&last.text, worse)
                )
            }),
        );
        ok = false;
    }
    if !ok {
        return None;
    }
    let band = |s: Option<&BandSpec>| {
        s.map(|s| {
            let (op, bound) = match worse {
                Worse::Higher => {
                    let b = s.lo.expect("checked: bad bands are bounded toward normal");
                    (
                        if b.inclusive {
                            CompareOp::Ge
                        } else {
                            CompareOp::Gt
                        },
                        b,
                    )
                }
                Worse::Lower => {
                    let b = s.hi.expect("checked: bad bands are bounded toward normal");
                    (
                        if b.inclusive {
                            CompareOp::Le
                        } else {
                            CompareOp::Lt
                        },
                        b,
                    )
                }
            };
            Band {
                op,
                threshold: Threshold {
                    value: bound.value,
                    text: threshold_text(&s.text, worse),
                },
                sustain: s.sustain,
                text: s.text.clone(),
            }
        })
    };
    Some(Bands {
        worse,
        normal_text: normal.text.clone(),
        warning: band(warning),
        critical: band(critical),
    })
}

/// The written threshold at which a band starts: `5%` of `> 5%`, `1%` of `1%..5%`.
fn threshold_text(band_text: &str, worse: Worse) -> String {
    if let Some((lo, hi)) = band_text.split_once("..") {
        return match worse {
            Worse::Higher => lo.to_string(),
            Worse::Lower => hi.to_string(),
        };
    }
    band_text
        .trim_start_matches(['<', '>', '=', ' '])
        .to_string()
}

fn meet(
    prev: &BandSpec,
    next: &BandSpec,
    end: Bound,
    start: Bound,
    worse: Worse,
    unit: MetricUnit,
    d: &mut Diagnostics,
) -> bool {
    // Distance from prev's end to next's start, in the worse direction.
    let gap = match worse {
        Worse::Higher => start.value - end.value,
        Worse::Lower => end.value - start.value,
    };
    let integer =
        unit == MetricUnit::Count && end.value.fract().is_zero() && start.value.fract().is_zero();
    if gap.is_zero() {
        match (end.inclusive, start.inclusive) {
            (true, true) => {
                d.push(overlap(prev, next));
                false
            }
            (false, false) => {
                d.push(gap_error(
                    prev,
                    next,
                    format!("the value {} itself falls in no band", fmt(end.value)),
                ));
                false
            }
            _ => true,
        }
    } else if gap < Decimal::ZERO {
        d.push(overlap(prev, next));
        false
    } else if integer && gap == Decimal::ONE && end.inclusive && start.inclusive {
        true // Counts: `normal 0` then `warning 1..2` leave nothing between.
    } else {
        d.push(gap_error(
            prev,
            next,
            format!(
                "values between {} and {} fall in no band",
                fmt(end.value),
                fmt(start.value)
            ),
        ));
        false
    }
}

fn overlap(prev: &BandSpec, next: &BandSpec) -> Diagnostic {
    Diagnostic::new(
        Code::BandOverlap,
        next.span,
        format!(
            "the {} band `{}` overlaps the {} band `{}`",
            next.level, next.text, prev.level, prev.text
        ),
        "overlaps",
    )
    .related(prev.span, format!("{} band here", prev.level))
}

fn gap_error(prev: &BandSpec, next: &BandSpec, what: String) -> Diagnostic {
    Diagnostic::new(
        Code::BandGap,
        next.span,
        format!(
            "gap between the {} band `{}` and the {} band `{}`: {what}",
            prev.level, prev.text, next.level, next.text
        ),
        "does not start where the previous band ends",
    )
    .related(prev.span, format!("{} band ends here", prev.level))
}

fn order_error(band: &BandSpec, normal: &BandSpec, what: &str) -> Diagnostic {
    Diagnostic::new(
        Code::BandOrder,
        band.span,
        format!(
            "the {} band `{}` {what} of the {} band `{}`",
            band.level, band.text, normal.level, normal.text
        ),
        "out of order",
    )
    .related(normal.span, format!("{} band here", normal.level))
}
