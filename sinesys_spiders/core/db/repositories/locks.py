"""Data access for ``locks``: named locks with an owner token and an expiry, in SQL.

Acquire = delete the key's expired row, then insert; the primary key lets one inserter win even
between processes. Release and extend act only for the owner. Run each call in its own short
transaction and commit it: a lock nobody else can see does not lock anything.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, select, update

from sinesys_spiders.core.db.models import Lock
from sinesys_spiders.core.db.repositories._base import Repository, insert_ignoring_conflicts
from sinesys_spiders.core.timeutil import ensure_utc, utcnow

__all__ = ["LocksRepository"]


class LocksRepository(Repository):
    """Insert-if-free-or-expired, release by owner, extend by owner."""

    def acquire(
        self,
        *,
        key: str,
        owner: str,
        ttl: float,
        metadata: dict[str, Any] | None = None,
        now: dt.datetime | None = None,
    ) -> bool:
        """Take ``key`` for ``ttl`` seconds if it is free or expired; ``False`` when someone holds it."""
        if ttl <= 0:
            raise ValueError("ttl do lock deve ser positivo")
        now = ensure_utc(now) if now is not None else utcnow()
        self.session.execute(
            delete(Lock).where(Lock.key == key, Lock.expires_at <= now).execution_options(synchronize_session=False)
        )
        values = {
            "key": key,
            "owner": owner,
            "expires_at": now + dt.timedelta(seconds=ttl),
            "created_at": now,
            "metadata": dict(metadata or {}),
        }
        statement = insert_ignoring_conflicts(self.session, Lock, values, index_elements=["key"])
        return self.session.execute(statement).first() is not None

    def acquire_many(
        self,
        owners: dict[str, str],
        *,
        ttl: float,
        metadata: dict[str, Any] | None = None,
        now: dt.datetime | None = None,
    ) -> dict[str, bool]:
        """:meth:`acquire` for every ``key -> owner`` of ``owners`` in this transaction (one delete of the expired
        ones); which were taken."""
        if ttl <= 0:
            raise ValueError("ttl do lock deve ser positivo")
        if not owners:
            return {}
        now = ensure_utc(now) if now is not None else utcnow()
        self.session.execute(
            delete(Lock)
            .where(Lock.key.in_(list(owners)), Lock.expires_at <= now)
            .execution_options(synchronize_session=False)
        )
        expires_at = now + dt.timedelta(seconds=ttl)
        out = {}
        for key, owner in owners.items():
            values = {"key": key, "owner": owner, "expires_at": expires_at, "created_at": now,
                      "metadata": dict(metadata or {})}  # fmt: skip
            statement = insert_ignoring_conflicts(self.session, Lock, values, index_elements=["key"])
            out[key] = self.session.execute(statement).first() is not None
        return out

    def release(self, *, key: str, owner: str) -> bool:
        """Free ``key`` if ``owner`` holds it; ``False`` otherwise (never frees someone else's lock)."""
        result = self.session.execute(
            delete(Lock).where(Lock.key == key, Lock.owner == owner).execution_options(synchronize_session=False)
        )
        self.session.expire_all()
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def extend(self, *, key: str, owner: str, ttl: float, now: dt.datetime | None = None) -> bool:
        """Push the expiry of an unexpired lock held by ``owner`` to ``now + ttl``; ``False`` otherwise."""
        now = ensure_utc(now) if now is not None else utcnow()
        result = self.session.execute(
            update(Lock)
            .where(Lock.key == key, Lock.owner == owner, Lock.expires_at > now)
            .values(expires_at=now + dt.timedelta(seconds=ttl))
            .execution_options(synchronize_session=False)
        )
        self.session.expire_all()
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def get(self, *, key: str) -> Lock | None:
        return self.session.get(Lock, key, populate_existing=True)

    def purge_expired(self, *, now: dt.datetime | None = None) -> int:
        """Delete every expired lock; return how many."""
        now = ensure_utc(now) if now is not None else utcnow()
        result = self.session.execute(
            delete(Lock).where(Lock.expires_at <= now).execution_options(synchronize_session=False)
        )
        self.session.expire_all()
        return int(result.rowcount)  # type: ignore[attr-defined]

    def release_of_captura(self, *, captura_id: int) -> list[str]:
        """Delete every lock whose metadata names ``captura_id`` (a capture that died); return their keys."""
        rows = self.session.scalars(select(Lock)).all()
        keys = [row.key for row in rows if (row.metadados or {}).get("captura_id") == captura_id]
        if keys:
            self.session.execute(delete(Lock).where(Lock.key.in_(keys)).execution_options(synchronize_session=False))
            self.session.expire_all()
        return keys
