"""A stopping crawl does not wait for the tribunal: downloads and retry waits are cut after a short grace.

When a crawl starts closing (SIGTERM, ``CLOSESPIDER_TIMEOUT`` and the other close conditions, a cancel), Scrapy
finishes the requests in progress before it closes the spider: it waits for each download up to its
``DOWNLOAD_TIMEOUT`` and for each retry's back-off. A tribunal that drips an answer a byte at a time (or asks,
with ``Retry-After``, to come back in five minutes) would keep a stopped crawl alive that long. So:

- :class:`HttpDownloadHandler` (``http`` and ``https`` in ``DOWNLOAD_HANDLERS``) is Scrapy's HTTP/1.1 handler
  whose downloads still in flight ``SINESYS_PARADA_ESPERA`` seconds (default 5) after the crawl began closing are
  cancelled; the request fails with :class:`DownloadInterrompido` (an ``IgnoreRequest``: a stop is not an error
  of the tribunal, and the close reason says why the capture ended);
- :func:`esperar` is a sleep that ends early, with ``False``, when the crawl is stopping (the retry back-off).
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import task

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

__all__ = ["DownloadInterrompido", "HttpDownloadHandler", "crawl_parando", "esperar"]

_PASSO = 0.25  # seconds between two looks at the engine


class DownloadInterrompido(IgnoreRequest):
    """A download cut because the crawl is stopping."""


def crawl_parando(crawler: Crawler) -> bool:
    """Whether the crawl is closing (its engine stopped, or its spider being closed for any reason)."""
    engine = crawler.engine
    if engine is None:
        return False
    slot = getattr(engine, "_slot", None)  # Scrapy sets slot.closing when close_spider starts
    return not engine.running or slot is None or getattr(slot, "closing", None) is not None


async def esperar(crawler: Crawler, segundos: float) -> bool:
    """Sleep ``segundos``; ``False`` as soon as the crawl is stopping (then the caller gives up)."""
    from twisted.internet import reactor

    fim = time.monotonic() + segundos
    while (falta := fim - time.monotonic()) > 0:
        if crawl_parando(crawler):
            return False
        await maybe_deferred_to_future(task.deferLater(reactor, min(falta, _PASSO), lambda: None))
    return not crawl_parando(crawler)


class HttpDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 download handler; a download outliving a stop by the grace period is cancelled."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._crawler_parada = crawler
        self._espera = max(crawler.settings.getfloat("SINESYS_PARADA_ESPERA", 5.0), 0.0)
        self._em_voo: set[asyncio.Future[Response]] = set()
        self._interrompidos: set[asyncio.Future[Response]] = set()
        self._parando_desde: float | None = None
        self._vigia = task.LoopingCall(self._vigiar)

    async def download_request(self, request: Request) -> Response:
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # not on the asyncio reactor: Scrapy's handler as it is
            return await super().download_request(request)
        download = asyncio.ensure_future(super().download_request(request))
        self._em_voo.add(download)
        if not self._vigia.running:
            self._vigia.start(_PASSO, now=False)
        try:
            return await download
        except asyncio.CancelledError:
            if download in self._interrompidos:
                raise DownloadInterrompido(
                    f"download interrompido: a captura está parando ({self._espera:.0f} s de espera esgotados)"
                ) from None
            raise
        finally:
            self._em_voo.discard(download)
            self._interrompidos.discard(download)
            if not self._em_voo and self._vigia.running:
                self._vigia.stop()

    def _vigiar(self) -> None:
        if not crawl_parando(self._crawler_parada):
            return
        agora = time.monotonic()
        if self._parando_desde is None:
            self._parando_desde = agora
        if agora - self._parando_desde < self._espera:
            return
        for download in list(self._em_voo):
            if not download.done():
                self._interrompidos.add(download)
                download.cancel()

    async def close(self) -> Any:
        if self._vigia.running:
            self._vigia.stop()
        return await super().close()
