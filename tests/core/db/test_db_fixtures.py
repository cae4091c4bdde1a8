"""The database fixtures skip or fail, as asked, when PostgreSQL cannot be had."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sinesys_spiders.testing.postgres import PostgresUnavailable, start_postgres

_PROBE = '''
def test_probe(database_url):
    """Probe."""
    assert database_url
'''


def _run_probe(tmp_path: Path, *, require: bool) -> subprocess.CompletedProcess[str]:
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["sinesys_spiders.testing.db_fixtures"]\n')
    (tmp_path / "test_probe.py").write_text(_PROBE)
    env = dict(os.environ)
    env["SINESYS_TEST_POSTGRES_URL"] = "postgresql://postgres@127.0.0.1:1/postgres"
    env["SINESYS_TEST_REQUIRE_SERVICES"] = "1" if require else "0"
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # the probe needs none of the installed plugins (~2.5 s of imports)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "-p", "sinesys", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_unreachable_postgres_is_reported_without_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """An unreachable configured server is PostgresUnavailable, and the message holds no password."""
    monkeypatch.setenv("SINESYS_TEST_POSTGRES_URL", "postgresql://postgres:hunter2@127.0.0.1:1/postgres")
    with pytest.raises(PostgresUnavailable) as info:
        start_postgres()
    assert "hunter2" not in str(info.value)


def test_missing_postgres_skips_by_default(tmp_path: Path) -> None:
    """Without SINESYS_TEST_REQUIRE_SERVICES, the PostgreSQL case is skipped and SQLite still runs."""
    result = _run_probe(tmp_path, require=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed, 1 skipped" in result.stdout


def test_missing_postgres_is_an_error_when_required(tmp_path: Path) -> None:
    """With SINESYS_TEST_REQUIRE_SERVICES=1, the PostgreSQL case errors instead of passing silently."""
    result = _run_probe(tmp_path, require=True)
    assert result.returncode != 0
    assert "1 passed, 1 error" in result.stdout
