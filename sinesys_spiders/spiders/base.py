"""The base of every capture spider: credentials, sessions, history and the plugin's capture steps.

A capture spider is ``CapturaSpider`` with a ``tipo_captura`` and a params model; the tribunal plugin of each
credential (found in the registry, never imported) provides the capture itself through the contract of
:mod:`sinesys_spiders.core.capturas`. For each selected credential, in TRT order and 1º before 2º grau:

1. the session comes from the session manager (the stored one, or one login under the credential's lock);
2. the plugin's first requests go out with ``meta["credencial_id"]`` (the session middleware adds the
   credential's cookie jar and replaces an expired session);
3. every answer goes to the plugin, whose items go to the pipelines (validation, raw log, upsert, history);
4. when the credential has no request left, the plugin checks completeness (totalizadores).

A lawyer's credentials that share one session (the plugin's ``chave_sessao``: at PJE, 1º and 2º grau at one tribunal,
since logging into one ends the other) run one after the other, and a crawl holds the lock
``sessao:advogado:{id}:{chave}`` while it uses one of them, across processes: a second ``scrapy crawl``
or Scrapyd job that needs that session works on its other credentials first, then waits up to
``SINESYS_SESSAO_USO_ESPERA`` seconds (default 1800) for it, and fails that credential with ``LOCK_OCUPADO`` after.
The lock is renewed every ``SINESYS_SESSAO_USO_TTL / 3`` seconds (default TTL 120 s, so a crashed crawl frees it
within two minutes) and released when the credential is done.

A credential that fails (login refused, blocked, session rejected twice, incomplete capture) is reported with the
``credencial_falhou`` signal (:mod:`sinesys_spiders.sinais`); the capture extension records it in the history with
its code and reason, and the others go on. The spider never writes the history row itself.
Requests are picklable (spider-method callbacks, plain ``meta``), so scrapy-redis can share them between workers.

The spider is split by concern: the credentials, their context and state (:mod:`._credenciais`, the state behind
:mod:`sinesys_spiders.core.estado_captura`), the verification and close path (:mod:`._fechamento`), and the
capture's workers (:mod:`._workers`: ``-a workers=N``, N processes sharing one capture through Redis).

Politeness: each tribunal is its own download slot, polite as its plugin says
(:mod:`sinesys_spiders.spiders._politeness`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any, ClassVar

import scrapy
from pydantic import ValidationError
from scrapy import signals
from scrapy_spider_metadata import Args

from sinesys_spiders import sinais
from sinesys_spiders.core.capturas import ContextoCaptura, Pedido
from sinesys_spiders.core.credenciais import CredencialResumo
from sinesys_spiders.core.domain import Grau, TipoCaptura, Tribunal
from sinesys_spiders.core.endpoints import EndpointEfetivo
from sinesys_spiders.core.errors import LockOcupado, LockPerdido, RedisIndisponivel, RespostaInvalida, SinesysError
from sinesys_spiders.core.estado_captura import EstadoCredenciais, EstadoMemoria
from sinesys_spiders.core.items import Lote
from sinesys_spiders.core.locks import LockBackend
from sinesys_spiders.core.paginacao import JANELA_PADRAO
from sinesys_spiders.params import CapturaParams, modelo_parametros
from sinesys_spiders.spiders._credenciais import ContextoCredenciais
from sinesys_spiders.spiders._fechamento import FechamentoCredenciais
from sinesys_spiders.spiders._turnos import TurnosSessao, chave_sessao, mesma_sessao, sessao_de
from sinesys_spiders.spiders._workers import TrabalhoEmWorkers
from sinesys_spiders.workers.fila import CHAVE_RID

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response

    from sinesys_spiders.login.manager import SessionManager

__all__ = ["CapturaSpider"]

logger = logging.getLogger(__name__)


class CapturaSpider(ContextoCredenciais, FechamentoCredenciais, TrabalhoEmWorkers, Args[CapturaParams], scrapy.Spider):
    """Shared machinery of the capture spiders; subclasses set ``name``, ``tipo_captura`` and the params."""

    tipo_captura: ClassVar[TipoCaptura]
    args: CapturaParams

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        #: The Scrapyd job running this crawl (Scrapyd passes it as the ``_job`` argument), for the history.
        self.job_scrapyd: str | None = kwargs.get("_job")
        kwargs = {k: v for k, v in kwargs.items() if not k.startswith("_")}  # Scrapyd adds _job
        try:  # the type's model extended by the installed plugins' (not only the class's Args[...] model)
            self.args = self.modelo_argumentos()(**kwargs)
        except ValidationError as exc:
            logger.error("Spider parameter validation failed: %s", exc)
            raise
        scrapy.Spider.__init__(self, *args, **kwargs)
        self.captura_id: int | None = self.args.captura_id
        self._credenciais: list[CredencialResumo] = []
        self._endpoints: dict[tuple[Tribunal, Grau], EndpointEfetivo] = {}
        #: Per-credential crawl state: in memory, or in Redis for the capture's workers (``workers`` >= 2).
        self.estado_credenciais: EstadoCredenciais = EstadoMemoria()
        self._contextos: dict[int, ContextoCaptura] = {}
        self._falhas: dict[int, SinesysError] = {}
        self._session_manager: SessionManager | None = None
        #: Credentials whose first requests are still being produced by ``start``.
        self._iniciando: set[int] = set()
        #: Set when a credential has nothing left in flight (done or failed).
        self._terminadas: dict[int, asyncio.Event] = {}
        self._lock_backend: LockBackend | None = None
        self._turnos = TurnosSessao(lambda: self.locks, perdido=self._turno_perdido)
        self._json_maxsize = 16 * 1024 * 1024
        self._janela_paginas = JANELA_PADRAO
        self._iniciar_workers()

    # -- set-up --------------------------------------------------------------------------------------

    @classmethod
    def modelo_argumentos(cls) -> type[CapturaParams]:
        """The arguments model of this capture type with the installed plugins' own arguments."""
        return modelo_parametros(cls.tipo_captura.value)

    @classmethod
    def get_param_schema(cls, normalize: bool = False) -> dict[Any, Any]:
        """The JSON schema of :meth:`modelo_argumentos` (scrapy-spider-metadata's spider metadata)."""
        return cls.modelo_argumentos().model_json_schema()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> CapturaSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider._json_maxsize = crawler.settings.getint("SINESYS_JSON_MAXSIZE", 16 * 1024 * 1024)
        spider._janela_paginas = max(crawler.settings.getint("SINESYS_PAGINAS_EM_VOO", JANELA_PADRAO), 1)
        spider._resolve(crawler)
        spider._configurar_workers(crawler)
        spider._turnos.ttl = crawler.settings.getfloat("SINESYS_SESSAO_USO_TTL", 120.0)
        spider._turnos.espera = crawler.settings.getfloat("SINESYS_SESSAO_USO_ESPERA", 1800.0)
        crawler.signals.connect(spider._fechar_turnos, signal=signals.spider_closed)
        return spider

    # -- the crawl -----------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        self._avisar_sem_credenciais()
        if self.estado_credenciais.compartilhado:  # one of the capture's workers
            async for produced in self._start_workers():
                yield produced
            return
        adiadas: list[CredencialResumo] = []  # their session is in use by another crawl: after the others
        for credencial in self._credenciais:
            if any(mesma_sessao(a, credencial) for a in adiadas):
                adiadas.append(credencial)
                continue
            await self._aguardar_mesma_sessao(credencial)
            if not await self._tomar_sessao(credencial, espera=None):
                adiadas.append(credencial)
                continue
            async for produced in self._capturar(credencial):
                yield produced
        esperado = 0.0  # one wait for all of them (only the time spent waiting for a turn counts)
        for credencial in adiadas:
            await self._aguardar_mesma_sessao(credencial)
            inicio = time.monotonic()
            tomada = await self._tomar_sessao(credencial, espera=max(self._turnos.espera - esperado, 0.0))
            esperado += time.monotonic() - inicio
            if not tomada:
                continue
            async for produced in self._capturar(credencial):
                yield produced

    def _avisar_sem_credenciais(self) -> None:
        if not self._credenciais and not self._falhas:
            logger.warning("%s: nenhuma credencial ativa selecionada", self.name)

    async def _capturar(self, credencial: CredencialResumo) -> AsyncIterator[Any]:
        self._iniciando.add(credencial.id)
        if self.estado_credenciais.compartilhado:
            self.estado_credenciais.marcar_iniciando(credencial.id, True)
        try:
            async for produced in self.requests_credencial(credencial):
                yield produced
        except Exception as exc:  # a bug or a database error fails this credential; the others still run
            logger.exception("credencial %s: erro inesperado ao iniciar (%s)", credencial.id, type(exc).__name__)
            self.credencial_falhou(credencial.id, SinesysError(f"erro inesperado ao iniciar ({type(exc).__name__})"))
        finally:
            self._iniciando.discard(credencial.id)
        if self.estado_credenciais.compartilhado:
            self.estado_credenciais.marcar_iniciando(credencial.id, False)
        self._talvez_terminou(credencial.id)

    async def _tomar_sessao(self, credencial: CredencialResumo, *, espera: float | None) -> bool:
        """The credential's turn on its session (see :class:`TurnosSessao`); ``False``: not its turn, or failed."""
        metadata = {"spider": self.name, "captura_id": self.captura_id, "credencial_id": credencial.id}
        metadata.update(self.metadados_captura())  # workers: handed over to another worker of the capture
        if isinstance(self._falhas.get(credencial.id), RedisIndisponivel):
            return False  # put off, then Redis failed it: not retried in this crawl
        try:
            return await self._turnos.tomar(credencial, espera=espera, metadata=metadata)
        except RedisIndisponivel as exc:  # the shared locks are out of reach: no credential can run safely
            try:
                self.credencial_falhou(credencial.id, exc)
                self.crawler.signals.send_catch_log(signal=sinais.captura_falhou, error=exc)
            finally:
                self._terminada(credencial.id).set()
            return False
        except LockOcupado:
            try:
                self.credencial_falhou(
                    credencial.id,
                    LockOcupado(
                        f"a sessão do advogado no {credencial.tribunal} (compartilhada entre graus pelo sistema do "
                        "tribunal) "
                        f"continua em uso por outra captura; esta captura já aguardou o limite de "
                        f"{self._turnos.espera:.0f} s (SINESYS_SESSAO_USO_ESPERA)"
                    ),
                )
            finally:
                self._terminada(credencial.id).set()
            return False

    def _turno_perdido(self, credencial_id: int, causa: BaseException | None) -> None:
        """The credential's session turn lapsed (or its lock back end is out of reach): its work stops, failed.

        A worker whose queue lease lapsed (its reactor stalled past ``SINESYS_FILA_LEASE_TTL``) may find the turn
        taken over by another worker of the same capture, which carries the credential on: nothing is lost, and the
        credential is not failed."""
        if isinstance(causa, RedisIndisponivel):
            self.credencial_falhou(credencial_id, causa)
            self.crawler.signals.send_catch_log(signal=sinais.captura_falhou, error=causa)
            return
        if self._turno_na_captura(credencial_id):
            logger.warning(
                "credencial %s: a vez na sessão passou a outro worker desta captura (o lease deste expirou)",
                credencial_id,
            )
            return
        self.credencial_falhou(
            credencial_id,
            LockPerdido(
                f"a vez da credencial {credencial_id} na sessão do advogado expirou (lock perdido); "
                "a captura desta credencial parou para não disputar a sessão com outra captura"
            ),
        )

    def _turno_na_captura(self, credencial_id: int) -> bool:
        """Whether another worker of this capture holds the credential's session turn now (workers only)."""
        credencial = next((c for c in self._credenciais if c.id == credencial_id), None)
        metadados = getattr(self.locks, "metadata", None)
        if not self.estado_credenciais.compartilhado or credencial is None or metadados is None:
            return False
        try:
            dados = metadados(chave_sessao(credencial.advogado_id, sessao_de(credencial)))
        except Exception:  # out of reach: lost as far as this worker can tell
            return False
        return dados is not None and dados.get("captura_id") == self.captura_id

    def _fechar_turnos(self, spider: scrapy.Spider, reason: str) -> None:
        """The crawl closes: its session turns are freed, except (a worker leaving while others of the capture go on)
        those of credentials with work left, which another worker of the capture takes over."""
        if self.estado_credenciais.compartilhado and self.outros_workers_vivos():
            for credencial_id in self._turnos.credenciais():
                try:
                    if not self.estado_credenciais.terminada(credencial_id):
                        self._turnos.entregar(credencial_id)
                except RedisIndisponivel:
                    break  # out of reach: freed as a lone crawl does
        self._turnos.fechar()

    async def _aguardar_mesma_sessao(self, credencial: CredencialResumo) -> None:
        """Wait until the lawyer's credentials sharing this one's session (the plugin's rule) are done."""
        for anterior in self._credenciais:
            if anterior.id == credencial.id:
                return
            if mesma_sessao(anterior, credencial):
                await self._terminada(anterior.id).wait()

    def _terminada(self, credencial_id: int) -> asyncio.Event:
        return self._terminadas.setdefault(credencial_id, asyncio.Event())

    async def requests_credencial(self, credencial: CredencialResumo) -> AsyncIterator[Any]:
        """What one credential sends, pulled lazily by the engine (the per-case spiders override it)."""
        for request in await self._start_credencial(credencial):
            yield request

    async def _start_credencial(self, credencial: CredencialResumo) -> list[scrapy.Request]:
        try:
            captura = self._captura(self._endpoints[(Tribunal(credencial.tribunal), Grau(credencial.grau))])
        except SinesysError as exc:
            self.credencial_falhou(credencial.id, exc)
            return []
        ctx = await self._contexto_credencial(credencial)
        if ctx is None:
            return []
        try:
            return [self._request(ctx, pedido) for pedido in captura.iniciar(ctx)]
        except SinesysError as exc:
            self.credencial_falhou(credencial.id, exc)
            return []

    def parse_pedido(self, response: Response) -> Iterable[Any]:
        """Send the answer to the plugin: its requests go out at once, its items as one :class:`Lote` at the end.

        Items produced before a plugin error are still yielded: nothing already captured is lost.
        """
        lote = Lote()
        yield from self._processar(response, lote)
        if lote.itens:
            self._concluir_na_fila(response.request, lote)
            yield lote
        else:
            self._concluir_na_fila(response.request, None)

    def _processar(self, response: Response, lote: Lote) -> Iterable[Any]:
        ctx = ContextoCaptura.from_meta(response.meta["captura"])
        credencial_id = ctx.credencial_id
        pedido = Pedido(response.url, response.meta["etapa"], response.meta["dados"])
        try:
            if self._falhou(credencial_id):
                return
            try:
                payload = json.loads(response.body)
            except ValueError:
                raise RespostaInvalida(
                    f"{ctx.tribunal.value} respondeu algo que não é JSON (HTTP {response.status}) em {pedido.etapa}"
                ) from None
            if response.status >= 400:
                raise RespostaInvalida(f"HTTP {response.status} em {pedido.etapa} ({ctx.tribunal.value})")
            captura = self._captura(self._endpoints[(ctx.tribunal, ctx.grau)], ctx.tipo_captura)
            produzidos, erro = self._aplicar(
                ctx, lambda estado: _colher(captura.processar(ctx, pedido, payload, estado)), _rid(response)
            )
            for produced in produzidos:  # items produced before a plugin error are kept
                if isinstance(produced, Pedido):
                    yield self._request(ctx, produced)
                else:
                    lote.itens.append(produced)
            if erro is not None:
                raise erro
        except SinesysError as exc:
            self.credencial_falhou(credencial_id, exc)
        except Exception as exc:  # a plugin's unexpected error fails its credential, never silently
            motivo = f"{pedido.etapa}: resposta de {ctx.tribunal.value} não pôde ser lida ({type(exc).__name__})"
            self.credencial_falhou(credencial_id, RespostaInvalida(motivo))
        finally:
            self._done(credencial_id, response.request)


def _colher(produzidos: Iterable[Any]) -> tuple[list[Any], Exception | None]:
    """What the plugin produced for an answer, and the error that stopped it (if any)."""
    out: list[Any] = []
    try:
        for produced in produzidos:
            out.append(produced)
    except Exception as exc:
        return out, exc
    return out, None


def _rid(response: Response) -> str | None:
    return response.meta.get(CHAVE_RID)
