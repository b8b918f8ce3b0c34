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

section "cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets -- -D warnings

section "cargo build --release"
cargo build --release

section "deployc build --check (generated/ matches specs/)"
target/release/deployc build --check

section "cargo test --release --no-fail-fast"
cargo test --release --no-fail-fast

section "done"
