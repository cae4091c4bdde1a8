"""The cases a per-case crawl has in flight: their locks, what of each is still pending, and their close.

A case is opened (:meth:`CasosEmVoo.tomar`) once its lock ``captura:processo:{acervo id}`` is taken, and stays open
while anything of it is pending: a request (by its request id) until its answer is handled and the items of that
answer have gone through the pipelines, or an item produced at its start (by a start token). Whoever removes the
last pending thing closes the case and gives its lock back: this crawl's
:class:`~sinesys_spiders.spiders._arrendamentos.Arrendamentos` when it took the lock, otherwise (another worker of
the capture took it) by the owner token kept in the case's record. The state is
:mod:`sinesys_spiders.core.estado_captura.processos`: in memory for one process, in Redis for the capture's workers.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from typing import Any

from sinesys_spiders.core.estado_captura.processos import EstadoProcessos, ProcessosMemoria
from sinesys_spiders.core.items import Lote
from sinesys_spiders.core.items_processo import ItemProcesso
from sinesys_spiders.core.locks import Lease, LockBackend
from sinesys_spiders.spiders._arrendamentos import Arrendamentos

__all__ = ["CasosEmVoo", "chave_lock"]

logger = logging.getLogger(__name__)

_PREFIXO = "captura:processo:"


def chave_lock(processo_id: int) -> str:
    """The lock of one case (its ``acervo`` id), shared by every per-case capture."""
    return f"{_PREFIXO}{int(processo_id)}"


class CasosEmVoo:
    """The open cases of a per-case crawl (see the module docstring)."""

    def __init__(self, locks: Callable[[], LockBackend], *, ttl: float) -> None:
        self.estado: EstadoProcessos = ProcessosMemoria()
        self.locks = Arrendamentos(locks, ttl=ttl)
        #: Items of a case on their way through the pipelines (``id(item)``) -> the case and the pending thing.
        self._itens: dict[int, tuple[int, str]] = {}
        self._restantes: dict[tuple[int, str], int] = {}

    def compartilhar(self, estado: EstadoProcessos) -> None:
        """Use the capture's shared state (its workers): a lock given back elsewhere is no longer renewed here."""
        self.estado = estado
        self.locks.vigentes = self._vigentes

    def _vigentes(self, chaves: list[str]) -> set[str]:
        por_caso = {int(c.removeprefix(_PREFIXO)): c for c in chaves if c.startswith(_PREFIXO)}
        abertos = self.estado.abertos(list(por_caso))
        return {c for c in chaves if not c.startswith(_PREFIXO)} | {por_caso[p] for p in abertos}

    # -- opening ---------------------------------------------------------------------------------------

    async def tomar(self, processos: list[int], credencial_id: int, metadata: Mapping[str, Any]) -> dict[int, str]:
        """Open the cases of ``processos`` (distinct) whose locks are free, the locks taken together.

        Each case's outcome: ``aberto`` (ours to start), ``bloqueado`` (another run holds its lock), ``repetido``
        (already open in this crawl: asked by another credential) or ``retomado`` (open in this crawl by a worker
        that died, its lock taken over here: its requests are back in the queue, and its lock is now ours to renew
        and give back). With ``metadata`` naming this worker's queue lease, the locks of a worker that died are taken
        over at once (the Redis lock back end), and a case it opened but never started is started here.
        """
        proprios = {p for p in processos if chave_lock(p) in self.locks}  # this crawl started it already
        candidatos = [p for p in processos if p not in proprios]
        abertos = self.estado.abertos(candidatos)
        tomados = await self.locks.tentar_varios([chave_lock(p) for p in candidatos], metadata=metadata)
        saida = dict.fromkeys(proprios, "repetido")
        for processo_id, tomado in zip(candidatos, tomados, strict=True):
            if not tomado:
                saida[processo_id] = "repetido" if processo_id in abertos else "bloqueado"
            elif processo_id not in abertos:
                saida[processo_id] = (
                    "aberto" if self.estado.abrir(processo_id, self._registro(processo_id, credencial_id)) else ""
                )
            else:  # open, and its lock was free: the worker that held it died
                em_voo = self.estado.retomar(processo_id, self._registro(processo_id, credencial_id))
                saida[processo_id] = "" if em_voo is None else "aberto" if em_voo == 0 else "retomado"
            if not saida[processo_id]:  # opened, or closed, meanwhile by another worker of the capture
                self.locks.liberar_em_lote(chave_lock(processo_id))
                saida[processo_id] = "repetido"
        return {p: saida[p] for p in processos}

    def _registro(self, processo_id: int, credencial_id: int) -> dict[str, Any]:
        registro: dict[str, Any] = {"credencial_id": credencial_id}
        lease = self.locks.lease(chave_lock(processo_id))
        if self.estado.compartilhado and lease is not None:
            registro["lease"] = {"key": lease.key, "owner": lease.owner, "expires_at": lease.expires_at.isoformat()}
        return registro

    # -- what is pending -------------------------------------------------------------------------------

    def adicionar(self, processo_id: int, token: str) -> None:
        """A request (or a start's item) of the case is now pending."""
        self.estado.adicionar(processo_id, [token])

    def aguardar_itens(self, processo_id: int, token: str, itens: list[Any]) -> int:
        """``token`` stays pending until the case's items among ``itens`` have gone through the pipelines; how many."""
        do_caso = [item for item in itens if isinstance(item, ItemProcesso)]
        for item in do_caso:
            self._itens[id(item)] = (processo_id, token)
        if do_caso:
            chave = (processo_id, token)
            self._restantes[chave] = self._restantes.get(chave, 0) + len(do_caso)
        return len(do_caso)

    def item_concluido(self, item: Any) -> None:
        """An item left the pipelines (stored, dropped or failed): the last one of an answer ends its token."""
        for inner in item.itens if isinstance(item, Lote) else (item,):
            chave = self._itens.pop(id(inner), None)
            if chave is None:
                continue
            restantes = self._restantes.get(chave, 0) - 1
            if restantes > 0:
                self._restantes[chave] = restantes
                continue
            self._restantes.pop(chave, None)
            self.concluir(*chave)

    def concluir(self, processo_id: int, token: str) -> None:
        """One pending thing of the case is done; the case is closed (and its lock given back) after the last."""
        registro = self.estado.concluir(processo_id, token)
        if registro is not None:
            self._devolver(processo_id, registro)

    def descartar(self, processo_id: int) -> None:
        """Close the case now (nothing of it was sent, or nothing more will be): its lock is given back."""
        registro = self.estado.descartar(processo_id)
        if registro is not None:
            self._devolver(processo_id, registro)

    def _devolver(self, processo_id: int, registro: Mapping[str, Any]) -> None:
        chave = chave_lock(processo_id)
        if chave in self.locks:
            self.locks.liberar_em_lote(chave)
            return
        dados = registro.get("lease")
        if dados:  # taken by another worker of the capture: given back by its owner token
            lease = Lease(str(dados["key"]), str(dados["owner"]), dt.datetime.fromisoformat(dados["expires_at"]))
            self.locks.devolver_em_lote(lease)

    def fechar(self, *, entregar: bool = False) -> None:
        """The crawl is closing: the locks it holds are given back (one process: its cases are forgotten too).

        ``entregar`` (a worker that leaves while others of the capture go on): the locks of the cases still open in
        the capture stay taken (the surviving worker that closes a case gives its lock back by the owner token in
        its record; another capture cannot take them over while the capture lives), the others are given back."""
        if not self.estado.compartilhado:
            self.estado.limpar()
        self._itens.clear()
        self._restantes.clear()
        if entregar and self.estado.compartilhado:
            try:
                abertas = self._vigentes([c for c in self.locks.chaves() if c.startswith(_PREFIXO)])
            except Exception as exc:  # out of reach: give them back as a lone crawl does
                logger.warning("casos: locks não entregues aos outros workers (%s)", type(exc).__name__)
                abertas = set()
            for chave in abertas:
                self.locks.entregar(chave)
        self.locks.fechar()
