//! contact, severity, escalation.

use super::{item_name, single_text};
use crate::check::block::{self, Seen};
use crate::check::cursor::Cursor;
use crate::check::{units, Ctx};
use crate::diagnostics::{Code, Diagnostic};
use crate::model::*;
use crate::syntax::Statement;

const CONTACT: &[&str] = &["role", "name", "phone", "chat", "email", "pager"];

pub fn contact(stmt: &Statement, ctx: &mut Ctx) -> Contact {
    let mut c = Cursor::new(stmt);
    let (name, _) = item_name(&mut c, ctx, "contact");
    c.end(&mut ctx.d);
    let mut contact = Contact {
        name,
        role: String::new(),
        person: None,
        phone: None,
        chat: None,
        email: None,
        pager: None,
    };
    let mut seen = Seen::default();
    for s in block::body(stmt, &mut ctx.d) {
        let kw = s.keyword.text.as_str();
        if !CONTACT.contains(&kw) {
            block::unknown(s, "contact", CONTACT, &mut ctx.d);
            continue;
        }
        if !seen.once(s, &mut ctx.d) {
            continue;
        }
        let value = single_text(s, ctx, &format!("the contact's {kw}"));
        match kw {
            "role" => contact.role = value.unwrap_or_default(),
            "name" => contact.person = value,
            "phone" => contact.phone = value,
            "chat" => {
                if let (Some(chat), Some(arg)) = (&value, s.args.first()) {
                    not_slack(chat, arg.span, &mut ctx.d);
                }
                contact.chat = value
            }
            "email" => contact.email = value,
            _ => contact.pager = value,
        }
    }
    block::require(
        seen.has("role"),
        stmt,
        "role",
        "role \"Platform On-call\"",
        &mut ctx.d,
    );
    contact
}

/// `severity high routes critical [description "..."]`
pub fn severity(stmt: &Statement, ctx: &mut Ctx) -> Option<SeverityLevel> {
    block::no_body(stmt, &mut ctx.d);
    let mut c = Cursor::new(stmt);
    let (name, _) = item_name(&mut c, ctx, "severity");
    c.expect_word(&mut ctx.d, "routes").then_some(())?;
    let (target, span) = c.ident(&mut ctx.d, "critical, warning or info")?;
    let routes = match target.as_str() {
        "critical" => AlertSeverity::Critical,
        "warning" => AlertSeverity::Warning,
        "info" => AlertSeverity::Info,
        _ => {
            ctx.d.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    span,
                    format!("`{target}` is not a severity alerting stacks route on"),
                    "expected critical, warning or info",
                )
                .help("alerts are routed on critical, warning or info; map the spec's word onto one of them"),
            );
            return None;
        }
    };
    let description = if c.eat("description").is_some() {
        c.text(&mut ctx.d, "a description").map(|t| t.0)
    } else {
        None
    };
    c.end(&mut ctx.d);
    Some(SeverityLevel {
        name,
        routes,
        description,
        declared: true,
    })
}

const ESCALATION: &[&str] = &["description", "owner", "after", "via", "then"];

pub fn escalation(stmt: &Statement, ctx: &mut Ctx) -> Option<Escalation> {
    let mut c = Cursor::new(stmt);
    let severity = c
        .ident(&mut ctx.d, "the severity it handles")
        .and_then(|(n, s)| ctx.severity(&n, s));
    c.end(&mut ctx.d);
    let (mut description, mut owner, mut after, mut channels, mut then) =
        (None, None, None, Vec::new(), None);
    let mut seen = Seen::default();
    for s in block::body(stmt, &mut ctx.d) {
        let kw = s.keyword.text.as_str();
        if !ESCALATION.contains(&kw) {
            block::unknown(s, "escalation", ESCALATION, &mut ctx.d);
            continue;
        }
        if !seen.once(s, &mut ctx.d) {
            continue;
        }
        block::no_body(s, &mut ctx.d);
        let mut a = Cursor::new(s);
        match kw {
            "description" => description = a.text(&mut ctx.d, "a description").map(|t| t.0),
            "owner" => {
                owner = a
                    .ident(&mut ctx.d, "a contact")
                    .and_then(|(n, sp)| ctx.contact(&n, sp))
            }
            "then" => {
                then = a
                    .ident(&mut ctx.d, "a contact")
                    .and_then(|(n, sp)| ctx.contact(&n, sp))
            }
            "after" => {
                after = a
                    .quantity(&mut ctx.d, "a duration")
                    .and_then(|q| units::duration(&mut ctx.d, q))
            }
            _ => {
                channels = a
                    .text_list(&mut ctx.d, "a channel")
                    .into_iter()
                    .map(|t| t.0)
                    .collect()
            }
        }
        a.end(&mut ctx.d);
    }
    block::require(
        seen.has("owner"),
        stmt,
        "owner",
        "owner oncall_engineer",
        &mut ctx.d,
    );
    block::require(seen.has("after"), stmt, "after", "after 15m", &mut ctx.d);
    Some(Escalation {
        severity: severity?,
        description,
        owner: owner?,
        after: after?,
        channels,
        then,
    })
}

/// Chat platforms Alertmanager cannot reach through a `slack_configs`.
const OTHER_CHATS: &[(&str, &str)] = &[
    ("discord", "Discord"),
    ("msteams", "Microsoft Teams"),
    ("mattermost", "Mattermost"),
    ("telegram", "Telegram"),
    ("webex", "Webex"),
    ("rocketchat", "Rocket.Chat"),
];

/// A `chat` handle is a Slack channel or user: deployc writes it as the
/// channel of a Slack receiver. A handle that names another platform
/// (`qa-discord`) would silently become a Slack channel nobody reads.
fn not_slack(chat: &str, span: crate::source::Span, d: &mut crate::diagnostics::Diagnostics) {
    let lower = chat.to_ascii_lowercase();
    if let Some((_, platform)) = OTHER_CHATS.iter().find(|(word, _)| lower.contains(word)) {
        d.push(
            Diagnostic::new(
                Code::InvalidValue,
                span,
                format!("`{chat}` looks like a {platform} channel, but `chat` is delivered to Slack"),
                "would become a Slack channel",
            )
            .help("deployc sends `chat` to Slack only: give this contact an `email` or a `pager`, or name its Slack channel"),
        );
    }
}
