//! ServiceAccount and Services of a service.
//!
//! - canary Rollout: `<svc>` (stable) and `<svc>-canary`;
//! - blue-green Rollout: `<svc>` (active) and `<svc>-preview`;
//! - StatefulSet: `<svc>` and the headless `<svc>-headless` it names as
//!   `serviceName` (stable per-pod DNS names).
//!
//! The Services of a Rollout select the same labels; Argo Rollouts adds the
//! `rollouts-pod-template-hash` of the right ReplicaSet to each selector.

use k8s_openapi::api::core::v1::{Service as K8sService, ServiceAccount, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{selector_labels, service_name, Ctx};
use crate::emit::OutputFile;
use crate::model::{names, WorkloadKind};

pub(super) fn emit(ctx: &Ctx, files: &mut Vec<OutputFile>) {
    let name = service_name(ctx.service);
    let account = ServiceAccount {
        metadata: ctx.meta(&name),
        automount_service_account_token: Some(false),
        ..Default::default()
    };
    ctx.push(files, "ServiceAccount", &name, &account);

    let second = names::second_service(ctx.service);
    let headless = ctx.service.workload() == WorkloadKind::StatefulSet;
    // The API server refuses a Service without ports, unless headless: a
    // service that listens on nothing (a worker) gets none, except the
    // headless Service a StatefulSet names for its pods' DNS names.
    let serves = !ctx.service.ports.is_empty();
    for (service_name, headless) in [(name, false), (second, headless)] {
        if serves || headless {
            let service = service(ctx, &service_name, headless);
            ctx.push(files, "Service", &service_name, &service);
        }
    }
}

fn service(ctx: &Ctx, name: &str, headless: bool) -> K8sService {
    let ports: Vec<ServicePort> = ctx
        .service
        .ports
        .iter()
        .map(|p| ServicePort {
            name: Some(p.name.clone()),
            port: i32::from(p.number),
            target_port: Some(IntOrString::String(p.name.clone())),
            protocol: Some("TCP".into()),
            ..Default::default()
        })
        .collect();
    K8sService {
        metadata: ctx.meta(name),
        spec: Some(ServiceSpec {
            type_: Some("ClusterIP".into()),
            // Headless: DNS answers with the pod addresses; not-ready pods are
            // published too so the members of a clustered store can find each
            // other while starting.
            cluster_ip: headless.then(|| "None".into()),
            publish_not_ready_addresses: headless.then_some(true),
            selector: Some(selector_labels(ctx.spec, ctx.service)),
            ports: (!ports.is_empty()).then_some(ports),
            ..Default::default()
        }),
        ..Default::default()
    }
}
