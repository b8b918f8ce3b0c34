//! Bounds checked before parsing, so that no input can exhaust the stack or
//! the clock: file size, block nesting, length of a number. The same scan
//! finds unbalanced braces and reports them where they are, which pest can
//! only report at the end of the file.

use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;

/// Larger specs are rejected outright (a real spec is a few kilobytes).
pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;
/// Deeper nesting than this is rejected; the language itself needs three.
pub const MAX_DEPTH: usize = 16;
/// Longer digit runs are rejected (they overflow a decimal anyway).
pub const MAX_DIGITS: usize = 24;

pub fn scan(text: &str) -> Vec<Diagnostic> {
    if text.len() > MAX_FILE_BYTES {
        return vec![Diagnostic::new(
            Code::TooLarge,
            Span::new(0, 0),
            format!(
                "spec is {} bytes; the limit is {MAX_FILE_BYTES}",
                text.len()
            ),
            "file starts here",
        )];
    }
    let bytes = text.as_bytes();
    let mut errors = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => i = skip_to_line_end(bytes, i),
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                // An unclosed text block is reported by the parser itself.
                match find(bytes, i + 3, b"\"\"\"") {
                    Some(end) => i = end + 3,
                    None => return errors,
                }
            }
            b'"' => i = skip_string(bytes, i),
            b'{' => {
                open.push(i);
                if open.len() == MAX_DEPTH + 1 {
                    errors.push(
                        Diagnostic::new(
                            Code::TooLarge,
                            Span::new(i, i + 1),
                            format!("blocks nested deeper than {MAX_DEPTH} levels"),
                            "too deep",
                        )
                        .help("no statement of the language nests more than three blocks deep"),
                    );
                    return errors;
                }
                i += 1;
            }
            b'}' => {
                if open.pop().is_none() {
                    errors.push(
                        Diagnostic::new(
                            Code::Syntax,
                            Span::new(i, i + 1),
                            "unmatched `}`",
                            "closes no block",
                        )
                        .help("remove this `}` or add the `{` it was meant to close"),
                    );
                }
                i += 1;
            }
            b'0'..=b'9' => {
                let start = i;
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
                if i - start > MAX_DIGITS {
                    errors.push(Diagnostic::new(
                        Code::TooLarge,
                        Span::new(start, i),
                        format!("number has {} digits; the limit is {MAX_DIGITS}", i - start),
                        "too long",
                    ));
                }
            }
            _ => i += 1,
        }
    }
    for start in open {
        errors.push(
            Diagnostic::new(
                Code::Syntax,
                Span::new(start, start + 1),
                "unclosed `{`",
                "this block is never closed",
            )
            .help("add the missing `}` at the end of the block"),
        );
    }
    errors
}

fn skip_to_line_end(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i] != b'\n' {
        i += 1;
    }
    i
}

/// Past the closing quote, or to the end of the line for an unterminated
/// string (the parser reports that one).
fn skip_string(bytes: &[u8], mut i: usize) -> usize {
    i += 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            b'\n' => return i,
            _ => i += 1,
        }
    }
    i
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}
