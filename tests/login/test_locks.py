"""Named locks with an owner token and expiry: the SQL back end (SQLite and PostgreSQL) passes the lock contract."""

from __future__ import annotations

import pytest

from sinesys_spiders.core.db.engine import make_engine, make_session_factory
from sinesys_spiders.core.locks import SqlLockBackend
from sinesys_spiders.testing.locks_contract import LockBackendContract, LocksFactory


class TestSqlLocks(LockBackendContract):
    """The ``locks`` table: every behaviour of the contract, on both SQL back ends."""

    @pytest.fixture
    def locks_factory(self, database_url: str) -> LocksFactory:
        return lambda: SqlLockBackend(make_session_factory(make_engine(database_url)))
