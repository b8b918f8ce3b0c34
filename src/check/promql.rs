//! Every query is parsed as Prometheus would parse it, so a typo fails the
//! check instead of the 3 a.m. page. promql-parser reports no positions, so
//! the culprit is located from its message (an unclosed parenthesis, a
//! quoted name, a bad duration) and pointed at inside the spec.

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::Span;
use crate::syntax::{Arg, Value};

pub fn check(query: &str, arg: &Arg, text: &str, d: &mut Diagnostics) {
    if super::promql_fast::known_valid(query) {
        return;
    }
    let Err(message) = promql_parser::parser::parse(query) else {
        return;
    };
    let located = locate(query, &message);
    let span = match located {
        Some((start, end)) => to_source(arg, query, start, end, text).unwrap_or(arg.span),
        None => arg.span,
    };
    let label = match located {
        Some(_) => "here".to_string(),
        None => "in this query".to_string(),
    };
    d.push(
        Diagnostic::new(
            Code::InvalidPromql,
            span,
            format!("invalid PromQL: {message}"),
            label,
        )
        .help("fix the query; check it in the Prometheus expression browser if in doubt"),
    );
}

/// Byte range in the query the message is about, when it can be told.
fn locate(query: &str, message: &str) -> Option<(usize, usize)> {
    if message.contains("unclosed left parenthesis") {
        return unmatched_open(query, '(', ')');
    }
    if message.contains("inside braces") {
        return unmatched_open(query, '{', '}');
    }
    if message.contains("inside brackets") {
        return unmatched_open(query, '[', ']');
    }
    if message.contains("unexpected right parenthesis") {
        return unmatched_close(query, '(', ')');
    }
    // `unknown function with name 'rat'`, `... to function 'rate', got vector`
    if let Some(name) = message.split('\'').nth(1) {
        if let Some(at) = find_word(query, name) {
            return Some((at, at + name.len()));
        }
    }
    // `bad number or duration syntax: 5q`
    if let Some((_, token)) = message.rsplit_once(": ") {
        let token = token.trim();
        if !token.is_empty() {
            if let Some(at) = query.find(token) {
                return Some((at, at + token.len()));
            }
        }
    }
    None
}

fn find_word(query: &str, word: &str) -> Option<usize> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == ':';
    query.match_indices(word).map(|(i, _)| i).find(|&i| {
        let before = query[..i].chars().next_back().is_none_or(|c| !is_word(c));
        let after = query[i + word.len()..]
            .chars()
            .next()
            .is_none_or(|c| !is_word(c));
        before && after
    })
}

fn unmatched_open(query: &str, open: char, close: char) -> Option<(usize, usize)> {
    let mut stack = Vec::new();
    for (i, c) in code_chars(query) {
        if c == open {
            stack.push(i);
        } else if c == close {
            stack.pop();
        }
    }
    stack.last().map(|&i| (i, i + 1))
}

fn unmatched_close(query: &str, open: char, close: char) -> Option<(usize, usize)> {
    let mut depth = 0usize;
    for (i, c) in code_chars(query) {
        if c == open {
            depth += 1;
        } else if c == close {
            if depth == 0 {
                return Some((i, i + 1));
            }
            depth -= 1;
        }
    }
    None
}

/// Characters outside PromQL string literals.
fn code_chars(query: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    query.char_indices().filter(move |&(_, c)| {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            return false;
        }
        if matches!(c, '"' | '\'' | '`') {
            quote = Some(c);
            return false;
        }
        true
    })
}

/// Maps a byte range of the decoded query to the spec. For a "..." string,
/// escapes are replayed; a text block is verbatim apart from indentation, so
/// the located text is searched for in the block.
fn to_source(arg: &Arg, query: &str, start: usize, end: usize, text: &str) -> Option<Span> {
    match &arg.value {
        Value::Str(_) => {
            // Source offset of each decoded byte: skip the opening quote,
            // count two source bytes for every escape.
            let mut src = arg.span.start + 1;
            let mut decoded = 0;
            let mut out_start = None;
            let raw_len = arg.span.len().saturating_sub(2);
            let mut consumed = 0;
            for c in query.chars() {
                if decoded == start {
                    out_start = Some(src);
                }
                if decoded == end {
                    break;
                }
                let width = if matches!(c, '"' | '\\' | '\n' | '\t') {
                    2
                } else {
                    c.len_utf8()
                };
                src += width;
                consumed += width;
                decoded += c.len_utf8();
            }
            let out_end = src;
            if consumed > raw_len + 2 {
                return None;
            }
            out_start.map(|s| Span::new(s, out_end.max(s)))
        }
        _ => find_in(text, arg.span, &query[start..end]),
    }
}

/// The first place `needle` occurs in the source inside `within`.
pub fn find_in(text: &str, within: Span, needle: &str) -> Option<Span> {
    let hay = text.get(within.start..within.end)?;
    hay.find(needle)
        .map(|i| Span::new(within.start + i, within.start + i + needle.len()))
}
