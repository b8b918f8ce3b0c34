//! Any bytes through parse, check and (when they check) every emitter:
//! nothing may panic, and every span must lie inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (source, checked) = deployc::check_bytes("fuzz.deploy", data);
    for d in &checked.diagnostics {
        assert!(d.span.end <= source.text.len());
        assert!(source.text.is_char_boundary(d.span.start) && source.text.is_char_boundary(d.span.end));
    }
    if let Some(spec) = &checked.spec {
        let _ = deployc::emit::emit_all(spec);
    }
});
