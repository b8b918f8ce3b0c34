//! `prometheus/rules.test.yml`: promtool unit tests of `rules.yml`, one test
//! group per alert, generated from the spec.
//!
//! Each group feeds the alert's recorded series (`deployc:<metric>` with the
//! `release` label the recording rule adds) with three runs of values, one
//! sample per minute:
//!
//! 1. `initial`: clearly on the safe side, for 3 minutes;
//! 2. `edge`: just on the safe side (the threshold itself for `>`, `<` and
//!    `!=`), for longer than `for:`;
//! 3. `breach`: just on the breaching side (the threshold itself for `>=`,
//!    `<=` and `==`), until the alert has fired.
//!
//! (see [`test_values`] for the values).
//!
//! and asserts that the alert is not firing at the end of runs 1 and 2, not
//! firing one evaluation before `for:` has elapsed in run 3 (when `for:` is
//! not zero), and firing once it has, with exactly the rule's labels and
//! annotations. A PromQL test also checks that the recorded series holds the
//! injected value: the recording rule's own query has no input in the test,
//! so it records nothing and cannot hide the injected samples.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use super::{alert_labels, annotations};
use crate::emit::alerts::{alerts, series_selector, Alert};
use crate::model::{decimal_text, CompareOp, Duration, Spec};

/// Time between samples and between rule evaluations in the tests.
const STEP: Duration = Duration::from_mins(1);
/// Samples of the `initial` run.
const INITIAL_SAMPLES: u64 = 3;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestFile {
    pub rule_files: Vec<String>,
    pub evaluation_interval: String,
    pub tests: Vec<TestGroup>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestGroup {
    pub name: String,
    pub interval: String,
    pub input_series: Vec<InputSeries>,
    pub alert_rule_test: Vec<AlertRuleTest>,
    pub promql_expr_test: Vec<PromqlExprTest>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputSeries {
    pub series: String,
    pub values: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertRuleTest {
    pub eval_time: String,
    pub alertname: String,
    pub exp_alerts: Vec<ExpAlert>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExpAlert {
    pub exp_labels: BTreeMap<String, String>,
    pub exp_annotations: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PromqlExprTest {
    pub expr: String,
    pub eval_time: String,
    pub exp_samples: Vec<ExpSample>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExpSample {
    pub labels: String,
    pub value: f64,
}

/// The three values a test feeds an alert's series (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestValues {
    pub initial: Decimal,
    pub edge: Decimal,
    pub breach: Decimal,
}

/// Values around `threshold` for `series op threshold`, computed exactly.
/// With `m` = |threshold| (1 for a threshold of 0): the clearly safe value is
/// threshold - m/2 or threshold + m, and the values just beside the threshold
/// are threshold ± m/10. So 0.01 gives 0.005, 0.009, 0.011 and 0.02, and a
/// threshold moved by more than a tenth of itself fails a test.
pub fn test_values(op: CompareOp, threshold: Decimal) -> TestValues {
    let m = if threshold.is_zero() {
        Decimal::ONE
    } else {
        threshold.abs()
    };
    let t = threshold;
    let far_below = t - m / Decimal::TWO;
    let far_above = t + m;
    let near_below = t - m / Decimal::TEN;
    let near_above = t + m / Decimal::TEN;
    let (initial, edge, breach) = match op {
        CompareOp::Gt => (far_below, t, near_above),
        CompareOp::Ge => (far_below, near_below, t),
        CompareOp::Lt => (far_above, t, near_below),
        CompareOp::Le => (far_above, near_above, t),
        CompareOp::Eq => (far_above, near_above, t),
        CompareOp::Ne => (t, t, near_above),
    };
    TestValues {
        initial: initial.normalize(),
        edge: edge.normalize(),
        breach: breach.normalize(),
    }
}

pub fn test_file(spec: &Spec) -> TestFile {
    test_file_of(spec, &alerts(spec))
}

/// [`test_file`] for the spec's alerts, `all`, derived once by the caller.
pub(super) fn test_file_of(spec: &Spec, all: &[Alert<'_>]) -> TestFile {
    TestFile {
        rule_files: vec!["rules.yml".into()],
        evaluation_interval: STEP.prometheus(),
        tests: all.iter().map(|a| test_group(spec, a)).collect(),
    }
}

/// Series of the same metric name that belong to another release, and to
/// another service of this release: they breach from the first sample on,
/// as another release's would in a shared Prometheus, so an alert that
/// does not select its own series fires early, or twice, and its test fails.
fn decoys(alert: &Alert<'_>) -> Vec<String> {
    let other_release = format!("{}-other-release", alert.release);
    let mut out = vec![series_selector(alert.metric, &other_release, alert.service)];
    if let Some(service) = alert.service {
        let other_service = format!("{service}-other-service");
        out.push(series_selector(
            alert.metric,
            alert.release,
            Some(&other_service),
        ));
    }
    out
}

fn at(step: u64) -> String {
    Duration::from_millis(STEP.millis * step).prometheus()
}

fn test_group(spec: &Spec, alert: &Alert<'_>) -> TestGroup {
    let values = test_values(alert.op, alert.threshold.value);
    // Evaluations of breach needed before the alert fires: ceil(for / step).
    let hold = alert.sustain.millis.div_ceil(STEP.millis);
    let edge_start = INITIAL_SAMPLES;
    let edge_samples = hold + 2;
    let breach_start = edge_start + edge_samples;
    let breach_samples = hold + 3;
    let series_values = [
        (values.initial, INITIAL_SAMPLES),
        (values.edge, edge_samples),
        (values.breach, breach_samples),
    ]
    .iter()
    .map(|(v, n)| format!("{}x{}", decimal_text(*v), n - 1))
    .collect::<Vec<_>>()
    .join(" ");

    let quiet = |step: u64| AlertRuleTest {
        eval_time: at(step),
        alertname: alert.name.clone(),
        exp_alerts: vec![],
    };
    let mut checks = vec![quiet(edge_start - 1), quiet(breach_start - 1)];
    if hold > 0 {
        checks.push(quiet(breach_start + hold - 1));
    }
    let fired = breach_start + hold;
    let mut exp_labels = alert_labels(spec, alert);
    // Labels of the series itself (the rule's `release` label is the same).
    exp_labels.extend(alert.series_labels());
    checks.push(AlertRuleTest {
        eval_time: at(fired),
        alertname: alert.name.clone(),
        exp_alerts: vec![ExpAlert {
            exp_labels,
            exp_annotations: annotations(spec, alert),
        }],
    });

    let selector = alert.selector();
    let decoy_values = format!(
        "{}x{}",
        decimal_text(values.breach),
        breach_start + breach_samples - 1
    );
    let breach_f64: f64 = decimal_text(values.breach)
        .parse()
        .expect("decimal text is a valid float");
    TestGroup {
        name: format!(
            "{}: {} {} {} (for {})",
            alert.name,
            alert.metric.recorded_series(),
            alert.op.as_str(),
            alert.threshold.value_text(),
            alert.sustain.prometheus()
        ),
        interval: STEP.prometheus(),
        input_series: std::iter::once(InputSeries {
            series: selector.clone(),
            values: series_values,
        })
        .chain(decoys(alert).into_iter().map(|series| InputSeries {
            series,
            values: decoy_values.clone(),
        }))
        .collect(),
        alert_rule_test: checks,
        promql_expr_test: vec![PromqlExprTest {
            expr: selector.clone(),
            eval_time: at(fired),
            exp_samples: vec![ExpSample {
                labels: selector,
                value: breach_f64,
            }],
        }],
    }
}
