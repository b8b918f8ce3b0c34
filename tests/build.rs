//! `deployc build` as users run it: deterministic, atomic, owning only its
//! own files, and `--check` telling stale output apart.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

mod common;
use common::deployc;

/// A scratch copy of specs/ in a fresh folder under target/.
fn workspace(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("specs")).unwrap();
    for e in fs::read_dir("specs").unwrap() {
        let p = e.unwrap().path();
        fs::copy(&p, dir.join("specs").join(p.file_name().unwrap())).unwrap();
    }
    dir
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(d: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.insert(p.clone(), fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, &mut out);
    out
}

#[test]
fn the_committed_tree_is_fresh() {
    let (code, out) = deployc(Path::new("."), &["build", "--check"]);
    assert_eq!(code, 0, "generated/ is stale:\n{out}");
}

#[test]
fn check_fails_after_an_edit_that_is_not_built() {
    let ws = workspace("check-stale");
    assert_eq!(deployc(&ws, &["build"]).0, 0);
    assert_eq!(deployc(&ws, &["build", "--check"]).0, 0);
    let spec = ws.join("specs/vectorizer-1.8.0.deploy");
    let text = fs::read_to_string(&spec).unwrap();
    fs::write(
        &spec,
        text.replacen("error_rate > 10%", "error_rate > 11%", 1),
    )
    .unwrap();
    let (code, out) = deployc(&ws, &["build", "--check"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("differs: generated/vectorizer-1.8.0/prometheus/rules.yml"),
        "{out}"
    );
    assert!(
        out.contains("differs: generated/vectorizer-1.8.0/runbook.md"),
        "{out}"
    );
    // Building makes it fresh again.
    assert_eq!(deployc(&ws, &["build"]).0, 0);
    assert_eq!(deployc(&ws, &["build", "--check"]).0, 0);
}

#[test]
fn check_fails_on_a_manifest_from_another_build() {
    let ws = workspace("check-manifest");
    assert_eq!(deployc(&ws, &["build"]).0, 0);
    let path = ws.join("generated/.deployc-manifest");
    let text = fs::read_to_string(&path).unwrap();
    // The input hash of the first spec, as another deployc would record it.
    let key = "\"input_hash\":\"";
    let at = text.find(key).unwrap() + key.len();
    let hash = &text[at..at + 16];
    fs::write(&path, text.replacen(hash, "0123456789abcdef", 1)).unwrap();
    let (code, out) = deployc(&ws, &["build", "--check"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("differs: generated/.deployc-manifest"),
        "{out}"
    );
    // A build recompiles that spec and restores the manifest.
    assert_eq!(deployc(&ws, &["build"]).0, 0);
    assert_eq!(fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn output_is_deterministic_and_independent_of_input_order() {
    let mut paths = deployc::build::collect_specs(&[PathBuf::from("specs")]).unwrap();
    let compile = |paths: &[PathBuf]| {
        let compiled: Vec<_> = paths
            .iter()
            .map(|p| deployc::build::compile(p).unwrap())
            .collect();
        deployc::build::layout(&compiled).unwrap()
    };
    let first = compile(&paths);
    assert_eq!(first, compile(&paths), "two builds differ");
    paths.reverse();
    assert_eq!(first, compile(&paths), "input order changes the output");
    // And through the CLI, naming files in another order.
    let ws = workspace("order");
    let mut names: Vec<String> = fs::read_dir(ws.join("specs"))
        .unwrap()
        .map(|e| format!("specs/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    names.sort();
    let mut args = vec!["build".to_string()];
    args.extend(names.iter().rev().cloned());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_eq!(deployc(&ws, &args).0, 0);
    let built = snapshot(&ws.join("generated"));
    let committed = snapshot(Path::new("generated"));
    let rel = |m: BTreeMap<PathBuf, Vec<u8>>, base: &Path| -> BTreeMap<PathBuf, Vec<u8>> {
        m.into_iter()
            .map(|(p, c)| (p.strip_prefix(base).unwrap().to_path_buf(), c))
            .collect()
    };
    assert!(
        rel(built, &ws.join("generated")) == rel(committed, Path::new("generated")),
        "CLI build differs from generated/"
    );
}

#[test]
fn a_failed_build_changes_nothing() {
    let ws = workspace("atomic");
    assert_eq!(deployc(&ws, &["build"]).0, 0);
    let before = snapshot(&ws.join("generated"));
    // Change a good spec, and add a bad one: nothing may be written.
    let good = ws.join("specs/hsc-jit-v3.deploy");
    let text = fs::read_to_string(&good).unwrap();
    fs::write(&good, text.replacen("version \"", "version \"9", 1)).unwrap();
    fs::write(
        ws.join("specs/broken.deploy"),
        "release broken {\n  title \"x\"\n",
    )
    .unwrap();
    let (code, out) = deployc(&ws, &["build"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("E0101"), "{out}");
    assert!(
        snapshot(&ws.join("generated")) == before,
        "a failed build touched generated/"
    );
}

#[test]
fn only_owned_files_are_removed_and_unchanged_files_are_not_rewritten() {
    let ws = workspace("ownership");
    assert_eq!(deployc(&ws, &["build"]).0, 0);
    let out = ws.join("generated");
    fs::write(out.join("NOTES.md"), "mine").unwrap();
    fs::write(out.join("vector-db/extra.yaml"), "mine: true\n").unwrap();
    let rules = out.join("vector-db/prometheus/rules.yml");
    let mtime = |p: &Path| fs::metadata(p).unwrap().modified().unwrap();
    let before = mtime(&rules);
    std::thread::sleep(std::time::Duration::from_millis(20));

    // A rebuild with nothing changed writes nothing.
    let (code, text) = deployc(&ws, &["build"]);
    assert_eq!(code, 0);
    assert!(text.contains(", 0 changed"), "{text}");
    assert_eq!(mtime(&rules), before, "an unchanged file was rewritten");

    // Removing a spec removes its files, and only those.
    fs::remove_file(ws.join("specs/vector-db.deploy")).unwrap();
    assert_eq!(deployc(&ws, &["build"]).0, 0);
    assert!(!rules.exists(), "a file of a removed spec survived");
    assert!(!out.join("vector-db/runbook.md").exists());
    assert_eq!(fs::read_to_string(out.join("NOTES.md")).unwrap(), "mine");
    assert_eq!(
        fs::read_to_string(out.join("vector-db/extra.yaml")).unwrap(),
        "mine: true\n"
    );
    assert!(out.join("hsc-jit-v3/runbook.md").exists());
}

#[test]
fn exit_codes() {
    let ws = workspace("exit-codes");
    assert_eq!(deployc(&ws, &["check", "specs"]).0, 0);
    assert_eq!(deployc(&ws, &["check", "no-such-dir"]).0, 2);
    assert_eq!(deployc(&ws, &["frobnicate"]).0, 2);
    fs::write(ws.join("bad.deploy"), "phase x { after y }\n").unwrap();
    assert_eq!(deployc(&ws, &["check", "bad.deploy"]).0, 1);
}

#[test]
fn every_generated_file_names_its_source() {
    for (path, content) in snapshot(Path::new("generated")) {
        if path.file_name().unwrap() == deployc::build::MANIFEST_NAME {
            continue;
        }
        let text = String::from_utf8(content).unwrap();
        let head: String = text.chars().take(300).collect();
        assert!(
            head.contains("Generated by deployc from specs/") && head.contains(".deploy"),
            "{} does not start with a header naming its spec",
            path.display()
        );
    }
}

#[test]
fn parallel_output_is_byte_identical_to_jobs_1() {
    let ws = workspace("jobs");
    assert_eq!(deployc(&ws, &["build", "--jobs", "1", "-o", "serial"]).0, 0);
    assert_eq!(
        deployc(&ws, &["build", "--jobs", "4", "-o", "parallel"]).0,
        0
    );
    let rel = |dir: &str| -> BTreeMap<PathBuf, Vec<u8>> {
        let base = ws.join(dir);
        snapshot(&base)
            .into_iter()
            .map(|(p, c)| (p.strip_prefix(&base).unwrap().to_path_buf(), c))
            .collect()
    };
    let (serial, parallel) = (rel("serial"), rel("parallel"));
    assert!(serial.len() > 100);
    assert!(serial == parallel, "--jobs 4 differs from --jobs 1");
}

#[test]
fn a_rebuild_compiles_only_what_changed_and_writes_nothing_else() {
    let ws = workspace("incremental");
    let (_, first) = deployc(&ws, &["build"]);
    assert!(first.contains("4 spec(s) (4 compiled)"), "{first}");
    let times = |dir: &Path| -> BTreeMap<PathBuf, std::time::SystemTime> {
        snapshot(dir)
            .into_keys()
            .map(|p| {
                let t = fs::metadata(&p).unwrap().modified().unwrap();
                (p, t)
            })
            .collect()
    };
    let before = times(&ws.join("generated"));
    std::thread::sleep(std::time::Duration::from_millis(20));
    let (_, second) = deployc(&ws, &["build"]);
    assert!(
        second.contains("(0 compiled)") && second.contains(", 0 changed"),
        "{second}"
    );
    assert!(
        times(&ws.join("generated")) == before,
        "a no-change rebuild wrote a file"
    );
    // One spec changes: only it is compiled.
    let spec = ws.join("specs/hsc-jit-v3.deploy");
    let text = fs::read_to_string(&spec).unwrap();
    fs::write(&spec, text.replacen("replicas 3", "replicas 4", 1)).unwrap();
    let (_, third) = deployc(&ws, &["build"]);
    assert!(third.contains("(1 compiled)"), "{third}");
    // A hand-edited generated file is noticed and restored.
    let rules = ws.join("generated/vector-db/prometheus/rules.yml");
    let original = fs::read(&rules).unwrap();
    fs::write(&rules, b"edited by hand\n").unwrap();
    assert_eq!(deployc(&ws, &["build", "--check"]).0, 1);
    let (_, fourth) = deployc(&ws, &["build"]);
    assert!(fourth.contains("(1 compiled)"), "{fourth}");
    assert_eq!(fs::read(&rules).unwrap(), original);
    // A removed file and a removed folder inside a spec's folder come back
    // (the spec folder exists, so each file is looked at), and no
    // temporary file of a replace is left behind.
    let complete = snapshot(&ws.join("generated"));
    fs::remove_file(ws.join("generated/vector-db/runbook.md")).unwrap();
    fs::remove_dir_all(ws.join("generated/vector-db/grafana")).unwrap();
    assert_eq!(deployc(&ws, &["build"]).0, 0);
    assert!(snapshot(&ws.join("generated")) == complete, "not restored");
    assert!(
        complete
            .keys()
            .all(|p| !p.to_string_lossy().ends_with(".deployc-tmp")),
        "a temporary file was left"
    );
}

#[test]
fn stream_mode_prints_every_kubernetes_object_once() {
    let (code, out) = deployc(Path::new("."), &["build", "--stdout"]);
    assert_eq!(code, 0);
    let expected: usize = snapshot(Path::new("generated"))
        .keys()
        .filter(|p| !p.to_string_lossy().contains("/environments/"))
        .filter(|p| {
            let s = p.to_string_lossy();
            ((s.contains("/kubernetes/") || s.contains("/rollouts/")) && s.ends_with(".yaml"))
                || s.ends_with("prometheus/prometheusrule.yaml")
        })
        .count();
    let docs = out.split("---\n").filter(|d| !d.trim().is_empty()).count();
    assert_eq!(docs, expected);
    for doc in out.split("---\n").filter(|d| !d.trim().is_empty()) {
        assert!(
            doc.contains("\napiVersion: ") && doc.contains("\nkind: "),
            "not an object:\n{doc}"
        );
    }
    // Nothing was written.
    assert_eq!(deployc(Path::new("."), &["build", "--check"]).0, 0);
}

#[test]
fn two_specs_of_one_name_are_refused_in_both_modes() {
    let ws = workspace("same-stem");
    fs::create_dir_all(ws.join("specs/other")).unwrap();
    fs::copy(
        ws.join("specs/vector-db.deploy"),
        ws.join("specs/other/vector-db.deploy"),
    )
    .unwrap();
    for args in [&["build"][..], &["build", "--stdout"][..]] {
        let (code, out) = deployc(&ws, args);
        assert_eq!(code, 2, "{args:?}: {out}");
        assert!(
            out.contains("would both write to `vector-db/`"),
            "{args:?}: {out}"
        );
    }
    assert!(!ws.join("generated").exists(), "nothing may be written");
}

#[cfg(unix)]
#[test]
fn a_dangling_link_in_the_output_is_replaced_not_written_through() {
    let ws = workspace("dangling-link");
    assert_eq!(deployc(&ws, &["build"]).0, 0);
    let runbook = ws.join("generated/vector-db/runbook.md");
    let outside = ws.join("outside.md");
    fs::remove_file(&runbook).unwrap();
    std::os::unix::fs::symlink(&outside, &runbook).unwrap();
    assert_eq!(deployc(&ws, &["build"]).0, 0);
    assert!(!outside.exists(), "the build wrote through a link");
    let meta = fs::symlink_metadata(&runbook).unwrap();
    assert!(meta.file_type().is_file(), "the link is still there");
}

#[test]
fn emit_writes_only_the_selected_targets_with_the_bytes_of_a_full_build() {
    let ws = workspace("emit-targets");
    let (code, out) = deployc(&ws, &["build", "-o", "full"]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = deployc(&ws, &["build", "-o", "some", "--emit", "grafana,rollouts"]);
    assert_eq!(code, 0, "{out}");
    let full = snapshot(&ws.join("full"));
    let some = snapshot(&ws.join("some"));
    let rel = |root: &str, p: &Path| p.strip_prefix(ws.join(root)).unwrap().to_path_buf();
    let full: BTreeMap<PathBuf, Vec<u8>> = full
        .iter()
        .map(|(p, b)| (rel("full", p), b.clone()))
        .collect();
    let mut folders = std::collections::BTreeSet::new();
    for (p, bytes) in &some {
        let p = rel("some", p);
        let name = p.to_string_lossy().into_owned();
        if name == ".deployc-manifest" || name.ends_with("kustomization.yaml") {
            continue; // Both list only what this build wrote.
        }
        assert_eq!(
            full.get(&p),
            Some(bytes),
            "{name} differs from a full build"
        );
        // <stem>/[environments/<env>/]<target folder>/<file>
        let parts: Vec<_> = p
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        folders.insert(parts[parts.len() - 2].clone());
    }
    assert_eq!(
        folders.into_iter().collect::<Vec<_>>(),
        ["grafana", "rollouts"]
    );

    // A full build into the same folder adds the rest and is then the full tree.
    let (code, out) = deployc(&ws, &["build", "-o", "some"]);
    assert_eq!(code, 0, "{out}");
    let again: BTreeMap<PathBuf, Vec<u8>> = snapshot(&ws.join("some"))
        .iter()
        .map(|(p, b)| (rel("some", p), b.clone()))
        .collect();
    assert_eq!(again, full);
    // And a selection again removes what it no longer emits.
    let (code, out) = deployc(&ws, &["build", "-o", "some", "--emit", "runbook"]);
    assert_eq!(code, 0, "{out}");
    let left: Vec<PathBuf> = snapshot(&ws.join("some"))
        .keys()
        .map(|p| rel("some", p))
        .collect();
    assert!(
        left.iter()
            .all(|p| p.ends_with("runbook.md") || p.ends_with(".deployc-manifest")),
        "{left:?}"
    );
    assert!(left.len() > 1);
}

#[test]
fn emit_refuses_an_unknown_target_and_names_the_closest() {
    let ws = workspace("emit-unknown");
    let (code, out) = deployc(&ws, &["build", "--emit", "kubernets"]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("a similar value exists: 'kubernetes'"),
        "{out}"
    );
    assert!(!ws.join("generated").exists());
}
