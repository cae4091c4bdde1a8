"""The capture extension: the one writer of a crawl's ``capturas_log`` row, fed by signals.

- ``spider_opened``: reaps captures whose crawl died (any process that looks does), then starts the capture
  (``pending → in_progress``) the spider describes (``descricao_captura()``: the ``captura_id`` a runner or the API
  passed, else a new row), records the credentials that failed before the crawl, sets ``spider.captura_id``, and
  starts the heartbeat. A capture already finished or cancelled closes the spider (``CloseSpider``).
- every ``SINESYS_CAPTURA_HEARTBEAT`` seconds: the heartbeat (in a thread); when it says a cancel was asked, the
  spider is closed with reason ``cancelled``.
- :data:`~sinesys_spiders.sinais.credencial_falhou`, :data:`~sinesys_spiders.sinais.resultado_credencial`,
  :data:`~sinesys_spiders.sinais.captura_falhou`: recorded (failures at once, results buffered to the close).
- ``spider_closed`` (after every pipeline flushed), for a capture run by N workers (``-a workers=N``): each worker
  adds its own results; the last one to close (elected once in Redis) asks for the results kept in the shared state
  (:data:`~sinesys_spiders.sinais.ultimo_worker`), flushes the shared counts and ends the capture as below, then
  removes the capture's keys. Otherwise: the counters of every credential
  (:func:`~sinesys_spiders.sinais.contadores`), the buffered results, a zero result for every credential that reported
  nothing, then the end: ``completed``/``failed`` by the credentials when the crawl finished, ``cancelled`` when
  asked, ``failed`` ``CAPTURA_INTERROMPIDA`` for any other close reason.

A crawl without a description (a spider that is not a capture spider) but with counted items gets a row of its own
when its name is a capture type, so nothing captured goes unrecorded.

Settings: ``CAPTURAS_ENABLED`` (default True), ``CAPTURAS_DATABASE_URL`` (default ``SINESYS_DATABASE_URL``);
``SINESYS_CAPTURA_HEARTBEAT`` and ``SINESYS_CAPTURA_HEARTBEAT_LIMITE`` come from the settings model.
"""

from __future__ import annotations

import logging
import os
import socket
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import CloseSpider, NotConfigured
from twisted.internet import task, threads

from sinesys_spiders import sinais
from sinesys_spiders.core.capturas_jobs import ServicoCapturas
from sinesys_spiders.core.config import get_settings
from sinesys_spiders.core.db.engine import get_session_factory
from sinesys_spiders.core.domain import StatusCaptura, TipoCaptura
from sinesys_spiders.core.errors import RedisIndisponivel, SinesysError
from sinesys_spiders.core.items import ItemCaptura, ItemInvalido
from sinesys_spiders.workers.fim import limpar_captura, ultimo_worker

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

__all__ = ["CapturaExtension"]

logger = logging.getLogger(__name__)


def _job(spider: Spider) -> tuple[str, str, str]:
    """(runner, job id, node) of this crawl: a Scrapyd job passes its id (argument ``_job``); else a local process."""
    job = getattr(spider, "job_scrapyd", None) or getattr(spider, "_job", None) or os.environ.get("SCRAPY_JOB")
    if job:
        return "scrapyd", str(job), socket.gethostname()
    return "local", str(os.getpid()), socket.gethostname()


class CapturaExtension:
    """Start, beat, record and finish the crawl's capture; nobody else writes the row during a crawl."""

    def __init__(self, crawler: Crawler, servico: ServicoCapturas, *, intervalo: float) -> None:
        self.crawler = crawler
        self.servico = servico
        self.intervalo = intervalo
        self.captura_id: int | None = None
        self.contadores = sinais.contadores(crawler)
        self._resultados: list[dict[str, Any]] = []
        self._falha: SinesysError | None = None
        self._captura_id_itens: int | None = None
        self._pulso: task.LoopingCall | None = None
        self._fechando = False
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.item_visto, signal=signals.item_scraped)
        crawler.signals.connect(self.item_visto, signal=signals.item_dropped)
        crawler.signals.connect(self.credencial_falhou, signal=sinais.credencial_falhou)
        crawler.signals.connect(self.resultado_credencial, signal=sinais.resultado_credencial)
        crawler.signals.connect(self.captura_falhou, signal=sinais.captura_falhou)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CapturaExtension:
        if not crawler.settings.getbool("CAPTURAS_ENABLED", True):
            raise NotConfigured("CAPTURAS_ENABLED is off")
        settings = get_settings()
        factory = get_session_factory(crawler.settings.get("CAPTURAS_DATABASE_URL"))
        servico = ServicoCapturas(factory, heartbeat_limite=settings.captura_heartbeat_limite)
        return cls(crawler, servico, intervalo=settings.captura_heartbeat)

    # -- opening -------------------------------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        descrever = getattr(spider, "descricao_captura", None)
        if descrever is None:
            return
        descricao: dict[str, Any] = descrever()
        falhas: dict[int, SinesysError] = descricao.pop("falhas", {})
        try:
            self.servico.reap()
        except Exception:  # reaping others' captures never stops this one
            logger.exception("capturas: reaper falhou")
        runner, job_id, node = _job(spider)
        try:
            self.captura_id = self.servico.iniciar(
                descricao.pop("captura_id", None), runner=runner, job_id=job_id, node=node, **descricao
            )
        except SinesysError as exc:
            logger.error("captura não iniciada: %s", exc)
            raise CloseSpider("cancelled") from None
        spider.captura_id = self.captura_id  # type: ignore[attr-defined]
        for credencial_id, error in falhas.items():
            self.servico.record_failure(
                self.captura_id, credencial_id=credencial_id, tribunal=None, grau=None, error=error
            )
        self._pulso = task.LoopingCall(self._bater)
        self._pulso.start(self.intervalo, now=False).addErrback(lambda f: logger.error("heartbeat: %s", f.value))

    def _bater(self) -> Any:
        if self.captura_id is None or self._fechando:
            return None
        d = threads.deferToThread(self.servico.heartbeat, self.captura_id)
        d.addCallback(self._talvez_cancelar)
        d.addErrback(lambda f: logger.warning("heartbeat da captura %s falhou: %s", self.captura_id, f.value))
        return d

    def _talvez_cancelar(self, cancelar: bool) -> None:
        if cancelar and not self._fechando and self.crawler.engine is not None:
            self._fechando = True
            logger.info("captura %s: cancelamento pedido, encerrando o crawl", self.captura_id)
            from scrapy.utils.defer import deferred_from_coro

            deferred_from_coro(self.crawler.engine.close_spider_async(reason="cancelled"))

    # -- reports -------------------------------------------------------------------------------

    def item_visto(self, item: Any, **_: Any) -> None:
        if self._captura_id_itens is None and isinstance(item, ItemCaptura | ItemInvalido):
            self._captura_id_itens = item.captura_id

    def credencial_falhou(self, credencial_id: int, tribunal: Any, grau: Any, error: SinesysError) -> None:
        if self.captura_id is None:
            return
        self.servico.record_failure(
            self.captura_id, credencial_id=credencial_id, tribunal=tribunal, grau=grau, error=error
        )

    def resultado_credencial(  # plain parameters: the signal dispatcher passes only the names it sees
        self,
        credencial_id: int,
        tribunal: Any,
        grau: Any,
        contagem: dict[str, int],
        captura_id: int | None = None,
        erros_itens: list[dict[str, Any]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self._resultados.append(
            {
                "captura_id": captura_id,
                "credencial_id": credencial_id,
                "tribunal": tribunal,
                "grau": grau,
                "contagem": contagem,
                "erros_itens": erros_itens or [],
                "extra": extra,
            }
        )

    def captura_falhou(self, error: SinesysError) -> None:
        self._falha = self._falha or error

    # -- closing -------------------------------------------------------------------------------

    def spider_closed(self, spider: Spider, reason: str) -> Any:
        self._fechando = True
        if self._pulso is not None and self._pulso.running:
            self._pulso.stop()
        fila = getattr(spider, "fila", None)
        if fila is not None and self.captura_id is not None:  # one of the capture's workers: the last one ends it
            return self._fechar_worker_async(spider, reason, fila)
        try:
            self._fechar(spider, reason)
        except Exception:
            logger.exception("capturas: não foi possível registrar o resultado da captura")
        return None

    async def _fechar_worker_async(self, spider: Spider, reason: str, fila: Any) -> None:
        from scrapy.utils.defer import maybe_deferred_to_future

        try:
            await maybe_deferred_to_future(threads.deferToThread(self._fechar_worker, spider, reason, fila))
        except Exception:
            logger.exception("capturas: não foi possível encerrar o worker")

    def _fechar_worker(self, spider: Spider, reason: str, fila: Any) -> None:
        """A worker closes: its own results are added to the row; the last worker (elected once in Redis, after
        every other worker left or its lease lapsed) flushes the shared counts and finishes the capture."""
        assert self.captura_id is not None
        captura_id = self.captura_id
        self._registrar_resultados(captura_id)
        try:
            ultimo = ultimo_worker(fila, reason)
        except RedisIndisponivel as exc:  # nobody can be elected: this worker fails the capture with the code
            self._falha = self._falha or exc
            ultimo = True
        if not ultimo:
            logger.info("captura %s: worker encerrado (%s); outro worker a conclui", captura_id, reason)
            return
        if self.servico.obter(captura_id).terminada:
            return
        if not isinstance(self._falha, RedisIndisponivel):
            # results kept in the capture's shared state (the per-case pipeline's) are reported now, once
            self.crawler.signals.send_catch_log(signal=sinais.ultimo_worker, captura_id=captura_id)
            self._registrar_resultados(captura_id)
            self.contadores.flush(self.servico, captura_id)
            limpar_captura(spider, fila)
        self.servico.registrar_silenciosas(captura_id)
        if self._falha is not None and (reason == "finished" or isinstance(self._falha, RedisIndisponivel)):
            self.servico.fail(captura_id, self._falha)
            status = StatusCaptura.FAILED
        else:
            status = self.servico.concluir(captura_id, motivo=reason)
        logger.info("captura %s %s (último worker)", captura_id, status.value)

    def _fechar(self, spider: Spider, reason: str) -> None:
        proprio = getattr(spider, "captura_id", None)  # a spider that is not a capture spider may carry one (-a)
        captura_id = self.captura_id or (int(proprio) if proprio else None) or self._captura_id_itens
        if captura_id is None:
            captura_id = next((r["captura_id"] for r in self._resultados if r.get("captura_id")), None)
        if captura_id is None:
            ids = self.contadores.credenciais()
            if not ids:
                return
            try:
                tipo = TipoCaptura(spider.name)
            except ValueError:
                logger.warning("capturas: crawl sem captura_id e spider %r não é um tipo de captura", spider.name)
                return
            captura_id = self.servico.iniciar(tipo_captura=tipo, credencial_ids=ids)
        captura = self.servico.obter(captura_id)
        if captura.terminada:
            logger.info("captura %s já estava %s", captura_id, captura.status.value)
            return
        self.contadores.flush(self.servico, captura_id)
        self._registrar_resultados(captura_id)
        self.servico.registrar_silenciosas(captura_id)
        if self._falha is not None and reason == "finished":
            self.servico.fail(captura_id, self._falha)
            status = StatusCaptura.FAILED
        else:
            status = self.servico.concluir(captura_id, motivo=reason)
        logger.info("captura %s %s", captura_id, status.value)

    def _registrar_resultados(self, captura_id: int) -> None:
        for resultado in self._resultados:
            resultado = dict(resultado)
            rid = resultado.pop("captura_id", None) or captura_id
            self.servico.record_result(int(rid), **resultado)
        self._resultados.clear()
