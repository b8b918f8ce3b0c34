//! The benchmark corpora (perf/corpus) are what the performance figures
//! stand on: every spec must check clean (a warning would make a no-change
//! rebuild recompile it), be the same bytes for the same seed, and vary in
//! the ways the issue asks (1–3 workloads, 3–8 phases, 2–6 metrics, 3–10
//! triggers).

use deployc::source::SourceFile;

fn checked(name: &str, text: &str) -> deployc::model::Spec {
    let source = SourceFile::new(name, text.to_string());
    let checked = deployc::check_source(&source);
    assert!(
        checked.diagnostics.is_empty(),
        "{name} has diagnostics: {:?}\n{text}",
        checked.diagnostics
    );
    checked.spec.expect("a model")
}

#[test]
fn corpus_specs_check_clean_and_vary_within_the_ranges() {
    let (mut services, mut phases, mut metrics, mut triggers) = (vec![], vec![], vec![], vec![]);
    for i in 0..300 {
        let (name, text) = deployc_corpus::spec(1, i);
        let spec = checked(&name, &text);
        services.push(spec.services.len());
        phases.push(spec.phases.len());
        metrics.push(spec.metrics.len());
        triggers.push(spec.triggers.len());
    }
    let range = |v: &[usize]| (*v.iter().min().unwrap(), *v.iter().max().unwrap());
    assert_eq!(range(&services), (1, 3));
    assert_eq!(range(&phases), (3, 8));
    assert_eq!(range(&metrics), (2, 6));
    assert_eq!(range(&triggers), (3, 10));
}

#[test]
fn corpora_are_deterministic_per_seed() {
    assert_eq!(deployc_corpus::spec(7, 42), deployc_corpus::spec(7, 42));
    assert_ne!(deployc_corpus::spec(7, 42).1, deployc_corpus::spec(8, 42).1);
    assert_eq!(deployc_corpus::peer(3), deployc_corpus::peer(3));
}

#[test]
fn peer_specs_check_clean_and_their_values_parse() {
    for i in 0..50 {
        let (name, spec, values) = deployc_corpus::peer(i);
        let model = checked(&name, &spec);
        assert_eq!(model.services.len(), 1);
        let values: serde_json::Value = serde_json::from_str(&values).expect("values are JSON");
        assert_eq!(values["name"], name.as_str());
        assert_eq!(values["replicas"], model.services[0].replicas);
    }
}
