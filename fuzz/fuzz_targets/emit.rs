//! Any bytes through check and, when they check, every emitter, in memory
//! (the library's `emit` does no I/O; `build` is the only stage that
//! writes, and it is not called): nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    if let Some(spec) = common::check(&common::input(data)).spec {
        for file in deployc::emit::emit_all(&spec) {
            std::hint::black_box(file);
        }
    }
});
