"""Test helpers for components that report to the capture extension (the one writer of the history row).

A test that drives pipelines by hand (without an engine) connects the extension to its crawler, then closes the
crawl as the engine would::

    extension = conectar_capturas(crawler, database_url)
    ...  # items through the pipelines, their close_spider()
    fechar_crawl(crawler, "finished")     # spider_closed: the extension records the results and ends the row
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy import signals

from sinesys_spiders.core.capturas_jobs import ServicoCapturas
from sinesys_spiders.core.db.engine import get_session_factory
from sinesys_spiders.extensions.capturas import CapturaExtension

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

__all__ = ["conectar_capturas", "fechar_crawl"]


def conectar_capturas(crawler: Crawler, database_url: str | None = None) -> CapturaExtension:
    """The capture extension on ``crawler`` (kept alive with it: signal receivers are weak references)."""
    if database_url is None:
        extension = CapturaExtension.from_crawler(crawler)
    else:
        extension = CapturaExtension(crawler, ServicoCapturas(get_session_factory(database_url)), intervalo=60.0)
    crawler.__dict__["_capturas_extension"] = extension
    return extension


def fechar_crawl(crawler: Crawler, reason: str = "finished") -> None:
    """Send ``spider_closed`` as the engine does once every pipeline has closed."""
    crawler.signals.send_catch_log(signal=signals.spider_closed, spider=crawler.spider, reason=reason)
