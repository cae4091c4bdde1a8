"""The item processor: Scrapy's pipeline chain, with the items of one answer carried as one :class:`Lote`.

A list page of PJE holds up to 100 rows. Yielded one by one, each row pays Scrapy's whole per-item path (spider
middlewares, the chain of pipelines through Deferreds, an ``item_scraped`` signal dispatched to every receiver), about
ten times what our own pipelines spend on it. The capture spiders therefore yield the items of one answer together,
as a :class:`~sinesys_spiders.core.items.Lote`, and this processor (the ``ITEM_PROCESSOR`` setting) runs every
pipeline's ``process_item`` on each item of the lote in a tight loop. Pipelines still see one item at a time and
behave exactly as when items come alone:

- an item a pipeline drops (``DropItem``) leaves the lote; it is logged with the log formatter and the
  ``item_dropped`` signal is sent for it, as Scrapy does;
- an item whose pipeline raises another exception leaves the lote and gets Scrapy's ``item_error`` log and signal;
  the rest of the lote goes on;
- what is left goes on as the lote: ``item_scraped`` is sent once for it, feed exports write its items one per
  record (:mod:`sinesys_spiders.feeds`), and ``item_scraped_count`` counts its items, not the lote.

Anything that is not a lote goes through the ordinary chain.
"""

from __future__ import annotations

import logging
import types
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import DropItem
from scrapy.pipelines import ItemPipelineManager
from scrapy.utils.defer import ensure_awaitable
from scrapy.utils.log import logformatter_adapter
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from sinesys_spiders.core.items import Lote

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["LotePipelineManager"]

logger = logging.getLogger(__name__)

#: CoreStats adds one to ``item_scraped_count`` per ``item_scraped`` signal, i.e. per lote.
_CORESTATS = "scrapy.extensions.corestats.CoreStats"


class LotePipelineManager(ItemPipelineManager):
    """``ItemPipelineManager`` that unpacks :class:`Lote` items for the pipelines."""

    def __init__(self, *middlewares: Any, crawler: Any = None) -> None:
        super().__init__(*middlewares, crawler=crawler)
        self._crawler = crawler
        extensions = crawler.settings.getwithbase("EXTENSIONS") if crawler is not None else {}
        self._ajustar_contagem = extensions.get(_CORESTATS) is not None

    async def process_item_async(self, item: Any) -> Any:
        if not isinstance(item, Lote):
            return await super().process_item_async(item)
        methods = [method for method in self.methods["process_item"] if method is not None]
        kept = []
        for inner in item.itens:
            try:
                kept.append(await self._chain(methods, inner))
            except DropItem as exc:
                await self._dropped(inner, exc)
            except Exception as exc:
                await self._failed(inner, exc)
        item.itens = kept
        stats = getattr(self._crawler, "stats", None)
        if self._ajustar_contagem and stats is not None:
            stats.inc_value("item_scraped_count", len(kept) - 1)  # CoreStats adds the lote's one
        return item

    async def _chain(self, methods: list[Callable[..., Any]], item: Any) -> Any:
        for method in methods:
            out = method(item, self._spider) if method in self._mw_methods_requiring_spider else method(item)
            if type(out) is types.CoroutineType:
                out = await out
            elif isinstance(out, Deferred) or hasattr(out, "__await__"):
                out = await ensure_awaitable(out)
            item = out
        return item

    def _spider_and_formatter(self) -> tuple[Any, Any]:
        crawler = self._crawler
        return crawler.spider, crawler.engine.scraper.logformatter

    async def _dropped(self, item: Any, exc: DropItem) -> None:
        spider, formatter = self._spider_and_formatter()
        logkws = formatter.dropped(item, exc, None, spider)
        if logkws is not None:
            logger.log(*logformatter_adapter(logkws), extra={"spider": spider, "item": item})
        await self._crawler.signals.send_catch_log_async(
            signal=signals.item_dropped, item=item, response=None, spider=spider, exception=exc
        )

    async def _failed(self, item: Any, exc: Exception) -> None:
        spider, formatter = self._spider_and_formatter()
        failure = Failure(exc)
        logkws = formatter.item_error(item, exc, None, spider)
        logger.log(
            *logformatter_adapter(logkws),
            extra={"spider": spider, "item": item},
            exc_info=(type(exc), exc, exc.__traceback__),
        )
        await self._crawler.signals.send_catch_log_async(
            signal=signals.item_error, item=item, response=None, spider=spider, failure=failure
        )
