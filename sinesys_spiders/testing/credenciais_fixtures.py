"""Fixtures for code that handles credentials: a secret key in the environment, a cipher, the service.

Register with ``pytest_plugins = ["sinesys_spiders.testing.credenciais_fixtures"]`` (it needs the
database fixtures of ``sinesys_spiders.testing.db_fixtures`` for ``credenciais_service``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from sinesys_spiders.core.config import reset_settings
from sinesys_spiders.core.credenciais import CredenciaisService
from sinesys_spiders.core.crypto import Cipher, generate_key
from sinesys_spiders.core.db import make_session_factory, session_scope
from sinesys_spiders.core.db.repositories import AdvogadosRepository

__all__ = ["ADVOGADO_CPF", "ADVOGADO_CPF_2"]

#: Valid CPFs for test lawyers (check digits right; not real people).
ADVOGADO_CPF = "52998224725"
ADVOGADO_CPF_2 = "11144477735"


@pytest.fixture
def secret_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh ``SINESYS_SECRET_KEY`` in the environment (settings reset before and after)."""
    key = generate_key()
    monkeypatch.setenv("SINESYS_SECRET_KEY", key)
    reset_settings()
    try:
        yield key
    finally:
        monkeypatch.delenv("SINESYS_SECRET_KEY", raising=False)
        reset_settings()


@pytest.fixture
def cipher(secret_key: str) -> Cipher:
    """The cipher of ``secret_key``."""
    return Cipher.from_text(secret_key)


@pytest.fixture
def credenciais_service(engine: Engine, cipher: Cipher) -> CredenciaisService:
    """A credential service on the test database with a 300 s cache."""
    return CredenciaisService(make_session_factory(engine), cipher, cache_ttl=300.0)


@pytest.fixture
def advogado_id(engine: Engine) -> int:
    """The id of a lawyer (CPF ``ADVOGADO_CPF``) in the test database."""
    with session_scope(factory=make_session_factory(engine)) as session:
        return (
            AdvogadosRepository(session)
            .add(nome_completo="Maria Advogada Teste", cpf=ADVOGADO_CPF, oabs=[{"numero": "123456", "uf": "MG"}])
            .id
        )
