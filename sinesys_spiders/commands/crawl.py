"""``scrapy crawl`` that rejects bad spider arguments in one clear line and reports a failed capture by its exit status.

Scrapy creates spiders inside the running reactor, so an argument error there surfaces as a traceback. For the
capture spiders (``Args[...]`` models) this command checks first, with exit status 2 and one line on stderr:

- the arguments, against the spider's own model;
- the database: reachable and migrated to the code's revision (else: run ``sinesys db upgrade``);
- ``captura_id``: an existing history row that is not finished.

After the crawl, the exit status is 1 when the capture's history row ended ``failed`` (every credential failed),
so schedulers and shell scripts see it. Scrapyd runs jobs through ``scrapy crawl`` too, so its jobs get the same.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.spiderloader import get_spider_loader
from scrapy_spider_metadata import Args
from scrapy_spider_metadata._utils import get_generic_param
from sqlalchemy.exc import DBAPIError

from sinesys_spiders.core.config import get_settings, mask_url
from sinesys_spiders.core.domain import StatusCaptura
from sinesys_spiders.core.errors import NaoEncontrado
from sinesys_spiders.core.logsafe import ecoar
from sinesys_spiders.params import describe_validation_error

if TYPE_CHECKING:
    import argparse


class Command(ScrapyCrawlCommand):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        # Checked while processing the options: before the crawler process exists and logs its start-up
        # banner, so the error is the only line on stderr.
        super().process_options(args, opts)
        if len(args) != 1:
            return
        assert self.settings is not None
        try:
            spidercls = get_spider_loader(self.settings).load(args[0])
        except KeyError:
            print(f"erro: spider desconhecido: {ecoar(args[0])} (`scrapy list` mostra os disponíveis)", file=sys.stderr)
            raise SystemExit(2) from None
        if not issubclass(spidercls, Args):
            return
        error = self._argument_error(spidercls, opts.spargs) or self._database_error(opts.spargs)
        if error:
            print(f"erro: {error}", file=sys.stderr)
            raise SystemExit(2)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1 or self.crawler_process is None:
            super().run(args, opts)
            return
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed or self._capture_failed(crawler):
            self.exitcode = 1

    @staticmethod
    def _argument_error(spidercls: type, spargs: dict[str, str]) -> str | None:
        from sinesys_spiders.spiders.base import CapturaSpider

        model: type | None  # a pydantic model: the capture's (with the plugins' arguments) or the spider's own
        if issubclass(spidercls, CapturaSpider):
            model = spidercls.modelo_argumentos()
        else:
            model = get_generic_param(spidercls, Args)
        if model is None:
            return None
        values = {k: v for k, v in spargs.items() if not k.startswith("_")}
        try:
            model(**values)
        except ValidationError as exc:
            return describe_validation_error(exc)
        return None

    @staticmethod
    def _database_error(spargs: dict[str, str]) -> str | None:
        from sinesys_spiders.core.db.migrate import current, head
        from sinesys_spiders.core.historico import HistoricoService

        url = get_settings().effective_database_url
        logging.getLogger("alembic").setLevel(logging.WARNING)  # its INFO lines would bury the error
        try:
            revision = current(url)
            if revision != head():
                state = "não migrado" if revision is None else f"na revisão {revision}, o código espera {head()}"
                return f"banco de dados {state} ({mask_url(url)}): rode `sinesys db upgrade`"
            advogado = spargs.get("advogado")
            if advogado:
                from sinesys_spiders.core.db import get_session_factory, session_scope
                from sinesys_spiders.core.db.models import Advogado

                with session_scope(factory=get_session_factory(url)) as session:
                    if session.get(Advogado, int(advogado)) is None:
                        return f"advogado {int(advogado)} não existe (sinesys advogados list)"
            captura_id = spargs.get("captura_id")
            if captura_id:
                resumo = HistoricoService.from_url(url).get(int(captura_id))
                if StatusCaptura(resumo.status) in (
                    StatusCaptura.COMPLETED,
                    StatusCaptura.FAILED,
                    StatusCaptura.CANCELLED,
                ):
                    return f"captura {captura_id} já terminou ({resumo.status}): abra outra"
        except NaoEncontrado:
            return f"captura {spargs.get('captura_id')} não existe no histórico"
        except DBAPIError as exc:
            return f"banco de dados inacessível ({mask_url(url)}): {type(exc.orig or exc).__name__}"
        return None

    @staticmethod
    def _capture_failed(crawler: Any) -> bool:
        from sinesys_spiders.core.historico import HistoricoService

        captura_id = getattr(getattr(crawler, "spider", None), "captura_id", None)
        if captura_id is None:
            return False
        try:
            return HistoricoService.from_url().get(int(captura_id)).status == StatusCaptura.FAILED.value
        except Exception:  # the crawl itself already reported what happened
            return False
