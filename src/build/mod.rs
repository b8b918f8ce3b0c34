//! Turning specs into files on disk: the only module that touches the file
//! system. A build either writes everything or nothing: every spec is
//! checked first (in parallel, one spec per core), and only when all of
//! them check does the build emit them, spec by spec, each spec's files
//! written as soon as they are emitted and then dropped, so a build of
//! thousands of specs holds one spec's output per core, not all of it. The
//! manifest in the output folder records what deployc owns, so a build
//! removes only files it generated before, never touches others, and
//! recompiles only specs that changed. The output folder is a boundary:
//! nothing is written, read or removed outside it or through a link in it
//! (`paths`), the manifest is checked before it is trusted, and one build
//! at a time writes a folder (`lock`).

mod lock;
mod manifest;
mod paths;
pub mod write;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use rayon::prelude::*;

pub use manifest::{input_hash, Manifest, SpecEntry, MANIFEST_NAME};
pub use paths::{valid_stem, MAX_STEM};
pub use write::Change;

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
    #[error(
        "{spec}: `{stem}` cannot name an output folder; rename the file: a spec's \
         file name without `.deploy` must start with a letter or digit and hold only \
         letters, digits, `.`, `_` and `-` (at most {max} characters)",
        max = MAX_STEM
    )]
    BadStem { spec: String, stem: String },
    #[error(
        "{path}, line {line}: {reason}\n\
         deployc removes and overwrites files on this manifest's word, so it does not \
         build with a manifest it cannot trust; nothing was changed. Fix or delete that \
         line (or the manifest: deployc then owns no file there and overwrites none \
         without --force)"
    )]
    BadManifest {
        path: String,
        line: usize,
        reason: String,
    },
    #[error(
        "{path} is a symbolic link; deployc never writes, reads or removes through a \
         link inside its output folder. Replace it with a real folder or file (the \
         output folder itself, -o, may be a link)"
    )]
    Link { path: String },
    #[error(
        "refusing to overwrite {} file(s) deployc did not write (not in {out}/{MANIFEST_NAME}):\n{}\n\
         move them away, or run with --force to overwrite them",
        .paths.len(),
        listed(.out, .paths)
    )]
    Foreign { out: String, paths: Vec<String> },
    #[error("refusing to write `{0}`: not a path inside the output folder")]
    UnsafePath(String),
    #[error("{0} changed while this build read it (another deployc build?); run the build again")]
    Raced(String),
}

/// One `  OUT/path` line a path.
fn listed(out: &str, paths: &[String]) -> String {
    let lines: Vec<String> = paths.iter().map(|p| format!("  {out}/{p}")).collect();
    lines.join("\n")
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

/// The stem of the spec named `name`, when it is [`valid_stem`]: a spec
/// file's name chooses a folder deployc writes and removes in, so
/// `specs/...deploy` (stem `..`) or `/srv/.deploy` (stem empty) must not
/// reach the file system.
pub fn checked_stem(name: &str) -> Result<String, BuildError> {
    let stem = stem(name);
    if valid_stem(&stem) {
        Ok(stem)
    } else {
        Err(BuildError::BadStem {
            spec: name.to_string(),
            stem,
        })
    }
}

/// Fails at the first spec (in the order given) whose stem is not valid.
pub fn check_stems(paths: &[PathBuf]) -> Result<(), BuildError> {
    paths
        .iter()
        .try_for_each(|p| checked_stem(&display_name(p)).map(drop))
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
    unique(
        compiled
            .iter()
            .filter(|c| c.files.is_some())
            .map(|c| (stem(&c.source.name), c.source.name.as_str())),
    )
}

/// Fails at the first stem that two of the (stem, spec name) pairs share.
fn unique<'a>(stems: impl IntoIterator<Item = (String, &'a str)>) -> Result<(), BuildError> {
    let mut owners: BTreeMap<String, &str> = BTreeMap::new();
    for (stem, source) in stems {
        if let Some(first) = owners.insert(stem.clone(), source) {
            return Err(BuildError::SameStem {
                stem,
                first: first.to_string(),
                second: source.to_string(),
            });
        }
    }
    Ok(())
}

/// A build worked out by [`plan`], for [`emit_and_apply`].
pub struct Plan {
    /// One a spec, in the order given.
    pub outcomes: Vec<Outcome>,
    /// The manifest the plan read, and which version of it.
    manifest: Manifest,
    stamp: Option<manifest::Stamp>,
}

/// A spec in an incremental build: reused from the last build, or checked
/// afresh and, when it checked, waiting to be emitted.
pub enum Outcome {
    /// Unchanged since the last build, its files intact: nothing to do.
    Reused { stem: String, entry: SpecEntry },
    /// Read and checked; its model is in `compiled.spec` when it checked.
    Checked {
        compiled: Box<Compiled>,
        input_hash: u64,
    },
}

/// Plans a build of `paths` into `out`, emitting `targets`: reuses each
/// spec whose input hash matches the manifest and whose files are intact
/// (unless `force`), and checks the others, in parallel. Nothing is
/// emitted yet: see [`emit_and_apply`].
pub fn plan(
    paths: &[PathBuf],
    out: &Path,
    targets: emit::Targets,
    jobs: Option<usize>,
    force: bool,
) -> Result<Plan, BuildError> {
    check_stems(paths)?;
    // Read, and checked, even with --force: a manifest that cannot be
    // trusted stops the build before anything is compiled.
    let (manifest, stamp) = manifest::read(out)?;
    let empty = Manifest::default();
    let old = if force { &empty } else { &manifest };
    let manifest_time = stamp.as_ref().and_then(|s| s.modified);
    let outcomes = in_pool(jobs, || {
        paths
            .par_iter()
            .map(|path| {
                let bytes = read(path)?;
                let name = display_name(path);
                let input_hash = input_hash(&name, &targets.hash_key(), &bytes);
                let stem = checked_stem(&name)?;
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
                // build: only a build that writes a runbook pays for it,
                // and it starts now, while the specs are checked.
                if targets.contains(emit::Target::Runbook) {
                    emit::runbook::prepare();
                }
                Ok(Outcome::Checked {
                    compiled: Box::new(check_bytes(path, &bytes)),
                    input_hash,
                })
            })
            .collect::<Result<Vec<_>, BuildError>>()
    })??;
    Ok(Plan {
        outcomes,
        manifest,
        stamp,
    })
}

/// Emits every spec of `outcomes` that checked and brings `out` up to date
/// with its files, or, unless `write`, only works out what that would
/// change (`--check`). One spec per thread on `jobs` threads: a spec's
/// files are compared with the disk and written as soon as they are
/// emitted, then dropped. Call it once every spec has checked: two specs of
/// one stem are refused before anything is written, and after that only
/// the file system, a link in the output folder or a file deployc does not
/// own (refused unless `force`) can stop it; the manifest then still lists
/// every file written ([`write::Journal`]), and a spec with a file it does
/// not own is not written at all. Returns the new manifest and every
/// change, sorted.
pub fn emit_and_apply(
    plan: Plan,
    out: &Path,
    targets: emit::Targets,
    jobs: Option<usize>,
    write: bool,
    force: bool,
) -> Result<(Manifest, Vec<Change>), BuildError> {
    let outcomes = plan.outcomes;
    unique_outcome_stems(&outcomes)?;
    let _lock = if write {
        fs::create_dir_all(out).map_err(|e| write::write_err(out, e))?;
        Some(lock::lock(out)?)
    } else {
        None
    };
    // The manifest deployc trusts for ownership and removal is the one on
    // disk under the lock: the plan's, unless another build replaced it
    // since; then what the plan reused must still be what it says.
    let old = if manifest::stamp(out) == plan.stamp {
        plan.manifest
    } else {
        let (old, _) = manifest::read(out)?;
        let stale = outcomes.iter().any(
            |o| matches!(o, Outcome::Reused { stem, entry } if old.specs.get(stem) != Some(entry)),
        );
        if stale {
            return Err(BuildError::Raced(out.display().to_string()));
        }
        old
    };
    let reused: BTreeSet<&str> = outcomes
        .iter()
        .filter_map(|o| match o {
            Outcome::Reused { stem, .. } => Some(stem.as_str()),
            Outcome::Checked { .. } => None,
        })
        .collect();
    let journal = if write
        && outcomes
            .iter()
            .any(|o| matches!(o, Outcome::Checked { .. }))
    {
        Some(write::Journal::start(out, &old, &reused)?)
    } else {
        None
    };
    let apply = Apply {
        out,
        targets,
        old: &old,
        force,
        journal: journal.as_ref(),
    };
    let emitted = in_pool(jobs, || {
        outcomes
            .into_par_iter()
            .map(|outcome| apply.emit_one(outcome))
            .collect::<Result<Vec<_>, BuildError>>()
    })??;
    let mut manifest = Manifest::default();
    let mut changes = Vec::new();
    for (stem, entry, spec_changes) in emitted.into_iter().flatten() {
        manifest.specs.insert(stem, entry);
        changes.extend(spec_changes);
    }
    let foreign: Vec<String> = changes
        .iter()
        .filter(|c| matches!(c, Change::Foreign(_)))
        .map(|c| c.path().to_string())
        .collect();
    if write && !foreign.is_empty() {
        // The journal lists what was written; nothing is removed.
        let mut paths = foreign;
        paths.sort();
        return Err(BuildError::Foreign {
            out: out.display().to_string(),
            paths,
        });
    }
    let removals = write::removals(out, &old, &manifest)?;
    if write {
        write::remove(out, &removals)?;
    }
    changes.extend(removals);
    changes.sort();
    if write {
        write::write_manifest(out, &manifest, !changes.is_empty())?;
    }
    Ok((manifest, changes))
}

/// What every worker of [`emit_and_apply`] shares.
struct Apply<'a> {
    out: &'a Path,
    targets: emit::Targets,
    /// The manifest on disk: which files deployc owns.
    old: &'a Manifest,
    force: bool,
    /// Where a spec's files are recorded before they are written; None
    /// when nothing is written (`--check`).
    journal: Option<&'a write::Journal>,
}

impl Apply<'_> {
    /// One spec: its stem, manifest entry and changes; None for a spec that
    /// did not check. A spec with a file deployc does not own is not
    /// written; the caller refuses the build.
    fn emit_one(
        &self,
        outcome: Outcome,
    ) -> Result<Option<(String, SpecEntry, Vec<Change>)>, BuildError> {
        let (compiled, input_hash) = match outcome {
            Outcome::Reused { stem, entry } => return Ok(Some((stem, entry, Vec::new()))),
            Outcome::Checked {
                compiled,
                input_hash,
            } => (compiled, input_hash),
        };
        let Some(spec) = &compiled.spec else {
            return Ok(None);
        };
        let stem = checked_stem(&compiled.source.name)?;
        let files = emit::emit(spec, self.targets);
        let entry = entry_of(&compiled, &files, &stem, input_hash);
        // Emitted names come from the spec (services, environments): they
        // must stay inside the spec's folder whatever an emitter does.
        if let Some(bad) = entry.files.keys().find(|p| !paths::safe_relative(p)) {
            return Err(BuildError::UnsafePath(bad.clone()));
        }
        let changes = write::spec_changes(self.out, &stem, &files, self.old, self.force)?;
        let refused = changes.iter().any(|(c, _)| matches!(c, Change::Foreign(_)));
        if let Some(journal) = self.journal {
            if !refused && !changes.is_empty() {
                journal.append(&stem, &entry)?;
                write::write_spec(self.out, &changes)?;
            }
        }
        let changes = changes.into_iter().map(|(change, _)| change).collect();
        Ok(Some((stem, entry, changes)))
    }
}

/// Fails when two specs of a build, reused or checked, would write to the
/// same `<stem>/` folder.
fn unique_outcome_stems(outcomes: &[Outcome]) -> Result<(), BuildError> {
    unique(outcomes.iter().filter_map(|outcome| {
        match outcome {
            Outcome::Reused { stem, entry } => Some((stem.clone(), entry.source.as_str())),
            Outcome::Checked { compiled, .. } => compiled
                .spec
                .as_ref()
                .map(|_| (stem(&compiled.source.name), compiled.source.name.as_str())),
        }
    }))
}

/// The manifest entry of an emitted spec, every file hashed (in the worker
/// that emitted it).
fn entry_of(compiled: &Compiled, files: &[OutputFile], stem: &str, input_hash: u64) -> SpecEntry {
    SpecEntry {
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
    }
}

/// Whether every file of the entry is on disk with the recorded content.
/// A file last modified before the manifest is taken as written by that
/// build (every build writes its files before its manifest), so a no-change
/// rebuild costs one `lstat` a file. Any other file (edited by hand, checked
/// out by git, or written in the same clock tick as the manifest: file
/// times are coarse, a few milliseconds) is read and hashed. A link is
/// never intact: the spec is rebuilt, and the link replaced. (A reused
/// spec writes and removes nothing, so a link in place of one of its
/// folders is found when the spec next writes: see `paths::Folders`.)
fn intact(out: &Path, entry: &SpecEntry, manifest_time: Option<SystemTime>) -> bool {
    entry.files.iter().all(|(path, hash)| {
        let path = out.join(path);
        let Ok(meta) = fs::symlink_metadata(&path) else {
            return false;
        };
        if !meta.is_file() {
            return false;
        }
        let older = meta
            .modified()
            .ok()
            .zip(manifest_time)
            .is_some_and(|(file, manifest)| file < manifest);
        older
            || matches!(paths::read_existing(&path),
                paths::Existing::File(b) if manifest::hash(&b) == *hash)
    })
}

/// Every Kubernetes object of the specs (base, not environments) as one
/// multi-document YAML stream, as `helm template` prints them; specs are
/// checked and emitted on `jobs` threads, and only the objects are
/// rendered. The compiled specs come back for their diagnostics and for
/// [`unique_stems`], which the caller checks after reporting them: without
/// their model, and with their files (now in the stream) emptied.
pub fn stream(
    paths: &[PathBuf],
    jobs: Option<usize>,
) -> Result<(Vec<Compiled>, String), BuildError> {
    // The same names as a build to disk, so that stdout and disk agree.
    check_stems(paths)?;
    // Each worker joins its spec's documents and drops the spec's model
    // and files itself: dropped here, on one thread after all the work,
    // they were a sixth of a stream's time on two cores.
    let (compiled, chunks): (Vec<Compiled>, Vec<String>) = in_pool(jobs, || {
        paths
            .par_iter()
            .map(|p| {
                let mut c = compile_bytes(p, &read(p)?, emit::objects);
                c.spec = None;
                let chunk = c.files.as_mut().map_or_else(String::new, |files| {
                    let mut chunk = String::new();
                    for f in files.drain(..) {
                        chunk.push_str("---\n");
                        chunk.push_str(&f.content);
                    }
                    chunk
                });
                Ok((c, chunk))
            })
            .collect::<Result<Vec<_>, BuildError>>()
    })??
    .into_iter()
    .unzip();
    Ok((compiled, chunks.concat()))
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
