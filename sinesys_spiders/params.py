"""Typed spider arguments (scrapy-spider-metadata ``Args[...]`` models).

Arguments arrive as strings from ``scrapy crawl -a``, Scrapyd's ``schedule.json`` or the API; these models coerce
and validate them. Lists are comma-separated (``credenciais=1,2``, ``tribunais=TRT3,TRT5``). A bad argument is
reported as one clear line by :func:`describe_validation_error` (used by the ``crawl`` command and the API).
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from sinesys_spiders.core.domain import BRASILIA, Grau, Tribunal, parse_grau

__all__ = [
    "AudienciasParams",
    "CapturaParams",
    "PendentesParams",
    "describe_validation_error",
]


def _split_csv(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, int):
        return [value]
    return value


def _parse_tribunais(value: Any) -> Any:
    return [Tribunal.parse(v) if isinstance(v, str) else v for v in _split_csv(value)]


def _parse_graus(value: Any) -> Any:
    return [parse_grau(v) if isinstance(v, str) else v for v in _split_csv(value)]


CsvInts = Annotated[list[Annotated[int, Field(gt=0)]], BeforeValidator(_split_csv)]
CsvTribunais = Annotated[list[Tribunal], BeforeValidator(_parse_tribunais)]
CsvGraus = Annotated[list[Grau], BeforeValidator(_parse_graus)]
FiltroPrazo = Literal["no_prazo", "sem_prazo"]


def today_brasilia() -> datetime.date:
    return datetime.datetime.now(BRASILIA).date()


class CapturaParams(BaseModel):
    """Arguments every capture spider takes: whose credentials, where, and which history row."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    credenciais: CsvInts | None = Field(default=None, description="Credential ids, comma-separated: 1,2")
    advogado: int | None = Field(default=None, gt=0, description="Every active credential of this lawyer")
    tribunais: CsvTribunais | None = Field(default=None, description="Only these tribunals: TRT3,TRT5")
    graus: CsvGraus | None = Field(default=None, description="Only these graus: primeiro_grau,segundo_grau")
    captura_id: int | None = Field(default=None, gt=0, description="History row opened by the API or the scheduler")

    @model_validator(mode="after")
    def _one_selector(self) -> CapturaParams:
        if (self.credenciais is None) == (self.advogado is None):
            raise ValueError("informe credenciais=ID,ID ou advogado=ID (um dos dois)")
        if self.credenciais is not None and not self.credenciais:
            raise ValueError("credenciais está vazio: informe ao menos um id")
        return self


class PendentesParams(CapturaParams):
    """``pendentes``: which deadline filters (agrupadorExpediente N = no prazo, I = sem prazo)."""

    filtros_prazo: Annotated[list[FiltroPrazo], BeforeValidator(_split_csv)] = Field(
        default=["no_prazo", "sem_prazo"], description="no_prazo,sem_prazo"
    )

    @field_validator("filtros_prazo")
    @classmethod
    def _not_empty(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("filtros_prazo vazio: use no_prazo, sem_prazo ou ambos")
        return list(dict.fromkeys(value))


class AudienciasParams(CapturaParams):
    """``audiencias``: a date range (default today to today+365, Brasília) and a situação."""

    data_inicio: datetime.date = Field(default_factory=today_brasilia, description="YYYY-MM-DD")
    data_fim: datetime.date | None = Field(default=None, description="YYYY-MM-DD (default data_inicio + 365 days)")
    situacao: Literal["M", "C", "F"] = Field(default="M", description="M designada, C cancelada, F realizada")

    @model_validator(mode="after")
    def _range(self) -> AudienciasParams:
        if self.data_fim is None:
            object.__setattr__(self, "data_fim", self.data_inicio + datetime.timedelta(days=365))
        elif self.data_fim < self.data_inicio:
            raise ValueError(f"data_fim ({self.data_fim}) é anterior a data_inicio ({self.data_inicio})")
        return self


def describe_validation_error(exc: ValidationError) -> str:
    """One line naming each bad argument and what is expected, without echoing long input."""
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"] if not isinstance(p, int)) or "argumentos"
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "argumento desconhecido"
        parts.append(f"{loc}: {msg}")
    return "argumento inválido: " + "; ".join(parts)
