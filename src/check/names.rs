//! Name tables, one per kind of item: declaring (E0301 on duplicates, with
//! the first definition as related span) and resolving (unknown-name codes
//! with "did you mean").

use std::cell::Cell;
use std::collections::HashMap;

use crate::diagnostics::{did_you_mean, Code, Diagnostic, Diagnostics};
use crate::source::Span;

#[derive(Debug)]
pub struct Table {
    /// "metric", "contact", ... for messages.
    pub kind: &'static str,
    unknown: Code,
    pub entries: Vec<(String, Option<Span>)>,
    index: HashMap<String, usize>,
    /// Name comparisons left for "did you mean": each unknown name is
    /// compared with every declared one, so without a bound N unknown
    /// references to N names cost N² (1,000 of each took 19 s).
    suggestions_left: Cell<usize>,
}

/// Comparisons "did you mean" may make per table and spec: enough for every
/// unknown name of a real spec (a hundred unknown names among two hundred),
/// a few milliseconds.
const MAX_SUGGESTION_COMPARISONS: usize = 20_000;

impl Table {
    pub fn new(kind: &'static str, unknown: Code) -> Self {
        Table {
            kind,
            unknown,
            entries: Vec::new(),
            index: HashMap::new(),
            suggestions_left: Cell::new(MAX_SUGGESTION_COMPARISONS),
        }
    }

    /// A name that exists without being written in the spec (built-ins).
    pub fn builtin(&mut self, name: &str) {
        self.index.insert(name.to_string(), self.entries.len());
        self.entries.push((name.to_string(), None));
    }

    pub fn declare(&mut self, name: &str, span: Span, d: &mut Diagnostics) {
        if let Some(&first) = self.index.get(name) {
            let diagnostic = Diagnostic::new(
                Code::DuplicateName,
                span,
                format!("{} `{name}` is defined twice", self.kind),
                "defined again here",
            );
            d.push(match self.entries[first].1 {
                Some(first_span) => diagnostic.related(first_span, "first defined here"),
                None => diagnostic
                    .label(format!("`{name}` is a built-in {}", self.kind))
                    .help(format!(
                        "built-in {}s cannot be redefined; choose another name",
                        self.kind
                    )),
            });
            return;
        }
        self.index.insert(name.to_string(), self.entries.len());
        self.entries.push((name.to_string(), Some(span)));
    }

    pub fn get(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    pub fn resolve(&self, name: &str, span: Span, d: &mut Diagnostics) -> Option<usize> {
        if let Some(i) = self.get(name) {
            return Some(i);
        }
        let mut diagnostic = Diagnostic::new(
            self.unknown,
            span,
            format!("unknown {} `{name}`", self.kind),
            format!("no {} of this name", self.kind),
        );
        let left = self.suggestions_left.get();
        if let Some(left) = left.checked_sub(self.entries.len()) {
            self.suggestions_left.set(left);
            if let Some(s) = did_you_mean(name, self.entries.iter().map(|(n, _)| n.as_str())) {
                diagnostic = diagnostic.help(format!("did you mean `{s}`?"));
            }
        }
        d.push(diagnostic);
        None
    }

    /// The index of `name` when the declaration at `span` is the one the
    /// table holds (not a duplicate).
    pub fn declared_at(&self, name: &str, span: Span) -> Option<usize> {
        self.get(name).filter(|&i| self.entries[i].1 == Some(span))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }
}

impl Diagnostic {
    /// Replaces the primary label.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }
}
