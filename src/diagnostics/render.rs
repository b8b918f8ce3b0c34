//! Human rendering through miette, done late and only here.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};

use super::{Diagnostic, Severity};
use crate::source::SourceFile;

/// One diagnostic bound to its source, in the shape miette renders.
struct Report<'a> {
    diagnostic: &'a Diagnostic,
    source: NamedSource<String>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.diagnostic, f)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.diagnostic.code.as_str()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity() {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.diagnostic.help))
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let d = self.diagnostic;
        let primary = LabeledSpan::new_primary_with_span(Some(d.label.clone()), d.span);
        let related = d
            .related
            .iter()
            .map(|r| LabeledSpan::new_with_span(Some(r.label.clone()), r.span));
        Some(Box::new(std::iter::once(primary).chain(related)))
    }
}

fn render_with(
    handler: &GraphicalReportHandler,
    diagnostics: &[Diagnostic],
    source: &SourceFile,
) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let report = Report {
            diagnostic: d,
            source: NamedSource::new(&source.name, source.text.clone()),
        };
        // Writing into a String cannot fail.
        let _ = handler.render_report(&mut out, &report);
        out.push('\n');
    }
    out
}

/// Render for a terminal, with colour when `color` is set.
pub fn render_human(diagnostics: &[Diagnostic], source: &SourceFile, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    render_with(&handler, diagnostics, source)
}

/// Render without colour and with fixed width: stable for snapshots.
pub fn render_human_plain(diagnostics: &[Diagnostic], source: &SourceFile) -> String {
    render_human(diagnostics, source, false)
}

/// One JSON object per diagnostic, one per line (`--message-format json`).
/// Lines and columns are 1-based; columns count characters. Typed, so the
/// keys keep this order on every line.
pub fn render_json(diagnostics: &[Diagnostic], source: &SourceFile) -> String {
    #[derive(serde::Serialize)]
    struct Position {
        line: usize,
        column: usize,
    }
    #[derive(serde::Serialize)]
    struct Label<'a> {
        label: &'a str,
        primary: bool,
        start: Position,
        end: Position,
        offset: usize,
        length: usize,
    }
    #[derive(serde::Serialize)]
    struct Object<'a> {
        code: &'a str,
        severity: &'static str,
        file: &'a str,
        line: usize,
        column: usize,
        end: Position,
        message: &'a str,
        labels: Vec<Label<'a>>,
        help: &'a str,
    }
    let position = |offset: usize| {
        let (line, column) = source.line_col(offset);
        Position { line, column }
    };
    let mut out = String::new();
    for d in diagnostics {
        let (line, column) = source.line_col(d.span.start);
        let labels = std::iter::once((d.span, d.label.as_str(), true))
            .chain(d.related.iter().map(|r| (r.span, r.label.as_str(), false)))
            .map(|(span, label, primary)| Label {
                label,
                primary,
                start: position(span.start),
                end: position(span.end),
                offset: span.start,
                length: span.len(),
            })
            .collect();
        let object = Object {
            code: d.code.as_str(),
            severity: match d.severity() {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
            file: &source.name,
            line,
            column,
            end: position(d.span.end),
            message: &d.message,
            labels,
            help: &d.help,
        };
        let object = serde_json::to_string(&object).expect("a diagnostic serializes");
        out.push_str(&object);
        out.push('\n');
    }
    out
}

/// GitHub Actions workflow commands (`--message-format github`), so CI
/// annotates the pull request at the exact line.
pub fn render_github(diagnostics: &[Diagnostic], source: &SourceFile) -> String {
    // Workflow command values escape %, CR and LF; properties also , and :.
    let data = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let property = |s: &str| data(s).replace(':', "%3A").replace(',', "%2C");
    let mut out = String::new();
    for d in diagnostics {
        let (line, col) = source.line_col(d.span.start);
        let (end_line, end_col) = source.line_col(d.span.end);
        let kind = match d.severity() {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        out.push_str(&format!(
            "::{kind} file={},line={line},col={col},endLine={end_line},endColumn={end_col},title={}::{}\n",
            property(&source.name),
            property(&format!("{} {}", d.code.as_str(), d.code.info().title)),
            data(&format!("{}\n{}: {}\nhelp: {}", d.message, d.code.as_str(), d.label, d.help)),
        ));
    }
    out
}
