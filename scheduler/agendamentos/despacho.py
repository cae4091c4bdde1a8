"""The one place a schedule's run becomes a capture: through the capture service and its runners.

A run is handed to :func:`scheduler.capturas.iniciar_captura` (the capture jobs of DESIGN.md §8), which creates the
``capturas_log`` row (with ``origem="agendamento"``, the schedule and its scheduled time), starts the job through a
runner and returns the capture id at once. The scheduler never runs a crawl in its own process.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

__all__ = ["Despacho", "PedidoDespacho", "despachar_captura"]


@dataclasses.dataclass(frozen=True, slots=True)
class PedidoDespacho:
    """What a run asks the capture service for (ids and plain spider arguments, never a secret)."""

    tipo_captura: str
    advogado_id: int | None
    credencial_ids: tuple[int, ...]
    parametros: dict[str, Any]
    agendamento_id: int
    agendado_para: dt.datetime
    solicitante: str | None = None


#: Starts a capture for a run and returns its id (``despachar_captura``, or another runner in tests and benchmarks).
Despacho = Callable[[PedidoDespacho], int]


def despachar_captura(pedido: PedidoDespacho, *, runner: str | None = None) -> int:
    """Create the capture and start its job through the configured runner; the capture id."""
    from scheduler.capturas import iniciar_captura  # the capture service's facade
    from sinesys_spiders.core.config import get_settings

    return iniciar_captura(
        get_settings(),
        pedido.tipo_captura,
        advogado_id=pedido.advogado_id,
        credencial_ids=list(pedido.credencial_ids),
        parametros=dict(pedido.parametros),
        origem="agendamento",
        solicitante=pedido.solicitante,
        runner=runner,
        agendamento_id=pedido.agendamento_id,
        agendado_para=pedido.agendado_para,
    )


@dataclasses.dataclass(frozen=True, slots=True)
class SituacaoCaptura:
    """Where a dispatched capture stands: its status, per-credential results and whole-capture error."""

    status: str
    resultados: tuple[dict[str, Any], ...] = ()
    erro: dict[str, Any] | None = None

    @property
    def terminada(self) -> bool:
        return self.status in ("completed", "failed", "cancelled")


#: Reads a capture's status and results by id (``situacao_captura`` by default).
Consulta = Callable[[int], SituacaoCaptura | None]


def situacao_captura(
    captura_id: int, *, session_factory: sessionmaker[Session] | None = None
) -> SituacaoCaptura | None:
    """The capture's status and results from the capture service; ``None`` when it is gone."""
    from sinesys_spiders.core.capturas_jobs import ServicoCapturas
    from sinesys_spiders.core.errors import NaoEncontrado

    servico = ServicoCapturas(session_factory) if session_factory is not None else ServicoCapturas.from_settings()
    try:
        captura = servico.obter(captura_id)
    except NaoEncontrado:
        return None
    erro = captura.resultado.get("erro")
    return SituacaoCaptura(captura.status.value, tuple(captura.resultados), erro if isinstance(erro, dict) else None)


def captura_existente(
    pedido: PedidoDespacho, *, desde: dt.datetime, session_factory: sessionmaker[Session] | None = None
) -> int | None:
    """A capture already created for this run (same schedule, scheduled time and credentials, since ``desde``).

    Asked before dispatching a run taken over from a scheduler whose lease lapsed: that scheduler may have created
    the capture and died before recording it; the run then records that capture instead of starting another.
    """
    from sinesys_spiders.core.capturas_jobs import ServicoCapturas

    servico = ServicoCapturas(session_factory) if session_factory is not None else ServicoCapturas.from_settings()
    capturas, _ = servico.listar(agendamento_id=pedido.agendamento_id, limite=50)
    for captura in capturas:
        if (
            captura.agendado_para == pedido.agendado_para
            and sorted(captura.credencial_ids) == sorted(pedido.credencial_ids)
            and captura.criado_em >= desde
        ):
            return captura.id
    return None
