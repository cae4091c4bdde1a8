"""What recovery answers: raw-log entries, statistics, gap analyses and reprocessing results.

Field names are snake_case; ``model_dump(by_alias=True)`` gives the camelCase of the existing recovery API
(``capturaLogId``, ``payloadDisponivel``, ``totalSucessos``...), which the CLI's ``--json`` and the API use.
No model carries a full CPF or a payload: an element is named by its id at the tribunal or a masked document.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field
from pydantic.alias_generators import to_camel

from sinesys_spiders.core.errors import EntradaInvalida

__all__ = [
    "TIPOS_ELEMENTO",
    "AnaliseCaptura",
    "AnaliseConjunto",
    "ElementoRecuperavel",
    "EstatisticasRecovery",
    "FiltroRecovery",
    "ItemRecovery",
    "ResultadoDocumento",
    "ResultadoReprocesso",
    "Totais",
    "tipos_validos",
]

#: The element types recovery compares and re-persists (``--tipos``).
TIPOS_ELEMENTO = (
    "processo",
    "expediente",
    "audiencia",
    "parte",
    "representante",
    "endereco",
    "vinculo",
    "vinculo_representante",
    "timeline",
    "timeline_item",
    "documento",
)


class _Modelo(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


class FiltroRecovery(_Modelo):
    """Filters of the raw-log list (``None`` = any); ``data_inicio``/``data_fim`` are inclusive days in Brasília."""

    captura_log_id: int | None = None
    tipo_captura: str | None = None
    status: Literal["success", "error"] | None = None
    trt: str | None = None
    grau: str | None = None
    advogado_id: int | None = None
    data_inicio: dt.date | None = None
    data_fim: dt.date | None = None


class ItemRecovery(_Modelo):
    """One raw-log entry in the list (no payload)."""

    id: str
    captura_log_id: int | None
    tipo_captura: str
    status: str
    trt: str | None
    grau: str | None
    advogado_id: int | None
    credencial_id: int | None
    criado_em: dt.datetime
    numero_processo: str | None = None
    erro: str | None = None
    processado: bool = False
    payload_disponivel: bool = True


class EstatisticasRecovery(_Modelo):
    """Counts of the listed entries: per status, per tribunal, per type, and their gaps (when analysed)."""

    total: int = 0
    por_status: dict[str, int] = Field(default_factory=dict)
    por_trt: dict[str, int] = Field(default_factory=dict)
    por_tipo: dict[str, int] = Field(default_factory=dict)
    nao_processados: int = 0
    payload_ilegivel: int = 0
    #: Missing elements per type over every analysed entry, and how many entries have at least one gap.
    gaps: dict[str, int] = Field(default_factory=dict)
    com_gaps: int = 0
    sem_regra: int = 0


class Totais(_Modelo):
    """Expected (in the stored payload) vs stored, for one element type."""

    esperados: int = 0
    persistidos: int = 0

    @property
    def faltantes(self) -> int:
        return self.esperados - self.persistidos


class ElementoRecuperavel(_Modelo):
    """An element the payload holds: what it is, where it belongs, and whether it is stored."""

    tipo: str
    identificador: str
    nome: str | None = None
    status_persistencia: Literal["persistido", "faltando"] = "faltando"
    erro: str | None = None
    #: Where it belongs: the case (``numero_processo``, ``id_processo_externo``), the party, the polo...
    contexto: dict[str, Any] = Field(default_factory=dict)


class AnaliseCaptura(_Modelo):
    """The gap analysis of one raw-log entry."""

    id: str
    captura_log_id: int | None
    tipo_captura: str
    data_captura: dt.datetime
    status: str
    trt: str | None = None
    grau: str | None = None
    processo: dict[str, Any] | None = None
    payload_disponivel: bool = True
    erro_original: str | None = None
    #: Why the entry could not be analysed (unreadable payload, no recovery rule, ...); then no totals.
    erro: str | None = None
    totais: dict[str, Totais] = Field(default_factory=dict)
    #: Missing elements by type (only the types with something missing).
    gaps: dict[str, list[ElementoRecuperavel]] = Field(default_factory=dict)
    #: Party classification the capture's own rule gives the payload (clientes, partes_contrarias, terceiros).
    classificacao: dict[str, int] = Field(default_factory=dict)

    @property
    def tem_gaps(self) -> bool:
        return any(self.gaps.values())

    @computed_field  # type: ignore[prop-decorator]
    @property
    def partes_faltantes(self) -> list[ElementoRecuperavel]:
        """The existing API's ``gaps.partesFaltantes`` (also under ``gaps["parte"]``)."""
        return list(self.gaps.get("parte", []))

    @computed_field  # type: ignore[prop-decorator]
    @property
    def enderecos_faltantes(self) -> list[ElementoRecuperavel]:
        """The existing API's ``gaps.enderecosFaltantes``."""
        return list(self.gaps.get("endereco", []))

    @computed_field  # type: ignore[prop-decorator]
    @property
    def representantes_faltantes(self) -> list[ElementoRecuperavel]:
        """The existing API's ``gaps.representantesFaltantes``."""
        return list(self.gaps.get("representante", []))


class AnaliseConjunto(_Modelo):
    """The analysis of several entries (a whole capture): summed totals and each entry's analysis."""

    captura_log_id: int | None = None
    total_documentos: int = 0
    totais: dict[str, Totais] = Field(default_factory=dict)
    gaps: dict[str, int] = Field(default_factory=dict)
    documentos_com_gaps: int = 0
    documentos_com_erro: int = 0
    documentos: list[AnaliseCaptura] = Field(default_factory=list)


class ResultadoDocumento(_Modelo):
    """What reprocessing did with one raw-log entry."""

    id: str
    tipo_captura: str | None = None
    sucesso: bool
    #: Elements the entry's gaps held (or every element with ``forcar``) for the chosen types.
    total_elementos: int = 0
    inseridos: int = 0
    atualizados: int = 0
    inalterados: int = 0
    erros: int = 0
    erro: str | None = None
    ignorado: bool = False


class ResultadoReprocesso(_Modelo):
    """The outcome of one reprocessing run."""

    sucesso: bool
    captura_ids: list[int] = Field(default_factory=list)
    total_documentos: int = 0
    total_elementos: int = 0
    total_sucessos: int = 0
    total_erros: int = 0
    inseridos: int = 0
    atualizados: int = 0
    documentos: list[ResultadoDocumento] = Field(default_factory=list)
    duracao_ms: int = 0


def tipos_validos(tipos: Iterable[str] | None) -> tuple[str, ...] | None:
    """``tipos`` checked against :data:`TIPOS_ELEMENTO` (``None``: every type)."""
    if tipos is None:
        return None
    out = tuple(dict.fromkeys(t.strip().lower() for t in tipos if t.strip()))
    desconhecidos = [t for t in out if t not in TIPOS_ELEMENTO]
    if desconhecidos or not out:
        raise EntradaInvalida(f"tipo de elemento desconhecido: {', '.join(desconhecidos) or '(vazio)'} "
                              f"(use {', '.join(TIPOS_ELEMENTO)})")  # fmt: skip
    return out
