//! Emitter: Argo Rollouts. One Rollout per service that runs as a Rollout
//! (every service without storage) and the AnalysisTemplates its gates and
//! aborting triggers compile to, one object per file, under `rollouts/`
//! and `environments/<env>/rollouts/`.
//!
//! The phases are the release's plan; every Rollout follows all of them in
//! graph order.
//!
//! Canary (`Strategy::Canary`), step by step:
//!
//! | spec                          | Rollout step                              |
//! |-------------------------------|-------------------------------------------|
//! | `Traffic::Weight(w)`          | `setWeight: w` (rounded to a whole percent)|
//! | `Traffic::Pods(n)`            | `setCanaryScale: {replicas: n}` (see below)|
//! | `Traffic::Hold(d)`            | `pause: {duration: d}`                    |
//! | `Traffic::Pause`, approval    | `pause: {}`: a person resumes             |
//! | consecutive metric/smoke/http gates of one phase | one `analysis` step, one template each, run in parallel |
//! | `Step::Check`                 | nothing (runbook only)                    |
//!
//! Traffic: a service with an Ingress gets nginx traffic routing
//! (`stableIngress`), so a weight is a share of requests, and
//! `setCanaryScale` (which Argo accepts only with traffic routing) can run a
//! fixed number of canary pods. After such a step, the next weight is
//! preceded by `setCanaryScale: {matchTrafficWeight: true}`, or the canary
//! would keep its fixed pod count while taking a growing share of traffic.
//! Without an Ingress there is no traffic routing: a weight is the share of
//! pods, and `Pods(n)` becomes the weight that yields n canary pods at the
//! service's replica count (its autoscaling minimum when autoscaled). Then
//! the Rollout names no `stableService` (Argo would narrow `<svc>` to the
//! stable pods, and the canary would serve no client): `<svc>` selects
//! every pod, so requests split as pods do, and `<svc>-canary` reaches the
//! canary alone, for smoke and HTTP gates.
//!
//! Aborting triggers (`Action::Rollback`/`Abort`) on a metric become
//! background analysis (`strategy.canary.analysis`): see
//! [`analysis::sustained_query`]. A trigger attaches to the Rollout of its
//! metric's service, or to every Rollout when the metric has none. Blue-green
//! has no background analysis in Argo: there, triggers stay alerts.
//!
//! Blue-green (`Strategy::BlueGreen`): gates before `Promote` (in phase
//! order) are the pre-promotion analysis, gates after it the post-promotion
//! analysis; any approval or `Traffic::Pause` turns automatic promotion off.
//! Without them, the holds before `Promote` become `autoPromotionSeconds`.
//! The holds after `Promote` keep the old (blue) pods that long
//! (`scaleDownDelaySeconds`, when over Argo's 30 s default), so an abort
//! switches back instantly.

pub mod analysis;
pub mod types;

use std::collections::{BTreeSet, HashMap};

use rust_decimal::prelude::ToPrimitive;

use self::types::{
    AnalysisTemplate, BlueGreenStrategy, CanaryStep, CanaryStrategy, NginxTrafficRouting, Pause,
    Rollout, RolloutAnalysis, RolloutSpec, RolloutStrategy, SetCanaryScale, TrafficRouting,
    API_VERSION,
};
use super::kubernetes::{
    canary_service_name, common_labels, environment_prefix, ingress_name, label_selector,
    object_file, object_meta, pod_template, preview_service_name, service_name,
    REVISION_HISTORY_LIMIT,
};
use super::OutputFile;
use crate::model::names::{self, kebab_case, truncate_name, TemplateSource};
use crate::model::{
    Decimal, Duration, Environment, Gate, Service, Spec, Step, Strategy, Traffic, TriggerCondition,
    WorkloadKind,
};

pub use analysis::{gate_conditions, sustained_failure_condition, sustained_query, GateConditions};

pub use names::MAX_TEMPLATE_NAME;

pub fn emit(spec: &Spec) -> Vec<OutputFile> {
    let mut files = emit_in(spec, None);
    for env in &spec.environments {
        files.extend(emit_in(spec, Some(env)));
    }
    files
}

pub(crate) fn emit_in(spec: &Spec, environment: Option<&Environment>) -> Vec<OutputFile> {
    let prefix = environment_prefix(environment);
    let namespace = spec.namespace_in(environment);
    let mut files = Vec::new();
    for service in spec
        .services_in(environment)
        .iter()
        .filter(|s| s.workload() == WorkloadKind::Rollout)
    {
        let (rollout, templates) = rollout(spec, service, namespace);
        files.push(object_file(
            spec,
            &prefix,
            "rollouts",
            "Rollout",
            &service_name(service),
            &rollout,
        ));
        for t in &templates {
            let name = t.metadata.name.as_deref().unwrap_or_default();
            files.push(object_file(
                spec,
                &prefix,
                "rollouts",
                "AnalysisTemplate",
                name,
                t,
            ));
        }
    }
    files
}

/// The Rollout of `service` in `namespace`, and the AnalysisTemplates it
/// references, in the order they are first used.
pub fn rollout(
    spec: &Spec,
    service: &Service,
    namespace: &str,
) -> (Rollout, Vec<AnalysisTemplate>) {
    let mut planner = Planner {
        spec,
        service,
        namespace,
        names: names::analysis_template_map(spec, service),
        metric_names: BTreeSet::new(),
        templates: Vec::new(),
    };
    let strategy = match service.strategy {
        Strategy::Canary => RolloutStrategy {
            canary: Some(planner.canary()),
            blue_green: None,
        },
        Strategy::BlueGreen => RolloutStrategy {
            canary: None,
            blue_green: Some(planner.blue_green()),
        },
    };
    let name = service_name(service);
    let rollout = Rollout {
        api_version: API_VERSION,
        kind: "Rollout",
        metadata: object_meta(&name, namespace, common_labels(spec, service)),
        spec: RolloutSpec {
            // With an HPA, the HPA owns the replica count: leaving it out
            // keeps every apply from resetting it.
            replicas: service
                .autoscale
                .is_none()
                .then(|| to_i32(u64::from(service.replicas))),
            revision_history_limit: REVISION_HISTORY_LIMIT,
            selector: label_selector(spec, service),
            template: pod_template(spec, service),
            strategy,
        },
    };
    (rollout, planner.templates)
}

fn to_i32(n: u64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// `setWeight` takes a whole percent: the nearest one, at least 1 for any
/// positive weight, at most 100.
pub fn whole_percent(weight: Decimal) -> i32 {
    let rounded = weight.round().to_i32().unwrap_or(100).clamp(0, 100);
    if rounded == 0 && weight > Decimal::ZERO {
        1
    } else {
        rounded
    }
}

/// The weight that gives `pods` canary pods out of `replicas` without
/// traffic routing ([`crate::model::pods_as_weight`]).
pub fn pods_as_weight(pods: u32, replicas: u32) -> i32 {
    to_i32(u64::from(crate::model::pods_as_weight(pods, replicas)))
}

struct Planner<'a> {
    spec: &'a Spec,
    service: &'a Service,
    namespace: &'a str,
    /// Every template's name, from the model (`names::analysis_templates`).
    names: HashMap<TemplateSource, String>,
    /// Metric names used by any template of this Rollout. Argo merges the
    /// templates of one analysis (a step's, or the background one) into one
    /// AnalysisRun and refuses two metrics of one name
    /// (`NewAnalysisRunFromTemplates`), which marks the Rollout InvalidSpec:
    /// unique across the Rollout, they are unique in every analysis.
    metric_names: BTreeSet<String>,
    templates: Vec<AnalysisTemplate>,
}

impl Planner<'_> {
    /// A metric name from `base` not yet used in this Rollout: cut to 63
    /// characters, then `-2`, `-3`... when already taken. Job-backed gates
    /// are `smoke`/`http` and a suffix: Argo names their Job
    /// `<run uid>.<metric>.<count>` (`newJobName` in metricproviders/job),
    /// which must fit the 63-character `job-name` pod label.
    fn unique_metric(&mut self, base: &str) -> String {
        let max = MAX_TEMPLATE_NAME;
        let mut name = truncate_name(base, max);
        let mut n = 2;
        while self.metric_names.contains(&name) {
            let suffix = format!("-{n}");
            name = format!("{}{suffix}", truncate_name(base, max - suffix.len()));
            n += 1;
        }
        self.metric_names.insert(name.clone());
        name
    }

    /// The template of a metric, smoke or HTTP gate of `phase`, named
    /// `<svc>-<phase>-<metric|smoke|http>`; None for an approval.
    fn gate(&mut self, source: TemplateSource, gate: &Gate) -> Option<String> {
        let what = match gate {
            Gate::Metric(g) => kebab_case(&self.spec.metric(g.condition.metric).name),
            Gate::Smoke { .. } => "smoke".into(),
            Gate::Http { .. } => "http".into(),
            Gate::Approval { .. } => return None,
        };
        let name = self.names.get(&source)?.clone();
        let metric = self.unique_metric(&what);
        let names = (name.as_str(), metric.as_str());
        let (spec, service, ns) = (self.spec, self.service, self.namespace);
        let template = match gate {
            Gate::Metric(g) => analysis::metric_gate(spec, service, ns, names, g),
            Gate::Smoke {
                command,
                image,
                timeout,
                resources,
            } => analysis::smoke_gate(
                spec, service, ns, names, command, image, *timeout, resources,
            ),
            Gate::Http {
                url,
                expect,
                timeout,
            } => analysis::http_gate(spec, service, ns, names, url, *expect, *timeout),
            Gate::Approval { .. } => return None,
        };
        self.templates.push(template);
        Some(name)
    }

    /// Background analysis templates of the aborting metric triggers.
    fn triggers(&mut self) -> Vec<String> {
        let mut names = Vec::new();
        for (i, trigger) in self.spec.triggers.iter().enumerate() {
            let TriggerCondition::Metric { condition, sustain } = &trigger.condition else {
                continue;
            };
            // Present exactly for the aborting triggers that apply here.
            let Some(name) = self.names.get(&TemplateSource::Trigger(i)).cloned() else {
                continue;
            };
            // Named after the trigger, not its metric: two triggers on one
            // metric share the background analysis.
            let metric = self.unique_metric(&kebab_case(&trigger.name));
            let t = analysis::trigger(
                self.spec,
                self.service,
                self.namespace,
                (&name, &metric),
                condition,
                *sustain,
            );
            self.templates.push(t);
            names.push(name);
        }
        names
    }

    fn canary(&mut self) -> CanaryStrategy {
        let routed = self.service.ingress.is_some();
        let replicas = self
            .service
            .autoscale
            .as_ref()
            .map_or(self.service.replicas, |a| a.min);
        let mut steps = Vec::new();
        let mut fixed_scale = false;
        let phases = &self.spec.phases;
        for (p, phase) in phases.iter().enumerate() {
            let mut group: Vec<String> = Vec::new();
            for (s, step) in phase.steps.iter().enumerate() {
                let traffic = match step {
                    Step::Check(_) => continue,
                    Step::Gate(gate) => {
                        let source = TemplateSource::Gate { phase: p, step: s };
                        if let Some(name) = self.gate(source, gate) {
                            group.push(name);
                            continue;
                        }
                        None // an approval
                    }
                    Step::Traffic(t) => Some(t),
                };
                flush(&mut steps, &mut group);
                match traffic {
                    None | Some(Traffic::Pause) => steps.push(CanaryStep::Pause(Pause::default())),
                    Some(Traffic::Hold(d)) => steps.push(hold(*d)),
                    Some(Traffic::Weight(w)) => {
                        if fixed_scale {
                            steps.push(CanaryStep::SetCanaryScale(SetCanaryScale {
                                match_traffic_weight: Some(true),
                                ..Default::default()
                            }));
                            fixed_scale = false;
                        }
                        steps.push(CanaryStep::SetWeight(whole_percent(*w)));
                    }
                    Some(Traffic::Pods(n)) if routed => {
                        steps.push(CanaryStep::SetCanaryScale(SetCanaryScale {
                            replicas: Some(to_i32(u64::from(*n))),
                            ..Default::default()
                        }));
                        fixed_scale = true;
                    }
                    Some(Traffic::Pods(n)) => {
                        steps.push(CanaryStep::SetWeight(pods_as_weight(*n, replicas)))
                    }
                    // Blue-green only; the checker rejects them in canary services.
                    Some(Traffic::Preview | Traffic::Promote) => {}
                }
            }
            flush(&mut steps, &mut group);
        }
        let background = self.triggers();
        let serves = !self.service.ports.is_empty();
        CanaryStrategy {
            canary_service: serves.then(|| canary_service_name(self.service)),
            // Without a traffic router, Argo would point the stable Service
            // (the one clients use) at the stable pods only, so the canary
            // would get no traffic at all; left unset, `<svc>` selects
            // every pod and a weight is the canary's share of pods and of
            // requests. `<svc>-canary` still reaches the canary alone.
            stable_service: (serves && routed).then(|| service_name(self.service)),
            traffic_routing: routed.then(|| TrafficRouting {
                nginx: NginxTrafficRouting {
                    stable_ingress: ingress_name(self.service),
                },
            }),
            analysis: (!background.is_empty()).then(|| RolloutAnalysis::of(&background)),
            steps,
        }
    }

    fn blue_green(&mut self) -> BlueGreenStrategy {
        let mut promoted = false;
        let mut manual = false;
        let (mut pre, mut post) = (Vec::new(), Vec::new());
        let (mut hold_before, mut hold_after) = (Duration::ZERO, Duration::ZERO);
        let phases = &self.spec.phases;
        for (p, phase) in phases.iter().enumerate() {
            for (s, step) in phase.steps.iter().enumerate() {
                match step {
                    Step::Traffic(Traffic::Promote) => promoted = true,
                    Step::Traffic(Traffic::Pause) | Step::Gate(Gate::Approval { .. }) => {
                        manual = true
                    }
                    Step::Traffic(Traffic::Hold(d)) if promoted => hold_after.millis += d.millis,
                    Step::Traffic(Traffic::Hold(d)) => hold_before.millis += d.millis,
                    Step::Gate(gate) => {
                        let source = TemplateSource::Gate { phase: p, step: s };
                        if let Some(name) = self.gate(source, gate) {
                            if promoted { &mut post } else { &mut pre }.push(name);
                        }
                    }
                    Step::Traffic(_) | Step::Check(_) => {}
                }
            }
        }
        let secs = |d: Duration| to_i32(d.millis.div_ceil(1000));
        BlueGreenStrategy {
            active_service: service_name(self.service),
            preview_service: preview_service_name(self.service),
            auto_promotion_enabled: !manual,
            auto_promotion_seconds: (!manual && hold_before > Duration::ZERO)
                .then(|| secs(hold_before)),
            scale_down_delay_seconds: (hold_after > Duration::from_secs(30))
                .then(|| secs(hold_after)),
            pre_promotion_analysis: (!pre.is_empty()).then(|| RolloutAnalysis::of(&pre)),
            post_promotion_analysis: (!post.is_empty()).then(|| RolloutAnalysis::of(&post)),
        }
    }
}

fn hold(d: Duration) -> CanaryStep {
    CanaryStep::Pause(Pause {
        duration: Some(d.argo_pause()),
    })
}

fn flush(steps: &mut Vec<CanaryStep>, group: &mut Vec<String>) {
    if !group.is_empty() {
        steps.push(CanaryStep::Analysis(RolloutAnalysis::of(group)));
        group.clear();
    }
}

#[cfg(test)]
pub(crate) mod tests;
