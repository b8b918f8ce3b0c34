//! Bounds checked before parsing, so that no input can exhaust the stack or
//! the clock: file size, block nesting, length of a number. The same scan
//! finds unbalanced braces and reports them where they are, which pest can
//! only report at the end of the file.

use super::strings::{literal_at, Literal};
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
            b'#' | b'"' => match literal_at(bytes, i) {
                // An unclosed text block or string is reported by the
                // parser itself, where it opens; braces after it are no
                // longer where the author meant them, so they are not
                // counted: an unbalanced count would hide the cause.
                Some((Literal::UnclosedTextBlock | Literal::UnterminatedStr, _)) => return errors,
                Some((_, end)) => i = end,
                None => i += 1,
            },
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

#[cfg(test)]
mod tests {
    use super::scan;

    fn messages(text: &str) -> Vec<String> {
        scan(text).into_iter().map(|d| d.message).collect()
    }

    #[test]
    fn braces_after_a_comment_or_a_string_on_the_same_line_are_not_code() {
        assert!(messages("a { # }\n}\n").is_empty());
        assert!(messages("a \"}\" {\n}\n").is_empty());
        assert!(messages("a \"\"\"\n}\n\"\"\" {\n}\n").is_empty());
    }

    #[test]
    fn a_comment_or_an_open_string_ends_at_any_line_break() {
        // A comment ends at `\r` too, as in the grammar: the `{` after it
        // is code, and never closed.
        assert_eq!(messages("# c\r{\r"), ["unclosed `{`"]);
        // A spec with `\r` line breaks and a comment is balanced (the scan
        // used to read the comment to the end of the file).
        assert!(messages("a { # x\r}\r").is_empty());
        // Nor are braces counted after a string left open on its line:
        // the parser reports the string, which is the cause.
        assert!(messages("a {\n  b \"x\\\n}\n").is_empty());
        assert!(messages("a \"x\n}\n").is_empty());
        assert_eq!(messages("} a \"x\n"), ["unmatched `}`"]);
    }
}
