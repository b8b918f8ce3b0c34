//! `deployc diff OLD NEW` and `deployc diff --base REF [PATHS]`.
//!
//! A report: exit 0 whether or not anything changed, 1 when a spec does not
//! check (its diagnostics are printed as `check` prints them), 2 on usage,
//! I/O or git errors.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use crate::build::{self, BuildError};
use crate::cli::{EXIT_OK, EXIT_SPEC_ERRORS, EXIT_USAGE};
use crate::diagnostics::render_human;
use crate::model::Spec;

use super::{diff, render_markdown, render_text, NO_CHANGE};

/// How the report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// One line per change, for a terminal.
    #[default]
    Text,
    /// A heading and bullets, for a pull-request comment.
    Markdown,
}

/// Runs `deployc diff`: with `base`, every spec under `paths` (default
/// `specs/`) at that git revision against the working tree; without, the two
/// spec files of `paths`. Returns the exit code.
pub fn run(paths: &[PathBuf], base: Option<&str>, format: Format) -> i32 {
    let result = match base {
        Some(rev) => against_revision(paths, rev, format),
        None => two_files(paths, format),
    };
    result.unwrap_or_else(|e| {
        eprintln!("error: {e}");
        EXIT_USAGE
    })
}

fn two_files(paths: &[PathBuf], format: Format) -> Result<i32, String> {
    let [old_path, new_path] = paths else {
        return Err(format!(
            "`deployc diff` takes two spec files (OLD NEW), or `--base <git-ref> [PATHS]`; got {} path(s)",
            paths.len()
        ));
    };
    let read = |p: &Path| fs_read(p).map(|b| (build::display_name(p), b));
    let (old_name, old_bytes) = read(old_path)?;
    let (new_name, new_bytes) = read(new_path)?;
    let old = checked(&old_name, &old_bytes);
    let new = checked(&new_name, &new_bytes);
    let (Some(old), Some(new)) = (old, new) else {
        return Ok(EXIT_SPEC_ERRORS);
    };
    let changes = diff(&old, &new);
    print(&render(format, &changes, &old_name, &new_name));
    Ok(EXIT_OK)
}

fn against_revision(paths: &[PathBuf], rev: &str, format: Format) -> Result<i32, String> {
    let default = [PathBuf::from("specs")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    git(&[
        "rev-parse",
        "--verify",
        "--quiet",
        &format!("{rev}^{{commit}}"),
    ])
    .map_err(|_| format!("`{rev}` is not a git revision here"))?;

    // Spec name (a path relative to here) → (at the revision, in the tree).
    let mut specs: BTreeMap<String, (bool, bool)> = BTreeMap::new();
    let mut args = vec!["ls-tree", "-r", "-z", "--name-only", rev, "--"];
    let path_args: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    args.extend(path_args.iter().map(String::as_str));
    let listed = git(&args)?;
    for name in listed.split(|b| *b == 0).filter(|n| !n.is_empty()) {
        let name = String::from_utf8_lossy(name);
        if name.ends_with(".deploy") {
            specs
                .entry(normal_name(Path::new(name.as_ref())))
                .or_default()
                .0 = true;
        }
    }
    let existing: Vec<PathBuf> = paths.iter().filter(|p| p.exists()).cloned().collect();
    if !existing.is_empty() {
        match build::collect_specs(&existing) {
            Ok(found) => {
                for p in found {
                    specs.entry(normal_name(&p)).or_default().1 = true;
                }
            }
            Err(BuildError::NoSpecs(_)) => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    if specs.is_empty() {
        return Err(format!(
            "no .deploy files in {} at {rev} or in the working tree",
            path_args.join(", ")
        ));
    }

    let mut failed = false;
    let mut reports = Vec::new();
    for (name, (at_base, in_tree)) in &specs {
        let base_name = format!("{rev}:{name}");
        let old = if *at_base {
            let bytes = git(&["show", &format!("{rev}:./{name}")])?;
            Some(checked(&base_name, &bytes))
        } else {
            None
        };
        let new = if *in_tree {
            let bytes = fs_read(Path::new(name))?;
            Some(checked(name, &bytes))
        } else {
            None
        };
        if matches!(old, Some(None)) || matches!(new, Some(None)) {
            failed = true;
            continue;
        }
        let (old, new) = (old.flatten(), new.flatten());
        reports.push(match (old, new) {
            (Some(old), Some(new)) => {
                let changes = diff(&old, &new);
                if changes.is_empty() {
                    titled(format, name, NO_CHANGE)
                } else {
                    render(format, &changes, &base_name, name)
                }
            }
            (None, Some(new)) => titled(
                format,
                name,
                &format!("spec added (release {}, not at {rev})", new.release.name),
            ),
            (Some(old), None) => titled(
                format,
                name,
                &format!("spec removed (release {}, was at {rev})", old.release.name),
            ),
            (None, None) => continue,
        });
    }
    print(&reports.join("\n\n"));
    Ok(if failed { EXIT_SPEC_ERRORS } else { EXIT_OK })
}

fn render(format: Format, changes: &[super::Change], old: &str, new: &str) -> String {
    match format {
        Format::Text => render_text(changes, old, new),
        Format::Markdown => render_markdown(changes, old, new),
    }
}

/// A one-line report about a whole spec.
fn titled(format: Format, name: &str, what: &str) -> String {
    match format {
        Format::Text => format!("{name}: {what}"),
        Format::Markdown => format!("## `{name}`\n\n{what}"),
    }
}

/// The spec's model, or None after printing its diagnostics when it does
/// not check. Warnings of specs that check are not repeated: this is a
/// report, `deployc check` is the place for them.
fn checked(name: &str, bytes: &[u8]) -> Option<Spec> {
    let (source, checked) = crate::check_bytes(name, bytes);
    if checked.spec.is_none() {
        let color = std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal();
        let mut stderr = std::io::stderr().lock();
        let _ = write!(
            stderr,
            "{}",
            render_human(&checked.diagnostics, &source, color)
        );
        let _ = writeln!(stderr, "deployc: {name} does not check; nothing to compare");
    }
    checked.spec
}

fn print(text: &str) {
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}

fn fs_read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// `specs/x.deploy` for `./specs/x.deploy` too, so names from git and from
/// the file system meet.
fn normal_name(path: &Path) -> String {
    let clean: PathBuf = path
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect();
    build::display_name(&clean)
}

/// Runs git here and returns its standard output.
fn git(args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(out.stdout)
}
