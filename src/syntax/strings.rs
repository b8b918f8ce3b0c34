//! String literals, text blocks and comments: where each ends, read as the
//! grammar reads them (one scan for the checks made before and after a
//! parse, so they cannot disagree), and decoding their text.

/// Why a "..." string body does not decode.
#[derive(Debug, PartialEq, Eq)]
pub enum BadString {
    /// An unknown escape, at this byte offset within the body.
    Escape(usize),
    /// A line break: the string was never closed on its line. The grammar
    /// lets string text run to the next `"` or `\` (see
    /// `grammar/deploy.pest`), so this is where a line break is refused.
    LineBreak,
}

/// Decodes the escapes of a "..." string body.
pub fn unescape(raw: &str) -> Result<String, BadString> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {}
            '\n' | '\r' => return Err(BadString::LineBreak),
            _ => {
                out.push(c);
                continue;
            }
        }
        match chars.next() {
            Some((_, '"')) => out.push('"'),
            Some((_, '\\')) => out.push('\\'),
            Some((_, 'n')) => out.push('\n'),
            Some((_, 't')) => out.push('\t'),
            // A line break further on is the worse news: it means the
            // string was never closed, and its text is not what was meant.
            _ if raw[i..].contains(['\n', '\r']) => return Err(BadString::LineBreak),
            _ => return Err(BadString::Escape(i)),
        }
    }
    Ok(out)
}

/// What starts at a byte of a spec, for the scans that skip what is not
/// code: a comment, a text block or a string, each with the offset just
/// past it.
#[derive(Debug, PartialEq, Eq)]
pub enum Literal {
    /// `#` to the line break (`\n` or `\r`), which is not part of it.
    Comment,
    /// `"""` to its closing `"""`.
    TextBlock,
    /// A `"""` never closed. It "ends" after two quotes: read as the
    /// grammar would, that is `""`, then a string at the third quote.
    UnclosedTextBlock,
    /// `"` to its closing `"`.
    Str,
    /// A `"` not closed on its line (nor before an escaped line break); it
    /// ends at that line break or at the end of the file.
    UnterminatedStr,
}

/// The comment, text block or string that starts at byte `i`, and the
/// offset just past it; None for any other byte.
pub fn literal_at(b: &[u8], i: usize) -> Option<(Literal, usize)> {
    let line_end = |from: usize| {
        b[from..]
            .iter()
            .position(|c| matches!(c, b'\n' | b'\r'))
            .map_or(b.len(), |n| from + n)
    };
    match b.get(i)? {
        b'#' => Some((Literal::Comment, line_end(i))),
        b'"' if b[i..].starts_with(b"\"\"\"") => {
            match b[i + 3..].windows(3).position(|w| w == b"\"\"\"") {
                Some(n) => Some((Literal::TextBlock, i + 3 + n + 3)),
                None => Some((Literal::UnclosedTextBlock, i + 2)),
            }
        }
        b'"' => {
            let mut j = i + 1;
            loop {
                match b.get(j) {
                    None | Some(b'\n' | b'\r') => return Some((Literal::UnterminatedStr, j)),
                    Some(b'"') => return Some((Literal::Str, j + 1)),
                    Some(b'\\') if matches!(b.get(j + 1), None | Some(b'\n' | b'\r')) => {
                        return Some((Literal::UnterminatedStr, j + 1))
                    }
                    // A multi-byte character after `\` leaves `j` inside
                    // it: continuation bytes are never `"`, `\` or breaks.
                    Some(b'\\') => j += 2,
                    Some(_) => j += 1,
                }
            }
        }
        _ => None,
    }
}

/// Where the first "..." string that is not closed on its own line opens,
/// read as the grammar would have read it had string text stopped at line
/// breaks (see [`literal_at`]). Only a failed parse needs it: a string that
/// swallowed a line break can make pest fail further on, and the error
/// belongs where the string opened.
pub fn first_unterminated_string(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match literal_at(b, i) {
            Some((Literal::UnterminatedStr, _)) => return Some(i),
            Some((_, end)) => i = end,
            None => i += 1,
        }
    }
    None
}

/// A """ block's text: without the line break after the opening quotes, the
/// whitespace-only line before the closing ones, and the common indentation.
/// Lines end in `\n` whatever the file used: `\r\n` and a lone `\r` both
/// end a line in the grammar, so both become `\n` here (the block's text is
/// a copy; spans still point into the file as written).
pub fn dedent(raw: &str) -> String {
    let raw = raw.replace("\r\n", "\n").replace('\r', "\n");
    let body = raw.strip_prefix('\n').unwrap_or(&raw);
    let body = match body.rfind('\n') {
        Some(i) if body[i + 1..].trim().is_empty() => &body[..i + 1],
        _ => body,
    };
    let indent = body
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0);
    let mut out = String::with_capacity(body.len());
    for line in body.split_inclusive('\n') {
        let cut = indent.min(line.len() - line.trim_start_matches([' ', '\t']).len());
        let rest = &line[cut..];
        if rest.trim().is_empty() {
            // Blank lines carry no trailing spaces into generated files.
            if rest.ends_with('\n') {
                out.push('\n');
            }
        } else {
            out.push_str(rest);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescape_known_and_unknown() {
        assert_eq!(unescape(r#"a \"b\" \\ \n"#).unwrap(), "a \"b\" \\ \n");
        assert_eq!(unescape(r"ab\q"), Err(BadString::Escape(2)));
        assert_eq!(unescape("ab\ncd"), Err(BadString::LineBreak));
        assert_eq!(unescape("ab\rcd"), Err(BadString::LineBreak));
        assert_eq!(unescape("a\\qb\ncd"), Err(BadString::LineBreak));
    }

    #[test]
    fn first_unterminated_string_reads_as_the_grammar_does() {
        let first = first_unterminated_string;
        assert_eq!(first("a \"closed\"\nb \"open\nc \"x\""), Some(13));
        assert_eq!(first("a \"x\" # \"in a comment\nb 1"), None);
        assert_eq!(first("a \"\"\"\n \"quoted\n\"\"\"\nb \"open"), Some(21));
        assert_eq!(first("a \"\"\"never closed\n\"x\""), Some(4));
        assert_eq!(first("a \"esc \\\" é \\é\" b"), None);
        assert_eq!(first("a \"esc at the end \\\nb\""), Some(2));
        assert_eq!(first("a \"cr\rb \"x\""), Some(2));
        assert_eq!(first("a \"at the end"), Some(2));
    }

    #[test]
    fn literals_end_where_the_grammar_ends_them() {
        let at = |text: &str, i| literal_at(text.as_bytes(), i);
        assert_eq!(at("# c\rx {", 0), Some((Literal::Comment, 3)));
        assert_eq!(at("# c", 0), Some((Literal::Comment, 3)));
        assert_eq!(
            at("a \"\"\"\nx\n\"\"\" b", 2),
            Some((Literal::TextBlock, 11))
        );
        assert_eq!(at("\"\"\"open", 0), Some((Literal::UnclosedTextBlock, 2)));
        assert_eq!(at("\"a \\\" b\" c", 0), Some((Literal::Str, 8)));
        assert_eq!(at("\"open\n{", 0), Some((Literal::UnterminatedStr, 5)));
        assert_eq!(at("\"esc\\\n{", 0), Some((Literal::UnterminatedStr, 5)));
        assert_eq!(at("\"end", 0), Some((Literal::UnterminatedStr, 4)));
        assert_eq!(at("x", 0), None);
        assert_eq!(at("x", 1), None);
    }

    #[test]
    fn dedent_removes_common_indentation() {
        let raw = "\n    line one\n      nested\n\n    last\n  ";
        assert_eq!(dedent(raw), "line one\n  nested\n\nlast\n");
    }

    /// A lone `\r` ends a line as `\n` and `\r\n` do: it used to stay in
    /// the text, and the lines it ended were never de-indented.
    #[test]
    fn dedent_reads_every_kind_of_line_break() {
        let lf = "\n    a:\n      b: 1\n    c\n  ";
        assert_eq!(dedent(lf), "a:\n  b: 1\nc\n");
        assert_eq!(dedent(&lf.replace('\n', "\r")), dedent(lf));
        assert_eq!(dedent(&lf.replace('\n', "\r\n")), dedent(lf));
        // A lone `\r` before a `\r\n` is two line breaks, as in the grammar.
        assert_eq!(dedent("\n  x\r\r\n  y\n"), "x\n\ny\n");
    }
}
