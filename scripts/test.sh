#!/usr/bin/env bash
# The README's test command: set up what is missing, then lint, check import layers and run the
# whole suite (SQLite and PostgreSQL back ends, headless Chromium, the sandbox).
#   scripts/test.sh [PYTEST_ARGS ...]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
scripts/bootstrap.sh chromium postgresql
VENV=${SINESYS_VENV:-$ROOT/.venv}
export PATH="$VENV/bin:$PATH"

echo "== ruff check" && ruff check .
echo "== ruff format --check" && ruff format --check .
echo "== import layers (DESIGN.md §2)" && lint-imports
echo "== pytest"
# Services the suite needs are required here, not skipped.
export SINESYS_TEST_REQUIRE_SERVICES=1
exec python -m pytest "$@"
