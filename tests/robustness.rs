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
    // And every diagnostic must render, in every format.
    let _ = deployc::diagnostics::render_human(&checked.diagnostics, &source, true);
    let _ = deployc::diagnostics::render_json(&checked.diagnostics, &source);
    let _ = deployc::diagnostics::render_github(&checked.diagnostics, &source);
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

/// The stable stand-in for the fuzz targets' long lines (libFuzzer's inputs
/// stay under 4 KB): mutated seed specs with a line of 100,000 characters
/// spliced in, at a random place, of a random character (a blank, a
/// letter, a token, a multi-byte character, a control character), through
/// check, every renderer and, when they check, every emitter.
#[test]
fn mutated_specs_with_100_000_character_lines_never_panic() {
    let corpus = corpus();
    let mut rng = Rng(0x1006_1e55_0000_0007);
    let fills = [
        " ", "x", "é", "🚀", "{", "}", "\"", "#", "\t", "\r", "\u{1b}", "\u{202e}", "9", "{{x}}",
    ];
    for _ in 0..80 {
        let base = &corpus[rng.below(corpus.len())];
        let mut input = mutate(&mut rng, base);
        let fill = fills[rng.below(fills.len())];
        let long = fill.repeat(100_000 / fill.len());
        let at = rng.below(input.len() + 1);
        // Mostly a line of its own; sometimes glued to what is there.
        let line = if rng.below(3) == 0 {
            long
        } else {
            format!("\n{long}\n")
        };
        input.splice(at..at, line.into_bytes());
        check_one(&input);
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

/// A minimal spec that checks and builds.
const VALID: &str = "release r { title \"R\"; version \"1\"; namespace \"r\" }\n";

mod common;
use common::deployc as run_deployc;

/// Lines of 100,000 characters, with a diagnostic past column 65,536:
/// miette pads a label to its column with `{:width$}`, and a width over
/// u16::MAX panicked ("Formatting argument out of range", exit 101). The
/// snippet is left out and the report says why; nothing panics, through
/// the binary (check and build) or the library (check, every renderer,
/// every emitter).
#[test]
fn lines_of_100_000_characters_never_panic() {
    let wide = " ".repeat(100_000);
    let cases = [
        // An error at column 100,001.
        (format!("{wide}bogus\n"), false),
        // An error on the line after a long one (in the snippet's context).
        (format!("{VALID}# {wide}\nbogus x\n"), false),
        // A valid spec with a long comment and a long string.
        (
            format!(
                "# {wide}\nrelease r {{ title \"{}\"; version \"1\"; namespace \"r\" }}\n",
                "x".repeat(100_000)
            ),
            true,
        ),
    ];
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("long-lines");
    for (i, (text, valid)) in cases.iter().enumerate() {
        let (source, checked) = deployc::check_bytes("long.deploy", text.as_bytes());
        assert_eq!(checked.spec.is_some(), *valid, "case {i}");
        let human = deployc::diagnostics::render_human(&checked.diagnostics, &source, true);
        let _ = deployc::diagnostics::render_json(&checked.diagnostics, &source);
        let _ = deployc::diagnostics::render_github(&checked.diagnostics, &source);
        if !valid {
            assert!(
                human.contains("the source is not shown: line"),
                "case {i}: {}",
                &human[..human.len().min(2000)]
            );
        }
        if let Some(spec) = &checked.spec {
            assert!(!deployc::emit::emit_all(spec).is_empty());
        }

        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("long.deploy"), text).unwrap();
        let expected = if *valid { 0 } else { 1 };
        for command in [&["check", "long.deploy"][..], &["build", "long.deploy"]] {
            let (code, out) = run_deployc(&dir, command);
            assert_eq!(
                code,
                expected,
                "case {i}, {command:?}: {}",
                &out[..out.len().min(2000)]
            );
        }
    }
}

/// Work grows linearly with the number of diagnostics. Line and column
/// lookups are counted exactly by unit tests (`source::tests`); this is the
/// end-to-end guard, on the inputs of the report (`bogus x` lines, unused
/// contacts) and on each quadratic path found since (below): check and
/// render 2,000 and then 8,000 of them, best of three runs each, and
/// compare. Before, twice the input took 3.5 to 5.5 times as long (4 s to
/// 14 s, 10 s to 57 s; unknown contacts 19 s for 1,000), so four times
/// would take 12 to 30 times; the bound, 8, leaves room for a busy machine
/// without letting a quadratic path through.
#[test]
fn diagnostics_cost_linear_time_in_their_number() {
    fn bogus(n: usize) -> String {
        "bogus x\n".repeat(n)
    }
    fn contacts(n: usize) -> String {
        let mut s = VALID.to_string();
        for i in 0..n {
            s.push_str(&format!("contact c{i} {{ role \"oncall\" }}\n"));
        }
        s
    }
    fn best_of_three(text: &str) -> std::time::Duration {
        (0..3)
            .map(|_| {
                let start = std::time::Instant::now();
                let (source, checked) = deployc::check_bytes("n.deploy", text.as_bytes());
                let human =
                    deployc::diagnostics::render_human(&checked.diagnostics, &source, false);
                let json = deployc::diagnostics::render_json(&checked.diagnostics, &source);
                assert!(human.len() + json.len() > checked.diagnostics.len());
                start.elapsed()
            })
            .min()
            .unwrap()
    }
    /// References to contacts that do not exist, each close to a declared
    /// one: "did you mean" compared every unknown name with every contact.
    fn unknown_contacts(n: usize) -> String {
        let mut s = VALID.to_string();
        for i in 0..n {
            s.push_str(&format!(
                "contact contact_number_{i} {{ role \"oncall\" }}\n"
            ));
        }
        s.push_str("phase p {\n");
        for i in 0..n {
            s.push_str(&format!("  gate approval contact_numbr_{i}\n"));
        }
        s + "}\n"
    }
    /// A template using placeholders it does not declare: each was looked
    /// for from the start of the body, and compared with every field.
    fn placeholders(n: usize) -> String {
        let fields: Vec<String> = (0..n).map(|i| format!("field_{i}")).collect();
        let mut s = format!(
            "{VALID}template t {{\n  title \"T\"\n  when \"rollback\"\n  subject \"S\"\n  fields {}\n  body \"\"\"\n",
            fields.join(", ")
        );
        for i in 0..n {
            s.push_str(&format!("    {{{{fild_{i}}}}}\n"));
        }
        s + "  \"\"\"\n}\n"
    }
    /// Every contact on one line (a minified spec), not all ASCII: each
    /// column was counted from the start of the line.
    fn one_line(n: usize) -> String {
        let mut s = VALID.to_string();
        for i in 0..n {
            s.push_str(&format!("contact c{i} {{ role \"é\" }};"));
        }
        s
    }
    for (name, make) in [
        ("bogus", bogus as fn(usize) -> String),
        ("contacts", contacts),
        ("unknown contacts", unknown_contacts),
        ("placeholders", placeholders),
        ("one line", one_line),
    ] {
        let small = best_of_three(&make(2_000));
        let large = best_of_three(&make(8_000));
        let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-3);
        eprintln!("{name}: {small:?} then {large:?} ({ratio:.1}x)");
        assert!(
            ratio < 8.0,
            "{name}: 2,000 took {small:?}, 8,000 took {large:?} ({ratio:.1}x)"
        );
        assert!(large.as_secs() < 60, "{name}: 8,000 took {large:?}");
    }
}

/// Human output shows the first 50 diagnostics of a file and counts the
/// rest; JSON lists every one (tools filter for themselves).
#[test]
fn human_output_is_capped_and_json_is_complete() {
    let text = "bogus x\n".repeat(40_000);
    let (source, checked) = deployc::check_bytes("many.deploy", text.as_bytes());
    let n = checked.diagnostics.len();
    assert!(n >= 40_000);
    let human = deployc::diagnostics::render_human(&checked.diagnostics, &source, false);
    assert_eq!(
        human.matches("  × ").count(),
        50,
        "one `×` per diagnostic shown"
    );
    assert!(
        human.contains(&format!("... and {} errors more in many.deploy", n - 50)),
        "{}",
        &human[human.len().saturating_sub(500)..]
    );
    let json = deployc::diagnostics::render_json(&checked.diagnostics, &source);
    assert_eq!(json.lines().count(), n);
}

/// Every spec of the repository, re-saved with CRLF line breaks, with lone
/// CR line breaks (classic Mac), and with a UTF-8 byte order mark first,
/// compiles to byte-for-byte the same files as written with LF. A lone `\r`
/// used to stay in text blocks (ConfigMap contents, runbook commands),
/// whose lines were then not de-indented; a BOM was "found `\u{feff}`".
#[test]
fn line_breaks_and_a_byte_order_mark_do_not_change_the_output() {
    let mut paths: Vec<_> = fs::read_dir("specs")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "deploy"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty());
    let emit = |text: &str| {
        let (source, checked) = deployc::check_bytes("s.deploy", text.as_bytes());
        let spec = checked.spec.unwrap_or_else(|| {
            panic!(
                "{}",
                deployc::diagnostics::render_human_plain(&checked.diagnostics, &source)
            )
        });
        deployc::emit::emit_all(&spec)
            .into_iter()
            .map(|f| (f.path, f.content))
            .collect::<Vec<_>>()
    };
    for path in paths {
        let lf = fs::read_to_string(&path).unwrap().replace("\r\n", "\n");
        let expected = emit(&lf);
        for (how, text) in [
            ("CRLF", lf.replace('\n', "\r\n")),
            ("lone CR", lf.replace('\n', "\r")),
            ("BOM", format!("\u{feff}{lf}")),
            (
                "BOM and lone CR",
                format!("\u{feff}{}", lf.replace('\n', "\r")),
            ),
        ] {
            let got = emit(&text);
            assert_eq!(got.len(), expected.len(), "{}, {how}", path.display());
            for ((path_got, got), (_, want)) in got.iter().zip(&expected) {
                assert!(
                    got == want,
                    "{} ({how}): {path_got} differs",
                    path.display()
                );
            }
        }
    }
}

/// Diagnostics of a spec with a BOM or lone CR line breaks point where they
/// are in an editor: line and column as for the LF file.
#[test]
fn positions_count_lone_cr_line_breaks_and_skip_the_bom() {
    let lf = format!("{VALID}\nbogus x\n");
    for text in [lf.replace('\n', "\r"), format!("\u{feff}{lf}")] {
        let (source, checked) = deployc::check_bytes("p.deploy", text.as_bytes());
        let d = &checked.diagnostics[0];
        assert_eq!(d.code.as_str(), "E0201");
        assert_eq!(source.line_col(d.span.start), (3, 1), "{text:?}");
        let json = deployc::diagnostics::render_json(&checked.diagnostics, &source);
        assert!(json.contains("\"line\":3,\"column\":1"), "{json}");
    }
}

/// Nothing deployc prints for a person holds a character a terminal would
/// act on: control characters in strings are refused (E0105), bidi
/// controls warned about (W0106), and neither a message nor a snippet
/// echoes them raw (a NUL or an escape sequence in a comment next to an
/// error used to be printed as is, and `\u{202e}` too).
#[test]
fn no_control_character_reaches_the_terminal() {
    let raw = |c: char| {
        (c.is_control() && c != '\n')
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
    };
    let cases = [
        format!("{VALID}section \"A\" \"\u{1b}[2J\u{1b}]0;pwned\u{7}\"\n"),
        format!("{VALID}section \"A\" \"\"\"\n  \u{0}x\u{9b}31m\n\"\"\"\n"),
        format!("{VALID}# \u{1b}[31m red comment\nbogus \"\u{202e}x\"\n"),
        format!("{VALID}# \u{202e} }} \u{2066}\nsection \"A\" \"\u{202b}\"\n"),
        format!("{VALID}bogus\u{1b}[31m x\n"),
        format!("\u{1b}[31m\u{0}{VALID}"),
    ];
    for text in &cases {
        let (source, checked) = deployc::check_bytes("t\u{1b}[1m.deploy", text.as_bytes());
        assert!(!checked.diagnostics.is_empty(), "{text:?}");
        for out in [
            deployc::diagnostics::render_human(&checked.diagnostics, &source, false),
            deployc::diagnostics::render_github(&checked.diagnostics, &source),
        ] {
            assert!(!out.chars().any(raw), "{text:?} printed raw:\n{out}");
        }
    }
    // Controls in strings are errors; a bidi control alone is a warning.
    for text in &cases[..2] {
        let (_, checked) = deployc::check_bytes("t.deploy", text.as_bytes());
        assert!(
            checked
                .diagnostics
                .iter()
                .any(|d| d.code.as_str() == "E0105"),
            "{text:?}"
        );
    }
    let (_, checked) = deployc::check_bytes("t.deploy", cases[3].as_bytes());
    let codes: Vec<&str> = checked
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    assert_eq!(codes, ["W0106", "W0106", "W0106"]);
    assert!(checked.spec.is_some());
}
