"""A lawyer's 1º and 2º grau at one tribunal share one PJE session: crawled together, they must not fight."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import select

from sinesys_spiders.core.db.models import CapturaLog
from sinesys_spiders.core.locks import SqlLockBackend
from sinesys_spiders.spiders._turnos import chave_sessao
from sinesys_spiders.testing.db_fixtures import on_postgresql

pytestmark = [pytest.mark.requires_browser, pytest.mark.slow, pytest.mark.e2e, on_postgresql]


def _logins_of(sandbox: Any, cpf: str) -> int:
    masked = f"***.{cpf[3:6]}.{cpf[6:9]}-**"
    return sandbox.counters()["logins"].get(masked, 0)


def test_both_graus_of_one_lawyer_are_captured_with_one_login_each(captura_factory, captura_sandbox):
    """TRT5 1º and 2º grau of the same lawyer in one crawl: both complete, one login each, no re-login."""
    e2e = captura_factory()
    user = captura_sandbox.take_user()
    primeiro = e2e.credencial(user, "TRT5", "primeiro_grau")
    segundo = e2e.credencial(user, "TRT5", "segundo_grau")
    before = _logins_of(captura_sandbox, user.cpf)

    crawl = e2e.crawl("acervo_geral", f"credenciais={segundo},{primeiro}")

    resumo = e2e.resumo(crawl.captura_id)
    assert resumo.status == "completed"
    assert all("erro" not in entry for entry in resumo.resultados), resumo.resultados
    assert _logins_of(captura_sandbox, user.cpf) - before == 2
    assert "sessao/relogins" not in crawl.stderr
    truth = e2e.truth(user, [("TRT5", "primeiro_grau"), ("TRT5", "segundo_grau")])
    ativos = {k: v for k, v in truth["acervo"].items() if v["origem"] == "acervo_geral"}
    assert {grau for _, grau, _ in ativos} == {"primeiro_grau", "segundo_grau"}
    db = e2e.registros()
    assert e2e.diferencas({"acervo": db["acervo"]}, {"acervo": ativos}) == []


#: Every API answer of the sandbox takes 4 s: a crawl stays on its session longer than another takes to log in.
LENTO = {"name": "lento", "latency": {"distribution": "fixed", "ms": 4000}}


def _capturas(e2e: Any) -> list[Any]:
    with e2e.factory() as session:
        ids = session.scalars(select(CapturaLog.id).order_by(CapturaLog.id)).all()
    return [e2e.resumo(captura_id) for captura_id in ids]


def test_two_crawls_on_the_two_graus_of_one_lawyer_take_turns(captura_factory, captura_sandbox):
    """Two `scrapy crawl` processes at once, each on one grau of the same lawyer at a slow tribunal: the second
    waits for the first instead of ending its session; both complete, with one login each and no re-login."""
    e2e = captura_factory()
    user = captura_sandbox.take_user()
    primeiro = e2e.credencial(user, "TRT5", "primeiro_grau")
    segundo = e2e.credencial(user, "TRT5", "segundo_grau")
    before = _logins_of(captura_sandbox, user.cpf)

    with captura_sandbox.faults_applied(LENTO), ThreadPoolExecutor(2) as pool:
        crawls = list(
            pool.map(
                lambda args: e2e.crawl(*args, check=False),
                [("acervo_geral", f"credenciais={primeiro}"), ("pendentes", f"credenciais={segundo}")],
            )
        )

    for crawl in crawls:
        assert crawl.returncode == 0, crawl.stderr[-3000:]
        assert "sessao/relogins" not in crawl.stderr
    capturas = _capturas(e2e)
    assert [c.status for c in capturas] == ["completed", "completed"]
    assert all("erro" not in r for c in capturas for r in c.resultados), [c.resultados for c in capturas]
    assert _logins_of(captura_sandbox, user.cpf) - before == 2
    waited = [crawl for crawl in crawls if "sessão em uso por outra captura" in crawl.stderr]
    assert len(waited) == 1  # the crawls met: one of them waited for the other


def test_a_session_held_too_long_elsewhere_fails_only_its_credential(captura_factory, captura_sandbox):
    """A lawyer's session held by another process past SINESYS_SESSAO_USO_ESPERA: LOCK_OCUPADO for that credential,
    no login attempted for it; another lawyer's credential in the same crawl completes, and the lock is freed after."""
    e2e = captura_factory()
    user, outro = captura_sandbox.take_user(), captura_sandbox.take_user()
    ocupada = e2e.credencial(user, "TRT5", "primeiro_grau")
    livre = e2e.credencial(outro, "TRT9", "primeiro_grau")
    locks = SqlLockBackend(e2e.factory)
    alheio = locks.try_acquire(chave_sessao(e2e.advogado(user), "TRT5"), ttl=300)
    assert alheio is not None
    before = _logins_of(captura_sandbox, user.cpf)

    argv = ["-m", "scrapy", "crawl", "acervo_geral", "-a", f"credenciais={ocupada},{livre}"]
    result = e2e.run(*argv, "-s", "SINESYS_SESSAO_USO_ESPERA=3")
    [captura] = _capturas(e2e)
    resultados = {r["credencial_id"]: r for r in captura.resultados}
    assert resultados[ocupada]["erro"]["codigo"] == "LOCK_OCUPADO", resultados
    assert "SINESYS_SESSAO_USO_ESPERA" in resultados[ocupada]["erro"]["mensagem"]
    assert "erro" not in resultados[livre], resultados
    assert _logins_of(captura_sandbox, user.cpf) == before
    assert result.returncode in (0, 1), result.stderr[-3000:]
    assert locks.release(alheio)  # the other holder's lock was never taken from it
    freed = locks.try_acquire(chave_sessao(e2e.advogado(outro), "TRT9"), ttl=5)
    assert freed is not None  # the crawl released the session it used
