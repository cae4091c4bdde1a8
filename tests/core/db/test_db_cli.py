"""``sinesys db upgrade`` and ``sinesys db current`` on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sinesys_spiders.cli import main
from sinesys_spiders.core.db.migrate import current, head
from sinesys_spiders.testing.db_fixtures import CreateDatabase


def test_upgrade_then_current_through_the_environment(
    create_database: CreateDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With SINESYS_DATABASE_URL set, upgrade migrates that database and current reports the head."""
    from sinesys_spiders.core.config import reset_settings

    url = create_database(migrated=False)
    monkeypatch.setenv("SINESYS_DATABASE_URL", url)
    reset_settings()
    try:
        runner = CliRunner()
        before = runner.invoke(main, ["db", "current"])
        assert before.exit_code == 0
        assert "não migrado" in before.output
        result = runner.invoke(main, ["db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert current(url) == head()
        after = runner.invoke(main, ["db", "current"])
        assert after.exit_code == 0
        assert f"revisão {head()} (a mais nova)" in after.output
    finally:
        reset_settings()


def test_default_sqlite_creates_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a fresh machine, upgrade creates var/ and the SQLite file; current does not create anything."""
    from sinesys_spiders.core.config import reset_settings

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SINESYS_DATABASE_URL", raising=False)
    monkeypatch.setenv("SINESYS_VAR_DIR", str(tmp_path / "var"))
    reset_settings()
    try:
        runner = CliRunner()
        assert runner.invoke(main, ["db", "current"]).exit_code == 0
        assert not (tmp_path / "var").exists()
        result = runner.invoke(main, ["db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert (tmp_path / "var" / "sinesys.db").exists()
    finally:
        reset_settings()


def test_unknown_revision_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    """A bad --revision is one line on stderr, exit 2, and no database file appears."""
    target = tmp_path / "sub" / "x.db"
    result = CliRunner().invoke(main, ["db", "upgrade", "--revision", "nope", "--url", f"sqlite:///{target}"])
    assert result.exit_code == 2
    assert "revisão desconhecida" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not target.parent.exists()


def test_unreachable_server_masks_the_password() -> None:
    """A database that cannot be reached is reported without its password."""
    url = "postgresql://sinesys:supersecret@127.0.0.1:1/sinesys"
    result = CliRunner().invoke(main, ["db", "current", "--url", url])
    assert result.exit_code == 1
    assert "supersecret" not in result.output
    assert "***" in result.output
