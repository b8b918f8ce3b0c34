//! The alerts of a spec, derived once: one per metric trigger and one per
//! warning or critical band. The Prometheus rules, their unit tests, the
//! Alertmanager routes and the runbook all read this list, so an alert's
//! name, threshold, window and runbook anchor cannot differ between them.

use crate::model::{
    AlertSeverity, Band, CompareOp, ContactId, Duration, Metric, Spec, Threshold, Trigger,
    TriggerCondition,
};

use std::collections::BTreeMap;

use super::{camel_case, slug};

/// The labels the recording rule of a metric adds: the release, and the
/// service when the metric belongs to one.
pub fn series_labels(release: &str, service: Option<&str>) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::from([("release".to_string(), release.to_string())]);
    if let Some(service) = service {
        labels.insert("service".to_string(), service.to_string());
    }
    labels
}

/// `deployc:<metric>{release="r",service="s"}`: the recorded series of one
/// metric of one release, and nothing of any other.
pub fn series_selector(metric: &Metric, release: &str, service: Option<&str>) -> String {
    let matchers: Vec<String> = series_labels(release, service)
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")))
        .collect();
    format!("{}{{{}}}", metric.recorded_series(), matchers.join(","))
}

/// The name of the service `metric` belongs to, if any.
pub fn metric_service<'a>(spec: &'a Spec, metric: &Metric) -> Option<&'a str> {
    metric.service.map(|id| spec.service(id).name.as_str())
}

#[derive(Debug, Clone)]
pub struct Alert<'a> {
    /// `HighErrorRate`, `ErrorRateCritical`: unique within the spec.
    pub name: String,
    pub metric: &'a Metric,
    pub op: CompareOp,
    pub threshold: &'a Threshold,
    /// Prometheus `for:`: how long the condition must hold without a break.
    pub sustain: Duration,
    /// The severity alerting stacks route on.
    pub severity: AlertSeverity,
    /// The spec's own word (`major`), kept as a label.
    pub spec_severity: &'a str,
    pub origin: AlertOrigin<'a>,
    /// The release's name, which the recording rules put in a label.
    pub release: &'a str,
    /// The service the metric belongs to, if any: a label too.
    pub service: Option<&'a str>,
}

#[derive(Debug, Clone)]
pub enum AlertOrigin<'a> {
    Trigger(&'a Trigger),
    Band { level: &'static str, band: &'a Band },
}

impl Alert<'_> {
    /// The PromQL expression: the metric's recorded series (see
    /// `Metric::recorded_series`) compared with the threshold in the
    /// metric's unit.
    pub fn expr(&self) -> String {
        format!(
            "{} {} {}",
            self.selector(),
            self.op.as_str(),
            self.threshold.value_text()
        )
    }

    /// One line for people: what fired, on which metric, past what. Made on
    /// demand: most readers of the list never ask for it.
    pub fn summary(&self) -> String {
        match &self.origin {
            AlertOrigin::Trigger(trigger) => format!(
                "{}: {} {} {} for {}",
                trigger.title,
                self.metric.title,
                self.op.as_str(),
                self.threshold.text,
                self.sustain.human()
            ),
            AlertOrigin::Band { level, band } => {
                format!("{} is {} ({})", self.metric.title, level, band.text)
            }
        }
    }

    /// The recorded series of this alert's metric in its own release (and
    /// service): every release's rules share one Prometheus, and without
    /// the matchers release B's breach fires release A's alert under A's
    /// labels ("same labelset after applying alert labels" once two
    /// releases record one metric name).
    pub fn selector(&self) -> String {
        series_selector(self.metric, self.release, self.service)
    }

    /// The labels of the recorded series, as the recording rule adds them.
    pub fn series_labels(&self) -> BTreeMap<String, String> {
        series_labels(self.release, self.service)
    }

    /// The runbook heading of this alert's section.
    pub fn runbook_heading(&self) -> String {
        format!("Alert: {}", self.name)
    }

    /// The anchor of that heading in the runbook.
    pub fn runbook_anchor(&self) -> String {
        slug(&self.runbook_heading())
    }
}

/// Every alert of the spec: triggers first (in source order), then bands
/// (metric by metric, warning before critical).
pub fn alerts(spec: &Spec) -> Vec<Alert<'_>> {
    let mut out = Vec::new();
    for trigger in &spec.triggers {
        if let TriggerCondition::Metric { condition, sustain } = &trigger.condition {
            let severity = spec.severity(trigger.severity);
            let metric = spec.metric(condition.metric);
            out.push(Alert {
                release: &spec.release.name,
                service: metric_service(spec, metric),
                name: camel_case(&trigger.name),
                metric,
                op: condition.op,
                threshold: &condition.threshold,
                sustain: *sustain,
                severity: severity.routes,
                spec_severity: &severity.name,
                origin: AlertOrigin::Trigger(trigger),
            });
        }
    }
    for metric in &spec.metrics {
        let Some(bands) = &metric.bands else { continue };
        let levels = [
            ("warning", &bands.warning, AlertSeverity::Warning),
            ("critical", &bands.critical, AlertSeverity::Critical),
        ];
        for (level, band, severity) in levels {
            let Some(band) = band else { continue };
            out.push(Alert {
                release: &spec.release.name,
                service: metric_service(spec, metric),
                name: format!("{}{}", camel_case(&metric.name), camel_case(level)),
                metric,
                op: band.op,
                threshold: &band.threshold,
                sustain: band.sustain,
                severity,
                spec_severity: level,
                origin: AlertOrigin::Band { level, band },
            });
        }
    }
    out
}

/// Who handles alerts of a spec severity word (or, when that level has no
/// escalation, of its routing severity): the escalation's owner, then its
/// `then` contact; else the release owner.
pub fn handlers(spec: &Spec, spec_severity: &str, severity: AlertSeverity) -> Vec<ContactId> {
    let escalation = spec
        .escalations
        .iter()
        .find(|e| spec.severity(e.severity).name == spec_severity)
        .or_else(|| {
            spec.escalations
                .iter()
                .find(|e| spec.severity(e.severity).routes == severity)
        });
    match escalation {
        Some(e) => {
            let mut r = vec![e.owner];
            r.extend(e.then.filter(|t| *t != e.owner));
            r
        }
        None => spec.release.owner.into_iter().collect(),
    }
}

/// Every contact `alert` must reach, in the order Alertmanager's routes
/// pick them: a trigger's `notify` contacts (unless one already handles
/// the alert first hand), then the handlers of its severity. Worked out
/// from the spec's meaning, not from the route tree, so that the routes
/// and this list can be checked against each other.
pub fn contacts(spec: &Spec, alert: &Alert<'_>) -> Vec<ContactId> {
    let handled = handlers(spec, alert.spec_severity, alert.severity);
    let mut out: Vec<ContactId> = Vec::new();
    if let AlertOrigin::Trigger(t) = &alert.origin {
        for c in &t.notify {
            if handled.first() != Some(c) && !out.contains(c) {
                out.push(*c);
            }
        }
    }
    for c in handled {
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}
