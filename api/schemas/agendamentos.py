"""Capture schedules (``agendamentos``)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import Field, field_validator

from api.schemas.base import Corpo, Id, Modelo, Paginacao
from scheduler.agendamentos import AgendamentoBase

__all__ = [
    "AgendamentoAtualizar",
    "AgendamentoNovo",
    "AgendamentoSaida",
    "AgendamentosConsulta",
    "AgendamentosLista",
    "ParametrosExtras",
]

_HORARIO = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
Periodicidade = Literal["diario", "a_cada_N_dias", "a_cada_N_horas"]
TipoAgendavel = Literal["acervo_geral", "arquivados", "audiencias", "pendentes", "partes", "timeline", "combinada"]
Horario = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM")]


class ParametrosExtras(Corpo):
    dataInicio: dt.date | None = None
    dataFim: dt.date | None = None
    dataRelativa: Annotated[str, Field(max_length=40)] | None = None
    codigoSituacao: Literal["M", "C", "F"] | None = None
    filtroPrazo: Literal["sem_prazo", "no_prazo"] | None = None
    filtrosPrazo: Annotated[list[Literal["sem_prazo", "no_prazo"]], Field(max_length=2)] | None = None
    horasParaRecaptura: Annotated[float, Field(ge=0, le=24 * 365)] | None = None
    janela_execucao: Annotated[str, Field(max_length=40)] | None = None


class AgendamentoNovo(Corpo):
    tipo_captura: TipoAgendavel
    advogado_id: Id
    credencial_ids: Annotated[list[Id], Field(min_length=1, max_length=200)]
    periodicidade: Periodicidade
    horario: Horario
    dias_intervalo: Annotated[int, Field(ge=1, le=3650)] | None = None
    ativo: bool = True
    parametros_extras: ParametrosExtras = Field(default_factory=ParametrosExtras)


class AgendamentoAtualizar(Corpo):
    tipo_captura: TipoAgendavel | None = None
    advogado_id: Id | None = None
    credencial_ids: Annotated[list[Id], Field(min_length=1, max_length=200)] | None = None
    periodicidade: Periodicidade | None = None
    horario: Horario | None = None
    dias_intervalo: Annotated[int, Field(ge=1, le=3650)] | None = None
    ativo: bool | None = None
    parametros_extras: ParametrosExtras | None = None

    @field_validator("horario")
    @classmethod
    def _horario(cls, value: str | None) -> str | None:
        if value is not None and not _HORARIO.match(value):
            raise ValueError("use HH:MM")
        return value


class AgendamentosConsulta(Paginacao):
    advogado_id: Id | None = None
    tipo_captura: TipoAgendavel | None = None
    ativo: bool | None = None
    proxima_execucao_min: dt.datetime | None = None
    proxima_execucao_max: dt.datetime | None = None
    ordenar_por: Literal["id", "proxima_execucao", "created_at", "tipo_captura"] = "proxima_execucao"
    ordem: Literal["asc", "desc"] = "asc"


class AgendamentoSaida(AgendamentoBase, Modelo):
    """A schedule in the API's answers: the scheduler's own view of it (:class:`AgendamentoBase`), without its runs."""


class AgendamentosLista(Modelo):
    agendamentos: list[AgendamentoSaida]
    total: int
    pagina: int
    limite: int
    totalPaginas: int
