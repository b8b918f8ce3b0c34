//! deployc's data in LSP's terms: diagnostics, hovers.

use lsp_types::{
    DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag, Location, NumberOrString, Uri,
};

use super::index::{Decl, Kind, Ref};
use super::position::LineIndex;
use crate::diagnostics::{Code, Diagnostic, Severity};

/// How many lines of a declaration a hover shows.
const HOVER_LINES: usize = 15;

/// One deployc diagnostic as an LSP one: the code, `deployc` as source, the
/// help under the message, related spans in the same document.
pub fn diagnostic(d: &Diagnostic, lines: &LineIndex, uri: &Uri) -> lsp_types::Diagnostic {
    let message = if d.help.is_empty() {
        d.message.clone()
    } else {
        format!("{}\n{}", d.message, d.help)
    };
    let related: Vec<DiagnosticRelatedInformation> = d
        .related
        .iter()
        .map(|r| DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), lines.range(r.span)),
            message: r.label.clone(),
        })
        .collect();
    let unused = matches!(d.code, Code::UnusedMetric | Code::UnusedContact);
    lsp_types::Diagnostic {
        range: lines.range(d.span),
        severity: Some(match d.severity() {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.as_str().to_string())),
        source: Some("deployc".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: unused.then(|| vec![DiagnosticTag::UNNECESSARY]),
        ..Default::default()
    }
}

/// Markdown for a declared item: its kind and name, then the declaring
/// statement as written (its first lines).
pub fn hover_decl(decl: &Decl, text: &str) -> String {
    let source = text
        .get(decl.stmt_span.start..decl.stmt_span.end)
        .unwrap_or("");
    let all: Vec<&str> = source.lines().collect();
    let mut shown = all
        .iter()
        .take(HOVER_LINES)
        .copied()
        .collect::<Vec<_>>()
        .join("\n");
    if all.len() > HOVER_LINES {
        shown.push_str(&format!("\n# … {} more lines", all.len() - HOVER_LINES));
    }
    // A fence longer than any run of backticks inside keeps the block closed.
    let fence = "`".repeat(longest_backtick_run(&shown).max(2) + 1);
    format!(
        "**{}** `{}`\n\n{fence}deploy\n{shown}\n{fence}",
        decl.kind.describe(),
        decl.name
    )
}

/// Markdown for a name no declaration matches: built-in severities.
pub fn hover_undeclared(r: &Ref) -> Option<String> {
    if r.kind != Kind::Severity {
        return None;
    }
    crate::check::BUILTIN_SEVERITIES
        .iter()
        .find(|(name, _)| *name == r.name)
        .map(|(name, routes)| {
            format!(
                "**severity** `{name}` (built-in)\n\nAlerts of this severity route as `{}`.",
                routes.as_str()
            )
        })
}

fn longest_backtick_run(s: &str) -> usize {
    s.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lsp::index::Index;
    use crate::source::SourceFile;
    use lsp_types::{Position, Range};
    use std::str::FromStr;

    #[test]
    fn a_duplicate_carries_code_help_and_related_location() {
        // Names are ASCII, strings need not be: `é` is one UTF-16 unit
        // though two bytes, `🚀` two units and four bytes.
        let text = "release r { title \"R\"; version \"1.0.0\"; namespace \"r\" }\n\
                    contact a { role \"é🚀\" }; contact a { role \"B\" }\n\
                    signoff a\n";
        let checked = crate::check_source(&SourceFile::new("t.deploy", text));
        let uri = Uri::from_str("file:///t.deploy").unwrap();
        let lines = LineIndex::new(text);
        let d = checked
            .diagnostics
            .iter()
            .find(|d| d.code == Code::DuplicateName)
            .expect("a duplicate diagnostic");
        let lsp = diagnostic(d, &lines, &uri);
        assert_eq!(lsp.code, Some(NumberOrString::String("E0301".into())));
        assert_eq!(lsp.source.as_deref(), Some("deployc"));
        assert_eq!(lsp.severity, Some(DiagnosticSeverity::ERROR));
        assert_eq!(
            lsp.range,
            Range::new(Position::new(1, 34), Position::new(1, 35))
        );
        assert_eq!(lsp.message, format!("{}\n{}", d.message, d.help));
        let related = lsp.related_information.expect("the first definition");
        assert_eq!(related.len(), 1);
        assert_eq!(related[0].location.uri, uri);
        assert_eq!(
            related[0].location.range,
            Range::new(Position::new(1, 8), Position::new(1, 9))
        );
        assert_eq!(related[0].message, "first defined here");
    }

    #[test]
    fn unused_items_are_tagged_unnecessary() {
        let text = "release r { title \"R\"; version \"1.0.0\"; namespace \"r\" }\n\
                    contact nobody { role \"A\" }\n";
        let checked = crate::check_source(&SourceFile::new("t.deploy", text));
        let uri = Uri::from_str("file:///t.deploy").unwrap();
        let d = &checked.diagnostics[0];
        assert_eq!(d.code, Code::UnusedContact);
        let lsp = diagnostic(d, &LineIndex::new(text), &uri);
        assert_eq!(lsp.severity, Some(DiagnosticSeverity::WARNING));
        assert_eq!(lsp.tags, Some(vec![DiagnosticTag::UNNECESSARY]));
    }

    #[test]
    fn hover_shows_kind_and_the_first_lines_of_the_declaration() {
        let body: String = (0..20).map(|i| format!("  detail{i} x\n")).collect();
        let text = format!("contact lead {{\n  role \"Lead\"\n{body}}}\n");
        let tree = crate::syntax::parse(&text).unwrap();
        let ix = Index::build(&tree);
        let md = hover_decl(&ix.decls[0], &text);
        assert!(
            md.starts_with("**contact** `lead`\n\n```deploy\ncontact lead {\n  role \"Lead\"\n")
        );
        assert!(md.contains("  detail12 x\n# … 8 more lines\n```"), "{md}");
        assert!(!md.contains("detail13"));
    }

    #[test]
    fn hover_fence_outlasts_backticks_in_the_source() {
        let text = "contact lead {\n  role \"```\"\n}\n";
        let ix = Index::build(&crate::syntax::parse(text).unwrap());
        let md = hover_decl(&ix.decls[0], text);
        assert!(md.contains("````deploy\n"), "{md}");
        assert!(md.ends_with("\n````"));
    }
}
