#!/usr/bin/env bash
# The README's test command: set up what is missing, then lint, check import layers and run the
# whole suite (SQLite and PostgreSQL back ends, Redis, headless Chromium, the sandbox), with mypy (pyproject.toml's
# [tool.mypy]) type-checking the tree alongside pytest.
#   scripts/test.sh [PYTEST_ARGS ...]        e.g. scripts/test.sh -m "not e2e" (the fast subset)
# The suite runs on pytest-xdist workers (SINESYS_TEST_WORKERS, default: one per CPU plus one, at least 3: much of
# an end-to-end test is waiting, which the extra worker fills), each taking whole test files; pass -n 0 (or
# -p no:xdist) to run in this process. SINESYS_TEST_MYPY=0 skips mypy.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
scripts/bootstrap.sh chromium postgresql redis-server
VENV=${SINESYS_VENV:-$ROOT/.venv}
export PATH="$VENV/bin:$PATH"

echo "== ruff check" && ruff check .
echo "== ruff format --check" && ruff format --check .
echo "== import layers (DESIGN.md §2)" && lint-imports
# mypy runs while pytest does (its incremental cache in .mypy_cache makes a warm run take seconds); its report
# follows pytest's, and either failing fails the command.
mypy_pid=
if [ "${SINESYS_TEST_MYPY:-1}" != 0 ]; then
  mypy_log=$(mktemp)
  mypy >"$mypy_log" 2>&1 &
  mypy_pid=$!
  trap 'kill "$mypy_pid" 2>/dev/null || true; rm -f "$mypy_log"' EXIT
fi
echo "== pytest"
# Bytecode is cached during the run (some images set PYTHONDONTWRITEBYTECODE=1): the suite starts hundreds of
# Python processes, and pytest's rewritten test and plugin modules are cached too. From a clean checkout, the three
# workers' collection takes 31 s of CPU instead of 47 s; every later crawl or CLI subprocess skips compiling.
unset PYTHONDONTWRITEBYTECODE
# Services the suite needs are required here, not skipped.
export SINESYS_TEST_REQUIRE_SERVICES=1
# Whole files per worker (module fixtures set up once, a file's tests in order), in collection order:
# tests/conftest.py puts the files with end-to-end tests first so the long ones start early.
workers=${SINESYS_TEST_WORKERS:-$(python -c 'import os; print(max(3, len(os.sched_getaffinity(0)) + 1))')}
xdist=(-n "$workers" --dist loadfile --no-loadscope-reorder)
for arg in "$@"; do
  case "$arg" in -n | -n[0-9]* | --numprocesses* | --dist* | no:xdist) xdist=() ;; esac
done
pytest_rc=0
python -m pytest "${xdist[@]}" "$@" || pytest_rc=$?
mypy_rc=0
if [ -n "${mypy_log:-}" ]; then
  wait "$mypy_pid" || mypy_rc=$?
  mypy_pid=
  echo "== mypy (pyproject.toml [tool.mypy])"
  cat "$mypy_log"
fi
[ "$pytest_rc" = 0 ] || exit "$pytest_rc"
exit "$mypy_rc"
