//! HorizontalPodAutoscaler (autoscaling/v2) and PodDisruptionBudget (policy/v1).

use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec, MetricSpec,
    MetricTarget, ResourceMetricSource,
};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{label_selector, service_name, Ctx};
use crate::emit::OutputFile;
use crate::model::{Disruption, WorkloadKind};

/// Average CPU utilisation the HPA aims for when the spec names neither CPU
/// nor memory: the Kubernetes default, written out so it is visible.
const DEFAULT_CPU_PERCENT: u32 = 80;

pub(super) fn emit(ctx: &Ctx, files: &mut Vec<OutputFile>) {
    let name = service_name(ctx.service);
    if let Some(autoscale) = &ctx.service.autoscale {
        let target = match ctx.service.workload() {
            WorkloadKind::Rollout => CrossVersionObjectReference {
                api_version: Some("argoproj.io/v1alpha1".into()),
                kind: "Rollout".into(),
                name: name.clone(),
            },
            WorkloadKind::StatefulSet => CrossVersionObjectReference {
                api_version: Some("apps/v1".into()),
                kind: "StatefulSet".into(),
                name: name.clone(),
            },
        };
        let mut metrics = Vec::new();
        let cpu = match (autoscale.cpu_percent, autoscale.memory_percent) {
            (None, None) => Some(DEFAULT_CPU_PERCENT),
            (cpu, _) => cpu,
        };
        for (resource, percent) in [("cpu", cpu), ("memory", autoscale.memory_percent)] {
            let Some(percent) = percent else { continue };
            metrics.push(MetricSpec {
                type_: "Resource".into(),
                resource: Some(ResourceMetricSource {
                    name: resource.into(),
                    target: MetricTarget {
                        type_: "Utilization".into(),
                        average_utilization: Some(int(percent)),
                        ..Default::default()
                    },
                }),
                ..Default::default()
            });
        }
        let hpa = HorizontalPodAutoscaler {
            metadata: ctx.meta(&name),
            spec: Some(HorizontalPodAutoscalerSpec {
                scale_target_ref: target,
                min_replicas: Some(int(autoscale.min)),
                max_replicas: int(autoscale.max),
                metrics: Some(metrics),
                ..Default::default()
            }),
            ..Default::default()
        };
        ctx.push(files, "HorizontalPodAutoscaler", &name, &hpa);
    }

    if let Some(disruption) = ctx.service.disruption {
        let (min_available, max_unavailable) = match disruption {
            Disruption::MinAvailable(n) => (Some(IntOrString::Int(int(n))), None),
            Disruption::MaxUnavailable(n) => (None, Some(IntOrString::Int(int(n)))),
        };
        let pdb = PodDisruptionBudget {
            metadata: ctx.meta(&name),
            spec: Some(PodDisruptionBudgetSpec {
                min_available,
                max_unavailable,
                selector: Some(label_selector(ctx.spec, ctx.service)),
                ..Default::default()
            }),
            ..Default::default()
        };
        ctx.push(files, "PodDisruptionBudget", &name, &pdb);
    }
}

fn int(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}
