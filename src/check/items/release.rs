//! release: exactly one per spec.

use super::{item_name, title_from_name};
use crate::check::block::{self, Seen};
use crate::check::cursor::Cursor;
use crate::check::{templated, units, Ctx};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::*;
use crate::source::Span;
use crate::syntax::SyntaxTree;

const RELEASE: &[&str] = &[
    "title",
    "version",
    "namespace",
    "owner",
    "date",
    "duration",
    "fact",
    "description",
    "runbook_url",
    "prometheus",
];

/// kube-prometheus-stack's Prometheus, fully qualified: the Argo Rollouts
/// controller runs the queries from its own namespace.
const DEFAULT_PROMETHEUS: &str = "http://prometheus-operated.monitoring.svc.cluster.local:9090";

pub fn release(tree: &SyntaxTree, ctx: &mut Ctx) -> Option<Release> {
    let mut all = tree
        .statements
        .iter()
        .filter(|s| s.keyword.text == "release");
    let Some(stmt) = all.next() else {
        ctx.d.push(
            Diagnostic::new(
                Code::MissingStatement,
                Span::new(0, 0),
                "the spec has no `release`",
                "spec starts here",
            )
            .help("add `release NAME { title \"...\" version \"...\" namespace \"...\" }`"),
        );
        return None;
    };
    for extra in all {
        ctx.d.push(
            Diagnostic::new(
                Code::RepeatedStatement,
                extra.keyword.span,
                "a spec has one `release`",
                "second release",
            )
            .related(stmt.keyword.span, "first release here")
            .help("one spec describes one release; put the other in its own file"),
        );
    }
    let mut c = Cursor::new(stmt);
    let (name, _) = item_name(&mut c, ctx, "release");
    c.end(&mut ctx.d);
    let mut r = Release {
        title: title_from_name(&name),
        name,
        version: String::new(),
        namespace: String::new(),
        owner: None,
        date: None,
        duration: None,
        facts: Vec::new(),
        description: None,
        runbook_url: None,
        prometheus_url: DEFAULT_PROMETHEUS.to_string(),
    };
    let mut seen = Seen::default();
    for s in block::body(stmt, &mut ctx.d) {
        let kw = s.keyword.text.as_str();
        if !RELEASE.contains(&kw) {
            block::unknown(s, "release", RELEASE, &mut ctx.d);
            continue;
        }
        if kw != "fact" && !seen.once(s, &mut ctx.d) {
            continue;
        }
        block::no_body(s, &mut ctx.d);
        let mut a = Cursor::new(s);
        let d = &mut ctx.d;
        match kw {
            "title" => r.title = a.text(d, "a title").map(|t| t.0).unwrap_or_default(),
            "version" => {
                r.version = a
                    .text_or_ident(d, "a version string")
                    .map(|t| t.0)
                    .unwrap_or_default()
            }
            "namespace" => {
                if let Some((ns, span)) = a.text_or_ident(d, "a namespace") {
                    if !is_dns_label(&ns) {
                        d.push(Diagnostic::new(
                            Code::InvalidValue,
                            span,
                            format!("`{ns}` is not a valid Kubernetes namespace"),
                            "not a DNS label",
                        ).help("a namespace is at most 63 lowercase letters, digits and `-`, starting and ending with a letter or digit"));
                    }
                    r.namespace = ns;
                }
            }
            "owner" => {
                r.owner = a
                    .ident(d, "a contact")
                    .and_then(|(n, sp)| ctx.contact(&n, sp))
            }
            "date" => r.date = a.text(d, "a date string").map(|t| t.0),
            "duration" => {
                r.duration = a
                    .range_or_quantity(d, "a duration or range of durations")
                    .and_then(|(lo, hi)| Some((units::duration(d, lo)?, units::duration(d, hi)?)))
            }
            "fact" => {
                let key = a.text(d, "the fact's name");
                let value = a.text(d, "the fact's value");
                if let (Some(k), Some(v)) = (key, value) {
                    r.facts.push((k.0, v.0));
                }
            }
            "description" => r.description = a.text(d, "a description").map(|t| t.0),
            "runbook_url" => r.runbook_url = a.text(d, "the runbook's URL").map(|t| t.0),
            _ => {
                if let Some((url, span)) = a.text(d, "the Prometheus URL") {
                    check_prometheus_url(&url, span, d);
                    // The address of every Prometheus metric in the AnalysisTemplates.
                    templated::argo_field(
                        d,
                        ctx.text,
                        &url,
                        span,
                        "Prometheus URL",
                        templated::URL,
                    );
                    r.prometheus_url = url;
                }
            }
        }
        a.end(&mut ctx.d);
    }
    block::require(
        seen.has("version"),
        stmt,
        "version",
        "version \"1.0.0\"",
        &mut ctx.d,
    );
    block::require(
        seen.has("namespace"),
        stmt,
        "namespace",
        "namespace \"my-team\"",
        &mut ctx.d,
    );
    Some(r)
}

/// RFC 1123 label: what Kubernetes accepts as a namespace or object name.
pub fn is_dns_label(s: &str) -> bool {
    crate::model::names::is_dns1123_label(s)
}

/// The host of an `http(s)://host[:port]/...` URL, if it has that shape.
fn url_host(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit('@').next()?;
    if host_port.starts_with('[') {
        return host_port.split(']').next().map(|h| &h[1..]);
    }
    host_port.split(':').next()
}

/// The Prometheus that analyses query is reached by the Argo Rollouts
/// controller, from the controller's namespace (the Prometheus provider
/// runs in the controller process, not in the release's namespace): a
/// single-label host such as `prometheus` resolves there or nowhere, and
/// `localhost` is the controller itself. Refuse both.
fn check_prometheus_url(url: &str, span: Span, d: &mut Diagnostics) {
    let Some(host) = url_host(url) else {
        d.push(
            Diagnostic::new(
                Code::InvalidValue,
                span,
                format!("`{url}` is not an http:// or https:// URL"),
                "expected http://HOST:PORT",
            )
            .help(
                "write the Prometheus URL as `http://prometheus.monitoring.svc.cluster.local:9090`",
            ),
        );
        return;
    };
    let ip = host.parse::<std::net::IpAddr>().is_ok();
    if host == "localhost" || (!ip && !host.contains('.')) {
        d.push(
            Diagnostic::new(
                Code::InvalidValue,
                span,
                format!("`{host}` is not a name the Argo Rollouts controller can resolve"),
                "a short name resolves in the controller's namespace, not the release's",
            )
            .help(format!(
                "qualify it with the namespace Prometheus runs in: `{host}.NAMESPACE.svc.cluster.local` (kube-prometheus-stack: `http://prometheus-operated.monitoring.svc.cluster.local:9090`)"
            )),
        );
    }
}
