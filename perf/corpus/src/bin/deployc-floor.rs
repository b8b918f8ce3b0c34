//! The floor of a build: what writing the same files with the same bytes
//! costs on this disk, with no parsing, checking or rendering at all.
//!
//!     deployc-floor pack TREE PACK   # once, untimed: TREE's files into one file
//!     deployc-floor write PACK OUT   # timed: PACK's files under OUT
//!
//! `write` reads one pack (a single sequential read, cheap next to creating
//! thousands of files), creates the folders and writes every file plainly:
//! no temporary file and rename, no manifest, no comparison with what is
//! there. Anything a build does beyond this is its own cost.
//!
//! Pack format: for each file, its relative path, a NUL, its length in
//! decimal, a NUL, then its bytes.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["pack", tree, pack] => pack_tree(Path::new(tree), Path::new(pack)),
        ["write", pack, out] => write_pack(Path::new(pack), Path::new(out)),
        _ => {
            eprintln!("usage: deployc-floor pack TREE PACK | deployc-floor write PACK OUT");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("deployc-floor: {e}");
            ExitCode::FAILURE
        }
    }
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            files(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

fn pack_tree(tree: &Path, pack: &Path) -> std::io::Result<()> {
    let mut paths = Vec::new();
    files(tree, &mut paths)?;
    paths.sort();
    let mut bytes = Vec::new();
    for path in paths {
        let rel = path.strip_prefix(tree).expect("below the tree");
        let content = fs::read(&path)?;
        bytes.extend_from_slice(rel.to_string_lossy().as_bytes());
        bytes.push(0);
        bytes.extend_from_slice(content.len().to_string().as_bytes());
        bytes.push(0);
        bytes.extend_from_slice(&content);
    }
    fs::write(pack, bytes)
}

fn write_pack(pack: &Path, out: &Path) -> std::io::Result<()> {
    let bytes = fs::read(pack)?;
    let bad = || std::io::Error::new(std::io::ErrorKind::InvalidData, "not a pack");
    let mut rest = &bytes[..];
    let field = |rest: &mut &[u8]| -> std::io::Result<String> {
        let end = rest.iter().position(|&b| b == 0).ok_or_else(bad)?;
        let text = String::from_utf8(rest[..end].to_vec()).map_err(|_| bad())?;
        *rest = &rest[end + 1..];
        Ok(text)
    };
    let mut made = std::collections::HashSet::new();
    while !rest.is_empty() {
        let path = out.join(field(&mut rest)?);
        let len: usize = field(&mut rest)?.parse().map_err(|_| bad())?;
        if len > rest.len() {
            return Err(bad());
        }
        let dir = path.parent().expect("a folder").to_path_buf();
        if made.insert(dir.clone()) {
            fs::create_dir_all(&dir)?;
        }
        fs::write(&path, &rest[..len])?;
        rest = &rest[len..];
    }
    Ok(())
}
