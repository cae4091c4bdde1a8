"""Turns on a lawyer's session at a tribunal: one credential at a time, within a crawl and across processes.

Which of a lawyer's credentials share one session is the plugin's rule (``TribunalPlugin.chave_sessao``; at PJE the
1º and 2º grau of one tribunal, since logging into one ends the other). Within a crawl the base spider runs them one
after the other; across processes a crawl holds the lock :func:`chave_sessao` while it uses one of them
(:class:`TurnosSessao`, kept by :class:`~sinesys_spiders.spiders._arrendamentos.Arrendamentos`), so another crawl
that needs the same session waits for its turn instead of ending it.

With a capture's workers the turn belongs to the capture, not to one worker: a worker that leaves with the
credential unfinished hands it over (:meth:`TurnosSessao.entregar`: kept taken, not freed), and a surviving worker
takes it over (:meth:`TurnosSessao.retomar`) and renews it until the credential ends; see
:mod:`sinesys_spiders.spiders._workers`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from sinesys_spiders.core.credenciais import CredencialResumo
from sinesys_spiders.core.errors import ConfiguracaoInvalida
from sinesys_spiders.core.locks import LockBackend
from sinesys_spiders.core.tribunais import get_registry
from sinesys_spiders.spiders._arrendamentos import Arrendamentos

__all__ = ["TurnosSessao", "chave_sessao", "mesma_sessao", "sessao_de"]

logger = logging.getLogger(__name__)


def chave_sessao(advogado_id: int, sessao: str) -> str:
    """The lock of a lawyer's session ``sessao`` (:func:`sessao_de`), held while a crawl uses it."""
    return f"sessao:advogado:{int(advogado_id)}:{sessao}"


def sessao_de(credencial: CredencialResumo) -> str:
    """The credential's session key at its plugin (``TRT3`` for both graus of a PJE tribunal)."""
    try:
        return get_registry().chave_sessao(credencial.tribunal, credencial.grau)
    except ConfiguracaoInvalida:  # no plugin serves it (the credential fails before it runs): its own session
        return f"{credencial.tribunal}:{credencial.grau}"


def mesma_sessao(a: CredencialResumo, b: CredencialResumo) -> bool:
    """Whether two credentials use one session (the same lawyer, and keys the plugin says are equal)."""
    return a.advogado_id == b.advogado_id and sessao_de(a) == sessao_de(b)


class TurnosSessao:
    """The session locks a crawl holds, by credential: taken before a credential starts, given back when it ends.

    ``ttl``: ``SINESYS_SESSAO_USO_TTL`` (default 120 s; renewed every third of it, so a crashed crawl frees the
    session within ``ttl``); ``espera``: ``SINESYS_SESSAO_USO_ESPERA``, how long a crawl waits for its turn
    (default 1800 s) before its credential fails with ``LOCK_OCUPADO``.
    """

    def __init__(
        self,
        locks: Callable[[], LockBackend],
        *,
        ttl: float = 120.0,
        espera: float = 1800.0,
        perdido: Callable[[int, BaseException | None], None] | None = None,
    ) -> None:
        self.espera = espera
        self._arrendamentos = Arrendamentos(locks, ttl=ttl, perdido=self._perdido)
        self._chaves: dict[int, str] = {}
        #: Called with the credential (and the back end's error, if unreachable) whose session turn was lost.
        self.perdido = perdido

    @property
    def ttl(self) -> float:
        return self._arrendamentos.ttl

    @ttl.setter
    def ttl(self, value: float) -> None:
        self._arrendamentos.ttl = value

    async def tomar(
        self, credencial: CredencialResumo, *, espera: float | None, metadata: Mapping[str, Any] | None = None
    ) -> bool:
        """The credential's turn: ``espera=None`` only if the session is free now (``False`` if not); otherwise
        wait up to ``espera`` seconds, then ``LockOcupado``."""
        chave = chave_sessao(credencial.advogado_id, sessao_de(credencial))
        if self._chaves.get(credencial.id) == chave and chave in self._arrendamentos:
            return True  # held already (taken over from a worker of the capture that left)
        if espera is None:
            if not await self._arrendamentos.tentar(chave, metadata=metadata):
                logger.info("credencial %s: sessão em uso por outra captura; fica para depois", credencial.id)
                return False
        else:
            logger.info("credencial %s: aguardando a sessão em uso por outra captura", credencial.id)
            poll = min(2.0, self.ttl / 3)
            await self._arrendamentos.aguardar(chave, timeout=espera, poll=poll, metadata=metadata)
        self._chaves[credencial.id] = chave
        return True

    async def retomar(self, credencial: CredencialResumo, *, metadata: Mapping[str, Any]) -> bool:
        """Take over the turn a worker of the same capture held for ``credencial`` and lost (it left, or its queue
        lease lapsed) while the credential still has work: ``True`` if this crawl now holds it."""
        chave = chave_sessao(credencial.advogado_id, sessao_de(credencial))
        if credencial.id in self._chaves or not await self._arrendamentos.tentar(chave, metadata=metadata):
            return False
        self._chaves[credencial.id] = chave
        logger.info("credencial %s: a vez na sessão passou a este worker", credencial.id)
        return True

    def entregar(self, credencial_id: int) -> None:
        """This worker leaves while the credential still has work: its turn stays taken, for another worker of the
        capture to take over (:meth:`retomar`), instead of being freed for another capture."""
        chave = self._chaves.pop(credencial_id, None)
        if chave is not None:
            self._arrendamentos.entregar(chave)

    def credenciais(self) -> list[int]:
        """The credentials whose session turn this crawl holds."""
        return list(self._chaves)

    def soltar(self, credencial_id: int) -> None:
        """The credential is done: its session is free for the next (nothing if it held none)."""
        chave = self._chaves.pop(credencial_id, None)
        if chave is not None:
            self._arrendamentos.liberar(chave)

    def _perdido(self, chave: str, causa: BaseException | None) -> None:
        for credencial_id in [c for c, k in self._chaves.items() if k == chave]:
            del self._chaves[credencial_id]
            if self.perdido is not None:
                self.perdido(credencial_id, causa)

    def fechar(self) -> None:
        """The crawl is closing: every session it holds is freed, and none is taken after."""
        self._chaves.clear()
        self._arrendamentos.fechar()
