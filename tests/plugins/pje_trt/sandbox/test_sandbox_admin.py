"""The admin API under /_sandbox/: token, counters, faults, advance, truth, users, sessions."""

from __future__ import annotations

import contextlib

import httpx
import pytest

from sinesys_spiders.testing.sandbox_fixtures import ADMIN_TOKEN_HEADER, SandboxClient, start_sandbox


def test_admin_needs_the_token_except_health(pje_sandbox: SandboxClient):
    """Every admin route but health answers 401 without the token (the sandbox holds demo secrets)."""
    base = pje_sandbox.admin_url
    assert httpx.get(f"{base}/health").json()["status"] == "ok"
    for path in ("counters", "faults", "truth", "users"):
        assert httpx.get(f"{base}/{path}").status_code == 401
        assert httpx.get(f"{base}/{path}", headers={ADMIN_TOKEN_HEADER: "wrong"}).status_code == 401
    assert httpx.post(f"{base}/advance", json={"steps": 1}).status_code == 401


def test_admin_is_reachable_on_tribunal_hosts_too(pje_sandbox: SandboxClient):
    """The reserved prefix answers on every host, not only the SSO's."""
    assert httpx.get(pje_sandbox.base_url("TRT3") + "/_sandbox/health").json()["status"] == "ok"


def test_counters_count_logins_otp_and_requests(pje_sandbox: SandboxClient):
    """Counters: logins per user (masked CPF), OTP accepted, requests per endpoint and status."""
    pje_sandbox.reset_counters()
    user = pje_sandbox.take_user()
    with contextlib.closing(pje_sandbox.login(user, "TRT3", "primeiro_grau")) as client:
        url = f"{pje_sandbox.api_url('TRT3')}/paineladvogado/{user.ids_advogado['TRT3']}/totalizadores"
        client.get(url)
        client.get(url.replace(str(user.ids_advogado["TRT3"]), "1"))
    counters = pje_sandbox.counters()
    masked = f"***.{user.cpf[3:6]}.{user.cpf[6:9]}-**"
    assert counters["logins"] == {masked: 1}
    assert counters["otp"]["accepted"] == 1
    assert counters["otp"]["rejected"] == 0
    endpoint = counters["requests"]["GET /pje-comum-api/api/paineladvogado/{id}/totalizadores"]
    assert endpoint == {"200": 1, "403": 1}
    assert counters["requests_by_tribunal"]["TRT3"] >= 4
    assert user.cpf not in str(counters)
    pje_sandbox.reset_counters()
    assert pje_sandbox.counters()["logins"] == {}


def test_users_lists_the_demo_users_and_urls(pje_sandbox: SandboxClient):
    """GET users gives the same users and URLs as the users file."""
    data = pje_sandbox._call("GET", "users")
    assert [u["cpf"] for u in data["users"]] == [u.cpf for u in pje_sandbox.users]
    assert data["tribunais"] == pje_sandbox.tribunais


def test_truth_is_served_and_sliced(pje_sandbox: SandboxClient):
    """GET truth with filters returns only that tribunal, grau, lawyer and capture type; a bad filter is 400."""
    user = pje_sandbox.users[0]
    truth = pje_sandbox.truth(tribunal="TRT3", grau="primeiro_grau", cpf=user.cpf, tipo="acervo_geral")
    assert list(truth["tribunais"]) == ["TRT3"]
    assert list(truth["tribunais"]["TRT3"]) == ["primeiro_grau"]
    bloco = truth["tribunais"]["TRT3"]["primeiro_grau"][user.cpf]
    assert bloco["id_advogado"] == user.ids_advogado["TRT3"]
    assert isinstance(bloco["acervo_geral"], list)
    response = httpx.get(
        f"{pje_sandbox.admin_url}/truth", params={"tipo": "nada"}, headers={ADMIN_TOKEN_HEADER: pje_sandbox._token}
    )
    assert response.status_code == 400


def test_expire_sessions_ends_live_sessions(pje_sandbox: SandboxClient):
    """POST sessions/expire ends the sessions it matches: their next API call gets 401."""
    user = pje_sandbox.take_user()
    with contextlib.closing(pje_sandbox.login(user, "TRT6", "primeiro_grau")) as client:
        url = f"{pje_sandbox.api_url('TRT6')}/paineladvogado/{user.ids_advogado['TRT6']}/totalizadores"
        assert client.get(url).status_code == 200
        assert pje_sandbox.expire_sessions(tribunal="TRT6", cpf=user.cpf) == 1
        assert client.get(url).status_code == 401


@pytest.mark.slow
def test_advance_changes_the_world_the_api_and_the_truth(tmp_path):
    """POST advance moves the world on: new cases appear in the API and the truth, served pages are not stale."""
    with start_sandbox(tmp_path, users=2, tribunais="TRT3", today="2026-03-02") as sandbox:
        user = sandbox.users[0]
        with contextlib.closing(sandbox.login(user, "TRT3", "primeiro_grau")) as client:
            url = f"{sandbox.api_url('TRT3')}/paineladvogado/{user.ids_advogado['TRT3']}/totalizadores"
            before = client.get(url).json()
            truth_before = sandbox.truth(tribunal="TRT3", grau="primeiro_grau", cpf=user.cpf)
            result = sandbox.advance(steps=30)
            summary = result["summary"]
            assert result["generation"] == 1
            assert summary["steps"] == 30
            assert summary["novos_processos"] or summary["arquivados"] or summary["novos_movimentos"]
            after = client.get(url).json()
            truth_after = sandbox.truth(tribunal="TRT3", grau="primeiro_grau", cpf=user.cpf)
    assert truth_after["today"] > truth_before["today"]
    counts_after = truth_after["tribunais"]["TRT3"]["primeiro_grau"][user.cpf]["totalizadores"]
    assert [t["quantidadeProcessos"] for t in after] == [
        counts_after["acervo_geral"],
        counts_after["pendentes"],
        counts_after["arquivados"],
    ]
    assert after != before
