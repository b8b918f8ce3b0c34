//! The output folder is a security boundary: what may name a file in it,
//! and how deployc looks at what is there without following links. Names
//! come from spec file names, from emitters and from the manifest, which
//! anyone with write access to the folder can edit, so every one is checked
//! here before it is joined to the output path.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::BuildError;

/// The longest stem (a spec's file name without `.deploy`) deployc accepts.
pub const MAX_STEM: usize = 100;

/// Whether `stem` may name a spec's output folder: one path component of
/// ASCII letters, digits, `.`, `_` and `-`, starting with a letter or a
/// digit (so never `.`, `..`, empty, hidden, or an option), at most
/// [`MAX_STEM`] long. Dot-files at the top of the output folder (the
/// manifest) can therefore never be a spec's folder.
pub fn valid_stem(stem: &str) -> bool {
    let bytes = stem.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_STEM
        && bytes[0].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Whether `path` is a clean relative path that stays inside the folder it
/// is joined to: `/`-separated, no leading `/`, no empty, `.` or `..`
/// component, and no backslash or NUL (a separator or a terminator on some
/// systems).
pub fn safe_relative(path: &str) -> bool {
    // One pass over the bytes: the manifest of a large build lists
    // hundreds of thousands of paths. A leading `/` is an empty component.
    path.as_bytes().split(|b| *b == b'/').all(|c| {
        !c.is_empty() && c != b"." && c != b".." && !c.iter().any(|b| matches!(b, b'\\' | 0))
    })
}

/// Whether `path` is a file of the spec folder `stem`: `<stem>/<more>`.
pub fn in_spec_folder(path: &str, stem: &str) -> bool {
    path.strip_prefix(stem)
        .is_some_and(|rest| rest.len() > 1 && rest.starts_with('/'))
}

/// What [`Folders::check`] found at a folder below the output folder.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Folder {
    /// A real folder (not a link).
    Present,
    /// Not there, nor anything below it.
    Missing,
}

/// The folders below the output folder that one pass (a spec's writes, the
/// removals) has looked at, each looked at once with `lstat`: a link where
/// a folder should be is refused, never followed. The output folder itself
/// (the `-o` argument) may be a link; the user chose it.
pub struct Folders<'a> {
    out: &'a Path,
    seen: HashSet<PathBuf>,
    missing: HashSet<PathBuf>,
}

impl<'a> Folders<'a> {
    pub fn new(out: &'a Path) -> Self {
        Folders {
            out,
            seen: HashSet::new(),
            missing: HashSet::new(),
        }
    }

    /// Checks every folder between the output folder and the file `rel`
    /// (relative, already [`safe_relative`]), outermost first: each must be
    /// a real folder or missing. Missing when any of them is.
    pub fn check(&mut self, rel: &str) -> Result<Folder, BuildError> {
        let rel = Path::new(rel);
        let mut dirs: Vec<&Path> = rel
            .ancestors()
            .skip(1)
            .filter(|d| !d.as_os_str().is_empty())
            .collect();
        dirs.reverse();
        for dir in dirs {
            if self.missing.contains(dir) {
                return Ok(Folder::Missing);
            }
            if self.seen.contains(dir) {
                continue;
            }
            let full = self.out.join(dir);
            match fs::symlink_metadata(&full) {
                Ok(m) if m.file_type().is_symlink() => {
                    return Err(BuildError::Link {
                        path: full.display().to_string(),
                    })
                }
                Ok(m) if m.is_dir() => {
                    self.seen.insert(dir.to_path_buf());
                }
                Ok(_) => {
                    return Err(BuildError::Write {
                        path: full.display().to_string(),
                        source: io::Error::new(
                            io::ErrorKind::AlreadyExists,
                            "a file is where deployc needs a folder",
                        ),
                    })
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    self.missing.insert(dir.to_path_buf());
                    return Ok(Folder::Missing);
                }
                Err(e) => {
                    return Err(BuildError::Read {
                        path: full.display().to_string(),
                        source: e,
                    })
                }
            }
        }
        Ok(Folder::Present)
    }
}

/// What is at a path where deployc wants a file, looked at without
/// following a link.
pub enum Existing {
    /// A regular file, with its bytes.
    File(Vec<u8>),
    /// Nothing.
    Nothing,
    /// Something else: a link, a folder, a device, or a file it cannot read.
    Other,
}

/// Reads the regular file at `path` without following a link at its last
/// component (the folders above it are checked by [`Folders`]). A FIFO or
/// a device there must not hang or flood the build: it is opened
/// non-blocking and refused unless it is a regular file.
pub fn read_existing(path: &Path) -> Existing {
    match open_no_follow(path) {
        Ok(file) => read_regular(file),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Existing::Nothing,
        Err(_) => Existing::Other,
    }
}

fn read_regular(mut file: fs::File) -> Existing {
    use std::io::Read;
    match file.metadata() {
        Ok(m) if m.is_file() => {
            let mut bytes = Vec::with_capacity(m.len() as usize);
            match file.read_to_end(&mut bytes) {
                Ok(_) => Existing::File(bytes),
                Err(_) => Existing::Other,
            }
        }
        _ => Existing::Other,
    }
}

/// Opens for reading; fails (ELOOP) on a link instead of following it.
#[cfg(unix)]
fn open_no_follow(path: &Path) -> io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
}

/// Elsewhere, a look at the link itself first (racy, but the build holds
/// the output folder's lock).
#[cfg(not(unix))]
fn open_no_follow(path: &Path) -> io::Result<fs::File> {
    if fs::symlink_metadata(path)?.file_type().is_symlink() {
        return Err(io::Error::other("a symbolic link"));
    }
    fs::File::open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems() {
        for ok in ["a", "vector-db", "vectorizer-1.8.0", "A_b", "9"] {
            assert!(valid_stem(ok), "{ok}");
        }
        let long = "a".repeat(MAX_STEM + 1);
        for bad in [
            "", ".", "..", ".hidden", "-rf", "my spec", "a/b", "a\nb", "é", &long,
        ] {
            assert!(!valid_stem(bad), "{bad:?}");
        }
        assert!(valid_stem(&long[1..]));
    }

    #[test]
    fn relative_paths() {
        for ok in ["a/b", "a/b.yaml", "a/..b/c", "a/b..", "a"] {
            assert!(safe_relative(ok), "{ok}");
        }
        for bad in [
            "", "/a", "../a", "a/../b", "a/./b", "a//b", "a/", ".", "a\\b", "a\0b", "a/..",
        ] {
            assert!(!safe_relative(bad), "{bad:?}");
        }
        assert!(in_spec_folder("a/b", "a"));
        assert!(!in_spec_folder("ab/c", "a"));
        assert!(!in_spec_folder("a/", "a"));
        assert!(!in_spec_folder("a", "a"));
    }
}
