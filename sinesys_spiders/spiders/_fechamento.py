"""Verification and close of a credential: failures, requests handled, the completeness check, the end.

A credential ends when nothing of it is in flight and nothing more is being produced for it (here, or in any
worker of the capture): exactly one caller (:meth:`~EstadoCredenciais.terminar`) runs the plugin's completeness
check (totalizadores) on its state and frees its session for the next grau. A failure is recorded once for the
whole capture and reported with the ``credencial_falhou`` signal (the capture extension writes it).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from twisted.internet.defer import CancelledError

from sinesys_spiders import sinais
from sinesys_spiders.core.errors import (
    NetworkError,
    RedisIndisponivel,
    RespostaGrandeDemais,
    RespostaInvalida,
    SinesysError,
    TribunalIndisponivel,
)
from sinesys_spiders.workers.fila import CHAVE_RID

if TYPE_CHECKING:
    import asyncio

    from scrapy import Request
    from scrapy.crawler import Crawler
    from twisted.python.failure import Failure

    from sinesys_spiders.core.capturas import ContextoCaptura
    from sinesys_spiders.core.credenciais import CredencialResumo
    from sinesys_spiders.core.estado_captura import EstadoCredenciais
    from sinesys_spiders.spiders._turnos import TurnosSessao

__all__ = ["FechamentoCredenciais", "grande_demais"]

logger = logging.getLogger(__name__)


class FechamentoCredenciais:
    """The verification and close side of :class:`~sinesys_spiders.spiders.base.CapturaSpider` (a mixin of it)."""

    crawler: Crawler
    estado_credenciais: EstadoCredenciais
    _credenciais: list[CredencialResumo]
    _falhas: dict[int, SinesysError]
    _iniciando: set[int]
    _turnos: TurnosSessao

    if TYPE_CHECKING:  # the other parts of the spider

        def _terminada(self, credencial_id: int) -> asyncio.Event: ...

        def _contexto_de(self, credencial_id: int) -> ContextoCaptura | None: ...

        def _estado_de(self, ctx: ContextoCaptura) -> dict[str, Any]: ...

        def _falhou(self, credencial_id: int) -> bool: ...

        def _captura(self, efetivo: Any, tipo: Any = None) -> Any: ...

        def redis_indisponivel(self, erro: RedisIndisponivel) -> None: ...

        def _concluir_na_fila(self, request: Request | None, item: Any) -> None: ...

        _endpoints: dict[Any, Any]

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
        elif grande_demais(failure):
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
        self._done(credencial_id, request)
        self._concluir_na_fila(request, None)
        return None  # nothing to schedule (the per-case spiders' errbacks yield the case's outcome)

    def _done(self, credencial_id: int, request: Request | None = None) -> None:
        """One request of the credential was handled (its answer or failure)."""
        if self.estado_credenciais.compartilhado:
            return  # workers: the request's acknowledgement leaves the pending hash (workers.fila), then ends it
        rid = str(request.meta.get(CHAVE_RID, "")) if request is not None else ""
        try:
            self.estado_credenciais.concluir_pendente(credencial_id, rid)
            self._talvez_terminou(credencial_id)
        except RedisIndisponivel as exc:  # workers: the shared state is out of reach, the worker stops
            self.redis_indisponivel(exc)

    def _talvez_terminou(self, credencial_id: int) -> None:
        """When a credential has nothing in flight and nothing more to send: check it, and let the next go."""
        estado = self.estado_credenciais
        if credencial_id in self._iniciando or estado.pendentes(credencial_id) > 0:
            return
        if estado.compartilhado and estado.iniciando(credencial_id):
            return  # another worker is still sending its first requests
        if not estado.terminar(credencial_id):  # ended before (by this worker or another)
            self._turnos.soltar(credencial_id)
            self._terminada(credencial_id).set()
            return
        try:
            ctx = self._contexto_de(credencial_id)
            if ctx is not None and not self._falhou(credencial_id):
                self._verificar(ctx, self._estado_de(ctx))
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
        try:
            primeira = self.estado_credenciais.registrar_falha(credencial_id, error.code, error.message)
        except RedisIndisponivel:
            primeira = True  # the shared state is out of reach: this worker reports it
        if not primeira:
            return  # another worker of the capture reported it
        credencial = next((c for c in self._credenciais if c.id == credencial_id), None)
        logger.warning("credencial %s falhou: %s", credencial_id, error)
        self.crawler.signals.send_catch_log(
            signal=sinais.credencial_falhou,
            credencial_id=credencial_id,
            tribunal=credencial.tribunal if credencial else None,
            grau=credencial.grau if credencial else None,
            error=error,
        )


def grande_demais(failure: Failure) -> bool:
    """An answer over ``download_maxsize``: a download Scrapy cancelled (declared, or received so far; Scrapy
    cancels for no other reason that reaches an errback), or a compressed body that passed it while being
    decompressed (``HttpCompressionMiddleware`` ignores the request, which would otherwise drop the page silently).
    """
    if failure.check(DownloadCancelledError, CancelledError) is not None:
        return True
    return failure.check(IgnoreRequest) is not None and "DOWNLOAD_MAXSIZE" in failure.getErrorMessage()
