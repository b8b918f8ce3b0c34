//! AnalysisTemplates: one per gate (metric, smoke, HTTP) and one per
//! aborting metric trigger, and the condition strings they evaluate.
//!
//! Every template holds exactly one metric, so a Rollout step lists the
//! templates of its gates and Argo runs them in parallel as one AnalysisRun.

use std::collections::BTreeMap;

use k8s_openapi::api::batch::v1::JobSpec;
use k8s_openapi::api::core::v1::{Container, PodSpec, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::types::{
    AnalysisTemplate, AnalysisTemplateSpec, JobMetric, JobMetricMetadata, Metric, MetricProvider,
    PrometheusMetric, API_VERSION,
};
use crate::emit::kubernetes::{
    common_labels, component_labels, job_resources, object_meta, restricted_container_security,
    restricted_pod_security, tmp_volume, tmp_volume_mount,
};
use crate::model::{
    CompareOp, Condition, Duration, JobResources, MetricGate, NoData, Service, Spec,
};

/// Prometheus returned at least one sample, and it is a number.
const HAS_DATA: &str = "len(result) > 0 && !isNaN(result[0])";
/// Prometheus returned nothing, or NaN (e.g. a ratio of two zero rates).
const NO_DATA: &str = "len(result) == 0 || isNaN(result[0])";

/// The success and failure conditions of a metric gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateConditions {
    pub success: String,
    pub failure: String,
}

/// Conditions of a metric gate `metric op threshold`, guarded against no
/// data. `result` is the vector the Prometheus provider returns; only its
/// first element is compared (a gate's query should return one series).
/// Argo evaluates both: failure wins, success next, neither is
/// inconclusive (the rollout pauses for a person to decide).
///
/// - `Pass`: no data counts as success;
/// - `Fail`: no data counts as failure;
/// - `Inconclusive`: no data is neither.
///
/// `threshold` is the canonical decimal text (`Threshold::value_text`).
pub fn gate_conditions(op: CompareOp, threshold: &str, no_data: NoData) -> GateConditions {
    let c = format!("result[0] {} {threshold}", op.as_str());
    let (success, failure) = match no_data {
        NoData::Pass => (format!("{NO_DATA} || {c}"), format!("{HAS_DATA} && !({c})")),
        NoData::Fail => (format!("{HAS_DATA} && {c}"), format!("{NO_DATA} || !({c})")),
        NoData::Inconclusive => (
            format!("{HAS_DATA} && {c}"),
            format!("{HAS_DATA} && !({c})"),
        ),
    };
    GateConditions { success, failure }
}

/// Step of the subquery in [`sustained_query`], and the interval of the
/// background analysis measuring it.
pub const SUSTAINED_STEP: Duration = Duration::from_mins(1);

/// The PromQL query whose first sample breaches `op threshold` exactly when
/// `query` has breached it at every point of the last `sustain`, sampled
/// every minute: for `error_rate > 10% for 5m`,
/// `min_over_time((<query>)[5m:1m])`, compared with `> 0.1` by
/// [`sustained_failure_condition`].
///
/// - `>`/`>=`: the minimum over the window breaches only if every sample does;
/// - `<`/`<=`: likewise the maximum;
/// - `==`: the largest distance from the threshold is 0;
/// - `!=`: the smallest distance from the threshold is above 0.
///
/// A single bad minute therefore never aborts a rollout; a breach that lasts
/// the whole window does, at the next measurement. A trigger without a
/// window (`sustain` 0) fires on one breaching measurement: the query and
/// threshold are used as they are.
pub fn sustained_query(query: &str, op: CompareOp, threshold: &str, sustain: Duration) -> String {
    if sustain == Duration::ZERO {
        return match op {
            CompareOp::Eq | CompareOp::Ne => format!("abs(({query}) - {threshold})"),
            _ => query.to_string(),
        };
    }
    let range = format!(
        "[{}:{}]",
        sustain.prometheus(),
        sustain.min(SUSTAINED_STEP).prometheus()
    );
    match op {
        CompareOp::Gt | CompareOp::Ge => format!("min_over_time(({query}){range})"),
        CompareOp::Lt | CompareOp::Le => format!("max_over_time(({query}){range})"),
        CompareOp::Eq => format!("max_over_time((abs(({query}) - {threshold})){range})"),
        CompareOp::Ne => format!("min_over_time((abs(({query}) - {threshold})){range})"),
    }
}

/// The failure condition on the result of [`sustained_query`]. No data
/// never aborts: an aborted rollout needs evidence of a breach.
pub fn sustained_failure_condition(op: CompareOp, threshold: &str) -> String {
    let c = match op {
        CompareOp::Eq => "result[0] == 0".to_string(),
        CompareOp::Ne => "result[0] > 0".to_string(),
        op => format!("result[0] {} {threshold}", op.as_str()),
    };
    format!("{HAS_DATA} && {c}")
}

/// What a template enforces, as the spec states it, in its annotations: a
/// reviewer reads the intent beside the compiled conditions, and the
/// conformance suite (conformance/argo) derives from it the phase Argo
/// must reach for a healthy, a breaching and a missing value.
#[derive(Debug, Clone, Default)]
pub struct Intent {
    /// `gate`, `trigger`, `smoke` or `http`.
    pub role: &'static str,
    /// `<metric> <op> <threshold>`: for a gate what must hold, for a
    /// trigger the breach that aborts.
    pub condition: Option<String>,
    /// The gate's window or the trigger's sustain.
    pub window: Option<Duration>,
    pub no_data: Option<NoData>,
}

impl Intent {
    fn annotations(&self) -> BTreeMap<String, String> {
        let mut a = BTreeMap::from([(ANNOTATION_ROLE.to_string(), self.role.to_string())]);
        if let Some(c) = &self.condition {
            a.insert(ANNOTATION_CONDITION.into(), c.clone());
        }
        if let Some(w) = self.window {
            a.insert(ANNOTATION_WINDOW.into(), w.go());
        }
        if let Some(n) = self.no_data {
            a.insert(ANNOTATION_NO_DATA.into(), n.as_str().into());
        }
        a
    }
}

pub const ANNOTATION_ROLE: &str = "deployc.dev/role";
pub const ANNOTATION_CONDITION: &str = "deployc.dev/condition";
pub const ANNOTATION_WINDOW: &str = "deployc.dev/window";
pub const ANNOTATION_NO_DATA: &str = "deployc.dev/no-data";

fn condition_text(spec: &Spec, condition: &Condition) -> String {
    format!(
        "{} {} {}",
        spec.metric(condition.metric).name,
        condition.op.as_str(),
        condition.threshold.value_text()
    )
}

fn template(
    name: &str,
    namespace: &str,
    spec: &Spec,
    service: &Service,
    metric: Metric,
    intent: &Intent,
) -> AnalysisTemplate {
    let mut metadata = object_meta(name, namespace, common_labels(spec, service));
    metadata.annotations = Some(intent.annotations());
    AnalysisTemplate {
        api_version: API_VERSION,
        kind: "AnalysisTemplate",
        metadata,
        spec: AnalysisTemplateSpec {
            metrics: vec![metric],
        },
    }
}

fn prometheus(spec: &Spec, namespace: &str, query: &str) -> MetricProvider {
    MetricProvider {
        prometheus: Some(PrometheusMetric {
            address: spec.release.prometheus_url.clone(),
            query: query_in(spec, namespace, query),
        }),
        ..Default::default()
    }
}

/// The query as an environment's copy of the analysis must run it: a
/// matcher on the release's namespace (`namespace="shop"`) reads the
/// environment's namespace instead, so a staging analysis measures
/// staging, not production. Only that exact matcher is rewritten; a query
/// that selects its pods otherwise reads what it says in every copy.
pub fn query_in(spec: &Spec, namespace: &str, query: &str) -> String {
    let release = &spec.release.namespace;
    if namespace == release {
        return query.to_string();
    }
    query.replace(
        &format!("namespace=\"{release}\""),
        &format!("namespace=\"{namespace}\""),
    )
}

/// A metric gate: `count` measurements `interval` apart over the window,
/// none may fail.
pub fn metric_gate(
    spec: &Spec,
    service: &Service,
    namespace: &str,
    (name, metric_name): (&str, &str),
    gate: &MetricGate,
) -> AnalysisTemplate {
    let metric = spec.metric(gate.condition.metric);
    let conditions = gate_conditions(
        gate.condition.op,
        &gate.condition.threshold.value_text(),
        gate.no_data,
    );
    let m = Metric {
        name: metric_name.into(),
        interval: Some(gate.interval.go()),
        count: Some(gate.count()),
        failure_limit: Some(gate.failure_limit()),
        consecutive_error_limit: None,
        success_condition: Some(conditions.success),
        failure_condition: Some(conditions.failure),
        provider: prometheus(spec, namespace, &metric.query),
    };
    let intent = Intent {
        role: "gate",
        condition: Some(condition_text(spec, &gate.condition)),
        window: Some(gate.window),
        no_data: Some(gate.no_data),
    };
    template(name, namespace, spec, service, m, &intent)
}

/// Background analysis of an aborting trigger: measured every minute for
/// the whole rollout (no count), the first failed measurement (failureLimit
/// 0) aborts it. "Sustained" is compiled into the query by
/// [`sustained_query`], not into failureLimit, so the breach must hold
/// without a break, as the trigger and its alert say.
pub fn trigger(
    spec: &Spec,
    service: &Service,
    namespace: &str,
    (name, metric_name): (&str, &str),
    condition: &Condition,
    sustain: Duration,
) -> AnalysisTemplate {
    let metric = spec.metric(condition.metric);
    let threshold = condition.threshold.value_text();
    let m = Metric {
        name: metric_name.into(),
        interval: Some(SUSTAINED_STEP.go()),
        count: None,
        failure_limit: Some(0),
        consecutive_error_limit: None,
        success_condition: None,
        failure_condition: Some(sustained_failure_condition(condition.op, &threshold)),
        provider: prometheus(
            spec,
            namespace,
            &sustained_query(&metric.query, condition.op, &threshold, sustain),
        ),
    };
    let intent = Intent {
        role: "trigger",
        condition: Some(condition_text(spec, condition)),
        window: Some(sustain),
        no_data: None,
    };
    template(name, namespace, spec, service, m, &intent)
}

/// A Job running `sh -c <command>` once; the gate passes when it exits 0.
/// `timeout` bounds the Job (activeDeadlineSeconds); no retries.
fn job(
    spec: &Spec,
    service: &Service,
    component: &str,
    image: &str,
    command: String,
    timeout: Duration,
    resources: &JobResources,
) -> JobMetric {
    let labels = component_labels(spec, service, component);
    // The gate's image is not the service's, but runAsNonRoot needs a numeric
    // user the kubelet can check: the service's user is the one deployc knows.
    let container = Container {
        name: component.into(),
        image: Some(image.into()),
        command: Some(vec!["sh".into(), "-c".into(), command]),
        security_context: Some(restricted_container_security(service.run_as_user, true)),
        resources: Some(job_resources(resources)),
        volume_mounts: Some(vec![tmp_volume_mount()]),
        ..Default::default()
    };
    JobMetric {
        metadata: Some(JobMetricMetadata {
            labels: labels.clone(),
        }),
        spec: JobSpec {
            backoff_limit: Some(0),
            active_deadline_seconds: Some(
                i64::try_from(timeout.as_secs().max(1)).unwrap_or(i64::MAX),
            ),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels),
                    ..Default::default()
                }),
                spec: Some(PodSpec {
                    restart_policy: Some("Never".into()),
                    automount_service_account_token: Some(false),
                    security_context: Some(restricted_pod_security(service.run_as_user, false)),
                    containers: vec![container],
                    volumes: Some(vec![tmp_volume()]),
                    ..Default::default()
                }),
            },
            ..Default::default()
        },
    }
}

/// A one-shot metric: measured once, must not fail.
fn once(name: &str, provider: MetricProvider, consecutive_error_limit: Option<u64>) -> Metric {
    Metric {
        name: name.into(),
        interval: None,
        count: Some(1),
        failure_limit: Some(0),
        consecutive_error_limit,
        success_condition: None,
        failure_condition: None,
        provider,
    }
}

/// A smoke gate: the command in `image` must exit 0 within `timeout`.
#[allow(clippy::too_many_arguments)]
pub fn smoke_gate(
    spec: &Spec,
    service: &Service,
    namespace: &str,
    (name, metric_name): (&str, &str),
    command: &str,
    image: &str,
    timeout: Duration,
    resources: &JobResources,
) -> AnalysisTemplate {
    let provider = MetricProvider {
        job: Some(job(
            spec,
            service,
            "smoke",
            image,
            command.into(),
            timeout,
            resources,
        )),
        ..Default::default()
    };
    let intent = Intent {
        role: "smoke",
        ..Default::default()
    };
    template(
        name,
        namespace,
        spec,
        service,
        once(metric_name, provider, None),
        &intent,
    )
}

/// The image of the Job that checks an HTTP gate expecting a non-2xx status.
pub const HTTP_CHECK_IMAGE: &str = "curlimages/curl:8.11.1";

/// An HTTP gate: a GET on `url` must answer exactly `expect` within
/// `timeout`, checked by a Job running curl ([`HTTP_CHECK_IMAGE`]),
/// redirects not followed.
///
/// Not Argo's `web` provider: it takes any 2xx as success (so `expect 201`
/// would pass on a 200) and cannot test any other code; and it runs in the
/// controller's process, where a URL naming a Service by its short name
/// (`http://api:8080/ready`) resolves in the controller's namespace, not
/// the release's. A Job runs in the Rollout's namespace
/// (`newMetricJob` in metricproviders/job), as the spec's author expects.
pub fn http_gate(
    spec: &Spec,
    service: &Service,
    namespace: &str,
    (name, metric_name): (&str, &str),
    url: &str,
    expect: u16,
    timeout: Duration,
) -> AnalysisTemplate {
    let seconds = timeout.as_secs().max(1);
    let command = format!(
        "code=$(curl -sS -o /dev/null -w '%{{http_code}}' --max-time {seconds} '{}'); echo \"HTTP $code\"; test \"$code\" = {expect}",
        url.replace('\'', r"'\''")
    );
    let provider = MetricProvider {
        job: Some(job(
            spec,
            service,
            "http-check",
            HTTP_CHECK_IMAGE,
            command,
            Duration::from_millis(timeout.millis + 30_000),
            &JobResources::DEFAULT,
        )),
        ..Default::default()
    };
    let metric = once(metric_name, provider, None);
    let intent = Intent {
        role: "http",
        ..Default::default()
    };
    template(name, namespace, spec, service, metric, &intent)
}
