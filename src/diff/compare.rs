//! The comparisons: each kind of item matched by name, each field compared
//! through the model and rendered as canonical text.

use std::collections::BTreeSet;

use super::{Change, ChangeKind, Scope};
use crate::model::{
    decimal_text, Autoscale, Backup, Bands, CheckItem, Condition, ContactId, CriterionKind,
    Disruption, Duration, EnvValue, Gate, Ingress, JobResources, MetricGate, NoData, PhaseId,
    Probe, ProbeKind, Resources, ServiceOverride, Spec, Step, Storage, Strategy, Threshold,
    Traffic, TriggerCondition,
};

pub(super) fn compare(old: &Spec, new: &Spec) -> Vec<Change> {
    let mut d = Differ {
        old,
        new,
        out: Vec::new(),
    };
    d.release();
    d.services();
    d.phases();
    d.environments();
    d.metrics();
    d.triggers();
    d.severities();
    d.contacts();
    d.escalations();
    d.rollbacks();
    d.checklists();
    d.templates();
    d.criteria();
    d.sections();
    d.out
}

/// One item matched across the two specs.
enum Pair<'a, T> {
    Both(&'a T, &'a T),
    Added(&'a T),
    Removed(&'a T),
}

/// Keys with an occurrence suffix (` #2`, ` #3`) when a key repeats, so
/// repeated keys still match one to one, in order.
fn numbered<T>(items: &[T], key: &impl Fn(&T) -> String) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    items
        .iter()
        .map(|t| {
            let k = key(t);
            let n = seen.iter().filter(|s| **s == k).count();
            seen.push(k.clone());
            if n == 0 {
                k
            } else {
                format!("{k} #{}", n + 1)
            }
        })
        .collect()
}

/// Matches items by key: the new spec's items in its order (matched or
/// added), then the removed ones in the old spec's order.
fn keyed<'a, T>(
    old: &'a [T],
    new: &'a [T],
    key: impl Fn(&T) -> String,
) -> Vec<(String, Pair<'a, T>)> {
    let old_keys = numbered(old, &key);
    let new_keys = numbered(new, &key);
    let mut out = Vec::new();
    for (k, n) in new_keys.iter().zip(new) {
        match old_keys.iter().position(|o| o == k) {
            Some(i) => out.push((k.clone(), Pair::Both(&old[i], n))),
            None => out.push((k.clone(), Pair::Added(n))),
        }
    }
    for (k, o) in old_keys.iter().zip(old) {
        if !new_keys.contains(k) {
            out.push((k.clone(), Pair::Removed(o)));
        }
    }
    out
}

/// Quoted prose, as the spec writes it.
fn q(s: &str) -> String {
    format!("{s:?}")
}

/// Quoted when on one line; a text block (several lines) stays as written
/// and is summarised by the renderers.
fn prose(s: &str) -> String {
    if s.contains('\n') {
        s.to_string()
    } else {
        q(s)
    }
}

fn oprose(s: &Option<String>) -> Option<String> {
    s.as_deref().map(prose)
}

fn oq(s: &Option<String>) -> Option<String> {
    s.as_deref().map(q)
}

fn dur(d: Duration) -> String {
    d.to_string()
}

fn resources<T: PartialEq>(r: &Resources<T>, fmt: impl Fn(&T) -> String) -> String {
    if r.request == r.limit {
        fmt(&r.request)
    } else {
        format!("{}..{}", fmt(&r.request), fmt(&r.limit))
    }
}

fn env_value(v: &EnvValue) -> String {
    match v {
        EnvValue::Literal(s) => q(s),
        // By name only: a Secret's value never appears in a spec.
        EnvValue::Secret { secret, key } => format!("secret {} {}", q(secret), q(key)),
    }
}

fn autoscale(a: &Autoscale) -> String {
    let mut s = format!("replicas {}..{}", a.min, a.max);
    if let Some(c) = a.cpu_percent {
        s.push_str(&format!(", cpu {c}%"));
    }
    if let Some(m) = a.memory_percent {
        s.push_str(&format!(", memory {m}%"));
    }
    s
}

fn disruption(d: &Disruption) -> String {
    match d {
        Disruption::MinAvailable(n) => format!("min_available {n}"),
        Disruption::MaxUnavailable(n) => format!("max_unavailable {n}"),
    }
}

fn probe_kind(k: ProbeKind) -> &'static str {
    match k {
        ProbeKind::Liveness => "liveness",
        ProbeKind::Readiness => "readiness",
        ProbeKind::Startup => "startup",
    }
}

type Fields = Vec<(&'static str, Option<String>)>;

fn probe_fields(p: &Probe) -> Fields {
    vec![
        ("path", Some(p.path.clone())),
        ("port", Some(p.port.to_string())),
        ("delay", Some(dur(p.initial_delay))),
        ("period", Some(dur(p.period))),
        ("timeout", Some(dur(p.timeout))),
        ("failures", Some(p.failure_threshold.to_string())),
    ]
}

fn storage_fields(s: &Storage) -> Fields {
    vec![
        ("size", Some(s.size.k8s())),
        ("mount", Some(s.mount.clone())),
        ("class", s.class.clone()),
    ]
}

fn backup_fields(b: &Backup) -> Fields {
    vec![
        ("schedule", Some(q(&b.schedule))),
        ("retain", Some(dur(b.retain))),
        ("image", Some(b.image.clone())),
        ("command", Some(q(&b.command))),
        (
            "resources",
            Some(job_resources(&b.resources).trim().to_string()).filter(|s| !s.is_empty()),
        ),
    ]
}

/// ` cpu 100m memory 64Mi..128Mi`, or nothing for the defaults.
fn job_resources(r: &JobResources) -> String {
    if *r == JobResources::DEFAULT {
        return String::new();
    }
    let cpu = match r.cpu_limit {
        Some(l) if l == r.cpu_request => r.cpu_request.k8s(),
        Some(l) => format!("{}..{}", r.cpu_request.k8s(), l.k8s()),
        None => r.cpu_request.k8s(),
    };
    format!(" cpu {cpu} memory {}", resources(&r.memory, |b| b.k8s()))
}

fn ingress_fields(i: &Ingress) -> Fields {
    vec![
        ("host", Some(i.host.clone())),
        ("path", Some(i.path.clone())),
        ("tls", i.tls_secret.clone()),
        ("rate_limit", i.rate_limit_rpm.map(|r| r.to_string())),
    ]
}

fn fields_text(fields: &Fields) -> String {
    fields
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k} {v}")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A list compared as a set: sorted, deduplicated, comma-separated; None when empty.
fn set(items: impl IntoIterator<Item = String>) -> Option<String> {
    let s: BTreeSet<String> = items.into_iter().collect();
    (!s.is_empty()).then(|| s.into_iter().collect::<Vec<_>>().join(", "))
}

/// A list compared as a sequence; None when empty.
fn list(items: impl IntoIterator<Item = String>) -> Option<String> {
    let v: Vec<String> = items.into_iter().collect();
    (!v.is_empty()).then(|| v.join(", "))
}

/// Two thresholds mean the same unless both the value (in the metric's
/// unit) and the text differ: `500ms` and `0.5s` are one threshold, and `1%`
/// stays `1%` when the metric's unit changes (reported on the metric).
fn same_threshold(a: &Threshold, b: &Threshold) -> bool {
    a.value == b.value || a.text == b.text
}

fn traffic(t: &Traffic) -> String {
    match t {
        Traffic::Weight(w) => format!("canary {}%", decimal_text(*w)),
        Traffic::Pods(n) => format!("canary {n} pod{}", if *n == 1 { "" } else { "s" }),
        Traffic::Hold(d) => format!("hold {d}"),
        Traffic::Pause => "pause".into(),
        Traffic::Preview => "preview".into(),
        Traffic::Promote => "promote".into(),
    }
}

/// The statement word of a traffic step and its value: (`canary`, `25%`).
fn traffic_parts(t: &Traffic) -> (&'static str, String) {
    match t {
        Traffic::Weight(w) => ("canary", format!("{}%", decimal_text(*w))),
        Traffic::Pods(n) => (
            "canary",
            format!("{n} pod{}", if *n == 1 { "" } else { "s" }),
        ),
        Traffic::Hold(d) => ("hold", d.to_string()),
        Traffic::Pause => ("pause", String::new()),
        Traffic::Preview => ("preview", String::new()),
        Traffic::Promote => ("promote", String::new()),
    }
}

type OverrideField = (&'static str, fn(&ServiceOverride) -> Option<String>);

/// What an environment can override in a service, besides env variables.
const OVERRIDE_FIELDS: [OverrideField; 6] = [
    ("replicas", |x| x.replicas.map(|r| r.to_string())),
    ("image", |x| x.image.as_ref().map(|i| i.reference.clone())),
    ("cpu", |x| x.cpu.as_ref().map(|r| resources(r, |m| m.k8s()))),
    ("memory", |x| {
        x.memory.as_ref().map(|r| resources(r, |b| b.k8s()))
    }),
    ("autoscale", |x| x.autoscale.as_ref().map(autoscale)),
    ("host", |x| x.ingress_host.clone()),
];

struct Differ<'a> {
    old: &'a Spec,
    new: &'a Spec,
    out: Vec<Change>,
}

impl<'a> Differ<'a> {
    /// The two sides of an item present in both specs; an item in one
    /// only is reported added or removed, and None returned.
    fn both<'p, T>(&mut self, scope: &Scope, pair: Pair<'p, T>) -> Option<(&'p T, &'p T)> {
        match pair {
            Pair::Both(o, n) => Some((o, n)),
            Pair::Added(_) => {
                self.push(scope, ChangeKind::Added);
                None
            }
            Pair::Removed(_) => {
                self.push(scope, ChangeKind::Removed);
                None
            }
        }
    }

    fn push(&mut self, scope: &Scope, kind: ChangeKind) {
        self.out.push(Change {
            scope: scope.clone(),
            kind,
        });
    }

    fn changed(&mut self, scope: &Scope, field: &str, old: Option<String>, new: Option<String>) {
        self.push(
            scope,
            ChangeKind::Changed {
                field: field.to_string(),
                old,
                new,
            },
        );
    }

    /// Reports the field when its canonical text differs.
    fn field(&mut self, scope: &Scope, field: &str, old: Option<String>, new: Option<String>) {
        if old != new {
            self.changed(scope, field, old, new);
        }
    }

    fn contact(spec: &Spec, id: ContactId) -> String {
        spec.contact(id).name.clone()
    }

    fn ocontact(spec: &Spec, id: Option<ContactId>) -> Option<String> {
        id.map(|i| Self::contact(spec, i))
    }

    fn contact_set(spec: &Spec, ids: &[ContactId]) -> Option<String> {
        set(ids.iter().map(|i| Self::contact(spec, *i)))
    }

    /// An optional group of fields: compared field by field when both specs
    /// have it, reported whole when it appears or disappears.
    fn group(&mut self, scope: &Scope, name: &str, old: Option<Fields>, new: Option<Fields>) {
        match (old, new) {
            (Some(o), Some(n)) => {
                for ((k, ov), (_, nv)) in o.into_iter().zip(n) {
                    self.field(scope, &format!("{name} {k}"), ov, nv);
                }
            }
            (o, n) => {
                let o = o.map(|f| fields_text(&f));
                let n = n.map(|f| fields_text(&f));
                self.field(scope, name, o, n);
            }
        }
    }

    /// Checklist items matched by text: added, removed, command or details changed.
    fn items(&mut self, scope: &Scope, word: &str, old: &[&CheckItem], new: &[&CheckItem]) {
        for (k, pair) in keyed(old, new, |c| q(&c.text)) {
            let name = format!("{word} {k}");
            match pair {
                Pair::Added(c) => self.changed(scope, &name, None, Some(item_text(c))),
                Pair::Removed(c) => self.changed(scope, &name, Some(item_text(c)), None),
                Pair::Both(o, n) => {
                    self.field(
                        scope,
                        &format!("{name} command"),
                        oprose(&o.command),
                        oprose(&n.command),
                    );
                    self.field(
                        scope,
                        &format!("{name} details"),
                        list(o.details.iter().map(|d| q(d))),
                        list(n.details.iter().map(|d| q(d))),
                    );
                }
            }
        }
    }

    // ------------------------------------------------------------- release

    fn release(&mut self) {
        let s = Scope::Release;
        let (o, n) = (&self.old.release, &self.new.release);
        self.field(&s, "name", Some(o.name.clone()), Some(n.name.clone()));
        self.field(&s, "title", Some(q(&o.title)), Some(q(&n.title)));
        self.field(
            &s,
            "version",
            Some(o.version.clone()),
            Some(n.version.clone()),
        );
        self.field(
            &s,
            "namespace",
            Some(o.namespace.clone()),
            Some(n.namespace.clone()),
        );
        self.field(
            &s,
            "owner",
            Self::ocontact(self.old, o.owner),
            Self::ocontact(self.new, n.owner),
        );
        self.field(&s, "date", o.date.clone(), n.date.clone());
        let duration = |d: &Option<(Duration, Duration)>| {
            d.map(|(a, b)| if a == b { dur(a) } else { format!("{a}..{b}") })
        };
        self.field(&s, "duration", duration(&o.duration), duration(&n.duration));
        for (k, pair) in keyed(&o.facts, &n.facts, |f| q(&f.0)) {
            let name = format!("fact {k}");
            match pair {
                Pair::Added(f) => self.changed(&s, &name, None, Some(q(&f.1))),
                Pair::Removed(f) => self.changed(&s, &name, Some(q(&f.1)), None),
                Pair::Both(a, b) => self.field(&s, &name, Some(q(&a.1)), Some(q(&b.1))),
            }
        }
        self.field(
            &s,
            "description",
            oprose(&o.description),
            oprose(&n.description),
        );
        self.field(
            &s,
            "runbook_url",
            o.runbook_url.clone(),
            n.runbook_url.clone(),
        );
        self.field(
            &s,
            "prometheus",
            Some(o.prometheus_url.clone()),
            Some(n.prometheus_url.clone()),
        );
        self.field(
            &s,
            "signoff",
            Self::contact_set(self.old, &self.old.signoff),
            Self::contact_set(self.new, &self.new.signoff),
        );
    }

    // ------------------------------------------------------------ services

    fn services(&mut self) {
        for (name, pair) in keyed(&self.old.services, &self.new.services, |x| x.name.clone()) {
            let s = Scope::Service(name);
            let Some((o, n)) = self.both(&s, pair) else {
                continue;
            };
            self.field(
                &s,
                "description",
                oprose(&o.description),
                oprose(&n.description),
            );
            self.field(
                &s,
                "image",
                Some(o.image.reference.clone()),
                Some(n.image.reference.clone()),
            );
            self.field(
                &s,
                "replicas",
                Some(o.replicas.to_string()),
                Some(n.replicas.to_string()),
            );
            for (k, pair) in keyed(&o.ports, &n.ports, |p| p.name.clone()) {
                let name = format!("port {k}");
                match pair {
                    Pair::Added(p) => self.changed(&s, &name, None, Some(p.number.to_string())),
                    Pair::Removed(p) => self.changed(&s, &name, Some(p.number.to_string()), None),
                    Pair::Both(a, b) => self.field(
                        &s,
                        &name,
                        Some(a.number.to_string()),
                        Some(b.number.to_string()),
                    ),
                }
            }
            self.field(
                &s,
                "main port",
                o.main_port().map(|p| p.name.clone()),
                n.main_port().map(|p| p.name.clone()),
            );
            self.field(
                &s,
                "cpu",
                o.cpu.as_ref().map(|r| resources(r, |m| m.k8s())),
                n.cpu.as_ref().map(|r| resources(r, |m| m.k8s())),
            );
            self.field(
                &s,
                "memory",
                o.memory.as_ref().map(|r| resources(r, |b| b.k8s())),
                n.memory.as_ref().map(|r| resources(r, |b| b.k8s())),
            );
            self.field(
                &s,
                "strategy",
                Some(strategy(o.strategy).into()),
                Some(strategy(n.strategy).into()),
            );
            for (k, pair) in keyed(&o.probes, &n.probes, |p| probe_kind(p.kind).to_string()) {
                let (a, b) = match pair {
                    Pair::Added(p) => (None, Some(probe_fields(p))),
                    Pair::Removed(p) => (Some(probe_fields(p)), None),
                    Pair::Both(a, b) => (Some(probe_fields(a)), Some(probe_fields(b))),
                };
                self.group(&s, &format!("probe {k}"), a, b);
            }
            for (k, pair) in keyed(&o.env, &n.env, |v| v.name.clone()) {
                let name = format!("env {k}");
                match pair {
                    Pair::Added(v) => self.changed(&s, &name, None, Some(env_value(&v.value))),
                    Pair::Removed(v) => self.changed(&s, &name, Some(env_value(&v.value)), None),
                    Pair::Both(a, b) => self.field(
                        &s,
                        &name,
                        Some(env_value(&a.value)),
                        Some(env_value(&b.value)),
                    ),
                }
            }
            for (k, pair) in keyed(&o.configs, &n.configs, |c| q(&c.name)) {
                let name = format!("config {k}");
                match pair {
                    Pair::Added(c) => self.changed(&s, &name, None, Some(prose(&c.content))),
                    Pair::Removed(c) => self.changed(&s, &name, Some(prose(&c.content)), None),
                    Pair::Both(a, b) => {
                        self.field(
                            &s,
                            &format!("{name} mount"),
                            Some(a.mount.clone()),
                            Some(b.mount.clone()),
                        );
                        self.field(
                            &s,
                            &format!("{name} content"),
                            Some(prose(&a.content)),
                            Some(prose(&b.content)),
                        );
                    }
                }
            }
            self.field(
                &s,
                "autoscale",
                o.autoscale.as_ref().map(autoscale),
                n.autoscale.as_ref().map(autoscale),
            );
            self.field(
                &s,
                "disruption",
                o.disruption.as_ref().map(disruption),
                n.disruption.as_ref().map(disruption),
            );
            self.group(
                &s,
                "storage",
                o.storage.as_ref().map(storage_fields),
                n.storage.as_ref().map(storage_fields),
            );
            self.group(
                &s,
                "backup",
                o.backup.as_ref().map(backup_fields),
                n.backup.as_ref().map(backup_fields),
            );
            self.field(
                &s,
                "allow",
                set(o.allow.iter().cloned()),
                set(n.allow.iter().cloned()),
            );
            self.group(
                &s,
                "ingress",
                o.ingress.as_ref().map(ingress_fields),
                n.ingress.as_ref().map(ingress_fields),
            );
            let root = |ro: bool| Some(if ro { "read-only" } else { "writable" }.to_string());
            self.field(
                &s,
                "root filesystem",
                root(o.read_only_root),
                root(n.read_only_root),
            );
            self.field(
                &s,
                "user",
                Some(o.run_as_user.to_string()),
                Some(n.run_as_user.to_string()),
            );
        }
    }

    // --------------------------------------------------------- environments

    fn environments(&mut self) {
        let (old, new) = (self.old, self.new);
        for (name, pair) in keyed(&old.environments, &new.environments, |e| e.name.clone()) {
            let s = Scope::Environment(name);
            let Some((o, n)) = self.both(&s, pair) else {
                continue;
            };
            self.field(&s, "namespace", o.namespace.clone(), n.namespace.clone());
            let named = |spec: &'a Spec, e: &'a crate::model::Environment| {
                e.overrides
                    .iter()
                    .map(|x| (spec.service(x.service).name.clone(), x))
                    .collect::<Vec<_>>()
            };
            let (oo, no) = (named(old, o), named(new, n));
            for (svc, pair) in keyed(&oo, &no, |x| x.0.clone()) {
                let (a, b) = match pair {
                    Pair::Added(x) => (None, Some(x.1)),
                    Pair::Removed(x) => (Some(x.1), None),
                    Pair::Both(x, y) => (Some(x.1), Some(y.1)),
                };
                let p = format!("service {svc}");
                for (f, get) in OVERRIDE_FIELDS {
                    self.field(&s, &format!("{p} {f}"), a.and_then(get), b.and_then(get));
                }
                let (ae, be) = (
                    a.map(|x| x.env.as_slice()).unwrap_or(&[]),
                    b.map(|x| x.env.as_slice()).unwrap_or(&[]),
                );
                for (k, pair) in keyed(ae, be, |v| v.name.clone()) {
                    let name = format!("{p} env {k}");
                    match pair {
                        Pair::Added(v) => self.changed(&s, &name, None, Some(env_value(&v.value))),
                        Pair::Removed(v) => {
                            self.changed(&s, &name, Some(env_value(&v.value)), None)
                        }
                        Pair::Both(x, y) => self.field(
                            &s,
                            &name,
                            Some(env_value(&x.value)),
                            Some(env_value(&y.value)),
                        ),
                    }
                }
            }
        }
    }

    // -------------------------------------------------------------- metrics

    fn metrics(&mut self) {
        let (old, new) = (self.old, self.new);
        for (name, pair) in keyed(&old.metrics, &new.metrics, |m| m.name.clone()) {
            let s = Scope::Metric(name);
            let Some((o, n)) = self.both(&s, pair) else {
                continue;
            };
            self.field(&s, "title", Some(q(&o.title)), Some(q(&n.title)));
            self.field(
                &s,
                "description",
                oprose(&o.description),
                oprose(&n.description),
            );
            self.field(&s, "query", Some(o.query.clone()), Some(n.query.clone()));
            self.field(
                &s,
                "unit",
                Some(o.unit.as_str().into()),
                Some(n.unit.as_str().into()),
            );
            self.field(
                &s,
                "service",
                o.service.map(|i| old.service(i).name.clone()),
                n.service.map(|i| new.service(i).name.clone()),
            );
            self.field(&s, "group", Some(q(&o.group)), Some(q(&n.group)));
            self.field(
                &s,
                "no_data",
                Some(o.no_data.as_str().into()),
                Some(n.no_data.as_str().into()),
            );
            let (ob, nb) = (bands(o.bands.as_ref()), bands(n.bands.as_ref()));
            for (i, level) in ["normal", "warning", "critical"].into_iter().enumerate() {
                self.field(&s, level, ob[i].clone(), nb[i].clone());
            }
        }
    }

    // --------------------------------------------------------------- phases

    fn phases(&mut self) {
        let (old, new) = (self.old, self.new);
        for (name, pair) in keyed(&old.phases, &new.phases, |p| p.name.clone()) {
            let s = Scope::Phase(name);
            let Some((o, n)) = self.both(&s, pair) else {
                continue;
            };
            self.field(&s, "title", Some(q(&o.title)), Some(q(&n.title)));
            self.field(
                &s,
                "description",
                oprose(&o.description),
                oprose(&n.description),
            );
            let same_anchor = match (&o.anchor, &n.anchor) {
                (Some(a), Some(b)) => a.offset_millis == b.offset_millis,
                (a, b) => a.is_none() && b.is_none(),
            };
            if !same_anchor {
                self.changed(
                    &s,
                    "at",
                    o.anchor.as_ref().map(|a| a.text.clone()),
                    n.anchor.as_ref().map(|a| a.text.clone()),
                );
            }
            let names =
                |spec: &Spec, ids: &[PhaseId]| set(ids.iter().map(|i| spec.phase(*i).name.clone()));
            self.field(&s, "after", names(old, &o.after), names(new, &n.after));
            self.field(
                &s,
                "owner",
                Self::ocontact(old, o.owner),
                Self::ocontact(new, n.owner),
            );
            let (oc, nc): (Vec<&CheckItem>, Vec<&CheckItem>) =
                (o.checks().collect(), n.checks().collect());
            self.items(&s, "check", &oc, &nc);
            let traffic_same_shape = self.traffic(&s, o, n);
            self.gates(&s, o, n);
            if traffic_same_shape {
                self.step_order(&s, o, n);
            }
        }
    }

    /// Traffic steps as a sequence: value by value when the sequence keeps
    /// its shape (`canary 25% → 50%`), whole otherwise. True when the shape
    /// is the same.
    fn traffic(&mut self, s: &Scope, o: &crate::model::Phase, n: &crate::model::Phase) -> bool {
        let ot: Vec<&Traffic> = o.traffic().collect();
        let nt: Vec<&Traffic> = n.traffic().collect();
        let same_shape = ot.len() == nt.len()
            && ot
                .iter()
                .zip(&nt)
                .all(|(a, b)| std::mem::discriminant(*a) == std::mem::discriminant(*b));
        if !same_shape {
            self.changed(
                s,
                "traffic",
                list(ot.iter().map(|t| traffic(t))),
                list(nt.iter().map(|t| traffic(t))),
            );
            return false;
        }
        let words: Vec<&str> = nt.iter().map(|t| traffic_parts(t).0).collect();
        for (i, (a, b)) in ot.iter().zip(&nt).enumerate() {
            let ((word, av), (_, bv)) = (traffic_parts(a), traffic_parts(b));
            if av != bv {
                let nth = words[..i].iter().filter(|w| **w == word).count();
                let repeated = words.iter().filter(|w| **w == word).count() > 1;
                let field = if repeated {
                    format!("{word} #{}", nth + 1)
                } else {
                    word.to_string()
                };
                self.changed(s, &field, Some(av), Some(bv));
            }
        }
        true
    }

    fn gates(&mut self, s: &Scope, o: &crate::model::Phase, n: &crate::model::Phase) {
        let (old, new) = (self.old, self.new);
        let og: Vec<&Gate> = o.gates().collect();
        let ng: Vec<&Gate> = n.gates().collect();
        let (ok, nk) = (
            numbered(&og, &|g: &&Gate| gate_key(old, g)),
            numbered(&ng, &|g: &&Gate| gate_key(new, g)),
        );
        let mut keys: Vec<&String> = nk.iter().collect();
        keys.extend(ok.iter().filter(|k| !nk.contains(k)));
        for k in keys {
            let a = ok.iter().position(|x| x == k).map(|i| og[i]);
            let b = nk.iter().position(|x| x == k).map(|i| ng[i]);
            let field = format!("gate {k}");
            match (a, b) {
                (Some(a), Some(b)) => {
                    if !same_gate(old, new, a, b) {
                        self.changed(s, &field, Some(gate(old, a)), Some(gate(new, b)));
                    }
                }
                (a, b) => {
                    self.changed(s, &field, a.map(|g| gate(old, g)), b.map(|g| gate(new, g)));
                }
            }
        }
    }

    /// Where gates sit among the traffic steps (before or after a promote,
    /// a weight or a hold), for the gates and steps both specs have.
    fn step_order(&mut self, s: &Scope, o: &crate::model::Phase, n: &crate::model::Phase) {
        let seq = |spec: &Spec, p: &crate::model::Phase| -> Vec<(String, String)> {
            let gates: Vec<&Gate> = p.gates().collect();
            let keys = numbered(&gates, &|g: &&Gate| gate_key(spec, g));
            let (mut gi, mut ti) = (0, 0);
            let mut out = Vec::new();
            for step in &p.steps {
                match step {
                    Step::Traffic(t) => {
                        out.push((format!("t{ti}"), traffic(t)));
                        ti += 1;
                    }
                    Step::Gate(_) => {
                        out.push((format!("g{}", keys[gi]), format!("gate {}", keys[gi])));
                        gi += 1;
                    }
                    Step::Check(_) => {}
                }
            }
            out
        };
        let (a, b) = (seq(self.old, o), seq(self.new, n));
        let common = |x: &[(String, String)], y: &[(String, String)]| -> Vec<(String, String)> {
            x.iter()
                .filter(|(k, _)| y.iter().any(|(k2, _)| k2 == k))
                .cloned()
                .collect()
        };
        let (ca, cb) = (common(&a, &b), common(&b, &a));
        let keys = |v: &[(String, String)]| v.iter().map(|x| x.0.clone()).collect::<Vec<_>>();
        if keys(&ca) != keys(&cb) {
            self.changed(
                s,
                "step order",
                list(ca.into_iter().map(|x| x.1)),
                list(cb.into_iter().map(|x| x.1)),
            );
        }
    }

    // ------------------------------------------------------------- triggers

    fn triggers(&mut self) {
        let (old, new) = (self.old, self.new);
        for (name, pair) in keyed(&old.triggers, &new.triggers, |t| t.name.clone()) {
            let s = Scope::Trigger(name);
            let Some((o, n)) = self.both(&s, pair) else {
                continue;
            };
            self.field(&s, "title", Some(q(&o.title)), Some(q(&n.title)));
            self.field(
                &s,
                "description",
                oprose(&o.description),
                oprose(&n.description),
            );
            let same_when = match (&o.condition, &n.condition) {
                (
                    TriggerCondition::Metric {
                        condition: a,
                        sustain: sa,
                    },
                    TriggerCondition::Metric {
                        condition: b,
                        sustain: sb,
                    },
                ) => sa == sb && same_condition(old, new, a, b),
                (TriggerCondition::Observed(a), TriggerCondition::Observed(b)) => a == b,
                _ => false,
            };
            if !same_when {
                self.changed(
                    &s,
                    "when",
                    Some(trigger_condition(old, &o.condition)),
                    Some(trigger_condition(new, &n.condition)),
                );
            }
            self.field(
                &s,
                "severity",
                Some(old.severity(o.severity).name.clone()),
                Some(new.severity(n.severity).name.clone()),
            );
            self.field(
                &s,
                "action",
                Some(o.action.as_str().into()),
                Some(n.action.as_str().into()),
            );
            self.field(
                &s,
                "notify",
                Self::contact_set(old, &o.notify),
                Self::contact_set(new, &n.notify),
            );
            self.field(
                &s,
                "level",
                o.rollback_level.map(|l| old.rollback_level(l).name.clone()),
                n.rollback_level.map(|l| new.rollback_level(l).name.clone()),
            );
        }
    }

    fn severities(&mut self) {
        let declared = |spec: &'a Spec| {
            spec.severities
                .iter()
                .filter(|s| s.declared)
                .cloned()
                .collect::<Vec<_>>()
        };
        let (od, nd) = (declared(self.old), declared(self.new));
        for (name, pair) in keyed(&od, &nd, |s| s.name.clone()) {
            let s = Scope::Severity(name);
            match pair {
                Pair::Added(_) => self.push(&s, ChangeKind::Added),
                Pair::Removed(_) => self.push(&s, ChangeKind::Removed),
                Pair::Both(o, n) => {
                    self.field(
                        &s,
                        "routes",
                        Some(o.routes.as_str().into()),
                        Some(n.routes.as_str().into()),
                    );
                    self.field(
                        &s,
                        "description",
                        oprose(&o.description),
                        oprose(&n.description),
                    );
                }
            }
        }
    }

    // ------------------------------------------------------ people, process

    fn contacts(&mut self) {
        for (name, pair) in keyed(&self.old.contacts, &self.new.contacts, |c| c.name.clone()) {
            let s = Scope::Contact(name);
            match pair {
                Pair::Added(_) => self.push(&s, ChangeKind::Added),
                Pair::Removed(_) => self.push(&s, ChangeKind::Removed),
                Pair::Both(o, n) => {
                    self.field(&s, "role", Some(q(&o.role)), Some(q(&n.role)));
                    self.field(&s, "name", oq(&o.person), oq(&n.person));
                    self.field(&s, "phone", oq(&o.phone), oq(&n.phone));
                    self.field(&s, "chat", oq(&o.chat), oq(&n.chat));
                    self.field(&s, "email", oq(&o.email), oq(&n.email));
                    self.field(&s, "pager", oq(&o.pager), oq(&n.pager));
                }
            }
        }
    }

    fn escalations(&mut self) {
        let (old, new) = (self.old, self.new);
        let named = |spec: &'a Spec| {
            spec.escalations
                .iter()
                .map(|e| (spec.severity(e.severity).name.clone(), e))
                .collect::<Vec<_>>()
        };
        let (oe, ne) = (named(old), named(new));
        for (name, pair) in keyed(&oe, &ne, |e| e.0.clone()) {
            let s = Scope::Escalation(name);
            let (o, n) = match pair {
                Pair::Added(_) => {
                    self.push(&s, ChangeKind::Added);
                    continue;
                }
                Pair::Removed(_) => {
                    self.push(&s, ChangeKind::Removed);
                    continue;
                }
                Pair::Both(o, n) => (o.1, n.1),
            };
            self.field(
                &s,
                "description",
                oprose(&o.description),
                oprose(&n.description),
            );
            self.field(
                &s,
                "owner",
                Some(Self::contact(old, o.owner)),
                Some(Self::contact(new, n.owner)),
            );
            self.field(&s, "after", Some(dur(o.after)), Some(dur(n.after)));
            self.field(
                &s,
                "via",
                list(o.channels.iter().map(|c| q(c))),
                list(n.channels.iter().map(|c| q(c))),
            );
            self.field(
                &s,
                "then",
                Self::ocontact(old, o.then),
                Self::ocontact(new, n.then),
            );
        }
    }

    fn rollbacks(&mut self) {
        let (old, new) = (self.old, self.new);
        let pairs = keyed(&old.rollback_levels, &new.rollback_levels, |r| {
            r.name.clone()
        });
        // Levels are in escalating order: a level moving is a change.
        let common = |a: &[crate::model::RollbackLevel], b: &[crate::model::RollbackLevel]| {
            a.iter()
                .filter(|x| b.iter().any(|y| y.name == x.name))
                .map(|x| x.name.clone())
                .collect::<Vec<_>>()
        };
        let (oc, nc) = (
            common(&old.rollback_levels, &new.rollback_levels),
            common(&new.rollback_levels, &old.rollback_levels),
        );
        for (name, pair) in pairs {
            let s = Scope::Rollback(name.clone());
            let Some((o, n)) = self.both(&s, pair) else {
                continue;
            };
            if oc != nc {
                let pos = |v: &[String]| {
                    v.iter()
                        .position(|x| *x == name)
                        .map(|i| (i + 1).to_string())
                };
                self.field(&s, "order", pos(&oc), pos(&nc));
            }
            self.field(&s, "title", Some(q(&o.title)), Some(q(&n.title)));
            self.field(
                &s,
                "description",
                oprose(&o.description),
                oprose(&n.description),
            );
            self.field(
                &s,
                "severity",
                o.severity.map(|i| old.severity(i).name.clone()),
                n.severity.map(|i| new.severity(i).name.clone()),
            );
            self.field(&s, "within", Some(dur(o.within)), Some(dur(n.within)));
            self.field(
                &s,
                "data_impact",
                Some(o.data_impact.clone()),
                Some(n.data_impact.clone()),
            );
            let (a, b): (Vec<&CheckItem>, Vec<&CheckItem>) =
                (o.steps.iter().collect(), n.steps.iter().collect());
            self.items(&s, "step", &a, &b);
        }
    }

    fn checklists(&mut self) {
        for (name, pair) in keyed(&self.old.checklists, &self.new.checklists, |c| {
            c.name.clone()
        }) {
            let s = Scope::Checklist(name);
            match pair {
                Pair::Added(_) => self.push(&s, ChangeKind::Added),
                Pair::Removed(_) => self.push(&s, ChangeKind::Removed),
                Pair::Both(o, n) => {
                    self.field(&s, "title", Some(q(&o.title)), Some(q(&n.title)));
                    let (a, b): (Vec<&CheckItem>, Vec<&CheckItem>) =
                        (o.items.iter().collect(), n.items.iter().collect());
                    self.items(&s, "check", &a, &b);
                }
            }
        }
    }

    fn templates(&mut self) {
        for (name, pair) in keyed(&self.old.templates, &self.new.templates, |t| t.name.clone()) {
            let s = Scope::Template(name);
            match pair {
                Pair::Added(_) => self.push(&s, ChangeKind::Added),
                Pair::Removed(_) => self.push(&s, ChangeKind::Removed),
                Pair::Both(o, n) => {
                    self.field(&s, "title", Some(q(&o.title)), Some(q(&n.title)));
                    self.field(&s, "when", oq(&o.when), oq(&n.when));
                    self.field(&s, "subject", oq(&o.subject), oq(&n.subject));
                    self.field(
                        &s,
                        "fields",
                        set(o.fields.iter().cloned()),
                        set(n.fields.iter().cloned()),
                    );
                    self.field(&s, "body", Some(prose(&o.body)), Some(prose(&n.body)));
                }
            }
        }
    }

    fn criteria(&mut self) {
        let (old, new) = (self.old, self.new);
        let s = Scope::Criteria;
        let key = |c: &crate::model::Criterion| {
            let kind = match c.kind {
                CriterionKind::Success => "success",
                CriterionKind::Failure => "failure",
            };
            format!("{kind} {}", q(&c.title))
        };
        let text = |spec: &Spec, c: &crate::model::Criterion| {
            c.condition.as_ref().map(|(cond, sustain)| {
                let mut t = format!("when {}", condition(spec, cond));
                if let Some(d) = sustain {
                    t.push_str(&format!(" for {d}"));
                }
                t
            })
        };
        for (k, pair) in keyed(&old.criteria, &new.criteria, key) {
            match pair {
                Pair::Added(c) => {
                    self.changed(&s, &k, None, Some(text(new, c).unwrap_or_default()))
                }
                Pair::Removed(c) => {
                    self.changed(&s, &k, Some(text(old, c).unwrap_or_default()), None)
                }
                Pair::Both(a, b) => {
                    let same = match (&a.condition, &b.condition) {
                        (Some((ca, sa)), Some((cb, sb))) => {
                            sa == sb && same_condition(old, new, ca, cb)
                        }
                        (x, y) => x.is_none() && y.is_none(),
                    };
                    if !same {
                        self.changed(&s, &k, text(old, a), text(new, b));
                    }
                }
            }
        }
    }

    fn sections(&mut self) {
        for (title, pair) in keyed(&self.old.sections, &self.new.sections, |x| x.title.clone()) {
            let s = Scope::Section(title);
            match pair {
                Pair::Added(_) => self.push(&s, ChangeKind::Added),
                Pair::Removed(_) => self.push(&s, ChangeKind::Removed),
                Pair::Both(o, n) => {
                    self.field(&s, "body", Some(prose(&o.body)), Some(prose(&n.body)))
                }
            }
        }
    }
}

fn strategy(s: Strategy) -> &'static str {
    match s {
        Strategy::Canary => "canary",
        Strategy::BlueGreen => "blue_green",
    }
}

fn item_text(c: &CheckItem) -> String {
    match &c.command {
        Some(cmd) if cmd.contains('\n') => cmd.clone(),
        Some(cmd) => format!("run {}", q(cmd)),
        None => String::new(),
    }
}

/// Normal, warning and critical as written, with their sustain.
fn bands(b: Option<&Bands>) -> [Option<String>; 3] {
    let Some(b) = b else {
        return [None, None, None];
    };
    let band = |x: &Option<crate::model::Band>| {
        x.as_ref().map(|x| {
            if x.sustain == Duration::ZERO {
                x.text.clone()
            } else {
                format!("{} for {}", x.text, x.sustain)
            }
        })
    };
    [
        Some(b.normal_text.clone()),
        band(&b.warning),
        band(&b.critical),
    ]
}

fn condition(spec: &Spec, c: &Condition) -> String {
    format!(
        "{} {} {}",
        spec.metric(c.metric).name,
        c.op.as_str(),
        c.threshold.text
    )
}

fn same_condition(old: &Spec, new: &Spec, a: &Condition, b: &Condition) -> bool {
    old.metric(a.metric).name == new.metric(b.metric).name
        && a.op == b.op
        && same_threshold(&a.threshold, &b.threshold)
}

fn trigger_condition(spec: &Spec, c: &TriggerCondition) -> String {
    match c {
        TriggerCondition::Metric {
            condition: c,
            sustain,
        } => {
            if *sustain == Duration::ZERO {
                condition(spec, c)
            } else {
                format!("{} for {sustain}", condition(spec, c))
            }
        }
        TriggerCondition::Observed(text) => q(text),
    }
}

/// What a gate is matched by within its phase: the metric it measures, or
/// its kind.
fn gate_key(spec: &Spec, g: &Gate) -> String {
    match g {
        Gate::Metric(m) => spec.metric(m.condition.metric).name.clone(),
        Gate::Approval { .. } => "approval".into(),
        Gate::Smoke { .. } => "smoke".into(),
        Gate::Http { .. } => "http".into(),
    }
}

/// A gate without its key: `< 1% for 15m`, `platform_lead, dev_lead`, ...
/// `no_data` shows only when the gate overrides its metric's policy.
fn gate(spec: &Spec, g: &Gate) -> String {
    match g {
        Gate::Metric(m) => metric_gate(spec, m),
        Gate::Approval { approvers } => {
            set(approvers.iter().map(|i| spec.contact(*i).name.clone())).unwrap_or_default()
        }
        Gate::Smoke {
            command,
            image,
            timeout,
            resources,
        } => format!(
            "{} image {image} timeout {timeout}{}",
            q(command),
            job_resources(resources)
        ),
        Gate::Http {
            url,
            expect,
            timeout,
        } => format!("{} expect {expect} timeout {timeout}", q(url)),
    }
}

const DEFAULT_INTERVAL: Duration = Duration::from_mins(1);

fn no_data_override(spec: &Spec, m: &MetricGate) -> Option<NoData> {
    (m.no_data != spec.metric(m.condition.metric).no_data).then_some(m.no_data)
}

fn metric_gate(spec: &Spec, m: &MetricGate) -> String {
    let mut s = format!(
        "{} {} for {}",
        m.condition.op.as_str(),
        m.condition.threshold.text,
        m.window
    );
    if m.interval != DEFAULT_INTERVAL {
        s.push_str(&format!(" every {}", m.interval));
    }
    if let Some(nd) = no_data_override(spec, m) {
        s.push_str(&format!(" no_data {}", nd.as_str()));
    }
    s
}

fn same_gate(old: &Spec, new: &Spec, a: &Gate, b: &Gate) -> bool {
    match (a, b) {
        (Gate::Metric(x), Gate::Metric(y)) => {
            same_condition(old, new, &x.condition, &y.condition)
                && x.window == y.window
                && x.interval == y.interval
                && no_data_override(old, x) == no_data_override(new, y)
        }
        _ => gate(old, a) == gate(new, b),
    }
}
