//! `deployc build` treats its output folder as a security boundary: it
//! never writes, reads through or removes anything outside it, whatever the
//! manifest, the spec file names or links inside the folder say; it never
//! overwrites a file it did not write; two builds of one folder do not
//! clash; and an I/O error mid-build leaves a manifest that lists every
//! file on disk. Each test drives the binary in a scratch folder and failed
//! on the code before these rules (issue "Never write outside its folder").

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

mod common;
use common::deployc;

/// Runs deployc and asserts its exit code, returning its output.
#[track_caller]
fn run(dir: &Path, args: &[&str], code: i32) -> String {
    let (got, text) = deployc(dir, args);
    assert_eq!(got, code, "deployc {args:?}:\n{text}");
    text
}

/// A fresh folder with two starter specs, `mini.deploy` and `other.deploy`.
fn workspace(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("path-safety")
        .join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    run(&dir, &["init", "mini", "--dir", "."], 0);
    run(&dir, &["init", "other", "--dir", "."], 0);
    dir
}

/// A copy of the seed specs in `<ws>/specs`, for builds with more files.
fn seed_specs(ws: &Path) {
    fs::create_dir_all(ws.join("specs")).unwrap();
    for e in fs::read_dir("specs").unwrap() {
        let p = e.unwrap().path();
        fs::copy(&p, ws.join("specs").join(p.file_name().unwrap())).unwrap();
    }
}

/// Every file below `dir` (links not followed) with its bytes, relative.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, d: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            let meta = fs::symlink_metadata(&p).unwrap();
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            if meta.is_dir() {
                walk(root, &p, out);
            } else if meta.is_file() {
                out.insert(rel, fs::read(&p).unwrap());
            } else {
                out.insert(rel, b"<link>".to_vec());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Every file the manifest in `out` lists, over all its lines (a spec may
/// have several while a build runs).
fn owned(out: &Path) -> BTreeSet<String> {
    let text = fs::read_to_string(out.join(".deployc-manifest")).unwrap();
    let mut lines = text.lines();
    let header: serde_json::Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(header["deployc_manifest"], 2, "{text}");
    lines
        .flat_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["files"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect::<Vec<_>>()
        })
        .collect()
}

fn append(path: &Path, line: &str) {
    let mut text = fs::read_to_string(path).unwrap();
    text.push_str(line);
    text.push('\n');
    fs::write(path, text).unwrap();
}

/// A victim file outside the output folder, alone in its folder.
fn victim(ws: &Path) -> PathBuf {
    let file = ws.join("victim/file");
    fs::create_dir_all(file.parent().unwrap()).unwrap();
    fs::write(&file, "precious").unwrap();
    file
}

#[test]
fn manifest_entries_outside_the_folder_are_refused_and_delete_nothing() {
    let ws = workspace("manifest-outside");
    let file = victim(&ws);
    let manifest = ws.join("out/.deployc-manifest");
    let absolute = file.display().to_string();
    let json = |path: &str| {
        format!(
            r#"{{"spec":"mini","source":"mini.deploy","input_hash":"0000000000000000","files":{{{}:"0123456789abcdef"}}}}"#,
            serde_json::to_string(path).unwrap()
        )
    };
    let injections = [
        // The line of the issue, in the first (space-separated) format.
        "0123456789abcdef ../victim/file".to_string(),
        format!("0123456789abcdef {absolute}"),
        json("../victim/file"),
        json(&absolute),
        json("mini/../../victim/file"),
        json("mini/./x"),
        json("mini\\..\\..\\victim\\file"),
        r#"{"spec":"..","source":"x","input_hash":"0000000000000000","files":{"../victim/file":"0123456789abcdef"}}"#.into(),
    ];
    for injection in &injections {
        for args in [
            &["build", "mini.deploy", "-o", "out", "--force"][..],
            &["build", "mini.deploy", "-o", "out", "--check"][..],
            // A spec edit without --force: the spec is rebuilt, and a file
            // it no longer lists would be removed.
            &["build", "other.deploy", "-o", "out"][..],
        ] {
            let _ = fs::remove_dir_all(ws.join("out"));
            run(&ws, &["build", "mini.deploy", "-o", "out"], 0);
            append(&manifest, injection);
            let before = snapshot(&ws.join("out"));
            let text = run(&ws, args, 2);
            assert!(
                text.contains(".deployc-manifest, line ") && text.contains("nothing was changed"),
                "{injection} {args:?}: {text}"
            );
            assert_eq!(
                fs::read_to_string(&file).unwrap(),
                "precious",
                "{injection}"
            );
            assert!(
                snapshot(&ws.join("out")) == before,
                "{injection}: out changed"
            );
        }
    }
    // The line is named: the old format's file line is the manifest's last.
    let _ = fs::remove_dir_all(ws.join("out"));
    run(&ws, &["build", "mini.deploy", "-o", "out"], 0);
    fs::write(
        &manifest,
        "# Files generated by deployc; it removes only these. Do not edit.\n\
         spec mini 0000000000000000 mini.deploy\n\
         0123456789abcdef ../victim/file\n",
    )
    .unwrap();
    let text = run(&ws, &["build", "other.deploy", "-o", "out"], 2);
    assert!(
        text.contains("out/.deployc-manifest, line 3: `../victim/file` is not a path inside"),
        "{text}"
    );
    assert!(file.exists());
}

#[test]
fn a_manifest_that_cannot_be_read_deletes_nothing() {
    let ws = workspace("manifest-unreadable");
    run(&ws, &["build", "mini.deploy", "-o", "out"], 0);
    let before = snapshot(&ws.join("out/mini"));
    let manifest = ws.join("out/.deployc-manifest");
    let good = fs::read_to_string(&manifest).unwrap();
    for bad in [
        "hello\n".to_string(),
        "{\"deployc_manifest\":3}\n".to_string(),
        good.replace("\"files\":{", "\"files\":{\"mini/x\":\"not a hash\","),
        good.replacen('\n', "\n\u{0}", 1),
    ] {
        fs::write(&manifest, &bad).unwrap();
        // Building only the other spec would remove mini's files.
        let text = run(&ws, &["build", "other.deploy", "-o", "out"], 2);
        assert!(text.contains("nothing was changed"), "{bad}: {text}");
        assert!(snapshot(&ws.join("out/mini")) == before, "{bad}");
        assert!(!ws.join("out/other").exists(), "{bad}");
    }
    fs::write(&manifest, [0xff, 0xfe]).unwrap();
    let text = run(&ws, &["build", "other.deploy", "-o", "out"], 2);
    assert!(text.contains("line 1: not UTF-8"), "{text}");
    assert!(snapshot(&ws.join("out/mini")) == before);
}

#[test]
fn spec_file_names_that_are_not_one_safe_folder_name_are_refused() {
    let ws = workspace("stems");
    let text = fs::read_to_string(ws.join("mini.deploy")).unwrap();
    let long = format!("{}.deploy", "a".repeat(101));
    let names = [
        "...deploy", // stem `..`: the output folder's parent
        ".deploy",   // empty stem: the output folder itself
        "my spec.deploy",
        "two\nlines.deploy",
        "-rf.deploy",
        ".hidden.deploy",
        long.as_str(),
    ];
    for (i, name) in names.into_iter().enumerate() {
        let dir = ws.join(format!("case-{i}"));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("specs")).unwrap();
        fs::write(dir.join("specs").join(name), &text).unwrap();
        let spec = format!("specs/{name}");
        for args in [
            &["build", spec.as_str(), "-o", "out"][..],
            &["build", spec.as_str(), "--stdout"][..],
        ] {
            let out = run(&dir, args, 2);
            assert!(
                out.contains(&format!("{spec}: `")) && out.contains("cannot name an output folder"),
                "{name:?}: {out}"
            );
        }
        assert_eq!(
            fs::read_dir(&dir).unwrap().count(),
            1,
            "{name:?}: something was written next to specs/"
        );
        assert_eq!(
            fs::read_dir(dir.join("specs")).unwrap().count(),
            1,
            "{name:?}"
        );
    }
    // The longest name allowed builds.
    let dir = ws.join("case-longest");
    fs::create_dir_all(&dir).unwrap();
    let longest = format!("{}.deploy", "a".repeat(100));
    fs::write(dir.join(&longest), &text).unwrap();
    run(&dir, &["build", &longest, "-o", "out"], 0);
    assert!(dir
        .join("out")
        .join("a".repeat(100))
        .join("runbook.md")
        .exists());
}

#[test]
fn names_with_spaces_and_line_breaks_round_trip_through_the_manifest() {
    let ws = workspace("manifest-names");
    let runbook = ws.join("runbook.md");
    fs::write(&runbook, "mine").unwrap();
    // A folder name that wrote a file line into the first format.
    let folder = ws.join("my specs\n0123456789abcdef ../runbook.md\nx");
    fs::create_dir_all(&folder).unwrap();
    fs::rename(ws.join("mini.deploy"), folder.join("mini.deploy")).unwrap();
    let spec = "my specs\n0123456789abcdef ../runbook.md\nx/mini.deploy";
    run(&ws, &["build", spec, "-o", "out"], 0);
    let manifest = fs::read_to_string(ws.join("out/.deployc-manifest")).unwrap();
    assert_eq!(manifest.lines().count(), 2, "{manifest}");
    assert!(owned(&ws.join("out"))
        .iter()
        .all(|p| p.starts_with("mini/")));
    // Read back as written: nothing is recompiled.
    let text = run(&ws, &["build", spec, "-o", "out"], 0);
    assert!(text.contains("(0 compiled)"), "{text}");
    // The spec goes: its files go, and nothing outside.
    let text = run(&ws, &["build", "other.deploy", "-o", "out"], 0);
    assert!(!ws.join("out/mini").exists(), "{text}");
    assert_eq!(fs::read_to_string(&runbook).unwrap(), "mine");
}

#[test]
fn a_manifest_of_the_first_format_keeps_its_files_owned() {
    let ws = workspace("manifest-v1");
    run(
        &ws,
        &["build", "mini.deploy", "other.deploy", "-o", "out"],
        0,
    );
    let path = ws.join("out/.deployc-manifest");
    // The same manifest as the first format wrote it.
    let json = fs::read_to_string(&path).unwrap();
    let mut v1 =
        String::from("# Files generated by deployc; it removes only these. Do not edit.\n");
    for line in json.lines().skip(1) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        v1.push_str(&format!(
            "spec {} {} {}\n",
            v["spec"].as_str().unwrap(),
            v["input_hash"].as_str().unwrap(),
            v["source"].as_str().unwrap()
        ));
        for (file, hash) in v["files"].as_object().unwrap() {
            v1.push_str(&format!("{} {file}\n", hash.as_str().unwrap()));
        }
    }
    fs::write(&path, &v1).unwrap();
    // Edit a file by hand: it is deployc's, so it is restored, not refused.
    let rules = ws.join("out/mini/prometheus/rules.yml");
    let original = fs::read(&rules).unwrap();
    fs::write(&rules, "edited\n").unwrap();
    run(
        &ws,
        &["build", "mini.deploy", "other.deploy", "-o", "out"],
        0,
    );
    assert_eq!(fs::read(&rules).unwrap(), original);
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        json,
        "not rewritten as JSON lines"
    );
    // And ownership carried over: a spec that goes takes its files along.
    fs::write(&path, &v1).unwrap();
    run(&ws, &["build", "other.deploy", "-o", "out"], 0);
    assert!(!ws.join("out/mini").exists());
}

#[cfg(unix)]
#[test]
fn links_below_the_output_folder_are_never_followed() {
    use std::os::unix::fs::symlink;
    let ws = workspace("links");
    let elsewhere = ws.join("elsewhere");
    let out = ws.join("out");
    let build = ["build", "mini.deploy", "other.deploy", "-o", "out"];

    // A folder of a spec is a link to another folder.
    run(&ws, &build, 0);
    fs::create_dir_all(&elsewhere).unwrap();
    fs::remove_dir_all(out.join("mini/kubernetes")).unwrap();
    symlink(&elsewhere, out.join("mini/kubernetes")).unwrap();
    for args in [
        &build[..],
        &[&build[..], &["--force"]].concat(),
        &[&build[..], &["--check"]].concat(),
    ] {
        let text = run(&ws, args, 2);
        assert!(
            text.contains("out/mini/kubernetes is a symbolic link"),
            "{args:?}: {text}"
        );
        assert_eq!(
            fs::read_dir(&elsewhere).unwrap().count(),
            0,
            "{args:?}: wrote through the link"
        );
    }

    // The spec folder itself is a link: a rebuild of the spec must not
    // write there, and dropping the spec must not remove there.
    let _ = fs::remove_dir_all(&out);
    let _ = fs::remove_dir_all(&elsewhere);
    run(&ws, &build, 0);
    fs::rename(out.join("mini"), &elsewhere).unwrap();
    symlink(&elsewhere, out.join("mini")).unwrap();
    let before = snapshot(&elsewhere);
    let spec = ws.join("mini.deploy");
    let text = fs::read_to_string(&spec).unwrap();
    fs::write(&spec, text.replacen("replicas 3", "replicas 4", 1)).unwrap();
    for args in [&build[..], &["build", "other.deploy", "-o", "out"][..]] {
        let text = run(&ws, args, 2);
        assert!(
            text.contains("out/mini is a symbolic link"),
            "{args:?}: {text}"
        );
        assert!(
            snapshot(&elsewhere) == before,
            "{args:?}: changed through the link"
        );
    }

    // A link at a file's own place is replaced, not written through.
    let _ = fs::remove_dir_all(&out);
    run(&ws, &build, 0);
    let target = ws.join("target.md");
    fs::write(&target, "mine").unwrap();
    fs::remove_file(out.join("mini/runbook.md")).unwrap();
    symlink(&target, out.join("mini/runbook.md")).unwrap();
    run(&ws, &build, 0);
    assert_eq!(fs::read_to_string(&target).unwrap(), "mine");
    assert!(fs::symlink_metadata(out.join("mini/runbook.md"))
        .unwrap()
        .is_file());

    // The manifest itself must not be a link.
    fs::rename(out.join(".deployc-manifest"), ws.join("manifest")).unwrap();
    symlink(ws.join("manifest"), out.join(".deployc-manifest")).unwrap();
    let text = run(&ws, &build, 2);
    assert!(
        text.contains(".deployc-manifest is a symbolic link"),
        "{text}"
    );

    // The output folder itself may be a link: the user chose it.
    let real = ws.join("real");
    fs::create_dir_all(&real).unwrap();
    symlink(&real, ws.join("linked")).unwrap();
    run(&ws, &["build", "mini.deploy", "-o", "linked"], 0);
    assert!(real.join("mini/runbook.md").exists());
    let text = run(&ws, &["build", "mini.deploy", "-o", "linked"], 0);
    assert!(text.contains(", 0 changed"), "{text}");
}

#[test]
fn a_file_deployc_did_not_write_is_never_overwritten() {
    let ws = workspace("foreign");
    let out = ws.join("out");
    // A first build writes only runbooks; then someone puts a dashboard of
    // their own where the next build's would go.
    run(
        &ws,
        &[
            "build",
            "mini.deploy",
            "other.deploy",
            "-o",
            "out",
            "--emit",
            "runbook",
        ],
        0,
    );
    let theirs = out.join("mini/grafana/dashboard-mini.json");
    fs::create_dir_all(theirs.parent().unwrap()).unwrap();
    fs::write(&theirs, "theirs").unwrap();
    let full = ["build", "mini.deploy", "other.deploy", "-o", "out"];
    let text = run(&ws, &[&full[..], &["--check"]].concat(), 1);
    assert!(
        text.contains("not deployc's (a build refuses to overwrite it without --force): out/mini/grafana/dashboard-mini.json"),
        "{text}"
    );
    let text = run(&ws, &full, 2);
    assert!(
        text.contains("refusing to overwrite 1 file(s) deployc did not write")
            && text.contains("  out/mini/grafana/dashboard-mini.json"),
        "{text}"
    );
    assert_eq!(fs::read_to_string(&theirs).unwrap(), "theirs");
    // Nothing of that spec was written; the other spec was, and is owned.
    assert!(!out.join("mini/kubernetes").exists());
    assert!(owned(&out).contains("other/grafana/dashboard-other.json"));
    // --force overwrites it, and from then on deployc owns it.
    run(&ws, &[&full[..], &["--force"]].concat(), 0);
    assert_ne!(fs::read_to_string(&theirs).unwrap(), "theirs");
    assert!(owned(&out).contains("mini/grafana/dashboard-mini.json"));

    // No manifest at all: a differing file is refused, one with exactly
    // deployc's bytes is taken over.
    let copy = fs::read(out.join("mini/runbook.md")).unwrap();
    let fresh = ws.join("fresh");
    fs::create_dir_all(fresh.join("mini")).unwrap();
    fs::write(fresh.join("mini/runbook.md"), "mine").unwrap();
    let text = run(&ws, &["build", "mini.deploy", "-o", "fresh"], 2);
    assert!(text.contains("  fresh/mini/runbook.md"), "{text}");
    assert_eq!(
        fs::read_to_string(fresh.join("mini/runbook.md")).unwrap(),
        "mine"
    );
    fs::write(fresh.join("mini/runbook.md"), &copy).unwrap();
    run(&ws, &["build", "mini.deploy", "-o", "fresh"], 0);
    assert!(owned(&fresh).contains("mini/runbook.md"));
}

#[test]
fn two_builds_of_one_folder_at_once_both_succeed() {
    let ws = workspace("concurrent");
    seed_specs(&ws);
    for i in 0..12 {
        let out = format!("out-{i}");
        // Every file edited by hand: both builds replace every file, each
        // through a temporary file beside it.
        run(&ws, &["build", "specs", "-o", &out], 0);
        for path in snapshot(&ws.join(&out)).into_keys() {
            if path != ".deployc-manifest" {
                fs::write(ws.join(&out).join(path), "edited\n").unwrap();
            }
        }
        let spawn = || {
            Command::new(env!("CARGO_BIN_EXE_deployc"))
                .args(["build", "specs", "-o", &out])
                .current_dir(&ws)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn(), spawn());
        for child in [a, b] {
            let output = child.wait_with_output().unwrap();
            assert!(
                output.status.success(),
                "pair {i}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        run(&ws, &["build", "specs", "-o", &out, "--check"], 0);
        assert!(
            snapshot(&ws.join(&out))
                .keys()
                .all(|p| !p.contains(".deployc-tmp")),
            "a temporary file was left"
        );
    }
}

/// The lock is a `flock` on the output folder (flock(2)): a build waits
/// while another process holds it, and says why.
#[cfg(unix)]
#[test]
fn a_build_waits_for_the_one_holding_the_folder() {
    use std::os::fd::AsRawFd;
    let ws = workspace("lock");
    run(&ws, &["build", "mini.deploy", "-o", "out"], 0);
    let folder = fs::File::open(ws.join("out")).unwrap();
    // SAFETY: flock takes no pointers; the folder stays open for the test.
    assert_eq!(unsafe { libc::flock(folder.as_raw_fd(), libc::LOCK_EX) }, 0);
    let mut child = Command::new(env!("CARGO_BIN_EXE_deployc"))
        .args(["build", "mini.deploy", "other.deploy", "-o", "out"])
        .current_dir(&ws)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Its first line of stderr: the build says it waits (or, on code
    // without the lock, it finishes and says nothing).
    let stderr = child.stderr.take().unwrap();
    let first = std::thread::spawn(move || {
        let mut line = String::new();
        let mut reader = std::io::BufReader::new(stderr);
        std::io::BufRead::read_line(&mut reader, &mut line).unwrap();
        (line, reader)
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !first.is_finished() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(first.is_finished(), "the build neither waits nor ends");
    assert!(
        !ws.join("out/other").exists(),
        "wrote while the folder was locked"
    );
    let (line, mut rest) = first.join().unwrap();
    assert_eq!(
        line,
        "deployc: another deployc build is running in out; waiting for it to finish\n"
    );
    drop(folder);
    let status = child.wait().unwrap();
    let mut more = String::new();
    std::io::Read::read_to_string(&mut rest, &mut more).unwrap();
    assert!(status.success(), "{more}");
    assert!(ws.join("out/other/runbook.md").exists());
}

#[test]
fn an_io_error_mid_build_leaves_a_manifest_that_lists_every_file_written() {
    let ws = workspace("io-error");
    seed_specs(&ws);
    let out = ws.join("out");
    run(
        &ws,
        &["build", "specs", "-o", "out", "--emit", "runbook"],
        0,
    );
    // A folder where the full build must write a file deployc owns: the
    // write fails after other files, of this spec and others, were written.
    let blocker = out.join("vector-db/runbook.md");
    fs::remove_file(&blocker).unwrap();
    fs::create_dir_all(blocker.join("in-the-way")).unwrap();
    let text = run(&ws, &["build", "specs", "-o", "out", "--jobs", "1"], 2);
    assert!(text.contains("cannot write"), "{text}");
    let on_disk: BTreeSet<String> = snapshot(&out)
        .into_keys()
        .filter(|p| p != ".deployc-manifest" && !p.starts_with("vector-db/runbook.md/"))
        .collect();
    assert!(
        on_disk.iter().any(|p| p.ends_with(".yaml")),
        "the build failed before writing anything: {on_disk:?}"
    );
    let listed = owned(&out);
    let unlisted: Vec<_> = on_disk.difference(&listed).collect();
    assert!(
        unlisted.is_empty(),
        "written but not in the manifest: {unlisted:?}"
    );
    // The next builds clean up: a runbook-only build removes every other file.
    fs::remove_dir_all(&blocker).unwrap();
    run(&ws, &["build", "specs", "-o", "out"], 0);
    run(
        &ws,
        &["build", "specs", "-o", "out", "--emit", "runbook"],
        0,
    );
    let left: Vec<String> = snapshot(&out).into_keys().collect();
    assert!(
        left.iter()
            .all(|p| p.ends_with("/runbook.md") || p == ".deployc-manifest"),
        "{left:?}"
    );
    assert_eq!(left.len(), 5, "{left:?}");
}
