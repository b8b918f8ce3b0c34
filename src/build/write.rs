//! Comparing planned files with the output folder, and applying the plan:
//! new content goes to a temporary file beside its target and is renamed
//! into place, so a reader never sees half a file; unchanged files are not
//! touched; files deployc owned before and no longer produces are removed.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use rayon::prelude::*;

use super::manifest::{Manifest, MANIFEST_NAME};
use super::BuildError;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    Add(String),
    Update(String),
    Remove(String),
}

impl Change {
    pub fn path(&self) -> &str {
        match self {
            Change::Add(p) | Change::Update(p) | Change::Remove(p) => p,
        }
    }
}

fn old_manifest(out: &Path) -> Manifest {
    fs::read_to_string(out.join(MANIFEST_NAME))
        .map(|t| Manifest::parse(&t))
        .unwrap_or_default()
}

/// What writing `contents` (the compiled files) with `manifest` (every file
/// the build owns, compiled or reused) into `out` would change.
pub fn plan(out: &Path, manifest: &Manifest, contents: &BTreeMap<String, String>) -> Vec<Change> {
    let mut changes = Vec::new();
    for (path, content) in contents {
        match fs::read(out.join(path)) {
            Ok(existing) if existing == content.as_bytes() => {}
            Ok(_) => changes.push(Change::Update(path.clone())),
            Err(_) => changes.push(Change::Add(path.clone())),
        }
    }
    let owned: std::collections::BTreeSet<&String> = manifest.files().map(|(p, _)| p).collect();
    for (path, _) in old_manifest(out).files() {
        if !owned.contains(path) && out.join(path).exists() {
            changes.push(Change::Remove(path.clone()));
        }
    }
    changes.sort();
    changes
}

/// Whether the manifest on disk differs from `manifest`: input hashes change
/// with the spec and with deployc itself, so a tree built by another
/// version is stale even when every file is byte-identical.
pub fn manifest_differs(out: &Path, manifest: &Manifest) -> bool {
    fs::read_to_string(out.join(MANIFEST_NAME)).ok().as_deref() != Some(manifest.render().as_str())
}

/// Writes the changes and the new manifest, new files on `jobs` threads
/// (all cores when None). Returns what changed.
pub fn apply(
    out: &Path,
    manifest: &Manifest,
    contents: &BTreeMap<String, String>,
    jobs: Option<usize>,
) -> Result<Vec<Change>, BuildError> {
    let changes = plan(out, manifest, contents);
    let written: Result<(), BuildError> = super::in_pool(jobs, || {
        changes.par_iter().try_for_each(|change| match change {
            Change::Add(p) | Change::Update(p) => write_file(&out.join(p), &contents[p]),
            Change::Remove(_) => Ok(()),
        })
    })?;
    written?;
    // Removals after all writes, one at a time: removing a folder that has
    // just been emptied must not race with a write into it.
    for change in &changes {
        if let Change::Remove(p) = change {
            let target = out.join(p);
            fs::remove_file(&target).map_err(|e| write_err(&target, e))?;
            remove_empty_parents(out, &target);
        }
    }
    // Rewritten after any change too, so that it stays newer than every
    // file it vouches for (see `intact` in the parent module).
    if !changes.is_empty() || manifest_differs(out, manifest) {
        let manifest_path = out.join(MANIFEST_NAME);
        fs::create_dir_all(out).map_err(|e| write_err(out, e))?;
        fs::write(&manifest_path, manifest.render()).map_err(|e| write_err(&manifest_path, e))?;
    }
    Ok(changes)
}

fn write_err(path: &Path, source: std::io::Error) -> BuildError {
    BuildError::Write {
        path: path.display().to_string(),
        source,
    }
}

/// Writes a temporary file beside the target and renames it into place.
fn write_file(target: &Path, content: &str) -> Result<(), BuildError> {
    if let Some(dir) = target.parent() {
        fs::create_dir_all(dir).map_err(|e| write_err(dir, e))?;
    }
    // The whole name plus a suffix: two targets never share a temporary
    // file, even when they differ only in extension.
    let mut tmp = target.as_os_str().to_owned();
    tmp.push(".deployc-tmp");
    let tmp = std::path::PathBuf::from(tmp);
    fs::write(&tmp, content).map_err(|e| write_err(&tmp, e))?;
    fs::rename(&tmp, target).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        write_err(target, e)
    })
}

fn remove_empty_parents(root: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == root || fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}
