"""State shared by the pipelines of one crawl: per-credential counters and the raw pages in flight.

Scrapy builds each pipeline on its own; the state of a crawl is kept per crawler object (weakly, so a
finished crawler frees it) and reached with :func:`contadores` (owned by :mod:`sinesys_spiders.sinais`, read by
the capture extension) and :func:`paginas`.
"""

from __future__ import annotations

import threading
import weakref
from collections import Counter
from typing import TYPE_CHECKING

from sinesys_spiders.sinais import contadores

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

__all__ = ["PaginasEmAndamento", "contadores", "paginas"]


class PaginasEmAndamento:
    """Raw pages whose items are still being validated or stored (thread-safe).

    The raw-log pipeline registers each page with its number of rows; the validation and persistence
    pipelines report each row's outcome. A page whose rows all have an outcome is *pronta*: the raw
    log marks it processed with those counts. Outcomes reported before the page (a spider yielding
    items before their page) are kept until it is registered.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._registradas: set[str] = set()
        self._restantes: dict[str, int] = {}
        self._contagens: dict[str, Counter[str]] = {}
        self._prontas: list[tuple[str, dict[str, int]]] = []

    def registrar(self, raw_log_id: str, itens: int) -> None:
        """A page was logged with ``itens`` rows."""
        with self._lock:
            self._registradas.add(raw_log_id)
            self._restantes[raw_log_id] = self._restantes.get(raw_log_id, 0) + itens
            self._contagens.setdefault(raw_log_id, Counter())
            self._check(raw_log_id)

    def concluir(self, raw_log_id: str | None, *, linhas: int | None = None, **contagem: int) -> None:
        """Rows of a page reached an outcome (``inseridos=2, erros=1``...).

        ``linhas``: how many of the page's rows this concludes, when not the sum of the counts (a
        ``partes`` page holds one case, whose outcome counts the parties it stored).
        """
        if raw_log_id is None:
            return
        feitas = sum(contagem.values()) if linhas is None else linhas
        with self._lock:
            self._restantes[raw_log_id] = self._restantes.get(raw_log_id, 0) - feitas
            self._contagens.setdefault(raw_log_id, Counter()).update(contagem)
            self._check(raw_log_id)

    def _check(self, raw_log_id: str) -> None:
        if raw_log_id in self._registradas and self._restantes[raw_log_id] <= 0:
            self._registradas.discard(raw_log_id)
            del self._restantes[raw_log_id]
            self._prontas.append((raw_log_id, dict(self._contagens.pop(raw_log_id))))

    def prontas(self) -> list[tuple[str, dict[str, int]]]:
        """Pages ready to be marked processed since the last call, with their counts."""
        with self._lock:
            out, self._prontas = self._prontas, []
            return out

    def pendentes(self) -> int:
        """How many registered pages still wait for rows."""
        with self._lock:
            return len(self._registradas)


_paginas: weakref.WeakKeyDictionary[Crawler, PaginasEmAndamento] = weakref.WeakKeyDictionary()


def paginas(crawler: Crawler) -> PaginasEmAndamento:
    """The raw pages in flight of ``crawler``'s capture (created on first use)."""
    found = _paginas.get(crawler)
    if found is None:
        found = _paginas[crawler] = PaginasEmAndamento()
    return found
