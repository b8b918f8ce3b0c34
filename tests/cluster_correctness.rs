//! Output that works in a cluster: regression tests for what the engines
//! and an SRE review found (one test per defect). Each compiles a small
//! spec (or every spec of specs/) through the library and reads the
//! emitted files back, as the engine would.

use std::collections::{BTreeMap, BTreeSet};

use deployc::emit::emit_all;
use deployc::source::SourceFile;
use serde_json::Value;

fn compile(text: &str) -> BTreeMap<String, String> {
    let checked = deployc::check_source(&SourceFile::new("t.deploy", text.to_string()));
    let spec = checked
        .spec
        .unwrap_or_else(|| panic!("spec checks: {:#?}", checked.diagnostics));
    emit_all(&spec)
        .into_iter()
        .map(|f| (f.path, f.content))
        .collect()
}

fn spec_files() -> Vec<(String, BTreeMap<String, String>)> {
    let mut paths: Vec<_> = std::fs::read_dir("specs")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, compile(&std::fs::read_to_string(&p).unwrap()))
        })
        .collect()
}

fn yaml(text: &str) -> Value {
    serde_saphyr::from_str(text).expect("generated YAML parses")
}

/// The metric names of an AnalysisTemplate, by template name.
fn template_metrics(files: &BTreeMap<String, String>) -> BTreeMap<String, Vec<String>> {
    files
        .iter()
        .filter(|(p, _)| p.contains("rollouts/analysistemplate-"))
        .map(|(_, text)| {
            let t = yaml(text);
            let metrics = t["spec"]["metrics"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["name"].as_str().unwrap().to_string())
                .collect();
            (t["metadata"]["name"].as_str().unwrap().to_string(), metrics)
        })
        .collect()
}

/// Every analysis of every Rollout (the background analysis and each
/// analysis step) as the list of template names Argo merges into one run.
fn analyses(files: &BTreeMap<String, String>) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for (path, text) in files
        .iter()
        .filter(|(p, _)| p.contains("rollouts/rollout-"))
    {
        let r = yaml(text);
        let names = |refs: &Value| -> Vec<String> {
            refs["templates"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|t| t["templateName"].as_str().unwrap().to_string())
                        .collect()
                })
                .unwrap_or_default()
        };
        let canary = &r["spec"]["strategy"]["canary"];
        out.push((format!("{path} background"), names(&canary["analysis"])));
        for (i, step) in canary["steps"].as_array().into_iter().flatten().enumerate() {
            if !step["analysis"].is_null() {
                out.push((format!("{path} step {i}"), names(&step["analysis"])));
            }
        }
        let bg = &r["spec"]["strategy"]["blueGreen"];
        for key in ["prePromotionAnalysis", "postPromotionAnalysis"] {
            out.push((format!("{path} {key}"), names(&bg[key])));
        }
    }
    out
}

/// Argo merges the templates of one analysis into one AnalysisRun and
/// refuses two metrics of one name ("two metrics have the same name",
/// `NewAnalysisRunFromTemplates` in utils/analysis), which marks the
/// Rollout InvalidSpec. Issue item 1.
fn assert_unique_metrics(what: &str, files: &BTreeMap<String, String>) {
    let metrics = template_metrics(files);
    for (analysis, templates) in analyses(files) {
        let mut seen = BTreeSet::new();
        for t in &templates {
            for m in &metrics[t] {
                assert!(
                    seen.insert(m.clone()),
                    "{what}: {analysis}: metric `{m}` twice in one AnalysisRun ({templates:?})"
                );
            }
        }
    }
}

const REPRO_DUPLICATE_METRICS: &str = r#"
release r { title "r"; version "1.0.0"; namespace "r" }
service api { image "example/api:1.0.0"; port http 8080 }
metric err { query "sum(rate(e[5m])) / sum(rate(t[5m]))"; unit ratio }
phase p {
  at T+0
  canary 20%
  gate smoke "curl -f http://api:8080/health" image "curlimages/curl:8.5.0" timeout 1m
  gate smoke "curl -f http://api:8080/ready" image "curlimages/curl:8.5.0" timeout 1m
}
trigger high { when err > 5% for 5m; severity major; action abort }
trigger very_high { when err > 50% for 1m; severity critical; action rollback }
"#;

#[test]
fn metric_names_are_unique_in_every_analysis_run() {
    assert_unique_metrics("repro", &compile(REPRO_DUPLICATE_METRICS));
    for (name, files) in spec_files() {
        assert_unique_metrics(&name, &files);
    }
}

#[test]
fn job_metric_names_fit_the_job_name_label() {
    // Argo names a Job metric's Job `<run uid>.<metric>.<n>` (`newJobName`
    // in metricproviders/job): 36 + 1 + name + 1 + digits must stay within
    // a 63-character label.
    for (name, files) in spec_files() {
        for text in files
            .values()
            .filter(|t| t.contains("kind: AnalysisTemplate"))
        {
            let t = yaml(text);
            for m in t["spec"]["metrics"].as_array().unwrap() {
                if !m["provider"]["job"].is_null() {
                    let n = m["name"].as_str().unwrap();
                    assert!(n.len() <= 20, "{name}: job metric `{n}` too long");
                }
            }
        }
    }
}

/// Every alert expression of every spec selects its own release (and
/// service), and every recording rule labels its series with them. Issue
/// item 2: with all releases in one Prometheus, an unscoped alert fires
/// for another release's breach.
#[test]
fn every_alert_selects_its_own_release() {
    for (name, files) in spec_files() {
        let rules = yaml(&files["prometheus/rules.yml"]);
        let mut recorded: BTreeMap<String, Value> = BTreeMap::new();
        let mut release = String::new();
        for group in rules["groups"].as_array().unwrap() {
            for rule in group["rules"].as_array().unwrap() {
                if let Some(record) = rule["record"].as_str() {
                    release = rule["labels"]["release"].as_str().unwrap().to_string();
                    recorded.insert(record.to_string(), rule["labels"].clone());
                }
            }
        }
        for group in rules["groups"].as_array().unwrap() {
            for rule in group["rules"].as_array().unwrap() {
                let Some(alert) = rule["alert"].as_str() else {
                    continue;
                };
                let expr = rule["expr"].as_str().unwrap();
                let series = expr.split(['{', ' ']).next().unwrap();
                let labels = &recorded[series];
                for (k, v) in labels.as_object().unwrap() {
                    let m = format!("{k}=\"{}\"", v.as_str().unwrap());
                    assert!(
                        expr.contains(&m),
                        "{name}: {alert}: `{expr}` does not select {m}"
                    );
                }
                assert!(expr.contains(&format!("release=\"{release}\"")));
            }
        }
    }
}
