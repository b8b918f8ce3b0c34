//! No input panics, and every input gets a model or diagnostics with spans
//! inside it. Inputs: every spec and UI case of the repository, mutated
//! thousands of times by a seeded generator (deterministic, so a failure
//! reproduces), random token soups, and 1 MB pathological files.

use std::fs;

/// xorshift64*: a tiny deterministic generator; no crate needed.
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

const TOKENS: &[&str] = &[
    "{",
    "}",
    "\"",
    "\"\"\"",
    "..",
    "%",
    ",",
    ";",
    "\n",
    "#",
    "<",
    ">=",
    "==",
    "for",
    "gate",
    "phase",
    "metric",
    "after",
    "at",
    "T+",
    "D-",
    "T-6h",
    "15m",
    "1%",
    "0",
    "99999999999999999999999",
    "0.000001",
    "16Gi",
    "500m",
    "canary",
    "pod",
    "hold",
    "approval",
    "smoke",
    "http",
    "when",
    "severity",
    "critical",
    "rollback",
    "service",
    "image",
    "\"a/b:1\"",
    "normal",
    "warning",
    "query",
    "\"sum(x)\"",
    "unit",
    "ratio",
    "{{x}}",
    "\\",
    "é",
    "\t",
];

fn corpus() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for dir in ["specs", "tests/ui", "tests/fixtures/specs"] {
        let Ok(entries) = fs::read_dir(dir) else {
            continue;
        };
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            if p.extension().is_some_and(|e| e == "deploy") {
                out.push(fs::read(&p).unwrap());
            }
        }
    }
    assert!(!out.is_empty(), "no corpus found");
    out
}

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(v.len() + 1);
        match rng.below(6) {
            0 if !v.is_empty() => {
                let end = (at + rng.below(40)).min(v.len());
                v.drain(at.min(end)..end);
            }
            1 => {
                let t = TOKENS[rng.below(TOKENS.len())].as_bytes();
                v.splice(at..at, t.iter().copied());
            }
            2 if !v.is_empty() => {
                let start = rng.below(v.len());
                let end = (start + rng.below(200)).min(v.len());
                let chunk = v[start..end].to_vec();
                v.splice(at..at, chunk);
            }
            3 if at < v.len() => v[at] = rng.next() as u8,
            4 => v.truncate(at),
            _ => {
                let line: Vec<u8> = (0..rng.below(8))
                    .flat_map(|_| {
                        let mut t = TOKENS[rng.below(TOKENS.len())].as_bytes().to_vec();
                        t.push(b' ');
                        t
                    })
                    .collect();
                v.splice(at..at, line);
            }
        }
    }
    v
}

/// The property: no panic; a model only without errors; spans in bounds.
fn check_one(bytes: &[u8]) {
    let (source, checked) = deployc::check_bytes("fuzz.deploy", bytes);
    let has_error = checked.diagnostics.iter().any(|d| d.is_error());
    assert_eq!(
        checked.spec.is_some(),
        !has_error,
        "a model exactly when there is no error"
    );
    for d in &checked.diagnostics {
        for s in std::iter::once(d.span).chain(d.related.iter().map(|r| r.span)) {
            assert!(
                s.end <= source.text.len()
                    && source.text.is_char_boundary(s.start)
                    && source.text.is_char_boundary(s.end),
                "span {s} out of bounds for input {:?}",
                String::from_utf8_lossy(bytes)
            );
        }
    }
    if let Some(spec) = &checked.spec {
        // Whatever checks must also emit without panicking.
        let _ = deployc::emit::emit_all(spec);
    }
    if let Ok(tree) = deployc::syntax::parse(&source.text) {
        strings_stay_on_their_line(&source.text, &tree.statements);
    }
}

/// The grammar lets string text run to the next quote, across line breaks;
/// the parser must refuse every such string, so none is ever in a tree.
fn strings_stay_on_their_line(text: &str, statements: &[deployc::syntax::Statement]) {
    for statement in statements {
        for arg in &statement.args {
            if let deployc::syntax::Value::Str(_) = arg.value {
                let raw = &text[arg.span.start..arg.span.end];
                assert!(!raw.contains(['\n', '\r']), "string {raw:?} spans lines");
            }
        }
        if let Some(block) = &statement.block {
            strings_stay_on_their_line(text, &block.statements);
        }
    }
}

#[test]
fn ten_thousand_mutations_never_panic() {
    let corpus = corpus();
    let mut rng = Rng(0x5eed_0de1_0c0d_e5e5 ^ 0x9e37_79b9);
    let mut count = 0;
    while count < 10_000 {
        let base = &corpus[rng.below(corpus.len())];
        check_one(&mutate(&mut rng, base));
        count += 1;
    }
}

#[test]
fn token_soup_never_panics() {
    let mut rng = Rng(42);
    for _ in 0..2_000 {
        let soup: Vec<u8> = (0..rng.below(60))
            .flat_map(|_| {
                let mut t = TOKENS[rng.below(TOKENS.len())].as_bytes().to_vec();
                t.push(if rng.below(3) == 0 { b'\n' } else { b' ' });
                t
            })
            .collect();
        check_one(&soup);
    }
}

#[test]
fn one_megabyte_inputs_are_bounded() {
    let mb = 1 << 20;
    // Deep nesting: rejected by the pre-scan before the recursive parser.
    check_one(format!("section {}", "{ a ".repeat(mb / 4)).as_bytes());
    // One very long line.
    let long = format!("release r {{ title \"{}\" }}\n", "x".repeat(mb));
    check_one(long.as_bytes());
    // A long run of digits.
    check_one(format!("release r {{ version {} }}", "9".repeat(mb)).as_bytes());
    // Many statements: a real (if silly) 1 MB spec that checks.
    let mut big = String::from(
        "release r { title \"R\"; version \"1\"; namespace \"r\"; owner o }\ncontact o { role \"O\"; pager \"o\" }\n",
    );
    let mut i = 0;
    while big.len() < mb {
        big.push_str(&format!(
            "metric m{i} {{\n  query \"sum(rate(errors_{i}_total[5m]))\"\n  unit ratio\n  normal < 1%\n  warning 1%..5% for 5m\n  critical > 5% for 5m\n}}\n"
        ));
        i += 1;
    }
    let (_, checked) = deployc::check_bytes("big.deploy", big.as_bytes());
    assert!(checked.spec.is_some(), "{:?}", checked.diagnostics.first());
    assert_eq!(checked.spec.unwrap().metrics.len(), i);
    // Not UTF-8.
    let (_, checked) = deployc::check_bytes("latin1.deploy", b"release r { title \"caf\xe9\" }");
    assert_eq!(checked.diagnostics[0].code.as_str(), "E0100");
}
