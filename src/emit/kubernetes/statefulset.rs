//! The StatefulSet of a service with storage (Argo Rollouts does not manage
//! those): the shared pod template plus one PersistentVolumeClaim per pod.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{StatefulSet, StatefulSetSpec};
use k8s_openapi::api::core::v1::{
    PersistentVolumeClaim, PersistentVolumeClaimSpec, VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::pod::DATA_VOLUME;
use super::{
    headless_service_name, label_selector, pod_template, selector_labels, service_name, Ctx,
};
use crate::emit::OutputFile;
use crate::model::WorkloadKind;

/// Old revisions kept for `kubectl rollout undo`.
pub const REVISION_HISTORY_LIMIT: i32 = 5;

pub(super) fn emit(ctx: &Ctx, files: &mut Vec<OutputFile>) {
    let (WorkloadKind::StatefulSet, Some(storage)) = (ctx.service.workload(), &ctx.service.storage)
    else {
        return;
    };
    let name = service_name(ctx.service);
    let claim = PersistentVolumeClaim {
        metadata: ObjectMeta {
            name: Some(DATA_VOLUME.into()),
            // volumeClaimTemplates is immutable: the API server refuses any
            // change to it ("spec: Forbidden"), so it carries only labels
            // that never change from one release to the next (not the
            // version, which follows the image tag).
            labels: Some(selector_labels(ctx.spec, ctx.service)),
            ..Default::default()
        },
        spec: Some(PersistentVolumeClaimSpec {
            access_modes: Some(vec!["ReadWriteOnce".into()]),
            storage_class_name: storage.class.clone(),
            resources: Some(VolumeResourceRequirements {
                requests: Some(BTreeMap::from([(
                    "storage".to_string(),
                    Quantity(storage.size.k8s()),
                )])),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    };
    let set = StatefulSet {
        metadata: ctx.meta(&name),
        spec: Some(StatefulSetSpec {
            // With an HPA, the HPA owns the replica count: leaving it out
            // keeps every apply from resetting it.
            replicas: ctx
                .service
                .autoscale
                .is_none()
                .then(|| i32::try_from(ctx.service.replicas).unwrap_or(i32::MAX)),
            revision_history_limit: Some(REVISION_HISTORY_LIMIT),
            selector: label_selector(ctx.spec, ctx.service),
            service_name: Some(headless_service_name(ctx.service)),
            template: pod_template(ctx.spec, ctx.service),
            volume_claim_templates: Some(vec![claim]),
            ..Default::default()
        }),
        ..Default::default()
    };
    ctx.push(files, "StatefulSet", &name, &set);
}
