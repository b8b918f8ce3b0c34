//! insta snapshots of the whole compiled output of every seed spec: a change
//! to any emitter shows up in review as a snapshot diff.

use std::path::Path;

#[test]
fn full_output_of_every_seed_spec() {
    let paths = deployc::build::collect_specs(&[Path::new("specs").to_path_buf()]).unwrap();
    assert!(paths.len() >= 4);
    for path in paths {
        let compiled = deployc::build::compile(&path).unwrap();
        let files = compiled
            .files
            .unwrap_or_else(|| panic!("{} does not check", path.display()));
        let mut all = String::new();
        for f in &files {
            all.push_str(&format!("=== {} ===\n{}", f.path, f.content));
        }
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        insta::with_settings!({ snapshot_path => Path::new("snapshots"), prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(name, all);
        });
    }
}
