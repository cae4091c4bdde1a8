"""Fixtures of the login tests: a migrated database with a lawyer and credentials, a store and locks."""

from __future__ import annotations

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from sinesys_spiders.core.credenciais import CredenciaisService
from sinesys_spiders.core.credenciais_input import NovaCredencial
from sinesys_spiders.core.crypto import Cipher, generate_key
from sinesys_spiders.core.db.engine import make_session_factory, session_scope
from sinesys_spiders.core.db.repositories.advogados import AdvogadosRepository
from sinesys_spiders.core.domain import Grau, Tribunal
from sinesys_spiders.core.locks import SqlLockBackend
from sinesys_spiders.core.sessions import SqlSessionStore
from sinesys_spiders.testing.canary import CANARY_SENHA, CANARY_TOTP_SECRET


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def cipher() -> Cipher:
    return Cipher.from_text(generate_key())


@pytest.fixture
def service(factory: sessionmaker[Session], cipher: Cipher) -> CredenciaisService:
    return CredenciaisService(factory, cipher)


@pytest.fixture
def credencial_ids(service: CredenciaisService, factory: sessionmaker[Session]) -> list[int]:
    """Two credentials (TRT3 1º and 2º grau) of one lawyer, same SSO user, canary secrets."""
    with session_scope(factory=factory) as session:
        advogado_id = AdvogadosRepository(session).add(nome_completo="Ana Teste", cpf="52998224725").id
    ids = [
        service.add(
            NovaCredencial(
                advogado_id=advogado_id,
                tribunal=Tribunal.TRT3,
                grau=grau,
                senha=SecretStr(CANARY_SENHA),
                usuario="52998224725",
                totp_secret=SecretStr(CANARY_TOTP_SECRET),
            )
        )
        for grau in (Grau.PRIMEIRO_GRAU, Grau.SEGUNDO_GRAU)
    ]
    return ids


@pytest.fixture
def store(factory: sessionmaker[Session], cipher: Cipher) -> SqlSessionStore:
    return SqlSessionStore(factory, cipher)


@pytest.fixture
def locks(factory: sessionmaker[Session]) -> SqlLockBackend:
    return SqlLockBackend(factory)
