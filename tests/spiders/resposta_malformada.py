"""A downloader middleware of the robustness tests: the tribunal answers one step with something malformed.

It stands for a PJE answer our parsers did not expect, between the sandbox and the spider, in a real
``scrapy crawl`` (the crawl imports it from ``PYTHONPATH``). ``TESTE_RESPOSTA_MALFORMADA`` says what to spoil:

- ``partes:<id_externo>``: in that case's ``/partes`` answer, the first party's address gets ``dtAlteracao``
  ``"ontem"`` (not a PJE date);
- ``pagina``: every page of a paged list becomes JSON nested deeper than Python's parser accepts;
- ``descartar:<id_externo>``: that case's ``/partes`` answer is dropped on the way (``IgnoreRequest``, no response),
  as a middleware refusing an answer would;
- ``credencial:<id_externo>``: the first request of that case fails its credential (the password was changed while
  the crawl ran: the session middleware's ``CredencialFalhou`` with ``SENHA_INVALIDA``), as a refused re-login would.
"""

from __future__ import annotations

import json
import os
from typing import Any

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

from sinesys_spiders.core.errors import SenhaInvalida
from sinesys_spiders.middlewares.session import CredencialFalhou

ENV = "TESTE_RESPOSTA_MALFORMADA"

#: A dotted path for ``DOWNLOADER_MIDDLEWARES``, nearer the spider than the session middleware (650).
CAMINHO = "resposta_malformada.RespostaMalformada"
ORDEM = 600

VALOR_INVALIDO = "ontem"


def _primeira_parte(payload: Any) -> dict[str, Any] | None:
    if isinstance(payload, list):
        return payload[0] if payload else None
    for polo in ("ATIVO", "PASSIVO", "TERCEIROS"):
        if payload.get(polo):
            return payload[polo][0]
    return None


class RespostaMalformada:
    """Spoil the answer named by ``TESTE_RESPOSTA_MALFORMADA``; every other answer passes untouched."""

    def process_request(self, request: Request) -> None:
        alvo = os.environ.get(ENV, "")
        if alvo.startswith("credencial:") and f"/processos/id/{alvo[11:]}/" in request.url:
            credencial_id = int(request.meta["credencial_id"])
            raise CredencialFalhou(credencial_id, SenhaInvalida("usuário ou senha inválidos (senha trocada)"))

    def process_response(self, request: Request, response: Response) -> Response:
        alvo = os.environ.get(ENV, "")
        etapa = request.meta.get("etapa")
        if alvo.startswith("descartar:") and etapa == "partes" and f"/processos/id/{alvo[10:]}/partes" in request.url:
            raise IgnoreRequest("resposta descartada pelo teste")
        if alvo == "pagina" and etapa == "pagina":
            return response.replace(body=b"[" * 200_000 + b"]" * 200_000)
        if alvo.startswith("partes:") and etapa == "partes" and f"/processos/id/{alvo[7:]}/partes" in request.url:
            payload = json.loads(response.body)
            parte = _primeira_parte(payload)
            assert parte is not None, "the spoiled case must have a party"
            parte["endereco"] = {**(parte.get("endereco") or {"id": 1}), "dtAlteracao": VALOR_INVALIDO}
            return response.replace(body=json.dumps(payload).encode())
        return response
