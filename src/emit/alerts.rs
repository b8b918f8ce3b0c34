//! The alerts of a spec, derived once: one per metric trigger and one per
//! warning or critical band. The Prometheus rules, their unit tests, the
//! Alertmanager routes and the runbook all read this list, so an alert's
//! name, threshold, window and runbook anchor cannot differ between them.

use crate::model::{
    AlertSeverity, Band, CompareOp, Duration, Metric, Spec, Threshold, Trigger, TriggerCondition,
};

use crate::model::names;

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
            self.metric.recorded_series(),
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

    /// The runbook heading of this alert's section.
    pub fn runbook_heading(&self) -> String {
        format!("Alert: {}", self.name)
    }

    /// The anchor of that heading in the runbook.
    pub fn runbook_anchor(&self) -> String {
        names::slug(&self.runbook_heading())
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
                name: names::trigger_alert(&trigger.name),
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
                name: names::band_alert(&metric.name, level),
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
