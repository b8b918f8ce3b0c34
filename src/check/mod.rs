//! From syntax tree to checked model.
//!
//! 1. `declare`: every named item goes into its kind's table (duplicates are
//!    reported here), so references can be resolved in any order.
//! 2. `items::*`: each top-level statement is lowered into its model item;
//!    arguments are read through `Cursor`, units through `units`, names
//!    through `names`. Errors are collected, never thrown: lowering goes on
//!    with defaults so that one run reports every mistake of the file.
//! 3. `graph`: the phase DAG (cycles, anchors, traffic order), `usage`:
//!    unused metrics and contacts.
//!
//! The model is returned only when no error was found.

mod bands;
mod block;
mod cursor;
mod generated;
mod graph;
mod honour;
mod items;
mod names;
mod promql;
mod promql_fast;
mod reach;
pub mod secrets;
mod templated;
mod units;

use std::collections::BTreeSet;

use crate::diagnostics::{did_you_mean, Code, Diagnostic, Diagnostics};
use crate::model::*;
use crate::source::{SourceFile, Span};
use crate::syntax::{Arg, Statement, SyntaxTree, Value};

use cursor::Cursor;
use names::Table;

/// The top-level statements, each with what it declares.
const TOP_LEVEL: &[&str] = &[
    "release",
    "service",
    "environment",
    "metric",
    "phase",
    "trigger",
    "contact",
    "escalation",
    "severity",
    "rollback",
    "checklist",
    "template",
    "success",
    "failure",
    "signoff",
    "section",
];

/// Severities every spec has, and what they route as.
pub(crate) const BUILTIN_SEVERITIES: &[(&str, AlertSeverity)] = &[
    ("critical", AlertSeverity::Critical),
    ("major", AlertSeverity::Warning),
    ("minor", AlertSeverity::Info),
    ("warning", AlertSeverity::Warning),
    ("info", AlertSeverity::Info),
];

pub(crate) struct Names {
    pub services: Table,
    pub metrics: Table,
    pub phases: Table,
    pub contacts: Table,
    pub severities: Table,
    pub rollbacks: Table,
}

/// State shared by the lowering of all items of one spec.
pub(crate) struct Ctx<'s> {
    /// The spec's text, to point inside strings and text blocks.
    pub text: &'s str,
    pub d: Diagnostics,
    pub names: Names,
    /// Metrics and contacts referenced anywhere, for W1001/W1002.
    pub used_metrics: BTreeSet<usize>,
    pub used_contacts: BTreeSet<usize>,
    /// Units of the metrics, by declaration index, once lowered.
    pub metric_units: Vec<Option<MetricUnit>>,
    /// The no-data policy each metric declares, inherited by its gates.
    pub metric_no_data: Vec<Option<NoData>>,
    /// Where the items generating names are written, for E0210 and E0211.
    pub spans: generated::Spans,
}

impl Ctx<'_> {
    pub fn contact(&mut self, name: &str, span: Span) -> Option<ContactId> {
        let i = self.names.contacts.resolve(name, span, &mut self.d)?;
        self.used_contacts.insert(i);
        Some(ContactId(i))
    }

    pub fn contacts(&mut self, c: &mut Cursor, what: &str) -> Vec<ContactId> {
        let list = c.ident_list(&mut self.d, what);
        list.into_iter()
            .filter_map(|(n, s)| self.contact(&n, s))
            .collect()
    }

    pub fn severity(&mut self, name: &str, span: Span) -> Option<SeverityId> {
        self.names
            .severities
            .resolve(name, span, &mut self.d)
            .map(SeverityId)
    }

    pub fn service(&mut self, name: &str, span: Span) -> Option<ServiceId> {
        self.names
            .services
            .resolve(name, span, &mut self.d)
            .map(ServiceId)
    }

    pub fn rollback_level(&mut self, name: &str, span: Span) -> Option<RollbackLevelId> {
        self.names
            .rollbacks
            .resolve(name, span, &mut self.d)
            .map(RollbackLevelId)
    }
}

/// Whether `name` can name Kubernetes objects as it is (RFC 1123 label).
pub fn is_object_name(name: &str) -> bool {
    items::release::is_dns_label(name)
}

pub fn check(tree: &SyntaxTree, source: &SourceFile) -> (Option<Spec>, Diagnostics) {
    let mut d = Diagnostics::default();
    // Secrets are looked for in the tree as written; `not_secret` is then
    // taken away so that every statement accepts it.
    secrets::scan(tree, &source.text, &mut d);
    let stripped = secrets::strip_not_secret(tree);
    let tree: &SyntaxTree = &stripped;
    let mut ctx = Ctx {
        text: &source.text,
        d,
        names: Names {
            services: Table::new("service", Code::UnknownService),
            metrics: Table::new("metric", Code::UnknownMetric),
            phases: Table::new("phase", Code::UnknownPhase),
            contacts: Table::new("contact", Code::UnknownContact),
            severities: Table::new("severity", Code::UnknownSeverity),
            rollbacks: Table::new("rollback level", Code::UnknownRollbackLevel),
        },
        used_metrics: BTreeSet::new(),
        used_contacts: BTreeSet::new(),
        metric_units: Vec::new(),
        metric_no_data: Vec::new(),
        spans: generated::Spans::default(),
    };
    for (name, _) in BUILTIN_SEVERITIES {
        ctx.names.severities.builtin(name);
    }
    ctx.d
        .extend(crate::syntax::chars::bidi_warnings(&source.text));
    declare(tree, &mut ctx);
    ctx.metric_units = vec![None; ctx.names.metrics.len()];
    ctx.metric_no_data = vec![None; ctx.names.metrics.len()];

    let of = |kw: &'static str| tree.statements.iter().filter(move |s| s.keyword.text == kw);

    let mut severities: Vec<SeverityLevel> = BUILTIN_SEVERITIES
        .iter()
        .map(|(n, r)| SeverityLevel {
            name: n.to_string(),
            routes: *r,
            description: None,
            declared: false,
        })
        .collect();
    severities.extend(of("severity").filter_map(|s| items::people::severity(s, &mut ctx)));
    let contacts: Vec<Contact> = of("contact")
        .map(|s| items::people::contact(s, &mut ctx))
        .collect();
    let services: Vec<Service> = of("service")
        .map(|s| items::service::service(s, &mut ctx))
        .collect();
    let release = items::release::release(tree, &mut ctx);
    let metrics: Vec<Metric> = of("metric")
        .map(|s| items::metric::metric(s, &mut ctx))
        .collect();
    let rollback_levels: Vec<RollbackLevel> = of("rollback")
        .map(|s| items::process::rollback(s, &mut ctx))
        .collect();
    let phase_stmts: Vec<&Statement> = of("phase").collect();
    let lowered: Vec<items::phase::Lowered> = phase_stmts
        .iter()
        .map(|s| items::phase::phase(s, &mut ctx))
        .collect();
    let triggers: Vec<Trigger> = of("trigger")
        .map(|s| items::trigger::trigger(s, &mut ctx))
        .collect();
    let escalations: Vec<Escalation> = of("escalation")
        .filter_map(|s| items::people::escalation(s, &mut ctx))
        .collect();
    let checklists: Vec<Checklist> = of("checklist")
        .map(|s| items::process::checklist(s, &mut ctx))
        .collect();
    let templates: Vec<Template> = of("template")
        .map(|s| items::process::template(s, &mut ctx))
        .collect();
    let criteria: Vec<Criterion> = tree
        .statements
        .iter()
        .filter(|s| s.keyword.text == "success" || s.keyword.text == "failure")
        .filter_map(|s| items::process::criterion(s, &mut ctx))
        .collect();
    let signoff: Vec<ContactId> = of("signoff")
        .flat_map(|s| items::process::signoff(s, &mut ctx))
        .collect();
    let sections: Vec<Section> = of("section")
        .filter_map(|s| items::process::section(s, &mut ctx))
        .collect();
    let environments: Vec<Environment> = of("environment")
        .map(|s| items::service::environment(s, &services, &mut ctx))
        .collect();

    ctx.spans.services = of("service").map(name_span).collect();
    ctx.spans.metrics = of("metric").map(name_span).collect();
    ctx.spans.triggers = of("trigger").map(name_span).collect();
    ctx.spans.environments = of("environment").map(name_span).collect();
    // Contacts are lowered in source order (no filter), so indices agree.
    ctx.spans.contacts = of("contact").map(name_span).collect();
    let phases = graph::order_and_check(&phase_stmts, lowered, &services, &mut ctx);
    usage(tree, &metrics, &mut ctx);

    let spec = release.map(|release| Spec {
        source: source.name.clone(),
        release,
        services,
        environments,
        metrics,
        phases,
        triggers,
        contacts,
        severities,
        escalations,
        rollback_levels,
        checklists,
        templates,
        criteria,
        signoff,
        sections,
    });
    if let Some(spec) = &spec {
        generated::check(spec, &ctx.spans, &mut ctx.d);
    }
    let spec = if ctx.d.has_errors() {
        None
    } else {
        // Only a spec without other errors: its references all resolve.
        if let Some(spec) = &spec {
            reach::check(spec, &ctx.spans, &mut ctx.d);
            honour::check(spec, &ctx.spans, &mut ctx.d);
        }
        spec.filter(|_| !ctx.d.has_errors())
    };
    (spec, ctx.d)
}

/// Where an item's name is written: its first argument, else its keyword.
fn name_span(stmt: &Statement) -> Span {
    stmt.args.first().map_or(stmt.keyword.span, |a| a.span)
}

/// Pass 1: every name, and every unknown top-level statement.
fn declare(tree: &SyntaxTree, ctx: &mut Ctx) {
    for stmt in &tree.statements {
        let kw = stmt.keyword.text.as_str();
        let table = match kw {
            "service" => Some(&mut ctx.names.services),
            "metric" => Some(&mut ctx.names.metrics),
            "phase" => Some(&mut ctx.names.phases),
            "contact" => Some(&mut ctx.names.contacts),
            "severity" => Some(&mut ctx.names.severities),
            "rollback" => Some(&mut ctx.names.rollbacks),
            _ if TOP_LEVEL.contains(&kw) => None,
            _ => {
                let help = match did_you_mean(kw, TOP_LEVEL.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => Code::UnknownItem.info().help.to_string(),
                };
                ctx.d.push(
                    Diagnostic::new(
                        Code::UnknownItem,
                        stmt.keyword.span,
                        format!("`{kw}` is not a top-level statement"),
                        "unknown statement",
                    )
                    .help(help),
                );
                None
            }
        };
        if let Some(table) = table {
            // A missing or non-name first argument is reported when the item
            // is lowered.
            if let Some(Arg {
                value: Value::Ident(name),
                span,
            }) = stmt.args.first()
            {
                table.declare(name, *span, &mut ctx.d);
            }
        }
    }
}

/// W1001 and W1002: items declared but never used.
fn usage(tree: &SyntaxTree, metrics: &[Metric], ctx: &mut Ctx) {
    let _ = tree;
    for (i, (name, span)) in ctx.names.metrics.entries.iter().enumerate() {
        let has_bands = metrics.get(i).is_some_and(|m| m.bands.is_some());
        if let Some(span) = span {
            if !has_bands && !ctx.used_metrics.contains(&i) {
                ctx.d.push(Diagnostic::new(
                    Code::UnusedMetric,
                    *span,
                    format!("metric `{name}` is never used"),
                    "declared here, used nowhere",
                ));
            }
        }
    }
    for (i, (name, span)) in ctx.names.contacts.entries.iter().enumerate() {
        if let Some(span) = span {
            if !ctx.used_contacts.contains(&i) {
                ctx.d.push(Diagnostic::new(
                    Code::UnusedContact,
                    *span,
                    format!("contact `{name}` is never referenced"),
                    "declared here, referenced nowhere",
                ));
            }
        }
    }
}
