"""PJE timestamps: zone-less Brasília wall time with 0 to 6 fraction digits, and their normalized UTC form."""

from __future__ import annotations

import datetime as dt
import random

from sinesys_spiders.plugin import BRASILIA

__all__ = ["Ts", "fmt_ts", "rand_ts", "to_utc_iso"]

#: A wall-clock timestamp and how many fraction digits PJE prints for it; the microseconds are already
#: truncated to those digits, so printing and parsing back give the same instant.
Ts = tuple[dt.datetime, int]


def rand_ts(rng: random.Random, day: dt.date, hour_lo: int = 7, hour_hi: int = 19) -> Ts:
    """A time on ``day`` between ``hour_lo`` and ``hour_hi`` with 0..6 fraction digits (uniform)."""
    digits = rng.randrange(7)
    micro = rng.randrange(1_000_000)
    if digits < 6:
        step = 10 ** (6 - digits)
        micro -= micro % step
    seconds = rng.randrange(hour_lo * 3600, hour_hi * 3600)
    base = dt.datetime(day.year, day.month, day.day)
    return base + dt.timedelta(seconds=seconds, microseconds=micro), digits


def fmt_ts(ts: Ts | None) -> str | None:
    """``2025-07-11T11:12:15.261`` (as PJE prints it), or ``None``."""
    if ts is None:
        return None
    value, digits = ts
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if digits:
        text += "." + f"{value.microsecond:06d}"[:digits]
    return text


def to_utc_iso(ts: Ts | dt.datetime | None) -> str | None:
    """The normalized form a capture stores: ISO 8601, aware, UTC (PJE times read as America/Sao_Paulo)."""
    if ts is None:
        return None
    value = ts[0] if isinstance(ts, tuple) else ts
    return value.replace(tzinfo=BRASILIA).astimezone(dt.UTC).isoformat()
