use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::*;
use crate::emit::kubernetes::tests::{assert_restricted, find, parse, pod_specs};
use crate::model::{sample, CompareOp, MetricGate, NoData, Step};

fn steps(spec: &Spec) -> Value {
    let (rollout, _) = rollout(spec, &spec.services[0], "shop");
    serde_json::to_value(&rollout.spec.strategy).unwrap()
}

/// The sample turned blue-green: the canary phase brings up the preview
/// and runs its gates; the rollout phase needs an approval, promotes, holds
/// 5 minutes and checks latency.
pub(crate) fn make_blue_green(spec: &mut Spec) {
    spec.services[0].strategy = Strategy::BlueGreen;
    let canary = &mut spec.phases[1].steps;
    canary[0] = Step::Traffic(Traffic::Preview);
    let rollout = &mut spec.phases[2].steps;
    let gate = rollout[2].clone();
    *rollout = vec![
        Step::Gate(Gate::Approval { approvers: vec![] }),
        Step::Traffic(Traffic::Promote),
        Step::Traffic(Traffic::Hold(Duration::from_mins(5))),
        gate,
    ];
}

#[test]
fn canary_steps_follow_the_phases() {
    let spec = sample::spec();
    let strategy = steps(&spec);
    let canary = &strategy["canary"];
    assert_eq!(canary["canaryService"], "api-canary");
    assert_eq!(canary["stableService"], "api");
    assert_eq!(
        canary["trafficRouting"],
        json!({"nginx": {"stableIngress": "api"}})
    );
    let templates = |names: &[&str]| json!({"analysis": {"templates": names.iter().map(|n| json!({"templateName": n})).collect::<Vec<_>>()}});
    let expected = json!([
        {"setCanaryScale": {"replicas": 1}},
        {"pause": {"duration": "15m"}},
        templates(&["api-canary-error-rate", "api-canary-smoke", "api-canary-http"]),
        {"setCanaryScale": {"matchTrafficWeight": true}},
        {"setWeight": 25},
        {"pause": {"duration": "5m"}},
        templates(&["api-rollout-p99-latency"]),
        {"pause": {}},
        {"setWeight": 100},
    ]);
    assert_eq!(canary["steps"], expected);
    assert_eq!(
        canary["analysis"],
        json!({"templates": [{"templateName": "api-trigger-high-error-rate"}]})
    );
    assert!(strategy.get("blueGreen").is_none());
}

#[test]
fn gates_split_by_approvals_traffic_and_phases() {
    let mut spec = sample::spec();
    // smoke | approval | http: two analysis steps around the pause; the
    // checklist item in between changes nothing.
    let canary = &mut spec.phases[1].steps;
    canary.insert(4, Step::Gate(Gate::Approval { approvers: vec![] }));
    canary.insert(
        6,
        Step::Check(crate::model::CheckItem {
            text: "look".into(),
            command: None,
            details: vec![],
        }),
    );
    let strategy = steps(&spec);
    let got: Vec<&str> = strategy["canary"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_object().unwrap().keys().next().unwrap().as_str())
        .collect();
    assert_eq!(
        got,
        [
            "setCanaryScale",
            "pause",
            "analysis",
            "pause",
            "analysis",
            "setCanaryScale",
            "setWeight",
            "pause",
            "analysis",
            "pause",
            "setWeight"
        ]
    );
    assert_eq!(
        strategy["canary"]["steps"][4]["analysis"]["templates"][0]["templateName"],
        "api-canary-http"
    );
}

#[test]
fn without_ingress_pods_become_a_weight() {
    let mut spec = sample::spec();
    spec.services[0].ingress = None;
    let strategy = steps(&spec);
    assert!(strategy["canary"].get("trafficRouting").is_none());
    // 1 pod of the autoscaling minimum of 3: 33%, ceil(3 × 0.33) = 1 pod.
    assert_eq!(strategy["canary"]["steps"][0], json!({"setWeight": 33}));
    assert_eq!(strategy["canary"]["steps"][3], json!({"setWeight": 25}));
    assert_eq!(pods_as_weight(2, 3), 66);
    assert_eq!(pods_as_weight(5, 3), 100);
    assert_eq!(pods_as_weight(1, 200), 1);
}

#[test]
fn weights_are_whole_percents() {
    let d = |s: &str| s.parse::<Decimal>().unwrap();
    assert_eq!(whole_percent(d("25")), 25);
    assert_eq!(whole_percent(d("12.5")), 12);
    assert_eq!(whole_percent(d("0.2")), 1);
    assert_eq!(whole_percent(d("100")), 100);
}

#[test]
fn no_data_policies() {
    let pass = gate_conditions(CompareOp::Lt, "0.01", NoData::Pass);
    assert_eq!(
        pass.success,
        "len(result) == 0 || isNaN(result[0]) || result[0] < 0.01"
    );
    assert_eq!(
        pass.failure,
        "len(result) > 0 && !isNaN(result[0]) && !(result[0] < 0.01)"
    );
    let fail = gate_conditions(CompareOp::Lt, "0.01", NoData::Fail);
    assert_eq!(
        fail.success,
        "len(result) > 0 && !isNaN(result[0]) && result[0] < 0.01"
    );
    assert_eq!(
        fail.failure,
        "len(result) == 0 || isNaN(result[0]) || !(result[0] < 0.01)"
    );
    let inconclusive = gate_conditions(CompareOp::Ge, "0.99", NoData::Inconclusive);
    assert_eq!(
        inconclusive.success,
        "len(result) > 0 && !isNaN(result[0]) && result[0] >= 0.99"
    );
    assert_eq!(
        inconclusive.failure,
        "len(result) > 0 && !isNaN(result[0]) && !(result[0] >= 0.99)"
    );
}

#[test]
fn metric_gate_template() {
    let spec = sample::spec();
    let files = emit(&spec);
    let t = find(
        &files,
        "rollouts/analysistemplate-api-canary-error-rate.yaml",
    );
    assert_eq!(t["apiVersion"], "argoproj.io/v1alpha1");
    assert_eq!(t["kind"], "AnalysisTemplate");
    assert_eq!(t["metadata"]["namespace"], "shop");
    let m = &t["spec"]["metrics"][0];
    assert_eq!(m["interval"], "1m");
    assert_eq!(m["count"], 16);
    assert_eq!(m["failureLimit"], 0);
    assert_eq!(
        m["provider"]["prometheus"]["address"],
        spec.release.prometheus_url
    );
    assert_eq!(m["provider"]["prometheus"]["query"], spec.metrics[0].query);
    // error_rate is inconclusive without data; p99_latency fails.
    assert_eq!(
        m["failureCondition"],
        "len(result) > 0 && !isNaN(result[0]) && !(result[0] < 0.01)"
    );
    let p99 = find(
        &files,
        "rollouts/analysistemplate-api-rollout-p99-latency.yaml",
    );
    assert_eq!(
        p99["spec"]["metrics"][0]["successCondition"],
        "len(result) > 0 && !isNaN(result[0]) && result[0] < 0.5"
    );
    assert_eq!(p99["spec"]["metrics"][0]["count"], 6);
}

#[test]
fn sustained_breach_queries() {
    let q = "sum(rate(x[5m]))";
    let five = Duration::from_mins(5);
    assert_eq!(
        sustained_query(q, CompareOp::Gt, "0.1", five),
        "min_over_time((sum(rate(x[5m])))[5m:1m])"
    );
    assert_eq!(
        sustained_query(q, CompareOp::Ge, "0.1", five),
        "min_over_time((sum(rate(x[5m])))[5m:1m])"
    );
    assert_eq!(
        sustained_query(q, CompareOp::Lt, "0.1", five),
        "max_over_time((sum(rate(x[5m])))[5m:1m])"
    );
    assert_eq!(
        sustained_query(q, CompareOp::Le, "2", Duration::from_mins(90)),
        "max_over_time((sum(rate(x[5m])))[1h30m:1m])"
    );
    assert_eq!(
        sustained_query(q, CompareOp::Gt, "1", Duration::from_secs(30)),
        "min_over_time((sum(rate(x[5m])))[30s:30s])"
    );
    assert_eq!(
        sustained_query(q, CompareOp::Eq, "1", five),
        "max_over_time((abs((sum(rate(x[5m]))) - 1))[5m:1m])"
    );
    assert_eq!(sustained_query(q, CompareOp::Gt, "0", Duration::ZERO), q);
    assert_eq!(
        sustained_query(q, CompareOp::Ne, "1", Duration::ZERO),
        "abs((sum(rate(x[5m]))) - 1)"
    );
    assert_eq!(
        sustained_failure_condition(CompareOp::Gt, "0.1"),
        "len(result) > 0 && !isNaN(result[0]) && result[0] > 0.1"
    );
    assert_eq!(
        sustained_failure_condition(CompareOp::Eq, "1"),
        "len(result) > 0 && !isNaN(result[0]) && result[0] == 0"
    );

    let files = emit(&sample::spec());
    let t = find(
        &files,
        "rollouts/analysistemplate-api-trigger-high-error-rate.yaml",
    );
    let m = &t["spec"]["metrics"][0];
    assert_eq!(m["interval"], "1m");
    assert_eq!(m["failureLimit"], 0);
    assert!(m.get("count").is_none() && m.get("successCondition").is_none());
    assert_eq!(
        m["failureCondition"],
        "len(result) > 0 && !isNaN(result[0]) && result[0] > 0.1"
    );
    let query = m["provider"]["prometheus"]["query"].as_str().unwrap();
    assert!(
        query.starts_with("min_over_time((sum(rate(http_requests_total{status=~\"5..\"}[5m]))"),
        "{query}"
    );
    assert!(query.ends_with(")[5m:1m])"), "{query}");
}

#[test]
fn triggers_attach_to_their_metric_service_and_must_abort() {
    let mut spec = sample::spec();
    // error_rate belongs to api; as a store metric, no Rollout gets the trigger.
    spec.metrics[0].service = Some(crate::model::ServiceId(1));
    assert!(steps(&spec)["canary"].get("analysis").is_none());
    let mut spec = sample::spec();
    spec.triggers[0].action = crate::model::Action::Page;
    assert!(steps(&spec)["canary"].get("analysis").is_none());
    assert!(!emit(&spec).iter().any(|f| f.path.contains("trigger")));
}

#[test]
fn smoke_and_http_gates() {
    let files = emit(&sample::spec());
    let smoke = find(&files, "rollouts/analysistemplate-api-canary-smoke.yaml");
    let m = &smoke["spec"]["metrics"][0];
    assert_eq!(m["count"], 1);
    let job = &m["provider"]["job"]["spec"];
    assert_eq!(job["backoffLimit"], 0);
    assert_eq!(job["activeDeadlineSeconds"], 300);
    assert_eq!(job["template"]["spec"]["restartPolicy"], "Never");
    let c = &job["template"]["spec"]["containers"][0];
    assert_eq!(c["image"], "curlimages/curl:8.5.0");
    assert_eq!(
        c["command"],
        json!(["sh", "-c", "curl -f http://api:8080/health"])
    );
    assert_restricted("smoke", &job["template"]["spec"]);
    assert_eq!(
        job["template"]["metadata"]["labels"]["app.kubernetes.io/name"],
        "api-smoke"
    );

    // Every HTTP gate is checked exactly by curl in a Job (not Argo's web
    // provider, which takes any 2xx and runs in the controller's namespace).
    let http = find(&files, "rollouts/analysistemplate-api-canary-http.yaml");
    let m = &http["spec"]["metrics"][0];
    assert!(m["provider"]["web"].is_null());
    let command = m["provider"]["job"]["spec"]["template"]["spec"]["containers"][0]["command"][2]
        .as_str()
        .unwrap();
    assert!(command.ends_with("test \"$code\" = 200"), "{command}");
    let mut spec = sample::spec();
    spec.phases[1].steps[4] = Step::Gate(Gate::Http {
        url: "http://api:8080/old".into(),
        expect: 301,
        timeout: Duration::from_secs(5),
    });
    let files = emit(&spec);
    let http = find(&files, "rollouts/analysistemplate-api-canary-http.yaml");
    let job = &http["spec"]["metrics"][0]["provider"]["job"]["spec"];
    let command = job["template"]["spec"]["containers"][0]["command"][2]
        .as_str()
        .unwrap();
    assert!(
        command.contains("--max-time 5 'http://api:8080/old'")
            && command.ends_with("test \"$code\" = 301"),
        "{command}"
    );
    assert_restricted("http-check", &job["template"]["spec"]);
}

#[test]
fn template_names_are_unique_dns_labels() {
    let mut spec = sample::spec();
    spec.services[0].name = "a_very_long_service_name_that_goes_on".into();
    spec.phases[1].name = "canary_phase_with_an_even_longer_name".into();
    let gate = spec.phases[1].steps[2].clone();
    spec.phases[1].steps.insert(3, gate);
    let svc = &spec.services[0];
    let (_, templates) = rollout(&spec, svc, "shop");
    let names: Vec<String> = templates
        .iter()
        .map(|t| t.metadata.name.clone().unwrap())
        .collect();
    let unique: BTreeSet<&String> = names.iter().collect();
    assert_eq!(unique.len(), names.len(), "{names:?}");
    for n in &names {
        assert!(n.len() <= MAX_TEMPLATE_NAME, "{n}");
        assert!(
            n.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{n}"
        );
        assert!(!n.ends_with('-') && !n.starts_with('-'), "{n}");
    }
    assert!(names[1].ends_with("-2"), "{names:?}");
}

#[test]
fn blue_green() {
    let mut spec = sample::spec();
    make_blue_green(&mut spec);
    let strategy = steps(&spec);
    assert!(strategy.get("canary").is_none());
    let bg = &strategy["blueGreen"];
    assert_eq!(bg["activeService"], "api");
    assert_eq!(bg["previewService"], "api-preview");
    assert_eq!(bg["autoPromotionEnabled"], false);
    assert!(bg.get("autoPromotionSeconds").is_none());
    assert_eq!(bg["scaleDownDelaySeconds"], 300);
    let names = |v: &Value| -> Vec<String> {
        v["templates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["templateName"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        names(&bg["prePromotionAnalysis"]),
        [
            "api-canary-error-rate",
            "api-canary-smoke",
            "api-canary-http"
        ]
    );
    assert_eq!(
        names(&bg["postPromotionAnalysis"]),
        ["api-rollout-p99-latency"]
    );
    // Blue-green has no background analysis: no trigger templates.
    assert!(!emit(&spec).iter().any(|f| f.path.contains("trigger")));

    // Without an approval: promoted automatically after the preview's hold.
    spec.phases[2].steps.remove(0);
    let bg = &steps(&spec)["blueGreen"];
    assert_eq!(bg["autoPromotionEnabled"], true);
    assert_eq!(bg["autoPromotionSeconds"], 900);
    // A pause anywhere turns it off again.
    spec.phases[1].steps.push(Step::Traffic(Traffic::Pause));
    assert_eq!(steps(&spec)["blueGreen"]["autoPromotionEnabled"], false);
}

#[test]
fn files_objects_and_environments() {
    let spec = sample::spec();
    let files = emit(&spec);
    let base: Vec<&str> = files
        .iter()
        .map(|f| f.path.as_str())
        .filter(|p| p.starts_with("rollouts/"))
        .collect();
    assert_eq!(
        base,
        [
            "rollouts/rollout-api.yaml",
            "rollouts/analysistemplate-api-canary-error-rate.yaml",
            "rollouts/analysistemplate-api-canary-smoke.yaml",
            "rollouts/analysistemplate-api-canary-http.yaml",
            "rollouts/analysistemplate-api-rollout-p99-latency.yaml",
            "rollouts/analysistemplate-api-trigger-high-error-rate.yaml",
        ]
    );
    assert_eq!(files.len(), 2 * base.len());
    for f in &files {
        let v = parse(f);
        let ns = if f.path.starts_with("environments/staging/rollouts/") {
            "shop-staging"
        } else {
            "shop"
        };
        assert_eq!(v["metadata"]["namespace"], ns, "{}", f.path);
        assert!(f.content.starts_with("# Generated by deployc"));
    }
    let r = find(&files, "rollouts/rollout-api.yaml");
    assert_eq!(
        r["spec"]["selector"]["matchLabels"],
        json!({"app.kubernetes.io/instance": "shop", "app.kubernetes.io/name": "api"})
    );
    assert_eq!(r["spec"]["revisionHistoryLimit"], 5);
    // Autoscaled: the HPA owns the replica count.
    assert!(r["spec"].get("replicas").is_none());
    let pods = pod_specs(&r);
    assert_eq!(pods.len(), 1);
    assert_restricted("rollout", pods[0]);
    assert_eq!(pods[0]["serviceAccountName"], "api");
    assert_eq!(emit(&spec), emit(&spec));

    let mut fixed = sample::spec();
    fixed.services[0].autoscale = None;
    let r = find(
        &emit(&fixed),
        "environments/staging/rollouts/rollout-api.yaml",
    );
    assert_eq!(r["spec"]["replicas"], 1);
}

#[test]
fn metric_gate_counts() {
    let g = |window, interval| MetricGate {
        condition: sample::spec()
            .metric_gates()
            .next()
            .unwrap()
            .1
            .condition
            .clone(),
        window: Duration::from_mins(window),
        interval: Duration::from_mins(interval),
        no_data: NoData::Fail,
    };
    assert_eq!(g(15, 1).count(), 16);
    assert_eq!(g(5, 2).count(), 4);
}
