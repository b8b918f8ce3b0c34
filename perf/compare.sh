#!/usr/bin/env bash
# Side-by-side benchmark: deployc against the tools a user would otherwise
# pick to render the same Kubernetes objects for the same services, in the
# same run on this machine, and the ratios.
#
#   perf/compare.sh [N ...]          # default: 100 1000 services
#   PERF_DIR=/dev/shm/cmp perf/compare.sh 100    # scratch on tmpfs
#   RUNS=10 perf/compare.sh 100                  # hyperfine runs (default 5)
#
# Peers (all render every service in ONE process, which favours them: no
# per-service process start):
#   helm-engine  Helm's template engine REPRODUCED, not the helm binary (none
#                is reachable here): Go text/template + sprig v3 + helm's
#                toYaml/include/tpl/required..., helm's manifest split, head
#                parse and install-order sort (perf/peers/helm-engine, chart
#                perf/peers/chart).
#   jsonnet      go-jsonnet 0.22 (PyPI gojsonnet) behind a `jsonnet -S -m`
#                shim (perf/peers/jsonnet). Debian's C++ jsonnet 0.18 is not
#                raced: its std.manifestYamlDoc takes seconds per service.
#   jinja2       Jinja2 + PyYAML (perf/peers/jinja2).
# and the disk floor: deployc-floor writing deployc's own folder output.
#
# Modes: stream (every Kubernetes object as one YAML stream, to a file) and
# folder (one file per object under OUT/<service>/, built from scratch every
# run: hyperfine --prepare removes OUT).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if (($#)); then SIZES=("$@"); else SIZES=(100 1000); fi
RUNS="${RUNS:-5}"
# Jsonnet needs ~90 ms a service here: above this many services it is left
# out of a run (it would take most of an hour), and the table says so.
JSONNET_MAX="${JSONNET_MAX:-100}"
BIN="$ROOT/.tools/bin"
PY="$ROOT/.tools/perf-venv/bin/python"
PEERS="$ROOT/perf/peers"
DEPLOYC="$ROOT/target/release/deployc"
CORPUS="$ROOT/target/release/deployc-corpus"
FLOOR="$ROOT/target/release/deployc-floor"

log() { printf '%s\n' "$*" >&2; }

# Tools first, so a missing one fails before any timing.
bash "$ROOT/perf/install-peers.sh"
log "compare: cargo build --release -p deployc -p deployc-corpus"
cargo build --release --quiet -p deployc -p deployc-corpus

# A scratch dir of our own, so that `rm -rf` below only ever removes what
# this script made. PERF_DIR lets the caller pick the filesystem (tmpfs
# removes most of the disk's part from every tool alike).
if [[ -n "${PERF_DIR:-}" ]]; then
  mkdir -p "$PERF_DIR"
  WORK="$(mktemp -d "$PERF_DIR/compare.XXXXXX")"
else
  WORK="$(mktemp -d /tmp/deployc-compare.XXXXXX)"
fi
FS="$(stat -f -c %T "$WORK")"
log "compare: scratch $WORK (filesystem: $FS)"

# Folder mode compares like with like: deployc emits the targets that hold
# the peers' objects and dashboard (`--emit`), not its runbook or
# Alertmanager configuration; the prometheus target still adds a plain
# rules.yml and promtool tests per service, which the peers do not write.
EMIT="--emit kubernetes,rollouts,prometheus,grafana"

# name|stream command|folder command (folder commands write to $OUT).
# Each is run by hyperfine's shell; $D is the size's directory.
tools() {
  local d="$1"
  cat <<EOF
deployc|$DEPLOYC build --stdout $d/specs > $d/stream/deployc.yaml|$DEPLOYC build $EMIT $d/specs -o \$OUT > /dev/null
deployc-j1|$DEPLOYC build -j 1 --stdout $d/specs > $d/stream/deployc-j1.yaml|$DEPLOYC build -j 1 $EMIT $d/specs -o \$OUT > /dev/null
helm-engine|$BIN/helm-engine --stream $PEERS/chart $d/values/*.json > $d/stream/helm-engine.yaml|$BIN/helm-engine -o \$OUT $PEERS/chart $d/values/*.json
${JSONNET_LINE:+jsonnet|}${JSONNET_LINE:+$PY $PEERS/jsonnet/jsonnet.py -S --tla-code-file values=$d/index.jsonnet --tla-str mode=stream $PEERS/jsonnet/render.jsonnet > $d/stream/jsonnet.yaml|$PY $PEERS/jsonnet/jsonnet.py -S -c -m \$OUT --tla-code-file values=$d/index.jsonnet --tla-str mode=files $PEERS/jsonnet/render.jsonnet > /dev/null}
jinja2|$PY $PEERS/jinja2/render.py --stream $d/values/*.json > $d/stream/jinja2.yaml|$PY $PEERS/jinja2/render.py -o \$OUT $d/values/*.json
EOF
}

# files and bytes under a folder.
count() {
  find "$1" -type f -printf '%s\n' | awk '{ n++; b += $1 } END { printf "%6d files %9d bytes", n, b }'
}

# One hyperfine per (tool, mode), each with its own --prepare; medians are
# read back from the JSON exports. Uses $D and $RUNS.
hf() { # name mode prepare command
  hyperfine --style none --warmup 1 --runs "$RUNS" --shell bash \
    --prepare "$3" --export-json "$D/json/$1.$2.json" -n "$1" "$4" > /dev/null
}

for N in "${SIZES[@]}"; do
  D="$WORK/n$N"
  JSONNET_LINE=""
  if ((N <= JSONNET_MAX)); then JSONNET_LINE=yes; else echo "(jsonnet left out at N=$N > JSONNET_MAX=$JSONNET_MAX)"; fi
  mkdir -p "$D/stream" "$D/folder" "$D/json"
  "$CORPUS" "$N" "$D" --peer > /dev/null
  # Jsonnet takes its inputs as code: one array importing every values file.
  # Built here, untimed, like the glob the other tools' shells expand.
  {
    echo '['
    for f in "$D"/values/*.json; do printf '  import "%s",\n' "$f"; done
    echo ']'
  } > "$D/index.jsonnet"

  echo
  echo "== N=$N services, filesystem $FS, $(nproc) cores =="

  # --- like-with-like: one untimed run of every tool in both modes. -------
  while IFS='|' read -r name stream folder; do
    [[ -n "$name" ]] || continue
    bash -c "$stream"
    OUT="$D/folder/$name" bash -c "$folder"
  done < <(tools "$D")
  echo "Stream mode, objects per tool (must equal deployc's (kind, name) set):"
  "$PY" "$PEERS/check.py" \
    deployc="$D/stream/deployc.yaml" \
    deployc-j1="$D/stream/deployc-j1.yaml" \
    helm-engine="$D/stream/helm-engine.yaml" \
    ${JSONNET_LINE:+jsonnet="$D/stream/jsonnet.yaml"} \
    jinja2="$D/stream/jinja2.yaml"
  echo "Folder mode, files written:"
  for name in deployc helm-engine ${JSONNET_LINE:+jsonnet} jinja2; do
    printf '  %-12s %s\n' "$name" "$(count "$D/folder/$name")"
  done
  echo "  (deployc $EMIT also writes, per service, a plain rules.yml, promtool"
  echo "   tests and kustomization.yaml, plus .deployc-manifest; the peers write"
  echo "   only the objects + the dashboard: that is extra work deployc does.)"
  "$FLOOR" pack "$D/folder/deployc" "$D/floor.pack"

  # --- timing -------------------------------------------------------------
  while IFS='|' read -r name stream folder; do
    [[ -n "$name" ]] || continue
    log "compare: N=$N timing $name"
    hf "$name" stream "rm -f $D/stream/$name.yaml" "$stream"
    OUT="$D/time/$name"
    hf "$name" folder "rm -rf $OUT" "${folder//\$OUT/$OUT}"
  done < <(tools "$D")
  log "compare: N=$N timing floor"
  hf floor folder "rm -rf $D/time/floor" "$FLOOR write $D/floor.pack $D/time/floor"

  # --- table --------------------------------------------------------------
  "$PY" - "$D/json" "$N" <<'EOF'
import json, os, statistics, sys
d, n = sys.argv[1], int(sys.argv[2])
med = {}
for f in sorted(os.listdir(d)):
    tool, mode, _ = f.split(".")
    times = json.load(open(os.path.join(d, f)))["results"][0]["times"]
    med[(tool, mode)] = statistics.median(times) * 1000
order = ["deployc", "deployc-j1", "helm-engine", "jsonnet", "jinja2", "floor"]
print("%-12s %-6s %5s %10s %8s %12s" % ("tool", "mode", "N", "median ms", "ms/svc", "vs deployc"))
for mode in ("stream", "folder"):
    base = med[("deployc", mode)]
    for tool in order:
        if (tool, mode) not in med:
            continue
        m = med[(tool, mode)]
        ratio = "1.00x" if tool == "deployc" else "%.2fx" % (m / base)
        print("%-12s %-6s %5d %10.1f %8.3f %12s" % (tool, mode, n, m, m / n, ratio))
f = med[("floor", "folder")]
print("deployc folder = %.2fx the floor (deployc-floor writing the same %s tree)" % (med[("deployc", "folder")] / f, "deployc"))
EOF
done
echo
echo "ratio = tool median / deployc median (same mode, same N; >1 means deployc is faster)."
echo "helm-engine is Helm's template engine reproduced (text/template + sprig + helm's functions), not the helm binary."
echo "scratch: $WORK"
