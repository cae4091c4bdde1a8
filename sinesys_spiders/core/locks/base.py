"""Named locks with an owner token and an expiry, shared by every process (DESIGN.md §7): the interface.

A lock is a ``key`` held by a random ``owner`` token until ``expires_at``: releasing and extending only act when
the owner token matches, and an expired lock is taken over by the next acquirer, so a crashed holder blocks others
for at most its TTL. The interface is :class:`LockBackend` (three calls); the back ends are
:mod:`~sinesys_spiders.core.locks.sql` (the default) and :mod:`~sinesys_spiders.core.locks.redis`. An extend that
fails means the lock was lost: :func:`hold` then stops the block with ``LockPerdido``. Correctness never rests on a
lock alone.

Waiting is done by :func:`acquire` / :func:`hold`, polling the back end without blocking the event
loop; a lock not obtained in time raises ``LockOcupado``.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from sinesys_spiders.core.errors import LockOcupado, LockPerdido
from sinesys_spiders.core.timeutil import utcnow

__all__ = ["META_LEASE_CAPTURA", "META_LEASE_WORKER", "Lease", "LockBackend", "acquire", "hold"]

#: Metadata key of a lock taken by a worker of a capture: the Redis key of that worker's queue lease. The Redis back
#: end lets the next acquirer take over a lock whose holder's lease lapsed (the SQL back end ignores it).
META_LEASE_WORKER = "lease_worker"
#: Metadata key of a lock a capture's workers hand over to each other (a session turn, a case): the Redis key of the
#: capture's liveness, renewed by every live worker of it. While it exists, a lock whose worker's lease lapsed is
#: taken over only by a worker of the same capture (the Redis back end; the SQL back end ignores it).
META_LEASE_CAPTURA = "lease_captura"


@dataclasses.dataclass(frozen=True, slots=True)
class Lease:
    """A lock held: its key, the owner token that proves it, and when it lapses."""

    key: str
    owner: str = dataclasses.field(repr=False)
    expires_at: dt.datetime


@runtime_checkable
class LockBackend(Protocol):
    """Where locks live (the SQL database or Redis)."""

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
    block keeps its lock and a crashed process loses it within ``ttl``. An extend the back end refuses (the
    lock lapsed and may be someone else's), or one that cannot reach the back end before the lease lapses,
    means the lock is lost: the block is cancelled and ``hold`` raises ``LockPerdido``; the lost lock is not
    released (it is no longer ours).
    """
    lease = await acquire(backend, key, ttl=ttl, timeout=timeout, poll=poll, metadata=metadata)
    current = [lease]
    perdido: list[BaseException | None] = []
    task = asyncio.current_task()

    def _perder(causa: BaseException | None) -> None:
        perdido.append(causa)
        if task is not None:
            task.cancel()

    async def _renew() -> None:
        while True:
            await asyncio.sleep(ttl / 3)
            try:
                extended = backend.extend(current[0], ttl=ttl)
            except Exception as exc:  # the back end is unreachable: lost once the lease lapses
                if utcnow() >= current[0].expires_at:
                    _perder(exc)
                    return
                continue
            if extended is None:
                _perder(None)
                return
            current[0] = extended

    def _erro() -> LockPerdido:
        erro = LockPerdido(f"o lock {key} foi perdido (expirou ou foi tomado); o trabalho que dependia dele parou")
        erro.__cause__ = perdido[0]
        return erro

    renewer = asyncio.ensure_future(_renew()) if renew else None
    try:
        yield lease
    except asyncio.CancelledError:
        if perdido and task is not None:
            task.uncancel()
            raise _erro() from perdido[0]
        raise
    finally:
        if renewer is not None:
            renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewer
        if not perdido:
            backend.release(current[0])
    if perdido:  # the block swallowed the cancellation
        if task is not None:
            task.uncancel()
        raise _erro()
