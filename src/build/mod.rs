//! Turning specs into files on disk: the only module that touches the file
//! system. A build either writes everything or nothing: every spec is
//! checked and emitted in memory first (in parallel, one spec per core), and
//! only a fully successful run writes. The manifest in the output folder
//! records what deployc owns, so a build removes only files it generated
//! before, never touches others, and recompiles only specs that changed.

mod manifest;
pub mod write;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use rayon::prelude::*;

pub use manifest::{input_hash, Manifest, SpecEntry, MANIFEST_NAME};
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
    #[error("cannot start {0} worker threads")]
    Threads(usize),
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
    let parts: Vec<_> = path
        .components()
        .filter(|c| !matches!(c, std::path::Component::RootDir))
        .map(|c| c.as_os_str().to_string_lossy())
        .collect();
    let relative = parts.join("/");
    // The root is a component of its own; joined as one it gave `//tmp`.
    if path.has_root() {
        format!("/{relative}")
    } else {
        relative
    }
}

fn read(path: &Path) -> Result<Vec<u8>, BuildError> {
    fs::read(path).map_err(|e| BuildError::Read {
        path: path.display().to_string(),
        source: e,
    })
}

/// Reads, checks and emits one spec, in memory.
pub fn compile(path: &Path) -> Result<Compiled, BuildError> {
    Ok(compile_bytes(path, &read(path)?, emit::emit_all))
}

/// Checks one spec and, when it checks, emits it with `emit`.
fn compile_bytes(
    path: &Path,
    bytes: &[u8],
    emit: impl FnOnce(&crate::model::Spec) -> Vec<OutputFile>,
) -> Compiled {
    let mut compiled = check_bytes(path, bytes);
    compiled.files = compiled.spec.as_ref().map(emit);
    compiled
}

/// Reads and checks one spec, emitting nothing (`files` is None).
fn check_bytes(path: &Path, bytes: &[u8]) -> Compiled {
    let (source, checked) = crate::check_bytes(&display_name(path), bytes);
    Compiled {
        source,
        diagnostics: checked.diagnostics,
        spec: checked.spec,
        files: None,
    }
}

/// Reads and checks every spec on `jobs` threads, emitting nothing: what
/// `deployc check` needs.
pub fn check_all(paths: &[PathBuf], jobs: Option<usize>) -> Result<Vec<Compiled>, BuildError> {
    in_pool(jobs, || {
        paths
            .par_iter()
            .map(|p| Ok(check_bytes(p, &read(p)?)))
            .collect::<Result<Vec<_>, _>>()
    })?
}

/// Runs `work` with its parallel iterators on `jobs` threads: rayon's
/// global pool (one thread per core, started once per process) by
/// default, else a pool of that size for this call alone.
pub(crate) fn in_pool<T: Send>(
    jobs: Option<usize>,
    work: impl FnOnce() -> T + Send,
) -> Result<T, BuildError> {
    let Some(n) = jobs else {
        return Ok(work());
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .map_err(|_| BuildError::Threads(n))?;
    Ok(pool.install(work))
}

/// The subfolder of the output a spec writes to.
pub fn stem(name: &str) -> String {
    let file = name.rsplit('/').next().unwrap_or(name);
    file.strip_suffix(".deploy").unwrap_or(file).to_string()
}

/// All files of all specs, keyed by path relative to the output folder
/// (`<stem>/<file>`). Fails when two specs share a stem.
pub fn layout(compiled: &[Compiled]) -> Result<BTreeMap<String, String>, BuildError> {
    unique_stems(compiled)?;
    let mut out = BTreeMap::new();
    for c in compiled {
        let Some(files) = &c.files else { continue };
        let stem = stem(&c.source.name);
        for f in files {
            out.insert(format!("{stem}/{}", f.path), f.content.clone());
        }
    }
    Ok(out)
}

/// Fails when two compiled specs would write to the same `<stem>/` folder.
pub fn unique_stems(compiled: &[Compiled]) -> Result<(), BuildError> {
    let mut owners: BTreeMap<String, &str> = BTreeMap::new();
    for c in compiled.iter().filter(|c| c.files.is_some()) {
        let stem = stem(&c.source.name);
        if let Some(first) = owners.insert(stem.clone(), &c.source.name) {
            return Err(BuildError::SameStem {
                stem,
                first: first.to_string(),
                second: c.source.name.clone(),
            });
        }
    }
    Ok(())
}

/// A spec in an incremental build: reused from the last build, or compiled.
pub enum Outcome {
    /// Unchanged since the last build, its files intact: nothing to do.
    Reused { stem: String, entry: SpecEntry },
    /// Compiled afresh; `entry` (with every file hashed) when it compiled.
    Compiled {
        compiled: Box<Compiled>,
        entry: Option<SpecEntry>,
    },
}

/// Plans a build of `paths` into `out`, emitting `targets`: reuses each
/// spec whose input hash matches the manifest and whose files are intact
/// (unless `force`), and compiles the others, in parallel.
pub fn plan(
    paths: &[PathBuf],
    out: &Path,
    targets: emit::Targets,
    jobs: Option<usize>,
    force: bool,
) -> Result<Vec<Outcome>, BuildError> {
    let manifest_path = out.join(MANIFEST_NAME);
    let old = if force {
        Manifest::default()
    } else {
        fs::read_to_string(&manifest_path)
            .map(|t| Manifest::parse(&t))
            .unwrap_or_default()
    };
    let manifest_time = fs::metadata(&manifest_path).and_then(|m| m.modified()).ok();
    in_pool(jobs, || {
        paths
            .par_iter()
            .map(|path| {
                let bytes = read(path)?;
                let name = display_name(path);
                let input_hash = input_hash(&name, &targets.hash_key(), &bytes);
                let stem = stem(&name);
                if let Some(entry) = old.specs.get(&stem) {
                    if entry.input_hash == input_hash
                        && entry.source == name
                        && intact(out, entry, manifest_time)
                    {
                        return Ok(Outcome::Reused {
                            stem,
                            entry: entry.clone(),
                        });
                    }
                }
                // Compiling the runbook templates is most of a one-spec
                // build: only a build that writes a runbook pays for it.
                if targets.contains(emit::Target::Runbook) {
                    emit::runbook::prepare();
                }
                let mut compiled = compile_bytes(path, &bytes, |spec| emit::emit(spec, targets));
                compiled.spec = None; // Only the files and diagnostics are needed now.
                let entry = entry_of(&compiled, &stem, input_hash);
                Ok(Outcome::Compiled {
                    compiled: Box::new(compiled),
                    entry,
                })
            })
            .collect()
    })?
}

/// The manifest entry of a compiled spec, every file hashed (in the worker
/// that emitted it); None when the spec did not compile.
fn entry_of(compiled: &Compiled, stem: &str, input_hash: u64) -> Option<SpecEntry> {
    let files = compiled.files.as_ref()?;
    Some(SpecEntry {
        source: compiled.source.name.clone(),
        // A spec with warnings is not recorded as reusable, so that every
        // build reports its warnings again.
        input_hash: if compiled.diagnostics.is_empty() {
            input_hash
        } else {
            0
        },
        files: files
            .iter()
            .map(|f| {
                (
                    format!("{stem}/{}", f.path),
                    manifest::hash(f.content.as_bytes()),
                )
            })
            .collect(),
    })
}

/// Whether every file of the entry is on disk with the recorded content.
/// A file last modified before the manifest is taken as written by that
/// build (every build writes its files before its manifest), so a no-change
/// rebuild costs one `stat` a file. Any other file (edited by hand, checked
/// out by git, or written in the same clock tick as the manifest: file
/// times are coarse, a few milliseconds) is read and hashed.
fn intact(out: &Path, entry: &SpecEntry, manifest_time: Option<SystemTime>) -> bool {
    entry.files.iter().all(|(path, hash)| {
        let path = out.join(path);
        let older = fs::metadata(&path)
            .and_then(|m| m.modified())
            .ok()
            .zip(manifest_time)
            .is_some_and(|(file, manifest)| file < manifest);
        older || fs::read(&path).is_ok_and(|b| manifest::hash(&b) == *hash)
    })
}

/// The manifest after a successful build, and the content of every file
/// that was compiled (reused files are not in it: they are already right),
/// keyed by path relative to the output folder. Takes the outcomes apart:
/// the contents move, they are not copied.
pub fn assemble(
    outcomes: Vec<Outcome>,
) -> Result<(Manifest, BTreeMap<String, String>), BuildError> {
    let mut manifest = Manifest::default();
    let mut contents = BTreeMap::new();
    for outcome in outcomes {
        let (stem, entry) = match outcome {
            Outcome::Reused { stem, entry } => (stem, entry),
            Outcome::Compiled { entry: None, .. } => continue,
            Outcome::Compiled {
                compiled,
                entry: Some(entry),
            } => {
                let stem = stem(&compiled.source.name);
                for f in compiled.files.into_iter().flatten() {
                    contents.insert(format!("{stem}/{}", f.path), f.content);
                }
                (stem, entry)
            }
        };
        if let Some(first) = manifest.specs.get(&stem) {
            return Err(BuildError::SameStem {
                stem,
                first: first.source.clone(),
                second: entry.source,
            });
        }
        manifest.specs.insert(stem, entry);
    }
    Ok((manifest, contents))
}

/// Every Kubernetes object of the specs (base, not environments) as one
/// multi-document YAML stream, as `helm template` prints them; specs are
/// checked and emitted on `jobs` threads, and only the objects are
/// rendered. The compiled specs come back for their diagnostics and for
/// [`unique_stems`], which the caller checks after reporting them.
pub fn stream(
    paths: &[PathBuf],
    jobs: Option<usize>,
) -> Result<(Vec<Compiled>, String), BuildError> {
    let compiled = in_pool(jobs, || {
        paths
            .par_iter()
            .map(|p| Ok(compile_bytes(p, &read(p)?, emit::objects)))
            .collect::<Result<Vec<_>, BuildError>>()
    })??;
    let mut out = String::new();
    for f in compiled.iter().flat_map(|c| c.files.iter().flatten()) {
        out.push_str("---\n");
        out.push_str(&f.content);
    }
    Ok((compiled, out))
}

#[cfg(test)]
mod tests {
    use super::display_name;
    use std::path::Path;

    #[test]
    fn display_names_join_with_one_slash() {
        assert_eq!(display_name(Path::new("specs/a.deploy")), "specs/a.deploy");
        assert_eq!(
            display_name(Path::new("/tmp/specs/a.deploy")),
            "/tmp/specs/a.deploy"
        );
        assert_eq!(display_name(Path::new("./a.deploy")), "./a.deploy");
    }
}
