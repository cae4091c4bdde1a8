"""A crawl whose Redis (``SINESYS_REDIS_URL``) is out of reach fails with ``REDIS_INDISPONIVEL``; a rerun completes."""

from __future__ import annotations

import pytest

from sinesys_spiders.testing.db_fixtures import on_postgresql
from sinesys_spiders.testing.redis_fixtures import RedisServer

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
