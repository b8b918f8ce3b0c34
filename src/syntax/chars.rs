//! Characters a spec may hold but a terminal or a reader would act on
//! instead of showing: control characters (NUL, the escape that starts a
//! terminal escape sequence, bell, C1 controls) and the bidirectional
//! controls that reorder how text is displayed (Trojan Source,
//! CVE-2021-42574). Strings and text blocks reach the runbook, the
//! generated YAML and the terminal, so controls are refused there; bidi
//! controls are legitimate in right-to-left prose, so they are warned about
//! wherever they stand (comments too, where Trojan Source hides them).

use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;

/// A control character (Unicode category Cc: C0, DEL, C1), which a
/// terminal may execute.
pub fn is_control(c: char) -> bool {
    c.is_control()
}

/// The bidirectional formatting characters that make text display in
/// another order than it is read: embeddings and overrides (U+202A to
/// U+202E) and isolates (U+2066 to U+2069).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The error for the first control character in the raw text of a string
/// (`in_text_block` false: only a tab is allowed) or a text block (line
/// breaks allowed as well), `raw` starting at byte `start` of the spec.
pub fn refused_control(raw: &str, start: usize, in_text_block: bool) -> Option<Diagnostic> {
    let allowed = |c: char| c == '\t' || (in_text_block && (c == '\n' || c == '\r'));
    let (at, c) = raw
        .char_indices()
        .find(|&(_, c)| is_control(c) && !allowed(c))?;
    let at = start + at;
    let what = if in_text_block {
        "text block"
    } else {
        "string"
    };
    Some(
        Diagnostic::new(
            Code::ControlCharacter,
            Span::new(at, at + c.len_utf8()),
            format!("control character `{}` in a {what}", c.escape_unicode()),
            "control character",
        )
        .help(if in_text_block {
            "remove it: text blocks take tabs and line breaks, but no other control character (it would reach the generated files and the terminal as is)"
        } else {
            "write a tab as \\t and a line break as \\n; no other control character may stand in a string (it would reach the generated files and the terminal as is)"
        }),
    )
}

/// A warning for every bidirectional control character of the spec.
pub fn bidi_warnings(text: &str) -> Vec<Diagnostic> {
    text.char_indices()
        .filter(|&(_, c)| is_bidi_control(c))
        .map(|(at, c)| {
            Diagnostic::new(
                Code::BidiControl,
                Span::new(at, at + c.len_utf8()),
                format!(
                    "bidirectional control character `{}` changes how this line is displayed",
                    c.escape_unicode()
                ),
                "bidirectional control",
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_refused_but_tabs_and_text_block_line_breaks() {
        assert!(refused_control("a\tb", 0, false).is_none());
        assert!(refused_control("a\n\r\tb", 0, true).is_none());
        let d = refused_control("ab\u{1b}[31m", 10, false).unwrap();
        assert_eq!(d.span, Span::new(12, 13));
        assert_eq!(d.message, "control character `\\u{1b}` in a string");
        for c in ['\0', '\u{7}', '\u{7f}', '\u{9b}'] {
            assert!(
                refused_control(&format!("x{c}"), 0, true).is_some(),
                "{c:?}"
            );
        }
    }

    #[test]
    fn every_bidi_control_is_warned_about() {
        let text = "a \u{202e}b\u{2066} \u{200f}";
        let spans: Vec<Span> = bidi_warnings(text).iter().map(|d| d.span).collect();
        // U+200F (a right-to-left mark) reorders nothing by itself.
        assert_eq!(spans, [Span::new(2, 5), Span::new(6, 9)]);
    }
}
