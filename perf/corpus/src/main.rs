//! `deployc-corpus N DIR [--seed S]`: writes N varied specs into DIR.
//! `deployc-corpus N DIR --peer`: writes N peer-shape services into
//! DIR/specs/*.deploy and DIR/values/*.json (the same information twice).

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: deployc-corpus N DIR [--seed S | --peer]";
    let (Some(n), Some(dir)) = (
        args.first().and_then(|n| n.parse::<usize>().ok()),
        args.get(1),
    ) else {
        eprintln!("{usage}");
        return ExitCode::from(2);
    };
    let peer = args.get(2).is_some_and(|a| a == "--peer");
    let seed = match args.get(2).map(String::as_str) {
        None | Some("--peer") => 1,
        Some("--seed") => match args.get(3).and_then(|s| s.parse().ok()) {
            Some(s) => s,
            None => {
                eprintln!("{usage}");
                return ExitCode::from(2);
            }
        },
        Some(_) => {
            eprintln!("{usage}");
            return ExitCode::from(2);
        }
    };
    let dir = PathBuf::from(dir);
    let mut files = Vec::new();
    for i in 0..n {
        if peer {
            let (name, spec, values) = deployc_corpus::peer(i);
            files.push((dir.join("specs").join(format!("{name}.deploy")), spec));
            files.push((dir.join("values").join(format!("{name}.json")), values));
        } else {
            let (name, text) = deployc_corpus::spec(seed, i);
            files.push((dir.join(format!("{name}.deploy")), text));
        }
    }
    for (path, text) in files {
        let written = std::fs::create_dir_all(path.parent().expect("a folder"))
            .and_then(|()| std::fs::write(&path, text));
        if let Err(e) = written {
            eprintln!("deployc-corpus: cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
