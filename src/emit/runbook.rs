//! Emitter: the markdown runbook.
//!
//! Rust builds a plain, serde-serializable view of the model in which every
//! formatting decision is already made (durations, decimals, who a contact
//! is, which alert a trigger became); `templates/runbook/` only lays it
//! out. Handlebars escapes every `{{value}}` for markdown (see
//! [`escape_inline`]); verbatim text (commands, template bodies, sections)
//! goes through `{{{triple}}}` stashes and the `code`, `cellcode`, `fence` and
//! `indent` helpers. A last pass ([`tidy`]) strips trailing spaces and
//! collapses runs of blank lines outside fenced code.

use std::borrow::Cow;
use std::ptr;
use std::sync::OnceLock;

use handlebars::{
    handlebars_helper, Context, Handlebars, Helper, HelperDef, HelperResult, JsonRender, Output,
    RenderContext, RenderErrorReason, Renderable,
};
use serde::Serialize;

use super::alerts::{alerts, Alert, AlertOrigin};
use super::{header_markdown, OutputFile};
use crate::model::names::slug;
use crate::model::{
    decimal_text, CheckItem, CompareOp, Condition, Contact, ContactId, CriterionKind, Disruption,
    Duration, EnvValue, Gate, MetricGate, MetricId, NoData, Phase, ProbeKind, RollbackLevelId,
    SeverityId, Spec, Step, Strategy, Traffic, TriggerCondition, WorkloadKind,
};

/// A template of `templates/runbook/`, by file name without `.hbs`.
macro_rules! template {
    ($name:literal) => {
        include_str!(concat!("../../templates/runbook/", $name, ".hbs"))
    };
}

/// The runbook's sections in order, one template each (see
/// `templates/runbook/README.md` for why they are apart).
const SECTIONS: &[&str] = &[
    template!("00-title"),
    template!("01-summary"),
    template!("02-phases"),
    template!("03-triggers"),
    template!("03-triggers-compiled"),
    template!("04-severities"),
    template!("05-thresholds"),
    template!("06-rollback"),
    template!("07-checklists"),
    template!("08-contacts"),
    template!("09-escalations"),
    template!("10-templates"),
    template!("11-criteria"),
    template!("12-signoff"),
    template!("13-sections"),
    template!("14-alerts"),
];
/// The partials: one checklist item, and the bodies of the long `{{#each}}`
/// blocks, in pieces (kept short for the same reason as the sections).
const PARTIALS: &[(&str, &str)] = &[
    ("item", template!("item")),
    ("service", template!("01-summary-service")),
    ("service-runtime", template!("01-summary-service-runtime")),
    ("phase", template!("02-phases-phase")),
    ("step-weight", template!("02-phases-step-weight")),
    ("step-pods", template!("02-phases-step-pods")),
    ("step-hold", template!("02-phases-step-hold")),
    ("step-pause", template!("02-phases-step-pause")),
    ("step-preview", template!("02-phases-step-preview")),
    ("step-promote", template!("02-phases-step-promote")),
    ("step-metric-gate", template!("02-phases-step-metric-gate")),
    ("step-approval", template!("02-phases-step-approval")),
    ("step-smoke", template!("02-phases-step-smoke")),
    ("step-http", template!("02-phases-step-http")),
    ("alert", template!("14-alerts-alert")),
    ("alert-actions", template!("14-alerts-alert-actions")),
];

/// `runbook.md`, header first.
pub fn emit(spec: &Spec) -> Vec<OutputFile> {
    vec![OutputFile::new("runbook.md", render(spec))]
}

fn render(spec: &Spec) -> String {
    let view = View::build(spec);
    let context = Context::wraps(&view).expect("the view serializes");
    let hb = registry();
    let mut markdown = String::new();
    for i in 0..SECTIONS.len() {
        let section = hb
            .render_with_context(&i.to_string(), &context)
            .expect("the runbook templates render every view");
        markdown.push_str(&section);
    }
    tidy(&markdown)
}

/// The templates, compiled once per process: compiling costs more than
/// rendering.
fn registry() -> &'static Handlebars<'static> {
    REGISTRY.get_or_init(compile_registry)
}

static REGISTRY: OnceLock<Handlebars<'static>> = OnceLock::new();

/// Whether this process has compiled the templates or started to: a build
/// that writes no runbook must not pay for them (tests/lazy_runbook.rs).
#[doc(hidden)]
pub fn templates_compiled() -> bool {
    STARTED.is_completed() || REGISTRY.get().is_some()
}

static STARTED: std::sync::Once = std::sync::Once::new();

/// Starts compiling the templates on another thread of the current rayon
/// pool, once per process, so that the compile overlaps checking the first
/// spec instead of following it (it is most of a one-spec build).
pub fn prepare() {
    STARTED.call_once(|| {
        rayon::spawn(|| {
            registry();
        })
    });
}

fn compile_registry() -> Handlebars<'static> {
    handlebars_helper!(code: |s: str| code_span(s, false));
    handlebars_helper!(cellcode: |s: str| code_span(s, true));
    handlebars_helper!(fence: |s: str| fence_for(s));
    handlebars_helper!(indent: |n: u64, s: str| indent_lines(s, n as usize));
    handlebars_helper!(join: |items: array, separator: str| join_items(items, separator, escape_inline));
    handlebars_helper!(joincode: |items: array, separator: str| {
        join_items(items, separator, |s| code_span(s, false))
    });
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(escape_inline);
    hb.register_helper("code", Box::new(code));
    hb.register_helper("cellcode", Box::new(cellcode));
    hb.register_helper("fence", Box::new(fence));
    hb.register_helper("indent", Box::new(indent));
    hb.register_helper("join", Box::new(join));
    hb.register_helper("joincode", Box::new(joincode));
    hb.register_helper("include", Box::new(Include));
    for (name, template) in compile_templates() {
        hb.register_template(&name, template);
    }
    hb
}

/// Every template and partial, compiled on two threads: compiling is most
/// of a one-spec build, and the second core is free while it runs. Plain
/// threads, not rayon: this runs inside the registry's `OnceLock`, and a
/// rayon join here could steal a job that renders a runbook on this same
/// thread, which would then wait on its own initialisation forever.
fn compile_templates() -> Vec<(String, handlebars::Template)> {
    let mut sources: Vec<(String, &'static str)> = PARTIALS
        .iter()
        .map(|(name, text)| (name.to_string(), *text))
        .chain(
            SECTIONS
                .iter()
                .enumerate()
                .map(|(i, t)| (i.to_string(), *t)),
        )
        .collect();
    // Longest first, dealt out in turn: two halves of about equal cost.
    sources.sort_by_key(|(_, text)| std::cmp::Reverse(text.len()));
    let (mine, theirs): (Vec<_>, Vec<_>) = sources
        .into_iter()
        .enumerate()
        .partition(|(i, _)| i % 2 == 0);
    let compile = |part: Vec<(usize, (String, &'static str))>| -> Vec<_> {
        part.into_iter()
            .map(|(_, (name, text))| {
                let template = handlebars::Template::compile_with_name(text, name.clone())
                    .expect("the runbook templates parse");
                (name, template)
            })
            .collect()
    };
    std::thread::scope(|scope| {
        let other = scope.spawn(|| compile(theirs));
        let mut all = compile(mine);
        all.extend(other.join().expect("a template compile never panics"));
        all
    })
}

/// `{{{join list ", "}}}`: the items, each rendered and escaped as
/// `{{this}}` would be, with the separator between them (`joincode`: each
/// as a code span). One helper call for the list, where `{{#each}}` with
/// `{{#unless @first}}` costs a block, three local variables, a helper
/// call and a lookup per item.
fn join_items(
    items: &[serde_json::Value],
    separator: &str,
    format: impl Fn(&str) -> String,
) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        out.push_str(&format(&item.render()));
    }
    out
}

/// `{{include "name"~}}`: renders the template `name` in the current
/// context, as the partial `{{> name}}` would, but without copying that
/// context: handlebars clones the current value for every partial it
/// enters, and then each element again for every `{{#each}}` inside it:
/// a tenth of the instructions of a runbook's render (callgrind). The `~`
/// eats the line break after the tag, which a partial on a line of its own
/// drops too.
struct Include;

impl HelperDef for Include {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let name = h
            .param(0)
            .and_then(|p| p.value().as_str())
            .ok_or(RenderErrorReason::ParamNotFoundForIndex("include", 0))?;
        let template = r
            .get_template(name)
            .ok_or_else(|| RenderErrorReason::PartialNotFound(name.to_string()))?;
        template.render(r, ctx, rc, out)
    }
}

// ------------------------------------------------------------ markdown text

/// Escapes text for inline markdown (paragraphs, headings, list items, table
/// cells): punctuation that could start emphasis, code, links, HTML or a
/// table cell is backslash-escaped, and line breaks become spaces so a value
/// never leaves its line.
pub(crate) fn escape_inline(text: &str) -> String {
    if needs_no_escape(text) {
        return text.to_string();
    }
    escape_every(text)
}

/// `escape_inline` without the shortcut: every rule, in one pass over the
/// characters of the value flattened onto one line.
fn escape_every(text: &str) -> String {
    let flat: Cow<str> = if text.contains(['\n', '\r']) {
        text.split(['\n', '\r'])
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
            .into()
    } else {
        text.trim().into()
    };
    let mut out = String::with_capacity(flat.len() + 8);
    let mut prev: Option<char> = None;
    // Whether every character before this one is an ASCII digit: `1.` or
    // `2)` at the start would begin a numbered list.
    let mut digits_only = true;
    let mut chars = flat.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        // A bare URL becomes an autolink (`<https://...>`): linters reject
        // bare URLs, and escaping inside one would change it.
        if c == 'h' && prev.is_none_or(char::is_whitespace) {
            if let Some(url) = url_at(&flat[i..]) {
                out.push('<');
                out.push_str(url);
                out.push('>');
                while chars.peek().is_some_and(|&(j, _)| j < i + url.len()) {
                    chars.next();
                }
                prev = url.chars().next_back();
                digits_only = false;
                continue;
            }
        }
        let next = chars.peek().map(|&(_, c)| c);
        let escape = match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' => true,
            '&' => {
                let name = flat[i + 1..]
                    .bytes()
                    .take_while(|b| b.is_ascii_alphanumeric() || *b == b'#')
                    .count();
                name > 0 && flat.as_bytes().get(i + 1 + name) == Some(&b';')
            }
            '#' | '-' | '+' | '=' => prev.is_none(),
            '.' | ')' => prev.is_some() && digits_only && next.is_none_or(char::is_whitespace),
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
        prev = Some(c);
        digits_only &= c.is_ascii_digit();
    }
    out
}

/// The URL that `word_start` begins with, without the punctuation that
/// ends a sentence after it; None when it is no http(s) URL or holds `<`
/// or `>`, which an autolink cannot.
fn url_at(word_start: &str) -> Option<&str> {
    let word = &word_start[..word_start
        .find(char::is_whitespace)
        .unwrap_or(word_start.len())];
    if !(word.starts_with("http://") || word.starts_with("https://")) {
        return None;
    }
    let url = word.trim_end_matches(['.', ',', ';', ':', ')']);
    (!url.contains(['<', '>'])).then_some(url)
}

/// Whether `escape_inline` would return `text` as it is: one trimmed line
/// with no markdown punctuation, no URL, and no first character that could
/// start a block (`#`, `-`, a list number). Most values are such, and the
/// check is one pass over the bytes.
fn needs_no_escape(text: &str) -> bool {
    let bytes = text.as_bytes();
    let Some(&first) = bytes.first() else {
        return false;
    };
    !matches!(first, b'#' | b'-' | b'+' | b'=' | b'0'..=b'9')
        && text.trim() == text
        && !bytes.iter().any(|b| {
            matches!(
                b,
                b'\n'
                    | b'\r'
                    | b'\\'
                    | b'`'
                    | b'*'
                    | b'_'
                    | b'['
                    | b']'
                    | b'<'
                    | b'>'
                    | b'|'
                    | b'~'
                    | b'&'
            )
        })
        && !text.contains("://")
}

/// An inline code span holding `text` verbatim: the backtick run is one
/// longer than any inside. In a table cell `|` must still be escaped.
fn code_span(text: &str, in_table: bool) -> String {
    // One pass into one buffer: the helper runs for every command, query
    // and name the runbook shows.
    let mut flat = String::with_capacity(text.len());
    for line in text.split(['\n', '\r']).map(str::trim) {
        if line.is_empty() {
            continue;
        }
        if !flat.is_empty() {
            flat.push(' ');
        }
        if in_table && line.contains('|') {
            flat.push_str(&line.replace('|', "\\|"));
        } else {
            flat.push_str(line);
        }
    }
    let ticks = longest_run(&flat, '`') + 1;
    let pad = flat.starts_with('`') || flat.ends_with('`');
    let mut out = String::with_capacity(flat.len() + 2 * ticks + 2);
    let fence = |out: &mut String| (0..ticks).for_each(|_| out.push('`'));
    fence(&mut out);
    if pad {
        out.push(' ');
    }
    out.push_str(&flat);
    if pad {
        out.push(' ');
    }
    fence(&mut out);
    out
}

/// A backtick fence longer than any backtick run in `text`, at least three.
fn fence_for(text: &str) -> String {
    "`".repeat((longest_run(text, '`') + 1).max(3))
}

fn longest_run(text: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for ch in text.chars() {
        run = if ch == c { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// Indents every non-empty line by `n` spaces (blank lines stay empty, so no
/// trailing spaces), for code fenced inside a list item.
fn indent_lines(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    text.lines()
        .map(|l| {
            if l.trim().is_empty() {
                String::new()
            } else {
                format!("{pad}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Verbatim block text: trailing whitespace and surrounding blank lines off.
fn block(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let start = lines
        .iter()
        .position(|l| !l.is_empty())
        .unwrap_or(lines.len());
    let end = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(start, |e| e + 1);
    lines[start..end].join("\n")
}

/// A title as a heading: no trailing punctuation (markdownlint MD026).
fn heading(title: &str) -> String {
    title
        .trim()
        .trim_end_matches(['.', ',', ';', ':', '!'])
        .trim_end()
        .to_string()
}

/// Strips trailing spaces, collapses runs of blank lines outside fenced code,
/// and ends the document with exactly one line break.
pub(crate) fn tidy(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut fence: Option<(u8, usize)> = None;
    // Whether the last line written was blank; None before the first.
    let mut last_blank: Option<bool> = None;
    for line in markdown.lines().map(str::trim_end) {
        let t = line.trim_start().as_bytes();
        let run = |c: u8| t.iter().take_while(|&&x| x == c).count();
        match fence {
            Some((c, n)) if run(c) >= n && t.iter().all(|&x| x == c) => fence = None,
            Some(_) => {}
            None => {
                for c in [b'`', b'~'] {
                    if run(c) >= 3 {
                        fence = Some((c, run(c)));
                    }
                }
                if line.is_empty() && last_blank.is_none_or(|blank| blank) {
                    continue;
                }
            }
        }
        out.push_str(line);
        out.push('\n');
        last_blank = Some(line.is_empty());
    }
    out.truncate(out.trim_end_matches('\n').len());
    out.push('\n');
    out
}

// -------------------------------------------------------------------- views

#[derive(Serialize)]
struct View {
    header: String,
    title: String,
    release: ReleaseView,
    services: Vec<ServiceView>,
    environments: Vec<EnvironmentView>,
    /// The phase graph as a mermaid flowchart.
    mermaid: String,
    phases: Vec<PhaseView>,
    triggers: Vec<TriggerView>,
    /// Whether a trigger became an alert: the triggers with an `alert`.
    has_trigger_alerts: bool,
    severities: Vec<SeverityView>,
    thresholds: Vec<ThresholdView>,
    rollback_levels: Vec<LevelView>,
    checklists: Vec<ChecklistView>,
    contacts: Vec<ContactView>,
    escalations: Vec<EscalationView>,
    templates: Vec<TemplateView>,
    has_criteria: bool,
    success: Vec<CriterionView>,
    failure: Vec<CriterionView>,
    signoff: Vec<SignoffView>,
    sections: Vec<SectionView>,
    alerts: Vec<AlertView>,
}

#[derive(Serialize)]
struct ReleaseView {
    title: String,
    name: String,
    version: String,
    namespace: String,
    owner: Option<String>,
    date: Option<String>,
    duration: Option<String>,
    facts: Vec<Fact>,
    description: Option<String>,
    source: String,
    runbook_url: Option<String>,
    prometheus_url: String,
}

#[derive(Serialize)]
struct Fact {
    key: String,
    value: String,
}

#[derive(Serialize)]
struct ServiceView {
    name: String,
    heading: String,
    description: Option<String>,
    workload: &'static str,
    argo: bool,
    strategy: &'static str,
    image: String,
    replicas: u32,
    ports: Vec<String>,
    cpu: Option<Pair>,
    memory: Option<Pair>,
    probes: Vec<ProbeView>,
    autoscale: Option<AutoscaleView>,
    disruption: Option<String>,
    storage: Option<StorageView>,
    backup: Option<BackupView>,
    allow: Vec<String>,
    ingress: Option<IngressView>,
    env: Vec<EnvView>,
    configs: Vec<ConfigView>,
    read_only_root: bool,
    run_as_user: u64,
    /// What a person runs for this Rollout at each decision; empty for a
    /// StatefulSet.
    commands: Vec<CommandView>,
}

#[derive(Serialize)]
struct CommandView {
    what: &'static str,
    command: String,
}

/// The `kubectl argo rollouts` commands of a Rollout: the objects deployc
/// generates, not the Deployment a hand-written runbook would name.
fn argo_commands(name: &str, namespace: &str) -> Vec<CommandView> {
    let at = |what, verb: &str| CommandView {
        what,
        command: format!("kubectl argo rollouts {verb} {name} -n {namespace}"),
    };
    vec![
        at("watch the rollout", "get rollout"),
        at("promote past a pause or approval", "promote"),
        at("abort (back to the stable version)", "abort"),
        at("retry after an abort", "retry rollout"),
        at("roll back to the previous revision", "undo"),
    ]
}

#[derive(Serialize)]
struct Pair {
    request: String,
    limit: String,
}

#[derive(Serialize)]
struct ProbeView {
    kind: &'static str,
    path: String,
    port: u16,
    initial_delay: String,
    period: String,
    timeout: String,
    failure_threshold: u32,
}

#[derive(Serialize)]
struct AutoscaleView {
    min: u32,
    max: u32,
    cpu_percent: Option<u32>,
    memory_percent: Option<u32>,
}

#[derive(Serialize)]
struct StorageView {
    size: String,
    mount: String,
    class: Option<String>,
}

#[derive(Serialize)]
struct BackupView {
    schedule: String,
    retain: String,
    image: String,
    command: String,
}

#[derive(Serialize)]
struct IngressView {
    host: String,
    path: String,
    tls_secret: Option<String>,
    rate_limit_rpm: Option<u32>,
}

#[derive(Serialize)]
struct EnvView {
    name: String,
    value: Option<String>,
    secret: Option<String>,
    key: Option<String>,
}

#[derive(Serialize)]
struct ConfigView {
    name: String,
    path: String,
    lang: &'static str,
    content: String,
}

#[derive(Serialize)]
struct EnvironmentView {
    name: String,
    namespace: String,
    overrides: Vec<String>,
}

#[derive(Serialize)]
struct Link {
    text: String,
    anchor: String,
}

#[derive(Serialize)]
struct PhaseView {
    heading: String,
    description: Option<String>,
    owner: Option<String>,
    after: Vec<Link>,
    steps: Vec<StepView>,
}

/// One step of a phase, serialized with the name of the partial that
/// renders it (`partial`): `02-phases.hbs` includes that one partial,
/// instead of testing every step for each kind in turn (a `{{#with}}` or
/// `{{#if}}` apiece, each a helper call and a lookup, five in six of them
/// for nothing: a fifth of a runbook's render).
#[derive(Serialize)]
#[serde(tag = "partial")]
enum StepView {
    #[serde(rename = "item")]
    Check(ItemView),
    #[serde(rename = "step-weight")]
    Weight { weight: String },
    #[serde(rename = "step-pods")]
    Pods { pods: u32, plural: bool },
    #[serde(rename = "step-hold")]
    Hold { hold: String },
    #[serde(rename = "step-pause")]
    Pause,
    #[serde(rename = "step-preview")]
    Preview,
    #[serde(rename = "step-promote")]
    Promote,
    #[serde(rename = "step-metric-gate")]
    MetricGate(MetricGateView),
    #[serde(rename = "step-approval")]
    Approval { approvers: Vec<String> },
    #[serde(rename = "step-smoke")]
    Smoke(SmokeView),
    #[serde(rename = "step-http")]
    Http(HttpView),
}

#[derive(Serialize)]
struct ItemView {
    text: String,
    details: Vec<String>,
    command: Option<String>,
}

#[derive(Serialize)]
struct ConditionView {
    /// As written: `error_rate < 1%`.
    written: String,
    metric: String,
    metric_title: String,
    query: String,
    unit: &'static str,
    op: &'static str,
    threshold: String,
    /// In the query's unit: `0.01`.
    compared: String,
}

#[derive(Serialize)]
struct MetricGateView {
    condition: ConditionView,
    window: String,
    interval: String,
    count: u64,
    failure_limit: u64,
    no_data: &'static str,
    no_data_pass: bool,
    no_data_fail: bool,
    no_data_inconclusive: bool,
}

#[derive(Serialize)]
struct SmokeView {
    command: String,
    image: String,
    timeout: String,
}

#[derive(Serialize)]
struct HttpView {
    url: String,
    expect: u16,
    timeout: String,
}

#[derive(Serialize)]
struct TriggerView {
    title: String,
    name: String,
    description: Option<String>,
    metric: Option<ConditionView>,
    sustain: Option<String>,
    sustain_prometheus: Option<String>,
    observed: Option<String>,
    severity: String,
    routes: &'static str,
    action: &'static str,
    aborts: bool,
    notify: Vec<String>,
    level: Option<Link>,
    alert: Option<Link>,
    alert_name: Option<String>,
    /// `min_over_time` for `>`/`>=`, `max_over_time` for `<`/`<=`.
    window_fns: Vec<&'static str>,
}

#[derive(Serialize)]
struct SeverityView {
    name: String,
    routes: &'static str,
    description: Option<String>,
    declared: bool,
}

#[derive(Serialize)]
struct ThresholdView {
    title: String,
    name: String,
    unit: &'static str,
    normal: String,
    warning: Option<BandView>,
    critical: Option<BandView>,
}

#[derive(Serialize)]
struct BandView {
    text: String,
    compared: String,
    sustain: String,
}

#[derive(Serialize)]
struct LevelView {
    heading: String,
    description: Option<String>,
    severity: Option<String>,
    routes: Option<&'static str>,
    within: String,
    data_impact: String,
    started_by: Vec<Link>,
    steps: Vec<ItemView>,
}

#[derive(Serialize)]
struct ChecklistView {
    heading: String,
    items: Vec<ItemView>,
}

#[derive(Serialize)]
struct ContactView {
    role: String,
    name: String,
    person: Option<String>,
    phone: Option<String>,
    chat: Option<String>,
    email: Option<String>,
    pager: Option<String>,
}

#[derive(Serialize)]
struct EscalationView {
    severity: String,
    routes: &'static str,
    description: Option<String>,
    owner: String,
    after: String,
    after_prometheus: String,
    channels: Vec<String>,
    then: Option<String>,
}

#[derive(Serialize)]
struct TemplateView {
    heading: String,
    when: Option<String>,
    subject: Option<String>,
    fields: Vec<String>,
    body: String,
}

#[derive(Serialize)]
struct CriterionView {
    title: String,
    condition: Option<ConditionView>,
    sustain: Option<String>,
}

#[derive(Serialize)]
struct SignoffView {
    role: String,
    name: String,
}

#[derive(Serialize)]
struct SectionView {
    heading: String,
    body: String,
}

#[derive(Serialize)]
struct AlertView {
    heading: String,
    name: String,
    expr: String,
    sustain: String,
    sustain_human: String,
    severity: &'static str,
    spec_severity: String,
    summary: String,
    metric: String,
    metric_title: String,
    query: String,
    unit: &'static str,
    trigger: Option<TriggerView>,
    band: Option<AlertBandView>,
}

#[derive(Serialize)]
struct AlertBandView {
    level: &'static str,
    text: String,
    op: &'static str,
    compared: String,
    gates: Vec<GateRef>,
    triggers: Vec<Link>,
    group: String,
}

#[derive(Serialize)]
struct GateRef {
    phase: Link,
    condition: String,
    window: String,
}

// ------------------------------------------------------------ view building

/// `Deployment Lead (Ana)`, or just the role.
fn who(c: &Contact) -> String {
    match &c.person {
        Some(p) => format!("{} ({p})", c.role),
        None => c.role.clone(),
    }
}

fn phase_heading(p: &Phase) -> String {
    let title = heading(&p.title);
    match &p.anchor {
        Some(a) => format!("{title} ({})", a.text),
        None => title,
    }
}

fn level_heading(spec: &Spec, id: RollbackLevelId) -> String {
    format!(
        "Level {}: {}",
        id.0 + 1,
        heading(&spec.rollback_level(id).title)
    )
}

/// A link to a heading of the runbook. Renderers disagree on the anchors of
/// headings with entities or non-ASCII text (`&` is `--` on GitHub, `-amp-`
/// elsewhere), so such headings are named without a link (empty anchor).
fn link(text: String) -> Link {
    let unambiguous = text
        .chars()
        .all(|c| c.is_ascii() && !matches!(c, '&' | '<' | '>' | '"' | '\''));
    let anchor = if unambiguous {
        slug(&text)
    } else {
        String::new()
    };
    Link { text, anchor }
}

fn item(c: &CheckItem) -> ItemView {
    ItemView {
        text: c.text.clone(),
        details: c.details.clone(),
        command: c.command.as_deref().map(block),
    }
}

fn condition(spec: &Spec, c: &Condition) -> ConditionView {
    let m = spec.metric(c.metric);
    ConditionView {
        written: format!("{} {} {}", m.name, c.op.as_str(), c.threshold.text),
        metric: m.name.clone(),
        metric_title: m.title.clone(),
        query: m.query.clone(),
        unit: m.unit.as_str(),
        op: c.op.as_str(),
        threshold: c.threshold.text.clone(),
        compared: c.threshold.value_text(),
    }
}

fn severity_name(spec: &Spec, id: SeverityId) -> (String, &'static str) {
    let s = spec.severity(id);
    (s.name.clone(), s.routes.as_str())
}

fn contacts(spec: &Spec, ids: &[ContactId]) -> Vec<String> {
    ids.iter().map(|&id| who(spec.contact(id))).collect()
}

fn alert_of<'a>(all: &'a [Alert<'a>], trigger: &crate::model::Trigger) -> Option<&'a Alert<'a>> {
    all.iter()
        .find(|a| matches!(a.origin, AlertOrigin::Trigger(t) if ptr::eq(t, trigger)))
}

/// The `*_over_time` functions whose value over the window is beyond the
/// threshold exactly when every sample in it was.
fn window_fns(op: CompareOp) -> Vec<&'static str> {
    match op {
        CompareOp::Gt | CompareOp::Ge => vec!["min_over_time"],
        CompareOp::Lt | CompareOp::Le => vec!["max_over_time"],
        CompareOp::Eq | CompareOp::Ne => vec!["min_over_time", "max_over_time"],
    }
}

fn trigger_view(spec: &Spec, all: &[Alert<'_>], t: &crate::model::Trigger) -> TriggerView {
    let (severity, routes) = severity_name(spec, t.severity);
    let alert = alert_of(all, t);
    let (metric, sustain, observed, op) = match &t.condition {
        TriggerCondition::Metric {
            condition: c,
            sustain,
        } => (Some(condition(spec, c)), Some(*sustain), None, Some(c.op)),
        TriggerCondition::Observed(text) => (None, None, Some(text.clone()), None),
    };
    TriggerView {
        title: t.title.clone(),
        name: t.name.clone(),
        description: t.description.clone(),
        metric,
        sustain: sustain.map(Duration::human),
        sustain_prometheus: sustain.map(Duration::prometheus),
        observed,
        severity,
        routes,
        action: t.action.as_str(),
        aborts: t.action.aborts(),
        notify: contacts(spec, &t.notify),
        level: t.rollback_level.map(|l| link(level_heading(spec, l))),
        alert: alert.map(|a| link(a.runbook_heading())),
        alert_name: alert.map(|a| a.name.clone()),
        window_fns: op.map(window_fns).unwrap_or_default(),
    }
}

fn service_view(s: &crate::model::Service, namespace: &str) -> ServiceView {
    let argo = s.workload() == WorkloadKind::Rollout;
    ServiceView {
        commands: if argo {
            argo_commands(&crate::model::names::service_object(&s.name), namespace)
        } else {
            Vec::new()
        },
        name: s.name.clone(),
        heading: format!("Service: {}", s.name),
        description: s.description.clone(),
        workload: match s.workload() {
            WorkloadKind::Rollout => "Argo Rollout",
            WorkloadKind::StatefulSet => "StatefulSet",
        },
        argo: s.workload() == WorkloadKind::Rollout,
        strategy: match s.strategy {
            Strategy::Canary => "canary",
            Strategy::BlueGreen => "blue-green",
        },
        image: s.image.reference.clone(),
        replicas: s.replicas,
        ports: s
            .ports
            .iter()
            .map(|p| format!("{} {}", p.name, p.number))
            .collect(),
        cpu: s.cpu.map(|r| Pair {
            request: r.request.k8s(),
            limit: r.limit.k8s(),
        }),
        memory: s.memory.map(|r| Pair {
            request: r.request.k8s(),
            limit: r.limit.k8s(),
        }),
        probes: s
            .probes
            .iter()
            .map(|p| ProbeView {
                kind: match p.kind {
                    ProbeKind::Liveness => "Liveness",
                    ProbeKind::Readiness => "Readiness",
                    ProbeKind::Startup => "Startup",
                },
                path: p.path.clone(),
                port: p.port,
                initial_delay: p.initial_delay.human(),
                period: p.period.human(),
                timeout: p.timeout.human(),
                failure_threshold: p.failure_threshold,
            })
            .collect(),
        autoscale: s.autoscale.as_ref().map(|a| AutoscaleView {
            min: a.min,
            max: a.max,
            cpu_percent: a.cpu_percent,
            memory_percent: a.memory_percent,
        }),
        disruption: s.disruption.map(|d| match d {
            Disruption::MinAvailable(n) => format!("at least {n} available"),
            Disruption::MaxUnavailable(n) => format!("at most {n} unavailable"),
        }),
        storage: s.storage.as_ref().map(|st| StorageView {
            size: st.size.k8s(),
            mount: st.mount.clone(),
            class: st.class.clone(),
        }),
        backup: s.backup.as_ref().map(|b| BackupView {
            schedule: b.schedule.clone(),
            retain: b.retain.human(),
            image: b.image.clone(),
            command: block(&b.command),
        }),
        allow: s.allow.clone(),
        ingress: s.ingress.as_ref().map(|i| IngressView {
            host: i.host.clone(),
            path: i.path.clone(),
            tls_secret: i.tls_secret.clone(),
            rate_limit_rpm: i.rate_limit_rpm,
        }),
        env: s
            .env
            .iter()
            .map(|e| match &e.value {
                EnvValue::Literal(v) => EnvView {
                    name: e.name.clone(),
                    value: Some(v.clone()),
                    secret: None,
                    key: None,
                },
                EnvValue::Secret { secret, key } => EnvView {
                    name: e.name.clone(),
                    value: None,
                    secret: Some(secret.clone()),
                    key: Some(key.clone()),
                },
            })
            .collect(),
        configs: s
            .configs
            .iter()
            .map(|c| ConfigView {
                name: c.name.clone(),
                path: format!("{}/{}", c.mount.trim_end_matches('/'), c.name),
                lang: config_lang(&c.name),
                content: block(&c.content),
            })
            .collect(),
        read_only_root: s.read_only_root,
        run_as_user: s.run_as_user,
    }
}

fn config_lang(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or("") {
        "yml" | "yaml" => "yaml",
        "json" => "json",
        "toml" => "toml",
        "ini" | "conf" | "cfg" => "ini",
        "sh" => "bash",
        _ => "text",
    }
}

fn environment_view(spec: &Spec, e: &crate::model::Environment) -> EnvironmentView {
    let overrides = e
        .overrides
        .iter()
        .map(|o| {
            let mut parts = Vec::new();
            if let Some(r) = o.replicas {
                parts.push(format!("replicas {r}"));
            }
            if let Some(i) = &o.image {
                parts.push(format!("image {}", i.reference));
            }
            if let Some(c) = o.cpu {
                parts.push(format!(
                    "CPU request {}, limit {}",
                    c.request.k8s(),
                    c.limit.k8s()
                ));
            }
            if let Some(m) = o.memory {
                parts.push(format!(
                    "memory request {}, limit {}",
                    m.request.k8s(),
                    m.limit.k8s()
                ));
            }
            if let Some(a) = &o.autoscale {
                parts.push(format!("autoscale {} to {} replicas", a.min, a.max));
            }
            for v in &o.env {
                match &v.value {
                    EnvValue::Literal(x) => parts.push(format!("{}={x}", v.name)),
                    EnvValue::Secret { secret, key } => {
                        parts.push(format!("{} from secret {secret} key {key}", v.name))
                    }
                }
            }
            if let Some(h) = &o.ingress_host {
                parts.push(format!("ingress host {h}"));
            }
            format!("{}: {}", spec.service(o.service).name, parts.join(", "))
        })
        .collect();
    EnvironmentView {
        name: e.name.clone(),
        namespace: spec.namespace_in(Some(e)).to_string(),
        overrides,
    }
}

fn step_view(spec: &Spec, step: &Step) -> StepView {
    match step {
        Step::Check(c) => StepView::Check(item(c)),
        Step::Traffic(Traffic::Weight(w)) => StepView::Weight {
            weight: decimal_text(*w),
        },
        Step::Traffic(Traffic::Pods(n)) => StepView::Pods {
            pods: *n,
            plural: *n != 1,
        },
        Step::Traffic(Traffic::Hold(d)) => StepView::Hold { hold: d.human() },
        Step::Traffic(Traffic::Pause) => StepView::Pause,
        Step::Traffic(Traffic::Preview) => StepView::Preview,
        Step::Traffic(Traffic::Promote) => StepView::Promote,
        Step::Gate(Gate::Metric(g)) => StepView::MetricGate(metric_gate_view(spec, g)),
        Step::Gate(Gate::Approval { approvers }) => StepView::Approval {
            approvers: contacts(spec, approvers),
        },
        Step::Gate(Gate::Smoke {
            command,
            image,
            timeout,
            ..
        }) => StepView::Smoke(SmokeView {
            command: block(command),
            image: image.clone(),
            timeout: timeout.human(),
        }),
        Step::Gate(Gate::Http {
            url,
            expect,
            timeout,
        }) => StepView::Http(HttpView {
            url: url.clone(),
            expect: *expect,
            timeout: timeout.human(),
        }),
    }
}

fn metric_gate_view(spec: &Spec, g: &MetricGate) -> MetricGateView {
    MetricGateView {
        condition: condition(spec, &g.condition),
        window: g.window.human(),
        interval: g.interval.go(),
        count: g.count(),
        failure_limit: g.failure_limit(),
        no_data: g.no_data.as_str(),
        no_data_pass: g.no_data == NoData::Pass,
        no_data_fail: g.no_data == NoData::Fail,
        no_data_inconclusive: g.no_data == NoData::Inconclusive,
    }
}

fn alert_view(spec: &Spec, all: &[Alert<'_>], a: &Alert<'_>) -> AlertView {
    let metric_id = MetricId(
        spec.metrics
            .iter()
            .position(|m| ptr::eq(m, a.metric))
            .unwrap_or(0),
    );
    let (trigger, band) = match &a.origin {
        AlertOrigin::Trigger(t) => (Some(trigger_view(spec, all, t)), None),
        AlertOrigin::Band { level, band } => {
            let gates = spec
                .metric_gates()
                .filter(|(_, g)| g.condition.metric == metric_id)
                .map(|(p, g)| GateRef {
                    phase: link(phase_heading(p)),
                    condition: condition(spec, &g.condition).written,
                    window: g.window.human(),
                })
                .collect();
            let triggers = spec
                .triggers
                .iter()
                .filter(|t| matches!(&t.condition, TriggerCondition::Metric { condition, .. } if condition.metric == metric_id))
                .filter_map(|t| alert_of(all, t).map(|al| Link { text: t.title.clone(), anchor: al.runbook_anchor() }))
                .collect();
            let band = AlertBandView {
                level,
                text: band.text.clone(),
                op: band.op.as_str(),
                compared: band.threshold.value_text(),
                gates,
                triggers,
                group: a.metric.group.clone(),
            };
            (None, Some(band))
        }
    };
    AlertView {
        heading: a.runbook_heading(),
        name: a.name.clone(),
        expr: a.expr(),
        sustain: a.sustain.prometheus(),
        sustain_human: a.sustain.human(),
        severity: a.severity.as_str(),
        spec_severity: a.spec_severity.to_string(),
        summary: a.summary(),
        metric: a.metric.name.clone(),
        metric_title: a.metric.title.clone(),
        query: a.metric.query.clone(),
        unit: a.metric.unit.as_str(),
        trigger,
        band,
    }
}

impl View {
    fn build(spec: &Spec) -> View {
        let r = &spec.release;
        let all = alerts(spec);
        let release = ReleaseView {
            title: r.title.clone(),
            name: r.name.clone(),
            version: r.version.clone(),
            namespace: r.namespace.clone(),
            owner: r.owner.map(|o| who(spec.contact(o))),
            date: r.date.clone(),
            duration: r.duration.map(|(lo, hi)| {
                if lo == hi {
                    lo.human()
                } else {
                    format!("{} to {}", lo.human(), hi.human())
                }
            }),
            facts: r
                .facts
                .iter()
                .map(|(k, v)| Fact {
                    key: k.clone(),
                    value: v.clone(),
                })
                .collect(),
            description: r.description.clone(),
            source: spec.source.clone(),
            runbook_url: r.runbook_url.clone(),
            prometheus_url: r.prometheus_url.clone(),
        };
        let mermaid = super::graph::mermaid(spec, phase_heading);
        let phases = spec
            .phases
            .iter()
            .map(|p| PhaseView {
                heading: phase_heading(p),
                description: p.description.clone(),
                owner: p.owner.map(|o| who(spec.contact(o))),
                after: p
                    .after
                    .iter()
                    .map(|&a| link(phase_heading(spec.phase(a))))
                    .collect(),
                steps: p.steps.iter().map(|s| step_view(spec, s)).collect(),
            })
            .collect();
        let triggers: Vec<TriggerView> = spec
            .triggers
            .iter()
            .map(|t| trigger_view(spec, &all, t))
            .collect();
        let has_trigger_alerts = triggers.iter().any(|t| t.alert.is_some());
        let band = |b: &crate::model::Band| BandView {
            text: b.text.clone(),
            compared: format!("{} {}", b.op.as_str(), b.threshold.value_text()),
            sustain: b.sustain.human(),
        };
        let thresholds = spec
            .metrics
            .iter()
            .filter_map(|m| {
                let b = m.bands.as_ref()?;
                Some(ThresholdView {
                    title: m.title.clone(),
                    name: m.name.clone(),
                    unit: m.unit.as_str(),
                    normal: b.normal_text.clone(),
                    warning: b.warning.as_ref().map(band),
                    critical: b.critical.as_ref().map(band),
                })
            })
            .collect();
        let rollback_levels = (0..spec.rollback_levels.len())
            .map(|i| {
                let id = RollbackLevelId(i);
                let l = spec.rollback_level(id);
                let sev = l.severity.map(|s| severity_name(spec, s));
                LevelView {
                    heading: level_heading(spec, id),
                    description: l.description.clone(),
                    severity: sev.as_ref().map(|s| s.0.clone()),
                    routes: sev.map(|s| s.1),
                    within: l.within.human(),
                    data_impact: l.data_impact.clone(),
                    started_by: spec
                        .triggers
                        .iter()
                        .filter(|t| t.rollback_level == Some(id))
                        .map(|t| Link {
                            text: t.title.clone(),
                            anchor: alert_of(&all, t)
                                .map_or_else(|| "triggers".into(), |a| a.runbook_anchor()),
                        })
                        .collect(),
                    steps: l.steps.iter().map(item).collect(),
                }
            })
            .collect();
        let criteria = |kind: CriterionKind| {
            spec.criteria
                .iter()
                .filter(|c| c.kind == kind)
                .map(|c| CriterionView {
                    title: c.title.clone(),
                    condition: c.condition.as_ref().map(|(cond, _)| condition(spec, cond)),
                    sustain: c
                        .condition
                        .as_ref()
                        .and_then(|(_, d)| d.map(Duration::human)),
                })
                .collect::<Vec<_>>()
        };
        View {
            header: header_markdown(spec).trim_end().to_string(),
            title: format!("Runbook: {}", heading(&r.title)),
            release,
            services: spec
                .services
                .iter()
                .map(|s| service_view(s, &spec.release.namespace))
                .collect(),
            environments: spec
                .environments
                .iter()
                .map(|e| environment_view(spec, e))
                .collect(),
            mermaid,
            phases,
            triggers,
            has_trigger_alerts,
            severities: spec
                .severities
                .iter()
                .map(|s| SeverityView {
                    name: s.name.clone(),
                    routes: s.routes.as_str(),
                    description: s.description.clone(),
                    declared: s.declared,
                })
                .collect(),
            thresholds,
            rollback_levels,
            checklists: spec
                .checklists
                .iter()
                .map(|c| ChecklistView {
                    heading: format!("Checklist: {}", heading(&c.title)),
                    items: c.items.iter().map(item).collect(),
                })
                .collect(),
            contacts: spec
                .contacts
                .iter()
                .map(|c| ContactView {
                    role: c.role.clone(),
                    name: c.name.clone(),
                    person: c.person.clone(),
                    phone: c.phone.clone(),
                    chat: c.chat.clone(),
                    email: c.email.clone(),
                    pager: c.pager.clone(),
                })
                .collect(),
            escalations: spec
                .escalations
                .iter()
                .map(|e| {
                    let (severity, routes) = severity_name(spec, e.severity);
                    EscalationView {
                        severity,
                        routes,
                        description: e.description.clone(),
                        owner: who(spec.contact(e.owner)),
                        after: e.after.human(),
                        after_prometheus: e.after.prometheus(),
                        channels: e.channels.clone(),
                        then: e.then.map(|t| who(spec.contact(t))),
                    }
                })
                .collect(),
            templates: spec
                .templates
                .iter()
                .map(|t| TemplateView {
                    heading: format!("Template: {}", heading(&t.title)),
                    when: t.when.clone(),
                    subject: t.subject.clone(),
                    fields: t.fields.clone(),
                    body: block(&t.body),
                })
                .collect(),
            has_criteria: !spec.criteria.is_empty(),
            success: criteria(CriterionKind::Success),
            failure: criteria(CriterionKind::Failure),
            signoff: spec
                .signoff
                .iter()
                .map(|&id| {
                    let c = spec.contact(id);
                    SignoffView {
                        role: c.role.clone(),
                        name: c.person.clone().unwrap_or_default(),
                    }
                })
                .collect(),
            sections: spec
                .sections
                .iter()
                .map(|s| SectionView {
                    heading: heading(&s.title),
                    body: block(&s.body),
                })
                .collect(),
            alerts: all.iter().map(|a| alert_view(spec, &all, a)).collect(),
        }
    }
}

#[cfg(test)]
mod tests;
