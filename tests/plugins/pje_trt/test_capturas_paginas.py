"""PJE-TRT list captures page in a window: a listing declaring 2,000 pages asks 16 at a time (issue 17)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from plugins.pje_trt.capturas import CAPTURAS
from sinesys_spiders.core.capturas import ContextoCaptura, Pedido
from sinesys_spiders.core.domain import Grau, TipoCaptura, Tribunal
from sinesys_spiders.core.errors import RespostaInvalida

API = "http://127.0.1.3/pje-comum-api/api"


def _ctx(janela: int = 16) -> ContextoCaptura:
    return ContextoCaptura(
        tipo_captura=TipoCaptura.ACERVO_GERAL, credencial_id=1, advogado_id=1, tribunal=Tribunal("TRT3"),
        grau=Grau.PRIMEIRO_GRAU, api_url=API, id_advogado_externo=7, janela_paginas=janela,
    )  # fmt: skip


def _pagina(numero: int, qtd: int = 2000, total: int = 199_900) -> dict:
    return {"pagina": numero, "tamanhoPagina": 100, "qtdPaginas": qtd, "totalRegistros": total, "resultado": []}


def _pedidos(saida: list) -> list[Pedido]:
    return [p for p in saida if isinstance(p, Pedido)]


def _numero(pedido: Pedido) -> int:
    return int(parse_qs(urlsplit(pedido.url).query)["pagina"][0])


@pytest.mark.parametrize("janela", [16, 4])
def test_a_listing_of_2000_pages_asks_only_its_window_and_each_answer_the_next(janela: int) -> None:
    """Page 1 asks pages 2..1+janela (not 1,999 at once); page n asks n+janela; the last pages ask nothing."""
    captura = CAPTURAS[TipoCaptura.ACERVO_GERAL]
    estado: dict = {"totalizadores": {"1": 199_900}}
    primeira = Pedido(f"{API}/paineladvogado/7/processos?pagina=1&tamanhoPagina=100", "pagina", {"pagina": 1})
    seguintes = _pedidos(list(captura.processar(_ctx(janela), primeira, _pagina(1), estado)))
    assert [_numero(p) for p in seguintes] == list(range(2, 2 + janela))
    assert all(p.dados["ultima"] == 2000 for p in seguintes)

    terceira = seguintes[1]
    depois = _pedidos(list(captura.processar(_ctx(janela), terceira, _pagina(3), estado)))
    assert [_numero(p) for p in depois] == [3 + janela]
    assert depois[0].dados == {"pagina": 3 + janela, "ultima": 2000}

    penultima = Pedido(primeira.url.replace("pagina=1", "pagina=1999"), "pagina", {"pagina": 1999, "ultima": 2000})
    assert _pedidos(list(captura.processar(_ctx(janela), penultima, _pagina(1999), estado))) == []


def test_a_page_count_beyond_the_totals_is_still_refused() -> None:
    """The window paces what the bound allows; a count the totals cannot explain still ends the credential."""
    captura = CAPTURAS[TipoCaptura.ACERVO_GERAL]
    primeira = Pedido(f"{API}/paineladvogado/7/processos?pagina=1&tamanhoPagina=100", "pagina", {"pagina": 1})
    with pytest.raises(RespostaInvalida, match="qtdPaginas"):
        list(captura.processar(_ctx(), primeira, _pagina(1, qtd=2_000_000, total=300), {"totalizadores": {"1": 300}}))
