#!/usr/bin/env bash
# The README's test command: set up what is missing, then lint, check import layers and run the
# whole suite (SQLite and PostgreSQL back ends, Redis, headless Chromium, the sandbox).
#   scripts/test.sh [PYTEST_ARGS ...]        e.g. scripts/test.sh -m "not e2e" (the fast subset)
# The suite runs on pytest-xdist workers (SINESYS_TEST_WORKERS, default: one per CPU plus one, at least 3: much of
# an end-to-end test is waiting, which the extra worker fills), each taking whole test files; pass -n 0 (or
# -p no:xdist) to run in this process.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
scripts/bootstrap.sh chromium postgresql redis-server
VENV=${SINESYS_VENV:-$ROOT/.venv}
export PATH="$VENV/bin:$PATH"

echo "== ruff check" && ruff check .
echo "== ruff format --check" && ruff format --check .
echo "== import layers (DESIGN.md §2)" && lint-imports
echo "== pytest"
# Services the suite needs are required here, not skipped.
export SINESYS_TEST_REQUIRE_SERVICES=1
# Whole files per worker (module fixtures set up once, a file's tests in order), in collection order:
# tests/conftest.py puts the files with end-to-end tests first so the long ones start early.
workers=${SINESYS_TEST_WORKERS:-$(python -c 'import os; print(max(3, len(os.sched_getaffinity(0)) + 1))')}
xdist=(-n "$workers" --dist loadfile --no-loadscope-reorder)
for arg in "$@"; do
  case "$arg" in -n | -n[0-9]* | --numprocesses* | --dist* | no:xdist) xdist=() ;; esac
done
exec python -m pytest "${xdist[@]}" "$@"
