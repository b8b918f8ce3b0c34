#!/usr/bin/env bash
# Scale figures for deployc on generated corpora shaped like the seed specs
# (perf/corpus): a full build into folders from scratch, a no-change
# rebuild, `build --check`, peak memory, and the floor (deployc-floor
# writing the same files with the same bytes), for each N.
#
#   perf/scale.sh [N ...]                      # default: 100 1000 10000
#   PERF_DIR=/dev/shm/scale perf/scale.sh      # scratch on tmpfs
#   RUNS=10 perf/scale.sh 1000                 # hyperfine runs (default 5)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if (($#)); then SIZES=("$@"); else SIZES=(100 1000 10000); fi
RUNS="${RUNS:-5}"
DEPLOYC="$ROOT/target/release/deployc"
CORPUS="$ROOT/target/release/deployc-corpus"
FLOOR="$ROOT/target/release/deployc-floor"

command -v hyperfine > /dev/null || bash "$ROOT/perf/install-peers.sh"
cargo build --release --quiet -p deployc -p deployc-corpus

WORK="$(mktemp -d "${PERF_DIR:-/tmp}/deployc-scale.XXXXXX")"
echo "scratch $WORK (filesystem $(stat -f -c %T "$WORK")), $(nproc) cores"

printf '%7s %10s %9s %10s %10s %10s %9s %8s\n' N "build ms" "ms/spec" "no-change" "--check" "floor ms" "x floor" "peak MB"
for N in "${SIZES[@]}"; do
  D="$WORK/n$N"
  "$CORPUS" "$N" "$D/specs"
  # One untimed build gives the output the floor writes and the rebuilds reuse.
  "$DEPLOYC" build "$D/specs" -o "$D/out" > /dev/null
  "$FLOOR" pack "$D/out" "$D/pack"
  runs=$RUNS
  ((N < 10000)) || runs=3
  hyperfine --style none -N --warmup 1 --runs "$runs" --prepare "rm -rf $D/fresh" \
    --export-json "$D/build.json" "$DEPLOYC build $D/specs -o $D/fresh" > /dev/null
  hyperfine --style none -N --warmup 1 --runs "$runs" \
    --export-json "$D/nochange.json" "$DEPLOYC build $D/specs -o $D/out" > /dev/null
  hyperfine --style none -N --warmup 1 --runs "$runs" \
    --export-json "$D/check.json" "$DEPLOYC build --check $D/specs -o $D/out" > /dev/null
  hyperfine --style none -N --warmup 1 --runs "$runs" --prepare "rm -rf $D/floor" \
    --export-json "$D/floor.json" "$FLOOR write $D/pack $D/floor" > /dev/null
  rm -rf "$D/fresh"
  peak_kb=$(/usr/bin/time -f %M "$DEPLOYC" build "$D/specs" -o "$D/fresh" 2>&1 > /dev/null | tail -n1)
  python3 - "$D" "$N" "$peak_kb" <<'PY'
import json, sys
d, n, peak_kb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ms = {k: json.load(open(f"{d}/{k}.json"))["results"][0]["median"] * 1000
      for k in ("build", "nochange", "check", "floor")}
print("%7d %10.1f %9.3f %10.1f %10.1f %10.1f %9.2f %8d" % (
    n, ms["build"], ms["build"] / n, ms["nochange"], ms["check"], ms["floor"],
    ms["build"] / ms["floor"], peak_kb // 1024))
PY
  rm -rf "$D"
done
rmdir "$WORK" 2> /dev/null || true
