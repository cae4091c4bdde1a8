"""The queue gauge: the most requests a crawl ever had pending, as the stat ``sinesys/pedidos_pendentes_max``.

Pending means waiting in the scheduler or being downloaded. The list captures keep it near their page window
(``SINESYS_PAGINAS_EM_VOO``, :mod:`sinesys_spiders.core.paginacao`) per listing, whatever page count a tribunal
declares; a crawl whose figure is far above that is queueing faster than it downloads. Scrapy's own
``scheduler/enqueued`` and ``scheduler/dequeued`` only count totals, not how many waited at once.

Settings: ``FILA_STATS_ENABLED`` (default True).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

__all__ = ["STAT_PENDENTES_MAX", "FilaStats"]

STAT_PENDENTES_MAX = "sinesys/pedidos_pendentes_max"


class FilaStats:
    """Records the high-water mark of pending requests at every request scheduled."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FilaStats:
        if not crawler.settings.getbool("FILA_STATS_ENABLED", True):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.request_scheduled, signal=signals.request_scheduled)
        return ext

    def request_scheduled(self, request: Any, spider: Any = None) -> None:
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None)
        if engine is None or slot is None or self.crawler.stats is None:
            return
        try:  # sent before the request is queued: it counts as one more
            pendentes = len(slot.scheduler) + len(engine.downloader.active) + 1
        except TypeError:  # a scheduler that cannot tell its length
            return
        self.crawler.stats.max_value(STAT_PENDENTES_MAX, pendentes)
