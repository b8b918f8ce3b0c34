//! Text to syntax tree. See `grammar/deploy.pest` for the grammar.

pub mod chars;
mod limits;
mod parser;
mod strings;
pub mod tree;

pub use limits::{MAX_DEPTH, MAX_FILE_BYTES};
pub use parser::parse;
pub(crate) use strings::dedent;
pub use tree::*;

use crate::diagnostics::{Code, Diagnostic};
use crate::source::{Span, BOM};

/// Specs are UTF-8. Anything else gets E0100 pointing at the first bad byte.
/// A byte order mark is skipped (see [`crate::source::SourceFile`]).
pub fn decode(bytes: &[u8]) -> Result<&str, Diagnostic> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        Diagnostic::new(
            Code::NotUtf8,
            Span::new(at, at),
            format!("the file is not valid UTF-8 (first invalid byte at offset {at})"),
            "invalid byte here",
        )
    })?;
    Ok(text.strip_prefix(BOM).unwrap_or(text))
}
