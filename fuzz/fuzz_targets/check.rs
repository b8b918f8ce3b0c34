//! Any bytes through parse and check, and their diagnostics through every
//! renderer: nothing may panic, and every span must lie inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    common::check(&common::input(data));
});
