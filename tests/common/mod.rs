//! Helpers shared by the integration tests (each test file is its own
//! crate and uses only some of them).
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

/// Runs the deployc binary in `dir`, without colour: its exit code and its
/// stdout and stderr together.
pub fn deployc(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_deployc"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// The codes of every diagnostic of `spec`, in source order.
pub fn codes(spec: &str) -> Vec<&'static str> {
    let (_, checked) = deployc::check_bytes("t.deploy", spec.as_bytes());
    checked
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect()
}
