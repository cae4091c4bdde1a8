"""A test-only spider that pages through ``paineladvogado/{id}/processos`` with a credential's session.

Run as a script (one Scrapy process, the project's settings, the session middleware):

    python tests/login/painel_spider.py --credencial 3 --out result.json [--page-size 5]

``SINESYS_DATABASE_URL`` and ``SINESYS_SECRET_KEY`` say where the credentials and sessions are. The
result file holds the captured case ids, the session stats, the logins this process made and the
failures by credential. The real capture spiders come with issue 5.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

from sinesys_spiders.core.errors import SinesysError
from sinesys_spiders.core.tribunais import LoginTimeouts
from sinesys_spiders.login.manager import SessionManager
from sinesys_spiders.middlewares.session import session_manager_for


class PainelSpider(scrapy.Spider):
    """Acervo geral of one credential, page by page (one at a time, or all after the first)."""

    name = "painel_teste"

    def __init__(
        self, credencial_id: int, page_size: int = 5, forbidden: bool = False, parallel: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.forbidden = forbidden
        self.parallel = parallel
        self.credencial_id = int(credencial_id)
        self.page_size = int(page_size)
        self.ids: list[int] = []
        self.total: int | None = None
        self.falhas: dict[int, str] = {}

    def credencial_falhou(self, credencial_id: int, error: SinesysError) -> None:
        self.falhas[credencial_id] = error.code

    async def start(self) -> AsyncIterator[scrapy.Request]:
        try:
            sessao = await session_manager_for(self.crawler).get(self.credencial_id)
        except SinesysError as exc:
            self.falhas[self.credencial_id] = exc.code
            return
        self.base = f"{sessao.base_url}/pje-comum-api/api/paineladvogado/{sessao.id_advogado}/processos"
        if self.forbidden:  # another lawyer's panel: PJE answers 403 although the session lives
            other = f"{sessao.base_url}/pje-comum-api/api/paineladvogado/{sessao.id_advogado + 1}/processos"
            yield scrapy.Request(
                f"{other}?idAgrupamentoProcessoTarefa=1&pagina=1", meta={"credencial_id": self.credencial_id}
            )
        yield self._page(1)

    def _page(self, pagina: int) -> scrapy.Request:
        url = f"{self.base}?idAgrupamentoProcessoTarefa=1&pagina={pagina}&tamanhoPagina={self.page_size}"
        return scrapy.Request(
            url,
            meta={"credencial_id": self.credencial_id, "pagina": pagina},
            headers={"Accept": "application/json"},
            callback=self.parse,
        )

    def parse(self, response: Any) -> Any:
        data = response.json()
        self.total = data["totalRegistros"]
        for processo in data["resultado"]:
            self.ids.append(processo["id"])
            yield {"id": processo["id"]}
        paginas = data["qtdPaginas"] or (1 if data["resultado"] else 0)
        if self.parallel:  # every other page at once, after the first
            if response.meta["pagina"] == 1:
                for pagina in range(2, paginas + 1):
                    yield self._page(pagina)
        elif response.meta["pagina"] < paginas:
            yield self._page(response.meta["pagina"] + 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--credencial", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--page-size", type=int, default=5)
    parser.add_argument("--forbidden", action="store_true", help="Also ask for another lawyer's panel (403).")
    parser.add_argument("--parallel", action="store_true", help="Ask for pages 2..N at once.")
    args = parser.parse_args(argv)

    settings = get_project_settings()
    settings.set("DOWNLOAD_DELAY", 0)
    settings.set("LOG_LEVEL", "INFO")
    settings.set("CONCURRENT_REQUESTS", 4)
    settings.set("ITEM_PIPELINES", {})  # sessions are under test here, not persistence
    process = CrawlerProcess(settings)
    manager = SessionManager.from_settings(timeouts=LoginTimeouts.fast())
    crawler = process.create_crawler(PainelSpider)
    process.crawl(
        crawler,
        credencial_id=args.credencial,
        page_size=args.page_size,
        forbidden=args.forbidden,
        parallel=args.parallel,
        session_manager=manager,
    )
    process.start()
    spider: PainelSpider = crawler.spider  # type: ignore[assignment]
    stats = crawler.stats.get_stats() if crawler.stats else {}
    result = {
        "ids": spider.ids,
        "total": spider.total,
        "logins": manager.logins,
        "falhas": spider.falhas,
        "stats": {
            k: v
            for k, v in stats.items()
            if k.startswith(("sessao/", "downloader/response_status_count", "httperror/"))
        },
    }
    args.out.write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
