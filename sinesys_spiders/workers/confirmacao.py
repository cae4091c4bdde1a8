"""A worker acknowledges a request only once every row its answer produced is durably written.

A request popped from the capture's queue stays in the worker's processing hash (:mod:`.fila`) until it is
acknowledged; a worker killed before that loses nothing, since its requests go back to the queue. The pipelines
buffer rows and write them in batches (``PERSISTENCIA_BATCH_SIZE``, ``RAWLOG_BATCH_SIZE``): a row that passed the
pipelines may still be in a buffer. So the acknowledgement waits for the buffers:

- each buffering writer (:class:`Escrita`: :class:`pipelines._batch.BatchWriter`) counts the values added to it
  and the values written (a batch written, or refused and recorded as item errors), and calls back after each
  write;
- once an answer's items went through the pipelines, its acknowledgement waits (:meth:`Confirmacoes.apos_pipelines`)
  until every writer has written what it held at that moment; an answer that produced no item is acknowledged at
  once. Writers write in arrival order, so the waiting acknowledgements are released in order;
- a worker flushes its buffers every :data:`INTERVALO` seconds while acknowledgements wait
  (:meth:`Confirmacoes.vigiar`), so the last answers of a capture are not held until the batches fill; the pipelines
  flush at close, before the scheduler gives back what is still unacknowledged.

Batches stay as large as in one process; a killed worker loses only requests, which the others fetch again.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

__all__ = ["INTERVALO", "Confirmacoes", "Escrita", "confirmacoes"]

logger = logging.getLogger(__name__)

#: Seconds between two flushes of the buffers while acknowledgements wait for them.
INTERVALO = 0.25


class Escrita(Protocol):
    """A buffering writer whose progress the acknowledgements follow."""

    #: Values added so far, and values written so far (in arrival order).
    adicionados: int
    gravados: int
    #: Called after each write (set by :meth:`Confirmacoes.acompanhar`).
    apos_gravar: Callable[[], None] | None

    async def flush(self) -> None: ...


class Confirmacoes:
    """The acknowledgements of one crawl waiting for its buffered rows to be written (see the module docstring)."""

    def __init__(self) -> None:
        self._escritas: list[Escrita] = []
        #: (acknowledgement, what each writer had been given when the answer's items went through) in order.
        self._espera: collections.deque[tuple[Callable[[], None], tuple[int, ...]]] = collections.deque()
        self._vigia: asyncio.Task[None] | None = None

    def acompanhar(self, escrita: Escrita) -> None:
        """Follow a pipeline's writer (its constructor calls this)."""
        self._escritas.append(escrita)
        escrita.apos_gravar = self._liberar

    def aguardando(self) -> int:
        """Acknowledgements waiting for a write."""
        return len(self._espera)

    def apos_pipelines(self, confirmar: Callable[[], None]) -> None:
        """An answer's items went through the pipelines: ``confirmar`` once what they buffered is written."""
        marca = tuple(e.adicionados for e in self._escritas)
        if not self._espera and self._escrito(marca):
            confirmar()
            return
        self._espera.append((confirmar, marca))

    def _escrito(self, marca: tuple[int, ...]) -> bool:
        return all(e.gravados >= n for e, n in zip(self._escritas, marca, strict=False))

    def _liberar(self) -> None:
        while self._espera and self._escrito(self._espera[0][1]):
            confirmar, _ = self._espera.popleft()
            try:
                confirmar()
            except Exception:  # one acknowledgement that fails keeps the others going
                logger.exception("fila: confirmação de pedido falhou")

    async def descarregar(self) -> None:
        """Write what every writer holds (the waiting acknowledgements follow)."""
        for escrita in list(self._escritas):
            await escrita.flush()
        self._liberar()

    def vigiar(self, intervalo: float = INTERVALO) -> None:
        """Flush every ``intervalo`` seconds while acknowledgements wait (a worker, from its scheduler's open)."""
        if self._vigia is None:
            self._vigia = asyncio.ensure_future(self._vigiar(intervalo))

    def parar(self) -> None:
        if self._vigia is not None:
            self._vigia.cancel()
            self._vigia = None

    async def _vigiar(self, intervalo: float) -> None:
        while True:
            await asyncio.sleep(intervalo)
            if self._espera:
                try:
                    await self.descarregar()
                except Exception as exc:  # the pipelines log their own write failures; keep watching
                    logger.warning("fila: descarga dos lotes falhou (%s)", type(exc).__name__)


_por_crawler: weakref.WeakKeyDictionary[Any, Confirmacoes] = weakref.WeakKeyDictionary()


def confirmacoes(crawler: Crawler) -> Confirmacoes:
    """The acknowledgements of ``crawler``'s crawl (created on first use, by a pipeline or the spider)."""
    return _por_crawler.get(crawler) or _por_crawler.setdefault(crawler, Confirmacoes())
