"""State shared by the pipelines of one crawl: the per-credential counters.

Scrapy builds each pipeline on its own; the counters of a crawl are kept per crawler object (weakly,
so a finished crawler frees them) and reached with :func:`contadores`.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from sinesys_spiders.core.historico import ContadoresCaptura

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

__all__ = ["contadores"]

_por_crawler: weakref.WeakKeyDictionary[Crawler, ContadoresCaptura] = weakref.WeakKeyDictionary()


def contadores(crawler: Crawler) -> ContadoresCaptura:
    """The counters of ``crawler``'s capture (created on first use)."""
    found = _por_crawler.get(crawler)
    if found is None:
        found = _por_crawler[crawler] = ContadoresCaptura()
    return found
