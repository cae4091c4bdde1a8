"""Assertions shared by the command-line tests."""

from __future__ import annotations

from click.testing import Result
from sqlalchemy import Engine, text


def row_counts(engine: Engine) -> dict[str, int]:
    """How many rows each table touched by these commands holds (to prove nothing was written)."""
    with engine.connect() as conn:
        return {
            table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608 - fixed names
            for table in ("advogados", "credenciais", "tribunais_config", "sessoes")
        }


def assert_one_line_error(result: Result, *fragments: str) -> None:
    """A bad input: non-zero exit, one line on stderr naming the problem, nothing on stdout."""
    assert result.exit_code != 0, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("erro: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert result.stdout == ""
