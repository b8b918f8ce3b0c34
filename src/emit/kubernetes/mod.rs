//! Emitter: core Kubernetes objects, one object per file.
//!
//! For every service: a ServiceAccount, its Services, ConfigMaps, and when
//! the spec asks for them an HPA, a PDB, a NetworkPolicy, an Ingress, a
//! StatefulSet (services with storage) and a backup CronJob. Services
//! without storage run as Argo Rollouts, written by `super::rollouts`; both
//! share [`pod_template`].
//!
//! The base objects go to `kubernetes/`, each environment's to
//! `environments/<env>/kubernetes/`, built from that environment's services
//! and namespace. Every namespaced object names its namespace explicitly.

mod backup;
mod config;
mod network;
mod pod;
mod scaling;
mod services;
mod statefulset;

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use serde::Serialize;

use super::{header_yaml, yaml_file, OutputFile};
use crate::model::{names, Environment, Service, Spec};

pub use backup::{backup_name, retention_text, RETENTION_ENV};
pub use config::config_map_name;
pub use network::LIMIT_RPM_ANNOTATION;
pub use pod::{
    job_resources, pod_template, restricted_container_security, restricted_pod_security,
    tmp_volume, tmp_volume_mount, CONFIG_CHECKSUM_ANNOTATION,
};
pub use statefulset::REVISION_HISTORY_LIMIT;

/// The value of `app.kubernetes.io/managed-by`.
pub const MANAGED_BY: &str = "deployc";

pub fn emit(spec: &Spec) -> Vec<OutputFile> {
    let mut files = emit_in(spec, None);
    for env in &spec.environments {
        files.extend(emit_in(spec, Some(env)));
    }
    files
}

/// The folder of an environment's artifacts (`environments/staging/`), or
/// `""` for the base.
pub fn environment_prefix(environment: Option<&Environment>) -> String {
    names::environment_prefix(environment.map(|e| e.name.as_str()))
}

/// One object as a file: `<prefix><folder>/<kind>-<name>.yaml`, the header,
/// then the object.
pub fn object_file<T: Serialize>(
    spec: &Spec,
    prefix: &str,
    folder: &str,
    kind: &str,
    name: &str,
    object: &T,
) -> OutputFile {
    OutputFile::new(
        names::object_file(prefix, folder, kind, name),
        yaml_file(header_yaml(spec), object),
    )
}

pub(crate) fn emit_in(spec: &Spec, environment: Option<&Environment>) -> Vec<OutputFile> {
    let prefix = environment_prefix(environment);
    let namespace = spec.namespace_in(environment);
    let mut files = Vec::new();
    for service in &spec.services_in(environment) {
        let ctx = Ctx {
            spec,
            service,
            namespace,
            prefix: &prefix,
        };
        services::emit(&ctx, &mut files);
        config::emit(&ctx, &mut files);
        scaling::emit(&ctx, &mut files);
        network::emit(&ctx, &mut files);
        statefulset::emit(&ctx, &mut files);
        backup::emit(&ctx, &mut files);
    }
    files
}

/// What every object builder needs: the spec, the service as deployed in
/// the current environment, its namespace and output folder.
struct Ctx<'a> {
    spec: &'a Spec,
    service: &'a Service,
    namespace: &'a str,
    prefix: &'a str,
}

impl Ctx<'_> {
    fn push<T: Serialize>(&self, files: &mut Vec<OutputFile>, kind: &str, name: &str, object: &T) {
        files.push(object_file(
            self.spec,
            self.prefix,
            "kubernetes",
            kind,
            name,
            object,
        ));
    }

    fn meta(&self, name: &str) -> ObjectMeta {
        object_meta(name, self.namespace, common_labels(self.spec, self.service))
    }
}

// ------------------------------------------------------------------ names

/// The name of the service's workload, ServiceAccount, and stable (canary)
/// or active (blue-green) Service.
pub fn service_name(service: &Service) -> String {
    names::service_object(&service.name)
}

/// The Service that selects the canary pods of a canary Rollout.
pub fn canary_service_name(service: &Service) -> String {
    names::canary_service(&service.name)
}

/// The Service that selects the new (green) pods of a blue-green Rollout.
pub fn preview_service_name(service: &Service) -> String {
    names::preview_service(&service.name)
}

/// The headless Service a StatefulSet names as `serviceName`.
pub fn headless_service_name(service: &Service) -> String {
    names::headless_service(&service.name)
}

/// The Ingress of a service (also the `stableIngress` of nginx traffic routing).
pub fn ingress_name(service: &Service) -> String {
    service_name(service)
}

// ----------------------------------------------------------------- labels

/// A label value: at most 63 characters of `[A-Za-z0-9._-]`, starting and
/// ending with an alphanumeric character (image tags may be up to 128).
pub fn label_value(raw: &str) -> String {
    let cleaned: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .take(63)
        .collect();
    cleaned
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_string()
}

/// The labels Services, PDBs, NetworkPolicies and workloads select on:
/// name and instance only, so they never change between versions.
pub fn selector_labels(spec: &Spec, service: &Service) -> BTreeMap<String, String> {
    selector_labels_named(spec, &service_name(service))
}

fn selector_labels_named(spec: &Spec, name: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        (
            "app.kubernetes.io/instance".to_string(),
            label_value(&spec.release.name),
        ),
        ("app.kubernetes.io/name".to_string(), label_value(name)),
    ])
}

/// The version a service's objects are labelled with: its image tag, else
/// the release version.
pub fn version_label(spec: &Spec, service: &Service) -> String {
    label_value(
        service
            .image
            .tag
            .as_deref()
            .unwrap_or(&spec.release.version),
    )
}

/// The recommended `app.kubernetes.io/*` labels, on every object of a service.
pub fn common_labels(spec: &Spec, service: &Service) -> BTreeMap<String, String> {
    let mut labels = selector_labels(spec, service);
    labels.insert(
        "app.kubernetes.io/version".into(),
        version_label(spec, service),
    );
    labels.insert(
        "app.kubernetes.io/part-of".into(),
        label_value(&spec.release.name),
    );
    labels.insert("app.kubernetes.io/managed-by".into(), MANAGED_BY.into());
    labels
}

/// Labels of helper pods of a service (backup, smoke tests): their own
/// `app.kubernetes.io/name` (`<svc>-<component>`), so the service's
/// selectors (Service, PDB, NetworkPolicy, HPA) never match them.
pub fn component_labels(
    spec: &Spec,
    service: &Service,
    component: &str,
) -> BTreeMap<String, String> {
    let mut labels = selector_labels_named(spec, &names::component(&service.name, component));
    labels.insert("app.kubernetes.io/component".into(), label_value(component));
    labels.insert(
        "app.kubernetes.io/version".into(),
        label_value(&spec.release.version),
    );
    labels.insert(
        "app.kubernetes.io/part-of".into(),
        label_value(&spec.release.name),
    );
    labels.insert("app.kubernetes.io/managed-by".into(), MANAGED_BY.into());
    labels
}

/// `matchLabels` of the service's selector labels.
pub fn label_selector(spec: &Spec, service: &Service) -> LabelSelector {
    LabelSelector {
        match_labels: Some(selector_labels(spec, service)),
        ..Default::default()
    }
}

/// Name, namespace and labels.
pub fn object_meta(name: &str, namespace: &str, labels: BTreeMap<String, String>) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_string()),
        namespace: Some(namespace.to_string()),
        labels: Some(labels),
        ..Default::default()
    }
}

#[cfg(test)]
pub(crate) mod tests;
