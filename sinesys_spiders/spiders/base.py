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
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy_spider_metadata import Args
from twisted.internet.defer import CancelledError

from sinesys_spiders import sinais
from sinesys_spiders.core.capturas import CapturaPlugin, ContextoCaptura, Pedido
from sinesys_spiders.core.credenciais import CredenciaisService, CredencialResumo
from sinesys_spiders.core.domain import Grau, TipoCaptura, Tribunal
from sinesys_spiders.core.endpoints import EndpointEfetivo, EndpointResolver
from sinesys_spiders.core.errors import (
    ConfiguracaoInvalida,
    LockOcupado,
    LockPerdido,
    NaoEncontrado,
    NetworkError,
    RedisIndisponivel,
    RespostaGrandeDemais,
    RespostaInvalida,
    SinesysError,
    TribunalIndisponivel,
)
from sinesys_spiders.core.items import Lote
from sinesys_spiders.core.locks import LockBackend, open_locks
from sinesys_spiders.core.paginacao import JANELA_PADRAO
from sinesys_spiders.core.tribunais import get_registry
from sinesys_spiders.middlewares.hosts import origem
from sinesys_spiders.params import CapturaParams, modelo_parametros, parametros_do_tipo
from sinesys_spiders.spiders._politeness import slot_do_tribunal
from sinesys_spiders.spiders._turnos import TurnosSessao, mesma_sessao

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

    from sinesys_spiders.login.manager import SessionManager

__all__ = ["CapturaSpider"]

logger = logging.getLogger(__name__)


class CapturaSpider(Args[CapturaParams], scrapy.Spider):
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
        self._pendentes: dict[int, int] = {}
        self._estado: dict[int, dict[str, Any]] = {}
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
        spider._turnos.ttl = crawler.settings.getfloat("SINESYS_SESSAO_USO_TTL", 120.0)
        spider._turnos.espera = crawler.settings.getfloat("SINESYS_SESSAO_USO_ESPERA", 1800.0)
        crawler.signals.connect(spider._fechar_turnos, signal=signals.spider_closed)
        return spider

    def _resolve(self, crawler: Crawler) -> None:
        """Select the credentials and their endpoints, record unknown ones, and set one slot per tribunal."""
        service = CredenciaisService.from_settings()
        if self.args.advogado is not None:
            candidatas = [c for c in service.list(advogado_id=self.args.advogado) if c.active]
        else:
            conhecidas = {c.id: c for c in service.list()}
            candidatas = []
            for credencial_id in self.args.credenciais or []:
                if credencial_id not in conhecidas:
                    self._falhas[credencial_id] = NaoEncontrado(f"credencial {credencial_id} não existe")
                elif not conhecidas[credencial_id].active:
                    self._falhas[credencial_id] = ConfiguracaoInvalida(
                        f"credencial {credencial_id} está desativada (sinesys credenciais enable {credencial_id})"
                    )
                else:
                    candidatas.append(conhecidas[credencial_id])
        tribunais = set(self.args.tribunais or [])
        graus = set(self.args.graus or [])
        selecionadas = [
            c
            for c in candidatas
            if (not tribunais or Tribunal(c.tribunal) in tribunais) and (not graus or Grau(c.grau) in graus)
        ]
        # 1º grau of every tribunal first, then 2º: credentials sharing one session (the plugin's chave_sessao)
        # run one after the other, so the second waits for the first (see _aguardar_mesma_sessao).
        registry = get_registry()
        self._credenciais = sorted(
            selecionadas, key=lambda c: (registry.ordem_grau(c.grau), registry.ordem(c.tribunal))
        )
        resolver = EndpointResolver.from_settings()
        slots: dict[str, dict[str, Any]] = dict(crawler.settings.getdict("DOWNLOAD_SLOTS"))
        recusadas: dict[tuple[Tribunal, Grau], SinesysError] = {}
        for credencial in self._credenciais:
            key = (Tribunal(credencial.tribunal), Grau(credencial.grau))
            if key not in self._endpoints and key not in recusadas:
                try:
                    self._endpoints[key] = resolver.get(*key)
                except ConfiguracaoInvalida as exc:  # a tampered override: that tribunal's credentials fail
                    recusadas[key] = exc
            if key in recusadas:
                self._falhas[credencial.id] = recusadas[key]
                continue
            slots.setdefault(key[0].value, slot_do_tribunal(crawler.settings, self._endpoints[key]))
        self._credenciais = [c for c in self._credenciais if c.id not in self._falhas]
        crawler.settings.set("DOWNLOAD_SLOTS", slots, priority="spider")

    @property
    def locks(self) -> LockBackend:
        """Locks shared with every other process (Redis when ``SINESYS_REDIS_URL`` is set, else the SQL database)."""
        if self._lock_backend is None:
            self._lock_backend = open_locks()
        return self._lock_backend

    @locks.setter
    def locks(self, value: LockBackend) -> None:
        self._lock_backend = value

    @property
    def session_manager(self) -> SessionManager:
        """One session manager per crawl, shared with the session middleware."""
        if self._session_manager is None:
            from sinesys_spiders.login.manager import SessionManager

            self._session_manager = SessionManager.from_settings()
            self._session_manager.metadados_locks = {"captura_id": self.captura_id}
        return self._session_manager

    @session_manager.setter
    def session_manager(self, value: SessionManager) -> None:
        self._session_manager = value

    def parametros(self) -> dict[str, Any]:
        """Type-specific arguments handed to the plugin as plain values: every argument but the selectors."""
        return parametros_do_tipo(self.args)

    # -- the crawl -----------------------------------------------------------------------------------

    def descricao_captura(self) -> dict[str, Any]:
        """What this crawl captures, for the capture extension (which starts the ``capturas_log`` row and sets
        ``captura_id``): type, lawyer, credentials, options, and the credentials that failed before the crawl."""
        return {
            "captura_id": self.captura_id,
            "tipo_captura": self.tipo_captura,
            "advogado_id": self.args.advogado,
            "credencial_ids": [c.id for c in self._credenciais] + sorted(self._falhas),
            "parametros": self._parametros_historico(),
            "falhas": dict(self._falhas),
        }

    async def start(self) -> AsyncIterator[Any]:
        self._avisar_sem_credenciais()
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
        self._pendentes.setdefault(credencial.id, 0)
        try:
            async for produced in self.requests_credencial(credencial):
                yield produced
        except Exception as exc:  # a bug or a database error fails this credential; the others still run
            logger.exception("credencial %s: erro inesperado ao iniciar (%s)", credencial.id, type(exc).__name__)
            self.credencial_falhou(credencial.id, SinesysError(f"erro inesperado ao iniciar ({type(exc).__name__})"))
        finally:
            self._iniciando.discard(credencial.id)
        self._talvez_terminou(credencial.id)

    async def _tomar_sessao(self, credencial: CredencialResumo, *, espera: float | None) -> bool:
        """The credential's turn on its session (see :class:`TurnosSessao`); ``False``: not its turn, or failed."""
        metadata = {"spider": self.name, "captura_id": self.captura_id, "credencial_id": credencial.id}
        if isinstance(self._falhas.get(credencial.id), RedisIndisponivel):
            return False  # put off, then Redis failed it: not retried in this crawl
        try:
            return await self._turnos.tomar(credencial, espera=espera, metadata=metadata)
        except RedisIndisponivel as exc:  # the shared locks are out of reach: no credential can run safely
            self._pendentes.setdefault(credencial.id, 0)
            try:
                self.credencial_falhou(credencial.id, exc)
                self.crawler.signals.send_catch_log(signal=sinais.captura_falhou, error=exc)
            finally:
                self._terminada(credencial.id).set()
            return False
        except LockOcupado:
            self._pendentes.setdefault(credencial.id, 0)
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
        """The credential's session turn lapsed (or its lock back end is out of reach): its work stops, failed."""
        if isinstance(causa, RedisIndisponivel):
            self.credencial_falhou(credencial_id, causa)
            self.crawler.signals.send_catch_log(signal=sinais.captura_falhou, error=causa)
            return
        self.credencial_falhou(
            credencial_id,
            LockPerdido(
                f"a vez da credencial {credencial_id} na sessão do advogado expirou (lock perdido); "
                "a captura desta credencial parou para não disputar a sessão com outra captura"
            ),
        )

    def _fechar_turnos(self, spider: scrapy.Spider, reason: str) -> None:
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

    async def _contexto_credencial(self, credencial: CredencialResumo) -> ContextoCaptura | None:
        """The credential's session (stored, or one login) and its capture context; ``None`` if it failed."""
        tribunal, grau = Tribunal(credencial.tribunal), Grau(credencial.grau)
        try:
            efetivo = self._endpoints[(tribunal, grau)]
            sessao = await self.session_manager.get(credencial.id)
        except SinesysError as exc:
            self.credencial_falhou(credencial.id, exc)
            return None
        ctx = ContextoCaptura(
            tipo_captura=self.tipo_captura,
            credencial_id=credencial.id,
            advogado_id=credencial.advogado_id,
            tribunal=tribunal,
            grau=grau,
            api_url=efetivo.endpoint.api_url,
            id_advogado_externo=sessao.id_advogado,
            captura_id=self.captura_id,
            parametros=self.parametros(),
            janela_paginas=self._janela_paginas,
        )
        self._contextos[credencial.id] = ctx
        self._estado[credencial.id] = {}
        return ctx

    def _captura(self, efetivo: EndpointEfetivo, tipo: TipoCaptura | None = None) -> CapturaPlugin:
        """The plugin's capture of ``tipo`` (default: this spider's type) at ``efetivo``."""
        tipo = tipo or self.tipo_captura
        captura = get_registry().plugins[efetivo.plugin].captura(tipo)
        if captura is None:
            raise ConfiguracaoInvalida(f"o plugin {efetivo.plugin} não captura {tipo.value}")
        return captura

    def _estado_de(self, ctx: ContextoCaptura) -> dict[str, Any]:
        """The plugin's state for the answers of ``ctx`` (one per credential; the combined capture has more)."""
        return self._estado[ctx.credencial_id]

    def _request(self, ctx: ContextoCaptura, pedido: Pedido) -> scrapy.Request:
        self._pendentes[ctx.credencial_id] = self._pendentes.get(ctx.credencial_id, 0) + 1
        return scrapy.Request(
            pedido.url,
            callback=self.parse_pedido,
            errback=self.errback_pedido,
            headers=dict(pedido.headers),
            priority=pedido.prioridade,
            dont_filter=True,
            meta={
                "credencial_id": ctx.credencial_id,
                "download_slot": ctx.tribunal.value,
                "captura": ctx.to_meta(),
                "etapa": pedido.etapa,
                "dados": dict(pedido.dados),
                # Every request and redirect stays on the tribunal's host (middlewares.hosts).
                "origem_permitida": origem(self._endpoints[(ctx.tribunal, ctx.grau)].endpoint.base_url),
                # A JSON page is small: far below DOWNLOAD_MAXSIZE, which a document's PDF may need.
                **({"download_maxsize": self._json_maxsize} if _pede_json(pedido) else {}),
            },
        )

    def parse_pedido(self, response: Response) -> Iterable[Any]:
        """Send the answer to the plugin: its requests go out at once, its items as one :class:`Lote` at the end.

        Items produced before a plugin error are still yielded: nothing already captured is lost.
        """
        lote = Lote()
        yield from self._processar(response, lote)
        if lote.itens:
            yield lote

    def _processar(self, response: Response, lote: Lote) -> Iterable[Any]:
        ctx = ContextoCaptura.from_meta(response.meta["captura"])
        credencial_id = ctx.credencial_id
        pedido = Pedido(response.url, response.meta["etapa"], response.meta["dados"])
        try:
            if credencial_id in self._falhas:
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
            for produced in captura.processar(ctx, pedido, payload, self._estado_de(ctx)):
                if isinstance(produced, Pedido):
                    yield self._request(ctx, produced)
                else:
                    lote.itens.append(produced)
        except SinesysError as exc:
            self.credencial_falhou(credencial_id, exc)
        except Exception as exc:  # a plugin's unexpected error fails its credential, never silently
            motivo = f"{pedido.etapa}: resposta de {ctx.tribunal.value} não pôde ser lida ({type(exc).__name__})"
            self.credencial_falhou(credencial_id, RespostaInvalida(motivo))
        finally:
            self._done(credencial_id)

    def errback_pedido(self, failure: Failure) -> Iterable[Any] | None:
        request = failure.request  # type: ignore[attr-defined]
        credencial_id = int(request.meta["credencial_id"])
        error = getattr(failure.value, "error", None)
        etapa = request.meta.get("etapa")
        if isinstance(error, SinesysError):
            self.credencial_falhou(credencial_id, error)
        elif isinstance(failure.value, RedisIndisponivel):  # the session store or a lock, not the tribunal
            self.credencial_falhou(credencial_id, failure.value)
            self.crawler.signals.send_catch_log(signal=sinais.captura_falhou, error=failure.value)
        elif _grande_demais(failure):
            limite = request.meta.get("download_maxsize") or self.crawler.settings.getint("DOWNLOAD_MAXSIZE")
            self.credencial_falhou(
                credencial_id,
                RespostaGrandeDemais(
                    f"{etapa}: a resposta de {request.meta.get('download_slot')} passou do limite de {limite} bytes"
                ),
            )
        elif not failure.check(IgnoreRequest) or getattr(failure.value, "response", None) is not None:
            status = getattr(getattr(failure.value, "response", None), "status", None)
            if status is None:
                falha: SinesysError = NetworkError(f"{etapa}: {failure.getErrorMessage()}")
            elif status >= 500 or status == 429:
                falha = TribunalIndisponivel(f"{etapa}: HTTP {status} depois de todas as tentativas")
            else:
                falha = RespostaInvalida(f"{etapa}: HTTP {status}")
            self.credencial_falhou(credencial_id, falha)
        self._done(credencial_id)
        return None  # nothing to schedule (the per-case spiders' errbacks yield the case's outcome)

    def _done(self, credencial_id: int) -> None:
        self._pendentes[credencial_id] -= 1
        self._talvez_terminou(credencial_id)

    def _talvez_terminou(self, credencial_id: int) -> None:
        """When a credential has nothing in flight and nothing more to send: check it, and let the next go."""
        if self._pendentes.get(credencial_id, 0) > 0 or credencial_id in self._iniciando:
            return
        try:
            if credencial_id not in self._falhas and credencial_id in self._contextos:
                self._verificar(self._contextos[credencial_id], self._estado[credencial_id])
        finally:
            self._turnos.soltar(credencial_id)
            self._terminada(credencial_id).set()

    def _verificar(self, ctx: ContextoCaptura, estado: dict[str, Any]) -> bool:
        """The plugin's completeness check of ``ctx``; a failure fails the credential (``False``)."""
        try:
            self._captura(self._endpoints[(ctx.tribunal, ctx.grau)], ctx.tipo_captura).verificar(ctx, estado)
        except SinesysError as exc:
            self.credencial_falhou(ctx.credencial_id, exc)
            return False
        except Exception as exc:  # a plugin bug fails its credential, and never keeps the session held
            logger.exception("credencial %s: verificação final falhou", ctx.credencial_id)
            self.credencial_falhou(
                ctx.credencial_id, RespostaInvalida(f"verificação final falhou ({type(exc).__name__})")
            )
            return False
        return True

    def credencial_falhou(self, credencial_id: int, error: SinesysError) -> None:
        """Record a credential's failure once (also called by the session middleware); the others go on."""
        if credencial_id in self._falhas:
            return
        self._falhas[credencial_id] = error
        credencial = next((c for c in self._credenciais if c.id == credencial_id), None)
        logger.warning("credencial %s falhou: %s", credencial_id, error)
        self.crawler.signals.send_catch_log(
            signal=sinais.credencial_falhou,
            credencial_id=credencial_id,
            tribunal=credencial.tribunal if credencial else None,
            grau=credencial.grau if credencial else None,
            error=error,
        )

    def _parametros_historico(self) -> dict[str, Any]:
        out = self.args.model_dump(mode="json", exclude_none=True)
        out.update(self.parametros())
        return out


def _pede_json(pedido: Pedido) -> bool:
    """Whether a request asks for JSON (every API call of a tribunal but a document's content)."""
    return "json" in str(pedido.headers.get("Accept", "application/json")).lower()


def _grande_demais(failure: Failure) -> bool:
    """An answer over ``download_maxsize``: a download Scrapy cancelled (declared, or received so far; Scrapy
    cancels for no other reason that reaches an errback), or a compressed body that passed it while being
    decompressed (``HttpCompressionMiddleware`` ignores the request, which would otherwise drop the page silently).
    """
    if failure.check(DownloadCancelledError, CancelledError) is not None:
        return True
    return failure.check(IgnoreRequest) is not None and "DOWNLOAD_MAXSIZE" in failure.getErrorMessage()
