"""Fault injection: each fault of a profile, per tribunal, reproducible for a seed, switched at run time."""

from __future__ import annotations

import contextlib
import time

import httpx
import pytest

from plugins.pje_trt.sandbox.faults import FaultEngine, FaultProfile, bundled_profiles, load_profile
from sinesys_spiders.core.domain import Tribunal
from sinesys_spiders.testing.sandbox_fixtures import SandboxClient, SandboxError

TRIBUNAL = "TRT10"  # faults are scoped here; other tests use TRT3


def _scoped(rule: dict) -> dict:
    return {"name": "test", "seed": 3, "tribunais": {TRIBUNAL: rule}}


@pytest.fixture
def session(pje_sandbox: SandboxClient):
    """A lawyer logged into TRT10 1º grau, and the URL of their totalizadores."""
    user = pje_sandbox.take_user()
    with contextlib.closing(pje_sandbox.login(user, TRIBUNAL, "primeiro_grau")) as client:
        url = f"{pje_sandbox.api_url(TRIBUNAL)}/paineladvogado/{user.ids_advogado[TRIBUNAL]}/totalizadores"
        yield user, client, url


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_hit_only_the_scoped_tribunal(pje_sandbox: SandboxClient, session, status):
    """error_rates 1.0 makes every API request of that tribunal fail with that 5xx; other tribunals are served."""
    user, client, url = session
    with contextlib.closing(pje_sandbox.login(user, "TRT11", "primeiro_grau")) as other:
        other_url = f"{pje_sandbox.api_url('TRT11')}/paineladvogado/{user.ids_advogado['TRT11']}/totalizadores"
        with pje_sandbox.faults_applied(_scoped({"error_rates": {str(status): 1.0}})):
            assert client.get(url).status_code == status
            assert other.get(other_url).status_code == 200
        assert client.get(url).status_code == 200


def test_rate_limit_answers_429_with_retry_after(pje_sandbox: SandboxClient, session):
    """rate_limit 1.0 gives 429 with the profile's Retry-After in seconds."""
    _, client, url = session
    with pje_sandbox.faults_applied(_scoped({"rate_limit": 1.0, "retry_after": 7})):
        response = client.get(url)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"


def test_fault_sequence_is_reproducible_for_a_seed(pje_sandbox: SandboxClient, session):
    """The same profile and seed give the same sequence of statuses, about at the configured rates."""
    _, client, url = session
    profile = _scoped({"error_rates": {"500": 0.2, "503": 0.1}, "rate_limit": 0.1})
    runs = []
    for _ in range(2):
        with pje_sandbox.faults_applied(profile):
            runs.append([client.get(url).status_code for _ in range(200)])
    assert runs[0] == runs[1]
    share_ok = runs[0].count(200) / 200
    assert 0.45 < share_ok < 0.8
    assert {500, 503, 429} <= set(runs[0])


def test_latency_is_added_to_api_requests(pje_sandbox: SandboxClient, session):
    """A fixed latency of 300 ms delays each API request by at least that much."""
    _, client, url = session
    with pje_sandbox.faults_applied(_scoped({"latency": {"distribution": "fixed", "ms": 300}})):
        started = time.perf_counter()
        assert client.get(url).status_code == 200
        assert time.perf_counter() - started >= 0.3


def test_latency_distributions_sample_within_their_shape():
    """uniform stays within its bounds; normal is never negative; the draws repeat for a seed."""
    import random

    from plugins.pje_trt.sandbox.faults import Latency

    uniform = Latency(distribution="uniform", min_ms=10, max_ms=20)
    draws = [uniform.sample(random.Random(1)) for _ in range(3)]
    assert draws[0] == draws[1] == draws[2]
    rng = random.Random(5)
    assert all(0.010 <= uniform.sample(rng) <= 0.020 for _ in range(500))
    normal = Latency(distribution="normal", mean_ms=5, stddev_ms=50)
    assert all(normal.sample(rng) >= 0 for _ in range(500))


def test_session_expires_after_n_requests_once(pje_sandbox: SandboxClient, session):
    """session_expiry after_requests=3, times=1: the 4th request gets 401; after a new login no more expiry."""
    user, client, url = session
    with pje_sandbox.faults_applied(_scoped({"session_expiry": {"after_requests": 3, "times": 1}})):
        assert [client.get(url).status_code for _ in range(4)] == [200, 200, 200, 401]
        assert client.get(url).status_code == 401  # the session is gone for good
        with contextlib.closing(pje_sandbox.login(user, TRIBUNAL, "primeiro_grau")) as again:
            assert [again.get(url).status_code for _ in range(6)] == [200] * 6


def test_session_expires_after_idle_seconds(pje_sandbox: SandboxClient, session):
    """session_expiry idle_seconds=1: a request after more than a second of silence gets 401."""
    _, client, url = session
    with pje_sandbox.faults_applied(_scoped({"session_expiry": {"idle_seconds": 1}})):
        assert client.get(url).status_code == 200
        time.sleep(1.3)
        assert client.get(url).status_code == 401


def test_waf_page_blocks_login_and_api(pje_sandbox: SandboxClient, session):
    """The CloudFront WAF page: 403, title "403 Forbidden", "Request blocked", "Generated by cloudfront"."""
    _, client, url = session
    with pje_sandbox.faults_applied(_scoped({"waf": 1.0, "targets": ["api", "pages"]})):
        page = httpx.get(pje_sandbox.login_url(TRIBUNAL, "primeiro_grau"))
        api = client.get(url)
    for response in (page, api):
        assert response.status_code == 403
        assert "<TITLE>403 Forbidden</TITLE>" in response.text
        assert "Request blocked" in response.text
        assert "Generated by cloudfront (CloudFront)" in response.text


def test_maintenance_page_on_login_and_503_on_the_api(pje_sandbox: SandboxClient, session):
    """Maintenance: login.seam redirects to error.seam ("manutenção", "indisponível"); the API answers 503."""
    _, client, url = session
    with pje_sandbox.faults_applied(_scoped({"maintenance": 1.0, "targets": ["api", "pages"]})):
        page = httpx.get(pje_sandbox.login_url(TRIBUNAL, "primeiro_grau"), follow_redirects=True)
        api = client.get(url)
    assert str(page.url).endswith("/primeirograu/error.seam")
    assert "manutenção" in page.text
    assert "indisponível" in page.text
    assert api.status_code == 503


def test_next_otp_is_rejected_even_when_right(pje_sandbox: SandboxClient):
    """reject_next_otp 1: the first right code is refused as invalid; the next one is accepted."""
    user = pje_sandbox.take_user()
    with pje_sandbox.faults_applied(_scoped({"reject_next_otp": 1})):
        pje_sandbox.reset_counters()
        with contextlib.closing(pje_sandbox.login(user, TRIBUNAL, "primeiro_grau")) as client:
            assert "access_token" in client.cookies
        otp = pje_sandbox.counters()["otp"]
    assert otp["rejected"] == 1
    assert otp["accepted"] == 1


def test_two_rejected_otps_fail_the_login(pje_sandbox: SandboxClient):
    """With two rejections queued, both codes of a login are refused (the capture reports OTP inválido)."""
    user = pje_sandbox.take_user()
    with pje_sandbox.faults_applied(_scoped({"reject_next_otp": 2})), pytest.raises(SandboxError, match="OTP"):
        pje_sandbox.login(user, TRIBUNAL, "primeiro_grau")


def test_slow_login_delays_the_login_pages(pje_sandbox: SandboxClient):
    """slow_login_ms delays login.seam and the SSO pages of that tribunal."""
    with pje_sandbox.faults_applied(_scoped({"slow_login_ms": 400})):
        started = time.perf_counter()
        assert httpx.get(pje_sandbox.login_url(TRIBUNAL, "primeiro_grau")).status_code == 200
        assert time.perf_counter() - started >= 0.4


def test_bundled_profiles_are_valid():
    """Every profile shipped in profiles/ loads, and names are resolved without the .json suffix."""
    names = bundled_profiles()
    assert {"none", "flaky", "capture-tests", "waf", "maintenance", "slow"} <= set(names)
    for name in names:
        assert load_profile(name).name == name


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"error_rates": {"404": 0.5}}, "error_rates"),
        ({"rate_limit": 2}, "rate_limit"),
        ({"tribunais": {"TRT99": {}}}, "tribunais"),
        ({"latencia": {}}, "latencia"),
    ],
)
def test_bad_profiles_are_refused_with_one_line(data, message):
    """A bad profile is refused with one line naming the field."""
    with pytest.raises(ValueError, match=message) as info:
        FaultProfile.parse(data)
    assert "\n" not in str(info.value)


def test_admin_refuses_a_bad_profile_and_keeps_the_old_one(pje_sandbox: SandboxClient):
    """PUT /_sandbox/faults with a bad profile answers 400 and leaves the active profile alone."""
    with pje_sandbox.faults_applied(_scoped({"rate_limit": 0.5})):
        with pytest.raises(SandboxError, match="400"):
            pje_sandbox.set_faults({"rate_limit": 5})
        assert pje_sandbox.faults()["profile"]["tribunais"][TRIBUNAL]["rate_limit"] == 0.5


def test_engine_without_profile_injects_nothing():
    """The default engine never injects a fault."""
    engine = FaultEngine()
    assert all(engine.decide(Tribunal("TRT3"), "api").fault is None for _ in range(100))
    assert not engine.take_otp_rejection(Tribunal("TRT3"))
    assert not engine.session_expired(Tribunal("TRT3"), 10_000, 10_000)


@pytest.mark.parametrize(("answer", "status"), [("403", 403), ("login_page", 200)])
def test_dead_session_can_be_answered_with_403_or_the_login_page(pje_sandbox: SandboxClient, session, answer, status):
    """expired_answer: a call without a live session gets 403, or HTTP 200 with login.seam's HTML (pje-api.md §1)."""
    user, client, url = session
    with pje_sandbox.faults_applied(_scoped({"expired_answer": answer})):
        assert client.get(url).status_code == 200
        pje_sandbox.expire_sessions(tribunal=TRIBUNAL, cpf=user.cpf)
        response = client.get(url)
    assert response.status_code == status
    if answer == "login_page":
        assert response.headers["content-type"].startswith("text/html")
        assert 'id="btnSsoPdpj"' in response.text
