//! Compiling the runbook templates is most of a one-spec build, so a build
//! that writes no runbook (`--emit` without it) must not compile them. One
//! test in its own binary: every other test process has compiled them.

use std::path::{Path, PathBuf};

use deployc::build;
use deployc::emit::runbook::templates_compiled;
use deployc::emit::{Target, Targets};

#[test]
fn only_a_build_that_writes_a_runbook_compiles_its_templates() {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("lazy-runbook");
    let _ = std::fs::remove_dir_all(&out);
    let specs = vec![PathBuf::from("specs/vector-db.deploy")];
    let force = true;

    let without: Targets = Target::ALL
        .into_iter()
        .filter(|t| *t != Target::Runbook)
        .collect();
    let plan = build::plan(&specs, &out, without, Some(2), force).unwrap();
    assert_eq!(plan.outcomes.len(), 1);
    let (_, changes) = build::emit_and_apply(plan, &out, without, Some(2), true, force).unwrap();
    assert!(!changes.is_empty(), "the build wrote nothing");
    assert!(
        !templates_compiled(),
        "no runbook, yet the templates compiled"
    );

    build::plan(&specs, &out, Targets::ALL, Some(2), force).unwrap();
    assert!(
        templates_compiled(),
        "a runbook was written without templates"
    );
}
