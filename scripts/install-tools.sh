#!/usr/bin/env bash
# Installs the real tools that judge generated/ (see tests/validate_generated.rs),
# each pinned and skipped when already present at its pinned version:
#   apt (Debian bookworm): promtool, amtool, yamllint (and the prometheus and
#                          alertmanager servers of those packages), curl
#   .tools/venv (PyPI):    scripts/requirements-validators.txt
# Idempotent: a second run installs nothing.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

# tool | Debian package | pinned upstream version | command printing the version
APT_TOOLS=(
  "promtool|prometheus|2.42.0|promtool --version"
  "amtool|prometheus-alertmanager|0.25.0|amtool --version"
  "yamllint|yamllint|1.29.0|yamllint --version"
)
VENV="$ROOT/.tools/venv"
REQUIREMENTS="$ROOT/scripts/requirements-validators.txt"

export DEBIAN_FRONTEND=noninteractive
APT_UPDATED=0

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_update_once() {
  if [ "$APT_UPDATED" -eq 0 ]; then
    as_root apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
}

apt_install() {
  apt_update_once
  as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# The first x.y.z in a tool's --version output ("promtool, version 2.42.0+ds ...").
tool_version() {
  # shellcheck disable=SC2086
  $1 2>&1 | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -n1 || true
}

for entry in "${APT_TOOLS[@]}"; do
  IFS='|' read -r tool package pinned version_cmd <<<"$entry"
  have=""
  if command -v "$tool" >/dev/null 2>&1; then
    have=$(tool_version "$version_cmd")
  fi
  if [ "$have" = "$pinned" ]; then
    echo "$tool $have: already present"
    continue
  fi
  apt_update_once
  candidate=$(apt-cache madison "$package" | awk -F'|' '{gsub(/ /,"",$2); print $2}' |
    grep -E "^([0-9]+:)?${pinned//./\\.}([+~-]|$)" | head -n1 || true)
  if [ -z "$candidate" ]; then
    echo "error: apt has no $package at version $pinned (found: ${have:-none installed})" >&2
    exit 1
  fi
  apt_install "$package=$candidate"
  have=$(tool_version "$version_cmd")
  if [ "$have" != "$pinned" ]; then
    echo "error: $tool is $have after installing $package=$candidate, want $pinned" >&2
    exit 1
  fi
  echo "$tool $have: installed ($package=$candidate)"
done

# curl: tests/cluster_correctness.rs runs the HTTP gate's own curl command.
if ! command -v curl >/dev/null 2>&1; then
  apt_install curl
fi
echo "curl: $(curl --version | head -n1 | cut -d' ' -f2)"

# ---- Python validators in .tools/venv ------------------------------------
PYTHON=${PYTHON:-python3}
if [ ! -x "$VENV/bin/python" ]; then
  if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    # Debian's python3 ships venv/ensurepip separately.
    apt_install python3-venv
  fi
  mkdir -p "$(dirname "$VENV")"
  "$PYTHON" -m venv "$VENV"
  echo "venv: created $VENV ($("$VENV/bin/python" --version 2>&1))"
fi

# Pinned "name==version" lines, names normalized as pip freeze prints them.
normalize() { awk -F'==' 'NF == 2 { n = tolower($1); gsub(/[._]+/, "-", n); print n "==" $2 }'; }
wanted=$(grep -vE '^\s*(#|$)' "$REQUIREMENTS" | sed 's/\s*#.*//' | normalize | sort)
frozen=$("$VENV/bin/python" -m pip freeze --disable-pip-version-check 2>/dev/null | normalize | sort)
missing=$(comm -23 <(echo "$wanted") <(echo "$frozen"))
if [ -n "$missing" ]; then
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
  frozen=$("$VENV/bin/python" -m pip freeze --disable-pip-version-check | normalize | sort)
  still=$(comm -23 <(echo "$wanted") <(echo "$frozen"))
  if [ -n "$still" ]; then
    echo "error: after pip install, still missing: $still" >&2
    exit 1
  fi
  state="installed"
else
  state="already present"
fi
grep -vE '^\s*(#|$)' "$REQUIREMENTS" | sed 's/\s*#.*//' | while IFS= read -r pin; do
  echo "${pin%%==*} ${pin##*==}: $state (.tools/venv)"
done
