"""The capture service: :class:`ServicoCapturas`, the one owner of a ``capturas_log`` row's life.

It grows out of :class:`~sinesys_spiders.core.historico.HistoricoService` (results per credential, finish, fail)
and adds the job side: who asked, the job that runs it, heartbeat, cancel and the reaper. Every call is its own
short transaction, so any number of processes (runners, the API, the scheduler, crawls) can share the table.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from sinesys_spiders.core.capturas_jobs._consultas import RESERVADO, ConsultasCapturas, _origem
from sinesys_spiders.core.capturas_jobs._modelo import (
    CAPTURA_CANCELADA,
    CAPTURA_INTERROMPIDA,
    TERMINAIS,
    Origem,
)
from sinesys_spiders.core.config import Settings, get_settings
from sinesys_spiders.core.db.models import Advogado, CapturaLog, Credencial
from sinesys_spiders.core.db.repositories.locks import LocksRepository
from sinesys_spiders.core.domain import StatusCaptura
from sinesys_spiders.core.errors import EntradaInvalida, NaoEncontrado, RedisIndisponivel
from sinesys_spiders.core.historico import HistoricoService, TransicaoInvalida
from sinesys_spiders.core.timeutil import utcnow

__all__ = ["ServicoCapturas"]

logger = logging.getLogger(__name__)


class ServicoCapturas(ConsultasCapturas, HistoricoService):
    """Create, dispatch, watch, cancel, finish and reap captures (see the package docstring)."""

    def __init__(self, session_factory: sessionmaker[Session], *, heartbeat_limite: float | None = None) -> None:
        super().__init__(session_factory)
        self.heartbeat_limite = (
            heartbeat_limite if heartbeat_limite is not None else get_settings().captura_heartbeat_limite
        )

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> ServicoCapturas:
        """The service on the configured database (``SINESYS_DATABASE_URL``)."""
        from sinesys_spiders.core.db.engine import get_session_factory

        settings = settings or get_settings()
        return cls(
            get_session_factory(settings.effective_database_url), heartbeat_limite=settings.captura_heartbeat_limite
        )

    @classmethod
    def from_url(cls, database_url: str | None = None) -> ServicoCapturas:
        from sinesys_spiders.core.db.engine import get_session_factory

        return cls(get_session_factory(database_url))

    # -- creating ------------------------------------------------------------------------------

    def criar(
        self,
        tipo_captura: str,
        *,
        advogado_id: int | None,
        credencial_ids: Iterable[int],
        parametros: Mapping[str, Any],
        origem: Origem | str,
        solicitante: str | None = None,
        agendamento_id: int | None = None,
        agendado_para: dt.datetime | None = None,
    ) -> int:
        """A new ``pending`` capture; its lawyer and credentials must exist (else nothing is written)."""
        tipo = self._tipo(tipo_captura)
        origem_text = _origem(origem)
        ids = sorted({int(i) for i in credencial_ids})
        if advogado_id is None and not ids:
            raise EntradaInvalida("informe as credenciais ou o advogado da captura")
        with self._factory.begin() as session:
            self._validar(session, advogado_id, ids)
            row = CapturaLog(
                tipo_captura=tipo,
                advogado_id=advogado_id,
                credencial_ids=ids,
                status=StatusCaptura.PENDING.value,
                parametros=dict(parametros),
                resultado={"credenciais_processadas": 0, "totais": {}, "resultados": []},
                origem=origem_text,
                solicitante=solicitante,
                agendamento_id=agendamento_id,
                agendado_para=agendado_para,
            )
            session.add(row)
            session.flush()
            return row.id

    @staticmethod
    def _validar(session: Session, advogado_id: int | None, ids: list[int]) -> None:
        if advogado_id is not None and session.get(Advogado, advogado_id) is None:
            raise NaoEncontrado(f"advogado {advogado_id} não existe")
        if not ids:
            return
        found = {row.id: row for row in session.scalars(select(Credencial).where(Credencial.id.in_(ids)))}
        missing = [i for i in ids if i not in found]
        if missing:
            raise NaoEncontrado(f"credencial {', '.join(map(str, missing))} não existe")
        inactive = [i for i in ids if not found[i].active]
        if inactive:
            raise EntradaInvalida(f"credencial {', '.join(map(str, inactive))} está desativada")
        if advogado_id is not None:
            other = [i for i in ids if found[i].advogado_id != advogado_id]
            if other:
                raise EntradaInvalida(f"credencial {', '.join(map(str, other))} não é do advogado {advogado_id}")

    # -- the job -------------------------------------------------------------------------------

    def registrar_job(self, captura_id: int, *, runner: str, job_id: str, node: str | None = None) -> None:
        """Record the job that runs the capture (it is no longer waiting for a slot)."""
        with self._factory.begin() as session:
            row = self._lock(session, captura_id)
            if StatusCaptura(row.status) in TERMINAIS:
                raise TransicaoInvalida(f"captura {captura_id} já está {row.status}")
            row.runner, row.job_id, row.node = runner, str(job_id), node
            row.motivo_pendente = None

    def reservar(self, captura_id: int, *, runner: str) -> bool:
        """Claim a pending capture for dispatch (once, across processes); False when another process has it."""
        with self._factory.begin() as session:
            result = session.execute(
                update(CapturaLog)
                .where(
                    CapturaLog.id == captura_id,
                    CapturaLog.status == StatusCaptura.PENDING.value,
                    CapturaLog.job_id.is_(None),
                )
                .values(runner=runner, job_id=RESERVADO, motivo_pendente=None)
                .execution_options(synchronize_session=False)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def descartar(self, captura_id: int) -> None:
        """Delete a capture that never got a job (its dispatch failed as it was created: nothing half-written)."""
        with self._factory.begin() as session:
            row = self._lock(session, captura_id)
            if row.status != StatusCaptura.PENDING.value or row.job_id not in (None, RESERVADO):
                raise TransicaoInvalida(f"captura {captura_id} já foi despachada: não pode ser descartada")
            session.delete(row)

    def aguardar_vaga(self, captura_id: int, *, runner: str, motivo: str) -> None:
        """The capture stays ``pending`` and says why (no free slot on its runner...)."""
        with self._factory.begin() as session:
            row = self._lock(session, captura_id)
            if StatusCaptura(row.status) is not StatusCaptura.PENDING:
                return
            row.runner, row.motivo_pendente = runner, motivo
            if row.job_id == RESERVADO:
                row.job_id = None

    def iniciar(
        self,
        captura_id: int | None = None,
        *,
        runner: str | None = None,
        job_id: str | None = None,
        node: str | None = None,
        **kwargs: Any,
    ) -> int:
        """``pending → in_progress`` (see :meth:`HistoricoService.start`), with a first heartbeat and the job that
        runs it when no runner recorded one (a crawl started by hand or straight through Scrapyd)."""
        captura_id = self.start(captura_id, **kwargs)
        self.heartbeat(captura_id, runner=runner, job_id=job_id, node=node)
        return captura_id

    def heartbeat(
        self, captura_id: int, *, runner: str | None = None, job_id: str | None = None, node: str | None = None
    ) -> bool:
        """The crawl is alive; return True when a cancel was asked (the crawl should stop)."""
        with self._factory.begin() as session:
            row = self._lock(session, captura_id)
            if StatusCaptura(row.status) in TERMINAIS:
                return True
            row.heartbeat_em = utcnow()
            if job_id and row.job_id in (None, RESERVADO):
                row.runner, row.job_id, row.node = runner or row.runner, job_id, node
            return row.cancelamento_pedido_em is not None

    def registrar_silenciosas(self, captura_id: int) -> None:
        """Every credential of the capture that reported nothing gets a zero result (it is still reported)."""
        with self._factory() as session:
            row = self._lock(session, captura_id)
            reported = {entry["credencial_id"] for entry in (row.resultado or {}).get("resultados", [])}
            missing = sorted(set(row.credencial_ids or []) - reported)
            found = (
                session.execute(
                    select(Credencial.id, Credencial.tribunal, Credencial.grau).where(Credencial.id.in_(missing))
                ).all()
                if missing
                else []
            )
        for credencial_id, tribunal, grau in found:
            self.record_result(captura_id, credencial_id=credencial_id, tribunal=tribunal, grau=grau, contagem={})

    # -- ending --------------------------------------------------------------------------------

    def concluir(self, captura_id: int, *, motivo: str = "finished") -> StatusCaptura:
        """End the crawl's capture: ``cancelled`` when a cancel was asked; ``finished`` → completed/failed by its
        credentials; any other ``motivo`` (a Scrapy close reason) → failed ``CAPTURA_INTERROMPIDA``."""
        row = self.obter(captura_id)
        if row.terminada:
            return row.status
        if row.cancelamento_pedido_em is not None or motivo == "cancelled":
            return self._encerrar_cancelada(captura_id)
        if motivo == "finished":
            return self.finish(captura_id)
        self.fail(captura_id, {"codigo": CAPTURA_INTERROMPIDA, "mensagem": f"captura interrompida ({motivo})"})
        return StatusCaptura.FAILED

    def cancelar(self, captura_id: int) -> StatusCaptura:
        """Cancel: a ``pending`` capture is ``cancelled`` at once; an ``in_progress`` one is asked to stop (its crawl
        sees it at the next heartbeat, or its runner stops the job) and the status returned is ``in_progress``."""
        with self._factory.begin() as session:
            row = self._lock(session, captura_id)
            status = StatusCaptura(row.status)
            if status in TERMINAIS:
                raise TransicaoInvalida(f"captura {captura_id} já está {status.value}: nada a cancelar")
            row.cancelamento_pedido_em = row.cancelamento_pedido_em or utcnow()
            if status is StatusCaptura.IN_PROGRESS:
                return status
        return self._encerrar_cancelada(captura_id)

    def _encerrar_cancelada(self, captura_id: int) -> StatusCaptura:
        with self._factory.begin() as session:
            row = self._lock(session, captura_id)
            if StatusCaptura(row.status) in TERMINAIS:
                return StatusCaptura(row.status)
            resultado = dict(row.resultado or {})
            resultado["erro"] = {"codigo": CAPTURA_CANCELADA, "mensagem": "captura cancelada"}
            row.resultado = resultado
            row.erro = f"{CAPTURA_CANCELADA}: captura cancelada"
            row.status = StatusCaptura.CANCELLED.value
            row.concluido_em = utcnow()
            row.motivo_pendente = None
        _liberar_locks(self._factory, captura_id)
        return StatusCaptura.CANCELLED

    def reap(self, *, agora: dt.datetime | None = None) -> list[int]:
        """Fail every ``in_progress`` capture whose heartbeat stopped more than ``heartbeat_limite`` seconds ago
        (``CAPTURA_INTERROMPIDA``; ``cancelled`` if a cancel was asked) and free its locks; return their ids."""
        agora = agora or utcnow()
        limite = agora - dt.timedelta(seconds=self.heartbeat_limite)
        visto = func.coalesce(CapturaLog.heartbeat_em, CapturaLog.iniciado_em, CapturaLog.created_at)
        with self._factory() as session:
            ids = list(
                session.scalars(
                    select(CapturaLog.id).where(
                        CapturaLog.status == StatusCaptura.IN_PROGRESS.value,
                        or_(visto < limite, visto.is_(None)),
                    )
                )
            )
        reaped = []
        for captura_id in ids:
            if self._reap_one(captura_id, limite):
                reaped.append(captura_id)
        return reaped

    def _reap_one(self, captura_id: int, limite: dt.datetime) -> bool:
        with self._factory.begin() as session:
            row = self._lock(session, captura_id)  # re-read under the lock: a heartbeat may have just come
            visto = row.heartbeat_em or row.iniciado_em or row.created_at
            if row.status != StatusCaptura.IN_PROGRESS.value or visto >= limite:
                return False
            cancelada = row.cancelamento_pedido_em is not None
        if cancelada:
            self._encerrar_cancelada(captura_id)
        else:
            segundos = int(self.heartbeat_limite)
            self.fail(
                captura_id,
                {
                    "codigo": CAPTURA_INTERROMPIDA,
                    "mensagem": f"o processo da captura parou sem encerrá-la (sem sinal há mais de {segundos} s)",
                },
            )
            _liberar_locks(self._factory, captura_id)
        logger.warning("captura %s: sem sinal do crawl, marcada %s", captura_id, "cancelled" if cancelada else "failed")
        return True


def _liberar_locks(factory: sessionmaker[Session], captura_id: int) -> None:
    """Free the locks a finished-by-force capture still holds (session turns, case locks)."""
    with factory.begin() as session:
        keys = LocksRepository(session).release_of_captura(captura_id=captura_id)
    keys += _liberar_locks_redis(captura_id)
    if keys:
        logger.info("captura %s: %d locks liberados", captura_id, len(keys))


def _liberar_locks_redis(captura_id: int) -> list[str]:
    """The same in Redis when ``SINESYS_REDIS_URL`` is set; a Redis that is down leaves them to lapse by their TTL."""
    from sinesys_spiders.core.locks.redis import RedisLockBackend
    from sinesys_spiders.core.redis_conexao import abrir_redis

    try:
        conexao = abrir_redis()
        return [] if conexao is None else RedisLockBackend(conexao).release_of_captura(captura_id)
    except RedisIndisponivel as exc:
        logger.warning("captura %s: locks no Redis não liberados (expiram sozinhos): %s", captura_id, exc)
        return []
