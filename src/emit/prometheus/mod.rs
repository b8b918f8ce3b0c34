//! Emitter: Prometheus rules.
//!
//! - `prometheus/rules.yml`: a plain rule file (`promtool check rules`).
//! - `prometheus/prometheusrule.yaml`: the same groups in a Prometheus
//!   Operator `PrometheusRule`.
//! - `prometheus/rules.test.yml`: promtool unit tests of `rules.yml`, one
//!   test group per alert (see [`promtool`]).
//!
//! Two groups per release: `<release>-recording` records each metric's query
//! as `deployc:<metric>{release="<release>"}`, and `<release>-alerts` holds
//! one alerting rule per entry of [`alerts`], comparing that recorded series
//! with the threshold. Alerts are never derived here, only rendered.

mod promtool;

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use super::alerts::{alerts, contacts, metric_service, series_labels, Alert, AlertOrigin};
use super::{header_yaml, runbook_url, yaml_file, OutputFile};
use crate::model::{Action, Duration, Spec};

pub use promtool::{test_file, test_values, TestFile, TestValues};

/// Path of the plain rule file, relative to the output folder.
pub const RULES_PATH: &str = "prometheus/rules.yml";
/// Path of the PrometheusRule manifest.
pub const PROMETHEUS_RULE_PATH: &str = "prometheus/prometheusrule.yaml";
/// Path of the promtool unit tests of `rules.yml`.
pub const RULES_TEST_PATH: &str = "prometheus/rules.test.yml";

pub fn emit(spec: &Spec) -> Vec<OutputFile> {
    // Derived once for the rules and their tests.
    let all = alerts(spec);
    let groups = rule_groups_of(spec, &all);
    let header = header_yaml(spec);
    vec![
        OutputFile::new(
            RULES_PATH,
            yaml_file(
                header.clone(),
                &RuleFile {
                    groups: groups.clone(),
                },
            ),
        ),
        prometheus_rule_file(spec, &header, groups),
        OutputFile::new(
            RULES_TEST_PATH,
            yaml_file(header, &promtool::test_file_of(spec, &all)),
        ),
    ]
}

/// The PrometheusRule manifest alone (for the object stream).
pub fn prometheus_rule_only(spec: &Spec) -> OutputFile {
    prometheus_rule_file(spec, &header_yaml(spec), rule_groups(spec))
}

fn prometheus_rule_file(spec: &Spec, header: &str, groups: Vec<RuleGroup>) -> OutputFile {
    OutputFile::new(
        PROMETHEUS_RULE_PATH,
        yaml_file(header.to_string(), &prometheus_rule(spec, groups)),
    )
}

// ------------------------------------------------------------------ types

/// A Prometheus rule file: `groups:` only.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleFile {
    pub groups: Vec<RuleGroup>,
}

/// One rule group; the same struct in `rules.yml` and in the
/// PrometheusRule's `spec.groups`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleGroup {
    pub name: String,
    pub rules: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Rule {
    Recording(RecordingRule),
    Alerting(AlertingRule),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordingRule {
    pub record: String,
    pub expr: String,
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertingRule {
    pub alert: String,
    pub expr: String,
    /// Omitted when the alert fires on the first breaching evaluation.
    #[serde(rename = "for", skip_serializing_if = "Option::is_none")]
    pub for_: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PrometheusRule {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub metadata: ObjectMeta,
    pub spec: RuleFile,
}

// ---------------------------------------------------------------- building

/// `<release>-recording`, then `<release>-alerts` (omitted when the spec has
/// no alert: Prometheus accepts an empty group, but it says nothing).
pub fn rule_groups(spec: &Spec) -> Vec<RuleGroup> {
    rule_groups_of(spec, &alerts(spec))
}

/// [`rule_groups`] for the spec's alerts, `all`, derived once by the caller.
fn rule_groups_of(spec: &Spec, all: &[Alert<'_>]) -> Vec<RuleGroup> {
    let release = &spec.release.name;
    let recording = spec
        .metrics
        .iter()
        .map(|m| {
            Rule::Recording(RecordingRule {
                record: m.recorded_series(),
                expr: m.query.clone(),
                labels: series_labels(release, metric_service(spec, m)),
            })
        })
        .collect::<Vec<_>>();
    let alerting = all
        .iter()
        .map(|a| Rule::Alerting(alerting_rule(spec, a)))
        .collect::<Vec<_>>();
    let mut groups = Vec::new();
    if !recording.is_empty() {
        groups.push(RuleGroup {
            name: format!("{release}-recording"),
            rules: recording,
        });
    }
    if !alerting.is_empty() {
        groups.push(RuleGroup {
            name: format!("{release}-alerts"),
            rules: alerting,
        });
    }
    groups
}

/// Prometheus `for:`, or None when the alert fires at once.
pub fn for_duration(sustain: Duration) -> Option<String> {
    (sustain != Duration::ZERO).then(|| sustain.prometheus())
}

pub fn alerting_rule(spec: &Spec, alert: &Alert<'_>) -> AlertingRule {
    AlertingRule {
        alert: alert.name.clone(),
        expr: alert.expr(),
        for_: for_duration(alert.sustain),
        labels: alert_labels(spec, alert),
        annotations: annotations(spec, alert)
            .into_iter()
            .map(|(k, v)| (k, template_literal(&v)))
            .collect(),
    }
}

/// The labels an alerting rule adds: what Alertmanager routes and inhibits on.
pub fn alert_labels(spec: &Spec, alert: &Alert<'_>) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("severity".to_string(), alert.severity.as_str().to_string()),
        ("spec_severity".to_string(), alert.spec_severity.to_string()),
        ("release".to_string(), spec.release.name.clone()),
        ("metric".to_string(), alert.metric.name.clone()),
    ])
}

/// The annotations of an alert as they read once expanded (plain text; the
/// rule file carries them escaped for Prometheus' template engine).
pub fn annotations(spec: &Spec, alert: &Alert<'_>) -> BTreeMap<String, String> {
    let contacts: Vec<&str> = contacts(spec, alert)
        .into_iter()
        .map(|c| spec.contact(c).name.as_str())
        .collect();
    BTreeMap::from([
        // Who this alert must reach, by contact name (the receivers of
        // alertmanager.yml): shown with the alert, and what the
        // conformance suite holds Alertmanager's routing to.
        ("contacts".to_string(), contacts.join(", ")),
        ("summary".to_string(), alert.summary()),
        ("description".to_string(), description(spec, alert)),
        (
            "runbook_url".to_string(),
            runbook_url(spec, &alert.runbook_anchor()),
        ),
    ])
}

/// What is wrong, the threshold as written and as compared, the window, and
/// for a trigger its action and who it notifies.
pub fn description(spec: &Spec, alert: &Alert<'_>) -> String {
    let m = alert.metric;
    let op = alert.op.as_str();
    let window = if alert.sustain == Duration::ZERO {
        "at a single evaluation".to_string()
    } else {
        format!("for {} without a break", alert.sustain.human())
    };
    let mut text = format!(
        "{} ({}) has been {op} {} {window}. Threshold as written: {op} {}; as compared: {} {op} {} (unit: {}).",
        m.title,
        m.name,
        alert.threshold.text,
        alert.threshold.text,
        alert.selector(),
        alert.threshold.value_text(),
        m.unit.as_str(),
    );
    match &alert.origin {
        AlertOrigin::Band { level, band } => {
            text.push_str(&format!(
                " This is the {level} band ({}) of {}.",
                band.text, m.title
            ));
        }
        AlertOrigin::Trigger(trigger) => {
            if let Some(d) = &trigger.description {
                text.push_str(&format!(" {}", d.trim()));
            }
            let action = match trigger.action {
                Action::Rollback => {
                    "roll back (abort the rollout and follow the rollback procedure)"
                }
                Action::Abort => "abort the rollout and keep the stable version serving",
                Action::Page => "page the people notified",
                Action::Notify => "tell the people notified",
            };
            text.push_str(&format!(" Action: {action}"));
            if let Some(level) = trigger.rollback_level {
                text.push_str(&format!(
                    ", rollback level: {}",
                    spec.rollback_level(level).title
                ));
            }
            text.push('.');
            let notified: Vec<String> = trigger
                .notify
                .iter()
                .map(|c| {
                    let c = spec.contact(*c);
                    format!("{} ({})", c.role, c.name)
                })
                .collect();
            if !notified.is_empty() {
                text.push_str(&format!(" Notifies: {}.", notified.join(", ")));
            }
        }
    }
    text
}

/// Text that Prometheus' template engine (Go text/template) expands to
/// itself: only `{{` starts an action, so it is written as an action that
/// prints it.
pub fn template_literal(text: &str) -> String {
    text.replace("{{", "{{ \"{{\" }}")
}

/// Labels of the PrometheusRule (and of anything else deployc generates for
/// the release's monitoring).
fn object_labels(spec: &Spec) -> BTreeMap<String, String> {
    BTreeMap::from([
        (
            "app.kubernetes.io/name".to_string(),
            spec.release.name.clone(),
        ),
        (
            "app.kubernetes.io/part-of".to_string(),
            spec.release.name.clone(),
        ),
        (
            "app.kubernetes.io/component".to_string(),
            "alerting".to_string(),
        ),
        (
            "app.kubernetes.io/managed-by".to_string(),
            "deployc".to_string(),
        ),
    ])
}

pub fn prometheus_rule(spec: &Spec, groups: Vec<RuleGroup>) -> PrometheusRule {
    PrometheusRule {
        api_version: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: ObjectMeta {
            name: Some(format!("{}-deployc", spec.release.name)),
            namespace: Some(spec.release.namespace.clone()),
            labels: Some(object_labels(spec)),
            ..ObjectMeta::default()
        },
        spec: RuleFile { groups },
    }
}

#[cfg(test)]
pub(crate) mod tests;
