"""Time helpers: PJE's zone-less timestamps and aware UTC everywhere else.

PJE sends times without a zone (Brasília time) and with 0 to 6 fraction digits
(``2025-11-17T23:59:59.999999``, ``2025-07-11T11:12:15.261``, ``2025-07-11T11:12:15``). Everything
the project stores or compares is an aware datetime in UTC.
"""

from __future__ import annotations

import datetime as dt
import re

from sinesys_spiders.core.domain import BRASILIA

__all__ = ["UTC", "ensure_utc", "parse_date_origem", "parse_datetime_origem", "utcnow"]

UTC = dt.UTC

_DATETIME = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[T ](?P<time>\d{2}:\d{2}(?::\d{2})?)(?:[.,](?P<frac>\d{1,9}))?)?"
    r"\s*(?P<zone>Z|z|[+-]\d{2}(?::?\d{2})?)?$"
)


def utcnow() -> dt.datetime:
    """The current time, aware, in UTC."""
    return dt.datetime.now(UTC)


def ensure_utc(value: dt.datetime) -> dt.datetime:
    """Return an aware ``value`` converted to UTC; raise ``ValueError`` on a naive one."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("datetime sem fuso horário: use um datetime com tzinfo (ex.: utcnow())")
    return value.astimezone(UTC)


def parse_datetime_origem(value: str | None) -> dt.datetime | None:
    """Read a tribunal's timestamp; zone-less means Brasília. Return an aware UTC datetime, ``None`` if empty.

    Accepts 0 to 6 (extra digits are truncated) fraction digits, a space or ``T`` separator, a
    date alone (midnight in Brasília) and a trailing ``Z`` or ``±HH:MM`` offset.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    match = _DATETIME.match(text)
    if match is None:
        raise ValueError("data/hora do tribunal em formato desconhecido (esperado AAAA-MM-DD[THH:MM[:SS[.ffffff]]])")
    time_text = match["time"] or "00:00:00"
    if len(time_text) == 5:
        time_text += ":00"
    hour, minute, second = (int(part) for part in time_text.split(":"))
    micro = int((match["frac"] or "0")[:6].ljust(6, "0"))
    zone_text = match["zone"]
    if zone_text is None:
        tz: dt.tzinfo = BRASILIA
    elif zone_text in ("Z", "z"):
        tz = UTC
    else:
        sign = -1 if zone_text[0] == "-" else 1
        digits = zone_text[1:].replace(":", "")
        offset = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
        tz = dt.timezone(sign * offset)
    try:
        date = dt.date.fromisoformat(match["date"])
        local = dt.datetime(date.year, date.month, date.day, hour, minute, second, micro, tzinfo=tz)
    except ValueError:
        raise ValueError("data/hora do tribunal inválida (dia, mês ou hora fora do calendário)") from None
    return local.astimezone(UTC)


def parse_date_origem(value: str | None) -> dt.date | None:
    """Read a tribunal's date (``YYYY-MM-DD``, possibly followed by a time that is ignored); ``None`` if empty."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError("data do tribunal em formato desconhecido (esperado AAAA-MM-DD)") from None
