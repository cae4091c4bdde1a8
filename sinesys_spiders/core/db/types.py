"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from sinesys_spiders.core.timeutil import UTC, ensure_utc

__all__ = ["JSONType", "UTCDateTime"]

#: JSON everywhere, ``jsonb`` on PostgreSQL (indexable, compared by value).
JSONType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An aware datetime stored in UTC: ``timestamptz`` on PostgreSQL, naive UTC text on SQLite.

    Binding a naive datetime raises ``ValueError`` (a Brasília time read as UTC would be three hours
    off); values always come back aware, in UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError(f"UTCDateTime espera datetime, recebeu {type(value).__name__}")
        value = ensure_utc(value)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        # raw SQLite text (e.g. from a server default), or the driver's datetime
        lido: dt.datetime = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
        if lido.tzinfo is None:
            return lido.replace(tzinfo=UTC)
        return lido.astimezone(UTC)
