"""Paced paging: a listing keeps at most a window of pages in flight, and asks the next as one is answered.

A paged listing says on its first page how many pages it has. Asking every other page at once would let a tribunal
that lies about its page count (or just has a large one) fill the crawl's scheduler with thousands of requests at
a time: memory grows, and a stop (SIGTERM, ``CLOSESPIDER_TIMEOUT``) has a long queue to drop. Instead:

- page 1, once answered, asks pages ``2 .. 1 + janela`` (or fewer, up to the last);
- page ``n > 1``, once answered, asks page ``n + janela`` (if there is one).

Each page is asked exactly once (page ``m > 1 + janela`` only by page ``m - janela``), and at most ``janela``
pages of the listing are pending at any moment: an answer replaces itself by at most one request. The state is
plain data carried by each page's request (its number and the last page), so the requests stay picklable and any
worker may answer any page.

The window is ``SINESYS_PAGINAS_EM_VOO`` (default 16, the crawl's ``CONCURRENT_REQUESTS``), given to plugins as
:attr:`~sinesys_spiders.core.capturas.ContextoCaptura.janela_paginas`; each listing of a credential has its own. A
capture run by N workers keeps N windows (one worker's download capacity each).
"""

from __future__ import annotations

__all__ = ["JANELA_PADRAO", "paginas_seguintes"]

#: The default window: as many pages as a loopback tribunal's download slot takes at once.
JANELA_PADRAO = 16


def paginas_seguintes(pagina: int, *, ultima: int, janela: int = JANELA_PADRAO) -> range:
    """The pages to ask once page ``pagina`` of a listing of ``ultima`` pages is answered (see the module doc)."""
    if janela < 1:
        raise ValueError(f"janela de paginação deve ser ao menos 1 (recebido {janela})")
    if pagina <= 1:
        return range(2, min(1 + janela, ultima) + 1)
    proxima = pagina + janela
    return range(proxima, proxima + 1) if proxima <= ultima else range(0)
