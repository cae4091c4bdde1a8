"""A buffer that writes in batches off the reactor thread, one batch at a time, in order, with back-pressure."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["BatchWriter"]

T = TypeVar("T")


class BatchWriter(Generic[T]):
    """Collect values; every ``size`` of them, run ``write(batch)`` in a worker thread.

    Batches are written one after the other (never two at once, so a SQLite file is never written
    by two threads) and in arrival order. While one batch is being written the next one fills; once
    it is full, :meth:`add` waits for the write in progress instead of queueing batch after batch,
    so memory stays bounded by two batches when the database is slower than the crawl (the waiting
    pipeline holds its response, and Scrapy stops downloading once its scraper is full).
    :meth:`flush` writes what is left.
    """

    def __init__(self, write: Callable[[list[T]], None], *, size: int) -> None:
        if size < 1:
            raise ValueError("batch size must be at least 1")
        self._write = write
        self.size = size
        self._buffer: list[T] = []
        self._lock: asyncio.Lock | None = None

    def __len__(self) -> int:
        return len(self._buffer)

    async def add(self, value: T) -> None:
        self._buffer.append(value)
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
            await asyncio.to_thread(self._write, batch)

    def _guard(self) -> asyncio.Lock:
        if self._lock is None:
            self._lock = asyncio.Lock()
        return self._lock
