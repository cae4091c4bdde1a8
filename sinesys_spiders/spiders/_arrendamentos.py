"""Locks a crawl holds across callbacks: taken when a piece of work starts, kept while it runs, released at its end.

A case being captured (``captura:processo:{id}``) or a lawyer's session at a tribunal being used
(``sessao:advogado:{id}:{sessao}``) is held by one crawl at a time, across every process. The work outlives any one
callback, so the lock cannot be an ``async with``: :class:`Arrendamentos` keeps the leases, extends all of them every
``ttl / 3`` seconds while the crawl runs (a crashed process loses them within ``ttl``), and releases each one when its
work is done (:meth:`~Arrendamentos.liberar`, or :meth:`~Arrendamentos.liberar_em_lote` to give back at once, off the
reactor thread, every lock released in the same turn of the event loop), and all of them when the spider closes. With
a capture's workers, the work of a lock may end in another worker: that worker gives the lease back by its owner token
(:meth:`~Arrendamentos.devolver_em_lote`), and the owner stops renewing it (``vigentes``). Database calls run off the
reactor thread. A lease whose extend is refused, or cannot reach the back end past its expiry, is lost: ``perdido`` is
called so that the work it protected stops."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from sinesys_spiders.core.errors import LockOcupado
from sinesys_spiders.core.locks import Lease, LockBackend
from sinesys_spiders.core.timeutil import utcnow

__all__ = ["Arrendamentos"]

logger = logging.getLogger(__name__)


class Arrendamentos:
    """The leases one crawl holds, by lock key, renewed together."""

    def __init__(
        self,
        locks: Callable[[], LockBackend],
        *,
        ttl: float,
        perdido: Callable[[str, BaseException | None], None] | None = None,
    ) -> None:
        self._locks = locks
        self.ttl = ttl
        #: Called with the key (and the back end's error, if unreachable) when a lease is lost: its work must stop.
        self.perdido = perdido
        #: Which of the given keys are still needed (a crawl's workers share the work: a lease another worker gave
        #: back by its owner token is forgotten here, not renewed). ``None``: all of them.
        self.vigentes: Callable[[list[str]], set[str]] | None = None
        self._leases: dict[str, Lease] = {}
        self._renovador: asyncio.Task[None] | None = None
        self._fechado = False
        self._a_liberar: list[Lease] = []
        self._liberador: asyncio.Task[None] | None = None

    def __contains__(self, chave: object) -> bool:
        return chave in self._leases

    def chaves(self) -> list[str]:
        """The keys held now."""
        return list(self._leases)

    def lease(self, chave: str) -> Lease | None:
        """The lease held for ``chave`` (its owner token lets another worker of the crawl give it back)."""
        return self._leases.get(chave)

    async def tentar(self, chave: str, *, metadata: Mapping[str, Any] | None = None) -> bool:
        """Take ``chave`` if it is free (or expired); ``False`` if another holder has it, or after :meth:`fechar`."""
        if self._fechado:
            return False
        pedido = asyncio.ensure_future(
            asyncio.to_thread(self._locks().try_acquire, chave, ttl=self.ttl, metadata=metadata)
        )
        try:
            lease = await asyncio.shield(pedido)
        except asyncio.CancelledError:  # the crawl is stopping: a lock the thread still takes is given back
            pedido.add_done_callback(self._devolver)
            raise
        if lease is None:
            return False
        if self._fechado:  # closed while the lock was being taken
            self._devolver(pedido)
            return False
        self._leases[chave] = lease
        if self._renovador is None or self._renovador.done():
            self._renovador = asyncio.ensure_future(self._renovar())
        return True

    async def tentar_varios(self, chaves: list[str], *, metadata: Mapping[str, Any] | None = None) -> list[bool]:
        """:meth:`tentar` for each of ``chaves`` (distinct, none held yet), in one call of the back end when it offers
        ``try_acquire_many`` (one transaction instead of one per lock)."""
        if self._fechado or not chaves:
            return [False] * len(chaves)
        backend = self._locks()
        varios = getattr(backend, "try_acquire_many", None)

        def tomar() -> list[Lease | None]:
            if varios is not None:
                return list(varios(chaves, ttl=self.ttl, metadata=metadata))
            return [backend.try_acquire(chave, ttl=self.ttl, metadata=metadata) for chave in chaves]

        pedido = asyncio.ensure_future(asyncio.to_thread(tomar))
        try:
            leases = await asyncio.shield(pedido)
        except asyncio.CancelledError:  # the crawl is stopping: locks the thread still takes are given back
            pedido.add_done_callback(self._devolver_lista)
            raise
        if self._fechado:  # closed while the locks were being taken
            self._devolver_lista(pedido)
            return [False] * len(chaves)
        for chave, lease in zip(chaves, leases, strict=True):
            if lease is not None:
                self._leases[chave] = lease
        if self._leases and (self._renovador is None or self._renovador.done()):
            self._renovador = asyncio.ensure_future(self._renovar())
        return [lease is not None for lease in leases]

    def _devolver_lista(self, pedido: asyncio.Future[list[Lease | None]]) -> None:
        if pedido.cancelled() or pedido.exception() is not None:
            return
        tomados = [lease for lease in pedido.result() if lease is not None]
        if tomados:
            self._devolver_varios(tomados)

    async def aguardar(
        self, chave: str, *, timeout: float, poll: float = 1.0, metadata: Mapping[str, Any] | None = None
    ) -> None:
        """Wait up to ``timeout`` seconds for ``chave``; ``LockOcupado`` if it stays held."""
        limite = time.monotonic() + timeout
        while not await self.tentar(chave, metadata=metadata):
            if time.monotonic() >= limite:
                raise LockOcupado(f"{chave} continua em uso por outra captura após {timeout:.0f} s")
            await asyncio.sleep(min(poll, max(limite - time.monotonic(), 0.0)))

    def entregar(self, chave: str) -> None:
        """Stop holding ``chave`` without releasing it: another worker of the capture takes it over (its lock names
        this worker's queue lease, gone once it left, and the capture's liveness, which keeps other captures out)."""
        self._leases.pop(chave, None)

    def liberar(self, chave: str) -> None:
        """Give ``chave`` back (nothing if not held); a lease that lapsed meanwhile is logged."""
        lease = self._leases.pop(chave, None)
        if lease is None:
            return
        try:
            if not self._locks().release(lease):
                logger.warning("lock %s expirou antes do fim da captura", chave)
        except Exception:
            logger.exception("não foi possível liberar o lock %s", chave)

    def liberar_em_lote(self, chave: str) -> None:
        """Give ``chave`` back soon: with the others released in this turn of the event loop, in one call.

        The lock stops being ours at once (:meth:`tentar` may take it again: the pending release names the old
        owner token, so it never frees the new lease); :meth:`fechar` gives back whatever is still pending.
        """
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # no event loop running (outside a crawl): give it back now
            self.liberar(chave)
            return
        lease = self._leases.pop(chave, None)
        if lease is None:
            return
        self._a_liberar.append(lease)
        if self._liberador is None:
            self._liberador = asyncio.ensure_future(self._liberar_pendentes())

    def devolver_em_lote(self, lease: Lease) -> None:
        """Give back a lease this crawl took in another process (by its owner token), with the others of this turn."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            self._devolver_varios([lease])
            return
        self._a_liberar.append(lease)
        if self._liberador is None:
            self._liberador = asyncio.ensure_future(self._liberar_pendentes())

    async def _liberar_pendentes(self) -> None:
        try:
            while self._a_liberar:
                await asyncio.sleep(0)  # the releases of this turn of the loop go together
                leases, self._a_liberar = self._a_liberar, []
                await asyncio.to_thread(self._devolver_varios, leases)
        finally:
            self._liberador = None

    def _devolver_varios(self, leases: list[Lease]) -> None:
        try:
            devolvidos = self._locks().release_many(leases)
        except Exception:
            logger.exception("não foi possível liberar %d lock(s)", len(leases))
            return
        for lease, devolvido in zip(leases, devolvidos, strict=True):
            if not devolvido:
                logger.warning("lock %s expirou antes do fim da captura", lease.key)

    def _devolver(self, pedido: asyncio.Future[Lease | None]) -> None:
        if pedido.cancelled() or pedido.exception() is not None or pedido.result() is None:
            return
        try:
            self._locks().release(pedido.result())  # type: ignore[arg-type]
        except Exception:
            logger.exception("não foi possível devolver um lock tomado durante o encerramento")

    def fechar(self) -> None:
        """Stop renewing and release every lease (the spider is closing); nothing is taken after this."""
        self._fechado = True
        if self._renovador is not None:
            self._renovador.cancel()
        self._esquecer(self._devolvidas(dict(self._leases)))
        for chave in list(self._leases):
            self.liberar(chave)
        pendentes, self._a_liberar = self._a_liberar, []
        if pendentes:
            self._devolver_varios(pendentes)

    async def _renovar(self) -> None:
        while self._leases:
            await asyncio.sleep(self.ttl / 3)
            await self._esquecer_devolvidas()
            for chave, lease in list(self._leases.items()):
                causa: BaseException | None = None
                try:
                    novo = await asyncio.to_thread(self._locks().extend, lease, ttl=self.ttl)
                except Exception as exc:
                    logger.warning("não foi possível renovar o lock %s: %s", chave, exc)
                    if utcnow() < lease.expires_at:
                        continue  # not lapsed yet: the next round tries again
                    novo, causa = None, exc  # out of reach past its expiry: no longer ours
                if self._leases.get(chave) is not lease:
                    continue  # released (and maybe taken again) while it was being extended: not this lease's
                devolvida = novo is None and bool(await asyncio.to_thread(self._devolvidas, {chave: lease}))
                if devolvida:
                    self._leases.pop(chave, None)  # given back by another worker of the crawl: its work is done
                elif novo is None:
                    logger.warning(
                        "lock %s perdido (expirou e pode ter sido tomado); o trabalho que dependia dele para", chave
                    )
                    del self._leases[chave]
                    if self.perdido is not None:
                        self.perdido(chave, causa)
                else:
                    self._leases[chave] = novo

    async def _esquecer_devolvidas(self) -> None:
        """Forget the leases whose work ended elsewhere (``vigentes``): given back already, nothing to renew."""
        if self.vigentes is not None and self._leases:
            self._esquecer(await asyncio.to_thread(self._devolvidas, dict(self._leases)))

    def _devolvidas(self, consultadas: dict[str, Lease]) -> dict[str, Lease]:
        """Which of ``consultadas`` another worker gave back (``vigentes`` says their work is done)."""
        if self.vigentes is None or not consultadas:
            return {}
        try:
            vivas = self.vigentes(list(consultadas))
        except Exception as exc:  # out of reach: all still needed
            logger.warning("não foi possível saber quais locks ainda são necessários: %s", type(exc).__name__)
            return {}
        return {chave: lease for chave, lease in consultadas.items() if chave not in vivas}

    def _esquecer(self, devolvidas: dict[str, Lease]) -> None:
        for chave, lease in devolvidas.items():
            if self._leases.get(chave) is lease:
                del self._leases[chave]
