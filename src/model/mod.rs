//! The checked model: what a spec means, with every name resolved, every unit
//! typed and every rule of the checker already enforced. Emitters read only
//! this; they never see syntax and never need to re-check anything.
//!
//! References between items are typed indices (`MetricId`, `ContactId`, ...)
//! into the vectors of `Spec`; use the accessor methods to follow them.

pub mod names;
mod routing;
#[doc(hidden)]
pub mod sample;
mod values;

pub use crate::syntax::CompareOp;
pub use rust_decimal::Decimal;
pub use values::{decimal_text, Bytes, Duration, Millicores};

macro_rules! ids {
    ($($name:ident),*) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub usize);
    )*};
}
ids!(
    ServiceId,
    MetricId,
    PhaseId,
    ContactId,
    SeverityId,
    RollbackLevelId
);

#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    /// Where the spec came from, as given on the command line (`specs/x.deploy`);
    /// named in the header of every generated file.
    pub source: String,
    pub release: Release,
    pub services: Vec<Service>,
    pub environments: Vec<Environment>,
    pub metrics: Vec<Metric>,
    /// In graph order: every phase after all the phases it depends on; ties
    /// keep the order of the source.
    pub phases: Vec<Phase>,
    pub triggers: Vec<Trigger>,
    pub contacts: Vec<Contact>,
    /// Every severity the spec can use: the built-in ones, then declared ones.
    pub severities: Vec<SeverityLevel>,
    pub escalations: Vec<Escalation>,
    /// In escalating order (level 1 first).
    pub rollback_levels: Vec<RollbackLevel>,
    pub checklists: Vec<Checklist>,
    pub templates: Vec<Template>,
    pub criteria: Vec<Criterion>,
    /// Who signs the release off, in the order written.
    pub signoff: Vec<ContactId>,
    pub sections: Vec<Section>,
}

impl Spec {
    pub fn service(&self, id: ServiceId) -> &Service {
        &self.services[id.0]
    }
    pub fn metric(&self, id: MetricId) -> &Metric {
        &self.metrics[id.0]
    }
    pub fn phase(&self, id: PhaseId) -> &Phase {
        &self.phases[id.0]
    }
    pub fn contact(&self, id: ContactId) -> &Contact {
        &self.contacts[id.0]
    }
    pub fn severity(&self, id: SeverityId) -> &SeverityLevel {
        &self.severities[id.0]
    }
    pub fn rollback_level(&self, id: RollbackLevelId) -> &RollbackLevel {
        &self.rollback_levels[id.0]
    }

    /// The services as deployed in `environment` (its overrides applied), or
    /// the base services for None.
    pub fn services_in(&self, environment: Option<&Environment>) -> Vec<Service> {
        let mut services = self.services.clone();
        if let Some(env) = environment {
            for o in &env.overrides {
                o.apply(&mut services[o.service.0]);
            }
        }
        services
    }

    /// The namespace of `environment`, falling back to the release's.
    pub fn namespace_in<'a>(&'a self, environment: Option<&'a Environment>) -> &'a str {
        environment
            .and_then(|e| e.namespace.as_deref())
            .unwrap_or(&self.release.namespace)
    }

    /// Every metric gate of every phase, in graph order, with its phase.
    pub fn metric_gates(&self) -> impl Iterator<Item = (&Phase, &MetricGate)> {
        self.phases.iter().flat_map(|p| {
            p.steps.iter().filter_map(move |s| match s {
                Step::Gate(Gate::Metric(g)) => Some((p, g)),
                _ => None,
            })
        })
    }

    /// The stem of the source file name: `specs/vectorizer.deploy` gives `vectorizer`.
    pub fn stem(&self) -> &str {
        let file = self
            .source
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(&self.source);
        file.strip_suffix(".deploy").unwrap_or(file)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Release {
    pub name: String,
    pub title: String,
    pub version: String,
    pub namespace: String,
    pub owner: Option<ContactId>,
    /// The planned day, as written (`2025-01-11`).
    pub date: Option<String>,
    /// Estimated duration, shortest to longest.
    pub duration: Option<(Duration, Duration)>,
    /// Free key/value rows for the runbook's summary table.
    pub facts: Vec<(String, String)>,
    pub description: Option<String>,
    /// Where the generated runbook is published; alert `runbook_url`s point
    /// into it. Without it they are paths relative to the repository.
    pub runbook_url: Option<String>,
    /// The Prometheus that Argo Rollouts analysis queries.
    pub prometheus_url: String,
}

// ---------------------------------------------------------------- services

#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    pub name: String,
    pub description: Option<String>,
    pub image: Image,
    pub replicas: u32,
    pub ports: Vec<Port>,
    pub cpu: Option<Resources<Millicores>>,
    pub memory: Option<Resources<Bytes>>,
    pub probes: Vec<Probe>,
    pub env: Vec<EnvVar>,
    pub configs: Vec<ConfigFile>,
    pub autoscale: Option<Autoscale>,
    pub disruption: Option<Disruption>,
    pub storage: Option<Storage>,
    pub backup: Option<Backup>,
    /// CIDRs allowed to reach the service; empty means no NetworkPolicy.
    pub allow: Vec<String>,
    pub ingress: Option<Ingress>,
    pub strategy: Strategy,
    /// Secure default true; `writable_root` in the spec turns it off.
    pub read_only_root: bool,
    /// The non-root user the pod runs as.
    pub run_as_user: u64,
}

impl Service {
    /// The weight a `canary N pods` step takes without traffic routing:
    /// Argo runs ceil(replicas × weight / 100) canary pods, so the largest
    /// weight not above pods/replicas, at the replica count (the
    /// autoscaling minimum when autoscaled). One pod of one replica is 100%.
    /// None with an Ingress: then the step is a pod count, not a weight.
    pub fn pods_weight(&self, pods: u32) -> Option<u32> {
        if self.ingress.is_some() {
            return None;
        }
        let replicas = self.autoscale.as_ref().map_or(self.replicas, |a| a.min);
        Some(pods_as_weight(pods, replicas))
    }

    /// A service with storage runs as a StatefulSet (Argo Rollouts does not
    /// manage those); every other one as an Argo Rollout.
    pub fn workload(&self) -> WorkloadKind {
        if self.storage.is_some() {
            WorkloadKind::StatefulSet
        } else {
            WorkloadKind::Rollout
        }
    }

    /// The first port, which Services and probes use by default.
    pub fn main_port(&self) -> Option<&Port> {
        self.ports.first()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkloadKind {
    Rollout,
    StatefulSet,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    Canary,
    BlueGreen,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// As written: `hivellm/vectorizer:1.8.0`.
    pub reference: String,
    /// Without tag or digest: `hivellm/vectorizer`.
    pub name: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Port {
    pub name: String,
    pub number: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resources<T> {
    pub request: T,
    pub limit: T,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub kind: ProbeKind,
    pub path: String,
    pub port: u16,
    pub initial_delay: Duration,
    pub period: Duration,
    pub timeout: Duration,
    pub failure_threshold: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ProbeKind {
    Liveness,
    Readiness,
    Startup,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVar {
    pub name: String,
    pub value: EnvValue,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvValue {
    Literal(String),
    /// A key of a Kubernetes Secret; the value never appears in the spec.
    Secret {
        secret: String,
        key: String,
    },
}

/// An application config file passed through verbatim into a ConfigMap and
/// mounted at `mount/name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigFile {
    pub name: String,
    pub mount: String,
    pub content: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Autoscale {
    pub min: u32,
    pub max: u32,
    /// Target average utilisation, in percent of the request.
    pub cpu_percent: Option<u32>,
    pub memory_percent: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disruption {
    MinAvailable(u32),
    MaxUnavailable(u32),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Storage {
    pub size: Bytes,
    pub mount: String,
    pub class: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backup {
    /// Cron schedule, five fields.
    pub schedule: String,
    pub retain: Duration,
    pub image: String,
    pub command: String,
    pub resources: JobResources,
}

/// CPU and memory of the container of a Job deployc writes (backup, smoke
/// gate, HTTP check): [`JobResources::DEFAULT`] unless the spec says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobResources {
    pub cpu_request: Millicores,
    /// None: no CPU limit (CPU is compressible; a limit only throttles).
    pub cpu_limit: Option<Millicores>,
    pub memory: Resources<Bytes>,
}

impl JobResources {
    /// Small, for a curl or a dump streamed elsewhere. Requests at all,
    /// because a namespace whose ResourceQuota counts requests rejects a
    /// pod without them (the gate or backup would never run), and a pod
    /// without them is BestEffort, the first evicted under node pressure
    /// (a backup killed half-way). A memory limit, so a runaway command is
    /// OOM-killed alone rather than squeezing the node. No CPU limit: it
    /// would only throttle the Job; the request already guarantees a share.
    pub const DEFAULT: JobResources = JobResources {
        cpu_request: Millicores(50),
        cpu_limit: None,
        memory: Resources {
            request: Bytes(64 << 20),
            limit: Bytes(128 << 20),
        },
    };
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ingress {
    pub host: String,
    pub path: String,
    pub tls_secret: Option<String>,
    /// Requests per minute per client, when rate limiting is on.
    pub rate_limit_rpm: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Environment {
    pub name: String,
    pub namespace: Option<String>,
    pub overrides: Vec<ServiceOverride>,
}

/// What an environment changes in one service; None keeps the base value.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceOverride {
    pub service: ServiceId,
    pub replicas: Option<u32>,
    pub image: Option<Image>,
    pub cpu: Option<Resources<Millicores>>,
    pub memory: Option<Resources<Bytes>>,
    pub autoscale: Option<Autoscale>,
    /// Added, or replacing the base variable of the same name.
    pub env: Vec<EnvVar>,
    pub ingress_host: Option<String>,
}

impl ServiceOverride {
    fn apply(&self, s: &mut Service) {
        if let Some(r) = self.replicas {
            s.replicas = r;
        }
        if let Some(i) = &self.image {
            s.image = i.clone();
        }
        if self.cpu.is_some() {
            s.cpu = self.cpu;
        }
        if self.memory.is_some() {
            s.memory = self.memory;
        }
        if self.autoscale.is_some() {
            s.autoscale = self.autoscale.clone();
        }
        for var in &self.env {
            match s.env.iter_mut().find(|v| v.name == var.name) {
                Some(v) => *v = var.clone(),
                None => s.env.push(var.clone()),
            }
        }
        if let (Some(host), Some(ingress)) = (&self.ingress_host, s.ingress.as_mut()) {
            ingress.host = host.clone();
        }
    }
}

// ----------------------------------------------------------------- metrics

#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    pub name: String,
    pub title: String,
    pub description: Option<String>,
    /// A PromQL expression, already parsed once by the checker.
    pub query: String,
    pub unit: MetricUnit,
    pub bands: Option<Bands>,
    /// Dashboard row this metric's panel belongs to (`Errors`, `Latency`, ...).
    pub group: String,
    /// The service this metric measures; None for a metric of the whole
    /// release (shown on every service's dashboard).
    pub service: Option<ServiceId>,
    /// What a gate on this metric decides when the query returns no data.
    pub no_data: NoData,
}

impl Metric {
    /// The recording rule's series name for this metric: alerts compare it
    /// with thresholds, so promtool tests can feed it values directly.
    pub fn recorded_series(&self) -> String {
        names::recorded_series(&self.name)
    }
}

/// What the metric's query returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricUnit {
    /// 0..1; thresholds written in percent are divided by 100.
    Ratio,
    /// 0..100.
    Percent,
    Seconds,
    Milliseconds,
    Count,
    Bytes,
    Cores,
}

impl MetricUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            MetricUnit::Ratio => "ratio",
            MetricUnit::Percent => "percent",
            MetricUnit::Seconds => "seconds",
            MetricUnit::Milliseconds => "milliseconds",
            MetricUnit::Count => "count",
            MetricUnit::Bytes => "bytes",
            MetricUnit::Cores => "cores",
        }
    }

    /// Grafana's unit id for panels.
    pub fn grafana(self) -> &'static str {
        match self {
            MetricUnit::Ratio => "percentunit",
            MetricUnit::Percent => "percent",
            MetricUnit::Seconds => "s",
            MetricUnit::Milliseconds => "ms",
            MetricUnit::Count => "short",
            MetricUnit::Bytes => "bytes",
            MetricUnit::Cores => "short",
        }
    }
}

/// A value to compare a metric with, in the metric's own unit (`value`), and
/// as the spec wrote it (`text`: `1%`, `500ms`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Threshold {
    pub value: Decimal,
    pub text: String,
}

impl Threshold {
    /// Canonical decimal text of the value, the same in every artifact.
    pub fn value_text(&self) -> String {
        decimal_text(self.value)
    }
}

/// `metric op threshold`, e.g. `error_rate < 1%`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub metric: MetricId,
    pub op: CompareOp,
    pub threshold: Threshold,
}

/// Normal / warning / critical bands of a metric, checked to be contiguous,
/// non-overlapping and ordered from good to bad.
#[derive(Debug, Clone, PartialEq)]
pub struct Bands {
    pub worse: Worse,
    /// As written, e.g. `< 1%`.
    pub normal_text: String,
    pub warning: Option<Band>,
    pub critical: Option<Band>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Worse {
    Higher,
    Lower,
}

/// A non-normal band: its alert fires when `metric op threshold` has held
/// for `sustain`.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    pub op: CompareOp,
    pub threshold: Threshold,
    pub sustain: Duration,
    /// As written, e.g. `1%..5%` or `> 5%`.
    pub text: String,
}

/// What a metric gate decides when its query returns no data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoData {
    Pass,
    Fail,
    /// Pause the rollout for a person to decide; the default.
    Inconclusive,
}

impl NoData {
    pub fn as_str(self) -> &'static str {
        match self {
            NoData::Pass => "pass",
            NoData::Fail => "fail",
            NoData::Inconclusive => "inconclusive",
        }
    }
}

// ------------------------------------------------------------------ phases

#[derive(Debug, Clone, PartialEq)]
pub struct Phase {
    pub name: String,
    pub title: String,
    pub description: Option<String>,
    pub anchor: Option<Anchor>,
    pub after: Vec<PhaseId>,
    pub owner: Option<ContactId>,
    /// Checklist items, traffic steps and gates, in the order written.
    pub steps: Vec<Step>,
}

impl Phase {
    pub fn gates(&self) -> impl Iterator<Item = &Gate> {
        self.steps.iter().filter_map(|s| match s {
            Step::Gate(g) => Some(g),
            _ => None,
        })
    }
    pub fn traffic(&self) -> impl Iterator<Item = &Traffic> {
        self.steps.iter().filter_map(|s| match s {
            Step::Traffic(t) => Some(t),
            _ => None,
        })
    }
    pub fn checks(&self) -> impl Iterator<Item = &CheckItem> {
        self.steps.iter().filter_map(|s| match s {
            Step::Check(c) => Some(c),
            _ => None,
        })
    }
}

/// A time relative to the deployment moment T: `D-7` is seven days before,
/// `T+15m` fifteen minutes after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub text: String,
    pub offset_millis: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Check(CheckItem),
    Traffic(Traffic),
    Gate(Gate),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckItem {
    pub text: String,
    /// A shell command to run for this item (may span lines).
    pub command: Option<String>,
    /// Sub-items, as written.
    pub details: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Traffic {
    /// Canary: send this percentage (0..100] of traffic to the new version.
    Weight(Decimal),
    /// Canary: run this many pods of the new version.
    Pods(u32),
    /// Wait this long before the next step.
    Hold(Duration),
    /// Wait for a person to resume.
    Pause,
    /// Blue-green: bring up the preview (green) stack.
    Preview,
    /// Blue-green: switch the active service to the new version.
    Promote,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Gate {
    Metric(MetricGate),
    /// Sign-off by every listed person.
    Approval {
        approvers: Vec<ContactId>,
    },
    /// A command that must exit 0, run as a Job.
    Smoke {
        command: String,
        image: String,
        timeout: Duration,
        resources: JobResources,
    },
    /// An HTTP GET that must answer `expect`.
    Http {
        url: String,
        expect: u16,
        timeout: Duration,
    },
}

/// `error_rate < 1% for 15m`: the condition must hold at every measurement
/// over the whole window.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricGate {
    pub condition: Condition,
    pub window: Duration,
    /// Time between measurements.
    pub interval: Duration,
    pub no_data: NoData,
}

impl MetricGate {
    /// Measurements over the window: one at the start, then one per interval
    /// until the window is covered.
    pub fn count(&self) -> u64 {
        self.window.millis.div_ceil(self.interval.millis.max(1)) + 1
    }

    /// Failed measurements tolerated: none, since the condition must hold
    /// for the whole window.
    pub fn failure_limit(&self) -> u64 {
        0
    }
}

/// The weight that gives `pods` canary pods out of `replicas` without
/// traffic routing (see [`Service::pods_weight`]).
pub fn pods_as_weight(pods: u32, replicas: u32) -> u32 {
    let replicas = u64::from(replicas.max(1));
    (u64::from(pods) * 100 / replicas).clamp(1, 100) as u32
}

// ---------------------------------------------------------------- triggers

#[derive(Debug, Clone, PartialEq)]
pub struct Trigger {
    pub name: String,
    pub title: String,
    pub description: Option<String>,
    pub condition: TriggerCondition,
    pub severity: SeverityId,
    pub action: Action,
    pub notify: Vec<ContactId>,
    /// The rollback level this trigger starts, when one is named.
    pub rollback_level: Option<RollbackLevelId>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TriggerCondition {
    /// A breach that has lasted `sustain` without a break.
    Metric {
        condition: Condition,
        sustain: Duration,
    },
    /// Something a person observes (`Data corruption detected`); runbook only.
    Observed(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Abort the rollout and follow the rollback procedure.
    Rollback,
    /// Abort the rollout, keep the stable version serving.
    Abort,
    /// Page the people notified.
    Page,
    /// Tell the people notified.
    Notify,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Rollback => "rollback",
            Action::Abort => "abort",
            Action::Page => "page",
            Action::Notify => "notify",
        }
    }
    /// Whether the rollout is aborted automatically.
    pub fn aborts(self) -> bool {
        matches!(self, Action::Rollback | Action::Abort)
    }
}

/// A severity word of the spec (critical, major, minor, or declared) and the
/// severity alerting stacks route on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeverityLevel {
    pub name: String,
    pub routes: AlertSeverity,
    pub description: Option<String>,
    /// False for the built-in levels.
    pub declared: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AlertSeverity {
    Critical,
    Warning,
    Info,
}

impl AlertSeverity {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertSeverity::Critical => "critical",
            AlertSeverity::Warning => "warning",
            AlertSeverity::Info => "info",
        }
    }
}

// ------------------------------------------------------ people and process

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub name: String,
    pub role: String,
    pub person: Option<String>,
    pub phone: Option<String>,
    pub chat: Option<String>,
    pub email: Option<String>,
    pub pager: Option<String>,
}

/// Who handles a severity, and when it goes further up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escalation {
    pub severity: SeverityId,
    pub description: Option<String>,
    pub owner: ContactId,
    /// Escalate when unacknowledged for this long.
    pub after: Duration,
    pub channels: Vec<String>,
    /// Who is brought in after `after`.
    pub then: Option<ContactId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollbackLevel {
    pub name: String,
    pub title: String,
    pub description: Option<String>,
    /// The severity this level answers, when given.
    pub severity: Option<SeverityId>,
    /// Time budget to complete the level.
    pub within: Duration,
    /// `none`, `possible`, or prose.
    pub data_impact: String,
    pub steps: Vec<CheckItem>,
}

/// A checklist outside the phases (rollback verification, drills, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checklist {
    pub name: String,
    pub title: String,
    pub items: Vec<CheckItem>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub name: String,
    pub title: String,
    /// When it is sent: `before`, `during`, `after`, `rollback`, or prose.
    pub when: Option<String>,
    pub subject: Option<String>,
    /// Placeholders, each used in the body as `{{field}}`.
    pub fields: Vec<String>,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Criterion {
    pub kind: CriterionKind,
    pub title: String,
    /// A measurable form of the criterion, when it has one.
    pub condition: Option<(Condition, Option<Duration>)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CriterionKind {
    Success,
    Failure,
}

/// Free-form markdown that only the runbook carries (risks, troubleshooting).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub title: String,
    pub body: String,
}
