"""The shapes of a schedule, shared by the CLI, the API and the service (pydantic; field names as api-seed.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["AgendamentoAlteracao", "AgendamentoBase", "AgendamentoNovo", "AgendamentoView", "ExecucaoView"]

Periodicidade = Literal["diario", "a_cada_N_dias", "a_cada_N_horas"]


class AgendamentoNovo(BaseModel):
    """A schedule to create (``POST /api/captura/agendamentos``, ``sinesys agendamentos add``)."""

    model_config = ConfigDict(extra="forbid")

    tipo_captura: str
    advogado_id: int = Field(gt=0)
    credencial_ids: list[int] = Field(min_length=1)
    periodicidade: Periodicidade
    dias_intervalo: int | None = None
    horario: str = Field(description="HH:MM, Brasília time")
    ativo: bool = True
    parametros_extras: dict[str, Any] = Field(default_factory=dict)


class AgendamentoAlteracao(BaseModel):
    """A change to a schedule: only the fields given are changed (``PUT``, ``sinesys agendamentos update``)."""

    model_config = ConfigDict(extra="forbid")

    tipo_captura: str | None = None
    credencial_ids: list[int] | None = Field(default=None, min_length=1)
    periodicidade: Periodicidade | None = None
    dias_intervalo: int | None = None
    horario: str | None = None
    ativo: bool | None = None
    parametros_extras: dict[str, Any] | None = None


class ExecucaoView(BaseModel):
    """One run of a schedule as shown to a user."""

    id: int
    agendado_para: dt.datetime
    tentativa: int
    credencial_ids: list[int]
    status: str
    atrasada: bool
    manual: bool
    captura_id: int | None
    despachada_em: dt.datetime | None
    erro: str | None


class AgendamentoBase(BaseModel):
    """A schedule as shown to a user, without its runs (the API's ``AgendamentoSaida`` is this)."""

    id: int
    tipo_captura: str
    advogado_id: int | None
    credencial_ids: list[int]
    periodicidade: str
    dias_intervalo: int | None
    horario: str | None
    ativo: bool
    parametros_extras: dict[str, Any]
    ultima_execucao: dt.datetime | None
    proxima_execucao: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class AgendamentoView(AgendamentoBase):
    """A schedule as shown to a user; ``execucoes`` (latest first) only when asked for one schedule."""

    execucoes: list[ExecucaoView] | None = None
