//! The documentation cannot drift: docs/diagnostics.md is the registry
//! rendered (regenerate with `DEPLOYC_UPDATE_DOCS=1 cargo test --test docs`),
//! and every ```deploy example in the docs parses.

use std::fs;

use deployc::diagnostics::{Severity, CODES};

fn diagnostics_md() -> String {
    let mut out = String::from(
        "# Diagnostics\n\nEvery diagnostic deployc reports has a stable code. Errors (E) stop the build;\n\
         warnings (W) do not. `deployc explain CODE` prints the entry.\n\
         This file is generated from `src/diagnostics/codes.rs` by `tests/docs.rs`.\n\n\
         Positions: lines end at `\\n`, `\\r\\n` or a lone `\\r`; columns count\n\
         characters; a UTF-8 byte order mark is skipped (offsets count from after it).\n\
         Human output shows the first 50 diagnostics of a file, then how many more\n\
         there are; it leaves out a snippet whose lines are longer than 1,000\n\
         characters or hold a control character, and says so; it writes control\n\
         and bidirectional characters of messages as `\\u{1b}`. `--message-format\n\
         json` and `github` list every diagnostic.\n\n\
         | code | kind | what it means | how to fix it |\n|---|---|---|---|\n",
    );
    for code in CODES {
        let info = code.info();
        let kind = match info.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let cell = |s: &str| s.replace('|', "\\|");
        out.push_str(&format!(
            "| {} | {kind} | {} | {} |\n",
            info.code,
            cell(info.title),
            cell(info.help)
        ));
    }
    out
}

#[test]
fn diagnostics_reference_matches_the_registry() {
    let expected = diagnostics_md();
    if std::env::var_os("DEPLOYC_UPDATE_DOCS").is_some() {
        fs::write("docs/diagnostics.md", &expected).unwrap();
    }
    let actual = fs::read_to_string("docs/diagnostics.md").unwrap_or_default();
    assert!(
        actual == expected,
        "docs/diagnostics.md is stale: run DEPLOYC_UPDATE_DOCS=1 cargo test --test docs"
    );
}

#[test]
fn every_deploy_example_in_the_docs_parses() {
    let mut examples = 0;
    for doc in ["README.md", "docs/language.md"] {
        let text = fs::read_to_string(doc).unwrap();
        for (i, block) in text.split("```deploy\n").skip(1).enumerate() {
            let code = block.split("```").next().unwrap();
            if let Err(errors) = deployc::syntax::parse(code) {
                panic!("{doc}, example {}: {:?}\n{code}", i + 1, errors[0]);
            }
            examples += 1;
        }
    }
    assert!(examples >= 13, "only {examples} examples found");
}

#[test]
fn the_readme_example_checks_clean() {
    let text = fs::read_to_string("README.md").unwrap();
    let code = text
        .split("```deploy\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    let checked = deployc::check_source(&deployc::source::SourceFile::new("README.md", code));
    assert!(checked.diagnostics.is_empty(), "{:?}", checked.diagnostics);
    assert!(code.lines().count() <= 25);
}
