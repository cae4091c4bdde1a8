"""The capture as read by everyone (CLI, API, scheduler): :class:`Captura`, and the names of its life cycle."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from pydantic import BaseModel, ConfigDict

from sinesys_spiders.core.domain import StatusCaptura

__all__ = [
    "CAPTURA_CANCELADA",
    "CAPTURA_INTERROMPIDA",
    "TERMINAIS",
    "Captura",
    "Origem",
]

#: Code of a capture whose crawl stopped without finishing it (kill -9, OOM, lost machine, closed early).
CAPTURA_INTERROMPIDA = "CAPTURA_INTERROMPIDA"
#: Code recorded when a capture is cancelled.
CAPTURA_CANCELADA = "CAPTURA_CANCELADA"

#: Statuses a capture never leaves.
TERMINAIS = frozenset({StatusCaptura.COMPLETED, StatusCaptura.FAILED, StatusCaptura.CANCELLED})


class Origem(enum.StrEnum):
    """Who asked for a capture."""

    CLI = "cli"
    API = "api"
    AGENDAMENTO = "agendamento"
    RECOVERY = "recovery"


class Captura(BaseModel):
    """One ``capturas_log`` row: what was asked, by whom, the job that runs it and what came out."""

    model_config = ConfigDict(frozen=True)

    id: int
    tipo_captura: str
    advogado_id: int | None
    credencial_ids: list[int]
    status: StatusCaptura
    parametros: dict[str, Any]
    resultado: dict[str, Any]
    erro: str | None
    criado_em: dt.datetime
    iniciado_em: dt.datetime | None
    concluido_em: dt.datetime | None
    origem: Origem
    solicitante: str | None
    runner: str | None
    job_id: str | None
    node: str | None
    heartbeat_em: dt.datetime | None
    agendamento_id: int | None
    agendado_para: dt.datetime | None
    motivo_pendente: str | None
    cancelamento_pedido_em: dt.datetime | None

    @property
    def terminada(self) -> bool:
        return self.status in TERMINAIS

    @property
    def resultados(self) -> list[dict[str, Any]]:
        """Per credential: ``{credencial_id, tribunal, grau, resultado: {...counts}}`` or ``{..., erro: {...}}``."""
        return list(self.resultado.get("resultados", []))

    @property
    def totais(self) -> dict[str, int]:
        from sinesys_spiders.core.historico import CONTAGENS

        return {key: int(self.resultado.get("totais", {}).get(key, 0)) for key in CONTAGENS}
