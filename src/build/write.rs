//! Comparing planned files with the output folder, and applying the plan:
//! new content goes to a temporary file beside its target and is renamed
//! into place, so a reader never sees half a file; unchanged files are not
//! touched; files deployc owned before and no longer produces are removed.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

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

/// Writes the changes and the new manifest. Returns what changed.
pub fn apply(
    out: &Path,
    manifest: &Manifest,
    contents: &BTreeMap<String, String>,
) -> Result<Vec<Change>, BuildError> {
    let changes = plan(out, manifest, contents);
    let write_err = |p: &Path, e| BuildError::Write {
        path: p.display().to_string(),
        source: e,
    };
    for change in &changes {
        let target = out.join(change.path());
        match change {
            Change::Add(p) | Change::Update(p) => {
                if let Some(dir) = target.parent() {
                    fs::create_dir_all(dir).map_err(|e| write_err(dir, e))?;
                }
                let tmp = target.with_extension("deployc-tmp");
                fs::write(&tmp, &contents[p]).map_err(|e| write_err(&tmp, e))?;
                fs::rename(&tmp, &target).map_err(|e| {
                    let _ = fs::remove_file(&tmp);
                    write_err(&target, e)
                })?;
            }
            Change::Remove(_) => {
                fs::remove_file(&target).map_err(|e| write_err(&target, e))?;
                remove_empty_parents(out, &target);
            }
        }
    }
    if manifest_differs(out, manifest) {
        let manifest_path = out.join(MANIFEST_NAME);
        fs::create_dir_all(out).map_err(|e| write_err(out, e))?;
        fs::write(&manifest_path, manifest.render()).map_err(|e| write_err(&manifest_path, e))?;
    }
    Ok(changes)
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
