"""Validation pipeline: a bad item is recorded as an error with its reason and dropped, never a crash.

- :class:`~sinesys_spiders.core.items.ItemInvalido` (a row the parser could not turn into an item):
  its reason is counted as an error of its credential, and the item is dropped.
- Captured items (:class:`~sinesys_spiders.core.items.ItemCaptura`) built or changed without
  validation (``model_construct``, ``model_copy(update=...)``: ``item.validado`` is false) are
  validated again; a failure is recorded and the item dropped. The others were validated whole when
  built and on every assignment since, and pass as they are.
- Raw pages (:class:`~sinesys_spiders.core.items.PaginaBruta`) pass through to the raw-log pipeline, and per-case
  items (:mod:`sinesys_spiders.core.items_processo`, validated when built) on to the feeds.
- Anything else is not a capture item: recorded as an error and dropped.

Settings: ``VALIDACAO_ENABLED`` (default True). Stats: ``sinesys/validacao/invalidos``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from scrapy.exceptions import DropItem, NotConfigured

from pipelines._contexto import contadores, paginas
from sinesys_spiders.core.items import ItemCaptura, ItemInvalido, PaginaBruta, describe_validation_error
from sinesys_spiders.core.items_processo import ItemProcesso
from sinesys_spiders.workers.contagem import marcas

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

__all__ = ["ValidacaoPipeline"]

logger = logging.getLogger(__name__)


class ValidacaoPipeline:
    """Drop invalid items, each counted as an error of its credential with its reason."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.contadores = contadores(crawler)
        self.paginas = paginas(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidacaoPipeline:
        if not crawler.settings.getbool("VALIDACAO_ENABLED", True):
            raise NotConfigured("VALIDACAO_ENABLED is off")
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, PaginaBruta | ItemProcesso):  # per-case items: validated when built, already stored
            return item
        if isinstance(item, ItemInvalido):
            args = (item.credencial_id, item.tribunal, item.grau, item.id_externo, item.motivo, item.raw_ref)
            raise self._reject(*args, pedido=marcas(self.crawler).pedido(item))
        if isinstance(item, ItemCaptura):
            if item.validado:  # validated whole when built, and on every assignment since
                return item
            try:
                validated = type(item).model_validate(item.model_dump())
            except ValidationError as exc:
                motivo = describe_validation_error(exc)
                args = (item.credencial_id, item.tribunal, item.grau, item.id_externo, motivo, item.raw_ref)
                raise self._reject(*args, pedido=marcas(self.crawler).pedido(item)) from None
            return validated
        raise self._reject(None, None, None, None, f"item de tipo desconhecido: {type(item).__name__}")

    def _reject(
        self,
        credencial_id: Any,
        tribunal: Any,
        grau: Any,
        id_externo: Any,
        motivo: str,
        raw_ref: str | None = None,
        *,
        pedido: str | None = None,
    ) -> DropItem:
        """Count the error (on its credential when known) and return the DropItem to raise."""
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("sinesys/validacao/invalidos")
        if credencial_id is not None and tribunal is not None and grau is not None:
            self.contadores.add_item_error(
                credencial_id, tribunal, grau, id_externo=id_externo, motivo=motivo, pedido=pedido
            )
        self.paginas.concluir(raw_ref, erros=1)
        return DropItem(f"item inválido (credencial {credencial_id}, id_externo {id_externo}): {motivo}")
