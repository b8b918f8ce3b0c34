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

/// The issue's repro names no contact: its alerts reach nobody (E1101). With
/// a release owner who has a pager, it compiles.
fn repro_with_owner() -> String {
    REPRO_DUPLICATE_METRICS.replace(
        r#"namespace "r" }"#,
        "namespace \"r\"; owner oncall }\ncontact oncall { role \"On-call\"; pager \"r-oncall\" }",
    )
}

#[test]
fn metric_names_are_unique_in_every_analysis_run() {
    assert_unique_metrics("repro", &compile(&repro_with_owner()));
    for (name, files) in spec_files() {
        assert_unique_metrics(&name, &files);
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

/// Issue item 3: an alert routed to a contact without a channel, or to no
/// contact, is an error (E1101) naming the trigger and the contact.
#[test]
fn alerts_that_reach_nobody_are_refused() {
    let check = |text: &str| {
        deployc::check_source(&SourceFile::new("t.deploy", text.to_string())).diagnostics
    };
    let nobody = check(REPRO_DUPLICATE_METRICS);
    assert!(nobody.iter().any(|d| d.code.as_str() == "E1101"
        && d.message.contains("trigger `high`")
        && d.message.contains("reaches nobody")));
    let silent =
        check(&repro_with_owner().replace(r#"pager "r-oncall""#, r#"phone "+1 555 0100""#));
    let d = silent
        .iter()
        .find(|d| d.code.as_str() == "E1101")
        .expect("E1101 for a contact without a channel");
    assert!(
        d.message.contains("trigger `high`") && d.message.contains("`oncall`"),
        "{}",
        d.message
    );
    assert!(!d.related.is_empty(), "points at the contact");
    assert!(check(&repro_with_owner()).iter().all(|d| !d.is_error()));
}

/// Issue item 8: a service without a port gets no Service (the API server
/// refuses `ports: []`), and its Rollout names none.
#[test]
fn a_service_without_a_port_gets_no_service() {
    let files = compile(
        r#"
release r { title "r"; version "1.0.0"; namespace "r" }
service worker { image "example/worker:1.0.0" }
phase p { at T+0; canary 50% }
"#,
    );
    let services: Vec<_> = files.keys().filter(|p| p.contains("service-")).collect();
    assert!(services.is_empty(), "{services:?}");
    let rollout = yaml(&files["rollouts/rollout-worker.yaml"]);
    let canary = &rollout["spec"]["strategy"]["canary"];
    assert!(canary["canaryService"].is_null() && canary["stableService"].is_null());
    // A blue-green service needs a Service to switch: refused.
    let d = deployc::check_source(&SourceFile::new(
        "t.deploy",
        "release r { title \"r\"; version \"1.0.0\"; namespace \"r\" }\nservice w { image \"example/w:1.0.0\"; strategy blue_green }\n".to_string(),
    ))
    .diagnostics;
    assert!(d.iter().any(|d| d.message.contains("has no port")), "{d:?}");
}

/// Issue item 4: the Prometheus of the analyses is reached from the Argo
/// Rollouts controller's namespace; a short name is refused.
#[test]
fn a_short_prometheus_host_is_refused() {
    let spec = |url: &str| {
        format!(
            "release r {{ title \"r\"; version \"1.0.0\"; namespace \"r\"; prometheus \"{url}\" }}\n"
        )
    };
    for bad in ["http://prometheus:9090", "http://localhost:9090"] {
        let d = deployc::check_source(&SourceFile::new("t.deploy", spec(bad))).diagnostics;
        assert!(
            d.iter()
                .any(|d| d.is_error() && d.message.contains("controller can resolve")),
            "{bad}: {d:?}"
        );
    }
    for good in [
        "http://prometheus.monitoring.svc.cluster.local:9090",
        "https://prometheus.example.com",
        "http://10.0.0.7:9090",
    ] {
        let d = deployc::check_source(&SourceFile::new("t.deploy", spec(good))).diagnostics;
        assert!(d.iter().all(|d| !d.is_error()), "{good}: {d:?}");
    }
}

/// Issue item 14: `gate http ... expect 201` must not pass on a 200.
/// Argo's web provider takes any 2xx; the gate is a curl Job comparing the
/// exact code. The Job's own command runs here, with sh and curl as in the
/// Job's container, against a local server that answers 200: the gate
/// passes for `expect 200` and fails for `expect 201` and `expect 204`.
#[test]
fn an_http_gate_tests_the_exact_status() {
    use std::io::{Read, Write};
    let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = server.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in server.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 1024];
            let _ = stream.read(&mut request);
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    let gate_passes = |expect: u16| {
        let files = compile(&format!(
            r#"
release r {{ title "r"; version "1.0.0"; namespace "r" }}
service api {{ image "example/api:1.0.0"; port http 8080 }}
phase p {{ at T+0; canary 20%; gate http "http://127.0.0.1:{port}/ready" expect {expect} timeout 10s }}
"#
        ));
        let t = files
            .iter()
            .find(|(p, _)| p.contains("analysistemplate-") && p.ends_with("http.yaml"))
            .map(|(_, t)| yaml(t))
            .expect("an http template");
        let m = &t["spec"]["metrics"][0];
        assert!(m["provider"]["web"].is_null(), "not Argo's web provider");
        let command: Vec<String> = serde_json::from_value(
            m["provider"]["job"]["spec"]["template"]["spec"]["containers"][0]["command"].clone(),
        )
        .unwrap();
        std::process::Command::new(&command[0])
            .args(&command[1..])
            .output()
            .expect("sh runs")
            .status
            .success()
    };
    assert!(gate_passes(200));
    assert!(!gate_passes(201));
    assert!(!gate_passes(204));
}

/// Issue item 7: fields the API server never lets change (a StatefulSet's
/// selector, serviceName and volumeClaimTemplates; a Rollout's selector)
/// must not change when only the image and version do, or the upgrade is
/// refused ("spec: Forbidden").
#[test]
fn an_image_bump_changes_no_immutable_field() {
    let spec = |tag: &str| {
        format!(
            r#"
release r {{ title "r"; version "{tag}"; namespace "r"; owner o }}
contact o {{ role "O"; pager "o" }}
service pg {{ image "postgres:{tag}"; port pg 5432; storage {{ size 8Gi; mount "/var/lib/postgresql/data" }} }}
service api {{ image "example/api:{tag}"; port http 8080 }}
phase p {{ at T+0; canary 50% }}
"#
        )
    };
    let immutable = |files: &BTreeMap<String, String>| -> Vec<(String, Value)> {
        let mut out = Vec::new();
        for (path, text) in files.iter().filter(|(p, _)| p.ends_with(".yaml")) {
            let doc = yaml(text);
            match doc["kind"].as_str() {
                Some("StatefulSet") => {
                    for key in ["selector", "serviceName", "volumeClaimTemplates"] {
                        out.push((format!("{path} {key}"), doc["spec"][key].clone()));
                    }
                }
                Some("Rollout") | Some("Deployment") => {
                    out.push((format!("{path} selector"), doc["spec"]["selector"].clone()));
                }
                _ => {}
            }
        }
        out
    };
    let old = immutable(&compile(&spec("16.1")));
    let new = immutable(&compile(&spec("16.2")));
    assert!(old.len() >= 4, "{old:?}");
    assert_eq!(old, new);
}

/// Issue item 10: one condition, one alert. The starter spec had
/// `HighErrorRate` (a trigger) and `ErrorRateCritical` (the band) on the
/// same expression: two pages for one breach, at two severities.
#[test]
fn one_condition_is_one_alert() {
    let starter = std::fs::read_to_string("templates/starter.deploy")
        .unwrap()
        .replace("NAME", "shop");
    let mut all = vec![("starter".to_string(), compile(&starter))];
    all.extend(spec_files());
    for (name, files) in all {
        let rules = yaml(&files["prometheus/rules.yml"]);
        let mut seen = BTreeMap::new();
        for group in rules["groups"].as_array().unwrap() {
            for rule in group["rules"].as_array().unwrap() {
                let (Some(alert), Some(expr)) = (rule["alert"].as_str(), rule["expr"].as_str())
                else {
                    continue;
                };
                if let Some(first) = seen.insert(expr.to_string(), alert.to_string()) {
                    panic!("{name}: {first} and {alert} both alert on `{expr}`");
                }
            }
        }
    }
}

/// Issue item 5: without a traffic router, a `stableService` would be
/// narrowed by Argo to the stable pods, and clients of `<svc>` would never
/// reach the canary. With a router (nginx), Argo needs both Services
/// (`requireCanaryStableServices` in pkg/apis/rollouts/validation).
#[test]
fn without_a_router_the_canary_serves_the_service_s_clients() {
    let files = |ingress: &str| {
        compile(&format!(
            r#"
release r {{ title "r"; version "1.0.0"; namespace "r" }}
service api {{ image "example/api:1.0.0"; port http 8080{ingress} }}
phase p {{ at T+0; canary 20% }}
"#
        ))
    };
    let canary = |files: &BTreeMap<String, String>| {
        yaml(&files["rollouts/rollout-api.yaml"])["spec"]["strategy"]["canary"].clone()
    };
    let basic = canary(&files(""));
    assert!(basic["stableService"].is_null(), "{basic}");
    assert_eq!(basic["canaryService"], "api-canary");
    let routed = canary(&files("\n  ingress { host \"api.example.com\" }"));
    assert_eq!(routed["stableService"], "api");
    assert_eq!(routed["canaryService"], "api-canary");
}

/// Issue items 6 and 15: the runbook states the first-release path (Argo
/// skips every step when it first creates a Rollout) and gives the
/// `kubectl argo rollouts` commands for every Rollout deployc generates,
/// never for a StatefulSet.
#[test]
fn the_runbook_names_the_rollouts_deployc_generates() {
    let files = compile(
        r#"
release r { title "r"; version "1.0.0"; namespace "shop" }
service api { image "example/api:1.0.0"; port http 8080 }
service db { image "postgres:16.1"; port pg 5432; storage { size 8Gi; mount "/var/lib/postgresql/data" } }
phase p { at T+0; canary 50% }
"#,
    );
    let runbook = &files["runbook.md"];
    for verb in ["get rollout", "promote", "abort", "retry rollout", "undo"] {
        let command = format!("`kubectl argo rollouts {verb} api -n shop`");
        assert!(runbook.contains(&command), "{command} missing");
        assert!(!runbook.contains(&format!("kubectl argo rollouts {verb} db ")));
    }
    assert_eq!(
        runbook.matches("First release with this Rollout").count(),
        1
    );
}

/// Issue item 12 (queries): an environment's copy of an analysis measures
/// that environment: the release namespace's matcher reads its namespace.
#[test]
fn a_staging_analysis_queries_staging() {
    let files = compile(
        r#"
release r { title "r"; version "1.0.0"; namespace "shop" }
service api { image "example/api:1.0.0"; port http 8080 }
metric err { query "sum(rate(e{namespace=\"shop\"}[5m])) / sum(rate(t{namespace=\"shop\"}[5m]))"; unit ratio }
phase p { at T+0; canary 20%; gate err < 1% for 5m }
environment staging { namespace "staging" }
"#,
    );
    let query = |path: &str| {
        yaml(&files[path])["spec"]["metrics"][0]["provider"]["prometheus"]["query"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let prod = query("rollouts/analysistemplate-api-p-err.yaml");
    let staging = query("environments/staging/rollouts/analysistemplate-api-p-err.yaml");
    assert!(
        prod.contains(r#"namespace="shop""#) && !prod.contains("staging"),
        "{prod}"
    );
    assert!(
        staging.contains(r#"namespace="staging""#) && !staging.contains(r#""shop""#),
        "{staging}"
    );
}

/// Issue item 14: `chat "qa-discord"` became a Slack receiver. A handle
/// naming another platform is refused; a Slack channel is not.
#[test]
fn a_chat_handle_of_another_platform_is_refused() {
    let spec = |chat: &str| {
        format!("release r {{ title \"r\"; version \"1\"; namespace \"r\"; owner qa }}\ncontact qa {{ role \"QA\"; chat \"{chat}\" }}\n")
    };
    let errors = |chat: &str| {
        deployc::check_source(&SourceFile::new("t.deploy", spec(chat)))
            .diagnostics
            .into_iter()
            .filter(|d| d.is_error())
            .count()
    };
    assert_eq!(errors("qa-discord"), 1);
    assert_eq!(errors("#ops-msteams"), 1);
    assert_eq!(errors("#qa"), 0);
    assert_eq!(errors("@platform-oncall"), 0);
}
