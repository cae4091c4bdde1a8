"""Logins with real Chromium against the sandbox: tribunals, graus, failures and their codes."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import socket
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from sinesys_spiders.core.browser import BrowserChoice
from sinesys_spiders.core.db.engine import session_scope
from sinesys_spiders.core.db.repositories.tribunais_config import TribunaisConfigRepository
from sinesys_spiders.core.domain import Grau, Tribunal
from sinesys_spiders.core.errors import (
    BloqueioWaf,
    NetworkError,
    OtpInvalido,
    SenhaInvalida,
    TimeoutError_,
    TribunalEmManutencao,
)
from sinesys_spiders.core.tribunais import LoginTimeouts
from sinesys_spiders.login.browser import NavegadorCompartilhado
from sinesys_spiders.login.manager import LoginRetry
from sinesys_spiders.testing.db_fixtures import on_sqlite

if TYPE_CHECKING:
    from conftest import LoginWorld

    from sinesys_spiders.testing.sandbox_fixtures import DemoUser

pytestmark = [
    pytest.mark.requires_browser,
    pytest.mark.slow,
    pytest.mark.e2e,
    on_sqlite,
]


def _user_at(world: LoginWorld, tribunal: Tribunal) -> DemoUser:
    """A fresh sandbox user with a lawyer id at ``tribunal``."""
    for _ in range(len(world.sandbox.users)):
        user = world.sandbox.take_user()
        if tribunal.value in user.ids_advogado:
            return user
    raise AssertionError(f"no sandbox user at {tribunal}")


def _chromium_descendants() -> list[int]:
    """Chromium processes below this test process (none may outlive a login)."""
    children: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        pid = int(entry.name)
        names[pid] = stat[stat.index("(") + 1 : stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(pid)
    found, todo = [], list(children.get(os.getpid(), []))
    while todo:
        pid = todo.pop()
        if "chrom" in names.get(pid, "").lower():
            found.append(pid)
        todo.extend(children.get(pid, []))
    return found


@pytest.mark.parametrize(
    ("tribunal", "grau"),
    [
        (Tribunal("TRT3"), Grau.PRIMEIRO_GRAU),
        (Tribunal("TRT5"), Grau.SEGUNDO_GRAU),
        (Tribunal("TRT9"), Grau.PRIMEIRO_GRAU),
        (Tribunal("TST"), Grau.TRIBUNAL_SUPERIOR),
    ],
)
async def test_login_gives_a_usable_session_on_each_tribunal_and_grau(
    world: LoginWorld, tribunal: Tribunal, grau: Grau
) -> None:
    """One browser login per credential yields the lawyer's id and cookies that the REST API accepts."""
    user = _user_at(world, tribunal)
    credencial_id = world.credencial(user, tribunal, grau)
    manager = world.manager()
    before = world.logins(user)

    sessao = await manager.get(credencial_id)

    assert sessao.id_advogado == user.ids_advogado[tribunal.value]
    assert sessao.base_url == world.sandbox.base_url(tribunal)
    names = {c["name"] for c in sessao.cookies_for()}
    assert {"access_token", "Xsrf-Token"} <= names
    assert world.logins(user) == before + 1
    assert world.store.get(credencial_id) == sessao
    assert _chromium_descendants() == []
    cookies = {c["name"]: c["value"] for c in sessao.cookies_for()}
    url = f"{world.sandbox.api_url(tribunal)}/paineladvogado/{sessao.id_advogado}/totalizadores?tipoPainelAdvogado=0"
    async with httpx.AsyncClient(cookies=cookies, timeout=30) as client:
        response = await client.get(url, headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert await manager.get(credencial_id) == sessao  # reused: no second login
    assert world.logins(user) == before + 1


async def test_a_lawyers_logins_at_once_share_one_browser_and_never_share_a_code(world: LoginWorld) -> None:
    """Three credentials of one lawyer (three tribunals) logged in at once by a crawl's manager: three logins, each
    code accepted the first time (their OTP turns never overlap), all in one Chromium, which the manager closes."""
    tribunais = [Tribunal("TRT3"), Tribunal("TRT5"), Tribunal("TRT9")]
    for _ in range(len(world.sandbox.users)):
        user = world.sandbox.take_user()
        if all(t.value in user.ids_advogado for t in tribunais):
            break
    else:
        raise AssertionError("no sandbox user at TRT3, TRT5 and TRT9")
    ids = [world.credencial(user, t, Grau.PRIMEIRO_GRAU) for t in tribunais]
    navegador = NavegadorCompartilhado(world.browser, ocioso=3600)
    manager = world.manager(navegador=navegador)
    antes, (aceitos, recusados) = world.logins(user), world.otp(user)

    sessoes = await asyncio.gather(*(manager.get(i) for i in ids))

    assert [s.id_advogado for s in sessoes] == [user.ids_advogado[t.value] for t in tribunais]
    assert world.logins(user) == antes + 3
    assert world.otp(user) == (aceitos + 3, recusados)
    assert navegador.iniciados == 1
    assert _chromium_descendants() != []  # kept for the next login of the crawl
    await manager.fechar()
    assert _chromium_descendants() == []


async def test_wrong_password_is_one_attempt_and_senha_invalida(world: LoginWorld) -> None:
    """A refused password is reported as SENHA_INVALIDA after one attempt and never retried."""
    user = _user_at(world, Tribunal("TRT3"))
    credencial_id = world.credencial(user, Tribunal("TRT3"), Grau.PRIMEIRO_GRAU, senha="senha-errada-123")
    manager = world.manager()
    failures, otp = world.login_failures(user), world.otp(user)

    with pytest.raises(SenhaInvalida):
        await manager.get(credencial_id)
    with pytest.raises(SenhaInvalida):
        await manager.get(credencial_id)  # remembered: the tribunal is not asked again

    assert world.login_failures(user) == failures + 1
    assert world.otp(user) == otp
    assert world.store.get(credencial_id) is None
    assert _chromium_descendants() == []


async def test_a_rejected_code_is_followed_by_the_next_steps_code(world: LoginWorld) -> None:
    """The first OTP rejected: the next time step's code is sent once and the login succeeds."""
    user = _user_at(world, Tribunal("TRT3"))
    credencial_id = world.credencial(user, Tribunal("TRT3"), Grau.PRIMEIRO_GRAU)
    manager = world.manager()
    accepted, rejected = world.otp(user)

    with world.sandbox.faults_applied({"name": "otp-once", "reject_next_otp": 1}):
        sessao = await manager.get(credencial_id)

    assert sessao.id_advogado == user.ids_advogado["TRT3"]
    assert world.otp(user) == (accepted + 1, rejected + 1)
    assert world.logins(user) >= 1


async def test_both_codes_rejected_is_otp_invalido(world: LoginWorld) -> None:
    """The current and the next code rejected: OTP_INVALIDO, no third code, no retry."""
    user = _user_at(world, Tribunal("TRT3"))
    credencial_id = world.credencial(user, Tribunal("TRT3"), Grau.PRIMEIRO_GRAU)
    manager = world.manager()
    accepted, rejected = world.otp(user)

    with world.sandbox.faults_applied({"name": "otp-twice", "reject_next_otp": 2}):
        with pytest.raises(OtpInvalido):
            await manager.get(credencial_id)
        with pytest.raises(OtpInvalido):
            await manager.get(credencial_id)

    assert world.otp(user) == (accepted, rejected + 2)
    assert world.store.get(credencial_id) is None


async def test_no_code_is_ever_sent_twice(world_real_totp: LoginWorld) -> None:
    """Two logins in a row for one user use two time steps; the sandbox, which refuses replays, rejects none.

    On PJE's real 30-second steps (the second login waits for the next one): the real timing stays covered."""
    world = world_real_totp
    user = _user_at(world, Tribunal("TRT3"))
    credencial_id = world.credencial(user, Tribunal("TRT3"), Grau.PRIMEIRO_GRAU)
    manager = world.manager()
    accepted, rejected = world.otp(user)

    first = await manager.get(credencial_id)
    step_first = world.store.otp_ultimo_passo(credencial_id)
    second = await manager.relogin(credencial_id, first.session_id)
    step_second = world.store.otp_ultimo_passo(credencial_id)

    assert second.session_id != first.session_id
    assert step_first is not None
    assert step_second is not None
    assert step_second > step_first
    assert world.otp(user) == (accepted + 2, rejected)


@pytest.mark.parametrize(("profile", "error"), [("waf", BloqueioWaf), ("maintenance", TribunalEmManutencao)])
async def test_waf_and_maintenance_pages_are_reported_with_their_codes(
    world: LoginWorld, profile: str, error: type[Exception]
) -> None:
    """A CloudFront block or the maintenance page stops the credential with its own code, no OTP spent."""
    user = _user_at(world, Tribunal("TRT3"))
    credencial_id = world.credencial(user, Tribunal("TRT3"), Grau.PRIMEIRO_GRAU)
    manager = world.manager()
    otp = world.otp(user)

    with world.sandbox.faults_applied(profile), pytest.raises(error):
        await manager.get(credencial_id)

    assert world.otp(user) == otp
    assert credencial_id in manager.falhas
    assert _chromium_descendants() == []


async def test_secrets_never_reach_the_logs(world: LoginWorld, caplog: pytest.LogCaptureFixture) -> None:
    """Password, TOTP secret, the codes sent and the session's cookie values are absent from every log."""
    caplog.set_level(logging.DEBUG)
    user = _user_at(world, Tribunal("TRT3"))
    credencial_id = world.credencial(user, Tribunal("TRT3"), Grau.PRIMEIRO_GRAU)
    manager = world.manager()

    with world.sandbox.faults_applied({"name": "otp-once", "reject_next_otp": 1}):
        sessao = await manager.get(credencial_id)

    last = world.store.otp_ultimo_passo(credencial_id)
    assert last is not None
    spec = user.totp
    codes = [spec.totp().at(step * spec.period) for step in (last - 1, last)]
    secrets = [*user.secrets, *codes, *(str(c["value"]) for c in sessao.cookies)]
    text = caplog.text + "\n".join(repr(r.args) for r in caplog.records)
    assert caplog.records  # the login did log
    for secret in secrets:
        assert secret not in text
    assert all(secret not in repr(sessao) for secret in secrets)
    assert all(secret not in repr(manager) for secret in secrets)


async def test_network_errors_are_retried_a_bounded_number_of_times(world: LoginWorld) -> None:
    """An unreachable tribunal is retried with backoff (3 attempts in all), then NETWORK_ERROR, not remembered."""
    user = _user_at(world, Tribunal("TRT3"))
    credencial_id = world.credencial(user, Tribunal("TRT3"), Grau.PRIMEIRO_GRAU)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    with session_scope(factory=world.factory) as session:
        TribunaisConfigRepository(session).set_override(
            tribunal=Tribunal("TRT3"), grau=Grau.PRIMEIRO_GRAU, base_url=f"http://127.0.0.1:{closed}"
        )
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    manager = world.manager(retry=LoginRetry(attempts=3, base=0.5, cap=4.0), sleep=sleep)
    with pytest.raises(NetworkError):
        await manager.get(credencial_id)

    assert len(slept) == 2
    assert 0 <= slept[0] <= 0.5
    assert 0 <= slept[1] <= 1.0
    assert credencial_id not in manager.falhas  # transient: a later run may try again
    assert world.otp(user) == (0, 0)
    assert _chromium_descendants() == []


async def test_a_login_slower_than_its_timeout_is_a_transient_timeout(world: LoginWorld) -> None:
    """A login page slower than the configured timeout is TIMEOUT, retried, and the browser is closed."""
    user = _user_at(world, Tribunal("TRT3"))
    credencial_id = world.credencial(user, Tribunal("TRT3"), Grau.PRIMEIRO_GRAU)
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    timeouts = dataclasses.replace(LoginTimeouts.fast(), page_load=1.0)
    manager = world.manager(timeouts=timeouts, retry=LoginRetry(attempts=2, base=0.1, cap=0.1), sleep=sleep)
    with world.sandbox.faults_applied({"name": "lento", "slow_login_ms": 2500}), pytest.raises(TimeoutError_):
        await manager.get(credencial_id)

    assert len(slept) == 1
    assert credencial_id not in manager.falhas
    assert _chromium_descendants() == []


async def test_login_through_a_remote_browser_over_cdp(world: LoginWorld, tmp_path: Path) -> None:
    """With a CDP URL the login drives a remote Chromium (here a local one started by the test)."""
    if world.browser.executable is None:
        pytest.skip("needs a Chromium binary to play the remote browser")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    remote = subprocess.Popen(
        [
            str(world.browser.executable),
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            f"--remote-debugging-port={port}",
            f"--user-data-dir={tmp_path / 'profile'}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        cdp_url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(f"{cdp_url}/json/version", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        user = _user_at(world, Tribunal("TRT3"))
        credencial_id = world.credencial(user, Tribunal("TRT3"), Grau.PRIMEIRO_GRAU)
        manager = world.manager(browser=BrowserChoice(executable=None, cdp_url=cdp_url))

        sessao = await manager.get(credencial_id)

        assert sessao.id_advogado == user.ids_advogado["TRT3"]
        assert remote.poll() is None  # the remote browser is not ours to close
    finally:
        remote.terminate()
        remote.wait(10)
