"""The PJE-TRT arguments of its capture types: the framework's models plus PJE's own filters.

- ``audiencias``: ``situacao`` (``codigoSituacao`` of the pauta: M designada, C cancelada, F realizada; default M);
- ``pendentes``: ``filtros_prazo`` (``agrupadorExpediente``: ``no_prazo`` = N, ``sem_prazo`` = I; default both).

They are validated with the framework's arguments (``scrapy crawl``, Scrapyd, the API and the scheduler alike) and
reach the plugin's captures as ``ContextoCaptura.parametros``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from sinesys_spiders.plugin import AudienciasParams, CsvLista, PendentesParams

__all__ = ["AudienciasPjeParams", "FiltroPrazoArg", "PendentesPjeParams"]

FiltroPrazoArg = Literal["no_prazo", "sem_prazo"]


class AudienciasPjeParams(AudienciasParams):
    """``audiencias`` at PJE: a date range and a situação."""

    situacao: Literal["M", "C", "F"] = Field(default="M", description="M designada, C cancelada, F realizada")


class PendentesPjeParams(PendentesParams):
    """``pendentes`` at PJE: which deadline filters (agrupadorExpediente N = no prazo, I = sem prazo)."""

    filtros_prazo: Annotated[list[FiltroPrazoArg], CsvLista] = Field(
        default=["no_prazo", "sem_prazo"], description="no_prazo,sem_prazo"
    )

    @field_validator("filtros_prazo")
    @classmethod
    def _not_empty(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("filtros_prazo vazio: use no_prazo, sem_prazo ou ambos")
        return list(dict.fromkeys(value))
