//! The formatter never changes what a spec means. For every spec, every UI
//! case that parses and thousands of seeded mutations of them that still
//! parse: formatting is idempotent, keeps the syntax tree (spans aside) and
//! every comment in order, and checks to the same diagnostics and model.
//! The specs of the repository are formatted.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use deployc::source::SourceFile;
use deployc::syntax::{self, Statement, SyntaxTree, Value};

/// xorshift64*: a tiny deterministic generator (as in tests/robustness.rs).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Layout-heavy tokens: what the formatter has to place.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "{}",
    ";",
    "\n",
    "\n\n\n",
    "\r\n",
    "\r",
    "\r\r\n",
    "  ",
    "\t",
    "# a comment",
    "#",
    " # trailing  ",
    "\n# own line\n",
    "\"\"\"\n  text\n\n    nested\n\"\"\"",
    "\"\"\"inline\"\"\"",
    "\"\"\"\"\"\"",
    "\"esc \\\" \\\\ \\n \\t\"",
    "\"\"",
    ",",
    "1%..5%",
    "15m",
    "0.50",
    "T+0",
    "D-7",
    "<=",
    "!=",
    "gate",
    "phase",
    "metric",
    "service",
    "check",
    "detail",
    "x",
    "é",
];

fn deploy_files(dir: &str) -> Vec<(String, String)> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "deploy"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|p| {
            let text = String::from_utf8(fs::read(&p).unwrap()).ok()?;
            Some((p.display().to_string(), text))
        })
        .collect()
}

/// Every spec, and every UI case that parses.
fn corpus() -> Vec<(String, String)> {
    let specs = deploy_files("specs");
    assert!(specs.len() >= 4, "specs/ went missing");
    let ui: Vec<_> = deploy_files("tests/ui")
        .into_iter()
        .filter(|(_, t)| syntax::parse(t).is_ok())
        .collect();
    assert!(ui.len() >= 30, "only {} UI cases parse", ui.len());
    specs.into_iter().chain(ui).collect()
}

fn mutate(rng: &mut Rng, input: &str) -> String {
    let mut v = input.as_bytes().to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(v.len() + 1);
        match rng.below(5) {
            0 if !v.is_empty() => {
                let end = (at + rng.below(40)).min(v.len());
                v.drain(at.min(end)..end);
            }
            1 | 2 => {
                let t = TOKENS[rng.below(TOKENS.len())].as_bytes();
                v.splice(at..at, t.iter().copied());
            }
            3 if !v.is_empty() => {
                let start = rng.below(v.len());
                let end = (start + rng.below(200)).min(v.len());
                let chunk = v[start..end].to_vec();
                v.splice(at..at, chunk);
            }
            _ => {
                let line: Vec<u8> = (0..rng.below(8))
                    .flat_map(|_| {
                        let mut t = TOKENS[rng.below(TOKENS.len())].as_bytes().to_vec();
                        t.push(if rng.below(4) == 0 { b'\n' } else { b' ' });
                        t
                    })
                    .collect();
                v.splice(at..at, line);
            }
        }
    }
    // Cutting inside a character is not what this test is about.
    String::from_utf8_lossy(&v).into_owned()
}

/// A statement without spans: what the formatter must keep.
#[derive(Debug, PartialEq)]
struct Shape {
    keyword: String,
    args: Vec<String>,
    block: Option<Vec<Shape>>,
}

fn shape(statements: &[Statement]) -> Vec<Shape> {
    statements
        .iter()
        .map(|s| Shape {
            keyword: s.keyword.text.clone(),
            args: s
                .args
                .iter()
                .map(|a| match &a.value {
                    Value::Quantity(q) => {
                        format!("Quantity({:?} {:?} {:?})", q.number, q.unit, q.text)
                    }
                    Value::Range(lo, hi) => format!("Range({:?} {:?})", lo.text, hi.text),
                    other => format!("{other:?}"),
                })
                .collect(),
            block: s.block.as_ref().map(|b| shape(&b.statements)),
        })
        .collect()
}

fn comments(tree: &SyntaxTree) -> Vec<String> {
    tree.comments
        .iter()
        .map(|c| c.text.trim_end().to_string())
        .collect()
}

/// The properties, for one input that parses (`before` is its tree).
/// Returns whether the input checks to a model.
fn check_formatting(name: &str, input: &str, before: &SyntaxTree) -> bool {
    let out = deployc::fmt::format(input)
        .unwrap_or_else(|e| panic!("{name}: parses but does not format: {e:?}"));
    let ctx = || format!("{name}\n--- input:\n{input}\n--- output:\n{out}");
    // (a) idempotent
    let again = deployc::fmt::format(&out)
        .unwrap_or_else(|e| panic!("output does not parse: {e:?}\n{}", ctx()));
    assert_eq!(again, out, "not idempotent: {}", ctx());
    // The same statements, arguments and text block contents.
    let after = syntax::parse(&out).unwrap();
    assert_eq!(
        shape(&before.statements),
        shape(&after.statements),
        "tree changed: {}",
        ctx()
    );
    // (b) the same diagnostics and model
    let checked_in = deployc::check_source(&SourceFile::new(name, input));
    let checked_out = deployc::check_source(&SourceFile::new(name, out.as_str()));
    // Diagnostics are sorted by position, which moves: compare as sets.
    let codes = |c: &deployc::Checked| -> Vec<&'static str> {
        let mut codes: Vec<_> = c.diagnostics.iter().map(|d| d.code.as_str()).collect();
        codes.sort();
        codes
    };
    assert_eq!(
        codes(&checked_in),
        codes(&checked_out),
        "diagnostics: {}",
        ctx()
    );
    assert_eq!(
        checked_in.spec,
        checked_out.spec,
        "model changed: {}",
        ctx()
    );
    // (c) every comment, in order
    assert_eq!(comments(before), comments(&after), "comments: {}", ctx());
    // One line break at the end, nothing for an empty spec.
    assert!(
        out.is_empty() || (out.ends_with('\n') && !out.ends_with("\n\n")),
        "file end: {}",
        ctx()
    );
    checked_in.spec.is_some()
}

#[test]
fn specs_and_ui_cases_keep_their_meaning() {
    let mut models = 0;
    for (name, text) in corpus() {
        let tree = syntax::parse(&text).unwrap();
        models += usize::from(check_formatting(&name, &text, &tree));
    }
    assert!(models >= 4, "only {models} inputs check to a model");
}

/// Pieces of the specs: runs of one to three consecutive top-level
/// statements (with the comments around them), small enough to mutate
/// thousands of times.
fn spec_pieces() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (name, text) in deploy_files("specs") {
        let tree = syntax::parse(&text).unwrap();
        let mut cuts: Vec<usize> = tree
            .statements
            .iter()
            .map(|s| text[..s.span.start].rfind('\n').map_or(0, |i| i + 1))
            .collect();
        cuts[0] = 0;
        cuts.push(text.len());
        for len in 1..=3 {
            for i in 0..cuts.len().saturating_sub(len) {
                let piece = &text[cuts[i]..cuts[i + len]];
                out.push((format!("{name}, statements {i}+{len}"), piece.to_string()));
            }
        }
    }
    out
}

/// Mutates inputs from `corpus` until `wanted` of them parse, and checks
/// the properties on each; returns how many checked to a model.
fn mutations(corpus: &[(String, String)], seed: u64, wanted: usize) -> usize {
    let mut rng = Rng(seed);
    let (mut tried, mut parsed, mut models) = (0, 0, 0);
    while parsed < wanted {
        tried += 1;
        assert!(
            tried < 50 * wanted,
            "only {parsed} of {tried} mutations parse"
        );
        let (name, base) = &corpus[rng.below(corpus.len())];
        let input = mutate(&mut rng, base);
        let Ok(tree) = syntax::parse(&input) else {
            continue;
        };
        let name = format!("mutation {tried} (seed {seed:#x}) of {name}");
        models += usize::from(check_formatting(&name, &input, &tree));
        parsed += 1;
    }
    eprintln!("seed {seed:#x}: {tried} mutations, {parsed} parse, {models} check to a model");
    models
}

#[test]
fn three_thousand_mutations_that_parse_keep_their_meaning() {
    let mut corpus = corpus();
    corpus.retain(|(name, _)| !name.starts_with("specs"));
    corpus.extend(spec_pieces());
    mutations(&corpus, 0xf0f0_1234_5678_9abc, 3_000);
}

#[test]
fn mutated_whole_specs_keep_their_model() {
    let models = mutations(&deploy_files("specs"), 0x0dd_5eed, 100);
    assert!(models >= 20, "only {models} mutated specs check to a model");
}

#[test]
fn specs_are_formatted() {
    for (name, text) in deploy_files("specs") {
        let out = deployc::fmt::format(&text).unwrap();
        if out != text {
            let line = text
                .lines()
                .zip(out.lines())
                .position(|(a, b)| a != b)
                .map_or(0, |i| i + 1);
            panic!("{name} is not formatted (first difference on line {line}); run `deployc fmt`");
        }
    }
}

fn deployc(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_deployc"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap(), text)
}

#[test]
fn fmt_check_on_specs_is_clean() {
    let (code, text) = deployc(&["fmt", "--check", "specs"]);
    assert_eq!(code, 0, "{text}");
}

#[test]
fn fmt_command_rewrites_checks_and_reports() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fmt-command");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("nested")).unwrap();
    let ugly = dir.join("nested/ugly.deploy");
    let clean = dir.join("clean.deploy");
    fs::write(&ugly, "a {  b 1;c 2 }   # end\n\n\n").unwrap();
    fs::write(&clean, "a 1\n").unwrap();
    let dir_arg = dir.to_str().unwrap();

    let (code, text) = deployc(&["fmt", "--check", dir_arg]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("ugly.deploy") && !text.contains("clean.deploy"),
        "{text}"
    );
    assert_eq!(
        fs::read_to_string(&ugly).unwrap(),
        "a {  b 1;c 2 }   # end\n\n\n"
    );

    let (code, text) = deployc(&["fmt", dir_arg]);
    assert_eq!(code, 0, "{text}");
    let formatted = "a {\n  b 1\n  c 2\n}                                         # end\n";
    assert_eq!(fs::read_to_string(&ugly).unwrap(), formatted);
    assert_eq!(fs::read_to_string(&clean).unwrap(), "a 1\n");
    let leftovers: Vec<_> = fs::read_dir(dir.join("nested")).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "temporary files left behind");

    let (code, text) = deployc(&["fmt", "--check", dir_arg]);
    assert_eq!(code, 0, "{text}");

    // A file that does not parse is reported like `check` does and left alone.
    let broken = dir.join("broken.deploy");
    fs::write(&broken, "a {\n").unwrap();
    let (code, text) = deployc(&["fmt", dir_arg]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("E0101") && text.contains("unclosed"),
        "{text}"
    );
    assert_eq!(fs::read_to_string(&broken).unwrap(), "a {\n");

    let (code, text) = deployc(&["fmt", dir.join("missing.deploy").to_str().unwrap()]);
    assert_eq!(code, 2, "{text}");
}
