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
    /// Logarithmic in the size of the text (see [`LineIndex`]).
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let lines = self.lines();
        let line = lines.line_of(offset);
        let (from, col) = lines.checkpoint_before(offset, line);
        count_scanned(offset - from);
        let col = col + self.text[from..offset].chars().count();
        (line + 1, col + 1)
    }

    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }
}

/// The start of every line of a text. A line ends at `\n`, at `\r\n` or at
/// a lone `\r`, as in the grammar (and in miette's snippets and the LSP).
/// Columns count characters from a checkpoint at most [`CHECKPOINT`] bytes
/// before the offset, so one line of megabytes (a minified spec) costs no
/// more per lookup than a short one.
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset where each line starts; the first is 0.
    starts: Vec<usize>,
    /// (byte offset, its 0-based column in characters) every CHECKPOINT
    /// bytes or so within long lines, in order.
    checkpoints: Vec<(usize, usize)>,
}

/// Bytes between column checkpoints.
pub const CHECKPOINT: usize = 4096;

impl LineIndex {
    pub fn new(text: &str) -> Self {
        count_scanned(text.len());
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut checkpoints = Vec::new();
        let (mut col, mut last) = (0, 0);
        for (i, &b) in bytes.iter().enumerate() {
            // UTF-8 continuation bytes are not characters.
            if b & 0xc0 != 0x80 {
                if i - last >= CHECKPOINT {
                    checkpoints.push((i, col));
                    last = i;
                }
                col += 1;
            }
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                starts.push(i + 1);
                col = 0;
                last = i + 1;
            }
        }
        LineIndex {
            starts,
            checkpoints,
        }
    }

    /// The 0-based line holding byte `offset` (a line break belongs to the
    /// line it ends).
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset) - 1
    }

    /// The nearest known (byte offset, 0-based column) at or before
    /// `offset` on `line`: a checkpoint, or the line's start.
    fn checkpoint_before(&self, offset: usize, line: usize) -> (usize, usize) {
        let start = self.starts[line];
        let k = self.checkpoints.partition_point(|&(o, _)| o <= offset);
        match k.checked_sub(1).map(|k| self.checkpoints[k]) {
            Some((o, col)) if o >= start => (o, col),
            _ => (start, 0),
        }
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
        // The index (one pass) plus a few bytes per lookup.
        assert!(
            scanned <= text.len() + 4 * n,
            "{scanned} bytes scanned for {n} lookups in {} bytes",
            text.len()
        );
    }

    /// On one line of 1 MB (a minified spec), a column is counted from the
    /// nearest checkpoint, not from the start of the line; and it is right.
    #[test]
    fn columns_on_a_very_long_line_are_counted_from_checkpoints() {
        let text = "é".repeat(300_000) + &"x".repeat(400_000);
        let source = SourceFile::new("t", text.clone());
        let _ = source.line_col(0);
        SCANNED.with(|s| s.set(0));
        for offset in (0..text.len()).step_by(997) {
            let col = text[..floor_char_boundary(&text, offset)].chars().count() + 1;
            assert_eq!(source.line_col(offset), (1, col), "offset {offset}");
        }
        let scanned = SCANNED.with(|s| s.get());
        let lookups = text.len() / 997 + 1;
        assert!(
            scanned <= lookups * CHECKPOINT,
            "{scanned} bytes scanned for {lookups} lookups"
        );
    }
}
