"""Per-case pipeline: parties, timelines and documents persisted a group of cases at a time, results per credential.

Handles the items of :mod:`sinesys_spiders.core.items_processo` (everything else passes through untouched):

- :class:`PartesProcesso` -> :func:`~sinesys_spiders.core.persistencia_processo.persistir_partes`; once the
  parties are stored, the case's raw page (``raw_ref``, counted by the raw-log pipeline as one row) is
  concluded, so a page whose parties were never stored stays unprocessed in the raw log;
- :class:`TimelineProcesso` -> the timeline store (``timeline`` collection or ``timelines`` table) and its
  items as rows (:func:`~sinesys_spiders.core.persistencia_timeline.gravar_timelines`), in one
  transaction: the case is stamped (``timeline_capturada_em``) only when the store's save succeeded; then its
  raw page is concluded, as a ``partes`` page;
- :class:`DocumentoBaixado` -> the document store (``SINESYS_DOCUMENTS_DIR``) and its ``documentos`` row;
- :class:`OcorrenciaProcesso` -> counted: a case skipped because another run holds it, or an error;
- every case the spider chose (``sinais.processos_selecionados``) that ended neither stored, nor skipped, nor with
  an error of its own is reported at the close as an error ``PROCESSO_NAO_CONCLUIDO`` with the reason (the
  credential's failure, or none known): never missing silently.

Items are written in groups (:class:`~pipelines._batch.GroupWriter`): whatever arrived while the previous group was
being written goes in one transaction, off the reactor thread, through the batched repositories (a few statements
per table for the whole group; a unique violation from another worker makes the group run again; a group the
database refuses is written again item by item, so one bad case costs only itself). Each item waits for its group
and then goes on to the feed exports, as the list spiders' items do (``scrapy crawl partes -O partes.jsonl``): the
spider learns the case is done from the ``item_scraped`` signal and releases its lock. An item that was not stored
(an :class:`OcorrenciaProcesso`, or a write that failed) is dropped at DEBUG instead. At close, each credential's
result is reported with the ``resultado_credencial`` signal (:mod:`sinesys_spiders.sinais`) to the capture extension
(``extra``: ``partes``: total_processos, total_partes, clientes, partes_contrarias, terceiros,
representantes, vinculos, duracao_ms, bloqueados, processos_bloqueados...; ``timeline``: totals of documents
and movements, new ones, documents downloaded...), which records it and finishes the row.

A capture run by N workers (``CAPTURA_WORKERS_ID``): each worker adds what its items gave to the capture's shared
state (:mod:`sinesys_spiders.core.estado_captura.processos`, Redis) before the item passes on (so before its request
is acknowledged), the chosen cases and a credential's failure at once; each item's part keyed by its mark, so the
same answer handled again after a worker died is added once (:mod:`sinesys_spiders.workers.contagem`); the worker
that ends the capture (``sinais.ultimo_worker``) checks every chosen case and reports each credential's result, once
for the capture.

Settings: ``PROCESSO_ENABLED`` (default True), ``PROCESSO_BATCH_SIZE`` (the largest group, default 200),
``PERSISTENCIA_DATABASE_URL``, ``TIMELINE_STORE`` and ``DOCUMENT_STORE`` (store objects; default: the ones the
``SINESYS_*`` settings choose). Stats: ``sinesys/processo/<tipo>``, ``sinesys/processo/grupos``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import logging
import threading
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DropItem, NotConfigured
from sqlalchemy.exc import IntegrityError

from pipelines._batch import GroupWriter
from pipelines._contas_processo import ContaCredencial, de_dict, juntar, registrar
from pipelines._contexto import paginas
from sinesys_spiders import sinais
from sinesys_spiders.core.db.engine import get_session_factory
from sinesys_spiders.core.documentos import DocumentStore, open_document_store
from sinesys_spiders.core.estado_captura.processos import EstadoProcessos, abrir_estado_processos
from sinesys_spiders.core.items_processo import (
    DocumentoBaixado,
    ItemProcesso,
    OcorrenciaProcesso,
    PartesProcesso,
    TimelineProcesso,
)
from sinesys_spiders.core.persistencia_processo import persistir_partes
from sinesys_spiders.core.persistencia_timeline import caso_de, contar_documentos, gravar_timelines, persistir_documento
from sinesys_spiders.core.timelines import TimelineStore, open_timeline_store
from sinesys_spiders.core.timeutil import utcnow
from sinesys_spiders.workers.contagem import marcas

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from sqlalchemy.orm import Session, sessionmaker

__all__ = ["ProcessoPipeline"]

logger = logging.getLogger(__name__)

_TENTATIVAS = 3


class ProcessoPipeline:
    """Persist per-case items in groups, pass them on once stored, and record each credential's result at close."""

    def __init__(
        self,
        crawler: Crawler,
        database_url: str | None,
        timeline_store: TimelineStore | None = None,
        document_store: DocumentStore | None = None,
        batch_size: int = 200,
    ) -> None:
        self.crawler = crawler
        self._database_url = database_url
        self._factory: sessionmaker[Session] | None = None
        self._timelines = timeline_store
        self._documentos = document_store
        self._credenciais: dict[int, ContaCredencial] = {}
        #: Workers: this worker's part not yet shared, per item mark (workers.contagem: added once per capture).
        self._por_marca: dict[str | None, dict[int, ContaCredencial]] = {}
        self._marcas = marcas(crawler)
        self._grupos: GroupWriter[ItemProcesso, bool] = GroupWriter(self._gravar, max_size=batch_size)
        self.paginas = paginas(crawler)
        #: A capture run by N workers (its id): each worker's part of the results goes to the shared state.
        self._workers = crawler.settings.getint("CAPTURA_WORKERS_ID") if crawler.settings else 0
        self._compartilhado: EstadoProcessos | None = None
        self._trava = threading.Lock()  # the group writer's thread and the reactor's hand-off of the results
        self._publicando: asyncio.Future[None] | None = None
        crawler.signals.connect(self._selecionados, signal=sinais.processos_selecionados)
        crawler.signals.connect(self._credencial_falhou, signal=sinais.credencial_falhou)
        crawler.signals.connect(self._ultimo_worker, signal=sinais.ultimo_worker)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProcessoPipeline:
        settings = crawler.settings
        if not settings.getbool("PROCESSO_ENABLED", True):
            raise NotConfigured("PROCESSO_ENABLED is off")
        return cls(
            crawler,
            settings.get("PERSISTENCIA_DATABASE_URL"),
            settings.get("TIMELINE_STORE"),
            settings.get("DOCUMENT_STORE"),
            settings.getint("PROCESSO_BATCH_SIZE", 200),
        )

    # -- stores ----------------------------------------------------------------------------------

    @property
    def factory(self) -> sessionmaker[Session]:
        if self._factory is None:
            self._factory = get_session_factory(self._database_url)
        return self._factory

    @property
    def timelines(self) -> TimelineStore:
        if self._timelines is None:
            self._timelines = open_timeline_store()
        return self._timelines

    @property
    def compartilhado(self) -> EstadoProcessos:
        """The capture's shared per-case state (its workers)."""
        if self._compartilhado is None:
            self._compartilhado = abrir_estado_processos(self._workers, compartilhado=True)
        return self._compartilhado

    @property
    def documentos(self) -> DocumentStore:
        if self._documentos is None:
            self._documentos = open_document_store()
        return self._documentos

    # -- items -----------------------------------------------------------------------------------

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, ItemProcesso):
            return item
        stats = self.crawler.stats
        if isinstance(item, OcorrenciaProcesso):
            with self._trava:
                conta = self._conta(item)
                if item.tipo == "bloqueado":
                    conta.bloqueados.append(item.processo_id)
                else:
                    self._erro(conta, item, item.codigo, item.mensagem)
            gravado = False
        else:
            gravado = await self._grupos.add(item)
            if stats is not None:
                stats.set_value("sinesys/processo/grupos", self._grupos.groups)
        with self._trava:  # the group writer's thread counts into the same contas
            self._conta(item).fim = utcnow()
        await self._publicar()  # workers: the item is handled once its part of the results is shared
        if stats is not None:
            stats.inc_value(f"sinesys/processo/{type(item).__name__}")
        if not gravado:
            raise DropItem(f"processo {item.processo_id}: {type(item).__name__} não gravado", log_level="DEBUG")
        return item

    def _selecionados(self, credencial_id: int, tipo_captura: str, tribunal: str, grau: str, captura_id: int | None,
                      iniciada_em: dt.datetime, alvos: list[Any], **_: Any) -> None:  # fmt: skip
        conta = None if self._workers else self._credenciais.get(credencial_id)  # workers: shared at once
        if conta is None:
            conta = ContaCredencial(
                tipo_captura=tipo_captura, tribunal=tribunal, grau=grau, captura_id=captura_id,
                inicio=iniciada_em, fim=utcnow(),
            )  # fmt: skip
        conta.selecionados.update((alvo.processo_id, alvo.id_externo) for alvo in alvos)
        conta.escolhidos.setdefault(tipo_captura, set()).update(alvo.processo_id for alvo in alvos)
        if self._workers:
            self._juntar({None: {credencial_id: conta}})
        else:
            with self._trava:
                self._credenciais.setdefault(credencial_id, conta)

    # -- a capture's workers: each one's part of the results, added up in the shared state -------------------

    async def _publicar(self) -> None:
        """Add what this worker's cases gave since the last time to the shared state (workers only)."""
        if not self._workers:
            return
        with self._trava:
            partes, self._por_marca = self._por_marca, {}
        if partes:
            self._publicando = asyncio.ensure_future(self._enviar(partes, self._publicando))
        if self._publicando is not None:
            await asyncio.shield(self._publicando)

    async def _enviar(
        self, partes: dict[str | None, dict[int, ContaCredencial]], anterior: asyncio.Future[None] | None
    ) -> None:
        if anterior is not None:
            with contextlib.suppress(Exception):
                await anterior
        try:
            await asyncio.to_thread(self._juntar, partes)
        except Exception as exc:  # Redis out of reach: the worker fails its capture (the spider sees it too)
            logger.error("processo: resultados não compartilhados (%s)", type(exc).__name__)

    def _juntar(self, partes: dict[str | None, dict[int, ContaCredencial]]) -> None:
        """Add each part; a marked part (an answer's item) only if no worker added it before (a replay)."""
        for marca, contas in partes.items():
            for credencial_id, conta in contas.items():
                self.compartilhado.acumular(
                    credencial_id,
                    functools.partial(juntar, conta=conta),
                    marca=None if marca is None else f"{marca}:{credencial_id}",
                )

    def _ultimo_worker(self, **_: Any) -> None:
        """This worker ends the capture: every credential's result, added up from every worker, reported once."""
        if not self._workers:
            return
        contas = {c: de_dict(d) for c, d in self.compartilhado.resultados().items() if "tipo_captura" in d}
        registrar(self.crawler, contas)

    def _credencial_falhou(self, credencial_id: int, error: Any, **_: Any) -> None:
        falha = f"{getattr(error, 'code', type(error).__name__)}: {getattr(error, 'message', error)}"
        if self._workers:  # known to every worker's cases, not only those still here
            with contextlib.suppress(Exception):
                self.compartilhado.acumular(credencial_id, lambda d: d.update(falha=d.get("falha") or falha))
            return
        conta = self._credenciais.get(credencial_id)
        if conta is not None and conta.falha is None:
            conta.falha = falha

    def _conta(self, item: ItemProcesso) -> ContaCredencial:
        contas = self._por_marca.setdefault(self._marcas.marca(item), {}) if self._workers else self._credenciais
        conta = contas.get(item.credencial_id)
        if conta is None:
            conta = contas[item.credencial_id] = ContaCredencial(
                tipo_captura=item.tipo_captura.value,
                tribunal=item.tribunal.value,
                grau=item.grau.value,
                captura_id=item.captura_id,
                inicio=item.credencial_iniciada_em,
                fim=utcnow(),
            )
        conta.inicio = min(conta.inicio, item.credencial_iniciada_em)
        conta.processos.add(item.processo_id)
        return conta

    @staticmethod
    def _erro(conta: ContaCredencial, item: ItemProcesso, codigo: str, mensagem: str) -> None:
        entry: dict[str, Any] = {
            "id_externo": item.id_processo_externo,
            "processo_id": item.processo_id,
            "motivo": f"{codigo}: {mensagem}",
        }
        conta.erros.append(entry)
        conta.concluir(item.tipo_captura.value, item.processo_id)

    def _gravar(self, itens: list[ItemProcesso]) -> list[bool]:
        """Write a group (in a worker thread): each kind of item in one transaction; whether each was stored."""
        ok: dict[int, bool] = {}
        for kind in (PartesProcesso, TimelineProcesso, DocumentoBaixado):
            grupo: list[ItemProcesso] = [item for item in itens if type(item) is kind or isinstance(item, kind)]
            if grupo:
                ok.update(self._gravar_grupo(grupo))
        return [ok.get(id(item), False) for item in itens]

    def _gravar_grupo(self, grupo: list[ItemProcesso]) -> dict[int, bool]:
        try:
            self._com_tentativas(grupo)
            return {id(item): True for item in grupo}
        except Exception as exc:
            if len(grupo) > 1:
                logger.info("processo: grupo de %d itens recusado (%s); gravando um a um", len(grupo),
                            type(exc).__name__)  # fmt: skip
        out = {}
        for item in grupo:
            try:
                self._com_tentativas([item])
                out[id(item)] = True
            except Exception as exc:
                logger.warning("processo %s: falha ao gravar (%s)", item.processo_id, type(exc).__name__)
                with self._trava:
                    self._erro(
                        self._conta(item), item, "ERRO_PERSISTENCIA", f"falha ao gravar no banco ({type(exc).__name__})"
                    )
                out[id(item)] = False
        return out

    def _com_tentativas(self, grupo: list[ItemProcesso]) -> None:
        for tentativa in range(1, _TENTATIVAS + 1):
            try:
                if isinstance(grupo[0], PartesProcesso):
                    self._gravar_partes(grupo)  # type: ignore[arg-type]
                elif isinstance(grupo[0], TimelineProcesso):
                    self._gravar_timelines(grupo)  # type: ignore[arg-type]
                else:
                    self._gravar_documentos(grupo)  # type: ignore[arg-type]
                return
            except IntegrityError:  # another worker wrote the same party or row meanwhile: read again
                if tentativa == _TENTATIVAS:
                    raise

    def _gravar_partes(self, itens: list[PartesProcesso]) -> None:
        with self.factory.begin() as session:
            resultados = persistir_partes(session, itens)
        with self._trava:
            self._contar_partes(itens, resultados)

    def _contar_partes(self, itens: list[PartesProcesso], resultados: list[Any]) -> None:
        for item, resultado in zip(itens, resultados, strict=True):
            conta = self._conta(item)
            conta.partes.add(resultado)
            conta.capturados.add(item.processo_id)
            conta.concluir(item.tipo_captura.value, item.processo_id)
            # The raw page counts this case as its one row: stored, so the page may be marked processed.
            self.paginas.concluir(
                item.raw_ref,
                linhas=1,
                inseridos=resultado.inseridos,
                atualizados=resultado.atualizados,
                inalterados=resultado.inalterados,
            )

    def _gravar_timelines(self, itens: list[TimelineProcesso]) -> None:
        with self.factory.begin() as session:
            resultados = gravar_timelines(session, itens, self.timelines)
        with self._trava:
            self._contar_timelines(itens, resultados)

    def _contar_timelines(self, itens: list[TimelineProcesso], resultados: list[Any]) -> None:
        for item, resultado in zip(itens, resultados, strict=True):
            conta = self._conta(item)
            conta.capturados.add(item.processo_id)
            conta.concluir(item.tipo_captura.value, item.processo_id)
            novos = resultado.novos_documentos + resultado.novos_movimentos
            conta.soma(
                total_documentos=resultado.total_documentos,
                total_movimentos=resultado.total_movimentos,
                novos_documentos=resultado.novos_documentos,
                novos_movimentos=resultado.novos_movimentos,
                documentos_ja_baixados=len(item.documentos_ja_baixados),
                inseridos=novos,
                atualizados=resultado.itens_atualizados,
                inalterados=len(item.itens) - novos - resultado.itens_atualizados,
            )
            # The raw page counts this case as its one row: stored, so the page may be marked processed.
            self.paginas.concluir(item.raw_ref, linhas=1, inseridos=novos, atualizados=resultado.itens_atualizados,
                                  inalterados=len(item.itens) - novos - resultado.itens_atualizados)  # fmt: skip

    def _gravar_documentos(self, itens: list[DocumentoBaixado]) -> None:
        guardados = [
            self.documentos.put(
                tribunal=item.tribunal.value,
                grau=item.grau.value,
                id_processo=item.id_processo_externo,
                id_documento=item.id_documento_externo,
                conteudo=item.conteudo,
            )
            for item in itens
        ]
        with self.factory.begin() as session:
            persistir_documento(session, list(zip(itens, guardados, strict=True)))
            totais = contar_documentos(session, [caso_de(item) for item in itens])
        for caso, total in totais.items():
            self.timelines.set_documentos_baixados(*caso, total)
        with self._trava:
            for item, guardado in zip(itens, guardados, strict=True):
                self._conta(item).soma(documentos_baixados=1, bytes_baixados=guardado.tamanho)

    # -- close -----------------------------------------------------------------------------------

    async def close_spider(self) -> None:
        try:
            if self._workers:  # the last worker reports, from every worker's part (``sinais.ultimo_worker``)
                await self._publicar()
                return
            registrar(self.crawler, self._credenciais)
        finally:
            if self._timelines is not None:
                self._timelines.close()
