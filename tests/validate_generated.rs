//! Validates every file under `generated/` with the real tools that will read
//! it: promtool, amtool, kubernetes-validate, check-jsonschema (schemas in
//! `schemas/json/`), yamllint (`.yamllint.yaml`), pymarkdown, and a YAML 1.1
//! versus 1.2 reading check (`scripts/validate/yaml11_strings.py`).
//!
//! One `#[test]` per validator. Each first runs its validator on a deliberately
//! broken fixture (`tests/fixtures/broken/`) and asserts that it FAILS for the
//! expected reason, then on the known-good fixtures (`tests/fixtures/valid/`),
//! then on `generated/`. So a validator that silently passes everything, or a
//! wrong invocation, cannot go unnoticed.
//!
//! Tools are looked up in `.tools/venv/bin/` (see `scripts/install-tools.sh`),
//! then in `PATH`. A missing tool, or no generated file of a kind, fails the
//! test when `CI=true` and prints a skip notice otherwise: nothing validated is
//! not a pass.

use std::collections::BTreeMap;
use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const GENERATED: &str = "generated";
const VALID: &str = "tests/fixtures/valid";
const BROKEN: &str = "tests/fixtures/broken";
/// The Kubernetes version `deployc` targets (k8s-openapi feature `v1_33`).
const KUBERNETES_VERSION: &str = "1.33.0";
/// Files per tool invocation: keeps command lines short on large trees.
const BATCH: usize = 200;

// ---------------------------------------------------------------------------
// Plumbing

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn ci() -> bool {
    env::var("CI").is_ok_and(|v| v == "true")
}

/// `.tools/venv/bin/<name>`, else `<name>` in `PATH`.
fn find_tool(name: &str) -> Option<PathBuf> {
    let venv = root().join(".tools/venv/bin").join(name);
    if venv.is_file() {
        return Some(venv);
    }
    let path = env::var_os("PATH")?;
    env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// The tool, or `None` after a skip notice; under `CI=true` a missing tool fails.
fn require_tool(test: &str, name: &str) -> Option<PathBuf> {
    let found = find_tool(name);
    if found.is_none() {
        let msg = format!(
            "{test}: `{name}` not found in .tools/venv/bin or PATH; run scripts/install-tools.sh"
        );
        assert!(!ci(), "CI=true: {msg}");
        eprintln!("SKIP {msg}");
    }
    found
}

/// The venv's python (it has PyYAML and ruamel.yaml; a system python may not).
fn require_venv_python(test: &str) -> Option<PathBuf> {
    let python = root().join(".tools/venv/bin/python");
    if python.is_file() {
        return Some(python);
    }
    let msg = format!("{test}: .tools/venv/bin/python not found; run scripts/install-tools.sh");
    assert!(!ci(), "CI=true: {msg}");
    eprintln!("SKIP {msg}");
    None
}

/// Every file under `dir` (relative to the repo root), recursively, sorted;
/// empty when `dir` does not exist.
fn files_under(dir: &str) -> Vec<PathBuf> {
    fn walk(abs: &Path, rel: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = fs::read_dir(abs) else {
            return;
        };
        for entry in entries {
            let entry = entry.expect("readable directory entry");
            let (abs, rel) = (entry.path(), rel.join(entry.file_name()));
            if entry.file_type().expect("file type").is_dir() {
                walk(&abs, &rel, out);
            } else {
                out.push(rel);
            }
        }
    }
    let mut out = Vec::new();
    walk(&root().join(dir), Path::new(dir), &mut out);
    out.sort();
    out
}

fn generated() -> Vec<PathBuf> {
    files_under(GENERATED)
}

fn valid() -> Vec<PathBuf> {
    files_under(VALID)
}

fn broken(name: &str) -> PathBuf {
    let path = Path::new(BROKEN).join(name);
    assert!(
        root().join(&path).is_file(),
        "missing negative-control fixture {}",
        path.display()
    );
    path
}

/// Under `CI=true`, no generated file of a kind fails; otherwise a notice.
fn have_generated(test: &str, kind: &str, files: &[PathBuf]) {
    if files.is_empty() {
        let msg = format!("{test}: no {kind} under {GENERATED}/ (run scripts/build.sh)");
        assert!(!ci(), "CI=true: {msg}: nothing validated is not a pass");
        eprintln!("SKIP {msg} (fixtures checked only)");
    }
}

fn file_name(path: &Path) -> &str {
    path.file_name().and_then(|n| n.to_str()).unwrap_or("")
}

fn extension(path: &Path) -> &str {
    path.extension().and_then(|n| n.to_str()).unwrap_or("")
}

fn is_yaml(path: &Path) -> bool {
    matches!(extension(path), "yaml" | "yml")
}

/// Somewhere below a folder named `dir` (e.g. `kubernetes/`, also
/// `environments/prod/kubernetes/`).
fn in_dir(path: &Path, dir: &str) -> bool {
    path.parent()
        .is_some_and(|p| p.components().any(|c| c.as_os_str() == dir))
}

fn select(files: &[PathBuf], keep: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    files.iter().filter(|p| keep(p)).cloned().collect()
}

// The kinds of generated files, by path.
fn is_rules(p: &Path) -> bool {
    file_name(p) == "rules.yml"
}
fn is_rules_test(p: &Path) -> bool {
    file_name(p) == "rules.test.yml"
}
fn is_prometheusrule(p: &Path) -> bool {
    file_name(p).starts_with("prometheusrule") && is_yaml(p)
}
fn is_alertmanager(p: &Path) -> bool {
    file_name(p) == "alertmanager.yml"
}
fn is_kubernetes(p: &Path) -> bool {
    in_dir(p, "kubernetes") && is_yaml(p)
}
fn is_rollout(p: &Path) -> bool {
    file_name(p).starts_with("rollout-") && is_yaml(p)
}
fn is_analysistemplate(p: &Path) -> bool {
    file_name(p).starts_with("analysistemplate-") && is_yaml(p)
}
fn is_dashboard(p: &Path) -> bool {
    file_name(p).starts_with("dashboard-") && extension(p) == "json"
}
fn is_markdown(p: &Path) -> bool {
    extension(p) == "md"
}

/// One finished tool run.
struct Run {
    command: String,
    success: bool,
    output: String,
}

impl Run {
    fn report(&self) -> String {
        format!("$ {}\n{}", self.command, self.output.trim_end())
    }
}

/// Runs `program args... files...` from `dir`, no stdin, stdout and stderr together.
fn run_in(dir: &Path, program: &Path, args: &[&str], files: &[PathBuf]) -> Run {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .args(files)
        .current_dir(dir)
        .stdin(Stdio::null());
    let command = format!(
        "(cd {} && {} {} {})",
        dir.display(),
        program.display(),
        args.join(" "),
        files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(" ")
    );
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command}: {e}"));
    let mut output = String::from_utf8_lossy(&out.stdout).into_owned();
    output.push_str(&String::from_utf8_lossy(&out.stderr));
    Run {
        command,
        success: out.status.success(),
        output,
    }
}

/// Runs from the repo root, in batches; the runs concatenated.
fn run(program: &Path, args: &[&str], files: &[PathBuf]) -> Run {
    assert!(
        !files.is_empty(),
        "{} {}: no files to check",
        program.display(),
        args.join(" ")
    );
    let runs: Vec<Run> = files
        .chunks(BATCH)
        .map(|chunk| run_in(root(), program, args, chunk))
        .collect();
    Run {
        command: runs
            .iter()
            .map(|r| r.command.as_str())
            .collect::<Vec<_>>()
            .join("\n$ "),
        success: runs.iter().all(|r| r.success),
        output: runs.iter().map(|r| r.output.as_str()).collect(),
    }
}

/// A negative control: the validator must reject the broken fixture, and say why.
fn assert_rejects(what: &str, run: &Run, needle: &str) {
    assert!(
        !run.success && run.output.contains(needle),
        "NEGATIVE CONTROL: {what} must be rejected with output containing {needle:?}, \
         but it exited {}:\n{}",
        if run.success {
            "successfully"
        } else {
            "non-zero"
        },
        run.report()
    );
}

fn assert_accepts(what: &str, run: &Run) {
    assert!(run.success, "{what} failed:\n{}", run.report());
}

fn assert_some(what: &str, files: &[PathBuf]) {
    assert!(
        !files.is_empty(),
        "no {what} in {VALID}/ (positive-control fixtures)"
    );
}

/// The files one validator must accept: the positive-control fixtures of a
/// kind followed by the generated ones (one tool run for both keeps it fast).
/// Under `CI=true`, no generated file of the kind fails.
fn must_pass(test: &str, kind: &str, keep: impl Fn(&Path) -> bool) -> (Vec<PathBuf>, usize) {
    let generated = select(&generated(), &keep);
    have_generated(test, kind, &generated);
    let mut files = select(&valid(), &keep);
    assert_some(kind, &files);
    files.extend_from_slice(&generated);
    (files, generated.len())
}

fn report_ok(test: &str, kind: &str, generated: usize) {
    if generated > 0 {
        eprintln!("{test}: {generated} generated {kind} OK");
    }
}

// ---------------------------------------------------------------------------
// promtool

#[test]
fn promtool_check_rules() {
    const TEST: &str = "promtool_check_rules";
    let Some(promtool) = require_tool(TEST, "promtool") else {
        return;
    };
    let Some(python) = require_venv_python(TEST) else {
        return;
    };
    let check = |files: &[PathBuf]| run(&promtool, &["check", "rules"], files);

    // A PrometheusRule's spec is a rule file; promtool reads it from a temp copy.
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR")).join("validate-prometheusrule-specs");
    let _ = fs::remove_dir_all(&tmp);
    let mut batch = 0;
    let mut specs_of = |files: &[PathBuf]| -> Vec<PathBuf> {
        if files.is_empty() {
            return Vec::new();
        }
        batch += 1;
        let out_dir = tmp.join(batch.to_string());
        let script = root().join("scripts/validate/extract_spec.py");
        let mut args = vec![script.to_str().unwrap(), out_dir.to_str().unwrap()];
        args.extend(files.iter().map(|f| f.to_str().unwrap()));
        let extracted = run_in(root(), &python, &args, &[]);
        assert_accepts("extracting the spec of each PrometheusRule", &extracted);
        extracted.output.lines().map(PathBuf::from).collect()
    };

    let bad = check(&[broken("rules-bad-promql.yml")]);
    assert_rejects("a rule file with bad PromQL", &bad, "parse error");
    let bad = check(&specs_of(&[broken("prometheusrule-bad-promql.yaml")]));
    assert_rejects(
        "the spec of a PrometheusRule with bad PromQL",
        &bad,
        "parse error",
    );

    let (rules, n_rules) = must_pass(TEST, "prometheus/rules.yml", is_rules);
    let (prules, n_prules) = must_pass(TEST, "prometheus/prometheusrule.yaml", is_prometheusrule);
    let mut files = rules;
    files.extend(specs_of(&prules));
    assert_accepts(
        "promtool check rules (rule files and PrometheusRule specs)",
        &check(&files),
    );
    report_ok(TEST, "rule files", n_rules);
    report_ok(TEST, "PrometheusRule specs", n_prules);
}

/// `promtool test rules`, run from each test file's folder so that relative
/// `rule_files` resolve.
fn promtool_test(promtool: &Path, files: &[PathBuf]) -> Run {
    let mut by_dir: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    for f in files {
        let dir = f.parent().expect("a file has a folder");
        by_dir
            .entry(root().join(dir))
            .or_default()
            .push(PathBuf::from(file_name(f)));
    }
    let runs: Vec<Run> = by_dir
        .iter()
        .map(|(dir, names)| run_in(dir, promtool, &["test", "rules"], names))
        .collect();
    Run {
        command: runs
            .iter()
            .map(|r| r.command.as_str())
            .collect::<Vec<_>>()
            .join("\n$ "),
        success: !runs.is_empty() && runs.iter().all(|r| r.success),
        output: runs.iter().map(|r| r.output.as_str()).collect(),
    }
}

#[test]
fn promtool_test_rules() {
    const TEST: &str = "promtool_test_rules";
    let Some(promtool) = require_tool(TEST, "promtool") else {
        return;
    };

    let bad = promtool_test(
        &promtool,
        &[broken("promtool-test-wrong-alert/rules.test.yml")],
    );
    assert_rejects(
        "a promtool test expecting an alert that never fires",
        &bad,
        "FAILED",
    );

    let (tests, n) = must_pass(TEST, "prometheus/rules.test.yml", is_rules_test);
    assert_accepts("promtool test rules", &promtool_test(&promtool, &tests));
    report_ok(TEST, "test files", n);
}

// ---------------------------------------------------------------------------
// amtool

#[test]
fn amtool_check_config() {
    const TEST: &str = "amtool_check_config";
    let Some(amtool) = require_tool(TEST, "amtool") else {
        return;
    };
    let check = |files: &[PathBuf]| run(&amtool, &["check-config"], files);

    let bad = check(&[broken("alertmanager-unknown-receiver.yml")]);
    assert_rejects(
        "an Alertmanager route to an undefined receiver",
        &bad,
        "undefined receiver",
    );

    let (configs, n) = must_pass(TEST, "alertmanager/alertmanager.yml", is_alertmanager);
    assert_accepts("amtool check-config", &check(&configs));
    report_ok(TEST, "configs", n);
}

/// `amtool config routes test` for every route the spec implies: the labels
/// of each alert and severity level must reach exactly the receivers
/// `expected_routes` works out from the spec's meaning.
#[test]
fn amtool_routes_test() {
    const TEST: &str = "amtool_routes_test";
    let Some(amtool) = require_tool(TEST, "amtool") else {
        return;
    };
    let route = |config: &Path, labels: &[(String, String)], receivers: &[String]| {
        let mut args = vec![
            "config".to_string(),
            "routes".to_string(),
            "test".to_string(),
            format!("--config.file={}", config.display()),
            format!("--verify.receivers={}", receivers.join(",")),
        ];
        args.extend(labels.iter().map(|(k, v)| format!("{k}={v}")));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_in(root(), &amtool, &args, &[])
    };
    let specs = files_under("specs");
    let mut checked = 0;
    for spec_path in specs.iter().filter(|p| extension(p) == "deploy") {
        let text = std::fs::read_to_string(spec_path).unwrap();
        let name = format!("specs/{}", file_name(spec_path));
        let spec = deployc::check_source(&deployc::source::SourceFile::new(name, text))
            .spec
            .expect("every spec in specs/ checks");
        let config = root()
            .join("generated")
            .join(spec.stem())
            .join("alertmanager/alertmanager.yml");
        let routes = deployc::emit::alertmanager::expected_routes(&spec);
        assert!(!routes.is_empty(), "{}: no routes to test", spec.source);
        // Negative control: a receiver that is not expected must be refused.
        let (labels, _) = &routes[0];
        assert_rejects(
            "a route test expecting the wrong receiver",
            &route(&config, labels, &["no-such-receiver".to_string()]),
            "",
        );
        for (labels, receivers) in &routes {
            let r = route(&config, labels, receivers);
            assert_accepts(
                &format!("{}: route {labels:?} -> {receivers:?}", spec.source),
                &r,
            );
            checked += 1;
        }
    }
    if ci() {
        assert!(checked > 0, "no route was tested");
    }
    report_ok(TEST, "routes", checked);
}

// ---------------------------------------------------------------------------
// kubernetes-validate

/// `kubernetes-validate --strict`; a kind it has no schema for only warns
/// ("Couldn't find schema"), which counts as a failure here.
fn kubernetes_validate(tool: &Path, files: &[PathBuf]) -> Run {
    let mut r = run(tool, &["--strict", "-k", KUBERNETES_VERSION], files);
    if r.output.contains("Couldn't find schema") {
        r.success = false;
    }
    r
}

#[test]
fn kubernetes_validate_strict() {
    const TEST: &str = "kubernetes_validate_strict";
    let Some(tool) = require_tool(TEST, "kubernetes-validate") else {
        return;
    };

    let bad = kubernetes_validate(&tool, &[broken("service-unknown-field.yaml")]);
    assert_rejects(
        "a Service with an unknown field",
        &bad,
        "'protocl' was unexpected",
    );
    let bad = kubernetes_validate(&tool, &[broken("kubernetes-unknown-kind.yaml")]);
    assert_rejects("an object of an unknown kind", &bad, "Couldn't find schema");

    let (objects, n) = must_pass(TEST, "kubernetes/*.yaml", is_kubernetes);
    assert_accepts("kubernetes-validate", &kubernetes_validate(&tool, &objects));
    report_ok(TEST, "objects", n);
}

// ---------------------------------------------------------------------------
// check-jsonschema

struct SchemaKind {
    kind: &'static str,
    schema: &'static str,
    select: fn(&Path) -> bool,
    broken: &'static str,
    needle: &'static str,
}

const SCHEMA_KINDS: &[SchemaKind] = &[
    SchemaKind {
        kind: "rollouts/rollout-*.yaml",
        schema: "schemas/json/argoproj.io/rollout_v1alpha1.json",
        select: is_rollout,
        broken: "rollout-setwieght.yaml",
        needle: "'setWieght' was unexpected",
    },
    SchemaKind {
        kind: "rollouts/analysistemplate-*.yaml",
        schema: "schemas/json/argoproj.io/analysistemplate_v1alpha1.json",
        select: is_analysistemplate,
        broken: "analysistemplate-unknown-field.yaml",
        needle: "'failureLimt' was unexpected",
    },
    SchemaKind {
        kind: "prometheus/prometheusrule.yaml",
        schema: "schemas/json/monitoring.coreos.com/prometheusrule_v1.json",
        select: is_prometheusrule,
        broken: "prometheusrule-unknown-field.yaml",
        needle: "'severity' was unexpected",
    },
    SchemaKind {
        kind: "grafana/dashboard-*.json",
        schema: "schemas/json/grafana/dashboard.schema.json",
        select: is_dashboard,
        broken: "dashboard-wrong-type.json",
        needle: "'39' is not of type 'number'",
    },
];

#[test]
fn check_jsonschema() {
    const TEST: &str = "check_jsonschema";
    let Some(tool) = require_tool(TEST, "check-jsonschema") else {
        return;
    };
    // Each run loads a large schema (seconds): the kinds run side by side.
    std::thread::scope(|scope| {
        let threads: Vec<_> = SCHEMA_KINDS
            .iter()
            .map(|k| {
                let tool = &tool;
                scope.spawn(move || {
                    assert!(
                        root().join(k.schema).is_file(),
                        "missing schema {}",
                        k.schema
                    );
                    let check = |files: &[PathBuf]| run(tool, &["--schemafile", k.schema], files);

                    let bad = check(&[broken(k.broken)]);
                    assert_rejects(&format!("{} ({})", k.broken, k.kind), &bad, k.needle);

                    let (files, n) = must_pass(TEST, k.kind, k.select);
                    assert_accepts(&format!("check-jsonschema {}", k.kind), &check(&files));
                    report_ok(TEST, k.kind, n);
                })
            })
            .collect();
        let failed: Vec<&str> = threads
            .into_iter()
            .zip(SCHEMA_KINDS)
            .filter_map(|(t, k)| t.join().is_err().then_some(k.kind))
            .collect();
        assert!(
            failed.is_empty(),
            "check-jsonschema failed for {failed:?} (see the panics above)"
        );
    });
}

// ---------------------------------------------------------------------------
// yamllint

#[test]
fn yamllint() {
    const TEST: &str = "yamllint";
    let Some(tool) = require_tool(TEST, "yamllint") else {
        return;
    };
    let lint = |files: &[PathBuf]| {
        run(
            &tool,
            &["-c", ".yamllint.yaml", "--strict", "-f", "parsable"],
            files,
        )
    };

    let bad = lint(&[broken("duplicate-key.yaml")]);
    assert_rejects("a YAML file with a duplicate key", &bad, "(key-duplicates)");

    // serde-saphyr's style (quoted hazards, unindented sequences) must pass too.
    let (mut files, n) = must_pass(TEST, "YAML files", is_yaml);
    files.push(PathBuf::from(HAZARDS_QUOTED));
    assert_accepts("yamllint", &lint(&files));
    report_ok(TEST, "YAML files", n);
}

// ---------------------------------------------------------------------------
// pymarkdown

#[test]
fn pymarkdown_scan() {
    const TEST: &str = "pymarkdown_scan";
    let Some(tool) = require_tool(TEST, "pymarkdown") else {
        return;
    };
    let config = root().join(".pymarkdown.json").is_file();
    let scan = |files: &[PathBuf], extra: &[&str]| {
        let mut args: Vec<&str> = if config {
            vec!["--config", ".pymarkdown.json"]
        } else {
            vec![]
        };
        args.extend(extra);
        args.push("scan");
        run(&tool, &args, files)
    };

    let bad = scan(&[broken("runbook-lint-error.md")], &[]);
    assert_rejects("a markdown file with lint errors", &bad, "MD001");

    // The header comment is longer than pymarkdown's default line length (80);
    // the repo's .pymarkdown.json decides line-length when present.
    let files = select(&valid(), is_markdown);
    assert_some("runbook.md", &files);
    let fixture_extra: &[&str] = if config {
        &[]
    } else {
        &["--disable-rules", "md013"]
    };
    assert_accepts("pymarkdown scan (fixtures)", &scan(&files, fixture_extra));

    let files = select(&generated(), is_markdown);
    have_generated(TEST, "runbook.md", &files);
    if !files.is_empty() {
        assert_accepts("pymarkdown scan", &scan(&files, &[]));
        report_ok(TEST, "markdown files", files.len());
    }
}

// ---------------------------------------------------------------------------
// YAML 1.1 safety

const HAZARDS_QUOTED: &str = "tests/fixtures/yaml11/hazards.yaml";
const HAZARDS_UNQUOTED: &str = "yaml11-hazards-unquoted.yaml";

fn yaml11_strings(python: &Path, files: &[PathBuf]) -> Run {
    let script = root().join("scripts/validate/yaml11_strings.py");
    run(python, &[script.to_str().unwrap()], files)
}

/// The script itself: serde-saphyr's quoted hazards pass, unquoted ones fail,
/// each named by its path.
#[test]
fn yaml11_strings_quoted_hazards_pass_unquoted_fail() {
    let Some(python) = require_venv_python("yaml11_strings_quoted_hazards_pass_unquoted_fail")
    else {
        return;
    };
    assert_accepts(
        "quoted YAML 1.1 hazards",
        &yaml11_strings(&python, &[PathBuf::from(HAZARDS_QUOTED)]),
    );

    let bad = yaml11_strings(&python, &[broken(HAZARDS_UNQUOTED)]);
    assert!(!bad.success, "unquoted hazards passed:\n{}", bad.report());
    for path in [
        "data.answer: YAML 1.1 reads bool False",   // no
        "data.switch: YAML 1.1 reads bool True",    // on
        "data.short: YAML 1.1 reads bool True",     // y
        "data.date: YAML 1.1 reads date",           // 2024-01-01
        "data.thousand: YAML 1.1 reads int 1000",   // 1_000
        "data.time: YAML 1.1 reads int 750",        // 12:30
        "data.exponent: YAML 1.1 reads str",        // 1e3 (a float in YAML 1.2)
        "data.octal: YAML 1.1 reads int 10",        // 012
        "data.yes (key): YAML 1.1 reads bool True", // a key
        "data.list[0]: YAML 1.1 reads bool False",  // off
        "data.list[2]: YAML 1.1 reads int 3900",    // 1:05:00
    ] {
        assert!(
            bad.output.contains(path),
            "expected a finding {path:?}:\n{}",
            bad.report()
        );
    }
}

#[test]
fn yaml11_strings_generated() {
    const TEST: &str = "yaml11_strings_generated";
    let Some(python) = require_venv_python(TEST) else {
        return;
    };

    let bad = yaml11_strings(&python, &[broken(HAZARDS_UNQUOTED)]);
    assert_rejects(
        "unquoted YAML 1.1 hazards",
        &bad,
        "YAML 1.1 reads bool False",
    );

    let (files, n) = must_pass(TEST, "YAML files", is_yaml);
    assert_accepts("YAML 1.1/1.2 readings", &yaml11_strings(&python, &files));
    report_ok(TEST, "YAML files", n);
}

// ---------------------------------------------------------------------------
// Coverage

/// Every generated file is read by at least one validator above: a new kind of
/// file must come with its validator (or be added here on purpose).
#[test]
fn every_generated_file_has_a_validator() {
    let unvalidated: Vec<String> = generated()
        .iter()
        .filter(|p| !(is_yaml(p) || is_dashboard(p) || is_markdown(p)))
        // deployc's own ownership manifest, read back by deployc (tests/build.rs).
        .filter(|p| file_name(p) != deployc::build::MANIFEST_NAME)
        .map(|p| p.display().to_string())
        .collect();
    assert!(
        unvalidated.is_empty(),
        "no validator reads these generated files:\n{}",
        unvalidated.join("\n")
    );
}

/// The choice of serializer, proven: strings that a YAML 1.1 reader would
/// turn into booleans, numbers or dates, written by deployc's own YAML
/// writer, read back as the same strings by PyYAML (YAML 1.1, as Kubernetes'
/// go-yaml reads) and by ruamel.yaml (YAML 1.2).
#[test]
fn yaml11_deployc_serializer_quotes_every_hazard() {
    let Some(python) = require_venv_python("yaml11_deployc_serializer_quotes_every_hazard") else {
        return;
    };
    let hazards = [
        "no",
        "No",
        "NO",
        "off",
        "on",
        "yes",
        "y",
        "n",
        "Y",
        "N",
        "true",
        "False",
        "~",
        "null",
        "2024-01-01",
        "2024-01-01T10:00:00Z",
        "1_000",
        "12:30",
        "1:05:00",
        "1e3",
        "0x1F",
        "0o17",
        "012",
        ".inf",
        "-.inf",
        ".nan",
        "+1",
        "-0",
        "0.5",
        "1.8.0",
        "#comment",
        "a: b",
        "- item",
        "* star",
        "& anchor",
        "! tag",
        "%directive",
        "@at",
        "`tick",
        "'single'",
        "\"double\"",
        " leading space",
        "trailing space ",
        "",
    ];
    let map: std::collections::BTreeMap<String, Vec<&str>> = hazards
        .iter()
        .enumerate()
        .map(|(i, h)| (format!("k{i:02}-{h}"), vec![*h]))
        .collect();
    let text = deployc::emit::to_yaml(&map);
    let file = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hazards-by-deployc.yaml");
    fs::write(&file, &text).unwrap();
    assert_accepts(
        "deployc's YAML of the hazards",
        &yaml11_strings(&python, std::slice::from_ref(&file)),
    );
    // And the values survive a YAML 1.1 reader exactly: compare the loaded
    // strings with the originals.
    let check = "import sys, yaml, json; d = yaml.safe_load(open(sys.argv[1])); print(json.dumps(d, sort_keys=True))";
    let out = Command::new(&python)
        .args(["-c", check])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let loaded: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for (i, h) in hazards.iter().enumerate() {
        let key = format!("k{i:02}-{h}");
        assert_eq!(
            loaded[&key][0],
            serde_json::Value::String(h.to_string()),
            "{h:?} did not stay a string:\n{text}"
        );
    }
}
