"""Fixtures of the login tests: a migrated database with a lawyer and credentials, a store and locks."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from sinesys_spiders.core.browser import BrowserChoice, resolve_browser
from sinesys_spiders.core.config import Settings
from sinesys_spiders.core.credenciais import CredenciaisService, Credencial
from sinesys_spiders.core.credenciais_input import NovaCredencial
from sinesys_spiders.core.crypto import Cipher, generate_key
from sinesys_spiders.core.db.engine import make_session_factory, session_scope
from sinesys_spiders.core.db.repositories.advogados import AdvogadosRepository
from sinesys_spiders.core.db.repositories.tribunais_config import TribunaisConfigRepository
from sinesys_spiders.core.domain import Grau, Tribunal
from sinesys_spiders.core.endpoints import EndpointResolver
from sinesys_spiders.core.locks import SqlLockBackend
from sinesys_spiders.core.sessions import SqlSessionStore
from sinesys_spiders.core.tribunais import LoginTimeouts, get_registry
from sinesys_spiders.login.manager import LoginRetry, SessionManager
from sinesys_spiders.testing.canary import CANARY_SENHA, CANARY_TOTP_SECRET
from sinesys_spiders.testing.sandbox_fixtures import DemoUser, SandboxClient


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def secret_key() -> str:
    return generate_key()


@pytest.fixture
def cipher(secret_key: str) -> Cipher:
    return Cipher.from_text(secret_key)


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
                tribunal=Tribunal("TRT3"),
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


# -- the sandbox, Chromium and a manager wired to both -------------------------------------------


@pytest.fixture
def browser_choice() -> BrowserChoice:
    choice = resolve_browser(Settings())
    if choice.cdp_url is None and (choice.executable is None or not choice.executable.exists()):
        pytest.skip("no Chromium for Playwright")
    return choice


class LoginWorld:
    """Credentials of sandbox users in the test database, tribunals pointed at the sandbox."""

    def __init__(
        self,
        *,
        sandbox: SandboxClient,
        factory: sessionmaker[Session],
        service: CredenciaisService,
        store: SqlSessionStore,
        locks: SqlLockBackend,
        browser: BrowserChoice,
    ) -> None:
        self.sandbox = sandbox
        self.factory = factory
        self.service = service
        self.store = store
        self.locks = locks
        self.browser = browser
        self._advogados: dict[str, int] = {}

    def credencial(self, user: DemoUser, tribunal: Tribunal, grau: Grau, *, senha: str | None = None) -> int:
        with session_scope(factory=self.factory) as session:
            advogado_id = self._advogados.get(user.cpf)
            if advogado_id is None:
                advogado_id = AdvogadosRepository(session).add(nome_completo=user.nome, cpf=user.cpf).id
                self._advogados[user.cpf] = advogado_id
            TribunaisConfigRepository(session).set_override(
                tribunal=tribunal, grau=grau, base_url=self.sandbox.base_url(tribunal), sso_url=self.sandbox.sso_url
            )
        return self.service.add(
            NovaCredencial(
                advogado_id=advogado_id,
                tribunal=tribunal,
                grau=grau,
                senha=SecretStr(senha if senha is not None else user.senha),
                usuario=user.cpf,
                totp_secret=SecretStr(user.totp_secret),
            )
        )

    def manager(self, **kwargs: Any) -> SessionManager:
        registry = get_registry()
        service = self.service

        def irmas(credencial: Credencial) -> list[int]:
            todas = service.for_advogado(credencial.advogado_id, active_only=False)
            return [c.id for c in todas if c.usuario == credencial.usuario]

        kwargs.setdefault("timeouts", LoginTimeouts.fast())
        kwargs.setdefault("retry", LoginRetry(attempts=2, base=0.1, cap=0.5))
        kwargs.setdefault("browser", self.browser)
        return SessionManager(
            store=self.store,
            locks=self.locks,
            credenciais=service.get,
            registry=registry,
            irmas=irmas,
            endpoint_for=lambda t, g: EndpointResolver(self.factory, registry).get(t, g).endpoint,
            **kwargs,
        )

    def logins(self, user: DemoUser) -> int:
        return _count(self.sandbox.counters(), "logins", user)

    def login_failures(self, user: DemoUser) -> int:
        return _count(self.sandbox.counters(), "login_failures", user)

    def otp(self, user: DemoUser) -> tuple[int, int]:
        """(codes accepted, codes rejected) for ``user``, from the sandbox's counters."""
        otp = self.sandbox.counters()["otp"]
        return _count(otp, "accepted_by_user", user), _count(otp, "rejected_by_user", user)


def _count(table: dict[str, Any], name: str, user: DemoUser) -> int:
    """A per-user counter of the sandbox (keyed by the masked CPF)."""
    masked = f"***.{user.cpf[3:6]}.{user.cpf[6:9]}-**"
    return int(table.get(name, {}).get(masked, 0))


@pytest.fixture
def world(
    pje_sandbox: SandboxClient,
    factory: sessionmaker[Session],
    service: CredenciaisService,
    store: SqlSessionStore,
    locks: SqlLockBackend,
    browser_choice: BrowserChoice,
) -> LoginWorld:
    return LoginWorld(
        sandbox=pje_sandbox, factory=factory, service=service, store=store, locks=locks, browser=browser_choice
    )


@pytest.fixture
def world_real_totp(
    pje_sandbox_real_totp: SandboxClient,
    factory: sessionmaker[Session],
    service: CredenciaisService,
    store: SqlSessionStore,
    locks: SqlLockBackend,
    browser_choice: BrowserChoice,
) -> LoginWorld:
    """Like ``world``, on the sandbox whose users have PJE's real 30-second TOTP steps (TRT3 and the TST)."""
    return LoginWorld(
        sandbox=pje_sandbox_real_totp,
        factory=factory,
        service=service,
        store=store,
        locks=locks,
        browser=browser_choice,
    )
