"""The one place the API meets the capture service and its runners (issue "Captures as jobs").

Starting and cancelling go through ``scheduler.capturas`` (``iniciar_captura``, ``cancelar_captura``):
it creates the ``capturas_log`` row, dispatches the crawl to a runner (a ``scrapy crawl`` subprocess or
Scrapyd) and returns the id at once; the crawl never runs in the API's process. When that service is not
installed the routes answer 503. Reading the history uses ``capturas_log`` directly (:mod:`api.routes.historico`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from api.errors import ErroApi
from sinesys_spiders.core.config import Settings
from sinesys_spiders.core.errors import EntradaInvalida, NaoEncontrado, SinesysError

__all__ = ["cancelar", "iniciar"]


def _servico() -> Any:
    try:
        from scheduler import capturas
    except ImportError:
        raise ErroApi(503, "Serviço de capturas indisponível nesta instalação") from None
    return capturas


def iniciar(
    settings: Settings,
    tipo_captura: str,
    *,
    advogado_id: int,
    credencial_ids: list[int],
    parametros: dict[str, Any],
    solicitante: str,
    origem: str = "api",
    agendamento_id: int | None = None,
    agendado_para: dt.datetime | None = None,
) -> int:
    """Create the row and dispatch the job; return the capture id (the crawl runs elsewhere)."""
    servico = _servico()
    kwargs: dict[str, Any] = {}
    if agendamento_id is not None:
        kwargs["agendamento_id"] = agendamento_id
    if agendado_para is not None:
        kwargs["agendado_para"] = agendado_para
    try:
        return int(
            servico.iniciar_captura(
                settings,
                tipo_captura,
                advogado_id=advogado_id,
                credencial_ids=credencial_ids,
                parametros=parametros,
                origem=origem,
                solicitante=solicitante,
                **kwargs,
            )
        )
    except NaoEncontrado as exc:
        raise ErroApi(404, exc.message) from None
    except EntradaInvalida as exc:
        raise ErroApi(400, exc.message) from None
    except SinesysError as exc:
        raise ErroApi(503, f"Não foi possível iniciar a captura: {exc.code}") from None


def cancelar(settings: Settings, captura_id: int) -> None:
    """Ask the runner to stop the capture's job and mark it ``cancelled``."""
    servico = _servico()
    try:
        servico.cancelar_captura(settings, captura_id)
    except NaoEncontrado as exc:
        raise ErroApi(404, exc.message) from None
    except EntradaInvalida as exc:
        raise ErroApi(400, exc.message) from None
    except SinesysError as exc:
        raise ErroApi(409, f"A captura {captura_id} não pode ser cancelada: {exc.code}") from None
