"""Typed spider arguments (scrapy-spider-metadata ``Args[...]`` models).

Arguments arrive as strings from ``scrapy crawl -a``, Scrapyd's ``schedule.json`` or the API; these models coerce
and validate them. Lists are comma-separated (``credenciais=1,2``, ``tribunais=TRT3,TRT5``). A bad argument is
reported as one clear line by :func:`describe_validation_error` (used by the ``crawl`` command and the API).
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from sinesys_spiders.core.domain import BRASILIA, Grau, Tribunal, check_tribunal_grau, parse_grau

__all__ = [
    "PARAMS_POR_TIPO",
    "AudienciasParams",
    "CapturaParams",
    "CombinadaParams",
    "CsvLista",
    "PartesParams",
    "PendentesParams",
    "TimelineParams",
    "describe_validation_error",
    "modelo_parametros",
    "parametros_do_tipo",
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


#: The largest id a database row can have (a signed 64-bit integer, PostgreSQL ``bigint`` and SQLite).
MAX_ID = 2**63 - 1

#: A list argument typed as ``a,b,c`` (plugins' models use it: ``Annotated[list[X], CsvLista]``).
CsvLista = BeforeValidator(_split_csv)
CsvInts = Annotated[list[Annotated[int, Field(gt=0, le=MAX_ID)]], BeforeValidator(_split_csv)]
CsvTribunais = Annotated[list[Tribunal], BeforeValidator(_parse_tribunais)]
CsvGraus = Annotated[list[Grau], BeforeValidator(_parse_graus)]


def today_brasilia() -> datetime.date:
    return datetime.datetime.now(BRASILIA).date()


class CapturaParams(BaseModel):
    """Arguments every capture spider takes: whose credentials, where, and which history row."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    credenciais: CsvInts | None = Field(default=None, description="Credential ids, comma-separated: 1,2")
    advogado: int | None = Field(default=None, gt=0, le=MAX_ID, description="Every active credential of this lawyer")
    tribunais: CsvTribunais | None = Field(default=None, description="Only these tribunals: TRT3,TRT5")
    graus: CsvGraus | None = Field(default=None, description="Only these graus: primeiro_grau,segundo_grau")
    captura_id: int | None = Field(
        default=None, gt=0, le=MAX_ID, description="History row opened by the API or the scheduler"
    )
    workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Processes sharing this capture (2 or more: the scrapy-redis queue and the state in Redis)",
    )

    @model_validator(mode="after")
    def _one_selector(self) -> CapturaParams:
        self._exigir_credenciais_ou_advogado()
        return self

    def _exigir_credenciais_ou_advogado(self) -> None:
        if (self.credenciais is None) == (self.advogado is None):
            raise ValueError("informe credenciais=ID,ID ou advogado=ID (um dos dois)")
        if self.credenciais is not None and not self.credenciais:
            raise ValueError("credenciais está vazio: informe ao menos um id")


class PendentesParams(CapturaParams):
    """``pendentes``: pending notices (a plugin's model adds its filters, e.g. PJE's ``filtros_prazo``)."""


class AudienciasParams(CapturaParams):
    """``audiencias``: a date range (default today to today+365, Brasília); a plugin's model may add its filters."""

    data_inicio: datetime.date = Field(default_factory=today_brasilia, description="YYYY-MM-DD")
    data_fim: datetime.date | None = Field(default=None, description="YYYY-MM-DD (default data_inicio + 365 days)")

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


class PartesParams(CapturaParams):
    """``partes``: given cases (``acervo`` ids), or every case not captured within ``horas_para_recaptura``."""

    processos: CsvInts | None = Field(default=None, description="acervo ids, comma-separated: 10,11")
    horas_para_recaptura: float = Field(
        default=24.0, ge=0, le=100_000, allow_inf_nan=False, description="Skip cases captured less than N hours ago"
    )


class TimelineParams(PartesParams):
    """``timeline``: like ``partes``, or one case by its id in the tribunal's system; optionally downloading signed,
    non-secret PDFs.

    One case: ``processo=ID_EXTERNO numero_processo=... tribunal=TRT3 grau=primeiro_grau`` (the case must be in
    ``acervo``; its credential is used unless ``credenciais`` or ``advogado`` says otherwise).
    """

    processo: int | None = Field(default=None, gt=0, le=MAX_ID, description="The case's id in the tribunal's system")
    numero_processo: str | None = Field(default=None, description="CNJ number of that case")
    tribunal: Tribunal | None = Field(default=None, description="Tribunal of that case: TRT3")
    grau: Grau | None = Field(default=None, description="Grau of that case: primeiro_grau")
    baixar_documentos: bool = Field(default=False, description="Download the PDFs (true/false)")
    apenas_assinados: bool = Field(default=True, description="Only signed documents (idSignatario)")
    apenas_nao_sigilosos: bool = Field(default=True, description="Only non-secret documents")

    @field_validator("tribunal", mode="before")
    @classmethod
    def _tribunal(cls, value: Any) -> Any:
        return Tribunal.parse(value) if isinstance(value, str) else value

    @field_validator("grau", mode="before")
    @classmethod
    def _grau(cls, value: Any) -> Any:
        return parse_grau(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _one_selector(self) -> TimelineParams:
        if self.processo is None:
            if self.tribunal is not None or self.grau is not None or self.numero_processo is not None:
                raise ValueError("tribunal, grau e numero_processo só valem com processo=ID_EXTERNO")
            self._exigir_credenciais_ou_advogado()
            return self
        if self.tribunal is None or self.grau is None:
            raise ValueError(
                "processo=ID_EXTERNO pede tribunal=TRTn e grau=primeiro_grau|segundo_grau|tribunal_superior"
            )
        if self.processos is not None:
            raise ValueError("informe processo=ID_EXTERNO ou processos=ID,ID (não os dois)")
        if self.credenciais is not None and self.advogado is not None:
            raise ValueError("informe credenciais=ID,ID ou advogado=ID (um dos dois)")
        check_tribunal_grau(self.tribunal, self.grau)
        return self


class CombinadaParams(CapturaParams):
    """``combinada``: hearings, pending notices, then partes and timeline of the cases found, in one session."""

    horas_para_recaptura: float = Field(
        default=24.0, ge=0, description="Skip partes and timeline of cases captured less than N hours ago"
    )


#: The framework's arguments model of each capture type's spider (plugins' models extend these).
PARAMS_POR_TIPO: dict[str, type[CapturaParams]] = {
    "acervo_geral": CapturaParams,
    "arquivados": CapturaParams,
    "audiencias": AudienciasParams,
    "pendentes": PendentesParams,
    "partes": PartesParams,
    "timeline": TimelineParams,
    "combinada": CombinadaParams,
}


_MODELOS: dict[tuple[str, tuple[type[BaseModel], ...]], type[CapturaParams]] = {}


def modelo_parametros(tipo: str) -> type[CapturaParams]:
    """The arguments model of capture type ``tipo``: the framework's, extended by each installed plugin's model for
    that type (its own arguments, validated the same way). Callers that only know the type by name validate with it.

    ``KeyError`` for a type the framework has no spider for.
    """
    from sinesys_spiders.core.domain import TipoCaptura
    from sinesys_spiders.core.tribunais import get_registry

    base = PARAMS_POR_TIPO[tipo]
    extras = tuple(
        modelo
        for plugin in get_registry().plugins.values()
        if (modelo := plugin.parametros(TipoCaptura(tipo))) is not None and modelo is not base
    )
    for modelo in extras:
        if not issubclass(modelo, base):
            raise TypeError(f"{modelo.__name__} (plugin parameters of {tipo}) must subclass {base.__name__}")
    if not extras:
        return base
    if len(extras) == 1:
        return extras[0]  # type: ignore[return-value]
    chave = (tipo, extras)
    if chave not in _MODELOS:
        _MODELOS[chave] = type(f"{base.__name__}Instalados", extras, {"__doc__": base.__doc__})
    return _MODELOS[chave]


def parametros_do_tipo(args: CapturaParams) -> dict[str, Any]:
    """The type-specific arguments of ``args`` (not the selectors every capture takes) as plain values."""
    comuns = set(CapturaParams.model_fields)
    return args.model_dump(mode="json", exclude=comuns)
