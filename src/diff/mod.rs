//! Semantic diff of two checked specs: what a change does to a release
//! ("canary 25% → 50%", "error-rate gate 1% → 2%"), not how its text moved.
//!
//! Items are matched by name, never by position, and values are compared
//! through the model, so reordering, reformatting, comments and `15m` vs
//! `900s` never show. [`diff`] returns typed [`Change`]s in report order
//! (release, services, phases in the new spec's graph order, then the rest);
//! [`render_text`] and [`render_markdown`] print them; [`run`] is the
//! `deployc diff` command (two files, or every spec against a git revision).

mod command;
mod compare;
mod render;

use std::fmt;

pub use command::{run, Format};
pub use render::{render_markdown, render_text, NO_CHANGE};

use crate::model::Spec;

/// What a change is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    Release,
    Service(String),
    Phase(String),
    Environment(String),
    Metric(String),
    Trigger(String),
    /// A declared severity level (the built-in ones never change).
    Severity(String),
    Contact(String),
    /// Keyed by the severity it handles.
    Escalation(String),
    Rollback(String),
    Checklist(String),
    Template(String),
    /// Success and failure criteria.
    Criteria,
    /// Keyed by title.
    Section(String),
}

impl Scope {
    /// Report order of the kinds of scope: release, services, phases, then the rest.
    pub fn rank(&self) -> u8 {
        match self {
            Scope::Release => 0,
            Scope::Service(_) => 1,
            Scope::Phase(_) => 2,
            Scope::Environment(_) => 3,
            Scope::Metric(_) => 4,
            Scope::Trigger(_) => 5,
            Scope::Severity(_) => 6,
            Scope::Contact(_) => 7,
            Scope::Escalation(_) => 8,
            Scope::Rollback(_) => 9,
            Scope::Checklist(_) => 10,
            Scope::Template(_) => 11,
            Scope::Criteria => 12,
            Scope::Section(_) => 13,
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Release => f.write_str("release"),
            Scope::Service(n) => write!(f, "service {n}"),
            Scope::Phase(n) => write!(f, "phase {n}"),
            Scope::Environment(n) => write!(f, "environment {n}"),
            Scope::Metric(n) => write!(f, "metric {n}"),
            Scope::Trigger(n) => write!(f, "trigger {n}"),
            Scope::Severity(n) => write!(f, "severity {n}"),
            Scope::Contact(n) => write!(f, "contact {n}"),
            Scope::Escalation(n) => write!(f, "escalation {n}"),
            Scope::Rollback(n) => write!(f, "rollback {n}"),
            Scope::Checklist(n) => write!(f, "checklist {n}"),
            Scope::Template(n) => write!(f, "template {n}"),
            Scope::Criteria => f.write_str("criteria"),
            Scope::Section(t) => write!(f, "section {t:?}"),
        }
    }
}

/// What happened to the scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeKind {
    /// The whole item is new.
    Added,
    /// The whole item is gone.
    Removed,
    /// One field of the item changed. `old: None` means the field (an env
    /// variable, a gate, a checklist item, ...) was added, `new: None` that
    /// it was removed. Values are canonical text of the model (`15m`, `2Gi`),
    /// with ids resolved to names.
    Changed {
        field: String,
        old: Option<String>,
        new: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub scope: Scope,
    pub kind: ChangeKind,
}

/// Every semantic difference from `old` to `new`, in report order.
pub fn diff(old: &Spec, new: &Spec) -> Vec<Change> {
    let mut changes = compare::compare(old, new);
    // Already emitted in report order; the stable sort only guarantees it.
    changes.sort_by_key(|c| c.scope.rank());
    changes
}
