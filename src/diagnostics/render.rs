//! Rendering, done late and only here: human (miette), JSON, GitHub.
//!
//! Human output is for a person at a terminal, so it is bounded: at most
//! [`MAX_SHOWN`] diagnostics per file, then one line saying how many more
//! there are; a snippet only when its lines are short and printable; every
//! text that may quote the spec (message, labels, help, file name) with its
//! control characters escaped. The machine formats (JSON, GitHub) list every
//! diagnostic: tools filter for themselves, and a cap there would lose data.

use std::borrow::Cow;
use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::{Diagnostic, Severity};
use crate::source::SourceFile;
use crate::syntax::chars;

/// Human output shows this many diagnostics of one file, then a count of
/// the rest: thousands of them scroll the first (the cause) out of sight.
pub const MAX_SHOWN: usize = 50;

/// A snippet line longer than this (in characters) is not shown: miette
/// pads to the column with `{:width$}`, whose width must fit in a u16, so it
/// panicked at column 65,536 ("Formatting argument out of range"); and no
/// one reads a line this long in a terminal anyway.
pub const MAX_SNIPPET_LINE: usize = 1_000;

/// How many lines around a label miette shows (its default).
const CONTEXT_LINES: usize = 1;

/// One diagnostic bound to its source, in the shape miette renders.
struct Report<'a> {
    diagnostic: &'a Diagnostic,
    message: String,
    help: String,
    /// None when the snippet is not shown (see [`snippet_omitted`]).
    source: Option<&'a Window<'a>>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.diagnostic, f)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
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
        Some(Box::new(&self.help))
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source?;
        let d = self.diagnostic;
        let primary = LabeledSpan::new_primary_with_span(Some(printable(&d.label).into()), d.span);
        let related = d
            .related
            .iter()
            .map(|r| LabeledSpan::new_with_span(Some(printable(&r.label).into()), r.span));
        Some(Box::new(std::iter::once(primary).chain(related)))
    }
}

/// The source as miette reads it, through the line index: miette's own
/// `SourceCode` for a string scans from the start of the text to the span,
/// and the report used to clone the whole text, both once per diagnostic,
/// which made rendering quadratic in their number. Here each read hands
/// miette only the lines around the span.
struct Window<'s> {
    source: &'s SourceFile,
    name: String,
    /// The text with every lone `\r` made a `\n` (same length, so every
    /// offset holds): miette counts a lone `\r` as a line break when it
    /// finds a snippet's lines but prints it raw when it draws them.
    text: Cow<'s, str>,
}

impl<'s> Window<'s> {
    fn new(source: &'s SourceFile) -> Self {
        let text = if source.text.contains('\r') {
            let b = source.text.as_bytes();
            let mut out = String::with_capacity(b.len());
            for (i, c) in source.text.char_indices() {
                out.push(if c == '\r' && b.get(i + 1) != Some(&b'\n') {
                    '\n'
                } else {
                    c
                });
            }
            Cow::Owned(out)
        } else {
            Cow::Borrowed(source.text.as_str())
        };
        Window {
            source,
            name: printable(&source.name).into_owned(),
            text,
        }
    }
}

impl SourceCode for Window<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let lines = self.source.lines();
        let end = span.offset() + span.len();
        if end > self.text.len() {
            return Err(MietteError::OutOfBounds);
        }
        // One line more on each side than asked: miette trims to what it
        // needs, and a span ending on a line break reaches the next line.
        let first = lines.line_of(span.offset()).saturating_sub(before + 1);
        let last = lines.line_of(end) + after + 1;
        let base = lines.start(first);
        let stop = if last + 1 < lines.len() {
            lines.start(last + 1)
        } else {
            self.text.len()
        };
        let window = &self.text.as_bytes()[base..stop];
        let local = SourceSpan::new((span.offset() - base).into(), span.len());
        let c = window.read_span(&local, before, after)?;
        let data: &'a [u8] = c.data();
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            data,
            SourceSpan::new((c.span().offset() + base).into(), c.span().len()),
            c.line() + first,
            c.column(),
            c.line_count(),
        )))
    }
}

/// Why a diagnostic's snippet is not shown, if it is not: a line of it is
/// too long to draw, or holds a character a terminal would obey (an escape
/// sequence, a bidi control) instead of showing. None when it is shown.
fn snippet_omitted(d: &Diagnostic, source: &SourceFile) -> Option<String> {
    let lines = source.lines();
    let spans = std::iter::once(d.span).chain(d.related.iter().map(|r| r.span));
    for span in spans {
        let first = lines.line_of(span.start).saturating_sub(CONTEXT_LINES);
        let last = (lines.line_of(span.end) + CONTEXT_LINES).min(lines.len() - 1);
        for line in first..=last {
            let start = lines.start(line);
            let end = if line + 1 < lines.len() {
                lines.start(line + 1)
            } else {
                source.text.len()
            };
            let text = source.text.get(start..end).unwrap_or("");
            if text.len() > MAX_SNIPPET_LINE {
                let chars = text.trim_end_matches(['\n', '\r']).chars().count();
                if chars > MAX_SNIPPET_LINE {
                    return Some(format!(
                        "line {} is {chars} characters long; snippets show lines of at most {MAX_SNIPPET_LINE}",
                        line + 1
                    ));
                }
            }
            if let Some(c) = text.chars().find(|&c| unprintable(c) && c != '\r') {
                return Some(format!(
                    "line {} holds the character {}, which a terminal would act on",
                    line + 1,
                    c.escape_unicode()
                ));
            }
        }
    }
    None
}

/// Characters never written raw to a terminal: controls (C0, DEL, C1:
/// escape sequences, NUL, bell...) other than tab and line feed, and the
/// bidirectional controls, which reorder what is shown.
fn unprintable(c: char) -> bool {
    (chars::is_control(c) && c != '\t' && c != '\n') || chars::is_bidi_control(c)
}

/// The text with every unprintable character written as `\u{1b}`.
fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(unprintable) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unprintable(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn render_with(
    handler: &GraphicalReportHandler,
    diagnostics: &[Diagnostic],
    source: &SourceFile,
) -> String {
    let window = Window::new(source);
    let mut out = String::new();
    for d in diagnostics.iter().take(MAX_SHOWN) {
        let mut help = printable(&d.help).into_owned();
        let omitted = snippet_omitted(d, source);
        if let Some(why) = &omitted {
            let (line, col) = source.line_col(d.span.start);
            help.push_str(&format!(
                "\nnote: at {}:{line}:{col}; the source is not shown: {why}",
                window.name
            ));
        }
        let report = Report {
            diagnostic: d,
            message: printable(&d.message).into_owned(),
            help,
            source: omitted.is_none().then_some(&window),
        };
        // Writing into a String cannot fail.
        let _ = handler.render_report(&mut out, &report);
        out.push('\n');
    }
    if let Some(rest) = diagnostics.get(MAX_SHOWN..).filter(|r| !r.is_empty()) {
        let errors = rest.iter().filter(|d| d.is_error()).count();
        let warnings = rest.len() - errors;
        let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
        let what = match (errors, warnings) {
            (0, w) => plural(w, "warning"),
            (e, 0) => plural(e, "error"),
            (e, w) => format!("{} and {}", plural(e, "error"), plural(w, "warning")),
        };
        out.push_str(&format!(
            "... and {what} more in {} (only the first {MAX_SHOWN} are shown; `--message-format json` lists all)\n\n",
            window.name
        ));
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
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_context_lines(CONTEXT_LINES);
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
            property(&printable(&source.name)),
            property(&format!("{} {}", d.code.as_str(), d.code.info().title)),
            data(&printable(&format!("{}\n{}: {}\nhelp: {}", d.message, d.code.as_str(), d.label, d.help))),
        ));
    }
    out
}
