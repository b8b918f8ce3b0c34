//! Comparing a spec's files with the output folder and writing what
//! changed, spec by spec (the parent module calls this from its workers);
//! then removing what is no longer generated and writing the manifest. A
//! changed file is written to a temporary file beside it and renamed into
//! place, so a reader never sees half of it; a new file is written in place
//! (nobody reads it yet, and a build cut short leaves at worst a partial new
//! file, which the next build finds different and rewrites); unchanged
//! files are not touched; files deployc owned before and no longer produces
//! are removed.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use super::manifest::{Manifest, MANIFEST_NAME};
use super::BuildError;
use crate::emit::OutputFile;

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

/// What writing one spec's files into `<out>/<stem>/` would change, each
/// change with the content it writes. A spec whose folder is missing adds
/// all its files without a look at each.
pub(super) fn spec_changes<'a>(
    out: &Path,
    stem: &str,
    files: &'a [OutputFile],
) -> Vec<(Change, &'a str)> {
    let missing = !out.join(stem).is_dir();
    files
        .iter()
        .filter_map(|f| {
            let path = || format!("{stem}/{}", f.path);
            let change = if missing {
                Change::Add(path())
            } else {
                match fs::read(out.join(stem).join(&f.path)) {
                    Ok(existing) if existing == f.content.as_bytes() => return None,
                    Ok(_) => Change::Update(path()),
                    Err(_) => Change::Add(path()),
                }
            };
            Some((change, f.content.as_str()))
        })
        .collect()
}

/// The files deployc owned before (in the manifest on disk), no longer
/// owns (not in `manifest`), and that are still there: what a build removes.
pub(super) fn removals(out: &Path, manifest: &Manifest) -> Vec<Change> {
    let owned: BTreeSet<&String> = manifest.files().map(|(p, _)| p).collect();
    old_manifest(out)
        .files()
        .filter(|(path, _)| !owned.contains(path) && out.join(path).exists())
        .map(|(path, _)| Change::Remove(path.clone()))
        .collect()
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

/// Removes the files of `removals`, one at a time and only after every
/// write: removing a folder that has just been emptied must not race with
/// a write into it.
pub(super) fn remove(out: &Path, removals: &[Change]) -> Result<(), BuildError> {
    for change in removals {
        let target = out.join(change.path());
        fs::remove_file(&target).map_err(|e| write_err(&target, e))?;
        remove_empty_parents(out, &target);
    }
    Ok(())
}

/// Writes the manifest after any change too (`changed`), so that it stays
/// newer than every file it vouches for (see `intact` in the parent
/// module), and whenever the one on disk differs.
pub(super) fn write_manifest(
    out: &Path,
    manifest: &Manifest,
    changed: bool,
) -> Result<(), BuildError> {
    let rendered = manifest.render();
    if changed || on_disk_differs(out, &rendered) {
        let manifest_path = out.join(MANIFEST_NAME);
        fs::create_dir_all(out).map_err(|e| write_err(out, e))?;
        fs::write(&manifest_path, rendered).map_err(|e| write_err(&manifest_path, e))?;
    }
    Ok(())
}

/// Writes one spec folder's new and changed files: its folders first, each
/// made once (parents sort before their children), then the files.
pub(super) fn write_spec(out: &Path, changes: &[(Change, &str)]) -> Result<(), BuildError> {
    let dirs: BTreeSet<&Path> = changes
        .iter()
        .flat_map(|(c, _)| Path::new(c.path()).ancestors().skip(1))
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
    for (change, content) in changes {
        let target = out.join(change.path());
        match change {
            Change::Add(_) => write_new(&target, content)?,
            _ => replace_file(&target, content)?,
        }
    }
    Ok(())
}

pub(super) fn write_err(path: &Path, source: std::io::Error) -> BuildError {
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
