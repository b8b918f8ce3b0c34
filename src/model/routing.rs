//! Who an alert reaches, from the spec's meaning: shared by the checker
//! (which refuses an alert that would reach nobody), the Alertmanager
//! routes and the alerts' `contacts` annotation, so the three cannot
//! disagree.

use super::{AlertSeverity, Band, Contact, ContactId, Metric, Spec, TriggerCondition};

impl Spec {
    /// Who handles alerts of a spec severity word (or, when that level has
    /// no escalation, of its routing severity): the escalation's owner,
    /// then its `then` contact; else the release owner.
    pub fn handlers(&self, spec_severity: &str, severity: AlertSeverity) -> Vec<ContactId> {
        let escalation = self
            .escalations
            .iter()
            .find(|e| self.severity(e.severity).name == spec_severity)
            .or_else(|| {
                self.escalations
                    .iter()
                    .find(|e| self.severity(e.severity).routes == severity)
            });
        match escalation {
            Some(e) => {
                let mut r = vec![e.owner];
                r.extend(e.then.filter(|t| *t != e.owner));
                r
            }
            None => self.release.owner.into_iter().collect(),
        }
    }

    /// Every contact an alert must reach, in the order Alertmanager's
    /// routes pick them: the `notify` contacts (unless one already handles
    /// the alert first hand), then the handlers of its severity.
    pub fn alert_contacts(
        &self,
        notify: &[ContactId],
        spec_severity: &str,
        severity: AlertSeverity,
    ) -> Vec<ContactId> {
        let handled = self.handlers(spec_severity, severity);
        let mut out: Vec<ContactId> = Vec::new();
        for c in notify {
            if handled.first() != Some(c) && !out.contains(c) {
                out.push(*c);
            }
        }
        for c in handled {
            if !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }
}

impl Spec {
    /// Whether a trigger watches this very edge of `metric`'s band (same
    /// comparison, same threshold). Then the trigger's alert is the one
    /// alert of that condition, with the severity, window and contacts the
    /// spec gave the trigger: a band alert beside it would page twice for
    /// one breach, or at another severity.
    pub fn trigger_watches(&self, metric: &Metric, band: &Band) -> bool {
        self.triggers.iter().any(|t| {
            matches!(&t.condition, TriggerCondition::Metric { condition, .. }
                if std::ptr::eq(self.metric(condition.metric), metric)
                    && condition.op == band.op
                    && condition.threshold.value == band.threshold.value)
        })
    }
}

impl Contact {
    /// Whether Alertmanager can reach this contact: an email address, a
    /// chat channel or a pager. A phone number or a name reaches nobody
    /// without a person dialling it.
    pub fn has_channel(&self) -> bool {
        self.email.is_some() || self.chat.is_some() || self.pager.is_some()
    }
}
