//! phase: anchor, dependencies, owner, and its steps (checks, traffic, gates).

use rust_decimal::Decimal;

use super::metric::{condition, no_data};
use super::process::check_item;
use super::{item_name, title_from_name};
use crate::check::block::{self, Seen};
use crate::check::cursor::Cursor;
use crate::check::{templated, units, Ctx};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::*;
use crate::source::Span;
use crate::syntax::{Statement, Value};

const PHASE: &[&str] = &[
    "title",
    "description",
    "at",
    "after",
    "owner",
    "check",
    "canary",
    "hold",
    "pause",
    "preview",
    "promote",
    "gate",
];

/// Image for smoke-test Jobs that name none: small, pinned, has curl.
pub const DEFAULT_SMOKE_IMAGE: &str = "curlimages/curl:8.10.1";
const DEFAULT_SMOKE_TIMEOUT: Duration = Duration::from_mins(5);
const DEFAULT_HTTP_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_INTERVAL: Duration = Duration::from_mins(1);

/// A phase as lowered, before the graph puts it in order: `after` holds
/// declaration indices, and the spans the graph checks need are kept.
pub struct Lowered {
    pub phase: Phase,
    pub after: Vec<(usize, Span)>,
    pub anchor_span: Option<Span>,
    /// Span of each step, parallel to `phase.steps`.
    pub step_spans: Vec<Span>,
}

pub fn phase(stmt: &Statement, ctx: &mut Ctx) -> Lowered {
    let mut c = Cursor::new(stmt);
    let (name, _) = item_name(&mut c, ctx, "phase");
    c.end(&mut ctx.d);
    let mut l = Lowered {
        phase: Phase {
            title: title_from_name(&name),
            name,
            description: None,
            anchor: None,
            after: Vec::new(),
            owner: None,
            steps: Vec::new(),
        },
        after: Vec::new(),
        anchor_span: None,
        step_spans: Vec::new(),
    };
    let mut seen = Seen::default();
    for s in block::body(stmt, &mut ctx.d) {
        let kw = s.keyword.text.as_str();
        if !PHASE.contains(&kw) {
            block::unknown(s, "phase", PHASE, &mut ctx.d);
            continue;
        }
        if matches!(kw, "title" | "description" | "at" | "after" | "owner")
            && !seen.once(s, &mut ctx.d)
        {
            continue;
        }
        if kw != "check" {
            block::no_body(s, &mut ctx.d);
        }
        let span = s.span;
        let mut a = Cursor::new(s);
        let step = match kw {
            "title" => {
                l.phase.title = a
                    .text(&mut ctx.d, "a title")
                    .map(|t| t.0)
                    .unwrap_or_default();
                None
            }
            "description" => {
                l.phase.description = a.text(&mut ctx.d, "a description").map(|t| t.0);
                None
            }
            "at" => {
                if let Some((text, sp)) =
                    a.anchor(&mut ctx.d, "a time anchor like `T+15m` or `D-1`")
                {
                    l.phase.anchor = anchor(&mut ctx.d, &text, sp);
                    l.anchor_span = Some(sp);
                }
                None
            }
            "after" => {
                for (n, sp) in a.ident_list(&mut ctx.d, "a phase") {
                    if let Some(i) = ctx.names.phases.resolve(&n, sp, &mut ctx.d) {
                        l.after.push((i, sp));
                    }
                }
                None
            }
            "owner" => {
                l.phase.owner = a
                    .ident(&mut ctx.d, "a contact")
                    .and_then(|(n, sp)| ctx.contact(&n, sp));
                None
            }
            "check" => check_item(s, &mut a, ctx).map(Step::Check),
            "canary" => canary(&mut a, &mut ctx.d).map(Step::Traffic),
            "hold" => a
                .quantity(&mut ctx.d, "a duration")
                .and_then(|q| units::duration(&mut ctx.d, q))
                .map(|d| Step::Traffic(Traffic::Hold(d))),
            "pause" => Some(Step::Traffic(Traffic::Pause)),
            "preview" => Some(Step::Traffic(Traffic::Preview)),
            "promote" => Some(Step::Traffic(Traffic::Promote)),
            _ => gate(&mut a, ctx).map(Step::Gate),
        };
        a.end(&mut ctx.d);
        if let Some(step) = step {
            l.phase.steps.push(step);
            l.step_spans.push(span);
        }
    }
    l
}

/// The largest count of an anchor: 10,000 days is 27 years, and 10,000
/// times the longest unit (a day) fits in 64-bit milliseconds with room.
const MAX_ANCHOR: i64 = 10_000;

/// `D-7`, `D+1`, `T-6h`, `T+0`, `T+15m`: milliseconds relative to T.
fn anchor(d: &mut Diagnostics, text: &str, span: Span) -> Option<Anchor> {
    let (base, rest) = text.split_at(1);
    let (sign, rest) = rest.split_at(1);
    let digits_end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let (digits, unit) = rest.split_at(digits_end);
    // The grammar guarantees digits; their value is bounded here, and a
    // larger one refused out loud: dropped silently (as it was), the phase
    // lost its anchor and, with it, the check of its order (E0502).
    let Some(n) = digits.parse::<i64>().ok().filter(|n| *n <= MAX_ANCHOR) else {
        d.push(
            Diagnostic::new(
                Code::InvalidValue,
                span,
                format!("time anchor `{text}` is out of range"),
                format!("more than {MAX_ANCHOR} units from {base}"),
            )
            .help(format!(
                "an anchor counts at most {MAX_ANCHOR} units from T or D: `D-7`, `T-6h`, `T+15m`"
            )),
        );
        return None;
    };
    let per: i64 = match (base, unit) {
        ("D", "") => 86_400_000,
        ("T", "m") => 60_000,
        ("T", "h") => 3_600_000,
        ("T", "s") => 1000,
        ("T", "d") => 86_400_000,
        ("T", "") if n == 0 => 0,
        _ => {
            let help = if base == "D" {
                "`D±N` counts days (`D-7`, `D-1`); use `T±` with a unit for hours and minutes (`T-6h`)"
            } else {
                "`T±N` takes a unit: `T-6h`, `T-60m`, `T+15m` (or `T+0`)"
            };
            d.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    span,
                    format!("`{text}` is not a time anchor"),
                    "invalid anchor",
                )
                .help(help),
            );
            return None;
        }
    };
    let offset = n * per * if sign == "-" { -1 } else { 1 };
    Some(Anchor {
        text: text.to_string(),
        offset_millis: offset,
    })
}

/// `canary 25%` or `canary 1 pod`.
fn canary(a: &mut Cursor, d: &mut Diagnostics) -> Option<Traffic> {
    let q = a.quantity(d, "a weight (`25%`) or a number of pods (`1 pod`)")?;
    if q.unit.as_deref() == Some("%") {
        let w = q.number;
        if w.is_zero() || w > Decimal::from(100) || !w.fract().is_zero() {
            d.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    q.span,
                    format!("`{}` is not a whole weight from 1% to 100%", q.text),
                    "invalid weight",
                )
                .help("Argo Rollouts weights are whole percentages from 1 to 100"),
            );
            return None;
        }
        return Some(Traffic::Weight(w.normalize()));
    }
    let n = units::count(d, q, 10_000)?;
    if a.eat("pod").is_none() && a.eat("pods").is_none() {
        d.push(
            Diagnostic::new(
                Code::BadArgument,
                q.span,
                format!("`canary {}` needs `%` or `pod`", q.text),
                "weight or pods?",
            )
            .help(format!(
                "write `canary {}%` for a traffic weight or `canary {} pod` for a number of pods",
                q.text, q.text
            )),
        );
        return None;
    }
    if n == 0 {
        d.push(Diagnostic::new(
            Code::InvalidValue,
            q.span,
            "a canary of 0 pods",
            "at least one pod",
        ));
        return None;
    }
    Some(Traffic::Pods(n as u32))
}

fn gate(a: &mut Cursor, ctx: &mut Ctx) -> Option<Gate> {
    if a.eat("approval").is_some() {
        let approvers = ctx.contacts(a, "an approver (a contact)");
        return (!approvers.is_empty()).then_some(Gate::Approval { approvers });
    }
    if a.eat("smoke").is_some() {
        let (command, span) = a.text(&mut ctx.d, "the smoke test's command")?;
        templated::argo_field(
            &mut ctx.d,
            ctx.text,
            &command,
            span,
            "smoke command",
            templated::SHELL,
        );
        let (mut image, mut timeout) = (DEFAULT_SMOKE_IMAGE.to_string(), DEFAULT_SMOKE_TIMEOUT);
        let mut resources = JobResources::DEFAULT;
        loop {
            if let Some(kw) = ["cpu", "memory"].into_iter().find(|k| a.eat(k).is_some()) {
                crate::check::items::service::job_resources(&mut resources, kw, a, &mut ctx.d);
            } else if a.eat("image").is_some() {
                let (t, sp) = a.text(&mut ctx.d, "an image")?;
                image = crate::check::items::service::image(&mut ctx.d, &t, sp)?.reference;
            } else if a.eat("timeout").is_some() {
                timeout = a
                    .quantity(&mut ctx.d, "a duration")
                    .and_then(|q| units::duration(&mut ctx.d, q))?;
            } else {
                break;
            }
        }
        return Some(Gate::Smoke {
            command,
            image,
            timeout,
            resources,
        });
    }
    if a.eat("http").is_some() {
        let (url, span) = a.text(&mut ctx.d, "a URL")?;
        templated::argo_field(&mut ctx.d, ctx.text, &url, span, "URL", templated::URL);
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            ctx.d.push(Diagnostic::new(
                Code::InvalidValue,
                span,
                format!("`{url}` is not an http(s) URL"),
                "expected http:// or https://",
            ));
        }
        let (mut expect, mut timeout) = (200u16, DEFAULT_HTTP_TIMEOUT);
        loop {
            if a.eat("expect").is_some() {
                let q = a.quantity(&mut ctx.d, "an HTTP status")?;
                match units::count(&mut ctx.d, q, 599) {
                    Some(n) if n >= 100 => expect = n as u16,
                    Some(_) => ctx.d.push(Diagnostic::new(
                        Code::InvalidValue,
                        q.span,
                        format!("`{}` is not an HTTP status", q.text),
                        "expected 100 to 599",
                    )),
                    None => {}
                }
            } else if a.eat("timeout").is_some() {
                timeout = a
                    .quantity(&mut ctx.d, "a duration")
                    .and_then(|q| units::duration(&mut ctx.d, q))?;
            } else {
                break;
            }
        }
        return Some(Gate::Http {
            url,
            expect,
            timeout,
        });
    }
    if !matches!(a.peek().map(|x| &x.value), Some(Value::Ident(_))) {
        a.ident(&mut ctx.d, "a metric, or approval, smoke or http");
        return None;
    }
    let cond = condition(a, ctx);
    if a.eat("for").is_none() {
        let at = a
            .statement()
            .args
            .last()
            .map_or(a.statement().keyword.span, |x| x.span);
        ctx.d.push(
            Diagnostic::new(
                Code::BadArgument,
                Span::new(at.end, at.end),
                "a metric gate needs a window: `for DURATION`",
                "window missing here",
            )
            .help("say how long the condition must hold, e.g. `gate error_rate < 1% for 15m`"),
        );
        return None;
    }
    let window = a
        .quantity(&mut ctx.d, "a duration after `for`")
        .and_then(|q| units::duration(&mut ctx.d, q));
    let mut interval = DEFAULT_INTERVAL;
    let mut policy = None;
    loop {
        if a.eat("every").is_some() {
            if let Some(i) = a
                .quantity(&mut ctx.d, "an interval")
                .and_then(|q| units::duration(&mut ctx.d, q))
            {
                interval = i;
            }
        } else if a.eat("no_data").is_some() {
            policy = no_data(a, &mut ctx.d);
        } else {
            break;
        }
    }
    let (condition, window) = (cond?, window?);
    let policy = policy.or(ctx.metric_no_data[condition.metric.0]);
    if interval.millis == 0 || window < interval {
        ctx.d.push(
            Diagnostic::new(Code::InvalidValue, a.statement().span, format!("the window `{window}` is shorter than the interval `{interval}`"), "no full measurement fits")
                .help("the window must cover at least one interval; lengthen it or measure more often with `every`"),
        );
        return None;
    }
    let no_data = policy.unwrap_or(NoData::Inconclusive);
    Some(Gate::Metric(MetricGate {
        condition,
        window,
        interval,
        no_data,
    }))
}
