//! E0903: strings that Argo Rollouts reads as templates.
//!
//! Before it runs an AnalysisTemplate's metric, Argo marshals the whole
//! metric (query, Job spec with its command and image, web URL, Prometheus
//! address) to JSON and substitutes every `{{...}}` tag in it
//! (argo-rollouts `utils/analysis` `ResolveMetricArgs` →
//! `utils/template` `ResolveQuotedArgs`/`ResolveArgs`, a fasttemplate with
//! `{{`/`}}`). Only `args.NAME` of declared arguments resolve; any other tag
//! fails the AnalysisRun with "failed to resolve {{...}}", and a `{{`
//! without `}}` fails to parse. deployc's AnalysisTemplates declare no
//! arguments and fasttemplate has no escape, so such a string is refused
//! where it is written, with the way to write the braces differently.

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::Span;

/// Reports E0903 when `value` (the text of the argument at `span`) holds
/// `{{`. `what` names the field, `how` says how to write it instead.
pub fn argo_field(
    d: &mut Diagnostics,
    source: &str,
    value: &str,
    span: Span,
    what: &str,
    how: &str,
) {
    if !value.contains("{{") {
        return;
    }
    // Point at the first `{{` when it is written as such in the source.
    let at = source
        .get(span.start..span.end)
        .and_then(|s| s.find("{{"))
        .map_or(span, |i| {
            let start = span.start + i;
            let end = source[start..span.end]
                .find("}}")
                .map_or(start + 2, |j| start + j + 2);
            Span::new(start, end)
        });
    d.push(
        Diagnostic::new(
            Code::ArgoPlaceholder,
            at,
            format!("Argo Rollouts would read this `{{{{` in the {what} as a template argument"),
            "read as `{{args...}}`",
        )
        .help(format!(
            "the AnalysisRun would fail with \"failed to resolve\"; {how}"
        )),
    );
}

pub const SHELL: &str = "in a shell command write `{\\{` (the shell reads `\\{` as `{`)";
pub const PROMQL: &str = "in a PromQL string write `{` as `\\\\x7b` (`\"\\\\x7b\\\\x7b\"` is `{{`)";
pub const URL: &str = "percent-encode the braces in a URL: `%7B%7B`";
