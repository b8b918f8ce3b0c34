#!/usr/bin/env bash
# Holds the monitoring output of every spec of a build against the real
# engines at once: one live Prometheus (every spec's rules), promtool in
# simulated time (windows), one Alertmanager (every spec's configuration
# merged). See conformance/monitoring/. Needs /usr/bin/prometheus,
# /usr/bin/promtool and /usr/bin/prometheus-alertmanager (Debian bookworm).
#
#   scripts/conformance-monitoring.sh [go test flags, e.g. -run Prometheus -v]
#
# Environment: CONFORMANCE_TREES (check built trees as they are, no build),
# DEPLOYC_BIN (default target/debug/deployc, built if absent),
# CONFORMANCE_SPECS (spec folders, space-separated; default specs/ and
# tests/conformance/specs/), CONFORMANCE_PROM_SHARDS (live Prometheus
# servers sharing the scenarios; default 4).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export DEPLOYC_BIN=${DEPLOYC_BIN:-$root/target/debug/deployc}
if [ ! -x "$DEPLOYC_BIN" ]; then
  cargo build --manifest-path "$root/Cargo.toml" --quiet
fi
export CONFORMANCE_SPECS=${CONFORMANCE_SPECS:-"$root/specs $root/tests/conformance/specs"}
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
GOFMT=$(dirname "$GO")/gofmt
summary=$(mktemp)
trap 'rm -f "$summary"' EXIT
export CONFORMANCE_SUMMARY=$summary

cd "$root/conformance/monitoring"
unformatted=$("$GOFMT" -l .)
if [ -n "$unformatted" ]; then
  echo "gofmt -l: $unformatted" >&2
  exit 1
fi
"$GO" vet ./...
status=0
"$GO" test -count=1 -timeout 10m "$@" . || status=$?
cat "$summary"
exit $status
