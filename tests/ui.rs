//! UI tests: every file in tests/ui/ is an invalid spec named after the code
//! it must produce (`E0501-cycle.deploy`). Each rendered diagnostic is a
//! snapshot, every span must lie inside its source, and every code of the
//! registry must be exercised by at least one case.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use deployc::diagnostics::{render_human_plain, CODES};

fn cases() -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = fs::read_dir("tests/ui")
        .expect("tests/ui exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "deploy"))
        .map(|p| {
            (
                p.file_stem().unwrap().to_string_lossy().into_owned(),
                fs::read(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_case_reports_its_code_within_its_source() {
    let cases = cases();
    assert!(cases.len() >= 40, "only {} UI cases", cases.len());
    for (name, bytes) in &cases {
        let expected = name.split('-').next().unwrap();
        let (source, checked) = deployc::check_bytes(&format!("tests/ui/{name}.deploy"), bytes);
        let codes: Vec<&str> = checked
            .diagnostics
            .iter()
            .map(|d| d.code.as_str())
            .collect();
        assert!(
            codes.contains(&expected),
            "{name}: expected {expected}, got {codes:?}"
        );
        if expected.starts_with('E') {
            assert!(
                checked.spec.is_none(),
                "{name}: an error must withhold the model"
            );
        }
        for d in &checked.diagnostics {
            let spans = std::iter::once(d.span).chain(d.related.iter().map(|r| r.span));
            for s in spans {
                assert!(
                    s.end <= source.text.len(),
                    "{name}: span {s} outside a {}-byte source",
                    source.text.len()
                );
                assert!(
                    source.text.is_char_boundary(s.start) && source.text.is_char_boundary(s.end),
                    "{name}: span {s} splits a character"
                );
            }
            assert!(
                !d.label.is_empty() && !d.help.is_empty(),
                "{name}: {} lacks a label or help",
                d.code.as_str()
            );
        }
    }
}

#[test]
fn every_code_has_a_case() {
    let covered: BTreeSet<String> = cases()
        .iter()
        .map(|(n, _)| n.split('-').next().unwrap().to_string())
        .collect();
    let missing: Vec<&str> = CODES
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !covered.contains(*c))
        .collect();
    assert!(missing.is_empty(), "codes without a UI case: {missing:?}");
}

#[test]
fn rendered_diagnostics() {
    for (name, bytes) in cases() {
        let (source, checked) = deployc::check_bytes(&format!("tests/ui/{name}.deploy"), &bytes);
        let rendered = render_human_plain(&checked.diagnostics, &source);
        insta::with_settings!({ snapshot_path => Path::new("ui/snapshots"), prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(name, rendered);
        });
    }
}

#[test]
fn machine_formats() {
    let (mut json, mut github) = (String::new(), String::new());
    for (name, bytes) in cases() {
        let (source, checked) = deployc::check_bytes(&format!("tests/ui/{name}.deploy"), &bytes);
        let j = deployc::diagnostics::render_json(&checked.diagnostics, &source);
        let lines: Vec<&str> = j.lines().collect();
        assert_eq!(
            lines.len(),
            checked.diagnostics.len(),
            "{name}: one JSON line per diagnostic"
        );
        for (line, d) in lines.iter().zip(&checked.diagnostics) {
            let v: serde_json::Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{name}: {e}: {line}"));
            for key in [
                "code", "severity", "file", "line", "column", "end", "message", "labels", "help",
            ] {
                assert!(!v[key].is_null(), "{name}: JSON lacks {key}");
            }
            // miette heads the snippet holding the primary label with that
            // label's `[file:line:col]`, and a report without a snippet
            // names it in its note (`at file:line:col;`): the JSON must name
            // the same place.
            let human = render_human_plain(std::slice::from_ref(d), &source);
            let place = format!(
                "{}:{}:{}",
                v["file"].as_str().unwrap(),
                v["line"],
                v["column"]
            );
            let at = format!("─[{place}]");
            assert!(
                human.contains(&at) || human.contains(&format!("{place};")),
                "{name}: JSON says {at}, the human report does not:\n{human}"
            );
        }
        json.push_str(&format!("## {name}\n{j}"));
        github.push_str(&format!(
            "## {name}\n{}",
            deployc::diagnostics::render_github(&checked.diagnostics, &source)
        ));
    }
    insta::with_settings!({ snapshot_path => Path::new("ui/snapshots"), prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("all-cases.json", json);
        insta::assert_snapshot!("all-cases.github", github);
    });
}
