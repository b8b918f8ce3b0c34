//! E0506 for triggers: what a blue-green Rollout cannot do. Argo's
//! blue-green strategy has no background analysis (only pre- and
//! post-promotion analysis, which run once, at promotion): a trigger that
//! `rollback`s or `abort`s on a metric of a blue-green service could only
//! be an alert there, while the spec (and the runbook) say the rollout
//! stops by itself.

use super::generated::Spans;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::{Spec, Strategy, TriggerCondition, WorkloadKind};

pub(crate) fn check(spec: &Spec, spans: &Spans, d: &mut Diagnostics) {
    for (trigger, span) in spec.triggers.iter().zip(&spans.triggers) {
        let TriggerCondition::Metric { condition, .. } = &trigger.condition else {
            continue;
        };
        if !trigger.action.aborts() {
            continue;
        }
        let metric = spec.metric(condition.metric);
        let blue_green = spec.services.iter().find(|s| {
            s.workload() == WorkloadKind::Rollout
                && s.strategy == Strategy::BlueGreen
                && metric
                    .service
                    .is_none_or(|id| spec.service(id).name == s.name)
        });
        if let Some(service) = blue_green {
            d.push(
                Diagnostic::new(
                    Code::BlueGreenCannot,
                    *span,
                    format!(
                        "trigger `{}` cannot stop blue-green service `{}` by itself",
                        trigger.name, service.name
                    ),
                    "Argo's blue-green strategy has no background analysis",
                )
                .help("use `action page` (a person aborts with `kubectl argo rollouts abort`), or a gate between `preview` and `promote`, or `strategy canary`"),
            );
        }
    }
}
