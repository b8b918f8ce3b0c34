//! From text to syntax tree: pest does the parsing, this module turns its
//! pairs into `tree` nodes (one function per rule) and its errors into our
//! diagnostics, with our own spans, codes and wording.

use pest::iterators::Pair;
use pest::Parser as _;
use rust_decimal::Decimal;

use super::chars;
use super::limits;
use super::strings::{dedent, first_unterminated_string, literal_at, unescape, BadString, Literal};
use super::tree::*;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/deploy.pest"]
struct DeployParser;

/// After a syntax error the parser blanks the offending line and tries again,
/// so one run reports several independent mistakes; at most this many.
const MAX_SYNTAX_ERRORS: usize = 20;

/// Parses a whole spec. Returns the tree, or every syntax error found.
pub fn parse(text: &str) -> Result<SyntaxTree, Vec<Diagnostic>> {
    let structural = limits::scan(text);
    if !structural.is_empty() {
        return Err(structural);
    }
    let mut errors = Vec::new();
    let mut attempt = std::borrow::Cow::Borrowed(text);
    loop {
        let diagnostic = match DeployParser::parse(Rule::file, &attempt) {
            Ok(mut pairs) => {
                let file = pairs.next().expect("the file rule always yields one pair");
                let mut found = Findings::default();
                let tree = build_file(&attempt, file, &mut found);
                // A string that ran past its line break swallowed what
                // followed: the rest of this attempt is not to be trusted.
                match found.broken_string {
                    Some(open) => unterminated_at(&attempt, open),
                    None => {
                        errors.extend(found.errors);
                        return if errors.is_empty() {
                            Ok(tree)
                        } else {
                            Err(errors)
                        };
                    }
                }
            }
            Err(e) => syntax_error(&attempt, &e),
        };
        let offset = diagnostic.span.start;
        // After an unclosed text block everything is inside it:
        // further errors would only be noise.
        let unclosed_block = diagnostic.message == UNCLOSED_TEXT_BLOCK;
        errors.push(diagnostic);
        if unclosed_block {
            return Err(errors);
        }
        match blank_line_at(&attempt, offset) {
            Some(next) if errors.len() < MAX_SYNTAX_ERRORS => attempt = next.into(),
            _ => return Err(errors),
        }
    }
}

/// The text with the line holding `offset` replaced by spaces (offsets kept),
/// or None when that changes nothing.
fn blank_line_at(text: &str, offset: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    if text[start..end].trim().is_empty() {
        return None;
    }
    // One space per byte keeps every later offset where it was.
    let blank = " ".repeat(end - start);
    Some(format!("{}{blank}{}", &text[..start], &text[end..]))
}

/// What building the tree from pest's pairs finds wrong.
#[derive(Default)]
struct Findings {
    /// Bad escapes, reported with the tree's other errors.
    errors: Vec<Diagnostic>,
    /// Where the first string that runs past its line break opens.
    broken_string: Option<usize>,
}

fn build_file(text: &str, pair: Pair<Rule>, found: &mut Findings) -> SyntaxTree {
    let statements = pair
        .into_inner()
        .filter(|p| p.as_rule() == Rule::statement)
        .map(|p| build_statement(p, found))
        .collect();
    SyntaxTree {
        statements,
        comments: comments(text),
    }
}

/// Every comment of a spec that parsed. The grammar keeps them silent (a
/// token tried at every gap between tokens was a sixth of the parse), so
/// they are found here with the lexer of the pre-parse scan: in a spec that
/// parsed, every `#` outside a string or text block starts one.
fn comments(text: &str) -> Vec<Comment> {
    let bytes = text.as_bytes();
    let mut comments = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match literal_at(bytes, i) {
            Some((Literal::Comment, end)) => {
                comments.push(Comment {
                    text: text[i + 1..end].to_string(),
                    span: Span::new(i, end),
                });
                i = end;
            }
            Some((_, end)) => i = end,
            None => i += 1,
        }
    }
    comments
}

fn build_statement(pair: Pair<Rule>, found: &mut Findings) -> Statement {
    let span: Span = pair.as_span().into();
    let mut keyword = None;
    let mut args = Vec::new();
    let mut block = None;
    for child in pair.into_inner() {
        match child.as_rule() {
            Rule::keyword => {
                keyword = Some(Word {
                    text: child.as_str().to_string(),
                    span: child.as_span().into(),
                })
            }
            Rule::block => block = Some(build_block(child, found)),
            _ => args.push(build_argument(child, found)),
        }
    }
    let keyword = keyword.expect("the grammar puts a keyword first in every statement");
    Statement {
        keyword,
        args,
        block,
        span,
    }
}

fn build_block(pair: Pair<Rule>, found: &mut Findings) -> Block {
    let span = pair.as_span().into();
    let statements = pair
        .into_inner()
        .filter(|p| p.as_rule() == Rule::statement)
        .map(|p| build_statement(p, found))
        .collect();
    Block { statements, span }
}

fn build_argument(pair: Pair<Rule>, found: &mut Findings) -> Arg {
    let span: Span = pair.as_span().into();
    let value = match pair.as_rule() {
        Rule::identifier => Value::Ident(pair.as_str().to_string()),
        Rule::anchor => Value::Anchor(pair.as_str().to_string()),
        Rule::comma => Value::Comma,
        Rule::comparison => Value::Compare(build_comparison(pair.as_str())),
        Rule::quantity => Value::Quantity(build_quantity(pair)),
        Rule::range => {
            let mut inner = pair.into_inner();
            let lo = build_quantity(inner.next().expect("range has a low end"));
            let hi = build_quantity(inner.next().expect("range has a high end"));
            Value::Range(lo, hi)
        }
        Rule::string => build_string(pair, found),
        Rule::text_block => {
            let (inner, start) = pair
                .into_inner()
                .next()
                .map_or(("", span.start), |p| (p.as_str(), p.as_span().start()));
            if let Some(d) = chars::refused_control(inner, start, true) {
                found.errors.push(d);
            }
            Value::Text(dedent(inner))
        }
        other => unreachable!("the grammar allows no {other:?} as an argument"),
    };
    Arg { value, span }
}

fn build_string(pair: Pair<Rule>, found: &mut Findings) -> Value {
    let open = pair.as_span().start();
    let inner = pair.into_inner().next().expect("a string has a body");
    if let Some(d) = chars::refused_control(inner.as_str(), inner.as_span().start(), false) {
        found.errors.push(d);
    }
    match unescape(inner.as_str()) {
        Ok(s) => Value::Str(s),
        Err(BadString::LineBreak) => {
            // Where it opened is all `parse` needs: it reports the string
            // as a syntax error and reads the file again without its line.
            found.broken_string.get_or_insert(open);
            Value::Str(String::new())
        }
        Err(BadString::Escape(at)) => {
            let start = inner.as_span().start() + at;
            let len: usize = inner.as_str()[at..]
                .chars()
                .take(2)
                .map(char::len_utf8)
                .sum();
            let escape = &inner.as_str()[at..at + len];
            found.errors.push(Diagnostic::new(
                Code::InvalidEscape,
                Span::new(start, start + len),
                format!("unknown escape `{escape}` in string"),
                "not a known escape",
            ));
            Value::Str(inner.as_str().to_string())
        }
    }
}

fn build_comparison(s: &str) -> CompareOp {
    match s {
        "<" => CompareOp::Lt,
        "<=" => CompareOp::Le,
        ">" => CompareOp::Gt,
        ">=" => CompareOp::Ge,
        "==" => CompareOp::Eq,
        "!=" => CompareOp::Ne,
        other => unreachable!("the grammar allows no comparison `{other}`"),
    }
}

fn build_quantity(pair: Pair<Rule>) -> Quantity {
    let text = pair.as_str().to_string();
    let span = pair.as_span().into();
    let mut number = Decimal::ZERO;
    let mut unit = None;
    for child in pair.into_inner() {
        match child.as_rule() {
            // Digits only, at most one dot: parsing fails only on overflow,
            // which `limits` rules out by capping the length of numbers.
            Rule::number => number = child.as_str().parse().unwrap_or(Decimal::MAX),
            Rule::unit => unit = Some(child.as_str().to_string()),
            other => unreachable!("the grammar allows no {other:?} in a quantity"),
        }
    }
    Quantity {
        number,
        unit,
        text,
        span,
    }
}

const UNCLOSED_TEXT_BLOCK: &str = "unterminated text block";

/// The error for a string or text block opening at `at` (a `"`) that is
/// never closed.
fn unterminated_at(text: &str, at: usize) -> Diagnostic {
    let rest = &text[at..];
    let block = |start: usize| {
        Diagnostic::new(
            Code::UnterminatedString,
            Span::new(start, start + 3),
            UNCLOSED_TEXT_BLOCK,
            "this `\"\"\"` is never closed",
        )
        .help("close the text block with `\"\"\"` on a line of its own")
    };
    // `"""` with no closing quotes parses as an empty string `""` and
    // then a string at the third quote: report the text block.
    if text[..at].ends_with("\"\"") && !text[..at].ends_with("\\\"\"") {
        return block(at - 2);
    }
    if rest.starts_with("\"\"\"") {
        return block(at);
    }
    let line = rest.split('\n').next().unwrap_or(rest);
    Diagnostic::new(
        Code::UnterminatedString,
        Span::new(at, at + line.trim_end_matches('\r').len()),
        "unterminated string",
        "this string has no closing `\"` on its line",
    )
}

/// What a rule is called in an "expected ..." message.
fn rule_name(rule: Rule) -> &'static str {
    match rule {
        Rule::gap => "whitespace",
        Rule::comment => "a comment",
        Rule::line_break => "a line break",
        Rule::file => "a spec",
        Rule::separator | Rule::between => "a line break or `;`",
        Rule::line_end | Rule::around => "the end of the line",
        Rule::statement => "a statement",
        Rule::block => "a `{` block",
        Rule::keyword => "a keyword",
        Rule::argument => "an argument",
        Rule::argument_end => "the end of the arguments",
        Rule::identifier => "a name",
        Rule::identifier_start => "a letter or `_`",
        Rule::identifier_char => "a letter, digit, `_`, `-` or `.`",
        Rule::anchor => "a time anchor like `T+15m`",
        Rule::quantity => "a number",
        Rule::number => "a number",
        Rule::unit => "a unit",
        Rule::range => "a range like `1%..5%`",
        Rule::comparison => "a comparison (`<`, `<=`, `>`, `>=`, `==`, `!=`)",
        Rule::comma => "`,`",
        Rule::string => "a string",
        Rule::string_inner => "string text",
        Rule::text_block => "a `\"\"\"` text block",
        Rule::text_inner => "text",
        Rule::EOI => "end of file",
    }
}

fn syntax_error(text: &str, error: &pest::error::Error<Rule>) -> Diagnostic {
    use pest::error::{ErrorVariant, InputLocation};
    let at = match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    // String text runs to the next `"` or `\`, so a string that is not
    // closed on its line can carry pest past it and fail further on: the
    // error belongs where the string opened.
    if let Some(open) = first_unterminated_string(text).filter(|&open| open <= at) {
        return unterminated_at(text, open);
    }
    let (at, positives) = match after_closing_brace(text, at) {
        Some(culprit) => (culprit, Vec::new()),
        None => match &error.variant {
            ErrorVariant::ParsingError { positives, .. } => (at, positives.clone()),
            ErrorVariant::CustomError { .. } => (at, Vec::new()),
        },
    };
    let rest = &text[at.min(text.len())..];
    let found = rest.chars().next();
    if found == Some('"') {
        return unterminated_at(text, at);
    }

    let expected = summarize(&positives);
    let found_text = match found {
        None => "end of file".to_string(),
        Some('\n') | Some('\r') => "end of line".to_string(),
        Some(c) => format!("`{c}`"),
    };
    let len = found.map_or(0, |c| {
        if c == '\n' || c == '\r' {
            0
        } else {
            c.len_utf8()
        }
    });
    let message = if expected.is_empty() {
        format!("unexpected {found_text}")
    } else {
        format!("expected {}, found {found_text}", join_or(&expected))
    };
    let help = match found {
        Some('=') | Some(':') => {
            "deployc statements take no `=` or `:`: write `replicas 3`, not `replicas = 3`"
                .to_string()
        }
        Some('}') => "this `}` closes no block, or a statement before it is incomplete".to_string(),
        Some(c) if c.is_ascii_digit() => {
            "a statement starts with a keyword, not a number".to_string()
        }
        _ => Code::Syntax.info().help.to_string(),
    };
    Diagnostic::new(
        Code::Syntax,
        Span::new(at, at + len),
        message,
        "unexpected here",
    )
    .help(help)
}

/// Where the error is when pest reports the `}` that closes a nested block
/// and something other than the end of the statement follows it on its
/// line (`}%`): pest backs out of the whole block and names the `}`, but
/// the culprit is what comes after it, and nothing in particular was
/// expected there. None when `at` is not such a `}`.
fn after_closing_brace(text: &str, at: usize) -> Option<usize> {
    let b = text.as_bytes();
    if b.get(at) != Some(&b'}') {
        return None;
    }
    let next = at
        + 1
        + b[at + 1..]
            .iter()
            .take_while(|c| matches!(c, b' ' | b'\t'))
            .count();
    match b.get(next) {
        None | Some(b'\n' | b'\r' | b';' | b'}' | b'#') => None,
        Some(_) => Some(next),
    }
}

/// What was expected, in few words: the many kinds of argument become
/// "an argument". (Blanks and comments are silent rules: pest never
/// lists them.)
fn summarize(positives: &[Rule]) -> Vec<&'static str> {
    const ARGUMENTS: &[Rule] = &[
        Rule::identifier,
        Rule::string,
        Rule::text_block,
        Rule::quantity,
        Rule::number,
        Rule::range,
        Rule::anchor,
        Rule::comparison,
        Rule::comma,
    ];
    let mut out: Vec<&str> = Vec::new();
    if positives.iter().filter(|r| ARGUMENTS.contains(r)).count() > 2 {
        out.push("an argument");
    }
    for r in positives {
        if out.contains(&"an argument") && ARGUMENTS.contains(r) {
            continue;
        }
        out.push(rule_name(*r));
    }
    out.dedup();
    out
}

fn join_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    /// A comment ends at the first `\n` or `\r`, so a `\r\n` or a lone `\r`
    /// line break is never part of its text, and the next line still parses.
    #[test]
    fn comments_end_at_every_kind_of_line_break() {
        let text = "# unix\na 1 # crlf\r\nb 2 # cr\rc 3 #\r\n# last";
        let tree = parse(text).expect("parses");
        let comments: Vec<&str> = tree.comments.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(comments, [" unix", " crlf", " cr", "", " last"]);
        for c in &tree.comments {
            assert_eq!(&text[c.span.start..c.span.end], format!("#{}", c.text));
        }
        assert_eq!(tree.statements.len(), 3);
    }
}
