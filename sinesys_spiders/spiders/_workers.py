"""N workers on one capture (``-a workers=N``, N ≥ 2, started by ``sinesys capturas iniciar ... --workers N``).

Every worker is a ``scrapy crawl`` (a local process or a Scrapyd job) with the same arguments and ``captura_id``.
They share, in the Redis of ``SINESYS_REDIS_URL``:

- the request queue and duplicate filter (scrapy-redis, :mod:`sinesys_spiders.workers.scheduler`), where every
  popped request stays under its worker's lease until handled (no request lost when a worker dies);
- each credential's crawl state (:class:`~sinesys_spiders.core.estado_captura.redis.EstadoRedis`): who started it,
  its requests in flight, its context, the plugin's state, its failure and its end;
- the stored sessions and the login locks (``SINESYS_REDIS_URL`` puts them in Redis): one login per credential,
  whichever worker needs it.

Each worker goes through the credentials in order and claims the ones nobody claimed yet: it takes the lawyer's
session turn, logs in (or reuses the stored session) and sends their first requests into the shared queue, and
from there any worker handles any answer. A credential claimed by a worker that died while still producing its
first requests (its queue lease lapsed) is claimed again by another. A worker stays up until every credential of
the capture has ended, handling what the queue holds; then it closes, and the capture extension finishes the
capture when the last worker closes (:mod:`sinesys_spiders.extensions.capturas`).

Session turns and case locks are handed over, never freed, while the capture still has work on them: they name
the worker's queue lease and the capture's liveness (``{fila}:vivos``, renewed by every live worker), so another
capture cannot take them over while any worker of this one lives. A worker that leaves (one job's SIGTERM) with a
credential unfinished keeps its turn taken (:meth:`TurnosSessao.entregar`) and the locks of its cases still open
(:meth:`CasosEmVoo.fechar`); a surviving worker takes a started credential's turn over as soon as its starter is
gone (left, killed, or stalled past ``SINESYS_FILA_LEASE_TTL``) and renews it until the credential ends
(:meth:`_retomar_turnos`); a case's lock is given back by whichever worker closes the case, by its owner token. A
worker that stalled past its lease and finds its turn taken over by another worker of the capture stops renewing
it without failing the credential. Only when no worker of the capture lives are they taken over by others.

The per-case spiders (``partes``, ``timeline``, and ``combinada``'s per-case part) share their cases in flight,
their locks' owner tokens and their per-case results the same way (:mod:`sinesys_spiders.spiders._casos`,
:mod:`sinesys_spiders.core.estado_captura.processos`). A spider with ``aceita_workers = False`` is refused
``workers`` ≥ 2 with a clear message.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from scrapy import signals

from sinesys_spiders import sinais
from sinesys_spiders.core.errors import ConfiguracaoInvalida, RedisIndisponivel
from sinesys_spiders.core.estado_captura import abrir_estado
from sinesys_spiders.core.items import Lote
from sinesys_spiders.core.locks import META_LEASE_CAPTURA, META_LEASE_WORKER
from sinesys_spiders.workers.confirmacao import confirmacoes
from sinesys_spiders.workers.contagem import marcas
from sinesys_spiders.workers.fila import CHAVE_RID, CHAVE_TOKEN
from sinesys_spiders.workers.scheduler import configurar_workers

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

    from sinesys_spiders.core.credenciais import CredencialResumo
    from sinesys_spiders.core.errors import SinesysError
    from sinesys_spiders.core.estado_captura import EstadoCredenciais
    from sinesys_spiders.login.manager import SessionManager
    from sinesys_spiders.params import CapturaParams
    from sinesys_spiders.spiders._turnos import TurnosSessao
    from sinesys_spiders.workers.fila import FilaComArrendamento

__all__ = ["TrabalhoEmWorkers"]

logger = logging.getLogger(__name__)

#: Seconds between two looks at the capture's credentials while this worker waits for the others.
INTERVALO = 0.5


class TrabalhoEmWorkers:
    """The workers side of :class:`~sinesys_spiders.spiders.base.CapturaSpider` (a mixin of it)."""

    #: Whether this spider may run as N workers (every capture spider of this project may).
    aceita_workers = True

    args: CapturaParams
    captura_id: int | None
    crawler: Crawler
    estado_credenciais: EstadoCredenciais
    _credenciais: list[CredencialResumo]
    _turnos: TurnosSessao
    _janela_paginas: int

    if TYPE_CHECKING:  # the other parts of the spider

        @property
        def session_manager(self) -> SessionManager: ...

        def _capturar(self, credencial: CredencialResumo) -> AsyncIterator[Any]: ...

        async def _tomar_sessao(self, credencial: CredencialResumo, *, espera: float | None) -> bool: ...

        def _falhou(self, credencial_id: int) -> bool: ...

        def credencial_falhou(self, credencial_id: int, error: SinesysError) -> None: ...

        def _talvez_terminou(self, credencial_id: int) -> None: ...

    def _iniciar_workers(self) -> None:
        self.fila: FilaComArrendamento | None = None
        #: Lotes on their way through the pipelines -> the (token, credencial, request id) of their request.
        self._acks: dict[int, tuple[str, Any, Any]] = {}

    def _configurar_workers(self, crawler: Crawler) -> None:
        """``workers`` ≥ 2: the shared queue as scheduler and the credentials' state in Redis."""
        if self.args.workers < 2:
            return
        if not self.aceita_workers:
            raise ConfiguracaoInvalida(
                f"{getattr(self, 'name', 'esta captura')} roda em um processo só: não use workers={self.args.workers}"
            )
        configurar_workers(crawler.settings, self.captura_id)
        self.estado_credenciais = abrir_estado(self.captura_id, compartilhado=True)
        # A listing keeps one window of pages in flight per worker (SINESYS_PAGINAS_EM_VOO each): with one window
        # for all, N workers would share what one downloads and none would go faster.
        self._janela_paginas *= self.args.workers
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(self._item_concluido_na_fila, signal=signal)
        crawler.signals.connect(lambda: confirmacoes(crawler).parar(), signal=signals.spider_closed, weak=False)

    def usar_fila(self, fila: FilaComArrendamento) -> None:
        """Called by the workers' scheduler when it opens: this worker's queue. The locks this worker takes (login,
        one-time code and session turns) name its queue lease, so that they are taken over as soon as it lapses."""
        self.fila = fila
        self.session_manager.metadados_locks.update(self.metadados_worker())
        confirmacoes(self.crawler).vigiar()  # flush the pipelines' batches while acknowledgements wait for them

    def metadados_worker(self) -> dict[str, str]:
        """Lock metadata tying a lock to this worker's queue lease (nothing when not a worker)."""
        return {META_LEASE_WORKER: self.fila.chave_lease} if self.fila is not None else {}

    def metadados_captura(self) -> dict[str, str]:
        """Lock metadata of a lock the capture's workers hand over to each other (a session turn, a case): this
        worker's queue lease, and the capture's liveness (another capture cannot take it over while it exists)."""
        if self.fila is None:
            return {}
        return {META_LEASE_WORKER: self.fila.chave_lease, META_LEASE_CAPTURA: self.fila.chave_vivos}

    def outros_workers_vivos(self) -> bool:
        """Whether another worker of the capture still holds its queue lease (this one is leaving)."""
        if self.fila is None:
            return False
        try:
            membros = self.fila.server.smembers(self.fila.chave_workers)
        except Exception:  # out of reach: nobody to hand anything over to
            return False
        nomes = [m.decode() if isinstance(m, bytes) else str(m) for m in membros]
        return any(nome != self.fila.worker and self.fila.vivo(nome) for nome in nomes)

    # -- the queue: a request is handled when its answer's items are -------------------------------------

    def _concluir_na_fila(self, request: Request | None, item: Any) -> None:
        if self.fila is None or request is None:
            return
        token = request.meta.get(CHAVE_TOKEN)
        if not token:
            return
        ack = (str(token), request.meta.get("credencial_id"), request.meta.get(CHAVE_RID))
        if item is not None:
            if ack[2]:  # its counts are added once per capture, keyed by these marks (workers.contagem)
                marcas(self.crawler).marcar(item.itens if isinstance(item, Lote) else [item], str(ack[2]))
            self._acks[id(item)] = ack  # handled once its items went through the pipelines
            return
        self._ack(ack)

    def _item_concluido_na_fila(self, item: Any, **_: Any) -> None:
        ack = self._acks.pop(id(item), None)
        if ack is not None:  # acknowledged once the rows the pipelines buffered for it are written
            confirmacoes(self.crawler).apos_pipelines(lambda: self._ack(ack))

    def _ack(self, ack: tuple[str, Any, Any]) -> None:
        """The request left this worker's processing hash and its credential's pending hash (one script); the
        worker whose ack left that credential with nothing pending sees whether it ended."""
        if self.fila is None:
            return
        token, credencial_id, rid = ack
        chave_pendentes = getattr(self.estado_credenciais, "chave_pendentes", None)
        pendentes = chave_pendentes(int(credencial_id)) if chave_pendentes and credencial_id is not None else None
        try:
            if rid:  # first its counts (once per capture: workers.contagem), then the acknowledgement
                sinais.contadores(self.crawler).confirmar(str(rid))
                marcas(self.crawler).esquecer(str(rid))
            restantes = self.fila.concluir(token, pendentes=pendentes, request_id=str(rid) if rid else None)
            if restantes == 0:
                self._talvez_terminou(int(credencial_id))
        except RedisIndisponivel as exc:
            self.redis_indisponivel(exc)
        except Exception as exc:  # Redis out of reach: the request stays leased and goes back if this worker dies
            logger.warning("fila: pedido não marcado como concluído (%s)", type(exc).__name__)

    # -- the capture's credentials, shared -------------------------------------------------------------

    async def _start_workers(self) -> AsyncIterator[Any]:
        """Claim and start the credentials nobody started (or whose starter died), then wait for them all."""
        estado = self.estado_credenciais
        soltador = asyncio.ensure_future(self._soltar_turnos_sempre())
        desde: dict[int, float] = {}  # when this worker first found a credential's session in use
        try:
            while True:
                abertas = 0
                for credencial in self._credenciais:
                    if self._encerrada(credencial.id):
                        continue
                    abertas += 1
                    if not self._pode_reivindicar(credencial.id):
                        continue
                    # the session in use (by another capture, or by this one's other grau): try again shortly,
                    # and fail it with LOCK_OCUPADO past SINESYS_SESSAO_USO_ESPERA, as one process does
                    inicio = desde.setdefault(credencial.id, time.monotonic())
                    espera = None if time.monotonic() - inicio < self._turnos.espera else 0.0
                    if not await self._tomar_sessao(credencial, espera=espera):
                        estado.liberar_dono(credencial.id, self._worker())
                        continue
                    async for produced in self._capturar(credencial):
                        yield produced
                if not abertas:
                    return
                self.atender_fila()
                await asyncio.sleep(INTERVALO)
        except RedisIndisponivel as exc:  # the shared state is out of reach: this worker's capture fails
            self.redis_indisponivel(exc)
        finally:
            soltador.cancel()
            self._soltar_turnos_encerrados()

    def atender_fila(self) -> None:
        """Let the engine take now what the shared queue holds: while ``start()`` waits, Scrapy looks at its scheduler
        only every 5 s (its slot's heartbeat), and a worker with nothing in flight would idle that long."""
        slot = getattr(self.crawler.engine, "_slot", None)  # Scrapy's own; no public call asks for the next requests
        if slot is not None:
            slot.nextcall.schedule()

    async def _soltar_turnos_sempre(self) -> None:
        while True:
            await asyncio.sleep(INTERVALO)
            try:
                self._soltar_turnos_encerrados()
                await self._retomar_turnos()
            except RedisIndisponivel as exc:
                logger.warning("workers: estado compartilhado inacessível: %s", exc)

    async def _retomar_turnos(self) -> None:
        """Take over the session turn of every started credential with work left whose starter is gone (it left, or
        its queue lease lapsed): the turn stays held by a live worker of the capture until the credential ends."""
        if self.fila is None:
            return
        situacoes = getattr(self.estado_credenciais, "situacoes", None)
        if situacoes is None:
            return
        meus = set(self._turnos.credenciais())
        candidatas = [c for c in self._credenciais if c.id not in meus]
        por_id = situacoes([c.id for c in candidatas]) if candidatas else {}
        eu = self._worker()
        donos = {d for d, iniciando, terminada in por_id.values() if d and d != eu and not iniciando and not terminada}
        mortos = {d for d in donos if not self.fila.vivo(d)}
        for credencial in candidatas:
            dono, iniciando, terminada = por_id[credencial.id]
            if iniciando or terminada or dono not in mortos:
                continue  # not started yet, being started (its starter's takeover takes the turn), ended, or alive
            metadata = {
                "spider": getattr(self, "name", ""),
                "captura_id": self.captura_id,
                "credencial_id": credencial.id,
            }
            await self._turnos.retomar(credencial, metadata={**metadata, **self.metadados_captura()})

    def redis_indisponivel(self, erro: RedisIndisponivel) -> None:
        """Redis went out of reach mid-crawl: every credential of this worker fails with ``REDIS_INDISPONIVEL``
        and the worker closes (what it stored stays stored; a rerun of the capture continues from there)."""
        if getattr(self, "_redis_caiu", False):
            return
        self._redis_caiu = True
        logger.error("workers: %s; o worker encerra", erro)
        for credencial in self._credenciais:
            self.credencial_falhou(credencial.id, erro)
        self.crawler.signals.send_catch_log(signal=sinais.captura_falhou, error=erro)
        if self.crawler.engine is not None:
            from scrapy.utils.defer import deferred_from_coro

            deferred_from_coro(self.crawler.engine.close_spider_async(reason="redis_indisponivel"))

    def _worker(self) -> str:
        return self.fila.worker if self.fila is not None else f"sem-fila-{id(self)}"

    def _encerrada(self, credencial_id: int) -> bool:
        estado = self.estado_credenciais
        if estado.terminada(credencial_id):
            return True
        # failed with nothing in flight and nobody alive sending its first requests: nobody will end it otherwise
        if not self._falhou(credencial_id) or estado.pendentes(credencial_id) > 0:
            return False
        if not estado.iniciando(credencial_id):
            return True
        dono = estado.dono(credencial_id)
        return dono is None or (dono != self._worker() and self.fila is not None and not self.fila.vivo(dono))

    def _pode_reivindicar(self, credencial_id: int) -> bool:
        """Claim a credential nobody claimed, or take over one whose worker died while starting it (its claim and
        its "starting" mark are set together, so a death anywhere between the claim and the last first request is
        seen: the queue lease of that worker lapsed)."""
        estado, eu = self.estado_credenciais, self._worker()
        dono = estado.dono(credencial_id)
        if dono == eu:
            return False  # this worker started it already
        if dono is None:
            return estado.reivindicar(credencial_id, eu)
        if self.fila is None or self.fila.vivo(dono) or not estado.iniciando(credencial_id):
            return False
        logger.warning("credencial %s: o worker %s parou ao iniciá-la; este worker a retoma", credencial_id, dono)
        return estado.retomar(credencial_id, dono, eu)

    def _soltar_turnos_encerrados(self) -> None:
        """A credential this worker started and another worker ended: its session turn is given back here."""
        for credencial_id in self._turnos.credenciais():
            if self.estado_credenciais.terminada(credencial_id):
                self._turnos.soltar(credencial_id)
