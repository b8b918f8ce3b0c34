//! Every name the emitters will generate, checked once: the registry maps
//! each (kind, name) to the first item that generates it, so a second item
//! generating the same name is reported (E0210) instead of one object or
//! file silently replacing the other; and each name must follow the rule of
//! where it goes (E0211): a Service name is a DNS-1123 label, a file name
//! at most 255 bytes... The names come from `model::names`, the functions
//! the emitters call, so what is checked is what is written.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::names::{generated, Generated, NameKind, Origin, TemplateSource};
use crate::model::{ServiceId, Spec};
use crate::source::Span;

use super::items::service::shown;

/// Where each item's name is written, by index of the model's vectors.
#[derive(Debug, Default)]
pub(crate) struct Spans {
    pub services: Vec<Span>,
    /// The name of each config file that was lowered, per service.
    pub configs: Vec<Vec<Span>>,
    /// The `storage` statement of each service that has one.
    pub storage: Vec<Option<Span>>,
    pub metrics: Vec<Span>,
    pub triggers: Vec<Span>,
    pub environments: Vec<Span>,
    pub contacts: Vec<Span>,
}

pub(crate) fn check(spec: &Spec, spans: &Spans, d: &mut Diagnostics) {
    let mut first: HashMap<(NameKind, String), Origin> = HashMap::new();
    // One report per pair of items and per invalid item: `Api` and `api`
    // collide in a dozen objects and files, and that is one mistake.
    let mut pairs: HashSet<(Span, Span)> = HashSet::new();
    // Per item, its longest invalid name: the one that shows the suffix.
    let mut invalid: Vec<(Span, Generated)> = Vec::new();
    let mut invalid_at: HashMap<Span, usize> = HashMap::new();
    let first_service = first_index(spec.services.iter().map(|s| s.name.as_str()));
    let first_metric = first_index(spec.metrics.iter().map(|m| m.name.as_str()));
    let first_contact = first_index(spec.contacts.iter().map(|c| c.name.as_str()));
    for g in generated(spec) {
        // An item without a name was reported when lowered, a second item
        // of the same name as E0301.
        let name = item_name(spec, g.origin);
        let duplicate = match g.origin {
            Origin::Service(s) | Origin::Storage(s) | Origin::Tmp(s) | Origin::Template(s, _) => {
                first_service[name] != s.0
            }
            Origin::Config(s, _) => first_service[spec.service(s).name.as_str()] != s.0,
            Origin::Metric(m) | Origin::Band(m, _) => first_metric[name] != m.0,
            Origin::Contact(c) => first_contact[name] != c,
            Origin::Trigger(_) | Origin::Environment(_) => false,
        };
        if name.is_empty() || duplicate {
            continue;
        }
        let span = span_of(spans, g.origin);
        if !g.rule.allows(&g.name) {
            match invalid_at.entry(span) {
                Entry::Vacant(v) => {
                    v.insert(invalid.len());
                    invalid.push((span, g.clone()));
                }
                Entry::Occupied(o) => {
                    let kept = &mut invalid[*o.get()].1;
                    if g.name.len() > kept.name.len() {
                        *kept = g.clone();
                    }
                }
            }
        }
        match first.entry((g.kind, g.name.clone())) {
            Entry::Vacant(v) => {
                v.insert(g.origin);
            }
            Entry::Occupied(o) => {
                let other = *o.get();
                let other_span = span_of(spans, other);
                // An item never collides with itself (a guard: its names differ).
                if other_span == span {
                    continue;
                }
                let (a, b) = if other_span.start <= span.start {
                    ((other, other_span), (g.origin, span))
                } else {
                    ((g.origin, span), (other, other_span))
                };
                if pairs.insert((a.1, b.1)) {
                    d.push(collision(spec, &g, a, b));
                }
            }
        }
    }
    for (span, g) in &invalid {
        d.push(invalid_name(spec, g, *span));
    }
}

/// The index of each name's first item.
fn first_index<'a>(names: impl Iterator<Item = &'a str>) -> HashMap<&'a str, usize> {
    let mut first = HashMap::new();
    for (i, name) in names.enumerate() {
        first.entry(name).or_insert(i);
    }
    first
}

/// E0210 on the later item `b`, the earlier `a` as related span.
fn collision(spec: &Spec, g: &Generated, a: (Origin, Span), b: (Origin, Span)) -> Diagnostic {
    let (first, second) = (describe(spec, a.0), describe(spec, b.0));
    let kind = g.kind.text();
    let name = shown(&g.name);
    Diagnostic::new(
        Code::NameCollision,
        b.1,
        format!("{second} generates the {kind} {name}, as {first} does"),
        format!("generates the {kind} {name} again"),
    )
    .related(
        a.1,
        format!("{name} is also the name generated for {first}"),
    )
    .help(format!(
        "{first} and {second} both give the {kind} {name}; {} one of them.{}",
        match g.kind {
            NameKind::MountPath(_) | NameKind::PodFile(_) => "mount elsewhere",
            _ => "rename",
        },
        // Why different names meet; two items of one name need no reason.
        if item_name(spec, a.0) == item_name(spec, b.0) {
            String::new()
        } else {
            format!(" {}", spelling(g.kind))
        }
    ))
}

/// How spec names are spelled in names of `kind`: why two different names
/// can meet.
fn spelling(kind: NameKind) -> &'static str {
    match kind {
        NameKind::Object(_) | NameKind::File => {
            "Object and file names are lowercase, with `_` and `.` written `-`, and add suffixes such as `-canary`, `-headless` or `-<config file>`"
        }
        NameKind::Alert => {
            "Alert names join a name's words in PascalCase (`error_rate` and `error-rate` both give `ErrorRate`), and a band adds `Warning` or `Critical`"
        }
        NameKind::RecordingRule => {
            "Recording rules are named `deployc:<metric>`, with every character but letters, digits and `_` written `_`"
        }
        NameKind::ConfigMapKey(..) | NameKind::PodFile(_) => {
            "Config files of one service mounted in the same directory need different names"
        }
        NameKind::DashboardUid => {
            "Dashboard uids are `<release>-<service>` in object-name spelling, cut to 40 characters with a hash of the names"
        }
        NameKind::Receiver | NameKind::SecretFile => {
            "PagerDuty keys are read from files named `pagerduty-<key>`, with every character but letters, digits, `.`, `_` and `-` written `-`"
        }
        NameKind::MountPath(_) => {
            "Each directory is mounted once: a service's storage, its config directories and, with a read-only root, `/tmp` need different paths"
        }
    }
}

/// E0211 on the item that generates an invalid name.
fn invalid_name(spec: &Spec, g: &Generated, span: Span) -> Diagnostic {
    let what = describe(spec, g.origin);
    let kind = g.kind.text();
    // `shown` gives the length of the names it cuts.
    let name = match shown(&g.name) {
        s if s.ends_with("characters)") => s,
        s => format!("{s} ({} characters)", g.name.chars().count()),
    };
    Diagnostic::new(
        Code::InvalidGeneratedName,
        span,
        format!("{what} gives the {kind} name {name}, which Kubernetes or the file system rejects"),
        format!("gives an invalid {kind} name"),
    )
    .help(format!(
        "a {kind} name is {}; shorten or rename {what}",
        g.rule.text()
    ))
}

/// The spec name of the item an origin is.
fn item_name(spec: &Spec, origin: Origin) -> &str {
    match origin {
        Origin::Service(s) | Origin::Storage(s) | Origin::Tmp(s) | Origin::Template(s, _) => {
            &spec.service(s).name
        }
        Origin::Config(s, c) => &spec.service(s).configs[c].name,
        Origin::Metric(m) | Origin::Band(m, _) => &spec.metric(m).name,
        Origin::Trigger(t) => &spec.triggers[t].name,
        Origin::Environment(e) => &spec.environments[e].name,
        Origin::Contact(c) => &spec.contacts[c].name,
    }
}

fn span_of(spans: &Spans, origin: Origin) -> Span {
    let service = |ServiceId(s): ServiceId| spans.services.get(s).copied().unwrap_or_default();
    match origin {
        Origin::Storage(s) => spans
            .storage
            .get(s.0)
            .copied()
            .flatten()
            .unwrap_or_else(|| service(s)),
        Origin::Service(s) | Origin::Tmp(s) | Origin::Template(s, _) => service(s),
        Origin::Config(s, c) => spans
            .configs
            .get(s.0)
            .and_then(|c2| c2.get(c))
            .copied()
            .unwrap_or_else(|| service(s)),
        Origin::Metric(m) | Origin::Band(m, _) => {
            spans.metrics.get(m.0).copied().unwrap_or_default()
        }
        Origin::Trigger(t) => spans.triggers.get(t).copied().unwrap_or_default(),
        Origin::Environment(e) => spans.environments.get(e).copied().unwrap_or_default(),
        Origin::Contact(c) => spans.contacts.get(c).copied().unwrap_or_default(),
    }
}

/// The item in words: "service `api`", "config `app.yml` of service `api`".
fn describe(spec: &Spec, origin: Origin) -> String {
    let svc = |s: ServiceId| format!("service `{}`", spec.service(s).name);
    match origin {
        Origin::Service(s) => svc(s),
        Origin::Config(s, c) => format!(
            "config {} of {}",
            shown(&spec.service(s).configs[c].name),
            svc(s)
        ),
        Origin::Storage(s) => format!("the storage of {}", svc(s)),
        Origin::Tmp(s) => format!("the writable `/tmp` of {}", svc(s)),
        Origin::Template(s, TemplateSource::Gate { phase, .. }) => format!(
            "a gate of phase `{}` on {}",
            spec.phases[phase].name,
            svc(s)
        ),
        Origin::Template(s, TemplateSource::Trigger(t)) => {
            format!("trigger `{}` on {}", spec.triggers[t].name, svc(s))
        }
        Origin::Metric(m) => format!("metric `{}`", spec.metric(m).name),
        Origin::Band(m, level) => format!("the {level} band of metric `{}`", spec.metric(m).name),
        Origin::Trigger(t) => format!("trigger `{}`", spec.triggers[t].name),
        Origin::Environment(e) => format!("environment `{}`", spec.environments[e].name),
        Origin::Contact(c) => format!("contact `{}`", spec.contacts[c].name),
    }
}
