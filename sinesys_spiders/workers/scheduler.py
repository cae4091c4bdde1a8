"""The scheduler of a capture run by N workers: scrapy-redis's, on the leased queue of :mod:`.fila`.

A capture spider switches to it when started with ``-a workers=N`` (N ≥ 2; ``sinesys capturas iniciar ...
--workers N`` passes it to each of its N jobs) and Redis is configured (``SINESYS_REDIS_URL``): see
:func:`configurar_workers`. ``SCHEDULER_PERSIST`` is on (a worker that ends never clears what the others still
need); the keys are the capture's (``{SINESYS_REDIS_PREFIX}:captura:{id}:fila`` and ``...:dupefilter``), and the
last worker to end removes them.

A request is queued without its ``Cookie`` or ``Authorization`` header and without seeded cookies: no session
secret reaches Redis (the session middleware adds them again at download time, from the encrypted store).

The duplicate filter (scrapy-redis's ``RFPDupeFilter``) adds the credential to the fingerprint, so a request that
a worker produced again (after another's crash) is dropped, while two credentials may still ask the same URL.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import redis.exceptions
from scrapy_redis.dupefilter import RFPDupeFilter  # type: ignore[import-untyped]
from scrapy_redis.scheduler import Scheduler  # type: ignore[import-untyped]
from twisted.internet import task

from sinesys_spiders.core.errors import ConfiguracaoInvalida, RedisIndisponivel
from sinesys_spiders.core.estado_captura.redis import EstadoRedis
from sinesys_spiders.core.redis_conexao import RedisConexao, abrir_redis, erros_redis
from sinesys_spiders.workers.fila import CHAVE_RID, CHAVE_TOKEN, FilaComArrendamento

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.settings import Settings

__all__ = ["DupeFilterCredencial", "SchedulerWorkers", "chave_fila", "configurar_workers"]

logger = logging.getLogger(__name__)

#: Seconds between two counts of the live workers and of the requests in play (a worker's share of a short queue).
INTERVALO_CONTAGEM = 0.5


def chave_fila(conexao: RedisConexao, captura_id: int) -> str:
    """The queue key of a capture (its dupefilter, processing hashes and leases start with it)."""
    return conexao.chave("captura", int(captura_id), "fila")


def configurar_workers(settings: Settings, captura_id: int | None) -> None:
    """Point the crawl's scheduler at the capture's shared queue (the spider calls it for ``workers`` ≥ 2)."""
    if captura_id is None:
        raise ConfiguracaoInvalida("workers: a captura precisa de um id (inicie com sinesys capturas iniciar)")
    if abrir_redis() is None:
        raise ConfiguracaoInvalida("workers: defina SINESYS_REDIS_URL (a fila compartilhada fica no Redis)")
    settings.set("SCHEDULER", "sinesys_spiders.workers.scheduler.SchedulerWorkers", priority="spider")
    settings.set("SCHEDULER_PERSIST", True, priority="spider")
    settings.set("CAPTURA_WORKERS_ID", int(captura_id), priority="spider")
    # The pipelines keep their batches: a request leaves its worker's processing hash only once the batch holding
    # its answer's rows was written (sinesys_spiders.workers.confirmacao).


class DupeFilterCredencial(RFPDupeFilter):
    """scrapy-redis's duplicate filter, with the request's credential in its fingerprint."""

    def request_fingerprint(self, request: Request) -> str:
        base = str(super().request_fingerprint(request))
        return f"{request.meta.get('credencial_id', '')}:{base}"


def _sem_segredos(request: Request) -> None:
    """A request goes to Redis without the session's cookies (a retry or a redirect carries the ``Cookie`` header
    and the cookies the session middleware seeded): the worker that downloads it adds them again from the
    encrypted session store."""
    for nome in (b"Cookie", b"Authorization"):
        if nome in request.headers:
            del request.headers[nome]
    request.cookies = {}


class SchedulerWorkers(Scheduler):
    """scrapy-redis's scheduler on the capture's queue, whose requests stay under the worker's lease."""

    queue: FilaComArrendamento
    df: Any

    def __init__(
        self,
        server: Any,
        *,
        chave: str,
        lease_ttl: float,
        chave_pendentes: Callable[[int], str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(server, persist=True, queue_key=chave, dupefilter_key=f"{chave}:dupefilter", **kwargs)
        self.chave = chave
        self.lease_ttl = lease_ttl
        #: A credential's pending set (its requests queued or in flight, by request id): kept by the queue.
        self.chave_pendentes = chave_pendentes
        self._pulso: task.LoopingCall | None = None
        self._contador: task.LoopingCall | None = None
        self.crawler_stats: Any = None
        self.crawler: Crawler | None = None
        #: The crawl's CONCURRENT_REQUESTS; the workers alive on the queue and the requests in play (queued or held
        #: by a worker), refreshed twice a second.
        self.concorrencia = 16
        self.vivos = 1
        self.em_jogo = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SchedulerWorkers:
        from sinesys_spiders.core.config import get_settings

        conexao = abrir_redis()
        if conexao is None:
            raise ConfiguracaoInvalida("workers: defina SINESYS_REDIS_URL")
        captura_id = crawler.settings.getint("CAPTURA_WORKERS_ID")
        chave = chave_fila(conexao, captura_id)
        with conexao.erros():
            conexao.client.ping()
        dupefilter = DupeFilterCredencial(conexao.client, key=f"{chave}:dupefilter")
        estado = EstadoRedis(conexao, captura_id)
        instance = cls(
            conexao.client,
            chave=chave,
            lease_ttl=get_settings().fila_lease_ttl,
            chave_pendentes=estado.chave_pendentes,
            dupefilter=dupefilter,
        )
        instance.crawler_stats = crawler.stats  # scrapy-redis's own stats calls use a deprecated signature
        instance.crawler = crawler
        instance.concorrencia = max(1, crawler.settings.getint("CONCURRENT_REQUESTS", 16))
        return instance

    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.queue = FilaComArrendamento(self.server, spider, self.chave, self.serializer, lease_ttl=self.lease_ttl)
        if not self.df:
            self.df = DupeFilterCredencial(self.server, key=f"{self.chave}:dupefilter")
        self.queue.registrar()
        self.queue.recuperar()
        usar = getattr(spider, "usar_fila", None)
        if usar is not None:
            usar(self.queue)
        self._pulso = task.LoopingCall(self._renovar)
        self._pulso.start(self.lease_ttl / 3, now=False).addErrback(
            lambda f: logger.error("fila: renovação parou: %s", f.value)
        )
        self._contador = task.LoopingCall(self._contar)
        self._contador.start(INTERVALO_CONTAGEM, now=False).addErrback(
            lambda f: logger.error("fila: contagem dos workers parou: %s", f.value)
        )
        logger.info("fila %s: worker %s (%d pedido(s) na fila)", self.chave, self.queue.worker, len(self.queue))

    def _renovar(self) -> None:
        try:
            self.queue.renovar()
            self.queue.recuperar()
        except RedisIndisponivel as exc:  # Redis lost the capture's state (restarted): this worker stops
            self._indisponivel(exc)
        except Exception as exc:  # Redis out of reach: the lease lapses and the others take the requests back
            logger.warning("fila %s: não foi possível renovar o lease: %s", self.chave, type(exc).__name__)

    def _downloader(self) -> Any:
        return getattr(getattr(self.crawler, "engine", None), "downloader", None)

    def _contar(self) -> None:
        """Count the live workers and the requests in play, for :meth:`_cota_cheia`."""
        try:
            self.vivos = max(1, int(self.server.scard(self.queue.chave_workers)))
            self.em_jogo = len(self.queue) + self.queue.em_andamento()
        except Exception:  # Redis out of reach: the next queue call reports it
            return

    def _cota_cheia(self) -> bool:
        """Whether this worker already holds its share of the requests in play (queued, or held by any worker) while
        the queue is short. Scrapy's engine takes requests until its downloader holds ``CONCURRENT_REQUESTS``, more
        than a tribunal's slot downloads at once: with a short queue (a listing's window of pages) one worker would
        take them all and queue them in its own slot while the others idle."""
        downloader = self._downloader()
        if self.vivos <= 1 or downloader is None or len(self.queue) >= self.concorrencia:
            return False
        return len(downloader.active) >= max(1, math.ceil(self.em_jogo / self.vivos))

    def close(self, reason: str) -> None:
        for chamada in (self._pulso, self._contador):
            if chamada is not None and chamada.running:
                chamada.stop()
        try:
            devolvidos = self.queue.sair()
        except Exception as exc:
            logger.warning("fila %s: pedidos em andamento não devolvidos (%s)", self.chave, type(exc).__name__)
            return
        if devolvidos:
            logger.info("fila %s: %d pedido(s) em andamento devolvidos à fila", self.chave, devolvidos)

    def enqueue_request(self, request: Request) -> bool:
        # One Lua script marks the request seen, pushes it, adds it to its credential's pending set and (a request
        # popped before: a retry, a redirect, a replay after a new login, queued again as a new one) drops its old
        # entry from this worker's processing hash: a worker killed in between can leave no request counted as
        # pending that no queue holds, nor a fingerprint marked seen whose request was never queued.
        token = request.meta.pop(CHAVE_TOKEN, None)
        if token is not None:
            request.dont_filter = True
        _sem_segredos(request)
        credencial_id = request.meta.get("credencial_id")
        rid = request.meta.get(CHAVE_RID)
        pendentes = None
        if self.chave_pendentes is not None and credencial_id is not None and rid:
            pendentes = self.chave_pendentes(int(credencial_id))
        try:
            enfileirado = self.queue.enfileirar(
                request,
                dupefilter=self.df.key,
                fingerprint=self.df.request_fingerprint(request),
                pendentes=pendentes,
                request_id=str(rid) if rid else None,
                token_antigo=token,
            )
        except redis.exceptions.RedisError as exc:
            self._indisponivel(exc)
            return False
        if not enfileirado:
            self.df.log(request, self.spider)
        elif self.crawler_stats is not None:
            self.crawler_stats.inc_value("scheduler/enqueued/redis")
        return enfileirado

    def next_request(self) -> Request | None:
        try:
            if self._cota_cheia():
                return None  # left for the other workers (this one asks again after its next answer)
            request = super().next_request()
            if request is not None and self.crawler_stats is not None:
                self.crawler_stats.inc_value("scheduler/dequeued/redis")
            return request
        except redis.exceptions.RedisError as exc:
            self._indisponivel(exc)
            return None

    def has_pending_requests(self) -> bool:
        try:
            return len(self.queue) > 0
        except redis.exceptions.RedisError as exc:
            self._indisponivel(exc)
            return False

    def _indisponivel(self, exc: Exception) -> None:
        """Redis is out of reach: the worker stops, and its capture fails with ``REDIS_INDISPONIVEL``."""
        parar = getattr(self.spider, "redis_indisponivel", None)
        if parar is None:
            raise exc
        try:
            with erros_redis():
                raise exc
        except RedisIndisponivel as erro:
            parar(erro)
