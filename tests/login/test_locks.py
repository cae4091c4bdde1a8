"""Named locks with an owner token and expiry (SQL back end, SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import time

import pytest

from sinesys_spiders.core.errors import LockOcupado
from sinesys_spiders.core.locks import SqlLockBackend, acquire, hold


def test_a_held_lock_is_refused_to_others_until_released(locks: SqlLockBackend) -> None:
    """Only one holder at a time; releasing frees the key."""
    lease = locks.try_acquire("login:credencial:1", ttl=60, metadata={"credencial_id": 1})
    assert lease is not None
    assert locks.try_acquire("login:credencial:1", ttl=60) is None
    assert locks.try_acquire("login:credencial:2", ttl=60) is not None  # other keys are independent
    assert locks.release(lease) is True
    assert locks.try_acquire("login:credencial:1", ttl=60) is not None


def test_only_the_owner_releases_or_extends(locks: SqlLockBackend) -> None:
    """A lease with another owner token neither releases nor extends the lock."""
    lease = locks.try_acquire("k", ttl=60)
    assert lease is not None
    forged = dataclasses.replace(lease, owner="someone-else")
    assert locks.release(forged) is False
    assert locks.extend(forged, ttl=120) is None
    extended = locks.extend(lease, ttl=120)
    assert extended is not None
    assert extended.expires_at > lease.expires_at
    assert locks.try_acquire("k", ttl=60) is None


def test_many_locks_are_taken_together_free_and_expired_ones_only(locks: SqlLockBackend) -> None:
    """The per-case spiders take the locks of the next cases in one call: a free and an expired key are taken, a key
    held by someone else is refused, and each lease taken is a real one (released and extended by its owner)."""
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


def test_an_expired_lock_is_taken_over(locks: SqlLockBackend) -> None:
    """A holder that died blocks the key only until its TTL; its stale lease then releases nothing."""
    stale = locks.try_acquire("k", ttl=0.05)
    assert stale is not None
    time.sleep(0.1)
    fresh = locks.try_acquire("k", ttl=60)
    assert fresh is not None
    assert locks.release(stale) is False
    assert locks.extend(stale, ttl=60) is None
    assert locks.try_acquire("k", ttl=60) is None


async def test_waiters_get_the_lock_when_it_is_released(locks: SqlLockBackend) -> None:
    """``hold`` waits for the current holder, then takes the lock."""
    order: list[str] = []

    async def first() -> None:
        async with hold(locks, "k", ttl=30, timeout=5, poll=0.02):
            order.append("first in")
            await asyncio.sleep(0.3)
            order.append("first out")

    async def second() -> None:
        await asyncio.sleep(0.05)
        async with hold(locks, "k", ttl=30, timeout=5, poll=0.02):
            order.append("second in")

    await asyncio.gather(first(), second())
    assert order == ["first in", "first out", "second in"]


async def test_a_lock_that_stays_taken_raises_lock_ocupado(locks: SqlLockBackend) -> None:
    """Waiting is bounded: after ``timeout`` the caller gets ``LOCK_OCUPADO``."""
    lease = locks.try_acquire("k", ttl=30)
    assert lease is not None
    with pytest.raises(LockOcupado):
        await acquire(locks, "k", ttl=30, timeout=0.2, poll=0.05)
    assert lease.expires_at > dt.datetime.now(dt.UTC)


async def test_a_held_lock_is_renewed_while_its_block_runs(locks: SqlLockBackend) -> None:
    """A block longer than the TTL keeps its lock: others cannot take it over meanwhile.

    TTL 1 s (renewed every third of it), block 2.5 s: a lost renewal would show, and a loaded machine (or a busy
    xdist worker) delaying one renewal by a few hundred milliseconds does not fail it."""
    async with hold(locks, "k", ttl=1.0, timeout=1, poll=0.02):
        await asyncio.sleep(2.5)
        assert locks.try_acquire("k", ttl=1) is None
    assert locks.try_acquire("k", ttl=1) is not None
