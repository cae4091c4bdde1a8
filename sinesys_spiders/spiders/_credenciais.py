"""Credential context and state of a capture spider: which credentials, their endpoints, sessions, capture context,
requests and the plugin's state, kept behind :mod:`sinesys_spiders.core.estado_captura`.

In one process (the default) the state lives in memory; with ``workers`` ≥ 2 it lives in Redis, so that any
worker of the capture can handle any credential's answers and finish it (see :mod:`sinesys_spiders.spiders._workers`).
Requests carry a stable id (``meta["sinesys_rid"]``: credential, URL, step and its data), so a request handled
again after a worker's crash counts once and changes the plugin's state once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import scrapy

from sinesys_spiders.core.capturas import CapturaPlugin, ContextoCaptura, Pedido
from sinesys_spiders.core.credenciais import CredenciaisService, CredencialResumo
from sinesys_spiders.core.domain import Grau, TipoCaptura, Tribunal
from sinesys_spiders.core.endpoints import EndpointEfetivo, EndpointResolver
from sinesys_spiders.core.errors import ConfiguracaoInvalida, NaoEncontrado, SinesysError
from sinesys_spiders.core.estado_captura import EstadoCredenciais
from sinesys_spiders.core.locks import LockBackend, open_locks
from sinesys_spiders.core.tribunais import get_registry
from sinesys_spiders.middlewares.hosts import origem
from sinesys_spiders.params import parametros_do_tipo
from sinesys_spiders.spiders._politeness import slot_do_tribunal
from sinesys_spiders.workers.fila import CHAVE_RID

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from sinesys_spiders.login.manager import SessionManager
    from sinesys_spiders.params import CapturaParams

__all__ = ["ContextoCredenciais", "FalhaRegistrada", "request_id"]

T = TypeVar("T")


class FalhaRegistrada(SinesysError):
    """A credential's failure recorded by another worker of the capture (its code and message as recorded)."""

    def __init__(self, codigo: str, mensagem: str) -> None:
        super().__init__(mensagem)
        self.code = codigo  # type: ignore[misc]


def request_id(credencial_id: int, pedido: Pedido) -> str:
    """A request's stable id: the same request asked again (after a crash) has the same id."""
    dados = json.dumps(pedido.dados, sort_keys=True, default=str)
    texto = f"{credencial_id}|{pedido.url}|{pedido.etapa}|{dados}"
    return hashlib.sha1(texto.encode(), usedforsecurity=False).hexdigest()[:20]


class ContextoCredenciais:
    """The credential side of :class:`~sinesys_spiders.spiders.base.CapturaSpider` (a mixin of it)."""

    args: CapturaParams
    captura_id: int | None
    crawler: Crawler
    estado_credenciais: EstadoCredenciais
    _credenciais: list[CredencialResumo]
    _endpoints: dict[tuple[Tribunal, Grau], EndpointEfetivo]
    _contextos: dict[int, ContextoCaptura]
    _falhas: dict[int, SinesysError]
    _session_manager: SessionManager | None
    _lock_backend: LockBackend | None
    _json_maxsize: int
    _janela_paginas: int

    if TYPE_CHECKING:  # the other parts of the spider

        def credencial_falhou(self, credencial_id: int, error: SinesysError) -> None: ...

        def parse_pedido(self, response: Any) -> Any: ...

        def errback_pedido(self, failure: Any) -> Any: ...

    @property
    def _tipo(self) -> TipoCaptura:
        """This spider's capture type (the subclass's ``tipo_captura``)."""
        tipo: TipoCaptura = getattr(self, "tipo_captura")  # noqa: B009 - declared by the spider class, not the mixin
        return tipo

    # -- which credentials ---------------------------------------------------------------------------

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

    def descricao_captura(self) -> dict[str, Any]:
        """What this crawl captures, for the capture extension (which starts the ``capturas_log`` row and sets
        ``captura_id``): type, lawyer, credentials, options, and the credentials that failed before the crawl."""
        return {
            "captura_id": self.captura_id,
            "tipo_captura": self._tipo,
            "advogado_id": self.args.advogado,
            "credencial_ids": [c.id for c in self._credenciais] + sorted(self._falhas),
            "parametros": self._parametros_historico(),
            "falhas": dict(self._falhas),
        }

    def _parametros_historico(self) -> dict[str, Any]:
        out = self.args.model_dump(mode="json", exclude_none=True)
        if out.get("workers") == 1:
            out.pop("workers")
        out.update(self.parametros())
        return out

    # -- context and state ---------------------------------------------------------------------------

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
            tipo_captura=self._tipo,
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
        if self.estado_credenciais.compartilhado:
            self.estado_credenciais.guardar_contexto(credencial.id, ctx.to_meta())
        return ctx

    def _contexto_de(self, credencial_id: int) -> ContextoCaptura | None:
        """The credential's context: this worker's, or the one another worker stored."""
        ctx = self._contextos.get(credencial_id)
        if ctx is None and self.estado_credenciais.compartilhado:
            meta = self.estado_credenciais.contexto(credencial_id)
            if meta is not None:
                ctx = self._contextos[credencial_id] = ContextoCaptura.from_meta(meta)
        return ctx

    def _captura(self, efetivo: EndpointEfetivo, tipo: TipoCaptura | None = None) -> CapturaPlugin:
        """The plugin's capture of ``tipo`` (default: this spider's type) at ``efetivo``."""
        tipo = tipo or self._tipo
        captura = get_registry().plugins[efetivo.plugin].captura(tipo)
        if captura is None:
            raise ConfiguracaoInvalida(f"o plugin {efetivo.plugin} não captura {tipo.value}")
        return captura

    def _estado_de(self, ctx: ContextoCaptura) -> dict[str, Any]:
        """The plugin's state for the answers of ``ctx`` (one per credential; the combined capture has more)."""
        return self.estado_credenciais.estado(ctx.credencial_id)

    def _aplicar(self, ctx: ContextoCaptura, funcao: Callable[[dict[str, Any]], T], request_id: str | None) -> T:
        """Run ``funcao`` on the plugin's state of ``ctx`` (shared: atomically, once per request id)."""
        if not self.estado_credenciais.compartilhado:
            return funcao(self._estado_de(ctx))
        return self.estado_credenciais.alterar(ctx.credencial_id, funcao, request_id=request_id)

    def _falhou(self, credencial_id: int) -> bool:
        """Whether the credential failed (here, or in another worker of the capture)."""
        if credencial_id in self._falhas:
            return True
        if self.estado_credenciais.compartilhado:
            falha = self.estado_credenciais.falha(credencial_id)
            if falha is not None:
                self._falhas[credencial_id] = FalhaRegistrada(*falha)
                return True
        return False

    def _request(self, ctx: ContextoCaptura, pedido: Pedido) -> scrapy.Request:
        rid = request_id(ctx.credencial_id, pedido)
        if not self.estado_credenciais.compartilhado:  # workers: the queue adds it when it queues the request
            self.estado_credenciais.adicionar_pendentes(ctx.credencial_id, [rid])
        return scrapy.Request(
            pedido.url,
            callback=self.parse_pedido,
            errback=self.errback_pedido,
            headers=dict(pedido.headers),
            priority=pedido.prioridade,
            # Workers: the shared duplicate filter drops a request produced again after a worker's crash.
            dont_filter=not self.estado_credenciais.compartilhado,
            meta={
                "credencial_id": ctx.credencial_id,
                "download_slot": ctx.tribunal.value,
                "captura": ctx.to_meta(),
                "etapa": pedido.etapa,
                "dados": dict(pedido.dados),
                CHAVE_RID: rid,
                # Every request and redirect stays on the tribunal's host (middlewares.hosts).
                "origem_permitida": origem(self._endpoints[(ctx.tribunal, ctx.grau)].endpoint.base_url),
                # A JSON page is small: far below DOWNLOAD_MAXSIZE, which a document's PDF may need.
                **({"download_maxsize": self._json_maxsize} if _pede_json(pedido) else {}),
            },
        )


def _pede_json(pedido: Pedido) -> bool:
    """Whether a request asks for JSON (every API call of a tribunal but a document's content)."""
    return "json" in str(pedido.headers.get("Accept", "application/json")).lower()
