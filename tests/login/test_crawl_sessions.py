"""Sessions across crawls: expiry mid-crawl, two spiders at once, a second run within the session's life.

Each crawl is a real Scrapy process (``painel_spider.py``) with the project's settings, sharing the
test's database (sessions, locks) with the other crawls, against the sandbox.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import func, select

from sinesys_spiders.core.crypto import Cipher
from sinesys_spiders.core.db.models import Lock
from sinesys_spiders.core.domain import Grau, Tribunal
from sinesys_spiders.core.redis_conexao import RedisConexao
from sinesys_spiders.core.sessions.redis import RedisSessionStore
from sinesys_spiders.testing.db_fixtures import on_postgresql

if TYPE_CHECKING:
    from conftest import LoginWorld

    from sinesys_spiders.testing.sandbox_fixtures import DemoUser

pytestmark = [pytest.mark.requires_browser, pytest.mark.slow, pytest.mark.e2e, on_postgresql]

SPIDER = Path(__file__).with_name("painel_spider.py")
ROOT = Path(__file__).resolve().parents[2]
PAGE_SIZE = 1


def _acervo(world: LoginWorld, tribunal: Tribunal, user: DemoUser) -> set[int]:
    """The ids of the user's active cases at ``tribunal`` (1º grau), from the sandbox's ground truth."""
    truth = world.sandbox.truth(tribunal=tribunal, grau=Grau.PRIMEIRO_GRAU.value, cpf=user.cpf, tipo="acervo_geral")
    casos = truth["tribunais"][tribunal.value][Grau.PRIMEIRO_GRAU.value][user.cpf]["acervo_geral"]
    return {int(caso["id_externo"]) for caso in casos}


def _user_with_cases(world: LoginWorld, tribunal: Tribunal, minimum: int) -> DemoUser:
    """A fresh sandbox user with at least ``minimum`` active cases at ``tribunal`` (1º grau)."""
    for _ in range(len(world.sandbox.users)):
        user = world.sandbox.take_user()
        if tribunal.value in user.ids_advogado and len(_acervo(world, tribunal, user)) >= minimum:
            return user
    raise AssertionError(f"no sandbox user with {minimum} cases at {tribunal}")


def _start(
    world: LoginWorld,
    credencial_id: int,
    out: Path,
    database_url: str,
    secret_key: str,
    *extra: str,
    env_extra: dict[str, str] | None = None,
) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(
        SINESYS_DATABASE_URL=database_url,
        SINESYS_SECRET_KEY=secret_key,
        SINESYS_VAR_DIR=str(out.parent),
        SINESYS_LOG_LEVEL="INFO",
        **(env_extra or {}),
    )
    if world.browser.executable:
        env["SINESYS_BROWSER_EXECUTABLE"] = str(world.browser.executable)
    command = [sys.executable, str(SPIDER), "--credencial", str(credencial_id), "--out", str(out)]
    command += ["--page-size", str(PAGE_SIZE), *extra]
    log = out.with_suffix(".log").open("w")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def _finish(process: subprocess.Popen, out: Path) -> dict[str, Any]:
    code = process.wait(timeout=240)
    log = out.with_suffix(".log").read_text()
    assert code == 0, log[-3000:]
    result = json.loads(out.read_text())
    result["log"] = log
    return result


def _crawl(
    world: LoginWorld, credencial_id: int, out: Path, database_url: str, secret_key: str, *extra: str
) -> dict[str, Any]:
    return _finish(_start(world, credencial_id, out, database_url, secret_key, *extra), out)


@pytest.mark.parametrize("answer", ["401", "403", "login_page"])
async def test_a_session_expiring_mid_crawl_costs_exactly_one_relogin(
    world: LoginWorld, database_url: str, secret_key: str, tmp_path: Path, answer: str
) -> None:
    """The session ends after a few pages (401, 403 or the login page with 200): one re-login, nothing lost."""
    user = _user_with_cases(world, Tribunal("TRT3"), minimum=4)
    credencial_id = world.credencial(user, Tribunal("TRT3"), Grau.PRIMEIRO_GRAU)
    expected = _acervo(world, Tribunal("TRT3"), user)
    before = world.logins(user)

    profile = {"name": "expira", "session_expiry": {"after_requests": 2, "times": 1}, "expired_answer": answer}
    with world.sandbox.faults_applied(profile):
        result = _crawl(world, credencial_id, tmp_path / "run.json", database_url, secret_key)

    assert result["falhas"] == {}
    assert result["stats"].get("sessao/relogins") == 1
    assert result["logins"] == 2
    assert world.logins(user) == before + 2
    assert len(result["ids"]) == len(set(result["ids"])) == result["total"]
    assert set(result["ids"]) == expected
    status = "200" if answer == "login_page" else answer
    assert result["stats"].get("sessao/expiradas") == 1
    assert result["stats"].get(f"downloader/response_status_count/{status}", 0) >= 1
    sessao = world.store.get(credencial_id)
    last = world.store.otp_ultimo_passo(credencial_id)
    assert sessao is not None
    assert last is not None
    spec = user.totp
    codes = [spec.totp().at(step * spec.period) for step in range(last - 3, last + 1)]
    cookies = [str(c["value"]) for c in sessao.cookies]
    for secret in (*user.secrets, *cookies):
        assert secret not in result["log"]
    for code in codes:  # a code alone, not six digits inside a longer number of the stats dump
        assert re.search(rf"(?<!\d){code}(?!\d)", result["log"]) is None


async def test_two_spiders_started_together_share_one_login(
    world: LoginWorld, database_url: str, secret_key: str, tmp_path: Path
) -> None:
    """Two crawls of one credential started at once: one waits for the other's login, then both capture all."""
    user = _user_with_cases(world, Tribunal("TRT3"), minimum=1)
    credencial_id = world.credencial(user, Tribunal("TRT3"), Grau.PRIMEIRO_GRAU)
    before = world.logins(user)

    processes = [
        (_start(world, credencial_id, tmp_path / f"run{n}.json", database_url, secret_key), tmp_path / f"run{n}.json")
        for n in (1, 2)
    ]
    results = [_finish(process, out) for process, out in processes]

    assert world.logins(user) == before + 1
    assert sorted(r["logins"] for r in results) == [0, 1]
    assert results[0]["ids"]
    assert sorted(results[0]["ids"]) == sorted(results[1]["ids"])
    assert world.store.logins(credencial_id) == 1


@pytest.mark.requires_redis
async def test_two_crawls_share_one_login_through_redis(
    world: LoginWorld,
    database_url: str,
    secret_key: str,
    cipher: Cipher,
    tmp_path: Path,
    redis_url: str,
    redis_prefix: str,
    redis_conexao: RedisConexao,
) -> None:
    """With SINESYS_REDIS_URL set, two crawls of one credential started at once log in once: the login lock and
    the stored session are in Redis (nothing in the SQL ``sessoes`` and ``locks`` tables), and the sandbox saw
    one login."""
    user = _user_with_cases(world, Tribunal("TRT3"), minimum=1)
    credencial_id = world.credencial(user, Tribunal("TRT3"), Grau.PRIMEIRO_GRAU)
    before = world.logins(user)
    env = {"SINESYS_REDIS_URL": redis_url, "SINESYS_REDIS_PREFIX": redis_prefix}

    outs = [tmp_path / f"run{n}.json" for n in (1, 2)]
    processes = [_start(world, credencial_id, out, database_url, secret_key, env_extra=env) for out in outs]
    results = [_finish(process, out) for process, out in zip(processes, outs, strict=True)]

    assert world.logins(user) == before + 1
    assert sorted(r["logins"] for r in results) == [0, 1]
    assert results[0]["ids"]
    assert sorted(results[0]["ids"]) == sorted(results[1]["ids"])
    redis_store = RedisSessionStore(redis_conexao, cipher)
    assert redis_store.logins(credencial_id) == 1
    assert redis_store.get(credencial_id) is not None
    assert world.store.logins(credencial_id) == 0  # the SQL store was not used
    with world.factory() as db:
        assert db.scalar(select(func.count()).select_from(Lock)) == 0


async def test_a_second_run_within_the_session_life_logs_in_zero_times(
    world: LoginWorld, database_url: str, secret_key: str, tmp_path: Path
) -> None:
    """A later crawl of the same credential reuses the stored session: no login at all."""
    user = _user_with_cases(world, Tribunal("TRT3"), minimum=1)
    credencial_id = world.credencial(user, Tribunal("TRT3"), Grau.PRIMEIRO_GRAU)

    first = _crawl(world, credencial_id, tmp_path / "first.json", database_url, secret_key)
    after_first = world.logins(user)
    second = _crawl(world, credencial_id, tmp_path / "second.json", database_url, secret_key)

    assert first["logins"] == 1
    assert second["logins"] == 0
    assert world.logins(user) == after_first
    assert sorted(second["ids"]) == sorted(first["ids"])


async def test_a_session_rejected_again_after_relogin_fails_the_credential(
    world: LoginWorld, database_url: str, secret_key: str, tmp_path: Path
) -> None:
    """Expired, re-logged, rejected again: the credential fails with SESSAO_EXPIRADA after one re-login."""
    user = _user_with_cases(world, Tribunal("TRT3"), minimum=1)
    credencial_id = world.credencial(user, Tribunal("TRT3"), Grau.PRIMEIRO_GRAU)
    before = world.logins(user)

    with world.sandbox.faults_applied({"name": "sempre-expira", "session_expiry": {"idle_seconds": 0.001}}):
        result = _crawl(world, credencial_id, tmp_path / "run.json", database_url, secret_key)

    assert result["falhas"] == {str(credencial_id): "SESSAO_EXPIRADA"}
    assert result["stats"].get("sessao/falhas/SESSAO_EXPIRADA") == 1
    assert result["logins"] == 2
    assert world.logins(user) == before + 2
    assert result["ids"] == []


async def test_a_403_for_one_resource_with_a_live_session_is_not_an_expiry(
    world: LoginWorld, database_url: str, secret_key: str, tmp_path: Path
) -> None:
    """Another lawyer's panel answers 403; the keep-alive shows the session alive, so no re-login happens."""
    user = _user_with_cases(world, Tribunal("TRT3"), minimum=1)
    credencial_id = world.credencial(user, Tribunal("TRT3"), Grau.PRIMEIRO_GRAU)

    result = _crawl(world, credencial_id, tmp_path / "run.json", database_url, secret_key, "--forbidden")

    assert result["falhas"] == {}
    assert result["logins"] == 1
    assert "sessao/relogins" not in result["stats"]
    assert result["stats"].get("httperror/response_ignored_status_count/403") == 1
    assert set(result["ids"]) == _acervo(world, Tribunal("TRT3"), user)


async def test_concurrent_requests_rejected_together_cause_one_relogin(
    world: LoginWorld, database_url: str, secret_key: str, tmp_path: Path
) -> None:
    """Several pages in flight when the session ends: one re-login serves every replay, nothing is lost."""
    user = _user_with_cases(world, Tribunal("TRT3"), minimum=4)
    credencial_id = world.credencial(user, Tribunal("TRT3"), Grau.PRIMEIRO_GRAU)
    before = world.logins(user)

    profile = {"name": "expira", "session_expiry": {"after_requests": 1, "times": 1}}
    with world.sandbox.faults_applied(profile):
        result = _crawl(world, credencial_id, tmp_path / "run.json", database_url, secret_key, "--parallel")

    assert result["falhas"] == {}
    assert result["logins"] == 2
    assert world.logins(user) == before + 2
    assert result["stats"].get("sessao/relogins") == 1
    assert result["stats"].get("downloader/response_status_count/401", 0) >= 2
    assert sorted(result["ids"]) == sorted(_acervo(world, Tribunal("TRT3"), user))
