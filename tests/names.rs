//! Generated names: the checker sees every name the emitters write
//! (`model::names::generated` against the emitted files and objects), a
//! second item generating a name already taken is E0210, a name that breaks
//! the rule of where it goes is E0211, and config names and mount paths
//! that cannot be a ConfigMap key or a mount path are E0208.

use std::collections::{BTreeMap, BTreeSet};

use deployc::diagnostics::Diagnostic;
use deployc::emit::{alerts::alerts, emit_all};
use deployc::model::names::{self, generated, NameKind};
use deployc::model::Spec;
use deployc::source::SourceFile;

const RELEASE: &str = "release r { title \"R\"; version \"1.0.0\"; namespace \"r\" }\n";

fn check(body: &str) -> (String, deployc::Checked) {
    let text = format!("{RELEASE}{body}");
    let checked = deployc::check_source(&SourceFile::new("t.deploy", text.clone()));
    (text, checked)
}

/// The E0210s of a spec, each as (text at its span, text at its related span).
fn collisions(body: &str) -> Vec<(String, String)> {
    let (text, checked) = check(body);
    let at = |d: &Diagnostic| text[d.span.start..d.span.end].to_string();
    checked
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() == "E0210")
        .map(|d| {
            assert_eq!(d.related.len(), 1, "{d:?}");
            let r = &d.related[0];
            assert!(r.label.contains("is also the name generated for"), "{d:?}");
            assert!(
                d.help.contains("rename") || d.help.contains("mount"),
                "{d:?}"
            );
            (at(d), text[r.span.start..r.span.end].to_string())
        })
        .collect()
}

fn codes(body: &str) -> Vec<&'static str> {
    let (_, checked) = check(body);
    checked
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect()
}

fn pair(second: &str, first: &str) -> Vec<(String, String)> {
    vec![(second.to_string(), first.to_string())]
}

// -------------------------------------------------------------- collisions

/// Each case of the issue: before, every one of them checked clean and one
/// object, file, rule or alert silently replaced the other.
#[test]
fn services_whose_object_names_meet_are_e0210_on_the_second() {
    let svc = |n: &str| format!("service {n} {{ image \"a/b:1.0.0\" }}\n");
    for (a, b) in [
        ("Api", "api"),
        ("my_svc", "my-svc"),
        ("my.svc", "my-svc"),
        ("api_v2", "api-v2"),
        // `api`'s Rollout names `api-canary` as its canaryService.
        ("api", "api-canary"),
    ] {
        assert_eq!(
            collisions(&format!("{}{}", svc(a), svc(b))),
            pair(b, a),
            "{a} + {b}"
        );
        // Reported on the second item in the source, whichever comes first.
        assert_eq!(
            collisions(&format!("{}{}", svc(b), svc(a))),
            pair(a, b),
            "{b} + {a}"
        );
    }
}

#[test]
fn a_service_named_like_the_headless_service_of_a_store_is_e0210() {
    let body = "service db { image \"a/b:1.0.0\"\n storage { size 1Gi; mount \"/data\" } }\n\
                service db-headless { image \"a/b:1.0.0\" }\n";
    assert_eq!(collisions(body), pair("db-headless", "db"));
}

#[test]
fn config_files_whose_config_maps_meet_are_e0210() {
    let body = "service api {\n image \"a/b:1.0.0\"\n\
                config \"app.yml\" { mount \"/etc/a\"; content \"a\" }\n\
                config \"app_yml\" { mount \"/etc/b\"; content \"b\" }\n}\n";
    assert_eq!(collisions(body), pair("\"app_yml\"", "\"app.yml\""));
}

#[test]
fn two_config_files_at_one_path_or_a_config_over_tmp_are_e0210() {
    let body = "service api {\n image \"a/b:1.0.0\"\n\
                config \"app.yml\" { mount \"/etc/a\"; content \"a\" }\n\
                config \"app.yml\" { mount \"/etc/a/\"; content \"b\" }\n}\n";
    assert_eq!(collisions(body).len(), 1);
    let body = "service api {\n image \"a/b:1.0.0\"\n\
                config \"app.yml\" { mount \"/tmp\"; content \"a\" }\n}\n";
    assert_eq!(collisions(body), pair("\"app.yml\"", "api"));
    // Two volumes on one directory: the second would hide the first.
    let body = "service api {\n image \"a/b:1.0.0\"\n\
                config \"a.yml\" { mount \"/etc/a\"; content \"a\" }\n\
                config \"b.yml\" { mount \"/etc/a/\"; content \"b\" }\n}\n";
    assert_eq!(collisions(body), pair("\"b.yml\"", "\"a.yml\""));
    let body = "service db {\n image \"a/b:1.0.0\"\n storage { size 1Gi; mount \"/tmp/\" }\n}\n";
    assert_eq!(collisions(body), pair("storage", "db"));
    // With a writable root there is no `/tmp` volume to collide with.
    let body = "service api {\n image \"a/b:1.0.0\"\n writable_root\n\
                config \"app.yml\" { mount \"/tmp\"; content \"a\" }\n}\n";
    assert_eq!(codes(body), Vec::<&str>::new());
}

const BANDS: &str = "unit ratio; normal < 1%; warning 1%..5%; critical > 5%";

#[test]
fn metrics_whose_recording_rules_meet_are_e0210() {
    let body = format!(
        "service api {{ image \"a/b:1.0.0\" }}\n\
         metric error_rate {{ query \"sum(rate(a[5m]))\"; {BANDS} }}\n\
         metric error-rate {{ query \"sum(rate(b[5m]))\"; {BANDS} }}\n"
    );
    let found = collisions(&body);
    // One report for the pair, though their recording rules and their
    // band alerts all meet.
    assert_eq!(found, pair("error-rate", "error_rate"));
    let (_, checked) = check(&body);
    assert!(checked.diagnostics[0]
        .message
        .contains("deployc:error_rate"));
}

#[test]
fn a_trigger_named_like_a_band_alert_is_e0210() {
    let body = format!(
        "service api {{ image \"a/b:1.0.0\" }}\n\
         metric error_rate {{ query \"sum(rate(a[5m]))\"; {BANDS} }}\n\
         trigger error_rate_critical {{ when error_rate > 10% for 5m; severity critical; action notify }}\n"
    );
    // (At `> 5%`, the critical band's own edge, the trigger's alert would be
    // the band's only alert, and nothing would collide.)
    assert_eq!(collisions(&body), pair("error_rate_critical", "error_rate"));
}

#[test]
fn a_name_defined_twice_is_e0301_only() {
    let body = "service api { image \"a/b:1.0.0\" }\nservice api { image \"a/b:1.0.0\" }\n";
    assert_eq!(codes(body), ["E0301"]);
}

// ------------------------------------------------------------------- rules

/// The longest name generated from a service must be a DNS-1123 label
/// (k8s.io/apimachinery/pkg/util/validation, `IsDNS1123Label`: at most
/// `DNS1123LabelMaxLength` = 63 characters of `[a-z0-9]([-a-z0-9]*[a-z0-9])?`),
/// as Services are validated with it. A 63-character service is a valid
/// name, but its canary Service `<svc>-canary` has 70.
#[test]
fn the_longest_service_name_generated_must_be_a_dns_label() {
    let svc = |n: usize, body: &str| {
        format!(
            "service {} {{ image \"a/b:1.0.0\"{body} }}\n",
            "a".repeat(n)
        )
    };
    assert_eq!(codes(&svc(63, "")), ["E0211"]);
    assert_eq!(codes(&svc(56, "")), Vec::<&str>::new()); // `-canary`: 63
    assert_eq!(codes(&svc(57, "")), ["E0211"]);
    // A blue-green service needs a port (E0205 otherwise).
    let blue_green = "; port http 8080; strategy blue_green";
    assert_eq!(codes(&svc(55, blue_green)), Vec::<&str>::new()); // `-preview`: 63
    assert_eq!(codes(&svc(56, blue_green)), ["E0211"]);
    let store = "\n storage { size 1Gi; mount \"/data\" }";
    assert_eq!(codes(&svc(54, store)), Vec::<&str>::new()); // `-headless`: 63
    assert_eq!(codes(&svc(55, store)), ["E0211"]);
    // A name that starts or ends with `-` once written in object names.
    assert_eq!(
        codes(&svc(0, "").replace("service  ", "service api_ ")),
        ["E0211"]
    );
    // One report per service, though every object of it is too long.
    let (_, checked) = check(&svc(80, ""));
    assert_eq!(checked.diagnostics.len(), 1);
    let d = &checked.diagnostics[0];
    assert!(d.message.contains("-canary"), "{}", d.message);
    assert!(!d.help.is_empty());
}

/// Kubernetes appends `-<11 digits>` to a CronJob's name to name each Job,
/// so a CronJob name has at most 52 characters (`ValidateCronJob`:
/// `DNS1035LabelMaxLength-11`).
#[test]
fn a_backup_cronjob_name_is_at_most_52_characters() {
    let svc = |n: usize| {
        format!(
            "service {} {{\n image \"a/b:1.0.0\"\n storage {{ size 1Gi; mount \"/data\" }}\n\
             backup {{ schedule \"0 3 * * *\"; retain 7d; image \"a/b:1.0.0\"; command \"b\" }}\n}}\n",
            "d".repeat(n)
        )
    };
    assert_eq!(codes(&svc(45)), Vec::<&str>::new());
    assert_eq!(codes(&svc(46)), ["E0211"]);
}

/// A config file's name is its ConfigMap key (k8s.io/apimachinery/pkg/util/
/// validation, `IsConfigMapKey`: at most 253 characters of `[-._a-zA-Z0-9]+`,
/// and not `.`, `..` or starting with `..`) and its file name in the
/// container; before, `..`, `a b`, `a\b` and 300 characters all checked clean.
#[test]
fn config_names_must_be_config_map_keys() {
    let cfg = |name: &str| {
        format!(
            "service api {{\n image \"a/b:1.0.0\"\n config \"{name}\" {{ mount \"/etc/a\"; content \"x\" }}\n}}\n"
        )
    };
    let long = "c".repeat(300);
    for bad in [
        "..",
        ".",
        "..a",
        "a b",
        "a\\\\b",
        "a/b",
        "",
        "é.yml",
        long.as_str(),
    ] {
        assert_eq!(codes(&cfg(bad)), ["E0208"], "{bad}");
    }
    for good in ["app.yml", ".env", "a..b", "A_B-c.1"] {
        assert_eq!(codes(&cfg(good)), Vec::<&str>::new(), "{good}");
    }
    // The ConfigMap `<svc>-<file>` is a DNS-1123 subdomain: a name ending
    // in `.` or `_` would end it in `-`.
    assert_eq!(codes(&cfg("app.")), ["E0211"]);
}

#[test]
fn mount_paths_are_absolute_without_dot_dot() {
    let cfg = |mount: &str| {
        format!(
            "service api {{\n image \"a/b:1.0.0\"\n config \"a.yml\" {{ mount \"{mount}\"; content \"x\" }}\n}}\n"
        )
    };
    for bad in [
        "../../etc",
        "etc/app",
        "/etc/../root",
        "/etc/..",
        "C:/app",
        "",
    ] {
        assert_eq!(codes(&cfg(bad)), ["E0208"], "{bad}");
    }
    for good in ["/etc/app", "/etc/app/", "/..app", "/a/b..c"] {
        assert_eq!(codes(&cfg(good)), Vec::<&str>::new(), "{good}");
    }
    let store = |mount: &str| {
        format!(
            "service db {{\n image \"a/b:1.0.0\"\n storage {{ size 1Gi; mount \"{mount}\" }}\n}}\n"
        )
    };
    assert_eq!(codes(&store("../data")), ["E0208"]);
    assert_eq!(codes(&store("/data")), Vec::<&str>::new());
}

#[test]
fn two_environments_of_one_name_share_a_folder_and_are_e0210() {
    let body = "service api { image \"a/b:1.0.0\" }\n\
                environment staging { namespace \"a\" }\n\
                environment staging { namespace \"b\" }\n";
    assert_eq!(collisions(body), pair("staging", "staging"));
    // A folder name longer than a file system takes.
    let body = format!(
        "service api {{ image \"a/b:1.0.0\" }}\nenvironment {} {{ namespace \"a\" }}\n",
        "e".repeat(256)
    );
    assert_eq!(codes(&body), ["E0211"]);
}

/// Alertmanager: `deployc-default` is the receiver of alerts no contact
/// takes, and PagerDuty keys of different contacts must not share a file.
#[test]
fn contacts_keep_their_receiver_and_key_file_apart() {
    let contact = |name: &str, pager: &str| {
        format!("contact {name} {{ role \"On-call\"; pager \"{pager}\" }}\n")
    };
    let owner = "service api { image \"a/b:1.0.0\" }\n\
                 metric m { query \"sum(rate(a[5m]))\"; unit ratio }\n";
    let notify = |who: &str| {
        format!(
            "trigger t {{ when m > 5% for 5m; severity critical; action notify; notify {who} }}\n"
        )
    };
    let body = format!(
        "{owner}{}{}",
        contact("deployc-default", "k"),
        notify("deployc-default")
    );
    assert_eq!(codes(&body), ["E0211"]);
    let body = format!(
        "{owner}{}{}{}",
        contact("a", "team one"),
        contact("b", "team-one"),
        notify("a, b")
    );
    assert_eq!(collisions(&body), pair("b", "a"));
    // One key for two contacts is one file, read by both.
    let body = format!(
        "{owner}{}{}{}",
        contact("a", "team-one"),
        contact("b", "team-one"),
        notify("a, b")
    );
    assert_eq!(codes(&body), Vec::<&str>::new());
}

#[test]
fn environment_namespaces_are_dns_labels() {
    let env = |ns: &str| {
        format!(
            "service api {{ image \"a/b:1.0.0\" }}\nenvironment staging {{ namespace \"{ns}\" }}\n"
        )
    };
    assert_eq!(codes(&env("Staging_NS")), ["E0208"]);
    assert_eq!(codes(&env("staging")), Vec::<&str>::new());
}

// ---------------------------------------------- what is checked is written

fn valid_specs() -> Vec<Spec> {
    let mut sources: Vec<SourceFile> = std::fs::read_dir("specs")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "deploy"))
        .map(|p| {
            SourceFile::new(
                p.display().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    for i in 0..40 {
        let (name, text) = deployc_corpus::spec(7, i);
        sources.push(SourceFile::new(name, text));
    }
    let mut specs: Vec<Spec> = sources
        .iter()
        .map(|s| {
            let checked = deployc::check_source(s);
            checked
                .spec
                .unwrap_or_else(|| panic!("{} checks: {:?}", s.name, checked.diagnostics))
        })
        .collect();
    specs.push(deployc::model::sample::spec());
    specs
}

/// The names the checker checks are the names the emitters write: every
/// object (kind and name) and object or dashboard file of the base, each
/// environment's folder, every alert and every recording rule.
#[test]
fn generated_names_are_the_emitted_names() {
    for spec in valid_specs() {
        let names = generated(&spec);
        let of = |kind: NameKind| -> BTreeSet<String> {
            names
                .iter()
                .filter(|g| g.kind == kind)
                .map(|g| g.name.clone())
                .collect()
        };
        let files = emit_all(&spec);
        let emitted_files: BTreeSet<String> = files
            .iter()
            .map(|f| f.path.clone())
            .filter(|p| {
                p.starts_with("kubernetes/")
                    || p.starts_with("rollouts/")
                    || p.starts_with("grafana/dashboard-")
                    || p.starts_with("environments/")
                        && p.ends_with("/kustomization.yaml")
                        && p.matches('/').count() == 2
            })
            .collect();
        assert_eq!(of(NameKind::File), emitted_files, "{}", spec.source);

        let mut emitted_objects: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for f in files
            .iter()
            .filter(|f| f.path.starts_with("kubernetes/") || f.path.starts_with("rollouts/"))
        {
            let v: serde_json::Value = serde_saphyr::from_str(&f.content).unwrap();
            emitted_objects
                .entry(v["kind"].as_str().unwrap().to_string())
                .or_default()
                .insert(v["metadata"]["name"].as_str().unwrap().to_string());
        }
        let mut generated_objects: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for g in &names {
            if let NameKind::Object(kind) = g.kind {
                generated_objects
                    .entry(kind.to_string())
                    .or_default()
                    .insert(g.name.clone());
            }
        }
        assert_eq!(generated_objects, emitted_objects, "{}", spec.source);

        let emitted_alerts: Vec<String> = alerts(&spec).into_iter().map(|a| a.name).collect();
        let generated_alerts: Vec<String> = names
            .iter()
            .filter(|g| g.kind == NameKind::Alert)
            .map(|g| g.name.clone())
            .collect();
        assert_eq!(generated_alerts, emitted_alerts, "{}", spec.source);
        let records: BTreeSet<String> = spec.metrics.iter().map(|m| m.recorded_series()).collect();
        assert_eq!(of(NameKind::RecordingRule), records, "{}", spec.source);

        let uids: BTreeSet<String> = files
            .iter()
            .filter(|f| f.path.starts_with("grafana/dashboard-"))
            .map(|f| {
                let v: serde_json::Value = serde_json::from_str(&f.content).unwrap();
                v["uid"].as_str().unwrap().to_string()
            })
            .collect();
        assert_eq!(of(NameKind::DashboardUid), uids, "{}", spec.source);

        let am = files
            .iter()
            .find(|f| f.path == deployc::emit::alertmanager::PATH)
            .unwrap();
        let am: serde_json::Value = serde_saphyr::from_str(&am.content).unwrap();
        let receivers = am["receivers"].as_array().unwrap();
        let mut emitted_receivers: BTreeSet<String> = receivers
            .iter()
            .map(|r| r["name"].as_str().unwrap().to_string())
            .collect();
        assert!(emitted_receivers.remove(names::DEFAULT_RECEIVER));
        assert_eq!(of(NameKind::Receiver), emitted_receivers, "{}", spec.source);
        let key_files: BTreeSet<String> = receivers
            .iter()
            .flat_map(|r| {
                r["pagerduty_configs"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .map(|p| {
                let path = p["routing_key_file"].as_str().unwrap();
                path.rsplit('/').next().unwrap().to_string()
            })
            .collect();
        assert_eq!(of(NameKind::SecretFile), key_files, "{}", spec.source);
    }
}

/// Every path is written once, so no file replaces another and no
/// kustomization lists a file twice.
#[test]
fn a_spec_that_checks_writes_each_path_once() {
    for spec in valid_specs() {
        let files = emit_all(&spec);
        let paths: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths.len(), files.len(), "{}", spec.source);
        for k in files
            .iter()
            .filter(|f| f.path.ends_with("kustomization.yaml"))
        {
            let v: serde_json::Value = serde_saphyr::from_str(&k.content).unwrap();
            let list: Vec<&str> = v["resources"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_str().unwrap())
                .collect();
            let unique: BTreeSet<&&str> = list.iter().collect();
            assert_eq!(unique.len(), list.len(), "{}", k.path);
        }
    }
}
