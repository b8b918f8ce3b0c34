use std::path::{Path, PathBuf};
use std::process::Command;

use super::*;
use crate::emit::to_yaml;
use crate::model::{
    sample, AlertSeverity, Band, Bands, CompareOp, Condition, Contact, ContactId, Decimal,
    Escalation, Metric, MetricId, MetricUnit, NoData, SeverityId, SeverityLevel, Threshold,
    Trigger, TriggerCondition, Worse,
};

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn th(value: &str, text: &str) -> Threshold {
    Threshold {
        value: d(value),
        text: text.into(),
    }
}

fn file<'a>(files: &'a [OutputFile], path: &str) -> &'a str {
    &files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("{path} emitted"))
        .content
}

fn trigger(
    name: &str,
    metric: usize,
    op: CompareOp,
    t: Threshold,
    sustain: Duration,
    severity: usize,
) -> Trigger {
    Trigger {
        name: name.into(),
        title: name.replace('_', " "),
        description: None,
        condition: TriggerCondition::Metric {
            condition: Condition {
                metric: MetricId(metric),
                op,
                threshold: t,
            },
            sustain,
        },
        severity: SeverityId(severity),
        action: Action::Notify,
        notify: vec![],
        rollback_level: None,
    }
}

/// The sample plus every comparison, thresholds of 0, `for` of 0 and of
/// sub-minute and non-whole-minute lengths, a `<` band pair, a declared
/// severity, an escalation without `then`, a contact without any channel,
/// and template braces in a description.
pub(crate) fn variant() -> Spec {
    let mut spec = sample::spec();
    let lead = ContactId(0);
    let oncall = ContactId(1);
    spec.metrics.push(Metric {
        name: "availability".into(),
        title: "Availability".into(),
        description: None,
        query: "avg(up{job=\"api\"})".into(),
        unit: MetricUnit::Ratio,
        bands: Some(Bands {
            worse: Worse::Lower,
            normal_text: ">= 99.9%".into(),
            warning: Some(Band {
                op: CompareOp::Lt,
                threshold: th("0.999", "99.9%"),
                sustain: Duration::from_secs(90),
                text: "99%..99.9%".into(),
            }),
            critical: Some(Band {
                op: CompareOp::Lt,
                threshold: th("0.99", "99%"),
                sustain: Duration::ZERO,
                text: "< 99%".into(),
            }),
        }),
        group: "Availability".into(),
        service: None,
        no_data: NoData::Fail,
    });
    spec.metrics.push(Metric {
        name: "queue_depth".into(),
        title: "Queue depth".into(),
        description: None,
        query: "sum(queue_depth)".into(),
        unit: MetricUnit::Count,
        bands: None,
        group: "Queue".into(),
        service: None,
        no_data: NoData::Pass,
    });
    spec.severities.push(SeverityLevel {
        name: "sev4".into(),
        routes: AlertSeverity::Info,
        description: None,
        declared: true,
    });
    let mut drained = trigger(
        "queue_drained",
        3,
        CompareOp::Le,
        th("0", "0"),
        Duration::from_secs(30),
        2,
    );
    drained.notify = vec![lead];
    drained.description = Some("Check {{ the consumers }} first.".into());
    spec.triggers.push(drained);
    let mut backlog = trigger(
        "queue_backlog",
        3,
        CompareOp::Ge,
        th("500", "500"),
        Duration::from_mins(60),
        1,
    );
    backlog.action = Action::Page;
    backlog.notify = vec![oncall, lead, ContactId(2)];
    spec.triggers.push(backlog);
    spec.triggers.push(trigger(
        "queue_odd",
        3,
        CompareOp::Ne,
        th("7", "7"),
        Duration::from_mins(2),
        3,
    ));
    spec.triggers.push(trigger(
        "latency_zero",
        1,
        CompareOp::Eq,
        th("0", "0ms"),
        Duration::ZERO,
        0,
    ));
    spec.triggers.push(trigger(
        "latency_tiny",
        1,
        CompareOp::Lt,
        th("0.0005", "0.5ms"),
        Duration::from_mins(1),
        3,
    ));
    spec.contacts.push(Contact {
        name: "observer".into(),
        role: "Observer".into(),
        person: None,
        phone: None,
        chat: None,
        email: None,
        pager: None,
    });
    spec.contacts[0].pager = Some("team/ops page".into());
    spec.escalations.push(Escalation {
        severity: SeverityId(1),
        description: None,
        owner: lead,
        after: Duration::from_mins(10),
        channels: vec![],
        then: None,
    });
    spec
}

// ------------------------------------------------------------ rules.yml

#[test]
fn every_file_starts_with_the_header() {
    let spec = sample::spec();
    let files = emit(&spec);
    assert_eq!(
        files.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(),
        [RULES_PATH, PROMETHEUS_RULE_PATH, RULES_TEST_PATH]
    );
    for f in &files {
        assert!(f.content.starts_with(&header_yaml(&spec)), "{}", f.path);
    }
}

#[test]
fn recording_rules_record_each_metric_with_the_release_label() {
    let spec = sample::spec();
    let groups = rule_groups(&spec);
    assert_eq!(groups[0].name, "shop-recording");
    let records: Vec<_> = groups[0]
        .rules
        .iter()
        .map(|r| match r {
            Rule::Recording(r) => (
                r.record.as_str(),
                r.expr.as_str(),
                r.labels["release"].as_str(),
                r.labels.get("service").map(String::as_str),
            ),
            Rule::Alerting(_) => panic!("alert in the recording group"),
        })
        .collect();
    assert_eq!(
        records,
        [
            // A metric of one service records under its name too: two
            // services' metrics never share a series.
            (
                "deployc:error_rate",
                spec.metrics[0].query.as_str(),
                "shop",
                Some("api")
            ),
            (
                "deployc:p99_latency",
                spec.metrics[1].query.as_str(),
                "shop",
                None
            ),
        ]
    );
}

fn alerting(spec: &Spec) -> Vec<AlertingRule> {
    rule_groups(spec)
        .into_iter()
        .find(|g| g.name == format!("{}-alerts", spec.release.name))
        .unwrap()
        .rules
        .into_iter()
        .map(|r| match r {
            Rule::Alerting(a) => a,
            Rule::Recording(_) => panic!("recording rule in the alerts group"),
        })
        .collect()
}

#[test]
fn alert_rules_of_the_sample_exactly() {
    let spec = sample::spec();
    let rules = alerting(&spec);
    let got: Vec<_> = rules
        .iter()
        .map(|r| {
            (
                r.alert.as_str(),
                r.expr.as_str(),
                r.for_.as_deref(),
                r.labels["severity"].as_str(),
                r.labels["spec_severity"].as_str(),
                r.labels["release"].as_str(),
                r.labels["metric"].as_str(),
                r.annotations["runbook_url"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "HighErrorRate",
                "deployc:error_rate{release=\"shop\",service=\"api\"} > 0.1",
                Some("5m"),
                "warning",
                "major",
                "shop",
                "error_rate",
                "runbook.md#alert-higherrorrate"
            ),
            (
                "ErrorRateWarning",
                "deployc:error_rate{release=\"shop\",service=\"api\"} >= 0.01",
                Some("5m"),
                "warning",
                "warning",
                "shop",
                "error_rate",
                "runbook.md#alert-errorratewarning"
            ),
            (
                "ErrorRateCritical",
                "deployc:error_rate{release=\"shop\",service=\"api\"} > 0.05",
                Some("5m"),
                "critical",
                "critical",
                "shop",
                "error_rate",
                "runbook.md#alert-errorratecritical"
            ),
        ]
    );
    for r in &rules {
        assert_eq!(r.labels.len(), 4, "{}", r.alert);
        assert_eq!(
            r.annotations.keys().collect::<Vec<_>>(),
            ["contacts", "description", "runbook_url", "summary"]
        );
    }
    assert_eq!(
        rules[0].annotations["summary"],
        "High error rate: Error rate > 10% for 5 minutes"
    );
    assert_eq!(
        rules[0].annotations["description"],
        "Error rate (error_rate) has been > 10% for 5 minutes without a break. Threshold as written: > 10%; \
         as compared: deployc:error_rate{release=\"shop\",service=\"api\"} > 0.1 (unit: ratio). Action: roll back (abort the rollout and follow \
         the rollback procedure), rollback level: Version rollback. Notifies: Platform On-call (oncall)."
    );
    assert_eq!(
        rules[2].annotations["description"],
        "Error rate (error_rate) has been > 5% for 5 minutes without a break. Threshold as written: > 5%; \
         as compared: deployc:error_rate{release=\"shop\",service=\"api\"} > 0.05 (unit: ratio). This is the critical band (> 5%) of Error rate."
    );
}

#[test]
fn zero_for_is_omitted_and_braces_are_escaped() {
    let spec = variant();
    let rules = alerting(&spec);
    let zero = rules.iter().find(|r| r.alert == "LatencyZero").unwrap();
    assert_eq!(zero.for_, None);
    assert_eq!(zero.expr, "deployc:p99_latency{release=\"shop\"} == 0");
    let rules_yml = to_yaml(&RuleFile {
        groups: rule_groups(&spec),
    });
    assert!(!rules_yml.contains("for: 0s"));
    let drained = rules.iter().find(|r| r.alert == "QueueDrained").unwrap();
    assert_eq!(drained.for_.as_deref(), Some("30s"));
    assert!(
        drained.annotations["description"].contains("Check {{ \"{{\" }} the consumers }} first.")
    );
    assert_eq!(
        template_literal("a {{ b }} {{{"),
        "a {{ \"{{\" }} b }} {{ \"{{\" }}{"
    );
}

#[test]
fn the_prometheus_rule_wraps_the_same_groups() {
    let spec = sample::spec();
    let pr = prometheus_rule(&spec, rule_groups(&spec));
    assert_eq!(pr.spec.groups, rule_groups(&spec));
    assert_eq!(pr.metadata.name.as_deref(), Some("shop-deployc"));
    assert_eq!(pr.metadata.namespace.as_deref(), Some("shop"));
    let text = to_yaml(&pr);
    assert!(
        text.starts_with("apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n")
    );
    assert!(text.contains("app.kubernetes.io/managed-by: deployc"));
    // The same rule text as rules.yml, indented under spec:.
    let rules = to_yaml(&RuleFile {
        groups: rule_groups(&spec),
    });
    let indented: String = rules.lines().map(|l| format!("  {l}\n")).collect();
    assert!(text.ends_with(&format!("spec:\n{indented}")));
}

// ------------------------------------------------------- rules.test.yml

fn breaches(op: CompareOp, value: Decimal, t: Decimal) -> bool {
    match op {
        CompareOp::Lt => value < t,
        CompareOp::Le => value <= t,
        CompareOp::Gt => value > t,
        CompareOp::Ge => value >= t,
        CompareOp::Eq => value == t,
        CompareOp::Ne => value != t,
    }
}

#[test]
fn test_values_straddle_every_threshold() {
    let ops = [
        CompareOp::Lt,
        CompareOp::Le,
        CompareOp::Gt,
        CompareOp::Ge,
        CompareOp::Eq,
        CompareOp::Ne,
    ];
    for t in ["0.01", "0", "-2", "500", "0.5", "0.0005", "99.9"] {
        let t = d(t);
        for op in ops {
            let v = test_values(op, t);
            assert!(
                !breaches(op, v.initial, t),
                "{op:?} {t}: initial {}",
                v.initial
            );
            assert!(!breaches(op, v.edge, t), "{op:?} {t}: edge {}", v.edge);
            assert!(breaches(op, v.breach, t), "{op:?} {t}: breach {}", v.breach);
            // The edge and the breach sit right beside the threshold: one of
            // them is the threshold, the other within a tenth of it.
            let m = if t.is_zero() { Decimal::ONE } else { t.abs() };
            assert!(v.edge == t || v.breach == t, "{op:?} {t}");
            assert!((v.edge - v.breach).abs() <= m / Decimal::TEN, "{op:?} {t}");
        }
    }
    let v = test_values(CompareOp::Gt, d("0.01"));
    assert_eq!(
        [v.initial, v.edge, v.breach].map(decimal_text_of),
        ["0.005", "0.01", "0.011"]
    );
    let v = test_values(CompareOp::Lt, d("0"));
    assert_eq!(
        [v.initial, v.edge, v.breach].map(decimal_text_of),
        ["1", "0", "-0.1"]
    );
    let v = test_values(CompareOp::Ge, d("500"));
    assert_eq!(
        [v.initial, v.edge, v.breach].map(decimal_text_of),
        ["250", "450", "500"]
    );
}

fn decimal_text_of(v: Decimal) -> String {
    crate::model::decimal_text(v)
}

#[test]
fn one_test_group_per_alert_with_exact_timeline() {
    let spec = sample::spec();
    let tf = test_file(&spec);
    assert_eq!(tf.rule_files, ["rules.yml"]);
    assert_eq!(tf.evaluation_interval, "1m");
    let names: Vec<_> = tf
        .tests
        .iter()
        .map(|t| t.alert_rule_test[0].alertname.as_str())
        .collect();
    assert_eq!(
        names,
        ["HighErrorRate", "ErrorRateWarning", "ErrorRateCritical"]
    );
    let high = &tf.tests[0];
    // The alert's own series, then the same metric name of another
    // release and of another service, breaching all along.
    let series: Vec<_> = high
        .input_series
        .iter()
        .map(|s| s.series.as_str())
        .collect();
    assert_eq!(
        series,
        [
            "deployc:error_rate{release=\"shop\",service=\"api\"}",
            "deployc:error_rate{release=\"shop-other-release\",service=\"api\"}",
            "deployc:error_rate{release=\"shop\",service=\"api-other-service\"}",
        ]
    );
    // 3 samples clearly safe, 7 exactly at the threshold, 8 above it.
    assert_eq!(high.input_series[0].values, "0.05x2 0.1x6 0.11x7");
    let checks: Vec<_> = high
        .alert_rule_test
        .iter()
        .map(|t| (t.eval_time.as_str(), t.exp_alerts.len()))
        .collect();
    // Breach starts at 10m; `for: 5m` elapses at 15m.
    assert_eq!(checks, [("2m", 0), ("9m", 0), ("14m", 0), ("15m", 1)]);
    let fired = &high.alert_rule_test[3].exp_alerts[0];
    let rule = &alerting(&spec)[0];
    // The rule's labels and those of the series it selected.
    let mut labels = rule.labels.clone();
    labels.insert("service".into(), "api".into());
    assert_eq!(fired.exp_labels, labels);
    assert_eq!(fired.exp_annotations, rule.annotations);
    assert_eq!(high.promql_expr_test[0].exp_samples[0].value, 0.11);
    assert_eq!(tf.tests[1].input_series[0].values, "0.005x2 0.009x6 0.01x7");
}

#[test]
fn zero_for_has_no_pending_check() {
    let spec = variant();
    let tf = test_file(&spec);
    let zero = tf
        .tests
        .iter()
        .find(|t| t.alert_rule_test[0].alertname == "LatencyZero")
        .unwrap();
    assert_eq!(zero.input_series[0].values, "1x2 0.1x1 0x2");
    let checks: Vec<_> = zero
        .alert_rule_test
        .iter()
        .map(|t| (t.eval_time.as_str(), t.exp_alerts.len()))
        .collect();
    assert_eq!(checks, [("2m", 0), ("4m", 0), ("5m", 1)]);
    // 90s: fires at the second evaluation of the breach.
    let warn = tf
        .tests
        .iter()
        .find(|t| t.alert_rule_test[0].alertname == "AvailabilityWarning")
        .unwrap();
    assert_eq!(warn.input_series[0].values, "1.998x2 0.999x3 0.8991x4");
    let checks: Vec<_> = warn
        .alert_rule_test
        .iter()
        .map(|t| (t.eval_time.as_str(), t.exp_alerts.len()))
        .collect();
    assert_eq!(checks, [("2m", 0), ("6m", 0), ("8m", 0), ("9m", 1)]);
    // The annotations expected are the expanded text, braces and all.
    let drained = tf
        .tests
        .iter()
        .find(|t| t.alert_rule_test[0].alertname == "QueueDrained")
        .unwrap();
    let fired = &drained.alert_rule_test.last().unwrap().exp_alerts[0];
    assert!(fired.exp_annotations["description"].contains("Check {{ the consumers }} first."));
}

// ------------------------------------------------------ real promtool

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn scratch(label: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("deployc-prometheus-{}-{label}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn promtool(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new("promtool")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn check_with_promtool(spec: &Spec, label: &str) {
    let dir = scratch(label);
    let files = emit(spec);
    for f in &files {
        std::fs::write(
            dir.join(Path::new(&f.path).file_name().unwrap()),
            &f.content,
        )
        .unwrap();
    }
    let (ok, out) = promtool(&dir, &["check", "rules", "rules.yml"]);
    assert!(ok, "promtool check rules: {out}");
    let (ok, out) = promtool(&dir, &["test", "rules", "rules.test.yml"]);
    assert!(ok, "promtool test rules: {out}");

    // The PrometheusRule's spec is a valid rule file too.
    let pr: serde_json::Value = serde_saphyr::from_str(file(&files, PROMETHEUS_RULE_PATH)).unwrap();
    std::fs::write(dir.join("spec.yml"), to_yaml(&pr["spec"])).unwrap();
    let (ok, out) = promtool(&dir, &["check", "rules", "spec.yml"]);
    assert!(ok, "promtool check rules (PrometheusRule spec): {out}");

    // The tests can fail: every alert's threshold moved up or down by a
    // tenth, its comparison negated or made inclusive/exclusive, or its
    // `for` a minute longer, or its series read without the release and
    // service matchers (so another release's breach fires it), makes
    // promtool fail that alert's test group. Each kind of mutation is applied to every alert at once (each test
    // group asserts only its own alert) and promtool must name each one.
    let rules = file(&files, RULES_PATH).to_string();
    let mut mutated: Vec<(String, Vec<String>)> = vec![(rules.clone(), vec![]); 6];
    for rule in alerting(spec) {
        let a = alerts(spec)
            .into_iter()
            .find(|a| a.name == rule.alert)
            .unwrap();
        let t = a.threshold.value;
        let m = if t.is_zero() { Decimal::ONE } else { t.abs() };
        let series = a.selector();
        let flipped = match a.op {
            CompareOp::Gt => Some(CompareOp::Ge),
            CompareOp::Ge => Some(CompareOp::Gt),
            CompareOp::Lt => Some(CompareOp::Le),
            CompareOp::Le => Some(CompareOp::Lt),
            _ => None,
        };
        let exprs = [
            Some(format!(
                "{series} {} {}",
                a.op.as_str(),
                decimal_text_of(t + m / Decimal::TEN)
            )),
            Some(format!(
                "{series} {} {}",
                a.op.as_str(),
                decimal_text_of(t - m / Decimal::TEN)
            )),
            Some(format!(
                "{series} {} {}",
                a.op.negate().as_str(),
                a.threshold.value_text()
            )),
            flipped.map(|f| format!("{series} {} {}", f.as_str(), a.threshold.value_text())),
        ];
        let unscoped = format!(
            "{} {} {}",
            a.metric.recorded_series(),
            a.op.as_str(),
            a.threshold.value_text()
        );
        let (text, names) = &mut mutated[5];
        *text = text.replace(
            &expr_line_of(&rule),
            &format!("alert: {}\n    expr: {unscoped}\n", rule.alert),
        );
        names.push(rule.alert.clone());
        let expr_line = expr_line_of(&rule);
        assert!(rules.contains(&expr_line), "{expr_line}");
        for (k, e) in exprs.iter().enumerate() {
            if let Some(e) = e {
                let (text, names) = &mut mutated[k];
                *text = text.replace(
                    &expr_line,
                    &format!("alert: {}\n    expr: {e}\n", rule.alert),
                );
                names.push(rule.alert.clone());
            }
        }
        let for_line = |f: &str| {
            format!(
                "alert: {}\n    expr: {}\n    for: {f}\n",
                rule.alert, rule.expr
            )
        };
        let longer = Duration::from_millis(a.sustain.millis + 60_000).prometheus();
        let (text, names) = &mut mutated[4];
        *text = match &rule.for_ {
            Some(f) => text.replace(&for_line(f), &for_line(&longer)),
            None => text.replace(&expr_line, &for_line(&longer)),
        };
        names.push(rule.alert.clone());
    }
    for (k, (mutant, names)) in mutated.iter().enumerate() {
        std::fs::write(dir.join("rules.yml"), mutant).unwrap();
        let (ok, out) = promtool(&dir, &["test", "rules", "rules.test.yml"]);
        assert_ne!(mutant, &rules, "mutation {k} applied");
        assert!(!ok, "mutation {k} went unnoticed:\n{mutant}");
        if k == 5 {
            // An unscoped alert fails its group with an evaluation error
            // ("same labelset after applying alert labels"), and promtool
            // stops at the first group that errs: one name is enough.
            assert!(
                names
                    .iter()
                    .any(|n| out.contains(&format!("alertname: {n},"))),
                "unscoped alerts went unnoticed:\n{out}"
            );
            continue;
        }
        for name in names {
            assert!(
                out.contains(&format!("alertname: {name},")),
                "mutation {k} of {name} went unnoticed:\n{out}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn expr_line_of(rule: &AlertingRule) -> String {
    format!("alert: {}\n    expr: {}\n", rule.alert, rule.expr)
}

#[test]
fn promtool_accepts_the_sample_and_catches_mutations() {
    if !have("promtool") {
        eprintln!("promtool not found: skipped");
        return;
    }
    check_with_promtool(&sample::spec(), "sample");
}

#[test]
fn promtool_accepts_the_variant_and_catches_mutations() {
    if !have("promtool") {
        eprintln!("promtool not found: skipped");
        return;
    }
    check_with_promtool(&variant(), "variant");
}

/// The specs of the repository's `specs/` folder, checked.
pub(crate) fn seed_specs() -> Vec<Spec> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("specs");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return vec![];
    };
    let mut paths: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "deploy"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let name = format!("specs/{}", p.file_name().unwrap().to_string_lossy());
            let (_, checked) = crate::check_bytes(&name, &std::fs::read(p).unwrap());
            checked.spec.unwrap_or_else(|| panic!("{name} checks"))
        })
        .collect()
}

#[test]
fn promtool_accepts_the_seed_specs() {
    if !have("promtool") {
        eprintln!("promtool not found: skipped");
        return;
    }
    for spec in seed_specs() {
        let dir = scratch(spec.stem());
        for f in emit(&spec) {
            std::fs::write(
                dir.join(Path::new(&f.path).file_name().unwrap()),
                &f.content,
            )
            .unwrap();
        }
        let (ok, out) = promtool(&dir, &["check", "rules", "rules.yml"]);
        assert!(ok, "{}: promtool check rules: {out}", spec.source);
        let (ok, out) = promtool(&dir, &["test", "rules", "rules.test.yml"]);
        assert!(ok, "{}: promtool test rules: {out}", spec.source);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Writes the variant's files under $DEPLOYC_DUMP (for running tools by hand).
#[test]
#[ignore]
fn dump_variant() {
    let dir = std::env::var("DEPLOYC_DUMP").expect("DEPLOYC_DUMP");
    let spec = variant();
    for f in emit(&spec)
        .into_iter()
        .chain(crate::emit::alertmanager::emit(&spec))
    {
        let path = Path::new(&dir).join(&f.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, f.content).unwrap();
    }
}
