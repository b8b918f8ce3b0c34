//! Lowering of each top-level statement into its model item, one module per
//! concept.

pub mod metric;
pub mod people;
pub mod phase;
pub mod process;
pub mod release;
pub mod service;
pub mod trigger;

use super::cursor::Cursor;
use super::Ctx;
use crate::source::Span;

/// The name after an item's keyword (`metric error_rate {`).
pub(crate) fn item_name(c: &mut Cursor, ctx: &mut Ctx, kind: &str) -> (String, Span) {
    c.ident(&mut ctx.d, &format!("the {kind}'s name"))
        .unwrap_or_else(|| (String::new(), c.statement().keyword.span))
}

/// `title "..."`-style statements: one text argument.
pub(crate) fn single_text(
    s: &crate::syntax::Statement,
    ctx: &mut Ctx,
    what: &str,
) -> Option<String> {
    super::block::no_body(s, &mut ctx.d);
    let mut c = Cursor::new(s);
    let t = c.text(&mut ctx.d, what).map(|t| t.0);
    c.end(&mut ctx.d);
    t
}

/// A name turned into a readable title: `high_error_rate` → `High error rate`.
pub(crate) fn title_from_name(name: &str) -> String {
    let words = name.replace(['_', '-'], " ");
    let mut c = words.chars();
    c.next()
        .map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
}
