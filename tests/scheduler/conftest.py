"""Fixtures of the scheduler tests: a lawyer with credentials on the test database, and the CLI on it."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from sinesys_spiders.core.db.engine import make_session_factory, session_scope
from sinesys_spiders.core.db.repositories import AdvogadosRepository, CredenciaisRepository
from tests.cli.conftest import sinesys  # noqa: F401 - the same in-process CLI fixture


@pytest.fixture
def credenciais(engine: Engine, advogado_id: int) -> list[int]:
    """Three credentials of ``advogado_id`` (TRT3 1º and 2º grau, TRT5 1º grau), secrets not needed here."""
    with session_scope(factory=make_session_factory(engine)) as session:
        repo = CredenciaisRepository(session)
        return [
            repo.add(advogado_id=advogado_id, tribunal=t, grau=g, senha_cifrada=b"x").id
            for t, g in (("TRT3", "primeiro_grau"), ("TRT3", "segundo_grau"), ("TRT5", "primeiro_grau"))
        ]


@pytest.fixture
def outra_credencial(engine: Engine) -> int:
    """A credential of another lawyer."""
    with session_scope(factory=make_session_factory(engine)) as session:
        outro = AdvogadosRepository(session).add(nome_completo="Outro Advogado", cpf="11144477735").id
        return CredenciaisRepository(session).add(advogado_id=outro, tribunal="TRT3", grau="primeiro_grau",
                                                  senha_cifrada=b"x").id  # fmt: skip
