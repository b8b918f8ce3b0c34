//! Comparing planned files with the output folder, and applying the plan:
//! a changed file is written to a temporary file beside it and renamed into
//! place, so a reader never sees half of it; a new file is written in place
//! (nobody reads it yet, and a build cut short leaves at worst a partial new
//! file, which the next build finds different and rewrites); unchanged
//! files are not touched; files deployc owned before and no longer produces
//! are removed.

use std::collections::{BTreeMap, BTreeSet};
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
/// the build owns, compiled or reused) into `out` would change. Files are
/// compared in parallel; a spec whose folder is missing adds all its files
/// without a look at each.
pub fn plan(out: &Path, manifest: &Manifest, contents: &BTreeMap<String, String>) -> Vec<Change> {
    let stems: BTreeSet<&str> = contents.keys().map(|p| stem_of(p)).collect();
    let missing: BTreeSet<&str> = stems
        .into_par_iter()
        .filter(|stem| !out.join(stem).is_dir())
        .collect();
    let mut changes: Vec<Change> = contents
        .par_iter()
        .filter_map(|(path, content)| {
            if missing.contains(stem_of(path)) {
                return Some(Change::Add(path.clone()));
            }
            match fs::read(out.join(path)) {
                Ok(existing) if existing == content.as_bytes() => None,
                Ok(_) => Some(Change::Update(path.clone())),
                Err(_) => Some(Change::Add(path.clone())),
            }
        })
        .collect();
    let owned: BTreeSet<&String> = manifest.files().map(|(p, _)| p).collect();
    for (path, _) in old_manifest(out).files() {
        if !owned.contains(path) && out.join(path).exists() {
            changes.push(Change::Remove(path.clone()));
        }
    }
    changes.sort();
    changes
}

/// The spec folder a path relative to the output folder lies in.
fn stem_of(path: &str) -> &str {
    path.split('/').next().unwrap_or(path)
}

/// Whether the manifest on disk differs from `manifest`: input hashes change
/// with the spec and with deployc itself, so a tree built by another
/// version is stale even when every file is byte-identical.
pub fn manifest_differs(out: &Path, manifest: &Manifest) -> bool {
    on_disk_differs(out, &manifest.render())
}

fn on_disk_differs(out: &Path, rendered: &str) -> bool {
    fs::read_to_string(out.join(MANIFEST_NAME)).ok().as_deref() != Some(rendered)
}

/// Writes the changes and the new manifest, one spec folder per thread on
/// `jobs` threads (all cores when None). Returns what changed.
pub fn apply(
    out: &Path,
    manifest: &Manifest,
    contents: &BTreeMap<String, String>,
    jobs: Option<usize>,
) -> Result<Vec<Change>, BuildError> {
    // One pool for comparing and writing.
    let changes = super::in_pool(jobs, || -> Result<Vec<Change>, BuildError> {
        let changes = plan(out, manifest, contents);
        let mut by_stem: BTreeMap<&str, Vec<&Change>> = BTreeMap::new();
        for change in changes.iter().filter(|c| !matches!(c, Change::Remove(_))) {
            by_stem
                .entry(stem_of(change.path()))
                .or_default()
                .push(change);
        }
        if !by_stem.is_empty() {
            fs::create_dir_all(out).map_err(|e| write_err(out, e))?;
        }
        by_stem
            .par_iter()
            .try_for_each(|(_, group)| write_group(out, group, contents))?;
        Ok(changes)
    })??;
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
    let rendered = manifest.render();
    if !changes.is_empty() || on_disk_differs(out, &rendered) {
        let manifest_path = out.join(MANIFEST_NAME);
        fs::create_dir_all(out).map_err(|e| write_err(out, e))?;
        fs::write(&manifest_path, rendered).map_err(|e| write_err(&manifest_path, e))?;
    }
    Ok(changes)
}

/// Writes one spec folder's new and changed files: its folders first, each
/// made once (parents sort before their children), then the files.
fn write_group(
    out: &Path,
    group: &[&Change],
    contents: &BTreeMap<String, String>,
) -> Result<(), BuildError> {
    let dirs: BTreeSet<&Path> = group
        .iter()
        .flat_map(|c| Path::new(c.path()).ancestors().skip(1))
        .filter(|d| !d.as_os_str().is_empty())
        .collect();
    for dir in dirs {
        let dir = out.join(dir);
        match fs::create_dir(&dir) {
            Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
                return Err(write_err(&dir, e))
            }
            _ => {}
        }
    }
    for change in group {
        let target = out.join(change.path());
        let content = &contents[change.path()];
        match change {
            Change::Add(_) => write_new(&target, content)?,
            _ => replace_file(&target, content)?,
        }
    }
    Ok(())
}

fn write_err(path: &Path, source: std::io::Error) -> BuildError {
    BuildError::Write {
        path: path.display().to_string(),
        source,
    }
}

/// Creates a file that was not there when the build looked. `create_new`
/// never follows a link or truncates what appeared since: a dangling link
/// at the path is replaced, not written through to wherever it points.
fn write_new(target: &Path, content: &str) -> Result<(), BuildError> {
    use std::io::Write;
    match fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(target)
    {
        Ok(mut file) => file
            .write_all(content.as_bytes())
            .map_err(|e| write_err(target, e)),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => replace_file(target, content),
        Err(e) => Err(write_err(target, e)),
    }
}

/// Replaces a file a reader may be looking at: writes a temporary file
/// beside it and renames it into place, so the reader sees the old bytes or
/// the new, never half of them. (A new file has no reader yet.)
fn replace_file(target: &Path, content: &str) -> Result<(), BuildError> {
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
