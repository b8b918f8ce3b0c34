//! Reading a statement's arguments one by one, each read either yielding a
//! typed value or recording a diagnostic that says what was expected where.

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::Span;
use crate::syntax::{Arg, CompareOp, Quantity, Statement, Value};

pub struct Cursor<'a> {
    stmt: &'a Statement,
    pos: usize,
    /// What the statement is called in messages: "`gate`".
    name: String,
}

impl<'a> Cursor<'a> {
    pub fn new(stmt: &'a Statement) -> Self {
        Cursor {
            stmt,
            pos: 0,
            name: format!("`{}`", stmt.keyword.text),
        }
    }

    pub fn statement(&self) -> &'a Statement {
        self.stmt
    }

    pub fn peek(&self) -> Option<&'a Arg> {
        self.stmt.args.get(self.pos)
    }

    fn next(&mut self) -> Option<&'a Arg> {
        let arg = self.stmt.args.get(self.pos);
        if arg.is_some() {
            self.pos += 1;
        }
        arg
    }

    /// Where a missing argument would have gone: just after the last one read.
    fn missing_at(&self) -> Span {
        let prev = if self.pos == 0 {
            self.stmt.keyword.span
        } else {
            self.stmt.args[self.pos - 1].span
        };
        Span::new(prev.end, prev.end)
    }

    fn expected(&mut self, d: &mut Diagnostics, what: &str) {
        match self.peek() {
            Some(arg) => d.push(Diagnostic::new(
                Code::BadArgument,
                arg.span,
                format!(
                    "{} expects {what}, found {}",
                    self.name,
                    arg.value.describe()
                ),
                format!("expected {what}"),
            )),
            None => d.push(Diagnostic::new(
                Code::BadArgument,
                self.missing_at(),
                format!("{} expects {what}", self.name),
                format!("{what} missing here"),
            )),
        }
        // Skip what cannot be read, so that one mistake gives one error.
        self.pos = self.stmt.args.len();
    }

    /// A name (identifier).
    pub fn ident(&mut self, d: &mut Diagnostics, what: &str) -> Option<(String, Span)> {
        match self.peek() {
            Some(Arg {
                value: Value::Ident(s),
                span,
            }) => {
                self.pos += 1;
                Some((s.clone(), *span))
            }
            _ => {
                self.expected(d, what);
                None
            }
        }
    }

    /// A string or a text block.
    pub fn text(&mut self, d: &mut Diagnostics, what: &str) -> Option<(String, Span)> {
        match self.peek() {
            Some(Arg {
                value: Value::Str(s) | Value::Text(s),
                span,
            }) => {
                self.pos += 1;
                Some((s.clone(), *span))
            }
            _ => {
                self.expected(d, what);
                None
            }
        }
    }

    /// A string, or a name taken as text (`namespace vectorizer`).
    pub fn text_or_ident(&mut self, d: &mut Diagnostics, what: &str) -> Option<(String, Span)> {
        match self.peek() {
            Some(Arg {
                value: Value::Ident(s) | Value::Str(s) | Value::Text(s),
                span,
            }) => {
                self.pos += 1;
                Some((s.clone(), *span))
            }
            _ => {
                self.expected(d, what);
                None
            }
        }
    }

    pub fn quantity(&mut self, d: &mut Diagnostics, what: &str) -> Option<&'a Quantity> {
        match self.peek() {
            Some(Arg {
                value: Value::Quantity(q),
                ..
            }) => {
                self.pos += 1;
                Some(q)
            }
            _ => {
                self.expected(d, what);
                None
            }
        }
    }

    /// `a..b`, or a single quantity standing for `a..a`.
    pub fn range_or_quantity(
        &mut self,
        d: &mut Diagnostics,
        what: &str,
    ) -> Option<(&'a Quantity, &'a Quantity)> {
        match self.peek() {
            Some(Arg {
                value: Value::Quantity(q),
                ..
            }) => {
                self.pos += 1;
                Some((q, q))
            }
            Some(Arg {
                value: Value::Range(a, b),
                ..
            }) => {
                self.pos += 1;
                Some((a, b))
            }
            _ => {
                self.expected(d, what);
                None
            }
        }
    }

    pub fn compare(&mut self, d: &mut Diagnostics, what: &str) -> Option<(CompareOp, Span)> {
        match self.peek() {
            Some(Arg {
                value: Value::Compare(op),
                span,
            }) => {
                self.pos += 1;
                Some((*op, *span))
            }
            _ => {
                self.expected(d, what);
                None
            }
        }
    }

    pub fn anchor(&mut self, d: &mut Diagnostics, what: &str) -> Option<(String, Span)> {
        match self.peek() {
            Some(Arg {
                value: Value::Anchor(s),
                span,
            }) => {
                self.pos += 1;
                Some((s.clone(), *span))
            }
            _ => {
                self.expected(d, what);
                None
            }
        }
    }

    /// Consumes the keyword `word` if it comes next.
    pub fn eat(&mut self, word: &str) -> Option<Span> {
        match self.peek() {
            Some(Arg {
                value: Value::Ident(s),
                span,
            }) if s == word => {
                self.pos += 1;
                Some(*span)
            }
            _ => None,
        }
    }

    /// Requires the keyword `word` next.
    pub fn expect_word(&mut self, d: &mut Diagnostics, word: &str) -> bool {
        if self.eat(word).is_some() {
            true
        } else {
            self.expected(d, &format!("`{word}`"));
            false
        }
    }

    /// `a, b, c`: one or more names separated by commas.
    pub fn ident_list(&mut self, d: &mut Diagnostics, what: &str) -> Vec<(String, Span)> {
        self.list(d, what, |c, d, w| c.ident(d, w))
    }

    /// `"a", "b"`: one or more strings separated by commas.
    pub fn text_list(&mut self, d: &mut Diagnostics, what: &str) -> Vec<(String, Span)> {
        self.list(d, what, |c, d, w| c.text(d, w))
    }

    fn list<T>(
        &mut self,
        d: &mut Diagnostics,
        what: &str,
        mut item: impl FnMut(&mut Self, &mut Diagnostics, &str) -> Option<T>,
    ) -> Vec<T> {
        let mut out = Vec::new();
        loop {
            match item(self, d, what) {
                Some(v) => out.push(v),
                None => return out,
            }
            match self.peek() {
                Some(Arg {
                    value: Value::Comma,
                    ..
                }) => self.pos += 1,
                _ => return out,
            }
        }
    }

    /// Reports every argument left over.
    pub fn end(&mut self, d: &mut Diagnostics) {
        if let Some(first) = self.next() {
            let last = self.stmt.args.last().map_or(first.span, |a| a.span);
            d.push(
                Diagnostic::new(
                    Code::ExtraArgument,
                    first.span.to(last),
                    format!("unexpected argument after {}: {}", self.name, first.value.describe()),
                    "not expected here",
                )
                .help(format!(
                    "{} takes fewer arguments here; see docs/language.md (a new statement starts on a new line)",
                    self.name
                )),
            );
            self.pos = self.stmt.args.len();
        }
    }
}
