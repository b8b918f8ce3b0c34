//! Comparing a spec's files with the output folder and writing what
//! changed, spec by spec (the parent module calls this from its workers);
//! then removing what is no longer generated and writing the manifest. A
//! changed file is written to a temporary file beside it and renamed into
//! place, so a reader never sees half of it; a new file is written in place
//! (nobody reads it yet, and a build cut short leaves at worst a partial new
//! file, which the next build finds different and rewrites); unchanged
//! files are not touched; files deployc owned before and no longer produces
//! are removed. A file deployc does not own is never overwritten (unless
//! `--force`), and no link below the output folder is followed.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use super::manifest::{self, Manifest, SpecEntry, MANIFEST_NAME};
use super::paths::{read_existing, Existing, Folder, Folders};
use super::BuildError;
use crate::emit::OutputFile;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    Add(String),
    Update(String),
    Remove(String),
    /// A file deployc would write that is there, differs, and is not in
    /// the manifest: someone else's. Refused unless `--force`.
    Foreign(String),
}

impl Change {
    pub fn path(&self) -> &str {
        match self {
            Change::Add(p) | Change::Update(p) | Change::Remove(p) | Change::Foreign(p) => p,
        }
    }
}

/// What writing one spec's files into `<out>/<stem>/` would change, each
/// change with the content it writes. A spec whose folder is missing adds
/// all its files without a look at each. A file there that differs is
/// updated when `old` lists it (or with `force`), and is [`Change::Foreign`]
/// otherwise; one with exactly the bytes deployc would write is simply
/// recorded as owned from now on. Fails on a link where a folder should be.
pub(super) fn spec_changes<'a>(
    out: &Path,
    stem: &str,
    files: &'a [OutputFile],
    old: &Manifest,
    force: bool,
) -> Result<Vec<(Change, &'a str)>, BuildError> {
    let mut folders = Folders::new(out);
    let mut changes = Vec::new();
    for f in files {
        let path = format!("{stem}/{}", f.path);
        let change = match folders.check(&path)? {
            Folder::Missing => Change::Add(path),
            Folder::Present => {
                let owned = force || old.owns(&path);
                match read_existing(&out.join(&path)) {
                    Existing::File(bytes) if bytes == f.content.as_bytes() => continue,
                    Existing::Nothing => Change::Add(path),
                    // A link or a folder at the file's own place is
                    // replaced by the rename, never written through.
                    Existing::File(_) | Existing::Other if owned => Change::Update(path),
                    Existing::File(_) | Existing::Other => Change::Foreign(path),
                }
            }
        };
        changes.push((change, f.content.as_str()));
    }
    Ok(changes)
}

/// The files deployc owned before (`old`), no longer owns (not in `new`),
/// and that are still there (as anything, a link included): what a build
/// removes. Fails on a link where a folder should be: even a look through
/// it is a look outside the output folder.
pub(super) fn removals(
    out: &Path,
    old: &Manifest,
    new: &Manifest,
) -> Result<Vec<Change>, BuildError> {
    let mut folders = Folders::new(out);
    let mut removals = Vec::new();
    for (path, _) in old.files() {
        if !new.owns(path)
            && folders.check(path)? == Folder::Present
            && fs::symlink_metadata(out.join(path)).is_ok()
        {
            removals.push(Change::Remove(path.clone()));
        }
    }
    Ok(removals)
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
/// a write into it. A link where a folder should be is refused: removing
/// through it would delete outside the output folder. A link at the file's
/// own place is removed itself, not what it points to.
pub(super) fn remove(out: &Path, removals: &[Change]) -> Result<(), BuildError> {
    let mut folders = Folders::new(out);
    for change in removals {
        if folders.check(change.path())? == Folder::Missing {
            continue;
        }
        let target = out.join(change.path());
        match fs::remove_file(&target) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(write_err(&target, e))
            }
            _ => {}
        }
        remove_empty_parents(out, &target);
    }
    Ok(())
}

/// Writes the manifest after any change too (`changed`), so that it stays
/// newer than every file it vouches for (see `intact` in the parent
/// module), and whenever the one on disk differs. It replaces the old one
/// by a rename: a reader, or a build cut short, sees one or the other.
pub(super) fn write_manifest(
    out: &Path,
    manifest: &Manifest,
    changed: bool,
) -> Result<(), BuildError> {
    let rendered = manifest.render();
    if changed || on_disk_differs(out, &rendered) {
        let (tmp, mut file) = create_temp(&out.join(MANIFEST_NAME))?;
        file.write_all(rendered.as_bytes())
            .map_err(|e| write_err(&tmp, e))?;
        drop(file);
        rename_into_place(&tmp, &out.join(MANIFEST_NAME))?;
    }
    Ok(())
}

/// The manifest while a build writes: first the old manifest, its entries
/// trusted for reuse only for the specs this build reuses (the others may
/// be half rewritten when the build stops), then a line for each spec
/// appended before the spec's files are written. At every moment it lists
/// every file deployc wrote, so a build cut short by an I/O error (or a
/// kill) leaves nothing it does not own, and the next build cleans up.
pub(super) struct Journal {
    file: Mutex<fs::File>,
    path: PathBuf,
}

impl Journal {
    pub(super) fn start(
        out: &Path,
        old: &Manifest,
        reused: &BTreeSet<&str>,
    ) -> Result<Journal, BuildError> {
        let path = out.join(MANIFEST_NAME);
        let (tmp, mut file) = create_temp(&path)?;
        let mut text = manifest::header_line();
        for (stem, entry) in &old.specs {
            if reused.contains(stem.as_str()) {
                text.push_str(&manifest::entry_line(stem, entry));
            } else {
                let untrusted = SpecEntry {
                    input_hash: 0,
                    ..entry.clone()
                };
                text.push_str(&manifest::entry_line(stem, &untrusted));
            }
        }
        file.write_all(text.as_bytes())
            .map_err(|e| write_err(&tmp, e))?;
        rename_into_place(&tmp, &path)?;
        // The open file is now the manifest: lines go on after the old ones.
        Ok(Journal {
            file: Mutex::new(file),
            path,
        })
    }

    /// Records that the files of `entry` are about to be written. Its input
    /// hash is left out: until the final manifest, the spec is rebuilt.
    pub(super) fn append(&self, stem: &str, entry: &SpecEntry) -> Result<(), BuildError> {
        let pending = SpecEntry {
            input_hash: 0,
            ..entry.clone()
        };
        let line = manifest::entry_line(stem, &pending);
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        file.write_all(line.as_bytes())
            .map_err(|e| write_err(&self.path, e))
    }
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
    let (tmp, mut file) = create_temp(target)?;
    if let Err(e) = file.write_all(content.as_bytes()) {
        let _ = fs::remove_file(&tmp);
        return Err(write_err(&tmp, e));
    }
    drop(file);
    rename_into_place(&tmp, target)
}

/// Creates a temporary file beside `target`, named after it (two targets
/// never share one, even when they differ only in extension), this process
/// and a counter: two builds, or two threads, never write the same
/// temporary file. `create_new`: never through a link, never over a file.
fn create_temp(target: &Path) -> Result<(PathBuf, fs::File), BuildError> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let mut name = target.as_os_str().to_owned();
    name.push(format!(
        ".deployc-tmp-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let tmp = PathBuf::from(name);
    let file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .map_err(|e| write_err(&tmp, e))?;
    Ok((tmp, file))
}

/// Renames `tmp` over `target`; a link at `target` is replaced, not
/// followed.
fn rename_into_place(tmp: &Path, target: &Path) -> Result<(), BuildError> {
    fs::rename(tmp, target).map_err(|e| {
        let _ = fs::remove_file(tmp);
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
