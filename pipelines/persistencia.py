"""Persistence pipeline: the relational upsert of captured items, in batches, counted per credential.

Each :class:`~sinesys_spiders.core.items.ItemCaptura` with a table (processos, expedientes,
audiências; other item types pass through untouched) is passed on at once (so feed exports see it)
and buffered; every ``PERSISTENCIA_BATCH_SIZE`` items, and at close, the batch is upserted on its
natural keys (:func:`sinesys_spiders.core.upsert.upsert_items`) in one transaction, off the
reactor thread. The outcome (inseridos, atualizados, inalterados, duplicados, erros with their
reasons) goes to the crawl's counters, which the history pipeline records. A batch the database
refuses as a whole is retried item by item, so one bad row costs only itself.

Settings: ``PERSISTENCIA_ENABLED`` (default True), ``PERSISTENCIA_BATCH_SIZE`` (default 500),
``PERSISTENCIA_DATABASE_URL`` (default: ``SINESYS_DATABASE_URL``, SQLite under ``var/`` when unset).
Stats: ``sinesys/persistencia/<count>``.
"""

from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured

from pipelines._batch import BatchWriter
from pipelines._contexto import contadores, paginas
from sinesys_spiders.core.db.engine import get_session_factory
from sinesys_spiders.core.items import ItemCaptura
from sinesys_spiders.core.upsert import ResultadoUpsert, table_for, upsert_items
from sinesys_spiders.workers.confirmacao import confirmacoes
from sinesys_spiders.workers.contagem import marcas

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from sqlalchemy.orm import Session, sessionmaker

__all__ = ["PersistenciaPipeline"]

logger = logging.getLogger(__name__)


@functools.cache
def _has_table(cls: type[ItemCaptura]) -> bool:
    """Whether the upsert stores this item type (others pass through for other pipelines)."""
    try:
        table_for(cls)
    except KeyError:
        return False
    return True


class PersistenciaPipeline:
    """Upsert captured items in batches and count the outcome per credential."""

    def __init__(self, crawler: Crawler, database_url: str | None, batch_size: int) -> None:
        self.crawler = crawler
        self.contadores = contadores(crawler)
        self.paginas = paginas(crawler)
        self._database_url = database_url
        self._factory: sessionmaker[Session] | None = None
        self._writer: BatchWriter[ItemCaptura] = BatchWriter(self._write, size=batch_size)
        self._marcas = marcas(crawler)  # workers: each answer's counts added once (workers.contagem)
        confirmacoes(crawler).acompanhar(self._writer)  # workers: a request is acknowledged once its rows are written

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PersistenciaPipeline:
        settings = crawler.settings
        if not settings.getbool("PERSISTENCIA_ENABLED", True):
            raise NotConfigured("PERSISTENCIA_ENABLED is off")
        return cls(crawler, settings.get("PERSISTENCIA_DATABASE_URL"), settings.getint("PERSISTENCIA_BATCH_SIZE", 500))

    def open_spider(self) -> None:
        self._factory = get_session_factory(self._database_url)

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, ItemCaptura) and _has_table(type(item)):
            await self._writer.add(item)
        return item

    async def close_spider(self) -> None:
        await self._writer.flush()

    def _write(self, batch: list[ItemCaptura]) -> None:
        if self._factory is None:
            self._factory = get_session_factory(self._database_url)
        try:
            result = self._upsert(batch)
        except Exception as exc:
            logger.warning(
                "persistência: lote de %d itens recusado (%s); gravando um a um", len(batch), type(exc).__name__
            )
            result = ResultadoUpsert()
            for item in batch:
                try:
                    result.merge(self._upsert([item]))
                except Exception as item_exc:
                    self.paginas.concluir(item.raw_ref, erros=1)
                    self.contadores.add_item_error(
                        item.credencial_id,
                        item.tribunal,
                        item.grau,
                        id_externo=item.id_externo,
                        motivo=f"falha ao gravar no banco ({type(item_exc).__name__})",
                        pedido=self._marcas.pedido(item),
                    )
        self._count(batch, result)

    def _upsert(self, batch: list[ItemCaptura]) -> ResultadoUpsert:
        assert self._factory is not None
        with self._factory.begin() as session:
            return upsert_items(session, batch)

    def _count(self, batch: list[ItemCaptura], result: ResultadoUpsert) -> None:
        where = {item.credencial_id: (item.tribunal, item.grau) for item in batch}
        stats = self.crawler.stats
        for contagem in result.por_credencial.values():
            if stats is not None:
                for key, value in contagem.as_dict().items():
                    stats.inc_value(f"sinesys/persistencia/{key}", value)
        for credencial_id, pedido, counts in self._por_pedido(batch, result):
            tribunal, grau = where[credencial_id]
            self.contadores.add(credencial_id, tribunal, grau, pedido=pedido, **counts)
        for raw_ref, contagem in result.por_pagina.items():
            self.paginas.concluir(raw_ref, **contagem.as_dict())
        pedido_do_item = {(item.credencial_id, item.id_externo): self._marcas.pedido(item) for item in batch}
        for erro in result.erros:
            tribunal, grau = where[erro.credencial_id]
            self.contadores.add_item_error(
                erro.credencial_id,
                tribunal,
                grau,
                id_externo=erro.id_externo,
                motivo=erro.motivo,
                pedido=pedido_do_item.get((erro.credencial_id, erro.id_externo)),
            )

    def _por_pedido(
        self, batch: list[ItemCaptura], result: ResultadoUpsert
    ) -> list[tuple[int, str | None, dict[str, int]]]:
        """The batch's counts (item errors apart: each is added with its reason) per credential and per answer's
        request (N workers, :mod:`sinesys_spiders.workers.contagem`: a page's rows are one answer's); what no
        request claims goes unkeyed, as in one process."""
        pedidos = {item.raw_ref: (item.credencial_id, self._marcas.pedido(item)) for item in batch if item.raw_ref}
        restos = {c: contagem.as_dict() for c, contagem in result.por_credencial.items()}
        out: list[tuple[int, str | None, dict[str, int]]] = []
        for raw_ref, contagem in result.por_pagina.items():
            credencial_id, pedido = pedidos.get(raw_ref, (None, None))
            if pedido is None or credencial_id not in restos:
                continue
            counts = contagem.as_dict()
            counts.pop("erros")
            for key, value in counts.items():
                restos[credencial_id][key] -= value
            out.append((credencial_id, pedido, counts))
        for credencial_id, counts in restos.items():
            counts.pop("erros")
            out.append((credencial_id, None, counts))
        return out
