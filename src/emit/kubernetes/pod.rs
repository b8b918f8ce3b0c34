//! The pod template of a service, shared by its StatefulSet or Rollout, and
//! the restricted security settings every pod and container deployc emits
//! carries (Pod Security Standards, "restricted" profile).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Capabilities, ConfigMapProjection, ConfigMapVolumeSource, Container, ContainerPort,
    EmptyDirVolumeSource, EnvVar, EnvVarSource, HTTPGetAction, PodSecurityContext, PodSpec,
    PodTemplateSpec, Probe, ProjectedVolumeSource, ResourceRequirements, SeccompProfile,
    SecretKeySelector, SecurityContext, Volume, VolumeMount, VolumeProjection,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{common_labels, config_map_name, service_name};
use crate::model::{ConfigFile, EnvValue, ProbeKind, Service, Spec};

/// The name of the volume claim template of a StatefulSet, mounted at
/// `storage.mount`.
pub(super) const DATA_VOLUME: &str = "data";

/// Annotation on the pod template carrying a checksum of the service's
/// config files, so that changing one rolls the pods (through the canary,
/// for Rollouts) instead of going unnoticed until the next restart.
pub const CONFIG_CHECKSUM_ANNOTATION: &str = "deployc/config-checksum";

/// The pod template of `service`: one container named after the service,
/// restricted security context, resources, probes, env, config files and
/// the service's ServiceAccount.
///
/// Resources: only what the spec gives is set. A service without `cpu` or
/// `memory` gets no requests/limits for it (the checker may require them
/// later); no default is invented here.
pub fn pod_template(spec: &Spec, service: &Service) -> PodTemplateSpec {
    let mut volumes = Vec::new();
    let mut mounts = Vec::new();

    for (index, (dir, files)) in config_groups(&service.configs).into_iter().enumerate() {
        let name = format!("config-{}", index + 1);
        volumes.push(config_volume(&name, service, &files));
        mounts.push(VolumeMount {
            name,
            mount_path: dir.to_string(),
            read_only: Some(true),
            ..Default::default()
        });
    }
    if let Some(storage) = &service.storage {
        // The volume itself comes from the StatefulSet's volumeClaimTemplates.
        mounts.push(VolumeMount {
            name: DATA_VOLUME.into(),
            mount_path: storage.mount.clone(),
            ..Default::default()
        });
    }
    if service.read_only_root {
        volumes.push(tmp_volume());
        mounts.push(tmp_volume_mount());
    }

    let container = Container {
        name: service_name(service),
        image: Some(service.image.reference.clone()),
        ports: non_empty(
            service
                .ports
                .iter()
                .map(|p| ContainerPort {
                    name: Some(p.name.clone()),
                    container_port: i32::from(p.number),
                    protocol: Some("TCP".into()),
                    ..Default::default()
                })
                .collect(),
        ),
        env: non_empty(service.env.iter().map(env_var).collect()),
        resources: resources(service),
        liveness_probe: probe(service, ProbeKind::Liveness),
        readiness_probe: probe(service, ProbeKind::Readiness),
        startup_probe: probe(service, ProbeKind::Startup),
        security_context: Some(restricted_container_security(
            service.run_as_user,
            service.read_only_root,
        )),
        volume_mounts: non_empty(mounts),
        ..Default::default()
    };

    let annotations = (!service.configs.is_empty()).then(|| {
        BTreeMap::from([(
            CONFIG_CHECKSUM_ANNOTATION.to_string(),
            config_checksum(&service.configs),
        )])
    });

    PodTemplateSpec {
        metadata: Some(ObjectMeta {
            labels: Some(common_labels(spec, service)),
            annotations,
            ..Default::default()
        }),
        spec: Some(PodSpec {
            service_account_name: Some(service_name(service)),
            automount_service_account_token: Some(false),
            security_context: Some(restricted_pod_security(
                service.run_as_user,
                service.storage.is_some(),
            )),
            containers: vec![container],
            volumes: non_empty(volumes),
            ..Default::default()
        }),
    }
}

/// Pod-level security: non-root with a numeric user (so the kubelet can
/// verify it whatever the image's USER says), RuntimeDefault seccomp.
/// `fs_group` makes mounted persistent volumes writable by that user.
pub fn restricted_pod_security(run_as_user: u64, fs_group: bool) -> PodSecurityContext {
    let uid = uid(run_as_user);
    PodSecurityContext {
        run_as_non_root: Some(true),
        run_as_user: Some(uid),
        fs_group: fs_group.then_some(uid),
        seccomp_profile: Some(runtime_default()),
        ..Default::default()
    }
}

/// Container-level security: no privilege escalation, every capability
/// dropped, non-root, RuntimeDefault seccomp, read-only root file system
/// unless the spec says `writable_root`.
pub fn restricted_container_security(run_as_user: u64, read_only_root: bool) -> SecurityContext {
    SecurityContext {
        allow_privilege_escalation: Some(false),
        capabilities: Some(Capabilities {
            drop: Some(vec!["ALL".into()]),
            ..Default::default()
        }),
        read_only_root_filesystem: Some(read_only_root),
        run_as_non_root: Some(true),
        run_as_user: Some(uid(run_as_user)),
        seccomp_profile: Some(runtime_default()),
        ..Default::default()
    }
}

/// The writable scratch space of a container whose root file system is read-only.
pub fn tmp_volume() -> Volume {
    Volume {
        name: "tmp".into(),
        empty_dir: Some(EmptyDirVolumeSource::default()),
        ..Default::default()
    }
}

pub fn tmp_volume_mount() -> VolumeMount {
    VolumeMount {
        name: "tmp".into(),
        mount_path: "/tmp".into(),
        ..Default::default()
    }
}

fn runtime_default() -> SeccompProfile {
    SeccompProfile {
        type_: "RuntimeDefault".into(),
        ..Default::default()
    }
}

fn uid(run_as_user: u64) -> i64 {
    i64::try_from(run_as_user).unwrap_or(i64::MAX)
}

fn non_empty<T>(items: Vec<T>) -> Option<Vec<T>> {
    (!items.is_empty()).then_some(items)
}

/// Config files grouped by mount directory, in order of first appearance:
/// files sharing a directory are projected into one volume there.
fn config_groups(configs: &[ConfigFile]) -> Vec<(&str, Vec<&ConfigFile>)> {
    let mut groups: Vec<(&str, Vec<&ConfigFile>)> = Vec::new();
    for config in configs {
        match groups.iter_mut().find(|(dir, _)| *dir == config.mount) {
            Some((_, files)) => files.push(config),
            None => groups.push((&config.mount, vec![config])),
        }
    }
    groups
}

fn config_volume(name: &str, service: &Service, files: &[&ConfigFile]) -> Volume {
    if let [file] = files {
        return Volume {
            name: name.into(),
            config_map: Some(ConfigMapVolumeSource {
                name: config_map_name(service, file),
                ..Default::default()
            }),
            ..Default::default()
        };
    }
    let sources = files
        .iter()
        .map(|file| VolumeProjection {
            config_map: Some(ConfigMapProjection {
                name: config_map_name(service, file),
                ..Default::default()
            }),
            ..Default::default()
        })
        .collect();
    Volume {
        name: name.into(),
        projected: Some(ProjectedVolumeSource {
            sources: Some(sources),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// FNV-1a (64 bit) over every config file's mount, name and content:
/// stable across builds and Rust versions, unlike `DefaultHasher`.
fn config_checksum(configs: &[ConfigFile]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for config in configs {
        for part in [&config.mount, &config.name, &config.content] {
            for byte in part.bytes().chain([0]) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
    }
    format!("{hash:016x}")
}

fn env_var(var: &crate::model::EnvVar) -> EnvVar {
    match &var.value {
        EnvValue::Literal(value) => EnvVar {
            name: var.name.clone(),
            value: Some(value.clone()),
            ..Default::default()
        },
        EnvValue::Secret { secret, key } => EnvVar {
            name: var.name.clone(),
            value_from: Some(EnvVarSource {
                secret_key_ref: Some(SecretKeySelector {
                    name: secret.clone(),
                    key: key.clone(),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        },
    }
}

fn resources(service: &Service) -> Option<ResourceRequirements> {
    let mut requests = BTreeMap::new();
    let mut limits = BTreeMap::new();
    if let Some(cpu) = service.cpu {
        requests.insert("cpu".to_string(), Quantity(cpu.request.k8s()));
        limits.insert("cpu".to_string(), Quantity(cpu.limit.k8s()));
    }
    if let Some(memory) = service.memory {
        requests.insert("memory".to_string(), Quantity(memory.request.k8s()));
        limits.insert("memory".to_string(), Quantity(memory.limit.k8s()));
    }
    if requests.is_empty() {
        return None;
    }
    Some(ResourceRequirements {
        requests: Some(requests),
        limits: Some(limits),
        ..Default::default()
    })
}

/// Requests and limits of the container of a Job deployc writes (backup,
/// smoke gate, HTTP check), see [`JobResources::DEFAULT`].
pub fn job_resources(r: &crate::model::JobResources) -> ResourceRequirements {
    let mut requests = BTreeMap::new();
    let mut limits = BTreeMap::new();
    requests.insert("cpu".to_string(), Quantity(r.cpu_request.k8s()));
    if let Some(limit) = r.cpu_limit {
        limits.insert("cpu".to_string(), Quantity(limit.k8s()));
    }
    requests.insert("memory".to_string(), Quantity(r.memory.request.k8s()));
    limits.insert("memory".to_string(), Quantity(r.memory.limit.k8s()));
    ResourceRequirements {
        requests: Some(requests),
        limits: Some(limits),
        ..Default::default()
    }
}

fn seconds(d: crate::model::Duration) -> i32 {
    i32::try_from(d.as_secs()).unwrap_or(i32::MAX)
}

/// The probe of `kind`, an HTTP GET on the named port when a port of the
/// service has that number, else on the number.
fn probe(service: &Service, kind: ProbeKind) -> Option<Probe> {
    let p = service.probes.iter().find(|p| p.kind == kind)?;
    let port = match service.ports.iter().find(|port| port.number == p.port) {
        Some(named) => IntOrString::String(named.name.clone()),
        None => IntOrString::Int(i32::from(p.port)),
    };
    Some(Probe {
        http_get: Some(HTTPGetAction {
            path: Some(p.path.clone()),
            port,
            ..Default::default()
        }),
        initial_delay_seconds: Some(seconds(p.initial_delay)),
        period_seconds: Some(seconds(p.period).max(1)),
        timeout_seconds: Some(seconds(p.timeout).max(1)),
        failure_threshold: Some(
            i32::try_from(p.failure_threshold)
                .unwrap_or(i32::MAX)
                .max(1),
        ),
        ..Default::default()
    })
}
