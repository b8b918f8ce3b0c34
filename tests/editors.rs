//! The editor files are well-formed and keep up with the language: the
//! TextMate grammar and the VS Code extension's JSON parse, their references
//! resolve, and every statement keyword of the documented examples is a
//! keyword of the grammar.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use serde_json::Value;

fn json(path: &str) -> Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is not JSON: {e}"))
}

fn grammar() -> Value {
    json("editors/deploy.tmLanguage.json")
}

/// Every pattern object of the grammar, nested ones included.
fn patterns(v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::Object(map) => {
            if map.contains_key("match") || map.contains_key("begin") || map.contains_key("include")
            {
                out.push(v.clone());
            }
            map.values().for_each(|x| patterns(x, out));
        }
        Value::Array(items) => items.iter().for_each(|x| patterns(x, out)),
        _ => {}
    }
}

/// The words of every `(a|b|c)` group of plain lowercase alternatives in the
/// regexes of the grammar's repository entries `entries`.
fn keywords(g: &Value, entries: &[&str]) -> BTreeSet<String> {
    let mut all = Vec::new();
    for e in entries {
        patterns(&g["repository"][e], &mut all);
    }
    let mut words = BTreeSet::new();
    for p in all {
        let Some(re) = p["match"].as_str() else {
            continue;
        };
        for group in re.split('(').skip(1) {
            let inner = group.split(')').next().unwrap_or_default();
            if inner.contains('|')
                && inner
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || "_|".contains(c))
            {
                words.extend(inner.split('|').map(str::to_string));
            }
        }
    }
    words
}

/// The first word of every statement of the ```deploy examples of the docs.
fn documented_keywords() -> BTreeSet<String> {
    let mut words = BTreeSet::new();
    for doc in ["README.md", "docs/language.md"] {
        let text = fs::read_to_string(doc).unwrap();
        for block in text.split("```deploy\n").skip(1) {
            let code = block.split("```").next().unwrap();
            // Text blocks hold no statements.
            let code: String = code
                .split("\"\"\"")
                .step_by(2)
                .collect::<Vec<_>>()
                .join("\"\"");
            for line in code.lines() {
                let line = line.split('#').next().unwrap();
                for part in line.split(['{', ';']) {
                    let word: String = part
                        .trim_start()
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || "_-.".contains(*c))
                        .collect();
                    if word.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
                        words.insert(word);
                    }
                }
            }
        }
    }
    words
}

#[test]
fn the_grammar_parses_and_its_includes_resolve() {
    let g = grammar();
    assert_eq!(g["scopeName"], "source.deploy");
    assert_eq!(g["fileTypes"], serde_json::json!(["deploy"]));
    let repository = g["repository"].as_object().expect("a repository");
    let mut all = Vec::new();
    patterns(&g, &mut all);
    assert!(all.len() > 15, "only {} patterns", all.len());
    for p in &all {
        if let Some(include) = p["include"].as_str() {
            let key = include.strip_prefix('#').expect("local includes only");
            assert!(
                repository.contains_key(key),
                "include {include} resolves nowhere"
            );
        }
        for key in ["match", "begin", "end"] {
            if let Some(v) = p.get(key) {
                assert!(v.as_str().is_some_and(|s| !s.is_empty()), "{key} in {p}");
            }
        }
    }
    // Every scope ends in the language's suffix.
    let mut names = Vec::new();
    collect_names(&g["repository"], &mut names);
    assert!(!names.is_empty());
    for n in names {
        assert!(n.ends_with(".deploy"), "scope `{n}` lacks .deploy");
    }
}

fn collect_names(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(n)) = map.get("name") {
                out.push(n.clone());
            }
            map.values().for_each(|x| collect_names(x, out));
        }
        Value::Array(items) => items.iter().for_each(|x| collect_names(x, out)),
        _ => {}
    }
}

#[test]
fn every_documented_statement_keyword_is_in_the_grammar() {
    let g = grammar();
    let known = keywords(&g, &["top-level", "statement"]);
    let documented = documented_keywords();
    assert!(
        documented.len() > 60,
        "only {} keywords found",
        documented.len()
    );
    let missing: Vec<_> = documented.difference(&known).collect();
    assert!(
        missing.is_empty(),
        "keywords missing from the grammar: {missing:?}"
    );
}

#[test]
fn the_vscode_extension_is_consistent() {
    let package = json("editors/vscode/package.json");
    json("editors/vscode/language-configuration.json");
    let contributes = &package["contributes"];
    assert_eq!(contributes["languages"][0]["id"], "deploy");
    assert_eq!(contributes["languages"][0]["extensions"][0], ".deploy");
    let contributed = &contributes["grammars"][0];
    assert_eq!(contributed["scopeName"], grammar()["scopeName"]);
    // The README's install copies editors/vscode/* and the grammar into one
    // folder; every file the manifest names must be one of those.
    let installed = |p: &str| {
        let name = p.strip_prefix("./").expect("a relative path");
        Path::new("editors/vscode").join(name).exists() || Path::new("editors").join(name).exists()
    };
    for path in [
        contributed["path"].as_str().unwrap(),
        contributes["languages"][0]["configuration"]
            .as_str()
            .unwrap(),
        package["main"].as_str().unwrap(),
    ] {
        assert!(installed(path), "{path} is not shipped");
    }
}
