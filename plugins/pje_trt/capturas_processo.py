"""PJE-TRT per-case captures (``partes``, ``timeline``) on the per-case contract (``core.capturas_processo``).

- ``partes``: one request per case (``/partes``); the answer's raw page goes to the raw log
  (``tipo_captura`` partes, ``requisicao`` with ``processo_id`` and ``numero_processo``) and the
  classified parties become one :class:`~sinesys_spiders.core.items_processo.PartesProcesso`. A 404
  is a case without parties.
- ``timeline``: one request per case (``/timeline``) giving one
  :class:`~sinesys_spiders.core.items_processo.TimelineProcesso`; with ``baixar_documentos`` each
  document to download (signed, not secret, not stored yet) is one more request (``/conteudo``) whose
  PDF becomes a :class:`~sinesys_spiders.core.items_processo.DocumentoBaixado`. An answer that is not a
  PDF is that document's error (:class:`~sinesys_spiders.core.items_processo.OcorrenciaProcesso`);
  the case's other documents go on.

Both write the case's answer to the raw log (a :class:`~sinesys_spiders.core.items.PaginaBruta` whose
``requisicao`` names the case, ``processo_id`` and ``numero_processo``; the timeline's also the download
filters it ran with, ``parametros``) and point their item at it (``raw_ref``). A PDF never goes to the raw log:
the timeline page already lists every document with its metadata, and the bytes are in the document store.

``reprocessar`` reads a stored page again (recovery): the same reading (and classification, for ``partes``), the
case taken from the page's ``requisicao``, no request. A timeline page gives its
:class:`~sinesys_spiders.core.items_processo.TimelineProcesso` and, when its capture downloaded documents, the
document requests it would make (never sent: they say which documents and from where).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from plugins.pje_trt import requests as pje
from plugins.pje_trt import timeline as tl
from plugins.pje_trt.partes import ler_partes, partes_url
from sinesys_spiders.plugin import (
    ContextoCaptura,
    DocumentoBaixado,
    NaoEncontrado,
    OcorrenciaProcesso,
    PaginaBruta,
    PartesProcesso,
    Pedido,
    ProcessoAlvo,
    RespostaBinaria,
    RespostaInvalida,
    SinesysError,
    TimelineProcesso,
    TipoCaptura,
    alvo_de,
)

__all__ = ["CAPTURAS_PROCESSO", "PartesCaptura", "TimelineCaptura"]

PARTES = "partes"
TIMELINE = "timeline"
CONTEUDO = "conteudo"


def _comum(ctx: ContextoCaptura, alvo: ProcessoAlvo, estado: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "tipo_captura": ctx.tipo_captura,
        "processo_id": alvo.processo_id,
        "id_processo_externo": alvo.id_externo,
        "numero_processo": alvo.numero_processo,
        "tribunal": ctx.tribunal,
        "grau": ctx.grau,
        "advogado_id": ctx.advogado_id,
        "credencial_id": ctx.credencial_id,
        "captura_id": ctx.captura_id,
    }
    if estado.get("iniciada_em") is not None:
        out["credencial_iniciada_em"] = estado["iniciada_em"]
    return out


def _pagina(ctx: ContextoCaptura, tipo: TipoCaptura, pedido: Pedido, alvo: ProcessoAlvo, payload: Any,
            **extra: Any) -> PaginaBruta:  # fmt: skip
    """The raw-log entry of a case's answer: the request's path, the case, and ``extra``."""
    requisicao = pje.describe_request(pedido.url)
    requisicao.update(processo_id=alvo.processo_id, numero_processo=alvo.numero_processo, **extra)
    if ctx.captura_id is not None:
        requisicao["captura_pai"] = ctx.captura_id
    return PaginaBruta(
        captura_id=ctx.captura_id,
        tipo_captura=tipo,
        advogado_id=ctx.advogado_id,
        credencial_id=ctx.credencial_id,
        tribunal=ctx.tribunal,
        grau=ctx.grau,
        requisicao=requisicao,
        payload_bruto=payload,
    )


def _alvo_da_pagina(requisicao: Mapping[str, Any], padrao: re.Pattern[str], tipo: str) -> ProcessoAlvo:
    found = padrao.search(str(requisicao.get("path") or ""))
    if found is None or requisicao.get("processo_id") is None or requisicao.get("numero_processo") is None:
        raise RespostaInvalida(f"{tipo}: página sem o processo na requisição")
    return ProcessoAlvo(
        processo_id=int(requisicao["processo_id"]),
        id_externo=int(found.group(1)),
        numero_processo=str(requisicao["numero_processo"]),
    )


def _flag(ctx: ContextoCaptura, name: str, default: bool) -> bool:
    value = ctx.parametros.get(name, default)
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "sim", "yes")
    return bool(value)


class PartesCaptura:
    """``partes``: the parties of each case, classified relative to the logged lawyer."""

    tipo = TipoCaptura.PARTES
    etapas_binarias: frozenset[str] = frozenset()

    def iniciar(self, ctx: ContextoCaptura) -> Iterable[Pedido]:
        return ()

    def iniciar_processo(self, ctx: ContextoCaptura, alvo: ProcessoAlvo, estado: dict[str, Any]) -> Iterable[Pedido]:
        yield Pedido(partes_url(ctx.api_url, alvo.id_externo), PARTES, {"processo": alvo.to_dados()})

    def processar(self, ctx: ContextoCaptura, pedido: Pedido, payload: Any, estado: dict[str, Any]) -> Iterator[Any]:
        alvo = alvo_de(pedido)
        partes = ler_partes(payload, cpf_advogado=estado.get("cpf_advogado"))
        bruta = _pagina(ctx, TipoCaptura.PARTES, pedido, alvo, payload)
        yield bruta
        yield PartesProcesso(
            **_comum(ctx, alvo, estado), sem_partes=payload is None, partes=partes, raw_ref=bruta.raw_log_id
        )

    def verificar(self, ctx: ContextoCaptura, estado: dict[str, Any]) -> None:
        return None

    def reprocessar(
        self, ctx: ContextoCaptura, requisicao: Mapping[str, Any], payload: Any, estado: dict[str, Any]
    ) -> Iterator[Any]:
        """The :class:`PartesProcesso` of a stored page (``estado["cpf_advogado"]`` classifies, as in a crawl)."""
        alvo = _alvo_da_pagina(requisicao, _ID_PROCESSO, PARTES)
        pedido = Pedido(partes_url(ctx.api_url, alvo.id_externo), PARTES, {"processo": alvo.to_dados()})
        for produced in self.processar(ctx, pedido, payload, estado):
            if isinstance(produced, PartesProcesso):
                yield produced


_ID_PROCESSO = re.compile(r"/processos/id/(\d+)/partes")
_ID_TIMELINE = re.compile(r"/processos/id/(\d+)/timeline")
#: The download filters a timeline page records (``requisicao["parametros"]``), with their defaults.
_FILTROS = {"baixar_documentos": False, "apenas_assinados": True, "apenas_nao_sigilosos": True}


class TimelineCaptura:
    """``timeline``: the whole timeline of each case and, if asked, its signed, non-secret PDFs."""

    tipo = TipoCaptura.TIMELINE
    etapas_binarias: frozenset[str] = frozenset({CONTEUDO})

    def iniciar(self, ctx: ContextoCaptura) -> Iterable[Pedido]:
        return ()

    def iniciar_processo(self, ctx: ContextoCaptura, alvo: ProcessoAlvo, estado: dict[str, Any]) -> Iterable[Pedido]:
        yield Pedido(tl.timeline_url(ctx.api_url, alvo.id_externo), TIMELINE, {"processo": alvo.to_dados()})

    def processar(self, ctx: ContextoCaptura, pedido: Pedido, payload: Any, estado: dict[str, Any]) -> Iterator[Any]:
        if pedido.etapa == CONTEUDO:
            yield from self._conteudo(ctx, pedido, payload, estado)
            return
        alvo = alvo_de(pedido)
        if payload is None:
            raise NaoEncontrado(f"timeline do processo {alvo.numero_processo} não encontrada (HTTP 404)")
        itens = tl.ler_timeline(payload)
        documentos, movimentos = tl.contar(itens)
        filtros = {name: _flag(ctx, name, default) for name, default in _FILTROS.items()}
        bruta = _pagina(ctx, TipoCaptura.TIMELINE, pedido, alvo, payload, parametros=filtros)
        yield bruta
        baixar: list[int] = []
        ja_baixados: list[int] = []
        if filtros["baixar_documentos"]:
            baixaveis = tl.documentos_baixaveis(
                itens,
                apenas_assinados=filtros["apenas_assinados"],
                apenas_nao_sigilosos=filtros["apenas_nao_sigilosos"],
            )
            guardados = set(alvo.documentos_baixados)
            ja_baixados = [i for i in baixaveis if i in guardados]
            baixar = [i for i in baixaveis if i not in guardados]
        yield TimelineProcesso(
            **_comum(ctx, alvo, estado),
            itens=itens,
            bruta=[dict(row) for row in payload],
            total_documentos=documentos,
            total_movimentos=movimentos,
            documentos_a_baixar=baixar,
            documentos_ja_baixados=ja_baixados,
            raw_ref=bruta.raw_log_id,
        )
        for id_documento in baixar:
            url = tl.conteudo_url(ctx.api_url, alvo.id_externo, id_documento, ctx.grau)
            yield Pedido(
                url,
                CONTEUDO,
                {"processo": alvo.to_dados(), "id_documento": id_documento},
                headers={"Accept": "application/pdf"},
            )

    def _conteudo(self, ctx: ContextoCaptura, pedido: Pedido, payload: Any, estado: dict[str, Any]) -> Iterator[Any]:
        alvo = alvo_de(pedido)
        id_documento = int(pedido.dados["id_documento"])
        try:
            if not isinstance(payload, RespostaBinaria):
                raise NaoEncontrado(f"documento {id_documento}: não encontrado (HTTP 404)")
            tl.check_pdf(payload.body, id_documento=id_documento)
        except SinesysError as exc:
            yield OcorrenciaProcesso(
                **_comum(ctx, alvo, estado),
                tipo="erro",
                codigo=exc.code,
                mensagem=exc.message,
                id_documento_externo=id_documento,
            )
            return
        yield DocumentoBaixado(
            **_comum(ctx, alvo, estado),
            id_documento_externo=id_documento,
            url=pedido.url,
            conteudo=payload.body,
            content_type=payload.content_type or None,
        )

    def verificar(self, ctx: ContextoCaptura, estado: dict[str, Any]) -> None:
        return None

    def reprocessar(
        self, ctx: ContextoCaptura, requisicao: Mapping[str, Any], payload: Any, estado: dict[str, Any]
    ) -> Iterator[Any]:
        """A stored timeline page: its :class:`TimelineProcesso`, and the requests of the documents it would download.

        The filters are the page's own (``requisicao["parametros"]``); every downloadable document is listed (the
        recovery checks which are stored). The requests are never sent: recovery does not call the tribunal.
        """
        alvo = _alvo_da_pagina(requisicao, _ID_TIMELINE, TIMELINE)
        parametros = requisicao.get("parametros")
        filtros = {**_FILTROS, **(dict(parametros) if isinstance(parametros, Mapping) else {})}
        ctx = dataclasses.replace(ctx, parametros={**ctx.parametros, **filtros})
        pedido = Pedido(tl.timeline_url(ctx.api_url, alvo.id_externo), TIMELINE, {"processo": alvo.to_dados()})
        for produced in self.processar(ctx, pedido, payload, estado):
            if isinstance(produced, TimelineProcesso | Pedido):
                yield produced


CAPTURAS_PROCESSO: dict[TipoCaptura, Any] = {
    TipoCaptura.PARTES: PartesCaptura(),
    TipoCaptura.TIMELINE: TimelineCaptura(),
}
