//! One value, every artifact: for every spec in specs/, each threshold and
//! window appears with the same canonical value in the Prometheus alert, the
//! Argo analysis, the Grafana threshold step and the runbook. Read back from
//! the generated files, not from the emitters' code.

use std::collections::BTreeMap;

use deployc::emit::{alerts::alerts, emit_all};
use deployc::model::{Gate, Spec, Step, TriggerCondition};
use serde_json::Value;

fn specs() -> Vec<Spec> {
    let mut out = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir("specs")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    for p in paths {
        let name = format!("specs/{}", p.file_name().unwrap().to_string_lossy());
        let text = std::fs::read_to_string(&p).unwrap();
        let checked = deployc::check_source(&deployc::source::SourceFile::new(name, text));
        out.push(checked.spec.expect("every spec in specs/ checks"));
    }
    assert!(out.len() >= 4);
    out
}

fn files(spec: &Spec) -> BTreeMap<String, String> {
    emit_all(spec)
        .into_iter()
        .map(|f| (f.path, f.content))
        .collect()
}

fn yaml(text: &str) -> Value {
    serde_saphyr::from_str(text).expect("generated YAML parses")
}

/// Every alerting rule of rules.yml: name → (expr, for).
fn rules(files: &BTreeMap<String, String>) -> BTreeMap<String, (String, String)> {
    let doc = yaml(&files["prometheus/rules.yml"]);
    let mut out = BTreeMap::new();
    for group in doc["groups"].as_array().unwrap() {
        for rule in group["rules"].as_array().unwrap() {
            if let Some(name) = rule["alert"].as_str() {
                let for_ = rule["for"].as_str().unwrap_or("0s").to_string();
                out.insert(
                    name.to_string(),
                    (rule["expr"].as_str().unwrap().to_string(), for_),
                );
            }
        }
    }
    out
}

/// Every metric of every AnalysisTemplate.
fn analysis_metrics(files: &BTreeMap<String, String>) -> Vec<Value> {
    files
        .iter()
        .filter(|(p, _)| p.starts_with("rollouts/analysistemplate-"))
        .flat_map(|(_, c)| yaml(c)["spec"]["metrics"].as_array().unwrap().clone())
        .collect()
}

#[test]
fn alerts_carry_the_spec_values() {
    for spec in specs() {
        let files = files(&spec);
        let rules = rules(&files);
        let runbook = &files["runbook.md"];
        for alert in alerts(&spec) {
            let (expr, for_) = rules
                .get(&alert.name)
                .unwrap_or_else(|| panic!("{}: no rule {}", spec.source, alert.name));
            let tail = format!(" {} {}", alert.op.as_str(), alert.threshold.value_text());
            assert!(
                expr.ends_with(&tail),
                "{}: {} expr {expr:?} does not end with {tail:?}",
                spec.source,
                alert.name
            );
            assert_eq!(
                for_,
                &alert.sustain.prometheus(),
                "{}: {} for",
                spec.source,
                alert.name
            );
            assert!(
                runbook.contains(&format!("### {}", alert.runbook_heading())),
                "{}: runbook lacks {}",
                spec.source,
                alert.name
            );
            assert!(
                runbook.contains(&alert.threshold.value_text()),
                "{}: runbook lacks {}",
                spec.source,
                alert.threshold.value_text()
            );
        }
    }
}

#[test]
fn bands_agree_in_rules_dashboards_and_runbook() {
    let mut checked = 0;
    for spec in specs() {
        let files = files(&spec);
        let rules = rules(&files);
        let runbook = &files["runbook.md"];
        for m in &spec.metrics {
            let Some(bands) = &m.bands else { continue };
            for (level, band) in [("Warning", &bands.warning), ("Critical", &bands.critical)] {
                let Some(band) = band else { continue };
                let value = band.threshold.value_text();
                // The alert: the band's own, unless a trigger watches the
                // same edge, whose alert is then the only one.
                if !spec.trigger_watches(m, band) {
                    let name = format!("{}{level}", deployc::model::names::pascal_case(&m.name));
                    let (expr, for_) = &rules[&name];
                    assert!(
                        expr.ends_with(&format!("{} {value}", band.op.as_str())),
                        "{name}: {expr}"
                    );
                    assert_eq!(for_, &band.sustain.prometheus());
                }
                // On the dashboard, an exclusive edge starts at the next
                // float64 above the threshold (see emit::grafana).
                let t: f64 = value.parse().unwrap();
                let above = f64::from_bits(t.to_bits() + 1).to_string();
                // The dashboard of every service that shows the metric.
                let dashboards: Vec<&String> = files
                    .iter()
                    .filter(|(p, _)| p.starts_with("grafana/"))
                    .filter(|(p, _)| {
                        m.service.is_none_or(|s| {
                            p.contains(&deployc::model::names::kebab_case(&spec.service(s).name))
                        })
                    })
                    .map(|(_, c)| c)
                    .collect();
                assert!(
                    !dashboards.is_empty(),
                    "{}: no dashboard shows {}",
                    spec.source,
                    m.name
                );
                for d in dashboards {
                    let json: Value = serde_json::from_str(d).unwrap();
                    let panel = json["panels"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|p| p["title"] == m.title.as_str())
                        .unwrap_or_else(|| panic!("{}: no panel {}", spec.source, m.title));
                    let steps: Vec<String> = panel["fieldConfig"]["defaults"]["thresholds"]
                        ["steps"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter(|s| !s["value"].is_null())
                        .map(|s| s["value"].to_string())
                        .collect();
                    assert!(
                        steps.contains(&value) || steps.contains(&above),
                        "{}: {} steps {steps:?} lack {value}",
                        spec.source,
                        m.title
                    );
                }
                // The runbook's thresholds row: as written, and as compared.
                let row = runbook
                    .lines()
                    .find(|l| {
                        l.starts_with('|')
                            && l.contains(&format!("(`{}`)", m.name))
                            && l.contains("alert on")
                    })
                    .unwrap_or_else(|| panic!("{}: no thresholds row for {}", spec.source, m.name));
                assert!(
                    row.contains(&format!("`{} {value}`", band.op.as_str())),
                    "{}: row {row}",
                    spec.source
                );
                assert!(
                    row.contains(&band.sustain.human()),
                    "{}: row {row} lacks {}",
                    spec.source,
                    band.sustain.human()
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 10, "only {checked} bands checked");
}

#[test]
fn gates_agree_in_analysis_and_runbook() {
    let mut checked = 0;
    for spec in specs() {
        let files = files(&spec);
        let metrics = analysis_metrics(&files);
        let runbook = &files["runbook.md"];
        for (_, gate) in spec.metric_gates() {
            let m = spec.metric(gate.condition.metric);
            let value = gate.condition.threshold.value_text();
            let comparison = format!("result[0] {} {value}", gate.condition.op.as_str());
            let found = metrics.iter().any(|a| {
                a["successCondition"]
                    .as_str()
                    .is_some_and(|c| c.contains(&comparison))
                    && a["interval"].as_str() == Some(gate.interval.go().as_str())
                    && a["count"].as_u64() == Some(gate.count())
                    && a["failureLimit"].as_u64() == Some(gate.failure_limit())
                    && a["provider"]["prometheus"]["query"].as_str().map(normalize)
                        == Some(normalize(&m.query))
            });
            assert!(
                found,
                "{}: no analysis measures {} {comparison} every {} x{}",
                spec.source,
                m.name,
                gate.interval.go(),
                gate.count()
            );
            let line = format!(
                "`{} {} {}` (compared as {value}) held for {}",
                m.name,
                gate.condition.op.as_str(),
                gate.condition.threshold.text,
                gate.window.human()
            );
            assert!(
                runbook.contains(&line),
                "{}: runbook lacks {line:?}",
                spec.source
            );
            checked += 1;
        }
    }
    assert!(checked >= 5, "only {checked} gates checked");
}

#[test]
fn aborting_triggers_agree_in_background_analysis() {
    let mut checked = 0;
    for spec in specs() {
        let files = files(&spec);
        let metrics = analysis_metrics(&files);
        let canary_rollouts = spec.services.iter().any(|s| {
            s.workload() == deployc::model::WorkloadKind::Rollout
                && s.strategy == deployc::model::Strategy::Canary
        });
        for t in &spec.triggers {
            let TriggerCondition::Metric { condition, sustain } = &t.condition else {
                continue;
            };
            if !t.action.aborts() || !canary_rollouts || sustain.millis == 0 {
                continue;
            }
            let value = condition.threshold.value_text();
            let window = format!("[{}:", sustain.go());
            let found = metrics.iter().any(|a| {
                let q = a["provider"]["prometheus"]["query"].as_str().unwrap_or("");
                let f = a["failureCondition"].as_str().unwrap_or("");
                q.contains(&window) && f.contains(&format!("{} {value}", condition.op.as_str()))
            });
            assert!(
                found,
                "{}: trigger {} has no background analysis over {window} against {value}",
                spec.source, t.name
            );
            checked += 1;
        }
    }
    assert!(checked >= 2, "only {checked} triggers checked");
}

/// Folded YAML scalars turn line breaks into spaces; compare queries by words.
fn normalize(q: &str) -> String {
    q.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every phase, gate, trigger, threshold, contact, template and criterion of
/// each seed spec is in its runbook.
#[test]
fn runbooks_carry_every_fact_of_the_model() {
    for spec in specs() {
        let files = files(&spec);
        let rb = &files["runbook.md"];
        let has = |what: &str, text: &str| {
            // The runbook escapes markdown punctuation; compare without it.
            let plain = |s: &str| s.replace('\\', "");
            assert!(
                plain(rb).contains(&plain(text)),
                "{}: runbook lacks {what} {text:?}",
                spec.source
            );
        };
        for p in &spec.phases {
            has("phase", &p.title);
            for step in &p.steps {
                match step {
                    Step::Check(c) => {
                        has("check", c.text.trim_end_matches(['.', ':']));
                        if let Some(cmd) = &c.command {
                            for line in cmd.lines().filter(|l| !l.trim().is_empty()) {
                                has("command line", line.trim_end());
                            }
                        }
                    }
                    Step::Gate(Gate::Http { url, expect, .. }) => {
                        has("http gate", url);
                        has("expected status", &expect.to_string());
                    }
                    Step::Gate(Gate::Smoke { command, .. }) => {
                        has("smoke command", command.lines().next().unwrap_or(""))
                    }
                    Step::Gate(Gate::Approval { approvers }) => {
                        for a in approvers {
                            has("approver", &spec.contact(*a).role);
                        }
                    }
                    Step::Gate(Gate::Metric(g)) => {
                        has("gate threshold", &g.condition.threshold.text)
                    }
                    Step::Traffic(_) => {}
                }
            }
        }
        for t in &spec.triggers {
            has("trigger", &t.title);
            if let TriggerCondition::Observed(text) = &t.condition {
                has("observed condition", text);
            }
        }
        for c in &spec.contacts {
            has("contact", &c.role);
            for v in [&c.person, &c.phone, &c.chat, &c.email, &c.pager]
                .into_iter()
                .flatten()
            {
                has("contact detail", v);
            }
        }
        for t in &spec.templates {
            has("template", &t.title);
            for line in t.body.lines().filter(|l| !l.trim().is_empty()) {
                has("template line", line.trim_end());
            }
        }
        for c in &spec.criteria {
            has("criterion", &c.title);
        }
        for l in &spec.rollback_levels {
            has("rollback level", &l.title);
            has("data impact", &l.data_impact);
            for s in &l.steps {
                has("rollback step", &s.text);
            }
        }
        for m in &spec.metrics {
            if let Some(b) = &m.bands {
                has("normal band", &b.normal_text);
                for band in [&b.warning, &b.critical].into_iter().flatten() {
                    has("band", &band.text);
                }
            }
        }
        for e in &spec.escalations {
            has("escalation owner", &spec.contact(e.owner).role);
            has("escalation delay", &e.after.human());
        }
        for id in &spec.signoff {
            has("sign-off role", &spec.contact(*id).role);
        }
        for s in &spec.sections {
            has("section", &s.title);
        }
    }
}
