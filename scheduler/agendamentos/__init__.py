"""Schedules (``agendamentos``): their timing rules, validation, service and the runs the scheduler dispatches."""

from __future__ import annotations

from scheduler.agendamentos.despacho import Despacho, PedidoDespacho, despachar_captura
from scheduler.agendamentos.modelos import (
    AgendamentoAlteracao,
    AgendamentoBase,
    AgendamentoNovo,
    AgendamentoView,
    ExecucaoView,
)
from scheduler.agendamentos.servico import AgendamentosService

__all__ = [
    "AgendamentoAlteracao",
    "AgendamentoBase",
    "AgendamentoNovo",
    "AgendamentoView",
    "AgendamentosService",
    "Despacho",
    "ExecucaoView",
    "PedidoDespacho",
    "despachar_captura",
]
