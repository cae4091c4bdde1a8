"""Data access for ``captura_logs_brutos``: the SQL raw log (payloads as captured, replayable).

Like the credentials' repository, it stores ciphertexts it is given: the payload arrives sealed
(``payload_cifrado``, from ``sinesys_spiders.core.rawlog.cifra.seal_payload``) and is never written in
clear. ``sinesys_spiders.core.rawlog.sql.SqlRawLogStore`` is the API that seals and opens payloads.
"""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from sinesys_spiders.core.db.models import CapturaLogBruto
from sinesys_spiders.core.db.repositories._base import UNSET, Repository, Unset, as_text
from sinesys_spiders.core.domain import Grau, TipoCaptura, Tribunal

__all__ = ["RAW_LOG_STATUS", "RawLogRepository"]

RAW_LOG_STATUS = ("success", "error")


class RawLogRepository(Repository):
    """Append, read, update the processed result of, and filter raw log entries."""

    def append(
        self,
        *,
        tipo_captura: TipoCaptura | str,
        status: str,
        raw_log_id: str | None = None,
        captura_log_id: int | None = None,
        advogado_id: int | None = None,
        credencial_id: int | None = None,
        tribunal: Tribunal | str | None = None,
        grau: Grau | str | None = None,
        requisicao: dict[str, Any] | None = None,
        payload_cifrado: bytes | None = None,
        resultado_processado: Any = None,
        erro: str | None = None,
    ) -> CapturaLogBruto:
        """Store one sealed raw payload (``status`` success | error); ``raw_log_id`` defaults to a new uuid.

        ``payload_cifrado`` must be sealed for this ``raw_log_id`` (the associated data binds the two).
        """
        if status not in RAW_LOG_STATUS:
            raise ValueError(f"status de log bruto inválido: {status!r} (use success ou error)")
        row = CapturaLogBruto(
            raw_log_id=raw_log_id or str(uuid_module.uuid4()),
            captura_log_id=captura_log_id,
            tipo_captura=as_text(tipo_captura),
            advogado_id=advogado_id,
            credencial_id=credencial_id,
            tribunal=None if tribunal is None else as_text(tribunal),
            grau=None if grau is None else as_text(grau),
            status=status,
            requisicao=requisicao,
            payload_cifrado=payload_cifrado,
            resultado_processado=resultado_processado,
            erro=erro,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def get(self, *, raw_log_id: str) -> CapturaLogBruto | None:
        query = select(CapturaLogBruto).where(CapturaLogBruto.raw_log_id == raw_log_id)
        return self.session.scalars(query).one_or_none()

    def set_resultado(
        self,
        *,
        raw_log_id: str,
        resultado_processado: Any | Unset = UNSET,
        status: str | Unset = UNSET,
        erro: str | Unset | None = UNSET,
    ) -> CapturaLogBruto | None:
        """Record what persisting the payload produced; ``None`` when the entry does not exist."""
        if status is not UNSET and status not in RAW_LOG_STATUS:
            raise ValueError(f"status de log bruto inválido: {status!r} (use success ou error)")
        row = self.get(raw_log_id=raw_log_id)
        if row is None:
            return None
        if self._apply(row, resultado_processado=resultado_processado, status=status, erro=erro):
            self.session.flush()
        return row

    def list(
        self,
        *,
        captura_log_id: int | None = None,
        tipo_captura: TipoCaptura | str | None = None,
        status: str | None = None,
        tribunal: Tribunal | str | None = None,
        grau: Grau | str | None = None,
        advogado_id: int | None = None,
        credencial_id: int | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> Sequence[CapturaLogBruto]:
        """Entries matching every given filter, oldest first."""
        query = select(CapturaLogBruto).order_by(CapturaLogBruto.criado_em, CapturaLogBruto.id)
        filters = {
            CapturaLogBruto.captura_log_id: captura_log_id,
            CapturaLogBruto.tipo_captura: tipo_captura,
            CapturaLogBruto.status: status,
            CapturaLogBruto.tribunal: tribunal,
            CapturaLogBruto.grau: grau,
            CapturaLogBruto.advogado_id: advogado_id,
            CapturaLogBruto.credencial_id: credencial_id,
        }
        for column, value in filters.items():
            if value is not None:
                query = query.where(column == (value if isinstance(value, int) else as_text(value)))
        query = query.offset(offset)
        if limit is not None:
            query = query.limit(limit)
        return self.session.scalars(query).all()
