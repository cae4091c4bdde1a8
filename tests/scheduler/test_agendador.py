"""The scheduler's pass: due runs dispatched once, missed runs once and late, retries of transient failures only."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import Engine, select

from scheduler.agendamentos import AgendamentosService, PedidoDespacho
from scheduler.agendamentos.agendador import Agendador
from scheduler.agendamentos.retentativas import PoliticaRetentativas
from sinesys_spiders.core.capturas_jobs import ServicoCapturas
from sinesys_spiders.core.db.engine import make_engine, make_session_factory, session_scope
from sinesys_spiders.core.db.models import AgendamentoExecucao
from sinesys_spiders.core.db.repositories import AgendamentoExecucoesRepository, AgendamentosRepository
from sinesys_spiders.core.errors import LockOcupado, NetworkError, SenhaInvalida
from sinesys_spiders.core.historico import HistoricoService

T0 = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)  # 09:00 Brasília


class Relogio:
    """A clock the test moves by hand."""

    def __init__(self, agora: dt.datetime) -> None:
        self.agora = agora

    def __call__(self) -> dt.datetime:
        return self.agora


class Capturas:
    """Dispatches into the real history (a ``capturas_log`` row per run) and remembers what it was asked."""

    def __init__(self, database_url: str) -> None:
        self.historico = HistoricoService(make_session_factory(make_engine(database_url)))
        self.pedidos: list[tuple[PedidoDespacho, int]] = []
        self._lock = threading.Lock()

    def __call__(self, pedido: PedidoDespacho) -> int:
        captura_id = self.historico.create(
            pedido.tipo_captura, advogado_id=pedido.advogado_id, credencial_ids=pedido.credencial_ids
        )
        with self._lock:
            self.pedidos.append((pedido, captura_id))
        return captura_id


@pytest.fixture
def factory(engine: Engine):
    return make_session_factory(engine)


def _criar(factory, advogado_id: int, credenciais: list[int], relogio: Relogio, **campos) -> int:
    dados = {"tipo_captura": "audiencias", "advogado_id": advogado_id, "credencial_ids": credenciais,
             "periodicidade": "diario", "horario": "07:00"} | campos  # fmt: skip
    return AgendamentosService(factory, relogio=relogio).criar(dados).id


def test_a_due_run_is_dispatched_once_with_its_schedule_and_time(
    factory, database_url: str, advogado_id: int, credenciais: list[int]
) -> None:
    """At 07:00 Brasília the daily schedule is dispatched once, with dataRelativa resolved; then it waits a day."""
    relogio = Relogio(T0)
    novo = _criar(factory, advogado_id, credenciais[:2], relogio, parametros_extras={"dataRelativa": "ontem"})
    capturas = Capturas(database_url)
    agendador = Agendador(factory, despachar=capturas, relogio=relogio)
    assert agendador.passo().despachadas == 0  # not due yet
    relogio.agora = dt.datetime(2026, 3, 11, 10, 0, 30, tzinfo=dt.UTC)
    assert agendador.passo().despachadas == 1
    assert agendador.passo().despachadas == 0
    [(pedido, captura_id)] = capturas.pedidos
    assert pedido.agendamento_id == novo
    assert pedido.agendado_para == dt.datetime(2026, 3, 11, 10, 0, tzinfo=dt.UTC)
    assert pedido.credencial_ids == tuple(credenciais[:2])
    assert pedido.parametros == {"data_inicio": "2026-03-10", "data_fim": "2026-03-10"}
    shown = AgendamentosService(factory).obter(novo)
    assert shown.proxima_execucao == dt.datetime(2026, 3, 12, 10, 0, tzinfo=dt.UTC)
    assert [(e.status, e.captura_id, e.atrasada) for e in shown.execucoes] == [("despachada", captura_id, False)]


def test_missed_runs_after_downtime_run_once_recorded_late(
    factory, database_url: str, advogado_id: int, credenciais: list[int]
) -> None:
    """A scheduler down for three days runs the schedule once, marked late, then resumes the rule."""
    relogio = Relogio(T0)
    novo = _criar(factory, advogado_id, credenciais[:1], relogio, tipo_captura="acervo_geral")
    capturas = Capturas(database_url)
    relogio.agora = dt.datetime(2026, 3, 14, 15, 0, tzinfo=dt.UTC)
    assert Agendador(factory, despachar=capturas, relogio=relogio).passo().despachadas == 1
    shown = AgendamentosService(factory).obter(novo)
    assert [(e.agendado_para.day, e.atrasada) for e in shown.execucoes] == [(11, True)]
    assert shown.proxima_execucao == dt.datetime(2026, 3, 15, 10, 0, tzinfo=dt.UTC)


def test_transient_failures_are_retried_for_those_credentials_only(
    factory, database_url: str, advogado_id: int, credenciais: list[int]
) -> None:
    """Of three credentials, the one failing with a network error is tried again after a backoff; a wrong
    password is not retried; after the last attempt nothing more is scheduled."""
    relogio = Relogio(T0)
    _criar(factory, advogado_id, credenciais, relogio, tipo_captura="acervo_geral")
    capturas = Capturas(database_url)
    politica = PoliticaRetentativas(tentativas=2, base=10.0, teto=10.0)
    agendador = Agendador(factory, despachar=capturas, relogio=relogio, politica=politica)
    relogio.agora = dt.datetime(2026, 3, 11, 10, 0, tzinfo=dt.UTC)
    assert agendador.passo().despachadas == 1
    [(_, captura_id)] = capturas.pedidos
    historico = capturas.historico
    historico.start(captura_id, tipo_captura="acervo_geral", advogado_id=advogado_id, credencial_ids=credenciais)
    historico.record_failure(captura_id, credencial_id=credenciais[0], tribunal="TRT3", grau="primeiro_grau",
                             error=NetworkError("conexão recusada"))  # fmt: skip
    historico.record_failure(captura_id, credencial_id=credenciais[1], tribunal="TRT3", grau="segundo_grau",
                             error=SenhaInvalida("senha recusada"))  # fmt: skip
    historico.finish(captura_id)
    assert agendador.passo().retentativas == 1
    with session_scope(factory=factory) as session:
        retry = session.scalars(select(AgendamentoExecucao).where(AgendamentoExecucao.tentativa == 2)).one()
        assert retry.credencial_ids == [credenciais[0]]
        espera = (retry.nao_antes_de - relogio.agora).total_seconds()
    assert 0 <= espera <= 10
    relogio.agora += dt.timedelta(seconds=11)
    assert agendador.passo().despachadas == 1
    pedido, segunda = capturas.pedidos[1]
    assert pedido.credencial_ids == (credenciais[0],)
    historico.start(segunda, tipo_captura="acervo_geral", advogado_id=advogado_id, credencial_ids=[credenciais[0]])
    historico.record_failure(segunda, credencial_id=credenciais[0], tribunal="TRT3", grau="primeiro_grau",
                             error=NetworkError("conexão recusada"))  # fmt: skip
    historico.finish(segunda)
    assert agendador.passo().retentativas == 0  # two attempts were the limit


def test_full_jitter_stays_within_the_exponential_cap() -> None:
    """The wait after attempt n is between 0 and min(teto, base * 2^(n-1)), and not always the same."""
    politica = PoliticaRetentativas(tentativas=5, base=60, teto=600)
    esperas = [politica.espera(3) for _ in range(200)]
    assert all(0 <= e <= 240 for e in esperas)
    assert len(set(esperas)) > 100
    assert all(0 <= politica.espera(10) <= 600 for _ in range(50))


def test_one_scheduler_at_a_time_on_sqlite(
    factory, db_backend: str, sinesys, advogado_id: int, credenciais: list[int]
) -> None:
    """On SQLite a second scheduler says another one runs and exits 1; on PostgreSQL both may run."""
    primeiro = Agendador(factory, despachar=Capturas(str(factory.kw["bind"].url)))
    primeiro.passo()
    segundo = Agendador(factory, despachar=primeiro._despachar)
    try:
        if db_backend == "sqlite":
            with pytest.raises(LockOcupado, match="outro `sinesys scheduler run`"):
                segundo.passo()
            result = sinesys("scheduler", "run", "--once")
            assert result.exit_code == 1
            assert "SQLite" in result.stderr
        else:
            segundo.passo()
    finally:
        primeiro.fechar()
    segundo.passo()  # the first gave the lock back
    segundo.fechar()


def test_concurrent_schedulers_dispatch_each_run_once(
    factory, database_url: str, db_backend: str, advogado_id: int, credenciais: list[int]
) -> None:
    """Three schedulers passing at once over 60 due schedules dispatch each run exactly once (threads here;
    the process test with kill -9 is in test_scheduler_processos.py)."""
    if db_backend == "sqlite":
        pytest.skip("one scheduler at a time on SQLite")
    with session_scope(factory=factory) as session:
        repo = AgendamentosRepository(session)
        for _ in range(60):
            repo.add(tipo_captura="acervo_geral", periodicidade="diario", advogado_id=advogado_id,
                     credencial_ids=credenciais[:1], horario="07:00", proxima_execucao=T0)  # fmt: skip
    capturas = Capturas(database_url)
    relogio = Relogio(T0 + dt.timedelta(seconds=5))
    agendadores = [
        Agendador(make_session_factory(make_engine(database_url)), despachar=capturas, relogio=relogio, lote=4)
        for _ in range(3)
    ]
    barreira = threading.Barrier(3)

    def _rodar(a: Agendador) -> None:
        barreira.wait()
        for _ in range(5):
            a.passo()

    threads = [threading.Thread(target=_rodar, args=(a,)) for a in agendadores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    chaves = [(p.agendamento_id, p.agendado_para) for p, _ in capturas.pedidos]
    assert len(chaves) == 60
    assert len(set(chaves)) == 60
    with session_scope(factory=factory) as session:
        rows = session.scalars(select(AgendamentoExecucao)).all()
        assert len(rows) == 60
        assert {r.status for r in rows} == {"despachada"}
        assert len({r.dono for r in rows}) >= 2  # the work was shared


def test_a_takeover_records_the_capture_a_dead_scheduler_created_instead_of_starting_another(
    factory, database_url: str, advogado_id: int, credenciais: list[int]
) -> None:
    """A scheduler that created the capture and died before recording it: the scheduler taking the run over after
    the lease finds that capture (same schedule, time and credentials) and records it; nothing is dispatched twice."""
    relogio = Relogio(T0)
    novo = _criar(factory, advogado_id, credenciais[:1], relogio, tipo_captura="acervo_geral")
    relogio.agora = dt.datetime(2026, 3, 11, 10, 0, tzinfo=dt.UTC)
    with session_scope(factory=factory) as session:
        repo = AgendamentoExecucoesRepository(session)
        [run] = repo.criar_devidas(agora=relogio.agora, proxima=lambda _a, t: t + dt.timedelta(days=1),
                                   tolerancia=dt.timedelta(minutes=2))  # fmt: skip
        repo.reivindicar(dono="morto", agora=relogio.agora, lease=dt.timedelta(seconds=1))
        run_id, agendado_para = run.id, run.agendado_para
    existente = ServicoCapturas(factory).criar(
        "acervo_geral", advogado_id=advogado_id, credencial_ids=credenciais[:1], parametros={},
        origem="agendamento", agendamento_id=novo, agendado_para=agendado_para,
    )  # fmt: skip
    relogio.agora += dt.timedelta(seconds=5)
    capturas = Capturas(database_url)
    assert Agendador(factory, despachar=capturas, relogio=relogio).passo().despachadas == 1
    assert capturas.pedidos == []
    with session_scope(factory=factory) as session:
        row = session.get(AgendamentoExecucao, run_id)
        assert (row.status, row.captura_id, row.reivindicacoes) == ("despachada", existente, 2)


def test_every_pass_reaps_a_dead_crawl_so_no_capture_stays_in_progress(
    factory, database_url: str, credenciais: list[int]
) -> None:
    """A crawl killed without a word (kill -9, OOM) is failed CAPTURA_INTERROMPIDA by the scheduler's next pass."""
    import functools

    from scheduler.capturas import despachar_pendentes
    from sinesys_spiders.core.capturas_jobs import CAPTURA_INTERROMPIDA
    from sinesys_spiders.core.config import Settings
    from sinesys_spiders.core.db.models import CapturaLog
    from sinesys_spiders.core.domain import StatusCaptura

    servico = ServicoCapturas(factory)
    captura_id = servico.criar(
        "acervo_geral", advogado_id=None, credencial_ids=credenciais[:1], parametros={}, origem="cli"
    )
    servico.iniciar(captura_id)
    settings = Settings(database_url=database_url)
    agendador = Agendador(factory, manutencao=functools.partial(despachar_pendentes, settings, servico=servico))
    agendador.passo()
    assert servico.obter(captura_id).status is StatusCaptura.IN_PROGRESS  # its heartbeat is fresh
    with session_scope(factory=factory) as session:
        session.get(CapturaLog, captura_id).heartbeat_em = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=3)
    agendador.passo()
    captura = servico.obter(captura_id)
    assert captura.status is StatusCaptura.FAILED
    assert captura.resultado["erro"]["codigo"] == CAPTURA_INTERROMPIDA


def test_a_failing_housekeeping_never_stops_dispatching(
    factory, database_url: str, advogado_id: int, credenciais: list[int]
) -> None:
    """If reaping fails (a database hiccup), due runs are still dispatched in the same pass."""
    relogio = Relogio(T0)
    _criar(factory, advogado_id, credenciais[:1], relogio)
    capturas = Capturas(database_url)

    def _quebrada() -> None:
        raise RuntimeError("banco fora do ar")

    agendador = Agendador(factory, despachar=capturas, relogio=relogio, manutencao=_quebrada)
    relogio.agora = dt.datetime(2026, 3, 11, 10, 0, 30, tzinfo=dt.UTC)
    assert agendador.passo().despachadas == 1
