"""OTP providers and the time-step rule: a code is never sent twice."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pyotp
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sinesys_spiders.core.errors import ConfiguracaoInvalida, NetworkError
from sinesys_spiders.core.otp import (
    TOTP_PERIOD,
    TotpProvider,
    TwoFAuthProvider,
    first_step,
    otp_provider_for,
    time_step,
)
from sinesys_spiders.core.sessions import SqlSessionStore
from sinesys_spiders.login.manager import StepOtp
from sinesys_spiders.testing.canary import CANARY_TOTP_SECRET, CANARY_TWOFAUTH_TOKEN


def test_first_step_is_the_current_one_when_never_used() -> None:
    """A credential that never sent a code uses the current step at once."""
    now = 1_000 * TOTP_PERIOD + 7.0
    assert first_step(now, None) == (1_000, 0.0)
    assert first_step(now, 999) == (1_000, 0.0)


def test_first_step_waits_for_the_next_step_when_the_current_was_used() -> None:
    """When the current step was already sent, the next login waits for the following one."""
    now = 1_000 * TOTP_PERIOD + 7.0
    passo, wait = first_step(now, 1_000)
    assert passo == 1_001
    assert wait == pytest.approx(23.0)
    passo, wait = first_step(now, 1_001)  # the "next" code was sent after a rejection
    assert (passo, wait) == (1_002, pytest.approx(53.0))


async def test_totp_provider_gives_the_code_of_the_step_and_the_next() -> None:
    """The TOTP provider answers pyotp's codes for the requested step and the one after it."""
    provider = TotpProvider(CANARY_TOTP_SECRET)
    passo = time_step(time.time())
    codes = await provider.codes(passo=passo)
    totp = pyotp.TOTP(CANARY_TOTP_SECRET)
    assert codes.passo == passo
    assert codes.atual == totp.at(passo * TOTP_PERIOD)
    assert codes.proximo == totp.at((passo + 1) * TOTP_PERIOD)
    assert codes.atual not in repr(codes)
    assert CANARY_TOTP_SECRET not in repr(provider)


def test_a_bad_totp_secret_is_a_clear_configuration_error() -> None:
    """A secret that is not base32 fails with a message that does not repeat it."""
    with pytest.raises(ConfiguracaoInvalida) as info:
        TotpProvider("not base32 !!")
    assert "not base32" not in str(info.value)


def test_a_credential_without_second_factor_is_refused() -> None:
    """Neither a TOTP secret nor a 2FAuth account: one clear configuration error."""
    with pytest.raises(ConfiguracaoInvalida, match="2FAuth"):
        otp_provider_for()
    with pytest.raises(ConfiguracaoInvalida, match="incompleta"):
        otp_provider_for(twofauth={"url": "http://127.0.0.1:1", "token": "x"})


# -- 2FAuth against a local double of its API --------------------------------------------------


class _TwoFAuthDouble:
    """A tiny 2FAuth server: ``GET /api/v1/twofaccounts/{id}/otp`` with a Bearer token."""

    def __init__(self) -> None:
        self.totp = pyotp.TOTP(CANARY_TOTP_SECRET)
        self.requests: list[str] = []
        self.answer_without_password = False

    async def otp(self, request: Request) -> JSONResponse:
        self.requests.append(request.url.path)
        if request.headers.get("authorization") != f"Bearer {CANARY_TWOFAUTH_TOKEN}":
            return JSONResponse({"message": "Unauthenticated."}, status_code=401)
        if request.path_params["account"] != "7":
            return JSONResponse({"message": "not found"}, status_code=404)
        if self.answer_without_password:
            return JSONResponse({"otp_type": "totp"})
        now = time.time()
        return JSONResponse(
            {
                "password": self.totp.at(now),
                "next_password": self.totp.at(now + 30),
                "otp_type": "totp",
                "generated_at": int(now),
                "period": 30,
            }
        )


@pytest.fixture(scope="module")
def twofauth() -> Iterator[tuple[str, _TwoFAuthDouble]]:
    double = _TwoFAuthDouble()
    app = Starlette(routes=[Route("/api/v1/twofaccounts/{account}/otp", double.otp)])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}", double
    server.should_exit = True
    thread.join(5)
    sock.close()


async def test_twofauth_provider_reads_password_and_next_password(twofauth: tuple[str, _TwoFAuthDouble]) -> None:
    """2FAuth's current and next codes come back with the server's time step."""
    url, double = twofauth
    double.answer_without_password = False
    provider = otp_provider_for(twofauth={"url": url + "/api/v1", "token": CANARY_TWOFAUTH_TOKEN, "account_id": 7})
    assert isinstance(provider, TwoFAuthProvider)
    codes = await provider.codes(passo=0)
    passo = codes.passo
    assert passo == time_step(time.time()) or passo == time_step(time.time()) - 1
    assert codes.atual == double.totp.at(passo * 30)
    assert codes.proximo == double.totp.at((passo + 1) * 30)
    assert double.requests[-1] == "/api/v1/twofaccounts/7/otp"
    assert CANARY_TWOFAUTH_TOKEN not in repr(provider)


async def test_twofauth_errors_are_clear_and_never_show_the_token(twofauth: tuple[str, _TwoFAuthDouble]) -> None:
    """A wrong token, a wrong account or an answer without code: configuration errors without secrets."""
    url, double = twofauth
    with pytest.raises(ConfiguracaoInvalida, match="token") as info:
        await TwoFAuthProvider(url, "wrong-token", 7).codes(passo=0)
    assert "wrong-token" not in str(info.value)
    with pytest.raises(ConfiguracaoInvalida, match="account_id"):
        await TwoFAuthProvider(url, CANARY_TWOFAUTH_TOKEN, 8).codes(passo=0)
    double.answer_without_password = True
    try:
        with pytest.raises(ConfiguracaoInvalida, match="código"):
            await TwoFAuthProvider(url, CANARY_TWOFAUTH_TOKEN, 7).codes(passo=0)
    finally:
        double.answer_without_password = False


async def test_twofauth_unreachable_is_a_transient_network_error() -> None:
    """A 2FAuth server that does not answer is retried later, not a permanent failure."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with pytest.raises(NetworkError):
        await TwoFAuthProvider(f"http://127.0.0.1:{port}", CANARY_TWOFAUTH_TOKEN, 7).codes(passo=0)


# -- StepOtp: steps recorded in the session store -------------------------------------------------


class _Clock:
    """A settable wall clock and a sleep that advances it (the OTP rule is about time steps)."""

    def __init__(self, now: float) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


async def test_step_otp_records_each_step_before_handing_out_its_code(
    store: SqlSessionStore, credencial_ids: list[int]
) -> None:
    """The first code's step and, after a rejection, the next step are stored before use."""
    clock = _Clock(50_000 * TOTP_PERIOD + 3.0)
    cid = credencial_ids[0]
    otp = StepOtp(cid, TotpProvider(CANARY_TOTP_SECRET), store, clock=clock, sleep=clock.sleep)
    totp = pyotp.TOTP(CANARY_TOTP_SECRET)
    assert await otp.first() == totp.at(50_000 * TOTP_PERIOD)
    assert store.otp_ultimo_passo(cid) == 50_000
    assert await otp.next() == totp.at(50_001 * TOTP_PERIOD)
    assert store.otp_ultimo_passo(cid) == 50_001
    assert await otp.next() is None  # never a third code
    assert clock.slept == []


async def test_no_code_is_ever_sent_twice_across_logins_of_the_same_sso_user(
    store: SqlSessionStore, credencial_ids: list[int]
) -> None:
    """Logins in the same step (also of sibling credentials, same SSO user) wait for a new step."""
    clock = _Clock(60_000 * TOTP_PERIOD + 10.0)
    provider = TotpProvider(CANARY_TOTP_SECRET)
    sent: list[str] = []
    for cid in (credencial_ids[0], credencial_ids[1], credencial_ids[0]):
        otp = StepOtp(cid, provider, store, irmas=credencial_ids, clock=clock, sleep=clock.sleep)
        sent.append(await otp.first())
    assert len(set(sent)) == 3
    assert [round(s) for s in clock.slept] == [20, 30]
    assert store.otp_ultimo_passo(credencial_ids[0]) == 60_002
    assert store.otp_ultimo_passo(credencial_ids[1]) == 60_002
