"""The contract every lock back end passes (``sinesys_spiders.core.locks.LockBackend``).

Subclass :class:`LockBackendContract` in a test module and provide ``locks_factory``: a callable that returns a
new back end on the same storage each time it is called (it is also called in child processes, after a fork, so
it must open its own connections)::

    from sinesys_spiders.testing.locks_contract import LockBackendContract

    class TestMyLocks(LockBackendContract):
        @pytest.fixture
        def locks_factory(self, my_storage_url):
            return lambda: MyLockBackend.from_url(my_storage_url)

Every test then runs against your back end: one holder at a time, release and extend only by the owner, a lapsed
lock taken over, waiting with ``acquire``/``hold``, renewal while a block runs, a lost lock stopping the block
(``LockPerdido``), and ``processos`` (50) processes contending for one lock whose hold intervals never overlap.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import itertools
import multiprocessing
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from sinesys_spiders.core.errors import LockOcupado, LockPerdido
from sinesys_spiders.core.locks import LockBackend, acquire, hold

__all__ = ["LockBackendContract"]

LocksFactory = Callable[[], LockBackend]


def _contender(factory: LocksFactory, key: str, out: str, hold_for: float) -> None:
    """A child process: wait for ``key``, log (start, end) of its hold on the shared monotonic clock, release."""
    backend = factory()

    async def run() -> tuple[int, int]:
        lease = await acquire(backend, key, ttl=30, timeout=600, poll=0.005)
        start = time.monotonic_ns()
        time.sleep(hold_for)
        end = time.monotonic_ns()
        assert backend.release(lease)
        return start, end

    start, end = asyncio.run(run())
    Path(out).write_text(f"{start} {end}\n")


class LockBackendContract:
    """Behaviour every ``LockBackend`` shares (SQL, Redis, yours)."""

    #: How many processes contend for one lock in :meth:`test_contending_processes_never_overlap`.
    processos = 50

    @pytest.fixture
    def locks(self, locks_factory: LocksFactory) -> LockBackend:
        return locks_factory()

    def test_a_held_lock_is_refused_to_others_until_released(self, locks: LockBackend) -> None:
        """Only one holder at a time; releasing frees the key; other keys are independent."""
        lease = locks.try_acquire("login:credencial:1", ttl=60, metadata={"credencial_id": 1})
        assert lease is not None
        assert locks.try_acquire("login:credencial:1", ttl=60) is None
        assert locks.try_acquire("login:credencial:2", ttl=60) is not None
        assert locks.release(lease) is True
        assert locks.release(lease) is False
        assert locks.try_acquire("login:credencial:1", ttl=60) is not None

    def test_the_owner_token_is_random_and_never_shown(self, locks: LockBackend) -> None:
        """Two leases of one key carry different owner tokens, and a lease's repr does not show its token."""
        first = locks.try_acquire("k", ttl=60)
        assert first is not None
        assert locks.release(first)
        second = locks.try_acquire("k", ttl=60)
        assert second is not None
        assert first.owner != second.owner
        assert len(second.owner) >= 16
        assert second.owner not in repr(second)

    def test_many_locks_are_given_back_at_once_only_by_their_owners(self, locks: LockBackend) -> None:
        """``release_many`` frees each lease still ours and answers like ``release`` for each (a forged or lapsed
        lease frees nothing)."""
        mine = [lease for n in range(3) if (lease := locks.try_acquire(f"caso:{n}", ttl=60)) is not None]
        assert len(mine) == 3
        forged = dataclasses.replace(mine[2], owner="someone-else")
        assert locks.release_many([mine[0], mine[1], forged]) == [True, True, False]
        assert locks.try_acquire("caso:0", ttl=60) is not None
        assert locks.try_acquire("caso:2", ttl=60) is None
        assert locks.release_many([]) == []

    def test_only_the_owner_releases_or_extends(self, locks: LockBackend) -> None:
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

    def test_an_expired_lock_is_taken_over(self, locks: LockBackend) -> None:
        """A holder that died blocks the key only until its TTL; its stale lease then neither frees nor extends."""
        stale = locks.try_acquire("k", ttl=0.05)
        assert stale is not None
        time.sleep(0.1)
        fresh = locks.try_acquire("k", ttl=60)
        assert fresh is not None
        assert locks.release(stale) is False
        assert locks.extend(stale, ttl=60) is None
        assert locks.try_acquire("k", ttl=60) is None

    def test_a_ttl_is_always_required(self, locks: LockBackend) -> None:
        """A lock without a positive TTL is refused: no lock can outlive a crashed holder forever."""
        with pytest.raises(ValueError, match="ttl"):
            locks.try_acquire("k", ttl=0)

    async def test_waiters_get_the_lock_when_it_is_released(self, locks: LockBackend) -> None:
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

    async def test_a_lock_that_stays_taken_raises_lock_ocupado(self, locks: LockBackend) -> None:
        """Waiting is bounded: after ``timeout`` the caller gets ``LOCK_OCUPADO``."""
        lease = locks.try_acquire("k", ttl=30)
        assert lease is not None
        with pytest.raises(LockOcupado):
            await acquire(locks, "k", ttl=30, timeout=0.2, poll=0.05)
        assert lease.expires_at > dt.datetime.now(dt.UTC)

    async def test_a_held_lock_is_renewed_while_its_block_runs(self, locks: LockBackend) -> None:
        """A block longer than the TTL keeps its lock: others cannot take it over meanwhile.

        TTL 1 s (renewed every third of it), block 2.5 s: a lost renewal would show, and a loaded machine delaying
        one renewal by a few hundred milliseconds does not fail it."""
        async with hold(locks, "k", ttl=1.0, timeout=1, poll=0.02):
            await asyncio.sleep(2.5)
            assert locks.try_acquire("k", ttl=1) is None
        assert locks.try_acquire("k", ttl=1) is not None

    async def test_a_lost_lock_stops_the_work_that_needed_it(self, locks: LockBackend) -> None:
        """When the lock lapses and another process takes it, the next extend fails and the block is stopped with
        ``LOCK_PERDIDO``; the new holder's lock is left alone."""
        reached_the_end = False
        intruders = []

        async def work() -> None:
            nonlocal reached_the_end
            async with hold(locks, "k", ttl=0.3, timeout=1, poll=0.02):
                time.sleep(0.5)  # the event loop is stuck: no renewal, the lock lapses
                intruders.append(locks.try_acquire("k", ttl=30))
                await asyncio.sleep(5)  # the next renewal fails and cancels this
                reached_the_end = True

        with pytest.raises(LockPerdido):
            await work()
        assert not reached_the_end
        intruder = intruders[0]
        assert intruder is not None
        assert locks.try_acquire("k", ttl=30) is None  # still the intruder's
        assert locks.release(intruder) is True

    def test_contending_processes_never_overlap(self, locks_factory: LocksFactory, tmp_path: Path) -> None:
        """``processos`` processes wait for one lock at once, each logging when it got it and when it gave it
        back: no two hold intervals overlap, and every process got its turn."""
        ctx = multiprocessing.get_context("fork")
        outs = [tmp_path / f"{n}.txt" for n in range(self.processos)]
        children = [ctx.Process(target=_contender, args=(locks_factory, "disputado", str(out), 0.005)) for out in outs]
        for child in children:
            child.start()
        for child in children:
            child.join(600)
        assert [child.exitcode for child in children] == [0] * self.processos
        intervals = sorted(tuple(map(int, out.read_text().split())) for out in outs)
        assert len(intervals) == self.processos
        for (_, end), (next_start, _) in itertools.pairwise(intervals):
            assert end < next_start
