//! A small, complete model built by hand, for emitter unit tests that must
//! not depend on the parser or the checker. It covers every kind of item:
//! two services (a canary Rollout and a StatefulSet with storage), bands,
//! every gate, every traffic step, triggers of both kinds, escalation.

use super::*;

fn d(s: &str) -> Decimal {
    s.parse().expect("sample decimals are valid")
}

fn threshold(value: &str, text: &str) -> Threshold {
    Threshold {
        value: d(value),
        text: text.into(),
    }
}

fn check(text: &str, command: Option<&str>) -> CheckItem {
    CheckItem {
        text: text.into(),
        command: command.map(Into::into),
        details: vec![],
    }
}

pub fn spec() -> Spec {
    let error_rate = MetricId(0);
    let latency = MetricId(1);
    let lead = ContactId(0);
    let oncall = ContactId(1);
    Spec {
        source: "specs/sample.deploy".into(),
        release: Release {
            name: "shop".into(),
            title: "Shop 2.0".into(),
            version: "2.0.0".into(),
            namespace: "shop".into(),
            owner: Some(lead),
            date: Some("2025-01-11".into()),
            duration: Some((Duration::from_mins(120), Duration::from_mins(240))),
            facts: vec![("Deployment type".into(), "Canary".into())],
            description: None,
            runbook_url: None,
            prometheus_url: "http://prometheus-operated.monitoring.svc:9090".into(),
        },
        services: vec![
            Service {
                name: "api".into(),
                description: Some("The public API".into()),
                image: Image {
                    reference: "example/api:2.0.0".into(),
                    name: "example/api".into(),
                    tag: Some("2.0.0".into()),
                    digest: None,
                },
                replicas: 3,
                ports: vec![Port { name: "http".into(), number: 8080 }],
                cpu: Some(Resources { request: Millicores(500), limit: Millicores(2000) }),
                memory: Some(Resources { request: Bytes(512 << 20), limit: Bytes(2 << 30) }),
                probes: vec![
                    Probe {
                        kind: ProbeKind::Liveness,
                        path: "/health".into(),
                        port: 8080,
                        initial_delay: Duration::from_secs(30),
                        period: Duration::from_secs(10),
                        timeout: Duration::from_secs(1),
                        failure_threshold: 3,
                    },
                    Probe {
                        kind: ProbeKind::Readiness,
                        path: "/ready".into(),
                        port: 8080,
                        initial_delay: Duration::from_secs(10),
                        period: Duration::from_secs(5),
                        timeout: Duration::from_secs(1),
                        failure_threshold: 3,
                    },
                ],
                env: vec![
                    EnvVar { name: "LOG_LEVEL".into(), value: EnvValue::Literal("no".into()) },
                    EnvVar {
                        name: "API_KEY".into(),
                        value: EnvValue::Secret { secret: "api-secrets".into(), key: "api-key".into() },
                    },
                ],
                configs: vec![ConfigFile {
                    name: "config.yml".into(),
                    mount: "/etc/api".into(),
                    content: "server:\n  port: 8080\n".into(),
                }],
                autoscale: Some(Autoscale { min: 3, max: 6, cpu_percent: Some(70), memory_percent: None }),
                disruption: Some(Disruption::MinAvailable(2)),
                storage: None,
                backup: None,
                allow: vec!["192.168.10.0/24".into()],
                ingress: Some(Ingress {
                    host: "api.example.com".into(),
                    path: "/".into(),
                    tls_secret: Some("api-tls".into()),
                    rate_limit_rpm: Some(1000),
                }),
                strategy: Strategy::Canary,
                read_only_root: true,
                run_as_user: 10001,
            },
            Service {
                name: "store".into(),
                description: None,
                image: Image {
                    reference: "qdrant/qdrant:v1.12.0".into(),
                    name: "qdrant/qdrant".into(),
                    tag: Some("v1.12.0".into()),
                    digest: None,
                },
                replicas: 1,
                ports: vec![Port { name: "http".into(), number: 6333 }],
                cpu: Some(Resources { request: Millicores(16000), limit: Millicores(16000) }),
                memory: Some(Resources { request: Bytes(32 << 30), limit: Bytes(32 << 30) }),
                probes: vec![],
                env: vec![],
                configs: vec![],
                autoscale: None,
                disruption: None,
                storage: Some(Storage { size: Bytes(1 << 40), mount: "/data".into(), class: Some("fast-ssd".into()) }),
                backup: Some(Backup {
                    schedule: "0 2 * * *".into(),
                    retain: Duration::from_mins(30 * 24 * 60),
                    image: "example/backup:1.0.0".into(),
                    command: "backup --target s3://backups/store".into(),
                    resources: JobResources::DEFAULT,
                }),
                allow: vec![],
                ingress: None,
                strategy: Strategy::Canary,
                read_only_root: false,
                run_as_user: 1000,
            },
        ],
        environments: vec![Environment {
            name: "staging".into(),
            namespace: Some("shop-staging".into()),
            overrides: vec![ServiceOverride {
                service: ServiceId(0),
                replicas: Some(1),
                image: None,
                cpu: None,
                memory: None,
                autoscale: None,
                env: vec![],
                ingress_host: Some("api.staging.example.com".into()),
            }],
        }],
        metrics: vec![
            Metric {
                name: "error_rate".into(),
                title: "Error rate".into(),
                description: None,
                query: "sum(rate(http_requests_total{status=~\"5..\"}[5m])) / sum(rate(http_requests_total[5m]))"
                    .into(),
                unit: MetricUnit::Ratio,
                bands: Some(Bands {
                    worse: Worse::Higher,
                    normal_text: "< 1%".into(),
                    warning: Some(Band {
                        op: CompareOp::Ge,
                        threshold: threshold("0.01", "1%"),
                        sustain: Duration::from_mins(5),
                        text: "1%..5%".into(),
                    }),
                    critical: Some(Band {
                        op: CompareOp::Gt,
                        threshold: threshold("0.05", "5%"),
                        sustain: Duration::from_mins(5),
                        text: "> 5%".into(),
                    }),
                }),
                group: "Errors".into(),
                service: Some(ServiceId(0)),
                no_data: NoData::Inconclusive,
            },
            Metric {
                name: "p99_latency".into(),
                title: "P99 latency".into(),
                description: None,
                query: "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))".into(),
                unit: MetricUnit::Seconds,
                bands: None,
                group: "Latency".into(),
                service: None,
                no_data: NoData::Fail,
            },
        ],
        phases: vec![
            Phase {
                name: "preflight".into(),
                title: "Pre-flight checks".into(),
                description: None,
                anchor: Some(Anchor { text: "T-60m".into(), offset_millis: -3_600_000 }),
                after: vec![],
                owner: Some(lead),
                steps: vec![Step::Check(check("Cluster healthy", Some("kubectl get nodes")))],
            },
            Phase {
                name: "canary".into(),
                title: "Canary".into(),
                description: None,
                anchor: Some(Anchor { text: "T+0".into(), offset_millis: 0 }),
                after: vec![PhaseId(0)],
                owner: Some(lead),
                steps: vec![
                    Step::Traffic(Traffic::Pods(1)),
                    Step::Traffic(Traffic::Hold(Duration::from_mins(15))),
                    Step::Gate(Gate::Metric(MetricGate {
                        condition: Condition { metric: error_rate, op: CompareOp::Lt, threshold: threshold("0.01", "1%") },
                        window: Duration::from_mins(15),
                        interval: Duration::from_mins(1),
                        no_data: NoData::Inconclusive,
                    })),
                    Step::Gate(Gate::Smoke {
                        command: "curl -f http://api:8080/health".into(),
                        image: "curlimages/curl:8.5.0".into(),
                        timeout: Duration::from_mins(5),
                        resources: JobResources::DEFAULT,
                    }),
                    Step::Gate(Gate::Http { url: "http://api:8080/ready".into(), expect: 200, timeout: Duration::from_secs(10) }),
                ],
            },
            Phase {
                name: "rollout".into(),
                title: "Gradual rollout".into(),
                description: None,
                anchor: Some(Anchor { text: "T+15m".into(), offset_millis: 900_000 }),
                after: vec![PhaseId(1)],
                owner: Some(oncall),
                steps: vec![
                    Step::Traffic(Traffic::Weight(d("25"))),
                    Step::Traffic(Traffic::Hold(Duration::from_mins(5))),
                    Step::Gate(Gate::Metric(MetricGate {
                        condition: Condition { metric: latency, op: CompareOp::Lt, threshold: threshold("0.5", "500ms") },
                        window: Duration::from_mins(5),
                        interval: Duration::from_mins(1),
                        no_data: NoData::Fail,
                    })),
                    Step::Gate(Gate::Approval { approvers: vec![lead] }),
                    Step::Traffic(Traffic::Weight(d("100"))),
                ],
            },
        ],
        triggers: vec![
            Trigger {
                name: "high_error_rate".into(),
                title: "High error rate".into(),
                description: None,
                condition: TriggerCondition::Metric {
                    condition: Condition { metric: error_rate, op: CompareOp::Gt, threshold: threshold("0.1", "10%") },
                    sustain: Duration::from_mins(5),
                },
                severity: SeverityId(1),
                action: Action::Rollback,
                notify: vec![oncall],
                rollback_level: Some(RollbackLevelId(0)),
            },
            Trigger {
                name: "data_corruption".into(),
                title: "Data corruption detected".into(),
                description: None,
                condition: TriggerCondition::Observed("Data corruption detected".into()),
                severity: SeverityId(0),
                action: Action::Rollback,
                notify: vec![lead, oncall],
                rollback_level: None,
            },
        ],
        contacts: vec![
            Contact {
                name: "lead".into(),
                role: "Deployment Lead".into(),
                person: Some("Ana".into()),
                phone: Some("+1 555 0100".into()),
                chat: Some("@ana".into()),
                email: Some("ana@example.com".into()),
                pager: None,
            },
            Contact {
                name: "oncall".into(),
                role: "Platform On-call".into(),
                person: None,
                phone: None,
                chat: Some("@platform-oncall".into()),
                email: None,
                pager: Some("platform-oncall".into()),
            },
        ],
        severities: vec![
            SeverityLevel { name: "critical".into(), routes: AlertSeverity::Critical, description: None, declared: false },
            SeverityLevel { name: "major".into(), routes: AlertSeverity::Warning, description: None, declared: false },
            SeverityLevel { name: "minor".into(), routes: AlertSeverity::Info, description: None, declared: false },
        ],
        escalations: vec![Escalation {
            severity: SeverityId(0),
            description: Some("down".into()),
            owner: oncall,
            after: Duration::from_mins(1),
            channels: vec!["Slack".into(), "call".into()],
            then: Some(lead),
        }],
        rollback_levels: vec![RollbackLevel {
            name: "version".into(),
            title: "Version rollback".into(),
            description: None,
            severity: Some(SeverityId(1)),
            within: Duration::from_mins(15),
            data_impact: "none".into(),
            steps: vec![check("Undo the rollout", Some("kubectl argo rollouts undo api"))],
        }],
        checklists: vec![Checklist {
            name: "verify_rollback".into(),
            title: "Rollback verification".into(),
            items: vec![check("All pods running", None)],
        }],
        templates: vec![Template {
            name: "incident_start".into(),
            title: "Incident start".into(),
            when: Some("rollback".into()),
            subject: Some("[INCIDENT] Shop rollback initiated".into()),
            fields: vec!["time".into(), "trigger".into()],
            body: "Time: {{time}}\nTrigger: {{trigger}}\n".into(),
        }],
        criteria: vec![
            Criterion {
                kind: CriterionKind::Success,
                title: "P99 latency under 500ms".into(),
                condition: Some((
                    Condition { metric: latency, op: CompareOp::Lt, threshold: threshold("0.5", "500ms") },
                    None,
                )),
            },
            Criterion { kind: CriterionKind::Failure, title: "Any data corruption".into(), condition: None },
        ],
        signoff: vec![lead],
        sections: vec![Section { title: "Risks".into(), body: "| Risk | Impact |\n|---|---|\n| Downtime | High |\n".into() }],
    }
}
