//! Resources that cannot work: an autoscaler on the utilisation of pods
//! that request nothing (E0205), budgets that block every eviction (W0209),
//! zero CPU or memory (W0210); and the requests and limits of the Jobs
//! deployc writes (backup CronJob, smoke gate, HTTP check): defaulted, and
//! settable with `cpu` and `memory`.

use deployc::model::Spec;

fn check(spec: &str) -> (Option<Spec>, Vec<&'static str>) {
    let (_, checked) = deployc::check_bytes("t.deploy", spec.as_bytes());
    let codes = checked
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    (checked.spec, codes)
}

const RELEASE: &str = "release r { title \"R\"; version \"1.0.0\"; namespace \"r\" }\n";

fn service(body: &str) -> String {
    format!("{RELEASE}service api {{\n  image \"a/b:1.0.0\"\n{body}\n}}\n")
}

/// kubernetes pkg/controller/podautoscaler/replica_calculator.go,
/// `calculatePodRequests`: a container without a request for the resource
/// fails the whole calculation ("missing request for cpu"); the HPA never
/// scales. These specs compiled before.
#[test]
fn autoscaling_on_utilisation_needs_requests() {
    let no_cpu = service("  autoscale { replicas 2..4; cpu 70% }");
    assert_eq!(check(&no_cpu).1, vec!["E0205"]);
    let no_memory = service("  cpu 500m\n  autoscale { replicas 2..4; memory 80% }");
    assert_eq!(check(&no_memory).1, vec!["E0205"]);
    let fine = service("  cpu 500m..1\n  autoscale { replicas 2..4; cpu 70% }");
    assert_eq!(check(&fine).1, Vec::<&str>::new());
    // An environment's autoscaler over a base without requests.
    let env = format!(
        "{}environment staging {{\n  service api {{\n    autoscale {{ replicas 1..2; cpu 80% }}\n  }}\n}}\n",
        service("")
    );
    assert_eq!(check(&env).1, vec!["E0205"]);
    let env_with_cpu = format!(
        "{}environment staging {{\n  service api {{\n    cpu 250m\n    autoscale {{ replicas 1..2; cpu 80% }}\n  }}\n}}\n",
        service("")
    );
    assert_eq!(check(&env_with_cpu).1, Vec::<&str>::new());
}

/// kubernetes pkg/controller/disruption: disruptions allowed = healthy pods
/// − desired healthy; at 0 the eviction API refuses every eviction, so a
/// drain waits forever.
#[test]
fn budgets_that_block_every_eviction_warn() {
    for body in [
        "  replicas 0\n  disruption min_available 2",
        "  replicas 3\n  disruption min_available 3",
        "  replicas 2\n  disruption min_available 5",
        "  replicas 3\n  disruption max_unavailable 0",
        "  replicas 6\n  cpu 1\n  autoscale { replicas 2..8; cpu 70% }\n  disruption min_available 2",
    ] {
        let (spec, codes) = check(&service(body));
        assert_eq!(codes, vec!["W0209"], "{body}");
        assert!(spec.is_some(), "a warning keeps the model: {body}");
    }
    assert_eq!(
        check(&service("  replicas 3\n  disruption min_available 2")).1,
        Vec::<&str>::new()
    );
    // An environment that scales the service down under its budget.
    let env = format!(
        "{}environment staging {{\n  service api {{ replicas 1 }}\n}}\n",
        service("  replicas 3\n  disruption min_available 1")
    );
    assert_eq!(check(&env).1, vec!["W0209"]);
}

#[test]
fn zero_memory_warns() {
    // CPU of zero was already refused (E0208, `units::cpu`).
    assert_eq!(check(&service("  cpu 0")).1, vec!["E0208"]);
    for body in [
        "  memory 0Mi",
        "  memory 0Mi..1Gi",
        "  storage { size 1Gi; mount \"/d\" }\n  backup { schedule \"0 2 * * *\"; retain 7d; image \"a/b:1.0.0\"; command \"b\"; memory 0Mi }",
    ] {
        assert_eq!(check(&service(body)).1, vec!["W0210"], "{body}");
    }
}

/// The container of `kind`'s object in the generated files, by the file's
/// path containing `file`.
fn container_resources(spec: &Spec, file: &str) -> serde_json::Value {
    let files = deployc::emit::emit_all(spec);
    let f = files
        .iter()
        .find(|f| f.path.contains(file))
        .unwrap_or_else(|| {
            panic!(
                "no {file} in {:?}",
                files.iter().map(|f| &f.path).collect::<Vec<_>>()
            )
        });
    let doc: serde_json::Value = serde_saphyr::from_str(&f.content).unwrap();
    let job = if doc["kind"] == "CronJob" {
        &doc["spec"]["jobTemplate"]["spec"]
    } else {
        &doc["spec"]["metrics"][0]["provider"]["job"]["spec"]
    };
    job["template"]["spec"]["containers"][0]["resources"].clone()
}

/// Before, the backup and smoke-gate containers had no `resources` at all:
/// BestEffort pods, and refused outright in a namespace whose ResourceQuota
/// counts requests.
#[test]
fn job_containers_get_default_resources() {
    let spec = format!(
        "{}service db {{\n  image \"a/db:1.0.0\"\n  storage {{ size 1Gi; mount \"/data\" }}\n  backup {{ schedule \"0 2 * * *\"; retain 7d; image \"a/backup:1.0.0\"; command \"backup\" }}\n}}\nphase p {{\n  canary 10%\n  gate smoke \"curl -f http://api/health\"\n  gate http \"http://api/health\" expect 404\n}}\n",
        service("")
    );
    let (model, codes) = check(&spec);
    assert_eq!(codes, Vec::<&str>::new());
    let model = model.unwrap();
    let expected = serde_json::json!({
        "requests": { "cpu": "50m", "memory": "64Mi" },
        "limits": { "memory": "128Mi" }
    });
    assert_eq!(container_resources(&model, "cronjob-db-backup"), expected);
    assert_eq!(container_resources(&model, "api-p-smoke"), expected);
    assert_eq!(container_resources(&model, "api-p-http"), expected);
}

#[test]
fn job_resources_are_settable() {
    let spec = format!(
        "{}service db {{\n  image \"a/db:1.0.0\"\n  storage {{ size 1Gi; mount \"/data\" }}\n  backup {{\n    schedule \"0 2 * * *\"\n    retain 7d\n    image \"a/backup:1.0.0\"\n    command \"backup\"\n    cpu 250m..1\n    memory 256Mi..1Gi\n  }}\n}}\nphase p {{\n  canary 10%\n  gate smoke \"curl -f http://api/health\" cpu 100m memory 32Mi..64Mi timeout 2m\n}}\n",
        service("")
    );
    let (model, codes) = check(&spec);
    assert_eq!(codes, Vec::<&str>::new());
    let model = model.unwrap();
    assert_eq!(
        container_resources(&model, "cronjob-db-backup"),
        serde_json::json!({
            "requests": { "cpu": "250m", "memory": "256Mi" },
            "limits": { "cpu": "1", "memory": "1Gi" }
        })
    );
    assert_eq!(
        container_resources(&model, "api-p-smoke"),
        serde_json::json!({
            "requests": { "cpu": "100m", "memory": "32Mi" },
            "limits": { "cpu": "100m", "memory": "64Mi" }
        })
    );
}
