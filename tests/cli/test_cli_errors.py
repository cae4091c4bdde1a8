"""Whatever goes wrong around a command (settings, database, input), the user gets one clear line, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _sinesys(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("SINESYS_")}
    return subprocess.run(
        [sys.executable, "-m", "sinesys_spiders.cli", *args],
        cwd=ROOT, env={**base, **env}, input=stdin, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def _one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("erro:")]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_an_invalid_setting_is_named_without_its_value(tmp_path):
    """A bad SINESYS_* value names the variable and what is expected, not the value."""
    result = _sinesys(
        "advogados", "list", env={"SINESYS_VAR_DIR": str(tmp_path), "SINESYS_CREDENTIAL_CACHE_TTL": "x9z"}
    )
    line = _one_error_line(result)
    assert "SINESYS_CREDENTIAL_CACHE_TTL" in line
    assert "x9z" not in result.stderr


def test_a_database_not_yet_migrated_says_to_run_db_upgrade(tmp_path):
    """Using the CLI before `sinesys db upgrade` says so instead of a driver traceback."""
    (tmp_path / "sinesys.db").touch()
    result = _sinesys("advogados", "list", env={"SINESYS_VAR_DIR": str(tmp_path)})
    line = _one_error_line(result)
    assert "não migrado" in line
    assert "sinesys db upgrade" in line


def test_a_malformed_database_url_never_shows_its_password(tmp_path):
    """Even a URL SQLAlchemy cannot parse has its password masked in the error and in `config show`."""
    env = {"SINESYS_VAR_DIR": str(tmp_path), "SINESYS_DATABASE_URL": "postgresql//user:Canary-PW-77@db/x"}
    result = _sinesys("db", "upgrade", env=env)
    _one_error_line(result)
    shown = _sinesys("config", "show", env=env)
    assert shown.returncode == 0
    assert "Canary-PW-77" not in result.stderr + result.stdout + shown.stdout + shown.stderr
    assert "user:***@" in shown.stdout


def test_a_secret_prompt_without_a_terminal_points_to_import(tmp_path):
    """`credenciais add` with no terminal input ends in one line that names the import alternative."""
    env = {"SINESYS_VAR_DIR": str(tmp_path)}
    assert _sinesys("db", "upgrade", env=env).returncode == 0
    added = _sinesys("advogados", "add", "--nome", "Ana", "--cpf", "52998224725", env=env)
    assert added.returncode == 0, added.stderr
    result = _sinesys("credenciais", "add", "--advogado", "1", "--tribunal", "TRT3", "--grau", "primeiro_grau", env=env)
    line = _one_error_line(result)
    assert "import --from-json" in line
