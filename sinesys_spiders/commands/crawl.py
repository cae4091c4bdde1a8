"""``scrapy crawl`` that rejects bad spider arguments with one clear line and exit status 2.

Scrapy creates spiders inside the running reactor, so an argument error there surfaces as a traceback. This
command validates the arguments against the spider's ``Args[...]`` model first (the same model the spider uses),
while processing the options: before the crawler process exists and logs its start-up banner, so the error is the
only line on stderr. Scrapyd runs jobs through ``scrapy crawl`` too, so its jobs get the same check.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from pydantic import ValidationError
from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.spiderloader import get_spider_loader
from scrapy_spider_metadata import Args
from scrapy_spider_metadata._utils import get_generic_param

from sinesys_spiders.params import describe_validation_error

if TYPE_CHECKING:
    import argparse


class Command(ScrapyCrawlCommand):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        if len(args) == 1:
            error = self._argument_error(args[0], opts.spargs)
            if error:
                print(f"erro: {error}", file=sys.stderr)
                raise SystemExit(2)

    def _argument_error(self, spider_name: str, spargs: dict[str, str]) -> str | None:
        assert self.settings is not None
        try:
            spidercls = get_spider_loader(self.settings).load(spider_name)
        except KeyError:
            return None  # Scrapy's own message for an unknown spider
        if not issubclass(spidercls, Args):
            return None
        model = get_generic_param(spidercls, Args)
        values = {k: v for k, v in spargs.items() if not k.startswith("_")}
        try:
            model(**values)
        except ValidationError as exc:
            return describe_validation_error(exc)
        return None
