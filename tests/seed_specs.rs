//! The specs in specs/ against the seed documents they were written from
//! (/work/shared/seeds/). Each spec must check without a diagnostic, and must
//! carry as many phases, gates, traffic steps, triggers, contacts, bands,
//! escalation rows, rollback levels, templates, criteria, sign-off roles and
//! checklist items as its seed has. Every expected number says where in the
//! seed it comes from (section heading), so it can be recounted there.

use std::fs;

use deployc::model::*;
use deployc::source::SourceFile;

fn load(path: &str) -> Spec {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let source = SourceFile::new(path, text);
    let checked = deployc::check_source(&source);
    let listed: Vec<String> = checked
        .diagnostics
        .iter()
        .map(|d| {
            let (line, col) = source.line_col(d.span.start);
            format!("{path}:{line}:{col}: {} {}", d.code.as_str(), d.message)
        })
        .collect();
    assert!(
        !checked.diagnostics.iter().any(|d| d.is_error()),
        "errors:\n{}",
        listed.join("\n")
    );
    assert!(
        checked.diagnostics.is_empty(),
        "warnings:\n{}",
        listed.join("\n")
    );
    checked.spec.expect("a spec without errors has a model")
}

fn source_text(path: &str) -> String {
    fs::read_to_string(path).unwrap()
}

fn phase<'a>(spec: &'a Spec, name: &str) -> &'a Phase {
    spec.phases
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no phase {name}"))
}

/// (checklist items with a command, checklist items without one).
fn checks(spec: &Spec, name: &str) -> (usize, usize) {
    let p = phase(spec, name);
    let with = p.checks().filter(|c| c.command.is_some()).count();
    (with, p.checks().count() - with)
}

fn metric_gates(spec: &Spec, name: &str) -> usize {
    phase(spec, name)
        .gates()
        .filter(|g| matches!(g, Gate::Metric(_)))
        .count()
}

#[derive(Debug, Default, PartialEq)]
struct Gates {
    metric: usize,
    approval: usize,
    smoke: usize,
    http: usize,
}

fn gates(spec: &Spec) -> Gates {
    let mut g = Gates::default();
    for gate in spec.phases.iter().flat_map(|p| p.gates()) {
        match gate {
            Gate::Metric(_) => g.metric += 1,
            Gate::Approval { .. } => g.approval += 1,
            Gate::Smoke { .. } => g.smoke += 1,
            Gate::Http { .. } => g.http += 1,
        }
    }
    g
}

fn traffic(spec: &Spec) -> Vec<Traffic> {
    spec.phases
        .iter()
        .flat_map(|p| p.traffic().cloned())
        .collect()
}

/// (metric triggers, observed triggers).
fn triggers(spec: &Spec) -> (usize, usize) {
    let metric = spec
        .triggers
        .iter()
        .filter(|t| matches!(t.condition, TriggerCondition::Metric { .. }))
        .count();
    (metric, spec.triggers.len() - metric)
}

fn triggers_of_severity(spec: &Spec, severity: &str) -> usize {
    spec.triggers
        .iter()
        .filter(|t| spec.severity(t.severity).name == severity)
        .count()
}

/// (metrics with bands, warning bands, critical bands).
fn bands(spec: &Spec) -> (usize, usize, usize) {
    let banded: Vec<&Bands> = spec
        .metrics
        .iter()
        .filter_map(|m| m.bands.as_ref())
        .collect();
    let warning = banded.iter().filter(|b| b.warning.is_some()).count();
    let critical = banded.iter().filter(|b| b.critical.is_some()).count();
    (banded.len(), warning, critical)
}

/// (success criteria, failure criteria, criteria with a measurable condition).
fn criteria(spec: &Spec) -> (usize, usize, usize) {
    let success = spec
        .criteria
        .iter()
        .filter(|c| c.kind == CriterionKind::Success)
        .count();
    let measurable = spec
        .criteria
        .iter()
        .filter(|c| c.condition.is_some())
        .count();
    (success, spec.criteria.len() - success, measurable)
}

fn checklist<'a>(spec: &'a Spec, name: &str) -> &'a Checklist {
    spec.checklists
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no checklist {name}"))
}

fn service<'a>(spec: &'a Spec, name: &str) -> &'a Service {
    spec.services
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no service {name}"))
}

fn section<'a>(spec: &'a Spec, title: &str) -> &'a Section {
    spec.sections
        .iter()
        .find(|s| s.title == title)
        .unwrap_or_else(|| panic!("no section {title}"))
}

fn weight(w: u32) -> Traffic {
    Traffic::Weight(Decimal::from(w))
}

fn mins(m: u64) -> Duration {
    Duration::from_mins(m)
}

// ------------------------------------------------------------ seeds 000 + 001

#[test]
fn vectorizer_1_8_0_matches_seeds_000_and_001() {
    let spec = load("specs/vectorizer-1.8.0.deploy");

    // 000 "Pre-Deployment (D-7 to D-1)": Week Before, Day Before; "Deployment
    // Day (D-0)": Pre-Deployment Checks (T-60 min), Phase 1 (T+0), Phase 2
    // (T+15), Phase 3 (T+30), Post-Deployment (T+60); 001 "Pre-Deployment
    // Checklist".
    assert_eq!(spec.phases.len(), 8);
    let anchors: Vec<(&str, Option<&str>)> = spec
        .phases
        .iter()
        .map(|p| (p.name.as_str(), p.anchor.as_ref().map(|a| a.text.as_str())))
        .collect();
    for expected in [
        ("week_before", Some("D-7")),
        ("day_before", Some("D-1")),
        ("pre_checks", Some("T-60m")),
        ("canary", Some("T+0")),
        ("gradual_rollout", Some("T+15m")),
        ("verification", Some("T+30m")),
        ("post_deployment", Some("T+60m")),
        ("rollback_readiness", None), // 001 gives it no time
    ] {
        assert!(
            anchors.contains(&expected),
            "{expected:?} not in {anchors:?}"
        );
    }

    // Checklist items per phase: (with a command, without).
    // 000 "Week Before": Code Freeze, Final Testing, Documentation Review,
    // Infrastructure Preparation; none has a command.
    assert_eq!(checks(&spec, "week_before"), (0, 4));
    // ... with their sub-bullets: 1 + 4 + 3 + 4.
    assert_eq!(
        phase(&spec, "week_before")
            .checks()
            .map(|c| c.details.len())
            .sum::<usize>(),
        12
    );
    // 000 "Day Before (D-1)": Final Backup, Tag Release, Build Production
    // Image (each a bash block), Notify Teams.
    assert_eq!(checks(&spec, "day_before"), (3, 1));
    // 001 "Pre-Deployment Checklist": six boxes; the bash block's three
    // commented groups (tag, backup, config) belong to three of them.
    assert_eq!(checks(&spec, "rollback_readiness"), (3, 3));
    // 000 "Pre-Deployment Checks (T-60 min)": five numbered command groups.
    assert_eq!(checks(&spec, "pre_checks"), (5, 0));
    // 000 "Phase 1": three commented commands, and the "Canary Validation
    // (15 min)" block.
    assert_eq!(checks(&spec, "canary"), (4, 0));
    // 000 "Phase 2": resume, monitor, watch.
    assert_eq!(checks(&spec, "gradual_rollout"), (3, 0));
    // 000 "Phase 3": five numbered command groups.
    assert_eq!(checks(&spec, "verification"), (5, 0));
    // 000 "Post-Deployment (T+60)": Update Status Page, Notify Stakeholders,
    // Monitor (2 hours).
    assert_eq!(checks(&spec, "post_deployment"), (0, 3));

    // Traffic. 000 "Phase 1": "Deploy to 1 pod first", "Pause rollout after
    // first pod"; "Phase 2": "Resume rollout" to every pod.
    assert_eq!(
        traffic(&spec),
        vec![Traffic::Pods(1), Traffic::Pause, weight(100)]
    );

    // Gates. Metric: 000 "Phase 1 ... Canary Validation (15 min)" on error
    // rate and p99 latency (2, for 15 minutes), and "Deployment Checklist /
    // Post-Deployment": "Error rate < 1%", "Latency normal" at Phase 3 (2).
    // Approval: "Sign-off ... Deployment Approved". HTTP: Phase 3 "4. Verify
    // HiveHub integration" (curl .../cluster/status).
    assert_eq!(
        gates(&spec),
        Gates {
            metric: 4,
            approval: 1,
            smoke: 0,
            http: 1
        }
    );
    assert_eq!(metric_gates(&spec, "canary"), 2);
    assert!(phase(&spec, "canary").gates().all(|g| match g {
        Gate::Metric(m) => m.window == mins(15),
        _ => true,
    }));
    // "Sign-off": the four roles approve.
    let approvers: Vec<&str> = phase(&spec, "pre_checks")
        .gates()
        .flat_map(|g| match g {
            Gate::Approval { approvers } => approvers.clone(),
            _ => vec![],
        })
        .map(|c| spec.contact(c).role.as_str())
        .collect();
    assert_eq!(
        approvers,
        [
            "Development Lead",
            "Platform Lead",
            "Security Lead",
            "Product Owner"
        ]
    );

    // Triggers. 000 "Rollback Triggers" (5) and 001 "Rollback Triggers"
    // (critical 4, major 4, minor 3); shared by both: error rate > 10% for
    // 5m, P99 > 500ms, data corruption, and 000's "Authentication failures"
    // = 001's "Authentication completely broken": 5 + 11 - 4 = 12.
    assert_eq!(spec.triggers.len(), 12);
    // With a number or a measurable state: ">90% error rate", "Error rate >
    // 10% ... 5+ minutes", "P99 latency > 500ms", "Error rate > 5% ... 15+
    // minutes", and 000's "Any pod crash-looping". The other 7 are observed
    // (corruption, authentication, security breach, replication, HiveHub,
    // "Performance degradation > 50%" (no baseline given), non-critical features).
    assert_eq!(triggers(&spec), (5, 7));
    // 001: Critical (Immediate Rollback) 4; Major (within 15 min) 4, plus
    // 000's crash-looping pods; Minor (Consider Rollback) 3.
    assert_eq!(triggers_of_severity(&spec, "critical"), 4);
    assert_eq!(triggers_of_severity(&spec, "major"), 5);
    assert_eq!(triggers_of_severity(&spec, "minor"), 3);
    // Sustain windows: "Error rate > 10% sustained for 5+ minutes", "Error
    // rate > 5% sustained for 15+ minutes".
    let sustains: Vec<Duration> = spec
        .triggers
        .iter()
        .filter_map(|t| match &t.condition {
            TriggerCondition::Metric { sustain, .. } => Some(*sustain),
            _ => None,
        })
        .collect();
    assert!(sustains.contains(&mins(5)) && sustains.contains(&mins(15)));

    // 000 "Key Metrics to Watch": Error Rate, P99 Latency, CPU Usage, Memory
    // Usage, Pod Restarts, each Normal / Warning / Critical.
    assert_eq!(bands(&spec), (5, 5, 5));

    // 000 "Emergency Contacts": Deployment Lead, Platform On-call, HiveHub
    // Contact, Management Escalation; 001 "Emergency Contacts": On-call
    // Engineer, Platform Lead, Security Lead, HiveHub Contact (shared);
    // "Sign-off" adds Development Lead and Product Owner: 4 + 3 + 2.
    assert_eq!(spec.contacts.len(), 9);
    // Only the Slack handle is filled in: "Platform On-call | @platform-oncall".
    // Every other channel is "not from the seed": a page must reach someone
    // (E1101), so the contacts alerts are routed to have one.
    assert!(spec
        .contacts
        .iter()
        .all(|c| c.person.is_none() && c.phone.is_none()));
    let platform = spec
        .contacts
        .iter()
        .find(|c| c.name == "platform_oncall")
        .unwrap();
    assert_eq!(platform.chat.as_deref(), Some("@platform-oncall"));
    // 000 "Sign-off": Development Lead, Platform Lead, Security Lead, Product Owner.
    let signoff: Vec<&str> = spec
        .signoff
        .iter()
        .map(|c| spec.contact(*c).role.as_str())
        .collect();
    assert_eq!(
        signoff,
        [
            "Development Lead",
            "Platform Lead",
            "Security Lead",
            "Product Owner"
        ]
    );

    // Neither seed has an escalation table.
    assert_eq!(spec.escalations.len(), 0);

    // 001 "Rollback Procedures": Level 1 (< 5 min), Level 2 (< 15 min),
    // Level 3 (< 30 min); "Overview": data impact None, None, Possible.
    let levels: Vec<(Duration, &str)> = spec
        .rollback_levels
        .iter()
        .map(|l| (l.within, l.data_impact.as_str()))
        .collect();
    assert_eq!(
        levels,
        [
            (mins(5), "none"),
            (mins(15), "none"),
            (mins(30), "possible")
        ]
    );
    // Steps: Level 1: Option A, Option B, restart, verify (4). Level 2:
    // history, undo, undo to revision, verify, and "Using Helm": history,
    // rollback, verify (7). Level 3: six numbered steps.
    let steps: Vec<usize> = spec.rollback_levels.iter().map(|l| l.steps.len()).collect();
    assert_eq!(steps, [4, 7, 6]);

    // 000 "Communication Plan": Before, During, After; "Post-Deployment /
    // Update Status Page" message; 001 "Communication Templates": Incident
    // Start, Rollback Complete.
    assert_eq!(spec.templates.len(), 6);

    // Neither seed has success or failure criteria.
    assert_eq!(criteria(&spec), (0, 0, 0));

    // 000 "Deployment Checklist": Pre-Deployment 6, During Deployment 5,
    // Post-Deployment 7. 001 "Post-Rollback Actions": Immediate 3,
    // Short-term 3; "Rollback Verification Checklist" 8; "Rollback Testing" 3.
    let lists: Vec<(&str, usize)> = spec
        .checklists
        .iter()
        .map(|c| (c.name.as_str(), c.items.len()))
        .collect();
    assert_eq!(
        lists,
        [
            ("deployment_checklist_pre", 6),
            ("deployment_checklist_during", 5),
            ("deployment_checklist_post", 7),
            ("post_rollback_immediate", 3),
            ("post_rollback_short_term", 3),
            ("rollback_verification", 8),
            ("rollback_testing", 3),
        ]
    );
    // 001 "Immediate": Verify System Health and Preserve Evidence are bash blocks.
    assert_eq!(
        checklist(&spec, "post_rollback_immediate")
            .items
            .iter()
            .filter(|i| i.command.is_some())
            .count(),
        2
    );
    // 001 "Rollback Testing": three scripts.
    assert!(checklist(&spec, "rollback_testing")
        .items
        .iter()
        .all(|i| i.command.is_some()));

    // 000 "Grafana Dashboards", "Log Queries", "Appendix: Useful Commands";
    // 001 "Version Compatibility Matrix", "Appendix: Quick Commands".
    assert_eq!(spec.sections.len(), 5);

    // 000 "Deployment Summary": Version 1.8.0, Estimated Duration 2-4 hours.
    assert_eq!(spec.release.version, "1.8.0");
    assert_eq!(spec.release.duration, Some((mins(120), mins(240))));
}

// ------------------------------------------------------------------ seed 002

#[test]
fn hsc_jit_v3_matches_seed_002() {
    let spec = load("specs/hsc-jit-v3.deploy");

    // "Pre-Deployment (1 Week Before)": Code & Testing, Infrastructure
    // Preparation, Documentation (3); "Deployment Day": T-6 Hours, T-4 Hours,
    // T-2 Hours, T-30 Min, T-0 (5); "Post-Deployment Validation": T+5 Min,
    // T+15 Min, T+30 Min, T+1 Hour (4); "Post-Deployment Monitoring (T+2
    // Hours to T+24 Hours)" (1).
    assert_eq!(spec.phases.len(), 13);
    let anchors: Vec<&str> = spec
        .phases
        .iter()
        .filter_map(|p| p.anchor.as_ref())
        .map(|a| a.text.as_str())
        .collect();
    assert_eq!(
        anchors,
        [
            "D-7", "D-7", "D-7", "T-6h", "T-4h", "T-2h", "T-30m", "T+0", "T+5m", "T+15m", "T+30m",
            "T+1h", "T+2h"
        ]
    );

    // Checklist items per phase: (with a command, without). Commands are the
    // bash blocks' commented groups; items without are the "Checklist:"
    // boxes, minus those that are metric gates (counted below).
    // "Code & Testing" 6, "Infrastructure Preparation" 7, "Documentation" 5.
    assert_eq!(checks(&spec, "code_testing"), (0, 6));
    assert_eq!(checks(&spec, "infrastructure_preparation"), (0, 7));
    assert_eq!(checks(&spec, "documentation"), (0, 5));
    // "T-6 Hours": cluster health, images, secrets, disk space; Checklist 4.
    assert_eq!(checks(&spec, "preflight"), (4, 4));
    // "T-4 Hours": backup, migrations, verify; Checklist 3.
    assert_eq!(checks(&spec, "migration"), (3, 3));
    // "T-2 Hours": staging deploy, integration tests, load test; Checklist 4.
    assert_eq!(checks(&spec, "staging_validation"), (3, 4));
    // "T-30 Min": the notify block (comments only); Checklist 4.
    assert_eq!(checks(&spec, "communication"), (0, 5));
    // "T-0": Steps 1, 2, 3, 4, 6 run commands; Steps 5 and 7 are comments;
    // Checklist 9.
    assert_eq!(checks(&spec, "production_deployment"), (5, 11));
    // "Immediate Checks (T+5 Min)": 5 command groups; Checklist 5, of which
    // "Error rate < 0.5%" and "P95 latency < 300ms" are gates.
    assert_eq!(checks(&spec, "immediate_checks"), (5, 3));
    assert_eq!(metric_gates(&spec, "immediate_checks"), 2);
    // "Functional Checks (T+15 Min)": 2 curls, "Test actual features"
    // (comments); Checklist 5.
    assert_eq!(checks(&spec, "functional_checks"), (2, 6));
    // "Monitoring (T+30 Min)": the dashboard block (comments); Checklist 7,
    // of which "Error rate < 0.1%", "Cache hit rate > 50%", "No pod
    // restarts" are gates.
    assert_eq!(checks(&spec, "monitoring_checks"), (0, 5));
    assert_eq!(metric_gates(&spec, "monitoring_checks"), 3);
    // "Load Verification (T+1 Hour)": the locust run, "Check results"
    // (comments); Checklist 5, of which "P95 latency < 500ms under load" and
    // "Error rate < 0.5%" are gates.
    assert_eq!(checks(&spec, "load_verification"), (1, 4));
    assert_eq!(metric_gates(&spec, "load_verification"), 2);
    // "Continuous Monitoring": set up alerting, on-call schedule, escalate.
    assert_eq!(checks(&spec, "continuous_monitoring"), (0, 3));

    // "T-0 ... Step 1: Scale up new version (1 extra pod)"; "Step 5: Slow
    // roll": 25%, 50%, 75%, 100%, "Monitor for 5 minutes" between them.
    assert_eq!(
        traffic(&spec),
        vec![
            Traffic::Pods(1),
            weight(25),
            Traffic::Hold(mins(5)),
            weight(50),
            Traffic::Hold(mins(5)),
            weight(75),
            Traffic::Hold(mins(5)),
            weight(100),
        ]
    );

    // Metric gates: T+5 (2), T+30 (3), T+1h (2), as above. Smoke: "Step 4:
    // Run smoke tests", two curls.
    assert_eq!(
        gates(&spec),
        Gates {
            metric: 7,
            approval: 0,
            smoke: 2,
            http: 0
        }
    );

    // "Continuous Monitoring ... Email on": error rate > 1%, P95 > 1s, pod
    // restart > 1 per hour, memory > 90%, Redis connection errors.
    assert_eq!(triggers(&spec), (5, 0));
    assert!(spec.triggers.iter().all(|t| t.action == Action::Notify));

    // The only metric with a band scale: "System memory (should be 40-60%)"
    // (T+30) and "Memory usage > 90%" (Email on).
    assert_eq!(bands(&spec), (1, 1, 1));

    // "Success Criteria": 6 successful, 6 failed; measurable: availability,
    // P95 < 200ms, 0 pod crashes; > 5% for 5 min, P95 > 2s for 10 min, > 1%
    // downtime.
    assert_eq!(criteria(&spec), (6, 6, 6));

    // "Contact & Escalation": Critical (down), High (degraded), Medium
    // (slow), Low (monitoring), escalating after 1 min, 15 min, 30 min, 1 hour.
    let rows: Vec<(&str, Duration)> = spec
        .escalations
        .iter()
        .map(|e| (spec.severity(e.severity).name.as_str(), e.after))
        .collect();
    assert_eq!(
        rows,
        [
            ("critical", mins(1)),
            ("high", mins(15)),
            ("medium", mins(30)),
            ("low", mins(60))
        ]
    );
    // "Contact" column: Slack + call, Slack, Slack, Email.
    let channels: Vec<usize> = spec.escalations.iter().map(|e| e.channels.len()).collect();
    assert_eq!(channels, [2, 1, 1, 1]);
    // High, Medium, Low are not built in.
    assert_eq!(spec.severities.iter().filter(|s| s.declared).count(), 3);

    // Owners On-call Engineer, Team Lead, Engineer, Team; "Deployment Owner".
    // (Primary/Secondary/Tertiary on-call are unnamed placeholders of the
    // On-call Engineer role.)
    assert_eq!(spec.contacts.len(), 5);
    assert!(spec.contacts.iter().all(|c| c.person.is_none()));

    // "Rollback Procedure": Automatic Rollback (Preferred), Manual Rollback
    // (Emergency) with Steps 1-5.
    assert_eq!(spec.rollback_levels.len(), 2);
    assert_eq!(spec.rollback_levels[1].steps.len(), 5);

    // T-30 "Message template"; Manual Rollback "Step 5: Notify team" message.
    assert_eq!(spec.templates.len(), 2);

    // Rollback "Checklist" 5; "Post-Incident": Immediate 4, Short-term 4, Long-term 4.
    let lists: Vec<usize> = spec.checklists.iter().map(|c| c.items.len()).collect();
    assert_eq!(lists, [5, 4, 4, 4]);

    // No sign-off table.
    assert!(spec.signoff.is_empty());

    // "Automated Checks", "Manual Checks".
    assert_eq!(spec.sections.len(), 2);

    // T-2h: "Deploy to staging (same as prod, different namespace)".
    assert_eq!(spec.environments.len(), 1);
    assert_eq!(spec.environments[0].namespace.as_deref(), Some("staging"));

    // "Date: January 11, 2025"; "Version: v3.1".
    assert_eq!(spec.release.date.as_deref(), Some("2025-01-11"));
    assert_eq!(spec.release.version, "v3.1");
}

// ------------------------------------------------------------------ seed 003

#[test]
fn vector_db_matches_seed_003() {
    let spec = load("specs/vector-db.deploy");

    // "Production Deployment Configuration / services": qdrant, api_gateway.
    assert_eq!(spec.services.len(), 2);
    let qdrant = service(&spec, "qdrant");
    let gateway = service(&spec, "api-gateway");
    // qdrant: replicas 1, cpu "16", memory "32Gi", storage "1Ti".
    assert_eq!(qdrant.replicas, 1);
    assert_eq!(qdrant.cpu.map(|c| c.limit), Some(Millicores(16_000)));
    assert_eq!(qdrant.memory.map(|m| m.limit), Some(Bytes(32 << 30)));
    assert_eq!(
        qdrant.storage.as_ref().map(|s| s.size),
        Some(Bytes(1 << 40))
    );
    assert_eq!(qdrant.workload(), WorkloadKind::StatefulSet);
    // api_gateway: replicas 2, cpu "8", memory "16Gi".
    assert_eq!(gateway.replicas, 2);
    assert_eq!(gateway.cpu.map(|c| c.limit), Some(Millicores(8_000)));
    assert_eq!(gateway.memory.map(|m| m.limit), Some(Bytes(16 << 30)));
    // deployment_strategy: "blue_green".
    assert_eq!(gateway.strategy, Strategy::BlueGreen);
    // health_check (both services): endpoint /health, interval 30, timeout
    // 10, retries 3; as liveness and readiness probes.
    for s in [qdrant, gateway] {
        assert_eq!(s.probes.len(), 2, "{}", s.name);
        for p in &s.probes {
            assert_eq!(
                (p.path.as_str(), p.period, p.timeout, p.failure_threshold),
                (
                    "/health",
                    Duration::from_secs(30),
                    Duration::from_secs(10),
                    3
                )
            );
        }
    }
    // backup: schedule "0 2 * * *", retention "30d".
    let backup = qdrant.backup.as_ref().expect("qdrant backup");
    assert_eq!(
        (backup.schedule.as_str(), backup.retain),
        ("0 2 * * *", Duration::from_mins(30 * 24 * 60))
    );
    // security: ip_allowlist ["192.168.10.0/24"], api_key_auth, rate_limiting.
    assert_eq!(gateway.allow, ["192.168.10.0/24"]);
    assert!(gateway
        .env
        .iter()
        .any(|e| e.name == "API_KEY" && matches!(e.value, EnvValue::Secret { .. })));
    assert!(gateway
        .ingress
        .as_ref()
        .and_then(|i| i.rate_limit_rpm)
        .is_some());
    // collections_production: nine collections, passed through.
    let collections = qdrant
        .configs
        .iter()
        .find(|c| c.name == "collections.yaml")
        .expect("collections config");
    assert_eq!(collections.content.matches("backup_priority").count(), 9);
    // "Additional Troubleshooting / Production Optimization": seven exports.
    let exported = [
        "ENVIRONMENT",
        "LOG_LEVEL",
        "MONITORING_ENABLED",
        "HEALTH_CHECK_INTERVAL",
        "QDRANT_PRODUCTION_MODE",
        "API_GATEWAY_PRODUCTION",
        "CACHE_PRODUCTION_CONFIG",
    ];
    for name in exported {
        assert!(
            spec.services
                .iter()
                .any(|s| s.env.iter().any(|e| e.name == name)),
            "{name}"
        );
    }
    // No `latest` image survives.
    assert!(spec
        .services
        .iter()
        .all(|s| s.image.tag.as_deref() != Some("latest")));

    // "Sub-Tasks": ten rows; "Post-Completion Actions".
    assert_eq!(spec.phases.len(), 11);
    // Every sub-task: its action with its success criterion.
    for p in spec.phases.iter().filter(|p| p.name != "post_completion") {
        assert_eq!(
            p.checks()
                .filter(|c| c.command.is_none() && c.details.len() == 1)
                .count(),
            1,
            "{}",
            p.name
        );
    }
    // Command blocks: "Validation Commands" (test deployment → 2, validate
    // readiness → 7), "Qdrant Health Checks" (4), and in 7: Performance,
    // External Model Integration, Multi-Protocol API, Infrastructure Integration.
    assert_eq!(checks(&spec, "deployment_automation"), (1, 1));
    assert_eq!(checks(&spec, "health_check_implementation"), (1, 1));
    assert_eq!(checks(&spec, "production_validation"), (5, 1));
    // "Post-Completion Actions": six boxes.
    assert_eq!(checks(&spec, "post_completion"), (0, 6));

    // Blue-green: preview the new gateway, promote it at go-live.
    assert_eq!(traffic(&spec), vec![Traffic::Preview, Traffic::Promote]);
    // HTTP: Qdrant /health (sub-task 4), gateway readiness before promotion
    // (sub-task 7), gateway /health after promotion (health_check_path).
    // Metric: "<10ms query latency" (Performance Targets) during the load
    // test. Approval: "Go-live checklist completed" (sub-task 10).
    assert_eq!(
        gates(&spec),
        Gates {
            metric: 1,
            approval: 1,
            smoke: 0,
            http: 3
        }
    );

    // "Success Criteria": five boxes; "Performance Targets": three.
    assert_eq!(criteria(&spec), (8, 0, 2));

    // "Assigned To: DevOps Engineering Team".
    assert_eq!(spec.contacts.len(), 1);
    // The seed has no triggers, bands, escalation, rollback levels (its
    // "Rollback Procedures" give no time budget), templates or sign-off.
    assert_eq!(triggers(&spec), (0, 0));
    assert_eq!(bands(&spec), (0, 0, 0));
    assert!(spec.escalations.is_empty() && spec.rollback_levels.is_empty());
    assert!(spec.templates.is_empty() && spec.signoff.is_empty());

    // "Task Execution Log / Execution Steps" 10, "Production Readiness
    // Checklist" 10, "Rollback Procedures" 6.
    let lists: Vec<usize> = spec.checklists.iter().map(|c| c.items.len()).collect();
    assert_eq!(lists, [10, 10, 6]);

    // "Risk Assessment": seven risks.
    assert_eq!(
        section(&spec, "Risk Assessment")
            .body
            .lines()
            .filter(|l| l.contains("| Medium |") || l.contains("| Low |"))
            .count(),
        7
    );
    // "Troubleshooting / Common Issues": six rows.
    assert_eq!(
        section(&spec, "Troubleshooting")
            .body
            .lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| Issue"))
            .count(),
        6
    );

    // "Estimated Duration: 2.5 hours".
    assert_eq!(spec.release.duration, Some((mins(150), mins(150))));
}

// ------------------------------------------------------------------ seed 004

#[test]
fn vectorizer_production_matches_seed_004() {
    let path = "specs/vectorizer-production.deploy";
    let spec = load(path);

    // "Replication Setup": Master Node, Replica Node.
    assert_eq!(spec.services.len(), 2);
    let master = service(&spec, "vectorizer-master");
    let replica = service(&spec, "vectorizer-replica");
    let config = |s: &Service| {
        s.configs
            .iter()
            .find(|c| c.name == "config.production.yml")
            .expect("config")
            .content
            .clone()
    };
    assert!(config(master).contains("role: \"master\""));
    assert!(config(replica).contains("role: \"replica\""));
    for s in [master, replica] {
        let c = config(s);
        // "Server Configuration", "Collection Configuration", "Auto-Save
        // Configuration", "Authentication", "Rate Limiting".
        for key in [
            "server:",
            "logging:",
            "performance:",
            "collections:",
            "auto_save:",
            "auth:",
            "rate_limit:",
        ] {
            assert!(c.contains(key), "{}: {key}", s.name);
        }
        // "Kubernetes Liveness Probe": /api/status, 15002, 30s, 10s;
        // "Kubernetes Readiness Probe": /api/status, 15002, 10s, 5s.
        let probes: Vec<(ProbeKind, &str, u16, Duration, Duration)> = s
            .probes
            .iter()
            .map(|p| (p.kind, p.path.as_str(), p.port, p.initial_delay, p.period))
            .collect();
        assert_eq!(
            probes,
            [
                (
                    ProbeKind::Liveness,
                    "/api/status",
                    15002,
                    Duration::from_secs(30),
                    Duration::from_secs(10)
                ),
                (
                    ProbeKind::Readiness,
                    "/api/status",
                    15002,
                    Duration::from_secs(10),
                    Duration::from_secs(5)
                ),
            ]
        );
        // "Authentication": the JWT secret comes from a Secret.
        assert!(s
            .env
            .iter()
            .any(|e| e.name == "JWT_SECRET" && matches!(e.value, EnvValue::Secret { .. })));
        // "Minimum 4 CPU cores (8+ recommended)", "Minimum 8GB RAM (16GB+ recommended)".
        assert_eq!(
            s.cpu,
            Some(Resources {
                request: Millicores(4000),
                limit: Millicores(8000)
            })
        );
        assert_eq!(
            s.memory,
            Some(Resources {
                request: Bytes(8 << 30),
                limit: Bytes(16 << 30)
            })
        );
    }
    // The guide's literal secret never reaches the spec.
    assert!(!source_text(path).contains("your-secret-key"));
    // "Rate Limiting": requests_per_minute 1000.
    assert_eq!(
        master.ingress.as_ref().and_then(|i| i.rate_limit_rpm),
        Some(1000)
    );
    // "Backup Strategy": "Retention: 30 days daily".
    assert_eq!(
        master.backup.as_ref().map(|b| b.retain),
        Some(Duration::from_mins(30 * 24 * 60))
    );

    // "Pre-Production Checklist": Infrastructure Requirements (Compute,
    // Storage, Network, Monitoring), Application Configuration (Server,
    // Security, Performance, Reliability), Testing (Load, Failover), each
    // box with four sub-boxes.
    assert_eq!(spec.phases.len(), 3);
    for (name, items) in [
        ("infrastructure_requirements", 4),
        ("application_configuration", 4),
        ("testing", 2),
    ] {
        assert_eq!(checks(&spec, name), (0, items), "{name}");
        assert!(
            phase(&spec, name).checks().all(|c| c.details.len() == 4),
            "{name}"
        );
    }
    assert!(traffic(&spec).is_empty());

    // "Runbooks": High CPU, High Memory, Slow Searches, Replication Lag,
    // Connection Errors: one metric with bands, one trigger, one section each.
    assert_eq!(bands(&spec), (5, 5, 5));
    assert_eq!(triggers(&spec), (5, 0));
    for title in [
        "High CPU",
        "High Memory",
        "Slow Searches",
        "Replication Lag",
        "Connection Errors",
    ] {
        section(&spec, &format!("Runbook: {title}"));
        assert!(spec.triggers.iter().any(|t| t.title == title), "{title}");
    }
    // "Capacity Planning": four scales.
    let capacity = &section(&spec, "Capacity Planning").body;
    for scale in ["**Small**", "**Medium**", "**Large**", "**Enterprise**"] {
        assert!(capacity.contains(scale), "{scale}");
    }
    // "Security Hardening", "Backup & Recovery".
    section(&spec, "Security Hardening");
    section(&spec, "Backup & Recovery");

    // The guide has no contacts, escalation, rollback levels, templates,
    // criteria or sign-off. Its alerts page someone: one contact, the
    // release owner, is "not from the seed" (E1101).
    assert_eq!(spec.contacts.len(), 1);
    assert_eq!(spec.release.owner, Some(deployc::model::ContactId(0)));
    assert!(spec.escalations.is_empty() && spec.rollback_levels.is_empty());
    assert!(spec.templates.is_empty() && spec.criteria.is_empty() && spec.signoff.is_empty());
}
