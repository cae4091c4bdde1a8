"""Bodies of the start routes under ``/api/captura/trt/`` (names as the frontend sends them)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, model_validator

from api.schemas.base import Corpo, Id, Modelo

__all__ = [
    "AudienciasCorpo",
    "CapturaCorpo",
    "CapturaIniciada",
    "CombinadaCorpo",
    "PartesCorpo",
    "PendentesCorpo",
    "TimelineCorpo",
]

Ids = Annotated[list[Id], Field(min_length=1, max_length=200)]
TribunalCodigo = Annotated[str, Field(pattern=r"^(TRT([1-9]|1[0-9]|2[0-4])|TST)$")]
GrauNome = Literal["primeiro_grau", "segundo_grau", "tribunal_superior"]


class CapturaCorpo(Corpo):
    advogado_id: Id
    credencial_ids: Ids


class AudienciasCorpo(CapturaCorpo):
    dataInicio: dt.date | None = Field(default=None, description="AAAA-MM-DD (padrão: hoje)")
    dataFim: dt.date | None = Field(default=None, description="AAAA-MM-DD (padrão: dataInicio + 365 dias)")
    status: Literal["M", "C", "F"] = Field(default="M", description="M designada, C cancelada, F realizada")

    @model_validator(mode="after")
    def _periodo(self) -> AudienciasCorpo:
        if self.dataInicio and self.dataFim and self.dataFim < self.dataInicio:
            raise ValueError("dataFim anterior a dataInicio")
        return self


FiltroPrazoCorpo = Literal["sem_prazo", "no_prazo"]


def _ambos_filtros() -> list[FiltroPrazoCorpo]:
    return ["sem_prazo", "no_prazo"]


class PendentesCorpo(CapturaCorpo):
    filtrosPrazo: Annotated[list[FiltroPrazoCorpo], Field(min_length=1, max_length=2)] = Field(
        default_factory=_ambos_filtros
    )


class PartesCorpo(CapturaCorpo):
    processo_ids: Annotated[list[Id], Field(max_length=5000)] | None = None
    trts: Annotated[list[TribunalCodigo], Field(max_length=25)] | None = None
    graus: Annotated[list[GrauNome], Field(max_length=3)] | None = None


class CombinadaCorpo(CapturaCorpo):
    horasParaRecaptura: Annotated[float, Field(ge=0, le=24 * 365)] | None = Field(
        default=None, description="Não recapturar partes e timeline de processos capturados há menos de N horas (24)"
    )


class FiltroDocumentos(Corpo):
    apenasAssinados: bool = True
    apenasNaoSigilosos: bool = True


class TimelineCorpo(Corpo):
    trtCodigo: TribunalCodigo
    grau: GrauNome
    processoId: Annotated[str, Field(pattern=r"^[1-9][0-9]{0,17}$", description="Id do processo no PJE")]
    numeroProcesso: Annotated[str, Field(pattern=r"^\d{7}-\d{2}\.\d{4}\.\d\.\d{2}\.\d{4}$")] | None = None
    advogadoId: Id
    baixarDocumentos: bool = False
    filtroDocumentos: FiltroDocumentos = Field(default_factory=FiltroDocumentos)


class CapturaIniciadaDados(Modelo):
    credenciais_processadas: int
    message: str


class CapturaIniciada(Modelo):
    """The existing answer of a start route, with the id to poll."""

    success: bool = True
    message: str = "Captura iniciada com sucesso"
    status: str = "in_progress"
    capture_id: int
    data: CapturaIniciadaDados
