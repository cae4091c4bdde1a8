"""Named locks with an owner token and expiry: the SQL back end (SQLite and PostgreSQL) passes the lock contract."""

from __future__ import annotations

import time

import pytest

from sinesys_spiders.core.db.engine import make_engine, make_session_factory
from sinesys_spiders.core.locks import SqlLockBackend
from sinesys_spiders.testing.locks_contract import LockBackendContract, LocksFactory


class TestSqlLocks(LockBackendContract):
    """The ``locks`` table: every behaviour of the contract, on both SQL back ends."""

    @pytest.fixture
    def locks_factory(self, database_url: str) -> LocksFactory:
        return lambda: SqlLockBackend(make_session_factory(make_engine(database_url)))

    def test_many_locks_are_taken_together_free_and_expired_ones_only(self, locks_factory: LocksFactory) -> None:
        """The per-case spiders take the locks of the next cases in one call: a free and an expired key are taken,
        a key held by someone else is refused, and each lease taken is a real one (released, extended by its owner)."""
        locks = locks_factory()
        assert isinstance(locks, SqlLockBackend)
        held = locks.try_acquire("captura:processo:2", ttl=60)
        stale = locks.try_acquire("captura:processo:3", ttl=0.05)
        assert held is not None
        assert stale is not None
        time.sleep(0.1)
        chaves = ["captura:processo:1", "captura:processo:2", "captura:processo:3"]
        livre, ocupado, expirado = locks.try_acquire_many(chaves, ttl=60, metadata={"spider": "partes"})
        assert ocupado is None
        assert livre is not None
        assert expirado is not None
        assert locks.try_acquire("captura:processo:1", ttl=60) is None
        assert locks.release(stale) is False
        assert locks.extend(expirado, ttl=120) is not None
        assert locks.release_many([livre, expirado]) == [True, True]
        assert locks.release(held) is True
