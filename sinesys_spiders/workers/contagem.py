"""A capture run by N workers counts each answer once, even when two workers handle it.

A worker killed after its rows were written but before its request was acknowledged (:mod:`.confirmacao`) leaves
the request in its processing hash; it goes back to the queue and another worker handles the same answer again.
Its upserts then find the rows already there: the database is right, but adding that second handling's counts
would show more rows in the capture's result and history than the database changed. So every answer's
contribution to the counts is keyed by its request's stable id (``CHAVE_RID``) and added at most once per capture:
the spider marks the items of each answer (:meth:`MarcasPedido.marcar`, ``{rid}#{index}``), and

- list captures (:class:`~sinesys_spiders.core.historico_contadores.ContadoresRedis`): the persistence, validation
  and raw-log pipelines *stage* an answer's counts in the worker's memory under its request id as its batches are
  written; its acknowledgement first adds them to Redis in one transaction that adds nothing if that request id
  is already in the capture's set of counted requests (and puts it there), then drops the request from the
  processing hash;
- per-case captures (:mod:`pipelines.processo`): each item's part of its credential's result is added in one
  transaction keyed by the item's mark (``EstadoProcessos.acumular(..., marca=)``), after its rows are written and
  before the item passes on (so before the acknowledgement), skipped if that mark was added before.

Why the totals are right at every point a worker can die (rows committed, counts added, request acknowledged, in
this order):

1. before its rows are committed: nothing written, nothing counted; the replay writes and counts them (inserted);
2. after the commit, before the counts were added: the replay counts the same rows again, this time as unchanged
   (their first handling's counts died with the worker): the row totals are right, never doubled, but rows the
   first handling inserted or updated are reported as unchanged. The counts live in Redis and the rows in
   PostgreSQL, so no order closes this window; it lasts from the commit to the acknowledgement (a flush interval);
3. after the counts were added, before the acknowledgement: the replay's counts are skipped, since its request id
   (or item mark) is in the counted set: the total is the first handling's, which is what the database changed;
4. after the acknowledgement: the request is gone; no replay.

A worker whose lease lapsed while it was still alive (a reactor hung longer than ``SINESYS_FILA_LEASE_TTL``) and
the worker that took its request over both handle the answer: whichever adds first counts it, the other adds
nothing. The counted sets live under the capture's keys (removed when the capture ends, and with a TTL).
One process (``workers`` < 2) marks nothing and counts as before.
"""

from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

    from scrapy.crawler import Crawler

__all__ = ["MarcasPedido", "marcas"]


class MarcasPedido:
    """The mark of every item on its way through the pipelines: its request's id and its place in the answer."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._marcas: dict[int, str] = {}
        self._por_pedido: dict[str, list[int]] = {}

    def marcar(self, itens: Iterable[Any], rid: str) -> None:
        """The items of one answer to the request ``rid`` (in the order the spider produced them)."""
        with self._lock:
            ids = self._por_pedido.setdefault(rid, [])
            for indice, item in enumerate(itens):
                self._marcas[id(item)] = f"{rid}#{indice}"
                ids.append(id(item))

    def marca(self, item: Any) -> str | None:
        """The item's mark (``{rid}#{index}``), or None (one process, or an item no answer produced)."""
        with self._lock:
            return self._marcas.get(id(item))

    def pedido(self, item: Any) -> str | None:
        """The id of the request whose answer produced the item, or None."""
        marca = self.marca(item)
        return None if marca is None else marca.rpartition("#")[0]

    def esquecer(self, rid: str) -> None:
        """The request was acknowledged: its items' marks are no longer needed."""
        with self._lock:
            for ident in self._por_pedido.pop(rid, []):
                self._marcas.pop(ident, None)


_por_crawler: weakref.WeakKeyDictionary[Any, MarcasPedido] = weakref.WeakKeyDictionary()


def marcas(crawler: Crawler) -> MarcasPedido:
    """The item marks of ``crawler``'s crawl (created on first use)."""
    return _por_crawler.get(crawler) or _por_crawler.setdefault(crawler, MarcasPedido())
