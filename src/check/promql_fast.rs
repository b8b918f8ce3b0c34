//! A shortcut for the common case of a valid query with regex matchers.
//! promql-parser compiles a `regex` for every `=~` and `!~` matcher, only
//! for us to drop it: a sixth of a stream build. Here each such matcher is
//! rewritten to the equality matcher that parses the same way (`=` / `!=`
//! against `""` when the regex matches the empty string, else against
//! `"x"`: that is all the parser asks of a matcher's value, in its "at least
//! one non-empty matcher" rule), and the regex is only parsed, with
//! regex-syntax (what `regex` itself parses with).
//!
//! The shortcut answers only "valid"; anything it is unsure of, and every
//! invalid query, goes to the full parse, which gives the message. So it
//! may not say valid where the full parse would fail: it declines queries
//! with comments, `__name__` matchers, escapes in a regex, anchors or
//! look-arounds (`^`, `$`, `\b`: the empty-match test would need them) and
//! counted repetitions (`{n}`, which can exceed `regex`'s size limit).

/// True when `query` is known valid without compiling its regexes; false
/// when only the full parse can tell (it has no regex matcher, or is out of
/// the shortcut's reach, or is invalid: the full parse gives the message).
pub fn known_valid(query: &str) -> bool {
    query.contains('~') && rewrite(query).is_some_and(|q| promql_parser::parser::parse(&q).is_ok())
}

/// The query with every regex matcher replaced by an equality matcher, or
/// None when a regex is invalid or out of the shortcut's reach.
fn rewrite(query: &str) -> Option<String> {
    if query.contains('#') || query.contains("__name__") {
        return None;
    }
    let bytes = query.as_bytes();
    let mut out = String::with_capacity(query.len());
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if matches!(c, b'"' | b'\'' | b'`') {
            let end = literal_end(bytes, i)?;
            out.push_str(&query[i..end]);
            i = end;
        } else if matches!(c, b'=' | b'!') && bytes.get(i + 1) == Some(&b'~') {
            if i > 0 && matches!(bytes[i - 1], b'=' | b'!' | b'<' | b'>') {
                return None; // `==~`: not a matcher; the full parse says what.
            }
            let mut start = i + 2;
            while bytes.get(start).is_some_and(u8::is_ascii_whitespace) {
                start += 1;
            }
            if !matches!(bytes.get(start), Some(b'"' | b'\'' | b'`')) {
                return None;
            }
            let end = literal_end(bytes, start)?;
            let regex = &query[start + 1..end - 1];
            let value = if matches_empty(regex)? {
                "\"\""
            } else {
                "\"x\""
            };
            out.push_str(if c == b'=' { "=" } else { "!=" });
            out.push_str(value);
            i = end;
        } else {
            // Multi-byte characters are copied byte by byte, whole.
            let next = (i + 1..=bytes.len())
                .find(|&j| query.is_char_boundary(j))
                .unwrap_or(bytes.len());
            out.push_str(&query[i..next]);
            i = next;
        }
    }
    Some(out)
}

/// The end (one past the closing quote) of the string literal opening at
/// `start`; None when it is unclosed or holds a backslash (escapes would
/// have to be decoded first).
fn literal_end(bytes: &[u8], start: usize) -> Option<usize> {
    let quote = bytes[start];
    let len = bytes[start + 1..].iter().position(|&b| b == quote)?;
    let body = &bytes[start + 1..start + 1 + len];
    (!body.contains(&b'\\')).then_some(start + len + 2)
}

/// Whether the regex (as promql-parser anchors it) matches the empty
/// string; None when it does not parse or is out of the shortcut's reach.
fn matches_empty(regex: &str) -> Option<bool> {
    if regex.contains(['^', '$', '{', '\\']) {
        return None;
    }
    let hir = regex_syntax::Parser::new()
        .parse(&format!("(?:{regex})"))
        .ok()?;
    // Without look-arounds, the shortest match is exact.
    Some(hir.properties().minimum_len() == Some(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shortcut must never call valid what the full parse rejects, and
    /// must take the common queries.
    #[test]
    fn agrees_with_the_full_parse() {
        let queries = [
            r#"sum(rate(x{pod=~"svc-.*"}[5m]))"#,
            r#"sum(rate(x{pod!~"svc-.*", job="a"}[5m]))"#,
            r#"x{pod=~".*"}"#,
            r#"x{pod=~""}"#,
            r#"{pod=~".*"}"#,
            r#"{pod=~".+"}"#,
            r#"{pod!~".*"}"#,
            r#"{pod!~"a"}"#,
            r#"{pod=~"a|"}"#,
            r#"{pod=~"(a"}"#,
            r#"x{pod=~"a[" }"#,
            r#"x{pod=~ 'a.*'}"#,
            r#"x{pod=~`a.*`}"#,
            r#"x{pod=~"a.*"} / on(pod) y{pod=~"b"}"#,
            r#"x{pod=~"a.*"} +"#,
            r#"x{pod=~"a.*"}[5m"#,
            r#"x{pod=~"é.*"} > 1"#,
            r#"x{pod=~"a{2}"}"#,
            r#"x{pod=~"^a$"}"#,
            r#"x{pod=~"a\\.b"}"#,
            r#"x{pod=~"a" # comment"#,
            r#"{__name__=~"x.*"}"#,
            r#"x{pod=~"a.*""#,
            r#"x{pod=~unquoted}"#,
            r#"x ==~"a""#,
            r#"x =~"a""#,
            r#"label_replace(x{a=~"b.*"}, "d", "$1", "a", "(.*)")"#,
        ];
        let mut taken = 0;
        for q in queries {
            if known_valid(q) {
                taken += 1;
                assert!(promql_parser::parser::parse(q).is_ok(), "{q}");
            }
        }
        assert!(taken >= 8, "the shortcut took only {taken} queries");
    }

    #[test]
    fn the_empty_match_decides_the_replacement() {
        assert_eq!(rewrite(r#"{a=~".*"}"#).unwrap(), r#"{a=""}"#);
        assert_eq!(rewrite(r#"{a=~"x+"}"#).unwrap(), r#"{a="x"}"#);
        assert_eq!(rewrite(r#"{a!~"x?"}"#).unwrap(), r#"{a!=""}"#);
        assert_eq!(rewrite(r#"{a=~"("}"#), None);
    }
}
