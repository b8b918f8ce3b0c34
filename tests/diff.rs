//! `deployc diff`: each pair of specs edits one thing of
//! `fixtures/diff/base.deploy` and asserts exactly what is reported.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use deployc::diff::{diff, render_markdown, render_text, Change, ChangeKind, Scope};
use deployc::model::Spec;
use deployc::source::SourceFile;

const BASE: &str = include_str!("fixtures/diff/base.deploy");
const REFORMATTED: &str = include_str!("fixtures/diff/reformatted.deploy");

fn spec(name: &str, text: &str) -> Spec {
    let checked = deployc::check_source(&SourceFile::new(name, text));
    checked
        .spec
        .unwrap_or_else(|| panic!("{name} does not check:\n{:#?}\n{text}", checked.diagnostics))
}

/// The base with each `(from, to)` replaced once; fails when `from` is not
/// in it, so a drifting base cannot make a test pass vacuously.
fn edit(edits: &[(&str, &str)]) -> String {
    let mut text = BASE.to_string();
    for (from, to) in edits {
        assert!(text.contains(from), "`{from}` is not in the spec");
        text = text.replacen(from, to, 1);
    }
    text
}

fn changes(old: &str, new: &str) -> Vec<Change> {
    diff(&spec("old.deploy", old), &spec("new.deploy", new))
}

/// The text report from `old` to `new`.
fn report(old: &str, new: &str) -> String {
    render_text(&changes(old, new), "old", "new")
}

fn changed(scope: Scope, field: &str, old: Option<&str>, new: Option<&str>) -> Change {
    Change {
        scope,
        kind: ChangeKind::Changed {
            field: field.into(),
            old: old.map(Into::into),
            new: new.map(Into::into),
        },
    }
}

fn phase(name: &str) -> Scope {
    Scope::Phase(name.into())
}

#[test]
fn a_spec_against_itself_is_no_semantic_change() {
    assert_eq!(report(BASE, BASE), "no semantic change");
}

#[test]
fn weight_change() {
    let new = edit(&[("canary 25%", "canary 50%")]);
    assert_eq!(
        changes(BASE, &new),
        vec![changed(phase("canary"), "canary", Some("25%"), Some("50%"))]
    );
    assert_eq!(
        report(BASE, &new),
        "old → new\nphase canary: canary 25% → 50%"
    );
}

#[test]
fn gate_threshold_change() {
    let new = edit(&[(
        "gate error_rate < 1% for 15m",
        "gate error_rate < 2% for 15m",
    )]);
    assert_eq!(
        report(BASE, &new),
        "old → new\nphase canary: gate error_rate < 1% for 15m → < 2% for 15m"
    );
}

#[test]
fn gate_window_change() {
    let new = edit(&[(
        "gate error_rate < 1% for 15m",
        "gate error_rate < 1% for 30m",
    )]);
    assert_eq!(
        report(BASE, &new),
        "old → new\nphase canary: gate error_rate < 1% for 15m → < 1% for 30m"
    );
}

#[test]
fn gate_interval_and_no_data_show_when_set() {
    let new = edit(&[(
        "gate p99_latency < 500ms for 15m every 30s",
        "gate p99_latency < 500ms for 15m every 1m no_data fail",
    )]);
    assert_eq!(
        report(BASE, &new),
        "old → new\nphase canary: gate p99_latency < 500ms for 15m every 30s → < 500ms for 15m no_data fail"
    );
}

#[test]
fn trigger_action_change() {
    let new = edit(&[("action rollback", "action page")]);
    assert_eq!(
        changes(BASE, &new),
        vec![changed(
            Scope::Trigger("high_error_rate".into()),
            "action",
            Some("rollback"),
            Some("page")
        )]
    );
    assert_eq!(
        report(BASE, &new),
        "old → new\ntrigger high_error_rate: action rollback → page"
    );
}

#[test]
fn contact_added_and_removed() {
    let with_sre = edit(&[(
        "contact oncall {",
        "contact sre {\n  role \"SRE\"\n}\n\ncontact oncall {",
    )]);
    assert_eq!(
        changes(BASE, &with_sre),
        vec![Change {
            scope: Scope::Contact("sre".into()),
            kind: ChangeKind::Added
        }]
    );
    assert_eq!(report(BASE, &with_sre), "old → new\ncontact sre added");
    assert_eq!(report(&with_sre, BASE), "old → new\ncontact sre removed");
}

#[test]
fn phase_added_and_removed() {
    let with_verify = edit(&[(
        "trigger high_error_rate {",
        "phase verify {\n  after full\n  check \"Smoke test\"\n}\n\ntrigger high_error_rate {",
    )]);
    assert_eq!(report(BASE, &with_verify), "old → new\nphase verify added");
    assert_eq!(
        report(&with_verify, BASE),
        "old → new\nphase verify removed"
    );
}

#[test]
fn hold_change() {
    let new = edit(&[("hold 15m", "hold 30m")]);
    assert_eq!(
        report(BASE, &new),
        "old → new\nphase canary: hold 15m → 30m"
    );
}

#[test]
fn image_change() {
    let new = edit(&[("example/api:2.0.0", "example/api:2.1.0")]);
    assert_eq!(
        changes(BASE, &new),
        vec![changed(
            Scope::Service("api".into()),
            "image",
            Some("example/api:2.0.0"),
            Some("example/api:2.1.0")
        )]
    );
    assert_eq!(
        report(BASE, &new),
        "old → new\nservice api: image example/api:2.0.0 → example/api:2.1.0"
    );
}

#[test]
fn band_change() {
    let new = edit(&[
        ("warning 1%..5% for 5m", "warning 1%..4% for 5m"),
        ("critical > 5% for 5m", "critical > 4% for 10m"),
    ]);
    assert_eq!(
        report(BASE, &new),
        "old → new\n\
         metric error_rate: warning 1%..5% for 5m → 1%..4% for 5m\n\
         metric error_rate: critical > 5% for 5m → > 4% for 10m"
    );
}

#[test]
fn escalation_delay_change() {
    let new = edit(&[("after 5m", "after 10m")]);
    assert_eq!(
        changes(BASE, &new),
        vec![changed(
            Scope::Escalation("critical".into()),
            "after",
            Some("5m"),
            Some("10m")
        )]
    );
    assert_eq!(
        report(BASE, &new),
        "old → new\nescalation critical: after 5m → 10m"
    );
}

#[test]
fn formatting_comments_order_and_spellings_are_no_semantic_change() {
    // The fixture really is different text, in another order.
    assert_ne!(BASE, REFORMATTED);
    assert!(REFORMATTED.contains("900s") && REFORMATTED.starts_with("# base.deploy rewritten"));
    let old = spec("base.deploy", BASE);
    let new = spec("reformatted.deploy", REFORMATTED);
    assert_ne!(
        old.contacts[0].name, new.contacts[0].name,
        "contacts were reordered"
    );
    let changes = diff(&old, &new);
    assert_eq!(changes, vec![]);
    assert_eq!(render_text(&changes, "a", "b"), "no semantic change");
    assert_eq!(render_markdown(&changes, "a", "b"), "no semantic change");
    assert_eq!(
        render_text(&diff(&new, &old), "b", "a"),
        "no semantic change"
    );
}

#[test]
fn env_secrets_are_compared_by_name() {
    let new = edit(&[
        (
            "env API_TOKEN secret \"api-auth\" \"token\"",
            "env API_TOKEN secret \"api-auth-v2\" \"token\"",
        ),
        ("env LOG_LEVEL \"info\"", "env LOG_LEVEL \"debug\""),
    ]);
    assert_eq!(
        report(BASE, &new),
        "old → new\n\
         service api: env LOG_LEVEL \"info\" → \"debug\"\n\
         service api: env API_TOKEN secret \"api-auth\" \"token\" → secret \"api-auth-v2\" \"token\""
    );
}

#[test]
fn gates_and_traffic_added_removed_and_reshaped() {
    let new = edit(&[
        ("  gate error_rate < 1% for 15m\n", ""),
        ("  hold 15m\n", "  hold 15m\n  pause\n"),
        ("gate approval lead, oncall", "gate approval lead"),
    ]);
    assert_eq!(
        report(BASE, &new),
        "old → new\n\
         phase canary: traffic canary 25%, hold 15m → canary 25%, hold 15m, pause\n\
         phase canary: gate error_rate < 1% for 15m removed\n\
         phase full: gate approval lead, oncall → lead"
    );
}

#[test]
fn checklist_items_by_text() {
    let new = edit(&[
        (
            "run \"backup-tool verify\"",
            "run \"backup-tool verify --all\"",
        ),
        (
            "  check \"Team on call\"\n",
            "  check \"Status page ready\"\n",
        ),
    ]);
    assert_eq!(
        report(BASE, &new),
        "old → new\n\
         phase preflight: check \"Backups verified\" command \"backup-tool verify\" → \"backup-tool verify --all\"\n\
         phase preflight: check \"Status page ready\" added\n\
         phase preflight: check \"Team on call\" removed"
    );
}

#[test]
fn a_gate_moving_across_a_traffic_step_is_a_change() {
    let new = edit(&[(
        "  canary 100%\n  gate approval lead, oncall\n",
        "  gate approval lead, oncall\n  canary 100%\n",
    )]);
    assert_eq!(
        report(BASE, &new),
        "old → new\nphase full: step order canary 100%, gate approval → gate approval, canary 100%"
    );
}

#[test]
fn report_is_grouped_release_services_phases_in_graph_order_then_the_rest() {
    let new = edit(&[
        (
            "slow {\n  when p99_latency > 1s",
            "slow {\n  when p99_latency > 2s",
        ),
        ("version \"2.0.0\"", "version \"2.1.0\""),
        ("canary 100%", "canary 75%"),
        ("hold 15m", "hold 20m"),
        ("at T-60m", "at T-2h"),
        ("replicas 2", "replicas 4"),
        (
            "after preflight\n",
            "after preflight\n  description \"One quarter first.\"\n",
        ),
    ]);
    let text = report(BASE, &new);
    assert_eq!(
        text,
        "old → new\n\
         release: version 2.0.0 → 2.1.0\n\
         service worker: replicas 2 → 4\n\
         phase preflight: at T-60m → T-2h\n\
         phase canary: description \"One quarter first.\" added\n\
         phase canary: hold 15m → 20m\n\
         phase full: canary 100% → 75%\n\
         trigger slow: when p99_latency > 1s for 10m → p99_latency > 2s for 10m"
    );
    let md = render_markdown(
        &changes(BASE, &new),
        "HEAD:specs/shop.deploy",
        "specs/shop.deploy",
    );
    assert_eq!(
        md,
        "## Deployment changes: `HEAD:specs/shop.deploy` → `specs/shop.deploy`\n\
         \n### release\n\n\
         - version `2.0.0` → `2.1.0`\n\
         \n### service worker\n\n\
         - replicas `2` → `4`\n\
         \n### phase preflight\n\n\
         - at `T-60m` → `T-2h`\n\
         \n### phase canary\n\n\
         - description `\"One quarter first.\"` added\n\
         - hold `15m` → `20m`\n\
         \n### phase full\n\n\
         - canary `100%` → `75%`\n\
         \n### trigger slow\n\n\
         - when `p99_latency > 1s for 10m` → `p99_latency > 2s for 10m`"
    );
}

// ------------------------------------------------------------------ the binary

fn deployc(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_deployc"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=test", "-c", "user.email=test@example.com"])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn cli_two_files_and_exit_codes() {
    let dir = scratch("diff-two-files");
    fs::write(dir.join("old.deploy"), BASE).unwrap();
    fs::write(
        dir.join("new.deploy"),
        edit(&[("canary 25%", "canary 50%")]),
    )
    .unwrap();
    fs::write(
        dir.join("broken.deploy"),
        edit(&[("after preflight", "after nowhere")]),
    )
    .unwrap();

    let (code, out, _) = deployc(&dir, &["diff", "old.deploy", "new.deploy"]);
    assert_eq!(
        (code, out.as_str()),
        (
            0,
            "old.deploy → new.deploy\nphase canary: canary 25% → 50%\n"
        )
    );

    let (code, out, _) = deployc(
        &dir,
        &["diff", "old.deploy", "new.deploy", "--format", "markdown"],
    );
    assert_eq!(
        (code, out.as_str()),
        (0, "## Deployment changes: `old.deploy` → `new.deploy`\n\n### phase canary\n\n- canary `25%` → `50%`\n")
    );

    let (code, out, _) = deployc(&dir, &["diff", "old.deploy", "old.deploy"]);
    assert_eq!((code, out.as_str()), (0, "no semantic change\n"));

    let (code, out, err) = deployc(&dir, &["diff", "old.deploy", "broken.deploy"]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(
        err.contains("E0304") && err.contains("broken.deploy"),
        "{err}"
    );

    let (code, _, err) = deployc(&dir, &["diff", "old.deploy", "missing.deploy"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = deployc(&dir, &["diff", "old.deploy"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = deployc(
        &dir,
        &["diff", "old.deploy", "new.deploy", "--format", "yaml"],
    );
    assert_eq!(code, 2, "{err}");
}

#[test]
fn cli_base_compares_every_spec_at_a_revision_with_the_working_tree() {
    let dir = scratch("diff-base");
    fs::create_dir_all(dir.join("specs")).unwrap();
    fs::write(dir.join("specs/shop.deploy"), BASE).unwrap();
    fs::write(dir.join("specs/same.deploy"), BASE).unwrap();
    fs::write(dir.join("specs/gone.deploy"), BASE).unwrap();
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "specs"]);

    fs::write(
        dir.join("specs/shop.deploy"),
        edit(&[
            ("canary 25%", "canary 50%"),
            ("action rollback", "action page"),
        ]),
    )
    .unwrap();
    fs::write(dir.join("specs/same.deploy"), REFORMATTED).unwrap();
    fs::remove_file(dir.join("specs/gone.deploy")).unwrap();
    fs::write(dir.join("specs/new.deploy"), BASE).unwrap();

    let (code, out, err) = deployc(&dir, &["diff", "--base", "HEAD"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "specs/gone.deploy: spec removed (release shop, was at HEAD)\n\
         \n\
         specs/new.deploy: spec added (release shop, not at HEAD)\n\
         \n\
         specs/same.deploy: no semantic change\n\
         \n\
         HEAD:specs/shop.deploy → specs/shop.deploy\n\
         phase canary: canary 25% → 50%\n\
         trigger high_error_rate: action rollback → page\n"
    );

    // One file, from a subfolder: paths are relative to where deployc runs.
    let (code, out, err) = deployc(
        &dir.join("specs"),
        &["diff", "--base", "HEAD", "shop.deploy"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("HEAD:shop.deploy → shop.deploy\nphase canary: canary 25% → 50%\n"),
        "{out}"
    );

    // A spec that no longer checks: its diagnostics, exit 1.
    fs::write(
        dir.join("specs/shop.deploy"),
        edit(&[("after preflight", "after nowhere")]),
    )
    .unwrap();
    let (code, _, err) = deployc(&dir, &["diff", "--base", "HEAD"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("E0304"), "{err}");

    // Not a revision: exit 2.
    let (code, _, err) = deployc(&dir, &["diff", "--base", "no-such-ref"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no-such-ref"), "{err}");
}
