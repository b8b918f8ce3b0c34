//! trigger: a condition, its severity, and what to do about it.

use super::metric::condition;
use super::{item_name, title_from_name};
use crate::check::block::{self, Seen};
use crate::check::cursor::Cursor;
use crate::check::{units, Ctx};
use crate::diagnostics::{Code, Diagnostic};
use crate::model::*;
use crate::source::Span;
use crate::syntax::{Statement, Value};

const TRIGGER: &[&str] = &[
    "title",
    "description",
    "when",
    "severity",
    "action",
    "notify",
    "level",
];

pub fn trigger(stmt: &Statement, ctx: &mut Ctx) -> Trigger {
    let mut c = Cursor::new(stmt);
    let (name, _) = item_name(&mut c, ctx, "trigger");
    c.end(&mut ctx.d);
    let mut t = Trigger {
        title: title_from_name(&name),
        name,
        description: None,
        condition: TriggerCondition::Observed(String::new()),
        severity: SeverityId(0),
        action: Action::Notify,
        notify: Vec::new(),
        rollback_level: None,
    };
    let mut seen = Seen::default();
    let mut title_given = false;
    for s in block::body(stmt, &mut ctx.d) {
        let kw = s.keyword.text.as_str();
        if !TRIGGER.contains(&kw) {
            block::unknown(s, "trigger", TRIGGER, &mut ctx.d);
            continue;
        }
        if !seen.once(s, &mut ctx.d) {
            continue;
        }
        block::no_body(s, &mut ctx.d);
        let mut a = Cursor::new(s);
        match kw {
            "title" => {
                title_given = true;
                t.title = a
                    .text(&mut ctx.d, "a title")
                    .map(|x| x.0)
                    .unwrap_or_default();
            }
            "description" => t.description = a.text(&mut ctx.d, "a description").map(|x| x.0),
            "when" => {
                if let Some(cond) = when(&mut a, ctx) {
                    t.condition = cond;
                }
            }
            "severity" => {
                if let Some(sev) = a
                    .ident(&mut ctx.d, "a severity")
                    .and_then(|(n, sp)| ctx.severity(&n, sp))
                {
                    t.severity = sev;
                }
            }
            "action" => {
                if let Some((act, sp)) = a.ident(&mut ctx.d, "rollback, abort, page or notify") {
                    match action(&act) {
                        Some(x) => t.action = x,
                        None => ctx.d.push(
                            Diagnostic::new(
                                Code::InvalidValue,
                                sp,
                                format!("`{act}` is not an action"),
                                "unknown action",
                            )
                            .help("a trigger's action is rollback, abort, page or notify"),
                        ),
                    }
                }
            }
            "notify" => t.notify = ctx.contacts(&mut a, "a contact"),
            _ => {
                t.rollback_level = a
                    .ident(&mut ctx.d, "a rollback level")
                    .and_then(|(n, sp)| ctx.rollback_level(&n, sp))
            }
        }
        a.end(&mut ctx.d);
    }
    for (k, ex) in [
        ("when", "when error_rate > 10% for 5m"),
        ("severity", "severity major"),
        ("action", "action rollback"),
    ] {
        block::require(seen.has(k), stmt, k, ex, &mut ctx.d);
    }
    if !title_given {
        if let TriggerCondition::Observed(text) = &t.condition {
            if !text.is_empty() {
                t.title = text.clone();
            }
        }
    }
    t
}

fn action(word: &str) -> Option<Action> {
    Some(match word {
        "rollback" => Action::Rollback,
        "abort" => Action::Abort,
        "page" => Action::Page,
        "notify" => Action::Notify,
        _ => return None,
    })
}

/// `when METRIC OP VALUE for DURATION` or `when "observed condition"`.
fn when(a: &mut Cursor, ctx: &mut Ctx) -> Option<TriggerCondition> {
    if matches!(
        a.peek().map(|x| &x.value),
        Some(Value::Str(_) | Value::Text(_))
    ) {
        return a
            .text(&mut ctx.d, "a condition")
            .map(|(t, _)| TriggerCondition::Observed(t));
    }
    let cond = condition(a, ctx);
    let sustain = if a.eat("for").is_some() {
        a.quantity(&mut ctx.d, "a duration after `for`")
            .and_then(|q| units::duration(&mut ctx.d, q))?
    } else {
        let at = a
            .statement()
            .args
            .last()
            .map_or(a.statement().keyword.span, |x| x.span);
        ctx.d.push(
            Diagnostic::new(Code::BadArgument, Span::new(at.end, at.end), "a metric trigger needs a sustain window: `for DURATION`", "window missing here")
                .help("say how long the breach must last, e.g. `when error_rate > 10% for 5m` (`for 0s` fires at once)"),
        );
        return None;
    };
    Some(TriggerCondition::Metric {
        condition: cond?,
        sustain,
    })
}
