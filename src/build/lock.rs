//! One build at a time per output folder. Two builds writing one folder at
//! once raced on each other's files and manifest; a build now holds an
//! exclusive `flock` on the output folder itself from before it reads the
//! manifest it trusts until after it writes the new one. A second build
//! waits for the first (as cargo waits for its build folder), saying so.
//! Locking the folder, not a lock file in it, leaves nothing behind in a
//! folder that is often committed. The lock goes with the process: a build
//! that is killed never leaves the folder locked.

use std::fs;
use std::path::Path;

use super::BuildError;

/// Held while a build writes; dropping it (closing the folder) unlocks.
pub struct OutputLock {
    _folder: Option<fs::File>,
}

/// Locks `out` (which must exist), waiting for another build to finish.
#[cfg(unix)]
pub fn lock(out: &Path) -> Result<OutputLock, BuildError> {
    use std::os::fd::AsRawFd;
    let folder = fs::File::open(out).map_err(|e| BuildError::Read {
        path: out.display().to_string(),
        source: e,
    })?;
    let fd = folder.as_raw_fd();
    if flock(fd, libc::LOCK_EX | libc::LOCK_NB)
        .is_err_and(|e| e.raw_os_error() == Some(libc::EWOULDBLOCK))
    {
        eprintln!(
            "deployc: another deployc build is running in {}; waiting for it to finish",
            out.display()
        );
        if let Err(e) = flock(fd, libc::LOCK_EX) {
            return Err(BuildError::Write {
                path: out.display().to_string(),
                source: e,
            });
        }
    }
    // Any other failure means the file system has no locks (some network
    // mounts): the build goes on unlocked, as it did before locks existed;
    // its temporary files have names of their own, so it still never
    // clashes with another build's.
    Ok(OutputLock {
        _folder: Some(folder),
    })
}

#[cfg(unix)]
fn flock(fd: std::os::fd::RawFd, op: libc::c_int) -> std::io::Result<()> {
    loop {
        // SAFETY: flock takes no pointers; `fd` is open for the call.
        if unsafe { libc::flock(fd, op) } == 0 {
            return Ok(());
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// Without `flock` (Windows), builds are not serialized; each build's
/// temporary files still have names of their own.
#[cfg(not(unix))]
pub fn lock(_out: &Path) -> Result<OutputLock, BuildError> {
    Ok(OutputLock { _folder: None })
}
