"""Feed exports of :class:`~sinesys_spiders.core.items.Lote` items: one record per item, as if yielded alone.

Capture spiders yield the items of one answer as one lote (see ``pipelines.lotes``). This subclass of Scrapy's
``FeedExporter`` extension (it replaces the built-in one in :mod:`sinesys_spiders.settings`) hands each item of a
lote to the feeds on its own, so ``scrapy crawl acervo_geral -O items.jsonl`` has one line per case, and every feed
option that works per item (``item_classes``, ``item_filter``, ``batch_item_count``, the "Stored ... (N items)" count)
works the same way. Any exporter format works unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.extensions import feedexport

from sinesys_spiders.core.items import Lote

if TYPE_CHECKING:
    from scrapy import Spider

__all__ = ["FeedExporter"]


class FeedExporter(feedexport.FeedExporter):
    """Scrapy's feed exporter, unpacking lotes into their items."""

    def item_scraped(self, item: Any, spider: Spider) -> None:
        if isinstance(item, Lote):
            for inner in item.itens:
                super().item_scraped(inner, spider)
        else:
            super().item_scraped(item, spider)
