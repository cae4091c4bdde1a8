"""Engines get their back end's settings; session_scope commits or rolls back as a unit of work."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select, text

from sinesys_spiders.core.db.engine import (
    SQLITE_BUSY_TIMEOUT_MS,
    get_engine,
    make_session_factory,
    normalize_url,
    session_scope,
)
from sinesys_spiders.core.db.models import Advogado


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgres://u@h:5433/db", "postgresql+psycopg://u@h:5433/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///var/sinesys.db", "sqlite:///var/sinesys.db"),
    ],
)
def test_postgres_urls_use_psycopg3(url: str, expected: str) -> None:
    """Plain PostgreSQL URLs are served by psycopg 3, whatever scheme the operator wrote."""
    assert normalize_url(url) == expected


def test_engine_settings_per_back_end(engine: Engine) -> None:
    """SQLite enforces foreign keys, uses WAL and waits for writers; PostgreSQL goes through psycopg 3."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == SQLITE_BUSY_TIMEOUT_MS
        else:
            assert engine.dialect.driver == "psycopg"
            assert conn.execute(text("SHOW TIME ZONE")).scalar() is not None


def test_session_scope_commits_or_rolls_back(engine: Engine) -> None:
    """A block that ends normally is committed; one that raises leaves nothing behind."""
    factory = make_session_factory(engine)
    with session_scope(factory=factory) as session:
        session.add(Advogado(nome_completo="Ana", cpf="12345678909"))

    def failing_block() -> None:
        with session_scope(factory=factory) as session:
            session.add(Advogado(nome_completo="Bia", cpf="98765432100"))
            session.flush()
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        failing_block()
    with factory() as session:
        assert session.scalars(select(Advogado.cpf)).all() == ["12345678909"]


def test_get_engine_follows_the_settings(database_env: str) -> None:
    """The process-wide engine and session_scope() use SINESYS_DATABASE_URL."""
    with session_scope() as session:
        session.add(Advogado(nome_completo="Ana", cpf="12345678909"))
    assert get_engine() is get_engine()
    assert get_engine().url.database == get_engine(database_env).url.database
    with session_scope() as session:
        assert session.scalars(select(Advogado.nome_completo)).all() == ["Ana"]
