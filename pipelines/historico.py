"""History pipeline: the crawl's counts per credential into its ``capturas_log`` row, and the row's end.

The capture's row is the spider's ``captura_id`` attribute (set when the spider opened or attached
the row through :class:`~sinesys_spiders.core.historico.HistoricoService`), else the ``captura_id``
of the items seen. When the crawl closes (signal ``spider_closed``, after every pipeline flushed):

1. the counters of every credential (filled by the validation and persistence pipelines) are
   recorded with :meth:`HistoricoService.record_result`;
2. every credential of the row without any result or error gets a zero result (a credential that
   captured nothing is still reported);
3. the row is finished: ``completed``/``failed`` by :meth:`HistoricoService.finish` when the crawl
   ended normally; ``failed`` with ``CAPTURA_INTERROMPIDA`` and the close reason otherwise. A row the
   spider already finished is left as it is (with a warning if counts were left to record): with
   this pipeline enabled the spider records failures but never finishes the row itself.

Failures of a credential (login, block, totalizador) are recorded by the spider during the crawl
with :meth:`HistoricoService.record_failure`. A crawl without any ``captura_id`` and with items gets
a row of its own (type = the spider's name), so nothing captured goes unrecorded.

Settings: ``HISTORICO_ENABLED`` (default True), ``HISTORICO_DATABASE_URL`` (default
``SINESYS_DATABASE_URL``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from sqlalchemy import select

from pipelines._contexto import contadores
from sinesys_spiders.core.db.engine import get_session_factory
from sinesys_spiders.core.db.models import Credencial
from sinesys_spiders.core.domain import StatusCaptura, TipoCaptura
from sinesys_spiders.core.historico import HistoricoService
from sinesys_spiders.core.items import ItemCaptura, ItemInvalido

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

__all__ = ["HistoricoPipeline"]

logger = logging.getLogger(__name__)

#: The code recorded when a crawl ends for another reason than "finished".
INTERROMPIDA = "CAPTURA_INTERROMPIDA"


class HistoricoPipeline:
    """Record per-credential counts and finish the capture's history row when the crawl closes."""

    def __init__(self, crawler: Crawler, database_url: str | None) -> None:
        self.crawler = crawler
        self.contadores = contadores(crawler)
        self._database_url = database_url
        self._captura_id_itens: int | None = None
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HistoricoPipeline:
        if not crawler.settings.getbool("HISTORICO_ENABLED", True):
            raise NotConfigured("HISTORICO_ENABLED is off")
        return cls(crawler, crawler.settings.get("HISTORICO_DATABASE_URL"))

    @property
    def service(self) -> HistoricoService:
        return HistoricoService(get_session_factory(self._database_url))

    def process_item(self, item: Any) -> Any:
        if self._captura_id_itens is None and isinstance(item, ItemCaptura | ItemInvalido):
            self._captura_id_itens = item.captura_id
        return item

    def captura_id(self, spider: Spider | None) -> int | None:
        """The row of this crawl: the spider's ``captura_id``, else the items'."""
        value = getattr(spider, "captura_id", None)
        return int(value) if value is not None else self._captura_id_itens

    def spider_closed(self, spider: Spider, reason: str) -> None:
        try:
            self._close(spider, reason)
        except Exception:
            logger.exception("histórico: não foi possível registrar o resultado da captura")

    def _close(self, spider: Spider, reason: str) -> None:
        service = self.service
        captura_id = self.captura_id(spider)
        if captura_id is None:
            if not self.contadores.credenciais():
                return
            try:
                tipo = TipoCaptura(spider.name)
            except ValueError:
                logger.warning("histórico: captura sem captura_id e spider %r não é um tipo de captura", spider.name)
                return
            captura_id = service.start(tipo_captura=tipo, credencial_ids=self.contadores.credenciais())
        row = service.get(captura_id)
        if StatusCaptura(row.status) in (StatusCaptura.COMPLETED, StatusCaptura.FAILED):
            if self.contadores.credenciais():
                logger.warning(
                    "histórico: captura %s já estava %s; contagens das credenciais %s não registradas "
                    "(com este pipeline ativo, a spider não deve encerrar a captura)",
                    captura_id,
                    row.status,
                    self.contadores.credenciais(),
                )
            else:
                logger.info("histórico: captura %s já estava %s", captura_id, row.status)
            return
        self.contadores.flush(service, captura_id)
        self._report_silent_credentials(service, captura_id)
        if reason == "finished":
            status = service.finish(captura_id)
        else:
            service.fail(captura_id, {"codigo": INTERROMPIDA, "mensagem": f"captura interrompida ({reason})"})
            status = StatusCaptura.FAILED
        logger.info("histórico: captura %s %s", captura_id, status.value)

    def _report_silent_credentials(self, service: HistoricoService, captura_id: int) -> None:
        row = service.get(captura_id)
        reported = {entry["credencial_id"] for entry in row.resultados}
        missing = sorted(set(row.credencial_ids) - reported)
        if not missing:
            return
        with get_session_factory(self._database_url)() as session:
            found = session.execute(
                select(Credencial.id, Credencial.tribunal, Credencial.grau).where(Credencial.id.in_(missing))
            ).all()
        for credencial_id, tribunal, grau in found:
            service.record_result(captura_id, credencial_id=credencial_id, tribunal=tribunal, grau=grau, contagem={})
