"""Named locks with an owner token and an expiry, shared by every process (DESIGN.md §7).

The back end follows the settings: the project's SQL database by default (table ``locks``), Redis when
``SINESYS_REDIS_URL`` is set (keys ``{SINESYS_REDIS_PREFIX}:lock:*``). :func:`open_locks` picks it; both pass the
same contract suite (``sinesys_spiders.testing.locks_contract``). :func:`acquire` and :func:`hold` wait for a lock
on any back end; ``hold`` stops its block with ``LockPerdido`` when the lock is lost.
"""

from __future__ import annotations

from sinesys_spiders.core.config import Settings, get_settings
from sinesys_spiders.core.locks.base import META_LEASE_CAPTURA, META_LEASE_WORKER, Lease, LockBackend, acquire, hold
from sinesys_spiders.core.locks.sql import SqlLockBackend

__all__ = [
    "META_LEASE_CAPTURA",
    "META_LEASE_WORKER",
    "Lease",
    "LockBackend",
    "SqlLockBackend",
    "acquire",
    "hold",
    "open_locks",
]


def open_locks(settings: Settings | None = None) -> LockBackend:
    """The configured lock back end: Redis when ``redis_url`` is set, else the SQL database."""
    settings = settings or get_settings()
    from sinesys_spiders.core.redis_conexao import abrir_redis

    conexao = abrir_redis(settings)
    if conexao is not None:
        from sinesys_spiders.core.locks.redis import RedisLockBackend

        return RedisLockBackend(conexao)
    from sinesys_spiders.core.db.engine import get_session_factory

    return SqlLockBackend(get_session_factory(settings.effective_database_url))
