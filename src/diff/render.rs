//! Text for a terminal, markdown for a pull-request comment.

use super::{Change, ChangeKind, Scope};

/// The whole report when nothing changed.
pub const NO_CHANGE: &str = "no semantic change";

/// One line per change, `scope: what`, grouped by scope, after a
/// `old → new` header; exactly [`NO_CHANGE`] when there is none.
pub fn render_text(changes: &[Change], old_name: &str, new_name: &str) -> String {
    if changes.is_empty() {
        return NO_CHANGE.to_string();
    }
    let mut lines = vec![format!("{old_name} → {new_name}")];
    for (scope, group) in grouped(changes) {
        for kind in group {
            lines.push(match kind {
                ChangeKind::Added => format!("{scope} added"),
                ChangeKind::Removed => format!("{scope} removed"),
                ChangeKind::Changed { field, old, new } => {
                    format!("{scope}: {}", describe(field, old, new, &|v| v.to_string()))
                }
            });
        }
    }
    lines.join("\n")
}

/// A heading, then one `### scope` sub-heading per item with one bullet per
/// change; exactly [`NO_CHANGE`] when there is none.
pub fn render_markdown(changes: &[Change], old_name: &str, new_name: &str) -> String {
    if changes.is_empty() {
        return NO_CHANGE.to_string();
    }
    let mut out = format!(
        "## Deployment changes: {} → {}\n",
        code(old_name),
        code(new_name)
    );
    for (scope, group) in grouped(changes) {
        out.push_str(&format!("\n### {scope}\n\n"));
        for kind in group {
            let line = match kind {
                ChangeKind::Added => "added".to_string(),
                ChangeKind::Removed => "removed".to_string(),
                ChangeKind::Changed { field, old, new } => describe(field, old, new, &code),
            };
            out.push_str(&format!("- {line}\n"));
        }
    }
    out.truncate(out.trim_end().len());
    out
}

/// Changes grouped by scope: kinds of scope in report order, items in order
/// of first appearance (the diff's order: phases in graph order).
fn grouped(changes: &[Change]) -> Vec<(&Scope, Vec<&ChangeKind>)> {
    let mut groups: Vec<(&Scope, Vec<&ChangeKind>)> = Vec::new();
    for c in changes {
        match groups.iter_mut().find(|(s, _)| **s == c.scope) {
            Some((_, g)) => g.push(&c.kind),
            None => groups.push((&c.scope, vec![&c.kind])),
        }
    }
    groups.sort_by_key(|(s, _)| s.rank());
    groups
}

/// `field old → new`, `field new added`, `field old removed`; text blocks
/// (several lines) are summarised by their line counts.
fn describe(
    field: &str,
    old: &Option<String>,
    new: &Option<String>,
    value: &dyn Fn(&str) -> String,
) -> String {
    let block = |v: &Option<String>| v.as_deref().is_some_and(|v| v.contains('\n'));
    let with = |v: &str| {
        if v.is_empty() {
            field.to_string()
        } else {
            format!("{field} {}", value(v))
        }
    };
    if block(old) || block(new) {
        let lines = |v: &str| v.lines().count();
        return match (old, new) {
            (Some(o), Some(n)) => {
                let (added, removed) = line_delta(o, n);
                format!("{field} changed (+{added} -{removed} lines)")
            }
            (None, Some(n)) => format!("{field} added ({} lines)", lines(n)),
            (Some(o), None) => format!("{field} removed ({} lines)", lines(o)),
            (None, None) => format!("{field} changed"),
        };
    }
    match (old, new) {
        (Some(o), Some(n)) => format!("{field} {} → {}", value(o), value(n)),
        (None, Some(n)) => format!("{} added", with(n)),
        (Some(o), None) => format!("{} removed", with(o)),
        (None, None) => format!("{field} changed"),
    }
}

/// Lines added and removed from `a` to `b` (longest common subsequence).
fn line_delta(a: &str, b: &str) -> (usize, usize) {
    let a: Vec<&str> = a.lines().collect();
    let b: Vec<&str> = b.lines().collect();
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let common = lcs[0][0];
    (b.len() - common, a.len() - common)
}

/// A markdown code span that survives backticks in the value.
fn code(v: &str) -> String {
    if v.contains('`') {
        format!("`` {v} ``")
    } else {
        format!("`{v}`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_counts() {
        assert_eq!(line_delta("a\nb\nc", "a\nc\nd\ne"), (2, 1));
        assert_eq!(line_delta("", "a"), (1, 0));
    }

    #[test]
    fn blocks_are_summarised() {
        let c = Change {
            scope: Scope::Section("Risks".into()),
            kind: ChangeKind::Changed {
                field: "body".into(),
                old: Some("a\nb".into()),
                new: Some("a\nc\nd".into()),
            },
        };
        assert_eq!(
            render_text(std::slice::from_ref(&c), "x", "y"),
            "x → y\nsection \"Risks\": body changed (+2 -1 lines)"
        );
        assert_eq!(
            render_markdown(&[c], "x", "y"),
            "## Deployment changes: `x` → `y`\n\n### section \"Risks\"\n\n- body changed (+2 -1 lines)"
        );
    }

    #[test]
    fn nothing_is_exactly_no_semantic_change() {
        assert_eq!(render_text(&[], "a", "b"), "no semantic change");
        assert_eq!(render_markdown(&[], "a", "b"), "no semantic change");
    }
}
