#!/usr/bin/env bash
# THE build command: the release binary, then every spec in specs/ compiled
# into generated/<spec>/.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

cargo build --release
target/release/deployc build
