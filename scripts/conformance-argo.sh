#!/usr/bin/env bash
# Holds every generated Rollout against Argo Rollouts' own code (the Go
# module conformance/argo): Argo's validation, its AnalysisRun builder, and
# its Prometheus provider against a real, empty Prometheus server and a local
# fake one. Builds nothing in Rust.
#
# Trees: DEPLOYC_TREES (colon-separated folders of <spec>/rollouts and
# <spec>/kubernetes), default generated/. Needs Go (>= the go line of
# conformance/argo/go.mod) and /usr/bin/prometheus (or PROMETHEUS_BIN).
# Extra arguments go to `go test` (e.g. -run TestGeneratedTrees).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root/conformance/argo"

if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  PATH="/usr/local/go/bin:$PATH"
fi

# Relative tree paths are taken from the repository root, not from the module.
trees=()
IFS=: read -r -a given <<<"${DEPLOYC_TREES:-$root/generated}"
for t in "${given[@]}"; do
  [ -n "$t" ] || continue
  case "$t" in
    /*) trees+=("$t") ;;
    *) trees+=("$root/$t") ;;
  esac
done
DEPLOYC_TREES="$(IFS=:; echo "${trees[*]}")"
export DEPLOYC_TREES

# Idempotent: a no-op when the module cache already holds go.sum's modules.
go mod download
go vet ./...
unformatted="$(gofmt -l .)"
if [ -n "$unformatted" ]; then
  echo "gofmt: unformatted files in conformance/argo:" >&2
  echo "$unformatted" >&2
  exit 1
fi
# No package argument: local directory mode prints the summary even on success.
go test -count=1 "$@"
