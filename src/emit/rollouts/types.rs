//! Argo Rollouts objects (argoproj.io/v1alpha1), only the fields deployc
//! sets. No crate publishes these types; every field name here is taken from
//! the CRDs of Argo Rollouts v1.9.1 (`rollout-crd.yaml`,
//! `analysis-template-crd.yaml`), and the emitted files are checked against
//! the strict JSON schemas derived from them.

use k8s_openapi::api::batch::v1::JobSpec;
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use serde::Serialize;

pub const API_VERSION: &str = "argoproj.io/v1alpha1";

// ----------------------------------------------------------------- Rollout

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rollout {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub metadata: ObjectMeta,
    pub spec: RolloutSpec,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RolloutSpec {
    /// Left out when an HPA owns the replica count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    pub revision_history_limit: i32,
    pub selector: LabelSelector,
    pub template: PodTemplateSpec,
    pub strategy: RolloutStrategy,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RolloutStrategy {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canary: Option<CanaryStrategy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blue_green: Option<BlueGreenStrategy>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CanaryStrategy {
    /// None for a service without ports: it has no Services to switch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canary_service: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stable_service: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub traffic_routing: Option<TrafficRouting>,
    /// Background analysis: runs from the first step until the rollout is
    /// fully promoted; a failure aborts the rollout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub analysis: Option<RolloutAnalysis>,
    pub steps: Vec<CanaryStep>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrafficRouting {
    pub nginx: NginxTrafficRouting,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NginxTrafficRouting {
    pub stable_ingress: String,
}

/// One canary step; serialized as a one-key map (`setWeight: 25`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum CanaryStep {
    SetWeight(i32),
    SetCanaryScale(SetCanaryScale),
    Pause(Pause),
    Analysis(RolloutAnalysis),
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetCanaryScale {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub match_traffic_weight: Option<bool>,
}

/// `pause: {}` waits for a person (`kubectl argo rollouts promote`);
/// with a duration it waits that long.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Pause {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
}

/// AnalysisTemplates run together (in parallel) as one AnalysisRun.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RolloutAnalysis {
    pub templates: Vec<TemplateRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplateRef {
    pub template_name: String,
}

impl RolloutAnalysis {
    pub fn of(names: &[String]) -> Self {
        RolloutAnalysis {
            templates: names
                .iter()
                .map(|n| TemplateRef {
                    template_name: n.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BlueGreenStrategy {
    pub active_service: String,
    pub preview_service: String,
    pub auto_promotion_enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_promotion_seconds: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scale_down_delay_seconds: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pre_promotion_analysis: Option<RolloutAnalysis>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post_promotion_analysis: Option<RolloutAnalysis>,
}

// -------------------------------------------------------- AnalysisTemplate

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisTemplate {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub metadata: ObjectMeta,
    pub spec: AnalysisTemplateSpec,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisTemplateSpec {
    pub metrics: Vec<Metric>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Metric {
    pub name: String,
    /// Go duration between measurements.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    /// Measurements to take; without it the metric runs until its
    /// AnalysisRun is terminated (background analysis).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// Failed measurements tolerated before the metric fails.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_limit: Option<u64>,
    /// Errored measurements in a row tolerated (Argo's default: 4).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consecutive_error_limit: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub success_condition: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_condition: Option<String>,
    pub provider: MetricProvider,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricProvider {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prometheus: Option<PrometheusMetric>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<JobMetric>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PrometheusMetric {
    pub address: String,
    pub query: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobMetric {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<JobMetricMetadata>,
    pub spec: JobSpec,
}

/// The job provider accepts only labels and annotations as metadata.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobMetricMetadata {
    pub labels: std::collections::BTreeMap<String, String>,
}
