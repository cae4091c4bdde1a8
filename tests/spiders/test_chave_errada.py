"""A crawl under the wrong secret key (issue 17, item 4): CHAVE_INVALIDA, and the stored session survives."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from processo_e2e import ProcessoE2E
from sqlalchemy import select

from sinesys_spiders.core.crypto import generate_key
from sinesys_spiders.core.db.models import Sessao
from sinesys_spiders.testing.db_fixtures import on_postgresql
from sinesys_spiders.testing.sandbox_fixtures import SandboxClient

pytestmark = [pytest.mark.e2e, on_postgresql]


@pytest.fixture
def e2e(pje_sandbox: SandboxClient, database_url: str, tmp_path: Path) -> Iterator[ProcessoE2E]:
    e2e = ProcessoE2E(
        sandbox=pje_sandbox, database_url=database_url, workdir=tmp_path, user=pje_sandbox.take_user(), tribunal="TRT3"
    )
    yield e2e
    e2e.close()


def _sessoes(e2e: ProcessoE2E) -> list[bytes]:
    with e2e.factory() as session:
        return [bytes(b) for b in session.scalars(select(Sessao.dados_cifrados)) if b is not None]


def test_a_wrong_key_fails_the_credential_with_chave_invalida_and_deletes_nothing(e2e: ProcessoE2E) -> None:
    """With another SINESYS_SECRET_KEY the credential fails with CHAVE_INVALIDA (not a network error), no login
    is tried, and the session sealed under the right key is still there, byte for byte."""
    antes = _sessoes(e2e)
    assert antes
    logins = e2e.sandbox.counters().get("logins", {})
    e2e.secret_key = generate_key()

    result, resumo = e2e.crawl("acervo_geral", check=False)

    assert resumo is not None, result.stderr[-3000:]
    assert e2e.resultado(resumo)["erro"]["codigo"] == "CHAVE_INVALIDA"
    assert "Traceback" not in result.stderr
    assert _sessoes(e2e) == antes
    assert e2e.sandbox.counters().get("logins", {}) == logins
