"""Three `sinesys scheduler run` processes on real PostgreSQL and a real Scrapyd: every run dispatched exactly once.

Scrapyd runs with a poll interval of an hour, so the jobs it is given stay in its queue: it counts them (the
runner's side) without running 100 crawls. A scheduler killed with SIGKILL while holding a claim is replaced by
another after its lease. A capture whose Scrapyd job vanished is failed by the next look, at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy import Engine, select

from scheduler.capturas import despachar_pendentes, iniciar_captura
from sinesys_spiders.core.capturas_jobs import ServicoCapturas
from sinesys_spiders.core.config import Settings
from sinesys_spiders.core.db.engine import make_session_factory, session_scope
from sinesys_spiders.core.db.models import AgendamentoExecucao, CapturaLog
from sinesys_spiders.core.db.repositories import AgendamentoExecucoesRepository, AgendamentosRepository
from sinesys_spiders.core.domain import StatusCaptura
from sinesys_spiders.core.timeutil import utcnow

pytestmark = [pytest.mark.e2e, pytest.mark.requires_postgres, pytest.mark.requires_scrapyd]

PROJECT_DIR = Path(__file__).resolve().parents[2]


def _porta_livre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def db_backend() -> str:
    """These tests are about PostgreSQL (SQLite allows one scheduler)."""
    return "postgresql"


@pytest.fixture(scope="module")
def scrapyd_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Scrapyd serving this project (``[settings] sinesys``) that never launches what it is given."""
    workdir = tmp_path_factory.mktemp("scrapyd")
    porta = _porta_livre()
    # Scrapyd lists the project's spiders with `scrapy list` in its own directory: a scrapy.cfg names the settings.
    (workdir / "scrapy.cfg").write_text(
        "[settings]\ndefault = sinesys_spiders.settings\nsinesys = sinesys_spiders.settings\n"
    )
    (workdir / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {porta}\npoll_interval = 3600\n"
        f"logs_dir = {workdir / 'logs'}\ndbs_dir = {workdir / 'dbs'}\neggs_dir = {workdir / 'eggs'}\n"
        "jobstorage = scrapyd.jobstorage.MemoryJobStorage\n\n[settings]\nsinesys = sinesys_spiders.settings\n"
    )
    log = (workdir / "scrapyd.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "scrapyd"], cwd=workdir, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{porta}"
    try:
        for _ in range(200):
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/daemonstatus.json", timeout=1).status_code == 200:
                    break
            time.sleep(0.1)
        else:
            pytest.fail("scrapyd did not start: " + (workdir / "scrapyd.log").read_text()[-2000:])
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def _pendentes(scrapyd_url: str) -> list[str]:
    body = httpx.get(f"{scrapyd_url}/listjobs.json", params={"project": "sinesys"}, timeout=30).json()
    return [job["id"] for job in body["pending"]]


def _limpar_fila(scrapyd_url: str) -> None:
    for job in _pendentes(scrapyd_url):
        httpx.post(f"{scrapyd_url}/cancel.json", data={"project": "sinesys", "job": job}, timeout=30)


def _agendar(engine: Engine, advogado_id: int, credencial: int, n: int, em: dt.datetime | None = None) -> list[int]:
    """``n`` daily schedules, all due at ``em`` (default: now)."""
    with session_scope(factory=make_session_factory(engine)) as session:
        repo = AgendamentosRepository(session)
        return [
            repo.add(tipo_captura="acervo_geral", periodicidade="diario", advogado_id=advogado_id,
                     credencial_ids=[credencial], horario="07:00",
                     proxima_execucao=em or utcnow() - dt.timedelta(seconds=1)).id
            for _ in range(n)
        ]  # fmt: skip


def _scheduler(database_url: str, scrapyd_url: str, secret_key: str, *extra: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SINESYS_")}
    env.update(SINESYS_DATABASE_URL=database_url, SINESYS_SCRAPYD_URL=scrapyd_url, SINESYS_SECRET_KEY=secret_key,
               SINESYS_RUNNER_SCRAPYD_MAX="1000")  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-m", "sinesys_spiders.cli", "scheduler", "run", "--runner", "scrapyd", "--intervalo", "0.3",
         *extra],
        cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _execucoes(engine: Engine) -> list[AgendamentoExecucao]:
    with session_scope(factory=make_session_factory(engine)) as session:
        rows = session.scalars(select(AgendamentoExecucao)).all()
        session.expunge_all()
        return list(rows)


def _esperar(condicao, *, timeout: float, mensagem: str, procs: list[subprocess.Popen[str]] = ()) -> None:
    limite = time.monotonic() + timeout
    while not condicao():
        if time.monotonic() > limite:
            for proc in procs:
                proc.kill()
            erros = [proc.communicate(timeout=30)[1][-1500:] for proc in procs]
            pytest.fail(f"{mensagem}; schedulers said: {erros}")
        time.sleep(0.2)


def test_three_schedulers_dispatch_100_due_runs_exactly_once(
    engine: Engine, database_url: str, scrapyd_url: str, secret_key: str, advogado_id: int, credenciais: list[int]
) -> None:
    """100 runs due at once, three scheduler processes: 100 captures, one per (schedule, time), 100 Scrapyd jobs;
    SIGTERM stops each scheduler cleanly (exit 0)."""
    _limpar_fila(scrapyd_url)
    ids = _agendar(engine, advogado_id, credenciais[0], 100)
    procs = [_scheduler(database_url, scrapyd_url, secret_key) for _ in range(3)]
    try:
        _esperar(lambda: sum(r.status == "despachada" for r in _execucoes(engine)) >= 100, timeout=120,
                 mensagem="the 100 runs were not all dispatched", procs=procs)  # fmt: skip
        time.sleep(1.0)  # a duplicate, if any, would have time to appear
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        saidas = [proc.communicate(timeout=60) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0, 0], [e[-2000:] for _, e in saidas]
    runs = _execucoes(engine)
    assert len(runs) == 100
    assert {r.agendamento_id for r in runs} == set(ids)
    assert len({r.captura_id for r in runs}) == 100
    assert len({r.dono for r in runs}) >= 2, "one scheduler did everything: no concurrency was exercised"
    with session_scope(factory=make_session_factory(engine)) as session:
        capturas = session.scalars(select(CapturaLog).where(CapturaLog.agendamento_id.is_not(None))).all()
        assert len(capturas) == 100
        assert len({(c.agendamento_id, c.agendado_para) for c in capturas}) == 100
        assert {c.origem for c in capturas} == {"agendamento"}
        jobs = {c.job_id for c in capturas}
    fila = _pendentes(scrapyd_url)
    assert len(fila) == 100
    assert set(fila) == jobs


def test_a_scheduler_killed_holding_a_claim_is_replaced_after_its_lease(
    engine: Engine, database_url: str, scrapyd_url: str, secret_key: str, advogado_id: int, credenciais: list[int]
) -> None:
    """A scheduler SIGKILLed between its claim and the capture's creation (held up by a row lock): another
    dispatches the run once, after the lease; the run records two claims and one capture."""
    _limpar_fila(scrapyd_url)
    [agendamento] = _agendar(engine, advogado_id, credenciais[0], 1, em=utcnow() + dt.timedelta(days=1))
    with session_scope(factory=make_session_factory(engine)) as session:
        AgendamentoExecucoesRepository(session).adicionar(
            agendamento_id=agendamento, agendado_para=utcnow(), credencial_ids=[credenciais[0]]
        )
    bloqueio = psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://"))
    try:
        # The capture's INSERT checks its schedule (FOR KEY SHARE): it waits while this lock is held.
        bloqueio.execute("SELECT id FROM agendamentos WHERE id = %s FOR UPDATE", (agendamento,))
        primeiro = _scheduler(database_url, scrapyd_url, secret_key, "--lease", "8")
        _esperar(lambda: any(r.status == "reivindicada" for r in _execucoes(engine)), timeout=60,
                 mensagem="the first scheduler never claimed the run", procs=[primeiro])  # fmt: skip
        time.sleep(1.0)  # it is now blocked creating the capture
        primeiro.kill()
        primeiro.communicate(timeout=30)
    finally:
        bloqueio.rollback()
        bloqueio.close()
    segundo = _scheduler(database_url, scrapyd_url, secret_key, "--lease", "8")
    try:
        _esperar(lambda: any(r.status == "despachada" for r in _execucoes(engine)), timeout=60,
                 mensagem="no scheduler dispatched the run after the lease", procs=[segundo])  # fmt: skip
        time.sleep(1.0)
    finally:
        segundo.send_signal(signal.SIGTERM)
        segundo.communicate(timeout=60)
    [run] = _execucoes(engine)
    assert (run.agendamento_id, run.status, run.reivindicacoes) == (agendamento, "despachada", 2)
    with session_scope(factory=make_session_factory(engine)) as session:
        capturas = session.scalars(select(CapturaLog).where(CapturaLog.agendamento_id == agendamento)).all()
        assert [c.id for c in capturas] == [run.captura_id]
    assert len(_pendentes(scrapyd_url)) == 1


def test_a_capture_whose_scrapyd_job_is_gone_fails_at_once(
    database_url: str, scrapyd_url: str, secret_key: str, credenciais: list[int], tmp_path: Path
) -> None:
    """Two captures queued on Scrapyd; one's job is cancelled behind our back (Scrapyd no longer knows it): the next
    look fails that capture at once (CAPTURA_INTERROMPIDA), not after the 2-minute heartbeat limit, and leaves the
    other pending."""
    _limpar_fila(scrapyd_url)
    settings = Settings(database_url=database_url, scrapyd_url=scrapyd_url, var_dir=tmp_path, runner_scrapyd_max=10)
    assert settings.captura_heartbeat_limite >= 60
    opcoes = {"advogado_id": None, "credencial_ids": [credenciais[0]], "parametros": {}, "runner": "scrapyd"}
    vivo, morto = (iniciar_captura(settings, "acervo_geral", origem="cli", **opcoes) for _ in range(2))
    servico = ServicoCapturas.from_settings(settings)
    job = servico.obter(morto).job_id
    assert job in _pendentes(scrapyd_url)
    httpx.post(f"{scrapyd_url}/cancel.json", data={"project": "sinesys", "job": job}, timeout=30).raise_for_status()

    despachar_pendentes(settings)

    captura = servico.obter(morto)
    assert captura.status is StatusCaptura.FAILED
    assert captura.resultado["erro"]["codigo"] == "CAPTURA_INTERROMPIDA"
    assert job in captura.resultado["erro"]["mensagem"]
    assert servico.obter(vivo).status is StatusCaptura.PENDING
    assert servico.obter(vivo).job_id in _pendentes(scrapyd_url)
