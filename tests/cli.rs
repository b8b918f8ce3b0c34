//! Small commands end to end: `init` gives a spec that checks clean and
//! builds; `graph` draws the checked phase graph.

use std::path::Path;
use std::process::Command;

fn deployc(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_deployc"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn init_gives_a_spec_that_checks_clean_and_builds() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("init");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    assert_eq!(deployc(&dir, &["init", "shop"]).0, 0);
    let (code, _, stderr) = deployc(&dir, &["check"]);
    assert_eq!(
        (code, stderr.as_str()),
        (0, ""),
        "the starter spec has diagnostics"
    );
    assert_eq!(deployc(&dir, &["build"]).0, 0);
    assert!(dir
        .join("generated/shop/rollouts/rollout-shop.yaml")
        .exists());
    assert!(dir
        .join("generated/shop/prometheus/rules.test.yml")
        .exists());
    // Never overwrites; refuses names Kubernetes cannot use.
    assert_eq!(deployc(&dir, &["init", "shop"]).0, 2);
    assert_eq!(deployc(&dir, &["init", "Shop_2"]).0, 2);
}

#[test]
fn graph_draws_the_phase_dag() {
    let (code, out, _) = deployc(Path::new("."), &["graph", "specs/vectorizer-1.8.0.deploy"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("graph TD\n"));
    assert!(
        out.contains("[\"Phase 1: Canary Deployment (T+0)\"]"),
        "{out}"
    );
    let (code, out, _) = deployc(
        Path::new("."),
        &["graph", "--format", "dot", "specs/vectorizer-1.8.0.deploy"],
    );
    assert_eq!(code, 0);
    assert!(out.contains("\"pre_checks\" -> \"canary\";"), "{out}");
    // A spec with errors draws nothing and says why.
    let (code, out, err) = deployc(Path::new("."), &["graph", "tests/ui/E0501-cycle.deploy"]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(err.contains("E0501"));
}

#[test]
fn completions_and_man_page_come_from_clap() {
    let (code, out, _) = deployc(Path::new("."), &["completions", "bash"]);
    assert_eq!(code, 0);
    for sub in ["check", "build", "explain", "graph", "init"] {
        assert!(out.contains(sub), "bash completions lack `{sub}`");
    }
    let (code, out, _) = deployc(Path::new("."), &["man"]);
    assert_eq!(code, 0);
    assert!(out.contains(".TH deployc 1") && out.contains("compiler for deployment plans"));
}

#[test]
fn pre_commit_hooks_name_real_commands() {
    let hooks = std::fs::read_to_string(".pre-commit-hooks.yaml").unwrap();
    for entry in [
        "deployc check",
        "deployc fmt --check",
        "deployc build --check",
    ] {
        assert!(
            hooks.contains(&format!("entry: {entry}")),
            "no hook runs `{entry}`"
        );
    }
}
