//! E1101: every alert reaches a person. Alertmanager delivers an alert to
//! the receivers its routes pick (`Spec::alert_contacts`); a contact
//! without an email, chat channel or pager becomes a receiver with no
//! integration, and a page sent there reaches nobody, silently.

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::{AlertSeverity, ContactId, Spec, TriggerCondition};
use crate::source::Span;

use super::generated::Spans;

pub(crate) fn check(spec: &Spec, spans: &Spans, d: &mut Diagnostics) {
    for (trigger, span) in spec.triggers.iter().zip(&spans.triggers) {
        if !matches!(trigger.condition, TriggerCondition::Metric { .. }) {
            continue; // An observed trigger is a runbook entry, not an alert.
        }
        let level = spec.severity(trigger.severity);
        let reached = spec.alert_contacts(&trigger.notify, &level.name, level.routes);
        let what = format!("the alert of trigger `{}`", trigger.name);
        report(spec, spans, d, *span, &what, &level.name, &reached);
    }
    for (metric, span) in spec.metrics.iter().zip(&spans.metrics) {
        let Some(bands) = &metric.bands else { continue };
        let levels = [
            ("warning", bands.warning.is_some(), AlertSeverity::Warning),
            (
                "critical",
                bands.critical.is_some(),
                AlertSeverity::Critical,
            ),
        ];
        for (level, present, routes) in levels {
            if present {
                let reached = spec.alert_contacts(&[], level, routes);
                let what = format!("the {level} band alert of metric `{}`", metric.name);
                report(spec, spans, d, *span, &what, level, &reached);
            }
        }
    }
}

fn report(
    spec: &Spec,
    spans: &Spans,
    d: &mut Diagnostics,
    span: Span,
    what: &str,
    severity: &str,
    reached: &[ContactId],
) {
    if reached.is_empty() {
        d.push(
            Diagnostic::new(
                Code::AlertReachesNobody,
                span,
                format!("{what} reaches nobody"),
                "no contact is told of this alert",
            )
            .help(format!(
                "add `notify CONTACT`, an `escalation {severity}` with an owner, or an `owner` to the release"
            )),
        );
        return;
    }
    for id in reached {
        let contact = spec.contact(*id);
        if contact.has_channel() {
            continue;
        }
        let mut diagnostic = Diagnostic::new(
            Code::AlertReachesNobody,
            span,
            format!(
                "{what} is routed to `{}`, who has no email, chat or pager",
                contact.name
            ),
            format!("this alert reaches nobody through `{}`", contact.name),
        )
        .help(format!(
            "give contact `{}` an `email`, `chat` or `pager`, or route the alert to a contact who has one",
            contact.name
        ));
        if let Some(at) = spans.contacts.get(id.0) {
            diagnostic = diagnostic.related(*at, format!("`{}` is declared here", contact.name));
        }
        d.push(diagnostic);
    }
}
