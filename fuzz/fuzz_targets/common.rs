//! What both targets share: the input, sometimes with a very long line
//! spliced in, and the properties every diagnostic must have.

/// The fuzzer's bytes as a spec. When the first byte is a multiple of 8
/// (one input in eight), a line of 70,000 to 135,000 copies of the second
/// byte is spliced in at a place the third and fourth bytes choose: long
/// enough to pass column 65,536, where miette's padding used to panic,
/// which libFuzzer's default input size (4 KB) never reaches.
pub fn input(data: &[u8]) -> Vec<u8> {
    match data {
        [flag, fill, a, b, rest @ ..] if flag % 8 == 0 => {
            let len = 70_000 + usize::from(*fill) * 256;
            let at = (usize::from(*a) << 8 | usize::from(*b)) % (rest.len() + 1);
            let mut out = Vec::with_capacity(rest.len() + len);
            out.extend_from_slice(&rest[..at]);
            out.extend(std::iter::repeat_n(*fill, len));
            out.extend_from_slice(&rest[at..]);
            out
        }
        _ => data.to_vec(),
    }
}

/// Checks the bytes, asserts every span is inside the text and on
/// character boundaries, renders the diagnostics in every format, and
/// returns the check's outcome.
pub fn check(bytes: &[u8]) -> deployc::Checked {
    let (source, checked) = deployc::check_bytes("fuzz.deploy", bytes);
    assert_eq!(
        checked.spec.is_some(),
        !checked.diagnostics.iter().any(|d| d.is_error()),
        "a model exactly when there is no error"
    );
    for d in &checked.diagnostics {
        for s in std::iter::once(d.span).chain(d.related.iter().map(|r| r.span)) {
            assert!(s.end <= source.text.len());
            assert!(source.text.is_char_boundary(s.start) && source.text.is_char_boundary(s.end));
        }
    }
    let _ = deployc::diagnostics::render_human(&checked.diagnostics, &source, true);
    let _ = deployc::diagnostics::render_json(&checked.diagnostics, &source);
    let _ = deployc::diagnostics::render_github(&checked.diagnostics, &source);
    checked
}
