#!/usr/bin/env bash
# Installs the peers that perf/compare.sh races deployc against, at pinned
# versions, and builds the Helm-engine reproduction. Idempotent: every step
# checks first and skips what is already there at the pinned version, so
# compare.sh can call it on every run.
#
#   perf/install-peers.sh
#
# What it installs (all from the registries this machine reaches):
#   apt:  hyperfine, golang-go + the Go -dev source packages the Helm engine
#         needs (Debian's C++ jsonnet 0.18 is not used: it takes seconds a
#         service to print YAML; see compare.sh)
#   PyPI: Jinja2, MarkupSafe, PyYAML, gojsonnet (go-jsonnet for the jsonnet
#         peer) in the venv .tools/perf-venv
#   built: .tools/bin/helm-engine (perf/peers/helm-engine, Go, GOPATH mode)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
VENV="$TOOLS/perf-venv"
BIN="$TOOLS/bin"

# Pinned Debian bookworm versions (from `apt-cache policy`).
APT_PINS=(
  "hyperfine=1.15.0-2"
  "golang-go=2:1.19~1"
  "golang-github-masterminds-sprig-dev=3.2.3-5"
  "golang-github-ghodss-yaml-dev=1.0.0+git20220118.d8423dc-2"
  "golang-gopkg-yaml.v2-dev=2.4.0-4"
)
# Pinned PyPI versions for the Jinja2 peer and the like-with-like checker.
PIP_PINS=(
  "Jinja2==3.1.6"
  "MarkupSafe==3.0.2"
  "PyYAML==6.0.2"
  "gojsonnet==0.22.0"
)

log() { printf 'install-peers: %s\n' "$*" >&2; }

# --- apt -------------------------------------------------------------------
missing=()
for pin in "${APT_PINS[@]}"; do
  pkg="${pin%%=*}"
  want="${pin#*=}"
  have="$(dpkg-query -W -f='${Status} ${Version}' "$pkg" 2>/dev/null || true)"
  if [[ "$have" != "install ok installed $want" ]]; then
    missing+=("$pin")
  fi
done
if ((${#missing[@]})); then
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # The package lists may be absent or stale on a fresh machine; one update
  # is enough for the whole install.
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  log "apt packages present at pinned versions"
fi

# --- PyPI venv ---------------------------------------------------------------
mkdir -p "$TOOLS" "$BIN"
if [[ ! -x "$VENV/bin/python" ]]; then
  log "creating venv $VENV"
  python3 -m venv "$VENV"
fi
pip_ok=1
for pin in "${PIP_PINS[@]}"; do
  name="${pin%%==*}"
  want="${pin#*==}"
  have="$("$VENV/bin/python" -m pip show "$name" 2>/dev/null | sed -n 's/^Version: //p' || true)"
  [[ "$have" == "$want" ]] || pip_ok=0
done
if ((pip_ok)); then
  log "venv packages present at pinned versions"
else
  log "pip install ${PIP_PINS[*]}"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check "${PIP_PINS[@]}"
fi

# --- helm-engine -------------------------------------------------------------
# GOPATH mode against the Debian -dev packages' sources in /usr/share/gocode:
# the Go module proxy is not reachable, so modules cannot be fetched. The
# program is copied into a private GOPATH's src/ (GOPATH mode needs the
# main package under a GOPATH) whose second entry is the system gocode tree.
SRC="$ROOT/perf/peers/helm-engine/main.go"
OUT="$BIN/helm-engine"
if [[ ! -x "$OUT" || "$SRC" -nt "$OUT" ]]; then
  log "building $OUT"
  gopath="$TOOLS/gopath"
  mkdir -p "$gopath/src/helm-engine"
  cp "$SRC" "$gopath/src/helm-engine/main.go"
  (
    cd "$gopath/src/helm-engine"
    GO111MODULE=off GOPATH="$gopath:/usr/share/gocode" GOFLAGS='' GOCACHE="$TOOLS/gocache" \
      go build -trimpath -o "$OUT" .
  )
else
  log "helm-engine up to date"
fi
