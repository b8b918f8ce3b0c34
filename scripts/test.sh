#!/usr/bin/env bash
# THE test command: installs the validators, then lint, build, the freshness
# check of generated/, and every test (tests/validate_generated.rs runs the
# real tools on generated/). Under CI=true a missing tool or an empty
# generated/ fails instead of skipping.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

section() {
  printf '\n==== %s ====\n' "$*"
}

section "install validators (scripts/install-tools.sh)"
scripts/install-tools.sh

section "cargo fmt --check"
cargo fmt --check

# --all-targets includes benches/stages.rs, so the benchmarks keep compiling
# without a release build here (figures come from running them, not tests).
section "cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

# One debug build serves the binary and every test (a release build would
# compile every dependency a second time; the suite is fast either way).
section "cargo build"
cargo build --locked

section "deployc build --check (generated/ matches specs/)"
target/debug/deployc build --check

section "cargo test --no-fail-fast"
cargo test --locked --no-fail-fast

# The output of every spec held against the engines themselves (real
# Prometheus, promtool, Alertmanager, and Argo Rollouts' own code), not
# only their validators: see conformance/.
section "conformance: Prometheus, promtool and Alertmanager (conformance/monitoring)"
scripts/conformance-monitoring.sh

# generated/ and the conformance corpus (two releases sharing metric names,
# blue-green and canary, several triggers on one metric), built apart.
section "conformance: Argo Rollouts' own code (conformance/argo)"
corpus_out=target/conformance/generated
target/debug/deployc build tests/conformance/specs -o "$corpus_out"
DEPLOYC_TREES="generated:$corpus_out" scripts/conformance-argo.sh

section "done"
