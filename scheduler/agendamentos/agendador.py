"""The scheduler loop (``sinesys scheduler run``): turn due schedules into runs, claim them, dispatch, retry.

Each pass, on the database shared by every scheduler process:

1. due schedules become run rows and move to their next time, in one transaction per batch
   (:meth:`AgendamentoExecucoesRepository.criar_devidas`): one row per (schedule, scheduled time), so a run exists
   once however many schedulers look; a run more than ``tolerancia`` late (the scheduler was down) is marked late,
   and only the last missed time runs;
2. runs that are due (or whose claim's lease lapsed: its scheduler died) are claimed under a lease
   (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), then dispatched through the capture service; only the owner of a
   current lease records the capture;
3. dispatched runs whose capture ended are settled: credentials that failed with transient errors get another
   attempt after a backoff with full jitter (:mod:`.retentativas`), at most ``politica.tentativas`` in all.

On SQLite one scheduler runs at a time (``scheduler:sqlite`` lock); a second one gets :class:`LockOcupado`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
import secrets
import socket
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from scheduler.agendamentos.despacho import (
    Consulta,
    Despacho,
    PedidoDespacho,
    captura_existente,
    despachar_captura,
    situacao_captura,
)
from scheduler.agendamentos.parametros import argumentos_spider
from scheduler.agendamentos.regras import proxima_execucao
from scheduler.agendamentos.retentativas import PoliticaRetentativas, credenciais_a_repetir
from scheduler.agendamentos.servico import regra_de
from sinesys_spiders.core.db.engine import session_scope
from sinesys_spiders.core.db.models import Agendamento, AgendamentoExecucao
from sinesys_spiders.core.db.repositories import AgendamentoExecucoesRepository, AgendamentosRepository
from sinesys_spiders.core.errors import LockOcupado, TransientError
from sinesys_spiders.core.locks import Lease, SqlLockBackend
from sinesys_spiders.core.timeutil import utcnow

__all__ = ["Agendador", "Passo"]

logger = logging.getLogger(__name__)

_CHAVE_SQLITE = "scheduler:sqlite"


@dataclasses.dataclass(slots=True)
class Passo:
    """What one pass did (for logs and tests)."""

    criadas: int = 0
    despachadas: int = 0
    falhas: int = 0
    retentativas: int = 0


class Agendador:
    """One scheduler process's loop; any number may run against one PostgreSQL database."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        despachar: Despacho | None = None,
        consultar: Consulta | None = None,
        lease: float = 120.0,
        intervalo: float = 5.0,
        tolerancia: float = 120.0,
        lote: int = 20,
        politica: PoliticaRetentativas | None = None,
        relogio: Callable[[], dt.datetime] = utcnow,
        manutencao: Callable[[], Any] | None = None,
    ) -> None:
        self._factory = session_factory
        #: Run at every pass before settling: the captures' housekeeping (reap dead crawls, start pending ones).
        self._manutencao = manutencao
        self._despachar = despachar or despachar_captura
        self._consultar = consultar or functools.partial(situacao_captura, session_factory=session_factory)
        self.lease = dt.timedelta(seconds=lease)
        self.intervalo = intervalo
        self.tolerancia = dt.timedelta(seconds=tolerancia)
        self.lote = lote
        self.politica = politica or PoliticaRetentativas()
        self._relogio = relogio
        self.dono = f"{socket.gethostname()[:30]}-{secrets.token_hex(6)}"
        self._sqlite = session_factory.kw["bind"].dialect.name == "sqlite"
        self._locks = SqlLockBackend(session_factory) if self._sqlite else None
        self._lease_sqlite: Lease | None = None

    # -- the only scheduler on SQLite -----------------------------------------------------------------

    def _assegurar_exclusivo(self) -> None:
        if self._locks is None:
            return
        ttl = max(3 * self.intervalo, 30.0)
        if self._lease_sqlite is not None:
            self._lease_sqlite = self._locks.extend(self._lease_sqlite, ttl=ttl)
        if self._lease_sqlite is None:
            self._lease_sqlite = self._locks.try_acquire(_CHAVE_SQLITE, ttl=ttl, metadata={"dono": self.dono})
        if self._lease_sqlite is None:
            raise LockOcupado(
                "outro `sinesys scheduler run` já está em execução neste banco SQLite (só um por vez; "
                "para vários, use PostgreSQL)"
            )

    def fechar(self) -> None:
        """Give back the SQLite lock (the next scheduler may start at once)."""
        if self._locks is not None and self._lease_sqlite is not None:
            self._locks.release(self._lease_sqlite)
            self._lease_sqlite = None

    # -- one pass ------------------------------------------------------------------------------------

    def _proxima(self, agora: dt.datetime) -> Callable[[Agendamento, dt.datetime], dt.datetime | None]:
        def _calc(agendamento: Agendamento, agendado_para: dt.datetime) -> dt.datetime | None:
            try:
                regra = regra_de(
                    agendamento.periodicidade,
                    agendamento.horario,
                    agendamento.intervalo,
                    agendamento.parametros_extras or {},
                )
            except ValueError as exc:  # a row written around the service: stop it rather than loop on it
                logger.error("agendamento %s desativado: regra inválida (%s)", agendamento.id, exc)
                agendamento.ativo = False
                return None
            return proxima_execucao(regra, agendado_para, agora)

        return _calc

    def passo(self) -> Passo:
        """One pass: create due runs, claim and dispatch what is due, settle ended captures."""
        self._assegurar_exclusivo()
        resultado = Passo()
        agora = self._relogio()
        with session_scope(factory=self._factory) as session:
            criadas = AgendamentoExecucoesRepository(session).criar_devidas(
                agora=agora, proxima=self._proxima(agora), tolerancia=self.tolerancia, limite=self.lote * 5
            )
            resultado.criadas = len(criadas)
        while True:
            reivindicadas = self._reivindicar()
            for execucao_id, pedido, retomada in reivindicadas:
                if self._despachar_uma(execucao_id, pedido, retomada):
                    resultado.despachadas += 1
                else:
                    resultado.falhas += 1
            if len(reivindicadas) < self.lote:
                break
        if self._manutencao is not None:
            try:
                self._manutencao()
            except Exception:  # housekeeping must never stop dispatching; the next pass tries again
                logger.exception("scheduler: manutenção das capturas falhou; nova tentativa no próximo passo")
        resultado.retentativas = self._acertar()
        return resultado

    def _reivindicar(self) -> list[tuple[int, PedidoDespacho | str, dt.datetime | None]]:
        agora = self._relogio()
        out: list[tuple[int, PedidoDespacho | str, dt.datetime | None]] = []
        with session_scope(factory=self._factory) as session:
            rows = AgendamentoExecucoesRepository(session).reivindicar(
                dono=self.dono, agora=agora, lease=self.lease, limite=self.lote
            )
            agendamentos = AgendamentosRepository(session)
            for row in rows:
                agendamento = agendamentos.get(agendamento_id=row.agendamento_id)
                if agendamento is None:  # deleted meanwhile (its runs go with it)
                    continue
                try:
                    argumentos = argumentos_spider(
                        agendamento.tipo_captura, agendamento.parametros_extras or {}, row.agendado_para
                    )
                except ValueError as exc:
                    out.append((row.id, f"parametros_extras inválidos: {exc}", None))
                    continue
                pedido = PedidoDespacho(
                    tipo_captura=agendamento.tipo_captura,
                    advogado_id=agendamento.advogado_id,
                    credencial_ids=tuple(row.credencial_ids),
                    parametros=argumentos,
                    agendamento_id=agendamento.id,
                    agendado_para=row.agendado_para,
                    solicitante=f"scheduler:{self.dono}",
                )
                retomada = row.created_at if row.reivindicacoes > 1 else None  # taken over after a lapsed lease
                out.append((row.id, pedido, retomada))
        return out

    def _despachar_uma(self, execucao_id: int, pedido: PedidoDespacho | str, retomada: dt.datetime | None) -> bool:
        if isinstance(pedido, str):
            with session_scope(factory=self._factory) as session:
                AgendamentoExecucoesRepository(session).marcar_falha(
                    execucao_id=execucao_id, dono=self.dono, erro=pedido, agora=self._relogio()
                )
            return False
        with session_scope(factory=self._factory) as session:
            if not AgendamentoExecucoesRepository(session).ainda_minha(
                execucao_id=execucao_id, dono=self.dono, agora=self._relogio()
            ):
                logger.warning("execução %s: a reivindicação expirou antes do despacho", execucao_id)
                return False
        existente = captura_existente(pedido, desde=retomada, session_factory=self._factory) if retomada else None
        try:
            captura_id = existente if existente is not None else self._despachar(pedido)
        except TransientError as exc:  # the runner is unreachable: the run is due again after a backoff
            return self._devolver(execucao_id, exc)
        except Exception as exc:  # the capture service refused it (unknown credential...): visible, not retried
            logger.warning("execução %s: despacho falhou (%s: %s)", execucao_id, type(exc).__name__, exc)
            with session_scope(factory=self._factory) as session:
                AgendamentoExecucoesRepository(session).marcar_falha(
                    execucao_id=execucao_id, dono=self.dono, erro=f"{type(exc).__name__}: {exc}", agora=self._relogio()
                )
            return False
        agora = self._relogio()
        with session_scope(factory=self._factory) as session:
            ok = AgendamentoExecucoesRepository(session).marcar_despachada(
                execucao_id=execucao_id, dono=self.dono, captura_id=captura_id, agora=agora
            )
            AgendamentosRepository(session).mark_executed(agendamento_id=pedido.agendamento_id, quando=agora)
        if not ok:
            logger.error("execução %s: captura %s iniciada depois de a reivindicação expirar", execucao_id, captura_id)
        logger.info("agendamento %s (%s): captura %s iniciada", pedido.agendamento_id, pedido.agendado_para, captura_id)
        return True

    def _devolver(self, execucao_id: int, exc: TransientError) -> bool:
        agora = self._relogio()
        with session_scope(factory=self._factory) as session:
            repo = AgendamentoExecucoesRepository(session)
            row = repo.session.get(AgendamentoExecucao, execucao_id)
            vezes = row.reivindicacoes if row is not None else 1
            if vezes >= self.politica.despachos:
                repo.marcar_falha(
                    execucao_id=execucao_id, dono=self.dono, erro=f"{exc.code}: {exc.message}", agora=agora
                )
                logger.warning("execução %s: despacho falhou %s vezes (%s); desistindo", execucao_id, vezes, exc.code)
                return False
            espera = dt.timedelta(seconds=self.politica.espera(vezes))
            repo.devolver(execucao_id=execucao_id, dono=self.dono, nao_antes_de=agora + espera,
                          erro=f"{exc.code}: {exc.message}", agora=agora)  # fmt: skip
        logger.warning("execução %s: despacho adiado %.0f s (%s)", execucao_id, espera.total_seconds(), exc.message)
        return False

    def _acertar(self) -> int:
        """Settle dispatched runs whose capture ended; schedule retries of transient failures."""
        novas = 0
        agora = self._relogio()
        with session_scope(factory=self._factory) as session:
            repo = AgendamentoExecucoesRepository(session)
            for row in repo.despachadas(limite=self.lote * 5):
                situacao = self._consultar(row.captura_id) if row.captura_id is not None else None
                if situacao is not None and not situacao.terminada:
                    continue
                repetir = (
                    credenciais_a_repetir(
                        situacao.resultados, credencial_ids=row.credencial_ids, erro_geral=situacao.erro
                    )
                    if situacao is not None
                    else []
                )
                repetir = [c for c in repetir if c in row.credencial_ids]
                repo.marcar_concluida(execucao_id=row.id, agora=agora)
                if repetir and row.tentativa < self.politica.tentativas:
                    espera = dt.timedelta(seconds=self.politica.espera(row.tentativa))
                    repo.adicionar(
                        agendamento_id=row.agendamento_id,
                        agendado_para=row.agendado_para,
                        credencial_ids=repetir,
                        tentativa=row.tentativa + 1,
                        nao_antes_de=agora + espera,
                        manual=row.manual,
                        atrasada=row.atrasada,
                    )
                    novas += 1
                    logger.info(
                        "execução %s: credenciais %s falharam por erro transitório; tentativa %s em %.0f s",
                        row.id, repetir, row.tentativa + 1, espera.total_seconds(),
                    )  # fmt: skip
        return novas

    # -- the long-running loop -----------------------------------------------------------------------

    def rodar(self, parar: threading.Event, *, ao_passar: Callable[[Passo], Any] | None = None) -> None:
        """Pass every ``intervalo`` seconds until ``parar`` is set (a pass in progress finishes first)."""
        try:
            while not parar.is_set():
                try:
                    passo = self.passo()
                except LockOcupado:
                    raise
                except Exception:  # a database hiccup: log it and try again next pass
                    logger.exception("scheduler: passo falhou; nova tentativa em %.0f s", self.intervalo)
                else:
                    if ao_passar is not None:
                        ao_passar(passo)
                parar.wait(self.intervalo)
        finally:
            self.fechar()
