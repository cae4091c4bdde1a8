"""A buffer that writes in batches off the reactor thread, one batch at a time, in order."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["BatchWriter"]

T = TypeVar("T")


class BatchWriter(Generic[T]):
    """Collect values; every ``size`` of them, run ``write(batch)`` in a worker thread.

    Batches are written one after the other (never two at once, so a SQLite file is never written
    by two threads) and in arrival order. :meth:`flush` writes what is left.
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
            await self.flush()

    async def flush(self) -> None:
        if self._lock is None:
            self._lock = asyncio.Lock()
        batch, self._buffer = self._buffer, []
        if not batch:
            return
        async with self._lock:
            await asyncio.to_thread(self._write, batch)
