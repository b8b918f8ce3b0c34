//! The formatter: one canonical layout for every spec, printed from the
//! syntax tree and its comments, so it never changes what a spec means.
//!
//! The layout:
//!
//! - One statement per line (`a 1; b 2` becomes two lines), two spaces of
//!   indentation per block level, `keyword arg arg {` with the block's
//!   statements below and `}` on its own line. A block with neither
//!   statements nor comments prints as `{}`.
//! - Arguments are separated by one space; a `,` follows its item directly
//!   and is followed by a space. Names, anchors, quantities, ranges and
//!   comparisons are printed as written; strings are re-escaped with `\"`,
//!   `\\`, `\n` and `\t` only.
//! - Text blocks (`"""`) open at the end of their line, put each content line
//!   at the statement's indentation plus two spaces (blank lines stay empty),
//!   and close on a line of their own at the statement's indentation; content
//!   without a final line break closes right after its last line. Whatever
//!   the layout cannot express (a stray carriage return) is kept verbatim.
//! - A comment on its own line stays before the statement that follows it,
//!   at that statement's indentation, or at the end of its block or file.
//!   A comment after code stays at the end of that line: its `#` goes in
//!   column 43 (after 42 characters), or two spaces after longer code. The
//!   rule depends on the line alone, so editing one line never moves the
//!   comments of others. Comment text is kept; only trailing spaces go.
//! - Blank lines: one where the author had one or more between two
//!   statements or comments of the same block; none at the start or end of a
//!   block or file.
//! - Long lines are never wrapped. The file ends with one line break (an
//!   empty spec stays empty).
//!
//! `format(format(x)) == format(x)`, and the output checks to the same model
//! as the input (tests/fmt.rs).

mod command;
mod layout;
#[cfg(test)]
mod tests;

pub use command::run;
pub use layout::COMMENT_COLUMN;

use crate::diagnostics::Diagnostic;

/// The canonical layout of a spec, or its syntax errors.
pub fn format(source: &str) -> Result<String, Vec<Diagnostic>> {
    let tree = crate::syntax::parse(source)?;
    Ok(layout::print(source, &tree))
}
