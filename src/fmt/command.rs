//! `deployc fmt`: format spec files in place, or with `--check` only list
//! the ones that are not formatted.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::build::{self, display_name};
use crate::cli::{EXIT_OK, EXIT_SPEC_ERRORS, EXIT_USAGE};
use crate::diagnostics::{render_human, Diagnostics};
use crate::source::SourceFile;

/// What formatting one file found.
enum Outcome {
    Formatted,
    Changed(String),
    /// Syntax errors, rendered.
    Invalid(String),
}

/// Formats every spec named or found below `paths`, in place; with `check`,
/// writes nothing and lists the files that would change. Returns the exit
/// code: 0 all formatted, 1 unformatted (with `check`) or unparsable files,
/// 2 I/O errors. Every file is looked at even after a failure.
pub fn run(paths: &[PathBuf], check: bool, color: bool) -> i32 {
    let specs = match build::collect_specs(paths) {
        Ok(specs) => specs,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let mut stderr = std::io::stderr().lock();
    let (mut io_error, mut invalid) = (false, 0);
    let mut unformatted = Vec::new();
    for path in &specs {
        let outcome = match fs::read(path) {
            Ok(bytes) => format_bytes(path, &bytes, color),
            Err(e) => {
                let _ = writeln!(stderr, "error: cannot read {}: {e}", path.display());
                io_error = true;
                continue;
            }
        };
        match outcome {
            Outcome::Formatted => {}
            Outcome::Invalid(rendered) => {
                let _ = write!(stderr, "{rendered}");
                invalid += 1;
            }
            Outcome::Changed(text) => {
                if !check {
                    if let Err(e) = replace(path, &text) {
                        let _ = writeln!(stderr, "error: cannot write {}: {e}", path.display());
                        io_error = true;
                        continue;
                    }
                }
                unformatted.push(path.display().to_string());
            }
        }
    }
    if invalid > 0 {
        let _ = writeln!(
            stderr,
            "deployc: {invalid} spec(s) could not be parsed and were left as they are"
        );
    }
    if check && !unformatted.is_empty() {
        let _ = writeln!(
            stderr,
            "deployc: {} spec(s) not formatted; run `deployc fmt` to fix:",
            unformatted.len()
        );
        for name in &unformatted {
            let _ = writeln!(stderr, "  {name}");
        }
    } else if !check {
        println!(
            "deployc: {} spec(s), {} reformatted",
            specs.len(),
            unformatted.len()
        );
        for name in &unformatted {
            println!("  {name}");
        }
    }
    if io_error {
        EXIT_USAGE
    } else if invalid > 0 || (check && !unformatted.is_empty()) {
        EXIT_SPEC_ERRORS
    } else {
        EXIT_OK
    }
}

fn format_bytes(path: &Path, bytes: &[u8], color: bool) -> Outcome {
    let name = display_name(path);
    let text = match crate::syntax::decode(bytes) {
        Ok(text) => text,
        Err(d) => {
            let source = SourceFile::new(name, String::from_utf8_lossy(bytes).into_owned());
            return Outcome::Invalid(render_human(&[d], &source, color));
        }
    };
    match super::format(text) {
        Ok(formatted) if formatted == text => Outcome::Formatted,
        Ok(formatted) => Outcome::Changed(formatted),
        Err(errors) => {
            let source = SourceFile::new(name, text);
            Outcome::Invalid(render_human(&Diagnostics(errors).sorted(), &source, color))
        }
    }
}

/// Writes beside the file and renames over it, so a reader never sees half a
/// file; the file keeps its permissions.
fn replace(path: &Path, text: &str) -> std::io::Result<()> {
    let tmp = path.with_extension("deployc-tmp");
    let result = fs::write(&tmp, text)
        .and_then(|()| match fs::metadata(path) {
            Ok(meta) => fs::set_permissions(&tmp, meta.permissions()),
            Err(_) => Ok(()),
        })
        .and_then(|()| fs::rename(&tmp, path));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}
