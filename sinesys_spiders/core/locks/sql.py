"""Locks in the ``locks`` table of the SQL database (SQLite or PostgreSQL): the embedded default.

A lock is a row (``key``, ``owner`` token, ``expires_at``): acquiring deletes the key's expired row and inserts,
the primary key lets one inserter win even between processes; release and extend act only for the owner.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from sinesys_spiders.core.db.engine import session_scope
from sinesys_spiders.core.db.repositories.locks import LocksRepository
from sinesys_spiders.core.locks.base import Lease
from sinesys_spiders.core.timeutil import utcnow

__all__ = ["SqlLockBackend"]


class SqlLockBackend:
    """Locks in the ``locks`` table of the SQL database (SQLite or PostgreSQL), via ``LocksRepository``."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._factory = session_factory

    def try_acquire(self, key: str, *, ttl: float, metadata: Mapping[str, Any] | None = None) -> Lease | None:
        now = utcnow()
        lease = Lease(key=key, owner=secrets.token_hex(16), expires_at=now + dt.timedelta(seconds=ttl))
        try:
            with session_scope(factory=self._factory) as session:
                taken = LocksRepository(session).acquire(
                    key=key, owner=lease.owner, ttl=ttl, metadata=dict(metadata or {}), now=now
                )
        except IntegrityError:  # a concurrent insert of the same key won
            return None
        return lease if taken else None

    def try_acquire_many(
        self, keys: Sequence[str], *, ttl: float, metadata: Mapping[str, Any] | None = None
    ) -> list[Lease | None]:
        """:meth:`try_acquire` for each of ``keys`` (distinct), in one transaction (one by one after a conflict)."""
        now = utcnow()
        leases = [Lease(key=k, owner=secrets.token_hex(16), expires_at=now + dt.timedelta(seconds=ttl)) for k in keys]
        try:
            with session_scope(factory=self._factory) as session:
                taken = LocksRepository(session).acquire_many(
                    {lease.key: lease.owner for lease in leases}, ttl=ttl, metadata=dict(metadata or {}), now=now
                )
        except IntegrityError:
            return [self.try_acquire(key, ttl=ttl, metadata=metadata) for key in keys]
        return [lease if taken.get(lease.key) else None for lease in leases]

    def release(self, lease: Lease) -> bool:
        with session_scope(factory=self._factory) as session:
            return LocksRepository(session).release(key=lease.key, owner=lease.owner)

    def release_many(self, leases: Sequence[Lease]) -> list[bool]:
        with session_scope(factory=self._factory) as session:
            repo = LocksRepository(session)
            return [repo.release(key=lease.key, owner=lease.owner) for lease in leases]

    def extend(self, lease: Lease, *, ttl: float) -> Lease | None:
        now = utcnow()
        with session_scope(factory=self._factory) as session:
            if not LocksRepository(session).extend(key=lease.key, owner=lease.owner, ttl=ttl, now=now):
                return None
        return dataclasses.replace(lease, expires_at=now + dt.timedelta(seconds=ttl))
