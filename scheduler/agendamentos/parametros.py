"""A schedule's ``parametros_extras``: validated when the schedule is saved, turned into spider arguments when due.

Keys (the existing system's names): ``dataInicio``, ``dataFim`` (YYYY-MM-DD), ``dataRelativa`` (``hoje`` or
``ontem``: both dates set to that day in Brasília when the run is due), ``codigoSituacao`` (M, C or F), ``filtrosPrazo``
(also ``filtroPrazo``; ``no_prazo``, ``sem_prazo`` or both), ``horasParaRecaptura`` and ``janela_execucao`` (timing, not
an argument; see :mod:`.regras`). A key the capture type does not take is refused, as the spider itself would.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ValidationError

from sinesys_spiders.core.domain import BRASILIA
from sinesys_spiders.core.tribunais import get_registry
from sinesys_spiders.params import CapturaParams, describe_validation_error, modelo_parametros

__all__ = ["argumentos_spider", "validar_parametros"]


#: parametros_extras key -> spider argument.
_ARGUMENTO = {
    "dataInicio": "data_inicio",
    "dataFim": "data_fim",
    "codigoSituacao": "situacao",
    "filtrosPrazo": "filtros_prazo",
    "filtroPrazo": "filtros_prazo",
    "horasParaRecaptura": "horas_para_recaptura",
}
_TIMING = {"janela_execucao"}
_RELATIVAS = {"hoje": 0, "ontem": 1}


def _argumentos(parametros: dict[str, Any], dia: dt.date) -> dict[str, Any]:
    desconhecidas = sorted(set(parametros) - set(_ARGUMENTO) - _TIMING - {"dataRelativa"})
    if desconhecidas:
        raise ValueError(f"parametros_extras: chave desconhecida {', '.join(desconhecidas)}")
    if "filtroPrazo" in parametros and "filtrosPrazo" in parametros:
        raise ValueError("parametros_extras: informe filtrosPrazo ou filtroPrazo (não os dois)")
    out: dict[str, Any] = {}
    for chave, valor in parametros.items():
        if chave in _ARGUMENTO:
            out[_ARGUMENTO[chave]] = valor
    relativa = parametros.get("dataRelativa")
    if relativa is not None:
        if relativa not in _RELATIVAS:
            raise ValueError(f"parametros_extras.dataRelativa inválida: {relativa!r} (use hoje ou ontem)")
        if "dataInicio" in parametros or "dataFim" in parametros:
            raise ValueError("parametros_extras: dataRelativa substitui dataInicio e dataFim (não informe os dois)")
        data = (dia - dt.timedelta(days=_RELATIVAS[relativa])).isoformat()
        out["data_inicio"] = out["data_fim"] = data
    return out


def _modelo(tipo_captura: str) -> type[CapturaParams]:
    instalados = sorted(t.value for t in get_registry().tipos_captura())
    if tipo_captura not in instalados:  # the types the installed plugins capture
        raise ValueError(f"tipo_captura desconhecido: {tipo_captura!r} (use {', '.join(instalados)})")
    return modelo_parametros(tipo_captura)


def _validar(modelo: type[BaseModel], argumentos: dict[str, Any], tipo_captura: str) -> BaseModel:
    try:
        return modelo(credenciais=[1], **argumentos)
    except ValidationError as exc:
        texto = describe_validation_error(exc).removeprefix("argumento inválido: ")
        raise ValueError(f"parametros_extras inválidos para {tipo_captura}: {texto}") from None
    except TypeError as exc:
        raise ValueError(f"parametros_extras inválidos para {tipo_captura}: {exc}") from None


def validar_parametros(tipo_captura: str, parametros: Any) -> dict[str, Any]:
    """Check ``parametros_extras`` for this capture type as the spider will get them; ``ValueError`` if not."""
    if parametros is None:
        return {}
    if not isinstance(parametros, dict):
        raise ValueError("parametros_extras deve ser um objeto JSON")
    modelo = _modelo(tipo_captura)
    _validar(modelo, _argumentos(parametros, dt.datetime.now(BRASILIA).date()), tipo_captura)
    return dict(parametros)


def argumentos_spider(tipo_captura: str, parametros: dict[str, Any], agendado_para: dt.datetime) -> dict[str, Any]:
    """The spider arguments of a run due at ``agendado_para`` (``dataRelativa`` resolved to that day in Brasília).

    Values are plain JSON (dates as YYYY-MM-DD, lists as lists); the credential selection is not included.
    """
    modelo = _modelo(tipo_captura)
    argumentos = _argumentos(parametros, agendado_para.astimezone(BRASILIA).date())
    validado = _validar(modelo, argumentos, tipo_captura)
    return validado.model_dump(mode="json", include=set(argumentos), exclude_none=True)
