"""A crawl whose Redis (``SINESYS_REDIS_URL``) is out of reach fails with ``REDIS_INDISPONIVEL``; a rerun completes."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from sinesys_spiders.testing.db_fixtures import on_postgresql
from sinesys_spiders.testing.redis_fixtures import RedisServer, start_redis

pytestmark = [pytest.mark.requires_browser, pytest.mark.requires_redis, pytest.mark.e2e, on_postgresql]


def test_an_unreachable_redis_fails_the_capture_with_its_code_and_a_rerun_completes(
    captura_factory, captura_sandbox, redis_server: RedisServer, redis_prefix: str
):
    """Redis down: the capture is ``failed`` with ``REDIS_INDISPONIVEL`` for the run and each credential, no login
    is attempted and the Redis password is not in the output; with Redis back the same capture completes."""
    e2e = captura_factory()
    user = captura_sandbox.take_user()
    credencial = e2e.credencial(user, "TRT9", "primeiro_grau")
    down = redis_server.url().replace(f":{redis_server.port}/", ":1/")
    e2e.extra_env = {"SINESYS_REDIS_URL": down, "SINESYS_REDIS_PREFIX": redis_prefix}
    logins = captura_sandbox.counters()["logins"]

    crawl = e2e.crawl("acervo_geral", f"credenciais={credencial}", check=False)

    assert crawl.captura_id is not None, crawl.stderr[-3000:]
    resumo = e2e.resumo(crawl.captura_id)
    assert resumo.status == "failed"
    assert "REDIS_INDISPONIVEL" in (resumo.erro or "")
    assert [entry["erro"]["codigo"] for entry in resumo.resultados] == ["REDIS_INDISPONIVEL"]
    assert captura_sandbox.counters()["logins"] == logins
    assert redis_server.acl_password not in crawl.stdout + crawl.stderr
    assert e2e.registros()["acervo"] == {}

    e2e.extra_env["SINESYS_REDIS_URL"] = redis_server.url()
    rerun = e2e.crawl("acervo_geral", f"credenciais={credencial}")

    assert e2e.resumo(rerun.captura_id).status == "completed"
    assert e2e.registros()["acervo"]


#: Every API answer of the sandbox takes 1.5 s: the crawl is still running when Redis stops.
LENTO = {"name": "lento", "latency": {"distribution": "fixed", "ms": 1500}}


def test_redis_stopped_during_a_capture_fails_it_and_a_rerun_after_its_restart_completes(
    captura_factory, captura_sandbox, redis_prefix: str, tmp_path: Path
):
    """Redis stops while a capture runs: the capture ends ``failed`` with ``REDIS_INDISPONIVEL`` (its session turn
    cannot be renewed past its TTL, so its work stops); Redis restarts empty and the rerun completes with the
    database equal to the sandbox's truth (nothing stored before was lost or duplicated)."""
    server = start_redis(tmp_path / "redis")
    try:
        e2e = captura_factory()
        user = captura_sandbox.take_user()
        credencial = e2e.credencial(user, "TRT9", "primeiro_grau")
        e2e.extra_env = {
            "SINESYS_REDIS_URL": server.url(),
            "SINESYS_REDIS_PREFIX": redis_prefix,
            "SINESYS_SESSAO_USO_TTL": "3",  # renewed every second, lost 3 s after Redis stops
        }
        masked = f"***.{user.cpf[3:6]}.{user.cpf[6:9]}-**"
        logins = captura_sandbox.counters()["logins"].get(masked, 0)
        with captura_sandbox.faults_applied(LENTO), ThreadPoolExecutor(1) as pool:
            running = pool.submit(e2e.crawl, "acervo_geral", f"credenciais={credencial}", check=False)
            deadline = time.monotonic() + 180
            while captura_sandbox.counters()["logins"].get(masked, 0) == logins and not running.done():
                assert time.monotonic() < deadline, "no login within 180 s"
                time.sleep(0.2)
            time.sleep(1.0)  # the first pages are on their way
            server.stop()
            crawl = running.result(timeout=600)

        assert crawl.captura_id is not None, crawl.stderr[-3000:]
        resumo = e2e.resumo(crawl.captura_id)
        assert resumo.status == "failed", crawl.stderr[-3000:]
        assert [entry["erro"]["codigo"] for entry in resumo.resultados] == ["REDIS_INDISPONIVEL"], crawl.stderr[-6000:]
        assert server.acl_password not in crawl.stdout + crawl.stderr

        server.start()
        rerun = e2e.crawl("acervo_geral", f"credenciais={credencial}")
        assert e2e.resumo(rerun.captura_id).status == "completed"
        truth = e2e.truth(user, [("TRT9", "primeiro_grau")])
        ativos = {k: v for k, v in truth["acervo"].items() if v["origem"] == "acervo_geral"}
        assert ativos
        assert e2e.diferencas({"acervo": e2e.registros()["acervo"]}, {"acervo": ativos}) == []
    finally:
        server.stop()
