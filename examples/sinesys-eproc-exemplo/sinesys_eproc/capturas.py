"""eproc's ``acervo_geral``: the lawyer's active cases, page after page by cursor, checked against the total.

``GET {api}/advogado/processos?limite=25`` answers ``{"sucesso", "dados": {"processos": [...]},
"paginacao": {"total", "limite", "proximo"}}``; the next page is the same request with ``cursor=<proximo>``, so
pages come one after another (unlike PJE's numbered pages, which can be asked at once). At the end the rows
captured must equal ``paginacao.total``, else :class:`TotalizadorDivergente`.

Each page becomes a raw-log entry (:class:`PaginaBruta`) and its rows :class:`Processo` items pointing at it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from sinesys_spiders.plugin import (
    ContextoCaptura,
    PaginaBruta,
    Pedido,
    Processo,
    RespostaInvalida,
    TipoCaptura,
    TotalizadorDivergente,
)

__all__ = ["LIMITE", "AcervoGeral", "linhas_da_pagina", "processos_da_pagina"]

#: Rows per page (the simulated eproc's maximum).
LIMITE = 25
PAGINA = "pagina"


def _requisicao(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    return {"method": "GET", "path": parts.path, "params": dict(parse_qsl(parts.query))}


def linhas_da_pagina(payload: Any) -> list[Any]:
    """The rows of one stored page (the raw log counts them)."""
    if isinstance(payload, dict):
        dados = payload.get("dados")
        if isinstance(dados, dict) and isinstance(dados.get("processos"), list):
            return list(dados["processos"])
    return []


def _envelope(payload: Any) -> tuple[list[dict[str, Any]], int, str | None]:
    if not isinstance(payload, dict) or payload.get("sucesso") is not True:
        codigo = payload.get("erro", {}).get("codigo") if isinstance(payload, dict) else None
        raise RespostaInvalida(f"o eproc não listou os processos ({codigo or 'resposta sem sucesso'})")
    paginacao = payload.get("paginacao")
    if not isinstance(paginacao, dict) or not isinstance(paginacao.get("total"), int):
        raise RespostaInvalida("o eproc respondeu sem paginacao.total")
    proximo = paginacao.get("proximo")
    return linhas_da_pagina(payload), paginacao["total"], proximo if isinstance(proximo, str) and proximo else None


def _cnj(numero: str) -> str:
    n = "".join(ch for ch in numero if ch.isdigit())
    if len(n) != 20:
        return numero  # the item's validation rejects it, with its reason
    return f"{n[:7]}-{n[7:9]}.{n[9:13]}.{n[13]}.{n[14:16]}.{n[16:]}"


def processos_da_pagina(ctx: ContextoCaptura, payload: Any, raw_ref: str | None) -> Iterator[Processo]:
    """The :class:`Processo` items of one page."""
    for linha in linhas_da_pagina(payload):
        ativos = [str(n).strip() for n in linha.get("poloAtivo") or []]
        passivos = [str(n).strip() for n in linha.get("poloPassivo") or []]
        numero = _cnj(str(linha.get("numeroProcesso", "")))
        yield Processo(
            id_externo=int(linha["idProcesso"]),
            tribunal=ctx.tribunal,
            grau=ctx.grau,
            advogado_id=ctx.advogado_id,
            credencial_id=ctx.credencial_id,
            captura_id=ctx.captura_id,
            numero_processo=numero,
            numero=int(numero[:7]) if numero[:7].isdigit() else 0,
            classe_judicial=(linha.get("classeProcesso") or {}).get("sigla"),
            descricao_orgao_julgador=(linha.get("orgaoJulgador") or {}).get("descricao"),
            segredo_de_justica=bool(linha.get("nivelSigilo")),
            codigo_status_processo=linha.get("situacao"),
            nome_parte_autora=ativos[0] if ativos else None,
            qtde_parte_autora=len(ativos),
            nome_parte_re=passivos[0] if passivos else None,
            qtde_parte_re=len(passivos),
            data_autuacao=linha.get("dataHoraAutuacao"),
            origem="acervo_geral",
            raw_ref=raw_ref,
        )


class AcervoGeral:
    """``acervo_geral`` on eproc."""

    tipo = TipoCaptura.ACERVO_GERAL

    def iniciar(self, ctx: ContextoCaptura) -> Iterable[Pedido]:
        url = f"{ctx.api_url.rstrip('/')}/advogado/processos?{urlencode({'limite': LIMITE})}"
        yield Pedido(url, PAGINA, {"pagina": 1})

    def processar(self, ctx: ContextoCaptura, pedido: Pedido, payload: Any, estado: dict[str, Any]) -> Iterable[Any]:
        linhas, total, proximo = _envelope(payload)
        bruta = PaginaBruta(
            captura_id=ctx.captura_id,
            tipo_captura=ctx.tipo_captura,
            advogado_id=ctx.advogado_id,
            credencial_id=ctx.credencial_id,
            tribunal=ctx.tribunal,
            grau=ctx.grau,
            requisicao=_requisicao(pedido.url),
            payload_bruto=payload,
        )
        yield bruta
        yield from processos_da_pagina(ctx, payload, bruta.raw_log_id)
        estado["linhas"] = estado.get("linhas", 0) + len(linhas)
        estado["total"] = total
        estado["paginas"] = estado.get("paginas", 0) + 1
        if proximo is not None:
            if not linhas:
                raise RespostaInvalida("o eproc deu um cursor para depois de uma página vazia")
            url = f"{ctx.api_url.rstrip('/')}/advogado/processos?{urlencode({'limite': LIMITE, 'cursor': proximo})}"
            yield Pedido(url, PAGINA, {"pagina": int(pedido.dados.get("pagina", 1)) + 1})

    def verificar(self, ctx: ContextoCaptura, estado: dict[str, Any]) -> None:
        total = estado.get("total")
        if total is not None and estado.get("linhas", 0) != total:
            raise TotalizadorDivergente(
                f"acervo_geral: {estado.get('linhas', 0)} processos capturados, o eproc informou {total}"
            )

    def reprocessar(
        self, ctx: ContextoCaptura, requisicao: Mapping[str, Any], payload: Any, estado: dict[str, Any]
    ) -> Iterator[Any]:
        """The items of a stored page, as its capture made them (recovery: no request is made)."""
        yield from processos_da_pagina(ctx, payload, None)
