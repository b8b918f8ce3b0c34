//! Emitter: `alertmanager/alertmanager.yml`, an Alertmanager (0.25+) config
//! that routes the alerts of [`alerts`] to the spec's contacts.
//!
//! # Receivers
//! One per contact, named after it, with `email_configs` when it has an
//! email, `slack_configs` (channel = its chat handle) when it has a chat
//! handle and `pagerduty_configs` when it has a pager; a contact with none of
//! these still gets a receiver, without integrations. `deployc-default` is a
//! receiver without integrations for whatever reaches the root route.
//!
//! Secrets are never inline: the Slack webhook URL is read from
//! [`SLACK_API_URL_FILE`] and each pager's PagerDuty routing key from
//! `/etc/alertmanager/secrets/pagerduty-<pager>`. SMTP settings are the
//! placeholders [`SMTP_SMARTHOST`] and `alertmanager@<release>.invalid`, which
//! make the config valid and must be replaced where it is deployed.
//!
//! # Routes
//! Every alert carries `release`, `severity` (critical, warning or info: what
//! Alertmanager stacks route on) and `spec_severity` (the spec's own word, or
//! the band level `warning`/`critical`). Below the root (`deployc-default`,
//! grouping by `alertname` and `release`), in order:
//!
//! 1. For each metric trigger, one route per `notify` contact, matching its
//!    `alertname`, with `continue: true`: those contacts are told at once,
//!    besides whoever handles the severity. A contact that already handles
//!    the alert first hand is not told twice.
//! 2. For each severity level with an `escalation`, matching
//!    `spec_severity`: the escalation owner's route; then, when the
//!    escalation names `then`, a second route for the same matchers to that
//!    contact with `group_wait: <after>` (the owner's route has
//!    `continue: true` so both apply). Alertmanager has no acknowledgement
//!    and no "escalate after" field: waiting `after` before the first
//!    notification of that route means the `then` contact hears of the alert
//!    only if it is still firing after `after`; resolved before, nothing is
//!    sent to them. Silencing the alert (the Alertmanager way to acknowledge
//!    it) stops both routes. Its `repeat_interval` is `after`, rounded up to
//!    a multiple of the group interval ([`GROUP_INTERVAL`]), since
//!    Alertmanager cannot repeat more often than that.
//! 3. For alerts whose `spec_severity` has no escalation (a band's `warning`,
//!    or a level without one): the same pair of routes matching `severity`,
//!    for each routing severity that some escalated level routes to (the
//!    first such escalation in the spec).
//! 4. Whatever is left of the release goes to the release owner.
//!
//! # Inhibition
//! For each metric with a warning band, any `severity="critical"` alert on
//! the same metric and release mutes that band's warning alert. Only the
//! band alert is muted, never a trigger's alert: a trigger's people must
//! hear of it even when a critical band of its metric fires.

use serde::Serialize;

use super::alerts::{alerts, contacts, handlers, Alert, AlertOrigin};
use super::{header_yaml, yaml_file, OutputFile};
use crate::model::{AlertSeverity, Contact, ContactId, Duration, Escalation, Spec};

pub const PATH: &str = "alertmanager/alertmanager.yml";
/// The receiver of the root route, without integrations.
pub const DEFAULT_RECEIVER: &str = "deployc-default";
/// Placeholder: an SMTP relay reachable from Alertmanager.
pub const SMTP_SMARTHOST: &str = "localhost:25";
pub const SLACK_API_URL_FILE: &str = "/etc/alertmanager/secrets/slack-api-url";
pub const SECRETS_DIR: &str = "/etc/alertmanager/secrets";
pub const GROUP_WAIT: Duration = Duration::from_secs(30);
pub const GROUP_INTERVAL: Duration = Duration::from_mins(5);
pub const REPEAT_INTERVAL: Duration = Duration::from_mins(4 * 60);

pub fn emit(spec: &Spec) -> Vec<OutputFile> {
    vec![OutputFile::new(
        PATH,
        yaml_file(header_yaml(spec), &config(spec)),
    )]
}

// ------------------------------------------------------------------ types

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Config {
    pub global: Global,
    pub route: Route,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inhibit_rules: Vec<InhibitRule>,
    pub receivers: Vec<Receiver>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Global {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smtp_smarthost: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smtp_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slack_api_url_file: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Route {
    pub receiver: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub group_by: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub matchers: Vec<String>,
    #[serde(rename = "continue", skip_serializing_if = "std::ops::Not::not")]
    pub continue_: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_wait: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_interval: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repeat_interval: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<Route>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InhibitRule {
    pub source_matchers: Vec<String>,
    pub target_matchers: Vec<String>,
    pub equal: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Receiver {
    pub name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub email_configs: Vec<EmailConfig>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub slack_configs: Vec<SlackConfig>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pagerduty_configs: Vec<PagerdutyConfig>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmailConfig {
    pub to: String,
    pub send_resolved: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlackConfig {
    pub channel: String,
    pub send_resolved: bool,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PagerdutyConfig {
    pub routing_key_file: String,
    pub severity: String,
}

/// The Slack message body: each alert's summary, description and runbook.
const SLACK_TEXT: &str = "{{ range .Alerts }}*{{ .Annotations.summary }}*\n{{ .Annotations.description }}\nRunbook: {{ .Annotations.runbook_url }}\n{{ end }}";

// ---------------------------------------------------------------- building

/// `name="value"`, quoted the way Alertmanager's matcher parser reads it.
pub fn matcher(name: &str, value: &str) -> String {
    let v = value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n");
    format!("{name}=\"{v}\"")
}

/// The receiver name of a contact.
pub fn receiver_name(spec: &Spec, id: ContactId) -> String {
    spec.contact(id).name.clone()
}

/// `pagerduty-<pager>`, with anything but `[A-Za-z0-9._-]` as `-`.
pub fn pagerduty_key_file(pager: &str) -> String {
    let safe: String = pager
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("{SECRETS_DIR}/pagerduty-{safe}")
}

fn receiver(contact: &Contact) -> Receiver {
    Receiver {
        name: contact.name.clone(),
        email_configs: contact
            .email
            .iter()
            .map(|to| EmailConfig {
                to: to.clone(),
                send_resolved: true,
            })
            .collect(),
        slack_configs: contact
            .chat
            .iter()
            .map(|c| SlackConfig {
                channel: c.clone(),
                send_resolved: true,
                text: SLACK_TEXT.into(),
            })
            .collect(),
        pagerduty_configs: contact
            .pager
            .iter()
            .map(|p| PagerdutyConfig {
                routing_key_file: pagerduty_key_file(p),
                severity: "{{ .CommonLabels.severity }}".into(),
            })
            .collect(),
    }
}

/// The escalation that handles alerts of a spec severity word: the first
/// escalation of the level of that name.
fn escalation_for_level<'a>(spec: &'a Spec, spec_severity: &str) -> Option<&'a Escalation> {
    spec.escalations
        .iter()
        .find(|e| spec.severity(e.severity).name == spec_severity)
}

/// The escalation that handles alerts of a routing severity when their spec
/// severity has none: the first escalation whose level routes to it.
fn escalation_for_routing(spec: &Spec, severity: AlertSeverity) -> Option<&Escalation> {
    spec.escalations
        .iter()
        .find(|e| spec.severity(e.severity).routes == severity)
}

/// The escalation handling `alert`, if any.
fn escalation_of<'a>(spec: &'a Spec, alert: &Alert<'_>) -> Option<&'a Escalation> {
    escalation_for_level(spec, alert.spec_severity)
        .or_else(|| escalation_for_routing(spec, alert.severity))
}

/// `after`, rounded up to a whole number of group intervals (at least one).
pub fn escalation_repeat(after: Duration) -> Duration {
    let n = after.millis.div_ceil(GROUP_INTERVAL.millis).max(1);
    Duration::from_millis(n * GROUP_INTERVAL.millis)
}

/// The owner route (and the delayed `then` route) of an escalation.
fn escalation_routes(spec: &Spec, escalation: &Escalation, matchers: Vec<String>) -> Vec<Route> {
    let then = escalation.then.filter(|t| *t != escalation.owner);
    let mut routes = vec![Route {
        receiver: receiver_name(spec, escalation.owner),
        matchers: matchers.clone(),
        continue_: then.is_some(),
        ..Route::default()
    }];
    if let Some(then) = then {
        routes.push(Route {
            receiver: receiver_name(spec, then),
            matchers,
            group_wait: Some(escalation.after.prometheus()),
            repeat_interval: Some(escalation_repeat(escalation.after).prometheus()),
            ..Route::default()
        });
    }
    routes
}

/// Who first hears of `alert` through its severity: the escalation owner,
/// else the release owner.
fn first_hand(spec: &Spec, alert: &Alert<'_>) -> Option<ContactId> {
    escalation_of(spec, alert)
        .map(|e| e.owner)
        .or(spec.release.owner)
}

/// The `notify` contacts of a trigger alert that get a route of their own.
fn notified(spec: &Spec, alert: &Alert<'_>) -> Vec<ContactId> {
    let AlertOrigin::Trigger(trigger) = &alert.origin else {
        return vec![];
    };
    let first = first_hand(spec, alert);
    let mut out: Vec<ContactId> = Vec::new();
    for c in &trigger.notify {
        if Some(*c) != first && !out.contains(c) {
            out.push(*c);
        }
    }
    out
}

pub fn route(spec: &Spec) -> Route {
    route_of(spec, &alerts(spec))
}

/// [`route`] for the spec's alerts, `all`, derived once by the caller.
fn route_of(spec: &Spec, all: &[Alert<'_>]) -> Route {
    let release = matcher("release", &spec.release.name);
    let mut routes = Vec::new();
    for alert in all {
        for c in notified(spec, alert) {
            routes.push(Route {
                receiver: receiver_name(spec, c),
                matchers: vec![release.clone(), matcher("alertname", &alert.name)],
                continue_: true,
                ..Route::default()
            });
        }
    }
    let mut levels_done: Vec<&str> = Vec::new();
    for level in &spec.severities {
        if levels_done.contains(&level.name.as_str()) {
            continue;
        }
        if let Some(e) = escalation_for_level(spec, &level.name) {
            levels_done.push(&level.name);
            routes.extend(escalation_routes(
                spec,
                e,
                vec![release.clone(), matcher("spec_severity", &level.name)],
            ));
        }
    }
    for severity in [
        AlertSeverity::Critical,
        AlertSeverity::Warning,
        AlertSeverity::Info,
    ] {
        if let Some(e) = escalation_for_routing(spec, severity) {
            routes.extend(escalation_routes(
                spec,
                e,
                vec![release.clone(), matcher("severity", severity.as_str())],
            ));
        }
    }
    if let Some(owner) = spec.release.owner {
        routes.push(Route {
            receiver: receiver_name(spec, owner),
            matchers: vec![release],
            ..Route::default()
        });
    }
    Route {
        receiver: DEFAULT_RECEIVER.into(),
        group_by: vec!["alertname".into(), "release".into()],
        group_wait: Some(GROUP_WAIT.prometheus()),
        group_interval: Some(GROUP_INTERVAL.prometheus()),
        repeat_interval: Some(REPEAT_INTERVAL.prometheus()),
        routes,
        ..Route::default()
    }
}

pub fn inhibit_rules(spec: &Spec) -> Vec<InhibitRule> {
    inhibit_rules_of(spec, &alerts(spec))
}

/// [`inhibit_rules`] for the spec's alerts, derived once by the caller.
fn inhibit_rules_of(spec: &Spec, all: &[Alert<'_>]) -> Vec<InhibitRule> {
    all.iter()
        .filter(|a| {
            matches!(
                a.origin,
                AlertOrigin::Band {
                    level: "warning",
                    ..
                }
            )
        })
        .filter(|w| {
            all.iter()
                .any(|c| c.severity == AlertSeverity::Critical && c.metric.name == w.metric.name)
        })
        .map(|w| InhibitRule {
            source_matchers: vec![
                matcher("release", &spec.release.name),
                matcher("metric", &w.metric.name),
                matcher("severity", AlertSeverity::Critical.as_str()),
            ],
            target_matchers: vec![
                matcher("release", &spec.release.name),
                matcher("alertname", &w.name),
            ],
            equal: vec!["release".into(), "metric".into()],
        })
        .collect()
}

pub fn config(spec: &Spec) -> Config {
    let all = alerts(spec);
    let email = spec.contacts.iter().any(|c| c.email.is_some());
    let chat = spec.contacts.iter().any(|c| c.chat.is_some());
    let mut receivers = vec![Receiver {
        name: DEFAULT_RECEIVER.into(),
        email_configs: vec![],
        slack_configs: vec![],
        pagerduty_configs: vec![],
    }];
    receivers.extend(spec.contacts.iter().map(receiver));
    Config {
        global: Global {
            smtp_smarthost: email.then(|| SMTP_SMARTHOST.into()),
            smtp_from: email.then(|| format!("alertmanager@{}.invalid", spec.release.name)),
            slack_api_url_file: chat.then(|| SLACK_API_URL_FILE.into()),
        },
        route: route_of(spec, &all),
        inhibit_rules: inhibit_rules_of(spec, &all),
        receivers,
    }
}

/// Alert labels, as `(name, value)` pairs.
pub type LabelSet = Vec<(String, String)>;
/// A label set and the receivers it must reach, in order.
pub type ExpectedRoute = (LabelSet, Vec<String>);

/// For each alert of the spec, and for each severity level (with no
/// `alertname`), the labels it carries and the receivers Alertmanager must
/// pick for it, in the order `amtool config routes test` prints them.
/// Worked out from the spec's meaning, not from the route tree, so a test
/// comparing the two can fail.
pub fn expected_routes(spec: &Spec) -> Vec<ExpectedRoute> {
    let release = spec.release.name.clone();
    let mut out = Vec::new();
    for a in alerts(spec) {
        let mut labels = vec![
            ("alertname".to_string(), a.name.clone()),
            ("metric".to_string(), a.metric.name.clone()),
            ("release".to_string(), release.clone()),
            ("severity".to_string(), a.severity.as_str().to_string()),
            ("spec_severity".to_string(), a.spec_severity.to_string()),
        ];
        if let Some(service) = a.service {
            labels.push(("service".to_string(), service.to_string()));
            labels.sort();
        }
        let mut receivers: Vec<String> = contacts(spec, &a)
            .into_iter()
            .map(|c| spec.contact(c).name.clone())
            .collect();
        if receivers.is_empty() {
            receivers.push(DEFAULT_RECEIVER.into());
        }
        out.push((labels, receivers));
    }
    for level in &spec.severities {
        let labels = vec![
            ("release".to_string(), release.clone()),
            ("severity".to_string(), level.routes.as_str().to_string()),
            ("spec_severity".to_string(), level.name.clone()),
        ];
        let mut receivers: Vec<String> = handlers(spec, &level.name, level.routes)
            .into_iter()
            .map(|c| spec.contact(c).name.clone())
            .collect();
        if receivers.is_empty() {
            receivers.push(DEFAULT_RECEIVER.into());
        }
        out.push((labels, receivers));
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};
    use std::process::Command;

    use super::*;
    use crate::emit::prometheus::tests::variant;
    use crate::emit::to_yaml;
    use crate::model::sample;

    fn summary(r: &Route) -> (String, Vec<String>, bool, Option<String>, Option<String>) {
        (
            r.receiver.clone(),
            r.matchers.clone(),
            r.continue_,
            r.group_wait.clone(),
            r.repeat_interval.clone(),
        )
    }

    fn s(v: &str) -> String {
        v.to_string()
    }

    #[test]
    fn receivers_per_contact_without_inline_secrets() {
        let spec = sample::spec();
        let c = config(&spec);
        assert_eq!(
            c.receivers
                .iter()
                .map(|r| r.name.as_str())
                .collect::<Vec<_>>(),
            ["deployc-default", "lead", "oncall"]
        );
        let lead = &c.receivers[1];
        assert_eq!(
            lead.email_configs,
            [EmailConfig {
                to: s("ana@example.com"),
                send_resolved: true
            }]
        );
        assert_eq!(
            lead.slack_configs
                .iter()
                .map(|c| c.channel.as_str())
                .collect::<Vec<_>>(),
            ["@ana"]
        );
        assert!(lead.pagerduty_configs.is_empty());
        let oncall = &c.receivers[2];
        assert!(oncall.email_configs.is_empty());
        assert_eq!(oncall.slack_configs[0].channel, "@platform-oncall");
        assert_eq!(
            oncall.pagerduty_configs[0].routing_key_file,
            "/etc/alertmanager/secrets/pagerduty-platform-oncall"
        );
        assert_eq!(
            c.global,
            Global {
                smtp_smarthost: Some(s("localhost:25")),
                smtp_from: Some(s("alertmanager@shop.invalid")),
                slack_api_url_file: Some(s("/etc/alertmanager/secrets/slack-api-url")),
            }
        );
        let text = to_yaml(&c);
        for inline in ["api_url:", "routing_key:", "service_key:", "auth_password:"] {
            assert!(!text.contains(inline), "{inline}");
        }
        // A contact with no channel still gets a receiver, with no integration.
        let v = config(&variant());
        let observer = v.receivers.iter().find(|r| r.name == "observer").unwrap();
        assert!(observer.email_configs.is_empty() && observer.slack_configs.is_empty());
        assert!(observer.pagerduty_configs.is_empty());
        assert!(to_yaml(&v).contains("- name: observer\n"));
        let lead = v.receivers.iter().find(|r| r.name == "lead").unwrap();
        assert_eq!(
            lead.pagerduty_configs[0].routing_key_file,
            "/etc/alertmanager/secrets/pagerduty-team-ops-page"
        );
    }

    #[test]
    fn global_settings_only_for_integrations_in_use() {
        let mut spec = sample::spec();
        for c in &mut spec.contacts {
            c.email = None;
            c.chat = None;
        }
        assert_eq!(config(&spec).global, Global::default());
    }

    #[test]
    fn route_tree_of_the_sample() {
        let spec = sample::spec();
        let r = route(&spec);
        assert_eq!(r.receiver, "deployc-default");
        assert_eq!(r.group_by, ["alertname", "release"]);
        assert!(r.matchers.is_empty());
        let rel = s("release=\"shop\"");
        assert_eq!(
            r.routes.iter().map(summary).collect::<Vec<_>>(),
            [
                (
                    s("oncall"),
                    vec![rel.clone(), s("alertname=\"HighErrorRate\"")],
                    true,
                    None,
                    None
                ),
                (
                    s("oncall"),
                    vec![rel.clone(), s("spec_severity=\"critical\"")],
                    true,
                    None,
                    None
                ),
                (
                    s("lead"),
                    vec![rel.clone(), s("spec_severity=\"critical\"")],
                    false,
                    Some(s("1m")),
                    Some(s("5m"))
                ),
                (
                    s("oncall"),
                    vec![rel.clone(), s("severity=\"critical\"")],
                    true,
                    None,
                    None
                ),
                (
                    s("lead"),
                    vec![rel.clone(), s("severity=\"critical\"")],
                    false,
                    Some(s("1m")),
                    Some(s("5m"))
                ),
                (s("lead"), vec![rel.clone()], false, None, None),
            ]
        );
        assert_eq!(
            inhibit_rules(&spec),
            [InhibitRule {
                source_matchers: vec![
                    rel.clone(),
                    s("metric=\"error_rate\""),
                    s("severity=\"critical\"")
                ],
                target_matchers: vec![rel, s("alertname=\"ErrorRateWarning\"")],
                equal: vec![s("release"), s("metric")],
            }]
        );
    }

    #[test]
    fn escalation_repeat_is_after_rounded_to_group_intervals() {
        let r = |m| escalation_repeat(Duration::from_mins(m)).prometheus();
        assert_eq!(
            [r(0), r(1), r(5), r(7), r(30), r(120)],
            ["5m", "5m", "5m", "10m", "30m", "2h"]
        );
    }

    fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (s(k), s(v))).collect()
    }

    #[test]
    fn expected_routes_of_the_sample() {
        let got = expected_routes(&sample::spec());
        let r = |v: &[&str]| v.iter().map(|x| s(x)).collect::<Vec<_>>();
        assert_eq!(
            got,
            [
                (
                    labels(&[
                        ("alertname", "HighErrorRate"),
                        ("metric", "error_rate"),
                        ("release", "shop"),
                        ("service", "api"),
                        ("severity", "warning"),
                        ("spec_severity", "major")
                    ]),
                    r(&["oncall", "lead"])
                ),
                (
                    labels(&[
                        ("alertname", "ErrorRateWarning"),
                        ("metric", "error_rate"),
                        ("release", "shop"),
                        ("service", "api"),
                        ("severity", "warning"),
                        ("spec_severity", "warning")
                    ]),
                    r(&["lead"])
                ),
                (
                    labels(&[
                        ("alertname", "ErrorRateCritical"),
                        ("metric", "error_rate"),
                        ("release", "shop"),
                        ("service", "api"),
                        ("severity", "critical"),
                        ("spec_severity", "critical")
                    ]),
                    r(&["oncall", "lead"])
                ),
                (
                    labels(&[
                        ("release", "shop"),
                        ("severity", "critical"),
                        ("spec_severity", "critical")
                    ]),
                    r(&["oncall", "lead"])
                ),
                (
                    labels(&[
                        ("release", "shop"),
                        ("severity", "warning"),
                        ("spec_severity", "major")
                    ]),
                    r(&["lead"])
                ),
                (
                    labels(&[
                        ("release", "shop"),
                        ("severity", "info"),
                        ("spec_severity", "minor")
                    ]),
                    r(&["lead"])
                ),
            ]
        );
    }

    #[test]
    fn expected_routes_of_the_variant() {
        let got = expected_routes(&variant());
        let of = |name: &str| {
            got.iter()
                .find(|(l, _)| l.contains(&(s("alertname"), s(name))))
                .map(|(_, r)| r.join(","))
                .unwrap()
        };
        assert_eq!(of("HighErrorRate"), "oncall,lead");
        assert_eq!(of("QueueDrained"), "lead");
        assert_eq!(of("QueueBacklog"), "oncall,observer,lead");
        assert_eq!(of("QueueOdd"), "lead");
        assert_eq!(of("LatencyZero"), "oncall,lead");
        assert_eq!(of("ErrorRateWarning"), "lead");
        assert_eq!(of("AvailabilityCritical"), "oncall,lead");
    }

    /// Alertmanager's routing (dispatch.Route.Match) for equality matchers.
    fn walk(r: &Route, labels: &[(String, String)]) -> Option<Vec<String>> {
        let matched = r.matchers.iter().all(|m| {
            let (name, value) = m.split_once('=').unwrap();
            let value = value
                .trim_matches('"')
                .replace("\\\"", "\"")
                .replace("\\\\", "\\");
            labels
                .iter()
                .find(|(k, _)| k == name)
                .map_or(value.is_empty(), |(_, v)| *v == value)
        });
        if !matched {
            return None;
        }
        let mut all = Vec::new();
        for child in &r.routes {
            if let Some(m) = walk(child, labels) {
                all.extend(m);
                if !child.continue_ {
                    break;
                }
            }
        }
        if all.is_empty() {
            all.push(r.receiver.clone());
        }
        Some(all)
    }

    #[test]
    fn the_route_tree_gives_the_expected_receivers() {
        for spec in [sample::spec(), variant()] {
            let tree = route(&spec);
            for (labels, receivers) in expected_routes(&spec) {
                assert_eq!(walk(&tree, &labels).unwrap(), receivers, "{labels:?}");
            }
            let other = vec![(s("release"), s("other")), (s("severity"), s("critical"))];
            assert_eq!(walk(&tree, &other).unwrap(), ["deployc-default"]);
        }
    }

    #[test]
    fn a_release_without_owner_or_escalation_still_routes_somewhere() {
        let mut spec = sample::spec();
        spec.release.owner = None;
        spec.escalations.clear();
        let tree = route(&spec);
        for (labels, receivers) in expected_routes(&spec) {
            assert!(!receivers.is_empty());
            assert_eq!(walk(&tree, &labels).unwrap(), receivers, "{labels:?}");
        }
    }

    // --------------------------------------------------------- real amtool

    fn have(tool: &str) -> bool {
        Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }

    fn write(spec: &Spec, label: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "deployc-alertmanager-{}-{label}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let f = &emit(spec)[0];
        let path = dir.join(Path::new(&f.path).file_name().unwrap());
        std::fs::write(&path, &f.content).unwrap();
        path
    }

    fn amtool_routes(spec: &Spec, label: &str) {
        let path = write(spec, label);
        let out = Command::new("amtool")
            .arg("check-config")
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "amtool check-config: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        for (labels, receivers) in expected_routes(spec) {
            let out = Command::new("amtool")
                .args(["config", "routes", "test"])
                .arg(format!("--config.file={}", path.display()))
                .arg(format!("--verify.receivers={}", receivers.join(",")))
                .args(labels.iter().map(|(k, v)| format!("{k}={v}")))
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{labels:?}: expected {receivers:?}, amtool: {}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[test]
    fn amtool_accepts_the_config_and_routes_as_expected() {
        if !have("amtool") {
            eprintln!("amtool not found: skipped");
            return;
        }
        amtool_routes(&sample::spec(), "sample");
        amtool_routes(&variant(), "variant");
        let mut bare = sample::spec();
        bare.release.owner = None;
        bare.escalations.clear();
        amtool_routes(&bare, "bare");
        for spec in crate::emit::prometheus::tests::seed_specs() {
            amtool_routes(&spec, spec.stem());
        }
    }

    #[test]
    fn the_route_tree_gives_the_expected_receivers_for_the_seed_specs() {
        for spec in crate::emit::prometheus::tests::seed_specs() {
            let tree = route(&spec);
            for (labels, receivers) in expected_routes(&spec) {
                assert_eq!(
                    walk(&tree, &labels).unwrap(),
                    receivers,
                    "{}: {labels:?}",
                    spec.source
                );
            }
        }
    }

    /// Writes the sample's files under $DEPLOYC_DUMP (for running amtool by hand).
    #[test]
    #[ignore]
    fn dump_sample() {
        let dir = std::env::var("DEPLOYC_DUMP").expect("DEPLOYC_DUMP");
        for f in emit(&sample::spec()) {
            let path = Path::new(&dir).join(&f.path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, f.content).unwrap();
        }
    }
}
