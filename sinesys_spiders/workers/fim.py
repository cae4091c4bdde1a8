"""The end of a capture run by N workers: which worker is the last, and the capture's keys removed after it.

A worker that closes has left the queue's workers (its scheduler closed first). It waits until every other worker
has left or lost its lease (``SINESYS_FILA_LEASE_TTL``: a killed worker stops counting within it, its requests
going back to the queue), then takes the capture's ``fim`` key (``SET NX``): exactly one worker does, and it ends
the capture, whatever its close reason (a cancel stops every worker with requests given back to the queue). A
worker that closes while another is alive and working (one job stopped by SIGTERM) is not the last.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from sinesys_spiders.core.redis_conexao import erros_redis

if TYPE_CHECKING:
    from sinesys_spiders.workers.fila import FilaComArrendamento

__all__ = ["limpar_captura", "ultimo_worker"]

logger = logging.getLogger(__name__)


def _vivos(fila: FilaComArrendamento) -> list[str]:
    fila.recuperar()  # workers whose lease lapsed leave the set (their requests go back to the queue)
    membros = [m.decode() if isinstance(m, bytes) else str(m) for m in fila.server.smembers(fila.chave_workers)]
    return [m for m in membros if m != fila.worker and fila.vivo(m)]


def ultimo_worker(fila: FilaComArrendamento, reason: str, *, intervalo: float = 0.2) -> bool:
    """Whether this worker ends the capture (True for exactly one of its workers)."""
    with erros_redis():
        if reason == "finished":  # the capture's work is done: the others close soon, or their lease lapses
            limite = time.monotonic() + fila.lease_ttl + 2 * intervalo
            while _vivos(fila) and time.monotonic() < limite:
                time.sleep(intervalo)
        # a cancelled or interrupted capture leaves requests queued (its workers gave them back): its last worker
        # still ends it; a finished one with work left and nobody to do it is not ended as done (the reaper fails it)
        if _vivos(fila) or (reason == "finished" and len(fila) > 0):
            return False
        return bool(fila.server.set(f"{fila.key}:fim", fila.worker, nx=True, ex=24 * 3600))


def limpar_captura(spider: Any, fila: FilaComArrendamento) -> None:
    """Remove the capture's queue, duplicate filter and per-credential and per-case state (its ``fim`` key expires
    alone)."""
    try:
        with erros_redis():
            fila.clear()
            fila.server.delete(f"{fila.key}:dupefilter")
            for nome in ("estado_credenciais", "estado_processos"):  # the per-case spiders have both
                estado = getattr(spider, nome, None)
                if estado is not None:
                    estado.limpar()
    except Exception as exc:
        logger.warning("captura: chaves no Redis não removidas (expiram sozinhas): %s", exc)
