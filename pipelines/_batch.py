"""Writers in batches off the reactor thread, one batch at a time, in order: by size (back-pressure) or by arrival."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["BatchWriter", "GroupWriter"]

T = TypeVar("T")
R = TypeVar("R")


class BatchWriter(Generic[T]):
    """Collect values; every ``size`` of them, run ``write(batch)`` in a worker thread.

    Batches are written one after the other (never two at once, so a SQLite file is never written
    by two threads) and in arrival order. While one batch is being written the next one fills; once
    it is full, :meth:`add` waits for the write in progress instead of queueing batch after batch,
    so memory stays bounded by two batches when the database is slower than the crawl (the waiting
    pipeline holds its response, and Scrapy stops downloading once its scraper is full).
    :meth:`flush` writes what is left.

    :attr:`adicionados` and :attr:`gravados` count the values added and the values written (a batch whose write
    raised counts as written: its writer recorded the failure), and :attr:`apos_gravar` is called after each
    write: a workers' crawl acknowledges a request once the rows of its answer are written
    (:mod:`sinesys_spiders.workers.confirmacao`).
    """

    def __init__(self, write: Callable[[list[T]], None], *, size: int) -> None:
        if size < 1:
            raise ValueError("batch size must be at least 1")
        self._write = write
        self.size = size
        self._buffer: list[T] = []
        self._lock: asyncio.Lock | None = None
        self.adicionados = 0
        self.gravados = 0
        self.apos_gravar: Callable[[], None] | None = None

    def __len__(self) -> int:
        return len(self._buffer)

    async def add(self, value: T) -> None:
        self._buffer.append(value)
        self.adicionados += 1
        if len(self._buffer) >= self.size:
            await self._write_full()

    async def flush(self) -> None:
        """Write whatever is buffered (after the batch in progress, if any)."""
        async with self._guard():
            await self._write_buffer()

    async def _write_full(self) -> None:
        async with self._guard():  # wait for the batch in progress; meanwhile others may have taken the buffer
            if len(self._buffer) >= self.size:
                await self._write_buffer()

    async def _write_buffer(self) -> None:
        batch, self._buffer = self._buffer, []
        if batch:
            try:
                await asyncio.to_thread(self._write, batch)
            finally:
                self.gravados += len(batch)
                if self.apos_gravar is not None:
                    self.apos_gravar()

    def _guard(self) -> asyncio.Lock:
        if self._lock is None:
            self._lock = asyncio.Lock()
        return self._lock


class GroupWriter(Generic[T, R]):
    """Write values in groups as they arrive, and answer each value's caller once its group is written.

    :meth:`add` queues a value and waits for its result. When no group is being written, one starts at the next
    turn of the event loop with everything queued so far (up to ``max_size``); values that arrive meanwhile form the
    next group. So a group is one value when items come slowly, and grows by itself with the load: a database write
    per group instead of per value, with no timer to wait for. ``write(values)`` runs in a worker thread, one group
    at a time (never two at once), in arrival order, and returns one result per value. If it raises, every caller of
    that group gets the exception.
    """

    def __init__(self, write: Callable[[list[T]], list[R]], *, max_size: int) -> None:
        if max_size < 1:
            raise ValueError("max_size must be at least 1")
        self._write = write
        self.max_size = max_size
        self._pending: list[tuple[T, asyncio.Future[R]]] = []
        self._task: asyncio.Task[None] | None = None
        #: Sizes of the groups written, for the stats.
        self.groups = 0
        self.values = 0

    async def add(self, value: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._pending.append((value, future))
        if self._task is None:
            self._task = asyncio.ensure_future(self._run())
        return await future

    async def _run(self) -> None:
        try:
            while self._pending:
                await asyncio.sleep(0)  # the values of this turn of the loop join the group
                group, self._pending = self._pending[: self.max_size], self._pending[self.max_size :]
                self.groups += 1
                self.values += len(group)
                try:
                    results = await asyncio.to_thread(self._write, [value for value, _ in group])
                except Exception as exc:
                    for _, future in group:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for (_, future), result in zip(group, results, strict=True):
                    if not future.done():
                        future.set_result(result)
        finally:
            self._task = None
