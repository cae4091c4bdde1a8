"""Raw-log pipeline: every fetched page (:class:`~sinesys_spiders.core.items.PaginaBruta`) into the raw log.

Pages are written in batches off the reactor thread and at close; they are then dropped (quietly,
at DEBUG) so that feed exports hold only the captured records. Other items pass through untouched.

When the crawl closes, every page whose rows all reached an outcome (validated and stored, or
recorded as errors) is marked processed with its counts (``resultado_processado``: inseridos,
atualizados, inalterados, duplicados, erros). A page left unmarked was captured but not (wholly)
persisted: ``RawLogStore.list(FiltroRawLog(processado=False))`` finds it for recovery.
A ``partes`` or ``timeline`` page holds one case: it is concluded by the per-case pipeline only once
that case was stored. A batch that cannot be written is logged as an error with its size, counted in the stats,
and each of its pages is an item error of its credential in the history (``LOG_BRUTO_INDISPONIVEL`` with
the page's id and the exception's class): the crawl goes on.

Settings: ``RAWLOG_ENABLED`` (default True), ``RAWLOG_BATCH_SIZE`` (pages per write, default 20),
``RAWLOG_STORE`` (a :class:`~sinesys_spiders.core.rawlog.RawLogStore` object; default: the store the
``SINESYS_*`` settings choose, SQL or MongoDB). Stats: ``sinesys/rawlog/paginas``,
``sinesys/rawlog/falhas``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured

from pipelines._batch import BatchWriter
from pipelines._contexto import contadores, paginas
from sinesys_spiders.core.domain import TipoCaptura
from sinesys_spiders.core.historico import CONTAGENS
from sinesys_spiders.core.items import PaginaBruta
from sinesys_spiders.core.rawlog import RawLogStore, open_rawlog_store
from sinesys_spiders.core.tribunais import get_registry
from sinesys_spiders.workers.confirmacao import confirmacoes
from sinesys_spiders.workers.contagem import marcas

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

__all__ = ["RawLogPipeline"]

logger = logging.getLogger(__name__)


#: The reason code of a page the raw log could not store (an item error of its credential).
FALHA_LOG_BRUTO = "LOG_BRUTO_INDISPONIVEL"

#: Captures whose raw page holds one case: the per-case pipeline concludes it once the case is stored.
_POR_PROCESSO = frozenset({TipoCaptura.PARTES, TipoCaptura.TIMELINE})


def _rows(pagina: PaginaBruta) -> int:
    """How many rows (future items) a page holds: one case, or what the plugin serving its tribunal counts."""
    if TipoCaptura(pagina.tipo_captura) in _POR_PROCESSO:
        return 1
    return get_registry().linhas(pagina)


class RawLogPipeline:
    """Write raw pages to the raw-log store in batches."""

    def __init__(self, crawler: Crawler, store: RawLogStore | None, batch_size: int) -> None:
        self.crawler = crawler
        self._store = store
        self._writer: BatchWriter[PaginaBruta] = BatchWriter(self._write, size=batch_size)
        confirmacoes(crawler).acompanhar(self._writer)  # workers: a request is acknowledged once its page is written
        self.paginas = paginas(crawler)
        self.contadores = contadores(crawler)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RawLogPipeline:
        settings = crawler.settings
        if not settings.getbool("RAWLOG_ENABLED", True):
            raise NotConfigured("RAWLOG_ENABLED is off")
        return cls(crawler, settings.get("RAWLOG_STORE"), settings.getint("RAWLOG_BATCH_SIZE", 20))

    @property
    def store(self) -> RawLogStore:
        if self._store is None:
            self._store = open_rawlog_store()
        return self._store

    def open_spider(self) -> None:
        self.store  # noqa: B018 - open the store (and fail on bad settings) before the first page

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, PaginaBruta):
            return item
        if item.status == "success":
            self.paginas.registrar(item.raw_log_id, _rows(item))
        await self._writer.add(item)
        raise DropItem(f"página bruta {item.raw_log_id} enviada ao log bruto", log_level="DEBUG")

    async def close_spider(self) -> None:
        await self._writer.flush()

    def spider_closed(self) -> None:
        """After every pipeline flushed: mark the finished pages processed, then release the store."""
        try:
            resultados = {
                raw_log_id: {key: counts.get(key, 0) for key in CONTAGENS}
                for raw_log_id, counts in self.paginas.prontas()
            }
            try:
                self.store.mark_processed_many(resultados)  # one transaction for the crawl's pages
            except Exception as exc:
                logger.error(
                    "log bruto: %d página(s) não marcada(s) como processada(s) (%s)",
                    len(resultados),
                    type(exc).__name__,
                )
            left = self.paginas.pendentes()
            if left:
                logger.warning("log bruto: %d página(s) com itens não persistidos ficam sem marca de processada", left)
        finally:
            self.store.close()

    def _write(self, batch: list[PaginaBruta]) -> None:
        stats = self.crawler.stats
        try:
            self.store.append_many(batch)
        except Exception as exc:
            logger.error(
                "log bruto: %d página(s) não gravada(s) (%s); ids: %s",
                len(batch),
                type(exc).__name__,
                ", ".join(p.raw_log_id for p in batch),
            )
            if stats is not None:
                stats.inc_value("sinesys/rawlog/falhas", len(batch))
            self._registrar_falha(batch, type(exc).__name__)
            return
        if stats is not None:
            stats.inc_value("sinesys/rawlog/paginas", len(batch))

    def _registrar_falha(self, batch: list[PaginaBruta], causa: str) -> None:
        """Each lost page becomes an item error of its credential, so the history shows it."""
        for pagina in batch:
            if pagina.credencial_id is None:
                continue
            self.contadores.add_item_error(
                pagina.credencial_id,
                pagina.tribunal,
                pagina.grau,
                id_externo=None,
                motivo=f"{FALHA_LOG_BRUTO}: página {pagina.raw_log_id} não gravada no log bruto ({causa})",
                pedido=marcas(self.crawler).pedido(pagina),
            )
