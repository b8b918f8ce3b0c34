//! Every name deployc generates from a spec: Kubernetes object names, file
//! paths, alert names, recording rule names, AnalysisTemplate names. The
//! emitters call these functions and compute no name themselves; the checker
//! enumerates them all once with [`generated`] and rejects any two that
//! collide and any that breaks the rule of the place it goes (a Service name
//! is a DNS-1123 label, a ConfigMap key matches `[-._a-zA-Z0-9]+`, ...).
//! So a name the checker accepted is exactly the name that is written.

use std::collections::{BTreeSet, HashMap};

use super::{
    Gate, MetricId, Service, ServiceId, Spec, Step, Strategy, Trigger, TriggerCondition,
    WorkloadKind,
};

// --------------------------------------------------------------- spellings

/// `error_rate` → `error-rate`: the spelling of a spec name inside
/// Kubernetes object names (lowercase, `_`, `.` and ` ` become `-`).
pub fn kebab_case(name: &str) -> String {
    name.to_lowercase().replace(['_', '.', ' '], "-")
}

/// `error_rate` → `ErrorRate`: the spelling of a spec name inside alert names.
pub fn pascal_case(name: &str) -> String {
    name.split(['_', '-', '.', ' '])
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
        })
        .collect()
}

/// GitHub's heading slug (what `#anchor` links resolve to): lowercase,
/// punctuation dropped, spaces to `-`.
pub fn slug(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

// ------------------------------------------------------- Kubernetes objects

/// The name of a service's workload (Rollout or StatefulSet),
/// ServiceAccount, stable/active Service, HPA, PDB, NetworkPolicy, Ingress
/// and container.
pub fn service_object(service: &str) -> String {
    kebab_case(service)
}

/// The Service that selects the canary pods of a canary Rollout.
pub fn canary_service(service: &str) -> String {
    format!("{}-canary", service_object(service))
}

/// The Service that selects the new (green) pods of a blue-green Rollout.
pub fn preview_service(service: &str) -> String {
    format!("{}-preview", service_object(service))
}

/// The headless Service a StatefulSet names as `serviceName`.
pub fn headless_service(service: &str) -> String {
    format!("{}-headless", service_object(service))
}

/// The backup CronJob of a service with storage.
pub fn backup_job(service: &str) -> String {
    format!("{}-backup", service_object(service))
}

/// `app.kubernetes.io/name` of a service's helper pods: `<svc>-<component>`.
pub fn component(service: &str, component: &str) -> String {
    format!("{}-{component}", service_object(service))
}

/// The ConfigMap of one config file: `api` + `config.yml` gives `api-config-yml`.
pub fn config_map(service: &str, file: &str) -> String {
    format!("{}-{}", service_object(service), kebab_case(file))
}

/// The second Service of a service, beside `<svc>`: `-headless` for a
/// StatefulSet, `-canary` or `-preview` for a Rollout.
pub fn second_service(service: &Service) -> String {
    match (service.workload(), service.strategy) {
        (WorkloadKind::StatefulSet, _) => headless_service(&service.name),
        (WorkloadKind::Rollout, Strategy::Canary) => canary_service(&service.name),
        (WorkloadKind::Rollout, Strategy::BlueGreen) => preview_service(&service.name),
    }
}

/// Longest AnalysisTemplate name (a DNS label, as Argo names AnalysisRuns
/// and Jobs after it).
pub const MAX_TEMPLATE_NAME: usize = 63;

/// Where an AnalysisTemplate of a Rollout comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TemplateSource {
    /// A metric, smoke or HTTP gate: `spec.phases[phase].steps[step]`.
    Gate { phase: usize, step: usize },
    /// An aborting metric trigger: `spec.triggers[index]`, as background
    /// analysis of a canary.
    Trigger(usize),
}

/// The AnalysisTemplates of `service`'s Rollout, in the order the Rollout
/// first uses them: every metric, smoke or HTTP gate in phase and step
/// order (`<svc>-<phase>-<metric|smoke|http>`), then, for a canary, the
/// aborting metric triggers that apply to it (`<svc>-trigger-<trigger>`).
/// Each name is cut to 63 characters, then made unique within the Rollout
/// with `-2`, `-3`...
pub fn analysis_templates(spec: &Spec, service: &Service) -> Vec<(TemplateSource, String)> {
    let mut taken = BTreeSet::new();
    let mut out = Vec::new();
    let svc = service_object(&service.name);
    for (p, phase) in spec.phases.iter().enumerate() {
        for (s, step) in phase.steps.iter().enumerate() {
            let Step::Gate(gate) = step else { continue };
            let what = match gate {
                Gate::Metric(g) => kebab_case(&spec.metric(g.condition.metric).name),
                Gate::Smoke { .. } => "smoke".into(),
                Gate::Http { .. } => "http".into(),
                Gate::Approval { .. } => continue,
            };
            let base = format!("{svc}-{}-{what}", kebab_case(&phase.name));
            let source = TemplateSource::Gate { phase: p, step: s };
            out.push((source, unique(&mut taken, &base)));
        }
    }
    if service.strategy == Strategy::Canary {
        for (i, trigger) in spec.triggers.iter().enumerate() {
            if trigger.action.aborts() && spec.trigger_applies(service, trigger) {
                let base = format!("{svc}-trigger-{}", kebab_case(&trigger.name));
                out.push((TemplateSource::Trigger(i), unique(&mut taken, &base)));
            }
        }
    }
    out
}

/// [`analysis_templates`] by source, for the Rollout emitter.
pub fn analysis_template_map(spec: &Spec, service: &Service) -> HashMap<TemplateSource, String> {
    analysis_templates(spec, service).into_iter().collect()
}

/// `base` cut to 63 characters, then `-2`, `-3`... when already taken.
fn unique(taken: &mut BTreeSet<String>, base: &str) -> String {
    let mut name = truncate_name(base, MAX_TEMPLATE_NAME);
    let mut n = 2;
    while taken.contains(&name) {
        let suffix = format!("-{n}");
        name = format!(
            "{}{suffix}",
            truncate_name(base, MAX_TEMPLATE_NAME - suffix.len())
        );
        n += 1;
    }
    taken.insert(name.clone());
    name
}

/// `base`, cut to `max` characters without a trailing `-`.
pub fn truncate_name(base: &str, max: usize) -> String {
    let cut: String = base.chars().take(max).collect();
    cut.trim_end_matches('-').to_string()
}

// ------------------------------------------------------------------- files

/// The folder of an environment's artifacts (`environments/staging/`), or
/// `""` for the base.
pub fn environment_prefix(environment: Option<&str>) -> String {
    environment.map_or_else(String::new, |e| format!("environments/{e}/"))
}

/// One object's file: `<prefix><folder>/<kind>-<name>.yaml`.
pub fn object_file(prefix: &str, folder: &str, kind: &str, name: &str) -> String {
    format!("{prefix}{folder}/{}-{name}.yaml", kind.to_lowercase())
}

/// The folder of each kind's files: Argo's under `rollouts/`, the rest
/// under `kubernetes/`.
pub fn object_folder(kind: &str) -> &'static str {
    match kind {
        "Rollout" | "AnalysisTemplate" => "rollouts",
        _ => "kubernetes",
    }
}

/// The Grafana dashboard of a service.
pub fn dashboard_file(service: &str) -> String {
    format!("grafana/dashboard-{}.json", kebab_case(service))
}

/// Grafana rejects dashboard uids longer than this.
pub const DASHBOARD_UID_MAX: usize = 40;
/// The schema documents uids as `string (8-40)`.
pub const DASHBOARD_UID_MIN: usize = 8;

/// A stable dashboard uid: `<release>-<service>` in kebab case when that is
/// a valid uid of 8 to 40 characters; otherwise as much of it as fits,
/// then `-` and the FNV-1a hash (8 hex digits) of the names as written.
pub fn dashboard_uid(release: &str, service: &str) -> String {
    let readable: String = format!("{}-{}", kebab_case(release), kebab_case(service))
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if (DASHBOARD_UID_MIN..=DASHBOARD_UID_MAX).contains(&readable.len()) {
        return readable;
    }
    let hash = fnv1a_32(format!("{release}\0{service}").as_bytes());
    let suffix = format!("-{hash:08x}");
    let keep = DASHBOARD_UID_MAX - suffix.len();
    let prefix = readable[..readable.len().min(keep)].trim_end_matches('-');
    format!("{prefix}{suffix}")
}

/// 32-bit FNV-1a: tiny, portable, and the same on every machine.
fn fnv1a_32(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5, |h, &b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

// ------------------------------------------------------------ Alertmanager

/// The receiver of Alertmanager's root route, without integrations: no
/// contact may take its name.
pub const DEFAULT_RECEIVER: &str = "deployc-default";

/// The receiver of a contact: its name as written.
pub fn receiver(contact: &str) -> String {
    contact.to_string()
}

/// The file Alertmanager reads a PagerDuty routing key from, in its secrets
/// directory: `pagerduty-<pager>`, with anything but `[A-Za-z0-9._-]` as `-`.
pub fn pagerduty_key_file(pager: &str) -> String {
    let safe: String = pager
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("pagerduty-{safe}")
}

// -------------------------------------------------------------- Prometheus

/// The recording rule's series of a metric, `deployc:<metric>`: every
/// character outside `[a-zA-Z0-9_]` becomes `_`, as Prometheus metric
/// names allow no other (besides `:`).
pub fn recorded_series(metric: &str) -> String {
    let name: String = metric
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("deployc:{name}")
}

/// The alert of a metric trigger: `high_error_rate` → `HighErrorRate`.
pub fn trigger_alert(trigger: &str) -> String {
    pascal_case(trigger)
}

/// The alert of a metric's warning or critical band: `ErrorRateCritical`.
pub fn band_alert(metric: &str, level: &str) -> String {
    format!("{}{}", pascal_case(metric), pascal_case(level))
}

// ------------------------------------------------------------------- rules

/// DNS-1123 label: at most 63 characters of `[a-z0-9-]`, starting and
/// ending with a letter or digit. Services and namespaces.
pub fn is_dns1123_label(s: &str) -> bool {
    s.len() <= 63 && is_dns1123_label_chars(s)
}

fn is_dns1123_label_chars(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// DNS-1123 subdomain: at most 253 characters, labels joined by `.`. Most
/// object names (ConfigMaps, ServiceAccounts, workloads...).
pub fn is_dns1123_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns1123_label_chars)
}

/// A ConfigMap key: at most 253 characters of `[-._a-zA-Z0-9]`, and not
/// `.`, `..` or anything starting with `..`.
pub fn is_config_map_key(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
        && !s.starts_with("..")
        && s != "."
}

/// Longest file name (one path component) Linux, macOS and Windows file
/// systems all take, in bytes.
pub const MAX_FILE_NAME: usize = 255;

/// A relative path of generated files: components that are not empty,
/// `.` or `..`, without `\`, `:` or NUL, each at most 255 bytes.
pub fn is_relative_path(path: &str) -> bool {
    path.split('/').all(|c| {
        !c.is_empty()
            && c != "."
            && c != ".."
            && c.len() <= MAX_FILE_NAME
            && !c.contains(['\\', ':', '\0'])
    })
}

/// A mount path in a container: absolute, without `..` components or
/// `:` (Kubernetes rejects mount paths with `:`).
pub fn is_mount_path(path: &str) -> bool {
    path.starts_with('/') && !path.contains(':') && !path.split('/').any(|c| c == "..")
}

/// A mount path without its trailing `/`s (`/` stays `/`): the directory
/// it mounts over.
fn mount_dir(path: &str) -> String {
    match path.trim_end_matches('/') {
        "" if path.starts_with('/') => "/".into(),
        dir => dir.to_string(),
    }
}

/// The rule a generated name must follow where it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// [`is_dns1123_label`]: Service names.
    DnsLabel,
    /// [`is_dns1123_subdomain`]: other object names.
    DnsSubdomain,
    /// A CronJob name: a DNS-1123 subdomain of at most 52 characters, as
    /// the controller appends `-<11 digits>` to name each Job (a label).
    CronJob,
    /// [`is_config_map_key`].
    ConfigMapKey,
    /// [`is_relative_path`]: files deployc writes.
    RelativePath,
    /// [`is_mount_path`].
    MountPath,
    /// Any name but [`DEFAULT_RECEIVER`].
    Receiver,
    /// No rule beyond uniqueness (alert and recording rule names are
    /// always valid by construction).
    Unique,
}

impl Rule {
    pub fn allows(self, name: &str) -> bool {
        match self {
            Rule::DnsLabel => is_dns1123_label(name),
            Rule::DnsSubdomain => is_dns1123_subdomain(name),
            Rule::CronJob => name.len() <= 52 && is_dns1123_subdomain(name),
            Rule::ConfigMapKey => is_config_map_key(name),
            Rule::RelativePath => is_relative_path(name),
            Rule::MountPath => is_mount_path(name),
            Rule::Receiver => name != DEFAULT_RECEIVER,
            Rule::Unique => true,
        }
    }

    /// The rule in words, for messages.
    pub fn text(self) -> &'static str {
        match self {
            Rule::DnsLabel => "a DNS-1123 label: at most 63 characters of `a-z`, `0-9` and `-`, starting and ending with a letter or digit",
            Rule::DnsSubdomain => "a DNS-1123 subdomain: at most 253 characters of `a-z`, `0-9`, `-` and `.`, each part starting and ending with a letter or digit",
            Rule::CronJob => "at most 52 characters (Kubernetes appends 11 to name each Job), a DNS-1123 subdomain",
            Rule::ConfigMapKey => "a ConfigMap key: at most 253 characters of `a-z`, `A-Z`, `0-9`, `-`, `_` and `.`, not starting with `..`",
            Rule::RelativePath => "a relative path whose file names are at most 255 bytes, without `..`, `\\` or `:`",
            Rule::MountPath => "an absolute path without `..` components or `:`",
            Rule::Receiver => "any name but `deployc-default`, the receiver of alerts no contact takes",
            Rule::Unique => "unique",
        }
    }
}

// -------------------------------------------------------------- enumeration

/// What a generated name names; two names collide when they have the same
/// kind and the same text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameKind {
    /// A Kubernetes object of this kind, in the release's namespace (every
    /// environment writes the same names to its own folder and namespace).
    Object(&'static str),
    /// A file deployc writes, relative to the spec's output folder.
    File,
    /// A Prometheus alert (`alertname`).
    Alert,
    /// A Prometheus recording rule (`record:`).
    RecordingRule,
    /// The key of a config file's ConfigMap: each ConfigMap holds one, so
    /// keys never collide; they are listed for their rule.
    ConfigMapKey(ServiceId, usize),
    /// A file inside a service's containers.
    PodFile(ServiceId),
    /// A volume mount path of a service's container.
    MountPath(ServiceId),
    /// A Grafana dashboard uid.
    DashboardUid,
    /// An Alertmanager receiver.
    Receiver,
    /// A file in Alertmanager's secrets directory.
    SecretFile,
}

impl NameKind {
    /// `Service`, `file`, `alert`... for messages.
    pub fn text(self) -> &'static str {
        match self {
            NameKind::Object(kind) => kind,
            NameKind::File => "file",
            NameKind::Alert => "alert",
            NameKind::RecordingRule => "recording rule",
            NameKind::ConfigMapKey(..) => "ConfigMap key",
            NameKind::PodFile(_) => "file in the container",
            NameKind::MountPath(_) => "mount path",
            NameKind::DashboardUid => "dashboard uid",
            NameKind::Receiver => "Alertmanager receiver",
            NameKind::SecretFile => "Alertmanager secret file",
        }
    }
}

/// The spec item a name is generated from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    Service(ServiceId),
    /// `services[service].configs[index]`.
    Config(ServiceId, usize),
    /// The storage of a service (its mount path).
    Storage(ServiceId),
    /// The container's writable `/tmp` of a service with a read-only root.
    Tmp(ServiceId),
    /// An AnalysisTemplate of a service's Rollout.
    Template(ServiceId, TemplateSource),
    Metric(MetricId),
    /// The alert of one band (`"warning"` or `"critical"`) of a metric.
    Band(MetricId, &'static str),
    /// `spec.triggers[index]`.
    Trigger(usize),
    /// `spec.environments[index]`: its folder.
    Environment(usize),
    /// `spec.contacts[index]`.
    Contact(usize),
}

/// One name deployc will generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    pub kind: NameKind,
    pub name: String,
    pub rule: Rule,
    pub origin: Origin,
}

/// Every name deployc generates for `spec`'s base, in the order the
/// emitters write them. Environments repeat the base's names in their own
/// folder and namespace, so the base's are the ones that can collide.
pub fn generated(spec: &Spec) -> Vec<Generated> {
    let mut out = Vec::new();
    let mut push = |kind, name: String, rule, origin| {
        out.push(Generated {
            kind,
            name,
            rule,
            origin,
        })
    };
    for (i, service) in spec.services.iter().enumerate() {
        let id = ServiceId(i);
        let svc = &service.name;
        let mut objects: Vec<(&'static str, String, Rule, Origin)> = vec![
            (
                "ServiceAccount",
                service_object(svc),
                Rule::DnsSubdomain,
                Origin::Service(id),
            ),
            (
                "Service",
                service_object(svc),
                Rule::DnsLabel,
                Origin::Service(id),
            ),
            (
                "Service",
                second_service(service),
                Rule::DnsLabel,
                Origin::Service(id),
            ),
        ];
        for (c, file) in service.configs.iter().enumerate() {
            let origin = Origin::Config(id, c);
            objects.push((
                "ConfigMap",
                config_map(svc, &file.name),
                Rule::DnsSubdomain,
                origin,
            ));
        }
        let mut optional = |present: bool, kind, name: String, rule| {
            if present {
                objects.push((kind, name, rule, Origin::Service(id)));
            }
        };
        let object = service_object(svc);
        let sub = Rule::DnsSubdomain;
        optional(
            service.autoscale.is_some(),
            "HorizontalPodAutoscaler",
            object.clone(),
            sub,
        );
        optional(
            service.disruption.is_some(),
            "PodDisruptionBudget",
            object.clone(),
            sub,
        );
        optional(
            !service.allow.is_empty(),
            "NetworkPolicy",
            object.clone(),
            sub,
        );
        optional(
            service.ingress.is_some() && service.main_port().is_some(),
            "Ingress",
            object.clone(),
            sub,
        );
        let stateful = service.workload() == WorkloadKind::StatefulSet;
        optional(stateful, "StatefulSet", object.clone(), Rule::DnsLabel);
        optional(
            service.backup.is_some(),
            "CronJob",
            backup_job(svc),
            Rule::CronJob,
        );
        // A Rollout names its ReplicaSets `<name>-<hash>` and their pods
        // after those: like a Deployment, a DNS label keeps them valid.
        optional(!stateful, "Rollout", object, Rule::DnsLabel);
        if !stateful {
            for (source, name) in analysis_templates(spec, service) {
                objects.push((
                    "AnalysisTemplate",
                    name,
                    Rule::DnsLabel,
                    Origin::Template(id, source),
                ));
            }
        }
        for (kind, name, rule, origin) in objects {
            let path = object_file("", object_folder(kind), kind, &name);
            push(NameKind::Object(kind), name, rule, origin);
            push(NameKind::File, path, Rule::RelativePath, origin);
        }
        push(
            NameKind::File,
            dashboard_file(svc),
            Rule::RelativePath,
            Origin::Service(id),
        );
        push(
            NameKind::DashboardUid,
            dashboard_uid(&spec.release.name, svc),
            Rule::Unique,
            Origin::Service(id),
        );

        // Inside the container: each config file's key and path, and the
        // mount paths (config directories are shared by their files).
        let mut dirs = BTreeSet::new();
        for (c, file) in service.configs.iter().enumerate() {
            let origin = Origin::Config(id, c);
            push(
                NameKind::ConfigMapKey(id, c),
                file.name.clone(),
                Rule::ConfigMapKey,
                origin,
            );
            let path = format!("{}/{}", file.mount.trim_end_matches('/'), file.name);
            push(NameKind::PodFile(id), path, Rule::Unique, origin);
            // The emitter makes one volume per directory as written: `/etc/a`
            // and `/etc/a/` are two volumes on one directory.
            if dirs.insert(file.mount.as_str()) {
                push(
                    NameKind::MountPath(id),
                    mount_dir(&file.mount),
                    Rule::MountPath,
                    origin,
                );
            }
        }
        if let Some(storage) = &service.storage {
            push(
                NameKind::MountPath(id),
                mount_dir(&storage.mount),
                Rule::MountPath,
                Origin::Storage(id),
            );
        }
        if service.read_only_root {
            push(
                NameKind::MountPath(id),
                "/tmp".into(),
                Rule::MountPath,
                Origin::Tmp(id),
            );
        }
    }
    // Alertmanager: a receiver per contact, a key file per PagerDuty key
    // (contacts sharing one key share its file).
    let mut pagers = BTreeSet::new();
    for (i, contact) in spec.contacts.iter().enumerate() {
        let origin = Origin::Contact(i);
        push(
            NameKind::Receiver,
            receiver(&contact.name),
            Rule::Receiver,
            origin,
        );
        if let Some(pager) = contact.pager.as_deref().filter(|p| pagers.insert(*p)) {
            let file = pagerduty_key_file(pager);
            push(NameKind::SecretFile, file, Rule::RelativePath, origin);
        }
    }
    // Each environment's folder, named by its kustomization.
    for (i, env) in spec.environments.iter().enumerate() {
        push(
            NameKind::File,
            format!("{}kustomization.yaml", environment_prefix(Some(&env.name))),
            Rule::RelativePath,
            Origin::Environment(i),
        );
    }
    for (i, metric) in spec.metrics.iter().enumerate() {
        push(
            NameKind::RecordingRule,
            recorded_series(&metric.name),
            Rule::Unique,
            Origin::Metric(MetricId(i)),
        );
    }
    // Alerts: triggers first, then bands, as `emit::alerts` lists them.
    for (i, trigger) in spec.triggers.iter().enumerate() {
        if let TriggerCondition::Metric { .. } = trigger.condition {
            push(
                NameKind::Alert,
                trigger_alert(&trigger.name),
                Rule::Unique,
                Origin::Trigger(i),
            );
        }
    }
    for (i, metric) in spec.metrics.iter().enumerate() {
        let Some(bands) = &metric.bands else { continue };
        for (level, band) in [("warning", &bands.warning), ("critical", &bands.critical)] {
            // A band edge a trigger watches has no alert of its own.
            if band
                .as_ref()
                .is_some_and(|b| !spec.trigger_watches(metric, b))
            {
                push(
                    NameKind::Alert,
                    band_alert(&metric.name, level),
                    Rule::Unique,
                    Origin::Band(MetricId(i), level),
                );
            }
        }
    }
    out
}

impl Spec {
    /// Whether `trigger` watches `service`: its metric measures that
    /// service, or the whole release.
    pub fn trigger_applies(&self, service: &Service, trigger: &Trigger) -> bool {
        let TriggerCondition::Metric { condition, .. } = &trigger.condition else {
            return false;
        };
        match self.metric(condition.metric).service {
            None => true,
            Some(id) => self.service(id).name == service.name,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The examples and limits of Kubernetes' own validators, in
    /// k8s.io/apimachinery/pkg/util/validation/validation.go:
    /// `IsDNS1123Label` (`[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most
    /// `DNS1123LabelMaxLength` = 63; examples `my-name`, `123-abc`),
    /// `IsDNS1123Subdomain` (labels joined by `.`, at most 253; example
    /// `example.com`) and `IsConfigMapKey` (`[-._a-zA-Z0-9]+`, at most 253,
    /// then `hasChDirPrefix`: not `.`, `..` or starting with `..`; examples
    /// `key.name`, `KEY_NAME`, `key-name`).
    #[test]
    fn rules_are_kubernetes_validators() {
        for ok in ["my-name", "123-abc", "a", &"a".repeat(63)] {
            assert!(is_dns1123_label(ok), "{ok}");
        }
        for bad in ["", "-a", "a-", "A", "a.b", "a_b", &"a".repeat(64)] {
            assert!(!is_dns1123_label(bad), "{bad}");
        }
        for ok in [
            "example.com",
            "a",
            "a-b.c",
            &format!("{}.b", "a".repeat(63)),
        ] {
            assert!(is_dns1123_subdomain(ok), "{ok}");
        }
        for bad in ["", ".a", "a.", "a..b", "a.-b", "A.b", &"a".repeat(254)] {
            assert!(!is_dns1123_subdomain(bad), "{bad}");
        }
        for ok in [
            "key.name",
            "KEY_NAME",
            "key-name",
            ".env",
            "a..b",
            &"k".repeat(253),
        ] {
            assert!(is_config_map_key(ok), "{ok}");
        }
        for bad in [
            "",
            ".",
            "..",
            "..a",
            "a b",
            "a/b",
            "a\\b",
            "é",
            &"k".repeat(254),
        ] {
            assert!(!is_config_map_key(bad), "{bad}");
        }
    }

    #[test]
    fn suffixes_count_in_the_length_of_a_service_name() {
        let svc = "a".repeat(56);
        assert_eq!(canary_service(&svc).len(), 63);
        assert!(is_dns1123_label(&canary_service(&svc)));
        assert!(!is_dns1123_label(&headless_service(&svc)));
        assert!(Rule::CronJob.allows(&backup_job(&"d".repeat(45))));
        assert!(!Rule::CronJob.allows(&backup_job(&"d".repeat(46))));
    }

    #[test]
    fn spellings() {
        assert_eq!(kebab_case("My_svc.v2"), "my-svc-v2");
        assert_eq!(pascal_case("error_rate"), "ErrorRate");
        assert_eq!(band_alert("error-rate", "critical"), "ErrorRateCritical");
        assert_eq!(recorded_series("error-rate"), "deployc:error_rate");
        assert_eq!(config_map("api", "app.yml"), "api-app-yml");
        assert_eq!(pagerduty_key_file("team one"), "pagerduty-team-one");
        assert_eq!(truncate_name("abc-def", 4), "abc");
    }

    #[test]
    fn fnv1a_of_dashboard_uids() {
        // Standard FNV-1a test vectors.
        assert_eq!(fnv1a_32(b""), 0x811c_9dc5);
        assert_eq!(fnv1a_32(b"a"), 0xe40c_292c);
        assert_eq!(fnv1a_32(b"foobar"), 0xbf9c_f968);
    }

    #[test]
    fn paths() {
        assert!(is_relative_path("kubernetes/service-a.yaml"));
        for bad in [
            "",
            "/a",
            "a//b",
            "a/../b",
            "./a",
            "a\\b",
            "c:/a",
            &"f".repeat(256),
        ] {
            assert!(!is_relative_path(bad), "{bad}");
        }
        assert!(is_mount_path("/etc/app"));
        for bad in ["etc", "../etc", "/etc/../x", "/a:b", ""] {
            assert!(!is_mount_path(bad), "{bad}");
        }
    }
}
