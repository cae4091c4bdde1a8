"""Paced paging: every page of a listing asked exactly once, never more than the window pending (issue 17)."""

from __future__ import annotations

import random

import pytest

from sinesys_spiders.core.paginacao import paginas_seguintes


def _percorrer(ultima: int, janela: int, ordem: str) -> tuple[list[int], int]:
    """Answer pages in ``ordem`` (oldest, newest or random first): the pages asked, and the most ever pending."""
    pendentes = list(paginas_seguintes(1, ultima=ultima, janela=janela))
    pedidas = list(pendentes)
    pico = len(pendentes)
    rng = random.Random(ultima * 31 + janela)
    while pendentes:
        indice = {"fifo": 0, "lifo": -1, "aleatoria": rng.randrange(len(pendentes))}[ordem]
        pagina = pendentes.pop(indice)
        seguintes = list(paginas_seguintes(pagina, ultima=ultima, janela=janela))
        assert len(seguintes) <= 1  # an answer replaces itself by at most one request
        pendentes += seguintes
        pedidas += seguintes
        pico = max(pico, len(pendentes))
    return pedidas, pico


@pytest.mark.parametrize("ordem", ["fifo", "lifo", "aleatoria"])
@pytest.mark.parametrize(("ultima", "janela"), [(0, 16), (1, 16), (2, 16), (17, 16), (18, 16), (2000, 16),
                                                 (100, 1), (100, 3), (5, 100)])  # fmt: skip
def test_every_page_once_and_never_more_than_the_window_pending(ultima: int, janela: int, ordem: str) -> None:
    """Whatever order the answers come in, pages 2..last are each asked once and at most ``janela`` are pending."""
    pedidas, pico = _percorrer(ultima, janela, ordem)
    assert sorted(pedidas) == list(range(2, ultima + 1))
    assert pico <= janela


def test_a_window_below_one_is_refused() -> None:
    """A window of 0 would never ask page 2: refused rather than silently capturing one page."""
    with pytest.raises(ValueError, match="janela"):
        paginas_seguintes(1, ultima=10, janela=0)
