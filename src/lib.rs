//! deployc compiles deployment plans.
//!
//! One pipeline, one direction:
//!
//! ```text
//! source text ──syntax::parse──▶ SyntaxTree ──check::check──▶ model::Spec ──emit::*──▶ files
//!   (pest grammar,                (names, units, DAG,          (typed, validated;     (Kubernetes, Argo Rollouts,
//!    spans, comments)              PromQL, bands, ...)          no syntax left)         Prometheus, Alertmanager,
//!                                                                                       Grafana, runbook)
//! ```
//!
//! Errors are data ([`diagnostics::Diagnostic`]), collected per file and
//! rendered late by the CLI. Nothing in `syntax`, `check`, `model` or `emit`
//! touches the file system; `build` writes generated files and `fmt` rewrites
//! specs in place.

pub mod build;
pub mod check;
pub mod cli;
pub mod diagnostics;
pub mod diff;
pub mod emit;
pub mod fmt;
pub mod lsp;
pub mod model;
pub mod source;
pub mod syntax;

use diagnostics::{Diagnostic, Diagnostics};
use source::SourceFile;

/// The outcome of checking one spec: the model when there is no error, and
/// every diagnostic (warnings too) in source order.
#[derive(Debug)]
pub struct Checked {
    pub spec: Option<model::Spec>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses and checks one spec.
pub fn check_source(source: &SourceFile) -> Checked {
    let tree = match syntax::parse(&source.text) {
        Ok(tree) => tree,
        Err(errors) => {
            return Checked {
                spec: None,
                diagnostics: Diagnostics(errors).sorted(),
            }
        }
    };
    let (spec, diagnostics) = check::check(&tree, source);
    let diagnostics = diagnostics.sorted();
    let spec = if diagnostics.iter().any(Diagnostic::is_error) {
        None
    } else {
        spec
    };
    Checked { spec, diagnostics }
}

/// Parses and checks raw bytes (which may not be UTF-8).
pub fn check_bytes(name: &str, bytes: &[u8]) -> (SourceFile, Checked) {
    match syntax::decode(bytes) {
        Ok(text) => {
            let source = SourceFile::new(name, text);
            let checked = check_source(&source);
            (source, checked)
        }
        Err(d) => {
            let source = SourceFile::new(name, String::from_utf8_lossy(bytes).into_owned());
            (
                source,
                Checked {
                    spec: None,
                    diagnostics: vec![d],
                },
            )
        }
    }
}
