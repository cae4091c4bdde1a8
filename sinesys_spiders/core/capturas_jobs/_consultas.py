"""Reading captures: one, a filtered page, and what a dispatcher needs (slots taken, pending captures)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select

from sinesys_spiders.core.capturas_jobs._modelo import Captura, Origem
from sinesys_spiders.core.db.models import CapturaLog
from sinesys_spiders.core.domain import StatusCaptura
from sinesys_spiders.core.errors import EntradaInvalida, NaoEncontrado

if TYPE_CHECKING:
    import datetime as dt

    from sqlalchemy.orm import Session, sessionmaker

__all__ = ["RESERVADO", "ConsultasCapturas"]

#: ``job_id`` of a capture claimed by a dispatcher whose job is being started.
RESERVADO = "reservado"


def _captura(row: CapturaLog) -> Captura:
    return Captura(
        id=row.id,
        tipo_captura=row.tipo_captura,
        advogado_id=row.advogado_id,
        credencial_ids=list(row.credencial_ids or []),
        status=StatusCaptura(row.status),
        parametros=dict(row.parametros or {}),
        resultado=dict(row.resultado or {}),
        erro=row.erro,
        criado_em=row.created_at,
        iniciado_em=row.iniciado_em,
        concluido_em=row.concluido_em,
        origem=Origem(row.origem or Origem.CLI),
        solicitante=row.solicitante,
        runner=row.runner,
        job_id=row.job_id,
        node=row.node,
        heartbeat_em=row.heartbeat_em,
        agendamento_id=row.agendamento_id,
        agendado_para=row.agendado_para,
        motivo_pendente=row.motivo_pendente,
        cancelamento_pedido_em=row.cancelamento_pedido_em,
    )


def _origem(origem: Origem | str) -> str:
    try:
        return Origem(str(getattr(origem, "value", origem))).value
    except ValueError:
        aceitas = ", ".join(o.value for o in Origem)
        raise EntradaInvalida(f"origem desconhecida: {origem!r} (use {aceitas})") from None


class ConsultasCapturas:
    """The read side of :class:`~sinesys_spiders.core.capturas_jobs.ServicoCapturas` (mixed with
    :class:`~sinesys_spiders.core.historico.HistoricoService`, which gives ``_factory`` and ``_tipo``)."""

    _factory: sessionmaker[Session]

    if TYPE_CHECKING:  # given by HistoricoService at run time

        @staticmethod
        def _tipo(tipo: str) -> str: ...

    def obter(self, captura_id: int) -> Captura:
        """The capture ``captura_id``; :class:`NaoEncontrado` when there is none."""
        with self._factory() as session:
            row = session.get(CapturaLog, captura_id)
            if row is None:
                raise NaoEncontrado(f"captura {captura_id} não encontrada")
            return _captura(row)

    def listar(
        self,
        *,
        status: StatusCaptura | str | Iterable[StatusCaptura | str] | None = None,
        tipo_captura: str | None = None,
        advogado_id: int | None = None,
        origem: Origem | str | None = None,
        agendamento_id: int | None = None,
        runner: str | None = None,
        limite: int = 50,
        offset: int = 0,
    ) -> tuple[list[Captura], int]:
        """Newest first, with the total matching the filters (for pagination)."""
        query = select(CapturaLog)
        if status is not None:
            values = [status] if isinstance(status, str) else list(status)
            query = query.where(CapturaLog.status.in_([StatusCaptura(str(v)).value for v in values]))
        if tipo_captura is not None:
            query = query.where(CapturaLog.tipo_captura == self._tipo(tipo_captura))
        if advogado_id is not None:
            query = query.where(CapturaLog.advogado_id == advogado_id)
        if origem is not None:
            query = query.where(CapturaLog.origem == _origem(origem))
        if agendamento_id is not None:
            query = query.where(CapturaLog.agendamento_id == agendamento_id)
        if runner is not None:
            query = query.where(CapturaLog.runner == runner)
        with self._factory() as session:
            total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
            rows = session.scalars(query.order_by(CapturaLog.id.desc()).limit(limite).offset(offset))
            return [_captura(row) for row in rows], total

    def ocupadas(self, runner: str) -> int:
        """Captures holding a slot on ``runner``: in progress, or pending with a job already handed to it."""
        with self._factory() as session:
            query = select(func.count()).where(
                CapturaLog.runner == runner,
                or_(
                    CapturaLog.status == StatusCaptura.IN_PROGRESS.value,
                    (CapturaLog.status == StatusCaptura.PENDING.value) & CapturaLog.job_id.is_not(None),
                ),
            )
            return int(session.scalar(query) or 0)

    def pendentes_com_job(self, *, desde_antes_de: dt.datetime) -> list[Captura]:
        """Pending captures handed to a runner before ``desde_antes_de`` whose crawl has not started yet."""
        with self._factory() as session:
            rows = session.scalars(
                select(CapturaLog).where(
                    CapturaLog.status == StatusCaptura.PENDING.value,
                    CapturaLog.job_id.is_not(None),
                    CapturaLog.job_id != RESERVADO,
                    CapturaLog.updated_at < desde_antes_de,
                )
            )
            return [_captura(row) for row in rows]

    def pendentes_sem_job(self, *, limite: int = 100) -> list[Captura]:
        """Pending captures not yet handed to a runner (oldest first): what a dispatcher starts next."""
        with self._factory() as session:
            rows = session.scalars(
                select(CapturaLog)
                .where(CapturaLog.status == StatusCaptura.PENDING.value, CapturaLog.job_id.is_(None))
                .order_by(CapturaLog.id)
                .limit(limite)
            )
            return [_captura(row) for row in rows]
