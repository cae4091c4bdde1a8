"""Driver errors read the same on SQLite and PostgreSQL, without leaking values."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from sinesys_spiders.core.db.engine import make_engine, make_session_factory
from sinesys_spiders.core.db.errors import (
    BancoIndisponivel,
    ViolacaoDeChave,
    is_transient,
    is_unique_violation,
    to_sinesys_error,
)
from sinesys_spiders.core.db.repositories import AdvogadosRepository

CPF = "12345678909"
_ORPHAN_CREDENCIAL = text(
    "INSERT INTO credenciais (uuid, advogado_id, tribunal, grau, senha_cifrada, active, created_at, updated_at) "
    "VALUES ('u', 999, 'TRT3', 'primeiro_grau', :s, true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
)


def _duplicate_error(engine: Engine) -> IntegrityError:
    with make_session_factory(engine)() as session:
        AdvogadosRepository(session).add(nome_completo="Ana", cpf=CPF)
        try:
            AdvogadosRepository(session).add(nome_completo="Ana", cpf=CPF)
        except IntegrityError as exc:
            return exc
    raise AssertionError("duplicate CPF accepted")


def test_duplicate_key_is_recognised_without_values(engine: Engine) -> None:
    """A duplicate natural key is a unique violation, mapped to VIOLACAO_DE_CHAVE naming no CPF."""
    exc = _duplicate_error(engine)
    assert is_unique_violation(exc)
    assert not is_transient(exc)
    error = to_sinesys_error(exc)
    assert isinstance(error, ViolacaoDeChave)
    assert "advogados" in str(error)
    assert CPF not in str(error)


def test_other_integrity_errors_are_not_duplicates(engine: Engine) -> None:
    """A foreign-key or NOT NULL failure is not mistaken for "already there"."""
    with make_session_factory(engine)() as session:
        with pytest.raises(IntegrityError) as info:
            session.execute(_ORPHAN_CREDENCIAL, {"s": b"x"})
        assert not is_unique_violation(info.value)
        assert to_sinesys_error(info.value) is None


def test_unreachable_database_is_transient(database_url: str) -> None:
    """A database that cannot be reached is a transient BANCO_INDISPONIVEL (SQLite: a locked file)."""
    if database_url.startswith("sqlite"):
        first = make_engine(database_url, connect_args={"timeout": 0})
        second = make_engine(database_url, connect_args={"timeout": 0})
        with first.connect() as holder:
            holder.execute(text("BEGIN IMMEDIATE"))
            with second.connect() as conn:
                conn.execute(text("PRAGMA busy_timeout=0"))
                with pytest.raises(OperationalError) as info:
                    conn.execute(text("BEGIN IMMEDIATE"))
            holder.execute(text("ROLLBACK"))
        first.dispose()
        second.dispose()
    else:
        engine = make_engine("postgresql://postgres:pw@127.0.0.1:1/x", connect_args={"connect_timeout": 2})
        with pytest.raises(SQLAlchemyError) as info:
            engine.connect()
        engine.dispose()
    assert is_transient(info.value)
    assert isinstance(to_sinesys_error(info.value), BancoIndisponivel)
