"""A small thread-safe cache whose entries expire ``ttl`` seconds after they were stored."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterable
from typing import Generic, TypeVar

__all__ = ["TTLCache"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TTLCache(Generic[K, V]):
    """key -> value for ``ttl`` seconds of ``clock`` (monotonic by default); ``ttl`` 0 disables it."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._items: dict[K, tuple[float, V]] = {}
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """The value stored under ``key`` if it has not expired, else ``None``."""
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if item[0] <= self._clock():
                del self._items[key]
                return None
            return item[1]

    def put(self, key: K, value: V) -> None:
        if self.ttl <= 0:
            return
        with self._lock:
            self._items[key] = (self._clock() + self.ttl, value)

    def drop(self, keys: Iterable[K] | None = None) -> None:
        """Forget ``keys`` (every key when ``None``)."""
        with self._lock:
            if keys is None:
                self._items.clear()
            else:
                for key in keys:
                    self._items.pop(key, None)

    def __len__(self) -> int:
        return len(self._items)
