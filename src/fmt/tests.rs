use super::format;
use crate::syntax::{parse, Statement, Value};

/// Formats, checks the result is a fixed point, and returns it.
fn fmt(source: &str) -> String {
    let out = format(source).unwrap_or_else(|e| panic!("{source:?} does not parse: {e:?}"));
    let again = format(&out).expect("the output parses");
    assert_eq!(again, out, "not idempotent for {source:?}");
    out
}

/// Every text block argument of a spec, depth first.
fn text_blocks(source: &str) -> Vec<String> {
    fn walk(statements: &[Statement], out: &mut Vec<String>) {
        for s in statements {
            for a in &s.args {
                if let Value::Text(t) = &a.value {
                    out.push(t.clone());
                }
            }
            if let Some(b) = &s.block {
                walk(&b.statements, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(&parse(source).unwrap().statements, &mut out);
    out
}

#[test]
fn statements_blocks_and_indentation() {
    assert_eq!(
        fmt("service   api{image \"a:1\"\n\t\tport  http 8080\nprobe liveness {path \"/\"}}\n"),
        "service api {\n  image \"a:1\"\n  port http 8080\n  probe liveness {\n    path \"/\"\n  }\n}\n"
    );
}

#[test]
fn semicolons_split_statements() {
    assert_eq!(
        fmt("autoscale { replicas 1..2; cpu 80% };;severity high routes critical;"),
        "autoscale {\n  replicas 1..2\n  cpu 80%\n}\nseverity high routes critical\n"
    );
}

#[test]
fn arguments_commas_and_tokens_as_written() {
    assert_eq!(
        fmt("after a ,b,c\nwarning 1%..5% for 5m\nat T+0\ngate x<=0.50 for 15m\nsize 16Gi\n"),
        "after a, b, c\nwarning 1%..5% for 5m\nat T+0\ngate x <= 0.50 for 15m\nsize 16Gi\n"
    );
}

#[test]
fn strings_are_escaped_canonically() {
    let out = fmt(r#"title "a \"quoted\" \\ back\tslash\nnew" "é ✓""#);
    assert_eq!(
        out,
        "title \"a \\\"quoted\\\" \\\\ back\\tslash\\nnew\" \"é ✓\"\n"
    );
}

#[test]
fn empty_blocks() {
    assert_eq!(fmt("a {\n\n}\nb {   }\n"), "a {}\nb {}\n");
    // A block holding only a comment stays open, so the comment stays inside.
    assert_eq!(
        fmt("a {   # why\n}\n"),
        "a {                                       # why\n}\n"
    );
    assert_eq!(fmt("a {\n# later\n}"), "a {\n  # later\n}\n");
}

#[test]
fn nested_blocks() {
    assert_eq!(
        fmt("a { b { c { d 1 } } }"),
        "a {\n  b {\n    c {\n      d 1\n    }\n  }\n}\n"
    );
}

#[test]
fn comments_before_statements_keep_their_place() {
    let src = "# header\n# second\n\nrelease r {\n      # before title\n  title \"T\"\n# before version, badly indented\n    version \"1\"\n}\n";
    assert_eq!(
        fmt(src),
        "# header\n# second\n\nrelease r {\n  # before title\n  title \"T\"\n  # before version, badly indented\n  version \"1\"\n}\n"
    );
}

#[test]
fn trailing_comments_go_to_a_column() {
    let src = "release r { # the release\n  title \"T\" #short   \n  namespace \"a-very-long-namespace-name-here\"    # long\n} # end\n";
    assert_eq!(
        fmt(src),
        "release r {                               # the release\n  \
           title \"T\"                               #short\n  \
           namespace \"a-very-long-namespace-name-here\"  # long\n\
         }                                         # end\n"
    );
}

#[test]
fn trailing_comment_after_split_statements_stays_with_the_last() {
    assert_eq!(
        fmt("a 1; b 2 # about b\n"),
        "a 1\nb 2                                       # about b\n"
    );
    // A `;` before a comment does not make it trail anything.
    assert_eq!(fmt("a 1\n ; # alone\nb 2\n"), "a 1\n# alone\nb 2\n");
}

#[test]
fn comments_at_the_end_of_blocks_and_files() {
    let src = "a {\n  b 1\n\n  # end of a\n  c {\n    d 2\n    # end of c\n  }\n  # end of a, really\n\n}\n\n\n# end of file\n# really\n\n";
    assert_eq!(
        fmt(src),
        "a {\n  b 1\n\n  # end of a\n  c {\n    d 2\n    # end of c\n  }\n  # end of a, really\n}\n\n# end of file\n# really\n"
    );
    assert_eq!(fmt("# only a comment"), "# only a comment\n");
    assert_eq!(fmt(""), "");
    assert_eq!(fmt("\n\n;\n"), "");
}

#[test]
fn comment_text_is_kept_but_trailing_spaces_go() {
    assert_eq!(
        fmt("#no space\t \n#   indented  #twice\n#\na 1"),
        "#no space\n#   indented  #twice\n#\na 1\n"
    );
}

#[test]
fn blank_lines_collapse_to_one_and_vanish_at_block_edges() {
    let src = "\n\na 1\n\n\n\nb {\n\n  c 1\n  \t\n  d 2\n\n}\n\n\ne 1\n\n";
    assert_eq!(fmt(src), "a 1\n\nb {\n  c 1\n\n  d 2\n}\n\ne 1\n");
}

#[test]
fn text_blocks_are_reindented_with_the_same_content() {
    let src = "phase p {\n check \"x\" run \"\"\"\n        line one\n\n            nested\n          \n        last\n      \"\"\" # after\n}\n";
    let out = fmt(src);
    assert_eq!(
        out,
        "phase p {\n  check \"x\" run \"\"\"\n    line one\n\n        nested\n\n    last\n  \"\"\"                                     # after\n}\n"
    );
    assert_eq!(text_blocks(&out), text_blocks(src));
    assert_eq!(text_blocks(&out), ["line one\n\n    nested\n\nlast\n"]);
}

#[test]
fn text_blocks_without_final_line_break_and_empty_ones() {
    let src = "a \"\"\"one\"\"\"\nb \"\"\"\"\"\"\nc {\n  d \"\"\"x\n  y\"\"\" after\n}\ne \"\"\"\n\n\"\"\"\n";
    let out = fmt(src);
    assert_eq!(
        out,
        "a \"\"\"\n  one\"\"\"\nb \"\"\"\n\"\"\"\nc {\n  d \"\"\"\n    x\n      y\"\"\" after\n}\ne \"\"\"\n\n\"\"\"\n"
    );
    assert_eq!(text_blocks(&out), text_blocks(src));
    assert_eq!(text_blocks(&out), ["one", "", "x\n  y", "\n"]);
}

#[test]
fn text_blocks_with_tabs_and_carriage_returns_round_trip() {
    let src = "a \"\"\"\r\n\tone\r\n\t\ttwo\r\n\"\"\"\r\nb \"\"\"\n  x\r\r\n  y\n  \"\"\"\n";
    let out = fmt(src);
    assert_eq!(text_blocks(&out), text_blocks(src));
    // Both blocks are re-laid out with `\n`: the second's lone carriage
    // return before a `\r\n` is a line break of its own, as in the grammar.
    assert!(
        out.starts_with("a \"\"\"\n  one\n  \ttwo\n\"\"\"\n"),
        "{out:?}"
    );
    assert!(out.contains("\"\"\"\n  x\n\n  y\n\"\"\""), "{out:?}");
}

#[test]
fn syntax_errors_are_returned() {
    let errors = format("a {\n").unwrap_err();
    assert_eq!(errors[0].code.as_str(), "E0101");
}
