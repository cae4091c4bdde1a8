"""Permanent login failures are remembered across processes: no browser, no SSO request, until corrected."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from pydantic import SecretStr
from sqlalchemy.orm import Session, sessionmaker

from sinesys_spiders.core.browser import BrowserChoice
from sinesys_spiders.core.credenciais import CredenciaisService
from sinesys_spiders.core.credenciais_input import NovaCredencial
from sinesys_spiders.core.db.engine import session_scope
from sinesys_spiders.core.db.repositories.advogados import AdvogadosRepository
from sinesys_spiders.core.domain import Grau, Tribunal
from sinesys_spiders.core.errors import (
    BloqueioWaf,
    ConfiguracaoInvalida,
    OtpInvalido,
    SenhaInvalida,
    TribunalEmManutencao,
)
from sinesys_spiders.core.falhas_login import FalhaLogin, LoginCooldowns, SqlLoginFailureStore, refusal
from sinesys_spiders.core.locks import SqlLockBackend
from sinesys_spiders.core.sessions import SqlSessionStore
from sinesys_spiders.core.timeutil import utcnow
from sinesys_spiders.core.tribunais import get_registry
from sinesys_spiders.login.manager import SessionManager
from sinesys_spiders.testing.canary import CANARY_SENHA, CANARY_TOTP_SECRET
from sinesys_spiders.testing.db_fixtures import on_postgresql

if TYPE_CHECKING:
    from conftest import LoginWorld

    from sinesys_spiders.testing.sandbox_fixtures import DemoUser

#: A browser that cannot start: a manager that tried to log in would fail with another error.
NO_BROWSER = BrowserChoice(executable=Path("/nonexistent/chromium"), cdp_url=None)


def _falha(codigo: str, *, ago: dt.timedelta = dt.timedelta(0)) -> FalhaLogin:
    return FalhaLogin(codigo, "mensagem do tribunal", utcnow() - ago)


def _offline_manager(
    factory: sessionmaker[Session], store: SqlSessionStore, locks: SqlLockBackend, service: CredenciaisService
) -> SessionManager:
    """A manager like another process's, whose browser cannot start."""
    return SessionManager(
        store=store,
        locks=locks,
        credenciais=service.get,
        registry=get_registry(),
        browser=NO_BROWSER,
        falhas_login=SqlLoginFailureStore(factory),
    )


# -- the record and the policy (both back ends) -------------------------------------------------


def test_a_recorded_failure_survives_and_is_cleared(
    factory: sessionmaker[Session], service: CredenciaisService, credencial_ids: list[int]
) -> None:
    """A failure is read back by a new store; update, enable and clear() forget it; list shows its code."""
    primeiro, segundo = credencial_ids
    store = SqlLoginFailureStore(factory)
    falha = _falha("SENHA_INVALIDA")
    store.record(primeiro, falha)

    assert SqlLoginFailureStore(factory).get(primeiro) == falha
    assert store.get(segundo) is None
    assert [(r.id, r.falha_login) for r in service.list()] == [(primeiro, "SENHA_INVALIDA"), (segundo, None)]
    assert service.resumo(primeiro).falha_login_em == falha.em

    service.update(primeiro, senha=SecretStr(CANARY_SENHA))
    assert store.get(primeiro) is None
    store.record(primeiro, _falha("OTP_INVALIDO"))
    service.set_active(primeiro, False)
    assert store.get(primeiro) is not None  # disabling keeps the reason
    service.set_active(primeiro, True)
    assert store.get(primeiro) is None
    store.record(primeiro, _falha("BLOQUEIO_WAF"))
    assert store.clear(primeiro) is True
    assert store.clear(primeiro) is False


@pytest.mark.parametrize(("codigo", "error"), [("SENHA_INVALIDA", SenhaInvalida), ("OTP_INVALIDO", OtpInvalido)])
def test_wrong_password_or_codes_are_refused_until_corrected(codigo: str, error: type[Exception]) -> None:
    """However old, a rejected password or codes refuse the login and say which command fixes it."""
    refused = refusal(7, _falha(codigo, ago=dt.timedelta(days=400)), now=utcnow(), cooldowns=LoginCooldowns())
    assert isinstance(refused, error)
    fix = "--senha" if codigo == "SENHA_INVALIDA" else "--otp totp"
    assert f"`sinesys credenciais update 7 {fix}`" in refused.message
    assert "`sinesys credenciais enable 7`" in refused.message


_MIN = dt.timedelta(minutes=1)


@pytest.mark.parametrize(
    ("codigo", "error", "cooldowns", "within", "after"),
    [
        ("BLOQUEIO_WAF", BloqueioWaf, LoginCooldowns(), 359 * _MIN, 360 * _MIN),
        ("TRIBUNAL_EM_MANUTENCAO", TribunalEmManutencao, LoginCooldowns(), 29 * _MIN, 30 * _MIN),
        ("BLOQUEIO_WAF", BloqueioWaf, LoginCooldowns(waf=5 * _MIN), 4 * _MIN, 5 * _MIN),
    ],
)
def test_waf_and_maintenance_are_refused_only_within_their_cool_down(
    codigo: str, error: type[Exception], cooldowns: LoginCooldowns, within: dt.timedelta, after: dt.timedelta
) -> None:
    """A WAF block (6 h) or maintenance page (30 min) refuses logins during its cool-down, then allows one."""
    now = utcnow()
    refused = refusal(3, _falha(codigo, ago=within), now=now, cooldowns=cooldowns)
    assert isinstance(refused, error)
    assert "nova tentativa de login a partir de" in refused.message
    assert refusal(3, FalhaLogin(codigo, "", now - after), now=now, cooldowns=cooldowns) is None


def test_cool_downs_come_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """SINESYS_LOGIN_COOLDOWN_WAF and _MANUTENCAO (seconds) set the cool-downs; defaults 6 h and 30 min."""
    from sinesys_spiders.core.config import Settings

    assert LoginCooldowns.from_settings(Settings()) == LoginCooldowns(dt.timedelta(hours=6), dt.timedelta(minutes=30))
    monkeypatch.setenv("SINESYS_LOGIN_COOLDOWN_WAF", "60")
    monkeypatch.setenv("SINESYS_LOGIN_COOLDOWN_MANUTENCAO", "0")
    cooldowns = LoginCooldowns.from_settings(Settings())
    assert cooldowns == LoginCooldowns(dt.timedelta(minutes=1), dt.timedelta(0))


def test_login_pause_comes_from_the_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """SINESYS_LOGIN_PAUSA (seconds) sets the human-like pause between a crawl's login steps; default 2 s."""
    from sinesys_spiders.core.config import Settings
    from sinesys_spiders.core.crypto import generate_key

    monkeypatch.setenv("SINESYS_DATABASE_URL", f"sqlite:///{tmp_path / 'sinesys.db'}")
    monkeypatch.setenv("SINESYS_SECRET_KEY", generate_key())
    monkeypatch.delenv("SINESYS_LOGIN_PAUSA", raising=False)  # the suite runs with 0 (tests/conftest.py)
    assert SessionManager.from_settings(Settings(_env_file=None)).timeouts.pause == 2.0
    monkeypatch.setenv("SINESYS_LOGIN_PAUSA", "0")
    assert SessionManager.from_settings(Settings(_env_file=None)).timeouts.pause == 0.0


async def test_a_recorded_wrong_password_starts_no_browser(
    factory: sessionmaker[Session],
    store: SqlSessionStore,
    locks: SqlLockBackend,
    service: CredenciaisService,
    credencial_ids: list[int],
) -> None:
    """Another process's SENHA_INVALIDA is raised at once by a new manager, without a browser, with its fix."""
    credencial_id = credencial_ids[0]
    SqlLoginFailureStore(factory).record(credencial_id, _falha("SENHA_INVALIDA"))
    manager = _offline_manager(factory, store, locks, service)

    with pytest.raises(SenhaInvalida) as caught:
        await manager.get(credencial_id)
    with pytest.raises(SenhaInvalida):
        await manager.relogin(credencial_id, None)

    assert f"sinesys credenciais update {credencial_id} --senha" in caught.value.message
    assert CANARY_SENHA not in str(caught.value)
    assert CANARY_TOTP_SECRET not in str(caught.value)
    assert credencial_id in manager.falhas
    assert manager.logins == 0
    assert store.logins(credencial_id) == 0


async def test_a_waf_block_stops_the_tribunals_other_credentials_and_maintenance_its_grau(
    factory: sessionmaker[Session],
    store: SqlSessionStore,
    locks: SqlLockBackend,
    service: CredenciaisService,
    credencial_ids: list[int],
) -> None:
    """A WAF block blocks this address at the whole tribunal: its other credentials wait out the same cool-down."""
    primeiro, segundo = credencial_ids  # TRT3 1º and 2º grau
    outro_tribunal = service.add(
        NovaCredencial(
            advogado_id=service.get(primeiro).advogado_id,
            tribunal=Tribunal("TRT5"),
            grau=Grau.PRIMEIRO_GRAU,
            senha=SecretStr(CANARY_SENHA),
            usuario="52998224725",
            totp_secret=SecretStr(CANARY_TOTP_SECRET),
        )
    )
    failures = SqlLoginFailureStore(factory)
    failures.record(primeiro, _falha("BLOQUEIO_WAF", ago=dt.timedelta(hours=1)))

    manager = _offline_manager(factory, store, locks, service)
    with pytest.raises(BloqueioWaf) as caught:
        await manager.get(segundo)  # no browser: refused from the record of the other credential
    assert f"registrado na credencial {primeiro}" in caught.value.message
    assert f"sinesys credenciais enable {primeiro}" in caught.value.message
    assert "SINESYS_LOGIN_COOLDOWN_WAF" in caught.value.message
    assert failures.get(segundo) is None  # its own record stays clean
    assert manager.logins == 0
    with pytest.raises(ConfiguracaoInvalida, match="Chromium"):  # TRT5 is not blocked: it goes on to start a browser
        await _offline_manager(factory, store, locks, service).get(outro_tribunal)

    over = _offline_manager(factory, store, locks, service)
    over.cooldowns = LoginCooldowns(waf=dt.timedelta(minutes=30))  # the block is an hour old: cool-down over
    with pytest.raises(ConfiguracaoInvalida, match="Chromium"):
        await over.get(segundo)

    service.set_active(primeiro, True)  # `credenciais enable` on the blocked one lifts the tribunal's block
    with pytest.raises(ConfiguracaoInvalida, match="Chromium"):
        await _offline_manager(factory, store, locks, service).get(segundo)

    failures.record(primeiro, _falha("TRIBUNAL_EM_MANUTENCAO"))  # maintenance: that grau only
    with pytest.raises(ConfiguracaoInvalida, match="Chromium"):
        await _offline_manager(factory, store, locks, service).get(segundo)
    with session_scope(factory=factory) as session:  # another lawyer at TRT3 1º grau: the grau under maintenance
        outro_advogado = AdvogadosRepository(session).add(nome_completo="Bia Teste", cpf="11144477735").id
    mesmo_grau = service.add(
        NovaCredencial(
            advogado_id=outro_advogado,
            tribunal=Tribunal("TRT3"),
            grau=Grau.PRIMEIRO_GRAU,
            senha=SecretStr(CANARY_SENHA),
            usuario="11144477735",
            totp_secret=SecretStr(CANARY_TOTP_SECRET),
        )
    )
    with pytest.raises(TribunalEmManutencao) as down:
        await _offline_manager(factory, store, locks, service).get(mesmo_grau)
    assert "no TRT3 primeiro_grau" in down.value.message


# -- with the sandbox and Chromium --------------------------------------------------------------


def _user(world: LoginWorld) -> DemoUser:
    for _ in range(len(world.sandbox.users)):
        user = world.sandbox.take_user()
        if "TRT3" in user.ids_advogado:
            return user
    raise AssertionError("no sandbox user at TRT3")


def _requests(world: LoginWorld) -> int:
    """Every request the sandbox (tribunal pages, SSO, API) answered so far."""
    table: dict[str, dict[str, Any]] = world.sandbox.counters()["requests"]
    return sum(int(n) for by_status in table.values() for n in by_status.values())


def _manager(world: LoginWorld, **kwargs: Any) -> SessionManager:
    """A manager of a new process: nothing in memory, the failures of the database."""
    return world.manager(falhas_login=SqlLoginFailureStore(world.factory), **kwargs)


@pytest.mark.requires_browser
@pytest.mark.slow
@pytest.mark.e2e
@on_postgresql
async def test_a_wrong_password_is_tried_once_across_processes(world: LoginWorld) -> None:
    """Wrong password in one process; the next makes no SSO request at all; after update --senha it logs in."""
    user = _user(world)
    credencial_id = world.credencial(user, Tribunal("TRT3"), Grau.PRIMEIRO_GRAU, senha="senha-errada-123")
    failures = world.login_failures(user)

    with pytest.raises(SenhaInvalida):
        await _manager(world).get(credencial_id)
    assert world.login_failures(user) == failures + 1
    assert [r.falha_login for r in world.service.list(ids=[credencial_id])] == ["SENHA_INVALIDA"]

    requests, otp = _requests(world), world.otp(user)
    other = _manager(world)
    with pytest.raises(SenhaInvalida) as caught:
        await other.get(credencial_id)
    assert _requests(world) == requests  # not one request: no login page, no SSO form
    assert world.login_failures(user) == failures + 1
    assert world.otp(user) == otp
    assert other.logins == 0
    assert f"`sinesys credenciais update {credencial_id} --senha`" in caught.value.message
    assert "senha-errada-123" not in str(caught.value)

    world.service.update(credencial_id, senha=SecretStr(user.senha))
    logins = world.logins(user)
    sessao = await _manager(world).get(credencial_id)
    assert sessao.id_advogado == user.ids_advogado["TRT3"]
    assert world.logins(user) == logins + 1
    assert SqlLoginFailureStore(world.factory).get(credencial_id) is None


@pytest.mark.requires_browser
@pytest.mark.slow
@pytest.mark.e2e
@on_postgresql
async def test_a_waf_block_waits_for_its_cool_down_then_one_attempt(world: LoginWorld) -> None:
    """WAF: refused without a request during the cool-down; after it one attempt; a success clears the record."""
    user = _user(world)
    credencial_id = world.credencial(user, Tribunal("TRT3"), Grau.PRIMEIRO_GRAU)
    failures = SqlLoginFailureStore(world.factory)
    over = LoginCooldowns(waf=dt.timedelta(0))

    with world.sandbox.faults_applied("waf"):
        with pytest.raises(BloqueioWaf):
            await _manager(world).get(credencial_id)
        first = failures.get(credencial_id)
        assert first is not None
        assert first.codigo == "BLOQUEIO_WAF"

        requests = _requests(world)
        with pytest.raises(BloqueioWaf) as caught:
            await _manager(world).get(credencial_id)  # default cool-down: 6 h
        assert _requests(world) == requests
        assert "SINESYS_LOGIN_COOLDOWN_WAF" in caught.value.message

        retrying = _manager(world, cooldowns=over)
        with pytest.raises(BloqueioWaf):
            await retrying.get(credencial_id)  # cool-down over, still blocked: tried once more
        assert _requests(world) > requests
        second = failures.get(credencial_id)
        assert second is not None
        assert second.em > first.em  # a new cool-down starts
        requests = _requests(world)
        with pytest.raises(BloqueioWaf):
            await retrying.get(credencial_id)  # the same process does not try again
        assert _requests(world) == requests

    sessao = await _manager(world, cooldowns=over).get(credencial_id)
    assert sessao.id_advogado == user.ids_advogado["TRT3"]
    assert failures.get(credencial_id) is None
    assert await _manager(world).get(credencial_id) == sessao
