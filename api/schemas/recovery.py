"""Recovery (``/api/captura/recovery*``): raw-log entries, gap analyses, elements and reprocessing.

Field names are the existing recovery API's camelCase. No model carries a payload; an element's ``dadosBrutos`` is
always ``null`` here (the raw page stays encrypted in the raw log) and any CPF or CNPJ in a text is masked.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from api.schemas.base import Corpo, Id, Modelo, Paginacao
from api.schemas.capturas import GrauNome, TribunalCodigo
from sinesys_spiders.core.recovery import TIPOS_ELEMENTO

__all__ = [
    "AnaliseSaida",
    "ElementoSaida",
    "ElementosLista",
    "RecoveryConsulta",
    "RecoveryLista",
    "ReprocessCorpo",
    "ReprocessResultado",
]

TipoCapturaNome = Literal[
    "acervo_geral", "arquivados", "audiencias", "pendentes", "partes", "timeline", "combinada"
]  # fmt: skip
#: What the existing API accepts; ``cadastro_pje`` is refused (PJE's registry is not in the raw log).
TipoElementoPedido = Literal[
    "processo", "expediente", "audiencia", "parte", "representante", "endereco", "vinculo",
    "vinculo_representante", "timeline", "timeline_item", "documento", "cadastro_pje",
]  # fmt: skip


class RecoveryConsulta(Paginacao):
    captura_log_id: Id | None = None
    tipo_captura: TipoCapturaNome | None = None
    status: Literal["success", "error"] | None = None
    trt: TribunalCodigo | None = None
    grau: GrauNome | None = None
    advogado_id: Id | None = None
    data_inicio: dt.date | None = Field(default=None, description="AAAA-MM-DD, dia em Brasília (incluído)")
    data_fim: dt.date | None = Field(default=None, description="AAAA-MM-DD, dia em Brasília (incluído)")
    incluir_estatisticas: bool = False

    @model_validator(mode="after")
    def _periodo(self) -> RecoveryConsulta:
        if self.data_inicio and self.data_fim and self.data_fim < self.data_inicio:
            raise ValueError("data_fim anterior a data_inicio")
        return self


class ItemRecoverySaida(Modelo):
    id: str
    capturaLogId: int | None
    tipoCaptura: str
    status: str
    trt: str | None
    grau: str | None
    advogadoId: int | None
    credencialId: int | None
    criadoEm: dt.datetime
    numeroProcesso: str | None = None
    erro: str | None = None
    processado: bool = False
    payloadDisponivel: bool = True


class EstatisticasSaida(Modelo):
    total: int
    porStatus: dict[str, int]
    porTrt: dict[str, int]
    porTipo: dict[str, int]
    naoProcessados: int
    payloadIlegivel: int
    gaps: dict[str, int]
    comGaps: int
    semRegra: int


class RecoveryLista(Modelo):
    logs: list[ItemRecoverySaida]
    total: int
    pagina: int
    limite: int
    totalPaginas: int
    estatisticas: EstatisticasSaida | None = None


class ElementoSaida(Modelo):
    tipo: str
    identificador: str
    nome: str | None = None
    dadosBrutos: dict[str, Any] | None = Field(default=None, description="Sempre nulo: o payload não sai do log")
    statusPersistencia: Literal["persistido", "faltando"]
    erro: str | None = None
    contexto: dict[str, Any] = Field(default_factory=dict)


class TotaisSaida(Modelo):
    esperados: int
    persistidos: int
    faltantes: int


class GapsSaida(Modelo):
    partesFaltantes: list[ElementoSaida]
    enderecosFaltantes: list[ElementoSaida]
    representantesFaltantes: list[ElementoSaida]
    #: Every missing element by type (also processo, expediente, audiencia, vinculo...).
    porTipo: dict[str, list[ElementoSaida]]


class AnaliseSaida(Modelo):
    id: str
    capturaLogId: int | None
    tipoCaptura: str
    dataCaptura: dt.datetime
    status: str
    trt: str | None = None
    grau: str | None = None
    processo: dict[str, Any] | None = None
    payloadDisponivel: bool
    erroOriginal: str | None = None
    erro: str | None = None
    totais: dict[str, TotaisSaida]
    gaps: GapsSaida
    classificacao: dict[str, int]


class ElementosLista(Modelo):
    id: str
    elementos: list[ElementoSaida]
    total: int


class FiltrosReprocess(Corpo):
    apenasGaps: bool = True
    forcarAtualizacao: bool = False


class ReprocessCorpo(Corpo):
    rawLogIds: Annotated[list[Annotated[str, Field(min_length=1, max_length=64)]], Field(max_length=1000)] | None = None
    capturaLogId: Id | None = None
    tiposElementos: Annotated[list[TipoElementoPedido], Field(min_length=1, max_length=20)] | None = None
    filtros: FiltrosReprocess = Field(default_factory=FiltrosReprocess)

    @field_validator("tiposElementos")
    @classmethod
    def _sem_cadastro(cls, value: list[str] | None) -> list[str] | None:
        if value and "cadastro_pje" in value:
            raise ValueError(f"cadastro_pje não é recuperável do log bruto (use {', '.join(TIPOS_ELEMENTO)})")
        return value

    @model_validator(mode="after")
    def _um_alvo(self) -> ReprocessCorpo:
        if bool(self.rawLogIds) == (self.capturaLogId is not None):
            raise ValueError("informe rawLogIds ou capturaLogId (um dos dois)")
        return self


class DocumentoReprocessado(Modelo):
    id: str
    tipoCaptura: str | None = None
    sucesso: bool
    totalElementos: int
    inseridos: int
    atualizados: int
    inalterados: int
    erros: int
    erro: str | None = None
    ignorado: bool


class ReprocessResultado(Modelo):
    sucesso: bool
    capturaIds: list[int]
    totalDocumentos: int
    totalElementos: int
    totalSucessos: int
    totalErros: int
    inseridos: int
    atualizados: int
    documentos: list[DocumentoReprocessado]
    duracaoMs: int
