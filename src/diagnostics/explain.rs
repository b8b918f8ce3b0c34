//! The long explanations behind `deployc explain CODE`, written in
//! `explanations.md` and embedded in the binary: one `## CODE: title`
//! section per code of the registry, in registry order, each with a
//! `Wrong:` and a `Fixed:` example spec (`tests/explain.rs` checks them).

use super::Code;

const TEXT: &str = include_str!("explanations.md");

/// The whole section of `code`, from its `## CODE: title` heading to the end
/// of its last example.
pub fn explanation(code: Code) -> Option<&'static str> {
    sections()
        .find(|(c, _)| *c == code.as_str())
        .map(|(_, text)| text)
}

/// Every section of the file as (code, section text), in file order.
/// Headings inside fenced code blocks do not start a section.
pub fn sections() -> impl Iterator<Item = (&'static str, &'static str)> {
    let mut starts = Vec::new();
    let mut in_fence = false;
    let mut offset = 0;
    for line in TEXT.split_inclusive('\n') {
        if line.starts_with("```") {
            in_fence = !in_fence;
        } else if !in_fence && line.starts_with("## ") {
            starts.push(offset);
        }
        offset += line.len();
    }
    let ends: Vec<usize> = starts.iter().skip(1).copied().chain([TEXT.len()]).collect();
    starts.into_iter().zip(ends).map(|(start, end)| {
        let text = TEXT[start..end].trim_end();
        let code = text["## ".len()..].split(':').next().unwrap_or_default();
        (code, text)
    })
}

/// The title of a section: its heading after `CODE: `.
pub fn section_title(section: &str) -> Option<&str> {
    let heading = section.lines().next()?.strip_prefix("## ")?;
    heading.split_once(": ").map(|(_, title)| title.trim())
}

/// The spec a section shows under `Wrong:`; none for E0100, E0105 and
/// W0106, whose wrong examples (invalid UTF-8, a control character, a
/// bidirectional control) cannot be shown on a page.
pub fn wrong_example(code: Code) -> Option<&'static str> {
    example(explanation(code)?, "Wrong")
}

/// The corrected spec a section shows under `Fixed:`.
pub fn fixed_example(code: Code) -> Option<&'static str> {
    example(explanation(code)?, "Fixed")
}

/// The body of the ```deploy block right after the line `LABEL:`.
fn example<'a>(section: &'a str, label: &str) -> Option<&'a str> {
    let opening = format!("\n{label}:\n\n```deploy\n");
    let start = section.find(&opening)? + opening.len();
    let len = section[start..].find("\n```")? + 1;
    Some(&section[start..start + len])
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECTION: &str = "## E0501: a title\n\nProse.\n\nWrong:\n\n```deploy\nphase a {\n  after a\n}\n```\n\nFixed:\n\n```deploy\nphase a {\n}\n```";

    #[test]
    fn examples_are_the_bodies_of_their_blocks() {
        assert_eq!(example(SECTION, "Wrong"), Some("phase a {\n  after a\n}\n"));
        assert_eq!(example(SECTION, "Fixed"), Some("phase a {\n}\n"));
        assert_eq!(example(SECTION, "Other"), None);
    }

    #[test]
    fn titles_follow_the_code() {
        assert_eq!(section_title(SECTION), Some("a title"));
        assert_eq!(section_title("no heading"), None);
    }

    #[test]
    fn sections_end_where_the_next_begins() {
        let all: Vec<_> = sections().collect();
        assert!(!all.is_empty());
        for (code, text) in &all {
            assert!(text.starts_with(&format!("## {code}: ")), "{code}");
            assert_eq!(
                text.matches("\n## ").count(),
                0,
                "{code} runs into the next section"
            );
        }
    }
}
