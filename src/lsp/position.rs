//! Byte offsets (what every span holds) to LSP positions and back.
//!
//! LSP counts lines from 0 and columns in UTF-16 code units by default, so
//! `é` (2 bytes) is one column and `🚀` (4 bytes) is two. Lines end at `\n`,
//! `\r\n` or a lone `\r`, as in the grammar.

use lsp_types::{Position, Range};

use crate::source::Span;

/// The start offset of every line of one text, for conversions both ways.
pub struct LineIndex<'t> {
    text: &'t str,
    /// Byte offset where each line starts; the first is 0.
    starts: Vec<usize>,
    /// (byte offset, its column in UTF-16 units) every CHECKPOINT bytes or
    /// so within long lines: a position is counted from the nearest one,
    /// so N diagnostics on one line of megabytes (a minified spec) cost N
    /// short counts, not N scans of the line.
    checkpoints: Vec<(usize, usize)>,
}

/// Bytes between column checkpoints.
const CHECKPOINT: usize = 4096;

impl<'t> LineIndex<'t> {
    pub fn new(text: &'t str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut checkpoints = Vec::new();
        let (mut units, mut last) = (0, 0);
        for (i, &b) in bytes.iter().enumerate() {
            // A character starts at every byte but a continuation byte;
            // those of 4 bytes (lead byte 0xF0 and up) are 2 UTF-16 units.
            if b & 0xc0 != 0x80 {
                if i - last >= CHECKPOINT {
                    checkpoints.push((i, units));
                    last = i;
                }
                units += if b >= 0xf0 { 2 } else { 1 };
            }
            let ends_line = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            if ends_line {
                starts.push(i + 1);
                units = 0;
                last = i + 1;
            }
        }
        LineIndex {
            text,
            starts,
            checkpoints,
        }
    }

    /// The LSP position of a byte offset. An offset past the end is the end;
    /// one inside a multi-byte character counts from that character's start.
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let k = self.checkpoints.partition_point(|&(o, _)| o <= offset);
        let (from, before) = match k.checked_sub(1).map(|k| self.checkpoints[k]) {
            Some((o, units)) if o >= start => (o, units),
            _ => (start, 0),
        };
        let character: usize = before
            + self.text[from..offset]
                .chars()
                .map(char::len_utf16)
                .sum::<usize>();
        Position::new(line as u32, character as u32)
    }

    pub fn range(&self, span: Span) -> Range {
        Range::new(self.position(span.start), self.position(span.end))
    }

    /// The byte offset of an LSP position. A line past the end is the end of
    /// the text; a column past the end of its line is the end of the line
    /// (before its line break); a column inside a surrogate pair is the start
    /// of that character.
    pub fn offset(&self, position: Position) -> usize {
        let Some(&start) = self.starts.get(position.line as usize) else {
            return self.text.len();
        };
        let line = &self.text[start..self.line_end(position.line as usize)];
        let mut units = 0;
        for (i, c) in line.char_indices() {
            units += c.len_utf16();
            if units > position.character as usize {
                return start + i;
            }
        }
        start + line.len()
    }

    /// Where line `line`'s content ends, before its line break.
    fn line_end(&self, line: usize) -> usize {
        let next = self
            .starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.text.len());
        let content = &self.text[self.starts[line]..next];
        let trimmed = content
            .strip_suffix('\n')
            .map(|c| c.strip_suffix('\r').unwrap_or(c))
            .or_else(|| content.strip_suffix('\r'))
            .unwrap_or(content);
        self.starts[line] + trimmed.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position::new(line, character)
    }

    #[test]
    fn ascii_lines_and_columns() {
        let text = "ab\ncd\n";
        let ix = LineIndex::new(text);
        assert_eq!(ix.position(0), pos(0, 0));
        assert_eq!(ix.position(2), pos(0, 2)); // the `\n` itself
        assert_eq!(ix.position(3), pos(1, 0));
        assert_eq!(ix.position(5), pos(1, 2));
        assert_eq!(ix.position(6), pos(2, 0)); // end of text, after the last break
        assert_eq!(ix.position(100), pos(2, 0));
    }

    #[test]
    fn columns_count_utf16_units_not_bytes_or_chars() {
        // `é` is 2 bytes, 1 unit; `🚀` is 4 bytes, 2 units (a surrogate pair);
        // `中` is 3 bytes, 1 unit.
        let text = "é🚀中x\ny";
        let ix = LineIndex::new(text);
        assert_eq!(ix.position(0), pos(0, 0));
        assert_eq!(ix.position(2), pos(0, 1)); // after é
        assert_eq!(ix.position(6), pos(0, 3)); // after 🚀
        assert_eq!(ix.position(9), pos(0, 4)); // after 中
        assert_eq!(ix.position(10), pos(0, 5)); // after x
        assert_eq!(ix.position(11), pos(1, 0));
        // Inside a character: that character's start.
        assert_eq!(ix.position(3), pos(0, 1));
        assert_eq!(ix.position(7), pos(0, 3));
    }

    #[test]
    fn crlf_and_lone_cr_end_lines() {
        let text = "a\r\nb\rc";
        let ix = LineIndex::new(text);
        assert_eq!(ix.position(1), pos(0, 1));
        assert_eq!(ix.position(3), pos(1, 0));
        assert_eq!(ix.position(5), pos(2, 0));
        assert_eq!(ix.position(6), pos(2, 1));
        assert_eq!(ix.offset(pos(0, 5)), 1, "clamped before the \\r\\n");
        assert_eq!(ix.offset(pos(1, 9)), 4, "clamped before the lone \\r");
        assert_eq!(ix.offset(pos(2, 0)), 5);
    }

    #[test]
    fn offsets_round_trip_on_char_boundaries() {
        let text = "metric é_rate {\n  title \"🚀 fast\"\r\n}\n中";
        let ix = LineIndex::new(text);
        for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
            // Between the `\r` and the `\n` of a CRLF is no place a client
            // can name; every other boundary round-trips exactly.
            if offset > 0 && text[..offset].ends_with('\r') && text[offset..].starts_with('\n') {
                continue;
            }
            let p = ix.position(offset);
            let back = ix.offset(p);
            assert_eq!(back, offset, "offset {offset} -> {p:?} -> {back}");
        }
    }

    #[test]
    fn offset_clamps_past_the_end() {
        let text = "ab\n🚀c";
        let ix = LineIndex::new(text);
        assert_eq!(ix.offset(pos(0, 99)), 2);
        assert_eq!(ix.offset(pos(1, 1)), 3, "inside the surrogate pair");
        assert_eq!(ix.offset(pos(1, 2)), 7);
        assert_eq!(ix.offset(pos(1, 3)), 8);
        assert_eq!(ix.offset(pos(9, 0)), text.len());
    }

    /// Past a checkpoint of a long line, positions are the ones counted
    /// from the start of the line.
    #[test]
    fn positions_on_a_long_line_match_a_count_from_its_start() {
        let text = format!("a\n{}", "é🚀x".repeat(5_000));
        let ix = LineIndex::new(&text);
        assert!(!ix.checkpoints.is_empty());
        for offset in (2..text.len()).step_by(13) {
            let mut o = offset;
            while !text.is_char_boundary(o) {
                o -= 1;
            }
            let units: usize = text[2..o].chars().map(char::len_utf16).sum();
            assert_eq!(ix.position(offset), pos(1, units as u32), "offset {offset}");
        }
    }

    #[test]
    fn spans_become_ranges() {
        let text = "x\n  é_y z";
        let ix = LineIndex::new(text);
        // `é_y` is bytes 4..8.
        assert_eq!(ix.range(Span::new(4, 8)), Range::new(pos(1, 2), pos(1, 5)));
    }
}
