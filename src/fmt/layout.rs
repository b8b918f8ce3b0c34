//! Printing a syntax tree in the canonical layout (see `super`).
//!
//! Comments are placed by their spans. A comment with only whitespace (or
//! `;`) before it on its line is an own-line comment: it is printed, in
//! source order, before the first statement that starts after it in the same
//! block, or at the end of the block or file. Any other comment trails the
//! output line holding the last token before it.

use crate::syntax::{dedent, Arg, Comment, Statement, SyntaxTree, Value};

/// Trailing comments start after this many characters of code.
pub const COMMENT_COLUMN: usize = 42;
/// Fewest spaces between code and a trailing comment.
const COMMENT_GAP: usize = 2;
const INDENT: &str = "  ";

/// One output line, before blank lines and trailing comments are rendered.
struct Line {
    depth: usize,
    /// The code; a text block makes it span several physical lines, the
    /// ones after the first carrying their own indentation.
    text: String,
    blank_before: bool,
    trailing: Vec<String>,
}

struct Printer<'a> {
    source: &'a str,
    /// Every comment, in source order.
    comments: &'a [Comment],
    /// Own-line comments, in source order, and the next one to print.
    own_line: Vec<&'a Comment>,
    next_own_line: usize,
    lines: Vec<Line>,
    /// (source offset where the last token of an output line ends, line
    /// index), in source order: where trailing comments go.
    anchors: Vec<(usize, usize)>,
}

pub fn print(source: &str, tree: &SyntaxTree) -> String {
    let first_token = tree.statements.first().map_or(usize::MAX, |s| s.span.start);
    let (own_line, trailing): (Vec<&Comment>, Vec<&Comment>) = tree
        .comments
        .iter()
        .partition(|c| c.span.start < first_token || is_own_line(source, c.span.start));
    let mut printer = Printer {
        source,
        comments: &tree.comments,
        own_line,
        next_own_line: 0,
        lines: Vec::new(),
        anchors: Vec::new(),
    };
    printer.level(&tree.statements, 0, source.len());
    for c in trailing {
        printer.attach_trailing(c);
    }
    render(&printer.lines)
}

/// Only whitespace or `;` between the start of its line and `at`.
fn is_own_line(source: &str, at: usize) -> bool {
    let before = &source[..at];
    let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    is_blank(&before[line_start..])
}

fn is_blank(line: &str) -> bool {
    line.chars().all(|c| c == ' ' || c == '\t' || c == ';')
}

/// Whether the source between two items holds a blank line.
fn has_blank_line(between: &str) -> bool {
    let normalized = between.replace("\r\n", "\n").replace('\r', "\n");
    let segments: Vec<&str> = normalized.split('\n').collect();
    // The first segment ends the previous item's line, the last one starts
    // the next item's; whole lines lie between.
    segments.len() > 2 && segments[1..segments.len() - 1].iter().any(|s| is_blank(s))
}

fn comment_text(c: &Comment) -> String {
    format!("#{}", c.text.trim_end())
}

impl Printer<'_> {
    /// The statements of one block (or the file) and the own-line comments
    /// among them, up to `end` (the block's `}` or the end of the file).
    fn level(&mut self, statements: &[Statement], depth: usize, end: usize) {
        let mut previous_end = None;
        for s in statements {
            self.own_line_comments(s.span.start, depth, &mut previous_end);
            let blank = self.blank_since(previous_end, s.span.start);
            self.statement(s, depth, blank);
            previous_end = Some(s.span.end);
        }
        self.own_line_comments(end, depth, &mut previous_end);
    }

    fn blank_since(&self, previous_end: Option<usize>, start: usize) -> bool {
        previous_end.is_some_and(|e| e <= start && has_blank_line(&self.source[e..start]))
    }

    fn own_line_comments(&mut self, before: usize, depth: usize, previous_end: &mut Option<usize>) {
        while let Some(&c) = self.own_line.get(self.next_own_line) {
            if c.span.start >= before {
                break;
            }
            let blank = self.blank_since(*previous_end, c.span.start);
            self.push(depth, comment_text(c), blank);
            *previous_end = Some(c.span.end);
            self.next_own_line += 1;
        }
    }

    fn push(&mut self, depth: usize, text: String, blank_before: bool) -> usize {
        self.lines.push(Line {
            depth,
            text,
            blank_before,
            trailing: Vec::new(),
        });
        self.lines.len() - 1
    }

    fn statement(&mut self, s: &Statement, depth: usize, blank_before: bool) {
        let mut text = s.keyword.text.clone();
        let mut last_token_end = s.keyword.span.end;
        for arg in &s.args {
            if !matches!(arg.value, Value::Comma) {
                text.push(' ');
            }
            self.argument(&mut text, arg, depth);
            last_token_end = arg.span.end;
        }
        let Some(block) = &s.block else {
            let line = self.push(depth, text, blank_before);
            self.anchors.push((last_token_end, line));
            return;
        };
        let (open, close) = (block.span.start, block.span.end);
        let first_inside = self.comments.partition_point(|c| c.span.start <= open);
        let has_comments = self
            .comments
            .get(first_inside)
            .is_some_and(|c| c.span.start < close);
        if block.statements.is_empty() && !has_comments {
            text.push_str(" {}");
            let line = self.push(depth, text, blank_before);
            self.anchors.push((close, line));
            return;
        }
        text.push_str(" {");
        let line = self.push(depth, text, blank_before);
        self.anchors.push((open + 1, line));
        self.level(&block.statements, depth + 1, close - 1);
        let line = self.push(depth, "}".to_string(), false);
        self.anchors.push((close, line));
    }

    fn argument(&self, out: &mut String, arg: &Arg, depth: usize) {
        match &arg.value {
            Value::Ident(s) | Value::Anchor(s) => out.push_str(s),
            Value::Str(s) => push_string(out, s),
            Value::Text(t) => {
                let raw = &self.source[arg.span.start..arg.span.end];
                out.push_str(&text_block(t, raw, depth));
            }
            Value::Quantity(q) => out.push_str(&q.text),
            Value::Range(lo, hi) => {
                out.push_str(&lo.text);
                out.push_str("..");
                out.push_str(&hi.text);
            }
            Value::Compare(op) => out.push_str(op.as_str()),
            Value::Comma => out.push(','),
        }
    }

    fn attach_trailing(&mut self, c: &Comment) {
        let i = self
            .anchors
            .partition_point(|&(end, _)| end <= c.span.start);
        // Every trailing comment has a token before it (see `print`).
        let line = i.checked_sub(1).map_or(0, |i| self.anchors[i].1);
        if let Some(line) = self.lines.get_mut(line) {
            line.trailing.push(comment_text(c));
        }
    }
}

fn push_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A text block whose content is `content` (already dedented), for a
/// statement at `depth`; `raw` as written when no layout gives it back.
fn text_block(content: &str, raw: &str, depth: usize) -> String {
    let pad = INDENT.repeat(depth + 1);
    let mut out = String::from("\"\"\"\n");
    let (body, ends_with_break) = match content.strip_suffix('\n') {
        Some(body) => (body, true),
        None => (content, false),
    };
    if !content.is_empty() {
        for (i, line) in body.split('\n').enumerate() {
            if i > 0 {
                out.push('\n');
            }
            if !line.is_empty() {
                out.push_str(&pad);
                out.push_str(line);
            }
        }
    }
    if ends_with_break || content.is_empty() {
        if ends_with_break {
            out.push('\n');
        }
        out.push_str(&INDENT.repeat(depth));
    }
    out.push_str("\"\"\"");
    if dedent(&out[3..out.len() - 3]) == content {
        out
    } else {
        raw.to_string()
    }
}

fn render(lines: &[Line]) -> String {
    let mut out = String::new();
    for line in lines {
        if line.blank_before {
            out.push('\n');
        }
        let line_start = out.len();
        let indent = INDENT.repeat(line.depth);
        out.push_str(&indent);
        out.push_str(&line.text);
        let mut trailing = line.trailing.iter();
        if let Some(first) = trailing.next() {
            let last_physical = out[line_start..].rsplit(['\n', '\r']).next().unwrap_or("");
            let width = last_physical.chars().count();
            let gap = COMMENT_COLUMN.saturating_sub(width).max(COMMENT_GAP);
            out.push_str(&" ".repeat(gap));
            out.push_str(first);
        }
        // Two comments never trail one line (one comment per source line,
        // and a line's tokens share a source line); should it happen, the
        // others follow on lines of their own rather than be lost.
        for other in trailing {
            out.push('\n');
            out.push_str(&indent);
            out.push_str(other);
        }
        out.push('\n');
    }
    out
}
