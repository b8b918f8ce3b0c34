//! Computes the compiler's fingerprint: a hash of everything that decides
//! what deployc emits (its sources, grammar, templates, dependency lock and
//! version). Incremental builds reuse a spec's output only when both the
//! spec and this fingerprint are unchanged.

use std::fs;
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn main() {
    let mut paths = Vec::new();
    for dir in ["src", "grammar", "templates"] {
        println!("cargo:rerun-if-changed={dir}");
        files(Path::new(dir), &mut paths);
    }
    paths.push(PathBuf::from("Cargo.lock"));
    println!("cargo:rerun-if-changed=Cargo.lock");
    paths.sort();
    // FNV-1a over names and contents, with line endings normalised so a
    // checkout on Windows fingerprints the same.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            if *b == b'\r' {
                continue;
            }
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    feed(env!("CARGO_PKG_VERSION").as_bytes());
    for p in &paths {
        feed(p.to_string_lossy().replace('\\', "/").as_bytes());
        feed(&fs::read(p).unwrap_or_default());
    }
    println!("cargo:rustc-env=DEPLOYC_FINGERPRINT={h:016x}");
}
