"""The Redis fixture skips or fails, as asked, when ``redis-server`` cannot be had."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

_PROBE = '''
def test_probe(redis_url):
    """Probe."""
    assert redis_url
'''


def _run_probe(tmp_path: Path, *, require: bool) -> subprocess.CompletedProcess[str]:
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["sinesys_spiders.testing.redis_fixtures"]\n')
    (tmp_path / "test_probe.py").write_text(_PROBE)
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent)  # no redis-server on this PATH
    env["SINESYS_TEST_REQUIRE_SERVICES"] = "1" if require else "0"
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # the probe needs none of the installed plugins (~2.5 s of imports)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "-p", "sinesys", str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_missing_redis_skips_by_default(tmp_path: Path) -> None:
    """Without SINESYS_TEST_REQUIRE_SERVICES, a test that needs Redis is skipped when redis-server is missing."""
    result = _run_probe(tmp_path, require=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout


def test_missing_redis_is_an_error_when_required(tmp_path: Path) -> None:
    """With SINESYS_TEST_REQUIRE_SERVICES=1 (scripts/test.sh, CI), a missing redis-server fails the test."""
    result = _run_probe(tmp_path, require=True)
    assert result.returncode != 0
    assert "1 error" in result.stdout
    assert "Redis required" in result.stdout
