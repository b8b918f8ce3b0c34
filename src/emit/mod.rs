//! One emitter per target. Each takes the checked model and returns files
//! (relative path + content); none of them writes to disk or sees syntax.
//! YAML and JSON come from typed serde values, markdown from handlebars.

pub mod alerts;
pub mod graph;
mod header;
mod yaml;

pub mod alertmanager;
pub mod grafana;
pub mod kubernetes;
pub mod prometheus;
pub mod rollouts;
pub mod runbook;
mod target;

pub use header::{header_json_description, header_markdown, header_yaml};
pub use target::{Target, Targets};
pub use yaml::{to_yaml, to_yaml_documents, yaml_file};

use crate::model::Spec;
use rayon::prelude::*;

/// One generated file, its path relative to the spec's output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub content: String,
}

impl OutputFile {
    pub fn new(path: impl Into<String>, content: impl Into<String>) -> Self {
        OutputFile {
            path: path.into(),
            content: content.into(),
        }
    }
}

/// Every artifact of one spec, sorted by path.
pub fn emit_all(spec: &Spec) -> Vec<OutputFile> {
    emit(spec, Targets::ALL)
}

/// The artifacts of the selected targets, sorted by path, with the
/// `kustomization.yaml` files when a target writes Kubernetes objects. The
/// emitters are independent and run in parallel: a one-spec build has a
/// core to spare, and in a many-spec build rayon spreads them like any
/// other work.
pub fn emit(spec: &Spec, targets: Targets) -> Vec<OutputFile> {
    let selected: Vec<Target> = targets.iter().collect();
    let mut files: Vec<OutputFile> = selected
        .par_iter()
        .flat_map_iter(|target| target.emit(spec))
        .collect();
    if selected.iter().any(|t| t.has_objects()) {
        files.extend(kustomizations(spec, &files));
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// The Kubernetes objects of the base alone, sorted by path as in
/// [`emit`]: what `deployc build --stdout` streams, without rendering
/// the runbook, dashboards and rule tests it does not print.
pub fn objects(spec: &Spec) -> Vec<OutputFile> {
    let mut files = kubernetes::emit_in(spec, None);
    files.extend(rollouts::emit_in(spec, None));
    files.push(prometheus::prometheus_rule_only(spec));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// `kustomization.yaml` for the base and for each environment, listing
/// every object file below it, so `kubectl apply -k` applies all of them.
fn kustomizations(spec: &Spec, files: &[OutputFile]) -> Vec<OutputFile> {
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Kustomization {
        api_version: &'static str,
        kind: &'static str,
        resources: Vec<String>,
    }
    let is_object = |rel: &str| {
        (rel.starts_with("kubernetes/") || rel.starts_with("rollouts/")) && rel.ends_with(".yaml")
            || rel == "prometheus/prometheusrule.yaml"
    };
    let roots = std::iter::once(String::new()).chain(
        spec.environments
            .iter()
            .map(|e| format!("environments/{}/", e.name)),
    );
    roots
        .map(|root| {
            let mut resources: Vec<String> = files
                .iter()
                .filter_map(|f| f.path.strip_prefix(root.as_str()))
                .filter(|rel| is_object(rel))
                .map(str::to_string)
                .collect();
            resources.sort();
            let k = Kustomization {
                api_version: "kustomize.config.k8s.io/v1beta1",
                kind: "Kustomization",
                resources,
            };
            OutputFile::new(
                format!("{root}kustomization.yaml"),
                yaml_file(header_yaml(spec), &k),
            )
        })
        .collect()
}

/// The `runbook_url` of an alert: the published runbook when the release
/// names one, else the runbook beside the generated files.
pub fn runbook_url(spec: &Spec, anchor: &str) -> String {
    format!(
        "{}#{anchor}",
        spec.release.runbook_url.as_deref().unwrap_or("runbook.md")
    )
}
