//! Decoding of string literals and text blocks.

/// Decodes the escapes of a "..." string body. On an unknown escape, returns
/// its byte offset within `raw`.
pub fn unescape(raw: &str) -> Result<String, usize> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some((_, '"')) => out.push('"'),
            Some((_, '\\')) => out.push('\\'),
            Some((_, 'n')) => out.push('\n'),
            Some((_, 't')) => out.push('\t'),
            _ => return Err(i),
        }
    }
    Ok(out)
}

/// A """ block's text: without the line break after the opening quotes, the
/// whitespace-only line before the closing ones, and the common indentation.
/// Lines end in `\n` whatever the file used.
pub fn dedent(raw: &str) -> String {
    let raw = raw.replace("\r\n", "\n");
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
        assert_eq!(unescape(r"ab\q"), Err(2));
    }

    #[test]
    fn dedent_removes_common_indentation() {
        let raw = "\n    line one\n      nested\n\n    last\n  ";
        assert_eq!(dedent(raw), "line one\n  nested\n\nlast\n");
    }
}
