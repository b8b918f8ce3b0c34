//! Source files and byte spans into them.

use std::fmt;
use std::sync::OnceLock;

/// A byte range `start..end` in one source file. Every diagnostic and every
/// syntax node carries one; miette takes it as (offset, length).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        debug_assert!(start <= end);
        Span { start, end }
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

impl From<pest::Span<'_>> for Span {
    fn from(s: pest::Span<'_>) -> Self {
        Span::new(s.start(), s.end())
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(s: Span) -> Self {
        (s.start, s.len()).into()
    }
}

/// A spec's text with the name it is reported under (a path relative to
/// where deployc was run, so output is the same on every machine).
///
/// Spans are byte offsets into `text`, which is the file as read, line
/// breaks untouched (`\n`, `\r\n` and a lone `\r` all end a line, as in
/// the grammar), less a leading UTF-8 byte order mark: offsets count from
/// after it, and line 1's columns are the ones an editor shows.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
    /// Built on the first position lookup, once: every later lookup is a
    /// binary search, so reporting N diagnostics is not N scans of the text.
    lines: OnceLock<LineIndex>,
}

/// The UTF-8 byte order mark some Windows editors write first.
pub const BOM: char = '\u{feff}';

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let mut text = text.into();
        if text.starts_with(BOM) {
            text.drain(..BOM.len_utf8());
        }
        SourceFile {
            name: name.into(),
            text,
            lines: OnceLock::new(),
        }
    }

    /// Where each line starts, built once per source.
    pub fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }

    /// 1-based line and column (in characters) of a byte offset.
    /// Logarithmic in the number of lines; linear only in the length of a
    /// line that holds other characters than ASCII before the offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let lines = self.lines();
        let line = lines.line_of(offset);
        let start = lines.starts[line];
        let col = if lines.ascii[line] {
            offset - start
        } else {
            count_scanned(offset - start);
            self.text[start..offset].chars().count()
        };
        (line + 1, col + 1)
    }

    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }
}

/// The start of every line of a text. A line ends at `\n`, at `\r\n` or at
/// a lone `\r`, as in the grammar (and in miette's snippets and the LSP).
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset where each line starts; the first is 0.
    starts: Vec<usize>,
    /// Whether each line is ASCII: its columns are then byte differences.
    ascii: Vec<bool>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        count_scanned(text.len());
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut ascii = Vec::new();
        let mut line_ascii = true;
        for (i, &b) in bytes.iter().enumerate() {
            line_ascii &= b.is_ascii();
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                starts.push(i + 1);
                ascii.push(line_ascii);
                line_ascii = true;
            }
        }
        ascii.push(line_ascii);
        LineIndex { starts, ascii }
    }

    /// The 0-based line holding byte `offset` (a line break belongs to the
    /// line it ends).
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset) - 1
    }

    /// Byte offset where 0-based line `line` starts (clamped to the last).
    pub fn start(&self, line: usize) -> usize {
        self.starts[line.min(self.starts.len() - 1)]
    }

    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        false
    }
}

// Bytes of source scanned to compute positions, counted in unit tests so
// that a test can prove lookups do not rescan the text (a work count, not a
// timing: timings flake on a shared machine).
#[cfg(test)]
thread_local! {
    static SCANNED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[cfg(test)]
fn count_scanned(bytes: usize) {
    SCANNED.with(|s| s.set(s.get() + bytes));
}

#[cfg(not(test))]
fn count_scanned(_: usize) {}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_end_at_lf_crlf_and_lone_cr() {
        let source = SourceFile::new("t", "a\nb\r\nc\rdé\n");
        assert_eq!(source.line_col(0), (1, 1));
        assert_eq!(source.line_col(1), (1, 2)); // the `\n` ends line 1
        assert_eq!(source.line_col(2), (2, 1));
        assert_eq!(source.line_col(4), (2, 3)); // the `\n` of `\r\n`
        assert_eq!(source.line_col(5), (3, 1));
        assert_eq!(source.line_col(7), (4, 1));
        assert_eq!(source.line_col(10), (4, 3)); // after `dé`: characters
        assert_eq!(source.line_col(9), (4, 2)); // inside `é`: its start
        assert_eq!(source.line_col(11), (5, 1));
        assert_eq!(source.line_col(99), (5, 1));
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_text() {
        let source = SourceFile::new("t", "\u{feff}a b");
        assert_eq!(source.text, "a b");
        assert_eq!(source.line_col(2), (1, 3));
    }

    /// Positions of 100,000 diagnostics, one per line, scan the text once
    /// (to index it), not once per diagnostic: the work is counted, so the
    /// test cannot flake. Rescanning from the start, as `line_col` did,
    /// counts about 100,000 * 600 KB / 2.
    #[test]
    fn positions_are_looked_up_not_rescanned() {
        let n = 100_000;
        let text = "bogus x\n".repeat(n / 2) + &"é bogu\n".repeat(n / 2);
        let source = SourceFile::new("t", text.clone());
        SCANNED.with(|s| s.set(0));
        for line in 0..n {
            let offset = 8 * line + 3; // every line is 8 bytes
            let (l, _) = source.line_col(offset);
            assert_eq!(l, line + 1);
        }
        let scanned = SCANNED.with(|s| s.get());
        // The index (one pass) plus a few bytes per non-ASCII lookup.
        assert!(
            scanned <= text.len() + 4 * n,
            "{scanned} bytes scanned for {n} lookups in {} bytes",
            text.len()
        );
    }
}
