//! Diagnostics are data: the parser and the checker return them, the CLI
//! renders them late (human, or machine formats), and nothing in between
//! prints. Every diagnostic has a stable code, a span, a label and a help line.

mod codes;
mod explain;
mod render;
mod suggest;

pub use codes::{Code, CODES};
pub use explain::{explanation, fixed_example, section_title, sections, wrong_example};
pub use render::{render_github, render_human, render_human_plain, render_json};
pub use suggest::did_you_mean;

use crate::source::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// A second place that matters for the same problem: the first definition of
/// a duplicate, the other end of a cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub span: Span,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub message: String,
    pub span: Span,
    pub label: String,
    pub help: String,
    pub related: Vec<Related>,
}

impl Diagnostic {
    /// A diagnostic of `code` at `span`. The help line defaults to the code's
    /// own; call `.help()` to say something more specific.
    pub fn new(
        code: Code,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Self {
        Diagnostic {
            code,
            message: message.into(),
            span,
            label: label.into(),
            help: code.info().help.to_string(),
            related: Vec::new(),
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = help.into();
        self
    }

    pub fn related(mut self, span: Span, label: impl Into<String>) -> Self {
        self.related.push(Related {
            span,
            label: label.into(),
        });
        self
    }

    pub fn severity(&self) -> Severity {
        self.code.severity()
    }

    pub fn is_error(&self) -> bool {
        self.severity() == Severity::Error
    }
}

/// All diagnostics of one run over one file, in source order.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }

    /// Source order, errors before warnings at the same place; duplicates
    /// (same code, same span) collapsed. Deterministic for snapshots.
    pub fn sorted(mut self) -> Vec<Diagnostic> {
        self.0.sort_by(|a, b| {
            (a.span.start, a.severity(), a.code, a.span.end, &a.message).cmp(&(
                b.span.start,
                b.severity(),
                b.code,
                b.span.end,
                &b.message,
            ))
        });
        self.0
            .dedup_by(|a, b| a.code == b.code && a.span == b.span && a.message == b.message);
        self.0
    }
}
