//! `deployc explain CODE`: every code of the registry has a section in
//! src/diagnostics/explanations.md, titled as in the registry, whose wrong
//! example gets exactly that code from the checker and whose fixed example
//! checks clean.

use std::process::Command;

use deployc::diagnostics::{
    explanation, fixed_example, section_title, sections, wrong_example, Code, Severity, CODES,
};
use deployc::source::SourceFile;
use deployc::Checked;

fn check(code: Code, kind: &str, text: &str) -> Checked {
    let name = format!("explanations.md ({} {kind})", code.as_str());
    deployc::check_source(&SourceFile::new(name, text.to_string()))
}

fn codes_of(checked: &Checked) -> Vec<&'static str> {
    checked
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect()
}

#[test]
fn one_section_per_code_in_registry_order() {
    let in_file: Vec<&str> = sections().map(|(code, _)| code).collect();
    let registry: Vec<&str> = CODES.iter().map(|c| c.as_str()).collect();
    assert_eq!(in_file, registry);
}

#[test]
fn section_titles_are_the_registry_titles() {
    for &code in CODES {
        let section = explanation(code).unwrap_or_else(|| panic!("{}: no section", code.as_str()));
        assert_eq!(
            section_title(section),
            Some(code.info().title),
            "{}: heading differs from the registry title",
            code.as_str()
        );
    }
}

#[test]
fn every_section_explains_before_its_examples() {
    for &code in CODES {
        let section = explanation(code).unwrap();
        let prose_end = section
            .find("\nWrong:\n")
            .or_else(|| section.find("\nFixed:\n"))
            .unwrap_or_else(|| panic!("{}: no example", code.as_str()));
        let prose = section[..prose_end].lines().skip(1).collect::<String>();
        assert!(
            prose.split_whitespace().count() >= 30,
            "{}: the explanation is too short",
            code.as_str()
        );
    }
}

#[test]
fn every_wrong_example_gets_its_code_and_no_other() {
    for &code in CODES {
        if INVISIBLE.contains(&code) {
            assert!(
                wrong_example(code).is_none(),
                "{}: its wrong example cannot be shown on the page",
                code.as_str()
            );
            continue;
        }
        let wrong =
            wrong_example(code).unwrap_or_else(|| panic!("{}: no wrong example", code.as_str()));
        let checked = check(code, "wrong", wrong);
        let codes = codes_of(&checked);
        assert!(
            codes.contains(&code.as_str()),
            "{}: the wrong example gets {codes:?}",
            code.as_str()
        );
        assert!(
            codes.iter().all(|c| *c == code.as_str()),
            "{}: the wrong example also gets other codes: {codes:?}",
            code.as_str()
        );
        if code.severity() == Severity::Error {
            assert!(
                checked.spec.is_none(),
                "{}: no model expected",
                code.as_str()
            );
        }
    }
}

/// Codes whose wrong example cannot stand on a UTF-8 page that people read:
/// invalid UTF-8, a control character, a bidirectional control. Each has
/// its own test that builds the wrong example from the fixed one.
const INVISIBLE: &[Code] = &[Code::NotUtf8, Code::ControlCharacter, Code::BidiControl];

/// E0105's wrong example is its fixed one with an escape sequence pasted
/// before `Failures`; W0106's, with a right-to-left override in the comment.
#[test]
fn the_fixed_examples_with_an_invisible_character_get_e0105_and_w0106() {
    let fixed = fixed_example(Code::ControlCharacter).expect("E0105 has a fixed example");
    assert!(fixed.contains("\"Failures"));
    let wrong = fixed.replace("\"Failures", "\"\u{1b}[31mFailures");
    let checked = check(Code::ControlCharacter, "wrong", &wrong);
    assert_eq!(codes_of(&checked), ["E0105"]);
    assert!(checked.spec.is_none());

    let fixed = fixed_example(Code::BidiControl).expect("W0106 has a fixed example");
    assert!(fixed.contains("# Reviewed"));
    let wrong = fixed.replace("# Reviewed", "# \u{202e}Reviewed");
    let checked = check(Code::BidiControl, "wrong", &wrong);
    assert_eq!(codes_of(&checked), ["W0106"]);
    assert!(checked.spec.is_some(), "a warning keeps the model");
}

/// E0100's wrong example is its fixed one saved as Latin-1.
#[test]
fn the_fixed_utf8_example_saved_as_latin1_gets_e0100() {
    let fixed = fixed_example(Code::NotUtf8).expect("E0100 has a fixed example");
    assert!(fixed.contains('é'), "E0100: the fixed example needs an `é`");
    let latin1: Vec<u8> = fixed
        .chars()
        .map(|c| u8::try_from(u32::from(c)).expect("Latin-1 text"))
        .collect();
    let (_, checked) = deployc::check_bytes("latin1.deploy", &latin1);
    assert_eq!(codes_of(&checked), ["E0100"]);
}

/// A fixed example that still warns would teach the wrong lesson, so the
/// fixed examples get no diagnostic at all, not even a warning.
#[test]
fn every_fixed_example_checks_clean() {
    for &code in CODES {
        let fixed =
            fixed_example(code).unwrap_or_else(|| panic!("{}: no fixed example", code.as_str()));
        let checked = check(code, "fixed", fixed);
        let codes = codes_of(&checked);
        assert!(
            codes.is_empty() && checked.spec.is_some(),
            "{}: the fixed example gets {codes:?}",
            code.as_str()
        );
    }
}

fn deployc(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_deployc"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("deployc runs")
}

#[test]
fn the_binary_prints_the_whole_section() {
    let out = deployc(&["explain", "E0501"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let section = explanation(Code::Cycle).unwrap();
    assert!(stdout.contains(section), "{stdout}");
    assert!(stdout.starts_with("## E0501: phases depend on each other in a cycle"));
    assert!(stdout.contains(wrong_example(Code::Cycle).unwrap()));
    assert!(stdout.contains(fixed_example(Code::Cycle).unwrap()));
}

#[test]
fn the_binary_rejects_an_unknown_code() {
    let out = deployc(&["explain", "E9999"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("E9999"));
}
