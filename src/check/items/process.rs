//! The people-facing process: checklist items, rollback levels, checklists,
//! communication templates, success/failure criteria, sign-off, sections.

use super::metric::condition;
use super::{item_name, single_text, title_from_name};
use crate::check::block::{self, Seen};
use crate::check::cursor::Cursor;
use crate::check::{units, Ctx};
use crate::diagnostics::{Code, Diagnostic};
use crate::model::*;
use crate::syntax::Statement;

/// `check "text" [run "cmd"]`, or `check "text" { run ...; detail ... }`.
/// Also `step` in rollback levels.
pub fn check_item(s: &Statement, a: &mut Cursor, ctx: &mut Ctx) -> Option<CheckItem> {
    let text = a.text(&mut ctx.d, "the item's text")?.0;
    let mut item = CheckItem {
        text,
        command: None,
        details: Vec::new(),
    };
    if a.eat("run").is_some() {
        item.command = a.text(&mut ctx.d, "a command").map(|t| t.0);
    }
    if let Some(b) = &s.block {
        let mut seen = Seen::default();
        for inner in &b.statements {
            match inner.keyword.text.as_str() {
                "run" => {
                    if item.command.is_some() && !seen.has("run") {
                        ctx.d.push(Diagnostic::new(Code::RepeatedStatement, inner.keyword.span, "this item already has a command", "second command")
                            .help("give the command either after `run` on the item's line or in its block, not both"));
                    } else if seen.once(inner, &mut ctx.d) {
                        item.command = single_text(inner, ctx, "a command");
                    }
                }
                "detail" => item.details.extend(single_text(inner, ctx, "a detail")),
                _ => block::unknown(inner, &s.keyword.text, &["run", "detail"], &mut ctx.d),
            }
        }
    }
    Some(item)
}

/// Items of a block: every `keyword "..."` statement, anything else E0202.
fn items(
    stmt: &Statement,
    block_name: &str,
    keyword: &str,
    allowed: &[&str],
    ctx: &mut Ctx,
    mut other: impl FnMut(&Statement, &mut Ctx),
) -> Vec<CheckItem> {
    let mut out = Vec::new();
    for s in block::body(stmt, &mut ctx.d) {
        if s.keyword.text == keyword {
            let mut a = Cursor::new(s);
            if let Some(item) = check_item(s, &mut a, ctx) {
                out.push(item);
            }
            a.end(&mut ctx.d);
        } else if allowed.contains(&s.keyword.text.as_str()) {
            other(s, ctx);
        } else {
            block::unknown(s, block_name, allowed, &mut ctx.d);
        }
    }
    out
}

const ROLLBACK: &[&str] = &[
    "title",
    "description",
    "severity",
    "within",
    "data_impact",
    "step",
];

pub fn rollback(stmt: &Statement, ctx: &mut Ctx) -> RollbackLevel {
    let mut c = Cursor::new(stmt);
    let (name, _) = item_name(&mut c, ctx, "rollback level");
    c.end(&mut ctx.d);
    let mut level = RollbackLevel {
        title: title_from_name(&name),
        name,
        description: None,
        severity: None,
        within: Duration::ZERO,
        data_impact: "none".into(),
        steps: Vec::new(),
    };
    let mut seen = Seen::default();
    level.steps = items(stmt, "rollback", "step", ROLLBACK, ctx, |s, ctx| {
        if !seen.once(s, &mut ctx.d) {
            return;
        }
        block::no_body(s, &mut ctx.d);
        let mut a = Cursor::new(s);
        match s.keyword.text.as_str() {
            "title" => {
                level.title = a
                    .text(&mut ctx.d, "a title")
                    .map(|t| t.0)
                    .unwrap_or_default()
            }
            "description" => level.description = a.text(&mut ctx.d, "a description").map(|t| t.0),
            "severity" => {
                level.severity = a
                    .ident(&mut ctx.d, "a severity")
                    .and_then(|(n, sp)| ctx.severity(&n, sp))
            }
            "within" => {
                level.within = a
                    .quantity(&mut ctx.d, "a time budget")
                    .and_then(|q| units::duration(&mut ctx.d, q))
                    .unwrap_or_default()
            }
            _ => {
                level.data_impact = a
                    .text_or_ident(&mut ctx.d, "none, possible, or a description")
                    .map(|t| t.0)
                    .unwrap_or_default()
            }
        }
        a.end(&mut ctx.d);
    });
    block::require(seen.has("within"), stmt, "within", "within 15m", &mut ctx.d);
    level
}

pub fn checklist(stmt: &Statement, ctx: &mut Ctx) -> Checklist {
    let mut c = Cursor::new(stmt);
    let (name, _) = item_name(&mut c, ctx, "checklist");
    c.end(&mut ctx.d);
    let mut title = title_from_name(&name);
    let mut seen = Seen::default();
    let items = items(
        stmt,
        "checklist",
        "check",
        &["title", "check"],
        ctx,
        |s, ctx| {
            if seen.once(s, &mut ctx.d) {
                title = single_text(s, ctx, "a title").unwrap_or_default();
            }
        },
    );
    Checklist { name, title, items }
}

const TEMPLATE: &[&str] = &["title", "when", "subject", "fields", "body"];

pub fn template(stmt: &Statement, ctx: &mut Ctx) -> Template {
    let mut c = Cursor::new(stmt);
    let (name, _) = item_name(&mut c, ctx, "template");
    c.end(&mut ctx.d);
    let mut t = Template {
        title: title_from_name(&name),
        name,
        when: None,
        subject: None,
        fields: Vec::new(),
        body: String::new(),
    };
    let mut field_spans = Vec::new();
    let mut texts: Vec<(String, &crate::syntax::Arg)> = Vec::new();
    let mut seen = Seen::default();
    for s in block::body(stmt, &mut ctx.d) {
        let kw = s.keyword.text.as_str();
        if !TEMPLATE.contains(&kw) {
            block::unknown(s, "template", TEMPLATE, &mut ctx.d);
            continue;
        }
        if !seen.once(s, &mut ctx.d) {
            continue;
        }
        block::no_body(s, &mut ctx.d);
        let mut a = Cursor::new(s);
        match kw {
            "title" => {
                t.title = a
                    .text(&mut ctx.d, "a title")
                    .map(|x| x.0)
                    .unwrap_or_default()
            }
            "when" => t.when = a.text_or_ident(&mut ctx.d, "when it is sent").map(|x| x.0),
            "subject" => {
                t.subject = a.text(&mut ctx.d, "a subject").map(|x| x.0);
                if let (Some(sub), Some(arg)) = (&t.subject, s.args.first()) {
                    texts.push((sub.clone(), arg));
                }
            }
            "fields" => {
                field_spans = a.ident_list(&mut ctx.d, "a field name");
                t.fields = field_spans.iter().map(|f| f.0.clone()).collect();
            }
            _ => {
                t.body = a
                    .text(&mut ctx.d, "the body")
                    .map(|x| x.0)
                    .unwrap_or_default();
                if let Some(arg) = s.args.first() {
                    texts.push((t.body.clone(), arg));
                }
            }
        }
        a.end(&mut ctx.d);
    }
    block::require(
        seen.has("body"),
        stmt,
        "body",
        "body \"\"\"...\"\"\"",
        &mut ctx.d,
    );
    let mut used = std::collections::BTreeSet::new();
    let fields: std::collections::HashSet<&str> = t.fields.iter().map(String::as_str).collect();
    // "Did you mean" compares an unknown name with every field: bounded, or
    // N unknown placeholders against N fields cost N².
    let mut comparisons_left: usize = 20_000;
    for (text, arg) in &texts {
        // The k-th `{{` of the text is the k-th of its source (escapes and
        // de-indentation neither make nor remove braces), so one forward
        // walk finds each placeholder where it is written; searching the
        // source from the start for each one was quadratic.
        let raw = ctx.text.get(arg.span.start..arg.span.end).unwrap_or("");
        let opens: Vec<usize> = raw.match_indices("{{").map(|(i, _)| i).collect();
        let mut reported = std::collections::HashSet::new();
        for (k, segment) in text.split("{{").skip(1).enumerate() {
            let Some((name, _)) = segment.split_once("}}") else {
                continue;
            };
            let name = name.trim();
            used.insert(name.to_string());
            // One report per name and text, at its first use.
            if fields.contains(name) || !reported.insert(name) {
                continue;
            }
            let at = opens
                .get(k)
                .and_then(|&open| {
                    let body = raw.get(open + 2..opens.get(k + 1).copied().unwrap_or(raw.len()))?;
                    let close = body.find("}}")?;
                    let from = arg.span.start + open;
                    (body[..close].trim() == name)
                        .then(|| crate::source::Span::new(from, from + 2 + close + 2))
                })
                .unwrap_or(arg.span);
            let mut d = Diagnostic::new(
                Code::UndeclaredPlaceholder,
                at,
                format!(
                    "placeholder `{{{{{name}}}}}` is not a field of template `{}`",
                    t.name
                ),
                format!("uses `{{{{{name}}}}}`"),
            )
            .help(format!("add `{name}` to the template's `fields`"));
            if let Some(left) = comparisons_left.checked_sub(t.fields.len()) {
                comparisons_left = left;
                if let Some(s) =
                    crate::diagnostics::did_you_mean(name, t.fields.iter().map(String::as_str))
                {
                    d = d.help(format!(
                        "did you mean `{{{{{s}}}}}`? Otherwise add `{name}` to `fields`"
                    ));
                }
            }
            ctx.d.push(d);
        }
    }
    for (name, span) in field_spans {
        if !used.contains(&name) {
            ctx.d.push(Diagnostic::new(
                Code::UnusedField,
                span,
                format!("field `{name}` is never used in the template"),
                "not used",
            ));
        }
    }
    t
}

/// `success "text" [when METRIC OP VALUE [for DURATION]]`, same for `failure`.
pub fn criterion(stmt: &Statement, ctx: &mut Ctx) -> Option<Criterion> {
    block::no_body(stmt, &mut ctx.d);
    let kind = if stmt.keyword.text == "success" {
        CriterionKind::Success
    } else {
        CriterionKind::Failure
    };
    let mut a = Cursor::new(stmt);
    let title = a.text(&mut ctx.d, "the criterion")?.0;
    let mut cond = None;
    if a.eat("when").is_some() {
        let c = condition(&mut a, ctx)?;
        let window = if a.eat("for").is_some() {
            Some(
                a.quantity(&mut ctx.d, "a duration")
                    .and_then(|q| units::duration(&mut ctx.d, q))?,
            )
        } else {
            None
        };
        cond = Some((c, window));
    }
    a.end(&mut ctx.d);
    Some(Criterion {
        kind,
        title,
        condition: cond,
    })
}

pub fn signoff(stmt: &Statement, ctx: &mut Ctx) -> Vec<ContactId> {
    block::no_body(stmt, &mut ctx.d);
    let mut a = Cursor::new(stmt);
    let who = ctx.contacts(&mut a, "a contact who signs off");
    a.end(&mut ctx.d);
    who
}

pub fn section(stmt: &Statement, ctx: &mut Ctx) -> Option<Section> {
    block::no_body(stmt, &mut ctx.d);
    let mut a = Cursor::new(stmt);
    let title = a.text(&mut ctx.d, "the section's title")?.0;
    let body = a.text(&mut ctx.d, "the section's markdown")?.0;
    a.end(&mut ctx.d);
    Some(Section { title, body })
}
