"""Shared helpers of the pipeline tests: a lawyer, two credentials and a capture row in the test database."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from sinesys_spiders.core.db.engine import make_session_factory
from sinesys_spiders.core.db.models import Advogado, Credencial
from sinesys_spiders.core.historico import HistoricoService


@pytest.fixture
def seeded(engine: Engine) -> dict[str, Any]:
    """Ids of a lawyer, credentials on TRT3 1º grau and TRT5 2º grau, and an in-progress acervo capture."""
    factory = make_session_factory(engine)
    with factory.begin() as session:
        advogado = Advogado(nome_completo="ADVOGADA TESTE", cpf="52998224725")
        session.add(advogado)
        session.flush()
        a = Credencial(advogado_id=advogado.id, tribunal="TRT3", grau="primeiro_grau", senha_cifrada=b"x")
        b = Credencial(advogado_id=advogado.id, tribunal="TRT5", grau="segundo_grau", senha_cifrada=b"x")
        session.add_all([a, b])
        session.flush()
        ids = {"advogado": advogado.id, "a": a.id, "b": b.id}
    ids["captura"] = HistoricoService(factory).start(
        tipo_captura="acervo_geral", advogado_id=ids["advogado"], credencial_ids=[ids["a"], ids["b"]]
    )
    ids["factory"] = factory
    return ids
