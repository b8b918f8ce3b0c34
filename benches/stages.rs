//! Stage benchmarks: parse, check and each emitter, on every seed spec and
//! on generated corpora of 10 to 10,000 specs (`perf/corpus`), with
//! throughput in bytes of spec read or bytes of output written.
//!
//!     cargo bench --bench stages                  # everything
//!     cargo bench --bench stages -- corpus        # only the corpus rows
//!
//! Whole-process figures (a build into folders, the no-change rebuild, the
//! peers) come from `perf/compare.sh`, not from here.

use std::path::Path;
use std::sync::OnceLock;

use deployc::emit::{self, OutputFile};
use deployc::model::Spec;
use deployc::source::SourceFile;
use divan::counter::BytesCount;
use divan::{black_box, Bencher};

fn main() {
    divan::main();
}

const SEEDS: &[&str] = &[
    "hsc-jit-v3",
    "vector-db",
    "vectorizer-1.8.0",
    "vectorizer-production",
];

/// The corpus sizes. Each sample compiles a whole corpus once, so a few
/// samples suffice (`--sample-count` raises it).
const SIZES: &[usize] = &[10, 100, 1_000, 10_000];
const SAMPLES: u32 = 3;

fn seed_source(name: &str) -> SourceFile {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("specs/{name}.deploy"));
    SourceFile::new(name, std::fs::read_to_string(path).expect("seed spec"))
}

fn checked(source: &SourceFile) -> Spec {
    deployc::check_source(source)
        .spec
        .expect("spec checks clean")
}

/// Corpus sources, generated once per size for the whole run.
fn corpus(n: usize) -> &'static [SourceFile] {
    static CORPORA: OnceLock<Vec<(usize, Vec<SourceFile>)>> = OnceLock::new();
    let all = CORPORA.get_or_init(|| {
        SIZES
            .iter()
            .map(|&n| {
                let sources = (0..n)
                    .map(|i| {
                        let (name, text) = deployc_corpus::spec(1, i);
                        SourceFile::new(name, text)
                    })
                    .collect();
                (n, sources)
            })
            .collect()
    });
    &all.iter()
        .find(|(size, _)| *size == n)
        .expect("a known size")
        .1
}

fn bytes_in(sources: &[SourceFile]) -> BytesCount {
    BytesCount::new(sources.iter().map(|s| s.text.len()).sum::<usize>())
}

fn bytes_out(files: &[OutputFile]) -> usize {
    files.iter().map(|f| f.content.len()).sum()
}

/// One benchmark per emitter, each `emitter(bencher, arg, <its emit>)`
/// with the attribute given: the list of emitters is written once for the
/// seed specs and the corpora.
macro_rules! per_emitter {
    ($(#[$attr:meta])* $arg:ident: $ty:ty) => {
        $(#[$attr])*
        fn emit_kubernetes(b: Bencher, $arg: $ty) {
            emitter(b, $arg, emit::kubernetes::emit);
        }
        $(#[$attr])*
        fn emit_rollouts(b: Bencher, $arg: $ty) {
            emitter(b, $arg, emit::rollouts::emit);
        }
        $(#[$attr])*
        fn emit_prometheus(b: Bencher, $arg: $ty) {
            emitter(b, $arg, emit::prometheus::emit);
        }
        $(#[$attr])*
        fn emit_alertmanager(b: Bencher, $arg: $ty) {
            emitter(b, $arg, emit::alertmanager::emit);
        }
        $(#[$attr])*
        fn emit_grafana(b: Bencher, $arg: $ty) {
            emitter(b, $arg, emit::grafana::emit);
        }
        $(#[$attr])*
        fn emit_runbook(b: Bencher, $arg: $ty) {
            emitter(b, $arg, emit::runbook::emit);
        }
    };
}

mod seed {
    use super::*;

    #[divan::bench(args = SEEDS)]
    fn parse(bencher: Bencher, name: &str) {
        let source = seed_source(name);
        bencher
            .counter(BytesCount::of_str(&source.text))
            .bench(|| deployc::syntax::parse(black_box(&source.text)).is_ok());
    }

    #[divan::bench(args = SEEDS)]
    fn parse_and_check(bencher: Bencher, name: &str) {
        let source = seed_source(name);
        bencher
            .counter(BytesCount::of_str(&source.text))
            .bench(|| deployc::check_source(black_box(&source)).spec.is_some());
    }

    /// One emitter's output on one seed spec.
    fn emitter(bencher: Bencher, name: &str, emit: fn(&Spec) -> Vec<OutputFile>) {
        let spec = checked(&seed_source(name));
        let written = bytes_out(&emit(&spec));
        bencher
            .counter(BytesCount::new(written))
            .bench(|| emit(black_box(&spec)));
    }

    per_emitter!(#[divan::bench(args = SEEDS)] name: &str);

    #[divan::bench(args = SEEDS)]
    fn emit_all(b: Bencher, name: &str) {
        emitter(b, name, emit::emit_all);
    }
}

mod corpus {
    use super::*;

    #[divan::bench(args = SIZES, sample_count = SAMPLES, sample_size = 1)]
    fn parse(bencher: Bencher, n: usize) {
        let sources = corpus(n);
        bencher.counter(bytes_in(sources)).bench(|| {
            sources
                .iter()
                .filter(|s| deployc::syntax::parse(&s.text).is_ok())
                .count()
        });
    }

    #[divan::bench(args = SIZES, sample_count = SAMPLES, sample_size = 1)]
    fn parse_and_check(bencher: Bencher, n: usize) {
        let sources = corpus(n);
        bencher.counter(bytes_in(sources)).bench(|| {
            sources
                .iter()
                .filter(|s| deployc::check_source(s).spec.is_some())
                .count()
        });
    }

    /// One emitter on every spec of the corpus, one thread; the counter is
    /// the bytes of output.
    fn emitter(bencher: Bencher, n: usize, emit: fn(&Spec) -> Vec<OutputFile>) {
        let specs: Vec<Spec> = corpus(n).iter().map(checked).collect();
        let written: usize = specs.iter().map(|s| bytes_out(&emit(s))).sum();
        bencher
            .counter(BytesCount::new(written))
            .bench(|| specs.iter().map(|s| emit(s).len()).sum::<usize>());
    }

    per_emitter!(#[divan::bench(args = SIZES, sample_count = SAMPLES, sample_size = 1)] n: usize);

    /// Every emitter on every spec of the corpus, one thread.
    #[divan::bench(args = SIZES, sample_count = SAMPLES, sample_size = 1)]
    fn emit_all(b: Bencher, n: usize) {
        emitter(b, n, emit::emit_all);
    }
}
