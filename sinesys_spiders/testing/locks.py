"""An in-memory lock backend for tests of code that takes locks (``LockBackend``), with a gate on ``extend``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from sinesys_spiders.core.locks import Lease

__all__ = ["MemoriaLocks"]


class MemoriaLocks:
    """A lock backend in memory; ``extend`` can be held at a gate to interleave it with other calls."""

    def __init__(self) -> None:
        self.donos: dict[str, str] = {}
        self.portao: threading.Event | None = None
        self.estendendo = threading.Event()

    def try_acquire(self, key: str, *, ttl: float, metadata: Mapping[str, Any] | None = None) -> Lease | None:
        if key in self.donos:
            return None
        self.donos[key] = secrets.token_hex(4)
        return Lease(key, self.donos[key], dt.datetime.now(dt.UTC) + dt.timedelta(seconds=ttl))

    def release(self, lease: Lease) -> bool:
        if self.donos.get(lease.key) != lease.owner:
            return False
        del self.donos[lease.key]
        return True

    def release_many(self, leases: Sequence[Lease]) -> list[bool]:
        return [self.release(lease) for lease in leases]

    def extend(self, lease: Lease, *, ttl: float) -> Lease | None:
        self.estendendo.set()
        if self.portao is not None:
            self.portao.wait(5)
        if self.donos.get(lease.key) != lease.owner:
            return None
        return dataclasses.replace(lease, expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=ttl))
