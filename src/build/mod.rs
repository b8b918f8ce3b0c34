//! Turning specs into files on disk: the only module that touches the file
//! system. A build either writes everything or nothing: every spec is
//! checked and emitted in memory first, and only a fully successful run
//! writes. The output folder keeps a manifest of the files deployc owns, so a
//! build removes only files it generated before and never touches others.

mod manifest;
pub mod write;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

pub use manifest::{Manifest, MANIFEST_NAME};
pub use write::{apply, Change};

use crate::diagnostics::Diagnostic;
use crate::emit::{self, OutputFile};
use crate::source::SourceFile;

/// One spec's outcome: its source and diagnostics, and files if it compiled.
pub struct Compiled {
    pub source: SourceFile,
    pub diagnostics: Vec<Diagnostic>,
    pub spec: Option<crate::model::Spec>,
    pub files: Option<Vec<OutputFile>>,
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("no .deploy files found in {0}")]
    NoSpecs(String),
    #[error("{first} and {second} would both write to `{stem}/`; rename one of them")]
    SameStem {
        stem: String,
        first: String,
        second: String,
    },
}

/// Every `.deploy` file named or found below the named folders, sorted, so
/// the result does not depend on the order of arguments or of directory
/// listings.
pub fn collect_specs(paths: &[PathBuf]) -> Result<Vec<PathBuf>, BuildError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out)?;
        } else if p.exists() {
            out.push(p.clone());
        } else {
            return Err(BuildError::Read {
                path: p.display().to_string(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no such file or directory",
                ),
            });
        }
    }
    out.sort();
    out.dedup();
    if out.is_empty() {
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(BuildError::NoSpecs(names.join(", ")));
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), BuildError> {
    let read_err = |e| BuildError::Read {
        path: dir.display().to_string(),
        source: e,
    };
    for entry in fs::read_dir(dir).map_err(read_err)? {
        let path = entry.map_err(read_err)?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "deploy") {
            out.push(path);
        }
    }
    Ok(())
}

/// The name a spec is reported and recorded under: its path with `/`
/// separators, as given (relative paths stay relative).
pub fn display_name(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Reads, checks and emits one spec, in memory.
pub fn compile(path: &Path) -> Result<Compiled, BuildError> {
    let bytes = fs::read(path).map_err(|e| BuildError::Read {
        path: path.display().to_string(),
        source: e,
    })?;
    let (source, checked) = crate::check_bytes(&display_name(path), &bytes);
    let files = checked.spec.as_ref().map(emit::emit_all);
    Ok(Compiled {
        source,
        diagnostics: checked.diagnostics,
        spec: checked.spec,
        files,
    })
}

/// All files of all specs, keyed by path relative to the output folder
/// (`<stem>/<file>`). Fails when two specs share a stem.
pub fn layout(compiled: &[Compiled]) -> Result<BTreeMap<String, String>, BuildError> {
    let mut out = BTreeMap::new();
    let mut owners: BTreeMap<String, String> = BTreeMap::new();
    for c in compiled {
        let Some(files) = &c.files else { continue };
        let stem = stem(&c.source.name);
        if let Some(first) = owners.insert(stem.clone(), c.source.name.clone()) {
            return Err(BuildError::SameStem {
                stem,
                first,
                second: c.source.name.clone(),
            });
        }
        for f in files {
            out.insert(format!("{stem}/{}", f.path), f.content.clone());
        }
    }
    Ok(out)
}

fn stem(name: &str) -> String {
    let file = name.rsplit('/').next().unwrap_or(name);
    file.strip_suffix(".deploy").unwrap_or(file).to_string()
}
