"""A bare Scrapy spider over the same acervo pages: what Scrapy itself costs, with no parsing and no storage.

Run by :mod:`benchmarks.list_capture` as ``python benchmarks/_scrapy_floor.py CONFIG MODE``; CONFIG is a JSON file
with the session cookies and the URL of page 1. Modes:

- ``fetch``: fetch every page, yield nothing (Scrapy's download path only);
- ``rows``: also ``json.loads`` each page and yield one plain dict per row (Scrapy's per-item path, no pipelines);
- ``lote``: the same rows, one item per page (what the capture spiders do with :class:`Lote`).

Settings are the capture's for a loopback tribunal: 16 requests in flight, no delay, the asyncio reactor.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess


class Floor(scrapy.Spider):
    name = "floor"

    def __init__(self, config: dict[str, Any], mode: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.config = config
        self.mode = mode

    async def start(self):  # type: ignore[override]
        yield scrapy.Request(self.config["first"], cookies=self.config["cookies"], callback=self.parse_first)

    def parse_first(self, response: scrapy.http.Response):
        envelope = json.loads(response.body)
        yield from self._emit(envelope)
        for page in range(2, int(envelope["qtdPaginas"]) + 1):
            yield scrapy.Request(self.config["first"].replace("pagina=1", f"pagina={page}"), callback=self.parse)

    def parse(self, response: scrapy.http.Response):
        if self.mode != "fetch":
            yield from self._emit(json.loads(response.body))

    def _emit(self, envelope: dict[str, Any]):
        if self.mode == "rows":
            yield from envelope["resultado"]
        elif self.mode == "lote":
            yield {"rows": envelope["resultado"]}


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as fh:
        config = json.load(fh)
    process = CrawlerProcess(
        {
            "LOG_LEVEL": "INFO",
            "CONCURRENT_REQUESTS": 16,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
            "CONCURRENT_ITEMS": 16,
            "DOWNLOAD_DELAY": 0,
            "ROBOTSTXT_OBEY": False,
            "TELNETCONSOLE_ENABLED": False,
            "REMOTE_CONTROL_ENABLED": False,
            "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        }
    )
    process.crawl(Floor, config=config, mode=sys.argv[2])
    process.start()


if __name__ == "__main__":
    main()
