//! The shape of blocks: which statements a block takes, which of them at most
//! once, which are required, and whether a statement has a block at all.

use std::collections::HashMap;

use super::cursor::Cursor;
use crate::diagnostics::{did_you_mean, Code, Diagnostic, Diagnostics};
use crate::source::Span;
use crate::syntax::Statement;

/// The statements of `stmt`'s block; reports E0207 when it has none.
pub fn body<'a>(stmt: &'a Statement, d: &mut Diagnostics) -> &'a [Statement] {
    match &stmt.block {
        Some(b) => &b.statements,
        None => {
            d.push(
                Diagnostic::new(
                    Code::BlockMismatch,
                    stmt.keyword.span,
                    format!("`{}` needs a {{ block }}", stmt.keyword.text),
                    "block expected after this statement",
                )
                .help(format!(
                    "write `{} ... {{` and the statements it contains, then `}}`",
                    stmt.keyword.text
                )),
            );
            &[]
        }
    }
}

/// Reports E0207 when `stmt` has a block it does not take.
pub fn no_body(stmt: &Statement, d: &mut Diagnostics) {
    if let Some(b) = &stmt.block {
        d.push(
            Diagnostic::new(
                Code::BlockMismatch,
                b.span,
                format!("`{}` takes no {{ block }}", stmt.keyword.text),
                "unexpected block",
            )
            .help(format!(
                "write the arguments of `{}` on its own line, without braces",
                stmt.keyword.text
            )),
        );
    }
}

/// Tracks statements that may appear once in a block.
#[derive(Default)]
pub struct Seen {
    first: HashMap<String, Span>,
}

impl Seen {
    /// True the first time; E0206 with the first one as related span after.
    pub fn once(&mut self, stmt: &Statement, d: &mut Diagnostics) -> bool {
        let kw = &stmt.keyword;
        if let Some(first) = self.first.get(&kw.text) {
            d.push(
                Diagnostic::new(
                    Code::RepeatedStatement,
                    kw.span,
                    format!("`{}` is given twice in this block", kw.text),
                    "given again here",
                )
                .related(*first, "first given here"),
            );
            return false;
        }
        self.first.insert(kw.text.clone(), kw.span);
        true
    }

    pub fn has(&self, keyword: &str) -> bool {
        self.first.contains_key(keyword)
    }
}

/// E0202 for a statement the block does not take, with a suggestion.
pub fn unknown(stmt: &Statement, block: &str, allowed: &[&str], d: &mut Diagnostics) {
    let kw = &stmt.keyword;
    let help = match did_you_mean(&kw.text, allowed.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("`{block}` takes: {}", allowed.join(", ")),
    };
    d.push(
        Diagnostic::new(
            Code::UnknownStatement,
            kw.span,
            format!("`{}` is not a statement of `{block}`", kw.text),
            "unknown here",
        )
        .help(help),
    );
}

/// E0205 when a required statement is missing from the block of `owner`.
pub fn require(present: bool, owner: &Statement, what: &str, example: &str, d: &mut Diagnostics) {
    if !present {
        let span = owner
            .keyword
            .span
            .to(owner.args.first().map_or(owner.keyword.span, |a| a.span));
        d.push(
            Diagnostic::new(
                Code::MissingStatement,
                span,
                format!("`{}` has no `{what}`", owner.keyword.text),
                format!("`{what}` missing in this {}", owner.keyword.text),
            )
            .help(format!("add `{example}` to the block")),
        );
    }
}

/// Visits the statements of `stmt`'s block as fields: each must be one of
/// `allowed` (E0202 otherwise), given at most once (E0206), without a block
/// of its own (E0207); `field` reads its arguments from a cursor, and any
/// argument left over is reported (E0204). Returns what was seen, for
/// `require`.
pub fn fields<'a>(
    stmt: &'a Statement,
    allowed: &[&str],
    d: &mut Diagnostics,
    mut field: impl FnMut(&str, &mut Cursor<'a>, &mut Diagnostics),
) -> Seen {
    let mut seen = Seen::default();
    for s in body(stmt, d) {
        let kw = s.keyword.text.as_str();
        if !allowed.contains(&kw) {
            unknown(s, &stmt.keyword.text, allowed, d);
            continue;
        }
        if !seen.once(s, d) {
            continue;
        }
        no_body(s, d);
        let mut c = Cursor::new(s);
        field(kw, &mut c, d);
        c.end(d);
    }
    seen
}
