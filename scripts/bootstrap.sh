#!/usr/bin/env bash
# Install what a fresh machine lacks, then return. Idempotent and quick when nothing is missing.
#   scripts/bootstrap.sh [DEBIAN_PACKAGE ...]
# Debian packages are installed with apt-get when running as root (otherwise a warning says which
# are missing); Python packages go into a virtual environment (.venv, or $SINESYS_VENV), pinned by
# requirements/constraints.txt.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

want=("$@")
PY=${PYTHON:-python3}
if ! "$PY" -c 'import ensurepip, venv' >/dev/null 2>&1; then want+=(python3-venv); fi

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bootstrap: installing Debian packages: ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "bootstrap: warning: missing Debian packages: ${missing[*]} (install them with apt-get as root)" >&2
  fi
fi

VENV=${SINESYS_VENV:-$ROOT/.venv}
if [ ! -x "$VENV/bin/python" ]; then
  echo "bootstrap: creating virtual environment $VENV" >&2
  "$PY" -m venv "$VENV"
fi
stamp="$VENV/.sinesys-installed"
digest=$(cat setup.py requirements/constraints.txt | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
  echo "bootstrap: installing Python packages into $VENV" >&2
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -c requirements/constraints.txt -e ".[test]"
  echo "$digest" >"$stamp"
fi
