"""Data access for ``capturas_log``: the history of capture runs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select

from sinesys_spiders.core.db.models import CapturaLog
from sinesys_spiders.core.db.repositories._base import Repository, as_text
from sinesys_spiders.core.domain import StatusCaptura, TipoCaptura
from sinesys_spiders.core.timeutil import utcnow

__all__ = ["CapturasLogRepository"]

_FINAL = (StatusCaptura.COMPLETED.value, StatusCaptura.FAILED.value)


class CapturasLogRepository(Repository):
    """Open, start, finish, read and list capture runs."""

    def create(
        self,
        *,
        tipo_captura: TipoCaptura | str,
        advogado_id: int | None = None,
        credencial_ids: Iterable[int] = (),
        parametros: dict[str, Any] | None = None,
        status: StatusCaptura | str = StatusCaptura.PENDING,
    ) -> CapturaLog:
        """Open a history row (``pending`` unless told) and flush, so its id is known."""
        row = CapturaLog(
            tipo_captura=as_text(tipo_captura),
            advogado_id=advogado_id,
            credencial_ids=[int(i) for i in credencial_ids],
            parametros=dict(parametros or {}),
            status=as_text(status),
        )
        if row.status == StatusCaptura.IN_PROGRESS:
            row.iniciado_em = utcnow()
        self.session.add(row)
        self.session.flush()
        return row

    def get(self, *, captura_id: int) -> CapturaLog | None:
        return self.session.get(CapturaLog, captura_id)

    def mark_in_progress(self, *, captura_id: int) -> CapturaLog | None:
        """Set ``in_progress`` and, the first time, ``iniciado_em``; ``None`` when absent."""
        row = self.get(captura_id=captura_id)
        if row is None:
            return None
        row.status = StatusCaptura.IN_PROGRESS.value
        if row.iniciado_em is None:
            row.iniciado_em = utcnow()
        self.session.flush()
        return row

    def finish(
        self,
        *,
        captura_id: int,
        status: StatusCaptura | str,
        resultado: dict[str, Any] | None = None,
        erro: str | None = None,
    ) -> CapturaLog | None:
        """Close a run as ``completed`` or ``failed`` with its result and error; ``None`` when absent."""
        status_text = as_text(status)
        if status_text not in _FINAL:
            raise ValueError(f"status final inválido: {status_text!r} (use completed ou failed)")
        row = self.get(captura_id=captura_id)
        if row is None:
            return None
        row.status = status_text
        row.resultado = resultado
        row.erro = erro
        row.concluido_em = utcnow()
        if row.iniciado_em is None:
            row.iniciado_em = row.concluido_em
        self.session.flush()
        return row

    def list_recent(
        self,
        *,
        limit: int = 50,
        offset: int = 0,
        tipo_captura: TipoCaptura | str | None = None,
        status: StatusCaptura | str | None = None,
        advogado_id: int | None = None,
    ) -> Sequence[CapturaLog]:
        """Newest runs first, filtered by type, status and lawyer."""
        query = select(CapturaLog).order_by(CapturaLog.created_at.desc(), CapturaLog.id.desc())
        if tipo_captura is not None:
            query = query.where(CapturaLog.tipo_captura == as_text(tipo_captura))
        if status is not None:
            query = query.where(CapturaLog.status == as_text(status))
        if advogado_id is not None:
            query = query.where(CapturaLog.advogado_id == advogado_id)
        return self.session.scalars(query.limit(limit).offset(offset)).all()
