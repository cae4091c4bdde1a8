"""N workers on one capture (``sinesys capturas iniciar ... --workers 2``): a shared scrapy-redis queue whose popped
requests stay under the worker's lease, per-credential state in Redis, one login per credential, one end."""

from __future__ import annotations

import math
import os
import re
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from processo_e2e import ProcessoE2E, partes_esperadas
from sqlalchemy import select

from sinesys_spiders.core.capturas_jobs import ServicoCapturas
from sinesys_spiders.core.db.models import Timeline
from sinesys_spiders.testing.db_fixtures import on_postgresql
from sinesys_spiders.testing.redis_fixtures import RedisServer, start_redis

pytestmark = [pytest.mark.requires_browser, pytest.mark.requires_redis, pytest.mark.e2e, on_postgresql]

ONDE = [("TRT5", "primeiro_grau"), ("TRT9", "primeiro_grau")]
#: Every API answer of the sandbox takes 1.5 s: a worker can be killed (or Redis stopped) with requests in flight.
LENTO = {"name": "lento-workers", "seed": 1, "latency": {"distribution": "fixed", "ms": 1500}}


def _masked(cpf: str) -> str:
    return f"***.{cpf[3:6]}.{cpf[6:9]}-**"


def _lista(counters: dict[str, Any]) -> int:
    """Answers of the panel's list and counters (the acervo_geral capture's requests) so far."""
    return sum(
        sum(por_status.values())
        for chave, por_status in counters["requests"].items()
        if "/paineladvogado/" in chave and ("/processos" in chave or "/totalizadores" in chave)
    )


def _iniciar(e2e: Any, credenciais: list[int], *extra: str, tipo: str = "acervo_geral") -> Any:
    ids = ",".join(str(c) for c in credenciais)
    return e2e.run("-c", "from sinesys_spiders.cli import main; main()", "capturas", "iniciar", tipo,
                   "--credenciais", ids, "--workers", "2", "--runner", "local", *extra)  # fmt: skip


def _por_caso(antes: dict[str, Any], depois: dict[str, Any], trecho: str) -> int:
    """Answers of a per-case endpoint (``/partes``, ``/timeline``) between two readings of the counters."""

    def total(counters: dict[str, Any]) -> int:
        return sum(sum(s.values()) for k, s in counters["requests"].items() if k.endswith(trecho))

    return total(depois) - total(antes)


def _respostas(log: str) -> int:
    """The answers a worker received (its closing stats; none when it handled no request)."""
    achado = re.search(r"'downloader/response_count': (\d+)", log)
    return int(achado.group(1)) if achado else 0


def _verdade_por_caso(sandbox: Any, user: Any, ativos: dict[str, Any], tipo: str) -> dict[int, dict[str, Any]]:
    """The sandbox's ``tipo`` (partes, timeline) of every active case of ``user`` at :data:`ONDE`, by case id."""
    out: dict[int, dict[str, Any]] = {}
    for tribunal, grau in ONDE:
        ids = {k[2] for k in ativos["acervo"] if k[0] == tribunal}
        bloco = sandbox.truth(tribunal=tribunal, grau=grau, cpf=user.cpf, tipo=tipo)["tribunais"][tribunal][grau]
        out.update({c["id_processo"]: c for c in bloco[user.cpf][tipo] if c["id_processo"] in ids})
    return out


def _por_caso_nos_dois(
    e2e: Any, redis: RedisServer, user: Any, credenciais: list[int], ativos: dict[str, Any], tipo: str
) -> Any:
    """``tipo`` on two workers, to its end: each case fetched once, every chosen case counted once, one end."""
    antes = e2e.sandbox.counters()
    result = _iniciar(e2e, credenciais, tipo=tipo)
    assert result.returncode == 0, result.stderr[-4000:]
    casos = _verdade_por_caso(e2e.sandbox, user, ativos, tipo)  # read while the workers run
    captura = _aguardar_fim(e2e, int(result.stdout.split()[0]))
    assert captura.status.value == "completed", captura.erro
    assert len(captura.job_id.split(",")) == 2
    _aguardar_saida(captura.job_id)
    assert _por_caso(antes, e2e.sandbox.counters(), f"/{tipo}") == len(casos)  # each case fetched once, none lost
    logs = _logs(e2e, captura.id)
    assert all("Spider closed (finished)" in log for log in logs)  # both workers ran the capture to its end
    assert sum(_respostas(log) for log in logs) == len(casos)  # between them, each case answered once
    assert sum("(último worker)" in log for log in logs) == 1
    por_credencial = {r["credencial_id"]: r for r in captura.resultados}
    assert sorted(por_credencial) == sorted(credenciais)
    for resultado in por_credencial.values():  # every chosen case counted once, none reported lost
        assert "erro" not in resultado
        assert not resultado.get("erros_itens"), resultado["erros_itens"]
        assert resultado["resultado"]["processos_capturados"] == resultado["resultado"]["total_processos"]
    assert sum(r["resultado"]["total_processos"] for r in por_credencial.values()) == len(casos)
    e2e.check_no_secrets(result.stdout + result.stderr + "".join(logs))
    chaves = redis.client().scan_iter(match=f"{e2e.extra_env['SINESYS_REDIS_PREFIX']}:captura:{captura.id}:*")
    assert [c for c in chaves if not c.endswith(b":fim")] == []  # the last worker removed the capture's state
    return casos


def _aguardar_fim(e2e: Any, captura_id: int, timeout: float = 300) -> Any:
    servico = ServicoCapturas(e2e.factory, heartbeat_limite=600)
    limite = time.monotonic() + timeout
    while not (captura := servico.obter(captura_id)).terminada:
        assert time.monotonic() < limite, f"captura {captura_id} não terminou em {timeout} s"
        time.sleep(0.5)
    return captura


def _aguardar_saida(job_id: str | None, timeout: float = 120) -> None:
    """Wait until every worker process of a capture has exited."""
    limite = time.monotonic() + timeout
    for pid in (job_id or "").split(","):
        while pid and Path(f"/proc/{pid}").exists() and "Z" not in _estado_proc(pid):
            assert time.monotonic() < limite, f"worker {pid} did not exit"
            time.sleep(0.2)


def _estado_proc(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "Z"


def _logs(e2e: Any, captura_id: int) -> list[str]:
    pasta = Path(e2e.workdir) / "var" / "logs" / "capturas"
    return [(pasta / f"{captura_id}-w{n}.log").read_text(encoding="utf-8", errors="replace") for n in (1, 2)]


def _ativos(e2e: Any, user: Any) -> dict[str, Any]:
    truth = e2e.truth(user, ONDE)
    return {"acervo": {k: v for k, v in truth["acervo"].items() if v["origem"] == "acervo_geral"}}


@pytest.fixture
def workers_env(redis_server: RedisServer, redis_prefix: str) -> dict[str, str]:
    return {
        "SINESYS_REDIS_URL": redis_server.url(),
        "SINESYS_REDIS_PREFIX": redis_prefix,
        "SINESYS_FILA_LEASE_TTL": "3",  # a killed worker's requests go back within 3 s
        "SINESYS_RUNNER_LOCAL_MAX": "4",
    }


def _pid(worker: str) -> str:
    """The process id in a worker's id (``host-pid-random``)."""
    return worker.rsplit("-", 2)[-2]


def _vitima(client: Any, prefix: str, captura_id: int, credenciais: list[int], pids: list[str]) -> tuple[int, bool]:
    """A worker to kill, ``(pid, mid-start)``, or ``(0, False)`` not yet: preferably one holding requests in flight
    while it still starts a credential (claimed, logging in or sending its first requests: what once left a capture
    unfinished); once every credential has been started, any worker holding requests in flight."""
    base = f"{prefix}:captura:{captura_id}:cred"
    com_pedidos = {
        _pid(chave.decode().rsplit(":", 1)[1])
        for chave in client.scan_iter(match=f"{prefix}:captura:{captura_id}:fila:processando:*")
        if client.hlen(chave)
    } & set(pids)
    iniciando = {c: client.get(f"{base}:{c}:dono") for c in credenciais if client.exists(f"{base}:{c}:iniciando")}
    for dono in iniciando.values():
        if dono and _pid(dono.decode()) in com_pedidos:
            return int(_pid(dono.decode())), True
    iniciadas = not iniciando and all(client.exists(f"{base}:{c}:dono") for c in credenciais)
    if iniciadas and com_pedidos:
        return int(sorted(com_pedidos)[0]), False
    return 0, False


def _iniciando_por(client: Any, prefix: str, captura_id: int, credenciais: list[int], pid: str) -> bool:
    """Whether the worker of process ``pid`` is still starting one of the capture's credentials."""
    base = f"{prefix}:captura:{captura_id}:cred"
    for c in credenciais:
        dono = client.get(f"{base}:{c}:dono")
        if client.exists(f"{base}:{c}:iniciando") and dono and _pid(dono.decode()) == pid:
            return True
    return False


def test_a_worker_killed_mid_capture_loses_no_request(
    captura_factory, captura_sandbox, workers_env: dict[str, str], redis_server: RedisServer, redis_prefix: str
):
    """``kill -9`` of one of two workers mid-capture, with requests in flight and (when the run offers it) while it
    still starts its credential (logging in): its leased requests go back to the queue, the other worker takes over
    its credential at once (the dead worker's claim, session turn and login lock are tied to its queue lease), it
    finishes the capture ``completed`` and the database equals the sandbox's truth (0 requests lost)."""
    e2e = captura_factory()
    e2e.extra_env = dict(workers_env)
    user = captura_sandbox.take_user()
    credenciais = [e2e.credencial(user, t, g) for t, g in ONDE]
    ativos = _ativos(e2e, user)
    with captura_sandbox.faults_applied(LENTO):
        result = _iniciar(e2e, credenciais)
        assert result.returncode == 0, result.stderr[-4000:]
        captura_id = int(result.stdout.split()[0])
        pids = ServicoCapturas(e2e.factory).obter(captura_id).job_id.split(",")
        client = redis_server.client()
        limite = time.monotonic() + 180
        while not (vitima := _vitima(client, redis_prefix, captura_id, credenciais, pids))[0]:
            assert time.monotonic() < limite, "no worker ever held a request within 180 s"
            time.sleep(0.02)
        # Frozen first, so that what it was doing when killed is what the test reads (it may have finished starting
        # its credential since the look above)
        os.kill(vitima[0], signal.SIGSTOP)
        iniciando = _iniciando_por(client, redis_prefix, captura_id, credenciais, str(vitima[0]))
        os.kill(vitima[0], signal.SIGKILL)
        captura = _aguardar_fim(e2e, captura_id, timeout=150)

    assert captura.status.value == "completed", captura.erro
    assert e2e.diferencas({"acervo": e2e.registros()["acervo"]}, ativos) == []
    assert sorted(r["credencial_id"] for r in captura.resultados) == sorted(credenciais)
    # Each row counted once, though the dead worker's answers were handled again (workers.contagem).
    contados = [r["resultado"][k] for r in captura.resultados for k in ("inseridos", "atualizados", "inalterados")]
    assert sum(contados) == len(ativos["acervo"])
    logs = _logs(e2e, captura_id)
    assert any("de workers sem lease voltaram à fila" in log for log in logs)
    if iniciando:  # killed while starting its credential: the survivor took it over
        assert any("este worker a retoma" in log for log in logs)


def test_redis_stopped_during_a_workers_capture_fails_it_and_a_rerun_completes(
    captura_factory, captura_sandbox, redis_prefix: str, tmp_path: Path
):
    """Redis stops while two workers run a capture: the capture ends ``failed`` with ``REDIS_INDISPONIVEL``.
    With Redis back (empty), a rerun with two workers shares the capture: it ends ``completed`` once (one last
    worker), records both jobs, the database equals the sandbox's truth, every page is fetched exactly once across
    both workers, each credential logs in once, and both workers ran to the capture's end. Then ``partes`` and
    ``timeline`` of those cases, each on two workers: the parties and timelines equal the truth, every case is
    fetched exactly once, each credential's result counts every case once with none lost, and no new login."""
    server = start_redis(tmp_path / "redis")
    try:
        e2e = captura_factory()
        e2e.extra_env = {"SINESYS_REDIS_URL": server.url(), "SINESYS_REDIS_PREFIX": redis_prefix,
                         "SINESYS_FILA_LEASE_TTL": "3", "SINESYS_SESSAO_USO_TTL": "3"}  # fmt: skip
        user = captura_sandbox.take_user()
        credenciais = [e2e.credencial(user, t, g) for t, g in ONDE]
        ativos = _ativos(e2e, user)
        with captura_sandbox.faults_applied(LENTO):
            inicio = _lista(captura_sandbox.counters())
            result = _iniciar(e2e, credenciais)
            assert result.returncode == 0, result.stderr[-4000:]
            captura_id = int(result.stdout.split()[0])
            limite = time.monotonic() + 180
            while _lista(captura_sandbox.counters()) - inicio < 2:
                assert time.monotonic() < limite, "no page fetched within 180 s"
                time.sleep(0.1)
            server.stop()
            captura = _aguardar_fim(e2e, captura_id)
            _aguardar_saida(captura.job_id)  # the other worker may still be finishing its requests in flight

        assert captura.status.value == "failed"
        assert "REDIS_INDISPONIVEL" in (captura.erro or "")
        assert server.acl_password not in "".join(_logs(e2e, captura_id))

        server.start()
        antes = captura_sandbox.counters()
        rerun = _iniciar(e2e, credenciais, "--esperar", "--intervalo", "0.5")

        assert rerun.returncode == 0, rerun.stderr[-4000:]
        rerun_id = int(rerun.stdout.split()[0])
        captura = ServicoCapturas(e2e.factory).obter(rerun_id)
        assert captura.status.value == "completed"
        assert len(captura.job_id.split(",")) == 2
        assert e2e.diferencas({"acervo": e2e.registros()["acervo"]}, ativos) == []
        depois = captura_sandbox.counters()
        paginas = {t: len([k for k in ativos["acervo"] if k[0] == t]) for t, _ in ONDE}
        esperado = sum(1 + max(1, math.ceil(n / 100)) for n in paginas.values())  # totalizadores + list pages
        assert _lista(depois) - _lista(antes) == esperado  # no request fetched twice, none skipped
        logins = depois["logins"].get(_masked(user.cpf), 0) - antes["logins"].get(_masked(user.cpf), 0)
        assert logins == len(credenciais)  # Redis came back empty: one new login per credential, not per worker
        totais = captura.totais
        assert totais["inseridos"] + totais["atualizados"] + totais["inalterados"] == len(ativos["acervo"])
        assert sorted(r["credencial_id"] for r in captura.resultados) == sorted(credenciais)
        logs = _logs(e2e, rerun_id)
        assert all("Spider closed (finished)" in log for log in logs)  # both workers ran the capture to its end
        assert sum("(último worker)" in log for log in logs) == 1
        e2e.check_no_secrets(rerun.stdout + rerun.stderr + "".join(logs))
        assert server.acl_password not in "".join(logs)

        # then the per-case captures of those cases, each shared by two workers
        partes = _por_caso_nos_dois(e2e, server, user, credenciais, ativos, "partes")
        assert ProcessoE2E.partes_armazenadas(e2e) == partes_esperadas(list(partes.values()))
        timelines = _por_caso_nos_dois(e2e, server, user, credenciais, ativos, "timeline")
        with e2e.factory() as session:
            guardadas = {
                t.id_processo_externo: [i["id"] for i in t.timeline] for t in session.scalars(select(Timeline))
            }
        assert guardadas == {c: [i["id_externo"] for i in t["itens"]] for c, t in timelines.items()}
        fim = captura_sandbox.counters()
        logins = fim["logins"].get(_masked(user.cpf), 0) - antes["logins"].get(_masked(user.cpf), 0)
        assert logins == len(credenciais)  # the stored sessions served both per-case captures on both workers
    finally:
        server.stop()
