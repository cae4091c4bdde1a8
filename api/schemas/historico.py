"""Capture history (``capturas_log``) as the frontend reads it."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from api.schemas.base import Id, Modelo, Paginacao

__all__ = ["CapturaSaida", "HistoricoConsulta", "HistoricoLista", "StatusCaptura", "TipoCapturaNome"]

StatusCaptura = Literal["pending", "in_progress", "completed", "failed", "cancelled"]
TipoCapturaNome = Literal["acervo_geral", "arquivados", "audiencias", "pendentes", "partes", "timeline", "combinada"]


class HistoricoConsulta(Paginacao):
    tipo_captura: TipoCapturaNome | None = None
    advogado_id: Id | None = None
    status: StatusCaptura | None = None
    data_inicio: dt.date | None = Field(default=None, description="AAAA-MM-DD (início da captura, inclusive)")
    data_fim: dt.date | None = Field(default=None, description="AAAA-MM-DD (inclusive)")


class CapturaSaida(Modelo):
    id: int
    tipo_captura: str
    advogado_id: int | None
    credencial_ids: list[int]
    status: str
    resultado: dict[str, Any] | None
    erro: str | None
    iniciado_em: dt.datetime | None
    concluido_em: dt.datetime | None
    created_at: dt.datetime | None = None
    solicitante: str | None = None


class HistoricoLista(Modelo):
    capturas: list[CapturaSaida]
    total: int
    pagina: int
    limite: int
    totalPaginas: int
