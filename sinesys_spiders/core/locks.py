"""Named locks with an owner token and an expiry, shared by every process (DESIGN.md §7).

A lock is a row (``key``, random ``owner`` token, ``expires_at``): acquiring inserts it, releasing
and extending only touch it when the owner token matches, and an expired lock is taken over by the
next acquirer, so a crashed holder blocks others for at most its TTL. The interface is
:class:`LockBackend` (three calls), so a Redis back end can follow; :class:`SqlLockBackend` is the
embedded default on the SQL database. Correctness never rests on a lock alone.

Waiting is done by :func:`acquire` / :func:`hold`, polling the back end without blocking the event
loop; a lock not obtained in time raises ``LockOcupado``.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import secrets
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from sinesys_spiders.core.db.engine import session_scope
from sinesys_spiders.core.db.repositories.locks import LocksRepository
from sinesys_spiders.core.errors import LockOcupado
from sinesys_spiders.core.timeutil import utcnow

__all__ = ["Lease", "LockBackend", "SqlLockBackend", "acquire", "hold"]


@dataclasses.dataclass(frozen=True, slots=True)
class Lease:
    """A lock held: its key, the owner token that proves it, and when it lapses."""

    key: str
    owner: str = dataclasses.field(repr=False)
    expires_at: dt.datetime


@runtime_checkable
class LockBackend(Protocol):
    """Where locks live (SQL now, Redis later)."""

    def try_acquire(self, key: str, *, ttl: float, metadata: Mapping[str, Any] | None = None) -> Lease | None:
        """Take ``key`` for ``ttl`` seconds if it is free or expired; ``None`` if someone holds it."""
        ...

    def release(self, lease: Lease) -> bool:
        """Give the lock back; ``False`` if it was no longer ours (expired and taken over)."""
        ...

    def release_many(self, leases: Sequence[Lease]) -> list[bool]:
        """Give many locks back at once (one round trip where the back end allows); :meth:`release`'s answers."""
        ...

    def extend(self, lease: Lease, *, ttl: float) -> Lease | None:
        """Push the expiry to ``ttl`` seconds from now; ``None`` if the lock is no longer ours."""
        ...


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


async def acquire(
    backend: LockBackend,
    key: str,
    *,
    ttl: float,
    timeout: float,
    poll: float = 0.1,
    metadata: Mapping[str, Any] | None = None,
) -> Lease:
    """Wait up to ``timeout`` seconds for ``key``; raise ``LockOcupado`` if it stays taken."""
    deadline = time.monotonic() + timeout
    while True:
        lease = backend.try_acquire(key, ttl=ttl, metadata=metadata)
        if lease is not None:
            return lease
        if time.monotonic() >= deadline:
            raise LockOcupado(f"o recurso {key} continua ocupado por outro processo após {timeout:.0f} s")
        await asyncio.sleep(poll)


@contextlib.asynccontextmanager
async def hold(
    backend: LockBackend,
    key: str,
    *,
    ttl: float,
    timeout: float,
    poll: float = 0.1,
    metadata: Mapping[str, Any] | None = None,
    renew: bool = True,
) -> AsyncIterator[Lease]:
    """``async with hold(...)``: the lock for the duration of the block, released even on error.

    With ``renew`` the lease is extended every ``ttl / 3`` seconds while the block runs, so a long
    block keeps its lock and a crashed process loses it within ``ttl``.
    """
    lease = await acquire(backend, key, ttl=ttl, timeout=timeout, poll=poll, metadata=metadata)
    current = [lease]

    async def _renew() -> None:
        while True:
            await asyncio.sleep(ttl / 3)
            extended = backend.extend(current[0], ttl=ttl)
            if extended is None:
                return
            current[0] = extended

    renewer = asyncio.ensure_future(_renew()) if renew else None
    try:
        yield lease
    finally:
        if renewer is not None:
            renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewer
        backend.release(current[0])
