"""API fixtures: one migrated PostgreSQL database per module, the app on it, keys of each scope, a lawyer.

Tests talk to the app in process through ``httpx.AsyncClient(transport=ASGITransport(app))``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from api.app import create_app
from api.auth.chaves import ChavesService
from api.auth.usuarios import UsuariosService
from api.config import ApiSettings
from sinesys_spiders.core.config import Settings
from sinesys_spiders.core.credenciais import CredenciaisService, NovaCredencial
from sinesys_spiders.core.crypto import Cipher, generate_key
from sinesys_spiders.core.db import make_engine, make_session_factory
from sinesys_spiders.core.db.models import Advogado
from sinesys_spiders.testing.canary import CANARY_SENHA, CANARY_TOTP_SECRET
from sinesys_spiders.testing.credenciais_fixtures import ADVOGADO_CPF, ADVOGADO_CPF_2
from sinesys_spiders.testing.postgres import PostgresServer

JWT_SECRET = "test-jwt-secret-that-is-long-enough-0123456789"
SENHA_USUARIO = "uma-senha-local-bem-longa"


@pytest.fixture(scope="module")
def api_database(postgres_server: PostgresServer, _postgres_template: str) -> Iterator[str]:
    """A migrated PostgreSQL database for the module's tests."""
    name = f"sinesys_api_{os.getpid()}_{id(object())}"
    url = postgres_server.create_database(name, template=_postgres_template)
    yield url
    from sinesys_spiders.core.db.engine import dispose_engines

    dispose_engines()
    postgres_server.drop_database(name)


@pytest.fixture(scope="module")
def settings(api_database: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=api_database,
        secret_key=generate_key(),
        var_dir=tmp_path_factory.mktemp("var"),
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture(scope="module")
def api_settings() -> ApiSettings:
    return ApiSettings(jwt_secret=JWT_SECRET, cookie_secure=False, falhas_limite=1000, _env_file=None)  # type: ignore[call-arg]


@pytest.fixture(scope="module")
def app(settings: Settings, api_settings: ApiSettings) -> Starlette:
    return create_app(settings, api_settings=api_settings)


@pytest.fixture(scope="module")
def factory(settings: Settings) -> Any:
    return make_session_factory(make_engine(settings.effective_database_url))


@pytest.fixture(scope="module")
def chaves(factory: Any) -> dict[str, str]:
    """A key of each scope, by scope name."""
    service = ChavesService(factory)
    return {escopo: service.criar(f"teste-{escopo}", escopo)[1] for escopo in ("leitura", "captura", "admin")}


@pytest.fixture(scope="module")
def usuario(factory: Any) -> str:
    """A local user with scope captura; its password is SENHA_USUARIO."""
    UsuariosService(factory).adicionar("ana", SENHA_USUARIO, "captura", nome="Ana Operadora")
    return "ana"


@pytest.fixture(scope="module")
def dados(settings: Settings, factory: Any) -> dict[str, Any]:
    """Two lawyers; the first with two credentials (TRT3 1º and 2º grau, canary secrets), the second with one."""
    with factory.begin() as session:
        a1 = Advogado(nome_completo="Maria Advogada", cpf=ADVOGADO_CPF, oabs=[{"numero": "123456", "uf": "MG"}])
        a2 = Advogado(nome_completo="João Advogado", cpf=ADVOGADO_CPF_2, oabs=[])
        session.add_all([a1, a2])
        session.flush()
        ids = a1.id, a2.id
    service = CredenciaisService(factory, Cipher.from_text(settings.secret_key.get_secret_value()))  # type: ignore[union-attr]
    c1, c2 = service.add_many(
        [
            NovaCredencial.from_values(
                advogado_id=ids[0],
                tribunal="TRT3",
                grau="primeiro_grau",
                senha=CANARY_SENHA,
                totp_secret=CANARY_TOTP_SECRET,
            ),
            NovaCredencial.from_values(advogado_id=ids[0], tribunal="TRT3", grau="segundo_grau", senha=CANARY_SENHA),
        ]
    )
    c3 = service.add(NovaCredencial.from_values(advogado_id=ids[1], tribunal="TRT5", grau="primeiro_grau", senha="x1"))
    return {"advogado": ids[0], "advogado2": ids[1], "credenciais": [c1, c2], "credencial_alheia": c3}


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def como(chaves: dict[str, str]) -> Callable[[str], dict[str, str]]:
    """``como("admin")`` -> the headers of that scope's key."""
    return lambda escopo: {"x-service-api-key": chaves[escopo]}
