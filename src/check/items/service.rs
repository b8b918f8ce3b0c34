//! service and environment.

use rust_decimal::prelude::ToPrimitive;

use super::item_name;
use super::release::is_dns_label;
use crate::check::block::{self, Seen};
use crate::check::cursor::Cursor;
use crate::check::{units, Ctx};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::names;
use crate::model::*;
use crate::source::Span;
use crate::syntax::Statement;

const SERVICE: &[&str] = &[
    "description",
    "image",
    "replicas",
    "port",
    "cpu",
    "memory",
    "strategy",
    "user",
    "writable_root",
    "probe",
    "env",
    "config",
    "autoscale",
    "disruption",
    "storage",
    "backup",
    "allow",
    "ingress",
];
/// Statements a service may repeat.
const REPEATABLE: &[&str] = &["port", "probe", "env", "config", "allow"];

/// The user id of distroless `nonroot` images.
const DEFAULT_USER: u64 = 65532;

pub fn service(stmt: &Statement, ctx: &mut Ctx) -> Service {
    let mut c = Cursor::new(stmt);
    let (name, _) = item_name(&mut c, ctx, "service");
    c.end(&mut ctx.d);
    // Its object names are checked with every generated name (`check::generated`).
    let mut svc = Service {
        name,
        description: None,
        image: Image {
            reference: String::new(),
            name: String::new(),
            tag: None,
            digest: None,
        },
        replicas: 1,
        ports: Vec::new(),
        cpu: None,
        memory: None,
        probes: Vec::new(),
        env: Vec::new(),
        configs: Vec::new(),
        autoscale: None,
        disruption: None,
        storage: None,
        backup: None,
        allow: Vec::new(),
        ingress: None,
        strategy: Strategy::Canary,
        read_only_root: true,
        run_as_user: DEFAULT_USER,
    };
    let mut probe_ports: Vec<(usize, ProbePort)> = Vec::new();
    let mut config_spans = Vec::new();
    let mut storage_span = None;
    let mut seen = Seen::default();
    for s in block::body(stmt, &mut ctx.d) {
        let kw = s.keyword.text.as_str();
        if !SERVICE.contains(&kw) {
            block::unknown(s, "service", SERVICE, &mut ctx.d);
            continue;
        }
        if !REPEATABLE.contains(&kw) && !seen.once(s, &mut ctx.d) {
            continue;
        }
        let d = &mut ctx.d;
        let mut a = Cursor::new(s);
        if !matches!(
            kw,
            "probe" | "config" | "autoscale" | "storage" | "backup" | "ingress"
        ) {
            block::no_body(s, d);
        }
        match kw {
            "description" => svc.description = a.text(d, "a description").map(|t| t.0),
            "image" => {
                if let Some(i) = a
                    .text(d, "an image reference")
                    .and_then(|(t, sp)| image(d, &t, sp))
                {
                    svc.image = i;
                }
            }
            "replicas" => {
                svc.replicas = a
                    .quantity(d, "a number of replicas")
                    .and_then(|q| units::count(d, q, 10_000))
                    .unwrap_or(1) as u32
            }
            "port" => {
                if let Some(p) = port(&mut a, d) {
                    if svc.ports.iter().any(|x| x.name == p.name) {
                        d.push(Diagnostic::new(
                            Code::DuplicateName,
                            s.args[0].span,
                            format!("port `{}` is defined twice", p.name),
                            "defined again here",
                        ));
                    }
                    svc.ports.push(p);
                }
            }
            "cpu" => svc.cpu = resources(&mut a, d, "CPU", units::cpu),
            "memory" => svc.memory = resources(&mut a, d, "memory", units::size),
            "strategy" => {
                if let Some((st, sp)) = a.ident(d, "`canary` or `blue_green`") {
                    match st.as_str() {
                        "canary" => svc.strategy = Strategy::Canary,
                        "blue_green" => svc.strategy = Strategy::BlueGreen,
                        _ => d.push(
                            Diagnostic::new(
                                Code::InvalidValue,
                                sp,
                                format!("unknown strategy `{st}`"),
                                "expected canary or blue_green",
                            )
                            .help("a service's strategy is `canary` or `blue_green`"),
                        ),
                    }
                }
            }
            "user" => {
                if let Some(q) = a.quantity(d, "a user id") {
                    match units::count(d, q, u32::MAX as u64) {
                        Some(0) => d.push(
                            Diagnostic::new(
                                Code::InvalidValue,
                                q.span,
                                "user 0 is root",
                                "pods never run as root",
                            )
                            .help(
                                "choose a non-zero user id; deployc sets runAsNonRoot on every pod",
                            ),
                        ),
                        Some(u) => svc.run_as_user = u,
                        None => {}
                    }
                }
            }
            "writable_root" => svc.read_only_root = false,
            "probe" => {
                if let Some((p, port)) = probe(s, &mut a, d) {
                    probe_ports.push((svc.probes.len(), port));
                    svc.probes.push(p);
                }
            }
            "env" => {
                if let Some(v) = env_var(&mut a, d) {
                    svc.env.push(v);
                }
            }
            "config" => {
                if let Some(cfg) = config(s, &mut a, d) {
                    config_spans.push(s.args.first().map_or(s.keyword.span, |a| a.span));
                    svc.configs.push(cfg);
                }
            }
            "autoscale" => svc.autoscale = autoscale(s, d),
            "disruption" => svc.disruption = disruption(&mut a, d),
            "storage" => {
                svc.storage = storage(s, d);
                storage_span = Some(s.keyword.span);
            }
            "backup" => svc.backup = backup(s, d),
            "allow" => svc.allow.extend(
                a.text_list(d, "a CIDR")
                    .into_iter()
                    .filter_map(|(t, sp)| cidr(d, t, sp)),
            ),
            _ => svc.ingress = ingress(s, d),
        }
        a.end(&mut ctx.d);
    }
    block::require(
        seen.has("image"),
        stmt,
        "image",
        "image \"registry/name:1.0.0\"",
        &mut ctx.d,
    );
    let body = stmt.block.as_ref().map_or(&[][..], |b| &b.statements[..]);
    autoscale_needs_requests(body, svc.cpu.is_some(), svc.memory.is_some(), &mut ctx.d);
    if let Some(stmt) = find(body, "disruption") {
        let least = least_replicas(svc.replicas, svc.autoscale.as_ref());
        budget(svc.disruption, least, written(stmt), &mut ctx.d);
    }
    for (i, port) in probe_ports {
        svc.probes[i].port = match port {
            ProbePort::Number(n) => n,
            ProbePort::Named(name, span) => {
                match svc.ports.iter().find(|p| p.name == name) {
                    Some(p) => p.number,
                    None => {
                        ctx.d.push(Diagnostic::new(Code::InvalidValue, span, format!("service `{}` has no port `{name}`", svc.name), "unknown port")
                        .help("declare it with `port NAME NUMBER`, or give the probe a port number"));
                        0
                    }
                }
            }
            ProbePort::Main(span) => {
                match svc.main_port() {
                    Some(p) => p.number,
                    None => {
                        ctx.d.push(Diagnostic::new(Code::MissingStatement, span, "the probe has no port and the service none", "no port to probe")
                        .help("declare a port with `port http 8080`, or give the probe `port 8080`"));
                        0
                    }
                }
            }
        };
    }
    // Argo switches a blue-green rollout by pointing its active Service at
    // the new pods: without a port there is no Service to switch.
    if svc.strategy == Strategy::BlueGreen && svc.ports.is_empty() {
        ctx.d.push(
            Diagnostic::new(
                Code::MissingStatement,
                stmt.keyword.span,
                format!("blue-green service `{}` has no port", svc.name),
                "no Service for Argo to switch",
            )
            .help("declare a port with `port http 8080`, or use `strategy canary` for a worker that serves nothing"),
        );
    }
    ctx.spans.configs.push(config_spans);
    ctx.spans.storage.push(storage_span);
    svc
}

/// Parses `name[:tag][@sha256:digest]`.
pub fn image(d: &mut Diagnostics, text: &str, span: Span) -> Option<Image> {
    let bad = |d: &mut Diagnostics, why: &str| {
        d.push(Diagnostic::new(
            Code::InvalidImage,
            span,
            format!("`{text}` is not a valid image reference: {why}"),
            "malformed image",
        ));
        None
    };
    if text.is_empty() || text.chars().any(|c| c.is_whitespace()) {
        return bad(d, "it is empty or contains spaces");
    }
    let (rest, digest) = match text.split_once('@') {
        Some((r, dg)) => {
            let hex = dg.strip_prefix("sha256:").unwrap_or("");
            if hex.len() != 64
                || !hex
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            {
                return bad(d, "a digest is `sha256:` and 64 lowercase hex digits");
            }
            (r, Some(dg.to_string()))
        }
        None => (text, None),
    };
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => (
            &rest[..last_slash + i],
            Some(rest[last_slash + i + 1..].to_string()),
        ),
        None => (rest, None),
    };
    let path = name.split_once('/').map_or(name, |(host, p)| {
        if host.contains(['.', ':']) || host == "localhost" {
            p
        } else {
            name
        }
    });
    if path.is_empty() || path.bytes().any(|b| b.is_ascii_uppercase()) || name.ends_with('/') {
        return bad(d, "repository names are lowercase");
    }
    if tag
        .as_deref()
        .is_some_and(|t| t.is_empty() || t.len() > 128)
    {
        return bad(d, "a tag is 1 to 128 characters");
    }
    // The reference grammar of the OCI distribution spec: anything else
    // (`{{`, quotes, `$`) is not an image, and in a smoke gate's image Argo
    // Rollouts would read `{{...}}` as a template argument.
    let tag_ok = tag.as_deref().is_none_or(|t| {
        t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
            && !t.starts_with(['.', '-'])
    });
    let name_ok = name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'/' | b':'));
    if !tag_ok || !name_ok {
        return bad(
            d,
            "names are letters, digits, `.`, `_`, `-` and `/`; tags letters, digits, `.`, `_` and `-`",
        );
    }
    if digest.is_none() {
        let why = match tag.as_deref() {
            None => Some("has no tag, so it means `latest`"),
            Some("latest") => Some("is tagged `latest`"),
            _ => None,
        };
        if let Some(why) = why {
            d.push(Diagnostic::new(
                Code::ImageNotPinned,
                span,
                format!("image `{text}` {why}: every rollout could pull something else"),
                "not pinned",
            ));
        }
    }
    Some(Image {
        reference: text.to_string(),
        name: name.to_string(),
        tag,
        digest,
    })
}

fn port(a: &mut Cursor, d: &mut Diagnostics) -> Option<Port> {
    let (name, span) = a.ident(d, "the port's name")?;
    let number = a
        .quantity(d, "the port number")
        .and_then(|q| units::count(d, q, 65535))?;
    let valid = name.len() <= 15
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && name.bytes().any(|b| b.is_ascii_lowercase());
    if !valid {
        d.push(Diagnostic::new(Code::InvalidValue, span, format!("`{name}` is not a valid port name"), "invalid port name")
            .help("Kubernetes port names are at most 15 lowercase letters, digits and `-`, with at least one letter"));
    }
    if number == 0 {
        d.push(
            Diagnostic::new(
                Code::InvalidValue,
                a.statement().args[1].span,
                "port 0 is not a port",
                "out of range",
            )
            .help("use a port from 1 to 65535"),
        );
    }
    Some(Port {
        name,
        number: number as u16,
    })
}

pub(crate) fn resources<T: Copy + PartialOrd + Default>(
    a: &mut Cursor,
    d: &mut Diagnostics,
    what: &str,
    parse: fn(&mut Diagnostics, &crate::syntax::Quantity) -> Option<T>,
) -> Option<Resources<T>> {
    let (lo, hi) = a.range_or_quantity(d, &format!("{what} as `request..limit` or one value"))?;
    let (request, limit) = (parse(d, lo)?, parse(d, hi)?);
    if request > limit {
        d.push(
            Diagnostic::new(
                Code::InvalidValue,
                lo.span.to(hi.span),
                format!(
                    "{what} request `{}` is above its limit `{}`",
                    lo.text, hi.text
                ),
                "request above limit",
            )
            .help("write `request..limit` with the request not above the limit"),
        );
    }
    // Kubernetes takes a zero request as "nothing reserved" (the pod is
    // scheduled anywhere and evicted first) and a zero limit of memory as a
    // container that cannot start: never what was meant.
    for (value, q) in [(request, lo), (limit, hi)] {
        if value == T::default() {
            d.push(
                Diagnostic::new(
                    Code::ZeroResource,
                    q.span,
                    format!("{what} `{}` is zero", q.text),
                    "zero",
                )
                .help(format!(
                    "give a real amount (e.g. `{}`), or leave the statement out",
                    if what == "CPU" {
                        "cpu 100m"
                    } else {
                        "memory 128Mi"
                    }
                )),
            );
            break;
        }
    }
    Some(Resources { request, limit })
}

/// `cpu` and `memory` of a Job's container, over the defaults.
pub(crate) fn job_resources(r: &mut JobResources, kw: &str, a: &mut Cursor, d: &mut Diagnostics) {
    if kw == "cpu" {
        if let Some(cpu) = resources(a, d, "CPU", units::cpu) {
            r.cpu_request = cpu.request;
            r.cpu_limit = Some(cpu.limit);
        }
    } else if let Some(memory) = resources(a, d, "memory", units::size) {
        r.memory = memory;
    }
}

enum ProbePort {
    Number(u16),
    Named(String, Span),
    Main(Span),
}

const PROBE: &[&str] = &["path", "port", "delay", "period", "timeout", "failures"];

fn probe(stmt: &Statement, a: &mut Cursor, d: &mut Diagnostics) -> Option<(Probe, ProbePort)> {
    let (kind, span) = a.ident(d, "liveness, readiness or startup")?;
    let kind = match kind.as_str() {
        "liveness" => ProbeKind::Liveness,
        "readiness" => ProbeKind::Readiness,
        "startup" => ProbeKind::Startup,
        _ => {
            d.push(Diagnostic::new(
                Code::InvalidValue,
                span,
                format!("`{kind}` is not a kind of probe"),
                "expected liveness, readiness or startup",
            ));
            return None;
        }
    };
    let mut p = Probe {
        kind,
        path: String::new(),
        port: 0,
        initial_delay: Duration::ZERO,
        period: Duration::from_secs(10),
        timeout: Duration::from_secs(1),
        failure_threshold: 3,
    };
    let mut port = ProbePort::Main(stmt.keyword.span);
    let seen = block::fields(stmt, PROBE, d, |kw, b, d| match kw {
        "path" => {
            p.path = b.text(d, "an HTTP path").map(|t| t.0).unwrap_or_default();
            if !p.path.starts_with('/') {
                d.push(Diagnostic::new(
                    Code::InvalidValue,
                    b.statement()
                        .args
                        .first()
                        .map_or(b.statement().keyword.span, |x| x.span),
                    "a probe path starts with `/`",
                    "not an absolute path",
                ));
            }
        }
        "port" => match b.peek().map(|x| &x.value) {
            Some(crate::syntax::Value::Ident(_)) => {
                if let Some((n, sp)) = b.ident(d, "a port") {
                    port = ProbePort::Named(n, sp);
                }
            }
            _ => {
                if let Some(n) = b
                    .quantity(d, "a port number or name")
                    .and_then(|q| units::count(d, q, 65535))
                {
                    port = ProbePort::Number(n as u16);
                }
            }
        },
        "delay" => {
            p.initial_delay = b
                .quantity(d, "a duration")
                .and_then(|q| units::duration(d, q))
                .unwrap_or_default()
        }
        "period" => {
            p.period = b
                .quantity(d, "a duration")
                .and_then(|q| whole_seconds(d, q))
                .unwrap_or(p.period)
        }
        "timeout" => {
            p.timeout = b
                .quantity(d, "a duration")
                .and_then(|q| whole_seconds(d, q))
                .unwrap_or(p.timeout)
        }
        _ => {
            p.failure_threshold = b
                .quantity(d, "a number of failures")
                .and_then(|q| units::count(d, q, 1000))
                .unwrap_or(3) as u32
        }
    });
    block::require(seen.has("path"), stmt, "path", "path \"/health\"", d);
    Some((p, port))
}

/// Kubernetes probe timings are whole seconds, at least one.
fn whole_seconds(d: &mut Diagnostics, q: &crate::syntax::Quantity) -> Option<Duration> {
    let dur = units::duration(d, q)?;
    if dur.millis == 0 || dur.millis % 1000 != 0 {
        d.push(
            Diagnostic::new(
                Code::InvalidValue,
                q.span,
                format!("`{}` is not a whole number of seconds", q.text),
                "whole seconds only",
            )
            .help("Kubernetes probe periods and timeouts are whole seconds, at least 1s"),
        );
        return None;
    }
    Some(dur)
}

/// `env NAME "value"` or `env NAME secret SECRET KEY`. Literal values that
/// look secret are reported by `check::secrets`, which sees every string.
fn env_var(a: &mut Cursor, d: &mut Diagnostics) -> Option<EnvVar> {
    let (name, _) = a.ident(d, "the variable's name")?;
    if a.eat("secret").is_some() {
        let secret = a.text_or_ident(d, "the Secret's name")?.0;
        let key = a.text_or_ident(d, "the key in the Secret")?.0;
        return Some(EnvVar {
            name,
            value: EnvValue::Secret { secret, key },
        });
    }
    let (value, _) = a.text(d, "a value, or `secret NAME KEY`")?;
    Some(EnvVar {
        name,
        value: EnvValue::Literal(value),
    })
}

fn config(stmt: &Statement, a: &mut Cursor, d: &mut Diagnostics) -> Option<ConfigFile> {
    let (name, span) = a.text(d, "the config file's name")?;
    // The name is the ConfigMap's key and the file's name in the container:
    // Kubernetes' ConfigMap key rule also makes it one path component.
    let valid_name = names::is_config_map_key(&name);
    if !valid_name {
        d.push(
            Diagnostic::new(
                Code::InvalidValue,
                span,
                format!("{} cannot name a config file", shown(&name)),
                "not a ConfigMap key",
            )
            .help("a config file's name is its ConfigMap key and its file name: at most 253 letters, digits, `-`, `_` or `.`, not `.` or starting with `..`; the directory is `mount`"),
        );
    }
    let (mut mount, mut content) = (None, None);
    let seen = block::fields(stmt, &["mount", "content"], d, |kw, b, d| {
        if kw == "mount" {
            mount = mount_path(b, d);
        } else {
            content = b.text(d, "the file's content").map(|t| t.0);
        }
    });
    block::require(seen.has("mount"), stmt, "mount", "mount \"/etc/app\"", d);
    block::require(
        seen.has("content"),
        stmt,
        "content",
        "content \"\"\"...\"\"\"",
        d,
    );
    // An invalid name was reported: no names are generated from it.
    valid_name.then_some(())?;
    Some(ConfigFile {
        name,
        mount: mount?,
        content: content?,
    })
}

/// A mount directory: absolute, without `..` components (which would
/// mount over a directory outside the one written) and without `:`, which
/// Kubernetes rejects in a mount path.
fn mount_path(b: &mut Cursor, d: &mut Diagnostics) -> Option<String> {
    let (path, span) = b.text(d, "a directory")?;
    if names::is_mount_path(&path) {
        return Some(path);
    }
    d.push(
        Diagnostic::new(
            Code::InvalidValue,
            span,
            format!("{} is not a mount path", shown(&path)),
            "expected an absolute directory",
        )
        .help("a mount path is absolute (`/etc/app`), without `..` components or `:`"),
    );
    None
}

/// A value quoted for a message: whole when short, else its start, its
/// end (where suffixes such as `-canary` are) and its length.
pub(crate) fn shown(value: &str) -> String {
    let n = value.chars().count();
    if n <= 60 {
        return format!("`{value}`");
    }
    let head: String = value.chars().take(30).collect();
    let tail: String = value.chars().skip(n - 20).collect();
    format!("`{head}…{tail}` ({n} characters)")
}

fn autoscale(stmt: &Statement, d: &mut Diagnostics) -> Option<Autoscale> {
    const AUTOSCALE: &[&str] = &["replicas", "cpu", "memory"];
    let (mut range, mut cpu, mut memory) = (None, None, None);
    let seen = block::fields(stmt, AUTOSCALE, d, |kw, b, d| match kw {
        "replicas" => {
            range = b
                .range_or_quantity(d, "replicas as `min..max`")
                .and_then(|(lo, hi)| {
                    let (min, max) = (units::count(d, lo, 10_000)?, units::count(d, hi, 10_000)?);
                    if min == 0 || min > max {
                        d.push(Diagnostic::new(
                            Code::InvalidValue,
                            lo.span.to(hi.span),
                            "autoscaling needs 1 <= min <= max",
                            "invalid bounds",
                        ));
                        return None;
                    }
                    Some((min as u32, max as u32))
                })
        }
        "cpu" => cpu = target_percent(b, d),
        _ => memory = target_percent(b, d),
    });
    block::require(seen.has("replicas"), stmt, "replicas", "replicas 3..6", d);
    if seen.has("replicas") && !seen.has("cpu") && !seen.has("memory") {
        d.push(
            Diagnostic::new(
                Code::MissingStatement,
                stmt.keyword.span,
                "`autoscale` has no target",
                "no cpu or memory target",
            )
            .help("add `cpu 70%` or `memory 80%`: what the autoscaler keeps the average at"),
        );
    }
    let (min, max) = range?;
    Some(Autoscale {
        min,
        max,
        cpu_percent: cpu,
        memory_percent: memory,
    })
}

/// A statement's keyword and arguments, without its block or comment.
fn written(s: &Statement) -> Span {
    s.keyword
        .span
        .to(s.args.last().map_or(s.keyword.span, |a| a.span))
}

/// The last statement `kw` of `body`.
fn find<'a>(body: &'a [Statement], kw: &str) -> Option<&'a Statement> {
    body.iter().rev().find(|s| s.keyword.text == kw)
}

/// E0205: an `autoscale` on CPU or memory utilisation of pods that request
/// none. The HPA divides usage by the pods' requests, and without a request
/// it has nothing to divide by: it reports "missing request for cpu"
/// (kubernetes pkg/controller/podautoscaler/replica_calculator.go,
/// `calculatePodRequests`) and never scales.
fn autoscale_needs_requests(
    body: &[Statement],
    has_cpu: bool,
    has_memory: bool,
    d: &mut Diagnostics,
) {
    let Some(autoscale) = find(body, "autoscale") else {
        return;
    };
    let inner = autoscale
        .block
        .as_ref()
        .map_or(&[][..], |b| &b.statements[..]);
    for (kw, has, example) in [
        ("cpu", has_cpu, "cpu 500m..1"),
        ("memory", has_memory, "memory 512Mi..1Gi"),
    ] {
        if let (Some(target), false) = (find(inner, kw), has) {
            d.push(
                Diagnostic::new(
                    Code::MissingStatement,
                    written(target),
                    format!("autoscaling on {kw} utilisation, but the pods request no {kw}"),
                    "utilisation of nothing",
                )
                .help(format!(
                    "give the service `{example}`: utilisation is usage divided by the request, and without one the autoscaler never scales"
                )),
            );
        }
    }
}

/// W0209: a disruption budget that leaves no pod to evict. The eviction API
/// refuses every eviction while the budget allows no disruption (kubernetes
/// pkg/controller/disruption: allowed = healthy − desired healthy), so a
/// node with one of these pods can never be drained. `least` is the number
/// of replicas a drain may find: the autoscaler's minimum, or `replicas`.
fn budget(disruption: Option<Disruption>, least: u32, at: Span, d: &mut Diagnostics) {
    let why = match disruption {
        Some(Disruption::MinAvailable(n)) if least == 0 && n > 0 => format!(
            "`min_available {n}` with 0 replicas: the budget is never met, and a pod started later could never be evicted"
        ),
        Some(Disruption::MinAvailable(n)) if n >= least => format!(
            "`min_available {n}` with {least} replica{}: no pod may ever be evicted, so a node running one can never be drained",
            if least == 1 { "" } else { "s" }
        ),
        Some(Disruption::MaxUnavailable(0)) => {
            "`max_unavailable 0`: no pod may ever be evicted, so a node running one can never be drained".to_string()
        }
        _ => return,
    };
    d.push(Diagnostic::new(
        Code::BudgetBlocksEvictions,
        at,
        why,
        "blocks every eviction",
    ));
}

/// The replicas a drain may find: the autoscaler's minimum, or `replicas`.
fn least_replicas(replicas: u32, autoscale: Option<&Autoscale>) -> u32 {
    autoscale.map_or(replicas, |a| a.min)
}

fn target_percent(b: &mut Cursor, d: &mut Diagnostics) -> Option<u32> {
    let q = b.quantity(d, "a target percentage")?;
    let p = units::percent(d, q)?;
    match p
        .to_u32()
        .filter(|n| p.fract().is_zero() && (1..=1000).contains(n))
    {
        Some(n) => Some(n),
        None => {
            d.push(Diagnostic::new(
                Code::InvalidValue,
                q.span,
                format!("`{}` is not a whole percentage from 1% to 1000%", q.text),
                "invalid target",
            ));
            None
        }
    }
}

fn disruption(a: &mut Cursor, d: &mut Diagnostics) -> Option<Disruption> {
    let (kind, span) = a.ident(d, "`min_available` or `max_unavailable`")?;
    let n = a
        .quantity(d, "a number of pods")
        .and_then(|q| units::count(d, q, 10_000))? as u32;
    match kind.as_str() {
        "min_available" => Some(Disruption::MinAvailable(n)),
        "max_unavailable" => Some(Disruption::MaxUnavailable(n)),
        _ => {
            d.push(Diagnostic::new(
                Code::InvalidValue,
                span,
                format!("`{kind}` is not a disruption budget"),
                "expected min_available or max_unavailable",
            ));
            None
        }
    }
}

fn storage(stmt: &Statement, d: &mut Diagnostics) -> Option<Storage> {
    const STORAGE: &[&str] = &["size", "mount", "class"];
    let (mut size, mut mount, mut class) = (None, None, None);
    let seen = block::fields(stmt, STORAGE, d, |kw, b, d| match kw {
        "size" => size = b.quantity(d, "a size").and_then(|q| units::size(d, q)),
        "mount" => mount = mount_path(b, d),
        _ => class = b.text_or_ident(d, "a storage class").map(|t| t.0),
    });
    block::require(seen.has("size"), stmt, "size", "size 100Gi", d);
    block::require(seen.has("mount"), stmt, "mount", "mount \"/data\"", d);
    Some(Storage {
        size: size?,
        mount: mount?,
        class,
    })
}

fn backup(stmt: &Statement, d: &mut Diagnostics) -> Option<Backup> {
    const BACKUP: &[&str] = &["schedule", "retain", "image", "command", "cpu", "memory"];
    let (mut schedule, mut retain, mut image_ref, mut command) = (None, None, None, None);
    let mut resources = JobResources::DEFAULT;
    let seen = block::fields(stmt, BACKUP, d, |kw, b, d| match kw {
        "schedule" => {
            if let Some((cron, span)) = b.text(d, "a cron schedule") {
                if cron.split_whitespace().count() != 5 {
                    d.push(Diagnostic::new(Code::InvalidValue, span, format!("`{cron}` is not a cron schedule"), "expected five fields")
                        .help("write minute hour day-of-month month day-of-week, e.g. \"0 2 * * *\" for 02:00 daily"));
                }
                schedule = Some(cron);
            }
        }
        "retain" => {
            retain = b
                .quantity(d, "a retention duration")
                .and_then(|q| units::duration(d, q))
        }
        "image" => {
            image_ref = b
                .text(d, "an image")
                .and_then(|(t, sp)| image(d, &t, sp))
                .map(|i| i.reference)
        }
        "cpu" | "memory" => job_resources(&mut resources, kw, b, d),
        _ => command = b.text(d, "a command").map(|t| t.0),
    });
    for (k, ex) in [
        ("schedule", "schedule \"0 2 * * *\""),
        ("retain", "retain 30d"),
        ("image", "image \"registry/backup:1.0\""),
        ("command", "command \"backup.sh\""),
    ] {
        block::require(seen.has(k), stmt, k, ex, d);
    }
    Some(Backup {
        schedule: schedule?,
        retain: retain?,
        image: image_ref?,
        command: command?,
        resources,
    })
}

fn cidr(d: &mut Diagnostics, text: String, span: Span) -> Option<String> {
    let ok = text.split_once('/').is_some_and(|(ip, bits)| {
        let v4 =
            ip.parse::<std::net::Ipv4Addr>().is_ok() && bits.parse::<u8>().is_ok_and(|b| b <= 32);
        let v6 =
            ip.parse::<std::net::Ipv6Addr>().is_ok() && bits.parse::<u8>().is_ok_and(|b| b <= 128);
        v4 || v6
    });
    if ok {
        Some(text)
    } else {
        d.push(
            Diagnostic::new(
                Code::InvalidValue,
                span,
                format!("`{text}` is not a CIDR block"),
                "expected a CIDR",
            )
            .help("write an address and prefix length, e.g. \"192.168.10.0/24\""),
        );
        None
    }
}

fn ingress(stmt: &Statement, d: &mut Diagnostics) -> Option<Ingress> {
    const INGRESS: &[&str] = &["host", "tls", "path", "rate_limit"];
    let mut ing = Ingress {
        host: String::new(),
        path: "/".into(),
        tls_secret: None,
        rate_limit_rpm: None,
    };
    let seen = block::fields(stmt, INGRESS, d, |kw, b, d| match kw {
        "host" => ing.host = b.text(d, "a host name").map(|t| t.0).unwrap_or_default(),
        "tls" => ing.tls_secret = b.text_or_ident(d, "the TLS Secret's name").map(|t| t.0),
        "path" => ing.path = b.text(d, "a path").map(|t| t.0).unwrap_or_default(),
        _ => {
            ing.rate_limit_rpm = b
                .quantity(d, "requests per minute")
                .and_then(|q| units::count(d, q, 1_000_000))
                .map(|n| n as u32)
        }
    });
    block::require(
        seen.has("host"),
        stmt,
        "host",
        "host \"api.example.com\"",
        d,
    );
    Some(ing)
}

const ENVIRONMENT: &[&str] = &["namespace", "service"];
const OVERRIDE: &[&str] = &[
    "replicas",
    "image",
    "cpu",
    "memory",
    "env",
    "autoscale",
    "host",
];

pub fn environment(stmt: &Statement, services: &[Service], ctx: &mut Ctx) -> Environment {
    let mut c = Cursor::new(stmt);
    let (name, _) = item_name(&mut c, ctx, "environment");
    c.end(&mut ctx.d);
    let mut env = Environment {
        name,
        namespace: None,
        overrides: Vec::new(),
    };
    let mut seen_ns = Seen::default();
    for s in block::body(stmt, &mut ctx.d) {
        match s.keyword.text.as_str() {
            "namespace" => {
                if seen_ns.once(s, &mut ctx.d) {
                    env.namespace = super::single_text(s, ctx, "a namespace");
                    if let Some(ns) = env.namespace.as_deref().filter(|ns| !is_dns_label(ns)) {
                        let span = s.args.first().map_or(s.keyword.span, |a| a.span);
                        ctx.d.push(
                            Diagnostic::new(
                                Code::InvalidValue,
                                span,
                                format!("{} is not a valid Kubernetes namespace", shown(ns)),
                                "invalid namespace",
                            )
                            .help("a namespace is at most 63 lowercase letters, digits and `-`, starting and ending with a letter or digit"),
                        );
                    }
                }
            }
            "service" => {
                let mut a = Cursor::new(s);
                let target = a
                    .ident(&mut ctx.d, "the service to override")
                    .and_then(|(n, sp)| ctx.service(&n, sp));
                a.end(&mut ctx.d);
                let body = block::body(s, &mut ctx.d);
                let Some(service) = target else { continue };
                let o = service_override(service, body, ctx);
                if let Some(base) = services.get(service.0) {
                    override_checks(base, &o, body, ctx);
                }
                env.overrides.push(o);
            }
            _ => block::unknown(s, "environment", ENVIRONMENT, &mut ctx.d),
        }
    }
    env
}

/// The checks of [`service`] that an override can change: requests for the
/// autoscaler, replicas for the budget.
fn override_checks(base: &Service, o: &ServiceOverride, body: &[Statement], ctx: &mut Ctx) {
    if o.autoscale.is_some() {
        autoscale_needs_requests(
            body,
            o.cpu.is_some() || base.cpu.is_some(),
            o.memory.is_some() || base.memory.is_some(),
            &mut ctx.d,
        );
    }
    // The base's budget against the override's replicas, reported at the
    // override when it changes the outcome.
    let at = find(body, "replicas").or_else(|| find(body, "autoscale"));
    if let Some(at) = at {
        let least = least_replicas(
            o.replicas.unwrap_or(base.replicas),
            o.autoscale.as_ref().or(base.autoscale.as_ref()),
        );
        let base_least = least_replicas(base.replicas, base.autoscale.as_ref());
        let mut here = Diagnostics::default();
        budget(base.disruption, least, written(at), &mut here);
        let mut before = Diagnostics::default();
        budget(base.disruption, base_least, written(at), &mut before);
        if before.0.is_empty() {
            ctx.d.extend(here.0);
        }
    }
}

fn service_override(service: ServiceId, body: &[Statement], ctx: &mut Ctx) -> ServiceOverride {
    let mut o = ServiceOverride {
        service,
        replicas: None,
        image: None,
        cpu: None,
        memory: None,
        autoscale: None,
        env: Vec::new(),
        ingress_host: None,
    };
    let mut seen = Seen::default();
    let d = &mut ctx.d;
    for s in body {
        let kw = s.keyword.text.as_str();
        if !OVERRIDE.contains(&kw) {
            block::unknown(s, "service override", OVERRIDE, d);
            continue;
        }
        if kw != "env" && !seen.once(s, d) {
            continue;
        }
        if kw != "autoscale" {
            block::no_body(s, d);
        }
        let mut a = Cursor::new(s);
        match kw {
            "replicas" => {
                o.replicas = a
                    .quantity(d, "a number of replicas")
                    .and_then(|q| units::count(d, q, 10_000))
                    .map(|n| n as u32)
            }
            "image" => {
                o.image = a
                    .text(d, "an image reference")
                    .and_then(|(t, sp)| image(d, &t, sp))
            }
            "cpu" => o.cpu = resources(&mut a, d, "CPU", units::cpu),
            "memory" => o.memory = resources(&mut a, d, "memory", units::size),
            "env" => o.env.extend(env_var(&mut a, d)),
            "autoscale" => o.autoscale = autoscale(s, d),
            _ => o.ingress_host = a.text(d, "a host name").map(|t| t.0),
        }
        a.end(d);
    }
    o
}
