"""PJE-TRT list captures (``acervo_geral``, ``arquivados``, ``pendentes``, ``audiencias``) on the capture contract.

Each capture fetches what pje-api.md §3 says, in the order the real panel allows:

- ``acervo_geral``: totalizadores, then page 1 of agrupamento 1, then the other pages (at most
  ``ctx.janela_paginas`` in flight, each answer asking the next); at the end the
  number of cases must equal counter 1.
- ``arquivados``: totalizadores (kept for the history), then agrupamento 5 pages, all with one reference time.
- ``pendentes``: totalizadores, then for each ``filtros_prazo`` (N no prazo, I sem prazo) its pages; the rows of
  all filters together may not exceed counter 2.
- ``audiencias``: the pauta between two dates in one situação (``numeroPagina`` pages, ``qtdPaginas`` 0 quirk).

Every page answered becomes a raw-log entry (:class:`~sinesys_spiders.core.items.PaginaBruta`) and its rows
become items that point back to it (``raw_ref``). ``reprocessar`` reads a stored page again (recovery,
``sinesys_spiders.core.recovery``): the same parser, its items only, no request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import urlencode

from plugins.pje_trt import requests as pje
from plugins.pje_trt.parsers import ContextoPagina, parse_pagina
from sinesys_spiders.plugin import (
    ContextoCaptura,
    EntradaInvalida,
    PaginaBruta,
    Pedido,
    TipoCaptura,
    paginas_seguintes,
)

__all__ = ["CAPTURAS", "ListaPainel", "Pauta", "Pendentes"]

TOTALIZADORES = "totalizadores"
PAGINA = "pagina"


def _bruta(ctx: ContextoCaptura, url: str, payload: Any) -> PaginaBruta:
    return PaginaBruta(
        captura_id=ctx.captura_id,
        tipo_captura=ctx.tipo_captura,
        advogado_id=ctx.advogado_id,
        credencial_id=ctx.credencial_id,
        tribunal=ctx.tribunal,
        grau=ctx.grau,
        requisicao=pje.describe_request(url),
        payload_bruto=payload,
    )


def _contexto_pagina(ctx: ContextoCaptura, filtro: pje.FiltroPrazo | None = None) -> ContextoPagina:
    return ContextoPagina(
        tipo_captura=ctx.tipo_captura,
        tribunal=ctx.tribunal,
        grau=ctx.grau,
        advogado_id=ctx.advogado_id,
        credencial_id=ctx.credencial_id,
        captura_id=ctx.captura_id,
        filtro=filtro,
    )


class _Paginada:
    """Shared paging: page 1 says how many pages there are; the others follow in a window
    (:func:`~sinesys_spiders.core.paginacao.paginas_seguintes`), never all at once."""

    tipo: TipoCaptura
    #: The counter (``totalizadores``) that bounds this listing's rows, if any.
    agrupamento: int | None = None

    def _pagina(self, ctx: ContextoCaptura, pedido: Pedido, payload: Any, estado: dict[str, Any]) -> Iterator[Any]:
        filtro = pje.FiltroPrazo(pedido.dados["filtro"]) if pedido.dados.get("filtro") else None
        pagina = parse_pagina(payload, _contexto_pagina(ctx, filtro), url=pedido.url)
        yield pagina.bruta
        yield from pagina.itens
        chave = f"linhas:{filtro.value}" if filtro else "linhas"
        estado[chave] = estado.get(chave, 0) + len(pagina.envelope.resultado)
        estado["paginas"] = estado.get("paginas", 0) + 1
        numero = int(pedido.dados.get("pagina", 1))
        if numero == 1:
            contador = estado.get("totalizadores", {}).get(str(self.agrupamento)) if self.agrupamento else None
            ultima = pje.ultima_pagina(pagina.envelope, contador=contador)
        else:
            ultima = int(pedido.dados["ultima"])
        # Paced: at most ctx.janela_paginas pages of this listing in flight; each answer asks the next one.
        for seguinte in paginas_seguintes(numero, ultima=ultima, janela=ctx.janela_paginas):
            dados = {**pedido.dados, "pagina": seguinte, "ultima": ultima}
            yield Pedido(pje.page_url(pedido.url, seguinte), PAGINA, dados)

    def _totalizadores(self, ctx: ContextoCaptura, pedido: Pedido, payload: Any, estado: dict[str, Any]) -> PaginaBruta:
        contadores = pje.read_totalizadores(payload)
        estado["totalizadores"] = {str(k): v for k, v in contadores.items()}
        return _bruta(ctx, pedido.url, payload)

    def verificar(self, ctx: ContextoCaptura, estado: dict[str, Any]) -> None:
        return None

    def reprocessar(
        self, ctx: ContextoCaptura, requisicao: Mapping[str, Any], payload: Any, estado: dict[str, Any]
    ) -> Iterator[Any]:
        """The items of a stored page, as its capture made them (a totalizadores page has none)."""
        path = str(requisicao.get("path") or "")
        if path.rstrip("/").endswith("/totalizadores"):
            return
        params = requisicao.get("params") or {}
        filtro = None
        if self.tipo is TipoCaptura.PENDENTES:
            agrupador = params.get("agrupadorExpediente")
            filtro = next((f for f in pje.FiltroPrazo if f.agrupador == agrupador), None)
            if filtro is None:
                raise EntradaInvalida(f"pendentes: página sem agrupadorExpediente conhecido ({agrupador!r})")
        url = f"{ctx.api_url.rstrip('/')}{path}?{urlencode(params)}"
        yield from parse_pagina(payload, _contexto_pagina(ctx, filtro), url=url).itens


class ListaPainel(_Paginada):
    """``acervo_geral`` (agrupamento 1, checked against its counter) and ``arquivados`` (agrupamento 5)."""

    def __init__(self, tipo: TipoCaptura) -> None:
        if tipo not in (TipoCaptura.ACERVO_GERAL, TipoCaptura.ARQUIVADOS):
            raise ValueError(f"ListaPainel does not capture {tipo}")
        self.tipo = tipo
        if tipo is TipoCaptura.ACERVO_GERAL:  # the archived list is not checked against its counter
            self.agrupamento = pje.AgrupamentoPainel.ACERVO_GERAL.value

    def iniciar(self, ctx: ContextoCaptura) -> Iterable[Pedido]:
        yield Pedido(pje.totalizadores_url(ctx.api_url, ctx.id_advogado_externo), TOTALIZADORES)

    def processar(self, ctx: ContextoCaptura, pedido: Pedido, payload: Any, estado: dict[str, Any]) -> Iterable[Any]:
        if pedido.etapa == TOTALIZADORES:
            yield self._totalizadores(ctx, pedido, payload, estado)
            if self.tipo is TipoCaptura.ACERVO_GERAL:
                url = pje.acervo_geral_url(ctx.api_url, ctx.id_advogado_externo)
            else:
                agora = int(dt.datetime.now(dt.UTC).timestamp() * 1000)
                url = pje.arquivados_url(ctx.api_url, ctx.id_advogado_externo, data=agora)
            yield Pedido(url, PAGINA, {"pagina": 1})
            return
        yield from self._pagina(ctx, pedido, payload, estado)

    def verificar(self, ctx: ContextoCaptura, estado: dict[str, Any]) -> None:
        if self.tipo is not TipoCaptura.ACERVO_GERAL:
            return
        totalizador = estado.get("totalizadores", {}).get(str(pje.AgrupamentoPainel.ACERVO_GERAL.value))
        if totalizador is not None:
            pje.check_acervo(estado.get("linhas", 0), totalizador)


class Pendentes(_Paginada):
    """``pendentes``: one listing per deadline filter; rows of all filters at most counter 2."""

    tipo = TipoCaptura.PENDENTES
    agrupamento = pje.AgrupamentoPainel.PENDENTES.value

    def iniciar(self, ctx: ContextoCaptura) -> Iterable[Pedido]:
        yield Pedido(pje.totalizadores_url(ctx.api_url, ctx.id_advogado_externo), TOTALIZADORES)

    def processar(self, ctx: ContextoCaptura, pedido: Pedido, payload: Any, estado: dict[str, Any]) -> Iterable[Any]:
        if pedido.etapa == TOTALIZADORES:
            yield self._totalizadores(ctx, pedido, payload, estado)
            for nome in ctx.parametros.get("filtros_prazo") or [f.value for f in pje.FiltroPrazo]:
                filtro = pje.FiltroPrazo.parse(nome)
                url = pje.pendentes_url(ctx.api_url, ctx.id_advogado_externo, filtro=filtro)
                yield Pedido(url, PAGINA, {"pagina": 1, "filtro": filtro.value})
            return
        yield from self._pagina(ctx, pedido, payload, estado)

    def verificar(self, ctx: ContextoCaptura, estado: dict[str, Any]) -> None:
        totalizador = estado.get("totalizadores", {}).get(str(pje.AgrupamentoPainel.PENDENTES.value))
        if totalizador is None:
            return
        linhas = sum(v for k, v in estado.items() if k.startswith("linhas:"))
        pje.check_pendentes(linhas, totalizador)


class Pauta(_Paginada):
    """``audiencias``: the pauta between ``data_inicio`` and ``data_fim`` in one ``situacao``."""

    tipo = TipoCaptura.AUDIENCIAS

    def iniciar(self, ctx: ContextoCaptura) -> Iterable[Pedido]:
        params = ctx.parametros
        url = pje.pauta_url(
            ctx.api_url,
            data_inicio=dt.date.fromisoformat(str(params["data_inicio"])),
            data_fim=dt.date.fromisoformat(str(params["data_fim"])),
            situacao=pje.SituacaoAudiencia.parse(str(params.get("situacao", "M"))),
        )
        yield Pedido(url, PAGINA, {"pagina": 1})

    def processar(self, ctx: ContextoCaptura, pedido: Pedido, payload: Any, estado: dict[str, Any]) -> Iterable[Any]:
        yield from self._pagina(ctx, pedido, payload, estado)


CAPTURAS: dict[TipoCaptura, Any] = {
    TipoCaptura.ACERVO_GERAL: ListaPainel(TipoCaptura.ACERVO_GERAL),
    TipoCaptura.ARQUIVADOS: ListaPainel(TipoCaptura.ARQUIVADOS),
    TipoCaptura.PENDENTES: Pendentes(),
    TipoCaptura.AUDIENCIAS: Pauta(),
}
