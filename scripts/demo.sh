#!/usr/bin/env bash
# The README's main command: set up what is missing, then run the demo on embedded defaults
# (sandbox + demo lawyers + credentials + the capture spiders + a readable summary).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
scripts/bootstrap.sh chromium
VENV=${SINESYS_VENV:-$ROOT/.venv}
export PATH="$VENV/bin:$PATH"
exec sinesys demo "$@"
